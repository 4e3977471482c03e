//! Every mistake is reachable by every kind of client: for each kind a client can announce
//! (PA-API only, MWS only, the SigV2 Query APIs, SigV4), a client of that kind that makes
//! any one mistake of the schemes it speaks fails at least one scenario it runs. Checked by
//! running amzsig's deliberately broken reference adapter, offline, over exactly the
//! scenarios the kind runs (`runner::offline_skip_reason`).

use crate::support::{run_reference_adapter, scenarios};
use amzsig::adapter::Capability;
use amzsig::diagnose::{v2, v4, Mistake};
use amzsig::runner::{offline_skip_reason, Mode, Status};
use amzsig::scenario::Scenario;

/// The SigV2 capabilities every SigV2 kind has, besides its service.
const V2: [Capability; 5] =
    [Capability::Sigv2, Capability::PostForm, Capability::HmacSha1, Capability::Expires, Capability::SecurityToken];

fn kinds() -> Vec<(&'static str, Vec<Capability>, Vec<Mistake>)> {
    let with = |service: Capability| V2.iter().copied().chain([service]).collect::<Vec<_>>();
    vec![
        ("PA-API only", with(Capability::Paapi), v2::ALL.to_vec()),
        ("MWS only", with(Capability::Mws), v2::ALL.to_vec()),
        ("SigV2 Query APIs", with(Capability::Aws), v2::ALL.to_vec()),
        (
            "SigV4",
            vec![
                Capability::Sigv4,
                Capability::Presign,
                Capability::UnsignedPayload,
                Capability::ContentSha256,
                Capability::SecurityToken,
                Capability::HostHeader,
            ],
            v4::ALL.to_vec(),
        ),
    ]
}

#[test]
fn every_mistake_fails_a_scenario_for_every_kind_of_client() {
    let all = scenarios();
    let mut gaps = Vec::new();
    for (kind, capabilities, mistakes) in kinds() {
        let runs: Vec<&Scenario> = all.iter().filter(|s| offline_skip_reason(s, &capabilities).is_none()).collect();
        assert!(!runs.is_empty(), "{kind}: runs no scenario");
        for m in mistakes {
            let report = run_reference_adapter(&format!(" --mistake {}", m.id()), &runs, Mode::Offline);
            if report.count(Status::Fail) == 0 {
                gaps.push(format!(
                    "{kind}: no scenario of the {} it runs fails a client making {}",
                    runs.len(),
                    m.id()
                ));
            }
        }
    }
    assert!(gaps.is_empty(), "{} gaps:\n{}", gaps.len(), gaps.join("\n"));
}

/// The issue's own example through the binary: a PA-API-only client that sorts whole
/// `name=value` strings (`amzsig adapter --service paapi --mistake sorted-name-value-pairs`)
/// no longer passes the suite.
#[test]
fn a_paapi_only_client_sorting_name_value_strings_fails_the_suite() {
    let client = format!(
        "'{}' adapter --sig v2 --service paapi --mistake sorted-name-value-pairs",
        env!("CARGO_BIN_EXE_amzsig")
    );
    let out = crate::support::amzsig(&["run", "--client", &client], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL paapi/paapi-name-prefix-of-another"), "{text}");
}
