//! Turns `data/aws-partitions.json` (botocore's partitions, copied verbatim) into Rust tables,
//! so the region list and DNS suffixes come from AWS's data and the wasm carries no JSON parser
//! work at start-up.
use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    let src = "data/aws-partitions.json";
    println!("cargo:rerun-if-changed={src}");
    let text = fs::read_to_string(src).expect("read data/aws-partitions.json");
    let data: serde_json::Value = serde_json::from_str(&text).expect("partitions JSON");
    let mut out = String::from("pub static PARTITIONS: &[Partition] = &[\n");
    for p in data["partitions"].as_array().expect("partitions array") {
        let o = &p["outputs"];
        let regex = p["regionRegex"].as_str().expect("regionRegex");
        let prefixes = region_prefixes(regex);
        let mut regions: Vec<(String, String)> = p["regions"]
            .as_object()
            .expect("regions")
            .iter()
            // `aws-global` and friends are pseudo-regions, not KMS endpoints.
            .filter(|(id, _)| !id.ends_with("-global"))
            .map(|(id, r)| {
                let desc = r["description"].as_str().unwrap_or("").to_string();
                (id.clone(), desc)
            })
            .collect();
        regions.sort();
        let _ = write!(
            out,
            "    Partition {{ id: {:?}, dns_suffix: {:?}, dual_stack_dns_suffix: {:?}, supports_fips: {}, supports_dual_stack: {}, region_prefixes: &{:?}, regions: &[",
            p["id"].as_str().expect("id"),
            o["dnsSuffix"].as_str().expect("dnsSuffix"),
            o["dualStackDnsSuffix"]
                .as_str()
                .expect("dualStackDnsSuffix"),
            o["supportsFIPS"].as_bool().unwrap_or(false),
            o["supportsDualStack"].as_bool().unwrap_or(false),
            prefixes,
        );
        for (id, desc) in regions {
            let _ = write!(out, "({id:?}, {desc:?}), ");
        }
        out.push_str("] },\n");
    }
    out.push_str("];\n");

    // The older endpoints.json data for KMS: which regions it lists, and which of them have a
    // FIPS host. The rule set builds FIPS hosts everywhere; these lists let the UI warn.
    let mut listed = Vec::new();
    let mut fips = Vec::new();
    for p in data["kms_endpoints"]["partitions"]
        .as_array()
        .expect("kms_endpoints")
    {
        for (region, e) in p["kms"]["endpoints"].as_object().expect("kms endpoints") {
            if e.get("deprecated").is_some()
                || region.contains("fips")
                || region.starts_with("Prod")
            {
                continue;
            }
            listed.push(region.clone());
            let has_fips = e["variants"].as_array().is_some_and(|vs| {
                vs.iter().any(|v| {
                    v["tags"]
                        .as_array()
                        .is_some_and(|t| t.len() == 1 && t[0] == "fips")
                })
            });
            if has_fips {
                fips.push(region.clone());
            }
        }
    }
    listed.sort();
    fips.sort();
    let _ = writeln!(out, "pub static KMS_LISTED_REGIONS: &[&str] = &{listed:?};");
    let _ = writeln!(out, "pub static KMS_FIPS_REGIONS: &[&str] = &{fips:?};");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("partitions.rs");
    fs::write(dest, out).expect("write partitions.rs");
}

/// Every partition regex in the data has the shape `^PREFIXES\-\w+\-\d+$`, where PREFIXES is a
/// literal such as `us\-iso` or an alternation such as `(us|eu|ap)`. Expand it into the literal
/// prefixes (each ending in `-`); the build fails loudly if AWS ever ships another shape.
fn region_prefixes(regex: &str) -> Vec<String> {
    let body = regex
        .strip_prefix('^')
        .and_then(|r| r.strip_suffix("\\-\\w+\\-\\d+$"))
        .unwrap_or_else(|| panic!("unexpected regionRegex shape: {regex}"));
    let body = body.replace("\\-", "-");
    // Expand at most one group `(a|b)` anywhere in the literal.
    if let (Some(open), Some(close)) = (body.find('('), body.find(')')) {
        let (head, tail) = (&body[..open], &body[close + 1..]);
        body[open + 1..close]
            .split('|')
            .map(|alt| format!("{head}{alt}{tail}-"))
            .collect()
    } else {
        assert!(
            body.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "unexpected regionRegex shape: {regex}"
        );
        vec![format!("{body}-")]
    }
}
