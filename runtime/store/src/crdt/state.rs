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
        let mut emptied = false;
        for (i, op) in change.ops.iter().enumerate() {
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
    fn apply_op(&mut self, id: FieldOpId, hlc: Hlc, op: &FieldOp) -> bool {
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
        let entries = self.registers.entry(op.path.clone()).or_default();
        if !entries.iter().any(|e| e.id == id) {
            entries.push(Entry {
                id,
                hlc,
                value: op.value.clone(),
            });
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
        let mut m = self.content();
        m.insert(record::ID.into(), Value::Ref(self.id.clone()));
        if let Some(head) = self.latest.first() {
            m.insert(record::REV.into(), Value::Ref(head.id.to_string()));
            m.insert(
                record::MODIFIED_AT.into(),
                Value::Int(head.hlc.wall_ms as i64),
            );
            m.insert(
                record::MODIFIED_BY.into(),
                Value::String(head.principal.clone()),
            );
        }
        m.insert(
            record::PREVIOUS.into(),
            self.latest
                .get(1)
                .map(|s| Value::Ref(s.id.to_string()))
                .unwrap_or(Value::Null),
        );
        if let Some(first) = &self.first {
            m.insert(
                record::CREATED_AT.into(),
                Value::Int(first.hlc.wall_ms as i64),
            );
            m.insert(
                record::CREATED_BY.into(),
                Value::String(first.principal.clone()),
            );
        }
        m.insert(record::DELETED.into(), Value::Bool(!self.is_live()));
        Value::Map(m)
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

    pub fn encode(&self, w: &mut Writer) {
        w.str(&self.id);
        w.varint(self.registers.len() as u64);
        for (p, es) in &self.registers {
            w.varint(p.len() as u64);
            for s in p {
                w.str(s);
            }
            w.varint(es.len() as u64);
            for e in es {
                encode_fid(w, e.id);
                encode_hlc(w, e.hlc);
                match &e.value {
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
            encode_fid(w, *f);
        }
        let stamps: Vec<&Stamp> = self.first.iter().chain(self.latest.iter()).collect();
        w.u8(self.first.is_some() as u8);
        w.varint(self.latest.len() as u64);
        for s in stamps {
            encode_hlc(w, s.hlc);
            w.u64_fixed(s.id.replica.0);
            w.varint(s.id.counter);
            w.str(&s.principal);
        }
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let id = r.str()?;
        let mut st = RecordState::new(&id);
        let n = r.count(2, 1 << 24, "registers")?;
        for _ in 0..n {
            let pl = r.count(1, 1024, "path")?;
            let mut p = Vec::with_capacity(pl);
            for _ in 0..pl {
                p.push(r.str()?);
            }
            let ne = r.count(12, 1 << 20, "register entries")?;
            let mut es = Vec::with_capacity(ne);
            for _ in 0..ne {
                let id = decode_fid(r)?;
                let hlc = decode_hlc(r)?;
                let value = match r.u8()? {
                    0 => None,
                    1 => Some(r.value()?),
                    _ => return Err(r.err("bad value flag")),
                };
                es.push(Entry { id, hlc, value });
            }
            st.registers.insert(p, es);
        }
        let ns = r.count(10, 1 << 26, "superseded ids")?;
        for _ in 0..ns {
            st.superseded.insert(decode_fid(r)?);
        }
        let has_first = r.u8()? == 1;
        let nl = r.count(11, 2, "latest stamps")?;
        let total = nl + has_first as usize;
        let mut stamps = Vec::with_capacity(total);
        for _ in 0..total {
            let hlc = decode_hlc(r)?;
            let rep = ReplicaId(r.u64_fixed()?);
            let c = r.varint()?;
            let principal = r.str()?;
            stamps.push(Stamp {
                hlc,
                id: OpId {
                    replica: rep,
                    counter: c,
                },
                principal,
            });
        }
        let mut it = stamps.into_iter();
        if has_first {
            st.first = it.next();
        }
        st.latest = it.collect();
        Ok(st)
    }
}

fn encode_fid(w: &mut Writer, f: FieldOpId) {
    w.u64_fixed(f.change.replica.0);
    w.varint(f.change.counter);
    w.varint(f.index as u64);
}

fn decode_fid(r: &mut Reader<'_>) -> Result<FieldOpId> {
    let rep = ReplicaId(r.u64_fixed()?);
    let c = r.varint()?;
    let i = u32::try_from(r.varint()?).map_err(|_| r.err("op index overflows u32"))?;
    Ok(FieldOpId {
        change: OpId {
            replica: rep,
            counter: c,
        },
        index: i,
    })
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
