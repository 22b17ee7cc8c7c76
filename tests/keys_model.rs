//! The key operations (`aws::keys`) against botocore's model of them (`data/kms-keys.json`, a
//! verbatim copy of the shared reference file): every operation is known, every error shape of
//! each is explained with its own words, and every limit and pattern we check is the model's.
#![cfg(not(target_arch = "wasm32"))]

use cks_console::aws::error::KmsError;
use cks_console::aws::keys::{self, *};
use cks_console::aws::kms::{Operation, Validate, parse_output};
use cks_console::console::explain;
use serde_json::Value;
use std::collections::BTreeSet;

mod reference;
use reference::{object_keys, serialised_keys as wire_keys};

fn model() -> Value {
    reference::read("kms-keys.json")
}

#[test]
fn the_reference_copy_is_verbatim() {
    reference::assert_verbatim("kms-keys.json");
}

#[test]
fn every_operation_is_known() {
    let m = model();
    let ops = object_keys(&m["operations"]);
    let mine: BTreeSet<String> = Operation::KEY_OPS
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    assert_eq!(ops, mine);
    assert_eq!(m["metadata"]["targetPrefix"], "TrentService");
    let all: BTreeSet<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(all.len(), 16);
}

fn op_errors(m: &Value, op: Operation) -> Vec<String> {
    reference::op_errors(m, op.name())
}

