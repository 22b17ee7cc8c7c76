//! The HTTP side: AWS JSON 1.1 on `POST /`, CORS as KMS answers it, the demo credentials.

use crate::scenario::Scenario;
use crate::sigv4::{Key, verify};
use crate::stores::{KmsFault, Pace, Store, fault};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub struct Emulator {
    pub region: String,
    keys: Vec<Key>,
    demo: Option<Key>,
    stores: Mutex<Vec<Store>>,
    pace: Pace,
    /// Added to the real clock: the emulator's idea of "now" (for `Date` and signature checks).
    skew_ms: i64,
    requests: AtomicU64,
}

impl Emulator {
    pub fn new(scenario: &Scenario, time_scale: f64, skew_ms: i64) -> Self {
        let started = epoch_ms() + skew_ms;
        let keys: Vec<Key> = scenario
            .credentials
            .iter()
            .map(|c| Key {
                access_key_id: c.access_key_id.clone(),
                secret_access_key: c.secret_access_key.clone(),
                session_token: c.session_token.clone(),
                expires_at_ms: c.expires_in_seconds.map(|s| started + s * 1000),
            })
            .collect();
        let demo = scenario
            .credentials
            .iter()
            .zip(&keys)
            .find(|(c, _)| c.demo)
            .map(|(_, k)| k.clone());
        // Stores were "created" over the last days, oldest first.
        let n = scenario.stores.len() as f64;
        let stores = scenario
            .stores
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Store::from_spec(
                    s,
                    (started as f64 / 1000.0 - (n - i as f64) * 86_400.0 / 3.0).floor(),
                )
            })
            .collect();
        Self {
            region: scenario.region.clone(),
            keys,
            demo,
            stores: Mutex::new(stores),
            pace: Pace { time_scale },
            skew_ms,
            requests: AtomicU64::new(0),
        }
    }

    pub fn store_count(&self) -> usize {
        self.stores.lock().map(|s| s.len()).unwrap_or(0)
    }

    fn now_ms(&self) -> i64 {
        epoch_ms() + self.skew_ms
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

async fn handle(
    State(em): State<Arc<Emulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = em.request_id();
    let mut response = match (method, uri.path()) {
        (Method::OPTIONS, _) => preflight(&headers),
        (Method::GET, "/_emulator/credentials") => demo_credentials(&em),
        (Method::POST, "/") => match kms(&em, &headers, &uri, &body) {
            Ok(v) => json_response(StatusCode::OK, v.to_string()),
            Err(f) => error_response(&f),
        },
        _ => error_response(&fault(
            "UnknownOperationException",
            "This emulator answers POST / (AWS JSON 1.1) and GET /_emulator/credentials.",
        )),
    };
    let h = response.headers_mut();
    h.insert("x-amzn-RequestId", value(&request_id));
    h.insert(
        header::DATE,
        value(&httpdate::fmt_http_date(
            UNIX_EPOCH + std::time::Duration::from_millis(em.now_ms().max(0) as u64),
        )),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"),
    );
    response
}

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// KMS's preflight answer: any origin, the requested headers echoed, POST, cached two days.
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
        return error_response(&fault(
            "ResourceNotFoundException",
            "This scenario has no demo credentials.",
        ));
    };
    let mut v = json!({"Version": 1, "AccessKeyId": k.access_key_id, "SecretAccessKey": k.secret_access_key});
    if let Some(t) = &k.session_token {
        v["SessionToken"] = json!(t);
    }
    if let Some(e) = k.expires_at_ms {
        v["Expiration"] = json!(httpdate_to_iso(e));
    }
    let mut r = json_response(
        StatusCode::OK,
        serde_json::to_string_pretty(&v).unwrap_or_default(),
    );
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn httpdate_to_iso(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    r
}

fn error_response(f: &KmsFault) -> Response {
    let status = match f.code.as_str() {
        "KMSInternalException" | "InternalFailure" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    json_response(
        status,
        json!({"__type": f.code, "message": f.message}).to_string(),
    )
}

fn kms(em: &Emulator, headers: &HeaderMap, uri: &Uri, body: &[u8]) -> Result<Value, KmsFault> {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    verify(&em.keys, &em.region, headers, path, body, em.now_ms())
        .map_err(|r| fault(r.code, r.message))?;
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let op = target.strip_prefix("TrentService.").ok_or_else(|| {
        fault(
            "UnknownOperationException",
            format!("Unknown target '{target}'."),
        )
    })?;
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
    let now = Instant::now();
    let mut stores = em
        .stores
        .lock()
        .map_err(|_| fault("KMSInternalException", "The emulator's state is poisoned."))?;
    for s in stores.iter_mut() {
        s.settle(now);
    }
    let id = input.get("CustomKeyStoreId").and_then(Value::as_str);
    let find = |stores: &mut Vec<Store>, id: Option<&str>| -> Result<usize, KmsFault> {
        let id = id.ok_or_else(|| fault("ValidationException", "1 validation error detected: Value null at 'customKeyStoreId' failed to satisfy constraint: Member must not be null"))?;
        stores.iter().position(|s| s.id == id).ok_or_else(|| {
            fault(
                "CustomKeyStoreNotFoundException",
                format!("Custom key store '{id}' does not exist in this account and region."),
            )
        })
    };
    match op {
        "DescribeCustomKeyStores" => describe(&stores, &input),
        "ConnectCustomKeyStore" => {
            let i = find(&mut stores, id)?;
            stores[i].connect(now, em.pace).map(|_| json!({}))
        }
        "DisconnectCustomKeyStore" => {
            let i = find(&mut stores, id)?;
            stores[i].disconnect(now, em.pace).map(|_| json!({}))
        }
        other => Err(fault(
            "UnknownOperationException",
            format!("The emulator does not implement '{other}' yet."),
        )),
    }
}

fn describe(stores: &[Store], input: &Value) -> Result<Value, KmsFault> {
    let id = input.get("CustomKeyStoreId").and_then(Value::as_str);
    let name = input.get("CustomKeyStoreName").and_then(Value::as_str);
    if id.is_some() && name.is_some() {
        return Err(fault(
            "ValidationException",
            "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
        ));
    }
    let selected: Vec<&Store> = stores
        .iter()
        .filter(|s| id.is_none_or(|i| s.id == i) && name.is_none_or(|n| s.name == n))
        .collect();
    if selected.is_empty() && (id.is_some() || name.is_some()) {
        let what = id.or(name).unwrap_or_default();
        return Err(fault(
            "CustomKeyStoreNotFoundException",
            format!("Custom key store '{what}' does not exist in this account and region."),
        ));
    }
    let limit = match input.get("Limit") {
        None => 1000,
        Some(v) => match v.as_u64() {
            Some(l @ 1..=1000) => l as usize,
            _ => {
                return Err(fault(
                    "ValidationException",
                    "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000",
                ));
            }
        },
    };
    let start = match input.get("Marker") {
        None => 0,
        Some(m) => m
            .as_str()
            .and_then(|m| m.strip_prefix("cksm-"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= selected.len())
            .ok_or_else(|| fault("InvalidMarkerException", "The request was rejected because the marker that specifies where pagination should next begin is not valid."))?,
    };
    let end = (start + limit).min(selected.len());
    let mut out = json!({
        "CustomKeyStores": selected[start..end].iter().map(|s| s.entry()).collect::<Vec<_>>(),
        "Truncated": end < selected.len(),
    });
    if end < selected.len() {
        out["NextMarker"] = json!(format!("cksm-{end}"));
    }
    Ok(out)
}
