//! MessagePack encoding of values. Refs and cases are extension types:
//! - ext type 1 (`EXT_REF`): the ref id as UTF-8 bytes;
//! - ext type 2 (`EXT_CASE`): a MessagePack array `[name]` or `[name, arg]`.
//!
//! Ints use the smallest MessagePack int form; floats are always float64, so the int/float
//! distinction and every bit of a float survive a round trip. The decoder validates every
//! length against the remaining input and caps nesting depth, so hostile bytes are rejected
//! with an error, never a panic or a huge allocation.

use crate::error::{Result, StoreError};
use crate::value::Value;
use rmp::Marker;
use std::collections::BTreeMap;

pub const EXT_REF: i8 = 1;
pub const EXT_CASE: i8 = 2;
const MAX_DEPTH: usize = 256;

/// Encode a value to MessagePack bytes.
pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    encode_into(v, &mut out);
    out
}

/// Append the MessagePack encoding of `v` to `out`.
pub fn encode_into(v: &Value, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail, so the results of rmp's writers are ignored.
    match v {
        Value::Null => {
            let _ = rmp::encode::write_nil(out);
        }
        Value::Bool(b) => {
            let _ = rmp::encode::write_bool(out, *b);
        }
        Value::Int(i) => {
            let _ = rmp::encode::write_sint(out, *i);
        }
        Value::Float(f) => {
            let _ = rmp::encode::write_f64(out, *f);
        }
        Value::String(s) => {
            let _ = rmp::encode::write_str(out, s);
        }
        Value::Ref(id) => {
            let _ = rmp::encode::write_ext_meta(out, id.len() as u32, EXT_REF);
            out.extend_from_slice(id.as_bytes());
        }
        Value::Binary(b) => {
            let _ = rmp::encode::write_bin(out, b);
        }
        Value::Array(items) => {
            let _ = rmp::encode::write_array_len(out, items.len() as u32);
            for it in items {
                encode_into(it, out);
            }
        }
        Value::Map(m) => {
            let _ = rmp::encode::write_map_len(out, m.len() as u32);
            for (k, v) in m {
                let _ = rmp::encode::write_str(out, k);
                encode_into(v, out);
            }
        }
        Value::Case(name, arg) => {
            let mut payload = Vec::new();
            let n = if arg.is_some() { 2 } else { 1 };
            let _ = rmp::encode::write_array_len(&mut payload, n);
            let _ = rmp::encode::write_str(&mut payload, name);
            if let Some(a) = arg {
                encode_into(a, &mut payload);
            }
            let _ = rmp::encode::write_ext_meta(out, payload.len() as u32, EXT_CASE);
            out.extend_from_slice(&payload);
        }
    }
}

/// Decode exactly one value from `bytes` (trailing bytes are an error).
pub fn decode(bytes: &[u8]) -> Result<Value> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(0)?;
    if r.pos != bytes.len() {
        return Err(r.err("trailing bytes after value"));
    }
    Ok(v)
}

