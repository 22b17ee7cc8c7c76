//! The AWS calls the page makes, as functions over the client: components call these and never
//! build a request themselves.

use super::client::Client;
use crate::aws::error::KmsError;
use crate::aws::kms::{
    CustomKeyStore, DescribeCustomKeyStoresRequest, DescribeCustomKeyStoresResponse, Operation,
};

/// Describes one store by id.
pub async fn describe_one(
    client: &Client,
    id: &str,
) -> Result<(CustomKeyStore, Option<String>), KmsError> {
    let request = DescribeCustomKeyStoresRequest {
        custom_key_store_id: Some(id.to_string()),
        ..Default::default()
    };
    let reply = client
        .call::<_, DescribeCustomKeyStoresResponse>(Operation::DescribeCustomKeyStores, &request)
        .await?;
    match reply
        .output
        .custom_key_stores
        .into_iter()
        .find(|s| s.custom_key_store_id.as_deref() == Some(id))
    {
        Some(store) => Ok((store, reply.request_id)),
        // KMS answers an unknown id with CustomKeyStoreNotFoundException, never with a list
        // that lacks it: such a reply is not KMS's.
        None => Err(KmsError::malformed(
            200,
            reply.request_id,
            "the reply does not include this custom key store",
            "",
        )),
    }
}
