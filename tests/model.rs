//! The console's wire types, limits and explanations against botocore's KMS model
//! (`data/kms-custom-key-stores.json`, a verbatim copy of the shared reference file): facts
//! from outside the project, so a mistake our code would repeat in its own tests shows here.
#![cfg(not(target_arch = "wasm32"))]

use cks_console::aws::credentials::Secret;
use cks_console::aws::error::KmsError;
use cks_console::aws::kms::*;
use cks_console::aws::limits;
use cks_console::console::explain;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;

mod reference;
use reference::{assert_verbatim, object_keys, ours, serialised_keys as keys};

fn model() -> Value {
    reference::read("kms-custom-key-stores.json")
}

fn enum_values(name: &str) -> BTreeSet<String> {
    reference::enum_values(&model(), name)
}

#[test]
fn the_reference_copy_is_verbatim() {
    for file in [
        "kms-custom-key-stores.json",
        "aws-partitions.json",
        "sigv4-kms-vectors.json",
    ] {
        assert_verbatim(file);
    }
}

#[test]
fn every_enum_value_of_the_model_is_known() {
    assert_eq!(
        enum_values("ConnectionStateType"),
        ours(ConnectionState::KNOWN)
    );
    assert_eq!(
        enum_values("ConnectionErrorCodeType"),
        ours(ConnectionErrorCode::KNOWN)
    );
    assert_eq!(
        enum_values("CustomKeyStoreType"),
        ours(CustomKeyStoreType::KNOWN)
    );
    assert_eq!(
        enum_values("XksProxyConnectivityType"),
        ours(XksProxyConnectivity::KNOWN)
    );
    assert_eq!(ConnectionErrorCode::KNOWN.len(), 18);
}

#[test]
fn every_operation_is_known() {
    let m = model();
    let ops = object_keys(&m["operations"]);
    let mine: BTreeSet<String> = Operation::STORE_OPS
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(ops, mine);
    assert_eq!(m["metadata"]["targetPrefix"], "TrentService");
    assert_eq!(m["metadata"]["jsonVersion"], "1.1");
}

