//! A readable listing of a module, for `mixc disasm`, debugging the compiler and test failure
//! messages. Works on unverified modules too: an index out of range prints as `<invalid>`
//! instead of panicking.

use std::collections::HashMap;
use std::fmt::Write;

use super::opcode::{self, Operand};
use super::{Constant, ExportKind, Function, LineEntry, Module, ABI_VERSION, FORMAT_VERSION};

/// Column where source positions start, so they line up to the right of the instructions.
const POSITION_COLUMN: usize = 48;

pub fn disassemble(m: &Module) -> String {
    let mut out = String::new();
    // `write!` to a String cannot fail; the results are ignored throughout.
    let _ = writeln!(out, "; QCode format {FORMAT_VERSION}, ABI {ABI_VERSION}");
    section(&mut out, "constants", &m.constants, |i, c| {
        format!("#{i}  {}", constant(c))
    });
    section(&mut out, "files", &m.files, |i, f| format!("{i}  {f}"));
    section(&mut out, "natives", &m.natives, |i, n| format!("{i}  {n}"));
    section(&mut out, "globals", &m.globals, |i, g| {
        format!("{i}  {} = {}", g.name, function_ref(m, g.init))
    });
    section(&mut out, "exports", &m.exports, |_, e| match e.kind {
        ExportKind::Function => format!("{}  {}", e.name, function_ref(m, e.index)),
        ExportKind::Global => format!("{}  {}", e.name, global_ref(m, e.index)),
    });
    for f in &m.functions {
        out.push('\n');
        function(&mut out, m, f);
    }
    out
}

fn section<T>(out: &mut String, title: &str, items: &[T], line: impl Fn(usize, &T) -> String) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}:");
    for (i, item) in items.iter().enumerate() {
        let _ = writeln!(out, "  {}", line(i, item));
    }
}

fn function(out: &mut String, m: &Module, f: &Function) {
    let _ = writeln!(
        out,
        "fn {} (arity {}, captures {}, registers {})",
        f.name, f.arity, f.captures, f.registers
    );
    let width = f.code.len().saturating_sub(1).to_string().len().max(4);
    // The entry in force from each pc where one starts (the last of equal pcs wins).
    let starts: HashMap<usize, &LineEntry> = f.lines.iter().map(|l| (l.pc as usize, l)).collect();
    for (pc, instr) in f.code.iter().enumerate() {
        let operands: Vec<String> = opcode::operands(instr)
            .iter()
            .map(|op| operand(m, *op))
            .collect();
        let mut line = format!("  {pc:>width$}  {}", opcode::mnemonic(instr));
        if !operands.is_empty() {
            let _ = write!(line, " {}", operands.join(", "));
        }
        if let Some(l) = starts.get(&pc) {
            let file = m
                .files
                .get(l.file as usize)
                .map_or("<invalid file>", String::as_str);
            let pad = POSITION_COLUMN.saturating_sub(line.chars().count()).max(1);
            let _ = write!(line, "{:pad$}; {file}:{}:{}", "", l.line, l.column);
        }
        let _ = writeln!(out, "{line}");
    }
}

fn operand(m: &Module, op: Operand) -> String {
    match op {
        Operand::Reg(r) | Operand::Run(r) | Operand::OptReg(Some(r)) => format!("r{r}"),
        Operand::OptReg(None) => "-".into(),
        Operand::Const(c) => match m.constants.get(c as usize) {
            Some(k) => format!("#{c} {}", constant_value(k)),
            None => format!("#{c} <invalid>"),
        },
        Operand::Target(t) => format!("@{t}"),
        Operand::Function(i) => function_ref(m, i),
        Operand::Global(i) => global_ref(m, i),
        Operand::Native(i) => match m.natives.get(i as usize) {
            Some(name) => format!("native {i} {name}"),
            None => format!("native {i} <invalid>"),
        },
        Operand::Capture(i) => format!("capture {i}"),
        Operand::Argc(n) => n.to_string(),
        Operand::Count(n) => n.to_string(),
        Operand::Int(n) => n.to_string(),
        Operand::Small(n) => n.to_string(),
        Operand::Bool(b) => b.to_string(),
        Operand::Cmp(op) => format!("{op:?}"),
        Operand::Kind(k) => format!("{k:?}"),
    }
}

fn function_ref(m: &Module, i: u32) -> String {
    match m.functions.get(i as usize) {
        Some(f) => format!("fn {i} {}", f.name),
        None => format!("fn {i} <invalid>"),
    }
}

fn global_ref(m: &Module, i: u32) -> String {
    match m.globals.get(i as usize) {
        Some(g) => format!("global {i} {}", g.name),
        None => format!("global {i} <invalid>"),
    }
}

/// A pool entry with its kind, for the constants table.
fn constant(c: &Constant) -> String {
    let kind = match c {
        Constant::Int(_) => "int",
        Constant::Float(_) => "float",
        Constant::Str(_) => "str",
        Constant::Keys(_) => "keys",
        Constant::Regex(_) => "regex",
        Constant::Shape(_) => "shape",
    };
    format!("{kind} {}", constant_value(c))
}

/// A pool entry as it appears inline in an instruction.
fn constant_value(c: &Constant) -> String {
    match c {
        Constant::Int(v) => v.to_string(),
        Constant::Float(v) => format!("{v:?}"),
        Constant::Str(s) => format!("{s:?}"),
        Constant::Keys(keys) => format!("{keys:?}"),
        Constant::Regex(s) => format!("~{s:?}"),
        Constant::Shape(shape) => shape.to_string(),
    }
}
