//! Signing: HMAC-SHA256 truncated to [`MAC_LEN`] bytes, verified in constant time,
//! under a ring of keys of which the first signs and every one verifies.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::{Error, Result};

type HmacSha256 = Hmac<Sha256>;

/// Length of the truncated MAC at the end of every token.
pub(super) const MAC_LEN: usize = 16;

/// The server keys, each as an HMAC-SHA256 state already keyed (computed once,
/// cloned for each token). Never empty; the first key signs.
#[derive(Clone)]
pub(super) struct KeyRing {
    macs: Vec<HmacSha256>,
}

impl KeyRing {
    /// A ring of one key.
    pub(super) fn single(key: &[u8]) -> Self {
        KeyRing {
            macs: vec![keyed(key)],
        }
    }

    /// A ring of `keys`, the first signing; an empty ring is an internal error.
    pub(super) fn new<K: AsRef<[u8]>>(keys: impl IntoIterator<Item = K>) -> Result<Self> {
        let macs: Vec<HmacSha256> = keys.into_iter().map(|k| keyed(k.as_ref())).collect();
        if macs.is_empty() {
            return Err(Error::internal(
                "a cursor key ring needs at least one key (the first signs)",
            ));
        }
        Ok(KeyRing { macs })
    }

    /// How many keys the ring holds.
    pub(super) fn len(&self) -> usize {
        self.macs.len()
    }

    /// The truncated MAC of `body` under the signing key.
    pub(super) fn sign(&self, body: &[u8]) -> [u8; MAC_LEN] {
        tag(&self.macs[0], body)
    }

    /// Whether `mac` is the truncated MAC of `body` under any key of the ring. Each
    /// key is tried in turn, in ring order, each comparison in constant time; the
    /// search stops at the first key that verifies (which tells a timing observer
    /// only which key signed a genuine token, never anything about a forged one).
    pub(super) fn verify(&self, body: &[u8], mac: &[u8]) -> bool {
        mac.len() == MAC_LEN
            && self
                .macs
                .iter()
                .any(|key| bool::from(tag(key, body).ct_eq(mac)))
    }
}

fn keyed(key: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn tag(key: &HmacSha256, body: &[u8]) -> [u8; MAC_LEN] {
    let mut mac = key.clone();
    mac.update(body);
    let full = mac.finalize().into_bytes();
    let mut out = [0; MAC_LEN];
    out.copy_from_slice(&full[..MAC_LEN]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn first_key_signs_every_key_verifies() {
        let ring = KeyRing::new([b"new".as_slice(), b"old".as_slice()]).unwrap();
        assert_eq!(ring.len(), 2);
        let body = b"some token bytes";
        let by_new = KeyRing::single(b"new").sign(body);
        let by_old = KeyRing::single(b"old").sign(body);
        assert_ne!(by_new, by_old);
        assert_eq!(ring.sign(body), by_new);
        assert!(ring.verify(body, &by_new));
        assert!(ring.verify(body, &by_old));
        assert!(!KeyRing::single(b"new").verify(body, &by_old));
        assert!(!ring.verify(b"other bytes", &by_new));
        // a MAC of the wrong length never verifies
        assert!(!ring.verify(body, &by_new[..MAC_LEN - 1]));
        assert!(!ring.verify(body, &[]));
    }

    #[test]
    fn matches_hmac_sha256_truncated() {
        let mut mac = HmacSha256::new_from_slice(b"key").unwrap();
        mac.update(b"body");
        let full = mac.finalize().into_bytes();
        assert_eq!(KeyRing::single(b"key").sign(b"body"), full[..MAC_LEN]);
    }

    #[test]
    fn an_empty_ring_is_an_internal_error() {
        let e = KeyRing::new(Vec::<Vec<u8>>::new()).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Internal);
        assert_eq!(e.param(), None);
    }
}
