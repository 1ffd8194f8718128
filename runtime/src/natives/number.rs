//! `number` (facts §5.3). Integers stay integers while the result is integral and fits an
//! `i64` (spec §5); `div` and `rem`/`mod` give floats like `/` and `%`. An undefined argument
//! gives `undefined` (facts §4.7); a non-number argument is a runtime error.

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::Value;

use super::string::{check_len, str_arg};

pub fn natives() -> Vec<NativeDef> {
    defs![
        "number.add" 2 add,
        "number.sub" 2 sub,
        "number.mul" 2 mul,
        "number.div" 2 div,
        "number.rem" 2 rem,
        "number.mod" 2 modulo,
        "number.neg" 1 neg,
        "number.round" 1 round,
        "number.trunc" 1 trunc,
        "number.floor" 1 floor,
        "number.ceil" 1 ceil,
        "number.divInt" 2 div_int,
        "number.remInt" 2 rem_int,
        "number.modInt" 2 mod_int,
        "number.abs" 1 abs,
        "number.min" 2 min,
        "number.max" 2 max,
        "number.acos" 1 |h, a| math(h, a, "number.acos", f64::acos),
        "number.acosh" 1 |h, a| math(h, a, "number.acosh", f64::acosh),
        "number.asin" 1 |h, a| math(h, a, "number.asin", f64::asin),
        "number.asinh" 1 |h, a| math(h, a, "number.asinh", f64::asinh),
        "number.atan" 1 |h, a| math(h, a, "number.atan", f64::atan),
        "number.atanh" 1 |h, a| math(h, a, "number.atanh", f64::atanh),
        "number.cos" 1 |h, a| math(h, a, "number.cos", f64::cos),
        "number.cosh" 1 |h, a| math(h, a, "number.cosh", f64::cosh),
        "number.sin" 1 |h, a| math(h, a, "number.sin", f64::sin),
        "number.sinh" 1 |h, a| math(h, a, "number.sinh", f64::sinh),
        "number.tan" 1 |h, a| math(h, a, "number.tan", f64::tan),
        "number.tanh" 1 |h, a| math(h, a, "number.tanh", f64::tanh),
        "number.exp" 1 |h, a| math(h, a, "number.exp", f64::exp),
        "number.expm1" 1 |h, a| math(h, a, "number.expm1", f64::exp_m1),
        "number.log" 1 |h, a| math(h, a, "number.log", f64::ln),
        "number.log10" 1 |h, a| math(h, a, "number.log10", f64::log10),
        "number.log1p" 1 |h, a| math(h, a, "number.log1p", f64::ln_1p),
        "number.sqrt" 1 |h, a| math(h, a, "number.sqrt", f64::sqrt),
        "number.copysign" 2 copysign,
        "number.hypot" 2 hypot,
        "number.pow" 2 pow,
        "number.toString" 1 to_string,
        "number.format" 2 format,
        "number.formatHexInt" 2 format_hex_int,
        "number.parseInt" 1 |h, a| parsed(h, a, "number.parseInt", parse_int, false),
        "number.parseIntResult" 1 |h, a| parsed(h, a, "number.parseIntResult", parse_int, true),
        "number.parseHex" 1 |h, a| parsed(h, a, "number.parseHex", parse_hex, false),
        "number.parseHexResult" 1 |h, a| parsed(h, a, "number.parseHexResult", parse_hex, true),
        "number.parse" 1 |h, a| parsed(h, a, "number.parse", parse_number, false),
        "number.parseResult" 1 |h, a| parsed(h, a, "number.parseResult", parse_number, true),
        "number.bitTest" 2 bit_test,
        "number.bitSet" 2 bit_set,
        "number.bitClear" 2 bit_clear,
        "number.bitAnd" 2 |h, a| bitwise(h, a, "number.bitAnd", |x, y| x & y),
        "number.bitOr" 2 |h, a| bitwise(h, a, "number.bitOr", |x, y| x | y),
        "number.bitXor" 2 |h, a| bitwise(h, a, "number.bitXor", |x, y| x ^ y),
    ]
}

// ----- helpers shared with the other natives of this crate -----

/// The error for an argument of the wrong kind: `number.abs: expected a number, got string`.
pub(crate) fn type_error(name: &str, expected: &str, got: &Value) -> RtError {
    RtError::runtime(format!("{name}: expected {expected}, got {}", got.kind()))
}

