//! Automatic indexes. Every indexable field of every record is indexed on write, with no
//! configuration (facts §6.4, plus numbers): null, bools, numbers, strings (by their first 256
//! characters; longer strings also get a marker so substring search still finds them) and
//! refs. Lists are indexed per element, maps by their nested fields. A path whose value has no
//! value entry of its own (a map, an empty list, binary) gets a presence entry, so `exists`
//! is a scan of the path's entries. Of the system fields only tombstones are indexed, under
//! `_rmx_deleted` = true (`_rmx_id` lookups go straight to the record; the others change on
//! every write; an entry for every live record would never narrow a query).
//!
//! Key layout (keys only, in the `Index` space):
//! `[u16 path length][path, segments joined by 0x1F][tag][encoded value][record id]`.
//! Numbers encode as 8 order-preserving bytes; strings and refs are escaped (0x00 → 0x00 0xFF)
//! and terminated by 0x00 0x01, so byte order equals value order and a string prefix is a key
//! prefix.

use crate::engine::{prefix_end, Space, Store};
use crate::error::Result;
use crate::value::Value;
use std::collections::{BTreeSet, HashSet};
use std::ops::Bound;

pub const MAX_INDEXED_CHARS: usize = 256;

pub const TAG_PRESENT: u8 = 0x01;
pub const TAG_NULL: u8 = 0x02;
pub const TAG_BOOL: u8 = 0x03;
pub const TAG_NUMBER: u8 = 0x04;
pub const TAG_STRING: u8 = 0x05;
pub const TAG_LONG: u8 = 0x06;
pub const TAG_REF: u8 = 0x07;

const SEP: u8 = 0x1f;

/// A range scan restricted to at most this many candidate ids may answer a value holding many
/// keys by point lookups of the candidates' exact keys instead of scanning them.
const MAX_PROBED_CANDIDATES: usize = 4096;

/// Values of one range answered by point lookups before the rest is scanned.
const MAX_PROBED_VALUES: usize = 2;

/// With fewer candidates than this, a range that goes on past its probed values is not
/// scanned to its end: the executor reads the candidates' records and re-checks it.
const MIN_SCANNED_CANDIDATES: usize = 64;

/// Candidate ids as a hash set: scans test membership for every key they pass, and hashing
/// beats walking the ordered set.
fn id_set(ids: &BTreeSet<String>) -> HashSet<&str> {
    ids.iter().map(String::as_str).collect()
}

/// `[u16 length][segments joined by 0x1F]`, with room after it for a value and a record id
/// (index keys are built on it without growing).
pub fn path_prefix<S: AsRef<str>>(path: &[S]) -> Vec<u8> {
    let joined =
        path.iter().map(|s| s.as_ref().len()).sum::<usize>() + path.len().saturating_sub(1);
    let len = joined.min(u16::MAX as usize);
    let mut out = Vec::with_capacity(2 + joined + 64);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        out.extend_from_slice(seg.as_ref().as_bytes());
    }
    out.truncate(2 + len);
    out
}

pub fn number_bytes(f: f64) -> [u8; 8] {
    let bits = f.to_bits();
    let ord = if bits >> 63 == 1 {
        !bits
    } else {
        bits ^ (1 << 63)
    };
    ord.to_be_bytes()
}

fn escape_into(s: &str, out: &mut Vec<u8>) {
    for &b in s.as_bytes() {
        out.push(b);
        if b == 0 {
            out.push(0xff);
        }
    }
}

fn truncate_chars(s: &str) -> (&str, bool) {
    match s.char_indices().nth(MAX_INDEXED_CHARS) {
        Some((i, _)) => (&s[..i], true),
        None => (s, false),
    }
}

