//! EscJSON (facts §7.5): JSON with escape tags for the values plain JSON cannot carry.
//!
//! - ref: `{"_rmx_type":"{tag}case:db.ref","_rmx_value":"<id>"}` (the older `{tag}ref` is read)
//! - case: `{"_rmx_type":"{tag}case:name"}` or with `"_rmx_value": arg`
//! - binary: `{"_rmx_type":"{tag}bin","_rmx_value":"<base64>"}`
//! - NaN/±∞: `{"_rmx_type":"{tag}nan"}`, `{tag}posinf`, `{tag}neginf`
//! - input-only forms: `{tag}int`, `{tag}float` (hex bits), `{tag}str`, `{tag}null`, `{tag}bool`
//! - a real string starting with `{tag}` or `{str}` in an `_rmx_type` field is written `{str}…`
//!
//! Ints are written as JSON integers and floats always with a fraction or exponent, so the
//! two stay distinct and every value round-trips exactly. Refs are never inferred from strings:
//! the legacy `"{ref}id"` string form is read only with [`DecodeOptions::legacy_refs`].

use crate::error::{Result, StoreError};
use crate::value::Value;
use base64::Engine as _;
use serde_json::{Map as JsonMap, Number, Value as Json};
use std::collections::BTreeMap;

const TYPE: &str = "_rmx_type";
const VALUE: &str = "_rmx_value";
const MAX_DEPTH: usize = 256;

/// Options for reading EscJSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecodeOptions {
    /// Read strings of the deprecated form `"{ref}id"` as refs (legacy import only).
    pub legacy_refs: bool,
}

/// Encode a value as EscJSON.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::Float(f) => float_to_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Ref(id) => tagged("{tag}case:db.ref", Some(Json::String(id.clone()))),
        Value::Binary(b) => tagged(
            "{tag}bin",
            Some(Json::String(
                base64::engine::general_purpose::STANDARD.encode(b),
            )),
        ),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => {
            let mut out = JsonMap::new();
            for (k, v) in m {
                let mut j = to_json(v);
                if k == TYPE {
                    if let Json::String(s) = &j {
                        if s.starts_with("{tag}") || s.starts_with("{str}") {
                            j = Json::String(format!("{{str}}{s}"));
                        }
                    }
                }
                out.insert(k.clone(), j);
            }
            Json::Object(out)
        }
        Value::Case(name, arg) => tagged(
            &format!("{{tag}}case:{name}"),
            arg.as_ref().map(|a| to_json(a)),
        ),
    }
}

fn float_to_json(f: f64) -> Json {
    if f.is_nan() {
        tagged("{tag}nan", None)
    } else if f == f64::INFINITY {
        tagged("{tag}posinf", None)
    } else if f == f64::NEG_INFINITY {
        tagged("{tag}neginf", None)
    } else if f == 0.0 && f.is_sign_negative() {
        // serde_json would print -0.0 as "-0.0"; keep it but make sure it reads back as float.
        tagged(
            "{tag}float",
            Some(Json::String(format!("{:016x}", f.to_bits()))),
        )
    } else {
        Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null)
    }
}

fn tagged(tag: &str, value: Option<Json>) -> Json {
    let mut m = JsonMap::new();
    m.insert(TYPE.to_string(), Json::String(tag.to_string()));
    if let Some(v) = value {
        m.insert(VALUE.to_string(), v);
    }
    Json::Object(m)
}

/// Encode as a compact JSON string.
pub fn to_string(v: &Value) -> String {
    to_json(v).to_string()
}

/// Decode EscJSON text.
pub fn from_str(s: &str, opts: DecodeOptions) -> Result<Value> {
    let j: Json = serde_json::from_str(s).map_err(|e| StoreError::EscJson(e.to_string()))?;
    from_json(&j, opts)
}

/// Decode an EscJSON value.
pub fn from_json(j: &Json, opts: DecodeOptions) -> Result<Value> {
    decode(j, opts, 0)
}

fn err(msg: impl Into<String>) -> StoreError {
    StoreError::EscJson(msg.into())
}

fn decode(j: &Json, opts: DecodeOptions, depth: usize) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(err("nesting deeper than 256 levels"));
    }
    Ok(match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if n.is_u64() {
                // Integers beyond i64 become floats (the number type is float64).
                Value::Float(n.as_f64().unwrap_or(f64::MAX))
            } else {
                Value::Float(n.as_f64().ok_or_else(|| err("number out of range"))?)
            }
        }
        Json::String(s) => {
            if opts.legacy_refs {
                if let Some(id) = s.strip_prefix("{ref}") {
                    return Ok(Value::Ref(id.to_string()));
                }
            }
            Value::String(s.clone())
        }
        Json::Array(items) => Value::Array(
            items
                .iter()
                .map(|x| decode(x, opts, depth + 1))
                .collect::<Result<_>>()?,
        ),
        Json::Object(m) => return decode_object(m, opts, depth),
    })
}

fn decode_object(m: &JsonMap<String, Json>, opts: DecodeOptions, depth: usize) -> Result<Value> {
    if let Some(Json::String(tag)) = m.get(TYPE) {
        if let Some(rest) = tag.strip_prefix("{tag}") {
            return decode_tagged(rest, m, opts, depth);
        }
    }
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let mut val = decode(v, opts, depth + 1)?;
        if k == TYPE {
            if let Value::String(s) = &val {
                if let Some(rest) = s.strip_prefix("{str}") {
                    val = Value::String(rest.to_string());
                }
            }
        }
        out.insert(k.clone(), val);
    }
    Ok(Value::Map(out))
}

