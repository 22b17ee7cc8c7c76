//! Watching a store settle after Connect or Disconnect: when to poll next, which reads are final,
//! and the timeline the user sees. Pure: time comes in as epoch milliseconds.

use crate::aws::endpoint::{Endpoint, Variant};
use crate::aws::error::{ErrorKind, KmsError};
use crate::aws::kms::{ConnectionErrorCode, ConnectionState, CustomKeyStore, CustomKeyStoreType};

/// What the watch waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    Connect,
    Disconnect,
}

/// The first polls come fast: most failures, and every stale read, show early.
pub const FIRST_DELAYS_MS: [u64; 4] = [1_000, 2_000, 3_000, 5_000];
/// Then a steady pace: under 10 s for CloudHSM (a 20-minute connect is seen within 10 s in
/// 128 requests)...
pub const STEADY_MS: u64 = 9_600;
/// ...10 s for an external key store until the time it usually finishes (about 5 minutes)...
pub const XKS_STEADY_MS: u64 = 10_000;
/// ...and under 5 s around that time, so the panel shows the outcome within 5 s without
/// polling fast for the whole wait (39 requests for a 5-minute connect).
pub const XKS_WINDOW_MS: std::ops::Range<i64> = 250_000..420_000;
pub const WINDOW_MS: u64 = 4_500;
/// Throttling and failed polls stretch the delay, up to this.
pub const MAX_DELAY_MS: u64 = 60_000;
/// KMS is eventually consistent: right after a Connect, a read may still show the old state
/// (or no store). Such a read becomes final only once it persists past this grace period.
pub const GRACE_MS: i64 = 20_000;
/// A watch that has not settled this long after it began (or was resumed) pauses: longer than
/// any connect takes, and polling on would only spend the account's shared request quota.
pub const OVERALL_MS: i64 = 40 * 60_000;

/// How a watch ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Connected,
    Failed(Option<ConnectionErrorCode>),
    Disconnected,
    /// The store no longer exists (deleted mid-watch, or a wrong id).
    StoreGone,
}

/// Why polling waits for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pause {
    /// KMS refused the credentials (expired, unknown, wrong secret, missing permission).
    Auth(KmsError),
    /// The fields no longer hold usable credentials (forgotten, or edited).
    NoCredentials(String),
    /// KMS does not know the store with the credentials of this access key ID, which are not
    /// those that last saw it: another account's, or the store was deleted.
    OtherAccount(String),
    /// KMS rejects the poll itself (a validation error): polling again would not help.
    Refused(KmsError),
    /// Not settled after [`OVERALL_MS`]: the store is stuck in this state, or KMS is slow.
    Overdue,
    /// The endpoint (named by its host) came from a link and waits for the user's confirmation:
    /// nothing is sent there before.
    Unconfirmed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Watching,
    Paused(Pause),
    Settled(Outcome),
    /// The user stopped watching (KMS is not touched).
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The Connect or Disconnect call was accepted.
    Requested(Goal),
    /// The watch was reopened from a link (after a reload, or shared).
    Reopened,
    /// The first read, and every change of state after it.
    State(ConnectionState, Option<ConnectionErrorCode>),
    /// A failed poll (after the client's own retries).
    Error(String),
    Paused,
    Resumed,
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub at_ms: i64,
    pub kind: EventKind,
    pub request_id: Option<String>,
}

/// Where a watched store lives: the Region, endpoint and endpoint options as they were when
/// the watch began, and the endpoint they resolved to. Polls go there whatever the form says
/// later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub region: String,
    /// The "Endpoint URL" field (empty for AWS's own endpoint).
    pub custom_url: String,
    pub variant: Variant,
    pub endpoint: Endpoint,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Watch {
    pub store_id: String,
    /// Set when the watch starts; `None` only in tests.
    pub place: Option<Place>,
    pub goal: Goal,
    pub store_type: Option<CustomKeyStoreType>,
    pub started_ms: i64,
    pub phase: Phase,
    pub state: Option<ConnectionState>,
    pub error_code: Option<ConnectionErrorCode>,
    pub polls: u32,
    pub last_poll_ms: Option<i64>,
    pub timeline: Vec<Event>,
    /// Consecutive throttled polls; each doubles the delay.
    throttled: u32,
    /// Consecutive failed polls (network, server): they slow the pace too.
    failures: u32,
    /// Watching pauses when the (scaled) time since the start reaches this.
    overdue_after_ms: i64,
    /// The access key ID that made the call or last read the store, and the one the current
    /// poll is signed with: a store "not found" by another key is another account's view.
    account_key: Option<String>,
    poll_key: Option<String>,
    /// Time compression for benchmarks against an emulator run with `--time-scale`: every
    /// delay and the grace period are divided by it. 1 for real use.
    pub pace: u32,
}

