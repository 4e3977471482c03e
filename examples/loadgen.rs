//! The mixed load test's client (issue 7): `benches/load_mixed.sh` starts `amzsig serve` on
//! 127.0.0.1 with a keystore this program prints, then runs it against the server.
//!
//! - `loadgen keystore [--cold N] [--hot N] [--sellers N]` prints the keystore YAML: `N`
//!   cold PA-API keys (each used at most once every two seconds, under PA-API's one request
//!   per second per key, so every one must be accepted), hot keys (hammered, so the mock
//!   must throttle them to exactly its rate), one MWS developer key and `--sellers` sellers
//!   that authorised it. The keys are made up for the test; secrets never pass through argv.
//! - `loadgen run --base-url URL [--connections 256] [--seconds 60] [--json FILE] ...`
//!   keeps `--connections` requests in flight (one persistent connection per worker) for
//!   `--seconds`, mixing valid, throttled and invalid PA-API requests and MWS requests with
//!   quotas. Every answer is checked against what its request must get: the HTTP status
//!   and the error code parsed from the XML body (a parse failure is a wrong answer), and
//!   for accepted requests the response root. Afterwards the journal
//!   (`GET /__amzsig/requests`) is checked against the answers by request id. Exit 0 when
//!   every check holds, 1 otherwise; a summary goes to stdout, figures to `--json`.
//!
//! Why a Rust client rather than wrk + Lua: each answer has to be matched to its request
//! and its XML parsed (wrk's `response()` hook sees neither the request nor a parser), and
//! signing with a fresh timestamp needs HMAC-SHA256, which the crate already has.
//!
//! Rates (what "throttling exact" is checked against):
//! - PA-API: one request per second per access key, no burst (PA-API Developer Guide,
//!   "Efficiency Guidelines"); a key hammered for `t` seconds may get at most `1 + t`
//!   requests accepted.
//! - MWS, per seller and developer key (MWS Developer Guide, "Throttling"; the operation
//!   pages as mirrored in bizon/mws-api-doc): `ListMarketplaceParticipations` maximum
//!   request quota 15, restore rate one per minute; Sellers `GetServiceStatus` 2, one every
//!   five minutes. At most `quota + floor(t / restore)` accepted.
//!
//! The signatures come from amzsig's own SigV2 signer (the published vectors check it
//! elsewhere); what this test checks is the server under concurrency, not the signer.

use amzsig::clock::Clock;
use amzsig::crypto::SecretKey;
use amzsig::encoding::ParamList;
use amzsig::request::{RequestView, Scheme};
use amzsig::sigv2::{self, SignatureMethod};
use amzsig::xml::{self, Element, Node};
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Mixed load test client for amzsig serve (loopback only)")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the keystore YAML the run expects.
    Keystore(Keys),
    /// Run the load against a server started with that keystore.
    Run(Run),
}

#[derive(clap::Args, Clone, Copy)]
struct Keys {
    /// Cold PA-API keys (each used at most every `--cold-period-ms`).
    #[arg(long, default_value_t = 600)]
    cold: usize,
    /// Hot PA-API keys (hammered, throttled).
    #[arg(long, default_value_t = 4)]
    hot: usize,
    /// MWS sellers that authorised the load developer.
    #[arg(long, default_value_t = 4)]
    sellers: usize,
}

#[derive(clap::Args)]
struct Run {
    /// `http://127.0.0.1:PORT` of `amzsig serve` (loopback only).
    #[arg(long)]
    base_url: String,
    /// Requests in flight, one persistent connection each.
    #[arg(long, default_value_t = 256)]
    connections: usize,
    /// Length of the run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Minimum time between two requests with one cold key.
    #[arg(long, default_value_t = 2000)]
    cold_period_ms: u64,
    /// Write the figures as JSON here.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// The server's process id: its memory (VmRSS, VmHWM) is read from `/proc` at the end
    /// of the load, before the journal is fetched (serving it as JSON takes memory too).
    #[arg(long)]
    server_pid: Option<u32>,
    #[command(flatten)]
    keys: Keys,
}

