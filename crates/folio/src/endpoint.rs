//! The endpoint: everything a paginated list decides once, at startup, and the
//! request a client makes of it.

use crate::{
    CountStrategy, CursorCodec, Envelope, FieldSet, Fields, Filter, FilterParam, Fingerprint,
    Modes, Orderings, Oversize, PageRequest, Policy, QueryString, Resource, Result, Select,
    SortSpec,
};

/// Offsets at or past this are read as a deferred join unless
/// [`Endpoint::deferred_join_from`] says otherwise.
pub const DEFAULT_DEFERRED_JOIN_FROM: u64 = 1_000;

/// The cap of [`CountStrategy::Capped`] unless [`Endpoint::count_cap`] says otherwise.
pub const DEFAULT_COUNT_CAP: u64 = 10_000;

/// [`CountStrategy::Auto`] counts exactly below this estimate unless
/// [`Endpoint::auto_threshold`] says otherwise.
pub const DEFAULT_AUTO_THRESHOLD: u64 = 100_000;

/// A paginated list, built once at startup and shared by every request: the
/// resource's name, the envelope (and so the parameter names), the orderings a
/// client may ask for and the default one, the field sets, the filters read from the
/// query string, the pagination modes offered, the page sizes, the count strategy,
/// and the cursor keys.
///
/// [`Endpoint::parse`] reads a request (the mode and position, `ordering`, `fields`,
/// `count` and every declared filter), refusing bad input with a
/// [`crate::Error`] about the parameter. A cursor is bound by construction to the
/// endpoint, the request's path (and so its path parameters), the ordering, and the
/// select's source and filters with their values ([`Endpoint::fingerprint`]): there
/// is no second list of filters to keep.
///
/// ```
/// use folio::{CursorCodec, Endpoint, FilterParam, Modes, Nulls, Orderings, Select};
/// let articles = Endpoint::builder("articles", CursorCodec::new(b"a key of at least 32 bytes......"))
///     .orderings(
///         Orderings::new("id", "id")
///             .field("published_at", "published_at")
///             .nullable_field("score", "score", Nulls::Last)
///             .default_ordering("-published_at"),
///     )
///     .filter(FilterParam::eq("author_id").int())
///     .modes(Modes::CURSOR)
///     .build();
///
/// let listing = articles.parse("/articles", "author_id=7&per_page=20").unwrap();
/// assert_eq!(listing.sort.to_string(), "-published_at,-id");
/// assert_eq!(listing.request.size, 20);
/// let select = listing.apply(Select::from("articles"));
/// assert_eq!(
///     select.to_sql(&folio::Postgres).unwrap().sql,
///     r#"SELECT * FROM "articles" WHERE "author_id" = $1"#
/// );
///
/// // A page number on a cursor-only endpoint, a bad filter value: 400s naming the parameter.
/// let e = articles.parse("/articles", "page=9999").unwrap_err();
/// assert_eq!((e.kind(), e.param()), (folio::ErrorKind::ModeNotAllowed, Some("page")));
/// let e = articles.parse("/articles", "author_id=abc").unwrap_err();
/// assert_eq!(e.param(), Some("author_id"));
/// ```
#[derive(Debug, Clone)]
pub struct Endpoint {
    resource: Resource,
    envelope: Envelope,
    policy: Policy,
    orderings: Orderings,
    fields: Option<Fields>,
    filters: Vec<FilterParam>,
    count: CountStrategy,
    counts: Vec<CountStrategy>,
    count_cap: u64,
    auto_threshold: u64,
    codec: CursorCodec,
    bookmarks: bool,
    deferred_join_from: u64,
}

/// What a request asks of an [`Endpoint`]: the page, the ordering, the fields, the
/// count, and the filters read from the query string.
///
/// ```
/// let e = folio::Endpoint::builder("products", folio::CursorCodec::new(b"key")).build();
/// let l = e.parse("/api/products", "page=3&count=exact").unwrap();
/// assert_eq!(l.request.offset(), Some(20));
/// assert_eq!(l.count, folio::CountStrategy::Exact);
/// assert_eq!(l.path(), "/api/products");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Listing {
    /// The mode, position and page size.
    pub request: PageRequest,
    /// The ordering (the endpoint's default when the request names none).
    pub sort: SortSpec,
    /// The fields asked for, when the endpoint declares field sets.
    pub fields: Option<FieldSet>,
    /// How the total is obtained.
    pub count: CountStrategy,
    filters: Vec<Filter>,
    path: String,
}

