//! AWS credentials: the value the signer needs, with the secrets redacted from `Debug`, and the
//! parser for what people paste (STS and SSO JSON, CLI exports, credentials files).

use crate::aws::date::parse_expiration;
use std::fmt;

/// A secret string: never shown by `Debug` or `Display`, read only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Serialised as the raw value: only request bodies serialise secrets (the KMS wire format needs
/// them), and nothing else in the console serialises a `Secret`.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    /// Expiry in epoch milliseconds, when the source said.
    pub expiration_ms: Option<i64>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiration_ms", &self.expiration_ms)
            .finish()
    }
}

/// Why the three fields cannot be used yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    MissingAccessKeyId,
    MissingSecret,
    BadAccessKeyId,
    BadSecret,
    BadToken,
    /// STS text output without its five columns.
    StsColumns,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingAccessKeyId => "Enter an access key ID (it starts with ASIA for temporary credentials).",
            Self::MissingSecret => "Enter the secret access key.",
            Self::BadAccessKeyId => "An access key ID has 16 to 128 letters and digits, with no spaces.",
            Self::BadSecret => "This is not a secret access key: it has spaces or control characters, or is far too long (a secret access key has about 40 characters).",
            Self::BadToken => "This is not a session token: it has spaces or control characters, or is far too long (a session token has at most a few kilobytes).",
            Self::StsColumns => "STS text output has five columns: CREDENTIALS, access key ID, expiration, secret access key and session token.",
        })
    }
}

impl Credentials {
    /// Builds credentials from the three fields as typed, after trimming what copy and paste
    /// adds (whitespace, quotes, CRs), a known cause of `IncompleteSignatureException`.
    pub fn from_fields(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
    ) -> Result<Self, FieldError> {
        let akid = clean(access_key_id);
        let secret = clean(secret_access_key);
        let token = clean(session_token);
        if akid.is_empty() {
            return Err(FieldError::MissingAccessKeyId);
        }
        if !(16..=128).contains(&akid.len()) || !akid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(FieldError::BadAccessKeyId);
        }
        if secret.is_empty() {
            return Err(FieldError::MissingSecret);
        }
        if !printable(&secret) || secret.len() > 256 {
            return Err(FieldError::BadSecret);
        }
        // AWS's session tokens are a few kilobytes at most.
        if !printable(&token) || token.len() > 16 * 1024 {
            return Err(FieldError::BadToken);
        }
        Ok(Self {
            access_key_id: akid,
            secret_access_key: Secret(secret),
            session_token: (!token.is_empty()).then_some(Secret(token)),
            expiration_ms: None,
        })
    }

    /// Warnings to show next to usable credentials, given the current time.
    pub fn warnings(&self, now_ms: i64) -> Vec<Warning> {
        let mut w = Vec::new();
        if self.access_key_id.starts_with("ASIA") && self.session_token.is_none() {
            w.push(Warning::TemporaryKeyWithoutToken);
        }
        if self.access_key_id.starts_with("AKIA") {
            w.push(Warning::LongTermKey);
        }
        if self.expiration_ms.is_some_and(|e| e <= now_ms) {
            w.push(Warning::Expired);
        }
        w
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    TemporaryKeyWithoutToken,
    LongTermKey,
    Expired,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TemporaryKeyWithoutToken => "This is a temporary key (ASIA…) but there is no session token: KMS will reject it. Paste the session token too.",
            Self::LongTermKey => "This is a long-term access key (AKIA…). It works, but temporary credentials are safer in a browser.",
            Self::Expired => "These credentials have expired: get fresh ones and paste them.",
        })
    }
}

