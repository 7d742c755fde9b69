//! Sparse fieldsets validated against a whitelist. (Contract; implemented by the request work.)

/// The fields a resource may return: its default fields and the deferred (heavy)
/// ones returned only when asked for.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSet {
    /// The selected names.
    pub names: Vec<String>,
}
