//! Helpers shared by the collection natives (array, set, map, stream, option, result, bitset):
//! argument checks with `undefined` bubbling, conditions, sorting.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::native::Host;
use crate::stream::Stream;
use crate::value::{Obj, Value};

pub(crate) use crate::stream::{condition, total_cmp};

/// The main (collection) argument: the expected variant, `undefined` bubbles out of the native
/// (facts §4.7), anything else is a run-time error naming the native.
macro_rules! arg {
    ($name:expr, $v:expr, Array) => {
        match $v {
            Value::Array(a) => a,
            Value::Undefined => return Ok(Value::Undefined),
            other => return Err($crate::natives::common::expected($name, "an array", other)),
        }
    };
    ($name:expr, $v:expr, Obj) => {
        match $v {
            Value::Obj(m) => m,
            Value::Undefined => return Ok(Value::Undefined),
            other => return Err($crate::natives::common::expected($name, "a map", other)),
        }
    };
    ($name:expr, $v:expr, Str) => {
        match $v {
            Value::Str(s) => s.as_str(),
            Value::Undefined => return Ok(Value::Undefined),
            other => return Err($crate::natives::common::expected($name, "a string", other)),
        }
    };
    ($name:expr, $v:expr, Stream) => {
        match $v {
            Value::Stream(s) => s.clone(),
            Value::Array(a) => std::rc::Rc::new($crate::stream::Stream::of_array(a.clone())),
            Value::Undefined => return Ok(Value::Undefined),
            other => return Err($crate::natives::common::expected($name, "a stream", other)),
        }
    };
    ($name:expr, $v:expr, Int) => {
        match $v {
            Value::Undefined => return Ok(Value::Undefined),
            other => $crate::natives::common::int($name, other)?,
        }
    };
}
pub(crate) use arg;

pub(crate) fn expected(name: &str, what: &str, got: &Value) -> RtError {
    RtError::runtime(format!("{name}: expected {what}, got {}", got.kind()))
}

/// An integral number argument (floats with an integral value count).
pub(crate) fn int(name: &str, v: &Value) -> RtResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) => {
            if f.is_nan() {
                Err(RtError::runtime(format!(
                    "{name}: expected a number, got NaN"
                )))
            } else if f.fract() != 0.0 {
                Err(RtError::runtime(format!(
                    "{name}: expected an integer, got {}",
                    Value::Float(*f)
                )))
            } else {
                // saturating: out-of-range counts and indexes behave like huge ones
                Ok(*f as i64)
            }
        }
        other => Err(expected(name, "a number", other)),
    }
}

/// A count (`firstn`, `skipn`, …): negative counts are 0.
pub(crate) fn count(n: i64) -> usize {
    usize::try_from(n.max(0)).unwrap_or(usize::MAX)
}

pub(crate) fn undefined_in(what: &str) -> RtError {
    RtError::runtime(format!("cannot store undefined in {what}"))
}

/// An element about to be stored in an array: `undefined` is a run-time error.
#[inline]
pub(crate) fn element(v: Value) -> RtResult<Value> {
    if v.is_undefined() {
        Err(undefined_in("an array"))
    } else {
        Ok(v)
    }
}

/// A value about to be stored in a map.
#[inline]
pub(crate) fn entry(v: Value) -> RtResult<Value> {
    if v.is_undefined() {
        Err(undefined_in("a map"))
    } else {
        Ok(v)
    }
}

#[inline]
pub(crate) fn call1(host: &mut dyn Host, f: &Value, x: &Value) -> RtResult<Value> {
    host.call(f, std::slice::from_ref(x))
}

/// Calls a predicate: whether it holds, that is gives exactly `true` (`false` and
/// `undefined` do not hold, as in a condition); anything else is an error naming `name`.
#[inline]
pub(crate) fn holds(host: &mut dyn Host, name: &str, f: &Value, x: &Value) -> RtResult<bool> {
    let c = host.call(f, std::slice::from_ref(x))?;
    Ok(condition(&c, name)? == Some(true))
}

