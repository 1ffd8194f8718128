//! Statement bodies and `let` bindings.

use mix_syntax::ast::*;

use super::Infer;
use crate::codes;
use crate::ty::{app, boolean, fun, null, Printer, Scheme, Ty};
use mix_diagnostics::Diagnostic;

impl Infer<'_> {
    /// `let p = e` and `let f(a, b) = e`: simple names are generalised (let-polymorphism).
    pub fn let_binding(&mut self, binding: &LetBinding) {
        match &binding.target {
            LetTarget::Pattern(Pattern {
                kind: PatternKind::Bind(name),
                ..
            }) => {
                let mut t = self.expr_with_short_scope(&binding.value);
                if let Some(written) = &binding.ty {
                    let hinted = self.convert_type(written, &mut Default::default());
                    // A written type is an explicit narrowing, like `e : T`.
                    self.expect_value(&hinted, &t, binding.value.span, true);
                    t = hinted;
                }
                let scheme = self.generalize(&t);
                self.bind_local(name, scheme, false);
            }
            LetTarget::Pattern(pattern) => {
                let t = self.expr(&binding.value);
                let p = self.pattern(pattern);
                self.expect(&p, &t, binding.value.span);
            }
            LetTarget::Function(name, params) => {
                // Bound before its body so it may call itself.
                let own = self.fresh();
                self.bind_local(&name.name, Scheme::mono(own.clone()), false);
                self.fn_depth += 1;
                self.push_scope();
                let param_types: Vec<Ty> = if params.is_empty() {
                    vec![null()]
                } else {
                    params.iter().map(|p| self.pattern(p)).collect()
                };
                let body = self.expr(&binding.value);
                self.pop_scope();
                self.fn_depth -= 1;
                let t = param_types
                    .into_iter()
                    .rev()
                    .fold(body, |acc, p| fun(p, acc));
                self.expect(&own, &t, binding.span);
                let scheme = self.generalize(&t);
                self.bind_local(&name.name, scheme, false);
            }
        }
    }

    /// A statement body whose `return`s give `result`; falling off the end gives `null`.
    pub fn block_body(&mut self, block: &Block, result: &Ty) {
        self.push_scope();
        let ends = self.stmts(&block.stmts);
        self.pop_scope();
        if !ends {
            self.end_gives_null(block, result);
        }
    }

    /// A body that can reach its end gives `null` there: when its `return`s give something
    /// else, the error points at where the path runs out, not at the whole body.
    fn end_gives_null(&mut self, block: &Block, result: &Ty) {
        if self.subst.unify(result, &null()).is_ok() {
            return;
        }
        let expected =
            Printer::with_aliases(self.record_aliases()).print(&self.subst.resolve(result));
        let last = block.stmts.last();
        let at = last.map_or(block.span, |s| s.span);
        // The value thrown away at the end is this error's subject: one message, not two.
        self.diagnostics
            .retain(|d| !(d.code == codes::DISCARDED_VALUE && d.span == at));
        self.diagnostics.push(
            Diagnostic::error(
                codes::TYPE_MISMATCH,
                format!("this body can reach its end without `return`, which gives `null`, not `{expected}`"),
                at,
            )
            .with_help(missing_return_help(last.map(|s| &s.kind))),
        );
    }

    /// Whether the block never ends normally (see [`Self::stmts`]).
    fn block(&mut self, block: &Block) -> bool {
        self.push_scope();
        let ends = self.stmts(&block.stmts);
        self.pop_scope();
        ends
    }

    /// Infers the statements; true when no path runs past them (each ends in `return`,
    /// `fail(…)` or a loop without exit), so a body ending with them never gives `null`.
    fn stmts(&mut self, stmts: &[Stmt]) -> bool {
        let mut ends = false;
        for stmt in stmts {
            ends |= self.stmt(stmt);
        }
        ends
    }

    /// Infers the statement; true when control never goes on past it.
    fn stmt(&mut self, stmt: &Stmt) -> bool {
        match &stmt.kind {
            StmtKind::Let(binding) => {
                self.let_binding(binding);
                false
            }
            StmtKind::LetAlias(..) => {
                self.not_checked_yet("`let alias`", stmt.span);
                false
            }
            StmtKind::Var { name, ty, value } => {
                let mut t = self.expr(value);
                if let Some(written) = ty {
                    let hinted = self.convert_type(written, &mut Default::default());
                    self.expect_value(&hinted, &t, value.span, true);
                    t = hinted;
                }
                self.bind_local(&name.name, Scheme::mono(t), true);
                false
            }
            StmtKind::Assign { target, value } => {
                let root = assignment_root(target);
                let mutable = root.and_then(|n| self.local(n)).map(|l| l.mutable);
                if mutable == Some(false) {
                    self.diagnostics.push(
                        mix_diagnostics::Diagnostic::error(
                            codes::ASSIGN_TO_IMMUTABLE,
                            format!(
                                "cannot assign to `{}`: it is not a `var`",
                                root.unwrap_or_default()
                            ),
                            target.span,
                        )
                        .with_help("declare it with `var` to make it assignable"),
                    );
                }
                let t = self.expr(target);
                let v = self.expr(value);
                self.expect_value(&t, &v, value.span, false);
                false
            }
            StmtKind::If {
                branches,
                otherwise,
            } => {
                let mut ends = true;
                for (cond, block) in branches {
                    let c = self.expr(cond);
                    self.expect_value(&boolean(), &c, cond.span, false);
                    ends &= self.block(block);
                }
                match otherwise {
                    Some(block) => self.block(block) && ends,
                    None => false,
                }
            }
            StmtKind::Switch { scrutinee, cases } => {
                let s = self.expr(scrutinee);
                let dynamic = super::pattern::heterogeneous(cases.iter().map(|c| &c.pattern));
                let s = if dynamic { crate::ty::data() } else { s };
                let scrutinee_type = s.clone();
                // A switch never falls through without running an arm: a value no arm matches
                // is a run-time error (spec §3.5), whether or not the arms are exhaustive.
                let mut ends = true;
                for case in cases {
                    self.push_scope();
                    let p = self.pattern(&case.pattern);
                    self.expect(&p, &s, case.pattern.span);
                    if let Some(guard) = &case.guard {
                        let g = self.expr(guard);
                        self.expect_value(&boolean(), &g, guard.span, false);
                    }
                    ends &= self.stmts(&case.body);
                    self.pop_scope();
                }
                let shapes: Vec<super::exhaustive::ArmShape<'_>> = cases
                    .iter()
                    .map(|c| super::exhaustive::ArmShape {
                        pattern: &c.pattern,
                        guarded: c.guard.is_some(),
                        span: c.span,
                    })
                    .collect();
                self.check_arms(&scrutinee_type, &shapes, stmt.span, "case _: …");
                ends
            }
            StmtKind::While(cond, body) => {
                let c = self.expr(cond);
                self.expect_value(&boolean(), &c, cond.span, false);
                self.block(body);
                always_true(cond)
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                self.push_scope();
                if let Some(init) = init {
                    self.stmt(init);
                }
                if let Some(cond) = cond {
                    let c = self.expr(cond);
                    self.expect_value(&boolean(), &c, cond.span, false);
                }
                if let Some(step) = step {
                    self.stmt(step);
                }
                self.block(body);
                self.pop_scope();
                cond.as_ref().is_none_or(|c| always_true(c))
            }
            StmtKind::ForIn {
                pattern,
                iter,
                body,
            } => {
                let it = self.expr(iter);
                self.push_scope();
                let elem = self.pattern(pattern);
                let reported = self.diagnostics.len();
                self.expect(&app("stream", elem), &it, iter.span);
                self.explain_iterated(&it, reported);
                self.block(body);
                self.pop_scope();
                false
            }
            StmtKind::Return(value) => {
                let t = match value {
                    Some(v) => self.expr(v),
                    None => null(),
                };
                match self.returns.last().cloned() {
                    Some(expected) => {
                        if let Some(v) = value {
                            self.value_site(&expected, &t, v.span, false);
                        }
                        self.expect(&expected, &t, stmt.span)
                    }
                    None => {
                        self.error(
                            codes::TYPE_MISMATCH,
                            "`return` outside a statement body",
                            stmt.span,
                        );
                    }
                }
                true
            }
            StmtKind::Expr(e) => {
                let t = self.expr(e);
                self.warn_if_discarded(e, &t);
                self.calls_fail(e)
            }
            StmtKind::Error => false,
        }
    }
}

