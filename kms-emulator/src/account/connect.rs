//! ConnectCustomKeyStore and DisconnectCustomKeyStore. The state machine and its timed
//! transitions are the store's (`crate::stores`); the account decides what a store that follows
//! its cluster does next.

use super::Account;
use crate::clusters;
use crate::kms::KmsFault;
use serde_json::{Value, json};
use std::time::Instant;

impl Account {
    pub(super) fn connect(&mut self, input: &Value, now: Instant) -> Result<Value, KmsFault> {
        let i = self.target(input)?;
        self.follow_cluster(i);
        self.stores[i].connect(now, self.pace).map(|_| json!({}))
    }

    pub(super) fn disconnect(&mut self, input: &Value, now: Instant) -> Result<Value, KmsFault> {
        let i = self.target(input)?;
        self.stores[i].disconnect(now, self.pace).map(|_| json!({}))
    }

    /// What Connect does next to a store that follows its cluster.
    fn follow_cluster(&mut self, i: usize) {
        let s = &self.stores[i];
        if !s.follows_cluster {
            return;
        }
        let ready = &self.new_stores.cloudhsm;
        let script = match self
            .clusters
            .iter()
            .find(|c| Some(&c.id) == s.cluster_id.as_ref())
        {
            Some(c) => c.health().connect(ready),
            None => clusters::failed(ready.delay_seconds, "CLUSTER_NOT_FOUND"),
        };
        self.stores[i].set_script(script);
    }
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use serde_json::json;

    #[test]
    fn connect_and_disconnect_rules() {
        let mut t = T::new();
        assert_eq!(
            t.code("ConnectCustomKeyStore", json!({})),
            "ValidationException"
        );
        assert_eq!(
            t.code(
                "ConnectCustomKeyStore",
                json!({"CustomKeyStoreId": "cks-00000000000000000"})
            ),
            "CustomKeyStoreNotFoundException"
        );
        assert_eq!(
            t.code("ConnectCustomKeyStore", json!({"CustomKeyStoreId": FAILED})),
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            t.code("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": XKS})),
            "CustomKeyStoreInvalidStateException"
        );
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": XKS}));
        assert_eq!(t.store(XKS)["ConnectionState"], "CONNECTING");
        t.wait(30);
        assert_eq!(t.store(XKS)["ConnectionState"], "CONNECTED");
        t.ok("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": XKS}));
        assert_eq!(
            t.code("ConnectCustomKeyStore", json!({"CustomKeyStoreId": XKS})),
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            t.code("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": XKS})),
            "CustomKeyStoreInvalidStateException"
        );
        t.wait(30);
        assert_eq!(t.store(XKS)["ConnectionState"], "DISCONNECTED");
        t.ok(
            "DisconnectCustomKeyStore",
            json!({"CustomKeyStoreId": FAILED}),
        );
        t.wait(30);
        let s = t.store(FAILED);
        assert_eq!(s["ConnectionState"], "DISCONNECTED");
        assert!(s.get("ConnectionErrorCode").is_none());
    }
}
