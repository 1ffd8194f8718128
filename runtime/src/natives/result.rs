//! `result` (facts §5.6): `ok(x)` and `error(e)` cases. A main argument of `undefined` bubbles
//! out; `get` on an error fails (catchable, like `fail`) with the error's message: a string
//! error as it is, any other error value printed as a Mix literal.

use std::rc::Rc;

use super::common::{def, element, error_message, ok, result_view, some, Res};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::Value;

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("result.withDefault", 2, with_default),
        def("result.get", 1, get),
        def("result.safeGet", 1, safe_get),
        def("result.exists", 1, exists),
        def("result.map", 2, map),
        def("result.map2", 3, map2),
        def("result.andThen", 2, and_then),
        def("result.orElse", 2, or_else),
        def("result.toOption", 1, to_option),
        def("result.mapError", 2, map_error),
        def("result.toArray", 1, to_array),
        def("result.toStream", 1, to_stream),
    ]
}

macro_rules! res {
    ($name:expr, $v:expr) => {
        match $v {
            Value::Undefined => return Ok(Value::Undefined),
            v => result_view($name, v)?,
        }
    };
}

fn with_default(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match res!("result.withDefault", &args[1]) {
        Res::Ok(x) => x.clone(),
        Res::Err(_) => args[0].clone(),
    })
}

fn get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match res!("result.get", &args[0]) {
        Res::Ok(x) => Ok(x.clone()),
        Res::Err(e) => Err(RtError::fail(error_message(e))),
    }
}

fn safe_get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match res!("result.safeGet", &args[0]) {
        Res::Ok(x) => x.clone(),
        Res::Err(_) => Value::Undefined,
    })
}

fn exists(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Bool(matches!(
        res!("result.exists", &args[0]),
        Res::Ok(_)
    )))
}

fn map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match res!("result.map", &args[1]) {
        Res::Ok(x) => Ok(ok(host.call(&args[0], std::slice::from_ref(x))?)),
        Res::Err(_) => Ok(args[1].clone()),
    }
}

fn map2(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = res!("result.map2", &args[1]);
    let b = res!("result.map2", &args[2]);
    match (a, b) {
        (Res::Ok(x), Res::Ok(y)) => Ok(ok(host.call(&args[0], &[x.clone(), y.clone()])?)),
        (Res::Err(_), _) => Ok(args[1].clone()),
        (_, Res::Err(_)) => Ok(args[2].clone()),
    }
}

fn and_then(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match res!("result.andThen", &args[1]) {
        Res::Ok(x) => host.call(&args[0], std::slice::from_ref(x)),
        Res::Err(_) => Ok(args[1].clone()),
    }
}

fn or_else(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match res!("result.orElse", &args[1]) {
        Res::Ok(_) => Ok(args[1].clone()),
        Res::Err(e) => host.call(&args[0], std::slice::from_ref(e)),
    }
}

fn to_option(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match res!("result.toOption", &args[0]) {
        Res::Ok(x) => some(x.clone()),
        Res::Err(_) => Value::Null,
    })
}

fn map_error(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match res!("result.mapError", &args[1]) {
        Res::Ok(_) => Ok(args[1].clone()),
        Res::Err(e) => Ok(Value::case(
            "error",
            Some(host.call(&args[0], std::slice::from_ref(e))?),
        )),
    }
}

fn to_array(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::array(match res!("result.toArray", &args[0]) {
        Res::Ok(x) => vec![element(x.clone())?],
        Res::Err(_) => Vec::new(),
    }))
}

