//! What goes back on the wire: AWS JSON 1.1 bodies, KMS errors with their HTTP status, and the
//! answers that are not KMS's at all (plain-text and HTML pages from a proxy, cut-off JSON) that
//! faults produce.

use crate::faults::{Action, ErrorBody, MalformedBody};
use crate::kms::{KmsFault, fault};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

pub const AMZ_JSON: &str = "application/x-amz-json-1.1";

fn with_type(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

pub fn json(status: StatusCode, body: String) -> Response {
    with_type(status, AMZ_JSON, body)
}

pub fn text(status: StatusCode, body: &str) -> Response {
    with_type(status, "text/plain; charset=utf-8", body.to_string())
}

/// The kind of page a load balancer or captive portal sends instead of KMS's JSON.
pub fn html(status: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    with_type(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center><hr><center>awselb/2.0</center></body></html>\n"
        ),
    )
}

/// KMS's status for an error: 500 for its internal error, 413 and 408 for requests the front
/// end refuses, 403 for the emulator's own refusals (`trust`), 400 for the rest.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "KMSInternalException" | "InternalFailure" | "CloudHsmInternalFailureException" => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        "RequestEntityTooLargeException" => StatusCode::PAYLOAD_TOO_LARGE,
        "RequestTimeoutException" => StatusCode::REQUEST_TIMEOUT,
        "ForbiddenHostException" | "ForbiddenOriginException" => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// KMS's errors carry `message`; CloudHSM's modelled errors carry `Message`, as its model says.
fn error_body(f: &KmsFault) -> String {
    if f.code.starts_with("CloudHsm") && !f.code.starts_with("CloudHsmCluster") {
        json!({"__type": f.code, "Message": f.message}).to_string()
    } else {
        json!({"__type": f.code, "message": f.message}).to_string()
    }
}

/// Whether an operation is CloudHSM's (its faults speak CloudHSM's errors).
fn cloudhsm(op: &str) -> bool {
    op == "DescribeClusters"
}

pub fn error(f: &KmsFault) -> Response {
    json(status_of(&f.code), error_body(f))
}

pub fn outcome(result: &Result<Value, KmsFault>) -> Response {
    match result {
        Ok(v) => json(StatusCode::OK, v.to_string()),
        Err(f) => error(f),
    }
}

