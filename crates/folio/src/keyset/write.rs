//! Writing a keyset page's SQL: its arms, and "after the boundary" per key.

use super::plan::{Arm, ArmFilter};
use crate::statement::{Base, Writer};
use crate::{Nulls, Order, SortKey, Value};

/// The arms, `SELECT * FROM (<arm>) AS s0 UNION ALL …`, each of at most `fetch`
/// rows, selecting every column or only the columns of `keys`.
pub(super) fn write_union(
    w: &mut Writer<'_>,
    base: &Base,
    arms: &[Arm],
    fetch: u64,
    keys: Option<&[SortKey]>,
) {
    for (i, arm) in arms.iter().enumerate() {
        if i > 0 {
            w.push(" UNION ALL ");
        }
        w.push("SELECT * FROM (");
        write_arm(w, base, arm, fetch, 0, keys);
        w.push(") AS s");
        w.push(&i.to_string());
    }
}

/// An arm selecting every column, or only the columns of `keys`: `fetch` rows
/// after `skip` rows.
///
/// On a dialect without an incremental sort ([`crate::Dialect::incremental_sort`]),
/// an arm whose order no index can give ([`needs_bounded_sort`]) is written as a
/// bounded sort: the distinct first-key values of the arm's first `skip + fetch`
/// rows in first-key order (one index range, `g`), then the arm's rows that hold one
/// of those values (one index lookup per value), sorted. Every row of the page has
/// one of those values, so the sort reads the boundary's ties and the groups of
/// first-key ties the page reaches, not every row after the boundary:
///
/// ```text
/// SELECT q.* FROM (SELECT DISTINCT t.`k` FROM (SELECT q.`a` AS `k` FROM (<base>) AS q
///     WHERE <filter> ORDER BY q.`a` ASC LIMIT <skip + fetch>) AS t) AS g
/// STRAIGHT_JOIN (<base>) AS q ON q.`a` = g.`k` WHERE <filter> ORDER BY <order> LIMIT <fetch>
/// ```
///
/// `STRAIGHT_JOIN` keeps `g` first: reading `q` first would sort every row after
/// the boundary again.
pub(super) fn write_arm(
    w: &mut Writer<'_>,
    base: &Base,
    arm: &Arm,
    fetch: u64,
    skip: u64,
    keys: Option<&[SortKey]>,
) {
    let bounded = !w.dialect.incremental_sort() && needs_bounded_sort(&arm.order);
    w.push("SELECT ");
    match keys {
        None if bounded => {
            w.push("q.*");
        }
        None => {
            w.push("*");
        }
        Some(keys) => {
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.column("q", k.column());
            }
        }
    }
    w.push(" FROM ");
    if bounded {
        let lead = &arm.order[..1];
        let mut k = String::new();
        w.dialect.quote_ident("k", &mut k);
        w.push("(SELECT DISTINCT t.")
            .push(&k)
            .push(" FROM (SELECT ");
        w.column("q", lead[0].column()).push(" AS ").push(&k);
        w.push(" FROM ").base(base, "q");
        write_filter(w, arm);
        w.order_by("q", lead);
        w.push(" LIMIT ")
            .push(&fetch.saturating_add(skip).to_string());
        w.push(") AS t) AS g STRAIGHT_JOIN ").base(base, "q");
        w.push(" ON ").column("q", lead[0].column());
        w.push(" = g.").push(&k);
    } else {
        w.base(base, "q");
    }
    write_filter(w, arm);
    match (&arm.filter, arm.order.first()) {
        (ArmFilter::Null { column, .. }, Some(next)) if w.dialect.null_arm_orders_by_lead() => {
            w.order_by_led("q", column, next.order(), &arm.order);
        }
        _ => {
            w.order_by("q", &arm.order);
        }
    }
    w.push(" LIMIT ").push(&fetch.to_string());
    if skip > 0 {
        w.push(" OFFSET ").push(&skip.to_string());
    }
}

/// Whether no index can give `order` on a dialect without an incremental sort: a
/// key after a NOT NULL first key runs in the other direction, or is nullable
/// (MySQL writes its NULL placement as an `IS NULL` expression). A nullable first
/// key has no such bound (its NULLs are not equal to each other).
pub(super) fn needs_bounded_sort(order: &[SortKey]) -> bool {
    match order {
        [first, rest @ ..] if !rest.is_empty() && !first.is_nullable() => rest
            .iter()
            .any(|k| k.order() != first.order() || k.is_nullable()),
        _ => false,
    }
}

