//! `.qc` bytes → Module. Never panics and allocates at most a small multiple of the input size
//! (every count is bounded by the bytes left). Checks, in order: magic, format version, ABI
//! version, length, checksum, then the sections; [`decode`] then runs the verifier, whose
//! errors are mapped back to the offset of the offending item.

use super::checksum::crc32;
use super::error::LoadError;
use super::layout::*;
use super::opcode;
use super::verify::{self, Site};
use super::wire::{unzigzag, Reader};
use super::{
    Constant, Export, ExportKind, Function, Global, LineEntry, Module, ABI_VERSION, FORMAT_VERSION,
    MAGIC,
};

type Result<T> = std::result::Result<T, LoadError>;

/// Decodes and verifies a module: what the VM loads.
pub fn decode(bytes: &[u8]) -> Result<Module> {
    let (module, positions) = decode_with_positions(bytes)?;
    verify::check(&module)
        .map_err(|(site, message)| LoadError::new(positions.of(site), message))?;
    Ok(module)
}

/// Decodes without verifying, for tools that inspect broken files (`mixc disasm`) and for
/// tests. The VM must never run a module from here.
pub fn decode_unverified(bytes: &[u8]) -> Result<Module> {
    decode_with_positions(bytes).map(|(module, _)| module)
}

/// File offsets of the decoded items, to locate verifier errors.
#[derive(Default)]
struct Positions {
    body: usize,
    constants: Vec<usize>,
    /// Per function: its start and the start of each instruction and line entry.
    functions: Vec<(usize, Vec<usize>, Vec<usize>)>,
    globals: Vec<usize>,
    exports: Vec<usize>,
}

impl Positions {
    fn of(&self, site: Site) -> usize {
        let found = match site {
            Site::Constant(i) => self.constants.get(i).copied(),
            Site::Function(f) => self.functions.get(f).map(|(at, _, _)| *at),
            Site::Instr(f, pc) => self
                .functions
                .get(f)
                .and_then(|(_, code, _)| code.get(pc).copied()),
            Site::Line(f, i) => self
                .functions
                .get(f)
                .and_then(|(_, _, lines)| lines.get(i).copied()),
            Site::Global(i) => self.globals.get(i).copied(),
            Site::Export(i) => self.exports.get(i).copied(),
        };
        found.unwrap_or(self.body)
    }
}

fn decode_with_positions(bytes: &[u8]) -> Result<(Module, Positions)> {
    let body = header(bytes)?;
    let mut r = Reader::new(body, HEADER_LEN);
    let mut pos = Positions {
        body: HEADER_LEN,
        ..Positions::default()
    };
    let mut m = Module::default();
    for (index, name) in SECTIONS.iter().enumerate() {
        let mut s = section(&mut r, index, name)?;
        match index {
            0 => {
                m.constants = list(&mut s, "constant", |r| {
                    pos.constants.push(r.offset());
                    constant(r)
                })?
            }
            1 => m.files = list(&mut s, "file", Reader::string)?,
            2 => m.natives = list(&mut s, "native", Reader::string)?,
            3 => m.functions = list(&mut s, "function", |r| function(r, &mut pos))?,
            4 => {
                m.globals = list(&mut s, "global", |r| {
                    pos.globals.push(r.offset());
                    Ok(Global {
                        name: r.string()?,
                        init: r.u32()?,
                    })
                })?
            }
            _ => {
                m.exports = list(&mut s, "export", |r| {
                    pos.exports.push(r.offset());
                    export(r)
                })?
            }
        }
        if !s.at_end() {
            return Err(s.error(format!(
                "{} unread bytes at the end of section {name}",
                s.remaining()
            )));
        }
    }
    if !r.at_end() {
        return Err(r.error(format!("{} bytes after the last section", r.remaining())));
    }
    Ok((m, pos))
}

