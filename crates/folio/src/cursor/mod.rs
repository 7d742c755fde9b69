//! Opaque, signed, versioned cursor tokens, under a ring of keys, optionally with a
//! maximum age.
//!
//! A token is the unpadded base64url encoding of these bytes (version 2):
//!
//! | bytes | what |
//! | --- | --- |
//! | 1 | version, `2` |
//! | 1 | direction: `0` after the boundary row, `1` before it |
//! | 8 | fingerprint tag: the first 8 bytes of the [`Fingerprint`] |
//! | varint | issue time: whole seconds since the Unix epoch (5 bytes from 1978 to 3058) |
//! | varint | number of values (at most [`CursorCodec::MAX_VALUES`]) |
//! | … | the values, each a tag byte and its payload |
//! | 16 | HMAC-SHA256 under the signing key (the first of the ring) of every byte before it, truncated to 16 bytes |
//!
//! Values: `0` NULL; `1` integer (zigzag LEB128 varint); `2` float (the 8 bytes of
//! its IEEE 754 bits, little-endian, so NaN payloads and `-0.0` survive); `3` text
//! (varint byte length, UTF-8); `4` timestamp (zigzag varint microseconds); `5` false;
//! `6` true; `7` bytes (varint length, raw bytes). Varints are unsigned LEB128 of at
//! most 10 bytes and must be minimal, so every cursor issued at a given second has
//! exactly one token. Version 1 (the same without the issue time) is no longer read.
//!
//! Decoding checks, in this order: the token's length and alphabet, the version, the
//! signature (in constant time, under each key of the ring in turn), the payload, the
//! age (only when [`CursorCodec::max_age`] is set), and last the fingerprint. Every
//! refusal is a [`crate::Error`] about the parameter `cursor` whose reason never
//! quotes the token. Decoding never panics and allocates no more than the token's
//! length.
//!
//! The code is split by concept: `token` (the byte layout and its parser, no keys),
//! `keys` (signing and the key ring), `fingerprint` (what a cursor is bound to), and
//! this module, which ties them together.
//!
//! Key rotation and expiry are described on [`CursorCodec`].

mod fingerprint;
mod keys;
mod token;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

pub use fingerprint::{Fingerprint, FingerprintBuilder};
use keys::{KeyRing, MAC_LEN};
use token::{HEADER_LEN, VERSION};

use crate::{Error, ErrorKind, Result, Seek, Value};

const PARAM: &str = "cursor";

/// Which side of its boundary row a cursor's page lies.
///
/// ```
/// use folio::{Cursor, Direction, Value};
/// assert_eq!(Cursor::after(vec![Value::Int(1)]).direction, Direction::After);
/// assert_ne!(Direction::After, Direction::Before);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The rows after the boundary (a "next" cursor).
    After,
    /// The rows before the boundary (a "previous" cursor).
    Before,
}

/// A decoded cursor: a direction and the key values of the boundary row, one per
/// key of the ordering it was made for.
///
/// ```
/// use folio::{Cursor, Direction, Value};
/// let c = Cursor { direction: Direction::Before, values: vec![Value::Int(7)] };
/// assert_eq!(c, Cursor::before(vec![Value::Int(7)]));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// Which side of the boundary the page lies.
    pub direction: Direction,
    /// The boundary row's key values, in the ordering's key order.
    pub values: Vec<Value>,
}

impl Cursor {
    /// A cursor to the rows after the row with `values`.
    ///
    /// ```
    /// let c = folio::Cursor::after(vec![folio::Value::Int(3)]);
    /// assert_eq!(c.direction, folio::Direction::After);
    /// assert_eq!(c.values, [folio::Value::Int(3)]);
    /// ```
    pub fn after(values: Vec<Value>) -> Self {
        Cursor {
            direction: Direction::After,
            values,
        }
    }

    /// A cursor to the rows before the row with `values`.
    ///
    /// ```
    /// let c = folio::Cursor::before(vec![folio::Value::Null]);
    /// assert_eq!(c.direction, folio::Direction::Before);
    /// ```
    pub fn before(values: Vec<Value>) -> Self {
        Cursor {
            direction: Direction::Before,
            values,
        }
    }

    /// Where the page this cursor points at starts.
    ///
    /// ```
    /// use folio::{Cursor, Seek, Value};
    /// assert_eq!(Cursor::before(vec![Value::Int(9)]).seek(), Seek::Before(vec![Value::Int(9)]));
    /// assert_eq!(Cursor::after(vec![Value::Int(9)]).seek(), Seek::After(vec![Value::Int(9)]));
    /// ```
    pub fn seek(&self) -> Seek {
        match self.direction {
            Direction::After => Seek::After(self.values.clone()),
            Direction::Before => Seek::Before(self.values.clone()),
        }
    }
}

/// Encodes and decodes cursor tokens under a ring of server keys (HMAC-SHA256), with
/// an optional maximum age.
///
/// Use random keys of at least 32 bytes, the same on every server instance. Removing
/// a key from the ring invalidates every cursor it signed (clients then get a 400
/// and start again from the first page).
///
/// **Rotating the key.** [`CursorCodec::with_keys`] takes a ring: the first key
/// signs, every key verifies. To replace key `old` by `new` without refusing a single
/// cursor in circulation, deploy `[old, new]` everywhere (every server now accepts
/// `new`), then `[new, old]` (`new` signs), and drop `old` once the cursors it signed
/// no longer matter (after the maximum age, if one is set). A cursor signed by a key
/// no longer in the ring is refused with [`ErrorKind::BadCursorSignature`].
///
/// **Expiry.** Every token carries its issue time, in whole seconds. With
/// [`CursorCodec::max_age`] set, a token older than the maximum age is refused with
/// [`ErrorKind::CursorExpired`]; so is a token issued more than
/// [`CursorCodec::MAX_CLOCK_SKEW`] *ahead* of the decoding server's clock (it can only
/// come from a server whose clock runs fast, and accepting it would stretch its life
/// past the maximum age; the reason says the issue time is ahead of the clock).
/// Without a maximum age the issue time is carried and signed but not checked.
///
/// ```
/// use folio::{Cursor, CursorCodec, Fingerprint, Value};
/// let codec = CursorCodec::new(b"an example key of thirty-two byt");
/// let fp = Fingerprint::builder("/api/products").finish();
/// let token = codec.encode(&Cursor::after(vec![Value::Int(42)]), &fp);
/// assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
/// assert_eq!(codec.decode(&token, &fp).unwrap().values, [Value::Int(42)]);
/// ```
#[derive(Clone)]
pub struct CursorCodec {
    keys: KeyRing,
    max_age: Option<Duration>,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `key: <redacted>` for one key (what it always printed), the count for more;
        // the maximum age only when set.
        let mut d = f.debug_struct("CursorCodec");
        match self.keys.len() {
            1 => d.field("key", &format_args!("<redacted>")),
            n => d.field("keys", &format_args!("<{n} redacted>")),
        };
        if let Some(max_age) = &self.max_age {
            d.field("max_age", max_age);
        }
        d.finish()
    }
}

