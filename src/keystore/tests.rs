//! Keystore loading, validation messages and the MWS authorisation rules.

use super::*;
use crate::clock::UtcTime;

const DEV_KEY: &str = "022QF0EXAMPLEH9DHM02";
const TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";

#[test]
fn embedded_default_has_the_documentation_keys() {
    let ks = Keystore::embedded_default();
    for f in Family::ALL {
        let keys = ks.family(f);
        assert!(matches!(keys.lookup("AKIDEXAMPLE"), KeyState::Active(_)));
        assert!(matches!(keys.lookup(DEV_KEY), KeyState::Active(_)));
        assert!(matches!(keys.lookup("AKIANOSUCHKEY"), KeyState::Unknown));
    }
    assert_eq!(ks.account_for_key("AKIAIOSFODNN7EXAMPLE").unwrap().associate_tags["us"], "mytag-20");
    assert_eq!(ks.seller("A1ExampleE6").unwrap().marketplaces, ["ATVPDKIKX0DER"]);
}

#[test]
fn mws_authorization_rules() {
    let mut ks = Keystore::embedded_default();
    assert_eq!(
        ks.mws_authorization("A1ExampleE6", DEV_KEY, Some(TOKEN)),
        MwsAuthorization::Delegated { developer_id: "1234-3214-4321".into() }
    );
    assert_eq!(ks.mws_authorization("A1ExampleE6", DEV_KEY, None), MwsAuthorization::MissingToken);
    assert_eq!(ks.mws_authorization("A1ExampleE6", DEV_KEY, Some("amzn.mws.other")), MwsAuthorization::WrongToken);
    assert_eq!(
        ks.mws_authorization("A1ExampleE6", "AKIAOTHERDEVEXAMPLE0", Some(TOKEN)),
        MwsAuthorization::NotAuthorized
    );
    assert_eq!(ks.mws_authorization("A9NOSELLER", DEV_KEY, Some(TOKEN)), MwsAuthorization::UnknownSeller);
    ks.revoke("A1ExampleE6", "1234-3214-4321").unwrap();
    assert_eq!(ks.mws_authorization("A1ExampleE6", DEV_KEY, Some(TOKEN)), MwsAuthorization::NotAuthorized);
    ks.authorize("A1ExampleE6", "9999-8888-7777", "amzn.mws.new-token").unwrap();
    assert_eq!(
        ks.mws_authorization("A1ExampleE6", "AKIAOTHERDEVEXAMPLE0", Some("amzn.mws.new-token")),
        MwsAuthorization::Delegated { developer_id: "9999-8888-7777".into() }
    );
    assert_eq!(ks.authorize("A1ExampleE6", "0000", "amzn.mws.x"), Err(AdminError::UnknownDeveloper("0000".into())));
}

#[test]
fn seller_own_account_needs_no_token() {
    let ks = Keystore::from_yaml_str(
        "accounts:\n  - name: shop\n    access_keys:\n      - {id: AKIASHOP, secret: s}\nsellers:\n  - seller_id: A2SHOP\n    account: shop\n",
        "t.yaml",
    )
    .unwrap();
    assert_eq!(ks.mws_authorization("A2SHOP", "AKIASHOP", None), MwsAuthorization::Own);
}

#[test]
fn rotation_and_status_changes_take_effect_at_once() {
    let mut ks = Keystore::embedded_default();
    ks.rotate_key("AKIDEXAMPLE", SecretKey::new("new")).unwrap();
    let KeyState::Active(s) = ks.family(Family::Aws).lookup("AKIDEXAMPLE") else { panic!("still active") };
    assert!(s.ct_eq(&SecretKey::new("new")));
    ks.set_key_status("AKIDEXAMPLE", KeyStatus::Inactive).unwrap();
    assert!(matches!(ks.family(Family::Aws).lookup("AKIDEXAMPLE"), KeyState::Inactive));
    ks.set_key_status("AKIDEXAMPLE", KeyStatus::Deleted).unwrap();
    assert!(matches!(ks.family(Family::Aws).lookup("AKIDEXAMPLE"), KeyState::Unknown));
    // A reset replaces every family's secret, also of a key with one per family.
    ks.rotate_key("AKIAIOSFODNN7EXAMPLE", SecretKey::new("reset")).unwrap();
    for f in Family::ALL {
        let KeyState::Active(s) = ks.family(f).lookup("AKIAIOSFODNN7EXAMPLE") else { panic!("{f:?}") };
        assert!(s.ct_eq(&SecretKey::new("reset")));
    }
    assert_eq!(ks.rotate_key("NOPE", SecretKey::new("x")), Err(AdminError::UnknownKey("NOPE".into())));
}