impl Listing {
    /// The filters the request's query parameters asked for (the endpoint's declared
    /// [`FilterParam`]s that were given), in declaration order.
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Filter, FilterParam};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).filter(FilterParam::eq("a").int()).build();
    /// assert_eq!(e.parse("/t", "a=1").unwrap().filters(), [Filter::eq("a", 1)]);
    /// assert!(e.parse("/t", "").unwrap().filters().is_empty());
    /// ```
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// `select` with the request's filters added.
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Filter, FilterParam, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).filter(FilterParam::eq("a").int()).build();
    /// let s = e.parse("/t", "a=1").unwrap().apply(Select::from("t"));
    /// assert_eq!(s.filters(), [Filter::eq("a", 1)]);
    /// ```
    pub fn apply(&self, select: Select) -> Select {
        self.filters.iter().cloned().fold(select, Select::filter)
    }

    /// The request's path (what cursors are bound to, with the endpoint).
    ///
    /// ```
    /// let e = folio::Endpoint::builder("orders", folio::CursorCodec::new(b"k")).build();
    /// assert_eq!(e.parse("/api/users/7/orders", "").unwrap().path(), "/api/users/7/orders");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the request's field set names `field` (true when the endpoint
    /// declares no field sets).
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Fields};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k")).fields(Fields::new(&["id", "name"]).deferred(&["description"])).build();
    /// assert!(!e.parse("/p", "").unwrap().wants("description"));
    /// assert!(e.parse("/p", "fields=id,description").unwrap().wants("description"));
    /// ```
    pub fn wants(&self, field: &str) -> bool {
        self.fields.as_ref().map_or(true, |f| f.contains(field))
    }
}

impl Endpoint {
    /// Starts an endpoint serving the resource `name` (the seed envelope's items key and
    /// JSON:API's `type`), its cursors signed and verified by `codec`.
    ///
    /// Defaults: the seed envelope; every mode, page numbers when the request names
    /// none; page size 10, at most 100 (larger sizes clamped); ordered by `id` (the
    /// unique key) ascending, no other ordering; no field sets; no filters;
    /// [`CountStrategy::Auto`], a client may ask for any strategy with `count=`;
    /// bookmarks for deep page numbers when the executor keeps them.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("products", folio::CursorCodec::new(b"key")).build();
    /// assert_eq!(e.resource().name(), "products");
    /// assert_eq!(e.envelope(), folio::Envelope::Seed);
    /// assert_eq!(e.policy().max_size, 100);
    /// ```
    pub fn builder(name: &str, codec: CursorCodec) -> EndpointBuilder {
        EndpointBuilder(Endpoint {
            resource: Resource::new(name),
            envelope: Envelope::Seed,
            policy: Policy::new(),
            orderings: Orderings::new("id", "id"),
            fields: None,
            filters: Vec::new(),
            count: CountStrategy::Auto,
            counts: CountStrategy::ALL.to_vec(),
            count_cap: DEFAULT_COUNT_CAP,
            auto_threshold: DEFAULT_AUTO_THRESHOLD,
            codec,
            bookmarks: true,
            deferred_join_from: DEFAULT_DEFERRED_JOIN_FROM,
        })
    }

    /// Reads a request: `path` is the request's path (cursors are bound to it), and
    /// `raw_query` its query string as sent. Errors, each about its parameter: the
    /// mode and position ([`PageRequest`]'s rules, and the modes offered), the
    /// ordering, the fields, the declared filters, then `count`.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).build();
    /// assert_eq!(e.parse("/p", "page=2&cursor=x").unwrap_err().kind(), folio::ErrorKind::ConflictingModes);
    /// assert_eq!(e.parse("/p", "count=most").unwrap_err().param(), Some("count"));
    /// ```
    pub fn parse(&self, path: &str, raw_query: &str) -> Result<Listing> {
        let query = QueryString::parse(raw_query);
        let request = self.policy.read(&query)?;
        let ordering = query.get(self.orderings.param_name())?;
        let sort = self.orderings.parse(ordering.unwrap_or(""))?;
        let fields = match &self.fields {
            Some(fields) => Some(fields.parse(query.get(fields.param_name())?)?),
            None => None,
        };
        let mut filters = Vec::new();
        for param in &self.filters {
            if let Some(raw) = query.get(param.name())? {
                filters.push(param.parse(raw)?);
            }
        }
        let count = match query.get(COUNT_PARAM)? {
            Some(raw) => CountStrategy::parse(raw, COUNT_PARAM, &self.counts)?,
            None => self.count,
        };
        Ok(Listing {
            request,
            sort,
            fields,
            count,
            filters,
            path: path.to_owned(),
        })
    }

