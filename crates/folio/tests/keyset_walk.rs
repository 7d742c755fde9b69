//! Property test: on random tables with ties and NULLs, random orderings and page
//! sizes, walking the keyset pages folio renders — forward from the first page and
//! backward from the last — yields every row exactly once, in the order an
//! independent sort (computed here in Rust, not by SQL) gives. The SQL runs in an
//! in-memory SQLite for each of folio's dialects: SQLite's own, PostgreSQL's
//! (`$n` placeholders, which SQLite also reads) and MySQL's (backticks, no row
//! values, NULL placement emulated with `IS NULL` terms, bounded sorts for the
//! orders no index gives).

use std::cmp::Ordering;

use folio::{
    Dialect, KeysetQuery, MySql, Nulls, Order, Postgres, Seek, Select, SortKey, SortSpec, Sqlite,
    Value,
};
use proptest::prelude::*;
use rusqlite::{params_from_iter, types::ToSqlOutput, Connection, ToSql};

#[derive(Debug, Clone)]
struct Row {
    id: i64,
    a: i64,
    b: Option<f64>,
    c: String,
}

struct Bind<'a>(&'a Value);

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::from(rusqlite::types::Null),
            Value::Int(v) | Value::Timestamp(v) => ToSqlOutput::from(*v),
            Value::Float(v) => ToSqlOutput::from(*v),
            Value::Text(s) => ToSqlOutput::from(s.as_str()),
            Value::Bool(b) => ToSqlOutput::from(*b),
            Value::Bytes(b) => ToSqlOutput::from(b.as_slice()),
        })
    }
}

fn key_value(row: &Row, column: &str) -> Value {
    match column {
        "id" => Value::Int(row.id),
        "a" => Value::Int(row.a),
        "b" => row.b.map_or(Value::Null, Value::Float),
        "c" => Value::Text(row.c.clone()),
        other => panic!("no column {other}"),
    }
}

