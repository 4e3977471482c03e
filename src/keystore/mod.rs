//! The keystore: accounts with their access keys (active, inactive, deleted) and secrets,
//! PA-API Associate tags per locale, MWS developer ids, and MWS sellers with the developers
//! they have authorised (and the MWSAuthToken of each authorisation).
//!
//! Loaded from YAML (`file.rs` holds the DTOs), validated into [`Keystore`]; errors name
//! the file, the line and the key. Parsing text is pure ([`Keystore::from_yaml_str`]);
//! [`Keystore::load_file`] is the one function that reads a file. An embedded default
//! ([`Keystore::embedded_default`], `default.yaml`) carries Amazon's documentation keys.
//!
//! MWS authorisation model (MWS Developer Guide, "Required request parameters":
//! `MWSAuthToken` "represents the authorization of a specific developer by a specific
//! seller"): a request signed with a developer's key for a seller is allowed when the
//! seller has authorised that developer and the token matches, or when the key belongs to
//! the seller's own account.
//!
//! Temporary credentials (AWS STS; IAM User Guide, "Using temporary credentials with AWS
//! resources": requests carry the session token as `X-Amz-Security-Token`): an access key
//! with a `session_token` (and optionally `expires`) is temporary. [`Keystore::session`]
//! judges the token a request sent: a temporary key needs its own token, a long-term key
//! takes none, and an expired credential is refused even with the right token. Tokens are
//! held as [`SessionToken`]s (redacted, compared in constant time).
//!
//! Secrets per service family: Amazon's documentation signs one access key id,
//! `AKIAIOSFODNN7EXAMPLE`, with two secrets (`1234567890` in the PA-API guide,
//! `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` in the AWS SigV2 and S3 documentation). A
//! key has either one `secret:` (every family) or `secrets:` with any of `paapi`, `mws`,
//! `aws` ([`Family`]); a family it leaves out does not know the key. The service that
//! handles a request names its family, and [`Keystore::family`] is the
//! [`SecretLookup`] its verifier is given.

mod file;

use crate::clock::UtcTime;
use crate::crypto::{KeyState, SecretLookup};
use crate::crypto::{SecretKey, SessionToken};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

/// PA-API locale codes an Associate tag may be registered for.
pub const PAAPI_LOCALES: &[&str] = &["us", "ca", "uk", "de", "fr", "it", "es", "jp", "in", "br", "mx", "au", "cn"];

/// State of an access key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// May sign requests.
    Active,
    /// Exists, refused as inactive.
    Inactive,
    /// Gone: refused as unknown.
    Deleted,
}

/// An account (a PA-API associate, an MWS developer, or both).
#[derive(Debug, Clone)]
pub struct Account {
    /// Unique name.
    pub name: String,
    /// PA-API locale code → Associate tag.
    pub associate_tags: BTreeMap<String, String>,
    /// MWS developer id, when the account is an MWS developer.
    pub mws_developer_id: Option<String>,
}

/// The service families a key may have a secret for (the `secrets:` keys of a keystore
/// file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Product Advertising API (4.x SigV2 and 5.0 SigV4).
    Paapi,
    /// Amazon MWS.
    Mws,
    /// AWS services (the generic SigV4 endpoint and the SigV2 Query APIs).
    Aws,
}

impl Family {
    /// Every family, in the order of a key's secrets.
    pub const ALL: [Family; 3] = [Family::Paapi, Family::Mws, Family::Aws];

    /// The name in keystore files (`paapi`, `mws`, `aws`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Paapi => "paapi",
            Family::Mws => "mws",
            Family::Aws => "aws",
        }
    }

    /// The family named `name` (see [`Family::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// An access key and its secret (one per [`Family`] at most).
#[derive(Debug, Clone)]
pub struct AccessKey {
    /// The access key id.
    pub id: String,
    /// Index of the owning account.
    account: usize,
    secrets: [Option<SecretKey>; 3],
    /// Its state.
    pub status: KeyStatus,
    /// The session token and expiry of a temporary credential (`None`: a long-term key).
    session: Option<Session>,
}

