//! Every credential format of `kms-api-notes.md` §6, as users paste them, and malformed
//! variants of each: the right fields, or the right message.

use cks_console::aws::credentials::*;
use cks_console::aws::date::parse_expiration;

const AKID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==";

fn one(text: &str) -> (Format, Credentials) {
    match parse_paste(text) {
        Ok(Pasted::One {
            format,
            credentials,
        }) => (format, credentials),
        other => panic!("expected one set of credentials from {text:?}, got {other:?}"),
    }
}

fn expect(text: &str, format: Format, expiration: Option<&str>) {
    let (f, c) = one(text);
    assert_eq!(f, format, "{text}");
    assert_eq!(c.access_key_id, AKID, "{text}");
    assert_eq!(c.secret_access_key.expose(), SECRET, "{text}");
    assert_eq!(
        c.session_token.as_ref().map(Secret::expose),
        Some(TOKEN),
        "{text}"
    );
    assert_eq!(
        c.expiration_ms,
        expiration.map(|e| parse_expiration(e).unwrap()),
        "{text}"
    );
}

/// (name, text, format, expiration) for every format.
fn formats() -> Vec<(&'static str, String, Format, Option<&'static str>)> {
    vec![
        (
            "sts json",
            format!(
                "{{\n    \"Credentials\": {{\n        \"AccessKeyId\": \"{AKID}\",\n        \"SecretAccessKey\": \"{SECRET}\",\n        \"SessionToken\": \"{TOKEN}\",\n        \"Expiration\": \"2020-05-19T18:06:10+00:00\"\n    }}\n}}"
            ),
            Format::Json,
            Some("2020-05-19T18:06:10+00:00"),
        ),
        (
            "assume-role json",
            format!(
                "{{\"AssumedRoleUser\": {{\"AssumedRoleId\": \"AROA3XFRBF535PLBIFPI4:s3-access-example\", \"Arn\": \"arn:aws:sts::123456789012:assumed-role/x/y\"}}, \"Credentials\": {{\"SecretAccessKey\": \"{SECRET}\", \"SessionToken\": \"{TOKEN}\", \"Expiration\": \"2016-03-15T00:05:07Z\", \"AccessKeyId\": \"{AKID}\"}}}}"
            ),
            Format::Json,
            Some("2016-03-15T00:05:07Z"),
        ),
        (
            "inner credentials object",
            format!(
                "{{ \"AccessKeyId\": \"{AKID}\", \"SecretAccessKey\": \"{SECRET}\", \"SessionToken\": \"{TOKEN}\", \"Expiration\": \"2016-03-15T00:05:07Z\" }}"
            ),
            Format::Json,
            Some("2016-03-15T00:05:07Z"),
        ),
        (
            "sts text",
            format!("CREDENTIALS\t{AKID}\t2020-05-19T18:06:10+00:00\t{SECRET}\t{TOKEN}\n"),
            Format::StsText,
            Some("2020-05-19T18:06:10+00:00"),
        ),
        (
            "export-credentials process",
            format!(
                "{{\n  \"Version\": 1,\n  \"AccessKeyId\": \"{AKID}\",\n  \"SecretAccessKey\": \"{SECRET}\",\n  \"SessionToken\": \"{TOKEN}\",\n  \"Expiration\": \"2024-06-01T12:34:56+00:00\"\n}}"
            ),
            Format::Json,
            Some("2024-06-01T12:34:56+00:00"),
        ),
        (
            "export-credentials env",
            format!(
                "export AWS_ACCESS_KEY_ID={AKID}\nexport AWS_SECRET_ACCESS_KEY={SECRET}\nexport AWS_SESSION_TOKEN={TOKEN}\nexport AWS_CREDENTIAL_EXPIRATION=2024-06-01T12:34:56+00:00\n"
            ),
            Format::ShellExports,
            Some("2024-06-01T12:34:56+00:00"),
        ),
        (
            "export-credentials env-no-export",
            format!(
                "AWS_ACCESS_KEY_ID={AKID}\nAWS_SECRET_ACCESS_KEY={SECRET}\nAWS_SESSION_TOKEN={TOKEN}\nAWS_CREDENTIAL_EXPIRATION=2024-06-01T12:34:56+00:00\n"
            ),
            Format::ShellExports,
            Some("2024-06-01T12:34:56+00:00"),
        ),
        (
            "export-credentials powershell",
            format!(
                "$Env:AWS_ACCESS_KEY_ID=\"{AKID}\"\n$Env:AWS_SECRET_ACCESS_KEY=\"{SECRET}\"\n$Env:AWS_SESSION_TOKEN=\"{TOKEN}\"\n$Env:AWS_CREDENTIAL_EXPIRATION=\"2024-06-01T12:34:56+00:00\"\n"
            ),
            Format::ShellExports,
            Some("2024-06-01T12:34:56+00:00"),
        ),
        (
            "export-credentials windows-cmd",
            format!(
                "set AWS_ACCESS_KEY_ID={AKID}\r\nset AWS_SECRET_ACCESS_KEY={SECRET}\r\nset AWS_SESSION_TOKEN={TOKEN}\r\nset AWS_CREDENTIAL_EXPIRATION=2024-06-01T12:34:56+00:00\r\n"
            ),
            Format::ShellExports,
            Some("2024-06-01T12:34:56+00:00"),
        ),
        (
            "export-credentials fish",
            format!(
                "set -gx AWS_ACCESS_KEY_ID \"{AKID}\"\nset -gx AWS_SECRET_ACCESS_KEY \"{SECRET}\"\nset -gx AWS_SESSION_TOKEN \"{TOKEN}\"\nset -gx AWS_CREDENTIAL_EXPIRATION \"2024-06-01T12:34:56+00:00\"\n"
            ),
            Format::ShellExports,
            Some("2024-06-01T12:34:56+00:00"),
        ),
        (
            "identity center shell",
            format!(
                "export AWS_ACCESS_KEY_ID=\"{AKID}\"\nexport AWS_SECRET_ACCESS_KEY=\"{SECRET}\"\nexport AWS_SESSION_TOKEN=\"{TOKEN}\"\n"
            ),
            Format::ShellExports,
            None,
        ),
        (
            "identity center windows",
            format!(
                "SET AWS_ACCESS_KEY_ID={AKID}\nSET AWS_SECRET_ACCESS_KEY={SECRET}\nSET AWS_SESSION_TOKEN={TOKEN}\n"
            ),
            Format::ShellExports,
            None,
        ),
        (
            "identity center powershell",
            format!(
                "$Env:AWS_ACCESS_KEY_ID=\"{AKID}\"\n$Env:AWS_SECRET_ACCESS_KEY=\"{SECRET}\"\n$Env:AWS_SESSION_TOKEN=\"{TOKEN}\"\n"
            ),
            Format::ShellExports,
            None,
        ),
        (
            "credentials file",
            format!(
                "[default]\naws_access_key_id = {AKID}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
            ),
            Format::CredentialsFile,
            None,
        ),
        (
            "identity center profile",
            format!(
                "[111122223333_AdministratorAccess]\naws_access_key_id={AKID}\naws_secret_access_key={SECRET}\naws_session_token={TOKEN}\n"
            ),
            Format::CredentialsFile,
            None,
        ),
        (
            "legacy aws_security_token",
            format!(
                "[x]\naws_access_key_id={AKID}\naws_secret_access_key={SECRET}\naws_security_token={TOKEN}\n"
            ),
            Format::CredentialsFile,
            None,
        ),
        (
            "legacy AWS_SECURITY_TOKEN",
            format!(
                "export AWS_ACCESS_KEY_ID={AKID}\nexport AWS_SECRET_ACCESS_KEY={SECRET}\nexport AWS_SECURITY_TOKEN={TOKEN}\n"
            ),
            Format::ShellExports,
            None,
        ),
        (
            "sso get-role-credentials",
            format!(
                "{{\"roleCredentials\": {{\"accessKeyId\": \"{AKID}\", \"secretAccessKey\": \"{SECRET}\", \"sessionToken\": \"{TOKEN}\", \"expiration\": 1592362463000}}}}"
            ),
            Format::Json,
            Some("1592362463000"),
        ),
        (
            "instance metadata",
            format!(
                "{{\"Code\": \"Success\", \"LastUpdated\": \"2024-06-01T06:34:56Z\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"{AKID}\", \"SecretAccessKey\": \"{SECRET}\", \"Token\": \"{TOKEN}\", \"Expiration\": \"2024-06-01T12:34:56Z\"}}"
            ),
            Format::Json,
            Some("2024-06-01T12:34:56Z"),
        ),
    ]
}

