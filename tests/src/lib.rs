//! Shared machinery for the data-driven case tests under `cases/`: finding case files and
//! reading the expectations written in their comments.
//!
//! - `// error[E0201]` (or `warning[W0200]`) expects that diagnostic with its primary span on
//!   the comment's line; `@+1`/`@-1` shift the line. Expectations are a multiset.
//! - `// type: name : T` expects `mixc check --emit types` to print `module.name : T` for the
//!   definition `name` of the file's module.

use std::path::{Path, PathBuf};

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

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpectedDiagnostic {
    pub line: u32,
    pub severity: &'static str,
    pub code: String,
}

#[derive(Debug, Default)]
pub struct Expectations {
    pub diagnostics: Vec<ExpectedDiagnostic>,
    /// (definition name, printed type)
    pub types: Vec<(String, String)>,
}

pub fn expectations(source: &str) -> Expectations {
    let mut out = Expectations::default();
    for (index, line) in source.lines().enumerate() {
        let line_number = index as u32 + 1;
        let Some(comment) = line.find("//").map(|at| line[at + 2..].trim()) else {
            continue;
        };
        if let Some(rest) = comment.strip_prefix("type:") {
            if let Some((name, ty)) = rest.split_once(" : ") {
                out.types
                    .push((name.trim().to_string(), ty.trim().to_string()));
            }
            continue;
        }
        for word in comment.split_whitespace() {
            let (severity, rest) = if let Some(rest) = word.strip_prefix("error[") {
                ("error", rest)
            } else if let Some(rest) = word.strip_prefix("warning[") {
                ("warning", rest)
            } else {
                continue;
            };
            let Some((code, shift)) = rest.split_once(']') else {
                continue;
            };
            let offset: i64 = shift
                .strip_prefix('@')
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let line = (line_number as i64 + offset).max(1) as u32;
            out.diagnostics.push(ExpectedDiagnostic {
                line,
                severity,
                code: code.to_string(),
            });
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
