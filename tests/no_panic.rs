//! No input makes the paste parser, the response and error parsers or the endpoint resolver
//! panic (property tests; `cargo test` runs a short pass, PROPTEST_CASES raises it).
#![cfg(not(target_arch = "wasm32"))]

use cks_console::aws::credentials::parse_paste;
use cks_console::aws::date::parse_expiration;
use cks_console::aws::endpoint::{Variant, parse_custom_url, resolve};
use cks_console::aws::error::KmsError;
use cks_console::aws::kms::{DescribeCustomKeyStoresResponse, Empty, parse_output};
use proptest::prelude::*;

/// Text that looks like the real thing often enough to reach deep branches.
fn credentialish() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("export ".to_string()),
            Just("AWS_ACCESS_KEY_ID=".to_string()),
            Just("AWS_SECRET_ACCESS_KEY=".to_string()),
            Just("AWS_SESSION_TOKEN=".to_string()),
            Just("$Env:".to_string()),
            Just("set -gx ".to_string()),
            Just("SET ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\"".to_string()),
            Just("{\"Credentials\":{".to_string()),
            Just("\"AccessKeyId\":".to_string()),
            Just("CREDENTIALS\t".to_string()),
            Just("\"Expiration\":".to_string()),
            Just("2024-06-01T12:34:56+0".to_string()),
            Just("ASIAIOSFODNN7EXAMPLE".to_string()),
            Just("aws_access_key_id = ".to_string()),
            Just("é€😀".to_string()),
            "[ -~]{0,12}",
            "\\PC{0,6}",
        ],
        0..24,
    );
    pieces.prop_map(|v| v.concat())
}

proptest! {
    // 2,000 cases by default; PROPTEST_CASES sets another number (a longer run).
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)))]

    #[test]
    fn paste_parser_never_panics(text in credentialish()) {
        let _ = parse_paste(&text);
    }

    #[test]
    fn paste_parser_never_panics_on_any_text(text in "\\PC{0,200}") {
        let _ = parse_paste(&text);
        let _ = parse_expiration(&text);
    }

    #[test]
    fn response_and_error_parsers_never_panic(status in 100u16..600, header in proptest::option::of("\\PC{0,40}"), body in "\\PC{0,300}|\\{\"__type\":\"[^\"]{0,30}\",\"message\":[^}]{0,30}\\}|<html>[ -~]{0,100}") {
        let e = KmsError::from_response(status, header.as_deref(), None, &body);
        prop_assert!(!e.code.is_empty());
        let _ = parse_output::<DescribeCustomKeyStoresResponse>(&body);
        let _ = parse_output::<Empty>(&body);
    }

    #[test]
    fn endpoint_resolver_never_panics(region in "\\PC{0,30}|[a-z]{2,5}-[a-z]{2,9}-[0-9]{1,2}", url in "\\PC{0,60}|https?://[a-zA-Z0-9.:\\[\\]@/_-]{0,40}", fips: bool, dual: bool) {
        let _ = resolve(&region, Variant { fips, dual_stack: dual }, Some(&url));
        let _ = resolve(&region, Variant { fips, dual_stack: dual }, None);
        let _ = parse_custom_url(&url);
    }
}
