//! Lazy streams. A stream value is an immutable description of a sequence; iterating it makes a
//! cursor, so the same stream can be consumed twice and an infinite one is fine as long as the
//! consumer stops.
//!
//! Sources (`Empty`, `Once`, `Slice`, `SliceRev`, `Range`) hold their elements or compute them;
//! lazy stages (`Stage`: map, filter, flatMap, take, skip, …) describe a transformation of other
//! streams and call Mix functions through the [`Host`] only when their cursor is pulled. Appends
//! are iterated with an explicit stack, so `s = s ++ x` in a loop does not deepen the native
//! stack; stages nest (each one's cursor pulls its source), so their depth is capped at
//! [`MAX_DEPTH`] when they are built.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::native::Host;
use crate::value::{Array, Value};

/// How many lazy stages may be stacked on one another (each adds a native stack frame to every
/// pull); deeper pipelines are a run-time error suggesting `stream.force`.
pub const MAX_DEPTH: u32 = 10_000;

pub enum Stream {
    Empty,
    /// A single value (what `++` wraps a plain value into).
    Once(Value),
    /// Elements `start..end` of an array (`a[]`, `a[p..q]`).
    Slice {
        items: Array,
        start: usize,
        end: usize,
    },
    /// `a ++ b`
    Append(Rc<Stream>, Rc<Stream>),
    /// Elements `start..end` of an array, last to first.
    SliceRev {
        items: Array,
        start: usize,
        end: usize,
    },
    /// The integers `start`, `start + step`, … before `end` (exclusive; forever when `None`).
    Range {
        start: i64,
        end: Option<i64>,
        step: i64,
    },
    /// A lazy transformation of other streams.
    Stage(Stage),
}

/// A lazy stage; built by the `stream` natives through [`Stream::stage`].
pub struct Stage {
    depth: u32,
    op: Op,
}

#[derive(Clone, Copy)]
pub(crate) enum MapKind {
    /// `f(x)`
    Plain,
    /// `f(i, x)`
    Indexed,
    /// `f(i)`
    IndexOnly,
}

pub(crate) enum Op {
    Map {
        f: Value,
        src: Rc<Stream>,
        kind: MapKind,
    },
    /// `map2`/`indexedMap2`, or `zip` when `f` is `None`. Both inputs must end together.
    Map2 {
        f: Option<Value>,
        a: Rc<Stream>,
        b: Rc<Stream>,
        indexed: bool,
        name: &'static str,
    },
    Filter {
        f: Value,
        src: Rc<Stream>,
    },
    FlatMap {
        f: Value,
        src: Rc<Stream>,
    },
    /// `f(0)`, `f(1)`, … (`count` of them, or forever).
    Init {
        f: Value,
        count: Option<i64>,
    },
    Take {
        n: u64,
        src: Rc<Stream>,
    },
    Skip {
        n: u64,
        src: Rc<Stream>,
    },
    /// Drops elements whose string key was seen before.
    Dedup {
        f: Value,
        src: Rc<Stream>,
    },
    /// The stream `f(null)`, computed when first pulled.
    Lazy {
        f: Value,
    },
    /// `[index, element]` pairs.
    Pairs {
        src: Rc<Stream>,
    },
    /// Runs of adjacent elements with equal keys, as arrays.
    Grouped {
        f: Value,
        src: Rc<Stream>,
    },
    /// Merge of two streams sorted by their keys (ties: `a` first).
    Merge {
        ka: Value,
        kb: Value,
        a: Rc<Stream>,
        b: Rc<Stream>,
    },
    /// `lreduce(step, emit, last, init, src)`: after each element, `emit(acc)`; at the end,
    /// `last(acc)`.
    LReduce {
        step: Value,
        emit: Value,
        last: Value,
        init: Value,
        src: Rc<Stream>,
    },
    /// All permutations of an array, in lexicographic order of the index sequences.
    Permute {
        items: Array,
    },
    /// A buffered stream whose readers share the source's elements (`stream.tee`).
    Shared(Rc<Shared>),
}

/// The shared state of a tee: the one cursor over the source and what it has produced so far.
pub(crate) struct Shared {
    state: RefCell<SharedState>,
}

struct SharedState {
    /// `None` once the source has ended.
    source: Option<Cursor>,
    buffer: Vec<Value>,
}

impl Shared {
    pub(crate) fn new(source: &Rc<Stream>) -> Shared {
        Shared {
            state: RefCell::new(SharedState {
                source: Some(source.cursor()),
                buffer: Vec::new(),
            }),
        }
    }
}

impl Stream {
    pub fn of_array(items: Array) -> Stream {
        let end = items.len();
        Stream::Slice {
            items,
            start: 0,
            end,
        }
    }

