//! The command line: where to listen, which scenario, how fast time runs, and the fault flags,
//! which become fault rules like a scenario's.

use crate::faults::{MAX_HANG, Rule};
use crate::scenario::DEFAULT;
use crate::spec::FaultSpec;
use crate::spec::Scenario;
use crate::trust::{Trust, allow_origin_flag};
use std::net::SocketAddr;

pub const USAGE: &str = "usage: kms-emulator [OPTIONS]
  --addr HOST:PORT         where to listen (default 127.0.0.1:4599; port 0 picks a free one). On a
                           non-loopback address any Host header is accepted (on loopback only
                           localhost, *.localhost, 127.x.y.z and [::1], against DNS rebinding)
  --allow-origin ORIGIN    also answer CORS for this origin, e.g. https://console.example (repeatable;
                           loopback origins always are); lifts the Host check. * allows every web
                           page to read the demo credentials and call the emulator: unsafe
  --scenario FILE          stores, credentials and faults (default: the built-in demo scenario)
  --time-scale F           emulated seconds per real second (default 1; 60 runs a 20-minute connect in 20 s)
  --clock-skew-seconds N   shift the emulator's clock by N seconds (its Date header and signature checks)
  --seed N                 seed for fault rates and new store ids (default: from the clock; printed at start)
  --max-connections N      connections served at once; more wait to be accepted (default 1024)
  --account-keys N         fill the account with KMS keys outside any store until it holds N keys
                           (for scans of large accounts; the scenario's own keys are kept)
fault flags (each KMS request; limit them with --fault-operations):
  --throttle-rate P        ThrottlingException with probability P (0..1)
  --throttle-first N       ThrottlingException for the first N requests
  --error-rate P           a 5xx with probability P: KMSInternalException (500) unless --error-status/--error-body say otherwise
  --error-status CODE      the status of those errors (default 500 for json, 502 for text, 503 for html)
  --error-body json|text|html  KMS JSON, a plain-text page or an HTML page (default json)
  --latency-ms MS          add MS milliseconds to every request
  --hang-rate P            with probability P, answer nothing until the client gives up (504 after --hang-seconds)
  --hang-seconds S         how long a hung request is held at most (default 120, also the maximum)
  --malformed-rate P       with probability P, a body that is not the operation's JSON
  --malformed-body truncated|html  cut-off JSON or an HTML page (default truncated)
  --malformed-status CODE  the status of malformed answers (default 200)
  --fault-operations A,B   apply the fault flags only to these operations (e.g. DescribeCustomKeyStores)";

/// Ten years.
const MAX_SKEW_SECONDS: i64 = 10 * 366 * 86_400;

pub struct Args {
    pub addr: SocketAddr,
    pub scenario: Scenario,
    pub time_scale: f64,
    pub skew_seconds: i64,
    pub seed: Option<u64>,
    pub max_connections: usize,
    pub faults: Vec<FaultSpec>,
    /// `--allow-origin` values, as browsers spell origins (or `*`).
    pub allow_origins: Vec<String>,
}

impl Args {
    /// Who may call: the origins and whether `Host` is checked, from the flags and the address.
    pub fn trust(&self) -> Trust {
        Trust::new(&self.allow_origins, self.addr)
    }
}

pub enum Parsed {
    Run(Box<Args>),
    Help,
}

/// The fault flags as given, before they become rules.
#[derive(Default)]
struct Flags {
    throttle_rate: Option<f64>,
    throttle_first: Option<u64>,
    error_rate: Option<f64>,
    error_status: Option<u16>,
    error_body: Option<String>,
    latency_ms: Option<u64>,
    hang_rate: Option<f64>,
    hang_seconds: Option<f64>,
    malformed_rate: Option<f64>,
    malformed_body: Option<String>,
    malformed_status: Option<u16>,
    operations: Vec<String>,
}

impl Flags {
    /// Throttling first (as AWS's front door would), then errors, malformed bodies, hangs.
    fn specs(self) -> Result<Vec<FaultSpec>, String> {
        let base = |kind: &str| FaultSpec {
            kind: kind.to_string(),
            operations: self.operations.clone(),
            ..FaultSpec::default()
        };
        let mut out = Vec::new();
        if let Some(ms) = self.latency_ms.filter(|ms| *ms > 0) {
            out.push(FaultSpec {
                ms: Some(ms),
                ..base("latency")
            });
        }
        if self.throttle_rate.is_some() || self.throttle_first.is_some() {
            out.push(FaultSpec {
                rate: self.throttle_rate,
                first: self.throttle_first,
                ..base("throttle")
            });
        }
        if self.error_rate.is_some() {
            out.push(FaultSpec {
                rate: self.error_rate,
                status: self.error_status,
                body: self.error_body.clone(),
                ..base("error")
            });
        } else if self.error_status.is_some() || self.error_body.is_some() {
            return Err("--error-status and --error-body need --error-rate".into());
        }
        if self.malformed_rate.is_some() {
            out.push(FaultSpec {
                rate: self.malformed_rate,
                status: self.malformed_status,
                body: self.malformed_body.clone(),
                ..base("malformed")
            });
        } else if self.malformed_status.is_some() || self.malformed_body.is_some() {
            return Err("--malformed-status and --malformed-body need --malformed-rate".into());
        }
        if self.hang_rate.is_some() {
            out.push(FaultSpec {
                rate: self.hang_rate,
                seconds: Some(self.hang_seconds.unwrap_or(MAX_HANG.as_secs_f64())),
                ..base("hang")
            });
        } else if self.hang_seconds.is_some() {
            return Err("--hang-seconds needs --hang-rate".into());
        }
        if out.is_empty() && !self.operations.is_empty() {
            return Err("--fault-operations needs a fault flag".into());
        }
        for spec in &out {
            Rule::from_spec(spec, None)?;
        }
        Ok(out)
    }
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    v.parse().map_err(|e| format!("{flag} {v}: {e}"))
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut a = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 4599)),
        scenario: Scenario::parse(DEFAULT)?,
        time_scale: 1.0,
        skew_seconds: 0,
        seed: None,
        max_connections: 1024,
        faults: Vec::new(),
        allow_origins: Vec::new(),
    };
    let mut f = Flags::default();
    let mut account_keys = None;
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(Parsed::Help);
        }
        let v = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let v = v.as_str();
        match flag.as_str() {
            "--addr" => a.addr = number(&flag, v)?,
            "--allow-origin" => a.allow_origins.push(allow_origin_flag(v)?),
            "--scenario" => {
                let text =
                    std::fs::read_to_string(v).map_err(|e| format!("--scenario {v}: {e}"))?;
                a.scenario = Scenario::parse(&text)?;
            }
            "--time-scale" => {
                a.time_scale = number(&flag, v)?;
                if !(a.time_scale > 0.0 && a.time_scale.is_finite()) {
                    return Err("--time-scale must be a positive number".into());
                }
            }
            "--clock-skew-seconds" => {
                a.skew_seconds = number(&flag, v)?;
                // Dates stay within what HTTP dates and SigV4 timestamps can spell.
                if a.skew_seconds.unsigned_abs() > MAX_SKEW_SECONDS.unsigned_abs() {
                    return Err(format!(
                        "--clock-skew-seconds must be within ±{MAX_SKEW_SECONDS}"
                    ));
                }
            }
            "--seed" => a.seed = Some(number(&flag, v)?),
            "--max-connections" => a.max_connections = number(&flag, v)?,
            "--account-keys" => {
                let n: usize = number(&flag, v)?;
                if n > 200_000 {
                    return Err("--account-keys must be at most 200000".into());
                }
                account_keys = Some(n);
            }
            "--throttle-rate" => f.throttle_rate = Some(number(&flag, v)?),
            "--throttle-first" => f.throttle_first = Some(number(&flag, v)?),
            "--error-rate" => f.error_rate = Some(number(&flag, v)?),
            "--error-status" => f.error_status = Some(number(&flag, v)?),
            "--error-body" => f.error_body = Some(v.to_string()),
            "--latency-ms" => f.latency_ms = Some(number(&flag, v)?),
            "--hang-rate" => f.hang_rate = Some(number(&flag, v)?),
            "--hang-seconds" => f.hang_seconds = Some(number(&flag, v)?),
            "--malformed-rate" => f.malformed_rate = Some(number(&flag, v)?),
            "--malformed-body" => f.malformed_body = Some(v.to_string()),
            "--malformed-status" => f.malformed_status = Some(number(&flag, v)?),
            "--fault-operations" => {
                f.operations = v
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    a.faults = f.specs()?;
    if account_keys.is_some() {
        a.scenario.account_keys = account_keys;
    }
    Ok(Parsed::Run(Box::new(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Args, String> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Parsed::Run(a) => Ok(*a),
            Parsed::Help => Err("help".into()),
        }
    }

    #[test]
    fn account_keys_fill_the_scenario_whatever_the_order() {
        for args in [
            &["--account-keys", "300"][..],
            &[
                "--account-keys",
                "300",
                "--scenario",
                "scenarios/default.json",
            ],
        ] {
            let Ok(a) = run(args) else {
                continue; // the relative path: only from the crate's directory
            };
            assert_eq!(a.scenario.account_keys, Some(300));
        }
        assert_eq!(run(&[]).unwrap().scenario.account_keys, None);
    }

    #[test]
    fn defaults_listen_on_loopback() {
        let a = run(&[]).unwrap();
        assert_eq!(a.addr.to_string(), "127.0.0.1:4599");
        assert!(a.faults.is_empty() && a.seed.is_none());
        assert!(a.allow_origins.is_empty() && a.trust().checks_host());
        assert!(matches!(parse(["--help".to_string()]), Ok(Parsed::Help)));
    }

    #[test]
    fn fault_flags_become_rules() {
        let a = run(&[
            "--throttle-first",
            "2",
            "--error-rate",
            "0.5",
            "--error-status",
            "503",
            "--error-body",
            "html",
            "--latency-ms",
            "250",
            "--hang-rate",
            "0.1",
            "--hang-seconds",
            "5",
            "--malformed-rate",
            "0.2",
            "--malformed-body",
            "html",
            "--fault-operations",
            "DescribeCustomKeyStores,ConnectCustomKeyStore",
            "--seed",
            "9",
        ])
        .unwrap();
        let kinds: Vec<&str> = a.faults.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(kinds, ["latency", "throttle", "error", "malformed", "hang"]);
        assert!(a.faults.iter().all(|f| f.operations.len() == 2));
        assert_eq!(a.faults[2].status, Some(503));
        assert_eq!(a.faults[4].seconds, Some(5.0));
        assert_eq!(a.seed, Some(9));
    }

    #[test]
    fn allowed_origins_and_wide_addresses_lift_the_host_check() {
        let a = run(&[
            "--allow-origin",
            "HTTPS://Console.example:443",
            "--allow-origin",
            "http://10.0.0.5:8080",
        ])
        .unwrap();
        assert_eq!(
            a.allow_origins,
            ["https://console.example", "http://10.0.0.5:8080"]
        );
        let t = a.trust();
        assert!(!t.checks_host() && t.origin_allowed("https://console.example"));
        assert!(!t.origin_allowed("https://evil.example"));
        let any = run(&["--allow-origin", "*"]).unwrap().trust();
        assert!(any.any_origin() && any.origin_allowed("https://evil.example"));
        let wide = run(&["--addr", "0.0.0.0:4599"]).unwrap().trust();
        assert!(!wide.checks_host() && !wide.origin_allowed("https://evil.example"));
    }

    #[test]
    fn bad_flags_are_refused() {
        for args in [
            &["--throttle-rate", "1.5"][..],
            &["--error-status", "502"],
            &["--hang-seconds", "3"],
            &["--fault-operations", "DescribeCustomKeyStores"],
            &["--error-rate", "1", "--fault-operations", "GenerateDataKey"],
            &["--account-keys", "200001"],
            &["--account-keys", "many"],
            &["--error-rate", "1", "--error-body", "xml"],
            &["--time-scale", "0"],
            &["--clock-skew-seconds", "99999999999"],
            &["--clock-skew-seconds", "-9223372036854775808"],
            &["--addr", "nowhere"],
            &["--allow-origin", "console.example"],
            &["--allow-origin", "https://console.example/app"],
            &["--allow-origin", "null"],
            &["--allow-origin"],
            &["--latency-ms"],
            &["--colour", "red"],
        ] {
            assert!(run(args).is_err(), "{args:?}");
        }
    }
}
