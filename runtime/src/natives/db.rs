//! `db` (facts §5.17, §6; spec §7): records in the program's database ([`crate::db`]).
//!
//! A query value (`db.head()`, `db.all()`, `db.query(db, text)`) is a host object holding the
//! database it reads and a list of stages. Query-AST stages (from a query string, `db.process`,
//! `db.processPipeline`, every `db.filter` call and projection-only `db.map` calls, which the
//! compiler rewrites into `db.process` with query AST) at the start of the pipeline run in the
//! store's query engine (indexes first); every later stage runs over the records in memory, in
//! order: other `db.map` functions and the `WithFallback` forms are Mix functions called once
//! per record (this module's `db.filter` runs only where `db.filter` is used as a value),
//! `db.sort` sorts by a Mix key, slices cut, and AST stages after a Mix stage are evaluated by
//! the engine's evaluator over the rows. A query is run afresh by each of `toArray`,
//! `toStream`, `length`, `first`, ….
//!
//! Records come back with their system fields (`_rmx_id`, `_rmx_rev`, …) in id order, which
//! for ids the store generates is creation order. Writes take `appstate` first (any value in
//! this runtime); the stream forms of save/upsert/delete run eagerly.

use std::rc::Rc;

use mix_store::query::eval::{Ctx, Deref};
use mix_store::query::{self as mq, Aggregation, Filter, Query, QueryOptions};
use mix_store::value::Value as SValue;

use super::common::{def, expected, sort_by_key, SortKeys};
use crate::db::{designator, from_json, from_store, selector, to_json, to_store, Selector};
use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{HostObject, Obj, Value};

pub fn natives() -> Vec<NativeDef> {
    vec![
        // databases
        def("db.mainDB", 0, main_db),
        def("db.appDB", 1, app_db),
        def("db.localInMemDB", 1, local_in_mem_db),
        def("db.globalInMemDB", 1, global_in_mem_db),
        def("db.remoteDB", 2, remote_db),
        // single records
        def("db.getOne", 2, get_one),
        def("db.getOneWithDefault", 3, get_one_with_default),
        def("db.saveOne", 3, save_one),
        def("db.saveOneGetID", 3, save_one_get_id),
        def("db.upsertOne", 3, upsert_one),
        def("db.upsertOneGetID", 3, upsert_one_get_id),
        def("db.deleteOne", 3, delete_one),
        def("db.deleteOneStm", 3, delete_one_stm),
        // arrays and streams of records
        def("db.getArray", 2, get_array),
        def("db.getStream", 2, get_stream),
        def("db.getStreamWithDefault", 3, get_stream_with_default),
        def("db.get", 2, get_stream),
        def("db.getWithDefault", 3, get_stream_with_default),
        def("db.saveArray", 3, save_array),
        def("db.saveArrayGetIDs", 3, save_array_get_ids),
        def("db.saveStream", 3, save_stream),
        def("db.saveStreamGetIDs", 3, save_stream_get_ids),
        def("db.save", 3, save_stream),
        def("db.upsertArray", 3, upsert_array),
        def("db.upsertArrayGetIDs", 3, upsert_array_get_ids),
        def("db.upsertStream", 3, upsert_stream),
        def("db.upsertStreamGetIDs", 3, upsert_stream_get_ids),
        def("db.upsert", 3, upsert_stream),
        def("db.deleteArray", 3, delete_array),
        def("db.deleteArrayStm", 3, delete_array_stm),
        def("db.deleteStream", 3, delete_stream),
        def("db.deleteStreamStm", 3, delete_stream_stm),
        def("db.delete", 3, delete_stream),
        def("db.deref", 2, deref),
        // base queries and modifiers
        def("db.head", 1, head),
        def("db.all", 1, all),
        def("db.query", 2, query),
        def("db.database", 1, database),
        def("db.includeDeleted", 2, include_deleted),
        def("db.includeSuperseded", 2, include_superseded),
        def("db.unrestricted", 2, unrestricted),
        def("db.label", 2, label),
        // filter, map, sort
        def("db.filter", 2, filter),
        def("db.filterWithFallback", 2, filter_with_fallback),
        def("db.map", 2, map),
        def("db.mapWithFallback", 2, map_with_fallback),
        def("db.sort", 2, sort),
        def("db.dirSort", 3, dir_sort),
        // execution
        def("db.length", 1, length),
        def("db.isEmpty", 1, is_empty),
        def("db.isNotEmpty", 1, is_not_empty),
        def("db.exists", 2, exists),
        def("db.toArray", 1, to_array),
        def("db.toStream", 1, to_stream),
        // slices
        def("db.first", 1, first),
        def("db.firstWithDefault", 2, first_with_default),
        def("db.last", 1, last),
        def("db.lastWithDefault", 2, last_with_default),
        def("db.skip", 1, skip),
        def("db.skipn", 2, skipn),
        def("db.firstn", 2, firstn),
        def("db.lastn", 2, lastn),
        // query AST
        def("db.eval", 1, eval),
        def("db.process", 2, process),
        def("db.processWithFallback", 3, process_with_fallback),
        def("db.processPipeline", 2, process_pipeline),
        def("db.parse", 1, parse),
        def("db.parseQueryString", 2, parse_query_string),
        // anonymous links
        def("db.makeAnonymousLink", 3, make_anonymous_link),
        // references
        def("db.makeRef", 1, make_ref),
        def("db.stringRef", 1, string_ref),
        def("db.isRef", 1, is_ref),
    ]
}

// ---------- databases ----------

fn rmx(scope: &str, name: Option<&Value>, inmem: bool) -> Value {
    let mut fields = vec![("type", Value::str("rmx")), ("scope", Value::str(scope))];
    if let Some(n) = name {
        fields.push(("db", n.clone()));
    }
    if inmem {
        fields.push(("inmem", Value::Bool(true)));
    }
    designator(&fields)
}

fn db_name<'a>(name: &str, v: &'a Value) -> RtResult<&'a Value> {
    match v {
        Value::Str(_) => Ok(v),
        other => Err(expected(name, "a database name (a string)", other)),
    }
}

/// `{"type": "rmx", "scope": "main"}`.
fn main_db(_: &mut dyn Host, _: &[Value]) -> RtResult<Value> {
    Ok(rmx("main", None, false))
}

/// `{"type": "rmx", "scope": "app", "db": name}`.
fn app_db(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(rmx("app", Some(db_name("db.appDB", &args[0])?), false))
}

/// `{"type": "rmx", "scope": "session", "db": name, "inmem": true}`.
fn local_in_mem_db(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(rmx(
        "session",
        Some(db_name("db.localInMemDB", &args[0])?),
        true,
    ))
}

/// `{"type": "rmx", "scope": "global", "db": name, "inmem": true}`.
fn global_in_mem_db(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(rmx(
        "global",
        Some(db_name("db.globalInMemDB", &args[0])?),
        true,
    ))
}

