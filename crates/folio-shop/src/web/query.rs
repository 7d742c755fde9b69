//! The browsable page's own query string: which tab and view, and the list
//! parameters that are handed to the JSON API exactly as the person typed them.
//!
//! Values are not validated here: the API validates them, and a value it rejects is
//! shown as a friendly message ([`super::render`]).

use std::fmt::Write as _;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every byte but the unreserved ones of RFC 3986 is percent-encoded in a value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Which list the page shows (`tab=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Tab {
    /// The product catalogue (the default).
    #[default]
    Products,
    /// Users, with their orders on demand (`tab=users`).
    Users,
}

/// How the product list is paged (`view=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum View {
    /// Numbered pages (page-number mode; the default).
    #[default]
    Pages,
    /// Infinite scroll (cursor mode; `view=scroll`).
    Scroll,
}

/// The page's state, read from its URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PageState {
    pub(crate) tab: Tab,
    pub(crate) view: View,
    /// `page`, as typed (`3`, `last`, or anything else: the API judges).
    pub(crate) page: Option<String>,
    pub(crate) per_page: Option<String>,
    pub(crate) ordering: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) count: Option<String>,
}

/// A change to a [`PageState`] when a link is built.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change<'a> {
    /// Go to this page (`None`: the first page, with no `page` parameter).
    Page(Option<&'a str>),
    /// Order by this (and go back to the first page).
    Ordering(&'a str),
    /// Switch the view (and go back to the first page).
    View(View),
    /// Drop these parameters (the ones the API rejected).
    Without(&'a [String]),
}

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a space).
pub(crate) fn decode(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// Percent-encodes one query value.
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, COMPONENT).to_string()
}

impl PageState {
    /// Reads the state from a raw query string. Unknown parameters are ignored, a
    /// repeated one keeps its last value and an empty value counts as absent (the
    /// filter form sends `category=` for "all categories").
    pub(crate) fn parse(query: &str) -> Self {
        let mut state = PageState::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            let value = (!value.is_empty()).then_some(value);
            match decode(key).as_str() {
                "tab" => {
                    state.tab = if value.as_deref() == Some("users") {
                        Tab::Users
                    } else {
                        Tab::Products
                    };
                }
                "view" => {
                    state.view = if value.as_deref() == Some("scroll") {
                        View::Scroll
                    } else {
                        View::Pages
                    };
                }
                "page" => state.page = value,
                "per_page" => state.per_page = value,
                "ordering" => state.ordering = value,
                "category" => state.category = value,
                "count" => state.count = value,
                _ => {}
            }
        }
        state
    }

    /// The list parameters handed to the API, in a fixed order (without `page`).
    fn list_params(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("category", self.category.as_deref()),
            ("ordering", self.ordering.as_deref()),
            ("per_page", self.per_page.as_deref()),
            ("count", self.count.as_deref()),
        ]
    }

    /// The API request for the product list: page-number mode or, for infinite
    /// scroll, the first page in cursor mode (`cursor=`).
    pub(crate) fn products_api(&self) -> String {
        let mut out = String::from("/api/products?");
        match self.view {
            View::Pages => {
                if let Some(page) = &self.page {
                    let _ = write!(out, "page={}&", encode(page));
                }
            }
            View::Scroll => out.push_str("cursor=&"),
        }
        for (key, value) in self.list_params() {
            if let Some(v) = value {
                let _ = write!(out, "{key}={}&", encode(v));
            }
        }
        out.pop();
        out
    }

    /// The page's own URL after `change`: every choice kept, defaults left out.
    pub(crate) fn href(&self, change: Change<'_>) -> String {
        let mut next = self.clone();
        match change {
            Change::Page(page) => next.page = page.map(str::to_owned),
            Change::Ordering(ordering) => {
                next.ordering = Some(ordering.to_owned());
                next.page = None;
            }
            Change::View(view) => {
                next.view = view;
                next.page = None;
            }
            Change::Without(names) => {
                for name in names {
                    match name.as_str() {
                        "page" => next.page = None,
                        "per_page" => next.per_page = None,
                        "ordering" => next.ordering = None,
                        "category" => next.category = None,
                        "count" => next.count = None,
                        _ => {}
                    }
                }
            }
        }
        if next.view == View::Scroll {
            next.page = None;
        }
        let mut out = String::from("/?");
        if next.tab == Tab::Users {
            out.push_str("tab=users&");
        }
        if next.view == View::Scroll {
            out.push_str("view=scroll&");
        }
        for (key, value) in next.list_params() {
            if let Some(v) = value {
                let _ = write!(out, "{key}={}&", encode(v));
            }
        }
        if let Some(page) = &next.page {
            let _ = write!(out, "page={}&", encode(page));
        }
        out.pop();
        out
    }

    /// The sort key currently in force for `field`: `Some(true)` ascending,
    /// `Some(false)` descending, `None` when the list is not ordered by it first.
    pub(crate) fn sorted_by(&self, field: &str) -> Option<bool> {
        let ordering = self.ordering.as_deref().unwrap_or("id");
        let first = ordering.split(',').next().unwrap_or("").trim();
        match first.strip_prefix('-') {
            Some(f) if f == field => Some(false),
            None if first == field => Some(true),
            _ => None,
        }
    }

    /// The ordering a click on `field`'s header asks for: ascending, or reversed
    /// when the list is already ordered by it ascending.
    pub(crate) fn toggled(&self, field: &str) -> String {
        if self.sorted_by(field) == Some(true) {
            format!("-{field}")
        } else {
            field.to_owned()
        }
    }
}

