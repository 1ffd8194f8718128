//! The CRDT layer: ids, hybrid logical clocks, version vectors, changes, per-record state
//! and the planning of local writes into changes. It knows nothing of the storage engine.

pub mod change;
pub mod hlc;
pub mod ids;
pub mod plan;
pub mod state;
pub mod version_vector;

pub use change::{Change, FieldOp};
pub use hlc::{Clock, Hlc};
pub use ids::{FieldOpId, OpId, ReplicaId};
pub use state::{RecordState, Stamp};
pub use version_vector::VersionVector;