/// `{"type": "rmx_remote", "url": url, "db": name}`: using it is a run-time error here.
fn remote_db(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let url = db_name("db.remoteDB", &args[0])?;
    let name = db_name("db.remoteDB", &args[1])?;
    Ok(designator(&[
        ("type", Value::str("rmx_remote")),
        ("url", url.clone()),
        ("db", name.clone()),
    ]))
}

fn store_err(name: &str, e: mix_store::StoreError) -> RtError {
    RtError::runtime(format!("{name}: {e}"))
}

// ---------- records ----------

/// A record id argument: a ref (`None` for `null`, what `db.makeRef("")` gives).
fn record_id(name: &str, v: &Value) -> RtResult<Option<String>> {
    match v {
        Value::Ref(id) => Ok(Some(id.to_string())),
        Value::Null => Ok(None),
        Value::Str(_) => Err(RtError::runtime(format!(
            "{name}: expected a record id (a ref), got a string; use db.makeRef(s)"
        ))),
        other => Err(expected(name, "a record id (a ref)", other)),
    }
}

/// A record to write, as a store value; `_rmx_id` must be a ref (or absent/null).
fn record_in(name: &str, v: &Value) -> RtResult<SValue> {
    let Value::Obj(m) = v else {
        return Err(expected(name, "a record (a map)", v));
    };
    match m.get("_rmx_id") {
        None | Some(Value::Null | Value::Ref(_)) => {}
        Some(Value::Str(_)) => {
            return Err(RtError::runtime(format!(
                "{name}: _rmx_id must be a ref, not a string; use db.makeRef(s)"
            )))
        }
        Some(other) => {
            return Err(RtError::runtime(format!(
                "{name}: _rmx_id must be a ref, not {}",
                other.kind()
            )))
        }
    }
    to_store(v, "the database")
}

/// The head of a live record.
fn fetch(host: &mut dyn Host, name: &str, sel: &Selector, id: &str) -> RtResult<Option<Value>> {
    let store = host.database().store(sel)?;
    Ok(store
        .get(id)
        .map_err(|e| store_err(name, e))?
        .map(from_store))
}

fn get_with(host: &mut dyn Host, name: &str, args: &[Value], default: Value) -> RtResult<Value> {
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let sel = selector(name, &args[0])?;
    let Some(id) = record_id(name, &args[1])? else {
        return Ok(default);
    };
    Ok(fetch(host, name, &sel, &id)?.unwrap_or(default))
}

/// The record with an id, `null` when there is none.
fn get_one(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    get_with(host, "db.getOne", args, Value::Null)
}

fn get_one_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    get_with(host, "db.getOneWithDefault", &args[1..], args[0].clone())
}

#[derive(Clone, Copy, PartialEq)]
enum Write {
    Save,
    Upsert,
}

/// Writes records; their ids, in order.
fn write(
    host: &mut dyn Host,
    name: &str,
    sel: &Selector,
    kind: Write,
    records: &[Value],
) -> RtResult<Vec<String>> {
    let incoming: Vec<SValue> = records
        .iter()
        .map(|r| record_in(name, r))
        .collect::<RtResult<_>>()?;
    host.charge(incoming.len() as u64)?;
    let store = host.database().store(sel)?;
    match kind {
        Write::Save if incoming.len() > 1 => {
            store.save_batch(incoming).map_err(|e| store_err(name, e))
        }
        Write::Save => incoming
            .into_iter()
            .map(|r| store.save(r).map_err(|e| store_err(name, e)))
            .collect(),
        Write::Upsert => incoming
            .into_iter()
            .map(|r| store.upsert(r).map_err(|e| store_err(name, e)))
            .collect(),
    }
}

/// The records as saved (with their system fields).
fn saved(host: &mut dyn Host, name: &str, sel: &Selector, ids: &[String]) -> RtResult<Vec<Value>> {
    ids.iter()
        .map(|id| Ok(fetch(host, name, sel, id)?.unwrap_or(Value::Null)))
        .collect()
}

fn ref_value(id: String) -> Value {
    Value::Ref(Rc::new(id))
}

/// `f(appstate, db, record)` for one record: the saved record or its id.
fn write_one(
    host: &mut dyn Host,
    name: &str,
    args: &[Value],
    kind: Write,
    give_id: bool,
) -> RtResult<Value> {
    if args[2].is_undefined() {
        return Err(RtError::runtime(format!(
            "{name}: cannot store undefined in the database"
        )));
    }
    let sel = selector(name, &args[1])?;
    let ids = write(host, name, &sel, kind, std::slice::from_ref(&args[2]))?;
    if give_id {
        return Ok(ref_value(ids[0].clone()));
    }
    Ok(saved(host, name, &sel, &ids)?.remove(0))
}

fn save_one(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_one(host, "db.saveOne", args, Write::Save, false)
}

fn save_one_get_id(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_one(host, "db.saveOneGetID", args, Write::Save, true)
}

fn upsert_one(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_one(host, "db.upsertOne", args, Write::Upsert, false)
}

fn upsert_one_get_id(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_one(host, "db.upsertOneGetID", args, Write::Upsert, true)
}

/// The elements of an array or stream argument (streams are read eagerly).
fn elements(host: &mut dyn Host, name: &str, v: &Value) -> RtResult<Option<Vec<Value>>> {
    match v {
        Value::Array(a) => Ok(Some(a.to_vec())),
        Value::Stream(s) => Ok(Some(s.collect(host)?)),
        Value::Undefined => Ok(None),
        other => Err(expected(name, "an array or a stream", other)),
    }
}

/// How a many-record write gives its result.
#[derive(Clone, Copy, PartialEq)]
enum Give {
    Records,
    Ids,
}

fn write_many(
    host: &mut dyn Host,
    name: &str,
    args: &[Value],
    kind: Write,
    give: Give,
    stream: bool,
) -> RtResult<Value> {
    let sel = selector(name, &args[1])?;
    let Some(records) = elements(host, name, &args[2])? else {
        return Err(RtError::runtime(format!(
            "{name}: cannot store undefined in the database"
        )));
    };
    let ids = write(host, name, &sel, kind, &records)?;
    let out = match give {
        Give::Ids => ids.into_iter().map(ref_value).collect(),
        Give::Records => saved(host, name, &sel, &ids)?,
    };
    host.check_memory()?;
    Ok(if stream {
        Value::Stream(Stream::of_vec(out))
    } else {
        Value::array(out)
    })
}

fn save_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.saveArray",
        args,
        Write::Save,
        Give::Records,
        false,
    )
}

fn save_array_get_ids(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.saveArrayGetIDs",
        args,
        Write::Save,
        Give::Ids,
        false,
    )
}

