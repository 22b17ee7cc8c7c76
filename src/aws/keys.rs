//! The ten KMS key operations the console uses to prove a custom key store works (`ListKeys`,
//! `DescribeKey`, `ListAliases`, `CreateKey`, `CreateAlias`, `Encrypt`, `Decrypt`,
//! `GenerateRandom`, `ScheduleKeyDeletion`, `CancelKeyDeletion`) on the wire, typed after
//! botocore's model (`data/kms-keys.json`): only the members the console uses, with the
//! model's names. Blobs travel as base64; the plaintext and ciphertext of the store test are
//! [`SecretBytes`], whose `Debug` shows only their length.

use crate::aws::json::{self, FromJson, Obj};
use crate::aws::kms::{Validate, wire_enum};
use crate::aws::limits::{self, Problem, Shape};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;

wire_enum!(KeyState {
    Creating = "Creating",
    Enabled = "Enabled",
    Disabled = "Disabled",
    PendingDeletion = "PendingDeletion",
    PendingImport = "PendingImport",
    PendingReplicaDeletion = "PendingReplicaDeletion",
    Unavailable = "Unavailable",
    Updating = "Updating",
});

wire_enum!(Origin {
    AwsKms = "AWS_KMS",
    External = "EXTERNAL",
    AwsCloudHsm = "AWS_CLOUDHSM",
    ExternalKeyStore = "EXTERNAL_KEY_STORE",
});

/// The one key spec and usage a key in a custom key store may have.
pub const SYMMETRIC_DEFAULT: &str = "SYMMETRIC_DEFAULT";
pub const ENCRYPT_DECRYPT: &str = "ENCRYPT_DECRYPT";

/// Bytes that must never show: the store test's probe, its ciphertext, random bytes. `Debug`
/// gives the length only; on the wire they are base64, as the model's blobs are.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads a base64 blob of a reply.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        B64.decode(text.trim())
            .map(Self)
            .map_err(|_| "a blob is not base64".to_string())
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

impl Serialize for SecretBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&B64.encode(&self.0))
    }
}

// The model's shapes of the key operations (`data/kms-keys.json`); `tests/keys_model.rs`
// checks each against that file.
pub const KEY_ID: Shape = Shape::new(
    "KeyIdType",
    1,
    2048,
    None,
    limits::any,
    "a key ID, key ARN, alias name or alias ARN",
);
pub const ALIAS_NAME: Shape = Shape::new(
    "AliasNameType",
    1,
    256,
    Some("^[a-zA-Z0-9:/_-]+$"),
    alias_chars,
    "alias/ followed by letters, digits, /, _ and -, such as alias/payments",
);
pub const DESCRIPTION: Shape = Shape::new(
    "DescriptionType",
    0,
    8192,
    None,
    limits::any,
    "up to 8192 characters",
);
pub const XKS_KEY_ID: Shape = Shape::new(
    "XksKeyIdType",
    1,
    128,
    Some("^[a-zA-Z0-9-_.]+$"),
    xks_key_id_chars,
    "the key's ID in the external key manager: 1 to 128 letters, digits, -, _ and .",
);
pub const MARKER: Shape = limits::MARKER;

/// Every shape above, for the test against the model.
pub const SHAPES: &[Shape] = &[KEY_ID, ALIAS_NAME, DESCRIPTION, XKS_KEY_ID, MARKER];