impl CursorCodec {
    /// The longest token [`CursorCodec::decode`] accepts, in characters.
    ///
    /// ```
    /// assert_eq!(folio::CursorCodec::MAX_TOKEN_LEN, 4096);
    /// ```
    pub const MAX_TOKEN_LEN: usize = 4096;

    /// The most key values a cursor may carry.
    ///
    /// ```
    /// assert_eq!(folio::CursorCodec::MAX_VALUES, 64);
    /// ```
    pub const MAX_VALUES: usize = 64;

    /// How far ahead of the decoding server's clock a token's issue time may be
    /// when a maximum age is set (servers' clocks differ a little); a token issued
    /// further ahead is refused with [`ErrorKind::CursorExpired`].
    ///
    /// ```
    /// assert_eq!(folio::CursorCodec::MAX_CLOCK_SKEW, std::time::Duration::from_secs(300));
    /// ```
    pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

    /// A codec signing and verifying with `key` alone, without a maximum age.
    ///
    /// ```
    /// let codec = folio::CursorCodec::new(b"secret");
    /// assert_eq!(format!("{codec:?}"), "CursorCodec { key: <redacted> }");
    /// ```
    pub fn new(key: &[u8]) -> Self {
        CursorCodec {
            keys: KeyRing::single(key),
            max_age: None,
        }
    }

    /// A codec over a ring of keys: the first signs, every one verifies (each is
    /// tried in turn, each comparison in constant time). Refuses an empty ring with
    /// [`ErrorKind::Internal`].
    ///
    /// ```
    /// use folio::{Cursor, CursorCodec, ErrorKind, Fingerprint, Value};
    /// let fp = Fingerprint::builder("/api/products").finish();
    /// let cursor = Cursor::after(vec![Value::Int(7)]);
    /// let old = CursorCodec::new(b"old key").encode(&cursor, &fp);
    ///
    /// // `new` signs, `old` still verifies: cursors in circulation keep working
    /// let ring = CursorCodec::with_keys([b"new key".as_slice(), b"old key"]).unwrap();
    /// assert_eq!(ring.decode(&old, &fp).unwrap(), cursor);
    /// let fresh = ring.encode(&cursor, &fp);
    /// assert_eq!(CursorCodec::new(b"new key").decode(&fresh, &fp).unwrap(), cursor);
    ///
    /// // once `old` leaves the ring, its cursors are refused
    /// let only_new = CursorCodec::with_keys(["new key"]).unwrap();
    /// assert_eq!(only_new.decode(&old, &fp).unwrap_err().kind(), ErrorKind::BadCursorSignature);
    ///
    /// let none: [&str; 0] = [];
    /// assert_eq!(CursorCodec::with_keys(none).unwrap_err().kind(), ErrorKind::Internal);
    /// ```
    pub fn with_keys(keys: impl IntoIterator<Item = impl AsRef<[u8]>>) -> Result<Self> {
        Ok(CursorCodec {
            keys: KeyRing::new(keys)?,
            max_age: None,
        })
    }

    /// The same codec, refusing (with [`ErrorKind::CursorExpired`]) tokens issued
    /// more than `max_age` ago, or more than [`CursorCodec::MAX_CLOCK_SKEW`] in the
    /// future. Ages are counted in whole seconds.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use folio::{Cursor, CursorCodec, ErrorKind, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret").max_age(Duration::from_secs(3600));
    /// let fp = Fingerprint::builder("/api/products").finish();
    /// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_566_896);
    /// let token = codec.encode_at(&Cursor::after(vec![Value::Int(1)]), &fp, t);
    ///
    /// let later = |s| t + Duration::from_secs(s);
    /// assert!(codec.decode_at(&token, &fp, later(3600)).is_ok());
    /// let e = codec.decode_at(&token, &fp, later(3601)).unwrap_err();
    /// assert_eq!((e.kind(), e.param()), (ErrorKind::CursorExpired, Some("cursor")));
    /// assert!(e.reason().contains("start again from the first page"));
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The token for `cursor`, bound to `fingerprint`, issued now
    /// ([`SystemTime::now`]; see [`CursorCodec::encode_at`]).
    ///
    /// A cursor with more than [`CursorCodec::MAX_VALUES`] values, or whose token
    /// would be longer than [`CursorCodec::MAX_TOKEN_LEN`] (text or bytes keys of
    /// kilobytes), is still encoded but will not decode; [`CursorCodec::try_encode`]
    /// refuses it instead.
    ///
    /// ```
    /// use folio::{Cursor, CursorCodec, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret");
    /// let fp = Fingerprint::builder("/api/products").finish();
    /// let cursor = Cursor::before(vec![Value::from("2024-05-01T12:00:00.000000Z"), Value::Int(1234)]);
    /// let token = codec.encode(&cursor, &fp);
    /// assert!(token.len() < 100);
    /// assert_eq!(codec.decode(&token, &fp).unwrap(), cursor);
    /// ```
    pub fn encode(&self, cursor: &Cursor, fingerprint: &Fingerprint) -> String {
        self.encode_at(cursor, fingerprint, SystemTime::now())
    }

