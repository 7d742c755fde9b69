//! # folio
//!
//! Pagination for web APIs that stays fast at any depth. (Crate docs written with the
//! envelope work.)

mod children;
mod count;
mod cursor;
mod dialect;
mod error;
mod keyset;
mod offset;
mod sort;
mod statement;
mod value;

pub use children::{ChildrenQuery, ROW_NUMBER_COLUMN};
pub use count::CountQuery;
pub use cursor::{Cursor, CursorCodec, Direction, Fingerprint, FingerprintBuilder};
pub use dialect::{Dialect, MySql, Postgres, Sqlite};
pub use error::{Error, ErrorKind, Result};
pub use keyset::{Arranged, KeysetQuery, KeysetStatement, Seek};
pub use offset::{OffsetForm, OffsetQuery};
pub use sort::{Nulls, Order, Orderings, SortKey, SortSpec};
pub use statement::{BaseQuery, Statement};
pub use value::Value;
mod elided;
mod envelope;
mod fields;
mod links;
mod page;
mod request;
pub use page::{Page, Total, TotalRelation, Window};
pub use request::{CursorPosition, Mode, PageNumber, PageRequest};
pub use envelope::Envelope;
pub use fields::{FieldSet, Fields};
pub use links::PageLinks;
pub use request::{DefaultMode, Oversize, ParamNames, Policy};
