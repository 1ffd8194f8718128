//! The executor: answer indexable filters from the indexes (candidate record ids), then
//! materialise only those records and run the full filter, the projection and aggregations
//! over them. Without aggregations results stream.

use super::ast::*;
use super::eval::{ordered, Ctx, Deref};
use crate::database::Database;
use crate::error::{Result, StoreError};
use crate::index::IndexReader;
use crate::record;
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Which records a query sees.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Include superseded revisions (`db.all`), not only heads (`db.head`).
    pub history: bool,
    /// Include tombstones.
    pub include_deleted: bool,
    /// Bindings for `$param` keys.
    pub params: BTreeMap<String, Value>,
}

/// How the executor will find candidates (for tests and `explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Candidates come from the indexes.
    Index(usize),
    /// Every record is scanned.
    Scan,
}

struct DbDeref<'a>(&'a Database);

impl Deref for DbDeref<'_> {
    fn deref(&self, id: &str) -> Option<Value> {
        self.0.get(id).ok().flatten()
    }
}

fn qerr(e: String) -> StoreError {
    StoreError::Query(e)
}

/// The records holding any (`in`) or all (`all_in`) of `values` at `path`, from one index
/// lookup per value; None when the index cannot answer. `all_in` of no values holds for every
/// record, which the index does not narrow.
fn members<'v>(
    ix: &IndexReader,
    path: &[String],
    op: CmpOp,
    values: impl Iterator<Item = &'v Value>,
) -> Result<Option<BTreeSet<String>>> {
    let mut acc: Option<BTreeSet<String>> = None;
    for v in values {
        let Some(ids) = ix.eq(path, v)? else {
            return Ok(None);
        };
        acc = Some(match (acc, op) {
            (None, _) => ids,
            (Some(a), CmpOp::In) => a.union(&ids).cloned().collect(),
            (Some(a), _) => a.intersection(&ids).cloned().collect(),
        });
    }
    Ok(match (acc, op) {
        (None, CmpOp::AllIn) => None,
        (acc, _) => Some(acc.unwrap_or_default()),
    })
}

/// Candidate ids from the indexes for a filter; None when it cannot be answered from them.
pub fn candidates(
    db: &Database,
    f: &Filter,
    params: &BTreeMap<String, Value>,
    prefix: &[String],
) -> Result<Option<BTreeSet<String>>> {
    let ix = IndexReader::new(db.engine());
    let usable = |p: Vec<String>| usable_path(&ix, p);
    let full_path = |k: &Key| -> Result<Option<Vec<String>>> {
        let mut p = prefix.to_vec();
        p.extend(k.path(params).map_err(qerr)?);
        usable(p)
    };
    Ok(match f {
        // `_rmx_id == ref`: the record itself, no index needed
        Filter::Comparison(CmpOp::Eq, k, Expr::Literal(Value::Ref(id)))
            if prefix.is_empty() && k.path(params).map_err(qerr)? == [record::ID] =>
        {
            Some(db.record_seq(id)?.map(|_| id.clone()).into_iter().collect())
        }
        // tombstones: the one system field with index entries
        Filter::Comparison(CmpOp::Eq, k, Expr::Literal(Value::Bool(true)))
            if prefix.is_empty() && k.path(params).map_err(qerr)? == [record::DELETED] =>
        {
            ix.eq(&[record::DELETED.to_string()], &Value::Bool(true))?
        }
        // a list value (a program's variable in a rewritten `db.filter`): one lookup per element
        Filter::Comparison(
            op @ (CmpOp::In | CmpOp::AllIn),
            k,
            Expr::Literal(Value::Array(items)),
        ) => {
            let Some(path) = full_path(k)? else {
                return Ok(None);
            };
            members(&ix, &path, *op, items.iter())?
        }
        Filter::Comparison(op, k, Expr::Literal(v)) => {
            let Some(path) = full_path(k)? else {
                return Ok(None);
            };
            match (op, v) {
                (CmpOp::Eq, v) => ix.eq(&path, v)?,
                (CmpOp::Lt | CmpOp::Le, v) => {
                    ix.range_within(&path, None, Some((v, *op == CmpOp::Lt)), None)?
                }
                (CmpOp::Gt | CmpOp::Ge, v) => {
                    ix.range_within(&path, Some((v, *op == CmpOp::Gt)), None, None)?
                }
                (CmpOp::Like, Value::String(p)) => {
                    Some(ix.starts_with(&path, p.strip_suffix('%').unwrap_or(p))?)
                }
                (CmpOp::Contains, Value::String(s)) => Some(ix.contains(&path, s)?),
                (CmpOp::Contains, v) => ix.eq(&path, v)?,
                _ => None,
            }
        }
        Filter::Comparison(op @ (CmpOp::In | CmpOp::AllIn), k, Expr::List(items)) => {
            let Some(path) = full_path(k)? else {
                return Ok(None);
            };
            let literals: Option<Vec<&Value>> = items
                .iter()
                .map(|it| match it {
                    Expr::Literal(v) => Some(v),
                    _ => None,
                })
                .collect();
            match literals {
                Some(values) => members(&ix, &path, *op, values.into_iter())?,
                None => None,
            }
        }
        Filter::Exists(k) => {
            let Some(path) = full_path(k)? else {
                return Ok(None);
            };
            Some(ix.exists(&path)?)
        }
        Filter::After(w) => {
            if !prefix.is_empty() {
                return Ok(None);
            }
            match watermark(db, w)? {
                Some(mark) => Some(db.ids_after_seq(mark).collect::<Result<BTreeSet<_>>>()?),
                None => None,
            }
        }
        Filter::And(fs) => candidates_all(db, fs, params, prefix)?,
        Filter::Or(fs) => {
            let mut acc = BTreeSet::new();
            for f in fs {
                match candidates(db, f, params, prefix)? {
                    Some(ids) => acc.extend(ids),
                    None => return Ok(None),
                }
            }
            Some(acc)
        }
        Filter::Subquery(k, fs) => {
            let Some(path) = full_path(k)? else {
                return Ok(None);
            };
            candidates_all(db, fs, params, &path)?
        }
        _ => None,
    })
}

