//! `bitset` (facts §5.7): sets of integers, negatives included, stored as the facts describe:
//! a search tree (`BTreeMap`) from block number to a 128-bit vector, block `n.div_euclid(128)`,
//! bit `n.rem_euclid(128)`; empty blocks are not kept, so equal sets have equal trees. The
//! value is opaque (`bitset.t`, a host object printed `<opaque>`); `==` on two bitsets compares
//! identity, `bitset.equal` compares elements. Elements must be integral numbers; conversions
//! go in ascending order.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::common::{arg, built, def, expected, int, stream_value};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{HostObject, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("bitset.empty", 0, empty),
        def("bitset.isEmpty", 1, is_empty),
        def("bitset.isNotEmpty", 1, is_not_empty),
        def("bitset.contains", 2, contains),
        def("bitset.add", 2, add),
        def("bitset.remove", 2, remove),
        def("bitset.singleton", 1, singleton),
        def("bitset.ofStream", 1, of_stream),
        def("bitset.ofArray", 1, of_array),
        def("bitset.toStream", 1, to_stream),
        def("bitset.toArray", 1, to_array),
        def("bitset.length", 1, length),
        def("bitset.equal", 2, equal),
        def("bitset.isSubset", 2, is_subset),
        def("bitset.union", 2, union),
        def("bitset.intersection", 2, intersection),
        def("bitset.difference", 2, difference),
    ]
}

const TAG: &str = "bitset";

#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub(crate) struct Bits(BTreeMap<i64, u128>);

fn place(n: i64) -> (i64, u32) {
    (n.div_euclid(128), n.rem_euclid(128) as u32)
}

impl Bits {
    fn contains(&self, n: i64) -> bool {
        let (b, i) = place(n);
        self.0.get(&b).is_some_and(|w| w >> i & 1 == 1)
    }
    fn insert(&mut self, n: i64) {
        let (b, i) = place(n);
        *self.0.entry(b).or_insert(0) |= 1u128 << i;
    }
    fn remove(&mut self, n: i64) {
        let (b, i) = place(n);
        if let Some(w) = self.0.get_mut(&b) {
            *w &= !(1u128 << i);
            if *w == 0 {
                self.0.remove(&b);
            }
        }
    }
    fn len(&self) -> u64 {
        self.0.values().map(|w| w.count_ones() as u64).sum()
    }
    fn elements(&self) -> Vec<Value> {
        let mut out = Vec::with_capacity(self.len() as usize);
        for (&b, &w) in &self.0 {
            let mut w = w;
            while w != 0 {
                let i = w.trailing_zeros() as i64;
                out.push(Value::Int(b * 128 + i));
                w &= w - 1;
            }
        }
        out
    }
    fn combine(&self, other: &Bits, op: impl Fn(u128, u128) -> u128) -> Bits {
        let mut out = BTreeMap::new();
        for b in self.0.keys().chain(other.0.keys()) {
            let w = op(*self.0.get(b).unwrap_or(&0), *other.0.get(b).unwrap_or(&0));
            if w != 0 {
                out.insert(*b, w);
            }
        }
        Bits(out)
    }
}

fn value(b: Bits) -> Value {
    Value::Host(Rc::new(HostObject::Other(TAG, Box::new(b))))
}

fn view<'a>(name: &str, v: &'a Value) -> RtResult<&'a Bits> {
    if let Value::Host(h) = v {
        if let HostObject::Other(TAG, b) = &**h {
            if let Some(b) = b.downcast_ref::<Bits>() {
                return Ok(b);
            }
        }
    }
    Err(expected(name, "a bitset", v))
}

macro_rules! bits {
    ($name:expr, $v:expr) => {
        match $v {
            Value::Undefined => return Ok(Value::Undefined),
            v => view($name, v)?,
        }
    };
}

fn empty(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(value(Bits::default()))
}

fn is_empty(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool(bits!("bitset.isEmpty", &args[0]).0.is_empty()))
}

fn is_not_empty(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool(
        !bits!("bitset.isNotEmpty", &args[0]).0.is_empty(),
    ))
}

