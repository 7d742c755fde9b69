//! The OpenAPI document: a committed snapshot (regenerate with
//! `UPDATE_SNAPSHOTS=1 cargo test -p folio-shop --test openapi`) and structural
//! validation as OpenAPI 3.

use std::path::PathBuf;

use folio_shop::state::{Api, Settings};
use serde_json::Value;

/// The document of a server started with `--envelope <envelope>` (and the other
/// defaults of `folio-shop serve`).
fn document_in(envelope: folio::Envelope) -> Value {
    let settings = Settings {
        envelope,
        ..Settings::new(folio::CursorCodec::new(b"folio-shop openapi tests"))
    };
    serde_json::to_value(folio_shop::api::openapi::document(&Api::new(&settings)))
        .expect("the document serializes")
}

/// The document of a server with the defaults (the seed envelope): the snapshot.
fn document() -> Value {
    document_in(folio::Envelope::Seed)
}

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json")
}

#[test]
fn openapi_matches_snapshot() {
    let doc = document();
    let rendered = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = snapshot_path();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| !v.is_empty()) || !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    let committed: Value = serde_json::from_str(&committed).expect("the snapshot is JSON");
    assert!(
        committed == doc,
        "the OpenAPI document differs from tests/snapshots/openapi.json; \
         review and run `UPDATE_SNAPSHOTS=1 cargo test -p folio-shop --test openapi`"
    );
}

/// Every `$ref` in `v`, with where it was found.
fn refs<'a>(v: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if k == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push((at.to_owned(), r));
                    }
                } else {
                    refs(child, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Resolves a local JSON pointer (`#/components/schemas/Product`).
fn resolve<'a>(doc: &'a Value, pointer: &str) -> Option<&'a Value> {
    doc.pointer(pointer.strip_prefix('#')?)
}

/// The envelopes `--envelope` selects: the document describes the one the server speaks.
const ENVELOPES: [folio::Envelope; 4] = [
    folio::Envelope::Seed,
    folio::Envelope::Drf,
    folio::Envelope::JsonApi,
    folio::Envelope::Relay,
];

/// The API's operations (all `GET`).
const PATHS: [&str; 7] = [
    "/api/products",
    "/api/products/{id}",
    "/api/products/export",
    "/api/users",
    "/api/users/{id}",
    "/api/users/{id}/orders",
    "/openapi.json",
];

/// The paginated lists.
const LISTS: [&str; 3] = ["/api/products", "/api/users", "/api/users/{id}/orders"];

/// The parameters of `GET path`.
fn params<'a>(doc: &'a Value, path: &str) -> &'a [Value] {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
}

/// The query parameter `name` of `GET path`.
fn query_param<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    params(doc, path)
        .iter()
        .find(|p| p["name"] == name && p["in"] == "query")
        .unwrap_or_else(|| panic!("GET {path} documents no query parameter {name}"))
}

/// What holds for the document in every envelope: OpenAPI 3, every operation with its
/// 200, its path parameters, its problems (400 and 503 on every API operation, 404
/// on the ones that read one row or a user's orders), well-formed unique
/// parameters, and every `$ref` resolving.
fn assert_valid(doc: &Value, envelope: folio::Envelope) {
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{envelope}: {}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");
    for path in PATHS {
        let get = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{envelope}: {path} missing"))["get"];
        assert!(get.is_object(), "{envelope}: GET {path}");
        assert!(
            get["responses"]["200"].is_object(),
            "{envelope}: GET {path} 200"
        );
        // path templates declare their parameters
        if path.contains("{id}") {
            let params = get["parameters"].as_array().unwrap();
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == "id" && p["in"] == "path" && p["required"] == true),
                "{envelope}: GET {path} declares id"
            );
        }
        if path.starts_with("/api/") {
            let mut problems = vec!["400", "503"];
            if path.contains("{id}") {
                problems.push("404");
            }
            for status in problems {
                let problem = &get["responses"][status]["content"]["application/problem+json"]
                    ["schema"]["$ref"];
                assert_eq!(
                    problem, "#/components/schemas/Problem",
                    "{envelope}: GET {path} {status} is a problem"
                );
            }
        }
    }
    // every operation's parameters are well formed and unique per (name, in)
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let mut seen = std::collections::HashSet::new();
            for p in op["parameters"].as_array().map_or(&[][..], Vec::as_slice) {
                let name = p["name"].as_str().expect("parameter name");
                let place = p["in"].as_str().expect("parameter in");
                assert!(
                    ["query", "path", "header", "cookie"].contains(&place),
                    "{envelope}: {method} {path} {name}"
                );
                assert!(
                    seen.insert((name, place)),
                    "{envelope}: {method} {path}: {name} twice"
                );
                assert!(
                    p["schema"].is_object(),
                    "{envelope}: {method} {path} {name} has a schema"
                );
            }
        }
    }
    // every list documents its ordering and count parameters, and the products
    // (and their export) their fields and filters
    for path in LISTS {
        for name in ["ordering", "count"] {
            query_param(doc, path, name);
        }
    }
    for path in ["/api/products", "/api/products/export"] {
        for name in ["ordering", "fields", "category", "min_price", "max_price"] {
            query_param(doc, path, name);
        }
    }
    query_param(doc, "/api/users/{id}/orders", "status");
    // `fields`: an array of the field names, comma-separated (form, not exploded)
    let every_field = serde_json::json!([
        "id",
        "name",
        "category",
        "price",
        "rating",
        "created_at",
        "description"
    ]);
    for path in ["/api/products", "/api/products/export"] {
        let fields = query_param(doc, path, "fields");
        assert_eq!(fields["style"], "form", "{envelope}: {path} fields");
        assert_eq!(fields["explode"], false, "{envelope}: {path} fields");
        assert_eq!(fields["schema"]["type"], "array", "{envelope}: {path}");
        assert_eq!(
            fields["schema"]["items"]["enum"], every_field,
            "{envelope}: {path} fields"
        );
    }
    // a list's items carry only the keys `fields` names: none is required
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ProductItem"]["required"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{envelope}: {}",
        schemas["ProductItem"]
    );
    // the embedded orders are there only with `expand=orders`
    for part in schemas["UserItem"]["allOf"].as_array().expect("UserItem") {
        if part.get("$ref").is_none() {
            assert!(
                part["required"].as_array().is_none_or(Vec::is_empty),
                "{envelope}: {part}"
            );
        }
    }
    // every $ref resolves
    let mut all = Vec::new();
    refs(doc, "", &mut all);
    assert!(!all.is_empty());
    for (at, r) in &all {
        assert!(r.starts_with("#/"), "{envelope}: {at}: non-local $ref {r}");
        assert!(
            resolve(doc, r).is_some(),
            "{envelope}: {at}: $ref {r} does not resolve"
        );
    }
}

