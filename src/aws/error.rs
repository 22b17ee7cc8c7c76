//! A failed call, as the user and the retry loop need it: the wire code (sanitised as the
//! Smithy awsJson spec says), the message, the request id, and a kind that decides what the UI
//! says and whether to retry.

use crate::aws::kms::Operation;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsError {
    /// The error code, e.g. `CustomKeyStoreInvalidStateException`, `NetworkError`, `HTTP 502`.
    pub code: String,
    pub message: String,
    /// HTTP status, absent when no response arrived.
    pub status: Option<u16>,
    /// `x-amzn-RequestId`, for the user to quote to AWS Support or find in CloudTrail.
    pub request_id: Option<String>,
    pub kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The session token has expired: paste fresh credentials.
    Expired,
    /// KMS does not know the access key or token.
    Unrecognised,
    /// The signature did not match: usually a wrong secret.
    BadSignature,
    /// The request time was too far from KMS's clock.
    ClockSkew,
    /// An IAM policy denies the action (named, when the message names it).
    AccessDenied {
        action: Option<String>,
    },
    Throttled,
    ServerFault,
    /// No HTTP response: CORS, DNS, offline, a blocked request or a timeout.
    Network,
    InvalidState,
    NotFound,
    Validation,
    /// A response that is not what KMS sends (HTML, truncated JSON).
    Malformed,
    Other,
}

impl ErrorKind {
    /// AWS refused the credentials themselves (expired, unknown, a wrong secret): only new
    /// credentials cure it.
    pub fn refuses_credentials(&self) -> bool {
        matches!(
            self,
            Self::Expired | Self::Unrecognised | Self::BadSignature
        )
    }
}

/// How a retry should back off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryClass {
    Throttling,
    Transient,
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
];

/// Codes the SDKs treat as possible clock skew (re-sign once when the measured skew is large).
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "AccessDeniedException",
    "AuthFailure",
    "InvalidSignatureException",
    "RequestExpired",
    "RequestInTheFuture",
    "RequestTimeTooSkewed",
    "SignatureDoesNotMatch",
];

/// Longest error code kept (KMS's are under 60 characters): a hostile endpoint cannot flood
/// the page or a report.
pub const MAX_CODE_CHARS: usize = 100;
/// Longest error message kept (KMS's are a few hundred characters).
pub const MAX_MESSAGE_CHARS: usize = 1000;
/// Longest request id kept (KMS's are 36).
pub const MAX_REQUEST_ID_CHARS: usize = 100;

/// Keeps what is before the first `:` and then what is after the last `#`, cut to
/// [`MAX_CODE_CHARS`].
pub fn sanitize_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or("");
    let code = before_colon.rsplit('#').next().unwrap_or("");
    cut(code.trim(), MAX_CODE_CHARS)
}

