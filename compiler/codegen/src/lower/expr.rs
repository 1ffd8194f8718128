//! Expressions. `expr(e, dst)` leaves the value in `dst`; `operand(e)` returns a register
//! holding it (a local's own register when it is one, so reading a variable costs no move);
//! `tail(e)` returns the value from the function, turning calls in tail position into tail
//! calls.

use std::collections::BTreeMap;

use mix_check::infer::{has_short_projection, PlusKind};
use mix_diagnostics::Diagnostic;
use mix_runtime::qcode::{Instr, Reg};
use mix_syntax::ast::{self, BinOp, Expr, ExprKind, FieldKey, LetTarget, PathSeg, UnOp};

use super::{codes, Binding, Lowerer, Res, ROW};
use crate::builder::nth;
use crate::resolve::Global;

/// Items of an array literal built at once; longer literals are appended run by run.
const ARRAY_RUN: usize = 1024;

impl Lowerer<'_, '_> {
    /// A register holding `e`'s value: the local's own for a local name, else a new one.
    pub(super) fn operand(&mut self, e: &Expr) -> Res<Reg> {
        if let ExprKind::Int(i) = e.kind {
            if let Some(&(_, r)) = self.f().hoisted.iter().find(|(v, _)| *v == i) {
                return Ok(r);
            }
        }
        if let ExprKind::Name(n) = &e.kind {
            if let Some(Binding::Reg(r) | Binding::Var(r)) = self.lookup(n) {
                self.assert_narrowed(e, r);
                return Ok(r);
            }
        }
        let r = self.b().reg();
        self.expr(e, r)?;
        Ok(r)
    }

    /// `e` where a leading `.field` makes the whole expression a lambda over a row (call
    /// arguments, parentheses, definition and `let` right-hand sides).
    pub(super) fn short_scope(&mut self, e: &Expr, dst: Reg) -> Res<()> {
        if !has_short_projection(e) {
            return self.expr(e, dst);
        }
        self.function_of(vec![param(ROW, e.span)], e.clone(), None, e.span, dst)
    }

    pub(super) fn tail_short(&mut self, e: &Expr) -> Res<()> {
        if has_short_projection(e) {
            let r = self.b().reg();
            self.short_scope(e, r)?;
            self.emit(Instr::Return { src: r });
            return Ok(());
        }
        self.tail(e)
    }

    /// Ends the function with `e`'s value.
    pub(super) fn tail(&mut self, e: &Expr) -> Res<()> {
        // A value the checker narrows is tested in this frame, so it is not a tail call.
        let narrowed = self.narrowed(e).is_some();
        let tail_calls = self.f().tries == 0 && self.f().exits.is_empty() && !narrowed;
        match &e.kind {
            ExprKind::Call(callee, args) if tail_calls => {
                return self.call(callee, args, None, e);
            }
            ExprKind::Binary(BinOp::Pipe, x, f) if tail_calls => {
                if let Some((callee, args)) = pipe_call(x, f) {
                    return self.call(&callee, &args, None, e);
                }
            }
            ExprKind::If(c, t, f) => {
                let otherwise = self.branch(c, false)?;
                self.tail(t)?;
                for j in otherwise {
                    self.b().land(j);
                }
                return self.tail(f);
            }
            ExprKind::Let(binding, body, _) => {
                self.push_scope();
                self.let_binding(binding)?;
                let result = self.tail(body);
                self.pop_scope();
                return result;
            }
            ExprKind::Paren(inner) if !has_short_projection(inner) => return self.tail(inner),
            _ => {}
        }
        let r = self.operand(e)?;
        self.emit(Instr::Return { src: r });
        Ok(())
    }

    pub(super) fn expr(&mut self, e: &Expr, dst: Reg) -> Res<()> {
        let mark = self.b().mark();
        let result = self.expr_inner(e, dst);
        if result.is_ok() {
            self.assert_narrowed(e, dst);
        }
        self.b().release(mark);
        result
    }

