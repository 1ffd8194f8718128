//! Inference for expressions.

use mix_syntax::ast::*;

use super::exhaustive::ArmShape;
use super::pattern::heterogeneous;
use super::unify::{plus_impossible, plus_result, PlusResult, Subst};
use super::Infer;
use super::NarrowedKind;
use crate::codes;
use crate::ty::{self, app, boolean, data, fun, null, number, string, Name, Scheme, Ty};
use mix_diagnostics::{Diagnostic, Span};

impl Infer<'_> {
    /// The type of an expression in a position where a short projection (`.field`) starts its
    /// own lambda: call arguments, parenthesised expressions, definition bodies (spec §3.3).
    pub fn expr_with_short_scope(&mut self, e: &Expr) -> Ty {
        if !has_short_projection(e) {
            return self.expr(e);
        }
        let row = self.fresh();
        self.short_rows.push(row.clone());
        self.fn_depth += 1;
        let body = self.expr(e);
        self.fn_depth -= 1;
        self.short_rows.pop();
        fun(row, body)
    }

    pub fn expr(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Null | ExprKind::Unit => null(),
            ExprKind::True | ExprKind::False => boolean(),
            ExprKind::Undefined | ExprKind::Error => self.fresh(),
            ExprKind::Int(_) | ExprKind::Float(_) => number(),
            ExprKind::Str(_) => string(),
            ExprKind::Regex(_) => ty::con("regex.pattern"),
            ExprKind::Name(name) => self.name(name, e),
            ExprKind::Primitive(_) => self.fresh(),
            ExprKind::SelfRef => self.error(
                codes::UNKNOWN_NAME,
                "`self` qualifies a name: write `self.name`",
                e.span,
            ),
            ExprKind::GlobalRef => self.error(
                codes::UNKNOWN_NAME,
                "`global` qualifies a name: write `global.name`",
                e.span,
            ),
            ExprKind::ShortField(field) => match self.short_rows.last().cloned() {
                Some(row) => self.field_of(row, &field.name, e),
                None => self.error(
                    codes::UNKNOWN_NAME,
                    "a `.field` projection needs an enclosing argument or parentheses",
                    e.span,
                ),
            },
            ExprKind::Field(base, field) => {
                if let Some(path) = qualified_path(self, base) {
                    let mut full: Vec<&str> = path.iter().map(|s| &**s).collect();
                    full.push(&field.name);
                    return self.global(&full, e);
                }
                let reported = self.diagnostics.len();
                let base_ty = self.expr(base);
                if let ExprKind::Name(module) = &base.kind {
                    self.explain_missing_module(module, reported);
                }
                self.field_of(base_ty, &field.name, e)
            }
            ExprKind::DynField(base, key) => {
                let base_ty = self.expr(base);
                let key_ty = self.expr(key);
                self.expect_value(&string(), &key_ty, key.span, false);
                let value = self.fresh();
                self.expect_value(&app("map", value.clone()), &base_ty, base.span, false);
                value
            }
            ExprKind::Index(base, index) => {
                let base_ty = self.expr(base);
                let index_ty = self.expr(index);
                self.expect_value(&number(), &index_ty, index.span, false);
                // `pair[1]` on a value already known to be a tuple reads that element, as
                // `pair[#1 of 2]` does (a tuple is an array at run time).
                if let (Ty::Tuple(elems), ExprKind::Int(i)) =
                    (self.subst.head(&base_ty), &index.kind)
                {
                    if let Some(t) = usize::try_from(*i).ok().and_then(|i| elems.get(i)) {
                        return t.clone();
                    }
                }
                let elem = self.fresh();
                self.expect_value(&app("array", elem.clone()), &base_ty, base.span, false);
                elem
            }
            ExprKind::Slice(base, from, to) => {
                let base_ty = self.expr(base);
                for bound in from.iter().chain(to.iter()) {
                    let t = self.expr(bound);
                    self.expect_value(&number(), &t, bound.span, false);
                }
                let elem = self.fresh();
                let reported = self.diagnostics.len();
                self.expect_value(&app("array", elem.clone()), &base_ty, base.span, false);
                if matches!(self.subst.head(&base_ty), Ty::Con(n, _) if &*n == "stream") {
                    self.help_first_new(
                        reported,
                        Some(codes::TYPE_MISMATCH),
                        "a slice `xs[p..q]` reads an array; of a stream, take the part with \
                         `s |> stream.skipn(p) |> stream.firstn(q - p + 1)`"
                            .into(),
                    );
                }
                app("stream", elem)
            }
            ExprKind::ToStream(base) => {
                let base_ty = self.expr(base);
                let elem = self.fresh();
                self.expect_value(&app("array", elem.clone()), &base_ty, base.span, false);
                app("stream", elem)
            }
            ExprKind::TupleIndex(base, index, arity) => {
                let base_ty = self.expr(base);
                let elems: Vec<Ty> = (0..*arity).map(|_| self.fresh()).collect();
                self.expect_value(&Ty::Tuple(elems.clone()), &base_ty, base.span, false);
                match elems.get(*index as usize) {
                    Some(t) => t.clone(),
                    None => self.error(
                        codes::TYPE_MISMATCH,
                        format!("index {index} is outside a tuple of {arity}"),
                        e.span,
                    ),
                }
            }
            ExprKind::Call(callee, args) => {
                if args.is_empty() {
                    let f = self.expr(callee);
                    return self.apply(f, &null(), callee, e.span);
                }
                self.call(callee, args, None, e.span)
            }
            ExprKind::Defined(inner) => {
                self.expr(inner);
                boolean()
            }
            ExprKind::Inverse(inner) => {
                // `c^` takes a case apart, which a private case allows outside its module.
                // (Only for a name: nothing else inside `…^` may build one.)
                self.taking_apart = matches!(inner.kind, ExprKind::Name(_) | ExprKind::Field(..));
                let constructor = self.expr(inner);
                self.taking_apart = false;
                let (arg, result) = (self.fresh(), self.fresh());
                self.expect(&fun(arg.clone(), result.clone()), &constructor, inner.span);
                fun(result, arg)
            }
            ExprKind::Prime(_) | ExprKind::LabelIndex(..) => {
                self.not_checked_yet("this cell or labeled-tuple form", e.span)
            }
            ExprKind::Unary(UnOp::Neg, inner) => {
                let t = self.expr(inner);
                self.expect_value(&number(), &t, inner.span, false);
                number()
            }
            ExprKind::Unary(UnOp::Not, inner) => {
                let t = self.expr(inner);
                self.expect_value(&boolean(), &t, inner.span, false);
                boolean()
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e),
            ExprKind::With(base, path, value) => {
                let base_ty = self.expr(base);
                let value_ty = self.expr(value);
                let reported = self.diagnostics.len();
                let mut current = base_ty.clone();
                for seg in path {
                    current = match seg {
                        PathSeg::Field(f) => self.field_of(current, &f.name, e),
                        PathSeg::Index(i) => {
                            let it = self.expr(i);
                            self.expect_value(&number(), &it, i.span, false);
                            let elem = self.fresh();
                            self.expect(&app("array", elem.clone()), &current, e.span);
                            elem
                        }
                        PathSeg::Dyn(k) => {
                            let kt = self.expr(k);
                            self.expect_value(&string(), &kt, k.span, false);
                            let v = self.fresh();
                            self.expect(&app("map", v.clone()), &current, e.span);
                            v
                        }
                    };
                }
                // (looked at only when the path did not fit)
                if let ([PathSeg::Field(f)], true) = (&path[..], self.diagnostics.len() > reported)
                {
                    if let Some(help) = self.added_field_help(base, &base_ty, &f.name) {
                        self.help_first_new(reported, Some(codes::TYPE_MISMATCH), help);
                    }
                }
                self.expect(&current, &value_ty, value.span);
                base_ty
            }
            ExprKind::Lambda(arms) => self.lambda(arms, None),
            ExprKind::If(cond, then, otherwise) => {
                let c = self.expr(cond);
                self.expect_value(&boolean(), &c, cond.span, false);
                let t = self.expr(then);
                let f = self.expr(otherwise);
                self.expect(&t, &f, otherwise.span);
                t
            }
            ExprKind::Let(binding, body, _) => {
                self.push_scope();
                self.let_binding(binding);
                let t = self.expr(body);
                self.pop_scope();
                t
            }
            ExprKind::Try(inner) => {
                let t = self.expr(inner);
                Ty::Con("result".into(), vec![string(), t])
            }
            ExprKind::TypeHint(inner, written) => {
                let hinted = self.convert_type(written, &mut Default::default());
                let t = self.expr_expecting(inner, &hinted);
                self.expect_value(&hinted, &t, inner.span, true);
                hinted
            }
            ExprKind::TypeOf(written) => {
                let target = self.convert_type(written, &mut Default::default());
                fun(self.fresh(), target)
            }
            ExprKind::TypeAssert(written, inner) => {
                let found = self.expr(inner);
                let asserted = self.convert_type(written, &mut Default::default());
                self.warn_if_never_passes(&found, &asserted, inner.span);
                asserted
            }
            ExprKind::Array(items) => self.array(items),
            ExprKind::Record(fields) => self.record(fields, e),
            ExprKind::Do(block) => {
                let result = self.fresh();
                self.returns.push(result.clone());
                self.block_body(block, &result);
                self.returns.pop();
                result
            }
            ExprKind::Action(params, block) => self.action(params.as_deref(), block),
            // The literal is data written in EscJSON: its parts need no types of their own.
            ExprKind::EscJson(inner) => {
                if let Err(span) = mix_syntax::json::constant_json(inner) {
                    self.diagnostics.push(
                        mix_diagnostics::Diagnostic::error(
                            codes::NOT_CONSTANT,
                            "`_escJSON_` needs a compile-time constant",
                            span,
                        )
                        .with_help("write literals only: strings, numbers, booleans, null, arrays and records with named keys"),
                    );
                }
                data()
            }
            ExprKind::Paren(inner) => self.expr_with_short_scope(inner),
            ExprKind::Spread(..)
            | ExprKind::Capture(..)
            | ExprKind::ParenList(_)
            | ExprKind::Labeled(..) => self.fresh(),
        }
    }

    fn name(&mut self, name: &str, e: &Expr) -> Ty {
        if let Some(local) = self.local(name).cloned() {
            if local.mutable && local.fn_depth < self.fn_depth {
                self.diagnostics.push(
                    mix_diagnostics::Diagnostic::error(
                        codes::VAR_CAPTURED,
                        format!("a closure cannot capture the `var` `{name}`"),
                        e.span,
                    )
                    .with_help(format!("copy it first: `let {name}Now = {name};`, and use that inside the function")),
                );
            }
            let ty = self.subst.instantiate(&local.scheme);
            // A `var` is also a place to assign to: its type stays as declared.
            if local.mutable {
                return ty;
            }
            if local.member {
                self.instance_sites.push(super::InstanceSite {
                    span: e.span,
                    ty: ty.clone(),
                    member: Some(name.into()),
                });
            }
            return self.subst.widen_data_inputs(ty);
        }
        self.global(&[name], e)
    }

    fn global(&mut self, path: &[&str], e: &Expr) -> Ty {
        if let Some(scheme) = self.globals.value(path) {
            if self.globals.deprecated(path) {
                self.diagnostics.push(
                    mix_diagnostics::Diagnostic::warning(
                        codes::DEPRECATED,
                        format!("`{}` is deprecated", path.join(".")),
                        e.span,
                    )
                    .with_help("its `_meta_` names the alternatives"),
                );
            }
            let ty = self.subst.instantiate(&scheme);
            if has_plus(&scheme.ty) {
                self.instance_sites.push(super::InstanceSite {
                    span: e.span,
                    ty: ty.clone(),
                    member: None,
                });
            }
            return self.subst.widen_data_inputs(ty);
        }
        if let Some(constructor) = self.globals.constructor(path) {
            let taking_apart = std::mem::take(&mut self.taking_apart);
            if let Some(module) = constructor.private_to.filter(|_| !taking_apart) {
                self.diagnostics.push(
                    mix_diagnostics::Diagnostic::error(
                        codes::UNKNOWN_NAME,
                        format!("case `{}` is private to module `{module}`", path.join(".")),
                        e.span,
                    )
                    .with_help(format!(
                        "only `{module}` builds it; elsewhere it can be matched and taken apart \
                         with `^`, so use a function of `{module}` that builds it"
                    )),
                );
            }
            return self.subst.instantiate(&constructor.scheme);
        }
        if let [name] = path {
            // An import that found no module is reported there (E0208), not at each use.
            if self.globals.is_imported(name) && !self.globals.is_module(name) {
                return self.fresh();
            }
        }
        let shown = path.join(".");
        let last = path.last().copied().unwrap_or_default();
        let mut diagnostic = mix_diagnostics::Diagnostic::error(
            codes::UNKNOWN_NAME,
            format!("unknown name `{shown}`"),
            e.span,
        );
        if let Some(module) = self.globals.private_in(path) {
            diagnostic.message = format!("`{shown}` is private to module `{module}`");
            diagnostic = diagnostic.with_label(e.span, format!("declared `private` in `{module}`")).with_help(
                format!("only definitions of `{module}` can use it; drop `private` from its definition to export it"),
            );
        } else if matches!(path, ["_" | "appstate"]) {
            diagnostic = diagnostic.with_help(
                "the capability to write (`appstate`, written `_`) exists inside `action { … }`; \
                 elsewhere take it as a parameter: `def f(appstate: appstate, …)`",
            );
        } else if matches!(
            path,
            [
                "print" | "println" | "printf" | "puts" | "echo" | "console" | "System",
                ..
            ]
        ) {
            diagnostic = diagnostic.with_help(
                "Mix has no `print`: `logging.info(s)` writes a line to stderr, and the \
                 program's output is what `main` returns (printed on stdout as a Mix value)",
            );
        } else if path.len() == 1 {
            if let Some(candidate) = self.suggestion(last) {
                diagnostic = diagnostic.with_help(format!("did you mean `{candidate}`?"));
            }
        } else if let Some(help) = super::recipe(&path[..path.len() - 1], last) {
            diagnostic = diagnostic.with_help(help);
        } else {
            let module = &path[..path.len() - 1];
            let candidates: Vec<String> = self
                .member_suggestions(module, last)
                .into_iter()
                .map(|c| format!("`{c}`"))
                .collect();
            if !candidates.is_empty() {
                diagnostic =
                    diagnostic.with_help(format!("did you mean {}?", or_list(&candidates)));
            }
        }
        self.diagnostics.push(diagnostic);
        self.fresh()
    }

    /// `geo.dist` where nothing is named `geo`: the unknown name just reported is most likely a
    /// module that is not loaded, so say how modules of other files are found.
    fn explain_missing_module(&mut self, name: &str, reported: usize) {
        self.help_first_new(
            reported,
            Some(codes::UNKNOWN_NAME),
            format!(
                "no module `{name}` is loaded: `import {name}` loads `{name}.mix` from this \
                 file's directory (or give its file to the command)"
            ),
        );
    }

    /// `record.field`: a field of a record (row-polymorphic), a value of a map, data of data.
    fn field_of(&mut self, base: Ty, field: &str, e: &Expr) -> Ty {
        match self.subst.head(&base) {
            Ty::Con(n, args) if &*n == "map" && args.len() == 1 => args[0].clone(),
            Ty::Con(n, args) if &*n == "data" && args.is_empty() => data(),
            head => {
                let value = self.fresh();
                let row = self.subst.fresh_var();
                let expected = Ty::Record(vec![(Name::from(field), value.clone())], Some(row));
                let reported = self.diagnostics.len();
                self.expect(&expected, &base, e.span);
                if self.diagnostics.len() > reported {
                    self.explain_method_habit(&head, field, reported);
                }
                value
            }
        }
    }

    /// The help for `r with .f = v` where `r` is a closed record without `f`: `with` does not
    /// add fields. With the literal that would (the record's own fields and `f`) when short.
    fn added_field_help(&self, base: &Expr, base_ty: &Ty, field: &str) -> Option<String> {
        let Ty::Record(fields, None) = self.subst.resolve(base_ty) else {
            return None;
        };
        if fields.iter().any(|(name, _)| &**name == field) {
            return None;
        }
        let mut help =
            "`with` sets a field the record has; a record with another field is a new one"
                .to_string();
        if let (ExprKind::Name(r), true) = (&base.kind, fields.len() <= 4) {
            let mut members: Vec<String> = fields
                .iter()
                .map(|(name, _)| format!("{name}: {r}.{name}"))
                .collect();
            members.push(format!("{field}: …"));
            help.push_str(&format!(", `{{{}}}`", members.join(", ")));
        }
        help.push_str(", or give its type the field (an `option(…)` field may start as `null`)");
        Some(help)
    }

    /// `xs.length`, `s.toUpperCase()`: a field read on a value of a built-in type that has
    /// none, as a method call in other languages. Names the library's function instead.
    fn explain_method_habit(&mut self, base: &Ty, field: &str, reported: usize) {
        let Ty::Con(module, _) = base else { return };
        if !matches!(&**module, "array" | "string" | "number" | "bool" | "stream") {
            return;
        }
        let Some(function) = self.member_suggestions(&[module], field).into_iter().next() else {
            return;
        };
        let parts: Vec<&str> = function.split('.').collect();
        let takes = self
            .globals
            .value(&parts)
            .and_then(|scheme| self.subst.known_arity(&scheme.ty))
            .unwrap_or(1);
        let call = if takes > 1 {
            format!("`x |> {function}(…)` (the value goes last)")
        } else {
            format!("`{function}(x)` or `x |> {function}`")
        };
        let article = if module.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        self.help_first_new(
            reported,
            None,
            format!(
                "{article} `{module}` has no fields or methods (`.{field}` reads a record's \
                 field): call the library's function, {call}"
            ),
        );
    }

    /// W0207 for `type(T, e)` where `e`'s type already says its values are of another kind
    /// than `T`'s (`type(string, n)` with `n : number`): the assertion fails whenever it runs.
    fn warn_if_never_passes(&mut self, found: &Ty, asserted: &Ty, at: Span) {
        let (Some(is), Some(wanted)) = (
            sole_kind(&self.subst, found),
            sole_kind(&self.subst, asserted),
        ) else {
            return;
        };
        if is == wanted {
            return;
        }
        let found = self.subst.resolve(found);
        let asserted = self.subst.resolve(asserted);
        let mut printer = ty::Printer::default();
        let (shown_found, shown_asserted) = (printer.print(&found), printer.print(&asserted));
        self.diagnostics.push(
            mix_diagnostics::Diagnostic::warning(
                codes::ASSERTION_NEVER_PASSES,
                format!("this type assertion never passes: the value is {is}, never {wanted}"),
                at,
            )
            .with_help(format!(
                "the value is a `{shown_found}`, so `type({shown_asserted}, …)` fails whenever \
                 it runs; convert the value instead, or assert the type it has"
            )),
        );
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, e: &Expr) -> Ty {
        use BinOp::*;
        match op {
            Pipe => {
                let x = self.expr(a);
                match &b.kind {
                    // `x |> f(a)` is `f(a, x)`: checked as one call, so a count of arguments
                    // the function does not take is reported as such.
                    ExprKind::Call(callee, args)
                        if !args.is_empty() && !has_short_projection(b) =>
                    {
                        self.call(callee, args, Some((x, a.span)), b.span)
                    }
                    _ => {
                        let f = self.expr_with_short_scope(b);
                        let takes = self.subst.known_arity(&f);
                        let reported = self.diagnostics.len();
                        let result = self.apply(f, &x, b, a.span);
                        if let Some(takes) = takes.filter(|&n| n > 1) {
                            if self.diagnostics.len() > reported {
                                self.explain_piped_first(b, takes);
                            }
                        }
                        result
                    }
                }
            }
            Or | And => {
                for side in [a, b] {
                    let t = self.expr(side);
                    self.expect_value(&boolean(), &t, side.span, false);
                }
                boolean()
            }
            EqCi | NeCi | LtCi | LeCi | GtCi | GeCi => {
                for side in [a, b] {
                    let t = self.expr(side);
                    self.expect_value(&string(), &t, side.span, false);
                }
                boolean()
            }
            Eq | Ne | StrictEq | StrictNe | Lt | Le | Gt | Ge => {
                // Operands of one type, and data (spec §4): functions and streams do not
                // compare, except with `undefined` (`s === undefined` asks whether `s` is).
                let x = self.expr(a);
                let y = self.expr(b);
                let with_undefined = [a, b]
                    .iter()
                    .any(|side| matches!(side.kind, ExprKind::Undefined));
                if !with_undefined {
                    let operand = self.subst.fresh_data();
                    if let Err(m) = self.subst.unify(&operand, &x) {
                        let why = format!(
                            "`{}` compares data: functions and streams do not compare",
                            op.text()
                        );
                        self.mismatch(m, a.span, Some((e.span, why)));
                    }
                }
                self.expect(&x, &y, b.span);
                boolean()
            }
            Append => {
                let elem = self.fresh();
                for side in [a, b] {
                    let t = self.expr(side);
                    match self.subst.head(&t) {
                        Ty::Con(n, _) if &*n == "stream" => {
                            self.expect(&app("stream", elem.clone()), &t, side.span)
                        }
                        _ => self.expect(&elem, &t, side.span),
                    }
                }
                app("stream", elem)
            }
            Add => {
                let x = self.expr(a);
                let y = self.expr(b);
                self.plus_sites.push((e.span, x.clone(), y.clone()));
                let (hx, hy) = (self.subst.head(&x), self.subst.head(&y));
                // Concatenation and merge need one element type on both sides.
                if let (Ty::Con(n, ax), Ty::Con(m, bx)) = (&hx, &hy) {
                    if n == m && matches!(&**n, "array" | "map") && ax.len() == 1 && bx.len() == 1 {
                        self.expect(&ax[0], &bx[0], b.span);
                        return hx;
                    }
                }
                if let PlusResult::Impossible = plus_result(&hx, &hy) {
                    let message = plus_impossible(&self.subst, &hx, &hy);
                    self.diagnostics
                        .push(super::plus_impossible_error(message, e.span));
                    return self.fresh();
                }
                self.subst.word_operand(&x, &y);
                let result = self.fresh();
                if let Err(m) = self
                    .subst
                    .unify(&result, &Ty::Plus(Box::new(x), Box::new(y)))
                {
                    self.mismatch(m, e.span, None);
                }
                result
            }
            Sub | Mul | Div | Rem => {
                for side in [a, b] {
                    let t = self.expr(side);
                    self.expect_value(&number(), &t, side.span, false);
                }
                number()
            }
        }
    }

    /// `action { … }`, `action (v) { … }`: a closure the runtime invokes with the capability to
    /// write. Its body sees `appstate` (also written `_`) of type `appstate`, so writes such as
    /// `db.saveOne(_, d, r)` type-check inside it and nowhere without an `appstate` parameter.
    /// It is a function of its parameter (`null` without one) to the block's result.
    fn action(&mut self, params: Option<&[Pattern]>, block: &Block) -> Ty {
        self.fn_depth += 1;
        self.push_scope();
        let capability = Scheme::mono(ty::con("appstate"));
        self.bind_local("appstate", capability.clone(), false);
        self.bind_local("_", capability, false);
        let params: Vec<Ty> = match params {
            None | Some([]) => vec![null()],
            Some(ps) => ps.iter().map(|p| self.pattern(p)).collect(),
        };
        let result = self.fresh();
        self.with_return(result.clone(), |infer| infer.block_body(block, &result));
        self.pop_scope();
        self.fn_depth -= 1;
        params.into_iter().rev().fold(result, |acc, p| fun(p, acc))
    }

    /// A function literal. `expected`, the type of the parameter it is passed to when the
    /// call knows it, gives its parameters their types before the body is checked, so the
    /// body is checked knowing them (`pairs |> array.map(p -> p[1])` reads a tuple's element).
    /// Only an order of unification: a parameter that does not fit is reported at the call.
    pub(super) fn lambda(&mut self, arms: &[Arm], expected: Option<&Ty>) -> Ty {
        let whole = self.fresh();
        let dynamic = arms.len() > 1 && heterogeneous(arms.iter().filter_map(|a| a.params.first()));
        // Bracket patterns of different shapes (`[]`, `[x]`, `[h, ~multiple t]`) match arrays
        // of one element type, not tuples of one length.
        let arrays = varying_array_shapes(arms.iter().filter_map(|a| a.params.first()))
            .then(|| app("array", self.fresh()));
        self.fn_depth += 1;
        for arm in arms {
            self.push_scope();
            let mut params: Vec<Ty> = if arm.params.is_empty() {
                vec![null()]
            } else {
                arm.params.iter().map(|p| self.pattern(p)).collect()
            };
            if dynamic {
                if let (Some(first), Some(p)) = (params.first_mut(), arm.params.first()) {
                    self.expect(&data(), first, p.span);
                    *first = data();
                }
            } else if let (Some(array), Some(first), Some(p)) =
                (&arrays, params.first_mut(), arm.params.first())
            {
                if matches!(strip(p).kind, PatternKind::Array(_)) {
                    self.expect(array, first, p.span);
                    *first = array.clone();
                }
            }
            if let (Some(expected), false) = (expected, dynamic || arm.params.is_empty()) {
                self.take_parameter_types(expected, &params);
            }
            if let Some(guard) = &arm.guard {
                let g = self.expr(guard);
                self.expect_value(&boolean(), &g, guard.span, false);
            }
            let body = self.expr(&arm.body);
            self.pop_scope();
            // Parameters first, over the whole arm, then the result at the arm's body: an arm
            // giving another type than the first is reported at its value, not as two
            // function types over the whole arm.
            let result = self.fresh();
            let arm_ty = params
                .into_iter()
                .rev()
                .fold(result.clone(), |acc, p| fun(p, acc));
            self.expect(&whole, &arm_ty, arm.span);
            if let Err(m) = self.subst.unify(&result, &body) {
                let first = (arms[0].body.span, "the first arm's result".to_string());
                self.mismatch(m, arm.body.span, Some(first));
            }
        }
        self.fn_depth -= 1;
        if let (Ty::Fun(param, _), true) = (
            self.subst.head(&whole),
            arms.iter().any(|a| !a.params.is_empty()),
        ) {
            let shapes: Vec<ArmShape<'_>> = arms
                .iter()
                .filter_map(|a| {
                    a.params.first().map(|p| ArmShape {
                        pattern: p,
                        guarded: a.guard.is_some(),
                        span: a.span,
                    })
                })
                .collect();
            let span = arms
                .first()
                .map_or(mix_diagnostics::Span::default(), |a| a.span);
            let span = arms.last().map_or(span, |a| span.to(a.span));
            self.check_arms(&param, &shapes, span, "_ -> …");
        }
        whole
    }

    /// Unifies `params`, a function literal's parameter types, with those of the function
    /// type `expected`, as far as it is known to be a function. At a parameter that does not
    /// fit it stops: the call reports the mismatch when it applies the function.
    ///
    /// A parameter of a type with `data` in it is left to be inferred from the body: `data`
    /// there would make every field read a `data` value checked at run time (`db.filter(r ->
    /// string.hasPrefix("P", r.city))`, whose row is a `map(data)`), where the body's own
    /// types meet `data` once, where the function is passed.
    fn take_parameter_types(&mut self, expected: &Ty, params: &[Ty]) {
        let mut current = expected.clone();
        for param in params {
            let Ty::Fun(wanted, rest) = self.subst.head(&current) else {
                return;
            };
            if !self.subst.mentions_data(&wanted) && self.subst.unify(&wanted, param).is_err() {
                return;
            }
            current = *rest;
        }
    }

    /// Infers `e` where its type is already known to be `expected` (a declaration, a hint): a
    /// bracket literal then takes the expected shape, so an expected tuple type makes it a
    /// tuple even when its elements could share one array type, and an expected array type is
    /// met element by element.
    pub fn expr_expecting(&mut self, e: &Expr, expected: &Ty) -> Ty {
        let ExprKind::Array(items) = &e.kind else {
            return self.expr(e);
        };
        match self.subst.head(expected) {
            Ty::Tuple(slots) if slots.len() == items.len() => {
                let types = items
                    .iter()
                    .zip(&slots)
                    .map(|(item, slot)| self.item_expecting(item, slot))
                    .collect();
                Ty::Tuple(types)
            }
            // Each element meets the element type on its own: `[{a: 1}, {b: "x"}]` is an
            // `array(data)` when that is what is expected.
            Ty::Con(name, args) if &*name == "array" && args.len() == 1 => {
                for item in items {
                    self.item_expecting(item, &args[0]);
                }
                app("array", args[0].clone())
            }
            _ => self.expr(e),
        }
    }

    fn item_expecting(&mut self, item: &Expr, expected: &Ty) -> Ty {
        let t = self.expr_expecting(item, expected);
        self.expect(expected, &t, item.span);
        t
    }

    fn array(&mut self, items: &[Expr]) -> Ty {
        let types: Vec<(Ty, mix_diagnostics::Span)> =
            items.iter().map(|i| (self.expr(i), i.span)).collect();
        let elem = self.fresh();
        // An array when every element shares one type, else a tuple (spec §4).
        let all_agree = types.windows(2).all(|w| {
            let (x, y) = (self.subst.resolve(&w[0].0), self.subst.resolve(&w[1].0));
            compatible_heads(&x, &y)
        });
        if !all_agree {
            return Ty::Tuple(types.into_iter().map(|(t, _)| t).collect());
        }
        for (t, span) in types {
            self.expect(&elem, &t, span);
        }
        app("array", elem)
    }

    fn record(&mut self, fields: &[RecordField], e: &Expr) -> Ty {
        let mut out: Vec<(Name, Ty)> = Vec::new();
        let mut computed = false;
        for field in fields {
            match &field.key {
                FieldKey::Name(name) => {
                    let t = match &field.value {
                        Some(v) => self.expr(v),
                        None => self.name(&name.name, e),
                    };
                    self.add_field(&mut out, Name::from(&*name.name), t, field.span);
                }
                FieldKey::Short(name) => {
                    let t = match self.short_rows.last().cloned() {
                        Some(row) => self.field_of(row, &name.name, e),
                        None => self.error(
                            codes::UNKNOWN_NAME,
                            "a `.field` member needs an enclosing projection",
                            field.span,
                        ),
                    };
                    self.add_field(&mut out, Name::from(&*name.name), t, field.span);
                }
                FieldKey::Computed(key) => {
                    computed = true;
                    let k = self.expr(key);
                    self.expect(&string(), &k, key.span);
                    if let Some(v) = &field.value {
                        self.expr(v);
                    }
                }
            }
        }
        if computed {
            let value = self.fresh();
            for (_, t) in out {
                self.expect(&value, &t, e.span);
            }
            return app("map", value);
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ty::Record(out, None)
    }

    /// Adds a record literal's field to its type. A key written again replaces the earlier
    /// one, as the literal's value does at run time (the last one wins), with W0211.
    fn add_field(&mut self, fields: &mut Vec<(Name, Ty)>, name: Name, t: Ty, span: Span) {
        match fields.iter_mut().find(|(n, _)| *n == name) {
            Some(earlier) => {
                earlier.1 = t;
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::REPEATED_FIELD,
                        format!("field `{name}` is written twice in this record"),
                        span,
                    )
                    .with_help("the last one wins; delete the other, or rename one of them"),
                );
            }
            None => fields.push((name, t)),
        }
    }
}

