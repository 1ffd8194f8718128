//! `mixc check FILE…`: reports every syntax error (and, later, type error); exit 1 on errors.

use std::process::ExitCode;

use std::io::Write;

use clap::Args;
use mix_check::{check_file, file_types, CheckDatabase};
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
    /// Also print facts: `types` prints `module.name : type` for every definition
    #[arg(long, value_enum)]
    emit: Option<Emit>,
    /// Check syntax only (skip type checking)
    #[arg(long)]
    syntax_only: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    Types,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let mut reporter = Reporter::new(args.message_format);
    let texts = match input::texts(&args.paths, &mut reporter) {
        Ok(texts) => texts,
        Err(code) => return code,
    };
    let options = ParseOptions {
        allow_primitives: args.stdlib,
    };
    if args.syntax_only || args.stdlib {
        for (name, source) in &texts {
            let parsed = mix_syntax::parse_with(source, options);
            reporter.report(name, source, &parsed.directives, &parsed.diagnostics);
            // Freeing a large tree costs as much as a third of parsing; the process ends soon.
            std::mem::forget(parsed.file);
        }
    } else {
        let mut db = CheckDatabase::default();
        let (workspace, files) = db.load(&texts);
        for (file, (name, source)) in files.iter().zip(&texts) {
            let diagnostics = check_file(&db, workspace, *file);
            let directives = &file.layout(&db).directives;
            reporter.report(name, source, directives, &diagnostics);
            if args.emit == Some(Emit::Types) {
                let mut out = std::io::stdout().lock();
                for (qualified, ty) in file_types(&db, workspace, *file) {
                    let _ = writeln!(out, "{qualified} : {ty}");
                }
            }
        }
        // Tearing down every memoised query costs more than a tenth of a check; the process
        // ends right after this.
        std::mem::forget(db);
    }
    reporter.summary();
    if reporter.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
