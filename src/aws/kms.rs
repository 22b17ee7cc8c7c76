//! The KMS custom key store operations on the wire (AWS JSON 1.1), typed after botocore's model.
//! Enums keep values they do not know (AWS adds codes over time) instead of failing the parse.

use crate::aws::credentials::Secret;
use crate::aws::json::{self, FromJson, Obj};
use crate::aws::limits::{self, Problem};
use serde::Serialize;
use serde_json::Value;

/// A string enum of a model that keeps unknown values in `Other` (AWS adds values over time).
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(into = "String")]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know yet.
            Other(String),
        }

        impl $name {
            /// Every value the model lists.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum!(ConnectionState {
    Connected = "CONNECTED",
    Connecting = "CONNECTING",
    Failed = "FAILED",
    Disconnected = "DISCONNECTED",
    Disconnecting = "DISCONNECTING",
});

impl ConnectionState {
    /// CONNECTING and DISCONNECTING move on by themselves; the others wait for a call.
    pub fn is_transitional(&self) -> bool {
        matches!(self, Self::Connecting | Self::Disconnecting)
    }
}

wire_enum!(ConnectionErrorCode {
    InvalidCredentials = "INVALID_CREDENTIALS",
    ClusterNotFound = "CLUSTER_NOT_FOUND",
    NetworkErrors = "NETWORK_ERRORS",
    InternalError = "INTERNAL_ERROR",
    InsufficientCloudHsmHsms = "INSUFFICIENT_CLOUDHSM_HSMS",
    UserLockedOut = "USER_LOCKED_OUT",
    UserNotFound = "USER_NOT_FOUND",
    UserLoggedIn = "USER_LOGGED_IN",
    SubnetNotFound = "SUBNET_NOT_FOUND",
    InsufficientFreeAddressesInSubnet = "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
    XksProxyAccessDenied = "XKS_PROXY_ACCESS_DENIED",
    XksProxyNotReachable = "XKS_PROXY_NOT_REACHABLE",
    XksVpcEndpointServiceNotFound = "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
    XksProxyInvalidResponse = "XKS_PROXY_INVALID_RESPONSE",
    XksProxyInvalidConfiguration = "XKS_PROXY_INVALID_CONFIGURATION",
    XksVpcEndpointServiceInvalidConfiguration = "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION",
    XksProxyTimedOut = "XKS_PROXY_TIMED_OUT",
    XksProxyInvalidTlsConfiguration = "XKS_PROXY_INVALID_TLS_CONFIGURATION",
});

wire_enum!(CustomKeyStoreType {
    AwsCloudHsm = "AWS_CLOUDHSM",
    ExternalKeyStore = "EXTERNAL_KEY_STORE",
});

wire_enum!(XksProxyConnectivity {
    PublicEndpoint = "PUBLIC_ENDPOINT",
    VpcEndpointService = "VPC_ENDPOINT_SERVICE",
});

/// The operations of this console, with their `X-Amz-Target` suffix: the six custom key store
/// operations, then the ten key operations of `aws::keys`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    DescribeCustomKeyStores,
    ConnectCustomKeyStore,
    DisconnectCustomKeyStore,
    CreateCustomKeyStore,
    UpdateCustomKeyStore,
    DeleteCustomKeyStore,
    ListKeys,
    DescribeKey,
    CreateKey,
    Encrypt,
    Decrypt,
    GenerateRandom,
    ListAliases,
    CreateAlias,
    ScheduleKeyDeletion,
    CancelKeyDeletion,
}

impl Operation {
    /// The custom key store operations (`data/kms-custom-key-stores.json`).
    pub const STORE_OPS: [Operation; 6] = [
        Self::DescribeCustomKeyStores,
        Self::ConnectCustomKeyStore,
        Self::DisconnectCustomKeyStore,
        Self::CreateCustomKeyStore,
        Self::UpdateCustomKeyStore,
        Self::DeleteCustomKeyStore,
    ];

    /// The key operations (`data/kms-keys.json`).
    pub const KEY_OPS: [Operation; 10] = [
        Self::ListKeys,
        Self::DescribeKey,
        Self::CreateKey,
        Self::Encrypt,
        Self::Decrypt,
        Self::GenerateRandom,
        Self::ListAliases,
        Self::CreateAlias,
        Self::ScheduleKeyDeletion,
        Self::CancelKeyDeletion,
    ];

