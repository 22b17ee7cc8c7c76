//! Structure-aware fuzzing (proptest) of what the console parses from outside: pasted
//! credentials, KMS responses and errors, endpoint URLs and regions, the `Date` header and the
//! page's link. Beyond "never panics", each property checks what the parser promises.
//!
//! `cargo test` runs a short pass (256 cases per property); a longer run:
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release --test fuzz_parsers
//! ```
#![cfg(not(target_arch = "wasm32"))]

use cks_console::aws::clock::offset_from;
use cks_console::aws::credentials::{Pasted, parse_paste};
use cks_console::aws::date::parse_expiration;
use cks_console::aws::date::{format_http_date, parse_http_date};
use cks_console::aws::endpoint::{Variant, all_regions, is_loopback, parse_custom_url, resolve};
use cks_console::aws::error::{ErrorKind, KmsError, sanitize_code};
use cks_console::aws::kms::{
    DescribeCustomKeyStoresResponse, Empty, check_store_id, parse_output, to_body,
};
use cks_console::console::link::Link;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// PROPTEST_CASES, or a short default for `cargo test`.
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---- generators ------------------------------------------------------------------------

fn akid() -> impl Strategy<Value = String> {
    "(ASIA|AKIA)[A-Z2-7]{16}"
}
fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/+]{40}"
}
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9/+]{20,300}={0,2}"
}
/// An ISO 8601 expiration as the CLI, STS and SSO write it.
fn iso_expiration() -> impl Strategy<Value = String> {
    (
        1970i32..2200,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![
            Just("Z".to_string()),
            Just("+00:00".to_string()),
            Just(".123Z".to_string()),
            Just("-05:30".to_string()),
        ],
    )
        .prop_map(|(y, mo, d, h, mi, s, z)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{z}")
        })
}

/// Noise a copy and paste adds around a value: spaces, CRs, a pair of quotes.
fn wrap(v: &str, style: u8) -> String {
    match style % 5 {
        0 => v.to_string(),
        1 => format!("  {v}\r"),
        2 => format!("\"{v}\""),
        3 => format!("'{v}'"),
        _ => format!("\t{v} "),
    }
}

/// Valid credentials written in one of the accepted formats, with copy-and-paste noise.
fn pasted() -> impl Strategy<Value = (String, String, String, String, String)> {
    (
        akid(),
        secret(),
        token(),
        iso_expiration(),
        0u8..7,
        any::<u8>(),
    )
        .prop_map(|(a, s, t, e, format, noise)| {
            let w = |v: &str| wrap(v, noise);
            let text = match format {
                0 => format!(
                    "{{\"Version\": 1, \"AccessKeyId\": \"{a}\", \"SecretAccessKey\": \"{s}\", \"SessionToken\": \"{t}\", \"Expiration\": \"{e}\"}}"
                ),
                1 => format!(
                    "{{\"Credentials\": {{\"AccessKeyId\": \"{a}\", \"SecretAccessKey\": \"{s}\", \"SessionToken\": \"{t}\", \"Expiration\": \"{e}\"}}, \"AssumedRoleUser\": {{}}}}"
                ),
                2 => format!(
                    "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_SESSION_TOKEN={}\nexport AWS_CREDENTIAL_EXPIRATION={e}\n",
                    w(&a),
                    w(&s),
                    w(&t)
                ),
                3 => format!(
                    "$Env:AWS_ACCESS_KEY_ID=\"{a}\"\r\n$Env:AWS_SECRET_ACCESS_KEY=\"{s}\"\r\n$Env:AWS_SESSION_TOKEN=\"{t}\"\r\n"
                ),
                4 => format!(
                    "set -gx AWS_ACCESS_KEY_ID {a};\nset -gx AWS_SECRET_ACCESS_KEY {s};\nset -gx AWS_SESSION_TOKEN {t};\n"
                ),
                5 => format!(
                    "# comment\n[default]\naws_access_key_id = {}\naws_secret_access_key={}\naws_session_token = {}\n",
                    w(&a),
                    w(&s),
                    w(&t)
                ),
                _ => format!("CREDENTIALS\t{a}\t{e}\t{s}\t{t}\n"),
            };
            (text, a, s, t, e)
        })
}

