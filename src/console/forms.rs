//! The Create and Update forms as plain data: raw field text in, a request that passes the
//! model's limits (or every problem, by field) out, plus KMS's rules on what may change while
//! a store is connected. Pure, so the rules are tested natively.

use crate::aws::credentials::Secret;
use crate::aws::kms::{
    ConnectionState, CreateCustomKeyStoreRequest, CustomKeyStore, CustomKeyStoreType,
    UpdateCustomKeyStoreRequest, Validate, XksProxyAuthenticationCredential, XksProxyConfiguration,
    XksProxyConnectivity, XksProxyFields,
};
use crate::aws::limits::Problem;

/// The Create form's fields, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateForm {
    pub name: String,
    pub external: bool,
    pub cluster_id: String,
    pub trust_anchor: String,
    pub kmsuser_password: Secret,
    pub xks: XksProxyForm,
}

/// The external key store proxy's inputs, as typed, in both forms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XksProxyForm {
    pub vpc: bool,
    pub uri_endpoint: String,
    pub uri_path: String,
    pub proxy_access_key_id: Secret,
    pub proxy_secret: Secret,
    pub vpc_service_name: String,
    pub vpc_service_owner: String,
}

impl XksProxyForm {
    /// The inputs prefilled with a store's configuration (the credential is never shown).
    pub fn of(x: &XksProxyConfiguration) -> Self {
        Self {
            vpc: x.connectivity == Some(XksProxyConnectivity::VpcEndpointService),
            uri_endpoint: x.uri_endpoint.clone().unwrap_or_default(),
            uri_path: x.uri_path.clone().unwrap_or_default(),
            vpc_service_name: x.vpc_endpoint_service_name.clone().unwrap_or_default(),
            vpc_service_owner: x.vpc_endpoint_service_owner.clone().unwrap_or_default(),
            ..Default::default()
        }
    }

    /// The six members as typed: trimmed, the empty ones left out, the connectivity the flag's.
    pub fn fields(&self) -> XksProxyFields {
        XksProxyFields {
            xks_proxy_uri_endpoint: opt(&self.uri_endpoint),
            xks_proxy_uri_path: opt(&self.uri_path),
            xks_proxy_vpc_endpoint_service_name: opt(&self.vpc_service_name),
            xks_proxy_vpc_endpoint_service_owner: opt(&self.vpc_service_owner),
            xks_proxy_authentication_credential: credential(
                &self.proxy_access_key_id,
                &self.proxy_secret,
            ),
            xks_proxy_connectivity: Some(if self.vpc {
                XksProxyConnectivity::VpcEndpointService
            } else {
                XksProxyConnectivity::PublicEndpoint
            }),
        }
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn opt_secret(s: &Secret) -> Option<Secret> {
    let t = s.expose().trim();
    (!t.is_empty()).then(|| Secret::new(t))
}

/// The request, unless it has problems.
fn checked<T>(r: T, problems: Vec<Problem>) -> Result<T, Vec<Problem>> {
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems)
    }
}

/// A typed value that differs from the store's (`None`: unchanged, or nothing typed).
fn changed(new: Option<String>, old: Option<&str>) -> Option<String> {
    new.filter(|n| Some(n.as_str()) != old)
}

fn credential(akid: &Secret, secret: &Secret) -> Option<XksProxyAuthenticationCredential> {
    match (opt_secret(akid), opt_secret(secret)) {
        (None, None) => None,
        (a, s) => Some(XksProxyAuthenticationCredential {
            access_key_id: a.unwrap_or_default(),
            raw_secret_access_key: s.unwrap_or_default(),
        }),
    }
}

