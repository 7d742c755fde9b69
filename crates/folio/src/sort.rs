//! Sort specifications: the ordering a page is cut from, parsed from a client's
//! `ordering=price,-created_at` against a whitelist, with the unique key appended.

use crate::{Error, ErrorKind, Result};

/// Ascending or descending.
///
/// ```
/// assert_eq!(folio::Order::Asc.reversed(), folio::Order::Desc);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl Order {
    /// The other direction.
    ///
    /// ```
    /// assert_eq!(folio::Order::Desc.reversed(), folio::Order::Asc);
    /// ```
    pub fn reversed(self) -> Order {
        match self {
            Order::Asc => Order::Desc,
            Order::Desc => Order::Asc,
        }
    }

    /// `ASC` or `DESC`.
    ///
    /// ```
    /// assert_eq!(folio::Order::Desc.sql(), "DESC");
    /// ```
    pub fn sql(self) -> &'static str {
        match self {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        }
    }
}

/// Where NULLs of a nullable column sort, whatever the column's direction.
///
/// folio makes the placement explicit so that SQLite and PostgreSQL (whose
/// defaults differ) return the same order. The default is [`Nulls::Last`]:
/// rows without a value come after rows with one, ascending or descending.
///
/// ```
/// assert_eq!(folio::Nulls::default(), folio::Nulls::Last);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nulls {
    /// NULLs before every value.
    First,
    /// NULLs after every value.
    #[default]
    Last,
}

impl Nulls {
    /// The other placement.
    ///
    /// ```
    /// assert_eq!(folio::Nulls::First.reversed(), folio::Nulls::Last);
    /// ```
    pub fn reversed(self) -> Nulls {
        match self {
            Nulls::First => Nulls::Last,
            Nulls::Last => Nulls::First,
        }
    }
}

/// One column of an ordering.
///
/// ```
/// use folio::{Order, SortKey};
/// let k = SortKey::new("price", "price_cents", Order::Desc);
/// assert_eq!(k.column(), "price_cents");
/// assert!(!k.is_nullable());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortKey {
    name: String,
    column: String,
    order: Order,
    nullable: bool,
    nulls: Nulls,
}

impl SortKey {
    /// A NOT NULL key: public `name`, SQL output `column`, direction.
    ///
    /// ```
    /// let k = folio::SortKey::new("id", "id", folio::Order::Asc);
    /// assert_eq!(k.name(), "id");
    /// ```
    pub fn new(name: &str, column: &str, order: Order) -> Self {
        SortKey {
            name: name.to_owned(),
            column: column.to_owned(),
            order,
            nullable: false,
            nulls: Nulls::Last,
        }
    }

    /// The same key, declared nullable with NULLs placed as `nulls`.
    ///
    /// ```
    /// use folio::{Nulls, Order, SortKey};
    /// let k = SortKey::new("rating", "rating", Order::Asc).nullable(Nulls::Last);
    /// assert!(k.is_nullable());
    /// assert_eq!(k.nulls(), Nulls::Last);
    /// ```
    pub fn nullable(mut self, nulls: Nulls) -> Self {
        self.nullable = true;
        self.nulls = nulls;
        self
    }

    /// The public name (what a client writes in `ordering`).
    ///
    /// ```
    /// assert_eq!(folio::SortKey::new("price", "price_cents", folio::Order::Asc).name(), "price");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column of the query's output that holds the key.
    ///
    /// ```
    /// assert_eq!(folio::SortKey::new("price", "price_cents", folio::Order::Asc).column(), "price_cents");
    /// ```
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The direction.
    ///
    /// ```
    /// assert_eq!(folio::SortKey::new("a", "a", folio::Order::Desc).order(), folio::Order::Desc);
    /// ```
    pub fn order(&self) -> Order {
        self.order
    }

    /// Whether the column may hold NULL.
    ///
    /// ```
    /// assert!(!folio::SortKey::new("a", "a", folio::Order::Asc).is_nullable());
    /// ```
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    /// Where NULLs sort (meaningful only for nullable keys).
    ///
    /// ```
    /// assert_eq!(folio::SortKey::new("a", "a", folio::Order::Asc).nulls(), folio::Nulls::Last);
    /// ```
    pub fn nulls(&self) -> Nulls {
        self.nulls
    }

