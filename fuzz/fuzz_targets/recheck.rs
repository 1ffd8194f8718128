//! Incremental re-checking must agree with checking from scratch: the input is an old and a new
//! text separated by a NUL byte; the old text is loaded, checked and replaced by the new one
//! through `CheckDatabase::set_text` (which may re-parse one item alone), and the diagnostics
//! and types must equal those of a fresh database holding the new text.
//!
//! Seed: `fuzz/seed_recheck.py` (pairs of examples and small edits of them).
//! Run: `ASAN_OPTIONS=detect_leaks=0 RUSTC_BOOTSTRAP=1 cargo fuzz run recheck corpus/recheck -- -max_total_time=600 -max_len=8192 -jobs=1`
//! (leak detection off: the parser leaks a tree rejected as too deep on purpose, since dropping
//! it would recurse once per level; see docs/decisions.md)

#![no_main]

use libfuzzer_sys::fuzz_target;
use mix_check::{check_file, file_types, CheckDatabase};

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (Ok(old), Ok(new)) = (
        std::str::from_utf8(&data[..split]),
        std::str::from_utf8(&data[split + 1..]),
    ) else {
        return;
    };
    let pair = format!("{old}\0{new}");
    mix_fuzz::on_source(pair.as_bytes(), |pair| {
        let (old, new) = pair.split_once('\0').expect("the pair has its separator");
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&[("fuzz.mix".to_string(), old.to_string())]);
        let _ = check_file(&db, workspace, files[0]);
        let update = db.set_text(files[0], new.to_string());
        let incremental = (
            check_file(&db, workspace, files[0]),
            file_types(&db, workspace, files[0]),
        );
        let mut fresh_db = CheckDatabase::default();
        let (fresh_workspace, fresh_files) =
            fresh_db.load(&[("fuzz.mix".to_string(), new.to_string())]);
        let fresh = (
            check_file(&fresh_db, fresh_workspace, fresh_files[0]),
            file_types(&fresh_db, fresh_workspace, fresh_files[0]),
        );
        assert_eq!(incremental, fresh, "after a {update:?} update");
    });
});
