//! `set` (facts §5.11): sets of strings. As the facts say, a set is internally a map: each
//! element is a key whose value is `true` (so `s.(x)` is `true` for a member and `undefined`
//! otherwise, and a set prints as `{a: true, b: true}`). Conversions and iteration go in key
//! order (lexicographic by bytes), which the facts leave unspecified. A main argument of
//! `undefined` bubbles out; an element that is not a string is a run-time error.

use super::common::{arg, built, call1, def, expected, holds, new_obj, stream_value};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{Key, Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("set.empty", 0, empty),
        def("set.singleton", 1, singleton),
        def("set.add", 2, add),
        def("set.remove", 2, remove),
        def("set.ofStream", 1, of_stream),
        def("set.ofArray", 1, of_array),
        def("set.isEmpty", 1, is_empty),
        def("set.isNotEmpty", 1, is_not_empty),
        def("set.length", 1, length),
        def("set.toStream", 1, to_stream),
        def("set.toArray", 1, to_array),
        def("set.toString", 1, to_string),
        def("set.reduce", 3, reduce),
        def("set.map", 2, map),
        def("set.iter", 2, iter),
        def("set.filter", 2, filter),
        def("set.exists", 2, exists),
        def("set.contains", 2, contains),
        def("set.union", 2, union),
        def("set.intersection", 2, intersection),
        def("set.difference", 2, difference),
        def("set.isSubset", 2, is_subset),
    ]
}

fn member(name: &str, v: &Value) -> RtResult<Key> {
    match v {
        Value::Str(s) => Ok(Key::from(s.as_str())),
        Value::Undefined => Err(RtError::runtime("cannot store undefined in a set")),
        other => Err(expected(name, "a string element", other)),
    }
}

fn of_keys(keys: impl IntoIterator<Item = Key>) -> Value {
    new_obj(keys.into_iter().map(|k| (k, Value::Bool(true))).collect())
}

fn elements(s: &Obj) -> impl Iterator<Item = Value> + '_ {
    s.keys().map(|k| Value::str(&**k))
}

fn empty(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(new_obj(Obj::new()))
}

fn singleton(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(of_keys([member("set.singleton", &args[0])?]))
}

fn add(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.add", &args[1], Obj);
    let k = member("set.add", &args[0])?;
    if s.contains_key(&k) {
        return Ok(args[1].clone());
    }
    host.charge(s.copy_cost())?;
    let mut out = (**s).clone();
    out.insert(k, Value::Bool(true));
    built(host, new_obj(out))
}

fn remove(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.remove", &args[1], Obj);
    let Value::Str(k) = &args[0] else {
        return if args[0].is_undefined() {
            Ok(Value::Undefined)
        } else {
            Err(expected("set.remove", "a string element", &args[0]))
        };
    };
    if !s.contains_key(k.as_str()) {
        return Ok(args[1].clone());
    }
    host.charge(s.copy_cost())?;
    let mut out = (**s).clone();
    out.remove(k.as_str());
    built(host, new_obj(out))
}

fn of_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.ofStream", &args[0], Stream);
    let mut out = Obj::new();
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        out.insert(member("set.ofStream", &x)?, Value::Bool(true));
    }
    built(host, new_obj(out))
}

fn of_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("set.ofArray", &args[0], Array);
    host.charge(a.len() as u64)?;
    let keys = a
        .iter()
        .map(|x| member("set.ofArray", x))
        .collect::<RtResult<Vec<_>>>()?;
    built(host, of_keys(keys))
}

fn is_empty(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool(arg!("set.isEmpty", &args[0], Obj).is_empty()))
}

fn is_not_empty(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool(
        !arg!("set.isNotEmpty", &args[0], Obj).is_empty(),
    ))
}

fn length(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Int(arg!("set.length", &args[0], Obj).len() as i64))
}

fn to_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.toArray", &args[0], Obj);
    host.charge(s.len() as u64)?;
    built(host, Value::array(elements(s).collect()))
}

fn to_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.toStream", &args[0], Obj);
    host.charge(s.len() as u64)?;
    Ok(stream_value(Stream::of_vec(elements(s).collect())))
}

fn to_string(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.toString", &args[0], Obj);
    host.charge(s.len() as u64)?;
    let parts: Vec<&str> = s.keys().map(|k| &**k).collect();
    Ok(Value::str(parts.join(",")))
}

fn reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.reduce", &args[2], Obj);
    host.charge(s.len() as u64)?;
    let mut acc = args[1].clone();
    for x in elements(s) {
        acc = host.call_moving(&args[0], &mut [x, acc])?;
    }
    Ok(acc)
}

