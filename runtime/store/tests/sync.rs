//! Sync: in process, over a Unix socket pair, the durable outbound queue of an offline
//! replica, and the codec's validation of hostile bytes.

use mix_store::crdt::{Change, ReplicaId};
use mix_store::export;
use mix_store::record;
use mix_store::sync::codec::{Message, MAX_FRAME};
use mix_store::sync::{sync_in_process, sync_stream};
use mix_store::value::{map_of, Value};
use mix_store::{Database, Options};
use proptest::prelude::*;
use std::os::unix::net::UnixStream;
use std::sync::Arc;

fn put(db: &Database, id: &str, k: &str, v: i64) {
    db.upsert(map_of([
        (record::ID, Value::Ref(id.into())),
        (k, Value::Int(v)),
    ]))
    .unwrap();
}

fn heads(db: &Database) -> Vec<Value> {
    db.heads().map(|h| h.unwrap().0).collect()
}

#[test]
fn sync_over_a_unix_socket_pair() {
    let a = Database::memory_with_replica(Options::default(), ReplicaId(1)).unwrap();
    let b = Database::memory_with_replica(Options::default(), ReplicaId(2)).unwrap();
    for i in 0..300 {
        put(&a, &format!("a{i}"), "x", i);
    }
    for i in 0..50 {
        put(&b, &format!("b{i}"), "y", i);
    }
    put(&a, "shared", "x", 1);
    put(&b, "shared", "y", 2);
    let (s1, s2) = UnixStream::pair().unwrap();
    let (r1, w1) = (s1.try_clone().unwrap(), s1);
    let (r2, w2) = (s2.try_clone().unwrap(), s2);
    let (ra, rb) = std::thread::scope(|s| {
        let ha = s.spawn(|| sync_stream(&a, r1, w1));
        let hb = s.spawn(|| sync_stream(&b, r2, w2));
        (ha.join().unwrap().unwrap(), hb.join().unwrap().unwrap())
    });
    assert_eq!((ra.sent, ra.received), (301, 51));
    assert_eq!((rb.sent, rb.received), (51, 301));
    assert_eq!(ra.peer, Some(ReplicaId(2)));
    assert_eq!(heads(&a), heads(&b));
    assert_eq!(a.version_vector(), b.version_vector());
    let shared = a.get("shared").unwrap().unwrap();
    assert_eq!(shared.as_map().unwrap()["x"], Value::Int(1));
    assert_eq!(shared.as_map().unwrap()["y"], Value::Int(2));
    assert_eq!(a.pending_for(ReplicaId(2)).unwrap(), 0);
}

#[test]
fn offline_replica_queues_durably_and_sends_on_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Database::memory_with_replica(Options::default(), ReplicaId(1)).unwrap();
    let replica_id;
    {
        let laptop = Database::create(dir.path(), Options::default()).unwrap();
        replica_id = laptop.replica_id();
        put(&laptop, "r", "x", 1);
        sync_in_process(&laptop, &hub).unwrap();
        // offline: edits pile up in the durable change log
        for i in 0..20 {
            put(&laptop, &format!("offline{i}"), "x", i);
        }
        assert_eq!(laptop.pending_for(ReplicaId(1)).unwrap(), 20);
    } // closed (as if the process ended)
    let laptop = Database::open(dir.path(), Options::default()).unwrap();
    assert_eq!(laptop.replica_id(), replica_id);
    assert_eq!(
        laptop.pending_for(ReplicaId(1)).unwrap(),
        20,
        "the queue survived the restart"
    );
    let (sent, _) = sync_in_process(&laptop, &hub).unwrap();
    assert_eq!(sent, 20);
    assert_eq!(laptop.pending_for(ReplicaId(1)).unwrap(), 0);
    assert!(hub.get("offline19").unwrap().is_some());
}

#[test]
fn skewed_peer_is_rejected_over_the_wire() {
    let now = mix_store::crdt::hlc::system_time_ms();
    let fast = Database::memory_with_replica(
        Options {
            time_source: Some(std::sync::Arc::new(move || now + 10_000)),
            ..Options::default()
        },
        ReplicaId(7),
    )
    .unwrap();
    let local = Database::memory_with_replica(Options::default(), ReplicaId(1)).unwrap();
    put(&fast, "r", "x", 1);
    let (s1, s2) = UnixStream::pair().unwrap();
    let (r1, w1) = (s1.try_clone().unwrap(), s1);
    let (r2, w2) = (s2.try_clone().unwrap(), s2);
    let (rl, _rf) = std::thread::scope(|s| {
        let hl = s.spawn(|| sync_stream(&local, r1, w1));
        let hf = s.spawn(|| sync_stream(&fast, r2, w2));
        (hl.join().unwrap(), hf.join().unwrap())
    });
    let e = rl.unwrap_err().to_string();
    assert!(e.contains("ahead of the local clock"), "{e}");
    assert!(local.get("r").unwrap().is_none());
}