#[test]
fn every_modeled_error_has_its_own_explanation() {
    let m = model();
    let generic = explain::kms_error(
        &KmsError::from_response(400, None, None, r#"{"__type":"SomethingNew"}"#),
        Operation::DescribeCustomKeyStores,
    );
    let mut seen = 0;
    for name in m["operations"].as_object().unwrap().keys() {
        let op = Operation::ALL
            .into_iter()
            .find(|o| o.name() == name)
            .unwrap();
        for e in op_errors(op, &m) {
            let status = if e == "KMSInternalException" {
                500
            } else {
                400
            };
            let err = KmsError::from_response(
                status,
                None,
                Some("rid".into()),
                &format!(r#"{{"__type":"{e}","message":"m"}}"#),
            );
            assert_eq!(err.code, e);
            let x = explain::kms_error(&err, op);
            assert_ne!(
                x.meaning, generic.meaning,
                "{e} from {name} has only the generic explanation"
            );
            assert!(x.doc.starts_with("https://docs.aws.amazon.com/"), "{e}");
            seen += 1;
        }
    }
    assert!(seen >= 40, "{seen}");
}

fn op_errors(op: Operation, m: &Value) -> Vec<String> {
    reference::op_errors(m, op.name())
}

#[test]
fn every_error_shape_is_in_some_operation() {
    let m = model();
    let all: BTreeSet<String> = Operation::STORE_OPS
        .iter()
        .flat_map(|o| op_errors(*o, &m))
        .collect();
    let shapes: BTreeSet<String> = m["shapes"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["exception"] == true)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(all, shapes);
}

#[test]
fn limits_match_the_model() {
    let m = model();
    for shape in limits::ALL {
        let s = &m["shapes"][shape.name];
        assert_eq!(s["min"].as_u64(), Some(shape.min as u64), "{}", shape.name);
        assert_eq!(s["max"].as_u64(), Some(shape.max as u64), "{}", shape.name);
        assert_eq!(s["pattern"].as_str(), shape.pattern, "{}", shape.name);
    }
    let limit = &m["shapes"]["LimitType"];
    assert_eq!(
        (limit["min"].as_u64(), limit["max"].as_u64()),
        (
            Some(*limits::LIMIT_RANGE.start() as u64),
            Some(*limits::LIMIT_RANGE.end() as u64)
        )
    );
}

/// The model's pattern as a whole-string regex (Java semantics: `\d` is ASCII).
fn model_regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(&format!("^(?:{})$", pattern.replace("\\d", "[0-9]"))).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// On near misses (the same alphabet, shuffled and cut), ours and the model's regex agree.
    #[test]
    fn matchers_agree_with_the_model_on_near_misses(i in 0..limits::ALL.len(), value in "[a-zA-Z0-9./_+=:-]{0,40}|(com|eu)\\.amazonaws\\.vpce\\.[a-z-]{0,20}[0-9]{0,2}\\.vpce-svc-[0-9a-z]{0,3}|(/[a-z]{0,3}){0,3}/kms/xks/v[0-9]{0,3}|https://[a-z.:/-]{0,12}|cluster-[1-8a-zA-Z]{9,17}") {
        let shape = limits::ALL[i];
        if let Some(p) = shape.pattern {
            prop_assert_eq!(shape.pattern_ok(&value), model_regex(p).is_match(&value), "{} on {:?}", shape.name, value);
        }
    }
}

/// Strings the model's regex generates are accepted by our matcher.
#[test]
fn matchers_accept_what_the_model_generates() {
    use proptest::strategy::ValueTree;
    for shape in limits::ALL {
        let Some(p) = shape.pattern else { continue };
        let re = p
            .trim_start_matches('^')
            .trim_end_matches('$')
            .replace("$|^", "|")
            .replace("\\d", "[0-9]")
            .replace("\\u0020", "\\x20")
            .replace("\\u00FF", "\\xFF");
        let strategy = proptest::string::string_regex(&re).unwrap();
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        for _ in 0..300 {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            assert!(model_regex(p).is_match(&value), "{re} generated {value:?}");
            assert!(shape.pattern_ok(&value), "{} rejects {value:?}", shape.name);
        }
    }
}

/// Member names of an input shape, from the model.
fn members(shape: &str) -> BTreeSet<String> {
    reference::members(&model(), shape)
}

fn full_credential() -> XksProxyAuthenticationCredential {
    XksProxyAuthenticationCredential {
        access_key_id: Secret::new("ABCDEFGHIJKLMNOPQRST"),
        raw_secret_access_key: Secret::new("s".repeat(43)),
    }
}

fn full_xks() -> XksProxyFields {
    XksProxyFields {
        xks_proxy_uri_endpoint: Some("e".into()),
        xks_proxy_uri_path: Some("p".into()),
        xks_proxy_vpc_endpoint_service_name: Some("v".into()),
        xks_proxy_vpc_endpoint_service_owner: Some("o".into()),
        xks_proxy_authentication_credential: Some(full_credential()),
        xks_proxy_connectivity: Some(XksProxyConnectivity::PublicEndpoint),
    }
}

#[test]
fn request_members_are_the_models() {
    let d = DescribeCustomKeyStoresRequest {
        custom_key_store_id: Some("cks-1".into()),
        custom_key_store_name: Some("n".into()),
        limit: Some(5),
        marker: Some("m".into()),
    };
    assert_eq!(keys(&d), members("DescribeCustomKeyStoresRequest"));
    let id = StoreIdRequest {
        custom_key_store_id: "cks-1".into(),
    };
    for shape in [
        "ConnectCustomKeyStoreRequest",
        "DisconnectCustomKeyStoreRequest",
        "DeleteCustomKeyStoreRequest",
    ] {
        assert_eq!(keys(&id), members(shape), "{shape}");
    }
    let c = CreateCustomKeyStoreRequest {
        custom_key_store_name: "n".into(),
        cloud_hsm_cluster_id: Some("c".into()),
        trust_anchor_certificate: Some("t".into()),
        key_store_password: Some(Secret::new("p")),
        custom_key_store_type: Some(CustomKeyStoreType::ExternalKeyStore),
        xks: full_xks(),
    };
    assert_eq!(keys(&c), members("CreateCustomKeyStoreRequest"));
    assert_eq!(
        keys(&full_credential()),
        members("XksProxyAuthenticationCredentialType")
    );
    let u = UpdateCustomKeyStoreRequest {
        custom_key_store_id: "cks-1".into(),
        new_custom_key_store_name: Some("n".into()),
        key_store_password: Some(Secret::new("p")),
        cloud_hsm_cluster_id: Some("c".into()),
        xks: full_xks(),
    };
    assert_eq!(keys(&u), members("UpdateCustomKeyStoreRequest"));
    // Sensitive members never show in Debug.
    let debug = format!("{c:?}{u:?}");
    assert!(
        !debug.contains("ABCDEFGHIJKLMNOPQRST") && !debug.contains(&"s".repeat(43)),
        "{debug}"
    );
}

#[test]
fn every_output_member_of_the_model_is_read() {
    // A list entry with every member the model defines, each with a plausible value.
    let m = model();
    let mut entry = serde_json::Map::new();
    for (k, v) in m["shapes"]["CustomKeyStoresListEntry"]["members"]
        .as_object()
        .unwrap()
    {
        let value = match v["shape"].as_str().unwrap() {
            "DateType" => serde_json::json!(1.6e9),
            "ConnectionStateType" => serde_json::json!("FAILED"),
            "ConnectionErrorCodeType" => serde_json::json!("NETWORK_ERRORS"),
            "CustomKeyStoreType" => serde_json::json!("EXTERNAL_KEY_STORE"),
            "XksProxyConfigurationType" => {
                let mut x = serde_json::Map::new();
                for (xk, xv) in m["shapes"]["XksProxyConfigurationType"]["members"]
                    .as_object()
                    .unwrap()
                {
                    x.insert(
                        xk.clone(),
                        if xv["shape"] == "XksProxyConnectivityType" {
                            serde_json::json!("VPC_ENDPOINT_SERVICE")
                        } else {
                            serde_json::json!("x")
                        },
                    );
                }
                Value::Object(x)
            }
            _ => serde_json::json!("x"),
        };
        entry.insert(k.clone(), value);
    }
    let body =
        serde_json::json!({"CustomKeyStores": [entry], "NextMarker": "m", "Truncated": true})
            .to_string();
    let out: DescribeCustomKeyStoresResponse = parse_output(&body).unwrap();
    let e = &out.custom_key_stores[0];
    assert!(out.truncated && out.next_marker.is_some());
    let x = e.xks_proxy_configuration.as_ref().unwrap();
    let all_read = e.custom_key_store_id.is_some()
        && e.custom_key_store_name.is_some()
        && e.cloud_hsm_cluster_id.is_some()
        && e.trust_anchor_certificate.is_some()
        && e.connection_state.is_some()
        && e.connection_error_code.is_some()
        && e.creation_date.is_some()
        && e.custom_key_store_type.is_some()
        && x.connectivity.is_some()
        && x.access_key_id.is_some()
        && x.uri_endpoint.is_some()
        && x.uri_path.is_some()
        && x.vpc_endpoint_service_name.is_some()
        && x.vpc_endpoint_service_owner.is_some();
    assert!(all_read, "{e:?}");
    // The model's member count, so a new member shows up here.
    assert_eq!(
        m["shapes"]["CustomKeyStoresListEntry"]["members"]
            .as_object()
            .unwrap()
            .len(),
        9
    );
    assert_eq!(
        m["shapes"]["XksProxyConfigurationType"]["members"]
            .as_object()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn create_requires_what_each_store_type_needs() {
    let xks = CreateCustomKeyStoreRequest {
        custom_key_store_name: "n".into(),
        custom_key_store_type: Some(CustomKeyStoreType::ExternalKeyStore),
        xks: XksProxyFields {
            xks_proxy_connectivity: Some(XksProxyConnectivity::VpcEndpointService),
            xks_proxy_uri_endpoint: Some("https://myproxy.example.com".into()),
            xks_proxy_uri_path: Some("/kms/xks/v1".into()),
            xks_proxy_authentication_credential: Some(full_credential()),
            ..Default::default()
        },
        ..Default::default()
    };
    let problems: Vec<_> = xks.problems().into_iter().map(|p| p.member).collect();
    assert_eq!(problems, vec!["XksProxyVpcEndpointServiceName"]);
    let hsm = CreateCustomKeyStoreRequest {
        custom_key_store_name: String::new(),
        cloud_hsm_cluster_id: Some("cluster-bad".into()),
        ..Default::default()
    };
    let problems: Vec<_> = hsm.problems().into_iter().map(|p| p.member).collect();
    assert_eq!(
        problems,
        vec![
            "CustomKeyStoreName",
            "CloudHsmClusterId",
            "TrustAnchorCertificate",
            "KeyStorePassword"
        ]
    );
}
