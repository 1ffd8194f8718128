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

    /// Every `def` of `stdlib/{bool,number,string,regex,calendar}.mix` has a native of the same
    /// name and arity (the number of top-level arrows of its type), and no native of these
    /// modules is undeclared.
    #[test]
    fn stdlib_declarations_have_natives() {
        let table = crate::natives::table();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib");
        for module in ["bool", "number", "string", "regex", "calendar"] {
            let text = std::fs::read_to_string(dir.join(format!("{module}.mix"))).unwrap();
            let mut declared = Vec::new();
            let mut current: Option<String> = None;
            for line in text.lines().map(str::trim) {
                let continues = !line.is_empty()
                    && !["def ", "///", "//", "type ", "case ", "module"]
                        .iter()
                        .any(|p| line.starts_with(p));
                match &mut current {
                    Some(decl) if continues => {
                        decl.push(' ');
                        decl.push_str(line);
                    }
                    _ => {
                        if let Some(decl) = current.take() {
                            declared.push(decl);
                        }
                        if let Some(decl) = line.strip_prefix("def ") {
                            current = Some(decl.to_string());
                        }
                    }
                }
            }
            declared.extend(current);
            for decl in &declared {
                let (name, ty) = decl.split_once(" : ").unwrap();
                let mut depth = 0i32;
                let mut arity = 0;
                let bytes = ty.as_bytes();
                for (i, b) in bytes.iter().enumerate() {
                    match b {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => depth -= 1,
                        b'-' if depth == 0 && bytes.get(i + 1) == Some(&b'>') => arity += 1,
                        _ => {}
                    }
                }
                let qualified = format!("{module}.{}", name.trim());
                let def = table.iter().find(|d| d.name == qualified);
                let def = def.unwrap_or_else(|| panic!("no native for {qualified}"));
                assert_eq!(def.arity, arity, "arity of {qualified}");
            }
            let prefix = format!("{module}.");
            let natives = table.iter().filter(|d| d.name.starts_with(&prefix));
            let names: Vec<&str> = declared
                .iter()
                .filter_map(|d| d.split_once(" : ").map(|(n, _)| n.trim()))
                .collect();
            for def in natives {
                assert!(
                    names.contains(&&def.name[prefix.len()..]),
                    "{} is not declared in {module}.mix",
                    def.name
                );
            }
        }
    }
}
