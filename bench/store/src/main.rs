//! mix-store vs SQLite (WAL, synchronous=FULL, indexes on the queried fields), same machine,
//! same records. Prints a markdown report; `run.sh` writes it to RESULTS.md.
//!
//! Usage: mix-store-bench [--scale F]   (F < 1 shrinks every workload, for a quick check)

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mix_store::crdt::ReplicaId;
use mix_store::query::{self, parse_query, QueryOptions};
use mix_store::value::Value;
use mix_store::{Database, Options};
use mix_store_bench::{record, with_id};
use rusqlite::{params, Connection};
use std::path::Path;
use std::time::{Duration, Instant};

fn sqlite_open(path: &Path) -> Connection {
    let c = Connection::open(path).expect("sqlite open");
    c.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
         CREATE TABLE IF NOT EXISTS records(id TEXT PRIMARY KEY, entity TEXT, name TEXT, age INTEGER,
            city TEXT, score REAL, tags TEXT, rev INTEGER);
         CREATE INDEX IF NOT EXISTS by_entity ON records(entity);
         CREATE INDEX IF NOT EXISTS by_name ON records(name);
         CREATE INDEX IF NOT EXISTS by_age ON records(age);
         CREATE INDEX IF NOT EXISTS by_city ON records(city);",
    )
    .expect("sqlite schema");
    c
}

/// One row's values, built like the store's records (the batches build both before the clock).
struct Row {
    id: String,
    entity: &'static str,
    name: String,
    age: i64,
    city: String,
    score: f64,
    tags: String,
    rev: i64,
}

/// A row as `SELECT *` gives it back: id, entity, name, age, city, score, tags, rev.
type SelectedRow = (String, String, String, i64, String, f64, String, i64);

fn sqlite_row(i: u64, rev: u64) -> Row {
    Row {
        id: format!("r{i}"),
        entity: if i % 10 == 0 { "company" } else { "person" },
        name: format!("user{i}"),
        age: (i % 90) as i64,
        city: format!("city{}", i % 500),
        score: (i % 1000) as f64 / 10.0,
        tags: format!("[\"t{}\",\"t{}\"]", i % 7, i % 11),
        rev: rev as i64,
    }
}

