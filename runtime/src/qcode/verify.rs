//! The load-time verifier. The VM trusts a verified module: it indexes registers, constants,
//! functions, globals and natives without bounds checks, follows jumps without checking them,
//! and never runs off the end of a function. Everything that would make those unchecked
//! accesses unsound is rejected here. The rules are listed in `docs/qcode.md`.

use std::collections::HashSet;

use super::error::LoadError;
use super::opcode::{self, Operand};
use super::{Constant, ExportKind, Function, Instr, Module};

/// Where a verifier error is; the decoder turns it into a file offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Site {
    Constant(usize),
    Function(usize),
    Instr(usize, usize),
    Line(usize, usize),
    Global(usize),
    Export(usize),
}

/// Verifies a module built in memory (the compiler's output, before it is written). Errors
/// carry offset 0: there is no file. [`super::decode::decode`] reports file offsets instead.
pub fn verify(m: &Module) -> Result<(), LoadError> {
    check(m).map_err(|(_, message)| LoadError::new(0, message))
}

type Check = Result<(), (Site, String)>;

pub(crate) fn check(m: &Module) -> Check {
    for (i, c) in m.constants.iter().enumerate() {
        if let Constant::Keys(keys) = c {
            if let Some(w) = keys.windows(2).find(|w| w[0] >= w[1]) {
                return Err((
                    Site::Constant(i),
                    format!(
                        "constant #{i}: record keys not strictly sorted ({:?} before {:?})",
                        w[0], w[1]
                    ),
                ));
            }
        }
    }
    for (fi, f) in m.functions.iter().enumerate() {
        check_function(m, fi, f)?;
    }
    for (i, g) in m.globals.iter().enumerate() {
        let site = Site::Global(i);
        let init = m.functions.get(g.init as usize).ok_or_else(|| {
            (
                site,
                format!(
                    "global `{}`: init function {} out of range ({} functions)",
                    g.name,
                    g.init,
                    m.functions.len()
                ),
            )
        })?;
        if init.arity != 0 || init.captures != 0 {
            return Err((
                site,
                format!(
                    "global `{}`: init function `{}` must take no arguments and no captures (arity {}, captures {})",
                    g.name, init.name, init.arity, init.captures
                ),
            ));
        }
    }
    let mut exported = HashSet::new();
    for (i, e) in m.exports.iter().enumerate() {
        let site = Site::Export(i);
        if !exported.insert(e.name.as_str()) {
            return Err((site, format!("export `{}` defined twice", e.name)));
        }
        match e.kind {
            ExportKind::Function => {
                let f = m.functions.get(e.index as usize).ok_or_else(|| {
                    (
                        site,
                        format!(
                            "export `{}`: function {} out of range ({} functions)",
                            e.name,
                            e.index,
                            m.functions.len()
                        ),
                    )
                })?;
                // The host calls an export with no closure around it.
                if f.captures != 0 {
                    return Err((
                        site,
                        format!("export `{}`: function `{}` has captures", e.name, f.name),
                    ));
                }
            }
            ExportKind::Global => {
                if e.index as usize >= m.globals.len() {
                    return Err((
                        site,
                        format!(
                            "export `{}`: global {} out of range ({} globals)",
                            e.name,
                            e.index,
                            m.globals.len()
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_function(m: &Module, fi: usize, f: &Function) -> Check {
    let fail = |message: String| {
        Err((
            Site::Function(fi),
            format!("function `{}`: {message}", f.name),
        ))
    };
    if f.registers < u16::from(f.arity) {
        return fail(format!(
            "{} registers cannot hold its {} arguments",
            f.registers, f.arity
        ));
    }
    let Some(last) = f.code.last() else {
        return fail("no code".into());
    };
    if !matches!(
        last,
        Instr::Return { .. }
            | Instr::Jump { .. }
            | Instr::TailCall { .. }
            | Instr::TailCallDirect { .. }
            | Instr::Fail { .. }
            | Instr::MatchFail { .. }
    ) {
        return Err((
            Site::Instr(fi, f.code.len() - 1),
            format!(
                "function `{}` pc {}: the last instruction is {}; control would fall off the end",
                f.name,
                f.code.len() - 1,
                opcode::mnemonic(last)
            ),
        ));
    }
    for (pc, instr) in f.code.iter().enumerate() {
        check_instr(m, f, instr).map_err(|message| {
            (
                Site::Instr(fi, pc),
                format!(
                    "function `{}` pc {pc}: {} {message}",
                    f.name,
                    opcode::mnemonic(instr)
                ),
            )
        })?;
    }
    let mut previous = 0;
    for (i, l) in f.lines.iter().enumerate() {
        let problem = if l.pc < previous {
            Some(format!("not sorted by pc ({} after {previous})", l.pc))
        } else if l.pc as usize >= f.code.len() {
            Some(format!(
                "pc {} beyond the code ({} instructions)",
                l.pc,
                f.code.len()
            ))
        } else if l.file as usize >= m.files.len() {
            Some(format!(
                "file {} out of range ({} files)",
                l.file,
                m.files.len()
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            return Err((
                Site::Line(fi, i),
                format!("function `{}`: line entry {i}: {p}", f.name),
            ));
        }
        previous = l.pc;
    }
    Ok(())
}

/// Checks one instruction of `f`; the message is prefixed by the caller.
fn check_instr(m: &Module, f: &Function, instr: &Instr) -> Result<(), String> {
    let ops = opcode::operands(instr);
    let regs = usize::from(f.registers);
    let range = |what: &str, index: u32, len: usize| {
        if (index as usize) < len {
            Ok(())
        } else {
            Err(format!("{what} {index} out of range ({len} in the module)"))
        }
    };
    for op in &ops {
        match *op {
            Operand::Reg(r) | Operand::OptReg(Some(r)) => {
                if usize::from(r) >= regs {
                    return Err(format!(
                        "register r{r} out of range (the function has {regs} registers)"
                    ));
                }
            }
            Operand::Run(start) => {
                let len = run_len(m, instr, &ops)?;
                if usize::from(start) + len > regs {
                    return Err(format!(
                        "registers r{start}..r{} out of range (the function has {regs} registers)",
                        usize::from(start) + len
                    ));
                }
            }
            Operand::Const(c) => range("constant", c, m.constants.len())?,
            Operand::Function(i) => range("function", i, m.functions.len())?,
            Operand::Global(i) => range("global", i, m.globals.len())?,
            Operand::Native(i) => range("native", i, m.natives.len())?,
            Operand::Target(t) => {
                if t as usize >= f.code.len() {
                    return Err(format!(
                        "jump target {t} beyond the code ({} instructions)",
                        f.code.len()
                    ));
                }
            }
            Operand::Capture(i) => {
                if i >= f.captures {
                    return Err(format!(
                        "capture {i} out of range (the function has {} captures)",
                        f.captures
                    ));
                }
            }
            Operand::OptReg(None)
            | Operand::Argc(_)
            | Operand::Count(_)
            | Operand::Int(_)
            | Operand::Small(_)
            | Operand::Bool(_)
            | Operand::Cmp(_)
            | Operand::Kind(_) => {}
        }
    }
    // Indices are valid from here on.
    let constant = |c: u32| &m.constants[c as usize];
    let function = |i: u32| &m.functions[i as usize];
    match instr {
        Instr::LoadConst { constant: c, .. } if matches!(constant(*c), Constant::Keys(_)) => Err(
            format!("constant #{c} is a key list, not a number, string or regex"),
        ),
        Instr::GetField { key: c, .. }
        | Instr::SetField { key: c, .. }
        | Instr::NewCase { name: c, .. }
        | Instr::IsCase { name: c, .. }
        | Instr::CaseInverse { name: c, .. }
            if !matches!(constant(*c), Constant::Str(_)) =>
        {
            Err(format!("constant #{c} is not a string"))
        }
        Instr::TestShape { shape: c, .. } if !matches!(constant(*c), Constant::Shape(_)) => {
            Err(format!("constant #{c} is not a shape"))
        }
        Instr::LoadConst { constant: c, .. } if matches!(constant(*c), Constant::Shape(_)) => {
            Err(format!("constant #{c} is a shape, not a value"))
        }
        Instr::LoadFunction { function: i, .. } if function(*i).captures != 0 => Err(format!(
            "function `{}` has {} captures and needs MakeClosure",
            function(*i).name,
            function(*i).captures
        )),
        Instr::MakeClosure {
            function: i, count, ..
        } if function(*i).captures != *count => Err(format!(
            "gives {count} captures to `{}`, which has {}",
            function(*i).name,
            function(*i).captures
        )),
        Instr::CallDirect {
            function: i, argc, ..
        }
        | Instr::TailCallDirect {
            function: i, argc, ..
        } => {
            let callee = function(*i);
            if callee.arity != *argc {
                Err(format!(
                    "passes {argc} arguments to `{}`, which takes {}",
                    callee.name, callee.arity
                ))
            } else if callee.captures != 0 {
                Err(format!(
                    "calls `{}` directly, but it has captures",
                    callee.name
                ))
            } else {
                Ok(())
            }
        }
        // The VM divides by it without a test.
        Instr::RemInt { value: 0, .. } => Err("divides by the constant 0".to_string()),
        _ => Ok(()),
    }
}

/// The length of the register run of `instr`: its argument count or item count, or for
/// `NewRecord` the number of keys.
fn run_len(m: &Module, instr: &Instr, ops: &[Operand]) -> Result<usize, String> {
    if let Instr::NewRecord { keys, .. } = instr {
        return match m.constants.get(*keys as usize) {
            Some(Constant::Keys(k)) => Ok(k.len()),
            _ => Err(format!("constant #{keys} is not a key list")),
        };
    }
    ops.iter()
        .find_map(|op| match *op {
            Operand::Argc(n) => Some(usize::from(n)),
            Operand::Count(n) => Some(usize::from(n)),
            _ => None,
        })
        // Only reachable if the instruction table gains a run without a length.
        .ok_or_else(|| "run of registers without a length".to_string())
}