impl Infer<'_> {
    /// Whether `e` calls the prelude's `fail` (not a local or definition of that name), which
    /// never returns.
    fn calls_fail(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Call(callee, _)
            if matches!(&callee.kind, ExprKind::Name(n) if &**n == "fail")
                && self.local("fail").is_none()
                && self.globals.is_prelude("fail"))
    }
}

fn assignment_root(target: &Expr) -> Option<&str> {
    match &target.kind {
        ExprKind::Name(n) => Some(n),
        ExprKind::Field(b, _)
        | ExprKind::DynField(b, _)
        | ExprKind::Index(b, _)
        | ExprKind::TupleIndex(b, ..) => assignment_root(b),
        _ => None,
    }
}

/// What to do about a body whose path runs out after `last`, its last statement.
fn missing_return_help(last: Option<&StmtKind>) -> &'static str {
    match last {
        Some(StmtKind::If { .. }) => {
            "when no branch of this `if` returns, the body goes on to its end: give it an \
             `else` that returns, or put a `return` after it"
        }
        Some(StmtKind::Switch { .. }) => {
            "an arm of this `switch` ends without `return`: end every arm with `return …` \
             (or `fail(…)`)"
        }
        Some(StmtKind::While(..) | StmtKind::For { .. } | StmtKind::ForIn { .. }) => {
            "the loop can finish, and the body goes on to its end: put a `return` after it"
        }
        Some(StmtKind::Expr(_)) => {
            "a statement's value is thrown away; the body gives only what `return` gives: \
             write `return …`"
        }
        _ => "end the body with `return …`",
    }
}