/// The reference order, from the sort spec alone.
fn compare(spec: &SortSpec, x: &Row, y: &Row) -> Ordering {
    for k in spec.keys() {
        let (vx, vy) = (key_value(x, k.column()), key_value(y, k.column()));
        let ord = match (&vx, &vy) {
            (Value::Null, Value::Null) => Ordering::Equal,
            // NULL placement holds whatever the direction
            (Value::Null, _) => {
                return if k.nulls() == Nulls::First {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (_, Value::Null) => {
                return if k.nulls() == Nulls::First {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (Value::Int(p), Value::Int(q)) => p.cmp(q),
            (Value::Float(p), Value::Float(q)) => p.partial_cmp(q).unwrap(),
            (Value::Text(p), Value::Text(q)) => p.as_bytes().cmp(q.as_bytes()),
            _ => unreachable!(),
        };
        let ord = if k.order() == Order::Desc {
            ord.reverse()
        } else {
            ord
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn fetch(
    conn: &Connection,
    dialect: &dyn Dialect,
    base: &Select,
    spec: &SortSpec,
    seek: Seek,
    size: u64,
    skip: u64,
) -> (Vec<Row>, bool, bool) {
    let st = KeysetQuery::new(spec, seek, size)
        .skip(skip)
        .render(dialect, base)
        .unwrap();
    // MySQL's bounded sort keeps its join order with `STRAIGHT_JOIN`; SQLite's
    // `CROSS JOIN` is the same inner join, in the same fixed order.
    let sql = st.statement.sql.replace(" STRAIGHT_JOIN ", " CROSS JOIN ");
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let rows: Vec<Row> = stmt
        .query_map(params_from_iter(st.statement.binds.iter().map(Bind)), |r| {
            Ok(Row {
                id: r.get("id")?,
                a: r.get("a")?,
                b: r.get("b")?,
                c: r.get("c")?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let keys: Vec<Vec<Value>> = rows.iter().map(|r| keys_of(spec, r)).collect();
    let mut paired: Vec<(Vec<Value>, Row)> = keys.into_iter().zip(rows).collect();
    let edges = st.arrange(&mut paired, |(k, _): &(Vec<Value>, Row)| k.as_slice());
    let page_rows: Vec<Row> = paired.into_iter().map(|(_, r)| r).collect();
    (page_rows, edges.has_next, edges.has_previous)
}

fn keys_of(spec: &SortSpec, row: &Row) -> Vec<Value> {
    spec.keys()
        .iter()
        .map(|k| key_value(row, k.column()))
        .collect()
}

fn walk(
    conn: &Connection,
    dialect: &dyn Dialect,
    base: &Select,
    spec: &SortSpec,
    size: u64,
    total: usize,
) -> (Vec<i64>, Vec<i64>) {
    let limit = total / size as usize + 3;
    // forward
    let mut forward = Vec::new();
    let mut seek = Seek::First;
    for step in 0..limit {
        let (rows, has_next, has_previous) = fetch(conn, dialect, base, spec, seek, size, 0);
        assert_eq!(
            has_previous,
            step > 0,
            "has_previous on forward page {step}"
        );
        if has_next {
            assert_eq!(rows.len() as u64, size, "a page followed by more is full");
        }
        forward.extend(rows.iter().map(|r| r.id));
        if !has_next {
            break;
        }
        seek = Seek::After(keys_of(spec, rows.last().unwrap()));
    }
    // backward
    let mut pages = Vec::new();
    let mut seek = Seek::Last;
    for step in 0..limit {
        let (rows, has_next, has_previous) = fetch(conn, dialect, base, spec, seek, size, 0);
        assert_eq!(has_next, step > 0, "has_next on backward page {step}");
        if has_previous {
            assert_eq!(rows.len() as u64, size);
        }
        let first = rows.first().map(|r| keys_of(spec, r));
        pages.push(rows.iter().map(|r| r.id).collect::<Vec<_>>());
        if !has_previous {
            break;
        }
        seek = Seek::Before(first.unwrap());
    }
    let backward = pages.into_iter().rev().flatten().collect();
    (forward, backward)
}

fn table() -> impl Strategy<Value = Vec<Row>> {
    let row = (
        0i64..4,
        prop::option::weighted(0.7, prop::sample::select(vec![0.5, 1.5, 2.5])),
        prop::sample::select(vec!["x", "y", "Y", "é", ""]),
    );
    prop::collection::vec(row, 0..40).prop_map(|cells| {
        cells
            .into_iter()
            .enumerate()
            .map(|(i, (a, b, c))| Row {
                id: i as i64 * 3 + 1,
                a,
                b,
                c: c.to_owned(),
            })
            .collect()
    })
}

fn spec() -> impl Strategy<Value = SortSpec> {
    let key = |name: &'static str| {
        (any::<bool>(), any::<bool>()).prop_map(move |(desc, nulls_first)| {
            let order = if desc { Order::Desc } else { Order::Asc };
            let k = SortKey::new(name, name, order);
            if name == "b" {
                k.nullable(if nulls_first {
                    Nulls::First
                } else {
                    Nulls::Last
                })
            } else {
                k
            }
        })
    };
    (
        prop::sample::subsequence(vec!["a", "b", "c"], 0..=3).prop_shuffle(),
        key("a"),
        key("b"),
        key("c"),
        any::<bool>(),
    )
        .prop_map(|(names, ka, kb, kc, unique_desc)| {
            let keys = names
                .into_iter()
                .map(|n| match n {
                    "a" => ka.clone(),
                    "b" => kb.clone(),
                    _ => kc.clone(),
                })
                .collect();
            let unique = SortKey::new(
                "id",
                "id",
                if unique_desc { Order::Desc } else { Order::Asc },
            );
            SortSpec::new(keys, unique)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn walking_pages_yields_every_row_once_in_order(rows in table(), spec in spec(), size in 1u64..7, filtered in any::<bool>()) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b REAL, c TEXT NOT NULL)").unwrap();
        for r in &rows {
            conn.execute("INSERT INTO t VALUES (?1, ?2, ?3, ?4)", rusqlite::params![r.id, r.a, r.b, r.c]).unwrap();
        }
        // an optional filter exercises the user's own binds ahead of folio's
        let (mut expected, bases): (Vec<Row>, [Select; 3]) = if filtered {
            (
                rows.iter().filter(|r| r.a != 2).cloned().collect(),
                [
                    Select::sql("SELECT * FROM t WHERE a <> ?").bind(2),
                    Select::sql("SELECT * FROM t WHERE a <> ?").bind(2),
                    Select::sql("SELECT * FROM t WHERE a <> ?").bind(2),
                ],
            )
        } else {
            (rows.clone(), [Select::sql("SELECT * FROM t"), Select::sql("SELECT * FROM t"), Select::sql("SELECT * FROM t")])
        };
        expected.sort_by(|x, y| compare(&spec, x, y));
        let expected: Vec<i64> = expected.iter().map(|r| r.id).collect();
        let dialects: [&dyn Dialect; 3] = [&Sqlite, &Postgres, &MySql];
        for (dialect, base) in dialects.into_iter().zip(&bases) {
            let (forward, backward) = walk(&conn, dialect, base, &spec, size, expected.len());
            prop_assert_eq!(&forward, &expected, "forward walk, {} ordering {}", dialect.name(), spec);
            prop_assert_eq!(&backward, &expected, "backward walk, {} ordering {}", dialect.name(), spec);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A page read from a bookmark (a seek after some row, then a skip) is the
    /// reference order's slice that starts `skip` rows after that row.
    #[test]
    fn skipping_from_a_row_reads_the_rows_an_offset_would(
        rows in table(), spec in spec(), size in 1u64..7, skip in 0u64..12, anchor in any::<prop::sample::Index>(),
    ) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b REAL, c TEXT NOT NULL)").unwrap();
        for r in &rows {
            conn.execute("INSERT INTO t VALUES (?1, ?2, ?3, ?4)", rusqlite::params![r.id, r.a, r.b, r.c]).unwrap();
        }
        let mut expected = rows.clone();
        expected.sort_by(|x, y| compare(&spec, x, y));
        // The anchor is a row of the table, or the start (a plain offset).
        let (seek, start) = if expected.is_empty() || anchor.index(expected.len() + 1) == expected.len() {
            (Seek::First, 0)
        } else {
            let i = anchor.index(expected.len());
            (Seek::After(keys_of(&spec, &expected[i])), i + 1)
        };
        let from = (start + skip as usize).min(expected.len());
        let to = (from + size as usize).min(expected.len());
        let want: Vec<i64> = expected[from..to].iter().map(|r| r.id).collect();
        let dialects: [&dyn Dialect; 3] = [&Sqlite, &Postgres, &MySql];
        for dialect in dialects {
            let base = Select::sql("SELECT * FROM t");
            let (got, has_next, has_previous) = fetch(&conn, dialect, &base, &spec, seek.clone(), size, skip);
            let got: Vec<i64> = got.iter().map(|r| r.id).collect();
            prop_assert_eq!(&got, &want, "{} ordering {} skip {}", dialect.name(), spec, skip);
            prop_assert_eq!(has_next, to < expected.len(), "has_next, {}", dialect.name());
            prop_assert_eq!(has_previous, start + skip as usize > 0, "has_previous, {}", dialect.name());
        }
    }
}

/// The test can fail: a renderer that forgot the tiebreaker would repeat or skip rows.
#[test]
fn a_broken_ordering_is_caught() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b REAL, c TEXT NOT NULL);
         INSERT INTO t VALUES (1, 1, NULL, 'x'), (2, 1, NULL, 'x'), (3, 1, NULL, 'x'), (4, 2, NULL, 'x');",
    )
    .unwrap();
    // An ordering without a unique key (built by hand, bypassing SortSpec::new) cuts
    // pages between ties and loses rows: exactly what the property test guards against.
    let spec = SortSpec::by_unique("a", "a");
    let (forward, _) = walk(&conn, &Sqlite, &Select::sql("SELECT * FROM t"), &spec, 2, 4);
    assert_ne!(forward, [1, 2, 3, 4]);
}
