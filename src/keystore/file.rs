//! The keystore file format (YAML), as plain DTOs: strict (`deny_unknown_fields`), no
//! validation beyond shape. `super::Keystore::from_yaml_str` turns them into the domain type.

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

/// One access key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccessKeyDto {
    pub id: String,
    pub secret: String,
    #[serde(default)]
    pub status: StatusDto,
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
