//! PostgreSQL's `EXPLAIN (FORMAT JSON)`, read for an index audit.

use std::fmt::Write as _;

use serde_json::Value as Json;

use super::{PlanReading, TableAccess};
use crate::Value;

/// The scan nodes that read a table.
const SCANS: [&str; 5] = [
    "Seq Scan",
    "Index Scan",
    "Index Only Scan",
    "Bitmap Heap Scan",
    "Tid Scan",
];

/// Reads the one-row, one-column answer of `EXPLAIN (FORMAT JSON)`.
///
/// A `Sort` sorts the filtered set when a table scan is reached below it without a
/// `Limit` in between (a `Sort` over the `Append` of two limited arms merges bounded
/// rows). An `Incremental Sort` is not counted: its presorted first key comes from an
/// index, and it sorts one group of ties at a time, stopping at the `LIMIT`.
pub(crate) fn read_postgres_plan(rows: &[Vec<Value>]) -> Option<PlanReading> {
    let Some(Value::Text(text)) = rows.first().and_then(|r| r.first()) else {
        return None;
    };
    let json: Json = serde_json::from_str(text).ok()?;
    let plan = json.get(0)?.get("Plan")?;
    let mut reading = PlanReading::default();
    let mut lines = Vec::new();
    walk(plan, 0, &mut reading, &mut lines);
    reading.summary = lines.join("\n");
    Some(reading)
}

fn text<'a>(node: &'a Json, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Json::as_str)
}

fn children(node: &Json) -> impl Iterator<Item = &Json> {
    node.get("Plans")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

/// Whether a table scan is reached from `node` without passing a `Limit`. Of a
/// `Nested Loop`, only the outer side counts: the inner side is a lookup per outer
/// row (a deferred join's read of the page's rows by key).
fn scans_unbounded(node: &Json) -> bool {
    let kind = text(node, "Node Type").unwrap_or_default();
    if kind == "Limit" {
        return false;
    }
    if kind == "Nested Loop" {
        return children(node).next().is_some_and(scans_unbounded);
    }
    SCANS.contains(&kind) || children(node).any(scans_unbounded)
}

fn walk(node: &Json, depth: usize, reading: &mut PlanReading, lines: &mut Vec<String>) {
    let kind = text(node, "Node Type").unwrap_or_default();
    let plan_rows = node.get("Plan Rows").and_then(Json::as_f64);
    let mut line = format!("{}{kind}", "  ".repeat(depth));
    if kind == "Sort" && children(node).any(scans_unbounded) {
        // the largest sort's rows
        if !reading.sorts || plan_rows > reading.rows {
            reading.rows = plan_rows;
        }
        reading.sorts = true;
    }
    if SCANS.contains(&kind) {
        let table = text(node, "Relation Name").unwrap_or_default().to_owned();
        // A bitmap heap scan's index is its Bitmap Index Scan child's.
        let index = text(node, "Index Name")
            .or_else(|| children(node).find_map(|c| text(c, "Index Name")))
            .map(str::to_owned);
        let condition = ["Index Cond", "Recheck Cond"]
            .iter()
            .filter_map(|k| text(node, k))
            .collect::<Vec<_>>()
            .join(" AND ");
        let _ = write!(line, " on {table}");
        if let Some(i) = &index {
            let _ = write!(line, " using {i}");
        }
        if !condition.is_empty() {
            let _ = write!(line, " [{condition}]");
        }
        if let Some(f) = text(node, "Filter") {
            let _ = write!(line, " filter [{f}]");
        }
        if reading.accesses.is_empty() && !reading.sorts {
            reading.rows = plan_rows;
        }
        reading.accesses.push(TableAccess {
            table,
            index,
            condition,
        });
    }
    if let Some(r) = plan_rows {
        let _ = write!(line, " (rows {r})");
    }
    lines.push(line);
    for child in children(node) {
        walk(child, depth + 1, reading, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(plan: &str) -> PlanReading {
        read_postgres_plan(&[vec![Value::from(format!(r#"[{{"Plan": {plan}}}]"#))]]).unwrap()
    }

    #[test]
    fn a_sort_over_a_scan_sorts_the_filtered_set() {
        let r = read(
            r#"{"Node Type": "Limit", "Plan Rows": 11, "Plans": [{"Node Type": "Sort", "Plan Rows": 50000,
               "Plans": [{"Node Type": "Bitmap Heap Scan", "Relation Name": "products", "Plan Rows": 50000,
                 "Recheck Cond": "(category = 'books'::text)",
                 "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "products_category_id"}]}]}]}"#,
        );
        assert!(r.sorts);
        assert_eq!(r.rows, Some(50000.0));
        assert_eq!(r.accesses[0].index.as_deref(), Some("products_category_id"));
        assert!(
            r.summary.contains("Bitmap Heap Scan on products"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a_merge_of_limited_arms_and_an_incremental_sort_do_not() {
        let r = read(
            r#"{"Node Type": "Limit", "Plans": [{"Node Type": "Sort", "Plans": [{"Node Type": "Append", "Plans": [
                {"Node Type": "Limit", "Plans": [{"Node Type": "Index Scan", "Relation Name": "products", "Index Name": "products_rating_id", "Index Cond": "(rating > '2'::double precision)", "Plan Rows": 9000}]},
                {"Node Type": "Limit", "Plans": [{"Node Type": "Index Scan", "Relation Name": "products", "Index Name": "products_rating_id", "Index Cond": "(rating IS NULL)"}]}]}]}]}"#,
        );
        assert!(!r.sorts);
        assert_eq!(r.rows, Some(9000.0));
        assert_eq!(r.accesses.len(), 2);
        let r = read(
            r#"{"Node Type": "Limit", "Plans": [{"Node Type": "Incremental Sort", "Plans": [
                {"Node Type": "Index Scan", "Relation Name": "products", "Index Name": "products_price_id"}]}]}"#,
        );
        assert!(!r.sorts);
        let r = read(
            r#"{"Node Type": "Sort", "Plans": [{"Node Type": "Nested Loop", "Plans": [
                {"Node Type": "Limit", "Plans": [{"Node Type": "Index Only Scan", "Relation Name": "products", "Index Name": "products_rating_id"}]},
                {"Node Type": "Index Scan", "Relation Name": "products", "Index Name": "products_pkey", "Index Cond": "(id = s0.id)"}]}]}"#,
        );
        assert!(
            !r.sorts,
            "a deferred join's lookups are bounded by its outer side"
        );
        assert!(read_postgres_plan(&[vec![Value::from("not json")]]).is_none());
    }
}
