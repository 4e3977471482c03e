//! What the runner asks an adapter for: the protocol request of a scenario (SigV2 or
//! SigV4), and whether the adapter can do what the scenario needs (its capabilities).

use crate::adapter::protocol::{Request, RequestV4, WireCredentials};
use crate::adapter::{reference, Answer, Capability, RequestKind};
use crate::clock::UtcTime;
use crate::scenario::{Inputs, Location, PayloadMode, Scenario, V2Inputs, V4Inputs, SUITE_TIME};
use crate::scheme::SchemeId;
use crate::sigv2::SignatureMethod;

/// Why a SigV4 scenario is skipped for an adapter that cannot set `Host`.
pub(super) const NEEDS_HOST: &str =
    "the outcome needs the scenario's Host, which the client cannot send (no 'host-header')";

/// Why an adapter with `capabilities` cannot run scenario `s` (a capability it lacks), if
/// it cannot.
pub(super) fn missing_capability(s: &Scenario, capabilities: &[Capability]) -> Option<String> {
    match &s.request.inputs {
        Inputs::V4(v4) => missing_v4(s, v4, capabilities),
        Inputs::V2(v2) => missing_v2(s, v2, capabilities),
    }
}

/// Why a client announcing `capabilities` does not run scenario `s` offline, if it does not
/// (a capability it lacks; a SigV4 outcome that needs a `Host` it cannot send).
pub fn offline_skip_reason(s: &Scenario, capabilities: &[Capability]) -> Option<String> {
    missing_capability(s, capabilities).or_else(|| match &s.request.inputs {
        Inputs::V4(_) if !capabilities.contains(&Capability::HostHeader) && !s.live.host_independent => {
            Some(NEEDS_HOST.to_owned())
        }
        _ => None,
    })
}

fn missing_v2(s: &Scenario, v2: &V2Inputs, capabilities: &[Capability]) -> Option<String> {
    let can = |c: Capability| capabilities.contains(&c);
    // An adapter that names SigV2 services (`paapi`, `mws`, `aws` for the Query APIs) only
    // does those; one that names none does them all.
    let service = s.service.as_str();
    let names_services = can(Capability::Paapi) || can(Capability::Mws) || can(Capability::Aws);
    if names_services && !can(Capability::service(s.service)) {
        return Some(format!("the adapter does not do '{service}'"));
    }
    let needs = [
        (true, Capability::Sigv2),
        (v2.location == Location::Form, Capability::PostForm),
        (v2.expires.is_some(), Capability::Expires),
        (v2.signature_method == Some(SignatureMethod::HmacSha1), Capability::HmacSha1),
        (s.request.credentials.session_token.is_some(), Capability::SecurityToken),
    ];
    needs.iter().find(|&&(needed, cap)| needed && !can(cap)).map(|(_, cap)| format!("the adapter lacks '{cap}'"))
}

fn missing_v4(s: &Scenario, v4: &V4Inputs, capabilities: &[Capability]) -> Option<String> {
    let can = |c: Capability| capabilities.contains(&c);
    let service = s.service.as_str();
    let names_services = can(Capability::Paapi5) || can(Capability::Aws);
    if names_services && !can(Capability::service(s.service)) {
        return Some(format!("the adapter does not do '{service}'"));
    }
    if can(Capability::OwnClock) && s.request.timestamp.as_deref().is_some_and(|t| t != SUITE_TIME) {
        return Some("the client chooses its own X-Amz-Date (own-clock); this scenario needs a given one".to_owned());
    }
    let needs = [
        (true, Capability::Sigv4),
        (v4.presign_expires.is_some(), Capability::Presign),
        (v4.payload == PayloadMode::Unsigned && v4.presign_expires.is_none(), Capability::UnsignedPayload),
        (v4.payload == PayloadMode::ContentSha256 || v4.service == "s3", Capability::ContentSha256),
        (s.request.credentials.session_token.is_some(), Capability::SecurityToken),
    ];
    needs.iter().find(|&&(needed, cap)| needed && !can(cap)).map(|(_, cap)| format!("the adapter lacks '{cap}'"))
}

