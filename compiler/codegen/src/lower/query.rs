//! `db.filter(p, q)` and `db.map(f, q)` run in the store's query engine. The predicate `p`,
//! written in place as a lambda (`r -> r.age > 30`) or a short projection (`.age > 30`), is
//! rewritten into the query AST of spec §7 and the call becomes `db.process(ast, q)`; so is a
//! `db.map` function that only builds a record from the row's fields (an `object` projection).
//! The rewrite happens on the syntax tree: the AST is an array expression whose
//! row-independent parts are the program's own expressions (`r.city == home` puts `home`'s
//! value in the AST when the query runs), so no lowering rule is special to queries. A
//! predicate that does not fit the engine (facts §6.3's list) is an error pointing at the
//! construct, with `db.filterWithFallback` as the way out; a `db.map` function that computes
//! with the row stays Mix code.
//!
//! Filter rules: `&&`, `||`, `not` combine filters; `key op value` and `value op key` with
//! `== != < <= > >=` compare; `key?` tests existence; `string.contains(v, key)`,
//! `string.hasPrefix(v, key)`, `string.startsWith(key, v)` and `string.like(key, "text%")`
//! match strings; `array.contains(key, list)`, `array.featuresOne(key, list)` and
//! `array.featuresAll(key, list)` test membership; `db.eval(ast)` splices an AST. A key is a
//! field path of the row (`r.a.b`, `.a.b`); a value is any expression that does not use the
//! row. A sub-predicate that does not use the row switches the filter on or off when the query
//! runs.

use mix_check::infer::has_short_projection;
use mix_diagnostics::{Diagnostic, Span};
use mix_runtime::qcode::Reg;
use mix_syntax::ast::{
    BinOp, Expr, ExprKind, FieldKey, FieldName, LetBinding, LetStyle, LetTarget, Pattern,
    PatternKind, UnOp,
};

use super::{codes, strip_pattern, Lowerer, Res};

/// How the predicate refers to the record it tests.
#[derive(Clone, Copy)]
enum Row<'a> {
    /// `r -> …`
    Named(&'a str),
    /// `_ -> …`: it does not.
    Unused,
    /// `.field …`
    Short,
}

impl Lowerer<'_, '_> {
    /// `db.filter(predicate, rest…)` as `db.process(ast, rest…)`.
    pub(super) fn db_filter(
        &mut self,
        predicate: &Expr,
        rest: &[Expr],
        dst: Option<Reg>,
        e: &Expr,
    ) -> Res<()> {
        let ast = filter_ast(predicate)?;
        self.db_process(ast, rest, dst, e)
    }

    /// `db.map(function, rest…)` as `db.process(ast, rest…)` when the function is a projection
    /// the engine can run (see [`map_ast`]); `Ok(false)` leaves the call to the Mix path.
    pub(super) fn db_map(
        &mut self,
        function: &Expr,
        rest: &[Expr],
        dst: Option<Reg>,
        e: &Expr,
    ) -> Res<bool> {
        let Some(ast) = map_ast(function) else {
            return Ok(false);
        };
        self.db_process(ast, rest, dst, e)?;
        Ok(true)
    }

    fn db_process(&mut self, ast: Expr, rest: &[Expr], dst: Option<Reg>, e: &Expr) -> Res<()> {
        let span = generated(e.span);
        let field = |base: Expr, name: &str| {
            let name = FieldName {
                name: name.into(),
                quoted: false,
            };
            Expr::new(ExprKind::Field(Box::new(base), name), span)
        };
        let process = field(field(Expr::new(ExprKind::GlobalRef, span), "db"), "process");
        let mut args = vec![ast];
        args.extend(rest.iter().cloned());
        self.call(&process, &args, dst, e)
    }
}

/// How a one-parameter lambda (or a short projection) refers to its row, and its body; `None`
/// for any other function expression.
fn row_and_body(f: &Expr) -> Option<(Row<'_>, &Expr)> {
    match &f.kind {
        ExprKind::Lambda(arms) => match arms.as_slice() {
            [arm] if arm.params.len() == 1 && arm.guard.is_none() => {
                match &strip_pattern(&arm.params[0]).kind {
                    PatternKind::Bind(name) => Some((Row::Named(name), &arm.body)),
                    PatternKind::Wildcard => Some((Row::Unused, &arm.body)),
                    _ => None,
                }
            }
            _ => None,
        },
        _ if has_short_projection(f) => Some((Row::Short, f)),
        _ => None,
    }
}

