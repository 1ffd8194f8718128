//! `array` (facts §5.10): immutable arrays. The main (last) argument `undefined` bubbles out
//! (facts §4.7); `null` counts as an empty array for `length` and `keys` only. Higher-order
//! natives call the function once per element (no per-element allocation beyond the result)
//! and charge one step per element up front; results that are new arrays are checked against
//! the memory cap. A function result of `undefined` cannot become an element (run-time error);
//! a condition of `undefined` does not hold (filters drop the element).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::common::{
    arg, built, call1, count, def, def_taking, element, expected, extreme, holds, int, key_str, ok,
    result_view, sort_by_greater, sort_by_key, stream_value, Res, SortKeys,
};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::{Op, Stream};
use crate::value::{Array, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("array.empty", 0, empty),
        def("array.singleton", 1, singleton),
        def("array.length", 1, length),
        def("array.get", 2, get),
        def("array.safeGet", 2, safe_get),
        def_taking("array.set", 3, set),
        def_taking("array.add", 2, add),
        def_taking("array.map", 2, map),
        def("array.map2", 3, map2),
        def_taking("array.indexedMap", 2, indexed_map),
        def("array.indexedMap2", 3, indexed_map2),
        def("array.indexOnlyMap", 2, index_only_map),
        def("array.flatMap", 2, flat_map),
        def("array.flatten", 1, flatten),
        def("array.zip", 2, zip),
        def("array.partition", 2, partition),
        def_taking("array.filter", 2, filter),
        def_taking("array.indexedFilter", 2, indexed_filter),
        def("array.deduplicateKeepFirst", 2, dedup_first),
        def("array.deduplicateKeepLast", 2, dedup_last),
        def("array.reduce", 3, reduce),
        def("array.reduceRight", 3, reduce_right),
        def("array.indexedReduce", 3, indexed_reduce),
        def("array.indexedReduceRight", 3, reduce_right),
        def("array.andThen", 2, and_then),
        def("array.minIndex", 1, min_index),
        def("array.minValue", 1, min_value),
        def("array.maxIndex", 1, max_index),
        def("array.maxValue", 1, max_value),
        def("array.minIndexBy", 2, min_index_by),
        def("array.minValueBy", 2, min_value_by),
        def("array.maxIndexBy", 2, max_index_by),
        def("array.maxValueBy", 2, max_value_by),
        def("array.initialize", 2, initialize),
        def("array.enumerate", 1, enumerate),
        def("array.keys", 1, keys),
        def("array.rev", 1, rev),
        def("array.indexRange", 1, index_range),
        def("array.indexRangeRev", 1, index_range_rev),
        def("array.valueRange", 1, to_stream),
        def("array.valueRangeRev", 1, value_range_rev),
        def("array.iter", 2, iter),
        def("array.exists", 2, exists),
        def("array.forAll", 2, for_all),
        def("array.find", 2, find),
        def("array.findIndex", 2, find_index),
        def("array.findMapped", 2, find_mapped),
        def("array.findIndexMapped", 2, find_index_mapped),
        def("array.contains", 2, contains),
        def("array.featuresOne", 2, features_one),
        def("array.featuresAll", 2, features_all),
        def("array.first", 1, first),
        def("array.last", 1, last),
        def("array.firstWithDefault", 2, first_with_default),
        def("array.lastWithDefault", 2, last_with_default),
        def("array.skip", 1, skip),
        def("array.skipn", 2, skipn),
        def("array.firstn", 2, firstn),
        def("array.lastn", 2, lastn),
        def("array.grouped", 2, grouped),
        def("array.merge", 4, merge),
        def("array.sort", 2, sort),
        def("array.sort_ci", 2, sort_ci),
        def("array.dirSort", 3, dir_sort),
        def("array.dirSort_ci", 3, dir_sort_ci),
        def("array.sortBy", 2, sort_by),
        def("array.sortLike", 3, sort_like),
        def("array.innerJoin", 5, inner_join),
        def("array.toStream", 1, to_stream),
        def("array.toStreamPairs", 1, to_stream_pairs),
    ]
}

/// Arrays longer than this are refused rather than attempted (`enumerate(1e15)`).
const MAX_LEN: i64 = 1 << 32;

fn too_long(name: &str, n: i64) -> RtResult<()> {
    if n > MAX_LEN {
        return Err(RtError::runtime(format!(
            "{name}: {n} elements is too many"
        )));
    }
    Ok(())
}

fn arr(v: Vec<Value>) -> Value {
    Value::array(v)
}

fn idx(i: usize) -> Value {
    Value::Int(i as i64)
}

fn empty(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(arr(Vec::new()))
}

fn singleton(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(arr(vec![element(args[0].clone())?]))
}

fn length(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Null => Ok(Value::Int(0)),
        v => Ok(idx(arg!("array.length", v, Array).len())),
    }
}

/// An index argument as a position in `0..len`, or `None` when out of range.
fn position(name: &str, k: &Value, len: usize) -> RtResult<Option<usize>> {
    let k = int(name, k)?;
    Ok(usize::try_from(k).ok().filter(|&k| k < len))
}

fn get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.get", &args[1], Array);
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    match position("array.get", &args[0], a.len())? {
        Some(k) => Ok(a[k].clone()),
        None => Err(RtError::runtime(format!(
            "array.get: index {} out of range (length {})",
            args[0],
            a.len()
        ))),
    }
}

fn safe_get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Value::Array(a) = &args[1] else {
        return Ok(Value::Undefined);
    };
    match &args[0] {
        Value::Int(_) | Value::Float(_) => {
            let k = args[0].as_i64().and_then(|k| usize::try_from(k).ok());
            Ok(k.and_then(|k| a.get(k))
                .cloned()
                .unwrap_or(Value::Undefined))
        }
        _ => Ok(Value::Undefined),
    }
}

/// Takes its array: one held nowhere else (`xs = array.set(i, v, xs)`, where the compiler
/// moves `xs` into the call) is updated in place, so setting every element in a loop is linear.
fn set(host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
    let [index, value, array] = args else {
        return Err(RtError::runtime("array.set takes 3 arguments"));
    };
    let a = arg!("array.set", array, Array);
    if index.is_undefined() {
        return Ok(Value::Undefined);
    }
    let v = element(std::mem::take(value))?;
    let Some(k) = position("array.set", index, a.len())? else {
        return Err(RtError::runtime(format!(
            "array.set: index {index} out of range (length {})",
            a.len()
        )));
    };
    if let Some(items) = a.get_mut() {
        host.charge(1)?;
        items[k] = v;
        return Ok(std::mem::take(array));
    }
    host.charge(a.len() as u64)?;
    let mut out = a.to_vec();
    out[k] = v;
    built(host, arr(out))
}

/// Takes its arrays: a first array held nowhere else (`xs = array.add(xs, ys)`, where the
/// compiler moves `xs` into the call) is extended in place, as `xs + ys` is.
fn add(host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
    let [first, second] = args else {
        return Err(RtError::runtime("array.add takes 2 arguments"));
    };
    let a = arg!("array.add", first, Array);
    let b = arg!("array.add", second, Array);
    if b.is_empty() {
        return Ok(std::mem::take(first));
    }
    if a.is_empty() {
        return Ok(std::mem::take(second));
    }
    host.charge(b.len() as u64)?;
    if let Some(items) = a.get_mut() {
        items.extend_from_slice(b);
        return built(host, std::mem::take(first));
    }
    host.charge(a.len() as u64)?;
    let mut out = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    built(host, arr(out))
}

/// The function and the array of a taking native's `(f, a)` arguments.
fn function_and_array(args: &mut [Value]) -> (&Value, &mut Value) {
    match args {
        [f, a] => (f, a),
        _ => unreachable!("the natives' arity is 2"),
    }
}

