//! Profiling loops for `perf record` (not part of the report): each runs one workload of the
//! report on its own, long enough to sample, and prints a median.
//!
//! probe load DIR          the query benchmark's store: 100k records, non-durable batches, close
//! probe eq DIR SECS       `name == "userK"` in a loop (warm caches)
//! probe range DIR SECS    `age >= 40 and age < 41 and city == "cityK"` in a loop (warm caches)
//! probe cold DIR          as the report runs them: a fresh open, 300 queries, index-only
//!                         candidates, whole queries and bare gets on a third of the keys each
//! probe batch DIR N       N durable batches of 1,000 new records; wall and CPU per batch
//! probe merge N           merge N remote changes (batches of 10,000) into a durable store
//! probe sizes             keys and bytes per record in each space after a batch of 1,000
//!                         new records (generated ids) and after a merge of 1,000 (short ids)

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mix_store::crdt::ReplicaId;
use mix_store::query::{self, parse_query, QueryOptions};
use mix_store::value::Value;
use mix_store::{Database, Options};
use mix_store_bench::{record, with_id};
use std::path::Path;
use std::time::{Duration, Instant};

/// CPU time of the process so far (all threads, fjall's included), from /proc.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn query_text(kind: &str, key: u64) -> String {
    if kind == "eq" {
        format!("name == \"user{key}\"")
    } else {
        format!("age >= 40 and age < 41 and city == \"city{}\"", key % 500)
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
    let n_records = 100_000u64;
    match arg(1) {
        "load" => {
            let opts = Options { durable: false, ..Options::default() };
            let db = Database::create(Path::new(arg(2)), opts).unwrap();
            for start in (0..n_records).step_by(10_000) {
                db.save_batch((start..start + 10_000).map(|i| with_id(i, 0)).collect()).unwrap();
            }
            db.close().unwrap();
        }
        kind @ ("eq" | "range") => {
            let db = Database::open(Path::new(arg(2)), Options::default()).unwrap();
            let secs: f64 = arg(3).parse().unwrap_or(3.0);
            let t = Instant::now();
            let mut lat = Vec::new();
            let mut n = 0u64;
            while t.elapsed().as_secs_f64() < secs {
                let q = parse_query(&query_text(kind, (n * 7919) % n_records)).unwrap();
                let s = Instant::now();
                query::run(&db, &q, &QueryOptions::default()).unwrap();
                lat.push(s.elapsed());
                n += 1;
            }
            println!("{kind}: {n} queries, median {:?}", median(lat));
        }
        "cold" => {
            let db = Database::open(Path::new(arg(2)), Options::default()).unwrap();
            let opts = QueryOptions::default();
            let (mut plan, mut run, mut get) = (Vec::new(), Vec::new(), Vec::new());
            for k in 0..300u64 {
                let key = (k * 7919) % n_records;
                let q = parse_query(&query_text("eq", key)).unwrap();
                let s = Instant::now();
                match k % 3 {
                    0 => drop(query::plan(&db, &q, &opts).unwrap()),
                    1 => drop(query::run(&db, &q, &opts).unwrap()),
                    _ => drop(db.get(&format!("r{key}")).unwrap()),
                }
                [&mut plan, &mut run, &mut get][(k % 3) as usize].push(s.elapsed());
            }
            println!("cold eq: candidates {:?}, query {:?}, get {:?}", median(plan), median(run), median(get));
        }
        "batch" => {
            let db = Database::create(Path::new(arg(2)), Options::default()).unwrap();
            let n: u64 = arg(3).parse().unwrap_or(50);
            let (c0, t0) = (cpu_secs(), Instant::now());
            let mut lat = Vec::new();
            for b in 0..n {
                let recs: Vec<Value> = (0..1000).map(|i| record(b * 1000 + i)).collect();
                let s = Instant::now();
                db.save_batch(recs).unwrap();
                lat.push(s.elapsed());
            }
            let (cpu, wall) = (cpu_secs() - c0, t0.elapsed());
            println!(
                "batch: median {:?}, wall/batch {:?}, cpu/batch {:.2} ms",
                median(lat),
                wall / n as u32,
                cpu * 1e3 / n as f64
            );
        }
        "merge" => {
            let n: u64 = arg(2).parse().unwrap_or(n_records);
            let opts = Options { durable: false, ..Options::default() };
            let src = Database::memory_with_replica(opts, ReplicaId(1)).unwrap();
            for start in (0..n).step_by(10_000) {
                src.save_batch((start..(start + 10_000).min(n)).map(|i| with_id(i, 0)).collect()).unwrap();
            }
            let changes: Vec<_> = src.all_changes().map(|c| c.unwrap()).collect();
            let dir = tempfile::tempdir().unwrap();
            let dst = Database::create(dir.path(), Options::default()).unwrap();
            let batches: Vec<Vec<_>> = changes.chunks(10_000).map(|c| c.to_vec()).collect();
            let (c0, t0) = (cpu_secs(), Instant::now());
            for batch in batches {
                dst.apply_remote(batch).unwrap();
            }
            println!("merge: wall {:?}, cpu {:.2} s", t0.elapsed(), cpu_secs() - c0);
        }
        "sizes" => {
            let opts = Options { durable: false, ..Options::default() };
            let batch = Database::memory(opts.clone()).unwrap();
            batch.save_batch((0..1000).map(record).collect()).unwrap();
            let src = Database::memory_with_replica(opts.clone(), ReplicaId(1)).unwrap();
            src.save_batch((0..1000).map(|i| with_id(i, 0)).collect()).unwrap();
            let merged = Database::memory(opts).unwrap();
            merged.apply_remote(src.all_changes().map(|c| c.unwrap()).collect()).unwrap();
            for (what, db) in [("batch", &batch), ("merge", &merged)] {
                let (mut keys, mut bytes) = (0usize, 0usize);
                for space in mix_store::engine::Space::ALL {
                    let (mut k, mut b) = (0usize, 0usize);
                    let all = db.engine().scan(space, std::ops::Bound::Unbounded, std::ops::Bound::Unbounded, false);
                    for kv in all {
                        let (key, v) = kv.unwrap();
                        k += 1;
                        b += key.len() + v.len();
                    }
                    keys += k;
                    bytes += b;
                    println!("{what} {:>9}: {:5.2} keys, {:6.1} bytes per record", space.name(), k as f64 / 1000.0, b as f64 / 1000.0);
                }
                println!("{what} total: {:.2} keys, {:.1} bytes per record", keys as f64 / 1000.0, bytes as f64 / 1000.0);
            }
        }
        _ => eprintln!("usage: probe load DIR | eq DIR SECS | range DIR SECS | cold DIR | batch DIR N | merge N | sizes"),
    }
}
