//! Deep links: the URL fragment carries the region, the endpoint and the store id, and an open
//! watch (what it waits for and since when), so a reload or a shared link reopens it once
//! credentials are given. The type has no place for a secret: none can leak into a URL.

use crate::aws::endpoint::Variant;
use crate::console::watch::Goal;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub store: Option<String>,
    /// The FIPS and dual-stack options (written only when set).
    pub variant: Variant,
    /// An open watch: its goal and when its call was made (epoch ms).
    pub watch: Option<(Goal, i64)>,
    /// Benchmarks only: the watch schedule's time compression (see `Watch::pace`).
    pub pace: Option<u32>,
    /// The store page's tab (written only when it is not the first).
    pub tab: Tab,
}

/// The tabs of a store's page, in their order on the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Tab {
    /// Pre-flight, Connect and Disconnect, the status panel.
    #[default]
    Connection,
    /// Update and Delete.
    Settings,
    /// The store's KMS keys, Create key, the store test.
    Keys,
    /// The store's health from CloudWatch: graphs, what needs attention, alarms.
    Health,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Connection, Tab::Settings, Tab::Keys, Tab::Health];

    /// Its name in the link.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Connection => "connection",
            Tab::Settings => "settings",
            Tab::Keys => "keys",
            Tab::Health => "health",
        }
    }

    /// Its label on the page.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Connection => "Connection",
            Tab::Settings => "Settings",
            Tab::Keys => "Keys",
            Tab::Health => "Health",
        }
    }

    fn parse(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The tab `step` places away, wrapping (the arrow keys of a tab list).
    pub fn step(self, step: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Tab::ALL[(i + step).rem_euclid(n) as usize]
    }
}

