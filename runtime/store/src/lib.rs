//! The Mix record store (issue 5): CRDT records with first-class refs, a durable engine,
//! automatic indexes, queries and sync. See `docs/store.md` for the design.

pub mod commit;
pub mod crdt;
pub mod database;
mod depth;
pub mod engine;
pub mod error;
pub mod escjson;
pub mod export;
pub mod head;
pub mod index;
pub mod keys;
pub mod msgpack;
pub mod query;
pub mod record;
pub mod sync;
pub mod value;
pub mod verify;
pub mod wire;

pub use database::{Database, History, Options};
pub use error::{Result, StoreError};
pub use value::Value;
