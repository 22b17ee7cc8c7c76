//! Clock skew. An endpoint that rejects a request for its time (`RequestExpired`, "Signature
//! expired", "not yet current") teaches the offset between its clock and ours, from the
//! rejection's `Date` header and the request's midpoint; the offset is kept for that endpoint
//! only and added to the local clock when signing for it. A `Date` on any other answer changes
//! nothing, so an endpoint cannot move the signing time by lying on successful answers.

use crate::aws::date::parse_http_date;

/// Clock offsets (server time minus local time, ms), one per endpoint URL. A page talks to a
/// handful of endpoints: a list searched in order needs no map code in the wasm.
#[derive(Clone, Debug, Default)]
pub struct Offsets(Vec<(String, i64)>);

impl Offsets {
    /// The offset to sign with for `endpoint` (0 until it rejected a request for its time).
    pub fn get(&self, endpoint: &str) -> i64 {
        self.0
            .iter()
            .find(|(e, _)| e == endpoint)
            .map_or(0, |&(_, offset)| offset)
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
        match self.0.iter_mut().find(|(e, _)| e == endpoint) {
            Some((_, known)) => std::mem::replace(known, offset) != offset,
            None => {
                self.0.push((endpoint.to_string(), offset));
                true
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
