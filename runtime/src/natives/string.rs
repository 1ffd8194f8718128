//! `string` (facts §5.4). Strings are UTF-8; every position (`length`, `sub`, `indexOfLeft`,
//! `codePointAt`, and the `regex` indices) counts Unicode scalar values (characters), never
//! bytes, so U+1F535 counts as 1. The main string comes last; an undefined argument gives
//! `undefined`. Results are capped at [`MAX_LEN`] bytes. The JSON functions are in `json.rs`.

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::Value;

use super::number::{any_undefined, fmt_number, int_arg, type_error};

/// The largest string a native builds (1 GiB): bigger results are a runtime error rather than
/// an allocation failure of the host.
pub(crate) const MAX_LEN: usize = 1 << 30;

pub fn natives() -> Vec<NativeDef> {
    defs![
        "string.empty" 0 |_, _| Ok(Value::str("")),
        "string.add" 2 add,
        "string.length" 1 length,
        "string.fromCodePoint" 1 from_code_point,
        "string.codePointAt" 2 code_point_at,
        "string.sub" 3 sub,
        "string.indexOfLeft" 2 |h, a| index_of(h, a, "string.indexOfLeft", false, false),
        "string.indexOfLeft_ci" 2 |h, a| index_of(h, a, "string.indexOfLeft_ci", false, true),
        "string.indexOfRight" 2 |h, a| index_of(h, a, "string.indexOfRight", true, false),
        "string.contains" 2 |h, a| test2(h, a, "string.contains", false, |n, s| s.contains(n)),
        "string.contains_ci" 2 contains_ci,
        "string.hasPrefix" 2 |h, a| test2(h, a, "string.hasPrefix", false, |p, s| s.starts_with(p)),
        "string.startsWith" 2 |h, a| test2(h, a, "string.startsWith", true, |p, s| s.starts_with(p)),
        "string.hasSuffix" 2 |h, a| test2(h, a, "string.hasSuffix", false, |p, s| s.ends_with(p)),
        "string.endsWith" 2 |h, a| test2(h, a, "string.endsWith", true, |p, s| s.ends_with(p)),
        "string.stripPrefix" 2 strip_prefix,
        "string.stripSuffix" 2 strip_suffix,
        "string.replaceAll" 3 replace_all,
        "string.uppercase" 1 |h, a| map1(h, a, "string.uppercase", str::to_uppercase),
        "string.lowercase" 1 |h, a| map1(h, a, "string.lowercase", str::to_lowercase),
        "string.capitalize" 1 |h, a| map1(h, a, "string.capitalize", capitalize),
        "string.trimLeft" 1 |h, a| map1(h, a, "string.trimLeft", |s| s.trim_start().into()),
        "string.trimRight" 1 |h, a| map1(h, a, "string.trimRight", |s| s.trim_end().into()),
        "string.trim" 1 |h, a| map1(h, a, "string.trim", |s| s.trim().into()),
        "string.splitSep" 2 split_sep,
        "string.concat" 2 concat,
        "string.concatStream" 2 concat_stream,
        "string.like" 2 |h, a| test2(h, a, "string.like", true, |p, s| like(s, p)),
        "string.rlike" 2 |h, a| test2(h, a, "string.rlike", false, |p, s| like(s, p)),
        "string.ofToken" 1 of_token,
    ]
}

// ----- helpers shared with the other natives of this crate -----

pub(crate) fn str_arg<'a>(args: &'a [Value], i: usize, name: &str) -> RtResult<&'a str> {
    args[i]
        .as_str()
        .ok_or_else(|| type_error(name, "a string", &args[i]))
}

/// Refuses results over [`MAX_LEN`] bytes.
pub(crate) fn check_len(name: &str, len: usize) -> RtResult<()> {
    if len > MAX_LEN {
        Err(RtError::runtime(format!(
            "{name}: the result would be {len} bytes, over the limit of {MAX_LEN}"
        )))
    } else {
        Ok(())
    }
}

/// Charges the work of scanning `bytes` bytes (one step per 64 bytes).
pub(crate) fn charge_bytes(host: &mut dyn Host, bytes: usize) -> RtResult<()> {
    host.charge(bytes as u64 / 64 + 1)
}

