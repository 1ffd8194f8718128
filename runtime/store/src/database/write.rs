//! Local writes and the application of remote changes. Both turn changes into one engine
//! batch per record group (change log, record state, revision, index diff, sequence entry)
//! and hand it to the group committer.

use super::{Database, History};
use crate::commit::Job;
use crate::crdt::plan::{plan, WriteKind};
use crate::crdt::{Change, OpId, RecordState};
use crate::engine::{Put, Space};
use crate::error::{Result, StoreError};
use crate::index;
use crate::record::{self, split_incoming, validate_id};
use crate::value::Value;
use crate::wire::{seal, Writer};
use crate::{keys, msgpack};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;

/// What applying a batch of remote changes did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub applied: usize,
    pub duplicates: usize,
    pub records: usize,
}

impl Database {
    /// Save a record (insert when it has no `_rmx_id`, else replace its content). Returns the
    /// id once the write is durable.
    pub fn save(&self, record: Value) -> Result<String> {
        let inc = split_incoming(record)?;
        let id = match inc.id {
            Some(id) => id,
            None => self.new_id(),
        };
        self.write_local(&id, WriteKind::Save(inc.content))?;
        Ok(id)
    }

    /// Merge the given fields into a record (creating it if needed).
    pub fn upsert(&self, record: Value) -> Result<String> {
        let inc = split_incoming(record)?;
        let id = inc.id.unwrap_or_else(|| self.new_id());
        self.write_local(&id, WriteKind::Upsert(inc.content))?;
        Ok(id)
    }

    /// Delete a record; false when it did not exist (or was already deleted).
    pub fn delete(&self, id: &str) -> Result<bool> {
        validate_id(id)?;
        Ok(self.write_local(id, WriteKind::Delete)?.is_some())
    }

    /// A fresh record id: the replica id and a per-replica counter make it unique.
    fn new_id(&self) -> String {
        let n = self.seq.load(Ordering::SeqCst) + self.counter.load(Ordering::SeqCst);
        let t = self.clock.tick();
        format!("{}-{:x}{:04x}-{n:x}", self.replica, t.wall_ms, t.logical)
    }

    /// Save many records as one durable group (one sync for the whole batch). Returns the ids
    /// in input order.
    pub fn save_batch(&self, records: Vec<Value>) -> Result<Vec<String>> {
        let mut writes = Vec::with_capacity(records.len());
        for r in records {
            let inc = split_incoming(r)?;
            let id = inc.id.unwrap_or_else(|| self.new_id());
            writes.push((id, WriteKind::Save(inc.content)));
        }
        let ids = writes.iter().map(|(id, _)| id.clone()).collect();
        self.write_local_batch(writes)?;
        Ok(ids)
    }

    /// Plan and apply several local writes (records may repeat) and commit them together.
    pub fn write_local_batch(&self, writes: Vec<(String, WriteKind)>) -> Result<Vec<Change>> {
        for (id, _) in &writes {
            validate_id(id)?;
        }
        let stripes: BTreeSet<usize> = writes.iter().map(|(id, _)| self.stripe_of(id)).collect();
        let _guards: Vec<_> = stripes
            .iter()
            .map(|&s| self.stripes[s].lock().unwrap_or_else(|p| p.into_inner()))
            .collect();
        // per record: state (changes applied as planned), sequence, index entries before
        let mut states: BTreeMap<String, (RecordState, u64, BTreeSet<Vec<u8>>)> = BTreeMap::new();
        let mut pending: BTreeMap<String, Vec<Change>> = BTreeMap::new();
        for (id, kind) in writes {
            if !states.contains_key(&id) {
                let (st, seq) = self
                    .load_state(&id)?
                    .unwrap_or_else(|| (RecordState::new(&id), 0));
                let old = old_index_entries(&st);
                states.insert(id.clone(), (st, seq, old));
            }
            let Some((state, _, _)) = states.get_mut(&id) else {
                continue;
            };
            let ops = plan(state, &kind);
            if ops.is_empty() {
                continue;
            }
            let change = Change {
                id: OpId {
                    replica: self.replica,
                    counter: self.counter.fetch_add(1, Ordering::SeqCst) + 1,
                },
                hlc: self.clock.tick(),
                record: id.clone(),
                principal: self.principal.clone(),
                ops,
            };
            // plan later writes to the same record against the state after this one
            state.apply(&change);
            pending.entry(id).or_default().push(change);
        }
        let mut puts = Vec::new();
        let mut ids = Vec::new();
        let mut out = Vec::new();
        for (id, changes) in pending {
            let Some((state, seq, old)) = states.get(&id) else {
                continue;
            };
            self.emit(state, *seq, old, &changes, &mut puts)?;
            ids.extend(changes.iter().map(|c| c.id));
            out.extend(changes);
        }
        if !ids.is_empty() {
            self.commit(Job { puts, ids })?;
        }
        Ok(out)
    }