pub(crate) fn key_str(v: Value, name: &str) -> RtResult<Option<Rc<String>>> {
    match v {
        Value::Str(s) => Ok(Some(s)),
        Value::Undefined => Ok(None),
        other => Err(RtError::runtime(format!(
            "{name}: the key is {}, expected a string",
            other.kind()
        ))),
    }
}

pub(crate) fn stream_value(s: Rc<Stream>) -> Value {
    Value::Stream(s)
}

pub(crate) fn new_obj(m: Obj) -> Value {
    Value::Obj(Rc::new(m))
}

/// Finishes building a large value: charges nothing, checks the memory cap.
pub(crate) fn built(host: &mut dyn Host, v: Value) -> RtResult<Value> {
    host.check_memory()?;
    Ok(v)
}

/// How a keyed sort orders its keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKeys {
    /// [`total_cmp`] on the keys.
    Natural,
    /// Strings compared after lower-casing (Unicode); other keys as `Natural`.
    CaseInsensitive,
}

/// Sorts `items` by `key(item)`, stably, ascending or descending. The key function is called
/// once per element. All-integer, all-float and all-string keys take fast paths.
pub(crate) fn sort_by_key(
    host: &mut dyn Host,
    name: &str,
    key: &Value,
    items: &[Value],
    descending: bool,
    mode: SortKeys,
) -> RtResult<Vec<Value>> {
    let n = items.len() as u64;
    host.charge(n + n * (64 - n.leading_zeros() as u64))?;
    let mut keys = Vec::with_capacity(items.len());
    for x in items {
        let mut k = call1(host, key, x)?;
        if mode == SortKeys::CaseInsensitive {
            k = match k {
                Value::Str(s) => Value::str(s.to_lowercase()),
                Value::Undefined => Value::Undefined,
                other => {
                    return Err(RtError::runtime(format!(
                        "{name}: the key is {}, expected a string",
                        other.kind()
                    )))
                }
            };
        }
        keys.push(k);
    }
    let order = sorted_order(&keys, descending);
    let out: Vec<Value> = order
        .into_iter()
        .map(|i| items[i as usize].clone())
        .collect();
    host.check_memory()?;
    Ok(out)
}

/// The stable sorting permutation of `keys`.
fn sorted_order(keys: &[Value], descending: bool) -> Vec<u32> {
    fn finish<K>(
        mut pairs: Vec<(K, u32)>,
        cmp: impl Fn(&K, &K) -> Ordering,
        desc: bool,
    ) -> Vec<u32> {
        if desc {
            pairs.sort_by(|a, b| cmp(&b.0, &a.0));
        } else {
            pairs.sort_by(|a, b| cmp(&a.0, &b.0));
        }
        pairs.into_iter().map(|(_, i)| i).collect()
    }
    if keys.iter().all(|k| matches!(k, Value::Int(_))) {
        let pairs: Vec<(i64, u32)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (if let Value::Int(x) = k { *x } else { 0 }, i as u32))
            .collect();
        return finish(pairs, |a, b| a.cmp(b), descending);
    }
    if keys
        .iter()
        .all(|k| matches!(k, Value::Float(f) if !f.is_nan()))
    {
        let pairs: Vec<(f64, u32)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_f64().unwrap_or(0.0), i as u32))
            .collect();
        return finish(
            pairs,
            |a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal),
            descending,
        );
    }
    if keys.iter().all(|k| matches!(k, Value::Str(_))) {
        let pairs: Vec<(&str, u32)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str().unwrap_or(""), i as u32))
            .collect();
        return finish(pairs, |a, b| a.as_bytes().cmp(b.as_bytes()), descending);
    }
    let pairs: Vec<(&Value, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k, i as u32))
        .collect();
    finish(pairs, |a, b| total_cmp(a, b), descending)
}

