//! `mixc run FILE.mix|FILE.qc`: compiles (or loads) a program, runs its entry definition and
//! prints the result in Mix literal syntax (nothing for `null`). Diagnostics and runtime
//! errors go to stderr; stdout holds only the program's output.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use mix_runtime::qcode::Module;
use mix_runtime::vm::{Limits, Program, Vm};
use mix_runtime::Value;

use crate::compile;
use crate::report::MessageFormat;

#[derive(Args)]
pub struct RunArgs {
    /// A Mix source file, or a QCode file built by `mixc build`
    path: String,
    /// The definition to run
    #[arg(long, default_value = "main")]
    entry: String,
    #[command(flatten)]
    limits: LimitArgs,
    /// How to print compile diagnostics
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// The main database: a store directory on disk (created if missing); without it the
    /// program gets a fresh, empty database in memory
    #[arg(long, value_name = "PATH")]
    db: Option<String>,
    /// Seed for `random`'s pseudo-random functions: the same seed gives the same numbers
    /// (default: a new seed each run)
    #[arg(long)]
    seed: Option<u64>,
    /// Arguments for the program: passed to an entry with one parameter as an array of strings
    #[arg(last = true)]
    args: Vec<String>,
}

/// Resource limits for user code. Steps and time are unbounded unless asked for (a long
/// computation is legitimate); memory is capped at half the machine's by default, so that a
/// program allocating without bound ends with an error instead of pushing the host into its
/// out-of-memory killer.
#[derive(Args, Clone, Copy)]
pub struct LimitArgs {
    /// Step budget: calls, loop iterations and per-element work of the standard library
    #[arg(long)]
    fuel: Option<u64>,
    /// Wall-clock limit in seconds
    #[arg(long)]
    timeout: Option<f64>,
    /// Memory cap in MiB, allocated beyond what the runtime held at the start (default: half
    /// the machine's memory; 0: no cap)
    #[arg(long)]
    max_memory: Option<u64>,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        self.limits_with_timeout(None)
    }

    /// The limits, with `default_timeout` where no `--timeout` is given.
    pub fn limits_with_timeout(&self, default_timeout: Option<Duration>) -> Limits {
        let memory = match self.max_memory {
            Some(0) => None,
            Some(mib) => Some((mib as usize).saturating_mul(1 << 20)),
            None => physical_memory().map(|bytes| bytes / 2),
        };
        Limits {
            fuel: self.fuel,
            time: self
                .timeout
                .filter(|t| t.is_finite() && *t >= 0.0)
                .map(Duration::from_secs_f64)
                .or(default_timeout),
            memory,
        }
    }
}

/// A seed no earlier run is likely to have had: the standard library's hasher keys come
/// from the system's random source, mixed here with the time.
pub fn fresh_seed() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(std::time::SystemTime::now())
}

/// The machine's memory in bytes, where the system says (Linux's `/proc/meminfo`).
fn physical_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

pub fn run(args: RunArgs) -> ExitCode {
    let (module, entry) = match load(&args.path, &args.entry, args.message_format) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let program = match Program::new(module) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut vm = Vm::new(&program, args.limits.limits());
    vm.seed_random(args.seed.unwrap_or_else(fresh_seed));
    if let Some(path) = &args.db {
        match mix_runtime::db::Database::open(path) {
            Ok(db) => vm.set_database(db),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let result = vm.export(&entry).and_then(|value| match &value {
        Value::Func(_) => {
            let arg = if args.args.is_empty() {
                Value::Null
            } else {
                Value::array(args.args.iter().map(|a| Value::str(a.clone())).collect())
            };
            vm.call_value(&value, &[arg])
        }
        _ => Ok(value),
    });
    match result {
        Ok(Value::Null) => ExitCode::SUCCESS,
        Ok(value) => {
            println!("{value}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The module and the qualified name of its entry, from a `.qc` file or a checked source.
fn load(path: &str, entry: &str, format: MessageFormat) -> Result<(Module, String), ExitCode> {
    if path.ends_with(".qc") {
        let bytes = std::fs::read(path).map_err(|e| {
            eprintln!("error: cannot read {path}: {e}");
            ExitCode::from(2)
        })?;
        let module = mix_runtime::qcode::decode::decode(&bytes).map_err(|e| {
            eprintln!("error: {path} is not a loadable QCode file: {e}");
            ExitCode::from(1)
        })?;
        let name = entry_name(&module, entry).ok_or_else(|| missing_entry(path, entry, &module))?;
        return Ok((module, name));
    }
    let Some(module) = compile::source(path, format) else {
        return Err(ExitCode::from(1));
    };
    let qualified = format!("{}.{entry}", compile::default_module(path));
    let name = if module.export(&qualified).is_some() {
        qualified
    } else {
        entry_name(&module, entry).ok_or_else(|| missing_entry(path, entry, &module))?
    };
    Ok((module, name))
}

/// Reports that `path` has no entry `entry`, naming the definitions it has.
fn missing_entry(path: &str, entry: &str, module: &Module) -> ExitCode {
    const SHOWN: usize = 12;
    let names: Vec<&str> = module.exports.iter().map(|e| e.name.as_str()).collect();
    eprintln!("error: {path} has no definition `{entry}` to run");
    if !names.is_empty() {
        let more = names.len().saturating_sub(SHOWN);
        let listed = names[..names.len().min(SHOWN)].join(", ");
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        eprintln!("  it defines: {listed}{tail}; choose one with `--entry NAME`");
    }
    ExitCode::from(1)
}

/// The export named `entry`, qualified or not (when exactly one module has it).
pub fn entry_name(module: &Module, entry: &str) -> Option<String> {
    if module.export(entry).is_some() {
        return Some(entry.to_string());
    }
    let suffix = format!(".{entry}");
    let mut found = module.exports.iter().filter(|e| e.name.ends_with(&suffix));
    let first = found.next()?;
    found.next().is_none().then(|| first.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(timeout: Option<f64>, max_memory: Option<u64>) -> LimitArgs {
        LimitArgs {
            fuel: None,
            timeout,
            max_memory,
        }
    }

    #[test]
    fn memory_is_capped_at_half_the_machine_unless_told_otherwise() {
        let machine = physical_memory().expect("this test runs where /proc/meminfo exists");
        assert_eq!(args(None, None).limits().memory, Some(machine / 2));
        assert_eq!(args(None, Some(64)).limits().memory, Some(64 << 20));
        assert_eq!(args(None, Some(0)).limits().memory, None);
    }

    #[test]
    fn a_default_timeout_applies_only_without_the_flag() {
        let minute = Duration::from_secs(60);
        assert_eq!(args(None, None).limits().time, None);
        assert_eq!(
            args(None, None).limits_with_timeout(Some(minute)).time,
            Some(minute)
        );
        assert_eq!(
            args(Some(2.0), None).limits_with_timeout(Some(minute)).time,
            Some(Duration::from_secs(2))
        );
    }
}