/// The path and query of an absolute link from the API (`http://host/api/…?…` →
/// `/api/…?…`), so the page follows it on whatever origin it was served from.
pub(crate) fn path_of(link: &str) -> Option<String> {
    let uri: http::Uri = link.parse().ok()?;
    uri.path_and_query().map(ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_ignores_unknown_and_empty() {
        let s = PageState::parse(
            "page=3&category=Home+%26+Garden&ordering=-price&x=1&count=&view=scroll",
        );
        assert_eq!(s.page.as_deref(), Some("3"));
        assert_eq!(s.category.as_deref(), Some("Home & Garden"));
        assert_eq!(s.ordering.as_deref(), Some("-price"));
        assert_eq!(s.count, None);
        assert_eq!(s.view, View::Scroll);
        assert_eq!(s.tab, Tab::Products);
        assert_eq!(PageState::parse("tab=users").tab, Tab::Users);
        assert_eq!(PageState::parse(""), PageState::default());
    }

    #[test]
    fn api_urls_forward_values_as_typed() {
        let s = PageState::parse("page=abc&category=Home+%26+Garden");
        assert_eq!(
            s.products_api(),
            "/api/products?page=abc&category=Home%20%26%20Garden"
        );
        let s = PageState::parse("view=scroll&page=4&per_page=20");
        assert_eq!(s.products_api(), "/api/products?cursor=&per_page=20");
        assert_eq!(PageState::default().products_api(), "/api/products");
    }

    #[test]
    fn links_keep_choices_and_reset_the_page() {
        let s = PageState::parse("page=3&ordering=price&category=Books");
        assert_eq!(
            s.href(Change::Page(Some("4"))),
            "/?category=Books&ordering=price&page=4"
        );
        assert_eq!(
            s.href(Change::Page(None)),
            "/?category=Books&ordering=price"
        );
        assert_eq!(
            s.href(Change::Ordering("-price")),
            "/?category=Books&ordering=-price"
        );
        assert_eq!(
            s.href(Change::View(View::Scroll)),
            "/?view=scroll&category=Books&ordering=price"
        );
        assert_eq!(
            s.href(Change::Without(&["page".to_owned(), "category".to_owned()])),
            "/?ordering=price"
        );
        assert_eq!(PageState::default().href(Change::Page(None)), "/");
    }

    #[test]
    fn header_clicks_toggle_the_direction() {
        let s = PageState::parse("");
        assert_eq!(s.sorted_by("id"), Some(true));
        assert_eq!(s.toggled("price"), "price");
        let s = PageState::parse("ordering=price,name");
        assert_eq!(s.sorted_by("price"), Some(true));
        assert_eq!(s.toggled("price"), "-price");
        let s = PageState::parse("ordering=-price");
        assert_eq!(s.sorted_by("price"), Some(false));
        assert_eq!(s.toggled("price"), "price");
        assert_eq!(s.sorted_by("name"), None);
    }

    #[test]
    fn api_links_become_paths() {
        assert_eq!(
            path_of("http://127.0.0.1:9/api/products?cursor=abc&per_page=5").as_deref(),
            Some("/api/products?cursor=abc&per_page=5")
        );
        assert_eq!(path_of("not a url"), None);
    }
}
