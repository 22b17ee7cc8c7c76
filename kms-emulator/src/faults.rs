//! Fault injection: rules from the scenario (top level and per store) and from the command line
//! decide, per KMS request, on added latency and at most one failure (throttling, a 5xx, a
//! request that hangs, a malformed body). Decisions draw from the seeded `Rng`.

use crate::rng::Rng;
use crate::spec::{FaultSpec, OPERATIONS};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The longest a hanging request is held before the emulator answers 504, and the most latency
/// one request gets (bounds how long a request can pin a task).
pub const MAX_HANG: Duration = Duration::from_secs(120);

/// A failure in place of (or on top of) the operation's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// 400 ThrottlingException.
    Throttle,
    /// A KMS JSON error (`code`, `message`) with `status`, or a plain-text or HTML 5xx page.
    Error {
        status: u16,
        body: ErrorBody,
        code: String,
        message: String,
    },
    /// No answer until `cap`, then 504.
    Hang { cap: Duration },
    /// A body the client cannot parse as the operation's output.
    Malformed { status: u16, body: MalformedBody },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorBody {
    Json,
    Text,
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MalformedBody {
    /// The JSON cut off half way.
    Truncated,
    /// An HTML page (a captive portal or proxy), not JSON at all.
    Html,
}

#[derive(Debug)]
enum Effect {
    Latency { base: Duration, jitter_ms: u64 },
    Fail(Action),
}

/// One rule with its own count of the requests it has seen.
#[derive(Debug)]
pub struct Rule {
    effect: Effect,
    rate: Option<f64>,
    first: Option<u64>,
    operations: Vec<String>,
    store: Option<String>,
    after: bool,
    seen: AtomicU64,
}

/// What to do to one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    pub latency: Duration,
    /// The failure, and whether the operation runs first (its effects stay, its answer is lost).
    pub failure: Option<(Action, bool)>,
}

fn bad(kind: &str, what: impl std::fmt::Display) -> String {
    format!("fault {kind}: {what}")
}

impl Rule {
    /// Checks and converts a spec; `store` limits the rule to requests naming that store.
    pub fn from_spec(spec: &FaultSpec, store: Option<&str>) -> Result<Self, String> {
        let kind = spec.kind.as_str();
        if let Some(r) = spec.rate
            && !(0.0..=1.0).contains(&r)
        {
            return Err(bad(kind, format!("rate {r} is not between 0 and 1")));
        }
        for op in &spec.operations {
            if !OPERATIONS.contains(&op.as_str()) {
                return Err(bad(kind, format!("unknown operation {op}")));
            }
        }
        let status = |default: u16| -> Result<u16, String> {
            match spec.status.unwrap_or(default) {
                s @ 200..=599 => Ok(s),
                s => Err(bad(kind, format!("status {s} is not an HTTP status"))),
            }
        };
        let effect = match kind {
            "latency" => Effect::Latency {
                base: Duration::from_millis(spec.ms.unwrap_or(0)),
                jitter_ms: spec.jitter_ms.unwrap_or(0),
            },
            "throttle" => Effect::Fail(Action::Throttle),
            "error" => {
                let body = match spec.body.as_deref() {
                    None | Some("json") => ErrorBody::Json,
                    Some("text") => ErrorBody::Text,
                    Some("html") => ErrorBody::Html,
                    Some(other) => return Err(bad(kind, format!("unknown body {other}"))),
                };
                let code = spec
                    .code
                    .clone()
                    .unwrap_or_else(|| "KMSInternalException".into());
                let default_status = match (body, code.as_str()) {
                    (ErrorBody::Json, "KMSInternalException") => 500,
                    (ErrorBody::Json, _) => 400,
                    (ErrorBody::Text, _) => 502,
                    (ErrorBody::Html, _) => 503,
                };
                Effect::Fail(Action::Error {
                    status: status(default_status)?,
                    body,
                    message: spec.message.clone().unwrap_or_else(|| {
                        "The request was rejected because an internal exception occurred. The request can be retried.".into()
                    }),
                    code,
                })
            }
            "hang" => {
                let s = spec.seconds.unwrap_or(MAX_HANG.as_secs_f64());
                if !(s > 0.0 && s.is_finite()) {
                    return Err(bad(kind, "seconds must be positive"));
                }
                Effect::Fail(Action::Hang {
                    cap: Duration::from_secs_f64(s.min(MAX_HANG.as_secs_f64())),
                })
            }
            "malformed" => Effect::Fail(Action::Malformed {
                status: status(200)?,
                body: match spec.body.as_deref() {
                    None | Some("truncated") => MalformedBody::Truncated,
                    Some("html") => MalformedBody::Html,
                    Some(other) => return Err(bad(kind, format!("unknown body {other}"))),
                },
            }),
            other => {
                return Err(format!(
                    "unknown fault kind {other} (throttle, error, latency, hang or malformed)"
                ));
            }
        };
        Ok(Self {
            effect,
            rate: spec.rate,
            first: spec.first,
            operations: spec.operations.clone(),
            store: store.map(str::to_string),
            after: spec.after_operation,
            seen: AtomicU64::new(0),
        })
    }

