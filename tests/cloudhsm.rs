//! CloudHSM v2 in the core: DescribeClusters on the wire (after botocore 1.44.8's
//! `cloudhsmv2/2017-04-28` model), its endpoint and signature, its errors in plain words, and
//! the pre-flight checks before Connect (CloudHSM and external key stores).

use cks_console::aws::cloudhsm::{
    Cluster, ClusterState, DESCRIBE_CLUSTERS_TARGET, DescribeClustersRequest, HsmState,
    SIGNING_NAME, SIGNING_NAME as CLOUDHSM_SIGNING_NAME, hsm_count, parse_describe_clusters,
    sign_describe_clusters,
};
use cks_console::aws::credentials::{Credentials, Secret};
use cks_console::aws::endpoint::{EndpointError, cloudhsm_cautions, cloudhsm_endpoint};
use cks_console::aws::error::KmsError;
use cks_console::aws::json::FromJson;
use cks_console::aws::kms::{CustomKeyStore, Validate, parse_output, to_body};
use cks_console::console::explain::cloudhsm_error;
use cks_console::console::preflight::{CheckId, Level, Verdict, cloudhsm_preflight, xks_preflight};
use serde_json::json;

const ID: &str = "cluster-234abcdefgh";

fn cluster(v: serde_json::Value) -> Cluster {
    Cluster::from_json(&v).unwrap()
}

fn hsm(id: &str, az: &str, state: &str) -> serde_json::Value {
    json!({"HsmId": id, "AvailabilityZone": az, "ClusterId": ID, "State": state,
           "SubnetId": format!("subnet-{}", if az.ends_with('a') { "0a1b2c3d" } else { "4e5f6a7b" })})
}

/// A cluster as KMS wants it: ACTIVE, two ACTIVE HSMs in two zones, subnets in two zones.
fn healthy() -> serde_json::Value {
    json!({
        "ClusterId": ID, "State": "ACTIVE", "VpcId": "vpc-0123abcd", "SecurityGroup": "sg-0123456789abcdef0",
        "SubnetMapping": {"us-east-1a": "subnet-0a1b2c3d", "us-east-1b": "subnet-4e5f6a7b"},
        "Hsms": [hsm("hsm-234abcdefgh", "us-east-1a", "ACTIVE"), hsm("hsm-345bcdefghi", "us-east-1b", "ACTIVE")],
        "HsmType": "hsm2m.medium", "CreateTimestamp": 1.7e9, "Mode": "FIPS", "NetworkType": "IPV4"
    })
}

fn verdict(v: serde_json::Value) -> Verdict {
    cloudhsm_preflight(ID, &Ok(Some(cluster(v))))
}

fn error(status: u16, body: &str) -> KmsError {
    KmsError::from_response(status, None, Some("rid".into()), body)
}

#[test]
fn the_enums_are_the_models() {
    // botocore 1.44.8, cloudhsmv2 2017-04-28: ClusterState and HsmState, in the model's order.
    assert_eq!(
        ClusterState::KNOWN,
        [
            "CREATE_IN_PROGRESS",
            "UNINITIALIZED",
            "INITIALIZE_IN_PROGRESS",
            "INITIALIZED",
            "ACTIVE",
            "UPDATE_IN_PROGRESS",
            "MODIFY_IN_PROGRESS",
            "ROLLBACK_IN_PROGRESS",
            "DELETE_IN_PROGRESS",
            "DELETED",
            "DEGRADED"
        ]
    );
    assert_eq!(
        HsmState::KNOWN,
        [
            "CREATE_IN_PROGRESS",
            "ACTIVE",
            "DEGRADED",
            "DELETE_IN_PROGRESS",
            "DELETED"
        ]
    );
    for s in ClusterState::KNOWN {
        let v = ClusterState::from(s.to_string());
        assert!(!matches!(v, ClusterState::Other(_)), "{s}");
        assert_eq!(String::from(v), *s);
    }
    assert_eq!(SIGNING_NAME, "cloudhsm");
    assert_eq!(CLOUDHSM_SIGNING_NAME, SIGNING_NAME);
    assert_eq!(DESCRIBE_CLUSTERS_TARGET, "BaldrApiService.DescribeClusters");
}

