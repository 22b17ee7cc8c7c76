//! The HTTP side: first who may call (`trust`: a loopback `Host`, a loopback or allowed
//! `Origin`), then AWS JSON 1.1 on `POST /` (size-limited body, SigV4, the identity's denied
//! actions, faults, then the operation), CORS as KMS answers it (for allowed origins), and the
//! emulator's own `GET /_emulator/...` endpoints. `X-Amz-Target` picks the service: `TrentService.*` is KMS
//! (signed for `kms`), `BaldrApiService.DescribeClusters` is CloudHSM v2 (signed for
//! `cloudhsm`).

use crate::account::Account;
use crate::faults::{Action, Faults, Rule};
use crate::kms::{KmsFault, fault};
use crate::sigv4::{Key, iso8601, verify};
use crate::spec::FaultSpec;
use crate::spec::Scenario;
use crate::stores::Pace;
use crate::trust::Trust;
use crate::wire;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// KMS requests are small (the largest member, a trust anchor, is 5000 characters).
pub const MAX_BODY: usize = 1 << 20;
/// Bodies up to this size are read and dropped before the 413, so the client sees the answer
/// instead of a reset connection; larger ones are refused without reading.
const MAX_DRAIN: usize = 64 << 20;
/// A body that trickles in slower than this is refused.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Options {
    pub time_scale: f64,
    /// Added to the real clock (for `Date` and signature checks).
    pub skew_ms: i64,
    pub seed: u64,
    /// Faults from the command line, tried after the scenario's.
    pub faults: Vec<FaultSpec>,
    /// Which origins get CORS and whether `Host` must be loopback.
    pub trust: Trust,
}

pub struct Emulator {
    pub region: String,
    account_id: String,
    keys: Vec<Key>,
    demo: Option<Key>,
    account: Mutex<Account>,
    faults: Faults,
    skew_ms: i64,
    requests: AtomicU64,
    trust: Trust,
}

impl Emulator {
    pub fn new(scenario: &Scenario, options: Options) -> Result<Self, String> {
        let started = epoch_ms().saturating_add(options.skew_ms);
        let keys: Vec<Key> = scenario
            .credentials
            .iter()
            .map(|c| Key {
                access_key_id: c.access_key_id.clone(),
                secret_access_key: c.secret_access_key.clone(),
                session_token: c.session_token.clone(),
                expires_at_ms: c
                    .expires_in_seconds
                    .map(|s| started.saturating_add(s.saturating_mul(1000))),
                deny: c.deny.clone(),
            })
            .collect();
        let demo = scenario
            .credentials
            .iter()
            .zip(&keys)
            .find(|(c, _)| c.demo)
            .map(|(_, k)| k.clone());
        // Per-store rules first (the most specific), then the scenario's, then the flags'.
        let mut rules = Vec::new();
        for s in &scenario.stores {
            for f in &s.faults {
                rules.push(Rule::from_spec(f, Some(&s.id))?);
            }
        }
        for f in scenario.faults.iter().chain(&options.faults) {
            rules.push(Rule::from_spec(f, None)?);
        }
        let pace = Pace {
            time_scale: options.time_scale,
        };
        Ok(Self {
            region: scenario.region.clone(),
            account_id: scenario.account_id.clone(),
            keys,
            demo,
            account: Mutex::new(Account::new(scenario, pace, started, options.seed)),
            faults: Faults::new(rules, options.seed),
            skew_ms: options.skew_ms,
            requests: AtomicU64::new(0),
            trust: options.trust,
        })
    }

    pub fn store_count(&self) -> usize {
        self.account.lock().map(|a| a.len()).unwrap_or(0)
    }

    pub fn cluster_count(&self) -> usize {
        self.account.lock().map(|a| a.cluster_count()).unwrap_or(0)
    }

    pub fn fault_rules(&self) -> Vec<String> {
        self.faults.rules().iter().map(Rule::describe).collect()
    }

    fn now_ms(&self) -> i64 {
        epoch_ms().saturating_add(self.skew_ms)
    }

    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let t = epoch_ms() as u64;
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            (t >> 16) as u32,
            t as u16,
            (n >> 12) & 0xfff,
            n & 0xfff,
            t.wrapping_mul(0x9e37_79b9) & 0xffff_ffff_ffff
        )
    }

    /// Runs an operation under the lock (held only for this synchronous call).
    fn run(&self, op: &str, input: &Value) -> Result<Value, KmsFault> {
        let mut account = self
            .account
            .lock()
            .map_err(|_| fault("KMSInternalException", "The emulator's state is poisoned."))?;
        account.call(op, input, Instant::now(), self.now_ms())
    }

    fn store_named(&self, input: &Value) -> Option<String> {
        self.account.lock().ok()?.store_named(input)
    }
}