    /// The key as it reads when traversed the other way: direction and NULL
    /// placement both flipped.
    ///
    /// ```
    /// use folio::{Nulls, Order, SortKey};
    /// let k = SortKey::new("r", "r", Order::Asc).nullable(Nulls::Last).reversed();
    /// assert_eq!((k.order(), k.nulls()), (Order::Desc, Nulls::First));
    /// ```
    pub fn reversed(&self) -> SortKey {
        SortKey {
            order: self.order.reversed(),
            nulls: self.nulls.reversed(),
            ..self.clone()
        }
    }
}

/// A complete, deterministic ordering: one or more keys, the last of which is unique.
///
/// Build one from a whitelist with [`Orderings::parse`], or by hand with
/// [`SortSpec::new`], which appends the unique key when it is not already last.
///
/// ```
/// use folio::{Order, SortKey, SortSpec};
/// let spec = SortSpec::new(
///     vec![SortKey::new("price", "price_cents", Order::Desc)],
///     SortKey::new("id", "id", Order::Asc),
/// );
/// // the tiebreaker takes the direction of the last ordering column
/// assert_eq!(spec.to_string(), "-price,-id");
/// assert_eq!(spec.keys().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortSpec {
    keys: Vec<SortKey>,
}

impl SortSpec {
    /// An ordering of `keys` made total by `unique`, which is appended (with the
    /// direction of the last key) unless the last key already is that column.
    /// `unique` must be NOT NULL.
    ///
    /// ```
    /// use folio::{Order, SortKey, SortSpec};
    /// let id = SortKey::new("id", "id", Order::Asc);
    /// let spec = SortSpec::new(vec![SortKey::new("id", "id", Order::Desc)], id);
    /// assert_eq!(spec.to_string(), "-id");
    /// ```
    pub fn new(keys: Vec<SortKey>, unique: SortKey) -> Self {
        let mut keys = keys;
        let mut unique = unique;
        unique.nullable = false;
        // A column named twice adds nothing to the order after its first mention.
        let mut seen = std::collections::HashSet::new();
        keys.retain(|k| seen.insert(k.column.clone()));
        if let Some(pos) = keys.iter().position(|k| k.column == unique.column) {
            // Everything after the unique key is already decided by it.
            keys.truncate(pos + 1);
            keys[pos].nullable = false;
        } else {
            if let Some(last) = keys.last() {
                unique.order = last.order;
            }
            keys.push(unique);
        }
        SortSpec { keys }
    }

    /// The keys, the unique tiebreaker last.
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// assert_eq!(spec.keys()[0].column(), "id");
    /// ```
    pub fn keys(&self) -> &[SortKey] {
        &self.keys
    }

    /// The ordering by the unique key alone, ascending (every collection's default).
    ///
    /// ```
    /// assert_eq!(folio::SortSpec::by_unique("id", "id").to_string(), "id");
    /// ```
    pub fn by_unique(name: &str, column: &str) -> Self {
        SortSpec {
            keys: vec![SortKey::new(name, column, Order::Asc)],
        }
    }

    /// The unique key (always the last).
    ///
    /// ```
    /// assert_eq!(folio::SortSpec::by_unique("id", "id").unique().column(), "id");
    /// ```
    pub fn unique(&self) -> &SortKey {
        self.keys
            .last()
            .expect("a SortSpec always has its unique key")
    }

    /// The same ordering traversed backwards: every key reversed.
    ///
    /// ```
    /// assert_eq!(folio::SortSpec::by_unique("id", "id").reversed().to_string(), "-id");
    /// ```
    pub fn reversed(&self) -> SortSpec {
        SortSpec {
            keys: self.keys.iter().map(SortKey::reversed).collect(),
        }
    }

    /// Whether every key runs in the same direction.
    ///
    /// ```
    /// assert!(folio::SortSpec::by_unique("id", "id").is_uniform());
    /// ```
    pub fn is_uniform(&self) -> bool {
        self.keys.windows(2).all(|w| w[0].order == w[1].order)
    }
}

impl std::fmt::Display for SortSpec {
    /// The canonical client form: public names, `-` for descending, comma-separated.
    /// Cursors are bound to this string (and the nulls placement of each key).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if k.order == Order::Desc {
                f.write_str("-")?;
            }
            f.write_str(&k.name)?;
        }
        Ok(())
    }
}

