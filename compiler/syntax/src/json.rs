//! A constant expression as JSON text: the literal after `_escJSON_` (facts §2), which the
//! checker requires to be a constant and the back ends hand to the run time's EscJSON reader.

use std::fmt::Write;

use mix_diagnostics::Span;

use crate::ast::{Expr, ExprKind, FieldKey, UnOp};

/// `e` as JSON text, if it is built of literals only (strings, numbers, booleans, `null`,
/// arrays, records with named keys); else the span of the first part that is not.
pub fn constant_json(e: &Expr) -> Result<String, Span> {
    let mut out = String::new();
    write_json(e, &mut out)?;
    Ok(out)
}

fn write_json(e: &Expr, out: &mut String) -> Result<(), Span> {
    match &e.kind {
        ExprKind::Null => out.push_str("null"),
        ExprKind::True => out.push_str("true"),
        ExprKind::False => out.push_str("false"),
        ExprKind::Int(i) => write!(out, "{i}").expect("writing to a String"),
        ExprKind::Float(f) if f.is_finite() => write!(out, "{f:?}").expect("writing to a String"),
        ExprKind::Str(s) => write_string(s, out),
        ExprKind::Paren(inner) => write_json(inner, out)?,
        ExprKind::Unary(UnOp::Neg, inner)
            if matches!(inner.kind, ExprKind::Int(_) | ExprKind::Float(_)) =>
        {
            out.push('-');
            write_json(inner, out)?;
        }
        ExprKind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        ExprKind::Record(fields) => {
            out.push('{');
            for (i, field) in fields.iter().enumerate() {
                let (FieldKey::Name(key), Some(value)) = (&field.key, &field.value) else {
                    return Err(field.span);
                };
                if i > 0 {
                    out.push(',');
                }
                write_string(&key.name, out);
                out.push(':');
                write_json(value, out)?;
            }
            out.push('}');
        }
        _ => return Err(e.span),
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                write!(out, "\\u{:04x}", c as u32).expect("writing to a String")
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::constant_json;

    /// The JSON text of `source`, or the part of it that is not a constant.
    fn json(source: &str) -> Result<String, String> {
        let parsed = crate::parse(&format!("def x = {source}"));
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let crate::ast::ItemKind::Def(def) = &parsed.file.items[0].kind else {
            panic!("a def");
        };
        let Some(crate::ast::Body::Expr(e)) = &def.body else {
            panic!("an expression body");
        };
        constant_json(e)
            .map_err(|span| source[span.start as usize - 8..span.end as usize - 8].to_string())
    }

    #[test]
    fn constants_are_written_as_json_text() {
        assert_eq!(
            json(r#"{ _rmx_type: "{tag}case:ok", _rmx_value: ["a\"b\n", -1, 2.5, true, null] }"#),
            Ok(
                r#"{"_rmx_type":"{tag}case:ok","_rmx_value":["a\"b\n",-1,2.5,true,null]}"#
                    .to_string()
            )
        );
        assert_eq!(
            json(r#"{ "a b": { c: [] } }"#),
            Ok(r#"{"a b":{"c":[]}}"#.to_string())
        );
    }

    #[test]
    fn anything_computed_is_refused() {
        assert_eq!(json("{ a: 1 + 2 }"), Err("1 + 2".to_string()));
        assert_eq!(json("{ a: [x] }"), Err("x".to_string()));
        assert_eq!(json("{ (k): 1 }"), Err("(k): 1".to_string()));
        assert_eq!(json("{ b: 1, a }"), Err("a".to_string()));
        assert_eq!(json("[f(1)]"), Err("f(1)".to_string()));
    }
}
