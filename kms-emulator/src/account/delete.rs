//! DeleteCustomKeyStore: only a DISCONNECTED store without KMS keys.

use super::{Account, invalid_state};
use crate::kms::{ConnectionState, KmsFault, fault};
use serde_json::{Value, json};

impl Account {
    pub(super) fn delete(&mut self, input: &Value) -> Result<Value, KmsFault> {
        let i = self.target(input)?;
        let s = &self.stores[i];
        // Every key of the store blocks, pending deletion or not: a key pending deletion still
        // exists until its waiting period ends.
        let keys = self.keys_in_store(&s.id);
        if keys > 0 {
            return Err(fault(
                "CustomKeyStoreHasCMKsException",
                format!(
                    "Custom key store {} contains {keys} KMS keys. Delete them (ScheduleKeyDeletion) before you delete the custom key store.",
                    s.id
                ),
            ));
        }
        if s.state != ConnectionState::Disconnected {
            return Err(invalid_state(format!(
                "Custom key store {} is in the {} state. Disconnect it before you delete it.",
                s.id, s.state
            )));
        }
        self.stores.remove(i);
        Ok(json!({}))
    }
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use serde_json::json;

    #[test]
    fn delete_rules() {
        let mut t = T::new();
        assert_eq!(
            t.code(
                "DeleteCustomKeyStore",
                json!({"CustomKeyStoreId": WITH_KEYS})
            ),
            "CustomKeyStoreHasCMKsException"
        );
        for id in [HSM_CONNECTED, FAILED] {
            assert_eq!(
                t.code("DeleteCustomKeyStore", json!({"CustomKeyStoreId": id})),
                "CustomKeyStoreInvalidStateException"
            );
        }
        t.ok("DeleteCustomKeyStore", json!({"CustomKeyStoreId": HSM}));
        assert_eq!(
            t.code("DescribeCustomKeyStores", json!({"CustomKeyStoreId": HSM})),
            "CustomKeyStoreNotFoundException"
        );
        assert_eq!(
            t.code("DeleteCustomKeyStore", json!({"CustomKeyStoreId": HSM})),
            "CustomKeyStoreNotFoundException"
        );
        // Its cluster and name are free again.
        t.ok(
            "CreateCustomKeyStore",
            hsm_create("t-hsm", "cluster-2aaaaaaaaaaa"),
        );
    }
}
