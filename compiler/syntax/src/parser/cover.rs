//! The grammar's actions: turning cover-grammar expressions into patterns, lambda parameters,
//! `let` targets and types. Problems become diagnostics and error nodes, never parse failures.

use lalrpop_util::ErrorRecovery;
use mix_diagnostics::{Diagnostic, Span};

use crate::ast::*;
use crate::codes;
use crate::token::Tok;

/// Mutable state threaded through the generated parser.
#[derive(Default)]
pub struct Cx<'input> {
    pub diagnostics: Vec<Diagnostic>,
    pub recovered: Vec<ErrorRecovery<usize, Tok<'input>, std::convert::Infallible>>,
    /// Indexes into `recovered` of recoveries at item level (the whole definition was lost);
    /// only these may cascade when the parser resumes inside the broken definition.
    pub item_level: Vec<usize>,
    /// Nesting of the cover conversions, bounded like the rest of the tree (see `depth.rs`).
    depth: usize,
    /// Items of the operator sequences being parsed, and scratch stacks for building their
    /// trees (see `seq.rs`): reused, so sequences allocate nothing of their own.
    pub(super) seq: Vec<super::seq::Item>,
    pub(super) seq_operands: Vec<Expr>,
    pub(super) seq_pending: Vec<super::seq::Pending>,
    /// Where syntax that validation may reject was built as an expression (by start offset):
    /// pattern-only forms, primitives, invalid assignment targets. A cover conversion that turns
    /// one into a pattern records its offset again in `converted`. Only subtrees holding an
    /// offset left over need the validation walk (`validate.rs`).
    pub(crate) suspects: Vec<u32>,
    pub(crate) converted: Vec<u32>,
}

impl<'input> Cx<'input> {
    pub fn item_recovery(
        &mut self,
        e: ErrorRecovery<usize, Tok<'input>, std::convert::Infallible>,
    ) {
        self.item_level.push(self.recovered.len());
        self.recovered.push(e);
    }
}

impl Cx<'_> {
    /// The offsets of `suspects` not matched by one in `converted` (a multiset difference),
    /// sorted.
    pub fn unconverted_suspects(&mut self) -> Vec<u32> {
        self.suspects.sort_unstable();
        self.converted.sort_unstable();
        let mut converted = self.converted.iter().peekable();
        let mut left = Vec::new();
        for &at in &self.suspects {
            while converted.next_if(|&&c| c < at).is_some() {}
            if converted.next_if(|&&c| c == at).is_none() {
                left.push(at);
            }
        }
        left
    }

    /// Records `e` as a suspect (see `suspects`).
    pub fn suspect(&mut self, e: Expr) -> Expr {
        self.suspects.push(e.span.start);
        e
    }

    fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.diagnostics
            .push(Diagnostic::error(code, message, span));
    }
}

pub fn sp(l: usize, r: usize) -> Span {
    Span::new(l as u32, r as u32)
}

pub fn binary(op: BinOp, a: Expr, b: Expr, span: Span) -> Expr {
    Expr::new(ExprKind::Binary(op, Box::new(a), Box::new(b)), span)
}

pub fn comparison(cx: &mut Cx<'_>, op: BinOp, a: Expr, b: Expr, span: Span) -> Expr {
    if let ExprKind::Binary(inner, ..) = a.kind {
        if inner.is_comparison() {
            cx.diagnostics.push(
                Diagnostic::error(codes::CHAINED_COMPARISON, "comparisons do not chain", span)
                    .with_help(
                        "write `a < b && b < c`, or add parentheses if you mean to compare a bool",
                    ),
            );
        }
    }
    binary(op, a, b, span)
}

/// `T` (uppercase) is a type variable, `_` a wildcard, anything else a named type.
pub fn named_type(path: Vec<Ident>, span: Span) -> Type {
    if path.len() == 1 {
        let first = &path[0];
        if &*first.name == "_" {
            return Type::new(TypeKind::Wildcard, span);
        }
        if first.name.starts_with(|c: char| c.is_ascii_uppercase()) {
            let var = path.into_iter().next().expect("path has one element");
            return Type::new(TypeKind::Var(var, None), span);
        }
    }
    Type::new(TypeKind::Named(path), span)
}

pub fn else_if(cond: Expr, block: Block, rest: StmtKind) -> StmtKind {
    match rest {
        StmtKind::If {
            branches,
            otherwise,
        } => {
            let mut all = vec![(cond, block)];
            all.extend(branches);
            StmtKind::If {
                branches: all,
                otherwise,
            }
        }
        other => other,
    }
}

fn ident_at_end(name: &str, span: Span) -> Ident {
    let start = span.end.saturating_sub(name.len() as u32).max(span.start);
    Ident {
        name: name.into(),
        span: Span::new(start, span.end),
    }
}

