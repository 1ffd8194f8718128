//! The instruction table: each `Instr` variant's opcode byte and its operands, in encoding
//! order, with the role of each operand. Encoder, decoder, verifier and disassembler are all
//! generated from this one table, so they cannot disagree; a variant missing here is a compile
//! error (the generated matches are exhaustive).
//!
//! Opcodes are part of the file format: never renumber one, only append (see `docs/qcode.md`).

use super::error::LoadError;
use super::wire::{Reader, Wire};
use super::{CmpOp, ConstIdx, Instr, KindTest, Reg, Target};

/// One operand of an instruction, tagged with what it refers to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Reg(Reg),
    /// `NewCase`'s optional argument register.
    OptReg(Option<Reg>),
    /// The first register of a run; its length is the instruction's `Argc`/`Count` operand
    /// or, for `NewRecord`, the number of keys.
    Run(Reg),
    Const(ConstIdx),
    Target(Target),
    Function(u32),
    Global(u32),
    Native(u32),
    /// A captured value of the current closure (`LoadCapture`).
    Capture(u16),
    /// The length of a call's argument run.
    Argc(u8),
    /// The length of a run, or `ArrayRest`'s start index.
    Count(u16),
    Int(i32),
    /// A 16-bit integer constant (keeps branch instructions within 12 bytes).
    Small(i16),
    Bool(bool),
    Cmp(CmpOp),
    Kind(KindTest),
}

macro_rules! instruction_table {
    ($($code:literal $name:ident { $($field:ident: $kind:ident),* })*) => {
        /// Number of opcodes (they are `0 .. OPCODE_COUNT`).
        pub const OPCODE_COUNT: usize = [$($code),*].len();

        pub fn opcode(instr: &Instr) -> u8 {
            match instr {
                $(Instr::$name { .. } => $code,)*
            }
        }

        /// The variant's name, as the disassembler prints it.
        pub fn mnemonic(instr: &Instr) -> &'static str {
            match instr {
                $(Instr::$name { .. } => stringify!($name),)*
            }
        }

        /// The operands in encoding order.
        pub fn operands(instr: &Instr) -> Vec<Operand> {
            match instr {
                $(Instr::$name { $($field),* } => vec![$(Operand::$kind(*$field)),*],)*
            }
        }

        pub(crate) fn write(instr: &Instr, out: &mut Vec<u8>) {
            out.push(opcode(instr));
            match instr {
                $(Instr::$name { $($field),* } => { $(Wire::put($field, out);)* })*
            }
        }

        /// The operands of opcode `code` (already read); `None` for an unknown opcode.
        pub(crate) fn read(code: u8, r: &mut Reader<'_>) -> Result<Option<Instr>, LoadError> {
            Ok(Some(match code {
                $($code => Instr::$name { $($field: Wire::get(r)?),* },)*
                _ => return Ok(None),
            }))
        }
    };
}