/// The arm's ` WHERE …`, if it has one.
fn write_filter(w: &mut Writer<'_>, arm: &Arm) {
    match &arm.filter {
        ArmFilter::All => {}
        ArmFilter::After(b) => {
            w.push(" WHERE ");
            write_after(w, &arm.order, b);
        }
        ArmFilter::NotNull => {
            let lead = arm.order.first().map_or("", SortKey::column);
            w.push(" WHERE ").column("q", lead).push(" IS NOT NULL");
        }
        ArmFilter::Tie { keys, values } => {
            w.push(" WHERE ");
            let last = keys.len() - 1;
            for (k, v) in keys[..last].iter().zip(values) {
                w.column("q", k.column()).push(" = ").bind(v.clone());
                w.push(" AND ");
            }
            write_greater(w, &keys[last], &values[last]);
        }
        ArmFilter::Null { column, rest } => {
            w.push(" WHERE ").column("q", column).push(" IS NULL");
            if let Some(rest) = rest {
                w.push(" AND (");
                write_after(w, &arm.order, rest);
                w.push(")");
            }
        }
    }
}

/// Writes "the row comes after `b` in the order `keys`".
fn write_after(w: &mut Writer<'_>, keys: &[SortKey], b: &[Value]) {
    let all_values = keys.iter().all(|k| !k.is_nullable());
    let uniform = keys.windows(2).all(|p| p[0].order() == p[1].order());
    if keys.len() == 1 || (all_values && uniform && w.dialect.row_values()) {
        let op = if keys[0].order() == Order::Asc {
            " > "
        } else {
            " < "
        };
        if keys.len() == 1 {
            write_greater(w, &keys[0], &b[0]);
            return;
        }
        w.push("(");
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.column("q", k.column());
        }
        w.push(")").push(op).push("(");
        for (i, v) in b.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.bind(v.clone());
        }
        w.push(")");
        return;
    }
    if keys[0].is_nullable() {
        write_chain(w, keys, b);
    } else {
        // The redundant bound that lets the index be entered at the boundary.
        let op = if keys[0].order() == Order::Asc {
            " >= "
        } else {
            " <= "
        };
        w.column("q", keys[0].column()).push(op).bind(b[0].clone());
        w.push(" AND (");
        write_chain(w, keys, b);
        w.push(")");
    }
}

/// `k0 > b0 OR (k0 = b0 AND (k1 > b1 OR (…)))`, with IS NULL branches.
fn write_chain(w: &mut Writer<'_>, keys: &[SortKey], b: &[Value]) {
    let (k, v) = (&keys[0], &b[0]);
    if keys.len() == 1 {
        write_greater(w, k, v);
        return;
    }
    let nothing_greater = v.is_null() && k.nulls() == Nulls::Last;
    if !nothing_greater {
        write_greater(w, k, v);
        w.push(" OR ");
    }
    w.push("(");
    if v.is_null() {
        w.column("q", k.column()).push(" IS NULL");
    } else {
        w.column("q", k.column()).push(" = ").bind(v.clone());
    }
    w.push(" AND (");
    write_chain(w, &keys[1..], &b[1..]);
    w.push("))");
}

/// "`k` comes after `v`" for one key, NULL-aware. Writes `1 = 0` when nothing can.
fn write_greater(w: &mut Writer<'_>, k: &SortKey, v: &Value) {
    let op = if k.order() == Order::Asc {
        " > "
    } else {
        " < "
    };
    if !k.is_nullable() {
        w.column("q", k.column()).push(op).bind(v.clone());
        return;
    }
    match (v.is_null(), k.nulls()) {
        (false, Nulls::Last) => {
            w.push("(");
            w.column("q", k.column()).push(op).bind(v.clone());
            w.push(" OR ");
            w.column("q", k.column()).push(" IS NULL)");
        }
        (false, Nulls::First) => {
            w.column("q", k.column()).push(op).bind(v.clone());
        }
        (true, Nulls::Last) => {
            w.push("1 = 0");
        }
        (true, Nulls::First) => {
            w.column("q", k.column()).push(" IS NOT NULL");
        }
    }
}
