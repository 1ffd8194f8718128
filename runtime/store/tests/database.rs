//! Behaviour of the store handle: writes, system fields, CRDT rules between replicas,
//! persistence and thread safety.

use mix_store::crdt::hlc::Hlc;
use mix_store::crdt::ReplicaId;
use mix_store::record;
use mix_store::value::{map_of, Value};
use mix_store::{Database, History, Options, StoreError};
use std::sync::Arc;

fn s(x: &str) -> Value {
    Value::String(x.into())
}

fn field<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.as_map().and_then(|m| m.get(k))
}

fn mem(r: u64) -> Database {
    Database::memory_with_replica(Options::default(), ReplicaId(r)).unwrap()
}

fn sync_pair(a: &Database, b: &Database) {
    let to_b: Vec<_> = a
        .changes_missing_from(&b.version_vector())
        .collect::<Result<_, _>>()
        .unwrap();
    let to_a: Vec<_> = b
        .changes_missing_from(&a.version_vector())
        .collect::<Result<_, _>>()
        .unwrap();
    b.apply_remote(to_b).unwrap();
    a.apply_remote(to_a).unwrap();
}

#[test]
fn save_get_system_fields() {
    let db = mem(1);
    let id = db
        .save(map_of([("name", s("ada")), ("age", Value::Int(36))]))
        .unwrap();
    let r = db.get(&id).unwrap().unwrap();
    assert_eq!(field(&r, "name"), Some(&s("ada")));
    assert_eq!(field(&r, record::ID), Some(&Value::Ref(id.clone())));
    assert!(matches!(field(&r, record::REV), Some(Value::Ref(_))));
    assert_eq!(field(&r, record::PREVIOUS), Some(&Value::Null));
    assert_eq!(field(&r, record::DELETED), Some(&Value::Bool(false)));
    assert_eq!(
        field(&r, record::CREATED_BY),
        Some(&s(&format!("replica:{}", ReplicaId(1))))
    );
    // update: previous points at the first revision, forged system fields are ignored
    let rev1 = field(&r, record::REV).cloned().unwrap();
    db.save(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("name", s("ada l")),
        (record::CREATED_BY, s("mallory")),
    ]))
    .unwrap();
    let r2 = db.get(&id).unwrap().unwrap();
    assert_eq!(field(&r2, record::PREVIOUS), Some(&rev1));
    assert_eq!(field(&r2, "age"), None, "save replaces content");
    assert_eq!(
        field(&r2, record::CREATED_BY),
        field(&r, record::CREATED_BY)
    );
    assert_eq!(db.history(&id).unwrap().len(), 2);
}

#[test]
fn upsert_merges_and_delete_leaves_tombstone() {
    let db = mem(1);
    let id = db
        .save(map_of([
            ("a", Value::Int(1)),
            ("n", map_of([("x", Value::Int(1))])),
        ]))
        .unwrap();
    db.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("n", map_of([("y", Value::Int(2))])),
    ]))
    .unwrap();
    let r = db.get(&id).unwrap().unwrap();
    assert_eq!(
        field(&r, "n"),
        Some(&map_of([("x", Value::Int(1)), ("y", Value::Int(2))]))
    );
    assert_eq!(field(&r, "a"), Some(&Value::Int(1)));
    assert!(db.delete(&id).unwrap());
    assert!(db.get(&id).unwrap().is_none());
    let t = db.get_any(&id).unwrap().unwrap();
    assert_eq!(field(&t, record::DELETED), Some(&Value::Bool(true)));
    assert_eq!(field(&t, "a"), None, "tombstones have no content fields");
    assert!(!db.delete(&id).unwrap());
    assert!(!db.delete("missing").unwrap());
}

#[test]
fn concurrent_edits_to_different_fields_both_survive() {
    let a = mem(1);
    let b = mem(2);
    let id = a
        .save(map_of([("x", Value::Int(0)), ("y", Value::Int(0))]))
        .unwrap();
    sync_pair(&a, &b);
    a.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Int(1)),
    ]))
    .unwrap();
    b.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("y", Value::Int(2)),
    ]))
    .unwrap();
    sync_pair(&a, &b);
    let ra = a.get(&id).unwrap().unwrap();
    assert_eq!(field(&ra, "x"), Some(&Value::Int(1)));
    assert_eq!(field(&ra, "y"), Some(&Value::Int(2)));
    assert_eq!(ra, b.get(&id).unwrap().unwrap());
    assert!(a.conflicts(&id).unwrap().is_empty());
}