    fn expr_inner(&mut self, e: &Expr, dst: Reg) -> Res<()> {
        match &e.kind {
            ExprKind::Null | ExprKind::Unit => {
                self.emit(Instr::LoadNull { dst });
            }
            ExprKind::Undefined => {
                self.emit(Instr::LoadUndefined { dst });
            }
            ExprKind::True | ExprKind::False => {
                self.emit(Instr::LoadBool {
                    dst,
                    value: matches!(e.kind, ExprKind::True),
                });
            }
            ExprKind::Int(i) => self.load_int(*i, dst),
            ExprKind::Float(f) => {
                let constant = self.prog.float(*f);
                self.emit(Instr::LoadConst { dst, constant });
            }
            ExprKind::Str(s) => {
                let constant = self.prog.string(s);
                self.emit(Instr::LoadConst { dst, constant });
            }
            ExprKind::Regex(s) => {
                let constant = self.prog.regex(s);
                self.emit(Instr::LoadConst { dst, constant });
            }
            ExprKind::Name(n) => self.name(n, e, dst)?,
            ExprKind::ShortField(field) => {
                let row = self.lookup(ROW).ok_or_else(|| {
                    Diagnostic::error(
                        codes::UNSUPPORTED,
                        "a `.field` projection needs an enclosing argument or parentheses",
                        e.span,
                    )
                })?;
                let r = self.b().reg();
                self.load_binding(&row, r);
                let key = self.prog.string(&field.name);
                self.emit(Instr::GetField { dst, obj: r, key });
            }
            ExprKind::Field(base, field) => {
                if let Some(path) = self.qualified_path(base) {
                    let mut full: Vec<&str> = path.iter().map(|s| &**s).collect();
                    full.push(&field.name);
                    return self.global_path(&full, e, dst);
                }
                let obj = self.operand(base)?;
                let key = self.prog.string(&field.name);
                self.at(e.span);
                self.emit(Instr::GetField { dst, obj, key });
            }
            ExprKind::DynField(base, key) => {
                let obj = self.operand(base)?;
                let key = self.operand(key)?;
                self.at(e.span);
                self.emit(Instr::GetDyn { dst, obj, key });
            }
            ExprKind::Index(base, index) => {
                let arr = self.operand(base)?;
                let index = self.operand(index)?;
                self.at(e.span);
                self.emit(Instr::GetIndex { dst, arr, index });
            }
            ExprKind::TupleIndex(base, i, _) => {
                let arr = self.operand(base)?;
                let index = self.b().reg();
                self.load_int(*i, index);
                self.at(e.span);
                self.emit(Instr::GetIndex { dst, arr, index });
            }
            ExprKind::Slice(base, from, to) => {
                let src = self.operand(base)?;
                let from = self.optional_operand(from.as_deref())?;
                let to = self.optional_operand(to.as_deref())?;
                self.at(e.span);
                self.emit(Instr::Slice { dst, src, from, to });
            }
            ExprKind::ToStream(base) => {
                let src = self.operand(base)?;
                self.emit(Instr::ToStream { dst, src });
            }
            ExprKind::Defined(inner) => match &inner.kind {
                ExprKind::Index(base, index) => {
                    let arr = self.operand(base)?;
                    let index = self.operand(index)?;
                    self.emit(Instr::HasIndex { dst, arr, index });
                }
                _ => {
                    let src = self.operand(inner)?;
                    self.emit(Instr::IsDefined { dst, src });
                }
            },
            ExprKind::Call(callee, args) => self.call(callee, args, Some(dst), e)?,
            ExprKind::Unary(UnOp::Neg, inner) => match inner.kind {
                ExprKind::Int(i) => self.load_int(i.wrapping_neg(), dst),
                ExprKind::Float(f) => {
                    let constant = self.prog.float(-f);
                    self.emit(Instr::LoadConst { dst, constant });
                }
                _ => {
                    let src = self.operand(inner)?;
                    self.at(e.span);
                    self.emit(Instr::Neg { dst, src });
                }
            },
            ExprKind::Unary(UnOp::Not, inner) => {
                let src = self.operand(inner)?;
                self.at(e.span);
                self.emit(Instr::Not { dst, src });
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e, dst)?,
            ExprKind::With(base, path, value) => {
                let target = self.operand(base)?;
                self.update(target, path, value, dst, e)?;
            }
            ExprKind::Lambda(arms) => self.lambda(arms, None, e.span, dst)?,
            ExprKind::If(c, t, f) => {
                let otherwise = self.branch(c, false)?;
                self.expr(t, dst)?;
                let end = self.b().jump(Instr::Jump { target: 0 });
                for j in otherwise {
                    self.b().land(j);
                }
                self.expr(f, dst)?;
                self.b().land(end);
            }
            ExprKind::Let(binding, body, _) => {
                self.push_scope();
                let result = self.let_binding(binding).and_then(|_| self.expr(body, dst));
                self.pop_scope();
                result?;
            }
            ExprKind::Try(inner) => {
                let handler = self.b().jump(Instr::TryStart { dst, handler: 0 });
                self.f().tries += 1;
                let r = self.b().reg();
                let result = self.expr(inner, r);
                self.f().tries -= 1;
                result?;
                self.emit(Instr::TryEnd);
                let name = self.prog.string("ok");
                self.emit(Instr::NewCase {
                    dst,
                    name,
                    arg: Some(r),
                });
                self.b().land(handler);
            }
            ExprKind::TypeHint(inner, _) => self.expr(inner, dst)?,
            ExprKind::TypeAssert(ty, inner) => {
                self.expr(inner, dst)?;
                self.at(e.span);
                self.assert_type(ty, dst)?;
            }
            ExprKind::Array(items) => self.array(items, e, dst)?,
            ExprKind::Record(fields) => self.record(fields, e, dst)?,
            ExprKind::Do(block) => self.do_block(block, dst)?,
            ExprKind::Paren(inner) => self.short_scope(inner, dst)?,
            ExprKind::Error => {
                return Err(Box::new(Diagnostic::error(
                    codes::UNSUPPORTED,
                    "this expression has a syntax error",
                    e.span,
                )))
            }
            ExprKind::Inverse(inner) => {
                // `c^` alone: a function of one argument.
                let name = match &inner.kind {
                    ExprKind::Name(n) => n.to_string(),
                    ExprKind::Field(_, f) => f.name.to_string(),
                    _ => return Err(Box::new(self.unsupported("this case inverse", e.span))),
                };
                let function = self.inverse_function(&name);
                self.emit(Instr::LoadFunction { dst, function });
            }
            ExprKind::Primitive(_) => {
                return Err(Box::new(self.unsupported("`$primitive`", e.span)))
            }
            ExprKind::SelfRef | ExprKind::GlobalRef => {
                return Err(Box::new(self.unsupported("`self`/`global` alone", e.span)))
            }
            ExprKind::LabelIndex(..) | ExprKind::Labeled(..) => {
                return Err(Box::new(self.unsupported("a labeled tuple", e.span)))
            }
            ExprKind::Prime(_) => return Err(Box::new(self.unsupported("a primed name", e.span))),
            ExprKind::TypeOf(ty) => {
                // The checker's `A -> T`: a function asserting its argument's type.
                const ARG: &str = " asserted";
                let arg = Expr::new(ExprKind::Name(ARG.into()), e.span);
                let body = Expr::new(ExprKind::TypeAssert(ty.clone(), Box::new(arg)), e.span);
                self.function_of(vec![param(ARG, e.span)], body, None, e.span, dst)?
            }
            ExprKind::Action(params, block) => {
                // A function of its parameters (of `null` when it has none) whose block sees the
                // capability `appstate` (see `name`); the runtime that shows the app calls it.
                let params = params.clone().unwrap_or_default();
                let body = Expr::new(ExprKind::Do(block.clone()), e.span);
                self.function_of(params, body, None, e.span, dst)?
            }
            ExprKind::EscJson(constant) => return self.esc_json(constant, dst, e.span),
            ExprKind::Spread(..) | ExprKind::Capture(..) | ExprKind::ParenList(_) => {
                return Err(Box::new(
                    self.unsupported("pattern syntax in an expression", e.span),
                ))
            }
        }
        Ok(())
    }