    /// A stream of the elements of a vector.
    pub fn of_vec(items: Vec<Value>) -> Rc<Stream> {
        if items.is_empty() {
            return Rc::new(Stream::Empty);
        }
        Rc::new(Stream::of_array(items.into()))
    }

    /// A value as a stream: streams as they are, anything else as a one-element stream.
    pub fn wrap(v: Value) -> Rc<Stream> {
        match v {
            Value::Stream(s) => s,
            other => Rc::new(Stream::Once(other)),
        }
    }

    pub fn cursor(self: &Rc<Self>) -> Cursor {
        Cursor { state: start(self) }
    }

    /// Builds a lazy stage, refusing pipelines deeper than [`MAX_DEPTH`].
    pub(crate) fn stage(op: Op) -> RtResult<Rc<Stream>> {
        let depth = 1 + op
            .sources()
            .iter()
            .flatten()
            .map(|s| s.depth())
            .max()
            .unwrap_or(0);
        if depth > MAX_DEPTH {
            return Err(RtError::runtime(format!(
                "stream pipeline too deep (more than {MAX_DEPTH} lazy stages); use stream.force to materialise it"
            )));
        }
        Ok(Rc::new(Stream::Stage(Stage { depth, op })))
    }

    /// The nesting depth of lazy stages (an append counts its direct operands only).
    fn depth(&self) -> u32 {
        match self {
            Stream::Stage(s) => s.depth,
            Stream::Append(a, b) => {
                let d = |s: &Stream| match s {
                    Stream::Stage(st) => st.depth,
                    _ => 0,
                };
                1 + d(a).max(d(b))
            }
            _ => 0,
        }
    }

    /// Reads every element (charging one step each).
    pub fn collect(self: &Rc<Self>, host: &mut dyn Host) -> RtResult<Vec<Value>> {
        if let Stream::Slice { items, start, end } = &**self {
            let end = (*end).min(items.len());
            let start = (*start).min(end);
            host.charge((end - start) as u64)?;
            return Ok(items[start..end].to_vec());
        }
        let mut out = Vec::new();
        let mut cursor = self.cursor();
        while let Some(v) = cursor.next(host)? {
            host.charge(1)?;
            out.push(v);
        }
        Ok(out)
    }
}

thread_local! {
    static EMPTY: Rc<Stream> = Rc::new(Stream::Empty);
}

/// Long chains of appends (`s = s ++ x` in a loop) are dropped with an explicit stack rather
/// than by recursion.
impl Drop for Stream {
    fn drop(&mut self) {
        fn detach(s: &mut Rc<Stream>, stack: &mut Vec<Rc<Stream>>) {
            if Rc::strong_count(s) == 1 && matches!(**s, Stream::Append(..)) {
                if let Ok(empty) = EMPTY.try_with(Rc::clone) {
                    stack.push(std::mem::replace(s, empty));
                }
            }
        }
        let Stream::Append(a, b) = self else { return };
        let mut stack = Vec::new();
        detach(a, &mut stack);
        detach(b, &mut stack);
        while let Some(s) = stack.pop() {
            if let Ok(Stream::Append(a, b)) = Rc::try_unwrap(s).as_mut() {
                detach(a, &mut stack);
                detach(b, &mut stack);
            }
        }
    }
}

impl Op {
    fn sources(&self) -> [Option<&Rc<Stream>>; 2] {
        match self {
            Op::Map { src, .. }
            | Op::Filter { src, .. }
            | Op::FlatMap { src, .. }
            | Op::Take { src, .. }
            | Op::Skip { src, .. }
            | Op::Dedup { src, .. }
            | Op::Pairs { src }
            | Op::Grouped { src, .. }
            | Op::LReduce { src, .. } => [Some(src), None],
            Op::Map2 { a, b, .. } | Op::Merge { a, b, .. } => [Some(a), Some(b)],
            Op::Init { .. } | Op::Lazy { .. } | Op::Permute { .. } | Op::Shared(_) => [None, None],
        }
    }
}

/// Iteration state over a stream.
pub struct Cursor {
    state: State,
}

