//! The Mix record store (issue 5).
pub mod error;
pub mod escjson;
pub mod msgpack;
pub mod value;

pub use error::{Result, StoreError};
pub use value::Value;
pub mod crdt;
pub mod record;
pub mod wire;
