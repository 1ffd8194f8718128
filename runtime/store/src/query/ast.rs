//! The query AST of spec §7 / facts §6.4–§6.5: filters, keys, values, one projection and
//! aggregations. Its JSON form is in `json.rs`, the string form in `parse.rs`/`print.rs`.

use crate::value::Value;

/// A whole query: filters (all must hold), at most one projection, then aggregations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub filters: Vec<Filter>,
    pub projection: Option<Vec<Member>>,
    pub aggregations: Vec<Aggregation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Like,
    In,
    AllIn,
    NotIn,
    NotAllIn,
}

impl CmpOp {
    pub const ALL: [CmpOp; 12] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Contains,
        CmpOp::Like,
        CmpOp::In,
        CmpOp::AllIn,
        CmpOp::NotIn,
        CmpOp::NotAllIn,
    ];

    /// The AST spelling.
    pub fn ast_name(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Contains => "contains",
            CmpOp::Like => "like",
            CmpOp::In => "in",
            CmpOp::AllIn => "all_in",
            CmpOp::NotIn => "not_in",
            CmpOp::NotAllIn => "not_all_in",
        }
    }

    /// The query-string spelling.
    pub fn string_name(self) -> &'static str {
        match self {
            CmpOp::AllIn => "all in",
            CmpOp::NotIn => "not in",
            CmpOp::NotAllIn => "not all in",
            other => other.ast_name(),
        }
    }

    pub fn from_ast_name(s: &str) -> Option<Self> {
        CmpOp::ALL.into_iter().find(|o| o.ast_name() == s)
    }
}

/// A field reference (facts' key table).
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// `"field"` (quoted; dots separate nested fields).
    Bare(String),
    /// `field`
    Token(String),
    /// `.field`, `inner.field`: `["objectMember", parent-or-null, key]`.
    Member(Option<Box<Key>>, Box<Key>),
    /// `$field` (registered-query parameter naming a field).
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalcOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl CalcOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CalcOp::Add => "+",
            CalcOp::Sub => "-",
            CalcOp::Mul => "*",
            CalcOp::Div => "/",
            CalcOp::Rem => "%",
        }
    }
    pub fn from_symbol(s: &str) -> Option<Self> {
        Some(match s {
            "+" => CalcOp::Add,
            "-" => CalcOp::Sub,
            "*" => CalcOp::Mul,
            "/" => CalcOp::Div,
            "%" => CalcOp::Rem,
            _ => return None,
        })
    }
    /// Binding strength (higher binds tighter).
    pub fn precedence(self) -> u8 {
        match self {
            CalcOp::Add | CalcOp::Sub => 1,
            _ => 2,
        }
    }
}

/// A value position: a literal, a list, a calculation, a field, or a nested projection.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    List(Vec<Expr>),
    Calc(CalcOp, Box<Expr>, Box<Expr>),
    Key(Key),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Comparison(CmpOp, Key, Expr),
    Exists(Key),
    After(Value),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Null,
    Subquery(Key, Vec<Filter>),
}

/// A projection member (facts' projection table).
#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    Assign {
        name: String,
        value: Expr,
        default: Option<Value>,
    },
    CloneMembers,
    CloneMembersWithExpansion,
    Remove(String),
    FollowRef(Key),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Aggregation {
    Count,
    Group(Key),
    OrderAsc(Key),
    OrderDesc(Key),
    /// `order(key, dir)`: `dir == true` sorts ascending (`db.dirSort(not dir, .key)`).
    Order(Key, bool),
    Reverse,
}

impl Key {
    /// The field path the key names (relative to the current object; `Member(None, …)` is
    /// rooted, which only differs inside nested projections).
    pub fn path(
        &self,
        params: &std::collections::BTreeMap<String, Value>,
    ) -> Result<Vec<String>, String> {
        Ok(match self {
            Key::Bare(s) => s.split('.').map(str::to_string).collect(),
            Key::Token(s) => vec![s.clone()],
            Key::Member(parent, k) => {
                let mut p = match parent {
                    Some(p) => p.path(params)?,
                    None => Vec::new(),
                };
                p.extend(k.path(params)?);
                p
            }
            Key::Param(name) => match params.get(name) {
                Some(Value::String(s)) => s.split('.').map(str::to_string).collect(),
                Some(other) => {
                    return Err(format!(
                        "parameter ${name} must name a field, got {}",
                        other.kind_name()
                    ))
                }
                None => return Err(format!("parameter ${name} is not bound")),
            },
        })
    }

    /// Is the key rooted (`.field`) rather than relative to the current object?
    pub fn is_rooted(&self) -> bool {
        match self {
            Key::Member(None, _) => true,
            Key::Member(Some(p), _) => p.is_rooted(),
            _ => false,
        }
    }

    /// The key for a dotted path as the string form writes it.
    pub fn from_dotted(segs: &[String]) -> Key {
        match segs {
            [] => Key::Token(String::new()),
            [one] => Key::Token(one.clone()),
            [init @ .., last] => {
                let mut parent = Key::Member(None, Box::new(Key::Bare(init[0].clone())));
                for s in &init[1..] {
                    parent = Key::Member(Some(Box::new(parent)), Box::new(Key::Bare(s.clone())));
                }
                Key::Member(Some(Box::new(parent)), Box::new(Key::Token(last.clone())))
            }
        }
    }
}