/// `array.map` and `array.indexedMap`: each element replaced by `result(host, index, element)`.
/// An array held nowhere else (the caller moved it here) is updated in place.
fn mapped(
    host: &mut dyn Host,
    name: &str,
    arg: &mut Value,
    mut result: impl FnMut(&mut dyn Host, usize, &Value) -> RtResult<Value>,
) -> RtResult<Value> {
    let a = arg!(name, arg, Array);
    host.charge(a.len() as u64)?;
    if let Some(items) = a.get_mut() {
        for (i, x) in items.iter_mut().enumerate() {
            *x = element(result(host, i, x)?)?;
        }
        return built(host, std::mem::take(arg));
    }
    let mut out = Vec::with_capacity(a.len());
    for (i, x) in a.iter().enumerate() {
        out.push(element(result(host, i, x)?)?);
    }
    built(host, arr(out))
}

fn map(host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
    let (f, arg) = function_and_array(args);
    mapped(host, "array.map", arg, |host, _, x| call1(host, f, x))
}

fn same_length(name: &str, a: &[Value], b: &[Value]) -> RtResult<()> {
    if a.len() != b.len() {
        return Err(RtError::runtime(format!(
            "{name}: the arrays have different lengths ({} and {})",
            a.len(),
            b.len()
        )));
    }
    Ok(())
}

fn map2(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.map2", &args[1], Array);
    let b = arg!("array.map2", &args[2], Array);
    same_length("array.map2", a, b)?;
    host.charge(a.len() as u64)?;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b.iter()) {
        out.push(element(host.call(f, &[x.clone(), y.clone()])?)?);
    }
    built(host, arr(out))
}

fn indexed_map(host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
    let (f, arg) = function_and_array(args);
    mapped(host, "array.indexedMap", arg, |host, i, x| {
        host.call(f, &[idx(i), x.clone()])
    })
}

fn indexed_map2(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.indexedMap2", &args[1], Array);
    let b = arg!("array.indexedMap2", &args[2], Array);
    same_length("array.indexedMap2", a, b)?;
    host.charge(a.len() as u64)?;
    let mut out = Vec::with_capacity(a.len());
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        out.push(element(host.call(f, &[idx(i), x.clone(), y.clone()])?)?);
    }
    built(host, arr(out))
}

fn index_only_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.indexOnlyMap", &args[1], Array);
    host.charge(a.len() as u64)?;
    let mut out = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        out.push(element(host.call(f, &[idx(i)])?)?);
    }
    built(host, arr(out))
}

fn flat_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.flatMap", &args[1], Array);
    host.charge(a.len() as u64)?;
    let mut out = Vec::new();
    for x in a.iter() {
        match call1(host, f, x)? {
            Value::Array(part) => {
                host.charge(part.len() as u64)?;
                // A part the function just built is ours alone: move its elements.
                out.extend(part.into_vec());
            }
            other => {
                return Err(expected(
                    "array.flatMap: the function's result",
                    "an array",
                    &other,
                ))
            }
        }
    }
    built(host, arr(out))
}

fn flatten(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.flatten", &args[0], Array);
    let mut total = 0;
    for part in a.iter() {
        match part {
            Value::Array(p) => total += p.len(),
            other => return Err(expected("array.flatten: an element", "an array", other)),
        }
    }
    host.charge(total as u64 + a.len() as u64)?;
    let mut out = Vec::with_capacity(total);
    for part in a.iter() {
        if let Value::Array(p) = part {
            out.extend_from_slice(p);
        }
    }
    built(host, arr(out))
}

fn zip(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.zip", &args[0], Array);
    let b = arg!("array.zip", &args[1], Array);
    same_length("array.zip", a, b)?;
    host.charge(a.len() as u64)?;
    let out = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| arr(vec![x.clone(), y.clone()]))
        .collect();
    built(host, arr(out))
}

fn partition(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.partition", &args[1], Array);
    host.charge(a.len() as u64)?;
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for x in a.iter() {
        if holds(host, "array.partition", f, x)? {
            yes.push(x.clone());
        } else {
            no.push(x.clone());
        }
    }
    built(host, arr(vec![arr(yes), arr(no)]))
}

/// `array.filter` and `array.indexedFilter`: the elements for which `keeps(host, index,
/// element)`. An array held nowhere else (the caller moved it here) is filtered in place.
fn filtered(
    host: &mut dyn Host,
    name: &str,
    arg: &mut Value,
    mut keeps: impl FnMut(&mut dyn Host, usize, &Value) -> RtResult<bool>,
) -> RtResult<Value> {
    let a = arg!(name, arg, Array);
    host.charge(a.len() as u64)?;
    if let Some(items) = a.get_mut() {
        // The kept elements move to the front.
        let mut kept = 0;
        for i in 0..items.len() {
            if keeps(host, i, &items[i])? {
                items.swap(kept, i);
                kept += 1;
            }
        }
        items.truncate(kept);
        // As a growing vector would, keep at most four times the room the elements need.
        if items.len() < items.capacity() / 4 {
            items.shrink_to_fit();
        }
        return Ok(std::mem::take(arg));
    }
    let mut out = Vec::new();
    for (i, x) in a.iter().enumerate() {
        if keeps(host, i, x)? {
            out.push(x.clone());
        }
    }
    if out.len() == a.len() {
        return Ok(arg.clone());
    }
    built(host, arr(out))
}

fn filter(host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
    let (f, arg) = function_and_array(args);
    filtered(host, "array.filter", arg, |host, _, x| {
        holds(host, "array.filter", f, x)
    })
}

fn indexed_filter(host: &mut dyn Host, args: &mut [Value]) -> RtResult<Value> {
    let (f, arg) = function_and_array(args);
    filtered(host, "array.indexedFilter", arg, |host, i, x| {
        let c = host.call(f, &[idx(i), x.clone()])?;
        Ok(crate::stream::condition(&c, "array.indexedFilter")? == Some(true))
    })
}

/// The string keys of the elements (`None` for an `undefined` key: such elements are kept).
fn string_keys(
    host: &mut dyn Host,
    name: &str,
    f: &Value,
    a: &[Value],
) -> RtResult<Vec<Option<Rc<String>>>> {
    host.charge(a.len() as u64)?;
    a.iter()
        .map(|x| key_str(call1(host, f, x)?, name))
        .collect()
}

fn dedup_first(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.deduplicateKeepFirst", &args[1], Array);
    let keys = string_keys(host, "array.deduplicateKeepFirst", &args[0], a)?;
    let mut seen = HashSet::new();
    let out = a
        .iter()
        .zip(keys.iter())
        .filter(|(_, k)| k.as_ref().is_none_or(|k| seen.insert(k.as_str())))
        .map(|(x, _)| x.clone())
        .collect();
    built(host, arr(out))
}

fn dedup_last(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.deduplicateKeepLast", &args[1], Array);
    let keys = string_keys(host, "array.deduplicateKeepLast", &args[0], a)?;
    Ok(arr(keep_last(a, &keys)))
}

/// The elements whose key does not occur again later, in order.
pub(crate) fn keep_last(a: &[Value], keys: &[Option<Rc<String>>]) -> Vec<Value> {
    let mut seen = HashSet::new();
    let mut keep = vec![false; a.len()];
    for (i, k) in keys.iter().enumerate().rev() {
        keep[i] = k.as_ref().is_none_or(|k| seen.insert(k.as_str()));
    }
    a.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(x, _)| x.clone())
        .collect()
}

fn reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.reduce", &args[2], Array);
    host.charge(a.len() as u64)?;
    let mut acc = args[1].clone();
    for x in a.iter() {
        acc = host.call_moving(f, &mut [x.clone(), acc])?;
    }
    Ok(acc)
}

fn reduce_right(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.reduceRight", &args[2], Array);
    host.charge(a.len() as u64)?;
    let mut acc = args[1].clone();
    for x in a.iter().rev() {
        acc = host.call_moving(f, &mut [x.clone(), acc])?;
    }
    Ok(acc)
}

fn indexed_reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let a = arg!("array.indexedReduce", &args[2], Array);
    host.charge(a.len() as u64)?;
    let mut acc = args[1].clone();
    for (i, x) in a.iter().enumerate() {
        acc = host.call_moving(f, &mut [idx(i), x.clone(), acc])?;
    }
    Ok(acc)
}