#[test]
fn codec_round_trips_and_rejects_bad_frames() {
    let db = Database::memory_with_replica(Options::default(), ReplicaId(3)).unwrap();
    put(&db, "r", "x", 1);
    db.upsert(map_of([
        (record::ID, Value::Ref("r".into())),
        ("b", Value::Binary(vec![1, 2])),
    ]))
    .unwrap();
    let cs: Vec<Change> = db.all_changes().map(|c| c.unwrap()).collect();
    let msgs = vec![
        Message::Hello {
            replica: ReplicaId(3),
            vv: db.version_vector(),
        },
        Message::Changes(cs),
        Message::Done,
        Message::Ack(db.version_vector()),
        Message::Error("nope".into()),
    ];
    for m in msgs {
        let f = m.encode();
        assert_eq!(Message::decode(&f).unwrap(), m);
        // every single-byte flip is rejected (checksum, magic, version or length)
        for i in 0..f.len() {
            let mut g = f.clone();
            g[i] ^= 0x40;
            assert!(Message::decode(&g).is_err(), "flip at {i} accepted");
        }
        // every truncation is rejected
        for n in 0..f.len() {
            assert!(Message::decode(&f[..n]).is_err());
        }
    }
    // oversized length is rejected before allocating
    let mut huge = b"MXSY\x01\x02".to_vec();
    huge.extend_from_slice(&((MAX_FRAME as u32) + 1).to_be_bytes());
    let e = mix_store::sync::codec::read_message(&mut huge.as_slice()).unwrap_err();
    assert!(e.to_string().contains("cap"), "{e}");
    let mut v2 = Message::Done.encode();
    v2[4] = 2;
    assert!(Message::decode(&v2)
        .unwrap_err()
        .to_string()
        .contains("version"));
}

#[test]
fn export_import_reproduces_the_store() {
    let a = Database::memory_with_replica(Options::default(), ReplicaId(1)).unwrap();
    let b = Database::memory_with_replica(Options::default(), ReplicaId(2)).unwrap();
    put(&a, "r1", "x", 1);
    a.save(map_of([
        ("friend", Value::Ref("r1".into())),
        (
            "c",
            Value::Case("meters".into(), Some(Box::new(Value::Float(1.5)))),
        ),
    ]))
    .unwrap();
    put(&b, "r1", "x", 2); // concurrent: a conflict to preserve
    sync_in_process(&a, &b).unwrap();
    a.delete("r1").unwrap();
    let mut buf = Vec::new();
    let n = export::export(&a, &mut buf).unwrap();
    assert_eq!(n, 4);
    let c = Database::memory_with_replica(Options::default(), ReplicaId(9)).unwrap();
    let rep = export::import(&c, &mut buf.as_slice(), false).unwrap();
    assert_eq!(rep.changes, 4);
    assert_eq!(
        heads(&c),
        heads(&a),
        "ids, refs, revisions and system fields preserved"
    );
    assert_eq!(c.version_vector(), a.version_vector());
    // importing again is a no-op
    assert_eq!(
        export::import(&c, &mut buf.as_slice(), false)
            .unwrap()
            .duplicates,
        4
    );
}

#[test]
fn record_lines_and_legacy_refs() {
    let db = Database::memory(Options::default()).unwrap();
    let lines = concat!(
        r#"{"_rmx_id":{"_rmx_type":"{tag}case:db.ref","_rmx_value":"p1"},"name":"ada","boss":"{ref}p2"}"#,
        "\n",
        r#"{"_rmx_id":{"_rmx_type":"{tag}case:db.ref","_rmx_value":"p2"},"name":"bob"}"#,
        "\n"
    );
    export::import(&db, &mut lines.as_bytes(), false).unwrap();
    let p1 = db.get("p1").unwrap().unwrap();
    assert_eq!(
        p1.as_map().unwrap()["boss"],
        Value::String("{ref}p2".into()),
        "no inference by default"
    );
    export::import(&db, &mut lines.as_bytes(), true).unwrap();
    let p1 = db.get("p1").unwrap().unwrap();
    assert_eq!(p1.as_map().unwrap()["boss"], Value::Ref("p2".into()));
    let mut out = Vec::new();
    export::export_records(&db, &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);
}

