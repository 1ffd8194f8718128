//! `mixc fmt FILE…` rewrites files in place; `--check` only reports files that would change;
//! `mixc fmt -` formats standard input to standard output.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use mix_syntax::format::{format, FormatError, FormatOptions};
use mix_syntax::ParseOptions;

use crate::input;
use crate::report::{MessageFormat, Reporter};

#[derive(Args)]
pub struct FmtArgs {
    /// Files or directories to format (`-` formats standard input to standard output)
    #[arg(required = true)]
    paths: Vec<String>,
    /// Report files that are not formatted instead of rewriting them (exit 1 if any)
    #[arg(long)]
    check: bool,
    /// Maximum line width
    #[arg(long, default_value_t = 100)]
    width: usize,
    /// Accept `$primitive` names (standard library sources)
    #[arg(long)]
    stdlib: bool,
}

pub fn run(args: FmtArgs) -> ExitCode {
    let inputs = match input::load(&args.paths) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let options = FormatOptions {
        width: args.width,
        parse: ParseOptions {
            allow_primitives: args.stdlib,
        },
    };
    let mut reporter = Reporter::new(MessageFormat::Human);
    let mut failed = false;
    let mut unformatted = 0;
    for input in &inputs {
        let source = match &input.text {
            Ok(source) => source,
            Err(invalid) => {
                reporter.invalid(&input.name, invalid);
                failed = true;
                continue;
            }
        };
        let formatted = match format(source, options) {
            Ok(formatted) => formatted,
            Err(FormatError::Syntax(diagnostics)) => {
                let parsed = mix_syntax::parse_with(source, options.parse);
                reporter.report(&input.name, source, &parsed.directives, &diagnostics);
                eprintln!(
                    "error: {} was not formatted: it has syntax errors",
                    input.name
                );
                failed = true;
                continue;
            }
            Err(error @ FormatError::Unsafe(_)) => {
                eprintln!("error: {}: {error}", input.name);
                if std::env::var_os("MIX_FMT_DEBUG").is_some() {
                    eprintln!("{}", mix_syntax::format::format_unchecked(source, options));
                }
                failed = true;
                continue;
            }
        };
        match &input.path {
            None => {
                let _ = std::io::stdout().lock().write_all(formatted.as_bytes());
            }
            Some(path) if formatted != *source => {
                if args.check {
                    println!("{} is not formatted", input.name);
                    unformatted += 1;
                } else if let Err(e) = std::fs::write(path, &formatted) {
                    eprintln!("error: cannot write {}: {e}", input.name);
                    failed = true;
                }
            }
            Some(_) => {}
        }
    }
    if failed {
        ExitCode::from(1)
    } else if unformatted > 0 {
        eprintln!("{unformatted} file(s) would be reformatted");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
