//! Request validation as KMS's front end does it: a member of the wrong JSON type fails at once
//! (SerializationException); then every constraint of the model (required, length, pattern,
//! enum, range) is checked and all failures are reported together in one ValidationException:
//! "2 validation errors detected: Value 'x' at 'customKeyStoreName' failed to satisfy
//! constraint: ...; ...". Sensitive values are never echoed.

use crate::clusters::is_cluster_id;
use crate::kms::{KmsFault, fault};
use serde_json::Value;

/// A string member's constraints, from botocore's model.
pub struct Str {
    pub member: &'static str,
    min: usize,
    max: usize,
    pattern: Option<Pattern>,
    sensitive: bool,
}

/// A model pattern: its text (quoted in messages) and a hand-written matcher for it.
#[derive(Clone, Copy)]
pub struct Pattern {
    text: &'static str,
    test: fn(&str) -> bool,
}

const fn s(member: &'static str, min: usize, max: usize) -> Str {
    Str {
        member,
        min,
        max,
        pattern: None,
        sensitive: false,
    }
}

const fn p(member: &'static str, min: usize, max: usize, pattern: Pattern) -> Str {
    Str {
        member,
        min,
        max,
        pattern: Some(pattern),
        sensitive: false,
    }
}

const fn secret(member: &'static str, min: usize, max: usize, pattern: Option<Pattern>) -> Str {
    Str {
        member,
        min,
        max,
        pattern,
        sensitive: true,
    }
}

pub const STORE_ID: Str = s("CustomKeyStoreId", 1, 64);
pub const STORE_NAME: Str = s("CustomKeyStoreName", 1, 256);
pub const NEW_STORE_NAME: Str = s("NewCustomKeyStoreName", 1, 256);
pub const CLUSTER_ID: Str = p("CloudHsmClusterId", 19, 24, CLUSTER);
pub const TRUST_ANCHOR: Str = s("TrustAnchorCertificate", 1, 5000);
pub const PASSWORD: Str = secret("KeyStorePassword", 7, 32, None);
pub const URI_ENDPOINT: Str = p("XksProxyUriEndpoint", 10, 128, ENDPOINT);
pub const URI_PATH: Str = p("XksProxyUriPath", 10, 128, PATH);
pub const VPC_SERVICE: Str = p("XksProxyVpcEndpointServiceName", 20, 64, VPC_SERVICE_NAME);
pub const VPC_OWNER: Str = p("XksProxyVpcEndpointServiceOwner", 12, 12, ACCOUNT);
pub const XKS_KEY_ID: Str = secret("AccessKeyId", 20, 30, Some(XKS_ID));
pub const XKS_SECRET: Str = secret("RawSecretAccessKey", 43, 64, Some(XKS_RAW));
pub const MARKER: Str = p("Marker", 1, 1024, LATIN1);

/// The model's `CustomKeyStoreType` and `XksProxyConnectivityType`.
pub const CLOUDHSM: &str = "AWS_CLOUDHSM";
pub const EXTERNAL: &str = "EXTERNAL_KEY_STORE";
pub const STORE_TYPES: &[&str] = &[CLOUDHSM, EXTERNAL];
pub const PUBLIC: &str = "PUBLIC_ENDPOINT";
pub const VPC: &str = "VPC_ENDPOINT_SERVICE";
pub const CONNECTIVITY: &[&str] = &[PUBLIC, VPC];
pub const CREDENTIAL: &str = "XksProxyAuthenticationCredential";

const CLUSTER: Pattern = Pattern {
    text: "cluster-[2-7a-zA-Z]{11,16}",
    test: is_cluster_id,
};

const ENDPOINT: Pattern = Pattern {
    text: "^https://[a-zA-Z0-9.-]+$",
    test: |v| {
        v.strip_prefix("https://").is_some_and(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })
    },
};

const PATH: Pattern = Pattern {
    text: r"^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$",
    test: |v| {
        let digits = v.bytes().rev().take_while(u8::is_ascii_digit).count();
        let Some(prefix) = v[..v.len() - digits].strip_suffix("/kms/xks/v") else {
            return false;
        };
        (1..=2).contains(&digits)
            && (prefix.is_empty()
                || prefix.strip_prefix('/').is_some_and(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
                }))
    },
};

