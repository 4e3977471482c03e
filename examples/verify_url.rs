//! Verify a SigV2-signed URL (PA-API, MWS, the Query APIs) with a secret from the
//! environment, and explain a mismatch: the library calls behind `amzsig verify` and
//! `amzsig explain`, in a dozen lines you can copy.
//!
//! ```sh
//! AMZSIG_SECRET_KEY=1234567890 cargo run --example verify_url -- 'http://webservices.amazon.com/onca/xml?...&Signature=...'
//! ```

use amzsig::clock::Clock;
use amzsig::crypto::{SecretKey, SingleKey};
use amzsig::diagnose::{self, Budget, Subject};
use amzsig::request::OwnedRequest;
use amzsig::sigv2::{self, SignatureMethod, VerifyPolicy};
use std::process::ExitCode;

fn main() -> ExitCode {
    let (Some(url), Ok(secret)) = (std::env::args().nth(1), std::env::var("AMZSIG_SECRET_KEY")) else {
        eprintln!("usage: AMZSIG_SECRET_KEY=... verify_url URL");
        return ExitCode::from(2);
    };
    let request = match OwnedRequest::from_url("GET", &url) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("verify_url: {e}");
            return ExitCode::from(2);
        }
    };
    let secret = SecretKey::new(secret);
    let keys = SingleKey { id: None, secret: &secret };
    match sigv2::verify(&request.view(), &keys, Clock::System.now(), &VerifyPolicy::default()) {
        Ok(v) => {
            println!("valid, signed by {}", v.access_key_id);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            println!("refused: {failure}");
            if matches!(failure, sigv2::VerifyFailure::Mismatch { .. }) {
                let subject = Subject::V2 { view: request.view(), default_method: SignatureMethod::HmacSha256 };
                println!("{}", diagnose::diagnose(subject, &secret, Budget::DEFAULT));
            }
            ExitCode::from(1)
        }
    }
}
