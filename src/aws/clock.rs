//! Clock skew. An endpoint that rejects a request for its time (`RequestExpired`, "Signature
//! expired", "not yet current") teaches the offset between its clock and ours, from the
//! rejection's `Date` header and the request's midpoint; the offset is kept for that endpoint
//! only and added to the local clock when signing for it. A `Date` on any other answer changes
//! nothing, so an endpoint cannot move the signing time by lying on successful answers.

use crate::aws::credentials::days_from_civil;
use std::collections::BTreeMap;

/// Clock offsets (server time minus local time, ms), one per endpoint URL.
#[derive(Clone, Debug, Default)]
pub struct Offsets(BTreeMap<String, i64>);

impl Offsets {
    /// The offset to sign with for `endpoint` (0 until it rejected a request for its time).
    pub fn get(&self, endpoint: &str) -> i64 {
        self.0.get(endpoint).copied().unwrap_or(0)
    }

    /// Takes an answer of `endpoint`: only a clock-skew rejection with a readable `Date`
    /// teaches its offset. Returns whether the offset changed.
    pub fn learn(
        &mut self,
        endpoint: &str,
        clock_skew_rejection: bool,
        date: Option<&str>,
        sent_ms: i64,
        received_ms: i64,
    ) -> bool {
        let Some(offset) = date
            .filter(|_| clock_skew_rejection)
            .and_then(|d| offset_from(d, sent_ms, received_ms))
        else {
            return false;
        };
        self.0.insert(endpoint.to_string(), offset) != Some(offset)
    }
}

/// KMS rejects a request more than 5 minutes off; the SDKs re-sign when the skew passes 4.
pub const SKEW_RETRY_THRESHOLD_MS: i64 = 4 * 60_000;
/// A sample from a response that took longer than this says nothing about the clock.
const MAX_ROUND_TRIP_MS: i64 = 15 * 60_000;

/// The offset (server minus local) measured by one response, if its `Date` can be trusted.
pub fn offset_from(date_header: &str, sent_ms: i64, received_ms: i64) -> Option<i64> {
    if received_ms < sent_ms || received_ms - sent_ms > MAX_ROUND_TRIP_MS {
        return None;
    }
    let server = parse_http_date(date_header)?;
    // `Date` has whole seconds: the server time lies in [server, server + 1 s).
    Some(server + 500 - (sent_ms + received_ms) / 2)
}

/// Parses an IMF-fixdate (`Tue, 16 Feb 2021 17:30:47 GMT`) into epoch milliseconds.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, month, year, time, zone] = parts.as_slice() else {
        return None;
    };
    if *zone != "GMT" && *zone != "UTC" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(month))? as i64 + 1;
    // Digits only (no signs), and a year a server clock can hold: no overflow downstream.
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())?
    };
    let d = num(day)?;
    let y = num(year).filter(|y| *y >= 1970)?;
    let hms: Vec<i64> = time.split(':').map(num).collect::<Option<_>>()?;
    let [h, mi, sec] = hms.as_slice() else {
        return None;
    };
    if !(1..=31).contains(&d) || *h > 23 || *mi > 59 || *sec > 60 {
        return None;
    }
    Some((days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + sec) * 1000)
}

/// Formats epoch milliseconds as an IMF-fixdate (for the emulator and tests).
pub fn format_http_date(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The inverse of `days_from_civil`.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        let ms = parse_http_date("Tue, 16 Feb 2021 17:30:47 GMT").unwrap();
        assert_eq!(ms, 1_613_496_647_000);
        assert_eq!(format_http_date(ms), "Tue, 16 Feb 2021 17:30:47 GMT");
        assert_eq!(parse_http_date("16 Feb 2021"), None);
        assert_eq!(parse_http_date("Mon, 1 Jan 300000000 -0:0:-0 GMT"), None);
        assert_eq!(parse_http_date("Mon, 1 Jan 2021 -1:00:00 GMT"), None);
    }

    #[test]
    fn offsets_come_from_skew_rejections_only_and_stay_with_their_endpoint() {
        let a = "https://kms.us-east-1.amazonaws.com/";
        let b = "http://127.0.0.1:4599/";
        let mut o = Offsets::default();
        let far = "Fri, 31 Dec 9999 23:59:59 GMT";
        // A successful answer's Date, however wrong, changes nothing.
        assert!(!o.learn(a, false, Some(far), 1000, 1100));
        assert_eq!(o.get(a), 0);
        // Nor does a Date that does not parse, or lies outside 1970-9999.
        for bad in [
            "garbage",
            "Thu, 01 Jan 1969 00:00:00 GMT",
            "Fri, 31 Dec 10000 23:59:59 GMT",
            "",
        ] {
            assert!(!o.learn(a, true, Some(bad), 1000, 1100), "{bad}");
        }
        assert!(!o.learn(a, true, None, 1000, 1100));
        // A rejection for the clock teaches the offset, for that endpoint only.
        let server = parse_http_date("Tue, 16 Feb 2021 17:30:47 GMT").unwrap();
        let local = server - 600_000;
        assert!(o.learn(
            a,
            true,
            Some("Tue, 16 Feb 2021 17:30:47 GMT"),
            local - 100,
            local + 100
        ));
        assert_eq!(o.get(a), 600_500);
        assert_eq!(o.get(b), 0);
        assert!(!o.learn(
            a,
            true,
            Some("Tue, 16 Feb 2021 17:30:47 GMT"),
            local - 100,
            local + 100
        ));
    }

    #[test]
    fn offset_uses_the_midpoint_and_ignores_slow_samples() {
        let server = parse_http_date("Tue, 16 Feb 2021 17:30:47 GMT").unwrap();
        let local = server - 600_000; // the local clock is 10 minutes slow
        assert_eq!(
            offset_from("Tue, 16 Feb 2021 17:30:47 GMT", local - 100, local + 100),
            Some(600_500)
        );
        assert_eq!(
            offset_from("Tue, 16 Feb 2021 17:30:47 GMT", 0, 16 * 60_000),
            None
        );
    }
}
