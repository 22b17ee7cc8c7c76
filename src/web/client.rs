//! Calls KMS from the page: check where the request may go (`trust`), sign with the endpoint's
//! clock offset, `fetch`, read at most [`MAX_BODY_BYTES`], the request id and (on a clock-skew
//! rejection) `Date`, parse, and retry as the SDKs' standard mode does.

use super::{now_ms, random01, sleep_ms};
use crate::aws::clock::Offsets;
use crate::aws::cloudhsm::{
    DescribeClustersRequest, DescribeClustersResponse, parse_describe_clusters,
    sign_describe_clusters,
};
use crate::aws::cloudwatch::{self, CwOperation};
use crate::aws::credentials::Credentials;
use crate::aws::endpoint::Endpoint;
use crate::aws::error::KmsError;
use crate::aws::json::FromJson;
use crate::aws::kms::{Operation, Validate, parse_output, to_body};
use crate::aws::rate::Limiter;
use crate::aws::retry::{Next, Retry};
use crate::aws::sign::{SignError, SignedRequest, sign_kms};
use crate::aws::trust::Service;
use gloo_net::http::Request;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCredentials};

/// A request that has not answered by then is abandoned (and retried as a network error).
const TIMEOUT_MS: u32 = 30_000;
/// No KMS or CloudHSM answer comes near this: a larger body is not read past it.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Told of each answer: (access key ID, whether AWS took the credentials).
type Heard = Rc<dyn Fn(&str, bool)>;

/// What every call of the page shares: the clock offset of each endpoint and the request-rate
/// limiter.
#[derive(Clone, Default)]
pub struct Shared {
    offsets: Rc<RefCell<Offsets>>,
    limiter: Rc<RefCell<Limiter>>,
    heard: Rc<RefCell<Option<Heard>>>,
}

impl Shared {
    /// Calls `f(access key ID, accepted)` after each call AWS answered with a success (`true`)
    /// or with a refusal of the credentials themselves (`false`): the page folds or reopens
    /// the credentials from it.
    pub fn on_answer(&self, f: impl Fn(&str, bool) + 'static) {
        *self.heard.borrow_mut() = Some(Rc::new(f));
    }

    fn heard(&self, access_key_id: &str, accepted: bool) {
        let f = self.heard.borrow().clone();
        if let Some(f) = f {
            f(access_key_id, accepted);
        }
    }

    /// The clock offset used when signing for `endpoint`.
    pub fn skew(&self, endpoint: &str) -> i64 {
        self.offsets.borrow().get(endpoint)
    }
}

/// What a call needs: where, as whom, the hosts outside AWS the user allowed in this tab, and
/// the page's shared state.
#[derive(Clone)]
pub struct Client {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub confirmed_hosts: Vec<String>,
    pub shared: Shared,
}

/// A successful call's output and its request id.
#[derive(Clone, Debug)]
pub struct Reply<T> {
    pub output: T,
    pub request_id: Option<String>,
}

/// An answer as fetched: its status, the headers the client reads, and the body unparsed.
pub struct RawResponse {
    status: u16,
    request_id: Option<String>,
    error_type: Option<String>,
    /// `x-amzn-query-error` (CloudWatch, an `awsQueryCompatible` service).
    query_error: Option<String>,
    date: Option<String>,
    body: String,
    /// The body was over [`MAX_BODY_BYTES`] and was not read to its end.
    too_large: bool,
}

impl Reply<RawResponse> {
    /// Reads the output from a success body; a body that does not parse is a malformed reply.
    fn parse<Out>(
        self,
        read: impl FnOnce(&str) -> Result<Out, String>,
    ) -> Result<Reply<Out>, KmsError> {
        let raw = self.output;
        match read(&raw.body) {
            Ok(output) => Ok(Reply {
                output,
                request_id: self.request_id,
            }),
            Err(problem) => Err(KmsError::malformed(
                raw.status,
                raw.request_id,
                &problem,
                &raw.body,
            )),
        }
    }
}

