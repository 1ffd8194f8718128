//! Key formats of the engine spaces and decoding of stored record states.

use crate::crdt::{OpId, RecordState};
use crate::error::Result;
use crate::wire::{unseal, Reader};

/// `Changes` key: replica (8 bytes BE) + counter (8 bytes BE), so one replica's changes are
/// contiguous and in counter order.
pub fn change_key(id: OpId) -> Vec<u8> {
    let mut k = Vec::with_capacity(16);
    k.extend_from_slice(&id.replica.0.to_be_bytes());
    k.extend_from_slice(&id.counter.to_be_bytes());
    k
}

pub fn parse_change_key(k: &[u8]) -> Option<OpId> {
    if k.len() != 16 {
        return None;
    }
    let r = u64::from_be_bytes(k[..8].try_into().ok()?);
    let c = u64::from_be_bytes(k[8..].try_into().ok()?);
    Some(OpId {
        replica: crate::crdt::ReplicaId(r),
        counter: c,
    })
}

/// `Revisions` key: record id + NUL + sequence (8 bytes BE).
pub fn revision_key(id: &str, seq: u64) -> Vec<u8> {
    let mut k = revision_prefix(id);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub fn revision_prefix(id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 9);
    k.extend_from_slice(id.as_bytes());
    k.push(0);
    k
}

/// Decode a `Records` value: checksum, local sequence, CRDT state.
pub fn decode_state(stored: &[u8]) -> Result<(RecordState, u64)> {
    let payload = unseal("records", stored)?;
    let mut r = Reader::new(payload);
    let seq = r.varint()?;
    let st = RecordState::decode(&mut r)?;
    r.expect_end()?;
    Ok((st, seq))
}
