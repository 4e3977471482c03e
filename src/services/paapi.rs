//! Product Advertising API 4.x (placeholder; being written).

use super::{Ctx, Outcome, ServiceRequest};

/// Locale code of a PA-API host (lowercase, no port), e.g. `webservices.amazon.co.uk` → `uk`.
pub fn locale_for_host(host: &str) -> Option<&'static str> {
    match host {
        "webservices.amazon.com" | "ecs.amazonaws.com" => Some("us"),
        "webservices.amazon.co.uk" | "ecs.amazonaws.co.uk" => Some("uk"),
        "webservices.amazon.co.jp" | "ecs.amazonaws.jp" => Some("jp"),
        _ => None,
    }
}

/// The static locale code equal to `code`, if it is one.
pub fn locale_code(code: &str) -> Option<&'static str> {
    crate::keystore::PAAPI_LOCALES.iter().copied().find(|c| *c == code)
}

/// Answers a PA-API request.
pub fn handle(_ctx: &Ctx<'_>, _req: &ServiceRequest<'_>, _locale: &'static str) -> Outcome {
    unimplemented_outcome(super::ServiceKind::Paapi)
}

pub(crate) fn unimplemented_outcome(service: super::ServiceKind) -> Outcome {
    Outcome {
        status: 501,
        content_type: "text/plain".into(),
        headers: Vec::new(),
        body: "not implemented yet".into(),
        record: super::Record {
            service,
            operation: None,
            access_key_id: None,
            verdict: super::Verdict::Refused,
            error_code: None,
            host_form: None,
            failure: None,
        },
    }
}
