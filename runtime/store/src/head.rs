//! The stored head of a record (store format 3): what readers see, without repeating what the
//! key or the stamps already say. A head is the stamps the system fields come from (the head
//! revision, the one before it, the earliest change), the tombstone flag and the user content
//! as MessagePack. [`Head::to_value`] adds the system fields back, so a read decodes no CRDT
//! state and the stored bytes hold each field name and id once.
//!
//! Encoding: `flags` (bit 0 deleted, bit 1 has a first stamp, bit 2 the first stamp is the
//! head revision's) · latest stamp count (0–2) · each latest stamp · the first stamp unless
//! bit 2 says it is the head's · the content map (MessagePack, to the end). A stamp is its
//! clock (two varints), replica (8 bytes), counter (varint) and principal (a byte 0 when it is
//! the previous stamp's principal, else 1 and the string).

use crate::crdt::{Hlc, OpId, RecordState, ReplicaId, Stamp};
use crate::error::Result;
use crate::msgpack;
use crate::record;
use crate::value::Value;
use crate::wire::{Reader, Writer};
use std::collections::BTreeMap;

const DELETED: u8 = 1;
const HAS_FIRST: u8 = 2;
const FIRST_IS_HEAD: u8 = 4;

/// A record's head: stamps, tombstone flag and content.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub latest: Vec<Stamp>,
    pub first: Option<Stamp>,
    pub deleted: bool,
    /// The user content (a map; empty for tombstones).
    pub content: Value,
}

impl Head {
    /// The head of a state.
    pub fn of_state(st: &RecordState) -> Head {
        Head {
            latest: st.latest.clone(),
            first: st.first.clone(),
            deleted: !st.is_live(),
            content: Value::Map(st.content()),
        }
    }

    /// Append the encoded head to `w`.
    pub fn encode(&self, w: &mut Writer) {
        let first_is_head = self.first.is_some() && self.first.as_ref() == self.latest.first();
        let mut flags = 0;
        if self.deleted {
            flags |= DELETED;
        }
        if self.first.is_some() {
            flags |= HAS_FIRST;
        }
        if first_is_head {
            flags |= FIRST_IS_HEAD;
        }
        w.u8(flags);
        w.u8(self.latest.len() as u8);
        let mut prev: Option<&str> = None;
        for s in &self.latest {
            encode_stamp(w, s, prev);
            prev = Some(&s.principal);
        }
        if let (Some(f), false) = (&self.first, first_is_head) {
            encode_stamp(w, f, prev);
        }
        w.value(&self.content);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.finish()
    }

    /// Decode a head (the whole of `bytes`).
    pub fn decode(bytes: &[u8]) -> Result<Head> {
        let mut r = Reader::new(bytes);
        let flags = r.u8()?;
        if flags & !(DELETED | HAS_FIRST | FIRST_IS_HEAD) != 0
            || (flags & FIRST_IS_HEAD != 0 && flags & HAS_FIRST == 0)
        {
            return Err(r.err("bad head flags"));
        }
        let nl = r.u8()? as usize;
        if nl > 2 {
            return Err(r.err("more than two latest stamps"));
        }
        let mut latest: Vec<Stamp> = Vec::with_capacity(nl);
        for _ in 0..nl {
            let s = decode_stamp(&mut r, latest.last().map(|s| s.principal.as_str()))?;
            latest.push(s);
        }
        let first = if flags & FIRST_IS_HEAD != 0 {
            Some(
                latest
                    .first()
                    .cloned()
                    .ok_or_else(|| r.err("first stamp names a missing head stamp"))?,
            )
        } else if flags & HAS_FIRST != 0 {
            Some(decode_stamp(
                &mut r,
                latest.last().map(|s| s.principal.as_str()),
            )?)
        } else {
            None
        };
        let content = msgpack::decode(r.take(r.remaining())?)?;
        if !matches!(content, Value::Map(_)) {
            return Err(r.err("head content is not a map"));
        }
        Ok(Head {
            latest,
            first,
            deleted: flags & DELETED != 0,
            content,
        })
    }

    /// The record as readers see it: the content plus the system fields.
    pub fn to_value(self, id: &str) -> Value {
        let Value::Map(mut m) = self.content else {
            return self.content;
        };
        add_system_fields(&mut m, id, &self.latest, self.first.as_ref(), self.deleted);
        Value::Map(m)
    }
}

/// The system fields of a record with these stamps.
pub fn add_system_fields(
    m: &mut BTreeMap<String, Value>,
    id: &str,
    latest: &[Stamp],
    first: Option<&Stamp>,
    deleted: bool,
) {
    // when and by whom a stamp's write was made, under these two fields
    let mut stamped = |at: &str, by: &str, s: &Stamp| {
        m.insert(at.into(), Value::Int(s.hlc.wall_ms as i64));
        m.insert(by.into(), Value::String(s.principal.clone()));
    };
    if let Some(head) = latest.first() {
        stamped(record::MODIFIED_AT, record::MODIFIED_BY, head);
    }
    if let Some(first) = first {
        stamped(record::CREATED_AT, record::CREATED_BY, first);
    }
    m.insert(record::ID.into(), Value::Ref(id.to_string()));
    if let Some(head) = latest.first() {
        m.insert(record::REV.into(), Value::Ref(head.id.to_string()));
    }
    m.insert(
        record::PREVIOUS.into(),
        latest
            .get(1)
            .map(|s| Value::Ref(s.id.to_string()))
            .unwrap_or(Value::Null),
    );
    m.insert(record::DELETED.into(), Value::Bool(deleted));
}

fn encode_stamp(w: &mut Writer, s: &Stamp, prev_principal: Option<&str>) {
    w.varint(s.hlc.wall_ms);
    w.varint(s.hlc.logical as u64);
    w.u64_fixed(s.id.replica.0);
    w.varint(s.id.counter);
    if prev_principal == Some(s.principal.as_str()) {
        w.u8(0);
    } else {
        w.u8(1);
        w.str(&s.principal);
    }
}

fn decode_stamp(r: &mut Reader<'_>, prev_principal: Option<&str>) -> Result<Stamp> {
    let wall_ms = r.varint()?;
    let logical = u32::try_from(r.varint()?).map_err(|_| r.err("logical clock overflows u32"))?;
    let replica = ReplicaId(r.u64_fixed()?);
    let counter = r.varint()?;
    let principal = match r.u8()? {
        0 => prev_principal
            .ok_or_else(|| r.err("stamp repeats a missing principal"))?
            .to_string(),
        1 => r.str()?,
        _ => return Err(r.err("bad principal flag")),
    };
    Ok(Stamp {
        hlc: Hlc { wall_ms, logical },
        id: OpId { replica, counter },
        principal,
    })
}