#[test]
fn concurrent_writes_to_one_field_keep_all_values() {
    let a = mem(1);
    let b = mem(2);
    let id = a.save(map_of([("x", Value::Int(0))])).unwrap();
    sync_pair(&a, &b);
    a.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Int(1)),
    ]))
    .unwrap();
    b.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Int(2)),
    ]))
    .unwrap();
    sync_pair(&a, &b);
    let ca = a.conflicts(&id).unwrap();
    assert_eq!(ca, b.conflicts(&id).unwrap());
    let vals = &ca["x"];
    assert_eq!(vals.len(), 2);
    // the winner (first) is what reads return, on both replicas
    assert_eq!(field(&a.get(&id).unwrap().unwrap(), "x"), Some(&vals[0]));
    assert_eq!(a.get(&id).unwrap(), b.get(&id).unwrap());
    // a later write that saw both values resolves the conflict
    a.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Int(3)),
    ]))
    .unwrap();
    sync_pair(&a, &b);
    assert!(b.conflicts(&id).unwrap().is_empty());
    assert_eq!(
        field(&b.get(&id).unwrap().unwrap(), "x"),
        Some(&Value::Int(3))
    );
}

#[test]
fn update_wins_over_concurrent_delete() {
    let a = mem(1);
    let b = mem(2);
    let id = a
        .save(map_of([("x", Value::Int(0)), ("y", Value::Int(0))]))
        .unwrap();
    sync_pair(&a, &b);
    assert!(a.delete(&id).unwrap());
    b.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Int(5)),
    ]))
    .unwrap();
    sync_pair(&a, &b);
    let ra = a.get(&id).unwrap().expect("update wins: record alive");
    assert_eq!(field(&ra, "x"), Some(&Value::Int(5)));
    assert_eq!(field(&ra, "y"), None, "fields the delete saw stay deleted");
    assert_eq!(Some(ra), b.get(&id).unwrap());
}

#[test]
fn remote_clock_too_far_ahead_is_rejected() {
    let now = mix_store::crdt::hlc::system_time_ms();
    let fast = Database::memory_with_replica(
        Options {
            time_source: Some(Arc::new(move || now + 60_000)),
            ..Options::default()
        },
        ReplicaId(9),
    )
    .unwrap();
    let local = mem(1);
    fast.save(map_of([("x", Value::Int(1))])).unwrap();
    let changes: Vec<_> = fast
        .changes_missing_from(&local.version_vector())
        .collect::<Result<_, _>>()
        .unwrap();
    let err = local.apply_remote(changes).unwrap_err();
    assert!(
        matches!(err, StoreError::ClockSkew { bound_ms: 500, .. }),
        "{err}"
    );
    assert!(local.record_ids().next().is_none(), "nothing applied");
    assert!(
        local.clock_now()
            < Hlc {
                wall_ms: now + 1000,
                logical: 0
            }
    );
}

#[test]
fn principals_are_opaque() {
    let e = Database::memory(Options {
        principal: Some("ada@example.com".into()),
        ..Options::default()
    });
    assert!(matches!(e, Err(StoreError::InvalidPrincipal(_))));
}

#[test]
fn persists_across_reopen_and_keeps_counting() {
    let dir = tempfile::tempdir().unwrap();
    let (id, replica) = {
        let db = Database::create(dir.path(), Options::default()).unwrap();
        let id = db.save(map_of([("x", Value::Int(1))])).unwrap();
        db.save(map_of([
            (record::ID, Value::Ref(id.clone())),
            ("x", Value::Int(2)),
        ]))
        .unwrap();
        (id, db.replica_id())
    };
    let db = Database::open(dir.path(), Options::default()).unwrap();
    assert_eq!(db.replica_id(), replica);
    assert_eq!(
        field(&db.get(&id).unwrap().unwrap(), "x"),
        Some(&Value::Int(2))
    );
    assert_eq!(db.version_vector().contiguous(replica), 2);
    db.save(map_of([("y", Value::Int(1))])).unwrap();
    assert_eq!(db.version_vector().contiguous(replica), 3);
    assert!(Database::create(dir.path(), Options::default()).is_err());
    let plain = tempfile::tempdir().unwrap();
    assert!(matches!(
        Database::open(plain.path(), Options::default()),
        Err(StoreError::NotInitialised(_))
    ));
    assert_eq!(
        std::fs::read_dir(plain.path()).unwrap().count(),
        0,
        "open wrote into a non-store directory"
    );
    let missing = tempfile::tempdir().unwrap();
    assert!(matches!(
        Database::open(&missing.path().join("nope"), Options::default()),
        Err(StoreError::NotInitialised(_))
    ));
}

