//! Building one QCode function: register allocation (locals and temporaries on a stack
//! discipline), instruction emission with forward jumps patched later, and the line table.

use mix_runtime::qcode::{Function, Instr, KindTest, LineEntry, Reg, Target};

pub struct FnBuilder {
    name: String,
    arity: u8,
    pub code: Vec<Instr>,
    lines: Vec<LineEntry>,
    /// The next free register; everything below is live. Counted past `Reg`'s range so a
    /// function that needs too many is reported (`too_many_registers`), never wrapped around.
    next: u32,
    max: u32,
    position: Option<(u32, u32, u32)>,
}

/// Register `first + i` of a run from `regs`: wrapping, because a run past `Reg`'s range
/// only happens in a function `too_many_registers` rejects.
pub fn nth(first: Reg, i: usize) -> Reg {
    first.wrapping_add(i as Reg)
}

/// A jump whose target is not known yet.
#[derive(Clone, Copy, Debug)]
pub struct Patch(usize);

/// Registers are 16-bit; a function that needs more is rejected rather than miscompiled.
pub const MAX_REGISTERS: u32 = 60_000;

impl FnBuilder {
    pub fn new(name: String, arity: u8) -> FnBuilder {
        FnBuilder {
            name,
            arity,
            code: Vec::new(),
            lines: Vec::new(),
            next: arity as u32,
            max: arity as u32,
            position: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fresh register above every live one.
    pub fn reg(&mut self) -> Reg {
        self.regs(1)
    }

    /// `n` consecutive fresh registers (argument lists, array items), returning the first.
    /// Past `Reg`'s range the numbers are meaningless, but the function is then rejected by
    /// `too_many_registers` before its code is used.
    pub fn regs(&mut self, n: usize) -> Reg {
        let first = self.next;
        self.next = self
            .next
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        self.max = self.max.max(self.next);
        first.min(Reg::MAX as u32) as Reg
    }

    /// Where the register stack stands, to release temporaries with `release`.
    pub fn mark(&self) -> u32 {
        self.next
    }

    pub fn release(&mut self, mark: u32) {
        self.next = mark;
    }

    pub fn too_many_registers(&self) -> bool {
        self.max >= MAX_REGISTERS
    }

    /// The source position (file, line, column) of the instructions emitted from now on.
    pub fn at(&mut self, file: u32, line: u32, column: u32) {
        self.position = Some((file, line, column));
    }

    pub fn emit(&mut self, instr: Instr) -> usize {
        if let Some((file, line, column)) = self.position {
            let pc = self.code.len() as u32;
            let same = self
                .lines
                .last()
                .is_some_and(|l| (l.file, l.line, l.column) == (file, line, column));
            if !same {
                if self.lines.last().is_some_and(|l| l.pc == pc) {
                    self.lines.pop();
                }
                self.lines.push(LineEntry {
                    pc,
                    file,
                    line,
                    column,
                });
            }
        }
        self.code.push(instr);
        self.code.len() - 1
    }

    pub fn here(&self) -> Target {
        self.code.len() as Target
    }

    /// `dst =` the string constant of the first kind `src` has in `names` (kind, constant
    /// index), else constant `otherwise` (`undefined` without one): a chain of kind tests.
    pub fn kind_name(
        &mut self,
        src: Reg,
        dst: Reg,
        names: &[(KindTest, u32)],
        otherwise: Option<u32>,
    ) {
        let t = self.reg();
        let mut ends = Vec::new();
        for &(kind, constant) in names {
            self.emit(Instr::TestKind { dst: t, src, kind });
            let next = self.jump(Instr::JumpIfNotTrue { cond: t, target: 0 });
            self.emit(Instr::LoadConst { dst, constant });
            ends.push(self.jump(Instr::Jump { target: 0 }));
            self.land(next);
        }
        match otherwise {
            Some(constant) => self.emit(Instr::LoadConst { dst, constant }),
            None => self.emit(Instr::LoadUndefined { dst }),
        };
        for end in ends {
            self.land(end);
        }
    }

    /// Emits a jump-like instruction to be pointed at a later `land`.
    pub fn jump(&mut self, instr: Instr) -> Patch {
        Patch(self.emit(instr))
    }

    /// Points a pending jump at the next instruction.
    pub fn land(&mut self, patch: Patch) {
        let target = self.here();
        self.retarget(patch, target);
    }

    pub fn retarget(&mut self, patch: Patch, to: Target) {
        match &mut self.code[patch.0] {
            Instr::Jump { target }
            | Instr::JumpIfNotTrue { target, .. }
            | Instr::JumpIfTrue { target, .. }
            | Instr::JumpIfFalse { target, .. }
            | Instr::BranchCmp { target, .. }
            | Instr::BranchCmpInt { target, .. }
            | Instr::IterNext { done: target, .. }
            | Instr::TryStart {
                handler: target, ..
            } => *target = to,
            other => unreachable!("not a jump: {other:?}"),
        }
    }

    pub fn finish(mut self, captures: u16) -> Function {
        fuse_loop_back_edges(&mut self.code);
        Function {
            name: self.name,
            arity: self.arity,
            captures,
            registers: self.max.clamp(1, Reg::MAX as u32) as Reg,
            code: self.code,
            lines: self.lines,
        }
    }
}

/// Fuses a counted loop's step and test: `AddInt a, a, k` directly followed by
/// `BranchCmp op, a, b, @t, true` (or `BranchCmpInt`) becomes `AddIntBranchCmp op, a, k, b, @t`
/// (`AddIntBranchCmpInt`) in the `AddInt`'s place, with the same source position. The branch
/// stays where it was: it is the rotated loop's entry (jumped to from before the loop), and
/// when the fused test fails it runs once more, fails the same way (nothing changed in
/// between) and falls through. Every instruction keeps its index, so no target moves.
fn fuse_loop_back_edges(code: &mut [Instr]) {
    for pc in 0..code.len().saturating_sub(1) {
        let Instr::AddInt { dst, a, value } = code[pc] else {
            continue;
        };
        let Ok(step) = i16::try_from(value) else {
            continue;
        };
        if dst != a {
            continue;
        }
        code[pc] = match code[pc + 1] {
            Instr::BranchCmp {
                op,
                a: tested,
                b,
                target,
                when: true,
            } if tested == a => Instr::AddIntBranchCmp {
                op,
                a,
                value: step,
                b,
                target,
            },
            Instr::BranchCmpInt {
                op,
                a: tested,
                value: limit,
                target,
                when: true,
            } if tested == a => Instr::AddIntBranchCmpInt {
                op,
                a,
                value: step,
                limit,
                target,
            },
            _ => continue,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mix_runtime::qcode::CmpOp;

    fn step(dst: Reg, a: Reg, value: i32) -> Instr {
        Instr::AddInt { dst, a, value }
    }

    fn test(a: Reg, b: Reg, when: bool) -> Instr {
        Instr::BranchCmp {
            op: CmpOp::Lt,
            a,
            b,
            target: 0,
            when,
        }
    }

    #[test]
    fn a_step_followed_by_its_back_edge_test_is_fused_in_place() {
        let mut code = vec![step(2, 2, 1), test(2, 3, true), Instr::Return { src: 2 }];
        fuse_loop_back_edges(&mut code);
        assert_eq!(
            code,
            vec![
                Instr::AddIntBranchCmp {
                    op: CmpOp::Lt,
                    a: 2,
                    value: 1,
                    b: 3,
                    target: 0
                },
                test(2, 3, true),
                Instr::Return { src: 2 },
            ]
        );
        let mut code = vec![
            step(1, 1, -2),
            Instr::BranchCmpInt {
                op: CmpOp::Gt,
                a: 1,
                value: 0,
                target: 0,
                when: true,
            },
        ];
        fuse_loop_back_edges(&mut code);
        assert_eq!(
            code[0],
            Instr::AddIntBranchCmpInt {
                op: CmpOp::Gt,
                a: 1,
                value: -2,
                limit: 0,
                target: 0
            }
        );
    }

    #[test]
    fn only_an_in_place_step_with_a_small_constant_and_a_jump_on_true_is_fused() {
        for code in [
            vec![step(2, 1, 1), test(2, 3, true)],
            vec![step(2, 2, 1), test(3, 2, true)],
            vec![step(2, 2, 1), test(2, 3, false)],
            vec![step(2, 2, 1 << 20), test(2, 3, true)],
        ] {
            let mut fused = code.clone();
            fuse_loop_back_edges(&mut fused);
            assert_eq!(fused, code);
        }
    }
}
