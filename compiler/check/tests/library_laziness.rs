//! The standard library is parsed lazily: a program that uses no library module parses none
//! of its files, and one that uses a module parses only what that needs.

use std::sync::{Arc, Mutex};

use mix_check::{check_file, CheckDatabase};

fn library_files_parsed(source: &str) -> usize {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut db = CheckDatabase::with_event_log(log.clone());
    let (workspace, files) = db.load(&[("lazy.mix".to_string(), source.to_string())]);
    let diagnostics = check_file(&db, workspace, files[0]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let events = log.lock().expect("log lock");
    events
        .iter()
        .filter(|e| e.starts_with("library_file"))
        .count()
}

#[test]
fn the_standard_library_is_parsed_only_when_used() {
    assert_eq!(library_files_parsed("def main() = 1 + 2\n"), 0);
    let all = mix_check::stdlib::FILES.len();
    let some = library_files_parsed("def main() = string.length(\"abc\")\n");
    assert!(
        some > 0 && some < all,
        "parsed {some} of {all} library files"
    );
}

#[test]
fn library_module_names_read_without_parsing_match_the_parse() {
    let mut db = CheckDatabase::default();
    let (workspace, _) = db.load(&[]);
    for &file in workspace.files(&db) {
        let scanned = mix_check::files::library_modules(&db, file).to_vec();
        let parsed: Vec<String> = file
            .outline(&db)
            .modules
            .iter()
            .map(|m| m.name.clone())
            .collect();
        assert_eq!(scanned, parsed, "{}", file.path(&db));
    }
}

#[test]
fn every_standard_library_file_checks_without_errors() {
    let mut db = CheckDatabase::default();
    let (workspace, _) = db.load(&[]);
    for &file in workspace.files(&db) {
        let errors: Vec<_> = check_file(&db, workspace, file)
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.path(&db));
    }
}

#[test]
fn a_users_file_under_a_stdlib_folder_is_user_code() {
    // Primitives are the standard library's alone, whatever a user's file is called.
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[(
        "stdlib/mine.mix".to_string(),
        "def f(s) = $string_length(s)\n".to_string(),
    )]);
    assert!(!files[0].is_stdlib(&db));
    let diagnostics = check_file(&db, workspace, files[0]);
    assert!(
        diagnostics.iter().any(|d| d.is_error()),
        "a primitive in a user's file is an error: {diagnostics:?}"
    );
}