    /// The token for `cursor`, bound to `fingerprint`, with `issued` as its issue
    /// time (in whole seconds; a time before the Unix epoch is written as the epoch).
    /// For tests and deterministic output; servers use [`CursorCodec::encode`].
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use folio::{Cursor, CursorCodec, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret");
    /// let fp = Fingerprint::builder("/api/products").finish();
    /// let c = Cursor::after(vec![Value::Timestamp(1_714_566_896_123_456), Value::Int(1_000_000)]);
    /// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_566_896);
    /// let token = codec.encode_at(&c, &fp, t);
    /// assert_eq!(token.len(), 60);
    /// // the same second gives the same token
    /// assert_eq!(codec.encode_at(&c, &fp, t + Duration::from_millis(999)), token);
    /// assert_ne!(codec.encode_at(&c, &fp, t + Duration::from_secs(1)), token);
    /// ```
    pub fn encode_at(
        &self,
        cursor: &Cursor,
        fingerprint: &Fingerprint,
        issued: SystemTime,
    ) -> String {
        let issued = issued.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let body = token::write(cursor, fingerprint.tag(), issued, MAC_LEN);
        self.seal(body)
    }

    /// Like [`CursorCodec::encode`], but refuses (with [`ErrorKind::Internal`], a
    /// bug in the calling code) a cursor whose token would not decode.
    ///
    /// ```
    /// use folio::{Cursor, CursorCodec, ErrorKind, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret");
    /// let fp = Fingerprint::builder("/p").finish();
    /// assert!(codec.try_encode(&Cursor::after(vec![Value::Int(1)]), &fp).is_ok());
    /// let huge = Cursor::after(vec![Value::from("x".repeat(5000))]);
    /// assert_eq!(codec.try_encode(&huge, &fp).unwrap_err().kind(), ErrorKind::Internal);
    /// ```
    pub fn try_encode(&self, cursor: &Cursor, fingerprint: &Fingerprint) -> Result<String> {
        if cursor.values.len() > Self::MAX_VALUES {
            return Err(Error::internal(format!(
                "a cursor carries at most {} values, this one has {}",
                Self::MAX_VALUES,
                cursor.values.len()
            )));
        }
        let token = self.encode(cursor, fingerprint);
        if token.len() > Self::MAX_TOKEN_LEN {
            return Err(Error::internal(format!(
                "the cursor token would be {} characters, more than the {} a client may send back",
                token.len(),
                Self::MAX_TOKEN_LEN
            )));
        }
        Ok(token)
    }

    /// Decodes and verifies `token`, bound to `fingerprint`, now
    /// ([`SystemTime::now`]; see [`CursorCodec::decode_at`]).
    ///
    /// Refusals, all about the parameter `cursor`: [`ErrorKind::MalformedCursor`] (not
    /// a token: too long, not base64url, truncated, or a payload that does not parse),
    /// [`ErrorKind::UnknownCursorVersion`] (including version 1, which carries no issue
    /// time), [`ErrorKind::BadCursorSignature`] (tampered, or signed under a key not in
    /// the ring), [`ErrorKind::CursorExpired`] (only with a maximum age) and
    /// [`ErrorKind::CursorMismatch`] (a genuine cursor replayed with another ordering,
    /// other filters or on another endpoint).
    ///
    /// ```
    /// use folio::{Cursor, CursorCodec, ErrorKind, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret");
    /// let of = |c: &str| folio::Select::from("products").filter(folio::Filter::eq("category", c));
    /// let books = Fingerprint::builder("products").select(&of("books")).finish();
    /// let games = Fingerprint::builder("products").select(&of("games")).finish();
    /// let token = codec.encode(&Cursor::after(vec![Value::Int(10)]), &books);
    ///
    /// assert_eq!(codec.decode(&token, &books).unwrap(), Cursor::after(vec![Value::Int(10)]));
    /// let e = codec.decode(&token, &games).unwrap_err();
    /// assert_eq!((e.kind(), e.param()), (ErrorKind::CursorMismatch, Some("cursor")));
    /// let e = CursorCodec::new(b"other key").decode(&token, &books).unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::BadCursorSignature);
    /// assert_eq!(codec.decode("not a cursor!", &books).unwrap_err().kind(), ErrorKind::MalformedCursor);
    /// ```
    pub fn decode(&self, token: &str, fingerprint: &Fingerprint) -> Result<Cursor> {
        self.decode_at(token, fingerprint, SystemTime::now())
    }

    /// [`CursorCodec::decode`] as if the time were `now` (which only matters with a
    /// maximum age). For tests and deterministic checks.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use folio::{Cursor, CursorCodec, ErrorKind, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret").max_age(Duration::from_secs(60));
    /// let fp = Fingerprint::builder("/api/products").finish();
    /// let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_566_896);
    /// let token = codec.encode_at(&Cursor::before(vec![Value::Int(5)]), &fp, t);
    ///
    /// let at = |s: i64| if s < 0 { t - Duration::from_secs(s.unsigned_abs()) } else { t + Duration::from_secs(s as u64) };
    /// assert!(codec.decode_at(&token, &fp, at(59)).is_ok());
    /// assert_eq!(codec.decode_at(&token, &fp, at(61)).unwrap_err().kind(), ErrorKind::CursorExpired);
    /// // a little clock skew is tolerated, more is refused
    /// assert!(codec.decode_at(&token, &fp, at(-300)).is_ok());
    /// assert_eq!(codec.decode_at(&token, &fp, at(-301)).unwrap_err().kind(), ErrorKind::CursorExpired);
    /// // without a maximum age, the issue time is not checked
    /// assert!(CursorCodec::new(b"secret").decode_at(&token, &fp, at(1_000_000_000)).is_ok());
    /// ```
    pub fn decode_at(
        &self,
        token: &str,
        fingerprint: &Fingerprint,
        now: SystemTime,
    ) -> Result<Cursor> {
        if token.len() > Self::MAX_TOKEN_LEN {
            return Err(malformed(format!(
                "cursor is too long (at most {} characters)",
                Self::MAX_TOKEN_LEN
            )));
        }
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(token) else {
            return Err(malformed(
                "cursor is not a token this server issued (expected unpadded base64url)",
            ));
        };
        if bytes.len() < HEADER_LEN + MAC_LEN {
            return Err(malformed("cursor is truncated"));
        }
        let version = bytes[0];
        if version != VERSION {
            return Err(unknown_version(version));
        }
        let (body, mac) = bytes.split_at(bytes.len() - MAC_LEN);
        if !self.keys.verify(body, mac) {
            return Err(Error::new(
                ErrorKind::BadCursorSignature,
                Some(PARAM),
                "cursor signature does not verify: it was altered or issued by another server",
            ));
        }
        let parsed = token::parse(body)
            .map_err(|what| malformed(format!("cursor payload is malformed: {what}")))?;
        self.check_age(parsed.issued, now)?;
        if parsed.tag[..] != *fingerprint.tag() {
            return Err(Error::new(
                ErrorKind::CursorMismatch,
                Some(PARAM),
                "cursor was issued for another endpoint, path, ordering or filters",
            ));
        }
        Ok(parsed.cursor)
    }

    /// Refuses a token issued `issued` seconds after the epoch when it is too old or
    /// too far ahead of `now` (only with a maximum age).
    fn check_age(&self, issued: u64, now: SystemTime) -> Result<()> {
        let Some(max_age) = self.max_age else {
            return Ok(());
        };
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if issued > now.saturating_add(Self::MAX_CLOCK_SKEW.as_secs()) {
            return Err(expired(
                "cursor expired: it was issued ahead of this server's clock; start again from \
                 the first page",
            ));
        }
        if Duration::from_secs(now.saturating_sub(issued)) > max_age {
            return Err(expired(format!(
                "cursor expired: it is more than {max_age:?} old; start again from the first page"
            )));
        }
        Ok(())
    }

    /// Appends the truncated MAC of `body` under the signing key and encodes the
    /// whole as base64url.
    fn seal(&self, mut body: Vec<u8>) -> String {
        let mac = self.keys.sign(&body);
        body.extend_from_slice(&mac);
        URL_SAFE_NO_PAD.encode(body)
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::MalformedCursor, Some(PARAM), reason)
}

fn expired(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::CursorExpired, Some(PARAM), reason)
}