fn epoch_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub fn router(em: Arc<Emulator>) -> Router {
    Router::new().fallback(handle).with_state(em)
}

async fn handle(State(em): State<Arc<Emulator>>, request: Request) -> Response {
    let request_id = em.request_id();
    let (parts, body) = request.into_parts();
    // Refused before anything runs: no state change, no credentials, no CORS headers.
    let (mut response, origin) = match em.trust.check(&parts.headers, &parts.uri) {
        Err(refusal) => (wire::error(&fault(refusal.code, refusal.message)), None),
        Ok(origin) => {
            let response = match (&parts.method, parts.uri.path()) {
                (&Method::OPTIONS, _) => preflight(&parts.headers),
                (&Method::GET, "/_emulator/credentials") => demo_credentials(&em),
                (&Method::GET, "/_emulator/health") => wire::text(StatusCode::OK, "ok"),
                (&Method::POST, "/") => kms(&em, &parts, body).await,
                _ => wire::error(&fault(
                    "UnknownOperationException",
                    "This emulator answers POST / (AWS JSON 1.1), GET /_emulator/credentials and GET /_emulator/health.",
                )),
            };
            (response, origin)
        }
    };
    let h = response.headers_mut();
    h.insert("x-amzn-RequestId", value(&request_id));
    h.insert(
        header::DATE,
        value(&httpdate::fmt_http_date(
            UNIX_EPOCH + Duration::from_millis(em.now_ms().max(0) as u64),
        )),
    );
    // The answer depends on Origin, so a cache must not serve one origin's to another.
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    // KMS answers `*`; the emulator names the (allowed) origin instead, so that no other page
    // can read its answers, the demo credentials least of all.
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(
                "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amzn-query-error,Date",
            ),
        );
    }
    response
}

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// KMS's preflight answer (to an origin `trust` allowed): the requested headers echoed, POST,
/// cached two days.
fn preflight(headers: &HeaderMap) -> Response {
    let mut r = Response::new(Body::empty());
    let h = r.headers_mut();
    if let Some(req) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, req.clone());
    }
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("172800"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store, must-revalidate, private"),
    );
    r
}

/// The demo credentials, in `aws configure export-credentials --format process` form.
fn demo_credentials(em: &Emulator) -> Response {
    let Some(k) = &em.demo else {
        return wire::error(&fault(
            "ResourceNotFoundException",
            "This scenario has no demo credentials.",
        ));
    };
    let mut v = json!({"Version": 1, "AccessKeyId": k.access_key_id, "SecretAccessKey": k.secret_access_key});
    if let Some(t) = &k.session_token {
        v["SessionToken"] = json!(t);
    }
    if let Some(e) = k.expires_at_ms {
        v["Expiration"] = json!(iso8601(e));
    }
    let mut r = wire::json(
        StatusCode::OK,
        serde_json::to_string_pretty(&v).unwrap_or_default(),
    );
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn too_large() -> KmsFault {
    fault(
        "RequestEntityTooLargeException",
        format!("The request body is larger than {MAX_BODY} bytes."),
    )
}

/// Reads at most `MAX_BODY` bytes; a larger body is drained (up to `MAX_DRAIN`) and refused.
async fn read_body(headers: &HeaderMap, mut body: Body) -> Result<Bytes, KmsFault> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_DRAIN as u64) {
        return Err(too_large());
    }
    let mut kept = Vec::new();
    let mut total = 0usize;
    loop {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let frame = match tokio::time::timeout(BODY_TIMEOUT, next).await {
            Err(_) => {
                return Err(fault(
                    "RequestTimeoutException",
                    "The request body did not arrive in time.",
                ));
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return Err(fault(
                    "SerializationException",
                    "The request body could not be read.",
                ));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            total = total.saturating_add(data.len());
            if total <= MAX_BODY {
                kept.extend_from_slice(&data);
            } else if total > MAX_DRAIN {
                break;
            }
        }
    }
    if total > MAX_BODY {
        return Err(too_large());
    }
    Ok(Bytes::from(kept))
}

