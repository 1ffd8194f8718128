//! The data kinds of spec §4: null, bool, int, float, string, ref, binary, arrays, maps, cases.
//!
//! `Value` has a total order (used by indexes, sorting and range filters) and structural
//! equality in which floats compare by bit pattern, so encodings can be checked to round-trip
//! exactly.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A Mix data value.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// A database reference (`db.ref(id)`); never inferred from a string.
    Ref(String),
    Binary(Vec<u8>),
    Array(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// A case value: `name` or `name(arg)`.
    Case(String, Option<Box<Value>>),
}

impl Value {
    /// Whether this value nests deeper than `limit` levels (a scalar is one level; an array,
    /// map or case argument adds one). Iterative, and it stops at the limit, so a hostile
    /// value of any depth is measured in bounded time and stack.
    pub fn nests_deeper_than(&self, limit: usize) -> bool {
        crate::depth::exceeds(self, limit, |v, out| match v {
            Value::Array(items) => out.extend(items),
            Value::Map(m) => out.extend(m.values()),
            Value::Case(_, Some(arg)) => out.push(arg),
            _ => {}
        })
    }

    /// Rank of the kind in the total order; ints and floats share the number rank.
    pub fn kind_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Float(_) => 2,
            Value::String(_) => 3,
            Value::Ref(_) => 4,
            Value::Binary(_) => 5,
            Value::Array(_) => 6,
            Value::Map(_) => 7,
            Value::Case(..) => 8,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Ref(_) => "ref",
            Value::Binary(_) => "binary",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Case(..) => "case",
        }
    }

    /// The numeric value, for ints and floats.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Field lookup by path through nested maps (not through refs: the executor does that).
    pub fn get_path(&self, path: &[String]) -> Option<&Value> {
        let mut cur = self;
        for seg in path {
            cur = cur.as_map()?.get(seg)?;
        }
        Some(cur)
    }

    /// Semantic equality used by queries: ints and floats compare numerically.
    pub fn query_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                compare_numbers(self, other) == Ordering::Equal
            }
            _ => self == other,
        }
    }
}

fn compare_numbers(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        _ => {
            let x = a.as_f64().unwrap_or(0.0);
            let y = b.as_f64().unwrap_or(0.0);
            x.total_cmp(&y)
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Ref(a), Value::Ref(b)) => a == b,
            (Value::Binary(a), Value::Binary(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Case(a, x), Value::Case(b, y)) => a == b && x == y,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    /// Total order: by kind rank, then within the kind. Ints and floats interleave
    /// numerically; an int and a float that are numerically equal order int first, so the
    /// order stays consistent with `Eq`.
    fn cmp(&self, other: &Self) -> Ordering {
        let rank = self.kind_rank().cmp(&other.kind_rank());
        if rank != Ordering::Equal {
            return rank;
        }
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                compare_numbers(self, other).then_with(|| match (self, other) {
                    (Value::Int(_), Value::Float(_)) => Ordering::Less,
                    (Value::Float(_), Value::Int(_)) => Ordering::Greater,
                    (Value::Float(a), Value::Float(b)) => a.to_bits().cmp(&b.to_bits()),
                    _ => Ordering::Equal,
                })
            }
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Ref(a), Value::Ref(b)) => a.cmp(b),
            (Value::Binary(a), Value::Binary(b)) => a.cmp(b),
            (Value::Array(a), Value::Array(b)) => a.cmp(b),
            (Value::Map(a), Value::Map(b)) => a.cmp(b),
            (Value::Case(a, x), Value::Case(b, y)) => a.cmp(b).then_with(|| x.cmp(y)),
            _ => Ordering::Equal,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// Build a map value from pairs (handy in tests and examples).
pub fn map_of<I, K>(pairs: I) -> Value
where
    I: IntoIterator<Item = (K, Value)>,
    K: Into<String>,
{
    Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_interleave_and_order_is_total() {
        let mut v = [
            Value::Float(2.5),
            Value::Int(3),
            Value::Int(2),
            Value::Null,
            Value::String("a".into()),
            Value::Float(f64::NAN),
        ];
        v.sort();
        assert_eq!(v[0], Value::Null);
        assert_eq!(v[1], Value::Int(2));
        assert_eq!(v[2], Value::Float(2.5));
        assert_eq!(v[3], Value::Int(3));
        assert!(matches!(v[4], Value::Float(f) if f.is_nan()));
        assert_eq!(v[5], Value::String("a".into()));
    }

    #[test]
    fn query_eq_is_numeric_but_eq_is_exact() {
        assert!(Value::Int(1).query_eq(&Value::Float(1.0)));
        assert_ne!(Value::Int(1), Value::Float(1.0));
        assert_ne!(Value::Ref("a".into()), Value::String("a".into()));
    }
}
