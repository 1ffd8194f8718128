//! Crash harness: a child process writes to a store (single writes from two threads, small
//! batches from a third, and from a fourth batches large enough to be committed in parts by
//! a helper thread; each id printed only after its write is acknowledged) and is killed with
//! SIGKILL at a random moment. After every kill the store must open cleanly and hold every
//! acknowledged write, and of a large batch cut by the kill a prefix of records is present.
//! The child is this test binary re-executed with `MIX_STORE_CRASH_CHILD` set. Runs: 200 (set
//! `MIX_STORE_CRASH_RUNS` for a longer run).

use mix_store::record;
use mix_store::value::{map_of, Value};
use mix_store::{Database, Options};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "MIX_STORE_CRASH_CHILD";
const RUN_ENV: &str = "MIX_STORE_CRASH_RUN";
const RUNS_PER_STORE: u64 = 10;
/// Records per batch of the fourth writer: at about four engine puts each, three parts
/// (`PART_PUTS` is 16k puts).
const LARGE_BATCH: usize = 10_000;

fn record_for(id: &str) -> Value {
    map_of([
        (record::ID, Value::Ref(id.to_string())),
        ("payload", Value::String(id.repeat(1 + id.len() % 7))),
        ("kind", Value::String("crash".into())),
    ])
}

fn child(dir: &Path, run: u64) -> ! {
    let db = Arc::new(Database::open(dir, Options::default()).expect("child opens the store"));
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let mut hs = Vec::new();
    for t in 0..4u64 {
        let (db, out) = (db.clone(), out.clone());
        hs.push(std::thread::spawn(move || {
            for n in 0u64.. {
                if t >= 2 {
                    let size = if t == 2 { 10 } else { LARGE_BATCH };
                    // zero-padded, so a batch's ids sort in write order
                    let ids: Vec<String> = (0..size)
                        .map(|k| format!("r{run}-t{t}-{n}-{k:05}"))
                        .collect();
                    db.save_batch(ids.iter().map(|id| record_for(id)).collect())
                        .expect("batch write");
                    // a large batch acknowledges its last id only: the parent finds it, and
                    // the prefix check then covers the rest
                    let acked = if t == 2 {
                        &ids[..]
                    } else {
                        &ids[ids.len() - 1..]
                    };
                    let mut o = out.lock().unwrap_or_else(|p| p.into_inner());
                    for id in acked {
                        let _ = writeln!(o, "ACK {id}");
                    }
                    let _ = o.flush();
                } else {
                    let id = format!("r{run}-t{t}-{n}");
                    db.save(record_for(&id)).expect("write");
                    let mut o = out.lock().unwrap_or_else(|p| p.into_inner());
                    let _ = writeln!(o, "ACK {id}");
                    let _ = o.flush();
                }
            }
        }));
    }
    for h in hs {
        let _ = h.join();
    }
    std::process::exit(0)
}

