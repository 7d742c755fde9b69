//! The shop's HTTP API (SPEC §3.1–3.4): products, users and their orders, in every
//! pagination mode folio offers, with the OpenAPI document generated from this code.
//!
//! Every list goes through [`folio_sqlx::PageQuery`] around a base query written
//! here (the filters, and only the columns the response needs); no handler writes
//! OFFSET, LIMIT or COUNT itself. Bad input is a 400 `application/problem+json`
//! naming the parameter ([`folio_axum::Problem`]).

use axum::extract::FromRequestParts;
use axum::routing::get;
use axum::Router;
use folio::{Dialect, Fingerprint, SortSpec, Statement, Value};
use folio_sqlx::{Db, StatementCounter};
use http::request::Parts;

use crate::state::AppState;

pub mod export;
pub mod models;
pub mod openapi;
pub mod orders;
pub mod params;
pub mod products;
pub mod users;

/// The API routes (merged into the application by [`crate::server::router`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/products", get(products::list_products))
        .route("/api/products/export", get(export::export_products))
        .route("/api/products/{id}", get(products::get_product))
        .route("/api/users", get(users::list_users))
        .route("/api/users/{id}", get(users::get_user))
        .route("/api/users/{id}/orders", get(orders::list_orders))
        .route("/openapi.json", get(openapi::openapi_json))
}

/// The request's database handle: the state's pool, counting statements into the
/// request's [`StatementCounter`] when the budget middleware put one there.
#[derive(Debug, Clone)]
pub struct ShopDb(pub Db);

impl FromRequestParts<AppState> for ShopDb {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ShopDb(match parts.extensions.get::<StatementCounter>() {
            Some(counter) => state.db.counted(counter),
            None => state.db.clone(),
        }))
    }
}

/// A base query's SQL written for one dialect: placeholders numbered as the
/// dialect wants, binds kept in order.
#[derive(Debug)]
pub(crate) struct SqlBuilder {
    dialect: &'static dyn Dialect,
    sql: String,
    binds: Vec<Value>,
    conditions: usize,
}

impl SqlBuilder {
    /// Starts with `sql` (a `SELECT … FROM …` without `WHERE`).
    pub(crate) fn new(dialect: &'static dyn Dialect, sql: &str) -> Self {
        SqlBuilder {
            dialect,
            sql: sql.to_owned(),
            binds: Vec::new(),
            conditions: 0,
        }
    }

    /// Adds `AND <column> <op> <placeholder>` (the first one as `WHERE`).
    pub(crate) fn and(mut self, column: &str, op: &str, value: impl Into<Value>) -> Self {
        self.sql.push_str(if self.conditions == 0 {
            " WHERE "
        } else {
            " AND "
        });
        self.conditions += 1;
        self.sql.push_str(column);
        self.sql.push(' ');
        self.sql.push_str(op);
        self.sql.push(' ');
        self.binds.push(value.into());
        self.dialect.placeholder(self.binds.len(), &mut self.sql);
        self
    }

    /// Whether any condition was added.
    pub(crate) fn is_filtered(&self) -> bool {
        self.conditions > 0
    }

    /// The base query.
    pub(crate) fn base(self) -> folio::BaseQuery {
        self.binds
            .into_iter()
            .fold(folio::BaseQuery::new(self.sql), folio::BaseQuery::bind)
    }

    /// The statement as written (for a lookup outside pagination).
    pub(crate) fn statement(self) -> Statement {
        Statement {
            sql: self.sql,
            binds: self.binds,
        }
    }
}

/// `scheme://host` of an absolute URL (the request's base URL).
pub(crate) fn origin(base: &str) -> &str {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    }
}

/// The fingerprint cursors of a user's orders are bound to: the endpoint with the
/// user's id, the ordering and the status filter.
pub(crate) fn orders_fingerprint(
    user_id: i64,
    spec: &SortSpec,
    status: Option<&str>,
) -> Fingerprint {
    let builder = Fingerprint::builder(&format!("/api/users/{user_id}/orders")).ordering(spec);
    match status {
        Some(s) => builder.filter("status", s),
        None => builder,
    }
    .finish()
}

/// The pagination parameter names and the query-parameter name of a `cursor`
/// link for the server's envelope.
pub(crate) fn cursor_param(names: &folio::ParamNames) -> &str {
    names
        .cursor
        .as_deref()
        .or(names.after.as_deref())
        .unwrap_or("cursor")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_a_url() {
        assert_eq!(
            origin("http://a.example:8000/api/users"),
            "http://a.example:8000"
        );
        assert_eq!(origin("https://a.example"), "https://a.example");
    }

    #[test]
    fn builder_numbers_placeholders() {
        let b = SqlBuilder::new(&folio::Postgres, "SELECT * FROM t")
            .and("a", "=", 1)
            .and("b", ">=", 2);
        assert!(b.is_filtered());
        let base = b.base();
        assert_eq!(base.sql(), "SELECT * FROM t WHERE a = $1 AND b >= $2");
        let b = SqlBuilder::new(&folio::Sqlite, "SELECT * FROM t").and("a", "=", 1);
        assert_eq!(b.base().sql(), "SELECT * FROM t WHERE a = ?");
    }
}
