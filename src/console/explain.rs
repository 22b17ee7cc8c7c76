//! Plain words for every ConnectionErrorCode and every error of the calls the console makes:
//! what it means, what to do, and where AWS documents it. The one table of these texts.

use crate::aws::error::{ErrorKind, KmsError};
use crate::aws::kms::{ConnectionErrorCode as C, CustomKeyStoreType, Operation};

const DOCS: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/";
pub const FIX_CLOUDHSM: &str =
    "https://docs.aws.amazon.com/kms/latest/developerguide/fix-keystore.html#fix-keystore-failed";
pub const FIX_XKS: &str = "https://docs.aws.amazon.com/kms/latest/developerguide/xks-troubleshooting.html#xks-connection-error-codes";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// What happened, in plain words.
    pub meaning: String,
    /// What to do next.
    pub fix: String,
    /// The AWS page that documents it.
    pub doc: String,
}

fn ex(meaning: &str, fix: &str, doc: &str) -> Explanation {
    Explanation {
        meaning: meaning.to_string(),
        fix: fix.to_string(),
        doc: doc.to_string(),
    }
}

const RECONNECT: &str = "Then Disconnect the store and Connect it again.";
/// A FAILED store takes no Update: the model's order is Disconnect, correct, Connect.
const FIX_THEN_CONNECT: &str = "Disconnect the store first (KMS accepts no Update while it is FAILED), make the change with Update, then Connect it again.";

/// Why a store is FAILED, for its type (INVALID_CREDENTIALS means different things).
pub fn connection_error(code: &C, store_type: &CustomKeyStoreType) -> Explanation {
    let xks = *store_type == CustomKeyStoreType::ExternalKeyStore;
    let doc = if xks { FIX_XKS } else { FIX_CLOUDHSM };
    let (meaning, fix): (&str, String) = match code {
        C::InternalError => ("KMS failed on its own side while connecting.", "Disconnect the store, then Connect it again. If it keeps failing, contact AWS Support with the request ids below.".into()),
        C::NetworkErrors if xks => ("A network problem kept KMS from reaching the external key store proxy.", format!("Check that the proxy is up and reachable from KMS (DNS, firewall, for VPC connectivity the endpoint service). It is often transient: wait a few minutes. {RECONNECT}")),
        C::NetworkErrors => ("A network problem kept KMS from reaching the CloudHSM cluster.", format!("Check the cluster's VPC, subnets and security group (it must allow KMS's traffic). It is often transient: wait a few minutes. {RECONNECT}")),
        C::ClusterNotFound => ("KMS cannot find the CloudHSM cluster this store is associated with.", format!("Check that the cluster still exists. If it was deleted, create one from a backup of the original cluster and set its ID on the store. {FIX_THEN_CONNECT}")),
        C::InsufficientCloudHsmHsms => ("The CloudHSM cluster has no active HSM, and KMS needs at least one.", format!("Add an HSM to the cluster (CloudHSM CreateHsm; two in different Availability Zones are recommended) and wait until it is ACTIVE. {RECONNECT}")),
        C::InsufficientFreeAddressesInSubnet => ("A private subnet of the cluster has no free IP address; KMS needs one in each subnet (two are better).", format!("Free an address in each of the cluster's subnets (delete an unused network interface), or create a cluster from a backup in roomier subnets. {RECONNECT}")),
        C::InvalidCredentials if xks => ("The external key store proxy rejected the proxy authentication credential KMS holds for this store.", format!("Find the access key ID and secret that the proxy expects, and set them on the store. {FIX_THEN_CONNECT}")),
        C::InvalidCredentials => ("The kmsuser password KMS holds is not the current password of the kmsuser crypto user in the cluster.", format!("Set the kmsuser password in the cluster and put the same password on the store. {FIX_THEN_CONNECT}")),
        C::SubnetNotFound => ("A subnet in the cluster's configuration has been deleted.", format!("Create a cluster from a recent backup (it gets new subnets) and set its ID on the store. {FIX_THEN_CONNECT}")),
        C::UserLockedOut => ("The kmsuser crypto user is locked out after too many failed password attempts.", format!("Change the kmsuser password in the cluster and put the new password on the store. {FIX_THEN_CONNECT}")),
        C::UserLoggedIn => ("The kmsuser crypto user is logged in to the cluster, which stops KMS from rotating its password and logging in.", format!("Log kmsuser out of the cluster. {RECONNECT} (If you changed its password, Disconnect, put the new password on the store with Update, then Connect.)")),
        C::UserNotFound => ("The cluster has no kmsuser crypto user.", format!("Create a crypto user named kmsuser in the cluster and put its password on the store. {FIX_THEN_CONNECT}")),
        C::XksProxyAccessDenied => ("The external key store proxy's authorization rules deny KMS.", format!("Change the proxy's authorization rules to allow KMS to call it on your behalf. {RECONNECT}")),
        C::XksProxyNotReachable => ("KMS cannot talk to the external key store proxy, or the proxy reports that every external key manager is unavailable.", format!("Check the proxy URI endpoint and path, that the proxy is running and reachable, and that its external key managers are healthy. {RECONNECT}")),
        C::XksVpcEndpointServiceNotFound => ("KMS cannot find the VPC endpoint service of this store.", format!("Check the VPC endpoint service name, and give the KMS service principal (cks.kms.<region>.amazonaws.com) permission to connect to it. {RECONNECT}")),
        C::XksProxyInvalidResponse => ("KMS cannot parse the external key store proxy's answer.", "If it keeps happening, the problem is in the proxy or the external key manager: contact that vendor. Then Disconnect and Connect again.".into()),
        C::XksProxyInvalidConfiguration => ("A configuration error keeps KMS from using the proxy; usually the proxy URI path is wrong.", format!("Check the proxy URI path: an optional prefix followed by /kms/xks/v1, as the proxy expects. {FIX_THEN_CONNECT}")),
        C::XksVpcEndpointServiceInvalidConfiguration => ("The VPC endpoint service does not meet KMS's requirements.", format!("It must be an interface endpoint service in your account with a Network Load Balancer in at least two Availability Zones, allow the principal cks.kms.<region>.amazonaws.com, not require acceptance, and have a verified private DNS name that matches the proxy's TLS certificate. {RECONNECT}")),
        C::XksProxyTimedOut => ("KMS reaches the external key store proxy, but it answers too slowly.", format!("Check the latency of the proxy and its external key manager; if it persists, contact the vendor. {RECONNECT}")),
        C::XksProxyInvalidTlsConfiguration => ("The proxy's TLS configuration is not acceptable to KMS.", format!("The proxy must offer TLS 1.2 or 1.3 with a certificate that has not expired, names the host of the proxy URI endpoint, and is issued by a public CA that KMS trusts. {RECONNECT}")),
        C::Other(_) => ("KMS reported a connection error code this console does not know yet.", format!("Read the AWS troubleshooting page for this code. {RECONNECT}")),
    };
    ex(meaning, &fix, doc)
}

