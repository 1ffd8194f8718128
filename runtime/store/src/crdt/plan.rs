//! Planning local writes: turn "save this content", "upsert these fields" or "delete" into
//! the field operations of one change, given the record's current CRDT state. Each operation
//! supersedes exactly the entries the writer has seen at the paths it overwrites.

use super::change::FieldOp;
use super::ids::FieldOpId;
use super::state::RecordState;
use crate::record::flatten;
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What a local write does to a record.
#[derive(Debug, Clone)]
pub enum WriteKind {
    /// Replace the content (fields not given are removed).
    Save(BTreeMap<String, Value>),
    /// Set the given fields, keep the others.
    Upsert(BTreeMap<String, Value>),
    /// Delete the record (a tombstone remains).
    Delete,
}

fn root_preds(state: &RecordState) -> Vec<FieldOpId> {
    state
        .registers
        .get(&Vec::new())
        .map(|es| es.iter().map(|e| e.id).collect())
        .unwrap_or_default()
}

fn dedup(v: Vec<FieldOpId>) -> Vec<FieldOpId> {
    v.into_iter().collect::<BTreeSet<_>>().into_iter().collect()
}

/// The operations of the change; empty when the write changes nothing (deleting a record
/// that does not exist or is already deleted).
pub fn plan(state: &RecordState, kind: &WriteKind) -> Vec<FieldOp> {
    let live = state.is_live();
    match kind {
        WriteKind::Delete => {
            if !live {
                return Vec::new();
            }
            let mut ops = vec![FieldOp {
                path: Vec::new(),
                value: None,
                preds: root_preds(state),
            }];
            for (p, es) in &state.registers {
                if p.is_empty() || es.iter().all(|e| e.value.is_none()) {
                    continue;
                }
                ops.push(FieldOp {
                    path: p.clone(),
                    value: None,
                    preds: es.iter().map(|e| e.id).collect(),
                });
            }
            ops
        }
        WriteKind::Save(content) | WriteKind::Upsert(content) => {
            let mut ops = vec![FieldOp {
                path: Vec::new(),
                value: Some(Value::Bool(true)),
                preds: root_preds(state),
            }];
            let leaves = flatten(content);
            let target: BTreeSet<&Vec<String>> = leaves.iter().map(|(p, _)| p).collect();
            for (path, v) in &leaves {
                let unchanged = live
                    && state
                        .registers
                        .get(path)
                        .is_some_and(|es| es.len() == 1 && es[0].value.as_ref() == Some(v))
                    && state.preds_for(path).len() == 1;
                if !unchanged {
                    ops.push(FieldOp {
                        path: path.clone(),
                        value: Some(v.clone()),
                        preds: dedup(state.preds_for(path)),
                    });
                }
            }
            if matches!(kind, WriteKind::Save(_)) {
                for (p, es) in &state.registers {
                    if p.is_empty() || target.contains(p) || es.iter().all(|e| e.value.is_none()) {
                        continue;
                    }
                    ops.push(FieldOp {
                        path: p.clone(),
                        value: None,
                        preds: es.iter().map(|e| e.id).collect(),
                    });
                }
            }
            ops
        }
    }
}
