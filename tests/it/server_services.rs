//! Every PA-API and MWS operation, and every error the mock answers, over real HTTP on
//! 127.0.0.1: status, error code and envelope root are checked on the parsed XML, and the
//! body is pinned by a snapshot (fixed clock, deterministic request ids). The cases are
//! data: `tests/data/services/http.yaml`.

use crate::server::{client, fixed_config, signed, wire, DG_TIME};
use crate::support::{find_element, root};
use amzsig::encoding::ParamList;
use amzsig::server::MockServer;
use amzsig::xml::{self, Element};
use serde::Deserialize;

const PAAPI_SECRET: &str = "1234567890";
const MWS_SECRET: &str = "kWcrlEXAMPLEM/LtmEENI/aVmYvHNif5zB+d9+ct";
const TOKEN: &str = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE";

/// How a case spoils an otherwise correct request.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Spoil {
    /// Change one character of a signed value after signing.
    Tamper,
    /// Sign with another secret.
    WrongSecret,
    /// Leave the Signature out.
    NoSignature,
    /// Replace '+' in the Signature by ' ' (sent unencoded).
    PlusAsSpace,
}

/// Which service a case addresses: its method, host, default path and secret.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Service {
    Paapi,
    Mws,
}

/// One case of `tests/data/services/http.yaml` (its header says the format).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    service: Service,
    #[serde(default)]
    path: Option<String>,
    params: Vec<(String, String)>,
    #[serde(default)]
    spoil: Option<Spoil>,
    #[serde(default)]
    body: Option<String>,
    status: u16,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    cases: Vec<Case>,
}

impl Case {
    fn method(&self) -> &'static str {
        match self.service {
            Service::Paapi => "GET",
            Service::Mws => "POST",
        }
    }
    fn host(&self) -> &'static str {
        match self.service {
            Service::Paapi => "webservices.amazon.com",
            Service::Mws => "mws.amazonservices.com",
        }
    }
    fn path(&self) -> &str {
        self.path.as_deref().unwrap_or("/onca/xml")
    }
    fn secret(&self) -> &'static str {
        match self.service {
            Service::Paapi => PAAPI_SECRET,
            Service::Mws => MWS_SECRET,
        }
    }
    /// The envelope's root element ends with this.
    fn root(&self) -> &'static str {
        if self.status == 200 {
            "Response"
        } else {
            "ErrorResponse"
        }
    }
}