    /// Plan, apply and durably commit a local write. Returns the change (None: no-op).
    pub fn write_local(&self, id: &str, kind: WriteKind) -> Result<Option<Change>> {
        validate_id(id)?;
        let _guard = self.stripes[self.stripe_of(id)]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let (mut state, old_seq) = self
            .load_state(id)?
            .unwrap_or_else(|| (RecordState::new(id), 0));
        let ops = plan(&state, &kind);
        if ops.is_empty() {
            return Ok(None);
        }
        let change = Change {
            id: OpId {
                replica: self.replica,
                counter: self.counter.fetch_add(1, Ordering::SeqCst) + 1,
            },
            hlc: self.clock.tick(),
            record: id.to_string(),
            principal: self.principal.clone(),
            ops,
        };
        let mut puts = Vec::new();
        self.prepare(
            &mut state,
            old_seq,
            std::slice::from_ref(&change),
            &mut puts,
        )?;
        self.commit(Job {
            puts,
            ids: vec![change.id],
        })?;
        Ok(Some(change))
    }

    /// Apply changes received from another replica (idempotent; any order). Every timestamp
    /// is checked against the clock-skew bound first; if one is too far ahead nothing is
    /// applied and the error says by how much.
    pub fn apply_remote(&self, changes: Vec<Change>) -> Result<WriteReport> {
        for c in &changes {
            self.clock.check(c.hlc)?;
        }
        self.apply_changes(changes)
    }

    /// Apply changes from an export of this or another store (no clock-skew check: the
    /// changes are history, not live traffic).
    pub fn apply_imported(&self, changes: Vec<Change>) -> Result<WriteReport> {
        self.apply_changes(changes)
    }

    fn apply_changes(&self, changes: Vec<Change>) -> Result<WriteReport> {
        for c in &changes {
            validate_id(&c.record)?;
        }
        let mut report = WriteReport::default();
        let vv = self.version_vector();
        let mut seen = BTreeSet::new();
        let mut by_record: BTreeMap<String, Vec<Change>> = BTreeMap::new();
        for c in changes {
            if vv.contains(c.id) || !seen.insert(c.id) {
                report.duplicates += 1;
                continue;
            }
            by_record.entry(c.record.clone()).or_default().push(c);
        }
        if by_record.is_empty() {
            return Ok(report);
        }
        // lock the stripes involved, in order (no deadlock with other writers)
        let stripes: BTreeSet<usize> = by_record.keys().map(|id| self.stripe_of(id)).collect();
        let _guards: Vec<_> = stripes
            .iter()
            .map(|&s| self.stripes[s].lock().unwrap_or_else(|p| p.into_inner()))
            .collect();
        let mut puts = Vec::new();
        let mut ids = Vec::new();
        let mut max_hlc = None;
        for (id, cs) in &by_record {
            let (mut state, old_seq) = self
                .load_state(id)?
                .unwrap_or_else(|| (RecordState::new(id), 0));
            self.prepare(&mut state, old_seq, cs, &mut puts)?;
            for c in cs {
                ids.push(c.id);
                max_hlc = max_hlc.max(Some(c.hlc));
            }
            report.applied += cs.len();
            report.records += 1;
        }
        if let Some(h) = max_hlc {
            self.clock.observe(h);
        }
        self.commit(Job { puts, ids })?;
        Ok(report)
    }

