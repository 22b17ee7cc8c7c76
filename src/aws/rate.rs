//! The tab's share of KMS's request quota: custom key store operations allow 5 requests per
//! second per operation, shared by every caller of the account. Calls of one operation are
//! spaced at least 200 ms apart, and a ThrottlingException holds every call of that operation
//! for a while, so all watches and lists back off together. Pure: time is an argument.

use crate::aws::kms::Operation;

/// 5 requests per second per operation.
pub const MIN_SPACING_MS: i64 = 200;
/// How long a throttled operation is held, doubling with each throttle in a row (capped).
pub const HOLD_BASE_MS: i64 = 1_000;
pub const HOLD_MAX_MS: i64 = 20_000;

/// The spacing of one operation's calls: the tab's share of that operation's quota. KMS's
/// request quotas (developer guide, "Request quotas"), shared by every caller of the account
/// and region: custom key store operations 5 per second; `CreateAlias`,
/// `ScheduleKeyDeletion`, `CancelKeyDeletion` 5; `CreateKey` 50; `ListKeys` and `ListAliases`
/// 100; `DescribeKey` 2,000 (the quota of the reads that name a key); `Encrypt`, `Decrypt` and
/// `GenerateRandom` in a custom key store draw on that store's cryptographic quota (1,800 per
/// second for a CloudHSM key store). The tab takes at most 5 per second of the small quotas,
/// 10 per second (a tenth) of `ListKeys` and `ListAliases`, 100 per second (a twentieth) of
/// `DescribeKey` for a key scan, and 50 per second of the cryptographic quota (the store test
/// sends one call at a time anyway), so a scan of a big account leaves room for everything
/// else that runs in it.
pub fn spacing_ms(op: Operation) -> i64 {
    match op {
        Operation::DescribeKey => 10,
        Operation::Encrypt | Operation::Decrypt | Operation::GenerateRandom => 20,
        Operation::ListKeys | Operation::ListAliases => 100,
        _ => MIN_SPACING_MS,
    }
}

#[derive(Clone, Debug, Default)]
struct Lane {
    /// When the next call of this operation may start.
    next_free_ms: i64,
    /// Throttles in a row.
    streak: u32,
}

/// One lane per operation, made on first use: every operation gets its own quota, also one
/// added to the console later.
#[derive(Clone, Debug, Default)]
pub struct Limiter {
    lanes: Vec<(Operation, Lane)>,
}

impl Limiter {
    /// Books the next slot for `op`: returns how long to wait before sending.
    pub fn reserve(&mut self, op: Operation, now_ms: i64) -> u64 {
        let l = self.lane(op);
        let start = l.next_free_ms.max(now_ms);
        l.next_free_ms = start + spacing_ms(op);
        (start - now_ms) as u64
    }

    /// A throttled answer: hold every call of `op` (1 s, 2 s, 4 s… up to 20 s).
    pub fn throttled(&mut self, op: Operation, now_ms: i64) {
        let l = self.lane(op);
        let hold = (HOLD_BASE_MS << l.streak.min(5)).min(HOLD_MAX_MS);
        l.streak += 1;
        l.next_free_ms = l.next_free_ms.max(now_ms + hold);
    }

    /// An answer that was not throttled ends the streak.
    pub fn answered(&mut self, op: Operation) {
        self.lane(op).streak = 0;
    }

    fn lane(&mut self, op: Operation) -> &mut Lane {
        let i = match self.lanes.iter().position(|(o, _)| *o == op) {
            Some(i) => i,
            None => {
                self.lanes.push((op, Lane::default()));
                self.lanes.len() - 1
            }
        };
        &mut self.lanes[i].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_five_per_second_per_operation() {
        let mut l = Limiter::default();
        let d = Operation::DescribeCustomKeyStores;
        let waits: Vec<u64> = (0..6).map(|_| l.reserve(d, 1_000)).collect();
        assert_eq!(waits, vec![0, 200, 400, 600, 800, 1000]);
        // Another operation has its own quota.
        assert_eq!(l.reserve(Operation::ConnectCustomKeyStore, 1_000), 0);
        // Later calls are not delayed by old bookings.
        assert_eq!(l.reserve(d, 10_000), 0);
    }

    #[test]
    fn every_operation_has_its_own_lane() {
        let mut l = Limiter::default();
        for op in Operation::ALL {
            assert_eq!(l.reserve(op, 0), 0, "{op:?} waited for another operation");
        }
        for op in Operation::ALL {
            assert_eq!(l.reserve(op, 0), spacing_ms(op) as u64, "{op:?}");
        }
        // The reads of a key scan and the probe's calls take a small share of larger quotas.
        assert_eq!(spacing_ms(Operation::DescribeKey), 10);
        assert_eq!(spacing_ms(Operation::ListKeys), 100);
        assert_eq!(spacing_ms(Operation::CreateKey), 200);
        assert_eq!(spacing_ms(Operation::ScheduleKeyDeletion), 200);
    }

    #[test]
    fn throttling_holds_the_operation_for_everyone() {
        let mut l = Limiter::default();
        let d = Operation::DescribeCustomKeyStores;
        l.throttled(d, 0);
        assert_eq!(l.reserve(d, 0), 1_000);
        l.throttled(d, 1_000);
        assert_eq!(l.reserve(d, 1_000), 2_000);
        l.answered(d);
        l.throttled(d, 10_000);
        assert_eq!(l.reserve(d, 10_000), 1_000);
        assert_eq!(l.reserve(Operation::DisconnectCustomKeyStore, 10_000), 0);
    }
}
