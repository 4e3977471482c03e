//! The mock endpoint's HTTP shell (hyper + axum + tokio): it takes requests apart, hands them to
//! the pure [`crate::services`], renders the [`crate::services::Outcome`], records it in
//! the [`crate::journal`] and logs one line per request.
//!
//! - [`app`] builds the whole `Router` from shared state, so tests can drive it with
//!   `oneshot` as well as over a socket.
//! - [`MockServer`] is the library API for Rust test suites (in the style of wiremock):
//!   start on a free loopback port, get the base URL, read the journal, stop.
//! - `routes/amazon.rs` answers every Amazon request (service chosen by
//!   [`crate::services::dispatch`]); `routes/admin.rs` serves `/__amzsig/…` (journal,
//!   key rotation and status, seller authorisations), loopback-only by default.
//! - `log`: the buffered log writer `serve` installs (one write to stderr per batch of
//!   lines, not per request; flushed on stop).
//! - `listener.rs` is the accept loop and HTTP/1.1 layer (hyper): connection count, head
//!   and body sizes, read and keep-alive timeouts ([`Limits`]), graceful stop; over TLS
//!   too (feature `tls`: `tls.rs` makes or reads the certificate, [`TlsSetup`]).

mod config;
mod listener;
#[cfg(feature = "cli")]
pub(crate) mod log;
mod routes;
#[cfg(feature = "tls")]
mod tls;

#[cfg(feature = "tls")]
pub use tls::{TlsError, TlsServer, TlsSetup, DEFAULT_NAMES as TLS_DEFAULT_NAMES};

#[cfg(feature = "cli")]
pub(crate) use config::normalise_domain;
pub use config::{AdminAccess, ConfigError, LimitError, LimitOverrides, Limits, ServerConfig};

use crate::catalogue::Catalogue;
use crate::clock::{Clock, UtcTime};
use crate::journal::{Journal, JournalEntry};
use crate::keystore::{AdminError, KeyStatus, Keystore};
use crate::services::request_id::RequestIds;
use crate::services::throttle::{Buckets, Quota, Throttle, ThrottleDecision};
use crate::services::ServiceOptions;
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The state every handler shares.
#[derive(Debug)]
pub struct AppState {
    keystore: RwLock<Keystore>,
    /// The keystore as loaded, for [`AppState::reset`].
    loaded_keystore: Keystore,
    catalogue: Catalogue,
    clock: Clock,
    options: ServiceOptions,
    journal: Journal,
    buckets: SharedBuckets,
    ids: Mutex<RequestIds>,
    signing_keys: Mutex<crate::sigv4::SigningKeyCache>,
    admin: AdminAccess,
    limits: Limits,
    s3: crate::services::s3::Store,
}

/// The throttle's buckets behind a mutex: the server's [`Throttle`].
#[derive(Debug, Default)]
pub struct SharedBuckets(Mutex<Buckets>);

impl Throttle for SharedBuckets {
    fn take(&self, key: &str, quota: Quota, now: UtcTime) -> ThrottleDecision {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take(key, quota, now)
    }
}

