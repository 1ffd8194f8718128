//! Helpers shared by the checker's integration tests.

use mix_check::{check_file, CheckDatabase};
use mix_diagnostics::Diagnostic;

/// Every diagnostic the checker reports for `source`, the one file of a workspace.
pub fn diagnostics(source: &str) -> Vec<Diagnostic> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("test.mix".to_string(), source.to_string())]);
    check_file(&db, workspace, files[0])
}

/// The errors the checker reports for `source`.
#[allow(dead_code)] // not every test file uses every helper
pub fn errors(source: &str) -> Vec<Diagnostic> {
    diagnostics(source)
        .into_iter()
        .filter(|d| d.is_error())
        .collect()
}

/// `code message` of each error the checker reports for `source`.
#[allow(dead_code)] // not every test file uses every helper
pub fn error_messages(source: &str) -> Vec<String> {
    errors(source)
        .into_iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

/// The help (empty when none) of each diagnostic with `code` the checker reports for `source`.
#[allow(dead_code)] // not every test file uses every helper
pub fn helps(source: &str, code: &str) -> Vec<String> {
    diagnostics(source)
        .into_iter()
        .filter(|d| d.code == code)
        .map(|d| d.help.unwrap_or_default())
        .collect()
}

/// `message | help` of each diagnostic with `code` the checker reports for `source`.
#[allow(dead_code)] // not every test file uses every helper
pub fn messages_and_helps(source: &str, code: &str) -> Vec<String> {
    diagnostics(source)
        .into_iter()
        .filter(|d| d.code == code)
        .map(|d| format!("{} | {}", d.message, d.help.unwrap_or_default()))
        .collect()
}
