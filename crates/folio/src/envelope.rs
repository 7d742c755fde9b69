//! Response bodies in the shapes clients know: seed (the Flask article's keys plus
//! links), Django REST Framework, JSON:API and Relay connections.
//!
//! [`Envelope::to_vec`] writes the body straight to bytes through borrowing views of
//! the page (no intermediate `serde_json::Value`, except per item for JSON:API, whose
//! resource objects are rebuilt from each item). Keys come in the order documented
//! on each variant; `docs/envelopes.md` shows a body per mode.

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::{Page, PageLinks, ParamNames, TotalRelation, Window};

/// The JSON shape a page is rendered in. The names of a collection's items (and of
/// its total) come from its [`Resource`].
///
/// One vocabulary: the variants' names (`seed`, `drf`, `jsonapi`, `relay`) are what
/// serde reads and writes, and what a command line (clap, the `clap` feature) and an
/// OpenAPI document (utoipa, the `utoipa` feature) offer.
///
/// ```
/// use folio::{Envelope, Page, PageLinks, Resource, Total, Window};
/// let page = Page {
///     items: vec![serde_json::json!({"id": 1})], has_next: false, has_previous: false,
///     total: Some(Total::exact(1)), window: Window::Page { number: 1, size: 10 },
///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
/// };
/// let body = Envelope::Drf.to_vec(&Resource::new("products"), &page, &PageLinks::default()).unwrap();
/// assert_eq!(body, br#"{"count":1,"next":null,"previous":null,"results":[{"id":1}]}"#);
/// assert_eq!(serde_json::to_string(&Envelope::JsonApi).unwrap(), r#""jsonapi""#);
/// assert_eq!("relay".parse::<Envelope>().unwrap(), Envelope::Relay);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub enum Envelope {
    /// The Flask article's keys plus links.
    ///
    /// - page number: `{"<items>": [...], "<total>", "total_relation", "pages",
    ///   "current_page", "per_page", "next", "previous"}`;
    /// - limit/offset: `{"<items>", "<total>", "total_relation", "pages", "offset",
    ///   "limit", "next", "previous"}`;
    /// - cursor: `{"<items>", "<total>", "total_relation", "per_page", "next",
    ///   "previous"}`.
    ///
    /// `<items>` is the resource's name (`products`), `<total>` its total key
    /// (`total`; `total_orders` on the article's orders). Unknown totals (and so
    /// `total_relation` and `pages`) are `null`; absent links are `null`. `first` and
    /// `last` are in the `Link` header, not the body.
    #[default]
    Seed,
    /// Django REST Framework's bodies, exactly: `{"count", "next", "previous",
    /// "results"}` (PageNumberPagination, LimitOffsetPagination; `count` is `null`
    /// without a total), and `{"next", "previous", "results"}` in cursor mode
    /// (CursorPagination).
    Drf,
    /// JSON:API: `{"data": [{"type", "id", "attributes"}], "links": {"first", "prev",
    /// "next", "last"}, "meta": {"total", "total_relation", "pages"}}`, absent links
    /// and unknown meta members omitted (`pages` in page-number mode only). The `type`
    /// is the resource's name.
    ///
    /// Each item must serialize to a JSON object with an `"id"` (a string or a number,
    /// rendered as a string) and without a `"type"` (reserved by JSON:API); its other
    /// keys, in their order, are the attributes.
    #[serde(rename = "jsonapi")]
    #[cfg_attr(feature = "clap", value(name = "jsonapi"))]
    JsonApi,
    /// Relay connections: `{"edges": [{"cursor", "node"}], "pageInfo":
    /// {"hasPreviousPage", "hasNextPage", "startCursor", "endCursor"}, "totalCount"}`.
    ///
    /// Edge cursors come from [`Page::item_cursors`] (`null` outside cursor mode);
    /// `startCursor` and `endCursor` are the first and last edges' cursors.
    Relay,
}

/// The names of a collection in a body: the resource's name (the seed envelope's
/// items key, JSON:API's `type`) and the seed envelope's total key.
///
/// ```
/// let r = folio::Resource::new("orders").total_key("total_orders");
/// assert_eq!((r.name(), r.total()), ("orders", "total_orders"));
/// assert_eq!(folio::Resource::new("products").total(), "total");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resource {
    name: String,
    total_key: String,
}

