//! Next/previous/first/last links that keep every other query parameter, the RFC 8288
//! `Link` header and `X-Total-Count`.
//!
//! A [`LinkBuilder`] reads the request's query string once, exactly as the client sent
//! it, and builds each link by replacing only the pagination *position* parameter
//! (`page`, `offset`, `cursor`; JSON:API `page[number]`, `page[offset]`,
//! `page[after]`, `page[before]`). Every other parameter, the page size included,
//! keeps its place, its repetitions and its raw encoding:
//!
//! - the new position parameter takes the place of the first occurrence of a position
//!   parameter of the page's mode, or is appended when there is none;
//! - every other occurrence of a position parameter (of any mode) is removed;
//! - new values are percent-encoded for a query component (everything but
//!   `A-Z a-z 0-9 - . _ ~`), and so are new parameter names (`page%5Bnumber%5D`),
//!   except that a replaced parameter keeps the client's spelling of its name;
//! - empty segments (`&&`) are dropped, and bytes that may not appear in a URL at
//!   all (controls, space, `"`, `<`, `>`, `#`, non-ASCII) are percent-encoded as a
//!   browser would; everything else is copied byte for byte.
//!
//! The links follow Django REST Framework: page 1 is the URL *without* `page`, offset
//! 0 the URL without `offset`, and every limit/offset link carries the limit (the
//! client's parameter as sent, or `limit=<the page's limit>` appended when the client
//! sent none). See [`LinkBuilder::links`] for the rules per mode.

use std::borrow::Cow;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

use crate::{Page, ParamNames, Window};

/// Encoded in new names and values: everything but RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encoded in the client's own parameters: what may never appear in a URL's query
/// (the WHATWG query set; non-ASCII is always encoded).
const NEVER_IN_QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(0x7F);

/// The navigation links of a page (absolute URLs), each absent when there is no such page.
///
/// ```
/// let links = folio::PageLinks { next: Some("http://x/items?page=2".into()), ..Default::default() };
/// assert!(links.previous.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// The first page.
    pub first: Option<String>,
    /// The previous page.
    pub previous: Option<String>,
    /// The next page.
    pub next: Option<String>,
    /// The last page.
    pub last: Option<String>,
}

/// A position parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Page,
    Offset,
    Cursor,
    After,
    Before,
}

/// What a segment of the client's query is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Kept as sent.
    Other,
    /// The limit parameter (kept as sent; noted so that offset links add it only when
    /// the client did not send it).
    Limit,
    /// A position parameter: replaced or removed.
    Position(Position),
}

/// One `name=value` segment of the client's query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    /// The segment as sent (with only never-valid bytes encoded).
    raw: String,
    /// Length of the raw name (before `=`) within `raw`.
    key_len: usize,
    kind: Kind,
}

/// The new position parameter of a link.
struct Set<'a> {
    position: Position,
    name: &'a str,
    value: &'a str,
}

/// Builds a page's links from the request URL, keeping every non-pagination parameter.
///
/// ```
/// use folio::{LinkBuilder, Page, ParamNames, Total, Window};
/// let links = LinkBuilder::new(
///     "http://localhost:8000/api/products",
///     "category=Home%20%26%20Garden&page=3&ordering=-price",
///     &ParamNames::seed(),
/// );
/// let page = Page {
///     items: vec![1; 10], has_next: true, has_previous: true,
///     total: Some(Total::exact(95)), window: Window::Page { number: 3, size: 10 },
///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
/// };
/// let l = links.links(&page);
/// let base = "http://localhost:8000/api/products";
/// assert_eq!(l.next.unwrap(), format!("{base}?category=Home%20%26%20Garden&page=4&ordering=-price"));
/// assert_eq!(l.previous.unwrap(), format!("{base}?category=Home%20%26%20Garden&page=2&ordering=-price"));
/// assert_eq!(l.first.unwrap(), format!("{base}?category=Home%20%26%20Garden&ordering=-price"));
/// assert_eq!(l.last.unwrap(), format!("{base}?category=Home%20%26%20Garden&page=10&ordering=-price"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkBuilder {
    base: String,
    segments: Vec<Segment>,
    names: ParamNames,
    has_limit: bool,
}

