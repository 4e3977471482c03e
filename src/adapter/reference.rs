//! amzsig's own signer behind the adapter protocol: the reference every scenario passes
//! against, and — with deliberate [`Mistake`]s — the broken clients the tests use to prove
//! that each scenario catches what it claims (`amzsig adapter --mistake space-as-plus`).

use super::protocol::{
    decode_any_request, Answer, AnyRequest, Capability, Hello, Location, Request, RequestKind, Sent, Signed,
    PROTOCOL_VERSION,
};
/// The SigV4 side: signs a `sig: v4` request (with `v4-…` mistakes).
pub use super::reference_v4::sign as sign_v4;
use crate::crypto::SecretKey;
use crate::diagnose::v2::{self, sign_with_mistakes};
use crate::diagnose::{Mistake, SchemeId};
use crate::encoding::{encode_into, parse_query, Param, ParamList, PlusMeans};
use crate::request::OwnedRequest;
use crate::sigv2::{self, SignatureMethod};
use std::io::{BufRead, Write};

/// How the reference adapter behaves: the mistakes it makes (SigV2 ones apply to SigV2
/// requests, SigV4 ones, `v4-…`, to SigV4 requests) and, optionally, the one scheme it
/// speaks (a single-scheme client: it announces only that scheme's capabilities).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mistakes {
    /// SigV2 mistakes.
    pub v2: Vec<Mistake>,
    /// SigV4 mistakes.
    pub v4: Vec<Mistake>,
    /// Speak only this scheme (`None`: both).
    pub only: Option<SchemeId>,
    /// The services to announce (`paapi`, `mws`, `aws`, `paapi5`; none: every service).
    pub services: Vec<Capability>,
}

impl Mistakes {
    /// Parses mistake ids of either catalogue; the error names the first unknown id.
    pub fn from_ids<S: AsRef<str>>(ids: &[S]) -> Result<Mistakes, super::AdapterError> {
        let mut out = Mistakes::default();
        for id in ids {
            let id = id.as_ref();
            match Mistake::from_id(id) {
                Some(m) if m.scheme() == SchemeId::V2Query => out.v2.push(m),
                Some(m) => out.v4.push(m),
                None => return Err(super::AdapterError::UnknownMistake(id.to_owned())),
            }
        }
        Ok(out)
    }

    fn ids(&self) -> Vec<&'static str> {
        self.v2.iter().map(|m| m.id()).chain(self.v4.iter().map(|m| m.id())).collect()
    }
}

/// The reference adapter's `hello`.
pub fn hello(mistakes: &Mistakes) -> Hello {
    let name = if mistakes.ids().is_empty() {
        "amzsig reference".to_owned()
    } else {
        format!("amzsig reference with {}", mistakes.ids().join("+"))
    };
    let v2 = [Capability::Sigv2, Capability::PostForm, Capability::HmacSha1, Capability::Expires];
    let v4 = [
        Capability::Sigv4,
        Capability::Presign,
        Capability::UnsignedPayload,
        Capability::ContentSha256,
        Capability::HostHeader,
    ];
    let mut capabilities = vec![Capability::Send, Capability::SecurityToken];
    if mistakes.only != Some(SchemeId::V4) {
        capabilities.extend(v2);
    }
    if mistakes.only != Some(SchemeId::V2Query) {
        capabilities.extend(v4);
    }
    capabilities.extend(mistakes.services.iter().copied());
    Hello { protocol: PROTOCOL_VERSION, name, version: env!("CARGO_PKG_VERSION").to_owned(), capabilities }
}

/// The parameters a client sends: the scenario's, then the authentication parameters.
pub fn client_params(req: &Request) -> ParamList {
    let mut params: ParamList = req.params.iter().cloned().collect();
    params.push("AWSAccessKeyId", req.credentials.access_key_id.clone());
    match (&req.timestamp, &req.expires) {
        (_, Some(e)) => params.push("Expires", e.clone()),
        (Some(t), None) => params.push("Timestamp", t.clone()),
        (None, None) => {}
    }
    if let Some(m) = req.signature_method {
        params.push("SignatureVersion", "2");
        params.push("SignatureMethod", m.as_str());
    }
    if let Some(token) = &req.credentials.session_token {
        params.push("SecurityToken", token.clone());
    }
    params
}

