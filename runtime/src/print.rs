//! Values in Mix literal syntax (spec §6): what `mixc run` and the REPL print.

use crate::value::{Func, HostObject, Value};

pub fn literal(v: &Value) -> String {
    let mut out = String::new();
    write_literal(&mut out, v);
    out
}

/// A number the way Mix prints it: integers as written, floats in the shortest form that reads
/// back to the same number, an integral float without `.0`.
pub fn number(out: &mut String, x: f64) {
    use std::fmt::Write;
    if x.is_nan() {
        out.push_str("NaN");
    } else if x.is_infinite() {
        out.push_str(if x > 0.0 { "Infinity" } else { "-Infinity" });
    } else if x == 0.0 {
        out.push('0');
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        // Integral floats (what `%` and `/` give) print like integers, without float formatting.
        let _ = write!(out, "{}", x as i64);
    } else {
        let _ = write!(out, "{x}");
    }
}

/// A string in double quotes with JSON escapes (Mix literals and JSON output share it).
pub fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn is_plain_key(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn write_literal(out: &mut String, v: &Value) {
    use std::fmt::Write;
    match v {
        Value::Undefined => out.push_str("undefined"),
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => number(out, *f),
        Value::Str(s) => quoted(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(out, item);
            }
            out.push(']');
        }
        Value::Obj(fields) => {
            out.push('{');
            for (i, (k, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if is_plain_key(k) {
                    out.push_str(k);
                } else {
                    quoted(out, k);
                }
                out.push_str(": ");
                write_literal(out, item);
            }
            out.push('}');
        }
        Value::Case(c) => {
            out.push_str(&c.name);
            if let Some(arg) = &c.arg {
                out.push('(');
                write_literal(out, arg);
                out.push(')');
            }
        }
        Value::Ref(id) => {
            out.push_str("ref(");
            quoted(out, id);
            out.push(')');
        }
        Value::Binary(bytes) => {
            let _ = write!(out, "<binary {} bytes>", bytes.len());
        }
        Value::Func(f) => match &**f {
            Func::Closure { .. } | Func::Native { .. } | Func::Partial { .. } => {
                out.push_str("<function>")
            }
        },
        Value::Stream(_) => out.push_str("<stream>"),
        Value::Host(h) => match &**h {
            HostObject::Regex(source, _) => {
                out.push_str("~regex ");
                quoted(out, source);
            }
            HostObject::Calendar(_) | HostObject::Other(..) | HostObject::Cursor(_) => {
                out.push_str("<opaque>")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Obj;

    #[test]
    fn prints_mix_literals() {
        let mut obj = Obj::new();
        obj.insert("b c".into(), Value::Int(2));
        obj.insert("a".into(), Value::Float(2.5));
        let v = Value::array(vec![
            Value::Float(3.0),
            Value::str("q\"\n"),
            Value::obj(obj),
            Value::case("some", Some(Value::Null)),
            Value::case("red", None),
            Value::Ref(std::rc::Rc::new("r1".into())),
        ]);
        assert_eq!(
            literal(&v),
            r#"[3, "q\"\n", {a: 2.5, "b c": 2}, some(null), red, ref("r1")]"#
        );
        assert_eq!(literal(&Value::Float(0.1 + 0.2)), "0.30000000000000004");
    }

    #[test]
    fn quoting_is_json() {
        for s in [
            "",
            "plain",
            "q\"b\\s",
            "\n\r\t\u{8}\u{c}",
            "\u{1}\u{1f}\u{7f}",
            "héllo 🎉",
        ] {
            let mut out = String::new();
            quoted(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }
}
