//! Key formats of the engine spaces and decoding of stored record states.

use crate::crdt::{OpId, RecordState};
use crate::error::Result;
use crate::msgpack;
use crate::value::Value;
use crate::wire::{unseal, Reader, Writer};

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

/// Encode a `Records` value: CRC32 · local sequence (varint) · the head (MessagePack of the
/// materialised record, length-prefixed) · the CRDT state. Readers of heads (gets, queries)
/// stop after the head; writers decode the state.
pub fn encode_record(seq: u64, head: &[u8], state: &RecordState) -> Vec<u8> {
    let mut w = Writer::sealed(3 * head.len() + 16);
    w.varint(seq);
    w.bytes(head);
    state.encode(&mut w);
    w.finish_sealed()
}

/// A `Records` value, checksum checked, split into its parts.
pub struct StoredRecord<'a> {
    pub seq: u64,
    /// MessagePack of the materialised head.
    pub head: &'a [u8],
    state: Reader<'a>,
}

impl StoredRecord<'_> {
    pub fn head_value(&self) -> Result<Value> {
        msgpack::decode(self.head)
    }

    pub fn state(mut self) -> Result<RecordState> {
        let st = RecordState::decode(&mut self.state)?;
        self.state.expect_end()?;
        Ok(st)
    }
}

pub fn parse_record(stored: &[u8]) -> Result<StoredRecord<'_>> {
    let payload = unseal("records", stored)?;
    let mut r = Reader::new(payload);
    let seq = r.varint()?;
    let head = r.bytes()?;
    Ok(StoredRecord {
        seq,
        head,
        state: r,
    })
}

/// Decode a `Records` value: checksum, local sequence, CRDT state (the head is skipped).
pub fn decode_state(stored: &[u8]) -> Result<(RecordState, u64)> {
    let rec = parse_record(stored)?;
    let seq = rec.seq;
    Ok((rec.state()?, seq))
}
