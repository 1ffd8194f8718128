//! Module → `.qc` bytes. The layout is in `docs/qcode.md`; the decoder is its exact inverse.

use super::checksum::crc32;
use super::layout::*;
use super::opcode;
use super::wire::{put_len, put_str, put_varint, zigzag};
use super::{
    Constant, Export, ExportKind, Function, Global, Module, ABI_VERSION, FORMAT_VERSION, MAGIC,
};

pub fn encode(m: &Module) -> Vec<u8> {
    let mut body = Vec::new();
    section(&mut body, 1, |out| items(out, &m.constants, constant));
    section(&mut body, 2, |out| {
        items(out, &m.files, |out, f| put_str(out, f))
    });
    section(&mut body, 3, |out| {
        items(out, &m.natives, |out, n| put_str(out, n))
    });
    section(&mut body, 4, |out| items(out, &m.functions, function));
    section(&mut body, 5, |out| items(out, &m.globals, global));
    section(&mut body, 6, |out| items(out, &m.exports, export));

    // The header stores the length in 32 bits; a module that large cannot come from a compiler.
    let body_len = u32::try_from(body.len()).expect("QCode module body over 4 GiB");
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&ABI_VERSION.to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&crc32(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// A section: its id, its byte length, then its contents (so a reader can locate errors and
/// future readers could skip sections).
fn section(out: &mut Vec<u8>, id: u8, write: impl FnOnce(&mut Vec<u8>)) {
    let mut contents = Vec::new();
    write(&mut contents);
    out.push(id);
    put_len(out, contents.len());
    out.extend_from_slice(&contents);
}

fn items<T>(out: &mut Vec<u8>, list: &[T], mut write: impl FnMut(&mut Vec<u8>, &T)) {
    put_len(out, list.len());
    for item in list {
        write(out, item);
    }
}

fn constant(out: &mut Vec<u8>, c: &Constant) {
    match c {
        Constant::Int(v) => {
            out.push(CONST_INT);
            put_varint(out, zigzag(*v));
        }
        Constant::Float(v) => {
            // The raw bits, so every float (NaN payloads, -0.0) survives exactly.
            out.push(CONST_FLOAT);
            out.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        Constant::Str(s) => {
            out.push(CONST_STR);
            put_str(out, s);
        }
        Constant::Keys(keys) => {
            out.push(CONST_KEYS);
            items(out, keys, |out, k| put_str(out, k));
        }
        Constant::Regex(s) => {
            out.push(CONST_REGEX);
            put_str(out, s);
        }
        Constant::Shape(shape) => {
            out.push(CONST_SHAPE);
            shape.put(out);
        }
    }
}

fn function(out: &mut Vec<u8>, f: &Function) {
    put_str(out, &f.name);
    out.push(f.arity);
    put_varint(out, u64::from(f.captures));
    put_varint(out, u64::from(f.registers));
    items(out, &f.code, |out, i| opcode::write(i, out));
    items(out, &f.lines, |out, l| {
        for v in [l.pc, l.file, l.line, l.column] {
            put_varint(out, u64::from(v));
        }
    });
}

fn global(out: &mut Vec<u8>, g: &Global) {
    put_str(out, &g.name);
    put_varint(out, u64::from(g.init));
}

fn export(out: &mut Vec<u8>, e: &Export) {
    put_str(out, &e.name);
    out.push(match e.kind {
        ExportKind::Function => EXPORT_FUNCTION,
        ExportKind::Global => EXPORT_GLOBAL,
    });
    put_varint(out, u64::from(e.index));
}
