//! The emulator over real HTTP: an in-process server, plain `std` sockets, requests signed with
//! aws-sigv4. Covers what unit tests cannot: the wire, SigV4 rejections, body limits, the fault
//! flags and many concurrent clients.

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use kms_emulator::cli::{self, Parsed};
use kms_emulator::listener::Capped;
use kms_emulator::server::{Emulator, Options, router};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const TESTING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/testing.json");

struct Creds {
    akid: &'static str,
    secret: &'static str,
    token: Option<&'static str>,
}

const GOOD: Creds = Creds {
    akid: "ASIATESTINGVALID0001",
    secret: "testingSecretKey/NotReal/0123456789abcdef",
    token: Some("IQoJTESTING//SESSION/TOKEN=="),
};

/// Starts an emulator on its own runtime with these command-line arguments (plus the testing
/// scenario and a fixed seed unless given).
fn start(args: &[&str]) -> SocketAddr {
    let mut all: Vec<String> = vec![
        "--scenario".into(),
        TESTING.into(),
        "--seed".into(),
        "1".into(),
    ];
    all.extend(args.iter().map(|s| s.to_string()));
    let Ok(Parsed::Run(a)) = cli::parse(all) else {
        panic!("bad arguments {args:?}");
    };
    let em = Emulator::new(
        &a.scenario,
        Options {
            time_scale: a.time_scale,
            skew_ms: a.skew_seconds * 1000,
            seed: a.seed.unwrap_or(1),
            faults: a.faults.clone(),
            trust: a.trust(),
        },
    )
    .unwrap();
    let max = a.max_connections;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            axum::serve(Capped::new(l, max), router(Arc::new(em)))
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
    fn code(&self) -> String {
        self.json()["__type"].as_str().unwrap_or("").to_string()
    }
}

/// One HTTP/1.1 exchange on a fresh connection.
fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    exchange(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        b"",
    )
}

/// A KMS call signed by `creds` at `at`.
fn call_as(addr: SocketAddr, creds: &Creds, at: SystemTime, op: &str, body: &str) -> Reply {
    let target = format!("TrentService.{op}");
    signed(addr, creds, at, "kms", &target, body)
}

/// A JSON 1.1 call to `target`, signed for `service`.
fn signed(
    addr: SocketAddr,
    creds: &Creds,
    at: SystemTime,
    service: &str,
    target: &str,
    body: &str,
) -> Reply {
    signed_from(
        addr,
        &addr.to_string(),
        &[],
        creds,
        at,
        service,
        target,
        body,
    )
}

/// `signed`, for `Host: host` (signed, as a browser's SDK signs it) with `extra` headers (unsigned,
/// as a browser adds `Origin`).
#[allow(clippy::too_many_arguments)]
fn signed_from(
    addr: SocketAddr,
    host: &str,
    extra: &[(&str, &str)],
    creds: &Creds,
    at: SystemTime,
    service: &str,
    target: &str,
    body: &str,
) -> Reply {
    let headers = [
        ("host", host),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target),
    ];
    let identity = aws_credential_types::Credentials::new(
        creds.akid,
        creds.secret,
        creds.token.map(str::to_string),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(at)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        "POST",
        format!("http://{host}/"),
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut head = String::from("POST / HTTP/1.1\r\nConnection: close\r\n");
    let extra = extra.iter().copied();
    for (k, v) in headers
        .iter()
        .copied()
        .chain(instructions.headers())
        .chain(extra)
    {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    exchange(addr, &head, body.as_bytes())
}

fn call(addr: SocketAddr, op: &str, body: &str) -> Reply {
    call_as(addr, &GOOD, SystemTime::now(), op, body)
}

fn describe(addr: SocketAddr) -> Reply {
    call(addr, "DescribeCustomKeyStores", "{}")
}

#[test]
fn emulator_endpoints_cors_and_kms_headers() {
    let addr = start(&[]);
    let h = get(addr, "/_emulator/health");
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    let c = get(addr, "/_emulator/credentials").json();
    assert_eq!(c["AccessKeyId"], GOOD.akid);
    assert_eq!(c["Version"], 1);
    assert!(c["Expiration"].as_str().unwrap().ends_with("+00:00"));
    let pre = exchange(
        addr,
        &format!(
            "OPTIONS / HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://127.0.0.1:8080\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type,x-amz-target\r\nConnection: close\r\n\r\n"
        ),
        b"",
    );
    assert_eq!(pre.status, 200);
    assert_eq!(
        pre.header("access-control-allow-headers"),
        Some("content-type,x-amz-target")
    );
    assert_eq!(pre.header("access-control-max-age"), Some("172800"));
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("http://127.0.0.1:8080")
    );
    for r in [h, pre, describe(addr), get(addr, "/nope")] {
        assert!(r.header("x-amzn-requestid").is_some_and(|v| v.len() == 36));
        assert!(r.header("date").is_some_and(|v| v.ends_with("GMT")));
        assert_eq!(r.header("vary"), Some("Origin"));
    }
    let ok = describe(addr);
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(ok.json()["CustomKeyStores"].as_array().unwrap().len(), 13);
}

