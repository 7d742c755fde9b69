//! Opaque, signed, versioned cursor tokens.
//!
//! A token is the unpadded base64url encoding of these bytes:
//!
//! | bytes | what |
//! | --- | --- |
//! | 1 | version, `1` |
//! | 1 | direction: `0` after the boundary row, `1` before it |
//! | 8 | fingerprint tag: the first 8 bytes of the [`Fingerprint`] |
//! | varint | number of values (at most [`CursorCodec::MAX_VALUES`]) |
//! | … | the values, each a tag byte and its payload |
//! | 16 | HMAC-SHA256 under the server key of every byte before it, truncated to 16 bytes |
//!
//! Values: `0` NULL; `1` integer (zigzag LEB128 varint); `2` float (the 8 bytes of
//! its IEEE 754 bits, little-endian, so NaN payloads and `-0.0` survive); `3` text
//! (varint byte length, UTF-8); `4` timestamp (zigzag varint microseconds); `5` false;
//! `6` true; `7` bytes (varint length, raw bytes). Varints are unsigned LEB128 of at
//! most 10 bytes and must be minimal, so every cursor has exactly one token.
//!
//! Decoding checks, in this order: the token's length and alphabet, the version, the
//! signature (in constant time), the payload, and last the fingerprint. Every refusal
//! is a [`crate::Error`] about the parameter `cursor` whose reason never quotes the
//! token. Decoding never panics and allocates no more than the token's length.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{Error, ErrorKind, Nulls, Result, Seek, SortSpec, Value};

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const TAG_LEN: usize = 8;
const HEADER_LEN: usize = 2 + TAG_LEN;
const MAC_LEN: usize = 16;
const PARAM: &str = "cursor";