fn save_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.saveStream",
        args,
        Write::Save,
        Give::Records,
        true,
    )
}

fn save_stream_get_ids(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.saveStreamGetIDs",
        args,
        Write::Save,
        Give::Ids,
        true,
    )
}

fn upsert_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.upsertArray",
        args,
        Write::Upsert,
        Give::Records,
        false,
    )
}

fn upsert_array_get_ids(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.upsertArrayGetIDs",
        args,
        Write::Upsert,
        Give::Ids,
        false,
    )
}

fn upsert_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.upsertStream",
        args,
        Write::Upsert,
        Give::Records,
        true,
    )
}

fn upsert_stream_get_ids(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    write_many(
        host,
        "db.upsertStreamGetIDs",
        args,
        Write::Upsert,
        Give::Ids,
        true,
    )
}

/// Deletes records; each as it was before (`{}` for an id without a live record).
fn delete_ids(
    host: &mut dyn Host,
    name: &str,
    sel: &Selector,
    ids: &[Value],
) -> RtResult<Vec<Value>> {
    let ids: Vec<Option<String>> = ids
        .iter()
        .map(|v| record_id(name, v))
        .collect::<RtResult<_>>()?;
    host.charge(ids.len() as u64)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(id) = id else {
            out.push(Value::obj(Obj::new()));
            continue;
        };
        let before = fetch(host, name, sel, &id)?;
        if before.is_some() {
            let store = host.database().store(sel)?;
            store.delete(&id).map_err(|e| store_err(name, e))?;
        }
        out.push(before.unwrap_or_else(|| Value::obj(Obj::new())));
    }
    Ok(out)
}

fn delete_one_with(host: &mut dyn Host, name: &str, args: &[Value]) -> RtResult<Value> {
    if args[2].is_undefined() {
        return Ok(Value::Undefined);
    }
    let sel = selector(name, &args[1])?;
    Ok(delete_ids(host, name, &sel, std::slice::from_ref(&args[2]))?.remove(0))
}

fn delete_one(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    delete_one_with(host, "db.deleteOne", args)
}

fn delete_one_stm(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    delete_one_with(host, "db.deleteOneStm", args)?;
    Ok(Value::Null)
}

fn delete_many(host: &mut dyn Host, name: &str, args: &[Value], stream: bool) -> RtResult<Value> {
    let sel = selector(name, &args[1])?;
    let Some(ids) = elements(host, name, &args[2])? else {
        return Ok(Value::Undefined);
    };
    let out = delete_ids(host, name, &sel, &ids)?;
    Ok(if stream {
        Value::Stream(Stream::of_vec(out))
    } else {
        Value::array(out)
    })
}

fn delete_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    delete_many(host, "db.deleteArray", args, false)
}

fn delete_array_stm(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    delete_many(host, "db.deleteArrayStm", args, false)?;
    Ok(Value::Null)
}

fn delete_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    delete_many(host, "db.deleteStream", args, true)
}

fn delete_stream_stm(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    delete_many(host, "db.deleteStreamStm", args, true)?;
    Ok(Value::Null)
}

fn get_many(
    host: &mut dyn Host,
    name: &str,
    args: &[Value],
    default: Value,
) -> RtResult<Vec<Value>> {
    let sel = selector(name, &args[0])?;
    let Some(ids) = elements(host, name, &args[1])? else {
        return Ok(Vec::new());
    };
    host.charge(ids.len() as u64)?;
    let mut out = Vec::with_capacity(ids.len());
    for v in &ids {
        let rec = match record_id(name, v)? {
            Some(id) => fetch(host, name, &sel, &id)?,
            None => None,
        };
        out.push(rec.unwrap_or_else(|| default.clone()));
    }
    host.check_memory()?;
    Ok(out)
}

/// The records with the given ids (`null` for an id without a live record).
fn get_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    Ok(Value::array(get_many(
        host,
        "db.getArray",
        args,
        Value::Null,
    )?))
}

fn get_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[1].is_undefined() {
        return Ok(Value::Undefined);
    }
    let out = get_many(host, "db.getStream", args, Value::Null)?;
    Ok(Value::Stream(Stream::of_vec(out)))
}

fn get_stream_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[2].is_undefined() {
        return Ok(Value::Undefined);
    }
    let out = get_many(host, "db.getStreamWithDefault", &args[1..], args[0].clone())?;
    Ok(Value::Stream(Stream::of_vec(out)))
}

/// Replaces every ref inside a value by the record it points to (one level: refs inside the
/// loaded records stay refs; a ref without a live record stays as it is).
fn deref(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let sel = selector("db.deref", &args[0])?;
    fn walk(host: &mut dyn Host, sel: &Selector, v: &Value) -> RtResult<Value> {
        Ok(match v {
            Value::Ref(id) => fetch(host, "db.deref", sel, id)?.unwrap_or_else(|| v.clone()),
            Value::Array(items) => Value::array(
                items
                    .iter()
                    .map(|x| walk(host, sel, x))
                    .collect::<RtResult<_>>()?,
            ),
            Value::Obj(m) => {
                let mut out = Obj::new();
                for (k, x) in m.iter() {
                    out.insert(k.clone(), walk(host, sel, x)?);
                }
                Value::obj(out)
            }
            other => other.clone(),
        })
    }
    walk(host, &sel, &args[1])
}

// ---------- query values ----------

/// A query: the database it reads, which records it sees, and its stages.
#[derive(Clone)]
pub struct DbQuery {
    db: Value,
    sel: Selector,
    history: bool,
    include_deleted: bool,
    /// `db.unrestricted` and `db.label` are kept with the query; a single-process runtime has
    /// no access rules and no query log, so nothing reads them yet.
    #[allow(dead_code)]
    unrestricted: bool,
    #[allow(dead_code)]
    label: Option<String>,
    stages: Vec<Stage>,
}

#[derive(Clone)]
enum Stage {
    /// Query-AST stages (filters, a projection, aggregations).
    Ast(Query),
    /// `db.filter(p)`: keeps the rows for which the Mix predicate holds.
    Filter(Value),
    /// `db.map(f)`.
    Map(Value),
    /// `db.sort(key)` / `db.dirSort(descending, key)`.
    Sort(Value, bool),
    Skip(usize),
    First(usize),
    Last(usize),
    /// `db.processWithFallback`'s Mix function over the stream of rows.
    Fallback(Value),
}

const QUERY_TAG: &str = "db.query";
const EVAL_TAG: &str = "db.eval";

impl DbQuery {
    fn value(self) -> Value {
        Value::Host(Rc::new(HostObject::Other(QUERY_TAG, Box::new(self))))
    }

    fn add(&mut self, stage: Stage) {
        if let Stage::Ast(q) = &stage {
            if let Some(Stage::Ast(last)) = self.stages.last_mut() {
                if merge(last, q) {
                    return;
                }
            }
        }
        self.stages.push(stage);
    }