/// Whether any argument is undefined (then the native gives undefined).
pub(crate) fn any_undefined(args: &[Value]) -> bool {
    args.iter().any(Value::is_undefined)
}

pub(crate) fn num_arg(args: &[Value], i: usize, name: &str) -> RtResult<f64> {
    args[i]
        .as_f64()
        .ok_or_else(|| type_error(name, "a number", &args[i]))
}

/// An integral number argument (a float with an integral value counts).
pub(crate) fn int_arg(args: &[Value], i: usize, name: &str) -> RtResult<i64> {
    match &args[i] {
        Value::Int(n) => Ok(*n),
        Value::Float(f) => args[i].as_i64().ok_or_else(|| {
            RtError::runtime(format!("{name}: expected an integer, got {}", fmt_f64(*f)))
        }),
        other => Err(type_error(name, "an integer", other)),
    }
}

/// A float result as a value: integral values in the `i64` range become integers.
pub(crate) fn integral(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.2e18 {
        Value::Int(x as i64)
    } else {
        Value::Float(x)
    }
}

/// The decimal text of a number, JavaScript style: integral floats without `.0`, an exponent
/// from 1e21 and below 1e-6, `NaN`, `Infinity`, `-Infinity`.
pub(crate) fn fmt_number(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => fmt_f64(*f),
        other => other.to_string(),
    }
}

pub(crate) fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e21 || x.abs() < 1e-6 {
        let s = format!("{x:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    } else {
        format!("{x}")
    }
}

fn ok(v: Value) -> Value {
    Value::case("ok", Some(v))
}

fn error(msg: String) -> Value {
    Value::case("error", Some(Value::str(msg)))
}

// ----- arithmetic -----

fn arith(
    args: &[Value],
    name: &str,
    int: fn(i64, i64) -> Option<i64>,
    float: fn(f64, f64) -> f64,
) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    if let (Value::Int(a), Value::Int(b)) = (&args[0], &args[1]) {
        if let Some(r) = int(*a, *b) {
            return Ok(Value::Int(r));
        }
    }
    let a = num_arg(args, 0, name)?;
    let b = num_arg(args, 1, name)?;
    Ok(Value::Float(float(a, b)))
}

fn add(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.add", i64::checked_add, |a, b| a + b)
}

fn sub(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.sub", i64::checked_sub, |a, b| a - b)
}

fn mul(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.mul", i64::checked_mul, |a, b| a * b)
}

fn div(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.div", |_, _| None, |a, b| a / b)
}

fn rem_f(a: f64, b: f64) -> f64 {
    a % b
}

fn mod_f(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 && (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    }
}

fn rem(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.rem", |_, _| None, rem_f)
}

fn modulo(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.mod", |_, _| None, mod_f)
}

fn unary(
    args: &[Value],
    name: &str,
    int: fn(i64) -> Option<i64>,
    float: fn(f64) -> f64,
) -> RtResult<Value> {
    match &args[0] {
        Value::Undefined => Ok(Value::Undefined),
        Value::Int(i) => Ok(int(*i).map_or_else(|| Value::Float(float(*i as f64)), Value::Int)),
        Value::Float(f) => Ok(Value::Float(float(*f))),
        other => Err(type_error(name, "a number", other)),
    }
}

fn neg(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    unary(args, "number.neg", i64::checked_neg, |x| -x)
}

fn abs(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    unary(args, "number.abs", i64::checked_abs, f64::abs)
}

fn rounding(args: &[Value], name: &str, f: fn(f64) -> f64) -> RtResult<Value> {
    match &args[0] {
        Value::Undefined => Ok(Value::Undefined),
        Value::Int(i) => Ok(Value::Int(*i)),
        Value::Float(x) => Ok(integral(f(*x))),
        other => Err(type_error(name, "a number", other)),
    }
}

fn round(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounding(args, "number.round", f64::round)
}

fn trunc(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounding(args, "number.trunc", f64::trunc)
}

fn floor(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounding(args, "number.floor", f64::floor)
}

fn ceil(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounding(args, "number.ceil", f64::ceil)
}

fn rounded_arith(
    args: &[Value],
    name: &str,
    int: fn(i64, i64) -> Option<i64>,
    float: fn(f64, f64) -> f64,
) -> RtResult<Value> {
    match arith(args, name, int, float)? {
        Value::Float(x) => Ok(integral(x)),
        other => Ok(other),
    }
}

fn div_int(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounded_arith(args, "number.divInt", i64::checked_div, |a, b| {
        (a / b).trunc()
    })
}

