//! Evaluation of filters, values and projections over materialised records. Paths follow
//! nested maps, fan out over lists and cross refs (loading the referenced record).

use super::ast::*;
use crate::value::Value;
use std::collections::BTreeMap;

/// Loads the head of a referenced record (for paths crossing refs and `followRef`).
pub trait Deref {
    fn deref(&self, id: &str) -> Option<Value>;
}

pub struct Ctx<'a> {
    pub deref: &'a dyn Deref,
    pub params: &'a BTreeMap<String, Value>,
    /// Local sequence of the record under evaluation, and the `after` watermark resolver.
    pub seq: u64,
    pub watermark: &'a dyn Fn(&Value) -> Option<u64>,
}

const MAX_REF_DEPTH: usize = 8;

impl Ctx<'_> {
    /// All values at `path` from `root`: lists fan out, refs are followed.
    pub fn lookup(&self, root: &Value, path: &[String]) -> Vec<Value> {
        let mut out = Vec::new();
        self.walk(root, path, 0, &mut out);
        out
    }

    fn walk(&self, cur: &Value, path: &[String], depth: usize, out: &mut Vec<Value>) {
        let Some((first, rest)) = path.split_first() else {
            out.push(cur.clone());
            return;
        };
        match cur {
            Value::Map(m) => {
                if let Some(v) = m.get(first) {
                    self.walk(v, rest, depth, out);
                }
            }
            Value::Array(items) => {
                for it in items {
                    self.walk(it, path, depth, out);
                }
            }
            Value::Ref(id) if depth < MAX_REF_DEPTH => {
                if let Some(target) = self.deref.deref(id) {
                    self.walk(&target, path, depth + 1, out);
                }
            }
            _ => {}
        }
    }

    /// Values a comparison looks at: each value found, and each element of found lists.
    fn candidates(&self, root: &Value, key: &Key) -> Result<Vec<Value>, String> {
        let path = key.path(self.params)?;
        let mut out = Vec::new();
        for v in self.lookup(root, &path) {
            if let Value::Array(items) = &v {
                out.extend(items.iter().cloned());
            }
            out.push(v);
        }
        Ok(out)
    }

    pub fn eval_expr(&self, root: &Value, e: &Expr) -> Result<Value, String> {
        Ok(match e {
            Expr::Literal(v) => v.clone(),
            Expr::List(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.eval_expr(root, i))
                    .collect::<Result<_, _>>()?,
            ),
            Expr::Calc(op, a, b) => {
                calculate(*op, &self.eval_expr(root, a)?, &self.eval_expr(root, b)?)
            }
            Expr::Key(k) => self
                .lookup(root, &k.path(self.params)?)
                .into_iter()
                .next()
                .unwrap_or(Value::Null),
            Expr::Object(ms) => self.project(root, root, ms)?,
        })
    }

    /// Whether `record` passes every filter of `fs` (a conjunction, or a subquery's body:
    /// evaluated in place rather than cloned into an `And`, which nested subqueries paid for
    /// at every level).
    fn matches_all(&self, record: &Value, fs: &[Filter]) -> Result<bool, String> {
        for f in fs {
            if !self.matches(record, f)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub fn matches(&self, record: &Value, f: &Filter) -> Result<bool, String> {
        Ok(match f {
            Filter::Null => true,
            Filter::And(fs) => self.matches_all(record, fs)?,
            Filter::Or(fs) => {
                for f in fs {
                    if self.matches(record, f)? {
                        return Ok(true);
                    }
                }
                false
            }
            Filter::Not(f) => !self.matches(record, f)?,
            Filter::Exists(k) => !self.lookup(record, &k.path(self.params)?).is_empty(),
            Filter::After(w) => match (self.watermark)(w) {
                Some(mark) => self.seq > mark,
                None => {
                    return Err(format!(
                        "after: unknown watermark {}",
                        crate::escjson::to_string(w)
                    ))
                }
            },
            Filter::Subquery(k, fs) => {
                for v in self.lookup(record, &k.path(self.params)?) {
                    let items = match v {
                        Value::Array(items) => items,
                        other => vec![other],
                    };
                    for it in items {
                        if matches!(it, Value::Map(_)) && self.matches_all(&it, fs)? {
                            return Ok(true);
                        }
                    }
                }
                false
            }
            Filter::Comparison(op, k, e) => {
                let rhs = self.eval_expr(record, e)?;
                let cands = self.candidates(record, k)?;
                compare(*op, &cands, &rhs)
            }
        })
    }

    /// Evaluate projection members against `cur` (the current object) and `root`.
    pub fn project(&self, root: &Value, cur: &Value, ms: &[Member]) -> Result<Value, String> {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for m in ms {
            match m {
                Member::CloneMembers => {
                    if let Value::Map(c) = cur {
                        out.extend(c.clone());
                    }
                }
                Member::CloneMembersWithExpansion => {
                    if let Value::Map(c) = cur {
                        for (k, v) in c {
                            out.insert(k.clone(), self.expand(v, 0));
                        }
                    }
                }
                Member::Remove(k) => {
                    out.remove(k);
                }
                Member::FollowRef(k) => {
                    let path = k.path(self.params)?;
                    let name = path.last().cloned().unwrap_or_default();
                    let base = if k.is_rooted() { root } else { cur };
                    if let Some(v) = self.lookup_shallow(base, &path) {
                        let v = match v {
                            Value::Ref(id) => self.deref.deref(&id).unwrap_or(Value::Null),
                            other => other,
                        };
                        out.insert(name, v);
                    }
                }
                Member::Assign {
                    name,
                    value,
                    default,
                } => {
                    let v = match value {
                        Expr::Object(inner) => {
                            let sub = cur
                                .as_map()
                                .and_then(|m| m.get(name))
                                .cloned()
                                .unwrap_or(Value::Map(BTreeMap::new()));
                            Some(self.project(root, &sub, inner)?)
                        }
                        Expr::Key(k) => {
                            let base = if k.is_rooted() { root } else { cur };
                            self.lookup_shallow(base, &k.path(self.params)?)
                        }
                        other => Some(self.eval_expr(cur, other)?),
                    };
                    if let Some(v) = v.or_else(|| default.clone()) {
                        out.insert(name.clone(), v);
                    }
                }
            }
        }
        Ok(Value::Map(out))
    }

    /// The value at a path (first one when lists fan out), crossing refs.
    fn lookup_shallow(&self, root: &Value, path: &[String]) -> Option<Value> {
        if let Some(v) = root.get_path(path) {
            return Some(v.clone());
        }
        self.lookup(root, path).into_iter().next()
    }

    fn expand(&self, v: &Value, depth: usize) -> Value {
        match v {
            Value::Ref(id) if depth < MAX_REF_DEPTH => match self.deref.deref(id) {
                Some(Value::Map(m)) => Value::Map(
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                if k == crate::record::ID {
                                    v.clone()
                                } else {
                                    self.expand(v, depth + 1)
                                },
                            )
                        })
                        .collect(),
                ),
                _ => v.clone(),
            },
            Value::Array(items) => {
                Value::Array(items.iter().map(|i| self.expand(i, depth)).collect())
            }
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.expand(v, depth)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) | Value::Ref(s) => Some(s),
        _ => None,
    }
}