    pub(super) fn load_int(&mut self, i: i64, dst: Reg) {
        match i32::try_from(i) {
            Ok(value) => {
                self.emit(Instr::LoadInt { dst, value });
            }
            Err(_) => {
                let constant = self.prog.int(i);
                self.emit(Instr::LoadConst { dst, constant });
            }
        }
    }

    fn optional_operand(&mut self, e: Option<&Expr>) -> Res<Reg> {
        match e {
            Some(e) => self.operand(e),
            None => {
                let r = self.b().reg();
                self.emit(Instr::LoadNull { dst: r });
                Ok(r)
            }
        }
    }

    /// `m.x` where `m` names a module (not a local): the qualifier path.
    pub(super) fn qualified_path(&mut self, base: &Expr) -> Option<Vec<Box<str>>> {
        match &base.kind {
            ExprKind::Name(n) => {
                if self.lookup(n).is_some() || !self.resolver.is_module(n) {
                    return None;
                }
                Some(vec![n.clone()])
            }
            ExprKind::SelfRef => Some(vec!["self".into()]),
            ExprKind::GlobalRef => Some(vec!["global".into()]),
            ExprKind::Field(inner, field) => {
                let mut path = self.qualified_path(inner)?;
                path.push(field.name.clone());
                // `global.M` is module `M`, whatever local binding is named `M`.
                let module = match path.split_first() {
                    Some((first, rest)) if &**first == "global" => rest.join("."),
                    _ => path.join("."),
                };
                self.resolver.is_module(&module).then_some(path)
            }
            _ => None,
        }
    }