fn rem_int(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounded_arith(args, "number.remInt", i64::checked_rem, |a, b| {
        rem_f(a, b).trunc()
    })
}

fn mod_int(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    rounded_arith(
        args,
        "number.modInt",
        |a, b| {
            a.checked_rem_euclid(b)
                .map(|r| if b < 0 && r != 0 { r + b } else { r })
        },
        |a, b| mod_f(a, b).floor(),
    )
}

fn min_max(args: &[Value], name: &str, want_less: bool) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let a = num_arg(args, 0, name)?;
    let b = num_arg(args, 1, name)?;
    if a.is_nan() || b.is_nan() {
        return Ok(Value::Float(f64::NAN));
    }
    let first = if want_less { a <= b } else { a >= b };
    Ok(args[if first { 0 } else { 1 }].clone())
}

fn min(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(args, "number.min", true)
}

fn max(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(args, "number.max", false)
}

fn math(_: &mut dyn Host, args: &[Value], name: &str, f: fn(f64) -> f64) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::Float(f(num_arg(args, 0, name)?)))
}

fn copysign(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.copysign", |_, _| None, f64::copysign)
}

fn hypot(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(args, "number.hypot", |_, _| None, f64::hypot)
}

fn pow(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    arith(
        args,
        "number.pow",
        |a, b| u32::try_from(b).ok().and_then(|b| a.checked_pow(b)),
        f64::powf,
    )
}

// ----- conversions -----

fn to_string(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Undefined => Ok(Value::Undefined),
        v @ (Value::Int(_) | Value::Float(_)) => Ok(Value::str(fmt_number(v))),
        other => Err(type_error("number.toString", "a number", other)),
    }
}

struct FormatOptions {
    pattern: String,
    decimal: String,
    group: String,
    plus: String,
    minus: String,
}

fn format_options(v: &Value) -> RtResult<FormatOptions> {
    const NAME: &str = "number.format";
    let mut o = FormatOptions {
        pattern: "-#.###############".into(),
        decimal: ".".into(),
        group: ",".into(),
        plus: "+".into(),
        minus: "-".into(),
    };
    let fields = match v {
        Value::Null => return Ok(o),
        Value::Obj(fields) => fields,
        other => return Err(type_error(NAME, "an options record", other)),
    };
    for (k, v) in fields.iter() {
        let text = || {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| RtError::runtime(format!("{NAME}: option {k} must be a string")))
        };
        match &**k {
            "locale" => {
                let locale = text()?;
                if locale != "en-US" {
                    return Err(RtError::runtime(format!(
                        "{NAME}: unsupported locale {locale:?} (only \"en-US\")"
                    )));
                }
            }
            "format" => o.pattern = text()?,
            "decimal" => o.decimal = text()?,
            "group" => o.group = text()?,
            "plusSign" => o.plus = text()?,
            "minusSign" => o.minus = text()?,
            other => {
                return Err(RtError::runtime(format!("{NAME}: unknown option {other}")));
            }
        }
    }
    Ok(o)
}

