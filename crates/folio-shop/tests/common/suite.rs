//! The API's behaviours (endpoints, modes, envelopes, bad input, statement budgets),
//! one function each, run on every backend.

use folio::Envelope;
use serde_json::Value as Json;

use super::{
    description, enc, ids, orders, orders_of, orders_of_user, products, query_of, sorted, ts, App,
    Backend, CATEGORIES, ORIGIN, PRODUCTS, USERS,
};

/// Follows `next` links from `first` to the end; returns the ids in visit order,
/// the bodies, and the statement counts.
async fn walk(
    app: &App,
    first: &str,
    items: &str,
    link: &str,
) -> (Vec<i64>, Vec<Json>, Vec<usize>) {
    let mut url = first.to_owned();
    let (mut all, mut bodies, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..1000 {
        let (body, r) = app.json(&url).await;
        all.extend(ids(&body, items));
        counts.push(r.statements());
        let next = body[link].as_str().map(str::to_owned);
        bodies.push(body);
        match next {
            Some(n) => {
                assert!(n.starts_with(ORIGIN), "links are absolute: {n}");
                url = n;
            }
            None => return (all, bodies, counts),
        }
    }
    panic!("no end after 1000 pages from {first}");
}

/// Page-number mode: walking `next` visits every product once in id order; `previous`
/// links walk back; totals, pages, headers.
pub async fn products_page_mode(b: &Backend) {
    let app = b.seed().await;
    let (body, r) = app.json("/api/products?per_page=40").await;
    assert_eq!(body["total"], PRODUCTS);
    assert_eq!(body["total_relation"], "eq");
    assert_eq!(body["pages"], 8);
    assert_eq!(body["current_page"], 1);
    assert_eq!(body["per_page"], 40);
    assert_eq!(body["previous"], Json::Null);
    assert_eq!(r.header("x-total-count"), Some("300"));
    let link = r.header("link").expect("Link header");
    assert!(
        link.contains("rel=\"next\"") && link.contains("rel=\"last\""),
        "{link}"
    );
    assert!(r.header("server-timing").unwrap().contains("db;dur="));
    assert!(r.statements() <= 2, "page + count at most");
    let keys: Vec<&str> = body["products"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["category", "created_at", "id", "name", "price", "rating"]
    );

    let (seen, bodies, counts) = walk(&app, "/api/products?per_page=40", "products", "next").await;
    assert_eq!(seen, (1..=PRODUCTS).collect::<Vec<_>>());
    assert_eq!(bodies.len(), 8);
    assert!(counts.iter().all(|&c| c <= 2), "{counts:?}");
    // and back from the last page
    let last = bodies.last().unwrap();
    assert_eq!(last["current_page"], 8);
    assert_eq!(last["next"], Json::Null);
    let (back, _, _) = walk(
        &app,
        "/api/products?per_page=40&page=8",
        "products",
        "previous",
    )
    .await;
    let mut expected: Vec<i64> = Vec::new();
    for page in (0..8).rev() {
        expected.extend((page * 40 + 1..=(page * 40 + 40).min(PRODUCTS)).collect::<Vec<_>>());
    }
    assert_eq!(back, expected);

    // exact values of one item
    let (body, _) = app.json("/api/products?per_page=1&page=10").await;
    let p = &products()[9];
    assert_eq!(
        body["products"][0],
        serde_json::json!({
            "id": 10, "name": p.name, "category": p.category, "price": p.price,
            "rating": null, "created_at": ts(&p.created_at),
        })
    );
    // page=last, clamping
    let (body, _) = app.json("/api/products?page=last&per_page=40").await;
    assert_eq!(ids(&body, "products"), (281..=300).collect::<Vec<_>>());
    let (body, _) = app.json("/api/products?per_page=500").await;
    assert_eq!(body["per_page"], 100);
    assert_eq!(ids(&body, "products").len(), 100);
}

/// Limit/offset mode, and pages past the end in both modes.
pub async fn products_offset_and_past_the_end(b: &Backend) {
    let app = b.seed().await;
    let (seen, bodies, _) = walk(&app, "/api/products?limit=70&offset=0", "products", "next").await;
    assert_eq!(seen, (1..=PRODUCTS).collect::<Vec<_>>());
    assert_eq!(bodies[0]["limit"], 70);
    assert_eq!(bodies[1]["offset"], 70);
    let (back, _, _) = walk(
        &app,
        "/api/products?limit=70&offset=280",
        "products",
        "previous",
    )
    .await;
    assert_eq!(back.len(), 20 + 280);

    let (body, r) = app.json("/api/products?page=100&per_page=10").await;
    assert_eq!(ids(&body, "products"), Vec::<i64>::new());
    assert_eq!(body["current_page"], 100);
    assert_eq!(body["next"], Json::Null);
    let prev = body["previous"]
        .as_str()
        .expect("previous points at the last page");
    assert_eq!(
        query_of(prev).get("page").map(String::as_str),
        Some("30"),
        "{prev}"
    );
    assert!(r.statements() <= 2);
    let (body, _) = app.json(prev).await;
    assert_eq!(ids(&body, "products"), (291..=300).collect::<Vec<_>>());

    let (body, _) = app.json("/api/products?offset=1000&limit=10").await;
    assert!(ids(&body, "products").is_empty());
    let prev = body["previous"]
        .as_str()
        .expect("previous points at the last page");
    let (body, _) = app.json(prev).await;
    assert_eq!(ids(&body, "products"), (291..=300).collect::<Vec<_>>());
}

/// Deep page numbers (past the test server's bookmark stride of 100 rows): the
/// first one is read by OFFSET and starts taking the ordering's bookmarks; once
/// they are held, the same pages seek from them, with the same rows, links and
/// statement counts.
pub async fn products_deep_pages_from_bookmarks(b: &Backend) {
    let app = b.seed().await;
    let pages: Vec<String> = (3..=11)
        .map(|n| format!("/api/products?ordering=-price&per_page=25&page={n}"))
        .collect();
    let (cursor_walk, _, _) = walk(
        &app,
        "/api/products?cursor=&ordering=-price&per_page=25&count=none",
        "products",
        "next",
    )
    .await;
    let first = app.json(&pages[2]).await;
    for _ in 0..500 {
        if !app.bookmarks.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(app.bookmarks.len(), 1, "taken in the background");
    let again = app.json(&pages[2]).await;
    assert_eq!(
        first.0, again.0,
        "the same page by OFFSET and from a bookmark"
    );
    assert_eq!(first.1.statements(), again.1.statements());
    for (n, page) in (3..).zip(&pages) {
        let (body, r) = app.json(page).await;
        let lo = (n - 1) * 25;
        let want: Vec<i64> = cursor_walk.iter().skip(lo).take(25).copied().collect();
        assert_eq!(ids(&body, "products"), want, "{page}");
        assert!(r.statements() <= 2, "{page}: {}", r.statements());
        assert_eq!(
            body["next"].is_null(),
            lo + 25 >= cursor_walk.len(),
            "{page}"
        );
    }
}

/// Page numbers and offsets over a nullable ordering, NULLs last in both
/// directions: the same rows as the sorted data, whether a page is read by OFFSET,
/// by the keyset form from the first row (MySQL and MariaDB, whose OFFSET in that
/// order would sort the whole table), or from a bookmark.
pub async fn products_page_numbers_by_nullable_ordering(b: &Backend) {
    let app = b.seed().await;
    for ordering in ["rating", "-rating", "rating,-price"] {
        let expected = sorted(products(), ordering);
        let first = format!("/api/products?ordering={ordering}&per_page=23");
        let (seen, _, counts) = walk(&app, &first, "products", "next").await;
        assert_eq!(seen, expected, "ordering {ordering:?} on {}", b.name());
        assert!(counts.iter().all(|&c| c <= 2), "{counts:?}");
        for (offset, limit) in [(0, 13), (37, 13), (265, 40), (290, 13)] {
            let (body, _) = app
                .json(&format!(
                    "/api/products?ordering={ordering}&offset={offset}&limit={limit}"
                ))
                .await;
            let want: Vec<i64> = expected.iter().skip(offset).take(limit).copied().collect();
            assert_eq!(
                ids(&body, "products"),
                want,
                "{ordering:?} offset {offset} limit {limit} on {}",
                b.name()
            );
        }
    }
}

/// Cursor mode over every ordering: forward and back, one statement per page.
pub async fn products_cursor_orderings(b: &Backend) {
    let app = b.seed().await;
    for ordering in [
        "",
        "-id",
        "price",
        "-price",
        "rating",
        "-rating",
        "name,-created_at",
        "created_at",
        "-created_at,price",
    ] {
        let expected = sorted(products(), ordering);
        let first = format!("/api/products?cursor=&per_page=23&count=none&ordering={ordering}");
        let (seen, bodies, counts) = walk(&app, &first, "products", "next").await;
        assert_eq!(seen, expected, "ordering {ordering:?} on {}", b.name());
        assert!(
            counts.iter().all(|&c| c == 1),
            "cursor + count=none is one statement: {counts:?}"
        );
        assert_eq!(bodies[0]["per_page"], 23);
        assert_eq!(bodies[0]["previous"], Json::Null);
        // walk back from the last page
        let last = format!("/api/products?cursor=last&per_page=23&count=none&ordering={ordering}");
        let (back, _, counts) = walk(&app, &last, "products", "previous").await;
        let expected_back: Vec<i64> = expected.rchunks(23).flatten().copied().collect();
        assert_eq!(
            back,
            expected_back,
            "backward walk of {ordering:?} on {}",
            b.name()
        );
        assert!(counts.iter().all(|&c| c == 1), "{counts:?}");
    }
    // a page size change between requests keeps the cursor valid
    let (body, _) = app
        .json("/api/products?cursor=&per_page=10&count=none&ordering=-price")
        .await;
    let next = body["next"]
        .as_str()
        .unwrap()
        .replace("per_page=10", "per_page=15");
    let (body, _) = app.json(&next).await;
    assert_eq!(
        ids(&body, "products"),
        sorted(products(), "-price")[10..25].to_vec()
    );
}

/// Filters: category (exact, encoded), inclusive price bounds, combined with cursors.
pub async fn products_filters(b: &Backend) {
    let app = b.seed().await;
    let cat = CATEGORIES[2];
    let expected: Vec<i64> = products()
        .iter()
        .filter(|p| p.category == cat)
        .map(|p| p.id)
        .collect();
    let (seen, bodies, _) = walk(
        &app,
        &format!("/api/products?per_page=20&category={}", enc(cat)),
        "products",
        "next",
    )
    .await;
    assert_eq!(seen, expected);
    assert_eq!(bodies[0]["total"], expected.len());
    // inclusive bounds: 799 and 1299 are prices in the data
    let expected: Vec<P2> = products()
        .iter()
        .filter(|p| (799..=1299).contains(&p.price))
        .map(|p| (p.id, p.price))
        .collect();
    assert!(expected.iter().any(|e| e.1 == 799) && expected.iter().any(|e| e.1 == 1299));
    let (seen, bodies, _) = walk(
        &app,
        "/api/products?per_page=25&min_price=799&max_price=1299&count=exact",
        "products",
        "next",
    )
    .await;
    assert_eq!(seen, expected.iter().map(|e| e.0).collect::<Vec<_>>());
    assert_eq!(bodies[0]["total"], expected.len());
    // cursor mode with a filter and an ordering
    let mut filtered: Vec<_> = products()
        .into_iter()
        .filter(|p| p.category == "toys" && p.price >= 2000)
        .collect();
    filtered.retain(|_| true);
    let expected = sorted(filtered, "-rating");
    let (seen, _, _) = walk(
        &app,
        "/api/products?cursor=&per_page=7&category=toys&min_price=2000&ordering=-rating",
        "products",
        "next",
    )
    .await;
    assert_eq!(seen, expected);
    // no match
    let (body, _) = app.json("/api/products?category=nothing").await;
    assert_eq!(body["total"], 0);
    assert_eq!(body["pages"], 0);
}

type P2 = (i64, i64);

/// `fields`: description only when named; the detail always has it.
pub async fn products_fields_and_detail(b: &Backend) {
    let app = b.seed().await;
    let (body, _) = app.json("/api/products?per_page=3").await;
    assert!(body["products"][0].get("description").is_none());
    let (body, _) = app
        .json("/api/products?per_page=3&fields=description")
        .await;
    assert_eq!(
        body["products"][0],
        serde_json::json!({"description": description(1)})
    );
    let (body, _) = app
        .json("/api/products?per_page=3&fields=id,name,description&ordering=-id&cursor=")
        .await;
    assert_eq!(
        body["products"][0],
        serde_json::json!({"id": 300, "name": products()[299].name, "description": description(300)})
    );
    let (body, _) = app.json("/api/products?per_page=2&fields=price").await;
    assert_eq!(
        body["products"][1],
        serde_json::json!({"price": products()[1].price})
    );

    let (body, _) = app.json("/api/products/42").await;
    let p = &products()[41];
    assert_eq!(
        body,
        serde_json::json!({
            "id": 42, "name": p.name, "category": p.category, "price": p.price,
            "rating": p.rating, "created_at": ts(&p.created_at), "description": description(42),
        })
    );
    app.not_found("/api/products/9999").await;
    app.bad("/api/products/abc", "id").await;
    app.bad("/api/products/0", "id").await;
}

/// Every kind of bad input is a 400 problem naming the parameter.
pub async fn bad_input(b: &Backend) {
    let app = b.seed().await;
    for (uri, param) in [
        ("/api/products?page=abc", "page"),
        ("/api/products?page=0", "page"),
        ("/api/products?per_page=0", "per_page"),
        ("/api/products?offset=-1", "offset"),
        ("/api/products?limit=abc", "limit"),
        ("/api/products?page=99999999999999999999999", "page"),
        ("/api/products?ordering=sku", "ordering"),
        ("/api/products?ordering=price,,id", "ordering"),
        ("/api/products?fields=sku", "fields"),
        ("/api/products?count=most", "count"),
        ("/api/products?min_price=abc", "min_price"),
        ("/api/products?max_price=1.5", "max_price"),
        (
            "/api/products?min_price=99999999999999999999999",
            "min_price",
        ),
        ("/api/products?cursor=garbage", "cursor"),
        ("/api/products/export?ordering=sku", "ordering"),
        ("/api/products/export?min_price=x", "min_price"),
        ("/api/users?expand=friends", "expand"),
        (
            "/api/users?expand=orders&orders_per_user=abc",
            "orders_per_user",
        ),
        (
            "/api/users?expand=orders&orders_per_user=0",
            "orders_per_user",
        ),
        ("/api/users?page=-3", "page"),
        ("/api/users/1/orders?status=lost", "status"),
        ("/api/users/1/orders?per_page=abc", "per_page"),
        ("/api/users/x/orders", "id"),
        ("/api/users/abc", "id"),
    ] {
        app.bad(uri, param).await;
    }
    // page and cursor together
    let r = app.get("/api/products?page=2&cursor=").await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(!r.json()["invalid_params"].as_array().unwrap().is_empty());

    // a tampered cursor
    let (body, _) = app
        .json("/api/products?cursor=&per_page=5&ordering=price")
        .await;
    let next = body["next"].as_str().unwrap().to_owned();
    let token = query_of(&next)["cursor"].clone();
    let mut bytes = token.clone().into_bytes();
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    app.bad(
        &format!("/api/products?cursor={}&ordering=price", enc(&tampered)),
        "cursor",
    )
    .await;
    // replayed with another ordering or other filters
    app.bad(
        &format!("/api/products?cursor={}&ordering=name", enc(&token)),
        "cursor",
    )
    .await;
    app.bad(
        &format!(
            "/api/products?cursor={}&ordering=price&category=toys",
            enc(&token)
        ),
        "cursor",
    )
    .await;
    app.bad(
        &format!("/api/users?cursor={}&ordering=name", enc(&token)),
        "cursor",
    )
    .await;
    // the original is fine
    app.json(&next).await;

    // a cursor of user 7's orders on user 6's
    let (body, _) = app.json("/api/users/7/orders?cursor=&per_page=1").await;
    let token = query_of(body["next"].as_str().unwrap())["cursor"].clone();
    app.bad(
        &format!("/api/users/6/orders?cursor={}", enc(&token)),
        "cursor",
    )
    .await;
    app.bad(
        &format!("/api/users/7/orders?cursor={}&status=paid", enc(&token)),
        "cursor",
    )
    .await;
    app.bad(
        &format!("/api/users/7/orders?cursor={}&ordering=-id", enc(&token)),
        "cursor",
    )
    .await;
    app.json(&format!("/api/users/7/orders?cursor={}", enc(&token)))
        .await;
}

/// The statement budget of each request, read from `X-Statement-Count`.
pub async fn statement_budget(b: &Backend) {
    let app = b.seed().await;
    let count = |uri: &'static str| {
        let app = &app;
        async move { app.json(uri).await.1.statements() }
    };
    assert_eq!(count("/api/products?cursor=&count=none").await, 1);
    assert_eq!(
        count("/api/products?cursor=&count=none&category=toys&ordering=-price").await,
        1
    );
    assert_eq!(count("/api/products?page=2&count=exact").await, 2);
    assert_eq!(
        count("/api/products?page=2&count=exact&category=books").await,
        2
    );
    assert_eq!(count("/api/products?page=2&count=capped").await, 2);
    assert_eq!(count("/api/products?page=2&count=none").await, 1);
    assert!(count("/api/products?page=2").await <= 2);
    assert!(count("/api/products?page=2&count=estimate").await <= 2);
    assert_eq!(count("/api/users?cursor=&count=none").await, 1);
    assert_eq!(count("/api/users?page=2&per_page=5&count=exact").await, 2);
    // expand adds exactly one, whatever the page size
    for (plain, expanded) in [
        (
            "/api/users?per_page=5&count=exact",
            "/api/users?per_page=5&count=exact&expand=orders",
        ),
        (
            "/api/users?per_page=50&count=exact",
            "/api/users?per_page=50&count=exact&expand=orders",
        ),
        (
            "/api/users?cursor=&per_page=5&count=none",
            "/api/users?cursor=&per_page=5&count=none&expand=orders",
        ),
        (
            "/api/users?cursor=&per_page=50&count=none",
            "/api/users?cursor=&per_page=50&count=none&expand=orders&orders_per_user=20",
        ),
    ] {
        assert_eq!(count(expanded).await, count(plain).await + 1, "{expanded}");
    }
    assert_eq!(
        count("/api/users?page=2&per_page=5&count=exact&expand=orders").await,
        3
    );
    // a user's orders: a non-empty page stays within page + count
    assert_eq!(count("/api/users/7/orders?count=exact").await, 2);
    assert_eq!(count("/api/users/7/orders?cursor=&count=none").await, 1);
    // an empty page checks the user: one more statement
    assert_eq!(count("/api/users/8/orders?cursor=&count=none").await, 2);
    let r = app.get("/api/users/999/orders?cursor=&count=none").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.statements(), 2);
    // details
    assert_eq!(count("/api/products/1").await, 1);
    assert_eq!(count("/api/users/1").await, 1);
}

