//! `stream` (facts §5.16). Stream values are immutable descriptions (see `crate::stream`):
//! the lazy operations (`map`, `filter`, `flatMap`, `zip`, `firstn`, `skipn`, `grouped`,
//! `merge`, `lreduce`, `initialize`, `enumerate`, permutations, `lazy`, …) build a stage and
//! call Mix functions only when the result is read; the operations the facts list as reading
//! the whole input (`sort*`, `rev`, `lastn`, `deduplicateKeepLast`, `reduce`, `force`,
//! `innerJoin`, min/max, `andThen`) read it when called. Every read charges one step per
//! element. Arrays are accepted wherever a stream is expected.
//!
//! Difference from the facts: streams there are mutable (`first`, `skip`, `skipn` consume
//! elements of the stream they are given). Here reading a stream never changes it: `first(s)`
//! gives the first element and `s` still starts with it; `skip(s)` is a new stream without it.
//! Programs that rely on consumption must use the stream `skip` returns.

use std::collections::VecDeque;
use std::rc::Rc;

use super::common::{
    arg, built, call1, count, def, expected, extreme, holds, key_str, ok, result_view,
    sort_by_greater, sort_by_key, stream_value, Res, SortKeys,
};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::{as_stream, MapKind, Op, Shared, Stream};
use crate::value::Value;

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("stream.empty", 0, empty),
        def("stream.singleton", 1, singleton),
        def("stream.isEmpty", 1, is_empty),
        def("stream.isNotEmpty", 1, is_not_empty),
        def("stream.length", 1, length),
        def("stream.map", 2, map),
        def("stream.map2", 3, map2),
        def("stream.indexedMap", 2, indexed_map),
        def("stream.indexedMap2", 3, indexed_map2),
        def("stream.indexOnlyMap", 2, index_only_map),
        def("stream.flatMap", 2, flat_map),
        def("stream.zip", 2, zip),
        def("stream.filter", 2, filter),
        def("stream.deduplicateKeepFirst", 2, dedup_first),
        def("stream.deduplicateKeepLast", 2, dedup_last),
        def("stream.reduce", 3, reduce),
        def("stream.indexedReduce", 3, indexed_reduce),
        def("stream.lreduce", 5, lreduce),
        def("stream.andThen", 2, and_then),
        def("stream.minIndex", 1, min_index),
        def("stream.minValue", 1, min_value),
        def("stream.minIndexBy", 2, min_index_by),
        def("stream.minValueBy", 2, min_value_by),
        def("stream.maxIndex", 1, max_index),
        def("stream.maxValue", 1, max_value),
        def("stream.maxIndexBy", 2, max_index_by),
        def("stream.maxValueBy", 2, max_value_by),
        def("stream.lazy", 1, lazy),
        def("stream.initialize", 2, initialize),
        def("stream.initUnbound", 1, init_unbound),
        def("stream.enumerate", 1, enumerate),
        def("stream.enumUnbound", 1, enum_unbound),
        def("stream.rev", 1, rev),
        def("stream.permuteEnum", 1, permute_enum),
        def("stream.permuteArray", 1, permute_array),
        def("stream.force", 1, force),
        def("stream.iter", 2, iter),
        def("stream.exists", 2, exists),
        def("stream.forAll", 2, for_all),
        def("stream.contains", 2, contains),
        def("stream.find", 2, find),
        def("stream.findMapped", 2, find_mapped),
        def("stream.findMapped2", 3, find_mapped2),
        def("stream.first", 1, first),
        def("stream.firstWithDefault", 2, first_with_default),
        def("stream.last", 1, last),
        def("stream.lastWithDefault", 2, last_with_default),
        def("stream.skip", 1, skip),
        def("stream.skipn", 2, skipn),
        def("stream.firstn", 2, firstn),
        def("stream.lastn", 2, lastn),
        def("stream.grouped", 2, grouped),
        def("stream.merge", 4, merge),
        def("stream.sort", 2, sort),
        def("stream.sort_ci", 2, sort_ci),
        def("stream.dirSort", 3, dir_sort),
        def("stream.dirSort_ci", 3, dir_sort_ci),
        def("stream.sortBy", 2, sort_by),
        def("stream.innerJoin", 5, inner_join),
        def("stream.toArray", 1, to_array),
        def("stream.tee", 1, tee),
        def("stream.leftOut", 1, tee_out),
        def("stream.rightOut", 1, tee_out),
    ]
}

fn stage(op: Op) -> RtResult<Value> {
    Ok(stream_value(Stream::stage(op)?))
}

fn of_vec(host: &mut dyn Host, items: Vec<Value>) -> RtResult<Value> {
    built(host, stream_value(Stream::of_vec(items)))
}

fn empty(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(stream_value(Rc::new(Stream::Empty)))
}

fn singleton(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Err(RtError::runtime("cannot store undefined in a stream"));
    }
    Ok(stream_value(Rc::new(Stream::Once(args[0].clone()))))
}

fn is_empty(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.isEmpty", &args[0], Stream);
    Ok(Value::Bool(s.cursor().next(host)?.is_none()))
}

fn is_not_empty(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.isNotEmpty", &args[0], Stream);
    Ok(Value::Bool(s.cursor().next(host)?.is_some()))
}

