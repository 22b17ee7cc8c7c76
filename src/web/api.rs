//! The AWS calls the page makes, as functions over the client: components call these and never
//! build a request themselves. Every paged call goes through [`paged`].

use super::client::Client;
use crate::aws::cloudhsm::{Cluster, DescribeClustersRequest, hsm_count};
use crate::aws::error::KmsError;
use crate::aws::kms::{
    CreateCustomKeyStoreRequest, CreateCustomKeyStoreResponse, CustomKeyStore,
    DescribeCustomKeyStoresRequest, DescribeCustomKeyStoresResponse, Empty, Operation,
    StoreIdRequest, UpdateCustomKeyStoreRequest,
};
use std::ops::ControlFlow;

/// Most pages of `DescribeCustomKeyStores` read for one list, in case a server keeps answering
/// Truncated.
const MAX_STORE_PAGES: usize = 100;
/// Most pages of `DescribeClusters` read for one request.
const MAX_CLUSTER_PAGES: usize = 20;
/// Clusters named in one `DescribeClusters` request of the HSM counts.
const CLUSTERS_PER_REQUEST: usize = 20;

/// The one paging loop: sends `first`, hands each reply to `page`, which either stops with a
/// result or names the next request (`None`: that was the last page). At most `max_pages`
/// pages; `None` when the pages ran out without a stop.
async fn paged<Q, R, B>(
    first: Q,
    max_pages: usize,
    call: impl AsyncFn(&Q) -> Result<R, KmsError>,
    mut page: impl FnMut(&Q, Result<R, KmsError>) -> ControlFlow<B, Option<Q>>,
) -> Option<B> {
    let mut request = first;
    for _ in 0..max_pages {
        let reply = call(&request).await;
        match page(&request, reply) {
            ControlFlow::Break(done) => return Some(done),
            ControlFlow::Continue(Some(next)) => request = next,
            ControlFlow::Continue(None) => break,
        }
    }
    None
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
    let end = paged(
        DescribeCustomKeyStoresRequest::default(),
        MAX_STORE_PAGES,
        async |request| {
            client
                .call::<_, DescribeCustomKeyStoresResponse>(
                    Operation::DescribeCustomKeyStores,
                    request,
                )
                .await
        },
        |_, reply| {
            if !still() {
                return ControlFlow::Break(Ok(()));
            }
            match reply {
                Ok(reply) => {
                    all.extend(reply.output.custom_key_stores);
                    ControlFlow::Continue(
                        reply
                            .output
                            .next_marker
                            .filter(|_| reply.output.truncated)
                            .map(|m| DescribeCustomKeyStoresRequest {
                                marker: Some(m),
                                ..Default::default()
                            }),
                    )
                }
                Err(e) => ControlFlow::Break(Err(e)),
            }
        },
    )
    .await;
    end.unwrap_or(Ok(()))?;
    Ok(all)
}

/// Looks a cluster up in CloudHSM (all pages), as the pre-flight needs it. Stops with a "not
/// sent" error when `credentials_kept()` turns false (the credentials were forgotten).
pub async fn find_cluster(
    client: &Client,
    cluster_id: &str,
    credentials_kept: impl Fn() -> bool,
) -> Result<Option<Cluster>, KmsError> {
    paged(
        DescribeClustersRequest::for_cluster(cluster_id),
        MAX_CLUSTER_PAGES,
        async |request| client.describe_clusters(request).await,
        |request, reply| {
            let reply = match reply {
                Ok(reply) => reply,
                Err(e) => return ControlFlow::Break(Err(e)),
            };
            if !credentials_kept() {
                return ControlFlow::Break(Err(KmsError::not_sent(
                    "the credentials were forgotten.",
                )));
            }
            if let Some(c) = reply.output.find(cluster_id) {
                return ControlFlow::Break(Ok(Some(c.clone())));
            }
            ControlFlow::Continue(request.next_page(&reply.output))
        },
    )
    .await
    .unwrap_or(Ok(None))
}

/// The HSM counts (ACTIVE HSMs, all HSMs) of the clusters, for the overview: `each` gets every
/// page's counts as it arrives, so a later page's error keeps the earlier ones. Stops as soon as
/// `still()` is false after a reply, or at the first error (returned).
pub async fn hsm_counts(
    client: &Client,
    cluster_ids: &[String],
    still: impl Fn() -> bool,
    mut each: impl FnMut(Vec<(String, (usize, usize))>),
) -> Result<(), KmsError> {
    for chunk in cluster_ids.chunks(CLUSTERS_PER_REQUEST) {
        let mut request = DescribeClustersRequest::for_cluster(&chunk[0]);
        if let Some(v) = request.filters.values_mut().next() {
            *v = chunk.to_vec();
        }
        let end = paged(
            request,
            MAX_CLUSTER_PAGES,
            async |request| client.describe_clusters(request).await,
            |request, reply| {
                if !still() {
                    return ControlFlow::Break(Ok(()));
                }
                match reply {
                    Ok(reply) => {
                        each(
                            reply
                                .output
                                .clusters
                                .iter()
                                .filter_map(|c| Some((c.cluster_id.clone()?, hsm_count(c))))
                                .collect(),
                        );
                        ControlFlow::Continue(request.next_page(&reply.output))
                    }
                    Err(e) => ControlFlow::Break(Err(e)),
                }
            },
        )
        .await;
        if let Some(end) = end {
            return end;
        }
    }
    Ok(())
}

/// `ConnectCustomKeyStore`: the request id of the accepted call.
pub async fn connect(client: &Client, id: &str) -> Result<Option<String>, KmsError> {
    store_call(client, Operation::ConnectCustomKeyStore, id).await
}

/// `DisconnectCustomKeyStore`: the request id of the accepted call.
pub async fn disconnect(client: &Client, id: &str) -> Result<Option<String>, KmsError> {
    store_call(client, Operation::DisconnectCustomKeyStore, id).await
}

/// `CreateCustomKeyStore`: the new store's id.
pub async fn create_store(
    client: &Client,
    request: &CreateCustomKeyStoreRequest,
) -> Result<String, KmsError> {
    let reply = client
        .call::<_, CreateCustomKeyStoreResponse>(Operation::CreateCustomKeyStore, request)
        .await?;
    Ok(reply.output.custom_key_store_id.unwrap_or_default())
}

/// `UpdateCustomKeyStore`.
pub async fn update_store(
    client: &Client,
    request: &UpdateCustomKeyStoreRequest,
) -> Result<(), KmsError> {
    client
        .call::<_, Empty>(Operation::UpdateCustomKeyStore, request)
        .await
        .map(|_| ())
}

/// `DeleteCustomKeyStore`.
pub async fn delete_store(client: &Client, id: &str) -> Result<(), KmsError> {
    store_call(client, Operation::DeleteCustomKeyStore, id)
        .await
        .map(|_| ())
}

/// A call that names one store and answers nothing: its request id.
async fn store_call(client: &Client, op: Operation, id: &str) -> Result<Option<String>, KmsError> {
    let request = StoreIdRequest {
        custom_key_store_id: id.to_string(),
    };
    let reply = client.call::<_, Empty>(op, &request).await?;
    Ok(reply.request_id)
}
