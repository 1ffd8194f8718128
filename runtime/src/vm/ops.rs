//! The value operations behind arithmetic, `+`, comparison and field/index instructions, kept
//! apart from the dispatch loop so natives can share them.

use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::qcode::CmpOp;
use crate::value::{Array, Key, Value};

fn number_error(op: &str, a: &Value, b: &Value) -> RtError {
    RtError::runtime(format!(
        "`{op}` needs numbers, got {} and {}",
        a.kind(),
        b.kind()
    ))
}

/// `a + b` on numbers: integers stay integers unless the result overflows.
#[inline]
pub fn add_num(a: &Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(match x.checked_add(*y) {
            Some(r) => Value::Int(r),
            None => Value::Float(*x as f64 + *y as f64),
        }),
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Ok(Value::Float(x + y)),
            _ => Err(number_error("+", a, b)),
        },
    }
}

#[inline]
pub fn sub(a: &Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(match x.checked_sub(*y) {
            Some(r) => Value::Int(r),
            None => Value::Float(*x as f64 - *y as f64),
        }),
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Ok(Value::Float(x - y)),
            _ => Err(number_error("-", a, b)),
        },
    }
}

#[inline]
pub fn mul(a: &Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(match x.checked_mul(*y) {
            Some(r) => Value::Int(r),
            None => Value::Float(*x as f64 * *y as f64),
        }),
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Ok(Value::Float(x * y)),
            _ => Err(number_error("*", a, b)),
        },
    }
}

pub fn div(a: &Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Ok(Value::Float(x / y)),
            _ => Err(number_error("/", a, b)),
        },
    }
}

#[inline]
pub fn rem(a: &Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        // Exact for integers (and faster); the result is still a float, as `%` always is.
        (Value::Int(x), Value::Int(y)) if *y != 0 => Ok(Value::Float(x.wrapping_rem(*y) as f64)),
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => Ok(Value::Float(x % y)),
            _ => Err(number_error("%", a, b)),
        },
    }
}

pub fn neg(a: &Value) -> RtResult<Value> {
    match a {
        Value::Int(x) => Ok(match x.checked_neg() {
            Some(r) => Value::Int(r),
            None => Value::Float(-(*x as f64)),
        }),
        Value::Float(x) => Ok(Value::Float(-x)),
        Value::Undefined => Ok(Value::Undefined),
        other => Err(RtError::runtime(format!(
            "unary `-` needs a number, got {}",
            other.kind()
        ))),
    }
}

/// A word as it appears in a concatenation.
pub fn word_text(v: &Value, out: &mut String) -> bool {
    use std::fmt::Write;
    match v {
        Value::Str(s) => out.push_str(s),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => crate::print::number(out, *f),
        _ => return false,
    }
    true
}

/// string + word / word + string. Takes `a` by value so a string held only by the register
/// being overwritten grows in place.
pub fn concat(a: Value, b: &Value) -> RtResult<Value> {
    if a.is_undefined() || b.is_undefined() {
        return Ok(Value::Undefined);
    }
    match a {
        Value::Str(mut s) => {
            let buffer = Rc::make_mut(&mut s);
            if !word_text(b, buffer) {
                return Err(RtError::runtime(format!(
                    "cannot append {} to a string",
                    b.kind()
                )));
            }
            Ok(Value::Str(s))
        }
        other => {
            let mut out = String::new();
            if !word_text(&other, &mut out) || !word_text(b, &mut out) {
                return Err(RtError::runtime(format!(
                    "`+` cannot join {} and {}",
                    other.kind(),
                    b.kind()
                )));
            }
            Ok(Value::str(out))
        }
    }
}

pub fn array_concat(a: Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Array(mut x), Value::Array(y)) => {
            x.make_mut().extend(y.iter().cloned());
            Ok(Value::Array(x))
        }
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        (a, b) => Err(RtError::runtime(format!(
            "`+` cannot join {} and {}",
            a.kind(),
            b.kind()
        ))),
    }
}

