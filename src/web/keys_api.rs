//! The key calls of issue 16 (the keys of a store, Create key, the store test, deleting a
//! store with keys), one function per operation over [`Client::call`], and the runners that
//! drive `console::keys::Scan` and `console::probe::TestRun`. Paged calls page with the API
//! layer's [`Pages`].

use super::api::Pages;
use super::client::{Client, Reply};
use super::now_ms;
use crate::aws::error::KmsError;
use crate::aws::keys::{
    AliasListEntry, CancelKeyDeletionResponse, CreateAliasRequest, CreateKeyRequest,
    DecryptRequest, DecryptResponse, EncryptRequest, EncryptResponse, GenerateRandomRequest,
    GenerateRandomResponse, KeyIdRequest, KeyMetadataResponse, ListAliasesRequest,
    ListAliasesResponse, ListKeysRequest, ListKeysResponse, ScheduleKeyDeletionRequest,
    ScheduleKeyDeletionResponse, SecretBytes,
};
use crate::aws::kms::{Empty, Operation};
use crate::console::keys::{LIST_ALIASES_PAGE, MAX_LIST_PAGES, Scan};
use crate::console::probe::{self, PROBE_BYTES, TestPlan, TestRun};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// `ListKeys`, one page.
pub fn list_keys_page<'a>(
    client: &'a Client,
    request: &ListKeysRequest,
) -> impl Future<Output = Result<Reply<ListKeysResponse>, KmsError>> + 'a {
    client.call(Operation::ListKeys, request)
}

/// Every page of `ListKeys`: `each` gets each page as it arrives (for progress). Stops, with
/// `Ok`, as soon as `still()` is false after a reply.
pub async fn list_keys(
    client: &Client,
    first: ListKeysRequest,
    still: impl Fn() -> bool,
    mut each: impl FnMut(&ListKeysResponse) -> Option<ListKeysRequest>,
) -> Result<(), KmsError> {
    let mut pages = Pages::new(first, MAX_LIST_PAGES);
    loop {
        let reply = list_keys_page(client, &pages.request).await;
        if !still() {
            return Ok(());
        }
        let reply = reply?;
        if !pages.follow(each(&reply.output)) {
            return Ok(());
        }
    }
}

/// `DescribeKey`.
pub fn describe_key<'a>(
    client: &'a Client,
    key_id: &str,
) -> impl Future<Output = Result<Reply<KeyMetadataResponse>, KmsError>> + 'a {
    client.call(
        Operation::DescribeKey,
        &KeyIdRequest {
            key_id: key_id.to_string(),
        },
    )
}

/// Every page of `ListAliases` (of one key, or of the account): `each` gets each page.
pub async fn list_aliases(
    client: &Client,
    key_id: Option<String>,
    still: impl Fn() -> bool,
    mut each: impl FnMut(&[AliasListEntry]),
) -> Result<(), KmsError> {
    let first = ListAliasesRequest {
        key_id: key_id.clone(),
        limit: Some(LIST_ALIASES_PAGE),
        marker: None,
    };
    let mut pages = Pages::new(first, MAX_LIST_PAGES);
    loop {
        let reply = client
            .call::<_, ListAliasesResponse>(Operation::ListAliases, &pages.request)
            .await;
        if !still() {
            return Ok(());
        }
        let reply = reply?;
        each(&reply.output.aliases);
        let next = reply.output.next(key_id.clone()).map(|mut r| {
            r.limit = Some(LIST_ALIASES_PAGE);
            r
        });
        if !pages.follow(next) {
            return Ok(());
        }
    }
}

/// `CreateKey`, with a request from `console::keys::create_key_plan`.
pub fn create_key<'a>(
    client: &'a Client,
    request: &CreateKeyRequest,
) -> impl Future<Output = Result<Reply<KeyMetadataResponse>, KmsError>> + 'a {
    client.call(Operation::CreateKey, request)
}