/// Each broken file gets a message naming the file, the line and the problem.
#[test]
fn validation_errors_name_file_line_and_key() {
    let cases: &[(&str, &str)] = &[
        ("accounts: [\n", "k.yaml:1:"),
        ("accounts:\n  - name: a\n    acess_keys: []\n", "k.yaml:3:"),
        (
            "accounts:\n  - name: a\n    access_keys:\n      - {id: AKIA1, secret: s}\n  - name: b\n    access_keys:\n      - {id: AKIA1, secret: t}\n",
            "k.yaml:7: duplicate access key id 'AKIA1'",
        ),
        ("accounts:\n  - name: a\n    access_keys:\n      - {id: AKIA1, secret: ''}\n", "k.yaml:4: access key 'AKIA1' has an empty secret"),
        ("accounts:\n  - name: a\n    associate_tags:\n      zz: t-20\n", "k.yaml:4: account 'a': unknown PA-API locale 'zz'"),
        (
            "sellers:\n  - seller_id: S1\n    authorizations:\n      - {developer_id: '1-2', mws_auth_token: amzn.mws.x}\n",
            "k.yaml:4: seller 'S1' authorises developer '1-2', which no account has",
        ),
        ("accounts:\n  - name: a\n    access_keys:\n      - {id: AKIA1, secret: s, status: paused}\n", "k.yaml:4:"),
        ("accounts:\n  - name: a\n    access_keys:\n      - {id: 'AK IA', secret: s}\n", "k.yaml:4: access key id 'AK IA'"),
    ];
    for (text, want) in cases {
        let err = Keystore::from_yaml_str(text, "k.yaml").unwrap_err().to_string();
        assert!(err.starts_with(want), "{text:?}\n  got:  {err}\n  want: {want}…");
    }
    let unknown_key =
        Keystore::from_yaml_str("accounts:\n  - name: a\n    acess_keys: []\n", "k.yaml").unwrap_err().to_string();
    assert!(unknown_key.contains("unknown field `acess_keys`"), "{unknown_key}");
}