/// The adapter request for a SigV2 scenario (endpoint possibly replaced for live mode).
pub fn request_for(s: &Scenario, v2: &V2Inputs, kind: RequestKind, endpoint: &str) -> Request {
    let mut params = v2.params.clone();
    if v2.signature_needs_plus {
        params.push(("Nonce".to_owned(), nonce_for_plus(s, v2, endpoint).to_string()));
    }
    Request {
        kind,
        id: String::new(),
        sig: SchemeId::V2Query,
        method: s.request.method.clone(),
        endpoint: endpoint.to_owned(),
        params,
        credentials: WireCredentials {
            access_key_id: s.request.credentials.access_key_id.clone(),
            secret_key: s.request.credentials.secret_key.clone(),
            session_token: s.request.credentials.session_token.clone(),
        },
        timestamp: if v2.expires.is_some() { None } else { s.request.timestamp.clone() },
        expires: v2.expires.clone(),
        signature_method: v2.signature_method,
        location: v2.location,
    }
}

/// The adapter request for a SigV4 scenario. `endpoint` replaces the scenario's URL (live
/// mode), `host` is sent as a `Host` header when given.
pub fn request_for_v4(s: &Scenario, v4: &V4Inputs, kind: RequestKind, endpoint: &str, host: Option<&str>) -> RequestV4 {
    let timestamp = s.request.timestamp.clone().unwrap_or_else(|| SUITE_TIME.to_owned());
    let amz_date = UtcTime::parse_iso8601(&timestamp).map(UtcTime::to_amz_date).unwrap_or_default();
    let mut headers = Vec::with_capacity(v4.headers.len() + 1);
    if let Some(h) = host.filter(|_| !v4.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))) {
        headers.push(("Host".to_owned(), h.to_owned()));
    }
    headers.extend(v4.headers.iter().cloned());
    RequestV4 {
        kind,
        id: String::new(),
        sig: SchemeId::V4,
        method: s.request.method.clone(),
        endpoint: endpoint.to_owned(),
        headers,
        body: v4.body.clone(),
        credentials: WireCredentials {
            access_key_id: s.request.credentials.access_key_id.clone(),
            secret_key: s.request.credentials.secret_key.clone(),
            session_token: s.request.credentials.session_token.clone(),
        },
        timestamp,
        amz_date,
        region: v4.region.clone(),
        service: v4.service.clone(),
        payload: v4.payload,
        presign_expires: v4.presign_expires,
    }
}

/// The origin-form target of `url` (path and query, no fragment; `/` when empty).
pub(super) fn target_of(url: &str) -> String {
    let url = url.split('#').next().unwrap_or_default();
    let rest = url.find("://").map_or(url, |i| &url[i + 3..]);
    match rest.find(['/', '?']) {
        Some(j) if rest[j..].starts_with('?') => format!("/{}", &rest[j..]),
        Some(j) => rest[j..].to_owned(),
        None => "/".to_owned(),
    }
}

/// The first nonce for which the correct signature of `s` at `endpoint` contains `+`.
fn nonce_for_plus(s: &Scenario, v2: &V2Inputs, endpoint: &str) -> u32 {
    let base = V2Inputs { signature_needs_plus: false, ..v2.clone() };
    for n in 0..1000 {
        let mut req = request_for(s, &base, RequestKind::Sign, endpoint);
        req.params.push(("Nonce".to_owned(), n.to_string()));
        if let Answer::Signed(signed) = reference::sign(&req, &[]) {
            let wire =
                if signed.body.is_empty() { signed.url.split_once('?').map_or("", |(_, q)| q) } else { &signed.body };
            let signature = wire.split('&').find_map(|p| p.strip_prefix("Signature=")).unwrap_or("");
            if signature.contains("%2B") {
                return n;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::target_of;

    #[test]
    fn targets() {
        assert_eq!(target_of("https://h/onca/xml?a=1#f"), "/onca/xml?a=1");
        assert_eq!(target_of("http://h:8080?a=1"), "/?a=1");
        assert_eq!(target_of("http://h"), "/");
        assert_eq!(target_of("http://h/"), "/");
    }
}