/// The engine projection of a `db.map` function that builds a record from the row's fields and
/// values that do not use the row (`r -> {name: r.name, zip: r.home.zip, n: 1}`,
/// `{name: .name}`, nested records too): `["object", [["assignMember", k, v]…]]`. `None` when
/// anything else appears: the function then runs as Mix code (facts §6.3: "field accesses run
/// in the engine, everything else in Mix").
fn map_ast(f: &Expr) -> Option<Expr> {
    let (row, body) = row_and_body(f)?;
    Rewriter { row }.object(body)
}

/// The query AST of `db.filter`'s predicate, as an expression building it.
fn filter_ast(pred: &Expr) -> Result<Expr, Box<Diagnostic>> {
    let (row, body) = row_and_body(pred).ok_or_else(|| not_in_place(pred.span))?;
    Rewriter { row }.filter(body, true)
}

fn not_in_place(span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            codes::QUERY_PREDICATE,
            "`db.filter` runs in the query engine and needs its predicate written here, as \
             `r -> …` or `.field …`",
            span,
        )
        .with_help("pass a function value to `db.filterWithFallback`, which runs it as Mix code"),
    )
}

struct Rewriter<'a> {
    row: Row<'a>,
}

impl Rewriter<'_> {
    /// The filter passing the records for which `e` is exactly `holds`. Mix logic has three
    /// values: a comparison on a field the record lacks is `undefined`, and so is its `not`,
    /// so neither passes, while the engine's `!=` and `not` pass such a record. Asking for
    /// "exactly true" and "exactly false" separately (`not` swaps them, `&&`/`||` swap their
    /// roles) and guarding comparisons with `exists` keeps the engine's answers Mix's.
    fn filter(&self, e: &Expr, holds: bool) -> Result<Expr, Box<Diagnostic>> {
        let e = unparen(e);
        let span = e.span;
        if let Some(ast) = spliced(e) {
            return Ok(exactly(holds, ast.clone()));
        }
        if !self.uses_row(e) {
            // Decided when the query runs: everything or nothing passes (an undefined
            // condition takes `if`'s `else`, as it fails Mix's filter either way).
            let on = node(span, "nullFilter", vec![]);
            let off = node(span, "not", vec![on.clone()]);
            let condition = if holds {
                e.clone()
            } else {
                Expr::new(
                    ExprKind::Unary(UnOp::Not, Box::new(e.clone())),
                    generated(span),
                )
            };
            let kind = ExprKind::If(Box::new(condition), Box::new(on), Box::new(off));
            return Ok(Expr::new(kind, generated(span)));
        }
        match &e.kind {
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), a, b) => {
                // `a && b` is true when both are, false when either is; `||` the other way.
                let name = if (*op == BinOp::And) == holds {
                    "and"
                } else {
                    "or"
                };
                Ok(node(
                    span,
                    name,
                    vec![self.filter(a, holds)?, self.filter(b, holds)?],
                ))
            }
            ExprKind::Unary(UnOp::Not, a) => self.filter(a, !holds),
            ExprKind::Binary(op, a, b) => self.comparison(*op, a, b, e, holds),
            ExprKind::Defined(a) => match self.key(a) {
                // `key?` is never undefined
                Some(key) => Ok(exactly(holds, node(span, "exists", vec![key]))),
                None => {
                    Err(self.unsupported(e, "only a field of the record can be tested with `?`"))
                }
            },
            ExprKind::Call(callee, args) => self.call(callee, args, e, holds),
            _ => Err(self.unsupported(e, "this expression has no query engine form")),
        }
    }

    /// A record literal as an `object` node; `None` unless every field is a field path of the
    /// row, a nested record of the same kind, or a value that does not use the row.
    fn object(&self, e: &Expr) -> Option<Expr> {
        let e = unparen(e);
        let ExprKind::Record(fields) = &e.kind else {
            return None;
        };
        let mut members = Vec::with_capacity(fields.len());
        for field in fields {
            let span = field.span;
            let (name, value) = match (&field.key, &field.value) {
                (FieldKey::Name(name), Some(value)) => (name, self.member_value(value)?),
                // `{a}`: the variable `a`
                (FieldKey::Name(name), None) => {
                    let value = Expr::new(ExprKind::Name(name.name.clone()), span);
                    (name, self.member_value(&value)?)
                }
                // `{.a}`: the row's field `a`
                (FieldKey::Short(name), None) if matches!(self.row, Row::Short) => {
                    let value = Expr::new(ExprKind::ShortField(name.clone()), span);
                    (name, self.rooted_key(&value)?)
                }
                _ => return None,
            };
            let member = vec![text(span, "assignMember"), text(span, &name.name), value];
            members.push(Expr::new(ExprKind::Array(member), generated(span)));
        }
        Some(node(
            e.span,
            "object",
            vec![Expr::new(ExprKind::Array(members), generated(e.span))],
        ))
    }

    fn member_value(&self, value: &Expr) -> Option<Expr> {
        if let Some(key) = self.rooted_key(value) {
            return Some(key);
        }
        if !self.uses_row(value) {
            return Some(literal(value));
        }
        self.object(value)
    }

    /// `key op value` or `value op key`.
    fn comparison(
        &self,
        op: BinOp,
        a: &Expr,
        b: &Expr,
        e: &Expr,
        holds: bool,
    ) -> Result<Expr, Box<Diagnostic>> {
        let Some((name, flipped)) = comparison_name(op) else {
            return Err(self.unsupported(e, "this operator has no query engine form"));
        };
        let (key, value, name) =
            match (self.key(a), self.key(b)) {
                (Some(key), _) if !self.uses_row(b) => (key, b, name),
                (_, Some(key)) if !self.uses_row(a) => (key, a, flipped),
                _ => return Err(self.unsupported(
                    e,
                    "a comparison needs a field of the record on one side and a value that does \
                     not use the record on the other",
                )),
            };
        Ok(self.compare(e.span, name, key, value, holds))
    }

    /// `key op value` passing the records for which it is exactly `holds` (see `filter`):
    /// where the field is missing Mix's comparison is undefined, so the record passes neither
    /// way; the engine's `!=` (and `not` of anything) would pass it.
    fn compare(&self, span: Span, op: &str, key: Expr, value: &Expr, holds: bool) -> Expr {
        let in_place_list =
            matches!(op, "in" | "all_in") && matches!(unparen(value).kind, ExprKind::Array(_));
        if in_place_list {
            // (an undefined element fails when the list is built, in Mix as here)
            return self.comparison_node(span, op, key, list(value), holds);
        }
        // The value is computed once, when the query runs; an undefined value makes the
        // comparison undefined in Mix, so nothing passes.
        const VALUE: &str = " value";
        let at = generated(value.span);
        let bound = Expr::new(ExprKind::Name(VALUE.into()), at);
        let test = self.comparison_node(span, op, key, literal(&bound), holds);
        let defined = Expr::new(ExprKind::Defined(Box::new(bound)), at);
        let off = node(span, "not", vec![node(span, "nullFilter", vec![])]);
        let checked = Expr::new(
            ExprKind::If(Box::new(defined), Box::new(test), Box::new(off)),
            generated(span),
        );
        let binding = LetBinding {
            target: LetTarget::Pattern(Pattern::new(PatternKind::Bind(VALUE.into()), at)),
            ty: None,
            value: value.clone(),
            span: at,
        };
        Expr::new(
            ExprKind::Let(Box::new(binding), Box::new(checked), LetStyle::In),
            generated(span),
        )
    }

    /// `key op value` with the value's node built (see `compare`).
    fn comparison_node(&self, span: Span, op: &str, key: Expr, value: Expr, holds: bool) -> Expr {
        let exists = node(span, "exists", vec![key.clone()]);
        let test = node(span, "comparison", vec![text(span, op), key, value]);
        match (holds, op) {
            (true, "!=") => node(span, "and", vec![exists, test]),
            (true, _) => test,
            (false, _) => node(span, "and", vec![exists, node(span, "not", vec![test])]),
        }
    }

    fn call(
        &self,
        callee: &Expr,
        args: &[Expr],
        e: &Expr,
        holds: bool,
    ) -> Result<Expr, Box<Diagnostic>> {
        let span = e.span;
        // (which argument is the field, which the value, the comparison)
        let form = match stdlib_name(callee).as_deref() {
            Some("string.contains") => Some((1, 0, "contains")),
            Some("string.hasPrefix") => Some((1, 0, "like")),
            Some("string.startsWith") => Some((0, 1, "like")),
            Some("array.contains") => Some((0, 1, "in")),
            Some("array.featuresOne") => Some((0, 1, "in")),
            Some("array.featuresAll") => Some((0, 1, "all_in")),
            Some("string.like") => return self.like(args, e, holds),
            _ => None,
        };
        let Some((field, value, op)) = form else {
            return Err(self.unsupported(e, "this call has no query engine form"));
        };
        match (args.get(field).and_then(|a| self.key(a)), args.get(value)) {
            (Some(key), Some(v)) if args.len() == 2 && !self.uses_row(v) => {
                Ok(self.compare(span, op, key, v, holds))
            }
            // `string.startsWith("A", r.name)`: the field where the value goes, and the other
            // way round (`startsWith(s, prefix)` but `hasPrefix(prefix, s)` is a known trap).
            _ if args.len() == 2
                && self.key(&args[value]).is_some()
                && !self.uses_row(&args[field]) =>
            {
                let name = stdlib_name(callee).unwrap_or_default();
                let place = |i: usize| if i == 0 { "first" } else { "second" };
                let mut error = self.unsupported(
                    e,
                    &format!(
                        "`{name}` takes the record's field as its {} argument; here it is the {}",
                        place(field),
                        place(value)
                    ),
                );
                error.help = Some(format!(
                    "swap the two arguments of `{name}` (or use `db.filterWithFallback` to run \
                     the predicate as Mix code over the records)"
                ));
                Err(error)
            }
            _ => Err(self.unsupported(
                e,
                "the query engine needs a field of the record and a value that does not use \
                 the record here",
            )),
        }
    }

    /// `string.like(key, "prefix%")`: the engine's `like` is a prefix match.
    fn like(&self, args: &[Expr], e: &Expr, holds: bool) -> Result<Expr, Box<Diagnostic>> {
        let prefix = match args {
            [field, pattern] => match (self.key(field), &unparen(pattern).kind) {
                (Some(key), ExprKind::Str(p)) => p
                    .strip_suffix('%')
                    .filter(|rest| !rest.contains('%'))
                    .map(|rest| (key, rest)),
                _ => None,
            },
            _ => None,
        };
        match prefix {
            Some((key, rest)) => {
                let value = Expr::new(ExprKind::Str(rest.into()), args[1].span);
                Ok(self.compare(e.span, "like", key, &value, holds))
            }
            None => Err(self.unsupported(
                e,
                "the query engine runs `string.like` only on a field and a literal pattern \
                 ending in `%` with no other `%`",
            )),
        }
    }

    /// The query key of a field path of the row (`r.a.b`, `.a.b`), as the query string parser
    /// writes it: `["token", "a"]`, `["objectMember", ["objectMember", null, "a"], ["token", "b"]]`.
    fn key(&self, e: &Expr) -> Option<Expr> {
        self.key_from(e, false)
    }

    /// A key that names the row's field even inside a nested projection, whose plain keys
    /// are relative to the nested value: `["objectMember", null, "a"]`, then as [`key`].
    fn rooted_key(&self, e: &Expr) -> Option<Expr> {
        self.key_from(e, true)
    }

    fn key_from(&self, e: &Expr, rooted: bool) -> Option<Expr> {
        let span = e.span;
        let path = self.path(e)?;
        let token = |f: &FieldName| node(span, "token", vec![text(span, &f.name)]);
        let (first, rest) = path.split_first()?;
        if rest.is_empty() && !rooted {
            return Some(token(first));
        }
        let null = Expr::new(ExprKind::Null, generated(span));
        let start = node(span, "objectMember", vec![null, text(span, &first.name)]);
        Some(rest.iter().fold(start, |parent, f| {
            node(span, "objectMember", vec![parent, token(f)])
        }))
    }

    /// The fields of a path from the row, outermost first.
    fn path<'e>(&self, e: &'e Expr) -> Option<Vec<&'e FieldName>> {
        let e = unparen(e);
        match (&e.kind, self.row) {
            (ExprKind::ShortField(f), Row::Short) => Some(vec![f]),
            (ExprKind::Field(base, f), Row::Named(row)) if matches!(&unparen(base).kind, ExprKind::Name(n) if **n == *row) => {
                Some(vec![f])
            }
            (ExprKind::Field(base, f), _) => {
                let mut path = self.path(base)?;
                path.push(f);
                Some(path)
            }
            _ => None,
        }
    }

    /// Whether `e` refers to the row (conservatively: any use of the row's name, even where
    /// a nested binding shadows it).
    fn uses_row(&self, e: &Expr) -> bool {
        match self.row {
            Row::Unused => false,
            Row::Short => has_short_projection(e),
            Row::Named(row) => mix_syntax::walk::mentions(e, row),
        }
    }

    fn unsupported(&self, e: &Expr, why: &str) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::error(
                codes::QUERY_PREDICATE,
                "this part of the `db.filter` predicate cannot run in the query engine",
                e.span,
            )
            .with_label(e.span, why)
            .with_help(
                "use `db.filterWithFallback` to run the predicate as Mix code over the records",
            ),
        )
    }
}