const TAG: &str = "loadtag-20";
const MWS_DEVELOPER: &str = "5555-0000-0001";
const MWS_KEY: &str = "LOADMWSDEV0000000001";
const UNKNOWN_KEY: &str = "LOADUNKNOWN000000000";
const ASIN: &str = "0679722769";

fn cold_key(i: usize) -> (String, String) {
    (format!("LOADCOLD{i:012}"), format!("load-cold-secret-{i:06}-EXAMPLEKEY"))
}

fn hot_key(i: usize) -> (String, String) {
    (format!("LOADHOT{i:013}"), format!("load-hot-secret-{i:06}-EXAMPLEKEY"))
}

fn mws_secret() -> SecretKey {
    SecretKey::new("load-mws-developer-secret-EXAMPLEKEY")
}

fn seller(i: usize) -> (String, String) {
    (format!("ALOADSELLER{i:04}"), format!("amzn.mws.load-{i:04}-EXAMPLE"))
}

fn keystore_yaml(k: Keys) -> String {
    let mut y =
        String::from("# Written by examples/loadgen.rs for benches/load_mixed.sh: made-up test keys.\naccounts:\n");
    let mut account = |name: &str, keys: &mut dyn Iterator<Item = (String, String)>, tags: bool, dev: Option<&str>| {
        let _ = writeln!(y, "  - name: {name}\n    access_keys:");
        for (id, secret) in keys {
            let _ = writeln!(y, "      - id: {id}\n        secret: \"{secret}\"");
        }
        if tags {
            let _ = writeln!(y, "    associate_tags:\n      us: {TAG}");
        }
        if let Some(d) = dev {
            let _ = writeln!(y, "    mws_developer_id: \"{d}\"");
        }
    };
    account("load-cold", &mut (0..k.cold).map(cold_key), true, None);
    account("load-hot", &mut (0..k.hot).map(hot_key), true, None);
    account(
        "load-mws",
        &mut std::iter::once((MWS_KEY.to_owned(), "load-mws-developer-secret-EXAMPLEKEY".to_owned())),
        false,
        Some(MWS_DEVELOPER),
    );
    y.push_str("sellers:\n");
    for i in 0..k.sellers {
        let (id, token) = seller(i);
        let _ = writeln!(
            y,
            "  - seller_id: {id}\n    marketplaces: [ATVPDKIKX0DER]\n    authorizations:\n      - developer_id: \
             \"{MWS_DEVELOPER}\"\n        mws_auth_token: {token}"
        );
    }
    y
}