proptest! {
    #[test]
    fn codec_never_panics_on_garbage(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Message::decode(&bytes);
        let mut framed = b"MXSY\x01".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = Message::decode(&framed);
        let _ = mix_store::msgpack::decode(&bytes);
        let _ = Change::from_bytes(&bytes);
    }
}

/// The change log holds runs of up to 64 consecutive changes per entry (store format 3):
/// single lookups find changes inside runs, and the changes a peer lacks are exactly those
/// outside its version vector, whether its contiguous counter or its dots fall inside a run.
#[test]
fn change_log_runs_answer_lookups_and_missing_sets_exactly() {
    use mix_store::crdt::{OpId, VersionVector};
    let a = Database::memory_with_replica(Options::default(), ReplicaId(1)).unwrap();
    a.save_batch((0..150).map(|i| map_of([("i", Value::Int(i))])).collect())
        .unwrap();
    for i in 0..3 {
        a.save(map_of([("single", Value::Int(i))])).unwrap();
    }
    let all: Vec<_> = a.all_changes().collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 153);
    assert_eq!(a.stats().unwrap().changes, 153);
    let id = |c| OpId {
        replica: ReplicaId(1),
        counter: c,
    };
    for c in [1, 2, 63, 64, 65, 100, 128, 129, 150, 151, 153] {
        assert_eq!(a.change(id(c)).unwrap().unwrap().id, id(c));
    }
    assert!(a.change(id(154)).unwrap().is_none());
    assert!(a.change(id(0)).unwrap().is_none());
    assert!(a
        .change(OpId {
            replica: ReplicaId(9),
            counter: 1
        })
        .unwrap()
        .is_none());
    for (contiguous, dots) in [
        (0, vec![]),
        (10, vec![]),
        (70, vec![72, 90, 151]),
        (152, vec![]),
    ] {
        let mut remote = VersionVector::new();
        for c in (1..=contiguous).chain(dots.iter().copied()) {
            remote.add(id(c));
        }
        let missing: Vec<u64> = a
            .changes_missing_from(&remote)
            .map(|c| c.unwrap().id.counter)
            .collect();
        let expected: Vec<u64> = (1..=153).filter(|c| !remote.contains(id(*c))).collect();
        assert_eq!(missing, expected, "contiguous {contiguous}, dots {dots:?}");
    }
}

/// Two writers applying the same remote changes at once log each change once: the second
/// finds them in the version vector once it holds the records' locks.
#[test]
fn concurrent_merges_of_the_same_changes_log_each_once() {
    let a = Database::memory_with_replica(Options::default(), ReplicaId(1)).unwrap();
    a.save_batch((0..500).map(|i| map_of([("i", Value::Int(i))])).collect())
        .unwrap();
    let changes: Vec<_> = a.all_changes().collect::<Result<_, _>>().unwrap();
    for _ in 0..5 {
        let b = Arc::new(Database::memory_with_replica(Options::default(), ReplicaId(2)).unwrap());
        std::thread::scope(|s| {
            for k in 0..3 {
                let (b, mut cs) = (b.clone(), changes.clone());
                cs.rotate_left(k * 100);
                s.spawn(move || {
                    for part in cs.chunks(70) {
                        b.apply_remote(part.to_vec()).unwrap();
                    }
                });
            }
        });
        let logged: Vec<_> = b.all_changes().collect::<Result<_, _>>().unwrap();
        assert_eq!(logged.len(), changes.len());
        assert!(logged == changes, "the log holds the changes as sent");
        // counted in the raw entries (readers would skip a change logged twice)
        let raw: usize = b
            .engine()
            .scan(
                mix_store::engine::Space::Changes,
                std::ops::Bound::Unbounded,
                std::ops::Bound::Unbounded,
                false,
            )
            .map(|kv| {
                let (k, v) = kv.unwrap();
                mix_store::keys::decode_change_run(&k, &v).unwrap().len()
            })
            .sum();
        assert_eq!(raw, 500);
        assert!(b.verify().is_clean());
    }
}