    fn name(&mut self, n: &str, e: &Expr, dst: Reg) -> Res<()> {
        if let Some(binding) = self.lookup(n) {
            self.load_name(n, &binding, e.span, dst);
            return Ok(());
        }
        if matches!(n, "appstate" | "_") {
            // The capability inside an `action` (the checker binds these names there and
            // nowhere else): this runtime's writes accept any value, and `mixc run` passes
            // `null` to `main(appstate)`, so it is `null` here too.
            self.emit(Instr::LoadNull { dst });
            return Ok(());
        }
        self.global_path(&[n], e, dst)
    }

    /// A module-level name as a value.
    pub(super) fn global_path(&mut self, path: &[&str], e: &Expr, dst: Reg) -> Res<()> {
        let path: Vec<&str> = match path {
            ["self" | "global", rest @ ..] if !rest.is_empty() => rest.to_vec(),
            _ => path.to_vec(),
        };
        let global = self.resolver.value(&path).ok_or_else(|| {
            Diagnostic::error(
                codes::MISSING_DEFINITION,
                format!("`{}` is not defined", path.join(".")),
                e.span,
            )
        })?;
        match global {
            Global::Def(key) => {
                let slot = self.slot(&key, e)?;
                self.load_slot(slot, dst, e);
            }
            Global::Case(name) => {
                if self.resolver.case_has_arg(&name) {
                    let function = self.constructor_function(&name);
                    self.emit(Instr::LoadFunction { dst, function });
                } else {
                    let name = self.prog.string(&name);
                    self.emit(Instr::NewCase {
                        dst,
                        name,
                        arg: None,
                    });
                }
            }
            Global::Prelude(p) => {
                let function = self.prelude_function(p, e)?;
                self.emit(Instr::LoadFunction { dst, function });
            }
        }
        Ok(())
    }

    pub(super) fn load_slot(&mut self, slot: crate::program::Slot, dst: Reg, e: &Expr) {
        use crate::program::Slot;
        match slot {
            Slot::Function { index, .. } => {
                self.emit(Instr::LoadFunction {
                    dst,
                    function: index,
                });
            }
            Slot::Global { index } => {
                self.at(e.span);
                self.emit(Instr::LoadGlobal { dst, global: index });
            }
            Slot::Native { index, arity: 0 } => {
                self.emit(Instr::CallNative {
                    dst,
                    native: index,
                    args: dst,
                    argc: 0,
                });
            }
            Slot::Native { index, .. } => {
                self.emit(Instr::LoadNative { dst, native: index });
            }
        }
    }

