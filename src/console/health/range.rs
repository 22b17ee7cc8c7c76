//! The time ranges of the health view, the period each uses, and the refresh intervals.
//!
//! The periods follow the AWS console's choice (3 hours at 5 minutes by default) and
//! CloudWatch's rules: a period for a metric's data is a multiple of 60 seconds; data at
//! 1 minute is kept 15 days, at 5 minutes 63 days, at 1 hour 455 days (`GetMetricData`'s
//! documentation), so a range's start must lie within its period's retention; and one call
//! returns at most 100,800 data points.

use crate::aws::cloudwatch::MAX_DATAPOINTS_PER_CALL;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Range {
    H1,
    H3,
    H12,
    D1,
    D3,
    W1,
}

impl Range {
    pub const ALL: [Range; 6] = [Self::H1, Self::H3, Self::H12, Self::D1, Self::D3, Self::W1];
    pub const DEFAULT: Range = Range::H3;

    /// The range's length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Self::H1 => 3_600,
            Self::H3 => 3 * 3_600,
            Self::H12 => 12 * 3_600,
            Self::D1 => 86_400,
            Self::D3 => 3 * 86_400,
            Self::W1 => 7 * 86_400,
        }
    }

    /// The period of each data point, in seconds: 60 to 180 points per series.
    pub fn period(self) -> u32 {
        match self {
            Self::H1 => 60,
            Self::H3 => 300,
            Self::H12 => 300,
            Self::D1 => 900,
            Self::D3 => 3_600,
            Self::W1 => 3_600,
        }
    }

    /// The label of the range selector.
    pub fn label(self) -> &'static str {
        match self {
            Self::H1 => "1h",
            Self::H3 => "3h",
            Self::H12 => "12h",
            Self::D1 => "1d",
            Self::D3 => "3d",
            Self::W1 => "1w",
        }
    }

    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == label)
    }

    /// Data points per series.
    pub fn points(self) -> u64 {
        (self.seconds() / i64::from(self.period())) as u64
    }

    /// `(StartTime, EndTime)` in epoch seconds for `now_ms`: the end rounded up to the period
    /// (so the buckets stay the same between refreshes within one period), the start one range
    /// earlier.
    pub fn window(self, now_ms: i64) -> (i64, i64) {
        let p = i64::from(self.period());
        let now = now_ms.div_euclid(1000);
        let end = (now + p - 1).div_euclid(p) * p;
        (end - self.seconds(), end)
    }

    /// How many metric streams one `GetMetricData` call can fetch at this range.
    pub fn max_streams(self) -> usize {
        (MAX_DATAPOINTS_PER_CALL / self.points()).min(500) as usize
    }
}

/// How long CloudWatch keeps data at `period` seconds (the shortest resolution that can serve
/// the period).
pub fn retention_seconds(period: u32) -> i64 {
    if period < 60 {
        3 * 3_600
    } else if period.is_multiple_of(3_600) {
        455 * 86_400
    } else if period.is_multiple_of(300) {
        63 * 86_400
    } else {
        15 * 86_400
    }
}

/// How often the view refreshes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refresh {
    Off,
    M1,
    M5,
    M15,
}

impl Refresh {
    pub const ALL: [Refresh; 4] = [Self::Off, Self::M1, Self::M5, Self::M15];
    pub const DEFAULT: Refresh = Refresh::Off;

    pub fn interval_ms(self) -> Option<i64> {
        match self {
            Self::Off => None,
            Self::M1 => Some(60_000),
            Self::M5 => Some(300_000),
            Self::M15 => Some(900_000),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Off",
            Self::M1 => "1 min",
            Self::M5 => "5 min",
            Self::M15 => "15 min",
        }
    }

    /// When the next refresh is due after one at `last_ms`.
    pub fn next_due(self, last_ms: i64) -> Option<i64> {
        self.interval_ms().map(|i| last_ms.saturating_add(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudwatch::valid_period;

    #[test]
    fn every_range_has_a_period_cloudwatch_serves() {
        let expect = [
            (Range::H1, 60, 60),
            (Range::H3, 300, 36),
            (Range::H12, 300, 144),
            (Range::D1, 900, 96),
            (Range::D3, 3_600, 72),
            (Range::W1, 3_600, 168),
        ];
        for (r, period, points) in expect {
            assert_eq!((r.period(), r.points()), (period, points), "{r:?}");
            assert!(valid_period(r.period()) && r.period() % 60 == 0);
            // The start of the range is still kept at that resolution.
            assert!(r.seconds() <= retention_seconds(r.period()), "{r:?}");
            assert!(r.points() <= 180 && r.points() >= 36);
            assert!(r.max_streams() >= 500 || r.max_streams() as u64 * r.points() <= 100_800);
            assert_eq!(Range::from_label(r.label()), Some(r));
        }
        assert_eq!(Range::DEFAULT, Range::H3);
        assert_eq!(retention_seconds(60), 15 * 86_400);
        assert_eq!(retention_seconds(300), 63 * 86_400);
        assert_eq!(retention_seconds(3_600), 455 * 86_400);
    }

    #[test]
    fn windows_are_aligned_to_the_period() {
        let now_ms = 1_700_000_123_456;
        for r in Range::ALL {
            let (start, end) = r.window(now_ms);
            assert_eq!(end - start, r.seconds());
            assert_eq!(end % i64::from(r.period()), 0);
            assert!(end * 1000 >= now_ms && (end * 1000 - now_ms) < i64::from(r.period()) * 1000);
        }
        assert_eq!(Range::H3.window(1_700_000_100_000).1, 1_700_000_100);
    }

    #[test]
    fn refresh_intervals() {
        assert_eq!(Refresh::DEFAULT.next_due(5), None);
        assert_eq!(Refresh::M1.next_due(1_000), Some(61_000));
        assert_eq!(Refresh::M15.interval_ms(), Some(900_000));
        assert_eq!(
            Refresh::ALL.map(Refresh::label),
            ["Off", "1 min", "5 min", "15 min"]
        );
    }
}
