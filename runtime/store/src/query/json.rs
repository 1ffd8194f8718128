//! The JSON form of the query AST (spec §7): a query is a JSON array of stages; a bare filter
//! node is accepted as a one-stage query.

use super::ast::*;
use crate::escjson::{self, DecodeOptions};
use crate::value::Value;
use serde_json::{json, Value as Json};

#[derive(Debug, Clone, PartialEq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid query AST: {}", self.0)
    }
}

type R<T> = Result<T, JsonError>;

fn bad<T>(msg: impl Into<String>) -> R<T> {
    Err(JsonError(msg.into()))
}

// ---------- to JSON ----------

pub fn query_to_json(q: &Query) -> Json {
    let mut stages: Vec<Json> = q.filters.iter().map(filter_to_json).collect();
    if let Some(p) = &q.projection {
        stages.push(object_to_json(p));
    }
    stages.extend(q.aggregations.iter().map(aggregation_to_json));
    Json::Array(stages)
}

pub fn filter_to_json(f: &Filter) -> Json {
    match f {
        Filter::Comparison(op, k, v) => json!([
            "comparison",
            op.ast_name(),
            key_to_json(k),
            expr_to_json(v, false)
        ]),
        Filter::Exists(k) => json!(["exists", key_to_json(k)]),
        Filter::After(v) => json!(["after", escjson::to_json(v)]),
        Filter::And(fs) => nary("and", fs),
        Filter::Or(fs) => nary("or", fs),
        Filter::Not(f) => json!(["not", filter_to_json(f)]),
        Filter::Null => json!(["nullFilter"]),
        Filter::Subquery(k, fs) => {
            json!([
                "subquery",
                key_to_json(k),
                Json::Array(fs.iter().map(filter_to_json).collect())
            ])
        }
    }
}

fn nary(name: &str, fs: &[Filter]) -> Json {
    let mut v = vec![Json::String(name.into())];
    v.extend(fs.iter().map(filter_to_json));
    Json::Array(v)
}

pub fn key_to_json(k: &Key) -> Json {
    match k {
        Key::Bare(s) => Json::String(s.clone()),
        Key::Token(s) => json!(["token", s]),
        Key::Member(p, k) => json!([
            "objectMember",
            p.as_ref().map(|p| key_to_json(p)).unwrap_or(Json::Null),
            key_to_json(k)
        ]),
        Key::Param(s) => json!(["param", s]),
    }
}

/// `in_projection`: a JSON string there names a field; in filters it is a string literal.
pub fn expr_to_json(e: &Expr, in_projection: bool) -> Json {
    match e {
        Expr::Literal(Value::String(s)) if in_projection => json!(["literal", s]),
        Expr::Literal(v) => literal_json(v),
        Expr::List(items) => {
            let mut v = vec![Json::String("list".into())];
            v.extend(items.iter().map(|i| expr_to_json(i, false)));
            Json::Array(v)
        }
        // inside lists and calculations strings are literals, also in projections
        Expr::Calc(op, a, b) => json!([
            "calculation",
            [op.symbol(), expr_to_json(a, false), expr_to_json(b, false)]
        ]),
        Expr::Key(k) => key_to_json(k),
        Expr::Object(members) => object_to_json(members),
    }
}

fn literal_json(v: &Value) -> Json {
    escjson::to_json(v)
}

pub fn object_to_json(members: &[Member]) -> Json {
    json!([
        "object",
        Json::Array(members.iter().map(member_to_json).collect())
    ])
}

fn member_to_json(m: &Member) -> Json {
    match m {
        Member::Assign {
            name,
            value,
            default: None,
        } => json!(["assignMember", name, expr_to_json(value, true)]),
        Member::Assign {
            name,
            value,
            default: Some(d),
        } => {
            json!([
                "assignMember",
                name,
                expr_to_json(value, true),
                literal_json(d)
            ])
        }
        Member::CloneMembers => json!(["cloneMembers"]),
        Member::CloneMembersWithExpansion => json!(["cloneMembersWithExpansion"]),
        Member::Remove(k) => json!(["removeMember", k]),
        Member::FollowRef(k) => json!(["followRef", key_to_json(k)]),
    }
}