    /// Every operation: the store operations, then the key operations.
    pub const ALL: [Operation; 16] = {
        let stores = Self::STORE_OPS.len();
        let mut all = [Self::DescribeCustomKeyStores; 16];
        let mut i = 0;
        while i < all.len() {
            all[i] = if i < stores {
                Self::STORE_OPS[i]
            } else {
                Self::KEY_OPS[i - stores]
            };
            i += 1;
        }
        all
    };

    pub fn name(self) -> &'static str {
        match self {
            Self::DescribeCustomKeyStores => "DescribeCustomKeyStores",
            Self::ConnectCustomKeyStore => "ConnectCustomKeyStore",
            Self::DisconnectCustomKeyStore => "DisconnectCustomKeyStore",
            Self::CreateCustomKeyStore => "CreateCustomKeyStore",
            Self::UpdateCustomKeyStore => "UpdateCustomKeyStore",
            Self::DeleteCustomKeyStore => "DeleteCustomKeyStore",
            Self::ListKeys => "ListKeys",
            Self::DescribeKey => "DescribeKey",
            Self::CreateKey => "CreateKey",
            Self::Encrypt => "Encrypt",
            Self::Decrypt => "Decrypt",
            Self::GenerateRandom => "GenerateRandom",
            Self::ListAliases => "ListAliases",
            Self::CreateAlias => "CreateAlias",
            Self::ScheduleKeyDeletion => "ScheduleKeyDeletion",
            Self::CancelKeyDeletion => "CancelKeyDeletion",
        }
    }

    /// Whether the operation makes a resource that counts against a resource quota (a store, a
    /// key, an alias): its `LimitExceededException` means that quota, never a rate.
    pub fn creates_resource(self) -> bool {
        matches!(
            self,
            Self::CreateCustomKeyStore | Self::CreateKey | Self::CreateAlias
        )
    }

    /// The IAM action the caller needs.
    pub fn iam_action(self) -> String {
        format!("kms:{}", self.name())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStoresRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_key_store_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_key_store_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// The body of Connect, Disconnect and Delete: just the id.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoreIdRequest {
    pub custom_key_store_id: String,
}

/// The external key store proxy's credential. Both members are sensitive in the model.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksProxyAuthenticationCredential {
    pub access_key_id: Secret,
    pub raw_secret_access_key: Secret,
}

/// The six external key store proxy members that Create and Update share.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct XksProxyFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_uri_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_uri_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_vpc_endpoint_service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_vpc_endpoint_service_owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_authentication_credential: Option<XksProxyAuthenticationCredential>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xks_proxy_connectivity: Option<XksProxyConnectivity>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomKeyStoreRequest {
    pub custom_key_store_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_anchor_certificate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_store_password: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_key_store_type: Option<CustomKeyStoreType>,
    /// The external key store proxy's members, on the wire among the request's own.
    #[serde(flatten)]
    pub xks: XksProxyFields,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateCustomKeyStoreResponse {
    pub custom_key_store_id: Option<String>,
}

impl FromJson for CreateCustomKeyStoreResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            custom_key_store_id: o.str("CustomKeyStoreId")?,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateCustomKeyStoreRequest {
    pub custom_key_store_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_custom_key_store_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_store_password: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_hsm_cluster_id: Option<String>,
    /// The external key store proxy's members, on the wire among the request's own.
    #[serde(flatten)]
    pub xks: XksProxyFields,
}

/// Checks against the model's limits before sending: every problem, each named by its member.
pub trait Validate {
    fn problems(&self) -> Vec<Problem>;

    /// Whether the body holds a store secret (the kmsuser password, the proxy credential):
    /// such a request goes only to the region's own AWS endpoint or loopback (`trust`).
    fn carries_secret(&self) -> bool {
        false
    }
}

fn check(out: &mut Vec<Problem>, shape: limits::Shape, member: &'static str, value: Option<&str>) {
    if let Some(Err(p)) = value.map(|v| shape.check(member, v)) {
        out.push(p);
    }
}

fn required(out: &mut Vec<Problem>, member: &'static str, present: bool, why: &str) {
    if !present {
        out.push(Problem {
            member,
            message: format!("is required {why}."),
        });
    }
}

impl Validate for DescribeCustomKeyStoresRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_ID,
            "CustomKeyStoreId",
            self.custom_key_store_id.as_deref(),
        );
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_NAME,
            "CustomKeyStoreName",
            self.custom_key_store_name.as_deref(),
        );
        check(&mut out, limits::MARKER, "Marker", self.marker.as_deref());
        if self.custom_key_store_id.is_some() && self.custom_key_store_name.is_some() {
            out.push(Problem {
                member: "CustomKeyStoreName",
                message: "cannot be given together with CustomKeyStoreId.".into(),
            });
        }
        if let Some(l) = self.limit.filter(|l| !limits::LIMIT_RANGE.contains(l)) {
            out.push(Problem {
                member: "Limit",
                message: format!("must be from 1 to 1000 (it is {l})."),
            });
        }
        out
    }
}

impl Validate for StoreIdRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_ID,
            "CustomKeyStoreId",
            Some(&self.custom_key_store_id),
        );
        out
    }
}

impl Validate for XksProxyFields {
    fn carries_secret(&self) -> bool {
        self.xks_proxy_authentication_credential.is_some()
    }

    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(
            &mut out,
            limits::XKS_PROXY_URI_ENDPOINT,
            "XksProxyUriEndpoint",
            self.xks_proxy_uri_endpoint.as_deref(),
        );
        check(
            &mut out,
            limits::XKS_PROXY_URI_PATH,
            "XksProxyUriPath",
            self.xks_proxy_uri_path.as_deref(),
        );
        check(
            &mut out,
            limits::XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME,
            "XksProxyVpcEndpointServiceName",
            self.xks_proxy_vpc_endpoint_service_name.as_deref(),
        );
        check(
            &mut out,
            limits::ACCOUNT_ID,
            "XksProxyVpcEndpointServiceOwner",
            self.xks_proxy_vpc_endpoint_service_owner.as_deref(),
        );
        if let Some(c) = &self.xks_proxy_authentication_credential {
            check(
                &mut out,
                limits::XKS_PROXY_ACCESS_KEY_ID,
                "XksProxyAuthenticationCredential.AccessKeyId",
                Some(c.access_key_id.expose()),
            );
            check(
                &mut out,
                limits::XKS_PROXY_SECRET,
                "XksProxyAuthenticationCredential.RawSecretAccessKey",
                Some(c.raw_secret_access_key.expose()),
            );
        }
        out
    }
}

impl Validate for CreateCustomKeyStoreRequest {
    fn carries_secret(&self) -> bool {
        self.key_store_password.is_some() || self.xks.carries_secret()
    }

    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_NAME,
            "CustomKeyStoreName",
            Some(&self.custom_key_store_name),
        );
        check(
            &mut out,
            limits::CLOUD_HSM_CLUSTER_ID,
            "CloudHsmClusterId",
            self.cloud_hsm_cluster_id.as_deref(),
        );
        check(
            &mut out,
            limits::TRUST_ANCHOR_CERTIFICATE,
            "TrustAnchorCertificate",
            self.trust_anchor_certificate.as_deref(),
        );
        check(
            &mut out,
            limits::KEY_STORE_PASSWORD,
            "KeyStorePassword",
            self.key_store_password.as_ref().map(Secret::expose),
        );
        out.extend(self.xks.problems());
        // What each store type needs (the model marks them optional; KMS requires them).
        match self
            .custom_key_store_type
            .clone()
            .unwrap_or(CustomKeyStoreType::AwsCloudHsm)
        {
            CustomKeyStoreType::AwsCloudHsm => {
                let why = "for an AWS CloudHSM key store";
                required(
                    &mut out,
                    "CloudHsmClusterId",
                    self.cloud_hsm_cluster_id.is_some(),
                    why,
                );
                required(
                    &mut out,
                    "TrustAnchorCertificate",
                    self.trust_anchor_certificate.is_some(),
                    why,
                );
                required(
                    &mut out,
                    "KeyStorePassword",
                    self.key_store_password.is_some(),
                    why,
                );
            }
            CustomKeyStoreType::ExternalKeyStore => {
                let why = "for an external key store";
                required(
                    &mut out,
                    "XksProxyConnectivity",
                    self.xks.xks_proxy_connectivity.is_some(),
                    why,
                );
                required(
                    &mut out,
                    "XksProxyUriEndpoint",
                    self.xks.xks_proxy_uri_endpoint.is_some(),
                    why,
                );
                required(
                    &mut out,
                    "XksProxyUriPath",
                    self.xks.xks_proxy_uri_path.is_some(),
                    why,
                );
                required(
                    &mut out,
                    "XksProxyAuthenticationCredential",
                    self.xks.xks_proxy_authentication_credential.is_some(),
                    why,
                );
                if self.xks.xks_proxy_connectivity == Some(XksProxyConnectivity::VpcEndpointService)
                {
                    required(
                        &mut out,
                        "XksProxyVpcEndpointServiceName",
                        self.xks.xks_proxy_vpc_endpoint_service_name.is_some(),
                        "with VPC endpoint service connectivity",
                    );
                }
            }
            CustomKeyStoreType::Other(_) => {}
        }
        out
    }
}