impl Resource {
    /// A resource named `name`, its total under `total`.
    ///
    /// ```
    /// assert_eq!(folio::Resource::new("users").name(), "users");
    /// ```
    pub fn new(name: &str) -> Self {
        Resource {
            name: name.to_owned(),
            total_key: "total".to_owned(),
        }
    }

    /// Names the seed envelope's total key (default `total`).
    ///
    /// ```
    /// assert_eq!(folio::Resource::new("o").total_key("n").total(), "n");
    /// ```
    pub fn total_key(mut self, key: &str) -> Self {
        key.clone_into(&mut self.total_key);
        self
    }

    /// The resource's name.
    ///
    /// ```
    /// assert_eq!(folio::Resource::new("articles").name(), "articles");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The seed envelope's total key.
    ///
    /// ```
    /// assert_eq!(folio::Resource::new("articles").total(), "total");
    /// ```
    pub fn total(&self) -> &str {
        &self.total_key
    }
}

impl Envelope {
    /// Every envelope, in the order the docs list them.
    ///
    /// ```
    /// assert_eq!(folio::Envelope::ALL.len(), 4);
    /// ```
    pub const ALL: [Envelope; 4] = [
        Envelope::Seed,
        Envelope::Drf,
        Envelope::JsonApi,
        Envelope::Relay,
    ];

    /// The envelope's name (`seed`, `drf`, `jsonapi`, `relay`).
    ///
    /// ```
    /// assert_eq!(folio::Envelope::JsonApi.name(), "jsonapi");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Envelope::Seed => "seed",
            Envelope::Drf => "drf",
            Envelope::JsonApi => "jsonapi",
            Envelope::Relay => "relay",
        }
    }

    /// The media type of the body: `application/vnd.api+json` for JSON:API,
    /// `application/json` otherwise.
    ///
    /// ```
    /// assert_eq!(folio::Envelope::JsonApi.content_type(), "application/vnd.api+json");
    /// assert_eq!(folio::Envelope::Drf.content_type(), "application/json");
    /// ```
    pub fn content_type(self) -> &'static str {
        match self {
            Envelope::JsonApi => "application/vnd.api+json",
            _ => "application/json",
        }
    }

    /// The query-parameter names clients of this envelope use: DRF's for
    /// [`Envelope::Drf`], JSON:API's for [`Envelope::JsonApi`], the seed names otherwise.
    ///
    /// ```
    /// assert_eq!(folio::Envelope::Drf.param_names().size, "page_size");
    /// assert_eq!(folio::Envelope::Relay.param_names(), folio::ParamNames::seed());
    /// ```
    pub fn param_names(self) -> ParamNames {
        match self {
            Envelope::Drf => ParamNames::drf(),
            Envelope::JsonApi => ParamNames::jsonapi(),
            Envelope::Seed | Envelope::Relay => ParamNames::seed(),
        }
    }

    /// Whether bodies in this envelope carry a cursor per item (Relay's edges): a
    /// page signs one token per item only then.
    ///
    /// ```
    /// assert!(folio::Envelope::Relay.item_cursors());
    /// assert!(!folio::Envelope::Seed.item_cursors());
    /// ```
    pub fn item_cursors(self) -> bool {
        self == Envelope::Relay
    }

    /// The body of `page` with `links`, as compact JSON bytes.
    ///
    /// Fails only when an item fails to serialize, or (JSON:API) is not an object with
    /// an `id`.
    ///
    /// ```
    /// use folio::{Envelope, Page, PageLinks, Resource, Window};
    /// let page = Page {
    ///     items: vec!["a", "b"], has_next: true, has_previous: false, total: None,
    ///     window: Window::Cursor { size: 2 },
    ///     next_cursor: Some("t1".into()), previous_cursor: None, item_cursors: vec![],
    /// };
    /// let links = PageLinks { next: Some("http://x/?cursor=t1".into()), ..Default::default() };
    /// let body = Envelope::Seed.to_vec(&Resource::new("letters"), &page, &links).unwrap();
    /// assert_eq!(
    ///     String::from_utf8(body).unwrap(),
    ///     r#"{"letters":["a","b"],"total":null,"total_relation":null,"per_page":2,"next":"http://x/?cursor=t1","previous":null}"#
    /// );
    /// ```
    pub fn to_vec<T: Serialize>(
        self,
        resource: &Resource,
        page: &Page<T>,
        links: &PageLinks,
    ) -> serde_json::Result<Vec<u8>> {
        let view = self.view(resource, page, links)?;
        let mut out = Vec::with_capacity(160 + 96 * page.items.len());
        serde_json::to_writer(&mut out, &view)?;
        Ok(out)
    }

    /// The body as a `serde_json::Value` (for tests and for callers that edit it).
    ///
    /// ```
    /// use folio::{Envelope, Page, PageLinks, Resource, Window};
    /// let page = Page {
    ///     items: vec![1, 2], has_next: false, has_previous: false, total: None,
    ///     window: Window::Offset { offset: 0, limit: 2 },
    ///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
    /// };
    /// let v = Envelope::Drf.to_value(&Resource::new("n"), &page, &PageLinks::default()).unwrap();
    /// assert_eq!(v, serde_json::json!({"count": null, "next": null, "previous": null, "results": [1, 2]}));
    /// ```
    pub fn to_value<T: Serialize>(
        self,
        resource: &Resource,
        page: &Page<T>,
        links: &PageLinks,
    ) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self.view(resource, page, links)?)
    }

    fn view<'a, T: Serialize>(
        self,
        resource: &'a Resource,
        page: &'a Page<T>,
        links: &'a PageLinks,
    ) -> serde_json::Result<View<'a, T>> {
        Ok(match self {
            Envelope::Seed => View::Seed {
                items_key: &resource.name,
                total_key: &resource.total_key,
                page,
                links,
            },
            Envelope::Drf => View::Drf { page, links },
            Envelope::JsonApi => View::JsonApi(JsonApiDoc::new(&resource.name, page, links)?),
            Envelope::Relay => View::Relay(page),
        })
    }
}