#[test]
fn request_bodies_and_the_models_limits() {
    let r = DescribeClustersRequest::for_cluster(" cluster-234abcdefgh ");
    assert_eq!(
        to_body(&r),
        r#"{"Filters":{"clusterIds":["cluster-234abcdefgh"]}}"#
    );
    assert!(r.problems().is_empty());
    assert_eq!(to_body(&DescribeClustersRequest::default()), "{}");
    let page = DescribeClustersRequest {
        next_token: Some("tok".into()),
        max_results: Some(25),
        ..Default::default()
    };
    assert_eq!(to_body(&page), r#"{"NextToken":"tok","MaxResults":25}"#);
    assert!(page.problems().is_empty());

    let bad = DescribeClustersRequest::for_cluster("cluster-1nope");
    let p = bad.problems();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].member, "Filters.clusterIds");
    assert!(p[0].message.contains("cluster-"), "{}", p[0]);
    for m in [0, 26] {
        let r = DescribeClustersRequest {
            max_results: Some(m),
            ..Default::default()
        };
        assert_eq!(r.problems()[0].member, "MaxResults");
    }
    let long = DescribeClustersRequest {
        next_token: Some("x".repeat(257)),
        ..Default::default()
    };
    assert_eq!(long.problems()[0].member, "NextToken");
    let mut many = DescribeClustersRequest::default();
    for i in 0..31 {
        many.filters.insert(format!("f{i}"), vec![]);
    }
    many.filters.insert("bad name".into(), vec![]);
    let members: Vec<&str> = many.problems().iter().map(|p| p.member).collect();
    assert_eq!(members, ["Filters", "Filters"]);
}

