//! The OpenAPI 3.1 document (`GET /openapi.json`), built from what serves the API:
//! each list's query parameters and page body come from its [`folio::Endpoint`]
//! ([`folio_axum::openapi`]), the items from the row types' own schemas. The
//! document describes the server as it runs: a server started with
//! `--envelope drf|jsonapi|relay` documents DRF, JSON:API or Relay bodies and
//! parameter names.

use axum::extract::State;
use axum::Json;
use folio_axum::openapi::{page_schema, parameters, problem_response};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::info::{InfoBuilder, LicenseBuilder};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterIn, PathItem, PathsBuilder,
};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AllOfBuilder, ComponentsBuilder, ObjectBuilder, Ref, Schema, Type};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{OpenApi, OpenApiBuilder, RefOr, Required};
use utoipa::PartialSchema;

use super::models::{ExpandedOrders, Order, Product, User, UserDetail};
use super::users::MAX_ORDERS_PER_USER;
use crate::backend::ShopBackend;
use crate::state::{Api, AppState};

/// A schema whose keys are all optional (a list item under a field set).
fn every_key_optional(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.required.clear();
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// A JSON response whose body is `schema`.
fn json(description: &str, schema: impl Into<RefOr<Schema>>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

/// A page response: the body in the endpoint's envelope, and the headers.
fn page(description: &str, endpoint: &folio::Endpoint, item: &str) -> Response {
    let header = |description: &str, t: Type| {
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(t)))
            .description(Some(description))
            .build()
    };
    ResponseBuilder::new()
        .description(description)
        .content(
            endpoint.envelope().content_type(),
            ContentBuilder::new()
                .schema(Some(page_schema(endpoint, Ref::from_schema_name(item))))
                .build(),
        )
        .header(
            "Link",
            header("RFC 8288 first/prev/next/last links", Type::String),
        )
        .header(
            "X-Total-Count",
            header("The total, when counted exactly", Type::Integer),
        )
        .header(
            "X-Statement-Count",
            header("SQL statements the request ran", Type::Integer),
        )
        .build()
}

/// The path parameter `id`: a positive integer.
fn id_param(what: &str) -> Parameter {
    let mut p = Parameter::new("id");
    p.parameter_in = ParameterIn::Path;
    p.required = Required::True;
    p.description = Some(format!("The {what} id"));
    p.schema = Some(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(i64::MAX))
            .into(),
    );
    p
}

/// An optional query parameter of the application's own.
fn own_param(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    let mut p = Parameter::new(name);
    p.parameter_in = ParameterIn::Query;
    p.required = Required::False;
    p.description = Some(description.to_owned());
    p.schema = Some(schema.into());
    p
}