    /// Apply `changes` (all for `state`'s record) and emit the puts: change log entries, the
    /// new state, one revision snapshot, the sequence entry and the index diff.
    fn prepare(
        &self,
        state: &mut RecordState,
        old_seq: u64,
        changes: &[Change],
        puts: &mut Vec<Put>,
    ) -> Result<()> {
        let old_entries = old_index_entries(state);
        for c in changes {
            state.apply(c);
        }
        self.emit(state, old_seq, &old_entries, changes, puts)
    }

    /// Emit the puts for `changes`, already applied to `state`, given the index entries of the
    /// head before them.
    fn emit(
        &self,
        state: &RecordState,
        old_seq: u64,
        old_entries: &BTreeSet<Vec<u8>>,
        changes: &[Change],
        puts: &mut Vec<Put>,
    ) -> Result<()> {
        let id = state.id.clone();
        for c in changes {
            puts.push(Put::set(
                Space::Changes,
                keys::change_key(c.id),
                seal(&c.to_bytes()),
            ));
        }
        let head = state.materialise();
        let new_entries = index::entries(&head);
        for gone in old_entries.difference(&new_entries) {
            puts.push(Put::delete(Space::Index, index::full_key(gone, &id)));
        }
        for added in new_entries.difference(old_entries) {
            puts.push(Put::set(
                Space::Index,
                index::full_key(added, &id),
                Vec::new(),
            ));
        }
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        if old_seq != 0 {
            puts.push(Put::delete(Space::BySeq, old_seq.to_be_bytes().to_vec()));
        }
        puts.push(Put::set(
            Space::BySeq,
            seq.to_be_bytes().to_vec(),
            id.as_bytes().to_vec(),
        ));
        let mut w = Writer::new();
        w.varint(seq);
        state.encode(&mut w);
        puts.push(Put::set(
            Space::Records,
            id.as_bytes().to_vec(),
            seal(&w.finish()),
        ));
        puts.push(Put::set(
            Space::Revisions,
            keys::revision_key(&id, seq),
            seal(&msgpack::encode(&head)),
        ));
        if let History::KeepLast(n) = self.opts.history {
            let existing: Vec<Vec<u8>> = self
                .store
                .scan_prefix(Space::Revisions, &keys::revision_prefix(&id))
                .filter_map(|kv| kv.ok().map(|(k, _)| k))
                .collect();
            // `existing` does not yet include the revision being written
            let keep = n.saturating_sub(1);
            if existing.len() > keep {
                for k in &existing[..existing.len() - keep] {
                    puts.push(Put::delete(Space::Revisions, k.clone()));
                }
            }
        }
        Ok(())
    }

    fn commit(&self, job: Job) -> Result<()> {
        let durable = self.opts.durable;
        let write_group = |jobs: Vec<Job>| -> Result<()> {
            let ids: Vec<OpId> = jobs.iter().flat_map(|j| j.ids.iter().copied()).collect();
            let mut batch: Vec<Put> = jobs.into_iter().flat_map(|j| j.puts).collect();
            batch.extend(self.meta_puts(&ids));
            self.store.write(batch, durable)?;
            let mut vv = self.lock_vv();
            for id in ids {
                vv.add(id);
            }
            Ok(())
        };
        self.committer.submit(job, &write_group)
    }

    /// Load a record's CRDT state and its current sequence number.
    pub(crate) fn load_state(&self, id: &str) -> Result<Option<(RecordState, u64)>> {
        match self.store.get(Space::Records, id.as_bytes())? {
            None => Ok(None),
            Some(bytes) => keys::decode_state(&bytes).map(Some),
        }
    }

    /// Record ids are validated; a record with system fields in its content is rejected.
    pub fn check_content(content: &BTreeMap<String, Value>) -> Result<()> {
        if let Some(k) = content.keys().find(|k| record::is_system_field(k)) {
            return Err(StoreError::InvalidRecord(format!(
                "{k} is a system field and cannot be written"
            )));
        }
        Ok(())
    }
}

fn old_index_entries(state: &RecordState) -> BTreeSet<Vec<u8>> {
    if state.exists() {
        index::entries(&state.materialise())
    } else {
        BTreeSet::new()
    }
}