fn printable(s: &str) -> bool {
    s.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

/// Trims whitespace, CRs and one pair of matching quotes.
fn clean(s: &str) -> String {
    let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\r');
    let s = ['"', '\'']
        .iter()
        .find_map(|q| s.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
        .unwrap_or(s);
    s.trim().to_string()
}

/// A named set of credentials from a credentials file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// The account id of an IAM Identity Center profile named `[111122223333_Role]`.
    pub account: Option<String>,
    pub credentials: Credentials,
}

/// What a paste yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pasted {
    One {
        format: Format,
        credentials: Credentials,
    },
    /// A credentials file with several profiles: the user picks one.
    Profiles(Vec<Profile>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    StsText,
    ShellExports,
    CredentialsFile,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Json => "JSON credentials",
            Self::StsText => "STS text output",
            Self::ShellExports => "environment variables",
            Self::CredentialsFile => "a credentials file profile",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasteError {
    Empty,
    Unrecognised,
    /// The format was recognised but a field is missing or malformed.
    Incomplete {
        format: Format,
        problem: FieldError,
    },
    BadExpiration(String),
}

pub const ACCEPTED_FORMATS: &str = "STS JSON or text output (get-session-token, assume-role), \
`aws configure export-credentials` (process, env, env-no-export, powershell, windows-cmd, fish), \
a credentials file ([profile] with aws_access_key_id = …), the IAM Identity Center \
\"Command line or programmatic access\" boxes, `aws sso get-role-credentials` JSON, or \
instance-metadata JSON";

impl fmt::Display for PasteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(
                f,
                "Paste credentials here, or type them in the fields below."
            ),
            Self::Unrecognised => write!(
                f,
                "These are not credentials in a format this console knows. Accepted: {ACCEPTED_FORMATS}."
            ),
            Self::Incomplete { format, problem } => {
                write!(f, "Recognised {}, but: {problem}", format.describe())
            }
            Self::BadExpiration(v) => write!(
                f,
                "The expiration \"{v}\" is not a date this console understands (ISO 8601 or epoch milliseconds)."
            ),
        }
    }
}

/// Raw fields found in a paste, before validation.
#[derive(Default)]
struct Found {
    akid: Option<String>,
    secret: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
}

impl Found {
    fn set(&mut self, key: &str, value: String) {
        let key: String = key
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let slot = match key.as_str() {
            "accesskeyid" | "awsaccesskeyid" => &mut self.akid,
            "secretaccesskey" | "awssecretaccesskey" => &mut self.secret,
            "sessiontoken" | "token" | "awssessiontoken" | "awssecuritytoken" | "securitytoken" => {
                &mut self.token
            }
            "expiration" | "awscredentialexpiration" => &mut self.expiration,
            _ => return,
        };
        *slot = Some(value);
    }

    fn any(&self) -> bool {
        self.akid.is_some() || self.secret.is_some() || self.token.is_some()
    }

    fn finish(self, format: Format) -> Result<Credentials, PasteError> {
        let mut c = Credentials::from_fields(
            self.akid.as_deref().unwrap_or(""),
            self.secret.as_deref().unwrap_or(""),
            self.token.as_deref().unwrap_or(""),
        )
        .map_err(|problem| PasteError::Incomplete { format, problem })?;
        if let Some(e) = self
            .expiration
            .as_deref()
            .map(clean)
            .filter(|e| !e.is_empty())
        {
            c.expiration_ms = Some(parse_expiration(&e).ok_or(PasteError::BadExpiration(e))?);
        }
        Ok(c)
    }
}

/// Parses whatever the user pasted.
pub fn parse_paste(text: &str) -> Result<Pasted, PasteError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(PasteError::Empty);
    }
    if text.starts_with('{') {
        return parse_json(text);
    }
    if text.lines().any(|l| l.trim_start().starts_with('[')) {
        return parse_ini(text);
    }
    if let Some(line) = text
        .lines()
        .find(|l| l.trim_start().starts_with("CREDENTIALS"))
    {
        return parse_sts_text(line);
    }
    let mut found = Found::default();
    for line in text.lines() {
        if let Some((k, v)) = shell_assignment(line) {
            found.set(&k, clean(&v));
        }
    }
    if found.any() {
        let credentials = found.finish(Format::ShellExports)?;
        return Ok(Pasted::One {
            format: Format::ShellExports,
            credentials,
        });
    }
    Err(PasteError::Unrecognised)
}

fn parse_json(text: &str) -> Result<Pasted, PasteError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|_| PasteError::Unrecognised)?;
    // STS (`Credentials`), SSO (`roleCredentials`), or the object itself.
    let obj = ["Credentials", "roleCredentials"]
        .iter()
        .find_map(|k| v.get(k))
        .unwrap_or(&v);
    let map = obj.as_object().ok_or(PasteError::Unrecognised)?;
    let mut found = Found::default();
    for (k, val) in map {
        let s = match val {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => continue,
        };
        found.set(k, s);
    }
    if !found.any() {
        return Err(PasteError::Unrecognised);
    }
    let credentials = found.finish(Format::Json)?;
    Ok(Pasted::One {
        format: Format::Json,
        credentials,
    })
}