#[test]
fn every_format_parses() {
    let all = formats();
    assert_eq!(all.len(), 19);
    for (name, text, format, exp) in all {
        eprintln!("format: {name}");
        expect(&text, format, exp);
        // Pasted with surrounding blank lines, CRLF line ends and indentation, it still parses.
        let messy = format!("\n\n  {}  \n", text.replace('\n', "\r\n"));
        expect(&messy, format, exp);
    }
}

#[test]
fn malformed_variants_get_the_right_message() {
    for (name, text, format, _) in formats() {
        // Without the secret: the format is recognised and the secret is named as missing.
        let without_secret: String = text
            .lines()
            .filter(|l| !l.contains(SECRET))
            .collect::<Vec<_>>()
            .join("\n");
        if format == Format::StsText || text.trim_start().starts_with('{') {
            // One line or one JSON object: cut the secret's value instead.
            let cut = text.replacen(SECRET, "", 1);
            let problem = if format == Format::StsText {
                FieldError::StsColumns
            } else {
                FieldError::MissingSecret
            };
            assert_eq!(
                parse_paste(&cut),
                Err(PasteError::Incomplete { format, problem }),
                "{name}"
            );
            continue;
        }
        let err = parse_paste(&without_secret).unwrap_err();
        assert_eq!(
            err,
            PasteError::Incomplete {
                format,
                problem: FieldError::MissingSecret
            },
            "{name}"
        );
        assert!(
            err.to_string().contains("secret access key"),
            "{name}: {err}"
        );
    }
    // A bad expiration is named.
    let bad = format!(
        "{{\"AccessKeyId\": \"{AKID}\", \"SecretAccessKey\": \"{SECRET}\", \"SessionToken\": \"{TOKEN}\", \"Expiration\": \"tomorrow\"}}"
    );
    assert_eq!(
        parse_paste(&bad),
        Err(PasteError::BadExpiration("tomorrow".into()))
    );
    // Truncated JSON, prose, and nothing at all.
    assert_eq!(
        parse_paste(&format!("{{\"AccessKeyId\": \"{AKID}\"")),
        Err(PasteError::Unrecognised)
    );
    assert_eq!(
        parse_paste("hello, these are my keys"),
        Err(PasteError::Unrecognised)
    );
    assert_eq!(parse_paste("  \n "), Err(PasteError::Empty));
    assert!(
        PasteError::Unrecognised
            .to_string()
            .contains("export-credentials")
    );
    // A key with a space inside.
    let spaced = format!(
        "export AWS_ACCESS_KEY_ID=ASIA IOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY={SECRET}\n"
    );
    assert_eq!(
        parse_paste(&spaced),
        Err(PasteError::Incomplete {
            format: Format::ShellExports,
            problem: FieldError::BadAccessKeyId
        })
    );
}