/// The index key prefix for `value` at `path` (None: not indexable), including the
/// terminator for strings, so it matches exactly that value.
pub fn value_key<S: AsRef<str>>(path: &[S], value: &Value) -> Option<Vec<u8>> {
    let mut k = path_prefix(path);
    match value {
        Value::Null => k.push(TAG_NULL),
        Value::Bool(b) => {
            k.push(TAG_BOOL);
            k.push(*b as u8);
        }
        Value::Int(_) | Value::Float(_) => {
            k.push(TAG_NUMBER);
            // ranges treat -0.0 and 0 as equal, so both zeros share one key (equality, which tells
            // them apart, is re-checked on the records)
            let f = value.as_f64()?;
            k.extend_from_slice(&number_bytes(if f == 0.0 { 0.0 } else { f }));
        }
        Value::String(s) => {
            k.push(TAG_STRING);
            escape_into(truncate_chars(s).0, &mut k);
            k.extend_from_slice(&[0, 1]);
        }
        Value::Ref(s) => {
            k.push(TAG_REF);
            escape_into(s, &mut k);
            k.extend_from_slice(&[0, 1]);
        }
        _ => return None,
    }
    Some(k)
}

/// The full index keys (entry + record id) of a materialised record, sorted and without
/// duplicates: the reference [`head_keys`] is tested against.
#[cfg(test)]
pub fn record_keys(record: &Value, id: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    collect_entries(record, &mut out);
    with_id(out, id)
}

/// The full index keys (entry + record id) of a stored head, from its content and tombstone
/// flag (system fields other than `_rmx_deleted` are not indexed), sorted and without
/// duplicates: what [`diff_keys`] compares between a record's old and new head.
pub fn head_keys(content: &Value, deleted: bool, id: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    collect_entries(content, &mut out);
    if deleted {
        out.push(tombstone_entry());
    }
    with_id(out, id)
}

/// Index entries completed with the record id, sorted, without duplicates.
fn with_id(mut entries: Vec<Vec<u8>>, id: &str) -> Vec<Vec<u8>> {
    for k in &mut entries {
        k.extend_from_slice(id.as_bytes());
    }
    entries.sort_unstable();
    entries.dedup();
    entries
}

/// Keys in `old` but not in `new` (to delete) and in `new` but not in `old` (to add); both
/// inputs sorted as [`head_keys`] returns them.
pub fn diff_keys(old: Vec<Vec<u8>>, new: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut gone, mut added) = (Vec::new(), Vec::new());
    let mut old = old.into_iter().peekable();
    let mut new = new.into_iter().peekable();
    loop {
        match (old.peek(), new.peek()) {
            (Some(a), Some(b)) => match a.cmp(b) {
                std::cmp::Ordering::Less => gone.extend(old.next()),
                std::cmp::Ordering::Greater => added.extend(new.next()),
                std::cmp::Ordering::Equal => {
                    old.next();
                    new.next();
                }
            },
            (Some(_), None) => gone.extend(old.next()),
            (None, Some(_)) => added.extend(new.next()),
            (None, None) => return (gone, added),
        }
    }
}

fn collect_entries(record: &Value, out: &mut Vec<Vec<u8>>) {
    if let Value::Map(m) = record {
        let mut path: Vec<&str> = Vec::new();
        for (k, v) in m {
            if crate::record::is_system_field(k) {
                if k == crate::record::DELETED && *v == Value::Bool(true) {
                    out.push(tombstone_entry());
                }
                continue;
            }
            path.push(k);
            walk(&mut path, v, out);
            path.pop();
        }
    }
}

/// The one system-field entry: tombstones are indexed under `_rmx_deleted` = true. Live
/// records get no entry (one that nearly every record carried would never narrow a query),
/// so only `_rmx_deleted == true` is answered from the index.
pub fn tombstone_entry() -> Vec<u8> {
    value_key(&[crate::record::DELETED.to_string()], &Value::Bool(true)).unwrap_or_default()
}

fn presence(path: &[&str], out: &mut Vec<Vec<u8>>) {
    let mut k = path_prefix(path);
    k.push(TAG_PRESENT);
    out.push(k);
}

/// Index `v` at `path`; returns whether it left a value entry at `path` itself.
fn walk<'v>(path: &mut Vec<&'v str>, v: &'v Value, out: &mut Vec<Vec<u8>>) -> bool {
    let own = match v {
        Value::Array(items) => {
            let mut any = false;
            for it in items {
                any |= walk_element(path, it, out);
            }
            any
        }
        Value::Map(m) => {
            for (k, inner) in m {
                path.push(k);
                walk(path, inner, out);
                path.pop();
            }
            false
        }
        Value::Case(_, Some(arg)) => match arg.as_map().and_then(|m| m.get("_rmx_index")) {
            Some(ix) => walk_element(path, ix, out),
            None => false,
        },
        other => walk_element(path, other, out),
    };
    if !own {
        presence(path, out);
    }
    own
}