impl LinkBuilder {
    /// Reads the request: `base_url` is the absolute URL without its query
    /// (`http://localhost:8000/api/products`; anything from a `?` or `#` on is
    /// ignored), `raw_query` the query string exactly as the client sent it (a
    /// leading `?` is ignored), `names` the pagination parameters' names.
    ///
    /// ```
    /// use folio::{LinkBuilder, ParamNames, Page, Window};
    /// let b = LinkBuilder::new("http://x/api/items?ignored", "?q=a+b&page=2", &ParamNames::seed());
    /// let page = Page::<u8> {
    ///     items: vec![1], has_next: false, has_previous: true, total: None,
    ///     window: Window::Page { number: 2, size: 1 },
    ///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
    /// };
    /// assert_eq!(b.links(&page).previous.unwrap(), "http://x/api/items?q=a+b");
    /// ```
    pub fn new(base_url: &str, raw_query: &str, names: &ParamNames) -> Self {
        let end = base_url.find(['?', '#']).unwrap_or(base_url.len());
        let raw_query = raw_query.strip_prefix('?').unwrap_or(raw_query);
        let mut has_limit = false;
        let segments = raw_query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let raw_key = s.split_once('=').map_or(s, |(k, _)| k);
                let kind = classify(raw_key, names);
                has_limit |= kind == Kind::Limit;
                let raw = utf8_percent_encode(s, NEVER_IN_QUERY).to_string();
                let key_len = utf8_percent_encode(raw_key, NEVER_IN_QUERY)
                    .map(str::len)
                    .sum();
                Segment { raw, key_len, kind }
            })
            .collect();
        LinkBuilder {
            base: base_url[..end].to_owned(),
            segments,
            names: names.clone(),
            has_limit,
        }
    }

    /// The links of `page`.
    ///
    /// Page number (`Window::Page { number: n, .. }`):
    /// - `next`: page n + 1, when `has_next`;
    /// - `previous`: page n − 1, when n > 1; past the end (no items) with a known
    ///   total, the last page, `ceil(total / size)`, instead;
    /// - `first`: always;
    /// - `last`: page `ceil(total / size)`, only when the total is exact;
    /// - page 1 is the URL without the page parameter (as Django REST Framework).
    ///
    /// Limit/offset (`Window::Offset { offset, limit }`):
    /// - `next`: offset + limit, when `has_next`;
    /// - `previous`: max(0, offset − limit), when offset > 0; past the end (no items)
    ///   with a known total, the last page's offset, `(total − 1) / limit × limit`;
    /// - `first`: always; `last`: the last page's offset, only with an exact total;
    /// - offset 0 is the URL without the offset parameter (as Django REST Framework);
    /// - every link carries the limit, as DRF's `LimitOffsetPagination` writes it on
    ///   its `next` and `previous` links: the client's limit parameter stays where
    ///   it was and as it was sent; when the client sent none, `limit=<the page's
    ///   limit>` is appended (before a new offset parameter, so `?q=x` gets
    ///   `?q=x&limit=10&offset=10`, and `?offset=10` gets `?offset=20&limit=10`).
    ///   Unlike DRF, which re-encodes the whole query with its parameters sorted by
    ///   name (`?limit=10&offset=20`), the client's parameter order is kept.
    ///
    /// Cursor (`Window::Cursor`):
    /// - `next` and `previous`: `cursor=<next_cursor>` / `cursor=<previous_cursor>`
    ///   when `has_next` / `has_previous` and the token is set;
    /// - `first`: `cursor=` (present but empty); `last`: `cursor=last`; both always;
    /// - without a `cursor` name (JSON:API): `page[after]=<token>` for `next`,
    ///   `page[before]=<token>` for `previous`, `page[after]=` for `first` and
    ///   `page[before]=` for `last`.
    ///
    /// ```
    /// use folio::{LinkBuilder, Page, ParamNames, Total, Window};
    /// let b = LinkBuilder::new("http://x/items", "limit=10&offset=10", &ParamNames::drf());
    /// let page = Page {
    ///     items: vec![0; 10], has_next: true, has_previous: true,
    ///     total: Some(Total::exact(25)), window: Window::Offset { offset: 10, limit: 10 },
    ///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
    /// };
    /// let l = b.links(&page);
    /// assert_eq!(l.next.as_deref(), Some("http://x/items?limit=10&offset=20"));
    /// assert_eq!(l.previous.as_deref(), Some("http://x/items?limit=10"));
    /// assert_eq!(l.last.as_deref(), Some("http://x/items?limit=10&offset=20"));
    ///
    /// // No limit sent (the default, 10, applies): every link still carries it.
    /// let b = LinkBuilder::new("http://x/items", "offset=10", &ParamNames::drf());
    /// let l = b.links(&page);
    /// assert_eq!(l.next.as_deref(), Some("http://x/items?offset=20&limit=10"));
    /// assert_eq!(l.previous.as_deref(), Some("http://x/items?limit=10"));
    /// assert_eq!(l.first.as_deref(), Some("http://x/items?limit=10"));
    /// assert_eq!(l.last.as_deref(), Some("http://x/items?offset=20&limit=10"));
    /// ```
    pub fn links<T>(&self, page: &Page<T>) -> PageLinks {
        match page.window {
            Window::Page { number, .. } => self.page_links(page, number),
            Window::Offset { offset, limit } => self.offset_links(page, offset, limit.max(1)),
            Window::Cursor { .. } => self.cursor_links(page),
        }
    }

    fn page_links<T>(&self, page: &Page<T>, number: u64) -> PageLinks {
        let url = |n: u64| {
            if n <= 1 {
                self.url(&[Position::Page], None, None)
            } else {
                let value = n.to_string();
                let set = Set {
                    position: Position::Page,
                    name: &self.names.page,
                    value: &value,
                };
                self.url(&[Position::Page], Some(&set), None)
            }
        };
        let pages = page.pages();
        let previous = (number > 1).then(|| {
            let target = match pages {
                Some(p) if page.items.is_empty() && p < number => p,
                _ => number - 1,
            };
            url(target)
        });
        PageLinks {
            first: Some(url(1)),
            previous,
            next: page.has_next.then(|| url(number.saturating_add(1))),
            last: pages
                .filter(|_| page.total.is_some_and(|t| t.is_exact()))
                .map(url),
        }
    }

    fn offset_links<T>(&self, page: &Page<T>, offset: u64, limit: u64) -> PageLinks {
        // Every link carries the limit (as DRF's do): the client's, kept in place as
        // sent, or the page's appended.
        let limit_value = limit.to_string();
        let size = (!self.has_limit).then(|| (&*self.names.limit, &*limit_value));
        let url = |o: u64| {
            if o == 0 {
                self.url(&[Position::Offset], None, size)
            } else {
                let value = o.to_string();
                let set = Set {
                    position: Position::Offset,
                    name: &self.names.offset,
                    value: &value,
                };
                self.url(&[Position::Offset], Some(&set), size)
            }
        };
        let last_offset = |total: u64| total.saturating_sub(1) / limit * limit;
        let previous = (offset > 0).then(|| {
            let back = offset.saturating_sub(limit);
            let target = match page.total {
                Some(t) if page.items.is_empty() && last_offset(t.value) < offset => {
                    last_offset(t.value)
                }
                _ => back,
            };
            url(target)
        });
        PageLinks {
            first: Some(url(0)),
            previous,
            next: page.has_next.then(|| url(offset.saturating_add(limit))),
            last: page
                .total
                .filter(crate::Total::is_exact)
                .map(|t| url(last_offset(t.value))),
        }
    }

    fn cursor_links<T>(&self, page: &Page<T>) -> PageLinks {
        const MODE: &[Position] = &[Position::Cursor, Position::After, Position::Before];
        let link = |position: Position, name: Option<&String>, value: &str| {
            name.map(|name| {
                let set = Set {
                    position,
                    name,
                    value,
                };
                self.url(MODE, Some(&set), None)
            })
        };
        let (after, before) = match &self.names.cursor {
            Some(cursor) => (
                (Position::Cursor, Some(cursor)),
                (Position::Cursor, Some(cursor)),
            ),
            None => (
                (Position::After, self.names.after.as_ref()),
                (Position::Before, self.names.before.as_ref()),
            ),
        };
        // `cursor=last` is the last page; JSON:API's `page[before]=` (empty) says the same.
        let last_value = if self.names.cursor.is_some() {
            "last"
        } else {
            ""
        };
        let next = match &page.next_cursor {
            Some(token) if page.has_next => link(after.0, after.1, token),
            _ => None,
        };
        let previous = match &page.previous_cursor {
            Some(token) if page.has_previous => link(before.0, before.1, token),
            _ => None,
        };
        PageLinks {
            first: link(after.0, after.1, ""),
            previous,
            next,
            last: link(before.0, before.1, last_value),
        }
    }

    /// The URL with the position parameters of `mode` replaced by `set` (or removed),
    /// other position parameters removed, and `size` (a page size parameter the
    /// client did not send) appended when given, before `set` when that is appended
    /// too.
    fn url(&self, mode: &[Position], set: Option<&Set<'_>>, size: Option<(&str, &str)>) -> String {
        let mut out = String::with_capacity(self.base.len() + 64);
        out.push_str(&self.base);
        let mut sep = '?';
        let mut push = |out: &mut String, part: &str| {
            out.push(sep);
            out.push_str(part);
            sep = '&';
        };
        let mut placed = false;
        for seg in &self.segments {
            match seg.kind {
                Kind::Position(p) if !placed && mode.contains(&p) => {
                    placed = true;
                    if let Some(set) = set {
                        let key = if p == set.position {
                            Cow::Borrowed(&seg.raw[..seg.key_len])
                        } else {
                            encode(set.name)
                        };
                        push(&mut out, &key);
                        out.push('=');
                        out.push_str(&encode(set.value));
                    }
                }
                Kind::Position(_) => {}
                Kind::Other | Kind::Limit => push(&mut out, &seg.raw),
            }
        }
        if let Some((name, value)) = size {
            push(&mut out, &encode(name));
            out.push('=');
            out.push_str(&encode(value));
        }
        if let (false, Some(set)) = (placed, set) {
            push(&mut out, &encode(set.name));
            out.push('=');
            out.push_str(&encode(set.value));
        }
        out
    }
}

