//! End-to-end tests of the browsable page (`GET /`) and the docs page (`GET /docs`)
//! in headless Chromium, driven over WebDriver (chromedriver) against the real
//! `folio-shop` binary on a free port, with a small seeded data set.
//!
//! Chromium and chromedriver come from the Debian packages `chromium` and
//! `chromium-driver`. Without them these tests skip with a loud message, except
//! under `CI` or `FOLIO_REQUIRE_BROWSER=1`, where they fail. Screenshots are saved
//! under `target/tmp/browser-screenshots/` (or `FOLIO_SCREENSHOT_DIR`).

#[path = "browser/harness.rs"]
mod harness;

use std::collections::HashSet;
use std::time::Duration;

use fantoccini::Locator;
use harness::{ids, run, Session, DESKTOP, PRODUCTS};

/// Product ids of every page of an API listing (`query` without `page`), in order.
fn all_product_ids(s: &Session, query: &str) -> Vec<i64> {
    let sep = if query.is_empty() { "" } else { "&" };
    let mut out = Vec::new();
    for page in 1.. {
        let batch = s.shop.ids(
            &format!("/api/products?per_page=100&page={page}{sep}{query}"),
            "products",
        );
        if batch.is_empty() {
            break;
        }
        out.extend(batch);
    }
    out
}

/// Numbered pages: every page clicked shows the rows the API gives for it; the
/// range is elided; first/previous/next/last work; back and forward work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_numbered_pages_match_the_api() {
    run(
        "browser_numbered_pages_match_the_api",
        &[],
        |s| async move {
            s.open("/").await;
            assert_eq!(
                s.text("#products-total").await,
                format!("{PRODUCTS} products")
            );
            assert_eq!(
                s.product_ids().await,
                s.shop.ids("/api/products?page=1", "products")
            );
            // 12 pages: the range is elided.
            assert!(
                s.js("return document.querySelectorAll('nav.pager li.gap').length")
                    .await
                    .as_u64()
                    >= Some(1)
            );
            assert!(
                s.text("main [data-stats]").await.contains("SQL statement"),
                "the last request's statements are shown"
            );

            s.click_to("nav.pager a[aria-label='Page 2']", "/?page=2")
                .await;
            assert_eq!(
                s.product_ids().await,
                s.shop.ids("/api/products?page=2", "products")
            );
            assert_eq!(s.text("nav.pager a[aria-current=page]").await, "2");

            s.click_to("nav.pager a[rel=next]", "/?page=3").await;
            let page3 = s.shop.ids("/api/products?page=3", "products");
            assert_eq!(s.product_ids().await, page3);

            s.click_to("nav.pager a[aria-label='Last page']", "/?page=12")
                .await;
            let last = s.shop.ids("/api/products?page=12", "products");
            assert_eq!(s.product_ids().await, last);
            assert!(
                s.c.find(Locator::Css("nav.pager a[rel=next]"))
                    .await
                    .is_err(),
                "no next on the last page"
            );

            s.click_to("nav.pager a[rel=prev]", "/?page=11").await;
            assert_eq!(
                s.product_ids().await,
                s.shop.ids("/api/products?page=11", "products")
            );

            s.c.back().await.expect("back");
            s.at("/?page=12").await;
            assert_eq!(s.product_ids().await, last);
            s.c.back().await.expect("back");
            s.at("/?page=3").await;
            assert_eq!(s.product_ids().await, page3);
            s.c.forward().await.expect("forward");
            s.at("/?page=12").await;

            s.click_to("nav.pager a[aria-label='First page']", "/")
                .await;
            assert_eq!(
                s.product_ids().await,
                s.shop.ids("/api/products?page=1", "products")
            );

            // A page past the end says so and links to the last page.
            s.open("/?page=99").await;
            assert!(s.product_ids().await.is_empty());
            s.click_to("#past-end a", "/?page=12").await;
            assert_eq!(s.product_ids().await, last);
            s
        },
    )
    .await;
}