#[test]
fn history_compaction_keeps_last_n() {
    let db = Database::memory(Options {
        history: History::KeepLast(2),
        ..Options::default()
    })
    .unwrap();
    let id = db.save(map_of([("v", Value::Int(0))])).unwrap();
    for i in 1..5 {
        db.save(map_of([
            (record::ID, Value::Ref(id.clone())),
            ("v", Value::Int(i)),
        ]))
        .unwrap();
    }
    let h = db.history(&id).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(field(&h[1], "v"), Some(&Value::Int(4)));
    assert_eq!(field(&h[0], record::SUPERSEDED), Some(&Value::Bool(true)));
}

#[test]
fn shared_across_threads_with_group_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Database::create(dir.path(), Options::default()).unwrap());
    let mut hs = Vec::new();
    for t in 0..4 {
        let db = db.clone();
        hs.push(std::thread::spawn(move || {
            (0..25)
                .map(|i| {
                    db.save(map_of([("t", Value::Int(t)), ("i", Value::Int(i))]))
                        .unwrap()
                })
                .collect::<Vec<_>>()
        }));
    }
    let ids: Vec<String> = hs.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert_eq!(ids.len(), 100);
    for id in &ids {
        assert!(db.get(id).unwrap().is_some());
    }
    assert_eq!(db.version_vector().contiguous(db.replica_id()), 100);
}

#[test]
fn clean_close_then_reopen_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::create(dir.path(), Options::default()).unwrap();
    let ids: Vec<String> = (0..200)
        .map(|i| db.save(map_of([("i", Value::Int(i))])).unwrap())
        .collect();
    db.close().unwrap();
    let journal_bytes: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jnl"))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert_eq!(journal_bytes, 0, "a clean close leaves nothing to replay");
    for round in 0..3 {
        let db = Database::open(dir.path(), Options::default()).unwrap();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(
                field(&db.get(id).unwrap().unwrap(), "i"),
                Some(&Value::Int(i as i64)),
                "round {round}"
            );
        }
        db.save(map_of([("round", Value::Int(round))])).unwrap();
        assert!(db.verify().is_clean());
        if round == 1 {
            drop(db); // not closed: the next open replays the journal
        } else {
            db.close().unwrap();
        }
    }
    let db = Database::open(dir.path(), Options::default()).unwrap();
    assert_eq!(db.version_vector().contiguous(db.replica_id()), 203);
}

fn count(db: &Database, space: mix_store::engine::Space) -> usize {
    db.engine().scan_prefix(space, b"").count()
}

/// A record holds its head: inserting writes no revision key, each later write turns the
/// head it replaces into one, and `history` lists those and then the head.
#[test]
fn heads_live_with_records_and_revisions_hold_superseded_heads() {
    use mix_store::engine::Space;
    let db = mem(1);
    let id = db.save(map_of([("v", Value::Int(0))])).unwrap();
    assert_eq!(count(&db, Space::Revisions), 0);
    assert_eq!(
        field(&db.get(&id).unwrap().unwrap(), "v"),
        Some(&Value::Int(0))
    );
    for i in 1..4 {
        db.save(map_of([
            (record::ID, Value::Ref(id.clone())),
            ("v", Value::Int(i)),
        ]))
        .unwrap();
        assert_eq!(count(&db, Space::Revisions), i as usize);
    }
    let h = db.history(&id).unwrap();
    let vs: Vec<_> = h.iter().map(|r| field(r, "v").cloned()).collect();
    assert_eq!(vs, (0..4).map(|i| Some(Value::Int(i))).collect::<Vec<_>>());
    let superseded: Vec<_> = h
        .iter()
        .map(|r| field(r, record::SUPERSEDED).cloned())
        .collect();
    assert_eq!(
        superseded,
        [true, true, true, false].map(|b| Some(Value::Bool(b)))
    );
    assert_eq!(db.stats().unwrap().revisions, 4);
    db.delete(&id).unwrap();
    let h = db.history(&id).unwrap();
    assert_eq!(h.len(), 5);
    assert_eq!(field(&h[4], record::DELETED), Some(&Value::Bool(true)));
    // keeping one revision keeps only the head
    let one = Database::memory(Options {
        history: History::KeepLast(1),
        ..Options::default()
    })
    .unwrap();
    let id = one.save(map_of([("v", Value::Int(0))])).unwrap();
    for i in 1..4 {
        one.save(map_of([
            (record::ID, Value::Ref(id.clone())),
            ("v", Value::Int(i)),
        ]))
        .unwrap();
    }
    assert_eq!(count(&one, Space::Revisions), 0);
    assert_eq!(one.history(&id).unwrap().len(), 1);
}

