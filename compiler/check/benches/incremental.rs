//! Incremental re-check after a one-line edit inside one function body of the generated
//! 100,000-line program (`bench/gen_program.py`), through the salsa database API.
//!
//! Run: `cargo bench -p mix-check --bench incremental` (generates bench/out/big.mix if missing).

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use mix_check::{check_file, CheckDatabase, SourceFile, Workspace};

fn program() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("bench/out/big.mix");
    if !path.exists() {
        let status = Command::new("python3")
            .arg(root.join("bench/gen_program.py"))
            .current_dir(&root)
            .status()
            .expect("python3 runs bench/gen_program.py");
        assert!(status.success(), "bench/gen_program.py failed");
    }
    std::fs::read_to_string(&path).expect("bench/out/big.mix is readable")
}

/// A database holding `source` as `big.mix`, checked once (so that only re-checks are timed).
fn checked(source: &str) -> (CheckDatabase, Workspace, SourceFile) {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("big.mix".to_string(), source.to_string())]);
    let initial = check_file(&db, workspace, files[0]);
    assert!(
        initial.iter().all(|d| !d.is_error()),
        "the generated program checks cleanly"
    );
    (db, workspace, files[0])
}

fn incremental(c: &mut Criterion) {
    let source = program();
    let (mut db, workspace, file) = checked(&source);

    // One body in the middle of the file, edited back and forth: a one-line change inside one
    // function that keeps its type.
    let anchor = source.len() / 2;
    let at = anchor
        + source[anchor..]
            .find(" + 1")
            .expect("the program has `+ 1` in a body");
    let variants = [
        source.clone(),
        format!("{} + 2{}", &source[..at], &source[at + 4..]),
    ];
    let mut turn = 0;
    c.bench_function("recheck after a one-line body edit (100k lines)", |b| {
        b.iter(|| {
            turn = 1 - turn;
            db.set_text(file, variants[turn].clone());
            check_file(&db, workspace, file)
        })
    });
}

/// The first edit of each body lowers that item's durability, which makes salsa re-verify the
/// whole program once and re-run the groups that use it: measured by editing, on every
/// iteration, a body never edited before (each `+ 1` of the second half is in a different
/// definition). When they run out, a fresh database starts over; only the edit and the
/// re-check are timed.
fn first_edit(c: &mut Criterion) {
    let source = program();
    let sites: Vec<usize> = source
        .match_indices(" + 1")
        .map(|(at, _)| at)
        .filter(|&at| at > source.len() / 2)
        .collect();
    let (mut db, mut workspace, mut file) = checked(&source);
    // The edits accumulate, so that each new text differs from the last in one place.
    let mut text = source.clone().into_bytes();
    let mut next = 0;
    c.bench_function("recheck after the first edit of a body (100k lines)", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                if next == sites.len() {
                    (db, workspace, file) = checked(&source);
                    text = source.clone().into_bytes();
                    next = 0;
                }
                text[sites[next] + 3] = b'2';
                next += 1;
                let edited = String::from_utf8(text.clone()).expect("an ASCII edit keeps UTF-8");
                let start = Instant::now();
                db.set_text(file, edited);
                black_box(check_file(&db, workspace, file));
                timed += start.elapsed();
            }
            timed
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = incremental, first_edit
}
criterion_main!(benches);