const VPC_SERVICE_NAME: Pattern = Pattern {
    text: r"^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$",
    test: |v| {
        let Some(rest) = v
            .strip_prefix("com.amazonaws.vpce.")
            .or_else(|| v.strip_prefix("eu.amazonaws.vpce."))
        else {
            return false;
        };
        let Some((region, service)) = rest.split_once('.') else {
            return false;
        };
        let parts: Vec<&str> = region.split('-').collect();
        let Some((number, words)) = parts.split_last() else {
            return false;
        };
        let id = service.strip_prefix("vpce-svc-").unwrap_or("");
        (2..=3).contains(&words.len())
            && words
                .iter()
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    },
};

const ACCOUNT: Pattern = Pattern {
    text: "[0-9]{12}",
    test: |v| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()),
};

const XKS_ID: Pattern = Pattern {
    text: "^[A-Z2-7]+$",
    test: |v| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    },
};

const XKS_RAW: Pattern = Pattern {
    text: r"^[a-zA-Z0-9\/+=]+$",
    test: |v| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/+=".contains(&b))
    },
};

const LATIN1: Pattern = Pattern {
    text: r"[\u0020-\u00FF]*",
    test: |v| v.chars().all(|c| ('\u{20}'..='\u{ff}').contains(&c)),
};

/// Tests a value against a pattern (for scenario-independent checks elsewhere).
pub fn matches(c: &Str, value: &str) -> bool {
    c.pattern.is_none_or(|p| (p.test)(value))
}

/// `CustomKeyStoreName` → `customKeyStoreName`, as KMS names members in messages.
fn camel(member: &str) -> String {
    let mut chars = member.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// How Coral names a JSON value it cannot convert.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn not_convertible(v: &Value, to: &str) -> KmsFault {
    let message = match v {
        Value::Object(_) => "Start of structure or map found where not expected.".to_string(),
        Value::Array(_) => "Start of list found where not expected.".to_string(),
        _ => format!("{} can not be converted to {to}", json_kind(v)),
    };
    fault("SerializationException", message)
}

/// Collects the failed constraints of one request.
pub struct Check<'a> {
    input: &'a Value,
    errors: Vec<String>,
}

