//! The CRDT state of one record: a map from paths to multi-value registers.
//!
//! The state is a function of the set of changes applied (each field operation is added
//! unless some applied operation names it as a predecessor), so applying changes in any
//! order, any number of times, gives the same state: merge is commutative, associative and
//! idempotent. Reads pick a deterministic winner per path (highest `(hlc, op id)`); all
//! concurrent values stay available through [`RecordState::conflicts`].

use super::change::{Change, FieldOp};
use super::hlc::Hlc;
use super::ids::{FieldOpId, OpId, ReplicaId};
use crate::error::Result;
use crate::record::{self, insert_path};
use crate::value::Value;
use crate::wire::{Reader, Writer};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// One value (or removal) in a register.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: FieldOpId,
    pub hlc: Hlc,
    pub value: Option<Value>,
}

impl Entry {
    fn rank(&self) -> (Hlc, FieldOpId) {
        (self.hlc, self.id)
    }
}

/// Who did something when (for created/modified/revision system fields).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub hlc: Hlc,
    pub id: OpId,
    pub principal: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordState {
    pub id: String,
    pub registers: BTreeMap<Vec<String>, Vec<Entry>>,
    pub superseded: BTreeSet<FieldOpId>,
    /// Earliest change (created at/by).
    pub first: Option<Stamp>,
    /// The two latest changes: the head revision and the one before it.
    pub latest: Vec<Stamp>,
}

impl RecordState {
    pub fn new(id: &str) -> Self {
        RecordState {
            id: id.to_string(),
            ..Default::default()
        }
    }

    /// Has any change been applied?
    pub fn exists(&self) -> bool {
        self.first.is_some()
    }

    /// Is the record alive (some live root entry keeps it)? An update concurrent with a delete
    /// leaves a live root entry, so update wins.
    pub fn is_live(&self) -> bool {
        self.registers
            .get(&Vec::new())
            .is_some_and(|es| es.iter().any(|e| e.value.is_some()))
    }

    /// Apply a change (idempotent, order-independent).
    pub fn apply(&mut self, change: &Change) {
        self.apply_ops(change, change.ops.iter().map(Cow::Borrowed));
    }

    /// [`Self::apply`] for a change no one needs afterwards: its paths and values move into
    /// the registers instead of being copied (a merge logs its changes encoded beforehand).
    pub fn apply_owned(&mut self, mut change: Change) {
        let ops = std::mem::take(&mut change.ops);
        self.apply_ops(&change, ops.into_iter().map(Cow::Owned));
    }

