//! KMS keys as the emulator keeps them, and their ciphertexts: AES-256-GCM (the `aes-gcm`
//! crate, not hand-rolled) under each key's own material, with the key ID and the encryption
//! context as associated data, so a ciphertext opens only under its key and with exactly the
//! context it was made with (otherwise InvalidCiphertextException, as KMS answers). The
//! material comes from the emulator's seeded generator: it protects nothing real.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use std::collections::BTreeMap;
use std::time::Instant;

/// The first bytes of every ciphertext this emulator makes.
const MAGIC: &[u8; 4] = b"EKMS";
const NONCE_BYTES: usize = 12;

/// A scheduled deletion: when (real time) the key goes, and the date KMS reports.
#[derive(Clone, Debug)]
pub struct Pending {
    pub due: Instant,
    /// Epoch seconds.
    pub date: f64,
    pub days: u32,
}

#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub created: f64,
    pub description: String,
    pub enabled: bool,
    pub pending: Option<Pending>,
    /// AWS_KMS, AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
    pub origin: String,
    pub store_id: Option<String>,
    pub cluster_id: Option<String>,
    pub xks_key_id: Option<String>,
    /// Listing order, and what ListKeys markers point at.
    pub seq: u64,
    material: [u8; 32],
}

/// Never the key material.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("origin", &self.origin)
            .field("store_id", &self.store_id)
            .field("enabled", &self.enabled)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

/// The associated data: the key ID and the context in a canonical order (a BTreeMap's).
fn aad(key_id: &str, context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = key_id.as_bytes().to_vec();
    out.push(0);
    out.extend(serde_json::to_vec(context).unwrap_or_default());
    out
}

impl Key {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        created: f64,
        description: String,
        origin: &str,
        store_id: Option<String>,
        cluster_id: Option<String>,
        xks_key_id: Option<String>,
        seq: u64,
        material: [u8; 32],
    ) -> Self {
        Self {
            id,
            created,
            description,
            enabled: true,
            pending: None,
            origin: origin.to_string(),
            store_id,
            cluster_id,
            xks_key_id,
            seq,
            material,
        }
    }

    /// Encrypts `plaintext` bound to this key and `context`; `nonce` must never repeat for
    /// this key (the caller gives a counter).
    pub fn seal(
        &self,
        nonce: [u8; NONCE_BYTES],
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Vec<u8> {
        let cipher = Aes256Gcm::new((&self.material).into());
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad(&self.id, context),
                },
            )
            .unwrap_or_default();
        let mut out = MAGIC.to_vec();
        out.push(self.id.len() as u8);
        out.extend(self.id.as_bytes());
        out.extend(nonce);
        out.extend(sealed);
        out
    }

    /// The plaintext, if `blob` was sealed by this key with exactly this context.
    pub fn open(&self, blob: &[u8], context: &BTreeMap<String, String>) -> Option<Vec<u8>> {
        let (id, rest) = split(blob)?;
        if id != self.id || rest.len() < NONCE_BYTES + 16 {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_BYTES);
        Aes256Gcm::new((&self.material).into())
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad(&self.id, context),
                },
            )
            .ok()
    }
}

fn split(blob: &[u8]) -> Option<(&str, &[u8])> {
    let rest = blob.strip_prefix(MAGIC.as_slice())?;
    let (&n, rest) = rest.split_first()?;
    if rest.len() < n as usize {
        return None;
    }
    let (id, rest) = rest.split_at(n as usize);
    Some((std::str::from_utf8(id).ok()?, rest))
}

/// The key ID a ciphertext names (its header), if it is one of this emulator's.
pub fn key_of_ciphertext(blob: &[u8]) -> Option<&str> {
    split(blob).map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, m: u8) -> Key {
        Key::new(
            id.into(),
            0.0,
            String::new(),
            "AWS_KMS",
            None,
            None,
            None,
            0,
            [m; 32],
        )
    }

    #[test]
    fn a_ciphertext_opens_only_under_its_key_and_context() {
        let k = key("k1", 7);
        let ctx = BTreeMap::from([("app".to_string(), "t".to_string())]);
        let blob = k.seal([1; 12], b"secret", &ctx);
        assert_eq!(key_of_ciphertext(&blob), Some("k1"));
        assert_eq!(k.open(&blob, &ctx).as_deref(), Some(b"secret".as_slice()));
        assert_eq!(k.open(&blob, &BTreeMap::new()), None);
        let other = BTreeMap::from([("app".to_string(), "u".to_string())]);
        assert_eq!(k.open(&blob, &other), None);
        // Same id, other material: a forged header does not help.
        assert_eq!(key("k1", 8).open(&blob, &ctx), None);
        let mut tampered = blob.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(k.open(&tampered, &ctx), None);
        assert_eq!(key_of_ciphertext(b"junk"), None);
        assert!(!format!("{k:?}").contains("7, 7"));
    }
}
