//! `GET /api/users` (with `expand=orders`) and `GET /api/users/{id}`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use folio::{Cursor, Endpoint, Filter, Orderings, Select, Value};
use folio_axum::{Filters, ListRequest, Problem, RequestCounter};
use folio_sqlx::Db;
use serde::Deserialize;

use super::models::{ExpandedOrders, Order, User, UserDetail, UserItem};
use super::orders;
use super::params::path_id;
use crate::backend::ShopBackend;
use crate::state::{AppState, Settings};

/// Orders embedded per user by `expand=orders` when `orders_per_user` is absent.
pub const DEFAULT_ORDERS_PER_USER: u64 = 3;
/// The most orders embedded per user; larger `orders_per_user` values are clamped.
pub const MAX_ORDERS_PER_USER: u64 = 20;

/// The columns of a user.
const USER_COLUMNS: [&str; 4] = ["id", "name", "email", "created_at"];

/// The orderings a client may ask for on users.
pub fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("name", "name")
        .field("created_at", "created_at")
}

/// The user list.
pub fn endpoint(settings: &Settings) -> Endpoint {
    Endpoint::builder("users", settings.codec.clone())
        .envelope(settings.envelope)
        .orderings(orderings())
        .count(settings.count)
        .count_cap(settings.count_cap)
        .build()
}

/// Every user.
pub fn select() -> Select {
    Select::from("users").columns(USER_COLUMNS)
}

/// What `expand` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expand {
    /// Each user's first orders.
    Orders,
}

/// The user list's own parameters (besides pagination and ordering).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserListParams {
    /// `orders` embeds each user's first orders in one more statement.
    pub expand: Option<Expand>,
    /// Orders embedded per user (1–20, default 3; larger values are clamped).
    pub orders_per_user: Option<u64>,
}

/// Lists users, in any pagination mode; `expand=orders` embeds each user's first
/// orders in one more statement.
pub async fn list_users<B: ShopBackend>(
    State(app): State<AppState<B>>,
    list: ListRequest,
    Filters(params): Filters<UserListParams>,
) -> Result<Response, Problem> {
    let endpoint = &app.api.users;
    let listing = list.parse(endpoint)?;
    let per_user = match params.orders_per_user {
        Some(0) => {
            return Err(Problem::bad_request(
                "orders_per_user",
                format!(
                "must be an integer from 1 to {MAX_ORDERS_PER_USER} (larger values are clamped)"
            ),
            ))
        }
        Some(n) => n.min(MAX_ORDERS_PER_USER),
        None => DEFAULT_ORDERS_PER_USER,
    };
    let db = list.db(&app.db);
    let page = db.page::<User>(endpoint, &listing, select()).await?;
    let expand = params.expand == Some(Expand::Orders);
    if !expand {
        let page = page.map(|user| UserItem {
            user,
            expanded: None,
        });
        return Ok(list.respond(endpoint, page).into_response());
    }

    let orders = &app.api.orders;
    let order_spec = orders.orderings().default_spec();
    let parents: Vec<Value> = page.items.iter().map(|u| Value::Int(u.id)).collect();
    let children = if parents.is_empty() {
        Vec::new()
    } else {
        db.children::<Order>(
            &orders::select(),
            "user_id",
            &order_spec,
            &parents,
            per_user,
        )
        .await?
    };
    let names = &orders.policy().names;
    let (cursor_name, size_name) = (
        names
            .cursor
            .as_deref()
            .or(names.after.as_deref())
            .unwrap_or("cursor"),
        names.size.as_str(),
    );
    let origin = origin(&list.url().base);
    let mut children = children.into_iter();
    let page = page.map(|user| {
        let kids = children.next();
        let (items, next) = match kids {
            Some(c) => {
                let next = match (c.has_more, c.last_keys) {
                    (true, Some(keys)) => {
                        // The user's orders endpoint binds its cursors to its path
                        // and its select: the same here.
                        let path = orders::path(user.id);
                        let fp = orders.fingerprint(&path, &order_spec, &orders::of_user(user.id));
                        let token = orders.codec().encode(&Cursor::after(keys), &fp);
                        Some(format!(
                            "{origin}{path}?{cursor_name}={token}&{size_name}={per_user}"
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
    });
    Ok(list.respond(endpoint, page).into_response())
}

/// One user and the link to their orders (which are not loaded).
pub async fn get_user<B: ShopBackend>(
    State(app): State<AppState<B>>,
    counter: RequestCounter,
    url: folio_axum::RequestUrl,
    Path(id): Path<String>,
) -> Result<Json<UserDetail>, Problem> {
    let id = path_id(&id)?;
    let user = counter
        .db(&app.db)
        .find::<User>(&select().filter(Filter::eq("id", id)))
        .await?
        .ok_or_else(|| Problem::not_found(format!("no user with id {id}")))?;
    let orders_url = format!("{}{}", origin(&url.base), orders::path(id));
    Ok(Json(UserDetail { user, orders_url }))
}

/// Whether user `id` exists (one statement).
pub(crate) async fn exists<B: ShopBackend>(db: &Db<B>, id: i64) -> Result<bool, folio_sqlx::Error> {
    let found = db
        .find::<(i64,)>(
            &Select::from("users")
                .columns(["id"])
                .filter(Filter::eq("id", id)),
        )
        .await?;
    Ok(found.is_some())
}

/// `scheme://host` of an absolute URL (the request's base URL).
pub(crate) fn origin(base: &str) -> &str {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    }
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
}
