//! JSON (spec §6, facts §7.5): `string.parseJSON`, `string.parseJSONResult`,
//! `string.parseEscJSON`, `string.parseEscJSONResult`, `string.formatJSON` and
//! `string.formatEscJSON` (the facts have no `json` module; `stdlib/json.mix` documents the
//! forms).
//!
//! Integers stay integers on parse (a JSON number without fraction or exponent that fits an
//! `i64`); object keys come out sorted (records and maps print sorted). EscJSON encodes what
//! JSON cannot express as `{"_rmx_type": "{tag}…", "_rmx_value": …}` objects.

use base64::Engine;

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::{Obj, Value};

use super::common::def;
use super::number::type_error;
use super::string::{charge_bytes, check_len, str_arg};

const TYPE: &str = "_rmx_type";
const VALUE: &str = "_rmx_value";
const TAG: &str = "{tag}";
const STR: &str = "{str}";
/// The deepest value `formatJSON` writes (parsing stops at 128 levels, serde_json's limit).
const MAX_DEPTH: usize = 256;

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("string.parseJSON", 1, |h, a| {
            parse(h, a, "string.parseJSON", false, false)
        }),
        def("string.parseJSONResult", 1, |h, a| {
            parse(h, a, "string.parseJSONResult", false, true)
        }),
        def("string.parseEscJSON", 1, |h, a| {
            parse(h, a, "string.parseEscJSON", true, false)
        }),
        def("string.parseEscJSONResult", 1, |h, a| {
            parse(h, a, "string.parseEscJSONResult", true, true)
        }),
        def("string.formatJSON", 1, |h, a| {
            format(h, a, "string.formatJSON", false)
        }),
        def("string.formatEscJSON", 1, |h, a| {
            format(h, a, "string.formatEscJSON", true)
        }),
    ]
}

// ----- parsing -----

fn parse(
    host: &mut dyn Host,
    args: &[Value],
    name: &str,
    esc: bool,
    as_result: bool,
) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let text = str_arg(args, 0, name)?;
    charge_bytes(host, text.len())?;
    let parsed = parse_text(text, esc);
    host.check_memory()?;
    match (parsed, as_result) {
        (Ok(v), false) => Ok(v),
        (Ok(v), true) => Ok(Value::case("ok", Some(v))),
        (Err(m), false) => Err(RtError::runtime(format!("{name}: {m}"))),
        (Err(m), true) => Ok(Value::case("error", Some(Value::str(m)))),
    }
}

/// Parses JSON text; with `esc`, decodes the EscJSON tags.
pub fn parse_text(text: &str, esc: bool) -> Result<Value, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("bad JSON: {e}"))?;
    from_json(json, esc, true)
}

fn from_json(json: serde_json::Value, esc: bool, top: bool) -> Result<Value, String> {
    use serde_json::Value as J;
    Ok(match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(b),
        J::Number(n) => number(&n)?,
        J::String(s) => Value::str(s),
        J::Array(items) => Value::array(
            items
                .into_iter()
                .map(|j| from_json(j, esc, false))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(fields) => {
            if esc {
                if let Some(J::String(t)) = fields.get(TYPE) {
                    if let Some(tag) = t.strip_prefix(TAG) {
                        let tag = tag.to_string();
                        return tagged(&tag, fields.get(VALUE).cloned(), top);
                    }
                }
            }
            let mut obj = Obj::new();
            for (k, v) in fields {
                let v = match (esc, k.as_str(), v) {
                    (true, TYPE, J::String(t)) if t.starts_with(STR) => Value::str(&t[STR.len()..]),
                    (_, _, v) => from_json(v, esc, false)?,
                };
                obj.insert(k.into(), v);
            }
            Value::obj(obj)
        }
    })
}

fn number(n: &serde_json::Number) -> Result<Value, String> {
    if let Some(i) = n.as_i64() {
        Ok(Value::Int(i))
    } else if let Some(f) = n.as_f64() {
        Ok(Value::Float(f))
    } else {
        Err(format!("bad JSON number {n}"))
    }
}

