//! The SQL folio renders for engines beyond one PostgreSQL or MySQL server,
//! asserted as text (docs/scaling.md quotes it): CockroachDB's NULL placement,
//! YugabyteDB's expanded seek, their table estimates, and what an OFFSET page
//! and a keyset page ask of a sharded database (Citus speaks PostgreSQL's SQL,
//! Vitess MySQL's). None of these engines is run here.

use folio::{
    CockroachDb, Dialect, EstimateQuery, KeysetQuery, MySql, Nulls, OffsetQuery, Orderings,
    Postgres, Seek, Select, SortSpec, Value, YugabyteDb,
};

fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("price", "price_cents")
        .nullable_field("rating", "rating", Nulls::Last)
}

fn spec(raw: &str) -> SortSpec {
    orderings().parse(raw).unwrap()
}

fn products() -> Select {
    Select::from("products").columns(["id", "name", "price_cents", "rating"])
}

fn keyset(dialect: &dyn Dialect, raw: &str, seek: Seek) -> String {
    KeysetQuery::new(&spec(raw), seek, 20)
        .render(dialect, &products())
        .unwrap()
        .statement
        .sql
}

fn offset(dialect: &dyn Dialect, raw: &str, skip: u64) -> String {
    OffsetQuery::new(&spec(raw), skip, 20)
        .render(dialect, &products())
        .unwrap()
        .sql
}

fn after(price: i64, id: i64) -> Seek {
    Seek::After(vec![Value::Int(price), Value::Int(id)])
}

const BASE_PG: &str =
    r#"SELECT * FROM (SELECT "id", "name", "price_cents", "rating" FROM "products") AS q"#;

#[test]
fn cockroachdb_keyset_pages_are_postgresql_s_and_name_no_null_placement() {
    // A nullable key is read in two arms (values, then NULLs), each ordered
    // without a NULLS clause: nothing for CockroachDB's NULL order to disagree with.
    for raw in ["rating", "-rating", "price", "-price"] {
        for seek in [
            Seek::First,
            Seek::After(vec![Value::Float(4.5), Value::Int(42)]),
        ] {
            let seek = match (raw.contains("price"), seek) {
                (true, Seek::After(_)) => after(1999, 42),
                (_, seek) => seek,
            };
            let crdb = keyset(&CockroachDb, raw, seek.clone());
            assert_eq!(crdb, keyset(&Postgres, raw, seek), "{raw}");
            assert!(!crdb.contains("NULLS"), "{crdb}");
        }
    }
    assert_eq!(
        keyset(
            &CockroachDb,
            "rating",
            Seek::After(vec![Value::Float(4.5), Value::Int(42)])
        ),
        format!(
            "SELECT * FROM ({BASE_PG} WHERE (q.\"rating\", q.\"id\") > ($1, $2) \
             ORDER BY q.\"rating\" ASC, q.\"id\" ASC LIMIT 21) AS s0 UNION ALL \
             SELECT * FROM ({BASE_PG} WHERE q.\"rating\" IS NULL \
             ORDER BY q.\"rating\" ASC, q.\"id\" ASC LIMIT 21) AS s1"
        )
    );
}

#[test]
fn cockroachdb_offset_pages_write_only_a_placement_it_accepts() {
    // PostgreSQL: the placement written out both ways.
    assert_eq!(
        offset(&Postgres, "rating", 40),
        format!("{BASE_PG} ORDER BY q.\"rating\" ASC NULLS LAST, q.\"id\" ASC LIMIT 21 OFFSET 40")
    );
    // CockroachDB: ascending with NULLs last is not its own order: an IS NULL term.
    assert_eq!(
        offset(&CockroachDb, "rating", 40),
        format!(
            "{BASE_PG} ORDER BY q.\"rating\" IS NULL ASC, q.\"rating\" ASC, q.\"id\" ASC LIMIT 21 OFFSET 40"
        )
    );
    // Descending with NULLs last is its own: left implicit.
    assert_eq!(
        offset(&Postgres, "-rating", 40),
        format!(
            "{BASE_PG} ORDER BY q.\"rating\" DESC NULLS LAST, q.\"id\" DESC LIMIT 21 OFFSET 40"
        )
    );
    assert_eq!(
        offset(&CockroachDb, "-rating", 40),
        format!("{BASE_PG} ORDER BY q.\"rating\" DESC, q.\"id\" DESC LIMIT 21 OFFSET 40")
    );
    // A key that is not nullable is PostgreSQL's text.
    assert_eq!(
        offset(&CockroachDb, "price", 40),
        offset(&Postgres, "price", 40)
    );
}