    fn apply_ops<'c>(&mut self, change: &Change, ops: impl Iterator<Item = Cow<'c, FieldOp>>) {
        let mut emptied = false;
        for (i, op) in ops.enumerate() {
            emptied |= self.apply_op(change.op_id(i), change.hlc, op);
        }
        if emptied {
            self.registers.retain(|_, es| !es.is_empty());
        }
        let stamp = Stamp {
            hlc: change.hlc,
            id: change.id,
            principal: change.principal.clone(),
        };
        if self
            .first
            .as_ref()
            .is_none_or(|f| (stamp.hlc, stamp.id) < (f.hlc, f.id))
        {
            self.first = Some(stamp.clone());
        }
        if !self.latest.iter().any(|s| s.id == stamp.id) {
            self.latest.push(stamp);
            self.latest
                .sort_by_key(|s| std::cmp::Reverse((s.hlc, s.id)));
            self.latest.truncate(2);
        }
    }

    /// Apply one field operation; returns whether it removed any entry (registers may have
    /// been left empty: [`Self::apply`] drops those once per change).
    fn apply_op(&mut self, id: FieldOpId, hlc: Hlc, op: Cow<'_, FieldOp>) -> bool {
        let mut removed = false;
        for p in &op.preds {
            if self.superseded.insert(*p) {
                for entries in self.registers.values_mut() {
                    let before = entries.len();
                    entries.retain(|e| e.id != *p);
                    removed |= entries.len() != before;
                }
            }
        }
        if self.superseded.contains(&id) {
            return removed;
        }
        let (path, value) = match op {
            Cow::Borrowed(op) => {
                if self
                    .registers
                    .get(&op.path)
                    .is_some_and(|es| es.iter().any(|e| e.id == id))
                {
                    return removed;
                }
                (op.path.clone(), op.value.clone())
            }
            Cow::Owned(op) => (op.path, op.value),
        };
        // Nearly every register holds one value: room for exactly one (a default first push
        // reserves four, most of a new record's memory, and a merge builds thousands).
        let entries = self
            .registers
            .entry(path)
            .or_insert_with(|| Vec::with_capacity(1));
        if !entries.iter().any(|e| e.id == id) {
            entries.push(Entry { id, hlc, value });
            entries.sort_by_key(|e| std::cmp::Reverse(e.rank()));
        }
        removed
    }

    /// The ids a writer must name as predecessors to overwrite `path`: its own entries and
    /// those of every ancestor and descendant path (a shape change replaces them).
    pub fn preds_for(&self, path: &[String]) -> Vec<FieldOpId> {
        let mut out = Vec::new();
        for (p, es) in &self.registers {
            if p.is_empty() && !path.is_empty() {
                continue;
            }
            let related = p.as_slice() == path || p.starts_with(path) || path.starts_with(p);
            if related {
                out.extend(es.iter().map(|e| e.id));
            }
        }
        out
    }

    /// Winning value per live path (empty when the record is deleted or absent).
    pub fn winners(&self) -> Vec<(&Vec<String>, &Entry)> {
        let mut out: Vec<(&Vec<String>, &Entry)> = self
            .registers
            .iter()
            .filter(|(p, _)| !p.is_empty())
            .filter_map(|(p, es)| es.iter().find(|e| e.value.is_some()).map(|e| (p, e)))
            .collect();
        // insert in ascending (hlc, id) so later writes win shape conflicts
        out.sort_by_key(|(_, e)| e.rank());
        out
    }

    /// The user content: winners rebuilt into a nested map.
    pub fn content(&self) -> BTreeMap<String, Value> {
        let mut m = BTreeMap::new();
        if !self.is_live() {
            return m;
        }
        for (p, e) in self.winners() {
            if let Some(v) = &e.value {
                insert_path(&mut m, p, v.clone());
            }
        }
        m
    }

    /// The record as readers see it: content plus system fields.
    pub fn materialise(&self) -> Value {
        crate::head::Head::of_state(self).to_value(&self.id)
    }

    /// Every path with more than one concurrent value, values ordered winner first.
    pub fn conflicts(&self) -> BTreeMap<String, Vec<Value>> {
        let mut out = BTreeMap::new();
        if !self.is_live() {
            return out;
        }
        for (p, es) in &self.registers {
            if p.is_empty() {
                continue;
            }
            let vals: Vec<Value> = es.iter().filter_map(|e| e.value.clone()).collect();
            if vals.len() > 1 {
                out.insert(record::path_string(p), vals);
            }
        }
        out
    }

    pub fn head_revision(&self) -> Option<OpId> {
        self.latest.first().map(|s| s.id)
    }

    // ---- persistence ----

    /// Encode the registers and superseded ids (store format 3). The id is the record's key
    /// and the stamps are in the head, so neither is repeated here. Each distinct replica is
    /// written once and each distinct (change, clock) pair once; entries refer to them by
    /// position. A winning value equal to the head's content at its path is not repeated
    /// (flag 2): `content` is the head's content, which decoding is handed back.
    pub fn encode(&self, w: &mut Writer, content: &Value) {
        let mut changes: Vec<(OpId, Hlc)> = self
            .registers
            .values()
            .flatten()
            .map(|e| (e.id.change, e.hlc))
            .collect();
        changes.sort_unstable();
        changes.dedup();
        let mut replicas: Vec<u64> = changes
            .iter()
            .map(|(c, _)| c.replica.0)
            .chain(self.superseded.iter().map(|f| f.change.replica.0))
            .collect();
        replicas.sort_unstable();
        replicas.dedup();
        let rep_index = |r: ReplicaId| replicas.binary_search(&r.0).unwrap_or(0) as u64;
        w.varint(replicas.len() as u64);
        for r in &replicas {
            w.u64_fixed(*r);
        }
        w.varint(changes.len() as u64);
        for (c, h) in &changes {
            w.varint(rep_index(c.replica));
            w.varint(c.counter);
            encode_hlc(w, *h);
        }
        w.varint(self.registers.len() as u64);
        for (p, es) in &self.registers {
            w.varint(p.len() as u64);
            for s in p {
                w.str(s);
            }
            w.varint(es.len() as u64);
            for e in es {
                let c = changes.binary_search(&(e.id.change, e.hlc)).unwrap_or(0);
                w.varint(c as u64);
                w.varint(e.id.index as u64);
                match &e.value {
                    Some(v) if !p.is_empty() && content.get_path(p) == Some(v) => w.u8(2),
                    Some(v) => {
                        w.u8(1);
                        w.value(v);
                    }
                    None => w.u8(0),
                }
            }
        }
        w.varint(self.superseded.len() as u64);
        for f in &self.superseded {
            w.varint(rep_index(f.change.replica));
            w.varint(f.change.counter);
            w.varint(f.index as u64);
        }
    }

    /// Decode what [`RecordState::encode`] wrote, given the record's id and its decoded head
    /// (stamps and content).
    pub fn decode(r: &mut Reader<'_>, id: &str, head: &crate::head::Head) -> Result<Self> {
        let mut st = RecordState::new(id);
        st.latest = head.latest.clone();
        st.first = head.first.clone();
        let nrep = r.count(8, 1 << 24, "replicas")?;
        let mut replicas = Vec::with_capacity(nrep);
        for _ in 0..nrep {
            replicas.push(ReplicaId(r.u64_fixed()?));
        }
        let replica = |r: &mut Reader<'_>| -> Result<ReplicaId> {
            let i = r.varint()?;
            usize::try_from(i)
                .ok()
                .and_then(|i| replicas.get(i).copied())
                .ok_or_else(|| r.err("replica index out of range"))
        };
        let nchg = r.count(4, 1 << 24, "changes")?;
        let mut changes = Vec::with_capacity(nchg);
        for _ in 0..nchg {
            let rep = replica(r)?;
            let counter = r.varint()?;
            let hlc = decode_hlc(r)?;
            changes.push((
                OpId {
                    replica: rep,
                    counter,
                },
                hlc,
            ));
        }
        let n = r.count(2, 1 << 24, "registers")?;
        for _ in 0..n {
            let pl = r.count(1, 1024, "path")?;
            let mut p = Vec::with_capacity(pl);
            for _ in 0..pl {
                p.push(r.str()?);
            }
            let ne = r.count(3, 1 << 20, "register entries")?;
            let mut es = Vec::with_capacity(ne);
            for _ in 0..ne {
                let ci = r.varint()?;
                let (change, hlc) = usize::try_from(ci)
                    .ok()
                    .and_then(|i| changes.get(i).copied())
                    .ok_or_else(|| r.err("change index out of range"))?;
                let index =
                    u32::try_from(r.varint()?).map_err(|_| r.err("op index overflows u32"))?;
                let value = match r.u8()? {
                    0 => None,
                    1 => Some(r.value()?),
                    2 => Some(
                        head.content
                            .get_path(&p)
                            .filter(|_| !p.is_empty())
                            .cloned()
                            .ok_or_else(|| r.err("register value missing from the head"))?,
                    ),
                    _ => return Err(r.err("bad value flag")),
                };
                es.push(Entry {
                    id: FieldOpId { change, index },
                    hlc,
                    value,
                });
            }
            st.registers.insert(p, es);
        }
        let ns = r.count(3, 1 << 26, "superseded ids")?;
        for _ in 0..ns {
            let rep = replica(r)?;
            let counter = r.varint()?;
            let index = u32::try_from(r.varint()?).map_err(|_| r.err("op index overflows u32"))?;
            st.superseded.insert(FieldOpId {
                change: OpId {
                    replica: rep,
                    counter,
                },
                index,
            });
        }
        Ok(st)
    }
}

fn encode_hlc(w: &mut Writer, h: Hlc) {
    w.varint(h.wall_ms);
    w.varint(h.logical as u64);
}

fn decode_hlc(r: &mut Reader<'_>) -> Result<Hlc> {
    let wall_ms = r.varint()?;
    let logical = u32::try_from(r.varint()?).map_err(|_| r.err("logical clock overflows u32"))?;
    Ok(Hlc { wall_ms, logical })
}