/// Ordering between two values of comparable kinds (numbers with numbers, strings and refs
/// with strings and refs, bools, null); None across kinds.
pub fn ordered(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let (x, y) = (a.as_f64()?, b.as_f64()?);
            if let (Value::Int(i), Value::Int(j)) = (a, b) {
                return Some(i.cmp(j));
            }
            x.partial_cmp(&y)
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
        _ => match (text(a), text(b)) {
            (Some(x), Some(y))
                if a.kind_rank() == b.kind_rank() || matches!(b, Value::String(_)) =>
            {
                Some(x.cmp(y))
            }
            _ => None,
        },
    }
}

pub fn like(s: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('%') {
        Some(prefix) => s.starts_with(prefix),
        None => s.starts_with(pattern),
    }
}

fn list_of(rhs: &Value) -> Vec<Value> {
    match rhs {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

pub fn compare(op: CmpOp, cands: &[Value], rhs: &Value) -> bool {
    use std::cmp::Ordering::*;
    let any = |p: &dyn Fn(&Value) -> bool| cands.iter().any(p);
    match op {
        CmpOp::Eq => any(&|c| c.query_eq(rhs)),
        CmpOp::Ne => !any(&|c| c.query_eq(rhs)),
        CmpOp::Lt => any(&|c| ordered(c, rhs) == Some(Less)),
        CmpOp::Le => any(&|c| matches!(ordered(c, rhs), Some(Less | Equal))),
        CmpOp::Gt => any(&|c| ordered(c, rhs) == Some(Greater)),
        CmpOp::Ge => any(&|c| matches!(ordered(c, rhs), Some(Greater | Equal))),
        CmpOp::Contains => match rhs {
            Value::String(needle) => any(&|c| text(c).is_some_and(|s| s.contains(needle.as_str()))),
            other => any(&|c| c.query_eq(other)),
        },
        CmpOp::Like => match rhs {
            Value::String(p) => any(&|c| text(c).is_some_and(|s| like(s, p))),
            _ => false,
        },
        CmpOp::In => list_of(rhs).iter().any(|x| any(&|c| c.query_eq(x))),
        CmpOp::AllIn => list_of(rhs).iter().all(|x| any(&|c| c.query_eq(x))),
        CmpOp::NotIn => !list_of(rhs).iter().any(|x| any(&|c| c.query_eq(x))),
        CmpOp::NotAllIn => !list_of(rhs).iter().all(|x| any(&|c| c.query_eq(x))),
    }
}

/// `+ - * / %` with the facts' rules: null in any operand gives null; `+` also concatenates
/// strings, lists and maps (right wins).
pub fn calculate(op: CalcOp, a: &Value, b: &Value) -> Value {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return Value::Null;
    }
    match (op, a, b) {
        (CalcOp::Add, Value::String(x), y) => Value::String(format!("{x}{}", word(y))),
        (CalcOp::Add, x, Value::String(y)) => Value::String(format!("{}{y}", word(x))),
        (CalcOp::Add, Value::Array(x), Value::Array(y)) => {
            Value::Array(x.iter().chain(y).cloned().collect())
        }
        (CalcOp::Add, Value::Map(x), Value::Map(y)) => {
            let mut m = x.clone();
            m.extend(y.clone());
            Value::Map(m)
        }
        (_, Value::Int(x), Value::Int(y)) => {
            let r = match op {
                CalcOp::Add => x.checked_add(*y),
                CalcOp::Sub => x.checked_sub(*y),
                CalcOp::Mul => x.checked_mul(*y),
                CalcOp::Div => {
                    if *y != 0 && x % y == 0 {
                        x.checked_div(*y)
                    } else {
                        None
                    }
                }
                CalcOp::Rem => x.checked_rem(*y),
            };
            match r {
                Some(v) => Value::Int(v),
                None => float_op(op, *x as f64, *y as f64),
            }
        }
        (_, x, y) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => float_op(op, x, y),
            _ => Value::Null,
        },
    }
}

fn float_op(op: CalcOp, x: f64, y: f64) -> Value {
    Value::Float(match op {
        CalcOp::Add => x + y,
        CalcOp::Sub => x - y,
        CalcOp::Mul => x * y,
        CalcOp::Div => x / y,
        CalcOp::Rem => x % y,
    })
}

fn word(v: &Value) -> String {
    match v {
        Value::String(s) | Value::Ref(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        other => crate::escjson::to_string(other),
    }
}
