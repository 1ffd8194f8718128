//! `uniqArray` (facts §5.15, experimental): arrays whose elements have unique string keys. A kind
//! gives an element's key and which of two duplicates survives (`prefLeft`: the earlier one,
//! `prefRight`: the later one, at its own position).
//!
//! Representation: a kind is the record `{getKey: f, pref: prefLeft | prefRight}`, an array the
//! record `{items: [...], keys: [...]}` with the keys beside the elements, so the functions
//! without a kind argument (`keys`, `getByKey`, `toMap`, `isSubset`, …) can answer. Both types
//! are opaque to Mix code, which reaches them only through these functions.

use std::collections::HashSet;
use std::rc::Rc;

use super::common::{arg, built, call1, def, element, expected, holds, int, new_obj, stream_value};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{Key, Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("uniqArray.kind", 2, kind),
        def("uniqArray.empty", 0, empty),
        def("uniqArray.singleton", 2, singleton),
        def("uniqArray.fromArray", 2, from_array),
        def("uniqArray.fromStream", 2, from_stream),
        def("uniqArray.appendArray", 3, append_array),
        def("uniqArray.prependArray", 3, prepend_array),
        def("uniqArray.removeAt", 3, remove_at),
        def("uniqArray.removeKey", 3, remove_key),
        def("uniqArray.remove", 3, remove),
        def("uniqArray.toArray", 1, to_array),
        def("uniqArray.toStream", 1, to_stream),
        def("uniqArray.toStreamPairs", 1, to_stream_pairs),
        def("uniqArray.toMap", 1, to_map),
        def("uniqArray.toSet", 1, to_set),
        def("uniqArray.length", 1, length),
        def("uniqArray.isEmpty", 1, is_empty),
        def("uniqArray.domain", 1, domain),
        def("uniqArray.get", 2, get),
        def("uniqArray.keys", 1, keys),
        def("uniqArray.getByKey", 2, get_by_key),
        def("uniqArray.contains", 3, contains),
        def("uniqArray.union", 3, union),
        def("uniqArray.intersection", 3, intersection),
        def("uniqArray.difference", 3, difference),
        def("uniqArray.isSubset", 2, is_subset),
        def("uniqArray.reduce", 3, reduce),
        def("uniqArray.iter", 2, iter),
        def("uniqArray.filter", 3, filter),
    ]
}

const ITEMS: &str = "items";
const KEYS: &str = "keys";

/// A kind argument.
struct Kind<'a> {
    get_key: &'a Value,
    prefer_right: bool,
}

fn kind_arg<'a>(name: &str, v: &'a Value) -> RtResult<Kind<'a>> {
    let fields = match v {
        Value::Obj(m) => m.get("getKey").zip(m.get("pref")),
        _ => None,
    };
    let Some((get_key, pref)) = fields else {
        return Err(expected(name, "a uniqArray kind", v));
    };
    Ok(Kind {
        get_key,
        prefer_right: matches!(pref, Value::Case(c) if &*c.name == "prefRight"),
    })
}

/// The elements of a uniqArray and their keys (strings), side by side.
struct Uniq<'a> {
    /// The stored array of the elements (shared by `toArray`).
    items_value: &'a Value,
    items: &'a [Value],
    keys: &'a [Value],
}

impl Uniq<'_> {
    fn position(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k.as_str() == Some(key))
    }

    fn key_set(&self) -> HashSet<&str> {
        self.keys.iter().filter_map(Value::as_str).collect()
    }
}

/// A uniqArray argument; `None` when it is undefined (the native gives undefined).
fn uniq_arg<'a>(name: &str, v: &'a Value) -> RtResult<Option<Uniq<'a>>> {
    let parts = match v {
        Value::Undefined => return Ok(None),
        Value::Obj(m) => match (m.get(ITEMS), m.get(KEYS)) {
            (Some(stored @ Value::Array(items)), Some(Value::Array(keys)))
                if items.len() == keys.len() =>
            {
                Some((stored, items, keys))
            }
            _ => None,
        },
        _ => None,
    };
    match parts {
        Some((items_value, items, keys)) => Ok(Some(Uniq {
            items_value,
            items,
            keys,
        })),
        None => Err(expected(name, "a uniqArray", v)),
    }
}

macro_rules! uniq {
    ($name:expr, $v:expr) => {
        match uniq_arg($name, $v)? {
            Some(u) => u,
            None => return Ok(Value::Undefined),
        }
    };
}

