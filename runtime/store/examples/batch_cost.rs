//! Diagnostic: the cost of a 1,000-record batch with and without the sync, and journal bytes.
use mix_store::value::{map_of, Value};
use mix_store::{Database, Options};
use std::time::Instant;

fn rec(i: u64) -> Value {
    map_of([
        ("entity", Value::String("person".into())),
        ("name", Value::String(format!("user{i}"))),
        ("age", Value::Int((i % 90) as i64)),
        ("city", Value::String(format!("city{}", i % 500))),
        ("score", Value::Float((i % 1000) as f64 / 10.0)),
        (
            "tags",
            Value::Array(vec![
                Value::String(format!("t{}", i % 7)),
                Value::String(format!("t{}", i % 11)),
            ]),
        ),
    ])
}

fn dir_bytes(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        dir_bytes(&e.path())
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    for durable in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(
            dir.path(),
            Options {
                durable,
                ..Options::default()
            },
        )
        .unwrap();
        let before = dir_bytes(dir.path());
        let t = Instant::now();
        for b in 0..10 {
            db.save_batch((0..1000).map(|i| rec(b * 1000 + i)).collect())
                .unwrap();
        }
        let el = t.elapsed() / 10;
        let mem = Database::memory(Options::default()).unwrap();
        let t = Instant::now();
        for b in 0..10 {
            mem.save_batch((0..1000).map(|i| rec(b * 1000 + i)).collect())
                .unwrap();
        }
        println!(
            "durable={durable}: {el:?} per batch, memory engine {:?} per batch, {} bytes/record on disk",
            t.elapsed() / 10,
            (dir_bytes(dir.path()) - before) / 10_000
        );
    }
}