const T_NULL: u8 = 0;
const T_INT: u8 = 1;
const T_FLOAT: u8 = 2;
const T_TEXT: u8 = 3;
const T_TIMESTAMP: u8 = 4;
const T_FALSE: u8 = 5;
const T_TRUE: u8 = 6;
const T_BYTES: u8 = 7;

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

    fn tag(&self) -> &[u8] {
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

/// Encodes and decodes cursor tokens under a server key (HMAC-SHA256).
///
/// Use a random key of at least 32 bytes, the same on every server instance;
/// changing it invalidates every cursor in circulation (clients then get a 400
/// and start again from the first page).
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
    /// HMAC-SHA256 already keyed with the server key, cloned for each token.
    mac: HmacSha256,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec { key: <redacted> }")
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

    /// A codec signing with `key`.
    ///
    /// ```
    /// let codec = folio::CursorCodec::new(b"secret");
    /// assert_eq!(format!("{codec:?}"), "CursorCodec { key: <redacted> }");
    /// ```
    pub fn new(key: &[u8]) -> Self {
        CursorCodec {
            mac: HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length"),
        }
    }

    /// The token for `cursor`, bound to `fingerprint`.
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
        let mut body = Vec::with_capacity(HEADER_LEN + 1 + 16 * cursor.values.len() + MAC_LEN);
        body.push(VERSION);
        body.push(match cursor.direction {
            Direction::After => 0,
            Direction::Before => 1,
        });
        body.extend_from_slice(fingerprint.tag());
        put_varint(&mut body, cursor.values.len() as u64);
        for v in &cursor.values {
            put_value(&mut body, v);
        }
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

    /// Decodes and verifies `token`, bound to `fingerprint`.
    ///
    /// Refusals, all about the parameter `cursor`: [`ErrorKind::MalformedCursor`] (not
    /// a token: too long, not base64url, truncated, or a payload that does not parse),
    /// [`ErrorKind::UnknownCursorVersion`], [`ErrorKind::BadCursorSignature`] (tampered
    /// or signed under another key) and [`ErrorKind::CursorMismatch`] (a genuine cursor
    /// replayed with another ordering, other filters or on another endpoint).
    ///
    /// ```
    /// use folio::{Cursor, CursorCodec, ErrorKind, Fingerprint, Value};
    /// let codec = CursorCodec::new(b"secret");
    /// let books = Fingerprint::builder("/api/products").filter("category", "books").finish();
    /// let games = Fingerprint::builder("/api/products").filter("category", "games").finish();
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
            return Err(Error::new(
                ErrorKind::UnknownCursorVersion,
                Some(PARAM),
                format!(
                    "cursor version {version} is not supported (this server reads version \
                     {VERSION}); start again from the first page"
                ),
            ));
        }
        let (body, tag) = bytes.split_at(bytes.len() - MAC_LEN);
        let mut mac = self.mac.clone();
        mac.update(body);
        if mac.verify_truncated_left(tag).is_err() {
            return Err(Error::new(
                ErrorKind::BadCursorSignature,
                Some(PARAM),
                "cursor signature does not verify: it was altered or issued by another server",
            ));
        }
        let cursor = parse_body(body)
            .map_err(|what| malformed(format!("cursor payload is malformed: {what}")))?;
        if body[2..HEADER_LEN] != *fingerprint.tag() {
            return Err(Error::new(
                ErrorKind::CursorMismatch,
                Some(PARAM),
                "cursor was issued for another ordering, filters or endpoint",
            ));
        }
        Ok(cursor)
    }

    /// Appends the truncated MAC of `body` and encodes the whole as base64url.
    fn seal(&self, mut body: Vec<u8>) -> String {
        let mut mac = self.mac.clone();
        mac.update(&body);
        body.extend_from_slice(&mac.finalize().into_bytes()[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(body)
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::MalformedCursor, Some(PARAM), reason)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(T_NULL),
        Value::Int(n) => {
            out.push(T_INT);
            put_varint(out, zigzag(*n));
        }
        Value::Float(f) => {
            out.push(T_FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Text(s) => {
            out.push(T_TEXT);
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Timestamp(t) => {
            out.push(T_TIMESTAMP);
            put_varint(out, zigzag(*t));
        }
        Value::Bool(false) => out.push(T_FALSE),
        Value::Bool(true) => out.push(T_TRUE),
        Value::Bytes(b) => {
            out.push(T_BYTES);
            put_varint(out, b.len() as u64);
            out.extend_from_slice(b);
        }
    }
}

/// A bounds-checked reader over a token's signed bytes. Every failure is a short,
/// static description that never quotes the input.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, &'static str> {
        let b = *self.buf.get(self.pos).ok_or("truncated")?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        let end = self.pos.checked_add(n).ok_or("length past the end")?;
        let bytes = self.buf.get(self.pos..end).ok_or("length past the end")?;
        self.pos = end;
        Ok(bytes)
    }

    /// An unsigned LEB128 varint of at most 10 bytes, minimally encoded.
    fn varint(&mut self) -> Result<u64, &'static str> {
        let mut n: u64 = 0;
        for i in 0..10 {
            let b = self.byte().map_err(|_| "truncated varint")?;
            if i == 9 && b > 1 {
                return Err("varint overflows 64 bits");
            }
            n |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if b == 0 && i > 0 {
                    return Err("overlong varint");
                }
                return Ok(n);
            }
        }
        Err("varint overflows 64 bits")
    }

    fn len(&mut self) -> Result<usize, &'static str> {
        usize::try_from(self.varint()?).map_err(|_| "length past the end")
    }
}