/// The value of an EscJSON object `{"_rmx_type": "{tag}TAG", "_rmx_value": value}`.
fn tagged(tag: &str, value: Option<serde_json::Value>, top: bool) -> Result<Value, String> {
    use serde_json::Value as J;
    let missing = || format!("EscJSON {TAG}{tag} without {VALUE}");
    let value_str = |v: Option<J>| match v {
        Some(J::String(s)) => Ok(s),
        Some(_) => Err(format!("EscJSON {TAG}{tag}: {VALUE} must be a string")),
        None => Err(missing()),
    };
    Ok(match tag {
        "undefined" if top => Value::Undefined,
        "undefined" => return Err("EscJSON undefined inside an array or object".into()),
        "nan" => Value::Float(f64::NAN),
        "posinf" => Value::Float(f64::INFINITY),
        "neginf" => Value::Float(f64::NEG_INFINITY),
        "null" => Value::Null,
        "bin" => {
            let text = value_str(value)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|e| format!("EscJSON {TAG}bin: bad base64: {e}"))?;
            Value::Binary(std::rc::Rc::new(bytes))
        }
        "ref" | "case:db.ref" => Value::Ref(std::rc::Rc::new(value_str(value)?)),
        "str" => Value::str(value_str(value)?),
        "bool" => match value {
            Some(J::Bool(b)) => Value::Bool(b),
            Some(J::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
            _ => return Err(format!("EscJSON {TAG}bool needs a bool {VALUE}")),
        },
        "int" => match value {
            Some(J::Number(n)) => match number(&n)? {
                Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Value::Int(f as i64),
                Value::Float(_) => return Err(format!("EscJSON {TAG}int: {n} is not an integer")),
                v => v,
            },
            Some(J::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("EscJSON {TAG}int: bad integer {s:?}"))?,
            _ => return Err(missing()),
        },
        "float" => match value {
            Some(J::Number(n)) => Value::Float(n.as_f64().ok_or_else(missing)?),
            Some(J::String(s)) => {
                let hex = s.trim_start_matches("0x");
                let bits = u64::from_str_radix(hex, 16)
                    .map_err(|_| format!("EscJSON {TAG}float: bad hex bits {s:?}"))?;
                Value::Float(f64::from_bits(bits))
            }
            _ => return Err(missing()),
        },
        _ => match tag.strip_prefix("case:") {
            Some(name) if !name.is_empty() => {
                let arg = match value {
                    Some(v) => Some(from_json(v, true, false)?),
                    None => None,
                };
                Value::case(name, arg)
            }
            _ => return Err(format!("unsupported EscJSON tag {TAG}{tag}")),
        },
    })
}

// ----- formatting -----

fn format(host: &mut dyn Host, args: &[Value], name: &str, esc: bool) -> RtResult<Value> {
    let mut out = String::new();
    let mut writer = Writer {
        host,
        out: &mut out,
        esc,
        name,
    };
    writer.value(&args[0], 0)?;
    let v = Value::str(out);
    host.check_memory()?;
    Ok(v)
}

/// The JSON text of a value (what `formatJSON`/`formatEscJSON` give), for other natives.
pub fn format_text(host: &mut dyn Host, v: &Value, esc: bool) -> RtResult<String> {
    let mut out = String::new();
    Writer {
        host,
        out: &mut out,
        esc,
        name: if esc {
            "string.formatEscJSON"
        } else {
            "string.formatJSON"
        },
    }
    .value(v, 0)?;
    Ok(out)
}

struct Writer<'a> {
    host: &'a mut dyn Host,
    out: &'a mut String,
    esc: bool,
    name: &'a str,
}

