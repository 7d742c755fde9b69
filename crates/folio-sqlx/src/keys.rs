//! Reading a row's sort key values into [`folio::Value`]s.

use folio::{SortSpec, Value};

use crate::{Backend, Result};

/// The key values of `spec` in `row`, in key order.
pub(crate) fn keys<B: Backend>(row: &B::Row, spec: &SortSpec) -> Result<Vec<Value>> {
    spec.keys()
        .iter()
        .map(|k| B::value(row, k.column()))
        .collect()
}