impl AccessKey {
    /// True for temporary credentials (a key that needs a session token).
    pub fn is_temporary(&self) -> bool {
        self.session.is_some()
    }

    /// When a temporary credential stops working (`None`: never, or a long-term key).
    pub fn expires(&self) -> Option<UtcTime> {
        self.session.as_ref().and_then(|s| s.expires)
    }
}

/// A temporary credential's token and expiry.
#[derive(Debug, Clone)]
struct Session {
    token: SessionToken,
    expires: Option<UtcTime>,
}

/// The verdict on the session token a request carried (`X-Amz-Security-Token`), for a key
/// that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// A long-term key and no token: fine.
    LongTerm,
    /// A temporary key with its own token, not expired: fine.
    Valid,
    /// A temporary key without a token.
    MissingToken,
    /// A long-term key with a token.
    UnexpectedToken,
    /// A temporary key with another token.
    WrongToken,
    /// A temporary key with its token, past `expires`.
    Expired,
    /// No such key (the signature check reports it).
    UnknownKey,
}

impl SessionCheck {
    /// True when the request may go on.
    pub fn is_ok(self) -> bool {
        matches!(self, Self::LongTerm | Self::Valid | Self::UnknownKey)
    }
}

/// An MWS seller.
#[derive(Debug, Clone)]
pub struct Seller {
    /// `SellerId` / `Merchant`.
    pub seller_id: String,
    /// Display name.
    pub name: String,
    /// MarketplaceIds the seller participates in.
    pub marketplaces: Vec<String>,
    /// The seller's own account (its keys need no MWSAuthToken).
    account: Option<usize>,
    /// Developers the seller has authorised.
    pub authorizations: Vec<Authorization>,
}

/// A seller's authorisation of a developer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The developer's MWS developer id.
    pub developer_id: String,
    /// The token the developer must send.
    pub mws_auth_token: String,
}

/// The answer to "may this key act for this seller with this token?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MwsAuthorization {
    /// The key belongs to the seller's own account.
    Own,
    /// An authorised developer with the right token.
    Delegated {
        /// The developer's id.
        developer_id: String,
    },
    /// No such seller.
    UnknownSeller,
    /// The key's account is not a developer the seller has authorised.
    NotAuthorized,
    /// Authorised developer, but no MWSAuthToken was sent.
    MissingToken,
    /// Authorised developer, but the MWSAuthToken is not the seller's token for it.
    WrongToken,
}

/// The validated keystore.
#[derive(Debug, Clone)]
pub struct Keystore {
    accounts: Vec<Account>,
    keys: HashMap<String, AccessKey>,
    sellers: BTreeMap<String, Seller>,
    origin: String,
}

impl Keystore {
    /// The embedded default keystore (Amazon's documentation example credentials).
    ///
    /// # Panics
    ///
    /// Never in a tested build: a unit test loads the embedded file.
    ///
    /// ```
    /// use amzsig::keystore::{Family, Keystore};
    /// use amzsig::crypto::KeyState;
    ///
    /// let store = Keystore::embedded_default();
    /// let keys = store.family(Family::Paapi);
    /// assert!(matches!(keys.lookup("AKIAIOSFODNN7EXAMPLE"), KeyState::Active(_)));
    /// assert!(matches!(keys.lookup("AKIDUNKNOWN"), KeyState::Unknown));
    /// ```
    pub fn embedded_default() -> Self {
        // Checked by a unit test, so this cannot fail at run time.
        Self::from_yaml_str(include_str!("default.yaml"), "<embedded default keystore>")
            .unwrap_or_else(|e| panic!("the embedded keystore is invalid: {e}"))
    }

