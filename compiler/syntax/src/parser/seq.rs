//! Operator sequences: the grammar parses `a + b * -c` (`Arith`) and `x || not y && z`
//! (`Logic`) as flat lists of operands, prefixes and binary operators, and this module builds
//! the tree by precedence (spec §3.3), iteratively (a sequence may be as long as the input).
//! `|>` and the comparisons stay grammar levels (`Pipe`, `CmpE`): see `grammar/mix.lalrpop`.
//!
//! A one-nonterminal-per-level grammar builds the same trees, but LALRPOP then reduces every
//! operand through a dozen unit productions, moving it on its stack each time; that was the
//! largest single cost of parsing.
//!
//! The items of unfinished sequences live in one buffer in [`Cx`]. A sequence's symbol records
//! where its items start and end, so items left behind by a sequence that error recovery
//! abandoned are dropped by the next step of an enclosing sequence and never mix in.

use crate::ast::*;
use crate::parser::cover::{self, Cx};
use mix_diagnostics::Span;

/// A binary operator of a sequence.
pub enum Op {
    Bin(BinOp),
    /// `with .a[0] =`
    With(Vec<PathSeg>),
    /// `@` (a capture pattern)
    Capture,
}

/// A sequence being parsed: a lone operand (the common case, which never touches the
/// buffer), or the range of the buffer holding its items.
pub enum Seq {
    One(Expr),
    Many { start: usize, end: usize },
}

pub(crate) enum Item {
    Operand(Expr),
    /// A prefix operator and the offset where it starts.
    Prefix(UnOp, usize),
    Op(Op),
}

/// Binding strength of binary operators (even) and prefixes (odd), and whether an operator is
/// right-associative. Weakest first: `with` 6, `||` 8, `&&` 10, `not` 11, (comparisons 14 and
/// `|>` 4: grammar levels), `++` 16 (right), `+ -` 18, `* / %` 20, `-` (prefix) 21, `@` 22
/// (right). A `Logic` sequence holds only the operators below 14, an `Arith` one those above.
fn binding(op: &Op) -> (u8, bool) {
    use BinOp::*;
    match op {
        Op::Bin(Pipe) => (4, false),
        Op::With(_) => (6, false),
        Op::Bin(Or) => (8, false),
        Op::Bin(And) => (10, false),
        Op::Bin(Append) => (16, true),
        Op::Bin(Add | Sub) => (18, false),
        Op::Bin(Mul | Div | Rem) => (20, false),
        Op::Bin(_) => (14, false), // comparisons
        Op::Capture => (22, true),
    }
}

fn prefix_binding(op: UnOp) -> u8 {
    match op {
        UnOp::Not => 11,
        UnOp::Neg => 21,
    }
}

/// An operator waiting for its right operand.
pub(crate) enum Pending {
    Prefix(UnOp, usize),
    Op(Op),
}

impl Pending {
    fn binding(&self) -> u8 {
        match self {
            Pending::Prefix(op, _) => prefix_binding(*op),
            Pending::Op(op) => binding(op).0,
        }
    }
}