/// The qualifier path of a case pattern: `self.red`, `M.c`, `global.some`, `a.b.c`.
fn case_path(e: &Expr) -> Option<Vec<Ident>> {
    // Iterative: a path may be as long as the input.
    let mut names = Vec::new();
    let mut current = e;
    while let ExprKind::Field(base, field) = &current.kind {
        if field.quoted {
            return None;
        }
        names.push(ident_at_end(&field.name, current.span));
        current = base;
    }
    let root = match &current.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::SelfRef => "self".into(),
        ExprKind::GlobalRef => "global".into(),
        _ => return None,
    };
    let mut path = vec![Ident {
        name: root,
        span: current.span,
    }];
    names.reverse();
    path.extend(names);
    Some(path)
}

/// Converts a cover-grammar expression into a pattern (spec §3.5).
pub fn pattern(cx: &mut Cx<'_>, e: Expr) -> Pattern {
    // The conversion recurses, so it is bounded like every other pass over the tree.
    if cx.depth >= crate::MAX_DEPTH {
        let span = e.span;
        cx.error(
            codes::TOO_DEEP,
            format!("too deeply nested: more than {} levels", crate::MAX_DEPTH),
            span,
        );
        // Dropping the rest of this chain would recurse as deeply: leak it instead.
        std::mem::forget(e);
        return Pattern::new(PatternKind::Error, span);
    }
    cx.depth += 1;
    let result = pattern_inner(cx, e);
    cx.depth -= 1;
    result
}

fn pattern_inner(cx: &mut Cx<'_>, e: Expr) -> Pattern {
    let span = e.span;
    let kind = match e.kind {
        ExprKind::Name(n) if &*n == "_" => PatternKind::Wildcard,
        ExprKind::Name(n) => PatternKind::Bind(n),
        ExprKind::Null => PatternKind::Null,
        ExprKind::Undefined => PatternKind::Undefined,
        ExprKind::True => PatternKind::Bool(true),
        ExprKind::False => PatternKind::Bool(false),
        ExprKind::Int(i) => PatternKind::Int(i),
        ExprKind::Float(f) => PatternKind::Float(f),
        ExprKind::Str(s) => PatternKind::Str(s),
        ExprKind::Unary(UnOp::Neg, inner) => match inner.kind {
            ExprKind::Int(i) => PatternKind::Int(i.wrapping_neg()),
            ExprKind::Float(f) => PatternKind::Float(-f),
            _ => {
                return invalid_pattern(
                    cx,
                    span,
                    "only number literals can be negated in a pattern",
                )
            }
        },
        ExprKind::Array(elems) => {
            PatternKind::Array(elems.into_iter().map(|e| pattern(cx, e)).collect())
        }
        ExprKind::Spread(kind, name) => {
            cx.converted.push(span.start);
            PatternKind::Spread(kind, name)
        }
        ExprKind::Record(fields) => PatternKind::Record(
            fields
                .into_iter()
                .filter_map(|field| field_pattern(cx, field))
                .collect(),
        ),
        ExprKind::Field(..) | ExprKind::SelfRef | ExprKind::GlobalRef => match case_path(&e) {
            Some(path) => PatternKind::Case { path, arg: None },
            None => {
                return invalid_pattern(cx, span, "expected a case such as `self.red` or `M.name`")
            }
        },
        ExprKind::Call(callee, mut args) => match case_path(&callee) {
            Some(path) if args.len() == 1 => {
                let arg = pattern(cx, args.remove(0));
                PatternKind::Case {
                    path,
                    arg: Some(Box::new(arg)),
                }
            }
            Some(_) => return invalid_pattern(
                cx,
                span,
                "a case pattern takes exactly one argument; match several values with `c([a, b])`",
            ),
            None => {
                return invalid_pattern(
                    cx,
                    span,
                    "a call is not a pattern; only case constructors match",
                )
            }
        },
        ExprKind::TypeOf(t) => PatternKind::TypeTest(t),
        ExprKind::Capture(lhs, rhs) => match lhs.kind {
            ExprKind::Name(n) => {
                cx.converted.push(span.start);
                let inner = pattern(cx, *rhs);
                PatternKind::Capture(
                    Ident {
                        name: n,
                        span: lhs.span,
                    },
                    Box::new(inner),
                )
            }
            _ => return invalid_pattern(cx, lhs.span, "the left side of `@` must be a name"),
        },
        ExprKind::Binary(op, lhs, rhs) if op.is_comparison() => match lhs.kind {
            ExprKind::Name(n) => PatternKind::Compare(
                op,
                Ident {
                    name: n,
                    span: lhs.span,
                },
                rhs,
            ),
            _ => {
                return invalid_pattern(
                    cx,
                    lhs.span,
                    "a comparison pattern needs the bound name on the left, as in `n < 5`",
                )
            }
        },
        ExprKind::Binary(BinOp::And, lhs, rhs) => {
            let a = pattern(cx, *lhs);
            let b = pattern(cx, *rhs);
            PatternKind::And(Box::new(a), Box::new(b))
        }
        ExprKind::TypeHint(inner, ty) => PatternKind::Typed(Box::new(pattern(cx, *inner)), ty),
        ExprKind::Paren(inner) => PatternKind::Paren(Box::new(pattern(cx, *inner))),
        ExprKind::Error => PatternKind::Error,
        _ => return invalid_pattern(cx, span, "this expression is not a pattern"),
    };
    Pattern::new(kind, span)
}

