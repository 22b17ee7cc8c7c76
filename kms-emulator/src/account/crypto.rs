//! Encrypt, Decrypt and GenerateRandom: a key works only while it is Enabled and its store is
//! CONNECTED (KMSInvalidStateException otherwise, DisabledException for a disabled key); a
//! ciphertext is bound to its key and encryption context (`keyring`); GenerateRandom takes a
//! CloudHSM key store (random bytes from its cluster), not an external key store. Latency and
//! errors of a store's cryptographic calls are scripted with the store's fault rules, which
//! match these calls through their key (`Account::store_of_key_request`).

use super::Account;
use super::keys::Names;
use crate::keyring::key_of_ciphertext;
use crate::kms::{ConnectionState, KmsFault, fault};
use crate::validate::{self as v, Check, EXTERNAL};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

const ALGORITHM: &str = "SYMMETRIC_DEFAULT";

impl Account {
    /// The store a key operation's request reaches (by its KeyId, alias, or ciphertext), for
    /// per-store faults.
    pub fn store_of_key_request(&self, input: &Value) -> Option<String> {
        let key = match input.get("KeyId").and_then(Value::as_str) {
            Some(k) => self.resolve_key(k, Names::KeyOrAlias).ok(),
            None => {
                let blob = input.get("CiphertextBlob").and_then(Value::as_str)?;
                let bytes = B64.decode(blob).ok()?;
                let id = key_of_ciphertext(&bytes)?;
                self.keys.iter().position(|k| k.id == id)
            }
        }?;
        self.keys[key].store_id.clone()
    }

    /// Whether the key may be used now, by KMS's order of checks.
    fn usable(&self, i: usize) -> Result<(), KmsFault> {
        let k = &self.keys[i];
        let arn = self.key_arn(&k.id);
        if k.pending.is_some() {
            return Err(fault(
                "KMSInvalidStateException",
                format!("{arn} is pending deletion."),
            ));
        }
        if let Some(sid) = &k.store_id {
            let store = self.stores.iter().find(|s| &s.id == sid);
            if store.is_none_or(|s| s.state != ConnectionState::Connected) {
                return Err(fault(
                    "KMSInvalidStateException",
                    format!("{arn} is unavailable: its custom key store {sid} is not connected."),
                ));
            }
        }
        if !k.enabled {
            return Err(fault("DisabledException", format!("{arn} is disabled.")));
        }
        // The external key manager must still hold the key, enabled.
        if let (Some(sid), Some(xid)) = (&k.store_id, &k.xks_key_id) {
            let ok = self
                .stores
                .iter()
                .find(|s| &s.id == sid)
                .and_then(|s| s.external_keys.iter().find(|e| &e.id == xid))
                .is_some_and(|e| e.enabled);
            if !ok {
                return Err(fault(
                    "KeyUnavailableException",
                    format!(
                        "{arn} is unavailable: its external key {xid} is not available in the external key manager."
                    ),
                ));
            }
        }
        Ok(())
    }

    /// What Encrypt and Decrypt share after their own members.
    fn common(c: &mut Check) -> Result<(bool, Option<String>), KmsFault> {
        let grants = c.list("GrantTokens")?;
        let algorithm = c.enumeration("EncryptionAlgorithm", v::ENCRYPTION_ALGORITHMS)?;
        let dry_run = c.boolean("DryRun")?.unwrap_or(false);
        if !grants.is_empty() {
            return Err(fault(
                "InvalidGrantTokenException",
                "The grant token is not valid: this account has no grants.",
            ));
        }
        Ok((dry_run, algorithm.map(str::to_string)))
    }

    fn check_algorithm(algorithm: Option<&str>) -> Result<(), KmsFault> {
        match algorithm {
            None | Some(ALGORITHM) => Ok(()),
            Some(a) => Err(fault(
                "InvalidKeyUsageException",
                format!(
                    "The encryption algorithm {a} is not valid for a symmetric encryption key."
                ),
            )),
        }
    }

