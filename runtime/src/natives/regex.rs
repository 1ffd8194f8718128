//! `regex` (facts §5.9) on the `regex` crate. Its syntax is RE2's, as Go's `regexp` is, but it
//! matches *leftmost-first* (Perl, and Go's default `regexp.Compile`) rather than the
//! *leftmost-longest* of Go's `CompilePOSIX` that the facts name: `a|ab` on `"ab"` finds `"a"`.
//! Positions (`findIndex` and friends) count characters, like every position of `string`.
//! Replacements take `$0`, `$n`, `${n}`, `${name}` and `$$` (the same syntax as Go's
//! `Expand`). An undefined argument gives `undefined`.

use std::rc::Rc;

use ::regex::Regex;

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{HostObject, Value};

use super::number::{any_undefined, int_arg, type_error};
use super::string::{charge_bytes, check_len, str_arg};

pub fn natives() -> Vec<NativeDef> {
    defs![
        "regex.compile" 1 compile,
        "regex.mustCompile" 1 must_compile,
        "regex.quote" 1 quote,
        "regex.find" 2 find,
        "regex.findIndex" 2 find_index,
        "regex.findSubmatch" 2 find_submatch,
        "regex.findSubmatchIndex" 2 find_submatch_index,
        "regex.findAll" 3 |h, a| find_all(h, a, "regex.findAll", Shape::Text),
        "regex.findAllIndex" 3 |h, a| find_all(h, a, "regex.findAllIndex", Shape::Index),
        "regex.findAllSubmatch" 3 |h, a| find_all(h, a, "regex.findAllSubmatch", Shape::SubText),
        "regex.findAllSubmatchIndex" 3 |h, a| find_all(h, a, "regex.findAllSubmatchIndex", Shape::SubIndex),
        "regex.match" 2 is_match,
        "regex.replaceAll" 3 replace_all,
        "regex.split" 2 split,
        "regex.boundedSplit" 3 bounded_split,
        "regex.fullSplit" 3 full_split,
        "regex.template" 1 template,
        "regex.instantiate" 2 instantiate,
        "regex.lex" 2 lex,
    ]
}

/// Compiles a pattern into the host value `regex.pattern` (what `~regex "p"` also makes).
pub fn compile_value(source: &str) -> Result<Value, String> {
    check_nested_repetition(source)?;
    let re = ::regex::RegexBuilder::new(source)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Value::Host(Rc::new(HostObject::Regex(
        Rc::from(source),
        Box::new(re),
    ))))
}