fn make(items: Vec<Value>, keys: Vec<Value>) -> Value {
    let mut m = Obj::new();
    m.insert(Key::from(ITEMS), Value::array(items));
    m.insert(Key::from(KEYS), Value::array(keys));
    new_obj(m)
}

/// The key the kind gives an element: a string.
fn key_of(host: &mut dyn Host, name: &str, kind: &Kind, x: &Value) -> RtResult<Value> {
    match call1(host, kind.get_key, x)? {
        k @ Value::Str(_) => Ok(k),
        other => Err(RtError::runtime(format!(
            "{name}: the key function gave {}, expected a string",
            other.kind()
        ))),
    }
}

/// `items` (with their keys) with duplicates removed as the kind prefers: the earliest or the
/// latest of each key survives, in its own position.
fn deduplicated(pairs: Vec<(Value, Value)>, prefer_right: bool) -> Value {
    let mut seen: HashSet<Rc<String>> = HashSet::with_capacity(pairs.len());
    let mut kept: Vec<(Value, Value)> = Vec::with_capacity(pairs.len());
    let mut keep = |(key, item): (Value, Value)| {
        if let Value::Str(k) = &key {
            if seen.insert(k.clone()) {
                kept.push((key, item));
            }
        }
    };
    if prefer_right {
        pairs.into_iter().rev().for_each(&mut keep);
        kept.reverse();
    } else {
        pairs.into_iter().for_each(&mut keep);
    }
    let (keys, items) = kept.into_iter().unzip();
    make(items, keys)
}

/// The elements of `xs` paired with their keys.
fn keyed(
    host: &mut dyn Host,
    name: &str,
    kind: &Kind,
    xs: impl IntoIterator<Item = Value>,
) -> RtResult<Vec<(Value, Value)>> {
    let mut out = Vec::new();
    for x in xs {
        host.charge(1)?;
        let x = element(x)?;
        out.push((key_of(host, name, kind, &x)?, x));
    }
    Ok(out)
}

/// The pairs of a uniqArray (no call of the key function: the keys are stored).
fn pairs(u: &Uniq) -> Vec<(Value, Value)> {
    u.keys
        .iter()
        .cloned()
        .zip(u.items.iter().cloned())
        .collect()
}

fn kind(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let pref = match &args[1] {
        Value::Case(c) if matches!(&*c.name, "prefLeft" | "prefRight") => args[1].clone(),
        Value::Undefined => return Ok(Value::Undefined),
        other => return Err(expected("uniqArray.kind", "prefLeft or prefRight", other)),
    };
    let mut m = Obj::new();
    m.insert(Key::from("getKey"), args[0].clone());
    m.insert(Key::from("pref"), pref);
    Ok(new_obj(m))
}

fn empty(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(make(Vec::new(), Vec::new()))
}

fn singleton(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let kind = kind_arg("uniqArray.singleton", &args[0])?;
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let key = key_of(host, "uniqArray.singleton", &kind, &args[1])?;
    Ok(make(vec![args[1].clone()], vec![key]))
}

fn from_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let kind = kind_arg("uniqArray.fromArray", &args[0])?;
    let a = arg!("uniqArray.fromArray", &args[1], Array);
    let pairs = keyed(host, "uniqArray.fromArray", &kind, a.iter().cloned())?;
    built(host, deduplicated(pairs, kind.prefer_right))
}

fn from_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let kind = kind_arg("uniqArray.fromStream", &args[0])?;
    let s = arg!("uniqArray.fromStream", &args[1], Stream);
    let items = s.collect(host)?;
    let pairs = keyed(host, "uniqArray.fromStream", &kind, items)?;
    built(host, deduplicated(pairs, kind.prefer_right))
}

fn append_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.appendArray";
    let kind = kind_arg(NAME, &args[0])?;
    let u = uniq!(NAME, &args[1]);
    let a = arg!(NAME, &args[2], Array);
    let mut all = pairs(&u);
    all.extend(keyed(host, NAME, &kind, a.iter().cloned())?);
    built(host, deduplicated(all, kind.prefer_right))
}

fn prepend_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.prependArray";
    let kind = kind_arg(NAME, &args[0])?;
    let a = arg!(NAME, &args[1], Array);
    let u = uniq!(NAME, &args[2]);
    let mut all = keyed(host, NAME, &kind, a.iter().cloned())?;
    all.extend(pairs(&u));
    built(host, deduplicated(all, kind.prefer_right))
}

