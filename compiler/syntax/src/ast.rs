//! The Mix abstract syntax tree. Every node carries the byte span it was parsed from; `Error`
//! variants stand where the parser recovered from a syntax error.
//!
//! Literal spellings (`0x1F`, raw strings) are not kept: the formatter reprints a literal from
//! its span in the source text, so the tree stays small.

use mix_diagnostics::Span;

pub type Name = Box<str>;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceFile {
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Module(Box<ModuleDecl>),
    /// `module P = M[A=string]`
    ModuleInstance {
        name: Ident,
        target: Vec<Ident>,
        type_args: Vec<TypeArg>,
    },
    Import(Box<Import>),
    /// `declare P(x:number, r:data)`
    Declare {
        name: Ident,
        params: Vec<Param>,
    },
    Def(Box<Def>),
    Type(Box<TypeDecl>),
    Case(Box<CaseDecl>),
    Foreign(Box<ForeignDef>),
    /// `_pragma_ { … }`
    Pragma(Box<Expr>),
    /// `_source_ { url: "…" }`
    Source(Box<Expr>),
    Cell(Box<CellDecl>),
    /// `alias shown = other.view`
    Alias {
        private: bool,
        name: Ident,
        target: Box<Expr>,
    },
    Initializer(Block),
    On(Box<OnDecl>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ModuleDecl {
    pub is_static: bool,
    pub name: Ident,
    pub params: Option<Vec<Param>>,
    pub type_params: Option<Vec<Ident>>,
    pub meta: Option<Expr>,
    pub items: Vec<Item>,
    /// False for a last module of a file written without `module end`.
    pub closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeArg {
    pub name: Ident,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub alias: Option<Ident>,
    pub path: Vec<Ident>,
    pub args: Option<Vec<Expr>>,
    pub type_args: Option<Vec<TypeArg>>,
}

/// A `def` parameter: a name with an optional type. `()` is written as an empty list.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: Option<Type>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Expr(Expr),
    Block(Block),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Def {
    pub private: bool,
    pub name: Ident,
    /// `None`: no parameter list (`def x = …`); `Some([])`: `def f() = …`.
    pub params: Option<Vec<Param>>,
    /// `def x : T` (with or without a body), or the return type `def f(x):T = …`.
    pub ty: Option<Type>,
    pub body: Option<Body>,
    pub meta: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub params: Vec<Ident>,
    /// `None` for an abstract type (`type t`).
    pub body: Option<Type>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaseDecl {
    pub private: bool,
    pub name: Ident,
    pub arg: Option<Type>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForeignDef {
    pub private: bool,
    pub name: Ident,
    pub ty: Type,
    /// The host name (`= "hostLen"`); `None` means the qualified name.
    pub host_name: Option<Expr>,
    /// Fallbacks by host environment (a multi-arm lambda).
    pub fallback: Option<Expr>,
    pub meta: Option<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Plain,
    Var,
    Live,
    Sync,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CellDecl {
    pub private: bool,
    pub kind: CellKind,
    pub name: Ident,
    pub params: Option<Vec<Param>>,
    pub ty: Option<Type>,
    pub body: Option<Body>,
    pub meta: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OnDecl {
    /// `on x`, `on (x, y)`; empty for `on ()`.
    pub targets: Vec<Ident>,
    pub parenthesized: bool,
    pub guard: Option<Expr>,
    pub body: Block,
}

// ---------------------------------------------------------------------------------------------
// Types

#[derive(Clone, Debug, PartialEq)]
pub struct Type {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `number`, `tree`, `M.t`
    Named(Vec<Ident>),
    /// `array(T)`, `M.t(A, B)`
    App(Vec<Ident>, Vec<Type>),
    /// `T`, `T@data`
    Var(Ident, Option<Ident>),
    /// `_`
    Wildcard,
    Null,
    Fun(Box<Type>, Box<Type>),
    /// `[A, B]` and labeled `[#a: A]`
    Tuple(Vec<TupleTypeElem>),
    Record(Vec<FieldType>),
    Union(Vec<Type>),
    /// `T*`
    Stream(Box<Type>),
    /// `<"name">`, `<name>`, `<opaque>`
    Opaque(Name),
    /// `(module type M)`
    ModuleType(Vec<Ident>),
    /// `~forall A B : T`
    Forall(Vec<Ident>, Box<Type>),
    /// `T<var>` (link types)
    VarMarked(Box<Type>),
    Paren(Box<Type>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TupleTypeElem {
    pub label: Option<Ident>,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldType {
    pub key: FieldName,
    /// `None`: a field without a type (`{org, ws}`), meaning `data`.
    pub ty: Option<Type>,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[derive(Clone, Debug, PartialEq)]
pub struct FieldName {
    pub name: Name,
    /// Written as a string (`r."a b"`, `{"a b": 1}`).
    pub quoted: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Pipe,
    Or,
    And,
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    Lt,
    Le,
    Gt,
    Ge,
    EqCi,
    NeCi,
    LtCi,
    LeCi,
    GtCi,
    GeCi,
    Append,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        use BinOp::*;
        match self {
            Pipe => "|>",
            Or => "||",
            And => "&&",
            Eq => "==",
            Ne => "!=",
            StrictEq => "===",
            StrictNe => "!==",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            EqCi => "==:ci",
            NeCi => "!=:ci",
            LtCi => "<:ci",
            LeCi => "<=:ci",
            GtCi => ">:ci",
            GeCi => ">=:ci",
            Append => "++",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
        }
    }

    pub fn is_comparison(self) -> bool {
        use BinOp::*;
        matches!(
            self,
            Eq | Ne
                | StrictEq
                | StrictNe
                | Lt
                | Le
                | Gt
                | Ge
                | EqCi
                | NeCi
                | LtCi
                | LeCi
                | GtCi
                | GeCi
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpreadKind {
    Multiple,
    Optional,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    True,
    False,
    Undefined,
    Int(i64),
    Float(f64),
    Str(Name),
    /// `~regex "pattern"`
    Regex(Name),
    Name(Name),
    /// `$name` (standard library sources only)
    Primitive(Name),
    SelfRef,
    GlobalRef,
    /// `()` as a value: the dummy argument, `null`.
    Unit,
    /// A leading `.field`: the short projection lambda's row access.
    ShortField(FieldName),
    Field(Box<Expr>, FieldName),
    /// `m.(k)`
    DynField(Box<Expr>, Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `a[p..q]`, `a[p..]`, `a[..q]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `a[]`
    ToStream(Box<Expr>),
    /// `t[#0 of 3]`
    TupleIndex(Box<Expr>, i64, i64),
    /// `p[#label]` or `p.[#label]`
    LabelIndex(Box<Expr>, Ident),
    /// `f(a, b)`; `f()` has no arguments.
    Call(Box<Expr>, Vec<Expr>),
    /// `e?`
    Defined(Box<Expr>),
    /// `c^`
    Inverse(Box<Expr>),
    /// `x'`
    Prime(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `e with .a[0] = v`
    With(Box<Expr>, Vec<PathSeg>, Box<Expr>),
    /// One arm: `x -> e`, `(a, b) -> e`; several: `(p1 -> e1 | p2 -> e2)`.
    Lambda(Vec<Arm>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Let(Box<LetBinding>, Box<Expr>, LetStyle),
    Try(Box<Expr>),
    /// `e : T`
    TypeHint(Box<Expr>, Box<Type>),
    /// `type(T)`
    TypeOf(Box<Type>),
    /// `type(T, e)`
    TypeAssert(Box<Type>, Box<Expr>),
    Array(Vec<Expr>),
    Record(Vec<RecordField>),
    Do(Block),
    /// `action { }`, `action () { }`, `action (v) { }`
    Action(Option<Vec<Pattern>>, Block),
    /// `_escJSON_ { … }`
    EscJson(Box<Expr>),
    Paren(Box<Expr>),
    /// Pattern-only forms kept by the cover grammar until they become patterns; anywhere else
    /// they are reported.
    Spread(SpreadKind, Ident),
    Capture(Box<Expr>, Box<Expr>),
    /// `(a, b)` before `->`.
    ParenList(Vec<Expr>),
    /// `#label: e` inside a labeled tuple literal.
    Labeled(Ident, Box<Expr>),
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetStyle {
    /// `let p = e; body`
    Semi,
    /// `let p = e in body`
    In,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PathSeg {
    Field(FieldName),
    Dyn(Expr),
    Index(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordField {
    pub key: FieldKey,
    /// `None` for the shorthand `{a}` and for `{.a}`.
    pub value: Option<Expr>,
    /// `{k?: p}` in a pattern.
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldKey {
    Name(FieldName),
    Computed(Box<Expr>),
    /// `{ .a }`: `a: row.a` in a short projection.
    Short(FieldName),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// Empty for `() -> e`.
    pub params: Vec<Pattern>,
    /// The parameters were written in parentheses (`(x) -> e`).
    pub parenthesized: bool,
    pub guard: Option<Box<Expr>>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LetTarget {
    Pattern(Pattern),
    /// `let f(n) = …`
    Function(Ident, Vec<Pattern>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetBinding {
    pub target: LetTarget,
    pub ty: Option<Type>,
    pub value: Expr,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Statements

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Let(Box<LetBinding>),
    /// `let alias c = cell;`
    LetAlias(Ident, Box<Expr>),
    Var {
        name: Ident,
        ty: Option<Box<Type>>,
        value: Box<Expr>,
    },
    Assign {
        target: Box<Expr>,
        value: Box<Expr>,
    },
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    Switch {
        scrutinee: Box<Expr>,
        cases: Vec<SwitchCase>,
    },
    While(Box<Expr>, Block),
    For {
        init: Option<Box<Stmt>>,
        cond: Option<Box<Expr>>,
        step: Option<Box<Stmt>>,
        body: Block,
    },
    ForIn {
        pattern: Box<Pattern>,
        iter: Box<Expr>,
        body: Block,
    },
    Return(Option<Box<Expr>>),
    Expr(Box<Expr>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SwitchCase {
    pub pattern: Pattern,
    pub guard: Option<Box<Expr>>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Patterns

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PatternKind {
    Wildcard,
    Bind(Name),
    Null,
    Undefined,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Name),
    Array(Vec<Pattern>),
    /// `~multiple rest`, `~optional b` inside an array pattern.
    Spread(SpreadKind, Ident),
    Record(Vec<FieldPattern>),
    /// `self.red`, `M.c(p)`, `global.some(v)`, `some(v)`: the qualifier path and case name.
    Case {
        path: Vec<Ident>,
        arg: Option<Box<Pattern>>,
    },
    /// `type(string)`
    TypeTest(Box<Type>),
    /// `s @ type(string)`
    Capture(Ident, Box<Pattern>),
    /// `n < 5`: binds `n` and matches when the comparison holds.
    Compare(BinOp, Ident, Box<Expr>),
    /// `n >= 3 && n < 7`
    And(Box<Pattern>, Box<Pattern>),
    /// `(x : number)` in lambda parameters
    Typed(Box<Pattern>, Box<Type>),
    Paren(Box<Pattern>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldPattern {
    pub key: FieldName,
    /// `None` for the shorthand `{k}` (binds `k`).
    pub pattern: Option<Pattern>,
    pub optional: bool,
    pub span: Span,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    pub fn error(span: Span) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span,
        }
    }
}

impl Pattern {
    pub fn new(kind: PatternKind, span: Span) -> Pattern {
        Pattern { kind, span }
    }
}

impl Type {
    pub fn new(kind: TypeKind, span: Span) -> Type {
        Type { kind, span }
    }
}
