//! The model's constraints on request members (length and pattern), checked before sending so
//! that a typo gets a message next to its field instead of a round trip to a ValidationException.
//! The values and patterns are botocore's (`data/kms-custom-key-stores.json`); a test checks
//! them against that file and each matcher against the model's regular expression.

use std::fmt;

/// One string shape of the model.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// The model's shape name.
    pub name: &'static str,
    /// Lengths in characters.
    pub min: usize,
    pub max: usize,
    /// The model's pattern, verbatim (for the cross-check test).
    pub pattern: Option<&'static str>,
    matches: fn(&str) -> bool,
    /// What a valid value looks like, in words.
    pub hint: &'static str,
}

pub fn any(_: &str) -> bool {
    true
}

pub const CUSTOM_KEY_STORE_ID: Shape = Shape {
    name: "CustomKeyStoreIdType",
    min: 1,
    max: 64,
    pattern: None,
    matches: any,
    hint: "1 to 64 characters, such as cks-1234567890abcdef0",
};
pub const CUSTOM_KEY_STORE_NAME: Shape = Shape {
    name: "CustomKeyStoreNameType",
    min: 1,
    max: 256,
    pattern: None,
    matches: any,
    hint: "1 to 256 characters",
};
pub const CLOUD_HSM_CLUSTER_ID: Shape = Shape {
    name: "CloudHsmClusterIdType",
    min: 19,
    max: 24,
    pattern: Some("cluster-[2-7a-zA-Z]{11,16}"),
    matches: cluster_id,
    hint: "cluster- followed by 11 to 16 letters or digits 2-7, such as cluster-234abcdefgh",
};
pub const TRUST_ANCHOR_CERTIFICATE: Shape = Shape {
    name: "TrustAnchorCertificateType",
    min: 1,
    max: 5000,
    pattern: None,
    matches: any,
    hint: "the PEM text of the cluster's customerCA.crt, up to 5000 characters",
};
pub const KEY_STORE_PASSWORD: Shape = Shape {
    name: "KeyStorePasswordType",
    min: 7,
    max: 32,
    pattern: None,
    matches: any,
    hint: "the kmsuser password: 7 to 32 characters",
};
pub const ACCOUNT_ID: Shape = Shape {
    name: "AccountIdType",
    min: 12,
    max: 12,
    pattern: Some("[0-9]{12}"),
    matches: account_id,
    hint: "a 12-digit AWS account ID",
};
pub const MARKER: Shape = Shape {
    name: "MarkerType",
    min: 1,
    max: 1024,
    pattern: Some("[\\u0020-\\u00FF]*"),
    matches: marker,
    hint: "the NextMarker of the previous page",
};
pub const XKS_PROXY_URI_ENDPOINT: Shape = Shape {
    name: "XksProxyUriEndpointType",
    min: 10,
    max: 128,
    pattern: Some("^https://[a-zA-Z0-9.-]+$"),
    matches: uri_endpoint,
    hint: "https:// and a host name, with no port or path, such as https://myproxy.xks.example.com",
};
pub const XKS_PROXY_URI_PATH: Shape = Shape {
    name: "XksProxyUriPathType",
    min: 10,
    max: 128,
    pattern: Some("^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$"),
    matches: uri_path,
    hint: "an optional prefix and /kms/xks/v1, such as /example/kms/xks/v1",
};
pub const XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME: Shape = Shape {
    name: "XksProxyVpcEndpointServiceNameType",
    min: 20,
    max: 64,
    pattern: Some("^(com|eu)\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$"),
    matches: vpc_service_name,
    hint: "such as com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
};
pub const XKS_PROXY_ACCESS_KEY_ID: Shape = Shape {
    name: "XksProxyAuthenticationAccessKeyIdType",
    min: 20,
    max: 30,
    pattern: Some("^[A-Z2-7]+$"),
    matches: xks_access_key_id,
    hint: "20 to 30 upper-case letters and digits 2-7, as the proxy issued it",
};
pub const XKS_PROXY_SECRET: Shape = Shape {
    name: "XksProxyAuthenticationRawSecretAccessKeyType",
    min: 43,
    max: 64,
    pattern: Some("^[a-zA-Z0-9\\/+=]+$"),
    matches: xks_secret,
    hint: "43 to 64 characters of letters, digits, /, + and =, as the proxy issued it",
};

/// Every string shape above, for the test against the model.
pub const ALL: &[Shape] = &[
    CUSTOM_KEY_STORE_ID,
    CUSTOM_KEY_STORE_NAME,
    CLOUD_HSM_CLUSTER_ID,
    TRUST_ANCHOR_CERTIFICATE,
    KEY_STORE_PASSWORD,
    ACCOUNT_ID,
    MARKER,
    XKS_PROXY_URI_ENDPOINT,
    XKS_PROXY_URI_PATH,
    XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME,
    XKS_PROXY_ACCESS_KEY_ID,
    XKS_PROXY_SECRET,
];

