//! The Mix runtime: values, the QCode format and its loader, the VM and the native primitives
//! the standard library stands on.

pub mod alloc;
pub mod array;
pub mod db;
pub mod error;
pub mod native;
pub mod natives;
pub mod obj;
pub mod print;
pub mod qcode;
pub mod stream;
pub mod value;
pub mod vm;

pub use error::{ErrorKind, RtError, RtResult};
pub use value::Value;
