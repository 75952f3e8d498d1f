//! Errors of AWS isolation, each saying what failed and what to do.

use aws_sdk_ec2::error::ProvideErrorMetadata;

/// Error codes of AWS APIs that mean: these credentials may not do this.
const DENIED: &[&str] = &[
    "AuthFailure",
    "UnauthorizedOperation",
    "AccessDenied",
    "AccessDeniedException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "ExpiredToken",
];

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudError {
    #[error(
        "AWS credentials are missing or unusable ({0}); nothing was changed. Give credentials \
         (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)"
    )]
    Credentials(String),
    #[error(
        "AWS refused {operation} ({code}): the credentials are invalid or not allowed to do it; \
         give credentials allowed to {operation} ({message})"
    )]
    Denied {
        operation: &'static str,
        code: String,
        message: String,
    },
    #[error("AWS {operation} failed: {message}")]
    Api {
        operation: &'static str,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Case(#[from] breachkit_case::CaseError),
    #[error(transparent)]
    Apply(#[from] breachkit_case::ApplyError),
    #[error("undo left some changes in force: {}", .0.join("; "))]
    Undo(Vec<String>),
    #[error("cannot start the AWS client runtime: {0}")]
    Runtime(std::io::Error),
}

impl CloudError {
    /// An SDK error with its whole context (code and message), not just "service
    /// error"; refused credentials or permissions are told apart.
    pub(crate) fn api<E: std::error::Error + ProvideErrorMetadata>(
        operation: &'static str,
    ) -> impl FnOnce(E) -> CloudError {
        move |e| match e.code() {
            Some(code) if DENIED.contains(&code) => CloudError::Denied {
                operation,
                code: code.to_string(),
                message: e.message().unwrap_or("no message").to_string(),
            },
            _ => CloudError::Api {
                operation,
                message: aws_sdk_ec2::error::DisplayErrorContext(&e).to_string(),
            },
        }
    }
}