impl Client {
    /// A KMS call: checked against the model's limits, then sent with the standard retries.
    /// Only the checks and the parse are generic: the exchange is one function for every
    /// operation (a generic async exchange was compiled once per reply type). The request is
    /// checked and serialised at once, so the returned future does not borrow it and is the
    /// same type for every request of one reply type.
    pub fn call<Req: Serialize + Validate, Out: FromJson>(
        &self,
        op: Operation,
        request: &Req,
    ) -> impl Future<Output = Result<Reply<Out>, KmsError>> + use<'_, Req, Out> {
        self.call_checked(op, self.checked_body(request))
    }

    /// Sends a checked body and parses the reply (generic in the reply type only).
    async fn call_checked<Out: FromJson>(
        &self,
        op: Operation,
        body: Result<String, KmsError>,
    ) -> Result<Reply<Out>, KmsError> {
        self.call_body(op, body?).await?.parse(parse_output)
    }

    /// The body of a KMS request, once it passes the model's limits and `trust`.
    fn checked_body<Req: Serialize + Validate>(&self, request: &Req) -> Result<String, KmsError> {
        let problems = request.problems();
        if !problems.is_empty() {
            return Err(KmsError::invalid_input(&problems));
        }
        self.allowed(Service::Kms, request.carries_secret())?;
        Ok(to_body(request))
    }

    /// Whether a request signed for `service` may go to this client's endpoint (`trust`).
    fn allowed(&self, service: Service, carries_secret: bool) -> Result<(), KmsError> {
        crate::aws::trust::check(
            &self.endpoint.url,
            service,
            &self.endpoint.signing_region,
            carries_secret,
            |host| self.confirmed_hosts.iter().any(|h| h == host),
        )
        .map_err(|r| KmsError::refused(&r))
    }

    /// Signs and sends a KMS request body for `op`, with the standard retries.
    async fn call_body(&self, op: Operation, body: String) -> Result<Reply<RawResponse>, KmsError> {
        let sign = |now: i64| {
            sign_kms(
                &self.credentials,
                &self.endpoint.signing_region,
                &self.endpoint.url,
                op.name(),
                body.clone(),
                now,
            )
        };
        self.exchange(op, Some(op), &sign).await
    }

    /// CloudHSM v2 `DescribeClusters` (the client's endpoint must be CloudHSM's). It has its
    /// own quota, so the KMS limiter is not used; retries classify like a KMS read.
    pub async fn describe_clusters(
        &self,
        request: &DescribeClustersRequest,
    ) -> Result<Reply<DescribeClustersResponse>, KmsError> {
        let problems = request.problems();
        if !problems.is_empty() {
            return Err(KmsError::invalid_input(&problems));
        }
        self.allowed(Service::CloudHsm, false)?;
        let sign =
            |now: i64| sign_describe_clusters(&self.credentials, &self.endpoint, request, now);
        self.exchange(Operation::DescribeCustomKeyStores, None, &sign)
            .await?
            .parse(parse_describe_clusters)
    }

    // --- CloudWatch (the store's health) ---------------------------------------------------

    /// A CloudWatch call (the client's endpoint must be CloudWatch's: `monitoring_endpoint`):
    /// checked against the model's limits and `trust` (signed for `monitoring`), then sent with
    /// the standard retries. CloudWatch has its own quotas, so the KMS limiter is not used;
    /// retries classify like a KMS read. Error codes are CloudWatch's Query codes.
    pub fn call_cloudwatch<Req: Serialize + Validate, Out: FromJson>(
        &self,
        op: CwOperation,
        request: &Req,
    ) -> impl Future<Output = Result<Reply<Out>, KmsError>> + use<'_, Req, Out> {
        let body = self.cloudwatch_body(request);
        async move {
            self.cloudwatch_exchange(op, body?)
                .await
                .map_err(cloudwatch::normalize_error)?
                .parse(cloudwatch::parse_output)
        }
    }

    fn cloudwatch_body<Req: Serialize + Validate>(
        &self,
        request: &Req,
    ) -> Result<String, KmsError> {
        let problems = request.problems();
        if !problems.is_empty() {
            return Err(KmsError::invalid_input(&problems));
        }
        self.allowed(Service::Monitoring, false)?;
        Ok(to_body(request))
    }

    async fn cloudwatch_exchange(
        &self,
        op: CwOperation,
        body: String,
    ) -> Result<Reply<RawResponse>, KmsError> {
        let sign =
            |now: i64| cloudwatch::sign(&self.credentials, &self.endpoint, op, body.clone(), now);
        self.exchange(Operation::DescribeCustomKeyStores, None, &sign)
            .await
    }

    /// Sends with retries: `sign` signs for a given (skew-corrected) time; `lane` is the
    /// operation whose quota the call uses, if the limiter applies.
    async fn exchange(
        &self,
        op: Operation,
        lane: Option<Operation>,
        sign: &dyn Fn(i64) -> Result<SignedRequest, SignError>,
    ) -> Result<Reply<RawResponse>, KmsError> {
        let mut retry = Retry::default();
        loop {
            // Wait for this operation's share of the quota (5 per second, held after throttling).
            if let Some(op) = lane {
                let wait = self.shared.limiter.borrow_mut().reserve(op, now_ms());
                if wait > 0 {
                    sleep_ms(wait).await;
                }
            }
            let url = &self.endpoint.url;
            let signed_skew = self.shared.skew(url);
            let err = match self.attempt(lane, sign, signed_skew).await {
                Ok(reply) => {
                    self.shared.heard(&self.credentials.access_key_id, true);
                    return Ok(reply);
                }
                Err(e) => e,
            };
            match retry.after(&err, op, signed_skew, self.shared.skew(url), random01()) {
                Next::Resign => {}
                Next::Wait(ms) => sleep_ms(ms).await,
                Next::GiveUp => {
                    if err.kind.refuses_credentials() {
                        self.shared.heard(&self.credentials.access_key_id, false);
                    }
                    return Err(err);
                }
            }
        }
    }

    /// One signed request (its turn already taken), with the clock offset `skew`.
    async fn attempt(
        &self,
        lane: Option<Operation>,
        sign: &dyn Fn(i64) -> Result<SignedRequest, SignError>,
        skew: i64,
    ) -> Result<Reply<RawResponse>, KmsError> {
        // A request that cannot be signed is not a network failure: nothing to retry.
        let signed = sign(now_ms().saturating_add(skew))
            .map_err(|e| KmsError::not_signed(&e.to_string()))?;
        let sent = now_ms();
        let raw = send(&signed.url, &signed.headers, signed.body).await;
        let received = now_ms();
        let raw = raw?;
        let date = raw.date.clone();
        let result = Self::parse(raw);
        // Only a rejection for the clock teaches this endpoint's offset.
        let skew_rejection =
            matches!(&result, Err(e) if e.kind == crate::aws::error::ErrorKind::ClockSkew);
        self.shared.offsets.borrow_mut().learn(
            &self.endpoint.url,
            skew_rejection,
            date.as_deref(),
            sent,
            received,
        );
        if let Some(op) = lane {
            let mut limiter = self.shared.limiter.borrow_mut();
            match &result {
                Err(e) if e.kind == crate::aws::error::ErrorKind::Throttled => {
                    limiter.throttled(op, now_ms())
                }
                _ => limiter.answered(op),
            }
        }
        result
    }

    /// A success (its body still to be parsed) or the error the reply carries.
    fn parse(raw: RawResponse) -> Result<Reply<RawResponse>, KmsError> {
        if raw.too_large {
            return Err(KmsError::too_large(
                raw.status,
                raw.request_id,
                MAX_BODY_BYTES,
            ));
        }
        if (200..300).contains(&raw.status) {
            Ok(Reply {
                request_id: raw.request_id.clone(),
                output: raw,
            })
        } else {
            Err(KmsError::from_response(
                raw.status,
                raw.error_type.as_deref(),
                raw.request_id,
                &raw.body,
            )
            .with_query_error(raw.query_error.as_deref()))
        }
    }
}