/// `a + b` taking `b`: two arrays by prepending `a`'s elements to `b` in place when that is
/// the cheaper side (see [`prepends_in_place`]); anything else as the dynamic `+` does, which
/// copies `a` (its register still holds it).
pub fn prepend_join(a: &Value, b: Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) if prepends_in_place(x, &y) => {
            Ok(Value::Array(Array::prepended(x, y)))
        }
        (a, b) => add_dyn(a.clone(), &b),
    }
}

/// Whether `a + b`, with `b` moved in, puts `a`'s elements in front of `b`'s in place: `b` is
/// held nowhere else and at least as long as `a`. Otherwise a copy of `a` extended with `b`
/// costs no more, and a short `b` does not grow room in front.
pub fn prepends_in_place(a: &Array, b: &Array) -> bool {
    !b.is_shared() && b.len() >= a.len()
}

pub fn map_merge(a: Value, b: &Value) -> RtResult<Value> {
    match (a, b) {
        (Value::Obj(mut x), Value::Obj(y)) => {
            let target = Rc::make_mut(&mut x);
            for (k, v) in y.iter() {
                target.insert(k.clone(), v.clone());
            }
            Ok(Value::Obj(x))
        }
        (Value::Undefined, _) | (_, Value::Undefined) => Ok(Value::Undefined),
        (a, b) => Err(RtError::runtime(format!(
            "`+` cannot merge {} and {}",
            a.kind(),
            b.kind()
        ))),
    }
}

/// The one dynamic `+` (a `data` or polymorphic operand): the table on run-time values, and
/// `null + x` is `null`.
pub fn add_dyn(a: Value, b: &Value) -> RtResult<Value> {
    match (&a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => add_num(&a, b),
        (Value::Str(_), _) | (_, Value::Str(_)) => concat(a, b),
        (Value::Array(_), _) => array_concat(a, b),
        (Value::Obj(_), _) => map_merge(a, b),
        _ => add_num(&a, b),
    }
}

/// `x op y` on two numbers of one representation: every operator agrees with `compare` there
/// (the case-insensitive and strict ones too).
#[inline(always)]
pub(super) fn ordered<T: PartialOrd>(op: CmpOp, x: T, y: T) -> bool {
    use CmpOp::*;
    match op {
        Eq | EqCi | StrictEq => x == y,
        Ne | NeCi | StrictNe => x != y,
        Lt | LtCi => x < y,
        Le | LeCi => x <= y,
        Gt | GtCi => x > y,
        Ge | GeCi => x >= y,
    }
}

#[inline(always)]
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn lower(v: &Value) -> Option<String> {
    v.as_str().map(str::to_lowercase)
}

/// Comparison with undefined bubbling (except for `===`/`!==`, which see undefined as a value).
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    use std::cmp::Ordering::*;
    // Numbers: integers exactly, mixed representations as floats. An integer and a float
    // are one number to every operator, `===` included: the representation is not a type
    // (spec §5: `1 == 1.0`), and inside arrays they were equal already.
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Value::Bool(ordered(op, *x, *y));
    }
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return Value::Bool(ordered(op, x, y));
    }
    if op.is_strict() {
        return Value::Bool((a == b) == (op == CmpOp::StrictEq));
    }
    if a.is_undefined() || b.is_undefined() {
        return Value::Undefined;
    }
    let folded;
    let (a, b) = if matches!(
        op,
        CmpOp::EqCi | CmpOp::NeCi | CmpOp::LtCi | CmpOp::LeCi | CmpOp::GtCi | CmpOp::GeCi
    ) {
        match (lower(a), lower(b)) {
            (Some(x), Some(y)) => {
                folded = (Value::str(x), Value::str(y));
                (&folded.0, &folded.1)
            }
            _ => (a, b),
        }
    } else {
        (a, b)
    };
    let ordering = || a.partial_cmp(b);
    Value::Bool(match op {
        CmpOp::Eq | CmpOp::EqCi => a == b,
        CmpOp::Ne | CmpOp::NeCi => a != b,
        CmpOp::Lt | CmpOp::LtCi => ordering() == Some(Less),
        CmpOp::Le | CmpOp::LeCi => matches!(ordering(), Some(Less | Equal)),
        CmpOp::Gt | CmpOp::GtCi => ordering() == Some(Greater),
        CmpOp::Ge | CmpOp::GeCi => matches!(ordering(), Some(Greater | Equal)),
        CmpOp::StrictEq | CmpOp::StrictNe => unreachable!("handled above"),
    })
}