/// The uniqArray without the element at `skip`.
fn without(u: &Uniq, skip: usize) -> Value {
    let keep = |i: &usize| *i != skip;
    make(
        (0..u.items.len())
            .filter(keep)
            .map(|i| u.items[i].clone())
            .collect(),
        (0..u.keys.len())
            .filter(keep)
            .map(|i| u.keys[i].clone())
            .collect(),
    )
}

fn remove_at(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.removeAt";
    kind_arg(NAME, &args[0])?;
    let u = uniq!(NAME, &args[2]);
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let i = int(NAME, &args[1])?;
    match usize::try_from(i).ok().filter(|&i| i < u.items.len()) {
        Some(i) => built(host, without(&u, i)),
        None => Err(RtError::runtime(format!(
            "{NAME}: index {i} out of range (length {})",
            u.items.len()
        ))),
    }
}

/// The uniqArray without the element at `at`, or unchanged (`original`).
fn without_at(
    host: &mut dyn Host,
    u: &Uniq,
    original: &Value,
    at: Option<usize>,
) -> RtResult<Value> {
    match at {
        Some(i) => built(host, without(u, i)),
        None => Ok(original.clone()),
    }
}

/// Where in `u` the element with `x`'s key is (the kind gives the key).
fn position_of(
    host: &mut dyn Host,
    name: &str,
    kind: &Kind,
    u: &Uniq,
    x: &Value,
) -> RtResult<Option<usize>> {
    let key = key_of(host, name, kind, x)?;
    Ok(key.as_str().and_then(|k| u.position(k)))
}

fn remove_key(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.removeKey";
    kind_arg(NAME, &args[0])?;
    let u = uniq!(NAME, &args[2]);
    let key = arg!(NAME, &args[1], Str);
    without_at(host, &u, &args[2], u.position(key))
}

fn remove(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.remove";
    let kind = kind_arg(NAME, &args[0])?;
    let u = uniq!(NAME, &args[2]);
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let at = position_of(host, NAME, &kind, &u, &args[1])?;
    without_at(host, &u, &args[2], at)
}

fn to_array(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.toArray", &args[0]);
    Ok(u.items_value.clone())
}

fn to_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.toStream", &args[0]);
    host.charge(u.items.len() as u64)?;
    Ok(stream_value(Stream::of_vec(u.items.to_vec())))
}

fn to_stream_pairs(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.toStreamPairs", &args[0]);
    host.charge(u.items.len() as u64)?;
    let pairs = u.items.iter().enumerate();
    Ok(stream_value(Stream::of_vec(
        pairs
            .map(|(i, x)| Value::array(vec![Value::Int(i as i64), x.clone()]))
            .collect(),
    )))
}

/// A map from each key to `value(element)`.
fn keyed_map(host: &mut dyn Host, u: &Uniq, value: impl Fn(&Value) -> Value) -> RtResult<Value> {
    host.charge(u.items.len() as u64)?;
    let mut m = Obj::new();
    for (k, x) in u.keys.iter().zip(u.items) {
        if let Some(k) = k.as_str() {
            m.insert(Key::from(k), value(x));
        }
    }
    built(host, new_obj(m))
}

fn to_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.toMap", &args[0]);
    keyed_map(host, &u, Value::clone)
}

fn to_set(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.toSet", &args[0]);
    // a set is a map of its members to `true` (natives/set.rs)
    keyed_map(host, &u, |_| Value::Bool(true))
}

fn length(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.length", &args[0]);
    Ok(Value::Int(u.items.len() as i64))
}

fn is_empty(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.isEmpty", &args[0]);
    Ok(Value::Bool(u.items.is_empty()))
}

fn domain(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.domain", &args[0]);
    host.charge(u.items.len() as u64)?;
    Ok(Value::array(
        (0..u.items.len() as i64).map(Value::Int).collect(),
    ))
}

fn get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.get";
    let u = uniq!(NAME, &args[1]);
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let i = int(NAME, &args[0])?;
    match usize::try_from(i).ok().and_then(|i| u.items.get(i)) {
        Some(x) => Ok(x.clone()),
        None => Err(RtError::runtime(format!(
            "{NAME}: index {i} out of range (length {})",
            u.items.len()
        ))),
    }
}

fn keys(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.keys", &args[0]);
    Ok(Value::array(u.keys.to_vec()))
}

fn get_by_key(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.getByKey";
    let u = uniq!(NAME, &args[1]);
    let key = arg!(NAME, &args[0], Str);
    match u.position(key) {
        Some(i) => Ok(u.items[i].clone()),
        None => Err(RtError::runtime(format!(
            "{NAME}: no element with key {}",
            crate::print::literal(&Value::str(key))
        ))),
    }
}

