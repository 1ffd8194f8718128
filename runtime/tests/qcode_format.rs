//! The `.qc` format: round trips (every instruction and constant kind, random modules),
//! rejection of every class of bad input with its message, robustness against truncation and
//! corruption, the verifier's rules, and the disassembler's listing.

use std::collections::BTreeSet;

use mix_runtime::qcode::checksum::crc32;
use mix_runtime::qcode::decode::{decode, decode_unverified};
use mix_runtime::qcode::disasm::disassemble;
use mix_runtime::qcode::encode::encode;
use mix_runtime::qcode::layout::HEADER_LEN;
use mix_runtime::qcode::opcode::{opcode, OPCODE_COUNT};
use mix_runtime::qcode::shape::MAX_SHAPE_DEPTH;
use mix_runtime::qcode::verify::verify;
use mix_runtime::qcode::{
    CaseShape, CmpOp, ConstIdx, Constant, Export, ExportKind, Function, Global, Instr, KindTest,
    LineEntry, Module, Reg, Shape as QShape, Target, ABI_VERSION, FORMAT_VERSION, MAGIC,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Building instructions: `make(v, picker)` builds variant number `v` with operands from the
// picker, which either draws arbitrary values or values valid in a given module shape.

/// Number of `Instr` variants; `variant_index` below fails to compile when one is added
/// without being covered here.
const VARIANTS: usize = 74;

/// The test's own numbering of the variants: an exhaustive match, so a new variant is a
/// compile error until the tests build it.
fn variant_index(i: &Instr) -> usize {
    use Instr::*;
    match i {
        LoadNull { .. } => 0,
        LoadUndefined { .. } => 1,
        LoadBool { .. } => 2,
        LoadInt { .. } => 3,
        LoadConst { .. } => 4,
        Move { .. } => 5,
        LoadGlobal { .. } => 6,
        LoadFunction { .. } => 7,
        LoadNative { .. } => 8,
        MakeClosure { .. } => 9,
        LoadCapture { .. } => 10,
        AddNum { .. } => 11,
        Sub { .. } => 12,
        Mul { .. } => 13,
        Div { .. } => 14,
        Rem { .. } => 15,
        Neg { .. } => 16,
        AddInt { .. } => 17,
        Concat { .. } => 18,
        ArrayConcat { .. } => 19,
        MapMerge { .. } => 20,
        AddDyn { .. } => 21,
        Compare { .. } => 22,
        Not { .. } => 23,
        KleeneAnd { .. } => 24,
        KleeneOr { .. } => 25,
        IsDefined { .. } => 26,
        IsUndefined { .. } => 27,
        TestKind { .. } => 28,
        Jump { .. } => 29,
        JumpIfNotTrue { .. } => 30,
        JumpIfTrue { .. } => 31,
        JumpIfFalse { .. } => 32,
        Call { .. } => 33,
        CallDirect { .. } => 34,
        CallNative { .. } => 35,
        TailCall { .. } => 36,
        TailCallDirect { .. } => 37,
        Return { .. } => 38,
        Fail { .. } => 39,
        TryStart { .. } => 40,
        TryEnd => 41,
        MatchFail { .. } => 42,
        CheckStorable { .. } => 43,
        NewArray { .. } => 44,
        NewRecord { .. } => 45,
        GetField { .. } => 46,
        GetDyn { .. } => 47,
        GetIndex { .. } => 48,
        GetIndexOrUndefined { .. } => 49,
        HasIndex { .. } => 50,
        Length { .. } => 51,
        ArrayRest { .. } => 52,
        SetField { .. } => 53,
        SetDyn { .. } => 54,
        SetIndex { .. } => 55,
        NewCase { .. } => 56,
        IsCase { .. } => 57,
        CaseArg { .. } => 58,
        CaseInverse { .. } => 59,
        ToStream { .. } => 60,
        Slice { .. } => 61,
        StreamAppend { .. } => 62,
        IterStart { .. } => 63,
        IterNext { .. } => 64,
        LoadSelf { .. } => 65,
        BranchCmp { .. } => 66,
        BranchCmpInt { .. } => 67,
        AddIntBranchCmp { .. } => 68,
        AddIntBranchCmpInt { .. } => 69,
        RemInt { .. } => 70,
        TestShape { .. } => 71,
        Take { .. } => 72,
        ArrayPrepend { .. } => 73,
    }
}

const LOAD_CAPTURE: usize = 10;

const KINDS: [KindTest; 12] = {
    use KindTest::*;
    [
        Null, Bool, Number, String, Array, Object, Ref, Case, Function, Stream, Binary, Data,
    ]
};

fn make(v: usize, p: &mut Picker) -> Instr {
    use Instr::*;
    match v {
        0 => LoadNull { dst: p.reg() },
        1 => LoadUndefined { dst: p.reg() },
        2 => LoadBool {
            dst: p.reg(),
            value: p.bool(),
        },
        3 => LoadInt {
            dst: p.reg(),
            value: p.int(),
        },
        4 => LoadConst {
            dst: p.reg(),
            constant: p.value_const(),
        },
        5 => Move {
            dst: p.reg(),
            src: p.reg(),
        },
        6 => LoadGlobal {
            dst: p.reg(),
            global: p.global(),
        },
        7 => LoadFunction {
            dst: p.reg(),
            function: p.direct_callee().0,
        },
        8 => LoadNative {
            dst: p.reg(),
            native: p.native(),
        },
        9 => {
            let (function, count) = p.closure_fn();
            MakeClosure {
                dst: p.reg(),
                function,
                captures: p.run(count),
                count,
            }
        }
        10 => LoadCapture {
            dst: p.reg(),
            index: p.capture(),
        },
        11 => AddNum {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        12 => Sub {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        13 => Mul {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        14 => Div {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        15 => Rem {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        16 => Neg {
            dst: p.reg(),
            src: p.reg(),
        },
        17 => AddInt {
            dst: p.reg(),
            a: p.reg(),
            value: p.int(),
        },
        18 => Concat {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        19 => ArrayConcat {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        20 => MapMerge {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        21 => AddDyn {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        22 => Compare {
            op: p.cmp(),
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        23 => Not {
            dst: p.reg(),
            src: p.reg(),
        },
        24 => KleeneAnd {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        25 => KleeneOr {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        26 => IsDefined {
            dst: p.reg(),
            src: p.reg(),
        },
        27 => IsUndefined {
            dst: p.reg(),
            src: p.reg(),
        },
        28 => TestKind {
            dst: p.reg(),
            src: p.reg(),
            kind: p.kind(),
        },
        29 => Jump { target: p.target() },
        30 => JumpIfNotTrue {
            cond: p.reg(),
            target: p.target(),
        },
        31 => JumpIfTrue {
            cond: p.reg(),
            target: p.target(),
        },
        32 => JumpIfFalse {
            cond: p.reg(),
            target: p.target(),
        },
        33 => {
            let argc = p.argc();
            Call {
                dst: p.reg(),
                callee: p.reg(),
                args: p.run(argc.into()),
                argc,
            }
        }
        34 => {
            let (function, argc) = p.direct_callee();
            CallDirect {
                dst: p.reg(),
                function,
                args: p.run(argc.into()),
                argc,
            }
        }
        35 => {
            let argc = p.argc();
            CallNative {
                dst: p.reg(),
                native: p.native(),
                args: p.run(argc.into()),
                argc,
            }
        }
        36 => {
            let argc = p.argc();
            TailCall {
                callee: p.reg(),
                args: p.run(argc.into()),
                argc,
            }
        }
        37 => {
            let (function, argc) = p.direct_callee();
            TailCallDirect {
                function,
                args: p.run(argc.into()),
                argc,
            }
        }
        38 => Return { src: p.reg() },
        39 => Fail { src: p.reg() },
        40 => TryStart {
            dst: p.reg(),
            handler: p.target(),
        },
        41 => TryEnd,
        42 => MatchFail { src: p.reg() },
        43 => CheckStorable { src: p.reg() },
        44 => {
            let count = p.count();
            NewArray {
                dst: p.reg(),
                items: p.run(count),
                count,
            }
        }
        45 => {
            let (keys, len) = p.keys_const();
            NewRecord {
                dst: p.reg(),
                keys,
                values: p.run(len),
            }
        }
        46 => GetField {
            dst: p.reg(),
            obj: p.reg(),
            key: p.str_const(),
        },
        47 => GetDyn {
            dst: p.reg(),
            obj: p.reg(),
            key: p.reg(),
        },
        48 => GetIndex {
            dst: p.reg(),
            arr: p.reg(),
            index: p.reg(),
        },
        49 => GetIndexOrUndefined {
            dst: p.reg(),
            arr: p.reg(),
            index: p.reg(),
        },
        50 => HasIndex {
            dst: p.reg(),
            arr: p.reg(),
            index: p.reg(),
        },
        51 => Length {
            dst: p.reg(),
            src: p.reg(),
        },
        52 => ArrayRest {
            dst: p.reg(),
            src: p.reg(),
            from: p.any_u16(),
        },
        53 => SetField {
            dst: p.reg(),
            obj: p.reg(),
            key: p.str_const(),
            value: p.reg(),
        },
        54 => SetDyn {
            dst: p.reg(),
            obj: p.reg(),
            key: p.reg(),
            value: p.reg(),
        },
        55 => SetIndex {
            dst: p.reg(),
            arr: p.reg(),
            index: p.reg(),
            value: p.reg(),
        },
        56 => NewCase {
            dst: p.reg(),
            name: p.str_const(),
            arg: if p.bool() { Some(p.reg()) } else { None },
        },
        57 => IsCase {
            dst: p.reg(),
            src: p.reg(),
            name: p.str_const(),
        },
        58 => CaseArg {
            dst: p.reg(),
            src: p.reg(),
        },
        59 => CaseInverse {
            dst: p.reg(),
            src: p.reg(),
            name: p.str_const(),
        },
        60 => ToStream {
            dst: p.reg(),
            src: p.reg(),
        },
        61 => Slice {
            dst: p.reg(),
            src: p.reg(),
            from: p.reg(),
            to: p.reg(),
        },
        62 => StreamAppend {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        63 => IterStart {
            dst: p.reg(),
            src: p.reg(),
        },
        64 => IterNext {
            dst: p.reg(),
            iter: p.reg(),
            done: p.target(),
        },
        65 => LoadSelf { dst: p.reg() },
        66 => BranchCmp {
            op: p.cmp(),
            a: p.reg(),
            b: p.reg(),
            target: p.target(),
            when: p.bool(),
        },
        67 => BranchCmpInt {
            op: p.cmp(),
            a: p.reg(),
            value: p.int() as i16,
            target: p.target(),
            when: p.bool(),
        },
        68 => AddIntBranchCmp {
            op: p.cmp(),
            a: p.reg(),
            value: p.int() as i16,
            b: p.reg(),
            target: p.target(),
        },
        69 => AddIntBranchCmpInt {
            op: p.cmp(),
            a: p.reg(),
            value: p.int() as i16,
            limit: p.int() as i16,
            target: p.target(),
        },
        70 => RemInt {
            dst: p.reg(),
            a: p.reg(),
            // the verifier refuses a zero divisor (`verifier_refuses_rem_by_zero`)
            value: p.int().max(1),
        },
        71 => TestShape {
            dst: p.reg(),
            src: p.reg(),
            shape: p.shape_const(),
        },
        72 => Take {
            dst: p.reg(),
            src: p.reg(),
        },
        73 => ArrayPrepend {
            dst: p.reg(),
            a: p.reg(),
            b: p.reg(),
        },
        _ => panic!("no variant {v}"),
    }
}

/// What a valid instruction may refer to inside one function of a module.
#[derive(Clone, Debug)]
struct Shape {
    registers: u16,
    code_len: u32,
    captures: u16,
    /// Int, Float, Str or Regex constants.
    values: Vec<ConstIdx>,
    strings: Vec<ConstIdx>,
    /// Key-list constants and their lengths.
    keys: Vec<(ConstIdx, u16)>,
    /// Shape constants (`TestShape`'s operand, never a value).
    shapes: Vec<ConstIdx>,
    /// Functions without captures, with their arities.
    plain: Vec<(u32, u8)>,
    /// Every function with its number of captures.
    closures: Vec<(u32, u16)>,
    globals: u32,
    natives: u32,
}

/// Operand source: arbitrary values (`shape: None`) or values valid in `shape`.
struct Picker {
    state: u64,
    shape: Option<Shape>,
}

impl Picker {
    fn new(seed: u64, shape: Option<Shape>) -> Picker {
        Picker { state: seed, shape }
    }

    /// splitmix64: deterministic, so a failing proptest seed replays.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = self.below(items.len() as u64) as usize;
        items[i]
    }

    /// Arbitrary values favour small numbers half of the time, as real code does.
    fn any_u16(&mut self) -> u16 {
        let v = self.next();
        if v & 1 == 0 {
            (v >> 1) as u16 % 16
        } else {
            (v >> 1) as u16
        }
    }

    fn any_u32(&mut self) -> u32 {
        let v = self.next();
        if v & 1 == 0 {
            (v >> 1) as u32 % 16
        } else {
            (v >> 1) as u32
        }
    }

    fn reg(&mut self) -> Reg {
        match &self.shape {
            Some(s) => {
                let n = s.registers;
                self.below(n.into()) as Reg
            }
            None => self.any_u16(),
        }
    }

    /// The first register of a run of `len`.
    fn run(&mut self, len: u16) -> Reg {
        match &self.shape {
            Some(s) => {
                let room = s.registers - len + 1;
                self.below(room.into()) as Reg
            }
            None => self.any_u16(),
        }
    }

    fn argc(&mut self) -> u8 {
        match self.shape {
            Some(_) => self.below(5) as u8,
            None => self.next() as u8,
        }
    }

    fn count(&mut self) -> u16 {
        match self.shape {
            Some(_) => self.below(5) as u16,
            None => self.any_u16(),
        }
    }

    fn target(&mut self) -> Target {
        match &self.shape {
            Some(s) => {
                let n = s.code_len;
                self.below(n.into()) as Target
            }
            None => self.any_u32(),
        }
    }

    fn pick_from_shape<T: Copy>(&mut self, get: impl Fn(&Shape) -> Vec<T>) -> Option<T> {
        let items = get(self.shape.as_ref()?);
        Some(self.pick(&items))
    }

    fn value_const(&mut self) -> ConstIdx {
        self.pick_from_shape(|s| s.values.clone())
            .unwrap_or_else(|| self.any_u32())
    }

    fn str_const(&mut self) -> ConstIdx {
        self.pick_from_shape(|s| s.strings.clone())
            .unwrap_or_else(|| self.any_u32())
    }

    fn shape_const(&mut self) -> ConstIdx {
        self.pick_from_shape(|s| s.shapes.clone())
            .unwrap_or_else(|| self.any_u32())
    }

    fn keys_const(&mut self) -> (ConstIdx, u16) {
        self.pick_from_shape(|s| s.keys.clone())
            .unwrap_or_else(|| (self.any_u32(), self.any_u16()))
    }

    fn direct_callee(&mut self) -> (u32, u8) {
        self.pick_from_shape(|s| s.plain.clone())
            .unwrap_or_else(|| (self.any_u32(), self.next() as u8))
    }

    fn closure_fn(&mut self) -> (u32, u16) {
        self.pick_from_shape(|s| s.closures.clone())
            .unwrap_or_else(|| (self.any_u32(), self.any_u16()))
    }

    fn global(&mut self) -> u32 {
        match &self.shape {
            Some(s) => {
                let n = s.globals;
                self.below(n.into()) as u32
            }
            None => self.any_u32(),
        }
    }

    fn native(&mut self) -> u32 {
        match &self.shape {
            Some(s) => {
                let n = s.natives;
                self.below(n.into()) as u32
            }
            None => self.any_u32(),
        }
    }

    fn capture(&mut self) -> u16 {
        match &self.shape {
            Some(s) => {
                let n = s.captures;
                self.below(n.into()) as u16
            }
            None => self.any_u16(),
        }
    }

    fn int(&mut self) -> i32 {
        self.next() as i32 >> self.below(32)
    }

    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn cmp(&mut self) -> CmpOp {
        use CmpOp::*;
        self.pick(&[
            Eq, Ne, Lt, Le, Gt, Ge, StrictEq, StrictNe, EqCi, NeCi, LtCi, LeCi, GtCi, GeCi,
        ])
    }

    fn kind(&mut self) -> KindTest {
        self.pick(&KINDS)
    }
}

// ---------------------------------------------------------------------------------------------
// Modules

/// The skeleton of a valid module: constants of every kind, a file, natives, four functions
/// (plain, capturing, a global initialiser, a two-argument one), a global and exports. Code is
/// filled in by the caller; every function ends with a `Return`.
fn skeleton(extra_constants: Vec<Constant>) -> Module {
    let mut constants = vec![
        Constant::Int(-7),
        Constant::Float(2.5),
        Constant::Str("name".into()),
        Constant::Keys(vec!["a".into(), "b".into()]),
        Constant::Regex("^a+$".into()),
        Constant::Keys(vec![]),
        Constant::Shape(QShape::Array(Box::new(QShape::Record(vec![
            ("a".into(), QShape::Kind(KindTest::Number)),
            (
                "b".into(),
                QShape::Tuple(vec![
                    QShape::Any,
                    // `lst(number)`: `nil | cons({head: number, tail: …})`
                    QShape::Cases(vec![
                        CaseShape::named("nil"),
                        CaseShape {
                            name: "cons".into(),
                            arg: QShape::Record(vec![
                                ("head".into(), QShape::Kind(KindTest::Number)),
                                ("tail".into(), QShape::Again(0)),
                            ]),
                        },
                    ]),
                ]),
            ),
        ])))),
    ];
    constants.extend(extra_constants);
    let function = |name: &str, arity, captures, registers| Function {
        name: name.into(),
        arity,
        captures,
        registers,
        code: vec![Instr::Return { src: 0 }],
        lines: vec![],
    };
    Module {
        constants,
        files: vec!["main.mix".into(), "lib/util.mix".into()],
        natives: vec!["string.length".into(), "array.map".into()],
        functions: vec![
            function("main.main", 1, 0, 12),
            function("main.main/lambda@3:9", 1, 3, 12),
            function("main.x/init", 0, 0, 12),
            function("main.pair", 2, 0, 12),
        ],
        globals: vec![Global {
            name: "main.x".into(),
            init: 2,
        }],
        exports: vec![
            Export {
                name: "main".into(),
                kind: ExportKind::Function,
                index: 0,
            },
            Export {
                name: "x".into(),
                kind: ExportKind::Global,
                index: 0,
            },
        ],
    }
}

fn shape_of(m: &Module, f: &Function, code_len: u32) -> Shape {
    let mut s = Shape {
        registers: f.registers,
        code_len,
        captures: f.captures,
        values: vec![],
        strings: vec![],
        keys: vec![],
        shapes: vec![],
        plain: vec![],
        closures: vec![],
        globals: m.globals.len() as u32,
        natives: m.natives.len() as u32,
    };
    for (i, c) in m.constants.iter().enumerate() {
        let i = i as u32;
        match c {
            Constant::Keys(k) => s.keys.push((i, k.len() as u16)),
            Constant::Shape(_) => s.shapes.push(i),
            Constant::Str(_) => {
                s.strings.push(i);
                s.values.push(i);
            }
            _ => s.values.push(i),
        }
    }
    for (i, g) in m.functions.iter().enumerate() {
        if g.captures == 0 {
            s.plain.push((i as u32, g.arity));
        }
        s.closures.push((i as u32, g.captures));
    }
    s
}

/// Fills function `fi` with `variants` (valid operands from `seed`), a final `Return`, and a
/// line entry every third instruction.
fn fill(m: &mut Module, fi: usize, variants: &[usize], seed: u64) {
    let code_len = variants.len() as u32 + 1;
    let shape = shape_of(m, &m.functions[fi], code_len);
    let captures = shape.captures;
    let mut p = Picker::new(seed, Some(shape));
    let mut code: Vec<Instr> = variants
        .iter()
        .map(|&v| {
            if v == LOAD_CAPTURE && captures == 0 {
                0
            } else {
                v
            }
        })
        .map(|v| make(v, &mut p))
        .collect();
    code.push(Instr::Return { src: p.reg() });
    let files = m.files.len() as u64;
    let lines = (0..code_len)
        .step_by(3)
        .map(|pc| LineEntry {
            pc,
            file: p.below(files) as u32,
            line: pc + 1,
            column: p.below(80) as u32 + 1,
        })
        .collect();
    let f = &mut m.functions[fi];
    f.code = code;
    f.lines = lines;
}

/// A valid module whose functions together hold every variant at least once.
fn every_variant_module() -> Module {
    let mut m = skeleton(vec![]);
    let all: Vec<usize> = (0..VARIANTS).collect();
    fill(&mut m, 0, &all, 1);
    fill(&mut m, 1, &all, 2);
    fill(&mut m, 3, &[9, 10, 34, 45, 56], 3);
    m
}

fn has_nan(m: &Module) -> bool {
    m.constants
        .iter()
        .any(|c| matches!(c, Constant::Float(f) if f.is_nan()))
}

/// Recomputes the header's body length and checksum after a test edits the body.
fn reseal(bytes: &mut [u8]) {
    let body_len = (bytes.len() - HEADER_LEN) as u32;
    bytes[8..12].copy_from_slice(&body_len.to_le_bytes());
    let crc = crc32(&bytes[HEADER_LEN..]);
    bytes[12..16].copy_from_slice(&crc.to_le_bytes());
}

fn decode_err(bytes: &[u8]) -> String {
    match decode(bytes) {
        Ok(_) => panic!("decoded {} corrupt bytes", bytes.len()),
        Err(e) => e.to_string(),
    }
}

/// The one byte where two encodings of the same length differ.
fn differing_byte(a: &[u8], b: &[u8]) -> usize {
    assert_eq!(a.len(), b.len());
    let diffs: Vec<usize> = (HEADER_LEN..a.len()).filter(|&i| a[i] != b[i]).collect();
    assert_eq!(diffs.len(), 1, "expected one differing byte, got {diffs:?}");
    diffs[0]
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn every_variant_is_built_and_has_a_distinct_opcode() {
    assert_eq!(OPCODE_COUNT, VARIANTS);
    let mut p = Picker::new(0, None);
    let mut opcodes = BTreeSet::new();
    for v in 0..VARIANTS {
        let i = make(v, &mut p);
        assert_eq!(variant_index(&i), v, "make({v}) built {i:?}");
        assert!(
            opcodes.insert(opcode(&i)),
            "opcode {} used twice",
            opcode(&i)
        );
    }
    assert_eq!(
        opcodes.into_iter().collect::<Vec<_>>(),
        (0..VARIANTS as u8).collect::<Vec<_>>()
    );
}

#[test]
fn every_variant_and_constant_kind_round_trips() {
    let m = every_variant_module();
    let seen: BTreeSet<usize> = m
        .functions
        .iter()
        .flat_map(|f| &f.code)
        .map(variant_index)
        .collect();
    assert_eq!(seen.len(), VARIANTS, "the module misses some variants");
    verify(&m).unwrap();
    let bytes = encode(&m);
    assert_eq!(&bytes[..4], &MAGIC);
    assert_eq!(decode(&bytes).unwrap(), m);
    assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
}

#[test]
fn extreme_operand_values_round_trip_unverified() {
    let mut m = skeleton(vec![
        Constant::Int(i64::MIN),
        Constant::Int(i64::MAX),
        Constant::Float(f64::NEG_INFINITY),
        Constant::Float(-0.0),
        Constant::Str("ünïcødé \u{10FFFF} \0".into()),
    ]);
    m.functions[0].code = vec![
        Instr::LoadInt {
            dst: u16::MAX,
            value: i32::MIN,
        },
        Instr::AddInt {
            dst: 0,
            a: 0,
            value: i32::MAX,
        },
        Instr::LoadConst {
            dst: 0,
            constant: u32::MAX,
        },
        Instr::CallNative {
            dst: 0,
            native: u32::MAX,
            args: u16::MAX,
            argc: u8::MAX,
        },
        Instr::NewCase {
            dst: 1,
            name: 2,
            arg: Some(u16::MAX),
        },
        Instr::NewCase {
            dst: 1,
            name: 2,
            arg: None,
        },
    ];
    m.functions[0].lines = vec![LineEntry {
        pc: u32::MAX,
        file: u32::MAX,
        line: u32::MAX,
        column: 0,
    }];
    m.functions[1].registers = u16::MAX;
    m.functions[1].captures = u16::MAX;
    m.functions[1].arity = u8::MAX;
    let bytes = encode(&m);
    assert_eq!(decode_unverified(&bytes).unwrap(), m);
    // -0.0 == 0.0, so check the bits survived too.
    let back = decode_unverified(&bytes).unwrap();
    assert!(matches!(back.constants[9], Constant::Float(f) if f.is_sign_negative()));
}

#[test]
fn nan_payloads_survive() {
    let nan = f64::from_bits(0x7FF8_0000_0000_1234);
    let m = skeleton(vec![Constant::Float(nan)]);
    let back = decode(&encode(&m)).unwrap();
    match back.constants.last() {
        Some(Constant::Float(f)) => assert_eq!(f.to_bits(), nan.to_bits()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_module_round_trips() {
    let m = Module::default();
    let bytes = encode(&m);
    assert_eq!(
        bytes.len(),
        HEADER_LEN + 18,
        "six empty sections of three bytes"
    );
    assert_eq!(decode(&bytes).unwrap(), m);
}

fn constant_strategy() -> impl Strategy<Value = Constant> {
    prop_oneof![
        any::<i64>().prop_map(Constant::Int),
        any::<f64>().prop_map(Constant::Float),
        ".{0,12}".prop_map(Constant::Str),
        proptest::collection::btree_set(".{0,6}", 0..5)
            .prop_map(|k| Constant::Keys(k.into_iter().collect())),
        ".{0,12}".prop_map(Constant::Regex),
        shape_strategy().prop_map(Constant::Shape),
    ]
}

fn shape_strategy() -> impl Strategy<Value = QShape> {
    let leaf = prop_oneof![
        Just(QShape::Any),
        (0u8..12).prop_map(|k| QShape::Kind(KINDS[k as usize])),
        proptest::collection::vec(".{0,6}", 0..3)
            .prop_map(|names| QShape::Cases(names.into_iter().map(CaseShape::named).collect())),
    ];
    leaf.prop_recursive(4, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|s| QShape::Array(Box::new(s))),
            inner.clone().prop_map(|s| QShape::Map(Box::new(s))),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(QShape::Tuple),
            proptest::collection::btree_map(".{0,6}", inner.clone(), 0..3)
                .prop_map(|m| QShape::Record(m.into_iter().collect())),
            // a case whose argument holds the case shape again, as a recursive union's does
            (".{0,6}", inner).prop_map(|(name, s)| QShape::Cases(vec![CaseShape {
                name,
                arg: QShape::Tuple(vec![s, QShape::Again(0)]),
            }])),
        ]
    })
}

fn code_strategy() -> impl Strategy<Value = (Vec<usize>, u64)> {
    (proptest::collection::vec(0..VARIANTS, 0..40), any::<u64>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Random valid modules verify, decode to themselves and re-encode to the same bytes.
    #[test]
    fn valid_modules_round_trip(
        constants in proptest::collection::vec(constant_strategy(), 0..8),
        files in proptest::collection::vec(".{0,10}", 1..3),
        codes in proptest::collection::vec(code_strategy(), 4),
    ) {
        let mut m = skeleton(constants);
        m.files = files;
        for (fi, (variants, seed)) in codes.iter().enumerate() {
            fill(&mut m, fi, variants, *seed);
        }
        prop_assert_eq!(verify(&m), Ok(()));
        let bytes = encode(&m);
        let back = decode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if !has_nan(&m) {
            prop_assert_eq!(&back, &m);
        }
        prop_assert_eq!(encode(&back), bytes);
    }

    /// Arbitrary operand values (mostly invalid) survive the structural round trip.
    #[test]
    fn arbitrary_instructions_round_trip_unverified(
        variants in proptest::collection::vec(0..VARIANTS, 0..60),
        seed in any::<u64>(),
        name in ".{0,20}",
        arity in any::<u8>(),
        registers in any::<u16>(),
    ) {
        let mut p = Picker::new(seed, None);
        let code: Vec<Instr> = variants.iter().map(|&v| make(v, &mut p)).collect();
        let m = Module {
            functions: vec![Function { name, arity, captures: p.any_u16(), registers, code, lines: vec![] }],
            globals: vec![Global { name: "g".into(), init: p.any_u32() }],
            ..Module::default()
        };
        let bytes = encode(&m);
        prop_assert_eq!(decode_unverified(&bytes), Ok(m));
    }

    /// Random bytes, with or without a valid header, never panic the loader.
    #[test]
    fn random_bytes_are_rejected_cleanly(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        prop_assert!(decode(&body).is_err());
        let mut bytes = encode(&Module::default())[..HEADER_LEN].to_vec();
        bytes.extend_from_slice(&body);
        reseal(&mut bytes);
        if let Ok(m) = decode(&bytes) {
            prop_assert_eq!(encode(&m), bytes);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rejection of bad files

#[test]
fn rejects_files_that_are_not_qcode() {
    assert_eq!(decode_err(b""), "offset 0: not a QCode file (empty)");
    assert_eq!(
        decode_err(b"\x7fELF\x02\x01\x01\0"),
        "offset 0: not a QCode file (bad magic number)"
    );
    assert!(decode_err(b"fn main() {}").contains("not a QCode file"));
}

#[test]
fn rejects_other_format_versions() {
    let mut bytes = encode(&Module::default());
    bytes[4..6].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    assert_eq!(
        decode_err(&bytes),
        format!(
            "offset 4: unsupported QCode format version {} (this loader reads version {FORMAT_VERSION}); recompile the module",
            FORMAT_VERSION + 1
        )
    );
}

#[test]
fn rejects_other_abi_versions() {
    let mut bytes = encode(&Module::default());
    bytes[6..8].copy_from_slice(&9u16.to_le_bytes());
    assert_eq!(
        decode_err(&bytes),
        format!(
            "offset 6: module built for native ABI version 9, but this runtime provides ABI version {ABI_VERSION}; recompile the module"
        )
    );
}

#[test]
fn rejects_truncation_at_every_length() {
    let bytes = encode(&every_variant_module());
    for len in 1..bytes.len() {
        let message = decode_err(&bytes[..len]);
        assert!(
            message.contains("truncated file"),
            "cut at {len}: {message}"
        );
    }
    assert!(decode_err(&bytes[..10]).ends_with("shorter than the 16-byte header"));
    assert!(decode_err(&bytes[..HEADER_LEN + 1]).contains("only 1 present"));
}

#[test]
fn rejects_trailing_bytes() {
    let mut bytes = encode(&Module::default());
    let end = bytes.len();
    bytes.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {end}: 3 trailing bytes after the module")
    );
    // Bytes after the last section but inside the checksummed body.
    bytes.truncate(end + 1);
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {end}: 1 bytes after the last section")
    );
}

#[test]
fn rejects_checksum_mismatch() {
    let mut bytes = encode(&every_variant_module());
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    let message = decode_err(&bytes);
    assert!(
        message.starts_with("offset 12: checksum mismatch"),
        "{message}"
    );
    assert!(message.contains("the file is corrupt"));
}

#[test]
fn rejects_unknown_opcodes() {
    let with = |i: Instr| {
        let mut m = skeleton(vec![]);
        m.functions[0].code = vec![i];
        encode(&m)
    };
    let mut bytes = with(Instr::Return { src: 0 });
    let at = differing_byte(&bytes, &with(Instr::Fail { src: 0 }));
    bytes[at] = 0xFF;
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {at}: unknown opcode 0xff in function `main.main`")
    );
    // Every byte past the table is unknown.
    for op in OPCODE_COUNT as u8..=0xFF {
        bytes[at] = op;
        reseal(&mut bytes);
        assert!(decode_err(&bytes).contains("unknown opcode"));
    }
}

#[test]
fn rejects_unknown_tags_and_enum_values() {
    let constant = |c: Constant| {
        encode(&Module {
            constants: vec![c],
            ..Module::default()
        })
    };
    let mut bytes = constant(Constant::Str("x".into()));
    let at = differing_byte(&bytes, &constant(Constant::Regex("x".into())));
    bytes[at] = 9;
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {at}: unknown constant tag 9")
    );

    let export = |kind| {
        let mut m = skeleton(vec![]);
        m.exports = vec![Export {
            name: "e".into(),
            kind,
            index: 0,
        }];
        encode(&m)
    };
    let mut bytes = export(ExportKind::Function);
    let at = differing_byte(&bytes, &export(ExportKind::Global));
    bytes[at] = 2;
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {at}: unknown export kind 2 for `e`")
    );

    let instr = |i: Instr| {
        let mut m = skeleton(vec![]);
        m.functions[0].code = vec![i, Instr::Return { src: 0 }];
        encode(&m)
    };
    // (instruction, the same with the operand changed, offset of the bad byte from the
    // differing one, expected message)
    let cases: [(Instr, Instr, usize, &str); 4] = [
        (
            Instr::Compare {
                op: CmpOp::Eq,
                dst: 0,
                a: 0,
                b: 0,
            },
            Instr::Compare {
                op: CmpOp::Ne,
                dst: 0,
                a: 0,
                b: 0,
            },
            0,
            "unknown comparison operator 200",
        ),
        (
            Instr::TestKind {
                dst: 0,
                src: 0,
                kind: KindTest::Null,
            },
            Instr::TestKind {
                dst: 0,
                src: 0,
                kind: KindTest::Bool,
            },
            0,
            "unknown kind test 200",
        ),
        (
            Instr::LoadBool {
                dst: 0,
                value: false,
            },
            Instr::LoadBool {
                dst: 0,
                value: true,
            },
            0,
            "invalid boolean 200",
        ),
        (
            // The option tag follows the name.
            Instr::NewCase {
                dst: 0,
                name: 2,
                arg: None,
            },
            Instr::NewCase {
                dst: 0,
                name: 1,
                arg: None,
            },
            1,
            "invalid option tag 200",
        ),
    ];
    for (a, b, delta, expected) in cases {
        let mut bytes = instr(a);
        let at = differing_byte(&bytes, &instr(b)) + delta;
        bytes[at] = 200;
        reseal(&mut bytes);
        assert_eq!(decode_err(&bytes), format!("offset {at}: {expected}"));
    }
}

#[test]
fn rejects_invalid_utf8() {
    let name = |s: &str| {
        let mut m = skeleton(vec![]);
        m.functions[0].name = s.into();
        encode(&m)
    };
    let mut bytes = name("main.mainA");
    let at = differing_byte(&bytes, &name("main.mainB"));
    bytes[at] = 0xC3; // a lead byte with nothing after it
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {at}: invalid UTF-8 in string")
    );
}

#[test]
fn rejects_bad_section_structure() {
    let mut bytes = encode(&Module::default());
    // The body starts with section 1 (constants): id, length 1, count 0.
    assert_eq!(&bytes[HEADER_LEN..HEADER_LEN + 3], &[1, 1, 0]);
    bytes[HEADER_LEN] = 2;
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!("offset {HEADER_LEN}: expected section 1 (constants), found section id 2")
    );

    let mut bytes = encode(&Module::default());
    bytes[HEADER_LEN + 2] = 0x7F;
    reseal(&mut bytes);
    assert_eq!(
        decode_err(&bytes),
        format!(
            "offset {}: constant count 127 exceeds the 0 bytes left",
            HEADER_LEN + 2
        )
    );

    let mut bytes = encode(&Module::default());
    bytes[HEADER_LEN + 1] = 0x7F;
    reseal(&mut bytes);
    assert!(decode_err(&bytes).contains("section constants is 127 bytes, but only"));
}

#[test]
fn rejects_huge_counts_without_allocating() {
    // A count of 2^63 items in a tiny file.
    let mut bytes = encode(&Module::default())[..HEADER_LEN].to_vec();
    bytes.extend_from_slice(&[
        1, 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
    ]);
    reseal(&mut bytes);
    assert!(decode_err(&bytes).contains("exceeds the 0 bytes left"));
}

#[test]
fn corrupting_any_bit_is_detected_and_never_panics() {
    let bytes = encode(&every_variant_module());
    let mut copy = bytes.clone();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            copy[i] ^= 1 << bit;
            assert!(
                decode(&copy).is_err(),
                "flipping bit {bit} of byte {i} went unnoticed"
            );
            copy[i] = bytes[i];
        }
    }
}

#[test]
fn corrupt_bodies_with_valid_checksums_never_panic() {
    // Past the checksum, every edit reaches the parser and the verifier. Whatever decodes must
    // be canonical: re-encoding gives the same bytes.
    let bytes = encode(&every_variant_module());
    let mut accepted = 0;
    for i in HEADER_LEN..bytes.len() {
        for value in [0x00, 0x01, 0x7F, 0x80, 0xFF, bytes[i] ^ 0x01] {
            let mut copy = bytes.clone();
            copy[i] = value;
            reseal(&mut copy);
            if let Ok(m) = decode(&copy) {
                assert_eq!(
                    encode(&m),
                    copy,
                    "byte {i} = {value:#x} decoded non-canonically"
                );
                accepted += 1;
            }
        }
        let mut shorter = bytes.clone();
        shorter.remove(i);
        reseal(&mut shorter);
        if let Ok(m) = decode(&shorter) {
            assert_eq!(
                encode(&m),
                shorter,
                "removing byte {i} decoded non-canonically"
            );
        }
    }
    // Register numbers and the like change without breaking anything: some edits must pass.
    assert!(accepted > 0);
}

#[test]
fn load_errors_display_the_offset() {
    let e = decode(&encode(&Module::default())[..3]).unwrap_err();
    assert_eq!(e.offset, 3);
    assert_eq!(e.to_string(), format!("offset 3: {}", e.message));
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("offset 3: truncated file"));
}

// ---------------------------------------------------------------------------------------------
// The verifier

/// `skeleton` with `code` as the code of `main.main` (registers 12, arity 1, no captures).
fn with_main(code: Vec<Instr>) -> Module {
    let mut m = skeleton(vec![]);
    m.functions[0].code = code;
    m
}

/// Asserts that `m` fails verification with exactly `expected`, both in memory and when
/// loaded from a file (where the error points into the file).
fn rejects(m: &Module, expected: &str) {
    let e = verify(m).expect_err(expected);
    assert_eq!(e.message, expected);
    assert_eq!(e.offset, 0);
    let from_file = decode(&encode(m)).expect_err(expected);
    assert_eq!(from_file.message, expected);
    assert!(from_file.offset >= HEADER_LEN, "{from_file}");
    assert!(decode_unverified(&encode(m)).is_ok());
}

fn ret() -> Instr {
    Instr::Return { src: 0 }
}

#[test]
fn verifier_accepts_the_skeleton() {
    assert_eq!(verify(&skeleton(vec![])), Ok(()));
}

#[test]
fn verifier_checks_registers_and_runs() {
    use Instr::*;
    rejects(
        &with_main(vec![Move { dst: 12, src: 0 }, ret()]),
        "function `main.main` pc 0: Move register r12 out of range (the function has 12 registers)",
    );
    rejects(
        &with_main(vec![LoadNull { dst: 0 }, Return { src: 40 }]),
        "function `main.main` pc 1: Return register r40 out of range (the function has 12 registers)",
    );
    rejects(
        &with_main(vec![NewCase { dst: 0, name: 2, arg: Some(12) }, ret()]),
        "function `main.main` pc 0: NewCase register r12 out of range (the function has 12 registers)",
    );
    let run = "registers r10..r13 out of range (the function has 12 registers)";
    rejects(
        &with_main(vec![
            Call {
                dst: 0,
                callee: 0,
                args: 10,
                argc: 3,
            },
            ret(),
        ]),
        &format!("function `main.main` pc 0: Call {run}"),
    );
    rejects(
        &with_main(vec![TailCall {
            callee: 0,
            args: 10,
            argc: 3,
        }]),
        &format!("function `main.main` pc 0: TailCall {run}"),
    );
    rejects(
        &with_main(vec![
            CallNative {
                dst: 0,
                native: 0,
                args: 10,
                argc: 3,
            },
            ret(),
        ]),
        &format!("function `main.main` pc 0: CallNative {run}"),
    );
    rejects(
        &with_main(vec![
            NewArray {
                dst: 0,
                items: 10,
                count: 3,
            },
            ret(),
        ]),
        &format!("function `main.main` pc 0: NewArray {run}"),
    );
    rejects(
        &with_main(vec![
            MakeClosure {
                dst: 0,
                function: 1,
                captures: 10,
                count: 3,
            },
            ret(),
        ]),
        &format!("function `main.main` pc 0: MakeClosure {run}"),
    );
    rejects(
        &with_main(vec![NewRecord { dst: 0, keys: 3, values: 11 }, ret()]),
        "function `main.main` pc 0: NewRecord registers r11..r13 out of range (the function has 12 registers)",
    );
    rejects(
        &with_main(vec![CallDirect { dst: 0, function: 3, args: 11, argc: 2 }, ret()]),
        "function `main.main` pc 0: CallDirect registers r11..r13 out of range (the function has 12 registers)",
    );
    // Runs may end exactly at the last register, and empty runs anywhere up to it.
    let m = with_main(vec![
        Call {
            dst: 0,
            callee: 0,
            args: 9,
            argc: 3,
        },
        NewArray {
            dst: 0,
            items: 12,
            count: 0,
        },
        NewRecord {
            dst: 0,
            keys: 5,
            values: 12,
        },
        ret(),
    ]);
    assert_eq!(verify(&m), Ok(()));
}

#[test]
fn verifier_checks_jump_targets() {
    use Instr::*;
    for (instr, name) in [
        (Jump { target: 2 }, "Jump"),
        (JumpIfTrue { cond: 0, target: 2 }, "JumpIfTrue"),
        (JumpIfNotTrue { cond: 0, target: 2 }, "JumpIfNotTrue"),
        (JumpIfFalse { cond: 0, target: 2 }, "JumpIfFalse"),
        (TryStart { dst: 0, handler: 2 }, "TryStart"),
        (
            IterNext {
                dst: 0,
                iter: 1,
                done: 2,
            },
            "IterNext",
        ),
    ] {
        rejects(
            &with_main(vec![instr, ret()]),
            &format!(
                "function `main.main` pc 0: {name} jump target 2 beyond the code (2 instructions)"
            ),
        );
    }
    assert_eq!(
        verify(&with_main(vec![
            JumpIfTrue { cond: 0, target: 1 },
            Jump { target: 0 }
        ])),
        Ok(())
    );
}

#[test]
fn verifier_checks_constants() {
    use Instr::*;
    rejects(
        &with_main(vec![
            LoadConst {
                dst: 0,
                constant: 7,
            },
            ret(),
        ]),
        "function `main.main` pc 0: LoadConst constant 7 out of range (7 in the module)",
    );
    rejects(
        &with_main(vec![LoadConst { dst: 0, constant: 3 }, ret()]),
        "function `main.main` pc 0: LoadConst constant #3 is a key list, not a number, string or regex",
    );
    for c in [0, 1, 4] {
        assert_eq!(
            verify(&with_main(vec![
                LoadConst {
                    dst: 0,
                    constant: c
                },
                ret()
            ])),
            Ok(())
        );
    }
    for (instr, name) in [
        (
            GetField {
                dst: 0,
                obj: 0,
                key: 0,
            },
            "GetField",
        ),
        (
            SetField {
                dst: 0,
                obj: 0,
                key: 4,
                value: 0,
            },
            "SetField",
        ),
        (
            NewCase {
                dst: 0,
                name: 1,
                arg: None,
            },
            "NewCase",
        ),
        (
            IsCase {
                dst: 0,
                src: 0,
                name: 3,
            },
            "IsCase",
        ),
        (
            CaseInverse {
                dst: 0,
                src: 0,
                name: 0,
            },
            "CaseInverse",
        ),
    ] {
        let message = verify(&with_main(vec![instr.clone(), ret()]))
            .unwrap_err()
            .message;
        assert!(
            message.starts_with(&format!("function `main.main` pc 0: {name} constant #")),
            "{message}"
        );
        assert!(message.ends_with("is not a string"), "{message}");
    }
    rejects(
        &with_main(vec![
            NewRecord {
                dst: 0,
                keys: 2,
                values: 0,
            },
            ret(),
        ]),
        "function `main.main` pc 0: NewRecord constant #2 is not a key list",
    );
    let mut m = skeleton(vec![Constant::Keys(vec!["b".into(), "a".into()])]);
    rejects(
        &m,
        "constant #7: record keys not strictly sorted (\"b\" before \"a\")",
    );
    m.constants[7] = Constant::Keys(vec!["a".into(), "a".into()]);
    rejects(
        &m,
        "constant #7: record keys not strictly sorted (\"a\" before \"a\")",
    );
}

#[test]
fn verifier_checks_module_indices() {
    use Instr::*;
    rejects(
        &with_main(vec![
            LoadFunction {
                dst: 0,
                function: 4,
            },
            ret(),
        ]),
        "function `main.main` pc 0: LoadFunction function 4 out of range (4 in the module)",
    );
    rejects(
        &with_main(vec![LoadGlobal { dst: 0, global: 1 }, ret()]),
        "function `main.main` pc 0: LoadGlobal global 1 out of range (1 in the module)",
    );
    rejects(
        &with_main(vec![LoadNative { dst: 0, native: 2 }, ret()]),
        "function `main.main` pc 0: LoadNative native 2 out of range (2 in the module)",
    );
    rejects(
        &with_main(vec![
            CallNative {
                dst: 0,
                native: 7,
                args: 0,
                argc: 1,
            },
            ret(),
        ]),
        "function `main.main` pc 0: CallNative native 7 out of range (2 in the module)",
    );
}

#[test]
fn verifier_checks_calls_and_closures() {
    use Instr::*;
    rejects(
        &with_main(vec![
            CallDirect {
                dst: 0,
                function: 3,
                args: 0,
                argc: 1,
            },
            ret(),
        ]),
        "function `main.main` pc 0: CallDirect passes 1 arguments to `main.pair`, which takes 2",
    );
    rejects(
        &with_main(vec![TailCallDirect { function: 0, args: 0, argc: 2 }]),
        "function `main.main` pc 0: TailCallDirect passes 2 arguments to `main.main`, which takes 1",
    );
    rejects(
        &with_main(vec![CallDirect { dst: 0, function: 1, args: 0, argc: 1 }, ret()]),
        "function `main.main` pc 0: CallDirect calls `main.main/lambda@3:9` directly, but it has captures",
    );
    rejects(
        &with_main(vec![LoadFunction { dst: 0, function: 1 }, ret()]),
        "function `main.main` pc 0: LoadFunction function `main.main/lambda@3:9` has 3 captures and needs MakeClosure",
    );
    rejects(
        &with_main(vec![MakeClosure { dst: 0, function: 1, captures: 0, count: 2 }, ret()]),
        "function `main.main` pc 0: MakeClosure gives 2 captures to `main.main/lambda@3:9`, which has 3",
    );
    rejects(
        &with_main(vec![LoadCapture { dst: 0, index: 0 }, ret()]),
        "function `main.main` pc 0: LoadCapture capture 0 out of range (the function has 0 captures)",
    );
    let mut m = skeleton(vec![]);
    m.functions[1].code = vec![LoadCapture { dst: 0, index: 2 }, LoadSelf { dst: 1 }, ret()];
    assert_eq!(verify(&m), Ok(()));
    m.functions[1].code[0] = LoadCapture { dst: 0, index: 3 };
    rejects(
        &m,
        "function `main.main/lambda@3:9` pc 0: LoadCapture capture 3 out of range (the function has 3 captures)",
    );
}

#[test]
fn shapes_are_only_tested_and_bounded_in_depth() {
    use Instr::*;
    // `skeleton`'s constant 2 is a string, 6 a shape.
    rejects(
        &with_main(vec![
            TestShape {
                dst: 0,
                src: 0,
                shape: 2,
            },
            ret(),
        ]),
        "function `main.main` pc 0: TestShape constant #2 is not a shape",
    );
    rejects(
        &with_main(vec![
            LoadConst {
                dst: 0,
                constant: 6,
            },
            ret(),
        ]),
        "function `main.main` pc 0: LoadConst constant #6 is a shape, not a value",
    );
    assert_eq!(
        verify(&with_main(vec![
            TestShape {
                dst: 0,
                src: 0,
                shape: 6
            },
            ret()
        ])),
        Ok(())
    );
    let nested = |depth: usize| (1..depth).fold(QShape::Any, |s, _| QShape::Array(Box::new(s)));
    let module = |shape| {
        encode(&Module {
            constants: vec![Constant::Shape(shape)],
            ..Module::default()
        })
    };
    let deepest = module(nested(MAX_SHAPE_DEPTH));
    assert!(decode_unverified(&deepest).is_ok());
    let err = decode_err(&module(nested(MAX_SHAPE_DEPTH + 1)));
    assert!(
        err.ends_with(&format!("shape nested deeper than {MAX_SHAPE_DEPTH}")),
        "{err}"
    );
    let unsorted = QShape::Record(vec![("b".into(), QShape::Any), ("a".into(), QShape::Any)]);
    let err = decode_err(&module(unsorted));
    assert!(
        err.ends_with("shape's record fields are not strictly sorted"),
        "{err}"
    );
    // `Again` must name a case shape it is inside: not at the top, not beside the cases, not
    // further out than there are
    let case = |arg| {
        QShape::Cases(vec![CaseShape {
            name: "c".into(),
            arg,
        }])
    };
    for lost in [
        QShape::Again(0),
        QShape::Tuple(vec![case(QShape::Any), QShape::Again(0)]),
        case(QShape::Again(1)),
    ] {
        let err = decode_err(&module(lost));
        assert!(err.contains("levels out, inside"), "{err}");
    }
    assert!(decode_unverified(&module(case(case(QShape::Again(1))))).is_ok());
}

#[test]
fn verifier_refuses_rem_by_zero() {
    use Instr::*;
    // The VM divides by the constant without testing it.
    rejects(
        &with_main(vec![
            RemInt {
                dst: 0,
                a: 0,
                value: 0,
            },
            ret(),
        ]),
        "function `main.main` pc 0: RemInt divides by the constant 0",
    );
    for value in [1, -1, 7, i32::MIN] {
        assert_eq!(
            verify(&with_main(vec![
                RemInt {
                    dst: 0,
                    a: 0,
                    value
                },
                ret()
            ])),
            Ok(())
        );
    }
}

#[test]
fn verifier_checks_function_shape() {
    use Instr::*;
    rejects(&with_main(vec![]), "function `main.main`: no code");
    for instr in [
        LoadNull { dst: 0 },
        TryEnd,
        CallDirect {
            dst: 0,
            function: 0,
            args: 0,
            argc: 1,
        },
    ] {
        let name = format!("{instr:?}");
        let name = name.split([' ', '{']).next().unwrap().to_string();
        rejects(
            &with_main(vec![ret(), instr]),
            &format!("function `main.main` pc 1: the last instruction is {name}; control would fall off the end"),
        );
    }
    for last in [
        Return { src: 0 },
        Jump { target: 0 },
        TailCall {
            callee: 0,
            args: 0,
            argc: 1,
        },
        TailCallDirect {
            function: 0,
            args: 0,
            argc: 1,
        },
        Fail { src: 0 },
        MatchFail { src: 0 },
    ] {
        assert_eq!(verify(&with_main(vec![last])), Ok(()));
    }
    let mut m = skeleton(vec![]);
    m.functions[3].registers = 1;
    rejects(
        &m,
        "function `main.pair`: 1 registers cannot hold its 2 arguments",
    );
}

#[test]
fn verifier_checks_line_tables() {
    let line = |pc, file| LineEntry {
        pc,
        file,
        line: 1,
        column: 1,
    };
    let mut m = with_main(vec![Instr::LoadNull { dst: 0 }, ret()]);
    m.functions[0].lines = vec![line(0, 0), line(1, 1), line(1, 0)];
    assert_eq!(verify(&m), Ok(()));
    m.functions[0].lines = vec![line(1, 0), line(0, 0)];
    rejects(
        &m,
        "function `main.main`: line entry 1: not sorted by pc (0 after 1)",
    );
    m.functions[0].lines = vec![line(0, 0), line(2, 0)];
    rejects(
        &m,
        "function `main.main`: line entry 1: pc 2 beyond the code (2 instructions)",
    );
    m.functions[0].lines = vec![line(0, 2)];
    rejects(
        &m,
        "function `main.main`: line entry 0: file 2 out of range (2 files)",
    );
}

#[test]
fn verifier_checks_globals_and_exports() {
    let mut m = skeleton(vec![]);
    m.globals[0].init = 9;
    rejects(
        &m,
        "global `main.x`: init function 9 out of range (4 functions)",
    );
    m.globals[0].init = 0;
    rejects(
        &m,
        "global `main.x`: init function `main.main` must take no arguments and no captures (arity 1, captures 0)",
    );

    let mut m = skeleton(vec![]);
    m.exports.push(Export {
        name: "main".into(),
        kind: ExportKind::Function,
        index: 3,
    });
    rejects(&m, "export `main` defined twice");
    m.exports[2] = Export {
        name: "f".into(),
        kind: ExportKind::Function,
        index: 4,
    };
    rejects(&m, "export `f`: function 4 out of range (4 functions)");
    m.exports[2].index = 1;
    rejects(
        &m,
        "export `f`: function `main.main/lambda@3:9` has captures",
    );
    m.exports[2] = Export {
        name: "g".into(),
        kind: ExportKind::Global,
        index: 1,
    };
    rejects(&m, "export `g`: global 1 out of range (1 globals)");
}

#[test]
fn verifier_errors_point_into_the_file() {
    // The offending instruction's opcode is at the reported offset.
    let m = with_main(vec![
        Instr::LoadNull { dst: 0 },
        Instr::Move { dst: 99, src: 0 },
        ret(),
    ]);
    let bytes = encode(&m);
    let e = decode(&bytes).unwrap_err();
    assert_eq!(bytes[e.offset], opcode(&Instr::Move { dst: 0, src: 0 }));
    assert_eq!(bytes[e.offset + 1], 99);
}

// ---------------------------------------------------------------------------------------------
// The disassembler

#[test]
fn disassembly_lists_everything() {
    use Instr::*;
    let mut m = skeleton(vec![]);
    m.functions[0].code = vec![
        LoadConst {
            dst: 1,
            constant: 2,
        },
        NewRecord {
            dst: 2,
            keys: 3,
            values: 3,
        },
        CallDirect {
            dst: 1,
            function: 3,
            args: 2,
            argc: 2,
        },
        Compare {
            op: CmpOp::Lt,
            dst: 4,
            a: 1,
            b: 2,
        },
        JumpIfNotTrue { cond: 4, target: 7 },
        CallNative {
            dst: 5,
            native: 0,
            args: 1,
            argc: 1,
        },
        NewCase {
            dst: 6,
            name: 2,
            arg: None,
        },
        Return { src: 1 },
    ];
    m.functions[0].lines = vec![
        LineEntry {
            pc: 0,
            file: 0,
            line: 2,
            column: 5,
        },
        LineEntry {
            pc: 3,
            file: 1,
            line: 10,
            column: 1,
        },
    ];
    m.functions.truncate(1);
    m.functions[0].name = "main.main".into();
    m.globals.clear();
    m.exports.truncate(1);
    let expected = r#"; QCode format 7, ABI 2
constants:
  #0  int -7
  #1  float 2.5
  #2  str "name"
  #3  keys ["a", "b"]
  #4  regex ~"^a+$"
  #5  keys []
  #6  shape array({a: number, b: [_, nil | cons({head: number, tail: …})]})
files:
  0  main.mix
  1  lib/util.mix
natives:
  0  string.length
  1  array.map
exports:
  main  fn 0 main.main

fn main.main (arity 1, captures 0, registers 12)
     0  LoadConst r1, #2 "name"                 ; main.mix:2:5
     1  NewRecord r2, #3 ["a", "b"], r3
     2  CallDirect r1, fn 3 <invalid>, r2, 2
     3  Compare Lt, r4, r1, r2                  ; lib/util.mix:10:1
     4  JumpIfNotTrue r4, @7
     5  CallNative r5, native 0 string.length, r1, 1
     6  NewCase r6, #2 "name", -
     7  Return r1
"#;
    assert_eq!(disassemble(&m), expected);
}

#[test]
fn disassembly_of_every_variant_names_each_mnemonic() {
    let m = every_variant_module();
    let text = disassemble(&m);
    for f in &m.functions {
        assert!(text.contains(&format!(
            "fn {} (arity {}, captures {}, registers {})",
            f.name, f.arity, f.captures, f.registers
        )));
        for instr in &f.code {
            let name = mix_runtime::qcode::opcode::mnemonic(instr);
            assert!(text.contains(&format!("  {name}")), "{name} missing");
        }
    }
    assert!(text.contains("global 0 main.x"));
    // Unverified garbage disassembles without panicking.
    let mut p = Picker::new(7, None);
    let code = (0..VARIANTS).map(|v| make(v, &mut p)).collect();
    let junk = Module {
        functions: vec![Function {
            name: "junk".into(),
            arity: 0,
            captures: 0,
            registers: 0,
            code,
            lines: vec![LineEntry {
                pc: 3,
                file: 9,
                line: 1,
                column: 1,
            }],
        }],
        ..Module::default()
    };
    assert!(disassemble(&junk).contains("<invalid"));
}