    fn push(mut self, stage: Stage) -> Value {
        self.add(stage);
        self.value()
    }
}

/// Adds `next` to `q` when one engine query can run both: filters before the projection,
/// at most one projection, aggregations last.
fn merge(q: &mut Query, next: &Query) -> bool {
    let open = q.projection.is_none() && q.aggregations.is_empty();
    if open {
        q.filters.extend(next.filters.iter().cloned());
        q.projection = next.projection.clone();
        q.aggregations = next.aggregations.clone();
        return true;
    }
    if next.filters.is_empty() && next.projection.is_none() {
        q.aggregations.extend(next.aggregations.iter().cloned());
        return true;
    }
    false
}

/// The query argument (`None`: it is `undefined`, which bubbles out).
fn the_query(name: &str, v: &Value) -> RtResult<Option<DbQuery>> {
    match v {
        Value::Host(h) => match &**h {
            HostObject::Other(QUERY_TAG, b) => match b.downcast_ref::<DbQuery>() {
                Some(q) => Ok(Some(q.clone())),
                None => Err(expected(name, "a query", v)),
            },
            _ => Err(expected(name, "a query", v)),
        },
        Value::Undefined => Ok(None),
        other => Err(RtError::runtime(format!(
            "{name}: expected a query (db.head(), db.all(), db.query(…)), got {}{}",
            other.kind(),
            if matches!(other, Value::Array(_) | Value::Stream(_)) {
                "; use the array or stream functions on the results of db.toArray/db.toStream"
            } else {
                ""
            }
        ))),
    }
}

macro_rules! query_arg {
    ($name:expr, $v:expr) => {
        match the_query($name, $v)? {
            Some(q) => q,
            None => return Ok(Value::Undefined),
        }
    };
}

fn base(name: &str, db: &Value, history: bool, stages: Vec<Stage>) -> RtResult<Value> {
    let sel = selector(name, db)?;
    Ok(DbQuery {
        db: db.clone(),
        sel,
        history,
        include_deleted: false,
        unrestricted: false,
        label: None,
        stages,
    }
    .value())
}

/// The current records (heads) of a database.
fn head(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    base("db.head", &args[0], false, Vec::new())
}

/// Every revision of every record (superseded ones marked `_rmx_superseded: true`).
fn all(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    base("db.all", &args[0], true, Vec::new())
}

fn parse_text(name: &str, text: &Value) -> RtResult<Option<Query>> {
    match text {
        Value::Str(s) => mq::parse_query(s).map(Some).map_err(|e| {
            RtError::runtime(format!(
                "{name}: invalid query string {:?}: {e}",
                s.as_str()
            ))
        }),
        Value::Undefined => Ok(None),
        other => Err(expected(name, "a query string", other)),
    }
}

/// `db.query(db, "age > 30 | {name: name}")`: the heads, through a parsed query string.
fn query(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some(q) = parse_text("db.query", &args[1])? else {
        return Ok(Value::Undefined);
    };
    base("db.query", &args[0], false, vec![Stage::Ast(q)])
}

fn database(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(query_arg!("db.database", &args[0]).db)
}

fn flag(name: &str, v: &Value) -> RtResult<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Undefined => Ok(None),
        other => Err(expected(name, "a bool", other)),
    }
}

macro_rules! modifier {
    ($f:ident, $name:literal, |$q:ident, $b:ident| $set:expr) => {
        fn $f(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
            let Some($b) = flag($name, &args[0])? else {
                return Ok(Value::Undefined);
            };
            let mut $q = query_arg!($name, &args[1]);
            $set;
            Ok($q.value())
        }
    };
}

modifier!(include_deleted, "db.includeDeleted", |q, b| q
    .include_deleted =
    b);
modifier!(include_superseded, "db.includeSuperseded", |q, b| q
    .history =
    b);
// Every record is readable in a single-process runtime: the flag is kept, nothing else.
modifier!(unrestricted, "db.unrestricted", |q, b| q.unrestricted = b);

/// Labels a query (kept with it; labels only matter to a server's query log).
fn label(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Value::Str(s) = &args[0] else {
        if args[0].is_undefined() {
            return Ok(Value::Undefined);
        }
        return Err(expected("db.label", "a string", &args[0]));
    };
    let mut q = query_arg!("db.label", &args[1]);
    q.label = Some(s.to_string());
    Ok(q.value())
}

fn function<'a>(name: &str, v: &'a Value) -> RtResult<&'a Value> {
    match v {
        Value::Func(_) => Ok(v),
        #[cfg(test)]
        Value::Host(_) => Ok(v),
        other => Err(expected(name, "a function", other)),
    }
}

/// `name(f, q)`: query `q` with one more stage made of the function `f`.
fn with_stage(name: &str, args: &[Value], stage: fn(Value) -> Stage) -> RtResult<Value> {
    let f = function(name, &args[0])?.clone();
    Ok(query_arg!(name, &args[1]).push(stage(f)))
}

// `db.filter`/`db.map` lambdas are meant to compile to engine queries, and the `…WithFallback`
// forms may run as Mix where they cannot. That rewriting does not exist yet: every stage runs
// over materialised records, so both forms behave alike.
fn filter(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    with_stage("db.filter", args, Stage::Filter)
}

fn filter_with_fallback(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    with_stage("db.filterWithFallback", args, Stage::Filter)
}

fn map(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    with_stage("db.map", args, Stage::Map)
}

fn map_with_fallback(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    with_stage("db.mapWithFallback", args, Stage::Map)
}

fn sort(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    with_stage("db.sort", args, |key| Stage::Sort(key, false))
}

/// `dirSort(descending, key, q)`.
fn dir_sort(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some(desc) = flag("db.dirSort", &args[0])? else {
        return Ok(Value::Undefined);
    };
    let key = function("db.dirSort", &args[1])?.clone();
    Ok(query_arg!("db.dirSort", &args[2]).push(Stage::Sort(key, desc)))
}

fn count_arg(name: &str, v: &Value) -> RtResult<Option<usize>> {
    match v {
        Value::Undefined => Ok(None),
        other => Ok(Some(super::common::count(super::common::int(name, other)?))),
    }
}

fn skip(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(query_arg!("db.skip", &args[0]).push(Stage::Skip(1)))
}

macro_rules! slice {
    ($f:ident, $name:literal, $stage:ident) => {
        fn $f(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
            let Some(n) = count_arg($name, &args[0])? else {
                return Ok(Value::Undefined);
            };
            Ok(query_arg!($name, &args[1]).push(Stage::$stage(n)))
        }
    };
}

slice!(skipn, "db.skipn", Skip);
slice!(firstn, "db.firstn", First);
slice!(lastn, "db.lastn", Last);

// ---------- query AST ----------