#[test]
fn sigv4_rejections() {
    let addr = start(&[]);
    let now = SystemTime::now();
    let cases = [
        (
            Creds {
                secret: "wrong/secret/wrong/secret/wrong/secret/wrong",
                ..GOOD
            },
            now,
            "InvalidSignatureException",
            "does not match",
        ),
        (
            Creds {
                akid: "ASIAUNKNOWNKEY000000",
                ..GOOD
            },
            now,
            "UnrecognizedClientException",
            "security token included in the request is invalid",
        ),
        (
            Creds {
                token: Some("not-the-token"),
                ..GOOD
            },
            now,
            "UnrecognizedClientException",
            "invalid",
        ),
        (
            Creds {
                token: None,
                ..GOOD
            },
            now,
            "UnrecognizedClientException",
            "invalid",
        ),
        (
            Creds {
                akid: "ASIATESTINGEXPIRED01",
                secret: "testingExpiredSecret/NotReal/0123456789ab",
                token: Some("IQoJTESTING//EXPIRED/TOKEN=="),
            },
            now,
            "ExpiredTokenException",
            "expired",
        ),
        (
            GOOD,
            now - Duration::from_secs(600),
            "InvalidSignatureException",
            "Signature expired: ",
        ),
        (
            GOOD,
            now + Duration::from_secs(600),
            "InvalidSignatureException",
            "Signature not yet current: ",
        ),
    ];
    for (creds, at, code, words) in cases {
        let r = call_as(addr, &creds, at, "DescribeCustomKeyStores", "{}");
        assert_eq!((r.status, r.code()), (400, code.to_string()), "{}", r.body);
        assert!(
            r.json()["message"].as_str().unwrap().contains(words),
            "{}",
            r.body
        );
    }
    let r = call_as(
        addr,
        &GOOD,
        now - Duration::from_secs(600),
        "DescribeCustomKeyStores",
        "{}",
    );
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        m.contains(" is now earlier than ") && m.ends_with(" - 5 min.)"),
        "{m}"
    );
    // A long-term key needs no token.
    let long_term = Creds {
        akid: "AKIATESTINGLONGTERM1",
        secret: "testingLongTermSecret/NotReal/0123456789a",
        token: None,
    };
    assert_eq!(
        call_as(addr, &long_term, now, "DescribeCustomKeyStores", "{}").status,
        200
    );
    // Within five minutes is fine.
    assert_eq!(
        call_as(
            addr,
            &GOOD,
            now - Duration::from_secs(240),
            "DescribeCustomKeyStores",
            "{}"
        )
        .status,
        200
    );
}

#[test]
fn the_emulators_clock_can_be_skewed() {
    let addr = start(&["--clock-skew-seconds", "600"]);
    let r = describe(addr);
    assert_eq!(r.code(), "InvalidSignatureException");
    let date = httpdate::parse_http_date(r.header("date").unwrap()).unwrap();
    let ahead = date.duration_since(SystemTime::now()).unwrap();
    assert!(ahead > Duration::from_secs(590), "{ahead:?}");
    let at = SystemTime::now() + Duration::from_secs(600);
    assert_eq!(
        call_as(addr, &GOOD, at, "DescribeCustomKeyStores", "{}").status,
        200
    );
}

