//! OpenAPI 3.1 parts derived from an [`Endpoint`] (the `openapi` feature, with
//! utoipa): its query parameters and its page body, so that a document says what
//! the endpoint reads and answers, from the one declaration that serves it.

use folio::{Endpoint, Envelope, FilterOp, Modes, ParamKind};
use utoipa::openapi::path::{Parameter, ParameterIn, ParameterStyle};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{
    ArrayBuilder, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Content, RefOr, Required};

use crate::PROBLEM_CONTENT_TYPE;

fn typed(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(t)
}

fn nullable(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type([t, Type::Null].into_iter().collect::<SchemaType>())
}

fn query(name: &str, description: String, schema: impl Into<RefOr<Schema>>) -> Parameter {
    let mut p = Parameter::new(name);
    p.parameter_in = ParameterIn::Query;
    p.required = Required::False;
    p.description = Some(description);
    p.schema = Some(schema.into());
    p
}

/// A comma-separated list (`a,b`): `style: form`, `explode: false`.
fn list(mut p: Parameter) -> Parameter {
    p.style = Some(ParameterStyle::Form);
    p.explode = Some(false);
    p
}

/// The query parameters `endpoint` reads: the pagination parameters of the modes it
/// offers (named by its envelope), `ordering`, `fields` (when it declares field
/// sets), `count` and every declared filter.
///
/// ```
/// let e = folio::Endpoint::builder("t", folio::CursorCodec::new(b"k")).modes(folio::Modes::CURSOR).build();
/// let names: Vec<String> = folio_axum::openapi::parameters(&e).into_iter().map(|p| p.name).collect();
/// assert_eq!(names, ["per_page", "cursor", "ordering", "count"]);
/// ```
pub fn parameters(endpoint: &Endpoint) -> Vec<Parameter> {
    let policy = endpoint.policy();
    let names = &policy.names;
    let modes = policy.modes;
    let max = policy.max_size.max(1);
    let mut out = Vec::new();
    if modes.contains(Modes::PAGE) {
        out.push(query(
            &names.page,
            "Page number, 1-based, or `last` (page-number mode).".to_owned(),
            typed(Type::String).pattern(Some("^(0*[1-9][0-9]{0,14}|last)$")),
        ));
    }
    if modes.intersects(Modes::PAGE | Modes::CURSOR) {
        out.push(query(
            &names.size,
            format!(
                "Page size (default {}, at most {max}; larger values are clamped).",
                policy.default_size.clamp(1, max)
            ),
            typed(Type::Integer).minimum(Some(1)),
        ));
    }
    if modes.contains(Modes::OFFSET) {
        out.push(query(
            &names.limit,
            format!("Page size in limit/offset mode (at most {max}; larger values are clamped)."),
            typed(Type::Integer).minimum(Some(1)),
        ));
        out.push(query(
            &names.offset,
            "Rows skipped (limit/offset mode).".to_owned(),
            typed(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(i64::MAX)),
        ));
    }
    if modes.contains(Modes::CURSOR) {
        let token = || typed(Type::String).max_length(Some(folio::PageRequest::MAX_CURSOR_BYTES));
        if let Some(cursor) = &names.cursor {
            out.push(query(
                cursor,
                "A cursor from a previous response (cursor mode); empty for the first page, \
                 `last` for the last."
                    .to_owned(),
                token(),
            ));
        }
        for (name, what) in [(&names.after, "after"), (&names.before, "before")] {
            if let Some(name) = name {
                out.push(query(
                    name,
                    format!("The page {what} this cursor (cursor mode)."),
                    token(),
                ));
            }
        }
    }
    let orderings = endpoint.orderings();
    let allowed: Vec<&str> = orderings.names().collect();
    let directed: Vec<String> = allowed
        .iter()
        .flat_map(|name| [(*name).to_owned(), format!("-{name}")])
        .collect();
    out.push(list(query(
        orderings.param_name(),
        format!(
            "Comma-separated orderings from {}, each with `-` for descending and each field \
             at most once; the unique key is appended as the tiebreaker. Absent or empty: `{}`.",
            allowed.join(", "),
            orderings.default_spec()
        ),
        ArrayBuilder::new()
            .items(typed(Type::String).enum_values(Some(directed)))
            .unique_items(true),
    )));
    if let Some(fields) = endpoint.fields() {
        let names: Vec<&str> = fields.allowed().collect();
        out.push(list(query(
            fields.param_name(),
            format!(
                "The item keys to return, comma-separated, from {} (absent or empty: {}); \
                 a key named twice is returned once.",
                names.join(", "),
                fields.defaults.join(", ")
            ),
            ArrayBuilder::new().items(typed(Type::String).enum_values(Some(names))),
        )));
    }
    let counts: Vec<&str> = endpoint.client_counts().iter().map(|c| c.name()).collect();
    if !counts.is_empty() {
        out.push(query(
            "count",
            format!(
                "How the total is obtained (default `{}`; `capped` counts up to {}).",
                endpoint.count(),
                endpoint.count_cap()
            ),
            typed(Type::String).enum_values(Some(counts)),
        ));
    }
    for filter in endpoint.filters() {
        let value = match filter.kind() {
            ParamKind::Int { min, max } => {
                typed(Type::Integer).minimum(Some(*min)).maximum(Some(*max))
            }
            ParamKind::Float => typed(Type::Number),
            ParamKind::Bool => typed(Type::Boolean),
            ParamKind::OneOf(values) => typed(Type::String).enum_values(Some(values.clone())),
            _ => typed(Type::String),
        };
        let description = filter.description().map_or_else(
            || format!("Filters `{}`.", filter.column_name()),
            str::to_owned,
        );
        out.push(match filter.op() {
            FilterOp::In => list(query(
                filter.name(),
                description,
                ArrayBuilder::new().items(value).min_items(Some(1)),
            )),
            FilterOp::IsNull => query(filter.name(), description, typed(Type::Boolean)),
            _ => query(filter.name(), description, value),
        });
    }
    out
}

