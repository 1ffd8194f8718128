//! `container` (facts §5.13): functions over arrays and maps alike. A word selects a map key (a
//! string) or an array index (an integral number from 0). Lookups give `undefined` on any
//! problem: a missing key, an index out of range, a word of the wrong kind, a value that is not
//! a container.
//!
//! The deep functions visit the nested elements depth first, each element before its own
//! elements, maps in key order and arrays in index order; the root itself is not an element.
//! `deepMergeBuilder` and `mergeReplaceBuilder` have no native: nothing public says how they
//! differ from `deepMerge`/`shallowMerge` (docs/stdlib.md).

use std::ops::ControlFlow;
use std::rc::Rc;

use super::common::{built, call1, def, element, entry, holds, new_obj, stream_value};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::obj::Iter as ObjIter;
use crate::stream::Stream;
use crate::value::{Key, Obj, Value};

/// How deeply the deep functions follow nested containers (they recurse on the native stack).
const MAX_DEPTH: usize = 1024;

pub fn natives() -> Vec<NativeDef> {
    vec![
        def("container.safeGet", 2, safe_get),
        def("container.descend", 2, descend),
        def("container.pathUpdate", 3, path_update),
        def("container.pathUpdateAndAugment", 3, path_update_and_augment),
        def("container.deepIterPath", 2, deep_iter_path),
        def("container.shallowMap", 2, shallow_map),
        def("container.deepMap", 2, deep_map),
        def("container.shallowFind", 2, shallow_find),
        def("container.deepFind", 2, deep_find),
        def("container.shallowFindMapped", 2, shallow_find_mapped),
        def("container.deepFindMapped", 2, deep_find_mapped),
        def("container.shallowFindIndex", 2, shallow_find_index),
        def("container.deepFindPath", 2, deep_find_path),
        def("container.shallowMerge", 2, shallow_merge),
        def("container.deepMerge", 2, deep_merge),
        def("container.toStream", 1, to_stream),
        def("container.toStreamPairs", 1, to_stream_pairs),
    ]
}

/// Where an element sits in its container.
#[derive(Clone, Copy)]
enum Word<'a> {
    Index(usize),
    Key(&'a Key),
}

impl Word<'_> {
    fn value(self) -> Value {
        match self {
            Word::Index(i) => Value::Int(i as i64),
            Word::Key(k) => Value::str(&**k),
        }
    }
}

/// The direct elements of an array or a map, with their words.
enum Elements<'a> {
    Array(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
    Map(ObjIter<'a>),
}

impl<'a> Iterator for Elements<'a> {
    type Item = (Word<'a>, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Elements::Array(items) => items.next().map(|(i, v)| (Word::Index(i), v)),
            Elements::Map(entries) => entries.next().map(|(k, v)| (Word::Key(k), v)),
        }
    }
}

/// The elements of a container; `None` for any other value.
fn elements(c: &Value) -> Option<(usize, Elements<'_>)> {
    match c {
        Value::Array(a) => Some((a.len(), Elements::Array(a.iter().enumerate()))),
        Value::Obj(m) => Some((m.len(), Elements::Map(m.iter()))),
        _ => None,
    }
}

/// A word as an array index: a non-negative integral number.
fn index(word: &Value) -> Option<usize> {
    match word {
        Value::Int(i) => usize::try_from(*i).ok(),
        Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 => Some(*f as usize),
        _ => None,
    }
}

/// The element a word selects in a container.
fn child<'a>(c: &'a Value, word: &Value) -> Option<&'a Value> {
    match (c, word) {
        (Value::Obj(m), Value::Str(k)) => m.get(k.as_str()),
        (Value::Array(a), w) => index(w).and_then(|i| a.get(i)),
        _ => None,
    }
}

fn too_deep(name: &str) -> RtError {
    RtError::runtime(format!(
        "{name}: the value is nested more than {MAX_DEPTH} levels deep"
    ))
}

fn safe_get(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(child(&args[1], &args[0]).cloned().unwrap_or_default())
}

fn descend(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Value::Array(path) = &args[0] else {
        return Ok(Value::Undefined);
    };
    host.charge(path.len() as u64)?;
    let mut at = &args[1];
    for word in path.iter() {
        match child(at, word) {
            Some(next) => at = next,
            None => return Ok(Value::Undefined),
        }
    }
    Ok(at.clone())
}

fn path_update(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    updated(host, args, false)
}

fn path_update_and_augment(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    updated(host, args, true)
}

