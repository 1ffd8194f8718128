//! The one error type of the QCode loader: decoding and verification both report a byte
//! offset and a message, so a corrupt or miscompiled file can be located with a hex dump.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// Byte offset in the file where the problem was found. Errors from [`super::verify::verify`]
    /// on a module built in memory have no file and report offset 0.
    pub offset: usize,
    pub message: String,
}

impl LoadError {
    pub fn new(offset: usize, message: impl Into<String>) -> LoadError {
        LoadError {
            offset,
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for LoadError {}
