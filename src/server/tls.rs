//! HTTPS for the mock (feature `tls`; issue #15, item 4): the rustls server configuration
//! the listener wraps each accepted connection in, from a certificate made at start or
//! from the user's own PEM pair.
//!
//! Made at start ([`TlsSetup::Generated`]): a CA (ECDSA P-256, `amzsig mock CA`) signs a
//! leaf for `localhost`, `*.localhost`, `s3.localhost`, `*.s3.localhost`, `127.0.0.1`,
//! `::1` and any extra names asked for. The CA's key signs the leaf and is dropped: only
//! the CA *certificate* leaves this module ([`TlsServer::ca_pem`], for `--tls-ca-out`), so
//! nobody can mint further certificates this CA would vouch for. Why extra names: OpenSSL
//! and rustls-webpki refuse a wildcard directly under a single label, so `*.localhost`
//! matches `bucket.localhost` for neither (Go's verifier accepts it); a virtual-hosted S3
//! client then needs `--tls-name bucket.localhost`, or `*.s3.localhost` with a
//! `bucket.s3.localhost` endpoint.
//!
//! rustls with the `ring` provider (no C toolchain beyond ring's own, no OpenSSL, no
//! aws-lc-rs and its cmake build); TLS 1.2 and 1.3; ALPN `http/1.1` (the listener speaks
//! HTTP/1.1 only). Key material is never logged or kept past building the configuration.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the server's certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsSetup {
    /// A CA and a leaf made at start; `extra_names` are added to the leaf's names (DNS
    /// names or IP addresses).
    Generated {
        /// Names beyond the defaults (`bucket.localhost`, a LAN address…).
        extra_names: Vec<String>,
    },
    /// The user's own certificate chain and private key, PEM files (no CA is made).
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// The private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
}

impl TlsSetup {
    /// A certificate made at start, with the default names only.
    pub fn generated() -> Self {
        Self::Generated { extra_names: Vec::new() }
    }
}

/// The names a generated leaf always carries.
pub const DEFAULT_NAMES: &[&str] = &["localhost", "*.localhost", "s3.localhost", "*.s3.localhost", "127.0.0.1", "::1"];

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// rcgen could not make a key or certificate (or an extra name is not a valid name).
    #[error("cannot make the certificate")]
    Generate(#[source] rcgen::Error),
    /// A PEM file cannot be read.
    #[error("cannot read {0}")]
    Read(PathBuf, #[source] std::io::Error),
    /// A PEM file is not PEM, or holds nothing usable.
    #[error("{0}: no {1} in it")]
    Pem(PathBuf, &'static str),
    /// rustls refuses the pair (a key that does not match, an unsupported key type).
    #[error("the certificate and key cannot be used")]
    Rustls(#[source] rustls::Error),
}

/// What the listener needs for HTTPS, and the CA certificate for clients.
#[derive(Clone)]
pub struct TlsServer {
    pub(crate) config: Arc<rustls::ServerConfig>,
    ca_pem: Option<String>,
}

impl std::fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsServer").field("generated_ca", &self.ca_pem.is_some()).finish_non_exhaustive()
    }
}

impl TlsServer {
    /// Builds the configuration `setup` asks for (reads the files, or makes the
    /// certificates).
    pub fn new(setup: &TlsSetup) -> Result<Self, TlsError> {
        match setup {
            TlsSetup::Generated { extra_names } => generate(extra_names),
            TlsSetup::Files { cert, key } => from_files(cert, key),
        }
    }

    /// The generated CA's certificate, PEM (`None` with the user's own certificate).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }
}

fn generate(extra_names: &[String]) -> Result<TlsServer, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().map_err(TlsError::Generate)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(TlsError::Generate)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name.push(DnType::CommonName, "amzsig mock CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).map_err(TlsError::Generate)?;
    let issuer = Issuer::new(ca, ca_key);

    let names: Vec<String> = DEFAULT_NAMES.iter().map(|&n| n.to_owned()).chain(extra_names.iter().cloned()).collect();
    let mut leaf = CertificateParams::new(names).map_err(TlsError::Generate)?;
    leaf.distinguished_name.push(DnType::CommonName, "amzsig mock endpoint");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // OpenSSL's strict verification (Python 3.13's default, VERIFY_X509_STRICT) refuses a
    // leaf without an Authority Key Identifier: "Missing Authority Key Identifier".
    leaf.use_authority_key_identifier_extension = true;
    let leaf_key = KeyPair::generate().map_err(TlsError::Generate)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(TlsError::Generate)?;
    drop(issuer); // the CA key: nothing else is ever signed with it

    let key = PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    let config = server_config(chain, key)?;
    Ok(TlsServer { config, ca_pem: Some(pem("CERTIFICATE", ca_cert.der())) })
}

fn from_files(cert: &std::path::Path, key: &std::path::Path) -> Result<TlsServer, TlsError> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| TlsError::Read(p.to_path_buf(), e));
    let cert_pem = read(cert)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|_| TlsError::Pem(cert.to_path_buf(), "certificate"))?;
    if chain.is_empty() {
        return Err(TlsError::Pem(cert.to_path_buf(), "certificate"));
    }
    let key_pem = read(key)?;
    let key_der =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| TlsError::Pem(key.to_path_buf(), "private key"))?;
    Ok(TlsServer { config: server_config(chain, key_der)?, ca_pem: None })
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    // Deprecated since rustls 0.23.48 only because ring offers no post-quantum key
    // exchange; aws-lc-rs, which does, needs cmake and a long C build (see the module doc).
    // A mock on loopback needs no post-quantum secrecy.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Rustls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(TlsError::Rustls)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// PEM text of one DER object (RFC 7468: base64 lines of 64 characters).
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = crate::crypto::base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_ca_is_one_pem_certificate_that_rustls_reads_back() {
        let server = TlsServer::new(&TlsSetup::generated()).expect("generated");
        let pem = server.ca_pem().expect("a generated CA");
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("-----END CERTIFICATE-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let certs: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes()).collect::<Result<_, _>>().unwrap();
        assert_eq!(certs.len(), 1);
        assert!(!pem.contains("PRIVATE KEY"));
        assert_eq!(server.config.alpn_protocols, [b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_bad_extra_name_or_missing_file_is_an_error_not_a_panic() {
        let bad = TlsSetup::Generated { extra_names: vec!["bücket.localhost".to_owned()] };
        assert!(matches!(TlsServer::new(&bad), Err(TlsError::Generate(_))));
        let missing = TlsSetup::Files { cert: "/nonexistent/cert.pem".into(), key: "/nonexistent/key.pem".into() };
        assert!(matches!(TlsServer::new(&missing), Err(TlsError::Read(..))));
    }
}
