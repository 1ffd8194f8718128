//! How many times a function body reads a name on the path that reads it most: the proof that
//! a parameter's value is dead after a read, so the read may move the value out of its register
//! (a reduction's `(x, acc) -> acc + [x]` then extends the accumulator in place instead of
//! copying it at every step).
//!
//! Conservative by construction: branches count their most-reading side, everything else is
//! summed, and a read that may run again and again (in a loop, a nested function or a short
//! projection, which is a function too, where the code generator opens one) counts as
//! [`MANY`]. Names are compared as text, so a
//! shadowing binding's reads count as well: never fewer reads than there are.

use mix_check::infer::has_short_projection;
use mix_syntax::ast::{BinOp, Expr, ExprKind, LetBinding, LetTarget, Stmt, StmtKind};
use mix_syntax::walk::{children, mentions, Node};

/// Reads that may repeat without bound.
pub(super) const MANY: u32 = u32::MAX;

/// The most reads of `name` on one path through `node`.
pub(super) fn most_reads(node: Node<'_>, name: &str) -> u32 {
    match node {
        Node::Expr(e) => expr_reads(e, name),
        Node::Stmt(s) => stmt_reads(s, name),
        _ => sum_of_children(node, name),
    }
}

fn expr_reads(e: &Expr, name: &str) -> u32 {
    match &e.kind {
        ExprKind::Name(n) => u32::from(&**n == name),
        ExprKind::Lambda(_) | ExprKind::Action(..) => repeated_if_read(Node::Expr(e), name),
        ExprKind::If(cond, then, otherwise) => expr_reads(cond, name)
            .saturating_add(expr_reads(then, name).max(expr_reads(otherwise, name))),
        // where a short projection may make the expression a function (as the code
        // generator's short scopes do): arguments, parentheses, a pipe's right side
        ExprKind::Call(callee, args) => args.iter().fold(expr_reads(callee, name), |n, a| {
            n.saturating_add(scoped_reads(a, name))
        }),
        ExprKind::Paren(inner) => scoped_reads(inner, name),
        ExprKind::Binary(BinOp::Pipe, piped, f) => {
            expr_reads(piped, name).saturating_add(scoped_reads(f, name))
        }
        ExprKind::Let(binding, body, _) => {
            binding_reads(binding, name).saturating_add(expr_reads(body, name))
        }
        _ => sum_of_children(Node::Expr(e), name),
    }
}

/// The reads of an expression that is a function when it holds a short projection.
fn scoped_reads(e: &Expr, name: &str) -> u32 {
    if has_short_projection(e) {
        repeated_if_read(Node::Expr(e), name)
    } else {
        expr_reads(e, name)
    }
}

fn binding_reads(binding: &LetBinding, name: &str) -> u32 {
    match &binding.target {
        LetTarget::Function(..) => repeated_if_read(Node::Expr(&binding.value), name),
        LetTarget::Pattern(p) => {
            most_reads(Node::Pattern(p), name).saturating_add(scoped_reads(&binding.value, name))
        }
    }
}

fn stmt_reads(s: &Stmt, name: &str) -> u32 {
    match &s.kind {
        StmtKind::While(..) | StmtKind::For { .. } | StmtKind::ForIn { .. } => {
            repeated_if_read(Node::Stmt(s), name)
        }
        StmtKind::If {
            branches,
            otherwise,
        } => {
            let conditions = branches
                .iter()
                .fold(0, |n: u32, (c, _)| n.saturating_add(expr_reads(c, name)));
            let blocks = branches
                .iter()
                .map(|(_, b)| most_reads(Node::Block(b), name))
                .chain(otherwise.iter().map(|b| most_reads(Node::Block(b), name)))
                .max()
                .unwrap_or(0);
            conditions.saturating_add(blocks)
        }
        StmtKind::Switch { scrutinee, cases } => {
            // every arm's pattern and guard may be tried before the one that runs
            let tried = cases.iter().fold(expr_reads(scrutinee, name), |n, c| {
                let guard = c.guard.as_ref().map_or(0, |g| expr_reads(g, name));
                n.saturating_add(most_reads(Node::Pattern(&c.pattern), name))
                    .saturating_add(guard)
            });
            let bodies = cases
                .iter()
                .map(|c| sequence_reads(&c.body, name))
                .max()
                .unwrap_or(0);
            tried.saturating_add(bodies)
        }
        StmtKind::Let(binding) => binding_reads(binding, name),
        StmtKind::Var { value, .. } => scoped_reads(value, name),
        StmtKind::Assign { target, value } => {
            expr_reads(target, name).saturating_add(scoped_reads(value, name))
        }
        _ => sum_of_children(Node::Stmt(s), name),
    }
}