/// Go's `regexp` rejects a repetition operator applied directly to another (`a**`, `a+*`,
/// `a*??`, `a{2}{3}`: "invalid nested repetition operator"), which the `regex` crate accepts.
/// A lazy suffix (`a*?`) is part of its operator, and a group resets the rule (`(a*)*`).
fn check_nested_repetition(source: &str) -> Result<(), String> {
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    // The text of the repetition operator just read, when the last item was one.
    let mut last_repeat: Option<String> = None;
    while i < chars.len() {
        let c = chars[i];
        let repeat_len = match c {
            '*' | '+' | '?' => 1,
            '{' => counted_repeat_len(&chars[i..]),
            _ => 0,
        };
        if repeat_len > 0 {
            let mut end = i + repeat_len;
            if chars.get(end) == Some(&'?') {
                end += 1;
            }
            let op: String = chars[i..end].iter().collect();
            if let Some(prev) = &last_repeat {
                return Err(format!(
                    "invalid nested repetition operator: `{prev}{}`",
                    &op[..c.len_utf8()]
                ));
            }
            last_repeat = Some(op);
            i = end;
            continue;
        }
        last_repeat = None;
        match c {
            '\\' => {
                i += 2;
                // `\p{Greek}`, `\x{1F535}`: skip the braces with the escape
                if matches!(chars.get(i - 1), Some('p' | 'P' | 'x')) && chars.get(i) == Some(&'{') {
                    while i < chars.len() && chars[i] != '}' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '[' => i = skip_class(&chars, i),
            _ => i += 1,
        }
    }
    Ok(())
}

/// The length of a counted repetition `{n}`, `{n,}` or `{n,m}` at the start of `chars`, or 0
/// when the brace does not start one.
fn counted_repeat_len(chars: &[char]) -> usize {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return 0;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    if chars.get(i) == Some(&'}') {
        i + 1
    } else {
        0
    }
}

/// The position after the character class that starts at `start` (a `[`).
fn skip_class(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    // a `]` first in the class is a literal
    if chars.get(i) == Some(&']') {
        i += 1;
    }
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '[' if chars.get(i + 1) == Some(&':') => {
                // `[:alpha:]`
                i += 2;
                while i < chars.len() && !(chars[i] == ':' && chars.get(i + 1) == Some(&']')) {
                    i += 1;
                }
                i += 2;
            }
            ']' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn pattern<'a>(args: &'a [Value], i: usize, name: &str) -> RtResult<&'a Regex> {
    if let Value::Host(h) = &args[i] {
        if let HostObject::Regex(_, re) = &**h {
            if let Some(re) = re.downcast_ref::<Regex>() {
                return Ok(re);
            }
        }
    }
    Err(type_error(name, "a regex pattern", &args[i]))
}

fn compile(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let source = str_arg(args, 0, "regex.compile")?;
    Ok(match compile_value(source) {
        Ok(v) => Value::case("ok", Some(v)),
        Err(m) => Value::case("error", Some(Value::str(m))),
    })
}

fn must_compile(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let source = str_arg(args, 0, "regex.mustCompile")?;
    compile_value(source).map_err(|m| RtError::runtime(format!("regex.mustCompile: {m}")))
}

/// Go's `QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, "regex.quote")?;
    check_len("regex.quote", s.len() * 2)?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::str(out))
}

/// Converts increasing byte offsets of one string to character positions in linear time.
struct Positions<'a> {
    s: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> Positions<'a> {
    fn new(s: &'a str) -> Self {
        Positions {
            s,
            byte: 0,
            chars: 0,
        }
    }

    fn at(&mut self, b: usize) -> i64 {
        if b >= self.byte {
            self.chars += self.s.get(self.byte..b).map_or(0, |p| p.chars().count());
        } else {
            self.chars -= self.s.get(b..self.byte).map_or(0, |p| p.chars().count());
        }
        self.byte = b;
        self.chars as i64
    }
}

fn ints(xs: Vec<i64>) -> Value {
    Value::array(xs.into_iter().map(Value::Int).collect())
}

fn strs(xs: Vec<&str>) -> Value {
    Value::array(xs.into_iter().map(Value::str).collect())
}

/// The two arguments `(pattern, s)`, or `None` when one is undefined.
fn pat_str<'a>(args: &'a [Value], name: &str) -> RtResult<Option<(&'a Regex, &'a str)>> {
    if any_undefined(args) {
        return Ok(None);
    }
    Ok(Some((pattern(args, 0, name)?, str_arg(args, 1, name)?)))
}

fn find(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((re, s)) = pat_str(args, "regex.find")? else {
        return Ok(Value::Undefined);
    };
    charge_bytes(host, s.len())?;
    Ok(Value::str(re.find(s).map_or("", |m| m.as_str())))
}

fn find_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((re, s)) = pat_str(args, "regex.findIndex")? else {
        return Ok(Value::Undefined);
    };
    charge_bytes(host, s.len())?;
    let mut pos = Positions::new(s);
    Ok(match re.find(s) {
        Some(m) => ints(vec![pos.at(m.start()), pos.at(m.end())]),
        None => ints(vec![-1, -1]),
    })
}

fn submatch_texts<'h>(caps: &::regex::Captures<'h>) -> Vec<&'h str> {
    caps.iter().map(|g| g.map_or("", |m| m.as_str())).collect()
}

fn submatch_indices(caps: &::regex::Captures<'_>, pos: &mut Positions<'_>) -> Vec<i64> {
    let mut out = Vec::new();
    for g in caps.iter() {
        match g {
            Some(m) => {
                out.push(pos.at(m.start()));
                out.push(pos.at(m.end()));
            }
            None => out.extend([-1, -1]),
        }
    }
    out
}

