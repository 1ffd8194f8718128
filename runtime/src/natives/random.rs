//! `random` (facts §5.39). The pseudo-random functions draw from SplitMix64 over the host's
//! 64-bit state (`Host::random_state`): deterministic for a given seed, so a host that seeds
//! the state (at session start, or from a test's fixed seed) replays the same sequence.
//! Integers in a range use Lemire's unbiased multiply-and-reject; floats take the top 53 bits.
//! `cryptoRandomString` reads the operating system's generator (`/dev/urandom`) and never
//! touches the seeded state; where that is unavailable it is a run-time error.

use std::io::Read;

use super::common::{arg, def, expected, int};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::value::Value;

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("random.alphabetUpperCase", 0, upper),
        def("random.alphabetLowerCase", 0, lower),
        def("random.digits", 0, digits),
        def("random.hexDigits", 0, hex_digits),
        def("random.alphabetBase64", 0, base64),
        def("random.alphabetBase64URL", 0, base64_url),
        def("random.pseudoRandomInt", 2, pseudo_int),
        def("random.pseudoRandomFloat", 1, pseudo_float),
        def("random.pseudoRandomString", 2, pseudo_string),
        def("random.cryptoRandomString", 2, crypto_string),
    ]
}

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";

fn upper(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(Value::str(UPPER))
}
fn lower(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(Value::str(LOWER))
}
fn digits(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(Value::str(DIGITS))
}
fn hex_digits(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(Value::str("0123456789abcdef"))
}
fn base64(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(Value::str(format!("{UPPER}{LOWER}{DIGITS}+/")))
}
fn base64_url(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(Value::str(format!("{UPPER}{LOWER}{DIGITS}-_")))
}

/// SplitMix64: one step of the state, one output.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform integer in `0..bound` (`bound > 0`) from a source of uniform u64s.
fn below(bound: u64, next: &mut impl FnMut() -> RtResult<u64>) -> RtResult<u64> {
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let m = (next()? as u128) * (bound as u128);
        if (m as u64) >= threshold {
            return Ok((m >> 64) as u64);
        }
    }
}

fn bound(name: &str, v: &Value, up: bool) -> RtResult<i64> {
    match v {
        Value::Float(f) if f.is_finite() => Ok(if up { f.ceil() } else { f.floor() } as i64),
        Value::Float(_) => Err(RtError::runtime(format!(
            "{name}: the bounds must be finite"
        ))),
        other => int(name, other),
    }
}

fn pseudo_int(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "random.pseudoRandomInt";
    if args[0].is_undefined() || args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let lo = bound(NAME, &args[0], true)?;
    let hi = bound(NAME, &args[1], false)?;
    if lo > hi {
        return Err(RtError::runtime(format!(
            "{NAME}: no integer from {} to {}",
            args[0], args[1]
        )));
    }
    let span = (hi as i128 - lo as i128 + 1) as u128;
    let state = host.random_state();
    let offset = if span > u64::MAX as u128 {
        splitmix64(state)
    } else {
        below(span as u64, &mut || Ok(splitmix64(state)))?
    };
    Ok(Value::Int((lo as i128 + offset as i128) as i64))
}

fn pseudo_float(host: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    let x = splitmix64(host.random_state()) >> 11;
    Ok(Value::Float(x as f64 * (1.0 / (1u64 << 53) as f64)))
}

/// The alphabet's characters and the requested length, checked.
fn request(
    name: &str,
    host: &mut dyn Host,
    alphabet: &str,
    n: &Value,
) -> RtResult<(Vec<char>, usize)> {
    let n = int(name, n)?;
    if n < 0 {
        return Err(RtError::runtime(format!("{name}: negative length {n}")));
    }
    if n > 1 << 30 {
        return Err(RtError::runtime(format!("{name}: length {n} is too large")));
    }
    let chars: Vec<char> = alphabet.chars().collect();
    if chars.is_empty() && n > 0 {
        return Err(RtError::runtime(format!("{name}: the alphabet is empty")));
    }
    host.charge(n as u64)?;
    Ok((chars, n as usize))
}

fn pseudo_string(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "random.pseudoRandomString";
    let alphabet = arg!(NAME, &args[0], Str);
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let (chars, n) = request(NAME, host, alphabet, &args[1])?;
    let state = host.random_state();
    let mut out = String::with_capacity(n);
    for _ in 0..n {
        let i = below(chars.len() as u64, &mut || Ok(splitmix64(state)))?;
        out.push(chars[i as usize]);
    }
    Ok(Value::str(out))
}