enum State {
    Done,
    /// Not started: the stream's own state is built on the first pull (so building a cursor
    /// over nested stages does not recurse).
    Pending(Rc<Stream>),
    Once(Value),
    Slice {
        items: Array,
        pos: usize,
        end: usize,
    },
    SliceRev {
        items: Array,
        /// One past the next element.
        next: usize,
        start: usize,
    },
    Range {
        next: i64,
        end: Option<i64>,
        step: i64,
    },
    Append {
        current: Box<Cursor>,
        /// Streams still to read, the next one last.
        rest: Vec<Rc<Stream>>,
    },
    Map {
        f: Value,
        src: Box<Cursor>,
        kind: MapKind,
        index: i64,
    },
    Map2 {
        f: Option<Value>,
        a: Box<Cursor>,
        b: Box<Cursor>,
        indexed: bool,
        name: &'static str,
        index: i64,
    },
    Filter {
        f: Value,
        src: Box<Cursor>,
    },
    FlatMap {
        f: Value,
        src: Box<Cursor>,
        inner: Option<Box<Cursor>>,
    },
    Init {
        f: Value,
        next: i64,
        count: Option<i64>,
    },
    Take {
        left: u64,
        src: Box<Cursor>,
    },
    Skip {
        left: u64,
        src: Box<Cursor>,
    },
    Dedup {
        f: Value,
        src: Box<Cursor>,
        seen: HashSet<String>,
    },
    Lazy {
        f: Value,
    },
    Pairs {
        src: Box<Cursor>,
        index: i64,
    },
    Grouped {
        f: Value,
        src: Box<Cursor>,
        pending: Option<(Value, Value)>,
    },
    Merge {
        ka: Value,
        kb: Value,
        a: Box<Cursor>,
        b: Box<Cursor>,
        /// The next element of each side with its key; `None` when not read yet, `Some(None)`
        /// when the side has ended.
        head_a: Option<Option<(Value, Value)>>,
        head_b: Option<Option<(Value, Value)>>,
    },
    LReduce {
        step: Value,
        emit: Value,
        last: Value,
        acc: Value,
        src: Box<Cursor>,
        out: Option<Box<Cursor>>,
        finished: bool,
    },
    Permute {
        items: Array,
        perm: Vec<usize>,
        started: bool,
    },
    Shared {
        shared: Rc<Shared>,
        pos: usize,
    },
}

/// Follows the left spine of nested appends, pushing the right operands on `rest`.
fn leftmost(mut s: Rc<Stream>, rest: &mut Vec<Rc<Stream>>) -> Rc<Stream> {
    loop {
        let next = match &*s {
            Stream::Append(a, b) => {
                rest.push(b.clone());
                a.clone()
            }
            _ => return s,
        };
        s = next;
    }
}

fn boxed(s: &Rc<Stream>) -> Box<Cursor> {
    Box::new(Cursor {
        state: State::Pending(s.clone()),
    })
}

fn start(s: &Rc<Stream>) -> State {
    match &**s {
        Stream::Empty => State::Done,
        Stream::Once(v) => State::Once(v.clone()),
        Stream::Slice { items, start, end } => State::Slice {
            items: items.clone(),
            pos: *start,
            end: (*end).min(items.len()),
        },
        Stream::SliceRev { items, start, end } => State::SliceRev {
            items: items.clone(),
            next: (*end).min(items.len()),
            start: *start,
        },
        Stream::Range { start, end, step } => State::Range {
            next: *start,
            end: *end,
            step: *step,
        },
        Stream::Append(..) => {
            let mut rest = Vec::new();
            let first = leftmost(s.clone(), &mut rest);
            State::Append {
                current: Box::new(Cursor {
                    state: start(&first),
                }),
                rest,
            }
        }
        Stream::Stage(stage) => match &stage.op {
            Op::Map { f, src, kind } => State::Map {
                f: f.clone(),
                src: boxed(src),
                kind: *kind,
                index: 0,
            },
            Op::Map2 {
                f,
                a,
                b,
                indexed,
                name,
            } => State::Map2 {
                f: f.clone(),
                a: boxed(a),
                b: boxed(b),
                indexed: *indexed,
                name,
                index: 0,
            },
            Op::Filter { f, src } => State::Filter {
                f: f.clone(),
                src: boxed(src),
            },
            Op::FlatMap { f, src } => State::FlatMap {
                f: f.clone(),
                src: boxed(src),
                inner: None,
            },
            Op::Init { f, count } => State::Init {
                f: f.clone(),
                next: 0,
                count: *count,
            },
            Op::Take { n, src } => State::Take {
                left: *n,
                src: boxed(src),
            },
            Op::Skip { n, src } => State::Skip {
                left: *n,
                src: boxed(src),
            },
            Op::Dedup { f, src } => State::Dedup {
                f: f.clone(),
                src: boxed(src),
                seen: HashSet::new(),
            },
            Op::Lazy { f } => State::Lazy { f: f.clone() },
            Op::Pairs { src } => State::Pairs {
                src: boxed(src),
                index: 0,
            },
            Op::Grouped { f, src } => State::Grouped {
                f: f.clone(),
                src: boxed(src),
                pending: None,
            },
            Op::Merge { ka, kb, a, b } => State::Merge {
                ka: ka.clone(),
                kb: kb.clone(),
                a: boxed(a),
                b: boxed(b),
                head_a: None,
                head_b: None,
            },
            Op::LReduce {
                step,
                emit,
                last,
                init,
                src,
            } => State::LReduce {
                step: step.clone(),
                emit: emit.clone(),
                last: last.clone(),
                acc: init.clone(),
                src: boxed(src),
                out: None,
                finished: false,
            },
            Op::Permute { items } => State::Permute {
                items: items.clone(),
                perm: (0..items.len()).collect(),
                started: false,
            },
            Op::Shared(shared) => State::Shared {
                shared: shared.clone(),
                pos: 0,
            },
        },
    }
}

