//! Errors of AWS isolation, each saying what failed and what to do.

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudError {
    #[error(
        "AWS credentials are missing or unusable ({0}); nothing was changed. Give credentials \
         (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)"
    )]
    Credentials(String),
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
    /// An SDK error with its whole context (code and message), not just "service error".
    pub(crate) fn api<E: std::error::Error>(
        operation: &'static str,
    ) -> impl FnOnce(E) -> CloudError {
        move |e| CloudError::Api {
            operation,
            message: aws_sdk_ec2::error::DisplayErrorContext(&e).to_string(),
        }
    }
}