/// `format(options, n)`. The pattern: an optional sign (`+`: always a sign, `-` or nothing: a
/// sign for negative numbers only), the integer part (`0` a required digit, `#` an optional
/// one, `,` anywhere in it turns on grouping by three), then optionally `.` and the fraction
/// (`0` required digits, `#` optional ones; the number is rounded half away from zero to their
/// total).
fn format(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "number.format";
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let x = num_arg(args, 1, NAME)?;
    let o = format_options(&args[0])?;
    let mut pat = o.pattern.as_str();
    let always_sign = pat.starts_with('+');
    if pat.starts_with('+') || pat.starts_with('-') {
        pat = &pat[1..];
    }
    let (int_pat, frac_pat) = pat.split_once('.').unwrap_or((pat, ""));
    let bad = |c: char| !matches!(c, '0' | '#' | ',');
    if int_pat.chars().any(bad) || frac_pat.chars().any(|c| c != '0' && c != '#') {
        return Err(RtError::runtime(format!(
            "{NAME}: bad pattern {:?} (characters + - 0 # . , only)",
            o.pattern
        )));
    }
    let min_int = int_pat.chars().filter(|&c| c == '0').count();
    let grouping = int_pat.contains(',');
    let max_frac = frac_pat.len();
    let min_frac = frac_pat.chars().filter(|&c| c == '0').count();
    if min_int > 1000 || max_frac > 1000 {
        return Err(RtError::runtime(format!(
            "{NAME}: the pattern asks for more than 1000 digits"
        )));
    }
    host.charge((min_int + max_frac) as u64)?;
    let sign = if x < 0.0 {
        o.minus.as_str()
    } else if always_sign && !x.is_nan() {
        o.plus.as_str()
    } else {
        ""
    };
    if x.is_nan() {
        return Ok(Value::str("NaN"));
    }
    if x.is_infinite() {
        return Ok(Value::str(format!("{sign}Infinity")));
    }
    let digits = fixed(x.abs(), max_frac);
    let (int_digits, frac_digits) = digits.split_once('.').unwrap_or((&digits, ""));
    let frac_digits = frac_digits.trim_end_matches('0');
    let mut frac = frac_digits.to_string();
    while frac.len() < min_frac {
        frac.push('0');
    }
    let int_digits = int_digits.trim_start_matches('0');
    let mut int = String::new();
    for _ in int_digits.len()..min_int {
        int.push('0');
    }
    int.push_str(int_digits);
    if grouping {
        let chars: Vec<char> = int.chars().collect();
        let mut groups: Vec<String> = chars.rchunks(3).map(|g| g.iter().collect()).collect();
        groups.reverse();
        let grouped = groups.join(&o.group);
        int = grouped;
    }
    if int.is_empty() {
        int.push('0');
    }
    let zero = int.chars().all(|c| c == '0') && frac.chars().all(|c| c == '0');
    let sign = match (zero, always_sign) {
        (true, true) => o.plus.as_str(),
        (true, false) => "",
        (false, _) => sign,
    };
    let mut out = format!("{sign}{int}");
    if !frac.is_empty() {
        out.push_str(&o.decimal);
        out.push_str(&frac);
    }
    Ok(Value::str(out))
}

/// `x` (non-negative, finite) with `digits` fraction digits, rounded half away from zero.
fn fixed(x: f64, digits: usize) -> String {
    if digits <= 15 {
        let scale = 10f64.powi(digits as i32);
        let scaled = x * scale;
        if scaled < 1e15 && scaled.fract() == 0.5 {
            let n = scaled.floor() as u64 + 1;
            let s = format!("{n:0width$}", width = digits + 1);
            let (i, f) = s.split_at(s.len() - digits);
            return if digits == 0 {
                i.to_string()
            } else {
                format!("{i}.{f}")
            };
        }
    }
    format!("{x:.digits$}")
}

fn format_hex_int(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "number.formatHexInt";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let min_len = int_arg(args, 0, NAME)?;
    let x = int_arg(args, 1, NAME)?;
    let min_len = usize::try_from(min_len.max(0)).unwrap_or(usize::MAX);
    check_len(NAME, min_len)?;
    host.charge(min_len as u64)?;
    let digits = format!("{:x}", x.unsigned_abs());
    let sign = if x < 0 { "-" } else { "" };
    Ok(Value::str(format!("{sign}{digits:0>min_len$}")))
}

fn parsed(
    _: &mut dyn Host,
    args: &[Value],
    name: &str,
    parse: fn(&str) -> Result<Value, String>,
    as_result: bool,
) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, name)?;
    match (parse(s), as_result) {
        (Ok(v), false) => Ok(v),
        (Ok(v), true) => Ok(ok(v)),
        (Err(m), false) => Err(RtError::runtime(format!("{name}: {m}"))),
        (Err(m), true) => Ok(error(m)),
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn shown(s: &str) -> String {
    let short: String = s.chars().take(40).collect();
    if short.len() < s.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}

/// A decimal integer: optional sign and ASCII digits, surrounding white space allowed.
fn parse_int(s: &str) -> Result<Value, String> {
    let t = s.trim();
    let (negative, digits) = split_sign(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not an integer: {}", shown(s)));
    }
    let text = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    text.parse::<i64>()
        .map(Value::Int)
        .map_err(|_| format!("integer out of range: {}", shown(s)))
}

/// A hexadecimal integer: optional sign, optional `0x`, hex digits.
fn parse_hex(s: &str) -> Result<Value, String> {
    let t = s.trim();
    let (negative, rest) = split_sign(t);
    let digits = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))
        .unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("not a hexadecimal integer: {}", shown(s)));
    }
    let magnitude = u64::from_str_radix(digits, 16)
        .map_err(|_| format!("integer out of range: {}", shown(s)))?;
    let value = if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    value
        .map(Value::Int)
        .ok_or_else(|| format!("integer out of range: {}", shown(s)))
}

