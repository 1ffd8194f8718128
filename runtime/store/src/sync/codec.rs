//! The sync message codec: versioned, checksummed frames whose every field is validated and
//! whose sizes are capped, so bytes from a peer can be rejected cleanly.
//!
//! Frame: `"MXSY"` · version (u8) · kind (u8) · payload length (u32 BE) · payload ·
//! CRC32 (u32 LE) of version, kind, length and payload.

use crate::crdt::{Change, ReplicaId, VersionVector};
use crate::error::{Result, StoreError};
use crate::wire::{Reader, Writer};
use std::io::{Read, Write};

pub const MAGIC: &[u8; 4] = b"MXSY";
pub const VERSION: u8 = 1;
/// Largest accepted payload.
pub const MAX_FRAME: usize = 64 << 20;
/// Largest number of changes in one message.
pub const MAX_CHANGES: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Who I am and exactly which changes I hold.
    Hello {
        replica: ReplicaId,
        vv: VersionVector,
    },
    /// Changes the peer lacks.
    Changes(Vec<Change>),
    /// No more changes from me in this session.
    Done,
    /// What I hold after applying your changes (the peer records it as acknowledged).
    Ack(VersionVector),
    /// The session failed on my side.
    Error(String),
}

impl Message {
    fn kind(&self) -> u8 {
        match self {
            Message::Hello { .. } => 1,
            Message::Changes(_) => 2,
            Message::Done => 3,
            Message::Ack(_) => 4,
            Message::Error(_) => 5,
        }
    }

    fn payload(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Message::Hello { replica, vv } => {
                w.u64_fixed(replica.0);
                vv.encode(&mut w);
            }
            Message::Changes(cs) => {
                w.varint(cs.len() as u64);
                for c in cs {
                    let b = c.to_bytes();
                    w.bytes(&b);
                }
            }
            Message::Done => {}
            Message::Ack(vv) => vv.encode(&mut w),
            Message::Error(m) => w.str(m),
        }
        w.finish()
    }

    /// Encode to one frame.
    pub fn encode(&self) -> Vec<u8> {
        let payload = self.payload();
        let mut out = Vec::with_capacity(payload.len() + 14);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(self.kind());
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&payload);
        let crc = crc32fast::hash(&out[4..]);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decode exactly one frame.
    pub fn decode(frame: &[u8]) -> Result<Message> {
        let mut r = Reader::new(frame);
        let (kind, payload) = check_header(&mut r)?;
        let m = decode_payload(kind, payload)?;
        r.expect_end()?;
        Ok(m)
    }
}

fn perr(msg: impl Into<String>) -> StoreError {
    StoreError::Protocol(msg.into())
}

fn check_header<'a>(r: &mut Reader<'a>) -> Result<(u8, &'a [u8])> {
    let start = r.take(0)?;
    let _ = start;
    let magic = r.take(4)?;
    if magic != MAGIC {
        return Err(perr("bad magic: not a Mix sync frame"));
    }
    let version = r.u8()?;
    if version != VERSION {
        return Err(perr(format!(
            "unsupported sync protocol version {version} (this store speaks {VERSION})"
        )));
    }
    let kind = r.u8()?;
    let len = r.u32_fixed()? as usize;
    if len > MAX_FRAME {
        return Err(perr(format!(
            "frame of {len} bytes exceeds the {MAX_FRAME}-byte cap"
        )));
    }
    let payload = r.take(len)?;
    let crc = r.take(4)?;
    let mut h = crc32fast::Hasher::new();
    h.update(&[version, kind]);
    h.update(&(len as u32).to_be_bytes());
    h.update(payload);
    if h.finalize().to_le_bytes() != crc {
        return Err(perr("frame checksum mismatch"));
    }
    Ok((kind, payload))
}

fn decode_payload(kind: u8, payload: &[u8]) -> Result<Message> {
    let mut r = Reader::new(payload);
    let m = match kind {
        1 => {
            let replica = ReplicaId(r.u64_fixed()?);
            let vv = VersionVector::decode(&mut r)?;
            Message::Hello { replica, vv }
        }
        2 => {
            let n = r.count(20, MAX_CHANGES, "changes")?;
            let mut cs = Vec::with_capacity(n);
            for _ in 0..n {
                let b = r.bytes()?;
                cs.push(Change::from_bytes(b)?);
            }
            Message::Changes(cs)
        }
        3 => Message::Done,
        4 => Message::Ack(VersionVector::decode(&mut r)?),
        5 => {
            let s = r.str()?;
            if s.len() > 4096 {
                return Err(perr("error message too long"));
            }
            Message::Error(s)
        }
        k => return Err(perr(format!("unknown message kind {k}"))),
    };
    r.expect_end()?;
    Ok(m)
}

/// Write one message to a stream.
pub fn write_message(w: &mut dyn Write, m: &Message) -> Result<()> {
    w.write_all(&m.encode())?;
    w.flush()?;
    Ok(())
}

/// Read one message from a stream (header first, so a length is checked before any
/// allocation).
pub fn read_message(r: &mut dyn Read) -> Result<Message> {
    let mut head = [0u8; 10];
    r.read_exact(&mut head)
        .map_err(|e| perr(format!("connection closed or failed: {e}")))?;
    if &head[..4] != MAGIC {
        return Err(perr("bad magic: not a Mix sync frame"));
    }
    let len = u32::from_be_bytes([head[6], head[7], head[8], head[9]]) as usize;
    if len > MAX_FRAME {
        return Err(perr(format!(
            "frame of {len} bytes exceeds the {MAX_FRAME}-byte cap"
        )));
    }
    let mut frame = Vec::with_capacity(14 + len);
    frame.extend_from_slice(&head);
    frame.resize(14 + len, 0);
    r.read_exact(&mut frame[10..])
        .map_err(|e| perr(format!("truncated frame: {e}")))?;
    Message::decode(&frame)
}