/// Whether `cond` is the literal `true` (a loop on it is left only by `return` or a failure:
/// Mix has no `break`).
fn always_true(cond: &Expr) -> bool {
    matches!(cond.kind, ExprKind::True)
}

impl Infer<'_> {
    /// `for (let x in xs)` over an array or a map: say which stream to iterate instead.
    fn explain_iterated(&mut self, iterated: &Ty, reported: usize) {
        let help = match self.subst.head(iterated) {
            Ty::Con(n, _) if &*n == "array" => {
                "`for … in` iterates a stream: write `array.valueRange(xs)` for the elements \
                 of an array (`array.toStreamPairs(xs)` for [index, element] pairs)"
            }
            Ty::Con(n, _) if &*n == "map" => {
                "`for … in` iterates a stream: write `map.indexRange(m)` for a map's keys, \
                 `map.valueRange(m)` for its values, `map.toStreamPairs(m)` for [key, value] pairs"
            }
            _ => return,
        };
        self.help_first_new(reported, None, help.to_string());
    }
}

impl Infer<'_> {
    /// W0210 for a statement whose value is all it does: a function never called (`addTodo(t);`
    /// where `addTodo` returns an `action { … }`: nothing runs), or a value with no effect
    /// (`x + 1` or a last `1` where `return 1` was meant: a block's result is what `return`
    /// gives).
    fn warn_if_discarded(&mut self, e: &Expr, t: &Ty) {
        let (message, help) = match self.subst.head(t) {
            Ty::Fun(..) => (
                "this function is never called: the statement throws it away",
                "call it; an `action { … }` runs only when called, `f(…)()`",
            ),
            head if has_no_effect(e) && head != null() => (
                "this value is computed and thrown away",
                "a statement's value is discarded; a block's result is what `return` gives \
                 (`return …`)",
            ),
            _ => return,
        };
        self.diagnostics.push(
            mix_diagnostics::Diagnostic::warning(codes::DISCARDED_VALUE, message, e.span)
                .with_help(help),
        );
    }
}

/// Whether evaluating `e` can do nothing but give its value: no call, no assertion, no index
/// that may fail.
fn has_no_effect(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Null
        | ExprKind::True
        | ExprKind::False
        | ExprKind::Undefined
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Name(_)
        | ExprKind::SelfRef
        | ExprKind::GlobalRef
        | ExprKind::Unit
        | ExprKind::Lambda(_) => true,
        ExprKind::Field(inner, _)
        | ExprKind::TupleIndex(inner, ..)
        | ExprKind::LabelIndex(inner, _)
        | ExprKind::Defined(inner)
        | ExprKind::Unary(_, inner)
        | ExprKind::Paren(inner)
        | ExprKind::TypeHint(inner, _) => has_no_effect(inner),
        ExprKind::Binary(op, a, b) => *op != BinOp::Pipe && has_no_effect(a) && has_no_effect(b),
        ExprKind::If(c, a, b) => has_no_effect(c) && has_no_effect(a) && has_no_effect(b),
        ExprKind::Array(items) => items.iter().all(has_no_effect),
        ExprKind::Record(fields) => fields
            .iter()
            .all(|f| f.value.as_ref().is_none_or(has_no_effect)),
        _ => false,
    }
}
