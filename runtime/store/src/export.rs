//! Export and import of a whole store as EscJSON lines.
//!
//! `export` writes one line per change (`{"_rmx_change": {...}}`): ids, refs, revisions, system
//! fields, principals and timestamps all survive, and importing the lines into any store
//! reproduces the same CRDT state. `export_records` writes the record heads (with system
//! fields) for people and other tools. `import` reads both kinds of line; a record line is
//! saved as a new write keeping its `_rmx_id` (with `legacy_refs`, strings of the form
//! `"{ref}id"` are read as refs).

use crate::crdt::{Change, FieldOp, FieldOpId, Hlc, OpId, ReplicaId};
use crate::database::Database;
use crate::error::{Result, StoreError};
use crate::escjson::{self, DecodeOptions};
use crate::value::Value;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value as Json};
use std::io::{BufRead, IsTerminal, Write};

const CHANGE: &str = "_rmx_change";
const BATCH: usize = 5_000;

fn progress(total: Option<u64>, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::new_spinner(),
    };
    let style = ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.set_message(what.to_string());
    pb
}

fn fid_string(f: &FieldOpId) -> String {
    format!("{}:{}:{}", f.change.replica, f.change.counter, f.index)
}

pub fn change_to_json(c: &Change) -> Json {
    let ops: Vec<Json> = c
        .ops
        .iter()
        .map(|op| {
            let mut o = serde_json::Map::new();
            o.insert("path".into(), json!(op.path));
            if let Some(v) = &op.value {
                o.insert("value".into(), escjson::to_json(v));
            }
            o.insert(
                "preds".into(),
                Json::Array(
                    op.preds
                        .iter()
                        .map(|p| Json::String(fid_string(p)))
                        .collect(),
                ),
            );
            Json::Object(o)
        })
        .collect();
    json!({ CHANGE: {
        "id": c.id.to_string(),
        "hlc": [c.hlc.wall_ms, c.hlc.logical],
        "record": escjson::to_json(&Value::Ref(c.record.clone())),
        "principal": c.principal,
        "ops": ops,
    }})
}

fn bad(line: usize, msg: impl Into<String>) -> StoreError {
    StoreError::InvalidRecord(format!("line {line}: {}", msg.into()))
}

fn parse_op_id(s: &str) -> Option<OpId> {
    let (r, c) = s.split_once(':')?;
    Some(OpId {
        replica: ReplicaId::parse(r)?,
        counter: c.parse().ok()?,
    })
}

pub fn change_from_json(j: &Json, line: usize) -> Result<Change> {
    let get = |k: &str| {
        j.get(k)
            .ok_or_else(|| bad(line, format!("change without {k}")))
    };
    let id = get("id")?
        .as_str()
        .and_then(parse_op_id)
        .ok_or_else(|| bad(line, "bad change id"))?;
    if id.counter == 0 {
        return Err(bad(line, "change counters start at 1"));
    }
    let hlc = match get("hlc")?.as_array().map(Vec::as_slice) {
        Some([w, l]) => Hlc {
            wall_ms: w.as_u64().ok_or_else(|| bad(line, "bad hlc"))?,
            logical: l
                .as_u64()
                .and_then(|l| u32::try_from(l).ok())
                .ok_or_else(|| bad(line, "bad hlc"))?,
        },
        _ => return Err(bad(line, "hlc must be [wall_ms, logical]")),
    };
    let record = match escjson::from_json(get("record")?, DecodeOptions::default())? {
        Value::Ref(r) => r,
        _ => return Err(bad(line, "record must be a ref")),
    };
    crate::record::validate_id(&record)?;
    let principal = get("principal")?
        .as_str()
        .ok_or_else(|| bad(line, "principal must be a string"))?
        .to_string();
    let ops_json = get("ops")?
        .as_array()
        .ok_or_else(|| bad(line, "ops must be a list"))?;
    if ops_json.is_empty() {
        return Err(bad(line, "a change needs at least one operation"));
    }
    let mut ops = Vec::with_capacity(ops_json.len());
    for o in ops_json {
        let path = o
            .get("path")
            .and_then(Json::as_array)
            .ok_or_else(|| bad(line, "op without path"))?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(line, "path segments must be strings"))
            })
            .collect::<Result<Vec<_>>>()?;
        let value = o
            .get("value")
            .map(|v| escjson::from_json(v, DecodeOptions::default()))
            .transpose()?;
        let preds = o
            .get("preds")
            .and_then(Json::as_array)
            .ok_or_else(|| bad(line, "op without preds"))?
            .iter()
            .map(|p| {
                let s = p
                    .as_str()
                    .ok_or_else(|| bad(line, "pred must be a string"))?;
                let (head, idx) = s.rsplit_once(':').ok_or_else(|| bad(line, "bad pred"))?;
                let change = parse_op_id(head).ok_or_else(|| bad(line, "bad pred"))?;
                let index = idx.parse().map_err(|_| bad(line, "bad pred index"))?;
                Ok(FieldOpId { change, index })
            })
            .collect::<Result<Vec<_>>>()?;
        ops.push(FieldOp { path, value, preds });
    }
    Ok(Change {
        id,
        hlc,
        record,
        principal,
        ops,
    })
}