/// `[full, group1, …]`, or `[]` when nothing matches (as Go gives `nil`).
fn find_submatch(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((re, s)) = pat_str(args, "regex.findSubmatch")? else {
        return Ok(Value::Undefined);
    };
    charge_bytes(host, s.len())?;
    Ok(match re.captures(s) {
        Some(caps) => strs(submatch_texts(&caps)),
        None => Value::array(vec![]),
    })
}

/// `[start, end, start1, end1, …]` (`-1` for a group that took no part), or `[]`.
fn find_submatch_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((re, s)) = pat_str(args, "regex.findSubmatchIndex")? else {
        return Ok(Value::Undefined);
    };
    charge_bytes(host, s.len())?;
    let mut pos = Positions::new(s);
    Ok(match re.captures(s) {
        Some(caps) => ints(submatch_indices(&caps, &mut pos)),
        None => Value::array(vec![]),
    })
}

#[derive(Clone, Copy)]
enum Shape {
    Text,
    Index,
    SubText,
    SubIndex,
}

/// The match limit of the `findAll*` family: a negative number means all.
fn limit(args: &[Value], i: usize, name: &str) -> RtResult<usize> {
    let n = int_arg(args, i, name)?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

fn find_all(host: &mut dyn Host, args: &[Value], name: &str, shape: Shape) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let n = limit(args, 0, name)?;
    let re = pattern(args, 1, name)?;
    let s = str_arg(args, 2, name)?;
    charge_bytes(host, s.len())?;
    let mut pos = Positions::new(s);
    let mut out = Vec::new();
    for caps in re.captures_iter(s).take(n) {
        host.charge(1)?;
        out.push(match shape {
            Shape::Text => Value::str(caps.get(0).map_or("", |m| m.as_str())),
            Shape::Index => {
                let (a, b) = caps.get(0).map_or((0, 0), |m| (m.start(), m.end()));
                ints(vec![pos.at(a), pos.at(b)])
            }
            Shape::SubText => strs(submatch_texts(&caps)),
            Shape::SubIndex => ints(submatch_indices(&caps, &mut pos)),
        });
    }
    let v = Value::array(out);
    host.check_memory()?;
    Ok(v)
}

fn is_match(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((re, s)) = pat_str(args, "regex.match")? else {
        return Ok(Value::Undefined);
    };
    charge_bytes(host, s.len())?;
    Ok(Value::Bool(re.is_match(s)))
}

/// `replaceAll(pat, repl, s)`.
fn replace_all(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "regex.replaceAll";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let re = pattern(args, 0, NAME)?;
    let repl = str_arg(args, 1, NAME)?;
    let s = str_arg(args, 2, NAME)?;
    charge_bytes(host, s.len())?;
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&s[last..m.start()]);
        caps.expand(repl, &mut out);
        last = m.end();
        check_len(NAME, out.len() + s.len() - last)?;
        host.charge(1)?;
    }
    out.push_str(&s[last..]);
    charge_bytes(host, out.len())?;
    let v = Value::str(out);
    host.check_memory()?;
    Ok(v)
}

/// The `[start, end)` byte ranges Go's `Split(s, n)` cuts at: at most `n - 1` matches for a
/// positive n, all for a negative one.
fn split_ranges(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![(0, 0)];
    }
    let mut pieces = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in re.find_iter(s) {
        if n > 0 && pieces.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            pieces.push((beg, end));
        }
        beg = m.end();
    }
    if end != s.len() {
        pieces.push((beg, s.len()));
    }
    pieces
}

fn split(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((re, s)) = pat_str(args, "regex.split")? else {
        return Ok(Value::Undefined);
    };
    split_pieces(host, re, s, -1)
}

/// The pieces of `s` between matches, at most `n` (all for a negative `n`).
fn split_pieces(host: &mut dyn Host, re: &Regex, s: &str, n: i64) -> RtResult<Value> {
    charge_bytes(host, s.len())?;
    let ranges = split_ranges(re, s, n);
    host.charge(ranges.len() as u64)?;
    Ok(strs(ranges.into_iter().map(|(a, b)| &s[a..b]).collect()))
}