/// `expand=orders`: each user's first orders, and `orders_next` leading to the rest.
pub async fn users_expand_orders(b: &Backend) {
    let app = b.seed().await;
    let (body, _) = app
        .json("/api/users?per_page=30&expand=orders&orders_per_user=2")
        .await;
    assert_eq!(ids(&body, "users"), (1..=USERS).collect::<Vec<_>>());
    for user in body["users"].as_array().unwrap() {
        let u = user["id"].as_i64().unwrap();
        let all = orders_of_user(u);
        let embedded = ids(user, "orders");
        assert_eq!(
            embedded,
            all.iter().take(2).map(|o| o.id).collect::<Vec<_>>(),
            "user {u}"
        );
        if all.len() <= 2 {
            assert_eq!(user["orders_next"], Json::Null, "user {u}");
            continue;
        }
        let next = user["orders_next"]
            .as_str()
            .unwrap_or_else(|| panic!("user {u}: {user}"));
        assert!(
            next.starts_with(&format!("{ORIGIN}/api/users/{u}/orders?")),
            "{next}"
        );
        assert_eq!(query_of(next)["per_page"], "2");
        let (rest, _, _) = walk(&app, next, "orders", "next").await;
        let mut seen = embedded.clone();
        seen.extend(rest);
        assert_eq!(
            seen,
            all.iter().map(|o| o.id).collect::<Vec<_>>(),
            "user {u}"
        );
    }
    // one embedded order has the order keys and values
    let o = &orders_of_user(3)[0];
    assert_eq!(
        body["users"][2]["orders"][0],
        serde_json::json!({"id": o.id, "user_id": 3, "status": o.status, "total": o.total, "created_at": ts(&o.created_at)})
    );
    // default 3, clamped at 20
    let (body, _) = app.json("/api/users?per_page=10&expand=orders").await;
    assert_eq!(ids(&body["users"][6], "orders").len(), 3);
    let (body, _) = app
        .json("/api/users?per_page=10&expand=orders&orders_per_user=500")
        .await;
    assert_eq!(ids(&body["users"][6], "orders").len(), 7);
    assert_eq!(body["users"][6]["orders_next"], Json::Null);
    // without expand, no orders keys
    let (body, _) = app.json("/api/users?per_page=3").await;
    assert_eq!(
        body["users"][0],
        serde_json::json!({"id": 1, "name": "User 01", "email": "user1@example.com", "created_at": body["users"][0]["created_at"]})
    );
    assert!(body["users"][0]["created_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
}

/// `GET /api/users/{id}` and `GET /api/users/{id}/orders`.
pub async fn user_detail_and_orders(b: &Backend) {
    let app = b.seed().await;
    let (body, _) = app.json("/api/users/5").await;
    assert_eq!(body["id"], 5);
    assert_eq!(body["email"], "user5@example.com");
    assert_eq!(body["orders_url"], format!("{ORIGIN}/api/users/5/orders"));
    assert!(body.get("orders").is_none());
    app.not_found("/api/users/999").await;

    let (body, r) = app.json("/api/users/7/orders").await;
    assert_eq!(body["per_page"], 5);
    assert_eq!(body["total_orders"], orders_of(7));
    assert!(body.get("total").is_none());
    assert_eq!(r.header("x-total-count"), Some("7"));
    let all: Vec<i64> = orders_of_user(7).iter().map(|o| o.id).collect();
    assert_eq!(ids(&body, "orders"), all[..5].to_vec());
    let (seen, _, _) = walk(&app, "/api/users/7/orders?per_page=2", "orders", "next").await;
    assert_eq!(seen, all);
    let (seen, _, _) = walk(
        &app,
        "/api/users/7/orders?cursor=&per_page=3&ordering=-total",
        "orders",
        "next",
    )
    .await;
    let mut by_total = orders_of_user(7);
    by_total.sort_by(|a, b| b.total.cmp(&a.total).then(b.id.cmp(&a.id)));
    assert_eq!(seen, by_total.iter().map(|o| o.id).collect::<Vec<_>>());
    // status filter
    for status in ["pending", "paid", "shipped", "delivered", "cancelled"] {
        let expected: Vec<i64> = orders()
            .iter()
            .filter(|o| o.user_id == 15 && o.status == status)
            .map(|o| o.id)
            .collect();
        let (body, _) = app
            .json(&format!("/api/users/15/orders?status={status}&per_page=20"))
            .await;
        assert_eq!(ids(&body, "orders"), expected, "{status}");
    }
    // a user without orders: 200, empty
    let (body, _) = app.json("/api/users/8/orders").await;
    assert_eq!(body["total_orders"], 0);
    assert!(ids(&body, "orders").is_empty());
    app.not_found("/api/users/999/orders").await;
    app.not_found("/api/users/999/orders?cursor=").await;
    // past the end for a real user: 200
    let (body, _) = app.json("/api/users/7/orders?page=9").await;
    assert!(ids(&body, "orders").is_empty());
    assert!(body["previous"].is_string());
}

/// `--envelope drf`: DRF's parameter names, bodies and link rules.
pub async fn envelope_drf(b: &Backend) {
    let app = b.app(Envelope::Drf).await;
    let (body, _) = app.json("/api/products?page=2&page_size=10").await;
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["count", "next", "previous", "results"]);
    assert_eq!(body["count"], PRODUCTS);
    assert_eq!(ids(&body, "results"), (11..=20).collect::<Vec<_>>());
    // DRF's link to page 1 carries no `page`
    let prev = body["previous"].as_str().unwrap();
    let q = query_of(prev);
    assert!(!q.contains_key("page"), "{prev}");
    assert_eq!(q.get("page_size").map(String::as_str), Some("10"));
    let (seen, _, _) = walk(&app, "/api/products?page_size=50", "results", "next").await;
    assert_eq!(seen, (1..=PRODUCTS).collect::<Vec<_>>());
    // limit/offset
    let (body, _) = app.json("/api/products?limit=5&offset=10").await;
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["count", "next", "previous", "results"]);
    assert_eq!(ids(&body, "results"), (11..=15).collect::<Vec<_>>());
    // cursor
    let (body, _) = app
        .json("/api/products?cursor=&page_size=100&ordering=-price")
        .await;
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["next", "previous", "results"]);
    let (seen, _, _) = walk(
        &app,
        "/api/products?cursor=&page_size=100&ordering=-price",
        "results",
        "next",
    )
    .await;
    assert_eq!(seen, sorted(products(), "-price"));
    // users and orders too
    let (body, _) = app.json("/api/users/7/orders").await;
    assert_eq!(body["count"], 7);
    assert_eq!(ids(&body, "results").len(), 5);
    let (body, _) = app.json("/api/users?expand=orders&page_size=10").await;
    let next = body["results"][6]["orders_next"].as_str().unwrap();
    assert!(query_of(next).contains_key("page_size"), "{next}");
    app.bad("/api/products?page_size=0", "page_size").await;
}