fn encode(s: &str) -> Cow<'_, str> {
    utf8_percent_encode(s, COMPONENT).into()
}

/// What the raw (still encoded) name of a parameter is.
fn classify(raw_key: &str, names: &ParamNames) -> Kind {
    let plus;
    let key = if raw_key.contains('+') {
        plus = raw_key.replace('+', " ");
        &plus
    } else {
        raw_key
    };
    // A name that does not decode to UTF-8 is no pagination name; a bad escape
    // stays as `%…`, which no name contains.
    let Ok(key) = percent_decode_str(key).decode_utf8() else {
        return Kind::Other;
    };
    let is = |name: Option<&String>| name.is_some_and(|n| *n == key);
    if key == names.page {
        Kind::Position(Position::Page)
    } else if key == names.offset {
        Kind::Position(Position::Offset)
    } else if is(names.cursor.as_ref()) {
        Kind::Position(Position::Cursor)
    } else if is(names.after.as_ref()) {
        Kind::Position(Position::After)
    } else if is(names.before.as_ref()) {
        Kind::Position(Position::Before)
    } else if key == names.limit {
        Kind::Limit
    } else {
        Kind::Other
    }
}

/// The RFC 8288 `Link` header of the links present, in the order `first`, `prev`,
/// `next`, `last`; `None` when there is none.
///
/// ```
/// let links = folio::PageLinks {
///     first: Some("http://x/items".into()),
///     next: Some("http://x/items?page=2".into()),
///     ..Default::default()
/// };
/// assert_eq!(
///     folio::link_header(&links).unwrap(),
///     r#"<http://x/items>; rel="first", <http://x/items?page=2>; rel="next""#
/// );
/// assert_eq!(folio::link_header(&folio::PageLinks::default()), None);
/// ```
pub fn link_header(links: &PageLinks) -> Option<String> {
    let mut out = String::new();
    for (url, rel) in [
        (&links.first, "first"),
        (&links.previous, "prev"),
        (&links.next, "next"),
        (&links.last, "last"),
    ] {
        if let Some(url) = url {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push('<');
            out.push_str(url);
            out.push_str(">; rel=\"");
            out.push_str(rel);
            out.push('"');
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The value of `X-Total-Count`: the total, only when it is exact.
///
/// ```
/// use folio::{Page, Total, TotalRelation, Window};
/// let mut page = Page::<u8> {
///     items: vec![], has_next: false, has_previous: false,
///     total: Some(Total::exact(42)), window: Window::Cursor { size: 10 },
///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
/// };
/// assert_eq!(folio::total_count_header(&page).as_deref(), Some("42"));
/// page.total = Some(Total { value: 10_000, relation: TotalRelation::Gte });
/// assert_eq!(folio::total_count_header(&page), None);
/// ```
pub fn total_count_header<T>(page: &Page<T>) -> Option<String> {
    page.total
        .filter(crate::Total::is_exact)
        .map(|t| t.value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Total, TotalRelation};

    const BASE: &str = "http://localhost:8000/api/products";

    fn page(window: Window, items: usize, total: Option<Total>, has_next: bool) -> Page<u32> {
        Page {
            items: vec![0; items],
            has_next,
            has_previous: false,
            total,
            window,
            next_cursor: None,
            previous_cursor: None,
            item_cursors: Vec::new(),
        }
    }

    fn pg(number: u64, size: u64) -> Window {
        Window::Page { number, size }
    }

    fn off(offset: u64, limit: u64) -> Window {
        Window::Offset { offset, limit }
    }

    fn links(query: &str, names: &ParamNames, p: &Page<u32>) -> PageLinks {
        LinkBuilder::new(BASE, query, names).links(p)
    }

    #[allow(clippy::unnecessary_wraps)] // compared with `Option` links
    fn u(query: &str) -> Option<String> {
        Some(if query.is_empty() {
            BASE.to_owned()
        } else {
            format!("{BASE}?{query}")
        })
    }

    #[allow(clippy::unnecessary_wraps)] // a `Page::total`
    fn approx(value: u64) -> Option<Total> {
        Some(Total {
            value,
            relation: TotalRelation::Approx,
        })
    }

    // --- page number ---------------------------------------------------------

    #[test]
    fn page_links_keep_other_params_raw() {
        let p = page(pg(3, 10), 10, Some(Total::exact(95)), true);
        let l = links(
            "category=Home%20%26%20Garden&page=3&ordering=-price",
            &ParamNames::seed(),
            &p,
        );
        assert_eq!(
            l.next,
            u("category=Home%20%26%20Garden&page=4&ordering=-price")
        );
        assert_eq!(
            l.previous,
            u("category=Home%20%26%20Garden&page=2&ordering=-price")
        );
        assert_eq!(l.first, u("category=Home%20%26%20Garden&ordering=-price"));
        assert_eq!(
            l.last,
            u("category=Home%20%26%20Garden&page=10&ordering=-price")
        );
    }

    #[test]
    fn page_two_previous_drops_page() {
        let p = page(pg(2, 10), 10, None, true);
        let l = links("page=2&per_page=10&q=a+b", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("per_page=10&q=a+b"));
        assert_eq!(l.next, u("page=3&per_page=10&q=a+b"));
        assert_eq!(l.first, u("per_page=10&q=a+b"));
        assert_eq!(l.last, None, "no total, no last");
    }

    #[test]
    fn page_one_has_no_previous_and_appends_next() {
        let p = page(pg(1, 10), 10, Some(Total::exact(30)), true);
        let l = links("ordering=name", &ParamNames::seed(), &p);
        assert_eq!(l.previous, None);
        assert_eq!(l.next, u("ordering=name&page=2"));
        assert_eq!(l.first, u("ordering=name"));
        assert_eq!(l.last, u("ordering=name&page=3"));
        // No query at all.
        let l = links("", &ParamNames::seed(), &p);
        assert_eq!((l.first, l.next), (u(""), u("page=2")));
    }

    #[test]
    fn last_page_has_no_next() {
        let p = page(pg(3, 10), 5, Some(Total::exact(25)), false);
        let l = links("page=3", &ParamNames::seed(), &p);
        assert_eq!(l.next, None);
        assert_eq!(l.previous, u("page=2"));
        assert_eq!(l.last, u("page=3"));
    }

    #[test]
    fn last_only_with_an_exact_total() {
        let p = page(pg(1, 10), 10, approx(1000), true);
        assert_eq!(links("", &ParamNames::seed(), &p).last, None);
        let capped = Some(Total {
            value: 10_000,
            relation: TotalRelation::Gte,
        });
        let p = page(pg(1, 10), 10, capped, true);
        assert_eq!(links("", &ParamNames::seed(), &p).last, None);
        // One page or none: the last page is page 1, without `page`.
        let p = page(pg(1, 10), 0, Some(Total::exact(0)), false);
        let l = links("page=1", &ParamNames::seed(), &p);
        assert_eq!(
            (l.first, l.previous, l.next, l.last),
            (u(""), None, None, u(""))
        );
    }

    #[test]
    fn page_past_the_end_points_previous_at_the_last_page() {
        let p = page(pg(50, 10), 0, Some(Total::exact(95)), false);
        let l = links("page=50&per_page=10", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("page=10&per_page=10"));
        assert_eq!(l.next, None);
        assert_eq!(l.last, u("page=10&per_page=10"));
        // An empty collection: previous is page 1.
        let p = page(pg(4, 10), 0, Some(Total::exact(0)), false);
        assert_eq!(links("page=4", &ParamNames::seed(), &p).previous, u(""));
        // Total unknown: n - 1.
        let p = page(pg(4, 10), 0, None, false);
        assert_eq!(
            links("page=4", &ParamNames::seed(), &p).previous,
            u("page=3")
        );
        // An estimate above the page asked for cannot be the last page: n - 1.
        let p = page(pg(4, 10), 0, approx(1000), false);
        assert_eq!(
            links("page=4", &ParamNames::seed(), &p).previous,
            u("page=3")
        );
        // A capped count is a lower bound: still the best guess for the last page.
        let capped = Some(Total {
            value: 15,
            relation: TotalRelation::Gte,
        });
        let p = page(pg(4, 10), 0, capped, false);
        assert_eq!(
            links("page=4", &ParamNames::seed(), &p).previous,
            u("page=2")
        );
    }

    #[test]
    fn repeated_and_encoded_position_params() {
        let p = page(pg(5, 10), 10, None, true);
        // The first occurrence is replaced, the others removed; other repeats kept.
        let l = links("tag=a&page=1&tag=b&page=5&tag=a", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("tag=a&page=6&tag=b&tag=a"));
        assert_eq!(l.first, u("tag=a&tag=b&tag=a"));
        // An encoded name is recognised and keeps its spelling.
        let l = links("p%61ge=5&x=1", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("p%61ge=6&x=1"));
        // Position params of other modes are removed (`cursor` with `page` is a 400
        // anyway); the size parameter is kept as sent, even if clamped.
        let l = links("cursor=abc&per_page=500&page=5", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("per_page=500&page=6"));
        // Flag-style params, empty values, odd bytes: copied; empty segments dropped.
        let l = links("&debug&&q=&page=5&x=%zz&", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("debug&q=&page=6&x=%zz"));
        // Names are case-sensitive.
        let l = links("PAGE=9&page=5", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("PAGE=9&page=6"));
    }

    #[test]
    fn bytes_never_valid_in_a_url_are_encoded() {
        let p = page(pg(1, 10), 10, None, true);
        let l = links("q=caf\u{e9} <b>\"x\"", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("q=caf%C3%A9%20%3Cb%3E%22x%22&page=2"));
        // A fragment or query on the base URL is ignored; a leading `?` too.
        let b = LinkBuilder::new(&format!("{BASE}?a=1#frag"), "?b=2", &ParamNames::seed());
        assert_eq!(b.links(&p).next, u("b=2&page=2"));
    }

    #[test]
    fn drf_names_keep_page_size() {
        let p = page(pg(2, 5), 5, Some(Total::exact(12)), true);
        let l = links("page_size=5&page=2", &ParamNames::drf(), &p);
        assert_eq!(l.next, u("page_size=5&page=3"));
        assert_eq!(l.previous, u("page_size=5"));
        assert_eq!(l.last, u("page_size=5&page=3"));
    }

    #[test]
    fn jsonapi_page_numbers() {
        let p = page(pg(2, 5), 5, Some(Total::exact(12)), true);
        let l = links("page[number]=2&page[size]=5", &ParamNames::jsonapi(), &p);
        // The replaced name keeps the client's spelling.
        assert_eq!(l.next, u("page[number]=3&page[size]=5"));
        assert_eq!(l.previous, u("page[size]=5"));
        // A new name is percent-encoded.
        let l = links(
            "page%5Bsize%5D=5",
            &ParamNames::jsonapi(),
            &page(pg(1, 5), 5, None, true),
        );
        assert_eq!(l.next, u("page%5Bsize%5D=5&page%5Bnumber%5D=2"));
    }

    // --- limit / offset ------------------------------------------------------

    #[test]
    fn offset_links_drf_semantics() {
        let p = page(off(20, 10), 10, Some(Total::exact(95)), true);
        let l = links("limit=10&offset=20&ordering=-price", &ParamNames::drf(), &p);
        assert_eq!(l.next, u("limit=10&offset=30&ordering=-price"));
        assert_eq!(l.previous, u("limit=10&offset=10&ordering=-price"));
        assert_eq!(l.first, u("limit=10&ordering=-price"));
        assert_eq!(l.last, u("limit=10&offset=90&ordering=-price"));
    }

    #[test]
    fn offset_zero_is_dropped() {
        let p = page(off(10, 10), 10, None, true);
        let l = links("limit=10&offset=10", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("limit=10"));
        // An unaligned offset: max(0, offset - limit).
        let p = page(off(5, 10), 10, None, true);
        let l = links("offset=5&limit=10", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("limit=10"));
        assert_eq!(l.next, u("offset=15&limit=10"));
        let p = page(off(0, 10), 10, None, true);
        let l = links("limit=10", &ParamNames::seed(), &p);
        assert_eq!(l.previous, None);
        assert_eq!(l.next, u("limit=10&offset=10"));
    }

    #[test]
    fn offset_links_without_limit_keep_the_mode() {
        let p = page(off(10, 10), 10, Some(Total::exact(15)), false);
        let l = links("offset=10&q=x", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("q=x&limit=10"));
        assert_eq!(l.first, u("q=x&limit=10"));
        assert_eq!(l.last, u("offset=10&q=x&limit=10"));
        assert_eq!(l.next, None);
    }

    #[test]
    fn offset_links_always_carry_the_limit() {
        // DRF: `/api/products?offset=10` (no limit sent, default 10) links to
        // `?limit=10&offset=20` (sorted); folio keeps the client's order and appends.
        let p = page(off(10, 10), 10, Some(Total::exact(100)), true);
        let l = links("offset=10", &ParamNames::drf(), &p);
        assert_eq!(l.next, u("offset=20&limit=10"));
        assert_eq!(l.previous, u("limit=10"));
        assert_eq!(l.first, u("limit=10"));
        assert_eq!(l.last, u("offset=90&limit=10"));
        // Further on: still there, still once.
        let p = page(off(30, 10), 10, None, true);
        let l = links("offset=30&ordering=-price", &ParamNames::drf(), &p);
        assert_eq!(l.next, u("offset=40&ordering=-price&limit=10"));
        assert_eq!(l.previous, u("offset=20&ordering=-price&limit=10"));
        // Neither sent (a server whose default mode is limit/offset): the limit,
        // then the offset, appended (exactly DRF's `?limit=10&offset=10` here).
        let p = page(off(0, 10), 10, None, true);
        let l = links("", &ParamNames::drf(), &p);
        assert_eq!(l.next, u("limit=10&offset=10"));
        assert_eq!(l.first, u("limit=10"));
        assert_eq!(l.previous, None);
        let l = links("q=a+b", &ParamNames::drf(), &p);
        assert_eq!(l.next, u("q=a+b&limit=10&offset=10"));
        // The client's limit keeps its place and its spelling, even clamped or
        // repeated, and is never added twice.
        let l = links("limit=500&offset=0&q=x", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("limit=500&offset=10&q=x"));
        let l = links("q=x&l%69mit=10", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("q=x&l%69mit=10&offset=10"));
        let l = links("limit=5&q=x&limit=10", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("limit=5&q=x&limit=10&offset=10"));
        // A parameter that only looks like the limit does not count.
        let l = links("LIMIT=10&offset=0", &ParamNames::seed(), &p);
        assert_eq!(l.next, u("LIMIT=10&offset=10&limit=10"));
        // Page-number and cursor links are not touched.
        let p = page(pg(1, 10), 10, None, true);
        assert_eq!(links("", &ParamNames::drf(), &p).next, u("page=2"));
    }

    #[test]
    fn offset_past_the_end() {
        let p = page(off(200, 10), 0, Some(Total::exact(95)), false);
        let l = links("limit=10&offset=200", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("limit=10&offset=90"));
        assert_eq!(l.last, u("limit=10&offset=90"));
        // Unaligned: the last page's offset, not offset - limit.
        let p = page(off(25, 10), 0, Some(Total::exact(24)), false);
        let l = links("limit=10&offset=25", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("limit=10&offset=20"));
        // An empty collection: offset dropped.
        let p = page(off(30, 10), 0, Some(Total::exact(0)), false);
        let l = links("limit=10&offset=30", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("limit=10"));
        assert_eq!(l.last, u("limit=10"));
        // Unknown total: offset - limit.
        let p = page(off(30, 10), 0, None, false);
        let l = links("limit=10&offset=30", &ParamNames::seed(), &p);
        assert_eq!(l.previous, u("limit=10&offset=20"));
    }

    #[test]
    fn jsonapi_offsets() {
        let p = page(off(4, 2), 2, Some(Total::exact(7)), true);
        let l = links("page[limit]=2&page[offset]=4", &ParamNames::jsonapi(), &p);
        assert_eq!(l.next, u("page[limit]=2&page[offset]=6"));
        assert_eq!(l.previous, u("page[limit]=2&page[offset]=2"));
        assert_eq!(l.first, u("page[limit]=2"));
        assert_eq!(l.last, u("page[limit]=2&page[offset]=6"));
        let p = page(off(4, 2), 2, None, true);
        let l = links("page[offset]=4", &ParamNames::jsonapi(), &p);
        assert_eq!(l.first, u("page%5Blimit%5D=2"));
        assert_eq!(l.next, u("page[offset]=6&page%5Blimit%5D=2"));
        assert_eq!(l.previous, u("page[offset]=2&page%5Blimit%5D=2"));
    }

    // --- cursors -------------------------------------------------------------

    fn cursor_page(next: Option<&str>, previous: Option<&str>) -> Page<u32> {
        Page {
            items: vec![1, 2],
            has_next: next.is_some(),
            has_previous: previous.is_some(),
            total: None,
            window: Window::Cursor { size: 2 },
            next_cursor: next.map(str::to_owned),
            previous_cursor: previous.map(str::to_owned),
            item_cursors: Vec::new(),
        }
    }

    #[test]
    fn cursor_links() {
        let p = cursor_page(Some("nXt-_1"), Some("pRv"));
        let l = links(
            "ordering=-price&cursor=abc&per_page=2",
            &ParamNames::seed(),
            &p,
        );
        assert_eq!(l.next, u("ordering=-price&cursor=nXt-_1&per_page=2"));
        assert_eq!(l.previous, u("ordering=-price&cursor=pRv&per_page=2"));
        assert_eq!(l.first, u("ordering=-price&cursor=&per_page=2"));
        assert_eq!(l.last, u("ordering=-price&cursor=last&per_page=2"));
    }

    #[test]
    fn cursor_links_need_flag_and_token() {
        let mut p = cursor_page(None, None);
        let l = links("cursor=", &ParamNames::seed(), &p);
        assert_eq!((l.next, l.previous), (None, None));
        assert_eq!((l.first, l.last), (u("cursor="), u("cursor=last")));
        // A flag without a token, or a token without the flag: no link.
        p.has_next = true;
        p.previous_cursor = Some("p".into());
        let l = links("", &ParamNames::seed(), &p);
        assert_eq!((l.next, l.previous), (None, None));
        // Tokens are encoded (they are URL-safe already, but not necessarily).
        p.next_cursor = Some("a=b&c".into());
        assert_eq!(
            links("", &ParamNames::seed(), &p).next,
            u("cursor=a%3Db%26c")
        );
    }

    #[test]
    fn jsonapi_cursor_links() {
        let p = cursor_page(Some("n1"), Some("p1"));
        let names = ParamNames::jsonapi();
        let l = links(
            "page[after]=x&page[size]=2&filter[category]=books",
            &names,
            &p,
        );
        assert_eq!(
            l.next,
            u("page[after]=n1&page[size]=2&filter[category]=books")
        );
        assert_eq!(
            l.previous,
            u("page%5Bbefore%5D=p1&page[size]=2&filter[category]=books")
        );
        assert_eq!(
            l.first,
            u("page[after]=&page[size]=2&filter[category]=books")
        );
        assert_eq!(
            l.last,
            u("page%5Bbefore%5D=&page[size]=2&filter[category]=books")
        );
        // Both params sent: the first is replaced, the other removed.
        let l = links("page[before]=y&page[after]=x", &names, &p);
        assert_eq!(l.next, u("page%5Bafter%5D=n1"));
        assert_eq!(l.previous, u("page[before]=p1"));
    }

    // --- headers -------------------------------------------------------------

    #[test]
    fn link_header_lists_present_links_in_order() {
        let p = page(pg(3, 10), 10, Some(Total::exact(95)), true);
        let l = links("page=3&q=a%2Cb", &ParamNames::seed(), &p);
        assert_eq!(
            link_header(&l).unwrap(),
            "<http://localhost:8000/api/products?q=a%2Cb>; rel=\"first\", \
             <http://localhost:8000/api/products?page=2&q=a%2Cb>; rel=\"prev\", \
             <http://localhost:8000/api/products?page=4&q=a%2Cb>; rel=\"next\", \
             <http://localhost:8000/api/products?page=10&q=a%2Cb>; rel=\"last\""
        );
        let only_last = PageLinks {
            last: Some("http://x/?page=2".into()),
            ..PageLinks::default()
        };
        assert_eq!(
            link_header(&only_last).unwrap(),
            "<http://x/?page=2>; rel=\"last\""
        );
        assert_eq!(link_header(&PageLinks::default()), None);
    }

    #[test]
    fn total_count_only_when_exact() {
        let mut p = page(pg(1, 10), 0, Some(Total::exact(0)), false);
        assert_eq!(total_count_header(&p).as_deref(), Some("0"));
        p.total = approx(5);
        assert_eq!(total_count_header(&p), None);
        p.total = None;
        assert_eq!(total_count_header(&p), None);
    }
}