/// `CREDENTIALS<TAB>AccessKeyId<TAB>Expiration<TAB>SecretAccessKey<TAB>SessionToken`.
fn parse_sts_text(line: &str) -> Result<Pasted, PasteError> {
    let cols: Vec<&str> = line.split_whitespace().collect();
    let format = Format::StsText;
    if cols.len() != 5 {
        return Err(PasteError::Incomplete {
            format,
            problem: FieldError::StsColumns,
        });
    }
    let found = Found {
        akid: Some(cols[1].to_string()),
        expiration: Some(cols[2].to_string()),
        secret: Some(cols[3].to_string()),
        token: Some(cols[4].to_string()),
    };
    Ok(Pasted::One {
        format,
        credentials: found.finish(format)?,
    })
}

fn parse_ini(text: &str) -> Result<Pasted, PasteError> {
    let mut sections: Vec<(String, Found)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            let name = name.strip_prefix("profile ").unwrap_or(name).trim();
            sections.push((name.to_string(), Found::default()));
        } else if let (Some((k, v)), Some((_, found))) = (line.split_once('='), sections.last_mut())
        {
            found.set(k.trim(), clean(v));
        }
    }
    let format = Format::CredentialsFile;
    let mut profiles = Vec::new();
    let mut first_error = None;
    for (name, found) in sections.into_iter().filter(|(_, f)| f.any()) {
        match found.finish(format) {
            Ok(credentials) => profiles.push(Profile {
                account: account_of(&name),
                name,
                credentials,
            }),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match profiles.len() {
        0 => Err(first_error.unwrap_or(PasteError::Unrecognised)),
        1 => {
            let p = profiles.remove(0);
            Ok(Pasted::One {
                format,
                credentials: p.credentials,
            })
        }
        _ => Ok(Pasted::Profiles(profiles)),
    }
}

/// IAM Identity Center names its profiles `<12-digit account>_<PermissionSet>`.
fn account_of(profile: &str) -> Option<String> {
    let (account, role) = profile.split_once('_')?;
    (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) && !role.is_empty())
        .then(|| account.to_string())
}

/// One shell line: `export K=V`, `K=V`, `set K=V`, `SET K=V`, `$Env:K="V"`, `set -gx K "V"`.
fn shell_assignment(line: &str) -> Option<(String, String)> {
    let line = line.trim().trim_end_matches(';');
    let lower = line.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("set -gx ").map(|_| &line[8..]) {
        let (k, v) = rest.trim().split_once(char::is_whitespace)?;
        return Some((k.to_string(), v.to_string()));
    }
    let rest = if lower.starts_with("export ") {
        &line[7..]
    } else if lower.starts_with("set ") {
        &line[4..]
    } else if lower.starts_with("$env:") {
        &line[5..]
    } else {
        line
    };
    let (k, v) = rest.split_once('=')?;
    let k = k.trim();
    k.to_ascii_uppercase()
        .starts_with("AWS_")
        .then(|| (k.to_string(), v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::date::parse_iso8601;

    #[test]
    fn debug_never_shows_secrets() {
        let c =
            Credentials::from_fields("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG", "IQoJtoken")
                .unwrap();
        let d = format!("{c:?}");
        assert!(d.contains("ASIAIOSFODNN7EXAMPLE"));
        assert!(!d.contains("wJalr") && !d.contains("IQoJ"), "{d}");
    }

    #[test]
    fn process_json_parses() {
        let text = r#"{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "s3cr3t/KEY", "SessionToken": "tok==", "Expiration": "2024-06-01T12:34:56+00:00"}"#;
        let Ok(Pasted::One { credentials, .. }) = parse_paste(text) else {
            panic!()
        };
        assert_eq!(credentials.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(credentials.session_token.unwrap().expose(), "tok==");
        assert_eq!(
            credentials.expiration_ms,
            parse_iso8601("2024-06-01T12:34:56Z")
        );
    }
}
