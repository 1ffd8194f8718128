//! Key formats of the engine spaces and decoding of stored record states.

use crate::crdt::{OpId, RecordState};
use crate::error::{Result, StoreError};
use crate::head::Head;
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

/// Encode a `Records` value (store format 3): CRC32 · local sequence (varint) · the head
/// ([`Head`]: stamps, tombstone flag, content; length-prefixed) · the registers and
/// superseded ids ([`RecordState::encode`]). The record id is the key. Readers of heads (gets,
/// queries) stop after the head; writers decode the state, which takes its stamps and the
/// values it does not repeat from the head.
pub fn encode_record(seq: u64, head: &[u8], state: &RecordState, content: &Value) -> Vec<u8> {
    let mut w = Writer::sealed(2 * head.len() + 32);
    w.varint(seq);
    w.bytes(head);
    state.encode(&mut w, content);
    w.finish_sealed()
}

/// A `Records` value, checksum checked, split into its parts.
pub struct StoredRecord<'a> {
    pub id: &'a str,
    pub seq: u64,
    /// The encoded head ([`Head`]).
    pub head: &'a [u8],
    state: Reader<'a>,
}

impl StoredRecord<'_> {
    pub fn head(&self) -> Result<Head> {
        Head::decode(self.head)
    }

    /// The head as readers see it (system fields included).
    pub fn head_value(&self) -> Result<Value> {
        Ok(self.head()?.to_value(self.id))
    }

    /// The CRDT state, given the decoded head.
    pub fn state_with(mut self, head: &Head) -> Result<RecordState> {
        let st = RecordState::decode(&mut self.state, self.id, head)?;
        self.state.expect_end()?;
        Ok(st)
    }

    pub fn state(self) -> Result<RecordState> {
        let head = self.head()?;
        self.state_with(&head)
    }
}

/// Split a `Records` entry (key and value) into its parts, checking the checksum and that the
/// key is a record id.
pub fn parse_record<'a>(key: &'a [u8], stored: &'a [u8]) -> Result<StoredRecord<'a>> {
    let payload = unseal("records", stored)?;
    let id = std::str::from_utf8(key).map_err(|_| StoreError::Corrupt {
        space: "records",
        detail: "record id is not UTF-8".into(),
    })?;
    let mut r = Reader::new(payload);
    let seq = r.varint()?;
    let head = r.bytes()?;
    Ok(StoredRecord {
        id,
        seq,
        head,
        state: r,
    })
}

/// Decode a `Records` entry's CRDT state and local sequence.
pub fn decode_state(key: &[u8], stored: &[u8]) -> Result<(RecordState, u64)> {
    let rec = parse_record(key, stored)?;
    let seq = rec.seq;
    Ok((rec.state()?, seq))
}

/// The record id of a `Revisions` key (the part before the NUL).
pub fn revision_record(key: &[u8]) -> Result<&str> {
    key.iter()
        .position(|&b| b == 0)
        .and_then(|n| std::str::from_utf8(&key[..n]).ok())
        .ok_or_else(|| StoreError::Corrupt {
            space: "revisions",
            detail: "bad revision key".into(),
        })
}

/// Decode a `Revisions` entry: a sealed [`Head`] of the record its key names.
pub fn decode_revision(key: &[u8], stored: &[u8]) -> Result<Value> {
    let id = revision_record(key)?;
    Ok(Head::decode(unseal("revisions", stored)?)?.to_value(id))
}
