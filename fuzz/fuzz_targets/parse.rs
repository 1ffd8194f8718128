//! Lexer + parser on arbitrary input: must never panic, overflow the stack or hang.
//!
//! Run: `ASAN_OPTIONS=detect_leaks=0 RUSTC_BOOTSTRAP=1 cargo fuzz run parse -- -max_total_time=600 -max_len=4096 -jobs=1`
//! (leak detection off: the parser leaks a tree rejected as too deep on purpose, since dropping
//! it would recurse once per level; see docs/decisions.md)

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mix_fuzz::on_source(data, |source| {
        let parsed = mix_syntax::parse(&source);
        // Every diagnostic must point into the source.
        for d in &parsed.diagnostics {
            assert!(d.span.start <= d.span.end, "inverted span {:?} in {:?}", d.span, d);
            assert!(d.span.end as usize <= source.len() + 1, "span {:?} past the end in {:?}", d.span, d);
        }
        drop(mix_syntax::parse_with(&source, mix_syntax::ParseOptions { allow_primitives: true }));
    });
});
