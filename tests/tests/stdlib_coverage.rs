//! Every public function of the standard library is called by some Mix test: a stdlib test
//! (`stdlib/tests/`) or a run case (`tests/cases/run/`), imports resolved. A function added to
//! `stdlib/` without a test fails here, naming it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Functions no Mix test can call, and why.
const UNCALLABLE: &[(&str, &str)] = &[
    (
        "container.mergeReplaceBuilder",
        "its behaviour is not public: declared only, a call is E0301 (docs/stdlib.md)",
    ),
    ("testing.startRecording", "needs the app host"),
    ("testing.stopRecording", "needs the app host"),
    ("testing.createTestSequence", "needs the app host"),
    ("testing.listAll", "needs the app host"),
    ("testing.listForScreen", "needs the app host"),
    ("testing.delete", "needs the app host"),
    ("testing.snapshotCreate", "needs the app host"),
    ("testing.snapshotRestore", "needs the app host"),
    ("testing.snapshotDelete", "needs the app host"),
    ("testing.snapshotList", "needs the app host"),
    ("testing.snapshotTimestamp", "needs the app host"),
    ("testing.replayTest", "needs the app host"),
    ("testing.replayTestInSession", "needs the app host"),
    ("testing.replayAllTests", "needs the app host"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `.mix` files under `dir`, recursively.
fn mix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            mix_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "mix") {
            out.push(path);
        }
    }
}

/// `module.name` of every public `def` of a library file, read by the project's parser.
fn public_functions(text: &str) -> Vec<String> {
    use mix_syntax::ast::ItemKind;
    let parsed = mix_syntax::parse_with(
        text,
        mix_syntax::ParseOptions {
            allow_primitives: true,
        },
    );
    assert!(
        !parsed.diagnostics.iter().any(|d| d.is_error()),
        "the library file does not parse: {:?}",
        parsed.diagnostics
    );
    let mut out = Vec::new();
    for item in &parsed.file.items {
        let ItemKind::Module(m) = &item.kind else {
            continue;
        };
        for inner in &m.items {
            if let ItemKind::Def(d) = &inner.kind {
                if !d.private {
                    out.push(format!("{}.{}", m.name.name, d.name.name));
                }
            }
        }
    }
    out
}

/// `text` with the aliases of its `import a = module` lines written out (`a.f` → `module.f`).
fn without_aliases(text: &str) -> String {
    let mut out = text.to_string();
    for line in text.lines() {
        let Some((alias, module)) = line
            .strip_prefix("import ")
            .and_then(|rest| rest.split_once('='))
        else {
            continue;
        };
        let (alias, module) = (alias.trim(), module.trim());
        let from = format!("{alias}.");
        let mut replaced = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&from) {
            let before = rest[..at].chars().next_back();
            replaced.push_str(&rest[..at]);
            if before.is_some_and(|c| is_ident(c) || c == '.') {
                replaced.push_str(&from);
            } else {
                replaced.push_str(module);
                replaced.push('.');
            }
            rest = &rest[at + from.len()..];
        }
        replaced.push_str(rest);
        out = replaced;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `text` names `qualified` as a whole (`string.sub` is not found in `string.subst`
/// or in `mystring.sub`).
fn mentions(text: &str, qualified: &str) -> bool {
    text.match_indices(qualified).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + qualified.len()..].chars().next();
        !before.is_some_and(|c| is_ident(c) || c == '.') && !after.is_some_and(is_ident)
    })
}

#[test]
fn every_library_function_is_called_by_a_mix_test() {
    let root = repo();
    let mut library = Vec::new();
    for entry in fs::read_dir(root.join("stdlib")).expect("stdlib/") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|x| x == "mix") {
            library.push(path);
        }
    }
    library.sort();
    let mut tests = Vec::new();
    mix_files(&root.join("stdlib/tests"), &mut tests);
    mix_files(&root.join("tests/cases/run"), &mut tests);
    let corpus: String = tests
        .iter()
        .map(|p| without_aliases(&fs::read_to_string(p).expect("test file")))
        .collect::<Vec<_>>()
        .join("\n");

    let uncallable: BTreeMap<&str, &str> = UNCALLABLE.iter().copied().collect();
    let mut checked = 0;
    let mut untested = Vec::new();
    let mut stale = Vec::new();
    for file in &library {
        let text = fs::read_to_string(file).expect("library file");
        for f in public_functions(&text) {
            checked += 1;
            match (mentions(&corpus, &f), uncallable.contains_key(f.as_str())) {
                (false, false) => untested.push(f),
                (true, true) => stale.push(f),
                _ => {}
            }
        }
    }
    // the parse of the library found its functions (a format change would make this vacuous)
    assert!(checked > 400, "only {checked} library functions found");
    assert!(
        untested.is_empty(),
        "library functions no Mix test calls (add a test to stdlib/tests/ or a run case): {untested:?}"
    );
    assert!(
        stale.is_empty(),
        "listed as uncallable but called by a test (remove them from UNCALLABLE): {stale:?}"
    );
}

#[test]
fn mentions_matches_whole_qualified_names_only() {
    assert!(mentions("x = string.sub(1, 2, s)", "string.sub"));
    assert!(mentions("|> string.sub", "string.sub"));
    assert!(!mentions("string.subst(a)", "string.sub"));
    assert!(!mentions("mystring.sub(a)", "string.sub"));
    assert!(!mentions("a.string.sub(a)", "string.sub"));
}

#[test]
fn aliases_are_written_out() {
    let text = "import q = query\nq.lt(a) |> q.count; aq.x; r.q.y";
    assert_eq!(
        without_aliases(text),
        "import q = query\nquery.lt(a) |> query.count; aq.x; r.q.y"
    );
}

#[test]
fn public_functions_reads_module_blocks() {
    let text = "module a\n  def f : number\n  private def g = 1\n  def h(x) = x\nmodule end\n\
                module b\n  def k : string\nmodule end\n";
    assert_eq!(public_functions(text), ["a.f", "a.h", "b.k"]);
}