#[test]
fn several_profiles_let_the_user_pick_and_show_the_account() {
    let text = format!(
        "# my credentials\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = {SECRET}\n\n; Identity Center\n[111122223333_AdministratorAccess]\naws_access_key_id={AKID}\naws_secret_access_key={SECRET}\naws_session_token={TOKEN}\n[profile dev]\nregion = eu-west-1\n"
    );
    let Ok(Pasted::Profiles(profiles)) = parse_paste(&text) else {
        panic!()
    };
    let names: Vec<_> = profiles
        .iter()
        .map(|p| (p.name.as_str(), p.account.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("default", None),
            ("111122223333_AdministratorAccess", Some("111122223333"))
        ]
    );
    assert_eq!(
        profiles[1]
            .credentials
            .session_token
            .as_ref()
            .unwrap()
            .expose(),
        TOKEN
    );
}

#[test]
fn warnings() {
    let now = parse_expiration("2024-06-01T12:00:00Z").unwrap();
    let (_, mut c) = one(&format!(
        "{{\"AccessKeyId\": \"{AKID}\", \"SecretAccessKey\": \"{SECRET}\", \"Expiration\": \"2024-06-01T11:00:00Z\"}}"
    ));
    assert_eq!(
        c.warnings(now),
        vec![Warning::TemporaryKeyWithoutToken, Warning::Expired]
    );
    c.access_key_id = "AKIAIOSFODNN7EXAMPLE".into();
    c.expiration_ms = None;
    assert_eq!(c.warnings(now), vec![Warning::LongTermKey]);
}