fn length(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.length", &args[0], Stream);
    let mut c = s.cursor();
    let mut n = 0i64;
    while c.next(host)?.is_some() {
        host.charge(1)?;
        n += 1;
    }
    Ok(Value::Int(n))
}

fn map_stage(name: &str, args: &[Value], kind: MapKind) -> RtResult<Value> {
    let src = arg!(name, &args[1], Stream);
    stage(Op::Map {
        f: args[0].clone(),
        src,
        kind,
    })
}

fn map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    map_stage("stream.map", args, MapKind::Plain)
}

fn indexed_map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    map_stage("stream.indexedMap", args, MapKind::Indexed)
}

fn index_only_map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    map_stage("stream.indexOnlyMap", args, MapKind::IndexOnly)
}

fn map2_stage(
    name: &'static str,
    f: Option<Value>,
    a: &Value,
    b: &Value,
    indexed: bool,
) -> RtResult<Value> {
    let a = arg!(name, a, Stream);
    let b = arg!(name, b, Stream);
    stage(Op::Map2 {
        f,
        a,
        b,
        indexed,
        name,
    })
}

fn map2(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    map2_stage(
        "stream.map2",
        Some(args[0].clone()),
        &args[1],
        &args[2],
        false,
    )
}

fn indexed_map2(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    map2_stage(
        "stream.indexedMap2",
        Some(args[0].clone()),
        &args[1],
        &args[2],
        true,
    )
}

fn zip(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    map2_stage("stream.zip", None, &args[0], &args[1], false)
}

fn flat_map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let src = arg!("stream.flatMap", &args[1], Stream);
    stage(Op::FlatMap {
        f: args[0].clone(),
        src,
    })
}

fn filter(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let src = arg!("stream.filter", &args[1], Stream);
    stage(Op::Filter {
        f: args[0].clone(),
        src,
    })
}

fn dedup_first(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let src = arg!("stream.deduplicateKeepFirst", &args[1], Stream);
    stage(Op::Dedup {
        f: args[0].clone(),
        src,
    })
}

fn dedup_last(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "stream.deduplicateKeepLast";
    let s = arg!(NAME, &args[1], Stream);
    let items = s.collect(host)?;
    let keys = items
        .iter()
        .map(|x| key_str(call1(host, &args[0], x)?, NAME))
        .collect::<RtResult<Vec<_>>>()?;
    let kept = super::array::keep_last(&items, &keys);
    of_vec(host, kept)
}

fn reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.reduce", &args[2], Stream);
    let mut acc = args[1].clone();
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        acc = host.call_moving(&args[0], &mut [x, acc])?;
    }
    Ok(acc)
}

fn indexed_reduce(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.indexedReduce", &args[2], Stream);
    let mut acc = args[1].clone();
    let mut c = s.cursor();
    let mut i = 0i64;
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        acc = host.call_moving(&args[0], &mut [Value::Int(i), x, acc])?;
        i += 1;
    }
    Ok(acc)
}

fn lreduce(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let src = arg!("stream.lreduce", &args[4], Stream);
    stage(Op::LReduce {
        step: args[0].clone(),
        emit: args[1].clone(),
        last: args[2].clone(),
        init: args[3].clone(),
        src,
    })
}

fn and_then(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let s = match result_view("stream.andThen", &args[1])? {
        Res::Err => return Ok(args[1].clone()),
        Res::Ok(v @ (Value::Stream(_) | Value::Array(_))) => {
            as_stream(v.clone(), "stream.andThen")?
        }
        Res::Ok(other) => return Err(expected("stream.andThen", "ok(stream)", other)),
    };
    let mut out = Vec::new();
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        let r = call1(host, &args[0], &x)?;
        match result_view("stream.andThen: the function's result", &r)? {
            Res::Ok(v) if v.is_undefined() => {
                return Err(RtError::runtime("cannot store undefined in a stream"))
            }
            Res::Ok(v) => out.push(v.clone()),
            Res::Err => return Ok(r),
        }
    }
    Ok(ok(of_vec(host, out)?))
}

fn min_max(
    host: &mut dyn Host,
    name: &str,
    v: &Value,
    key: Option<&Value>,
    max: bool,
    want_index: bool,
) -> RtResult<Value> {
    let s = arg!(name, v, Stream);
    let items = s.collect(host)?;
    let best = match key {
        None => extreme(items.iter().cloned(), max),
        Some(f) => {
            let keys = items
                .iter()
                .map(|x| call1(host, f, x))
                .collect::<RtResult<Vec<_>>>()?;
            extreme(keys.into_iter(), max)
        }
    };
    Ok(match best {
        None => Value::Undefined,
        Some((i, _)) if want_index => Value::Int(i as i64),
        Some((i, _)) => items[i].clone(),
    })
}

fn min_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, "stream.minIndex", &args[0], None, false, true)
}
fn min_value(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, "stream.minValue", &args[0], None, false, false)
}
fn max_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, "stream.maxIndex", &args[0], None, true, true)
}
fn max_value(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(host, "stream.maxValue", &args[0], None, true, false)
}
fn min_index_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(
        host,
        "stream.minIndexBy",
        &args[1],
        Some(&args[0]),
        false,
        true,
    )
}
fn min_value_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(
        host,
        "stream.minValueBy",
        &args[1],
        Some(&args[0]),
        false,
        false,
    )
}
fn max_index_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(
        host,
        "stream.maxIndexBy",
        &args[1],
        Some(&args[0]),
        true,
        true,
    )
}
fn max_value_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    min_max(
        host,
        "stream.maxValueBy",
        &args[1],
        Some(&args[0]),
        true,
        false,
    )
}