/// `Limit` of ListKeys (`LimitType`) and ListAliases (KMS takes 1 to 100 there).
pub const LIST_KEYS_LIMIT: std::ops::RangeInclusive<u16> = 1..=1000;
pub const LIST_ALIASES_LIMIT: std::ops::RangeInclusive<u16> = 1..=100;
/// `PendingWindowInDaysType` in the model; KMS itself takes 7 to 30 days.
pub const PENDING_WINDOW_MODEL: std::ops::RangeInclusive<u16> = 1..=365;
pub const PENDING_WINDOW_DAYS: std::ops::RangeInclusive<u16> = 7..=30;
pub const DEFAULT_PENDING_WINDOW_DAYS: u16 = 30;
/// `NumberOfBytesType`, `PlaintextType`, `CiphertextType` (bytes).
pub const NUMBER_OF_BYTES: std::ops::RangeInclusive<u16> = 1..=1024;
pub const PLAINTEXT_BYTES: std::ops::RangeInclusive<usize> = 1..=4096;
pub const CIPHERTEXT_BYTES: std::ops::RangeInclusive<usize> = 1..=6144;
/// The prefix every alias name has, and the one AWS keeps for its managed keys.
pub const ALIAS_PREFIX: &str = "alias/";
pub const RESERVED_ALIAS_PREFIX: &str = "alias/aws/";

fn alias_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b))
}

fn xks_key_id_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

fn check(out: &mut Vec<Problem>, shape: Shape, member: &'static str, value: Option<&str>) {
    if let Some(Err(p)) = value.map(|v| shape.check(member, v)) {
        out.push(p);
    }
}

fn range<T: PartialOrd + std::fmt::Display + Copy>(
    out: &mut Vec<Problem>,
    member: &'static str,
    value: Option<T>,
    r: &std::ops::RangeInclusive<T>,
) {
    if let Some(v) = value.filter(|v| !r.contains(v)) {
        out.push(Problem {
            member,
            message: format!("must be from {} to {} (it is {v}).", r.start(), r.end()),
        });
    }
}

fn blob(
    out: &mut Vec<Problem>,
    member: &'static str,
    len: usize,
    r: std::ops::RangeInclusive<usize>,
) {
    if !r.contains(&len) {
        out.push(Problem {
            member,
            message: format!(
                "must have {} to {} bytes (it has {len}).",
                r.start(),
                r.end()
            ),
        });
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

impl Validate for ListKeysRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        range(&mut out, "Limit", self.limit, &LIST_KEYS_LIMIT);
        check(&mut out, MARKER, "Marker", self.marker.as_deref());
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyListEntry {
    pub key_id: Option<String>,
    pub key_arn: Option<String>,
}

impl FromJson for KeyListEntry {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a key")?;
        Ok(Self {
            key_id: o.str("KeyId")?,
            key_arn: o.str("KeyArn")?,
        })
    }
}

/// `Keys` is required: a reply without it must not read as "no keys".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListKeysResponse {
    pub keys: Vec<KeyListEntry>,
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl FromJson for ListKeysResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            keys: json::required(o.list("Keys")?, "Keys")?,
            next_marker: o.str("NextMarker")?,
            truncated: o.bool("Truncated")?.unwrap_or(false),
        })
    }
}

impl ListKeysResponse {
    /// The request of the next page, if the reply names one.
    pub fn next(&self) -> Option<ListKeysRequest> {
        self.next_marker
            .clone()
            .filter(|_| self.truncated)
            .map(|m| ListKeysRequest {
                limit: None,
                marker: Some(m),
            })
    }
}

/// The body of DescribeKey and CancelKeyDeletion: just the key.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdRequest {
    pub key_id: String,
}

impl Validate for KeyIdRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(&mut out, KEY_ID, "KeyId", Some(&self.key_id));
        out
    }
}

/// What the console reads of a key's `KeyMetadata`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyMetadata {
    pub aws_account_id: Option<String>,
    pub key_id: String,
    pub arn: Option<String>,
    /// Epoch seconds, with a fraction.
    pub creation_date: Option<f64>,
    pub enabled: Option<bool>,
    pub description: Option<String>,
    pub key_usage: Option<String>,
    pub key_state: Option<KeyState>,
    pub deletion_date: Option<f64>,
    pub origin: Option<Origin>,
    pub custom_key_store_id: Option<String>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub key_manager: Option<String>,
    pub key_spec: Option<String>,
    pub pending_deletion_window_in_days: Option<f64>,
    /// `XksKeyConfiguration.Id`: the key's ID in the external key manager.
    pub xks_key_id: Option<String>,
}

