//! Run-time errors: `fail(msg)`, failed matches and bad operations (catchable by `try`), and
//! resource limits (not catchable: a program must not be able to swallow its own budget).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `fail(msg)`: `try` gives `error(msg)`.
    Fail,
    /// A run-time error of the language (failed match, index out of range, bad operand, …).
    Runtime,
    /// A resource limit: step budget, deadline or memory cap.
    Limit,
}

/// One Mix frame of a stack trace, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    pub function: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RtError {
    pub kind: ErrorKind,
    pub message: String,
    pub trace: Vec<TraceFrame>,
}

impl RtError {
    pub fn fail(message: impl Into<String>) -> RtError {
        RtError {
            kind: ErrorKind::Fail,
            message: message.into(),
            trace: Vec::new(),
        }
    }

    pub fn runtime(message: impl Into<String>) -> RtError {
        RtError {
            kind: ErrorKind::Runtime,
            message: message.into(),
            trace: Vec::new(),
        }
    }

    pub fn limit(message: impl Into<String>) -> RtError {
        RtError {
            kind: ErrorKind::Limit,
            message: message.into(),
            trace: Vec::new(),
        }
    }

    /// Whether `try` may turn this error into `error(message)`.
    pub fn catchable(&self) -> bool {
        self.kind != ErrorKind::Limit
    }
}

impl fmt::Display for RtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        for frame in &self.trace {
            write!(
                f,
                "\n    at {} ({}:{}:{})",
                frame.function, frame.file, frame.line, frame.column
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for RtError {}

pub type RtResult<T> = Result<T, RtError>;