/// Checks the header and returns the body.
fn header(bytes: &[u8]) -> Result<&[u8]> {
    if bytes.is_empty() {
        return Err(LoadError::new(0, "not a QCode file (empty)"));
    }
    if !bytes.starts_with(&MAGIC) {
        return Err(if MAGIC.starts_with(bytes) {
            truncated_header(bytes)
        } else {
            LoadError::new(0, "not a QCode file (bad magic number)")
        });
    }
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let format = u16_at(FORMAT_AT).ok_or_else(|| truncated_header(bytes))?;
    if format != FORMAT_VERSION {
        return Err(LoadError::new(
            FORMAT_AT,
            format!("unsupported QCode format version {format} (this loader reads version {FORMAT_VERSION}); recompile the module"),
        ));
    }
    let abi = u16_at(ABI_AT).ok_or_else(|| truncated_header(bytes))?;
    if abi != ABI_VERSION {
        return Err(LoadError::new(
            ABI_AT,
            format!("module built for native ABI version {abi}, but this runtime provides ABI version {ABI_VERSION}; recompile the module"),
        ));
    }
    let (Some(body_len), Some(checksum)) = (u32_at(BODY_LEN_AT), u32_at(CHECKSUM_AT)) else {
        return Err(truncated_header(bytes));
    };
    let body = &bytes[HEADER_LEN..];
    let body_len = body_len as usize;
    if body.len() < body_len {
        return Err(LoadError::new(
            bytes.len(),
            format!(
                "truncated file: the header announces {body_len} body bytes, only {} present",
                body.len()
            ),
        ));
    }
    if body.len() > body_len {
        return Err(LoadError::new(
            HEADER_LEN + body_len,
            format!("{} trailing bytes after the module", body.len() - body_len),
        ));
    }
    let actual = crc32(body);
    if actual != checksum {
        return Err(LoadError::new(
            CHECKSUM_AT,
            format!("checksum mismatch: header says {checksum:08x}, body has {actual:08x} (the file is corrupt)"),
        ));
    }
    Ok(body)
}

fn truncated_header(bytes: &[u8]) -> LoadError {
    LoadError::new(
        bytes.len(),
        format!(
            "truncated file: {} bytes, shorter than the {HEADER_LEN}-byte header",
            bytes.len()
        ),
    )
}

/// Reads section `index`'s id and length and returns a reader over its contents.
fn section<'a>(r: &mut Reader<'a>, index: usize, name: &str) -> Result<Reader<'a>> {
    let at = r.offset();
    let id = r.byte()?;
    if usize::from(id) != index + 1 {
        return Err(LoadError::new(
            at,
            format!(
                "expected section {} ({name}), found section id {id}",
                index + 1
            ),
        ));
    }
    let len_at = r.offset();
    let len = r.varint()?;
    if len > r.remaining() as u64 {
        return Err(LoadError::new(
            len_at,
            format!(
                "section {name} is {len} bytes, but only {} remain",
                r.remaining()
            ),
        ));
    }
    let start = r.offset();
    Ok(Reader::new(r.take(len as usize)?, start))
}

fn list<'a, T>(
    r: &mut Reader<'a>,
    what: &str,
    mut item: impl FnMut(&mut Reader<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = r.count(what)?;
    // `n` is bounded by the bytes left, but an item in memory is larger than its encoding:
    // reserve a little and let the vector grow with the items actually read.
    let mut out = Vec::with_capacity(n.min(256));
    for _ in 0..n {
        out.push(item(r)?);
    }
    Ok(out)
}

fn constant(r: &mut Reader<'_>) -> Result<Constant> {
    let at = r.offset();
    Ok(match r.byte()? {
        CONST_INT => Constant::Int(unzigzag(r.varint()?)),
        CONST_FLOAT => {
            let b = r.take(8)?;
            Constant::Float(f64::from_bits(u64::from_le_bytes([
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
            ])))
        }
        CONST_STR => Constant::Str(r.string()?),
        CONST_KEYS => Constant::Keys(list(r, "key", Reader::string)?),
        CONST_REGEX => Constant::Regex(r.string()?),
        CONST_SHAPE => Constant::Shape(super::Shape::get(r, 0)?),
        tag => return Err(LoadError::new(at, format!("unknown constant tag {tag}"))),
    })
}

fn function(r: &mut Reader<'_>, pos: &mut Positions) -> Result<Function> {
    let start = r.offset();
    let name = r.string()?;
    let arity = r.byte()?;
    let captures = r.u16()?;
    let registers = r.u16()?;
    let mut code_at = Vec::new();
    let code = list(r, "instruction", |r| {
        let at = r.offset();
        code_at.push(at);
        let op = r.byte()?;
        opcode::read(op, r)?.ok_or_else(|| {
            LoadError::new(at, format!("unknown opcode {op:#04x} in function `{name}`"))
        })
    })?;
    let mut lines_at = Vec::new();
    let lines = list(r, "line entry", |r| {
        lines_at.push(r.offset());
        Ok(LineEntry {
            pc: r.u32()?,
            file: r.u32()?,
            line: r.u32()?,
            column: r.u32()?,
        })
    })?;
    pos.functions.push((start, code_at, lines_at));
    Ok(Function {
        name,
        arity,
        captures,
        registers,
        code,
        lines,
    })
}

fn export(r: &mut Reader<'_>) -> Result<Export> {
    let name = r.string()?;
    let at = r.offset();
    let kind = match r.byte()? {
        EXPORT_FUNCTION => ExportKind::Function,
        EXPORT_GLOBAL => ExportKind::Global,
        k => {
            return Err(LoadError::new(
                at,
                format!("unknown export kind {k} for `{name}`"),
            ))
        }
    };
    Ok(Export {
        name,
        kind,
        index: r.u32()?,
    })
}
