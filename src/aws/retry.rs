//! What to do after a failed attempt, as the AWS SDKs' standard retry mode does: at most three
//! attempts with "full jitter" backoff, plus one immediate re-sign when the clock was skewed.

use crate::aws::clock::SKEW_RETRY_THRESHOLD_MS;
use crate::aws::error::{KmsError, RetryClass};
use crate::aws::kms::Operation;

/// At most three attempts in all.
pub const MAX_ATTEMPTS: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Sign again with the corrected clock and send at once (does not count as an attempt).
    Resign,
    /// Wait this many milliseconds, then try again.
    Wait(u64),
    GiveUp,
}

/// The retry state of one call.
#[derive(Clone, Debug, Default)]
pub struct Retry {
    attempts: u32,
    resigned_for_skew: bool,
}

impl Retry {
    /// Decides after a failed attempt. `signed_skew_ms` is the clock offset the attempt was
    /// signed with, `skew_ms` the offset measured now (updated from this response's `Date`),
    /// `rand01` a uniform number in [0, 1). A re-sign helps only when the offset moved: with
    /// the offset already applied, a genuine AccessDenied would just be asked again.
    pub fn after(
        &mut self,
        err: &KmsError,
        op: Operation,
        signed_skew_ms: i64,
        skew_ms: i64,
        rand01: f64,
    ) -> Next {
        if err.may_be_clock_skew()
            && !self.resigned_for_skew
            && (skew_ms - signed_skew_ms).abs() > SKEW_RETRY_THRESHOLD_MS
        {
            self.resigned_for_skew = true;
            return Next::Resign;
        }
        self.attempts += 1;
        match err.retry_class(op) {
            Some(class) if self.attempts < MAX_ATTEMPTS => {
                Next::Wait(backoff_ms(class, self.attempts - 1, rand01))
            }
            _ => Next::GiveUp,
        }
    }
}

/// `rand * min(base * 2^attempt, 20 s)`, base 1 s for throttling and 50 ms otherwise.
pub fn backoff_ms(class: RetryClass, attempt: u32, rand01: f64) -> u64 {
    let base: u64 = match class {
        RetryClass::Throttling => 1000,
        RetryClass::Transient => 50,
    };
    let cap = base.saturating_mul(1u64 << attempt.min(20)).min(20_000);
    (rand01.clamp(0.0, 1.0) * cap as f64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str, status: u16) -> KmsError {
        KmsError::from_response(status, None, None, body)
    }

    #[test]
    fn backoff_is_capped_full_jitter() {
        assert_eq!(backoff_ms(RetryClass::Throttling, 0, 0.5), 500);
        assert_eq!(backoff_ms(RetryClass::Transient, 1, 0.999_999), 99);
        assert_eq!(backoff_ms(RetryClass::Throttling, 10, 1.0), 20_000);
    }

    #[test]
    fn three_attempts_for_transient_errors_none_for_client_errors() {
        let op = Operation::DescribeCustomKeyStores;
        let mut r = Retry::default();
        let throttled = err(r#"{"__type":"ThrottlingException"}"#, 400);
        assert_eq!(r.after(&throttled, op, 0, 0, 0.5), Next::Wait(500));
        assert_eq!(r.after(&throttled, op, 0, 0, 0.5), Next::Wait(1000));
        assert_eq!(r.after(&throttled, op, 0, 0, 0.5), Next::GiveUp);
        let mut r = Retry::default();
        assert_eq!(
            r.after(
                &err(r#"{"__type":"CustomKeyStoreInvalidStateException"}"#, 400),
                op,
                0,
                0,
                0.5
            ),
            Next::GiveUp
        );
        let mut r = Retry::default();
        assert_eq!(
            r.after(&KmsError::network("Failed to fetch"), op, 0, 0, 0.0),
            Next::Wait(0)
        );
        let mut r = Retry::default();
        let quota = err(r#"{"__type":"LimitExceededException"}"#, 400);
        assert_eq!(
            r.after(&quota, Operation::CreateCustomKeyStore, 0, 0, 0.5),
            Next::GiveUp
        );
    }

    #[test]
    fn a_skewed_clock_is_re_signed_once() {
        let op = Operation::ConnectCustomKeyStore;
        let skewed = err(
            r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20190430T075732Z is now earlier than 20190430T105409Z (20190430T105909Z - 5 min.)"}"#,
            400,
        );
        let mut r = Retry::default();
        // A small measured offset means the clock is not to blame: no retry.
        assert_eq!(r.after(&skewed, op, 0, 60_000, 0.5), Next::GiveUp);
        let mut r = Retry::default();
        assert_eq!(r.after(&skewed, op, 0, -600_000, 0.5), Next::Resign);
        assert_eq!(r.after(&skewed, op, -600_000, -600_000, 0.5), Next::GiveUp);
        // Signed with the offset already: the clock is not what KMS refused.
        let mut r = Retry::default();
        let denied = err(r#"{"__type":"AccessDeniedException","message":"no"}"#, 400);
        assert_eq!(r.after(&denied, op, -600_000, -600_000, 0.5), Next::GiveUp);
    }
}