/// Only tombstones have a `_rmx_deleted` index entry; queries on the field still answer
/// right (`== true` from the index, anything else by checking the records).
#[test]
fn only_tombstones_are_indexed_as_deleted() {
    use mix_store::query::{self, parse_query, Plan, QueryOptions};
    let db = mem(1);
    let a = db.save(map_of([("v", Value::Int(1))])).unwrap();
    let b = db.save(map_of([("v", Value::Int(2))])).unwrap();
    db.delete(&b).unwrap();
    let entries = mix_store::index::IndexReader::new(db.engine())
        .count_entries()
        .unwrap();
    // a's `v` and b's tombstone
    assert_eq!(entries, 2);
    let opts = QueryOptions {
        include_deleted: true,
        ..Default::default()
    };
    let run = |q: &str| {
        let q = parse_query(q).unwrap();
        let ids: Vec<_> = query::run(&db, &q, &opts)
            .unwrap()
            .iter()
            .map(|r| field(r, record::ID).cloned())
            .collect();
        (ids, query::plan(&db, &q, &opts).unwrap())
    };
    let (ids, plan) = run("_rmx_deleted == true");
    assert_eq!(ids, [Some(Value::Ref(b.clone()))]);
    assert!(matches!(plan, Plan::Index(1)));
    let (ids, plan) = run("_rmx_deleted == false");
    assert_eq!(ids, [Some(Value::Ref(a.clone()))]);
    assert_eq!(plan, Plan::Scan);
    let (ids, _) = run("exists _rmx_deleted");
    assert_eq!(ids.len(), 2);
    // an update brings b back to life and drops its tombstone entry
    db.upsert(map_of([
        (record::ID, Value::Ref(b.clone())),
        ("v", Value::Int(3)),
    ]))
    .unwrap();
    let (ids, _) = run("_rmx_deleted == true");
    assert!(ids.is_empty());
}

/// Every batch written: its number of puts and whether it was synced.
type Writes = Arc<std::sync::Mutex<Vec<(usize, bool)>>>;

/// An engine that records the durability of every batch written through it, and fails the
/// write at position `fail_at` of that record when the test arms it.
struct Recording {
    inner: mix_store::engine::memory::MemoryStore,
    writes: Writes,
    fail_at: Arc<std::sync::Mutex<Option<usize>>>,
}

impl Recording {
    fn new() -> (Self, Writes) {
        let writes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let engine = Recording {
            inner: mix_store::engine::memory::MemoryStore::new(),
            writes: writes.clone(),
            fail_at: Arc::default(),
        };
        (engine, writes)
    }
}

impl mix_store::engine::Store for Recording {
    fn get(
        &self,
        space: mix_store::engine::Space,
        key: &[u8],
    ) -> mix_store::Result<Option<Vec<u8>>> {
        self.inner.get(space, key)
    }
    fn scan(
        &self,
        space: mix_store::engine::Space,
        lo: std::ops::Bound<Vec<u8>>,
        hi: std::ops::Bound<Vec<u8>>,
        reverse: bool,
    ) -> mix_store::engine::KvIter<'_> {
        self.inner.scan(space, lo, hi, reverse)
    }
    fn write(&self, batch: Vec<mix_store::engine::Put>, durable: bool) -> mix_store::Result<()> {
        let mut writes = self.writes.lock().unwrap();
        if *self.fail_at.lock().unwrap() == Some(writes.len()) {
            return Err(StoreError::Engine("injected write failure".into()));
        }
        writes.push((batch.len(), durable));
        self.inner.write(batch, durable)
    }
    fn engine_name(&self) -> &'static str {
        "recording"
    }
    fn approximate_len(&self, space: mix_store::engine::Space) -> u64 {
        self.inner.approximate_len(space)
    }
}