    /// What a cursor of this endpoint is bound to for a request at `path` in the
    /// ordering `sort` over `select`: the resource, the path, the ordering (and its
    /// NULL placement), and the select's source and filters with their typed values.
    /// The page size and the columns are not part of it.
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Filter, Select, SortSpec};
    /// let e = Endpoint::builder("articles", CursorCodec::new(b"k")).build();
    /// let sort = SortSpec::by_unique("id", "id");
    /// let by = |author: i64| Select::from("articles").filter(Filter::eq("author_id", author));
    /// assert_eq!(e.fingerprint("/articles", &sort, &by(1)), e.fingerprint("/articles", &sort, &by(1).columns(["id"])));
    /// assert_ne!(e.fingerprint("/articles", &sort, &by(1)), e.fingerprint("/articles", &sort, &by(2)));
    /// assert_ne!(e.fingerprint("/articles", &sort, &by(1)), e.fingerprint("/drafts", &sort, &by(1)));
    /// ```
    pub fn fingerprint(&self, path: &str, sort: &SortSpec, select: &Select) -> Fingerprint {
        Fingerprint::builder(self.resource.name())
            .path(path)
            .ordering(sort)
            .select(select)
            .finish()
    }

    /// The resource's names.
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("users", folio::CursorCodec::new(b"k")).build().resource().name(), "users");
    /// ```
    pub fn resource(&self) -> &Resource {
        &self.resource
    }

    /// The envelope.
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().envelope(), folio::Envelope::Seed);
    /// ```
    pub fn envelope(&self) -> Envelope {
        self.envelope
    }

    /// How page requests are read (sizes, parameter names, modes).
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().policy().default_size, 10);
    /// ```
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The orderings.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build();
    /// assert_eq!(e.orderings().names().collect::<Vec<_>>(), ["id"]);
    /// ```
    pub fn orderings(&self) -> &Orderings {
        &self.orderings
    }

    /// The field sets, if declared.
    ///
    /// ```
    /// assert!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().fields().is_none());
    /// ```
    pub fn fields(&self) -> Option<&Fields> {
        self.fields.as_ref()
    }

    /// The declared filters.
    ///
    /// ```
    /// assert!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().filters().is_empty());
    /// ```
    pub fn filters(&self) -> &[FilterParam] {
        &self.filters
    }

    /// The count strategy of a request that asks for none.
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().count(), folio::CountStrategy::Auto);
    /// ```
    pub fn count(&self) -> CountStrategy {
        self.count
    }

    /// The strategies a client may ask for.
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().client_counts().len(), 6);
    /// ```
    pub fn client_counts(&self) -> &[CountStrategy] {
        &self.counts
    }

    /// The cap of [`CountStrategy::Capped`].
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().count_cap(), 10_000);
    /// ```
    pub fn count_cap(&self) -> u64 {
        self.count_cap
    }

    /// The threshold of [`CountStrategy::Auto`].
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().auto_threshold(), 100_000);
    /// ```
    pub fn auto_threshold(&self) -> u64 {
        self.auto_threshold
    }

    /// The cursor codec.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build();
    /// assert_eq!(format!("{:?}", e.codec()), "CursorCodec { key: <redacted> }");
    /// ```
    pub fn codec(&self) -> &CursorCodec {
        &self.codec
    }

    /// Whether deep page numbers may seek from bookmarks.
    ///
    /// ```
    /// assert!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().bookmarks());
    /// ```
    pub fn bookmarks(&self) -> bool {
        self.bookmarks
    }

    /// The offset from which pages are read as a deferred join.
    ///
    /// ```
    /// assert_eq!(folio::Endpoint::builder("u", folio::CursorCodec::new(b"k")).build().deferred_join_from(), 1_000);
    /// ```
    pub fn deferred_join_from(&self) -> u64 {
        self.deferred_join_from
    }
}

/// Builds an [`Endpoint`]: start with [`Endpoint::builder`], set what differs from
/// the defaults, then [`EndpointBuilder::build`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EndpointBuilder(Endpoint);

