//! The keystore file format (YAML), as plain DTOs: strict (`deny_unknown_fields`), no
//! validation beyond shape. `super::Keystore::from_yaml_str` turns them into the domain type.
//! Also the one line count every keystore error uses ([`line_of_index`], [`find_line`]).

use super::KeystoreErrorKind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeystoreFile {
    #[serde(default)]
    pub accounts: Vec<AccountDto>,
    #[serde(default)]
    pub sellers: Vec<SellerDto>,
}

/// One account: its keys, PA-API Associate tags, MWS developer id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountDto {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub access_keys: Vec<AccessKeyDto>,
    #[serde(default)]
    pub associate_tags: BTreeMap<String, String>,
    #[serde(default)]
    pub mws_developer_id: Option<String>,
}

/// One access key. With `session_token` it is a temporary credential (STS): requests
/// must carry that token; `expires` (ISO 8601, UTC) is when the credential stops working.
/// Exactly one of `secret` (every service family) and `secrets` (one per family).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccessKeyDto {
    pub id: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secrets: Option<FamilySecretsDto>,
    #[serde(default)]
    pub status: StatusDto,
    #[serde(default)]
    pub session_token: Option<String>,
    #[serde(default)]
    pub expires: Option<String>,
}

/// Hand-written so that a secret or token never reaches a `{:?}` of the DTOs.
impl std::fmt::Debug for AccessKeyDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyDto")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("temporary", &self.session_token.is_some())
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// A key's secret per service family: a family left out does not know the key.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FamilySecretsDto {
    #[serde(default)]
    pub paapi: Option<String>,
    #[serde(default)]
    pub mws: Option<String>,
    #[serde(default)]
    pub aws: Option<String>,
}

/// `active` (default), `inactive` or `deleted`.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StatusDto {
    #[default]
    Active,
    Inactive,
    Deleted,
}

/// One MWS seller.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SellerDto {
    pub seller_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub marketplaces: Vec<String>,
    /// An account whose own keys act for the seller without an MWSAuthToken.
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub authorizations: Vec<AuthorizationDto>,
}

/// A developer the seller has authorised.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthorizationDto {
    pub developer_id: String,
    pub mws_auth_token: String,
}

/// Parses keystore text into the DTOs. A syntax error carries its line (counted by
/// [`line_of_index`]); a file with no accounts and no sellers (empty, or only comments) is
/// refused here, before validation.
pub(crate) fn parse(text: &str) -> Result<KeystoreFile, (Option<usize>, KeystoreErrorKind)> {
    let dto: KeystoreFile = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| line_of_index(text, l.index()));
        (line, KeystoreErrorKind::Syntax(e))
    })?;
    if dto.accounts.is_empty() && dto.sellers.is_empty() {
        return Err((None, KeystoreErrorKind::Empty));
    }
    Ok(dto)
}

/// The 1-based line holding byte `index` of `text`, counted as an editor counts: LF, CRLF
/// and a lone CR each end a line (YAML 1.2's line breaks, §5.4). libyaml, behind
/// serde_yaml, also breaks lines at NEL, LS and PS and reports an error at the end of the
/// file on the line after the last one; errors use this count instead, so syntax errors
/// and validation errors ([`find_line`]) agree. An index at or past the end names the last
/// line.
pub(crate) fn line_of_index(text: &str, index: usize) -> usize {
    // libyaml does not count a byte-order mark in its index.
    let index = index + if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let end = index.min(text.len().saturating_sub(1));
    let bytes = text.as_bytes();
    1 + bytes[..end]
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The lines of `text` with the same breaks as [`line_of_index`].
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        if let Some(i) = r.find(['\n', '\r']) {
            let skip = if r[i..].starts_with("\r\n") { 2 } else { 1 };
            rest = Some(&r[i + skip..]).filter(|s| !s.is_empty());
            Some(&r[..i])
        } else {
            rest = None;
            Some(r)
        }
    })
}

/// 1-based line of the `nth` (0-based) line of `text` that contains `needle`, counted as
/// [`line_of_index`] counts.
pub(crate) fn find_line(text: &str, needle: &str, nth: usize) -> Option<usize> {
    lines(text).enumerate().filter(|(_, l)| l.contains(needle)).nth(nth).map(|(i, _)| i + 1)
}

/// A serde_yaml message without its " at line N column M" parts: the error already names
/// the line (counted by [`line_of_index`]), and libyaml's count can differ from it.
pub(crate) fn without_location(message: &str) -> String {
    const AT: &str = " at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(AT) {
        let after = &rest[i + AT.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let tail = &after[digits..];
        let col = tail.strip_prefix(" column ").map(|t| t.bytes().take_while(u8::is_ascii_digit).count());
        match col {
            Some(n) if digits > 0 && n > 0 => {
                out.push_str(&rest[..i]);
                rest = &tail[" column ".len() + n..];
            }
            _ => {
                out.push_str(&rest[..i + AT.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