fn undefined_element() -> RtError {
    RtError::runtime("cannot store undefined in a stream")
}

fn storable(v: Value) -> RtResult<Value> {
    if v.is_undefined() {
        Err(undefined_element())
    } else {
        Ok(v)
    }
}

/// A function's result as a stream (`flatMap`, `lazy`, `lreduce`): streams and arrays.
pub(crate) fn as_stream(v: Value, name: &str) -> RtResult<Rc<Stream>> {
    match v {
        Value::Stream(s) => Ok(s),
        Value::Array(items) => Ok(Rc::new(Stream::of_array(items))),
        Value::Null => Ok(Rc::new(Stream::Empty)),
        other => Err(RtError::runtime(format!(
            "{name}: the function gave {}, expected a stream",
            other.kind()
        ))),
    }
}

/// A condition's result: `Some(holds)`, or `None` when undefined (filters drop the element).
pub(crate) fn condition(v: &Value, name: &str) -> RtResult<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Undefined => Ok(None),
        other => Err(RtError::runtime(format!(
            "{name}: the condition gave {}, expected a bool",
            other.kind()
        ))),
    }
}

/// Rearranges `perm` into the next permutation in lexicographic order; false after the last.
pub(crate) fn next_permutation(perm: &mut [usize]) -> bool {
    if perm.len() < 2 {
        return false;
    }
    let mut i = perm.len() - 1;
    while i > 0 && perm[i - 1] >= perm[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = perm.len() - 1;
    while perm[j] <= perm[i - 1] {
        j -= 1;
    }
    perm.swap(i - 1, j);
    perm[i..].reverse();
    true
}

/// What one step of a cursor gives.
enum Step {
    Yield(Value),
    End,
    /// Nothing yet (the state changed); step again.
    Again,
    /// Continue as this state (`lazy` produced its stream).
    Become(Box<State>),
}

fn pull(src: &mut Cursor, host: &mut dyn Host) -> RtResult<Option<Value>> {
    src.next(host)
}

#[inline(never)]
fn step_map(
    host: &mut dyn Host,
    f: &Value,
    src: &mut Cursor,
    kind: MapKind,
    index: &mut i64,
) -> RtResult<Step> {
    let Some(x) = pull(src, host)? else {
        return Ok(Step::End);
    };
    let y = match kind {
        MapKind::Plain => host.call(f, std::slice::from_ref(&x))?,
        MapKind::Indexed => host.call(f, &[Value::Int(*index), x])?,
        MapKind::IndexOnly => host.call(f, &[Value::Int(*index)])?,
    };
    *index += 1;
    storable(y).map(Step::Yield)
}

#[inline(never)]
fn step_map2(
    host: &mut dyn Host,
    f: &Option<Value>,
    a: &mut Cursor,
    b: &mut Cursor,
    indexed: bool,
    name: &str,
    index: &mut i64,
) -> RtResult<Step> {
    let x = pull(a, host)?;
    let y = pull(b, host)?;
    let (x, y) = match (x, y) {
        (Some(x), Some(y)) => (x, y),
        (None, None) => return Ok(Step::End),
        _ => {
            return Err(RtError::runtime(format!(
                "{name}: the streams have different lengths"
            )))
        }
    };
    let v = match (f, indexed) {
        (None, _) => Value::array(vec![x, y]),
        (Some(f), false) => host.call(f, &[x, y])?,
        (Some(f), true) => host.call(f, &[Value::Int(*index), x, y])?,
    };
    *index += 1;
    storable(v).map(Step::Yield)
}

#[inline(never)]
fn step_filter(host: &mut dyn Host, f: &Value, src: &mut Cursor) -> RtResult<Step> {
    loop {
        let Some(x) = pull(src, host)? else {
            return Ok(Step::End);
        };
        host.charge(1)?;
        let c = host.call(f, std::slice::from_ref(&x))?;
        if condition(&c, "stream.filter")? == Some(true) {
            return Ok(Step::Yield(x));
        }
    }
}

#[inline(never)]
fn step_flat_map(
    host: &mut dyn Host,
    f: &Value,
    src: &mut Cursor,
    inner: &mut Option<Box<Cursor>>,
) -> RtResult<Step> {
    if let Some(c) = inner {
        if let Some(v) = pull(c, host)? {
            return Ok(Step::Yield(v));
        }
        *inner = None;
    }
    let Some(x) = pull(src, host)? else {
        return Ok(Step::End);
    };
    host.charge(1)?;
    let s = as_stream(host.call(f, std::slice::from_ref(&x))?, "stream.flatMap")?;
    *inner = Some(Box::new(s.cursor()));
    Ok(Step::Again)
}

#[inline(never)]
fn step_init(host: &mut dyn Host, f: &Value, next: &mut i64, count: Option<i64>) -> RtResult<Step> {
    if count.is_some_and(|c| *next >= c) {
        return Ok(Step::End);
    }
    let v = host.call(f, &[Value::Int(*next)])?;
    *next += 1;
    storable(v).map(Step::Yield)
}

#[inline(never)]
fn step_skip(host: &mut dyn Host, left: &mut u64, src: &mut Cursor) -> RtResult<Step> {
    while *left > 0 {
        host.charge(1)?;
        if pull(src, host)?.is_none() {
            return Ok(Step::End);
        }
        *left -= 1;
    }
    Ok(match pull(src, host)? {
        Some(v) => Step::Yield(v),
        None => Step::End,
    })
}

#[inline(never)]
fn step_dedup(
    host: &mut dyn Host,
    f: &Value,
    src: &mut Cursor,
    seen: &mut HashSet<String>,
) -> RtResult<Step> {
    loop {
        let Some(x) = pull(src, host)? else {
            return Ok(Step::End);
        };
        host.charge(1)?;
        match host.call(f, std::slice::from_ref(&x))? {
            Value::Str(k) => {
                if seen.insert(k.to_string()) {
                    return Ok(Step::Yield(x));
                }
            }
            Value::Undefined => return Ok(Step::Yield(x)),
            other => {
                return Err(RtError::runtime(format!(
                    "stream.deduplicateKeepFirst: the key is {}, expected a string",
                    other.kind()
                )))
            }
        }
    }
}

#[inline(never)]
fn step_grouped(
    host: &mut dyn Host,
    f: &Value,
    src: &mut Cursor,
    pending: &mut Option<(Value, Value)>,
) -> RtResult<Step> {
    let (key, first) = match pending.take() {
        Some(p) => p,
        None => match pull(src, host)? {
            Some(x) => (host.call(f, std::slice::from_ref(&x))?, x),
            None => return Ok(Step::End),
        },
    };
    let mut group = vec![first];
    while let Some(x) = pull(src, host)? {
        host.charge(1)?;
        let k = host.call(f, std::slice::from_ref(&x))?;
        if k == key {
            group.push(x);
        } else {
            *pending = Some((k, x));
            break;
        }
    }
    Ok(Step::Yield(Value::array(group)))
}

type Head = Option<Option<(Value, Value)>>;

fn fill(host: &mut dyn Host, head: &mut Head, key: &Value, src: &mut Cursor) -> RtResult<()> {
    if head.is_none() {
        *head = Some(match pull(src, host)? {
            Some(x) => Some((host.call(key, std::slice::from_ref(&x))?, x)),
            None => None,
        });
    }
    Ok(())
}

#[inline(never)]
fn step_merge(
    host: &mut dyn Host,
    (ka, kb): (&Value, &Value),
    (a, b): (&mut Cursor, &mut Cursor),
    (head_a, head_b): (&mut Head, &mut Head),
) -> RtResult<Step> {
    fill(host, head_a, ka, a)?;
    fill(host, head_b, kb, b)?;
    let take_b = match (&*head_a, &*head_b) {
        (Some(Some((ka, _))), Some(Some((kb, _)))) => total_cmp(kb, ka) == Ordering::Less,
        (Some(Some(_)), _) => false,
        (_, Some(Some(_))) => true,
        _ => return Ok(Step::End),
    };
    let head = if take_b { head_b } else { head_a };
    Ok(match head.take() {
        Some(Some((_, x))) => Step::Yield(x),
        _ => Step::Again,
    })
}

struct LReduceFns<'a> {
    step: &'a Value,
    emit: &'a Value,
    last: &'a Value,
}

