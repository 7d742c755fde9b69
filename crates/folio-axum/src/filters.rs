//! An application's own query parameters, typed, with bad values answered as
//! problem documents naming the parameter.

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::de::DeserializeOwned;

use crate::Problem;

/// The request's query parameters deserialized into `T` (a `#[derive(Deserialize)]`
/// struct of the application's own parameters: a path-independent filter that is
/// not declared on the endpoint, a flag). Like axum's `Query`, but a value that does
/// not parse is a 400 problem document naming the parameter (axum answers
/// `text/plain`), a repeated parameter takes its last value (as folio reads
/// pagination parameters), and parameters `T` does not name are ignored.
///
/// ```
/// use axum::{routing::get, Router};
/// use folio_axum::Filters;
///
/// #[derive(serde::Deserialize)]
/// struct Search { q: Option<String>, limit_chars: Option<u32> }
///
/// async fn search(Filters(s): Filters<Search>) -> String {
///     format!("{:?} {:?}", s.q, s.limit_chars)
/// }
/// let app: Router = Router::new().route("/search", get(search));
///
/// let e = folio_axum::Filters::<Search>::parse("q=rust&limit_chars=many").err().unwrap();
/// assert_eq!((e.status, e.invalid_params[0].name.as_str()), (400, "limit_chars"));
/// let Filters(s) = Filters::<Search>::parse("limit_chars=1&q=a&q=b").unwrap();
/// assert_eq!((s.q.as_deref(), s.limit_chars), (Some("b"), Some(1)));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters<T>(pub T);

impl<T: DeserializeOwned> Filters<T> {
    /// Deserializes a raw query string (see the type's docs).
    pub fn parse(raw: &str) -> Result<Filters<T>, Problem> {
        let query = folio::QueryString::parse(raw);
        let mut last = form_urlencoded::Serializer::new(String::new());
        for (name, value) in query.last_values() {
            last.append_pair(name, value?);
        }
        let last = last.finish();
        let pairs = form_urlencoded::parse(last.as_bytes());
        serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(Filters)
            .map_err(|e| {
                let name = e.path().to_string();
                let name = if name == "." { "query" } else { &name };
                Problem::bad_request(name, e.inner().to_string())
            })
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Filters<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Filters::parse(parts.uri.query().unwrap_or(""))
    }
}