/// A query-AST value (Mix data) as an engine query.
fn ast_query(name: &str, v: &Value) -> RtResult<Query> {
    let j = to_json(v, "a query AST")
        .map_err(|e| RtError::runtime(format!("{name}: {}", e.message)))?;
    mq::query_from_json(&j).map_err(|e| RtError::runtime(format!("{name}: {e}")))
}

/// `db.eval(ast)`: as the result of a `db.filter` predicate or a `db.map` function, the AST
/// is evaluated on the record (a filter node, or an expression / `object` node); anywhere
/// else it is an opaque value.
fn eval(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let j = to_json(&args[0], "a query AST")?;
    Ok(Value::Host(Rc::new(HostObject::Other(
        EVAL_TAG,
        Box::new(j),
    ))))
}

fn evaluated(v: &Value) -> Option<&serde_json::Value> {
    match v {
        Value::Host(h) => match &**h {
            HostObject::Other(EVAL_TAG, b) => b.downcast_ref::<serde_json::Value>(),
            _ => None,
        },
        _ => None,
    }
}

fn process(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let ast = ast_query("db.process", &args[0])?;
    Ok(query_arg!("db.process", &args[1]).push(Stage::Ast(ast)))
}

/// `process`, except that an AST the engine cannot read is replaced by the Mix function,
/// which gets the stream of rows and gives the new stream.
fn process_with_fallback(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if args[0].is_undefined() {
        return Ok(Value::Undefined);
    }
    let f = function("db.processWithFallback", &args[1])?.clone();
    let stage = match ast_query("db.processWithFallback", &args[0]) {
        Ok(ast) => Stage::Ast(ast),
        Err(_) => Stage::Fallback(f),
    };
    Ok(query_arg!("db.processWithFallback", &args[2]).push(stage))
}

fn process_pipeline(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let stages = match &args[0] {
        Value::Array(items) => items
            .iter()
            .map(|a| ast_query("db.processPipeline", a))
            .collect::<RtResult<Vec<_>>>()?,
        Value::Undefined => return Ok(Value::Undefined),
        other => {
            return Err(expected(
                "db.processPipeline",
                "an array of query ASTs",
                other,
            ))
        }
    };
    let mut q = query_arg!("db.processPipeline", &args[1]);
    for s in stages {
        q.add(Stage::Ast(s));
    }
    Ok(q.value())
}

/// A query string as query AST: the node of a one-stage query, else the array of stages.
fn parse(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let Some(q) = parse_text("db.parse", &args[0])? else {
        return Ok(Value::Undefined);
    };
    let j = mq::query_to_json(&q);
    match j {
        serde_json::Value::Array(mut stages) if stages.len() == 1 => from_json(&stages.remove(0)),
        other => from_json(&other),
    }
}

/// A query string as the array of its query-AST stages.
fn parse_query_string(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    selector("db.parseQueryString", &args[0])?;
    let Some(q) = parse_text("db.parseQueryString", &args[1])? else {
        return Ok(Value::Undefined);
    };
    from_json(&mq::query_to_json(&q))
}

// ---------- running queries ----------

struct StoreDeref<'a>(&'a mix_store::Database);

impl Deref for StoreDeref<'_> {
    fn deref(&self, id: &str) -> Option<SValue> {
        self.0.get(id).ok().flatten()
    }
}

/// Runs a query: its leading AST stage in the engine, the other stages over the rows.
fn rows(host: &mut dyn Host, name: &str, q: &DbQuery) -> RtResult<Vec<Value>> {
    let (engine, rest) = match q.stages.split_first() {
        Some((Stage::Ast(a), rest)) => (a.clone(), rest),
        _ => (Query::default(), &q.stages[..]),
    };
    let opts = QueryOptions {
        history: q.history,
        include_deleted: q.include_deleted,
        params: Default::default(),
    };
    let found = {
        let store = host.database().store(&q.sel)?;
        mq::run(store, &engine, &opts).map_err(|e| store_err(name, e))?
    };
    host.charge(found.len() as u64)?;
    let mut rows: Vec<Value> = found.into_iter().map(from_store).collect();
    for stage in rest {
        rows = run_stage(host, name, q, stage, rows)?;
    }
    host.check_memory()?;
    Ok(rows)
}

fn run_stage(
    host: &mut dyn Host,
    name: &str,
    q: &DbQuery,
    stage: &Stage,
    rows: Vec<Value>,
) -> RtResult<Vec<Value>> {
    host.charge(rows.len() as u64)?;
    Ok(match stage {
        Stage::Ast(a) => ast_over_rows(host, name, &q.sel, a, rows)?,
        Stage::Filter(f) => {
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let c = host.call(f, std::slice::from_ref(&r))?;
                let keep = match evaluated(&c) {
                    Some(j) => {
                        let filter = mq::json::filter_from_json(j)
                            .map_err(|e| RtError::runtime(format!("{name}: {e}")))?;
                        let probe = Query {
                            filters: vec![filter],
                            ..Query::default()
                        };
                        !ast_over_rows(host, name, &q.sel, &probe, vec![r.clone()])?.is_empty()
                    }
                    None => super::common::condition(&c, name)? == Some(true),
                };
                if keep {
                    out.push(r);
                }
            }
            out
        }
        Stage::Map(f) => {
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let v = host.call(f, std::slice::from_ref(&r))?;
                let v = match evaluated(&v) {
                    Some(j) => eval_on_row(host, name, &q.sel, j, &r)?,
                    None => v,
                };
                if v.is_undefined() {
                    return Err(RtError::runtime(format!(
                        "{name}: the function gave undefined for a record"
                    )));
                }
                out.push(v);
            }
            out
        }
        Stage::Sort(key, desc) => sort_by_key(host, name, key, &rows, *desc, SortKeys::Natural)?,
        Stage::Skip(n) => rows.into_iter().skip(*n).collect(),
        Stage::First(n) => rows.into_iter().take(*n).collect(),
        Stage::Last(n) => {
            let from = rows.len().saturating_sub(*n);
            rows.into_iter().skip(from).collect()
        }
        Stage::Fallback(f) => {
            let input = Value::Stream(Stream::of_vec(rows));
            let out = host.call(f, &[input])?;
            match out {
                Value::Stream(s) => s.collect(host)?,
                Value::Array(a) => a.to_vec(),
                other => return Err(expected(name, "a stream from the fallback", &other)),
            }
        }
    })
}