    pub(super) fn slot(
        &mut self,
        key: &crate::resolve::DefKey,
        e: &Expr,
    ) -> Res<crate::program::Slot> {
        // A definition whose `+` waits for its operands' types, used here at known types,
        // compiles to an instance for them.
        let key = crate::resolve::DefKey {
            instance: self.instances.get(&(e.span.start, e.span.end)).cloned(),
            ..key.clone()
        };
        self.prog
            .slot(&key)
            .map_err(|m| Box::new(Diagnostic::error(codes::MISSING_DEFINITION, m, e.span)))
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, e: &Expr, dst: Reg) -> Res<()> {
        match op {
            BinOp::Pipe => {
                // `x |> type(T)` asserts `x`'s type.
                if let ExprKind::TypeOf(ty) = &b.kind {
                    self.expr(a, dst)?;
                    self.at(b.span);
                    return self.assert_type(ty, dst);
                }
                if let Some((callee, args)) = pipe_call(a, b) {
                    return self.call(&callee, &args, Some(dst), e);
                }
                let f = self.b().reg();
                self.short_scope(b, f)?;
                let x = self.b().reg();
                self.expr(a, x)?;
                self.at(e.span);
                self.emit(Instr::Call {
                    dst,
                    callee: f,
                    args: x,
                    argc: 1,
                });
                return Ok(());
            }
            BinOp::And | BinOp::Or => {
                // Short-circuit on a decided left side, Kleene's table otherwise.
                let left = self.b().reg();
                self.expr(a, left)?;
                let done = if op == BinOp::And {
                    self.b().jump(Instr::JumpIfFalse {
                        cond: left,
                        target: 0,
                    })
                } else {
                    self.b().jump(Instr::JumpIfTrue {
                        cond: left,
                        target: 0,
                    })
                };
                let right = self.operand(b)?;
                self.emit(if op == BinOp::And {
                    Instr::KleeneAnd {
                        dst,
                        a: left,
                        b: right,
                    }
                } else {
                    Instr::KleeneOr {
                        dst,
                        a: left,
                        b: right,
                    }
                });
                let end = self.b().jump(Instr::Jump { target: 0 });
                self.b().land(done);
                self.emit(Instr::Move { dst, src: left });
                self.b().land(end);
                return Ok(());
            }
            _ => {}
        }
        if let ExprKind::Int(i) = b.kind {
            if let Some(value) = self.immediate_operand(e, op, i) {
                let x = self.operand(a)?;
                self.at(e.span);
                self.emit(if op == BinOp::Rem {
                    Instr::RemInt { dst, a: x, value }
                } else {
                    Instr::AddInt { dst, a: x, value }
                });
                return Ok(());
            }
        }
        if op == BinOp::Add && self.joins_in_place(e) && self.narrowed(a).is_none() {
            if let Some(own) = self.last_read(a) {
                return self.join_moved(own, b, e, dst);
            }
        }
        if op == BinOp::Add && self.prepends(e) && self.narrowed(b).is_none() {
            if let Some(own) = self.prepended_to(b, dst) {
                return self.prepend_moved(a, own, e, dst);
            }
        }
        let x = self.operand(a)?;
        let before_right = self.b().mark();
        // The instruction may take its left operand out of `dst`; keep the right one apart
        // (unless both are `dst`: the right one is read before the left one is taken).
        let y = if x == dst {
            self.operand(b)?
        } else {
            self.operand_apart_from(b, dst)?
        };
        // A register allocated for the right side is a temporary nothing reads again; a
        // name's register (or a hoisted constant's) was allocated before.
        let right_is_temporary = u32::from(y) >= before_right;
        self.at(e.span);
        let (a, b) = (x, y);
        let instr = match op {
            // `[x] + f(…)`: the call's result moves into the join, which puts `[x]` in front
            // of it in place (a `var` on the left, `xs = xs + f(…)`, is extended in place
            // instead).
            BinOp::Add if right_is_temporary && a != dst && self.prepends(e) => {
                Instr::ArrayPrepend { dst, a, b }
            }
            BinOp::Add => self.join(e, dst, a, b),
            BinOp::Sub => Instr::Sub { dst, a, b },
            BinOp::Mul => Instr::Mul { dst, a, b },
            BinOp::Div => Instr::Div { dst, a, b },
            BinOp::Rem => Instr::Rem { dst, a, b },
            BinOp::Append => Instr::StreamAppend { dst, a, b },
            // Every other operator is a comparison (the rest were handled above).
            op => match super::branch::cmp_op(op) {
                Some(op) => Instr::Compare { op, dst, a, b },
                None => unreachable!("`{}` is handled above", op.text()),
            },
        };
        self.emit(instr);
        Ok(())
    }

