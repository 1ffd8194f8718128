//! Mix back ends. `compile` lowers the checked definitions a program reaches into one QCode
//! module (`mix_runtime::qcode::Module`).

pub mod builder;
mod lower;
mod program;
pub mod resolve;

use mix_check::db::{item_index, Db, SourceFile, Workspace};
use mix_diagnostics::Diagnostic;
use mix_runtime::qcode::Module;

pub use lower::codes;
pub use program::Slot;
pub use resolve::DefKey;

/// A code generation error, with the path of the file it is in.
#[derive(Clone, Debug)]
pub struct CompileError {
    pub path: String,
    pub diagnostic: Diagnostic,
}

/// Which definitions to compile (everything they reach comes along).
pub enum Roots<'a> {
    /// Every definition with a body in these files, each exported as `module.name`.
    Files(&'a [SourceFile]),
    /// These definitions only.
    Defs(Vec<DefKey>),
}

/// Compiles the roots and everything they reach. The workspace must have type-checked without
/// errors: lowering relies on the checker's resolution of names and of `+`.
pub fn compile(
    db: &dyn Db,
    workspace: Workspace,
    roots: Roots<'_>,
) -> Result<Module, Vec<CompileError>> {
    let mut prog = program::ProgramBuilder::new(db, workspace);
    let keys = match roots {
        Roots::Defs(keys) => keys,
        Roots::Files(files) => files
            .iter()
            .flat_map(|&file| {
                item_index(db, file)
                    .modules
                    .iter()
                    .flat_map(|m| {
                        m.defs
                            .iter()
                            .filter(|d| d.has_body)
                            .map(|d| DefKey::new(file, &m.name, &d.name))
                    })
                    .collect::<Vec<_>>()
            })
            .collect(),
    };
    let mut errors = Vec::new();
    for key in &keys {
        match prog.slot(key) {
            Ok(slot) => prog.export(key, slot),
            Err(message) => errors.push(CompileError {
                path: key.file.path(db).clone(),
                diagnostic: Diagnostic::error(
                    codes::MISSING_DEFINITION,
                    message,
                    mix_diagnostics::Span::new(0, 0),
                ),
            }),
        }
    }
    while let Some((key, slot)) = prog.next_queued() {
        if let Err(d) = lower::lower_def(&mut prog, &key, slot) {
            let start = prog.def_start(&key);
            let mut d = d;
            d.span = mix_diagnostics::Span::new(d.span.start + start, d.span.end + start);
            for label in &mut d.labels {
                label.span =
                    mix_diagnostics::Span::new(label.span.start + start, label.span.end + start);
            }
            errors.push(CompileError {
                path: key.file.path(db).clone(),
                diagnostic: *d,
            });
        }
    }
    errors.extend(
        prog.errors
            .drain(..)
            .map(|(path, diagnostic)| CompileError { path, diagnostic }),
    );
    if errors.is_empty() {
        Ok(prog.module)
    } else {
        Err(errors)
    }
}
