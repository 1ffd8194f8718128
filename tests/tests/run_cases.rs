//! Run cases: every `tests/cases/run/**/*.mix` is run with `mixc run` and its output compared
//! with the expectations in its comments. Adding a case file is adding a test.
//!
//! - `// output: TEXT` — one line of expected stdout (in order; all lines must match exactly).
//! - `// runtime-error: TEXT` — the run must fail with `error: TEXT…` on stderr (prefix match).
//! - `// at: LINE:COL` — the innermost Mix frame of that error is at this position.
//! - `// args: --fuel 1000` — extra `mixc run` arguments (limits, `--entry`).
//! - `// compile-error: E0300` — compilation must fail with this code.

use std::path::Path;
use std::process::Command;

use mix_tests::{case_files, mixc_binary};

#[derive(Default)]
struct RunExpectations {
    output: Vec<String>,
    runtime_error: Option<String>,
    at: Option<String>,
    args: Vec<String>,
    compile_error: Option<String>,
}

fn parse(source: &str) -> RunExpectations {
    let mut e = RunExpectations::default();
    for line in source.lines() {
        let Some(comment) = line.trim_start().strip_prefix("//") else {
            continue;
        };
        let comment = comment.trim_start();
        if let Some(text) = comment.strip_prefix("output:") {
            e.output
                .push(text.strip_prefix(' ').unwrap_or(text).to_string());
        } else if let Some(text) = comment.strip_prefix("runtime-error:") {
            e.runtime_error = Some(text.trim().to_string());
        } else if let Some(text) = comment.strip_prefix("at:") {
            e.at = Some(text.trim().to_string());
        } else if let Some(text) = comment.strip_prefix("args:") {
            e.args.extend(text.split_whitespace().map(String::from));
        } else if let Some(text) = comment.strip_prefix("compile-error:") {
            e.compile_error = Some(text.trim().to_string());
        }
    }
    e
}

fn run_case(path: &Path) -> Vec<String> {
    let source = std::fs::read_to_string(path).expect("case file is readable");
    let expected = parse(&source);
    let mut problems = Vec::new();
    if expected.output.is_empty()
        && expected.runtime_error.is_none()
        && expected.compile_error.is_none()
    {
        problems.push("no expectations (`// output:`, `// runtime-error:`, …)".to_string());
        return problems;
    }
    let out = Command::new(mixc_binary())
        .arg("run")
        .arg(path)
        .args(&expected.args)
        .output()
        .expect("run mixc");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    if lines != expected.output {
        problems.push(format!(
            "stdout: expected {:?}\n        found    {:?}\n        stderr   {}",
            expected.output, lines, stderr
        ));
    }
    match (&expected.runtime_error, &expected.compile_error) {
        (Some(message), _) => {
            if out.status.code() != Some(1) || !stderr.contains(&format!("error: {message}")) {
                problems.push(format!(
                    "expected runtime error `{message}`, got status {:?} and stderr:\n{stderr}",
                    out.status.code()
                ));
            }
            if let Some(at) = &expected.at {
                let first_frame = stderr.lines().find(|l| l.trim_start().starts_with("at "));
                if !first_frame.is_some_and(|l| l.contains(&format!(":{at})"))) {
                    problems.push(format!(
                        "expected the innermost frame at {at}, got {first_frame:?}"
                    ));
                }
            }
        }
        (None, Some(code)) => {
            if out.status.success() || !stderr.contains(&format!("[{code}]")) {
                problems.push(format!(
                    "expected compile error {code}, got status {:?} and stderr:\n{stderr}",
                    out.status.code()
                ));
            }
        }
        (None, None) => {
            if !out.status.success() {
                problems.push(format!("the run failed:\n{stderr}"));
            }
        }
    }
    problems
}

#[test]
fn run_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("cases")
        .join("run");
    let files = case_files(&dir);
    assert!(
        files.len() >= 5,
        "expected the run case files, found {}",
        files.len()
    );
    let mut report = String::new();
    for file in &files {
        for problem in run_case(file) {
            report.push_str(&format!("{}: {problem}\n", file.display()));
        }
    }
    assert!(report.is_empty(), "run case failures:\n{report}");
}

/// Every example prints what examples/README.md promises (each run gets a fresh database in
/// memory, as `query_pipeline.mix` assumes).
#[test]
fn examples_print_their_promised_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("examples/README.md")).expect("README");
    let mut report = String::new();
    let mut checked = 0;
    for row in readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains(".mix`"))
    {
        let cells: Vec<&str> = row.trim().trim_matches('|').split(" | ").collect();
        let file = cells[0].trim().trim_matches('`');
        let expected = cells[cells.len() - 1]
            .trim()
            .trim_matches('`')
            .replace("\\|", "|");
        let out = Command::new(mixc_binary())
            .arg("run")
            .arg(root.join("examples").join(file))
            .output()
            .expect("run mixc");
        let stdout = String::from_utf8_lossy(&out.stdout);
        checked += 1;
        if stdout.trim_end() != expected {
            report.push_str(&format!(
                "{file}:\n  expected {expected}\n  found    {}\n  stderr   {}\n",
                stdout.trim_end(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        checked >= 13,
        "expected the examples table, checked {checked}"
    );
    assert!(report.is_empty(), "{report}");
}

/// `mixc run --db PATH` keeps the main database on disk: a second run sees the records of the
/// first; without `--db` each run starts empty.
#[test]
fn run_with_db_keeps_records_between_runs() {
    let dir = std::env::temp_dir().join(format!("mix-run-db-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let program = dir.join("count.mix");
    std::fs::write(
        &program,
        "def main(appstate: appstate) {\n  let _ = db.saveOne(appstate, null, {n: 1});\n  \
         return db.head() |> db.length\n}\n",
    )
    .expect("write program");
    let store = dir.join("store");
    let run = |with_db: bool| {
        let mut cmd = Command::new(mixc_binary());
        cmd.arg("run").arg(&program);
        if with_db {
            cmd.arg("--db").arg(&store);
        }
        let out = cmd.output().expect("run mixc");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(run(true), "1");
    assert_eq!(run(true), "2");
    assert_eq!(run(false), "1");
    let _ = std::fs::remove_dir_all(&dir);
}