/// The byte offset of character `k` (clamped to the end).
pub(crate) fn byte_of_char(s: &str, k: usize) -> usize {
    let bytes = s.as_bytes();
    if k >= bytes.len() {
        // no more characters than bytes
        return s.len();
    }
    // An ASCII prefix has a byte per character; `is_ascii` reads it a word at a time, so a
    // tokenizer walking a long ASCII text with `string.sub(i, i + 1, s)` does not decode
    // every character before `i` on every call.
    if bytes[..k].is_ascii() {
        return k;
    }
    // Otherwise `Chars::nth`, which skips characters by counting their first bytes a chunk
    // at a time (`char_indices().nth` decodes each one).
    let mut chars = s.chars();
    match chars.nth(k) {
        Some(c) => s.len() - chars.as_str().len() - c.len_utf8(),
        None => s.len(),
    }
}

/// The character position of byte offset `b` (a char boundary).
pub(crate) fn char_of_byte(s: &str, b: usize) -> usize {
    s.get(..b)
        .map_or_else(|| s.chars().count(), |p| p.chars().count())
}

fn char_count(n: usize) -> Value {
    Value::Int(n as i64)
}

// ----- primitives -----

fn add(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.add";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, NAME)?;
    let w = match &args[1] {
        Value::Str(w) => w.to_string(),
        n @ (Value::Int(_) | Value::Float(_)) => fmt_number(n),
        other => return Err(type_error(NAME, "a string or a number", other)),
    };
    check_len(NAME, s.len() + w.len())?;
    charge_bytes(host, s.len() + w.len())?;
    let mut out = String::with_capacity(s.len() + w.len());
    out.push_str(s);
    out.push_str(&w);
    let v = Value::str(out);
    host.check_memory()?;
    Ok(v)
}

fn length(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, "string.length")?;
    charge_bytes(host, s.len())?;
    Ok(char_count(s.chars().count()))
}

fn from_code_point(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.fromCodePoint";
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let n = int_arg(args, 0, NAME)?;
    let c = u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| RtError::runtime(format!("{NAME}: {n} is not a Unicode scalar value")))?;
    Ok(Value::str(c.to_string()))
}

/// `codePointAt(s, k)`: undefined when k is out of range.
fn code_point_at(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.codePointAt";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, NAME)?;
    let k = int_arg(args, 1, NAME)?;
    let c = usize::try_from(k)
        .ok()
        .and_then(|k| s[byte_of_char(s, k)..].chars().next());
    Ok(c.map_or(Value::Undefined, |c| Value::Int(c as i64)))
}

/// `sub(kStart, kEnd, s)`: positions are clamped to `0..=length`; an empty string when
/// `kEnd <= kStart`.
fn sub(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.sub";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let start = int_arg(args, 0, NAME)?.max(0);
    let end = int_arg(args, 1, NAME)?.max(0);
    let s = str_arg(args, 2, NAME)?;
    if end <= start {
        return Ok(Value::str(""));
    }
    charge_bytes(host, s.len())?;
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    let end = usize::try_from(end).unwrap_or(usize::MAX);
    let b0 = byte_of_char(s, start);
    let b1 = b0 + byte_of_char(&s[b0..], end - start);
    Ok(Value::str(&s[b0..b1]))
}

/// Folds a character for the case-insensitive functions: its lower case when that is one
/// character (so positions in the folded string are positions in the original).
fn fold_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

fn index_of(
    host: &mut dyn Host,
    args: &[Value],
    name: &str,
    right: bool,
    ci: bool,
) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let needle = str_arg(args, 0, name)?;
    let s = str_arg(args, 1, name)?;
    charge_bytes(host, s.len() + needle.len())?;
    let (needle, s) = if ci {
        (fold(needle), fold(s))
    } else {
        (needle.to_string(), s.to_string())
    };
    let found = if right {
        s.rfind(&needle)
    } else {
        s.find(&needle)
    };
    Ok(found.map_or(Value::Undefined, |b| char_count(char_of_byte(&s, b))))
}

/// A two-string predicate; `swapped` says the main string comes first (`startsWith(s, p)`).
/// The closure gets `(other, main)`.
fn test2(
    host: &mut dyn Host,
    args: &[Value],
    name: &str,
    swapped: bool,
    f: fn(&str, &str) -> bool,
) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let a = str_arg(args, 0, name)?;
    let b = str_arg(args, 1, name)?;
    charge_bytes(host, a.len() + b.len())?;
    let (other, main) = if swapped { (b, a) } else { (a, b) };
    Ok(Value::Bool(f(other, main)))
}