    fn matches(&self, op: &str, store: Option<&str>) -> bool {
        (self.operations.is_empty() || self.operations.iter().any(|o| o == op))
            && self.store.as_deref().is_none_or(|s| Some(s) == store)
    }

    /// Counts the request and says whether the rule fires: always within `first`, then at
    /// `rate`; a rule with neither always fires.
    fn fires(&self, rng: &Rng) -> bool {
        let n = self.seen.fetch_add(1, Ordering::Relaxed);
        if self.first.is_some_and(|f| n < f) {
            return true;
        }
        match (self.rate, self.first) {
            (Some(r), _) => rng.chance(r),
            (None, Some(_)) => false,
            (None, None) => true,
        }
    }

    /// A one-line description for the start-up banner.
    pub fn describe(&self) -> String {
        let what = match &self.effect {
            Effect::Latency { base, jitter_ms } => {
                format!("latency {} ms (+0..{jitter_ms})", base.as_millis())
            }
            Effect::Fail(Action::Throttle) => "throttle".into(),
            Effect::Fail(Action::Error { status, code, .. }) => format!("error {status} {code}"),
            Effect::Fail(Action::Hang { cap }) => format!("hang {} s", cap.as_secs_f64()),
            Effect::Fail(Action::Malformed { status, body }) => {
                format!("malformed {status} {body:?}")
            }
        };
        let mut when = Vec::new();
        if let Some(f) = self.first {
            when.push(format!("first {f}"));
        }
        if let Some(r) = self.rate {
            when.push(format!("rate {r}"));
        }
        if !self.operations.is_empty() {
            when.push(format!("on {}", self.operations.join(",")));
        }
        if let Some(s) = &self.store {
            when.push(format!("store {s}"));
        }
        if self.after {
            when.push("after the operation".into());
        }
        format!("{what} [{}]", when.join(", "))
    }
}

pub struct Faults {
    rules: Vec<Rule>,
    rng: Rng,
}