impl Watch {
    /// Starts a watch after KMS accepted Connect or Disconnect.
    pub fn new(store_id: &str, goal: Goal, now_ms: i64, request_id: Option<String>) -> Self {
        Self::with_first_event(
            store_id,
            goal,
            now_ms,
            Event {
                at_ms: now_ms,
                kind: EventKind::Requested(goal),
                request_id,
            },
        )
    }

    /// Reopens a watch from a link: it counts from `since_ms` (when the call was made), and its
    /// first read decides as usual.
    pub fn reopened(store_id: &str, goal: Goal, since_ms: i64, now_ms: i64) -> Self {
        let mut w = Self::with_first_event(
            store_id,
            goal,
            since_ms.min(now_ms),
            Event {
                at_ms: now_ms,
                kind: EventKind::Reopened,
                request_id: None,
            },
        );
        // The first poll at once: the store may have settled while the page was closed.
        w.last_poll_ms = Some(now_ms - FIRST_DELAYS_MS[0] as i64);
        // The overall limit counts from the reopening: the link may be hours old.
        w.overdue_after_ms = w.elapsed_ms(now_ms) + OVERALL_MS;
        w
    }

    fn with_first_event(store_id: &str, goal: Goal, started_ms: i64, first: Event) -> Self {
        Self {
            store_id: store_id.to_string(),
            place: None,
            goal,
            store_type: None,
            started_ms,
            phase: Phase::Watching,
            state: None,
            error_code: None,
            polls: 0,
            last_poll_ms: None,
            timeline: vec![first],
            throttled: 0,
            failures: 0,
            overdue_after_ms: OVERALL_MS,
            account_key: None,
            poll_key: None,
            pace: 1,
        }
    }

    /// Sets the time compression and counts the overall limit from `now_ms` in its terms.
    pub fn set_pace(&mut self, pace: u32, now_ms: i64) {
        self.pace = pace.max(1);
        self.overdue_after_ms = self.scaled_elapsed(now_ms) + OVERALL_MS;
    }

    /// The access key ID of the call that began the watch.
    pub fn with_account_key(mut self, key: &str) -> Self {
        self.account_key = Some(key.to_string());
        self
    }

    /// The access key ID the next poll is signed with.
    pub fn polling_as(&mut self, key: &str) {
        self.poll_key = Some(key.to_string());
    }

    pub fn is_watching(&self) -> bool {
        self.phase == Phase::Watching
    }

    /// Milliseconds since the Connect or Disconnect.
    pub fn elapsed_ms(&self, now_ms: i64) -> i64 {
        now_ms - self.started_ms
    }

    fn scaled_elapsed(&self, now_ms: i64) -> i64 {
        self.elapsed_ms(now_ms) * self.pace.max(1) as i64
    }

    /// The overall limit a watch paused at, in (scaled) minutes since its start.
    pub fn overdue_minutes(&self) -> i64 {
        self.overdue_after_ms / 60_000
    }

    /// How long this kind of store usually takes: about 5 minutes for external key stores,
    /// up to 20 for CloudHSM (and when the type is not known yet).
    pub fn expected_ms(&self) -> i64 {
        match (self.goal, &self.store_type) {
            (Goal::Disconnect, _) => 60_000,
            (Goal::Connect, Some(CustomKeyStoreType::ExternalKeyStore)) => 5 * 60_000,
            (Goal::Connect, _) => 20 * 60_000,
        }
    }

    /// The delay after the last poll, before stretching.
    fn base_delay_ms(&self) -> u64 {
        if let Some(d) = FIRST_DELAYS_MS.get(self.polls as usize) {
            return *d;
        }
        let elapsed =
            self.last_poll_ms.map_or(0, |t| t - self.started_ms) * self.pace.max(1) as i64;
        match (self.goal, &self.store_type) {
            (Goal::Disconnect, _) => WINDOW_MS,
            (Goal::Connect, Some(CustomKeyStoreType::ExternalKeyStore))
                if XKS_WINDOW_MS.contains(&elapsed) =>
            {
                WINDOW_MS
            }
            (Goal::Connect, Some(CustomKeyStoreType::ExternalKeyStore)) => XKS_STEADY_MS,
            _ => STEADY_MS,
        }
    }