/// A scalar (or list element) at `path`: its value entry, if indexable. Maps inside lists
/// index their fields under the list's path.
fn walk_element<'v>(path: &mut Vec<&'v str>, v: &'v Value, out: &mut Vec<Vec<u8>>) -> bool {
    match v {
        Value::String(s) => {
            if let Some(k) = value_key(path, v) {
                out.push(k);
            }
            if truncate_chars(s).1 {
                let mut k = path_prefix(path);
                k.push(TAG_LONG);
                out.push(k);
            }
            true
        }
        Value::Map(_) | Value::Array(_) => {
            walk(path, v, out);
            false
        }
        other => match value_key(path, other) {
            Some(k) => {
                out.push(k);
                true
            }
            None => false,
        },
    }
}

/// Full key: entry + record id.
pub fn full_key(entry: &[u8], id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(entry.len() + id.len());
    k.extend_from_slice(entry);
    k.extend_from_slice(id.as_bytes());
    k
}

/// Split the part of a key after `[path][tag]` into the encoded value (still escaped, for
/// strings and refs) and the record id, without copying.
fn split_after_tag(tag: u8, rest: &[u8]) -> Option<(&[u8], &[u8])> {
    match tag {
        TAG_PRESENT | TAG_NULL | TAG_LONG => Some((&rest[..0], rest)),
        TAG_BOOL => Some((rest.get(..1)?, rest.get(1..)?)),
        TAG_NUMBER => Some((rest.get(..8)?, rest.get(8..)?)),
        TAG_STRING | TAG_REF => {
            let mut i = 0;
            while i < rest.len() {
                if rest[i] == 0 {
                    match rest.get(i + 1)? {
                        0xff => i += 2,
                        1 => return Some((&rest[..i], &rest[i + 2..])),
                        _ => return None,
                    }
                } else {
                    i += 1;
                }
            }
            None
        }
        _ => None,
    }
}

/// Undo the escaping of a string or ref value (0x00 0xFF → 0x00).
fn unescape(val: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !val.contains(&0) {
        return std::borrow::Cow::Borrowed(val);
    }
    let mut out = Vec::with_capacity(val.len());
    let mut i = 0;
    while i < val.len() {
        out.push(val[i]);
        i += if val[i] == 0 { 2 } else { 1 };
    }
    std::borrow::Cow::Owned(out)
}

/// Is `f` a bound at which the index may split exactly (strict bounds exclude the keys of
/// the bound's own value)? Numbers are indexed as f64: an int bound beyond 2^53 shares its
/// key with neighbouring ints it does not equal, and NaN has no place in the order.
fn exact_number_bound(v: &Value) -> bool {
    match v {
        Value::Int(i) => i.unsigned_abs() < (1u64 << 53),
        Value::Float(f) => f.is_finite() && f.abs() < (1u64 << 53) as f64,
        _ => false,
    }
}

/// One end of a range: the value and whether it is strict (`<`, `>`).
pub type RangeEnd<'v> = Option<(&'v Value, bool)>;

/// Read side of the indexes: every method returns candidate record ids.
pub struct IndexReader<'a> {
    store: &'a dyn Store,
}

impl<'a> IndexReader<'a> {
    pub fn new(store: &'a dyn Store) -> Self {
        IndexReader { store }
    }

