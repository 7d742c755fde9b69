//! What a cursor is bound to: [`Fingerprint`] and its builder.

use sha2::{Digest, Sha256};

use super::token::TAG_LEN;
use crate::{Nulls, SortSpec};

/// What a cursor is bound to: the endpoint (with its path parameters), the ordering
/// and the filters. A cursor decoded under another fingerprint is refused.
///
/// It is the SHA-256 of length-prefixed fields: the scope; the ordering's canonical
/// form (its client string, such as `-price,-id`, and the NULL placement of each
/// nullable key); and the filters sorted by name and value. The page size is not
/// part of it: a client may change `per_page` between requests.
///
/// ```
/// use folio::{Fingerprint, SortSpec};
/// let spec = SortSpec::by_unique("id", "id");
/// let a = Fingerprint::builder("/api/products").ordering(&spec)
///     .filter("category", "books").filter("min_price", "100").finish();
/// let b = Fingerprint::builder("/api/products").ordering(&spec)
///     .filter("min_price", "100").filter("category", "books").finish();
/// assert_eq!(a, b);
/// let c = Fingerprint::builder("/api/products").ordering(&spec)
///     .filter("category", "games").filter("min_price", "100").finish();
/// assert_ne!(a, c);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

/// Builds a [`Fingerprint`].
///
/// ```
/// let fp = folio::Fingerprint::builder("/api/users/7/orders").filter("status", "paid").finish();
/// assert_ne!(fp, folio::Fingerprint::builder("/api/users/8/orders").filter("status", "paid").finish());
/// ```
#[derive(Debug, Clone)]
pub struct FingerprintBuilder {
    scope: String,
    ordering: Option<SortSpec>,
    filters: Vec<(String, String)>,
}

impl Fingerprint {
    /// Starts a fingerprint for `scope` (the endpoint and its path parameters,
    /// such as `/api/users/7/orders`).
    ///
    /// ```
    /// let a = folio::Fingerprint::builder("/api/products").finish();
    /// assert_eq!(a, folio::Fingerprint::builder("/api/products").finish());
    /// assert_ne!(a, folio::Fingerprint::builder("/api/users").finish());
    /// ```
    pub fn builder(scope: &str) -> FingerprintBuilder {
        FingerprintBuilder {
            scope: scope.to_owned(),
            ordering: None,
            filters: Vec::new(),
        }
    }

    /// The 32 bytes of the fingerprint (a token carries the first 8).
    ///
    /// ```
    /// let fp = folio::Fingerprint::builder("/api/products").finish();
    /// assert_eq!(fp.as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The first bytes of the fingerprint, the part a token carries.
    pub(super) fn tag(&self) -> &[u8] {
        &self.0[..TAG_LEN]
    }
}

impl FingerprintBuilder {
    /// Binds the ordering (a second call replaces the first).
    ///
    /// ```
    /// use folio::{Fingerprint, Orderings};
    /// let o = Orderings::new("id", "id").field("price", "price_cents");
    /// let up = Fingerprint::builder("/p").ordering(&o.parse("price").unwrap()).finish();
    /// let down = Fingerprint::builder("/p").ordering(&o.parse("-price").unwrap()).finish();
    /// assert_ne!(up, down);
    /// ```
    pub fn ordering(mut self, spec: &SortSpec) -> Self {
        self.ordering = Some(spec.clone());
        self
    }

    /// Binds a filter's value (order of calls does not matter).
    ///
    /// ```
    /// use folio::Fingerprint;
    /// let a = Fingerprint::builder("/p").filter("a", "1").filter("b", "2").finish();
    /// let b = Fingerprint::builder("/p").filter("b", "2").filter("a", "1").finish();
    /// assert_eq!(a, b);
    /// ```
    pub fn filter(mut self, name: &str, value: &str) -> Self {
        self.filters.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The fingerprint.
    ///
    /// ```
    /// use folio::Fingerprint;
    /// // fields are length-prefixed: moving a character across a boundary changes it
    /// let a = Fingerprint::builder("/p").filter("ab", "c").finish();
    /// let b = Fingerprint::builder("/p").filter("a", "bc").finish();
    /// assert_ne!(a, b);
    /// ```
    pub fn finish(mut self) -> Fingerprint {
        fn field(h: &mut Sha256, bytes: &[u8]) {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        let mut h = Sha256::new();
        field(&mut h, b"folio cursor fingerprint v1");
        field(&mut h, self.scope.as_bytes());
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
        self.filters.sort();
        h.update((self.filters.len() as u64).to_le_bytes());
        for (name, value) in &self.filters {
            field(&mut h, name.as_bytes());
            field(&mut h, value.as_bytes());
        }
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
        let a = Fingerprint::builder("/s")
            .ordering(&spec("price"))
            .filter("a", "1")
            .filter("b", "2")
            .filter("a", "0")
            .finish();
        let b = Fingerprint::builder("/s")
            .filter("b", "2")
            .filter("a", "0")
            .ordering(&spec("price"))
            .filter("a", "1")
            .finish();
        assert_eq!(a, b);
        // length prefixes keep fields apart
        let fields = |n: &str, v: &str| Fingerprint::builder("/s").filter(n, v).finish();
        assert_ne!(fields("ab", "c"), fields("a", "bc"));
        assert_ne!(
            Fingerprint::builder("/sa").filter("b", "c").finish(),
            Fingerprint::builder("/s").filter("ab", "c").finish()
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