fn lazy(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    stage(Op::Lazy { f: args[0].clone() })
}

fn initialize(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let n = arg!("stream.initialize", &args[0], Int);
    stage(Op::Init {
        f: args[1].clone(),
        count: Some(n.max(0)),
    })
}

fn init_unbound(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    stage(Op::Init {
        f: args[0].clone(),
        count: None,
    })
}

fn enumerate(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let n = arg!("stream.enumerate", &args[0], Int);
    Ok(stream_value(Rc::new(Stream::Range {
        start: 0,
        end: Some(n.max(0)),
        step: 1,
    })))
}

fn enum_unbound(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(stream_value(Rc::new(Stream::Range {
        start: 0,
        end: None,
        step: 1,
    })))
}

fn rev(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.rev", &args[0], Stream);
    let mut items = s.collect(host)?;
    items.reverse();
    of_vec(host, items)
}

fn permute_enum(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let n = arg!("stream.permuteEnum", &args[0], Int);
    if n > 1 << 20 {
        return Err(RtError::runtime(format!(
            "stream.permuteEnum: {n} elements is too many"
        )));
    }
    let items: Vec<Value> = (0..n.max(0)).map(Value::Int).collect();
    stage(Op::Permute {
        items: items.into(),
    })
}

fn permute_array(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("stream.permuteArray", &args[0], Array);
    stage(Op::Permute { items: a.clone() })
}

fn force(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.force", &args[0], Stream);
    let items = s.collect(host)?;
    of_vec(host, items)
}

fn iter(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.iter", &args[1], Stream);
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        call1(host, &args[0], &x)?;
    }
    Ok(Value::Null)
}

/// The first element satisfying the predicate (an undefined condition does not hold).
fn search(
    host: &mut dyn Host,
    name: &str,
    f: &Value,
    v: &Value,
) -> RtResult<Option<Option<Value>>> {
    let s = match v {
        Value::Undefined => return Ok(None),
        Value::Stream(s) => s.clone(),
        Value::Array(a) => Rc::new(Stream::of_array(a.clone())),
        other => return Err(expected(name, "a stream", other)),
    };
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        if holds(host, name, f, &x)? {
            return Ok(Some(Some(x)));
        }
    }
    Ok(Some(None))
}

fn exists(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match search(host, "stream.exists", &args[0], &args[1])? {
        None => Value::Undefined,
        Some(found) => Value::Bool(found.is_some()),
    })
}

fn find(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(search(host, "stream.find", &args[0], &args[1])?
        .flatten()
        .unwrap_or(Value::Undefined))
}

fn for_all(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.forAll", &args[1], Stream);
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        if !holds(host, "stream.forAll", &args[0], &x)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn contains(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.contains", &args[1], Stream);
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        if x == args[0] {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn find_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.findMapped", &args[1], Stream);
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        let v = call1(host, &args[0], &x)?;
        if !v.is_undefined() {
            return Ok(v);
        }
    }
    Ok(Value::Undefined)
}

/// Pairs of elements until either stream ends.
fn find_mapped2(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("stream.findMapped2", &args[1], Stream);
    let b = arg!("stream.findMapped2", &args[2], Stream);
    let (mut ca, mut cb) = (a.cursor(), b.cursor());
    loop {
        let Some(x) = ca.next(host)? else { break };
        let Some(y) = cb.next(host)? else { break };
        host.charge(1)?;
        let v = host.call(&args[0], &[x, y])?;
        if !v.is_undefined() {
            return Ok(v);
        }
    }
    Ok(Value::Undefined)
}

fn first(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.first", &args[0], Stream);
    s.cursor()
        .next(host)?
        .ok_or_else(|| RtError::runtime("stream.first: the stream is empty"))
}

fn first_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.firstWithDefault", &args[1], Stream);
    Ok(s.cursor().next(host)?.unwrap_or_else(|| args[0].clone()))
}

fn last_of(host: &mut dyn Host, s: &Rc<Stream>) -> RtResult<Option<Value>> {
    let mut c = s.cursor();
    let mut last = None;
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        last = Some(x);
    }
    Ok(last)
}

fn last(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.last", &args[0], Stream);
    last_of(host, &s)?.ok_or_else(|| RtError::runtime("stream.last: the stream is empty"))
}

fn last_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.lastWithDefault", &args[1], Stream);
    Ok(last_of(host, &s)?.unwrap_or_else(|| args[0].clone()))
}

fn skip_stage(src: Rc<Stream>, n: u64) -> RtResult<Value> {
    if n == 0 {
        return Ok(stream_value(src));
    }
    if let Stream::Slice { items, start, end } = &*src {
        let start = start
            .saturating_add(usize::try_from(n).unwrap_or(usize::MAX))
            .min(*end);
        return Ok(stream_value(Rc::new(Stream::Slice {
            items: items.clone(),
            start,
            end: *end,
        })));
    }
    stage(Op::Skip { n, src })
}