/// `CreateAlias`.
pub fn create_alias<'a>(
    client: &'a Client,
    request: &CreateAliasRequest,
) -> impl Future<Output = Result<Reply<Empty>, KmsError>> + 'a {
    client.call(Operation::CreateAlias, request)
}

/// `Encrypt`.
pub fn encrypt<'a>(
    client: &'a Client,
    request: &EncryptRequest,
) -> impl Future<Output = Result<Reply<EncryptResponse>, KmsError>> + 'a {
    client.call(Operation::Encrypt, request)
}

/// `Decrypt`.
pub fn decrypt<'a>(
    client: &'a Client,
    request: &DecryptRequest,
) -> impl Future<Output = Result<Reply<DecryptResponse>, KmsError>> + 'a {
    client.call(Operation::Decrypt, request)
}

/// `GenerateRandom`.
pub fn generate_random<'a>(
    client: &'a Client,
    request: &GenerateRandomRequest,
) -> impl Future<Output = Result<Reply<GenerateRandomResponse>, KmsError>> + 'a {
    client.call(Operation::GenerateRandom, request)
}

/// `ScheduleKeyDeletion`, with a request from `console::keys::schedule_requests`.
pub fn schedule_key_deletion<'a>(
    client: &'a Client,
    request: &ScheduleKeyDeletionRequest,
) -> impl Future<Output = Result<Reply<ScheduleKeyDeletionResponse>, KmsError>> + 'a {
    client.call(Operation::ScheduleKeyDeletion, request)
}

/// `CancelKeyDeletion`.
pub fn cancel_key_deletion<'a>(
    client: &'a Client,
    key_id: &str,
) -> impl Future<Output = Result<Reply<CancelKeyDeletionResponse>, KmsError>> + 'a {
    client.call(
        Operation::CancelKeyDeletion,
        &KeyIdRequest {
            key_id: key_id.to_string(),
        },
    )
}

type Described<'a> =
    Pin<Box<dyn Future<Output = (String, Result<Reply<KeyMetadataResponse>, KmsError>)> + 'a>>;

/// Waits for the first of `in_flight` to finish and removes it.
async fn first_done<'a>(
    in_flight: &mut Vec<Described<'a>>,
) -> (String, Result<Reply<KeyMetadataResponse>, KmsError>) {
    std::future::poll_fn(|cx| {
        for i in 0..in_flight.len() {
            if let Poll::Ready(out) = in_flight[i].as_mut().poll(cx) {
                drop(in_flight.swap_remove(i));
                return Poll::Ready(out);
            }
        }
        Poll::Pending
    })
    .await
}

/// The keys of a store: `ListKeys` (all pages), `ListAliases` (all pages), then `DescribeKey`
/// per key with at most `console::keys::DESCRIBE_IN_FLIGHT` in flight. `progress` gets the scan
/// after every answer ("looked at N of M"). As soon as `still()` is false (the user left the
/// store, or pressed Refresh) it stops sending and returns the scan as it is; the calls still
/// in flight are dropped.
pub async fn scan_store_keys(
    client: &Client,
    store_id: &str,
    still: impl Fn() -> bool,
    mut progress: impl FnMut(&Scan),
) -> Scan {
    let mut scan = Scan::new(store_id);
    let listed = {
        let scan = &mut scan;
        let progress = &mut progress;
        list_keys(client, Scan::first_page(), &still, move |page| {
            let next = scan.on_keys_page(page);
            progress(scan);
            next
        })
        .await
    };
    if let Err(e) = listed {
        scan.fail(e);
        progress(&scan);
        return scan;
    }
    scan.listing_stopped();
    if !still() {
        return scan;
    }
    // Aliases are a nicety: a refusal leaves the rows without them, and says why.
    let mut aliases = Vec::new();
    let listed = list_aliases(client, None, &still, |page| aliases.extend_from_slice(page)).await;
    scan.on_aliases_page(&aliases);
    match listed {
        Ok(()) => scan.aliases_done(),
        Err(e) => scan.aliases_failed(e),
    }
    let mut in_flight: Vec<Described<'_>> = Vec::new();
    loop {
        if !still() {
            return scan;
        }
        while let Some(id) = scan.next_to_describe() {
            let call = describe_key(client, &id);
            in_flight.push(Box::pin(async move { (id, call.await) }));
        }
        if in_flight.is_empty() {
            break;
        }
        let (id, answer) = first_done(&mut in_flight).await;
        if !still() {
            return scan;
        }
        match answer {
            Ok(reply) => scan.on_described(&id, Ok(&reply.output.key_metadata)),
            Err(e) => scan.on_described(&id, Err(e)),
        }
        progress(&scan);
    }
    progress(&scan);
    scan
}