    /// Reads and validates a keystore file.
    pub fn load_file(path: &Path) -> Result<Self, KeystoreError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| KeystoreError {
            origin: origin.clone(),
            line: None,
            kind: KeystoreErrorKind::Io(e),
        })?;
        Self::from_yaml_str(&text, &origin)
    }

    /// Parses and validates keystore YAML; `origin` names the source in errors. The format
    /// is strict: an unknown field is an error, not ignored.
    ///
    /// ```
    /// use amzsig::Keystore;
    ///
    /// let yaml = "accounts:\n  - name: ci\n    access_keys:\n      - id: AKIACIEXAMPLE0000000\n        secret: s3cr3t\n";
    /// let keys = Keystore::from_yaml_str(yaml, "ci.yaml")?;
    /// assert!(keys.key("AKIACIEXAMPLE0000000").is_some());
    ///
    /// let typo = yaml.replace("secret:", "secert:");
    /// let err = Keystore::from_yaml_str(&typo, "ci.yaml").unwrap_err();
    /// assert!(err.to_string().contains("secert"), "{err}");
    /// # Ok::<(), amzsig::keystore::KeystoreError>(())
    /// ```
    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Self, KeystoreError> {
        let err = |line: Option<usize>, kind| KeystoreError { origin: origin.to_owned(), line, kind };
        let dto = file::parse(text).map_err(|(line, kind)| err(line, kind))?;
        let line_of = |needle: &str, nth: usize| find_line(text, needle, nth);

        let mut store = Keystore {
            accounts: Vec::new(),
            keys: HashMap::new(),
            sellers: BTreeMap::new(),
            origin: origin.to_owned(),
        };
        let mut developer_ids: HashMap<String, usize> = HashMap::new();
        for (index, a) in dto.accounts.into_iter().enumerate() {
            if store.accounts.iter().any(|x| x.name == a.name) {
                return Err(err(line_of(&a.name, 1), KeystoreErrorKind::DuplicateAccount(a.name)));
            }
            let _ = a.description;
            for locale in a.associate_tags.keys() {
                if !PAAPI_LOCALES.contains(&locale.as_str()) {
                    return Err(err(
                        line_of(&format!("{locale}:"), 0),
                        KeystoreErrorKind::UnknownLocale { account: a.name.clone(), locale: locale.clone() },
                    ));
                }
            }
            if let Some(dev) = &a.mws_developer_id {
                if developer_ids.insert(dev.clone(), index).is_some() {
                    return Err(err(line_of(dev, 1), KeystoreErrorKind::DuplicateDeveloper(dev.clone())));
                }
            }
            for k in a.access_keys {
                if k.id.is_empty() || !k.id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(err(line_of(&k.id, 0), KeystoreErrorKind::BadAccessKeyId(k.id)));
                }
                let secrets = secrets_of(&k).map_err(|kind| err(line_of(&k.id, 0), kind))?;
                if store.keys.contains_key(&k.id) {
                    return Err(err(line_of(&k.id, 1), KeystoreErrorKind::DuplicateAccessKey(k.id)));
                }
                let status = match k.status {
                    file::StatusDto::Active => KeyStatus::Active,
                    file::StatusDto::Inactive => KeyStatus::Inactive,
                    file::StatusDto::Deleted => KeyStatus::Deleted,
                };
                let session = session_of(&k, |needle| line_of(needle, 0)).map_err(|(line, kind)| err(line, kind))?;
                store.keys.insert(k.id.clone(), AccessKey { id: k.id, account: index, secrets, status, session });
            }
            store.accounts.push(Account {
                name: a.name,
                associate_tags: a.associate_tags,
                mws_developer_id: a.mws_developer_id,
            });
        }
        for s in dto.sellers {
            if store.sellers.contains_key(&s.seller_id) {
                return Err(err(line_of(&s.seller_id, 1), KeystoreErrorKind::DuplicateSeller(s.seller_id)));
            }
            let account = match &s.account {
                Some(name) => Some(store.accounts.iter().position(|a| &a.name == name).ok_or_else(|| {
                    err(
                        line_of(name, 0),
                        KeystoreErrorKind::UnknownAccount { seller: s.seller_id.clone(), account: name.clone() },
                    )
                })?),
                None => None,
            };
            let mut authorizations = Vec::new();
            for a in s.authorizations {
                if !developer_ids.contains_key(&a.developer_id) {
                    return Err(err(
                        line_of(&a.developer_id, 0),
                        KeystoreErrorKind::UnknownDeveloper {
                            seller: s.seller_id.clone(),
                            developer_id: a.developer_id,
                        },
                    ));
                }
                if !a.mws_auth_token.starts_with("amzn.mws.") {
                    return Err(err(line_of(&a.mws_auth_token, 0), KeystoreErrorKind::BadToken(a.mws_auth_token)));
                }
                authorizations.push(Authorization { developer_id: a.developer_id, mws_auth_token: a.mws_auth_token });
            }
            store.sellers.insert(
                s.seller_id.clone(),
                Seller {
                    name: s.name.unwrap_or_else(|| s.seller_id.clone()),
                    seller_id: s.seller_id,
                    marketplaces: s.marketplaces,
                    account,
                    authorizations,
                },
            );
        }
        Ok(store)
    }

    /// Where this keystore came from (a path or `<embedded default keystore>`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The access key record for an id (any status).
    pub fn key(&self, access_key_id: &str) -> Option<&AccessKey> {
        self.keys.get(access_key_id)
    }

    /// The account owning a key (any status).
    pub fn account_for_key(&self, access_key_id: &str) -> Option<&Account> {
        self.keys.get(access_key_id).map(|k| &self.accounts[k.account])
    }

    /// All accounts.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// A seller by SellerId.
    pub fn seller(&self, seller_id: &str) -> Option<&Seller> {
        self.sellers.get(seller_id)
    }

    /// All sellers.
    pub fn sellers(&self) -> impl Iterator<Item = &Seller> {
        self.sellers.values()
    }

    /// May the holder of `access_key_id` act for `seller_id` with `token`?
    pub fn mws_authorization(&self, seller_id: &str, access_key_id: &str, token: Option<&str>) -> MwsAuthorization {
        let Some(seller) = self.sellers.get(seller_id) else { return MwsAuthorization::UnknownSeller };
        let Some(key) = self.keys.get(access_key_id) else { return MwsAuthorization::NotAuthorized };
        if seller.account == Some(key.account) {
            return MwsAuthorization::Own;
        }
        let Some(dev) = &self.accounts[key.account].mws_developer_id else { return MwsAuthorization::NotAuthorized };
        let Some(auth) = seller.authorizations.iter().find(|a| &a.developer_id == dev) else {
            return MwsAuthorization::NotAuthorized;
        };
        match token {
            None | Some("") => MwsAuthorization::MissingToken,
            Some(t) if crate::crypto::constant_time_eq(t.as_bytes(), auth.mws_auth_token.as_bytes()) => {
                MwsAuthorization::Delegated { developer_id: dev.clone() }
            }
            Some(_) => MwsAuthorization::WrongToken,
        }
    }

    /// Replaces a key's secret (a key reset) for every family; the old secrets stop working
    /// at once.
    pub fn rotate_key(&mut self, access_key_id: &str, new_secret: SecretKey) -> Result<(), AdminError> {
        let key = self.keys.get_mut(access_key_id).ok_or_else(|| AdminError::UnknownKey(access_key_id.to_owned()))?;
        key.secrets = [Some(new_secret.clone()), Some(new_secret.clone()), Some(new_secret)];
        Ok(())
    }

    /// The keys as the services of `family` see them: the [`SecretLookup`] a verifier is
    /// given (a key with no secret for `family` is unknown there).
    ///
    /// ```
    /// use amzsig::crypto::{KeyState, SecretLookup};
    /// use amzsig::keystore::{Family, Keystore};
    ///
    /// let keys = Keystore::embedded_default();
    /// assert!(matches!(keys.family(Family::Aws).lookup("AKIDEXAMPLE"), KeyState::Active(_)));
    /// assert!(matches!(keys.family(Family::Aws).lookup("AKIDUNKNOWN"), KeyState::Unknown));
    /// ```
    pub fn family(&self, family: Family) -> FamilyKeys<'_> {
        FamilyKeys { store: self, family }
    }

    /// Sets a key's status.
    pub fn set_key_status(&mut self, access_key_id: &str, status: KeyStatus) -> Result<(), AdminError> {
        let key = self.keys.get_mut(access_key_id).ok_or_else(|| AdminError::UnknownKey(access_key_id.to_owned()))?;
        key.status = status;
        Ok(())
    }

    /// Records that `seller_id` authorises `developer_id` with `token` (replacing any
    /// earlier authorisation of that developer).
    pub fn authorize(&mut self, seller_id: &str, developer_id: &str, token: &str) -> Result<(), AdminError> {
        if !self.accounts.iter().any(|a| a.mws_developer_id.as_deref() == Some(developer_id)) {
            return Err(AdminError::UnknownDeveloper(developer_id.to_owned()));
        }
        if !token.starts_with("amzn.mws.") {
            return Err(AdminError::BadToken(token.to_owned()));
        }
        let seller = self.sellers.get_mut(seller_id).ok_or_else(|| AdminError::UnknownSeller(seller_id.to_owned()))?;
        seller.authorizations.retain(|a| a.developer_id != developer_id);
        seller
            .authorizations
            .push(Authorization { developer_id: developer_id.to_owned(), mws_auth_token: token.to_owned() });
        Ok(())
    }

    /// Withdraws a seller's authorisation of a developer.
    pub fn revoke(&mut self, seller_id: &str, developer_id: &str) -> Result<(), AdminError> {
        let seller = self.sellers.get_mut(seller_id).ok_or_else(|| AdminError::UnknownSeller(seller_id.to_owned()))?;
        let before = seller.authorizations.len();
        seller.authorizations.retain(|a| a.developer_id != developer_id);
        if seller.authorizations.len() == before {
            return Err(AdminError::NotAuthorized {
                seller: seller_id.to_owned(),
                developer_id: developer_id.to_owned(),
            });
        }
        Ok(())
    }

    /// Every secret in the store (for tests that prove secrets never leak).
    pub fn secrets(&self) -> impl Iterator<Item = &SecretKey> {
        self.keys.values().flat_map(|k| k.secrets.iter().flatten())
    }

    /// Every session token in the store (for tests that prove tokens never leak).
    pub fn session_tokens(&self) -> impl Iterator<Item = &SessionToken> {
        self.keys.values().filter_map(|k| k.session.as_ref().map(|s| &s.token))
    }

    /// Judges the session token a request sent for `access_key_id` at `now`. An empty
    /// token counts as none. The token is checked before the expiry: a wrong token says
    /// nothing about which credential it was.
    pub fn session(&self, access_key_id: &str, sent: Option<&str>, now: UtcTime) -> SessionCheck {
        let Some(key) = self.keys.get(access_key_id) else { return SessionCheck::UnknownKey };
        let sent = sent.filter(|t| !t.is_empty());
        match (&key.session, sent) {
            (None, None) => SessionCheck::LongTerm,
            (None, Some(_)) => SessionCheck::UnexpectedToken,
            (Some(_), None) => SessionCheck::MissingToken,
            (Some(s), Some(t)) if !s.token.matches(t) => SessionCheck::WrongToken,
            (Some(s), Some(_)) if s.expires.is_some_and(|e| now >= e) => SessionCheck::Expired,
            (Some(_), Some(_)) => SessionCheck::Valid,
        }
    }
}

