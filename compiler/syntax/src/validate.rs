//! Checks that need the finished tree: pattern-only syntax left in expression position,
//! assignment targets, primitives outside the standard library. The same iterative walk
//! measures the tree's depth (the nesting guard, `depth.rs`).

use mix_diagnostics::Diagnostic;

use crate::ast::*;
use crate::codes;
use crate::depth;
use crate::parser::ParseOptions;
use crate::walk::{children, Node};

/// Validates the tree and measures its depth in one iterative walk. If the tree is deeper than
/// [`crate::MAX_DEPTH`], adds no validation diagnostics and returns the "too deeply nested" one
/// (see `depth.rs`) for the first such node in the walk's order.
pub fn check(
    file: &SourceFile,
    options: ParseOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Diagnostic> {
    // (node, depth, whether its parent is an array literal)
    let mut stack: Vec<(Node<'_>, usize, bool)> = file
        .items
        .iter()
        .map(|i| (Node::Item(i), 1, false))
        .collect();
    let mut found = Vec::new();
    let mut next = Vec::new();
    while let Some((node, depth, in_array)) = stack.pop() {
        if depth > crate::MAX_DEPTH {
            return Some(depth::too_deep_at(node));
        }
        let mut is_array = false;
        match node {
            Node::Expr(e) => match &e.kind {
                // A labeled element is fine directly inside an array literal.
                ExprKind::Labeled(..) if in_array => {}
                ExprKind::Array(_) => is_array = true,
                _ => check_expr(e, options, &mut found),
            },
            Node::Stmt(Stmt {
                kind: StmtKind::Assign { target, .. },
                ..
            }) => check_assign_target(target, &mut found),
            _ => {}
        }
        children(node, &mut next);
        stack.extend(next.drain(..).map(|child| (child, depth + 1, is_array)));
    }
    diagnostics.append(&mut found);
    None
}

fn check_expr(e: &Expr, options: ParseOptions, diagnostics: &mut Vec<Diagnostic>) {
    let pattern_only = |what: &str| {
        Diagnostic::error(
            codes::PATTERN_ONLY,
            format!("{what} is only allowed in a pattern"),
            e.span,
        )
    };
    match &e.kind {
        ExprKind::Spread(SpreadKind::Multiple, _) => diagnostics.push(pattern_only("`~multiple`")),
        ExprKind::Spread(SpreadKind::Optional, _) => diagnostics.push(pattern_only("`~optional`")),
        ExprKind::Capture(..) => diagnostics.push(pattern_only("a capture `name @ pattern`")),
        ExprKind::Labeled(..) => diagnostics.push(Diagnostic::error(
            codes::PATTERN_ONLY,
            "a `#label:` element is only allowed in a tuple literal `[#a: 1, #b: 2]`",
            e.span,
        )),
        ExprKind::ParenList(_) => diagnostics.push(
            Diagnostic::error(
                codes::PAREN_LIST,
                "a parenthesised list is not a value",
                e.span,
            )
            .with_help("write a tuple as `[a, b]`, or add `-> body` to make a lambda"),
        ),
        ExprKind::Record(fields) => {
            for field in fields.iter().filter(|f| f.optional) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::PATTERN_ONLY,
                        "an optional field `k?:` is only allowed in a pattern",
                        field.span,
                    )
                    .with_help("in an expression, test a field with `r.k?`"),
                );
            }
        }
        ExprKind::Primitive(name) if !options.allow_primitives => diagnostics.push(
            Diagnostic::error(
                codes::PRIMITIVE_OUTSIDE_STDLIB,
                format!(
                    "`{name}` is a primitive; primitives are reserved for the standard library"
                ),
                e.span,
            )
            .with_help("call the standard library function that wraps it"),
        ),
        _ => {}
    }
}

/// `x = e`, `r.a[2].b = e`, `m.(k) = e`, `t[#1 of 2] = e`.
fn check_assign_target(target: &Expr, diagnostics: &mut Vec<Diagnostic>) {
    let mut current = target;
    loop {
        match &current.kind {
            ExprKind::Name(_) => return,
            ExprKind::Field(base, _)
            | ExprKind::DynField(base, _)
            | ExprKind::Index(base, _)
            | ExprKind::TupleIndex(base, ..)
            | ExprKind::LabelIndex(base, _) => current = base,
            ExprKind::Error => return,
            _ => break,
        }
    }
    diagnostics.push(
        Diagnostic::error(
            codes::INVALID_ASSIGN_TARGET,
            "cannot assign to this expression",
            target.span,
        )
        .with_help("assign to a variable or a path in it: `x = …`, `r.a[2].b = …`, `m.(k) = …`"),
    );
}
