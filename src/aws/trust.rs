//! Where a signed request may go. A signed request carries the access key ID, the session token
//! and a signature that the receiver can replay for minutes, so it goes only to:
//! - the region's AWS endpoint of the service it is signed for (plain, FIPS or dual-stack);
//! - a host shaped like that service's endpoint (`kms[-fips].<region>.<dnsSuffix>`) or its VPC
//!   interface endpoint (`vpce-….kms[-fips].<region>.vpce.<dnsSuffix>`);
//! - loopback (the emulator and tools like it);
//! - any other host only once the user has confirmed it in the page (never from a link).
//!
//! A request that carries a store secret (the kmsuser password, the XKS proxy secret) goes only
//! to the region's own AWS endpoint or loopback. Pure: the page's confirmations come in as an
//! argument.

use crate::aws::endpoint::{
    PARTITIONS, Partition, all_regions, is_loopback, parse_custom_url, partition_of, url_host,
};
use std::fmt;

/// The AWS services the console signs requests for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Kms,
    CloudHsm,
    /// CloudWatch (the store's health).
    Monitoring,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Kms, Service::CloudHsm, Service::Monitoring];

    /// The first label of the service's hosts (`kms.us-east-1.amazonaws.com`).
    pub fn host_label(self) -> &'static str {
        match self {
            Service::Kms => "kms",
            Service::CloudHsm => "cloudhsmv2",
            Service::Monitoring => "monitoring",
        }
    }

    /// What the page calls it in messages.
    pub fn title(self) -> &'static str {
        match self {
            Service::Kms => "KMS",
            Service::CloudHsm => "CloudHSM",
            Service::Monitoring => "CloudWatch",
        }
    }
}

/// Where a URL points, for requests signed for one service in one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The region's own endpoint of the service, as AWS's partitions data builds it.
    Regional,
    /// The service's endpoint in another region of a known partition, or a VPC interface
    /// endpoint of the service.
    ServiceShaped,
    /// 127.0.0.0/8, `localhost` (and `*.localhost`) or `[::1]`: serves every service.
    Loopback,
    /// The endpoint of another AWS service this console calls: never, even if confirmed.
    OtherService { host: String, service: Service },
    /// Anything else: only once the user has confirmed this host in this tab.
    Foreign { host: String },
    /// Not a URL the console would send to at all.
    Invalid,
}

/// Classifies `url` for a request signed for `service` in `region`.
pub fn destination(url: &str, service: Service, region: &str) -> Destination {
    let Some(host) = url_host(url) else {
        return Destination::Invalid;
    };
    if is_loopback(&host) {
        return Destination::Loopback;
    }
    if !url.to_ascii_lowercase().starts_with("https://") {
        return Destination::Invalid;
    }
    match service_of_host(&host) {
        Some((s, host_region, vpce)) if s == service => {
            if !vpce && host_region == region.trim() && is_regional(&host, service, region) {
                Destination::Regional
            } else {
                Destination::ServiceShaped
            }
        }
        Some((other, _, _)) => Destination::OtherService {
            host,
            service: other,
        },
        None => Destination::Foreign { host },
    }
}

/// Whether `host` is one the region's endpoint resolution can produce for `service`.
fn is_regional(host: &str, service: Service, region: &str) -> bool {
    let region = region.trim();
    let Some(p) = partition_of(region) else {
        return false;
    };
    regional_hosts(p, region, service).iter().any(|h| h == host)
}

/// Every host of `service` in `region`: plain and FIPS, on the partition's DNS suffix and its
/// dual-stack one.
pub fn regional_hosts(p: &Partition, region: &str, service: Service) -> Vec<String> {
    let label = service.host_label();
    let mut out = vec![format!("{label}.{region}.{}", p.dns_suffix)];
    if p.supports_fips {
        out.push(format!("{label}-fips.{region}.{}", p.dns_suffix));
    }
    if p.supports_dual_stack {
        out.push(format!("{label}.{region}.{}", p.dual_stack_dns_suffix));
        if p.supports_fips {
            out.push(format!("{label}-fips.{region}.{}", p.dual_stack_dns_suffix));
        }
    }
    out
}