impl EndpointBuilder {
    /// The body's shape; the query-parameter names follow it
    /// ([`Envelope::param_names`]).
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).envelope(folio::Envelope::Drf).build();
    /// assert_eq!(e.parse("/p", "page_size=5").unwrap().request.size, 5);
    /// ```
    pub fn envelope(mut self, envelope: Envelope) -> Self {
        self.0.envelope = envelope;
        self.0.policy.names = envelope.param_names();
        self
    }

    /// The seed envelope's total key (`total` unless set; the Flask article's orders
    /// say `total_orders`).
    ///
    /// ```
    /// let e = folio::Endpoint::builder("orders", folio::CursorCodec::new(b"k")).total_key("total_orders").build();
    /// assert_eq!(e.resource().total(), "total_orders");
    /// ```
    pub fn total_key(mut self, key: &str) -> Self {
        self.0.resource = self.0.resource.total_key(key);
        self
    }

    /// The orderings a client may ask for, and the default one
    /// ([`Orderings::default_ordering`]).
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Orderings};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k"))
    ///     .orderings(Orderings::new("id", "id").field("price", "price_cents"))
    ///     .build();
    /// assert_eq!(e.parse("/p", "ordering=-price").unwrap().sort.to_string(), "-price,-id");
    /// assert!(e.parse("/p", "ordering=name").is_err());
    /// ```
    pub fn orderings(mut self, orderings: Orderings) -> Self {
        self.0.orderings = orderings;
        self
    }

    /// The field sets a client may ask for with `fields=`.
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Fields};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k")).fields(Fields::new(&["id", "name"])).build();
    /// assert_eq!(e.parse("/p", "fields=sku").unwrap_err().kind(), folio::ErrorKind::UnknownField);
    /// ```
    pub fn fields(mut self, fields: Fields) -> Self {
        self.0.fields = Some(fields);
        self
    }

    /// A filter read from the query string (add as many as the endpoint has).
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, FilterParam};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k"))
    ///     .filter(FilterParam::eq("category"))
    ///     .filter(FilterParam::ge("min_price").column("price_cents").int_range(0, i64::MAX))
    ///     .build();
    /// assert_eq!(e.parse("/p", "min_price=100&category=books").unwrap().filters().len(), 2);
    /// ```
    pub fn filter(mut self, param: FilterParam) -> Self {
        self.0.filters.push(param);
        self
    }

    /// The pagination modes offered (every mode unless set): a parameter of another
    /// mode is a 400 ([`crate::ErrorKind::ModeNotAllowed`]) naming it, and a request
    /// that names no position gets the first offered of page number, limit/offset
    /// and cursor.
    ///
    /// ```
    /// use folio::{CursorCodec, CursorPosition, Endpoint, Mode, Modes};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k")).modes(Modes::CURSOR).build();
    /// assert_eq!(e.parse("/p", "").unwrap().request.mode, Mode::Cursor(CursorPosition::First));
    /// assert!(e.parse("/p", "offset=10").is_err());
    /// ```
    pub fn modes(mut self, modes: Modes) -> Self {
        self.0.policy = self.0.policy.modes(modes);
        self
    }

    /// The page size when the request gives none, and the largest served.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).page_size(5, 20).build();
    /// assert_eq!(e.parse("/p", "").unwrap().request.size, 5);
    /// assert_eq!(e.parse("/p", "per_page=50").unwrap().request.size, 20);
    /// ```
    pub fn page_size(mut self, default: u64, max: u64) -> Self {
        self.0.policy = self.0.policy.default_size(default).max_size(max);
        self
    }

    /// Clamps (the default) or refuses sizes above the maximum.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).oversize(folio::Oversize::Reject).build();
    /// assert!(e.parse("/p", "per_page=500").is_err());
    /// ```
    pub fn oversize(mut self, oversize: Oversize) -> Self {
        self.0.policy = self.0.policy.oversize(oversize);
        self
    }

    /// The count strategy of a request that asks for none (default
    /// [`CountStrategy::Auto`]).
    ///
    /// ```
    /// use folio::{CountStrategy, CursorCodec, Endpoint};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k")).count(CountStrategy::None).build();
    /// assert_eq!(e.parse("/p", "").unwrap().count, CountStrategy::None);
    /// ```
    pub fn count(mut self, strategy: CountStrategy) -> Self {
        self.0.count = strategy;
        self
    }

    /// The strategies a client may ask for with `count=` (every one unless set; an
    /// empty list refuses every `count=`).
    ///
    /// ```
    /// use folio::{CountStrategy, CursorCodec, Endpoint};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k")).client_counts(&[CountStrategy::None]).build();
    /// assert!(e.parse("/p", "count=none").is_ok());
    /// assert_eq!(e.parse("/p", "count=exact").unwrap_err().param(), Some("count"));
    /// ```
    pub fn client_counts(mut self, allowed: &[CountStrategy]) -> Self {
        self.0.counts = allowed.to_vec();
        self
    }

    /// The cap of [`CountStrategy::Capped`] (default [`DEFAULT_COUNT_CAP`]).
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).count_cap(500).build();
    /// assert_eq!(e.count_cap(), 500);
    /// ```
    pub fn count_cap(mut self, cap: u64) -> Self {
        self.0.count_cap = cap;
        self
    }

    /// [`CountStrategy::Auto`] counts exactly below this estimate, and caps a
    /// filtered count at it (default [`DEFAULT_AUTO_THRESHOLD`]).
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).auto_threshold(5_000).build();
    /// assert_eq!(e.auto_threshold(), 5_000);
    /// ```
    pub fn auto_threshold(mut self, threshold: u64) -> Self {
        self.0.auto_threshold = threshold;
        self
    }

    /// Whether deep page numbers may seek from bookmarks (when the executor keeps
    /// them; default `true`). Turn it off for data that changes under its readers: a
    /// page read from a bookmark drifts by the rows inserted or deleted before it
    /// since the bookmarks were taken.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).bookmarks(false).build();
    /// assert!(!e.bookmarks());
    /// ```
    pub fn bookmarks(mut self, on: bool) -> Self {
        self.0.bookmarks = on;
        self
    }

    /// Offsets at or past `offset` are read as a deferred join (the offset walked
    /// over the ordering's index, full rows read only for the page). Default
    /// [`DEFAULT_DEFERRED_JOIN_FROM`]; `u64::MAX` never, 0 always.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).deferred_join_from(0).build();
    /// assert_eq!(e.deferred_join_from(), 0);
    /// ```
    pub fn deferred_join_from(mut self, offset: u64) -> Self {
        self.0.deferred_join_from = offset;
        self
    }

    /// The endpoint.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("p", folio::CursorCodec::new(b"k")).build();
    /// assert_eq!(e.resource().name(), "p");
    /// ```
    pub fn build(self) -> Endpoint {
        self.0
    }
}

