//! Parser for the query string form (facts §6.4): stages separated by `|`; filters with
//! `and`/`&&`, `or`/`||`, `not`/`!` and parentheses; a projection stage `{ member, … }`;
//! aggregations `count()`, `group(k)`, `orderAsc(k)`, `orderDesc(k)`, `order(k, dir)`,
//! `reverse()`. Errors carry the byte offset, line and column.

use super::ast::*;
use super::lex::{lex, object_end, Tok, Token};
use crate::escjson::{self, DecodeOptions};
use crate::value::Value;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub fn at(src: &str, offset: usize, message: String) -> Self {
        let offset = offset.min(src.len());
        let mut cut = offset;
        while !src.is_char_boundary(cut) {
            cut -= 1;
        }
        let before = &src[..cut];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        ParseError {
            offset,
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// The aggregations, each with how it is written.
const AGGREGATIONS: [(&str, &str); 6] = [
    ("count", "count()"),
    ("group", "group(key)"),
    ("orderAsc", "orderAsc(key)"),
    ("orderDesc", "orderDesc(key)"),
    ("order", "order(key, true)"),
    ("reverse", "reverse()"),
];
const KEYWORDS: [&str; 12] = [
    "and", "or", "not", "exists", "after", "contains", "like", "in", "all", "true", "false", "null",
];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Parse a query string.
pub fn parse_query(src: &str) -> Result<Query, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
    };
    let q = p.query()?;
    Ok(q)
}

/// Nesting levels (`not`, parentheses, lists, projections, subqueries) a query may have. The
/// parser, the executor and the printer recurse once per level, on whatever thread stack the
/// embedding program gives them, and a query string may come from the network. 128, like
/// serde_json's limit for the AST's JSON form: a debug build's parser needs ~10 KB a level
/// for nested projections, so this stays within a default 2 MiB thread stack even there.
pub const MAX_NESTING: usize = 128;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

