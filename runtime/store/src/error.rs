//! The store's error type: one enum for the crate, with messages meant for people.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("storage engine error: {0}")]
    Engine(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("corrupt data in {space}: {detail}")]
    Corrupt { space: &'static str, detail: String },
    #[error("decode error at byte {offset}: {message}")]
    Decode { offset: usize, message: String },
    #[error("invalid EscJSON: {0}")]
    EscJson(String),
    #[error("invalid record: {0}")]
    InvalidRecord(String),
    #[error("invalid id {id:?}: {reason}")]
    InvalidId { id: String, reason: String },
    #[error("invalid principal id {0:?}: principal ids are opaque identifiers, never emails")]
    InvalidPrincipal(String),
    #[error(
        "remote timestamp is {ahead_ms} ms ahead of the local clock (bound {bound_ms} ms); \
         rejecting the operation: check the remote replica's clock"
    )]
    ClockSkew { ahead_ms: u64, bound_ms: u64 },
    #[error("sync protocol error: {0}")]
    Protocol(String),
    #[error("query error: {0}")]
    Query(String),
    #[error("store at {0} is not initialised (run `mixc db init`)")]
    NotInitialised(String),
    #[error("unsupported store format version {0}")]
    Version(u32),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<fjall::Error> for StoreError {
    fn from(e: fjall::Error) -> Self {
        StoreError::Engine(e.to_string())
    }
}