/// `pathUpdate(path, value, c)` and its augmenting twin: `undefined` when the path cannot be
/// followed (or the value or container is undefined).
fn updated(host: &mut dyn Host, args: &[Value], augment: bool) -> RtResult<Value> {
    let Value::Array(path) = &args[0] else {
        return Ok(Value::Undefined);
    };
    if args[1].is_undefined() || args[2].is_undefined() {
        return Ok(Value::Undefined);
    }
    host.charge(path.len() as u64)?;
    let value = update(Some(&args[2]), path, args[1].clone(), augment).unwrap_or_default();
    built(host, value)
}

/// `c` with the element at `path` replaced by `value`; `None` when the path cannot be followed.
///
/// Without `augment` every container along the path must exist, an array index must be in
/// range, and only the last step may add a new map key (as `map.set` does). With `augment`, a
/// missing or null element along the path becomes an empty map (for a key) or array (for an
/// index), and an index past the end pads the array with nulls.
fn update(c: Option<&Value>, path: &[Value], value: Value, augment: bool) -> Option<Value> {
    let Some((word, rest)) = path.split_first() else {
        return Some(value);
    };
    let fresh;
    let c = match c {
        Some(Value::Null) | None if augment => {
            fresh = match word {
                Value::Str(_) => Value::obj(Obj::new()),
                _ => Value::array(Vec::new()),
            };
            &fresh
        }
        Some(c) => c,
        None => return None,
    };
    match (c, word) {
        (Value::Obj(m), Value::Str(k)) => {
            let inner = m.get(k.as_str());
            if inner.is_none() && !rest.is_empty() && !augment {
                return None;
            }
            let new = update(inner, rest, value, augment)?;
            let mut out = (**m).clone();
            out.insert(Key::from(k.as_str()), new);
            Some(Value::obj(out))
        }
        (Value::Array(a), w) => {
            let i = index(w)?;
            if i >= a.len() && !augment {
                return None;
            }
            let new = update(a.get(i), rest, value, augment)?;
            let mut out = a.to_vec();
            if i < out.len() {
                out[i] = new;
            } else {
                out.resize(i, Value::Null);
                out.push(new);
            }
            Some(Value::array(out))
        }
        _ => None,
    }
}

/// Called on each nested element with its path; breaks to stop the walk.
type Visit<'v, 'a, B> =
    dyn FnMut(&mut dyn Host, &'a Value, &[Word<'a>]) -> RtResult<ControlFlow<B>> + 'v;

/// Visits every nested element of `c` with its path (see the module comment for the order),
/// until `visit` breaks.
fn walk<'a, B>(
    host: &mut dyn Host,
    name: &str,
    c: &'a Value,
    path: &mut Vec<Word<'a>>,
    visit: &mut Visit<'_, 'a, B>,
) -> RtResult<ControlFlow<B>> {
    let Some((len, items)) = elements(c) else {
        return Ok(ControlFlow::Continue(()));
    };
    if path.len() >= MAX_DEPTH {
        return Err(too_deep(name));
    }
    host.charge(len as u64)?;
    for (word, v) in items {
        path.push(word);
        if let ControlFlow::Break(b) = visit(host, v, path)? {
            return Ok(ControlFlow::Break(b));
        }
        if let ControlFlow::Break(b) = walk(host, name, v, path, visit)? {
            return Ok(ControlFlow::Break(b));
        }
        path.pop();
    }
    Ok(ControlFlow::Continue(()))
}

fn path_value(path: &[Word]) -> Value {
    Value::array(path.iter().map(|w| w.value()).collect())
}

/// The first nested element for which `pick` gives a value.
fn deep_search<'a>(
    host: &mut dyn Host,
    name: &str,
    c: &'a Value,
    mut pick: impl FnMut(&mut dyn Host, &'a Value, &[Word<'a>]) -> RtResult<Option<Value>>,
) -> RtResult<Value> {
    let found = walk(host, name, c, &mut Vec::new(), &mut |host, v, path| {
        Ok(match pick(host, v, path)? {
            Some(found) => ControlFlow::Break(found),
            None => ControlFlow::Continue(()),
        })
    })?;
    Ok(match found {
        ControlFlow::Break(v) => v,
        ControlFlow::Continue(()) => Value::Undefined,
    })
}

/// The first direct element for which `pick` gives a value.
fn shallow_search(
    host: &mut dyn Host,
    c: &Value,
    mut pick: impl FnMut(&mut dyn Host, Word, &Value) -> RtResult<Option<Value>>,
) -> RtResult<Value> {
    let Some((len, items)) = elements(c) else {
        return Ok(Value::Undefined);
    };
    host.charge(len as u64)?;
    for (word, v) in items {
        if let Some(found) = pick(host, word, v)? {
            return Ok(found);
        }
    }
    Ok(Value::Undefined)
}