fn aggregation_to_json(a: &Aggregation) -> Json {
    match a {
        Aggregation::Count => json!(["invoke", "count", []]),
        Aggregation::Group(k) => json!(["invoke", "group", [key_to_json(k)]]),
        Aggregation::OrderAsc(k) => json!(["invoke", "orderAsc", [key_to_json(k)]]),
        Aggregation::OrderDesc(k) => json!(["invoke", "orderDesc", [key_to_json(k)]]),
        Aggregation::Order(k, dir) => json!(["invoke", "order", [key_to_json(k), dir]]),
        Aggregation::Reverse => json!(["invoke", "reverse", []]),
    }
}

// ---------- from JSON ----------

enum Stage {
    Filter(Filter),
    Projection(Vec<Member>),
    Aggregation(Aggregation),
}

/// JSON levels a query AST may have: room for what the string form's [`MAX_NESTING`] levels
/// can take (a projection level is three: `["object", [["assignMember", "b", …]]]`, and the
/// stage list, keys and scalars add a few).
pub const MAX_JSON_DEPTH: usize = 4 * super::MAX_NESTING;

/// Whether `j` nests deeper than `limit` levels; iterative, stopping at the limit.
fn json_deeper_than(j: &Json, limit: usize) -> bool {
    crate::depth::exceeds(j, limit, |v, out| match v {
        Json::Array(items) => out.extend(items),
        Json::Object(m) => out.extend(m.values()),
        _ => {}
    })
}

/// A query from its JSON form. An AST built by a program (not parsed from text, where
/// serde_json's own limit applies) is held to the same nesting limit as the string form.
pub fn query_from_json(j: &Json) -> R<Query> {
    if json_deeper_than(j, MAX_JSON_DEPTH) {
        return bad(format!(
            "the query's JSON form is nested more than {MAX_JSON_DEPTH} levels deep"
        ));
    }
    let Json::Array(items) = j else {
        return bad("a query is a JSON array of stages");
    };
    let stages: Vec<&Json> = if items.first().is_some_and(Json::is_string) {
        vec![j]
    } else {
        items.iter().collect()
    };
    let mut q = Query::default();
    for (i, s) in stages.into_iter().enumerate() {
        match stage_from_json(s).map_err(|e| JsonError(format!("stage {i}: {}", e.0)))? {
            Stage::Filter(f) => {
                if q.projection.is_some() || !q.aggregations.is_empty() {
                    return bad(format!(
                        "stage {i}: filters must come before the projection and aggregations"
                    ));
                }
                q.filters.push(f);
            }
            Stage::Projection(p) => {
                if q.projection.is_some() {
                    return bad(format!("stage {i}: at most one projection"));
                }
                if !q.aggregations.is_empty() {
                    return bad(format!(
                        "stage {i}: the projection must come before aggregations"
                    ));
                }
                q.projection = Some(p);
            }
            Stage::Aggregation(a) => q.aggregations.push(a),
        }
    }
    Ok(q)
}

fn head(j: &Json) -> R<(&str, &[Json])> {
    match j {
        Json::Array(v) => match v.split_first() {
            Some((Json::String(h), rest)) => Ok((h.as_str(), rest)),
            _ => bad(format!("expected a node [\"name\", …], got {j}")),
        },
        _ => bad(format!("expected a node [\"name\", …], got {j}")),
    }
}

fn stage_from_json(j: &Json) -> R<Stage> {
    let (h, rest) = head(j)?;
    match h {
        "object" => Ok(Stage::Projection(members_from_json(rest)?)),
        "invoke" => Ok(Stage::Aggregation(aggregation_from_json(rest)?)),
        _ => Ok(Stage::Filter(filter_from_json(j)?)),
    }
}

