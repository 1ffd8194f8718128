//! `map` (facts §5.12): maps with string keys, sharing the record representation (a sorted
//! `BTreeMap`, so keys come in lexicographic byte order everywhere: `keys`, `values`,
//! iteration, streams, folds). A main argument of `undefined` bubbles out; an entry cannot be
//! set to `undefined` (run-time error); a condition of `undefined` does not hold.

use std::rc::Rc;

use super::common::{
    arg, built, call1, def, entry, expected, holds, key_str, new_obj, ok, result_view,
    stream_value, Res,
};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{Key, Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("map.empty", 0, empty),
        def("map.singleton", 2, singleton),
        def("map.length", 1, length),
        def("map.keys", 1, keys),
        def("map.values", 1, values),
        def("map.bindings", 1, bindings),
        def("map.get", 2, get),
        def("map.safeGet", 2, safe_get),
        def("map.getWithDefault", 3, get_with_default),
        def("map.set", 3, set),
        def("map.remove", 2, remove),
        def("map.add", 2, add),
        def("map.map", 2, map),
        def("map.indexedMap", 2, indexed_map),
        def("map.indexOnlyMap", 2, index_only_map),
        def("map.fullMap", 2, full_map),
        def("map.filter", 2, filter),
        def("map.indexedFilter", 2, indexed_filter),
        def("map.reduce", 3, reduce),
        def("map.indexedReduce", 3, indexed_reduce),
        def("map.andThen", 2, and_then),
        def("map.indexRange", 1, index_range),
        def("map.valueRange", 1, value_range),
        def("map.iter", 2, iter),
        def("map.contains", 2, contains),
        def("map.find", 2, find),
        def("map.findIndex", 2, find_index),
        def("map.findMapped", 2, find_mapped),
        def("map.findIndexMapped", 2, find_index_mapped),
        def("map.descend", 2, descend),
        def("map.descendWithDefault", 3, descend_with_default),
        def("map.invert", 1, invert),
        def("map.toStream", 1, value_range),
        def("map.toStreamPairs", 1, to_stream_pairs),
        def("map.ofStreamPairs", 1, of_stream_pairs),
        def("map.ofStreamMulti", 1, of_stream_multi),
    ]
}

fn key_value(k: &Key) -> Value {
    Value::str(&**k)
}

/// A key argument; `Ok(None)` when it is undefined (the native gives undefined).
fn key_arg<'a>(name: &str, v: &'a Value) -> RtResult<Option<&'a str>> {
    match v {
        Value::Str(s) => Ok(Some(s.as_str())),
        Value::Undefined => Ok(None),
        other => Err(expected(name, "a string key", other)),
    }
}

fn empty(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(new_obj(Obj::new()))
}

fn singleton(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some(k) = key_arg("map.singleton", &args[0])? else {
        return Ok(Value::Undefined);
    };
    let mut m = Obj::new();
    m.insert(k.into(), entry(args[1].clone())?);
    Ok(new_obj(m))
}

fn length(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Int(arg!("map.length", &args[0], Obj).len() as i64))
}

fn keys(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.keys", &args[0], Obj);
    host.charge(m.len() as u64)?;
    built(host, Value::array(m.keys().map(key_value).collect()))
}

fn values(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.values", &args[0], Obj);
    host.charge(m.len() as u64)?;
    built(host, Value::array(m.values().cloned().collect()))
}

fn pairs(m: &Obj) -> Vec<Value> {
    m.iter()
        .map(|(k, v)| Value::array(vec![key_value(k), v.clone()]))
        .collect()
}

fn bindings(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.bindings", &args[0], Obj);
    host.charge(m.len() as u64)?;
    built(host, Value::array(pairs(m)))
}

fn get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.get", &args[1], Obj);
    let Some(k) = key_arg("map.get", &args[0])? else {
        return Ok(Value::Undefined);
    };
    Ok(m.get(k).cloned().unwrap_or(Value::Undefined))
}