fn and_then(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let a = match result_view("array.andThen", &args[1])? {
        Res::Err => return Ok(args[1].clone()),
        Res::Ok(Value::Array(a)) => a,
        Res::Ok(other) => return Err(expected("array.andThen", "ok(array)", other)),
    };
    host.charge(a.len() as u64)?;
    let mut out = Vec::with_capacity(a.len());
    for x in a.iter() {
        let r = call1(host, f, x)?;
        match result_view("array.andThen: the function's result", &r)? {
            Res::Ok(v) => out.push(element(v.clone())?),
            Res::Err => return Ok(r),
        }
    }
    built(host, ok(arr(out)))
}

fn min_max(host: &mut dyn Host, a: &[Value], max: bool, want_index: bool) -> RtResult<Value> {
    host.charge(a.len() as u64)?;
    Ok(match extreme(a.iter().cloned(), max) {
        None => Value::Undefined,
        Some((i, v)) => {
            if want_index {
                idx(i)
            } else {
                v
            }
        }
    })
}

fn min_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, arg!("array.minIndex", &args[0], Array), false, true)
}
fn min_value(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, arg!("array.minValue", &args[0], Array), false, false)
}
fn max_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, arg!("array.maxIndex", &args[0], Array), true, true)
}
fn max_value(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, arg!("array.maxValue", &args[0], Array), true, false)
}

fn min_max_by(
    host: &mut dyn Host,
    f: &Value,
    a: &[Value],
    max: bool,
    want_index: bool,
) -> RtResult<Value> {
    host.charge(a.len() as u64)?;
    let keys = a
        .iter()
        .map(|x| call1(host, f, x))
        .collect::<RtResult<Vec<Value>>>()?;
    Ok(match extreme(keys.into_iter(), max) {
        None => Value::Undefined,
        Some((i, _)) => {
            if want_index {
                idx(i)
            } else {
                a[i].clone()
            }
        }
    })
}

fn min_index_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max_by(
        host,
        &args[0],
        arg!("array.minIndexBy", &args[1], Array),
        false,
        true,
    )
}
fn min_value_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max_by(
        host,
        &args[0],
        arg!("array.minValueBy", &args[1], Array),
        false,
        false,
    )
}
fn max_index_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max_by(
        host,
        &args[0],
        arg!("array.maxIndexBy", &args[1], Array),
        true,
        true,
    )
}
fn max_value_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max_by(
        host,
        &args[0],
        arg!("array.maxValueBy", &args[1], Array),
        true,
        false,
    )
}

fn initialize(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let n = arg!("array.initialize", &args[0], Int);
    too_long("array.initialize", n)?;
    let n = count(n);
    host.charge(n as u64)?;
    let f = &args[1];
    let mut out = Vec::with_capacity(n.min(1 << 20));
    for i in 0..n {
        out.push(element(host.call(f, &[idx(i)])?)?);
        if i & 0xffff == 0xffff {
            host.check_memory()?;
        }
    }
    built(host, arr(out))
}

fn enumerate(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let n = arg!("array.enumerate", &args[0], Int);
    too_long("array.enumerate", n)?;
    let n = count(n);
    host.charge(n as u64)?;
    host.check_memory()?;
    built(host, arr((0..n).map(idx).collect()))
}

fn keys(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let n = match &args[0] {
        Value::Null => 0,
        v => arg!("array.keys", v, Array).len(),
    };
    host.charge(n as u64)?;
    built(host, arr((0..n).map(idx).collect()))
}

fn rev(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.rev", &args[0], Array);
    host.charge(a.len() as u64)?;
    built(host, arr(a.iter().rev().cloned().collect()))
}

fn index_range(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.indexRange", &args[0], Array);
    Ok(stream_value(Rc::new(Stream::Range {
        start: 0,
        end: Some(a.len() as i64),
        step: 1,
    })))
}

fn index_range_rev(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.indexRangeRev", &args[0], Array);
    Ok(stream_value(Rc::new(Stream::Range {
        start: a.len() as i64 - 1,
        end: Some(-1),
        step: -1,
    })))
}

fn to_stream(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.toStream", &args[0], Array);
    Ok(stream_value(Rc::new(Stream::of_array(a.clone()))))
}

fn value_range_rev(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.valueRangeRev", &args[0], Array);
    Ok(stream_value(Rc::new(Stream::SliceRev {
        items: a.clone(),
        start: 0,
        end: a.len(),
    })))
}

fn to_stream_pairs(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.toStreamPairs", &args[0], Array);
    let src = Rc::new(Stream::of_array(a.clone()));
    Ok(stream_value(Stream::stage(Op::Pairs { src })?))
}

fn iter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.iter", &args[1], Array);
    host.charge(a.len() as u64)?;
    for x in a.iter() {
        call1(host, &args[0], x)?;
    }
    Ok(Value::Null)
}