impl CreateForm {
    /// The request, or every problem by request member.
    pub fn request(&self) -> Result<CreateCustomKeyStoreRequest, Vec<Problem>> {
        let mut r = CreateCustomKeyStoreRequest {
            custom_key_store_name: self.name.trim().to_string(),
            ..Default::default()
        };
        if self.external {
            r.custom_key_store_type = Some(CustomKeyStoreType::ExternalKeyStore);
            r.xks = self.xks.fields();
            if !self.xks.vpc {
                r.xks.xks_proxy_vpc_endpoint_service_name = None;
                r.xks.xks_proxy_vpc_endpoint_service_owner = None;
            }
        } else {
            r.custom_key_store_type = Some(CustomKeyStoreType::AwsCloudHsm);
            r.cloud_hsm_cluster_id = opt(&self.cluster_id);
            // Keep the certificate's line breaks: it is PEM.
            r.trust_anchor_certificate = (!self.trust_anchor.trim().is_empty())
                .then(|| self.trust_anchor.trim().replace("\r\n", "\n"));
            r.key_store_password = opt_secret(&self.kmsuser_password);
        }
        let problems = r.problems();
        checked(r, problems)
    }
}

/// The JSON configuration file an external key store proxy gives (the AWS console accepts it
/// too): `{"XksProxyUriPath": …, "XksProxyAuthenticationCredential": {"AccessKeyId": …,
/// "RawSecretAccessKey": …}}`. Returns the path and the credential.
pub fn parse_proxy_config(
    text: &str,
) -> Result<(String, XksProxyAuthenticationCredential), String> {
    let v: serde_json::Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|_| "This file is not JSON. The proxy configuration file is the JSON your external key store proxy produced.".to_string())?;
    let path = v["XksProxyUriPath"]
        .as_str()
        .ok_or("The file has no XksProxyUriPath.")?;
    let cred = &v["XksProxyAuthenticationCredential"];
    let akid = cred["AccessKeyId"]
        .as_str()
        .ok_or("The file has no XksProxyAuthenticationCredential.AccessKeyId.")?;
    let secret = cred["RawSecretAccessKey"]
        .as_str()
        .ok_or("The file has no XksProxyAuthenticationCredential.RawSecretAccessKey.")?;
    Ok((
        path.trim().to_string(),
        XksProxyAuthenticationCredential {
            access_key_id: Secret::new(akid.trim()),
            raw_secret_access_key: Secret::new(secret.trim()),
        },
    ))
}

/// The Update form: only what the user changed is sent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateForm {
    pub new_name: String,
    pub cluster_id: String,
    pub kmsuser_password: Secret,
    /// Prefilled with the store's configuration: what differs from it is a change.
    pub xks: XksProxyForm,
}

/// Why KMS would refuse this update in the store's state, if it would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedsDisconnect {
    /// The members that need DISCONNECTED.
    pub members: Vec<&'static str>,
    pub state: String,
}

impl NeedsDisconnect {
    /// Whether Disconnect is the way on (a DISCONNECTING store only needs time).
    pub fn offer_disconnect(&self) -> bool {
        self.state != "DISCONNECTING"
    }
}

impl std::fmt::Display for NeedsDisconnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (state, members) = (&self.state, self.members.join(", "));
        match state.as_str() {
            "CONNECTED" => write!(
                f,
                "The store is CONNECTED: {members} can change only while it is DISCONNECTED. Disconnect it first, or change only what may change while connected."
            ),
            "DISCONNECTING" => write!(
                f,
                "The store is DISCONNECTING: KMS accepts no Update until it is DISCONNECTED. Wait a minute, then try again."
            ),
            _ => write!(
                f,
                "The store is {state}: KMS accepts no Update in this state (not sent: {members}). Disconnect it first."
            ),
        }
    }
}

