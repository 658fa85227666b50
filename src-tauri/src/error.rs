//! What a failed command sends to the window: a short code the UI can branch on, the message,
//! and the detail (the core's message names the file, sheet, row and column where it can).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// `not_found`, `invalid`, `cancelled`, `no_engagement`, `not_granted`, `dialog`, `internal`
    /// or `error`; add one only when the UI branches on it.
    pub code: &'static str,
    pub message: String,
    pub detail: Option<String>,
}

impl CommandError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
            detail: None,
        }
    }

    pub fn cancelled() -> Self {
        CommandError::new("cancelled", "cancelled before anything was stored")
    }

    pub fn no_engagement() -> Self {
        CommandError::new("no_engagement", "no engagement is open")
    }
}

impl From<crosswalk_api::ApiError> for CommandError {
    fn from(e: crosswalk_api::ApiError) -> Self {
        use crosswalk_api::ApiError as A;
        let code = match &e {
            A::NotFound { .. } | A::UnknownProfile { .. } => "not_found",
            A::Invalid(_) | A::Ambiguous { .. } | A::Sheet(_) => "invalid",
            A::Cancelled { .. } => "cancelled",
            _ => "error",
        };
        // The first line is the headline; a longer message (a cause chain) goes to the detail.
        let text = e.to_string();
        let source = std::error::Error::source(&e).map(|s| s.to_string());
        let detail = source.filter(|s| !text.contains(s.as_str()));
        CommandError {
            code,
            message: text,
            detail,
        }
    }
}

/// A blocking task that panicked or was dropped: a bug, not bad input.
impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> Self {
        CommandError::new("internal", format!("internal error: {e}"))
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