impl std::str::FromStr for Envelope {
    type Err = crate::Error;

    /// Reads an envelope's name (`seed`, `drf`, `jsonapi`, `relay`).
    fn from_str(s: &str) -> crate::Result<Envelope> {
        Envelope::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "envelope",
                    "unknown envelope; one of: seed, drf, jsonapi, relay",
                )
            })
    }
}

impl std::fmt::Display for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A borrowed view of a page in one envelope.
enum View<'a, T> {
    Seed {
        items_key: &'a str,
        total_key: &'a str,
        page: &'a Page<T>,
        links: &'a PageLinks,
    },
    Drf {
        page: &'a Page<T>,
        links: &'a PageLinks,
    },
    JsonApi(JsonApiDoc<'a>),
    Relay(&'a Page<T>),
}

impl<T: Serialize> Serialize for View<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            View::Seed {
                items_key,
                total_key,
                page,
                links,
            } => serialize_seed(s, items_key, total_key, page, links),
            View::Drf { page, links } => serialize_drf(s, page, links),
            View::JsonApi(doc) => doc.serialize(s),
            View::Relay(page) => serialize_relay(s, page),
        }
    }
}

fn serialize_seed<S: Serializer, T: Serialize>(
    s: S,
    items_key: &str,
    total_key: &str,
    page: &Page<T>,
    links: &PageLinks,
) -> Result<S::Ok, S::Error> {
    let len = match page.window {
        Window::Page { .. } | Window::Offset { .. } => 8,
        Window::Cursor { .. } => 6,
    };
    let mut m = s.serialize_map(Some(len))?;
    m.serialize_entry(items_key, &page.items)?;
    m.serialize_entry(total_key, &page.total.map(|t| t.value))?;
    m.serialize_entry("total_relation", &page.total.map(|t| t.relation))?;
    match page.window {
        Window::Page { number, size } => {
            m.serialize_entry("pages", &page.pages())?;
            m.serialize_entry("current_page", &number)?;
            m.serialize_entry("per_page", &size)?;
        }
        Window::Offset { offset, limit } => {
            m.serialize_entry("pages", &page.pages())?;
            m.serialize_entry("offset", &offset)?;
            m.serialize_entry("limit", &limit)?;
        }
        Window::Cursor { size } => m.serialize_entry("per_page", &size)?,
    }
    m.serialize_entry("next", &links.next)?;
    m.serialize_entry("previous", &links.previous)?;
    m.end()
}

