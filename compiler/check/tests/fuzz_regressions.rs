//! Inputs the `check` fuzz target found crashing the checker, checked end to end (types too,
//! as `mixc check --emit types` does, even when the file has syntax errors).

use std::path::Path;

use mix_check::{check_file, file_types, CheckDatabase};

fn check_without_crashing(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(name);
    let source = std::fs::read_to_string(&path).expect("regression input is readable");
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut db = CheckDatabase::default();
            let (workspace, files) = db.load(&[("fuzz.mix".to_string(), source)]);
            let diagnostics = check_file(&db, workspace, files[0]);
            let types = file_types(&db, workspace, files[0]);
            (diagnostics.len(), types.len())
        })
        .expect("spawn checker thread");
    let (diagnostics, types) = worker.join().expect("the checker does not panic");
    assert!(diagnostics > 0, "the input has errors to report");
    assert!(types > 0, "definitions still get types");
}

/// A row variable already bound was overwritten, making the substitution cyclic (infinite
/// recursion in `resolve`).
#[test]
fn bound_row_variables_are_unified_not_overwritten() {
    check_without_crashing("resolve-cycle.mix");
}