/// Write every change as one EscJSON line. Returns the number of lines.
pub fn export(db: &Database, out: &mut dyn Write) -> Result<u64> {
    let pb = progress(Some(db.stats()?.changes), "exporting changes");
    let mut n = 0;
    for c in db.all_changes() {
        writeln!(out, "{}", change_to_json(&c?))?;
        n += 1;
        pb.inc(1);
    }
    out.flush()?;
    pb.finish_and_clear();
    Ok(n)
}

/// Write every record head (tombstones included) with its system fields, one per line.
pub fn export_records(db: &Database, out: &mut dyn Write) -> Result<u64> {
    let mut n = 0;
    for h in db.heads() {
        let (v, _) = h?;
        writeln!(out, "{}", escjson::to_string(&v))?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub changes: usize,
    pub records: usize,
    pub duplicates: usize,
}

/// Import lines written by [`export`] or [`export_records`] (or any EscJSON record lines).
pub fn import(db: &Database, input: &mut dyn BufRead, legacy_refs: bool) -> Result<ImportReport> {
    let pb = progress(None, "importing");
    let opts = DecodeOptions { legacy_refs };
    let mut report = ImportReport::default();
    let mut changes = Vec::new();
    let mut records = Vec::new();
    let flush = |changes: &mut Vec<Change>,
                 records: &mut Vec<Value>,
                 report: &mut ImportReport|
     -> Result<()> {
        if !changes.is_empty() {
            let r = db.apply_imported(std::mem::take(changes))?;
            report.changes += r.applied;
            report.duplicates += r.duplicates;
        }
        if !records.is_empty() {
            report.records += db.save_batch(std::mem::take(records))?.len();
        }
        Ok(())
    };
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        let lineno = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let j: Json = serde_json::from_str(&line).map_err(|e| bad(lineno, e.to_string()))?;
        match j.get(CHANGE) {
            Some(c) => {
                if !records.is_empty() {
                    flush(&mut changes, &mut records, &mut report)?;
                }
                changes.push(change_from_json(c, lineno)?);
            }
            None => {
                if !changes.is_empty() {
                    flush(&mut changes, &mut records, &mut report)?;
                }
                let v = escjson::from_json(&j, opts).map_err(|e| bad(lineno, e.to_string()))?;
                if crate::database::is_deleted(&v) {
                    // a tombstone line: delete the record if this store has it
                    flush(&mut changes, &mut records, &mut report)?;
                    if let Some(Value::Ref(id)) = v.get_path(&[crate::record::ID.to_string()]) {
                        db.delete(id)?;
                    }
                } else {
                    records.push(v);
                }
            }
        }
        if changes.len() + records.len() >= BATCH {
            flush(&mut changes, &mut records, &mut report)?;
        }
        pb.inc(1);
    }
    flush(&mut changes, &mut records, &mut report)?;
    pb.finish_and_clear();
    Ok(report)
}