    /// Whether `e`, a `+`, joins arrays, strings or maps (which extend their left operand in
    /// place when it is held once), also as a `+` decided at run time.
    pub(super) fn joins_in_place(&self, e: &Expr) -> bool {
        matches!(
            self.plus_kind(e).unwrap_or(PlusKind::Dynamic),
            PlusKind::Array | PlusKind::Concat | PlusKind::Map | PlusKind::Dynamic
        )
    }

    /// `p + b` where this is the last read of parameter `p` (in register `own`): the value
    /// moves out of the register into the join, which then extends it in place when nothing
    /// else holds it (a reduction's accumulator, passed by moving). The right side is
    /// computed first: reading a register has no effect to order, and `dst` may be its
    /// register.
    fn join_moved(&mut self, own: Reg, b: &Expr, e: &Expr, dst: Reg) -> Res<()> {
        let y = self.operand_apart_from(b, dst)?;
        self.at(e.span);
        self.emit(Instr::Take { dst, src: own });
        let join = self.join(e, dst, dst, y);
        self.emit(join);
        Ok(())
    }

    /// `e`'s register as [`Self::operand`] gives it, copied to a fresh one if that is `taken`,
    /// a register the instruction using it moves out of or overwrites first.
    fn operand_apart_from(&mut self, e: &Expr, taken: Reg) -> Res<Reg> {
        let r = self.operand(e)?;
        if r != taken {
            return Ok(r);
        }
        let copy = self.b().reg();
        self.emit(Instr::Move { dst: copy, src: r });
        Ok(copy)
    }

    /// Whether `e`, a `+`, may join arrays, which `ArrayPrepend` can do at the front of its
    /// right operand: typed so, or decided at run time.
    fn prepends(&self, e: &Expr) -> bool {
        matches!(
            self.plus_kind(e).unwrap_or(PlusKind::Dynamic),
            PlusKind::Array | PlusKind::Dynamic
        )
    }

    /// The register of `b`, the right side of an array `+` (or one decided at run time), when
    /// its value is not read again and so can be prepended to in place: the `var` the
    /// statement assigns (`xs = [x] + xs`, where `dst` is its register) or a parameter's last
    /// read (`[x] + acc`).
    fn prepended_to(&mut self, b: &Expr, dst: Reg) -> Option<Reg> {
        let ExprKind::Name(n) = &b.kind else {
            return None;
        };
        match self.lookup(n)? {
            Binding::Var(r) if r == dst => Some(r),
            Binding::Reg(r) if self.is_read_once(n, r) => Some(r),
            _ => None,
        }
    }

    /// `a + b` on arrays where `b`'s value, in register `own`, moves into the join
    /// (`ArrayPrepend`), which puts `a`'s elements in front of it in place when nothing else
    /// holds it.
    fn prepend_moved(&mut self, a: &Expr, own: Reg, e: &Expr, dst: Reg) -> Res<()> {
        // `xs = xs + xs`: the left side must survive the move
        let x = self.operand_apart_from(a, own)?;
        self.at(e.span);
        let y = if own == dst {
            own
        } else {
            let y = self.b().reg();
            self.emit(Instr::Take { dst: y, src: own });
            y
        };
        self.emit(Instr::ArrayPrepend { dst, a: x, b: y });
        Ok(())
    }

