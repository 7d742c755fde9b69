//! The HTML of the browsable page and of the docs page (maud templates, escaped
//! by construction).

use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use super::internal::{Reply, Stats};
use super::query::{path_of, Change, PageState, Tab, View};

/// The product columns: the ordering field (empty: not sortable), the header text
/// and the cells' class.
const PRODUCT_COLUMNS: [(&str, &str, &str); 6] = [
    ("id", "ID", "num"),
    ("name", "Name", "name"),
    ("", "Category", "cat"),
    ("price", "Price", "num price"),
    ("rating", "Rating", "num rating"),
    ("created_at", "Added", "added"),
];

/// The page sizes offered (any other typed value is kept as an extra option).
const PER_PAGE_CHOICES: [&str; 4] = ["10", "20", "50", "100"];

/// The count strategies offered (`""`: the server's default).
const COUNT_CHOICES: [(&str, &str); 5] = [
    ("", "Server default"),
    ("exact", "Exact"),
    ("estimate", "Estimate"),
    ("capped", "Capped"),
    ("none", "None (fastest)"),
];

/// Page links on each side of the current page, and at each end (the elided range).
const ON_EACH_SIDE: u64 = 2;
const ON_ENDS: u64 = 1;

/// Users per page on the users tab (more are loaded on demand).
pub(crate) const USERS_PER_PAGE: u32 = 10;

/// Where the page's script finds things: the API prefix and the asset version.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    /// `/api`, or `/ui/api` when the server speaks another envelope than seed.
    pub(crate) api_base: &'a str,
    /// Appended to asset URLs (`?v=…`) so a new build is never served from cache.
    pub(crate) asset_version: &'a str,
}

/// `1234567` → `1,234,567`.
pub(crate) fn group(n: u64) -> String {
    let mut reversed = String::new();
    for (i, c) in n.to_string().chars().rev().enumerate() {
        if i > 0 && i % 3 == 0 {
            reversed.push(',');
        }
        reversed.push(c);
    }
    reversed.chars().rev().collect()
}

/// A total with its relation: `120`, `about 1,000,000`, `10,000+`; `None` when the
/// page was not counted.
pub(crate) fn total_text(total: Option<u64>, relation: Option<&str>) -> Option<String> {
    let total = total?;
    Some(match relation {
        Some("approx") => format!("about {}", group(total)),
        Some("gte") => format!("{}+", group(total)),
        _ => group(total),
    })
}

/// Cents as dollars: `123456` → `$1,234.56`.
pub(crate) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}${}.{:02}", group(abs / 100), abs % 100)
}

/// `Last request: GET … — 2 SQL statements · db 0.31 ms · total 1.20 ms`.
fn stats_line(what: &str, stats: Stats) -> Markup {
    let plural = if stats.statements == 1 { "" } else { "s" };
    html! {
        p.stats data-stats aria-live="polite" {
            "Last request: " code.req { "GET " (what) } " — "
            strong.stmts { (stats.statements) " SQL statement" (plural) }
            " · db " span.db { (format!("{:.2}", stats.db.as_secs_f64() * 1000.0)) } " ms"
            " · total " span.total { (format!("{:.2}", stats.total.as_secs_f64() * 1000.0)) } " ms"
        }
    }
}

/// The document around every page.
fn layout(
    site: Site<'_>,
    title: &str,
    current: Tab,
    body_class: &str,
    main: &Markup,
    docs: bool,
) -> Markup {
    let v = site.asset_version;
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · folio-shop" }
                link rel="icon" href={ "/assets/favicon.svg?v=" (v) } type="image/svg+xml";
                @if docs {
                    link rel="stylesheet" href="/docs/swagger-ui.css";
                }
                link rel="stylesheet" href={ "/assets/app.css?v=" (v) };
                @if !docs {
                    script defer src={ "/assets/app.js?v=" (v) } {}
                }
            }
            body class=(body_class) data-api=(site.api_base) {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    a.brand href="/" { span aria-hidden="true" { "▤ " } "folio-shop" }
                    nav aria-label="Sections" {
                        ul {
                            li { a href="/" aria-current=[(!docs && current == Tab::Products).then_some("page")] { "Products" } }
                            li { a href="/?tab=users" aria-current=[(!docs && current == Tab::Users).then_some("page")] { "Users" } }
                            li { a href="/docs" aria-current=[docs.then_some("page")] { "API docs" } }
                        }
                    }
                }
                main #main tabindex="-1" { (main) }
                footer.site {
                    "folio-shop " (env!("CARGO_PKG_VERSION")) " · the JSON behind this page: "
                    a href="/api/products" { "/api/products" } " · "
                    a href="/api/users" { "/api/users" } " · "
                    a href="/openapi.json" { "/openapi.json" }
                }
                @if docs {
                    script src="/docs/swagger-ui-bundle.js" {}
                    script src={ "/assets/docs.js?v=" (v) } {}
                }
            }
        }
    }
}

