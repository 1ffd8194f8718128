//! QCode instructions. Register-based: every operand is a register of the current frame (an
//! index from the frame's base), a constant-pool index or a jump target (an instruction index in
//! the same function). Operations are typed by the checker: `AddNum`, `Concat`, `ArrayConcat`
//! and `MapMerge` never look at which `+` they are; only `AddDyn` (a `+` with a `data` or
//! still-polymorphic operand) dispatches on run-time values.
//!
//! Argument lists are runs of consecutive registers `args .. args + argc`.

/// A register of the current frame.
pub type Reg = u16;
/// An index into the module's constant pool.
pub type ConstIdx = u32;
/// An instruction index inside the current function.
pub type Target = u32;

/// Comparison operators; `Ci` variants compare strings case-insensitively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum CmpOp {
    Eq = 0,
    Ne = 1,
    Lt = 2,
    Le = 3,
    Gt = 4,
    Ge = 5,
    /// `===`: identical kind and value (no int/float unification, undefined only to undefined).
    StrictEq = 6,
    StrictNe = 7,
    EqCi = 8,
    NeCi = 9,
    LtCi = 10,
    LeCi = 11,
    GtCi = 12,
    GeCi = 13,
}

impl CmpOp {
    /// `===` and `!==`, which see `undefined` as a value rather than bubbling it.
    pub fn is_strict(self) -> bool {
        matches!(self, CmpOp::StrictEq | CmpOp::StrictNe)
    }
}