/// Hostile keystore files: each is refused with the file, the line and the problem.
#[test]
fn hostile_files_are_refused_with_file_and_line() {
    let dup =
        "accounts:\n  - name: a\n    access_keys:\n      - {id: AKIA1, secret: s}\n      - {id: AKIA1, secret: t}\n";
    let cases: &[(&str, &str, &str)] = &[
        ("syntax: unclosed flow", "accounts: [\n", "k.yaml:1: did not find expected node content"),
        ("syntax: bad indentation", "accounts:\n  - name: a\n   access_keys: []\n", "k.yaml:3:"),
        ("syntax: tab indentation", "accounts:\n\t- name: a\n", "k.yaml:2:"),
        ("unknown top-level key", "acounts: []\n", "k.yaml:1: unknown field `acounts`"),
        ("unknown key in a key", "accounts:\n  - name: a\n    access_keys:\n      - {id: A1, secret: s, role: x}\n", "k.yaml:4:"),
        ("duplicate access key id", dup, "k.yaml:5: duplicate access key id 'AKIA1'"),
        ("wrong type: accounts a map", "accounts: {a: 1}\n", "k.yaml:1: accounts: invalid type: map, expected a sequence"),
        ("wrong type: keys a string", "accounts:\n  - name: a\n    access_keys: none\n", "k.yaml:3: accounts[0].access_keys: invalid type: string"),
        ("secret missing", "accounts:\n  - name: a\n    access_keys:\n      - {id: AKIA1}\n", "k.yaml:4: access key 'AKIA1' has no secret: give 'secret' (every service) or 'secrets' with any of paapi, mws, aws"),
        ("empty file", "", "k.yaml: the keystore is empty"),
        ("only a comment", "# nothing\n", "k.yaml: the keystore is empty"),
        (
            "seller authorises an unknown developer",
            "sellers:\n  - seller_id: S1\n    authorizations:\n      - {developer_id: '1-2', mws_auth_token: amzn.mws.x}\n",
            "k.yaml:4: seller 'S1' authorises developer '1-2'",
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, want) in cases {
        match Keystore::from_yaml_str(text, "k.yaml") {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) => {
                let err = e.to_string();
                if !err.starts_with(want) || err.contains(" at line ") {
                    failures.push(format!("{name}:\n  got:  {err}\n  want: {want}…"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Syntax errors (serde_yaml's position) and validation errors (a search of the text)
/// count lines the same way, whatever the line breaks.
#[test]
fn syntax_and_validation_lines_agree_across_line_breaks() {
    for br in ["\n", "\r\n", "\r"] {
        // Line 5 holds the problem in both files.
        let syntax =
            ["accounts:", "  - name: a", "    access_keys:", "      - {id: AKIA1, secret: s}", "    bogus: [", ""]
                .join(br);
        let dup = [
            "accounts:",
            "  - name: a",
            "    access_keys:",
            "      - {id: AKIA1, secret: s}",
            "      - {id: AKIA1, secret: t}",
            "",
        ]
        .join(br);
        let e1 = Keystore::from_yaml_str(&syntax, "k.yaml").unwrap_err();
        let e2 = Keystore::from_yaml_str(&dup, "k.yaml").unwrap_err();
        assert_eq!((e1.line, e2.line), (Some(5), Some(5)), "{br:?}: {e1} / {e2}");
    }
    // NEL inside a value is not a line break for an editor, nor for the count.
    let nel = "accounts:\n  - name: \"a\u{85}b\"\n    access_keys:\n      - {id: AKIA1, secret: s}\n      - {id: AKIA1, secret: t}\n";
    assert_eq!(Keystore::from_yaml_str(nel, "k.yaml").unwrap_err().line, Some(5));
    let nel_syntax = "accounts:\n  - name: \"a\u{85}b\"\n    bogus: [\n";
    assert_eq!(Keystore::from_yaml_str(nel_syntax, "k.yaml").unwrap_err().line, Some(3));
    // An error at the end of the file names the last line, not the one after it.
    let eof = "accounts:\n  - name: a\n    access_keys: [\n";
    assert_eq!(Keystore::from_yaml_str(eof, "k.yaml").unwrap_err().line, Some(3));
}

#[test]
fn line_helpers() {
    assert_eq!(file::line_of_index("", 0), 1);
    assert_eq!(file::line_of_index("a\r\nb", 3), 2);
    assert_eq!(file::line_of_index("a\r\nb", 2), 1, "the LF of a CRLF ends line 1");
    assert_eq!(file::line_of_index("a\rb\n", 99), 2);
    assert_eq!(file::find_line("x\ry\r\nz", "z", 0), Some(3));
    assert_eq!(
        file::without_location("bad at line 3 column 5, while parsing a map at line 1 column 1"),
        "bad, while parsing a map"
    );
    assert_eq!(file::without_location("look at line x"), "look at line x");
}

#[test]
fn debug_output_never_shows_secrets() {
    let ks = Keystore::embedded_default();
    let shown = format!("{ks:?}");
    for s in ks.secrets() {
        assert!(!s.appears_in(&shown));
    }
}

const STS_KEY: &str = "ASIAIOSFODNN7EXAMPLE";
const STS_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

fn at(t: &str) -> UtcTime {
    UtcTime::parse_iso8601(t).unwrap()
}

/// The embedded temporary credential needs its own token; the long-term keys take none.
#[test]
fn session_tokens_of_the_embedded_keystore() {
    let ks = Keystore::embedded_default();
    let now = at("2014-08-18T12:00:00Z");
    let key = ks.key(STS_KEY).unwrap();
    assert!(key.is_temporary() && key.expires().is_none());
    assert!(matches!(ks.family(Family::Aws).lookup(STS_KEY), KeyState::Active(_)));
    let cases: &[(&str, Option<&str>, SessionCheck)] = &[
        (STS_KEY, Some(STS_TOKEN), SessionCheck::Valid),
        (STS_KEY, None, SessionCheck::MissingToken),
        (STS_KEY, Some(""), SessionCheck::MissingToken),
        (STS_KEY, Some(&STS_TOKEN[..STS_TOKEN.len() - 1]), SessionCheck::WrongToken),
        (STS_KEY, Some("AQoDYXdzEPT//////////wEXAMPLEother"), SessionCheck::WrongToken),
        ("AKIDEXAMPLE", None, SessionCheck::LongTerm),
        ("AKIDEXAMPLE", Some(STS_TOKEN), SessionCheck::UnexpectedToken),
        ("AKIAIOSFODNN7EXAMPLE", Some("x"), SessionCheck::UnexpectedToken),
        ("AKIANOSUCHKEY", Some(STS_TOKEN), SessionCheck::UnknownKey),
    ];
    for (id, token, want) in cases {
        assert_eq!(ks.session(id, *token, now), *want, "{id} {:?}", token.map(str::len));
    }
    assert!(SessionCheck::Valid.is_ok() && SessionCheck::LongTerm.is_ok());
    assert!(!SessionCheck::Expired.is_ok() && !SessionCheck::WrongToken.is_ok());
}

/// `expires` is checked against the caller's clock, and only once the token is right.
#[test]
fn session_expiry_is_checked_against_the_clock() {
    let ks = Keystore::from_yaml_str(
        "accounts:\n  - name: role\n    access_keys:\n      - id: ASIATEMP\n        secret: s\n        session_token: \
         tok/en+1==\n        expires: 2030-01-01T00:00:00Z\n",
        "t.yaml",
    )
    .unwrap();
    assert_eq!(ks.key("ASIATEMP").unwrap().expires(), Some(at("2030-01-01T00:00:00Z")));
    assert_eq!(ks.session("ASIATEMP", Some("tok/en+1=="), at("2029-12-31T23:59:59Z")), SessionCheck::Valid);
    assert_eq!(ks.session("ASIATEMP", Some("tok/en+1=="), at("2030-01-01T00:00:00Z")), SessionCheck::Expired);
    assert_eq!(ks.session("ASIATEMP", Some("tok/en+1="), at("2031-01-01T00:00:00Z")), SessionCheck::WrongToken);
    assert_eq!(ks.session("ASIATEMP", None, at("2031-01-01T00:00:00Z")), SessionCheck::MissingToken);
}

/// Broken session entries name the file and line, and never quote the token.
#[test]
fn session_validation_errors_name_the_line_not_the_token() {
    let key = |extra: &str| {
        format!("accounts:\n  - name: a\n    access_keys:\n      - id: ASIA1\n        secret: s\n{extra}")
    };
    let cases = [
        (key("        session_token: ''\n"), "k.yaml:4: access key 'ASIA1': session_token must be non-empty"),
        (key("        session_token: 'SeCrEt tok'\n"), "k.yaml:6: access key 'ASIA1': session_token must be non-empty"),
        (key("        session_token: 'SeCrEt&tok'\n"), "k.yaml:6: access key 'ASIA1': session_token must be non-empty"),
        (
            key("        session_token: \"SeCrEt\\ttok\"\n"),
            "k.yaml:4: access key 'ASIA1': session_token must be non-empty",
        ),
        (
            key("        expires: 2030-01-01T00:00:00Z\n"),
            "k.yaml:6: access key 'ASIA1': 'expires' needs a session_token",
        ),
        (
            key("        session_token: SeCrEttok\n        expires: next-tuesday\n"),
            "k.yaml:7: access key 'ASIA1': expires 'next-tuesday' is not an ISO 8601 time",
        ),
        (key("        session_token: [SeCrEt]\n"), "k.yaml:6: accounts[0].access_keys[0].session_token: invalid type"),
        (key("        sesion_token: SeCrEt\n"), "k.yaml:6: accounts[0].access_keys[0]: unknown field `sesion_token`"),
    ];
    for (text, want) in &cases {
        let err = Keystore::from_yaml_str(text, "k.yaml").unwrap_err().to_string();
        assert!(err.starts_with(want), "{text:?}\n  got:  {err}\n  want: {want}…");
        assert!(!err.contains("SeCrEt"), "the token leaks: {err}");
    }
}

#[test]
fn debug_output_never_shows_session_tokens() {
    let ks = Keystore::embedded_default();
    let shown = format!("{ks:?} {:?}", ks.key(STS_KEY));
    assert_eq!(ks.session_tokens().count(), 1);
    for t in ks.session_tokens() {
        assert!(!t.appears_in(&shown), "{shown}");
    }
    assert!(shown.contains("SessionToken(<redacted>)"));
    assert!(!shown.contains("AQoDYXdzEPT"));
}

/// The documentation key signs PA-API with the PA-API guide's secret and AWS with the AWS
/// docs' (default.yaml cites both); MWS keeps the PA-API one.
#[test]
fn one_key_has_a_secret_per_family() {
    let ks = Keystore::embedded_default();
    let secret = |f| match ks.family(f).lookup("AKIAIOSFODNN7EXAMPLE") {
        KeyState::Active(s) => Some(s.clone()),
        _ => None,
    };
    assert!(secret(Family::Paapi).unwrap().ct_eq(&SecretKey::new("1234567890")));
    assert!(secret(Family::Aws).unwrap().ct_eq(&SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")));
    assert!(secret(Family::Mws).unwrap().ct_eq(&SecretKey::new("1234567890")));
}

/// `secret` and `secrets` are strict: exactly one of them, only the three families, no
/// empty secret; each refusal names the line and the key.
#[test]
fn per_family_secrets_are_strict() {
    let file = |key: &str| format!("accounts:\n  - name: a\n    access_keys:\n      - id: AKIAX\n{key}");
    let cases: &[(&str, &str)] = &[
        ("        secret: s\n        secrets: {aws: t}\n", "t.yaml:4: access key 'AKIAX' has both 'secret' and 'secrets': give one"),
        ("        status: active\n", "t.yaml:4: access key 'AKIAX' has no secret: give 'secret' (every service) or 'secrets' with any of paapi, mws, aws"),
        ("        secrets: {}\n", "t.yaml:4: access key 'AKIAX' has no secret: give 'secret' (every service) or 'secrets' with any of paapi, mws, aws"),
        ("        secrets: {aws: \"\"}\n", "t.yaml:4: access key 'AKIAX' has an empty secret"),
        ("        secrets: {s3: t}\n", "unknown field `s3`, expected one of `paapi`, `mws`, `aws`"),
    ];
    for (key, want) in cases {
        let e = Keystore::from_yaml_str(&file(key), "t.yaml").unwrap_err().to_string();
        assert!(e.contains(want), "{key:?}: {e}");
        assert!(!e.contains(": t ") && !e.ends_with(": t"), "{e}");
    }
    let ks = Keystore::from_yaml_str(&file("        secrets: {mws: m, aws: a}\n"), "t.yaml").unwrap();
    assert!(matches!(ks.family(Family::Paapi).lookup("AKIAX"), KeyState::Unknown));
    assert!(matches!(ks.family(Family::Mws).lookup("AKIAX"), KeyState::Active(s) if s.ct_eq(&SecretKey::new("m"))));
    assert!(matches!(ks.family(Family::Aws).lookup("AKIAX"), KeyState::Active(s) if s.ct_eq(&SecretKey::new("a"))));
    assert_eq!(ks.secrets().count(), 2);
}
