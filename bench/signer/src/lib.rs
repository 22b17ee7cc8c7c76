//! Benchmark only: the console's KMS signer (`cks_console::aws::sign::sign_kms`, the code the page
//! runs before every request) exported to JavaScript, so `bench/sign/` can time it against the
//! AWS SDK's browser signer on identical requests in the same page.

use cks_console::aws::credentials::Credentials;
use cks_console::aws::date::civil_from_days;
use cks_console::aws::sign::{SignedRequest, sign_kms};
use wasm_bindgen::prelude::*;

/// A signer with fixed credentials, region and endpoint, as the page's client holds them.
#[wasm_bindgen]
pub struct Signer {
    credentials: Credentials,
    region: String,
    url: String,
}

impl Signer {
    /// `sign_kms` exactly as the page's client calls it.
    fn sign_once(
        &self,
        operation: &str,
        body: &str,
        now_ms: f64,
    ) -> Result<SignedRequest, JsError> {
        sign_kms(
            &self.credentials,
            &self.region,
            &self.url,
            operation,
            body.to_string(),
            now_ms as i64,
        )
        .map_err(|e| JsError::new(&e.to_string()))
    }
}

#[wasm_bindgen]
impl Signer {
    #[wasm_bindgen(constructor)]
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
        region: &str,
        url: &str,
    ) -> Result<Signer, JsError> {
        let credentials = Credentials::from_fields(access_key_id, secret_access_key, session_token)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Signer {
            credentials,
            region: region.to_string(),
            url: url.to_string(),
        })
    }

    /// Signs one KMS call (`operation`, JSON `body`, at `now_ms`) and returns the headers to
    /// send as a flat `[name, value, name, value, ...]` list: one call per signature, so the
    /// JS↔wasm crossing (the body in, the headers out) is part of what is timed.
    pub fn sign(&self, operation: &str, body: &str, now_ms: f64) -> Result<Vec<String>, JsError> {
        let signed = self.sign_once(operation, body, now_ms)?;
        Ok(signed
            .headers
            .into_iter()
            .flat_map(|(k, v)| [k, v])
            .collect())
    }

    /// Signs the same call `n` times inside wasm (no crossing per signature) and returns the
    /// summed length of the Authorization headers, so the work cannot be optimised away.
    pub fn sign_many(
        &self,
        n: u32,
        operation: &str,
        body: &str,
        now_ms: f64,
    ) -> Result<f64, JsError> {
        let mut total = 0usize;
        for _ in 0..n {
            let signed = self.sign_once(operation, body, now_ms)?;
            total += signed
                .headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map_or(0, |(_, v)| v.len());
        }
        Ok(total as f64)
    }
}

/// Where the time goes: `n` signing-key derivations (4 HMAC-SHA256s, what `sign_kms` does on
/// every call) with aws-sigv4's own function. Returns a checksum.
#[wasm_bindgen]
pub fn derive_key_many(n: u32, now_ms: f64) -> f64 {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(now_ms as u64);
    let mut total = 0u32;
    for _ in 0..n {
        let key = aws_sigv4::sign::v4::generate_signing_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            time,
            "us-east-1",
            "kms",
        );
        total = total.wrapping_add(key.as_ref()[0] as u32);
    }
    total as f64
}

/// Where the time goes: `n` SHA-256 hashes of `len` bytes, hex-encoded (the payload and the
/// canonical request are hashed so on every call). Returns a checksum.
#[wasm_bindgen]
pub fn sha256_many(n: u32, len: u32) -> f64 {
    use sha2::Digest;
    let data = vec![b'a'; len as usize];
    let mut total = 0u32;
    for _ in 0..n {
        total = total.wrapping_add(hex::encode(sha2::Sha256::digest(&data)).len() as u32);
    }
    total as f64
}

/// A prototype, not the app's signer: SigV4 for KMS's JSON POSTs with the signing key cached
/// per day (as the AWS SDKs do) and the canonical request written directly for the fixed header
/// set (`content-type;host;x-amz-date;x-amz-security-token;x-amz-target`). It shows what
/// `src/aws/sign.rs` could reach; `sign` must give the same headers as `Signer::sign`.
#[wasm_bindgen]
pub struct CachedSigner {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    region: String,
    host: String,
    path: String,
    key: std::cell::RefCell<Option<(String, Vec<u8>)>>,
}

#[wasm_bindgen]
impl CachedSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
        region: &str,
        url: &str,
    ) -> CachedSigner {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        CachedSigner {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: session_token.to_string(),
            region: region.to_string(),
            host: host.to_string(),
            path: format!("/{path}"),
            key: std::cell::RefCell::new(None),
        }
    }

    pub fn sign(&self, operation: &str, body: &str, now_ms: f64) -> Vec<String> {
        use sha2::Digest;
        let amz_date = amz_date(now_ms as i64);
        let day = &amz_date[..8];
        let mut cache = self.key.borrow_mut();
        if cache.as_ref().is_none_or(|(d, _)| d != day) {
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(now_ms as u64);
            let key = aws_sigv4::sign::v4::generate_signing_key(
                &self.secret_access_key,
                time,
                &self.region,
                "kms",
            );
            *cache = Some((day.to_string(), key.as_ref().to_vec()));
        }
        let key = &cache.as_ref().expect("just set").1;
        let target = format!("TrentService.{operation}");
        let signed_headers = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target";
        let canonical = format!(
            "POST\n{}\n\ncontent-type:application/x-amz-json-1.1\nhost:{}\nx-amz-date:{}\nx-amz-security-token:{}\nx-amz-target:{}\n\n{}\n{}",
            self.path,
            self.host,
            amz_date,
            self.session_token,
            target,
            signed_headers,
            hex::encode(sha2::Sha256::digest(body.as_bytes()))
        );
        let scope = format!("{day}/{}/kms/aws4_request", self.region);
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex::encode(sha2::Sha256::digest(canonical.as_bytes()))
        );
        let signature = aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes());
        vec![
            "content-type".into(),
            "application/x-amz-json-1.1".into(),
            "x-amz-target".into(),
            target,
            "x-amz-date".into(),
            amz_date.clone(),
            "authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
                self.access_key_id
            ),
            "x-amz-security-token".into(),
            self.session_token.clone(),
        ]
    }
}

/// `YYYYMMDDTHHMMSSZ` for epoch milliseconds (proleptic Gregorian, UTC).
fn amz_date(now_ms: i64) -> String {
    let secs = now_ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
