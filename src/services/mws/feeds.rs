//! Feeds 2009-01-01: SubmitFeed, GetFeedSubmissionList, GetFeedSubmissionResult.
//!
//! Feeds API reference (`Feeds_SubmitFeed`, `Feeds_GetFeedSubmissionList`,
//! `Feeds_GetFeedSubmissionResult`, `Feeds_MD5`) and live exchanges (ScaleLeap
//! `Feeds_*` recordings; `protocols.md` §3.3, §3.7):
//! - SubmitFeed sends the signed parameters in the URL of a POST and the feed as the body;
//!   `ContentMD5Value` (signed) is base64 of the body's MD5, the `Content-MD5` header is
//!   the older form. Both are compared when present. A mismatch is `ContentMD5DoesNotMatch`
//!   with the message of the Developer Guide's example ("The Content-MD5 HTTP header you
//!   passed for your feed (…) did not match the Content-MD5 we calculated for your feed
//!   (…)"); neither present is `ContentMD5Missing` "The Content-MD5 header value was
//!   missing." (the code's description in MWS client libraries). Status 400 for both
//!   (chosen: not recorded).
//! - FeedSubmissionIds derive from the request id; dates use `+00:00`.
//! - GetFeedSubmissionResult answers the processing report (`AmazonEnvelope`, as recorded)
//!   with a `Content-MD5` header. Errors, as in the example responses of the `amazonmws`
//!   Python package's README (`RequestID`, `<Detail/>`): InvalidRequest "{id} failed a
//!   validation check: {id} is not a valid identifer." (sic), InvalidFeedSubmissionId
//!   "Failed to find feed with Feed Submission ID: {id}", FeedProcessingResultNotReady
//!   "Feed Submission Result is not ready for Feed Submission Id: {id}"; status 400 (chosen).
//! - GetFeedSubmissionList answers `HasNext` then the `FeedSubmissionInfo`s, newest first,
//!   at most `MaxCount` (default 10); `HasNext` is always false (the ByNextToken operation
//!   is not served). Unknown ids in `FeedSubmissionIdList` are InvalidFeedSubmissionId
//!   (chosen, like Reports' InvalidReportRequestId).

use super::errors::MwsError;
use super::params::{self, bounded, content_md5, date, feed_date, list, required};
use super::{Call, Reply};
use crate::catalogue::mws::FeedSubmission;
use crate::clock::UtcTime;
use crate::xml::mws::result;
use crate::xml::Element;