#[inline(never)]
fn step_lreduce(
    host: &mut dyn Host,
    fns: LReduceFns<'_>,
    acc: &mut Value,
    src: &mut Cursor,
    out: &mut Option<Box<Cursor>>,
    finished: &mut bool,
) -> RtResult<Step> {
    if let Some(c) = out {
        if let Some(v) = pull(c, host)? {
            return Ok(Step::Yield(v));
        }
        *out = None;
    }
    if *finished {
        return Ok(Step::End);
    }
    host.charge(1)?;
    let s = match pull(src, host)? {
        Some(x) => {
            let next = host.call(fns.step, &[x, std::mem::take(acc)])?;
            *acc = next;
            host.call(fns.emit, std::slice::from_ref(acc))?
        }
        None => {
            *finished = true;
            host.call(fns.last, std::slice::from_ref(acc))?
        }
    };
    *out = Some(Box::new(as_stream(s, "stream.lreduce")?.cursor()));
    Ok(Step::Again)
}

#[inline(never)]
fn step_permute(
    host: &mut dyn Host,
    items: &[Value],
    perm: &mut [usize],
    started: &mut bool,
) -> RtResult<Step> {
    if *started && !next_permutation(perm) {
        return Ok(Step::End);
    }
    *started = true;
    host.charge(perm.len() as u64 + 1)?;
    let v: Vec<Value> = perm.iter().filter_map(|&i| items.get(i).cloned()).collect();
    Ok(Step::Yield(Value::array(v)))
}

