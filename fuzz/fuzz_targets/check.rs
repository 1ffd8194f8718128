//! Parse + type-check on arbitrary input (token soup, mutated examples): must never panic.
//!
//! Run: `ASAN_OPTIONS=detect_leaks=0 RUSTC_BOOTSTRAP=1 cargo fuzz run check -- -max_total_time=600 -max_len=4096 -jobs=1`
//! (leak detection off: the parser leaks a tree rejected as too deep on purpose, since dropping
//! it would recurse once per level; see docs/decisions.md)

#![no_main]

use libfuzzer_sys::fuzz_target;
use mix_check::{check_file, file_types, CheckDatabase};

fuzz_target!(|data: &[u8]| {
    mix_fuzz::on_source(data, |source| {
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&[("fuzz.mix".to_string(), source)]);
        for d in check_file(&db, workspace, files[0]) {
            assert!(d.span.start <= d.span.end, "inverted span {:?}", d);
        }
        let _ = file_types(&db, workspace, files[0]);
    });
});