fn exists(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.exists", &args[1], Array);
    host.charge(a.len() as u64)?;
    for x in a.iter() {
        if holds(host, "array.exists", &args[0], x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn for_all(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.forAll", &args[1], Array);
    host.charge(a.len() as u64)?;
    for x in a.iter() {
        if !holds(host, "array.forAll", &args[0], x)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn find(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.find", &args[1], Array);
    host.charge(a.len() as u64)?;
    for x in a.iter() {
        if holds(host, "array.find", &args[0], x)? {
            return Ok(x.clone());
        }
    }
    Ok(Value::Undefined)
}

fn find_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.findIndex", &args[1], Array);
    host.charge(a.len() as u64)?;
    for (i, x) in a.iter().enumerate() {
        if holds(host, "array.findIndex", &args[0], x)? {
            return Ok(idx(i));
        }
    }
    Ok(Value::Undefined)
}

fn find_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.findMapped", &args[1], Array);
    host.charge(a.len() as u64)?;
    for x in a.iter() {
        let v = call1(host, &args[0], x)?;
        if !v.is_undefined() {
            return Ok(v);
        }
    }
    Ok(Value::Undefined)
}

fn find_index_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.findIndexMapped", &args[1], Array);
    host.charge(a.len() as u64)?;
    for (i, x) in a.iter().enumerate() {
        let v = host.call(&args[0], &[idx(i), x.clone()])?;
        if !v.is_undefined() {
            return Ok(v);
        }
    }
    Ok(Value::Undefined)
}

fn contains(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.contains", &args[1], Array);
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    host.charge(a.len() as u64)?;
    Ok(Value::Bool(a.iter().any(|x| *x == args[0])))
}

/// Whether `hay` contains `needle`, with a hashed index when both sides are all strings.
struct Membership<'a> {
    strings: Option<HashSet<&'a str>>,
    items: &'a [Value],
}

impl<'a> Membership<'a> {
    fn new(items: &'a [Value]) -> Membership<'a> {
        let strings = if items.len() > 8 && items.iter().all(|v| matches!(v, Value::Str(_))) {
            Some(items.iter().filter_map(Value::as_str).collect())
        } else {
            None
        };
        Membership { strings, items }
    }

    fn has(&self, v: &Value) -> bool {
        match (&self.strings, v) {
            (Some(set), Value::Str(s)) => set.contains(s.as_str()),
            (Some(_), _) => false,
            (None, _) => self.items.iter().any(|x| x == v),
        }
    }
}

fn features(host: &mut dyn Host, name: &str, args: &[Value], all: bool) -> RtResult<Value> {
    let a = arg!(name, &args[0], Array);
    let b = arg!(name, &args[1], Array);
    host.charge((a.len() + b.len()) as u64)?;
    if !all && a.len() < b.len() {
        let m = Membership::new(b);
        host.charge(
            (a.len() as u64).saturating_mul(if m.strings.is_some() {
                1
            } else {
                b.len() as u64
            }) / 8,
        )?;
        return Ok(Value::Bool(a.iter().any(|x| m.has(x))));
    }
    let m = Membership::new(a);
    host.charge(
        (b.len() as u64).saturating_mul(if m.strings.is_some() {
            1
        } else {
            a.len() as u64
        }) / 8,
    )?;
    Ok(Value::Bool(if all {
        b.iter().all(|x| m.has(x))
    } else {
        b.iter().any(|x| m.has(x))
    }))
}

fn features_one(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    features(host, "array.featuresOne", args, false)
}

fn features_all(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    features(host, "array.featuresAll", args, true)
}

fn first(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.first", &args[0], Array);
    a.first()
        .cloned()
        .ok_or_else(|| RtError::runtime("array.first: the array is empty"))
}

fn last(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.last", &args[0], Array);
    a.last()
        .cloned()
        .ok_or_else(|| RtError::runtime("array.last: the array is empty"))
}

fn first_with_default(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.firstWithDefault", &args[1], Array);
    Ok(a.first().cloned().unwrap_or_else(|| args[0].clone()))
}

fn last_with_default(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.lastWithDefault", &args[1], Array);
    Ok(a.last().cloned().unwrap_or_else(|| args[0].clone()))
}

/// Part of an array: shared with it where it is long (see [`Array::view`]), so taking the
/// rest again and again in a recursion stays linear. A copy is charged per element.
fn slice(host: &mut dyn Host, a: &Array, from: usize, to: usize) -> RtResult<Value> {
    let part = a.view(from, to);
    if part.is_view() || Array::ptr_eq(&part, a) {
        host.charge(1)?;
        return Ok(Value::Array(part));
    }
    host.charge(part.len() as u64)?;
    built(host, Value::Array(part))
}

fn skip(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.skip", &args[0], Array);
    slice(host, a, 1, a.len())
}

fn skipn(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.skipn", &args[1], Array);
    let n = count(arg!("array.skipn", &args[0], Int));
    slice(host, a, n, a.len())
}

fn firstn(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.firstn", &args[1], Array);
    let n = count(arg!("array.firstn", &args[0], Int));
    slice(host, a, 0, n)
}

fn lastn(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.lastn", &args[1], Array);
    let n = count(arg!("array.lastn", &args[0], Int));
    slice(host, a, a.len().saturating_sub(n), a.len())
}

fn grouped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.grouped", &args[1], Array);
    host.charge(a.len() as u64)?;
    let mut groups = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut key = Value::Undefined;
    for x in a.iter() {
        let k = call1(host, &args[0], x)?;
        if !current.is_empty() && k != key {
            groups.push(arr(std::mem::take(&mut current)));
        }
        key = k;
        current.push(x.clone());
    }
    if !current.is_empty() {
        groups.push(arr(current));
    }
    built(host, arr(groups))
}

fn merge(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let (ka, kb) = (&args[0], &args[1]);
    let a = arg!("array.merge", &args[2], Array);
    let b = arg!("array.merge", &args[3], Array);
    host.charge((a.len() + b.len()) as u64)?;
    let keys_a = a
        .iter()
        .map(|x| call1(host, ka, x))
        .collect::<RtResult<Vec<_>>>()?;
    let keys_b = b
        .iter()
        .map(|x| call1(host, kb, x))
        .collect::<RtResult<Vec<_>>>()?;
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if crate::stream::total_cmp(&keys_b[j], &keys_a[i]) == std::cmp::Ordering::Less {
            out.push(b[j].clone());
            j += 1;
        } else {
            out.push(a[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    built(host, arr(out))
}

fn keyed_sort(
    host: &mut dyn Host,
    name: &str,
    key: &Value,
    v: &Value,
    desc: bool,
    mode: SortKeys,
) -> RtResult<Value> {
    let a = arg!(name, v, Array);
    let out = sort_by_key(host, name, key, a, desc, mode)?;
    Ok(arr(out))
}

fn sort(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    keyed_sort(
        host,
        "array.sort",
        &args[0],
        &args[1],
        false,
        SortKeys::Natural,
    )
}

fn sort_ci(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    keyed_sort(
        host,
        "array.sort_ci",
        &args[0],
        &args[1],
        false,
        SortKeys::CaseInsensitive,
    )
}

fn direction(name: &str, v: &Value) -> RtResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(expected(name, "a bool", other)),
    }
}

fn dir_sort(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let desc = direction("array.dirSort", &args[0])?;
    keyed_sort(
        host,
        "array.dirSort",
        &args[1],
        &args[2],
        desc,
        SortKeys::Natural,
    )
}

fn dir_sort_ci(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let desc = direction("array.dirSort_ci", &args[0])?;
    keyed_sort(
        host,
        "array.dirSort_ci",
        &args[1],
        &args[2],
        desc,
        SortKeys::CaseInsensitive,
    )
}

fn sort_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.sortBy", &args[1], Array);
    let out = sort_by_greater(host, "array.sortBy", &args[0], a.to_vec())?;
    built(host, arr(out))
}

fn sort_like(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let field = arg!("array.sortLike", &args[0], Str);
    let order = arg!("array.sortLike", &args[1], Array);
    let a = arg!("array.sortLike", &args[2], Array);
    host.charge((order.len() + a.len()) as u64)?;
    let mut rank: HashMap<&str, usize> = HashMap::new();
    for (i, s) in order.iter().enumerate() {
        if let Value::Str(s) = s {
            rank.entry(s.as_str()).or_insert(i);
        }
    }
    let mut keyed: Vec<(usize, &Value)> = a
        .iter()
        .map(|r| {
            let pos = match r {
                Value::Obj(m) => m
                    .get(field)
                    .and_then(Value::as_str)
                    .and_then(|s| rank.get(s).copied()),
                _ => None,
            };
            (pos.unwrap_or(usize::MAX), r)
        })
        .collect();
    keyed.sort_by_key(|(p, _)| *p);
    built(
        host,
        arr(keyed.into_iter().map(|(_, r)| r.clone()).collect()),
    )
}

fn inner_join(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("array.innerJoin", &args[1], Array);
    let b = arg!("array.innerJoin", &args[3], Array);
    let out = join(host, "array.innerJoin", &args[0], a, &args[2], b, &args[4])?;
    built(host, arr(out))
}

/// `innerJoin`: for each element of `a` in order, each element of `b` with the same key, in
/// order; an `undefined` key skips the element.
pub(crate) fn join(
    host: &mut dyn Host,
    name: &str,
    ka: &Value,
    a: &[Value],
    kb: &Value,
    b: &[Value],
    combine: &Value,
) -> RtResult<Vec<Value>> {
    host.charge((a.len() + b.len()) as u64)?;
    let mut index: HashMap<Rc<String>, Vec<usize>> = HashMap::new();
    for (j, y) in b.iter().enumerate() {
        if let Some(k) = key_str(call1(host, kb, y)?, name)? {
            index.entry(k).or_default().push(j);
        }
    }
    let mut out = Vec::new();
    for x in a.iter() {
        let Some(k) = key_str(call1(host, ka, x)?, name)? else {
            continue;
        };
        if let Some(js) = index.get(&k) {
            for &j in js {
                host.charge(1)?;
                out.push(element(host.call(combine, &[x.clone(), b[j].clone()])?)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;
    use crate::natives::test_host::{call, native, TestHost};
    use crate::value::{Func, Obj};

    fn ints(v: &[i64]) -> Value {
        arr(v.iter().map(|&i| Value::Int(i)).collect())
    }
    fn strs(v: &[&str]) -> Value {
        arr(v.iter().map(|&s| Value::str(s)).collect())
    }
    fn partial(name: &str, args: Vec<Value>) -> Value {
        Value::Func(Rc::new(Func::Partial {
            callee: native(name),
            args: args.into(),
        }))
    }
    fn rec(pairs: &[(&str, Value)]) -> Value {
        let mut m = Obj::new();
        for (k, v) in pairs {
            m.insert((*k).into(), v.clone());
        }
        Value::obj(m)
    }
    fn ok_call(name: &str, args: &[Value]) -> Value {
        call(name, args).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    fn err_call(name: &str, args: &[Value]) -> String {
        match call(name, args) {
            Ok(v) => panic!("{name} should fail, gave {v}"),
            Err(e) => e.message.clone(),
        }
    }
    /// `x -> [x]`
    fn wrap() -> Value {
        native("array.singleton")
    }
    /// `r -> r.k` (undefined when missing)
    fn field(k: &str) -> Value {
        partial("map.get", vec![Value::str(k)])
    }

    #[test]
    fn basics() {
        assert_eq!(ok_call("array.empty", &[]), ints(&[]));
        assert_eq!(ok_call("array.singleton", &[Value::str("é")]), strs(&["é"]));
        assert!(err_call("array.singleton", &[Value::Undefined])
            .contains("cannot store undefined in an array"));
        assert_eq!(ok_call("array.length", &[ints(&[1, 2, 3])]), Value::Int(3));
        assert_eq!(ok_call("array.length", &[Value::Null]), Value::Int(0));
        assert!(ok_call("array.length", &[Value::Undefined]).is_undefined());
        assert!(
            err_call("array.length", &[Value::str("x")]).contains("expected an array, got string")
        );
        assert_eq!(
            ok_call("array.get", &[Value::Int(1), ints(&[5, 6])]),
            Value::Int(6)
        );
        assert_eq!(
            ok_call("array.get", &[Value::Float(0.0), ints(&[5, 6])]),
            Value::Int(5)
        );
        assert!(err_call("array.get", &[Value::Int(2), ints(&[5, 6])]).contains("out of range"));
        assert!(err_call("array.get", &[Value::Int(-1), ints(&[5, 6])]).contains("out of range"));
        assert!(err_call("array.get", &[Value::Float(0.5), ints(&[5, 6])]).contains("integer"));
        assert!(ok_call("array.get", &[Value::Undefined, ints(&[5])]).is_undefined());
        assert_eq!(
            ok_call("array.safeGet", &[Value::Int(0), ints(&[5])]),
            Value::Int(5)
        );
        assert!(ok_call("array.safeGet", &[Value::Int(1), ints(&[5])]).is_undefined());
        assert!(ok_call("array.safeGet", &[Value::Int(-1), ints(&[5])]).is_undefined());
        assert!(ok_call("array.safeGet", &[Value::Int(0), Value::str("x")]).is_undefined());
        assert!(ok_call("array.safeGet", &[Value::Float(0.5), ints(&[5])]).is_undefined());
        let a = ints(&[1, 2, 3]);
        assert_eq!(
            ok_call("array.set", &[Value::Int(1), Value::Int(9), a.clone()]),
            ints(&[1, 9, 3])
        );
        assert_eq!(a, ints(&[1, 2, 3]), "set copies");
        assert!(
            err_call("array.set", &[Value::Int(3), Value::Int(9), a.clone()])
                .contains("out of range")
        );
        assert!(
            err_call("array.set", &[Value::Int(0), Value::Undefined, a.clone()])
                .contains("undefined")
        );
        assert_eq!(
            ok_call("array.add", &[ints(&[1]), ints(&[2, 3])]),
            ints(&[1, 2, 3])
        );
        assert_eq!(ok_call("array.add", &[ints(&[]), ints(&[])]), ints(&[]));
    }

    #[test]
    fn mapping() {
        let a = ints(&[1, 2]);
        assert_eq!(
            ok_call("array.map", &[wrap(), a.clone()]),
            arr(vec![ints(&[1]), ints(&[2])])
        );
        assert_eq!(ok_call("array.map", &[wrap(), ints(&[])]), ints(&[]));
        // option.safeGet(null) is undefined: it cannot become an element
        let e = err_call(
            "array.map",
            &[native("option.safeGet"), arr(vec![Value::Null])],
        );
        assert_eq!(e, "cannot store undefined in an array");
        assert_eq!(
            ok_call(
                "array.map2",
                &[
                    native("array.add"),
                    arr(vec![ints(&[1])]),
                    arr(vec![ints(&[2])])
                ]
            ),
            arr(vec![ints(&[1, 2])])
        );
        assert!(
            err_call("array.map2", &[native("array.add"), ints(&[1]), ints(&[])])
                .contains("different lengths (1 and 0)")
        );
        // indexedMap with array.get: f(i, x) = x[i]
        assert_eq!(
            ok_call(
                "array.indexedMap",
                &[native("array.get"), arr(vec![ints(&[7, 8]), ints(&[5, 6])])]
            ),
            ints(&[7, 6])
        );
        // indexedMap2 with array.set: f(i, v, a) = a with [i] = v
        assert_eq!(
            ok_call(
                "array.indexedMap2",
                &[
                    native("array.set"),
                    ints(&[9, 9]),
                    arr(vec![ints(&[0, 0]), ints(&[0, 0])])
                ]
            ),
            arr(vec![ints(&[9, 0]), ints(&[0, 9])])
        );
        assert_eq!(
            ok_call(
                "array.indexOnlyMap",
                &[native("array.enumerate"), ints(&[0, 0, 0])]
            ),
            arr(vec![ints(&[]), ints(&[0]), ints(&[0, 1])])
        );
        assert_eq!(
            ok_call(
                "array.flatMap",
                &[native("array.enumerate"), ints(&[1, 2, 0])]
            ),
            ints(&[0, 0, 1])
        );
        assert!(
            err_call("array.flatMap", &[native("option.create"), ints(&[1])])
                .contains("expected an array")
        );
        assert_eq!(
            ok_call(
                "array.flatten",
                &[arr(vec![ints(&[1]), ints(&[]), ints(&[2, 3])])]
            ),
            ints(&[1, 2, 3])
        );
        assert!(err_call("array.flatten", &[ints(&[1])]).contains("expected an array"));
        assert_eq!(
            ok_call("array.zip", &[ints(&[1, 2]), strs(&["a", "b"])]),
            arr(vec![
                arr(vec![Value::Int(1), Value::str("a")]),
                arr(vec![Value::Int(2), Value::str("b")])
            ])
        );
        assert!(err_call("array.zip", &[ints(&[1, 2]), ints(&[1])]).contains("different lengths"));
    }

    #[test]
    fn filtering() {
        let rs = arr(vec![
            rec(&[("ok", Value::Bool(true)), ("n", Value::Int(1))]),
            rec(&[("ok", Value::Bool(false)), ("n", Value::Int(2))]),
            rec(&[("n", Value::Int(3))]),
        ]);
        let f = field("ok");
        let kept = ok_call("array.filter", &[f.clone(), rs.clone()]);
        assert_eq!(ok_call("array.length", &[kept]), Value::Int(1));
        let parts = ok_call("array.partition", &[f.clone(), rs.clone()]);
        let Value::Array(p) = parts else { panic!() };
        assert_eq!(ok_call("array.length", &[p[0].clone()]), Value::Int(1));
        assert_eq!(ok_call("array.length", &[p[1].clone()]), Value::Int(2));
        assert!(
            err_call("array.filter", &[field("n"), rs.clone()]).contains("condition gave number")
        );
        // indexedFilter with array.contains: keep x when i is in x
        assert_eq!(
            ok_call(
                "array.indexedFilter",
                &[
                    native("array.contains"),
                    arr(vec![ints(&[0]), ints(&[0]), ints(&[2])])
                ]
            ),
            arr(vec![ints(&[0]), ints(&[2])])
        );
        assert_eq!(ok_call("array.filter", &[f, ints(&[])]), ints(&[]));
        // dedup on a string field; an undefined key keeps the element
        let ds = arr(vec![
            rec(&[("k", Value::str("ü")), ("n", Value::Int(1))]),
            rec(&[("k", Value::str("b")), ("n", Value::Int(2))]),
            rec(&[("k", Value::str("ü")), ("n", Value::Int(3))]),
            rec(&[("n", Value::Int(4))]),
        ]);
        let ns = |v: Value| ok_call("array.map", &[field("n"), v]);
        assert_eq!(
            ns(ok_call(
                "array.deduplicateKeepFirst",
                &[field("k"), ds.clone()]
            )),
            ints(&[1, 2, 4])
        );
        assert_eq!(
            ns(ok_call(
                "array.deduplicateKeepLast",
                &[field("k"), ds.clone()]
            )),
            ints(&[2, 3, 4])
        );
        assert!(err_call("array.deduplicateKeepFirst", &[field("n"), ds]).contains("key is number"));
    }

    #[test]
    fn reducing() {
        // f(x, acc) = x ++ acc reverses the concatenation order
        let a = arr(vec![ints(&[1]), ints(&[2]), ints(&[3])]);
        assert_eq!(
            ok_call("array.reduce", &[native("array.add"), ints(&[]), a.clone()]),
            ints(&[3, 2, 1])
        );
        assert_eq!(
            ok_call(
                "array.reduceRight",
                &[native("array.add"), ints(&[]), a.clone()]
            ),
            ints(&[1, 2, 3])
        );
        assert_eq!(
            ok_call(
                "array.indexedReduceRight",
                &[native("array.add"), ints(&[0]), a.clone()]
            ),
            ints(&[1, 2, 3, 0])
        );
        assert_eq!(
            ok_call(
                "array.reduce",
                &[native("array.add"), Value::Null, ints(&[])]
            ),
            Value::Null
        );
        // indexedReduce with array.set: acc with [i] = x
        assert_eq!(
            ok_call(
                "array.indexedReduce",
                &[native("array.set"), ints(&[0, 0]), ints(&[4, 5])]
            ),
            ints(&[4, 5])
        );
    }

    #[test]
    fn and_then_first_error_wins() {
        let okv = |v: Value| Value::case("ok", Some(v));
        // f(x) = x[0]: the elements are one-element arrays holding the function's result
        let f = native("array.first");
        let input = okv(arr(vec![
            arr(vec![okv(Value::Int(1))]),
            arr(vec![okv(Value::Int(2))]),
        ]));
        assert_eq!(
            ok_call("array.andThen", &[f.clone(), input]),
            okv(ints(&[1, 2]))
        );
        let err = Value::case("error", Some(Value::str("bad")));
        let input = okv(arr(vec![
            arr(vec![okv(Value::Int(1))]),
            arr(vec![err.clone()]),
            arr(vec![Value::case("error", Some(Value::str("later")))]),
        ]));
        assert_eq!(ok_call("array.andThen", &[f.clone(), input]), err);
        assert_eq!(ok_call("array.andThen", &[f.clone(), err.clone()]), err);
        assert!(err_call("array.andThen", &[f, Value::Int(1)]).contains("expected a result"));
    }

    #[test]
    fn min_and_max() {
        let a = arr(vec![
            Value::Int(3),
            Value::Float(1.5),
            Value::Int(7),
            Value::Float(1.5),
        ]);
        assert_eq!(ok_call("array.minIndex", &[a.clone()]), Value::Int(1));
        assert_eq!(ok_call("array.minValue", &[a.clone()]), Value::Float(1.5));
        assert_eq!(ok_call("array.maxIndex", &[a.clone()]), Value::Int(2));
        assert_eq!(ok_call("array.maxValue", &[a.clone()]), Value::Int(7));
        assert!(ok_call("array.minValue", &[ints(&[])]).is_undefined());
        assert!(ok_call("array.maxIndex", &[Value::Undefined]).is_undefined());
        let rs = arr(vec![
            rec(&[("k", Value::str("b"))]),
            rec(&[("k", Value::str("a"))]),
            rec(&[("k", Value::str("c"))]),
        ]);
        assert_eq!(
            ok_call("array.minIndexBy", &[field("k"), rs.clone()]),
            Value::Int(1)
        );
        assert_eq!(
            ok_call("array.maxIndexBy", &[field("k"), rs.clone()]),
            Value::Int(2)
        );
        assert_eq!(
            ok_call("array.minValueBy", &[field("k"), rs.clone()]),
            rec(&[("k", Value::str("a"))])
        );
        assert_eq!(
            ok_call("array.maxValueBy", &[field("k"), rs]),
            rec(&[("k", Value::str("c"))])
        );
        assert!(ok_call("array.maxValueBy", &[field("k"), ints(&[])]).is_undefined());
    }

    #[test]
    fn construction() {
        assert_eq!(
            ok_call(
                "array.initialize",
                &[Value::Int(3), native("array.enumerate")]
            ),
            arr(vec![ints(&[]), ints(&[0]), ints(&[0, 1])])
        );
        assert_eq!(
            ok_call(
                "array.initialize",
                &[Value::Int(-2), native("array.enumerate")]
            ),
            ints(&[])
        );
        assert_eq!(
            ok_call("array.enumerate", &[Value::Int(4)]),
            ints(&[0, 1, 2, 3])
        );
        assert_eq!(ok_call("array.enumerate", &[Value::Int(0)]), ints(&[]));
        assert!(err_call("array.enumerate", &[Value::Float(1e300)]).contains("too many"));
        assert_eq!(ok_call("array.keys", &[strs(&["a", "b"])]), ints(&[0, 1]));
        assert_eq!(ok_call("array.keys", &[Value::Null]), ints(&[]));
        assert_eq!(ok_call("array.rev", &[ints(&[1, 2, 3])]), ints(&[3, 2, 1]));
        assert_eq!(ok_call("array.rev", &[ints(&[])]), ints(&[]));
    }

    fn read(v: Value) -> Value {
        let Value::Stream(s) = v else {
            panic!("not a stream: {v}")
        };
        arr(s.collect(&mut TestHost::default()).expect("reads"))
    }

    #[test]
    fn streaming() {
        let a = strs(&["x", "y", "z"]);
        assert_eq!(
            read(ok_call("array.indexRange", &[a.clone()])),
            ints(&[0, 1, 2])
        );
        assert_eq!(
            read(ok_call("array.indexRangeRev", &[a.clone()])),
            ints(&[2, 1, 0])
        );
        assert_eq!(
            read(ok_call("array.indexRangeRev", &[ints(&[])])),
            ints(&[])
        );
        assert_eq!(read(ok_call("array.valueRange", &[a.clone()])), a);
        assert_eq!(
            read(ok_call("array.valueRangeRev", &[a.clone()])),
            strs(&["z", "y", "x"])
        );
        assert_eq!(read(ok_call("array.toStream", &[a.clone()])), a);
        assert_eq!(
            read(ok_call("array.toStreamPairs", &[strs(&["x", "y"])])),
            arr(vec![
                arr(vec![Value::Int(0), Value::str("x")]),
                arr(vec![Value::Int(1), Value::str("y")])
            ])
        );
    }

    #[test]
    fn iteration() {
        let opts = arr(vec![
            Value::Null,
            Value::case("some", Some(Value::Int(5))),
            Value::case("some", Some(Value::Int(6))),
        ]);
        let mut host = TestHost::default();
        let r = host.call(
            &native("array.iter"),
            &[native("logging.info"), strs(&["a", "b"])],
        );
        assert_eq!(r, Ok(Value::Null));
        assert_eq!(
            host.logged,
            vec!["info: a".to_string(), "info: b".to_string()]
        );
        assert_eq!(
            ok_call("array.exists", &[native("option.exists"), opts.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.exists", &[native("option.exists"), ints(&[])]),
            Value::Bool(false)
        );
        assert_eq!(
            ok_call("array.forAll", &[native("option.exists"), opts.clone()]),
            Value::Bool(false)
        );
        assert_eq!(
            ok_call("array.forAll", &[native("option.exists"), ints(&[])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.find", &[native("option.exists"), opts.clone()]),
            Value::case("some", Some(Value::Int(5)))
        );
        assert!(ok_call(
            "array.find",
            &[native("option.exists"), arr(vec![Value::Null])]
        )
        .is_undefined());
        assert_eq!(
            ok_call("array.findIndex", &[native("option.exists"), opts.clone()]),
            Value::Int(1)
        );
        assert!(ok_call("array.findIndex", &[native("option.exists"), ints(&[])]).is_undefined());
        assert_eq!(
            ok_call(
                "array.findMapped",
                &[native("option.safeGet"), opts.clone()]
            ),
            Value::Int(5)
        );
        assert!(ok_call(
            "array.findMapped",
            &[native("option.safeGet"), arr(vec![Value::Null])]
        )
        .is_undefined());
        // findIndexMapped with array.safeGet: first x[i] that exists
        assert_eq!(
            ok_call(
                "array.findIndexMapped",
                &[
                    native("array.safeGet"),
                    arr(vec![ints(&[]), ints(&[]), ints(&[1, 2, 3])])
                ]
            ),
            Value::Int(3)
        );
    }

    #[test]
    fn queries() {
        let a = arr(vec![Value::Int(1), Value::str("ü"), ints(&[2])]);
        assert_eq!(
            ok_call("array.contains", &[Value::Float(1.0), a.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.contains", &[ints(&[2]), a.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.contains", &[Value::str("u"), a.clone()]),
            Value::Bool(false)
        );
        assert!(ok_call("array.contains", &[Value::Undefined, a.clone()]).is_undefined());
        assert_eq!(
            ok_call("array.featuresOne", &[ints(&[5, 1]), a.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.featuresOne", &[ints(&[]), a.clone()]),
            Value::Bool(false)
        );
        assert_eq!(
            ok_call("array.featuresAll", &[a.clone(), ints(&[1])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.featuresAll", &[a.clone(), ints(&[1, 5])]),
            Value::Bool(false)
        );
        assert_eq!(
            ok_call("array.featuresAll", &[a, ints(&[])]),
            Value::Bool(true)
        );
        let many: Vec<String> = (0..100).map(|i| format!("s{i}")).collect();
        let many = arr(many.iter().map(|s| Value::str(s.as_str())).collect());
        assert_eq!(
            ok_call("array.featuresAll", &[many.clone(), strs(&["s5", "s99"])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.featuresOne", &[strs(&["x", "s42"]), many.clone()]),
            Value::Bool(true)
        );
        assert_eq!(
            ok_call("array.featuresOne", &[ints(&[42]), many]),
            Value::Bool(false)
        );
    }

    #[test]
    fn slicing() {
        let a = ints(&[1, 2, 3]);
        assert_eq!(ok_call("array.first", &[a.clone()]), Value::Int(1));
        assert_eq!(ok_call("array.last", &[a.clone()]), Value::Int(3));
        assert!(err_call("array.first", &[ints(&[])]).contains("empty"));
        assert!(err_call("array.last", &[ints(&[])]).contains("empty"));
        assert_eq!(
            ok_call("array.firstWithDefault", &[Value::Int(0), ints(&[])]),
            Value::Int(0)
        );
        assert_eq!(
            ok_call("array.lastWithDefault", &[Value::Int(0), a.clone()]),
            Value::Int(3)
        );
        assert_eq!(ok_call("array.skip", &[a.clone()]), ints(&[2, 3]));
        assert_eq!(ok_call("array.skip", &[ints(&[])]), ints(&[]));
        assert_eq!(
            ok_call("array.skipn", &[Value::Int(2), a.clone()]),
            ints(&[3])
        );
        assert_eq!(ok_call("array.skipn", &[Value::Int(-2), a.clone()]), a);
        assert_eq!(
            ok_call("array.skipn", &[Value::Int(9), a.clone()]),
            ints(&[])
        );
        assert_eq!(
            ok_call("array.firstn", &[Value::Int(2), a.clone()]),
            ints(&[1, 2])
        );
        assert_eq!(ok_call("array.firstn", &[Value::Int(9), a.clone()]), a);
        assert_eq!(
            ok_call("array.lastn", &[Value::Int(2), a.clone()]),
            ints(&[2, 3])
        );
        assert_eq!(
            ok_call("array.lastn", &[Value::Int(0), a.clone()]),
            ints(&[])
        );
        assert!(ok_call("array.lastn", &[Value::Undefined, a]).is_undefined());
    }

    #[test]
    fn grouping_and_merging() {
        let rs = |ks: &[&str]| arr(ks.iter().map(|k| rec(&[("k", Value::str(*k))])).collect());
        let g = ok_call("array.grouped", &[field("k"), rs(&["a", "a", "b", "a"])]);
        assert_eq!(g, arr(vec![rs(&["a", "a"]), rs(&["b"]), rs(&["a"])]));
        assert_eq!(
            ok_call("array.grouped", &[field("k"), ints(&[])]),
            ints(&[])
        );
        let m = ok_call(
            "array.merge",
            &[
                field("k"),
                field("k"),
                rs(&["a", "c"]),
                rs(&["b", "c", "d"]),
            ],
        );
        assert_eq!(m, rs(&["a", "b", "c", "c", "d"]));
    }

    #[test]
    fn sorting() {
        let rs = |ks: &[Value]| arr(ks.iter().map(|k| rec(&[("k", k.clone())])).collect());
        let input = rs(&[
            Value::Int(3),
            Value::Float(-1.5),
            Value::Int(2),
            Value::Null,
            Value::str("a"),
        ]);
        let sorted = ok_call("array.sort", &[field("k"), input.clone()]);
        assert_eq!(
            sorted,
            rs(&[
                Value::Null,
                Value::Float(-1.5),
                Value::Int(2),
                Value::Int(3),
                Value::str("a")
            ])
        );
        let desc = ok_call(
            "array.dirSort",
            &[Value::Bool(true), field("k"), input.clone()],
        );
        assert_eq!(
            desc,
            rs(&[
                Value::str("a"),
                Value::Int(3),
                Value::Int(2),
                Value::Float(-1.5),
                Value::Null
            ])
        );
        assert!(
            err_call("array.dirSort", &[Value::Int(1), field("k"), input])
                .contains("expected a bool")
        );
        // stability: equal keys keep their order
        let pairs = arr(vec![
            rec(&[("k", Value::Int(1)), ("n", Value::Int(0))]),
            rec(&[("k", Value::Int(0)), ("n", Value::Int(1))]),
            rec(&[("k", Value::Int(1)), ("n", Value::Int(2))]),
        ]);
        let s = ok_call("array.sort", &[field("k"), pairs.clone()]);
        assert_eq!(ok_call("array.map", &[field("n"), s]), ints(&[1, 0, 2]));
        let s = ok_call("array.dirSort", &[Value::Bool(true), field("k"), pairs]);
        assert_eq!(ok_call("array.map", &[field("n"), s]), ints(&[0, 2, 1]));
        let words = rs(&[
            Value::str("b"),
            Value::str("A"),
            Value::str("a"),
            Value::str("Ä"),
        ]);
        assert_eq!(
            ok_call("array.sort_ci", &[field("k"), words.clone()]),
            rs(&[
                Value::str("A"),
                Value::str("a"),
                Value::str("b"),
                Value::str("Ä")
            ])
        );
        assert_eq!(
            ok_call(
                "array.dirSort_ci",
                &[Value::Bool(true), field("k"), words.clone()]
            ),
            rs(&[
                Value::str("Ä"),
                Value::str("b"),
                Value::str("A"),
                Value::str("a")
            ])
        );
        assert_eq!(ok_call("array.sort", &[field("k"), ints(&[])]), ints(&[]));
        // sortBy with a greater-than relation: array.featuresAll(a, b) on [n] arrays is "a ⊇ b",
        // so use lengths: a > b when a ⊇ b and a != b; here: prefixes
        let gt = native("array.featuresAll");
        let items = arr(vec![ints(&[0, 1, 2]), ints(&[0]), ints(&[0, 1])]);
        assert_eq!(
            ok_call("array.sortBy", &[gt, items]),
            arr(vec![ints(&[0]), ints(&[0, 1]), ints(&[0, 1, 2])])
        );
        assert!(err_call(
            "array.sortBy",
            &[native("array.add"), arr(vec![ints(&[1]), ints(&[2])])]
        )
        .contains("relation gave array"));
    }

    #[test]
    fn sorting_a_million_numbers() {
        use crate::natives::common::testkit::{f1, FnHost};
        let n = 1_000_000i64;
        let items: Vec<Value> = (0..n)
            .map(|i| {
                if i % 3 == 0 {
                    Value::Float(((i * 7919) % n) as f64 + 0.5)
                } else {
                    Value::Int((i * 7919) % n)
                }
            })
            .collect();
        let mut host = FnHost::default();
        let id = f1(|v| v.clone());
        let sorted = host
            .run("array.sort", &[id.clone(), arr(items)])
            .expect("sorts");
        let Value::Array(s) = sorted else { panic!() };
        assert_eq!(s.len(), n as usize);
        assert!(s
            .windows(2)
            .all(|w| crate::stream::total_cmp(&w[0], &w[1]).is_le()));
        assert!(host.inner.steps >= n as u64);
        let ints: Vec<Value> = (0..n).map(|i| Value::Int((i * 7919) % n)).collect();
        let desc = host
            .run("array.dirSort", &[Value::Bool(true), id, arr(ints)])
            .expect("sorts");
        let Value::Array(d) = desc else { panic!() };
        assert_eq!(
            (d[0].clone(), d[999_999].clone()),
            (Value::Int(999_999), Value::Int(0))
        );
    }

    #[test]
    fn sort_like_and_join() {
        let rs = arr(vec![
            rec(&[("s", Value::str("done"))]),
            rec(&[("s", Value::str("new"))]),
            rec(&[("s", Value::str("other"))]),
            rec(&[("s", Value::str("open"))]),
        ]);
        let out = ok_call(
            "array.sortLike",
            &[Value::str("s"), strs(&["new", "open", "done"]), rs],
        );
        assert_eq!(
            ok_call("array.map", &[field("s"), out]),
            strs(&["new", "open", "done", "other"])
        );
        let left = arr(vec![
            rec(&[("id", Value::str("1")), ("n", Value::str("a"))]),
            rec(&[("id", Value::str("2")), ("n", Value::str("b"))]),
            rec(&[("n", Value::str("no id"))]),
        ]);
        let right = arr(vec![
            rec(&[("id", Value::str("2")), ("v", Value::Int(20))]),
            rec(&[("id", Value::str("1")), ("v", Value::Int(10))]),
            rec(&[("id", Value::str("2")), ("v", Value::Int(21))]),
        ]);
        // combine(x, y) = x + y (map.add: y's entries win)
        let j = ok_call(
            "array.innerJoin",
            &[field("id"), left, field("id"), right, native("map.add")],
        );
        assert_eq!(
            ok_call("array.map", &[field("v"), j.clone()]),
            ints(&[10, 20, 21])
        );
        assert_eq!(
            ok_call("array.map", &[field("n"), j]),
            strs(&["a", "b", "b"])
        );
    }

    /// Calls a native the way `CallNative` does: with arguments it may take.
    fn call_taking(name: &str, mut args: Vec<Value>) -> RtResult<Value> {
        use crate::natives::common::testkit::FnHost;
        let index = crate::vm::native_index(name).expect("native");
        crate::vm::native_table()[index].call_taking(&mut FnHost::default(), &mut args)
    }

    fn buffer(v: &Value) -> *const Value {
        match v {
            Value::Array(a) => a.as_ptr(),
            other => panic!("not an array: {other}"),
        }
    }

    #[test]
    fn map_and_filter_reuse_an_array_held_nowhere_else() {
        use crate::natives::common::testkit::{f1, int};
        let a = ints(&[1, 2, 3, 4, 5, 6]);
        let at = buffer(&a);
        let doubled = call_taking("array.map", vec![f1(|v| Value::Int(int(v) * 2)), a]);
        let doubled = doubled.expect("map");
        assert_eq!(doubled, ints(&[2, 4, 6, 8, 10, 12]));
        assert_eq!(buffer(&doubled), at, "map reuses the array");
        let keep = f1(|v| Value::Bool(int(v) % 4 == 0));
        let kept = call_taking("array.filter", vec![keep, doubled]).expect("filter");
        assert_eq!(kept, ints(&[4, 8, 12]));
        assert_eq!(buffer(&kept), at, "filter reuses the array");
        // An undefined condition drops the element, as in the copying path.
        let odd = f1(|v| match int(v) % 2 {
            0 => Value::Undefined,
            _ => Value::Bool(true),
        });
        let kept = call_taking("array.filter", vec![odd, ints(&[1, 2, 3])]).expect("filter");
        assert_eq!(kept, ints(&[1, 3]));
        // Errors are the same as well.
        let e = call_taking(
            "array.map",
            vec![native("option.safeGet"), arr(vec![Value::Null])],
        );
        assert_eq!(
            e.map_err(|e| e.message.clone()),
            Err("cannot store undefined in an array".into())
        );
        // A filter that keeps little gives the room back.
        let big = arr((0..1000).map(Value::Int).collect());
        let one = call_taking("array.filter", vec![f1(|v| Value::Bool(int(v) == 7)), big]);
        match one.expect("filter") {
            Value::Array(a) => {
                assert_eq!(*a, [Value::Int(7)]);
                let items = a.into_vec();
                assert!(items.capacity() < 4, "capacity {}", items.capacity());
            }
            other => panic!("not an array: {other}"),
        }
    }

    #[test]
    fn indexed_map_and_filter_reuse_an_array_held_nowhere_else() {
        use crate::natives::common::testkit::{f2, int};
        let a = ints(&[10, 20, 30, 40]);
        let at = buffer(&a);
        let plus_index = f2(|i, v| Value::Int(int(i) + int(v)));
        let mapped = call_taking("array.indexedMap", vec![plus_index, a]).expect("indexedMap");
        assert_eq!(mapped, ints(&[10, 21, 32, 43]));
        assert_eq!(buffer(&mapped), at, "indexedMap reuses the array");
        let even_index = f2(|i, _| Value::Bool(int(i) % 2 == 0));
        let kept = call_taking("array.indexedFilter", vec![even_index.clone(), mapped]);
        let kept = kept.expect("indexedFilter");
        assert_eq!(kept, ints(&[10, 32]));
        assert_eq!(buffer(&kept), at, "indexedFilter reuses the array");
        // shared: copied, the original untouched
        let shared = ints(&[1, 2, 3]);
        let kept = call_taking("array.indexedFilter", vec![even_index, shared.clone()]);
        assert_eq!(kept.expect("indexedFilter"), ints(&[1, 3]));
        assert_eq!(shared, ints(&[1, 2, 3]));
    }

    #[test]
    fn map_and_filter_leave_a_shared_array_alone() {
        use crate::natives::common::testkit::{f1, int};
        let a = ints(&[1, 2, 3]);
        let mapped = call_taking("array.map", vec![f1(|v| Value::Int(int(v) + 1)), a.clone()]);
        assert_eq!(mapped.expect("map"), ints(&[2, 3, 4]));
        let kept = call_taking(
            "array.filter",
            vec![f1(|v| Value::Bool(int(v) > 1)), a.clone()],
        );
        assert_eq!(kept.expect("filter"), ints(&[2, 3]));
        assert_eq!(a, ints(&[1, 2, 3]));
    }

    #[test]
    fn large_map_filter_reduce() {
        use crate::natives::common::testkit::{f1, f2, int, FnHost};
        let n = 1_000_000;
        let a = arr((0..n).map(Value::Int).collect());
        let mut host = FnHost::default();
        let odd = f1(|v| Value::Bool(int(v) % 2 == 1));
        let f = host.run("array.filter", &[odd, a.clone()]).expect("filter");
        assert_eq!(ok_call("array.length", &[f.clone()]), Value::Int(n / 2));
        let m = host
            .run("array.map", &[f1(|v| Value::Int(int(v) * 2)), f])
            .expect("map");
        let sum = host.run(
            "array.reduce",
            &[f2(|x, acc| Value::Int(int(x) + int(acc))), Value::Int(0), m],
        );
        assert_eq!(sum, Ok(Value::Int((n / 2) * (n / 2) * 2)));
        assert!(host.inner.steps >= 2 * n as u64);
    }
}
