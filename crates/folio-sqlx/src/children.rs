//! Batch loading: the first children of a page of parents, one statement per chunk.

use std::collections::HashMap;

use folio::{BaseQuery, ChildrenQuery, SortSpec, Value, ROW_NUMBER_COLUMN};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::FromRow;

use crate::db::Rows;
use crate::keys::KeyRow;
use crate::{Db, Result};

/// The first children of one parent.
///
/// ```
/// let c = folio_sqlx::Children::<i64> { parent: 7.into(), items: vec![1, 2], has_more: true, last_keys: Some(vec![2.into()]) };
/// assert!(c.has_more);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Children<T> {
    /// The parent key (a value of the child's parent column).
    pub parent: Value,
    /// At most `per_parent` children, in the ordering.
    pub items: Vec<T>,
    /// Whether the parent has more children than `items`.
    pub has_more: bool,
    /// The key values (of the ordering) of the last item, to make the parent's
    /// next cursor into its own collection (`Cursor::after(last_keys)`); `None`
    /// when there are no items.
    pub last_keys: Option<Vec<Value>>,
}

/// Loads the first `per_parent` children of each parent in ONE statement per chunk
/// of parents (`ROW_NUMBER() OVER (PARTITION BY parent_column ORDER BY …)`; a chunk
/// holds as many parents as the bind limit allows, so one statement for any
/// realistic page). `child_base` is the children's query (its own filters kept),
/// which must output `parent_column` and the ordering's columns.
///
/// Returns one entry per distinct parent, in the order of `parents` (a parent given
/// twice is loaded once, at its first position); a parent with no children gets an
/// empty entry. The row-number column `folio_rn` is read to detect `has_more`; a
/// `FromRow` type ignores it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio::{BaseQuery, SortSpec, Statement, Value};
/// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
/// db.execute(&Statement { sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL)".into(), binds: vec![] }).await?;
/// db.execute(&Statement { sql: "INSERT INTO orders VALUES (1, 10), (2, 10), (3, 10), (4, 20)".into(), binds: vec![] }).await?;
///
/// #[derive(sqlx::FromRow, Debug, PartialEq)]
/// struct Order { id: i64, user_id: i64 }
///
/// let spec = SortSpec::by_unique("id", "id");
/// let parents = [Value::Int(20), Value::Int(10), Value::Int(30)];
/// let base = BaseQuery::new("SELECT id, user_id FROM orders");
/// let children = folio_sqlx::load_children::<Order>(&db, &base, "user_id", &spec, &parents, 2).await?;
/// assert_eq!(children[0].items, [Order { id: 4, user_id: 20 }]);
/// assert!(!children[0].has_more);
/// assert_eq!(children[1].items.len(), 2);
/// assert!(children[1].has_more);
/// assert_eq!(children[1].last_keys, Some(vec![Value::Int(2)]));
/// assert!(children[2].items.is_empty() && children[2].last_keys.is_none());
/// # Ok(()) }
/// ```
pub async fn load_children<T>(
    db: &Db,
    child_base: &BaseQuery,
    parent_column: &str,
    spec: &SortSpec,
    parents: &[Value],
    per_parent: u64,
) -> Result<Vec<Children<T>>>
where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let mut distinct: Vec<Value> = Vec::with_capacity(parents.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(parents.len());
    for p in parents {
        if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(format!("{p:?}")) {
            slot.insert(distinct.len());
            distinct.push(p.clone());
        }
    }
    let mut out: Vec<Children<T>> = distinct
        .iter()
        .map(|p| Children {
            parent: p.clone(),
            items: Vec::new(),
            has_more: false,
            last_keys: None,
        })
        .collect();
    let statements = ChildrenQuery::new(spec, parent_column, &distinct, per_parent)
        .render(db.dialect(), child_base);
    for st in &statements {
        match db.fetch_rows(st).await? {
            Rows::Sqlite(rows) => {
                gather(&rows, parent_column, spec, per_parent, &index, &mut out)?;
            }
            Rows::Postgres(rows) => {
                gather(&rows, parent_column, spec, per_parent, &index, &mut out)?;
            }
        }
    }
    Ok(out)
}

fn gather<R, T>(
    rows: &[R],
    parent_column: &str,
    spec: &SortSpec,
    per_parent: u64,
    index: &HashMap<String, usize>,
    out: &mut [Children<T>],
) -> Result<()>
where
    R: KeyRow,
    T: for<'r> FromRow<'r, R>,
{
    for row in rows {
        let parent = row.value(parent_column)?;
        let Some(&i) = index.get(&format!("{parent:?}")) else {
            continue;
        };
        let rn = match row.value(ROW_NUMBER_COLUMN)? {
            Value::Int(n) => u64::try_from(n).unwrap_or(0),
            _ => 0,
        };
        if rn > per_parent {
            out[i].has_more = true;
            continue;
        }
        out[i].last_keys = Some(row.keys(spec)?);
        out[i].items.push(T::from_row(row)?);
    }
    Ok(())
}