impl Faults {
    pub fn new(rules: Vec<Rule>, seed: u64) -> Self {
        Self {
            rules,
            rng: Rng::new(seed),
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Latency rules add up; of the failure rules, tried in order, the first that fires wins
    /// (later ones are not counted).
    pub fn decide(&self, op: &str, store: Option<&str>) -> Decision {
        let mut d = Decision::default();
        for rule in self.rules.iter().filter(|r| r.matches(op, store)) {
            match &rule.effect {
                Effect::Latency { base, jitter_ms } => {
                    if rule.fires(&self.rng) {
                        let jitter = self.rng.below_or_eq(*jitter_ms);
                        d.latency =
                            (d.latency + *base + Duration::from_millis(jitter)).min(MAX_HANG);
                    }
                }
                Effect::Fail(action) => {
                    if d.failure.is_none() && rule.fires(&self.rng) {
                        d.failure = Some((action.clone(), rule.after));
                    }
                }
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> Rule {
        let spec: FaultSpec = serde_json::from_str(json).unwrap();
        Rule::from_spec(&spec, None).unwrap()
    }

    const DESCRIBE: &str = "DescribeCustomKeyStores";
    const CONNECT: &str = "ConnectCustomKeyStore";

    #[test]
    fn first_n_then_nothing() {
        let f = Faults::new(vec![rule(r#"{"kind":"throttle","first":2}"#)], 1);
        let fired: Vec<bool> = (0..4)
            .map(|_| f.decide(DESCRIBE, None).failure.is_some())
            .collect();
        assert_eq!(fired, [true, true, false, false]);
    }

    #[test]
    fn rates_are_repeatable_with_a_seed() {
        let run = |seed| {
            let f = Faults::new(vec![rule(r#"{"kind":"error","rate":0.3}"#)], seed);
            (0..200)
                .map(|_| f.decide(DESCRIBE, None).failure.is_some())
                .collect::<Vec<_>>()
        };
        let a = run(42);
        assert_eq!(a, run(42));
        assert_ne!(a, run(43));
        let n = a.iter().filter(|x| **x).count();
        assert!((35..85).contains(&n), "{n}");
    }

    #[test]
    fn operations_and_stores_limit_a_rule() {
        let spec: FaultSpec = serde_json::from_str(
            r#"{"kind":"hang","seconds":1,"operations":["ConnectCustomKeyStore"]}"#,
        )
        .unwrap();
        let f = Faults::new(vec![Rule::from_spec(&spec, Some("cks-1")).unwrap()], 1);
        assert_eq!(f.decide(DESCRIBE, Some("cks-1")).failure, None);
        assert_eq!(f.decide(CONNECT, Some("cks-2")).failure, None);
        assert_eq!(f.decide(CONNECT, None).failure, None);
        assert_eq!(
            f.decide(CONNECT, Some("cks-1")).failure,
            Some((
                Action::Hang {
                    cap: Duration::from_secs(1)
                },
                false
            ))
        );
    }

    #[test]
    fn latency_adds_up_and_the_first_failure_wins() {
        let f = Faults::new(
            vec![
                rule(r#"{"kind":"latency","ms":100}"#),
                rule(r#"{"kind":"latency","ms":50,"jitter_ms":10}"#),
                rule(r#"{"kind":"malformed","body":"html","status":502,"after_operation":true}"#),
                rule(r#"{"kind":"throttle"}"#),
            ],
            1,
        );
        let d = f.decide(DESCRIBE, None);
        assert!(d.latency >= Duration::from_millis(150) && d.latency <= Duration::from_millis(160));
        assert_eq!(
            d.failure,
            Some((
                Action::Malformed {
                    status: 502,
                    body: MalformedBody::Html
                },
                true
            ))
        );
        assert_eq!(f.rules()[3].seen.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn latency_and_hangs_are_capped() {
        let f = Faults::new(
            vec![rule(r#"{"kind":"latency","ms":18446744073709551615}"#)],
            1,
        );
        assert_eq!(f.decide(DESCRIBE, None).latency, MAX_HANG);
        assert!(matches!(
            rule(r#"{"kind":"hang","seconds":1e300}"#).effect,
            Effect::Fail(Action::Hang { cap }) if cap == MAX_HANG
        ));
    }

    #[test]
    fn error_defaults_and_bad_specs() {
        let r = rule(r#"{"kind":"error"}"#);
        assert!(matches!(
            r.effect,
            Effect::Fail(Action::Error { status: 500, body: ErrorBody::Json, ref code, .. }) if code == "KMSInternalException"
        ));
        assert!(matches!(
            rule(r#"{"kind":"error","body":"text"}"#).effect,
            Effect::Fail(Action::Error {
                status: 502,
                body: ErrorBody::Text,
                ..
            })
        ));
        assert!(matches!(
            rule(r#"{"kind":"error","code":"AccessDeniedException"}"#).effect,
            Effect::Fail(Action::Error { status: 400, .. })
        ));
        assert!(matches!(
            rule(r#"{"kind":"hang","seconds":100000}"#).effect,
            Effect::Fail(Action::Hang { cap }) if cap == MAX_HANG
        ));
        for bad in [
            r#"{"kind":"error","body":"xml"}"#,
            r#"{"kind":"error","status":99}"#,
            r#"{"kind":"hang","seconds":0}"#,
            r#"{"kind":"throttle","rate":-0.1}"#,
            r#"{"kind":"malformed","body":"yaml"}"#,
        ] {
            let spec: FaultSpec = serde_json::from_str(bad).unwrap();
            assert!(Rule::from_spec(&spec, None).is_err(), "{bad}");
        }
    }
}
