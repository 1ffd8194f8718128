//! Statement bodies: `{ … }` definition bodies and `do { … }` blocks. A body's `var`s live in
//! registers (closures may not capture them, so no boxes are needed); `return` leaves the
//! function, or the innermost `do` block.

use mix_check::infer::has_short_projection;
use mix_diagnostics::Diagnostic;
use mix_diagnostics::Span;
use mix_runtime::qcode::{Instr, Reg};
use mix_syntax::ast::{BinOp, Block, Expr, ExprKind, FieldName, PathSeg, Stmt, StmtKind};
use mix_syntax::walk::{children, mentions, Node};

use super::{codes, Binding, Exit, Lowerer, Res};

impl Lowerer<'_, '_> {
    /// A definition's `{ … }` body: falling off the end returns `null`.
    pub(super) fn body_block(&mut self, block: &Block) -> Res<()> {
        self.stmts(&block.stmts)?;
        let r = self.b().reg();
        self.emit(Instr::LoadNull { dst: r });
        self.emit(Instr::Return { src: r });
        Ok(())
    }

    /// `do { … }`: its `return` value, or `null`.
    pub(super) fn do_block(&mut self, block: &Block, dst: Reg) -> Res<()> {
        let tries = self.f().tries;
        self.f().exits.push(Exit {
            dst,
            jumps: Vec::new(),
            tries,
        });
        let result = self.stmts(&block.stmts);
        let exit = self.f().exits.pop().expect("the do block's exit");
        result?;
        self.emit(Instr::LoadNull { dst });
        for j in exit.jumps {
            self.b().land(j);
        }
        Ok(())
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> Res<()> {
        let mark = self.b().mark();
        self.push_scope();
        let result = stmts.iter().try_for_each(|s| self.stmt(s));
        self.pop_scope();
        self.b().release(mark);
        result
    }

    fn stmt(&mut self, s: &Stmt) -> Res<()> {
        self.at(s.span);
        match &s.kind {
            StmtKind::Let(binding) => self.let_binding(binding)?,
            StmtKind::Var { name, value, .. } => {
                let r = self.b().reg();
                self.short_scope(value, r)?;
                self.at(s.span);
                if !self.never_undefined(value) {
                    self.emit(Instr::CheckStorable { src: r });
                }
                self.bind(&name.name, Binding::Var(r));
            }
            StmtKind::Assign { target, value } => self.assign(target, value, s)?,
            StmtKind::If {
                branches,
                otherwise,
            } => {
                let mut ends = Vec::new();
                for (cond, body) in branches {
                    let next = self.branch(cond, false)?;
                    self.stmts(&body.stmts)?;
                    ends.push(self.b().jump(Instr::Jump { target: 0 }));
                    for j in next {
                        self.b().land(j);
                    }
                }
                if let Some(body) = otherwise {
                    self.stmts(&body.stmts)?;
                }
                for end in ends {
                    self.b().land(end);
                }
            }
            StmtKind::Switch { scrutinee, cases } => {
                let mark = self.b().mark();
                let v = self.b().reg();
                self.expr(scrutinee, v)?;
                let mut ends = Vec::new();
                for case in cases {
                    let case_mark = self.b().mark();
                    self.push_scope();
                    let mut fails = Vec::new();
                    self.pattern(&case.pattern, v, &mut fails)?;
                    if let Some(guard) = &case.guard {
                        fails.extend(self.branch(guard, false)?);
                    }
                    self.stmts(&case.body)?;
                    ends.push(self.b().jump(Instr::Jump { target: 0 }));
                    self.pop_scope();
                    self.b().release(case_mark);
                    for f in fails {
                        self.b().land(f);
                    }
                }
                self.at(s.span);
                self.emit(Instr::MatchFail { src: v });
                for end in ends {
                    self.b().land(end);
                }
                self.b().release(mark);
            }
            StmtKind::While(cond, body) => {
                let mark = self.b().mark();
                let hoisted = self.hoist_constants(&[Node::Expr(cond), Node::Block(body)]);
                // Rotated: the test sits at the bottom, one branch per iteration.
                let to_test = self.b().jump(Instr::Jump { target: 0 });
                let top = self.b().here();
                self.stmts(&body.stmts)?;
                self.b().land(to_test);
                for j in self.branch(cond, true)? {
                    self.b().retarget(j, top);
                }
                self.unhoist(hoisted);
                self.b().release(mark);
            }
            StmtKind::For {
                init,
                cond,
                step,
                body,
            } => {
                let mark = self.b().mark();
                self.push_scope();
                if let Some(init) = init {
                    self.stmt(init)?;
                }
                let mut nodes = vec![Node::Block(body)];
                nodes.extend(cond.iter().map(|c| Node::Expr(c)));
                nodes.extend(step.iter().map(|s| Node::Stmt(s)));
                let hoisted = self.hoist_constants(&nodes);
                let to_test = self.b().jump(Instr::Jump { target: 0 });
                let top = self.b().here();
                self.stmts(&body.stmts)?;
                if let Some(step) = step {
                    self.stmt(step)?;
                }
                self.b().land(to_test);
                match cond {
                    Some(cond) => {
                        for j in self.branch(cond, true)? {
                            self.b().retarget(j, top);
                        }
                    }
                    None => {
                        self.emit(Instr::Jump { target: top });
                    }
                }
                self.unhoist(hoisted);
                self.pop_scope();
                self.b().release(mark);
            }
            StmtKind::ForIn {
                pattern,
                iter,
                body,
            } => {
                let mark = self.b().mark();
                let it = self.b().reg();
                let src = self.operand(iter)?;
                self.emit(Instr::IterStart { dst: it, src });
                let item = self.b().reg();
                let top = self.b().here();
                let done = self.b().jump(Instr::IterNext {
                    dst: item,
                    iter: it,
                    done: 0,
                });
                self.push_scope();
                let mut fails = Vec::new();
                self.pattern(pattern, item, &mut fails)?;
                let matched = self.b().jump(Instr::Jump { target: 0 });
                for f in fails {
                    self.b().land(f);
                }
                self.emit(Instr::MatchFail { src: item });
                self.b().land(matched);
                self.stmts(&body.stmts)?;
                self.pop_scope();
                self.emit(Instr::Jump { target: top });
                self.b().land(done);
                self.b().release(mark);
            }
            StmtKind::Return(value) => self.return_stmt(value.as_deref(), s)?,
            StmtKind::Expr(e) => {
                let mark = self.b().mark();
                let r = self.b().reg();
                self.expr(e, r)?;
                self.b().release(mark);
            }
            StmtKind::LetAlias(..) => {
                return Err(Box::new(self.unsupported("`let alias`", s.span)))
            }
            StmtKind::Error => {
                return Err(Box::new(Diagnostic::error(
                    codes::UNSUPPORTED,
                    "this statement has a syntax error",
                    s.span,
                )))
            }
        }
        Ok(())
    }

    fn return_stmt(&mut self, value: Option<&Expr>, s: &Stmt) -> Res<()> {
        let open_tries = self.f().tries;
        match self.f().exits.last().map(|e| (e.dst, e.tries)) {
            Some((dst, tries_at_entry)) => {
                match value {
                    Some(v) => self.expr(v, dst)?,
                    None => {
                        self.emit(Instr::LoadNull { dst });
                    }
                }
                for _ in tries_at_entry..open_tries {
                    self.emit(Instr::TryEnd);
                }
                let jump = self.b().jump(Instr::Jump { target: 0 });
                self.f().exits.last_mut().expect("exit").jumps.push(jump);
            }
            None if open_tries == 0 => match value {
                Some(v) => self.tail(v)?,
                None => {
                    let r = self.b().reg();
                    self.emit(Instr::LoadNull { dst: r });
                    self.emit(Instr::Return { src: r });
                }
            },
            None => {
                let r = self.b().reg();
                match value {
                    Some(v) => self.expr(v, r)?,
                    None => {
                        self.emit(Instr::LoadNull { dst: r });
                    }
                }
                for _ in 0..open_tries {
                    self.emit(Instr::TryEnd);
                }
                self.at(s.span);
                self.emit(Instr::Return { src: r });
            }
        }
        Ok(())
    }

    /// Loads the integer constants a loop uses as register operands into registers once,
    /// before the loop (at most 8); returns how many it added.
    fn hoist_constants(&mut self, nodes: &[Node<'_>]) -> usize {
        let mut found: Vec<i64> = Vec::new();
        let mut stack: Vec<Node<'_>> = nodes.to_vec();
        let mut children = Vec::new();
        while let Some(node) = stack.pop() {
            if let Node::Expr(e) = node {
                match &e.kind {
                    // A lambda's body runs in another function.
                    ExprKind::Lambda(_) => continue,
                    ExprKind::Binary(op, a, b) => {
                        // A constant the instruction carries inline needs no register.
                        let immediate_right = match b.kind {
                            ExprKind::Int(i) => {
                                self.immediate_operand(e, *op, i).is_some()
                                    || (op.is_comparison() && i16::try_from(i).is_ok())
                            }
                            _ => false,
                        };
                        for (side, immediate) in [(a, false), (b, immediate_right)] {
                            if let ExprKind::Int(i) = side.kind {
                                if !immediate && !found.contains(&i) && found.len() < 8 {
                                    found.push(i);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            children.clear();
            mix_syntax::walk::children(node, &mut children);
            stack.extend(children.iter().copied());
        }
        for &value in &found {
            let r = self.b().reg();
            self.load_int(value, r);
            self.f().hoisted.push((value, r));
        }
        found.len()
    }

    fn unhoist(&mut self, count: usize) {
        let hoisted = &mut self.f().hoisted;
        hoisted.truncate(hoisted.len() - count);
    }

    /// Whether `e` can be shown, without types, never to be `undefined` (so storing it in a
    /// `var` needs no check): literals, `var`s (checked when stored) and arithmetic on those.
    fn never_undefined(&mut self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Null
            | ExprKind::True
            | ExprKind::False
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Unit
            | ExprKind::Array(_)
            | ExprKind::Record(_)
            | ExprKind::Lambda(_) => true,
            ExprKind::Name(n) => matches!(self.lookup(n), Some(Binding::Var(_))),
            ExprKind::Paren(inner) | ExprKind::TypeHint(inner, _) => self.never_undefined(inner),
            ExprKind::Unary(_, inner) => self.never_undefined(inner),
            ExprKind::Binary(op, a, b) if !matches!(op, mix_syntax::ast::BinOp::Pipe) => {
                self.never_undefined(a) && self.never_undefined(b)
            }
            _ => false,
        }
    }

    /// `x = e` and path assignments `r.a[2].b = e` (a copy of `r` with that path replaced).
    fn assign(&mut self, target: &Expr, value: &Expr, s: &Stmt) -> Res<()> {
        let mut path = Vec::new();
        let mut root = target;
        loop {
            match &root.kind {
                ExprKind::Field(base, field) => {
                    path.push(PathSeg::Field(field.clone()));
                    root = base;
                }
                ExprKind::Index(base, index) => {
                    path.push(PathSeg::Index((**index).clone()));
                    root = base;
                }
                ExprKind::DynField(base, key) => {
                    path.push(PathSeg::Dyn((**key).clone()));
                    root = base;
                }
                ExprKind::Paren(inner) => root = inner,
                _ => break,
            }
        }
        path.reverse();
        let ExprKind::Name(name) = &root.kind else {
            return Err(Box::new(Diagnostic::error(
                codes::NOT_ASSIGNABLE,
                "only a `var` (or a path inside one) can be assigned",
                target.span,
            )));
        };
        let Some(Binding::Var(r)) = self.lookup(name) else {
            return Err(Box::new(
                Diagnostic::error(
                    codes::NOT_ASSIGNABLE,
                    format!("`{name}` is not a `var`, so it cannot be assigned"),
                    target.span,
                )
                .with_help(format!("declare it with `var {name} = …`")),
            ));
        };
        let mark = self.b().mark();
        if path.is_empty() && self.append_to_own_field(name, r, value)? {
            self.b().release(mark);
            return Ok(());
        }
        if path.is_empty() {
            // Inside a `try` of this function the old value must survive a failed call.
            if self.f().tries == 0 && !has_short_projection(value) {
                self.f().taken = taken_argument(value, name).map(|at| (at, r));
            }
            let lowered = self.short_scope(value, r);
            self.f().taken = None;
            lowered?;
        } else {
            let whole = Expr::new(
                ExprKind::With(
                    Box::new(root.clone()),
                    path.clone(),
                    Box::new(value.clone()),
                ),
                s.span,
            );
            self.update(r, &path, value, r, &whole)?;
        }
        self.at(s.span);
        if !path.is_empty() || !self.never_undefined(value) {
            self.emit(Instr::CheckStorable { src: r });
        }
        self.b().release(mark);
        Ok(())
    }
}

impl Lowerer<'_, '_> {
    /// `x = x with .f = x.f + e` (an array, string or map joined onto a field of a `var`
    /// record, the usual way to grow state in a loop), also as one step of a chain (`st = st
    /// with .n = st.n + 1 with .log = st.log + [e]`): the record is updated in place, step by
    /// step, and a joined field is read, then cleared in the record before the join, so the
    /// joined value is held once and grows in place, where reading it left the record holding
    /// it too and the join copied it every time.
    ///
    /// Made only where nothing can see the difference: each step sets another field, reads
    /// `x` only as fields no earlier step set (so it sees the old record's, as the chain of
    /// copies would), and a join's other operand does not mention `x`; no `try` of this
    /// function is open (a failure leaves the frame, so a half-updated `x` is never read).
    /// `false` when the statement is not of this form or joins no field.
    fn append_to_own_field(&mut self, name: &str, record: Reg, value: &Expr) -> Res<bool> {
        let Some(steps) = self.own_field_steps(name, value) else {
            return Ok(false);
        };
        if !steps.iter().any(|s| s.join.is_some()) {
            return Ok(false);
        }
        for step in steps {
            match step.join {
                None => self.update(record, step.path, step.value, record, step.whole)?,
                Some((read, rest)) => self.join_in_place(record, step, read, rest)?,
            }
        }
        Ok(true)
    }

    /// The steps of `x with .f1 = e1 with .f2 = e2 …` in order, when they can update `x` in
    /// place (see [`Self::append_to_own_field`]).
    fn own_field_steps<'e>(&mut self, name: &str, value: &'e Expr) -> Option<Vec<FieldStep<'e>>> {
        if self.f().tries > 0 {
            return None;
        }
        let mut steps = Vec::new();
        let mut current = value;
        while let ExprKind::With(base, path, new) = &current.kind {
            let only_fields = path.iter().all(|s| matches!(s, PathSeg::Field(_)));
            if !only_fields
                || path.is_empty()
                || self.narrowed(current).is_some()
                || has_short_projection(new)
            {
                return None;
            }
            steps.push(FieldStep {
                path,
                value: new,
                whole: current,
                join: None,
            });
            current = base;
        }
        if !matches!(&current.kind, ExprKind::Name(n) if &**n == name) || steps.is_empty() {
            return None;
        }
        steps.reverse();
        // the fields of `x` the steps set (the first of each path): a later step may not read
        // them, nor set them again
        let mut set: Vec<&str> = Vec::with_capacity(steps.len());
        for step in &mut steps {
            if set.contains(&step.first_field()) {
                return None;
            }
            step.join = self.own_field_join(name, step);
            let reads_old_fields = match step.join {
                Some((_, rest)) => !mentions(rest, name),
                None => reads_only_fields(step.value, name, &set),
            };
            if !reads_old_fields {
                return None;
            }
            set.push(step.first_field());
        }
        Some(steps)
    }

    /// `x.f…` and the other operand when a step sets the path `f…` to `x.f… + e` joining an
    /// array, string or map.
    fn own_field_join<'e>(&self, name: &str, step: &FieldStep<'e>) -> Option<(&'e Expr, &'e Expr)> {
        let ExprKind::Binary(BinOp::Add, read, rest) = &step.value.kind else {
            return None;
        };
        let reads_own_path = reads_path(read, name, step.fields());
        let joins = self.joins_in_place(step.value);
        (reads_own_path && joins && self.narrowed(read).is_none()).then_some((&**read, &**rest))
    }

    /// Sets `step`'s path in `record` to `read + rest`, joined in place: each record on the
    /// way is taken out of its parent (and its place cleared) and the field itself cleared
    /// while `rest` is computed, so the joined value is held only here; then they are put back,
    /// innermost first. A record on the way that something else holds too is copied by the
    /// clearing `SetField`, so the other holder keeps its fields.
    fn join_in_place(
        &mut self,
        record: Reg,
        step: FieldStep<'_>,
        read: &Expr,
        rest: &Expr,
    ) -> Res<()> {
        self.at(read.span);
        let cleared = self.b().reg();
        self.emit(Instr::LoadNull { dst: cleared });
        // (holder, key, the value taken out of it), outermost first
        let mut taken = Vec::with_capacity(step.path.len());
        let mut holder = record;
        for field in step.fields() {
            let key = self.prog.string(&field.name);
            let value = self.b().reg();
            self.emit(Instr::GetField {
                dst: value,
                obj: holder,
                key,
            });
            self.emit(Instr::SetField {
                dst: holder,
                obj: holder,
                key,
                value: cleared,
            });
            taken.push((holder, key, value));
            holder = value;
        }
        let joined = holder;
        let other = self.operand(rest)?;
        self.at(step.value.span);
        let join = self.join(step.value, joined, joined, other);
        self.emit(join);
        self.at(step.whole.span);
        for (holder, key, value) in taken.into_iter().rev() {
            self.emit(Instr::SetField {
                dst: holder,
                obj: holder,
                key,
                value,
            });
        }
        Ok(())
    }
}

/// One `with .field… = value` of a chain updating a `var` record in place.
struct FieldStep<'e> {
    /// The path (`.stats.log`), never empty, of fields only.
    path: &'e [PathSeg],
    value: &'e Expr,
    /// The `with` expression of this step.
    whole: &'e Expr,
    /// `x.field…` and the other operand when the value joins onto the path's own value.
    join: Option<(&'e Expr, &'e Expr)>,
}

impl<'e> FieldStep<'e> {
    /// The fields of the path, outermost first.
    fn fields(&self) -> impl DoubleEndedIterator<Item = &'e FieldName> {
        self.path.iter().filter_map(|s| match s {
            PathSeg::Field(f) => Some(f),
            _ => None,
        })
    }

    /// The field of the record itself that the step sets.
    fn first_field(&self) -> &'e str {
        self.fields().next().map_or("", |f| &f.name)
    }
}

/// Whether `e` is `name.f1.f2…` for exactly the fields `path` (outermost first).
fn reads_path<'e>(
    e: &Expr,
    name: &str,
    path: impl DoubleEndedIterator<Item = &'e FieldName>,
) -> bool {
    let mut current = e;
    for field in path.rev() {
        match &current.kind {
            ExprKind::Field(owner, f) if f.name == field.name => current = owner,
            _ => return false,
        }
    }
    matches!(&current.kind, ExprKind::Name(n) if &**n == name)
}