fn arity(name: &str, rest: &[Json], n: usize) -> R<()> {
    if rest.len() != n {
        return bad(format!("{name} takes {n} argument(s), got {}", rest.len()));
    }
    Ok(())
}

pub fn filter_from_json(j: &Json) -> R<Filter> {
    let (h, rest) = head(j)?;
    Ok(match h {
        "comparison" => {
            arity("comparison", rest, 3)?;
            let op = rest[0]
                .as_str()
                .and_then(CmpOp::from_ast_name)
                .ok_or_else(|| JsonError(format!("unknown comparison operator {}", rest[0])))?;
            Filter::Comparison(
                op,
                key_from_json(&rest[1])?,
                expr_from_json(&rest[2], false)?,
            )
        }
        "exists" => {
            arity("exists", rest, 1)?;
            Filter::Exists(key_from_json(&rest[0])?)
        }
        "after" => {
            arity("after", rest, 1)?;
            Filter::After(value_from_json(&rest[0])?)
        }
        "and" => Filter::And(rest.iter().map(filter_from_json).collect::<R<_>>()?),
        "or" => Filter::Or(rest.iter().map(filter_from_json).collect::<R<_>>()?),
        "not" => {
            arity("not", rest, 1)?;
            Filter::Not(Box::new(filter_from_json(&rest[0])?))
        }
        "nullFilter" => {
            arity("nullFilter", rest, 0)?;
            Filter::Null
        }
        "subquery" => {
            arity("subquery", rest, 2)?;
            let Json::Array(fs) = &rest[1] else {
                return bad("subquery takes a list of filters");
            };
            Filter::Subquery(
                key_from_json(&rest[0])?,
                fs.iter().map(filter_from_json).collect::<R<_>>()?,
            )
        }
        other => return bad(format!("unknown filter node {other:?}")),
    })
}

pub fn key_from_json(j: &Json) -> R<Key> {
    if let Json::String(s) = j {
        return Ok(Key::Bare(s.clone()));
    }
    let (h, rest) = head(j)?;
    Ok(match h {
        "token" => {
            arity("token", rest, 1)?;
            Key::Token(
                rest[0]
                    .as_str()
                    .ok_or_else(|| JsonError("token takes a string".into()))?
                    .to_string(),
            )
        }
        "param" => {
            arity("param", rest, 1)?;
            Key::Param(
                rest[0]
                    .as_str()
                    .ok_or_else(|| JsonError("param takes a string".into()))?
                    .to_string(),
            )
        }
        "objectMember" => {
            arity("objectMember", rest, 2)?;
            let parent = if rest[0].is_null() {
                None
            } else {
                Some(Box::new(key_from_json(&rest[0])?))
            };
            Key::Member(parent, Box::new(key_from_json(&rest[1])?))
        }
        other => return bad(format!("unknown key node {other:?}")),
    })
}

fn value_from_json(j: &Json) -> R<Value> {
    escjson::from_json(j, DecodeOptions::default()).map_err(|e| JsonError(e.to_string()))
}