fn safe_get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match (&args[0], &args[1]) {
        (Value::Str(k), Value::Obj(m)) => {
            Ok(m.get(k.as_str()).cloned().unwrap_or(Value::Undefined))
        }
        _ => Ok(Value::Undefined),
    }
}

fn get_with_default(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.getWithDefault", &args[2], Obj);
    let Some(k) = key_arg("map.getWithDefault", &args[0])? else {
        return Ok(Value::Undefined);
    };
    Ok(m.get(k).cloned().unwrap_or_else(|| args[1].clone()))
}

fn set(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.set", &args[2], Obj);
    let Some(k) = key_arg("map.set", &args[0])? else {
        return Ok(Value::Undefined);
    };
    let v = entry(args[1].clone())?;
    host.charge(m.copy_cost())?;
    let mut out = (**m).clone();
    out.insert(k.into(), v);
    built(host, new_obj(out))
}

fn remove(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.remove", &args[1], Obj);
    let Some(k) = key_arg("map.remove", &args[0])? else {
        return Ok(Value::Undefined);
    };
    if !m.contains_key(k) {
        return Ok(args[1].clone());
    }
    host.charge(m.copy_cost())?;
    let mut out = (**m).clone();
    out.remove(k);
    built(host, new_obj(out))
}

fn add(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("map.add", &args[0], Obj);
    let b = arg!("map.add", &args[1], Obj);
    if b.is_empty() {
        return Ok(args[0].clone());
    }
    if a.is_empty() {
        return Ok(args[1].clone());
    }
    host.charge(a.len().min(b.len()) as u64 + a.copy_cost().max(b.copy_cost()))?;
    let out = if a.len() > b.len() {
        let mut out = (**a).clone();
        for (k, v) in b.iter() {
            out.insert(k.clone(), v.clone());
        }
        out
    } else {
        let mut out = (**b).clone();
        for (k, v) in a.iter() {
            if !out.contains_key(&**k) {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    };
    built(host, new_obj(out))
}

fn map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.map", &args[1], Obj);
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for (k, v) in m.iter() {
        out.insert(k.clone(), entry(call1(host, &args[0], v)?)?);
    }
    built(host, new_obj(out))
}

fn indexed_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.indexedMap", &args[1], Obj);
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for (k, v) in m.iter() {
        out.insert(
            k.clone(),
            entry(host.call(&args[0], &[key_value(k), v.clone()])?)?,
        );
    }
    built(host, new_obj(out))
}

fn index_only_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.indexOnlyMap", &args[1], Obj);
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for k in m.keys() {
        out.insert(k.clone(), entry(host.call(&args[0], &[key_value(k)])?)?);
    }
    built(host, new_obj(out))
}

fn full_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.fullMap", &args[1], Obj);
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for (k, v) in m.iter() {
        let r = host.call(&args[0], &[key_value(k), v.clone()])?;
        let (nk, nv) = match &r {
            Value::Array(p) if p.len() == 2 => (&p[0], &p[1]),
            other => {
                return Err(expected(
                    "map.fullMap: the function's result",
                    "a [key, value] pair",
                    other,
                ))
            }
        };
        match nk {
            Value::Null => {}
            Value::Str(s) => {
                out.insert(Key::from(s.as_str()), entry(nv.clone())?);
            }
            other => {
                return Err(expected(
                    "map.fullMap: the new key",
                    "a string or null",
                    other,
                ))
            }
        }
    }
    built(host, new_obj(out))
}

fn filter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.filter", &args[1], Obj);
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for (k, v) in m.iter() {
        if holds(host, "map.filter", &args[0], v)? {
            out.insert(k.clone(), v.clone());
        }
    }
    built(host, new_obj(out))
}

fn indexed_filter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.indexedFilter", &args[1], Obj);
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for (k, v) in m.iter() {
        let c = host.call(&args[0], &[key_value(k), v.clone()])?;
        if crate::stream::condition(&c, "map.indexedFilter")? == Some(true) {
            out.insert(k.clone(), v.clone());
        }
    }
    built(host, new_obj(out))
}

