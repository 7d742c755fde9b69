//! Response bodies in the shapes clients know. (Contract; implemented by the envelope work.)

/// The JSON shape a page is rendered in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    /// The Flask article's keys plus links: `{"<items_key>": [...], "<total_key>", "total_relation",
    /// "pages", "current_page", "per_page", "next", "previous"}`.
    Seed {
        /// The key of the items array (`products`, `users`, `orders`).
        items_key: String,
        /// The key of the total (`total`; `total_orders` on a user's orders).
        total_key: String,
    },
    /// Django REST Framework's `{"count", "next", "previous", "results"}`.
    Drf,
    /// JSON:API: `data`, `links`, `meta`.
    JsonApi {
        /// The resource `type` of every item.
        resource_type: String,
    },
    /// Relay connections: `edges[{cursor, node}]`, `pageInfo`.
    Relay,
}