/// The characters a session token may have: base64 and base64url (STS tokens are base64),
/// and `%`, `.`, `~` (a token as percent-encoded in a query). Redaction
/// (`services::aws::redact_session_token`) relies on this set.
pub fn is_session_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'.' | b'~' | b'%')
}

/// The session of a key entry, validated: a token of [`is_session_token_char`]s (it
/// travels as a header value and a query parameter), `expires` only with a token, in ISO
/// 8601. Errors never quote the token.
fn session_of(
    k: &file::AccessKeyDto,
    line_of: impl Fn(&str) -> Option<usize>,
) -> Result<Option<Session>, (Option<usize>, KeystoreErrorKind)> {
    let expires = match &k.expires {
        None => None,
        Some(raw) => Some(UtcTime::parse_iso8601(raw).map_err(|e| {
            (line_of(raw), KeystoreErrorKind::BadExpiry { access_key_id: k.id.clone(), raw: raw.clone(), source: e })
        })?),
    };
    let Some(token) = &k.session_token else {
        return match &k.expires {
            Some(raw) => Err((line_of(raw), KeystoreErrorKind::ExpiryWithoutToken(k.id.clone()))),
            None => Ok(None),
        };
    };
    if token.is_empty() || !token.bytes().all(is_session_token_char) {
        // A token written with escapes is not in the text as parsed: then the key's line.
        let line = Some(token.as_str()).filter(|t| !t.is_empty()).and_then(&line_of).or_else(|| line_of(&k.id));
        return Err((line, KeystoreErrorKind::BadSessionToken(k.id.clone())));
    }
    Ok(Some(Session { token: SessionToken::new(token.as_bytes()), expires }))
}