    /// The delay before the next poll, or `None` when the watch is not polling.
    pub fn next_delay_ms(&self) -> Option<u64> {
        if !self.is_watching() {
            return None;
        }
        let stretch = 1u64 << (self.throttled + self.failures.min(2)).min(6);
        Some((self.base_delay_ms() * stretch).min(MAX_DELAY_MS) / self.pace.max(1) as u64)
    }

    /// When the next poll is due (epoch ms), or `None` when the watch is not polling. A page
    /// that was hidden (and its timers throttled) polls at once when this is already past.
    pub fn next_poll_at_ms(&self) -> Option<i64> {
        let delay = self.next_delay_ms()? as i64;
        Some(self.last_poll_ms.unwrap_or(self.started_ms) + delay)
    }

    fn polled(&mut self, now_ms: i64) {
        self.polls += 1;
        self.last_poll_ms = Some(now_ms);
    }

    /// Takes a Describe result for the store.
    pub fn observe(&mut self, now_ms: i64, store: &CustomKeyStore, request_id: Option<String>) {
        if !self.is_watching() {
            return;
        }
        self.polled(now_ms);
        self.throttled = 0;
        self.failures = 0;
        if self.poll_key.is_some() {
            self.account_key = self.poll_key.clone();
        }
        if store.custom_key_store_type.is_some() {
            self.store_type = store.custom_key_store_type.clone();
        } else if self.store_type.is_none() && store.connection_state.is_some() {
            self.store_type = Some(store.store_type());
        }
        // A read without a state teaches nothing, but time still runs out.
        let Some(state) = store.connection_state.clone() else {
            self.pause_if_overdue(now_ms);
            return;
        };
        let code = store.connection_error_code.clone();
        if self.state.as_ref() != Some(&state) || self.error_code != code {
            self.timeline.push(Event {
                at_ms: now_ms,
                kind: EventKind::State(state.clone(), code.clone()),
                request_id,
            });
        }
        self.state = Some(state.clone());
        self.error_code = code.clone();
        let in_grace = self.scaled_elapsed(now_ms) < GRACE_MS;
        let past_expected = self.scaled_elapsed(now_ms) >= self.expected_ms();
        let outcome = match (self.goal, &state) {
            (Goal::Connect, ConnectionState::Connected) => Some(Outcome::Connected),
            (Goal::Connect, ConnectionState::Failed) => Some(Outcome::Failed(code)),
            // A DISCONNECTED read right after Connect may be stale: final only once it persists.
            (Goal::Connect, ConnectionState::Disconnected) if !in_grace => {
                Some(Outcome::Disconnected)
            }
            (Goal::Disconnect, ConnectionState::Disconnected) => Some(Outcome::Disconnected),
            // After an accepted Disconnect, CONNECTED or FAILED is a read from before it took
            // effect: final only once it outlasts the time a disconnect takes.
            (Goal::Disconnect, ConnectionState::Connected) if past_expected => {
                Some(Outcome::Connected)
            }
            (Goal::Disconnect, ConnectionState::Failed) if past_expected => {
                Some(Outcome::Failed(code))
            }
            _ => None,
        };
        match outcome {
            Some(o) => self.phase = Phase::Settled(o),
            None => self.pause_if_overdue(now_ms),
        }
    }

    fn pause_if_overdue(&mut self, now_ms: i64) {
        if self.scaled_elapsed(now_ms) >= self.overdue_after_ms {
            self.pause(now_ms, Pause::Overdue);
        }
    }