#[test]
fn bad_bodies_get_kms_errors() {
    let addr = start(&[]);
    let r = call(addr, "DescribeCustomKeyStores", "{not json");
    assert_eq!(
        (r.status, r.code()),
        (400, "SerializationException".to_string())
    );
    let r = call(addr, "DescribeCustomKeyStores", "[]");
    assert_eq!(r.code(), "SerializationException");
    let r = call(addr, "DescribeCustomKeyStores", r#"{"Limit":"5"}"#);
    assert_eq!(r.code(), "SerializationException");
    let r = call(addr, "GenerateDataKey", "{}");
    assert_eq!(r.code(), "UnknownOperationException");
    // Ten megabytes: read, dropped, refused in KMS's JSON (not axum's plain text).
    let big = format!(r#"{{"CustomKeyStoreName":"{}"}}"#, "x".repeat(10 << 20));
    let r = call(addr, "DescribeCustomKeyStores", &big);
    assert_eq!(
        (r.status, r.code()),
        (413, "RequestEntityTooLargeException".to_string())
    );
    // An absurd declared length is refused without reading.
    let r = exchange(
        addr,
        &format!(
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 999999999999\r\nConnection: close\r\n\r\n"
        ),
        b"{}",
    );
    assert_eq!(
        (r.status, r.code()),
        (413, "RequestEntityTooLargeException".to_string())
    );
    assert_eq!(get(addr, "/_emulator/health").status, 200, "still serving");
}

#[test]
fn throttle_first_then_rate_with_a_seed() {
    let addr = start(&["--throttle-first", "2"]);
    let codes: Vec<String> = (0..3).map(|_| describe(addr).code()).collect();
    assert_eq!(codes, ["ThrottlingException", "ThrottlingException", ""]);
    let r = describe(start(&["--throttle-first", "1"]));
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("rate"));
    let pattern = |seed: &str| {
        let addr = start(&["--throttle-rate", "0.5", "--seed", seed]);
        (0..12).map(|_| describe(addr).status).collect::<Vec<_>>()
    };
    let a = pattern("5");
    assert_eq!(a, pattern("5"));
    assert!(a.contains(&400) && a.contains(&200), "{a:?}");
}

#[test]
fn server_errors_in_three_shapes() {
    let r = describe(start(&["--error-rate", "1"]));
    assert_eq!(
        (r.status, r.code()),
        (500, "KMSInternalException".to_string())
    );
    let r = describe(start(&["--error-rate", "1", "--error-body", "text"]));
    assert_eq!((r.status, r.body.as_str()), (502, "Bad Gateway"));
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let r = describe(start(&[
        "--error-rate",
        "1",
        "--error-body",
        "html",
        "--error-status",
        "504",
    ]));
    assert_eq!(r.status, 504);
    assert!(r.body.contains("<html>"));
}

#[test]
fn malformed_bodies() {
    let r = describe(start(&["--malformed-rate", "1"]));
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("{\"CustomKeyStores\":["), "{}", r.body);
    assert!(serde_json::from_str::<Value>(&r.body).is_err());
    let r = describe(start(&[
        "--malformed-rate",
        "1",
        "--malformed-body",
        "html",
        "--malformed-status",
        "502",
    ]));
    assert_eq!(r.status, 502);
    assert!(r.body.starts_with("<!DOCTYPE html>"));
}

#[test]
fn latency_and_hangs_and_operation_filters() {
    // A delay far above what a loaded machine adds to one local request (the suite runs tests
    // in parallel on few cores).
    let addr = start(&[
        "--latency-ms",
        "2000",
        "--fault-operations",
        "DescribeCustomKeyStores",
    ]);
    let t = Instant::now();
    assert_eq!(describe(addr).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(2000));
    let t = Instant::now();
    let r = call(
        addr,
        "ConnectCustomKeyStore",
        r#"{"CustomKeyStoreId":"cks-7e570000000000001"}"#,
    );
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "Connect is not delayed"
    );

    let addr = start(&[
        "--hang-rate",
        "1",
        "--hang-seconds",
        "1",
        "--fault-operations",
        "ConnectCustomKeyStore",
    ]);
    let t = Instant::now();
    let r = call(
        addr,
        "ConnectCustomKeyStore",
        r#"{"CustomKeyStoreId":"cks-7e570000000000001"}"#,
    );
    assert_eq!(r.status, 504);
    assert!(t.elapsed() >= Duration::from_secs(1));
    // A hang before the operation leaves the store alone.
    let s = call(
        addr,
        "DescribeCustomKeyStores",
        r#"{"CustomKeyStoreId":"cks-7e570000000000001"}"#,
    );
    assert_eq!(
        s.json()["CustomKeyStores"][0]["ConnectionState"],
        "DISCONNECTED"
    );
}

