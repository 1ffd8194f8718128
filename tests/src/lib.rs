//! Shared machinery for the data-driven case tests under `cases/`: finding case files and
//! reading the expectations written in their comments.
//!
//! - `// error[E0201]` (or `warning[W0200]`) expects that diagnostic with its primary span on
//!   the comment's line; `@+1`/`@-1` shift the line. Expectations are a multiset.
//! - `// type: name : T` expects `mixc check --emit types` to print `module.name : T` for the
//!   definition `name` of the file's module.
//! - `// expect-items: a b` expects the AST to still have items named `a` and `b`.
//!
//! Malformed expectations are collected in `Expectations::problems` (a test must fail on them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Every `*.mix` under `dir`, sorted.
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "mix") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The mixc binary

/// The `mixc` binary of the profile these tests were built in, built first: `cargo test` builds
/// only binaries of packages with integration tests of their own, so without this a binary left
/// from an earlier build would be tested instead of the current sources (cargo makes it a no-op
/// when the binary is up to date).
pub fn mixc_binary() -> &'static Path {
    static MIXC: OnceLock<PathBuf> = OnceLock::new();
    MIXC.get_or_init(|| {
        let exe = format!("mixc{}", std::env::consts::EXE_SUFFIX);
        // target/<profile>/deps/<test>-… → target/<profile>/mixc
        let this = std::env::current_exe().expect("current exe");
        let profile_dir = this
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args(["build", "--quiet", "-p", "mixc"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            build.env("CARGO_TARGET_DIR", target);
        }
        let status = build.status().expect("run cargo build -p mixc");
        assert!(status.success(), "cargo build -p mixc failed");
        let candidate = profile_dir.join(&exe);
        assert!(
            candidate.exists(),
            "mixc not found at {}",
            candidate.display()
        );
        candidate
    })
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expected {
    pub line: u32,
    pub severity: &'static str,
    pub code: String,
}

#[derive(Debug, Default)]
pub struct Expectations {
    pub diagnostics: Vec<Expected>,
    /// `// expect-items: a b`: (line, item name) the AST must still have after recovery.
    pub items: Vec<(u32, String)>,
    /// `// type: name : T`: (definition name, printed type).
    pub types: Vec<(String, String)>,
    /// Malformed expectation comments.
    pub problems: Vec<String>,
}

/// Reads the expectation comments of one case file (see the module documentation).
pub fn expectations(source: &str) -> Expectations {
    let mut out = Expectations::default();
    for (index, line) in source.lines().enumerate() {
        let line_no = index as u32 + 1;
        let mut rest = line;
        while let Some(at) = rest.find("//") {
            let comment = rest[at + 2..].trim_start();
            rest = &rest[at + 2..];
            if let Some(rest) = comment.strip_prefix("type:") {
                match rest.split_once(" : ") {
                    Some((name, ty)) => out
                        .types
                        .push((name.trim().to_string(), ty.trim().to_string())),
                    None => out
                        .problems
                        .push(format!("line {line_no}: malformed type expectation")),
                }
                break;
            }
            if let Some(names) = comment.strip_prefix("expect-items:") {
                out.items
                    .extend(names.split_whitespace().map(|n| (line_no, n.to_string())));
                break;
            }
            if !(comment.starts_with("error[") || comment.starts_with("warning[")) {
                continue;
            }
            for word in comment.split_whitespace() {
                let (severity, tail) = if let Some(t) = word.strip_prefix("error[") {
                    ("error", t)
                } else if let Some(t) = word.strip_prefix("warning[") {
                    ("warning", t)
                } else {
                    break;
                };
                let Some(close) = tail.find(']') else {
                    out.problems
                        .push(format!("line {line_no}: malformed expectation `{word}`"));
                    break;
                };
                let code = tail[..close].to_string();
                let offset = &tail[close + 1..];
                let target = if offset.is_empty() {
                    Some(line_no as i64)
                } else {
                    offset
                        .strip_prefix('@')
                        .and_then(|o| o.parse::<i64>().ok())
                        .map(|o| line_no as i64 + o)
                };
                match target {
                    Some(target) if target >= 1 => out.diagnostics.push(Expected {
                        line: target as u32,
                        severity,
                        code,
                    }),
                    _ => out
                        .problems
                        .push(format!("line {line_no}: malformed expectation `{word}`")),
                }
            }
            break;
        }
    }
    out.diagnostics.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_diagnostics_and_types() {
        let e = expectations(
            "def a = 1 // type: a : number\ndef b = x // error[E0200] warning[W0200]@+1\n",
        );
        assert_eq!(e.types, vec![("a".to_string(), "number".to_string())]);
        assert_eq!(e.diagnostics.len(), 2);
        assert_eq!(e.diagnostics[0].line, 2);
        assert_eq!(e.diagnostics[1].line, 3);
    }
}
