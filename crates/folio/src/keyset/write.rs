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
        write_arm(w, base, arm, fetch, keys);
        w.push(") AS s");
        w.push(&i.to_string());
    }
}

/// An arm selecting every column, or only the columns of `keys`.
pub(super) fn write_arm(
    w: &mut Writer<'_>,
    base: &Base,
    arm: &Arm,
    fetch: u64,
    keys: Option<&[SortKey]>,
) {
    w.push("SELECT ");
    match keys {
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
    w.push(" FROM ").base(base, "q");
    let lead = match arm.order.first() {
        Some(k) => w.quoted("q", k.column()),
        None => String::new(),
    };
    match &arm.filter {
        ArmFilter::All => {}
        ArmFilter::After(b) => {
            w.push(" WHERE ");
            write_after(w, &arm.order, b);
        }
        ArmFilter::NotNull => {
            w.push(" WHERE ").push(&lead).push(" IS NOT NULL");
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
    w.order_by("q", &arm.order);
    w.push(" LIMIT ").push(&fetch.to_string());
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