impl Writer<'_> {
    fn tagged(&mut self, tag: &str, value: Option<&Value>, depth: usize) -> RtResult<()> {
        self.out.push_str("{\"_rmx_type\":");
        crate::print::quoted(self.out, &format!("{TAG}{tag}"));
        if let Some(v) = value {
            self.out.push_str(",\"_rmx_value\":");
            self.value(v, depth + 1)?;
        }
        self.out.push('}');
        Ok(())
    }

    fn value(&mut self, v: &Value, depth: usize) -> RtResult<()> {
        if depth > MAX_DEPTH {
            return Err(RtError::runtime(format!(
                "{}: the value is nested more than {MAX_DEPTH} levels deep",
                self.name
            )));
        }
        check_len(self.name, self.out.len())?;
        self.host.charge(1)?;
        match v {
            Value::Undefined if self.esc => self.tagged("undefined", None, depth)?,
            Value::Undefined => self.out.push_str("\"{undefined}\""),
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) if f.is_finite() => self.out.push_str(&json_float(*f)),
            Value::Float(_) if !self.esc => self.out.push_str("null"),
            Value::Float(f) if f.is_nan() => self.tagged("nan", None, depth)?,
            Value::Float(f) => {
                self.tagged(if *f > 0.0 { "posinf" } else { "neginf" }, None, depth)?
            }
            Value::Str(s) => {
                charge_bytes(self.host, s.len())?;
                crate::print::quoted(self.out, s);
            }
            Value::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.value(item, depth + 1)?;
                }
                self.out.push(']');
            }
            Value::Obj(fields) => {
                self.out.push('{');
                for (i, (k, item)) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    crate::print::quoted(self.out, k);
                    self.out.push(':');
                    match item {
                        Value::Str(s)
                            if self.esc
                                && &**k == TYPE
                                && (s.starts_with(TAG) || s.starts_with(STR)) =>
                        {
                            crate::print::quoted(self.out, &format!("{STR}{s}"));
                        }
                        _ => self.value(item, depth + 1)?,
                    }
                }
                self.out.push('}');
            }
            Value::Case(c) => {
                let tag = format!("case:{}", c.name);
                self.tagged(&tag, c.arg.as_ref(), depth)?;
            }
            Value::Ref(id) => {
                self.out
                    .push_str("{\"_rmx_type\":\"{tag}case:db.ref\",\"_rmx_value\":");
                crate::print::quoted(self.out, id);
                self.out.push('}');
            }
            Value::Binary(bytes) => {
                check_len(self.name, bytes.len() / 3 * 4 + self.out.len())?;
                charge_bytes(self.host, bytes.len())?;
                let text = base64::engine::general_purpose::STANDARD.encode(bytes.as_slice());
                self.tagged("bin", Some(&Value::str(text)), depth)?;
            }
            Value::Func(_) | Value::Stream(_) | Value::Host(_) => {
                return Err(type_error(self.name, "data", v));
            }
        }
        Ok(())
    }
}