fn contains(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.contains";
    let kind = kind_arg(NAME, &args[0])?;
    let u = uniq!(NAME, &args[2]);
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    Ok(Value::Bool(
        position_of(host, NAME, &kind, &u, &args[1])?.is_some(),
    ))
}

fn union(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.union";
    let kind = kind_arg(NAME, &args[0])?;
    let a = uniq!(NAME, &args[1]);
    let b = uniq!(NAME, &args[2]);
    host.charge((a.items.len() + b.items.len()) as u64)?;
    let mut all = pairs(&a);
    all.extend(pairs(&b));
    built(host, deduplicated(all, kind.prefer_right))
}

/// The elements of `a` whose keys are (`inside`) or are not in `b`, in `a`'s order.
fn selected(host: &mut dyn Host, args: &[Value], name: &str, inside: bool) -> RtResult<Value> {
    kind_arg(name, &args[0])?;
    let a = uniq!(name, &args[1]);
    let b = uniq!(name, &args[2]);
    host.charge((a.items.len() + b.items.len()) as u64)?;
    let in_b = b.key_set();
    let (keys, items) = pairs(&a)
        .into_iter()
        .filter(|(k, _)| k.as_str().is_some_and(|k| in_b.contains(k)) == inside)
        .unzip();
    built(host, make(items, keys))
}

fn intersection(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    selected(host, args, "uniqArray.intersection", true)
}

fn difference(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    selected(host, args, "uniqArray.difference", false)
}

fn is_subset(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = uniq!("uniqArray.isSubset", &args[0]);
    let b = uniq!("uniqArray.isSubset", &args[1]);
    host.charge((a.items.len() + b.items.len()) as u64)?;
    let in_b = b.key_set();
    Ok(Value::Bool(
        a.keys
            .iter()
            .all(|k| k.as_str().is_some_and(|k| in_b.contains(k))),
    ))
}

fn reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.reduce", &args[2]);
    host.charge(u.items.len() as u64)?;
    let mut acc = args[1].clone();
    for x in u.items {
        acc = host.call_moving(&args[0], &mut [x.clone(), acc])?;
    }
    Ok(acc)
}

fn iter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let u = uniq!("uniqArray.iter", &args[1]);
    host.charge(u.items.len() as u64)?;
    for x in u.items {
        call1(host, &args[0], x)?;
    }
    Ok(Value::Null)
}

fn filter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "uniqArray.filter";
    kind_arg(NAME, &args[0])?;
    let u = uniq!(NAME, &args[2]);
    host.charge(u.items.len() as u64)?;
    let mut kept = Vec::new();
    for (k, x) in pairs(&u) {
        if holds(host, NAME, &args[1], &x)? {
            kept.push((k, x));
        }
    }
    let (keys, items) = kept.into_iter().unzip();
    built(host, make(items, keys))
}

#[cfg(test)]
mod tests {
    use crate::natives::common::testkit::{err, f1, ints, ok, strs};
    use crate::value::Value;

    fn kind(key: Value, pref: &str) -> Value {
        ok("uniqArray.kind", &[key, Value::case(pref, None)])
    }

    #[test]
    fn keys_must_be_strings_at_run_time_too() {
        // `data` values reach the key function unchecked by the type checker
        let by_value = kind(f1(|v| v.clone()), "prefLeft");
        let message = err("uniqArray.fromArray", &[by_value, ints(&[1])]);
        assert!(
            message.contains("the key function gave number, expected a string"),
            "{message}"
        );
    }

    #[test]
    fn kinds_and_arrays_are_checked() {
        assert!(err(
            "uniqArray.kind",
            &[f1(|v| v.clone()), Value::case("other", None)]
        )
        .contains("expected prefLeft or prefRight"));
        let words = kind(f1(|v| v.clone()), "prefRight");
        assert!(err("uniqArray.fromArray", &[Value::Null, strs(&["a"])])
            .contains("expected a uniqArray kind"));
        assert!(err("uniqArray.length", &[strs(&["a"])]).contains("expected a uniqArray"));
        let u = ok("uniqArray.fromArray", &[words, strs(&["a", "b", "a"])]);
        assert_eq!(
            ok("uniqArray.toArray", std::slice::from_ref(&u)),
            strs(&["b", "a"])
        );
        assert_eq!(ok("uniqArray.keys", &[u]), strs(&["b", "a"]));
    }
}
