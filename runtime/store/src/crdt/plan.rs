//! Planning local writes: turn "save this content", "upsert these fields" or "delete" into
//! the field operations of one change, given the record's current CRDT state. Each operation
//! supersedes exactly the entries the writer has seen at the paths it overwrites.

use super::change::FieldOp;
use super::ids::FieldOpId;
use super::state::RecordState;
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
/// that does not exist or is already deleted). Takes the write by value: its paths and values
/// move into the operations.
pub fn plan(state: &RecordState, kind: WriteKind) -> Vec<FieldOp> {
    let live = state.is_live();
    let save = matches!(kind, WriteKind::Save(_));
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
            let leaves = flatten_owned(content);
            let mut ops = Vec::with_capacity(leaves.len() + 1);
            ops.push(FieldOp {
                path: Vec::new(),
                value: Some(Value::Bool(true)),
                preds: root_preds(state),
            });
            // a save removes the fields it does not name (only a stored record has any)
            let removed: Vec<FieldOp> = if save {
                let target: BTreeSet<&Vec<String>> = leaves.iter().map(|(p, _)| p).collect();
                state
                    .registers
                    .iter()
                    .filter(|(p, es)| {
                        !p.is_empty() && !target.contains(p) && es.iter().any(|e| e.value.is_some())
                    })
                    .map(|(p, es)| FieldOp {
                        path: p.clone(),
                        value: None,
                        preds: es.iter().map(|e| e.id).collect(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            for (path, v) in leaves {
                let preds = state.preds_for(&path);
                let unchanged = live
                    && preds.len() == 1
                    && state
                        .registers
                        .get(&path)
                        .is_some_and(|es| es.len() == 1 && es[0].value.as_ref() == Some(&v));
                if !unchanged {
                    ops.push(FieldOp {
                        path,
                        value: Some(v),
                        preds: dedup(preds),
                    });
                }
            }
            ops.extend(removed);
            ops
        }
    }
}

/// Flatten nested maps into `(path, leaf)` pairs (as `record::flatten` does), moving the
/// values.
fn flatten_owned(content: BTreeMap<String, Value>) -> Vec<(Vec<String>, Value)> {
    fn walk(
        m: BTreeMap<String, Value>,
        prefix: &mut Vec<String>,
        out: &mut Vec<(Vec<String>, Value)>,
    ) {
        for (k, v) in m {
            match v {
                Value::Map(inner) if !inner.is_empty() => {
                    prefix.push(k);
                    walk(inner, prefix, out);
                    prefix.pop();
                }
                other => {
                    let mut path = Vec::with_capacity(prefix.len() + 1);
                    path.extend(prefix.iter().cloned());
                    path.push(k);
                    out.push((path, other));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(content.len());
    walk(content, &mut Vec::new(), &mut out);
    out
}