/// The document of `api`.
pub fn document(api: &Api) -> OpenApi {
    let get =
        |tag: &str, summary: &str, params: Vec<Parameter>, responses: Vec<(&str, Response)>| {
            let mut op = OperationBuilder::new().tag(tag).summary(Some(summary));
            for p in params {
                op = op.parameter(p);
            }
            for (status, r) in responses {
                op = op.response(status, r);
            }
            PathItem::new(HttpMethod::Get, op.build())
        };
    let bad = || ("400", problem_response("A bad parameter"));
    let unavailable = || ("503", problem_response("The database is unavailable"));
    let not_found = |what: &str| ("404", problem_response(&format!("No such {what}")));

    // The export reads the list's filters, ordering and fields, not its pages.
    let list_only = [
        "page",
        "per_page",
        "page_size",
        "limit",
        "offset",
        "cursor",
        "count",
    ];
    let export_params: Vec<Parameter> = parameters(&api.products)
        .into_iter()
        .filter(|p| !list_only.contains(&p.name.as_str()) && !p.name.starts_with("page["))
        .collect();
    let mut user_params = parameters(&api.users);
    user_params.push(own_param(
        "expand",
        "`orders` embeds each user's first orders (one more statement per page).",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["orders"])),
    ));
    user_params.push(own_param(
        "orders_per_user",
        &format!(
            "Orders embedded per user with `expand=orders` (default 3, at most \
             {MAX_ORDERS_PER_USER}; larger values are clamped)."
        ),
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1)),
    ));
    let mut order_params = vec![id_param("user")];
    order_params.extend(parameters(&api.orders));

    let paths = PathsBuilder::new()
        .path(
            "/api/products",
            get(
                "products",
                "Lists products, in any pagination mode",
                parameters(&api.products),
                vec![
                    (
                        "200",
                        page("A page of products", &api.products, "ProductItem"),
                    ),
                    bad(),
                    unavailable(),
                ],
            ),
        )
        .path(
            "/api/products/{id}",
            get(
                "products",
                "One product, with its description",
                vec![id_param("product")],
                vec![
                    ("200", json("The product", Ref::from_schema_name("Product"))),
                    bad(),
                    not_found("product"),
                    unavailable(),
                ],
            ),
        )
        .path(
            "/api/products/export",
            get(
                "products",
                "Every matching product as NDJSON",
                export_params,
                vec![
                    (
                        "200",
                        ResponseBuilder::new()
                            .description(
                                "One product object per line (the list's keys and `fields`)",
                            )
                            .content(
                                super::export::NDJSON,
                                ContentBuilder::new()
                                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                                    .build(),
                            )
                            .build(),
                    ),
                    bad(),
                    unavailable(),
                ],
            ),
        )
        .path(
            "/api/users",
            get(
                "users",
                "Lists users; `expand=orders` embeds their first orders",
                user_params,
                vec![
                    ("200", page("A page of users", &api.users, "UserItem")),
                    bad(),
                    unavailable(),
                ],
            ),
        )
        .path(
            "/api/users/{id}",
            get(
                "users",
                "One user and the link to their orders",
                vec![id_param("user")],
                vec![
                    ("200", json("The user", Ref::from_schema_name("UserDetail"))),
                    bad(),
                    not_found("user"),
                    unavailable(),
                ],
            ),
        )
        .path(
            "/api/users/{id}/orders",
            get(
                "users",
                "A user's orders, in any pagination mode",
                order_params,
                vec![
                    (
                        "200",
                        page("A page of the user's orders", &api.orders, "Order"),
                    ),
                    bad(),
                    not_found("user"),
                    unavailable(),
                ],
            ),
        )
        .path(
            "/openapi.json",
            get(
                "meta",
                "This OpenAPI document",
                Vec::new(),
                vec![(
                    "200",
                    json("The OpenAPI 3.1 document", ObjectBuilder::new()),
                )],
            ),
        )
        .build();

    let user_item = AllOfBuilder::new()
        .item(Ref::from_schema_name("User"))
        .item(every_key_optional(ExpandedOrders::schema()))
        .description(Some(
            "A user; with `expand=orders` also `orders` and `orders_next`.",
        ));
    let mut components = ComponentsBuilder::new()
        .schema("Product", Product::schema())
        .schema("ProductItem", every_key_optional(Product::schema()))
        .schema("User", User::schema())
        .schema("UserItem", user_item)
        .schema("UserDetail", UserDetail::schema())
        .schema("Order", Order::schema());
    for (name, schema) in folio_axum::openapi::schemas() {
        components = components.schema(name, schema);
    }

    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("folio-shop")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(format!(
                    "The reference API of folio: products, users and their orders, paginated \
                     by page number, limit/offset or signed keyset cursors. Every response \
                     carries `X-Statement-Count` and `Server-Timing`. This server speaks the \
                     `{}` envelope.",
                    api.envelope
                )))
                .license(Some(
                    LicenseBuilder::new().name("MIT OR Apache-2.0").build(),
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .tags(Some([
            TagBuilder::new()
                .name("products")
                .description(Some("The product catalogue"))
                .build(),
            TagBuilder::new()
                .name("users")
                .description(Some("Users and their lazily loaded orders"))
                .build(),
            TagBuilder::new()
                .name("meta")
                .description(Some("This document"))
                .build(),
        ]))
        .build()
}

/// `GET /openapi.json`.
pub async fn openapi_json<B: ShopBackend>(State(app): State<AppState<B>>) -> Json<OpenApi> {
    Json(document(&app.api))
}