fn unknown_version(version: u8) -> Error {
    let reason = if version == 1 {
        format!(
            "cursor version 1 has no issue time and is no longer read (this server reads \
             version {VERSION}); start again from the first page"
        )
    } else {
        format!(
            "cursor version {version} is not supported (this server reads version \
             {VERSION}); start again from the first page"
        )
    };
    Error::new(ErrorKind::UnknownCursorVersion, Some(PARAM), reason)
}

#[cfg(test)]
mod tests {
    use super::token::{put_varint, T_BYTES, T_FLOAT, T_INT, T_NULL, T_TEXT};
    use super::*;
    use crate::{Filter, Nulls, Orderings, Select, SortSpec};
    use proptest::prelude::*;

    const KEY: &[u8] = b"test key, thirty-two bytes long!";
    /// 2024-05-01T12:34:56Z.
    const T0: u64 = 1_714_566_896;

    /// `T0 + secs`.
    fn at(secs: i64) -> SystemTime {
        let t = UNIX_EPOCH + Duration::from_secs(T0);
        if secs < 0 {
            t - Duration::from_secs(secs.unsigned_abs())
        } else {
            t + Duration::from_secs(secs.unsigned_abs())
        }
    }

    fn codec() -> CursorCodec {
        CursorCodec::new(KEY)
    }

    fn orderings() -> Orderings {
        Orderings::new("id", "id")
            .field("price", "price_cents")
            .nullable_field("rating", "rating", Nulls::Last)
            .field("created_at", "created_at")
    }

    fn spec(raw: &str) -> SortSpec {
        orderings().parse(raw).unwrap()
    }

    fn fp() -> Fingerprint {
        Fingerprint::builder("/api/products")
            .ordering(&spec("-created_at"))
            .select(&Select::from("products").filter(Filter::eq("category", "books")))
            .finish()
    }

    /// Values compared bit for bit (NaN equals itself, -0.0 differs from 0.0).
    fn bits(values: &[Value]) -> Vec<Value> {
        values
            .iter()
            .map(|v| match v {
                Value::Float(f) => Value::Bytes(f.to_bits().to_le_bytes().to_vec()),
                other => other.clone(),
            })
            .collect()
    }

    fn round_trip(cursor: &Cursor) -> Cursor {
        let token = codec().encode_at(cursor, &fp(), at(0));
        let back = codec().decode_at(&token, &fp(), at(1)).unwrap();
        assert_eq!(back.direction, cursor.direction);
        assert_eq!(bits(&back.values), bits(&cursor.values));
        // canonical: decoding and encoding again gives the same token
        assert_eq!(codec().encode_at(&back, &fp(), at(0)), token);
        back
    }

    fn raw(token: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(token).unwrap()
    }

    /// A token issued at `T0` with `payload` (the count and the values) after the
    /// header and the issue time, correctly signed under `KEY`.
    fn signed(direction: u8, payload: &[u8]) -> String {
        let mut body = vec![VERSION, direction];
        body.extend_from_slice(fp().tag());
        put_varint(&mut body, T0);
        body.extend_from_slice(payload);
        codec().seal(body)
    }

    /// A token with `rest` right after the header (from the issue time on), signed
    /// under `KEY` with `version`.
    fn signed_raw(version: u8, direction: u8, rest: &[u8]) -> String {
        let mut body = vec![version, direction];
        body.extend_from_slice(fp().tag());
        body.extend_from_slice(rest);
        codec().seal(body)
    }