#[test]
fn responses_round_trip_and_keep_unknown_values() {
    let mut c = healthy();
    c["Hsms"]
        .as_array_mut()
        .unwrap()
        .push(json!({"HsmId": "hsm-456cdefghij", "State": "HIBERNATING", "EniIp": "10.0.1.12"}));
    let body = json!({"Clusters": [c, {"ClusterId": "cluster-345bcdefghi", "State": "NEW_STATE"}], "NextToken": "abc"})
        .to_string();
    let out = parse_describe_clusters(&body).unwrap();
    assert_eq!(out.clusters.len(), 2);
    assert_eq!(out.next_token.as_deref(), Some("abc"));
    let first = out.find(ID).unwrap();
    assert_eq!(first.state, Some(ClusterState::Active));
    assert_eq!(first.vpc_id.as_deref(), Some("vpc-0123abcd"));
    assert_eq!(
        first.security_group.as_deref(),
        Some("sg-0123456789abcdef0")
    );
    assert_eq!(first.subnet_zones(), ["us-east-1a", "us-east-1b"]);
    assert_eq!(first.hsms[0].hsm_id, "hsm-234abcdefgh");
    assert_eq!(
        first.hsms[0].availability_zone.as_deref(),
        Some("us-east-1a")
    );
    assert_eq!(
        first.hsms[2].state,
        Some(HsmState::Other("HIBERNATING".into()))
    );
    assert_eq!(hsm_count(first), (2, 3));
    assert_eq!(first.active_zones(), ["us-east-1a", "us-east-1b"]);
    assert_eq!(
        out.find("cluster-345bcdefghi").unwrap().state,
        Some(ClusterState::Other("NEW_STATE".into()))
    );
    assert!(out.find("cluster-nothere1234").is_none());
    // Pagination: the next request keeps the filters and carries the token.
    let r = DescribeClustersRequest::for_cluster(ID);
    let next = r.next_page(&out).unwrap();
    assert_eq!(next.next_token.as_deref(), Some("abc"));
    assert_eq!(next.filters, r.filters);
    let last = parse_describe_clusters(r#"{"Clusters":[],"NextToken":""}"#).unwrap();
    assert!(r.next_page(&last).is_none());
    assert!(
        r.next_page(&parse_output(r#"{"Clusters":[]}"#).unwrap())
            .is_none()
    );
    // An empty or cut-off body is not "no clusters".
    for bad in ["", "{}", r#"{"Clusters":[{"ClusterId":"#, "<html></html>"] {
        let e = parse_describe_clusters(bad).unwrap_err();
        assert!(e.contains("CloudHSM"), "{e}");
    }
}

#[test]
fn describe_clusters_is_signed_as_botocore_signs_it() {
    let creds = Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        session_token: Some(Secret::new("IQoJb3JpZ2luX2VjEXAMPLETOKEN")),
        expiration_ms: None,
    };
    let now = 1_735_732_800_000; // 2025-01-01T12:00:00Z
    // Computed with botocore 1.44.8 SigV4Auth(credentials, "cloudhsm", region) at that time.
    for (region, fips, expected) in [
        (
            "us-east-1",
            false,
            "6506d3c0b0a0bb7bcc7ef0887090a61dc3390ab62fdd8236cd12604459f71185",
        ),
        (
            "us-gov-west-1",
            true,
            "4778eb5398eb8a2b592311415b207d5e8c2bc1d94ad1d847d346431e9567b8c6",
        ),
    ] {
        let ep = cloudhsm_endpoint(region, fips, None, None).unwrap();
        let signed =
            sign_describe_clusters(&creds, &ep, &DescribeClustersRequest::for_cluster(ID), now)
                .unwrap();
        assert_eq!(signed.url, ep.url);
        assert_eq!(
            signed.body,
            r#"{"Filters":{"clusterIds":["cluster-234abcdefgh"]}}"#
        );
        let h = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(h("x-amz-target"), Some("BaldrApiService.DescribeClusters"));
        assert_eq!(h("content-type"), Some("application/x-amz-json-1.1"));
        assert_eq!(h("x-amz-date"), Some("20250101T120000Z"));
        assert_eq!(
            h("x-amz-security-token"),
            Some("IQoJb3JpZ2luX2VjEXAMPLETOKEN")
        );
        assert_eq!(h("host"), None, "the browser sets Host");
        assert_eq!(
            h("authorization").unwrap(),
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/{region}/cloudhsm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature={expected}"
            )
        );
    }
}

#[test]
fn endpoints_follow_the_cloudhsmv2_rule_set() {
    let url = |region, fips| cloudhsm_endpoint(region, fips, None, None).map(|e| e.url);
    assert_eq!(
        url("us-east-1", false).unwrap(),
        "https://cloudhsmv2.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        url("eu-west-1", true).unwrap(),
        "https://cloudhsmv2-fips.eu-west-1.amazonaws.com/"
    );
    assert_eq!(
        url("us-gov-west-1", false).unwrap(),
        "https://cloudhsmv2.us-gov-west-1.amazonaws.com/"
    );
    assert_eq!(
        url("cn-north-1", false).unwrap(),
        "https://cloudhsmv2.cn-north-1.amazonaws.com.cn/"
    );
    assert_eq!(
        url("us-iso-east-1", false).unwrap(),
        "https://cloudhsmv2.us-iso-east-1.c2s.ic.gov/"
    );
    assert_eq!(
        url("eu-east-9", false).unwrap(),
        "https://cloudhsmv2.eu-east-9.amazonaws.com/"
    );
    // Every partition in the data supports FIPS, so the rule set builds a FIPS host everywhere.
    assert_eq!(
        url("cn-north-1", true).unwrap(),
        "https://cloudhsmv2-fips.cn-north-1.amazonaws.com.cn/"
    );
    assert!(matches!(
        cloudhsm_endpoint("us-eats-1", false, None, None),
        Err(EndpointError::UnknownRegion {
            suggestion: Some("us-east-1"),
            ..
        })
    ));
    assert_eq!(
        cloudhsm_endpoint(" ", false, None, None),
        Err(EndpointError::MissingRegion)
    );
    let ep = cloudhsm_endpoint("eu-west-2", false, None, None).unwrap();
    assert_eq!(ep.signing_region, "eu-west-2");
    // The emulator serves both on one port: a loopback KMS URL is used as given.
    let ep = cloudhsm_endpoint("us-east-1", false, Some("http://127.0.0.1:4599"), None).unwrap();
    assert_eq!(
        (ep.url.as_str(), ep.signing_region.as_str()),
        ("http://127.0.0.1:4599/", "us-east-1")
    );
    assert_eq!(
        cloudhsm_endpoint("us-east-1", true, Some("http://127.0.0.1:4599"), None),
        Err(EndpointError::FipsWithCustomEndpoint)
    );
    // A custom KMS endpoint is for KMS only: CloudHSM calls go to CloudHSM's own endpoint.
    let vpce = "https://vpce-0123-abcd.kms.us-east-1.vpce.amazonaws.com";
    assert_eq!(
        cloudhsm_endpoint("us-east-1", false, Some(vpce), None)
            .unwrap()
            .url,
        "https://cloudhsmv2.us-east-1.amazonaws.com/"
    );
    // ... or to the CloudHSM endpoint URL, under the same URL rules.
    assert_eq!(
        cloudhsm_endpoint(
            "us-east-1",
            false,
            Some(vpce),
            Some("https://vpce-0456-efgh.cloudhsmv2.us-east-1.vpce.amazonaws.com")
        )
        .unwrap()
        .url,
        "https://vpce-0456-efgh.cloudhsmv2.us-east-1.vpce.amazonaws.com/"
    );
    assert_eq!(
        cloudhsm_endpoint(
            "us-east-1",
            false,
            None,
            Some("http://cloudhsm.example.com")
        ),
        Err(EndpointError::InsecureRemote)
    );
    // Cautions: no FIPS host in AWS's endpoint data (none with a CloudHSM endpoint URL).
    assert!(cloudhsm_cautions("us-east-1", false, None).is_empty());
    assert!(cloudhsm_cautions("us-east-1", true, None)[0].contains("cloudhsmv2-fips"));
    assert!(cloudhsm_cautions("us-east-1", true, Some("http://127.0.0.1:4599")).is_empty());
}

#[test]
fn a_healthy_cluster_is_ready() {
    let v = verdict(healthy());
    assert_eq!(v.overall, Level::Ok, "{v:#?}");
    assert!(!v.expect_failure());
    assert_eq!(v.hsms, Some((2, 2)));
    let ids: Vec<CheckId> = v.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            CheckId::ClusterState,
            CheckId::ActiveHsms,
            CheckId::HsmZones,
            CheckId::Subnets,
            CheckId::SecurityGroup
        ]
    );
    assert!(
        v.checks
            .iter()
            .all(|c| c.fix.is_none() && c.kms_reports.is_none())
    );
    assert!(
        v.check(CheckId::ClusterState)
            .unwrap()
            .line
            .contains("vpc-0123abcd")
    );
    assert_eq!(
        v.check(CheckId::ActiveHsms).unwrap().line,
        "2 ACTIVE HSMs (of 2)."
    );
    assert!(
        v.notes[0].contains("kmsuser"),
        "only the connect tests kmsuser"
    );
    assert!(v.headline.starts_with("Ready"));
}