#[inline(never)]
fn step_shared(host: &mut dyn Host, shared: &Shared, pos: &mut usize) -> RtResult<Step> {
    let mut st = shared
        .state
        .try_borrow_mut()
        .map_err(|_| RtError::runtime("stream.tee: the stream is read while it is being read"))?;
    if let Some(v) = st.buffer.get(*pos) {
        *pos += 1;
        return Ok(Step::Yield(v.clone()));
    }
    let pulled = match &mut st.source {
        Some(c) => pull(c, host)?,
        None => None,
    };
    Ok(match pulled {
        Some(v) => {
            st.buffer.push(v.clone());
            *pos += 1;
            Step::Yield(v)
        }
        None => {
            st.source = None;
            Step::End
        }
    })
}

#[inline(never)]
fn step_lazy(host: &mut dyn Host, f: &Value) -> RtResult<Step> {
    let s = as_stream(host.call(f, &[Value::Null])?, "stream.lazy")?;
    Ok(Step::Become(Box::new(start(&s))))
}

impl Cursor {
    /// The next element, or `None` at the end.
    pub fn next(&mut self, host: &mut dyn Host) -> RtResult<Option<Value>> {
        loop {
            let step = match &mut self.state {
                State::Done => return Ok(None),
                State::Pending(s) => {
                    let s = s.clone();
                    self.state = start(&s);
                    continue;
                }
                State::Once(_) => match std::mem::replace(&mut self.state, State::Done) {
                    State::Once(v) => return Ok(Some(v)),
                    _ => return Ok(None),
                },
                State::Slice { items, pos, end } => {
                    if *pos < *end {
                        if let Some(v) = items.get(*pos) {
                            *pos += 1;
                            return Ok(Some(v.clone()));
                        }
                    }
                    Ok(Step::End)
                }
                State::SliceRev { items, next, start } => {
                    if *next > *start {
                        *next -= 1;
                        if let Some(v) = items.get(*next) {
                            return Ok(Some(v.clone()));
                        }
                    }
                    Ok(Step::End)
                }
                State::Range { next, end, step } => {
                    let ended = match end {
                        Some(e) => (*step > 0 && *next >= *e) || (*step <= 0 && *next <= *e),
                        None => false,
                    };
                    if ended {
                        Ok(Step::End)
                    } else {
                        let v = *next;
                        match next.checked_add(*step) {
                            Some(n) => *next = n,
                            None => self.state = State::Done,
                        }
                        return Ok(Some(Value::Int(v)));
                    }
                }
                State::Append { current, rest } => {
                    if let Some(v) = current.next(host)? {
                        return Ok(Some(v));
                    }
                    match rest.pop() {
                        Some(s) => {
                            let first = leftmost(s, rest);
                            current.state = start(&first);
                            Ok(Step::Again)
                        }
                        None => Ok(Step::End),
                    }
                }
                State::Map {
                    f,
                    src,
                    kind,
                    index,
                } => step_map(host, f, src, *kind, index),
                State::Map2 {
                    f,
                    a,
                    b,
                    indexed,
                    name,
                    index,
                } => step_map2(host, f, a, b, *indexed, name, index),
                State::Filter { f, src } => step_filter(host, f, src),
                State::FlatMap { f, src, inner } => step_flat_map(host, f, src, inner),
                State::Init { f, next, count } => step_init(host, f, next, *count),
                State::Take { left, src } => {
                    if *left == 0 {
                        Ok(Step::End)
                    } else {
                        *left -= 1;
                        return pull(src, host);
                    }
                }
                State::Skip { left, src } => step_skip(host, left, src),
                State::Dedup { f, src, seen } => step_dedup(host, f, src, seen),
                State::Lazy { f } => step_lazy(host, f),
                State::Pairs { src, index } => match pull(src, host)? {
                    Some(x) => {
                        let pair = Value::array(vec![Value::Int(*index), x]);
                        *index += 1;
                        return Ok(Some(pair));
                    }
                    None => Ok(Step::End),
                },
                State::Grouped { f, src, pending } => step_grouped(host, f, src, pending),
                State::Merge {
                    ka,
                    kb,
                    a,
                    b,
                    head_a,
                    head_b,
                } => step_merge(host, (ka, kb), (a, b), (head_a, head_b)),
                State::LReduce {
                    step,
                    emit,
                    last,
                    acc,
                    src,
                    out,
                    finished,
                } => step_lreduce(
                    host,
                    LReduceFns { step, emit, last },
                    acc,
                    src,
                    out,
                    finished,
                ),
                State::Permute {
                    items,
                    perm,
                    started,
                } => step_permute(host, items, perm, started),
                State::Shared { shared, pos } => step_shared(host, shared, pos),
            };
            match step? {
                Step::Yield(v) => return Ok(Some(v)),
                Step::End => {
                    self.state = State::Done;
                    return Ok(None);
                }
                Step::Again => {}
                Step::Become(s) => self.state = *s,
            }
        }
    }
}

