//! `mixc build FILE.mix -o OUT.qc` writes the compiled program as a QCode file, and
//! `mixc disasm FILE.qc|FILE.mix` prints one.

use std::process::ExitCode;

use clap::Args;
use mix_runtime::qcode::{decode::decode, disasm::disassemble, encode::encode};

use crate::compile;
use crate::report::MessageFormat;

#[derive(Args)]
pub struct BuildArgs {
    /// The Mix source to compile
    path: String,
    /// Where to write the QCode (default: the source's name with `.qc`)
    #[arg(short, long)]
    output: Option<String>,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

#[derive(Args)]
pub struct DisasmArgs {
    /// A QCode file (or a Mix source, compiled first)
    path: String,
}

pub fn run(args: BuildArgs) -> ExitCode {
    let Some(module) = compile::source(&args.path, args.message_format) else {
        return ExitCode::from(1);
    };
    let output = args
        .output
        .unwrap_or_else(|| format!("{}.qc", args.path.trim_end_matches(".mix")));
    match std::fs::write(&output, encode(&module)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write {output}: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn disasm(args: DisasmArgs) -> ExitCode {
    let module = if args.path.ends_with(".mix") {
        compile::source(&args.path, MessageFormat::Human)
    } else {
        match std::fs::read(&args.path) {
            Ok(bytes) => match decode(&bytes) {
                Ok(m) => Some(m),
                Err(e) => {
                    eprintln!("error: {} is not a loadable QCode file: {e}", args.path);
                    None
                }
            },
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.path);
                return ExitCode::from(2);
            }
        }
    };
    match module {
        Some(m) => {
            print!("{}", disassemble(&m));
            ExitCode::SUCCESS
        }
        None => ExitCode::from(1),
    }
}