    /// Collect the ids of the keys in the bounds that share `prefix`'s path and pass
    /// `filter(tag, escaped value)`; with `within`, only ids in that set. Ids are pushed as
    /// the keys come (an id may come more than once: callers collect them into a set, which
    /// is cheap for ids that arrive sorted, as one value's do). With a `budget`, stop
    /// after that many keys and return the value part of the key at which the scan stopped
    /// (path, tag and encoded value: every key of that value starts with it); None when the
    /// scan reached the end of the bounds.
    #[allow(clippy::too_many_arguments)]
    fn collect(
        &self,
        prefix: &[u8],
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        filter: &dyn Fn(u8, &[u8]) -> bool,
        within: Option<&HashSet<&str>>,
        budget: Option<usize>,
        out: &mut Vec<String>,
    ) -> Result<Option<Vec<u8>>> {
        let plen = u16::from_be_bytes([prefix[0], prefix[1]]) as usize + 2;
        let path = &prefix[..plen.min(prefix.len())];
        let mut left = budget.unwrap_or(usize::MAX);
        let mut stopped = None;
        self.store.scan_keys(Space::Index, lo, hi, &mut |k| {
            if !k.starts_with(path) {
                return false;
            }
            let Some(&tag) = k.get(plen) else {
                return true;
            };
            let Some((val, id)) = split_after_tag(tag, &k[plen + 1..]) else {
                return true;
            };
            if left == 0 {
                stopped = Some(k[..k.len() - id.len()].to_vec());
                return false;
            }
            left -= 1;
            let Ok(id) = std::str::from_utf8(id) else {
                return true;
            };
            if within.is_none_or(|w| w.contains(id)) && filter(tag, val) {
                out.push(id.to_string());
            }
            true
        })?;
        Ok(stopped)
    }

    /// [`Self::collect`] for a range of one tag, keeping only ids in `within`, a set small
    /// enough to look its ids up. A range can hold far more keys than `within` has ids
    /// (`age >= 40 and age < 41` holds a ninetieth of all records, `city == "cityK"` left
    /// 200), so after scanning as many keys as `within` has ids, the value at which the scan
    /// stopped is answered by point lookups of its exact keys (value · id, one per id: fjall's
    /// bloom filters make a missing key cheap), and the scan goes on after that value. A
    /// range of many values each holding many keys would pay for lookups over and over: after
    /// [`MAX_PROBED_VALUES`] values the rest is scanned to its end, unless `within` is so
    /// small that reading its records costs less: then the range is left unanswered (false)
    /// and the executor re-checks it on the records.
    fn collect_probing(
        &self,
        base: &[u8],
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        tag: u8,
        within: &BTreeSet<String>,
        out: &mut Vec<String>,
    ) -> Result<bool> {
        if within.is_empty() {
            return Ok(true);
        }
        let set = id_set(within);
        let filter = move |t: u8, _: &[u8]| t == tag;
        let mut lo = lo;
        for _ in 0..MAX_PROBED_VALUES {
            let budget = Some(within.len());
            let Some(value) =
                self.collect(base, lo, hi.clone(), &filter, Some(&set), budget, out)?
            else {
                return Ok(true);
            };
            // (ids the scan found in this value are looked up again: fewer than a membership
            // test on every id would cost)
            let mut key = value.clone();
            for id in within {
                key.truncate(value.len());
                key.extend_from_slice(id.as_bytes());
                if self.store.contains(Space::Index, &key)? {
                    out.push(id.clone());
                }
            }
            lo = match prefix_end(&value) {
                Some(next) => Bound::Included(next),
                None => return Ok(true),
            };
        }
        if within.len() < MIN_SCANNED_CANDIDATES {
            return Ok(false);
        }
        self.collect(base, lo, hi, &filter, Some(&set), None, out)?;
        Ok(true)
    }

    fn prefix_scan(
        &self,
        prefix: Vec<u8>,
        filter: &dyn Fn(u8, &[u8]) -> bool,
        within: Option<&BTreeSet<String>>,
    ) -> Result<BTreeSet<String>> {
        let mut out = Vec::new();
        let hi = prefix_end(&prefix)
            .map(Bound::Excluded)
            .unwrap_or(Bound::Unbounded);
        let within = within.map(id_set);
        self.collect(
            &prefix.clone(),
            Bound::Included(prefix),
            hi,
            filter,
            within.as_ref(),
            None,
            &mut out,
        )?;
        Ok(out.into_iter().collect())
    }

    /// Records whose field at `path` equals (or, for lists, contains) `value`.
    pub fn eq(&self, path: &[String], value: &Value) -> Result<Option<BTreeSet<String>>> {
        self.eq_within(path, value, None)
    }

