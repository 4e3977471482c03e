//! Reports 2009-01-01: RequestReport, GetReportRequestList, GetReport.
//!
//! Reports API reference (`Reports_RequestReport`, `Reports_GetReportRequestList`,
//! `Reports_GetReport`) and the live exchanges in ScaleLeap's `reports_*` recordings
//! (`protocols.md` §3.4, §3.5, §3.7):
//! - `ReportRequestInfo` children in the recorded order (ReportType,
//!   ReportProcessingStatus, EndDate, Scheduled, ReportRequestId, StartedProcessingDate,
//!   SubmittedDate, StartDate, CompletedDate, GeneratedReportId), dates with `+00:00`;
//! - an unknown id in `ReportRequestIdList` is 400 InvalidReportRequestId "One or more of
//!   the provided ReportRequestIds could not be found." with `RequestId` (observed);
//! - `GetReport` answers the flat file as `text/plain;charset=Cp1252` with a `Content-MD5`
//!   header (observed; live reports were `text/plain` or `text/plain;charset=Cp1252`).
//!
//! Chosen (no recorded answer): an unknown ReportId is 400 InvalidReportId "Value X for
//! parameter ReportId is invalid."; a ReportType that is not `_GET_…_`-shaped is 400
//! InvalidReportType "Value X for parameter ReportType is invalid."; StartDate after
//! EndDate is 400 InvalidParameterValue "StartDate must be earlier than EndDate"; the
//! report request ids RequestReport answers derive from the request id;
//! `GetReportRequestList` answers newest first, at most `MaxCount` (default 10), with
//! `HasNext` false.

use super::errors::MwsError;
use super::params::{self, bounded, date, feed_date, list, required};
use super::{Call, Reply};
use crate::catalogue::mws::ReportRequest;
use crate::clock::UtcTime;
use crate::xml::mws::result;
use crate::xml::Element;

/// RequestReport.
pub(super) fn request_report(call: &Call<'_>) -> Result<Reply, MwsError> {
    let p = call.params;
    let report_type = required(p, "ReportType")?;
    if !super::feeds::is_type_name(report_type) || !report_type.starts_with("_GET_") {
        return Err(MwsError::section(
            400,
            "InvalidReportType",
            format!("Value {report_type} for parameter ReportType is invalid."),
        ));
    }
    let marketplaces = list(p, "MarketplaceIdList.Id");
    call.check_marketplaces("MarketplaceIdList.Id", &marketplaces)?;
    let now = call.ctx.now;
    let (start, end) = (date(p, "StartDate")?.unwrap_or(now), date(p, "EndDate")?.unwrap_or(now));
    if start > end {
        return Err(MwsError::invalid("StartDate must be earlier than EndDate"));
    }
    let info = Element::new("ReportRequestInfo")
        .leaf("ReportType", report_type)
        .leaf("ReportProcessingStatus", "_SUBMITTED_")
        .leaf("EndDate", feed_date(end))
        .leaf("Scheduled", "false")
        .leaf("ReportRequestId", params::derived_id(call.ctx.request_id, "ReportRequestId"))
        .leaf("SubmittedDate", feed_date(now))
        .leaf("StartDate", feed_date(start));
    Ok(call.respond([result(call.op.name()).child(info)]))
}

/// GetReportRequestList.
pub(super) fn get_report_request_list(call: &Call<'_>) -> Result<Reply, MwsError> {
    let p = call.params;
    let ids = list(p, "ReportRequestIdList.Id");
    let mine = |r: &&ReportRequest| r.seller_id == call.seller_id;
    if ids.iter().any(|id| !call.catalogue().report_request(id).as_ref().is_some_and(mine)) {
        return Err(MwsError::section(
            400,
            "InvalidReportRequestId",
            "One or more of the provided ReportRequestIds could not be found.",
        ));
    }
    let types = list(p, "ReportTypeList.Type");
    let statuses = list(p, "ReportProcessingStatusList.Status");
    let max = bounded(p, "MaxCount", 1, 100, 10)?;
    let (from, to) = (date(p, "RequestedFromDate")?, date(p, "RequestedToDate")?);
    let submitted = |r: &ReportRequest| UtcTime::parse_iso8601(&r.submitted_date).ok();
    let mut requests: Vec<&ReportRequest> = call
        .catalogue()
        .report_requests
        .iter()
        .filter(mine)
        .filter(|r| ids.is_empty() || ids.contains(&r.report_request_id.as_str()))
        .filter(|r| types.is_empty() || types.contains(&r.report_type.as_str()))
        .filter(|r| statuses.is_empty() || statuses.contains(&r.status.as_str()))
        .filter(|r| from.is_none_or(|t| submitted(r) >= Some(t)) && to.is_none_or(|t| submitted(r) <= Some(t)))
        .collect();
    requests.sort_by_key(|r| std::cmp::Reverse(submitted(r)));
    let infos = requests.into_iter().take(max).map(|r| {
        Element::new("ReportRequestInfo")
            .leaf("ReportType", &r.report_type)
            .leaf("ReportProcessingStatus", &r.status)
            .leaf("EndDate", &r.end_date)
            .leaf("Scheduled", r.scheduled.to_string())
            .leaf("ReportRequestId", &r.report_request_id)
            .leaf_opt("StartedProcessingDate", r.started_processing_date.as_deref())
            .leaf("SubmittedDate", &r.submitted_date)
            .leaf("StartDate", &r.start_date)
            .leaf_opt("CompletedDate", r.completed_date.as_deref())
            .leaf_opt("GeneratedReportId", r.generated_report_id.as_deref())
    });
    Ok(call.respond([result(call.op.name()).leaf("HasNext", "false").children(infos)]))
}

/// GetReport.
pub(super) fn get_report(call: &Call<'_>) -> Result<Reply, MwsError> {
    let id = required(call.params, "ReportId")?;
    let report = call.catalogue().report(id).filter(|r| r.seller_id == call.seller_id).ok_or_else(|| {
        MwsError::section(400, "InvalidReportId", format!("Value {id} for parameter ReportId is invalid."))
    })?;
    Ok(Reply::download("text/plain;charset=Cp1252", report.body.clone()))
}
