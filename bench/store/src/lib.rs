//! The records both engines store, shared by the report (`main.rs`) and the profiling loops
//! (`bin/probe.rs`).

use mix_store::record;
use mix_store::value::{map_of, Value};

/// Record `i`: `{entity, name, age, city, score, tags[2]}` (the same fields SQLite's rows hold).
pub fn record(i: u64) -> Value {
    map_of([
        (
            "entity",
            Value::String(if i % 10 == 0 { "company" } else { "person" }.into()),
        ),
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

pub fn with_id(i: u64, rev: u64) -> Value {
    let Value::Map(mut m) = record(i) else {
        unreachable!()
    };
    m.insert(record::ID.into(), Value::Ref(format!("r{i}")));
    m.insert("rev".into(), Value::Int(rev as i64));
    Value::Map(m)
}
