//! paapi catalogue data (placeholder; being written).

use serde::Deserialize;

/// The paapi part of the catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaapiCatalogue {}