#[test]
fn per_store_faults_from_the_scenario() {
    let addr = start(&[]);
    let throttled = r#"{"CustomKeyStoreId":"cks-7e57000000000000b"}"#;
    assert_eq!(
        call(addr, "DescribeCustomKeyStores", throttled).code(),
        "ThrottlingException"
    );
    assert_eq!(call(addr, "DescribeCustomKeyStores", throttled).status, 200);
    // Another store is not affected.
    assert_eq!(describe(addr).status, 200);
    // The lost Connect: 500, yet the store is connecting, and a retry is a no-op 200.
    let lost = r#"{"CustomKeyStoreId":"cks-7e57000000000000c"}"#;
    assert_eq!(
        call(addr, "ConnectCustomKeyStore", lost).code(),
        "KMSInternalException"
    );
    let s = call(addr, "DescribeCustomKeyStores", lost).json();
    assert_eq!(s["CustomKeyStores"][0]["ConnectionState"], "CONNECTING");
    assert_eq!(call(addr, "ConnectCustomKeyStore", lost).body, "{}");
}

#[test]
fn two_hundred_concurrent_clients() {
    let addr = start(&["--latency-ms", "200"]);
    let t = Instant::now();
    let threads: Vec<_> = (0..200)
        .map(|_| std::thread::spawn(move || describe(addr).status))
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // Served together, not one after another.
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
}

#[test]
fn stores_created_over_http_are_bounded() {
    let addr = start(&[]);
    let mut made = 0;
    let mut last = String::new();
    for i in 0..5 {
        let body = json!({
            "CustomKeyStoreName": format!("made-{i}"),
            "CloudHsmClusterId": format!("cluster-{}aaaaaaaaaaa", ["6", "7", "a", "b", "c"][i]),
            "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "KeyStorePassword": "kmsPswd1",
        });
        let r = call(addr, "CreateCustomKeyStore", &body.to_string());
        if r.status == 200 {
            made += 1;
        } else {
            last = r.code();
        }
    }
    assert_eq!((made, last.as_str()), (2, "LimitExceededException"));
}

#[test]
fn connections_past_the_cap_wait_their_turn() {
    let addr = start(&["--max-connections", "2"]);
    let idle = TcpStream::connect(addr).unwrap();
    let _other = TcpStream::connect(addr).unwrap();
    let mut third = TcpStream::connect(addr).unwrap();
    third
        .write_all(
            b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    let r = third.read(&mut byte);
    assert!(r.is_err(), "served past the cap: {r:?} {byte:?}");
    drop(idle);
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut raw = Vec::new();
    third.read_to_end(&mut raw).unwrap();
    assert!(
        raw.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
}

const NO_HSM: Creds = Creds {
    akid: "AKIATESTINGNOHSM0001",
    secret: "testingNoHsmSecret/NotReal/0123456789abc",
    token: None,
};

#[test]
fn cloudhsm_describe_clusters_on_the_same_port() {
    let addr = start(&[]);
    let now = SystemTime::now();
    let describe = "BaldrApiService.DescribeClusters";
    let filter = r#"{"Filters":{"clusterIds":["cluster-6nohsmaaaaaa"]}}"#;
    let r = signed(addr, &GOOD, now, "cloudhsm", describe, filter);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(r.header("x-amzn-requestid").is_some());
    let c = &r.json()["Clusters"];
    assert_eq!(c.as_array().unwrap().len(), 1);
    assert_eq!(
        (
            c[0]["State"].as_str(),
            c[0]["Hsms"].as_array().map(Vec::len)
        ),
        (Some("ACTIVE"), Some(0))
    );
    // Signed for KMS: refused in KMS's words, naming the service it should be scoped to.
    let r = signed(addr, &GOOD, now, "kms", describe, filter);
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidSignatureException")
    );
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        m.starts_with("Credential should be scoped to a valid region, service and date: expected "),
        "{m}"
    );
    assert!(
        m.contains("/us-east-1/cloudhsm/aws4_request, got ")
            && m.ends_with("/us-east-1/kms/aws4_request."),
        "{m}"
    );
    // And the other way round: a KMS call signed for CloudHSM.
    let r = signed(
        addr,
        &GOOD,
        now,
        "cloudhsm",
        "TrentService.DescribeCustomKeyStores",
        "{}",
    );
    assert_eq!(r.code(), "InvalidSignatureException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("/kms/aws4_request, got ")
    );
    // Only DescribeClusters, and only under CloudHSM's target prefix.
    for (service, target) in [
        ("cloudhsm", "BaldrApiService.CreateHsm"),
        ("kms", "TrentService.DescribeClusters"),
        ("cloudhsm", "BaldrApiService.ConnectCustomKeyStore"),
    ] {
        let r = signed(addr, &GOOD, now, service, target, "{}");
        assert_eq!(r.code(), "UnknownOperationException", "{target}");
    }
    // CloudHSM's own errors carry `Message`, as its model says.
    let r = signed(
        addr,
        &GOOD,
        now,
        "cloudhsm",
        describe,
        r#"{"NextToken":"bogus"}"#,
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "CloudHsmInvalidRequestException")
    );
    assert!(r.json()["Message"].is_string(), "{}", r.body);
    // An identity without cloudhsm:DescribeClusters (nor kms:ConnectCustomKeyStore).
    let r = signed(addr, &NO_HSM, now, "cloudhsm", describe, "{}");
    assert_eq!(r.code(), "CloudHsmAccessDeniedException");
    assert!(
        r.json()["Message"]
            .as_str()
            .unwrap()
            .contains("is not authorized to perform: cloudhsm:DescribeClusters"),
        "{}",
        r.body
    );
    let r = call_as(
        addr,
        &NO_HSM,
        now,
        "ConnectCustomKeyStore",
        r#"{"CustomKeyStoreId":"cks-7e570000000000003"}"#,
    );
    assert_eq!(r.code(), "AccessDeniedException");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("kms:ConnectCustomKeyStore")
    );
    assert_eq!(
        call_as(addr, &NO_HSM, now, "DescribeCustomKeyStores", "{}").status,
        200
    );
}