/// A total order on values, used to sort and to merge (spec §5 order where it is defined):
/// kinds rank null < bool < number < string < array < object < case < ref < binary < function
/// < stream < opaque < undefined; numbers compare exactly (an integer against a float without
/// rounding), NaN after every other number; strings by UTF-8 bytes; arrays and objects
/// lexicographically (objects by key, then value); cases by name, then argument (none first).
pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    fn rank(v: &Value) -> u8 {
        match v {
            Null => 0,
            Bool(_) => 1,
            Int(_) | Float(_) => 2,
            Str(_) => 3,
            Array(_) => 4,
            Obj(_) => 5,
            Case(_) => 6,
            Ref(_) => 7,
            Binary(_) => 8,
            Func(_) => 9,
            Stream(_) => 10,
            Host(_) => 11,
            Undefined => 12,
        }
    }
    match (a, b) {
        (Bool(x), Bool(y)) => x.cmp(y),
        (Int(x), Int(y)) => x.cmp(y),
        (Float(x), Float(y)) => float_cmp(*x, *y),
        (Int(x), Float(y)) => int_float_cmp(*x, *y),
        (Float(x), Int(y)) => int_float_cmp(*y, *x).reverse(),
        (Str(x), Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Array(x), Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match total_cmp(p, q) {
                    Ordering::Equal => {}
                    decided => return decided,
                }
            }
            x.len().cmp(&y.len())
        }
        (Obj(x), Obj(y)) => {
            for ((kx, vx), (ky, vy)) in x.iter().zip(y.iter()) {
                match kx.as_bytes().cmp(ky.as_bytes()) {
                    Ordering::Equal => {}
                    decided => return decided,
                }
                match total_cmp(vx, vy) {
                    Ordering::Equal => {}
                    decided => return decided,
                }
            }
            x.len().cmp(&y.len())
        }
        (Case(x), Case(y)) => match x.name.as_bytes().cmp(y.name.as_bytes()) {
            Ordering::Equal => match (&x.arg, &y.arg) {
                (Some(p), Some(q)) => total_cmp(p, q),
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
            },
            decided => decided,
        },
        (Ref(x), Ref(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Binary(x), Binary(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Floats: numeric order, `-0 == 0`, NaN greatest (all NaNs equal).
fn float_cmp(x: f64, y: f64) -> Ordering {
    match x.partial_cmp(&y) {
        Some(o) => o,
        None => x.is_nan().cmp(&y.is_nan()),
    }
}

/// An integer against a float, exactly.
fn int_float_cmp(i: i64, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Less;
    }
    // 2^63 is exactly representable; every i64 is below it and at least -2^63.
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    if f >= TWO63 {
        return Ordering::Less;
    }
    if f < -TWO63 {
        return Ordering::Greater;
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => {
            let fr = f - t;
            if fr > 0.0 {
                Ordering::Less
            } else if fr < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        decided => decided,
    }
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;
    use crate::natives::test_host::TestHost;

    fn ints(v: &[i64]) -> Array {
        Array::new(v.iter().map(|&i| Value::Int(i)).collect())
    }

    fn read(s: &Rc<Stream>) -> Vec<Value> {
        s.collect(&mut TestHost::default()).expect("stream reads")
    }

    #[test]
    fn sources_and_appends() {
        let a = Rc::new(Stream::of_array(ints(&[1, 2])));
        let s = Rc::new(Stream::Append(
            Rc::new(Stream::Append(
                a.clone(),
                Rc::new(Stream::Once(Value::Int(3))),
            )),
            Rc::new(Stream::Append(Rc::new(Stream::Empty), a.clone())),
        ));
        assert_eq!(read(&s), ints(&[1, 2, 3, 1, 2]).to_vec());
        // a second read sees the same elements
        assert_eq!(read(&s), ints(&[1, 2, 3, 1, 2]).to_vec());
        let r = Rc::new(Stream::SliceRev {
            items: ints(&[1, 2, 3, 4]),
            start: 1,
            end: 3,
        });
        assert_eq!(read(&r), ints(&[3, 2]).to_vec());
        let down = Rc::new(Stream::Range {
            start: 2,
            end: Some(-1),
            step: -1,
        });
        assert_eq!(read(&down), ints(&[2, 1, 0]).to_vec());
        let top = Rc::new(Stream::Range {
            start: i64::MAX - 1,
            end: None,
            step: 1,
        });
        assert_eq!(read(&top), ints(&[i64::MAX - 1, i64::MAX]).to_vec());
    }

    #[test]
    fn deep_left_appends_do_not_recurse() {
        let mut s = Rc::new(Stream::Empty);
        for i in 0..200_000 {
            s = Rc::new(Stream::Append(s, Rc::new(Stream::Once(Value::Int(i)))));
        }
        let v = read(&s);
        assert_eq!(v.len(), 200_000);
        assert_eq!(v[199_999], Value::Int(199_999));
        // dropping the chain must not recurse either
        drop(s);
        let mut s = Rc::new(Stream::Empty);
        for i in 0..200_000 {
            s = Rc::new(Stream::Append(Rc::new(Stream::Once(Value::Int(i))), s));
        }
        assert_eq!(read(&s).len(), 200_000);
    }

    #[test]
    fn stage_depth_is_capped() {
        // the deepest pipeline is read on a large stack, as `mixc` runs programs
        let worker = std::thread::Builder::new().stack_size(1 << 28).spawn(|| {
            let mut s = Rc::new(Stream::of_array(vec![Value::Int(7)].into()));
            let mut err = None;
            for _ in 0..=MAX_DEPTH {
                match Stream::stage(Op::Take {
                    n: 1,
                    src: s.clone(),
                }) {
                    Ok(t) => s = t,
                    Err(e) => {
                        err = Some(e);
                        break;
                    }
                }
            }
            assert!(err.is_some_and(|e| e.message.contains("too deep")));
            assert_eq!(read(&s), vec![Value::Int(7)]);
        });
        assert!(worker.expect("spawn").join().is_ok());
    }

    #[test]
    fn hundreds_of_nested_stages_fit_a_small_stack() {
        // about 400 bytes of native stack per stage in release builds, 3.5 KB unoptimised
        let mut s = Rc::new(Stream::Range {
            start: 0,
            end: Some(5),
            step: 1,
        });
        for _ in 0..300 {
            s = Stream::stage(Op::Skip { n: 0, src: s }).expect("stage");
        }
        assert_eq!(read(&s).len(), 5);
    }

    #[test]
    fn total_order_is_exact_and_total() {
        use Ordering::*;
        assert_eq!(total_cmp(&Value::Int(1), &Value::Float(1.0)), Equal);
        assert_eq!(total_cmp(&Value::Int(1), &Value::Float(1.5)), Less);
        assert_eq!(total_cmp(&Value::Int(-1), &Value::Float(-1.5)), Greater);
        let big = (1i64 << 53) + 1;
        assert_eq!(
            total_cmp(&Value::Int(big), &Value::Float((1u64 << 53) as f64)),
            Greater
        );
        assert_eq!(
            total_cmp(&Value::Float(f64::NAN), &Value::Int(i64::MAX)),
            Greater
        );
        assert_eq!(
            total_cmp(&Value::Float(f64::NAN), &Value::Float(f64::NAN)),
            Equal
        );
        assert_eq!(total_cmp(&Value::Float(-0.0), &Value::Int(0)), Equal);
        assert_eq!(total_cmp(&Value::Null, &Value::Bool(false)), Less);
        assert_eq!(total_cmp(&Value::str("é"), &Value::str("z")), Greater);
        assert_eq!(total_cmp(&Value::Undefined, &Value::str("z")), Greater);
        assert_eq!(
            total_cmp(
                &Value::case("a", None),
                &Value::case("a", Some(Value::Null))
            ),
            Less
        );
        assert_eq!(
            total_cmp(&Value::Float(1e300), &Value::Int(i64::MAX)),
            Greater
        );
    }

    #[test]
    fn permutations_in_order() {
        let mut p = vec![0, 1, 2];
        let mut all = vec![p.clone()];
        while next_permutation(&mut p) {
            all.push(p.clone());
        }
        assert_eq!(all.len(), 6);
        assert_eq!(all[1], vec![0, 2, 1]);
        assert_eq!(all[5], vec![2, 1, 0]);
    }
}