/// A finite float as JSON: the shortest text that reads back to it, without a trailing `.0`.
fn json_float(f: f64) -> String {
    let s = format!("{f:?}");
    match s.strip_suffix(".0") {
        Some(int) => int.to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natives::test_host::call;
    use std::rc::Rc;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn fmt(v: Value) -> String {
        call("string.formatJSON", &[v])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn fmt_esc(v: Value) -> String {
        call("string.formatEscJSON", &[v])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    fn parse(text: &str) -> Value {
        call("string.parseJSON", &[s(text)]).unwrap()
    }

    fn parse_esc(text: &str) -> Value {
        call("string.parseEscJSON", &[s(text)]).unwrap()
    }

    fn record(pairs: Vec<(&str, Value)>) -> Value {
        Value::obj(pairs.into_iter().map(|(k, v)| (Rc::from(k), v)).collect())
    }

    #[test]
    fn parses_plain_json_with_integers() {
        assert!(matches!(parse("42"), Value::Int(42)));
        assert!(matches!(parse("-7"), Value::Int(-7)));
        assert!(matches!(parse("9223372036854775807"), Value::Int(i64::MAX)));
        assert!(
            matches!(parse("18446744073709551615"), Value::Float(f) if f == 1.8446744073709552e19)
        );
        assert!(matches!(parse("2.0"), Value::Float(f) if f == 2.0));
        assert!(matches!(parse("1e3"), Value::Float(f) if f == 1000.0));
        assert_eq!(parse("\"h\\u00e9llo 🔵\""), s("héllo 🔵"));
        assert_eq!(parse("\"\""), s(""));
        assert_eq!(parse("null"), Value::Null);
        assert_eq!(parse(" true "), Value::Bool(true));
        assert_eq!(
            parse(r#"{"b": [1, 2.5, null], "a": {"x": "y"}}"#),
            record(vec![
                ("a", record(vec![("x", s("y"))])),
                (
                    "b",
                    Value::array(vec![Value::Int(1), Value::Float(2.5), Value::Null])
                ),
            ])
        );
        // Plain JSON leaves the tags alone.
        assert_eq!(
            parse(r#"{"_rmx_type":"{tag}nan"}"#),
            record(vec![("_rmx_type", s("{tag}nan"))])
        );
    }

    #[test]
    fn bad_json_fails_or_gives_error() {
        for bad in ["", "{", "[1,]", "nul", "'x'", "1 2", "NaN", "1e400"] {
            assert!(call("string.parseJSON", &[s(bad)]).is_err(), "{bad}");
            let r = call("string.parseJSONResult", &[s(bad)]).unwrap();
            assert!(
                matches!(&r, Value::Case(c) if &*c.name == "error"),
                "{bad}: {r}"
            );
        }
        let err = call("string.parseJSON", &[s("[1,")]).unwrap_err();
        assert!(
            err.message.starts_with("string.parseJSON: bad JSON"),
            "{}",
            err.message
        );
        assert_eq!(
            call("string.parseJSONResult", &[s("[1]")]).unwrap(),
            Value::case("ok", Some(Value::array(vec![Value::Int(1)])))
        );
        assert_eq!(
            call(
                "string.parseEscJSONResult",
                &[s(r#"{"_rmx_type":"{tag}nan"}"#)]
            )
            .unwrap()
            .to_string(),
            "ok(NaN)"
        );
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(call("string.parseJSON", &[s(&deep)]).is_err());
        assert!(call("string.parseJSON", &[Value::Undefined])
            .unwrap()
            .is_undefined());
        assert!(call("string.parseEscJSONResult", &[Value::Undefined])
            .unwrap()
            .is_undefined());
        assert!(call("string.parseJSON", &[Value::Null]).is_err());
    }

    #[test]
    fn formats_plain_json() {
        assert_eq!(fmt(Value::Int(-3)), "-3");
        assert_eq!(fmt(Value::Float(2.5)), "2.5");
        assert_eq!(fmt(Value::Float(3.0)), "3");
        assert_eq!(fmt(Value::Float(1e300)), "1e300");
        assert_eq!(fmt(Value::Float(f64::NAN)), "null");
        assert_eq!(fmt(Value::Float(f64::INFINITY)), "null");
        assert_eq!(fmt(Value::Undefined), "\"{undefined}\"");
        assert_eq!(fmt(s("a\"b\\c\n\u{1}é🔵")), "\"a\\\"b\\\\c\\n\\u0001é🔵\"");
        assert_eq!(
            fmt(record(vec![
                ("b c", Value::Null),
                ("a", Value::array(vec![Value::Bool(true)]))
            ])),
            r#"{"a":[true],"b c":null}"#
        );
        assert_eq!(fmt(Value::array(vec![])), "[]");
        assert_eq!(fmt(record(vec![])), "{}");
        // Plain JSON does not escape the strings of _rmx_type fields.
        assert_eq!(
            fmt(record(vec![("_rmx_type", s("{tag}x"))])),
            r#"{"_rmx_type":"{tag}x"}"#
        );
        let f = crate::natives::test_host::native("string.length");
        assert!(call("string.formatJSON", &[f]).is_err());
    }

    #[test]
    fn formats_escjson_forms() {
        assert_eq!(
            fmt_esc(Value::Undefined),
            r#"{"_rmx_type":"{tag}undefined"}"#
        );
        assert_eq!(
            fmt_esc(Value::Float(f64::NAN)),
            r#"{"_rmx_type":"{tag}nan"}"#
        );
        assert_eq!(
            fmt_esc(Value::Float(f64::INFINITY)),
            r#"{"_rmx_type":"{tag}posinf"}"#
        );
        assert_eq!(
            fmt_esc(Value::Float(f64::NEG_INFINITY)),
            r#"{"_rmx_type":"{tag}neginf"}"#
        );
        assert_eq!(
            fmt_esc(Value::Binary(Rc::new(b"hi!".to_vec()))),
            r#"{"_rmx_type":"{tag}bin","_rmx_value":"aGkh"}"#
        );
        assert_eq!(
            fmt_esc(Value::case("red", None)),
            r#"{"_rmx_type":"{tag}case:red"}"#
        );
        assert_eq!(
            fmt_esc(Value::case("meters", Some(Value::Float(2.5)))),
            r#"{"_rmx_type":"{tag}case:meters","_rmx_value":2.5}"#
        );
        assert_eq!(
            fmt_esc(Value::Ref(Rc::new("r1".into()))),
            r#"{"_rmx_type":"{tag}case:db.ref","_rmx_value":"r1"}"#
        );
        assert_eq!(
            fmt_esc(record(vec![("_rmx_type", s("{tag}case:red"))])),
            r#"{"_rmx_type":"{str}{tag}case:red"}"#
        );
        assert_eq!(
            fmt_esc(record(vec![("_rmx_type", s("plain"))])),
            r#"{"_rmx_type":"plain"}"#
        );
    }

    #[test]
    fn parses_escjson_forms() {
        assert!(parse_esc(r#"{"_rmx_type":"{tag}undefined"}"#).is_undefined());
        assert!(call(
            "string.parseEscJSON",
            &[s(r#"[{"_rmx_type":"{tag}undefined"}]"#)]
        )
        .is_err());
        assert!(matches!(parse_esc(r#"{"_rmx_type":"{tag}nan"}"#), Value::Float(f) if f.is_nan()));
        assert_eq!(
            parse_esc(r#"{"_rmx_type":"{tag}ref","_rmx_value":"x"}"#),
            Value::Ref(Rc::new("x".into()))
        );
        assert!(matches!(
            parse_esc(r#"{"_rmx_type":"{tag}int","_rmx_value":"12"}"#),
            Value::Int(12)
        ));
        assert!(matches!(
            parse_esc(r#"{"_rmx_type":"{tag}int","_rmx_value":12.0}"#),
            Value::Int(12)
        ));
        assert_eq!(
            parse_esc(r#"{"_rmx_type":"{tag}float","_rmx_value":"3ff8000000000000"}"#),
            Value::Float(1.5)
        );
        assert_eq!(
            parse_esc(r#"{"_rmx_type":"{tag}str","_rmx_value":"{tag}x"}"#),
            s("{tag}x")
        );
        assert_eq!(parse_esc(r#"{"_rmx_type":"{tag}null"}"#), Value::Null);
        assert_eq!(
            parse_esc(r#"{"_rmx_type":"{tag}bool","_rmx_value":true}"#),
            Value::Bool(true)
        );
        assert!(call(
            "string.parseEscJSON",
            &[s(r#"{"_rmx_type":"{tag}blob:image/png"}"#)]
        )
        .is_err());
        assert!(call(
            "string.parseEscJSON",
            &[s(r#"{"_rmx_type":"{tag}bin","_rmx_value":"!!"}"#)]
        )
        .is_err());
        assert!(call("string.parseEscJSON", &[s(r#"{"_rmx_type":"{tag}bin"}"#)]).is_err());
        assert!(call("string.parseEscJSON", &[s(r#"{"_rmx_type":"{tag}case:"}"#)]).is_err());
    }

    #[test]
    fn escjson_round_trips() {
        let values = vec![
            Value::Null,
            Value::Bool(false),
            Value::Int(i64::MIN),
            Value::Int(0),
            Value::Float(0.1),
            Value::Float(-1.5e-300),
            Value::Float(f64::INFINITY),
            Value::Float(f64::NEG_INFINITY),
            s(""),
            s("héllo 🔵 \"quoted\" \\ \u{0}"),
            Value::Binary(Rc::new(vec![0, 255, 1, 2])),
            Value::Binary(Rc::new(vec![])),
            Value::Ref(Rc::new("rec-1".into())),
            Value::case("red", None),
            Value::case("some", Some(Value::case("meters", Some(Value::Int(3))))),
            record(vec![
                ("_rmx_type", s("{tag}case:red")),
                ("_rmx_value", s("{str}x")),
                ("nested", record(vec![("_rmx_type", s("{str}{tag}y"))])),
            ]),
            record(vec![("_rmx_type", s("{str}"))]),
            Value::array(vec![
                Value::Int(1),
                s("é"),
                Value::array(vec![]),
                record(vec![]),
            ]),
        ];
        for v in values {
            let text = fmt_esc(v.clone());
            let back = parse_esc(&text);
            assert_eq!(back, v, "{text}");
            assert_eq!(back.to_string(), v.to_string(), "{text}");
        }
        let nan = parse_esc(&fmt_esc(Value::Float(f64::NAN)));
        assert!(matches!(nan, Value::Float(f) if f.is_nan()));
        assert!(parse_esc(&fmt_esc(Value::Undefined)).is_undefined());
    }

    #[test]
    fn plain_json_round_trips_json_values() {
        let v = record(vec![
            ("n", Value::Int(9_007_199_254_740_993)),
            ("f", Value::Float(2.5)),
            ("s", s("🔵")),
            ("a", Value::array(vec![Value::Null, Value::Bool(true)])),
        ]);
        let text = fmt(v.clone());
        let back = parse(&text);
        assert_eq!(back, v);
        assert!(
            matches!(&back, Value::Obj(o) if matches!(o.get("n"), Some(Value::Int(9_007_199_254_740_993))))
        );
    }

    #[test]
    fn too_deep_values_are_refused() {
        let mut v = Value::Null;
        for _ in 0..(MAX_DEPTH + 5) {
            v = Value::array(vec![v]);
        }
        let err = call("string.formatJSON", &[v]).unwrap_err();
        assert!(err.message.contains("nested more than"), "{}", err.message);
    }
}