    fn dry_run() -> KmsFault {
        fault(
            "DryRunOperationException",
            "The request would have succeeded, but the DryRun flag is set.",
        )
    }

    /// A successful cryptographic call served by a key of a store counts in the store's
    /// CloudWatch series.
    fn served(&mut self, key: usize, now_ms: i64) {
        if let Some(sid) = self.keys[key].store_id.clone() {
            self.record_request(&sid, now_ms);
        }
    }

    pub(super) fn encrypt(&mut self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let key_id = c.string(&v::KEY_ID, true)?;
        let plaintext = c.blob("Plaintext", 1, 4096, true, true)?;
        let context = c.string_map("EncryptionContext")?;
        let (dry_run, algorithm) = Self::common(&mut c)?;
        c.finish()?;
        let i = self.resolve_key(key_id.unwrap_or_default(), Names::KeyOrAlias)?;
        self.usable(i)?;
        Self::check_algorithm(algorithm.as_deref())?;
        if dry_run {
            return Err(Self::dry_run());
        }
        self.nonce_counter += 1;
        let mut nonce = [0u8; 12];
        nonce[..8].copy_from_slice(&self.nonce_counter.to_be_bytes());
        nonce[8..].copy_from_slice(&(self.ids.next_u64() as u32).to_be_bytes());
        self.served(i, now_ms);
        let k = &self.keys[i];
        let blob = k.seal(nonce, &plaintext.unwrap_or_default(), &context);
        Ok(json!({
            "CiphertextBlob": B64.encode(blob),
            "KeyId": self.key_arn(&k.id),
            "EncryptionAlgorithm": ALGORITHM,
        }))
    }

    pub(super) fn decrypt(&mut self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let blob = c.blob("CiphertextBlob", 1, 6144, true, false)?;
        let context = c.string_map("EncryptionContext")?;
        let key_id = c.string(&v::KEY_ID, false)?;
        let (dry_run, algorithm) = Self::common(&mut c)?;
        c.finish()?;
        let blob = blob.unwrap_or_default();
        let invalid = || {
            fault(
                "InvalidCiphertextException",
                "The ciphertext is not valid, or was not encrypted with this encryption context.",
            )
        };
        let named = match key_id {
            Some(k) => Some(self.resolve_key(k, Names::KeyOrAlias)?),
            None => None,
        };
        let owner = key_of_ciphertext(&blob).ok_or_else(invalid)?;
        let i = self
            .keys
            .iter()
            .position(|k| k.id == owner)
            .ok_or_else(invalid)?;
        if named.is_some_and(|n| n != i) {
            return Err(fault(
                "IncorrectKeyException",
                "The key ID in the request does not identify the KMS key that encrypted the ciphertext.",
            ));
        }
        self.usable(i)?;
        Self::check_algorithm(algorithm.as_deref())?;
        if dry_run {
            return Err(Self::dry_run());
        }
        let plaintext = self.keys[i].open(&blob, &context).ok_or_else(invalid)?;
        self.served(i, now_ms);
        let k = &self.keys[i];
        Ok(json!({
            "KeyId": self.key_arn(&k.id),
            "Plaintext": B64.encode(plaintext),
            "EncryptionAlgorithm": ALGORITHM,
        }))
    }