/// Whether two element types can share one array type without a hint.
/// Whether `ty` holds a deferred `+` (a scheme's `+` waiting for its operands' types).
pub fn has_plus(ty: &Ty) -> bool {
    match ty {
        Ty::Plus(..) => true,
        Ty::Var(_) => false,
        Ty::Con(_, args) | Ty::Tuple(args) => args.iter().any(has_plus),
        Ty::Fun(a, b) => has_plus(a) || has_plus(b),
        Ty::Record(fields, _) => fields.iter().any(|(_, t)| has_plus(t)),
        Ty::Cases(cases, _) => cases.iter().filter_map(|(_, t)| t.as_ref()).any(has_plus),
    }
}

fn compatible_heads(x: &Ty, y: &Ty) -> bool {
    match (x, y) {
        (Ty::Var(_), _) | (_, Ty::Var(_)) | (Ty::Plus(..), _) | (_, Ty::Plus(..)) => true,
        (Ty::Con(a, _), Ty::Con(b, _)) if &**a == "data" || &**b == "data" => true,
        // `array(number)` and `array(string)` do not share a type: `[[3], ["a"]]` is a tuple.
        (Ty::Con(a, xs), Ty::Con(b, ys)) => {
            a == b && xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| compatible_heads(x, y))
        }
        (Ty::Fun(..), Ty::Fun(..))
        | (Ty::Record(..), Ty::Record(..))
        | (Ty::Cases(..), Ty::Cases(..)) => true,
        (Ty::Tuple(a), Ty::Tuple(b)) => a.len() == b.len(),
        _ => false,
    }
}