/// Candidate ids for a conjunction (an `And`, or a subquery's body at `prefix`); None when no
/// part of it can be answered from the indexes.
fn candidates_all(
    db: &Database,
    fs: &[Filter],
    params: &BTreeMap<String, Value>,
    prefix: &[String],
) -> Result<Option<BTreeSet<String>>> {
    let ix = IndexReader::new(db.engine());
    // Point lookups go first; bounds on one path merge into one range scan that keeps
    // only ids already found (for few candidates, a lookup of each candidate's exact
    // key: cheaper than reading its record); once few candidates remain the other
    // index scans are skipped: the executor re-checks every filter on the records.
    let (ranges, rest) = merge_ranges(fs, params)?;
    let (points, others): (Vec<&Filter>, Vec<&Filter>) =
        rest.into_iter().partition(|f| cost_rank(f) == 0);
    let mut acc: Option<BTreeSet<String>> = None;
    let small = |acc: &Option<BTreeSet<String>>| {
        acc.as_ref().is_some_and(|a| a.len() <= SMALL_CANDIDATE_SET)
    };
    for f in points {
        if let Some(ids) = candidates(db, f, params, prefix)? {
            acc = Some(intersect(acc, ids));
        }
    }
    for (path, lo, hi) in &ranges {
        let mut p = prefix.to_vec();
        p.extend(path.iter().cloned());
        let Some(path) = usable_path(&ix, p)? else {
            continue;
        };
        if let Some(ids) = ix.range_within(&path, range_end(lo), range_end(hi), acc.as_ref())? {
            acc = Some(ids);
        }
    }
    for f in others {
        if small(&acc) {
            break;
        }
        if let Some(ids) = candidates(db, f, params, prefix)? {
            acc = Some(intersect(acc, ids));
        }
    }
    Ok(acc)
}

/// `p` when the index answers for it: not a system field (only tombstones have an entry,
/// handled by `candidates`) and not a path that may cross a ref.
fn usable_path(ix: &IndexReader, p: Vec<String>) -> Result<Option<Vec<String>>> {
    if p.first().is_some_and(|f| record::is_system_field(f)) {
        return Ok(None);
    }
    for i in 1..p.len() {
        if ix.has_refs_at(&p[..i])? {
            return Ok(None);
        }
    }
    Ok(Some(p))
}

/// Below this many candidates, further index scans cost more than re-checking the records.
const SMALL_CANDIDATE_SET: usize = 64;

fn intersect(acc: Option<BTreeSet<String>>, ids: BTreeSet<String>) -> BTreeSet<String> {
    match acc {
        None => ids,
        Some(a) => {
            let (small, large) = if a.len() <= ids.len() {
                (a, ids)
            } else {
                (ids, a)
            };
            small.into_iter().filter(|x| large.contains(x)).collect()
        }
    }
}