    pub(super) fn generate_random(
        &mut self,
        input: &Value,
        now_ms: i64,
    ) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let n = c.integer("NumberOfBytes", 1, 1024)?;
        let store_id = c.string(&v::KEY_STORE_ID, false)?;
        if input.get("Recipient").is_some_and(|r| !r.is_null()) {
            return Err(fault(
                "UnsupportedOperationException",
                "This emulator does not support Recipient (Nitro Enclaves attestation).",
            ));
        }
        c.require("NumberOfBytes", n.is_some());
        c.finish()?;
        if let Some(sid) = store_id {
            let s = self.stores.iter().find(|s| s.id == sid).ok_or_else(|| {
                fault(
                    "CustomKeyStoreNotFoundException",
                    format!("Custom key store '{sid}' does not exist in this account and region."),
                )
            })?;
            if s.store_type == EXTERNAL {
                return Err(fault(
                    "UnsupportedOperationException",
                    "GenerateRandom does not support external key stores.",
                ));
            }
            if s.state != ConnectionState::Connected {
                return Err(fault(
                    "CustomKeyStoreInvalidStateException",
                    format!(
                        "Custom key store {sid} is in the {} state; GenerateRandom needs it CONNECTED.",
                        s.state
                    ),
                ));
            }
        }
        let mut bytes = Vec::with_capacity(n.unwrap_or(0) as usize + 8);
        while bytes.len() < n.unwrap_or(0) as usize {
            bytes.extend(self.ids.next_u64().to_le_bytes());
        }
        bytes.truncate(n.unwrap_or(0) as usize);
        // Random bytes from a CloudHSM cluster are a request the store served.
        if let Some(sid) = store_id {
            self.record_request(sid, now_ms);
        }
        Ok(json!({ "Plaintext": B64.encode(bytes) }))
    }
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use serde_json::json;

    fn key_in(t: &mut T, store: &str) -> String {
        if store == HSM_CONNECTED {
            return t.ok(
                "CreateKey",
                json!({"CustomKeyStoreId": store, "Origin": "AWS_CLOUDHSM", "Description": "probe"}),
            )["KeyMetadata"]["KeyId"]
                .as_str()
                .unwrap()
                .to_string();
        }
        t.a.keys
            .iter()
            .find(|k| k.store_id.as_deref() == Some(store) && k.enabled)
            .map(|k| k.id.clone())
            .unwrap()
    }

    #[test]
    fn encrypt_and_decrypt_bind_key_and_context() {
        let mut t = T::new();
        let k = key_in(&mut t, HSM_CONNECTED);
        let probe = B64.encode([7u8; 32]);
        let ctx = json!({"app": "test", "time": "now"});
        let e = t.ok(
            "Encrypt",
            json!({"KeyId": k, "Plaintext": probe, "EncryptionContext": ctx}),
        );
        let blob = e["CiphertextBlob"].as_str().unwrap().to_string();
        let d = t.ok(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": ctx, "KeyId": k}),
        );
        assert_eq!(d["Plaintext"], probe.as_str());
        assert!(d["KeyId"].as_str().unwrap().ends_with(&k));
        for wrong in [json!({}), json!({"app": "test", "time": "later"})] {
            assert_eq!(
                t.code(
                    "Decrypt",
                    json!({"CiphertextBlob": blob, "EncryptionContext": wrong})
                ),
                "InvalidCiphertextException"
            );
        }
        let other = t.ok("CreateKey", json!({}))["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            t.code(
                "Decrypt",
                json!({"CiphertextBlob": blob, "EncryptionContext": ctx, "KeyId": other})
            ),
            "IncorrectKeyException"
        );
        assert_eq!(
            t.code("Decrypt", json!({"CiphertextBlob": B64.encode(b"garbage")})),
            "InvalidCiphertextException"
        );
        assert_eq!(
            t.code("Encrypt", json!({"KeyId": k, "Plaintext": "!!"})),
            "SerializationException"
        );
        assert_eq!(
            t.code(
                "Encrypt",
                json!({"KeyId": k, "Plaintext": B64.encode([0u8; 4097])})
            ),
            "ValidationException"
        );
        assert_eq!(
            t.code(
                "Encrypt",
                json!({"KeyId": k, "Plaintext": probe, "DryRun": true})
            ),
            "DryRunOperationException"
        );
        assert_eq!(
            t.code(
                "Encrypt",
                json!({"KeyId": k, "Plaintext": probe, "GrantTokens": ["g"]})
            ),
            "InvalidGrantTokenException"
        );
        assert_eq!(
            t.code(
                "Encrypt",
                json!({"KeyId": k, "Plaintext": probe, "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"})
            ),
            "InvalidKeyUsageException"
        );
        // Disabled, and a key whose store is not connected.
        t.ok(
            "ScheduleKeyDeletion",
            json!({"KeyId": k, "PendingWindowInDays": 7}),
        );
        assert_eq!(
            t.code("Encrypt", json!({"KeyId": k, "Plaintext": probe})),
            "KMSInvalidStateException"
        );
        t.ok("CancelKeyDeletion", json!({"KeyId": k}));
        assert_eq!(
            t.code("Encrypt", json!({"KeyId": k, "Plaintext": probe})),
            "DisabledException"
        );
        let unavailable = key_in(&mut t, WITH_KEYS);
        assert_eq!(
            t.code("Encrypt", json!({"KeyId": unavailable, "Plaintext": probe})),
            "KMSInvalidStateException"
        );
        // A key whose external key was disabled in the manager.
        let gone =
            t.a.keys
                .iter()
                .find(|k| k.xks_key_id.as_deref() == Some("t-disabled-later"))
                .unwrap()
                .id
                .clone();
        assert_eq!(
            t.code("Encrypt", json!({"KeyId": gone, "Plaintext": probe})),
            "KeyUnavailableException"
        );
        // Faults reach the store through the key.
        assert_eq!(
            t.a.store_of_key_request(&json!({"CiphertextBlob": blob}))
                .as_deref(),
            Some(HSM_CONNECTED)
        );
    }

    #[test]
    fn successful_crypto_calls_count_in_the_stores_cloudwatch_series() {
        let mut t = T::new();
        let k = key_in(&mut t, HSM_CONNECTED);
        let minute = 1_700_000_000_000_i64.div_euclid(60_000);
        let count = |t: &T| t.a.cloudwatch.requests_in_minute(HSM_CONNECTED, minute);
        assert_eq!(count(&t), 0);
        let ctx = json!({"app": "test"});
        let e = t.ok(
            "Encrypt",
            json!({"KeyId": k, "Plaintext": B64.encode([1u8; 32]), "EncryptionContext": ctx}),
        );
        assert_eq!(count(&t), 1);
        let blob = e["CiphertextBlob"].as_str().unwrap().to_string();
        t.ok(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": ctx}),
        );
        assert_eq!(count(&t), 2);
        t.ok(
            "GenerateRandom",
            json!({"NumberOfBytes": 32, "CustomKeyStoreId": HSM_CONNECTED}),
        );
        assert_eq!(count(&t), 3);
        // A failed call counts nothing, and neither does GenerateRandom outside a store.
        t.err(
            "Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "other"}}),
        );
        t.ok("GenerateRandom", json!({"NumberOfBytes": 32}));
        assert_eq!(count(&t), 3);
    }

    #[test]
    fn generate_random_rules() {
        let mut t = T::new();
        let r = t.ok(
            "GenerateRandom",
            json!({"NumberOfBytes": 32, "CustomKeyStoreId": HSM_CONNECTED}),
        );
        assert_eq!(
            B64.decode(r["Plaintext"].as_str().unwrap()).unwrap().len(),
            32
        );
        assert_eq!(
            t.code(
                "GenerateRandom",
                json!({"NumberOfBytes": 32, "CustomKeyStoreId": XKS_CONNECTED})
            ),
            "UnsupportedOperationException"
        );
        assert_eq!(
            t.code(
                "GenerateRandom",
                json!({"NumberOfBytes": 32, "CustomKeyStoreId": HSM})
            ),
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            t.code(
                "GenerateRandom",
                json!({"NumberOfBytes": 32, "CustomKeyStoreId": "cks-nope"})
            ),
            "CustomKeyStoreNotFoundException"
        );
        assert_eq!(
            t.code("GenerateRandom", json!({"NumberOfBytes": 1025})),
            "ValidationException"
        );
        assert_eq!(t.code("GenerateRandom", json!({})), "ValidationException");
    }
}
