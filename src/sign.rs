//! SigV4 for KMS JSON requests, with aws-sigv4 doing the cryptography. Time is an argument
//! (epoch milliseconds, already skew-corrected by the caller): `SystemTime::now()` panics on wasm.

use crate::credentials::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use std::time::{Duration, UNIX_EPOCH};

/// A request ready for `fetch`: the URL exactly as signed, the headers to send (never `Host`:
/// the browser sets it from the URL, which is why the URL must be the one signed) and the body.
#[derive(Clone, Debug)]
pub struct SignedRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignError(pub String);

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not sign the request: {}", self.0)
    }
}

/// Signs a JSON 1.1 call (`X-Amz-Target: <target>`) for `service` in `region`.
pub fn sign_json(
    creds: &Credentials,
    service: &str,
    region: &str,
    url: &str,
    target: &str,
    body: String,
    now_ms: i64,
) -> Result<SignedRequest, SignError> {
    let content_type = ("content-type", "application/x-amz-json-1.1");
    let target_header = ("x-amz-target", target);
    let identity = aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        creds.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "cks-console",
    )
    .into();
    let time = UNIX_EPOCH + Duration::from_millis(u64::try_from(now_ms).unwrap_or(0));
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| SignError(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        [content_type, target_header].into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(|e| SignError(e.to_string()))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| SignError(e.to_string()))?
        .into_parts();
    let mut headers = vec![
        (content_type.0.to_string(), content_type.1.to_string()),
        (target_header.0.to_string(), target_header.1.to_string()),
    ];
    headers.extend(
        instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    Ok(SignedRequest {
        url: url.to_string(),
        headers,
        body,
    })
}

/// Signs a KMS call: service `kms`, signing region = the endpoint's region (also for FIPS hosts).
pub fn sign_kms(
    creds: &Credentials,
    region: &str,
    url: &str,
    operation: &str,
    body: String,
    now_ms: i64,
) -> Result<SignedRequest, SignError> {
    let target = format!("TrentService.{operation}");
    sign_json(creds, "kms", region, url, &target, body, now_ms)
}