fn contains_ci(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(
        match index_of(host, args, "string.contains_ci", false, true)? {
            Value::Undefined if any_undefined(args) => Value::Undefined,
            Value::Undefined => Value::Bool(false),
            _ => Value::Bool(true),
        },
    )
}

fn strip_prefix(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.stripPrefix";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let p = str_arg(args, 0, NAME)?;
    let s = str_arg(args, 1, NAME)?;
    charge_bytes(host, p.len())?;
    Ok(match s.strip_prefix(p) {
        Some(rest) => Value::str(rest),
        None => args[1].clone(),
    })
}

fn strip_suffix(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.stripSuffix";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let p = str_arg(args, 0, NAME)?;
    let s = str_arg(args, 1, NAME)?;
    charge_bytes(host, p.len())?;
    Ok(match s.strip_suffix(p) {
        Some(rest) => Value::str(rest),
        None => args[1].clone(),
    })
}

/// `replaceAll(old, new, s)`; an empty `old` inserts `new` around every character (as
/// JavaScript's `replaceAll` does).
fn replace_all(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.replaceAll";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let old = str_arg(args, 0, NAME)?;
    let new = str_arg(args, 1, NAME)?;
    let s = str_arg(args, 2, NAME)?;
    charge_bytes(host, s.len())?;
    let count = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(old).count()
    };
    let len = count
        .checked_mul(new.len())
        .and_then(|n| n.checked_add(s.len()))
        .unwrap_or(usize::MAX);
    check_len(NAME, len)?;
    charge_bytes(host, len)?;
    let v = Value::str(s.replace(old, new));
    host.check_memory()?;
    Ok(v)
}

fn map1(host: &mut dyn Host, args: &[Value], name: &str, f: fn(&str) -> String) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, name)?;
    charge_bytes(host, s.len())?;
    let out = f(s);
    check_len(name, out.len())?;
    Ok(Value::str(out))
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `splitSep(sep, s)`: `splitSep("", "abc")` is `["a", "b", "c"]`, `splitSep(",", "")` is
/// `[""]`, `splitSep("", "")` is `[]`.
fn split_sep(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.splitSep";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let sep = str_arg(args, 0, NAME)?;
    let s = str_arg(args, 1, NAME)?;
    charge_bytes(host, s.len())?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::str(c.to_string())).collect()
    } else {
        s.split(sep).map(Value::str).collect()
    };
    host.charge(parts.len() as u64)?;
    let v = Value::array(parts);
    host.check_memory()?;
    Ok(v)
}

fn join<'a>(
    host: &mut dyn Host,
    name: &str,
    sep: &str,
    parts: impl Iterator<Item = RtResult<&'a Value>>,
) -> RtResult<Value> {
    let mut out = String::new();
    for (i, part) in parts.enumerate() {
        let part = part?;
        let text = part
            .as_str()
            .ok_or_else(|| type_error(name, "an array of strings", part))?;
        if i > 0 {
            out.push_str(sep);
        }
        check_len(name, out.len() + text.len())?;
        out.push_str(text);
        host.charge(1)?;
    }
    charge_bytes(host, out.len())?;
    let v = Value::str(out);
    host.check_memory()?;
    Ok(v)
}

fn concat(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.concat";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let sep = str_arg(args, 0, NAME)?;
    let Value::Array(items) = &args[1] else {
        return Err(type_error(NAME, "an array of strings", &args[1]));
    };
    join(host, NAME, sep, items.iter().map(Ok))
}

fn concat_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "string.concatStream";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let sep = str_arg(args, 0, NAME)?;
    let items: Vec<Value> = match &args[1] {
        Value::Stream(stream) => {
            let mut cursor = stream.cursor();
            let mut items = Vec::new();
            let mut bytes = 0usize;
            while let Some(v) = cursor.next(host)? {
                bytes += v.as_str().map_or(0, str::len) + sep.len();
                check_len(NAME, bytes)?;
                host.charge(1)?;
                items.push(v);
            }
            items
        }
        Value::Array(items) => items.to_vec(),
        other => return Err(type_error(NAME, "a stream of strings", other)),
    };
    join(host, NAME, sep, items.iter().map(Ok))
}