fn reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.reduce", &args[2], Obj);
    host.charge(m.len() as u64)?;
    let mut acc = args[1].clone();
    for v in m.values() {
        acc = host.call_moving(&args[0], &mut [v.clone(), acc])?;
    }
    Ok(acc)
}

fn indexed_reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.indexedReduce", &args[2], Obj);
    host.charge(m.len() as u64)?;
    let mut acc = args[1].clone();
    for (k, v) in m.iter() {
        acc = host.call_moving(&args[0], &mut [key_value(k), v.clone(), acc])?;
    }
    Ok(acc)
}

fn and_then(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let m = match result_view("map.andThen", &args[1])? {
        Res::Err => return Ok(args[1].clone()),
        Res::Ok(Value::Obj(m)) => m,
        Res::Ok(other) => return Err(expected("map.andThen", "ok(map)", other)),
    };
    host.charge(m.len() as u64)?;
    let mut out = Obj::new();
    for (k, v) in m.iter() {
        let r = host.call(&args[0], &[key_value(k), v.clone()])?;
        match result_view("map.andThen: the function's result", &r)? {
            Res::Ok(x) => {
                out.insert(k.clone(), entry(x.clone())?);
            }
            Res::Err => return Ok(r),
        }
    }
    built(host, ok(new_obj(out)))
}

fn index_range(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.indexRange", &args[0], Obj);
    host.charge(m.len() as u64)?;
    Ok(stream_value(Stream::of_vec(
        m.keys().map(key_value).collect(),
    )))
}

fn value_range(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.valueRange", &args[0], Obj);
    host.charge(m.len() as u64)?;
    Ok(stream_value(Stream::of_vec(m.values().cloned().collect())))
}

fn to_stream_pairs(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.toStreamPairs", &args[0], Obj);
    host.charge(m.len() as u64)?;
    Ok(stream_value(Stream::of_vec(pairs(m))))
}

fn iter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.iter", &args[1], Obj);
    host.charge(m.len() as u64)?;
    for v in m.values() {
        call1(host, &args[0], v)?;
    }
    Ok(Value::Null)
}

fn contains(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.contains", &args[1], Obj);
    match key_arg("map.contains", &args[0])? {
        Some(k) => Ok(Value::Bool(m.contains_key(k))),
        None => Ok(Value::Undefined),
    }
}

fn find(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.find", &args[1], Obj);
    host.charge(m.len() as u64)?;
    for v in m.values() {
        if holds(host, "map.find", &args[0], v)? {
            return Ok(v.clone());
        }
    }
    Ok(Value::Undefined)
}

fn find_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.findIndex", &args[1], Obj);
    host.charge(m.len() as u64)?;
    for (k, v) in m.iter() {
        if holds(host, "map.findIndex", &args[0], v)? {
            return Ok(key_value(k));
        }
    }
    Ok(Value::Undefined)
}

fn find_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.findMapped", &args[1], Obj);
    host.charge(m.len() as u64)?;
    for v in m.values() {
        let r = call1(host, &args[0], v)?;
        if !r.is_undefined() {
            return Ok(r);
        }
    }
    Ok(Value::Undefined)
}

fn find_index_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.findIndexMapped", &args[1], Obj);
    host.charge(m.len() as u64)?;
    for (k, v) in m.iter() {
        let r = host.call(&args[0], &[key_value(k), v.clone()])?;
        if !r.is_undefined() {
            return Ok(r);
        }
    }
    Ok(Value::Undefined)
}

/// Follows `path` from `m`: `Ok(Err(key))` names the first key that is missing.
fn follow(name: &str, path: &[Value], m: &Value) -> RtResult<Result<Value, String>> {
    let mut cur = m.clone();
    for k in path {
        let Value::Str(k) = k else {
            return Err(expected(name, "a path of string keys", k));
        };
        let next = match &cur {
            Value::Obj(o) => o.get(k.as_str()).cloned(),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => return Ok(Err(k.to_string())),
        }
    }
    Ok(Ok(cur))
}