/// True for a `_POST_…_`-shaped type name (uppercase, digits, underscores, wrapped in `_`).
pub(super) fn is_type_name(s: &str) -> bool {
    s.len() > 2
        && s.starts_with('_')
        && s.ends_with('_')
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn not_found(id: &str) -> MwsError {
    MwsError::feeds(400, "InvalidFeedSubmissionId", format!("Failed to find feed with Feed Submission ID: {id}"))
}

/// SubmitFeed.
pub(super) fn submit_feed(call: &Call<'_>) -> Result<Reply, MwsError> {
    let feed_type = required(call.params, "FeedType")?;
    if !is_type_name(feed_type) {
        return Err(MwsError::feeds(
            400,
            "InvalidFeedType",
            format!("Value {feed_type} for parameter FeedType is invalid."),
        ));
    }
    let marketplaces = list(call.params, "MarketplaceIdList.Id");
    call.check_marketplaces("MarketplaceIdList.Id", &marketplaces)?;
    if let Some(v) = call.params.get("PurgeAndReplace").filter(|v| !matches!(*v, "true" | "false")) {
        return Err(MwsError::invalid_value("PurgeAndReplace", v));
    }
    let ours = content_md5(call.req.body);
    let given = [call.params.get("ContentMD5Value"), call.req.content_md5];
    if given.iter().all(Option::is_none) {
        return Err(MwsError::feeds(400, "ContentMD5Missing", "The Content-MD5 header value was missing."));
    }
    if let Some(bad) = given.into_iter().flatten().find(|g| g.trim() != ours) {
        return Err(MwsError::feeds(
            400,
            "ContentMD5DoesNotMatch",
            format!(
                "The Content-MD5 HTTP header you passed for your feed ({bad}) did not match the Content-MD5 \
                 we calculated for your feed ({ours})"
            ),
        ));
    }
    let info = Element::new("FeedSubmissionInfo")
        .leaf("FeedSubmissionId", params::derived_id(call.ctx.request_id, "FeedSubmissionId"))
        .leaf("FeedType", feed_type)
        .leaf("SubmittedDate", feed_date(call.ctx.now))
        .leaf("FeedProcessingStatus", "_SUBMITTED_");
    Ok(call.respond([result(call.op.name()).child(info)]))
}

/// GetFeedSubmissionList.
pub(super) fn get_feed_submission_list(call: &Call<'_>) -> Result<Reply, MwsError> {
    let p = call.params;
    let ids = list(p, "FeedSubmissionIdList.Id");
    if let Some(bad) = ids.iter().find(|id| seller_feed(call, id).is_none()) {
        return Err(not_found(bad));
    }
    let types = list(p, "FeedTypeList.Type");
    let statuses = list(p, "FeedProcessingStatusList.Status");
    let max = bounded(p, "MaxCount", 1, 100, 10)?;
    let (from, to) = (date(p, "SubmittedFromDate")?, date(p, "SubmittedToDate")?);
    let submitted = |f: &FeedSubmission| UtcTime::parse_iso8601(&f.submitted_date).ok();
    let mut feeds: Vec<&FeedSubmission> = call
        .catalogue()
        .feeds
        .iter()
        .filter(|f| f.seller_id == call.seller_id)
        .filter(|f| ids.is_empty() || ids.contains(&f.feed_submission_id.as_str()))
        .filter(|f| types.is_empty() || types.contains(&f.feed_type.as_str()))
        .filter(|f| statuses.is_empty() || statuses.contains(&f.status.as_str()))
        .filter(|f| from.is_none_or(|t| submitted(f) >= Some(t)) && to.is_none_or(|t| submitted(f) <= Some(t)))
        .collect();
    feeds.sort_by_key(|f| std::cmp::Reverse(submitted(f)));
    let infos = feeds.into_iter().take(max).map(|f| {
        Element::new("FeedSubmissionInfo")
            .leaf("FeedProcessingStatus", &f.status)
            .leaf("FeedType", &f.feed_type)
            .leaf("FeedSubmissionId", &f.feed_submission_id)
            .leaf_opt("StartedProcessingDate", f.started_processing_date.as_deref())
            .leaf("SubmittedDate", &f.submitted_date)
            .leaf_opt("CompletedProcessingDate", f.completed_processing_date.as_deref())
    });
    Ok(call.respond([result(call.op.name()).leaf("HasNext", "false").children(infos)]))
}

/// GetFeedSubmissionResult.
pub(super) fn get_feed_submission_result(call: &Call<'_>) -> Result<Reply, MwsError> {
    let id = required(call.params, "FeedSubmissionId")?;
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MwsError::feeds(
            400,
            "InvalidRequest",
            format!("{id} failed a validation check: {id} is not a valid identifer."),
        ));
    }
    let feed = seller_feed(call, id).ok_or_else(|| not_found(id))?;
    let Some(summary) = feed.processing_summary.as_ref().filter(|_| feed.status == "_DONE_") else {
        return Err(MwsError::feeds(
            400,
            "FeedProcessingResultNotReady",
            format!("Feed Submission Result is not ready for Feed Submission Id: {id}"),
        ));
    };
    let report = Element::new("ProcessingReport")
        .leaf("DocumentTransactionID", &feed.feed_submission_id)
        .leaf("StatusCode", "Complete")
        .child(
            Element::new("ProcessingSummary")
                .leaf("MessagesProcessed", summary.messages_processed.to_string())
                .leaf("MessagesSuccessful", summary.messages_successful.to_string())
                .leaf("MessagesWithError", summary.messages_with_error.to_string())
                .leaf("MessagesWithWarning", summary.messages_with_warning.to_string()),
        );
    let envelope = Element::new("AmazonEnvelope")
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr("xsi:noNamespaceSchemaLocation", "amzn-envelope.xsd")
        .child(Element::new("Header").leaf("DocumentVersion", "1.02").leaf("MerchantIdentifier", call.seller_id))
        .leaf("MessageType", "ProcessingReport")
        .child(Element::new("Message").leaf("MessageID", "1").child(report));
    Ok(Reply::download("text/xml", envelope.to_document()))
}

fn seller_feed<'c>(call: &'c Call<'_>, id: &str) -> Option<&'c FeedSubmission> {
    call.catalogue().feed(id).filter(|f| f.seller_id == call.seller_id)
}
