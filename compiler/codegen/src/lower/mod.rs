//! Lowering one checked definition to QCode. Names are resolved to registers, captures or
//! module-level slots; lambdas become functions of their own whose free variables are captured
//! (found on demand, as upvalues: a name missing in a function's scopes is looked up in the
//! enclosing one and recorded as a capture); patterns compile to test-and-jump sequences.
//!
//! `expr.rs` compiles expressions, `call.rs` calls and the prelude, `stmt.rs` statement
//! bodies, `pattern.rs` patterns.

mod branch;
mod call;
mod escjson;
mod expr;
mod pattern;
mod query;
mod reads;
mod stmt;
mod type_test;

use std::collections::HashMap;
use std::sync::Arc;

use mix_check::infer::{Narrowing, PlusKind};
use mix_check::ty::Ty;
use mix_diagnostics::{Diagnostic, Span};
use mix_runtime::qcode::{Instr, Reg};
use mix_syntax::ast::{self, Body};
use mix_syntax::walk::Node;

use crate::builder::{nth, FnBuilder};
use crate::program::{DefSites, FileInfo, ProgramBuilder, Slot};
use crate::resolve::{DefKey, Resolver};

/// Code generation errors (E03xx, documented in docs/errors.md).
pub mod codes {
    pub const UNSUPPORTED: &str = "E0300";
    pub const MISSING_DEFINITION: &str = "E0301";
    pub const NOT_ASSIGNABLE: &str = "E0302";
    pub const TOO_LARGE: &str = "E0303";
    pub const QUERY_PREDICATE: &str = "E0304";
}

/// Lowering stops a definition at its first error (boxed: errors are rare, results common).
pub type Res<T> = Result<T, Box<Diagnostic>>;

/// What a name stands for inside a function.
#[derive(Clone, Debug)]
enum Binding {
    /// An immutable local in a register.
    Reg(Reg),
    /// A `var` in a register.
    Var(Reg),
    /// The enclosing closure's captured value.
    Capture(u16),
    /// The function being compiled (a local function naming itself).
    SelfFn,
}

/// Where a `return` inside a `do { }` block goes.
struct Exit {
    dst: Reg,
    jumps: Vec<crate::builder::Patch>,
    tries: u32,
}

/// One function under construction: the definition's own, or a lambda inside it.
struct FnCtx {
    b: FnBuilder,
    scopes: Vec<Vec<(Box<str>, Binding)>>,
    /// Captured names with how the enclosing function reaches them.
    captures: Vec<(Box<str>, Binding)>,
    self_name: Option<Box<str>>,
    exits: Vec<Exit>,
    /// Enclosing `try`s in this function (no tail calls inside one; `return` ends them).
    tries: u32,
    /// Integer constants loaded into registers before an enclosing loop.
    hoisted: Vec<(i64, Reg)>,
    /// The argument (by span) that moves a `var`'s value into the call it is passed to, with
    /// the `var`'s register: set while lowering `x = f(…, x, …)` (see `stmt::taken_argument`).
    taken: Option<(Span, Reg)>,
    /// Parameters (name and register) the body reads at most once on any path: their one
    /// read may move the value out (see `reads.rs`).
    read_once: Vec<(Box<str>, Reg)>,
}

impl FnCtx {
    fn new(b: FnBuilder, self_name: Option<Box<str>>) -> FnCtx {
        FnCtx {
            b,
            scopes: vec![Vec::new()],
            captures: Vec::new(),
            self_name,
            exits: Vec::new(),
            tries: 0,
            hoisted: Vec::new(),
            taken: None,
            read_once: Vec::new(),
        }
    }
}

/// The implicit row parameter of a short projection (`.field`), as a name no Mix source can
/// spell, so nested lambdas capture it like any other name.
const ROW: &str = ".row";

