//! Keystore loading, validation messages and the MWS authorisation rules.

use super::*;

const DEV_KEY: &str = "022QF0EXAMPLEH9DHM02";
const TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";

#[test]
fn embedded_default_has_the_documentation_keys() {
    let ks = Keystore::embedded_default();
    assert!(matches!(ks.lookup("AKIAIOSFODNN7EXAMPLE"), KeyState::Active(_)));
    assert!(matches!(ks.lookup("AKIDEXAMPLE"), KeyState::Active(_)));
    assert!(matches!(ks.lookup(DEV_KEY), KeyState::Active(_)));
    assert!(matches!(ks.lookup("AKIANOSUCHKEY"), KeyState::Unknown));
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
    let KeyState::Active(s) = ks.lookup("AKIDEXAMPLE") else { panic!("still active") };
    assert!(s.ct_eq(&SecretKey::new("new")));
    ks.set_key_status("AKIDEXAMPLE", KeyStatus::Inactive).unwrap();
    assert!(matches!(ks.lookup("AKIDEXAMPLE"), KeyState::Inactive));
    ks.set_key_status("AKIDEXAMPLE", KeyStatus::Deleted).unwrap();
    assert!(matches!(ks.lookup("AKIDEXAMPLE"), KeyState::Unknown));
    assert_eq!(ks.rotate_key("NOPE", SecretKey::new("x")), Err(AdminError::UnknownKey("NOPE".into())));
}

/// Each broken file gets a message naming the file, the line and the problem.
#[test]
fn validation_errors_name_file_line_and_key() {
    let cases: &[(&str, &str)] = &[
        ("accounts: [\n", "k.yaml:2:"),
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

#[test]
fn debug_output_never_shows_secrets() {
    let ks = Keystore::embedded_default();
    let shown = format!("{ks:?}");
    for s in ks.secrets() {
        assert!(!s.appears_in(&shown));
    }
}