fn skip(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.skip", &args[0], Stream);
    skip_stage(s, 1)
}

fn skipn(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.skipn", &args[1], Stream);
    let n = count(arg!("stream.skipn", &args[0], Int));
    skip_stage(s, n as u64)
}

fn firstn(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let src = arg!("stream.firstn", &args[1], Stream);
    let n = count(arg!("stream.firstn", &args[0], Int)) as u64;
    if let Stream::Slice { items, start, end } = &*src {
        let end = start
            .saturating_add(usize::try_from(n).unwrap_or(usize::MAX))
            .min(*end);
        return Ok(stream_value(Rc::new(Stream::Slice {
            items: items.clone(),
            start: *start,
            end,
        })));
    }
    stage(Op::Take { n, src })
}

fn lastn(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.lastn", &args[1], Stream);
    let n = count(arg!("stream.lastn", &args[0], Int));
    let mut window = VecDeque::new();
    let mut c = s.cursor();
    while let Some(x) = c.next(host)? {
        host.charge(1)?;
        if n == 0 {
            continue;
        }
        if window.len() == n {
            window.pop_front();
        }
        window.push_back(x);
    }
    of_vec(host, window.into())
}

fn grouped(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let src = arg!("stream.grouped", &args[1], Stream);
    stage(Op::Grouped {
        f: args[0].clone(),
        src,
    })
}

fn merge(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("stream.merge", &args[2], Stream);
    let b = arg!("stream.merge", &args[3], Stream);
    stage(Op::Merge {
        ka: args[0].clone(),
        kb: args[1].clone(),
        a,
        b,
    })
}

fn keyed_sort(
    host: &mut dyn Host,
    name: &str,
    key: &Value,
    v: &Value,
    desc: bool,
    mode: SortKeys,
) -> RtResult<Value> {
    let s = arg!(name, v, Stream);
    let items = s.collect(host)?;
    let out = sort_by_key(host, name, key, &items, desc, mode)?;
    Ok(stream_value(Stream::of_vec(out)))
}

fn direction(name: &str, v: &Value) -> RtResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(expected(name, "a bool", other)),
    }
}

fn sort(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    keyed_sort(
        host,
        "stream.sort",
        &args[0],
        &args[1],
        false,
        SortKeys::Natural,
    )
}

fn sort_ci(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    keyed_sort(
        host,
        "stream.sort_ci",
        &args[0],
        &args[1],
        false,
        SortKeys::CaseInsensitive,
    )
}

fn dir_sort(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let desc = direction("stream.dirSort", &args[0])?;
    keyed_sort(
        host,
        "stream.dirSort",
        &args[1],
        &args[2],
        desc,
        SortKeys::Natural,
    )
}

fn dir_sort_ci(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let desc = direction("stream.dirSort_ci", &args[0])?;
    keyed_sort(
        host,
        "stream.dirSort_ci",
        &args[1],
        &args[2],
        desc,
        SortKeys::CaseInsensitive,
    )
}

fn sort_by(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.sortBy", &args[1], Stream);
    let items = s.collect(host)?;
    let out = sort_by_greater(host, "stream.sortBy", &args[0], items)?;
    of_vec(host, out)
}

fn inner_join(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let a = arg!("stream.innerJoin", &args[1], Stream);
    let b = arg!("stream.innerJoin", &args[3], Stream);
    let (a, b) = (a.collect(host)?, b.collect(host)?);
    let out = super::array::join(
        host,
        "stream.innerJoin",
        &args[0],
        &a,
        &args[2],
        &b,
        &args[4],
    )?;
    of_vec(host, out)
}

fn to_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = match &args[0] {
        Value::Array(_) => return Ok(args[0].clone()),
        v => arg!("stream.toArray", v, Stream),
    };
    let items = s.collect(host)?;
    built(host, Value::array(items))
}

/// A tee is a stream whose readers share one pass over the source (each element is computed
/// once and buffered); `leftOut` and `rightOut` both give it.
fn tee(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let s = arg!("stream.tee", &args[0], Stream);
    stage(Op::Shared(Rc::new(Shared::new(&s))))
}