#[test]
fn every_error_shape_of_every_operation_is_explained() {
    let m = model();
    let generic = explain::kms_error(
        &KmsError::from_response(400, None, None, r#"{"__type":"SomethingNew"}"#),
        Operation::ListKeys,
    );
    let mut seen = 0;
    let mut shapes = BTreeSet::new();
    for op in Operation::KEY_OPS {
        for e in op_errors(&m, op) {
            shapes.insert(e.clone());
            let status = if e == "KMSInternalException" {
                500
            } else {
                400
            };
            let err = KmsError::from_response(
                status,
                None,
                Some("rid".into()),
                &format!(r#"{{"__type":"{e}","message":"m"}}"#),
            );
            let x = explain::kms_error(&err, op);
            assert_ne!(
                x.meaning,
                generic.meaning,
                "{e} of {} has only the generic words",
                op.name()
            );
            assert!(!x.fix.is_empty(), "{e}");
            assert!(x.doc.starts_with("https://docs.aws.amazon.com/"), "{e}");
            seen += 1;
        }
        // A missing permission names the operation's IAM action.
        let denied = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"AccessDeniedException","message":"no"}"#,
        );
        let x = explain::kms_error(&denied, op);
        assert!(
            x.meaning.contains(&format!("kms:{}", op.name())),
            "{}",
            x.meaning
        );
    }
    // Every exception shape of the model belongs to some operation.
    let all: BTreeSet<String> = m["shapes"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["exception"] == true)
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(all, shapes);
    assert_eq!(seen, 67, "the model has 67 (operation, error) pairs");
    // Errors that mean different things in different operations say so.
    let state =
        KmsError::from_response(400, None, None, r#"{"__type":"KMSInvalidStateException"}"#);
    assert_ne!(
        explain::kms_error(&state, Operation::CancelKeyDeletion).meaning,
        explain::kms_error(&state, Operation::Encrypt).meaning
    );
    let limit = KmsError::from_response(400, None, None, r#"{"__type":"LimitExceededException"}"#);
    assert_eq!(limit.retry_class(Operation::CreateKey), None);
    assert_eq!(limit.retry_class(Operation::CreateAlias), None);
    assert!(
        explain::kms_error(&limit, Operation::CreateKey)
            .meaning
            .contains("keys quota")
    );
    assert_eq!(explain::key_iam_actions().len(), 10);
}

#[test]
fn limits_and_patterns_match_the_model() {
    let m = model();
    for shape in keys::SHAPES {
        let s = &m["shapes"][shape.name];
        assert_eq!(s["min"].as_u64(), Some(shape.min as u64), "{}", shape.name);
        assert_eq!(s["max"].as_u64(), Some(shape.max as u64), "{}", shape.name);
        assert_eq!(s["pattern"].as_str(), shape.pattern, "{}", shape.name);
    }
    let int = |name: &str| {
        let s = &m["shapes"][name];
        (s["min"].as_u64().unwrap(), s["max"].as_u64().unwrap())
    };
    assert_eq!(
        int("LimitType"),
        (
            *LIST_KEYS_LIMIT.start() as u64,
            *LIST_KEYS_LIMIT.end() as u64
        )
    );
    assert_eq!(
        int("PendingWindowInDaysType"),
        (
            *PENDING_WINDOW_MODEL.start() as u64,
            *PENDING_WINDOW_MODEL.end() as u64
        )
    );
    assert!(PENDING_WINDOW_MODEL.contains(PENDING_WINDOW_DAYS.start()));
    assert!(PENDING_WINDOW_MODEL.contains(PENDING_WINDOW_DAYS.end()));
    assert_eq!(
        int("NumberOfBytesType"),
        (
            *NUMBER_OF_BYTES.start() as u64,
            *NUMBER_OF_BYTES.end() as u64
        )
    );
    assert_eq!(
        int("PlaintextType"),
        (
            *PLAINTEXT_BYTES.start() as u64,
            *PLAINTEXT_BYTES.end() as u64
        )
    );
    assert_eq!(
        int("CiphertextType"),
        (
            *CIPHERTEXT_BYTES.start() as u64,
            *CIPHERTEXT_BYTES.end() as u64
        )
    );
    assert_eq!(m["shapes"]["PlaintextType"]["sensitive"], true);
    // Enums.
    let enum_of = |name: &str| reference::enum_values(&m, name);
    let ours = |k: &[&str]| -> BTreeSet<String> { k.iter().map(|s| s.to_string()).collect() };
    assert_eq!(enum_of("KeyState"), ours(KeyState::KNOWN));
    assert_eq!(enum_of("OriginType"), ours(Origin::KNOWN));
    assert!(enum_of("KeySpec").contains(SYMMETRIC_DEFAULT));
    assert!(enum_of("KeyUsageType").contains(ENCRYPT_DECRYPT));
}

fn model_regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(&format!("^(?:{})$", pattern)).unwrap()
}

#[test]
fn matchers_agree_with_the_model_regex() {
    let samples = [
        "alias/payments",
        "alias/aws/x",
        "alias/a:b",
        "bad name",
        "",
        "a.b-c_d",
        "ext-key-1",
        "x/y",
        "ünï",
        "alias/",
        "A",
        "key.with.dots",
        "semi;colon",
        "tab\t",
    ];
    for shape in keys::SHAPES {
        let Some(p) = shape.pattern else { continue };
        let re = model_regex(p);
        for s in samples {
            if s.is_empty() {
                continue;
            }
            assert_eq!(
                shape.pattern_ok(s),
                re.is_match(s),
                "{} on {s:?}",
                shape.name
            );
        }
    }
}

/// Member names of a shape, from the model.
fn members(shape: &str) -> BTreeSet<String> {
    reference::members(&model(), shape)
}

#[test]
fn request_members_are_the_models() {
    let subset = |ours: BTreeSet<String>, shape: &str| {
        let theirs = members(shape);
        assert!(
            ours.is_subset(&theirs),
            "{shape}: {ours:?} not in {theirs:?}"
        );
    };
    subset(
        wire_keys(&ListKeysRequest {
            limit: Some(1),
            marker: Some("m".into()),
        }),
        "ListKeysRequest",
    );
    subset(
        wire_keys(&KeyIdRequest { key_id: "k".into() }),
        "DescribeKeyRequest",
    );
    subset(
        wire_keys(&KeyIdRequest { key_id: "k".into() }),
        "CancelKeyDeletionRequest",
    );
    subset(
        wire_keys(&ListAliasesRequest {
            key_id: Some("k".into()),
            limit: Some(1),
            marker: Some("m".into()),
        }),
        "ListAliasesRequest",
    );
    subset(
        wire_keys(&CreateKeyRequest {
            description: Some("d".into()),
            key_usage: Some("ENCRYPT_DECRYPT".into()),
            key_spec: Some("SYMMETRIC_DEFAULT".into()),
            origin: Some(Origin::ExternalKeyStore),
            custom_key_store_id: Some("c".into()),
            xks_key_id: Some("x".into()),
        }),
        "CreateKeyRequest",
    );
    subset(
        wire_keys(&CreateAliasRequest {
            alias_name: "alias/a".into(),
            target_key_id: "k".into(),
        }),
        "CreateAliasRequest",
    );
    let ctx = std::collections::BTreeMap::from([("a".to_string(), "b".to_string())]);
    subset(
        wire_keys(&EncryptRequest {
            key_id: "k".into(),
            plaintext: SecretBytes::new(vec![1]),
            encryption_context: ctx.clone(),
        }),
        "EncryptRequest",
    );
    subset(
        wire_keys(&DecryptRequest {
            ciphertext_blob: SecretBytes::new(vec![1]),
            encryption_context: ctx,
            key_id: Some("k".into()),
        }),
        "DecryptRequest",
    );
    subset(
        wire_keys(&GenerateRandomRequest {
            number_of_bytes: 32,
            custom_key_store_id: Some("c".into()),
        }),
        "GenerateRandomRequest",
    );
    subset(
        wire_keys(&ScheduleKeyDeletionRequest {
            key_id: "k".into(),
            pending_window_in_days: Some(7),
        }),
        "ScheduleKeyDeletionRequest",
    );
    // Required members of the model are always sent.
    for (shape, ours) in [
        (
            "DescribeKeyRequest",
            wire_keys(&KeyIdRequest { key_id: "k".into() }),
        ),
        (
            "CreateAliasRequest",
            wire_keys(&CreateAliasRequest {
                alias_name: "alias/a".into(),
                target_key_id: "k".into(),
            }),
        ),
        (
            "ScheduleKeyDeletionRequest",
            wire_keys(&ScheduleKeyDeletionRequest {
                key_id: "k".into(),
                pending_window_in_days: None,
            }),
        ),
    ] {
        for r in model()["shapes"][shape]["required"].as_array().unwrap() {
            assert!(ours.contains(r.as_str().unwrap()), "{shape} {r}");
        }
    }
}

#[test]
fn output_members_are_read_with_the_models_names() {
    let m = model();
    let km = members("KeyMetadata");
    for name in [
        "AWSAccountId",
        "KeyId",
        "Arn",
        "CreationDate",
        "Enabled",
        "Description",
        "KeyUsage",
        "KeyState",
        "DeletionDate",
        "Origin",
        "CustomKeyStoreId",
        "CloudHsmClusterId",
        "KeyManager",
        "KeySpec",
        "PendingDeletionWindowInDays",
        "XksKeyConfiguration",
    ] {
        assert!(km.contains(name), "{name}");
    }
    let body = r#"{"KeyMetadata":{"AWSAccountId":"111122223333","KeyId":"k","Arn":"arn:aws:kms:us-east-1:111122223333:key/k","CreationDate":1.7e9,"Enabled":true,"KeyUsage":"ENCRYPT_DECRYPT","KeyState":"Enabled","Origin":"EXTERNAL_KEY_STORE","CustomKeyStoreId":"cks-1","KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","XksKeyConfiguration":{"Id":"ext-1"}}}"#;
    let r: KeyMetadataResponse = parse_output(body).unwrap();
    assert_eq!(r.key_metadata.xks_key_id.as_deref(), Some("ext-1"));
    assert_eq!(r.key_metadata.origin, Some(Origin::ExternalKeyStore));
    assert!(members("XksKeyConfigurationType").contains("Id"));
    for (shape, names) in [
        ("ListKeysResponse", vec!["Keys", "NextMarker", "Truncated"]),
        (
            "ListAliasesResponse",
            vec!["Aliases", "NextMarker", "Truncated"],
        ),
        (
            "AliasListEntry",
            vec![
                "AliasName",
                "AliasArn",
                "TargetKeyId",
                "CreationDate",
                "LastUpdatedDate",
            ],
        ),
        (
            "EncryptResponse",
            vec!["CiphertextBlob", "KeyId", "EncryptionAlgorithm"],
        ),
        (
            "DecryptResponse",
            vec!["KeyId", "Plaintext", "EncryptionAlgorithm"],
        ),
        ("GenerateRandomResponse", vec!["Plaintext"]),
        (
            "ScheduleKeyDeletionResponse",
            vec!["KeyId", "DeletionDate", "KeyState", "PendingWindowInDays"],
        ),
        ("CancelKeyDeletionResponse", vec!["KeyId"]),
    ] {
        let ms = members(shape);
        for n in names {
            assert!(ms.contains(n), "{shape}.{n}");
        }
    }
    // Paginators: the members we page with.
    for p in ["ListKeys", "ListAliases"] {
        let pg = &m["paginators"][p];
        assert_eq!(
            (
                pg["input_token"].as_str(),
                pg["output_token"].as_str(),
                pg["more_results"].as_str()
            ),
            (Some("Marker"), Some("NextMarker"), Some("Truncated"))
        );
    }
    let page: ListKeysResponse = parse_output(
        r#"{"Keys":[{"KeyId":"a","KeyArn":"arn"}],"NextMarker":"n","Truncated":true}"#,
    )
    .unwrap();
    assert_eq!(page.next().unwrap().marker.as_deref(), Some("n"));
    assert!(parse_output::<ListKeysResponse>("{}").is_err());
    // Validate takes what the console sends.
    assert!(KeyIdRequest { key_id: "k".into() }.problems().is_empty());
}