fn descend(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let path = arg!("map.descend", &args[0], Array);
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    host.charge(path.len() as u64)?;
    match follow("map.descend", path, &args[1])? {
        Ok(v) => Ok(v),
        Err(k) => Err(RtError::runtime(format!(
            "map.descend: no entry {}",
            crate::print::literal(&Value::str(k))
        ))),
    }
}

fn descend_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let path = arg!("map.descendWithDefault", &args[0], Array);
    if args[2].is_undefined() {
        return Ok(Value::Undefined);
    }
    host.charge(path.len() as u64)?;
    Ok(follow("map.descendWithDefault", path, &args[2])?.unwrap_or_else(|_| args[1].clone()))
}

fn invert(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let m = arg!("map.invert", &args[0], Obj);
    let mut groups: std::collections::BTreeMap<Key, Vec<Value>> = std::collections::BTreeMap::new();
    for (k, v) in m.iter() {
        let Value::Array(items) = v else {
            return Err(expected("map.invert: a value", "an array of strings", v));
        };
        host.charge(items.len() as u64 + 1)?;
        for s in items.iter() {
            let Value::Str(s) = s else {
                return Err(expected("map.invert: an element", "a string", s));
            };
            groups
                .entry(Key::from(s.as_str()))
                .or_default()
                .push(key_value(k));
        }
    }
    let out: Obj = groups
        .into_iter()
        .map(|(k, v)| (k, Value::array(v)))
        .collect();
    built(host, new_obj(out))
}

/// The `[key, value]` pairs of a stream, checked.
fn read_pairs(
    host: &mut dyn Host,
    name: &str,
    s: &Rc<Stream>,
    mut each: impl FnMut(Key, Value) -> RtResult<()>,
) -> RtResult<()> {
    let mut c = s.cursor();
    while let Some(p) = c.next(host)? {
        host.charge(1)?;
        let (k, v) = match &p {
            Value::Array(kv) if kv.len() == 2 => (&kv[0], &kv[1]),
            other => return Err(expected(name, "[key, value] pairs", other)),
        };
        let Some(k) = key_str(k.clone(), name)? else {
            return Err(RtError::runtime(format!("{name}: the key is undefined")));
        };
        each(Key::from(k.as_str()), entry(v.clone())?)?;
    }
    Ok(())
}

fn of_stream_pairs(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("map.ofStreamPairs", &args[0], Stream);
    let mut out = Obj::new();
    read_pairs(host, "map.ofStreamPairs", &s, |k, v| {
        out.insert(k, v);
        Ok(())
    })?;
    built(host, new_obj(out))
}