pub fn expr_from_json(j: &Json, in_projection: bool) -> R<Expr> {
    match j {
        Json::String(s) if in_projection => Ok(Expr::Key(Key::Bare(s.clone()))),
        Json::Array(items) => {
            let tag = items.first().and_then(Json::as_str);
            match tag {
                Some("list") => Ok(Expr::List(
                    items[1..]
                        .iter()
                        .map(|i| expr_from_json(i, false))
                        .collect::<R<_>>()?,
                )),
                Some("calculation") => {
                    let Some(Json::Array(calc)) = items.get(1) else {
                        return bad("calculation takes [op, a, b]");
                    };
                    if items.len() != 2 || calc.len() != 3 {
                        return bad("calculation takes [op, a, b]");
                    }
                    let op = calc[0]
                        .as_str()
                        .and_then(CalcOp::from_symbol)
                        .ok_or_else(|| {
                            JsonError(format!("unknown calculation operator {}", calc[0]))
                        })?;
                    Ok(Expr::Calc(
                        op,
                        Box::new(expr_from_json(&calc[1], false)?),
                        Box::new(expr_from_json(&calc[2], false)?),
                    ))
                }
                Some("literal") if items.len() == 2 => {
                    Ok(Expr::Literal(value_from_json(&items[1])?))
                }
                Some("token" | "objectMember" | "param") => Ok(Expr::Key(key_from_json(j)?)),
                Some("object") => Ok(Expr::Object(members_from_json(&items[1..])?)),
                // a plain JSON array of values is a list
                _ => Ok(Expr::List(
                    items
                        .iter()
                        .map(|i| expr_from_json(i, false))
                        .collect::<R<_>>()?,
                )),
            }
        }
        other => Ok(Expr::Literal(value_from_json(other)?)),
    }
}

fn members_from_json(rest: &[Json]) -> R<Vec<Member>> {
    let [Json::Array(ms)] = rest else {
        return bad("object takes one list of members");
    };
    ms.iter().map(member_from_json).collect()
}

fn member_from_json(j: &Json) -> R<Member> {
    let (h, rest) = head(j)?;
    let name_of = |j: &Json| -> R<String> {
        j.as_str()
            .map(str::to_string)
            .ok_or_else(|| JsonError(format!("member name must be a string, got {j}")))
    };
    Ok(match h {
        "assignMember" => {
            if rest.len() != 2 && rest.len() != 3 {
                return bad("assignMember takes a name, a value and an optional default");
            }
            Member::Assign {
                name: name_of(&rest[0])?,
                value: expr_from_json(&rest[1], true)?,
                default: rest.get(2).map(value_from_json).transpose()?,
            }
        }
        "cloneMembers" => Member::CloneMembers,
        "cloneMembersWithExpansion" => Member::CloneMembersWithExpansion,
        "removeMember" => {
            arity("removeMember", rest, 1)?;
            Member::Remove(name_of(&rest[0])?)
        }
        "followRef" => {
            arity("followRef", rest, 1)?;
            Member::FollowRef(key_from_json(&rest[0])?)
        }
        other => return bad(format!("unknown projection member {other:?}")),
    })
}

fn aggregation_from_json(rest: &[Json]) -> R<Aggregation> {
    let (Some(Json::String(name)), Some(Json::Array(args))) = (rest.first(), rest.get(1)) else {
        return bad("invoke takes a name and a list of arguments");
    };
    if rest.len() != 2 {
        return bad("invoke takes a name and a list of arguments");
    }
    let key = |i: usize| -> R<Key> {
        args.get(i)
            .map(key_from_json)
            .unwrap_or_else(|| bad(format!("{name} needs a key argument")))
    };
    let n = args.len();
    let want = |k: usize| {
        if n == k {
            Ok(())
        } else {
            bad(format!("{name} takes {k} argument(s), got {n}"))
        }
    };
    Ok(match name.as_str() {
        "count" => {
            want(0)?;
            Aggregation::Count
        }
        "reverse" => {
            want(0)?;
            Aggregation::Reverse
        }
        "group" => {
            want(1)?;
            Aggregation::Group(key(0)?)
        }
        "orderAsc" => {
            want(1)?;
            Aggregation::OrderAsc(key(0)?)
        }
        "orderDesc" => {
            want(1)?;
            Aggregation::OrderDesc(key(0)?)
        }
        "order" => {
            want(2)?;
            let dir = args[1]
                .as_bool()
                .ok_or_else(|| JsonError("order's direction must be a boolean".into()))?;
            Aggregation::Order(key(0)?, dir)
        }
        other => return bad(format!("unknown aggregation {other:?}")),
    })
}