fn tee_out(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Stream(_) | Value::Undefined => Ok(args[0].clone()),
        other => Err(expected("stream.leftOut", "a tee", other)),
    }
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use crate::native::Host;
    use crate::natives::common::testkit::{
        err, f1, f2, func, int, ints, ok, read, run_with, strs, FnHost,
    };
    use crate::value::Value;

    fn st(v: &[i64]) -> Value {
        ok("array.toStream", &[ints(v)])
    }
    fn i(n: i64) -> Value {
        Value::Int(n)
    }
    fn double() -> Value {
        f1(|v| Value::Int(int(v) * 2))
    }
    fn even() -> Value {
        f1(|v| Value::Bool(int(v) % 2 == 0))
    }
    fn elems(v: Value) -> Value {
        read(&v).unwrap_or_else(|e| panic!("read: {e}"))
    }

    #[test]
    fn basics() {
        assert_eq!(elems(ok("stream.empty", &[])), ints(&[]));
        assert_eq!(elems(ok("stream.singleton", &[i(1)])), ints(&[1]));
        assert!(err("stream.singleton", &[Value::Undefined])
            .contains("cannot store undefined in a stream"));
        assert_eq!(
            ok("stream.isEmpty", &[ok("stream.empty", &[])]),
            Value::Bool(true)
        );
        assert_eq!(ok("stream.isEmpty", &[st(&[1])]), Value::Bool(false));
        assert_eq!(ok("stream.isNotEmpty", &[st(&[1])]), Value::Bool(true));
        assert_eq!(ok("stream.length", &[st(&[1, 2, 3])]), i(3));
        assert_eq!(
            ok("stream.length", &[ints(&[1, 2])]),
            i(2),
            "arrays are accepted"
        );
        assert!(ok("stream.length", &[Value::Undefined]).is_undefined());
        assert!(err("stream.length", &[i(3)]).contains("expected a stream, got number"));
        assert_eq!(ok("stream.toArray", &[st(&[4, 5])]), ints(&[4, 5]));
    }

    #[test]
    fn mapping_is_lazy() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let counted = f1(move |v| {
            c.set(c.get() + 1);
            Value::Int(int(v) * 10)
        });
        let s = ok(
            "stream.map",
            &[counted, ok("stream.enumUnbound", &[Value::Null])],
        );
        assert_eq!(calls.get(), 0, "nothing read yet");
        let first3 = ok("stream.firstn", &[i(3), s.clone()]);
        assert_eq!(elems(first3), ints(&[0, 10, 20]));
        assert_eq!(calls.get(), 3);
        // a second read recomputes: streams are descriptions
        assert_eq!(ok("stream.first", &[s]), i(0));
        assert_eq!(calls.get(), 4);
        assert!(err(
            "stream.toArray",
            &[ok("stream.map", &[f1(|_| Value::Undefined), st(&[1])])]
        )
        .contains("undefined"));
        let idx = f2(|i, x| Value::Int(int(i) * 100 + int(x)));
        assert_eq!(
            elems(ok("stream.indexedMap", &[idx, st(&[5, 6])])),
            ints(&[5, 106])
        );
        assert_eq!(
            elems(ok("stream.indexOnlyMap", &[double(), st(&[9, 9, 9])])),
            ints(&[0, 2, 4])
        );
        let add = f2(|x, y| Value::Int(int(x) + int(y)));
        assert_eq!(
            elems(ok(
                "stream.map2",
                &[add.clone(), st(&[1, 2]), st(&[10, 20])]
            )),
            ints(&[11, 22])
        );
        assert!(err(
            "stream.toArray",
            &[ok("stream.map2", &[add, st(&[1, 2]), st(&[10])])]
        )
        .contains("different lengths"));
        let add3 = func(|a| Ok(Value::Int(int(&a[0]) * 100 + int(&a[1]) + int(&a[2]))));
        assert_eq!(
            elems(ok(
                "stream.indexedMap2",
                &[add3, st(&[1, 2]), st(&[10, 20])]
            )),
            ints(&[11, 122])
        );
        assert_eq!(
            elems(ok(
                "stream.zip",
                &[st(&[1]), ok("array.toStream", &[strs(&["é"])])]
            )),
            Value::array(vec![Value::array(vec![i(1), Value::str("é")])])
        );
        assert!(
            err("stream.toArray", &[ok("stream.zip", &[st(&[]), st(&[1])])]).contains("stream.zip")
        );
        let upto = f1(|n| {
            Value::Stream(Rc::new(crate::stream::Stream::Range {
                start: 0,
                end: Some(int(n)),
                step: 1,
            }))
        });
        assert_eq!(
            elems(ok("stream.flatMap", &[upto.clone(), st(&[2, 0, 3])])),
            ints(&[0, 1, 0, 1, 2])
        );
        // flatMap over an infinite source with a limit stays lazy
        let inf = ok(
            "stream.flatMap",
            &[upto, ok("stream.enumUnbound", &[Value::Null])],
        );
        assert_eq!(
            elems(ok("stream.firstn", &[i(4), inf])),
            ints(&[0, 0, 1, 0])
        );
        assert!(err(
            "stream.toArray",
            &[ok("stream.flatMap", &[double(), st(&[1])])]
        )
        .contains("expected a stream"));
    }

    #[test]
    fn filtering() {
        assert_eq!(
            elems(ok("stream.filter", &[even(), st(&[1, 2, 3, 4])])),
            ints(&[2, 4])
        );
        let undefined_for_3 = f1(|v| {
            if int(v) == 3 {
                Value::Undefined
            } else {
                Value::Bool(true)
            }
        });
        assert_eq!(
            elems(ok("stream.filter", &[undefined_for_3, st(&[1, 3, 5])])),
            ints(&[1, 5])
        );
        assert!(err(
            "stream.toArray",
            &[ok("stream.filter", &[double(), st(&[1])])]
        )
        .contains("condition gave number"));
        let key = f1(|v| Value::str(format!("{}", int(v) % 3)));
        assert_eq!(
            elems(ok(
                "stream.deduplicateKeepFirst",
                &[key.clone(), st(&[1, 4, 2, 3, 5, 6])]
            )),
            ints(&[1, 2, 3])
        );
        assert_eq!(
            elems(ok(
                "stream.deduplicateKeepLast",
                &[key, st(&[1, 4, 2, 3, 5, 6])]
            )),
            ints(&[4, 5, 6])
        );
        let first_even = ok(
            "stream.filter",
            &[even(), ok("stream.enumUnbound", &[Value::Null])],
        );
        assert_eq!(
            elems(ok("stream.firstn", &[i(3), first_even])),
            ints(&[0, 2, 4])
        );
    }

    #[test]
    fn reducing() {
        let sub = f2(|x, acc| Value::Int(int(acc) * 10 + int(x)));
        assert_eq!(
            ok("stream.reduce", &[sub.clone(), i(0), st(&[1, 2, 3])]),
            i(123)
        );
        assert_eq!(ok("stream.reduce", &[sub, i(7), st(&[])]), i(7));
        let idx = func(|a| Ok(Value::Int(int(&a[2]) + int(&a[0]) * int(&a[1]))));
        assert_eq!(
            ok("stream.indexedReduce", &[idx, i(0), st(&[5, 5, 5])]),
            i(15)
        );
        // lreduce: running sums, each emitted; the total at the end
        let step = f2(|x, acc| Value::Int(int(acc) + int(x)));
        let emit = f1(|acc| Value::array(vec![acc.clone()]));
        let last = f1(|acc| Value::array(vec![Value::Int(-int(acc))]));
        assert_eq!(
            elems(ok(
                "stream.lreduce",
                &[
                    step.clone(),
                    emit.clone(),
                    last.clone(),
                    i(0),
                    st(&[1, 2, 3])
                ]
            )),
            ints(&[1, 3, 6, -6])
        );
        assert_eq!(
            elems(ok("stream.lreduce", &[step, emit, last, i(0), st(&[])])),
            ints(&[0])
        );
    }

    #[test]
    fn and_then() {
        let okv = |v: Value| Value::case("ok", Some(v));
        let f = f1(move |v| {
            if int(v) < 0 {
                Value::case("error", Some(v.clone()))
            } else {
                Value::case("ok", Some(Value::Int(int(v) + 1)))
            }
        });
        let r = ok("stream.andThen", &[f.clone(), okv(st(&[1, 2]))]);
        let Value::Case(c) = &r else { panic!() };
        assert_eq!(&*c.name, "ok");
        assert_eq!(elems(c.arg.clone().unwrap()), ints(&[2, 3]));
        assert_eq!(
            ok("stream.andThen", &[f.clone(), okv(st(&[1, -2, -3]))]),
            Value::case("error", Some(i(-2)))
        );
        let e = Value::case("error", Some(Value::str("x")));
        assert_eq!(ok("stream.andThen", &[f, e.clone()]), e);
    }

    #[test]
    fn min_max() {
        let s = st(&[3, 1, 4, 1, 5]);
        assert_eq!(ok("stream.minIndex", &[s.clone()]), i(1));
        assert_eq!(ok("stream.minValue", &[s.clone()]), i(1));
        assert_eq!(ok("stream.maxIndex", &[s.clone()]), i(4));
        assert_eq!(ok("stream.maxValue", &[s.clone()]), i(5));
        let neg = f1(|v| Value::Int(-int(v)));
        assert_eq!(ok("stream.minIndexBy", &[neg.clone(), s.clone()]), i(4));
        assert_eq!(ok("stream.minValueBy", &[neg.clone(), s.clone()]), i(5));
        assert_eq!(ok("stream.maxIndexBy", &[neg.clone(), s.clone()]), i(1));
        assert_eq!(ok("stream.maxValueBy", &[neg.clone(), s]), i(1));
        assert!(ok("stream.minValue", &[st(&[])]).is_undefined());
        assert!(ok("stream.maxIndexBy", &[neg, st(&[])]).is_undefined());
    }

    #[test]
    fn construction() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let make = func(move |a| {
            assert_eq!(a[0], Value::Null);
            c.set(c.get() + 1);
            Ok(ints(&[7, 8]))
        });
        let l = ok("stream.lazy", &[make]);
        assert_eq!(calls.get(), 0);
        assert_eq!(elems(l.clone()), ints(&[7, 8]));
        assert_eq!(calls.get(), 1);
        assert_eq!(
            elems(ok("stream.initialize", &[i(3), double()])),
            ints(&[0, 2, 4])
        );
        assert_eq!(
            elems(ok("stream.initialize", &[i(-1), double()])),
            ints(&[])
        );
        assert_eq!(
            elems(ok(
                "stream.firstn",
                &[i(2), ok("stream.initUnbound", &[double()])]
            )),
            ints(&[0, 2])
        );
        assert_eq!(elems(ok("stream.enumerate", &[i(3)])), ints(&[0, 1, 2]));
        assert_eq!(elems(ok("stream.enumerate", &[i(0)])), ints(&[]));
        assert_eq!(elems(ok("stream.rev", &[st(&[1, 2, 3])])), ints(&[3, 2, 1]));
        assert_eq!(
            elems(ok(
                "stream.force",
                &[ok("stream.map", &[double(), st(&[1, 2])])]
            )),
            ints(&[2, 4])
        );
    }

    #[test]
    fn permutations() {
        let p = elems(ok("stream.permuteEnum", &[i(3)]));
        let Value::Array(p) = p else { panic!() };
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], ints(&[0, 1, 2]));
        assert_eq!(p[5], ints(&[2, 1, 0]));
        assert_eq!(
            elems(ok("stream.permuteEnum", &[i(0)])),
            Value::array(vec![ints(&[])])
        );
        let q = elems(ok("stream.permuteArray", &[strs(&["a", "b"])]));
        assert_eq!(q, Value::array(vec![strs(&["a", "b"]), strs(&["b", "a"])]));
        // permutations of 12 elements are produced lazily
        let many = ok("stream.permuteEnum", &[i(12)]);
        assert_eq!(
            ok("stream.first", &[ok("stream.skip", &[many])]),
            ints(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10])
        );
    }

    #[test]
    fn iteration() {
        let mut host = FnHost::default();
        assert_eq!(
            host.run(
                "stream.iter",
                &[
                    crate::natives::test_host::native("logging.info"),
                    ok("array.toStream", &[strs(&["a", "b"])])
                ]
            ),
            Ok(Value::Null)
        );
        assert_eq!(host.inner.logged, vec!["info: a", "info: b"]);
        assert_eq!(
            ok("stream.exists", &[even(), st(&[1, 3, 4])]),
            Value::Bool(true)
        );
        assert_eq!(ok("stream.exists", &[even(), st(&[])]), Value::Bool(false));
        assert_eq!(
            ok(
                "stream.exists",
                &[even(), ok("stream.enumUnbound", &[Value::Null])]
            ),
            Value::Bool(true)
        );
        assert_eq!(
            ok("stream.forAll", &[even(), st(&[2, 4])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("stream.forAll", &[even(), st(&[2, 3])]),
            Value::Bool(false)
        );
        assert_eq!(
            ok("stream.contains", &[Value::Float(2.0), st(&[1, 2])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("stream.contains", &[i(5), st(&[1, 2])]),
            Value::Bool(false)
        );
        assert_eq!(ok("stream.find", &[even(), st(&[1, 6, 8])]), i(6));
        assert!(ok("stream.find", &[even(), st(&[1])]).is_undefined());
        let half = f1(|v| {
            if int(v) % 2 == 0 {
                Value::Int(int(v) / 2)
            } else {
                Value::Undefined
            }
        });
        assert_eq!(
            ok("stream.findMapped", &[half.clone(), st(&[1, 6, 8])]),
            i(3)
        );
        assert!(ok("stream.findMapped", &[half, st(&[])]).is_undefined());
        let same = f2(|x, y| if x == y { x.clone() } else { Value::Undefined });
        assert_eq!(
            ok(
                "stream.findMapped2",
                &[same.clone(), st(&[1, 2, 3]), st(&[3, 2, 1])]
            ),
            i(2)
        );
        assert!(ok("stream.findMapped2", &[same, st(&[1, 2]), st(&[2])]).is_undefined());
    }

    #[test]
    fn slicing() {
        let s = st(&[1, 2, 3, 4]);
        assert_eq!(ok("stream.first", &[s.clone()]), i(1));
        assert_eq!(
            ok("stream.first", &[s.clone()]),
            i(1),
            "reading does not consume"
        );
        assert!(err("stream.first", &[st(&[])]).contains("empty"));
        assert_eq!(ok("stream.firstWithDefault", &[i(0), st(&[])]), i(0));
        assert_eq!(ok("stream.last", &[s.clone()]), i(4));
        assert!(err("stream.last", &[st(&[])]).contains("empty"));
        assert_eq!(ok("stream.lastWithDefault", &[i(0), st(&[])]), i(0));
        assert_eq!(elems(ok("stream.skip", &[s.clone()])), ints(&[2, 3, 4]));
        assert_eq!(elems(ok("stream.skipn", &[i(3), s.clone()])), ints(&[4]));
        assert_eq!(elems(ok("stream.skipn", &[i(9), s.clone()])), ints(&[]));
        assert_eq!(
            elems(ok("stream.skipn", &[i(-1), s.clone()])),
            ints(&[1, 2, 3, 4])
        );
        let lazy = ok("stream.map", &[double(), s.clone()]);
        assert_eq!(
            elems(ok("stream.skipn", &[i(2), lazy.clone()])),
            ints(&[6, 8])
        );
        assert_eq!(
            elems(ok("stream.firstn", &[i(2), lazy.clone()])),
            ints(&[2, 4])
        );
        assert_eq!(elems(ok("stream.firstn", &[i(0), lazy.clone()])), ints(&[]));
        assert_eq!(
            elems(ok("stream.firstn", &[i(2), s.clone()])),
            ints(&[1, 2])
        );
        assert_eq!(
            elems(ok("stream.lastn", &[i(2), lazy.clone()])),
            ints(&[6, 8])
        );
        assert_eq!(elems(ok("stream.lastn", &[i(0), lazy])), ints(&[]));
        assert_eq!(elems(ok("stream.lastn", &[i(9), s])), ints(&[1, 2, 3, 4]));
    }

    #[test]
    fn grouping_merging_sorting() {
        let tens = f1(|v| Value::Int(int(v) / 10));
        let g = elems(ok("stream.grouped", &[tens.clone(), st(&[1, 2, 11, 3])]));
        assert_eq!(
            g,
            Value::array(vec![ints(&[1, 2]), ints(&[11]), ints(&[3])])
        );
        assert_eq!(elems(ok("stream.grouped", &[tens, st(&[])])), ints(&[]));
        let id = f1(|v| v.clone());
        assert_eq!(
            elems(ok(
                "stream.merge",
                &[id.clone(), id.clone(), st(&[1, 4, 9]), st(&[2, 4, 10, 11])]
            )),
            ints(&[1, 2, 4, 4, 9, 10, 11])
        );
        assert_eq!(
            elems(ok(
                "stream.merge",
                &[id.clone(), id.clone(), st(&[]), st(&[2])]
            )),
            ints(&[2])
        );
        assert_eq!(
            elems(ok("stream.sort", &[id.clone(), st(&[3, 1, 2])])),
            ints(&[1, 2, 3])
        );
        assert_eq!(
            elems(ok(
                "stream.dirSort",
                &[Value::Bool(true), id.clone(), st(&[3, 1, 2])]
            )),
            ints(&[3, 2, 1])
        );
        let words = ok("array.toStream", &[strs(&["b", "B", "a"])]);
        assert_eq!(
            elems(ok("stream.sort_ci", &[id.clone(), words.clone()])),
            strs(&["a", "b", "B"])
        );
        assert_eq!(
            elems(ok(
                "stream.dirSort_ci",
                &[Value::Bool(true), id.clone(), words]
            )),
            strs(&["b", "B", "a"])
        );
        let gt = f2(|a, b| Value::Bool(int(a) > int(b)));
        assert_eq!(
            elems(ok("stream.sortBy", &[gt, st(&[5, 3, 9, 1, 3])])),
            ints(&[1, 3, 3, 5, 9])
        );
        // an inconsistent relation gives some permutation, never a panic
        let chaos = f2(|a, b| Value::Bool((int(a) + int(b)) % 3 == 0));
        let Value::Array(out) = elems(ok("stream.sortBy", &[chaos, st(&[1, 2, 3, 4, 5, 6, 7])]))
        else {
            panic!()
        };
        assert_eq!(out.len(), 7);
        let key = f1(|v| Value::str(format!("{}", int(v) % 2)));
        let pair = f2(|x, y| Value::array(vec![x.clone(), y.clone()]));
        let j = elems(ok(
            "stream.innerJoin",
            &[key.clone(), st(&[1, 2]), key, st(&[4, 3, 5]), pair],
        ));
        assert_eq!(
            j,
            Value::array(vec![ints(&[1, 3]), ints(&[1, 5]), ints(&[2, 4])])
        );
    }

    #[test]
    fn tee_shares_one_pass() {
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let counted = f1(move |v| {
            c.set(c.get() + 1);
            v.clone()
        });
        let src = ok("stream.map", &[counted, st(&[1, 2, 3])]);
        let t = ok("stream.tee", &[src]);
        let left = ok("stream.leftOut", &[t.clone()]);
        let right = ok("stream.rightOut", &[t]);
        let mut host = FnHost::default();
        let (Value::Stream(l), Value::Stream(r)) = (&left, &right) else {
            panic!()
        };
        let (mut cl, mut cr) = (l.cursor(), r.cursor());
        assert_eq!(cl.next(&mut host), Ok(Some(i(1))));
        assert_eq!(cr.next(&mut host), Ok(Some(i(1))));
        assert_eq!(cr.next(&mut host), Ok(Some(i(2))));
        assert_eq!(cl.next(&mut host), Ok(Some(i(2))));
        assert_eq!(elems(left), ints(&[1, 2, 3]));
        assert_eq!(elems(right), ints(&[1, 2, 3]));
        assert_eq!(calls.get(), 3, "each element computed once");
        assert!(err("stream.leftOut", &[i(1)]).contains("expected a tee"));
    }

    #[test]
    fn budgets_bound_unbounded_streams() {
        struct Budget(FnHost, u64);
        impl Host for Budget {
            fn call(&mut self, f: &Value, a: &[Value]) -> crate::error::RtResult<Value> {
                self.0.call(f, a)
            }
            fn charge(&mut self, n: u64) -> crate::error::RtResult<()> {
                if n > self.1 {
                    return Err(crate::error::RtError::limit("step budget exceeded"));
                }
                self.1 -= n;
                Ok(())
            }
            fn check_memory(&mut self) -> crate::error::RtResult<()> {
                Ok(())
            }
            fn random_state(&mut self) -> &mut u64 {
                self.0.random_state()
            }
            fn now_millis(&mut self) -> i64 {
                0
            }
            fn log(&mut self, _: &str) {}
            fn database(&mut self) -> &mut crate::db::Database {
                self.0.database()
            }
        }
        let never = f1(|_| Value::Bool(false));
        let s = ok(
            "stream.filter",
            &[never, ok("stream.enumUnbound", &[Value::Null])],
        );
        let mut host = Budget(FnHost::default(), 10_000);
        let r = run_with(&mut host, "stream.first", &[s]);
        assert!(matches!(r, Err(e) if e.kind == crate::error::ErrorKind::Limit));
        let mut host = Budget(FnHost::default(), 10_000);
        let r = run_with(
            &mut host,
            "stream.length",
            &[ok("stream.enumUnbound", &[Value::Null])],
        );
        assert!(matches!(r, Err(e) if e.kind == crate::error::ErrorKind::Limit));
    }
}