    /// [`Self::eq`], keeping only ids in `within` (when given).
    pub fn eq_within(
        &self,
        path: &[String],
        value: &Value,
        within: Option<&BTreeSet<String>>,
    ) -> Result<Option<BTreeSet<String>>> {
        match value_key(path, value) {
            Some(k) => Ok(Some(self.prefix_scan(k, &|_, _| true, within)?)),
            None => Ok(None),
        }
    }

    /// Records with a string (or ref) at `path` starting with `prefix`.
    pub fn starts_with(&self, path: &[String], prefix: &str) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for tag in [TAG_STRING, TAG_REF] {
            let mut k = path_prefix(path);
            k.push(tag);
            escape_into(prefix, &mut k);
            out.extend(self.prefix_scan(k, &|_, _| true, None)?);
        }
        Ok(out)
    }

    /// Records with a string or ref at `path` containing `needle` (scans that path's index
    /// entries, not the records), plus strings too long to be indexed whole.
    pub fn contains(&self, path: &[String], needle: &str) -> Result<BTreeSet<String>> {
        let needle = needle.as_bytes().to_vec();
        self.prefix_scan(
            path_prefix(path),
            &move |tag, val| match tag {
                TAG_STRING | TAG_REF => {
                    needle.is_empty()
                        || unescape(val)
                            .windows(needle.len())
                            .any(|w| w == needle.as_slice())
                }
                TAG_LONG => true,
                _ => false,
            },
            None,
        )
    }

    /// Records that have `path` (any entry of the path: a value or a presence marker).
    pub fn exists(&self, path: &[String]) -> Result<BTreeSet<String>> {
        self.prefix_scan(path_prefix(path), &|_, _| true, None)
    }

    /// Is there any ref stored at `path`? (Then deeper paths may cross it and need a scan.)
    pub fn has_refs_at(&self, path: &[String]) -> Result<bool> {
        let mut k = path_prefix(path);
        k.push(TAG_REF);
        let hi = prefix_end(&k)
            .map(Bound::Excluded)
            .unwrap_or(Bound::Unbounded);
        let mut any = false;
        self.store
            .scan_keys(Space::Index, Bound::Included(k), hi, &mut |_| {
                any = true;
                false
            })?;
        Ok(any)
    }

    /// Records with a number (or string) at `path` within the bounds (inclusive both ends;
    /// the executor re-checks strictness). Both bounds must be of the same kind.
    pub fn range(
        &self,
        path: &[String],
        lo: Option<&Value>,
        hi: Option<&Value>,
    ) -> Result<Option<BTreeSet<String>>> {
        self.range_within(path, lo.map(|v| (v, false)), hi.map(|v| (v, false)), None)
    }

    /// Records with a number (or string) at `path` between `lo` and `hi`, keeping only ids in
    /// `within` (when given; None also when a few candidates are cheaper to re-check than the
    /// range is to read). Strict number bounds that the index can split exactly exclude
    /// the bound's own keys; every other bound is inclusive and the executor re-checks it.
    pub fn range_within(
        &self,
        path: &[String],
        lo: RangeEnd<'_>,
        hi: RangeEnd<'_>,
        within: Option<&BTreeSet<String>>,
    ) -> Result<Option<BTreeSet<String>>> {
        let kind = lo.or(hi).map(|(v, _)| match v {
            Value::Int(_) | Value::Float(_) => Some(TAG_NUMBER),
            Value::String(_) => Some(TAG_STRING),
            Value::Ref(_) => Some(TAG_REF),
            _ => None,
        });
        let Some(Some(tag)) = kind else {
            return Ok(None);
        };
        let mut base = path_prefix(path);
        base.push(tag);
        let bound_key = |v: &Value| -> Option<Vec<u8>> {
            let k = value_key(path, v)?;
            // strip the string terminator so a bound matches every key with that value
            Some(if tag == TAG_NUMBER {
                k
            } else {
                k[..k.len() - 2].to_vec()
            })
        };
        let exact = |v: &Value| tag == TAG_NUMBER && exact_number_bound(v);
        let after = |k: Vec<u8>| {
            prefix_end(&k)
                .map(Bound::Excluded)
                .unwrap_or(Bound::Unbounded)
        };
        let lo_b = match lo {
            Some((v, strict)) => match bound_key(v) {
                // past every key of the bound's value
                Some(k) if strict && exact(v) => match prefix_end(&k) {
                    Some(e) => Bound::Included(e),
                    None => return Ok(Some(BTreeSet::new())),
                },
                Some(k) => Bound::Included(k),
                None => Bound::Included(base.clone()),
            },
            None => Bound::Included(base.clone()),
        };
        let hi_b = match hi {
            Some((v, strict)) => match bound_key(v) {
                // every key of the bound's value starts with `k` and sorts after it
                Some(k) if strict && exact(v) => Bound::Excluded(k),
                // include every key starting with the bound (all ids, all longer strings are
                // re-checked by the executor)
                Some(k) => after(k),
                None => after(base.clone()),
            },
            None => after(base.clone()),
        };
        let mut out = Vec::new();
        match within {
            Some(w) if w.len() <= MAX_PROBED_CANDIDATES => {
                if !self.collect_probing(&base, lo_b, hi_b, tag, w, &mut out)? {
                    return Ok(None);
                }
            }
            _ => {
                let w = within.map(id_set);
                self.collect(
                    &base,
                    lo_b,
                    hi_b,
                    &move |t, _| t == tag,
                    w.as_ref(),
                    None,
                    &mut out,
                )?;
            }
        }
        Ok(Some(out.into_iter().collect()))
    }

    /// Every index key for a path (for stats and tests).
    pub fn count_entries(&self) -> Result<u64> {
        let mut n = 0;
        for kv in self
            .store
            .scan(Space::Index, Bound::Unbounded, Bound::Unbounded, false)
        {
            kv?;
            n += 1;
        }
        Ok(n)
    }
}