/// Infinite scroll: cursor mode, the next page fetched as the reader nears the
/// bottom, a visible loading state, every row exactly once, and a clear end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_infinite_scroll_reaches_the_end_with_every_row_once() {
    run("browser_infinite_scroll_reaches_the_end_with_every_row_once", &[], |s| async move {
        s.open("/").await;
        s.click_to(".views a[href='/?view=scroll']", "/?view=scroll").await;
        for (path, query) in [("/?view=scroll", ""), ("/?view=scroll&ordering=-price&per_page=20", "ordering=-price")] {
            if path != "/?view=scroll" {
                s.open(path).await;
            }
            // The script may already be filling a tall window.
            let first = s.text("#scroll-status").await;
            assert!(first.starts_with("Showing") || first.starts_with("Loading"), "{path}: {first}");
            // Record whether the loading state was ever shown.
            s.js(
                "window.__sawLoading = false;
                 const st = document.getElementById('scroll-status');
                 new MutationObserver(() => {
                   if (st.classList.contains('loading') && st.textContent.includes('Loading')) window.__sawLoading = true;
                 }).observe(st, { childList: true, characterData: true, subtree: true, attributes: true });
                 return true;",
            )
            .await;
            let mut steps = 0;
            while !s.text("#scroll-status").await.starts_with("End of the list") {
                steps += 1;
                assert!(steps < 400, "{path}: the end was not reached: {}", s.text("#scroll-status").await);
                s.js("window.scrollTo(0, document.documentElement.scrollHeight); return true;").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let shown = s.product_ids().await;
            let unique: HashSet<i64> = shown.iter().copied().collect();
            assert_eq!(unique.len(), shown.len(), "{path}: a row was shown twice");
            assert_eq!(shown.len() as u64, PRODUCTS, "{path}: every product once");
            assert_eq!(shown, all_product_ids(&s, query), "{path}: the rows in the API's order");
            assert_eq!(s.js("return window.__sawLoading").await, serde_json::json!(true), "{path}: a loading state");
            assert_eq!(
                s.text("#scroll-status").await,
                format!("End of the list: all {PRODUCTS} products shown.")
            );
            assert!(s.c.find(Locator::Id("load-more")).await.is_err(), "no load-more button at the end");
            let stats = s.text("main [data-stats]").await;
            assert!(stats.contains("cursor=") && stats.contains("SQL statement"), "{stats}");
        }
        s
    })
    .await;
}

/// Ordering by a column header: one click ascending, a second click descending,
/// in the URL, with back working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sorts_by_price_both_ways() {
    run("browser_sorts_by_price_both_ways", &[], |s| async move {
        s.open("/").await;
        let prices = "return [...document.querySelectorAll('#products tbody td.price')].map(td => Number(td.textContent.replace(/[$,]/g, '')));";

        s.click_to("th[data-field=price] a", "/?ordering=price").await;
        assert_eq!(s.js("return document.querySelector('th[data-field=price]').getAttribute('aria-sort')").await, "ascending");
        assert_eq!(s.product_ids().await, s.shop.ids("/api/products?ordering=price", "products"));
        let up: Vec<f64> = serde_json::from_value(s.js(prices).await).expect("prices");
        assert!(up.windows(2).all(|w| w[0] <= w[1]), "ascending: {up:?}");

        s.click_to("th[data-field=price] a", "/?ordering=-price").await;
        assert_eq!(s.js("return document.querySelector('th[data-field=price]').getAttribute('aria-sort')").await, "descending");
        assert_eq!(s.product_ids().await, s.shop.ids("/api/products?ordering=-price", "products"));
        let down: Vec<f64> = serde_json::from_value(s.js(prices).await).expect("prices");
        assert!(down.windows(2).all(|w| w[0] >= w[1]), "descending: {down:?}");
        assert!(down[0] >= up[up.len() - 1]);

        // The ordering survives paging.
        s.click_to("nav.pager a[rel=next]", "/?ordering=-price&page=2").await;
        assert_eq!(s.product_ids().await, s.shop.ids("/api/products?ordering=-price&page=2", "products"));

        s.c.back().await.expect("back");
        s.at("/?ordering=-price").await;
        s.c.back().await.expect("back");
        s.at("/?ordering=price").await;
        assert_eq!(s.product_ids().await, s.shop.ids("/api/products?ordering=price", "products"));
        s
    })
    .await;
}