type R<T> = Result<T, ParseError>;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }
    fn offset(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|t| t.start)
            .unwrap_or(self.src.len())
    }
    fn err<T>(&self, msg: impl Into<String>) -> R<T> {
        Err(ParseError::at(self.src, self.offset(), msg.into()))
    }
    fn describe(&self) -> String {
        match self.toks.get(self.pos) {
            None => "end of query".into(),
            Some(t) => format!("`{}`", &self.src[t.start..t.end]),
        }
    }
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(i)) if i == s)
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_ident(&mut self, s: &str) -> bool {
        if self.is_ident(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    /// One level deeper (see [`MAX_NESTING`]); `unnest` leaves it.
    fn nest(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return self.err(format!(
                "the query is nested more than {MAX_NESTING} levels deep"
            ));
        }
        Ok(())
    }

    fn unnest(&mut self) {
        self.depth -= 1;
    }

    fn expect_punct(&mut self, p: &str) -> R<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            self.err(format!("expected `{p}`, found {}", self.describe()))
        }
    }

    fn query(&mut self) -> R<Query> {
        let mut q = Query::default();
        if self.peek().is_none() {
            return Ok(q);
        }
        loop {
            let at = self.offset();
            if self.is_punct("{") {
                self.pos += 1;
                let members = self.members()?;
                if q.projection.is_some() {
                    return Err(ParseError::at(
                        self.src,
                        at,
                        "a query has at most one projection".into(),
                    ));
                }
                if !q.aggregations.is_empty() {
                    return Err(ParseError::at(
                        self.src,
                        at,
                        "the projection must come before aggregations".into(),
                    ));
                }
                q.projection = Some(members);
            } else if self.at_aggregation() {
                q.aggregations.push(self.aggregation()?);
            } else if let Some(called) = self.aggregation_without_call() {
                return self.err(format!(
                    "an aggregation is called with parentheses: write `{called}`"
                ));
            } else {
                let f = self.filter()?;
                if q.projection.is_some() || !q.aggregations.is_empty() {
                    return Err(ParseError::at(
                        self.src,
                        at,
                        "filters must come before the projection and aggregations".into(),
                    ));
                }
                q.filters.push(f);
            }
            if self.eat_punct("|") {
                continue;
            }
            if self.peek().is_some() {
                return self.err(format!(
                    "expected `|` or the end of the query, found {}",
                    self.describe()
                ));
            }
            return Ok(q);
        }
    }

    fn at_aggregation(&self) -> bool {
        matches!((self.peek(), self.peek_at(1)), (Some(Tok::Ident(n)), Some(Tok::Punct("("))) if AGGREGATIONS.iter().any(|(name, _)| name == n))
    }

    /// How to write the aggregation named by a bare word ending a stage (`count` for
    /// `count()`), which could be nothing else: a filter needs a comparison.
    fn aggregation_without_call(&self) -> Option<&'static str> {
        let ends_stage = matches!(self.peek_at(1), None | Some(Tok::Punct("|")));
        match self.peek() {
            Some(Tok::Ident(n)) if ends_stage => AGGREGATIONS
                .iter()
                .find(|(name, _)| name == n)
                .map(|(_, written)| *written),
            _ => None,
        }
    }

    fn aggregation(&mut self) -> R<Aggregation> {
        let Some(Tok::Ident(name)) = self.peek().cloned() else {
            return self.err("expected an aggregation");
        };
        self.pos += 1;
        self.expect_punct("(")?;
        let agg = match name.as_str() {
            "count" => Aggregation::Count,
            "reverse" => Aggregation::Reverse,
            "group" => Aggregation::Group(self.key()?),
            "orderAsc" => Aggregation::OrderAsc(self.key()?),
            "orderDesc" => Aggregation::OrderDesc(self.key()?),
            _ => {
                let k = self.key()?;
                self.expect_punct(",")?;
                let dir = if self.eat_ident("true") {
                    true
                } else if self.eat_ident("false") {
                    false
                } else {
                    return self.err(format!(
                        "order's direction must be true or false, found {}",
                        self.describe()
                    ));
                };
                Aggregation::Order(k, dir)
            }
        };
        self.expect_punct(")")?;
        Ok(agg)
    }

    // ----- filters -----

    fn filter(&mut self) -> R<Filter> {
        let mut parts = vec![self.and()?];
        while self.eat_ident("or") || self.eat_punct("||") {
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn and(&mut self) -> R<Filter> {
        let mut parts = vec![self.unary()?];
        while self.eat_ident("and") || self.eat_punct("&&") {
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn unary(&mut self) -> R<Filter> {
        if self.eat_ident("not") || self.eat_punct("!") {
            self.nest()?;
            let inner = self.unary()?;
            self.unnest();
            return Ok(Filter::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> R<Filter> {
        if self.eat_punct("(") {
            self.nest()?;
            let f = self.filter()?;
            self.expect_punct(")")?;
            self.unnest();
            return Ok(f);
        }
        if self.eat_ident("exists") {
            return Ok(Filter::Exists(self.key()?));
        }
        if self.eat_ident("after") {
            let at = self.offset();
            return match self.value_expr(false)? {
                Expr::Literal(v) => Ok(Filter::After(v)),
                _ => Err(ParseError::at(
                    self.src,
                    at,
                    "after takes a literal watermark".into(),
                )),
            };
        }
        let (key, segs) = self.key_with_segments()?;
        if self.is_punct(".") && matches!(self.peek_at(1), Some(Tok::Punct("("))) {
            self.pos += 2;
            self.nest()?;
            let mut fs = Vec::new();
            let inner = self.filter()?;
            match inner {
                Filter::And(parts) => fs.extend(parts),
                other => fs.push(other),
            }
            self.expect_punct(")")?;
            self.unnest();
            let k = match segs {
                Some(segs) => Key::Bare(segs.join(".")),
                None => key,
            };
            return Ok(Filter::Subquery(k, fs));
        }
        let op = self.cmp_op()?;
        let value = self.value_expr(false)?;
        Ok(Filter::Comparison(op, key, value))
    }

    fn cmp_op(&mut self) -> R<CmpOp> {
        for (p, op) in [
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ] {
            if self.eat_punct(p) {
                return Ok(op);
            }
        }
        if self.eat_ident("contains") {
            return Ok(CmpOp::Contains);
        }
        if self.eat_ident("like") {
            return Ok(CmpOp::Like);
        }
        if self.eat_ident("in") {
            return Ok(CmpOp::In);
        }
        if self.is_ident("all") && matches!(self.peek_at(1), Some(Tok::Ident(i)) if i == "in") {
            self.pos += 2;
            return Ok(CmpOp::AllIn);
        }
        if self.is_ident("not") {
            match (self.peek_at(1), self.peek_at(2)) {
                (Some(Tok::Ident(a)), _) if a == "in" => {
                    self.pos += 2;
                    return Ok(CmpOp::NotIn);
                }
                (Some(Tok::Ident(a)), Some(Tok::Ident(b))) if a == "all" && b == "in" => {
                    self.pos += 3;
                    return Ok(CmpOp::NotAllIn);
                }
                _ => {}
            }
        }
        self.err(format!(
            "expected a comparison (== != < <= > >= contains like in, all in, not in, not all in), found {}",
            self.describe()
        ))
    }

    // ----- keys -----

    fn key(&mut self) -> R<Key> {
        Ok(self.key_with_segments()?.0)
    }

    /// A key, and its plain dotted segments when it was written `a.b.c` (for subqueries).
    fn key_with_segments(&mut self) -> R<(Key, Option<Vec<String>>)> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok((Key::Bare(s), None))
            }
            Some(Tok::Punct("$")) => {
                self.pos += 1;
                match self.peek().cloned() {
                    Some(Tok::Ident(n)) => {
                        self.pos += 1;
                        Ok((Key::Param(n), None))
                    }
                    _ => self.err(format!(
                        "expected a parameter name after `$`, found {}",
                        self.describe()
                    )),
                }
            }
            Some(Tok::Punct(".")) => {
                self.pos += 1;
                let segs = self.dotted()?;
                let key = if segs.len() == 1 {
                    Key::Member(None, Box::new(Key::Token(segs[0].clone())))
                } else {
                    Key::from_dotted(&segs)
                };
                Ok((key, None))
            }
            Some(Tok::Ident(ref n)) if !is_keyword(n) => {
                let segs = self.dotted()?;
                Ok((Key::from_dotted(&segs), Some(segs)))
            }
            _ => self.err(format!(
                "expected a key (field, \"field\", .field, a.b or $param), found {}",
                self.describe()
            )),
        }
    }

    fn dotted(&mut self) -> R<Vec<String>> {
        let mut segs = Vec::new();
        loop {
            match self.peek().cloned() {
                Some(Tok::Ident(n)) => {
                    self.pos += 1;
                    segs.push(n);
                }
                Some(Tok::Str(s)) if !segs.is_empty() => {
                    self.pos += 1;
                    segs.push(s);
                }
                _ => return self.err(format!("expected a field name, found {}", self.describe())),
            }
            if self.is_punct(".") && matches!(self.peek_at(1), Some(Tok::Ident(_) | Tok::Str(_))) {
                self.pos += 1;
                continue;
            }
            return Ok(segs);
        }
    }

    // ----- values -----

    /// A value with calculations. In filters bare words are strings; in projections they
    /// are keys.
    fn value_expr(&mut self, in_projection: bool) -> R<Expr> {
        self.calc(0, in_projection)
    }

    fn calc_op(&self) -> Option<CalcOp> {
        match self.peek() {
            Some(Tok::Punct(p)) => match *p {
                "+" | "-" | "*" | "/" | "%" => CalcOp::from_symbol(p),
                _ => None,
            },
            _ => None,
        }
    }

    /// In projections a quoted string standing alone names a field (facts: `["assignMember",
    /// "field", "field"]`); inside lists and calculations it is a string literal.
    fn calc(&mut self, min_prec: u8, in_projection: bool) -> R<Expr> {
        let mut lhs = self.primary(in_projection)?;
        // each operator nests the tree one level deeper on the left: a flat chain of them
        // counts toward the nesting limit like parentheses do
        let mut applied = 0;
        while let Some(op) = self.calc_op() {
            if op.precedence() < min_prec.max(1) {
                break;
            }
            self.pos += 1;
            self.nest()?;
            applied += 1;
            let rhs = literal_strings(self.calc(op.precedence() + 1, in_projection)?);
            lhs = Expr::Calc(op, Box::new(literal_strings(lhs)), Box::new(rhs));
        }
        self.depth -= applied;
        Ok(lhs)
    }

    fn primary(&mut self, in_projection: bool) -> R<Expr> {
        let at = self.offset();
        match self.peek().cloned() {
            Some(Tok::Int(n)) => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Int(n)))
            }
            Some(Tok::Float(f)) => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Float(f)))
            }
            Some(Tok::Punct("-"))
                if matches!(self.peek_at(1), Some(Tok::Int(_) | Tok::Float(_))) =>
            {
                self.pos += 1;
                match self.peek().cloned() {
                    Some(Tok::Int(n)) => {
                        self.pos += 1;
                        Ok(Expr::Literal(Value::Int(
                            n.checked_neg().unwrap_or(i64::MIN),
                        )))
                    }
                    Some(Tok::Float(f)) => {
                        self.pos += 1;
                        Ok(Expr::Literal(Value::Float(-f)))
                    }
                    _ => self.err("expected a number"),
                }
            }
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(if in_projection {
                    Expr::Key(Key::Bare(s))
                } else {
                    Expr::Literal(Value::String(s))
                })
            }
            Some(Tok::Ident(w)) if w == "true" || w == "false" => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Bool(w == "true")))
            }
            Some(Tok::Ident(w)) if w == "null" => {
                self.pos += 1;
                Ok(Expr::Literal(Value::Null))
            }
            Some(Tok::Ident(w)) if !is_keyword(&w) => {
                if in_projection {
                    Ok(Expr::Key(self.key()?))
                } else {
                    self.pos += 1;
                    Ok(Expr::Literal(Value::String(w)))
                }
            }
            Some(Tok::Punct(".")) => Ok(Expr::Key(self.key()?)),
            Some(Tok::Punct("(")) => {
                self.pos += 1;
                self.nest()?;
                let e = self.calc(0, in_projection)?;
                self.expect_punct(")")?;
                self.unnest();
                Ok(e)
            }
            Some(Tok::Punct("[")) => {
                self.pos += 1;
                self.nest()?;
                let mut items = Vec::new();
                if !self.eat_punct("]") {
                    loop {
                        items.push(literal_strings(self.value_expr(in_projection)?));
                        if self.eat_punct(",") {
                            continue;
                        }
                        self.expect_punct("]")?;
                        break;
                    }
                }
                self.unnest();
                Ok(Expr::List(items))
            }
            Some(Tok::Punct("{")) if in_projection => {
                self.pos += 1;
                self.nest()?;
                let members = self.members()?;
                self.unnest();
                Ok(Expr::Object(members))
            }
            Some(Tok::Punct("{")) => {
                // an EscJSON object literal (refs, cases, binary)
                let end = object_end(self.src, at)?;
                let v = escjson::from_str(&self.src[at..end], DecodeOptions::default())
                    .map_err(|e| ParseError::at(self.src, at, e.to_string()))?;
                while self.toks.get(self.pos).is_some_and(|t| t.start < end) {
                    self.pos += 1;
                }
                Ok(Expr::Literal(v))
            }
            _ => self.err(format!("expected a value, found {}", self.describe())),
        }
    }

    // ----- projections -----

    /// Members after `{`, through the closing `}`.
    fn members(&mut self) -> R<Vec<Member>> {
        let mut out = Vec::new();
        if self.eat_punct("}") {
            return Ok(out);
        }
        loop {
            out.push(self.member()?);
            if self.eat_punct(",") {
                continue;
            }
            self.expect_punct("}")?;
            return Ok(out);
        }
    }

    fn member(&mut self) -> R<Member> {
        if self.eat_punct("**") {
            return Ok(Member::CloneMembersWithExpansion);
        }
        if self.eat_punct("*") {
            return Ok(Member::CloneMembers);
        }
        if self.eat_punct("-") {
            return Ok(Member::Remove(self.member_name()?));
        }
        if self.is_punct("++") {
            return self
                .err("`++key` (follow refs recursively) is not supported; use `**` or `+key`");
        }
        if self.eat_punct("+") {
            return Ok(Member::FollowRef(self.key()?));
        }
        let name = self.member_name()?;
        if self.eat_punct(":") {
            let value = self.value_expr(true)?;
            let default = if self.eat_punct("??") {
                let at = self.offset();
                match self.value_expr(false)? {
                    Expr::Literal(v) => Some(v),
                    _ => {
                        return Err(ParseError::at(
                            self.src,
                            at,
                            "a default must be a literal".into(),
                        ))
                    }
                }
            } else {
                None
            };
            return Ok(Member::Assign {
                name,
                value,
                default,
            });
        }
        Ok(Member::Assign {
            value: Expr::Key(Key::Bare(name.clone())),
            name,
            default: None,
        })
    }

    fn member_name(&mut self) -> R<String> {
        match self.peek().cloned() {
            Some(Tok::Ident(n)) | Some(Tok::Str(n)) => {
                self.pos += 1;
                Ok(n)
            }
            _ => self.err(format!("expected a member name, found {}", self.describe())),
        }
    }
}

/// A quoted-string key read in a projection becomes a string literal inside lists and
/// calculations.
fn literal_strings(e: Expr) -> Expr {
    match e {
        Expr::Key(Key::Bare(s)) => Expr::Literal(Value::String(s)),
        other => other,
    }
}