    /// Takes a failed poll (after the client's own retries).
    pub fn observe_error(&mut self, now_ms: i64, err: &KmsError) {
        if !self.is_watching() {
            return;
        }
        self.polled(now_ms);
        self.timeline.push(Event {
            at_ms: now_ms,
            kind: EventKind::Error(err.code.clone()),
            request_id: err.request_id.clone(),
        });
        match &err.kind {
            ErrorKind::Throttled => self.throttled += 1,
            ErrorKind::NotFound if self.scaled_elapsed(now_ms) < GRACE_MS => {}
            // Not found with other credentials than those that knew the store: most likely
            // another account, not a deletion. The user decides.
            ErrorKind::NotFound if self.poll_key.is_some() && self.poll_key != self.account_key => {
                let key = self.poll_key.clone().unwrap_or_default();
                self.pause(now_ms, Pause::OtherAccount(key));
            }
            ErrorKind::NotFound => self.phase = Phase::Settled(Outcome::StoreGone),
            // Only the user can fix these: wait for fresh credentials or a permission.
            ErrorKind::Expired
            | ErrorKind::Unrecognised
            | ErrorKind::BadSignature
            | ErrorKind::AccessDenied { .. } => {
                self.pause(now_ms, Pause::Auth(err.clone()));
            }
            // The request itself is wrong (say, a link's store ID): no retry will fix it.
            ErrorKind::Validation => self.pause(now_ms, Pause::Refused(err.clone())),
            // Network, server faults, odd bodies, skew: keep polling, more slowly.
            _ => self.failures += 1,
        }
        if self.is_watching() {
            self.pause_if_overdue(now_ms);
        }
    }

    /// Pauses polling until the user acts.
    pub fn pause(&mut self, now_ms: i64, why: Pause) {
        if self.is_watching() {
            self.phase = Phase::Paused(why);
            self.timeline.push(Event {
                at_ms: now_ms,
                kind: EventKind::Paused,
                request_id: None,
            });
        }
    }

    /// Resumes a paused watch (fresh credentials), keeping its timeline; polls at once, and
    /// may run for [`OVERALL_MS`] more.
    pub fn resume(&mut self, now_ms: i64) {
        if matches!(self.phase, Phase::Paused(_)) {
            self.phase = Phase::Watching;
            self.failures = 0;
            self.throttled = 0;
            // Due now: as if the last poll was one (unstretched) delay ago.
            self.last_poll_ms = Some(now_ms);
            let delay = self.next_delay_ms().unwrap_or(0) as i64;
            self.last_poll_ms = Some(now_ms - delay);
            self.overdue_after_ms = self.scaled_elapsed(now_ms) + OVERALL_MS;
            self.timeline.push(Event {
                at_ms: now_ms,
                kind: EventKind::Resumed,
                request_id: None,
            });
        }
    }

    /// "Stop watching": stops polling; KMS is not touched.
    pub fn stop(&mut self, now_ms: i64) {
        if matches!(self.phase, Phase::Watching | Phase::Paused(_)) {
            self.phase = Phase::Stopped;
            self.timeline.push(Event {
                at_ms: now_ms,
                kind: EventKind::Stopped,
                request_id: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::kms::ConnectionState as S;

    fn store(state: S, code: Option<&str>) -> CustomKeyStore {
        CustomKeyStore {
            connection_state: Some(state),
            connection_error_code: code.map(|c| ConnectionErrorCode::from(c.to_string())),
            ..Default::default()
        }
    }

    fn typed(state: S, t: CustomKeyStoreType) -> CustomKeyStore {
        CustomKeyStore {
            custom_key_store_type: Some(t),
            ..store(state, None)
        }
    }

    /// Runs a watch against a store that settles CONNECTED at `settle_ms`: (polls, detection lag).
    fn simulate(t: CustomKeyStoreType, settle_ms: i64) -> (u32, i64) {
        let kind = t.clone();
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        while let Some(at) = w.next_poll_at_ms() {
            let state = if at >= settle_ms {
                S::Connected
            } else {
                S::Connecting
            };
            w.observe(at, &typed(state, t.clone()), None);
            assert!(at < 3_600_000, "never settled");
        }
        let (polls, lag) = (w.polls, w.last_poll_ms.unwrap() - settle_ms);
        eprintln!("{kind:?} settling at {settle_ms} ms: {polls} polls, lag {lag} ms");
        (polls, lag)
    }

    #[test]
    fn schedule_meets_the_targets() {
        // Targets: a 5-minute connect seen within 5 s in at most 40 requests; a 20-minute one
        // within 10 s in at most 130.
        let (polls, lag) = simulate(CustomKeyStoreType::ExternalKeyStore, 300_000);
        assert!(
            polls <= 40 && lag <= 5_000,
            "xks 5 min: {polls} polls, lag {lag} ms"
        );
        let (polls, lag) = simulate(CustomKeyStoreType::AwsCloudHsm, 1_200_000);
        assert!(
            polls <= 130 && lag <= 10_000,
            "cloudhsm 20 min: {polls} polls, lag {lag} ms"
        );
        let (polls, lag) = simulate(CustomKeyStoreType::ExternalKeyStore, 30_000);
        assert!(
            polls <= 8 && lag <= 10_000,
            "xks 30 s: {polls} polls, lag {lag} ms"
        );
    }

    #[test]
    fn first_delays_then_steady() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        let mut delays = vec![];
        for _ in 0..6 {
            delays.push(w.next_delay_ms().unwrap());
            let at = w.next_poll_at_ms().unwrap();
            w.observe(at, &store(S::Connecting, None), None);
        }
        assert_eq!(delays, vec![1000, 2000, 3000, 5000, 9_600, 9_600]);
        // Only the change of state is in the timeline.
        assert_eq!(w.timeline.len(), 2);
    }

    #[test]
    fn stale_disconnected_is_not_final_until_grace_passes() {
        let mut w = Watch::new("cks-1", Goal::Connect, 1_000, None);
        w.observe(2_000, &store(S::Disconnected, None), None);
        assert!(w.is_watching());
        w.observe(1_000 + GRACE_MS, &store(S::Disconnected, None), None);
        assert_eq!(w.phase, Phase::Settled(Outcome::Disconnected));
        assert_eq!(w.next_delay_ms(), None);
        assert_eq!(w.next_poll_at_ms(), None);
    }

    #[test]
    fn not_found_is_final_only_after_grace() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        let gone = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"CustomKeyStoreNotFoundException"}"#,
        );
        w.observe_error(1_000, &gone);
        assert!(w.is_watching());
        w.observe_error(GRACE_MS, &gone);
        assert_eq!(w.phase, Phase::Settled(Outcome::StoreGone));
    }