/// CloudWatch's `targetPrefix` (AWS JSON 1.0, signed for `monitoring`).
const CLOUDWATCH_TARGET_PREFIX: &str = "GraniteServiceVersion20100801";

/// CloudHSM v2's operations that the emulator answers.
const CLOUDHSM_OPERATIONS: [&str; 1] = ["DescribeClusters"];

/// Authenticates the request and reads its operation and input.
fn authorize(em: &Emulator, parts: &Parts, body: &[u8]) -> Result<(String, Value), KmsFault> {
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The signing name the target's service expects (KMS's for anything unknown).
    let (service, op) = match target.split_once('.') {
        Some(("BaldrApiService", op)) => ("cloudhsm", Some(op)),
        Some(("TrentService", op)) => ("kms", Some(op)),
        Some((CLOUDWATCH_TARGET_PREFIX, op)) => ("monitoring", Some(op)),
        _ => ("kms", None),
    };
    let key = verify(
        &em.keys,
        &em.region,
        service,
        &parts.headers,
        path,
        body,
        em.now_ms(),
    )
    .map_err(|r| fault(r.code, r.message))?;
    let known = op.filter(|op| match service {
        "cloudhsm" => CLOUDHSM_OPERATIONS.contains(op),
        "monitoring" => crate::cloudwatch::OPERATIONS.contains(op),
        _ => !CLOUDHSM_OPERATIONS.contains(op) && !crate::cloudwatch::OPERATIONS.contains(op),
    });
    let op = known.ok_or_else(|| {
        fault(
            "UnknownOperationException",
            format!("Unknown target '{target}'."),
        )
    })?;
    // IAM names CloudWatch's actions `cloudwatch:`, though it signs for `monitoring`.
    let iam_prefix = if service == "monitoring" {
        "cloudwatch"
    } else {
        service
    };
    let action = format!("{iam_prefix}:{op}");
    if key.deny.contains(&action) {
        let code = match service {
            "cloudhsm" => "CloudHsmAccessDeniedException",
            "monitoring" => "AccessDenied",
            _ => "AccessDeniedException",
        };
        return Err(fault(
            code,
            format!(
                "User: arn:aws:sts::{}:assumed-role/EmulatorRole/{} is not authorized to perform: {action} because no identity-based policy allows the {action} action",
                em.account_id, key.access_key_id
            ),
        ));
    }
    let input: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|_| {
            fault(
                "SerializationException",
                "The request body is not valid JSON.",
            )
        })?
    };
    if !input.is_object() {
        return Err(fault(
            "SerializationException",
            "Start of structure or map found where not expected.",
        ));
    }
    Ok((op.to_string(), input))
}

/// A CloudWatch call (AWS JSON 1.0), with the scenario's and the flags' faults in CloudWatch's
/// words.
async fn cloudwatch_call(em: &Emulator, op: &str, input: &Value) -> Response {
    let decision = em.faults.decide(op, None);
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.failure {
        None => wire::cloudwatch_outcome(&em.run(op, input)),
        Some((action, after)) => {
            let ran = after.then(|| em.run(op, input));
            if let Action::Hang { cap } = action {
                tokio::time::sleep(cap).await;
                return wire::gateway_timeout();
            }
            wire::cloudwatch_spoiled(&action, op, ran.as_ref())
        }
    }
}

async fn kms(em: &Emulator, parts: &Parts, body: Body) -> Response {
    let body = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(f) => return wire::error(&f),
    };
    let cloudwatch = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with(CLOUDWATCH_TARGET_PREFIX) && t.contains('.'));
    let (op, input) = match authorize(em, parts, &body) {
        Ok(x) => x,
        Err(f) if cloudwatch => return wire::cloudwatch_error(&f),
        Err(f) => return wire::error(&f),
    };
    if cloudwatch {
        return cloudwatch_call(em, &op, &input).await;
    }
    let store = em.store_named(&input);
    let decision = em.faults.decide(&op, store.as_deref());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.failure {
        None => wire::outcome(&em.run(&op, &input)),
        Some((action, after)) => {
            let ran = after.then(|| em.run(&op, &input));
            if let Action::Hang { cap } = action {
                // Nothing until the client gives up (hyper then drops this future) or the cap.
                tokio::time::sleep(cap).await;
                return wire::gateway_timeout();
            }
            wire::spoiled(&action, &op, ran.as_ref())
        }
    }
}