fn to_stream(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(Value::Stream(match res!("result.toStream", &args[0]) {
        Res::Ok(x) if x.is_undefined() => {
            return Err(RtError::runtime("cannot store undefined in a stream"))
        }
        Res::Ok(x) => Rc::new(Stream::Once(x.clone())),
        Res::Err(_) => Rc::new(Stream::Empty),
    }))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use crate::error::ErrorKind;
    use crate::natives::test_host::{call, native};
    use crate::value::Value;

    fn okv(v: Value) -> Value {
        Value::case("ok", Some(v))
    }
    fn errv(v: Value) -> Value {
        Value::case("error", Some(v))
    }
    fn ok(name: &str, args: &[Value]) -> Value {
        call(name, args).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn access() {
        let good = okv(Value::Int(1));
        let bad = errv(Value::str("boom"));
        assert_eq!(
            ok("result.withDefault", &[Value::Int(0), good.clone()]),
            Value::Int(1)
        );
        assert_eq!(
            ok("result.withDefault", &[Value::Int(0), bad.clone()]),
            Value::Int(0)
        );
        assert!(ok("result.withDefault", &[Value::Int(0), Value::Undefined]).is_undefined());
        assert_eq!(ok("result.get", &[good.clone()]), Value::Int(1));
        let e = call("result.get", &[bad.clone()]).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Fail, "boom"));
        let e = call("result.get", &[errv(Value::Int(4))]).unwrap_err();
        assert_eq!(e.message, "4");
        assert!(call("result.get", &[Value::Null])
            .unwrap_err()
            .message
            .contains("expected a result, got null"));
        assert!(ok("result.safeGet", &[bad.clone()]).is_undefined());
        assert_eq!(ok("result.safeGet", &[good.clone()]), Value::Int(1));
        assert_eq!(ok("result.exists", &[good.clone()]), Value::Bool(true));
        assert_eq!(ok("result.exists", &[bad.clone()]), Value::Bool(false));
        assert_eq!(
            ok("result.toOption", &[good.clone()]),
            Value::case("some", Some(Value::Int(1)))
        );
        assert_eq!(ok("result.toOption", &[bad.clone()]), Value::Null);
        assert_eq!(
            ok("result.toArray", &[good.clone()]),
            Value::array(vec![Value::Int(1)])
        );
        assert_eq!(ok("result.toArray", &[bad.clone()]), Value::array(vec![]));
        let Value::Stream(s) = ok("result.toStream", &[good]) else {
            panic!()
        };
        assert_eq!(
            s.collect(&mut crate::natives::test_host::TestHost::default())
                .unwrap(),
            vec![Value::Int(1)]
        );
        let Value::Stream(s) = ok("result.toStream", &[bad]) else {
            panic!()
        };
        assert!(s
            .collect(&mut crate::natives::test_host::TestHost::default())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn chaining() {
        let wrap = native("array.singleton");
        let bad = errv(Value::str("e1"));
        let bad2 = errv(Value::str("e2"));
        assert_eq!(
            ok("result.map", &[wrap.clone(), okv(Value::Int(1))]),
            okv(Value::array(vec![Value::Int(1)]))
        );
        assert_eq!(ok("result.map", &[wrap.clone(), bad.clone()]), bad);
        let add = native("array.add");
        let one = okv(Value::array(vec![Value::Int(1)]));
        assert_eq!(
            ok("result.map2", &[add.clone(), one.clone(), one.clone()]),
            okv(Value::array(vec![Value::Int(1), Value::Int(1)]))
        );
        assert_eq!(
            ok("result.map2", &[add.clone(), bad.clone(), bad2.clone()]),
            bad
        );
        assert_eq!(ok("result.map2", &[add, one.clone(), bad2.clone()]), bad2);
        // andThen with array.first: ok([r]) -> r
        let first = native("array.first");
        assert_eq!(
            ok(
                "result.andThen",
                &[first.clone(), okv(Value::array(vec![bad2.clone()]))]
            ),
            bad2
        );
        assert_eq!(ok("result.andThen", &[first.clone(), bad.clone()]), bad);
        // orElse: error(e) -> f(e)
        assert_eq!(
            ok("result.orElse", &[native("option.create"), bad.clone()]),
            Value::case("some", Some(Value::str("e1")))
        );
        assert_eq!(ok("result.orElse", &[first, one.clone()]), one);
        assert_eq!(
            ok("result.mapError", &[wrap.clone(), bad]),
            errv(Value::array(vec![Value::str("e1")]))
        );
        assert_eq!(ok("result.mapError", &[wrap, one.clone()]), one);
    }
}