/// `(service, region, is a VPC endpoint)` for a host shaped like a service endpoint of a known
/// partition: `<label>[-fips].<region>.<suffix>` or `vpce-….<label>[-fips].<region>.vpce.<suffix>`.
fn service_of_host(host: &str) -> Option<(Service, String, bool)> {
    for p in PARTITIONS {
        for suffix in [p.dns_suffix, p.dual_stack_dns_suffix] {
            let Some(rest) = host.strip_suffix(suffix).and_then(|r| r.strip_suffix('.')) else {
                continue;
            };
            let labels: Vec<&str> = rest.split('.').collect();
            let (vpce, service_label, region) = match labels.as_slice() {
                [service, region] => (false, *service, *region),
                // Interface endpoints live under `vpce.<dnsSuffix>` only.
                [id, service, region, "vpce"] if suffix == p.dns_suffix && is_vpce_id(id) => {
                    (true, *service, *region)
                }
                _ => continue,
            };
            let base = service_label.strip_suffix("-fips").unwrap_or(service_label);
            let Some(service) = Service::ALL.into_iter().find(|s| s.host_label() == base) else {
                continue;
            };
            if region_shaped(region) {
                return Some((service, region.to_string(), vpce));
            }
        }
    }
    None
}

/// `vpce-<id>-<suffix>`, optionally followed by `-<availability zone>`.
fn is_vpce_id(label: &str) -> bool {
    label.strip_prefix("vpce-").is_some_and(|rest| {
        rest.split('-')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
    })
}

fn region_shaped(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

/// Why a request is not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A foreign host the user has not confirmed.
    Unconfirmed {
        host: String,
        service: Service,
    },
    /// Signed for one service, addressed to another's endpoint.
    WrongService {
        host: String,
        signed_for: Service,
        endpoint_of: Service,
    },
    /// A store secret, to a host other than the region's AWS endpoint or loopback.
    SecretOutsideAws {
        host: String,
    },
    Invalid,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unconfirmed { host, service } => write!(
                f,
                "{host} is not an AWS {} endpoint. Signed requests go there only after you confirm the host (Endpoint, \"Allow requests to {host}…\").",
                service.title()
            ),
            Refusal::WrongService {
                host,
                signed_for,
                endpoint_of,
            } => write!(
                f,
                "{host} is a {} endpoint: a request signed for {} is never sent there.",
                endpoint_of.title(),
                signed_for.title()
            ),
            Refusal::SecretOutsideAws { host } => write!(
                f,
                "this request carries a store secret (the kmsuser password or the proxy secret), which the console sends only to the region's own AWS KMS endpoint or to loopback, not to {host}. Clear Endpoint URL to use the region's endpoint (with private DNS on a VPC endpoint, that name reaches your VPC endpoint)."
            ),
            Refusal::Invalid => write!(f, "the endpoint URL is not valid."),
        }
    }
}

/// Decides whether a request may be sent: `service` it is signed for, `region` of its
/// signature, whether it `carries_secret`, and `confirmed` (hosts the user allowed in this tab).
pub fn check(
    url: &str,
    service: Service,
    region: &str,
    carries_secret: bool,
    confirmed: impl Fn(&str) -> bool,
) -> Result<(), Refusal> {
    match destination(url, service, region) {
        Destination::Regional | Destination::Loopback => Ok(()),
        Destination::ServiceShaped if !carries_secret => Ok(()),
        Destination::Foreign { host } if !carries_secret => {
            if confirmed(&host) {
                Ok(())
            } else {
                Err(Refusal::Unconfirmed { host, service })
            }
        }
        Destination::OtherService {
            host,
            service: endpoint_of,
        } => Err(Refusal::WrongService {
            host,
            signed_for: service,
            endpoint_of,
        }),
        Destination::Invalid => Err(Refusal::Invalid),
        Destination::ServiceShaped | Destination::Foreign { .. } => {
            Err(Refusal::SecretOutsideAws {
                host: url_host(url).unwrap_or_default(),
            })
        }
    }
}