/// Text near the accepted formats: pieces of them, shuffled, with odd characters.
fn credentialish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("{\"AccessKeyId\":".to_string()),
            Just("\"SecretAccessKey\":\"".to_string()),
            Just("{\"roleCredentials\":{\"expiration\":".to_string()),
            Just("AWS_SESSION_TOKEN=".to_string()),
            Just("set -gx ".to_string()),
            Just("SET ".to_string()),
            Just("$Env:".to_string()),
            Just("[profile a]\n".to_string()),
            Just("[111122223333_Admin]\n".to_string()),
            Just("CREDENTIALS ".to_string()),
            Just("\n".to_string()),
            Just("=".to_string()),
            Just("\"".to_string()),
            Just("}".to_string()),
            Just("2024-02-30T25:61:61.9999+99:99".to_string()),
            Just("99999999999999999999".to_string()),
            Just("\u{feff}\u{202e}\u{200b}é😀\u{0}".to_string()),
            akid(),
            iso_expiration(),
            "[ -~]{0,10}",
            "\\PC{0,5}",
        ],
        0..30,
    )
    .prop_map(|v| v.concat())
}

/// JSON bodies that look like KMS's answers, and things that do not.
fn body() -> impl Strategy<Value = String> {
    let state = prop_oneof![
        Just("CONNECTED"),
        Just("FAILED"),
        Just("DISCONNECTED"),
        Just("HIBERNATING"),
        Just("")
    ];
    let store = (
        "cks-[0-9a-f]{17}",
        "\\PC{0,20}",
        state,
        prop::option::of("[A-Z_]{3,40}"),
        any::<f64>(),
    )
        .prop_map(|(id, name, st, code, date)| {
            let code = code.map_or(String::new(), |c| format!(",\"ConnectionErrorCode\":\"{c}\""));
            let date = if date.is_finite() { date.to_string() } else { "1.5E9".into() };
            format!(
                "{{\"CustomKeyStoreId\":\"{id}\",\"CustomKeyStoreName\":{},\"ConnectionState\":\"{st}\"{code},\"CreationDate\":{date},\"CustomKeyStoreType\":\"EXTERNAL_KEY_STORE\",\"XksProxyConfiguration\":{{\"Connectivity\":\"PUBLIC_ENDPOINT\"}}}}",
                serde_json::to_string(&name).unwrap()
            )
        });
    prop_oneof![
        prop::collection::vec(store, 0..4).prop_map(|s| format!(
            "{{\"CustomKeyStores\":[{}],\"Truncated\":false}}",
            s.join(",")
        )),
        ("[A-Za-z#:.]{0,60}", "\\PC{0,60}").prop_map(|(t, m)| format!(
            "{{\"__type\":{},\"message\":{}}}",
            serde_json::to_string(&t).unwrap(),
            serde_json::to_string(&m).unwrap()
        )),
        "\\PC{0,40}"
            .prop_map(|m| format!("{{\"Message\":{}}}", serde_json::to_string(&m).unwrap())),
        "<html><body>[ -~]{0,200}</body></html>",
        "\\{\"CustomKeyStores\":\\[\\{\"Custom[ -~]{0,30}",
        "\\PC{0,300}",
        Just(String::new()),
    ]
}

fn region() -> impl Strategy<Value = String> {
    let known: Vec<String> = all_regions().map(|(id, _)| id.to_string()).collect();
    prop_oneof![
        prop::sample::select(known),
        "[a-z]{2,4}-[a-z]{3,10}-[0-9]{1,2}",
        "(us|eu|cn|us-gov|us-iso)-[a-z]{4,9}-[1-9]",
        "\\PC{0,20}",
        "[a-z0-9-]{60,70}",
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "(https?|HTTP|ftp)://(127\\.0\\.0\\.[0-9]{1,3}|localhost|\\[::1\\]|[a-z0-9.-]{1,30}|[A-Z]{1,5}\\.example\\.com)(:[0-9]{0,6})?(/[a-zA-Z0-9/_.~%-]{0,20})?",
        "https://[^ ]{0,30}",
        "https://user:pw@[a-z]{1,10}\\.com/",
        "http://[0-9.]{1,20}:[0-9]{1,5}",
        "\\PC{0,60}",
    ]
}

