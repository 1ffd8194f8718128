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

/// A run-time error. Boxed so that `RtResult<Value>` stays as small as a `Value` (the VM
/// returns one from every fallible operation on its hot path).
#[derive(Clone, Debug, PartialEq)]
pub struct RtError(Box<ErrorDetail>);

#[derive(Clone, Debug, PartialEq)]
pub struct ErrorDetail {
    pub kind: ErrorKind,
    pub message: String,
    pub trace: Vec<TraceFrame>,
}

impl std::ops::Deref for RtError {
    type Target = ErrorDetail;
    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

impl std::ops::DerefMut for RtError {
    fn deref_mut(&mut self) -> &mut ErrorDetail {
        &mut self.0
    }
}

impl RtError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> RtError {
        RtError(Box::new(ErrorDetail {
            kind,
            message: message.into(),
            trace: Vec::new(),
        }))
    }

    pub fn fail(message: impl Into<String>) -> RtError {
        RtError::new(ErrorKind::Fail, message)
    }

    pub fn runtime(message: impl Into<String>) -> RtError {
        RtError::new(ErrorKind::Runtime, message)
    }

    pub fn limit(message: impl Into<String>) -> RtError {
        RtError::new(ErrorKind::Limit, message)
    }

    /// Whether `try` may turn this error into `error(message)`.
    pub fn catchable(&self) -> bool {
        self.kind != ErrorKind::Limit
    }
}

impl RtError {
    /// The message and the stack trace, each frame's function shown as `function_name` gives
    /// it (a REPL shows its session's definitions by their own names).
    pub fn render(&self, function_name: impl Fn(&str) -> String) -> String {
        let mut shown = self.message.clone();
        for frame in &self.trace {
            let function = function_name(&frame.function);
            if frame.file.is_empty() {
                shown.push_str(&format!("\n    {function}"));
            } else {
                shown.push_str(&format!(
                    "\n    at {function} ({}:{}:{})",
                    frame.file, frame.line, frame.column
                ));
            }
        }
        shown
    }
}

impl fmt::Display for RtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(str::to_string))
    }
}

impl std::error::Error for RtError {}

pub type RtResult<T> = Result<T, RtError>;
