//! Reading SigV4's wire forms: the `Authorization` header, the credential and its scope,
//! the signed-headers list and the `X-Amz-Date` timestamp.
//!
//! Spec: AWS General Reference, "Add the signature to the HTTP request"
//! (sigv4-add-signature-to-request.html): `Authorization: AWS4-HMAC-SHA256
//! Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,
//! SignedHeaders=content-type;host;x-amz-date, Signature=5d672d…` ("there is no comma
//! between the algorithm and Credential … SignedHeaders and Signature are separated from
//! the preceding values with a comma"); "Handling dates in Signature Version 4"
//! (sigv4-date-handling.html): `X-Amz-Date` is ISO 8601 basic format
//! `YYYYMMDD'T'HHMMSS'Z'`. Every parser reports the byte position of the problem and
//! never panics (property tests check both).

use crate::clock::UtcTime;
use std::error::Error;
use std::fmt;

/// The credential scope, `date/region/service/aws4_request`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialScope {
    /// `YYYYMMDD`.
    pub date: String,
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The service, e.g. `s3`, `execute-api`, `ProductAdvertisingAPI`.
    pub service: String,
    /// Should be `aws4_request`.
    pub terminator: String,
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.date, self.region, self.service, self.terminator)
    }
}

/// `Credential=` (header) or `X-Amz-Credential` (query): the access key id and the scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credential {
    /// The access key id.
    pub access_key_id: String,
    /// The scope the signature claims.
    pub scope: CredentialScope,
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.access_key_id, self.scope)
    }
}

/// A parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The algorithm, as sent (the parser does not judge it).
    pub algorithm: String,
    /// `Credential=`.
    pub credential: Credential,
    /// `SignedHeaders=`, split at `;`, as sent.
    pub signed_headers: Vec<String>,
    /// `Signature=`, as sent.
    pub signature: String,
}

/// Why an `Authorization` header does not parse, and where (a byte offset into it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseAuthorizationError {
    /// Byte offset into the header value.
    pub pos: usize,
    /// What is wrong there.
    pub kind: AuthorizationErrorKind,
}

impl fmt::Display for ParseAuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.pos)
    }
}

impl Error for ParseAuthorizationError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.kind.source()
    }
}

/// The kinds of [`ParseAuthorizationError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationErrorKind {
    /// The header is empty.
    #[error("the Authorization header is empty")]
    Empty,
    /// Only an algorithm, no components.
    #[error("expected 'Credential=…, SignedHeaders=…, Signature=…' after the algorithm")]
    MissingComponents,
    /// Two commas in a row, or a trailing comma.
    #[error("empty component")]
    EmptyComponent,
    /// A component that is not `key=value`.
    #[error("component without '='")]
    ComponentWithoutEquals,
    /// A key other than `Credential`, `SignedHeaders`, `Signature`.
    #[error("unknown component '{0}' (expected Credential, SignedHeaders or Signature)")]
    UnknownComponent(String),
    /// A key given twice.
    #[error("{0} is given twice")]
    DuplicateComponent(&'static str),
    /// A required key is absent.
    #[error("{0} is missing")]
    MissingComponent(&'static str),
    /// `SignedHeaders` with an empty name (`host;;x-amz-date`, or empty).
    #[error("SignedHeaders has an empty header name")]
    EmptyHeaderName,
    /// `Credential` is not `key/date/region/service/aws4_request`.
    #[error("malformed Credential")]
    Credential(#[source] ParseCredentialError),
}

/// Why a credential does not parse, and where (a byte offset into the credential).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {pos} of the credential")]
pub struct ParseCredentialError {
    /// Byte offset into the credential value.
    pub pos: usize,
    /// What is wrong there.
    pub kind: CredentialErrorKind,
}

/// The kinds of [`ParseCredentialError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialErrorKind {
    /// Not five `/`-separated parts.
    WrongPartCount(usize),
    /// One of the five parts is empty.
    EmptyPart(&'static str),
}

impl fmt::Display for CredentialErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongPartCount(n) => {
                write!(f, "{n} '/'-separated parts, expected 5 (access key id/date/region/service/aws4_request)")
            }
            Self::EmptyPart(which) => write!(f, "the {which} is empty"),
        }
    }
}

/// Why an `X-Amz-Date` value does not parse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {pos} (expected YYYYMMDDThhmmssZ)")]
pub struct ParseAmzDateError {
    /// Byte offset into the value.
    pub pos: usize,
    /// What is wrong there.
    pub kind: AmzDateErrorKind,
}