/// The whitelist of orderings a client may ask for: public names mapped to columns,
/// plus the unique key appended to every ordering.
///
/// ```
/// use folio::{Nulls, Orderings};
/// let orderings = Orderings::new("id", "id")
///     .field("name", "name")
///     .field("price", "price_cents")
///     .nullable_field("rating", "rating", Nulls::Last)
///     .field("created_at", "created_at");
/// let spec = orderings.parse("price,-created_at").unwrap();
/// assert_eq!(spec.to_string(), "price,-created_at,-id");
/// assert_eq!(spec.keys()[0].column(), "price_cents");
///
/// let err = orderings.parse("sku").unwrap_err();
/// assert_eq!(err.kind(), folio::ErrorKind::UnknownOrdering);
/// assert_eq!(err.param(), Some("ordering"));
/// ```
#[derive(Debug, Clone)]
pub struct Orderings {
    unique: SortKey,
    fields: Vec<SortKey>,
    param: String,
    default: Option<SortSpec>,
}

impl Orderings {
    /// A whitelist whose unique key has public name `name` and column `column`.
    /// The unique key is itself orderable.
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id");
    /// assert_eq!(o.parse("-id").unwrap().to_string(), "-id");
    /// ```
    pub fn new(name: &str, column: &str) -> Self {
        Orderings {
            unique: SortKey::new(name, column, Order::Asc),
            fields: Vec::new(),
            param: "ordering".to_owned(),
            default: None,
        }
    }

    /// Allows ordering by NOT NULL `column` under public `name`.
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id").field("price", "price_cents");
    /// assert!(o.parse("price").is_ok());
    /// ```
    pub fn field(mut self, name: &str, column: &str) -> Self {
        self.fields.push(SortKey::new(name, column, Order::Asc));
        self
    }

    /// Allows ordering by nullable `column` under public `name`, NULLs placed as `nulls`.
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id").nullable_field("rating", "rating", folio::Nulls::Last);
    /// assert!(o.parse("-rating").unwrap().keys()[0].is_nullable());
    /// ```
    pub fn nullable_field(mut self, name: &str, column: &str, nulls: Nulls) -> Self {
        self.fields
            .push(SortKey::new(name, column, Order::Asc).nullable(nulls));
        self
    }

    /// Names the query parameter in errors (default `ordering`; JSON:API uses `sort`).
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id").param("sort");
    /// assert_eq!(o.parse("nope").unwrap_err().param(), Some("sort"));
    /// ```
    pub fn param(mut self, param: &str) -> Self {
        param.clone_into(&mut self.param);
        self
    }

