//! Path parameters.

use folio::Error;

/// A path id: a positive integer, else a 400 naming `id`.
pub fn path_id(raw: &str) -> Result<i64, Error> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 1)
        .ok_or_else(|| Error::invalid("id", "must be a positive integer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_integers() {
        assert!(path_id("0").is_err() && path_id("x").is_err() && path_id("-1").is_err());
        assert_eq!(path_id("7").unwrap(), 7);
        assert_eq!(path_id("x").unwrap_err().param(), Some("id"));
    }
}
