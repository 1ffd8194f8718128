//! `mixc check FILE…`: reports every syntax error (and, later, type error); exit 1 on errors.

use std::process::ExitCode;

use clap::Args;
use mix_syntax::ParseOptions;

use crate::input;
use crate::report::{MessageFormat, Reporter};

#[derive(Args)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads standard input)
    #[arg(required = true)]
    paths: Vec<String>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    /// Accept `$primitive` names (standard library sources)
    #[arg(long)]
    stdlib: bool,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let inputs = match input::collect(&args.paths) {
        Ok(inputs) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut reporter = Reporter::new(args.message_format);
    let options = ParseOptions {
        allow_primitives: args.stdlib,
    };
    for input in &inputs {
        match &input.text {
            Ok(source) => {
                let parsed = mix_syntax::parse_with(source, options);
                reporter.report(&input.name, source, &parsed.directives, &parsed.diagnostics);
                // Freeing a large tree costs as much as a third of parsing; the process ends soon.
                std::mem::forget(parsed.file);
            }
            Err(diagnostic) => {
                let lossy = input::lossy_prefix(input);
                reporter.report(&input.name, &lossy, &[], std::slice::from_ref(diagnostic));
            }
        }
    }
    reporter.summary();
    if reporter.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
