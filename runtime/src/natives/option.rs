//! `option` (facts §5.5): `some(x)` is the case `some` with its argument, `null` is none. A
//! main argument of `undefined` bubbles out; anything that is neither `some(_)` nor `null` is a
//! run-time error.

use std::rc::Rc;

use super::common::{arg, def, element, expected, new_obj, some};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("option.create", 1, create),
        def("option.withDefault", 2, with_default),
        def("option.get", 1, get),
        def("option.safeGet", 1, safe_get),
        def("option.exists", 1, exists),
        def("option.map", 2, map),
        def("option.map2", 3, map2),
        def("option.andThen", 2, and_then),
        def("option.toArray", 1, to_array),
        def("option.toStream", 1, to_stream),
        def("option.toMap", 2, to_map),
    ]
}

/// The option's value: `Ok(Some(x))` for `some(x)`, `Ok(None)` for `null`.
fn view<'a>(name: &str, v: &'a Value) -> RtResult<Option<&'a Value>> {
    match v {
        Value::Null => Ok(None),
        Value::Case(c) if &*c.name == "some" => match &c.arg {
            Some(x) => Ok(Some(x)),
            None => Err(expected(name, "an option", v)),
        },
        other => Err(expected(name, "an option", other)),
    }
}

macro_rules! opt {
    ($name:expr, $v:expr) => {
        match $v {
            Value::Undefined => return Ok(Value::Undefined),
            v => view($name, v)?,
        }
    };
}

fn create(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match &args[0] {
        Value::Undefined => Value::Null,
        v => some(v.clone()),
    })
}

fn with_default(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(opt!("option.withDefault", &args[1])
        .cloned()
        .unwrap_or_else(|| args[0].clone()))
}

fn get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    opt!("option.get", &args[0])
        .cloned()
        .ok_or_else(|| RtError::fail("option.get: the option is null"))
}

fn safe_get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(opt!("option.safeGet", &args[0])
        .cloned()
        .unwrap_or(Value::Undefined))
}

fn exists(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool(opt!("option.exists", &args[0]).is_some()))
}

fn map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match opt!("option.map", &args[1]) {
        Some(x) => Ok(some(host.call(&args[0], std::slice::from_ref(x))?)),
        None => Ok(Value::Null),
    }
}

fn map2(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = opt!("option.map2", &args[1]);
    let b = opt!("option.map2", &args[2]);
    match (a, b) {
        (Some(x), Some(y)) => Ok(some(host.call(&args[0], &[x.clone(), y.clone()])?)),
        _ => Ok(Value::Null),
    }
}

fn and_then(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match opt!("option.andThen", &args[1]) {
        Some(x) => host.call(&args[0], std::slice::from_ref(x)),
        None => Ok(Value::Null),
    }
}

fn to_array(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::array(match opt!("option.toArray", &args[0]) {
        Some(x) => vec![element(x.clone())?],
        None => Vec::new(),
    }))
}

fn to_stream(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Stream(match opt!("option.toStream", &args[0]) {
        Some(x) if x.is_undefined() => {
            return Err(RtError::runtime("cannot store undefined in a stream"))
        }
        Some(x) => Rc::new(Stream::Once(x.clone())),
        None => Rc::new(Stream::Empty),
    }))
}

fn to_map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let field = arg!("option.toMap", &args[0], Str);
    let mut m = Obj::new();
    if let Some(x) = opt!("option.toMap", &args[1]) {
        if x.is_undefined() {
            return Err(RtError::runtime("cannot store undefined in a map"));
        }
        m.insert(field.into(), x.clone());
    }
    Ok(new_obj(m))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use crate::natives::test_host::{call, native};
    use crate::value::{Obj, Value};

    fn some(v: Value) -> Value {
        Value::case("some", Some(v))
    }
    fn ok(name: &str, args: &[Value]) -> Value {
        call(name, args).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn create_get_default() {
        assert_eq!(ok("option.create", &[Value::Undefined]), Value::Null);
        assert_eq!(ok("option.create", &[Value::Null]), some(Value::Null));
        assert_eq!(ok("option.create", &[Value::Int(3)]), some(Value::Int(3)));
        assert_eq!(
            ok("option.withDefault", &[Value::Int(0), Value::Null]),
            Value::Int(0)
        );
        assert_eq!(
            ok("option.withDefault", &[Value::Int(0), some(Value::Int(2))]),
            Value::Int(2)
        );
        assert!(ok("option.withDefault", &[Value::Int(0), Value::Undefined]).is_undefined());
        assert_eq!(ok("option.get", &[some(Value::str("é"))]), Value::str("é"));
        let e = call("option.get", &[Value::Null]).unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Fail);
        assert_eq!(e.message, "option.get: the option is null");
        assert!(call("option.get", &[Value::Int(1)])
            .unwrap_err()
            .message
            .contains("expected an option, got number"));
        assert!(ok("option.safeGet", &[Value::Null]).is_undefined());
        assert_eq!(ok("option.safeGet", &[some(Value::Int(1))]), Value::Int(1));
        assert_eq!(ok("option.exists", &[Value::Null]), Value::Bool(false));
        assert_eq!(ok("option.exists", &[some(Value::Null)]), Value::Bool(true));
        assert!(ok("option.exists", &[Value::Undefined]).is_undefined());
    }

    #[test]
    fn mapping() {
        let f = native("array.singleton");
        assert_eq!(
            ok("option.map", &[f.clone(), some(Value::Int(1))]),
            some(Value::array(vec![Value::Int(1)]))
        );
        assert_eq!(ok("option.map", &[f, Value::Null]), Value::Null);
        let add = native("array.add");
        let a = some(Value::array(vec![Value::Int(1)]));
        let b = some(Value::array(vec![Value::Int(2)]));
        assert_eq!(
            ok("option.map2", &[add.clone(), a.clone(), b.clone()]),
            some(Value::array(vec![Value::Int(1), Value::Int(2)]))
        );
        assert_eq!(
            ok("option.map2", &[add.clone(), a.clone(), Value::Null]),
            Value::Null
        );
        assert_eq!(ok("option.map2", &[add, Value::Null, b]), Value::Null);
        let create = native("option.create");
        assert_eq!(
            ok("option.andThen", &[create.clone(), some(Value::Int(1))]),
            some(Value::Int(1))
        );
        assert_eq!(ok("option.andThen", &[create, Value::Null]), Value::Null);
        // andThen with a function giving null
        assert_eq!(
            ok(
                "option.andThen",
                &[native("option.create"), some(Value::Undefined)]
            ),
            Value::Null
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(
            ok("option.toArray", &[some(Value::Int(1))]),
            Value::array(vec![Value::Int(1)])
        );
        assert_eq!(ok("option.toArray", &[Value::Null]), Value::array(vec![]));
        let Value::Stream(s) = ok("option.toStream", &[some(Value::Int(1))]) else {
            panic!()
        };
        assert_eq!(
            s.collect(&mut crate::natives::test_host::TestHost::default())
                .unwrap(),
            vec![Value::Int(1)]
        );
        let Value::Stream(s) = ok("option.toStream", &[Value::Null]) else {
            panic!()
        };
        assert!(s
            .collect(&mut crate::natives::test_host::TestHost::default())
            .unwrap()
            .is_empty());
        let mut m = Obj::new();
        m.insert("ключ".into(), Value::Int(1));
        assert_eq!(
            ok("option.toMap", &[Value::str("ключ"), some(Value::Int(1))]),
            Value::obj(m)
        );
        assert_eq!(
            ok("option.toMap", &[Value::str("k"), Value::Null]),
            Value::obj(Obj::new())
        );
    }
}