impl<'a> Check<'a> {
    pub fn new(input: &'a Value) -> Self {
        Self {
            input,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, value: Option<&str>, sensitive: bool, path: &str, constraint: &str) {
        let shown = match value {
            None => "Value null".to_string(),
            Some(_) if sensitive => "Value".to_string(),
            Some(v) => format!("Value '{v}'"),
        };
        self.errors.push(format!(
            "{shown} at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// A top-level string member. `Err` only when its JSON type is wrong.
    pub fn string(&mut self, c: &Str, required: bool) -> Result<Option<&'a str>, KmsFault> {
        self.string_in(self.input, "", c, required)
    }

    fn string_in(
        &mut self,
        object: &'a Value,
        parent: &str,
        c: &Str,
        required: bool,
    ) -> Result<Option<&'a str>, KmsFault> {
        let path = format!("{parent}{}", camel(c.member));
        let value = match object.get(c.member) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(None, c.sensitive, &path, "Member must not be null");
                }
                return Ok(None);
            }
            Some(Value::String(v)) => v.as_str(),
            Some(other) => return Err(not_convertible(other, "a String")),
        };
        let len = value.encode_utf16().count();
        if len < c.min {
            let rule = format!("Member must have length greater than or equal to {}", c.min);
            self.fail(Some(value), c.sensitive, &path, &rule);
        }
        if len > c.max {
            let rule = format!("Member must have length less than or equal to {}", c.max);
            self.fail(Some(value), c.sensitive, &path, &rule);
        }
        if let Some(p) = c.pattern
            && !(p.test)(value)
        {
            let rule = format!("Member must satisfy regular expression pattern: {}", p.text);
            self.fail(Some(value), c.sensitive, &path, &rule);
        }
        Ok(Some(value))
    }

    /// A string member with an enum type.
    pub fn enumeration(
        &mut self,
        member: &str,
        values: &[&str],
    ) -> Result<Option<&'a str>, KmsFault> {
        let value = match self.input.get(member) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(v)) => v.as_str(),
            Some(other) => return Err(not_convertible(other, "a String")),
        };
        if !values.contains(&value) {
            let rule = format!(
                "Member must satisfy enum value set: [{}]",
                values.join(", ")
            );
            self.fail(Some(value), false, &camel(member), &rule);
        }
        Ok(Some(value))
    }

    /// An integer member within `min..=max` (a fraction is truncated, as Coral does).
    pub fn integer(&mut self, member: &str, min: i64, max: i64) -> Result<Option<i64>, KmsFault> {
        let value = match self.input.get(member) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f.trunc() as i64))
                .unwrap_or(i64::MAX),
            Some(other) => return Err(not_convertible(other, "an Integer")),
        };
        let path = camel(member);
        if value < min {
            let rule = format!("Member must have value greater than or equal to {min}");
            self.fail(Some(&value.to_string()), false, &path, &rule);
        }
        if value > max {
            let rule = format!("Member must have value less than or equal to {max}");
            self.fail(Some(&value.to_string()), false, &path, &rule);
        }
        Ok(Some(value))
    }

    /// `XksProxyAuthenticationCredential`: both members required when it is present.
    pub fn credential(&mut self) -> Result<Option<(&'a str, &'a str)>, KmsFault> {
        let object = match self.input.get(CREDENTIAL) {
            None | Some(Value::Null) => return Ok(None),
            Some(o @ Value::Object(_)) => o,
            Some(other) => return Err(not_convertible(other, "a Structure")),
        };
        let parent = format!("{}.", camel(CREDENTIAL));
        let id = self.string_in(object, &parent, &XKS_KEY_ID, true)?;
        let raw = self.string_in(object, &parent, &XKS_SECRET, true)?;
        Ok(id.zip(raw))
    }

    /// Records that a member the store type needs is missing.
    pub fn require(&mut self, member: &str, present: bool) {
        if !present {
            self.fail(None, false, &camel(member), "Member must not be null");
        }
    }

    pub fn finish(self) -> Result<(), KmsFault> {
        match self.errors.len() {
            0 => Ok(()),
            n => Err(fault(
                "ValidationException",
                format!(
                    "{n} validation error{} detected: {}",
                    if n == 1 { "" } else { "s" },
                    self.errors.join("; ")
                ),
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The key operations' members (botocore's `kms-keys.json`).
// ---------------------------------------------------------------------------------------------

pub const KEY_ID: Str = s("KeyId", 1, 2048);
pub const TARGET_KEY_ID: Str = s("TargetKeyId", 1, 2048);
pub const ALIAS_NAME: Str = p("AliasName", 1, 256, ALIAS);
pub const DESCRIPTION: Str = s("Description", 0, 8192);
pub const XKS_KEY: Str = p("XksKeyId", 1, 128, XKS_KEY_ID_PATTERN);
pub const POLICY: Str = s("Policy", 1, 131072);
pub const KEY_STORE_ID: Str = s("CustomKeyStoreId", 1, 64);
pub const KEY_USAGES: &[&str] = &[
    "SIGN_VERIFY",
    "ENCRYPT_DECRYPT",
    "GENERATE_VERIFY_MAC",
    "KEY_AGREEMENT",
    "ENCAPSULATE_DECAPSULATE",
];
pub const ORIGINS: &[&str] = &["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];
pub const KEY_SPECS: &[&str] = &[
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "SYMMETRIC_DEFAULT",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
];
pub const ENCRYPTION_ALGORITHMS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "SM2PKE",
];

const ALIAS: Pattern = Pattern {
    text: "^[a-zA-Z0-9:/_-]+$",
    test: |v| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b))
    },
};

