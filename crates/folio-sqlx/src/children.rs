//! Batch loading: the first children of a page of parents, one statement per chunk.

use std::collections::HashMap;

use folio::{ChildrenQuery, Select, SortSpec, Value};

use crate::keys::keys;
use crate::{Backend, Db, Decodes, Result};

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

impl<B: Backend> Db<B> {
    /// Loads the first `per_parent` children of each parent in ONE statement per
    /// chunk of parents (`ROW_NUMBER() OVER (PARTITION BY parent_column ORDER BY …)`;
    /// a chunk holds as many parents as the bind limit allows, so one statement for
    /// any realistic page). `select` is the children's query (its own filters kept),
    /// which must output `parent_column` and the ordering's columns.
    ///
    /// Returns one entry per distinct parent, in the order of `parents` (a parent
    /// given twice is loaded once, at its first position); a parent with no children
    /// gets an empty entry. A parent's children are the rows the database holds
    /// equal to it: text keys under the column's collation, so under a
    /// case-insensitive one the parents 'abc' and 'ABC' (two entries) each get the
    /// children stored as 'abc', 'ABC' or 'Abc', as `WHERE parent_column = ?` would
    /// (see [`ChildrenQuery`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio::{Select, SortSpec, Statement, Value};
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// db.execute(&Statement { sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL)".into(), binds: vec![] }).await?;
    /// db.execute(&Statement { sql: "INSERT INTO orders VALUES (1, 10), (2, 10), (3, 10), (4, 20)".into(), binds: vec![] }).await?;
    ///
    /// #[derive(sqlx::FromRow, Debug, PartialEq)]
    /// struct Order { id: i64, user_id: i64 }
    ///
    /// let spec = SortSpec::by_unique("id", "id");
    /// let parents = [Value::Int(20), Value::Int(10), Value::Int(30)];
    /// let children = db.children::<Order>(&Select::from("orders"), "user_id", &spec, &parents, 2).await?;
    /// assert_eq!(children[0].items, [Order { id: 4, user_id: 20 }]);
    /// assert!(!children[0].has_more);
    /// assert_eq!(children[1].items.len(), 2);
    /// assert!(children[1].has_more);
    /// assert_eq!(children[1].last_keys, Some(vec![Value::Int(2)]));
    /// assert!(children[2].items.is_empty() && children[2].last_keys.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn children<T>(
        &self,
        select: &Select,
        parent_column: &str,
        spec: &SortSpec,
        parents: &[Value],
        per_parent: u64,
    ) -> Result<Vec<Children<T>>>
    where
        B: Decodes<T>,
        T: Send,
    {
        let mut distinct: Vec<Value> = Vec::with_capacity(parents.len());
        let mut index: HashMap<Value, usize> = HashMap::with_capacity(parents.len());
        for p in parents {
            if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(p.clone()) {
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
            .render(B::dialect(), select)?;
        let per_parent = usize::try_from(per_parent).unwrap_or(usize::MAX);
        // Text keys compare under the column's collation ('abc' = 'ABC' under a
        // case-insensitive one): their rows say which parent they belong to by its
        // position, never by the key's bytes.
        let by_position = distinct.iter().any(|p| matches!(p, Value::Text(_)));
        for st in &statements {
            // Rows come ordered by parent, then rank: at most `per_parent + 1` each,
            // the extra one saying that the parent has more.
            for row in self.fetch_rows(st).await? {
                let found = if by_position {
                    match B::value(&row, ChildrenQuery::PARENT_INDEX_COLUMN)? {
                        Value::Int(i) => usize::try_from(i).ok().filter(|i| *i < out.len()),
                        _ => None,
                    }
                } else {
                    index.get(&B::value(&row, parent_column)?).copied()
                };
                let Some(i) = found else {
                    continue;
                };
                let entry = &mut out[i];
                if entry.items.len() == per_parent {
                    entry.has_more = true;
                    continue;
                }
                entry.last_keys = Some(keys::<B>(&row, spec)?);
                entry.items.push(B::decode(&row)?);
            }
        }
        Ok(out)
    }
}
