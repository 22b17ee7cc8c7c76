//! Who may talk to the emulator. It hands out its demo credentials to anyone who asks, so two
//! doors stay shut to web pages:
//!
//! - CORS is answered only for loopback origins (and those given with `--allow-origin`), and a
//!   request that carries any other `Origin` is refused before it does anything: a page on
//!   another site can neither read an answer nor change a store.
//! - A request whose `Host` is not a loopback name is refused (DNS rebinding: a page whose own
//!   name now resolves to 127.0.0.1 is same-origin with the emulator, sends no `Origin` on a GET,
//!   but still names its own host). Binding a non-loopback interface or `--allow-origin` lifts
//!   this check: then the emulator is reached by other names on purpose.
//!
//! A request with no `Origin` (boto3, curl, Node's fetch) is not a browser's cross-origin request
//! and passes; one with no `Host` (HTTP/1.0) too, since browsers always send `Host`.

use http::{HeaderMap, HeaderValue, Uri, header};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

/// An origin as browsers send it: lowercase, `[v6]` in brackets, no default port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub scheme: &'static str,
    pub host: String,
    pub port: Option<u16>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// `host[:port]` (`[v6][:port]` for IPv6), the host lowercased; `None` for anything else
/// (userinfo, a path, an empty label, a bad port).
pub fn authority(s: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = v6.parse().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{ip}]"), port)
    } else {
        let (host, port) = match s.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        };
        let name = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(name))
        {
            return None;
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok().filter(|p| *p != 0)?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// `scheme://host[:port]` with scheme `http` or `https` and nothing after; `null` and every
/// other scheme are `None`.
pub fn parse_origin(s: &str) -> Option<Origin> {
    let (scheme, rest) = s.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => "http",
        "https" => "https",
        _ => return None,
    };
    let (host, port) = authority(rest)?;
    let default = if scheme == "http" { 80 } else { 443 };
    Some(Origin {
        scheme,
        host,
        port: port.filter(|p| *p != default),
    })
}

/// `localhost`, `*.localhost` (RFC 6761 keeps both on loopback), 127.0.0.0/8 and `[::1]`. The
/// host must already be lowercase and bracketed as `authority` leaves it.
pub fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<Ipv6Addr>().ok())
        .is_some_and(|ip| ip.is_loopback())
}

/// Whether an `Origin` header value is a loopback origin (http or https, any port).
pub fn is_loopback_origin(s: &str) -> bool {
    parse_origin(s).is_some_and(|o| is_loopback_host(&o.host))
}

/// Validates an `--allow-origin` value: `*`, or an origin, which comes back as browsers spell
/// it (so `https://Console.example:443` matches the `https://console.example` they send).
pub fn allow_origin_flag(v: &str) -> Result<String, String> {
    if v == "*" {
        return Ok(v.to_string());
    }
    parse_origin(v).map(|o| o.to_string()).ok_or_else(|| {
        format!(
            "--allow-origin {v}: an origin is http(s)://host[:port], with no path (or * for any origin)"
        )
    })
}

/// Why a request was refused (a 403 with this KMS-shaped error).
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

/// The emulator's policy: loopback origins plus `--allow-origin`'s, and whether `Host` is checked.
#[derive(Clone, Debug)]
pub struct Trust {
    origins: Vec<String>,
    any_origin: bool,
    check_host: bool,
}

impl Default for Trust {
    /// Loopback origins only, loopback `Host` only: the emulator on 127.0.0.1 with no flags.
    fn default() -> Self {
        Self {
            origins: Vec::new(),
            any_origin: false,
            check_host: true,
        }
    }
}

impl Trust {
    /// `allow` holds values checked by `allow_origin_flag`; `addr` is where the emulator listens.
    pub fn new(allow: &[String], addr: SocketAddr) -> Self {
        Self {
            origins: allow.iter().filter(|o| *o != "*").cloned().collect(),
            any_origin: allow.iter().any(|o| o == "*"),
            // Asking for other origins, or listening where other machines reach the emulator by
            // their own name for it, means other Host names are expected.
            check_host: allow.is_empty() && addr.ip().is_loopback(),
        }
    }

