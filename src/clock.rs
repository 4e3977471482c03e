//! Time: the [`Clock`] that every layer is handed (system, fixed, or offset from the
//! system clock), and [`UtcTime`], an instant with the ISO 8601 parsing and formatting
//! that Amazon's `Timestamp` and `Expires` parameters use.
//!
//! This is the only module that reads the system time. Accepted forms (W3C NOTE-datetime
//! profile of ISO 8601, as PA-API and MWS document them, MWS "Timestamps" page):
//! `YYYY-MM-DDThh:mm:ss`, optional fraction of 1 to 9 digits, then `Z`, `±hh`, `±hh:mm`,
//! `±hhmm`, or nothing (read as UTC: the AWS General Reference SigV2 example sends
//! `2011-10-03T15:19:30`).

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime(i64);

impl UtcTime {
    /// From milliseconds since the Unix epoch.
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// From seconds since the Unix epoch.
    pub const fn from_unix_secs(s: i64) -> Self {
        Self(s * 1000)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Seconds since the Unix epoch (rounded down).
    pub const fn unix_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant moved by `secs` seconds.
    #[must_use]
    pub const fn plus_secs(self, secs: i64) -> Self {
        Self(self.0 + secs * 1000)
    }

    /// Signed difference `self - other` in milliseconds.
    pub const fn millis_since(self, other: UtcTime) -> i64 {
        self.0 - other.0
    }

    /// Parses an ISO 8601 timestamp in the forms listed in the module docs.
    ///
    /// ```
    /// use amzsig::clock::UtcTime;
    ///
    /// let t = UtcTime::parse_iso8601("2015-08-30T12:36:00Z")?;
    /// assert_eq!(t.to_amz_date(), "20150830T123600Z");
    /// assert!(UtcTime::parse_iso8601("30 Aug 2015").is_err());
    /// # Ok::<(), amzsig::clock::TimeParseError>(())
    /// ```
    pub fn parse_iso8601(text: &str) -> Result<Self, TimeParseError> {
        parse_iso8601(text).ok_or_else(|| TimeParseError { text: text.to_owned() })
    }

    /// Civil date and time in UTC: (year, month, day, hour, minute, second, millisecond).
    pub fn to_civil(self) -> (i64, u32, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let secs = ms_of_day / 1000;
        let to_u32 = |v: i64| u32::try_from(v).unwrap_or(0);
        (y, m, d, to_u32(secs / 3600), to_u32(secs / 60 % 60), to_u32(secs % 60), to_u32(ms_of_day % 1000))
    }

    /// `YYYY-MM-DDThh:mm:ssZ`, the form PA-API documents.
    pub fn to_iso8601(self) -> String {
        let (y, mo, d, h, mi, s, _) = self.to_civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// `YYYY-MM-DDThh:mm:ss.mmmZ`, the form MWS answers with.
    pub fn to_iso8601_millis(self) -> String {
        let (y, mo, d, h, mi, s, ms) = self.to_civil();
        let Ok(year) = u32::try_from(y) else {
            return format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z");
        };
        if year > 9999 {
            return format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z");
        }
        // Digit by digit, without `format!`: the journal stamps every request with it.
        let mut out = String::with_capacity(24);
        let mut digits = |n: u32, width: u32, after: char| {
            for p in (0..width).rev() {
                out.push(char::from(b'0' + u8::try_from(n / 10u32.pow(p) % 10).unwrap_or(0)));
            }
            out.push(after);
        };
        digits(year, 4, '-');
        digits(mo, 2, '-');
        digits(d, 2, 'T');
        digits(h, 2, ':');
        digits(mi, 2, ':');
        digits(s, 2, '.');
        digits(ms, 3, 'Z');
        out
    }

    /// `YYYYMMDDThhmmssZ`, the SigV4 `X-Amz-Date` form.
    pub fn to_amz_date(self) -> String {
        let (y, mo, d, h, mi, s, _) = self.to_civil();
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso8601())
    }
}

/// A timestamp that is not in any accepted ISO 8601 form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not an ISO 8601 timestamp (expected YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm])")]
pub struct TimeParseError {
    /// The text that failed to parse.
    pub text: String,
}

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The machine's wall clock.
    #[default]
    System,
    /// Always the same instant: recorded vectors replay.
    Fixed(UtcTime),
    /// The wall clock shifted by this many milliseconds (to simulate skew).
    Offset(i64),
}