/// The category filter: a GET form, kept in the URL with the ordering.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_filters_by_category() {
    run("browser_filters_by_category", &[], |s| async move {
        s.open("/?ordering=-price").await;
        let select = s.c.find(Locator::Id("category")).await.expect("the category select");
        select.select_by_value("Home & Garden").await.expect("choose a category");
        s.click_to("#filters button[type=submit]", "/?ordering=-price&category=Home+%26+Garden&per_page=10").await;
        let api = "/api/products?category=Home%20%26%20Garden&ordering=-price";
        let expected = s.shop.api_ok(api);
        assert_eq!(s.product_ids().await, s.shop.ids(api, "products"));
        let categories = s.js("return [...document.querySelectorAll('#products tbody td.cat')].map(td => td.textContent);").await;
        let categories = categories.as_array().expect("categories");
        assert!(!categories.is_empty());
        assert!(categories.iter().all(|c| c == "Home & Garden"), "{categories:?}");
        assert_eq!(s.text("#products-total").await, format!("{} products", expected["total"]));
        assert!(s.text("#products-summary").await.contains("in Home & Garden"));

        // Ordering keeps the filter.
        s.click_to("th[data-field=price] a", "/?category=Home%20%26%20Garden&ordering=price&per_page=10").await;
        assert_eq!(
            s.product_ids().await,
            s.shop.ids("/api/products?category=Home%20%26%20Garden&ordering=price&per_page=10", "products")
        );

        s.c.back().await.expect("back");
        s.c.back().await.expect("back");
        s.at("/?ordering=-price").await;
        assert_eq!(s.product_ids().await, s.shop.ids("/api/products?ordering=-price", "products"));
        s
    })
    .await;
}