#[test]
fn a_cluster_that_is_not_active_fails_with_what_to_do() {
    let mut fixes = std::collections::HashSet::new();
    for state in ClusterState::KNOWN.iter().chain(&["SOMETHING_NEW"]) {
        let mut c = healthy();
        c["State"] = json!(state);
        c["StateMessage"] = json!("Cluster is being prepared.");
        let v = verdict(c);
        let check = v.check(CheckId::ClusterState).unwrap();
        if *state == "ACTIVE" {
            assert_eq!(check.level, Level::Ok);
            continue;
        }
        assert_eq!(check.level, Level::Fail, "{state}");
        assert_eq!(v.overall, Level::Fail);
        assert!(v.expect_failure());
        assert_eq!(
            v.expected_report(),
            Some("CloudHsmClusterNotActiveException")
        );
        assert!(check.line.contains(state), "{}", check.line);
        assert!(
            check
                .line
                .contains("CloudHSM says: Cluster is being prepared.")
        );
        assert!(v.headline.starts_with("Connect is expected to fail: "));
        fixes.insert(check.fix.clone().unwrap());
    }
    assert!(
        fixes.len() >= 7,
        "distinct advice per kind of state: {fixes:#?}"
    );
    let initialized = {
        let mut c = healthy();
        c["State"] = json!("INITIALIZED");
        verdict(c)
    };
    assert!(
        initialized
            .check(CheckId::ClusterState)
            .unwrap()
            .fix
            .as_ref()
            .unwrap()
            .contains("Activate")
    );
    let mut c = healthy();
    c.as_object_mut().unwrap().remove("State");
    let v = verdict(c);
    assert_eq!(
        v.check(CheckId::ClusterState).unwrap().level,
        Level::Unknown
    );
}

