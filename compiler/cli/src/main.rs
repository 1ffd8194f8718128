//! `mixc`: the Mix toolchain's command line. Each subcommand lives in its own module; this file
//! only parses arguments and dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "mixc", version, about = "The Mix toolchain")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}
