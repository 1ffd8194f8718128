//! The nesting guard. Recursive passes (validation's callers, the formatter, the checker) may
//! recurse once per level of nesting, so trees deeper than [`MAX_DEPTH`] are refused with one
//! diagnostic. The measurement itself is iterative (done by the validation walk,
//! `validate::check`, so the tree is walked once).

use mix_diagnostics::Diagnostic;

use crate::codes;
use crate::walk::Node;

pub const MAX_DEPTH: usize = 5000;

/// The diagnostic for `node`, found deeper than [`MAX_DEPTH`] (the walk is `validate::check`).
pub fn too_deep_at(node: Node<'_>) -> Diagnostic {
    Diagnostic::error(
        codes::TOO_DEEP,
        format!("too deeply nested: more than {MAX_DEPTH} levels"),
        node.span(),
    )
    .with_help("split the expression into named definitions")
}