#[test]
fn cloudhsm_faults_speak_cloudhsm() {
    let addr = start(&[
        "--fault-operations",
        "DescribeClusters",
        "--error-rate",
        "1",
    ]);
    let r = signed(
        addr,
        &GOOD,
        SystemTime::now(),
        "cloudhsm",
        "BaldrApiService.DescribeClusters",
        "{}",
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (500, "CloudHsmInternalFailureException")
    );
    assert_eq!(describe(addr).status, 200, "only DescribeClusters");
}

// ---- who may call: loopback origins and hosts (src/trust.rs) ------------------------------

/// `METHOD path` with these headers (`Host` only if given).
fn ask(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    exchange(addr, &head, b"")
}

const PREFLIGHT: [(&str, &str); 2] = [
    ("Access-Control-Request-Method", "POST"),
    (
        "Access-Control-Request-Headers",
        "authorization,content-type,x-amz-date,x-amz-security-token,x-amz-target",
    ),
];

fn preflight_from(addr: SocketAddr, host: &str, origin: &str) -> Reply {
    let mut h = vec![("Host", host), ("Origin", origin)];
    h.extend(PREFLIGHT);
    ask(addr, "OPTIONS", "/", &h)
}

fn state_of(addr: SocketAddr, id: &str) -> String {
    let r = call(
        addr,
        "DescribeCustomKeyStores",
        &json!({"CustomKeyStoreId": id}).to_string(),
    );
    r.json()["CustomKeyStores"][0]["ConnectionState"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

const T_XKS: &str = "cks-7e570000000000001";

#[test]
fn foreign_origins_get_no_cors_and_are_refused() {
    let addr = start(&[]);
    let host = addr.to_string();
    let connect = json!({"CustomKeyStoreId": T_XKS}).to_string();
    for origin in [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.com",
        "http://localhost.evil.com",
        "http://127.0.0.1:8080/path",
    ] {
        let pre = preflight_from(addr, &host, origin);
        let creds = ask(
            addr,
            "GET",
            "/_emulator/credentials",
            &[("Host", &host), ("Origin", origin)],
        );
        let post = signed_from(
            addr,
            &host,
            &[("Origin", origin)],
            &GOOD,
            SystemTime::now(),
            "kms",
            "TrentService.ConnectCustomKeyStore",
            &connect,
        );
        for r in [&pre, &creds, &post] {
            assert_eq!(
                (r.status, r.code().as_str()),
                (403, "ForbiddenOriginException"),
                "{origin}: {}",
                r.body
            );
            assert_eq!(r.header("access-control-allow-origin"), None, "{origin}");
            assert_eq!(r.header("access-control-allow-headers"), None, "{origin}");
            assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
            assert!(r.header("x-amzn-requestid").is_some());
        }
        assert!(!creds.body.contains(GOOD.akid) && !creds.body.contains(GOOD.secret));
        assert!(
            creds.json()["message"]
                .as_str()
                .unwrap()
                .contains("--allow-origin")
        );
    }
    // The refused Connects did nothing.
    assert_eq!(state_of(addr, T_XKS), "DISCONNECTED");
}

#[test]
fn loopback_origins_are_echoed_on_every_answer() {
    let addr = start(&[]);
    let host = addr.to_string();
    for origin in [
        "http://127.0.0.1:8080",
        "http://127.5.6.7",
        "http://localhost:3000",
        "http://foo.localhost",
        "https://[::1]:9",
    ] {
        let pre = preflight_from(addr, &host, origin);
        assert_eq!(pre.status, 200, "{origin}: {}", pre.body);
        assert_eq!(pre.header("access-control-allow-methods"), Some("POST"));
        assert_eq!(pre.header("access-control-max-age"), Some("172800"));
        assert_eq!(
            pre.header("access-control-allow-headers"),
            Some(PREFLIGHT[1].1)
        );
        let with = [("Host", host.as_str()), ("Origin", origin)];
        let creds = ask(addr, "GET", "/_emulator/credentials", &with);
        assert_eq!(creds.json()["AccessKeyId"], GOOD.akid);
        let health = ask(addr, "GET", "/_emulator/health", &with);
        assert_eq!(health.status, 200);
        let missing = ask(addr, "GET", "/nope", &with);
        assert_eq!(missing.code(), "UnknownOperationException");
        let ok = signed_from(
            addr,
            &host,
            &[("Origin", origin)],
            &GOOD,
            SystemTime::now(),
            "kms",
            "TrentService.DescribeCustomKeyStores",
            "{}",
        );
        assert_eq!(ok.status, 200, "{}", ok.body);
        let denied = signed_from(
            addr,
            &host,
            &[("Origin", origin)],
            &NO_HSM,
            SystemTime::now(),
            "cloudhsm",
            "BaldrApiService.DescribeClusters",
            "{}",
        );
        assert_eq!(denied.code(), "CloudHsmAccessDeniedException");
        for r in [&pre, &creds, &health, &missing, &ok, &denied] {
            assert_eq!(r.header("access-control-allow-origin"), Some(origin));
            assert_eq!(r.header("vary"), Some("Origin"));
            assert_eq!(
                r.header("access-control-expose-headers"),
                Some(
                    "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amzn-query-error,Date"
                )
            );
        }
    }
    // No Origin (boto3, curl, Node): served, without CORS headers.
    let plain = describe(addr);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("access-control-allow-origin"), None);
}

#[test]
fn only_loopback_hosts_are_served() {
    let addr = start(&[]);
    let port = addr.port();
    for host in ["evil.example", &format!("evil.example:{port}"), "10.0.0.1"] {
        let creds = ask(addr, "GET", "/_emulator/credentials", &[("Host", host)]);
        assert_eq!(
            (creds.status, creds.code().as_str()),
            (403, "ForbiddenHostException"),
            "{host}"
        );
        assert!(!creds.body.contains(GOOD.akid));
        assert!(
            creds.json()["message"]
                .as_str()
                .unwrap()
                .contains("DNS rebinding")
        );
        // Even from a loopback origin: the Host is what a rebinding page cannot hide.
        let pre = preflight_from(addr, host, "http://127.0.0.1:8080");
        assert_eq!(
            (pre.status, pre.header("access-control-allow-origin")),
            (403, None)
        );
    }
    // A rebinding page signs for its own host name; refused before the signature is checked.
    let connect = json!({"CustomKeyStoreId": T_XKS}).to_string();
    let target = "TrentService.ConnectCustomKeyStore";
    let evil = format!("evil.example:{port}");
    let r = signed_from(
        addr,
        &evil,
        &[],
        &GOOD,
        SystemTime::now(),
        "kms",
        target,
        &connect,
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "ForbiddenHostException")
    );
    assert_eq!(state_of(addr, T_XKS), "DISCONNECTED");

    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        format!("emulator.localhost:{port}"),
        "127.0.0.1".to_string(),
    ] {
        let r = ask(addr, "GET", "/_emulator/credentials", &[("Host", &host)]);
        assert_eq!(r.json()["AccessKeyId"], GOOD.akid, "{host}: {}", r.body);
    }
    // HTTP/1.0 without Host: no browser sends that, so it is not a rebinding page's.
    let old = exchange(addr, "GET /_emulator/health HTTP/1.0\r\n\r\n", b"");
    assert_eq!((old.status, old.body.as_str()), (200, "ok"));
}