    /// The instruction for `e`, a `+`, as `dst = a + b`: typed by the checker, `AddDyn` where
    /// it is decided at run time.
    pub(super) fn join(&self, e: &Expr, dst: Reg, a: Reg, b: Reg) -> Instr {
        match self.plus_kind(e).unwrap_or(PlusKind::Dynamic) {
            PlusKind::Array => Instr::ArrayConcat { dst, a, b },
            PlusKind::Map => Instr::MapMerge { dst, a, b },
            PlusKind::Concat => Instr::Concat { dst, a, b },
            PlusKind::Number => Instr::AddNum { dst, a, b },
            PlusKind::Dynamic => Instr::AddDyn { dst, a, b },
        }
    }

    /// The constant an `AddInt` or `RemInt` carries inline when `e` is `x op i`: `x + 1` on
    /// numbers, `x - 1` (as `x + -1`) and `x % 7` (never `% 0`, which takes the general path).
    pub(super) fn immediate_operand(&self, e: &Expr, op: BinOp, i: i64) -> Option<i32> {
        match op {
            BinOp::Add if self.plus_kind(e) == Some(PlusKind::Number) => i32::try_from(i).ok(),
            BinOp::Sub => i.checked_neg().and_then(|n| i32::try_from(n).ok()),
            BinOp::Rem if i != 0 => i32::try_from(i).ok(),
            _ => None,
        }
    }

    pub(super) fn plus_kind(&self, e: &Expr) -> Option<PlusKind> {
        self.plus.get(&(e.span.start, e.span.end)).copied()
    }

    /// An array literal. A long one (generated data tables) is built in runs of
    /// [`ARRAY_RUN`] items appended to an accumulator, so its registers stay few.
    fn array(&mut self, items: &[ast::Expr], e: &ast::Expr, dst: Reg) -> Res<()> {
        if items.len() <= ARRAY_RUN {
            return self.array_run(items, e, dst);
        }
        // built apart from `dst`: it may be a `var` that the items read
        let mark = self.b().mark();
        let acc = self.b().reg();
        let run = self.b().reg();
        for (k, chunk) in items.chunks(ARRAY_RUN).enumerate() {
            if k == 0 {
                self.array_run(chunk, e, acc)?;
            } else {
                self.array_run(chunk, e, run)?;
                self.emit(Instr::ArrayConcat {
                    dst: acc,
                    a: acc,
                    b: run,
                });
            }
        }
        self.emit(Instr::Move { dst, src: acc });
        self.b().release(mark);
        Ok(())
    }

    fn array_run(&mut self, items: &[ast::Expr], e: &ast::Expr, dst: Reg) -> Res<()> {
        let mark = self.b().mark();
        let first = self.b().regs(items.len());
        for (i, item) in items.iter().enumerate() {
            self.expr(item, nth(first, i))?;
        }
        self.at(e.span);
        self.emit(Instr::NewArray {
            dst,
            items: first,
            count: items.len() as u16,
        });
        self.b().release(mark);
        Ok(())
    }

    fn record(&mut self, fields: &[ast::RecordField], e: &Expr, dst: Reg) -> Res<()> {
        // Static keys in sorted order (the last of a repeated key wins); computed keys after.
        let mut by_key: BTreeMap<String, &ast::RecordField> = BTreeMap::new();
        let mut computed = Vec::new();
        for f in fields {
            match &f.key {
                FieldKey::Name(n) | FieldKey::Short(n) => {
                    by_key.insert(n.name.to_string(), f);
                }
                FieldKey::Computed(k) => computed.push((k, f)),
            }
        }
        let keyed: Vec<(String, &ast::RecordField)> = by_key.into_iter().collect();
        let first = self.b().regs(keyed.len());
        for (i, (k, f)) in keyed.iter().enumerate() {
            let r = nth(first, i);
            match (&f.key, &f.value) {
                (_, Some(v)) => self.expr(v, r)?,
                (FieldKey::Short(n), None) => {
                    let field = ast::Expr::new(ExprKind::ShortField(n.clone()), f.span);
                    self.expr(&field, r)?
                }
                (_, None) => {
                    let name = ast::Expr::new(ExprKind::Name(k.as_str().into()), f.span);
                    self.expr(&name, r)?
                }
            }
        }
        let keys = self
            .prog
            .keys(keyed.iter().map(|(k, _)| k.clone()).collect());
        self.at(e.span);
        self.emit(Instr::NewRecord {
            dst,
            keys,
            values: first,
        });
        for (k, f) in computed {
            let key = self.operand(k)?;
            let value = match &f.value {
                Some(v) => self.operand(v)?,
                None => {
                    return Err(Box::new(
                        self.unsupported("a computed key without value", f.span),
                    ))
                }
            };
            self.emit(Instr::SetDyn {
                dst,
                obj: dst,
                key,
                value,
            });
        }
        Ok(())
    }