impl Cx<'_> {
    /// A sequence whose first operand has prefixes.
    pub fn seq_start(&mut self, prefixes: Vec<(UnOp, usize)>, operand: Expr) -> Seq {
        let start = self.seq.len();
        self.seq
            .extend(prefixes.into_iter().map(|(op, at)| Item::Prefix(op, at)));
        self.seq.push(Item::Operand(operand));
        Seq::Many {
            start,
            end: self.seq.len(),
        }
    }

    /// `seq op [prefixes] operand`
    pub fn seq_push(
        &mut self,
        seq: Seq,
        op: Op,
        prefixes: Option<Vec<(UnOp, usize)>>,
        operand: Expr,
    ) -> Seq {
        let start = match seq {
            Seq::One(first) => {
                let start = self.seq.len();
                self.seq.push(Item::Operand(first));
                start
            }
            Seq::Many { start, end } => {
                self.seq.truncate(end);
                start
            }
        };
        self.seq.push(Item::Op(op));
        if let Some(prefixes) = prefixes {
            self.seq
                .extend(prefixes.into_iter().map(|(op, at)| Item::Prefix(op, at)));
        }
        self.seq.push(Item::Operand(operand));
        Seq::Many {
            start,
            end: self.seq.len(),
        }
    }

    /// The tree of a finished sequence.
    pub fn seq_finish(&mut self, seq: Seq) -> Expr {
        let (start, end) = match seq {
            Seq::One(e) => return e,
            Seq::Many { start, end } => (start, end),
        };
        let mut items = std::mem::take(&mut self.seq);
        items.truncate(end);
        let mut operands = std::mem::take(&mut self.seq_operands);
        let mut pending = std::mem::take(&mut self.seq_pending);
        let base = operands.len();
        let pending_base = pending.len();
        for item in items.drain(start..) {
            match item {
                Item::Operand(e) => operands.push(e),
                Item::Prefix(op, at) => pending.push(Pending::Prefix(op, at)),
                Item::Op(op) => {
                    let (strength, right) = binding(&op);
                    while pending.len() > pending_base {
                        let top = pending.last().map_or(0, Pending::binding);
                        if top > strength || (top == strength && !right) {
                            self.reduce(&mut operands, &mut pending);
                        } else {
                            break;
                        }
                    }
                    pending.push(Pending::Op(op));
                }
            }
        }
        while pending.len() > pending_base {
            self.reduce(&mut operands, &mut pending);
        }
        let result = operands.pop();
        debug_assert_eq!(operands.len(), base);
        self.seq = items;
        self.seq_operands = operands;
        self.seq_pending = pending;
        // A sequence always ends in an operand, so there is exactly one result.
        result.unwrap_or_else(|| Expr::error(Span::point(0)))
    }

    fn reduce(&mut self, operands: &mut Vec<Expr>, pending: &mut Vec<Pending>) {
        let (Some(op), Some(b)) = (pending.pop(), operands.pop()) else {
            return;
        };
        let expr = match op {
            Pending::Prefix(op, at) => {
                let span = Span::new(at as u32, b.span.end);
                Expr::new(ExprKind::Unary(op, Box::new(b)), span)
            }
            Pending::Op(op) => {
                let Some(a) = operands.pop() else {
                    return;
                };
                let span = Span::new(a.span.start, b.span.end);
                match op {
                    // Comparisons are built by the grammar (`CmpE`), which reports chains.
                    Op::Bin(op) => cover::binary(op, a, b, span),
                    Op::With(path) => {
                        Expr::new(ExprKind::With(Box::new(a), path, Box::new(b)), span)
                    }
                    Op::Capture => {
                        self.suspects.push(span.start);
                        Expr::new(ExprKind::Capture(Box::new(a), Box::new(b)), span)
                    }
                }
            }
        };
        operands.push(expr);
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::*;

    /// The tree of a definition body, fully parenthesised, with every node's span.
    fn shape(e: &Expr, source: &str) -> String {
        let text = &source[e.span.range()];
        let inner = match &e.kind {
            ExprKind::Binary(op, a, b) => {
                format!("({} {} {})", shape(a, source), op.text(), shape(b, source))
            }
            ExprKind::Unary(UnOp::Not, a) => format!("(not {})", shape(a, source)),
            ExprKind::Unary(UnOp::Neg, a) => format!("(- {})", shape(a, source)),
            ExprKind::Capture(a, b) => format!("({} @ {})", shape(a, source), shape(b, source)),
            ExprKind::With(a, path, v) => {
                format!(
                    "({} with/{} {})",
                    shape(a, source),
                    path.len(),
                    shape(v, source)
                )
            }
            ExprKind::Name(n) => return n.to_string(),
            ExprKind::Int(i) => return i.to_string(),
            _ => return format!("<{text}>"),
        };
        format!("{inner}«{text}»")
    }

    fn body(source: &str) -> (String, Vec<&'static str>) {
        let parsed = crate::parse(source);
        let codes = parsed.diagnostics.iter().map(|d| d.code).collect();
        let shapes: Vec<String> = parsed
            .file
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                ItemKind::Def(def) => match &def.body {
                    Some(Body::Expr(e)) => Some(shape(e, source)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        (shapes.join(" ; "), codes)
    }

    /// Without the spans.
    fn plain(shape: &str) -> String {
        let mut out = String::new();
        let mut depth = 0;
        for c in shape.chars() {
            match c {
                '«' => depth += 1,
                '»' => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    }

    fn tree(expr: &str) -> String {
        let (shape, codes) = body(&format!("def x = {expr}"));
        // A capture outside a pattern is reported by validation (E0103), not by the parser.
        assert!(codes.iter().all(|c| *c == "E0103"), "{expr}: {codes:?}");
        plain(&shape)
    }

    #[test]
    fn arithmetic_precedence_and_associativity() {
        assert_eq!(tree("a + b * c - d"), "((a + (b * c)) - d)");
        assert_eq!(tree("a - b - c"), "((a - b) - c)");
        assert_eq!(tree("a / b % c * d"), "(((a / b) % c) * d)");
        assert_eq!(tree("a ++ b ++ c"), "(a ++ (b ++ c))");
        assert_eq!(tree("a + b ++ c + d"), "((a + b) ++ (c + d))");
        assert_eq!(tree("a * b ++ c"), "((a * b) ++ c)");
    }

    #[test]
    fn prefixes_and_captures() {
        assert_eq!(tree("-a * b"), "((- a) * b)");
        assert_eq!(tree("a * -b"), "(a * (- b))");
        assert_eq!(tree("a - - b"), "(a - (- b))");
        assert_eq!(tree("- - a"), "(- (- a))");
        assert_eq!(tree("-a @ b * c"), "((- (a @ b)) * c)");
        assert_eq!(tree("a @ b @ c"), "(a @ (b @ c))");
        assert_eq!(tree("a @ -b @ c"), "(a @ (- (b @ c)))");
        assert_eq!(tree("a @ b ++ c"), "((a @ b) ++ c)");
    }

    #[test]
    fn logic_levels() {
        assert_eq!(tree("a || b && c"), "(a || (b && c))");
        assert_eq!(tree("a && b || c && d"), "((a && b) || (c && d))");
        assert_eq!(tree("not a == b && c"), "((not (a == b)) && c)");
        assert_eq!(tree("not not a || b"), "((not (not a)) || b)");
        assert_eq!(tree("a && not b + c < d"), "(a && (not ((b + c) < d)))");
        assert_eq!(tree("not -a"), "(not (- a))");
        assert_eq!(tree("a == b + c"), "(a == (b + c))");
    }

    #[test]
    fn with_and_pipe() {
        assert_eq!(tree("r with .a = 1 || b"), "(r with/1 (1 || b))");
        assert_eq!(tree("r with .a = 1 with .b = 2"), "((r with/1 1) with/1 2)");
        assert_eq!(
            tree("a || b with .c[0] = not d"),
            "((a || b) with/2 (not d))"
        );
        assert_eq!(tree("r with .a = 1 |> f"), "((r with/1 1) |> f)");
        assert_eq!(tree("a |> b || c |> d"), "((a |> (b || c)) |> d)");
        assert_eq!(tree("a |> not b"), "(a |> (not b))");
    }

    #[test]
    fn spans_run_from_the_first_prefix_or_operand_to_the_last_operand() {
        let (shape, codes) = body("def x = not  a +b * c  &&  -(d)@e");
        assert_eq!(codes, ["E0103"]);
        assert_eq!(
            shape,
            "((not (a + (b * c)«b * c»)«a +b * c»)«not  a +b * c» && \
             (- (<(d)> @ e)«(d)@e»)«-(d)@e»)«not  a +b * c  &&  -(d)@e»"
        );
    }

    #[test]
    fn a_chain_of_comparisons_is_reported_once_where_it_ends() {
        let (shape, codes) = body("def x = a < b < c + d && e");
        assert_eq!(
            shape,
            "(((a < b)«a < b» < (c + d)«c + d»)«a < b < c + d» && e)«a < b < c + d && e»"
        );
        assert_eq!(codes, ["E0109"]);
        // Reported as soon as the chain ends, even if the rest of the file does not parse.
        let (_, codes) = body("def x = a < b < c && \ndef y = 1");
        assert!(codes.contains(&"E0109"), "{codes:?}");
    }

    #[test]
    fn prefixes_stay_where_the_grammar_allows_them() {
        for bad in [
            "a == not b",
            "a + not b",
            "- not a",
            "a @ not b",
            "a * not b",
        ] {
            let (_, codes) = body(&format!("def x = {bad}"));
            assert_eq!(codes, ["E0100"], "{bad}");
        }
    }

    #[test]
    fn a_sequence_abandoned_by_error_recovery_does_not_leak_into_the_next() {
        // The first argument's sequence is cut off by a syntax error after its items went to
        // the buffer; the recovery node takes its place, and the later sequences (inside and
        // around the call) are built from their own operands only.
        let source = "def x = h + i + f(a + b *, d * e) + g\ndef y = w - [1 - 2 +, 3 * 4] ++ z";
        let (shapes, codes) = body(source);
        assert_eq!(codes, ["E0100", "E0100"]);
        assert_eq!(
            plain(&shapes),
            "(((h + i) + <f(a + b *, d * e)>) + g) ; ((w - <[1 - 2 +, 3 * 4]>) ++ z)"
        );
        let parsed = crate::parse(source);
        let ItemKind::Def(def) = &parsed.file.items[0].kind else {
            panic!("a definition");
        };
        let Some(Body::Expr(Expr {
            kind: ExprKind::Binary(_, sum, _),
            ..
        })) = &def.body
        else {
            panic!("a sum");
        };
        let ExprKind::Binary(_, _, call) = &sum.kind else {
            panic!("a sum");
        };
        let ExprKind::Call(_, args) = &call.kind else {
            panic!("a call");
        };
        assert!(matches!(args[0].kind, ExprKind::Error));
        assert_eq!(plain(&shape(&args[1], source)), "(d * e)");
        let ItemKind::Def(def) = &parsed.file.items[1].kind else {
            panic!("a definition");
        };
        let Some(Body::Expr(Expr {
            kind: ExprKind::Binary(_, difference, _),
            ..
        })) = &def.body
        else {
            panic!("a concatenation");
        };
        let ExprKind::Binary(_, _, array) = &difference.kind else {
            panic!("a difference");
        };
        let ExprKind::Array(items) = &array.kind else {
            panic!("an array");
        };
        assert!(matches!(items[0].kind, ExprKind::Error));
        assert_eq!(plain(&shape(&items[1], source)), "(3 * 4)");
    }
}
