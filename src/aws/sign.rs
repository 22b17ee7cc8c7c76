//! SigV4 for KMS JSON requests, with aws-sigv4 doing the cryptography. Time is an argument
//! (epoch milliseconds, already skew-corrected by the caller): `SystemTime::now()` panics on wasm.

use crate::aws::credentials::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use std::time::{Duration, UNIX_EPOCH};

/// A request ready for `fetch`: the URL exactly as signed, the headers to send (never `Host`:
/// the browser sets it from the URL, which is why the URL must be the one signed) and the body.
#[derive(Clone)]
pub struct SignedRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The signature, the session token and the body (which may hold a store secret) are never
/// printed: only the URL, the header names and the body's length.
impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("url", &self.url)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The latest time a signature can carry (9999-12-31T23:59:59.999Z): a clock offset read from a
/// hostile `Date` can never push the signing time past what a date can hold.
pub const MAX_SIGNING_MS: i64 = 253_402_300_799_999;

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
    sign_json_with(
        creds,
        service,
        region,
        url,
        target,
        "application/x-amz-json-1.1",
        body,
        now_ms,
    )
}

/// Signs an AWS JSON call with the given `Content-Type` (`application/x-amz-json-1.0` for
/// CloudWatch, 1.1 for KMS and CloudHSM).
#[allow(clippy::too_many_arguments)]
pub fn sign_json_with(
    creds: &Credentials,
    service: &str,
    region: &str,
    url: &str,
    target: &str,
    content_type: &str,
    body: String,
    now_ms: i64,
) -> Result<SignedRequest, SignError> {
    let content_type = ("content-type", content_type);
    let target_header = ("x-amz-target", target);
    let identity = aws_credential_types::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        creds.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "cks-console",
    )
    .into();
    let time = UNIX_EPOCH + Duration::from_millis(now_ms.clamp(0, MAX_SIGNING_MS) as u64);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::credentials::Credentials;

    fn creds() -> Credentials {
        Credentials::from_fields(
            "ASIAEXAMPLEEXAMPLE01",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "token-secret-value",
        )
        .unwrap()
    }

    #[test]
    fn no_time_makes_signing_panic() {
        for t in [
            i64::MIN,
            -1,
            0,
            MAX_SIGNING_MS,
            MAX_SIGNING_MS + 1,
            i64::MAX,
        ] {
            let r = sign_kms(
                &creds(),
                "us-east-1",
                "https://kms.us-east-1.amazonaws.com/",
                "DescribeCustomKeyStores",
                "{}".into(),
                t,
            );
            assert!(r.is_ok(), "{t}: {r:?}");
        }
    }

    #[test]
    fn debug_hides_the_signature_token_and_body() {
        let r = sign_kms(
            &creds(),
            "us-east-1",
            "https://kms.us-east-1.amazonaws.com/",
            "CreateCustomKeyStore",
            r#"{"KeyStorePassword":"kmsuser-password"}"#.into(),
            1_700_000_000_000,
        )
        .unwrap();
        let text = format!("{r:?}");
        for secret in ["token-secret-value", "kmsuser-password", "Signature="] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("authorization"), "{text}");
    }
}
