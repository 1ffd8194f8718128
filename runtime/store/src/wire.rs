//! Byte-level building blocks shared by the on-disk formats and the sync codec: varints,
//! length-prefixed strings and byte strings, and MessagePack-encoded values, all read with
//! bounds checks and size caps.

use crate::error::{Result, StoreError};
use crate::msgpack;
use crate::value::Value;

/// Largest string or byte string accepted by the reader (16 MiB).
pub const MAX_BYTES: usize = 16 << 20;

/// Append-only byte writer.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Self::with_capacity(128)
    }
    pub fn with_capacity(bytes: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(bytes),
        }
    }
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u32_fixed(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn u64_fixed(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub fn varint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.buf.extend_from_slice(b);
    }
    /// Bytes already in this format (no length prefix).
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub fn value(&mut self, v: &Value) {
        msgpack::encode_into(v, &mut self.buf);
    }
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// A writer whose output [`Writer::finish_sealed`] seals: room for the checksum first, so
    /// the sealed value is built in one buffer.
    pub fn sealed(capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(capacity + 4);
        buf.extend_from_slice(&[0; 4]);
        Writer { buf }
    }

    /// Fill in the CRC32 of everything written after it: the same bytes as [`seal`] of the
    /// payload.
    pub fn finish_sealed(mut self) -> Vec<u8> {
        let crc = crc32fast::hash(&self.buf[4..]);
        self.buf[..4].copy_from_slice(&crc.to_le_bytes());
        self.buf
    }
}

/// Bounds-checked byte reader.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub fn err(&self, msg: impl Into<String>) -> StoreError {
        StoreError::Decode {
            offset: self.pos,
            message: msg.into(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.err("unexpected end of input"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u32_fixed(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn u64_fixed(&mut self) -> Result<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(a))
    }
    pub fn varint(&mut self) -> Result<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            let part = (b & 0x7f) as u64;
            if shift == 63 && part > 1 {
                return Err(self.err("varint overflows 64 bits"));
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err("varint longer than 10 bytes"))
    }
    /// A count of items, each at least `min_item_bytes` long, checked against the input left
    /// and against `cap`.
    pub fn count(&mut self, min_item_bytes: usize, cap: usize, what: &str) -> Result<usize> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| self.err(format!("{what}: count too large")))?;
        if n > cap {
            return Err(self.err(format!("{what}: {n} items exceeds the cap of {cap}")));
        }
        if n.saturating_mul(min_item_bytes.max(1)) > self.remaining() {
            return Err(self.err(format!("{what}: count {n} exceeds the remaining input")));
        }
        Ok(n)
    }
    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.varint()?;
        if n > MAX_BYTES as u64 {
            return Err(self.err("byte string exceeds the 16 MiB cap"));
        }
        self.take(n as usize)
    }
    pub fn str(&mut self) -> Result<String> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| self.err("invalid UTF-8"))
    }
    pub fn value(&mut self) -> Result<Value> {
        let (v, used) = msgpack::decode_prefix(&self.buf[self.pos..]).map_err(|e| match e {
            StoreError::Decode { offset, message } => StoreError::Decode {
                offset: self.pos + offset,
                message,
            },
            other => other,
        })?;
        self.pos += used;
        Ok(v)
    }
    pub fn expect_end(&self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.err("trailing bytes"))
        }
    }
}

/// Prefix `payload` with its CRC32 (little-endian), the form every stored value takes.
pub fn seal(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Check and strip the CRC32 that [`seal`] added.
pub fn unseal<'a>(space: &'static str, stored: &'a [u8]) -> Result<&'a [u8]> {
    if stored.len() < 4 {
        return Err(StoreError::Corrupt {
            space,
            detail: "value shorter than its checksum".into(),
        });
    }
    let (crc, payload) = stored.split_at(4);
    let want = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if crc32fast::hash(payload) != want {
        return Err(StoreError::Corrupt {
            space,
            detail: "checksum mismatch".into(),
        });
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut w = Writer::new();
            w.varint(v);
            let b = w.finish();
            let mut r = Reader::new(&b);
            assert_eq!(r.varint().unwrap(), v);
            r.expect_end().unwrap();
        }
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
    }

    #[test]
    fn sealed_writer_matches_seal() {
        let mut w = Writer::sealed(8);
        w.str("hello");
        w.varint(300);
        let mut plain = Writer::new();
        plain.str("hello");
        plain.varint(300);
        assert_eq!(w.finish_sealed(), seal(&plain.finish()));
    }

    #[test]
    fn seal_detects_flips() {
        let mut s = seal(b"hello");
        assert_eq!(unseal("t", &s).unwrap(), b"hello");
        s[5] ^= 1;
        assert!(unseal("t", &s).is_err());
    }
}