/// Whether `e` mentions `name` only to read fields of it outside `set` (`x.g`, `x.g.h`).
fn reads_only_fields(e: &Expr, name: &str, set: &[&str]) -> bool {
    let mut stack = vec![Node::Expr(e)];
    while let Some(node) = stack.pop() {
        match node {
            Node::Expr(Expr {
                kind: ExprKind::Field(owner, f),
                ..
            }) if matches!(&owner.kind, ExprKind::Name(n) if &**n == name) => {
                if set.contains(&&*f.name) {
                    return false;
                }
            }
            Node::Expr(Expr {
                kind: ExprKind::Name(n),
                ..
            }) if &**n == name => return false,
            _ => children(node, &mut stack),
        }
    }
    true
}

/// In `x = f(…, x, …)` (or `x = … |> f(…)`), the argument that is `x` itself, when its value can
/// move into the call instead of being copied: `x` is assigned the call's result right after,
/// so the old value is not read again once passed, provided neither the callee nor an argument
/// evaluated after it mentions `x` (arguments are evaluated in order, a piped value last). A
/// native that takes its arguments (`array.set`) then holds the only reference and updates
/// the array in place. Nothing can observe the moved-out `var` if the call fails: the caller
/// checks that no `try` of this function is open, so the error leaves the frame.
fn taken_argument(value: &Expr, name: &str) -> Option<Span> {
    let (callee, args): (&Expr, Vec<&Expr>) = match &value.kind {
        ExprKind::Call(callee, args) => (callee, args.iter().collect()),
        ExprKind::Binary(BinOp::Pipe, piped, f) => match &f.kind {
            ExprKind::Call(callee, args) => (callee, args.iter().chain([&**piped]).collect()),
            _ => (f, vec![&**piped]),
        },
        _ => return None,
    };
    if mentions(callee, name) {
        return None;
    }
    let at = args
        .iter()
        .position(|a| matches!(&a.kind, ExprKind::Name(n) if &**n == name))?;
    if args[at + 1..].iter().any(|a| mentions(a, name)) {
        return None;
    }
    Some(args[at].span)
}
