//! Records: `map(data)` values with system fields the store maintains (spec §7, facts §6.1).
//! Writers cannot set system fields; ids are refs; nested maps are flattened into leaf paths
//! for the CRDT and rebuilt on read.

use crate::error::{Result, StoreError};
use crate::value::Value;
use std::collections::BTreeMap;

pub const ID: &str = "_rmx_id";
pub const REV: &str = "_rmx_rev";
pub const PREVIOUS: &str = "_rmx_previous";
pub const CREATED_AT: &str = "_rmx_created_at";
pub const CREATED_BY: &str = "_rmx_created_by";
pub const MODIFIED_AT: &str = "_rmx_last_modified_at";
pub const MODIFIED_BY: &str = "_rmx_last_modified_by";
pub const DELETED: &str = "_rmx_deleted";
pub const SUPERSEDED: &str = "_rmx_superseded";
/// Prefix reserved for system fields.
pub const SYSTEM_PREFIX: &str = "_rmx_";

/// Largest record id, in bytes.
pub const MAX_ID_BYTES: usize = 512;

pub fn is_system_field(name: &str) -> bool {
    name.starts_with(SYSTEM_PREFIX)
}

/// Record ids are non-empty strings of at most 512 bytes without NUL.
pub fn validate_id(id: &str) -> Result<()> {
    let bad = |reason: &str| {
        Err(StoreError::InvalidId {
            id: id.chars().take(80).collect(),
            reason: reason.into(),
        })
    };
    if id.is_empty() {
        return bad("empty");
    }
    if id.len() > MAX_ID_BYTES {
        return bad("longer than 512 bytes");
    }
    if id.contains('\0') {
        return bad("contains NUL");
    }
    Ok(())
}

/// The user content of a record to write, split from its id: system fields other than
/// `_rmx_id` are dropped (the store sets them; writers cannot forge them).
pub struct Incoming {
    pub id: Option<String>,
    pub content: BTreeMap<String, Value>,
}

pub fn split_incoming(v: Value) -> Result<Incoming> {
    let Value::Map(mut m) = v else {
        return Err(StoreError::InvalidRecord(format!(
            "a record must be a map, not {}",
            v.kind_name()
        )));
    };
    let id = match m.remove(ID) {
        None | Some(Value::Null) => None,
        Some(Value::Ref(id)) => {
            validate_id(&id)?;
            Some(id)
        }
        Some(other) => {
            return Err(StoreError::InvalidRecord(format!(
                "_rmx_id must be a ref ({{\"_rmx_type\":\"{{tag}}case:db.ref\",\"_rmx_value\":…}}), not {}",
                other.kind_name()
            )))
        }
    };
    m.retain(|k, _| !is_system_field(k));
    Ok(Incoming { id, content: m })
}

/// How deep a record's content may nest, the content map itself being the first level. The
/// stored encodings wrap it in a level or two more, and MessagePack decoding refuses more
/// than 256: a deeper record could be written but never read back.
pub const MAX_CONTENT_DEPTH: usize = 200;

/// Refuses content nested deeper than [`MAX_CONTENT_DEPTH`]: each field as the change that
/// writes it will be checked on every replica ([`check_op_depth`]).
pub fn check_depth(content: &BTreeMap<String, Value>) -> Result<()> {
    for (field, v) in content {
        check_op_depth(std::slice::from_ref(field), v)?;
    }
    Ok(())
}

/// Refuses a change's value that would put the content deeper than [`MAX_CONTENT_DEPTH`]:
/// it lands `path.len()` levels below the content map, which is the first level.
pub fn check_op_depth(path: &[String], value: &Value) -> Result<()> {
    let room = MAX_CONTENT_DEPTH.saturating_sub(path.len());
    if room == 0 || value.nests_deeper_than(room) {
        return Err(too_deep(&path.join(".")));
    }
    Ok(())
}

fn too_deep(field: &str) -> StoreError {
    StoreError::InvalidRecord(format!(
        "field `{field}` is nested more than {MAX_CONTENT_DEPTH} levels deep"
    ))
}

/// Flatten nested maps into `(path, leaf)` pairs. Non-empty maps are not leaves; empty maps,
/// arrays and scalars are.
pub fn flatten(content: &BTreeMap<String, Value>) -> Vec<(Vec<String>, Value)> {
    let mut out = Vec::new();
    let mut prefix = Vec::new();
    walk(content, &mut prefix, &mut out);
    out
}

fn walk(
    m: &BTreeMap<String, Value>,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value)>,
) {
    for (k, v) in m {
        prefix.push(k.clone());
        match v {
            Value::Map(inner) if !inner.is_empty() => walk(inner, prefix, out),
            other => out.push((prefix.clone(), other.clone())),
        }
        prefix.pop();
    }
}

/// Insert a leaf into a map tree at `path`, replacing whatever shape stands in the way.
pub fn insert_path(root: &mut BTreeMap<String, Value>, path: &[String], v: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = root;
    for seg in parents {
        let slot = cur
            .entry(seg.clone())
            .or_insert_with(|| Value::Map(BTreeMap::new()));
        if !matches!(slot, Value::Map(_)) {
            *slot = Value::Map(BTreeMap::new());
        }
        let Value::Map(next) = slot else { return };
        cur = next;
    }
    cur.insert(last.clone(), v);
}

/// Human-readable dotted form of a path.
pub fn path_string(path: &[String]) -> String {
    path.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map_of;

    #[test]
    fn system_fields_are_dropped_and_ids_must_be_refs() {
        let v = map_of([
            (ID, Value::Ref("a".into())),
            (CREATED_BY, Value::String("forged".into())),
            ("x", Value::Int(1)),
        ]);
        let inc = split_incoming(v).unwrap();
        assert_eq!(inc.id.as_deref(), Some("a"));
        assert_eq!(inc.content.len(), 1);
        assert!(split_incoming(map_of([(ID, Value::String("a".into()))])).is_err());
    }

    #[test]
    fn flatten_and_rebuild() {
        let Value::Map(m) = map_of([
            (
                "a",
                map_of([
                    ("b", Value::Int(1)),
                    ("c", map_of::<[(&str, Value); 0], &str>([])),
                ]),
            ),
            ("d", Value::Bool(true)),
        ]) else {
            unreachable!()
        };
        let leaves = flatten(&m);
        assert_eq!(leaves.len(), 3);
        let mut back = BTreeMap::new();
        for (p, v) in leaves {
            insert_path(&mut back, &p, v);
        }
        assert_eq!(back, m);
    }
}