    /// The public names a client may use, the unique key first.
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id").field("name", "name");
    /// assert_eq!(o.names().collect::<Vec<_>>(), ["id", "name"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.unique.name()).chain(self.fields.iter().map(SortKey::name))
    }

    /// Sets the ordering used when a request gives none (or an empty one), in the
    /// client's form (`-published_at`); the default default is the unique key
    /// ascending. Give it after the fields it names.
    ///
    /// # Panics
    /// When `ordering` names a field not on the whitelist: a mistake in the server's
    /// setup, found when it starts.
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id")
    ///     .field("published_at", "published_at")
    ///     .default_ordering("-published_at");
    /// assert_eq!(o.parse("").unwrap().to_string(), "-published_at,-id");
    /// assert_eq!(o.parse("id").unwrap().to_string(), "id");
    /// ```
    pub fn default_ordering(mut self, ordering: &str) -> Self {
        self.default = None;
        let spec = self.parse(ordering).unwrap_or_else(|e| {
            panic!("folio: the default ordering `{ordering}` is not on the whitelist: {e}")
        });
        self.default = Some(spec);
        self
    }

    /// The default ordering: the one set with [`Orderings::default_ordering`], else the
    /// unique key ascending.
    ///
    /// ```
    /// assert_eq!(folio::Orderings::new("id", "id").default_spec().to_string(), "id");
    /// ```
    pub fn default_spec(&self) -> SortSpec {
        self.default
            .clone()
            .unwrap_or_else(|| SortSpec::new(Vec::new(), self.unique.clone()))
    }

    /// The query parameter the ordering is read from (`ordering` unless set).
    ///
    /// ```
    /// assert_eq!(folio::Orderings::new("id", "id").param_name(), "ordering");
    /// ```
    pub fn param_name(&self) -> &str {
        &self.param
    }

    /// The orderable keys: the unique key first, then the fields (all ascending).
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id").field("price", "price_cents");
    /// assert_eq!(o.keys().map(|k| k.column()).collect::<Vec<_>>(), ["id", "price_cents"]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &SortKey> {
        std::iter::once(&self.unique).chain(&self.fields)
    }

    /// Parses a client ordering: comma-separated public names, each optionally
    /// prefixed by `-` for descending (`+` or nothing for ascending). Empty
    /// input gives the default ordering. Unknown names, empty items and a name
    /// given twice are refused with [`ErrorKind::UnknownOrdering`] or
    /// [`ErrorKind::InvalidParameter`].
    ///
    /// ```
    /// let o = folio::Orderings::new("id", "id").field("price", "price_cents");
    /// assert_eq!(o.parse("").unwrap().to_string(), "id");
    /// assert_eq!(o.parse("-price").unwrap().to_string(), "-price,-id");
    /// assert!(o.parse("price,,id").is_err());
    /// assert!(o.parse("price,-price").is_err());
    /// ```
    pub fn parse(&self, raw: &str) -> Result<SortSpec> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(self.default_spec());
        }
        let mut keys: Vec<SortKey> = Vec::new();
        for item in raw.split(',') {
            let item = item.trim();
            let (order, name) = if let Some(rest) = item.strip_prefix('-') {
                (Order::Desc, rest)
            } else if let Some(rest) = item.strip_prefix('+') {
                (Order::Asc, rest)
            } else {
                (Order::Asc, item)
            };
            if name.is_empty() {
                return Err(Error::invalid(&self.param, "empty ordering item"));
            }
            let known = if name == self.unique.name {
                Some(&self.unique)
            } else {
                self.fields.iter().find(|k| k.name == name)
            };
            let Some(known) = known else {
                return Err(Error::new(
                    ErrorKind::UnknownOrdering,
                    Some(&self.param),
                    format!(
                        "unknown ordering field `{}`; allowed: {}",
                        truncate(name, 64),
                        self.names().collect::<Vec<_>>().join(", ")
                    ),
                ));
            };
            if keys.iter().any(|k| k.name == known.name) {
                return Err(Error::invalid(
                    &self.param,
                    format!("ordering field `{name}` given twice"),
                ));
            }
            let mut key = known.clone();
            key.order = order;
            keys.push(key);
        }
        Ok(SortSpec::new(keys, self.unique.clone()))
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orderings() -> Orderings {
        Orderings::new("id", "id")
            .field("name", "name")
            .field("price", "price_cents")
            .nullable_field("rating", "rating", Nulls::Last)
            .field("created_at", "created_at")
    }

    #[test]
    fn tiebreaker_takes_the_last_direction() {
        let spec = orderings().parse("-price").unwrap();
        let orders: Vec<_> = spec.keys().iter().map(SortKey::order).collect();
        assert_eq!(orders, [Order::Desc, Order::Desc]);
        assert_eq!(spec.unique().column(), "id");
        let spec = orderings().parse("-price,created_at").unwrap();
        assert_eq!(spec.to_string(), "-price,created_at,id");
    }

    #[test]
    fn unique_key_named_explicitly_ends_the_ordering() {
        let spec = orderings().parse("-id,price").unwrap();
        assert_eq!(spec.to_string(), "-id");
        let spec = orderings().parse("price,-id").unwrap();
        assert_eq!(spec.to_string(), "price,-id");
    }

    #[test]
    fn nullable_fields_keep_their_placement() {
        let spec = orderings().parse("-rating").unwrap();
        assert!(spec.keys()[0].is_nullable());
        assert_eq!(spec.keys()[0].nulls(), Nulls::Last);
        assert!(!spec.keys()[1].is_nullable());
    }

    #[test]
    fn refusals_name_the_parameter() {
        for bad in [
            "sku",
            "price,sku",
            "-",
            ",",
            "price,",
            "name,name",
            "description",
        ] {
            let e = orderings().parse(bad).unwrap_err();
            assert_eq!(e.param(), Some("ordering"), "{bad}");
            assert!(matches!(
                e.kind(),
                ErrorKind::UnknownOrdering | ErrorKind::InvalidParameter
            ));
        }
        let long = "x".repeat(10_000);
        assert!(orderings().parse(&long).unwrap_err().reason().len() < 200);
    }

    #[test]
    fn reversed_flips_direction_and_nulls() {
        let spec = orderings().parse("rating").unwrap().reversed();
        assert_eq!(spec.to_string(), "-rating,-id");
        assert_eq!(spec.keys()[0].nulls(), Nulls::First);
    }
}
