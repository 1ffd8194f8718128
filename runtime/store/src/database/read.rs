//! Reads: heads, revisions, conflicts, record scans and the change log.

use super::Database;
use crate::crdt::{Change, OpId, RecordState, VersionVector};
use crate::engine::{KvIter, Space};
use crate::error::Result;
use crate::keys;
use crate::record;
use crate::value::Value;
use std::collections::BTreeMap;
use std::ops::Bound;

/// Summary figures for `mixc db stats`.
#[derive(Debug, Clone)]
pub struct Stats {
    pub engine: &'static str,
    pub replica: String,
    pub records: u64,
    pub changes: u64,
    pub revisions: u64,
    pub index_entries: u64,
    pub replicas_known: usize,
}

impl Database {
    /// The head of a live record (None when missing or deleted).
    pub fn get(&self, id: &str) -> Result<Option<Value>> {
        Ok(self.get_any(id)?.filter(|v| !is_deleted(v)))
    }

    /// The head of a record, tombstones included.
    pub fn get_any(&self, id: &str) -> Result<Option<Value>> {
        Ok(self.head_with_seq(id)?.map(|(v, _)| v))
    }

    /// The head (tombstones included) and its local sequence, from one read. The head is
    /// stored materialised next to the CRDT state, so this decodes no state.
    pub fn head_with_seq(&self, id: &str) -> Result<Option<(Value, u64)>> {
        match self.store.get(Space::Records, id.as_bytes())? {
            None => Ok(None),
            Some(bytes) => {
                let rec = keys::parse_record(id.as_bytes(), &bytes)?;
                Ok(Some((rec.head_value()?, rec.seq)))
            }
        }
    }

    /// The CRDT state (for tests and diagnostics).
    pub fn record_state(&self, id: &str) -> Result<Option<RecordState>> {
        Ok(self.load_state(id)?.map(|(st, _)| st))
    }

    /// Every path of the record with concurrent values (winner first).
    pub fn conflicts(&self, id: &str) -> Result<BTreeMap<String, Vec<Value>>> {
        Ok(self
            .load_state(id)?
            .map(|(st, _)| st.conflicts())
            .unwrap_or_default())
    }