/// Separator used between path segments in index keys.
pub const PATH_SEPARATOR: u8 = SEP;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_encoding_preserves_order() {
        let xs = [
            f64::NEG_INFINITY,
            -10.5,
            -1.0,
            -0.0,
            0.0,
            1e-9,
            3.0,
            1e300,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(
                number_bytes(w[0]) <= number_bytes(w[1]),
                "{} {}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn string_keys_split_back() {
        let p = vec!["a".to_string()];
        let k = value_key(&p, &Value::String("x\0y".into())).unwrap();
        let full = full_key(&k, "rec1");
        let plen = path_prefix(&p).len();
        let (val, id) = split_after_tag(full[plen], &full[plen + 1..]).unwrap();
        assert_eq!(&*unescape(val), b"x\0y");
        assert_eq!(id, b"rec1");
    }

    #[test]
    fn head_keys_are_the_record_keys_of_the_materialised_head() {
        use crate::crdt::{Change, FieldOp, Hlc, OpId, RecordState, ReplicaId};
        use crate::head::Head;
        use crate::value::map_of;
        let mut st = RecordState::new("r1");
        let op = |path: &[&str], value: Option<Value>| FieldOp {
            path: path.iter().map(|s| s.to_string()).collect(),
            value,
            preds: Vec::new(),
        };
        let content = map_of([
            ("a", Value::Int(1)),
            ("m", map_of([("n", Value::String("x".into()))])),
            ("l", Value::Array(vec![Value::Null, Value::Bool(true)])),
        ]);
        let Value::Map(fields) = &content else {
            unreachable!()
        };
        let mut ops = vec![op(&[], Some(Value::Bool(true)))];
        ops.extend(
            fields
                .iter()
                .map(|(k, v)| op(&[k.as_str()], Some(v.clone()))),
        );
        st.apply(&Change {
            id: OpId {
                replica: ReplicaId(1),
                counter: 1,
            },
            hlc: Hlc {
                wall_ms: 5,
                logical: 0,
            },
            record: "r1".into(),
            principal: "p".into(),
            ops,
        });
        let live = Head::of_state(&st);
        assert!(!live.deleted);
        assert_eq!(
            head_keys(&live.content, live.deleted, "r1"),
            record_keys(&st.materialise(), "r1")
        );
        let tombstone = Head {
            deleted: true,
            content: map_of::<[(&str, Value); 0], &str>([]),
            ..live
        };
        let keys = head_keys(&tombstone.content, true, "r1");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys, record_keys(&tombstone.to_value("r1"), "r1"));
    }
}
