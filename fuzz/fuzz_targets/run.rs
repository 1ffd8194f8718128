//! Check, compile and run arbitrary programs (mutated examples and run cases): a program that
//! checks clean must compile or get a code-generation diagnostic, and running it under a step
//! budget, a deadline and a memory cap must end in a value or a runtime error — never a panic.
//!
//! Run: `ASAN_OPTIONS=detect_leaks=0 RUSTC_BOOTSTRAP=1 cargo fuzz run run corpus/run -- -max_total_time=600 -max_len=4096 -jobs=1`
//! (leak detection off: the parser leaks a tree rejected as too deep on purpose, since dropping
//! it would recurse once per level; see docs/decisions.md)
//! (seed `corpus/run` with `cp ../examples/*.mix ../tests/cases/run/*/*.mix corpus/run/`).

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mix_check::{check_file, CheckDatabase};
use mix_runtime::vm::{Limits, Program, Vm};
use mix_runtime::Value;

/// Counts live bytes so the memory cap below can stop programs that allocate without bound.
#[global_allocator]
static ALLOCATOR: mix_runtime::alloc::CountingAlloc = mix_runtime::alloc::CountingAlloc;

fuzz_target!(|data: &[u8]| {
    mix_fuzz::on_source(data, |source| {
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&[("fuzz.mix".to_string(), source)]);
        if check_file(&db, workspace, files[0])
            .iter()
            .any(|d| d.is_error())
        {
            return;
        }
        let Ok(module) = mix_codegen::compile(&db, workspace, mix_codegen::Roots::Files(&files))
        else {
            return;
        };
        let program = Program::new(module).expect("the compiler's output verifies and binds");
        let limits = Limits {
            fuel: Some(200_000),
            time: Some(Duration::from_millis(500)),
            memory: Some(256 << 20),
        };
        let mut vm = Vm::new(&program, limits);
        vm.set_log_sink(|_| {});
        if let Ok(entry) = vm.export("fuzz.main") {
            if let Value::Func(_) = entry {
                let _ = vm.call_value(&entry, &[Value::Null]);
            }
        }
    });
});
