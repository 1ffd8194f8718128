//! `bool`: Kleene three-valued logic, `undefined` being the unknown value (facts §5.2, §4.7).

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::Value;

pub fn natives() -> Vec<NativeDef> {
    vec![
        NativeDef {
            name: "bool._not",
            arity: 1,
            f: not,
        },
        NativeDef {
            name: "bool.and",
            arity: 2,
            f: and,
        },
        NativeDef {
            name: "bool.or",
            arity: 2,
            f: or,
        },
        NativeDef {
            name: "bool.toString",
            arity: 1,
            f: to_string,
        },
    ]
}

/// `Some(b)` for a bool, `None` for undefined, an error for anything else.
fn tri(name: &str, v: &Value) -> RtResult<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Undefined => Ok(None),
        other => Err(RtError::runtime(format!(
            "{name}: expected a bool, got {}",
            other.kind()
        ))),
    }
}

fn from_tri(v: Option<bool>) -> Value {
    v.map_or(Value::Undefined, Value::Bool)
}

fn not(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(from_tri(tri("bool._not", &args[0])?.map(|b| !b)))
}

fn and(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = tri("bool.and", &args[0])?;
    let b = tri("bool.and", &args[1])?;
    Ok(match (a, b) {
        (Some(false), _) | (_, Some(false)) => Value::Bool(false),
        (Some(true), Some(true)) => Value::Bool(true),
        _ => Value::Undefined,
    })
}

fn or(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = tri("bool.or", &args[0])?;
    let b = tri("bool.or", &args[1])?;
    Ok(match (a, b) {
        (Some(true), _) | (_, Some(true)) => Value::Bool(true),
        (Some(false), Some(false)) => Value::Bool(false),
        _ => Value::Undefined,
    })
}

fn to_string(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match tri("bool.toString", &args[0])? {
        Some(b) => Value::str(if b { "true" } else { "false" }),
        None => Value::Undefined,
    })
}

#[cfg(test)]
mod tests {
    use crate::natives::test_host::call;
    use crate::value::Value;

    #[allow(non_snake_case)]
    fn T() -> Value {
        Value::Bool(true)
    }
    #[allow(non_snake_case)]
    fn F() -> Value {
        Value::Bool(false)
    }
    #[allow(non_snake_case)]
    fn U() -> Value {
        Value::Undefined
    }

    fn is_undef(v: &Value) -> bool {
        v.is_undefined()
    }

    #[test]
    fn not_negates_and_keeps_unknown() {
        assert_eq!(call("bool._not", &[T()]).unwrap(), F());
        assert_eq!(call("bool._not", &[F()]).unwrap(), T());
        assert!(is_undef(&call("bool._not", &[U()]).unwrap()));
    }

    #[test]
    fn and_follows_kleene() {
        assert_eq!(call("bool.and", &[T(), T()]).unwrap(), T());
        assert_eq!(call("bool.and", &[T(), F()]).unwrap(), F());
        assert_eq!(call("bool.and", &[F(), U()]).unwrap(), F());
        assert_eq!(call("bool.and", &[U(), F()]).unwrap(), F());
        assert!(is_undef(&call("bool.and", &[U(), T()]).unwrap()));
        assert!(is_undef(&call("bool.and", &[T(), U()]).unwrap()));
        assert!(is_undef(&call("bool.and", &[U(), U()]).unwrap()));
    }

    #[test]
    fn or_follows_kleene() {
        assert_eq!(call("bool.or", &[F(), F()]).unwrap(), F());
        assert_eq!(call("bool.or", &[F(), T()]).unwrap(), T());
        assert_eq!(call("bool.or", &[T(), U()]).unwrap(), T());
        assert_eq!(call("bool.or", &[U(), T()]).unwrap(), T());
        assert!(is_undef(&call("bool.or", &[U(), F()]).unwrap()));
        assert!(is_undef(&call("bool.or", &[F(), U()]).unwrap()));
    }

    #[test]
    fn to_string_and_bad_arguments() {
        assert_eq!(call("bool.toString", &[T()]).unwrap(), Value::str("true"));
        assert_eq!(call("bool.toString", &[F()]).unwrap(), Value::str("false"));
        assert!(is_undef(&call("bool.toString", &[U()]).unwrap()));
        let err = call("bool.toString", &[Value::Null]).unwrap_err();
        assert!(
            err.message.contains("expected a bool, got null"),
            "{}",
            err.message
        );
        assert!(call("bool.and", &[T(), Value::Int(1)]).is_err());
    }
}