impl AppState {
    /// State built from a configuration.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            keystore: RwLock::new(config.keystore.clone()),
            catalogue: config.catalogue,
            clock: config.clock,
            options: config.options,
            journal: Journal::new(config.journal_capacity),
            loaded_keystore: config.keystore,
            buckets: SharedBuckets::default(),
            ids: Mutex::new(RequestIds::new(config.request_id_seed)),
            signing_keys: Mutex::new(crate::sigv4::SigningKeyCache::default()),
            admin: config.admin,
            limits: config.limits,
            s3: crate::services::s3::Store::new(config.s3_max_bytes),
        }
    }

    /// The HTTP layer's limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Runs `f` with the keystore locked for writing (key rotation, authorisations).
    pub fn with_keystore_mut<T>(&self, f: impl FnOnce(&mut Keystore) -> T) -> T {
        f(&mut self.keystore.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// Empties every throttle bucket.
    pub fn reset_throttle(&self) {
        self.buckets.0.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// The in-memory S3's store.
    pub fn s3(&self) -> &crate::services::s3::Store {
        &self.s3
    }

    /// Back to the state the server started in: the journal emptied (sequence numbers go
    /// on), every throttle bucket emptied, the keystore as loaded (rotations, status
    /// changes and authorisations undone), the SigV4 signing-key cache forgotten and the
    /// in-memory S3 emptied (but for its demo bucket).
    pub fn reset(&self) {
        self.s3.clear();
        self.journal.clear();
        self.reset_throttle();
        *self.keystore.write().unwrap_or_else(PoisonError::into_inner) = self.loaded_keystore.clone();
        *self.signing_keys.lock().unwrap_or_else(PoisonError::into_inner) = crate::sigv4::SigningKeyCache::default();
    }

    fn next_request_id(&self) -> String {
        self.ids.lock().unwrap_or_else(PoisonError::into_inner).next_uuid()
    }
}

/// The whole application.
pub fn app(state: Arc<AppState>) -> Router {
    routes::admin::router(state.clone()).fallback(routes::amazon::handle).with_state(state)
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {0}")]
    Bind(SocketAddr, #[source] std::io::Error),
    /// A limit cannot work (see [`Limits::validate`]).
    #[error("limits")]
    Limits(#[source] LimitError),
    /// TLS could not be set up (certificate files, generation).
    #[cfg(feature = "tls")]
    #[error("TLS")]
    Tls(#[source] TlsError),
}

/// A running mock endpoint.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// Serving HTTPS (the generated CA, if one was made).
    #[cfg(feature = "tls")]
    tls: Option<TlsServer>,
}

impl MockServer {
    /// Starts the mock on a free loopback port with the defaults: the embedded keystore
    /// (Amazon's documentation keys) and catalogue, the system clock, throttling on.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), amzsig::server::ServerError> {
    /// let server = amzsig::server::MockServer::start().await?;
    /// assert!(server.base_url().starts_with("http://127.0.0.1:"));
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start() -> Result<MockServer, ServerError> {
        Self::start_with(ServerConfig::default()).await
    }

    /// A builder: the defaults of [`MockServer::start`], changed one setting at a time.
    ///
    /// ```
    /// use amzsig::services::Throttling;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::server::MockServer::builder()
    ///     .clock("fixed:2014-08-18T12:00:00Z".parse()?)
    ///     .throttling(Throttling::Off)
    ///     .start()
    ///     .await?;
    /// server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Binds `config.listen` (port 0: a free port) and serves in the background, with
    /// the HTTP layer's [`Limits`] (`config.limits`).
    pub async fn start_with(config: ServerConfig) -> Result<MockServer, ServerError> {
        config.limits.validate().map_err(ServerError::Limits)?;
        let listen = config.listen;
        let listener = TcpListener::bind(listen).await.map_err(|e| ServerError::Bind(listen, e))?;
        let addr = listener.local_addr().map_err(|e| ServerError::Bind(listen, e))?;
        #[cfg(feature = "tls")]
        let tls = config.tls.as_ref().map(TlsServer::new).transpose().map_err(ServerError::Tls)?;
        #[cfg(feature = "tls")]
        let acceptor = tls.as_ref().map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone()));
        #[cfg(not(feature = "tls"))]
        let acceptor = None;
        let state = Arc::new(AppState::new(config));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(listener::serve(listener, state.clone(), app(state.clone()), acceptor, rx));
        Ok(MockServer {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
            #[cfg(feature = "tls")]
            tls,
        })
    }

    /// The bound address: what a client puts in its `Host` header (and signs).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), amzsig::server::ServerError> {
    /// let server = amzsig::MockServer::start().await?;
    /// assert!(server.addr().ip().is_loopback());
    /// assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or `http://[::1]:PORT`); `https://…` when serving TLS.
    pub fn base_url(&self) -> String {
        format!("{}://{}", if self.is_tls() { "https" } else { "http" }, self.addr)
    }

    /// Whether the mock serves HTTPS.
    pub fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        false
    }

    /// The CA certificate (PEM) that signed the mock's certificate, when it made one at
    /// start ([`MockServerBuilder::tls`]): what a client must trust.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), amzsig::server::ServerError> {
    /// let server = amzsig::MockServer::builder().tls().start().await?;
    /// assert!(server.base_url().starts_with("https://127.0.0.1:"));
    /// assert!(server.ca_pem().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().and_then(TlsServer::ca_pem)
    }

    /// The shared state (journal, keystore).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// A copy of the journal, oldest first (the same as [`MockServer::received`]).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal.entries()
    }

    /// Every request the mock received, oldest first, with how it was judged.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// reqwest::get(&signed).await?;
    /// reqwest::get(format!("{}/onca/xml?Operation=ItemLookup", server.base_url())).await?;
    /// let received = server.received();
    /// assert_eq!(received.len(), 2);
    /// received[0].assert_accepted();
    /// received[1].assert_refused_with("MissingClientTokenId"); // no AWSAccessKeyId
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn received(&self) -> Vec<JournalEntry> {
        self.state.journal.entries()
    }

    /// The requests signed with the access key `access_key_id`, oldest first.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// reqwest::get(&signed).await?;
    /// assert_eq!(server.received_by_key("AKIAIOSFODNN7EXAMPLE").len(), 1);
    /// assert!(server.received_by_key("AKIDEXAMPLE").is_empty());
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn received_by_key(&self, access_key_id: &str) -> Vec<JournalEntry> {
        self.received_matching(|e| e.access_key_id.as_deref() == Some(access_key_id))
    }

    /// The requests a service handled (PA-API, MWS, PA-API 5.0, the generic AWS endpoint),
    /// oldest first.
    ///
    /// ```
    /// use amzsig::services::ServiceKind;
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// reqwest::get(&signed).await?;
    /// assert_eq!(server.received_for(ServiceKind::Paapi).len(), 1);
    /// assert!(server.received_for(ServiceKind::Mws).is_empty());
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn received_for(&self, service: crate::services::ServiceKind) -> Vec<JournalEntry> {
        self.received_matching(|e| e.service == Some(service))
    }

    /// The requests for which `keep` is true, oldest first.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// reqwest::get(&signed).await?;
    /// let lookups = server.received_matching(|e| e.operation.as_deref() == Some("ItemLookup"));
    /// assert_eq!(lookups.len(), 1);
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn received_matching(&self, mut keep: impl FnMut(&JournalEntry) -> bool) -> Vec<JournalEntry> {
        self.journal().into_iter().filter(|e| keep(e)).collect()
    }

    /// The requests the mock accepted, oldest first.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// reqwest::get(&signed).await?;
    /// reqwest::get(format!("{}/onca/xml", server.base_url())).await?; // unsigned: refused
    /// assert_eq!(server.accepted().len(), 1);
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn accepted(&self) -> Vec<JournalEntry> {
        self.journal().into_iter().filter(|e| e.verdict == crate::services::Verdict::Accepted).collect()
    }

    /// The requests the mock refused (every refusal: signature, parameters, HTTP limits),
    /// oldest first.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// let wrong = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("not the secret"))?;
    /// reqwest::get(&wrong).await?;
    /// let refused = server.refused();
    /// refused[0].assert_refused_with("SignatureDoesNotMatch");
    /// assert_eq!(refused[0].diagnosis.as_deref(), Some("unknown")); // no signer mistake explains a wrong secret
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn refused(&self) -> Vec<JournalEntry> {
        self.journal().into_iter().filter(|e| e.verdict == crate::services::Verdict::Refused).collect()
    }

    /// The last request the mock received, if any.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// assert!(server.last().is_none());
    /// reqwest::get(&signed).await?;
    /// let last = server.last().expect("one request");
    /// assert_eq!((last.status, last.operation.as_deref()), (200, Some("ItemLookup")));
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn last(&self) -> Option<JournalEntry> {
        self.state.journal.last()
    }

    /// Resets the key `access_key_id` to `secret`: the old secret stops working at once
    /// (as `POST /__amzsig/keys/{id}/rotate`).
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// server.rotate_key("AKIAIOSFODNN7EXAMPLE", "a new secret")?;
    /// assert_eq!(reqwest::get(&signed).await?.status(), 403);
    /// let resigned = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("a new secret"))?;
    /// assert_eq!(reqwest::get(&resigned).await?.status(), 200);
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn rotate_key(&self, access_key_id: &str, secret: &str) -> Result<(), AdminError> {
        self.state.with_keystore_mut(|k| k.rotate_key(access_key_id, crate::crypto::SecretKey::new(secret)))
    }

    /// Sets a key's status (as `POST /__amzsig/keys/{id}/status`).
    ///
    /// ```
    /// use amzsig::keystore::KeyStatus;
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// server.set_key_status("AKIAIOSFODNN7EXAMPLE", KeyStatus::Inactive)?;
    /// reqwest::get(&signed).await?;
    /// server.last().unwrap().assert_refused_with("InvalidClientTokenId");
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_key_status(&self, access_key_id: &str, status: KeyStatus) -> Result<(), AdminError> {
        self.state.with_keystore_mut(|k| k.set_key_status(access_key_id, status))
    }

    /// A seller authorises an MWS developer with an MWSAuthToken (as
    /// `POST /__amzsig/sellers/{id}/authorizations`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::MockServer::start().await?;
    /// // The embedded keystore's seller and second developer (see `amzsig keystore`).
    /// server.authorize("A1ExampleE6", "9999-8888-7777", "amzn.mws.00000000-0000-0000-0000-000000000001")?;
    /// assert!(server.authorize("A1ExampleE6", "9999-8888-7777", "not-a-token").is_err());
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn authorize(&self, seller_id: &str, developer_id: &str, mws_auth_token: &str) -> Result<(), AdminError> {
        self.state.with_keystore_mut(|k| k.authorize(seller_id, developer_id, mws_auth_token))
    }

    /// A seller revokes a developer's authorisation (as
    /// `DELETE /__amzsig/sellers/{id}/authorizations/{developer}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::MockServer::start().await?;
    /// server.revoke("A1ExampleE6", "1234-3214-4321")?; // the guide's developer, authorised at start
    /// assert!(server.revoke("A1ExampleE6", "1234-3214-4321").is_err()); // nothing left to revoke
    /// server.reset(); // authorised again
    /// server.revoke("A1ExampleE6", "1234-3214-4321")?;
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn revoke(&self, seller_id: &str, developer_id: &str) -> Result<(), AdminError> {
        self.state.with_keystore_mut(|k| k.revoke(seller_id, developer_id))
    }

    /// Back to the state it started in (as `POST /__amzsig/reset`; see [`AppState::reset`]):
    /// the journal emptied, throttle buckets full, the keystore as loaded.
    ///
    /// ```
    /// # use amzsig::{MockServer, SecretKey, sigv2::{self, SignatureMethod}};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = MockServer::builder().clock("fixed:2014-08-18T12:00:00Z".parse()?).start().await?;
    /// let url = format!("{}/onca/xml?Service=AWSECommerceService&Operation=ItemLookup&ItemId=0679722769\
    ///     &AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&AssociateTag=mytag-20&Timestamp=2014-08-18T12:00:00Z", server.base_url());
    /// let signed = sigv2::sign_url(&url, SignatureMethod::HmacSha256, &SecretKey::new("1234567890"))?;
    /// server.rotate_key("AKIAIOSFODNN7EXAMPLE", "a new secret")?;
    /// reqwest::get(&signed).await?;
    /// server.reset();
    /// assert!(server.received().is_empty());
    /// assert_eq!(reqwest::get(&signed).await?.status(), 200); // the loaded secret again
    /// # server.stop().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Stops accepting, lets in-flight requests finish (within `limits.shutdown_grace`),
    /// and waits for the server task. Dropping a `MockServer` stops it too, without
    /// waiting.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = amzsig::MockServer::start().await?;
    /// let addr = server.addr();
    /// server.stop().await;
    /// assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Settings for a [`MockServer`] ([`MockServer::builder`]); unset ones keep the defaults
