//! Calls KMS from the page: sign with the skew-corrected clock, `fetch`, read `Date` and the
//! request id, parse, and retry as the SDKs' standard mode does.

use super::{now_ms, random01, sleep_ms};
use crate::clock::offset_from;
use crate::cloudhsm::{
    DescribeClustersRequest, DescribeClustersResponse, parse_describe_clusters,
    sign_describe_clusters,
};
use crate::credentials::Credentials;
use crate::endpoint::Endpoint;
use crate::error::KmsError;
use crate::json::FromJson;
use crate::kms::{Operation, Validate, parse_output, to_body};
use crate::rate::Limiter;
use crate::retry::{Next, Retry};
use crate::sign::{SignError, SignedRequest, sign_kms};
use gloo_net::http::Request;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::{AbortController, RequestCredentials};

/// A request that has not answered by then is abandoned (and retried as a network error).
const TIMEOUT_MS: u32 = 30_000;

/// What every call of the page shares: the clock offset (server time minus local time) and
/// the request-rate limiter.
#[derive(Clone, Default)]
pub struct Shared {
    skew: Rc<Cell<i64>>,
    limiter: Rc<RefCell<Limiter>>,
}

impl Shared {
    pub fn skew(&self) -> i64 {
        self.skew.get()
    }
}

/// What a call needs: where, as whom, and the page's shared state.
#[derive(Clone)]
pub struct Client {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
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
    date: Option<String>,
    body: String,
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
    /// operation (a generic async exchange was compiled once per reply type).
    pub async fn call<Req: Serialize + Validate, Out: FromJson>(
        &self,
        op: Operation,
        request: &Req,
    ) -> Result<Reply<Out>, KmsError> {
        let problems = request.problems();
        if !problems.is_empty() {
            return Err(KmsError::invalid_input(&problems));
        }
        self.call_body(op, to_body(request))
            .await?
            .parse(parse_output)
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
        let sign =
            |now: i64| sign_describe_clusters(&self.credentials, &self.endpoint, request, now);
        self.exchange(Operation::DescribeCustomKeyStores, None, &sign)
            .await?
            .parse(parse_describe_clusters)
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
            let signed_skew = self.shared.skew();
            let err = match self.attempt(lane, sign, signed_skew).await {
                Ok(reply) => return Ok(reply),
                Err(e) => e,
            };
            match retry.after(&err, op, signed_skew, self.shared.skew(), random01()) {
                Next::Resign => {}
                Next::Wait(ms) => sleep_ms(ms).await,
                Next::GiveUp => return Err(err),
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
        let signed = sign(now_ms() + skew).map_err(|e| KmsError::network(&e.to_string()))?;
        let sent = now_ms();
        let raw = send(&signed.url, &signed.headers, signed.body).await;
        let received = now_ms();
        let raw = raw.map_err(|detail| KmsError::network(&detail))?;
        if let Some(offset) = raw
            .date
            .as_deref()
            .and_then(|d| offset_from(d, sent, received))
        {
            self.shared.skew.set(offset);
        }
        let result = Self::parse(raw);
        if let Some(op) = lane {
            let mut limiter = self.shared.limiter.borrow_mut();
            match &result {
                Err(e) if e.kind == crate::error::ErrorKind::Throttled => {
                    limiter.throttled(op, now_ms())
                }
                _ => limiter.answered(op),
            }
        }
        result
    }

    /// A success (its body still to be parsed) or the error the reply carries.
    fn parse(raw: RawResponse) -> Result<Reply<RawResponse>, KmsError> {
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
            ))
        }
    }
}

async fn send(
    url: &str,
    headers: &[(String, String)],
    body: String,
) -> Result<RawResponse, String> {
    let controller =
        AbortController::new().map_err(|_| "the browser cannot abort requests".to_string())?;
    let abort = controller.clone();
    let timer = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || abort.abort());
    let mut builder = Request::post(url)
        // KMS answers CORS with `Allow-Origin: *`: never send cookies.
        .credentials(RequestCredentials::Omit)
        .abort_signal(Some(&controller.signal()));
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let request = builder.body(body).map_err(|e| e.to_string())?;
    let response = request.send().await.map_err(|e| {
        if controller.signal().aborted() {
            format!("no answer within {} seconds", TIMEOUT_MS / 1000)
        } else {
            e.to_string()
        }
    })?;
    let h = response.headers();
    let raw = RawResponse {
        status: response.status(),
        request_id: h.get("x-amzn-requestid"),
        error_type: h.get("x-amzn-errortype"),
        date: h.get("date"),
        body: response.text().await.map_err(|e| e.to_string())?,
    };
    timer.cancel();
    Ok(raw)
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
