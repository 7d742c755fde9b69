//! What a cursor is bound to: [`Fingerprint`] and its builder.

use sha2::{Digest, Sha256};

use super::token::TAG_LEN;
use crate::{Nulls, Select, SortSpec};

/// What a cursor is bound to: the endpoint, the request's path (and so its path
/// parameters), the ordering, and the select's source and filters with their typed
/// values ([`Select::canonical_bytes`]). A cursor decoded under another fingerprint
/// is refused. [`crate::Endpoint::fingerprint`] builds it from a request, so no
/// filter can be left out of it.
///
/// It is the SHA-256 of length-prefixed fields: the scope (the endpoint); the path;
/// the ordering's canonical form (its client string, such as `-price,-id`, and the
/// NULL placement of each nullable key); and the select's canonical bytes. The page
/// size and the columns read are not part of it: a client may change `per_page` or
/// `fields` between requests.
///
/// ```
/// use folio::{Filter, Fingerprint, Select, SortSpec};
/// let spec = SortSpec::by_unique("id", "id");
/// let books = Select::from("products").filter(Filter::eq("category", "books"));
/// let a = Fingerprint::builder("products").path("/api/products").ordering(&spec).select(&books).finish();
/// let b = Fingerprint::builder("products").path("/api/products").ordering(&spec).select(&books.clone().columns(["id"])).finish();
/// assert_eq!(a, b);
/// let games = Select::from("products").filter(Filter::eq("category", "games"));
/// let c = Fingerprint::builder("products").path("/api/products").ordering(&spec).select(&games).finish();
/// assert_ne!(a, c);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

/// Builds a [`Fingerprint`].
///
/// ```
/// let a = folio::Fingerprint::builder("orders").path("/api/users/7/orders").finish();
/// assert_ne!(a, folio::Fingerprint::builder("orders").path("/api/users/8/orders").finish());
/// ```
#[derive(Debug, Clone)]
pub struct FingerprintBuilder {
    scope: String,
    path: String,
    ordering: Option<SortSpec>,
    select: Vec<u8>,
}

impl Fingerprint {
    /// Starts a fingerprint for `scope` (the endpoint's name).
    ///
    /// ```
    /// let a = folio::Fingerprint::builder("products").finish();
    /// assert_eq!(a, folio::Fingerprint::builder("products").finish());
    /// assert_ne!(a, folio::Fingerprint::builder("users").finish());
    /// ```
    pub fn builder(scope: &str) -> FingerprintBuilder {
        FingerprintBuilder {
            scope: scope.to_owned(),
            path: String::new(),
            ordering: None,
            select: Vec::new(),
        }
    }

    /// The 32 bytes of the fingerprint (a token carries the first 8).
    ///
    /// ```
    /// let fp = folio::Fingerprint::builder("products").finish();
    /// assert_eq!(fp.as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(super) fn tag(&self) -> &[u8] {
        &self.0[..TAG_LEN]
    }
}

impl FingerprintBuilder {
    /// Binds the request's path (a second call replaces the first).
    ///
    /// ```
    /// use folio::Fingerprint;
    /// assert_ne!(Fingerprint::builder("o").path("/a").finish(), Fingerprint::builder("o").finish());
    /// ```
    pub fn path(mut self, path: &str) -> Self {
        path.clone_into(&mut self.path);
        self
    }

    /// Binds the ordering (a second call replaces the first).
    ///
    /// ```
    /// use folio::{Fingerprint, Orderings};
    /// let o = Orderings::new("id", "id").field("price", "price_cents");
    /// let up = Fingerprint::builder("p").ordering(&o.parse("price").unwrap()).finish();
    /// let down = Fingerprint::builder("p").ordering(&o.parse("-price").unwrap()).finish();
    /// assert_ne!(up, down);
    /// ```
    pub fn ordering(mut self, spec: &SortSpec) -> Self {
        self.ordering = Some(spec.clone());
        self
    }