async fn send(
    url: &str,
    headers: &[(String, String)],
    body: String,
) -> Result<RawResponse, KmsError> {
    let network = |detail: String| KmsError::network(&detail);
    let controller = AbortController::new()
        .map_err(|_| network("the browser cannot abort requests".to_string()))?;
    let abort = controller.clone();
    let timer = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || abort.abort());
    let mut builder = Request::post(url)
        // KMS answers CORS with `Allow-Origin: *`: never send cookies.
        .credentials(RequestCredentials::Omit)
        .abort_signal(Some(&controller.signal()));
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let request = builder.body(body).map_err(|e| network(e.to_string()))?;
    // A failure after the timer fired is the timeout, whatever the browser calls it.
    let failed = |detail: String| {
        network(if controller.signal().aborted() {
            format!("no answer within {} seconds", TIMEOUT_MS / 1000)
        } else {
            detail
        })
    };
    let response = request.send().await.map_err(|e| failed(e.to_string()))?;
    let h = response.headers();
    let body = read_limited(&response, MAX_BODY_BYTES)
        .await
        .map_err(failed)?;
    timer.cancel();
    // Stop a download that was not read to its end.
    if body.is_none() {
        controller.abort();
    }
    Ok(RawResponse {
        status: response.status(),
        request_id: h.get("x-amzn-requestid"),
        error_type: h.get("x-amzn-errortype"),
        query_error: h.get("x-amzn-query-error"),
        date: h.get("date"),
        too_large: body.is_none(),
        body: body
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default(),
    })
}

/// The body, read chunk by chunk up to `limit` bytes: `None` if it is larger (the rest is not
/// read, so a hostile endpoint cannot fill the tab's memory).
async fn read_limited(
    response: &gloo_net::http::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, String> {
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let Some(stream) = response.body() else {
        return Ok(Some(Vec::new()));
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let field = |o: &wasm_bindgen::JsValue, k: &str| {
        js_sys::Reflect::get(o, &wasm_bindgen::JsValue::from_str(k)).unwrap_or_default()
    };
    let mut out = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("the answer broke off ({})", js_text(&e)))?;
        if field(&chunk, "done").as_bool().unwrap_or(true) {
            return Ok(Some(out));
        }
        let bytes = js_sys::Uint8Array::new(&field(&chunk, "value"));
        let len = bytes.length() as usize;
        if out.len() + len > limit {
            let _ = reader.cancel();
            return Ok(None);
        }
        let start = out.len();
        out.resize(start + len, 0);
        bytes.copy_to(&mut out[start..]);
    }
}

fn js_text(v: &wasm_bindgen::JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

/// Fetches the local emulator's demo credentials (`GET /_emulator/credentials`).
pub async fn emulator_credentials(base_url: &str) -> Result<String, String> {
    let url = format!("{}/_emulator/credentials", base_url.trim_end_matches('/'));
    let response = Request::get(&url)
        .credentials(RequestCredentials::Omit)
        .send()
        .await
        .map_err(|e| {
            format!("the local emulator did not answer at {base_url} ({e}). Is it running?")
        })?;
    if !response.ok() {
        return Err(format!(
            "the local emulator answered HTTP {}",
            response.status()
        ));
    }
    response.text().await.map_err(|e| e.to_string())
}