impl Validate for UpdateCustomKeyStoreRequest {
    fn carries_secret(&self) -> bool {
        self.key_store_password.is_some() || self.xks.carries_secret()
    }

    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_ID,
            "CustomKeyStoreId",
            Some(&self.custom_key_store_id),
        );
        check(
            &mut out,
            limits::CUSTOM_KEY_STORE_NAME,
            "NewCustomKeyStoreName",
            self.new_custom_key_store_name.as_deref(),
        );
        check(
            &mut out,
            limits::CLOUD_HSM_CLUSTER_ID,
            "CloudHsmClusterId",
            self.cloud_hsm_cluster_id.as_deref(),
        );
        check(
            &mut out,
            limits::KEY_STORE_PASSWORD,
            "KeyStorePassword",
            self.key_store_password.as_ref().map(Secret::expose),
        );
        out.extend(self.xks.problems());
        out
    }
}

/// `CustomKeyStores` is required: KMS always sends it, and a reply without it (an empty or
/// truncated body that still parses) must not read as "no stores".
#[derive(Clone, Debug, PartialEq)]
pub struct DescribeCustomKeyStoresResponse {
    pub custom_key_stores: Vec<CustomKeyStore>,
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl FromJson for DescribeCustomKeyStoresResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            custom_key_stores: json::required(o.list("CustomKeyStores")?, "CustomKeyStores")?,
            next_marker: o.str("NextMarker")?,
            truncated: o.bool("Truncated")?.unwrap_or(false),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomKeyStore {
    pub custom_key_store_id: Option<String>,
    pub custom_key_store_name: Option<String>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub trust_anchor_certificate: Option<String>,
    pub connection_state: Option<ConnectionState>,
    pub connection_error_code: Option<ConnectionErrorCode>,
    /// Epoch seconds, with a fraction.
    pub creation_date: Option<f64>,
    pub custom_key_store_type: Option<CustomKeyStoreType>,
    pub xks_proxy_configuration: Option<XksProxyConfiguration>,
}

impl FromJson for CustomKeyStore {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a custom key store")?;
        Ok(Self {
            custom_key_store_id: o.str("CustomKeyStoreId")?,
            custom_key_store_name: o.str("CustomKeyStoreName")?,
            cloud_hsm_cluster_id: o.str("CloudHsmClusterId")?,
            trust_anchor_certificate: o.str("TrustAnchorCertificate")?,
            connection_state: o.enumeration("ConnectionState")?,
            connection_error_code: o.enumeration("ConnectionErrorCode")?,
            creation_date: o.num("CreationDate")?,
            custom_key_store_type: o.enumeration("CustomKeyStoreType")?,
            xks_proxy_configuration: o.object("XksProxyConfiguration")?,
        })
    }
}

impl CustomKeyStore {
    /// The store type; entries without one are CloudHSM stores (the field predates XKS).
    pub fn store_type(&self) -> CustomKeyStoreType {
        self.custom_key_store_type
            .clone()
            .unwrap_or(CustomKeyStoreType::AwsCloudHsm)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct XksProxyConfiguration {
    pub connectivity: Option<XksProxyConnectivity>,
    pub access_key_id: Option<String>,
    pub uri_endpoint: Option<String>,
    pub uri_path: Option<String>,
    pub vpc_endpoint_service_name: Option<String>,
    pub vpc_endpoint_service_owner: Option<String>,
}

impl FromJson for XksProxyConfiguration {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "XksProxyConfiguration")?;
        Ok(Self {
            connectivity: o.enumeration("Connectivity")?,
            access_key_id: o.str("AccessKeyId")?,
            uri_endpoint: o.str("UriEndpoint")?,
            uri_path: o.str("UriPath")?,
            vpc_endpoint_service_name: o.str("VpcEndpointServiceName")?,
            vpc_endpoint_service_owner: o.str("VpcEndpointServiceOwner")?,
        })
    }
}

/// An operation's output with no members: KMS may send `{}` or nothing at all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Empty {}

