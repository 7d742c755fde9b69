//! Sparse fieldsets (`fields=id,name,price`) validated against a whitelist.
//!
//! A resource declares its default fields (returned when the request names none) and
//! its deferred fields (heavy columns, such as a product's description, returned only
//! when named). A selection lists the fields to return, comma-separated; names are
//! trimmed, case-sensitive, and a repeated name counts once. The selection replaces
//! the defaults: `fields=description` returns just the description.

use crate::{Error, ErrorKind, Result};

/// The longest part of an unknown field name echoed back in an error, in characters.
const ECHO_MAX_CHARS: usize = 64;

/// The fields a resource may return: its default fields and the deferred (heavy)
/// ones returned only when asked for.
///
/// ```
/// let f = folio::Fields::new(&["id", "name", "price"]).deferred(&["description"]);
/// let set = f.parse(Some("description,id")).unwrap();
/// assert_eq!(set.iter().collect::<Vec<_>>(), ["id", "description"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// Returned by default, in output order.
    pub defaults: Vec<String>,
    /// Returned only when named in the field set.
    pub deferred: Vec<String>,
    /// The query parameter (default `fields`).
    pub param: String,
}

/// A validated selection of fields, in the whitelist's order.
///
/// ```
/// let set = folio::Fields::new(&["id", "name"]).parse(Some("name")).unwrap();
/// assert!(set.contains("name") && !set.contains("id"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    /// The selected names.
    pub names: Vec<String>,
}

impl Fields {
    /// A whitelist whose default fields are `defaults` (in output order), with no
    /// deferred fields, read from the `fields` parameter.
    ///
    /// ```
    /// let f = folio::Fields::new(&["id", "name"]);
    /// assert_eq!(f.param, "fields");
    /// assert_eq!(f.parse(None).unwrap().names, ["id", "name"]);
    /// ```
    pub fn new(defaults: &[&str]) -> Self {
        Fields {
            defaults: defaults.iter().map(|&s| s.to_owned()).collect(),
            deferred: Vec::new(),
            param: "fields".to_owned(),
        }
    }

    /// Sets the deferred fields: allowed, but returned only when named.
    ///
    /// ```
    /// let f = folio::Fields::new(&["id"]).deferred(&["description"]);
    /// assert!(!f.parse(None).unwrap().contains("description"));
    /// assert!(f.parse(Some("id,description")).unwrap().contains("description"));
    /// ```
    pub fn deferred(mut self, deferred: &[&str]) -> Self {
        self.deferred = deferred.iter().map(|&s| s.to_owned()).collect();
        self
    }

    /// Sets the query parameter named in errors (default `fields`; JSON:API would use
    /// `fields[products]`).
    ///
    /// ```
    /// let f = folio::Fields::new(&["id"]).param("fields[products]");
    /// assert_eq!(f.parse(Some("sku")).unwrap_err().param(), Some("fields[products]"));
    /// ```
    pub fn param(mut self, param: &str) -> Self {
        param.clone_into(&mut self.param);
        self
    }

    /// The query parameter the field set is read from (`fields` unless set).
    ///
    /// ```
    /// assert_eq!(folio::Fields::new(&["id"]).param_name(), "fields");
    /// ```
    pub fn param_name(&self) -> &str {
        &self.param
    }