fn contains(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = bits!("bitset.contains", &args[1]);
    match &args[0] {
        Value::Undefined => Ok(Value::Undefined),
        Value::Float(f) if f.fract() != 0.0 || f.is_nan() => Ok(Value::Bool(false)),
        n => Ok(Value::Bool(s.contains(int("bitset.contains", n)?))),
    }
}

fn element(name: &str, v: &Value) -> RtResult<i64> {
    if v.is_undefined() {
        return Err(RtError::runtime("cannot store undefined in a bitset"));
    }
    int(name, v)
}

fn add(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = bits!("bitset.add", &args[1]);
    let n = element("bitset.add", &args[0])?;
    if s.contains(n) {
        return Ok(args[1].clone());
    }
    host.charge(s.0.len() as u64)?;
    let mut out = s.clone();
    out.insert(n);
    Ok(value(out))
}

fn remove(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = bits!("bitset.remove", &args[1]);
    let n = arg!("bitset.remove", &args[0], Int);
    if !s.contains(n) {
        return Ok(args[1].clone());
    }
    host.charge(s.0.len() as u64)?;
    let mut out = s.clone();
    out.remove(n);
    Ok(value(out))
}

fn singleton(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let mut b = Bits::default();
    b.insert(element("bitset.singleton", &args[0])?);
    Ok(value(b))
}

fn of_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("bitset.ofStream", &args[0], Stream);
    let mut b = Bits::default();
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        b.insert(element("bitset.ofStream", &x)?);
    }
    built(host, value(b))
}

fn of_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("bitset.ofArray", &args[0], Array);
    host.charge(a.len() as u64)?;
    let mut b = Bits::default();
    for x in a.iter() {
        b.insert(element("bitset.ofArray", x)?);
    }
    built(host, value(b))
}

fn to_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = bits!("bitset.toArray", &args[0]);
    host.charge(s.len())?;
    built(host, Value::array(s.elements()))
}

fn to_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = bits!("bitset.toStream", &args[0]);
    host.charge(s.len())?;
    Ok(stream_value(Stream::of_vec(s.elements())))
}

fn length(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Int(bits!("bitset.length", &args[0]).len() as i64))
}

fn equal(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = bits!("bitset.equal", &args[0]);
    let b = bits!("bitset.equal", &args[1]);
    Ok(Value::Bool(a == b))
}

fn is_subset(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = bits!("bitset.isSubset", &args[0]);
    let b = bits!("bitset.isSubset", &args[1]);
    Ok(Value::Bool(
        a.0.iter()
            .all(|(k, w)| b.0.get(k).is_some_and(|v| w & !v == 0)),
    ))
}

fn binary(
    host: &mut dyn Host,
    name: &str,
    args: &[Value],
    op: fn(u128, u128) -> u128,
) -> RtResult<Value> {
    let a = bits!(name, &args[0]);
    let b = bits!(name, &args[1]);
    host.charge((a.0.len() + b.0.len()) as u64)?;
    built(host, value(a.combine(b, op)))
}

fn union(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    binary(host, "bitset.union", args, |x, y| x | y)
}

fn intersection(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    binary(host, "bitset.intersection", args, |x, y| x & y)
}