impl UpdateForm {
    /// The request for `store`, or the problems by member. Unchanged values are left out.
    pub fn request(
        &self,
        store: &CustomKeyStore,
    ) -> Result<UpdateCustomKeyStoreRequest, Vec<Problem>> {
        let id = store.custom_key_store_id.clone().unwrap_or_default();
        let mut r = UpdateCustomKeyStoreRequest {
            custom_key_store_id: id,
            ..Default::default()
        };
        r.new_custom_key_store_name =
            changed(opt(&self.new_name), store.custom_key_store_name.as_deref());
        match store.store_type() {
            CustomKeyStoreType::ExternalKeyStore => {
                let x = store.xks_proxy_configuration.clone().unwrap_or_default();
                let new = self.xks.fields();
                let was_vpc = x.connectivity == Some(XksProxyConnectivity::VpcEndpointService);
                r.xks = XksProxyFields {
                    xks_proxy_uri_endpoint: changed(
                        new.xks_proxy_uri_endpoint,
                        x.uri_endpoint.as_deref(),
                    ),
                    xks_proxy_uri_path: changed(new.xks_proxy_uri_path, x.uri_path.as_deref()),
                    xks_proxy_vpc_endpoint_service_name: changed(
                        new.xks_proxy_vpc_endpoint_service_name,
                        x.vpc_endpoint_service_name.as_deref(),
                    ),
                    xks_proxy_vpc_endpoint_service_owner: changed(
                        new.xks_proxy_vpc_endpoint_service_owner,
                        x.vpc_endpoint_service_owner.as_deref(),
                    ),
                    xks_proxy_authentication_credential: new.xks_proxy_authentication_credential,
                    xks_proxy_connectivity: new
                        .xks_proxy_connectivity
                        .filter(|_| self.xks.vpc != was_vpc),
                };
            }
            _ => {
                r.cloud_hsm_cluster_id =
                    changed(opt(&self.cluster_id), store.cloud_hsm_cluster_id.as_deref());
                r.key_store_password = opt_secret(&self.kmsuser_password);
            }
        }
        let mut problems = r.problems();
        if r == (UpdateCustomKeyStoreRequest {
            custom_key_store_id: r.custom_key_store_id.clone(),
            ..Default::default()
        }) {
            problems.push(Problem {
                member: "NewCustomKeyStoreName",
                message: "Nothing to update: change at least one field.".into(),
            });
        }
        checked(r, problems)
    }
}

/// KMS's rule, from the model: while a store is CONNECTED only its name may change (and for an
/// external key store its proxy credential and URI path); anything else, and any change at all
/// in another state (FAILED, CONNECTING, DISCONNECTING), needs DISCONNECTED. Returns what the
/// request changes that the store's state forbids.
pub fn needs_disconnect(
    store: &CustomKeyStore,
    r: &UpdateCustomKeyStoreRequest,
) -> Option<NeedsDisconnect> {
    let state = store
        .connection_state
        .clone()
        .unwrap_or(ConnectionState::Disconnected);
    if state == ConnectionState::Disconnected {
        return None;
    }
    let mut members = Vec::new();
    let xks = store.store_type() == CustomKeyStoreType::ExternalKeyStore;
    // Only CONNECTED has the exception: a FAILED store must be disconnected before any update.
    let connected = state == ConnectionState::Connected;
    if !connected && r.new_custom_key_store_name.is_some() {
        members.push("NewCustomKeyStoreName");
    }
    if r.cloud_hsm_cluster_id.is_some() {
        members.push("CloudHsmClusterId");
    }
    if r.key_store_password.is_some() {
        members.push("KeyStorePassword");
    }
    let x = &r.xks;
    if x.xks_proxy_uri_endpoint.is_some() {
        members.push("XksProxyUriEndpoint");
    }
    if x.xks_proxy_connectivity.is_some() {
        members.push("XksProxyConnectivity");
    }
    if x.xks_proxy_vpc_endpoint_service_name.is_some() {
        members.push("XksProxyVpcEndpointServiceName");
    }
    if x.xks_proxy_vpc_endpoint_service_owner.is_some() {
        members.push("XksProxyVpcEndpointServiceOwner");
    }
    if !xks && (x.xks_proxy_uri_path.is_some() || x.xks_proxy_authentication_credential.is_some()) {
        members.push("XksProxy settings");
    }
    if xks && !connected {
        if x.xks_proxy_uri_path.is_some() {
            members.push("XksProxyUriPath");
        }
        if x.xks_proxy_authentication_credential.is_some() {
            members.push("XksProxyAuthenticationCredential");
        }
    }
    (!members.is_empty()).then(|| NeedsDisconnect {
        members,
        state: state.to_string(),
    })
}