fn of_stream_multi(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("map.ofStreamMulti", &args[0], Stream);
    let mut groups: std::collections::BTreeMap<Key, Vec<Value>> = std::collections::BTreeMap::new();
    read_pairs(host, "map.ofStreamMulti", &s, |k, v| {
        groups.entry(k).or_default().push(v);
        Ok(())
    })?;
    let out: Obj = groups
        .into_iter()
        .map(|(k, v)| (k, Value::array(v)))
        .collect();
    built(host, new_obj(out))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use crate::natives::common::testkit::{err, f1, f2, func, ints, map_of as m, ok, read, strs};
    use crate::natives::test_host::native;
    use crate::value::Value;

    fn i(n: i64) -> Value {
        Value::Int(n)
    }
    fn s(x: &str) -> Value {
        Value::str(x)
    }
    fn okv(v: Value) -> Value {
        Value::case("ok", Some(v))
    }

    #[test]
    fn basics() {
        let x = m(&[("b", i(2)), ("a", i(1)), ("ü", i(3))]);
        assert_eq!(ok("map.empty", &[]), m(&[]));
        assert_eq!(ok("map.singleton", &[s("k"), i(1)]), m(&[("k", i(1))]));
        assert!(err("map.singleton", &[s("k"), Value::Undefined])
            .contains("cannot store undefined in a map"));
        assert_eq!(ok("map.length", &[x.clone()]), i(3));
        assert!(ok("map.length", &[Value::Undefined]).is_undefined());
        assert!(err("map.length", &[ints(&[])]).contains("expected a map, got array"));
        assert_eq!(ok("map.keys", &[x.clone()]), strs(&["a", "b", "ü"]));
        assert!(ok("map.keys", &[Value::Undefined]).is_undefined());
        assert_eq!(ok("map.values", &[x.clone()]), ints(&[1, 2, 3]));
        assert_eq!(
            ok("map.bindings", &[m(&[("a", i(1))])]),
            Value::array(vec![Value::array(vec![s("a"), i(1)])])
        );
        assert_eq!(ok("map.get", &[s("ü"), x.clone()]), i(3));
        assert!(ok("map.get", &[s("z"), x.clone()]).is_undefined());
        assert!(ok("map.safeGet", &[s("a"), ints(&[1])]).is_undefined());
        assert_eq!(ok("map.safeGet", &[s("a"), x.clone()]), i(1));
        assert_eq!(ok("map.getWithDefault", &[s("z"), i(0), x.clone()]), i(0));
        assert_eq!(ok("map.getWithDefault", &[s("a"), i(0), x.clone()]), i(1));
        assert_eq!(
            ok("map.set", &[s("a"), i(9), m(&[("a", i(1))])]),
            m(&[("a", i(9))])
        );
        assert_eq!(
            ok("map.set", &[s(""), Value::Null, m(&[])]),
            m(&[("", Value::Null)])
        );
        assert!(err("map.set", &[s("a"), Value::Undefined, m(&[])]).contains("undefined"));
        assert_eq!(
            ok("map.remove", &[s("a"), m(&[("a", i(1)), ("b", i(2))])]),
            m(&[("b", i(2))])
        );
        assert_eq!(
            ok("map.remove", &[s("z"), m(&[("a", i(1))])]),
            m(&[("a", i(1))])
        );
        let a = m(&[("a", i(1)), ("b", i(2))]);
        let b = m(&[("b", i(3)), ("c", i(4))]);
        assert_eq!(
            ok("map.add", &[a.clone(), b.clone()]),
            m(&[("a", i(1)), ("b", i(3)), ("c", i(4))])
        );
        let big = m(&[("a", i(1)), ("b", i(2)), ("d", i(5))]);
        assert_eq!(
            ok("map.add", &[big, b]),
            m(&[("a", i(1)), ("b", i(3)), ("c", i(4)), ("d", i(5))])
        );
        assert_eq!(ok("map.add", &[m(&[]), a.clone()]), a);
        assert_eq!(ok("map.contains", &[s("a"), a.clone()]), Value::Bool(true));
        assert_eq!(ok("map.contains", &[s("z"), a.clone()]), Value::Bool(false));
        assert!(ok("map.contains", &[Value::Undefined, a]).is_undefined());
    }

    #[test]
    fn mapping_and_filtering() {
        let x = m(&[("a", i(1)), ("b", i(2))]);
        let double = f1(|v| Value::Int(v.as_i64().unwrap() * 2));
        assert_eq!(
            ok("map.map", &[double, x.clone()]),
            m(&[("a", i(2)), ("b", i(4))])
        );
        assert!(err("map.map", &[f1(|_| Value::Undefined), x.clone()])
            .contains("cannot store undefined in a map"));
        let kv = f2(|k, v| Value::str(format!("{}{}", k.as_str().unwrap(), v)));
        assert_eq!(
            ok("map.indexedMap", &[kv, x.clone()]),
            m(&[("a", s("a1")), ("b", s("b2"))])
        );
        assert_eq!(
            ok("map.indexOnlyMap", &[f1(|k| k.clone()), x.clone()]),
            m(&[("a", s("a")), ("b", s("b"))])
        );
        // fullMap: swap key and value, drop "b"
        let swap = f2(|k, v| {
            if k.as_str() == Some("b") {
                Value::array(vec![Value::Null, v.clone()])
            } else {
                Value::array(vec![Value::str(format!("k{v}")), k.clone()])
            }
        });
        assert_eq!(ok("map.fullMap", &[swap, x.clone()]), m(&[("k1", s("a"))]));
        assert!(err("map.fullMap", &[f2(|_, _| Value::Int(1)), x.clone()])
            .contains("[key, value] pair"));
        assert!(err(
            "map.fullMap",
            &[
                f2(|_, v| Value::array(vec![v.clone(), v.clone()])),
                x.clone()
            ]
        )
        .contains("a string or null"));
        let even = f1(|v| match v.as_i64() {
            Some(2) => Value::Bool(true),
            Some(1) => Value::Undefined,
            _ => Value::Bool(false),
        });
        assert_eq!(
            ok(
                "map.filter",
                &[even.clone(), m(&[("a", i(1)), ("b", i(2)), ("c", i(3))])]
            ),
            m(&[("b", i(2))])
        );
        let key_a = f2(|k, _| Value::Bool(k.as_str() == Some("a")));
        assert_eq!(
            ok("map.indexedFilter", &[key_a, x.clone()]),
            m(&[("a", i(1))])
        );
        assert_eq!(ok("map.filter", &[even, m(&[])]), m(&[]));
    }

    #[test]
    fn reducing_and_chaining() {
        let x = m(&[("b", i(2)), ("a", i(1))]);
        let collect = f2(|v, acc| {
            let Value::Array(a) = acc else { panic!() };
            let mut a = a.to_vec();
            a.push(v.clone());
            Value::array(a)
        });
        assert_eq!(
            ok("map.reduce", &[collect, ints(&[]), x.clone()]),
            ints(&[1, 2])
        );
        let keys = func(|a| {
            Ok(Value::str(format!(
                "{}{}",
                a[2].as_str().unwrap(),
                a[0].as_str().unwrap()
            )))
        });
        assert_eq!(ok("map.indexedReduce", &[keys, s(""), x.clone()]), s("ab"));
        let check = f2(|k, v| {
            if k.as_str() == Some("bad") {
                Value::case("error", Some(v.clone()))
            } else {
                Value::case("ok", Some(Value::Int(v.as_i64().unwrap() + 1)))
            }
        });
        assert_eq!(
            ok("map.andThen", &[check.clone(), okv(x.clone())]),
            okv(m(&[("a", i(2)), ("b", i(3))]))
        );
        assert_eq!(
            ok(
                "map.andThen",
                &[check.clone(), okv(m(&[("bad", i(7)), ("z", i(1))]))]
            ),
            Value::case("error", Some(i(7)))
        );
        let e = Value::case("error", Some(s("no")));
        assert_eq!(ok("map.andThen", &[check, e.clone()]), e);
    }

    #[test]
    fn streams() {
        let x = m(&[("b", i(2)), ("a", i(1))]);
        assert_eq!(
            read(&ok("map.indexRange", &[x.clone()])).unwrap(),
            strs(&["a", "b"])
        );
        assert_eq!(
            read(&ok("map.valueRange", &[x.clone()])).unwrap(),
            ints(&[1, 2])
        );
        assert_eq!(
            read(&ok("map.toStream", &[x.clone()])).unwrap(),
            ints(&[1, 2])
        );
        let pairs = read(&ok("map.toStreamPairs", &[x.clone()])).unwrap();
        assert_eq!(
            pairs,
            Value::array(vec![
                Value::array(vec![s("a"), i(1)]),
                Value::array(vec![s("b"), i(2)])
            ])
        );
        let st = ok("array.toStream", &[pairs]);
        assert_eq!(ok("map.ofStreamPairs", &[st.clone()]), x);
        let dup = Value::array(vec![
            Value::array(vec![s("k"), i(1)]),
            Value::array(vec![s("j"), i(2)]),
            Value::array(vec![s("k"), i(3)]),
        ]);
        let dup_st = ok("array.toStream", &[dup]);
        assert_eq!(
            ok("map.ofStreamPairs", &[dup_st.clone()]),
            m(&[("j", i(2)), ("k", i(3))])
        );
        assert_eq!(
            ok("map.ofStreamMulti", &[dup_st]),
            m(&[("j", ints(&[2])), ("k", ints(&[1, 3]))])
        );
        let bad = ok("array.toStream", &[Value::array(vec![ints(&[1, 2])])]);
        assert!(err("map.ofStreamPairs", &[bad]).contains("the key is number"));
        let bad = ok("array.toStream", &[ints(&[1])]);
        assert!(err("map.ofStreamMulti", &[bad]).contains("[key, value] pairs"));
        assert_eq!(ok("map.ofStreamPairs", &[ok("stream.empty", &[])]), m(&[]));
    }

    #[test]
    fn iteration_and_search() {
        let x = m(&[("a", i(1)), ("b", i(2)), ("c", i(3))]);
        let big = f1(|v| Value::Bool(v.as_i64().unwrap() >= 2));
        assert_eq!(ok("map.find", &[big.clone(), x.clone()]), i(2));
        assert_eq!(ok("map.findIndex", &[big.clone(), x.clone()]), s("b"));
        assert!(ok("map.find", &[big.clone(), m(&[("a", i(1))])]).is_undefined());
        assert!(ok("map.findIndex", &[big, m(&[])]).is_undefined());
        let odd = f1(|v| {
            if v.as_i64().unwrap() % 2 == 0 {
                Value::Undefined
            } else {
                Value::Int(v.as_i64().unwrap() * 10)
            }
        });
        assert_eq!(
            ok("map.findMapped", &[odd, m(&[("a", i(2)), ("b", i(3))])]),
            i(30)
        );
        let named = f2(|k, v| {
            if k.as_str() == Some("c") {
                v.clone()
            } else {
                Value::Undefined
            }
        });
        assert_eq!(ok("map.findIndexMapped", &[named.clone(), x.clone()]), i(3));
        assert!(ok("map.findIndexMapped", &[named, m(&[])]).is_undefined());
        let mut host = crate::natives::common::testkit::FnHost::default();
        assert_eq!(
            host.run(
                "map.iter",
                &[native("logging.info"), m(&[("a", s("x")), ("b", s("y"))])]
            ),
            Ok(Value::Null)
        );
        assert_eq!(host.inner.logged, vec!["info: x", "info: y"]);
    }

    #[test]
    fn deep_access_and_invert() {
        let deep = m(&[("a", m(&[("b", m(&[("c", i(1))]))]))]);
        assert_eq!(
            ok("map.descend", &[strs(&["a", "b", "c"]), deep.clone()]),
            i(1)
        );
        assert_eq!(ok("map.descend", &[strs(&[]), deep.clone()]), deep);
        assert_eq!(
            err("map.descend", &[strs(&["a", "x"]), deep.clone()]),
            "map.descend: no entry \"x\""
        );
        assert!(
            err("map.descend", &[strs(&["a", "b", "c", "d"]), deep.clone()])
                .contains("no entry \"d\"")
        );
        assert_eq!(
            ok(
                "map.descendWithDefault",
                &[strs(&["a", "x"]), i(0), deep.clone()]
            ),
            i(0)
        );
        assert_eq!(
            ok(
                "map.descendWithDefault",
                &[strs(&["a", "b", "c"]), i(0), deep]
            ),
            i(1)
        );
        let x = m(&[
            ("k1", strs(&["x", "y"])),
            ("k2", strs(&["y"])),
            ("k3", strs(&[])),
        ]);
        assert_eq!(
            ok("map.invert", &[x]),
            m(&[("x", strs(&["k1"])), ("y", strs(&["k1", "k2"]))])
        );
        assert!(err("map.invert", &[m(&[("k", i(1))])]).contains("an array of strings"));
    }
}