fn serialize_drf<S: Serializer, T: Serialize>(
    s: S,
    page: &Page<T>,
    links: &PageLinks,
) -> Result<S::Ok, S::Error> {
    let cursor = matches!(page.window, Window::Cursor { .. });
    let mut m = s.serialize_map(Some(if cursor { 3 } else { 4 }))?;
    if !cursor {
        m.serialize_entry("count", &page.total.map(|t| t.value))?;
    }
    m.serialize_entry("next", &links.next)?;
    m.serialize_entry("previous", &links.previous)?;
    m.serialize_entry("results", &page.items)?;
    m.end()
}

fn serialize_relay<S: Serializer, T: Serialize>(s: S, page: &Page<T>) -> Result<S::Ok, S::Error> {
    struct Edges<'a, T>(&'a Page<T>);
    impl<T: Serialize> Serialize for Edges<'_, T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.items.len()))?;
            for (i, node) in self.0.items.iter().enumerate() {
                seq.serialize_element(&Edge {
                    cursor: self.0.item_cursors.get(i).map(String::as_str),
                    node,
                })?;
            }
            seq.end()
        }
    }
    #[derive(Serialize)]
    struct Edge<'a, T> {
        cursor: Option<&'a str>,
        node: &'a T,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct PageInfo<'a> {
        has_previous_page: bool,
        has_next_page: bool,
        start_cursor: Option<&'a str>,
        end_cursor: Option<&'a str>,
    }
    let n = page.items.len();
    let edge_cursor = |i: usize| page.item_cursors.get(i).map(String::as_str);
    let info = PageInfo {
        has_previous_page: page.has_previous,
        has_next_page: page.has_next,
        start_cursor: if n == 0 { None } else { edge_cursor(0) },
        end_cursor: n.checked_sub(1).and_then(edge_cursor),
    };
    let mut m = s.serialize_map(Some(3))?;
    m.serialize_entry("edges", &Edges(page))?;
    m.serialize_entry("pageInfo", &info)?;
    m.serialize_entry("totalCount", &page.total.map(|t| t.value))?;
    m.end()
}

// ---------------------------------------------------------------------------
// JSON:API
// ---------------------------------------------------------------------------

/// A JSON:API top-level document, its resources rebuilt from the items.
struct JsonApiDoc<'a> {
    data: Vec<ResourceObject<'a>>,
    links: &'a PageLinks,
    meta: Meta,
}

#[derive(Serialize)]
struct Meta {
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_relation: Option<TotalRelation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pages: Option<u64>,
}

#[derive(Serialize)]
struct JsonApiLinks<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<&'a str>,
}

struct ResourceObject<'a> {
    type_name: &'a str,
    id: String,
    attributes: Vec<(String, Json)>,
}

impl<'a> JsonApiDoc<'a> {
    fn new<T: Serialize>(
        resource_type: &'a str,
        page: &Page<T>,
        links: &'a PageLinks,
    ) -> serde_json::Result<Self> {
        let mut buf = Vec::with_capacity(256);
        let data = page
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                buf.clear();
                serde_json::to_writer(&mut buf, item)?;
                // Re-read the item in its own key order (a `serde_json::Value` would
                // sort the keys unless serde_json's `preserve_order` is on).
                let Json::Object(mut fields) = serde_json::from_slice::<Json>(&buf)? else {
                    return Err(jsonapi_error(i, "is not a JSON object"));
                };
                if fields.iter().any(|(k, _)| k == "type") {
                    return Err(jsonapi_error(
                        i,
                        "has a `type` member, which JSON:API reserves",
                    ));
                }
                let Some(at) = fields.iter().position(|(k, _)| k == "id") else {
                    return Err(jsonapi_error(i, "has no `id`"));
                };
                let id = match fields.remove(at).1 {
                    Json::String(s) => s,
                    Json::Number(n) => n.to_string(),
                    _ => {
                        return Err(jsonapi_error(
                            i,
                            "has an `id` that is not a string or a number",
                        ))
                    }
                };
                Ok(ResourceObject {
                    type_name: resource_type,
                    id,
                    attributes: fields,
                })
            })
            .collect::<serde_json::Result<Vec<_>>>()?;
        let pages = match page.window {
            Window::Page { .. } => page.pages(),
            _ => None,
        };
        Ok(JsonApiDoc {
            data,
            links,
            meta: Meta {
                total: page.total.map(|t| t.value),
                total_relation: page.total.map(|t| t.relation),
                pages,
            },
        })
    }
}