/// A replica holding `n` records of three fields, and every change it made.
fn source_of(n: i64) -> (Database, Vec<mix_store::crdt::Change>) {
    let src = mem(7);
    let records: Vec<Value> = (0..n)
        .map(|i| map_of([("i", Value::Int(i)), ("s", s("x")), ("t", s("y"))]))
        .collect();
    src.save_batch(records).unwrap();
    let changes = src.all_changes().map(|c| c.unwrap()).collect();
    (src, changes)
}

/// `dst` holds every record of `src` as `src` has it.
fn assert_same_records(src: &Database, dst: &Database) {
    for id in src.record_ids() {
        let id = id.unwrap();
        assert_eq!(dst.get(&id).unwrap(), src.get(&id).unwrap());
    }
}

/// A merge bigger than one engine write goes in parts, each atomic with the version vector
/// of its changes; only the last is synced (the call returns after it), and all of it is
/// applied.
#[test]
fn large_merges_are_applied_in_parts() {
    let n = 4000;
    let (src, changes) = source_of(n);
    let (engine, writes) = Recording::new();
    let dst = Database::init(Box::new(engine), Options::default(), None).unwrap();
    writes.lock().unwrap().clear();
    let report = dst.apply_remote(changes.clone()).unwrap();
    assert_eq!((report.applied, report.records), (n as usize, n as usize));
    assert_eq!(dst.version_vector(), src.version_vector());
    let w = writes.lock().unwrap().clone();
    assert!(w.len() >= 2, "one write for {n} records: {w:?}");
    assert_only_last_synced(&w);
    assert!(dst.verify().is_clean());
    assert_same_records(&src, &dst);
    assert_eq!(dst.apply_remote(changes).unwrap().duplicates, n as usize);
}

/// Only the last write of a group is synced.
fn assert_only_last_synced(writes: &[(usize, bool)]) {
    let synced: Vec<bool> = writes.iter().map(|(_, d)| *d).collect();
    let mut want = vec![false; writes.len() - 1];
    want.push(true);
    assert_eq!(synced, want);
}

/// A local batch that takes several parts (committed by a helper thread while the next part
/// is built) returns its changes in write order, and the last part is synced even when the
/// writes after the last record with changes changed nothing.
#[test]
fn large_local_batches_return_changes_in_order_and_sync_the_last_part() {
    use mix_store::crdt::plan::WriteKind;
    let (engine, writes) = Recording::new();
    let db = Database::init(Box::new(engine), Options::default(), None).unwrap();
    writes.lock().unwrap().clear();
    let n = 6000;
    let mut batch: Vec<(String, WriteKind)> = (0..n)
        .map(|i| {
            let content = [
                ("i".to_string(), Value::Int(i)),
                ("s".to_string(), s("x")),
                ("t".to_string(), s("y")),
            ];
            (
                format!("r{i:05}"),
                WriteKind::Save(content.into_iter().collect()),
            )
        })
        .collect();
    // deleting records that do not exist changes nothing
    batch.extend((0..3).map(|i| (format!("missing{i}"), WriteKind::Delete)));
    let changes = db.write_local_batch(batch).unwrap();
    let records: Vec<String> = changes.iter().map(|c| c.record.clone()).collect();
    let want: Vec<String> = (0..n).map(|i| format!("r{i:05}")).collect();
    assert_eq!(records.len(), want.len(), "changes returned");
    assert!(records == want, "changes out of write order");
    let w = writes.lock().unwrap().clone();
    assert!(w.len() >= 2, "one write for {n} records: {w:?}");
    assert_only_last_synced(&w);
    assert_eq!(db.record_ids().count(), n as usize);
}

