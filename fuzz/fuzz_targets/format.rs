//! Formatter round trip on arbitrary input: never panics; when it formats, the result is a
//! fixed point. (`format` itself refuses output that would change the tree or lose a
//! comment, so an `Unsafe` refusal is reported as a finding too: it is a formatter bug.)
//! Accepted output is also re-parsed and compared with the input here, independently of the
//! formatter's own proofs (token and item-by-item), so a proof that accepts a changed program
//! is a finding.
//!
//! Run: `ASAN_OPTIONS=detect_leaks=0 RUSTC_BOOTSTRAP=1 cargo fuzz run format -- -max_total_time=600 -max_len=4096 -jobs=1`
//! (leak detection off: the parser leaks a tree rejected as too deep on purpose, since dropping
//! it would recurse once per level; see docs/decisions.md)

#![no_main]

use libfuzzer_sys::fuzz_target;
use mix_syntax::format::{format, FormatError, FormatOptions};
use mix_syntax::{parse, spans};

fuzz_target!(|data: &[u8]| {
    mix_fuzz::on_source(data, |source| {
        for width in [40, 100] {
            let options = FormatOptions { width, ..FormatOptions::default() };
            match format(&source, options) {
                Ok(once) => {
                        let (before, after) = (parse(&source), parse(&once));
                    assert!(!after.has_errors(), "formatted output does not parse");
                    assert!(
                        spans::same_file(&before.file, &after.file),
                        "formatting changed the tree"
                    );
                    assert_eq!(
                        before.trivia.comments.len(),
                        after.trivia.comments.len(),
                        "formatting changed the number of comments"
                    );
                    let twice = format(&once, options).expect("formatted output formats again");
                    assert_eq!(once, twice, "formatting is not idempotent");
                }
                Err(FormatError::Syntax(_)) => {}
                Err(FormatError::Unsafe(why)) => panic!("formatter refused its own output: {why}"),
            }
        }
    });
});