/// A fresh random probe from the browser's CSPRNG (`crypto.getRandomValues`).
pub fn random_probe() -> Result<SecretBytes, KmsError> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or_else(|| KmsError::not_sent("this browser has no crypto.getRandomValues."))?;
    let mut bytes = vec![0u8; PROBE_BYTES];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| KmsError::not_sent("the browser refused random bytes for the probe."))?;
    Ok(SecretBytes::new(bytes))
}

/// Runs the store test: each round encrypts a fresh probe, decrypts it with the same context
/// and compares, then (CloudHSM) asks the cluster for random bytes. `each` gets the run after
/// every call. Stops when `still()` is false. The probe, ciphertext and random bytes live only
/// in this function's locals and are dropped with each round.
pub async fn test_store(
    client: &Client,
    plan: TestPlan,
    still: impl Fn() -> bool,
    mut each: impl FnMut(&TestRun),
) -> TestRun {
    let mut run = TestRun::new(plan);
    while run.next().is_some() && still() {
        let context = run.plan.encryption_context(now_ms());
        let probe = match random_probe() {
            Ok(p) => p,
            Err(e) => {
                run.record(Operation::Encrypt, 0, None, Some(e));
                break;
            }
        };
        // Encrypt.
        let started = now_ms();
        let encrypted = encrypt(client, &run.plan.encrypt(&probe, &context)).await;
        let ms = elapsed(started);
        let ciphertext = match encrypted {
            Ok(r) => {
                run.record(Operation::Encrypt, ms, r.request_id, None);
                r.output.ciphertext_blob
            }
            Err(e) => {
                run.record(Operation::Encrypt, ms, None, Some(e));
                each(&run);
                break;
            }
        };
        each(&run);
        if !still() {
            break;
        }
        // Decrypt and compare.
        let started = now_ms();
        let decrypted = decrypt(client, &run.plan.decrypt(&ciphertext, &context)).await;
        let ms = elapsed(started);
        match decrypted {
            Ok(r) if probe::same_bytes(&probe, &r.output.plaintext) => {
                run.record(Operation::Decrypt, ms, r.request_id, None)
            }
            Ok(r) => {
                let id = r.request_id.clone();
                run.record(
                    Operation::Decrypt,
                    ms,
                    id.clone(),
                    Some(probe::mismatch(id)),
                )
            }
            Err(e) => run.record(Operation::Decrypt, ms, None, Some(e)),
        }
        each(&run);
        if run.next().map(|(_, op)| op) != Some(Operation::GenerateRandom) || !still() {
            continue;
        }
        // GenerateRandom from the CloudHSM cluster.
        let started = now_ms();
        let random = generate_random(client, &run.plan.random()).await;
        let ms = elapsed(started);
        match random {
            Ok(r) => run.record(Operation::GenerateRandom, ms, r.request_id, None),
            Err(e) => run.record(Operation::GenerateRandom, ms, None, Some(e)),
        }
        each(&run);
    }
    run
}

fn elapsed(started: i64) -> u64 {
    (now_ms() - started).max(0) as u64
}