/// Whether a KMS endpoint URL (as typed) needs the user's confirmation before anything is sent
/// there: the host it names, if so.
pub fn needs_confirmation(url: &str, service: Service, region: &str) -> Option<String> {
    match destination(url, service, region) {
        Destination::Foreign { host } => Some(host),
        _ => None,
    }
}

/// Whether the hosted page's Content Security Policy (`scripts/csp.mjs`) lets the browser reach
/// this custom endpoint URL. The policy names, for every region of AWS's partitions data, the
/// KMS, CloudHSM and CloudWatch (`monitoring`) hosts (plain, FIPS, dual-stack) and their VPC interface endpoints, plus
/// loopback by name: `127.0.0.1` and `localhost`. (CSP cannot name `[::1]`, nor a range of
/// 127/8.)
pub fn csp_allows(url: &str) -> bool {
    let Ok(url) = parse_custom_url(url) else {
        return true;
    };
    let Some(host) = url_host(&url) else {
        return true;
    };
    if is_loopback(&host) {
        return host == "127.0.0.1" || host == "localhost" || host.ends_with(".localhost");
    }
    // The policy names, for every known region, its own endpoints and its VPC endpoints.
    service_of_host(&host).is_some_and(|(service, region, vpce)| {
        all_regions().any(|(r, _)| r == region) && (vpce || is_regional(&host, service, &region))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kms(url: &str) -> Destination {
        destination(url, Service::Kms, "us-east-1")
    }

    #[test]
    fn what_the_page_policy_allows() {
        assert!(csp_allows("http://127.0.0.1:4599"));
        assert!(csp_allows("http://localhost:8080/kms"));
        assert!(csp_allows(
            "https://vpce-0123.kms.us-east-1.vpce.amazonaws.com"
        ));
        assert!(csp_allows("https://kms.cn-north-1.amazonaws.com.cn"));
        assert!(!csp_allows("http://127.0.0.2:4599"));
        assert!(!csp_allows("http://[::1]:4599"));
        assert!(!csp_allows("https://kms.example.com"));
        assert!(!csp_allows("https://amazonaws.com.evil.example"));
        // Only KMS and CloudHSM hosts: not every host under AWS's domains.
        assert!(csp_allows("https://kms-fips.us-east-1.api.aws"));
        assert!(csp_allows("https://cloudhsmv2.eu-west-1.amazonaws.com"));
        assert!(csp_allows(
            "https://vpce-0123-abcd-us-east-1a.kms-fips.us-east-1.vpce.amazonaws.com"
        ));
        for foreign in [
            "https://abc123xyz9.execute-api.us-east-1.amazonaws.com",
            "https://abc.lambda-url.us-east-1.on.aws",
            "https://bucket.s3.us-east-1.amazonaws.com",
            "https://d111111abcdef8.cloudfront.net",
            "https://kms.us-west-3.amazonaws.com",
        ] {
            assert!(!csp_allows(foreign), "{foreign}");
        }
    }

    #[test]
    fn regional_endpoints_of_every_variant() {
        for url in [
            "https://kms.us-east-1.amazonaws.com/",
            "https://kms-fips.us-east-1.amazonaws.com/",
            "https://kms.us-east-1.api.aws/",
            "https://kms-fips.us-east-1.api.aws/",
        ] {
            assert_eq!(kms(url), Destination::Regional, "{url}");
        }
        assert_eq!(
            destination(
                "https://kms.cn-north-1.amazonaws.com.cn/",
                Service::Kms,
                "cn-north-1"
            ),
            Destination::Regional
        );
        assert_eq!(
            destination(
                "https://cloudhsmv2.eu-west-1.amazonaws.com/",
                Service::CloudHsm,
                "eu-west-1"
            ),
            Destination::Regional
        );
    }

    #[test]
    fn kms_shaped_hosts_and_vpc_endpoints() {
        for url in [
            "https://kms.eu-west-1.amazonaws.com/",
            "https://vpce-0123456789abcdef0-abcdefgh.kms.us-east-1.vpce.amazonaws.com/",
            "https://vpce-0123456789abcdef0-abcdefgh-us-east-1a.kms.us-east-1.vpce.amazonaws.com/",
            "https://vpce-0123456789abcdef0-abcdefgh.kms-fips.us-east-1.vpce.amazonaws.com/",
        ] {
            assert_eq!(kms(url), Destination::ServiceShaped, "{url}");
        }
    }

    #[test]
    fn loopback_serves_every_service() {
        for url in [
            "http://127.0.0.1:4599/",
            "https://127.0.0.1:4599/",
            "http://127.8.9.10/",
            "http://localhost:8080/kms/",
            "http://[::1]:4599/",
            "https://[::1]/",
        ] {
            assert_eq!(kms(url), Destination::Loopback, "{url}");
            assert_eq!(
                destination(url, Service::CloudHsm, "us-east-1"),
                Destination::Loopback
            );
        }
    }

    #[test]
    fn foreign_hosts_and_other_services() {
        for url in [
            "https://abc123xyz9.execute-api.us-east-1.amazonaws.com/",
            "https://abc.lambda-url.us-east-1.on.aws/",
            "https://bucket.s3.us-east-1.amazonaws.com/",
            "https://d111111abcdef8.cloudfront.net/",
            "https://kms.example.com/",
            "https://kms.us-east-1.amazonaws.com.evil.example/",
            "https://x.kms.us-east-1.amazonaws.com/",
            "https://notvpce.kms.us-east-1.vpce.amazonaws.com/",
        ] {
            assert!(
                matches!(kms(url), Destination::Foreign { .. }),
                "{url}: {:?}",
                kms(url)
            );
        }
        assert_eq!(
            kms("https://abc123xyz9.execute-api.us-east-1.amazonaws.com/"),
            Destination::Foreign {
                host: "abc123xyz9.execute-api.us-east-1.amazonaws.com".into()
            }
        );
        assert_eq!(
            kms("https://cloudhsmv2.us-east-1.amazonaws.com/"),
            Destination::OtherService {
                host: "cloudhsmv2.us-east-1.amazonaws.com".into(),
                service: Service::CloudHsm
            }
        );
        assert!(matches!(
            destination(
                "https://kms.us-east-1.amazonaws.com/",
                Service::CloudHsm,
                "us-east-1"
            ),
            Destination::OtherService {
                service: Service::Kms,
                ..
            }
        ));
        assert_eq!(
            kms("http://kms.us-east-1.amazonaws.com/"),
            Destination::Invalid
        );
        assert_eq!(kms("nonsense"), Destination::Invalid);
    }

    #[test]
    fn confirmation_and_secrets() {
        let none = |_: &str| false;
        let api = "https://abc123xyz9.execute-api.us-east-1.amazonaws.com/";
        let host = "abc123xyz9.execute-api.us-east-1.amazonaws.com";
        assert_eq!(
            check(api, Service::Kms, "us-east-1", false, none),
            Err(Refusal::Unconfirmed {
                host: host.into(),
                service: Service::Kms
            })
        );
        assert_eq!(
            check(api, Service::Kms, "us-east-1", false, |h| h == host),
            Ok(())
        );
        // A secret never goes there, confirmed or not; nor to a VPC endpoint.
        assert!(matches!(
            check(api, Service::Kms, "us-east-1", true, |h| h == host),
            Err(Refusal::SecretOutsideAws { .. })
        ));
        let vpce = "https://vpce-0123-abcd.kms.us-east-1.vpce.amazonaws.com/";
        assert_eq!(check(vpce, Service::Kms, "us-east-1", false, none), Ok(()));
        assert!(matches!(
            check(vpce, Service::Kms, "us-east-1", true, none),
            Err(Refusal::SecretOutsideAws { .. })
        ));
        // Another region's KMS host is not the region's endpoint.
        assert!(matches!(
            check(
                "https://kms.eu-west-1.amazonaws.com/",
                Service::Kms,
                "us-east-1",
                true,
                none
            ),
            Err(Refusal::SecretOutsideAws { .. })
        ));
        for ok in [
            "https://kms.us-east-1.amazonaws.com/",
            "https://kms-fips.us-east-1.api.aws/",
            "http://127.0.0.1:4599/",
        ] {
            assert_eq!(
                check(ok, Service::Kms, "us-east-1", true, none),
                Ok(()),
                "{ok}"
            );
        }
        // Never across services, whatever was confirmed.
        assert!(matches!(
            check(
                "https://cloudhsmv2.us-east-1.amazonaws.com/",
                Service::Kms,
                "us-east-1",
                false,
                |_| true
            ),
            Err(Refusal::WrongService { .. })
        ));
        let msg = check(api, Service::Kms, "us-east-1", false, none)
            .unwrap_err()
            .to_string();
        assert!(msg.contains(host), "{msg}");
    }
}

#[cfg(test)]
mod monitoring_tests {
    use super::*;

    fn cw(url: &str) -> Destination {
        destination(url, Service::Monitoring, "us-east-1")
    }

    #[test]
    fn cloudwatch_endpoints_and_shapes() {
        for url in [
            "https://monitoring.us-east-1.amazonaws.com/",
            "https://monitoring-fips.us-east-1.amazonaws.com/",
            "https://monitoring.us-east-1.api.aws/",
            "https://monitoring-fips.us-east-1.api.aws/",
        ] {
            assert_eq!(cw(url), Destination::Regional, "{url}");
            assert_eq!(
                check(url, Service::Monitoring, "us-east-1", false, |_| false),
                Ok(())
            );
        }
        for url in [
            "https://monitoring.eu-west-1.amazonaws.com/",
            "https://vpce-0123456789abcdef0-abcdefgh.monitoring.us-east-1.vpce.amazonaws.com/",
        ] {
            assert_eq!(cw(url), Destination::ServiceShaped, "{url}");
        }
        assert_eq!(cw("http://127.0.0.1:4599/"), Destination::Loopback);
        assert!(csp_allows("https://monitoring.eu-west-1.amazonaws.com"));
        assert!(csp_allows("https://monitoring-fips.us-east-1.api.aws"));
        assert!(csp_allows(
            "https://vpce-0123-abcd.monitoring.us-east-1.vpce.amazonaws.com"
        ));
        assert!(!csp_allows("https://logs.us-east-1.amazonaws.com"));
    }

    #[test]
    fn never_across_services_and_no_look_alikes() {
        // Signed for CloudWatch, sent to KMS or CloudHSM: never, confirmed or not.
        for (url, other) in [
            ("https://kms.us-east-1.amazonaws.com/", Service::Kms),
            (
                "https://cloudhsmv2.us-east-1.amazonaws.com/",
                Service::CloudHsm,
            ),
        ] {
            assert!(matches!(
                check(url, Service::Monitoring, "us-east-1", false, |_| true),
                Err(Refusal::WrongService { endpoint_of, .. }) if endpoint_of == other
            ));
        }
        // Signed for KMS, sent to CloudWatch: never.
        assert!(matches!(
            check(
                "https://monitoring.us-east-1.amazonaws.com/",
                Service::Kms,
                "us-east-1",
                false,
                |_| true
            ),
            Err(Refusal::WrongService {
                endpoint_of: Service::Monitoring,
                ..
            })
        ));
        for url in [
            "https://monitoring.us-east-1.amazonaws.com.evil.example/",
            "https://x.monitoring.us-east-1.amazonaws.com/",
            "https://monitoring.example.com/",
            "https://monitoringx.us-east-1.amazonaws.com/",
            "https://monitoring-fips-x.us-east-1.amazonaws.com/",
            "https://notvpce.monitoring.us-east-1.vpce.amazonaws.com/",
            "https://monitoring.us-east-1.vpce.amazonaws.com/",
            "https://logs.us-east-1.amazonaws.com/",
        ] {
            assert!(
                matches!(cw(url), Destination::Foreign { .. }),
                "{url}: {:?}",
                cw(url)
            );
            assert!(
                check(url, Service::Monitoring, "us-east-1", false, |_| false).is_err(),
                "{url}"
            );
            assert!(!csp_allows(url), "{url}");
        }
        assert_eq!(
            cw("http://monitoring.us-east-1.amazonaws.com/"),
            Destination::Invalid
        );
    }
}