impl FromJson for Empty {
    fn from_json(v: &Value) -> Result<Self, String> {
        Obj::of(v, "the reply").map(|_| Empty {})
    }
}

/// Parses a success body; an empty body is the default value.
pub fn parse_output<T: FromJson>(body: &str) -> Result<T, String> {
    crate::aws::json::parse(body)
        .map_err(|e| format!("the response is not the JSON KMS sends ({e})"))
}

/// Serialises a request body as the compact JSON that is signed and sent.
pub fn to_body<T: Serialize>(request: &T) -> String {
    serde_json::to_string(request).unwrap_or_else(|_| "{}".to_string())
}

/// Checks a custom key store ID before sending: the model allows 1 to 64 characters; KMS's ids
/// look like `cks-` plus 17 hex digits, and anything else gets a warning, not a block.
pub fn check_store_id(id: &str) -> Result<Option<String>, String> {
    let id = id.trim();
    if id.is_empty() {
        return Err("Enter a custom key store ID, for example cks-1234567890abcdef0.".into());
    }
    if id.chars().count() > 64 {
        return Err("A custom key store ID has at most 64 characters.".into());
    }
    if id.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("A custom key store ID has no spaces or control characters.".into());
    }
    let usual = id
        .strip_prefix("cks-")
        .is_some_and(|hex| hex.len() == 17 && hex.chars().all(|c| c.is_ascii_hexdigit()));
    Ok((!usual).then(|| {
        "This does not look like a KMS custom key store ID (cks- followed by 17 hex digits); it will be sent as typed.".to_string()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_output_with_unknown_values_and_empty_bodies() {
        let body = r#"{"CustomKeyStores":[{"CloudHsmClusterId":"cluster-1a23b4cdefg","ConnectionState":"CONNECTED","CreationDate":1.499288695918E9,"CustomKeyStoreId":"cks-1234567890abcdef0","CustomKeyStoreName":"ExampleKeyStore"},{"ConnectionState":"HIBERNATING","ConnectionErrorCode":"NEW_CODE","CustomKeyStoreType":"EXTERNAL_KEY_STORE","XksProxyConfiguration":{"Connectivity":"PUBLIC_ENDPOINT","UriPath":"/kms/xks/v1"}}],"Truncated":false}"#;
        let out: DescribeCustomKeyStoresResponse = parse_output(body).unwrap();
        assert_eq!(out.custom_key_stores.len(), 2);
        assert_eq!(
            out.custom_key_stores[0].connection_state,
            Some(ConnectionState::Connected)
        );
        assert_eq!(
            out.custom_key_stores[0].store_type(),
            CustomKeyStoreType::AwsCloudHsm
        );
        assert_eq!(
            out.custom_key_stores[1].connection_state,
            Some(ConnectionState::Other("HIBERNATING".into()))
        );
        assert_eq!(
            out.custom_key_stores[1]
                .connection_error_code
                .as_ref()
                .unwrap()
                .as_str(),
            "NEW_CODE"
        );
        assert_eq!(parse_output::<Empty>(""), Ok(Empty {}));
        assert!(
            parse_output::<DescribeCustomKeyStoresResponse>("").is_err(),
            "an empty Describe is malformed"
        );
        assert!(parse_output::<DescribeCustomKeyStoresResponse>("{}").is_err());
        assert_eq!(parse_output::<Empty>("{}"), Ok(Empty {}));
        assert!(parse_output::<Empty>("<html>").is_err());
    }

    #[test]
    fn request_bodies_are_compact_and_skip_absent_members() {
        let r = DescribeCustomKeyStoresRequest {
            custom_key_store_id: Some("cks-1".into()),
            ..Default::default()
        };
        assert_eq!(to_body(&r), r#"{"CustomKeyStoreId":"cks-1"}"#);
        assert_eq!(to_body(&DescribeCustomKeyStoresRequest::default()), "{}");
        // The proxy members sit flat among the request's own, in the model's order.
        let u = UpdateCustomKeyStoreRequest {
            custom_key_store_id: "cks-1".into(),
            new_custom_key_store_name: Some("n".into()),
            xks: XksProxyFields {
                xks_proxy_uri_path: Some("/p".into()),
                xks_proxy_connectivity: Some(XksProxyConnectivity::PublicEndpoint),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            to_body(&u),
            r#"{"CustomKeyStoreId":"cks-1","NewCustomKeyStoreName":"n","XksProxyUriPath":"/p","XksProxyConnectivity":"PUBLIC_ENDPOINT"}"#
        );
    }
}