/// Why a call failed, and what to do. Specific codes first, then the error's kind.
pub fn kms_error(err: &KmsError, op: Operation) -> Explanation {
    if let Some(x) = key_error(err, op) {
        return x;
    }
    let troubleshoot = format!("{DOCS}fix-keystore.html");
    let create_xks = format!("{DOCS}create-xks-keystore.html");
    let create_hsm = format!("{DOCS}create-keystore.html");
    let by_code = match err.code.as_str() {
        "CloudHsmClusterNotActiveException" => Some(ex(
            "The CloudHSM cluster is not active, so KMS did not start (the store stays DISCONNECTED).",
            "Initialise and activate the cluster and make sure it has an ACTIVE HSM, then try again.",
            FIX_CLOUDHSM,
        )),
        "CloudHsmClusterInvalidConfigurationException" => Some(ex(
            "The CloudHSM cluster does not meet KMS's requirements (the store stays DISCONNECTED).",
            "KMS needs: private subnets in at least two Availability Zones; the cluster's security group (cloudhsm-cluster-<id>-sg) with its default inbound and outbound rules for TCP ports 2223-2225 to and from itself; for Connect at least one ACTIVE HSM, for Create and Update at least two ACTIVE HSMs in different Availability Zones. Fix what is missing in CloudHSM, then try again.",
            FIX_CLOUDHSM,
        )),
        "CloudHsmClusterInUseException" => Some(ex(
            "This CloudHSM cluster is already associated with another custom key store, or shares a backup history with one.",
            "Use a cluster that no other custom key store uses; to replace a store's cluster, choose one that shares its backup history.",
            &create_hsm,
        )),
        "CloudHsmClusterNotFoundException" => Some(ex(
            "KMS cannot find a CloudHSM cluster with this ID in this account and region.",
            "Check the cluster ID (cluster-…) and the region.",
            &create_hsm,
        )),
        "CloudHsmClusterNotRelatedException" => Some(ex(
            "The new cluster is not related to the store's original cluster (it does not share its backup history).",
            "Choose a cluster created from a backup of the original cluster.",
            &format!("{DOCS}update-keystore.html"),
        )),
        "IncorrectTrustAnchorException" => Some(ex(
            "The trust anchor certificate does not match the cluster's (its customerCA.crt).",
            "Upload the customerCA.crt file you created when you initialised the cluster.",
            &create_hsm,
        )),
        "CustomKeyStoreHasCMKsException" => Some(ex(
            "The store still holds KMS keys, so it cannot be deleted.",
            "Schedule deletion of every KMS key in the store and wait until they are deleted, then delete the store.",
            &format!("{DOCS}delete-keystore.html"),
        )),
        "CustomKeyStoreNameInUseException" => Some(ex(
            "Another custom key store in this account and region already has this name.",
            "Choose a name no other custom key store uses.",
            &create_xks,
        )),
        "InvalidMarkerException" => Some(ex(
            "The pagination marker is no longer valid.",
            "Refresh the list from the start.",
            &troubleshoot,
        )),
        "LimitExceededException" => Some(ex(
            "A KMS quota was reached: for example the number of custom key stores in this account and region.",
            "Delete custom key stores you no longer need, or request a quota increase; retrying does not help.",
            &format!("{DOCS}limits.html"),
        )),
        "KMSInternalException" => Some(ex(
            "KMS had an internal error.",
            "Try again in a moment; the console already retried.",
            &troubleshoot,
        )),
        "XksProxyUriInUseException" => Some(ex(
            "Another external key store already uses this proxy URI endpoint and path.",
            "Each external key store needs its own endpoint and path combination: change the URI path (or the endpoint).",
            &create_xks,
        )),
        "XksProxyUriEndpointInUseException" => Some(ex(
            "Another external key store already uses this proxy URI endpoint.",
            "With VPC endpoint service connectivity every store needs its own endpoint (private DNS name): use another one.",
            &create_xks,
        )),
        "XksProxyUriUnreachableException" => Some(ex(
            "KMS could not reach the external key store proxy at this URI to check it.",
            "Check that the proxy is running and reachable at the URI endpoint and path (and for VPC connectivity, that the endpoint service is set up), then try again.",
            FIX_XKS,
        )),
        "XksProxyIncorrectAuthenticationCredentialException" => Some(ex(
            "The proxy rejected the authentication credential (access key ID and secret).",
            "Enter the credential exactly as the proxy has it configured.",
            FIX_XKS,
        )),
        "XksProxyVpcEndpointServiceInUseException" => Some(ex(
            "Another external key store already uses this VPC endpoint service.",
            "Each external key store needs its own VPC endpoint service.",
            &create_xks,
        )),
        "XksProxyVpcEndpointServiceNotFoundException" => Some(ex(
            "KMS cannot find the VPC endpoint service.",
            "Check the service name (and owner), and allow the principal cks.kms.<region>.amazonaws.com to connect to it.",
            FIX_XKS,
        )),
        "XksProxyVpcEndpointServiceInvalidConfigurationException" => Some(ex(
            "The VPC endpoint service does not meet KMS's requirements.",
            "It needs a Network Load Balancer in at least two Availability Zones, must allow cks.kms.<region>.amazonaws.com, must not require acceptance, and needs a verified private DNS name.",
            FIX_XKS,
        )),
        "XksProxyInvalidResponseException" => Some(ex(
            "KMS could not understand the proxy's answer when it checked it.",
            "The problem is in the proxy or its external key manager: check its logs or contact the vendor.",
            FIX_XKS,
        )),
        "XksProxyInvalidConfigurationException" => Some(ex(
            "The proxy configuration is not valid: usually the URI path does not match what the proxy expects.",
            "Check the proxy URI path (a prefix and /kms/xks/v1) against the proxy's configuration.",
            FIX_XKS,
        )),
        // Caught in the page, before anything went to KMS.
        "NotSentToThisHost" => Some(ex(
            "The request was not sent: the console sends signed requests only to AWS's endpoints of the service they are signed for, to loopback, or to a host you confirmed in this tab; store secrets go only to the region's own KMS endpoint or loopback.",
            "Check Endpoint URL (and CloudHSM endpoint URL). Leave it empty to use the region's AWS endpoint, or confirm the host if you trust it.",
            &troubleshoot,
        )),
        "NotSigned" => Some(ex(
            "The request was not sent: the page could not sign it with these credentials.",
            "Check the access key ID and secret access key (paste them again), then try again.",
            &troubleshoot,
        )),
        "ResponseTooLarge" => Some(ex(
            "The endpoint sent far more than any KMS answer: it is not KMS, or something between the page and KMS is broken.",
            "Check Endpoint URL: leave it empty to use the region's AWS endpoint.",
            &troubleshoot,
        )),
        "NotSent" | "InvalidInput" => Some(ex(
            "The request was not sent: the console found a problem in the form before calling KMS.",
            "Correct what the message names (credentials, region, endpoint or a field), then try again.",
            &troubleshoot,
        )),
        _ => None,
    };
    if let Some(x) = by_code {
        return x;
    }
    match &err.kind {
        ErrorKind::Expired => ex(
            "The credentials have expired.",
            "Get fresh temporary credentials and paste them; the console picks up where it was.",
            &format!("{DOCS}requests-and-responses.html"),
        ),
        ErrorKind::Unrecognised => ex(
            "KMS does not recognise the access key ID or the session token.",
            "Check that the access key ID and session token belong together and are complete. In an opt-in region, get credentials from that region's STS endpoint.",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html",
        ),
        ErrorKind::BadSignature => ex(
            "The request signature does not match: usually the secret access key is wrong or incomplete.",
            "Paste the secret access key again, exactly as issued (no spaces or line breaks).",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html",
        ),
        ErrorKind::ClockSkew => ex(
            "This computer's clock is more than 5 minutes away from AWS's.",
            "The console corrects for this and retries once; if it persists, set the system clock to the correct time.",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html",
        ),
        ErrorKind::AccessDenied { action: named } => {
            let a = named.clone().unwrap_or_else(|| op.iam_action());
            ex(
                &format!("Your IAM identity is not allowed to call {a}."),
                &format!(
                    "Add {a} to an IAM policy of this identity (custom key store actions cannot be granted across accounts), then try again."
                ),
                &format!("{DOCS}kms-api-permissions-reference.html"),
            )
        }
        ErrorKind::Throttled => ex(
            "KMS is throttling: each custom key store operation allows 5 requests per second, shared by every caller in the account and region.",
            "The console backs off and retries by itself. If others poll the same account, it settles once they slow down.",
            &format!("{DOCS}requests-per-second.html"),
        ),
        ErrorKind::ServerFault => ex(
            "KMS (or something in front of it) failed on its side.",
            "This is usually transient: the console retries; try again in a moment.",
            &troubleshoot,
        ),
        ErrorKind::Network => ex(
            "No response arrived from the endpoint.",
            "Check the region and endpoint URL, your network connection, and any extension that blocks requests. For the local emulator, check that it is running.",
            "https://docs.aws.amazon.com/general/latest/gr/kms.html",
        ),
        ErrorKind::Malformed => ex(
            "The endpoint answered with something that is not a KMS response.",
            "Check the endpoint URL: it should be a KMS endpoint (or the local emulator), not a web page or a proxy.",
            "https://docs.aws.amazon.com/general/latest/gr/kms.html",
        ),
        ErrorKind::NotFound => ex(
            "There is no custom key store with this ID in this account and region.",
            "Check the custom key store ID and the region (a store exists in one region only).",
            &format!("{DOCS}view-keystore.html"),
        ),
        ErrorKind::InvalidState => match op {
            Operation::ConnectCustomKeyStore => ex(
                "The store cannot be connected in its current state: it is FAILED or DISCONNECTING.",
                "If it is FAILED, Disconnect it first (and fix the cause), then Connect. If it is DISCONNECTING, wait until it is DISCONNECTED.",
                FIX_CLOUDHSM,
            ),
            Operation::DisconnectCustomKeyStore => ex(
                "The store cannot be disconnected in its current state: it is already DISCONNECTED or DISCONNECTING.",
                "Nothing to do: wait until it is DISCONNECTED.",
                &format!("{DOCS}disconnect-keystore.html"),
            ),
            _ => ex(
                "The store is not in a state that allows this change (most changes need DISCONNECTED).",
                "Disconnect the store first, then try again.",
                &troubleshoot,
            ),
        },
        ErrorKind::Validation => ex(
            "KMS found a request member out of its limits.",
            "Read the message above: it names the member and its constraint. Correct it and try again.",
            &troubleshoot,
        ),
        ErrorKind::Other => ex(
            "KMS rejected the request.",
            "Read the message above; check the store ID, region and credentials, then try again.",
            &troubleshoot,
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Keys in a custom key store (issue 16): the errors of the ten key operations (`aws::keys`).
// ---------------------------------------------------------------------------------------------

const KEYS_API: &str = "https://docs.aws.amazon.com/kms/latest/APIReference/";

/// The words for an error of a key operation (`Operation::KEY_OPS`), by its code and the
/// operation; `None` leaves it to [`kms_error`]'s general kinds (access denied, throttling,
/// credentials, network).
pub fn key_error(err: &KmsError, op: Operation) -> Option<Explanation> {
    if !Operation::KEY_OPS.contains(&op) {
        return None;
    }
    let api = format!("{KEYS_API}API_{}.html", op.name());
    let key_state = format!("{DOCS}key-state.html");
    let create_keys = format!("{DOCS}create-cmk-keystore.html");
    let xks_keys = format!("{DOCS}create-xks-keys.html");
    let xks_trouble = format!("{DOCS}xks-troubleshooting.html");
    let crypto = matches!(
        op,
        Operation::Encrypt | Operation::Decrypt | Operation::GenerateRandom
    );
    let x = match (err.code.as_str(), op) {
        ("NotFoundException", Operation::CreateAlias) => ex(
            "KMS cannot find the key the alias should point to.",
            "Check the key ID; a key that was just created can take a moment to appear. Try again.",
            &api,
        ),
        ("NotFoundException", Operation::ListAliases) => ex(
            "KMS cannot find the key whose aliases were asked for.",
            "Refresh the key list: the key may have been deleted.",
            &api,
        ),
        ("NotFoundException", _) => ex(
            "KMS cannot find this KMS key in this account and region: it was deleted, or the ID is wrong.",
            "Refresh the key list. A key whose waiting period ended is gone for good.",
            &api,
        ),
        ("InvalidArnException", _) => ex(
            "KMS found the key ARN (or the store ID) not valid.",
            "Use the key ID or ARN as the key list shows it, in this region.",
            &api,
        ),
        ("DependencyTimeoutException", _) => ex(
            "A system KMS depends on did not answer in time: for a key in a custom key store, usually the CloudHSM cluster or the external key store proxy.",
            "Try again in a moment. If it keeps happening, check the cluster's HSMs or the proxy's latency (KMS gives an external key store proxy 250 ms).",
            &api,
        ),
        ("MalformedPolicyDocumentException", _) => ex(
            "KMS found the key policy malformed.",
            "The console sends no policy (KMS gives the key its default policy): if you added one elsewhere, check its JSON and principals.",
            &format!("{DOCS}key-policies.html"),
        ),
        ("TagException", _) => ex(
            "KMS rejected the key's tags.",
            "The console sends no tags: check tag conditions in the IAM policies that apply to this identity.",
            &format!("{DOCS}tagging-keys.html"),
        ),
        ("UnsupportedOperationException", Operation::GenerateRandom) => ex(
            "GenerateRandom with CustomKeyStoreId works only for an AWS CloudHSM key store, not for an external key store.",
            "Nothing to fix: the store test of an external key store skips it.",
            &api,
        ),
        ("UnsupportedOperationException", _) => ex(
            "KMS does not support this request for this key or store: a key in a custom key store must be a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) with the store's origin.",
            "Create the key with the console's form, which sends exactly that.",
            &create_keys,
        ),
        ("LimitExceededException", Operation::CreateKey) => ex(
            "The account has reached its KMS keys quota in this region (100,000 by default).",
            "Schedule deletion of keys you no longer need, or request a quota increase in Service Quotas; retrying does not help.",
            &format!("{DOCS}resource-limits.html"),
        ),
        ("LimitExceededException", Operation::CreateAlias) => ex(
            "An alias quota was reached: aliases in the account and region, or aliases per key (50).",
            "Delete aliases you no longer need, or request a quota increase; the key itself was created.",
            &format!("{DOCS}resource-limits.html"),
        ),
        ("CustomKeyStoreNotFoundException", _) => ex(
            "There is no custom key store with this ID in this account and region.",
            "Refresh the store list and pick the store again.",
            &format!("{DOCS}view-keystore.html"),
        ),
        ("CustomKeyStoreInvalidStateException", _) => ex(
            "The custom key store is not CONNECTED, and KMS creates keys and random bytes in a store only while it is connected.",
            "Connect the store and wait until it is CONNECTED, then try again.",
            &create_keys,
        ),
        ("CloudHsmClusterInvalidConfigurationException", _) => ex(
            "The store's CloudHSM cluster does not meet KMS's requirements for a new key: it needs at least two ACTIVE HSMs in different Availability Zones.",
            "Add an HSM in another Availability Zone (CloudHSM CreateHsm), wait until both are ACTIVE, then create the key again.",
            &create_keys,
        ),
        ("XksKeyNotFoundException", _) => ex(
            "The external key manager has no key with this external key ID.",
            "Check the ID as the external key manager shows it (the proxy's key ID, not a KMS key ID), then try again.",
            &xks_keys,
        ),
        ("XksKeyInvalidConfigurationException", _) => ex(
            "The external key is not usable by KMS: it must be a 256-bit AES symmetric key that is enabled and allows encryption and decryption.",
            "Enable the key in the external key manager, or name a 256-bit AES key, then try again.",
            &xks_keys,
        ),
        ("XksKeyAlreadyInUseException", _) => ex(
            "Another KMS key in this external key store already uses this external key.",
            "Each KMS key of a store needs its own external key: name another one, or use the KMS key that has it.",
            &xks_keys,
        ),
        ("DisabledException", _) => ex(
            "The KMS key is disabled, so it cannot be used.",
            "Enable the key (EnableKey) or test with an enabled key of the store.",
            &format!("{DOCS}enabling-keys.html"),
        ),
        ("KeyUnavailableException", _) => ex(
            "The KMS key was not available: for a key in a custom key store, its key material in the cluster or external key manager could not be used.",
            "Check the store is CONNECTED and its cluster's HSMs or the external key manager are healthy, then try again.",
            &xks_trouble,
        ),
        ("InvalidKeyUsageException", _) => ex(
            "The key cannot be used for this operation (its KeyUsage is not ENCRYPT_DECRYPT, or the algorithm does not fit it).",
            "Test with a symmetric encryption key of the store.",
            &api,
        ),
        ("InvalidGrantTokenException", _) => ex(
            "A grant token of the request is not valid.",
            "The console sends no grant token: retry without one.",
            &api,
        ),
        ("KMSInvalidStateException", Operation::ScheduleKeyDeletion) => ex(
            "The key's state does not allow scheduling its deletion: it is already pending deletion, or is still being created.",
            "Refresh the key list to see its state and deletion date.",
            &key_state,
        ),
        ("KMSInvalidStateException", Operation::CancelKeyDeletion) => ex(
            "The key is not pending deletion, so there is nothing to cancel.",
            "Refresh the key list to see its state.",
            &key_state,
        ),
        ("KMSInvalidStateException", Operation::CreateAlias) => ex(
            "The target key's state does not allow a new alias: it is pending deletion.",
            "Choose a key that is not pending deletion (or cancel its deletion first).",
            &key_state,
        ),
        ("KMSInvalidStateException", _) => ex(
            "The key's state does not allow this: a key in a custom key store is Unavailable while its store is not CONNECTED, and a key pending deletion cannot be used.",
            "Connect the store and wait until it is CONNECTED (or cancel the key's deletion), then test again.",
            &key_state,
        ),
        ("DryRunOperationException", _) => ex(
            "The request was a dry run: KMS checked permissions and would have succeeded.",
            "Nothing to fix; the console never sends a dry run.",
            &api,
        ),
        ("InvalidCiphertextException", _) => ex(
            "KMS could not decrypt the ciphertext: it was changed, or the encryption context differs from the one used to encrypt.",
            "Encrypt again and decrypt with exactly the same encryption context. If the test keeps failing on its own ciphertext, the key material in the store may be broken: contact AWS Support with the request ids.",
            &format!("{DOCS}encrypt_context.html"),
        ),
        ("IncorrectKeyException", _) => ex(
            "The ciphertext was encrypted under another KMS key than the one named.",
            "Decrypt with the key that encrypted it (or name none, for a symmetric key).",
            &api,
        ),
        ("AlreadyExistsException", _) => ex(
            "An alias with this name already exists in this account and region.",
            "Choose another alias name; the key itself was created and has no alias yet.",
            &format!("{DOCS}alias-manage.html"),
        ),
        ("InvalidAliasNameException", _) => ex(
            "KMS found the alias name not valid: it must begin with alias/, use only letters, digits, /, _ and -, and must not begin with alias/aws/.",
            "Correct the alias and add it again; the key itself was created.",
            &format!("{DOCS}alias-manage.html"),
        ),
        ("InvalidMarkerException", _) => ex(
            "The pagination marker is no longer valid.",
            "Refresh the key list from the start.",
            &api,
        ),
        ("ThrottlingException", _) => ex(
            &format!(
                "KMS is throttling {} requests: its quota is shared by every caller in the account and region.",
                op.name()
            ),
            "The console backs off and retries by itself, and paces its own calls below a small share of the quota; if the account's applications use the quota heavily, try again later.",
            &format!("{DOCS}requests-per-second.html"),
        ),
        ("KMSInternalException", _) if crypto => ex(
            "KMS had an internal error during the cryptographic test.",
            "Run the test again in a moment; the console already retried.",
            &api,
        ),
        _ => return None,
    };
    Some(x)
}

/// The IAM actions of the key operations, in the README's order.
pub fn key_iam_actions() -> Vec<String> {
    Operation::KEY_OPS.iter().map(|o| o.iam_action()).collect()
}

const CLOUDHSM_API: &str = "https://docs.aws.amazon.com/cloudhsm/latest/APIReference/";

/// Credentials another AWS service (CloudHSM, CloudWatch) does not recognise.
fn unrecognised() -> Explanation {
    ex(
        "AWS does not recognise the access key ID or the session token.",
        "Check that the access key ID and session token belong together and are complete.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html",
    )
}

/// Why CloudHSM's `DescribeClusters` (the pre-flight check of a CloudHSM key store) failed, and
/// what to do. The check is advisory: none of these errors stops a Connect.
pub fn cloudhsm_error(err: &KmsError) -> Explanation {
    let describe = format!("{CLOUDHSM_API}API_DescribeClusters.html");
    let common = format!("{CLOUDHSM_API}CommonErrors.html");
    let action = crate::aws::cloudhsm::DESCRIBE_CLUSTERS_ACTION;
    let denied = || {
        ex(
            &format!(
                "Your IAM identity is not allowed to call {action}, so the console cannot check the cluster."
            ),
            &format!(
                "Add {action} to an IAM policy of this identity to see the cluster's health before connecting. Connect itself does not need it."
            ),
            "https://docs.aws.amazon.com/cloudhsm/latest/userguide/identity-access-management.html",
        )
    };
    match err.code.as_str() {
        "CloudHsmAccessDeniedException" | "AccessDeniedException" | "AccessDenied" => {
            return denied();
        }
        "CloudHsmInternalFailureException" => {
            return ex(
                "CloudHSM had an internal failure.",
                "Check again in a moment; the request can be retried.",
                &describe,
            );
        }
        "CloudHsmInvalidRequestException" => {
            return ex(
                "CloudHSM found the request not valid.",
                "Check the store's cluster ID (cluster- followed by 11 to 16 letters or digits 2-7) and the region, then check again.",
                &describe,
            );
        }
        "CloudHsmResourceNotFoundException" => {
            return ex(
                "CloudHSM cannot find the cluster in this account and region.",
                "Check the store's cluster ID and the region. If the cluster was deleted, create one from a backup of it and set its ID on the store (Update, while disconnected).",
                &describe,
            );
        }
        "CloudHsmServiceException" => {
            return ex(
                "CloudHSM rejected the request because of an error.",
                "Read the message above, then check again.",
                &describe,
            );
        }
        "CloudHsmTagException" => {
            return ex(
                "CloudHSM rejected the request because of a tagging failure.",
                "A condition on tags in a policy that applies to this identity rejected the call: check the tag conditions of those policies.",
                &describe,
            );
        }
        _ => {}
    }
    match &err.kind {
        ErrorKind::AccessDenied { .. } => denied(),
        ErrorKind::Expired | ErrorKind::BadSignature | ErrorKind::ClockSkew => {
            kms_error(err, Operation::DescribeCustomKeyStores)
        }
        ErrorKind::Unrecognised => unrecognised(),
        ErrorKind::Throttled => ex(
            "CloudHSM is throttling this account's requests.",
            "Check again in a few seconds.",
            &common,
        ),
        ErrorKind::ServerFault => ex(
            "CloudHSM (or something in front of it) failed on its side.",
            "This is usually transient: check again in a moment.",
            &common,
        ),
        ErrorKind::Network => ex(
            "No response arrived from the CloudHSM endpoint.",
            "Check the region and your network. A network or endpoint that reaches only KMS (such as a KMS VPC endpoint) does not reach CloudHSM: the check is then skipped, and Connect still works.",
            "https://docs.aws.amazon.com/general/latest/gr/cloudhsm.html",
        ),
        ErrorKind::Malformed => ex(
            "The endpoint answered with something that is not a CloudHSM response.",
            "Check the endpoint URL: it should be CloudHSM's regional endpoint (or the local emulator).",
            "https://docs.aws.amazon.com/general/latest/gr/cloudhsm.html",
        ),
        ErrorKind::NotFound
        | ErrorKind::InvalidState
        | ErrorKind::Validation
        | ErrorKind::Other => ex(
            "CloudHSM rejected the request.",
            "Read the message above; check the cluster ID, region and credentials, then check again.",
            &common,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_code_has_its_own_words() {
        let mut seen = std::collections::HashSet::new();
        for code in C::KNOWN {
            let c = C::from(code.to_string());
            assert!(!matches!(c, C::Other(_)), "{code}");
            let e = connection_error(&c, &CustomKeyStoreType::AwsCloudHsm);
            let x = connection_error(&c, &CustomKeyStoreType::ExternalKeyStore);
            seen.insert(e.meaning.clone());
            seen.insert(x.meaning);
        }
        assert!(seen.len() >= C::KNOWN.len());
        let unknown = connection_error(&C::Other("NEW".into()), &CustomKeyStoreType::AwsCloudHsm);
        assert!(unknown.meaning.contains("does not know"));
    }
}

// --- CloudWatch (the store's health) ---------------------------------------------------------

const CLOUDWATCH_API: &str = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/";
const CLOUDWATCH_IAM: &str =
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/permissions-reference-cw.html";

/// What a CloudWatch call's missing permission costs the health section, per IAM action.
fn cloudwatch_denied(op: crate::aws::cloudwatch::CwOperation) -> Explanation {
    use crate::aws::cloudwatch::CwOperation as W;
    let action = op.iam_action();
    let lost = match op {
        W::ListMetrics => {
            "the console cannot find which metrics this store has, so it shows no graphs"
        }
        W::GetMetricData => "the console can list the store's metrics but not read their values",
        W::DescribeAlarms => {
            "the console cannot show which alarms watch this store, nor their states"
        }
        W::PutMetricAlarm => {
            "the console cannot create the recommended alarms (the definition can still be copied as JSON for your own tooling)"
        }
    };
    ex(
        &format!("Your IAM identity is not allowed to call {action}: {lost}."),
        &format!(
            "Add {action} to an IAM policy of this identity (the README's IAM table lists what each part of the console needs). Nothing else in the console needs it."
        ),
        CLOUDWATCH_IAM,
    )
}

/// Why a CloudWatch call of the health section failed, and what to do. CloudWatch's codes are
/// its Query codes (`InvalidParameterValue`, `LimitExceeded`, ...), as the client reads them.
pub fn cloudwatch_error(err: &KmsError, op: crate::aws::cloudwatch::CwOperation) -> Explanation {
    use crate::aws::cloudwatch::CwOperation as W;
    let doc = format!("{CLOUDWATCH_API}API_{}.html", op.name());
    let common = format!("{CLOUDWATCH_API}CommonErrors.html");
    match err.code.as_str() {
        "AccessDenied" | "AccessDeniedException" => return cloudwatch_denied(op),
        "InvalidParameterValue" | "InvalidParameterValueException" => {
            return ex(
                "CloudWatch found a value of the request out of its rules.",
                "Read the message above: it names the parameter. For an alarm, check its period (10, 30 or a multiple of 60 seconds), thresholds and the SNS topic ARN; then try again.",
                &doc,
            );
        }
        "InvalidParameterCombination" => {
            return ex(
                "CloudWatch found parameters that cannot be used together.",
                "Read the message above; an alarm watches either one metric or a metric-math expression, not both.",
                &doc,
            );
        }
        "MissingParameter" => {
            return ex(
                "A parameter CloudWatch requires is missing.",
                "Read the message above: it names the parameter.",
                &doc,
            );
        }
        "InvalidNextToken" => {
            return ex(
                "CloudWatch did not accept the page token (it expires, or the request changed between pages).",
                "Refresh the view to start again from the first page.",
                &doc,
            );
        }
        "LimitExceeded" | "LimitExceededFault" if op == W::PutMetricAlarm => {
            return ex(
                "The account has reached its quota of CloudWatch alarms in this region.",
                "Delete alarms you no longer need, or ask for a higher quota (Service Quotas, CloudWatch), then create the alarm again.",
                &doc,
            );
        }
        "InternalServiceError" | "InternalServiceFault" => {
            return ex(
                "CloudWatch failed on its own side.",
                "This is usually transient: refresh in a moment.",
                &common,
            );
        }
        _ => {}
    }
    match &err.kind {
        ErrorKind::AccessDenied { .. } => cloudwatch_denied(op),
        ErrorKind::Expired | ErrorKind::BadSignature | ErrorKind::ClockSkew => {
            kms_error(err, Operation::DescribeCustomKeyStores)
        }
        ErrorKind::Unrecognised => unrecognised(),
        ErrorKind::Throttled => ex(
            "CloudWatch is throttling this account's requests.",
            "Refresh less often (a longer refresh interval), then try again in a few seconds.",
            &common,
        ),
        ErrorKind::ServerFault => ex(
            "CloudWatch (or something in front of it) failed on its side.",
            "This is usually transient: refresh in a moment.",
            &common,
        ),
        ErrorKind::Network => ex(
            "No response arrived from the CloudWatch endpoint.",
            "Check the region and your network. A network or endpoint that reaches only KMS (such as a KMS VPC endpoint) does not reach CloudWatch: the store's health cannot be shown, and everything else still works.",
            "https://docs.aws.amazon.com/general/latest/gr/cw_region.html",
        ),
        ErrorKind::Malformed => ex(
            "The endpoint answered with something that is not a CloudWatch response.",
            "Check the endpoint URL: it should be CloudWatch's regional endpoint (monitoring.<region>.amazonaws.com) or the local emulator.",
            "https://docs.aws.amazon.com/general/latest/gr/cw_region.html",
        ),
        ErrorKind::NotFound
        | ErrorKind::InvalidState
        | ErrorKind::Validation
        | ErrorKind::Other => ex(
            "CloudWatch rejected the request.",
            "Read the message above; check the region and credentials, then try again.",
            &doc,
        ),
    }
}

#[cfg(test)]
mod cloudwatch_tests {
    use super::*;
    use crate::aws::cloudwatch::{CwOperation, MODELED_ERRORS, normalize_error};

    fn err(status: u16, body: &str, query_error: Option<&str>) -> KmsError {
        normalize_error(
            KmsError::from_response(status, None, None, body).with_query_error(query_error),
        )
    }

    #[test]
    fn every_modeled_error_and_every_denied_action_has_its_words() {
        for (shape, query, status) in MODELED_ERRORS {
            let body = format!(r#"{{"__type":"{shape}","message":"m"}}"#);
            // With and without the x-amzn-query-error header (CORS may hide it).
            for header in [Some(format!("{query};Sender")), None] {
                let e = err(status, &body, header.as_deref());
                assert_eq!(e.code, query, "{shape}");
                let x = cloudwatch_error(&e, CwOperation::PutMetricAlarm);
                assert!(
                    !x.meaning.contains("rejected the request"),
                    "{shape}: {}",
                    x.meaning
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        for op in CwOperation::ALL {
            let denied = err(
                403,
                &format!(
                    r#"{{"__type":"AccessDeniedException","message":"User: arn:aws:iam::111122223333:user/x is not authorized to perform: {} on resource: *"}}"#,
                    op.iam_action()
                ),
                Some("AccessDenied;Sender"),
            );
            assert_eq!(
                denied.kind,
                ErrorKind::AccessDenied {
                    action: Some(op.iam_action())
                }
            );
            let x = cloudwatch_error(&denied, op);
            assert!(x.meaning.contains(&op.iam_action()), "{}", x.meaning);
            seen.insert(x.meaning);
        }
        assert_eq!(seen.len(), 4);
        let throttled = err(
            400,
            r#"{"__type":"ThrottlingException"}"#,
            Some("Throttling;Sender"),
        );
        assert_eq!(throttled.kind, ErrorKind::Throttled);
        assert!(
            cloudwatch_error(&throttled, CwOperation::GetMetricData)
                .fix
                .contains("refresh")
        );
        let invalid = err(
            400,
            r#"{"__type":"InvalidParameterValueException"}"#,
            Some("InvalidParameterValue;Sender"),
        );
        assert_eq!(invalid.kind, ErrorKind::Validation);
    }
}
