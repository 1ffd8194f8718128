//! Sync between replicas: each side announces its version vector, sends exactly the changes
//! the other lacks, applies what it receives, and acknowledges. The change log is the
//! durable outbound queue; the acknowledged version vector of each peer (kept in the `Peers`
//! space) tells how much is still waiting for it.

pub mod codec;
pub mod protocol;

pub use protocol::{sync_in_process, sync_stream, SyncReport};
