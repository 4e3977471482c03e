//! Routing and answers of the SigV2 Query APIs (the HTTP table is
//! `tests/it/server_query.rs`).

use super::*;
use crate::services::{Route, RouteKey};

fn params(pairs: &[(&str, &str)]) -> ParamList {
    pairs.iter().copied().collect()
}

const SDB_LIST: [(&str, &str); 4] = [
    ("Action", "ListDomains"),
    ("Version", "2009-04-15"),
    ("SignatureVersion", "2"),
    ("AWSAccessKeyId", "AKIDEXAMPLE"),
];

fn refined(route: Route, host: &str, headers: &[(&str, &str)], p: &ParamList) -> Route {
    let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
    let key = RouteKey { method: "POST", host, path: "/", query: "", headers: &headers };
    refine(route, &key, p)
}

#[test]
fn hosts_name_their_api() {
    let cases: &[(&str, Option<QueryApi>)] = &[
        ("sdb.amazonaws.com", Some(QueryApi::SimpleDb)),
        ("sdb.eu-west-1.amazonaws.com", Some(QueryApi::SimpleDb)),
        ("ec2.amazonaws.com", Some(QueryApi::Ec2)),
        ("ec2.us-west-2.amazonaws.com", Some(QueryApi::Ec2)),
        ("ec2.cn-north-1.amazonaws.com.cn", Some(QueryApi::Ec2)),
        ("elasticmapreduce.amazonaws.com", Some(QueryApi::Emr)),
        ("elasticmapreduce.us-west-2.amazonaws.com", Some(QueryApi::Emr)),
        ("sts.amazonaws.com", None),
        ("x.sdb.amazonaws.com", None),
        ("sdb.a.b.amazonaws.com", None),
        ("sdb.example.com", None),
        ("127.0.0.1", None),
    ];
    for (host, want) in cases {
        assert_eq!(QueryApi::for_host(host), *want, "{host}");
    }
}

#[test]
fn refine_takes_sigv2_query_requests_from_mws_default_and_the_sigv4_endpoint() {
    let mws = || Route::Mws { host: "mws.amazonservices.com".into() };
    let sdb = Route::Query { api: QueryApi::SimpleDb };
    let list = params(&SDB_LIST);
    // Loopback: SimpleDB's Version and Action decide.
    assert_eq!(refined(mws(), "127.0.0.1:8080", &[], &list), sdb);
    // An MWS Version at the root stays MWS, and so does anything on an MWS host.
    let feeds = params(&[("Action", "GetReportRequestList"), ("Version", "2009-01-01"), ("SignatureVersion", "2")]);
    assert_eq!(refined(mws(), "127.0.0.1:8080", &[], &feeds), mws());
    assert_eq!(refined(mws(), "mws.amazonservices.com", &[], &list), mws());
    // Another Action with SimpleDB's Version is not SimpleDB's.
    let other = params(&[("Action", "ListQueues"), ("Version", "2009-04-15"), ("SignatureVersion", "2")]);
    assert_eq!(refined(mws(), "127.0.0.1:8080", &[], &other), mws());
    // A real host decides, whatever the parameters.
    assert_eq!(refined(Route::Aws, "sdb.amazonaws.com", &[], &list), sdb);
    let ec2 = params(&[("Action", "DescribeRegions"), ("Version", "2016-11-15"), ("SignatureVersion", "2")]);
    assert_eq!(refined(Route::Aws, "ec2.amazonaws.com", &[], &ec2), Route::Query { api: QueryApi::Ec2 });
    // SigV4 stays on the SigV4 endpoint; unsigned or SigV2 on another AWS host stays too.
    let v4 = [("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sdb/aws4_request")];
    assert_eq!(refined(Route::Aws, "sdb.amazonaws.com", &v4, &list), Route::Aws);
    assert_eq!(refined(Route::Aws, "sdb.amazonaws.com", &[], &params(&[("Action", "ListDomains")])), Route::Aws);
    assert_eq!(refined(Route::Aws, "sts.amazonaws.com", &[], &ec2), Route::Aws);
    // PA-API is never a Query API.
    assert_eq!(refined(Route::Paapi { locale: "us" }, "127.0.0.1:8080", &[], &list), Route::Paapi { locale: "us" });
}

/// Every SigV2 failure has a documented code and a 4xx status, per API.
#[test]
fn every_failure_maps_to_a_4xx_code() {
    let failures = [
        VerifyFailure::MissingParameter("AWSAccessKeyId"),
        VerifyFailure::MissingParameter("Timestamp"),
        VerifyFailure::TimestampWithExpires,
        VerifyFailure::UnsupportedSignatureVersion("1".into()),
        VerifyFailure::UnknownAccessKey("AKIAX".into()),
        VerifyFailure::Expired { param: "Timestamp", raw: "2014-08-18T11:00:00Z".into() },
    ];
    let want = [
        ("AuthMissingFailure", 403, 403),
        ("MissingParameter", 400, 400),
        ("InvalidParameterCombination", 400, 400),
        ("InvalidParameterValue", 400, 400),
        ("AuthFailure", 403, 401),
        ("RequestExpired", 400, 400),
    ];
    for (f, (code, sdb, ec2)) in failures.iter().zip(want) {
        let (a, b) = (verify_failure(QueryApi::SimpleDb, f), verify_failure(QueryApi::Ec2, f));
        assert_eq!((a.code, a.status, b.code, b.status), (code, sdb, code, ec2), "{f:?}");
    }
}

#[test]
fn select_expressions_name_their_domain() {
    let cases: &[(&str, Option<&str>)] = &[
        ("select * from `Domain1-200706011651` where Title = 'a b'", Some("Domain1-200706011651")),
        ("SELECT itemName() FROM Domain2-200706011652 LIMIT 5", Some("Domain2-200706011652")),
        ("select * from `my``domain`", Some("my`domain")),
        ("select * from `unclosed", None),
        ("delete from Domain1-200706011651", None),
        ("select *", None),
    ];
    for (expression, want) in cases {
        assert_eq!(select_domain(expression).as_deref(), *want, "{expression}");
    }
}
