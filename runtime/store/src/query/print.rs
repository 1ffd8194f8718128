//! Pretty-printer: query AST back to the string form. `parse_query(&print_query(q)) == q`
//! for every query the parser produces.

use super::ast::*;
use super::parse::is_keyword;
use crate::escjson;
use crate::value::Value;

pub fn print_query(q: &Query) -> String {
    let mut stages: Vec<String> = q.filters.iter().map(|f| print_filter(f, 0)).collect();
    if let Some(p) = &q.projection {
        stages.push(print_object(p));
    }
    stages.extend(q.aggregations.iter().map(print_aggregation));
    stages.join(" | ")
}

/// `prec`: 0 top, 1 inside `or`, 2 inside `and`, 3 operand of `not`.
pub fn print_filter(f: &Filter, prec: u8) -> String {
    let wrap = |s: String, mine: u8| if mine < prec { format!("({s})") } else { s };
    match f {
        Filter::Comparison(op, k, v) => format!(
            "{} {} {}",
            print_key(k),
            op.string_name(),
            print_expr(v, false)
        ),
        Filter::Exists(k) => format!("exists {}", print_key(k)),
        Filter::After(v) => format!("after {}", print_literal(v)),
        Filter::And(fs) if fs.len() >= 2 => wrap(
            fs.iter()
                .map(|f| print_filter(f, 3))
                .collect::<Vec<_>>()
                .join(" and "),
            2,
        ),
        Filter::Or(fs) if fs.len() >= 2 => wrap(
            fs.iter()
                .map(|f| print_filter(f, 2))
                .collect::<Vec<_>>()
                .join(" or "),
            1,
        ),
        // zero or one operand: no string spelling of its own, print through an equivalent
        Filter::And(fs) | Filter::Or(fs) => match fs.first() {
            Some(f) => print_filter(f, prec),
            None => "(exists _rmx_id or not exists _rmx_id)".into(),
        },
        Filter::Not(f) => format!("not {}", print_filter(f, 3)),
        Filter::Null => "(exists _rmx_id or not exists _rmx_id)".into(),
        Filter::Subquery(k, fs) => {
            let inner = match fs.as_slice() {
                [one] => print_filter(one, 0),
                many => print_filter(&Filter::And(many.to_vec()), 0),
            };
            format!("{}.({inner})", print_key(k))
        }
    }
}

fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
        && s.is_ascii()
        && !is_keyword(s)
}

fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

pub fn print_key(k: &Key) -> String {
    match k {
        Key::Bare(s) => quote(s),
        Key::Token(s) if is_ident(s) => s.clone(),
        Key::Token(s) => quote(s),
        Key::Param(s) => format!("${s}"),
        Key::Member(None, inner) => match inner.as_ref() {
            Key::Token(s) if is_ident(s) => format!(".{s}"),
            other => print_key(other),
        },
        Key::Member(Some(_), _) => match dotted_segments(k) {
            Some(segs) => segs.join("."),
            None => quote(&member_path(k).join(".")),
        },
    }
}

/// Segments of a key the string form writes `a.b.c` (parent chain of bare strings rooted at
/// `objectMember(null, "a")`, ending in a token).
fn dotted_segments(k: &Key) -> Option<Vec<String>> {
    let Key::Member(Some(parent), last) = k else {
        return None;
    };
    let Key::Token(l) = last.as_ref() else {
        return None;
    };
    let mut segs = vec![l.clone()];
    let mut cur = parent.as_ref();
    loop {
        match cur {
            Key::Member(None, b) => match b.as_ref() {
                Key::Bare(s) => {
                    segs.push(s.clone());
                    break;
                }
                _ => return None,
            },
            Key::Member(Some(p), b) => match b.as_ref() {
                Key::Bare(s) => {
                    segs.push(s.clone());
                    cur = p.as_ref();
                }
                _ => return None,
            },
            _ => return None,
        }
    }
    segs.reverse();
    segs.iter().all(|s| is_ident(s)).then_some(segs)
}

fn member_path(k: &Key) -> Vec<String> {
    k.path(&Default::default()).unwrap_or_default()
}

pub fn print_literal(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => {
            let s = format!("{f:?}");
            if s.contains(['.', 'e', 'E']) {
                s
            } else {
                format!("{s}.0")
            }
        }
        Value::String(s) => quote(s),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(print_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => escjson::to_string(other),
    }
}

fn calc_prec(e: &Expr) -> u8 {
    match e {
        Expr::Calc(op, _, _) => op.precedence(),
        _ => 9,
    }
}

pub fn print_expr(e: &Expr, in_projection: bool) -> String {
    match e {
        Expr::Literal(Value::String(s)) if !in_projection && is_ident(s) => s.clone(),
        Expr::Literal(v) => print_literal(v),
        Expr::List(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| print_expr(i, in_projection))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        Expr::Calc(op, a, b) => {
            let l = print_expr(a, in_projection);
            let l = if calc_prec(a) < op.precedence() {
                format!("({l})")
            } else {
                l
            };
            let r = print_expr(b, in_projection);
            let r = if calc_prec(b) <= op.precedence() {
                format!("({r})")
            } else {
                r
            };
            format!("{l} {} {r}", op.symbol())
        }
        Expr::Key(k) => print_key(k),
        Expr::Object(ms) => print_object(ms),
    }
}

pub fn print_object(ms: &[Member]) -> String {
    let parts: Vec<String> = ms
        .iter()
        .map(|m| match m {
            Member::Assign {
                name,
                value: Expr::Key(Key::Bare(v)),
                default: None,
            } if v == name => print_name(name),
            Member::Assign {
                name,
                value,
                default,
            } => {
                let mut s = format!("{}: {}", print_name(name), print_expr(value, true));
                if let Some(d) = default {
                    s.push_str(" ?? ");
                    s.push_str(&print_literal(d));
                }
                s
            }
            Member::CloneMembers => "*".into(),
            Member::CloneMembersWithExpansion => "**".into(),
            Member::Remove(k) => format!("-{}", print_name(k)),
            Member::FollowRef(k) => format!("+{}", print_key(k)),
        })
        .collect();
    if parts.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", parts.join(", "))
    }
}

fn print_name(n: &str) -> String {
    if is_ident(n) {
        n.to_string()
    } else {
        quote(n)
    }
}

fn print_aggregation(a: &Aggregation) -> String {
    match a {
        Aggregation::Count => "count()".into(),
        Aggregation::Reverse => "reverse()".into(),
        Aggregation::Group(k) => format!("group({})", print_key(k)),
        Aggregation::OrderAsc(k) => format!("orderAsc({})", print_key(k)),
        Aggregation::OrderDesc(k) => format!("orderDesc({})", print_key(k)),
        Aggregation::Order(k, d) => format!("order({}, {d})", print_key(k)),
    }
}