    /// Binds the select's source and filters with their values (a second call
    /// replaces the first).
    ///
    /// ```
    /// use folio::{Filter, Fingerprint, Select};
    /// let by = |author: i64| Fingerprint::builder("a").select(&Select::from("articles").filter(Filter::eq("author_id", author))).finish();
    /// assert_ne!(by(1), by(2));
    /// ```
    pub fn select(mut self, select: &Select) -> Self {
        self.select = select.canonical_bytes();
        self
    }

    /// The fingerprint.
    ///
    /// ```
    /// use folio::Fingerprint;
    /// // fields are length-prefixed: moving a character across a boundary changes it
    /// let a = Fingerprint::builder("ab").path("/c").finish();
    /// let b = Fingerprint::builder("a").path("b/c").finish();
    /// assert_ne!(a, b);
    /// ```
    pub fn finish(self) -> Fingerprint {
        fn field(h: &mut Sha256, bytes: &[u8]) {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        let mut h = Sha256::new();
        field(&mut h, b"folio cursor fingerprint v2");
        field(&mut h, self.scope.as_bytes());
        field(&mut h, self.path.as_bytes());
        match &self.ordering {
            None => field(&mut h, b""),
            Some(spec) => {
                // One byte per key after the client string: 0 NOT NULL, 1 NULLs
                // first, 2 NULLs last. The key count is fixed by the string.
                let mut canonical = spec.to_string().into_bytes();
                canonical.push(0xff);
                canonical.extend(
                    spec.keys()
                        .iter()
                        .map(|k| match (k.is_nullable(), k.nulls()) {
                            (false, _) => 0,
                            (true, Nulls::First) => 1,
                            (true, Nulls::Last) => 2,
                        }),
                );
                h.update([1]);
                field(&mut h, &canonical);
            }
        }
        field(&mut h, &self.select);
        Fingerprint(h.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Orderings;

    fn spec(raw: &str) -> SortSpec {
        Orderings::new("id", "id")
            .field("price", "price_cents")
            .field("created_at", "created_at")
            .parse(raw)
            .unwrap()
    }

    #[test]
    fn fingerprint_is_canonical_and_sensitive() {
        use crate::Filter;
        let select = |f: Filter| Select::from("t").filter(f);
        let a = Fingerprint::builder("s")
            .ordering(&spec("price"))
            .select(&select(Filter::eq("a", 1)))
            .path("/s")
            .finish();
        let b = Fingerprint::builder("s")
            .path("/s")
            .select(&select(Filter::eq("a", 1)))
            .ordering(&spec("price"))
            .finish();
        assert_eq!(a, b, "the order of the calls does not matter");
        let with = |f: Filter| Fingerprint::builder("s").select(&select(f)).finish();
        assert_ne!(with(Filter::eq("a", 1)), with(Filter::eq("a", 2)));
        assert_ne!(with(Filter::eq("a", 1)), with(Filter::eq("b", 1)));
        // length prefixes keep fields apart
        assert_ne!(
            Fingerprint::builder("sa").path("b").finish(),
            Fingerprint::builder("s").path("ab").finish()
        );
        // the NULL placement of a nullable key is part of the ordering
        let last = Orderings::new("id", "id").nullable_field("rating", "rating", Nulls::Last);
        let first = Orderings::new("id", "id").nullable_field("rating", "rating", Nulls::First);
        let notnull = Orderings::new("id", "id").field("rating", "rating");
        let of = |o: &Orderings| {
            Fingerprint::builder("/s")
                .ordering(&o.parse("rating").unwrap())
                .finish()
        };
        assert_ne!(of(&last), of(&first));
        assert_ne!(of(&last), of(&notnull));
        assert_ne!(of(&first), of(&notnull));
        // an ordering differs from none at all
        assert_ne!(
            Fingerprint::builder("/s").finish(),
            Fingerprint::builder("/s").ordering(&spec("")).finish()
        );
    }

    #[test]
    fn the_tag_is_the_first_bytes() {
        let fp = Fingerprint::builder("/s").finish();
        assert_eq!(fp.tag(), &fp.as_bytes()[..TAG_LEN]);
    }
}