/// Every case of the table file.
fn cases() -> Vec<Case> {
    let path = root().join("tests/data/services/http.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: CaseFile = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.cases
}

/// The signed parameters of a case, with its spoiling applied; for the PlusAsSpace case a
/// nonce makes sure the signature has a '+'.
fn signed_params(c: &Case) -> ParamList {
    let mut nonce = 0;
    loop {
        let mut params: Vec<(&str, String)> = c.params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        if matches!(c.spoil, Some(Spoil::PlusAsSpace)) {
            params.push(("Nonce", nonce.to_string()));
        }
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let secret = if matches!(c.spoil, Some(Spoil::WrongSecret)) { "not-the-secret" } else { c.secret() };
        let mut list = signed(c.method(), c.host(), c.path(), &borrowed, secret);
        let Some(spoil) = c.spoil else { return list };
        match spoil {
            Spoil::WrongSecret => return list,
            Spoil::NoSignature => {
                list.remove("Signature");
                return list;
            }
            Spoil::Tamper => {
                let ts = list.get("Timestamp").unwrap().replace("12:00:00", "12:00:01");
                let sig = list.get("Signature").unwrap().to_owned();
                list.set("Timestamp", ts);
                list.set("Signature", sig);
                return list;
            }
            Spoil::PlusAsSpace => {
                let sig = list.get("Signature").unwrap().to_owned();
                if sig.contains('+') {
                    list.set("Signature", sig.replace('+', " "));
                    return list;
                }
                nonce += 1;
            }
        }
    }
}

#[tokio::test]
async fn every_operation_and_error_over_http() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let base = server.base_url();
    let http = client();
    let mut problems = Vec::new();
    for c in cases() {
        server.state().reset_throttle();
        let params = signed_params(&c);
        let query = wire(&params);
        let req = match (c.method(), c.body.clone()) {
            ("GET", _) => http.get(format!("{base}{}?{query}", c.path())),
            (_, Some(feed)) => {
                http.post(format!("{base}{}?{query}", c.path())).header("content-type", "text/xml").body(feed)
            }
            _ => http
                .post(format!("{base}{}", c.path()))
                .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
                .body(query),
        };
        let resp =
            req.header("host", c.host()).header("user-agent", "amzsig-tests/1.0 (Language=Rust)").send().await.unwrap();
        let status = resp.status().as_u16();
        let diagnosis = resp.headers().get("x-amzsig-diagnosis").map(|v| v.to_str().unwrap_or("").to_owned());
        let body = resp.text().await.unwrap();
        let doc = match xml::parse(&body) {
            Ok(d) => d,
            Err(e) => {
                problems.push(format!("{}: body is not XML ({e}): {body}", c.name));
                continue;
            }
        };
        let code = find_element(&doc, "Code").map(Element::text_content);
        if status != c.status || code != c.code || !doc.name.ends_with(c.root()) {
            problems.push(format!(
                "{}: got {status} {code:?} <{}>, want {} {:?} <…{}>",
                c.name,
                doc.name,
                c.status,
                c.code,
                c.root()
            ));
        }
        if matches!(c.spoil, Some(Spoil::Tamper | Spoil::WrongSecret | Spoil::PlusAsSpace)) {
            let want = match c.spoil {
                Some(Spoil::PlusAsSpace) => Some("signature-plus-not-encoded".to_owned()),
                _ => Some("unknown".to_owned()),
            };
            if diagnosis != want {
                problems.push(format!("{}: x-amzsig-diagnosis {diagnosis:?}, want {want:?}", c.name));
            }
        }
        insta::assert_snapshot!(c.name.as_str(), body);
    }
    server.stop().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The same correctly signed request is accepted on every PA-API locale host, and
/// refused with the exact mismatch error after a one-character change.
#[tokio::test]
async fn accepted_on_every_locale_host() {
    let hosts = [
        ("webservices.amazon.com", "mytag-20"),
        ("webservices.amazon.ca", "mytag-20"),
        ("webservices.amazon.co.uk", "mytag-21"),
        ("webservices.amazon.de", "mytag-21"),
        ("webservices.amazon.fr", "mytag-21"),
        ("webservices.amazon.it", "mytag-21"),
        ("webservices.amazon.es", "mytag-21"),
        ("webservices.amazon.co.jp", "mytag-22"),
        ("webservices.amazon.in", "mytag-21"),
        ("webservices.amazon.com.br", "mytag-20"),
        ("webservices.amazon.com.mx", "mytag-20"),
        ("webservices.amazon.com.au", "mytag-22"),
        ("webservices.amazon.cn", "mytag-23"),
        ("ecs.amazonaws.com", "mytag-20"),
        ("ecs.amazonaws.co.uk", "mytag-21"),
        ("ecs.amazonaws.de", "mytag-21"),
        ("ecs.amazonaws.fr", "mytag-21"),
        ("ecs.amazonaws.jp", "mytag-22"),
        ("ecs.amazonaws.ca", "mytag-20"),
    ];
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let http = client();
    for (host, tag) in hosts {
        server.state().reset_throttle();
        let params = signed(
            "GET",
            host,
            "/onca/xml",
            &[
                ("Service", "AWSECommerceService"),
                ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                ("AssociateTag", tag),
                ("Operation", "ItemLookup"),
                ("ItemId", "0679722769"),
                ("Timestamp", DG_TIME),
            ],
            PAAPI_SECRET,
        );
        let url = format!("{}/onca/xml?{}", server.base_url(), wire(&params));
        let ok = http.get(&url).header("host", host).send().await.unwrap();
        assert_eq!(ok.status().as_u16(), 200, "{host}");
        server.state().reset_throttle();
        let bad =
            http.get(url.replace("ItemId=0679722769", "ItemId=0679722768")).header("host", host).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 403, "{host}");
        let doc = xml::parse(&bad.text().await.unwrap()).unwrap();
        assert_eq!(doc.name, "ItemLookupErrorResponse", "{host}");
        assert_eq!(find_element(&doc, "Code").unwrap().text_content(), "SignatureDoesNotMatch");
        assert_eq!(
            find_element(&doc, "Message").unwrap().text_content(),
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        );
    }
    server.stop().await;
}