pub struct Lowerer<'p, 'db> {
    prog: &'p mut ProgramBuilder<'db>,
    key: DefKey,
    resolver: Resolver<'db>,
    file: Arc<FileInfo>,
    /// Where the definition's item starts: spans of its body are relative to it.
    start: u32,
    plus: HashMap<(u32, u32), PlusKind>,
    /// The run-time test of each `data` value used as a narrower type, by span.
    narrowing: HashMap<(u32, u32), Narrowing>,
    /// The instance each use of a definition with a deferred `+` compiles to, by span.
    instances: HashMap<(u32, u32), Ty>,
    fns: Vec<FnCtx>,
    lambdas: u32,
}

/// Compiles one definition into its reserved slot.
pub fn lower_def(prog: &mut ProgramBuilder<'_>, key: &DefKey, slot: Slot) -> Res<()> {
    let def = mix_check::db::DefId::new(prog.db, key.file, key.module.clone(), key.name.clone());
    let Some(body) = &mix_check::db::def_body(prog.db, def) else {
        return Ok(());
    };
    let file = prog.file(key.file);
    let start = prog.def_start(key);
    let DefSites {
        plus,
        narrowing,
        instances,
    } = prog.def_sites(key);
    let resolver = Resolver {
        db: prog.db,
        workspace: prog.workspace,
        file: key.file,
        module: key.module.clone(),
    };
    let (index, arity) = match slot {
        Slot::Function { index, arity } => (index, arity),
        Slot::Global { index } => (prog.module.globals[index as usize].init, 0),
        Slot::Native { .. } => return Ok(()),
    };
    let name = format!("{}.{}", key.module, key.name);
    let mut lowerer = Lowerer {
        prog,
        key: key.clone(),
        resolver,
        file,
        start,
        plus,
        narrowing,
        instances,
        fns: vec![FnCtx::new(FnBuilder::new(name, arity), None)],
        lambdas: 0,
    };
    if let (Some(params), Some(code)) = (body.params(), body.body()) {
        let code = match code {
            Body::Expr(e) => Node::Expr(e),
            Body::Block(b) => Node::Block(b),
        };
        let names: Vec<&str> = params.iter().map(|p| &*p.name.name).collect();
        lowerer.bind_params(&names, code);
    }
    match body.body() {
        Some(Body::Expr(e)) if body.params().is_none() => lowerer.tail_short(e)?,
        Some(Body::Expr(e)) => lowerer.tail(e)?,
        Some(Body::Block(block)) => lowerer.body_block(block)?,
        None => {}
    }
    let ctx = lowerer.fns.pop().expect("the definition's function");
    if ctx.b.too_many_registers() {
        return Err(too_large("this definition", Span::new(0, 3)));
    }
    lowerer.prog.set_function(index, ctx.b.finish(0));
    Ok(())
}

/// E0303 for a function whose registers do not fit in QCode's.
fn too_large(what: &str, span: Span) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        codes::TOO_LARGE,
        format!("{what} needs more registers than a QCode function has"),
        span,
    ))
}

