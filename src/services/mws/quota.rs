//! MWS throttling: a leaky bucket per seller, developer access key and operation group
//! (maximum request quota and restore rate), plus the hourly request quota that some
//! sections have, reported in the `x-mws-quota-max`, `x-mws-quota-remaining` and
//! `x-mws-quota-resetsOn` headers.
//!
//! MWS Developer Guide, "Throttling": "Requests are calculated for each Amazon seller
//! account and Amazon MWS developer account pair"; "Some API sections (currently Products,
//! Reports, and Feeds) have an hourly request quota … Amazon MWS provides header values in
//! each call response that show the hourly quota for the current operation; the number of
//! calls remaining in that quota; and the date and time when the quota will reset." The
//! recordings agree: the headers carry the hourly quota (`30.0` for SubmitFeed, `80.0` for
//! GetReportRequestList, `18000.0` for GetMatchingProductForId), floats as strings, and
//! appear on errors after authentication too, but not on Orders and Sellers responses
//! (ScaleLeap `test/integration/__recordings__/`, peddler cassettes).
//!
//! Modelling choices: the hourly quota is a second bucket (`hourly` requests, one back
//! every `3600 / hourly` seconds) rather than Amazon's fixed per-caller hour, because the
//! [`Throttle`](crate::services::Throttle) is a bucket store; it is taken first, so a
//! request refused by the burst bucket still counts against the hour. Per-item operations
//! (Products "Per-Item Throttling") take one unit of the burst bucket per listed item.

use super::errors::MwsError;
use super::section::{Operation, Section};
use crate::clock::UtcTime;
use crate::encoding::ParamList;
use crate::services::{Ctx, Quota, ThrottleDecision, Throttling};

/// The quota headers' names.
pub(crate) const MAX: &str = "x-mws-quota-max";
/// Requests left this hour.
pub(crate) const REMAINING: &str = "x-mws-quota-remaining";
/// When the hourly quota is full again (note the camel case `On`, as MWS documents it).
pub(crate) const RESETS_ON: &str = "x-mws-quota-resetsOn";

/// Takes a request (or its items) from the seller/key/operation buckets; appends the quota
/// headers for operations with an hourly quota.
pub(crate) fn take(
    ctx: &Ctx<'_>,
    params: &ParamList,
    seller_id: &str,
    access_key_id: &str,
    section: Section,
    op: Operation,
    headers: &mut Vec<(String, String)>,
) -> Result<(), MwsError> {
    let limits = op.limits();
    let key = format!("mws/{seller_id}/{access_key_id}/{}.{}", section.name(), limits.group);
    let on = ctx.options.throttling == Throttling::On;
    if let Some(hourly) = limits.hourly {
        let quota = Quota { burst: hourly, restore_secs: 3600.0 / hourly };
        let decision = if on {
            ctx.throttle.take(&format!("{key}/hour"), quota, ctx.now)
        } else {
            ThrottleDecision::Allowed { remaining: hourly, resets_on: ctx.now.plus_secs(3600) }
        };
        match decision {
            ThrottleDecision::Allowed { remaining, resets_on } => push(headers, hourly, remaining, resets_on),
            ThrottleDecision::Throttled { resets_on, .. } => {
                push(headers, hourly, 0.0, resets_on);
                return Err(MwsError::quota_exceeded(hourly, section, op.name(), &resets_on.to_iso8601_millis()));
            }
        }
    }
    if !on {
        return Ok(());
    }
    let quota = Quota { burst: limits.burst, restore_secs: limits.restore_secs };
    // One unit per listed item; the operations refuse more than 20 items anyway.
    let units = limits.items_param.map_or(1, |p| super::params::count(params, p).clamp(1, 100));
    for _ in 0..units {
        if let ThrottleDecision::Throttled { .. } = ctx.throttle.take(&key, quota, ctx.now) {
            return Err(MwsError::throttled());
        }
    }
    Ok(())
}

fn push(headers: &mut Vec<(String, String)>, max: f64, remaining: f64, resets_on: UtcTime) {
    headers.push((MAX.to_owned(), format!("{max:.1}")));
    headers.push((REMAINING.to_owned(), format!("{:.1}", remaining.floor())));
    headers.push((RESETS_ON.to_owned(), resets_on.to_iso8601_millis()));
}
