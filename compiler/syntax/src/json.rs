//! A constant expression as JSON text: the literal after `_escJSON_` (facts §2), which the
//! checker requires to be a constant and the back ends hand to the run time's EscJSON reader.

use mix_diagnostics::Span;
use serde_json::{Map, Number, Value};

use crate::ast::{Expr, ExprKind, FieldKey, UnOp};

/// `e` as JSON text, if it is built of literals only (strings, numbers, booleans, `null`,
/// arrays, records with named keys); else the span of the first part that is not.
pub fn constant_json(e: &Expr) -> Result<String, Span> {
    Ok(constant(e)?.to_string())
}

fn constant(e: &Expr) -> Result<Value, Span> {
    Ok(match &e.kind {
        ExprKind::Null => Value::Null,
        ExprKind::True => Value::Bool(true),
        ExprKind::False => Value::Bool(false),
        ExprKind::Int(i) => Value::from(*i),
        ExprKind::Float(f) => Number::from_f64(*f).map(Value::Number).ok_or(e.span)?,
        ExprKind::Str(s) => Value::String(s.to_string()),
        ExprKind::Paren(inner) => constant(inner)?,
        ExprKind::Unary(UnOp::Neg, inner) => match inner.kind {
            ExprKind::Int(i) => Value::from(i.wrapping_neg()),
            ExprKind::Float(f) => Number::from_f64(-f).map(Value::Number).ok_or(e.span)?,
            _ => return Err(e.span),
        },
        ExprKind::Array(items) => {
            Value::Array(items.iter().map(constant).collect::<Result<_, _>>()?)
        }
        ExprKind::Record(fields) => {
            let mut object = Map::new();
            for field in fields {
                let (FieldKey::Name(key), Some(value)) = (&field.key, &field.value) else {
                    return Err(field.span);
                };
                object.insert(key.name.to_string(), constant(value)?);
            }
            Value::Object(object)
        }
        _ => return Err(e.span),
    })
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