    pub fn checks_host(&self) -> bool {
        self.check_host
    }

    pub fn any_origin(&self) -> bool {
        self.any_origin
    }

    pub fn origin_allowed(&self, origin: &str) -> bool {
        if self.any_origin {
            return true;
        }
        parse_origin(origin)
            .is_some_and(|o| is_loopback_host(&o.host) || self.origins.contains(&o.to_string()))
    }

    pub fn host_allowed(&self, host: &str) -> bool {
        !self.check_host || authority(host).is_some_and(|(h, _)| is_loopback_host(&h))
    }

    /// Checks a request's `Host` (and an absolute-form target's authority, which HTTP says wins
    /// over `Host`) and its `Origin`. `Ok(Some(origin))` is the origin to echo in
    /// `Access-Control-Allow-Origin`; `Ok(None)` a request with no `Origin`.
    pub fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<Option<HeaderValue>, Refusal> {
        let hosts = headers
            .get_all(header::HOST)
            .iter()
            .map(|h| h.to_str().unwrap_or("\u{fffd}"))
            .chain(uri.authority().map(|a| a.as_str()));
        for host in hosts {
            if !self.host_allowed(host) {
                return Err(Refusal {
                    code: "ForbiddenHostException",
                    message: format!(
                        "Host '{}' is not a loopback name. The emulator answers only requests for localhost, *.localhost, 127.x.y.z or [::1] (any port), so that a web page cannot reach it through DNS rebinding. To accept other names, start it with --allow-origin or listen on a non-loopback --addr.",
                        printable(host)
                    ),
                });
            }
        }
        let mut origins = headers.get_all(header::ORIGIN).iter();
        match (origins.next(), origins.next()) {
            (None, _) => Ok(None),
            (Some(o), None) if o.to_str().is_ok_and(|o| self.origin_allowed(o)) => {
                Ok(Some(o.clone()))
            }
            (Some(o), _) => {
                let o = printable(o.to_str().unwrap_or("\u{fffd}"));
                let hint = match parse_origin(&o) {
                    Some(p) => format!("To allow this one, start it with --allow-origin {p}."),
                    None => "This one is not an http(s)://host[:port] origin: only --allow-origin * would allow it.".to_string(),
                };
                Err(Refusal {
                    code: "ForbiddenOriginException",
                    message: format!(
                        "Origin '{o}' may not call the emulator: it answers web pages only on loopback origins (http or https, localhost, *.localhost, 127.x.y.z or [::1], any port). {hint}"
                    ),
                })
            }
        }
    }
}