pub fn throttling() -> KmsFault {
    fault(
        "ThrottlingException",
        "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
    )
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The answer for a fault other than a hang; `ran` is the operation's own result when it ran.
pub fn spoiled(action: &Action, op: &str, ran: Option<&Result<Value, KmsFault>>) -> Response {
    match action {
        Action::Throttle if cloudhsm(op) => error(&fault("ThrottlingException", "Rate exceeded")),
        Action::Throttle => error(&throttling()),
        Action::Error {
            status: s,
            body: ErrorBody::Json,
            code,
            ..
        } if cloudhsm(op) && code == "KMSInternalException" => json(
            status(*s),
            error_body(&fault(
                "CloudHsmInternalFailureException",
                "The request was rejected because of an AWS CloudHSM internal failure. The request can be retried.",
            )),
        ),
        Action::Error {
            status: s,
            body: ErrorBody::Json,
            code,
            message,
        } => json(status(*s), error_body(&fault(code, message.clone()))),
        Action::Error {
            status: s,
            body: ErrorBody::Text,
            ..
        } => text(status(*s), status(*s).canonical_reason().unwrap_or("Error")),
        Action::Error {
            status: s,
            body: ErrorBody::Html,
            ..
        } => html(status(*s)),
        Action::Malformed {
            status: s,
            body: MalformedBody::Html,
        } => html(status(*s)),
        Action::Malformed {
            status: s,
            body: MalformedBody::Truncated,
        } => {
            let whole = match ran {
                Some(Ok(v)) => v.to_string(),
                Some(Err(f)) => error_body(f),
                // What the answer would start with, had the operation run.
                None if op == "DescribeCustomKeyStores" => {
                    r#"{"CustomKeyStores":[{"ConnectionState":"CONNECTED","CustomKeyStoreId":"cks-"#
                        .to_string()
                }
                None if cloudhsm(op) => {
                    r#"{"Clusters":[{"ClusterId":"cluster-234abcdefgh","State":"ACTI"#.to_string()
                }
                None => "{}".to_string(),
            };
            json(status(*s), truncate(&whole))
        }
        Action::Hang { .. } => gateway_timeout(),
    }
}

/// What a load balancer answers when the service behind it never does.
pub fn gateway_timeout() -> Response {
    text(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout")
}

/// The first half of a JSON text, never valid JSON itself.
fn truncate(whole: &str) -> String {
    let mut cut = (whole.len() / 2).max(1).min(whole.len());
    while !whole.is_char_boundary(cut) {
        cut -= 1;
    }
    let part = &whole[..cut];
    if serde_json::from_str::<Value>(part).is_ok() {
        // `{}` cut in half is `{`; anything shorter than that still parses only if empty.
        return "{".to_string();
    }
    part.to_string()
}

// --- CloudWatch (AWS JSON 1.0, awsQueryCompatible) --------------------------------------------

pub const AMZ_JSON_1_0: &str = "application/x-amz-json-1.0";

/// A CloudWatch error code (its Query code) → the error shape named in `__type` and the status.
fn cloudwatch_shape(code: &str) -> (&str, StatusCode) {
    match code {
        "InvalidParameterValue" => ("InvalidParameterValueException", StatusCode::BAD_REQUEST),
        "MissingParameter" => ("MissingRequiredParameterException", StatusCode::BAD_REQUEST),
        "InvalidParameterCombination" => (
            "InvalidParameterCombinationException",
            StatusCode::BAD_REQUEST,
        ),
        "LimitExceeded" => ("LimitExceededFault", StatusCode::BAD_REQUEST),
        "InvalidNextToken" => ("InvalidNextToken", StatusCode::BAD_REQUEST),
        "InternalServiceError" => ("InternalServiceFault", StatusCode::INTERNAL_SERVER_ERROR),
        "AccessDenied" => ("AccessDeniedException", StatusCode::FORBIDDEN),
        "Throttling" => ("ThrottlingException", StatusCode::BAD_REQUEST),
        other => (other, status_of(other)),
    }
}

/// CloudWatch's error over JSON: the shape in `__type`, its Query code in
/// `x-amzn-query-error: <Code>;Sender` (`;Receiver` for a 5xx), which botocore prefers.
/// KMS's internal error, from a fault, reads as CloudWatch's.
pub fn cloudwatch_error(f: &KmsFault) -> Response {
    let code = if f.code == "KMSInternalException" || f.code == "InternalFailure" {
        "InternalServiceError"
    } else {
        f.code.as_str()
    };
    let (shape, status) = cloudwatch_shape(code);
    let member = if shape == "InternalServiceFault" {
        "Message"
    } else {
        "message"
    };
    let mut r = with_type(
        status,
        AMZ_JSON_1_0,
        json!({"__type": shape, member: f.message}).to_string(),
    );
    let side = if status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    if let Ok(v) = HeaderValue::from_str(&format!("{code};{side}")) {
        r.headers_mut().insert("x-amzn-query-error", v);
    }
    r
}

pub fn cloudwatch_outcome(result: &Result<Value, KmsFault>) -> Response {
    match result {
        Ok(v) => with_type(StatusCode::OK, AMZ_JSON_1_0, v.to_string()),
        Err(f) => cloudwatch_error(f),
    }
}

/// A fault's answer to a CloudWatch call: throttling and JSON errors in CloudWatch's words, the
/// rest (pages that are not JSON, cut-off bodies) as for any service.
pub fn cloudwatch_spoiled(
    action: &Action,
    op: &str,
    ran: Option<&Result<Value, KmsFault>>,
) -> Response {
    match action {
        Action::Throttle => cloudwatch_error(&fault("Throttling", "Rate exceeded")),
        Action::Error {
            body: ErrorBody::Json,
            code,
            message,
            ..
        } => cloudwatch_error(&fault(code, message.clone())),
        _ => spoiled(action, op, ran),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_bodies_never_parse() {
        for whole in ["{}", "{\"a\":1}", "{\"CustomKeyStores\":[]}", "é{}", "1234"] {
            let t = truncate(whole);
            assert!(serde_json::from_str::<Value>(&t).is_err(), "{whole} -> {t}");
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(status_of("KMSInternalException"), 500);
        assert_eq!(status_of("RequestEntityTooLargeException"), 413);
        assert_eq!(status_of("CustomKeyStoreNotFoundException"), 400);
        assert_eq!(status_of("ThrottlingException"), 400);
        assert_eq!(status_of("ForbiddenOriginException"), 403);
        let r = spoiled(
            &Action::Error {
                status: 503,
                body: ErrorBody::Html,
                code: String::new(),
                message: String::new(),
            },
            "DescribeCustomKeyStores",
            None,
        );
        assert_eq!(r.status(), 503);
        assert!(
            r.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
}
