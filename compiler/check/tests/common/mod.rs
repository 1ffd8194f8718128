//! Helpers shared by the checker's integration tests.

use mix_check::{check_file, CheckDatabase};

/// `code message` of each error the checker reports for `source`, the one file of a workspace.
pub fn error_messages(source: &str) -> Vec<String> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("test.mix".to_string(), source.to_string())]);
    check_file(&db, workspace, files[0])
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}