fn strip(p: &Pattern) -> &Pattern {
    match &p.kind {
        PatternKind::Paren(inner) | PatternKind::Typed(inner, _) => strip(inner),
        _ => p,
    }
}

/// Whether bracket patterns among `patterns` differ in length or in using `~multiple` /
/// `~optional`.
fn varying_array_shapes<'a>(patterns: impl Iterator<Item = &'a Pattern>) -> bool {
    let mut shapes = patterns.filter_map(|p| match &strip(p).kind {
        PatternKind::Array(items) => Some((
            items.len(),
            items
                .iter()
                .any(|i| matches!(i.kind, PatternKind::Spread(..))),
        )),
        _ => None,
    });
    let Some(first) = shapes.next() else {
        return false;
    };
    shapes.any(|s| s != first || first.1)
}

/// `M.x`, `self.x`, `global.x`: the qualifier when `base` names a module, not a value.
pub(super) fn qualified_path(infer: &Infer<'_>, base: &Expr) -> Option<Vec<Box<str>>> {
    match &base.kind {
        ExprKind::SelfRef => Some(vec!["self".into()]),
        ExprKind::GlobalRef => Some(vec!["global".into()]),
        ExprKind::Name(n) if infer.local(n).is_none() && infer.globals.is_module(n) => {
            Some(vec![n.clone()])
        }
        ExprKind::Field(inner, f) => {
            let mut path = qualified_path(infer, inner)?;
            path.push(f.name.clone());
            // `global.M` is module `M`, whatever local binding is named `M`.
            let module = match path.split_first() {
                Some((first, rest)) if &**first == "global" => rest.join("."),
                _ => path.join("."),
            };
            infer.globals.is_module(&module).then_some(path)
        }
        _ => None,
    }
}

