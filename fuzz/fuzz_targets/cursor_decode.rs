//! Fuzzes `CursorCodec::decode` / `decode_at`.
//!
//! Two ways in, both from the same input:
//! 1. the input itself as a token (as UTF-8, or lossily converted): decoding must not
//!    panic, a refusal must be about `cursor` and short, and a success must re-encode
//!    (at the token's own issue time) to the very same bytes;
//! 2. the input as the rest of a version-2 token signed under a key of the ring (its
//!    first byte as the direction byte, the rest after the fingerprint tag: the issue
//!    time varint, the count and the values), so the payload parser and the expiry
//!    check behind the signature check are exercised too.
//!
//! Every token is decoded by two codecs over the same ring `[KEY, OLD_KEY]` (the
//! first signs, both verify): one without a maximum age, one with a maximum age of an
//! hour at a fixed clock, whose only extra refusal may be `CursorExpired`.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use folio::{CursorCodec, ErrorKind, Fingerprint, Nulls, Orderings, Value, Filter, Select};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

/// The signing key.
const KEY: &[u8] = b"folio fuzz key, thirty-two bytes";
/// A retired key, still in the ring: it verifies, it does not sign.
const OLD_KEY: &[u8] = b"folio fuzz key, the retired one!";
/// The token format version (the first byte of every token).
const VERSION: u8 = 2;
/// Version, direction, fingerprint tag.
const HEADER_LEN: usize = 10;
/// The truncated HMAC at the end of every token.
const MAC_LEN: usize = 16;
/// The fixed clock of the codec with a maximum age: 2024-05-01T12:34:56Z.
const NOW: u64 = 1_714_566_896;

struct Setup {
    /// No maximum age: the issue time is not checked.
    plain: CursorCodec,
    /// A maximum age of an hour, decoding at `NOW`.
    strict: CursorCodec,
    fp: Fingerprint,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let spec = Orderings::new("id", "id")
            .nullable_field("rating", "rating", Nulls::Last)
            .field("created_at", "created_at")
            .parse("-rating,created_at")
            .expect("a valid ordering");
        let fp = Fingerprint::builder("products")
            .path("/api/products")
            .ordering(&spec)
            .select(&Select::from("products").filter(Filter::eq("category", "books")))
            .finish();
        let plain = CursorCodec::with_keys([KEY, OLD_KEY]).expect("a ring of two keys");
        let strict = plain.clone().max_age(Duration::from_secs(3600));
        Setup { plain, strict, fp }
    })
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// Values compared bit for bit (NaN equals itself).
fn bits(values: &[Value]) -> Vec<Value> {
    values
        .iter()
        .map(|v| match v {
            Value::Float(f) => Value::Bytes(f.to_bits().to_le_bytes().to_vec()),
            other => other.clone(),
        })
        .collect()
}

/// The issue time of a token that decoded: the minimal varint after the header.
fn issue_time(bytes: &[u8]) -> u64 {
    let mut n = 0u64;
    for (i, b) in bytes[HEADER_LEN..].iter().take(10).enumerate() {
        n |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return n;
        }
    }
    panic!("a token that decoded has an issue time");
}

fn check(token: &str) {
    let Setup { plain, strict, fp } = setup();
    let result = plain.decode(token, fp);
    match &result {
        Ok(cursor) => {
            let bytes = URL_SAFE_NO_PAD
                .decode(token)
                .expect("a decoded token is base64url");
            let issued = issue_time(&bytes);
            // (an issue time past what a `SystemTime` holds cannot be written again)
            if let Some(at) = UNIX_EPOCH.checked_add(Duration::from_secs(issued)) {
                let again = plain.encode_at(cursor, fp, at);
                let again_bytes = URL_SAFE_NO_PAD.decode(&again).expect("base64url");
                // the same bytes, the MAC aside (the token may be signed by the old key)
                assert_eq!(
                    again_bytes[..again_bytes.len() - MAC_LEN],
                    bytes[..bytes.len() - MAC_LEN],
                    "a decoded cursor re-encodes to its token"
                );
                let back = plain.decode(&again, fp).expect("a fresh token decodes");
                assert_eq!(back.direction, cursor.direction);
                assert_eq!(bits(&back.values), bits(&cursor.values));
            }
        }
        Err(e) => {
            assert_eq!(e.param(), Some("cursor"));
            assert!(e.reason().len() < 200, "short reasons");
            assert_eq!(e.kind().http_status(), 400);
            assert_ne!(
                e.kind(),
                ErrorKind::CursorExpired,
                "no maximum age, no expiry"
            );
        }
    }
    // With a maximum age, the only new refusal is expiry, and it comes after the
    // payload and before the fingerprint.
    match (result, strict.decode_at(token, fp, now())) {
        (Ok(a), Ok(b)) => assert_eq!(bits(&a.values), bits(&b.values)),
        (Ok(_), Err(e)) => assert_eq!(e.kind(), ErrorKind::CursorExpired),
        (Err(_), Ok(_)) => panic!("a maximum age accepts nothing more"),
        (Err(a), Err(b)) => {
            assert_eq!(b.param(), Some("cursor"));
            assert!(b.reason().len() < 200, "short reasons");
            if a.kind() != b.kind() {
                assert_eq!(a.kind(), ErrorKind::CursorMismatch);
                assert_eq!(b.kind(), ErrorKind::CursorExpired);
            }
        }
    }
}

fn sign(key: &[u8], mut body: Vec<u8>) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(&body);
    body.extend_from_slice(&mac.finalize().into_bytes()[..MAC_LEN]);
    URL_SAFE_NO_PAD.encode(&body)
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(s) => check(s),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }

    // The same bytes as a signed payload, under the signing key and the retired one.
    let Setup { plain, strict, fp } = setup();
    let (direction, rest) = data.split_first().map_or((0, &[][..]), |(d, r)| (*d, r));
    let mut body = vec![VERSION, direction];
    body.extend_from_slice(&fp.as_bytes()[..8]);
    body.extend_from_slice(rest);
    for key in [KEY, OLD_KEY] {
        let token = sign(key, body.clone());
        if token.len() > CursorCodec::MAX_TOKEN_LEN {
            return;
        }
        if let Err(e) = plain.decode(&token, fp) {
            assert_eq!(
                e.kind(),
                ErrorKind::MalformedCursor,
                "a correctly signed token can only fail to parse"
            );
        }
        if let Err(e) = strict.decode_at(&token, fp, now()) {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::MalformedCursor | ErrorKind::CursorExpired
                ),
                "a correctly signed token can only fail to parse or be out of date"
            );
        }
        check(&token);
    }
});