/// A `db.eval(ast)` given by a `db.map` function: an `object` node projects the record, any
/// other node is an expression on it.
fn eval_on_row(
    host: &mut dyn Host,
    name: &str,
    sel: &Selector,
    j: &serde_json::Value,
    row: &Value,
) -> RtResult<Value> {
    let bad = |e: String| RtError::runtime(format!("{name}: {e}"));
    let expr = mq::json::expr_from_json(j, true).map_err(|e| bad(e.to_string()))?;
    let row = to_store(row, "a query")?;
    let store = host.database().store(sel)?;
    let d = StoreDeref(store);
    let none = |_: &SValue| None;
    let ctx = Ctx {
        deref: &d,
        params: &Default::default(),
        seq: 0,
        watermark: &none,
    };
    let v = match &expr {
        mq::Expr::Object(ms) => ctx.project(&row, &row, ms),
        e => ctx.eval_expr(&row, e),
    }
    .map_err(bad)?;
    Ok(from_store(v))
}

/// Query-AST stages over rows in memory (after a Mix stage), with the engine's evaluator.
fn ast_over_rows(
    host: &mut dyn Host,
    name: &str,
    sel: &Selector,
    q: &Query,
    rows: Vec<Value>,
) -> RtResult<Vec<Value>> {
    let bad = |e: String| RtError::runtime(format!("{name}: {e}"));
    let rows: Vec<SValue> = rows
        .iter()
        .map(|r| to_store(r, "a query"))
        .collect::<RtResult<_>>()?;
    let store = host.database().store(sel)?;
    let d = StoreDeref(store);
    let none = |_: &SValue| None;
    let params = Default::default();
    let ctx = Ctx {
        deref: &d,
        params: &params,
        seq: 0,
        watermark: &none,
    };
    let filter = Filter::And(q.filters.clone());
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if !ctx.matches(&r, &filter).map_err(bad)? {
            continue;
        }
        out.push(match &q.projection {
            Some(ms) => ctx.project(&r, &r, ms).map_err(bad)?,
            None => r,
        });
    }
    for a in &q.aggregations {
        out = aggregate(&ctx, a, out).map_err(bad)?;
    }
    Ok(out.into_iter().map(from_store).collect())
}

/// The aggregations of the query AST, run by the engine's own code over rows read here.
fn aggregate(ctx: &Ctx, a: &Aggregation, rows: Vec<SValue>) -> Result<Vec<SValue>, String> {
    mix_store::query::exec::aggregate_rows(a, rows, |k, r| {
        Ok(ctx.lookup(r, &k.path(ctx.params)?).into_iter().next())
    })
}

fn length(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.length", &args[0]);
    Ok(Value::Int(rows(host, "db.length", &q)?.len() as i64))
}

fn is_empty(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.isEmpty", &args[0]);
    Ok(Value::Bool(rows(host, "db.isEmpty", &q)?.is_empty()))
}

fn is_not_empty(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.isNotEmpty", &args[0]);
    Ok(Value::Bool(!rows(host, "db.isNotEmpty", &q)?.is_empty()))
}

