//! Corruption: bytes flipped in data files or stored values. `verify` reports the damage,
//! reads of undamaged records keep working, nothing panics.

use mix_store::engine::memory::MemoryStore;
use mix_store::engine::{Put, Space};
use mix_store::record;
use mix_store::value::{map_of, Value};
use mix_store::verify::verify_store;
use mix_store::{Database, Options};
use std::path::PathBuf;

fn rec(i: usize) -> Value {
    map_of([
        (record::ID, Value::Ref(format!("id{i:05}"))),
        ("n", Value::Int(i as i64)),
        (
            "text",
            Value::String(format!("record number {i} ").repeat(8)),
        ),
    ])
}

fn check_readable(db: &Database, n: usize) -> (usize, usize) {
    let (mut ok, mut damaged) = (0, 0);
    for i in 0..n {
        match db.get(&format!("id{i:05}")) {
            Ok(Some(v)) => {
                assert_eq!(
                    v.as_map().unwrap()["n"],
                    Value::Int(i as i64),
                    "a readable record is intact"
                );
                ok += 1;
            }
            Ok(None) | Err(_) => damaged += 1,
        }
    }
    (ok, damaged)
}

#[test]
fn flipped_value_bytes_are_detected_per_record() {
    let db = Database::init(Box::new(MemoryStore::new()), Options::default(), None).unwrap();
    for i in 0..50 {
        db.save(rec(i)).unwrap();
    }
    // damage one stored record state behind the store's back
    let key = b"id00007".to_vec();
    let mut v = db.engine().get(Space::Records, &key).unwrap().unwrap();
    let mid = v.len() / 2;
    v[mid] ^= 0x10;
    db.engine()
        .write(vec![Put::set(Space::Records, key, v)], true)
        .unwrap();
    let err = db.get("id00007").unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    let report = db.verify();
    assert_eq!(report.damaged.len(), 1, "{:?}", report.damaged);
    assert_eq!(report.damaged[0].space, "records");
    assert_eq!(report.damaged[0].key, "id00007");
    assert_eq!(check_readable(&db, 50), (49, 1));
}

fn table_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("keyspaces")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.parent().is_some_and(|q| q.ends_with("tables")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn flipped_bytes_in_data_files_are_reported_and_the_rest_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3000;
    {
        let db = Database::create(dir.path(), Options::default()).unwrap();
        for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
            db.save_batch(chunk.iter().map(|&i| rec(i)).collect())
                .unwrap();
        }
        db.checkpoint().unwrap();
        assert!(db.verify().is_clean());
    }
    let tables = table_files(dir.path());
    assert!(!tables.is_empty(), "no data files written");
    // flip one byte a third of the way into every large data file: inside its data blocks
    // (a table's index and filter blocks sit at its end and are read at open)
    let mut flipped = 0;
    for t in &tables {
        let mut bytes = std::fs::read(t).unwrap();
        if bytes.len() < 64 * 1024 {
            continue;
        }
        let at = bytes.len() / 3;
        bytes[at] ^= 0xff;
        std::fs::write(t, bytes).unwrap();
        flipped += 1;
    }
    assert!(flipped > 0);
    let db = Database::open(dir.path(), Options::default())
        .expect("a store with damaged blocks still opens");
    let report = db.verify();
    assert!(!report.is_clean(), "verify must report the flipped blocks");
    let (ok, damaged) = check_readable(&db, n);
    assert!(damaged > 0, "some records sat in damaged blocks");
    assert!(ok > n / 2, "undamaged records stay readable: {ok} of {n}");
    // writes still work
    db.save(map_of([("after", Value::Bool(true))])).unwrap();
}

#[test]
fn verify_of_a_clean_store_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::create(dir.path(), Options::default()).unwrap();
    for i in 0..100 {
        db.save(rec(i)).unwrap();
    }
    db.delete("id00003").unwrap();
    let r = verify_store(db.engine());
    assert!(r.is_clean(), "{:?}", r.damaged);
    assert!(r.checked > 100);
}

/// A value whose checksum is intact but whose format 3 structure is not (a head with unknown
/// flags, a register entry naming a change or a head value that is not there) is reported by
/// `verify` and refused by the reads and writes that decode it, without a panic; the other
/// records stay readable.
#[test]
fn resealed_values_with_broken_structure_are_reported() {
    use mix_store::wire::{seal, unseal};
    let db = Database::init(Box::new(MemoryStore::new()), Options::default(), None).unwrap();
    for i in 0..20 {
        db.save(rec(i)).unwrap();
    }
    // a superseded head in `revisions`
    db.upsert(map_of([
        (record::ID, Value::Ref("id00003".into())),
        ("n", Value::Int(3)),
        ("more", Value::Bool(true)),
    ]))
    .unwrap();
    let reseal = |space: Space, key: &[u8], edit: &dyn Fn(&mut Vec<u8>)| {
        let v = db.engine().get(space, key).unwrap().unwrap();
        let mut payload = unseal("test", &v).unwrap().to_vec();
        edit(&mut payload);
        db.engine()
            .write(vec![Put::set(space, key.to_vec(), seal(&payload))], true)
            .unwrap();
    };
    // records: seq (1 byte), head length (1 byte), then the head's flags
    reseal(Space::Records, b"id00001", &|p| p[2] = 0xf0);
    // records: the last byte is the superseded count (0); the byte before ends the last
    // register entry, whose value flag follows its change index and op index
    reseal(Space::Records, b"id00002", &|p| {
        let n = p.len();
        p.truncate(n - 1);
        p.extend_from_slice(&[5, 9]);
    });
    let rev = db
        .engine()
        .scan_prefix(Space::Revisions, b"id00003\0")
        .next()
        .unwrap()
        .unwrap()
        .0;
    reseal(Space::Revisions, &rev, &|p| p[1] = 7);
    assert!(db.get("id00001").is_err());
    assert!(db.history("id00003").is_err());
    let report = db.verify();
    let mut damaged: Vec<(&str, String)> = report
        .damaged
        .iter()
        .map(|d| (d.space, d.key.clone()))
        .collect();
    damaged.sort();
    assert_eq!(damaged.len(), 3, "{:?}", report.damaged);
    assert_eq!(damaged[0], ("records", "id00001".to_string()));
    assert_eq!(damaged[1], ("records", "id00002".to_string()));
    assert_eq!(damaged[2].0, "revisions");
    // reads of a head decode no state: id00002 stays readable, but a write to it (which
    // decodes the state) is refused
    assert_eq!(check_readable(&db, 20), (19, 1));
    let write = db.upsert(map_of([
        (record::ID, Value::Ref("id00002".into())),
        ("n", Value::Int(2)),
    ]));
    assert!(write.is_err(), "{write:?}");
}