/// A decimal number: `[+-]digits[.digits][e[+-]digits]` (also `.5`, `5.`), `NaN`,
/// `Infinity`, `-Infinity`. Integers that fit an `i64` stay integers.
fn parse_number(s: &str) -> Result<Value, String> {
    let t = s.trim();
    match t {
        "NaN" => return Ok(Value::Float(f64::NAN)),
        "Infinity" | "+Infinity" => return Ok(Value::Float(f64::INFINITY)),
        "-Infinity" => return Ok(Value::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let (_, body) = split_sign(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let (_, e) = split_sign(e);
        !e.is_empty() && digits_ok(e)
    });
    if (int_part.is_empty() && frac_part.is_empty())
        || !digits_ok(int_part)
        || !digits_ok(frac_part)
        || !exponent_ok
    {
        return Err(format!("not a number: {}", shown(s)));
    }
    if !mantissa.contains('.') && exponent.is_none() {
        if let Ok(i) = t.trim_start_matches('+').parse::<i64>() {
            return Ok(Value::Int(i));
        }
    }
    t.parse::<f64>()
        .map(Value::Float)
        .map_err(|_| format!("not a number: {}", shown(s)))
}

// ----- bits -----

fn bits_arg(args: &[Value], i: usize, name: &str) -> RtResult<u32> {
    let n = int_arg(args, i, name)?;
    Ok(n as u32)
}

fn bit_index(args: &[Value], name: &str) -> RtResult<u32> {
    let n = int_arg(args, 0, name)?;
    if !(0..32).contains(&n) {
        return Err(RtError::runtime(format!("{name}: bit {n} is not in 0-31")));
    }
    Ok(n as u32)
}

fn bit_test(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "number.bitTest";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let bit = bit_index(args, NAME)?;
    Ok(Value::Bool(bits_arg(args, 1, NAME)? & (1 << bit) != 0))
}

fn bit_set(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "number.bitSet";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let bit = bit_index(args, NAME)?;
    Ok(Value::Int((bits_arg(args, 1, NAME)? | (1 << bit)) as i64))
}

fn bit_clear(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "number.bitClear";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let bit = bit_index(args, NAME)?;
    Ok(Value::Int((bits_arg(args, 1, NAME)? & !(1 << bit)) as i64))
}

fn bitwise(
    _: &mut dyn Host,
    args: &[Value],
    name: &str,
    f: fn(u32, u32) -> u32,
) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::Int(
        f(bits_arg(args, 0, name)?, bits_arg(args, 1, name)?) as i64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::natives::test_host::call;
    use crate::value::Obj;

    fn n(name: &str, args: &[Value]) -> Value {
        call(&format!("number.{name}"), args).unwrap()
    }

    fn f(x: f64) -> Value {
        Value::Float(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn close(v: Value, want: f64) {
        let got = v.as_f64().expect("a number");
        assert!((got - want).abs() < 1e-9, "{got} != {want}");
    }

    fn is_int(v: &Value, want: i64) -> bool {
        matches!(v, Value::Int(x) if *x == want)
    }

    #[test]
    fn arithmetic_keeps_integers_until_overflow() {
        assert!(is_int(&n("add", &[i(2), i(3)]), 5));
        assert!(matches!(n("add", &[i(i64::MAX), i(1)]), Value::Float(x) if x == 2f64.powi(63)));
        assert!(is_int(&n("sub", &[i(2), i(3)]), -1));
        assert!(is_int(&n("mul", &[i(-4), i(3)]), -12));
        assert!(matches!(n("mul", &[i(i64::MAX), i(2)]), Value::Float(_)));
        assert!(matches!(n("add", &[i(1), f(0.5)]), Value::Float(x) if x == 1.5));
        assert!(matches!(n("div", &[i(6), i(3)]), Value::Float(x) if x == 2.0));
        assert!(matches!(n("div", &[i(1), i(0)]), Value::Float(x) if x == f64::INFINITY));
        assert!(is_int(&n("neg", &[i(5)]), -5));
        assert!(matches!(n("neg", &[i(i64::MIN)]), Value::Float(x) if x == 2f64.powi(63)));
        assert!(is_int(&n("abs", &[i(-5)]), 5));
        assert_eq!(n("abs", &[f(-2.5)]), f(2.5));
    }

    #[test]
    fn rem_and_mod_follow_the_signs() {
        close(n("rem", &[f(-12.3), f(5.5)]), -1.3);
        close(n("mod", &[f(-12.3), f(5.5)]), 4.2);
        close(n("mod", &[f(12.3), f(-5.5)]), -4.2);
        assert!(matches!(n("rem", &[i(7), i(2)]), Value::Float(x) if x == 1.0));
        assert!(n("rem", &[i(7), i(0)]).as_f64().unwrap().is_nan());
        assert!(is_int(&n("divInt", &[i(7), i(2)]), 3));
        assert!(is_int(&n("divInt", &[i(-7), i(2)]), -3));
        assert!(is_int(&n("divInt", &[f(7.5), f(2.0)]), 3));
        assert!(matches!(n("divInt", &[i(1), i(0)]), Value::Float(x) if x.is_infinite()));
        assert!(is_int(&n("remInt", &[i(-7), i(2)]), -1));
        assert!(is_int(&n("modInt", &[i(-7), i(2)]), 1));
        assert!(is_int(&n("modInt", &[i(7), i(-2)]), -1));
        assert!(is_int(&n("modInt", &[f(-12.3), f(5.5)]), 4));
        assert!(is_int(&n("remInt", &[f(-12.3), f(5.5)]), -1));
    }

    #[test]
    fn rounding() {
        assert!(is_int(&n("round", &[f(2.5)]), 3));
        assert!(is_int(&n("round", &[f(-2.5)]), -3));
        assert!(is_int(&n("trunc", &[f(-2.7)]), -2));
        assert!(is_int(&n("floor", &[f(-2.1)]), -3));
        assert!(is_int(&n("ceil", &[f(2.1)]), 3));
        assert!(is_int(&n("ceil", &[i(7)]), 7));
        assert!(n("round", &[f(f64::NAN)]).as_f64().unwrap().is_nan());
        assert!(matches!(n("floor", &[f(1e300)]), Value::Float(x) if x == 1e300));
    }

    #[test]
    fn min_max_and_math() {
        assert!(is_int(&n("min", &[i(3), i(-2)]), -2));
        assert!(is_int(&n("max", &[i(3), f(-2.0)]), 3));
        assert!(n("max", &[f(f64::NAN), i(1)]).as_f64().unwrap().is_nan());
        close(n("sqrt", &[i(16)]), 4.0);
        assert!(n("sqrt", &[i(-1)]).as_f64().unwrap().is_nan());
        close(n("cos", &[i(0)]), 1.0);
        close(n("sin", &[i(0)]), 0.0);
        close(n("tan", &[i(0)]), 0.0);
        close(n("acos", &[i(1)]), 0.0);
        close(n("asin", &[i(1)]), std::f64::consts::FRAC_PI_2);
        close(n("atan", &[i(1)]), std::f64::consts::FRAC_PI_4);
        close(n("cosh", &[i(0)]), 1.0);
        close(n("sinh", &[i(0)]), 0.0);
        close(n("tanh", &[i(0)]), 0.0);
        close(n("acosh", &[i(1)]), 0.0);
        close(n("asinh", &[i(0)]), 0.0);
        close(n("atanh", &[i(0)]), 0.0);
        close(n("exp", &[i(1)]), std::f64::consts::E);
        close(n("expm1", &[f(1e-10)]), 1e-10);
        close(n("log", &[f(std::f64::consts::E)]), 1.0);
        close(n("log10", &[i(1000)]), 3.0);
        close(n("log1p", &[f(1e-10)]), 1e-10);
        assert_eq!(n("log", &[i(0)]), f(f64::NEG_INFINITY));
        close(n("copysign", &[i(3), i(-1)]), -3.0);
        close(n("hypot", &[i(3), i(4)]), 5.0);
        assert!(is_int(&n("pow", &[i(2), i(10)]), 1024));
        close(n("pow", &[i(2), i(-1)]), 0.5);
        close(n("pow", &[f(4.0), f(0.5)]), 2.0);
        assert!(matches!(n("pow", &[i(10), i(30)]), Value::Float(x) if x == 1e30));
    }

    #[test]
    fn undefined_bubbles_and_bad_arguments_fail() {
        for name in [
            "add", "sub", "mul", "div", "rem", "mod", "min", "max", "pow", "bitAnd",
        ] {
            assert!(n(name, &[Value::Undefined, i(1)]).is_undefined(), "{name}");
            assert!(n(name, &[i(1), Value::Undefined]).is_undefined(), "{name}");
        }
        for name in ["neg", "abs", "round", "floor", "sqrt", "toString", "parse"] {
            assert!(n(name, &[Value::Undefined]).is_undefined(), "{name}");
        }
        let err = call("number.add", &[i(1), s("x")]).unwrap_err();
        assert_eq!(err.message, "number.add: expected a number, got string");
        assert!(call("number.floor", &[Value::Null]).is_err());
    }

    #[test]
    fn to_string_is_javascript_like() {
        assert_eq!(n("toString", &[i(42)]), s("42"));
        assert_eq!(n("toString", &[i(i64::MIN)]), s("-9223372036854775808"));
        assert_eq!(n("toString", &[f(2.5)]), s("2.5"));
        assert_eq!(n("toString", &[f(3.0)]), s("3"));
        assert_eq!(n("toString", &[f(-0.0)]), s("0"));
        assert_eq!(n("toString", &[f(0.1 + 0.2)]), s("0.30000000000000004"));
        assert_eq!(n("toString", &[f(1e21)]), s("1e+21"));
        assert_eq!(n("toString", &[f(1.5e-7)]), s("1.5e-7"));
        assert_eq!(n("toString", &[f(f64::NAN)]), s("NaN"));
        assert_eq!(n("toString", &[f(f64::NEG_INFINITY)]), s("-Infinity"));
    }

    fn opts(pairs: &[(&str, &str)]) -> Value {
        let mut o = Obj::new();
        for (k, v) in pairs {
            o.insert((*k).into(), s(v));
        }
        Value::obj(o)
    }

    #[test]
    fn format_with_patterns() {
        assert_eq!(n("format", &[Value::Null, f(3.25)]), s("3.25"));
        assert_eq!(n("format", &[Value::Null, i(-7)]), s("-7"));
        assert_eq!(n("format", &[Value::Null, f(0.1 + 0.2)]), s("0.3"));
        let p = opts(&[("format", "#,##0.00")]);
        assert_eq!(n("format", &[p.clone(), f(1234567.891)]), s("1,234,567.89"));
        assert_eq!(n("format", &[p.clone(), f(0.5)]), s("0.50"));
        assert_eq!(n("format", &[p.clone(), f(-1234.5)]), s("-1,234.50"));
        let p = opts(&[("format", "+0.#")]);
        assert_eq!(n("format", &[p.clone(), f(2.25)]), s("+2.3"));
        assert_eq!(n("format", &[p.clone(), f(2.0)]), s("+2"));
        assert_eq!(n("format", &[p, f(-0.01)]), s("+0"));
        assert_eq!(n("format", &[Value::Null, f(-0.0)]), s("0"));
        let p = opts(&[("format", "#"), ("locale", "en-US")]);
        assert_eq!(n("format", &[p.clone(), f(2.5)]), s("3"));
        assert_eq!(n("format", &[p, f(-2.5)]), s("-3"));
        let p = opts(&[
            ("format", "+#,###.00"),
            ("decimal", ","),
            ("group", "."),
            ("plusSign", "(+)"),
            ("minusSign", "(-)"),
        ]);
        assert_eq!(n("format", &[p.clone(), f(1234.5)]), s("(+)1.234,50"));
        assert_eq!(n("format", &[p, f(-1234.5)]), s("(-)1.234,50"));
        let p = opts(&[("format", "000")]);
        assert_eq!(n("format", &[p, i(7)]), s("007"));
        assert_eq!(n("format", &[Value::Null, f(f64::NAN)]), s("NaN"));
        assert_eq!(
            n("format", &[Value::Null, f(f64::NEG_INFINITY)]),
            s("-Infinity")
        );
        assert!(n("format", &[Value::Null, Value::Undefined]).is_undefined());
        assert!(call("number.format", &[opts(&[("locale", "fr-FR")]), i(1)]).is_err());
        assert!(call("number.format", &[opts(&[("format", "#x")]), i(1)]).is_err());
        assert!(call("number.format", &[opts(&[("colour", "red")]), i(1)]).is_err());
        let long = format!("0.{}", "0".repeat(2000));
        assert!(call("number.format", &[opts(&[("format", &long)]), i(1)]).is_err());
        let p = opts(&[("format", "#,##0.00")]);
        assert_eq!(
            n("format", &[p, f(1e20)]),
            s("100,000,000,000,000,000,000.00")
        );
    }

    #[test]
    fn format_hex_int() {
        assert_eq!(n("formatHexInt", &[i(4), i(255)]), s("00ff"));
        assert_eq!(n("formatHexInt", &[i(0), i(0)]), s("0"));
        assert_eq!(n("formatHexInt", &[i(1), i(-255)]), s("-ff"));
        assert_eq!(
            n("formatHexInt", &[i(0), i(i64::MIN)]),
            s("-8000000000000000")
        );
        assert!(call("number.formatHexInt", &[i(0), f(1.5)]).is_err());
        assert!(call("number.formatHexInt", &[i(1 << 40), i(1)]).is_err());
    }

    #[test]
    fn parsing() {
        assert!(is_int(&n("parseInt", &[s("42")]), 42));
        assert!(is_int(&n("parseInt", &[s(" -17 ")]), -17));
        assert!(is_int(&n("parseInt", &[s("+3")]), 3));
        assert!(call("number.parseInt", &[s("1.5")]).is_err());
        assert!(call("number.parseInt", &[s("")]).is_err());
        assert!(call("number.parseInt", &[s("٣")]).is_err());
        let err = call("number.parseInt", &[s("99999999999999999999")]).unwrap_err();
        assert!(err.message.contains("out of range"), "{}", err.message);
        assert_eq!(
            n("parseIntResult", &[s("x1")]),
            Value::case("error", Some(s("not an integer: \"x1\"")))
        );
        assert_eq!(
            n("parseIntResult", &[s("12")]),
            Value::case("ok", Some(i(12)))
        );
        assert!(is_int(&n("parseHex", &[s("ff")]), 255));
        assert!(is_int(&n("parseHex", &[s("0xFF")]), 255));
        assert!(is_int(&n("parseHex", &[s("-0x10")]), -16));
        assert!(is_int(&n("parseHex", &[s("-8000000000000000")]), i64::MIN));
        assert!(call("number.parseHex", &[s("ffffffffffffffff")]).is_err());
        assert!(call("number.parseHex", &[s("0xg")]).is_err());
        assert!(matches!(n("parseHexResult", &[s("")]), Value::Case(c) if &*c.name == "error"));
        assert!(is_int(&n("parse", &[s("12")]), 12));
        assert_eq!(n("parse", &[s("-2.5e3")]), f(-2500.0));
        assert_eq!(n("parse", &[s(".5")]), f(0.5));
        assert_eq!(n("parse", &[s("5.")]), f(5.0));
        assert!(matches!(n("parse", &[s("1e400")]), Value::Float(x) if x == f64::INFINITY));
        assert!(matches!(n("parse", &[s("99999999999999999999")]), Value::Float(x) if x == 1e20));
        assert!(n("parse", &[s("NaN")]).as_f64().unwrap().is_nan());
        assert_eq!(n("parse", &[s("-Infinity")]), f(f64::NEG_INFINITY));
        for bad in ["", "abc", "1e", "1.2.3", "--1", "0x10", "1 2", "."] {
            assert!(call("number.parse", &[s(bad)]).is_err(), "{bad}");
        }
        assert_eq!(n("parseResult", &[s("7")]), Value::case("ok", Some(i(7))));
        assert!(call("number.parse", &[i(1)]).is_err());
    }

    #[test]
    fn bits() {
        assert_eq!(n("bitTest", &[i(0), i(5)]), Value::Bool(true));
        assert_eq!(n("bitTest", &[i(1), i(5)]), Value::Bool(false));
        assert_eq!(n("bitTest", &[i(31), i(-1)]), Value::Bool(true));
        assert!(is_int(&n("bitSet", &[i(31), i(0)]), 1 << 31));
        assert!(is_int(&n("bitSet", &[i(1), i(5)]), 7));
        assert!(is_int(&n("bitClear", &[i(0), i(5)]), 4));
        assert!(is_int(&n("bitAnd", &[i(12), i(10)]), 8));
        assert!(is_int(&n("bitOr", &[i(12), i(10)]), 14));
        assert!(is_int(&n("bitXor", &[i(12), i(10)]), 6));
        assert!(is_int(&n("bitOr", &[i(-1), i(0)]), 0xffff_ffff));
        assert!(call("number.bitSet", &[i(32), i(0)]).is_err());
        assert!(call("number.bitTest", &[i(-1), i(0)]).is_err());
        assert!(call("number.bitAnd", &[f(1.5), i(0)]).is_err());
    }
}