    /// The allowed names in whitelist order: the defaults, then the deferred fields
    /// (a name listed twice appears once).
    ///
    /// ```
    /// let f = folio::Fields::new(&["id", "name"]).deferred(&["description"]);
    /// assert_eq!(f.allowed().collect::<Vec<_>>(), ["id", "name", "description"]);
    /// ```
    pub fn allowed(&self) -> impl Iterator<Item = &str> + '_ {
        self.defaults
            .iter()
            .chain(&self.deferred)
            .enumerate()
            .filter(|&(i, name)| {
                !self
                    .defaults
                    .iter()
                    .chain(&self.deferred)
                    .take(i)
                    .any(|earlier| earlier == name)
            })
            .map(|(_, name)| name.as_str())
    }

    /// Validates the raw value of the fields parameter (already percent-decoded).
    ///
    /// `None`, an empty or a blank value selects the defaults. Otherwise the value is a
    /// comma-separated list of names, each trimmed; a name outside the whitelist is an
    /// [`ErrorKind::UnknownField`] whose reason lists the allowed names, and an empty
    /// item (`id,,name`, a trailing comma) is an [`ErrorKind::InvalidParameter`].
    ///
    /// ```
    /// use folio::{ErrorKind, Fields};
    /// let f = Fields::new(&["id", "name", "price"]).deferred(&["description"]);
    /// assert_eq!(f.parse(Some(" price , id,price")).unwrap().names, ["id", "price"]);
    /// let e = f.parse(Some("id,sku")).unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::UnknownField);
    /// assert_eq!(e.reason(), "unknown field `sku`; allowed: id, name, price, description");
    /// assert_eq!(f.parse(Some("id,,name")).unwrap_err().kind(), ErrorKind::InvalidParameter);
    /// ```
    pub fn parse(&self, raw: Option<&str>) -> Result<FieldSet> {
        let raw = raw.unwrap_or_default();
        if raw.trim().is_empty() {
            return Ok(FieldSet {
                names: self
                    .allowed()
                    .filter(|a| self.defaults.iter().any(|d| d == a))
                    .map(str::to_owned)
                    .collect(),
            });
        }
        let mut wanted: Vec<&str> = Vec::new();
        for item in raw.split(',').map(str::trim) {
            if item.is_empty() {
                return Err(Error::invalid(
                    &self.param,
                    "contains an empty field name; separate names with single commas",
                ));
            }
            if !self.allowed().any(|a| a == item) {
                return Err(Error::new(
                    ErrorKind::UnknownField,
                    Some(&self.param),
                    format!(
                        "unknown field `{}`; allowed: {}",
                        echo(item),
                        self.allowed().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            wanted.push(item);
        }
        Ok(FieldSet {
            names: self
                .allowed()
                .filter(|a| wanted.contains(a))
                .map(str::to_owned)
                .collect(),
        })
    }
}

impl FieldSet {
    /// Whether the selection includes `name`.
    ///
    /// ```
    /// let f = folio::Fields::new(&["id", "name"]).deferred(&["description"]);
    /// let set = f.parse(Some("description")).unwrap();
    /// assert!(set.contains("description"));
    /// assert!(!set.contains("id"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The selected names, in the whitelist's order.
    ///
    /// ```
    /// let set = folio::Fields::new(&["id", "name", "price"]).parse(Some("price,id")).unwrap();
    /// assert_eq!(set.iter().collect::<Vec<_>>(), ["id", "price"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(String::as_str)
    }

    /// The number of selected names.
    ///
    /// ```
    /// assert_eq!(folio::Fields::new(&["id", "name"]).parse(None).unwrap().len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether nothing is selected (only possible with an empty whitelist).
    ///
    /// ```
    /// assert!(folio::Fields::new(&[]).parse(None).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A client-supplied name as echoed in an error: at most [`ECHO_MAX_CHARS`] characters.
fn echo(name: &str) -> String {
    match name.char_indices().nth(ECHO_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn products() -> Fields {
        Fields::new(&["id", "name", "category", "price", "rating", "created_at"])
            .deferred(&["description"])
    }

    fn names(set: &FieldSet) -> Vec<&str> {
        set.iter().collect()
    }

    #[test]
    fn none_or_empty_selects_the_defaults() {
        let f = products();
        let defaults = ["id", "name", "category", "price", "rating", "created_at"];
        assert_eq!(names(&f.parse(None).unwrap()), defaults);
        assert_eq!(names(&f.parse(Some("")).unwrap()), defaults);
        assert_eq!(names(&f.parse(Some("  ")).unwrap()), defaults);
        assert!(!f.parse(None).unwrap().contains("description"));
    }

    #[test]
    fn selection_is_in_whitelist_order_trimmed_and_deduplicated() {
        let f = products();
        assert_eq!(
            names(&f.parse(Some("price, id ,name,price,id")).unwrap()),
            ["id", "name", "price"]
        );
        assert_eq!(
            names(&f.parse(Some("description,id")).unwrap()),
            ["id", "description"]
        );
    }

    #[test]
    fn only_a_deferred_field_returns_just_that_field() {
        let set = products().parse(Some("description")).unwrap();
        assert_eq!(names(&set), ["description"]);
        assert!(set.contains("description"));
        assert!(!set.contains("id"));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn unknown_field_is_refused_with_the_allowed_names() {
        let e = products().parse(Some("id,sku")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownField);
        assert_eq!(e.param(), Some("fields"));
        assert_eq!(
            e.reason(),
            "unknown field `sku`; allowed: id, name, category, price, rating, created_at, description"
        );
        // Case-sensitive.
        assert_eq!(
            products().parse(Some("ID")).unwrap_err().kind(),
            ErrorKind::UnknownField
        );
    }

    #[test]
    fn unknown_field_names_the_configured_param() {
        let e = products()
            .param("fields[products]")
            .parse(Some("nope"))
            .unwrap_err();
        assert_eq!(e.param(), Some("fields[products]"));
    }

    #[test]
    fn unknown_field_echo_is_truncated() {
        let long = "x".repeat(1000);
        let e = products().parse(Some(&long)).unwrap_err();
        let echoed = format!("`{}…`", "x".repeat(64));
        assert!(e.reason().contains(&echoed), "{}", e.reason());
        assert!(e.reason().len() < 200);
        // Multi-byte characters are cut on a character boundary.
        let e = products().parse(Some(&"é".repeat(100))).unwrap_err();
        assert!(e.reason().contains(&format!("`{}…`", "é".repeat(64))));
        // Exactly 64 characters: not truncated.
        let e = products().parse(Some(&"y".repeat(64))).unwrap_err();
        assert!(e.reason().contains(&format!("`{}`", "y".repeat(64))));
    }

    #[test]
    fn empty_item_is_invalid() {
        for raw in ["id,,name", "id,", ",id", "id, ,name", ","] {
            let e = products().parse(Some(raw)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidParameter, "{raw:?}");
            assert_eq!(e.param(), Some("fields"));
        }
    }

    #[test]
    fn builders_and_allowed() {
        let f = Fields::new(&["id", "name", "id"]).deferred(&["name", "body"]);
        assert_eq!(f.param, "fields");
        assert_eq!(f.allowed().collect::<Vec<_>>(), ["id", "name", "body"]);
        assert_eq!(names(&f.parse(None).unwrap()), ["id", "name"]);
        let f = f.deferred(&["notes"]);
        assert_eq!(f.deferred, ["notes"]);
        assert!(Fields::new(&[]).parse(None).unwrap().is_empty());
        assert_eq!(
            Fields::new(&[]).parse(Some("id")).unwrap_err().kind(),
            ErrorKind::UnknownField
        );
    }
}