/// The engine's name of a comparison operator, and its name with the operands swapped.
fn comparison_name(op: BinOp) -> Option<(&'static str, &'static str)> {
    Some(match op {
        BinOp::Eq => ("==", "=="),
        BinOp::Ne => ("!=", "!="),
        BinOp::Lt => ("<", ">"),
        BinOp::Le => ("<=", ">="),
        BinOp::Gt => (">", "<"),
        BinOp::Ge => (">=", "<="),
        _ => return None,
    })
}

/// `db.eval(ast)`'s argument: an AST spliced in as it is.
fn spliced(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Call(callee, args) if stdlib_name(callee).as_deref() == Some("db.eval") => {
            match args.as_slice() {
                [ast] => Some(ast),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `M.f` or `global.M.f` as `"M.f"` (the standard library's modules are not shadowed by locals
/// in a predicate: a local named like a module makes the call fall through to an error).
fn stdlib_name(callee: &Expr) -> Option<String> {
    let ExprKind::Field(base, f) = &callee.kind else {
        return None;
    };
    let module = match &base.kind {
        ExprKind::Name(m) => m,
        ExprKind::Field(global, m) if matches!(global.kind, ExprKind::GlobalRef) => &m.name,
        _ => return None,
    };
    Some(format!("{module}.{}", f.name))
}

fn unparen(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

/// The span of an expression the rewrite builds in place of the source's at `span`: empty,
/// at its start. Runtime errors still point at the source line, but the checker's sites (a
/// `data` value narrowed, a typed `+`), keyed by the span of the expression they belong to,
/// never apply to what the rewrite built: the field key `["objectMember", null, "city"]` is
/// not `r.city`'s value, nor `value?` the value.
fn generated(span: Span) -> Span {
    Span {
        start: span.start,
        end: span.start,
    }
}

fn text(span: Span, s: &str) -> Expr {
    Expr::new(ExprKind::Str(s.into()), generated(span))
}

/// `["name", args…]`.
fn node(span: Span, name: &str, args: Vec<Expr>) -> Expr {
    let mut items = vec![text(span, name)];
    items.extend(args);
    Expr::new(ExprKind::Array(items), generated(span))
}

/// `filter` (a filter node) when asking for "exactly true", its `not` for "exactly false";
/// only for filters that are never undefined (`exists`, a spliced AST).
fn exactly(holds: bool, filter: Expr) -> Expr {
    if holds {
        filter
    } else {
        let span = filter.span;
        node(span, "not", vec![filter])
    }
}

/// `["literal", value]`: the value whatever its shape (a list or a string that looks like an
/// AST node stays a value).
fn literal(value: &Expr) -> Expr {
    node(value.span, "literal", vec![value.clone()])
}

/// The list of `in`/`all_in` written in place: `["list", ["literal", x]…]`, whose elements the
/// executor looks up in the indexes one by one.
fn list(value: &Expr) -> Expr {
    match &unparen(value).kind {
        ExprKind::Array(items) => node(value.span, "list", items.iter().map(literal).collect()),
        _ => literal(value),
    }
}