impl Clock {
    /// The current instant according to this clock.
    pub fn now(&self) -> UtcTime {
        match *self {
            Clock::Fixed(t) => t,
            Clock::System => system_now(),
            Clock::Offset(ms) => UtcTime(system_now().0 + ms),
        }
    }
}

fn system_now() -> UtcTime {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    UtcTime(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
}

impl FromStr for Clock {
    type Err = TimeParseError;

    /// `system`, `fixed:<ISO 8601>`, or `offset:<±seconds>` (e.g. `offset:-900`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "system" {
            return Ok(Clock::System);
        }
        if let Some(t) = s.strip_prefix("fixed:") {
            return UtcTime::parse_iso8601(t).map(Clock::Fixed);
        }
        if let Some(secs) = s.strip_prefix("offset:").and_then(|o| o.trim_end_matches('s').parse::<i64>().ok()) {
            return Ok(Clock::Offset(secs * 1000));
        }
        Err(TimeParseError { text: s.to_owned() })
    }
}

fn parse_iso8601(text: &str) -> Option<UtcTime> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        digits.iter().all(u8::is_ascii_digit).then(|| digits.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        let frac = num(i + 1..i + 1 + digits.min(3))?;
        millis = frac * 10i64.pow(3 - u32::try_from(digits.min(3)).ok()?);
        i += 1 + digits;
    }
    let offset_minutes = match &b[i..] {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest.len() {
                2 => (num(i + 1..i + 3)?, 0),
                4 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                5 if rest[2] == b':' => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'-' {
                -(h * 60 + m)
            } else {
                h * 60 + m
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(UtcTime(secs * 1000 + millis))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> i64 {
        UtcTime::parse_iso8601(s).unwrap().unix_secs()
    }

    #[test]
    fn parses_every_documented_form() {
        assert_eq!(t("2014-08-18T12:00:00Z"), 1_408_363_200);
        assert_eq!(t("2014-08-18T12:00:00"), 1_408_363_200);
        assert_eq!(t("2014-08-18T12:00:00.5Z"), 1_408_363_200);
        assert_eq!(UtcTime::parse_iso8601("2014-08-18T12:00:00.123Z").unwrap().unix_millis() % 1000, 123);
        assert_eq!(t("2014-08-18T14:00:00+02:00"), 1_408_363_200);
        assert_eq!(t("2014-08-18T14:00:00+0200"), 1_408_363_200);
        assert_eq!(t("2009-02-23T18:12:22.093-07"), t("2009-02-24T01:12:22Z"));
        assert_eq!(t("2000-02-29T00:00:00Z"), 951_782_400);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2014-08-18",
            "2014-08-18 12:00:00Z",
            "2014-13-01T00:00:00Z",
            "2014-02-30T00:00:00Z",
            "2014-08-18T24:00:00Z",
            "2014-08-18T12:00:00.Z",
            "2014-08-18T12:00:00+2",
            "2014-08-18T12:00:00ZZ",
            "Mon, 18 Aug 2014 12:00:00 GMT",
            "1408363200",
            "2014-08-18T12:00:00.1234567890Z",
            "２０14-08-18T12:00:00Z",
        ] {
            assert!(UtcTime::parse_iso8601(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn clock_specs() {
        assert_eq!("fixed:2014-08-18T12:00:00Z".parse::<Clock>().unwrap().now().unix_secs(), 1_408_363_200);
        assert_eq!("offset:-900".parse::<Clock>().unwrap(), Clock::Offset(-900_000));
        assert!("tomorrow".parse::<Clock>().is_err());
    }

    proptest! {
        #[test]
        fn millis_form_is_the_formatted_one(ms in any::<i64>().prop_map(|v| v % 400_000_000_000_000)) {
            let t = UtcTime(ms);
            let (y, mo, d, h, mi, s, ms) = t.to_civil();
            prop_assert_eq!(t.to_iso8601_millis(), format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z"));
        }

        #[test]
        fn format_then_parse_is_identity(ms in -62_000_000_000_000i64..250_000_000_000_000) {
            let time = UtcTime::from_unix_millis(ms);
            prop_assert_eq!(UtcTime::parse_iso8601(&time.to_iso8601_millis()).unwrap(), time);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = UtcTime::parse_iso8601(&s);
        }
    }
}