instruction_table! {
    0 LoadNull { dst: Reg }
    1 LoadUndefined { dst: Reg }
    2 LoadBool { dst: Reg, value: Bool }
    3 LoadInt { dst: Reg, value: Int }
    4 LoadConst { dst: Reg, constant: Const }
    5 Move { dst: Reg, src: Reg }
    6 LoadGlobal { dst: Reg, global: Global }
    7 LoadFunction { dst: Reg, function: Function }
    8 LoadNative { dst: Reg, native: Native }
    9 MakeClosure { dst: Reg, function: Function, captures: Run, count: Count }
    10 LoadCapture { dst: Reg, index: Capture }
    11 AddNum { dst: Reg, a: Reg, b: Reg }
    12 Sub { dst: Reg, a: Reg, b: Reg }
    13 Mul { dst: Reg, a: Reg, b: Reg }
    14 Div { dst: Reg, a: Reg, b: Reg }
    15 Rem { dst: Reg, a: Reg, b: Reg }
    16 Neg { dst: Reg, src: Reg }
    17 AddInt { dst: Reg, a: Reg, value: Int }
    18 Concat { dst: Reg, a: Reg, b: Reg }
    19 ArrayConcat { dst: Reg, a: Reg, b: Reg }
    20 MapMerge { dst: Reg, a: Reg, b: Reg }
    21 AddDyn { dst: Reg, a: Reg, b: Reg }
    22 Compare { op: Cmp, dst: Reg, a: Reg, b: Reg }
    23 Not { dst: Reg, src: Reg }
    24 KleeneAnd { dst: Reg, a: Reg, b: Reg }
    25 KleeneOr { dst: Reg, a: Reg, b: Reg }
    26 IsDefined { dst: Reg, src: Reg }
    27 IsUndefined { dst: Reg, src: Reg }
    28 TestKind { dst: Reg, src: Reg, kind: Kind }
    29 Jump { target: Target }
    30 JumpIfNotTrue { cond: Reg, target: Target }
    31 JumpIfTrue { cond: Reg, target: Target }
    32 JumpIfFalse { cond: Reg, target: Target }
    33 Call { dst: Reg, callee: Reg, args: Run, argc: Argc }
    34 CallDirect { dst: Reg, function: Function, args: Run, argc: Argc }
    35 CallNative { dst: Reg, native: Native, args: Run, argc: Argc }
    36 TailCall { callee: Reg, args: Run, argc: Argc }
    37 TailCallDirect { function: Function, args: Run, argc: Argc }
    38 Return { src: Reg }
    39 Fail { src: Reg }
    40 TryStart { dst: Reg, handler: Target }
    41 TryEnd {}
    42 MatchFail { src: Reg }
    43 CheckStorable { src: Reg }
    44 NewArray { dst: Reg, items: Run, count: Count }
    45 NewRecord { dst: Reg, keys: Const, values: Run }
    46 GetField { dst: Reg, obj: Reg, key: Const }
    47 GetDyn { dst: Reg, obj: Reg, key: Reg }
    48 GetIndex { dst: Reg, arr: Reg, index: Reg }
    49 GetIndexOrUndefined { dst: Reg, arr: Reg, index: Reg }
    50 HasIndex { dst: Reg, arr: Reg, index: Reg }
    51 Length { dst: Reg, src: Reg }
    52 ArrayRest { dst: Reg, src: Reg, from: Count }
    53 SetField { dst: Reg, obj: Reg, key: Const, value: Reg }
    54 SetDyn { dst: Reg, obj: Reg, key: Reg, value: Reg }
    55 SetIndex { dst: Reg, arr: Reg, index: Reg, value: Reg }
    56 NewCase { dst: Reg, name: Const, arg: OptReg }
    57 IsCase { dst: Reg, src: Reg, name: Const }
    58 CaseArg { dst: Reg, src: Reg }
    59 CaseInverse { dst: Reg, src: Reg, name: Const }
    60 ToStream { dst: Reg, src: Reg }
    61 Slice { dst: Reg, src: Reg, from: Reg, to: Reg }
    62 StreamAppend { dst: Reg, a: Reg, b: Reg }
    63 IterStart { dst: Reg, src: Reg }
    64 IterNext { dst: Reg, iter: Reg, done: Target }
    65 LoadSelf { dst: Reg }
    66 BranchCmp { op: Cmp, a: Reg, b: Reg, target: Target, when: Bool }
    67 BranchCmpInt { op: Cmp, a: Reg, value: Small, target: Target, when: Bool }
    68 AddIntBranchCmp { op: Cmp, a: Reg, value: Small, b: Reg, target: Target }
    69 AddIntBranchCmpInt { op: Cmp, a: Reg, value: Small, limit: Small, target: Target }
    70 RemInt { dst: Reg, a: Reg, value: Int }
    71 TestShape { dst: Reg, src: Reg, shape: Const }
    72 Take { dst: Reg, src: Reg }
    73 ArrayPrepend { dst: Reg, a: Reg, b: Reg }
}