/// `Limit` of DescribeCustomKeyStores.
pub const LIMIT_RANGE: std::ops::RangeInclusive<u16> = 1..=1000;

/// A member that breaks its shape's constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The request member, e.g. `XksProxyUriPath`.
    pub member: &'static str,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.member, self.message)
    }
}

impl Shape {
    /// A shape of another model file (`aws::keys` has the key operations' shapes).
    pub const fn new(
        name: &'static str,
        min: usize,
        max: usize,
        pattern: Option<&'static str>,
        matches: fn(&str) -> bool,
        hint: &'static str,
    ) -> Self {
        Self {
            name,
            min,
            max,
            pattern,
            matches,
            hint,
        }
    }

    /// Whether `value` satisfies the pattern alone (length aside).
    pub fn pattern_ok(&self, value: &str) -> bool {
        (self.matches)(value)
    }

    /// Checks a value; the message never repeats the value (it may be a secret).
    pub fn check(&self, member: &'static str, value: &str) -> Result<(), Problem> {
        let n = value.chars().count();
        let message = if n < self.min || n > self.max {
            if self.min == self.max {
                format!(
                    "must have exactly {} characters (it has {n}): {}.",
                    self.min, self.hint
                )
            } else {
                format!(
                    "must have {} to {} characters (it has {n}): {}.",
                    self.min, self.max, self.hint
                )
            }
        } else if !(self.matches)(value) {
            format!("is not in the expected form: {}.", self.hint)
        } else {
            return Ok(());
        };
        Err(Problem { member, message })
    }
}

fn account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn cluster_id(s: &str) -> bool {
    s.strip_prefix("cluster-").is_some_and(|rest| {
        (11..=16).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b))
    })
}

pub fn marker(s: &str) -> bool {
    s.chars().all(|c| ('\u{20}'..='\u{FF}').contains(&c))
}

fn uri_endpoint(s: &str) -> bool {
    s.strip_prefix("https://").is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

fn uri_path(s: &str) -> bool {
    let Some(i) = s.rfind("/kms/xks/v") else {
        return false;
    };
    let (prefix, version) = (&s[..i], &s[i + "/kms/xks/v".len()..]);
    let version_ok =
        (1..=2).contains(&version.len()) && version.bytes().all(|b| b.is_ascii_digit());
    let prefix_ok = prefix.is_empty()
        || prefix.strip_prefix('/').is_some_and(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'_' || b == b'-')
        });
    version_ok && prefix_ok
}

fn vpc_service_name(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("com.").or_else(|| s.strip_prefix("eu.")) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("amazonaws.vpce.") else {
        return false;
    };
    let Some((region, service)) = rest.split_once('.') else {
        return false;
    };
    let parts: Vec<&str> = region.split('-').collect();
    let (words, number) = parts.split_at(parts.len() - 1);
    let region_ok = (2..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number[0].is_empty()
        && number[0].bytes().all(|b| b.is_ascii_digit());
    let service_ok = service.strip_prefix("vpce-svc-").is_some_and(|id| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    });
    region_ok && service_ok
}

fn xks_access_key_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

fn xks_secret(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+' || b == b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_form_not_the_value() {
        let e = XKS_PROXY_SECRET
            .check("RawSecretAccessKey", "short-secret")
            .unwrap_err();
        assert!(
            e.message.contains("43 to 64") && !e.message.contains("short-secret"),
            "{e}"
        );
        assert!(
            CLOUD_HSM_CLUSTER_ID
                .check("CloudHsmClusterId", "cluster-1a23b4cdefg")
                .is_err(),
            "1 is not in [2-7]"
        );
        assert!(
            CLOUD_HSM_CLUSTER_ID
                .check("CloudHsmClusterId", "cluster-2a23b4cdefg")
                .is_ok()
        );
        assert!(
            XKS_PROXY_URI_PATH
                .check("XksProxyUriPath", "/kms/xks/v1")
                .is_ok()
        );
        assert!(
            XKS_PROXY_URI_PATH
                .check("XksProxyUriPath", "/a/b_c-d/kms/xks/v12")
                .is_ok()
        );
        assert!(
            XKS_PROXY_URI_PATH
                .check("XksProxyUriPath", "kms/xks/v1/")
                .is_err()
        );
        assert!(
            XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME
                .check(
                    "N",
                    "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
                )
                .is_ok()
        );
        assert!(
            XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME
                .check("N", "com.amazonaws.vpce.us-gov-west-1.vpce-svc-0a")
                .is_ok()
        );
    }
}