/// SQL-like matching: `%` matches any sequence of characters, `%%` is a literal `%`; every
/// other character matches itself (case-sensitively).
pub(crate) fn like(s: &str, pat: &str) -> bool {
    // The literal pieces between wildcards.
    let mut pieces = vec![String::new()];
    let mut chars = pat.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            if chars.peek() == Some(&'%') {
                chars.next();
                if let Some(p) = pieces.last_mut() {
                    p.push('%');
                }
            } else {
                pieces.push(String::new());
            }
        } else if let Some(p) = pieces.last_mut() {
            p.push(c);
        }
    }
    let (first, rest) = match pieces.split_first() {
        Some(split) => split,
        None => return s.is_empty(),
    };
    let Some((last, middle)) = rest.split_last() else {
        return s == first;
    };
    let Some(mut rest) = s.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some(body) = rest.strip_suffix(last.as_str()) else {
        return false;
    };
    rest = body;
    for piece in middle {
        match rest.find(piece.as_str()) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

fn of_token(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    Err(RtError::runtime(
        "string.ofToken: this runtime has no auth tokens (the auth module is not implemented)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natives::test_host::call;
    use crate::stream::Stream;
    use std::rc::Rc;

    #[test]
    fn byte_of_char_agrees_with_decoding_every_character() {
        let long = "é🎉a".repeat(40) + &"b".repeat(70) + "日本";
        for text in [
            "",
            "abc",
            "héllo wörld",
            "日本語 text",
            "a🎉b",
            "🎉🎉",
            "x\u{301}y",
            &long,
        ] {
            let count = text.chars().count();
            for k in 0..count + 3 {
                let decoded = text.char_indices().nth(k).map_or(text.len(), |(b, _)| b);
                assert_eq!(byte_of_char(text, k), decoded, "{text:?} at {k}");
            }
        }
    }

    fn st(name: &str, args: &[Value]) -> Value {
        call(&format!("string.{name}"), args).unwrap()
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn b(x: bool) -> Value {
        Value::Bool(x)
    }

    fn strs(xs: &[&str]) -> Value {
        Value::array(xs.iter().map(|x| s(x)).collect())
    }

    const U: fn() -> Value = || Value::Undefined;

    #[test]
    fn primitives() {
        assert_eq!(st("empty", &[]), s(""));
        assert_eq!(st("add", &[s("a"), s("é")]), s("aé"));
        assert_eq!(st("add", &[s("n="), i(3)]), s("n=3"));
        assert_eq!(st("add", &[s("x"), Value::Float(2.5)]), s("x2.5"));
        assert!(call("string.add", &[s("x"), Value::Null]).is_err());
        assert_eq!(st("length", &[s("")]), i(0));
        assert_eq!(st("length", &[s("héllo")]), i(5));
        assert_eq!(st("length", &[s("a🔵b")]), i(3));
        assert_eq!(st("fromCodePoint", &[i(0x1F535)]), s("🔵"));
        assert_eq!(st("fromCodePoint", &[i(233)]), s("é"));
        assert!(call("string.fromCodePoint", &[i(0xD800)]).is_err());
        assert!(call("string.fromCodePoint", &[i(-1)]).is_err());
        assert!(call("string.fromCodePoint", &[i(0x110000)]).is_err());
        assert_eq!(st("codePointAt", &[s("a🔵b"), i(1)]), i(0x1F535));
        assert_eq!(st("codePointAt", &[s("a🔵b"), i(2)]), i(98));
        assert!(st("codePointAt", &[s("abc"), i(3)]).is_undefined());
        assert!(st("codePointAt", &[s("abc"), i(-1)]).is_undefined());
        assert!(st("codePointAt", &[s(""), i(0)]).is_undefined());
    }

    #[test]
    fn undefined_bubbles_everywhere() {
        let one = [
            "length",
            "fromCodePoint",
            "uppercase",
            "lowercase",
            "capitalize",
            "trim",
            "trimLeft",
            "trimRight",
            "ofToken",
        ];
        for name in one {
            assert!(st(name, &[U()]).is_undefined(), "{name}");
        }
        let two = [
            "add",
            "codePointAt",
            "indexOfLeft",
            "indexOfLeft_ci",
            "indexOfRight",
            "contains",
            "contains_ci",
            "hasPrefix",
            "startsWith",
            "hasSuffix",
            "endsWith",
            "stripPrefix",
            "stripSuffix",
            "splitSep",
            "like",
            "rlike",
        ];
        for name in two {
            assert!(st(name, &[U(), s("a")]).is_undefined(), "{name}");
            assert!(st(name, &[s("a"), U()]).is_undefined(), "{name}");
        }
        assert!(st("sub", &[i(0), i(1), U()]).is_undefined());
        assert!(st("replaceAll", &[s("a"), s("b"), U()]).is_undefined());
        assert!(st("concat", &[s(","), U()]).is_undefined());
        assert!(st("concatStream", &[U(), strs(&["a"])]).is_undefined());
        let err = call("string.length", &[Value::Null]).unwrap_err();
        assert_eq!(err.message, "string.length: expected a string, got null");
    }

    #[test]
    fn substrings_count_characters() {
        assert_eq!(st("sub", &[i(1), i(3), s("héllo")]), s("él"));
        assert_eq!(st("sub", &[i(0), i(2), s("🔵🔴x")]), s("🔵🔴"));
        assert_eq!(st("sub", &[i(-5), i(100), s("héllo")]), s("héllo"));
        assert_eq!(st("sub", &[i(3), i(1), s("héllo")]), s(""));
        assert_eq!(st("sub", &[i(10), i(20), s("abc")]), s(""));
        assert_eq!(st("sub", &[i(0), i(0), s("")]), s(""));
        assert!(call("string.sub", &[Value::Float(0.5), i(1), s("a")]).is_err());
        assert_eq!(st("indexOfLeft", &[s("l"), s("héllo")]), i(2));
        assert_eq!(st("indexOfRight", &[s("l"), s("héllo")]), i(3));
        assert_eq!(st("indexOfLeft", &[s(""), s("héllo")]), i(0));
        assert_eq!(st("indexOfRight", &[s(""), s("héllo")]), i(5));
        assert!(st("indexOfLeft", &[s("z"), s("héllo")]).is_undefined());
        assert!(st("indexOfRight", &[s("z"), s("")]).is_undefined());
        assert_eq!(st("indexOfLeft", &[s("b"), s("🔵b")]), i(1));
        assert_eq!(st("indexOfLeft_ci", &[s("ÉL"), s("HéLLo")]), i(1));
        assert!(st("indexOfLeft_ci", &[s("x"), s("HéLLo")]).is_undefined());
        // İ lower-cases to two characters: folding keeps it as it is, positions stay right.
        assert_eq!(st("indexOfLeft_ci", &[s("x"), s("İİX")]), i(2));
        assert_eq!(st("contains", &[s("ll"), s("héllo")]), b(true));
        assert_eq!(st("contains", &[s("LL"), s("héllo")]), b(false));
        assert_eq!(st("contains", &[s(""), s("")]), b(true));
        assert_eq!(st("contains_ci", &[s("LL"), s("héllo")]), b(true));
        assert_eq!(st("contains_ci", &[s("z"), s("héllo")]), b(false));
    }

    #[test]
    fn prefixes_and_suffixes() {
        assert_eq!(st("hasPrefix", &[s("hé"), s("héllo")]), b(true));
        assert_eq!(st("hasPrefix", &[s("héllo"), s("hé")]), b(false));
        assert_eq!(st("startsWith", &[s("héllo"), s("hé")]), b(true));
        assert_eq!(st("startsWith", &[s("hé"), s("héllo")]), b(false));
        assert_eq!(st("hasSuffix", &[s("lo"), s("héllo")]), b(true));
        assert_eq!(st("endsWith", &[s("héllo"), s("lo")]), b(true));
        assert_eq!(st("endsWith", &[s("lo"), s("héllo")]), b(false));
        assert_eq!(st("hasPrefix", &[s(""), s("")]), b(true));
        assert_eq!(st("stripPrefix", &[s("hé"), s("héllo")]), s("llo"));
        assert_eq!(st("stripPrefix", &[s("x"), s("héllo")]), s("héllo"));
        assert_eq!(st("stripSuffix", &[s("🔵"), s("a🔵")]), s("a"));
        assert_eq!(st("stripSuffix", &[s("b"), s("a🔵")]), s("a🔵"));
    }

    #[test]
    fn replace_all() {
        assert_eq!(st("replaceAll", &[s("l"), s("L"), s("héllo")]), s("héLLo"));
        assert_eq!(st("replaceAll", &[s("é"), s(""), s("éé")]), s(""));
        assert_eq!(st("replaceAll", &[s(""), s("-"), s("ab")]), s("-a-b-"));
        assert_eq!(st("replaceAll", &[s("aa"), s("b"), s("aaa")]), s("ba"));
        assert_eq!(st("replaceAll", &[s("x"), s("y"), s("")]), s(""));
        let big = s(&"a".repeat(1 << 12));
        let huge = s(&"b".repeat(1 << 20));
        let err = call("string.replaceAll", &[s("a"), huge, big]).unwrap_err();
        assert!(err.message.contains("over the limit"), "{}", err.message);
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(st("uppercase", &[s("héllo ß")]), s("HÉLLO SS"));
        assert_eq!(st("lowercase", &[s("HÉLLO")]), s("héllo"));
        assert_eq!(st("capitalize", &[s("élan vital")]), s("Élan vital"));
        assert_eq!(st("capitalize", &[s("")]), s(""));
        assert_eq!(st("capitalize", &[s("🔵x")]), s("🔵x"));
        assert_eq!(st("trim", &[s("\u{3000} a b\t\n")]), s("a b"));
        assert_eq!(st("trimLeft", &[s("  a ")]), s("a "));
        assert_eq!(st("trimRight", &[s("  a \u{a0}")]), s("  a"));
        assert_eq!(st("trim", &[s("")]), s(""));
    }

    #[test]
    fn split_and_concat() {
        assert_eq!(st("splitSep", &[s(""), s("")]), strs(&[]));
        assert_eq!(st("splitSep", &[s(""), s("aé🔵")]), strs(&["a", "é", "🔵"]));
        assert_eq!(st("splitSep", &[s(","), s("")]), strs(&[""]));
        assert_eq!(
            st("splitSep", &[s(","), s("a,,b,")]),
            strs(&["a", "", "b", ""])
        );
        assert_eq!(
            st("splitSep", &[s("é"), s("aébéc")]),
            strs(&["a", "b", "c"])
        );
        assert_eq!(
            st("concat", &[s(", "), strs(&["a", "é", "c"])]),
            s("a, é, c")
        );
        assert_eq!(st("concat", &[s(","), strs(&[])]), s(""));
        assert!(call("string.concat", &[s(","), Value::array(vec![i(1)])]).is_err());
        let stream = Value::Stream(Rc::new(Stream::of_array(vec![s("x"), s("🔵")].into())));
        assert_eq!(st("concatStream", &[s("-"), stream]), s("x-🔵"));
        assert_eq!(
            st(
                "concatStream",
                &[s("-"), Value::Stream(Rc::new(Stream::Empty))]
            ),
            s("")
        );
    }

    #[test]
    fn like_patterns() {
        assert_eq!(st("like", &[s("héllo"), s("h%o")]), b(true));
        assert_eq!(st("like", &[s("héllo"), s("%ll%")]), b(true));
        assert_eq!(st("like", &[s("héllo"), s("%lx%")]), b(false));
        assert_eq!(st("like", &[s("héllo"), s("héllo")]), b(true));
        assert_eq!(st("like", &[s("héllo"), s("hé")]), b(false));
        assert_eq!(st("like", &[s(""), s("%")]), b(true));
        assert_eq!(st("like", &[s(""), s("")]), b(true));
        assert_eq!(st("like", &[s("a"), s("")]), b(false));
        assert_eq!(st("like", &[s("50%"), s("50%%")]), b(true));
        assert_eq!(st("like", &[s("500"), s("50%%")]), b(false));
        assert_eq!(st("like", &[s("50% off"), s("%50%%%")]), b(true));
        assert_eq!(st("like", &[s("%% off"), s("%%%%%")]), b(true));
        assert_eq!(st("like", &[s("50% off"), s("%%%%%")]), b(false));
        assert_eq!(st("like", &[s("aba"), s("a%ba")]), b(true));
        assert_eq!(st("like", &[s("ab"), s("ab%b")]), b(false));
        assert_eq!(st("like", &[s("abcabc"), s("%b%b%")]), b(true));
        assert_eq!(st("rlike", &[s("h%"), s("héllo")]), b(true));
        assert_eq!(st("rlike", &[s("héllo"), s("h%")]), b(false));
    }

    #[test]
    fn tokens_are_refused() {
        let err = call("string.ofToken", &[s("t")]).unwrap_err();
        assert!(err.message.contains("no auth tokens"));
    }

    #[test]
    fn position_helpers() {
        assert_eq!(byte_of_char("héllo", 2), 3);
        assert_eq!(byte_of_char("héllo", 99), 6);
        assert_eq!(char_of_byte("héllo", 3), 2);
        assert_eq!(char_of_byte("🔵b", 4), 1);
    }
}