/// A stable merge sort with a user relation `greater(a, b)` (`sortBy`): it never assumes the
/// relation is a consistent order, so an inconsistent one gives some permutation rather than a
/// panic. Each comparison is one call.
pub(crate) fn sort_by_greater(
    host: &mut dyn Host,
    name: &str,
    greater: &Value,
    items: Vec<Value>,
) -> RtResult<Vec<Value>> {
    let n = items.len();
    let mut src = items;
    let mut dst: Vec<Value> = Vec::with_capacity(n);
    let mut width = 1;
    while width < n {
        dst.clear();
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            while i < mid && j < hi {
                host.charge(1)?;
                let gt = host.call(greater, &[src[i].clone(), src[j].clone()])?;
                let take_right = match gt {
                    Value::Bool(b) => b,
                    Value::Undefined => false,
                    other => {
                        return Err(RtError::runtime(format!(
                            "{name}: the relation gave {}, expected a bool",
                            other.kind()
                        )))
                    }
                };
                if take_right {
                    dst.push(src[j].clone());
                    j += 1;
                } else {
                    dst.push(src[i].clone());
                    i += 1;
                }
            }
            dst.extend_from_slice(&src[i..mid]);
            dst.extend_from_slice(&src[j..hi]);
            lo = hi;
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    Ok(src)
}

/// Index of the least (or greatest) value in `keys`; the first one on ties.
pub(crate) fn extreme(keys: impl Iterator<Item = Value>, max: bool) -> Option<(usize, Value)> {
    let mut best: Option<(usize, Value)> = None;
    for (i, k) in keys.enumerate() {
        let better = match &best {
            None => true,
            Some((_, b)) => {
                let o = total_cmp(&k, b);
                if max {
                    o == Ordering::Greater
                } else {
                    o == Ordering::Less
                }
            }
        };
        if better {
            best = Some((i, k));
        }
    }
    best
}

/// The message of an `error(e)` for `fail`: a string as it is, anything else printed.
pub(crate) fn error_message(e: &Value) -> String {
    match e {
        Value::Str(s) => s.to_string(),
        other => crate::print::literal(other),
    }
}

/// `ok(v)` / `error(e)` views of a result value.
pub(crate) enum Res<'a> {
    Ok(&'a Value),
    Err,
}

pub(crate) fn result_view<'a>(name: &str, v: &'a Value) -> RtResult<Res<'a>> {
    if let Value::Case(c) = v {
        match (&*c.name, &c.arg) {
            ("ok", Some(x)) => return Ok(Res::Ok(x)),
            ("error", Some(_)) => return Ok(Res::Err),
            _ => {}
        }
    }
    Err(expected(name, "a result", v))
}

pub(crate) fn ok(v: Value) -> Value {
    Value::case("ok", Some(v))
}

/// A native's table entry.
pub(crate) const fn def(
    name: &'static str,
    arity: u8,
    f: crate::native::NativeFn,
) -> crate::native::NativeDef {
    crate::native::NativeDef {
        name,
        arity,
        f: crate::native::NativeCode::Borrows(f),
    }
}

/// A table entry for a native that may take its arguments (see [`crate::native::TakingFn`]).
pub(crate) const fn def_taking(
    name: &'static str,
    arity: u8,
    f: crate::native::TakingFn,
) -> crate::native::NativeDef {
    crate::native::NativeDef {
        name,
        arity,
        f: crate::native::NativeCode::Takes(f),
    }
}

/// A host for the natives' unit tests whose function values may also be Rust closures
/// ([`testkit::func`]), so higher-order natives can be tested with arbitrary functions.
#[cfg(test)]
pub(crate) mod testkit {
    use std::rc::Rc;

    use crate::error::{RtError, RtResult};
    use crate::native::Host;
    use crate::natives::test_host::{native, TestHost};
    use crate::value::{HostObject, Value};

    type TestFn = Rc<dyn Fn(&[Value]) -> RtResult<Value>>;

