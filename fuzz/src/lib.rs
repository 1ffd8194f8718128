//! Shared by the fuzz targets: run a check on a thread with a large stack.

/// The parser's passes recurse once per nesting level (up to `mix_syntax::MAX_DEPTH`); mixc runs
/// them on a big-stack thread, and so do the targets, so a stack overflow here is a real finding.
const STACK_SIZE: usize = 256 << 20;

/// Runs `check` on the input when it is UTF-8, on a big-stack thread; a panic there is
/// re-raised so libFuzzer records the input.
pub fn on_source(data: &[u8], check: impl FnOnce(String) + Send + 'static) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let source = source.to_owned();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || check(source))
        .expect("spawn worker");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}