impl FromJson for KeyMetadata {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "KeyMetadata")?;
        let xks = match o.object::<XksKeyConfiguration>("XksKeyConfiguration")? {
            Some(x) => x.id,
            None => None,
        };
        Ok(Self {
            aws_account_id: o.str("AWSAccountId")?,
            key_id: json::required(o.str("KeyId")?, "KeyId")?,
            arn: o.str("Arn")?,
            creation_date: o.num("CreationDate")?,
            enabled: o.bool("Enabled")?,
            description: o.str("Description")?,
            key_usage: o.str("KeyUsage")?,
            key_state: o.enumeration("KeyState")?,
            deletion_date: o.num("DeletionDate")?,
            origin: o.enumeration("Origin")?,
            custom_key_store_id: o.str("CustomKeyStoreId")?,
            cloud_hsm_cluster_id: o.str("CloudHsmClusterId")?,
            key_manager: o.str("KeyManager")?,
            key_spec: o.str("KeySpec")?,
            pending_deletion_window_in_days: o.num("PendingDeletionWindowInDays")?,
            xks_key_id: xks,
        })
    }
}

struct XksKeyConfiguration {
    id: Option<String>,
}

impl FromJson for XksKeyConfiguration {
    fn from_json(v: &Value) -> Result<Self, String> {
        Ok(Self {
            id: Obj::of(v, "XksKeyConfiguration")?.str("Id")?,
        })
    }
}

/// The reply of DescribeKey and CreateKey.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyMetadataResponse {
    pub key_metadata: KeyMetadata,
}

impl FromJson for KeyMetadataResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            key_metadata: json::required(o.object("KeyMetadata")?, "KeyMetadata")?,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

impl Validate for ListAliasesRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(&mut out, KEY_ID, "KeyId", self.key_id.as_deref());
        range(&mut out, "Limit", self.limit, &LIST_ALIASES_LIMIT);
        check(&mut out, MARKER, "Marker", self.marker.as_deref());
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AliasListEntry {
    pub alias_name: Option<String>,
    pub alias_arn: Option<String>,
    pub target_key_id: Option<String>,
    pub creation_date: Option<f64>,
    pub last_updated_date: Option<f64>,
}

impl FromJson for AliasListEntry {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "an alias")?;
        Ok(Self {
            alias_name: o.str("AliasName")?,
            alias_arn: o.str("AliasArn")?,
            target_key_id: o.str("TargetKeyId")?,
            creation_date: o.num("CreationDate")?,
            last_updated_date: o.num("LastUpdatedDate")?,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListAliasesResponse {
    pub aliases: Vec<AliasListEntry>,
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl FromJson for ListAliasesResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            aliases: json::required(o.list("Aliases")?, "Aliases")?,
            next_marker: o.str("NextMarker")?,
            truncated: o.bool("Truncated")?.unwrap_or(false),
        })
    }
}

impl ListAliasesResponse {
    /// The request of the next page, if the reply names one.
    pub fn next(&self, key_id: Option<String>) -> Option<ListAliasesRequest> {
        self.next_marker
            .clone()
            .filter(|_| self.truncated)
            .map(|m| ListAliasesRequest {
                key_id,
                limit: None,
                marker: Some(m),
            })
    }
}

/// CreateKey as the console sends it: a symmetric encryption key in a custom key store.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateKeyRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_key_store_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_key_id: Option<String>,
}