fn map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.map", &args[1], Obj);
    host.charge(s.len() as u64)?;
    let mut out = Obj::new();
    for x in elements(s) {
        let y = call1(host, &args[0], &x)?;
        out.insert(member("set.map", &y)?, Value::Bool(true));
    }
    built(host, new_obj(out))
}

fn iter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.iter", &args[1], Obj);
    host.charge(s.len() as u64)?;
    for x in elements(s) {
        call1(host, &args[0], &x)?;
    }
    Ok(Value::Null)
}

fn filter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.filter", &args[1], Obj);
    host.charge(s.len() as u64)?;
    let mut out = Obj::new();
    for k in s.keys() {
        if holds(host, "set.filter", &args[0], &Value::str(&**k))? {
            out.insert(k.clone(), Value::Bool(true));
        }
    }
    built(host, new_obj(out))
}

fn exists(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.exists", &args[1], Obj);
    host.charge(s.len() as u64)?;
    for x in elements(s) {
        if holds(host, "set.exists", &args[0], &x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn contains(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("set.contains", &args[1], Obj);
    match &args[0] {
        Value::Str(k) => Ok(Value::Bool(s.contains_key(k.as_str()))),
        Value::Undefined => Ok(Value::Undefined),
        _ => Ok(Value::Bool(false)),
    }
}

fn union(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("set.union", &args[0], Obj);
    let b = arg!("set.union", &args[1], Obj);
    let (big, small, whole) = if a.len() >= b.len() {
        (a, b, &args[0])
    } else {
        (b, a, &args[1])
    };
    if small.keys().all(|k| big.contains_key(k)) {
        return Ok(whole.clone());
    }
    host.charge(small.len() as u64 + big.copy_cost())?;
    let mut out: Obj = (**big).clone();
    for k in small.keys() {
        out.insert(k.clone(), Value::Bool(true));
    }
    built(host, new_obj(out))
}

fn intersection(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("set.intersection", &args[0], Obj);
    let b = arg!("set.intersection", &args[1], Obj);
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    host.charge(small.len() as u64)?;
    built(
        host,
        of_keys(small.keys().filter(|k| big.contains_key(*k)).cloned()),
    )
}

fn difference(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("set.difference", &args[0], Obj);
    let b = arg!("set.difference", &args[1], Obj);
    host.charge(a.len() as u64)?;
    built(
        host,
        of_keys(a.keys().filter(|k| !b.contains_key(*k)).cloned()),
    )
}

fn is_subset(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("set.isSubset", &args[0], Obj);
    let b = arg!("set.isSubset", &args[1], Obj);
    host.charge(a.len() as u64)?;
    Ok(Value::Bool(
        a.len() <= b.len() && a.keys().all(|k| b.contains_key(k)),
    ))
}

/// A set value of string elements (for other modules' tests).
#[cfg(test)]
pub(crate) fn of_strs(items: &[&str]) -> Value {
    of_keys(items.iter().map(|s| Key::from(*s)))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::of_strs;
    use crate::natives::common::testkit::{err, ok, strs};
    use crate::natives::test_host::{call, native, TestHost};
    use crate::value::Value;

    fn run(name: &str, args: &[Value]) -> Value {
        ok(name, args)
    }

    #[test]
    fn creation() {
        assert_eq!(ok("set.empty", &[]), of_strs(&[]));
        assert_eq!(ok("set.singleton", &[Value::str("ß")]), of_strs(&["ß"]));
        assert!(call("set.singleton", &[Value::Undefined])
            .unwrap_err()
            .message
            .contains("cannot store undefined in a set"));
        assert!(call("set.singleton", &[Value::Int(1)])
            .unwrap_err()
            .message
            .contains("expected a string element"));
        let s = of_strs(&["a"]);
        assert_eq!(
            ok("set.add", &[Value::str("b"), s.clone()]),
            of_strs(&["a", "b"])
        );
        assert_eq!(ok("set.add", &[Value::str("a"), s.clone()]), s);
        assert_eq!(
            ok("set.remove", &[Value::str("a"), s.clone()]),
            of_strs(&[])
        );
        assert_eq!(ok("set.remove", &[Value::str("z"), s.clone()]), s);
        assert!(ok("set.add", &[Value::str("a"), Value::Undefined]).is_undefined());
        assert_eq!(
            ok("set.ofArray", &[strs(&["b", "a", "b"])]),
            of_strs(&["a", "b"])
        );
        assert_eq!(ok("set.ofArray", &[strs(&[])]), of_strs(&[]));
        let st = ok("array.toStream", &[strs(&["x", "x", "日本"])]);
        assert_eq!(ok("set.ofStream", &[st]), of_strs(&["x", "日本"]));
    }

    #[test]
    fn access() {
        let s = of_strs(&["b", "a", "é"]);
        assert_eq!(ok("set.isEmpty", &[of_strs(&[])]), Value::Bool(true));
        assert_eq!(ok("set.isEmpty", &[s.clone()]), Value::Bool(false));
        assert_eq!(ok("set.isNotEmpty", &[s.clone()]), Value::Bool(true));
        assert_eq!(ok("set.length", &[s.clone()]), Value::Int(3));
        assert!(ok("set.length", &[Value::Undefined]).is_undefined());
        assert_eq!(ok("set.toArray", &[s.clone()]), strs(&["a", "b", "é"]));
        assert_eq!(ok("set.toString", &[s.clone()]), Value::str("a,b,é"));
        assert_eq!(ok("set.toString", &[of_strs(&[])]), Value::str(""));
        let Value::Stream(st) = ok("set.toStream", &[s.clone()]) else {
            panic!()
        };
        assert_eq!(
            st.collect(&mut TestHost::default()).unwrap(),
            vec![Value::str("a"), Value::str("b"), Value::str("é")]
        );
        assert_eq!(
            ok("set.contains", &[Value::str("é"), s.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("set.contains", &[Value::str("e"), s.clone()]),
            Value::Bool(false)
        );
        assert!(call("set.length", &[Value::Int(1)]).is_err());
    }

    #[test]
    fn iteration() {
        use crate::natives::common::testkit::{f1, f2};
        let s = of_strs(&["a", "b"]);
        assert_eq!(
            ok(
                "set.reduce",
                &[native("set.add"), of_strs(&["z"]), s.clone()]
            ),
            of_strs(&["a", "b", "z"])
        );
        let concat =
            f2(|x, acc| Value::str(format!("{}{}", acc.as_str().unwrap(), x.as_str().unwrap())));
        assert_eq!(
            run("set.reduce", &[concat, Value::str(">"), s.clone()]),
            Value::str(">ab")
        );
        let upper = f1(|x| Value::str(x.as_str().unwrap().to_uppercase()));
        assert_eq!(
            run("set.map", &[upper, of_strs(&["a", "A", "ä"])]),
            of_strs(&["A", "Ä"])
        );
        assert!(err("set.map", &[f1(|_| Value::Int(1)), s.clone()])
            .contains("expected a string element"));
        assert!(err("set.map", &[f1(|_| Value::Undefined), s.clone()]).contains("undefined"));
        let is_a = f1(|x| {
            if x.as_str() == Some("b") {
                Value::Undefined
            } else {
                Value::Bool(x.as_str() == Some("a"))
            }
        });
        assert_eq!(
            run("set.filter", &[is_a.clone(), of_strs(&["a", "b", "c"])]),
            of_strs(&["a"])
        );
        assert_eq!(
            run("set.exists", &[is_a.clone(), of_strs(&["b", "c"])]),
            Value::Bool(false)
        );
        assert_eq!(
            run("set.exists", &[is_a.clone(), of_strs(&["c", "a"])]),
            Value::Bool(true)
        );
        assert_eq!(run("set.exists", &[is_a, of_strs(&[])]), Value::Bool(false));
        assert!(err("set.filter", &[f1(|_| Value::Int(0)), s.clone()])
            .contains("condition gave number"));
        let mut host = TestHost::default();
        let r = crate::native::Host::call(
            &mut host,
            &native("set.iter"),
            &[native("logging.info"), s.clone()],
        );
        assert_eq!(r, Ok(Value::Null));
        assert_eq!(host.logged, vec!["info: a", "info: b"]);
    }

    #[test]
    fn operations() {
        let a = of_strs(&["a", "b", "c"]);
        let b = of_strs(&["b", "c", "d"]);
        assert_eq!(
            ok("set.union", &[a.clone(), b.clone()]),
            of_strs(&["a", "b", "c", "d"])
        );
        assert_eq!(ok("set.union", &[a.clone(), of_strs(&[])]), a);
        assert_eq!(
            ok("set.intersection", &[a.clone(), b.clone()]),
            of_strs(&["b", "c"])
        );
        assert_eq!(
            ok("set.difference", &[a.clone(), b.clone()]),
            of_strs(&["a"])
        );
        assert_eq!(
            ok("set.isSubset", &[of_strs(&["b"]), a.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("set.isSubset", &[b.clone(), a.clone()]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("set.isSubset", &[of_strs(&[]), of_strs(&[])]),
            Value::Bool(true)
        );
        let big: Vec<String> = (0..10_000).map(|i| format!("k{i}")).collect();
        let big: Vec<&str> = big.iter().map(String::as_str).collect();
        let big = of_strs(&big);
        assert_eq!(
            ok("set.length", &[ok("set.union", &[big.clone(), a.clone()])]),
            Value::Int(10_003)
        );
        assert_eq!(
            ok("set.length", &[ok("set.intersection", &[big.clone(), a])]),
            Value::Int(0)
        );
    }
}
