//! Prints the keyset SQL folio renders for each ordering shape, on SQLite and PostgreSQL.
//!
//! `cargo run -p folio --example render_shapes`

use folio::{Dialect, KeysetQuery, Nulls, Orderings, Postgres, Seek, Select, Sqlite, Value};

fn main() {
    let orderings = Orderings::new("id", "id")
        .field("price", "price_cents")
        .nullable_field("rating", "rating", Nulls::Last)
        .field("created_at", "created_at");
    let base = Select::sql("SELECT * FROM products");
    let cases: Vec<(&str, Seek)> = vec![
        ("price", Seek::After(vec![Value::Int(500), Value::Int(7)])),
        (
            "price,-created_at",
            Seek::After(vec![Value::Int(500), Value::from("2024"), Value::Int(7)]),
        ),
        ("rating", Seek::First),
        (
            "rating",
            Seek::After(vec![Value::Float(4.5), Value::Int(7)]),
        ),
        ("rating", Seek::After(vec![Value::Null, Value::Int(7)])),
        (
            "-rating",
            Seek::Before(vec![Value::Float(4.5), Value::Int(7)]),
        ),
        ("-rating", Seek::Last),
        (
            "price,rating",
            Seek::After(vec![Value::Int(500), Value::Null, Value::Int(7)]),
        ),
        (
            "price,rating",
            Seek::After(vec![Value::Int(500), Value::Float(2.0), Value::Int(7)]),
        ),
    ];
    let dialects: [&dyn Dialect; 2] = [&Sqlite, &Postgres];
    for (ordering, seek) in cases {
        let spec = orderings.parse(ordering).expect("valid ordering");
        for d in dialects {
            let st = KeysetQuery::new(&spec, seek.clone(), 10)
                .render(d, &base)
                .expect("renders");
            println!(
                "{ordering} {seek:?} [{}]\n  {}\n  binds {:?}\n",
                d.name(),
                st.statement.sql,
                st.statement.binds
            );
        }
    }
}
