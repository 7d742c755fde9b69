//! SQLite's `EXPLAIN QUERY PLAN` rows, read for an index audit.

use super::{PlanReading, TableAccess};
use crate::Value;

/// Reads the rows of `EXPLAIN QUERY PLAN` (`id`, `parent`, `notused`, `detail`).
///
/// A `USE TEMP B-TREE FOR … ORDER BY` sorts the filtered set when the loop it sorts
/// is driven by a table (`SCAN products`, `SEARCH products USING …`), not by a
/// subquery's bounded rows (`SCAN s0`, `SCAN (subquery-2)`: the merge of a
/// statement's arms).
pub(crate) fn read_sqlite_plan(rows: &[Vec<Value>]) -> Option<PlanReading> {
    let nodes: Vec<(i64, i64, &str)> = rows
        .iter()
        .map(|r| match r.as_slice() {
            [Value::Int(id), Value::Int(parent), _, Value::Text(detail), ..] => {
                Some((*id, *parent, detail.as_str()))
            }
            _ => None,
        })
        .collect::<Option<_>>()?;
    let subqueries: Vec<&str> = nodes
        .iter()
        .filter_map(|(_, _, d)| {
            d.strip_prefix("CO-ROUTINE ")
                .or_else(|| d.strip_prefix("MATERIALIZE "))
        })
        .collect();
    let table_of = |detail: &str| -> Option<String> {
        let rest = detail
            .strip_prefix("SCAN ")
            .or_else(|| detail.strip_prefix("SEARCH "))?;
        let name = rest.split(' ').next().unwrap_or(rest);
        let is_subquery = name.starts_with('(') || name == "CONSTANT" || subqueries.contains(&name);
        (!is_subquery).then(|| name.to_owned())
    };
    let mut reading = PlanReading::default();
    for &(id, parent, detail) in &nodes {
        if detail.starts_with("USE TEMP B-TREE FOR") && detail.contains("ORDER BY") {
            let driver = nodes.iter().find(|(i, p, d)| {
                *p == parent && *i != id && (d.starts_with("SCAN ") || d.starts_with("SEARCH "))
            });
            if driver.is_some_and(|(_, _, d)| table_of(d).is_some()) {
                reading.sorts = true;
            }
        }
        if let Some(table) = table_of(detail) {
            let index = ["USING COVERING INDEX ", "USING INDEX "]
                .iter()
                .find_map(|p| detail.split_once(p))
                .map(|(_, rest)| rest.split(' ').next().unwrap_or(rest).to_owned())
                .or_else(|| {
                    ["INTEGER PRIMARY KEY", "PRIMARY KEY"]
                        .into_iter()
                        .find(|k| detail.contains(&format!("USING {k}")))
                        .map(str::to_owned)
                });
            let condition = detail
                .rfind('(')
                .filter(|_| detail.ends_with(')'))
                .map(|i| detail[i + 1..detail.len() - 1].to_owned())
                .unwrap_or_default();
            reading.accesses.push(TableAccess {
                table,
                index,
                condition,
            });
        }
    }
    let depth = |mut parent: i64| {
        let mut d = 0;
        while let Some((_, p, _)) = nodes.iter().find(|(i, _, _)| *i == parent) {
            d += 1;
            parent = *p;
        }
        d
    };
    reading.summary = nodes
        .iter()
        .map(|(_, parent, detail)| format!("{}{detail}", "  ".repeat(depth(*parent))))
        .collect::<Vec<_>>()
        .join("\n");
    Some(reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(plan: &[(i64, i64, &str)]) -> Vec<Vec<Value>> {
        plan.iter()
            .map(|(i, p, d)| {
                vec![
                    Value::Int(*i),
                    Value::Int(*p),
                    Value::Int(0),
                    Value::from(*d),
                ]
            })
            .collect()
    }

    #[test]
    fn a_sort_driven_by_the_table_is_a_sort_of_the_filtered_set() {
        let r = read_sqlite_plan(&rows(&[
            (1, 0, "COMPOUND QUERY"),
            (2, 1, "LEFT-MOST SUBQUERY"),
            (4, 2, "CO-ROUTINE s0"),
            (
                9,
                4,
                "SEARCH products USING INDEX products_category_id (category=? AND id>?)",
            ),
            (31, 2, "SCAN s0"),
            (43, 1, "UNION ALL"),
            (45, 43, "CO-ROUTINE s1"),
            (
                50,
                45,
                "SEARCH products USING INDEX products_category_price (category=?)",
            ),
            (74, 45, "USE TEMP B-TREE FOR ORDER BY"),
            (85, 43, "SCAN s1"),
        ]))
        .unwrap();
        assert!(r.sorts);
        assert_eq!(r.accesses.len(), 2);
        assert_eq!(r.accesses[0].index.as_deref(), Some("products_category_id"));
        assert_eq!(r.accesses[0].condition, "category=? AND id>?");
        assert!(
            r.summary
                .contains("      SEARCH products USING INDEX products_category_id"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a_merge_of_bounded_arms_is_not() {
        let r = read_sqlite_plan(&rows(&[
            (3, 0, "MATERIALIZE v"),
            (5, 3, "CO-ROUTINE u"),
            (
                14,
                5,
                "SEARCH products USING INDEX products_rating_id (rating>?)",
            ),
            (77, 3, "SCAN u"),
            (93, 3, "USE TEMP B-TREE FOR ORDER BY"),
            (106, 0, "SCAN v"),
            (108, 0, "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)"),
            (122, 0, "USE TEMP B-TREE FOR ORDER BY"),
        ]))
        .unwrap();
        assert!(!r.sorts);
        assert_eq!(r.accesses[1].index.as_deref(), Some("INTEGER PRIMARY KEY"));
        let scan = read_sqlite_plan(&rows(&[(2, 0, "SCAN products")])).unwrap();
        assert!(!scan.sorts);
        assert_eq!(scan.accesses[0].index, None);
        assert!(read_sqlite_plan(&[vec![Value::from("x")]]).is_none());
    }
}
