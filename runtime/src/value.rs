//! Run-time values (spec §5). Sixteen bytes each: scalars inline, everything else behind an `Rc`
//! so copying a value is a reference-count bump. Values are immutable; an operation that
//! "changes" one copies it unless it holds the only reference (`Rc::make_mut`), which is what
//! makes `s = s + "x"` in a loop linear instead of quadratic.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::stream::Stream;

pub use crate::array::Array;

/// Keys of records and maps. Records and maps share one representation: `data` code cannot
/// tell them apart, and both print with sorted keys.
pub use crate::obj::{Key, Obj};

/// `repr(C, u8)` fixes the layout the VM's register copies rely on (see `vm::copy_slot`): the
/// tag byte first ([`TAG_UNDEFINED`] … [`TAG_FLOAT`] for the scalars), every payload (a bool's
/// too) at offset 8, bytes 1..8 padding. With the bool at offset 1 (the default layout) every
/// copy of a value also copied bytes 1..8 with odd-sized loads that straddle the narrow stores
/// that wrote the value, which stalls store-to-load forwarding.
#[derive(Clone, Default)]
#[repr(C, u8)]
pub enum Value {
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<String>),
    Array(Array),
    /// A record or a map.
    Obj(Rc<Obj>),
    Case(Rc<Case>),
    /// A database reference: its record id.
    Ref(Rc<String>),
    Binary(Rc<Vec<u8>>),
    Func(Rc<Func>),
    Stream(Rc<Stream>),
    /// Host objects the language sees as opaque types (`regex.pattern`, …).
    Host(Rc<HostObject>),
}

/// Tags of the scalar variants (declaration order under `repr(C, u8)`); every other variant's tag
/// is greater than [`TAG_FLOAT`].
pub const TAG_UNDEFINED: u8 = 0;
pub const TAG_NULL: u8 = 1;
pub const TAG_BOOL: u8 = 2;
pub const TAG_INT: u8 = 3;
pub const TAG_FLOAT: u8 = 4;

/// A case value: `red`, `some(3)`. Cases are structural, so the name is the identity.
#[derive(Clone, PartialEq)]
pub struct Case {
    pub name: Rc<str>,
    pub arg: Option<Value>,
}

/// Something callable. Calls are curried: a call with fewer arguments than `arity` makes a
/// `Partial`, one with more applies the result to the rest.
pub enum Func {
    /// A compiled function (index into the module's function table) with its captured values.
    Closure {
        function: u32,
        captures: Box<[Value]>,
    },
    /// A native primitive (index into the runtime's native table).
    Native { native: u32 },
    /// A callee with some of its arguments already supplied.
    Partial { callee: Value, args: Box<[Value]> },
}

pub enum HostObject {
    Regex(Rc<str>, Box<dyn std::any::Any>),
    /// A calendar date, time or timestamp, as the `calendar` natives define it.
    Calendar(Box<dyn std::any::Any>),
    Other(&'static str, Box<dyn std::any::Any>),
    /// The VM's iteration state for `for (let x in s)` (never visible to user code).
    Cursor(std::cell::RefCell<crate::stream::Cursor>),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Rc::new(s.into()))
    }

    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Array::new(items))
    }

    pub fn obj(fields: Obj) -> Value {
        Value::Obj(Rc::new(fields))
    }

    pub fn case(name: impl Into<Rc<str>>, arg: Option<Value>) -> Value {
        Value::Case(Rc::new(Case {
            name: name.into(),
            arg,
        }))
    }

    /// A number: integral results stay integers.
    pub fn number(x: f64) -> Value {
        Value::Float(x)
    }

    /// Undefined, null, bools and numbers: the variants that own nothing (no destructor, copied
    /// bit for bit).
    #[inline(always)]
    pub fn is_scalar(&self) -> bool {
        self.tag() <= TAG_FLOAT
    }

    /// The variant's tag byte.
    #[inline(always)]
    pub fn tag(&self) -> u8 {
        // SAFETY: `Value` is `repr(C, u8)`: its first byte is the tag, always initialised.
        unsafe { *(self as *const Value as *const u8) }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined)
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// An integer view of a number (floats with an integral value count).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(*f as i64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The kind's name for error messages (`datacase` names where they exist).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Obj(_) => "object",
            Value::Case(_) => "case",
            Value::Ref(_) => "ref",
            Value::Binary(_) => "binary",
            Value::Func(_) => "function",
            Value::Stream(_) => "stream",
            Value::Host(_) => "opaque",
        }
    }

    /// Whether the value is `data` (serialisable): what arrays, maps and the store may hold.
    pub fn is_data(&self) -> bool {
        match self {
            Value::Undefined | Value::Func(_) | Value::Stream(_) | Value::Host(_) => false,
            Value::Array(a) => a.iter().all(Value::is_data),
            Value::Obj(o) => o.values().all(Value::is_data),
            Value::Case(c) => c.arg.as_ref().is_none_or(Value::is_data),
            _ => true,
        }
    }
}