fn crypto_string(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "random.cryptoRandomString";
    let alphabet = match &args[0] {
        Value::Str(s) => s.as_str(),
        Value::Undefined => return Ok(Value::Undefined),
        other => return Err(expected(NAME, "a string", other)),
    };
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let (chars, n) = request(NAME, host, alphabet, &args[1])?;
    let unavailable =
        |e: std::io::Error| RtError::runtime(format!("{NAME}: no secure random source ({e})"));
    let mut source = std::fs::File::open("/dev/urandom").map_err(unavailable)?;
    let mut buf = [0u8; 8];
    let mut next = || -> RtResult<u64> {
        source.read_exact(&mut buf).map_err(unavailable)?;
        Ok(u64::from_le_bytes(buf))
    };
    let mut out = String::with_capacity(n);
    for _ in 0..n {
        let i = below(chars.len() as u64, &mut next)?;
        out.push(chars[i as usize]);
    }
    Ok(Value::str(out))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::splitmix64;
    use crate::native::Host;
    use crate::natives::test_host::{call, native, TestHost};
    use crate::value::Value;

    #[test]
    fn alphabets() {
        assert_eq!(
            call("random.alphabetUpperCase", &[]),
            Ok(Value::str("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        );
        assert_eq!(
            call("random.alphabetLowerCase", &[]),
            Ok(Value::str("abcdefghijklmnopqrstuvwxyz"))
        );
        assert_eq!(call("random.digits", &[]), Ok(Value::str("0123456789")));
        assert_eq!(
            call("random.hexDigits", &[]),
            Ok(Value::str("0123456789abcdef"))
        );
        let b64 = call("random.alphabetBase64", &[]).unwrap();
        assert_eq!(b64.as_str().map(str::len), Some(64));
        assert!(b64.as_str().unwrap().ends_with("9+/"));
        let url = call("random.alphabetBase64URL", &[]).unwrap();
        assert!(url.as_str().unwrap().ends_with("9-_"));
    }

    #[test]
    fn splitmix_reference_values() {
        // reference outputs of SplitMix64 seeded with 1234567
        let mut s = 1234567u64;
        assert_eq!(splitmix64(&mut s), 6457827717110365317);
        assert_eq!(splitmix64(&mut s), 3203168211198807973);
    }

    #[test]
    fn ints_are_in_range_deterministic_and_cover_it() {
        let mut host = TestHost::default();
        let f = native("random.pseudoRandomInt");
        let mut seen = [false; 7];
        let mut first = Vec::new();
        for _ in 0..500 {
            let v = host.call(&f, &[Value::Int(-3), Value::Int(3)]).unwrap();
            let Value::Int(i) = v else { panic!("{v}") };
            assert!((-3..=3).contains(&i));
            seen[(i + 3) as usize] = true;
            first.push(i);
        }
        assert!(seen.iter().all(|s| *s));
        let mut again = TestHost::default();
        let replay: Vec<i64> = (0..500)
            .map(|_| match again.call(&f, &[Value::Int(-3), Value::Int(3)]) {
                Ok(Value::Int(i)) => i,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(first, replay, "the same seed gives the same sequence");
        assert_eq!(
            host.call(&f, &[Value::Int(5), Value::Int(5)]),
            Ok(Value::Int(5))
        );
        assert_eq!(
            host.call(&f, &[Value::Float(0.5), Value::Float(1.5)]),
            Ok(Value::Int(1))
        );
        assert!(host.call(&f, &[Value::Int(2), Value::Int(1)]).is_err());
        assert!(host
            .call(&f, &[Value::Float(f64::NAN), Value::Int(1)])
            .is_err());
        assert!(host
            .call(&f, &[Value::Undefined, Value::Int(1)])
            .unwrap()
            .is_undefined());
        let Value::Int(_) = host
            .call(&f, &[Value::Int(i64::MIN), Value::Int(i64::MAX)])
            .unwrap()
        else {
            panic!()
        };
    }

    #[test]
    fn floats_are_in_unit_interval() {
        let mut host = TestHost::default();
        let f = native("random.pseudoRandomFloat");
        let mut sum = 0.0;
        for _ in 0..1000 {
            let Value::Float(x) = host.call(&f, &[Value::Null]).unwrap() else {
                panic!()
            };
            assert!((0.0..1.0).contains(&x));
            sum += x;
        }
        assert!((400.0..600.0).contains(&sum));
    }

    #[test]
    fn strings() {
        let mut host = TestHost::default();
        let f = native("random.pseudoRandomString");
        let s = host
            .call(&f, &[Value::str("aé😀"), Value::Int(50)])
            .unwrap();
        let s = s.as_str().unwrap().to_string();
        assert_eq!(s.chars().count(), 50);
        assert!(s.chars().all(|c| "aé😀".contains(c)));
        assert_eq!(
            host.call(&f, &[Value::str(""), Value::Int(0)]),
            Ok(Value::str(""))
        );
        assert!(host
            .call(&f, &[Value::str(""), Value::Int(1)])
            .unwrap_err()
            .message
            .contains("empty"));
        assert!(host
            .call(&f, &[Value::str("ab"), Value::Int(-1)])
            .unwrap_err()
            .message
            .contains("negative"));
        let c = native("random.cryptoRandomString");
        let a = host
            .call(&c, &[Value::str("0123456789abcdef"), Value::Int(32)])
            .unwrap();
        let b = host
            .call(&c, &[Value::str("0123456789abcdef"), Value::Int(32)])
            .unwrap();
        assert_eq!(a.as_str().map(str::len), Some(32));
        assert_ne!(a, b);
        assert!(a.as_str().unwrap().chars().all(|c| c.is_ascii_hexdigit()));
    }
}
