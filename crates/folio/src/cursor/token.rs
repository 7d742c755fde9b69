//! The token format: the bytes of a cursor before their signature, and their parser.
//!
//! This module knows the layout (see the table in the [parent module](super)), the
//! varints and the value tags. It knows no key: the signature is appended and
//! checked by [`super::keys`].

use super::{Cursor, CursorCodec, Direction};
use crate::Value;

/// The format version written in the first byte of every token.
pub(super) const VERSION: u8 = 2;
/// How many bytes of the [`super::Fingerprint`] a token carries.
pub(super) const TAG_LEN: usize = 8;
/// Version, direction and fingerprint tag: the fixed-size start of every token.
pub(super) const HEADER_LEN: usize = 2 + TAG_LEN;

pub(super) const T_NULL: u8 = 0;
pub(super) const T_INT: u8 = 1;
pub(super) const T_FLOAT: u8 = 2;
pub(super) const T_TEXT: u8 = 3;
pub(super) const T_TIMESTAMP: u8 = 4;
pub(super) const T_FALSE: u8 = 5;
pub(super) const T_TRUE: u8 = 6;
pub(super) const T_BYTES: u8 = 7;

/// A token's bytes parsed (after its signature was checked).
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) cursor: Cursor,
    /// When the token was made, in whole seconds since the Unix epoch.
    pub(super) issued: u64,
    /// The fingerprint tag the token was made for.
    pub(super) tag: [u8; TAG_LEN],
}

/// The unsigned bytes of the token for `cursor`: header, issue time, values.
/// `extra` is reserved at the end (for the signature).
pub(super) fn write(cursor: &Cursor, tag: &[u8], issued: u64, extra: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(HEADER_LEN + 6 + 16 * cursor.values.len() + extra);
    body.push(VERSION);
    body.push(match cursor.direction {
        Direction::After => 0,
        Direction::Before => 1,
    });
    body.extend_from_slice(tag);
    put_varint(&mut body, issued);
    put_varint(&mut body, cursor.values.len() as u64);
    for v in &cursor.values {
        put_value(&mut body, v);
    }
    body
}

/// Parses the signed bytes of a token (its version already checked). Every failure
/// is a short, static description that never quotes the input.
pub(super) fn parse(body: &[u8]) -> Result<Parsed, &'static str> {
    let mut r = Reader { buf: body, pos: 0 };
    let _version = r.byte()?;
    let direction = match r.byte()? {
        0 => Direction::After,
        1 => Direction::Before,
        _ => return Err("unknown direction"),
    };
    let tag: [u8; TAG_LEN] = r.take(TAG_LEN)?.try_into().map_err(|_| "truncated")?;
    let issued = r.varint()?;
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
    Ok(Parsed {
        cursor: Cursor { direction, values },
        issued,
        tag,
    })
}

/// Unsigned LEB128.
pub(super) fn put_varint(out: &mut Vec<u8>, mut n: u64) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn varint(bytes: &[u8]) -> Result<u64, &'static str> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let n = r.varint()?;
        if r.pos == bytes.len() {
            Ok(n)
        } else {
            Err("trailing")
        }
    }

    #[test]
    fn varints_are_minimal_and_bounded() {
        for n in [
            0,
            1,
            127,
            128,
            300,
            1_714_566_896,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, n);
            assert_eq!(varint(&out), Ok(n));
        }
        assert_eq!(varint(&[0x80, 0x00]), Err("overlong varint"));
        assert_eq!(varint(&[0x80]), Err("truncated varint"));
        assert_eq!(
            varint(&[0xff; 9].iter().copied().chain([0x02]).collect::<Vec<_>>()),
            Err("varint overflows 64 bits")
        );
    }

    proptest! {
        #[test]
        fn prop_varint_round_trip(n in any::<u64>()) {
            let mut out = Vec::new();
            put_varint(&mut out, n);
            prop_assert!(out.len() <= 10);
            prop_assert_eq!(varint(&out), Ok(n));
        }

        #[test]
        fn prop_zigzag_round_trip(n in any::<i64>()) {
            prop_assert_eq!(unzigzag(zigzag(n)), n);
        }

        #[test]
        fn prop_parse_never_panics(mut b in proptest::collection::vec(any::<u8>(), 1..64)) {
            b[0] = VERSION;
            if let Ok(p) = parse(&b) {
                prop_assert_eq!(write(&p.cursor, &p.tag, p.issued, 0), b);
            }
        }
    }
}