fn deep_iter_path(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let ControlFlow::Continue(()) = walk::<std::convert::Infallible>(
        host,
        "container.deepIterPath",
        &args[1],
        &mut Vec::new(),
        &mut |host, v, path| {
            host.call(f, &[v.clone(), path_value(path)])?;
            Ok(ControlFlow::Continue(()))
        },
    )?;
    Ok(if args[1].is_undefined() {
        Value::Undefined
    } else {
        Value::Null
    })
}

fn shallow_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    let mapped = match &args[1] {
        Value::Array(a) => {
            host.charge(a.len() as u64)?;
            let mut out = Vec::with_capacity(a.len());
            for x in a.iter() {
                out.push(element(call1(host, f, x)?)?);
            }
            Value::array(out)
        }
        Value::Obj(m) => {
            host.charge(m.len() as u64)?;
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m.iter() {
                out.push((k.clone(), entry(call1(host, f, v)?)?));
            }
            new_obj(Obj::from_sorted(out))
        }
        _ => return Ok(Value::Undefined),
    };
    built(host, mapped)
}

fn deep_map(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let mapped = deep_mapped(host, &args[0], &args[1], 0)?;
    built(host, mapped)
}

/// `f` applied to every value inside `v` that is not a container, the containers rebuilt
/// around the results (a value that is not a container is itself such a value).
fn deep_mapped(host: &mut dyn Host, f: &Value, v: &Value, depth: usize) -> RtResult<Value> {
    if depth > MAX_DEPTH {
        return Err(too_deep("container.deepMap"));
    }
    Ok(match v {
        Value::Undefined => Value::Undefined,
        Value::Array(a) => {
            host.charge(a.len() as u64)?;
            let mut out = Vec::with_capacity(a.len());
            for x in a.iter() {
                out.push(element(deep_mapped(host, f, x, depth + 1)?)?);
            }
            Value::array(out)
        }
        Value::Obj(m) => {
            host.charge(m.len() as u64)?;
            let mut out = Vec::with_capacity(m.len());
            for (k, x) in m.iter() {
                out.push((k.clone(), entry(deep_mapped(host, f, x, depth + 1)?)?));
            }
            new_obj(Obj::from_sorted(out))
        }
        leaf => call1(host, f, leaf)?,
    })
}

fn shallow_find(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let p = &args[0];
    shallow_search(host, &args[1], |host, _, v| {
        Ok(holds(host, "container.shallowFind", p, v)?.then(|| v.clone()))
    })
}

fn deep_find(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let p = &args[0];
    deep_search(host, "container.deepFind", &args[1], |host, v, _| {
        Ok(holds(host, "container.deepFind", p, v)?.then(|| v.clone()))
    })
}

/// `f(v)` unless it is undefined.
fn defined_result(host: &mut dyn Host, f: &Value, v: &Value) -> RtResult<Option<Value>> {
    let r = call1(host, f, v)?;
    Ok((!r.is_undefined()).then_some(r))
}

fn shallow_find_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    shallow_search(host, &args[1], |host, _, v| defined_result(host, f, v))
}

fn deep_find_mapped(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let f = &args[0];
    deep_search(host, "container.deepFindMapped", &args[1], |host, v, _| {
        defined_result(host, f, v)
    })
}

fn shallow_find_index(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let p = &args[0];
    shallow_search(host, &args[1], |host, word, v| {
        Ok(holds(host, "container.shallowFindIndex", p, v)?.then(|| word.value()))
    })
}

fn deep_find_path(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let p = &args[0];
    deep_search(host, "container.deepFindPath", &args[1], |host, v, path| {
        Ok(holds(host, "container.deepFindPath", p, v)?.then(|| path_value(path)))
    })
}

fn shallow_merge(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let merged = merged(host, &args[0], &args[1], None)?;
    built(host, merged)
}

fn deep_merge(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let merged = merged(host, &args[0], &args[1], Some(0))?;
    built(host, merged)
}

/// Two maps merge key by key, the second's entries winning (`deep` is the depth when entries
/// present in both that are maps merge in turn); any other pair gives the second value.
fn merged(host: &mut dyn Host, a: &Value, b: &Value, deep: Option<usize>) -> RtResult<Value> {
    if a.is_undefined() || b.is_undefined() {
        return Ok(Value::Undefined);
    }
    let (Value::Obj(x), Value::Obj(y)) = (a, b) else {
        return Ok(b.clone());
    };
    if deep.is_some_and(|d| d > MAX_DEPTH) {
        return Err(too_deep("container.deepMerge"));
    }
    host.charge(y.len() as u64)?;
    let mut out = (**x).clone();
    for (k, v) in y.iter() {
        let new = match (deep, out.get(&**k)) {
            (Some(depth), Some(old)) => merged(host, old, v, Some(depth + 1))?,
            _ => v.clone(),
        };
        out.insert(k.clone(), new);
    }
    Ok(Value::Obj(Rc::new(out)))
}