/// A user's orders load only when opened (from the keyboard here), a page at a
/// time, with "load more" until all are shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_opens_a_users_orders_and_loads_more() {
    run("browser_opens_a_users_orders_and_loads_more", &[], |s| async move {
        // A user with more than one page (5) of orders.
        let user = (1..=harness::USERS)
            .find(|id| !s.shop.api_ok(&format!("/api/users/{id}/orders?per_page=5"))["next"].is_null())
            .expect("a user with more than 5 orders");
        let all_orders = s.shop.ids(&format!("/api/users/{user}/orders?per_page=100"), "orders");
        let first = s.shop.ids(&format!("/api/users/{user}/orders?per_page=5"), "orders");

        s.open("/?tab=users").await;
        assert_eq!(s.text("header.site a[aria-current=page]").await, "Users");
        let toggle = format!("button.orders-toggle[data-user='{user}']");
        if s.c.find(Locator::Css(&toggle)).await.is_err() {
            s.c.find(Locator::Id("users-more")).await.expect("load more users").click().await.expect("click");
            s.until(&format!("document.querySelector({})", serde_json::json!(toggle)), "more users").await;
        }
        let no_orders_yet = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/orders')).length";
        assert_eq!(s.js(no_orders_yet).await, 0, "no order is loaded before asked for");

        // Keyboard: focus the button and press Enter.
        let button = s.c.find(Locator::Css(&toggle)).await.expect("the toggle");
        s.js(&format!("document.querySelector({}).focus(); return true;", serde_json::json!(toggle))).await;
        button.send_keys("\u{E007}").await.expect("press Enter");
        let rows = format!("#orders-{user} tbody tr");
        let count_rows = format!("document.querySelectorAll({}).length", serde_json::json!(rows));
        s.until(&format!("{count_rows} === {}", first.len()), "the first page of orders").await;
        assert_eq!(button.attr("aria-expanded").await.expect("attr").as_deref(), Some("true"));
        let order_ids = format!("return [...document.querySelectorAll({})].map(r => Number(r.dataset.orderId));", serde_json::json!(rows));
        assert_eq!(ids(&s.js(&order_ids).await), first);
        let panel_stats = s.text(&format!("#orders-{user} [data-stats]")).await;
        assert!(panel_stats.contains(&format!("/users/{user}/orders")) && panel_stats.contains("SQL statement"), "{panel_stats}");
        assert_eq!(s.js(no_orders_yet).await, 1, "one request for the first page");

        let more = format!("#orders-{user} button.orders-more");
        let mut clicks = 0;
        while s.js(&format!("return !document.querySelector({}).hidden", serde_json::json!(more))).await == true {
            clicks += 1;
            assert!(clicks < 50);
            let before = s.js(&format!("return {count_rows}")).await.as_u64().unwrap_or(0);
            s.c.find(Locator::Css(&more)).await.expect("load more").click().await.expect("click");
            s.until(&format!("{count_rows} > {before}"), "more orders").await;
        }
        let shown = ids(&s.js(&order_ids).await);
        assert_eq!(shown, all_orders, "every order once, in order");
        assert_eq!(s.text(&format!("#orders-{user} .orders-status")).await, format!("All {} orders shown.", all_orders.len()));

        // Closing hides the panel.
        button.click().await.expect("close");
        assert_eq!(button.attr("aria-expanded").await.expect("attr").as_deref(), Some("false"));
        assert_eq!(s.js(&format!("return document.getElementById('orders-{user}').hidden")).await, true);
        s
    })
    .await;
}

/// The docs page lists the API's operations, with every asset from folio-shop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_docs_page_lists_the_operations_offline() {
    run("browser_docs_page_lists_the_operations_offline", &[], |s| async move {
        s.open("/docs").await;
        s.until("document.querySelectorAll('.opblock').length >= 6", "the operations").await;
        let paths = s
            .js("return [...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent.replace(/\\u200b/g, ''));")
            .await;
        let paths: Vec<String> = serde_json::from_value(paths).expect("paths");
        for expected in ["/api/products", "/api/products/{id}", "/api/users", "/api/users/{id}/orders"] {
            assert!(paths.iter().any(|p| p == expected), "{expected} in {paths:?}");
        }
        let foreign = s
            .js("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin));")
            .await;
        assert_eq!(foreign, serde_json::json!([]), "every asset is served by folio-shop");
        s.screenshot("desktop-docs").await;
        s
    })
    .await;
}

/// Bad input in the page's URL is a friendly message, not a problem+json body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_bad_input_shows_a_friendly_message() {
    run(
        "browser_bad_input_shows_a_friendly_message",
        &[],
        |s| async move {
            s.open("/?page=abc").await;
            let problem = s.text("section.problem").await;
            assert!(problem.contains("We couldn't show that page"), "{problem}");
            assert!(
                problem.contains("page number") && problem.contains("abc"),
                "{problem}"
            );
            let source = s.c.source().await.expect("source");
            assert!(
                !source.contains("invalid_params") && !source.contains("problem+json"),
                "no raw problem body"
            );
            assert!(s.c.find(Locator::Css("#products")).await.is_err());
            s.click_to("section.problem a[href='/']", "/").await;
            assert_eq!(s.product_ids().await.len(), 10);

            s.open("/?ordering=bogus&category=Books").await;
            let problem = s.text("section.problem").await;
            assert!(
                problem.contains("ordering") && problem.contains("bogus"),
                "{problem}"
            );
            s.click_to("section.problem a.button", "/?category=Books")
                .await;
            assert!(!s.product_ids().await.is_empty());

            s.open("/?view=scroll&per_page=abc").await;
            assert!(s.text("section.problem").await.contains("page size"));
            s
        },
    )
    .await;
}

