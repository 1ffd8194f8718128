//! `mixc test [PATHS]`: runs every definition named `test_*` of the given sources (each in a
//! fresh machine, so globals start over), prints one line per test with the failing
//! assertion's position, and ends with `N passed, N failed`.

use std::process::ExitCode;

use clap::Args;
use mix_check::db::item_index;
use mix_codegen::{DefKey, Roots};
use mix_runtime::vm::{Program, Vm};
use mix_runtime::Value;

use crate::compile;
use crate::report::MessageFormat;
use crate::run::LimitArgs;

/// How long one test may run unless `--timeout` says otherwise: a test that never ends
/// fails instead of hanging the suite.
const TEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Args)]
pub struct TestArgs {
    /// Files or directories with tests (default: the current directory)
    paths: Vec<String>,
    /// Run only tests whose name contains this text
    #[arg(long)]
    filter: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Seed for `random`'s pseudo-random functions in every test (default: one fixed seed, so
    /// a test's numbers are the same each run)
    #[arg(long)]
    seed: Option<u64>,
}

pub fn run(args: TestArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let checked = match compile::check(&paths, MessageFormat::Human) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut tests: Vec<DefKey> = Vec::new();
    for &file in &checked.files {
        for module in &item_index(&checked.db, file).modules {
            for def in module.defs.iter().filter(|d| d.has_body) {
                let wanted = args.filter.as_deref().is_none_or(|f| def.name.contains(f));
                if def.name.starts_with("test_") && wanted {
                    tests.push(DefKey::new(file, &module.name, &def.name));
                }
            }
        }
    }
    let Some(module) = compile::build(&checked, Roots::Defs(tests.clone()), MessageFormat::Human)
    else {
        return ExitCode::from(1);
    };
    let program = match Program::new(module) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let (mut passed, mut failed) = (0, 0);
    let limits = args.limits.limits_with_timeout(Some(TEST_TIMEOUT));
    for test in &tests {
        let name = format!("{}.{}", test.module, test.name);
        let mut vm = Vm::new(&program, limits);
        if let Some(seed) = args.seed {
            vm.seed_random(seed);
        }
        let outcome = vm.export(&name).and_then(|v| match &v {
            Value::Func(_) => vm.call_value(&v, &[Value::Null]),
            _ => Ok(v),
        });
        match outcome {
            Ok(_) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED");
                for line in e.message.lines() {
                    println!("    {line}");
                }
                if let Some(frame) = e.trace.first() {
                    println!("    at {}:{}:{}", frame.file, frame.line, frame.column);
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    std::mem::forget(checked);
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
