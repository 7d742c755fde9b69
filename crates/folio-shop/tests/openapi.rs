//! The OpenAPI document: a committed snapshot (regenerate with
//! `UPDATE_SNAPSHOTS=1 cargo test -p folio-shop --test openapi`) and structural
//! validation as OpenAPI 3.

use std::path::PathBuf;

use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(folio_shop::api::openapi::document()).expect("the document serializes")
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

#[test]
fn openapi_is_valid_openapi_3() {
    let doc = document();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/products",
        "/api/products/{id}",
        "/api/products/export",
        "/api/users",
        "/api/users/{id}",
        "/api/users/{id}/orders",
        "/openapi.json",
    ] {
        let get = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))["get"];
        assert!(get.is_object(), "GET {path}");
        assert!(get["responses"]["200"].is_object(), "GET {path} 200");
        // path templates declare their parameters
        if path.contains("{id}") {
            let params = get["parameters"].as_array().unwrap();
            assert!(
                params
                    .iter()
                    .any(|p| p["name"] == "id" && p["in"] == "path" && p["required"] == true),
                "GET {path} declares id"
            );
        }
        if path.starts_with("/api/") {
            let bad =
                &get["responses"]["400"]["content"]["application/problem+json"]["schema"]["$ref"];
            assert_eq!(
                bad, "#/components/schemas/Problem",
                "GET {path} 400 is a problem"
            );
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
                    "{method} {path} {name}"
                );
                assert!(seen.insert((name, place)), "{method} {path}: {name} twice");
                assert!(
                    p["schema"].is_object(),
                    "{method} {path} {name} has a schema"
                );
            }
        }
    }
    // the query parameters the spec names
    let list = &paths["/api/products"]["get"]["parameters"];
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
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == name && p["in"] == "query"),
            "{name}"
        );
    }
    let users = &paths["/api/users"]["get"]["parameters"];
    for name in ["expand", "orders_per_user"] {
        assert!(
            users.as_array().unwrap().iter().any(|p| p["name"] == name),
            "{name}"
        );
    }
    // every $ref resolves
    let mut all = Vec::new();
    refs(&doc, "", &mut all);
    assert!(!all.is_empty());
    for (at, r) in &all {
        assert!(r.starts_with("#/"), "{at}: non-local $ref {r}");
        assert!(
            resolve(&doc, r).is_some(),
            "{at}: $ref {r} does not resolve"
        );
    }
    // the schemas carry the keys of SPEC §3.3
    let schemas = &doc["components"]["schemas"];
    for (schema, keys) in [
        (
            "Product",
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
        ("User", &["id", "name", "email", "created_at"][..]),
        (
            "Order",
            &["id", "user_id", "status", "total", "created_at"][..],
        ),
        (
            "Problem",
            &["type", "title", "status", "detail", "invalid_params"][..],
        ),
        (
            "ProductPage",
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
        ("OrderPage", &["orders", "total_orders"][..]),
    ] {
        let props = schemas[schema]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{schema}: {}", schemas[schema]));
        for key in keys {
            assert!(props.contains_key(*key), "{schema}.{key}");
        }
    }
}