/// Kleene `not`.
pub fn not(v: &Value) -> RtResult<Value> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        Value::Undefined => Ok(Value::Undefined),
        other => Err(RtError::runtime(format!(
            "`not` needs a bool, got {}",
            other.kind()
        ))),
    }
}

pub fn kleene_and(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Bool(false), _) | (_, Value::Bool(false)) => Value::Bool(false),
        (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
        _ => Value::Undefined,
    }
}

pub fn kleene_or(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Bool(true), _) | (_, Value::Bool(true)) => Value::Bool(true),
        (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
        _ => Value::Undefined,
    }
}

pub fn get_field(obj: &Value, key: &Key) -> RtResult<Value> {
    match obj {
        Value::Obj(fields) => Ok(fields.field(key).cloned().unwrap_or(Value::Undefined)),
        Value::Undefined | Value::Null => Ok(Value::Undefined),
        other => Err(RtError::runtime(format!(
            "cannot read field `{key}` of {}",
            other.kind()
        ))),
    }
}

pub fn get_dyn(obj: &Value, key: &Value) -> RtResult<Value> {
    match (obj, key) {
        (_, Value::Undefined) | (Value::Undefined | Value::Null, _) => Ok(Value::Undefined),
        (Value::Obj(fields), Value::Str(k)) => {
            Ok(fields.get(k.as_str()).cloned().unwrap_or(Value::Undefined))
        }
        (Value::Obj(_), other) => Err(RtError::runtime(format!(
            "map keys are strings, got {}",
            other.kind()
        ))),
        (other, _) => Err(RtError::runtime(format!(
            "cannot look up a key in {}",
            other.kind()
        ))),
    }
}

/// An array index as a position, if it is an integral number inside `len`.
pub fn position(index: &Value, len: usize) -> Option<usize> {
    let i = index.as_i64()?;
    (i >= 0 && (i as u64) < len as u64).then_some(i as usize)
}

pub fn get_index(arr: &Value, index: &Value) -> RtResult<Value> {
    match arr {
        Value::Array(items) => match position(index, items.len()) {
            Some(i) => Ok(items[i].clone()),
            None if index.is_undefined() => Ok(Value::Undefined),
            None => Err(RtError::runtime(format!(
                "index {index} is outside the array (length {})",
                items.len()
            ))),
        },
        Value::Undefined => Ok(Value::Undefined),
        other => Err(RtError::runtime(format!("cannot index {}", other.kind()))),
    }
}

pub fn storable(v: &Value, what: &str) -> RtResult<()> {
    if v.is_undefined() {
        return Err(RtError::runtime(format!(
            "cannot store undefined in {what}"
        )));
    }
    Ok(())
}

pub fn set_field(obj: Value, key: Key, value: Value) -> RtResult<Value> {
    storable(&value, "a record")?;
    match obj {
        Value::Obj(mut fields) => {
            Rc::make_mut(&mut fields).insert(key, value);
            Ok(Value::Obj(fields))
        }
        other => Err(RtError::runtime(format!(
            "cannot set field `{key}` of {}",
            other.kind()
        ))),
    }
}

pub fn set_index(arr: Value, index: &Value, value: Value) -> RtResult<Value> {
    storable(&value, "an array")?;
    match arr {
        Value::Array(mut items) => match position(index, items.len()) {
            Some(i) => {
                items.make_mut()[i] = value;
                Ok(Value::Array(items))
            }
            None => Err(RtError::runtime(format!(
                "index {index} is outside the array (length {})",
                items.len()
            ))),
        },
        other => Err(RtError::runtime(format!("cannot index {}", other.kind()))),
    }
}
