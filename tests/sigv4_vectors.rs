//! The signer against botocore's signatures for KMS requests (`data/sigv4-kms-vectors.json`,
//! a verbatim copy of the shared reference file, computed with botocore's SigV4Auth).

use cks_console::aws::credentials::{Credentials, Secret};
use cks_console::aws::date::parse_iso8601;
use cks_console::aws::sign::sign_kms;

#[test]
fn signer_reproduces_every_botocore_vector() {
    let text = include_str!("../data/sigv4-kms-vectors.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let c = &v["credentials"];
    // The suite's key id (AKIDEXAMPLE) is shorter than a real one, so the fields' checks are
    // bypassed: this test is about the signature alone.
    let creds = Credentials {
        access_key_id: c["access_key_id"].as_str().unwrap().to_string(),
        secret_access_key: Secret::new(c["secret_access_key"].as_str().unwrap()),
        session_token: Some(Secret::new(c["session_token"].as_str().unwrap())),
        expiration_ms: None,
    };
    let now = parse_iso8601(v["timestamp"].as_str().unwrap()).unwrap();
    let region = v["region"].as_str().unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for case in cases {
        let op = case["operation"].as_str().unwrap();
        let target = case["request_headers"]["X-Amz-Target"].as_str().unwrap();
        assert_eq!(target, format!("TrentService.{op}"));
        let signed = sign_kms(
            &creds,
            region,
            case["url"].as_str().unwrap(),
            op,
            case["body"].as_str().unwrap().to_string(),
            now,
        )
        .unwrap();
        let auth = signed
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str())
            .unwrap();
        let expected = case["authorization"]
            .as_str()
            .or_else(|| case["authorization_header"].as_str())
            .unwrap();
        assert_eq!(auth, expected, "{op}");
        assert!(
            !signed
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("host")),
            "the browser sets Host"
        );
    }
}