    fn kind(token: &str) -> ErrorKind {
        let e = codec().decode(token, &fp()).unwrap_err();
        assert_eq!(e.param(), Some("cursor"));
        e.kind()
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::Int),
            any::<u64>().prop_map(|b| Value::Float(f64::from_bits(b))),
            any::<String>().prop_map(Value::Text),
            any::<i64>().prop_map(Value::Timestamp),
            any::<bool>().prop_map(Value::Bool),
            proptest::collection::vec(any::<u8>(), 0..24).prop_map(Value::Bytes),
        ]
    }

    fn cursor() -> impl Strategy<Value = Cursor> {
        (any::<bool>(), proptest::collection::vec(value(), 0..8)).prop_map(|(after, values)| {
            if after {
                Cursor::after(values)
            } else {
                Cursor::before(values)
            }
        })
    }

    #[test]
    fn round_trips_every_value_type() {
        let values = vec![
            Value::Null,
            Value::Int(0),
            Value::Int(-1),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Float(1.5),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            Value::Text(String::new()),
            Value::Text("héllo, wörld ✓ 🦀 \u{0} 'quoted'".into()),
            Value::Timestamp(0),
            Value::Timestamp(i64::MIN),
            Value::Timestamp(i64::MAX),
            Value::Timestamp(1_714_564_800_000_000),
            Value::Bool(false),
            Value::Bool(true),
            Value::Bytes(Vec::new()),
            Value::Bytes(vec![0, 255, 128, 7]),
        ];
        for v in &values {
            round_trip(&Cursor::after(vec![v.clone()]));
        }
        round_trip(&Cursor::after(values.clone()));
        round_trip(&Cursor::before(values));
        round_trip(&Cursor::after(Vec::new()));
        round_trip(&Cursor::before(Vec::new()));
    }

    #[test]
    fn floats_round_trip_bit_exactly() {
        let weird_nan = f64::from_bits(0x7ff8_dead_beef_0001);
        for f in [
            f64::NAN,
            -f64::NAN,
            weird_nan,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            f64::MAX,
        ] {
            let back = round_trip(&Cursor::before(vec![Value::Float(f)]));
            let Value::Float(g) = back.values[0] else {
                panic!("not a float")
            };
            assert_eq!(g.to_bits(), f.to_bits());
        }
    }

    #[test]
    fn directions_survive() {
        let v = vec![Value::Int(5)];
        assert_eq!(
            round_trip(&Cursor::after(v.clone())).direction,
            Direction::After
        );
        assert_eq!(round_trip(&Cursor::before(v)).direction, Direction::Before);
    }

    #[test]
    fn realistic_cursor_is_short() {
        // (created_at, id) after-cursor: a 2024 timestamp in microseconds and an id
        // around 1,000,000, issued in 2024
        let c = Cursor::after(vec![
            Value::Timestamp(1_714_566_896_123_456),
            Value::Int(1_000_000),
        ]);
        let token = codec().encode_at(&c, &fp(), at(0));
        assert!(token.len() < 100, "{}", token.len());
        assert_eq!(token.len(), 60); // 45 bytes, 5 of them the issue time
        assert_eq!(codec().decode_at(&token, &fp(), at(0)).unwrap(), c);
        // issued now (5 varint bytes until the year 3058), any id, a Before cursor
        for id in [1, 1_000_000, 2_000_000_000, i64::MAX] {
            for c in [
                Cursor::after(vec![
                    Value::Timestamp(1_714_566_896_123_456),
                    Value::Int(id),
                ]),
                Cursor::before(vec![
                    Value::Timestamp(1_714_566_896_123_456),
                    Value::Int(id),
                ]),
            ] {
                let token = codec().encode(&c, &fp());
                assert!(token.len() < 100, "{} chars for id {id}", token.len());
            }
        }
        // created_at as 27-char RFC 3339 text is longer, still under 100
        let created_at = "2024-05-01T12:34:56.123456Z";
        assert_eq!(created_at.len(), 27);
        for id in [1, 1_000_000, 2_000_000_000, i64::MAX] {
            let c = Cursor::after(vec![Value::from(created_at), Value::Int(id)]);
            let token = codec().encode_at(&c, &fp(), at(0));
            assert!(token.len() < 100, "{} chars for id {id}", token.len());
        }
        let token = codec().encode_at(
            &Cursor::after(vec![Value::from(created_at), Value::Int(1_000_000)]),
            &fp(),
            at(0),
        );
        assert_eq!(token.len(), 87); // 65 bytes
    }

    #[test]
    fn wrong_key_is_bad_signature() {
        let token = codec().encode(&Cursor::after(vec![Value::Int(1)]), &fp());
        let e = CursorCodec::new(b"another key")
            .decode(&token, &fp())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadCursorSignature);
        assert_eq!(e.param(), Some("cursor"));
        let e = CursorCodec::new(b"").decode(&token, &fp()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadCursorSignature);
    }

    #[test]
    fn other_fingerprint_is_mismatch() {
        let token = codec().encode(&Cursor::after(vec![Value::Int(1), Value::Int(2)]), &fp());
        let base = || Fingerprint::builder("/api/products");
        let others = [
            base()
                .ordering(&spec("created_at"))
                .select(&Select::from("products").filter(Filter::eq("category", "books")))
                .finish(),
            base()
                .ordering(&spec("-price"))
                .select(&Select::from("products").filter(Filter::eq("category", "books")))
                .finish(),
            base()
                .ordering(&spec("-created_at"))
                .select(&Select::from("products").filter(Filter::eq("category", "games")))
                .finish(),
            base()
                .ordering(&spec("-created_at"))
                .select(&Select::from("products").filter(Filter::eq("genre", "books")))
                .finish(),
            base().ordering(&spec("-created_at")).finish(),
            base()
                .ordering(&spec("-created_at"))
                .select(
                    &Select::from("products")
                        .filter(Filter::eq("category", "books"))
                        .filter(Filter::eq("min_price", "100")),
                )
                .finish(),
            Fingerprint::builder("/api/users/7/orders")
                .ordering(&spec("-created_at"))
                .select(&Select::from("products").filter(Filter::eq("category", "books")))
                .finish(),
        ];
        for other in &others {
            assert_ne!(other, &fp());
            let e = codec().decode(&token, other).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::CursorMismatch);
            assert_eq!(e.param(), Some("cursor"));
            assert_eq!(
                e.reason(),
                "cursor was issued for another endpoint, path, ordering or filters"
            );
        }
    }

    #[test]
    fn other_version_is_unknown_version() {
        let token = codec().encode(&Cursor::after(vec![Value::Int(1)]), &fp());
        for version in [0, 1, 3, 255] {
            let mut bytes = raw(&token);
            bytes[0] = version;
            let e = codec()
                .decode(&URL_SAFE_NO_PAD.encode(&bytes), &fp())
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::UnknownCursorVersion);
            assert_eq!(e.param(), Some("cursor"));
            // re-signed, still refused by version
            let resigned = codec().seal(bytes[..bytes.len() - MAC_LEN].to_vec());
            assert_eq!(kind(&resigned), ErrorKind::UnknownCursorVersion);
        }
    }

    #[test]
    fn version_one_tokens_are_refused_helpfully() {
        // a version-1 token: header, count, values, MAC (no issue time), genuinely
        // signed under the same key
        let token = signed_raw(1, 0, &[2, T_INT, 84, T_INT, 2]);
        let e = codec().decode(&token, &fp()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownCursorVersion);
        assert_eq!(e.param(), Some("cursor"));
        assert_eq!(
            e.reason(),
            "cursor version 1 has no issue time and is no longer read (this server reads \
             version 2); start again from the first page"
        );
        assert!(e.reason().len() < 120);
        let e = codec()
            .decode(&signed_raw(9, 0, &[0, 0]), &fp())
            .unwrap_err();
        assert_eq!(
            e.reason(),
            "cursor version 9 is not supported (this server reads version 2); start again \
             from the first page"
        );
        // the version is checked before the signature
        let e = CursorCodec::new(b"other")
            .decode(&token, &fp())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownCursorVersion);
    }

    #[test]
    fn tampered_signature_or_payload_is_bad_signature() {
        let token = codec().encode(&Cursor::after(vec![Value::Int(1)]), &fp());
        let mut bytes = raw(&token);
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(
            kind(&URL_SAFE_NO_PAD.encode(&bytes)),
            ErrorKind::BadCursorSignature
        );
        let mut bytes = raw(&token);
        bytes[HEADER_LEN + 2] ^= 0x10;
        assert_eq!(
            kind(&URL_SAFE_NO_PAD.encode(&bytes)),
            ErrorKind::BadCursorSignature
        );
    }

    #[test]
    fn non_tokens_are_malformed() {
        let long = "A".repeat(CursorCodec::MAX_TOKEN_LEN + 1);
        let inputs = [
            "",
            "=",
            "+",
            "/",
            "==",
            "A",
            "AA",
            "AAA=",
            "AAAA",
            "é",
            "日本語",
            "abc def",
            "abc\n",
            "+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFGHIJ",
            long.as_str(),
        ];
        for input in inputs {
            let e = codec().decode(input, &fp()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedCursor, "{input:?}");
            assert_eq!(e.param(), Some("cursor"));
        }
        // a valid token with padding, standard-alphabet characters or whitespace
        let token = codec().encode(&Cursor::after(vec![Value::Int(1)]), &fp());
        for bad in [
            format!("{token}="),
            format!("{token}=="),
            format!("+{token}"),
            format!("/{token}"),
            format!(" {token}"),
            format!("{token}é"),
        ] {
            assert_eq!(kind(&bad), ErrorKind::MalformedCursor, "{bad}");
        }
    }

    #[test]
    fn refusals_do_not_echo_the_input() {
        let marker = "SECRETMARKERxyz";
        let token = codec().encode(&Cursor::after(vec![Value::from(marker)]), &fp());
        let other = Fingerprint::builder("/other").finish();
        for (input, fp) in [
            (format!("{marker}!!"), fp()),
            (marker.repeat(400), fp()),
            (token.clone(), other),
            (token.clone(), fp()),
        ] {
            if let Err(e) = codec().decode(&input, &fp) {
                assert!(!e.reason().contains("SECRET"), "{}", e.reason());
                assert!(e.reason().len() < 120, "{}", e.reason());
            }
        }
    }

    #[test]
    fn payload_errors_are_malformed() {
        let cases: &[(u8, &[u8])] = &[
            (2, &[0]),                    // bad direction
            (255, &[0]),                  // bad direction
            (0, &[]),                     // no count
            (0, &[1, 8]),                 // unknown tag
            (0, &[1, 255]),               // unknown tag
            (0, &[1, T_INT]),             // missing varint
            (0, &[1, T_INT, 0x80]),       // truncated varint
            (0, &[1, T_INT, 0x80, 0x00]), // overlong varint
            (0, &[0x80, 0x00]),           // overlong count
            (
                0,
                &[
                    1, T_INT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                ],
            ), // > 64 bits
            (
                0,
                &[
                    1, T_INT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0,
                ],
            ), // 11 bytes
            (0, &[1, T_FLOAT, 1, 2, 3]),  // short float
            (0, &[1, T_TEXT, 5, b'a']),   // length past end
            (
                0,
                &[
                    1, T_TEXT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                ],
            ), // huge length
            (0, &[1, T_BYTES, 3, 1, 2]),  // length past end
            (0, &[1, T_TEXT, 2, 0xc3, 0x28]), // invalid UTF-8
            (0, &[1, T_TEXT, 1, 0xff]),   // invalid UTF-8
            (0, &[1, T_NULL, T_NULL]),    // trailing bytes
            (0, &[0, 9]),                 // trailing bytes
            (0, &[2, T_NULL]),            // fewer values than counted
            (0, &[65]),                   // too many values
            (0, &[0xff, 0xff, 0xff, 0xff, 0x0f]), // absurd count
        ];
        for (direction, payload) in cases {
            let token = signed(*direction, payload);
            let e = codec().decode(&token, &fp()).unwrap_err();
            assert_eq!(
                e.kind(),
                ErrorKind::MalformedCursor,
                "{direction} {payload:?}"
            );
            assert!(e.reason().starts_with("cursor payload is malformed"));
        }
        // 64 values are fine, even if the count is the largest allowed
        let mut payload = vec![64];
        payload.extend([T_NULL; 64]);
        assert_eq!(
            codec()
                .decode(&signed(1, &payload), &fp())
                .unwrap()
                .values
                .len(),
            64
        );
        // payload errors come before the fingerprint check
        let other = Fingerprint::builder("/other").finish();
        let e = codec().decode(&signed(7, &[0]), &other).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedCursor);
    }

    #[test]
    fn too_many_values_are_refused_at_both_ends() {
        let c = Cursor::after(vec![Value::Null; CursorCodec::MAX_VALUES + 1]);
        assert_eq!(
            codec().try_encode(&c, &fp()).unwrap_err().kind(),
            ErrorKind::Internal
        );
        let token = codec().encode(&c, &fp());
        assert_eq!(kind(&token), ErrorKind::MalformedCursor);
        let ok = Cursor::after(vec![Value::Null; CursorCodec::MAX_VALUES]);
        assert!(codec().try_encode(&ok, &fp()).is_ok());
    }

    #[test]
    fn every_truncation_is_refused() {
        let c = Cursor::before(vec![
            Value::from("2024-05-01T12:34:56.123456Z"),
            Value::Int(77),
        ]);
        let token = codec().encode(&c, &fp());
        for n in 0..token.len() {
            assert!(codec().decode(&token[..n], &fp()).is_err(), "{n}");
            assert!(codec().decode(&token[n + 1..], &fp()).is_err(), "{n}");
        }
    }

    #[test]
    fn every_single_bit_flip_is_refused() {
        let c = Cursor::after(vec![
            Value::Int(3),
            Value::Float(f64::NAN),
            Value::Bool(true),
        ]);
        let bytes = raw(&codec().encode(&c, &fp()));
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let e = codec()
                .decode(&URL_SAFE_NO_PAD.encode(&b), &fp())
                .unwrap_err();
            let expected = if bit < 8 {
                ErrorKind::UnknownCursorVersion
            } else {
                ErrorKind::BadCursorSignature
            };
            assert_eq!(e.kind(), expected, "bit {bit}");
        }
    }

    // --- key ring ------------------------------------------------------------

    const KEY_A: &[u8] = b"key A, thirty-two bytes long!!!!";
    const KEY_B: &[u8] = b"key B, thirty-two bytes long!!!!";

    #[test]
    fn rotation_keeps_live_cursors_working() {
        let c = Cursor::after(vec![Value::Timestamp(1_714_566_896_123_456), Value::Int(9)]);
        let by_a = CursorCodec::new(KEY_A).encode_at(&c, &fp(), at(0));

        // [B, A] still decodes what A signed
        let ring = CursorCodec::with_keys([KEY_B, KEY_A]).unwrap();
        assert_eq!(ring.decode_at(&by_a, &fp(), at(1)).unwrap(), c);
        assert_eq!(ring.decode(&by_a, &fp()).unwrap(), c);

        // [B] alone refuses it
        for only_b in [
            CursorCodec::with_keys([KEY_B]).unwrap(),
            CursorCodec::new(KEY_B),
        ] {
            let e = only_b.decode_at(&by_a, &fp(), at(1)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadCursorSignature);
            assert_eq!(e.param(), Some("cursor"));
        }

        // new tokens from [B, A] are signed with B
        let fresh = ring.encode_at(&c, &fp(), at(0));
        assert_eq!(fresh, CursorCodec::new(KEY_B).encode_at(&c, &fp(), at(0)));
        assert_ne!(fresh, by_a);
        assert_eq!(CursorCodec::new(KEY_B).decode(&fresh, &fp()).unwrap(), c);
        assert_eq!(
            CursorCodec::new(KEY_A)
                .decode(&fresh, &fp())
                .unwrap_err()
                .kind(),
            ErrorKind::BadCursorSignature
        );
        // and the ring reads its own tokens, under either order
        assert_eq!(ring.decode(&fresh, &fp()).unwrap(), c);
        let ab = CursorCodec::with_keys(vec![KEY_A.to_vec(), KEY_B.to_vec()]).unwrap();
        assert_eq!(ab.decode(&fresh, &fp()).unwrap(), c);
        assert_eq!(ab.encode_at(&c, &fp(), at(0)), by_a);
        // a ring of one is `new`
        assert_eq!(
            CursorCodec::with_keys([KEY_A])
                .unwrap()
                .encode_at(&c, &fp(), at(0)),
            by_a
        );
    }

    #[test]
    fn a_ring_needs_a_key() {
        let e = CursorCodec::with_keys(Vec::<&[u8]>::new()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Internal);
        assert!(e.reason().contains("at least one key"), "{}", e.reason());
        // any `AsRef<[u8]>` will do
        assert!(CursorCodec::with_keys(["a", "b"]).is_ok());
        assert!(CursorCodec::with_keys(vec![String::from("a")]).is_ok());
        assert!(CursorCodec::with_keys([b"".as_slice(), b"x"]).is_ok());
    }

    #[test]
    fn debug_redacts_the_keys() {
        let ring = CursorCodec::with_keys([KEY_A, KEY_B])
            .unwrap()
            .max_age(Duration::from_secs(90));
        let debug = format!("{ring:?}");
        assert_eq!(debug, "CursorCodec { keys: <2 redacted>, max_age: 90s }");
        assert!(!debug.contains("key A"));
        let one = CursorCodec::with_keys([KEY_A]).unwrap();
        assert_eq!(format!("{one:?}"), "CursorCodec { key: <redacted> }");
        let one = one.max_age(Duration::from_secs(3600));
        assert_eq!(
            format!("{one:?}"),
            "CursorCodec { key: <redacted>, max_age: 3600s }"
        );
    }

    #[test]
    fn a_tampered_token_is_refused_under_every_key() {
        let ring = CursorCodec::with_keys([KEY_B, KEY_A]).unwrap();
        let token = CursorCodec::new(KEY_A).encode(&Cursor::after(vec![Value::Int(1)]), &fp());
        let mut bytes = raw(&token);
        bytes[HEADER_LEN + 1] ^= 1;
        let e = ring
            .decode(&URL_SAFE_NO_PAD.encode(&bytes), &fp())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadCursorSignature);
    }

    // --- expiry --------------------------------------------------------------

    #[test]
    fn expiry() {
        let strict = codec().max_age(Duration::from_secs(60));
        let c = Cursor::before(vec![Value::Int(3)]);
        let token = strict.encode_at(&c, &fp(), at(0));
        assert_eq!(strict.decode_at(&token, &fp(), at(0)).unwrap(), c);
        assert_eq!(strict.decode_at(&token, &fp(), at(59)).unwrap(), c);
        assert_eq!(strict.decode_at(&token, &fp(), at(60)).unwrap(), c);
        let e = strict.decode_at(&token, &fp(), at(61)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CursorExpired);
        assert_eq!(e.param(), Some("cursor"));
        assert_eq!(
            e.reason(),
            "cursor expired: it is more than 60s old; start again from the first page"
        );
        assert_eq!(e.kind().http_status(), 400);
        // ages are whole seconds: issued at 0.999 s is issued at 0
        let token2 = strict.encode_at(&c, &fp(), at(0) + Duration::from_millis(999));
        assert_eq!(token2, token);
        // without a maximum age, the issue time is not checked
        let forever = codec();
        assert_eq!(
            forever.decode_at(&token, &fp(), at(100_000_000)).unwrap(),
            c
        );
        assert_eq!(forever.decode_at(&token, &fp(), UNIX_EPOCH).unwrap(), c);
        // a maximum age of zero: the same second only
        let zero = codec().max_age(Duration::ZERO);
        assert!(zero.decode_at(&token, &fp(), at(0)).is_ok());
        assert_eq!(
            zero.decode_at(&token, &fp(), at(1)).unwrap_err().kind(),
            ErrorKind::CursorExpired
        );
    }

    #[test]
    fn tokens_from_the_future_are_refused_beyond_the_skew() {
        let strict = codec().max_age(Duration::from_secs(60));
        let c = Cursor::after(vec![Value::Int(3)]);
        let token = strict.encode_at(&c, &fp(), at(0));
        assert_eq!(CursorCodec::MAX_CLOCK_SKEW, Duration::from_secs(300));
        assert_eq!(strict.decode_at(&token, &fp(), at(-300)).unwrap(), c);
        let e = strict.decode_at(&token, &fp(), at(-301)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CursorExpired);
        assert_eq!(e.param(), Some("cursor"));
        assert_eq!(
            e.reason(),
            "cursor expired: it was issued ahead of this server's clock; start again from \
             the first page"
        );
        // a clock before the epoch, or an issue time at the end of time: no overflow
        assert_eq!(
            strict
                .decode_at(&token, &fp(), UNIX_EPOCH - Duration::from_secs(1))
                .unwrap_err()
                .kind(),
            ErrorKind::CursorExpired
        );
        let mut rest = Vec::new();
        put_varint(&mut rest, u64::MAX);
        rest.extend([1, T_INT, 6]);
        let last = signed_raw(VERSION, 0, &rest);
        assert_eq!(
            strict.decode_at(&last, &fp(), at(0)).unwrap_err().kind(),
            ErrorKind::CursorExpired
        );
        assert_eq!(codec().decode_at(&last, &fp(), at(0)).unwrap(), c);
        // without a maximum age, the future is fine too
        assert_eq!(codec().decode_at(&token, &fp(), at(-100_000)).unwrap(), c);
    }

    #[test]
    fn issue_times_before_the_epoch_are_the_epoch() {
        let c = Cursor::after(vec![Value::Null]);
        let token = codec().encode_at(&c, &fp(), UNIX_EPOCH - Duration::from_secs(10));
        assert_eq!(token, codec().encode_at(&c, &fp(), UNIX_EPOCH));
        assert_eq!(raw(&token)[HEADER_LEN], 0);
        assert_eq!(codec().decode(&token, &fp()).unwrap(), c);
        let strict = codec().max_age(Duration::from_secs(60));
        assert_eq!(
            strict.decode(&token, &fp()).unwrap_err().kind(),
            ErrorKind::CursorExpired
        );
    }

    #[test]
    fn encode_and_decode_use_the_clock() {
        let strict = codec().max_age(Duration::from_secs(60));
        let c = Cursor::after(vec![Value::Int(1)]);
        assert_eq!(strict.decode(&strict.encode(&c, &fp()), &fp()).unwrap(), c);
        let token = strict.try_encode(&c, &fp()).unwrap();
        assert_eq!(strict.decode(&token, &fp()).unwrap(), c);
        let old = strict.encode_at(&c, &fp(), SystemTime::now() - Duration::from_secs(120));
        assert_eq!(
            strict.decode(&old, &fp()).unwrap_err().kind(),
            ErrorKind::CursorExpired
        );
        // the issue time written is now's
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let token = strict.encode(&c, &fp());
        let mut expected = Vec::new();
        put_varint(&mut expected, secs);
        let got = &raw(&token)[HEADER_LEN..HEADER_LEN + expected.len()];
        let mut next = Vec::new();
        put_varint(&mut next, secs + 1);
        assert!(got == expected || got == next);
    }

    #[test]
    fn checks_come_in_order() {
        let strict = codec().max_age(Duration::from_secs(60));
        let other = Fingerprint::builder("/other").finish();
        let late = at(1000);
        // expiry before the fingerprint
        let token = strict.encode_at(&Cursor::after(vec![Value::Int(1)]), &fp(), at(0));
        assert_eq!(
            strict.decode_at(&token, &other, late).unwrap_err().kind(),
            ErrorKind::CursorExpired
        );
        assert_eq!(
            strict.decode_at(&token, &other, at(0)).unwrap_err().kind(),
            ErrorKind::CursorMismatch
        );
        // the payload before expiry
        let bad = signed(0, &[1, T_INT]);
        assert_eq!(
            strict.decode_at(&bad, &fp(), late).unwrap_err().kind(),
            ErrorKind::MalformedCursor
        );
        // the signature before the payload and expiry
        let e = CursorCodec::new(KEY_A)
            .max_age(Duration::from_secs(60))
            .decode_at(&bad, &other, late)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadCursorSignature);
        // the version before the signature
        let mut bytes = raw(&token);
        bytes[0] = 1;
        assert_eq!(
            strict
                .decode_at(&URL_SAFE_NO_PAD.encode(&bytes), &other, late)
                .unwrap_err()
                .kind(),
            ErrorKind::UnknownCursorVersion
        );
        // the length and alphabet first
        assert_eq!(
            strict.decode_at("AgA!", &other, late).unwrap_err().kind(),
            ErrorKind::MalformedCursor
        );
    }

    #[test]
    fn issue_time_errors_are_malformed() {
        let cases: &[&[u8]] = &[
            &[],              // no issue time
            &[0x80],          // truncated varint
            &[0x80, 0x00, 0], // overlong varint
            &[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0,
            ], // > 64 bits
            &[5],             // no count
        ];
        for rest in cases {
            let token = signed_raw(VERSION, 0, rest);
            let e = codec().decode(&token, &fp()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedCursor, "{rest:?}");
            assert!(e.reason().starts_with("cursor payload is malformed"));
        }
        // the smallest token: issued at the epoch, no values
        let token = signed_raw(VERSION, 1, &[0, 0]);
        assert_eq!(
            codec().decode(&token, &fp()).unwrap(),
            Cursor::before(vec![])
        );
    }

    proptest! {
        #[test]
        fn prop_round_trip(c in cursor()) {
            round_trip(&c);
        }

        #[test]
        fn prop_bit_flip_is_err(c in cursor(), bit in any::<prop::sample::Index>()) {
            let mut bytes = raw(&codec().encode(&c, &fp()));
            let bit = bit.index(bytes.len() * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(codec().decode(&URL_SAFE_NO_PAD.encode(&bytes), &fp()).is_err());
        }

        #[test]
        fn prop_truncation_is_err(c in cursor(), cut in any::<prop::sample::Index>()) {
            let token = codec().encode(&c, &fp());
            let n = cut.index(token.len());
            prop_assert!(codec().decode(&token[..n], &fp()).is_err());
            let bytes = raw(&token);
            let n = cut.index(bytes.len());
            prop_assert!(codec().decode(&URL_SAFE_NO_PAD.encode(&bytes[..n]), &fp()).is_err());
        }

        #[test]
        fn prop_random_strings_are_err(s in any::<String>()) {
            prop_assert!(codec().decode(&s, &fp()).is_err());
        }

        #[test]
        fn prop_random_base64url_is_err(s in "[A-Za-z0-9_-]{0,200}") {
            prop_assert!(codec().decode(&s, &fp()).is_err());
        }

        #[test]
        fn prop_random_bytes_are_err(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert!(codec().decode(&URL_SAFE_NO_PAD.encode(&b), &fp()).is_err());
            prop_assert!(codec().decode(&String::from_utf8_lossy(&b), &fp()).is_err());
            // with a valid version byte, so the signature check is reached
            let mut v = vec![VERSION];
            v.extend_from_slice(&b);
            prop_assert!(codec().decode(&URL_SAFE_NO_PAD.encode(&v), &fp()).is_err());
        }

        /// Past the signature, any payload parses or is refused, never panics, and
        /// what parses is re-encoded to the very same token.
        #[test]
        fn prop_signed_random_payload_never_panics(
            direction in 0u8..3,
            payload in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let token = signed(direction, &payload);
            match codec().decode(&token, &fp()) {
                Ok(c) => prop_assert_eq!(codec().encode_at(&c, &fp(), at(0)), token),
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::MalformedCursor),
            }
        }

        /// The same with random bytes from the issue time on, under a maximum age:
        /// refused as malformed or expired, or parsed and re-encoded to the same token.
        #[test]
        fn prop_signed_random_rest_never_panics(
            direction in 0u8..3,
            rest in proptest::collection::vec(any::<u8>(), 0..64),
            now in 0u64..(1 << 40),
        ) {
            let token = signed_raw(VERSION, direction, &rest);
            let now = UNIX_EPOCH + Duration::from_secs(now);
            let strict = codec().max_age(Duration::from_secs(60));
            for (codec, now) in [(codec(), now), (strict.clone(), now), (strict, at(0))] {
                match codec.decode_at(&token, &fp(), now) {
                    Ok(c) => {
                        let bytes = raw(&token);
                        let secs = token::parse(&bytes[..bytes.len() - MAC_LEN]).unwrap().issued;
                        // (an issue time past what a `SystemTime` holds cannot be written)
                        if let Some(issued) = UNIX_EPOCH.checked_add(Duration::from_secs(secs)) {
                            prop_assert_eq!(codec.encode_at(&c, &fp(), issued), token.clone());
                        }
                    }
                    Err(e) => prop_assert!(
                        matches!(e.kind(), ErrorKind::MalformedCursor | ErrorKind::CursorExpired),
                        "{:?}", e
                    ),
                }
            }
        }

        #[test]
        fn prop_signed_value_prefixes_never_panic(
            c in cursor(),
            cut in any::<prop::sample::Index>(),
        ) {
            // a genuine payload cut short and signed again
            let bytes = raw(&codec().encode(&c, &fp()));
            let body = &bytes[..bytes.len() - MAC_LEN];
            let n = HEADER_LEN + cut.index(body.len() - HEADER_LEN);
            let token = codec().seal(body[..n].to_vec());
            prop_assert_eq!(kind(&token), ErrorKind::MalformedCursor);
        }
    }
}