/// What an Update may change in the store's state (the model: CONNECTED allows a few members,
/// DISCONNECTED all, any other state none), in words for the Update card.
pub fn what_may_change(state: Option<&ConnectionState>, xks: bool) -> &'static str {
    match state {
        Some(ConnectionState::Disconnected) | None => "Every setting can change.",
        Some(ConnectionState::Connected) if xks => {
            "The name, the proxy credential and the URI path can change while the store is connected; everything else needs DISCONNECTED."
        }
        Some(ConnectionState::Connected) => {
            "The name can change while the store is connected; the cluster and the kmsuser password need DISCONNECTED."
        }
        Some(_) => {
            "KMS accepts no Update in this state: a store must be CONNECTED (for a few settings) or DISCONNECTED."
        }
    }
}

/// Delete needs DISCONNECTED: why not yet, and whether Disconnect is the way on (a
/// DISCONNECTING store only needs time).
pub fn delete_blocked(store: &CustomKeyStore) -> Option<(String, bool)> {
    match store
        .connection_state
        .clone()
        .unwrap_or(ConnectionState::Disconnected)
    {
        ConnectionState::Disconnected => None,
        ConnectionState::Disconnecting => Some((
            "The store is DISCONNECTING: KMS deletes a custom key store only when it is DISCONNECTED. Wait a minute, then try again.".into(),
            false,
        )),
        s => Some((
            format!(
                "The store is {s}: KMS deletes a custom key store only when it is DISCONNECTED. Disconnect it first."
            ),
            true,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xks_form() -> CreateForm {
        CreateForm {
            name: " payments ".into(),
            external: true,
            xks: XksProxyForm {
                uri_endpoint: "https://xks.example.com".into(),
                uri_path: "/kms/xks/v1".into(),
                proxy_access_key_id: Secret::new("ABCDEFGHIJKLMNOPQRST"),
                proxy_secret: Secret::new("a".repeat(43)),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn create_builds_the_request_or_names_every_problem() {
        let r = xks_form().request().unwrap();
        assert_eq!(r.custom_key_store_name, "payments");
        assert_eq!(
            r.xks.xks_proxy_connectivity,
            Some(XksProxyConnectivity::PublicEndpoint)
        );
        let mut f = xks_form();
        f.xks.vpc = true;
        f.xks.uri_endpoint = "https://xks.example.com:8443".into();
        f.xks.proxy_secret = Secret::new("short");
        let members: Vec<_> = f
            .request()
            .unwrap_err()
            .into_iter()
            .map(|p| p.member)
            .collect();
        assert_eq!(
            members,
            vec![
                "XksProxyUriEndpoint",
                "XksProxyAuthenticationCredential.RawSecretAccessKey",
                "XksProxyVpcEndpointServiceName"
            ]
        );
        let hsm = CreateForm {
            name: "h".into(),
            cluster_id: "cluster-234abcdefgh".into(),
            trust_anchor: "-----BEGIN CERTIFICATE-----\r\nX\r\n-----END CERTIFICATE-----".into(),
            kmsuser_password: Secret::new("pass1234"),
            ..Default::default()
        };
        let r = hsm.request().unwrap();
        assert_eq!(
            r.trust_anchor_certificate.as_deref(),
            Some("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----")
        );
    }

    #[test]
    fn debug_output_never_holds_a_store_secret() {
        use crate::aws::kms::Validate;
        let form = xks_form();
        let secret = form.xks.proxy_secret.expose().to_string();
        let akid = form.xks.proxy_access_key_id.expose().to_string();
        let request = form.request().unwrap();
        assert!(request.carries_secret());
        for text in [format!("{form:?}"), format!("{request:?}")] {
            assert!(!text.contains(&secret) && !text.contains(&akid), "{text}");
        }
        let update = crate::aws::kms::UpdateCustomKeyStoreRequest {
            custom_key_store_id: "cks-1".into(),
            key_store_password: Some(Secret::new("kmsuser-password")),
            ..Default::default()
        };
        assert!(update.carries_secret());
        assert!(!format!("{update:?}").contains("kmsuser-password"));
        // A rename carries none: it may go to a VPC endpoint.
        let rename = crate::aws::kms::UpdateCustomKeyStoreRequest {
            custom_key_store_id: "cks-1".into(),
            new_custom_key_store_name: Some("n".into()),
            ..Default::default()
        };
        assert!(!rename.carries_secret());
    }

    #[test]
    fn what_may_change_follows_the_model() {
        use crate::aws::kms::ConnectionState as S;
        assert_eq!(what_may_change(None, true), "Every setting can change.");
        assert!(what_may_change(Some(&S::Connected), true).contains("proxy credential"));
        assert!(!what_may_change(Some(&S::Connected), false).contains("proxy"));
        for other in [S::Connecting, S::Disconnecting, S::Failed] {
            assert!(what_may_change(Some(&other), false).starts_with("KMS accepts no Update"));
        }
    }

    #[test]
    fn proxy_configuration_file() {
        let (path, c) = parse_proxy_config(r#"{"XksProxyUriPath":"/example/kms/xks/v1","XksProxyAuthenticationCredential":{"AccessKeyId":"ABCDEFGHIJKLMNOPQRST","RawSecretAccessKey":"s3cr3t"}}"#).unwrap();
        assert_eq!(path, "/example/kms/xks/v1");
        assert_eq!(c.raw_secret_access_key.expose(), "s3cr3t");
        assert!(
            parse_proxy_config("<xml/>")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            parse_proxy_config("{}")
                .unwrap_err()
                .contains("XksProxyUriPath")
        );
    }

    #[test]
    fn update_sends_only_changes_and_knows_what_needs_disconnect() {
        let store = CustomKeyStore {
            custom_key_store_id: Some("cks-1".into()),
            custom_key_store_name: Some("old".into()),
            connection_state: Some(ConnectionState::Connected),
            custom_key_store_type: Some(CustomKeyStoreType::ExternalKeyStore),
            xks_proxy_configuration: Some(XksProxyConfiguration {
                connectivity: Some(XksProxyConnectivity::PublicEndpoint),
                uri_endpoint: Some("https://xks.example.com".into()),
                uri_path: Some("/kms/xks/v1".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let f = UpdateForm {
            new_name: "new".into(),
            xks: XksProxyForm {
                uri_endpoint: "https://xks.example.com".into(),
                uri_path: "/v2/kms/xks/v1".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let r = f.request(&store).unwrap();
        assert_eq!(
            (
                r.new_custom_key_store_name.as_deref(),
                r.xks.xks_proxy_uri_endpoint.as_deref(),
                r.xks.xks_proxy_uri_path.as_deref()
            ),
            (Some("new"), None, Some("/v2/kms/xks/v1"))
        );
        assert_eq!(
            needs_disconnect(&store, &r),
            None,
            "name and path may change while connected"
        );
        let f = UpdateForm {
            xks: XksProxyForm {
                uri_endpoint: "https://other.example.com".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let r = f.request(&store).unwrap();
        assert_eq!(
            needs_disconnect(&store, &r).unwrap().members,
            vec!["XksProxyUriEndpoint"]
        );
        assert!(
            UpdateForm::default().request(&store).unwrap_err()[0]
                .message
                .contains("Nothing to update")
        );
        assert!(delete_blocked(&store).unwrap().0.contains("CONNECTED"));
    }

    #[test]
    fn only_connected_has_the_while_connected_exception() {
        // The model: name, proxy credential and path may change while CONNECTED or
        // DISCONNECTED; a FAILED (or transitional) store must be disconnected first.
        for state in [
            ConnectionState::Failed,
            ConnectionState::Connecting,
            ConnectionState::Disconnecting,
        ] {
            let store = CustomKeyStore {
                custom_key_store_id: Some("cks-1".into()),
                custom_key_store_name: Some("old".into()),
                connection_state: Some(state.clone()),
                custom_key_store_type: Some(CustomKeyStoreType::ExternalKeyStore),
                xks_proxy_configuration: Some(XksProxyConfiguration {
                    uri_path: Some("/kms/xks/v1".into()),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let f = UpdateForm {
                new_name: "new".into(),
                xks: XksProxyForm {
                    uri_path: "/v2/kms/xks/v1".into(),
                    ..Default::default()
                },
                ..Default::default()
            };
            let r = f.request(&store).unwrap();
            let blocked = needs_disconnect(&store, &r).expect("not CONNECTED");
            assert_eq!(
                blocked.members,
                vec!["NewCustomKeyStoreName", "XksProxyUriPath"],
                "{state}"
            );
            assert!(blocked.to_string().contains(&state.to_string()));
        }
    }
}