#[test]
fn hsm_checks_fail_without_one_and_warn_below_two_or_in_one_zone() {
    // No HSM at all.
    let mut c = healthy();
    c["Hsms"] = json!([]);
    let v = verdict(c);
    let check = v.check(CheckId::ActiveHsms).unwrap();
    assert_eq!(
        (check.level, check.kms_reports),
        (Level::Fail, Some("INSUFFICIENT_CLOUDHSM_HSMS"))
    );
    assert!(check.fix.as_ref().unwrap().starts_with("Create an HSM"));
    assert!(v.check(CheckId::HsmZones).is_none());
    assert_eq!(v.hsms, Some((0, 0)));
    assert_eq!(v.expected_report(), Some("INSUFFICIENT_CLOUDHSM_HSMS"));
    // HSMs, none ACTIVE, one being created: wait for it.
    let mut c = healthy();
    c["Hsms"] = json!([
        hsm("hsm-234abcdefgh", "us-east-1a", "CREATE_IN_PROGRESS"),
        hsm("hsm-345bcdefghi", "us-east-1b", "DEGRADED")
    ]);
    let v = verdict(c);
    let check = v.check(CheckId::ActiveHsms).unwrap();
    assert_eq!(check.level, Level::Fail);
    assert!(
        check.line.contains("hsm-234abcdefgh CREATE_IN_PROGRESS")
            && check.line.contains("hsm-345bcdefghi DEGRADED"),
        "{}",
        check.line
    );
    assert!(check.fix.as_ref().unwrap().starts_with("Wait"));
    assert_eq!(v.hsms, Some((0, 2)));
    // One ACTIVE HSM: connects, with two warnings.
    let mut c = healthy();
    c["Hsms"] = json!([
        hsm("hsm-234abcdefgh", "us-east-1a", "ACTIVE"),
        hsm("hsm-345bcdefghi", "us-east-1b", "DELETED")
    ]);
    let v = verdict(c);
    assert_eq!(v.overall, Level::Warn);
    assert!(!v.expect_failure());
    assert_eq!(v.check(CheckId::ActiveHsms).unwrap().level, Level::Warn);
    assert_eq!(v.check(CheckId::HsmZones).unwrap().level, Level::Warn);
    assert!(
        v.headline
            .starts_with("KMS can connect, but: Only one ACTIVE HSM")
    );
    assert_eq!(v.hsms, Some((1, 2)));
    // Two ACTIVE HSMs in the same zone.
    let mut c = healthy();
    c["Hsms"] = json!([
        hsm("hsm-234abcdefgh", "us-east-1a", "ACTIVE"),
        hsm("hsm-345bcdefghi", "us-east-1a", "ACTIVE")
    ]);
    let v = verdict(c);
    assert_eq!(v.overall, Level::Warn);
    assert_eq!(v.check(CheckId::ActiveHsms).unwrap().level, Level::Ok);
    let zones = v.check(CheckId::HsmZones).unwrap();
    assert_eq!(zones.level, Level::Warn);
    assert!(zones.line.contains("(us-east-1a)"), "{}", zones.line);
    assert!(
        zones
            .fix
            .as_ref()
            .unwrap()
            .contains("another Availability Zone")
    );
}