    #[test]
    fn failed_settles_with_its_code_and_throttling_stretches() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        let throttled =
            KmsError::from_response(400, None, None, r#"{"__type":"ThrottlingException"}"#);
        w.observe_error(1_000, &throttled);
        w.observe_error(3_000, &throttled);
        assert_eq!(w.next_delay_ms(), Some(3_000 * 4));
        assert_eq!(w.next_poll_at_ms(), Some(15_000));
        w.observe(20_000, &store(S::Failed, Some("XKS_PROXY_TIMED_OUT")), None);
        assert_eq!(
            w.phase,
            Phase::Settled(Outcome::Failed(Some(ConnectionErrorCode::XksProxyTimedOut)))
        );
    }

    #[test]
    fn expired_credentials_pause_and_resume_keeps_the_timeline() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        w.observe(1_000, &store(S::Connecting, None), None);
        // Throttled before the pause: resuming forgets it, and still polls at once.
        let throttled =
            KmsError::from_response(400, None, None, r#"{"__type":"ThrottlingException"}"#);
        w.observe_error(2_000, &throttled);
        w.observe_error(2_500, &throttled);
        let expired = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"ExpiredTokenException","message":"expired"}"#,
        );
        w.observe_error(3_000, &expired);
        assert!(matches!(w.phase, Phase::Paused(Pause::Auth(_))));
        assert_eq!(w.next_delay_ms(), None);
        w.resume(60_000);
        assert!(w.is_watching());
        assert_eq!(w.next_poll_at_ms(), Some(60_000), "resuming polls at once");
        w.observe(61_000, &store(S::Connected, None), None);
        assert_eq!(w.phase, Phase::Settled(Outcome::Connected));
        assert_eq!(w.timeline.len(), 8);
    }

    #[test]
    fn a_disconnect_ends_on_disconnected_not_on_a_stale_read() {
        let mut w = Watch::new("cks-1", Goal::Disconnect, 0, None);
        // Past the grace period, but within the time a disconnect takes: not final.
        w.observe(
            GRACE_MS + 1_000,
            &store(S::Failed, Some("NETWORK_ERRORS")),
            None,
        );
        w.observe(GRACE_MS + 5_000, &store(S::Connected, None), None);
        assert!(w.is_watching());
        w.observe(50_000, &store(S::Disconnected, None), None);
        assert_eq!(w.phase, Phase::Settled(Outcome::Disconnected));
        // A read that outlasts a disconnect's usual time is the answer: it did not take effect.
        let mut w = Watch::new("cks-1", Goal::Disconnect, 0, None);
        w.observe(60_000, &store(S::Connected, None), None);
        assert_eq!(w.phase, Phase::Settled(Outcome::Connected));
    }

    #[test]
    fn not_found_with_other_credentials_pauses_instead_of_ending() {
        let gone = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"CustomKeyStoreNotFoundException"}"#,
        );
        // Connected with one key, polled with another: another account's view.
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None).with_account_key("ASIAONE");
        w.polling_as("ASIATWO");
        w.observe_error(GRACE_MS + 1, &gone);
        assert!(matches!(&w.phase, Phase::Paused(Pause::OtherAccount(key)) if key == "ASIATWO"));
        // A reopened watch has seen no key yet: it does not end on the first poll either.
        let mut w = Watch::reopened("cks-1", Goal::Connect, 1, 3_600_000);
        w.polling_as("ASIATWO");
        w.observe_error(3_600_000, &gone);
        assert!(matches!(w.phase, Phase::Paused(_)));
        // The key that knew the store: gone is gone.
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None).with_account_key("ASIAONE");
        w.polling_as("ASIAONE");
        w.observe(1_000, &store(S::Connecting, None), None);
        w.observe_error(GRACE_MS + 1, &gone);
        assert_eq!(w.phase, Phase::Settled(Outcome::StoreGone));
    }

    #[test]
    fn a_refused_poll_pauses_instead_of_retrying_forever() {
        let mut w = Watch::reopened("cks-1", Goal::Connect, 1, 100_000);
        let refused = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"ValidationException","message":"1 validation error detected"}"#,
        );
        w.observe_error(100_000, &refused);
        assert!(
            matches!(&w.phase, Phase::Paused(Pause::Refused(e)) if e.code == "ValidationException")
        );
        assert_eq!(w.next_poll_at_ms(), None);
    }

    #[test]
    fn reads_without_a_state_still_end_in_the_overdue_pause() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        let stateless = CustomKeyStore {
            custom_key_store_id: Some("cks-1".into()),
            ..Default::default()
        };
        while let Some(at) = w.next_poll_at_ms() {
            w.observe(at, &stateless, None);
            assert!(
                at <= OVERALL_MS + MAX_DELAY_MS as i64,
                "polled past the limit"
            );
        }
        assert_eq!(w.phase, Phase::Paused(Pause::Overdue));
    }

    #[test]
    fn a_watch_that_never_settles_pauses_after_the_overall_limit() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        let connecting = store(S::Connecting, None);
        while let Some(at) = w.next_poll_at_ms() {
            w.observe(at, &connecting, None);
            assert!(
                at <= OVERALL_MS + MAX_DELAY_MS as i64,
                "polled past the limit"
            );
        }
        assert_eq!(w.phase, Phase::Paused(Pause::Overdue));
        assert_eq!(w.overdue_minutes(), 40);
        // Resume gives it as long again, counted from then.
        let now = w.last_poll_ms.unwrap();
        w.resume(now + 1_000);
        assert_eq!(w.next_poll_at_ms(), Some(now + 1_000));
        w.observe(now + 1_000, &connecting, None);
        assert!(w.is_watching());
        // A link reopened hours later counts its limit from the reopening.
        let mut w = Watch::reopened("cks-1", Goal::Connect, 0, 5 * 3_600_000);
        w.observe(5 * 3_600_000, &connecting, None);
        assert!(w.is_watching());
    }

    #[test]
    fn a_reopened_watch_polls_at_once_and_counts_from_the_call() {
        let w = Watch::reopened("cks-1", Goal::Connect, 10_000, 100_000);
        assert_eq!(w.next_poll_at_ms(), Some(100_000));
        assert_eq!(w.elapsed_ms(100_000), 90_000);
        assert_eq!(w.timeline[0].kind, EventKind::Reopened);
    }

    #[test]
    fn pace_compresses_the_schedule_and_the_grace() {
        let mut w = Watch::new("cks-1", Goal::Connect, 0, None);
        w.pace = 60;
        assert_eq!(w.next_delay_ms(), Some(1_000 / 60));
        w.observe(GRACE_MS / 60 + 1, &store(S::Disconnected, None), None);
        assert_eq!(w.phase, Phase::Settled(Outcome::Disconnected));
    }

    #[test]
    fn stop_ends_polling() {
        let mut w = Watch::new("cks-1", Goal::Disconnect, 0, None);
        w.stop(500);
        assert_eq!(w.phase, Phase::Stopped);
        assert_eq!(w.next_poll_at_ms(), None);
    }
}