/// A product row, as the script renders the rows it appends (`app.js` `productRow`).
fn product_row(p: &Value) -> Markup {
    let id = p["id"].as_i64().unwrap_or_default();
    let created = p["created_at"].as_str().unwrap_or("");
    html! {
        tr data-id=(id) {
            td.num { (id) }
            td.name {
                (p["name"].as_str().unwrap_or(""))
                // Shown instead of the category column on narrow screens.
                span.sub { (p["category"].as_str().unwrap_or("")) }
            }
            td.cat { (p["category"].as_str().unwrap_or("")) }
            td.num.price { (money(p["price"].as_i64().unwrap_or_default())) }
            td.num.rating {
                @match p["rating"].as_f64() {
                    Some(r) => (format!("{r:.1}")),
                    None => span.muted { "n/a" },
                }
            }
            td.added { time datetime=(created) { (created.get(..10).unwrap_or(created)) } }
        }
    }
}

/// The filter form: category, page size, count strategy.
fn filters(page: &PageState) -> Markup {
    let category = page.category.as_deref().unwrap_or("");
    let per_page = page.per_page.as_deref().unwrap_or("");
    let count = page.count.as_deref().unwrap_or("");
    let known_category = category.is_empty() || crate::seed::CATEGORIES.contains(&category);
    let known_per_page = per_page.is_empty() || PER_PAGE_CHOICES.contains(&per_page);
    let known_count = COUNT_CHOICES.iter().any(|(v, _)| *v == count);
    html! {
        form #filters.filters method="get" action="/" {
            @if page.view == View::Scroll { input type="hidden" name="view" value="scroll"; }
            @if let Some(o) = &page.ordering { input type="hidden" name="ordering" value=(o); }
            div.field {
                label for="category" { "Category" }
                select #category name="category" {
                    option value="" selected[category.is_empty()] { "All categories" }
                    @for c in crate::seed::CATEGORIES {
                        option value=(c) selected[*c == category] { (c) }
                    }
                    @if !known_category { option value=(category) selected { (category) } }
                }
            }
            div.field {
                label for="per_page" { "Per page" }
                select #per_page name="per_page" {
                    @if !known_per_page { option value=(per_page) selected { (per_page) } }
                    @for n in PER_PAGE_CHOICES {
                        option value=(n) selected[n == per_page || (per_page.is_empty() && n == "10")] { (n) }
                    }
                }
            }
            div.field {
                label for="count" { "Count" }
                select #count name="count" {
                    @for (v, label) in COUNT_CHOICES {
                        option value=(v) selected[v == count] { (label) }
                    }
                    @if !known_count { option value=(count) selected { (count) } }
                }
            }
            button.apply type="submit" { "Apply" }
        }
    }
}

/// The switch between numbered pages and infinite scroll.
fn view_switch(page: &PageState) -> Markup {
    let link = |view: View, text: &str| {
        let current = page.view == view;
        html! {
            a href=(page.href(Change::View(view))) aria-current=[current.then_some("true")] { (text) }
        }
    };
    html! {
        div.views role="group" aria-label="How to page through the products" {
            (link(View::Pages, "Numbered pages"))
            (link(View::Scroll, "Infinite scroll"))
        }
    }
}