fn sequence_reads(stmts: &[Stmt], name: &str) -> u32 {
    stmts
        .iter()
        .fold(0, |n: u32, s| n.saturating_add(stmt_reads(s, name)))
}

fn repeated_if_read(node: Node<'_>, name: &str) -> u32 {
    let read = match node {
        Node::Expr(e) => mentions(e, name),
        _ => sum_of_children(node, name) > 0,
    };
    if read {
        MANY
    } else {
        0
    }
}

fn sum_of_children(node: Node<'_>, name: &str) -> u32 {
    let mut direct = Vec::new();
    children(node, &mut direct);
    direct
        .into_iter()
        .fold(0, |n: u32, child| n.saturating_add(most_reads(child, name)))
}

#[cfg(test)]
mod tests {
    use super::{most_reads, MANY};
    use mix_syntax::walk::Node;

    /// The reads of `acc` in the body of `def f(x, acc) = BODY` (or `def f(x, acc) { BODY }`).
    fn reads(body: &str) -> u32 {
        let source = format!("def f(x, acc) {body}\n");
        let parsed = mix_syntax::parse(&source);
        assert!(!parsed.has_errors(), "{body}: {:?}", parsed.diagnostics);
        let item = parsed.file.items.first().expect("one definition");
        let mix_syntax::ast::ItemKind::Def(def) = &item.kind else {
            panic!("not a definition: {body}");
        };
        let node = match def.body.as_ref().expect("a body") {
            mix_syntax::ast::Body::Expr(e) => Node::Expr(e),
            mix_syntax::ast::Body::Block(b) => Node::Block(b),
        };
        most_reads(node, "acc")
    }

    #[test]
    fn branches_count_their_most_reading_side() {
        assert_eq!(reads("= acc + [x]"), 1);
        assert_eq!(reads("= if (x > 0) acc + [x] else acc"), 1);
        assert_eq!(reads("= if (acc == []) acc + [x] else acc"), 2);
        assert_eq!(
            reads("{ if (x > 0) { return acc } else { return acc + [x] } }"),
            1
        );
        assert_eq!(
            reads("{ switch (x) { case 1: return acc\n case _: return acc + [x] } }"),
            1
        );
        assert_eq!(reads("= acc + acc"), 2);
    }

    #[test]
    fn reads_that_may_repeat_are_many() {
        assert_eq!(reads("= array.map(y -> acc + [y], [x])"), MANY);
        assert_eq!(reads("= array.map(.a + acc, [x])"), MANY);
        assert_eq!(
            reads("{ var t = 0; while (t < 3) { t = t + acc }; return t }"),
            MANY
        );
        assert_eq!(
            reads("{ for (let y in acc[]) { return y }; return 0 }"),
            MANY
        );
        assert_eq!(reads("= do { let g(y) = acc + [y]; return g(x) }"), MANY);
        assert_eq!(reads("= do { let g = .a + acc; return g }"), MANY);
        assert_eq!(reads("= x |> (.a + acc)"), MANY);
        assert_eq!(reads("= do { let y = acc + [x]; return y }"), 1);
    }

    #[test]
    fn a_shadowing_binding_s_reads_count_too() {
        assert_eq!(reads("= do { let acc = [x]; return acc + acc }"), 2);
        assert_eq!(reads("= x"), 0);
    }
}
