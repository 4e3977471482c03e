//! Start the mock endpoint in your own program, send it one correctly signed PA-API
//! request and one signed with a classic mistake, and read what its journal says about
//! each: the `MockServer` API in one screen you can copy into a test.
//!
//! ```sh
//! cargo run --example mock_quickstart
//! ```

use amzsig::clock::Clock;
use amzsig::crypto::SecretKey;
use amzsig::diagnose::v2::{sign_with_mistakes, SPACE_AS_PLUS};
use amzsig::encoding::ParamList;
use amzsig::request::{RequestView, Scheme};
use amzsig::server::MockServer;
use amzsig::sigv2::{self, SignatureMethod};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::builder().throttling(amzsig::services::Throttling::Off).start().await?;
    let host = server.addr().to_string();
    let now = Clock::System.now().to_iso8601();
    let params: ParamList = [
        ("Service", "AWSECommerceService"),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"), // the PA-API Developer Guide's key
        ("AssociateTag", "mytag-20"),
        ("Operation", "ItemSearch"),
        ("SearchIndex", "Books"),
        ("Keywords", "Harry Potter"),
        ("Timestamp", now.as_str()),
    ]
    .into_iter()
    .collect();
    let secret = SecretKey::new("1234567890");
    let view = RequestView { method: "GET", scheme: Scheme::Http, host: &host, path: "/onca/xml", params: &params };
    let good = sigv2::sign(&view, SignatureMethod::HmacSha256, &secret).signature;
    let bad =
        sign_with_mistakes(&view, &secret, SignatureMethod::HmacSha256, &[SPACE_AS_PLUS]).ok_or("no signature")?;

    for signature in [good, bad] {
        let url = format!("{}/onca/xml?{}", server.base_url(), sigv2::wire_query(&params, Some(&signature)));
        let status = reqwest::get(&url).await?.status();
        let entry = server.last().ok_or("nothing journaled")?;
        println!("{status}: {}", entry.account());
    }
    server.stop().await;
    Ok(())
}
