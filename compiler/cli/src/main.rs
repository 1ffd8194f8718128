//! `mixc`: the Mix toolchain's command line. Each subcommand lives in its own module; this file
//! only parses arguments and dispatches.

mod build;
mod check;
mod compile;
mod db_command;
mod fmt;
mod imports;
mod input;
mod parse;
mod repl;
mod report;
mod run;
mod test_command;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Counts live bytes so `--max-memory` can stop a program that allocates without bound.
#[global_allocator]
static ALLOCATOR: mix_runtime::alloc::CountingAlloc = mix_runtime::alloc::CountingAlloc;

#[derive(Parser)]
#[command(name = "mixc", version, about = "The Mix toolchain")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check Mix sources and report errors
    Check(check::CheckArgs),
    /// Format Mix sources
    Fmt(fmt::FmtArgs),
    /// Print the syntax tree of a Mix source
    Parse(parse::ParseArgs),
    /// Work with a Mix record store
    #[command(subcommand)]
    Db(db_command::DbCommand),
    /// Parse and show Mix query strings
    Query(db_command::QueryArgs),
    /// Compile and run a Mix program (or a built .qc file)
    Run(run::RunArgs),
    /// Compile a Mix program to a QCode file
    Build(build::BuildArgs),
    /// Print the instructions of a QCode file (or of a compiled source)
    Disasm(build::DisasmArgs),
    /// Run the `test_*` definitions of Mix sources
    Test(test_command::TestArgs),
    /// An interactive session: evaluate expressions, add definitions
    Repl(repl::ReplArgs),
}

/// Work runs on a thread with a large stack: syntax trees may nest up to mix_syntax::MAX_DEPTH
/// levels and the passes over them recurse. The memory is reserved, not committed.
const STACK_SIZE: usize = 1 << 30;

/// Runs before `main` and before the Rust runtime's own first allocations, which would
/// otherwise create mimalloc's first arena with the default (eager) commit.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static TUNE_ALLOCATOR: extern "C" fn() = {
    extern "C" fn tune() {
        mix_runtime::alloc::tune();
    }
    tune
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || dispatch(cli));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!(
                "error: internal compiler error (a bug in mixc); please report it with the input"
            );
            ExitCode::from(101)
        }
        Err(e) => {
            eprintln!("error: cannot start the worker thread: {e}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Db(cmd) => db_command::run(cmd),
        Command::Query(args) => db_command::run_query(args),
        Command::Run(args) => run::run(args),
        Command::Build(args) => build::run(args),
        Command::Disasm(args) => build::disasm(args),
        Command::Test(args) => test_command::run(args),
        Command::Repl(args) => repl::run(args),
    }
}
