//! DescribeCustomKeyStores: one store by id or name, or all of them a page at a time.

use super::{Account, not_found};
use crate::cursor::Cursor;
use crate::kms::{KmsFault, fault};
use crate::stores::Store;
use crate::validate::{self as v, Check};
use serde_json::{Value, json};

const MARKERS: Cursor = Cursor {
    prefix: "AQICAHg",
    mask: 0x6b6d_7365_6d75_6c61,
};

/// A DescribeCustomKeyStores request that passed the model's checks.
struct Query<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    limit: usize,
    marker: Option<&'a str>,
}

impl<'a> Query<'a> {
    fn read(input: &'a Value) -> Result<Self, KmsFault> {
        let mut c = Check::new(input);
        let id = c.string(&v::STORE_ID, false)?;
        let name = c.string(&v::STORE_NAME, false)?;
        let limit = c.integer("Limit", 1, 1000)?.unwrap_or(1000).max(1) as usize;
        let marker = c.string(&v::MARKER, false)?;
        c.finish()?;
        if id.is_some() && name.is_some() {
            return Err(fault(
                "ValidationException",
                "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
            ));
        }
        Ok(Self {
            id,
            name,
            limit,
            marker,
        })
    }
}

impl Account {
    pub(super) fn describe(&self, input: &Value) -> Result<Value, KmsFault> {
        let q = Query::read(input)?;
        let from = match q.marker {
            None => 0,
            Some(m) => self.marker_position(m)?,
        };
        let selected = self.select(&q)?;
        Ok(self.page(selected, from, q.limit))
    }

    /// The sequence number a marker of this account's holds.
    fn marker_position(&self, m: &str) -> Result<u64, KmsFault> {
        let seq = MARKERS.decode(m).filter(|&seq| seq <= self.next_seq);
        seq.ok_or_else(|| {
            fault(
                "InvalidMarkerException",
                "The request was rejected because the marker that specifies where pagination should next begin is not valid.",
            )
        })
    }

    /// The stores a request names (all when it names none); naming none that exists fails.
    fn select(&self, q: &Query) -> Result<Vec<&Store>, KmsFault> {
        let selected: Vec<&Store> = self
            .stores
            .iter()
            .filter(|s| q.id.is_none_or(|i| s.id == i) && q.name.is_none_or(|n| s.name == n))
            .collect();
        if selected.is_empty()
            && let Some(what) = q.id.or(q.name)
        {
            return Err(not_found(what));
        }
        Ok(selected)
    }

    /// Up to `limit` of `selected` from sequence number `from`, and a marker for the rest.
    fn page(&self, selected: Vec<&Store>, from: u64, limit: usize) -> Value {
        let rest: Vec<&Store> = selected.into_iter().filter(|s| s.seq >= from).collect();
        let page = &rest[..limit.min(rest.len())];
        let mut out = json!({
            "CustomKeyStores": page.iter().map(|s| s.entry(&self.account_id)).collect::<Vec<_>>(),
            "Truncated": rest.len() > page.len(),
        });
        if let Some(next) = rest.get(page.len()) {
            out["NextMarker"] = json!(MARKERS.encode(next.seq));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::account::Account;
    use crate::account::testing::*;
    use crate::spec::Scenario;
    use crate::stores::Pace;
    use serde_json::json;
    use std::time::Instant;

    #[test]
    fn describe_pages_with_markers_that_survive_deletes() {
        let mut t = T::new();
        let all = t.ok("DescribeCustomKeyStores", json!({}));
        let total = all["CustomKeyStores"].as_array().unwrap().len();
        assert_eq!((total, all["Truncated"].clone()), (13, json!(false)));
        assert!(all.get("NextMarker").is_none());
        let first = t.ok("DescribeCustomKeyStores", json!({"Limit": 5}));
        assert_eq!(first["Truncated"], true);
        let marker = first["NextMarker"].as_str().unwrap().to_string();
        // The next page's first store goes away: the marker still works.
        let next_id = all["CustomKeyStores"][5]["CustomKeyStoreId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(next_id, WITH_KEYS);
        t.a.stores.retain(|s| s.id != next_id);
        let second = t.ok(
            "DescribeCustomKeyStores",
            json!({"Limit": 5, "Marker": marker}),
        );
        assert_eq!(second["CustomKeyStores"][0]["CustomKeyStoreId"], SLOW);
        let mut ids = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut req = json!({"Limit": 4});
            if let Some(m) = &marker {
                req["Marker"] = json!(m);
            }
            let page = t.ok("DescribeCustomKeyStores", req);
            ids.extend(
                page["CustomKeyStores"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["CustomKeyStoreId"].clone()),
            );
            if page["Truncated"] == false {
                break;
            }
            marker = page["NextMarker"].as_str().map(str::to_string);
        }
        assert_eq!(ids.len(), 12);
        for bad in ["nope", "AQICAHg0000000000000000", "AQICAHgffffffffffffffff"] {
            assert_eq!(
                t.code("DescribeCustomKeyStores", json!({"Marker": bad})),
                "InvalidMarkerException"
            );
        }
        assert_eq!(
            t.code("DescribeCustomKeyStores", json!({"Marker": ""})),
            "ValidationException"
        );
        assert_eq!(
            t.code("DescribeCustomKeyStores", json!({"Limit": 1001})),
            "ValidationException"
        );
        let by_name = t.ok(
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreName": "t-hsm"}),
        );
        assert_eq!(by_name["CustomKeyStores"][0]["CustomKeyStoreId"], HSM);
        for missing in [
            json!({"CustomKeyStoreId": "cks-00000000000000000"}),
            json!({"CustomKeyStoreName": "nope"}),
        ] {
            assert_eq!(
                t.code("DescribeCustomKeyStores", missing),
                "CustomKeyStoreNotFoundException"
            );
        }
    }

    #[test]
    fn default_scenario_ids_and_describe_shape() {
        let s = Scenario::parse(crate::scenario::DEFAULT).unwrap();
        let mut a = Account::new(&s, Pace { time_scale: 1.0 }, 1_700_000_000_000, 1);
        let out = a
            .call("DescribeCustomKeyStores", &json!({}), Instant::now(), 0)
            .unwrap();
        let stores = out["CustomKeyStores"].as_array().unwrap();
        let ids: Vec<&str> = stores
            .iter()
            .map(|s| s["CustomKeyStoreId"].as_str().unwrap())
            .collect();
        for i in 1..=12 {
            assert_eq!(ids[i - 1], format!("cks-0a1b2c3d4e5f6000{i:x}"));
        }
        assert_eq!(stores[0]["CustomKeyStoreName"], "payments-xks");
        assert_eq!(stores[11]["ConnectionState"], "CONNECTED");
        assert_eq!(stores[10]["ConnectionErrorCode"], "NETWORK_ERRORS");
        assert!(
            stores
                .iter()
                .all(|s| s["CreationDate"].as_f64().unwrap() < 1.7e9)
        );
        assert_eq!(
            a.call("GenerateDataKey", &json!({}), Instant::now(), 0)
                .unwrap_err()
                .code,
            "UnknownOperationException"
        );
    }
}