/// A key's secrets from its file entry: `secret:` for every family, or `secrets:` for
/// some; exactly one of the two, and no secret empty.
fn secrets_of(k: &file::AccessKeyDto) -> Result<[Option<SecretKey>; 3], KeystoreErrorKind> {
    let empty = || KeystoreErrorKind::EmptySecret(k.id.clone());
    match (&k.secret, &k.secrets) {
        (Some(_), Some(_)) => Err(KeystoreErrorKind::SecretAndSecrets(k.id.clone())),
        (None, None) => Err(KeystoreErrorKind::NoSecret(k.id.clone())),
        (Some(s), None) if s.is_empty() => Err(empty()),
        (Some(s), None) => Ok([(); 3].map(|()| Some(SecretKey::new(s.as_str())))),
        (None, Some(f)) => {
            let all = [&f.paapi, &f.mws, &f.aws];
            if all.iter().all(|s| s.is_none()) {
                return Err(KeystoreErrorKind::NoSecret(k.id.clone()));
            }
            if all.iter().any(|s| s.as_ref().is_some_and(String::is_empty)) {
                return Err(empty());
            }
            Ok(all.map(|s| s.as_deref().map(SecretKey::new)))
        }
    }
}

/// The keystore as one service family's verifiers see it ([`Keystore::family`]).
#[derive(Debug, Clone, Copy)]
pub struct FamilyKeys<'k> {
    store: &'k Keystore,
    family: Family,
}