const XKS_KEY_ID_PATTERN: Pattern = Pattern {
    text: "^[a-zA-Z0-9-_.]+$",
    test: |v| {
        !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    },
};

impl<'a> Check<'a> {
    /// A blob member (base64 on the wire), `min..=max` bytes. Text that is not base64 is a
    /// SerializationException, as in KMS.
    pub fn blob(
        &mut self,
        member: &str,
        min: usize,
        max: usize,
        required: bool,
        sensitive: bool,
    ) -> Result<Option<Vec<u8>>, KmsFault> {
        use base64::Engine as _;
        let path = camel(member);
        let text = match self.input.get(member) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(None, sensitive, &path, "Member must not be null");
                }
                return Ok(None);
            }
            Some(Value::String(v)) => v.as_str(),
            Some(other) => return Err(not_convertible(other, "a Blob")),
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| {
                fault(
                    "SerializationException",
                    format!("Could not decode the base64 of {member}."),
                )
            })?;
        let shown = (!sensitive).then_some(text);
        if bytes.len() < min {
            let rule = format!("Member must have length greater than or equal to {min}");
            self.fail(shown, sensitive, &path, &rule);
        }
        if bytes.len() > max {
            let rule = format!("Member must have length less than or equal to {max}");
            self.fail(shown, sensitive, &path, &rule);
        }
        Ok(Some(bytes))
    }

    /// A map of strings (`EncryptionContext`).
    pub fn string_map(
        &mut self,
        member: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, KmsFault> {
        match self.input.get(member) {
            None | Some(Value::Null) => Ok(Default::default()),
            Some(Value::Object(o)) => o
                .iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k.clone(), s.clone())),
                    other => Err(not_convertible(other, "a String")),
                })
                .collect(),
            Some(other) => Err(not_convertible(other, "a Map")),
        }
    }

    /// A boolean member.
    pub fn boolean(&mut self, member: &str) -> Result<Option<bool>, KmsFault> {
        match self.input.get(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(not_convertible(other, "a Boolean")),
        }
    }

    /// A list member: its items (an absent list is empty).
    pub fn list(&mut self, member: &str) -> Result<&'a [Value], KmsFault> {
        match self.input.get(member) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(other) => Err(not_convertible(other, "a List")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(r: Result<(), KmsFault>) -> String {
        let f = r.unwrap_err();
        assert_eq!(f.code, "ValidationException");
        f.message
    }

    #[test]
    fn patterns_follow_the_model() {
        let ok = |c: &Str, v: &str| matches(c, v);
        assert!(ok(&CLUSTER_ID, "cluster-234abcdefgh"));
        assert!(!ok(&CLUSTER_ID, "cluster-1234abcdefg"));
        assert!(!ok(&CLUSTER_ID, "cluster-abc"));
        assert!(ok(&URI_ENDPOINT, "https://xks.example.com"));
        assert!(!ok(&URI_ENDPOINT, "http://xks.example.com"));
        assert!(!ok(&URI_ENDPOINT, "https://xks.example.com/path"));
        assert!(!ok(&URI_ENDPOINT, "https://xks.example.com:443"));
        for good in ["/kms/xks/v1", "/a/kms/xks/v12", "/x_y-z/q/kms/xks/v2"] {
            assert!(ok(&URI_PATH, good), "{good}");
        }
        for bad in [
            "/kms/xks/v",
            "/kms/xks/v123",
            "kms/xks/v1",
            "//kms/xks/v1x",
            "/a b/kms/xks/v1",
            "/kms/xks/v1/",
        ] {
            assert!(!ok(&URI_PATH, bad), "{bad}");
        }
        assert!(ok(
            &VPC_SERVICE,
            "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
        ));
        assert!(ok(
            &VPC_SERVICE,
            "eu.amazonaws.vpce.us-gov-west-1.vpce-svc-0a"
        ));
        assert!(!ok(&VPC_SERVICE, "com.amazonaws.vpce.useast-1.vpce-svc-0a"));
        assert!(!ok(
            &VPC_SERVICE,
            "com.amazonaws.vpce.us-east-1.vpce-svc-0A"
        ));
        assert!(!ok(
            &VPC_SERVICE,
            "org.amazonaws.vpce.us-east-1.vpce-svc-0a"
        ));
        assert!(ok(&XKS_KEY_ID, "BMQ6V7UDSEXAMPLEKEYID"));
        assert!(!ok(&XKS_KEY_ID, "BMQ6V7UDSEXAMPLEKEY1D"));
        assert!(ok(&XKS_SECRET, "abc/+="));
        assert!(!ok(&XKS_SECRET, "abc-"));
        assert!(ok(&MARKER, "abc é"));
        assert!(!ok(&MARKER, "abc\u{100}"));
        assert!(!ok(&MARKER, "tab\t"));
    }

    #[test]
    fn messages_read_like_kms() {
        let input = json!({"CustomKeyStoreName": "", "CloudHsmClusterId": "cluster-1", "KeyStorePassword": "short"});
        let mut c = Check::new(&input);
        c.string(&STORE_NAME, true).unwrap();
        c.string(&CLUSTER_ID, false).unwrap();
        c.string(&PASSWORD, false).unwrap();
        c.string(&TRUST_ANCHOR, false).unwrap();
        c.require("TrustAnchorCertificate", false);
        assert_eq!(
            msg(c.finish()),
            "5 validation errors detected: \
             Value '' at 'customKeyStoreName' failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value 'cluster-1' at 'cloudHsmClusterId' failed to satisfy constraint: Member must have length greater than or equal to 19; \
             Value 'cluster-1' at 'cloudHsmClusterId' failed to satisfy constraint: Member must satisfy regular expression pattern: cluster-[2-7a-zA-Z]{11,16}; \
             Value at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7; \
             Value null at 'trustAnchorCertificate' failed to satisfy constraint: Member must not be null"
        );
        let input = json!({"Limit": 0});
        let mut c = Check::new(&input);
        c.integer("Limit", 1, 1000).unwrap();
        c.string(&STORE_ID, true).unwrap();
        assert_eq!(
            msg(c.finish()),
            "2 validation errors detected: \
             Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; \
             Value null at 'customKeyStoreId' failed to satisfy constraint: Member must not be null"
        );
        let input = json!({"CustomKeyStoreType": "HSM", "XksProxyAuthenticationCredential": {"AccessKeyId": "lower"}});
        let mut c = Check::new(&input);
        c.enumeration("CustomKeyStoreType", STORE_TYPES).unwrap();
        c.credential().unwrap();
        let m = msg(c.finish());
        assert!(m.starts_with("4 validation errors detected: Value 'HSM' at 'customKeyStoreType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]; "), "{m}");
        assert!(
            m.contains("Value null at 'xksProxyAuthenticationCredential.rawSecretAccessKey'"),
            "{m}"
        );
        assert!(
            !m.contains("lower"),
            "sensitive values are never echoed: {m}"
        );
    }

    #[test]
    fn wrong_json_types_are_serialization_errors() {
        for (input, words) in [
            (
                json!({"CustomKeyStoreName": 5}),
                "NUMBER_VALUE can not be converted to a String",
            ),
            (
                json!({"CustomKeyStoreName": {"a": 1}}),
                "Start of structure or map",
            ),
            (json!({"CustomKeyStoreName": [1]}), "Start of list"),
        ] {
            let f = Check::new(&input).string(&STORE_NAME, true).unwrap_err();
            assert_eq!(f.code, "SerializationException");
            assert!(f.message.contains(words), "{}", f.message);
        }
        let input = json!({"Limit": "10"});
        let f = Check::new(&input).integer("Limit", 1, 1000).unwrap_err();
        assert_eq!(f.message, "STRING_VALUE can not be converted to an Integer");
        let input = json!({"Limit": 2.9, "CustomKeyStoreId": null});
        let mut c = Check::new(&input);
        assert_eq!(c.integer("Limit", 1, 1000).unwrap(), Some(2));
        assert_eq!(c.string(&STORE_ID, false).unwrap(), None);
        assert!(c.finish().is_ok());
    }
}
