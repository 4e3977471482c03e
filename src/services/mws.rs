//! Amazon MWS (placeholder; being written).

use super::{Ctx, Outcome, ServiceRequest};

/// True for an MWS endpoint host (lowercase, no port).
pub fn is_mws_host(host: &str) -> bool {
    host.starts_with("mws") && host.contains(".amazonservices.")
}

/// True for a path of an MWS section (or `/`, where Feeds and Reports live).
pub fn is_mws_path(path: &str) -> bool {
    matches!(path, "/" | "")
        || ["/Orders/", "/Products/", "/Sellers/", "/Feeds/", "/Reports/"].iter().any(|p| path.starts_with(p))
}

/// Answers an MWS request sent to `host`.
pub fn handle(_ctx: &Ctx<'_>, _req: &ServiceRequest<'_>, _host: &str) -> Outcome {
    super::paapi::unimplemented_outcome(super::ServiceKind::Mws)
}