/// The kinds of [`ParseAmzDateError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmzDateErrorKind {
    /// A digit was expected.
    ExpectedDigit,
    /// The `T` between date and time was expected.
    ExpectedT,
    /// The closing `Z` was expected.
    ExpectedZ,
    /// The value ends too early.
    TooShort,
    /// Characters after the `Z`.
    TrailingCharacters,
    /// A month, day, hour, minute or second out of range.
    OutOfRange(&'static str),
}

impl fmt::Display for AmzDateErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExpectedDigit => f.write_str("expected a digit"),
            Self::ExpectedT => f.write_str("expected 'T'"),
            Self::ExpectedZ => f.write_str("expected 'Z'"),
            Self::TooShort => f.write_str("the value ends early"),
            Self::TrailingCharacters => f.write_str("characters after 'Z'"),
            Self::OutOfRange(field) => write!(f, "{field} out of range"),
        }
    }
}

/// Parses an `Authorization` header value. The algorithm is returned as sent;
/// components are separated by `,` with optional spaces or tabs around them, and may come
/// in any order.
///
/// ```
/// let a = amzsig::sigv4::parse_authorization(
///     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///      SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
/// ).unwrap();
/// assert_eq!(a.credential.scope.region, "us-east-1");
/// assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
/// ```
pub fn parse_authorization(value: &str) -> Result<Authorization, ParseAuthorizationError> {
    let err = |pos, kind| ParseAuthorizationError { pos, kind };
    if value.is_empty() {
        return Err(err(0, AuthorizationErrorKind::Empty));
    }
    let Some(space) = value.find(' ') else {
        return Err(err(value.len(), AuthorizationErrorKind::MissingComponents));
    };
    let algorithm = &value[..space];
    if value[space..].trim_matches([' ', '\t']).is_empty() {
        return Err(err(value.len(), AuthorizationErrorKind::MissingComponents));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    let mut offset = space;
    for part in value[space..].split(',') {
        let part_start = offset;
        offset += part.len() + 1;
        let lead = part.len() - part.trim_start_matches([' ', '\t']).len();
        let component = part.trim_matches([' ', '\t']);
        let pos = part_start + lead;
        if component.is_empty() {
            return Err(err(pos, AuthorizationErrorKind::EmptyComponent));
        }
        let Some(eq) = component.find('=') else {
            return Err(err(pos, AuthorizationErrorKind::ComponentWithoutEquals));
        };
        let (key, val, val_pos) = (&component[..eq], &component[eq + 1..], pos + eq + 1);
        let slot_taken = |taken: bool, name| {
            if taken {
                Err(err(pos, AuthorizationErrorKind::DuplicateComponent(name)))
            } else {
                Ok(())
            }
        };
        match key {
            "Credential" => {
                slot_taken(credential.is_some(), "Credential")?;
                let c =
                    parse_credential(val).map_err(|e| err(val_pos + e.pos, AuthorizationErrorKind::Credential(e)))?;
                credential = Some(c);
            }
            "SignedHeaders" => {
                slot_taken(signed.is_some(), "SignedHeaders")?;
                let names = parse_signed_headers(val).ok_or_else(|| {
                    let empty_at = val.split(';').take_while(|n| !n.is_empty()).map(|n| n.len() + 1).sum::<usize>();
                    err(val_pos + empty_at.min(val.len()), AuthorizationErrorKind::EmptyHeaderName)
                })?;
                signed = Some(names);
            }
            "Signature" => {
                slot_taken(signature.is_some(), "Signature")?;
                signature = Some(val.to_owned());
            }
            other => return Err(err(pos, AuthorizationErrorKind::UnknownComponent(other.to_owned()))),
        }
    }
    let missing = |name| err(value.len(), AuthorizationErrorKind::MissingComponent(name));
    Ok(Authorization {
        algorithm: algorithm.to_owned(),
        credential: credential.ok_or_else(|| missing("Credential"))?,
        signed_headers: signed.ok_or_else(|| missing("SignedHeaders"))?,
        signature: signature.ok_or_else(|| missing("Signature"))?,
    })
}

/// Parses `access key id/YYYYMMDD/region/service/aws4_request`. The parts are only
/// required to be present and non-empty; verification judges their values.
pub fn parse_credential(value: &str) -> Result<Credential, ParseCredentialError> {
    const PARTS: [&str; 5] = ["access key id", "date", "region", "service", "terminator"];
    let parts: Vec<&str> = value.split('/').collect();
    if parts.len() != 5 {
        let pos = if parts.len() > 5 { parts[..5].iter().map(|p| p.len() + 1).sum::<usize>() - 1 } else { value.len() };
        return Err(ParseCredentialError { pos, kind: CredentialErrorKind::WrongPartCount(parts.len()) });
    }
    let mut pos = 0;
    for (part, name) in parts.iter().zip(PARTS) {
        if part.is_empty() {
            return Err(ParseCredentialError { pos, kind: CredentialErrorKind::EmptyPart(name) });
        }
        pos += part.len() + 1;
    }
    Ok(Credential {
        access_key_id: parts[0].to_owned(),
        scope: CredentialScope {
            date: parts[1].to_owned(),
            region: parts[2].to_owned(),
            service: parts[3].to_owned(),
            terminator: parts[4].to_owned(),
        },
    })
}

/// Splits a `SignedHeaders` list at `;`; `None` when a name is empty.
pub fn parse_signed_headers(value: &str) -> Option<Vec<String>> {
    value.split(';').map(|n| (!n.is_empty()).then(|| n.to_owned())).collect()
}

/// Parses `YYYYMMDDThhmmssZ` (ISO 8601 basic format, UTC), strictly.
///
/// ```
/// let t = amzsig::sigv4::parse_amz_date("20150830T123600Z").unwrap();
/// assert_eq!(t.to_amz_date(), "20150830T123600Z");
/// assert_eq!(amzsig::sigv4::parse_amz_date("2015-08-30T12:36:00Z").unwrap_err().pos, 4);
/// ```
pub fn parse_amz_date(value: &str) -> Result<UtcTime, ParseAmzDateError> {
    let b = value.as_bytes();
    let err = |pos, kind| ParseAmzDateError { pos, kind };
    for i in 0..16 {
        let Some(&c) = b.get(i) else {
            return Err(err(i, AmzDateErrorKind::TooShort));
        };
        match i {
            8 if c != b'T' => return Err(err(i, AmzDateErrorKind::ExpectedT)),
            15 if c != b'Z' => return Err(err(i, AmzDateErrorKind::ExpectedZ)),
            8 | 15 => {}
            _ if !c.is_ascii_digit() => return Err(err(i, AmzDateErrorKind::ExpectedDigit)),
            _ => {}
        }
    }
    if b.len() > 16 {
        return Err(err(16, AmzDateErrorKind::TrailingCharacters));
    }
    let num = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    let checks = [
        ((1..=12).contains(&month), 4, "month"),
        (day >= 1 && day <= days_in_month(year, month), 6, "day"),
        (num(9..11) <= 23, 9, "hour"),
        (num(11..13) <= 59, 11, "minute"),
        (num(13..15) <= 59, 13, "second"),
    ];
    if let Some(&(_, pos, field)) = checks.iter().find(|(ok, _, _)| !ok) {
        return Err(err(pos, AmzDateErrorKind::OutOfRange(field)));
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &value[0..4],
        &value[4..6],
        &value[6..8],
        &value[9..11],
        &value[11..13],
        &value[13..15]
    );
    UtcTime::parse_iso8601(&iso).map_err(|_| err(0, AmzDateErrorKind::OutOfRange("date")))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an HTTP `Date` header as SigV4 accepts it in place of `X-Amz-Date`: RFC 1123
/// (`Mon, 09 Sep 2011 23:36:00 GMT`, the form of the 2011 AWS SigV4 test suite) with the
/// zone `GMT`, `UTC`, `+0000` or `-0000` (RFC 2822 as Python's `email.utils.formatdate`
/// writes it, which botocore sends). `None` for anything else.
///
/// ```
/// let t = amzsig::sigv4::parse_http_date("Mon, 09 Sep 2011 23:36:00 GMT").unwrap();
/// assert_eq!(t.to_amz_date(), "20110909T233600Z");
/// assert!(amzsig::sigv4::parse_http_date("Mon, 09 Sep 2011 23:36:00 +0200").is_none());
/// ```
pub fn parse_http_date(value: &str) -> Option<UtcTime> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (weekday, rest) = value.trim().split_once(", ")?;
    if !DAYS.contains(&weekday) {
        return None;
    }
    let mut parts = rest.split(' ');
    let (day, month, year, time, zone) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !matches!(zone, "GMT" | "UTC" | "+0000" | "-0000") {
        return None;
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let day = if digits(day, 1) { format!("0{day}") } else { day.to_owned() };
    let t = time.as_bytes();
    if !digits(&day, 2) || !digits(year, 4) || t.len() != 8 || t[2] != b':' || t[5] != b':' {
        return None;
    }
    if ![&time[..2], &time[3..5], &time[6..]].iter().all(|p| digits(p, 2)) {
        return None;
    }
    let basic = format!("{year}{month:02}{day}T{}{}{}Z", &time[..2], &time[3..5], &time[6..]);
    parse_amz_date(&basic).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_errors_carry_positions() {
        let cases: &[(&str, usize, AuthorizationErrorKind)] = &[
            ("", 0, AuthorizationErrorKind::Empty),
            ("AWS4-HMAC-SHA256", 16, AuthorizationErrorKind::MissingComponents),
            (
                "AWS4-HMAC-SHA256 Credential=A/1/r/s/aws4_request,, Signature=x",
                49,
                AuthorizationErrorKind::EmptyComponent,
            ),
            ("AWS4-HMAC-SHA256 Credential", 17, AuthorizationErrorKind::ComponentWithoutEquals),
            ("AWS4-HMAC-SHA256 Foo=bar", 17, AuthorizationErrorKind::UnknownComponent("Foo".into())),
            ("AWS4-HMAC-SHA256 Signature=a, Signature=b", 30, AuthorizationErrorKind::DuplicateComponent("Signature")),
            (
                "AWS4-HMAC-SHA256 Credential=A/1/r/s/aws4_request, Signature=x",
                61,
                AuthorizationErrorKind::MissingComponent("SignedHeaders"),
            ),
            ("AWS4-HMAC-SHA256 SignedHeaders=host;;x", 36, AuthorizationErrorKind::EmptyHeaderName),
        ];
        for (text, pos, kind) in cases {
            let e = parse_authorization(text).unwrap_err();
            assert_eq!((e.pos, &e.kind), (*pos, kind), "{text}");
        }
        let e = parse_authorization("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/aws4_request").unwrap_err();
        assert!(matches!(e.kind, AuthorizationErrorKind::Credential(_)), "{e:?}");
        assert_eq!(e.pos, 28 + 36);
        assert!(e.source().is_some());
    }

    #[test]
    fn components_in_any_order_and_spacing() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Signature=abc,SignedHeaders=host,\tCredential=K/20150830/r/s/aws4_request",
        )
        .unwrap();
        assert_eq!(a.credential.to_string(), "K/20150830/r/s/aws4_request");
        assert_eq!(a.signature, "abc");
        assert_eq!(a.algorithm, "AWS4-HMAC-SHA256");
    }

    #[test]
    fn credential_errors() {
        assert_eq!(parse_credential("a/b/c/d").unwrap_err().kind, CredentialErrorKind::WrongPartCount(4));
        let e = parse_credential("a/b/c/d/e/f").unwrap_err();
        assert_eq!((e.pos, e.kind), (9, CredentialErrorKind::WrongPartCount(6)));
        let e = parse_credential("a//c/d/e").unwrap_err();
        assert_eq!((e.pos, e.kind), (2, CredentialErrorKind::EmptyPart("date")));
    }

    #[test]
    fn amz_date_errors() {
        let cases: &[(&str, usize, AmzDateErrorKind)] = &[
            ("", 0, AmzDateErrorKind::TooShort),
            ("20150830", 8, AmzDateErrorKind::TooShort),
            ("20150830 123600Z", 8, AmzDateErrorKind::ExpectedT),
            ("20150830T123600", 15, AmzDateErrorKind::TooShort),
            ("20150830T123600+", 15, AmzDateErrorKind::ExpectedZ),
            ("20150830T123600ZZ", 16, AmzDateErrorKind::TrailingCharacters),
            ("20151330T123600Z", 4, AmzDateErrorKind::OutOfRange("month")),
            ("20150229T123600Z", 6, AmzDateErrorKind::OutOfRange("day")),
            ("20150830T243600Z", 9, AmzDateErrorKind::OutOfRange("hour")),
            ("20150830T126000Z", 11, AmzDateErrorKind::OutOfRange("minute")),
            ("20150830T123660Z", 13, AmzDateErrorKind::OutOfRange("second")),
            ("２0150830T123600Z", 0, AmzDateErrorKind::ExpectedDigit),
        ];
        for (text, pos, kind) in cases {
            assert_eq!(parse_amz_date(text).unwrap_err(), ParseAmzDateError { pos: *pos, kind: *kind }, "{text}");
        }
        assert_eq!(parse_amz_date("20160229T000000Z").unwrap().to_amz_date(), "20160229T000000Z");
    }
}