/// At most `max` characters of `text`, with `…` when cut; control characters become spaces.
pub fn cut(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

impl KmsError {
    /// Builds the error from a non-2xx response.
    pub fn from_response(
        status: u16,
        error_type_header: Option<&str>,
        request_id: Option<String>,
        body: &str,
    ) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
        let field = |names: &[&str]| -> Option<String> {
            let obj = json.as_ref()?.as_object()?;
            names.iter().find_map(|n| {
                obj.iter()
                    .find(|(k, _)| k.as_str() == *n)
                    .and_then(|(_, v)| v.as_str().map(str::to_string))
            })
        };
        let code = field(&["__type", "code", "Code"])
            .or_else(|| error_type_header.map(str::to_string))
            .map(|c| sanitize_code(&c))
            .filter(|c| !c.is_empty());
        let message =
            field(&["message", "Message", "errorMessage"]).map(|m| cut(&m, MAX_MESSAGE_CHARS));
        let request_id = request_id.map(|r| cut(&r, MAX_REQUEST_ID_CHARS));
        let (code, message, malformed) = match (code, message) {
            (Some(c), m) => (c, m.unwrap_or_default(), false),
            (None, Some(m)) => (format!("HTTP {status}"), m, false),
            (None, None) => {
                let summary = summarize_body(body);
                let msg = if summary.is_empty() {
                    format!("The endpoint answered HTTP {status} with an empty body.")
                } else {
                    format!(
                        "The endpoint answered HTTP {status} with a body that is not an AWS JSON error: {summary}"
                    )
                };
                (format!("HTTP {status}"), msg, json.is_none())
            }
        };
        let kind = classify(&code, &message, Some(status), malformed);
        Self {
            code,
            message,
            status: Some(status),
            request_id,
            kind,
        }
    }

    /// A fetch that threw: no response at all.
    pub fn network(detail: &str) -> Self {
        let detail = cut(detail, 200);
        Self {
            code: "NetworkError".to_string(),
            message: format!(
                "No response from the endpoint ({detail}). Likely causes: a wrong region or endpoint URL, \
                 the endpoint not answering CORS for this page, no network, or a browser extension blocking the request."
            ),
            status: None,
            request_id: None,
            kind: ErrorKind::Network,
        }
    }

    /// A call the page did not send: the form cannot make a client (credentials, region or
    /// endpoint incomplete).
    pub fn not_sent(why: &str) -> Self {
        Self {
            code: "NotSent".to_string(),
            message: format!("Not sent: {why}"),
            status: None,
            request_id: None,
            kind: ErrorKind::Validation,
        }
    }

    /// A request the page could not sign (an unusable key or time): not sent, and never retried.
    pub fn not_signed(why: &str) -> Self {
        Self {
            code: "NotSigned".to_string(),
            message: format!("Not sent: {}", cut(why, MAX_MESSAGE_CHARS)),
            status: None,
            request_id: None,
            kind: ErrorKind::Validation,
        }
    }

    /// A request the trust rules keep from its endpoint (`trust::check`).
    pub fn refused(why: &crate::aws::trust::Refusal) -> Self {
        Self {
            code: "NotSentToThisHost".to_string(),
            message: format!("Not sent: {why}"),
            status: None,
            request_id: None,
            kind: ErrorKind::Validation,
        }
    }

    /// An answer whose body is larger than the client reads (`MAX_BODY_BYTES`).
    pub fn too_large(status: u16, request_id: Option<String>, limit: usize) -> Self {
        Self {
            code: "ResponseTooLarge".to_string(),
            message: format!(
                "The endpoint answered HTTP {status} with a body larger than {} KiB, which no answer of KMS, CloudHSM or CloudWatch is: the rest was not read.",
                limit / 1024
            ),
            status: Some(status),
            request_id: request_id.map(|r| cut(&r, MAX_REQUEST_ID_CHARS)),
            kind: ErrorKind::Malformed,
        }
    }

    /// A request that breaks the model's limits: refused before it is sent.
    pub fn invalid_input(problems: &[crate::aws::limits::Problem]) -> Self {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        Self {
            code: "InvalidInput".to_string(),
            message: format!("Not sent: {}", list.join(" ")),
            status: None,
            request_id: None,
            kind: ErrorKind::Validation,
        }
    }

    /// A 2xx response whose body could not be read as the operation's output.
    pub fn malformed(status: u16, request_id: Option<String>, problem: &str, body: &str) -> Self {
        Self {
            code: "MalformedResponse".to_string(),
            message: format!(
                "The endpoint answered HTTP {status}, but {problem}. Body: {}",
                summarize_body(body)
            ),
            status: Some(status),
            request_id: request_id.map(|r| cut(&r, MAX_REQUEST_ID_CHARS)),
            kind: ErrorKind::Malformed,
        }
    }

    /// An `awsQueryCompatible` service's `x-amzn-query-error` header (`Code;Sender`): its code
    /// wins over `__type`, as in botocore; the kind is decided again from it.
    pub fn with_query_error(mut self, header: Option<&str>) -> Self {
        let Some(code) = header.and_then(code_from_query_error) else {
            return self;
        };
        let code = sanitize_code(code);
        if !code.is_empty() && code != self.code {
            self.kind = classify(&code, &self.message, self.status, false);
            self.code = code;
        }
        self
    }

    /// Whether the standard retry mode retries this error, and how it backs off.
    /// `LimitExceededException` from a Create (store, key, alias) means a quota, not a rate:
    /// never retried.
    pub fn retry_class(&self, op: Operation) -> Option<RetryClass> {
        match self.kind {
            ErrorKind::Throttled
                if self.code == "LimitExceededException" && op.creates_resource() =>
            {
                None
            }
            ErrorKind::Throttled => Some(RetryClass::Throttling),
            ErrorKind::ServerFault | ErrorKind::Network => Some(RetryClass::Transient),
            _ => None,
        }
    }

    /// Whether this error may come from a skewed clock (then one re-signed retry is allowed
    /// when the measured offset is above the threshold).
    pub fn may_be_clock_skew(&self) -> bool {
        self.kind == ErrorKind::ClockSkew || CLOCK_SKEW_CODES.contains(&self.code.as_str())
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

fn classify(code: &str, message: &str, status: Option<u16>, malformed: bool) -> ErrorKind {
    let lower = message.to_ascii_lowercase();
    match code {
        "ExpiredTokenException" | "ExpiredToken" => ErrorKind::Expired,
        "UnrecognizedClientException" | "InvalidClientTokenId" | "MissingAuthenticationToken" => {
            ErrorKind::Unrecognised
        }
        "InvalidSignatureException" | "SignatureDoesNotMatch" | "IncompleteSignatureException"
            if lower.contains("signature expired")
                || lower.contains("not yet current")
                || lower.contains("too skewed") =>
        {
            ErrorKind::ClockSkew
        }
        // RequestExpired: signed "more than 15 minutes after the date stamp", the clock's doing.
        "RequestTimeTooSkewed" | "RequestInTheFuture" | "RequestExpired" => ErrorKind::ClockSkew,
        "InvalidSignatureException" | "SignatureDoesNotMatch" | "IncompleteSignatureException" => {
            ErrorKind::BadSignature
        }
        "AccessDeniedException" | "AccessDenied" => ErrorKind::AccessDenied {
            action: denied_action(message),
        },
        "CustomKeyStoreInvalidStateException" => ErrorKind::InvalidState,
        "CustomKeyStoreNotFoundException" => ErrorKind::NotFound,
        "ValidationException"
        | "InvalidMarkerException"
        | "SerializationException"
        | "InvalidParameterValue"
        | "InvalidParameterCombination"
        | "MissingParameter"
        | "InvalidNextToken" => ErrorKind::Validation,
        "KMSInternalException"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "InternalServiceError" => ErrorKind::ServerFault,
        c if THROTTLING_CODES.contains(&c) => ErrorKind::Throttled,
        _ => match status {
            Some(429) => ErrorKind::Throttled,
            Some(s) if s >= 500 => ErrorKind::ServerFault,
            _ if malformed => ErrorKind::Malformed,
            _ => ErrorKind::Other,
        },
    }
}

/// `... is not authorized to perform: kms:ConnectCustomKeyStore on resource ...` → the action
/// (of KMS, CloudHSM or CloudWatch).
fn denied_action(message: &str) -> Option<String> {
    let i = ["kms:", "cloudhsm:", "cloudwatch:"]
        .iter()
        .filter_map(|p| message.find(p).map(|i| (i, p.len())))
        .min()?;
    let action: String = message[i.0..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect();
    (action.len() > i.1).then_some(action)
}

/// The first line of a body, tags stripped, at most 200 characters: enough to recognise an
/// HTML error page or a proxy's message without flooding the panel.
fn summarize_body(body: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(if c.is_control() { ' ' } else { c }),
            _ => {}
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    cut(&words.join(" "), 200)
}

/// `x-amzn-query-error: <Code>;<Sender|Receiver>` → the code (as botocore reads it: two parts,
/// the first not empty).
pub fn code_from_query_error(header: &str) -> Option<&str> {
    match header.split(';').collect::<Vec<_>>().as_slice() {
        [code, _] if !code.trim().is_empty() => Some(code.trim()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sanitised_from_every_place() {
        for raw in [
            "FooError",
            "FooError:http://internal.amazon.com/coral/x",
            "aws.protocoltests.restjson#FooError",
            "a.b#FooError:http://x",
        ] {
            assert_eq!(sanitize_code(raw), "FooError");
        }
        let e = KmsError::from_response(
            400,
            None,
            None,
            r#"{"code":"com.amazonaws.kms#CustomKeyStoreNotFoundException","Message":"gone"}"#,
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), &e.kind),
            (
                "CustomKeyStoreNotFoundException",
                "gone",
                &ErrorKind::NotFound
            )
        );
        let e = KmsError::from_response(400, Some("ThrottlingException:http://x"), None, "");
        assert_eq!(e.kind, ErrorKind::Throttled);
    }

    #[test]
    fn non_json_bodies_still_explain() {
        let e = KmsError::from_response(
            502,
            None,
            Some("rid".into()),
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        );
        assert_eq!(e.code, "HTTP 502");
        assert!(e.message.contains("502 Bad Gateway"), "{}", e.message);
        assert_eq!(e.kind, ErrorKind::ServerFault);
        assert_eq!(
            e.retry_class(Operation::DescribeCustomKeyStores),
            Some(RetryClass::Transient)
        );
        let e = KmsError::from_response(400, None, None, "");
        assert!(e.message.contains("empty body"));
    }

    #[test]
    fn hostile_codes_and_messages_are_cut() {
        let long = "x".repeat(100_000);
        let body = format!(r#"{{"__type":"{long}","message":"{long}"}}"#);
        let e = KmsError::from_response(400, None, Some(long.clone()), &body);
        assert_eq!(e.code.chars().count(), MAX_CODE_CHARS + 1);
        assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(
            e.request_id.unwrap().chars().count(),
            MAX_REQUEST_ID_CHARS + 1
        );
        let e = KmsError::from_response(400, Some(&long), None, "");
        assert!(e.code.chars().count() <= MAX_CODE_CHARS + 1);
        assert_eq!(cut("ab\u{7}c", 10), "ab c");
        assert!(KmsError::network(&long).message.chars().count() < 600);
        // Not sent, not retried.
        let e = KmsError::not_signed("bad key");
        assert_eq!(e.retry_class(Operation::DescribeCustomKeyStores), None);
        assert!(!e.may_be_clock_skew());
        let e = KmsError::too_large(200, None, 1 << 20);
        assert!(e.message.contains("1024 KiB"), "{}", e.message);
    }

    #[test]
    fn auth_kinds() {
        let skew = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20190430T075732Z is now earlier than 20190430T105409Z (20190430T105909Z - 5 min.)"}"#,
        );
        assert_eq!(skew.kind, ErrorKind::ClockSkew);
        // "more than 15 minutes after the date stamp": the clock, not the credentials.
        let expired_request = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"RequestExpired","message":"Request has expired."}"#,
        );
        assert_eq!(expired_request.kind, ErrorKind::ClockSkew);
        let denied = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::111122223333:user/x is not authorized to perform: kms:ConnectCustomKeyStore on resource: arn"}"#,
        );
        assert_eq!(
            denied.kind,
            ErrorKind::AccessDenied {
                action: Some("kms:ConnectCustomKeyStore".into())
            }
        );
        let limit = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"LimitExceededException","message":"too many"}"#,
        );
        assert_eq!(limit.retry_class(Operation::CreateCustomKeyStore), None);
        assert_eq!(
            limit.retry_class(Operation::DescribeCustomKeyStores),
            Some(RetryClass::Throttling)
        );
    }
}