fn decode_tagged(
    tag: &str,
    m: &JsonMap<String, Json>,
    opts: DecodeOptions,
    depth: usize,
) -> Result<Value> {
    let extra = m.keys().any(|k| k != TYPE && k != VALUE);
    if extra {
        return Err(err(format!(
            "tagged value {{tag}}{tag} has fields other than _rmx_type/_rmx_value"
        )));
    }
    let payload = m.get(VALUE);
    let need_str = |what: &str| -> Result<&str> {
        payload
            .and_then(Json::as_str)
            .ok_or_else(|| err(format!("{{tag}}{what} needs a string _rmx_value")))
    };
    let no_payload = |v: Value| -> Result<Value> {
        if payload.is_some() {
            Err(err(format!("{{tag}}{tag} takes no _rmx_value")))
        } else {
            Ok(v)
        }
    };
    match tag {
        "case:db.ref" | "ref" => {
            let id = need_str(tag)?;
            Ok(Value::Ref(id.to_string()))
        }
        "bin" => {
            let b = base64::engine::general_purpose::STANDARD
                .decode(need_str("bin")?)
                .map_err(|e| err(format!("bad base64 in {{tag}}bin: {e}")))?;
            Ok(Value::Binary(b))
        }
        "nan" => no_payload(Value::Float(f64::NAN)),
        "posinf" => no_payload(Value::Float(f64::INFINITY)),
        "neginf" => no_payload(Value::Float(f64::NEG_INFINITY)),
        "null" => Ok(Value::Null),
        "int" => match payload {
            Some(Json::Number(n)) => n
                .as_i64()
                .map(Value::Int)
                .ok_or_else(|| err("{tag}int out of range")),
            Some(Json::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| err(format!("{{tag}}int: not an integer: {s:?}"))),
            _ => Err(err("{tag}int needs a number or string _rmx_value")),
        },
        "float" => match payload {
            Some(Json::Number(n)) => Ok(Value::Float(n.as_f64().unwrap_or(f64::NAN))),
            Some(Json::String(s)) => {
                let hex = s.trim().trim_start_matches("0x");
                u64::from_str_radix(hex, 16)
                    .map(|bits| Value::Float(f64::from_bits(bits)))
                    .map_err(|_| err(format!("{{tag}}float: bad hex bits {s:?}")))
            }
            _ => Err(err("{tag}float needs a hex string _rmx_value")),
        },
        "str" => Ok(Value::String(need_str("str")?.to_string())),
        "bool" => match payload {
            Some(Json::Bool(b)) => Ok(Value::Bool(*b)),
            Some(Json::String(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(err("{tag}bool needs a boolean _rmx_value")),
        },
        "undefined" => Err(err("undefined is not storable data")),
        _ => {
            if let Some(name) = tag.strip_prefix("case:") {
                if name.is_empty() {
                    return Err(err("case tag without a name"));
                }
                let arg = match payload {
                    Some(p) => Some(Box::new(decode(p, opts, depth + 1)?)),
                    None => None,
                };
                Ok(Value::Case(name.to_string(), arg))
            } else {
                Err(err(format!("unknown tag {{tag}}{tag}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::map_of;

    fn rt(v: Value) {
        let s = to_string(&v);
        let back = from_str(&s, DecodeOptions::default()).expect("decodes");
        assert_eq!(back, v, "round trip of {s}");
    }

    #[test]
    fn round_trips() {
        rt(Value::Ref("abc".into()));
        rt(Value::Float(1.0));
        rt(Value::Int(1));
        rt(Value::Float(-0.0));
        rt(Value::Float(f64::NAN));
        rt(Value::Float(f64::INFINITY));
        rt(Value::Binary(vec![0, 1, 255]));
        rt(Value::Case("red".into(), None));
        rt(Value::Case(
            "meters".into(),
            Some(Box::new(Value::Float(2.5))),
        ));
        rt(map_of([(
            "_rmx_type",
            Value::String("{tag}case:db.ref".into()),
        )]));
        rt(map_of([("_rmx_type", Value::String("{str}x".into()))]));
        rt(map_of([("_rmx_type", Value::String("plain".into()))]));
    }

    #[test]
    fn ref_form_is_the_case_tag() {
        assert_eq!(
            to_string(&Value::Ref("p1".into())),
            r#"{"_rmx_type":"{tag}case:db.ref","_rmx_value":"p1"}"#
        );
    }

    #[test]
    fn legacy_ref_strings_only_on_request() {
        let s = r#""{ref}42""#;
        assert_eq!(
            from_str(s, DecodeOptions::default()).unwrap(),
            Value::String("{ref}42".into())
        );
        assert_eq!(
            from_str(s, DecodeOptions { legacy_refs: true }).unwrap(),
            Value::Ref("42".into())
        );
    }

    #[test]
    fn rejects_bad_tags() {
        assert!(from_str(r#"{"_rmx_type":"{tag}wat"}"#, DecodeOptions::default()).is_err());
        assert!(from_str(
            r#"{"_rmx_type":"{tag}bin","_rmx_value":"!!"}"#,
            DecodeOptions::default()
        )
        .is_err());
        assert!(from_str(
            r#"{"_rmx_type":"{tag}case:db.ref"}"#,
            DecodeOptions::default()
        )
        .is_err());
    }
}