#[test]
fn subnets_and_security_group() {
    let mut c = healthy();
    c["SubnetMapping"] = json!({"us-east-1a": "subnet-0a1b2c3d"});
    c["Hsms"] = json!([hsm("hsm-234abcdefgh", "us-east-1a", "ACTIVE")]);
    let v = verdict(c);
    let s = v.check(CheckId::Subnets).unwrap();
    assert_eq!(
        (s.level, s.kms_reports),
        (
            Level::Fail,
            Some("CloudHsmClusterInvalidConfigurationException")
        )
    );
    assert_eq!(v.overall, Level::Fail, "a failure outweighs the warnings");
    let mut c = healthy();
    c.as_object_mut().unwrap().remove("SecurityGroup");
    c.as_object_mut().unwrap().remove("SubnetMapping");
    let v = verdict(c);
    assert!(
        v.check(CheckId::Subnets).is_none(),
        "not reported: not checked"
    );
    assert_eq!(v.check(CheckId::SecurityGroup).unwrap().level, Level::Warn);
    assert_eq!(v.overall, Level::Warn);
}

#[test]
fn a_missing_cluster_fails_as_kms_would() {
    for outcome in [
        Ok(None),
        Err(error(
            400,
            r#"{"__type":"CloudHsmResourceNotFoundException","Message":"Cluster not found"}"#,
        )),
    ] {
        let v = cloudhsm_preflight(ID, &outcome);
        assert_eq!(v.overall, Level::Fail);
        assert_eq!(v.expected_report(), Some("CLUSTER_NOT_FOUND"));
        let c = v.check(CheckId::ClusterFound).unwrap();
        assert!(c.line.contains(ID));
        assert!(c.fix.as_ref().unwrap().contains("backup"));
        assert_eq!(v.hsms, None);
    }
}

#[test]
fn lookup_errors_are_unknown_and_never_block() {
    let denied_bodies = [
        r#"{"__type":"CloudHsmAccessDeniedException","Message":"User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized to perform: cloudhsm:DescribeClusters"}"#,
        r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::111122223333:user/x is not authorized to perform: cloudhsm:DescribeClusters on resource: *"}"#,
    ];
    for body in denied_bodies {
        let v = cloudhsm_preflight(ID, &Err(error(400, body)));
        assert_eq!(v.overall, Level::Unknown);
        assert!(!v.expect_failure());
        let c = v.check(CheckId::Permission).unwrap();
        assert!(c.line.contains("cloudhsm:DescribeClusters"), "{}", c.line);
        assert!(
            c.fix
                .as_ref()
                .unwrap()
                .contains("cloudhsm:DescribeClusters")
        );
        assert!(
            v.headline.ends_with("Connect is not blocked."),
            "{}",
            v.headline
        );
    }
    for e in [
        KmsError::network("TypeError: Failed to fetch"),
        error(
            500,
            r#"{"__type":"CloudHsmInternalFailureException","Message":"boom"}"#,
        ),
        error(
            400,
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        ),
        error(
            400,
            r#"{"__type":"CloudHsmInvalidRequestException","Message":"bad"}"#,
        ),
        error(502, "<html>Bad Gateway</html>"),
    ] {
        let v = cloudhsm_preflight(ID, &Err(e.clone()));
        assert_eq!(v.overall, Level::Unknown, "{e}");
        assert!(!v.expect_failure());
        let c = v.check(CheckId::Lookup).unwrap();
        assert!(c.line.contains(&e.code), "{}", c.line);
        assert_eq!(c.fix.clone().unwrap(), cloudhsm_error(&e).fix);
    }
}