/// What a request is, and so what it must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// A cold key's ItemLookup: 200.
    Cold(usize),
    /// A hot key's ItemLookup: 200 or 503 `RequestThrottled`.
    Hot(usize),
    /// Signed, then a signed value changed: 403 `SignatureDoesNotMatch`.
    BadSignature,
    /// A key the keystore does not have: 403 `InvalidClientTokenId`.
    UnknownKey,
    /// Timestamp an hour old: 400 `RequestExpired`.
    Expired,
    /// A bad percent-escape in the query: 400 `MalformedQueryString`.
    Malformed,
    /// MWS `ListMarketplaceParticipations` for a seller: 200 or 503 `RequestThrottled`.
    MwsParticipations(usize),
    /// MWS Sellers `GetServiceStatus` for a seller: 200 or 503 `RequestThrottled`.
    MwsStatus(usize),
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Cold(_) => "paapi valid (cold key)",
            Kind::Hot(_) => "paapi hot key",
            Kind::BadSignature => "paapi bad signature",
            Kind::UnknownKey => "paapi unknown key",
            Kind::Expired => "paapi expired",
            Kind::Malformed => "paapi malformed query",
            Kind::MwsParticipations(_) => "mws ListMarketplaceParticipations",
            Kind::MwsStatus(_) => "mws GetServiceStatus",
        }
    }

    /// The answers allowed: (status, error code, root element of a success).
    fn allowed(self) -> &'static [(u16, Option<&'static str>, &'static str)] {
        const THROTTLED: (u16, Option<&str>, &str) = (503, Some("RequestThrottled"), "ErrorResponse");
        match self {
            Kind::Cold(_) => &[(200, None, "ItemLookupResponse")],
            Kind::Hot(_) => {
                &[(200, None, "ItemLookupResponse"), (503, Some("RequestThrottled"), "ItemLookupErrorResponse")]
            }
            Kind::BadSignature => &[(403, Some("SignatureDoesNotMatch"), "ItemLookupErrorResponse")],
            Kind::UnknownKey => &[(403, Some("InvalidClientTokenId"), "ItemLookupErrorResponse")],
            Kind::Expired => &[(400, Some("RequestExpired"), "ItemLookupErrorResponse")],
            Kind::Malformed => &[(400, Some("MalformedQueryString"), "ErrorResponse")],
            Kind::MwsParticipations(_) => &[(200, None, "ListMarketplaceParticipationsResponse"), THROTTLED],
            Kind::MwsStatus(_) => &[(200, None, "GetServiceStatusResponse"), THROTTLED],
        }
    }
}

/// A request ready to send.
struct Prepared {
    kind: Kind,
    method: reqwest::Method,
    url: String,
    form: Option<String>,
}

/// Shared by the workers.
struct Plan {
    base: String,
    host: String,
    keys: Keys,
    cold_secrets: Vec<SecretKey>,
    hot_secrets: Vec<SecretKey>,
    /// Per cold key: the earliest time (ms since start) it may be used again; `u64::MAX`
    /// while a request with it is in flight. The period runs from the answer, not from the
    /// send: two requests with one key then reach the server at least a period apart, even
    /// when the first one waited in a queue.
    cold_due: Vec<AtomicU64>,
    cold_cursor: AtomicUsize,
    cold_period_ms: u64,
    start: Instant,
    deadline: Instant,
}

impl Plan {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// A cold key whose period has passed, reserved for one request.
    fn take_cold(&self) -> Option<usize> {
        let n = self.cold_due.len();
        if n == 0 {
            return None;
        }
        let now = self.now_ms();
        for _ in 0..8 {
            let i = self.cold_cursor.fetch_add(1, Ordering::Relaxed) % n;
            let due = self.cold_due[i].load(Ordering::Acquire);
            if due <= now
                && self.cold_due[i].compare_exchange(due, u64::MAX, Ordering::AcqRel, Ordering::Acquire).is_ok()
            {
                return Some(i);
            }
        }
        None
    }

    fn paapi(&self, kind: Kind, key: &str, secret: &SecretKey, timestamp: &str, item: &str) -> Prepared {
        let params: ParamList = [
            ("Service", "AWSECommerceService"),
            ("AWSAccessKeyId", key),
            ("AssociateTag", TAG),
            ("Operation", "ItemLookup"),
            ("ItemId", item),
            ("ResponseGroup", "Images,ItemAttributes,Offers"),
            ("Version", "2013-08-01"),
            ("Timestamp", timestamp),
        ]
        .into_iter()
        .collect();
        let view =
            RequestView { method: "GET", scheme: Scheme::Http, host: &self.host, path: "/onca/xml", params: &params };
        let signed = sigv2::sign(&view, SignatureMethod::HmacSha256, secret);
        let mut query = signed.wire_query(&params);
        if kind == Kind::BadSignature {
            // Change a signed value after signing: the server's signature differs.
            query = query.replacen(&format!("ItemId={ASIN}"), "ItemId=0679722770", 1);
        }
        Prepared { kind, method: reqwest::Method::GET, url: format!("{}/onca/xml?{query}", self.base), form: None }
    }