fn sqlite_insert_row(c: &Connection, r: &Row) {
    // a prepared statement, reused: what an application inserting in a loop would do
    let mut st = c
        .prepare_cached("INSERT OR REPLACE INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .expect("sqlite prepare");
    st.execute(params![
        r.id, r.entity, r.name, r.age, r.city, r.score, r.tags, r.rev
    ])
    .expect("sqlite insert");
}

fn sqlite_insert(c: &Connection, i: u64, rev: u64) {
    sqlite_insert_row(c, &sqlite_row(i, rev));
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn fast_opts() -> Options {
    Options {
        durable: false,
        ..Options::default()
    }
}

struct Report {
    rows: Vec<String>,
}

impl Report {
    fn row(&mut self, what: &str, mix: String, sqlite: String, ratio: String, target: &str) {
        let line = format!("| {what} | {mix} | {sqlite} | {ratio} | {target} |");
        println!("{line}");
        self.rows.push(line);
    }
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Durable single inserts, one writer and four, median throughput of `reps` runs each.
fn bench_single_inserts(rep: &mut Report, n: u64, reps: u64) {
    let threads = 4;
    let (mut mix1, mut sq1, mut mix4, mut sq4) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in 0..reps {
        let dir = tempfile::tempdir().unwrap();
        let db = std::sync::Arc::new(
            Database::create(&dir.path().join("mix"), Options::default()).unwrap(),
        );
        let path = dir.path().join("sqlite.db");
        let c = sqlite_open(&path);
        let base = r * 10 * n;
        let t = Instant::now();
        for i in 0..n {
            db.save(record(base + i)).unwrap();
        }
        mix1.push(per_sec(n, t.elapsed()));
        let t = Instant::now();
        for i in 0..n {
            sqlite_insert(&c, base + i, 0);
        }
        sq1.push(per_sec(n, t.elapsed()));
        // concurrent writers: group commit shares fsyncs
        let t = Instant::now();
        std::thread::scope(|s| {
            for k in 0..threads {
                let db = db.clone();
                s.spawn(move || {
                    for i in 0..n / threads {
                        db.save(record(base + (k + 1) * n + i)).unwrap();
                    }
                });
            }
        });
        mix4.push(per_sec(n, t.elapsed()));
        let t = Instant::now();
        std::thread::scope(|s| {
            for k in 0..threads {
                let path = path.clone();
                s.spawn(move || {
                    let c = sqlite_open(&path);
                    c.busy_timeout(Duration::from_secs(60)).unwrap();
                    for i in 0..n / threads {
                        sqlite_insert(&c, base + (k + 1) * n + i, 0);
                    }
                });
            }
        });
        sq4.push(per_sec(n, t.elapsed()));
    }
    let med = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (m1, s1, m4, s4) = (med(mix1), med(sq1), med(mix4), med(sq4));
    rep.row(
        &format!("durable single inserts ({n} per run, one writer, median of {reps})"),
        format!("{m1:.0}/s"),
        format!("{s1:.0}/s"),
        format!("{:.2}×", m1 / s1),
        "≥ 1×",
    );
    rep.row(
        &format!("durable single inserts ({n} per run, {threads} writers, median of {reps})"),
        format!("{m4:.0}/s"),
        format!("{s4:.0}/s"),
        format!("{:.2}×", m4 / s4),
        "≥ 1×",
    );
}

fn bench_batches(rep: &mut Report, batches: u64) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::create(&dir.path().join("mix"), Options::default()).unwrap();
    let mut times = Vec::new();
    for b in 0..batches {
        let recs: Vec<Value> = (0..1000).map(|i| record(b * 1000 + i)).collect();
        let t = Instant::now();
        db.save_batch(recs).unwrap();
        times.push(t.elapsed());
    }
    let mix = median(times);
    let mut c = sqlite_open(&dir.path().join("sqlite.db"));
    let mut times = Vec::new();
    for b in 0..batches {
        let rows: Vec<Row> = (0..1000).map(|i| sqlite_row(b * 1000 + i, 0)).collect();
        let t = Instant::now();
        let tx = c.transaction().unwrap();
        for row in &rows {
            sqlite_insert_row(&tx, row);
        }
        tx.commit().unwrap();
        times.push(t.elapsed());
    }
    let sq = median(times);
    rep.row(
        &format!("durable batches of 1,000 ({batches} batches, median)"),
        format!(
            "{:.0} rec/s ({:.1} ms/batch)",
            1000.0 / mix.as_secs_f64(),
            mix.as_secs_f64() * 1e3
        ),
        format!(
            "{:.0} rec/s ({:.1} ms/batch)",
            1000.0 / sq.as_secs_f64(),
            sq.as_secs_f64() * 1e3
        ),
        format!("{:.2}×", sq.as_secs_f64() / mix.as_secs_f64()),
        "≥ 1×",
    );
}

/// Load `n` records with `revs` revisions each (non-durable bulk load, then one sync and a
/// clean close), and reopen it.
fn load(dir: &Path, n: u64, revs: u64) -> Database {
    let db = Database::create(dir, fast_opts()).unwrap();
    for rev in 0..revs {
        let mut i = 0;
        while i < n {
            let end = (i + 10_000).min(n);
            db.save_batch((i..end).map(|k| with_id(k, rev)).collect())
                .unwrap();
            i = end;
        }
    }
    db.close().unwrap();
    Database::open(dir, Options::default()).unwrap()
}

fn sqlite_load(path: &Path, n: u64, revs: u64) -> Connection {
    let mut c = sqlite_open(path);
    for rev in 0..revs {
        let tx = c.transaction().unwrap();
        for i in 0..n {
            sqlite_insert(&tx, i, rev);
        }
        tx.commit().unwrap();
    }
    c
}

fn bench_queries(rep: &mut Report, n: u64) {
    let dir = tempfile::tempdir().unwrap();
    let db = load(&dir.path().join("mix"), n, 1);
    // Both engines answer from a fresh open of what they loaded: `load` closes and reopens
    // the store, so SQLite's connection is reopened too (its page cache starts empty, as the
    // store's block cache does; both read through the same OS page cache). Until the eighth
    // session SQLite kept the connection it loaded with, its page cache warm.
    drop(sqlite_load(&dir.path().join("sqlite.db"), n, 1));
    let c = sqlite_open(&dir.path().join("sqlite.db"));
    let cases = [
        ("equality: name == \"userK\" (1 row)", "name"),
        (
            "range + equality: age >= 40 and age < 41 and city == \"cityK\" (≈2 rows)",
            "range",
        ),
    ];
    for (label, kind) in cases {
        // The first pass meets each key's blocks or pages for the first time since the open;
        // the second asks the same 300 queries again, with both caches holding them.
        for pass in ["first read after open", "same queries again, cached"] {
            let mut mix_t = Vec::new();
            let mut sq_t = Vec::new();
            let mut rows_mix = 0;
            let mut rows_sq = 0;
            for k in 0..300u64 {
                let key = (k * 7919) % n;
                let (qs, sql, arg) = if kind == "name" {
                    (
                        format!("name == \"user{key}\""),
                        "SELECT * FROM records WHERE name = ?1",
                        format!("user{key}"),
                    )
                } else {
                    (
                        format!("age >= 40 and age < 41 and city == \"city{}\"", key % 500),
                        "SELECT * FROM records WHERE age >= 40 AND age < 41 AND city = ?1",
                        format!("city{}", key % 500),
                    )
                };
                // parsed before the clock starts, as SQLite's statement is prepared (and cached)
                let q = parse_query(&qs).unwrap();
                let t = Instant::now();
                let rows = query::run(&db, &q, &QueryOptions::default()).unwrap();
                mix_t.push(t.elapsed());
                rows_mix += rows.len();
                let t = Instant::now();
                let mut st = c.prepare_cached(sql).unwrap();
                // Every column, as the store returns every field of a matching record (until
                // the eighth session this read only `id` and `name`).
                let got: Vec<SelectedRow> = st
                    .query_map(params![arg], |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                        ))
                    })
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                sq_t.push(t.elapsed());
                rows_sq += got.len();
            }
            assert_eq!(rows_mix, rows_sq, "both engines return the same rows");
            let (m, s) = (median(mix_t), median(sq_t));
            rep.row(
                &format!("{label}, {n} records, {pass}, median of 300"),
                format!("{:.1} µs", m.as_secs_f64() * 1e6),
                format!("{:.1} µs", s.as_secs_f64() * 1e6),
                format!(
                    "{:.2}× (latency, lower is better)",
                    m.as_secs_f64() / s.as_secs_f64()
                ),
                "≤ 1×",
            );
        }
    }
}