/// 0: point lookups; 1: everything else.
fn cost_rank(f: &Filter) -> u8 {
    match f {
        Filter::Comparison(CmpOp::Eq | CmpOp::In, _, _) => 0,
        _ => 1,
    }
}

fn range_end(b: &Option<(Value, bool)>) -> crate::index::RangeEnd<'_> {
    b.as_ref().map(|(v, s)| (v, *s))
}

/// A merged range on one path: the lower and upper bounds, each with its strictness.
type Range = (Vec<String>, Option<(Value, bool)>, Option<(Value, bool)>);

/// Split `and` operands into merged ranges (`< <= > >=` on one path with literal numbers or
/// strings) and the rest.
fn merge_ranges<'f>(
    fs: &'f [Filter],
    params: &BTreeMap<String, Value>,
) -> Result<(Vec<Range>, Vec<&'f Filter>)> {
    use std::cmp::Ordering::{Greater, Less};
    let mut ranges: Vec<Range> = Vec::new();
    let mut rest = Vec::new();
    for f in fs {
        let Filter::Comparison(
            op @ (CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge),
            k,
            Expr::Literal(v),
        ) = f
        else {
            rest.push(f);
            continue;
        };
        if !matches!(v, Value::Int(_) | Value::Float(_) | Value::String(_)) {
            rest.push(f);
            continue;
        }
        let path = k.path(params).map_err(qerr)?;
        let slot = match ranges.iter_mut().position(|(p, lo, hi)| {
            *p == path
                && lo
                    .iter()
                    .chain(hi.iter())
                    .all(|(b, _)| ordered(b, v).is_some())
        }) {
            Some(i) => i,
            None => {
                ranges.push((path, None, None));
                ranges.len() - 1
            }
        };
        let (_, lo, hi) = &mut ranges[slot];
        let strict = matches!(op, CmpOp::Lt | CmpOp::Gt);
        // keep the tighter bound; at equal values a strict bound is the tighter one
        let (end, tighter) = match op {
            CmpOp::Gt | CmpOp::Ge => (lo, Greater),
            _ => (hi, Less),
        };
        let replace = match end.as_ref() {
            None => true,
            Some((cur, cur_strict)) => match ordered(v, cur) {
                Some(o) if o == tighter => true,
                Some(std::cmp::Ordering::Equal) => strict && !cur_strict,
                _ => false,
            },
        };
        if replace {
            *end = Some((v.clone(), strict));
        }
    }
    Ok((ranges, rest))
}

/// Resolve an `after` watermark: an int is a local sequence number, a ref names a revision.
fn watermark(db: &Database, w: &Value) -> Result<Option<u64>> {
    Ok(match w {
        Value::Int(n) if *n >= 0 => Some(*n as u64),
        Value::Ref(rev) | Value::String(rev) => db.seq_of_revision(rev)?,
        _ => None,
    })
}

pub fn plan(db: &Database, q: &Query, opts: &QueryOptions) -> Result<Plan> {
    if opts.history {
        return Ok(Plan::Scan);
    }
    Ok(
        match candidates(db, &Filter::And(q.filters.clone()), &opts.params, &[])? {
            Some(ids) => Plan::Index(ids.len()),
            None => Plan::Scan,
        },
    )
}

pub type Results<'a> = Box<dyn Iterator<Item = Result<Value>> + 'a>;

