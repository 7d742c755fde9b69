//! The index that would serve an unserved combination.

use super::AuditCase;
use crate::{Dialect, Filter, FilterOp, Order, Select};

/// `CREATE INDEX … ON table (…)`: the equality columns first (the select's own, then
/// the case's equality and null-test filters), then the ordering's keys, then the
/// unique key. Keys in the direction of the first key are written plain; a key
/// against it gets `DESC` (the index is walked backward for a descending ordering).
pub(super) fn create_index(
    dialect: &dyn Dialect,
    table: &str,
    select: &Select,
    case: &AuditCase,
) -> String {
    let mut columns: Vec<(String, bool)> = Vec::new();
    let mut add = |c: &str, desc: bool| {
        if !columns.iter().any(|(x, _)| x == c) {
            columns.push((c.to_owned(), desc));
        }
    };
    for c in select.filters().iter().flat_map(Filter::equality_columns) {
        add(c, false);
    }
    for f in case.filters() {
        if f.op().is_equality() || f.op() == FilterOp::IsNull {
            add(f.column_name(), false);
        }
    }
    let keys = case.ordering().keys();
    let first = keys.first().map_or(Order::Asc, crate::SortKey::order);
    for k in keys {
        add(k.column(), k.order() != first);
    }
    let short = table.rsplit('.').next().unwrap_or(table);
    let mut name = format!(
        "{short}_{}",
        columns
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join("_")
    );
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    name.truncate(60);
    let list = columns
        .iter()
        .map(|(c, desc)| {
            let mut s = ident(dialect, c);
            if *desc {
                s.push_str(" DESC");
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ");
    let table = table
        .split('.')
        .map(|t| ident(dialect, t))
        .collect::<Vec<_>>()
        .join(".");
    format!("CREATE INDEX {name} ON {table} ({list});")
}

/// A plain identifier as it is; anything else quoted as `dialect` quotes.
fn ident(dialect: &dyn Dialect, name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        name.to_owned()
    } else {
        let mut s = String::new();
        dialect.quote_ident(name, &mut s);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CursorCodec, Endpoint, FilterParam, IndexAudit, MySql, Orderings};

    #[test]
    fn equality_then_keys_then_the_unique_key() {
        let e = Endpoint::builder("orders", CursorCodec::new(b"k"))
            .orderings(
                Orderings::new("id", "id")
                    .field("created_at", "created_at")
                    .field("total", "total_cents"),
            )
            .filter(FilterParam::eq("status"))
            .filter(FilterParam::ge("min_total").column("total_cents").int())
            .build();
        let select = Select::from("orders").filter(Filter::eq("user_id", 1));
        let audit = IndexAudit::new(&e, select.clone())
            .ordering("-created_at,total")
            .unwrap();
        let case = |label: &str| {
            audit
                .cases()
                .into_iter()
                .find(|c| c.label() == label)
                .unwrap_or_else(|| panic!("no {label}"))
        };
        let sql = |label: &str| create_index(&MySql, "orders", &select, &case(label));
        assert_eq!(
            sql("ordering=-total&status&min_total"),
            "CREATE INDEX orders_user_id_status_total_cents_id ON orders (user_id, status, total_cents, id);"
        );
        assert_eq!(
            sql("ordering=-created_at,total&status"),
            "CREATE INDEX orders_user_id_status_created_at_total_cents_id ON orders (user_id, status, created_at, total_cents DESC, id DESC);"
        );
        assert_eq!(
            create_index(&MySql, "Shop.Orders", &select, &case("ordering=id")),
            "CREATE INDEX Orders_user_id_id ON `Shop`.`Orders` (user_id, id);"
        );
    }
}