    fn mws(&self, kind: Kind, seller_index: usize, timestamp: &str) -> Prepared {
        let (seller_id, token) = seller(seller_index);
        let (path, action, version) = match kind {
            Kind::MwsStatus(_) => ("/Sellers/2011-07-01", "GetServiceStatus", "2011-07-01"),
            _ => ("/Sellers/2011-07-01", "ListMarketplaceParticipations", "2011-07-01"),
        };
        let params: ParamList = [
            ("AWSAccessKeyId", MWS_KEY),
            ("Action", action),
            ("SellerId", seller_id.as_str()),
            ("MWSAuthToken", token.as_str()),
            ("SignatureVersion", "2"),
            ("SignatureMethod", "HmacSHA256"),
            ("Timestamp", timestamp),
            ("Version", version),
        ]
        .into_iter()
        .collect();
        let view = RequestView { method: "POST", scheme: Scheme::Http, host: &self.host, path, params: &params };
        let signed = sigv2::sign(&view, SignatureMethod::HmacSha256, &mws_secret());
        Prepared {
            kind,
            method: reqwest::Method::POST,
            url: format!("{}{path}", self.base),
            form: Some(signed.wire_query(&params)),
        }
    }

    /// The request for slot `n` of a worker's cycle.
    fn prepare(&self, n: usize) -> Prepared {
        let now = Clock::System.now();
        let ts = now.to_iso8601();
        let hot = |n: usize| {
            let i = n % self.keys.hot.max(1);
            (Kind::Hot(i), hot_key(i).0, &self.hot_secrets[i])
        };
        let sellers = self.keys.sellers.max(1);
        match n % 12 {
            0 | 4 | 8 => {
                if let Some(i) = self.take_cold() {
                    self.paapi(Kind::Cold(i), &cold_key(i).0, &self.cold_secrets[i], &ts, ASIN)
                } else {
                    let (kind, key, secret) = hot(n / 12);
                    self.paapi(kind, &key, secret, &ts, ASIN)
                }
            }
            1 | 5 => {
                let (kind, key, secret) = hot(n / 12 + n % 12);
                self.paapi(kind, &key, secret, &ts, ASIN)
            }
            2 => {
                let (_, key, secret) = hot(n / 12);
                self.paapi(Kind::BadSignature, &key, secret, &ts, ASIN)
            }
            3 => self.paapi(Kind::UnknownKey, UNKNOWN_KEY, &self.hot_secrets[0], &ts, ASIN),
            6 => {
                self.paapi(Kind::Expired, &hot_key(0).0, &self.hot_secrets[0], &now.plus_secs(-3600).to_iso8601(), ASIN)
            }
            7 => Prepared {
                kind: Kind::Malformed,
                method: reqwest::Method::GET,
                url: format!(
                    "{}/onca/xml?Service=AWSECommerceService&Operation=Item%zzLookup&ItemId={ASIN}",
                    self.base
                ),
                form: None,
            },
            9 | 11 => self.mws(Kind::MwsParticipations((n / 12) % sellers), (n / 12) % sellers, &ts),
            _ => self.mws(Kind::MwsStatus((n / 12) % sellers), (n / 12) % sellers, &ts),
        }
    }
}

/// One answer, as judged.
struct Answer {
    kind: Kind,
    status: u16,
    code: Option<String>,
    request_id: Option<String>,
    sent_ms: u64,
    done_ms: u64,
    latency_us: u32,
    /// Why it is not an allowed answer for its request.
    wrong: Option<String>,
}

/// The first element named `RequestId` or `RequestID`, depth first.
fn request_id(e: &Element) -> Option<String> {
    if e.name == "RequestId" || e.name == "RequestID" {
        return Some(e.text_content());
    }
    e.children.iter().find_map(|c| match c {
        Node::Element(c) => request_id(c),
        Node::Text(_) => None,
    })
}