    /// The kept revisions of a record, oldest first: the superseded ones (marked so), then
    /// the head.
    pub fn history(&self, id: &str) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        for kv in self
            .store
            .scan_prefix(Space::Revisions, &keys::revision_prefix(id))
        {
            let (k, v) = kv?;
            out.push(keys::decode_revision(&k, &v)?);
        }
        out.extend(self.get_any(id)?);
        let n = out.len();
        for (i, v) in out.iter_mut().enumerate() {
            if let Value::Map(m) = v {
                m.insert(record::SUPERSEDED.into(), Value::Bool(i + 1 < n));
            }
        }
        Ok(out)
    }

    /// All record ids, in id order.
    pub fn record_ids(&self) -> impl Iterator<Item = Result<String>> + '_ {
        self.store
            .scan(Space::Records, Bound::Unbounded, Bound::Unbounded, false)
            .map(|kv| {
                let (k, _) = kv?;
                Ok(String::from_utf8_lossy(&k).into_owned())
            })
    }

    /// All record heads (tombstones included), in id order, with their local sequence.
    pub fn heads(&self) -> impl Iterator<Item = Result<(Value, u64)>> + '_ {
        self.store
            .scan(Space::Records, Bound::Unbounded, Bound::Unbounded, false)
            .map(|kv| {
                let (k, v) = kv?;
                let rec = keys::parse_record(&k, &v)?;
                Ok((rec.head_value()?, rec.seq))
            })
    }

    /// Current local sequence number of a record (its position in apply order).
    pub fn record_seq(&self, id: &str) -> Result<Option<u64>> {
        match self.store.get(Space::Records, id.as_bytes())? {
            None => Ok(None),
            Some(bytes) => Ok(Some(keys::parse_record(id.as_bytes(), &bytes)?.seq)),
        }
    }

    /// Record ids applied after sequence `after`, ascending.
    pub fn ids_after_seq(&self, after: u64) -> impl Iterator<Item = Result<String>> + '_ {
        self.store
            .scan(
                Space::BySeq,
                Bound::Excluded(after.to_be_bytes().to_vec()),
                Bound::Unbounded,
                false,
            )
            .map(|kv| {
                let (_, v) = kv?;
                Ok(String::from_utf8_lossy(&v).into_owned())
            })
    }

    /// The sequence at which a revision (by its `_rmx_rev` id) was applied locally, if its
    /// record's head still is that revision or later.
    pub fn seq_of_revision(&self, rev: &str) -> Result<Option<u64>> {
        let Some((rep, ctr)) = rev.split_once(':') else {
            return Ok(None);
        };
        let (Some(replica), Ok(counter)) = (crate::crdt::ReplicaId::parse(rep), ctr.parse::<u64>())
        else {
            return Ok(None);
        };
        let Some(change) = self.change(OpId { replica, counter })? else {
            return Ok(None);
        };
        self.record_seq(&change.record)
    }

    /// One change from the log: in the run whose first change is at most 63 counters before
    /// it (runs hold at most [`keys::CHANGES_PER_RUN`] changes).
    pub fn change(&self, id: OpId) -> Result<Option<Change>> {
        let lowest = OpId {
            replica: id.replica,
            counter: id.counter.saturating_sub(keys::CHANGES_PER_RUN as u64 - 1),
        };
        for kv in self.store.scan(
            Space::Changes,
            Bound::Included(keys::change_key(lowest)),
            Bound::Included(keys::change_key(id)),
            true,
        ) {
            let (k, v) = kv?;
            if let Some(c) = keys::decode_change_run(&k, &v)?
                .into_iter()
                .find(|c| c.id == id)
            {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// Every change this replica holds that `remote` lacks: per known replica, a range scan
    /// of the log from the run that may hold the remote's first missing counter, skipping
    /// the remote's dots.
    pub fn changes_missing_from<'a>(
        &'a self,
        remote: &'a VersionVector,
    ) -> impl Iterator<Item = Result<Change>> + 'a {
        let mine = self.version_vector();
        mine.replicas().into_iter().flat_map(move |r| {
            let next = remote.contiguous(r) + 1;
            let from = OpId {
                replica: r,
                counter: next.saturating_sub(keys::CHANGES_PER_RUN as u64 - 1),
            };
            let to = OpId {
                replica: r,
                counter: u64::MAX,
            };
            let it: KvIter<'a> = self.store.scan(
                Space::Changes,
                Bound::Included(keys::change_key(from)),
                Bound::Included(keys::change_key(to)),
                false,
            );
            changes_of_runs(it).filter(move |c| match c {
                Ok(c) => c.id.counter >= next && !remote.contains(c.id),
                Err(_) => true,
            })
        })
    }

    /// Every change in the log (for export).
    pub fn all_changes(&self) -> impl Iterator<Item = Result<Change>> + '_ {
        changes_of_runs(
            self.store
                .scan(Space::Changes, Bound::Unbounded, Bound::Unbounded, false),
        )
    }

    pub fn stats(&self) -> Result<Stats> {
        let vv = self.version_vector();
        Ok(Stats {
            engine: self.store.engine_name(),
            replica: self.replica.to_string(),
            records: self.store.approximate_len(Space::Records),
            // the log holds every change the version vector lists, in runs
            changes: vv.total(),
            // every record's head is a revision too (it is stored with the record)
            revisions: self.store.approximate_len(Space::Revisions)
                + self.store.approximate_len(Space::Records),
            index_entries: self.store.approximate_len(Space::Index),
            replicas_known: vv.replicas().len(),
        })
    }
}

/// The changes of a scan of `changes` entries, in key order. Writers log each change once
/// (`apply_changes` checks the version vector again under the record locks), so runs do not
/// overlap; should they, a change at or below the last one yielded for its replica is
/// skipped rather than sent twice.
fn changes_of_runs<'a>(runs: KvIter<'a>) -> impl Iterator<Item = Result<Change>> + 'a {
    let mut last: Option<OpId> = None;
    runs.flat_map(|kv| {
        let decoded = kv.and_then(|(k, v)| keys::decode_change_run(&k, &v));
        match decoded {
            Ok(cs) => cs.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }
    })
    .filter(move |c| match c {
        Ok(c) => {
            let fresh = last.is_none_or(|l| c.id.replica != l.replica || c.id.counter > l.counter);
            if fresh {
                last = Some(c.id);
            }
            fresh
        }
        Err(_) => true,
    })
}

pub fn is_deleted(v: &Value) -> bool {
    matches!(
        v.get_path(&[record::DELETED.to_string()]),
        Some(Value::Bool(true))
    )
}
