//! Checks that need the finished tree: pattern-only syntax left in expression position,
//! assignment targets, primitives outside the standard library. Iterative, like the depth guard.

use mix_diagnostics::Diagnostic;

use crate::ast::*;
use crate::codes;
use crate::parser::ParseOptions;
use crate::walk::{children, Node};

pub fn check(file: &SourceFile, options: ParseOptions, diagnostics: &mut Vec<Diagnostic>) {
    let mut stack: Vec<Node<'_>> = file.items.iter().map(Node::Item).collect();
    let mut next = Vec::new();
    while let Some(node) = stack.pop() {
        match node {
            Node::Expr(e) => check_expr(e, options, diagnostics),
            Node::Stmt(Stmt {
                kind: StmtKind::Assign { target, .. },
                ..
            }) => check_assign_target(target, diagnostics),
            _ => {}
        }
        // A labeled element is fine directly inside an array literal: visit its value only.
        if let Node::Expr(Expr {
            kind: ExprKind::Array(items),
            ..
        }) = node
        {
            for item in items {
                match &item.kind {
                    ExprKind::Labeled(_, value) => stack.push(Node::Expr(value)),
                    _ => stack.push(Node::Expr(item)),
                }
            }
            continue;
        }
        children(node, &mut next);
        stack.append(&mut next);
    }
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