fn open_median(path: &Path) -> Duration {
    let mut ts = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let db = Database::open(path, Options::default()).unwrap();
        ts.push(t.elapsed());
        db.close().unwrap();
    }
    median(ts)
}

fn sqlite_open_median(path: &Path) -> Duration {
    let mut ts = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let c = Connection::open(path).unwrap();
        // SQLite reads its schema lazily: count that in
        let n: i64 = c
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert!(n > 0);
        ts.push(t.elapsed());
    }
    median(ts)
}

fn bench_open(rep: &mut Report, small: u64, large: u64, revs: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut figures = Vec::new();
    for n in [small, large] {
        let p = dir.path().join(format!("mix{n}"));
        let t = Instant::now();
        load(&p, n, revs).close().unwrap();
        let load_t = t.elapsed();
        let sp = dir.path().join(format!("sqlite{n}.db"));
        drop(sqlite_load(&sp, n, revs));
        let (m, s) = (open_median(&p), sqlite_open_median(&sp));
        eprintln!("loaded {n}×{revs} in {load_t:?}");
        rep.row(
            &format!("open, {n} records × {revs} revisions (median of 7)"),
            format!("{:.2} ms", m.as_secs_f64() * 1e3),
            format!("{:.2} ms", s.as_secs_f64() * 1e3),
            format!("{:.2}×", m.as_secs_f64() / s.as_secs_f64()),
            "≤ 50 ms",
        );
        figures.push(m);
    }
    rep.row(
        &format!("open time growth {large} vs {small} records"),
        format!(
            "{:.2}×",
            figures[1].as_secs_f64() / figures[0].as_secs_f64()
        ),
        "—".into(),
        "—".into(),
        "≤ 2×",
    );
}

fn bench_merge(rep: &mut Report, n: u64) {
    let a = Database::memory_with_replica(fast_opts(), ReplicaId(1)).unwrap();
    let mut i = 0;
    while i < n {
        let end = (i + 10_000).min(n);
        a.save_batch((i..end).map(|k| with_id(k, 0)).collect())
            .unwrap();
        i = end;
    }
    let changes: Vec<_> = a.all_changes().map(|c| c.unwrap()).collect();
    assert_eq!(changes.len() as u64, n);
    let dir = tempfile::tempdir().unwrap();
    let b = Database::create(dir.path(), Options::default()).unwrap();
    // the batches arrive as decoded messages: build them before the clock starts
    let batches: Vec<Vec<_>> = changes.chunks(10_000).map(|c| c.to_vec()).collect();
    let t = Instant::now();
    for batch in batches {
        b.apply_remote(batch).unwrap();
    }
    let d = t.elapsed();
    assert_eq!(b.version_vector(), a.version_vector());
    rep.row(
        &format!("merge {n} remote operations into a durable store"),
        format!(
            "{:.0} ms ({:.0} ops/s)",
            d.as_secs_f64() * 1e3,
            per_sec(n, d)
        ),
        "—".into(),
        "—".into(),
        "≤ 1 s",
    );
}

fn main() {
    let mut scale = 1.0f64;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--scale") {
        scale = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(1.0);
    }
    let only: Option<&str> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.as_str());
    let s = |n: f64| ((n * scale) as u64).max(10);
    let mut rep = Report { rows: Vec::new() };
    println!("| benchmark | mix-store | SQLite (WAL, synchronous=FULL) | ratio | target |");
    println!("|---|---|---|---|---|");
    let run = |name: &str| only.is_none_or(|o| o.split(',').any(|x| x == name));
    if run("single") {
        bench_single_inserts(&mut rep, s(2000.0), 3);
    }
    if run("batch") {
        bench_batches(&mut rep, s(20.0));
    }
    if run("query") {
        bench_queries(&mut rep, s(100_000.0));
    }
    if run("merge") {
        bench_merge(&mut rep, s(100_000.0));
    }
    if run("open") {
        bench_open(&mut rep, s(100_000.0), s(1_000_000.0), 2);
    }
}
