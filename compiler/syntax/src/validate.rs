//! Checks that need the finished tree: pattern-only syntax left in expression position,
//! assignment targets, primitives outside the standard library. The same iterative walk
//! measures the tree's depth (the nesting guard, `depth.rs`).
//!
//! The walk skips every subtree that can hold neither: no suspect (an offset where the parser
//! built something these checks may reject and no cover conversion turned it into a pattern,
//! `Cx::suspects`) lies in its span, and its span is too short to nest past the limit. Nesting
//! one level deeper takes at least one more byte of source (an operator, a bracket, a
//! keyword), so a subtree of `n` bytes is at most about `n` levels deep; `LEVELS_PER_BYTE`
//! leaves a margin over that. In debug builds every parse also runs the whole walk and
//! asserts both agree.

use mix_diagnostics::{Diagnostic, Span};

use crate::ast::*;
use crate::codes;
use crate::depth;
use crate::parser::ParseOptions;
use crate::walk::{children, Node};

/// An upper bound on how many levels of tree one byte of source can add, with a margin (see
/// the module comment).
const LEVELS_PER_BYTE: usize = 4;
/// Levels a subtree may hold beyond its bytes' worth (an item's wrappers).
const LEVELS_SLACK: usize = 16;

/// Validates the tree and measures its depth in one iterative walk. If the tree is deeper than
/// [`crate::MAX_DEPTH`], adds no validation diagnostics and returns the "too deeply nested" one
/// (see `depth.rs`) for the first such node in the walk's order.
///
/// `suspects` (sorted offsets, see the module comment) lets the walk skip subtrees; `None`
/// walks everything.
pub fn check(
    file: &SourceFile,
    options: ParseOptions,
    suspects: Option<&[u32]>,
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
        if suspects.is_some_and(|s| nothing_to_find(node.span(), depth, s)) {
            continue;
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
            }) if !is_assign_target(target) => found.push(invalid_assign_target(target.span)),
            _ => {}
        }
        children(node, &mut next);
        stack.extend(next.drain(..).map(|child| (child, depth + 1, is_array)));
    }
    diagnostics.append(&mut found);
    None
}

/// Whether a subtree spanning `span` at `depth` can hold neither a validation error nor a node
/// past the depth limit.
fn nothing_to_find(span: Span, depth: usize, suspects: &[u32]) -> bool {
    let bytes = (span.end - span.start) as usize;
    let first = suspects.partition_point(|&at| at < span.start);
    let shallow = depth + bytes * LEVELS_PER_BYTE + LEVELS_SLACK <= crate::MAX_DEPTH;
    shallow && suspects.get(first).is_none_or(|&at| at >= span.end)
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

/// Whether `target` can be assigned to: `x = e`, `r.a[2].b = e`, `m.(k) = e`,
/// `t[#1 of 2] = e`.
pub fn is_assign_target(target: &Expr) -> bool {
    let mut current = target;
    loop {
        match &current.kind {
            ExprKind::Name(_) | ExprKind::Error => return true,
            ExprKind::Field(base, _)
            | ExprKind::DynField(base, _)
            | ExprKind::Index(base, _)
            | ExprKind::TupleIndex(base, ..)
            | ExprKind::LabelIndex(base, _) => current = base,
            _ => return false,
        }
    }
}

fn invalid_assign_target(span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_ASSIGN_TARGET,
        "cannot assign to this expression",
        span,
    )
    .with_help("assign to a variable or a path in it: `x = …`, `r.a[2].b = …`, `m.(k) = …`")
}

#[cfg(test)]
mod tests {
    use crate::parser::{parse, parse_with, ParseOptions};

    fn codes(source: &str) -> Vec<&'static str> {
        parse(source).diagnostics.iter().map(|d| d.code).collect()
    }

    /// Each form validation rejects, alone in a small definition (which the walk skips unless
    /// the parser marked it), and the same form converted into a pattern (which it must not
    /// report).
    #[test]
    fn marked_forms_are_found_in_small_definitions_and_converted_ones_are_not() {
        for (bad, good) in [
            ("def f = [~multiple x]", "def f = [~multiple x] -> x"),
            ("def f = x @ [1]", "def f = x @ [y] -> y"),
            ("def f = { a?: 1 }", "def f = { a?: x } -> x"),
            ("def f = (1, 2)", "def f = (a, b) -> a"),
            (
                "def f = do { 1 + 2 = 3; 4 }",
                "def f = do { var x = 1; x = 3; x }",
            ),
        ] {
            assert_eq!(codes(bad).len(), 1, "{bad}: {:?}", parse(bad).diagnostics);
            assert!(
                codes(good).is_empty(),
                "{good}: {:?}",
                parse(good).diagnostics
            );
        }
        let primitive = "def f = $string_length";
        assert_eq!(codes(primitive).len(), 1);
        let library = ParseOptions {
            allow_primitives: true,
        };
        assert!(parse_with(primitive, library).diagnostics.is_empty());
    }

    /// The densest nesting (a byte a level) just past the limit, in one definition.
    #[test]
    fn the_densest_nesting_past_the_limit_is_still_refused() {
        let deep = format!("def f = {}1", "-".repeat(crate::MAX_DEPTH + 1));
        assert!(
            codes(&deep).contains(&crate::codes::TOO_DEEP),
            "{:?}",
            codes(&deep)
        );
        let deep = format!(
            "def f = {}1{}",
            "(".repeat(crate::MAX_DEPTH),
            ")".repeat(crate::MAX_DEPTH)
        );
        assert!(codes(&deep).contains(&crate::codes::TOO_DEEP));
    }
}
