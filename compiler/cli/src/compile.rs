//! The shared front half of `run`, `build` and `test`: read sources, check them (printing
//! diagnostics), and compile what they reach to a QCode module.

use mix_check::{check_file, CheckDatabase, SourceFile, Workspace};
use mix_codegen::{compile, Roots};
use mix_runtime::qcode::Module;

use crate::input;
use crate::report::{MessageFormat, Reporter};

/// Checked sources, ready to compile.
pub struct Checked {
    pub db: CheckDatabase,
    pub workspace: Workspace,
    pub files: Vec<SourceFile>,
    pub texts: Vec<(String, String)>,
}

/// Loads and checks `paths`; `Err` (after printing the diagnostics) when there are errors.
pub fn check(paths: &[String], format: MessageFormat) -> Result<Checked, std::process::ExitCode> {
    let mut reporter = Reporter::new(format);
    let texts = input::texts(paths, &mut reporter)?;
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&texts);
    for (file, (name, source)) in files.iter().zip(&texts) {
        let diagnostics = check_file(&db, workspace, *file);
        let directives = &file.layout(&db).directives;
        // Interface-only warnings are noise when running a program that does not reach them.
        let shown: Vec<_> = diagnostics
            .into_iter()
            .filter(|d| d.is_error() || d.code != mix_check::codes::INTERFACE_ONLY)
            .collect();
        reporter.report(name, source, directives, &shown);
    }
    if reporter.errors > 0 {
        reporter.summary();
        return Err(std::process::ExitCode::from(1));
    }
    Ok(Checked {
        db,
        workspace,
        files,
        texts,
    })
}

/// Compiles checked sources; errors are printed.
pub fn build(checked: &Checked, roots: Roots<'_>, format: MessageFormat) -> Option<Module> {
    match compile(&checked.db, checked.workspace, roots) {
        Ok(module) => Some(module),
        Err(errors) => {
            let mut reporter = Reporter::new(format);
            for e in errors {
                let source = checked
                    .texts
                    .iter()
                    .find(|(name, _)| *name == e.path)
                    .map(|(_, s)| s.as_str())
                    .unwrap_or("");
                reporter.report(&e.path, source, &[], std::slice::from_ref(&e.diagnostic));
            }
            reporter.summary();
            None
        }
    }
}

/// Checks and compiles one source file and everything it reaches (`run`, `build`,
/// `disasm`); diagnostics are printed, and `None` means there were errors.
pub fn source(path: &str, format: MessageFormat) -> Option<Module> {
    let checked = check(&[path.to_string()], format).ok()?;
    let module = build(&checked, Roots::Files(&checked.files), format);
    // Tearing down the memoised queries costs more than the rest; the process ends soon.
    std::mem::forget(checked);
    module
}

/// The module name of a source file's top level (its file name without `.mix`).
pub fn default_module(path: &str) -> String {
    mix_check::db::module_name_of(path)
}