/// `boundedSplit(num, pat, s)`: Go's `Split(s, num)`.
fn bounded_split(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "regex.boundedSplit";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let n = int_arg(args, 0, NAME)?;
    let re = pattern(args, 1, NAME)?;
    let s = str_arg(args, 2, NAME)?;
    split_pieces(host, re, s, n)
}

/// `fullSplit(num, pat, s)`: the pieces of `boundedSplit` as `text(…)` with the matches
/// between them as `delim(…)`; empty texts and empty matches are left out; at most `num`
/// texts (all for a negative num, none for 0).
fn full_split(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "regex.fullSplit";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let n = int_arg(args, 0, NAME)?;
    let re = pattern(args, 1, NAME)?;
    let s = str_arg(args, 2, NAME)?;
    charge_bytes(host, s.len())?;
    let mut out = Vec::new();
    if n == 0 {
        return Ok(Value::array(out));
    }
    let max_delims = if n < 0 { usize::MAX } else { (n - 1) as usize };
    let mut delims = 0;
    let mut last = 0;
    for m in re.find_iter(s) {
        if delims == max_delims {
            break;
        }
        if m.is_empty() {
            continue;
        }
        if m.start() > last {
            out.push(Value::case("text", Some(Value::str(&s[last..m.start()]))));
        }
        out.push(Value::case("delim", Some(Value::str(m.as_str()))));
        delims += 1;
        last = m.end();
        host.charge(1)?;
    }
    if last < s.len() {
        out.push(Value::case("text", Some(Value::str(&s[last..]))));
    }
    Ok(Value::array(out))
}

/// `template(s)`: the text between `<< NAME >>` placeholders as `text(…)`, each placeholder
/// as `delim(NAME)` (the name without the surrounding white space).
fn template(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "regex.template";
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, NAME)?;
    charge_bytes(host, s.len())?;
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find("<<") {
        let Some(close) = rest[open + 2..].find(">>") else {
            break;
        };
        if open > 0 {
            out.push(Value::case("text", Some(Value::str(&rest[..open]))));
        }
        let name = rest[open + 2..open + 2 + close].trim();
        out.push(Value::case("delim", Some(Value::str(name))));
        rest = &rest[open + 2 + close + 2..];
        host.charge(1)?;
    }
    if !rest.is_empty() {
        out.push(Value::case("text", Some(Value::str(rest))));
    }
    Ok(Value::array(out))
}

/// `instantiate(values, parts)`: the texts, and for each `delim(NAME)` the string
/// `values[NAME]` (a number is written in decimal); a missing name is a runtime error.
fn instantiate(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "regex.instantiate";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let Value::Obj(values) = &args[0] else {
        return Err(type_error(NAME, "a map of strings", &args[0]));
    };
    let Value::Array(parts) = &args[1] else {
        return Err(type_error(NAME, "an array of splitResult", &args[1]));
    };
    let mut out = String::new();
    for part in parts.iter() {
        host.charge(1)?;
        let (kind, text) = match part {
            Value::Case(c) => match (&*c.name, &c.arg) {
                (kind @ ("text" | "delim"), Some(Value::Str(t))) => (kind, t),
                _ => return Err(type_error(NAME, "text(…) or delim(…)", part)),
            },
            other => return Err(type_error(NAME, "text(…) or delim(…)", other)),
        };
        if kind == "text" {
            out.push_str(text);
        } else {
            match values.get(text.as_str()) {
                Some(Value::Str(v)) => out.push_str(v),
                Some(n @ (Value::Int(_) | Value::Float(_))) => {
                    out.push_str(&super::number::fmt_number(n))
                }
                Some(other) => return Err(type_error(NAME, "a string value", other)),
                None => {
                    return Err(RtError::runtime(format!(
                        "{NAME}: no value for the placeholder {text:?}"
                    )))
                }
            }
        }
        check_len(NAME, out.len())?;
    }
    Ok(Value::str(out))
}