impl<'k> FamilyKeys<'k> {
    /// The state of `access_key_id` for this family (as [`SecretLookup::lookup`], with the
    /// keystore's lifetime).
    pub fn lookup(self, access_key_id: &str) -> KeyState<'k> {
        let Some(k) = self.store.keys.get(access_key_id) else { return KeyState::Unknown };
        match (&k.secrets[self.family.index()], k.status) {
            (Some(secret), KeyStatus::Active) => KeyState::Active(secret),
            (Some(_), KeyStatus::Inactive) => KeyState::Inactive,
            _ => KeyState::Unknown,
        }
    }
}

impl SecretLookup for FamilyKeys<'_> {
    fn lookup(&self, access_key_id: &str) -> KeyState<'_> {
        FamilyKeys::lookup(*self, access_key_id)
    }
}

/// 1-based line of the `nth` (0-based) occurrence of `needle` in `text`.
fn find_line(text: &str, needle: &str, nth: usize) -> Option<usize> {
    file::find_line(text, needle, nth)
}

/// A keystore that cannot be loaded: where, and why.
#[derive(Debug)]
pub struct KeystoreError {
    /// The file (or `<embedded default keystore>`).
    pub origin: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong (shown in this error's message, so its own cause is the source).
    pub kind: KeystoreErrorKind,
}

impl std::error::Error for KeystoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

impl fmt::Display for KeystoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.origin, self.kind),
            None => write!(f, "{}: {}", self.origin, self.kind),
        }
    }
}

