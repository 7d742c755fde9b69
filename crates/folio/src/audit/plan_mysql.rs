//! MySQL's and MariaDB's `EXPLAIN FORMAT=JSON`, read for an index audit.

use serde_json::Value as Json;

use super::{PlanReading, TableAccess};
use crate::Value;

/// Reads the one-row, one-column answer of `EXPLAIN FORMAT=JSON`.
///
/// A filesort (MariaDB's `filesort` object, MySQL 8's `ordering_operation` with
/// `using_filesort`) sorts the filtered set when the first table it reads is a
/// table of the database, not a derived or temporary one (`<derived2>`: the
/// bounded rows of a statement's arms, or of a bounded sort's first-key values).
pub(crate) fn read_mysql_plan(rows: &[Vec<Value>]) -> Option<PlanReading> {
    let Some(Value::Text(text)) = rows.first().and_then(|r| r.first()) else {
        return None;
    };
    let json: Json = serde_json::from_str(text).ok()?;
    let mut reading = PlanReading::default();
    let mut lines = Vec::new();
    walk(&json, 0, &mut reading, &mut lines);
    reading.summary = lines.join("\n");
    Some(reading)
}

fn number(v: &Json) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// A table of the database (`<derived2>`, `<union1,2>`, `<subquery3>` are not).
fn is_base(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('<')
}

/// The name of the first table read under `node`, depth first, not looking into a
/// table's own subqueries.
fn first_table(node: &Json) -> Option<&str> {
    match node {
        Json::Object(map) => {
            if let Some(t) = map.get("table").filter(|t| t.is_object()) {
                return t.get("table_name").and_then(Json::as_str);
            }
            map.values().find_map(first_table)
        }
        Json::Array(items) => items.iter().find_map(first_table),
        _ => None,
    }
}

fn walk(node: &Json, depth: usize, reading: &mut PlanReading, lines: &mut Vec<String>) {
    match node {
        Json::Object(map) => {
            for (key, value) in map {
                let indent = "  ".repeat(depth);
                let sorting = match key.as_str() {
                    "filesort" => true,
                    "ordering_operation" => value.get("using_filesort") == Some(&Json::Bool(true)),
                    _ => false,
                };
                if sorting {
                    let of = first_table(value).unwrap_or("?");
                    lines.push(format!("{indent}filesort of {of}"));
                    if is_base(of) {
                        reading.sorts = true;
                    }
                }
                if key == "table" && value.is_object() {
                    let name = value
                        .get("table_name")
                        .and_then(Json::as_str)
                        .unwrap_or_default();
                    let access = value
                        .get("access_type")
                        .and_then(Json::as_str)
                        .unwrap_or_default();
                    let index = value.get("key").and_then(Json::as_str).map(str::to_owned);
                    let parts: Vec<&str> = value
                        .get("used_key_parts")
                        .and_then(Json::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                        .collect();
                    let rows =
                        number(&value["rows"]).or_else(|| number(&value["rows_examined_per_scan"]));
                    lines.push(format!(
                        "{indent}{name} {access} {} {parts:?} rows {}",
                        index.as_deref().unwrap_or("-"),
                        rows.map_or("?".to_owned(), |r| r.to_string()),
                    ));
                    if is_base(name) {
                        if reading.accesses.is_empty() {
                            reading.rows = rows;
                        }
                        reading.accesses.push(TableAccess {
                            table: name.to_owned(),
                            index: index.filter(|_| access != "ALL"),
                            condition: parts.join(", "),
                        });
                    }
                }
                walk(value, depth + 1, reading, lines);
            }
        }
        Json::Array(items) => {
            for item in items {
                walk(item, depth, reading, lines);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(plan: &str) -> PlanReading {
        read_mysql_plan(&[vec![Value::from(plan)]]).unwrap()
    }

    #[test]
    fn a_filesort_of_the_table_sorts_the_filtered_set() {
        let r = read(
            r#"{"query_block": {"select_id": 1, "filesort": {"sort_key": "products.`name`, products.`id`",
                "table": {"table_name": "products", "access_type": "ref", "key": "products_category_id",
                          "used_key_parts": ["category"], "rows": 49000, "filtered": 100}}}}"#,
        );
        assert!(r.sorts);
        assert_eq!(r.rows, Some(49000.0));
        assert_eq!(r.accesses[0].condition, "category");
        assert!(r.summary.contains("filesort of products"), "{}", r.summary);
    }

    #[test]
    fn a_filesort_of_bounded_rows_does_not() {
        let r = read(
            r#"{"query_block": {"select_id": 1, "filesort": {"sort_key": "u.rating", "temporary_table": {
                "table": {"table_name": "<derived2>", "access_type": "ALL", "rows": 2002,
                  "materialized": {"query_block": {"union_result": {"query_specifications": [
                    {"query_block": {"table": {"table_name": "products", "access_type": "range", "key": "products_rating_id", "used_key_parts": ["rating"], "rows": 1001}}}]}}}}}}}}"#,
        );
        assert!(!r.sorts);
        assert_eq!(r.accesses[0].index.as_deref(), Some("products_rating_id"));
        let mysql8 = read(
            r#"{"query_block": {"ordering_operation": {"using_filesort": true, "table": {"table_name": "products", "access_type": "ALL", "key": null, "rows_examined_per_scan": 1000}}}}"#,
        );
        assert!(mysql8.sorts);
        assert_eq!(mysql8.accesses[0].index, None);
    }
}
