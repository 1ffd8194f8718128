//! The nesting guard. Recursive passes (validation's callers, the formatter, the checker) may
//! recurse once per level of nesting, so trees deeper than [`MAX_DEPTH`] are refused with one
//! diagnostic. The measurement itself is iterative.

use mix_diagnostics::{Diagnostic, Span};

use crate::ast::SourceFile;
use crate::codes;
use crate::walk::{children, Node};

pub const MAX_DEPTH: usize = 5000;

/// The first place nested deeper than [`MAX_DEPTH`], as a diagnostic.
pub fn too_deep(file: &SourceFile) -> Option<Diagnostic> {
    let mut stack: Vec<(Node<'_>, usize)> = file.items.iter().map(|i| (Node::Item(i), 1)).collect();
    let mut scratch = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Some(
                Diagnostic::error(
                    codes::TOO_DEEP,
                    format!("too deeply nested: more than {MAX_DEPTH} levels"),
                    span_of(node),
                )
                .with_help("split the expression into named definitions"),
            );
        }
        children(node, &mut scratch);
        stack.extend(scratch.drain(..).map(|child| (child, depth + 1)));
    }
    None
}

fn span_of(node: Node<'_>) -> Span {
    match node {
        Node::Item(i) => i.span,
        Node::Expr(e) => e.span,
        Node::Type(t) => t.span,
        Node::Pattern(p) => p.span,
        Node::Stmt(s) => s.span,
        Node::Block(b) => b.span,
    }
}