/// The kinds of [`KeystoreError`].
#[derive(Debug, thiserror::Error)]
pub enum KeystoreErrorKind {
    /// The file cannot be read.
    #[error("cannot read the keystore")]
    Io(#[source] std::io::Error),
    /// Not YAML of the keystore's shape (unknown keys included). The message leaves out
    /// serde_yaml's own "at line N column M": the error's line is counted one way for all.
    #[error("{}", file::without_location(&.0.to_string()))]
    Syntax(serde_yaml::Error),
    /// No accounts and no sellers (an empty file, or only comments).
    #[error("the keystore is empty: it has no accounts and no sellers")]
    Empty,
    /// Two accounts with one name.
    #[error("duplicate account name '{0}'")]
    DuplicateAccount(String),
    /// Two keys with one id.
    #[error("duplicate access key id '{0}'")]
    DuplicateAccessKey(String),
    /// An access key id that is empty or not alphanumeric.
    #[error("access key id '{0}' must be non-empty letters and digits")]
    BadAccessKeyId(String),
    /// A key with an empty secret.
    #[error("access key '{0}' has an empty secret")]
    EmptySecret(String),
    /// A key with neither `secret` nor any family in `secrets`.
    #[error("access key '{0}' has no secret: give 'secret' (every service) or 'secrets' with any of paapi, mws, aws")]
    NoSecret(String),
    /// A key with both `secret` and `secrets`.
    #[error("access key '{0}' has both 'secret' and 'secrets': give one")]
    SecretAndSecrets(String),
    /// An Associate tag for a locale PA-API does not have.
    #[error("account '{account}': unknown PA-API locale '{locale}' (one of {})", PAAPI_LOCALES.join(", "))]
    UnknownLocale {
        /// The account.
        account: String,
        /// The locale code.
        locale: String,
    },
    /// Two accounts with one MWS developer id.
    #[error("duplicate MWS developer id '{0}'")]
    DuplicateDeveloper(String),
    /// Two sellers with one SellerId.
    #[error("duplicate seller id '{0}'")]
    DuplicateSeller(String),
    /// A seller's `account` names no account.
    #[error("seller '{seller}': no account named '{account}'")]
    UnknownAccount {
        /// The seller.
        seller: String,
        /// The missing account name.
        account: String,
    },
    /// A seller authorises a developer id no account has.
    #[error("seller '{seller}' authorises developer '{developer_id}', which no account has as mws_developer_id")]
    UnknownDeveloper {
        /// The seller.
        seller: String,
        /// The developer id.
        developer_id: String,
    },
    /// An MWSAuthToken that does not start with `amzn.mws.`.
    #[error("MWSAuthToken '{0}' must start with 'amzn.mws.'")]
    BadToken(String),
    /// A session token that is empty or not visible ASCII (the token itself is not shown).
    #[error("access key '{0}': session_token must be non-empty letters, digits and + / = - _ . ~ %")]
    BadSessionToken(String),
    /// `expires` on a key without a `session_token`.
    #[error("access key '{0}': 'expires' needs a session_token (only temporary credentials expire)")]
    ExpiryWithoutToken(String),
    /// `expires` that is not an ISO 8601 UTC time.
    #[error("access key '{access_key_id}': expires '{raw}' is not an ISO 8601 time such as 2030-01-01T00:00:00Z")]
    BadExpiry {
        /// The key.
        access_key_id: String,
        /// The value as written.
        raw: String,
        /// Why it does not parse.
        #[source]
        source: crate::clock::TimeParseError,
    },
}

/// A run-time change to the keystore that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// No such access key.
    #[error("no access key '{0}'")]
    UnknownKey(String),
    /// No such seller.
    #[error("no seller '{0}'")]
    UnknownSeller(String),
    /// No account has this developer id.
    #[error("no developer '{0}'")]
    UnknownDeveloper(String),
    /// The seller had not authorised the developer.
    #[error("seller '{seller}' has not authorised developer '{developer_id}'")]
    NotAuthorized {
        /// The seller.
        seller: String,
        /// The developer.
        developer_id: String,
    },
    /// A token that does not start with `amzn.mws.`.
    #[error("MWSAuthToken '{0}' must start with 'amzn.mws.'")]
    BadToken(String),
}

#[cfg(test)]
mod tests;