/// `--envelope jsonapi` and `--envelope relay`.
pub async fn envelopes_jsonapi_relay(b: &Backend) {
    let app = b.app(Envelope::JsonApi).await;
    let (body, r) = app
        .json("/api/products?page[number]=2&page[size]=10&fields=name")
        .await;
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/vnd.api+json"));
    assert_eq!(body["data"][0]["type"], "products");
    assert_eq!(body["data"][0]["id"], "11");
    assert!(body["links"]["next"].is_string());
    assert_eq!(body["meta"]["total"], PRODUCTS);
    let (body, _) = app.json("/api/users/7/orders").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 5);
    app.bad("/api/products?page[number]=x", "page[number]")
        .await;

    let app = b.app(Envelope::Relay).await;
    let (body, _) = app.json("/api/products?cursor=&per_page=4").await;
    assert_eq!(body["edges"].as_array().unwrap().len(), 4);
    assert_eq!(body["edges"][0]["node"]["id"], 1);
    assert!(body["edges"][0]["cursor"].is_string());
    assert_eq!(body["pageInfo"]["hasNextPage"], true);
    assert_eq!(body["pageInfo"]["hasPreviousPage"], false);
    let (body, _) = app.json("/api/users?expand=orders&per_page=3").await;
    assert!(body["edges"][2]["node"]["orders"].is_array());
}