#[test]
fn yugabytedb_seeks_in_the_expanded_form() {
    assert_eq!(
        keyset(&Postgres, "price", after(1999, 42)),
        format!(
            "{BASE_PG} WHERE (q.\"price_cents\", q.\"id\") > ($1, $2) \
             ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 21"
        )
    );
    assert_eq!(
        keyset(&YugabyteDb, "price", after(1999, 42)),
        format!(
            "{BASE_PG} WHERE q.\"price_cents\" >= $1 AND (q.\"price_cents\" > $2 OR \
             (q.\"price_cents\" = $3 AND (q.\"id\" > $4))) \
             ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 21"
        )
    );
    // The first page and the NULL order are PostgreSQL's.
    assert_eq!(
        keyset(&YugabyteDb, "-rating", Seek::First),
        keyset(&Postgres, "-rating", Seek::First)
    );
    assert_eq!(
        offset(&YugabyteDb, "rating", 40),
        offset(&Postgres, "rating", 40)
    );
}

#[test]
fn estimates_read_each_engine_s_statistics() {
    let table = |dialect: &dyn Dialect| {
        EstimateQuery::table(1_000)
            .render(dialect, &Select::from("products"))
            .unwrap()
            .unwrap()
            .statement
    };
    let crdb = table(&CockroachDb);
    assert_eq!(
        crdb.sql,
        "SELECT CASE WHEN e.n IS NULL OR e.n < 1000 THEN (SELECT COUNT(*) FROM \
         (SELECT * FROM \"products\") AS q) ELSE e.n END AS n, CASE WHEN e.n IS NULL OR \
         e.n < 1000 THEN 1 ELSE 0 END AS exact FROM (SELECT (SELECT \
         MAX(s.estimated_row_count) FROM crdb_internal.table_row_statistics s WHERE \
         s.table_name = $1)::INT8 AS n) AS e"
    );
    assert_eq!(crdb.binds, [Value::from("products")]);
    let yb = table(&YugabyteDb);
    assert!(
        yb.sql.contains(
            "(SELECT CASE WHEN c.reltuples <= 0 THEN NULL ELSE c.reltuples END FROM pg_class c \
             WHERE c.oid = to_regclass($1))::bigint AS n"
        ),
        "{}",
        yb.sql
    );
    // A filtered estimate: YugabyteDB's planner answers in JSON as PostgreSQL's
    // does; CockroachDB has no such plan (folio counts, capped, instead).
    let filtered = products().filter(folio::Filter::eq("category", "Books"));
    let planner = |dialect: &dyn Dialect| {
        EstimateQuery::planner()
            .render(dialect, &filtered)
            .unwrap()
            .map(|st| st.statement.sql)
    };
    assert_eq!(planner(&YugabyteDb), planner(&Postgres));
    assert_eq!(planner(&CockroachDb), None);
}

#[test]
fn a_deep_offset_page_asks_every_shard_for_every_row_before_it() {
    // Citus (PostgreSQL's SQL) and Vitess (MySQL's): a page 500 rows deep is a
    // LIMIT of 521 rows on each shard before the coordinator can drop 500 of them;
    // the keyset page after the same row asks each shard for 21.
    assert_eq!(
        offset(&Postgres, "price", 500),
        format!("{BASE_PG} ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 21 OFFSET 500")
    );
    assert_eq!(
        offset(&MySql, "price", 500),
        "SELECT * FROM (SELECT `id`, `name`, `price_cents`, `rating` FROM `products`) AS q \
         ORDER BY q.`price_cents` ASC, q.`id` ASC LIMIT 21 OFFSET 500"
    );
    assert_eq!(
        keyset(&MySql, "price", after(1999, 42)),
        "SELECT * FROM (SELECT `id`, `name`, `price_cents`, `rating` FROM `products`) AS q \
         WHERE q.`price_cents` >= ? AND (q.`price_cents` > ? OR (q.`price_cents` = ? AND \
         (q.`id` > ?))) ORDER BY q.`price_cents` ASC, q.`id` ASC LIMIT 21"
    );
}
