//! SigV4 verification as KMS does it: find the caller's key, check the token, the expiry, the
//! request time (±5 minutes) and the scope (region, and the signing name of the service the
//! target belongs to: `kms` or `cloudhsm`), then recompute the signature with aws-sigv4 over
//! exactly the headers the client says it signed.

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::HeaderMap;
use std::borrow::Cow;
use std::time::{Duration, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct Key {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// Epoch milliseconds.
    pub expires_at_ms: Option<i64>,
    /// IAM actions this identity may not call (`kms:...`, `cloudhsm:...`).
    pub deny: Vec<String>,
}

/// A rejection, as KMS words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: &'static str,
    pub message: String,
}

fn reject(code: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        code,
        message: message.into(),
    }
}

const TOLERANCE_MS: i64 = 5 * 60_000;

/// Verifies a request signed for `service` (`kms` or `cloudhsm`) in `region`; returns the key
/// that signed it.
pub fn verify<'k>(
    keys: &'k [Key],
    region: &str,
    service: &str,
    headers: &HeaderMap,
    path_and_query: &str,
    body: &[u8],
    now_ms: i64,
) -> Result<&'k Key, Rejection> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let auth = header("authorization").ok_or_else(|| {
        reject(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    })?;
    let rest = auth.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        reject(
            "IncompleteSignatureException",
            format!(
                "Unsupported authorization type: '{}'",
                auth.split(' ').next().unwrap_or("")
            ),
        )
    })?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        let (k, v) = part.split_once('=').ok_or_else(|| {
            reject("IncompleteSignatureException", format!("'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."))
        })?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed_headers = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(reject(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
        ));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, date, scope_region, scope_service, terminator] = scope.as_slice() else {
        return Err(reject(
            "IncompleteSignatureException",
            format!("Credential should have 5 parts: '{credential}'."),
        ));
    };
    let key = keys
        .iter()
        .find(|k| k.access_key_id == *akid)
        .ok_or_else(|| {
            reject(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        })?;
    if key.session_token.as_deref() != header("x-amz-security-token") {
        return Err(reject(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    }
    if key.expires_at_ms.is_some_and(|e| e <= now_ms) {
        return Err(reject(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        ));
    }
    let amz_date = header("x-amz-date").ok_or_else(|| {
        reject(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let request_ms = parse_amz_date(amz_date).ok_or_else(|| {
        reject(
            "IncompleteSignatureException",
            format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
        )
    })?;
    if request_ms < now_ms - TOLERANCE_MS {
        return Err(reject(
            "InvalidSignatureException",
            format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
                amz(now_ms - TOLERANCE_MS),
                amz(now_ms)
            ),
        ));
    }
    if request_ms > now_ms + TOLERANCE_MS {
        return Err(reject(
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
                amz(now_ms + TOLERANCE_MS),
                amz(now_ms)
            ),
        ));
    }
    if *date != &amz_date[..8.min(amz_date.len())]
        || *scope_service != service
        || *terminator != "aws4_request"
        || *scope_region != region
    {
        return Err(reject(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, service and date: expected {}/{region}/{service}/aws4_request, got {date}/{scope_region}/{scope_service}/{terminator}.",
                &amz_date[..8.min(amz_date.len())]
            ),
        ));
    }
    // Recompute over the headers the client signed (the signer adds the date and token itself).
    let mut signed: Vec<(&str, String)> = Vec::new();
    for name in signed_headers.split(';') {
        if name == "x-amz-date" || name == "x-amz-security-token" {
            continue;
        }
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(reject(
                "InvalidSignatureException",
                format!(
                    "The request signature we calculated does not match the signature you provided. Signed header '{name}' is missing."
                ),
            ));
        }
        signed.push((name, values.join(",")));
    }
    let host = header("host").unwrap_or("localhost");
    let uri = format!("http://{host}{path_and_query}");
    let identity = aws_credential_types::Credentials::new(
        key.access_key_id.clone(),
        key.secret_access_key.clone(),
        key.session_token.clone(),
        None,
        "kms-emulator",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.excluded_headers = Some(vec![Cow::Borrowed("authorization")]);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(UNIX_EPOCH + Duration::from_millis(request_ms.max(0) as u64))
        .settings(settings)
        .build()
        .map_err(|e| reject("InternalFailure", e.to_string()))?
        .into();
    let mismatch = || {
        reject(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )
    };
    let signable = SignableRequest::new(
        "POST",
        uri,
        signed.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|_| mismatch())?;
    let (_, expected) = sign(signable, &params)
        .map_err(|_| mismatch())?
        .into_parts();
    if expected != signature {
        return Err(mismatch());
    }
    Ok(key)
}

/// `20150830T123600Z` → epoch milliseconds.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    if s.len() != 16 || !s.is_ascii() || s.get(8..9) != Some("T") || !s.ends_with('Z') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<u16>().ok();
    let month = time::Month::try_from(n(4..6)? as u8).ok()?;
    let date = time::Date::from_calendar_date(n(0..4)? as i32, month, n(6..8)? as u8).ok()?;
    let t = time::Time::from_hms(n(9..11)? as u8, n(11..13)? as u8, n(13..15)? as u8).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp()
            * 1000,
    )
}

/// Epoch milliseconds → `20150830T123600Z`.
pub fn amz(ms: i64) -> String {
    utc(ms, "", "", "Z")
}

/// Epoch milliseconds → `2015-08-30T12:36:00+00:00`.
pub fn iso8601(ms: i64) -> String {
    utc(ms, "-", ":", "+00:00")
}

/// Epoch milliseconds as a UTC date and time, with these separators and zone.
fn utc(ms: i64, date_sep: &str, time_sep: &str, zone: &str) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{date_sep}{:02}{date_sep}{:02}T{:02}{time_sep}{:02}{time_sep}{:02}{zone}",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_aws_writes_them() {
        assert_eq!(amz(1_440_938_160_999), "20150830T123600Z");
        assert_eq!(iso8601(1_440_938_160_000), "2015-08-30T12:36:00+00:00");
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160_000));
    }
}