/// Whether a record satisfies the predicate (`undefined` does not).
fn exists(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let p = function("db.exists", &args[0])?.clone();
    let q = query_arg!("db.exists", &args[1]);
    for r in rows(host, "db.exists", &q)? {
        let c = host.call(&p, std::slice::from_ref(&r))?;
        if super::common::condition(&c, "db.exists")? == Some(true) {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn to_array(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.toArray", &args[0]);
    Ok(Value::array(rows(host, "db.toArray", &q)?))
}

fn to_stream(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.toStream", &args[0]);
    Ok(Value::Stream(Stream::of_vec(rows(
        host,
        "db.toStream",
        &q,
    )?)))
}

fn first(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.first", &args[0]);
    rows(host, "db.first", &q)?
        .into_iter()
        .next()
        .ok_or_else(|| RtError::runtime("db.first: the query gives no record"))
}

fn first_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.firstWithDefault", &args[1]);
    Ok(rows(host, "db.firstWithDefault", &q)?
        .into_iter()
        .next()
        .unwrap_or_else(|| args[0].clone()))
}

fn last(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.last", &args[0]);
    rows(host, "db.last", &q)?
        .pop()
        .ok_or_else(|| RtError::runtime("db.last: the query gives no record"))
}

fn last_with_default(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    let q = query_arg!("db.lastWithDefault", &args[1]);
    Ok(rows(host, "db.lastWithDefault", &q)?
        .pop()
        .unwrap_or_else(|| args[0].clone()))
}

// ---------- anonymous links and refs ----------

/// Anonymous links are made by an app server: here the result is always an `error`.
fn make_anonymous_link(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    selector("db.makeAnonymousLink", &args[1])?;
    Ok(Value::case(
        "error",
        Some(Value::str(
            "db.makeAnonymousLink: anonymous links need an app server (not available in this runtime)",
        )),
    ))
}

/// The ref with an id; `""` gives `null`, and the legacy `"{ref}id"` form is read.
fn make_ref(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Str(s) => {
            let id = s.strip_prefix("{ref}").unwrap_or(s);
            if id.is_empty() {
                return Ok(Value::Null);
            }
            if id.len() > 512 || id.contains('\0') {
                return Err(RtError::runtime(format!(
                    "db.makeRef: {:?} is not a record id (at most 512 bytes, no NUL)",
                    id.chars().take(40).collect::<String>()
                )));
            }
            Ok(ref_value(id.to_string()))
        }
        Value::Ref(_) | Value::Undefined | Value::Null => Ok(args[0].clone()),
        other => Err(expected("db.makeRef", "a string", other)),
    }
}

/// The id of a ref (`""` for `null`, the inverse of `makeRef("")`).
fn string_ref(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    match &args[0] {
        Value::Ref(id) => Ok(Value::Str(Rc::clone(id))),
        Value::Null => Ok(Value::str("")),
        Value::Undefined => Ok(Value::Undefined),
        other => Err(expected("db.stringRef", "a ref", other)),
    }
}

fn is_ref(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    Ok(match &args[0] {
        Value::Undefined => Value::Undefined,
        v => Value::Bool(matches!(v, Value::Ref(_))),
    })
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::super::common::testkit::{f1, FnHost};
    use crate::value::{Obj, Value};

    fn rec(fields: &[(&str, Value)]) -> Value {
        let mut m = Obj::new();
        for (k, v) in fields {
            m.insert((*k).into(), v.clone());
        }
        Value::obj(m)
    }

    fn ticket(title: &str, status: &str, priority: i64) -> Value {
        rec(&[
            ("title", Value::str(title)),
            ("status", Value::str(status)),
            ("priority", Value::Int(priority)),
        ])
    }

    fn field(v: &Value, k: &str) -> Value {
        match v {
            Value::Obj(m) => m.get(k).cloned().unwrap_or(Value::Undefined),
            other => panic!("not a record: {other}"),
        }
    }

    fn titles(v: &Value) -> Vec<String> {
        let Value::Array(a) = v else {
            panic!("not an array: {v}")
        };
        a.iter()
            .map(|r| field(r, "title").as_str().unwrap().to_string())
            .collect()
    }

    /// A host with three tickets saved in its main database.
    fn seeded() -> FnHost {
        let mut h = FnHost::default();
        let rows = Value::array(vec![
            ticket("a", "open", 5),
            ticket("b", "closed", 1),
            ticket("c", "open", 2),
        ]);
        let saved = h
            .run("db.saveArray", &[Value::Null, Value::Null, rows])
            .unwrap();
        let Value::Array(a) = &saved else { panic!() };
        assert_eq!(a.len(), 3);
        h
    }

    fn head(h: &mut FnHost) -> Value {
        h.run("db.head", &[Value::Null]).unwrap()
    }

    #[test]
    fn saved_records_carry_system_fields() {
        let mut h = FnHost::default();
        let r = h
            .run(
                "db.saveOne",
                &[Value::Null, Value::Null, ticket("a", "open", 1)],
            )
            .unwrap();
        assert!(matches!(field(&r, "_rmx_id"), Value::Ref(_)));
        assert!(matches!(field(&r, "_rmx_rev"), Value::Ref(_)));
        assert_eq!(field(&r, "_rmx_deleted"), Value::Bool(false));
        assert_eq!(field(&r, "title"), Value::str("a"));
        let got = h
            .run("db.getOne", &[Value::Null, field(&r, "_rmx_id")])
            .unwrap();
        assert_eq!(got, r);
        let missing = Value::Ref(std::rc::Rc::new("nope".into()));
        assert_eq!(
            h.run("db.getOne", &[Value::Null, missing]).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn save_updates_upsert_merges_delete_removes() {
        let mut h = FnHost::default();
        let r = h
            .run(
                "db.saveOne",
                &[Value::Null, Value::Null, ticket("a", "open", 1)],
            )
            .unwrap();
        let id = field(&r, "_rmx_id");
        // save with the id replaces the content
        let r2 = h
            .run(
                "db.saveOne",
                &[
                    Value::Null,
                    Value::Null,
                    rec(&[("_rmx_id", id.clone()), ("title", Value::str("z"))]),
                ],
            )
            .unwrap();
        assert_eq!(field(&r2, "_rmx_id"), id);
        assert!(field(&r2, "status").is_undefined());
        // upsert merges
        let r3 = h
            .run(
                "db.upsertOne",
                &[
                    Value::Null,
                    Value::Null,
                    rec(&[("_rmx_id", id.clone()), ("status", Value::str("x"))]),
                ],
            )
            .unwrap();
        assert_eq!(field(&r3, "title"), Value::str("z"));
        assert_eq!(field(&r3, "status"), Value::str("x"));
        let q = head(&mut h);
        assert_eq!(h.run("db.length", &[q.clone()]).unwrap(), Value::Int(1));
        let gone = h
            .run("db.deleteOne", &[Value::Null, Value::Null, id.clone()])
            .unwrap();
        assert_eq!(field(&gone, "title"), Value::str("z"));
        assert_eq!(h.run("db.length", &[q]).unwrap(), Value::Int(0));
        let again = h
            .run("db.deleteOne", &[Value::Null, Value::Null, id])
            .unwrap();
        assert_eq!(again, rec(&[]));
    }

    #[test]
    fn ids_must_be_refs_and_undefined_cannot_be_stored() {
        let mut h = FnHost::default();
        let e = h
            .run("db.getOne", &[Value::Null, Value::str("x")])
            .unwrap_err();
        assert!(e.message.contains("db.makeRef"), "{}", e.message);
        let e = h
            .run(
                "db.saveOne",
                &[
                    Value::Null,
                    Value::Null,
                    rec(&[("_rmx_id", Value::str("x"))]),
                ],
            )
            .unwrap_err();
        assert!(e.message.contains("db.makeRef"), "{}", e.message);
        let e = h
            .run(
                "db.saveOne",
                &[Value::Null, Value::Null, rec(&[("a", Value::Undefined)])],
            )
            .unwrap_err();
        assert!(e.message.contains("undefined"), "{}", e.message);
    }

    #[test]
    fn filter_map_sort_and_slices_run_over_the_records() {
        let mut h = seeded();
        let q = head(&mut h);
        let open = f1(|r| Value::Bool(field(r, "status") == Value::str("open")));
        let q = h.run("db.filter", &[open, q]).unwrap();
        assert_eq!(h.run("db.length", &[q.clone()]).unwrap(), Value::Int(2));
        let title = f1(|r| field(r, "title"));
        let sorted = h
            .run("db.dirSort", &[Value::Bool(true), title.clone(), q.clone()])
            .unwrap();
        let arr = h.run("db.toArray", &[sorted.clone()]).unwrap();
        assert_eq!(titles(&arr), ["c", "a"]);
        let only = f1(|r| rec(&[("title", field(r, "title"))]));
        let mapped = h.run("db.map", &[only, q.clone()]).unwrap();
        let arr = h.run("db.toArray", &[mapped]).unwrap();
        assert_eq!(
            arr,
            Value::array(vec![
                rec(&[("title", Value::str("a"))]),
                rec(&[("title", Value::str("c"))])
            ])
        );
        let first = h.run("db.first", &[sorted.clone()]).unwrap();
        assert_eq!(field(&first, "title"), Value::str("c"));
        let last = h.run("db.last", &[sorted.clone()]).unwrap();
        assert_eq!(field(&last, "title"), Value::str("a"));
        let one = h.run("db.firstn", &[Value::Int(1), q.clone()]).unwrap();
        assert_eq!(titles(&h.run("db.toArray", &[one]).unwrap()), ["a"]);
        let rest = h.run("db.skip", &[q.clone()]).unwrap();
        assert_eq!(titles(&h.run("db.toArray", &[rest]).unwrap()), ["c"]);
        let high = f1(|r| Value::Bool(field(r, "priority").as_i64() > Some(4)));
        assert_eq!(h.run("db.exists", &[high, q]).unwrap(), Value::Bool(true));
        let none = f1(|_| Value::Bool(false));
        let q = head(&mut h);
        let empty = h.run("db.filter", &[none, q]).unwrap();
        assert_eq!(
            h.run("db.isEmpty", &[empty.clone()]).unwrap(),
            Value::Bool(true)
        );
        assert!(h.run("db.first", &[empty.clone()]).is_err());
        assert_eq!(
            h.run("db.firstWithDefault", &[Value::Null, empty]).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn query_strings_and_ast_run_in_the_engine() {
        let mut h = seeded();
        let q = h
            .run(
                "db.query",
                &[Value::Null, Value::str("\"status\" == \"open\" | {title}")],
            )
            .unwrap();
        let arr = h.run("db.toArray", &[q]).unwrap();
        assert_eq!(
            arr,
            Value::array(vec![
                rec(&[("title", Value::str("a"))]),
                rec(&[("title", Value::str("c"))])
            ])
        );
        let ast = h.run("db.parse", &[Value::str("priority > 1")]).unwrap();
        assert_eq!(
            ast.to_string(),
            r#"["comparison", ">", ["token", "priority"], 1]"#
        );
        let q = head(&mut h);
        let q = h.run("db.process", &[ast, q]).unwrap();
        assert_eq!(titles(&h.run("db.toArray", &[q]).unwrap()), ["a", "c"]);
        let count = h
            .run("db.parseQueryString", &[Value::Null, Value::str("count()")])
            .unwrap();
        let q = head(&mut h);
        let q = h.run("db.processPipeline", &[count, q]).unwrap();
        assert_eq!(
            h.run("db.toArray", &[q]).unwrap(),
            Value::array(vec![Value::Int(3)])
        );
        let e = h
            .run("db.query", &[Value::Null, Value::str("a == ")])
            .unwrap_err();
        assert!(
            e.message.starts_with("db.query: invalid query string"),
            "{}",
            e.message
        );
    }

    #[test]
    fn ast_after_a_mix_stage_runs_over_the_rows() {
        let mut h = seeded();
        let q = head(&mut h);
        let only = f1(|r| rec(&[("t", field(r, "title")), ("p", field(r, "priority"))]));
        let q = h.run("db.map", &[only, q]).unwrap();
        let ast = h
            .run("db.parse", &[Value::str("p >= 2 | orderDesc(p)")])
            .unwrap();
        let q = h.run("db.process", &[ast, q]).unwrap();
        let arr = h.run("db.toArray", &[q]).unwrap();
        assert_eq!(
            arr,
            Value::array(vec![
                rec(&[("p", Value::Int(5)), ("t", Value::str("a"))]),
                rec(&[("p", Value::Int(2)), ("t", Value::str("c"))]),
            ])
        );
    }

    #[test]
    fn db_eval_splices_ast_into_filters_and_maps() {
        let mut h = seeded();
        let node = h
            .run("db.parse", &[Value::str("status == \"closed\"")])
            .unwrap();
        let spliced = h.run("db.eval", &[node]).unwrap();
        let p = f1(move |_| spliced.clone());
        let q = head(&mut h);
        let q = h.run("db.filter", &[p, q]).unwrap();
        assert_eq!(titles(&h.run("db.toArray", &[q]).unwrap()), ["b"]);
    }

    #[test]
    fn named_databases_are_separate_and_remote_ones_refuse() {
        let mut h = seeded();
        let app = h.run("db.appDB", &[Value::str("other")]).unwrap();
        let q = h.run("db.head", &[app.clone()]).unwrap();
        assert_eq!(h.run("db.length", &[q]).unwrap(), Value::Int(0));
        let main = h.run("db.mainDB", &[]).unwrap();
        let q = h.run("db.head", &[main]).unwrap();
        assert_eq!(h.run("db.length", &[q.clone()]).unwrap(), Value::Int(3));
        assert_eq!(
            h.run("db.database", &[q]).unwrap().to_string(),
            r#"{scope: "main", type: "rmx"}"#
        );
        let remote = h
            .run("db.remoteDB", &[Value::str("https://x"), Value::str("d")])
            .unwrap();
        let q = h.run("db.head", &[remote]).unwrap();
        let e = h.run("db.toArray", &[q]).unwrap_err();
        assert!(e.message.contains("needs a server"), "{}", e.message);
    }

    #[test]
    fn history_and_tombstones_are_opt_in() {
        let mut h = FnHost::default();
        let r = h
            .run(
                "db.saveOne",
                &[Value::Null, Value::Null, ticket("a", "open", 1)],
            )
            .unwrap();
        let id = field(&r, "_rmx_id");
        h.run(
            "db.upsertOne",
            &[
                Value::Null,
                Value::Null,
                rec(&[("_rmx_id", id.clone()), ("status", Value::str("closed"))]),
            ],
        )
        .unwrap();
        let all = h.run("db.all", &[Value::Null]).unwrap();
        assert_eq!(h.run("db.length", &[all]).unwrap(), Value::Int(2));
        h.run("db.deleteOneStm", &[Value::Null, Value::Null, id])
            .unwrap();
        let q = head(&mut h);
        assert_eq!(h.run("db.length", &[q.clone()]).unwrap(), Value::Int(0));
        let q = h.run("db.includeDeleted", &[Value::Bool(true), q]).unwrap();
        assert_eq!(h.run("db.length", &[q]).unwrap(), Value::Int(1));
    }

    #[test]
    fn refs_are_made_only_by_make_ref() {
        let mut h = FnHost::default();
        assert_eq!(h.run("db.makeRef", &[Value::str("")]).unwrap(), Value::Null);
        let r = h.run("db.makeRef", &[Value::str("{ref}abc")]).unwrap();
        assert_eq!(r.to_string(), r#"ref("abc")"#);
        assert_eq!(
            h.run("db.stringRef", &[r.clone()]).unwrap(),
            Value::str("abc")
        );
        assert_eq!(h.run("db.isRef", &[r]).unwrap(), Value::Bool(true));
        assert_eq!(
            h.run("db.isRef", &[Value::str("abc")]).unwrap(),
            Value::Bool(false)
        );
    }

    #[test]
    fn deref_and_get_many() {
        let mut h = FnHost::default();
        let ids = h
            .run(
                "db.saveArrayGetIDs",
                &[
                    Value::Null,
                    Value::Null,
                    Value::array(vec![ticket("a", "open", 1), ticket("b", "open", 2)]),
                ],
            )
            .unwrap();
        let Value::Array(a) = &ids else { panic!() };
        let got = h.run("db.getArray", &[Value::Null, ids.clone()]).unwrap();
        assert_eq!(titles(&got), ["a", "b"]);
        let d = h
            .run("db.deref", &[Value::Null, rec(&[("x", a[1].clone())])])
            .unwrap();
        assert_eq!(field(&field(&d, "x"), "title"), Value::str("b"));
        let gone = h
            .run("db.deleteArray", &[Value::Null, Value::Null, ids.clone()])
            .unwrap();
        assert_eq!(titles(&gone), ["a", "b"]);
        let def = rec(&[("title", Value::str("none"))]);
        let s = h
            .run("db.getWithDefault", &[def, Value::Null, ids])
            .unwrap();
        let arr = super::super::common::testkit::read(&s).unwrap();
        assert_eq!(titles(&arr), ["none", "none"]);
    }

    #[test]
    fn anonymous_links_give_an_error_result() {
        let mut h = FnHost::default();
        let r = h
            .run(
                "db.makeAnonymousLink",
                &[Value::Null, Value::Null, Value::str("x")],
            )
            .unwrap();
        assert!(r
            .to_string()
            .starts_with("error(\"db.makeAnonymousLink: anonymous links need an app server"));
    }
}