/// `Date` headers, right and wrong; `year` is the regex of the year's digits.
fn http_date(year: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        (-62_135_596_800_000i64..253_402_300_799_000).prop_map(format_http_date),
        (
            prop_oneof![Just("Mon,"), Just("xyz")],
            "[0-9]{1,3}",
            prop_oneof![Just("Jan"), Just("feb"), Just("Foo")],
            year,
            "-?[0-9]{1,3}:-?[0-9]{1,3}:-?[0-9]{1,3}",
            prop_oneof![Just("GMT"), Just("UTC"), Just("PST")]
        )
            .prop_map(|(w, d, m, y, t, z)| format!("{w} {d} {m} {y} {t} {z}")),
        "\\PC{0,40}",
    ]
}

// ---- properties --------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Every accepted format, with copy-and-paste noise, yields exactly the credentials.
    #[test]
    fn pasted_credentials_come_back_exactly((text, a, s, t, e) in pasted()) {
        match parse_paste(&text) {
            Ok(Pasted::One { credentials, .. }) => {
                prop_assert_eq!(&credentials.access_key_id, &a);
                prop_assert_eq!(credentials.secret_access_key.expose(), s.as_str());
                prop_assert_eq!(credentials.session_token.as_ref().map(|t| t.expose()), Some(t.as_str()));
                if text.contains(&e) {
                    prop_assert_eq!(credentials.expiration_ms, parse_expiration(&e));
                    prop_assert!(credentials.expiration_ms.is_some());
                }
                // Debug never shows a secret.
                let debug = format!("{credentials:?}");
                prop_assert!(!debug.contains(&s) && !debug.contains(&t));
            }
            other => prop_assert!(false, "{text:?} gave {other:?}"),
        }
    }

    /// Whatever is pasted: no panic, and what comes out is usable credentials.
    #[test]
    fn any_paste_yields_usable_credentials_or_a_message(text in prop_oneof![credentialish(), "\\PC{0,400}"]) {
        match parse_paste(&text) {
            Ok(Pasted::One { credentials: c, .. }) => {
                prop_assert!((16..=128).contains(&c.access_key_id.len()));
                prop_assert!(c.access_key_id.chars().all(|ch| ch.is_ascii_alphanumeric()));
                prop_assert!(!c.secret_access_key.is_empty());
            }
            Ok(Pasted::Profiles(list)) => prop_assert!(list.len() > 1),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = parse_expiration(&text);
    }

    /// Error responses: a code for every status and body, sanitised as the awsJson spec says,
    /// and a kind that matches the status for server faults.
    #[test]
    fn error_responses_always_have_a_code(status in 100u16..600, header in prop::option::of("[A-Za-z#:.]{0,40}"), body in body()) {
        let e = KmsError::from_response(status, header.as_deref(), Some("rid".into()), &body);
        prop_assert!(!e.code.is_empty());
        prop_assert!(!e.code.contains(':') && !e.code.contains('#'), "{}", e.code);
        prop_assert_eq!(e.status, Some(status));
        prop_assert!(e.message.chars().count() < 2_000, "message of {} chars", e.message.chars().count());
        if e.kind == ErrorKind::Malformed {
            prop_assert!(e.code.starts_with("HTTP "));
        }
        prop_assert_eq!(sanitize_code(&e.code), e.code.clone());
    }

    /// Successful responses: parsed or refused with a reason, never a panic; a parsed list
    /// keeps every store.
    #[test]
    fn responses_parse_or_are_refused(body in body()) {
        match parse_output::<DescribeCustomKeyStoresResponse>(&body) {
            Ok(out) => {
                let expected = body.matches("\"CustomKeyStoreId\"").count();
                prop_assert_eq!(out.custom_key_stores.len(), expected);
            }
            Err(problem) => prop_assert!(!problem.is_empty()),
        }
        let _ = parse_output::<Empty>(&body);
        let m = KmsError::malformed(200, None, "the body is not JSON", &body);
        prop_assert!(m.message.chars().count() < 2_000);
    }

    /// The endpoint: a known region resolves to its partition's KMS host; a custom URL is
    /// https, or http on loopback only; the normalised URL is stable.
    #[test]
    fn endpoints_resolve_safely(region in region(), url in url(), fips: bool, dual: bool) {
        let v = Variant { fips, dual_stack: dual };
        if let Ok(e) = resolve(&region, v, None) {
            prop_assert_eq!(&e.signing_region, region.trim());
            let host = format!("{}.{}.", if fips { "kms-fips" } else { "kms" }, region.trim());
            prop_assert!(e.url.starts_with(&format!("https://{host}")), "{}", e.url);
            prop_assert!(e.url.ends_with('/'));
        }
        match parse_custom_url(&url) {
            Ok(u) => {
                prop_assert!(u.ends_with('/'));
                prop_assert!(!u.chars().any(char::is_whitespace));
                prop_assert_eq!(parse_custom_url(&u), Ok(u.clone()), "not stable");
                let rest = u.strip_prefix("http://");
                if let Some(rest) = rest {
                    let authority = rest.split('/').next().unwrap();
                    let host = authority.rsplit_once(':').map_or(authority, |(h, p)| if p.chars().all(|c| c.is_ascii_digit()) { h } else { authority });
                    prop_assert!(is_loopback(host), "plain http to {host}");
                } else {
                    prop_assert!(u.starts_with("https://"));
                }
                if let Ok(e) = resolve(&region, Variant::default(), Some(&url)) {
                    prop_assert_eq!(e.url, u);
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// The Date header: every date the emulator or KMS writes (1970 to 9999) reads back to the
    /// second.
    #[test]
    fn http_dates_round_trip(ms in 0i64..253_402_300_799_000) {
        let date = format_http_date(ms);
        prop_assert_eq!(parse_http_date(&date), Some(ms.div_euclid(1000) * 1000), "{}", date);
    }

    /// Junk in the Date header is refused or read, never a panic; an offset is only taken from
    /// a plausible round trip.
    #[test]
    fn http_dates_from_anywhere(date in http_date("-?[0-9]{1,5}"), sent in 0i64..4_000_000_000_000, rtt in -5_000i64..1_000_000) {
        let _ = parse_http_date(&date);
        let offset = offset_from(&date, sent, sent + rtt);
        if rtt < 0 {
            prop_assert_eq!(offset, None);
        }
    }

    /// Any year, however long: a `Date` header from a broken proxy must not overflow.
    #[test]
    fn http_dates_with_any_year_never_overflow(date in http_date("-?[0-9]{1,20}"), sent in 0i64..4_000_000_000_000) {
        let _ = offset_from(&date, sent, sent + 100);
    }

    /// The link: what it holds survives a format and parse; it never carries unknown keys.
    #[test]
    fn links_are_stable(fragment in prop_oneof![
        "#?(region|endpoint|store|watch|since|pace|secret|x)=[^&#]{0,30}(&(region|endpoint|store|watch|since|pace|secret|x)=[^&#]{0,30}){0,6}",
        "\\PC{0,200}",
    ]) {
        let once = Link::parse(&fragment);
        let formatted = once.format();
        prop_assert_eq!(Link::parse(&formatted), once.clone());
        prop_assert!(!formatted.contains("secret="));
        prop_assert!(!formatted.contains('#'));
    }

    /// A store ID: the usual shape passes silently; anything else is refused with a reason or
    /// sent with a warning; the request body is always valid JSON.
    #[test]
    fn store_ids_are_checked(id in prop_oneof!["cks-[0-9a-f]{17}", "\\PC{0,80}", "[ \t]{0,3}cks-[0-9a-fA-F]{15,19}[ \t]{0,3}"]) {
        match check_store_id(&id) {
            Ok(None) => prop_assert!(id.trim().starts_with("cks-") && id.trim().len() == 21),
            Ok(Some(warning)) => prop_assert!(!warning.is_empty()),
            Err(problem) => prop_assert!(!problem.is_empty()),
        }
        let body = to_body(&cks_console::aws::kms::StoreIdRequest { custom_key_store_id: id.clone() });
        let back: serde_json::Value = serde_json::from_str(&body).unwrap();
        prop_assert_eq!(back["CustomKeyStoreId"].as_str(), Some(id.as_str()));
    }
}
