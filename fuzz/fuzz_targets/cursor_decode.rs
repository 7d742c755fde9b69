//! Fuzzes `CursorCodec::decode`.
//!
//! Two ways in, both from the same input:
//! 1. the input itself as a token (as UTF-8, or lossily converted): decoding must not
//!    panic, a refusal must be about `cursor` and short, and a success must re-encode
//!    to the very same token;
//! 2. the input as the payload of a token signed under the fuzzer's key (its first
//!    byte as the direction byte, the rest after the fingerprint tag), so the payload
//!    parser behind the signature check is exercised too.
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use folio::{CursorCodec, ErrorKind, Fingerprint, Nulls, Orderings, Value};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

const KEY: &[u8] = b"folio fuzz key, thirty-two bytes";

fn setup() -> &'static (CursorCodec, Fingerprint) {
    static SETUP: OnceLock<(CursorCodec, Fingerprint)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let spec = Orderings::new("id", "id")
            .nullable_field("rating", "rating", Nulls::Last)
            .field("created_at", "created_at")
            .parse("-rating,created_at")
            .expect("a valid ordering");
        let fp = Fingerprint::builder("/api/products")
            .ordering(&spec)
            .filter("category", "books")
            .finish();
        (CursorCodec::new(KEY), fp)
    })
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

fn check(token: &str) {
    let (codec, fp) = setup();
    match codec.decode(token, fp) {
        Ok(cursor) => {
            let again = codec.encode(&cursor, fp);
            assert_eq!(again, token, "a decoded cursor re-encodes to its token");
            let back = codec.decode(&again, fp).expect("a fresh token decodes");
            assert_eq!(back.direction, cursor.direction);
            assert_eq!(bits(&back.values), bits(&cursor.values));
        }
        Err(e) => {
            assert_eq!(e.param(), Some("cursor"));
            assert!(e.reason().len() < 200, "short reasons");
            assert_eq!(e.kind().http_status(), 400);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(s) => check(s),
        Err(_) => check(&String::from_utf8_lossy(data)),
    }

    // The same bytes as a signed payload.
    let (_, fp) = setup();
    let (direction, rest) = data.split_first().map_or((0, &[][..]), |(d, r)| (*d, r));
    let mut body = vec![1, direction];
    body.extend_from_slice(&fp.as_bytes()[..8]);
    body.extend_from_slice(rest);
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).expect("any key length");
    mac.update(&body);
    body.extend_from_slice(&mac.finalize().into_bytes()[..16]);
    let token = URL_SAFE_NO_PAD.encode(&body);
    if token.len() <= CursorCodec::MAX_TOKEN_LEN {
        let (codec, fp) = setup();
        if let Err(e) = codec.decode(&token, fp) {
            assert_eq!(
                e.kind(),
                ErrorKind::MalformedCursor,
                "a correctly signed token can only fail to parse"
            );
        }
        check(&token);
    }
});