fn judge(kind: Kind, status: u16, body: &str) -> (Option<String>, Option<String>, Option<String>) {
    let doc = match xml::parse(body) {
        Ok(d) => d,
        Err(e) => return (None, None, Some(format!("status {status}, body is not XML: {e}"))),
    };
    let code = doc.path("Error/Code").map(Element::text_content);
    let rid = request_id(&doc);
    let ok = kind.allowed().iter().any(|(s, c, root)| *s == status && code.as_deref() == *c && doc.name == *root);
    let wrong = (!ok).then(|| format!("status {status}, code {code:?}, root {}", doc.name));
    (code, rid, wrong)
}

async fn worker(plan: Arc<Plan>, id: usize, out: Arc<Mutex<Vec<Answer>>>, transport: Arc<Mutex<Vec<String>>>) {
    let client = match reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(20))
        .no_proxy()
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            transport.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(format!("client: {e}"));
            return;
        }
    };
    let mut mine = Vec::new();
    let mut n = id * 7;
    while Instant::now() < plan.deadline {
        let p = plan.prepare(n);
        n += 1;
        let mut rb = client.request(p.method.clone(), &p.url);
        if let Some(form) = p.form {
            rb = rb.header("content-type", "application/x-www-form-urlencoded; charset=utf-8").body(form);
        }
        let sent_ms = plan.now_ms();
        let t = Instant::now();
        let result = match rb.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                r.text().await.map(|b| (status, b))
            }
            Err(e) => Err(e),
        };
        let latency_us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
        if let Kind::Cold(i) = p.kind {
            plan.cold_due[i].store(plan.now_ms() + plan.cold_period_ms, Ordering::Release);
        }
        match result {
            Ok((status, body)) => {
                let (code, request_id, wrong) = judge(p.kind, status, &body);
                mine.push(Answer {
                    kind: p.kind,
                    status,
                    code,
                    request_id,
                    sent_ms,
                    done_ms: plan.now_ms(),
                    latency_us,
                    wrong,
                });
            }
            Err(e) => {
                transport.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(format!("{}: {e}", p.url));
            }
        }
    }
    out.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(mine);
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// Throttling bound for a key or seller group: at most `burst + floor(window / restore)`.
struct Rate {
    label: String,
    burst: u64,
    restore_ms: u64,
    accepted: u64,
    throttled: u64,
    first_sent_ms: u64,
    last_done_ms: u64,
}

impl Rate {
    fn bound(&self) -> u64 {
        self.burst + self.last_done_ms.saturating_sub(self.first_sent_ms) / self.restore_ms
    }
}