fn jsonapi_error(index: usize, what: &str) -> serde_json::Error {
    serde_json::Error::custom(format_args!(
        "JSON:API envelope: item {index} {what}; each item must serialize to an object with an `id`"
    ))
}

impl Serialize for JsonApiDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let links = JsonApiLinks {
            first: self.links.first.as_deref(),
            prev: self.links.previous.as_deref(),
            next: self.links.next.as_deref(),
            last: self.links.last.as_deref(),
        };
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("data", &self.data)?;
        m.serialize_entry("links", &links)?;
        m.serialize_entry("meta", &self.meta)?;
        m.end()
    }
}

impl Serialize for ResourceObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("type", self.type_name)?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("attributes", &Object(&self.attributes))?;
        m.end()
    }
}

/// JSON that keeps the order of object keys (whatever serde_json's features).
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

struct Object<'a>(&'a [(String, Json)]);

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(v) => s.serialize_str(v),
            Json::Array(a) => a.serialize(s),
            Json::Object(o) => Object(o).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
                Json::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
                while let Some(v) = a.next_element()? {
                    out.push(v);
                }
                Ok(Json::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json, A::Error> {
                let mut out: Vec<(String, Json)> = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Json>()? {
                    // A repeated key keeps its first place and its last value, as a map would.
                    match out.iter_mut().find(|(key, _)| *key == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Ok(Json::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::Total;

    fn body<T: Serialize>(
        (e, resource): &(Envelope, Resource),
        page: &Page<T>,
        links: &PageLinks,
    ) -> String {
        let bytes = e.to_vec(resource, page, links).unwrap();
        // The value form is the same document.
        let value = e.to_value(resource, page, links).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
            value
        );
        String::from_utf8(bytes).unwrap()
    }

    #[derive(Serialize)]
    struct Product {
        id: u64,
        name: &'static str,
        price: u64,
    }

    fn page_of<T>(items: Vec<T>) -> Page<T> {
        Page {
            items,
            has_next: false,
            has_previous: false,
            total: None,
            window: Window::Page { number: 1, size: 2 },
            next_cursor: None,
            previous_cursor: None,
            item_cursors: Vec::new(),
        }
    }

    fn products(ids: &[u64]) -> Vec<Product> {
        ids.iter()
            .map(|&id| Product {
                id,
                name: "Lamp",
                price: 1999,
            })
            .collect()
    }

    fn page_mode(number: u64, ids: &[u64], total: Option<Total>, has_next: bool) -> Page<Product> {
        Page {
            items: products(ids),
            has_next,
            has_previous: number > 1,
            total,
            window: Window::Page { number, size: 2 },
            next_cursor: None,
            previous_cursor: None,
            item_cursors: Vec::new(),
        }
    }

    fn offset_mode(
        offset: u64,
        ids: &[u64],
        total: Option<Total>,
        has_next: bool,
    ) -> Page<Product> {
        Page {
            window: Window::Offset { offset, limit: 2 },
            ..page_mode(1, ids, total, has_next)
        }
    }

    fn cursor_mode(ids: &[u64]) -> Page<Product> {
        Page {
            items: products(ids),
            has_next: true,
            has_previous: true,
            total: None,
            window: Window::Cursor { size: 2 },
            next_cursor: Some("N".into()),
            previous_cursor: Some("P".into()),
            item_cursors: ids.iter().map(|i| format!("c{i}")).collect(),
        }
    }

    fn links(
        first: Option<&str>,
        prev: Option<&str>,
        next: Option<&str>,
        last: Option<&str>,
    ) -> PageLinks {
        let u = |q: Option<&str>| q.map(|q| format!("http://x/p{q}"));
        PageLinks {
            first: u(first),
            previous: u(prev),
            next: u(next),
            last: u(last),
        }
    }

    const P1: &str = r#"{"id":1,"name":"Lamp","price":1999}"#;
    const P2: &str = r#"{"id":2,"name":"Lamp","price":1999}"#;

    // --- seed ----------------------------------------------------------------

    #[test]
    fn seed_page_mode() {
        let page = page_mode(2, &[1, 2], Some(Total::exact(5)), true);
        let l = links(Some(""), Some(""), Some("?page=3"), Some("?page=3"));
        assert_eq!(
            body(&(Envelope::Seed, Resource::new("products")), &page, &l),
            format!(
                r#"{{"products":[{P1},{P2}],"total":5,"total_relation":"eq","pages":3,"current_page":2,"per_page":2,"next":"http://x/p?page=3","previous":"http://x/p"}}"#
            )
        );
    }

    #[test]
    fn seed_page_mode_without_total_and_custom_total_key() {
        let page = page_mode(1, &[1], None, false);
        assert_eq!(
            body(
                &(
                    Envelope::Seed,
                    Resource::new("orders").total_key("total_orders")
                ),
                &page,
                &PageLinks::default()
            ),
            format!(
                r#"{{"orders":[{P1}],"total_orders":null,"total_relation":null,"pages":null,"current_page":1,"per_page":2,"next":null,"previous":null}}"#
            )
        );
    }

    #[test]
    fn seed_empty_and_past_the_end() {
        let empty = page_mode(1, &[], Some(Total::exact(0)), false);
        assert_eq!(
            body(
                &(Envelope::Seed, Resource::new("products")),
                &empty,
                &links(Some(""), None, None, Some(""))
            ),
            r#"{"products":[],"total":0,"total_relation":"eq","pages":0,"current_page":1,"per_page":2,"next":null,"previous":null}"#
        );
        let past = page_mode(9, &[], Some(Total::exact(5)), false);
        assert_eq!(
            body(
                &(Envelope::Seed, Resource::new("products")),
                &past,
                &links(Some(""), Some("?page=3"), None, Some("?page=3"))
            ),
            r#"{"products":[],"total":5,"total_relation":"eq","pages":3,"current_page":9,"per_page":2,"next":null,"previous":"http://x/p?page=3"}"#
        );
    }

    #[test]
    fn seed_offset_mode() {
        let total = Some(Total {
            value: 10_000,
            relation: TotalRelation::Gte,
        });
        let page = offset_mode(4, &[1, 2], total, true);
        let l = links(
            None,
            Some("?limit=2&offset=2"),
            Some("?limit=2&offset=6"),
            None,
        );
        assert_eq!(
            body(&(Envelope::Seed, Resource::new("products")), &page, &l),
            format!(
                r#"{{"products":[{P1},{P2}],"total":10000,"total_relation":"gte","pages":5000,"offset":4,"limit":2,"next":"http://x/p?limit=2&offset=6","previous":"http://x/p?limit=2&offset=2"}}"#
            )
        );
        let past = offset_mode(40, &[], Some(Total::exact(5)), false);
        assert_eq!(
            body(
                &(Envelope::Seed, Resource::new("products")),
                &past,
                &links(None, Some("?limit=2&offset=4"), None, None)
            ),
            r#"{"products":[],"total":5,"total_relation":"eq","pages":3,"offset":40,"limit":2,"next":null,"previous":"http://x/p?limit=2&offset=4"}"#
        );
    }

    #[test]
    fn seed_cursor_mode() {
        let mut page = cursor_mode(&[1, 2]);
        page.total = Some(Total {
            value: 1234,
            relation: TotalRelation::Approx,
        });
        let l = links(
            Some("?cursor="),
            Some("?cursor=P"),
            Some("?cursor=N"),
            Some("?cursor=last"),
        );
        assert_eq!(
            body(&(Envelope::Seed, Resource::new("products")), &page, &l),
            format!(
                r#"{{"products":[{P1},{P2}],"total":1234,"total_relation":"approx","per_page":2,"next":"http://x/p?cursor=N","previous":"http://x/p?cursor=P"}}"#
            )
        );
        let empty = Page {
            has_next: false,
            has_previous: false,
            ..cursor_mode(&[])
        };
        assert_eq!(
            body(
                &(Envelope::Seed, Resource::new("products")),
                &empty,
                &PageLinks::default()
            ),
            r#"{"products":[],"total":null,"total_relation":null,"per_page":2,"next":null,"previous":null}"#
        );
    }

    // --- drf -----------------------------------------------------------------

    #[test]
    fn drf_page_and_offset_modes() {
        let page = page_mode(2, &[1, 2], Some(Total::exact(5)), true);
        let l = links(Some(""), Some(""), Some("?page=3"), Some("?page=3"));
        assert_eq!(
            body(&(Envelope::Drf, Resource::new("items")), &page, &l),
            format!(
                r#"{{"count":5,"next":"http://x/p?page=3","previous":"http://x/p","results":[{P1},{P2}]}}"#
            )
        );
        let page = offset_mode(0, &[1], None, false);
        assert_eq!(
            body(
                &(Envelope::Drf, Resource::new("items")),
                &page,
                &PageLinks::default()
            ),
            format!(r#"{{"count":null,"next":null,"previous":null,"results":[{P1}]}}"#)
        );
        let past = page_mode(7, &[], Some(Total::exact(5)), false);
        assert_eq!(
            body(
                &(Envelope::Drf, Resource::new("items")),
                &past,
                &links(None, Some("?page=3"), None, None)
            ),
            r#"{"count":5,"next":null,"previous":"http://x/p?page=3","results":[]}"#
        );
    }

    #[test]
    fn drf_cursor_mode() {
        let page = cursor_mode(&[1]);
        let l = links(
            Some("?cursor="),
            Some("?cursor=P"),
            Some("?cursor=N"),
            Some("?cursor=last"),
        );
        assert_eq!(
            body(&(Envelope::Drf, Resource::new("items")), &page, &l),
            format!(
                r#"{{"next":"http://x/p?cursor=N","previous":"http://x/p?cursor=P","results":[{P1}]}}"#
            )
        );
        assert_eq!(
            body(
                &(Envelope::Drf, Resource::new("items")),
                &cursor_mode(&[]),
                &PageLinks::default()
            ),
            r#"{"next":null,"previous":null,"results":[]}"#
        );
    }

    // --- JSON:API ------------------------------------------------------------

    #[test]
    fn jsonapi_page_mode() {
        let page = page_mode(2, &[1, 2], Some(Total::exact(5)), true);
        let l = links(
            Some(""),
            Some(""),
            Some("?page%5Bnumber%5D=3"),
            Some("?page%5Bnumber%5D=3"),
        );
        assert_eq!(
            body(&(Envelope::JsonApi, Resource::new("products")), &page, &l),
            concat!(
                r#"{"data":[{"type":"products","id":"1","attributes":{"name":"Lamp","price":1999}},"#,
                r#"{"type":"products","id":"2","attributes":{"name":"Lamp","price":1999}}],"#,
                r#""links":{"first":"http://x/p","prev":"http://x/p","next":"http://x/p?page%5Bnumber%5D=3","last":"http://x/p?page%5Bnumber%5D=3"},"#,
                r#""meta":{"total":5,"total_relation":"eq","pages":3}}"#
            )
        );
    }

    #[test]
    fn jsonapi_offset_cursor_and_empty() {
        let page = offset_mode(2, &[1], Some(Total::exact(3)), false);
        assert_eq!(
            body(
                &(Envelope::JsonApi, Resource::new("products")),
                &page,
                &links(Some(""), Some(""), None, Some("?o"))
            ),
            concat!(
                r#"{"data":[{"type":"products","id":"1","attributes":{"name":"Lamp","price":1999}}],"#,
                r#""links":{"first":"http://x/p","prev":"http://x/p","last":"http://x/p?o"},"#,
                r#""meta":{"total":3,"total_relation":"eq"}}"#
            )
        );
        let page = cursor_mode(&[]);
        assert_eq!(
            body(
                &(Envelope::JsonApi, Resource::new("products")),
                &page,
                &PageLinks::default()
            ),
            r#"{"data":[],"links":{},"meta":{}}"#
        );
    }

    #[test]
    fn jsonapi_keeps_attribute_order_and_string_ids() {
        let page = page_of(vec![
            json!({"id": "a-1", "zeta": 1, "alpha": {"z": 1, "a": [true, null, 1.5]}}),
        ]);
        // `json!` objects are sorted (no preserve_order), so build from a struct too.
        #[derive(Serialize)]
        struct Z {
            zeta: u8,
            id: i64,
            alpha: &'static str,
        }
        let zpage = page_of(vec![Z {
            zeta: 1,
            id: -7,
            alpha: "x",
        }]);
        assert_eq!(
            body(
                &(Envelope::JsonApi, Resource::new("t")),
                &zpage,
                &PageLinks::default()
            ),
            r#"{"data":[{"type":"t","id":"-7","attributes":{"zeta":1,"alpha":"x"}}],"links":{},"meta":{}}"#
        );
        let v = Envelope::JsonApi
            .to_value(&Resource::new("t"), &page, &PageLinks::default())
            .unwrap();
        assert_eq!(v["data"][0]["id"], "a-1");
        assert_eq!(
            v["data"][0]["attributes"]["alpha"],
            json!({"z": 1, "a": [true, null, 1.5]})
        );
    }

    #[test]
    fn jsonapi_rejects_items_without_an_id() {
        let e = Envelope::JsonApi;
        let resource = Resource::new("t");
        let no = PageLinks::default();
        let with = page_of::<serde_json::Value>;
        for (items, what) in [
            (
                vec![json!({"id": 1}), json!(3)],
                "item 1 is not a JSON object",
            ),
            (vec![json!({"name": "x"})], "item 0 has no `id`"),
            (vec![json!({"id": null})], "not a string or a number"),
            (vec![json!({"id": 1, "type": "x"})], "reserves"),
        ] {
            let err = e
                .to_vec(&resource, &with(items.clone()), &no)
                .unwrap_err()
                .to_string();
            assert!(err.contains(what), "{err}");
            assert!(e.to_value(&resource, &with(items), &no).is_err());
        }
    }

    // --- Relay ---------------------------------------------------------------

    #[test]
    fn relay_cursor_mode() {
        let mut page = cursor_mode(&[1, 2]);
        page.has_previous = false;
        page.total = Some(Total::exact(9));
        assert_eq!(
            body(
                &(Envelope::Relay, Resource::new("items")),
                &page,
                &PageLinks::default()
            ),
            format!(
                r#"{{"edges":[{{"cursor":"c1","node":{P1}}},{{"cursor":"c2","node":{P2}}}],"pageInfo":{{"hasPreviousPage":false,"hasNextPage":true,"startCursor":"c1","endCursor":"c2"}},"totalCount":9}}"#
            )
        );
    }

    #[test]
    fn relay_empty_and_page_mode() {
        let empty = Page {
            has_next: false,
            has_previous: false,
            ..cursor_mode(&[])
        };
        assert_eq!(
            body(
                &(Envelope::Relay, Resource::new("items")),
                &empty,
                &PageLinks::default()
            ),
            r#"{"edges":[],"pageInfo":{"hasPreviousPage":false,"hasNextPage":false,"startCursor":null,"endCursor":null},"totalCount":null}"#
        );
        // Outside cursor mode there are no item cursors.
        let page = page_mode(2, &[1], Some(Total::exact(3)), true);
        assert_eq!(
            body(
                &(Envelope::Relay, Resource::new("items")),
                &page,
                &PageLinks::default()
            ),
            format!(
                r#"{{"edges":[{{"cursor":null,"node":{P1}}}],"pageInfo":{{"hasPreviousPage":true,"hasNextPage":true,"startCursor":null,"endCursor":null}},"totalCount":3}}"#
            )
        );
    }

    #[test]
    fn item_errors_propagate() {
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(S::Error::custom("boom"))
            }
        }
        let page = page_of(vec![Bad]);
        for e in Envelope::ALL {
            assert!(e
                .to_vec(&Resource::new("x"), &page, &PageLinks::default())
                .unwrap_err()
                .to_string()
                .contains("boom"));
        }
    }
}
