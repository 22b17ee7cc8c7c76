//! The AWS calls the page makes, as functions over the client: components call these and never
//! build a request themselves. Every paged call pages with [`Pages`].

use super::client::{Client, Reply};
use crate::aws::cloudhsm::{Cluster, DescribeClustersRequest};
use crate::aws::error::KmsError;
use crate::aws::kms::{
    CreateCustomKeyStoreRequest, CreateCustomKeyStoreResponse, CustomKeyStore,
    DescribeCustomKeyStoresRequest, DescribeCustomKeyStoresResponse, Empty, Operation,
    StoreIdRequest, UpdateCustomKeyStoreRequest,
};

/// Most pages of `DescribeCustomKeyStores` read for one list, in case a server keeps answering
/// Truncated.
const MAX_STORE_PAGES: usize = 100;
/// Most pages of `DescribeClusters` read for one request.
const MAX_CLUSTER_PAGES: usize = 20;
/// Clusters named in one `DescribeClusters` request of the HSM counts.
const CLUSTERS_PER_REQUEST: usize = 20;

/// The one paging helper: holds the request to send, starting with the first; a reply's next
/// page replaces it ([`Pages::follow`]), at most `max` requests in all, in case a server keeps
/// naming a next page.
pub(super) struct Pages<Q> {
    pub(super) request: Q,
    left: usize,
}

impl<Q> Pages<Q> {
    pub(super) fn new(first: Q, max: usize) -> Self {
        Self {
            request: first,
            left: max,
        }
    }

    /// Takes the next page a reply named: whether there is one to send.
    pub(super) fn follow(&mut self, next: Option<Q>) -> bool {
        self.left -= 1;
        match next {
            Some(next) if self.left > 0 => {
                self.request = next;
                true
            }
            _ => false,
        }
    }
}

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

/// Every store, all pages of `DescribeCustomKeyStores`. Paging stops as soon as `still()` says
/// the list is no longer wanted (a newer refresh, another region, endpoint or credentials);
/// what such a call returns is stale, and the caller drops it.
pub async fn list_stores(
    client: &Client,
    still: impl Fn() -> bool,
) -> Result<Vec<CustomKeyStore>, KmsError> {
    let mut all = Vec::new();
    let mut pages = Pages::new(DescribeCustomKeyStoresRequest::default(), MAX_STORE_PAGES);
    loop {
        let reply = client
            .call::<_, DescribeCustomKeyStoresResponse>(
                Operation::DescribeCustomKeyStores,
                &pages.request,
            )
            .await;
        if !still() {
            break;
        }
        let reply = reply?;
        all.extend(reply.output.custom_key_stores);
        let next = reply
            .output
            .next_marker
            .filter(|_| reply.output.truncated)
            .map(|m| DescribeCustomKeyStoresRequest {
                marker: Some(m),
                ..Default::default()
            });
        if !pages.follow(next) {
            break;
        }
    }
    Ok(all)
}

/// Looks a cluster up in CloudHSM (all pages), as the pre-flight needs it. Stops with a "not
/// sent" error when `credentials_kept()` turns false (the credentials were forgotten).
pub async fn find_cluster(
    client: &Client,
    cluster_id: &str,
    credentials_kept: impl Fn() -> bool,
) -> Result<Option<Cluster>, KmsError> {
    let mut pages = Pages::new(
        DescribeClustersRequest::for_cluster(cluster_id),
        MAX_CLUSTER_PAGES,
    );
    loop {
        let reply = client.describe_clusters(&pages.request).await?;
        if !credentials_kept() {
            return Err(KmsError::not_sent("the credentials were forgotten."));
        }
        if let Some(c) = reply.output.find(cluster_id) {
            return Ok(Some(c.clone()));
        }
        if !pages.follow(pages.request.next_page(&reply.output)) {
            return Ok(None);
        }
    }
}

/// The clusters, for the overview's HSM counts: `each` gets every page's clusters as it
/// arrives, so a later page's error keeps the earlier ones. Stops as soon as `still()` is false
/// after a reply, or at the first error (returned).
pub async fn clusters(
    client: &Client,
    cluster_ids: &[String],
    still: impl Fn() -> bool,
    mut each: impl FnMut(&[Cluster]),
) -> Result<(), KmsError> {
    for chunk in cluster_ids.chunks(CLUSTERS_PER_REQUEST) {
        let mut first = DescribeClustersRequest::for_cluster(&chunk[0]);
        if let Some(v) = first.filters.values_mut().next() {
            *v = chunk.to_vec();
        }
        let mut pages = Pages::new(first, MAX_CLUSTER_PAGES);
        loop {
            let reply = client.describe_clusters(&pages.request).await;
            if !still() {
                return Ok(());
            }
            let reply = reply?;
            each(&reply.output.clusters);
            if !pages.follow(pages.request.next_page(&reply.output)) {
                break;
            }
        }
    }
    Ok(())
}

/// `ConnectCustomKeyStore`.
pub fn connect<'a>(
    client: &'a Client,
    id: &str,
) -> impl Future<Output = Result<Reply<Empty>, KmsError>> + 'a {
    client.call(Operation::ConnectCustomKeyStore, &store_id(id))
}

/// `DisconnectCustomKeyStore`.
pub fn disconnect<'a>(
    client: &'a Client,
    id: &str,
) -> impl Future<Output = Result<Reply<Empty>, KmsError>> + 'a {
    client.call(Operation::DisconnectCustomKeyStore, &store_id(id))
}

/// `CreateCustomKeyStore`, with a request from `console::forms`.
pub fn create_store<'a>(
    client: &'a Client,
    request: &CreateCustomKeyStoreRequest,
) -> impl Future<Output = Result<Reply<CreateCustomKeyStoreResponse>, KmsError>> + 'a {
    client.call(Operation::CreateCustomKeyStore, request)
}

/// `UpdateCustomKeyStore`, with a request from `console::forms`.
pub fn update_store<'a>(
    client: &'a Client,
    request: &UpdateCustomKeyStoreRequest,
) -> impl Future<Output = Result<Reply<Empty>, KmsError>> + 'a {
    client.call(Operation::UpdateCustomKeyStore, request)
}

/// `DeleteCustomKeyStore`.
pub fn delete_store<'a>(
    client: &'a Client,
    id: &str,
) -> impl Future<Output = Result<Reply<Empty>, KmsError>> + 'a {
    client.call(Operation::DeleteCustomKeyStore, &store_id(id))
}

/// The request of a call that names one store.
fn store_id(id: &str) -> StoreIdRequest {
    StoreIdRequest {
        custom_key_store_id: id.to_string(),
    }
}