/// Run a query. Records come in id order (then revision order with `history`).
pub fn execute<'a>(db: &'a Database, q: &'a Query, opts: &'a QueryOptions) -> Result<Results<'a>> {
    let filter = Filter::And(q.filters.clone());
    let source: Box<dyn Iterator<Item = Result<(Value, u64)>> + 'a> = if opts.history {
        Box::new(db.record_ids().flat_map(
            move |id| -> Box<dyn Iterator<Item = Result<(Value, u64)>>> {
                let res =
                    id.and_then(|id| Ok((db.record_seq(&id)?.unwrap_or(0), db.history(&id)?)));
                match res {
                    Ok((seq, revs)) => Box::new(revs.into_iter().map(move |r| Ok((r, seq)))),
                    Err(e) => Box::new(std::iter::once(Err(e))),
                }
            },
        ))
    } else {
        match candidates(db, &filter, &opts.params, &[])? {
            Some(ids) => Box::new(ids.into_iter().filter_map(move |id| {
                let res = db.head_with_seq(&id);
                res.transpose()
            })),
            None => Box::new(db.heads()),
        }
    };
    let deref = DbDeref(db);
    let marks: std::cell::RefCell<BTreeMap<String, Option<u64>>> = Default::default();
    let filtered = source.filter_map(move |item| {
        let (rec, seq) = match item {
            Ok(x) => x,
            Err(e) => return Some(Err(e)),
        };
        if !opts.include_deleted && crate::database::is_deleted(&rec) {
            return None;
        }
        let wm = |w: &Value| -> Option<u64> {
            let key = crate::escjson::to_string(w);
            if let Some(m) = marks.borrow().get(&key) {
                return *m;
            }
            let m = watermark(db, w).ok().flatten();
            marks.borrow_mut().insert(key, m);
            m
        };
        let ctx = Ctx {
            deref: &deref,
            params: &opts.params,
            seq,
            watermark: &wm,
        };
        match ctx.matches(&rec, &filter) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => return Some(Err(qerr(e))),
        }
        Some(match &q.projection {
            Some(ms) => ctx.project(&rec, &rec, ms).map_err(qerr),
            None => Ok(rec),
        })
    });
    if q.aggregations.is_empty() {
        return Ok(Box::new(filtered));
    }
    let mut rows: Vec<Value> = filtered.collect::<Result<_>>()?;
    for a in &q.aggregations {
        rows = aggregate(db, a, rows, &opts.params)?;
    }
    Ok(Box::new(rows.into_iter().map(Ok)))
}

fn sort_key(
    db: &Database,
    params: &BTreeMap<String, Value>,
    row: &Value,
    k: &Key,
) -> Result<Option<Value>> {
    let deref = DbDeref(db);
    let none = |_: &Value| None;
    let ctx = Ctx {
        deref: &deref,
        params,
        seq: 0,
        watermark: &none,
    };
    Ok(ctx
        .lookup(row, &k.path(params).map_err(qerr)?)
        .into_iter()
        .next())
}

fn aggregate(
    db: &Database,
    a: &Aggregation,
    rows: Vec<Value>,
    params: &BTreeMap<String, Value>,
) -> Result<Vec<Value>> {
    aggregate_rows(a, rows, |k, r| sort_key(db, params, r, k))
}

/// Applies one aggregation stage to rows. `key_of` reads a row's key: the engine reads through
/// its database, a host (the VM's `db` natives) through its own lookup.
pub fn aggregate_rows<E>(
    a: &Aggregation,
    rows: Vec<Value>,
    key_of: impl Fn(&Key, &Value) -> std::result::Result<Option<Value>, E>,
) -> std::result::Result<Vec<Value>, E> {
    let keyed =
        |k: &Key, rows: Vec<Value>| -> std::result::Result<Vec<(Option<Value>, Value)>, E> {
            rows.into_iter().map(|r| Ok((key_of(k, &r)?, r))).collect()
        };
    let order = |k: &Key, rows: Vec<Value>, asc: bool| -> std::result::Result<Vec<Value>, E> {
        let mut kr = keyed(k, rows)?;
        kr.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(x), Some(y)) => {
                let o = ordered(x, y).unwrap_or_else(|| x.cmp(y));
                if asc {
                    o
                } else {
                    o.reverse()
                }
            }
            // missing keys sort last either way
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Ok(kr.into_iter().map(|(_, r)| r).collect())
    };
    Ok(match a {
        Aggregation::Count => vec![Value::Int(rows.len() as i64)],
        Aggregation::Reverse => rows.into_iter().rev().collect(),
        Aggregation::OrderAsc(k) => order(k, rows, true)?,
        Aggregation::OrderDesc(k) => order(k, rows, false)?,
        Aggregation::Order(k, dir) => order(k, rows, *dir)?,
        Aggregation::Group(k) => {
            let mut groups: BTreeMap<Value, Vec<Value>> = BTreeMap::new();
            for (key, r) in keyed(k, rows)? {
                groups
                    .entry(key.unwrap_or(Value::Null))
                    .or_default()
                    .push(r);
            }
            groups
                .into_iter()
                .map(|(key, items)| {
                    let mut m = BTreeMap::new();
                    m.insert("key".to_string(), key);
                    m.insert("count".to_string(), Value::Int(items.len() as i64));
                    m.insert("items".to_string(), Value::Array(items));
                    Value::Map(m)
                })
                .collect()
        }
    })
}

/// Convenience: run and collect.
pub fn run(db: &Database, q: &Query, opts: &QueryOptions) -> Result<Vec<Value>> {
    execute(db, q, opts)?.collect()
}

/// The system fields a query result may carry (for callers that strip them).
pub fn is_system(k: &str) -> bool {
    record::is_system_field(k)
}