fn to_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((len, items)) = elements(&args[0]) else {
        return Ok(Value::Undefined);
    };
    host.charge(len as u64)?;
    Ok(stream_value(Stream::of_vec(
        items.map(|(_, v)| v.clone()).collect(),
    )))
}

fn to_stream_pairs(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some((len, items)) = elements(&args[0]) else {
        return Ok(Value::Undefined);
    };
    host.charge(len as u64)?;
    Ok(stream_value(Stream::of_vec(
        items
            .map(|(w, v)| Value::array(vec![w.value(), v.clone()]))
            .collect(),
    )))
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::MAX_DEPTH;
    use crate::natives::common::testkit::{err, f1, func, ints, map_of as m, ok, strs};
    use crate::value::Value;

    fn path(words: &[Value]) -> Value {
        Value::array(words.to_vec())
    }

    /// `{b: [10, {c: 20}], a: 1}`.
    fn sample() -> Value {
        m(&[
            (
                "b",
                Value::array(vec![Value::Int(10), m(&[("c", Value::Int(20))])]),
            ),
            ("a", Value::Int(1)),
        ])
    }

    #[test]
    fn deep_iter_path_visits_depth_first_in_key_order() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = seen.clone();
        let visit = func(move |args| {
            log.borrow_mut().push(Value::array(args.to_vec()));
            Ok(Value::Null)
        });
        assert_eq!(
            ok("container.deepIterPath", &[visit, sample()]),
            Value::Null
        );
        let s = Value::str;
        let i = Value::Int;
        let expected = vec![
            Value::array(vec![i(1), path(&[s("a")])]),
            Value::array(vec![
                Value::array(vec![i(10), m(&[("c", i(20))])]),
                path(&[s("b")]),
            ]),
            Value::array(vec![i(10), path(&[s("b"), i(0)])]),
            Value::array(vec![m(&[("c", i(20))]), path(&[s("b"), i(1)])]),
            Value::array(vec![i(20), path(&[s("b"), i(1), s("c")])]),
        ];
        assert_eq!(*seen.borrow(), expected);
    }

    #[test]
    fn deep_find_stops_at_the_first_match() {
        let calls = Rc::new(RefCell::new(0));
        let count = calls.clone();
        let is_ten = func(move |args| {
            *count.borrow_mut() += 1;
            Ok(Value::Bool(args[0] == Value::Int(10)))
        });
        assert_eq!(
            ok("container.deepFindPath", &[is_ten, sample()]),
            path(&[Value::str("b"), Value::Int(0)])
        );
        // `a`, `b`, then `b[0]`: nothing after the match
        assert_eq!(*calls.borrow(), 3);
    }

    #[test]
    fn undefined_results_cannot_be_stored() {
        let undefined = f1(|_| Value::Undefined);
        assert!(err("container.deepMap", &[undefined.clone(), ints(&[1])])
            .contains("cannot store undefined in an array"));
        assert!(err(
            "container.shallowMap",
            &[undefined, m(&[("a", Value::Null)])]
        )
        .contains("cannot store undefined in a map"));
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_not_a_crash() {
        let mut deep = Value::Int(0);
        for _ in 0..MAX_DEPTH + 2 {
            deep = Value::array(vec![deep]);
        }
        let never = f1(|_| Value::Bool(false));
        for name in ["container.deepFind", "container.deepFindPath"] {
            assert!(err(name, &[never.clone(), deep.clone()]).contains("nested more than"));
        }
        assert!(err("container.deepMap", &[f1(|v| v.clone()), deep.clone()])
            .contains("nested more than"));
        let mut deep_map = m(&[]);
        for _ in 0..MAX_DEPTH + 2 {
            deep_map = m(&[("k", deep_map)]);
        }
        assert!(
            err("container.deepMerge", &[deep_map.clone(), deep_map]).contains("nested more than")
        );
        // below the limit, all fine
        let shallow = Value::array(vec![Value::array(vec![strs(&["x"])])]);
        assert_eq!(
            ok(
                "container.deepFindPath",
                &[f1(|v| Value::Bool(*v == Value::str("x"))), shallow]
            ),
            ints(&[0, 0, 0])
        );
    }
}
