//! Changes: the unit of replication. A change is one write to one record, made by one replica
//! at one hybrid-logical-clock time; it holds field operations, each assigning a value (or
//! removing it) at a path and naming the operations it supersedes (`preds`, the values the
//! writer saw at that path).

use super::hlc::Hlc;
use super::ids::{FieldOpId, OpId, ReplicaId};
use crate::error::Result;
use crate::value::Value;
use crate::wire::{Reader, Writer};

/// Largest number of field operations in one change.
pub const MAX_OPS_PER_CHANGE: usize = 1 << 16;
/// Largest number of predecessors one field operation may name.
pub const MAX_PREDS: usize = 1 << 16;

/// One assignment at a path of a record. The empty path is the record's liveness register:
/// `Some(true)` keeps the record alive, `None` deletes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldOp {
    pub path: Vec<String>,
    pub value: Option<Value>,
    pub preds: Vec<FieldOpId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: OpId,
    pub hlc: Hlc,
    pub record: String,
    /// Opaque principal id of the writer (never an email).
    pub principal: String,
    pub ops: Vec<FieldOp>,
}

impl Change {
    pub fn op_id(&self, index: usize) -> FieldOpId {
        FieldOpId {
            change: self.id,
            index: index as u32,
        }
    }

    pub fn encode(&self, w: &mut Writer) {
        w.u64_fixed(self.id.replica.0);
        w.varint(self.id.counter);
        w.varint(self.hlc.wall_ms);
        w.varint(self.hlc.logical as u64);
        w.str(&self.record);
        w.str(&self.principal);
        w.varint(self.ops.len() as u64);
        for op in &self.ops {
            w.varint(op.path.len() as u64);
            for seg in &op.path {
                w.str(seg);
            }
            match &op.value {
                Some(v) => {
                    w.u8(1);
                    w.value(v);
                }
                None => w.u8(0),
            }
            w.varint(op.preds.len() as u64);
            for p in &op.preds {
                w.u64_fixed(p.change.replica.0);
                w.varint(p.change.counter);
                w.varint(p.index as u64);
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.finish()
    }

    /// The encoding with its CRC32 in front, as the change log stores it.
    pub fn to_sealed_bytes(&self) -> Vec<u8> {
        let mut w = Writer::sealed(64 + 32 * self.ops.len());
        self.encode(&mut w);
        w.finish_sealed()
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let replica = ReplicaId(r.u64_fixed()?);
        let counter = r.varint()?;
        if counter == 0 {
            return Err(r.err("change counter must start at 1"));
        }
        let wall_ms = r.varint()?;
        let logical =
            u32::try_from(r.varint()?).map_err(|_| r.err("logical clock overflows u32"))?;
        let record = r.str()?;
        crate::record::validate_id(&record)?;
        let principal = r.str()?;
        let n = r.count(3, MAX_OPS_PER_CHANGE, "field operations")?;
        if n == 0 {
            return Err(r.err("a change needs at least one operation"));
        }
        let mut ops = Vec::with_capacity(n);
        for _ in 0..n {
            let plen = r.count(1, 1024, "path segments")?;
            let mut path = Vec::with_capacity(plen);
            for _ in 0..plen {
                path.push(r.str()?);
            }
            let value = match r.u8()? {
                0 => None,
                1 => Some(r.value()?),
                _ => return Err(r.err("bad value flag")),
            };
            let np = r.count(10, MAX_PREDS, "predecessors")?;
            let mut preds = Vec::with_capacity(np);
            for _ in 0..np {
                let rep = ReplicaId(r.u64_fixed()?);
                let c = r.varint()?;
                let i = u32::try_from(r.varint()?).map_err(|_| r.err("op index overflows u32"))?;
                preds.push(FieldOpId {
                    change: OpId {
                        replica: rep,
                        counter: c,
                    },
                    index: i,
                });
            }
            ops.push(FieldOp { path, value, preds });
        }
        Ok(Change {
            id: OpId { replica, counter },
            hlc: Hlc { wall_ms, logical },
            record,
            principal,
            ops,
        })
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let mut r = Reader::new(b);
        let c = Self::decode(&mut r)?;
        r.expect_end()?;
        Ok(c)
    }
}