/// The page at desktop and phone widths: screenshots, no horizontal overflow at
/// 375 px, controls at least 24 px tall, and a count capped and shown as "N+".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_screenshots_at_desktop_and_375px() {
    run("browser_screenshots_at_desktop_and_375px", &["--count-cap", "50"], |s| async move {
        s.viewport(DESKTOP.0, DESKTOP.1).await;
        s.open("/?page=5").await;
        s.screenshot("desktop-products").await;
        s.open("/?tab=users").await;
        let first = s.c.find(Locator::Css("button.orders-toggle")).await.expect("a user");
        first.click().await.expect("open orders");
        s.until("document.querySelector('.orders-status') && document.querySelector('.orders-status').textContent.includes('orders')", "orders").await;
        s.screenshot("desktop-users-orders").await;

        s.viewport(375, 812).await;
        for (path, name) in [("/?page=5", "mobile-products"), ("/?tab=users", "mobile-users"), ("/?view=scroll", "mobile-scroll")] {
            s.open(path).await;
            let overflow = s.js("return document.documentElement.scrollWidth - window.innerWidth").await;
            assert!(overflow.as_i64() <= Some(0), "{path}: {overflow} px wider than a 375 px screen");
            let table = s.js("return [...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth);").await;
            assert!(ids(&table).iter().all(|o| *o <= 0), "{path}: a table needs sideways scrolling: {table}");
            let small = s
                .js("return [...document.querySelectorAll('main a, main button, main select')].filter(e => e.offsetParent && e.getBoundingClientRect().height < 24 && !e.closest('th')).map(e => e.outerHTML.slice(0, 80));")
                .await;
            assert_eq!(small, serde_json::json!([]), "{path}: controls too small to tap");
            s.screenshot(name).await;
        }

        // A capped count reads "50+".
        s.viewport(DESKTOP.0, DESKTOP.1).await;
        s.open("/?count=capped").await;
        assert_eq!(s.text("#products-total").await, "50+ products");
        s
    })
    .await;
}

/// With `--envelope drf` the page still works: the server renders it from the seed
/// envelope and its script uses `/ui/api/…`, the API in the seed envelope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_page_works_when_the_server_speaks_drf() {
    run("browser_page_works_when_the_server_speaks_drf", &["--envelope", "drf"], |s| async move {
        assert!(s.shop.api_ok("/api/products?page_size=5")["results"].is_array(), "the API speaks DRF");
        s.open("/?view=scroll&per_page=50").await;
        let mut steps = 0;
        while !s.text("#scroll-status").await.starts_with("End of the list") {
            steps += 1;
            assert!(steps < 400, "the end was not reached: {}", s.text("#scroll-status").await);
            s.js("window.scrollTo(0, document.documentElement.scrollHeight); return true;").await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let shown = s.product_ids().await;
        assert_eq!(shown, (1..=i64::try_from(PRODUCTS).unwrap()).collect::<Vec<_>>());
        assert!(s.text("main [data-stats]").await.contains("GET /ui/api/products?cursor="));

        s.open("/?tab=users").await;
        s.c.find(Locator::Css("button.orders-toggle[data-user='1']"))
            .await
            .expect("user 1")
            .click()
            .await
            .expect("open");
        s.until("document.querySelectorAll('#orders-1 tbody tr').length > 0", "user 1's orders").await;
        let first = ids(&s.js("return [...document.querySelectorAll('#orders-1 tbody tr')].map(r => Number(r.dataset.orderId));").await);
        let api = s.shop.api_ok("/api/users/1/orders?page_size=5");
        let expected: Vec<i64> = api["results"].as_array().expect("results").iter().filter_map(|o| o["id"].as_i64()).collect();
        assert_eq!(first, expected);
        s
    })
    .await;
}
