//! Key formats of the engine spaces and decoding of stored record states.

use crate::crdt::{Change, OpId, RecordState};
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

/// At most this many changes share a `changes` entry.
pub const CHANGES_PER_RUN: usize = 64;

/// A change on its way to the change log: the change itself (a local write, which also
/// returns it to the writer) or its encoding, made before a merge moved the change's paths
/// and values into the record state ([`crate::crdt::RecordState::apply_owned`]).
pub enum LoggedChange {
    Kept(Change),
    Encoded { id: OpId, bytes: Vec<u8> },
}

impl LoggedChange {
    pub fn encoded(change: &Change) -> LoggedChange {
        let mut w = Writer::with_capacity(encoded_size_estimate(change));
        change.encode(&mut w);
        LoggedChange::Encoded {
            id: change.id,
            bytes: w.finish(),
        }
    }

    pub fn id(&self) -> OpId {
        match self {
            LoggedChange::Kept(c) => c.id,
            LoggedChange::Encoded { id, .. } => *id,
        }
    }

    fn write(&self, w: &mut Writer) {
        match self {
            LoggedChange::Kept(c) => c.encode(w),
            LoggedChange::Encoded { bytes, .. } => w.raw(bytes),
        }
    }

    fn size_hint(&self) -> usize {
        match self {
            LoggedChange::Kept(c) => encoded_size_estimate(c),
            LoggedChange::Encoded { bytes, .. } => bytes.len(),
        }
    }
}

/// Room for a change's encoding: most fit, so the buffer rarely grows.
fn encoded_size_estimate(change: &Change) -> usize {
    64 + 48 * change.ops.len()
}

/// The `changes` entries (key, sealed value) holding `changes` (store format 3): runs of
/// consecutive counters of one replica, at most [`CHANGES_PER_RUN`] each, keyed by the run's
/// first change. A value is the change count (varint) and the changes, one after the other.
/// A batch of 1,000 local writes is 16 entries instead of 1,000.
pub fn change_runs(logged: &[LoggedChange]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut changes: Vec<&LoggedChange> = logged.iter().collect();
    changes.sort_unstable_by_key(|c| c.id());
    changes.dedup_by_key(|c| c.id());
    let mut out = Vec::with_capacity(changes.len() / CHANGES_PER_RUN + 1);
    let mut i = 0;
    while i < changes.len() {
        let first = changes[i].id();
        let mut j = i + 1;
        while j < changes.len()
            && j - i < CHANGES_PER_RUN
            && changes[j].id().replica == first.replica
            && Some(changes[j].id().counter) == changes[j - 1].id().counter.checked_add(1)
        {
            j += 1;
        }
        let run = &changes[i..j];
        let mut w = Writer::sealed(run.iter().map(|c| c.size_hint()).sum::<usize>() + 10);
        w.varint(run.len() as u64);
        for c in run {
            c.write(&mut w);
        }
        out.push((change_key(first), w.finish_sealed()));
        i = j;
    }
    out
}

/// Decode a `changes` entry: the run of changes it holds, checked to be consecutive changes
/// of one replica starting at the key's.
pub fn decode_change_run(key: &[u8], stored: &[u8]) -> Result<Vec<Change>> {
    let corrupt = |detail: &str| StoreError::Corrupt {
        space: "changes",
        detail: detail.into(),
    };
    let first = parse_change_key(key).ok_or_else(|| corrupt("bad change key"))?;
    let mut r = Reader::new(unseal("changes", stored)?);
    let n = r.count(8, CHANGES_PER_RUN, "changes in a run")?;
    if n == 0 {
        return Err(corrupt("empty run of changes"));
    }
    let mut out = Vec::with_capacity(n);
    for k in 0..n as u64 {
        let c = Change::decode(&mut r)?;
        let expected = first.counter.checked_add(k);
        if c.id.replica != first.replica || Some(c.id.counter) != expected {
            return Err(corrupt("change id does not follow the run's key"));
        }
        out.push(c);
    }
    r.expect_end()?;
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::change::FieldOp;
    use crate::crdt::{Hlc, ReplicaId};
    use crate::wire::seal;

    fn change(replica: u64, counter: u64) -> Change {
        Change {
            id: OpId {
                replica: ReplicaId(replica),
                counter,
            },
            hlc: Hlc {
                wall_ms: 1000 + counter,
                logical: 0,
            },
            record: format!("r{counter}"),
            principal: "p".into(),
            ops: vec![FieldOp {
                path: vec!["x".into()],
                value: Some(Value::Int(counter as i64)),
                preds: Vec::new(),
            }],
        }
    }

    #[test]
    fn runs_split_at_gaps_replicas_and_the_run_limit() {
        let mut cs: Vec<Change> = (1..=70).map(|c| change(1, c)).collect();
        cs.extend([change(1, 72), change(1, 73), change(2, 1), change(1, 5)]);
        // half kept, half encoded beforehand: the runs are the same either way
        let logged: Vec<LoggedChange> = cs
            .iter()
            .rev()
            .enumerate()
            .map(|(i, c)| match i % 2 {
                0 => LoggedChange::Kept(c.clone()),
                _ => LoggedChange::encoded(c),
            })
            .collect();
        let runs = change_runs(&logged);
        let firsts: Vec<OpId> = runs
            .iter()
            .map(|(k, _)| parse_change_key(k).unwrap())
            .collect();
        let id = |r, c| OpId {
            replica: ReplicaId(r),
            counter: c,
        };
        assert_eq!(firsts, [id(1, 1), id(1, 65), id(1, 72), id(2, 1)]);
        let decoded: Vec<Vec<Change>> = runs
            .iter()
            .map(|(k, v)| decode_change_run(k, v).unwrap())
            .collect();
        assert_eq!(
            decoded.iter().map(Vec::len).collect::<Vec<_>>(),
            [64, 6, 2, 1]
        );
        // every change once (the duplicate of 1:5 is dropped), equal to what went in
        let all: Vec<Change> = decoded.into_iter().flatten().collect();
        assert_eq!(all.len(), 73);
        assert_eq!(all[4], cs[4]);
        assert_eq!(all[70], cs[70]);
    }

    #[test]
    fn runs_that_do_not_match_their_key_are_corrupt() {
        let cs = [change(1, 3), change(1, 4)];
        let logged: Vec<LoggedChange> = cs.iter().cloned().map(LoggedChange::Kept).collect();
        let (key, value) = change_runs(&logged).remove(0);
        assert!(decode_change_run(&key, &value).is_ok());
        // the same run under another key
        let other = change_key(OpId {
            replica: ReplicaId(1),
            counter: 2,
        });
        let err = decode_change_run(&other, &value).unwrap_err().to_string();
        assert!(err.contains("does not follow"), "{err}");
        // a count above the changes present, an empty run, a bad key
        let payload = unseal("changes", &value).unwrap();
        let mut more = payload.to_vec();
        more[0] = 3;
        assert!(decode_change_run(&key, &seal(&more)).is_err());
        assert!(decode_change_run(&key, &seal(&[0])).is_err());
        assert!(decode_change_run(b"short", &value).is_err());
    }
}