/// Whether `e` uses `.field` outside any nested argument, parentheses or lambda.
pub fn has_short_projection(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::ShortField(_) => true,
        ExprKind::Record(fields) => fields.iter().any(|f| {
            matches!(f.key, FieldKey::Short(_))
                || f.value.as_ref().is_some_and(has_short_projection)
        }),
        ExprKind::Field(a, _)
        | ExprKind::Defined(a)
        | ExprKind::Unary(_, a)
        | ExprKind::Index(a, _)
        | ExprKind::DynField(a, _) => has_short_projection(a),
        ExprKind::Binary(BinOp::Pipe, a, _) => has_short_projection(a),
        ExprKind::Binary(_, a, b) => has_short_projection(a) || has_short_projection(b),
        ExprKind::Call(f, _) => has_short_projection(f),
        ExprKind::If(c, t, f) => {
            has_short_projection(c) || has_short_projection(t) || has_short_projection(f)
        }
        ExprKind::Array(items) => items.iter().any(has_short_projection),
        ExprKind::With(a, _, v) => has_short_projection(a) || has_short_projection(v),
        _ => false,
    }
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The one kind of value every value of `ty` has, as a type test tells them apart: the
/// narrowing kinds, and functions and streams (never `data`, so never narrowed).
fn sole_kind(subst: &Subst, ty: &Ty) -> Option<&'static str> {
    match subst.head(ty) {
        Ty::Fun(..) => Some("a function"),
        Ty::Con(name, _) if &*name == "stream" => Some("a stream"),
        _ => NarrowedKind::of(subst, ty).map(NarrowedKind::described),
    }
}