/// The NDJSON export: every matching row once, in order, with the list's keys.
pub async fn export_ndjson(b: &Backend) {
    let app = b.seed().await;
    let r = app.get("/api/products/export").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Json> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        (1..=PRODUCTS).collect::<Vec<_>>()
    );
    assert!(lines[0].get("description").is_none());
    assert_eq!(lines[0].as_object().unwrap().len(), 6);

    let r = app
        .get("/api/products/export?ordering=-rating&category=games&min_price=1000")
        .await;
    let got: Vec<i64> = r
        .text()
        .lines()
        .map(|l| {
            serde_json::from_str::<Json>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let expected = sorted(
        products()
            .into_iter()
            .filter(|p| p.category == "games" && p.price >= 1000)
            .collect(),
        "-rating",
    );
    assert_eq!(got, expected);

    let r = app
        .get("/api/products/export?fields=id,description&ordering=-id")
        .await;
    let lines: Vec<Json> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), PRODUCTS as usize);
    assert_eq!(
        lines[0],
        serde_json::json!({"id": 300, "description": description(300)})
    );
}

/// The same JSON for the same data on every backend: every product with all its
/// keys (the export and the list), every user and every order, value for value —
/// timestamps in RFC 3339 UTC with microseconds, prices and totals in cents,
/// ratings as the numbers inserted or null.
pub async fn exact_values(b: &Backend) {
    let app = b.seed().await;
    let product = |p: &super::P| {
        serde_json::json!({
            "id": p.id, "name": p.name, "category": p.category, "price": p.price,
            "rating": p.rating, "created_at": ts(&p.created_at),
        })
    };
    let r = app
        .get("/api/products/export?fields=id,name,category,price,rating,created_at,description")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let lines: Vec<Json> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), PRODUCTS as usize);
    for (line, p) in lines.iter().zip(products()) {
        let mut want = product(&p);
        want["description"] = Json::from(description(p.id));
        assert_eq!(line, &want, "product {} on {}", p.id, b.name());
    }
    let (_, bodies, _) = walk(&app, "/api/products?per_page=100", "products", "next").await;
    let listed: Vec<&Json> = bodies
        .iter()
        .flat_map(|body| body["products"].as_array().unwrap())
        .collect();
    assert_eq!(listed.len(), PRODUCTS as usize);
    for (item, p) in listed.into_iter().zip(products()) {
        assert_eq!(item, &product(&p), "product {} on {}", p.id, b.name());
    }
    for p in [&products()[9], &products()[41], &products()[299]] {
        let (body, _) = app.json(&format!("/api/products/{}", p.id)).await;
        let mut want = product(p);
        want["description"] = Json::from(description(p.id));
        assert_eq!(body, want, "GET /api/products/{} on {}", p.id, b.name());
    }

    let (body, _) = app.json("/api/users?per_page=30").await;
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), USERS as usize);
    for (user, u) in users.iter().zip(1..) {
        assert_eq!(
            user,
            &serde_json::json!({
                "id": u, "name": format!("User {u:02}"), "email": format!("user{u}@example.com"),
                "created_at": ts(&(super::epoch() - chrono::Duration::days(400 - u))),
            }),
            "user {u} on {}",
            b.name()
        );
    }
    for u in 1..=USERS {
        let (body, _) = app
            .json(&format!("/api/users/{u}/orders?per_page=20"))
            .await;
        let want: Vec<Json> = orders_of_user(u)
            .iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id, "user_id": u, "status": o.status, "total": o.total,
                    "created_at": ts(&o.created_at),
                })
            })
            .collect();
        assert_eq!(
            body["orders"],
            Json::from(want),
            "user {u}'s orders on {}",
            b.name()
        );
    }
}