#[test]
fn allow_origin_allows_it_and_lifts_the_host_check() {
    let addr = start(&["--allow-origin", "https://console.example"]);
    let origin = "https://console.example";
    let pre = preflight_from(addr, "console.example", origin);
    assert_eq!(pre.status, 200, "{}", pre.body);
    assert_eq!(pre.header("access-control-allow-origin"), Some(origin));
    let with = [("Host", "kms.tunnel.example"), ("Origin", origin)];
    let creds = ask(addr, "GET", "/_emulator/credentials", &with);
    assert_eq!(creds.json()["AccessKeyId"], GOOD.akid);
    assert_eq!(creds.header("access-control-allow-origin"), Some(origin));
    // Loopback origins still are; other origins still are not.
    let local = preflight_from(addr, "127.0.0.1", "http://localhost:8080");
    assert_eq!(
        local.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    let evil = preflight_from(addr, "console.example", "https://evil.example");
    assert_eq!(
        (evil.status, evil.header("access-control-allow-origin")),
        (403, None)
    );
}

#[test]
fn a_wide_address_lifts_the_host_check_only() {
    // The policy comes from --addr; the test server itself still listens on 127.0.0.1.
    let addr = start(&["--addr", "0.0.0.0:0"]);
    let creds = ask(
        addr,
        "GET",
        "/_emulator/credentials",
        &[("Host", "192.168.1.20:4599")],
    );
    assert_eq!(creds.json()["AccessKeyId"], GOOD.akid);
    let evil = ask(
        addr,
        "GET",
        "/_emulator/credentials",
        &[
            ("Host", "192.168.1.20:4599"),
            ("Origin", "https://evil.example"),
        ],
    );
    assert_eq!(
        (evil.status, evil.header("access-control-allow-origin")),
        (403, None)
    );
}

// --- CloudWatch (AWS JSON 1.0, signed for `monitoring`) -------------------------------------

fn cloudwatch(addr: SocketAddr, creds: &Creds, op: &str, body: &str) -> Reply {
    let target = format!("GraniteServiceVersion20100801.{op}");
    signed(addr, creds, SystemTime::now(), "monitoring", &target, body)
}

#[test]
fn cloudwatch_on_the_same_port() {
    let addr = start(&[]);
    let store = "cks-7e570000000000005";
    let r = cloudwatch(
        addr,
        &GOOD,
        "ListMetrics",
        &json!({"Namespace": "AWS/KMS", "Dimensions": [{"Name": "CustomKeyStoreId", "Value": store}]}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    let names: Vec<String> = r.json()["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["MetricName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["XksProxyLatency", "XksProxyCertificateDaysToExpire"]
    );
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let query = json!({
        "MetricDataQueries": [{"Id": "c", "MetricStat": {"Metric": {"Namespace": "AWS/KMS", "MetricName": "XksProxyCertificateDaysToExpire",
            "Dimensions": [{"Name": "CustomKeyStoreId", "Value": store}, {"Name": "CertificateName", "Value": "xks.t5.example.com"}]},
            "Period": 300, "Stat": "Minimum"}, "ReturnData": true}],
        "StartTime": now - 3600, "EndTime": now
    })
    .to_string();
    let r = cloudwatch(addr, &GOOD, "GetMetricData", &query);
    assert_eq!(r.status, 200, "{}", r.body);
    let result = &r.json()["MetricDataResults"][0];
    assert_eq!(result["Id"], "c");
    assert_eq!(result["StatusCode"], "Complete");
    assert!(result["Values"].as_array().unwrap().len() >= 12);
    // Errors: the shape in __type, the Query code in x-amzn-query-error.
    let r = cloudwatch(addr, &GOOD, "DescribeAlarms", r#"{"MaxRecords":500}"#);
    assert_eq!(r.status, 400);
    assert_eq!(r.code(), "InvalidParameterValueException");
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some("InvalidParameterValue;Sender")
    );
    // IAM denial per action, named as IAM names it.
    let r = cloudwatch(addr, &NO_HSM, "GetMetricData", &query);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.header("x-amzn-query-error"), Some("AccessDenied;Sender"));
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("cloudwatch:GetMetricData")
    );
    assert_eq!(cloudwatch(addr, &NO_HSM, "ListMetrics", "{}").status, 200);
    // Signed for KMS, addressed to CloudWatch: refused, naming the scope it expects.
    let r = signed(
        addr,
        &GOOD,
        SystemTime::now(),
        "kms",
        "GraniteServiceVersion20100801.ListMetrics",
        "{}",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("/monitoring/aws4_request"), "{}", r.body);
    // A KMS operation under CloudWatch's prefix is unknown.
    let r = cloudwatch(addr, &GOOD, "DescribeCustomKeyStores", "{}");
    assert!(r.body.contains("UnknownOperationException"), "{}", r.body);
}

#[test]
fn cloudwatch_faults_speak_cloudwatch() {
    let addr = start(&["--throttle-first", "1"]);
    let r = cloudwatch(addr, &GOOD, "ListMetrics", "{}");
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.header("x-amzn-query-error"), Some("Throttling;Sender"));
}

