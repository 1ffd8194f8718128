//! Identifiers: replicas, changes `(replica, counter)` and the field operations inside them.

use std::fmt;

/// A replica's id, chosen at random when a store is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplicaId(pub u64);

impl fmt::Display for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl ReplicaId {
    /// A fresh random id (from the OS-seeded hasher, the time and the process id).
    pub fn random() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        h.write_u32(std::process::id());
        let v = h.finish();
        ReplicaId(if v == 0 { 1 } else { v })
    }

    pub fn parse(s: &str) -> Option<Self> {
        u64::from_str_radix(s, 16).ok().map(ReplicaId)
    }
}

/// A change's id: the replica that made it and that replica's change counter (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId {
    pub replica: ReplicaId,
    pub counter: u64,
}

impl fmt::Display for OpId {
    /// The revision id form used in `_rmx_rev` refs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.replica, self.counter)
    }
}

/// One field operation inside a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldOpId {
    pub change: OpId,
    pub index: u32,
}
