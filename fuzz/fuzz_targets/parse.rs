//! Lexer + parser on arbitrary input: must never panic, overflow the stack or hang.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run parse -- -max_total_time=600 -max_len=4096 -jobs=1`

#![no_main]

use libfuzzer_sys::fuzz_target;

/// The parser's passes recurse once per nesting level (up to `mix_syntax::MAX_DEPTH`); mixc runs
/// them on a big-stack thread, and so do we, so a stack overflow here is a real finding.
const STACK_SIZE: usize = 256 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let source = source.to_owned();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || {
            let parsed = mix_syntax::parse(&source);
            // Every diagnostic must point into the source.
            for d in &parsed.diagnostics {
                assert!(
                    d.span.start <= d.span.end,
                    "inverted span {:?} in {:?}",
                    d.span,
                    d
                );
                assert!(
                    d.span.end as usize <= source.len() + 1,
                    "span {:?} past the end in {:?}",
                    d.span,
                    d
                );
            }
            let stdlib = mix_syntax::parse_with(
                &source,
                mix_syntax::ParseOptions {
                    allow_primitives: true,
                },
            );
            drop(stdlib);
        });
    if let Err(e) = worker.expect("spawn parse thread").join() {
        std::panic::resume_unwind(e);
    }
});