/// When the engine fails a later part of a merge, the merge returns that error (it neither
/// hangs nor panics), the parts before it stay applied, and sending the changes again
/// applies the rest.
#[test]
fn a_failed_part_ends_the_merge_with_the_engine_error() {
    let n = 6000;
    let (src, changes) = source_of(n);
    let (engine, writes) = Recording::new();
    let fail_at = engine.fail_at.clone();
    let dst = Database::init(Box::new(engine), Options::default(), None).unwrap();
    writes.lock().unwrap().clear();
    *fail_at.lock().unwrap() = Some(1);
    match dst.apply_remote(changes.clone()) {
        Err(StoreError::Engine(m)) => assert!(m.contains("injected"), "{m}"),
        other => panic!("expected the engine's error, got {other:?}"),
    }
    let first_part = dst.record_ids().count();
    assert!(
        first_part > 0 && first_part < n as usize,
        "{first_part} of {n} applied"
    );
    assert!(dst.verify().is_clean());
    *fail_at.lock().unwrap() = None;
    let report = dst.apply_remote(changes).unwrap();
    assert_eq!(report.duplicates, first_part);
    assert_eq!(dst.version_vector(), src.version_vector());
    assert_same_records(&src, &dst);
}

/// Close waits for memtables that fjall rotated and is flushing in the background (tiny
/// memtables make that happen on nearly every batch), and everything written is there after
/// reopening.
#[test]
fn close_waits_for_background_flushes() {
    use mix_store::engine::fjall_engine::FjallStore;
    let dir = tempfile::tempdir().unwrap();
    let mut ids = Vec::new();
    for round in 0..6 {
        let engine = FjallStore::open_with_memtable_size(dir.path(), 16 << 10).unwrap();
        let db = if round == 0 {
            Database::init(Box::new(engine), Options::default(), None).unwrap()
        } else {
            Database::with_store(Box::new(engine), Options::default()).unwrap()
        };
        for b in 0..4 {
            let batch: Vec<Value> = (0..300)
                .map(|i| map_of([("round", Value::Int(round)), ("i", Value::Int(b * 300 + i))]))
                .collect();
            ids.extend(db.save_batch(batch).unwrap());
        }
        db.close().unwrap();
    }
    let db = Database::open(dir.path(), Options::default()).unwrap();
    for id in &ids {
        assert!(db.get(id).unwrap().is_some(), "{id} lost");
    }
    assert!(db.verify().is_clean());
}

/// Store format 3 keeps a record's stamps and content in its head and leaves them (and the id)
/// out of the stored CRDT state: the state read back must equal the state rebuilt from the
/// change log, for concurrent values, shape conflicts, both zeros, tombstones and a record
/// whose first change is not its head revision.
#[test]
fn stored_state_equals_the_state_rebuilt_from_changes() {
    let (a, b) = (mem(1), mem(2));
    let id = a
        .save(map_of([
            ("x", Value::Float(1.0)),
            ("y", map_of([("z", Value::Int(1))])),
            ("same", s("v")),
            ("k", Value::Int(2)),
        ]))
        .unwrap();
    sync_pair(&a, &b);
    // concurrent: the two zeros and 1 against 1.0 (registers whose values are equal as
    // numbers, not as values), a shape conflict, an unchanged value, a new field
    a.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Float(-0.0)),
        ("k", Value::Int(1)),
        ("y", Value::Int(5)),
        ("same", s("v")),
    ]))
    .unwrap();
    b.upsert(map_of([
        (record::ID, Value::Ref(id.clone())),
        ("x", Value::Float(0.0)),
        ("k", Value::Float(1.0)),
        ("y", map_of([("w", Value::Bool(true))])),
        ("same", s("v")),
        ("n", Value::Array(vec![Value::Int(1), Value::Null])),
    ]))
    .unwrap();
    let gone = b.save(map_of([("k", Value::Int(1))])).unwrap();
    b.delete(&gone).unwrap();
    sync_pair(&a, &b);
    for db in [&a, &b] {
        let changes: Vec<_> = db.all_changes().collect::<Result<_, _>>().unwrap();
        for rid in [&id, &gone] {
            let mut rebuilt = mix_store::crdt::RecordState::new(rid);
            for c in changes.iter().filter(|c| &c.record == rid) {
                rebuilt.apply(c);
            }
            let stored = db.record_state(rid).unwrap().unwrap();
            assert_eq!(stored, rebuilt, "state of {rid}");
            assert_eq!(db.get_any(rid).unwrap().unwrap(), rebuilt.materialise());
        }
        assert!(!db.conflicts(&id).unwrap().is_empty());
    }
    let x = field(&a.get(&id).unwrap().unwrap(), "x").cloned().unwrap();
    assert_eq!(
        x,
        field(&b.get(&id).unwrap().unwrap(), "x").cloned().unwrap()
    );
}

