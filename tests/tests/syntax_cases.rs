//! Data-driven syntax tests: every `tests/cases/syntax/**/*.mix` file is parsed with
//! `mix_syntax::parse`, and its diagnostics must match the expectations written in the file.
//! Adding a case file is adding a test.
//!
//! # Expectation comments
//!
//! - A file without expectation comments must parse with no diagnostic at all.
//! - `// error[E0100]` expects one error with code `E0100` whose primary span starts on the
//!   line of the comment (1-based physical line: `#line` directives are ignored here).
//! - `// error[E0100]@+1` (or `@-1`, `@+2`, …) expects it on the line that many lines below
//!   (above). Use it where a comment on the line itself would change the lexing: after an
//!   unterminated string or block comment, or on a directive line.
//! - Several expectations may share one comment: `// error[E0003] error[E0003]`. Expectations
//!   are a multiset: two diagnostics of one code on one line need two expectations, so a
//!   cascade (one mistake, two diagnostics) is a failure.
//! - `warning[W0001]` works the same way for warnings.
//! - `// expect-items: a b c` asserts that the AST has items (definitions, types, cases,
//!   cells, modules, …, at any module depth) with these names: the parser recovered and kept
//!   the definitions after the errors.
//!
//! Expectation comments are recognised only as `//` followed by spaces and `error[`,
//! `warning[` or `expect-items:`, so prose in a case file must not start a comment that way.
//!
//! Every mismatch of every file is collected and reported together, with the file name.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mix_diagnostics::{LineMap, Severity};
use mix_syntax::ast::{Item, ItemKind};
use mix_tests::{expectations, Expected};

/// The parser's later passes recurse once per nesting level: give them room.
const STACK_SIZE: usize = 256 << 20;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join("syntax")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "mix") {
            out.push(path);
        }
    }
}

/// Names of every named item, at any module depth.
fn item_names(items: &[Item], out: &mut Vec<String>) {
    for item in items {
        let name = match &item.kind {
            ItemKind::Module(m) => {
                item_names(&m.items, out);
                Some(&m.name)
            }
            ItemKind::ModuleInstance { name, .. } => Some(name),
            ItemKind::Import(i) => i.alias.as_ref().or(i.path.last()),
            ItemKind::Declare { name, .. } => Some(name),
            ItemKind::Def(d) => Some(&d.name),
            ItemKind::Type(t) => Some(&t.name),
            ItemKind::Case(c) => Some(&c.name),
            ItemKind::Foreign(f) => Some(&f.name),
            ItemKind::Cell(c) => Some(&c.name),
            ItemKind::Alias { name, .. } => Some(name),
            ItemKind::Pragma(_)
            | ItemKind::Source(_)
            | ItemKind::Initializer(_)
            | ItemKind::On(_)
            | ItemKind::Error => None,
        };
        out.extend(name.map(|n| n.name.to_string()));
    }
}

/// Checks one case file; returns its mismatches (empty when it passes).
fn check_file(path: &Path) -> Vec<String> {
    let source = match std::fs::read_to_string(path) {
        Ok(source) => source,
        Err(e) => return vec![format!("cannot read as UTF-8: {e}")],
    };
    let expected = expectations(&source);
    let mut problems = expected.problems.clone();

    let parsed = mix_syntax::parse(&source);
    let lines = LineMap::new(&source, &parsed.directives);
    let mut actual: Vec<(Expected, String)> = parsed
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = lines.physical_location(&source, d.span.start);
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            (
                Expected {
                    line,
                    severity,
                    code: d.code.to_string(),
                },
                format!("{line}:{column}: {}", d.message),
            )
        })
        .collect();
    actual.sort();

    // Multiset difference both ways.
    let mut wanted: BTreeMap<Expected, usize> = BTreeMap::new();
    for e in &expected.diagnostics {
        *wanted.entry(e.clone()).or_default() += 1;
    }
    for (got, text) in &actual {
        match wanted.get_mut(got) {
            Some(n) if *n > 0 => *n -= 1,
            _ => problems.push(format!(
                "unexpected {}[{}] at {text}",
                got.severity, got.code
            )),
        }
    }
    for (missing, n) in wanted {
        for _ in 0..n {
            problems.push(format!(
                "missing {}[{}] on line {}",
                missing.severity, missing.code, missing.line
            ));
        }
    }

    if !expected.items.is_empty() {
        let mut names = Vec::new();
        item_names(&parsed.file.items, &mut names);
        for (line, name) in &expected.items {
            if !names.contains(name) {
                problems.push(format!(
                    "line {line}: the AST has no item `{name}` (items: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(" ")
                    }
                ));
            }
        }
    }
    // A too-deep tree has already been leaked by the parser; everything else drops normally
    // (on this big-stack thread).
    problems
}

fn run_on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

#[test]
fn syntax_case_files() {
    let root = cases_dir();
    let mut files = Vec::new();
    collect(&root, &mut files);
    assert!(
        files.len() >= 30,
        "expected the case files under {}, found {}",
        root.display(),
        files.len()
    );

    let mut report = String::new();
    let mut failed = 0;
    for path in &files {
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let owned = path.clone();
        let problems = match std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || check_file(&owned))
            .expect("spawn test thread")
            .join()
        {
            Ok(problems) => problems,
            Err(_) => vec!["the parser panicked (see the message above)".to_string()],
        };
        if !problems.is_empty() {
            failed += 1;
            let _ = writeln!(report, "\n{shown}:");
            for p in problems {
                let _ = writeln!(report, "  {p}");
            }
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} syntax case files failed:{report}",
        files.len()
    );
}

/// The harness itself: expectation parsing.
#[test]
fn expectation_comments_are_read() {
    let source = "def a = 1 // error[E0100]\n// error[E0002]@+1\nx\ny // error[E0003] error[E0003] trailing words\n// expect-items: a b\n// prose error[E0001] is not an expectation\n";
    let e = run_on_big_stack(move || expectations(source));
    let got: Vec<(u32, &str)> = e
        .diagnostics
        .iter()
        .map(|d| (d.line, d.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(1, "E0100"), (3, "E0002"), (4, "E0003"), (4, "E0003")]
    );
    assert_eq!(e.items, vec![(5, "a".to_string()), (5, "b".to_string())]);
    assert!(e.problems.is_empty());
}