/// Deep equality (spec §5): `1 == 1.0`, arrays element-wise, objects by keys and values, cases
/// by name and argument. Functions, streams and host objects are equal only to themselves.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Undefined, Undefined) | (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Int(_) | Float(_), Int(_) | Float(_)) => self.as_f64() == other.as_f64(),
            (Str(a), Str(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Obj(a), Obj(b)) => Rc::ptr_eq(a, b) || a == b,
            (Case(a), Case(b)) => Rc::ptr_eq(a, b) || **a == **b,
            (Ref(a), Ref(b)) => a == b,
            (Binary(a), Binary(b)) => a == b,
            (Func(a), Func(b)) => Rc::ptr_eq(a, b),
            (Stream(a), Stream(b)) => Rc::ptr_eq(a, b),
            (Host(a), Host(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The language's ordering: null < bool < number < string; arrays lexicographic; refs by id;
/// mixed kinds (and functions, streams, objects of different shapes) are unordered (`None`).
impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        fn rank(v: &Value) -> u8 {
            match v {
                Null => 0,
                Bool(_) => 1,
                Int(_) | Float(_) => 2,
                Str(_) => 3,
                _ => 4,
            }
        }
        match (self, other) {
            (Null, Null) => Some(Ordering::Equal),
            (Bool(a), Bool(b)) => a.partial_cmp(b),
            (Int(a), Int(b)) => a.partial_cmp(b),
            (Int(_) | Float(_), Int(_) | Float(_)) => self.as_f64()?.partial_cmp(&other.as_f64()?),
            (Str(a), Str(b)) => a.as_bytes().partial_cmp(b.as_bytes()),
            (Ref(a), Ref(b)) => a.partial_cmp(b),
            (Array(a), Array(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.partial_cmp(y)? {
                        Ordering::Equal => {}
                        decided => return Some(decided),
                    }
                }
                a.len().partial_cmp(&b.len())
            }
            (Obj(a), Obj(b)) => {
                for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                    match ka.cmp(kb) {
                        Ordering::Equal => {}
                        decided => return Some(decided),
                    }
                    match va.partial_cmp(vb)? {
                        Ordering::Equal => {}
                        decided => return Some(decided),
                    }
                }
                a.len().partial_cmp(&b.len())
            }
            (Case(a), Case(b)) => match a.name.cmp(&b.name) {
                Ordering::Equal => match (&a.arg, &b.arg) {
                    (Some(x), Some(y)) => x.partial_cmp(y),
                    (None, None) => Some(Ordering::Equal),
                    _ => None,
                },
                decided => Some(decided),
            },
            (Binary(a), Binary(b)) => a.partial_cmp(b),
            _ if rank(self) < 4 && rank(other) < 4 && rank(self) != rank(other) => {
                rank(self).partial_cmp(&rank(other))
            }
            _ => None,
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::print::literal(self))
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::print::literal(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn scalar_tags_and_payload_offsets_match_the_layout() {
        assert_eq!(Value::Undefined.tag(), TAG_UNDEFINED);
        assert_eq!(Value::Null.tag(), TAG_NULL);
        assert_eq!(Value::Bool(true).tag(), TAG_BOOL);
        assert_eq!(Value::Int(-5).tag(), TAG_INT);
        assert_eq!(Value::Float(0.5).tag(), TAG_FLOAT);
        for v in [
            Value::str("s"),
            Value::array(vec![]),
            Value::obj(Obj::new()),
        ] {
            assert!(v.tag() > TAG_FLOAT && !v.is_scalar());
        }
        let at = |v: &Value, offset: usize| unsafe {
            std::ptr::read((v as *const Value as *const u8).add(offset) as *const u64)
        };
        assert_eq!(at(&Value::Int(-5), 8), (-5i64) as u64);
        assert_eq!(at(&Value::Float(0.5), 8), 0.5f64.to_bits());
        let b = Value::Bool(true);
        assert_eq!(unsafe { *(&b as *const Value as *const u8).add(8) }, 1);
        assert_eq!(std::mem::size_of::<Option<Value>>(), 16);
    }

    #[test]
    fn equality_is_deep_and_numeric() {
        assert_eq!(Value::Int(1), Value::Float(1.0));
        assert_ne!(Value::Int(1), Value::str("1"));
        assert_eq!(
            Value::array(vec![Value::Int(1), Value::str("a")]),
            Value::array(vec![Value::Float(1.0), Value::str("a")])
        );
        assert_ne!(Value::Null, Value::Undefined);
    }

    #[test]
    fn ordering_ranks_kinds_and_refuses_mixed_containers() {
        assert!(Value::Null < Value::Bool(false));
        assert!(Value::Bool(true) < Value::Int(0));
        assert!(Value::Int(3) < Value::str("a"));
        assert!(Value::str("a") < Value::str("b"));
        assert_eq!(
            Value::array(vec![]).partial_cmp(&Value::obj(Obj::new())),
            None
        );
    }
}