/// `/openapi.json` is served.
pub async fn openapi_served(b: &Backend) {
    let app = b.seed().await;
    let (body, _) = app.json("/openapi.json").await;
    assert!(body["openapi"].as_str().unwrap().starts_with("3."));
    assert!(body["paths"]["/api/users/{id}/orders"].is_object());
}

/// A cursor walk while another client inserts and deletes rows at once: every row
/// that was there from start to end is seen exactly once, and no row twice.
pub async fn cursor_walk_under_concurrent_writes(b: &Backend) {
    let fresh = b.fresh().await;
    let dialect = b.name();
    // Deletes spread over the whole ordering (before and after the walk's
    // position), inserts at prices that land everywhere too.
    let deleted: Vec<i64> = (1..=PRODUCTS).filter(|i| i % 9 == 4).collect();
    let writes: Vec<String> = deleted
        .iter()
        .enumerate()
        .flat_map(|(n, id)| {
            let n = n as i64;
            [
                format!("DELETE FROM products WHERE id = {id}"),
                super::insert_product_sql(dialect, 10_000 + n, 100 * ((n * 13) % 50) + 99),
            ]
        })
        .collect();
    let exec = fresh.exec.clone();
    let writer = tokio::spawn(async move {
        for sql in writes {
            exec(sql).await;
            tokio::task::yield_now().await;
        }
    });
    let mut seen = Vec::new();
    for ordering in ["price", "-created_at"] {
        let first = format!("/api/products?cursor=&per_page=7&ordering={ordering}");
        let (ids, _, _) = walk(&fresh.app, &first, "products", "next").await;
        seen.push((ordering, ids));
    }
    writer.await.unwrap();
    for (ordering, ids) in seen {
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            ids.len(),
            "{ordering}: a row seen twice on {dialect}"
        );
        let survivors = (1..=PRODUCTS).filter(|i| !deleted.contains(i));
        for id in survivors {
            assert!(
                unique.binary_search(&id).is_ok(),
                "{ordering}: surviving row {id} missed on {dialect}"
            );
        }
    }
}
