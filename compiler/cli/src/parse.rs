//! `mixc parse FILE`: prints the AST in its debug form (for tooling and bug reports).

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use mix_syntax::ParseOptions;

use crate::input;
use crate::report::{MessageFormat, Reporter};

#[derive(Args)]
pub struct ParseArgs {
    /// The file to parse (`-` reads standard input)
    path: String,
    /// Parse only; print nothing but diagnostics (for benchmarks)
    #[arg(long)]
    quiet: bool,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Accept `$primitive` names (standard library sources)
    #[arg(long)]
    stdlib: bool,
}

pub fn run(args: ParseArgs) -> ExitCode {
    let inputs = match input::load(std::slice::from_ref(&args.path)) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let mut reporter = Reporter::new(args.message_format);
    for input in &inputs {
        match &input.text {
            Ok(source) => {
                let parsed = mix_syntax::parse_with(
                    source,
                    ParseOptions {
                        allow_primitives: args.stdlib,
                    },
                );
                if !args.quiet {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{:#?}", parsed.file);
                }
                reporter.report(&input.name, source, &parsed.directives, &parsed.diagnostics);
                // Freeing a large tree costs as much as a third of parsing; the process ends soon.
                std::mem::forget(parsed.file);
            }
            Err(invalid) => {
                reporter.invalid(&input.name, invalid);
            }
        }
    }
    if reporter.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