/// Signs `req` as a client that makes `mistakes` would (none: correctly).
pub fn sign(req: &Request, mistakes: &[Mistake]) -> Answer {
    let error = |message: String| Answer::Error { id: Some(req.id.clone()), message, unsupported: false };
    let mut owned = match OwnedRequest::from_url(&req.method, &req.endpoint) {
        Ok(o) => o,
        Err(e) => return error(e.to_string()),
    };
    owned.params.0.extend(client_params(req).0);
    // What goes on the wire: every parameter encoded, and in a form body spaces as '+'
    // (application/x-www-form-urlencoded, what most form encoders send). The parameters
    // are read back from that text, so a client "mistake" that signs the raw form signs
    // exactly what it sends.
    let form = req.location == Location::Form;
    let unsigned_wire = sigv2::wire_query(&owned.params, None);
    let unsigned_wire = if form { unsigned_wire.replace("%20", "+") } else { unsigned_wire };
    match parse_query(unsigned_wire.as_bytes(), PlusMeans::Space) {
        Ok(params) => owned.params = params,
        Err(e) => return error(e.to_string()),
    }
    let declared = req.signature_method.unwrap_or(SignatureMethod::HmacSha256);
    let secret = SecretKey::new(req.credentials.secret_key.as_str());
    let Some(signature) = sign_with_mistakes(&owned.view(), &secret, declared, mistakes) else {
        return error(format!("the mistakes {mistakes:?} cannot apply to this request"));
    };
    let mut wire = unsigned_wire;
    if !wire.is_empty() {
        wire.push('&');
    }
    wire.push_str("Signature=");
    if mistakes.contains(&v2::SIGNATURE_PLUS_NOT_ENCODED) {
        // The classic bug: '+' written as is, so it arrives as a space.
        for part in signature.split(' ') {
            if !wire.ends_with('=') {
                wire.push('+');
            }
            encode_into(&mut wire, part.as_bytes());
        }
    } else {
        encode_into(&mut wire, Param::new("", signature).value.as_bytes());
    }
    let base = format!("{}://{}{}", owned.scheme.as_str(), owned.host, owned.path);
    let (url, body, headers) = if form {
        (base, wire, vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned())])
    } else {
        (format!("{base}?{wire}"), String::new(), Vec::new())
    };
    Answer::Signed(Signed { id: req.id.clone(), method: Some(req.method.clone()), url, headers, body })
}

/// Answers one request line (sign, or sign and send), SigV2 or SigV4.
pub fn answer_line(line: &str, mistakes: &Mistakes) -> Answer {
    if line.contains("\"hello\"") && !line.contains("\"sign\"") && !line.contains("\"send\"") {
        return Answer::Hello(hello(mistakes));
    }
    let (kind, id, signed) = match decode_any_request(line) {
        Ok(AnyRequest::V2(req)) => (req.kind, req.id.clone(), sign(&req, &mistakes.v2)),
        Ok(AnyRequest::V4(req)) => (req.kind, req.id.clone(), super::reference_v4::sign(&req, &mistakes.v4)),
        Err(e) => return Answer::Error { id: None, message: e.to_string(), unsupported: false },
    };
    match (kind, signed) {
        (RequestKind::Sign, answer) => answer,
        (RequestKind::Send, Answer::Signed(s)) => {
            match super::http::send(s.method.as_deref().unwrap_or("GET"), &s.url, &s.headers, s.body.as_bytes()) {
                Ok((status, body)) => {
                    Answer::Sent(Sent { id, status: Some(status), body, error: None, attempts: Some(1) })
                }
                Err(e) => Answer::Error { id: Some(id), message: e.to_string(), unsupported: false },
            }
        }
        (RequestKind::Send, other) => other,
    }
}

/// Serves the protocol on stdin/stdout until stdin closes.
pub fn serve_stdio(mistakes: &Mistakes) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = answer_line(&line, mistakes);
        let text =
            serde_json::to_string(&answer).unwrap_or_else(|e| format!("{{\"type\":\"error\",\"message\":\"{e}\"}}"));
        writeln!(stdout, "{text}")?;
        stdout.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::protocol::WireCredentials;
    use crate::clock::UtcTime;
    use crate::crypto::SingleKey;
    use crate::sigv2::VerifyPolicy;

    fn dg_request() -> Request {
        Request {
            kind: RequestKind::Sign,
            id: "1".into(),
            sig: crate::scheme::SchemeId::V2Query,
            method: "GET".into(),
            endpoint: "http://webservices.amazon.com/onca/xml".into(),
            params: [
                ("Service", "AWSECommerceService"),
                ("AssociateTag", "mytag-20"),
                ("Operation", "ItemLookup"),
                ("ItemId", "0679722769"),
                ("ResponseGroup", "Images,ItemAttributes,Offers,Reviews"),
                ("Version", "2013-08-01"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .to_vec(),
            credentials: WireCredentials {
                access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
                secret_key: "1234567890".into(),
                session_token: None,
            },
            timestamp: Some("2014-08-18T12:00:00Z".into()),
            expires: None,
            signature_method: None,
            location: Location::Query,
        }
    }

    #[test]
    fn signs_the_developer_guide_example() {
        let Answer::Signed(s) = sign(&dg_request(), &[]) else { panic!("not signed") };
        assert!(s.url.ends_with("&Signature=j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp%2BiXxzQc%3D"), "{}", s.url);
    }

    #[test]
    fn unencoded_plus_arrives_as_a_space() {
        let Answer::Signed(s) = sign(&dg_request(), &[v2::SIGNATURE_PLUS_NOT_ENCODED]) else { panic!("not signed") };
        assert!(s.url.ends_with("&Signature=j7bZM0LXZ9eXeZruTqWm2DIvDYVUU3wxPPpp+iXxzQc%3D"), "{}", s.url);
        let owned = OwnedRequest::from_url("GET", &s.url).unwrap();
        let secret = SecretKey::new("1234567890");
        let keys = SingleKey { id: None, secret: &secret };
        let now = UtcTime::parse_iso8601("2014-08-18T12:00:00Z").unwrap();
        assert!(matches!(
            sigv2::verify(&owned.view(), &keys, now, &VerifyPolicy::default()),
            Err(sigv2::VerifyFailure::SignatureNotBase64 { .. })
        ));
    }
}