#[test]
fn openapi_is_valid_openapi_3() {
    for envelope in ENVELOPES {
        assert_valid(&document_in(envelope), envelope);
    }
}

/// The default (seed) document names the spec's parameters and keys.
#[test]
fn openapi_names_the_spec_parameters_and_keys() {
    let doc = document();
    // the query parameters the spec names
    for name in [
        "page",
        "per_page",
        "limit",
        "offset",
        "cursor",
        "count",
        "category",
        "min_price",
        "max_price",
        "ordering",
        "fields",
    ] {
        query_param(&doc, "/api/products", name);
    }
    // every list pages in every mode
    for path in LISTS {
        for name in ["page", "per_page", "limit", "offset", "cursor"] {
            query_param(&doc, path, name);
        }
    }
    for name in ["expand", "orders_per_user"] {
        query_param(&doc, "/api/users", name);
    }
    // the export reads the list's filters, ordering and fields, not its pages
    for name in ["page", "per_page", "limit", "offset", "cursor", "count"] {
        assert!(
            !params(&doc, "/api/products/export")
                .iter()
                .any(|p| p["name"] == name),
            "the export documents {name}"
        );
    }
    // the schemas carry the keys the API serves
    let schemas = &doc["components"]["schemas"];
    let page = |path: &str| {
        doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    };
    for (schema, value, keys) in [
        (
            "Product",
            schemas["Product"].clone(),
            &[
                "id",
                "name",
                "category",
                "price",
                "rating",
                "created_at",
                "description",
            ][..],
        ),
        (
            "ProductItem",
            schemas["ProductItem"].clone(),
            &[
                "id",
                "name",
                "category",
                "price",
                "rating",
                "created_at",
                "description",
            ][..],
        ),
        (
            "User",
            schemas["User"].clone(),
            &["id", "name", "email", "created_at"][..],
        ),
        (
            "Order",
            schemas["Order"].clone(),
            &["id", "user_id", "status", "total", "created_at"][..],
        ),
        (
            "Problem",
            schemas["Problem"].clone(),
            &["type", "title", "status", "detail", "invalid_params"][..],
        ),
        (
            "the products page",
            page("/api/products"),
            &[
                "products",
                "total",
                "total_relation",
                "pages",
                "current_page",
                "per_page",
                "next",
                "previous",
            ][..],
        ),
        (
            "the users page",
            page("/api/users"),
            &["users", "total", "next", "previous"][..],
        ),
        (
            "the orders page",
            page("/api/users/{id}/orders"),
            &["orders", "total_orders"][..],
        ),
    ] {
        let props = value["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{schema}: {value}"));
        for key in keys {
            assert!(props.contains_key(*key), "{schema}.{key}");
        }
    }
    // the page items are the item schemas
    for (path, key, item) in [
        ("/api/products", "products", "ProductItem"),
        ("/api/users", "users", "UserItem"),
        ("/api/users/{id}/orders", "orders", "Order"),
    ] {
        assert_eq!(
            page(path)["properties"][key]["items"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{path}"
        );
    }
}