/// `lex(rules, s)`: from the start of s, the first rule whose pattern matches a non-empty
/// lexeme right there makes `ok(f(lexeme))`; where no rule matches, one `error(message)` ends
/// the stream. The rules' patterns are tried on the rest of the string, so `^` anchors them
/// at the current position. The stream is computed eagerly.
fn lex(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "regex.lex";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let Value::Array(rules) = &args[0] else {
        return Err(type_error(NAME, "an array of lexer rules", &args[0]));
    };
    let mut table = Vec::new();
    for rule in rules.iter() {
        match rule {
            Value::Array(pair) if pair.len() == 2 => {
                table.push((pattern(pair, 0, NAME)?, pair[1].clone()));
            }
            other => return Err(type_error(NAME, "a [pattern, function] rule", other)),
        }
    }
    let s = str_arg(args, 1, NAME)?;
    let mut out = Vec::new();
    let mut at = 0;
    let mut chars = 0usize;
    'next: while at < s.len() {
        let rest = &s[at..];
        charge_bytes(host, rest.len())?;
        for (re, f) in &table {
            if let Some(m) = re.find(rest) {
                if m.start() == 0 && !m.is_empty() {
                    let token = host.call(f, &[Value::str(m.as_str())])?;
                    out.push(Value::case("ok", Some(token)));
                    at += m.end();
                    chars += m.as_str().chars().count();
                    continue 'next;
                }
            }
        }
        out.push(Value::case(
            "error",
            Some(Value::str(format!(
                "{NAME}: no rule matches at position {chars}"
            ))),
        ));
        break;
    }
    host.check_memory()?;
    Ok(Value::Stream(Rc::new(Stream::of_array(out.into()))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natives::test_host::{call, native};
    use crate::value::Obj;

    fn re(p: &str) -> Value {
        call("regex.mustCompile", &[Value::str(p)]).unwrap()
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn r(name: &str, args: &[Value]) -> Value {
        call(&format!("regex.{name}"), args).unwrap()
    }

    fn lit(v: &Value) -> String {
        v.to_string()
    }

    #[test]
    fn compile_and_quote() {
        let ok = r("compile", &[s("a+")]);
        assert!(matches!(&ok, Value::Case(c) if &*c.name == "ok"));
        assert_eq!(lit(&ok), "ok(~regex \"a+\")");
        let err = r("compile", &[s("a(")]);
        assert!(matches!(&err, Value::Case(c) if &*c.name == "error"));
        assert!(call("regex.mustCompile", &[s("[z-a]")]).is_err());
        assert!(r("compile", &[Value::Undefined]).is_undefined());
        assert_eq!(r("quote", &[s("a.b*c (é)")]), s("a\\.b\\*c \\(é\\)"));
        assert_eq!(r("quote", &[s("")]), s(""));
        let quoted = r("quote", &[s("1+1=2? [yes] $5 ^_^ {x} a|b \\")]);
        let p = re(quoted.as_str().unwrap());
        assert_eq!(
            r("match", &[p, s("so 1+1=2? [yes] $5 ^_^ {x} a|b \\ !")]),
            Value::Bool(true)
        );
    }

    #[test]
    fn nested_repetition_is_an_error_as_in_go() {
        for bad in [
            "a**", "a+*", "a?+", "a*??", "a{2}{3}", "a{2}*", "(a)++", "[*]**", "\\d+*",
        ] {
            let err = r("compile", &[s(bad)]);
            assert!(
                matches!(&err, Value::Case(c) if &*c.name == "error"),
                "{bad} should not compile: {}",
                lit(&err)
            );
        }
        assert!(
            lit(&r("compile", &[s("a**")])).contains("invalid nested repetition operator: `**`")
        );
        assert!(call("regex.mustCompile", &[s("a+*")]).is_err());
        for good in [
            "a*?",
            "a+?b*",
            "(a*)*",
            "(?:a+)+",
            "[*+]*",
            "[]*]+",
            "[[:alpha:]*]+",
            "\\**",
            "\\p{Greek}+",
            "\\x{1F535}*",
            "a{2}?",
            "a|b*",
        ] {
            let ok = r("compile", &[s(good)]);
            assert!(
                matches!(&ok, Value::Case(c) if &*c.name == "ok"),
                "{good} should compile: {}",
                lit(&ok)
            );
        }
    }

    #[test]
    fn find_family_uses_character_positions() {
        let p = re("l+");
        assert_eq!(r("find", &[p.clone(), s("héllo")]), s("ll"));
        assert_eq!(r("find", &[p.clone(), s("abc")]), s(""));
        assert_eq!(lit(&r("findIndex", &[p.clone(), s("héllo")])), "[2, 4]");
        assert_eq!(lit(&r("findIndex", &[p.clone(), s("🔵🔵l")])), "[2, 3]");
        assert_eq!(lit(&r("findIndex", &[p.clone(), s("")])), "[-1, -1]");
        let g = re("(é+)(x)?(l)");
        assert_eq!(
            lit(&r("findSubmatch", &[g.clone(), s("héllo")])),
            "[\"él\", \"é\", \"\", \"l\"]"
        );
        assert_eq!(
            lit(&r("findSubmatchIndex", &[g.clone(), s("héllo")])),
            "[1, 3, 1, 2, -1, -1, 2, 3]"
        );
        assert_eq!(lit(&r("findSubmatch", &[g.clone(), s("x")])), "[]");
        assert_eq!(lit(&r("findSubmatchIndex", &[g, s("x")])), "[]");
        assert!(r("find", &[p.clone(), Value::Undefined]).is_undefined());
        assert!(r("find", &[Value::Undefined, s("x")]).is_undefined());
        assert!(call("regex.find", &[s("l+"), s("x")]).is_err());
    }

    #[test]
    fn find_all_family() {
        let p = re("[0-9]+");
        let text = s("a1 é22 🔵333");
        assert_eq!(
            lit(&r("findAll", &[i(-1), p.clone(), text.clone()])),
            "[\"1\", \"22\", \"333\"]"
        );
        assert_eq!(
            lit(&r("findAll", &[i(2), p.clone(), text.clone()])),
            "[\"1\", \"22\"]"
        );
        assert_eq!(lit(&r("findAll", &[i(0), p.clone(), text.clone()])), "[]");
        assert_eq!(
            lit(&r("findAllIndex", &[i(-1), p.clone(), text.clone()])),
            "[[1, 2], [4, 6], [8, 11]]"
        );
        let g = re("([a-zé])([0-9])");
        assert_eq!(
            lit(&r("findAllSubmatch", &[i(-1), g.clone(), s("a1 é2")])),
            "[[\"a1\", \"a\", \"1\"], [\"é2\", \"é\", \"2\"]]"
        );
        assert_eq!(
            lit(&r("findAllSubmatchIndex", &[i(-1), g, s("a1 é2")])),
            "[[0, 2, 0, 1, 1, 2], [3, 5, 3, 4, 4, 5]]"
        );
        assert_eq!(
            lit(&r("findAll", &[i(-1), re("x*"), s("aé")])),
            "[\"\", \"\", \"\"]"
        );
        assert!(r("findAll", &[i(-1), p, Value::Undefined]).is_undefined());
    }

    #[test]
    fn leftmost_first_not_longest() {
        assert_eq!(r("find", &[re("a|ab"), s("ab")]), s("a"));
        assert_eq!(r("match", &[re("^b"), s("ab")]), Value::Bool(false));
        assert_eq!(r("match", &[re("(?i)É"), s("é")]), Value::Bool(true));
    }

    #[test]
    fn replace_all_expands_groups() {
        let p = re("(\\w+)@(\\w+)");
        assert_eq!(
            r(
                "replaceAll",
                &[p.clone(), s("$2 at ${1}x $$ $0"), s("me@host, you@there")]
            ),
            s("host at mex $ me@host, there at youx $ you@there")
        );
        assert_eq!(r("replaceAll", &[re("é"), s("e"), s("héllé")]), s("helle"));
        assert_eq!(r("replaceAll", &[re("x*"), s("-"), s("ab")]), s("-a-b-"));
        assert_eq!(r("replaceAll", &[re("z"), s("-"), s("")]), s(""));
        let named = re("(?P<first>\\w)");
        assert_eq!(
            r("replaceAll", &[named, s("<$first>"), s("ab")]),
            s("<a><b>")
        );
    }

    #[test]
    fn splits_like_go() {
        assert_eq!(
            lit(&r("split", &[re(","), s("a,b,,c")])),
            "[\"a\", \"b\", \"\", \"c\"]"
        );
        assert_eq!(lit(&r("split", &[re(","), s("")])), "[\"\"]");
        assert_eq!(
            lit(&r("split", &[re("a*"), s("abaabaccadaaae")])),
            "[\"\", \"b\", \"b\", \"c\", \"c\", \"d\", \"e\"]"
        );
        assert_eq!(lit(&r("split", &[re(""), s("é🔵")])), "[\"é\", \"🔵\"]");
        assert_eq!(
            lit(&r("boundedSplit", &[i(2), re(","), s("a,b,c")])),
            "[\"a\", \"b,c\"]"
        );
        assert_eq!(lit(&r("boundedSplit", &[i(0), re(","), s("a,b,c")])), "[]");
        assert_eq!(
            lit(&r("boundedSplit", &[i(-1), re(","), s("a,b,c")])),
            "[\"a\", \"b\", \"c\"]"
        );
        assert_eq!(
            lit(&r("fullSplit", &[i(-1), re("[,;]"), s("a,b;;c")])),
            "[text(\"a\"), delim(\",\"), text(\"b\"), delim(\";\"), delim(\";\"), text(\"c\")]"
        );
        assert_eq!(
            lit(&r("fullSplit", &[i(2), re(","), s("é,b,c")])),
            "[text(\"é\"), delim(\",\"), text(\"b,c\")]"
        );
        assert_eq!(lit(&r("fullSplit", &[i(0), re(","), s("a,b")])), "[]");
        assert_eq!(lit(&r("fullSplit", &[i(-1), re(","), s("")])), "[]");
    }

    #[test]
    fn templates() {
        let t = r("template", &[s("Hello << name >>, you owe <<amount>>€.")]);
        assert_eq!(
            lit(&t),
            "[text(\"Hello \"), delim(\"name\"), text(\", you owe \"), delim(\"amount\"), text(\"€.\")]"
        );
        let mut values = Obj::new();
        values.insert("name".into(), s("Zoé"));
        values.insert("amount".into(), Value::Float(2.5));
        assert_eq!(
            r("instantiate", &[Value::obj(values.clone()), t.clone()]),
            s("Hello Zoé, you owe 2.5€.")
        );
        values.remove("amount");
        let err = call("regex.instantiate", &[Value::obj(values), t]).unwrap_err();
        assert!(err.message.contains("\"amount\""), "{}", err.message);
        assert_eq!(lit(&r("template", &[s("")])), "[]");
        assert_eq!(lit(&r("template", &[s("a << b")])), "[text(\"a << b\")]");
        assert!(r("template", &[Value::Undefined]).is_undefined());
    }

    fn collect(v: Value) -> Vec<Value> {
        let Value::Stream(st) = v else {
            panic!("not a stream")
        };
        let mut host = crate::natives::test_host::TestHost::default();
        let mut cursor = st.cursor();
        let mut out = Vec::new();
        while let Some(x) = cursor.next(&mut host).unwrap() {
            out.push(x);
        }
        out
    }

    #[test]
    fn lexes_with_rules() {
        let rules = Value::array(vec![
            Value::array(vec![re("^[0-9]+"), native("number.parseInt")]),
            Value::array(vec![re("^\\s+"), native("string.length")]),
            Value::array(vec![re("^[a-zé]+"), native("string.uppercase")]),
        ]);
        let tokens = collect(r("lex", &[rules.clone(), s("12 é3x")]));
        let shown: Vec<String> = tokens.iter().map(lit).collect();
        assert_eq!(
            shown,
            ["ok(12)", "ok(1)", "ok(\"É\")", "ok(3)", "ok(\"X\")"]
        );
        let tokens = collect(r("lex", &[rules.clone(), s("1 ?")]));
        assert_eq!(tokens.len(), 3);
        assert_eq!(
            lit(&tokens[2]),
            "error(\"regex.lex: no rule matches at position 2\")"
        );
        assert!(collect(r("lex", &[rules, s("")])).is_empty());
        assert!(call("regex.lex", &[Value::array(vec![s("x")]), s("a")]).is_err());
    }
}
