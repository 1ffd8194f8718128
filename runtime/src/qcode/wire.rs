//! The primitive encodings of the `.qc` format: LEB128 varints, zigzag for signed numbers,
//! length-prefixed UTF-8 strings, and the [`Wire`] trait that lets the instruction table encode
//! and decode operands by their Rust type. Every encoding is canonical (overlong varints,
//! booleans other than 0/1 and unknown tags are rejected), so a file that decodes re-encodes to
//! the same bytes.

use super::error::LoadError;
use super::{CmpOp, KindTest};

pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn put_len(out: &mut Vec<u8>, len: usize) {
    put_varint(out, len as u64);
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A cursor over (part of) a file. `base` is the file offset of `bytes[0]`, so errors from a
/// section's sub-reader still point into the whole file.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

type Result<T> = std::result::Result<T, LoadError>;

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], base: usize) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            base,
        }
    }

    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> LoadError {
        LoadError::new(self.offset(), message)
    }

    fn truncated(&self) -> LoadError {
        self.error("unexpected end of data")
    }

    pub(crate) fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.truncated())?;
        self.pos += 1;
        Ok(b)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.truncated());
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    /// An unsigned LEB128 number of at most 64 bits in its shortest form.
    pub(crate) fn varint(&mut self) -> Result<u64> {
        let start = self.offset();
        let mut value = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            if i == 9 && b > 1 {
                return Err(LoadError::new(start, "varint overflows 64 bits"));
            }
            value |= u64::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    return Err(LoadError::new(start, "overlong varint"));
                }
                return Ok(value);
            }
        }
        Err(LoadError::new(start, "varint longer than 10 bytes"))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let start = self.offset();
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| LoadError::new(start, format!("{v} does not fit in 32 bits")))
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        let start = self.offset();
        let v = self.varint()?;
        u16::try_from(v).map_err(|_| LoadError::new(start, format!("{v} does not fit in 16 bits")))
    }

    /// A number of items that follow. Every item takes at least one byte, so a count above the
    /// remaining bytes is corrupt: rejecting it bounds every allocation by the input size.
    pub(crate) fn count(&mut self, what: &str) -> Result<usize> {
        let start = self.offset();
        let n = self.varint()?;
        if n > self.remaining() as u64 {
            return Err(LoadError::new(
                start,
                format!(
                    "{what} count {n} exceeds the {} bytes left",
                    self.remaining()
                ),
            ));
        }
        Ok(n as usize)
    }

    pub(crate) fn string(&mut self) -> Result<String> {
        let start = self.offset();
        let len = self.varint()?;
        if len > self.remaining() as u64 {
            return Err(LoadError::new(
                start,
                format!(
                    "string of {len} bytes exceeds the {} bytes left",
                    self.remaining()
                ),
            ));
        }
        let body_start = self.offset();
        let bytes = self.take(len as usize)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(LoadError::new(
                body_start + e.valid_up_to(),
                "invalid UTF-8 in string",
            )),
        }
    }
}

/// How one operand type is written; the instruction table in `opcode.rs` calls these by type
/// inference, so a field's Rust type alone decides its encoding.
pub(crate) trait Wire: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self>;
}

/// Counts of arguments are one raw byte.
impl Wire for u8 {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn get(r: &mut Reader<'_>) -> Result<u8> {
        r.byte()
    }
}

/// Registers and small counts.
impl Wire for u16 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, u64::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Result<u16> {
        r.u16()
    }
}

/// Constant, function, global and native indices and jump targets.
impl Wire for u32 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, u64::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Result<u32> {
        r.u32()
    }
}

/// Inline integers, zigzag so small negative numbers stay short.
impl Wire for i32 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, zigzag(i64::from(*self)));
    }
    fn get(r: &mut Reader<'_>) -> Result<i32> {
        let start = r.offset();
        let v = unzigzag(r.varint()?);
        i32::try_from(v).map_err(|_| LoadError::new(start, format!("{v} does not fit in 32 bits")))
    }
}

impl Wire for i16 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, zigzag(i64::from(*self)));
    }
    fn get(r: &mut Reader<'_>) -> Result<i16> {
        let start = r.offset();
        let v = unzigzag(r.varint()?);
        i16::try_from(v).map_err(|_| LoadError::new(start, format!("{v} does not fit in 16 bits")))
    }
}

impl Wire for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Result<bool> {
        match r.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(LoadError::new(
                r.offset() - 1,
                format!("invalid boolean {b}"),
            )),
        }
    }
}

/// An optional register: tag 0, or tag 1 and the register.
impl Wire for Option<u16> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(reg) => {
                out.push(1);
                reg.put(out);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Option<u16>> {
        match r.byte()? {
            0 => Ok(None),
            1 => Ok(Some(r.u16()?)),
            b => Err(LoadError::new(
                r.offset() - 1,
                format!("invalid option tag {b}"),
            )),
        }
    }
}

impl Wire for CmpOp {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Result<CmpOp> {
        use CmpOp::*;
        const ALL: [CmpOp; 14] = [
            Eq, Ne, Lt, Le, Gt, Ge, StrictEq, StrictNe, EqCi, NeCi, LtCi, LeCi, GtCi, GeCi,
        ];
        let b = r.byte()?;
        // `ALL` is in discriminant order (checked by a test), so the byte is the index.
        ALL.get(b as usize).copied().ok_or_else(|| {
            LoadError::new(r.offset() - 1, format!("unknown comparison operator {b}"))
        })
    }
}

impl Wire for KindTest {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Result<KindTest> {
        use KindTest::*;
        const ALL: [KindTest; 12] = [
            Null, Bool, Number, String, Array, Object, Ref, Case, Function, Stream, Binary, Data,
        ];
        let b = r.byte()?;
        ALL.get(b as usize)
            .copied()
            .ok_or_else(|| LoadError::new(r.offset() - 1, format!("unknown kind test {b}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: Wire>(bytes: &[u8]) -> Result<T> {
        let mut r = Reader::new(bytes, 0);
        let v = T::get(&mut r)?;
        assert!(r.at_end(), "left {} bytes", r.remaining());
        Ok(v)
    }

    #[test]
    fn varints_round_trip_and_are_canonical() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(Reader::new(&out, 0).varint(), Ok(v));
        }
        assert_eq!(
            Reader::new(&[0x80, 0x00], 0).varint().unwrap_err().message,
            "overlong varint"
        );
        let too_big = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        assert!(Reader::new(&too_big, 0)
            .varint()
            .unwrap_err()
            .message
            .contains("overflows"));
        assert!(decode::<u16>(&[0x80, 0x80, 0x04])
            .unwrap_err()
            .message
            .contains("16 bits"));
    }

    #[test]
    fn zigzag_round_trips_extremes() {
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, i32::MIN as i64] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(zigzag(-1), 1);
    }

    #[test]
    fn enum_tables_follow_discriminants() {
        for b in 0..=255u8 {
            if let Ok(op) = decode::<CmpOp>(&[b]) {
                assert_eq!(op as u8, b);
            }
            if let Ok(k) = decode::<KindTest>(&[b]) {
                assert_eq!(k as u8, b);
            }
        }
        assert!(decode::<CmpOp>(&[13]).is_ok() && decode::<CmpOp>(&[14]).is_err());
        assert!(decode::<KindTest>(&[11]).is_ok() && decode::<KindTest>(&[12]).is_err());
    }
}