/// of [`ServerConfig::default`].
#[derive(Debug, Clone, Default)]
pub struct MockServerBuilder {
    config: ServerConfig,
}

impl MockServerBuilder {
    /// The clock the mock judges time with (`Clock::Fixed(..)` replays recorded requests).
    #[must_use]
    pub fn clock(mut self, clock: Clock) -> Self {
        self.config.clock = clock;
        self
    }

    /// The keys, accounts and sellers.
    #[must_use]
    pub fn keystore(mut self, keystore: Keystore) -> Self {
        self.config.keystore = keystore;
        self
    }

    /// The items, browse nodes, orders, products and reports the services answer from.
    #[must_use]
    pub fn catalogue(mut self, catalogue: Catalogue) -> Self {
        self.config.catalogue = catalogue;
        self
    }

    /// Whether throttling rules apply.
    #[must_use]
    pub fn throttling(mut self, throttling: crate::services::Throttling) -> Self {
        self.config.options.throttling = throttling;
        self
    }

    /// The HTTP layer's limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// The address to listen on (port 0: a free port; the default is 127.0.0.1:0).
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// Serve HTTPS with a CA and certificate made at start (for `127.0.0.1`, `::1`,
    /// `localhost` and the other [`TLS_DEFAULT_NAMES`]); [`MockServer::ca_pem`] gives the
    /// CA certificate to trust.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self) -> Self {
        self.config.tls = Some(TlsSetup::generated());
        self
    }

    /// Serve HTTPS with one's own certificate chain and key (PEM files).
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_files(mut self, cert: impl Into<std::path::PathBuf>, key: impl Into<std::path::PathBuf>) -> Self {
        self.config.tls = Some(TlsSetup::Files { cert: cert.into(), key: key.into() });
        self
    }

    /// The whole configuration, for the settings without a method of their own.
    #[must_use]
    pub fn config(mut self, f: impl FnOnce(&mut ServerConfig)) -> Self {
        f(&mut self.config);
        self
    }

    /// Starts the mock ([`MockServer::start_with`]).
    pub async fn start(self) -> Result<MockServer, ServerError> {
        MockServer::start_with(self.config).await
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