/// A key rotated through the admin API stops working at once; an MWS seller that revokes
/// a developer refuses it at once.
#[tokio::test]
async fn admin_changes_take_effect_at_once() {
    let server = MockServer::start_with(fixed_config()).await.unwrap();
    let base = server.base_url();
    let http = client();
    let host = server.addr().to_string();
    let lookup = |secret: &str| {
        let p = signed(
            "GET",
            &host,
            "/onca/xml",
            &[
                ("Service", "AWSECommerceService"),
                ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
                ("AssociateTag", "mytag-20"),
                ("Operation", "ItemLookup"),
                ("ItemId", "0679722769"),
                ("Timestamp", DG_TIME),
            ],
            secret,
        );
        format!("{base}/onca/xml?{}", wire(&p))
    };
    assert_eq!(http.get(lookup(PAAPI_SECRET)).send().await.unwrap().status().as_u16(), 200);
    let rotated = http
        .post(format!("{base}/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/rotate"))
        .body("secret=n3w-s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status().as_u16(), 204);
    server.state().reset_throttle();
    assert_eq!(http.get(lookup(PAAPI_SECRET)).send().await.unwrap().status().as_u16(), 403);
    server.state().reset_throttle();
    assert_eq!(http.get(lookup("n3w-s3cret")).send().await.unwrap().status().as_u16(), 200);
    let off = http
        .post(format!("{base}/__amzsig/keys/AKIAIOSFODNN7EXAMPLE/status"))
        .body("status=inactive")
        .send()
        .await
        .unwrap();
    assert_eq!(off.status().as_u16(), 204);
    server.state().reset_throttle();
    assert_ne!(http.get(lookup("n3w-s3cret")).send().await.unwrap().status().as_u16(), 200);

    let list_orders = |host: &str| {
        let p = signed(
            "POST",
            host,
            "/Orders/2013-09-01",
            &[
                ("AWSAccessKeyId", "022QF0EXAMPLEH9DHM02"),
                ("Action", "ListOrders"),
                ("SellerId", "A1ExampleE6"),
                ("MWSAuthToken", TOKEN),
                ("MarketplaceId.Id.1", "ATVPDKIKX0DER"),
                ("CreatedAfter", "2014-01-01T00:00:00Z"),
                ("SignatureVersion", "2"),
                ("SignatureMethod", "HmacSHA256"),
                ("Timestamp", DG_TIME),
                ("Version", "2013-09-01"),
            ],
            MWS_SECRET,
        );
        wire(&p)
    };
    let send = |body: String| {
        http.post(format!("{base}/Orders/2013-09-01"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    assert_eq!(send(list_orders(&host)).await.unwrap().status().as_u16(), 200);
    let revoked =
        http.delete(format!("{base}/__amzsig/sellers/A1ExampleE6/authorizations/1234-3214-4321")).send().await.unwrap();
    assert_eq!(revoked.status().as_u16(), 204);
    let denied = send(list_orders(&host)).await.unwrap();
    assert_eq!(denied.status().as_u16(), 401);
    assert!(denied.text().await.unwrap().contains("<Code>AccessDenied</Code>"));
    server.stop().await;
}
