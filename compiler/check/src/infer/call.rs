//! Calls: a function applied to its arguments one at a time (calls are curried), a pipe as
//! a call with the piped value last, and too many arguments for a function whose type says
//! how many it takes (E0217).

use mix_diagnostics::Span;
use mix_syntax::ast::{Expr, ExprKind};

use super::expr::{has_short_projection, qualified_path};
use super::unify::plus_impossible;
use super::unify::Subst;
use super::Infer;
use crate::codes;
use crate::ty::{self, fun, Ty};

impl Infer<'_> {
    /// `callee(args…)` (written at `span`), with `piped` (a value and its span) as one more,
    /// last argument for `x |> callee(args…)`. A function known to take fewer arguments than
    /// given is E0217.
    pub(super) fn call(
        &mut self,
        callee: &Expr,
        args: &[Expr],
        piped: Option<(Ty, Span)>,
        span: Span,
    ) -> Ty {
        let mut f = self.expr(callee);
        let reported_before = self.diagnostics.len();
        let piped_at = piped.as_ref().map(|p| p.1);
        let given = args.len() + usize::from(piped.is_some());
        if let Some(takes) = self.subst.known_arity(&f).filter(|&n| n > 0 && n < given) {
            for arg in args {
                self.expr_with_short_scope(arg);
            }
            // At the first argument too many; when that is the piped value, at the call it
            // goes into.
            let at = args.get(takes).map_or(span, |a| a.span);
            self.too_many_arguments(callee, &f, (takes, given), at, piped_at);
            return self.fresh();
        }
        // In `x |> f(…, p -> …)` a function written as an argument is checked knowing the
        // piped value's type (its parameter's type often comes from it: `pairs |>
        // array.map(p -> p[#1 of 2])`), so a mistake inside it is reported there, not as a
        // type that went wrong somewhere else. A mismatch of the piped value itself is
        // reported when it is applied, below.
        if let Some((x, _)) = &piped {
            if args.iter().any(|a| matches!(a.kind, ExprKind::Lambda(_))) {
                if let Some(last) = self.parameter(&f, given) {
                    let _ = self.subst.unify(&last, x);
                }
            }
        }
        // Each argument's type and span go on `call_args`, to try another order if the call
        // does not fit.
        let first_arg = self.call_args.len();
        for arg in args {
            // For a lambda, the type of the parameter it is passed as, when the callee's type
            // says (the callee's type is looked at only then: most arguments are not lambdas).
            let lambda = match &arg.kind {
                ExprKind::Lambda(arms) => match self.subst.head(&f) {
                    Ty::Fun(param, _) => Some((arms, *param)),
                    _ => None,
                },
                _ => None,
            };
            // How many arguments the callee gives the function passed here, if its type says
            // so (`array.sort`'s key function, `S -> data`: one).
            let wanted = lambda.as_ref().and_then(|(arms, param)| {
                let written = arms.first().map_or(0, |a| a.params.len());
                self.subst
                    .known_arity(param)
                    .filter(|&n| n > 0 && written > 0 && n != written)
                    .map(|n| (written, n))
            });
            let reported = self.diagnostics.len();
            let arg_ty = match &lambda {
                Some((arms, param)) => self.lambda(arms, Some(param)),
                None => self.expr_with_short_scope(arg),
            };
            let reported_inside = self.diagnostics.len();
            f = self.apply(f, &arg_ty, callee, arg.span);
            self.call_args.push((arg_ty, arg.span));
            if let Some((written, wanted)) = wanted {
                if self.diagnostics.len() > reported {
                    self.explain_lambda_arity(callee, written, wanted);
                }
            }
            if self.diagnostics.len() > reported_inside && has_short_projection(arg) {
                self.explain_short_projection(arg);
            }
        }
        if let Some((x, at)) = piped {
            f = self.apply(f, &x, callee, at);
            self.call_args.push((x, at));
        }
        if self.diagnostics.len() > reported_before {
            let passed = self.call_args.split_off(first_arg);
            if let Some(result) = self.explain_argument_order(callee, &passed, reported_before) {
                return result;
            }
            let at: Vec<Span> = passed.iter().map(|(_, at)| *at).collect();
            self.note_signature(callee, reported_before, &at);
        }
        self.call_args.truncate(first_arg);
        f
    }

    /// The type of parameter `n` (from 1) of function type `f`, when its type says so.
    fn parameter(&self, f: &Ty, n: usize) -> Option<Ty> {
        let mut current = f;
        for _ in 1..n {
            current = self.subst.as_fun(current)?.1;
        }
        self.subst.as_fun(current).map(|(param, _)| param.clone())
    }

    /// The name and declared type of a module's function called as `M.f`, if `callee` is one.
    fn module_function(&self, callee: &Expr) -> Option<(String, crate::ty::Scheme)> {
        let ExprKind::Field(base, name) = &callee.kind else {
            return None;
        };
        let mut path = qualified_path(self, base)?;
        path.push(name.name.clone());
        let parts: Vec<&str> = path.iter().map(|p| &**p).collect();
        let scheme = self.globals.value(&parts)?;
        Some((parts.join("."), scheme))
    }

    /// When the arguments of a call to a module's function (`given`, in the order written) do
    /// not fit but exactly one other order of them does (`map.set(m, k, v)` for
    /// `map.set(k, v, m)`: the library takes the value worked on last), replaces the
    /// mismatches found at them (from `first_new` on) by one diagnostic that says where each
    /// goes, and gives the call's result in that order (so what follows is checked against
    /// it, not against the mismatch). Tried only on this error path, for two to four arguments.
    fn explain_argument_order(
        &mut self,
        callee: &Expr,
        given: &[(Ty, Span)],
        first_new: usize,
    ) -> Option<Ty> {
        if !(2..=4).contains(&given.len()) {
            return None;
        }
        let spans: Vec<Span> = given.iter().map(|(_, at)| *at).collect();
        let consequences = |d: &mix_diagnostics::Diagnostic| {
            d.code == codes::TYPE_MISMATCH && spans.contains(&d.span)
        };
        // Only the written order failing at an argument is about order (not, say, an unknown
        // name inside one).
        if !self.diagnostics[first_new..].iter().any(consequences) {
            return None;
        }
        let (name, scheme) = self.module_function(callee)?;
        // The fitting order that moves the fewest pairs of arguments past each other: with
        // `string.sub(s, i, n)` both `(i, n, s)` and `(n, i, s)` fit, and moving `s` to the end
        // is the fix.
        let mut fitting: Option<(usize, Vec<usize>, Subst, Ty)> = None;
        let mut tied = false;
        for order in orders(given.len()).into_iter().skip(1) {
            let mut trial = self.subst.clone();
            let mut f = trial.instantiate(&scheme);
            let fits = order.iter().all(|&i| match trial.head(&f) {
                Ty::Fun(param, rest) => {
                    f = *rest;
                    trial.unify(&param, &given[i].0).is_ok()
                }
                _ => false,
            });
            if !fits {
                continue;
            }
            let moved = inversions(&order);
            match &fitting {
                Some((least, ..)) if *least < moved => {}
                Some((least, ..)) if *least == moved => tied = true,
                _ => {
                    tied = false;
                    fitting = Some((moved, order, trial, f));
                }
            }
        }
        if tied {
            return None; // no way to tell which of the orders was meant
        }
        let (_, order, trial, result) = fitting?;
        self.subst = trial;
        let mut kept = self.diagnostics.split_off(first_new);
        kept.retain(|d| !consequences(d));
        self.diagnostics.extend(kept);
        let mut diagnostic = mix_diagnostics::Diagnostic::error(
            codes::TYPE_MISMATCH,
            format!("the arguments of `{name}` are not in the order it takes them"),
            callee.span,
        );
        // in the order written, each misplaced argument with the position it goes in
        let mut placed: Vec<(usize, usize)> = order
            .iter()
            .enumerate()
            .filter(|(position, i)| position != *i)
            .map(|(position, &i)| (i, position))
            .collect();
        placed.sort_unstable();
        for (i, position) in placed {
            diagnostic = diagnostic.with_label(
                given[i].1,
                format!("this is `{name}`'s {} argument", ordinal(position + 1)),
            );
        }
        self.diagnostics.push(
            diagnostic
                .with_note(format!("`{name}` has type `{}`", ty::show_scheme(&scheme)))
                .with_help(
                    "put the arguments in the order labelled (`x |> f(a)` is `f(a, x)`: a \
                            piped value is the last one)",
                ),
        );
        Some(result)
    }

    /// Adds to the mismatch just reported for an argument with a short projection in it why it
    /// is a function: `.name` makes the whole argument a lambda, which is not what a condition
    /// like `string.startsWith("A", .name)` inside a larger one means.
    fn explain_short_projection(&mut self, arg: &Expr) {
        if let Some(last) = self.diagnostics.last_mut() {
            if last.span == arg.span && last.help.is_none() {
                last.help = Some(
                    "a `.field` in a call's argument makes that whole argument a function of \
                     the record (a short projection); inside a larger expression, name the \
                     record instead: `r -> r.age > 3 && string.hasPrefix(\"A\", r.name)`"
                        .to_string(),
                );
            }
        }
    }

    /// Adds the declared type of a module's function (`array.reduce : (S -> T -> T) -> …`) to
    /// the first mismatch found at one of its arguments (`at`): inference may have met the
    /// arguments in another order than the user reads them, and the signature says which goes
    /// where.
    fn note_signature(&mut self, callee: &Expr, first_new: usize, at: &[Span]) {
        let Some((name, scheme)) = self.module_function(callee) else {
            return;
        };
        let shown = format!("`{name}` has type `{}`", ty::show_scheme(&scheme));
        if let Some(d) = self.diagnostics[first_new..]
            .iter_mut()
            .find(|d| d.code == codes::TYPE_MISMATCH && at.contains(&d.span))
        {
            d.notes.push(shown);
        }
    }

    /// Adds to the mismatch just reported for a lambda argument why it did not fit: it takes
    /// `written` arguments where the callee calls it with `wanted` (`array.sort((a, b) -> a - b,
    /// xs)` gives a comparison where a key function is expected).
    fn explain_lambda_arity(&mut self, callee: &Expr, written: usize, wanted: usize) {
        let name = callee_name(self, callee)
            .map_or("the function called".to_string(), |n| format!("`{n}`"));
        if let Some(last) = self.diagnostics.last_mut() {
            last.notes.push(format!(
                "the function written here takes {written} {}, but {name} calls it with {wanted}",
                arguments(written)
            ));
        }
    }

    /// Adds to the mismatch just reported for `x |> f` why the value did not fit: it went in
    /// as `f`'s first argument, where `f` takes `takes` (`xs |> array.sort` gives the array
    /// where the key function goes).
    pub(super) fn explain_piped_first(&mut self, callee: &Expr, takes: usize) {
        let name = callee_name(self, callee).unwrap_or_else(|| "f".to_string());
        let others = (1..takes)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        if let Some(last) = self.diagnostics.last_mut() {
            last.help = Some(format!(
                "`x |> {name}` is `{name}(x)`: the piped value became the first of the {takes} \
                 arguments `{name}` takes; pass the others first, `x |> {name}({others})`, and \
                 the piped value goes last"
            ));
        }
    }

    fn too_many_arguments(
        &mut self,
        callee: &Expr,
        f: &Ty,
        (takes, given): (usize, usize),
        at: Span,
        piped_at: Option<Span>,
    ) {
        let name =
            callee_name(self, callee).map_or("this function".to_string(), |n| format!("`{n}`"));
        let shown = ty::Printer::default().print(&self.subst.resolve(f));
        let mut diagnostic = mix_diagnostics::Diagnostic::error(
            codes::TOO_MANY_ARGUMENTS,
            format!(
                "too many arguments: {name} takes {takes} {}, this call gives {given}",
                arguments(takes)
            ),
            at,
        )
        .with_label(callee.span, format!("its type is `{shown}`"));
        if let Some(piped_at) = piped_at {
            diagnostic = diagnostic
                .with_label(piped_at, "piped in as the last argument")
                .with_help(format!(
                    "`x |> f(a)` is `f(a, x)`: the piped value is the last argument, so write {} \
                 {} inside the parentheses",
                    takes - 1,
                    arguments(takes - 1)
                ));
        }
        self.diagnostics.push(diagnostic);
    }

    /// Applies a function type to one argument.
    pub(super) fn apply(
        &mut self,
        f: Ty,
        arg: &Ty,
        callee: &Expr,
        at: mix_diagnostics::Span,
    ) -> Ty {
        let result = self.fresh();
        match self.subst.head(&f) {
            Ty::Fun(param, ret) => {
                self.value_site(&param, arg, at, false);
                if let Err(m) = self.subst.unify(&param, arg) {
                    self.mismatch(
                        m,
                        at,
                        Some((callee.span, "the function called here".into())),
                    );
                }
                // A `+` deferred inside a polymorphic function is decided at its use (spec §4).
                if let Some((x, y)) = self.subst.impossible_plus(&ret) {
                    let message = plus_impossible(&self.subst, &x, &y);
                    self.diagnostics.push(
                        super::plus_impossible_error(message, at)
                            .with_label(callee.span, "this function adds its arguments with `+`"),
                    );
                    return self.fresh();
                }
                *ret
            }
            Ty::Var(_) => {
                self.expect(&f, &fun(arg.clone(), result.clone()), at);
                result
            }
            other => {
                let mut printer = ty::Printer::default();
                let shown = printer.print(&self.subst.resolve(&other));
                let mut diagnostic = mix_diagnostics::Diagnostic::error(
                    codes::NOT_A_FUNCTION,
                    format!("this is a `{shown}`, not a function: it cannot be called"),
                    callee.span,
                );
                if let Some(name) = callee_name(self, callee) {
                    diagnostic = diagnostic.with_help(format!(
                        "`{name}` is a value: use it without parentheses, `{name}`"
                    ));
                }
                self.diagnostics.push(diagnostic);
                self.fresh()
            }
        }
    }
}

/// The name a call's callee is written with (`f`, `M.f`), if it is a name.
fn callee_name(infer: &Infer<'_>, callee: &Expr) -> Option<String> {
    match &callee.kind {
        ExprKind::Name(n) => Some(n.to_string()),
        ExprKind::Field(base, f) => {
            let mut path = qualified_path(infer, base)?;
            path.push(f.name.clone());
            Some(path.join("."))
        }
        _ => None,
    }
}

/// Every order of `n` arguments, each as the written argument that goes in each position; the
/// order as written first.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for shorter in orders(n - 1) {
        for at in (0..n).rev() {
            let mut order = shorter.clone();
            order.insert(at, n - 1);
            all.push(order);
        }
    }
    all
}

/// How many pairs of arguments `order` puts the other way round than written.
fn inversions(order: &[usize]) -> usize {
    (0..order.len())
        .map(|i| {
            (i + 1..order.len())
                .filter(|&j| order[i] > order[j])
                .count()
        })
        .sum()
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        _ => format!("{n}th"),
    }
}

/// "argument" or "arguments", as `n` needs.
fn arguments(n: usize) -> &'static str {
    if n == 1 {
        "argument"
    } else {
        "arguments"
    }
}