/// A link of a body: an absolute URL, or null.
fn link() -> ObjectBuilder {
    nullable(Type::String).format(Some(SchemaFormat::Custom("uri".to_owned())))
}

/// The schema of `folio::TotalRelation` (a reference to the `TotalRelation`
/// component: see [`schemas`]), nullable.
fn total_relation() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(Ref::from_schema_name("TotalRelation"))
        .item(typed(Type::Null))
        .into()
}

/// The body of a page of `endpoint`, whose items are `item`, in the endpoint's
/// envelope: the keys every page has are required, those of one mode are not.
///
/// ```
/// use utoipa::openapi::schema::Ref;
/// let e = folio::Endpoint::builder("products", folio::CursorCodec::new(b"k")).build();
/// let schema = folio_axum::openapi::page_schema(&e, Ref::from_schema_name("Product"));
/// let json = serde_json::to_value(&schema).unwrap();
/// assert_eq!(json["required"], serde_json::json!(["products", "total", "total_relation", "next", "previous"]));
/// ```
pub fn page_schema(endpoint: &Endpoint, item: impl Into<RefOr<Schema>>) -> Schema {
    let item: RefOr<Schema> = item.into();
    let items = || ArrayBuilder::new().items(item.clone());
    let object = match endpoint.envelope() {
        Envelope::Drf => ObjectBuilder::new()
            .property("count", nullable(Type::Integer).minimum(Some(0)))
            .property("next", link())
            .property("previous", link())
            .property("results", items())
            .required("next")
            .required("previous")
            .required("results"),
        Envelope::JsonApi => ObjectBuilder::new()
            .property(
                "data",
                ArrayBuilder::new().items(
                    ObjectBuilder::new()
                        .property("type", typed(Type::String))
                        .property("id", typed(Type::String))
                        .property("attributes", item.clone())
                        .required("type")
                        .required("id")
                        .required("attributes"),
                ),
            )
            .property(
                "links",
                ObjectBuilder::new()
                    .property("first", typed(Type::String))
                    .property("prev", typed(Type::String))
                    .property("next", typed(Type::String))
                    .property("last", typed(Type::String)),
            )
            .property(
                "meta",
                ObjectBuilder::new()
                    .property("total", typed(Type::Integer).minimum(Some(0)))
                    .property("total_relation", Ref::from_schema_name("TotalRelation"))
                    .property("pages", typed(Type::Integer).minimum(Some(0))),
            )
            .required("data")
            .required("links")
            .required("meta"),
        Envelope::Relay => ObjectBuilder::new()
            .property(
                "edges",
                ArrayBuilder::new().items(
                    ObjectBuilder::new()
                        .property("cursor", nullable(Type::String))
                        .property("node", item.clone())
                        .required("cursor")
                        .required("node"),
                ),
            )
            .property(
                "pageInfo",
                ObjectBuilder::new()
                    .property("hasPreviousPage", typed(Type::Boolean))
                    .property("hasNextPage", typed(Type::Boolean))
                    .property("startCursor", nullable(Type::String))
                    .property("endCursor", nullable(Type::String))
                    .required("hasPreviousPage")
                    .required("hasNextPage")
                    .required("startCursor")
                    .required("endCursor"),
            )
            .property("totalCount", nullable(Type::Integer).minimum(Some(0)))
            .required("edges")
            .required("pageInfo")
            .required("totalCount"),
        // The seed envelope (and any envelope folio adds later, until described).
        _ => {
            let resource = endpoint.resource();
            ObjectBuilder::new()
                .property(resource.name(), items())
                .property(resource.total(), nullable(Type::Integer).minimum(Some(0)))
                .property("total_relation", total_relation())
                .property("pages", nullable(Type::Integer).minimum(Some(0)))
                .property("current_page", typed(Type::Integer).minimum(Some(1)))
                .property("per_page", typed(Type::Integer).minimum(Some(1)))
                .property("offset", typed(Type::Integer).minimum(Some(0)))
                .property("limit", typed(Type::Integer).minimum(Some(1)))
                .property("next", link())
                .property("previous", link())
                .required(resource.name())
                .required(resource.total())
                .required("total_relation")
                .required("next")
                .required("previous")
        }
    };
    object
        .description(Some(format!(
            "A page of {} in the `{}` envelope.",
            endpoint.resource().name(),
            endpoint.envelope()
        )))
        .build()
        .into()
}

/// The components the parts above refer to: `Problem`, `InvalidParam` and
/// `TotalRelation`, derived from the types themselves.
///
/// ```
/// let names: Vec<String> = folio_axum::openapi::schemas().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["Problem", "InvalidParam", "TotalRelation"]);
/// ```
pub fn schemas() -> Vec<(String, RefOr<Schema>)> {
    use utoipa::PartialSchema as _;
    vec![
        ("Problem".to_owned(), crate::Problem::schema()),
        ("InvalidParam".to_owned(), crate::InvalidParam::schema()),
        ("TotalRelation".to_owned(), folio::TotalRelation::schema()),
    ]
}

/// A response with a problem document (`application/problem+json`).
///
/// ```
/// let r = folio_axum::openapi::problem_response("Bad parameter");
/// assert!(r.content.contains_key("application/problem+json"));
/// ```
pub fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}
