//! `GET /api/users` (with `expand=orders`) and `GET /api/users/{id}`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use folio::{Cursor, Orderings, Policy, Value};
use folio_axum::{Problem, RequestUrl};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::models::{ExpandedOrders, Order, User, UserDetail, UserItem};
use super::params::{count_strategy, path_id, QueryParams};
use super::{cursor_param, orders, orders_fingerprint, origin, ShopDb, SqlBuilder};
use crate::state::AppState;

/// Orders embedded per user by `expand=orders` when `orders_per_user` is absent.
pub const DEFAULT_ORDERS_PER_USER: i64 = 3;
/// The most orders embedded per user; larger `orders_per_user` values are clamped.
pub const MAX_ORDERS_PER_USER: i64 = 20;
/// The values `expand` accepts.
pub const EXPAND_VALUES: &[&str] = &["orders"];

const USER_COLUMNS: &str = "id, name, email, created_at";

/// Characters escaped in a query-string value (everything but RFC 3986 unreserved).
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The orderings a client may ask for on users.
pub fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("name", "name")
        .field("created_at", "created_at")
}

/// Lists users, in any pagination mode; `expand=orders` embeds each user's first
/// orders in one more statement.
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "users",
    params(super::openapi::PageParams, super::openapi::UserListParams),
    responses(
        (status = 200, description = "A page of users (seed envelope shown)", body = super::openapi::UserPage),
        (status = 400, description = "Bad parameter", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    ShopDb(db): ShopDb,
    url: RequestUrl,
) -> Result<Response, Problem> {
    let params = QueryParams::parse(&url.query);
    let names = state.envelope.names();
    let request = folio_axum::page_request(&url.query, &Policy::new().names(names.clone()))?;
    let spec = orderings().parse(params.get("ordering")?.unwrap_or(""))?;
    let count = count_strategy(&params, state.count, state.count_cap)?;
    let expand = params.one_of("expand", EXPAND_VALUES)?.is_some();
    let per_user = params
        .int("orders_per_user", 1, i64::MAX)?
        .unwrap_or(DEFAULT_ORDERS_PER_USER)
        .min(MAX_ORDERS_PER_USER);

    let base = SqlBuilder::new(db.dialect(), &format!("SELECT {USER_COLUMNS} FROM users")).base();
    let fingerprint = folio::Fingerprint::builder("/api/users")
        .ordering(&spec)
        .finish();
    let page = state
        .page_query(&base, &spec, &request, count)
        .cursors(&state.codec, &fingerprint)
        .table("users")
        .fetch::<User>(&db)
        .await?;

    let page = if expand && !page.items.is_empty() {
        let order_spec = orders::orderings().default_spec();
        let child_base = SqlBuilder::new(db.dialect(), orders::ORDER_SELECT).base();
        let parents: Vec<Value> = page.items.iter().map(|u| Value::Int(u.id)).collect();
        let children = folio_sqlx::load_children::<Order>(
            &db,
            &child_base,
            "user_id",
            &order_spec,
            &parents,
            per_user as u64,
        )
        .await?;
        let origin = origin(&url.base).to_owned();
        let cursor_name = cursor_param(&names).to_owned();
        let mut children = children.into_iter();
        page.map(|user| {
            let kids = children.next();
            let (items, next) = match kids {
                Some(c) => {
                    let next = match (c.has_more, c.last_keys) {
                        (true, Some(keys)) => {
                            let fp = orders_fingerprint(user.id, &order_spec, None);
                            let token = state.codec.encode(&Cursor::after(keys), &fp);
                            Some(format!(
                                "{origin}/api/users/{}/orders?{cursor_name}={}&{}={per_user}",
                                user.id,
                                utf8_percent_encode(&token, VALUE),
                                names.size,
                            ))
                        }
                        _ => None,
                    };
                    (c.items, next)
                }
                None => (Vec::new(), None),
            };
            UserItem {
                user,
                expanded: Some(ExpandedOrders {
                    orders: items,
                    orders_next: next,
                }),
            }
        })
    } else {
        page.map(|user| UserItem {
            user,
            expanded: expand.then(|| ExpandedOrders {
                orders: Vec::new(),
                orders_next: None,
            }),
        })
    };
    let envelope = state.envelope.envelope("users", "total", "users");
    Ok(folio_axum::PageResponse::new(page, envelope, url, names).into_response())
}

/// One user and the link to their orders (which are not loaded).
#[utoipa::path(
    get,
    path = "/api/users/{id}",
    tag = "users",
    params(("id" = i64, Path, description = "The user id", minimum = 1)),
    responses(
        (status = 200, description = "The user and `orders_url`", body = UserDetail),
        (status = 400, description = "The id is not a positive integer", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn get_user(
    ShopDb(db): ShopDb,
    url: RequestUrl,
    Path(id): Path<String>,
) -> Result<Json<UserDetail>, Problem> {
    let id = path_id(&id)?;
    let st = SqlBuilder::new(db.dialect(), &format!("SELECT {USER_COLUMNS} FROM users"))
        .and("id", "=", id)
        .statement();
    let user = db
        .fetch_optional::<User>(&st)
        .await?
        .ok_or_else(|| Problem::not_found(format!("no user with id {id}")))?;
    let orders_url = format!("{}/api/users/{id}/orders", origin(&url.base));
    Ok(Json(UserDetail { user, orders_url }))
}