    /// `target with path = value` into `dst`: read down the path, write back up it.
    pub(super) fn update(
        &mut self,
        target: Reg,
        path: &[PathSeg],
        value: &Expr,
        dst: Reg,
        e: &Expr,
    ) -> Res<()> {
        let Some((first, rest)) = path.split_first() else {
            return self.expr(value, dst);
        };
        let inner = self.b().reg();
        if rest.is_empty() {
            self.expr(value, inner)?;
        } else {
            let current = self.b().reg();
            self.read_segment(target, first, current, e)?;
            self.update(current, rest, value, inner, e)?;
        }
        self.at(e.span);
        match first {
            PathSeg::Field(name) => {
                let key = self.prog.string(&name.name);
                self.emit(Instr::SetField {
                    dst,
                    obj: target,
                    key,
                    value: inner,
                });
            }
            PathSeg::Dyn(k) => {
                let key = self.operand(k)?;
                self.emit(Instr::SetDyn {
                    dst,
                    obj: target,
                    key,
                    value: inner,
                });
            }
            PathSeg::Index(i) => {
                let index = self.operand(i)?;
                self.emit(Instr::SetIndex {
                    dst,
                    arr: target,
                    index,
                    value: inner,
                });
            }
        }
        Ok(())
    }

    fn read_segment(&mut self, obj: Reg, seg: &PathSeg, dst: Reg, e: &Expr) -> Res<()> {
        self.at(e.span);
        match seg {
            PathSeg::Field(name) => {
                let key = self.prog.string(&name.name);
                self.emit(Instr::GetField { dst, obj, key });
            }
            PathSeg::Dyn(k) => {
                let key = self.operand(k)?;
                self.emit(Instr::GetDyn { dst, obj, key });
            }
            PathSeg::Index(i) => {
                let index = self.operand(i)?;
                self.emit(Instr::GetIndex {
                    dst,
                    arr: obj,
                    index,
                });
            }
        }
        Ok(())
    }

    /// `let p = e` and `let f(a, b) = e`, bound in the current scope.
    pub(super) fn let_binding(&mut self, binding: &ast::LetBinding) -> Res<()> {
        match &binding.target {
            LetTarget::Function(name, params) => {
                let r = self.b().reg();
                let body = binding.value.clone();
                self.function_of(params.clone(), body, Some(&name.name), binding.span, r)?;
                self.bind(&name.name, Binding::Reg(r));
            }
            LetTarget::Pattern(p) => {
                let r = self.b().reg();
                self.short_scope(&binding.value, r)?;
                let mut fails = Vec::new();
                self.pattern(p, r, &mut fails)?;
                if !fails.is_empty() {
                    let end = self.b().jump(Instr::Jump { target: 0 });
                    for f in fails {
                        self.b().land(f);
                    }
                    self.at(binding.span);
                    self.emit(Instr::MatchFail { src: r });
                    self.b().land(end);
                }
            }
        }
        Ok(())
    }
}

/// `x |> f(a)` as the call `f(a, x)`, when the right side is a call without a short
/// projection (which would make it a lambda instead).
pub(super) fn pipe_call(x: &Expr, f: &Expr) -> Option<(Expr, Vec<Expr>)> {
    if has_short_projection(f) {
        return None;
    }
    match &f.kind {
        ExprKind::Call(callee, args) => {
            let mut all = args.clone();
            all.push(x.clone());
            Some(((**callee).clone(), all))
        }
        _ => Some((f.clone(), vec![x.clone()])),
    }
}

/// A parameter binding `name`.
fn param(name: &str, span: mix_diagnostics::Span) -> ast::Pattern {
    ast::Pattern::new(ast::PatternKind::Bind(name.into()), span)
}