// ---------------------------------------------------------------------------------------------
// Keys (issue 16): a large account, and a store's scripted crypto latency, over HTTP.
// ---------------------------------------------------------------------------------------------

const DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.json");

const DEMO: Creds = Creds {
    akid: "ASIAEMULATORDEMO0001",
    secret: "emulatorDemoSecretKey/NotReal/0123456789ab",
    token: Some("IQoJb3JpZ2luX2VjEMULATOR//DEMO/SESSION/TOKEN/not/real=="),
};

fn demo(addr: SocketAddr, op: &str, body: &Value) -> Reply {
    call_as(addr, &DEMO, SystemTime::now(), op, &body.to_string())
}

/// Every key ID of the account, page by page.
fn all_keys(addr: SocketAddr) -> Vec<String> {
    let mut ids = Vec::new();
    let mut req = json!({"Limit": 1000});
    loop {
        let r = demo(addr, "ListKeys", &req);
        assert_eq!(r.status, 200, "{}", r.body);
        let page = r.json();
        ids.extend(
            page["Keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["KeyId"].as_str().unwrap().to_string()),
        );
        if page["Truncated"] != true {
            return ids;
        }
        req = json!({"Limit": 1000, "Marker": page["NextMarker"]});
    }
}

#[test]
fn a_store_with_three_keys_in_an_account_of_300_and_of_1000() {
    const HSM_CONNECTED: &str = "cks-0a1b2c3d4e5f6000c";
    for total in [300, 1000] {
        let n = total.to_string();
        let addr = start(&["--scenario", DEFAULT, "--account-keys", &n]);
        let ids = all_keys(addr);
        assert_eq!(ids.len(), total);
        let mut mine = Vec::new();
        for id in &ids {
            let m = demo(addr, "DescribeKey", &json!({"KeyId": id})).json();
            if m["KeyMetadata"]["CustomKeyStoreId"] == HSM_CONNECTED {
                mine.push(m["KeyMetadata"].clone());
            }
        }
        assert_eq!(mine.len(), 3, "{total}");
        assert!(mine.iter().all(|m| m["Origin"] == "AWS_CLOUDHSM"));
        // The stores are the default scenario's, unchanged.
        let stores = demo(addr, "DescribeCustomKeyStores", &json!({})).json();
        assert_eq!(stores["CustomKeyStores"].as_array().unwrap().len(), 14);
    }
}

#[test]
fn a_stores_crypto_latency_and_the_round_trip() {
    let addr = start(&["--scenario", DEFAULT]);
    let key = demo(addr, "DescribeKey", &json!({"KeyId": "alias/payments-hsm"})).json()
        ["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let ctx = json!({"app": "cks-console store test"});
    let t = Instant::now();
    let e = demo(
        addr,
        "Encrypt",
        &json!({"KeyId": key, "Plaintext": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "EncryptionContext": ctx}),
    );
    assert!(
        t.elapsed() >= Duration::from_millis(15),
        "the store's scripted latency"
    );
    assert_eq!(e.status, 200, "{}", e.body);
    let blob = e.json()["CiphertextBlob"].clone();
    let d = demo(
        addr,
        "Decrypt",
        &json!({"CiphertextBlob": blob, "EncryptionContext": ctx}),
    );
    assert_eq!(
        d.json()["Plaintext"],
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    );
    let wrong = demo(addr, "Decrypt", &json!({"CiphertextBlob": blob}));
    assert_eq!(wrong.code(), "InvalidCiphertextException");
    // A key of a DISCONNECTED store.
    let xks = demo(addr, "DescribeKey", &json!({"KeyId": "alias/card-vault"})).json();
    assert_eq!(xks["KeyMetadata"]["KeyState"], "Unavailable");
    assert_eq!(
        xks["KeyMetadata"]["XksKeyConfiguration"]["Id"],
        "payments-aes-0001"
    );
}
