//! Local writes and the application of remote changes. Both turn changes into engine puts
//! per record (change log, record with head and state, superseded revision, index diff,
//! sequence entry) and hand them to the group committer.

use super::parts::PartCommitter;
use super::{Database, History};
use crate::commit::Job;
use crate::crdt::plan::{plan, WriteKind};
use crate::crdt::{Change, OpId, RecordState};
use crate::engine::{Put, Space};
use crate::error::Result;
use crate::head::Head;
use crate::index;
use crate::keys::{self, LoggedChange};
use crate::record::{self, split_incoming, validate_id};
use crate::value::Value;
use crate::wire::seal;
use std::collections::{BTreeSet, HashMap, HashSet};
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
        let (id, kind) = self.prepare_write(record, false)?;
        self.write_local(&id, kind)?;
        Ok(id)
    }

    /// Merge the given fields into a record (creating it if needed).
    pub fn upsert(&self, record: Value) -> Result<String> {
        let (id, kind) = self.prepare_write(record, true)?;
        self.write_local(&id, kind)?;
        Ok(id)
    }

    /// The write `save` (or, with `merge`, `upsert`) makes of `record`, checked but not yet
    /// applied, with the record's id (a fresh one when it has none). A caller collects several
    /// and commits them together with [`Database::write_local_batch`]; an error here is about
    /// this record alone.
    pub fn prepare_write(&self, record: Value, merge: bool) -> Result<(String, WriteKind)> {
        let inc = split_incoming(record)?;
        let id = inc.id.unwrap_or_else(|| self.new_id());
        let kind = if merge {
            WriteKind::Upsert(inc.content)
        } else {
            WriteKind::Save(inc.content)
        };
        check_kind(&kind)?;
        Ok((id, kind))
    }

    /// Delete a record; false when it did not exist (or was already deleted).
    pub fn delete(&self, id: &str) -> Result<bool> {
        validate_id(id)?;
        Ok(self.write_local(id, WriteKind::Delete)?.is_some())
    }

    /// A fresh record id: the replica id and a clock reading make it unique (the clock never
    /// repeats a reading, across restarts too: it is seeded from the last one stored). Written
    /// in base 62, the replica in 11 digits, then the wall time (7 digits until 2081), `-` and
    /// the logical counter: 20 bytes for most ids (the hexadecimal form was 37), and every
    /// index key of a record ends with its id.
    fn new_id(&self) -> String {
        let t = self.clock.tick();
        let mut id = String::with_capacity(24);
        push_base62(&mut id, self.replica.0, 11);
        push_base62(&mut id, t.wall_ms, 7);
        id.push('-');
        push_base62(&mut id, t.logical as u64, 1);
        id
    }

    /// Save many records as one durable group (one sync for the whole batch). Returns the ids
    /// in input order.
    pub fn save_batch(&self, records: Vec<Value>) -> Result<Vec<String>> {
        let writes = records
            .into_iter()
            .map(|r| self.prepare_write(r, false))
            .collect::<Result<Vec<_>>>()?;
        let ids = writes.iter().map(|(id, _)| id.clone()).collect();
        self.write_local_batch(writes)?;
        Ok(ids)
    }

    /// Plan and apply several local writes (records may repeat) and commit them together.
    pub fn write_local_batch(&self, writes: Vec<(String, WriteKind)>) -> Result<Vec<Change>> {
        for (id, kind) in &writes {
            validate_id(id)?;
            check_kind(kind)?;
        }
        let _guards = self.lock_stripes(writes.iter().map(|(id, _)| id.as_str()));
        let mut group = Group::with_capacity(writes.len());
        for (id, kind) in writes {
            let rec = group.slot(id, |id| self.load_pending(id))?;
            let ops = plan(&rec.state, kind);
            if ops.is_empty() {
                continue;
            }
            let change = self.local_change(rec.state.id.clone(), ops);
            // plan later writes to the same record against the state after this one
            rec.state.apply(&change);
            rec.logged.push(LoggedChange::Kept(change));
        }
        self.commit_group(group.items.into_iter().map(Ok))
    }

    /// Plan, apply and durably commit a local write. Returns the change (None: no-op).
    pub fn write_local(&self, id: &str, kind: WriteKind) -> Result<Option<Change>> {
        validate_id(id)?;
        check_kind(&kind)?;
        let _guard = self.stripes[self.stripe_of(id)]
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut rec = self.load_pending(id)?;
        let ops = plan(&rec.state, kind);
        if ops.is_empty() {
            return Ok(None);
        }
        let change = self.local_change(id.to_string(), ops);
        rec.state.apply(&change);
        rec.logged.push(LoggedChange::Kept(change));
        Ok(self.commit_group(std::iter::once(Ok(rec)))?.pop())
    }

    /// A new local change to `record`: the next counter and a fresh clock reading.
    fn local_change(&self, record: String, ops: Vec<crate::crdt::FieldOp>) -> Change {
        Change {
            id: OpId {
                replica: self.replica,
                counter: self.counter.fetch_add(1, Ordering::SeqCst) + 1,
            },
            hlc: self.clock.tick(),
            record,
            principal: self.principal.clone(),
            ops,
        }
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
            for op in &c.ops {
                if let Some(v) = &op.value {
                    record::check_op_depth(&op.path, v)?;
                }
            }
        }
        let mut report = WriteReport::default();
        let vv = self.version_vector();
        let mut seen = HashSet::new();
        let mut fresh = Vec::with_capacity(changes.len());
        for c in changes {
            if vv.contains(c.id) || !seen.insert(c.id) {
                report.duplicates += 1;
                continue;
            }
            fresh.push(c);
        }
        if fresh.is_empty() {
            return Ok(report);
        }
        // lock the stripes involved, in order (no deadlock with other writers)
        let _guards = self.lock_stripes(fresh.iter().map(|c| c.record.as_str()));
        // Another writer may have applied some of these changes between the check above and
        // the locks (a change's record is in one stripe, so no one else can now): drop them,
        // so a change is logged once and runs of the log never overlap or replace each other.
        let vv = self.version_vector();
        let before = fresh.len();
        fresh.retain(|c| !vv.contains(c.id));
        report.duplicates += before - fresh.len();
        if fresh.is_empty() {
            return Ok(report);
        }
        // Each record's changes together; the records are loaded and merged as they are
        // committed (`commit_group` overlaps that with the engine write of earlier parts).
        let mut group = Group::with_capacity(fresh.len());
        let mut max_hlc = None;
        for c in fresh {
            max_hlc = max_hlc.max(Some(c.hlc));
            group.slot(c.record.clone(), |_| Ok(Vec::new()))?.push(c);
            report.applied += 1;
        }
        report.records = group.items.len();
        if let Some(h) = max_hlc {
            self.clock.observe(h);
        }
        let records = group.items.into_iter().map(|changes| {
            let mut rec = self.load_pending(&changes[0].record)?;
            rec.logged.reserve_exact(changes.len());
            for c in changes {
                rec.logged.push(LoggedChange::encoded(&c));
                rec.state.apply_owned(c);
            }
            Ok(rec)
        });
        self.commit_group(records)?;
        Ok(report)
    }

    /// Lock the stripes of `ids`, in stripe order (no deadlock with other writers).
    fn lock_stripes<'s>(
        &self,
        ids: impl Iterator<Item = &'s str>,
    ) -> Vec<std::sync::MutexGuard<'_, ()>> {
        let stripes: BTreeSet<usize> = ids.map(|id| self.stripe_of(id)).collect();
        stripes
            .iter()
            .map(|&s| self.stripes[s].lock().unwrap_or_else(|p| p.into_inner()))
            .collect()
    }

    /// Emit and commit the records' puts. A large group goes to the engine in parts
    /// of about [`PART_PUTS`] puts, each atomic with the version vector covering its changes;
    /// only the last part is synced, and the call returns once it is, so everything is durable
    /// when it returns. A crash before that keeps a prefix of the parts, each complete (the
    /// journal is replayed in order), none of them acknowledged. Records are pulled from
    /// `records` as the parts fill, so while a helper commits one part ([`PartCommitter`]),
    /// this thread builds the next.
    ///
    /// Each record's state is dropped once its puts are emitted, so the puts and encodings
    /// of a large group reuse that memory instead of growing the heap. Returns the local
    /// writes' changes, in record order (a merge's changes moved into the states).
    fn commit_group(
        &self,
        records: impl ExactSizeIterator<Item = Result<Pending>>,
    ) -> Result<Vec<Change>> {
        // about a dozen puts per record (a part may overshoot by one record's puts)
        let capacity = (records.len() * 16).min(PART_PUTS + 256);
        // Records without changes (local writes that changed nothing) write nothing; left out
        // before peeking, so the part that ends the group is known to be the last.
        let mut records = records
            .filter(|r| !matches!(r, Ok(p) if p.logged.is_empty()))
            .peekable();
        std::thread::scope(|scope| {
            let mut parts = PartCommitter::new(self, scope);
            let mut puts = Vec::with_capacity(capacity);
            let mut part: Vec<LoggedChange> = Vec::new();
            while let Some(rec) = records.next() {
                let mut rec = rec?;
                self.emit(&rec, &mut puts)?;
                part.append(&mut rec.logged);
                drop(rec);
                let more = records.peek().is_some();
                if !more || puts.len() >= PART_PUTS {
                    let ids = part.iter().map(LoggedChange::id).collect();
                    for (k, v) in keys::change_runs(&part) {
                        puts.push(Put::set(Space::Changes, k, v));
                    }
                    let job = Job {
                        puts: std::mem::replace(&mut puts, Vec::with_capacity(capacity)),
                        ids,
                        sync: !more,
                    };
                    parts.commit((job, std::mem::take(&mut part)), more)?;
                }
            }
            parts.finish()
        })
    }

    /// Emit the puts for a record whose changes are applied to its state: the index diff
    /// between the stored head and the new one, the sequence entry, the record (sequence,
    /// head, state) and, when history keeps it, the superseded head as a revision. (Its
    /// changes go to the log in runs, per part of the group: [`keys::change_runs`].)
    fn emit(&self, rec: &Pending, puts: &mut Vec<Put>) -> Result<()> {
        let id = &rec.state.id;
        let head = Head::of_state(&rec.state);
        let head_bytes = head.to_bytes();
        let new_keys = index::head_keys(&head.content, head.deleted, id);
        let old_keys = match &rec.old {
            Some(old) => index::head_keys(&old.value.content, old.value.deleted, id),
            None => Vec::new(),
        };
        let (gone, added) = index::diff_keys(old_keys, new_keys);
        for k in gone {
            puts.push(Put::delete(Space::Index, k));
        }
        for k in added {
            puts.push(Put::set(Space::Index, k, Vec::new()));
        }
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(old) = &rec.old {
            puts.push(Put::delete(Space::BySeq, old.seq.to_be_bytes().to_vec()));
            self.keep_superseded(id, old, puts)?;
        }
        puts.push(Put::set(
            Space::BySeq,
            seq.to_be_bytes().to_vec(),
            id.as_bytes().to_vec(),
        ));
        puts.push(Put::set(
            Space::Records,
            id.as_bytes().to_vec(),
            keys::encode_record(seq, &head_bytes, &rec.state, &head.content),
        ));
        Ok(())
    }

    /// The head being replaced becomes a revision (keyed by the sequence it was written at),
    /// unless the history limit drops it; revisions beyond the limit are deleted. The limit
    /// counts the head: `KeepLast(n)` keeps `n - 1` superseded revisions.
    fn keep_superseded(&self, id: &str, old: &Stored, puts: &mut Vec<Put>) -> Result<()> {
        let keep = match self.opts.history {
            History::KeepAll => usize::MAX,
            History::KeepLast(n) => n.saturating_sub(1),
        };
        if keep > 0 {
            puts.push(Put::set(
                Space::Revisions,
                keys::revision_key(id, old.seq),
                seal(&old.head),
            ));
        }
        if keep != usize::MAX {
            let mut existing = Vec::new();
            for kv in self
                .store
                .scan_prefix(Space::Revisions, &keys::revision_prefix(id))
            {
                existing.push(kv?.0);
            }
            // the revision just added is newer than every existing one
            let excess = (existing.len() + usize::from(keep > 0)).saturating_sub(keep);
            for k in existing.into_iter().take(excess) {
                puts.push(Put::delete(Space::Revisions, k));
            }
        }
        Ok(())
    }

    pub(super) fn commit(&self, job: Job) -> Result<()> {
        let write_group = |jobs: Vec<Job>| -> Result<()> {
            let durable = self.opts.durable && jobs.iter().any(|j| j.sync);
            let ids: Vec<OpId> = jobs.iter().flat_map(|j| j.ids.iter().copied()).collect();
            let total = jobs.iter().map(|j| j.puts.len()).sum::<usize>() + 3;
            let mut jobs = jobs.into_iter();
            let mut batch = jobs.next().map(|j| j.puts).unwrap_or_default();
            batch.reserve(total - batch.len());
            for j in jobs {
                batch.extend(j.puts);
            }
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

    /// A record about to be written: its stored state and head, or a new empty state.
    fn load_pending(&self, id: &str) -> Result<Pending> {
        Ok(match self.store.get(Space::Records, id.as_bytes())? {
            None => Pending {
                state: RecordState::new(id),
                old: None,
                logged: Vec::new(),
            },
            Some(bytes) => {
                let rec = keys::parse_record(id.as_bytes(), &bytes)?;
                let head = rec.head()?;
                let seq = rec.seq;
                let head_bytes = rec.head.to_vec();
                let state = rec.state_with(&head)?;
                let old = Stored {
                    seq,
                    head: head_bytes,
                    value: head,
                };
                Pending {
                    state,
                    old: Some(old),
                    logged: Vec::new(),
                }
            }
        })
    }

    /// Load a record's CRDT state and its current sequence number.
    pub(crate) fn load_state(&self, id: &str) -> Result<Option<(RecordState, u64)>> {
        match self.store.get(Space::Records, id.as_bytes())? {
            None => Ok(None),
            Some(bytes) => keys::decode_state(id.as_bytes(), &bytes).map(Some),
        }
    }
}

/// A local write's content must be readable once stored (see [`record::MAX_CONTENT_DEPTH`]).
fn check_kind(kind: &WriteKind) -> Result<()> {
    match kind {
        WriteKind::Save(content) | WriteKind::Upsert(content) => record::check_depth(content),
        WriteKind::Delete => Ok(()),
    }
}

/// Append `n` in base 62 (digits, then upper case, then lower case letters: ASCII order is
/// numeric order for equal widths), padded with zeros to at least `width` digits.
fn push_base62(out: &mut String, mut n: u64, width: usize) {
    const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut buf = [b'0'; 11];
    let mut i = buf.len();
    while n > 0 {
        i -= 1;
        buf[i] = DIGITS[(n % 62) as usize];
        n /= 62;
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    out.extend(buf[start..].iter().map(|&b| b as char));
}

/// Puts per engine write when a large group is committed in parts.
const PART_PUTS: usize = 16 * 1024;

/// A record as stored before a write: the sequence it was written at, its encoded head (moved
/// to `revisions` as it is) and the head decoded (for the old index keys).
struct Stored {
    seq: u64,
    head: Vec<u8>,
    value: Head,
}

/// A record being written: its state (with the changes applied), what was stored before,
/// and its changes on their way to the log.
struct Pending {
    state: RecordState,
    old: Option<Stored>,
    logged: Vec<LoggedChange>,
}

/// What one write holds per record, in first-seen order.
struct Group<T> {
    items: Vec<T>,
    slots: HashMap<String, usize>,
}

impl<T> Group<T> {
    /// Room for `writes` records (at most one per write), so a merge's thousands of records
    /// are not copied to a larger vector at every doubling.
    fn with_capacity(writes: usize) -> Self {
        Group {
            items: Vec::with_capacity(writes),
            slots: HashMap::with_capacity(writes),
        }
    }

    /// `id`'s item, made by `first` on first sight.
    fn slot(&mut self, id: String, first: impl FnOnce(&str) -> Result<T>) -> Result<&mut T> {
        let i = match self.slots.get(&id) {
            Some(&i) => i,
            None => {
                self.items.push(first(&id)?);
                self.slots.insert(id, self.items.len() - 1);
                self.items.len() - 1
            }
        };
        Ok(&mut self.items[i])
    }
}

#[cfg(test)]
mod tests {
    use super::push_base62;

    fn b62(n: u64, width: usize) -> String {
        let mut s = String::new();
        push_base62(&mut s, n, width);
        s
    }

    #[test]
    fn base62_digits_widths_and_order() {
        assert_eq!(b62(0, 1), "0");
        assert_eq!(b62(61, 1), "z");
        assert_eq!(b62(62, 1), "10");
        assert_eq!(b62(5, 3), "005");
        assert_eq!(b62(u64::MAX, 11), "LygHa16AHYF");
        assert_eq!(b62(u64::MAX, 1).len(), 11);
        // a wall time of today takes 7 digits; equal widths sort numerically
        assert_eq!(b62(1_795_000_000_000, 7).len(), 7);
        let mut v: Vec<u64> = vec![3, 62 * 62, 61, 62, 1_000_000, 999];
        let mut s: Vec<String> = v.iter().map(|&n| b62(n, 6)).collect();
        v.sort();
        s.sort();
        assert_eq!(s, v.iter().map(|&n| b62(n, 6)).collect::<Vec<_>>());
    }
}