/// Deterministic pseudo-random numbers (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        let run = std::env::var(RUN_ENV)
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        child(Path::new(&dir), run);
    }
    let runs: u64 = std::env::var("MIX_STORE_CRASH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let exe = std::env::current_exe().unwrap();
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut acked: Vec<String> = Vec::new();
    let started = Instant::now();
    let mut zero_ack_runs = 0;
    let mut total_acked = 0;
    let (mut large_whole, mut large_cut) = (0, 0);
    // a fresh store every RUNS_PER_STORE kills keeps each reopen cheap in debug builds
    let mut dir = tempfile::tempdir().unwrap();
    for run in 0..runs {
        if run % RUNS_PER_STORE == 0 {
            dir = tempfile::tempdir().unwrap();
            drop(Database::create(dir.path(), Options::default()).unwrap());
            acked.clear();
        }
        let mut child = Command::new(&exe)
            .args([
                "acknowledged_writes_survive_sigkill",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .env(RUN_ENV, run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first_tx, first_rx) = std::sync::mpsc::channel::<()>();
        let reader = std::thread::spawn(move || {
            // only complete lines count: a line cut by the kill was never acknowledged
            let mut ids = Vec::new();
            for line in BufReader::new(stdout).split(b'\n') {
                match line {
                    Ok(l) => {
                        // the test harness may print its own text before the first ack
                        let l = String::from_utf8_lossy(&l).into_owned();
                        if let Some((_, id)) = l.rsplit_once("ACK ") {
                            ids.push(id.to_string());
                            let _ = first_tx.send(());
                        }
                    }
                    Err(_) => break,
                }
            }
            ids
        });
        // kill at a random point: one run in ten anywhere from the start (often during open),
        // the others at a random moment after the first acknowledged write, one in five of
        // those late enough for large batches to be cut between their parts
        if run % 10 != 0 {
            let _ = first_rx.recv_timeout(Duration::from_secs(20));
        }
        let window = if run % 5 == 2 { 400_000 } else { 30_000 };
        std::thread::sleep(Duration::from_micros(rng.next() % window));
        child.kill().unwrap();
        child.wait().unwrap();
        let mut ids = reader.join().unwrap();
        // the last line may be partial if the kill hit mid-write: keep only well-formed ids
        ids.retain(|id| id.starts_with(&format!("r{run}-t")) && id.split('-').count() >= 3);
        if ids.is_empty() {
            zero_ack_runs += 1;
        }
        let fresh = ids.len();
        total_acked += fresh;
        acked.extend(ids);

        let t_open = Instant::now();
        let db = Database::open(dir.path(), Options::default())
            .unwrap_or_else(|e| panic!("run {run}: store does not open after SIGKILL: {e}"));
        if std::env::var("MIX_STORE_CRASH_TRACE").is_ok() {
            eprintln!(
                "run {run}: open {:?}, {} acked",
                t_open.elapsed(),
                acked.len()
            );
        }
        // this run's writes every time, all writes so far every 20 runs and at the end
        let check_from = if run % RUNS_PER_STORE == RUNS_PER_STORE - 1 || run + 1 == runs {
            0
        } else {
            acked.len() - fresh
        };
        for id in &acked[check_from..] {
            let got = db
                .get(id)
                .unwrap_or_else(|e| panic!("run {run}: reading {id}: {e}"));
            let got = got.unwrap_or_else(|| panic!("run {run}: acknowledged write {id} lost"));
            assert_eq!(
                got.as_map().unwrap()["payload"],
                record_for(id).as_map().unwrap()["payload"]
            );
        }
        let (whole, cut) = assert_large_batches_cut_to_a_prefix(&db, run);
        large_whole += whole;
        large_cut += cut;
        // flush the journal on most runs, so reopen sees both a replayed journal and data files
        if run % 4 != 3 {
            db.checkpoint()
                .unwrap_or_else(|e| panic!("run {run}: checkpoint: {e}"));
        }
        if run % RUNS_PER_STORE == RUNS_PER_STORE - 1 {
            let report = db.verify();
            assert!(
                report.is_clean(),
                "run {run}: verify found damage: {:?}",
                report.damaged
            );
        }
    }
    assert!(
        total_acked as u64 > runs,
        "the children acknowledged too few writes to test anything"
    );
    assert!(
        zero_ack_runs <= runs / 10 + 1,
        "{zero_ack_runs} of {runs} runs were killed before writing"
    );
    eprintln!(
        "crash harness: {runs} kills, {total_acked} acknowledged writes checked, large \
         batches found whole {large_whole} and cut to a prefix {large_cut}, {:?}",
        started.elapsed()
    );
}

/// The parts of a large batch are committed in order, so of a batch cut by the kill the
/// records present are its first ones (ids `r{run}-t3-{n}-{k}`, `k` from 0). Returns how many
/// of this run's large batches are there whole and how many cut.
fn assert_large_batches_cut_to_a_prefix(db: &Database, run: u64) -> (usize, usize) {
    let prefix = format!("r{run}-t3-");
    let mut present: std::collections::BTreeMap<u64, Vec<usize>> = Default::default();
    for id in db.record_ids() {
        let id = id.unwrap_or_else(|e| panic!("run {run}: listing records: {e}"));
        let Some(rest) = id.strip_prefix(&prefix) else {
            continue;
        };
        let (n, k) = rest.split_once('-').expect("batch and position");
        let k: usize = k.parse().expect("position");
        present
            .entry(n.parse().expect("batch"))
            .or_default()
            .push(k);
    }
    let (mut whole, mut cut) = (0, 0);
    for (n, ks) in present {
        // ids are listed in key order, and zero padding makes that position order
        let contiguous = ks.iter().enumerate().all(|(i, &k)| i == k);
        assert!(
            contiguous && ks.len() <= LARGE_BATCH,
            "run {run}: large batch {n} kept {} records that are not its first ones",
            ks.len()
        );
        if ks.len() == LARGE_BATCH {
            whole += 1;
        } else {
            cut += 1;
        }
    }
    (whole, cut)
}
