//! S3's refusals once the signature is accepted: code, status, message and the extra
//! elements S3 adds to its `<Error>` body. Rendered by the generic endpoint's one S3 error
//! renderer (`aws::protocol`, `Failure::S3`), which adds `RequestId` and `HostId`.
//!
//! Texts: S3 API Reference, "Error responses" (List of error codes), unless noted;
//! AWS-recorded answers (LocalStack's snapshot of real S3, in
//! `../shared/reference/s3/aws-recorded-s3-auth-responses.json`) for `InvalidDigest`,
//! `BadDigest` (with `ExpectedDigest`, `CalculatedDigest`), `InvalidPart` (two spaces after
//! the first sentence; `UploadId`, `PartNumber`, `ETag`), `MalformedXML`,
//! `PreconditionFailed` (`Condition`), `EntityTooLarge` (`ProposedSize`,
//! `MaxSizeAllowed`), the checksum texts, and `InvalidLocationConstraint`; the
//! streaming-literal refusal from the reference's §2.1 (versity/versitygw#1601, recorded).

/// A refusal in S3's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Error {
    /// HTTP status.
    pub status: u16,
    /// `Code`.
    pub code: &'static str,
    /// `Message`.
    pub message: String,
    /// Further elements, in order, before `RequestId`.
    pub extra: Vec<(&'static str, String)>,
    /// A signer mistake's failure behind it (a checksum written the wrong way), for the
    /// journal and the diagnosis.
    pub failure: Option<Box<crate::scheme::Failure>>,
}

impl S3Error {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), extra: Vec::new(), failure: None }
    }

    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    pub(crate) fn no_such_bucket(bucket: &str) -> Self {
        Self::new(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket)
    }

    pub(crate) fn no_such_key(key: &str) -> Self {
        Self::new(404, "NoSuchKey", "The specified key does not exist.").with("Key", key)
    }

    pub(crate) fn no_such_upload(upload_id: &str) -> Self {
        Self::new(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted \
             or completed.",
        )
        .with("UploadId", upload_id)
    }

    pub(crate) fn access_denied() -> Self {
        Self::new(403, "AccessDenied", "Access Denied")
    }

    pub(crate) fn bucket_already_exists(bucket: &str) -> Self {
        Self::new(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. \
             Please select a different name and try again.",
        )
        .with("BucketName", bucket)
    }

    pub(crate) fn bucket_already_owned_by_you(bucket: &str) -> Self {
        Self::new(
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        )
        .with("BucketName", bucket)
    }

    pub(crate) fn bucket_not_empty(bucket: &str) -> Self {
        Self::new(409, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", bucket)
    }

    pub(crate) fn invalid_bucket_name(bucket: &str) -> Self {
        Self::new(400, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", bucket)
    }

    pub(crate) fn malformed_xml() -> Self {
        Self::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    pub(crate) fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> Self {
        Self::new(400, "InvalidArgument", message).with("ArgumentName", name).with("ArgumentValue", value)
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidRequest", message)
    }

    /// An out-of-scope feature (`?acl`, `?policy`, …), naming what was asked.
    pub(crate) fn not_implemented(what: &str) -> Self {
        Self::new(501, "NotImplemented", "A header you provided implies functionality that is not implemented.")
            .with("Header", what)
    }

    pub(crate) fn method_not_allowed(method: &str, resource: &str) -> Self {
        Self::new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
            .with("Method", method)
            .with("ResourceType", resource)
    }

    pub(crate) fn invalid_range(requested: &str, size: usize) -> Self {
        Self::new(416, "InvalidRange", "The requested range is not satisfiable")
            .with("RangeRequested", requested)
            .with("ActualObjectSize", size.to_string())
    }

    pub(crate) fn precondition_failed(condition: &str) -> Self {
        Self::new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
            .with("Condition", condition)
    }

    pub(crate) fn invalid_digest(sent: &str) -> Self {
        Self::new(400, "InvalidDigest", "The Content-MD5 you specified was invalid.").with("Content-MD5", sent)
    }

    pub(crate) fn bad_digest(expected_hex: &str, calculated_b64: &str) -> Self {
        Self::new(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
            .with("ExpectedDigest", expected_hex)
            .with("CalculatedDigest", calculated_b64)
    }

    pub(crate) fn invalid_part(upload_id: &str, part: u32, etag: &str) -> Self {
        Self::new(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the \
             specified entity tag may not match the part's entity tag.",
        )
        .with("UploadId", upload_id)
        .with("PartNumber", part.to_string())
        .with("ETag", etag)
    }

    pub(crate) fn invalid_part_order(upload_id: &str) -> Self {
        Self::new(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
        )
        .with("UploadId", upload_id)
    }

    pub(crate) fn entity_too_small(size: usize, part: u32, etag: &str) -> Self {
        Self::new(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
            .with("ProposedSize", size.to_string())
            .with("MinSizeAllowed", super::MIN_PART_SIZE.to_string())
            .with("PartNumber", part.to_string())
            .with("ETag", etag)
    }

    /// The memory cap reached: `EntityTooLarge`, whose recorded form names the proposed
    /// size and the most allowed (here: the room left). A 400, not a 503 `SlowDown`: SDKs
    /// retry 5xx answers, which would only repeat the refusal; a 400 fails at once, with a
    /// message that says what to change (`--s3-max-bytes`).
    pub(crate) fn store_full(proposed: usize, room: u64) -> Self {
        Self::new(
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size (the mock's memory cap, amzsig serve \
             --s3-max-bytes)",
        )
        .with("ProposedSize", proposed.to_string())
        .with("MaxSizeAllowed", room.to_string())
    }

    /// A `STREAMING-…` payload literal on an operation other than PutObject/UploadPart.
    pub(crate) fn streaming_not_allowed() -> Self {
        Self::invalid_request("The value of x-amz-content-sha256 header is invalid.")
    }

    pub(crate) fn invalid_uri() -> Self {
        Self::new(400, "InvalidURI", "Couldn't parse the specified URI.")
    }
}