#[allow(clippy::too_many_lines)] // one report: the checks and their figures
async fn run(r: Run) -> Result<bool, String> {
    let host = r.base_url.strip_prefix("http://").ok_or("--base-url must be http://127.0.0.1:PORT")?.to_owned();
    let addr: std::net::SocketAddr = host.parse().map_err(|e| format!("--base-url: {e}"))?;
    if !addr.ip().is_loopback() {
        return Err("the load test runs on loopback only".into());
    }
    let start = Instant::now();
    let plan = Arc::new(Plan {
        base: r.base_url.clone(),
        host,
        keys: r.keys,
        cold_secrets: (0..r.keys.cold).map(|i| SecretKey::new(cold_key(i).1)).collect(),
        hot_secrets: (0..r.keys.hot.max(1)).map(|i| SecretKey::new(hot_key(i).1)).collect(),
        cold_due: (0..r.keys.cold).map(|_| AtomicU64::new(0)).collect(),
        cold_cursor: AtomicUsize::new(0),
        cold_period_ms: r.cold_period_ms,
        start,
        deadline: start + Duration::from_secs(r.seconds),
    });
    let answers = Arc::new(Mutex::new(Vec::new()));
    let transport = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> =
        (0..r.connections).map(|i| tokio::spawn(worker(plan.clone(), i, answers.clone(), transport.clone()))).collect();
    for t in tasks {
        t.await.map_err(|e| format!("worker: {e}"))?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let answers = std::mem::take(&mut *answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let transport = std::mem::take(&mut *transport.lock().unwrap_or_else(std::sync::PoisonError::into_inner));

    // Per kind: count, wrong answers.
    let mut by_kind: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut wrong: Vec<String> = Vec::new();
    let mut latencies: Vec<u32> = Vec::with_capacity(answers.len());
    let mut rates: HashMap<Kind, Rate> = HashMap::new();
    for a in &answers {
        let entry = by_kind.entry(a.kind.label()).or_default();
        entry.0 += 1;
        latencies.push(a.latency_us);
        if let Some(w) = &a.wrong {
            entry.1 += 1;
            if wrong.len() < 20 {
                wrong.push(format!("{}: {w}", a.kind.label()));
            }
        }
        let (label, burst, restore_ms) = match a.kind {
            Kind::Hot(i) => (format!("paapi {}", hot_key(i).0), 1, 1000),
            Kind::MwsParticipations(s) => (format!("mws {} ListMarketplaceParticipations", seller(s).0), 15, 60_000),
            Kind::MwsStatus(s) => (format!("mws {} GetServiceStatus", seller(s).0), 2, 300_000),
            _ => continue,
        };
        let rate = rates.entry(a.kind).or_insert_with(|| Rate {
            label,
            burst,
            restore_ms,
            accepted: 0,
            throttled: 0,
            first_sent_ms: u64::MAX,
            last_done_ms: 0,
        });
        if a.status == 200 {
            rate.accepted += 1;
        } else if a.status == 503 {
            rate.throttled += 1;
        }
        rate.first_sent_ms = rate.first_sent_ms.min(a.sent_ms);
        rate.last_done_ms = rate.last_done_ms.max(a.done_ms);
    }
    latencies.sort_unstable();
    let total = answers.len() as u64 + transport.len() as u64;
    let wrong_total: u64 = by_kind.values().map(|(_, w)| w).sum();
    #[allow(clippy::cast_precision_loss)] // request counts are far below 2^52
    let per_second = total as f64 / elapsed;
    let mut ok = transport.is_empty() && wrong_total == 0 && !answers.is_empty();

    let mut report = String::new();
    let _ = writeln!(
        report,
        "loadgen: {} connections, {elapsed:.1} s: {total} requests ({:.0}/s), {} transport errors, {wrong_total} \
         wrong answers; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.connections,
        per_second,
        transport.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    let mut kinds: Vec<_> = by_kind.iter().collect();
    kinds.sort();
    for (label, (n, w)) in &kinds {
        let _ = writeln!(report, "  {label:<36} {n:>8} requests, {w} wrong");
    }
    for w in &wrong {
        let _ = writeln!(report, "  WRONG {w}");
    }
    for t in transport.iter().take(10) {
        let _ = writeln!(report, "  TRANSPORT {t}");
    }

    // Throttling: never more than the rule allows; hammered groups get close to it.
    let mut groups: Vec<&Rate> = rates.values().collect();
    groups.sort_by(|a, b| a.label.cmp(&b.label));
    let mut throttle_json = Vec::new();
    for g in &groups {
        let bound = g.bound();
        let over = g.accepted > bound;
        // Hammered (throttled at least once) groups should reach the bound but for the
        // refill in flight at the end: at least `bound - 2`.
        let under = g.throttled > 0 && g.accepted + 2 < bound;
        ok &= !over && !under;
        let _ = writeln!(
            report,
            "  throttle {:<48} accepted {:>4} (bound {bound:>4}), throttled {:>7}{}",
            g.label,
            g.accepted,
            g.throttled,
            if over {
                "  OVER THE RULE"
            } else if under {
                "  FAR UNDER THE RULE"
            } else {
                ""
            }
        );
        throttle_json.push(serde_json::json!({
            "group": g.label, "accepted": g.accepted, "bound": bound, "throttled": g.throttled,
        }));
    }

    let memory = r.server_pid.map(|pid| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        };
        (kb("VmRSS:").unwrap_or(0), kb("VmHWM:").unwrap_or(0))
    });
    if let Some((rss, hwm)) = memory {
        let _ = writeln!(report, "  server memory after the load: VmRSS {} MB, VmHWM {} MB", rss / 1024, hwm / 1024);
    }

    // Journal: the last entry's sequence number counts every request the server received
    // (this program is its only client), and each entry kept matches the answer sent.
    let journal_text = reqwest::Client::new()
        .get(format!("{}/__amzsig/requests", r.base_url))
        .send()
        .await
        .map_err(|e| format!("journal: {e}"))?
        .text()
        .await
        .map_err(|e| format!("journal: {e}"))?;
    let journal: Vec<serde_json::Value> =
        serde_json::from_str(&journal_text).map_err(|e| format!("journal is not JSON: {e}"))?;
    let by_id: HashMap<&str, &Answer> =
        answers.iter().filter_map(|a| a.request_id.as_deref().map(|id| (id, a))).collect();
    let last_seq = journal.last().and_then(|e| e["seq"].as_u64()).unwrap_or(0);
    let mut mismatched = 0_u64;
    let mut unknown = 0_u64;
    for e in &journal {
        let Some(a) = e["request_id"].as_str().and_then(|id| by_id.get(id)) else {
            unknown += 1;
            continue;
        };
        let same = e["status"].as_u64() == Some(u64::from(a.status)) && e["error_code"].as_str() == a.code.as_deref();
        if !same {
            mismatched += 1;
        }
    }
    let journal_ok = last_seq == total && mismatched == 0 && unknown == 0;
    ok &= journal_ok;
    let _ = writeln!(
        report,
        "  journal: {} entries kept, last seq {last_seq} (requests sent {total}), {mismatched} disagree with the \
         answer, {unknown} unknown request ids{}",
        journal.len(),
        if journal_ok { "" } else { "  INCONSISTENT" }
    );
    let _ = writeln!(report, "loadgen: {}", if ok { "PASS" } else { "FAIL" });
    print!("{report}");

    if let Some(path) = &r.json {
        let figures = serde_json::json!({
            "connections": r.connections,
            "seconds": elapsed,
            "requests": total,
            "requests_per_second": per_second,
            "transport_errors": transport.len(),
            "wrong_answers": wrong_total,
            "p50_ms": percentile(&latencies, 0.5),
            "p99_ms": percentile(&latencies, 0.99),
            "max_ms": percentile(&latencies, 1.0),
            "kinds": kinds.iter().map(|(k, (n, w))| serde_json::json!({"kind": k, "requests": n, "wrong": w})).collect::<Vec<_>>(),
            "throttling": throttle_json,
            "journal": {"kept": journal.len(), "last_seq": last_seq, "mismatched": mismatched, "unknown": unknown},
            "server_rss_kb": memory.map(|m| m.0),
            "server_hwm_kb": memory.map(|m| m.1),
            "pass": ok,
        });
        std::fs::write(path, serde_json::to_string_pretty(&figures).unwrap_or_default())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(ok)
}

fn main() -> std::process::ExitCode {
    match Args::parse().command {
        Command::Keystore(k) => {
            print!("{}", keystore_yaml(k));
            std::process::ExitCode::SUCCESS
        }
        Command::Run(r) => {
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("loadgen: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            match runtime.block_on(run(r)) {
                Ok(true) => std::process::ExitCode::SUCCESS,
                Ok(false) => std::process::ExitCode::from(1),
                Err(e) => {
                    eprintln!("loadgen: {e}");
                    std::process::ExitCode::from(2)
                }
            }
        }
    }
}
