//! Route handlers: Amazon traffic (everything not under `/__amzsig/`) and the admin API.

pub(crate) mod admin;
pub(crate) mod amazon;
