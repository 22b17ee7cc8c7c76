//! A watch's report, as text for the clipboard and as JSON for a download: the store, the
//! region and endpoint, the timeline with request ids, the codes and their explanations.
//! Built from the watch alone, which holds no credential: a report cannot carry a secret.

use crate::aws::date::iso_utc;
use crate::aws::kms::{CustomKeyStoreType, Operation};
use crate::console::explain;
use crate::console::watch::{EventKind, Goal, Outcome, Pause, Phase, Watch};
use serde_json::{Value, json};

/// Where the watch ran.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub region: String,
    pub endpoint: String,
    pub generated_ms: i64,
}

fn outcome_words(w: &Watch) -> String {
    match &w.phase {
        Phase::Watching => "still watching".into(),
        Phase::Paused(Pause::Auth(e)) => format!("paused: credentials refused ({})", e.code),
        Phase::Paused(Pause::NoCredentials(_)) => "paused: no usable credentials".into(),
        Phase::Paused(Pause::OtherAccount(key)) => {
            format!("paused: not found with the credentials of {key}")
        }
        Phase::Paused(Pause::Refused(e)) => format!("paused: the poll was refused ({})", e.code),
        Phase::Paused(Pause::Overdue) => "paused: not settled in time".into(),
        Phase::Paused(Pause::Unconfirmed(host)) => {
            format!("paused: the link's endpoint {host} waits for confirmation")
        }
        Phase::Stopped => "stopped watching (the store goes on by itself)".into(),
        Phase::Settled(Outcome::Connected) => "CONNECTED".into(),
        Phase::Settled(Outcome::Failed(code)) => format!(
            "FAILED ({})",
            code.as_ref().map(|c| c.as_str()).unwrap_or("no code")
        ),
        Phase::Settled(Outcome::Disconnected) => "DISCONNECTED".into(),
        Phase::Settled(Outcome::StoreGone) => "the store no longer exists".into(),
    }
}

/// A timeline event in words (the panel shows the same words).
pub fn event_words(kind: &EventKind) -> String {
    match kind {
        EventKind::Requested(Goal::Connect) => "ConnectCustomKeyStore accepted".into(),
        EventKind::Requested(Goal::Disconnect) => "DisconnectCustomKeyStore accepted".into(),
        EventKind::Reopened => "watch reopened from the page's link".into(),
        EventKind::State(s, Some(c)) => format!("{s} ({c})"),
        EventKind::State(s, None) => s.to_string(),
        EventKind::Error(code) => format!("poll failed: {code}"),
        EventKind::Paused => "paused".into(),
        EventKind::Resumed => "resumed".into(),
        EventKind::Stopped => "stopped watching".into(),
    }
}

/// Explanations of what the timeline shows: the failure code, and the last error of a pause.
fn explanations(w: &Watch) -> Vec<(String, explain::Explanation)> {
    let mut out = Vec::new();
    if let Phase::Settled(Outcome::Failed(Some(code))) = &w.phase {
        let t = w
            .store_type
            .clone()
            .unwrap_or(CustomKeyStoreType::AwsCloudHsm);
        out.push((
            code.as_str().to_string(),
            explain::connection_error(code, &t),
        ));
    }
    if let Phase::Paused(Pause::Auth(e) | Pause::Refused(e)) = &w.phase {
        out.push((
            e.code.clone(),
            explain::kms_error(e, Operation::DescribeCustomKeyStores),
        ));
    }
    out
}