/// Run-time kind tests (`type(string)` patterns, `data` narrowing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum KindTest {
    Null = 0,
    Bool = 1,
    Number = 2,
    String = 3,
    Array = 4,
    Object = 5,
    Ref = 6,
    Case = 7,
    Function = 8,
    Stream = 9,
    Binary = 10,
    /// Any serialisable value.
    Data = 11,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Instr {
    // ----- loads and moves
    LoadNull {
        dst: Reg,
    },
    LoadUndefined {
        dst: Reg,
    },
    LoadBool {
        dst: Reg,
        value: bool,
    },
    /// A small integer inline.
    LoadInt {
        dst: Reg,
        value: i32,
    },
    /// A number, string or regex from the constant pool.
    LoadConst {
        dst: Reg,
        constant: ConstIdx,
    },
    Move {
        dst: Reg,
        src: Reg,
    },
    /// Moves `src` into `dst`, leaving `null` behind: the last read of a `var` that the
    /// statement assigns right after (`xs = array.set(i, v, xs)`), so a native that takes its
    /// arguments receives the only reference and can update it in place.
    Take {
        dst: Reg,
        src: Reg,
    },
    /// A module-level value (`def x = …`): evaluated on first use, then cached.
    LoadGlobal {
        dst: Reg,
        global: u32,
    },
    /// A function of the function table as a value (no captures).
    LoadFunction {
        dst: Reg,
        function: u32,
    },
    /// A native primitive as a value.
    LoadNative {
        dst: Reg,
        native: u32,
    },
    /// A closure over `captures .. captures + count`.
    MakeClosure {
        dst: Reg,
        function: u32,
        captures: Reg,
        count: u16,
    },
    /// The current closure's `index`-th captured value.
    LoadCapture {
        dst: Reg,
        index: u16,
    },
    /// The function value running in this frame (a local recursive function naming itself).
    LoadSelf {
        dst: Reg,
    },

    // ----- numbers (undefined bubbles; int op int stays int unless it overflows)
    AddNum {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Sub {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Mul {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// Always a float.
    Div {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// Always a float.
    Rem {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    Neg {
        dst: Reg,
        src: Reg,
    },
    /// `a + constant` for a small integer constant: the loop counter's instruction.
    AddInt {
        dst: Reg,
        a: Reg,
        value: i32,
    },
    /// `a % constant` for a non-zero integer constant (`i % 2`, `h % buckets`): the divisor
    /// needs no register and no zero test.
    RemInt {
        dst: Reg,
        a: Reg,
        value: i32,
    },

    // ----- the other typed `+` operations and the one dynamic one
    /// string + word or word + string.
    Concat {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    ArrayConcat {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `dst = a + b`, moving `b` out of its register (leaving `undefined`): the prepend
    /// `xs = [x] + xs`, or `[x] + acc` at a parameter's last read. An array held nowhere else
    /// keeps room in front, so prepending to it is amortised O(1). Operands other than two
    /// arrays (a `+` decided at run time) join as `AddDyn` does.
    ArrayPrepend {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// map + map: the right side wins.
    MapMerge {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `+` with a `data` or polymorphic operand: follows the table on the run-time values.
    AddDyn {
        dst: Reg,
        a: Reg,
        b: Reg,
    },

    // ----- logic and comparison
    Compare {
        op: CmpOp,
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// Kleene `not` (undefined stays undefined).
    Not {
        dst: Reg,
        src: Reg,
    },
    /// Kleene `&&`/`||` of two evaluated operands, for the cases short-circuiting leaves.
    KleeneAnd {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    KleeneOr {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// `e?`
    IsDefined {
        dst: Reg,
        src: Reg,
    },
    /// `dst = src is exactly undefined` (pattern tests on `undefined`).
    IsUndefined {
        dst: Reg,
        src: Reg,
    },
    TestKind {
        dst: Reg,
        src: Reg,
        kind: KindTest,
    },
    /// Whether `src` has the shape of constant `shape` (a `Constant::Shape`): a type written
    /// with structure, `array(number)` or `{name: string}`.
    TestShape {
        dst: Reg,
        src: Reg,
        shape: ConstIdx,
    },

    // ----- control
    Jump {
        target: Target,
    },
    /// Jumps unless the value is `true` (false, undefined and anything else jump).
    JumpIfNotTrue {
        cond: Reg,
        target: Target,
    },
    JumpIfTrue {
        cond: Reg,
        target: Target,
    },
    /// Jumps when the value is exactly `false` (the short-circuit of `&&`).
    JumpIfFalse {
        cond: Reg,
        target: Target,
    },
    /// Compare and branch in one step: jumps to `target` when `a op b` being exactly `true`
    /// equals `when` (so `when: false` jumps on false, undefined and unordered alike).
    BranchCmp {
        op: CmpOp,
        a: Reg,
        b: Reg,
        target: Target,
        when: bool,
    },
    /// `BranchCmp` against a small integer constant (`n < 2`).
    BranchCmpInt {
        op: CmpOp,
        a: Reg,
        value: i16,
        target: Target,
        when: bool,
    },
    /// A counted loop's back edge in one step: `a = a + value` (as `AddInt`), then jumps to
    /// `target` when `a op b` is exactly `true`. The code generator fuses an `AddInt a, a, value`
    /// followed by `BranchCmp op, a, b, target, true` into this, keeping that `BranchCmp` right
    /// after it (it is the loop's entry, and on exit it re-tests the same condition, which fails
    /// again).
    AddIntBranchCmp {
        op: CmpOp,
        a: Reg,
        value: i16,
        b: Reg,
        target: Target,
    },
    /// `AddIntBranchCmp` against a small integer constant `limit` (fused from `AddInt` and
    /// `BranchCmpInt`).
    AddIntBranchCmpInt {
        op: CmpOp,
        a: Reg,
        value: i16,
        limit: i16,
        target: Target,
    },
    Call {
        dst: Reg,
        callee: Reg,
        args: Reg,
        argc: u8,
    },
    /// A call of a known function with exactly its arity.
    CallDirect {
        dst: Reg,
        function: u32,
        args: Reg,
        argc: u8,
    },
    /// A call of a known native with exactly its arity.
    CallNative {
        dst: Reg,
        native: u32,
        args: Reg,
        argc: u8,
    },
    /// Calls that replace the current frame (self and mutual recursion run in constant stack).
    TailCall {
        callee: Reg,
        args: Reg,
        argc: u8,
    },
    TailCallDirect {
        function: u32,
        args: Reg,
        argc: u8,
    },
    Return {
        src: Reg,
    },

    // ----- errors
    /// `fail(msg)`.
    Fail {
        src: Reg,
    },
    /// Enters a `try`: an error raised before the matching `EndTry` jumps to `handler` with
    /// `error(message)` in `dst`.
    TryStart {
        dst: Reg,
        handler: Target,
    },
    TryEnd,
    /// A failed match: a run-time error naming the value.
    MatchFail {
        src: Reg,
    },
    /// `undefined` where it may not be stored (arrays, maps, `var`s): a run-time error.
    CheckStorable {
        src: Reg,
    },

    // ----- data
    NewArray {
        dst: Reg,
        items: Reg,
        count: u16,
    },
    /// A record with the keys of constant `keys` (a key list, sorted) from `values ..`.
    NewRecord {
        dst: Reg,
        keys: ConstIdx,
        values: Reg,
    },
    /// `r.k` (undefined when missing; undefined bubbles).
    GetField {
        dst: Reg,
        obj: Reg,
        key: ConstIdx,
    },
    /// `m.(k)`
    GetDyn {
        dst: Reg,
        obj: Reg,
        key: Reg,
    },
    /// `a[i]`: a run-time error outside the array.
    GetIndex {
        dst: Reg,
        arr: Reg,
        index: Reg,
    },
    /// `a[i]` in a pattern: undefined outside the array, never an error.
    GetIndexOrUndefined {
        dst: Reg,
        arr: Reg,
        index: Reg,
    },
    /// `a[i]?`: whether `i` is in range.
    HasIndex {
        dst: Reg,
        arr: Reg,
        index: Reg,
    },
    /// Number of elements of an array (undefined for anything else).
    Length {
        dst: Reg,
        src: Reg,
    },
    /// Elements `from..` of an array as a new array (`[h, ~multiple rest]`).
    ArrayRest {
        dst: Reg,
        src: Reg,
        from: u16,
    },
    /// `with .k = v` on records and maps.
    SetField {
        dst: Reg,
        obj: Reg,
        key: ConstIdx,
        value: Reg,
    },
    SetDyn {
        dst: Reg,
        obj: Reg,
        key: Reg,
        value: Reg,
    },
    SetIndex {
        dst: Reg,
        arr: Reg,
        index: Reg,
        value: Reg,
    },
    /// A case value; `arg` is `None` for a case without argument.
    NewCase {
        dst: Reg,
        name: ConstIdx,
        arg: Option<Reg>,
    },
    /// Whether `src` is the case named by constant `name`.
    IsCase {
        dst: Reg,
        src: Reg,
        name: ConstIdx,
    },
    /// The argument of a case value (undefined for a case without one).
    CaseArg {
        dst: Reg,
        src: Reg,
    },
    /// `c^(v)`: the argument of `v` when it is case `name`, else undefined.
    CaseInverse {
        dst: Reg,
        src: Reg,
        name: ConstIdx,
    },

    // ----- streams
    /// `a[]`
    ToStream {
        dst: Reg,
        src: Reg,
    },
    /// `a[p..q]`: `from`/`to` registers hold null for an open end.
    Slice {
        dst: Reg,
        src: Reg,
        from: Reg,
        to: Reg,
    },
    /// `a ++ b`
    StreamAppend {
        dst: Reg,
        a: Reg,
        b: Reg,
    },
    /// Starts iterating a stream or array into iterator register `dst`.
    IterStart {
        dst: Reg,
        src: Reg,
    },
    /// Next element of iterator `iter` into `dst`, or a jump to `done` at the end.
    IterNext {
        dst: Reg,
        iter: Reg,
        done: Target,
    },
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn instructions_stay_small() {
        // The dispatch loop reads one instruction per step; keep them within 16 bytes.
        assert!(std::mem::size_of::<super::Instr>() <= 16);
        eprintln!("Instr is {} bytes", std::mem::size_of::<super::Instr>());
    }
}