    /// A function value running a Rust closure (it receives all the arguments of the call).
    pub fn func(f: impl Fn(&[Value]) -> RtResult<Value> + 'static) -> Value {
        let f: TestFn = Rc::new(f);
        Value::Host(Rc::new(HostObject::Other("test-fn", Box::new(f))))
    }

    /// `x -> f(x)` for a one-argument closure over a single value.
    pub fn f1(f: impl Fn(&Value) -> Value + 'static) -> Value {
        func(move |a| Ok(f(&a[0])))
    }

    /// `(x, y) -> f(x, y)`.
    pub fn f2(f: impl Fn(&Value, &Value) -> Value + 'static) -> Value {
        func(move |a| Ok(f(&a[0], &a[1])))
    }

    pub fn int(v: &Value) -> i64 {
        v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
    }

    #[derive(Default)]
    pub struct FnHost {
        pub inner: TestHost,
    }

    impl FnHost {
        /// Calls a native by qualified name with all its arguments.
        pub fn run(&mut self, name: &str, args: &[Value]) -> RtResult<Value> {
            self.call(&native(name), args)
        }
    }

    /// Calls a native by name directly with the given host (whose `charge` then sees the
    /// native's own charges).
    pub fn run_with(host: &mut dyn Host, name: &str, args: &[Value]) -> RtResult<Value> {
        let index = crate::vm::native_index(name).unwrap_or_else(|| panic!("no native {name}"));
        crate::vm::native_table()[index].call(host, args)
    }

    /// Calls a native with a fresh [`FnHost`].
    pub fn run(name: &str, args: &[Value]) -> RtResult<Value> {
        FnHost::default().run(name, args)
    }

    /// Calls a native that must succeed.
    pub fn ok(name: &str, args: &[Value]) -> Value {
        run(name, args).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Calls a native that must fail; its message.
    pub fn err(name: &str, args: &[Value]) -> String {
        match run(name, args) {
            Ok(v) => panic!("{name} should fail, gave {v}"),
            Err(e) => e.message.clone(),
        }
    }

    /// A map of these entries.
    pub fn map_of(pairs: &[(&str, Value)]) -> Value {
        let mut o = crate::value::Obj::new();
        for (k, v) in pairs {
            o.insert((*k).into(), v.clone());
        }
        Value::obj(o)
    }

    pub fn ints(v: &[i64]) -> Value {
        Value::array(v.iter().map(|&i| Value::Int(i)).collect())
    }

    pub fn strs(v: &[&str]) -> Value {
        Value::array(v.iter().map(|&s| Value::str(s)).collect())
    }

    /// The elements of a stream value.
    pub fn read(v: &Value) -> RtResult<Value> {
        let Value::Stream(s) = v else {
            panic!("not a stream: {v}")
        };
        Ok(Value::array(s.collect(&mut FnHost::default())?))
    }

    impl Host for FnHost {
        fn call(&mut self, function: &Value, args: &[Value]) -> RtResult<Value> {
            match function {
                Value::Host(h) => match &**h {
                    HostObject::Other("test-fn", b) => match b.downcast_ref::<TestFn>() {
                        Some(f) => f(args),
                        None => Err(RtError::runtime("bad test function")),
                    },
                    _ => Err(RtError::runtime("not a function")),
                },
                Value::Func(_) => {
                    crate::natives::test_host::call_native_value(self, function, args)
                }
                _ => Err(RtError::runtime("not a function")),
            }
        }
        fn charge(&mut self, steps: u64) -> RtResult<()> {
            self.inner.charge(steps)
        }
        fn check_memory(&mut self) -> RtResult<()> {
            self.inner.check_memory()
        }
        fn random_state(&mut self) -> &mut u64 {
            self.inner.random_state()
        }
        fn now_millis(&mut self) -> i64 {
            self.inner.now_millis()
        }
        fn log(&mut self, line: &str) {
            self.inner.log(line)
        }
        fn database(&mut self) -> &mut crate::db::Database {
            self.inner.database()
        }
    }
}