#[test]
fn every_describe_clusters_error_has_its_own_words() {
    // The errors DescribeClusters lists in the model, and CloudHSM's not-found.
    let mut meanings = std::collections::HashSet::new();
    for code in [
        "CloudHsmAccessDeniedException",
        "CloudHsmInternalFailureException",
        "CloudHsmInvalidRequestException",
        "CloudHsmServiceException",
        "CloudHsmTagException",
        "CloudHsmResourceNotFoundException",
    ] {
        let x = cloudhsm_error(&error(
            400,
            &format!(r#"{{"__type":"{code}","Message":"m"}}"#),
        ));
        assert!(meanings.insert(x.meaning.clone()), "{code}: {}", x.meaning);
        assert!(x.doc.starts_with("https://docs.aws.amazon.com/"), "{code}");
    }
    let denied = cloudhsm_error(&error(
        400,
        r#"{"__type":"AccessDeniedException","message":"not authorized to perform: cloudhsm:DescribeClusters"}"#,
    ));
    assert!(denied.meaning.contains("cloudhsm:DescribeClusters"));
    assert!(denied.fix.contains("Connect itself does not need it"));
    for e in [
        KmsError::network("x"),
        error(429, "{}"),
        error(503, ""),
        error(400, r#"{"__type":"UnrecognizedClientException"}"#),
    ] {
        let x = cloudhsm_error(&e);
        assert!(!x.meaning.contains("KMS"), "{}: {}", e.code, x.meaning);
    }
    let expired = cloudhsm_error(&error(400, r#"{"__type":"ExpiredTokenException"}"#));
    assert!(expired.meaning.contains("expired"));
}

fn store(v: serde_json::Value) -> CustomKeyStore {
    CustomKeyStore::from_json(&v).unwrap()
}

#[test]
fn external_key_stores_are_checked_for_shape_only() {
    let public = store(json!({
        "CustomKeyStoreId": "cks-0a1b2c3d4e5f60001", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyConfiguration": {"Connectivity": "PUBLIC_ENDPOINT", "UriEndpoint": "https://xks.payments.example.com",
                                  "UriPath": "/payments/kms/xks/v1", "AccessKeyId": "BMQ6V7UDSEXAMPLEKEYID"}
    }));
    let v = xks_preflight(&public);
    assert_eq!(v.overall, Level::Ok, "{v:#?}");
    let ids: Vec<CheckId> = v.checks.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            CheckId::XksConnectivity,
            CheckId::XksEndpoint,
            CheckId::XksPath
        ]
    );
    assert!(
        v.headline
            .contains("KMS tests the proxy during the connect")
    );
    assert_eq!(v.notes.len(), 1);
    assert!(v.notes[0].starts_with("KMS tests the proxy itself during the connect"));
    assert!(
        v.check(CheckId::XksPath)
            .unwrap()
            .line
            .contains("/payments/kms/xks/v1")
    );

    let vpc = store(json!({
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyConfiguration": {"Connectivity": "VPC_ENDPOINT_SERVICE", "UriEndpoint": "https://xks.ledger.internal.example.com",
                                  "UriPath": "/kms/xks/v1", "VpcEndpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
                                  "VpcEndpointServiceOwner": "111122223333"}
    }));
    let v = xks_preflight(&vpc);
    assert_eq!(v.overall, Level::Ok, "{v:#?}");
    assert_eq!(v.check(CheckId::XksVpcService).unwrap().level, Level::Ok);
    assert!(
        v.check(CheckId::XksVpcOwner)
            .unwrap()
            .line
            .contains("111122223333")
    );
    assert!(v.notes[1].contains("cks.kms.<region>.amazonaws.com"));

    let bad = store(json!({
        "XksProxyConfiguration": {"Connectivity": "VPC_ENDPOINT_SERVICE", "UriEndpoint": "http://xks.example.com:8443",
                                  "UriPath": "/kms/xks/v1/keys", "VpcEndpointServiceOwner": "1234"}
    }));
    let v = xks_preflight(&bad);
    assert_eq!(v.overall, Level::Fail);
    for id in [
        CheckId::XksEndpoint,
        CheckId::XksPath,
        CheckId::XksVpcService,
        CheckId::XksVpcOwner,
    ] {
        let c = v.check(id).unwrap();
        assert_eq!(c.level, Level::Fail, "{id:?}");
        assert!(c.fix.as_ref().unwrap().contains("Update"));
    }
    assert_eq!(
        v.check(CheckId::XksPath).unwrap().kms_reports,
        Some("XKS_PROXY_INVALID_CONFIGURATION")
    );
    assert_eq!(
        v.check(CheckId::XksVpcService).unwrap().kms_reports,
        Some("XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND")
    );
    assert!(
        v.check(CheckId::XksEndpoint)
            .unwrap()
            .line
            .contains("https://"),
        "the shape's hint"
    );

    let bad_name = store(json!({
        "XksProxyConfiguration": {"Connectivity": "VPC_ENDPOINT_SERVICE", "UriEndpoint": "https://xks.example.com",
                                  "UriPath": "/kms/xks/v1", "VpcEndpointServiceName": "vpce-svc-0123456789abcdef0"}
    }));
    assert_eq!(
        xks_preflight(&bad_name)
            .check(CheckId::XksVpcService)
            .unwrap()
            .level,
        Level::Fail
    );

    let none = xks_preflight(&store(json!({"CustomKeyStoreType": "EXTERNAL_KEY_STORE"})));
    assert_eq!(none.overall, Level::Unknown);
    let new = xks_preflight(&store(json!({
        "XksProxyConfiguration": {"Connectivity": "SOMETHING_NEW", "UriEndpoint": "https://xks.example.com", "UriPath": "/kms/xks/v1"}
    })));
    assert_eq!(new.overall, Level::Unknown);
    assert_eq!(
        new.check(CheckId::XksConnectivity).unwrap().level,
        Level::Unknown
    );
}