/// The products table's header: links that order by a column (again: reversed).
fn product_head(page: &PageState) -> Markup {
    html! {
        thead {
            tr {
                @for (field, label, class) in PRODUCT_COLUMNS {
                    @if field.is_empty() {
                        th scope="col" class=(class) { (label) }
                    } @else {
                        @let sorted = page.sorted_by(field);
                        @let aria = sorted.map(|asc| if asc { "ascending" } else { "descending" });
                        @let next = page.toggled(field);
                        @let hint = if next.starts_with('-') { "descending" } else { "ascending" };
                        th scope="col" class=(class) aria-sort=[aria] data-field=(field) {
                            a.sort href=(page.href(Change::Ordering(&next)))
                                title={ "Sort by " (label.to_lowercase()) ", " (hint) } {
                                (label)
                                span.arrow aria-hidden="true" {
                                    @match sorted { Some(true) => "▲", Some(false) => "▼", None => "↕" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One link of the pager (or a disabled placeholder).
fn pager_link(href: Option<String>, text: &str, label: &str, rel: Option<&str>) -> Markup {
    html! {
        li {
            @if let Some(href) = href {
                a href=(href) aria-label=(label) rel=[rel] { (text) }
            } @else {
                span.disabled aria-disabled="true" aria-label=(label) { (text) }
            }
        }
    }
}

/// The numbered page navigation: first, previous, the elided range, next, last.
fn pager(
    page: &PageState,
    current: u64,
    pages: Option<u64>,
    relation: Option<&str>,
    has_next: bool,
) -> Markup {
    let link = |n: u64| {
        if n <= 1 {
            page.href(Change::Page(None))
        } else {
            page.href(Change::Page(Some(&n.to_string())))
        }
    };
    let has_previous = current > 1;
    let last_href = match (pages, relation) {
        (Some(p), Some("eq")) if p > 0 => Some(link(p)),
        (Some(_), _) => Some(page.href(Change::Page(Some("last")))),
        (None, _) => None,
    };
    let at_last = pages.is_some_and(|p| current >= p && relation == Some("eq")) || !has_next;
    let range =
        pages.map(|p| folio::elided_page_range(current, p.max(current), ON_EACH_SIDE, ON_ENDS));
    html! {
        nav.pager aria-label="Pages" {
            ul {
                (pager_link(has_previous.then(|| link(1)), "« First", "First page", None))
                (pager_link(has_previous.then(|| link(current - 1)), "‹ Prev", "Previous page", Some("prev")))
                @if let Some(range) = range {
                    @for item in range {
                        @match item {
                            folio::PageItem::Page(n) if n == current => {
                                li { a href=(link(n)) aria-current="page" aria-label={ "Page " (n) ", current page" } { (group(n)) } }
                            }
                            folio::PageItem::Page(n) => {
                                li { a href=(link(n)) aria-label={ "Page " (n) } { (group(n)) } }
                            }
                            folio::PageItem::Ellipsis => {
                                li.gap aria-hidden="true" { "…" }
                            }
                        }
                    }
                    @if relation == Some("gte") { li.gap aria-hidden="true" { "…" } }
                } @else {
                    li { a href=(link(current)) aria-current="page" { "Page " (group(current)) } }
                }
                (pager_link(has_next.then(|| link(current + 1)), "Next ›", "Next page", Some("next")))
                (pager_link(last_href.filter(|_| !at_last), "Last »", "Last page", None))
            }
        }
    }
}

/// A friendly account of an API refusal (never the raw problem body).
fn problem(page: &PageState, reply: &Reply) -> Markup {
    let body = reply.json();
    let params: Vec<(String, String)> = body["invalid_params"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap_or("").to_owned(),
                        p["reason"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let typed = |name: &str| match name {
        "page" => page.page.clone(),
        "per_page" => page.per_page.clone(),
        "ordering" => page.ordering.clone(),
        "category" => page.category.clone(),
        "count" => page.count.clone(),
        _ => None,
    };
    let names: Vec<String> = params.iter().map(|(n, _)| n.clone()).collect();
    let label = |name: &str| match name {
        "page" => "The page number",
        "per_page" => "The page size",
        "ordering" => "The ordering",
        "category" => "The category",
        "count" => "The count",
        _ => "A value",
    };
    html! {
        section.problem role="alert" aria-labelledby="problem-title" {
            h2 #problem-title {
                @if reply.status.is_client_error() { "We couldn't show that page" }
                @else { "Something went wrong on our side" }
            }
            @if params.is_empty() {
                p { (body["detail"].as_str().unwrap_or("The list could not be loaded. Please try again.")) }
            } @else {
                p { "The address asks for something the catalogue doesn't understand:" }
                ul {
                    @for (name, reason) in &params {
                        li {
                            strong { (label(name)) }
                            @if let Some(v) = typed(name) { " (you asked for “" code { (v) } "”)" }
                            ": " (reason_markup(reason))
                        }
                    }
                }
            }
            p.actions {
                @if !names.is_empty() && page.href(Change::Without(&names)) != "/" {
                    a.button href=(page.href(Change::Without(&names))) { "Show the list without it" }
                    " "
                }
                a href="/" { "Start over" }
            }
        }
    }
}

/// An API reason (`must be a positive integer (or \`last\`)`) with its
/// backquoted words as code, ending with a full stop.
fn reason_markup(reason: &str) -> Markup {
    let reason = reason.trim();
    html! {
        @for (i, part) in reason.split('`').enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
        @if !reason.ends_with('.') { "." }
    }
}

/// The number in `page=N` of an API link (the page a `previous` link points at).
fn page_param(link: &str) -> Option<u64> {
    let (_, query) = link.split_once('?')?;
    query
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// The products tab: the table of `reply` (the API answer to `api`), or a friendly
/// account of why the API refused the request.
pub(crate) fn products(site: Site<'_>, page: &PageState, api: &str, reply: &Reply) -> Markup {
    let ok = reply.status.is_success();
    let body = if ok { reply.json() } else { Value::Null };
    let items: &[Value] = body["products"].as_array().map_or(&[], Vec::as_slice);
    let total = body["total"].as_u64();
    let relation = body["total_relation"].as_str();
    let pages = body["pages"].as_u64();
    let current = body["current_page"].as_u64().unwrap_or(1).max(1);
    let next = body["next"].as_str().and_then(path_of);
    let previous = body["previous"].as_str();
    let total_label = total_text(total, relation);
    let ordering_text = page.ordering.as_deref().unwrap_or("id");
    let category_text = page
        .category
        .as_deref()
        .map(|c| format!(" in {c}"))
        .unwrap_or_default();
    let main = html! {
        h1 { "Products" }
        p.summary #products-summary {
            @if let Some(t) = &total_label {
                strong #products-total data-total=[total] data-relation=[relation] {
                    (t) " product" @if total != Some(1) || relation != Some("eq") { "s" }
                }
                (category_text)
            } @else {
                "Products" (category_text) " (not counted)"
            }
            @if ok && page.view == View::Pages {
                @if let Some(p) = pages { " · page " (group(current)) " of " (total_text(Some(p), relation).unwrap_or_default()) }
                @else { " · page " (group(current)) }
            }
        }
        (filters(page))
        (view_switch(page))
        @if !ok {
            (problem(page, reply))
        } @else {
            (stats_line(api, reply.stats))
            div.table-wrap role="region" aria-label="Products" tabindex="0" {
                table #products data-view=(if page.view == View::Scroll { "scroll" } else { "pages" })
                    data-next=[next.as_deref()] {
                    caption.visually-hidden {
                        "Products ordered by " (ordering_text) (category_text)
                        @if page.view == View::Pages { ", page " (current) }
                    }
                    (product_head(page))
                    tbody { @for p in items { (product_row(p)) } }
                }
            }
            @if items.is_empty() {
                @if let Some(prev) = previous {
                    @let last = pages.filter(|p| *p > 0).or_else(|| page_param(prev));
                    p.empty #past-end {
                        "There are no products on page " (group(current)) ". "
                        @if let Some(last) = last {
                            a href=(page.href(Change::Page(Some(&last.to_string())))) { "Go to the last page (" (group(last)) ")" }
                        }
                    }
                } @else {
                    p.empty #no-results { "No products match. " a href="/" { "Show all products" } }
                }
            }
            @match page.view {
                View::Pages => (pager(page, current, pages, relation, next.is_some())),
                View::Scroll => {
                    div.scroll-foot {
                        p #scroll-status.scroll-status role="status" aria-live="polite" {
                            @if next.is_some() {
                                "Showing " (items.len()) @if let Some(t) = &total_label { " of " (t) } " products. Scroll down for more."
                            } @else {
                                "End of the list: all " (items.len()) " products shown."
                            }
                        }
                        @if next.is_some() {
                            button #load-more type="button" { "Load more products" }
                        }
                        div #scroll-sentinel aria-hidden="true" {}
                    }
                }
            }
        }
    };
    layout(site, "Products", Tab::Products, "products", &main, false)
}

/// The users tab: a page of users; each user's orders load on demand.
pub(crate) fn users(site: Site<'_>, api: &str, reply: &Reply) -> Markup {
    let ok = reply.status.is_success();
    let body = if ok { reply.json() } else { Value::Null };
    let items: &[Value] = body["users"].as_array().map_or(&[], Vec::as_slice);
    let total = total_text(body["total"].as_u64(), body["total_relation"].as_str());
    let next = body["next"].as_str().and_then(path_of);
    let main = html! {
        h1 { "Users" }
        p.summary {
            @if let Some(t) = &total { strong #users-total { (t) " users" } ". " }
            "A user's orders are not loaded with the list: "
            "“Show orders” fetches them from " code { "/api/users/{id}/orders" } ", a page at a time."
        }
        @if !ok {
            section.problem role="alert" {
                h2 { "The users could not be loaded" }
                p { (reply.json()["detail"].as_str().unwrap_or("Please try again.")) }
            }
        } @else {
            (stats_line(api, reply.stats))
            div.table-wrap role="region" aria-label="Users" tabindex="0" {
                table #users data-next=[next.as_deref()] {
                    caption.visually-hidden { "Users, with their orders on demand" }
                    thead {
                        tr {
                            th.num scope="col" { "ID" }
                            th.name scope="col" { "Name" }
                            th.email scope="col" { "Email" }
                            th.added scope="col" { "Joined" }
                            th scope="col" { "Orders" }
                        }
                    }
                    tbody {
                        @for u in items {
                            @let id = u["id"].as_i64().unwrap_or_default();
                            @let name = u["name"].as_str().unwrap_or("");
                            @let created = u["created_at"].as_str().unwrap_or("");
                            tr data-user-id=(id) {
                                td.num { (id) }
                                td.name {
                                    (name)
                                    // Shown instead of the email column on narrow screens.
                                    span.sub { (u["email"].as_str().unwrap_or("")) }
                                }
                                td.email { (u["email"].as_str().unwrap_or("")) }
                                td.added { time datetime=(created) { (created.get(..10).unwrap_or(created)) } }
                                td {
                                    button.orders-toggle type="button" data-user=(id) data-name=(name)
                                        aria-expanded="false" aria-controls={ "orders-" (id) } {
                                        "Show orders"
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.scroll-foot {
                p #users-status role="status" aria-live="polite" {
                    @if next.is_some() {
                        "Showing " (items.len()) @if let Some(t) = &total { " of " (t) } " users."
                    } @else {
                        "All " (items.len()) " users shown."
                    }
                }
                @if next.is_some() { button #users-more type="button" { "Load more users" } }
            }
        }
    };
    layout(site, "Users", Tab::Users, "users", &main, false)
}

/// The docs page: Swagger UI (served by this binary) over `/openapi.json`.
pub(crate) fn docs(site: Site<'_>) -> Markup {
    let main = html! {
        h1.visually-hidden { "API documentation" }
        div #swagger-ui data-url="/openapi.json" {
            p.loading { "Loading the API documentation…" }
        }
        noscript {
            p { "The interactive docs need JavaScript. The OpenAPI document itself is at "
                a href="/openapi.json" { "/openapi.json" } "." }
        }
    };
    layout(site, "API docs", Tab::Products, "docs", &main, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_totals() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1_000_000), "1,000,000");
        assert_eq!(
            total_text(Some(1_000_000), Some("approx")).as_deref(),
            Some("about 1,000,000")
        );
        assert_eq!(
            total_text(Some(10_000), Some("gte")).as_deref(),
            Some("10,000+")
        );
        assert_eq!(total_text(Some(120), Some("eq")).as_deref(), Some("120"));
        assert_eq!(total_text(None, None), None);
        assert_eq!(money(123_456), "$1,234.56");
        assert_eq!(money(5), "$0.05");
        assert_eq!(money(-150), "-$1.50");
    }

    #[test]
    fn page_of_a_link() {
        assert_eq!(page_param("/api/products?per_page=10&page=12"), Some(12));
        assert_eq!(page_param("/api/products?cursor=x"), None);
    }
}