fn invalid_pattern(cx: &mut Cx<'_>, span: Span, message: &str) -> Pattern {
    cx.error(codes::INVALID_PATTERN, message, span);
    Pattern::new(PatternKind::Error, span)
}

fn field_pattern(cx: &mut Cx<'_>, field: RecordField) -> Option<FieldPattern> {
    if field.optional {
        cx.converted.push(field.span.start);
    }
    match field.key {
        FieldKey::Name(key) => Some(FieldPattern {
            key,
            pattern: field.value.map(|v| pattern(cx, v)),
            optional: field.optional,
            span: field.span,
        }),
        FieldKey::Computed(k) if matches!(k.kind, ExprKind::Error) => None,
        FieldKey::Computed(_) | FieldKey::Short(_) => {
            cx.error(
                codes::INVALID_PATTERN,
                "a record pattern's keys must be names or strings",
                field.span,
            );
            None
        }
    }
}

/// `head -> body`, where the head is a cover expression: `x`, `(x)`, `(a, b)`, `()`, a pattern.
pub fn lambda(cx: &mut Cx<'_>, head: Expr, guard: Option<Expr>, body: Expr, span: Span) -> Expr {
    let (params, parenthesized) = match head.kind {
        ExprKind::Unit => (Vec::new(), true),
        ExprKind::Paren(inner) => (vec![pattern(cx, *inner)], true),
        ExprKind::ParenList(items) => {
            cx.converted.push(head.span.start);
            (items.into_iter().map(|e| pattern(cx, e)).collect(), true)
        }
        _ => (vec![pattern(cx, head)], false),
    };
    Expr::new(
        ExprKind::Lambda(vec![Arm {
            params,
            parenthesized,
            guard: guard.map(Box::new),
            body,
            span,
        }]),
        span,
    )
}

/// `(p1 -> e1 | p2 -> e2 | …)`: every member must be a one-arm lambda.
pub fn arms(cx: &mut Cx<'_>, first: Expr, rest: Vec<Expr>, span: Span) -> Expr {
    let mut arms = Vec::with_capacity(rest.len() + 1);
    for e in std::iter::once(first).chain(rest) {
        match e.kind {
            ExprKind::Lambda(one) if one.len() == 1 => arms.extend(one),
            ExprKind::Error => {}
            _ => cx.diagnostics.push(
                Diagnostic::error(
                    codes::BAD_ARM,
                    "each arm of a multi-arm lambda must be `pattern -> expression`",
                    e.span,
                )
                .with_help("write `(p1 -> e1 | p2 -> e2)`"),
            ),
        }
    }
    Expr::new(ExprKind::Lambda(arms), span)
}

pub fn action(cx: &mut Cx<'_>, params: Vec<Expr>, block: Block, span: Span) -> Expr {
    let params = params.into_iter().map(|p| pattern(cx, p)).collect();
    Expr::new(ExprKind::Action(Some(params), block), span)
}

/// The target of `let`: a pattern, or `f(a, b)` defining a local function.
fn let_target(cx: &mut Cx<'_>, head: Expr) -> LetTarget {
    let span = head.span;
    match head.kind {
        ExprKind::Call(callee, args) => match callee.kind {
            ExprKind::Name(name) => {
                let params = args.into_iter().map(|a| pattern(cx, a)).collect();
                LetTarget::Function(
                    Ident {
                        name,
                        span: callee.span,
                    },
                    params,
                )
            }
            other => {
                let callee = Box::new(Expr::new(other, callee.span));
                LetTarget::Pattern(pattern(cx, Expr::new(ExprKind::Call(callee, args), span)))
            }
        },
        kind => LetTarget::Pattern(pattern(cx, Expr::new(kind, span))),
    }
}

pub fn let_binding(
    cx: &mut Cx<'_>,
    head: (Expr, Option<Type>),
    value: Expr,
    span: Span,
) -> LetBinding {
    let (head, ty) = head;
    LetBinding {
        target: let_target(cx, head),
        ty,
        value,
        span,
    }
}

pub fn let_expr(
    cx: &mut Cx<'_>,
    head: (Expr, Option<Type>),
    value: Expr,
    body: Expr,
    style: LetStyle,
    span: Span,
) -> Expr {
    let binding_span = Span::new(span.start, value.span.end);
    let binding = let_binding(cx, head, value, binding_span);
    Expr::new(
        ExprKind::Let(Box::new(binding), Box::new(body), style),
        span,
    )
}

#[cfg(test)]
mod tests {
    use super::Cx;

    #[test]
    fn a_suspect_is_left_over_once_per_unconverted_occurrence() {
        let mut cx = Cx {
            suspects: vec![9, 5, 3, 5, 12],
            converted: vec![12, 5, 4],
            ..Cx::default()
        };
        assert_eq!(cx.unconverted_suspects(), vec![3, 5, 9]);
    }
}