/// The query parameter a client names its count strategy in.
const COUNT_PARAM: &str = "count";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorKind, FilterParam, Nulls};

    fn articles() -> Endpoint {
        Endpoint::builder("articles", CursorCodec::new(b"k"))
            .orderings(
                Orderings::new("id", "id")
                    .field("published_at", "published_at")
                    .nullable_field("score", "score", Nulls::Last)
                    .default_ordering("-published_at"),
            )
            .filter(FilterParam::eq("author_id").int())
            .modes(Modes::CURSOR)
            .build()
    }

    #[test]
    fn an_empty_ordering_is_the_default_one() {
        for q in ["", "ordering=", "ordering=%20"] {
            assert_eq!(
                articles().parse("/a", q).unwrap().sort.to_string(),
                "-published_at,-id",
                "{q}"
            );
        }
    }

    #[test]
    fn cursor_only_refuses_every_other_mode_by_name() {
        for (q, param) in [
            ("page=9999", "page"),
            ("limit=5", "limit"),
            ("offset=0", "offset"),
        ] {
            let e = articles().parse("/a", q).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ModeNotAllowed, "{q}");
            assert_eq!(e.param(), Some(param));
        }
        assert!(articles().parse("/a", "cursor=&per_page=5").is_ok());
    }

    #[test]
    fn a_cursor_binds_every_filter_value_without_a_list() {
        let e = articles();
        let listing = |q: &str| e.parse("/a", q).unwrap();
        let fp = |q: &str| {
            let l = listing(q);
            e.fingerprint(l.path(), &l.sort, &l.apply(Select::from("articles")))
        };
        assert_eq!(fp("author_id=1"), fp("author_id=1&per_page=3"));
        assert_ne!(fp("author_id=1"), fp("author_id=2"));
        assert_ne!(fp("author_id=1"), fp(""));
        assert_ne!(fp("author_id=1"), fp("author_id=1&ordering=score"));
    }
}