#[test]
fn older_store_formats_are_refused_at_open() {
    use mix_store::engine::memory::MemoryStore;
    use mix_store::engine::{Put, Space, Store};
    let store = MemoryStore::new();
    store
        .write(
            vec![
                Put::set(Space::Meta, b"format".to_vec(), 2u32.to_be_bytes().to_vec()),
                Put::set(
                    Space::Meta,
                    b"replica".to_vec(),
                    7u64.to_be_bytes().to_vec(),
                ),
            ],
            true,
        )
        .unwrap();
    let err = Database::with_store(Box::new(store), Options::default())
        .err()
        .expect("a format 2 store is refused");
    assert!(matches!(err, StoreError::Version(2)), "{err}");
    assert_eq!(err.to_string(), "unsupported store format version 2");
}

#[test]
fn generated_ids_are_short_and_unique_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut ids = std::collections::HashSet::new();
    for _ in 0..2 {
        let db = Database::open_or_create(dir.path(), Options::default()).unwrap();
        let batch = db
            .save_batch((0..2000).map(|i| map_of([("i", Value::Int(i))])).collect())
            .unwrap();
        for id in batch {
            assert!(id.len() <= 24, "{id}");
            assert!(ids.insert(id));
        }
        assert!(ids.insert(db.save(map_of([("one", Value::Bool(true))])).unwrap()));
        db.close().unwrap();
    }
    assert_eq!(ids.len(), 4002);
}

/// `v` wrapped in `n` arrays.
fn nested(n: usize, v: Value) -> Value {
    (0..n).fold(v, |inner, _| Value::Array(vec![inner]))
}

/// A record nested deeper than the stored encodings can be decoded is refused on write, by
/// every way in, and nothing of it is stored; one just within the limit is written and reads
/// back. (Before, a local save stored it and then failed to read it back, and every later
/// read of that record failed.)
#[test]
fn records_too_deep_to_read_back_are_refused() {
    let max = record::MAX_CONTENT_DEPTH;
    let db = mem(1);
    // the content map is one level, the field's value the rest
    let fits = map_of([("v", nested(max - 2, Value::Int(1)))]);
    let id = db.save(fits.clone()).unwrap();
    assert_eq!(
        field(&db.get(&id).unwrap().unwrap(), "v"),
        field(&fits, "v")
    );
    // and another replica accepts it: the limit is the same for changes from a peer
    let peer = mem(3);
    sync_pair(&db, &peer);
    assert_eq!(peer.get(&id).unwrap(), db.get(&id).unwrap());

    let deep = map_of([("v", nested(max - 1, Value::Int(1)))]);
    for (how, result) in [
        ("save", db.save(deep.clone()).map(drop)),
        ("upsert", db.upsert(deep.clone()).map(drop)),
        ("save_batch", db.save_batch(vec![deep.clone()]).map(drop)),
        (
            "nested map",
            db.save(map_of([(
                "a",
                map_of([("b", nested(max - 2, Value::Int(1)))]),
            )]))
            .map(drop),
        ),
        (
            "hostile depth",
            db.save(map_of([("v", nested(5_000, Value::Null))]))
                .map(drop),
        ),
    ] {
        match result {
            Err(StoreError::InvalidRecord(m)) => {
                assert!(
                    m.contains(&format!("nested more than {max} levels")),
                    "{how}: {m}"
                )
            }
            other => panic!("{how}: expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(
        db.record_ids().count(),
        1,
        "nothing of the refused writes is stored"
    );

    // a remote change carrying such a value is refused too, and the store is unchanged
    let src = mem(2);
    src.save(map_of([("v", Value::Int(1))])).unwrap();
    let mut changes: Vec<_> = src.all_changes().map(|c| c.unwrap()).collect();
    let op = changes[0].ops.iter_mut().find(|o| o.path == ["v"]).unwrap();
    op.value = Some(nested(max - 1, Value::Int(1)));
    assert!(matches!(
        db.apply_remote(changes),
        Err(StoreError::InvalidRecord(_))
    ));
    assert_eq!(db.record_ids().count(), 1);
}
