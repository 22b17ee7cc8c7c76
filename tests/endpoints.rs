//! Every region of every partition in botocore's partitions data resolves to the URL that
//! KMS's endpoint rule set gives, computed here straight from the data.

use cks_console::aws::endpoint::{EndpointError, Variant, all_regions, resolve};
use serde_json::Value;

#[test]
fn every_region_resolves_per_the_rule_set() {
    let data: Value = serde_json::from_str(include_str!("../data/aws-partitions.json")).unwrap();
    let mut count = 0;
    for p in data["partitions"].as_array().unwrap() {
        let o = &p["outputs"];
        let (dns, dual) = (
            o["dnsSuffix"].as_str().unwrap(),
            o["dualStackDnsSuffix"].as_str().unwrap(),
        );
        for region in p["regions"].as_object().unwrap().keys() {
            if region.ends_with("-global") {
                // A pseudo-region: not offered, and not resolved by its name.
                assert!(!all_regions().any(|(r, _)| r == region));
                continue;
            }
            count += 1;
            let url = |fips, dual_stack| {
                resolve(region, Variant { fips, dual_stack }, None).map(|e| e.url)
            };
            assert_eq!(
                url(false, false).unwrap(),
                format!("https://kms.{region}.{dns}/")
            );
            let fips = o["supportsFIPS"].as_bool().unwrap();
            let ds = o["supportsDualStack"].as_bool().unwrap();
            assert_eq!(
                url(true, false).ok(),
                fips.then(|| format!("https://kms-fips.{region}.{dns}/"))
            );
            assert_eq!(
                url(false, true).ok(),
                ds.then(|| format!("https://kms.{region}.{dual}/"))
            );
            assert_eq!(
                url(true, true).ok(),
                (fips && ds).then(|| format!("https://kms-fips.{region}.{dual}/"))
            );
            let e = resolve(
                region,
                Variant {
                    fips: true,
                    dual_stack: false,
                },
                None,
            )
            .unwrap();
            assert_eq!(
                e.signing_region, *region,
                "FIPS hosts still sign for the region"
            );
        }
    }
    assert_eq!(count, all_regions().count());
    assert!(count >= 40, "{count}");
}

#[test]
fn custom_endpoints_do_not_combine_with_variants() {
    let custom = Some("https://vpce-0123.kms.us-east-1.vpce.amazonaws.com");
    assert_eq!(
        resolve(
            "us-east-1",
            Variant {
                fips: true,
                dual_stack: false
            },
            custom
        ),
        Err(EndpointError::FipsWithCustomEndpoint)
    );
    assert_eq!(
        resolve(
            "us-east-1",
            Variant {
                fips: false,
                dual_stack: true
            },
            custom
        ),
        Err(EndpointError::DualStackWithCustomEndpoint)
    );
}