/// The emulator's default scenario, through the core's checks: each CloudHSM store's cluster gets
/// the verdict its scripted connect bears out (the console's browser tests rely on these).
#[test]
fn the_emulators_default_clusters_get_the_verdicts_their_stores_script() {
    let scenario: serde_json::Value =
        serde_json::from_str(include_str!("../kms-emulator/scenarios/default.json")).unwrap();
    let region = scenario["region"].as_str().unwrap();
    // A scenario cluster as the emulator shows it on the wire (default subnets: zones a, b and
    // the HSMs' zones).
    let wire = |c: &serde_json::Value| {
        let hsms: Vec<serde_json::Value> = c["hsms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| json!({"HsmId": h["id"], "AvailabilityZone": h["az"], "State": h.get("state").unwrap_or(&json!("ACTIVE"))}))
            .collect();
        let subnets = c.get("subnet_mapping").cloned().unwrap_or_else(|| {
            let mut m = serde_json::Map::new();
            for z in [format!("{region}a"), format!("{region}b")]
                .into_iter()
                .chain(
                    hsms.iter()
                        .map(|h| h["AvailabilityZone"].as_str().unwrap().to_string()),
                )
            {
                m.insert(z, json!("subnet-0123456789abcdef0"));
            }
            serde_json::Value::Object(m)
        });
        cluster(json!({
            "ClusterId": c["id"], "State": c.get("state").unwrap_or(&json!("ACTIVE")),
            "Hsms": hsms, "SubnetMapping": subnets, "SecurityGroup": "sg-0123456789abcdef0"
        }))
    };
    let mut expected = Vec::new();
    for s in scenario["stores"].as_array().unwrap() {
        if s["type"] != "AWS_CLOUDHSM" {
            continue;
        }
        let id = s["cluster_id"].as_str().unwrap();
        let c = scenario["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} is listed"));
        let v = cloudhsm_preflight(id, &Ok(Some(wire(c))));
        let connect = &s["connect"];
        let promised = connect["fast_failure"]
            .as_str()
            .or((connect["error_code"] == "INSUFFICIENT_CLOUDHSM_HSMS")
                .then_some("INSUFFICIENT_CLOUDHSM_HSMS"));
        assert_eq!(v.expected_report(), promised, "{}: {v:#?}", s["name"]);
        expected.push((s["name"].as_str().unwrap(), v.overall, v.hsms.unwrap()));
    }
    assert_eq!(
        expected,
        [
            ("hsm-primary", Level::Ok, (2, 2)),
            ("hsm-no-active-hsm", Level::Fail, (0, 0)),
            ("hsm-kmsuser-locked", Level::Ok, (2, 2)),
            ("hsm-cluster-inactive", Level::Fail, (1, 1)),
            ("hsm-cluster-misconfigured", Level::Fail, (1, 1)),
            ("hsm-connected", Level::Ok, (3, 3)),
        ]
    );
}