/// At most 100 printable ASCII characters of a header, for an error message.
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn loopback_origins() {
        for o in [
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "https://127.255.255.254:1",
            "http://localhost:3000",
            "HTTP://LocalHost",
            "http://foo.localhost",
            "https://a.b.localhost:443",
            "https://[::1]:9",
            "http://[0:0:0:0:0:0:0:1]",
        ] {
            assert!(is_loopback_origin(o), "{o}");
        }
        for o in [
            "null",
            "",
            "https://evil.example",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "http://evil.com#.localhost",
            "http://localhost@evil.com",
            "http://evil.com/.localhost",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1:",
            "http://127.0.0.1:0",
            "http://127.0.0.1:65536",
            "http://localhost.",
            "http://.localhost",
            "ftp://127.0.0.1",
            "chrome-extension://localhost",
            "http://128.0.0.1",
            "http://[::2]",
            "http://[::ffff:127.0.0.1",
            "http://::1",
            "127.0.0.1",
            "http://0x7f.0.0.1",
        ] {
            assert!(!is_loopback_origin(o), "{o}");
        }
    }

    #[test]
    fn origins_are_spelled_as_browsers_send_them() {
        let o = parse_origin("HTTPS://Console.Example:443").unwrap();
        assert_eq!(o.to_string(), "https://console.example");
        assert_eq!(
            parse_origin("http://[0::1]:80").unwrap().to_string(),
            "http://[::1]"
        );
        assert_eq!(
            allow_origin_flag("https://console.example:8443").unwrap(),
            "https://console.example:8443"
        );
        assert_eq!(allow_origin_flag("*").unwrap(), "*");
        for bad in [
            "console.example",
            "https://console.example/",
            "null",
            "https://",
            "**",
        ] {
            assert!(allow_origin_flag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_hosts() {
        let t = Trust::default();
        for h in [
            "127.0.0.1:4599",
            "127.9.9.9",
            "localhost:4599",
            "LOCALHOST",
            "x.localhost:1",
            "[::1]:4599",
            "[::1]",
        ] {
            assert!(t.host_allowed(h), "{h}");
        }
        for h in [
            "evil.example",
            "evil.example:4599",
            "127.0.0.1.nip.io",
            "localhost.evil.com:4599",
            "10.0.0.1:4599",
            "0.0.0.0:4599",
            "",
            "127.0.0.1:4599/x",
            "user@127.0.0.1",
        ] {
            assert!(!t.host_allowed(h), "{h}");
        }
    }

    #[test]
    fn flags_and_addresses_decide() {
        let loopback = Trust::new(&[], addr("127.0.0.1:4599"));
        assert!(loopback.checks_host());
        assert!(!loopback.origin_allowed("https://console.example"));
        assert!(Trust::new(&[], addr("[::1]:0")).checks_host());
        assert!(Trust::new(&[], addr("127.0.0.2:0")).checks_host());

        for any in ["0.0.0.0:4599", "192.168.1.10:4599", "[::]:4599"] {
            let t = Trust::new(&[], addr(any));
            assert!(!t.checks_host() && t.host_allowed("evil.example"), "{any}");
            // Listening widely does not widen CORS.
            assert!(!t.origin_allowed("https://evil.example"), "{any}");
        }

        let t = Trust::new(
            &["https://console.example".to_string()],
            addr("127.0.0.1:4599"),
        );
        assert!(!t.checks_host() && t.host_allowed("console.example"));
        assert!(t.origin_allowed("https://console.example"));
        assert!(t.origin_allowed("http://127.0.0.1:8080"));
        assert!(!t.origin_allowed("http://console.example"));
        assert!(!t.origin_allowed("https://console.example:8443"));
        assert!(!t.origin_allowed("https://evil.example"));

        let t = Trust::new(&["*".to_string()], addr("127.0.0.1:4599"));
        assert!(t.any_origin() && t.origin_allowed("https://evil.example"));
        assert!(t.origin_allowed("null"));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn requests_are_checked_host_first() {
        let t = Trust::default();
        let root: Uri = "/".parse().unwrap();
        assert_eq!(t.check(&headers(&[]), &root), Ok(None));
        assert_eq!(
            t.check(&headers(&[("host", "127.0.0.1:1")]), &root),
            Ok(None)
        );
        let echoed = t.check(
            &headers(&[("host", "127.0.0.1:1"), ("origin", "http://localhost:8080")]),
            &root,
        );
        assert_eq!(echoed.unwrap().unwrap(), "http://localhost:8080");

        let evil_host = t.check(
            &headers(&[
                ("host", "evil.example"),
                ("origin", "http://localhost:8080"),
            ]),
            &root,
        );
        assert_eq!(evil_host.unwrap_err().code, "ForbiddenHostException");
        let evil_origin = t.check(
            &headers(&[("host", "127.0.0.1:1"), ("origin", "https://evil.example")]),
            &root,
        );
        let r = evil_origin.unwrap_err();
        assert_eq!(r.code, "ForbiddenOriginException");
        assert!(r.message.contains("--allow-origin https://evil.example"));
        // Two Host headers or two Origins: every one must pass.
        let two_hosts = headers(&[("host", "127.0.0.1:1"), ("host", "evil.example")]);
        assert!(t.check(&two_hosts, &root).is_err());
        let two_origins = headers(&[
            ("origin", "http://localhost"),
            ("origin", "http://localhost"),
        ]);
        assert!(t.check(&two_origins, &root).is_err());
        // An absolute-form target names the host too.
        let absolute: Uri = "http://evil.example/".parse().unwrap();
        assert!(
            t.check(&headers(&[("host", "127.0.0.1:1")]), &absolute)
                .is_err()
        );
    }
}