fn parse_body(body: &[u8]) -> Result<Cursor, &'static str> {
    let mut r = Reader { buf: body, pos: 0 };
    let _version = r.byte()?;
    let direction = match r.byte()? {
        0 => Direction::After,
        1 => Direction::Before,
        _ => return Err("unknown direction"),
    };
    r.take(TAG_LEN)?;
    let count = r.varint()?;
    if count > CursorCodec::MAX_VALUES as u64 {
        return Err("too many values");
    }
    // Each value takes at least one byte: a count larger than what is left is a lie.
    let left = body.len().saturating_sub(r.pos);
    let mut values = Vec::with_capacity((count as usize).min(left));
    for _ in 0..count {
        let v = match r.byte()? {
            T_NULL => Value::Null,
            T_INT => Value::Int(unzigzag(r.varint()?)),
            T_FLOAT => {
                let bytes: [u8; 8] = r.take(8)?.try_into().map_err(|_| "truncated")?;
                Value::Float(f64::from_bits(u64::from_le_bytes(bytes)))
            }
            T_TEXT => {
                let n = r.len()?;
                let s = std::str::from_utf8(r.take(n)?).map_err(|_| "text is not UTF-8")?;
                Value::Text(s.to_owned())
            }
            T_TIMESTAMP => Value::Timestamp(unzigzag(r.varint()?)),
            T_FALSE => Value::Bool(false),
            T_TRUE => Value::Bool(true),
            T_BYTES => {
                let n = r.len()?;
                Value::Bytes(r.take(n)?.to_vec())
            }
            _ => return Err("unknown value type"),
        };
        values.push(v);
    }
    if r.pos != body.len() {
        return Err("trailing bytes");
    }
    Ok(Cursor { direction, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Orderings, SortSpec};
    use proptest::prelude::*;

    const KEY: &[u8] = b"test key, thirty-two bytes long!";

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
            .filter("category", "books")
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
        let token = codec().encode(cursor, &fp());
        let back = codec().decode(&token, &fp()).unwrap();
        assert_eq!(back.direction, cursor.direction);
        assert_eq!(bits(&back.values), bits(&cursor.values));
        // canonical: decoding and encoding again gives the same token
        assert_eq!(codec().encode(&back, &fp()), token);
        back
    }

    fn raw(token: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(token).unwrap()
    }

    /// A token with `payload` after the header, correctly signed under `KEY`.
    fn signed(direction: u8, payload: &[u8]) -> String {
        let mut body = vec![VERSION, direction];
        body.extend_from_slice(fp().tag());
        body.extend_from_slice(payload);
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
        // created_at as 27-char RFC 3339 text, then the id tiebreaker
        let created_at = "2024-05-01T12:34:56.123456Z";
        assert_eq!(created_at.len(), 27);
        for id in [1, 1_000_000, 2_000_000_000, i64::MAX] {
            let c = Cursor::after(vec![Value::from(created_at), Value::Int(id)]);
            let token = codec().encode(&c, &fp());
            assert!(token.len() < 100, "{} chars for id {id}", token.len());
        }
        let token = codec().encode(
            &Cursor::after(vec![Value::from(created_at), Value::Int(1_000_000)]),
            &fp(),
        );
        assert_eq!(token.len(), 80); // 60 bytes
                                     // as microseconds instead of text it is shorter still
        let token = codec().encode(
            &Cursor::after(vec![
                Value::Timestamp(1_714_566_896_123_456),
                Value::Int(1_000_000),
            ]),
            &fp(),
        );
        assert!(token.len() < 60, "{}", token.len());
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
                .filter("category", "books")
                .finish(),
            base()
                .ordering(&spec("-price"))
                .filter("category", "books")
                .finish(),
            base()
                .ordering(&spec("-created_at"))
                .filter("category", "games")
                .finish(),
            base()
                .ordering(&spec("-created_at"))
                .filter("genre", "books")
                .finish(),
            base().ordering(&spec("-created_at")).finish(),
            base()
                .ordering(&spec("-created_at"))
                .filter("category", "books")
                .filter("min_price", "100")
                .finish(),
            Fingerprint::builder("/api/users/7/orders")
                .ordering(&spec("-created_at"))
                .filter("category", "books")
                .finish(),
        ];
        for other in &others {
            assert_ne!(other, &fp());
            let e = codec().decode(&token, other).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::CursorMismatch);
            assert_eq!(e.param(), Some("cursor"));
            assert_eq!(
                e.reason(),
                "cursor was issued for another ordering, filters or endpoint"
            );
        }
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
    fn other_version_is_unknown_version() {
        let token = codec().encode(&Cursor::after(vec![Value::Int(1)]), &fp());
        for version in [0, 2, 255] {
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
                Ok(c) => prop_assert_eq!(codec().encode(&c, &fp()), token),
                Err(e) => prop_assert_eq!(e.kind(), ErrorKind::MalformedCursor),
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