/// Decode one value from the front of `bytes`, returning it and the bytes consumed.
pub fn decode_prefix(bytes: &[u8]) -> Result<(Value, usize)> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(0)?;
    Ok((v, r.pos))
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, msg: &str) -> StoreError {
        StoreError::Decode {
            offset: self.pos,
            message: format!("MessagePack: {msg}"),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() - self.pos < n {
            return Err(self.err("unexpected end of input"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A container length, checked against the bytes left (each element needs ≥ 1 byte).
    fn count(&self, n: usize) -> Result<usize> {
        if n > self.buf.len() - self.pos {
            return Err(self.err("length exceeds the remaining input"));
        }
        Ok(n)
    }

    fn string(&mut self, n: usize) -> Result<String> {
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| self.err("invalid UTF-8 in string"))
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting deeper than 256 levels"));
        }
        let marker = Marker::from_u8(self.u8()?);
        Ok(match marker {
            Marker::Null => Value::Null,
            Marker::True => Value::Bool(true),
            Marker::False => Value::Bool(false),
            Marker::FixPos(n) => Value::Int(n as i64),
            Marker::FixNeg(n) => Value::Int(n as i64),
            Marker::U8 => Value::Int(self.u8()? as i64),
            Marker::U16 => Value::Int(self.u16()? as i64),
            Marker::U32 => Value::Int(self.u32()? as i64),
            Marker::U64 => {
                let u = self.u64()?;
                match i64::try_from(u) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Float(u as f64),
                }
            }
            Marker::I8 => Value::Int(self.u8()? as i8 as i64),
            Marker::I16 => Value::Int(self.u16()? as i16 as i64),
            Marker::I32 => Value::Int(self.u32()? as i32 as i64),
            Marker::I64 => Value::Int(self.u64()? as i64),
            Marker::F32 => Value::Float(f32::from_bits(self.u32()?) as f64),
            Marker::F64 => Value::Float(f64::from_bits(self.u64()?)),
            Marker::FixStr(n) => Value::String(self.string(n as usize)?),
            Marker::Str8 => {
                let n = self.u8()? as usize;
                Value::String(self.string(n)?)
            }
            Marker::Str16 => {
                let n = self.u16()? as usize;
                Value::String(self.string(n)?)
            }
            Marker::Str32 => {
                let n = self.u32()? as usize;
                Value::String(self.string(n)?)
            }
            Marker::Bin8 => {
                let n = self.u8()? as usize;
                Value::Binary(self.take(n)?.to_vec())
            }
            Marker::Bin16 => {
                let n = self.u16()? as usize;
                Value::Binary(self.take(n)?.to_vec())
            }
            Marker::Bin32 => {
                let n = self.u32()? as usize;
                Value::Binary(self.take(n)?.to_vec())
            }
            Marker::FixArray(n) => self.array(n as usize, depth)?,
            Marker::Array16 => {
                let n = self.u16()? as usize;
                self.array(n, depth)?
            }
            Marker::Array32 => {
                let n = self.u32()? as usize;
                self.array(n, depth)?
            }
            Marker::FixMap(n) => self.map(n as usize, depth)?,
            Marker::Map16 => {
                let n = self.u16()? as usize;
                self.map(n, depth)?
            }
            Marker::Map32 => {
                let n = self.u32()? as usize;
                self.map(n, depth)?
            }
            Marker::FixExt1 => self.ext(1, depth)?,
            Marker::FixExt2 => self.ext(2, depth)?,
            Marker::FixExt4 => self.ext(4, depth)?,
            Marker::FixExt8 => self.ext(8, depth)?,
            Marker::FixExt16 => self.ext(16, depth)?,
            Marker::Ext8 => {
                let n = self.u8()? as usize;
                self.ext(n, depth)?
            }
            Marker::Ext16 => {
                let n = self.u16()? as usize;
                self.ext(n, depth)?
            }
            Marker::Ext32 => {
                let n = self.u32()? as usize;
                self.ext(n, depth)?
            }
            Marker::Reserved => return Err(self.err("reserved marker 0xc1")),
        })
    }

    fn array(&mut self, n: usize, depth: usize) -> Result<Value> {
        let n = self.count(n)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(self.value(depth + 1)?);
        }
        Ok(Value::Array(items))
    }

    fn map(&mut self, n: usize, depth: usize) -> Result<Value> {
        let n = self.count(n)?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = match self.value(depth + 1)? {
                Value::String(s) => s,
                _ => return Err(self.err("map keys must be strings")),
            };
            let v = self.value(depth + 1)?;
            if m.insert(k, v).is_some() {
                return Err(self.err("duplicate map key"));
            }
        }
        Ok(Value::Map(m))
    }

    fn ext(&mut self, n: usize, depth: usize) -> Result<Value> {
        let ty = self.u8()? as i8;
        let payload = self.take(n)?;
        match ty {
            EXT_REF => std::str::from_utf8(payload)
                .map(|s| Value::Ref(s.to_owned()))
                .map_err(|_| self.err("invalid UTF-8 in ref")),
            EXT_CASE => {
                let mut inner = Reader {
                    buf: payload,
                    pos: 0,
                };
                let parts = match inner.value(depth + 1)? {
                    Value::Array(parts) => parts,
                    _ => return Err(self.err("case payload must be an array")),
                };
                if inner.pos != payload.len() {
                    return Err(self.err("trailing bytes in case payload"));
                }
                let mut it = parts.into_iter();
                let name = match it.next() {
                    Some(Value::String(s)) if !s.is_empty() => s,
                    _ => return Err(self.err("case payload must start with a name")),
                };
                let arg = it.next().map(Box::new);
                if it.next().is_some() {
                    return Err(self.err("case payload has more than two elements"));
                }
                Ok(Value::Case(name, arg))
            }
            _ => Err(self.err("unknown extension type")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map_of;

    #[test]
    fn round_trips() {
        let v = map_of([
            ("r", Value::Ref("x".into())),
            (
                "c",
                Value::Case("meters".into(), Some(Box::new(Value::Float(1.0)))),
            ),
            ("d", Value::Case("red".into(), None)),
            ("b", Value::Binary(vec![1, 2, 3])),
            ("i", Value::Int(-70000)),
            ("f", Value::Float(f64::NAN)),
            ("a", Value::Array(vec![Value::Null, Value::Bool(true)])),
        ]);
        assert_eq!(decode(&encode(&v)).unwrap(), v);
    }

    #[test]
    fn rejects_hostile_lengths() {
        // array32 claiming 4 billion elements
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode(&[0xc1]).is_err());
        assert!(decode(&[0xd4, 9, 0]).is_err());
        assert!(decode(&[0x91]).is_err());
    }
}