/// Everything but unreserved characters is escaped.
const ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Link {
    /// Parses a fragment (with or without the leading `#`); unknown or malformed keys are
    /// ignored, so an old or hand-edited link still opens what it can.
    pub fn parse(fragment: &str) -> Self {
        let mut link = Link::default();
        let mut goal = None;
        let mut since = None;
        for pair in fragment.trim_start_matches('#').split('&') {
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            let v = percent_decode_str(v).decode_utf8_lossy().trim().to_string();
            if v.is_empty() || v.len() > 512 {
                continue;
            }
            match k {
                "region" => link.region = Some(v),
                "endpoint" => link.endpoint = Some(v),
                "store" => link.store = Some(v),
                "fips" => link.variant.fips = v == "1",
                "dualstack" => link.variant.dual_stack = v == "1",
                "watch" => {
                    goal = match v.as_str() {
                        "connect" => Some(Goal::Connect),
                        "disconnect" => Some(Goal::Disconnect),
                        _ => None,
                    }
                }
                "since" => since = v.parse::<i64>().ok().filter(|t| *t > 0),
                "tab" => link.tab = Tab::parse(&v).unwrap_or_default(),
                "pace" => link.pace = v.parse::<u32>().ok().filter(|p| (2..=3600).contains(p)),
                _ => {}
            }
        }
        if let (Some(g), Some(t), Some(_)) = (goal, since, &link.store) {
            link.watch = Some((g, t));
        }
        link
    }

    /// Keeps only what the form would accept: a region that resolves, an endpoint URL that
    /// parses, a store ID of KMS's form. Half-typed text, an endpoint with a
    /// `user:password@`, or a secret pasted into the wrong field never reach the address bar.
    pub fn only_valid(self) -> Self {
        use crate::aws::endpoint::{parse_custom_url, resolve};
        let region = self
            .region
            .filter(|r| resolve(r, Variant::default(), None).is_ok());
        let endpoint = self
            .endpoint
            .map(|e| e.trim().to_string())
            .filter(|e| parse_custom_url(e).is_ok());
        let store = self
            .store
            .filter(|id| crate::aws::kms::check_store_id(id) == Ok(None));
        // Options the region and endpoint cannot take (FIPS with a custom URL) are dropped.
        let variant = region
            .as_ref()
            .filter(|r| resolve(r, self.variant, endpoint.as_deref()).is_ok())
            .map_or(Variant::default(), |_| self.variant);
        Link {
            region,
            endpoint,
            watch: self.watch.filter(|_| store.is_some()),
            store,
            variant,
            pace: self.pace,
            tab: self.tab,
        }
    }

    /// The endpoint the link names, if it must wait for the user's confirmation: a link may not
    /// choose where requests go, so anything but a loopback endpoint waits.
    pub fn endpoint_to_confirm(&self) -> Option<&str> {
        use crate::aws::endpoint::{is_loopback, parse_custom_url, url_host};
        self.endpoint.as_deref().filter(|e| {
            !parse_custom_url(e)
                .ok()
                .and_then(|u| url_host(&u))
                .is_some_and(|h| is_loopback(&h))
        })
    }

    /// The fragment, without `#`; empty members are left out.
    pub fn format(&self) -> String {
        let mut parts = Vec::new();
        // Empty and oversized values are left out (parse ignores them too).
        let mut put = |k: &str, v: &str| {
            if !v.trim().is_empty() && v.trim().len() <= 512 {
                parts.push(format!("{k}={}", utf8_percent_encode(v.trim(), ESCAPE)));
            }
        };
        put("region", self.region.as_deref().unwrap_or(""));
        put("endpoint", self.endpoint.as_deref().unwrap_or(""));
        put("store", self.store.as_deref().unwrap_or(""));
        if self.variant.fips {
            put("fips", "1");
        }
        if self.variant.dual_stack {
            put("dualstack", "1");
        }
        if let Some((goal, since)) = self.watch {
            put(
                "watch",
                if goal == Goal::Connect {
                    "connect"
                } else {
                    "disconnect"
                },
            );
            put("since", &since.to_string());
        }
        if self.tab != Tab::default() {
            put("tab", self.tab.key());
        }
        if let Some(p) = self.pace.filter(|p| *p > 1) {
            put("pace", &p.to_string());
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_endpoint_is_used_without_confirmation() {
        let link = |e: &str| Link::parse(&format!("#endpoint={}", utf8_percent_encode(e, ESCAPE)));
        for e in [
            "http://127.0.0.1:4599",
            "http://localhost:8080/",
            "http://[::1]:4599",
        ] {
            assert_eq!(link(e).endpoint_to_confirm(), None, "{e}");
        }
        for e in [
            "https://abc123xyz9.execute-api.us-east-1.amazonaws.com",
            "https://vpce-0123-abcd.kms.us-east-1.vpce.amazonaws.com",
            "https://kms.us-east-1.amazonaws.com",
            "not a url",
        ] {
            assert_eq!(link(e).endpoint_to_confirm(), Some(e), "{e}");
        }
        assert_eq!(Link::parse("#region=us-east-1").endpoint_to_confirm(), None);
    }

    #[test]
    fn round_trip_and_tolerance() {
        let l = Link {
            region: Some("eu-west-1".into()),
            endpoint: Some("http://127.0.0.1:4599/".into()),
            store: Some("cks-0a1b2c3d4e5f60001".into()),
            watch: Some((Goal::Connect, 1_700_000_000_000)),
            variant: Variant::default(),
            pace: None,
            tab: Tab::Connection,
        };
        let f = l.format();
        assert_eq!(
            f,
            "region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A4599%2F&store=cks-0a1b2c3d4e5f60001&watch=connect&since=1700000000000"
        );
        assert_eq!(Link::parse(&format!("#{f}")), l);
        assert_eq!(
            Link::parse("#store=x&watch=explode&since=abc&junk&=&secret=s3cr3t"),
            Link {
                store: Some("x".into()),
                ..Default::default()
            }
        );
        assert_eq!(Link::parse(""), Link::default());
        assert_eq!(Link::parse("#pace=60").pace, Some(60));
        assert_eq!(Link::parse("#pace=0").pace, None);
        // The tab: the first is the default and is not written; an unknown one is the first.
        assert_eq!(Link::parse("#tab=settings").tab, Tab::Settings);
        assert_eq!(Link::parse("#tab=nonsense").tab, Tab::Connection);
        assert_eq!(Link::parse("#tab=keys").tab, Tab::Keys);
        assert_eq!(Tab::Settings.step(1), Tab::Keys);
        assert_eq!(Link::parse("#tab=health").tab, Tab::Health);
        assert_eq!(*Tab::ALL.last().unwrap(), Tab::Health);
        assert_eq!(
            (Tab::Health.key(), Tab::Health.title()),
            ("health", "Health")
        );
        let settings = Link {
            tab: Tab::Settings,
            ..Default::default()
        };
        assert_eq!(settings.format(), "tab=settings");
        assert_eq!(Link::parse(&settings.format()), settings);
        assert_eq!(Tab::Connection.step(-1), *Tab::ALL.last().unwrap());
        assert_eq!(Tab::ALL.last().unwrap().step(1), Tab::Connection);
        assert_eq!(
            Link {
                pace: Some(60),
                ..Default::default()
            }
            .format(),
            "pace=60"
        );
        // Only values the form accepts are written: no credentials in a URL, no half-typed
        // text, no ID that is really a pasted secret.
        let typed = Link {
            region: Some("us-east-".into()),
            endpoint: Some("https://user:pass@kms.example.com".into()),
            store: Some("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()),
            watch: Some((Goal::Connect, 1)),
            variant: Variant {
                fips: true,
                dual_stack: false,
            },
            pace: None,
            tab: Tab::Connection,
        };
        assert_eq!(typed.only_valid(), Link::default());
        let good = Link {
            region: Some("eu-west-1".into()),
            endpoint: Some("HTTP://127.0.0.1:4599".into()),
            store: Some("cks-0a1b2c3d4e5f60001".into()),
            watch: Some((Goal::Connect, 1)),
            variant: Variant {
                fips: true,
                dual_stack: false,
            },
            pace: None,
            tab: Tab::Connection,
        }
        .only_valid();
        assert_eq!(good.endpoint.as_deref(), Some("HTTP://127.0.0.1:4599"));
        assert_eq!(good.region.as_deref(), Some("eu-west-1"));
        assert!(good.store.is_some() && good.watch.is_some());
        // FIPS cannot go with a custom endpoint: dropped. With AWS's endpoint it is kept.
        assert!(!good.variant.fips);
        let fips = Link {
            region: Some("us-east-1".into()),
            variant: Variant {
                fips: true,
                dual_stack: false,
            },
            ..Default::default()
        }
        .only_valid();
        assert_eq!(fips.format(), "region=us-east-1&fips=1");
        assert!(Link::parse("#region=us-east-1&fips=1").variant.fips);
        assert_eq!(
            Link::parse("#region=%ZZ%E2%28"),
            Link {
                region: Some("%ZZ\u{fffd}(".into()),
                ..Default::default()
            }
        );
    }
}
