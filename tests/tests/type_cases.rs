//! Data-driven type tests: every `tests/cases/types/**/*.mix` is checked against the embedded
//! standard library; its diagnostics and inferred types must match the file's expectations
//! (see `mix_tests` for the comment syntax). Adding a case file is adding a test.

use std::path::Path;

use mix_check::{check_file, file_types, CheckDatabase};
use mix_diagnostics::{LineMap, Severity};
use mix_tests::{case_files, expectations, Expected};

fn check_case(path: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(path).expect("case file is readable");
    let expected = expectations(&source);
    let mut db = CheckDatabase::default();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("case.mix")
        .to_string();
    let (workspace, files) = db.load(&[(name.clone(), source.clone())]);
    let file = files[0];
    let lines = LineMap::new(&source, &[]);
    let mut found: Vec<Expected> = check_file(&db, workspace, file)
        .iter()
        .map(|d| Expected {
            line: lines.physical_location(&source, d.span.start).0,
            severity: if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            },
            code: d.code.to_string(),
        })
        .collect();
    found.sort();
    let mut problems = expected.problems.clone();
    if found != expected.diagnostics {
        problems.push(format!(
            "diagnostics: expected {:?}\n                found    {:?}",
            expected.diagnostics, found
        ));
    }
    let module = mix_check::db::module_name_of(&name);
    let types = file_types(&db, workspace, file);
    for (def, ty) in &expected.types {
        // `// type: M.x : T` names a definition of module block `M`.
        let qualified = if def.contains('.') {
            def.clone()
        } else {
            format!("{module}.{def}")
        };
        match types.iter().find(|(n, _)| *n == qualified) {
            Some((_, actual)) if actual == ty => {}
            Some((_, actual)) => {
                problems.push(format!("type of {def}: expected `{ty}`, found `{actual}`"))
            }
            None => problems.push(format!("type of {def}: no such definition")),
        }
    }
    problems
}

#[test]
fn type_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join("types");
    let files = case_files(&dir);
    assert!(
        files.len() >= 8,
        "expected the type case files, found {}",
        files.len()
    );
    let mut report = String::new();
    for file in &files {
        let path = file.clone();
        let problems = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || check_case(&path))
            .expect("spawn checker thread")
            .join()
            .unwrap_or_else(|_| vec!["the checker panicked".to_string()]);
        for problem in problems {
            report.push_str(&format!("{}: {problem}\n", file.display()));
        }
    }
    assert!(report.is_empty(), "\n{report}");
}