fn difference(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    binary(host, "bitset.difference", args, |x, y| x & !y)
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use crate::natives::common::testkit::{err, ints, ok, read};
    use crate::value::Value;

    fn set(v: &[i64]) -> Value {
        ok("bitset.ofArray", &[ints(v)])
    }
    fn elems(s: &Value) -> Value {
        ok("bitset.toArray", &[s.clone()])
    }

    #[test]
    fn membership() {
        let e = ok("bitset.empty", &[]);
        assert_eq!(ok("bitset.isEmpty", &[e.clone()]), Value::Bool(true));
        assert_eq!(ok("bitset.isNotEmpty", &[e.clone()]), Value::Bool(false));
        assert_eq!(ok("bitset.length", &[e.clone()]), Value::Int(0));
        let s = set(&[5, -1, 127, 128, -128, -129, 5, i64::MAX, i64::MIN]);
        assert_eq!(ok("bitset.length", &[s.clone()]), Value::Int(8));
        assert_eq!(
            elems(&s),
            ints(&[i64::MIN, -129, -128, -1, 5, 127, 128, i64::MAX])
        );
        for n in [5, -1, 127, 128, -128, -129, i64::MAX, i64::MIN] {
            assert_eq!(
                ok("bitset.contains", &[Value::Int(n), s.clone()]),
                Value::Bool(true),
                "{n}"
            );
        }
        for n in [0, 4, 6, 126, 129, -2, -127, -130] {
            assert_eq!(
                ok("bitset.contains", &[Value::Int(n), s.clone()]),
                Value::Bool(false),
                "{n}"
            );
        }
        assert_eq!(
            ok("bitset.contains", &[Value::Float(5.0), s.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("bitset.contains", &[Value::Float(5.5), s.clone()]),
            Value::Bool(false)
        );
        assert!(ok("bitset.contains", &[Value::Undefined, s.clone()]).is_undefined());
        let t = ok("bitset.add", &[Value::Int(6), s.clone()]);
        assert_eq!(ok("bitset.length", &[t.clone()]), Value::Int(9));
        assert_eq!(
            ok("bitset.length", &[s.clone()]),
            Value::Int(8),
            "add copies"
        );
        let u = ok("bitset.remove", &[Value::Int(-129), t]);
        assert_eq!(
            ok("bitset.contains", &[Value::Int(-129), u.clone()]),
            Value::Bool(false)
        );
        assert_eq!(ok("bitset.length", &[u]), Value::Int(8));
        assert_eq!(
            elems(&ok("bitset.singleton", &[Value::Int(-7)])),
            ints(&[-7])
        );
        assert!(err("bitset.singleton", &[Value::Float(0.5)]).contains("integer"));
        assert!(err("bitset.singleton", &[Value::Undefined]).contains("cannot store undefined"));
        assert!(err("bitset.length", &[ints(&[])]).contains("expected a bitset, got array"));
        assert!(ok("bitset.length", &[Value::Undefined]).is_undefined());
    }

    #[test]
    fn conversions() {
        let s = set(&[3, 1, 2]);
        assert_eq!(
            read(&ok("bitset.toStream", &[s.clone()])).unwrap(),
            ints(&[1, 2, 3])
        );
        let st = ok("stream.enumerate", &[Value::Int(300)]);
        let b = ok("bitset.ofStream", &[st]);
        assert_eq!(ok("bitset.length", &[b.clone()]), Value::Int(300));
        assert_eq!(elems(&b), ok("array.enumerate", &[Value::Int(300)]));
        assert_eq!(s.to_string(), "<opaque>");
    }

    #[test]
    fn algebra() {
        let a = set(&[1, 2, 200, -5]);
        let b = set(&[2, 3, -5, 1000]);
        assert_eq!(
            elems(&ok("bitset.union", &[a.clone(), b.clone()])),
            ints(&[-5, 1, 2, 3, 200, 1000])
        );
        assert_eq!(
            elems(&ok("bitset.intersection", &[a.clone(), b.clone()])),
            ints(&[-5, 2])
        );
        assert_eq!(
            elems(&ok("bitset.difference", &[a.clone(), b.clone()])),
            ints(&[1, 200])
        );
        assert_eq!(
            ok("bitset.equal", &[a.clone(), set(&[200, 2, 1, -5])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("bitset.equal", &[a.clone(), b.clone()]),
            Value::Bool(false)
        );
        // removing the last element of a block leaves an equal tree
        let c = ok("bitset.remove", &[Value::Int(1000), set(&[1000, 1])]);
        assert_eq!(ok("bitset.equal", &[c, set(&[1])]), Value::Bool(true));
        assert_eq!(
            ok("bitset.isSubset", &[set(&[2, -5]), a.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("bitset.isSubset", &[set(&[2, 3]), a.clone()]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("bitset.isSubset", &[set(&[]), set(&[])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("bitset.isSubset", &[set(&[1000]), a]),
            Value::Bool(false)
        );
    }
}