pub fn text(w: &Watch, ctx: &Context) -> String {
    let mut t = String::new();
    let goal = if w.goal == Goal::Connect {
        "connect"
    } else {
        "disconnect"
    };
    t.push_str(&format!("cks-console report: {goal} of {}\n", w.store_id));
    if let Some(st) = &w.store_type {
        t.push_str(&format!("Type: {st}\n"));
    }
    t.push_str(&format!(
        "Region: {}\nEndpoint: {}\n",
        ctx.region, ctx.endpoint
    ));
    t.push_str(&format!(
        "Started: {}\nOutcome: {}\n",
        iso_utc(w.started_ms),
        outcome_words(w)
    ));
    let end = w.last_poll_ms.unwrap_or(w.started_ms);
    t.push_str(&format!(
        "Elapsed: {} s over {} checks\n\nTimeline (UTC):\n",
        (end - w.started_ms).max(0) / 1000,
        w.polls
    ));
    for e in &w.timeline {
        let rid = e
            .request_id
            .as_deref()
            .map(|r| format!("  [request id {r}]"))
            .unwrap_or_default();
        t.push_str(&format!(
            "  {}  {}{rid}\n",
            iso_utc(e.at_ms),
            event_words(&e.kind)
        ));
    }
    for (code, x) in explanations(w) {
        t.push_str(&format!(
            "\n{code}: {}\nWhat to do: {}\nSee: {}\n",
            x.meaning, x.fix, x.doc
        ));
    }
    t.push_str(&format!(
        "\nGenerated {} by cks-console.\n",
        iso_utc(ctx.generated_ms)
    ));
    t
}

pub fn json(w: &Watch, ctx: &Context) -> Value {
    json!({
        "store": w.store_id,
        "storeType": w.store_type.as_ref().map(|t| t.as_str()),
        "goal": if w.goal == Goal::Connect { "connect" } else { "disconnect" },
        "region": ctx.region,
        "endpoint": ctx.endpoint,
        "started": iso_utc(w.started_ms),
        "outcome": outcome_words(w),
        "state": w.state.as_ref().map(|s| s.as_str()),
        "connectionErrorCode": w.error_code.as_ref().map(|c| c.as_str()),
        "checks": w.polls,
        "timeline": w.timeline.iter().map(|e| json!({
            "at": iso_utc(e.at_ms),
            "event": event_words(&e.kind),
            "requestId": e.request_id,
        })).collect::<Vec<_>>(),
        "explanations": explanations(w).into_iter().map(|(code, x)| json!({
            "code": code, "meaning": x.meaning, "fix": x.fix, "doc": x.doc,
        })).collect::<Vec<_>>(),
        "generated": iso_utc(ctx.generated_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::kms::{ConnectionErrorCode, ConnectionState, CustomKeyStore};

    #[test]
    fn report_has_the_timeline_codes_and_explanations() {
        let mut w = Watch::new(
            "cks-0a1b2c3d4e5f60004",
            Goal::Connect,
            1_764_340_000_000,
            Some("rid-1".into()),
        );
        let read = CustomKeyStore {
            connection_state: Some(ConnectionState::Failed),
            connection_error_code: Some(ConnectionErrorCode::XksProxyNotReachable),
            custom_key_store_type: Some(CustomKeyStoreType::ExternalKeyStore),
            ..Default::default()
        };
        w.observe(1_764_340_002_000, &read, Some("rid-2".into()));
        let ctx = Context {
            region: "us-east-1".into(),
            endpoint: "https://kms.us-east-1.amazonaws.com/".into(),
            generated_ms: 1_764_340_003_000,
        };
        let t = text(&w, &ctx);
        assert!(
            t.contains("Outcome: FAILED (XKS_PROXY_NOT_REACHABLE)"),
            "{t}"
        );
        assert!(
            t.contains("2025-11-28T14:26:40Z  ConnectCustomKeyStore accepted  [request id rid-1]"),
            "{t}"
        );
        assert!(
            t.contains("KMS cannot talk to the external key store proxy"),
            "{t}"
        );
        let j = json(&w, &ctx);
        assert_eq!(j["timeline"][1]["requestId"], "rid-2");
        assert_eq!(j["connectionErrorCode"], "XKS_PROXY_NOT_REACHABLE");
        assert_eq!(j["explanations"][0]["code"], "XKS_PROXY_NOT_REACHABLE");
    }
}