impl Validate for CreateKeyRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(
            &mut out,
            DESCRIPTION,
            "Description",
            self.description.as_deref(),
        );
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_ID,
            "CustomKeyStoreId",
            self.custom_key_store_id.as_deref(),
        );
        check(&mut out, XKS_KEY_ID, "XksKeyId", self.xks_key_id.as_deref());
        // What KMS requires of the origin (the model marks all of them optional).
        let needs_store = matches!(
            self.origin,
            Some(Origin::AwsCloudHsm | Origin::ExternalKeyStore)
        );
        if needs_store && self.custom_key_store_id.is_none() {
            out.push(Problem {
                member: "CustomKeyStoreId",
                message: "is required for a key in a custom key store.".into(),
            });
        }
        if self.origin == Some(Origin::ExternalKeyStore) && self.xks_key_id.is_none() {
            out.push(Problem {
                member: "XksKeyId",
                message: "is required for a key in an external key store.".into(),
            });
        }
        if self.xks_key_id.is_some() && self.origin != Some(Origin::ExternalKeyStore) {
            out.push(Problem {
                member: "XksKeyId",
                message: "is only for a key in an external key store (Origin EXTERNAL_KEY_STORE)."
                    .into(),
            });
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAliasRequest {
    pub alias_name: String,
    pub target_key_id: String,
}

impl Validate for CreateAliasRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(&mut out, ALIAS_NAME, "AliasName", Some(&self.alias_name));
        check(&mut out, KEY_ID, "TargetKeyId", Some(&self.target_key_id));
        if !self.alias_name.starts_with(ALIAS_PREFIX) {
            out.push(Problem {
                member: "AliasName",
                message: "must begin with alias/.".into(),
            });
        } else if self.alias_name.starts_with(RESERVED_ALIAS_PREFIX) {
            out.push(Problem {
                member: "AliasName",
                message:
                    "cannot begin with alias/aws/: that prefix is reserved for AWS managed keys."
                        .into(),
            });
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptRequest {
    pub key_id: String,
    pub plaintext: SecretBytes,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub encryption_context: BTreeMap<String, String>,
}

impl Validate for EncryptRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(&mut out, KEY_ID, "KeyId", Some(&self.key_id));
        blob(&mut out, "Plaintext", self.plaintext.len(), PLAINTEXT_BYTES);
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EncryptResponse {
    pub ciphertext_blob: SecretBytes,
    pub key_id: Option<String>,
    pub encryption_algorithm: Option<String>,
}

impl FromJson for EncryptResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        let blob = json::required(o.str("CiphertextBlob")?, "CiphertextBlob")?;
        Ok(Self {
            ciphertext_blob: SecretBytes::from_base64(&blob)?,
            key_id: o.str("KeyId")?,
            encryption_algorithm: o.str("EncryptionAlgorithm")?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptRequest {
    pub ciphertext_blob: SecretBytes,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub encryption_context: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

impl Validate for DecryptRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        blob(
            &mut out,
            "CiphertextBlob",
            self.ciphertext_blob.len(),
            CIPHERTEXT_BYTES,
        );
        check(&mut out, KEY_ID, "KeyId", self.key_id.as_deref());
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecryptResponse {
    pub key_id: Option<String>,
    pub plaintext: SecretBytes,
    pub encryption_algorithm: Option<String>,
}

impl FromJson for DecryptResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        let plaintext = json::required(o.str("Plaintext")?, "Plaintext")?;
        Ok(Self {
            key_id: o.str("KeyId")?,
            plaintext: SecretBytes::from_base64(&plaintext)?,
            encryption_algorithm: o.str("EncryptionAlgorithm")?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomRequest {
    pub number_of_bytes: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_key_store_id: Option<String>,
}

impl Validate for GenerateRandomRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        range(
            &mut out,
            "NumberOfBytes",
            Some(self.number_of_bytes),
            &NUMBER_OF_BYTES,
        );
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_ID,
            "CustomKeyStoreId",
            self.custom_key_store_id.as_deref(),
        );
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GenerateRandomResponse {
    pub plaintext: SecretBytes,
}

impl FromJson for GenerateRandomResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        let plaintext = json::required(o.str("Plaintext")?, "Plaintext")?;
        Ok(Self {
            plaintext: SecretBytes::from_base64(&plaintext)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionRequest {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_window_in_days: Option<u16>,
}

impl Validate for ScheduleKeyDeletionRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(&mut out, KEY_ID, "KeyId", Some(&self.key_id));
        // KMS's rule (7 to 30) is narrower than the model's shape (1 to 365).
        range(
            &mut out,
            "PendingWindowInDays",
            self.pending_window_in_days,
            &PENDING_WINDOW_DAYS,
        );
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleKeyDeletionResponse {
    pub key_id: Option<String>,
    /// Epoch seconds.
    pub deletion_date: Option<f64>,
    pub key_state: Option<KeyState>,
    pub pending_window_in_days: Option<f64>,
}

impl FromJson for ScheduleKeyDeletionResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            key_id: o.str("KeyId")?,
            deletion_date: o.num("DeletionDate")?,
            key_state: o.enumeration("KeyState")?,
            pending_window_in_days: o.num("PendingWindowInDays")?,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CancelKeyDeletionResponse {
    pub key_id: Option<String>,
}

impl FromJson for CancelKeyDeletionResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        Ok(Self {
            key_id: Obj::of(v, "the reply")?.str("KeyId")?,
        })
    }
}

/// The key ID of a key ARN (`arn:aws:kms:region:account:key/ID` → `ID`); anything else as it is.
pub fn key_id_of(arn_or_id: &str) -> &str {
    match arn_or_id.strip_prefix("arn:") {
        Some(_) => arn_or_id
            .rsplit_once(":key/")
            .map_or(arn_or_id, |(_, id)| id),
        None => arn_or_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::kms::{parse_output, to_body};

    #[test]
    fn blobs_are_base64_and_never_in_debug() {
        let r = EncryptRequest {
            key_id: "k".into(),
            plaintext: SecretBytes::new(vec![0xde, 0xad, 0xbe, 0xef]),
            encryption_context: BTreeMap::from([("a".into(), "b".into())]),
        };
        assert_eq!(
            to_body(&r),
            r#"{"KeyId":"k","Plaintext":"3q2+7w==","EncryptionContext":{"a":"b"}}"#
        );
        let d = format!("{r:?}");
        assert!(
            !d.contains("3q2+7w") && !d.contains("222") && d.contains("4 bytes"),
            "{d}"
        );
        let out: EncryptResponse =
            parse_output(r#"{"CiphertextBlob":"AQID","KeyId":"arn:aws:kms:r:1:key/x"}"#).unwrap();
        assert_eq!(out.ciphertext_blob.expose(), &[1, 2, 3]);
        assert!(parse_output::<EncryptResponse>(r#"{"CiphertextBlob":"!!"}"#).is_err());
        assert!(parse_output::<DecryptResponse>("{}").is_err());
    }

    #[test]
    fn limits_and_kms_rules() {
        let bad = |p: Vec<Problem>| p.into_iter().map(|p| p.member).collect::<Vec<_>>();
        assert_eq!(
            bad(CreateAliasRequest {
                alias_name: "alias/aws/x".into(),
                target_key_id: "k".into()
            }
            .problems()),
            vec!["AliasName"]
        );
        assert_eq!(
            bad(CreateAliasRequest {
                alias_name: "payments".into(),
                target_key_id: String::new()
            }
            .problems()),
            vec!["TargetKeyId", "AliasName"]
        );
        assert_eq!(
            bad(CreateKeyRequest {
                origin: Some(Origin::ExternalKeyStore),
                xks_key_id: Some("bad key".into()),
                ..Default::default()
            }
            .problems()),
            vec!["XksKeyId", "CustomKeyStoreId"]
        );
        assert_eq!(
            bad(ScheduleKeyDeletionRequest {
                key_id: "k".into(),
                pending_window_in_days: Some(6)
            }
            .problems()),
            vec!["PendingWindowInDays"]
        );
        assert!(
            GenerateRandomRequest {
                number_of_bytes: 1025,
                custom_key_store_id: None
            }
            .problems()
            .len()
                == 1
        );
        assert_eq!(
            key_id_of("arn:aws:kms:us-east-1:111122223333:key/abc"),
            "abc"
        );
        assert_eq!(key_id_of("abc"), "abc");
    }
}