impl<'db> Lowerer<'_, 'db> {
    fn f(&mut self) -> &mut FnCtx {
        self.fns.last_mut().expect("a function")
    }

    fn b(&mut self) -> &mut FnBuilder {
        &mut self.f().b
    }

    fn emit(&mut self, instr: Instr) -> usize {
        self.b().emit(instr)
    }

    /// Instructions from here on report the position of `span` (relative to the item).
    fn at(&mut self, span: Span) {
        let offset = self.start + span.start;
        let location = self.file.lines.location(&self.file.text, offset);
        let file = match &location.file {
            Some(name) => self.prog.directive_file(name),
            None => self.file.index,
        };
        self.b().at(file, location.line, location.column);
    }

    fn unsupported(&self, what: &str, span: Span) -> Diagnostic {
        Diagnostic::error(
            codes::UNSUPPORTED,
            format!("{what} cannot be compiled to QCode yet"),
            span,
        )
    }

    fn push_scope(&mut self) {
        self.f().scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.f().scopes.pop();
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        if name == "_" {
            return;
        }
        let scope = self.f().scopes.last_mut().expect("a scope");
        scope.push((name.into(), binding));
    }

    /// Binds the function's parameters, plain names, to its first registers, noting those
    /// that `body` reads at most once on any path.
    fn bind_params(&mut self, names: &[&str], body: Node<'_>) {
        for (i, n) in names.iter().enumerate() {
            self.bind(n, Binding::Reg(i as Reg));
            if *n != "_" && reads::most_reads(body, n) <= 1 {
                self.f().read_once.push(((*n).into(), i as Reg));
            }
        }
    }

    /// Whether `e` is the one read of a parameter read at most once on any path (see
    /// `reads.rs`): its value may be moved out of the register. Its register if so.
    fn last_read(&mut self, e: &ast::Expr) -> Option<Reg> {
        let ast::ExprKind::Name(n) = &e.kind else {
            return None;
        };
        match self.lookup(n)? {
            Binding::Reg(r) if self.is_read_once(n, r) => Some(r),
            _ => None,
        }
    }

    /// Whether `name`, bound to register `r` here, is a parameter of this function that it
    /// reads at most once on any path (and not a local that shadows it).
    fn is_read_once(&mut self, name: &str, r: Reg) -> bool {
        self.f()
            .read_once
            .iter()
            .any(|(p, own)| &**p == name && *own == r)
    }

    /// The binding of a local name, capturing it from enclosing functions as needed.
    fn lookup(&mut self, name: &str) -> Option<Binding> {
        let level = self.fns.len() - 1;
        self.lookup_at(level, name)
    }

    fn lookup_at(&mut self, level: usize, name: &str) -> Option<Binding> {
        let ctx = &self.fns[level];
        for scope in ctx.scopes.iter().rev() {
            if let Some((_, b)) = scope.iter().rev().find(|(n, _)| &**n == name) {
                return Some(b.clone());
            }
        }
        if let Some(i) = ctx.captures.iter().position(|(n, _)| &**n == name) {
            return Some(Binding::Capture(i as u16));
        }
        if ctx.self_name.as_deref() == Some(name) {
            return Some(Binding::SelfFn);
        }
        if level == 0 {
            return None;
        }
        let outer = self.lookup_at(level - 1, name)?;
        let ctx = &mut self.fns[level];
        ctx.captures.push((name.into(), outer));
        Some(Binding::Capture((ctx.captures.len() - 1) as u16))
    }

    /// Puts `name`'s value (written at `at`, bound as `binding`) into `dst`. Moves it out of
    /// its register where nothing reads it there again: a `var` passed to the call it is
    /// assigned from (the argument `taken` names), or a parameter at its one read (see
    /// `reads.rs`); a native that takes its arguments (`array.add(acc, [x])`) then updates
    /// the value in place. Copies it otherwise.
    fn load_name(&mut self, name: &str, binding: &Binding, at: Span, dst: Reg) {
        let moved = match *binding {
            Binding::Var(r) => (self.f().taken == Some((at, r))).then_some(r),
            Binding::Reg(r) => self.is_read_once(name, r).then_some(r),
            Binding::Capture(_) | Binding::SelfFn => None,
        };
        match moved {
            Some(r) if r != dst => {
                // the `var`'s one move is made
                if matches!(binding, Binding::Var(_)) {
                    self.f().taken = None;
                }
                self.emit(Instr::Take { dst, src: r });
            }
            _ => self.load_binding(binding, dst),
        }
    }

    /// Copies a binding's value into `dst`.
    fn load_binding(&mut self, binding: &Binding, dst: Reg) {
        match *binding {
            Binding::Reg(r) | Binding::Var(r) => {
                if r != dst {
                    self.emit(Instr::Move { dst, src: r });
                }
            }
            Binding::Capture(index) => {
                self.emit(Instr::LoadCapture { dst, index });
            }
            Binding::SelfFn => {
                self.emit(Instr::LoadSelf { dst });
            }
        }
    }

    /// Compiles a lambda (its arms) as a new function and puts the closure in `dst`.
    fn lambda(
        &mut self,
        arms: &[ast::Arm],
        self_name: Option<&str>,
        span: Span,
        dst: Reg,
    ) -> Res<()> {
        let arity = arms.first().map_or(1, |a| a.params.len()).clamp(1, 255) as u8;
        self.lambdas += 1;
        let location = self
            .file
            .lines
            .location(&self.file.text, self.start + span.start);
        let label = match self_name {
            Some(n) => n.to_string(),
            None => format!("lambda@{}:{}", location.line, location.column),
        };
        let name = format!("{}.{}/{}", self.key.module, self.key.name, label);
        let index = self.prog.new_function(name.clone(), arity);
        self.fns.push(FnCtx::new(
            FnBuilder::new(name, arity),
            self_name.map(Into::into),
        ));
        let result = self.lambda_body(arms, span);
        let ctx = self.fns.pop().expect("the lambda's function");
        result?;
        if ctx.b.too_many_registers() {
            return Err(too_large("this function", span));
        }
        let captures = ctx.captures;
        self.prog
            .set_function(index, ctx.b.finish(captures.len() as u16));
        if captures.is_empty() {
            self.emit(Instr::LoadFunction {
                dst,
                function: index,
            });
            return Ok(());
        }
        let mark = self.b().mark();
        let first = self.b().regs(captures.len());
        for (i, (_, binding)) in captures.iter().enumerate() {
            if let Binding::Var(_) = binding {
                return Err(Box::new(Diagnostic::error(
                    codes::NOT_ASSIGNABLE,
                    "a closure cannot capture a `var`",
                    span,
                )));
            }
            self.load_binding(binding, nth(first, i));
        }
        self.emit(Instr::MakeClosure {
            dst,
            function: index,
            captures: first,
            count: captures.len() as u16,
        });
        self.b().release(mark);
        Ok(())
    }

    /// Compiles the one-armed function `params -> body` (a short projection, an action, a
    /// local `let f(…)`, …) and puts the closure in `dst`.
    fn function_of(
        &mut self,
        params: Vec<ast::Pattern>,
        body: ast::Expr,
        self_name: Option<&str>,
        span: Span,
        dst: Reg,
    ) -> Res<()> {
        let arm = ast::Arm {
            params,
            parenthesized: true,
            guard: None,
            body,
            span,
        };
        self.lambda(std::slice::from_ref(&arm), self_name, span, dst)
    }

    fn lambda_body(&mut self, arms: &[ast::Arm], span: Span) -> Res<()> {
        self.at(span);
        if let [arm] = arms {
            if arm.guard.is_none() {
                if let Some(names) = simple_params(&arm.params) {
                    self.bind_params(&names, Node::Expr(&arm.body));
                    return self.tail(&arm.body);
                }
            }
        }
        for arm in arms {
            let mark = self.b().mark();
            self.push_scope();
            let mut fails = Vec::new();
            for (i, p) in arm.params.iter().enumerate() {
                self.pattern(p, i as Reg, &mut fails)?;
            }
            if let Some(guard) = &arm.guard {
                let g = self.operand(guard)?;
                fails.push(self.b().jump(Instr::JumpIfNotTrue { cond: g, target: 0 }));
            }
            self.tail(&arm.body)?;
            self.pop_scope();
            self.b().release(mark);
            for f in fails {
                self.b().land(f);
            }
        }
        self.emit(Instr::MatchFail { src: 0 });
        Ok(())
    }
}

/// The names of parameters that are all plain names (`(a, b) -> …`), if they are.
fn simple_params(params: &[ast::Pattern]) -> Option<Vec<&str>> {
    params
        .iter()
        .map(|p| match &strip_pattern(p).kind {
            ast::PatternKind::Bind(n) => Some(&**n),
            ast::PatternKind::Wildcard => Some("_"),
            _ => None,
        })
        .collect()
}

pub(super) fn strip_pattern(p: &ast::Pattern) -> &ast::Pattern {
    match &p.kind {
        ast::PatternKind::Paren(inner) | ast::PatternKind::Typed(inner, _) => strip_pattern(inner),
        _ => p,
    }
}
