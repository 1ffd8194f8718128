//! Formatter properties over every Mix file in the repository, plus width snapshots.
//!
//! `format` itself re-parses its output and refuses when the tree (spans aside) or the comments
//! would change, so "formats without error" already proves AST preservation and no lost
//! comments; these tests add the fixed-point and idempotence properties.

use std::path::{Path, PathBuf};

use mix_syntax::format::{format, FormatError, FormatOptions};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn mix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && !matches!(name, "target" | ".git" | "out" | "corpus" | "artifacts") {
            mix_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "mix") {
            out.push(path);
        }
    }
}

fn options(width: usize) -> FormatOptions {
    FormatOptions {
        width,
        ..FormatOptions::default()
    }
}

/// Files under tests/cases that carry error expectations are not meant to be formatted.
fn is_error_case(source: &str) -> bool {
    source.contains("// error[")
}

#[test]
fn every_mix_file_is_formatted_and_case_files_round_trip() {
    let mut files = Vec::new();
    mix_files(&repo_root(), &mut files);
    assert!(
        files.len() >= 10,
        "expected the examples at least, found {}",
        files.len()
    );
    let mut problems = Vec::new();
    for file in files {
        let Ok(source) = std::fs::read_to_string(&file) else {
            continue;
        };
        if is_error_case(&source)
            || !mix_syntax::parse(&source)
                .diagnostics
                .iter()
                .all(|d| !d.is_error())
        {
            continue;
        }
        // Case files keep their deliberate spellings; for them the round trip is the property:
        // formatting succeeds (same tree, same comments) and is stable.
        let is_case_file = file.components().any(|c| c.as_os_str() == "cases");
        match format(&source, FormatOptions::default()) {
            Ok(formatted) if formatted == source => {}
            Ok(formatted) if is_case_file => match format(&formatted, FormatOptions::default()) {
                Ok(again) if again == formatted => {}
                Ok(_) => problems.push(format!("{}: formatting is not idempotent", file.display())),
                Err(e) => problems.push(format!("{}: formatted output: {e}", file.display())),
            },
            Ok(_) => problems.push(format!(
                "{}: not formatted (run `mixc fmt` on it)",
                file.display()
            )),
            Err(e) => problems.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn formatting_is_idempotent_at_every_width() {
    let mut files = Vec::new();
    mix_files(&repo_root().join("examples"), &mut files);
    for file in files {
        let source = std::fs::read_to_string(&file).expect("example is readable");
        for width in [40, 80, 100] {
            let once = format(&source, options(width))
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let twice =
                format(&once, options(width)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(once, twice, "{} at width {width}", file.display());
        }
    }
}

#[test]
fn comments_in_awkward_places_are_kept() {
    let source = "/* head */ def a = f(/* inline */ 1, // after one\n  2)\n\n\n// between\n\ndef b = [1, 2] // trailing\n/// doc\ndef c(x) {\n  // in block\n  let y = x; // after let\n  return y\n  // before close\n}\n// at end\n";
    let formatted = format(source, FormatOptions::default()).expect("formats");
    for comment in [
        "/* head */",
        "/* inline */",
        "// after one",
        "// between",
        "// trailing",
        "/// doc",
        "// in block",
        "// after let",
        "// before close",
        "// at end",
    ] {
        assert!(
            formatted.contains(comment),
            "lost {comment} in:\n{formatted}"
        );
    }
    assert!(
        !formatted.contains("\n\n\n"),
        "more than one blank line kept:\n{formatted}"
    );
    assert!(
        formatted.contains("// trailing\n"),
        "trailing comment moved off its line:\n{formatted}"
    );
}

/// Found by the `format` fuzz target: a multi-line block comment trailing a definition made the
/// second pass see a blank line inside it.
#[test]
fn a_trailing_multi_line_block_comment_is_stable() {
    let source = "def a = 2 /*\n * two\n * lines */ + 2 // trailing\ndef b = 3\n";
    let once = format(source, FormatOptions::default()).expect("formats");
    let twice = format(&once, FormatOptions::default()).expect("formats again");
    assert_eq!(once, twice);
}

/// Found by the `format` fuzz target: a comment before `module end` (or `}`) gained a blank
/// line on every pass.
#[test]
fn comments_before_closers_are_stable() {
    let source = "module m\n  def a = 1\n  // last words\nmodule end\ndef f(x) {\n  return x\n  // before close\n}\n";
    let once = format(source, FormatOptions::default()).expect("formats");
    let twice = format(&once, FormatOptions::default()).expect("formats again");
    assert_eq!(once, twice);
    assert!(once.contains("  // last words\nmodule end"), "{once}");
    assert!(once.contains("  // before close\n}"), "{once}");
}

#[test]
fn a_do_body_opens_on_the_definition_line() {
    let source = "def counter =\n  do {\n    var n = 0;\n    n = n + 1;\n    return n\n  }\n";
    let formatted = format(source, FormatOptions::default()).expect("formats");
    assert_eq!(
        formatted,
        "def counter = do {\n  var n = 0;\n  n = n + 1;\n  return n\n}\n"
    );
    // narrow or wide, the body breaks inside its braces, never below the `=`
    let narrow = format(source, options(12)).expect("formats");
    assert!(narrow.starts_with("def counter = do {\n"), "{narrow}");
}

#[test]
fn an_array_or_record_body_opens_on_the_definition_line() {
    let source = "def xs =\n  [\n    \"first element\",\n    \"second element\"\n  ]\n\
                  def r() = {name: \"a name\", size: 12}\n";
    let formatted = format(source, options(30)).expect("formats");
    assert_eq!(
        formatted,
        "def xs = [\n  \"first element\",\n  \"second element\"\n]\n\
         def r() = {\n  name: \"a name\",\n  size: 12\n}\n"
    );
    // what fits stays on one line
    let wide = format(source, FormatOptions::default()).expect("formats");
    assert_eq!(
        wide,
        "def xs = [\"first element\", \"second element\"]\n\
         def r() = {name: \"a name\", size: 12}\n"
    );
}

#[test]
fn a_file_with_syntax_errors_is_refused() {
    match format("def a = (1 +\n", FormatOptions::default()) {
        Err(FormatError::Syntax(diagnostics)) => assert!(!diagnostics.is_empty()),
        other => panic!("expected a syntax refusal, got {other:?}"),
    }
}

#[test]
fn directives_stay_in_column_one() {
    let source = "module m\n#line 10 \"gen.mix\"\n  def a = 1\nmodule end\n";
    let formatted = format(source, FormatOptions::default()).expect("formats");
    assert!(
        formatted.contains("\n#line 10 \"gen.mix\"\n"),
        "{formatted}"
    );
}

const SAMPLE: &str = r#"/// A sample touching most layouts.
module sample
  import q = query
  type shape = circle | square | triangle | hexagon | octagon | rectangleWithRoundedCorners
  case circle(number)
  def area(s) = (self.circle(r) -> 3.14159 * r * r | self.square(a) -> a * a | _ -> 0)
  def report(items) = items |> array.filter(.active && .price > 10) |> array.map({name: .name, total: .price * .qty}) |> array.sortBy(.total)
  def long(a, b) = a + b * 2 - number.round(a / b) + string.length("a long string literal here") + 12345
  def sum(xs) {
    var s = 0;
    for (let x in array.valueRange(xs)) { s = s + x };
    if (s > 100) { return 100 } else if (s < 0) { return 0 };
    return s
  }
  def pick(x) = let y = x + 1; let z = y * 2; if (z > 10) z else y
module end
"#;

#[test]
fn snapshot_width_40() {
    insta::assert_snapshot!(format(SAMPLE, options(40)).expect("formats"));
}

#[test]
fn snapshot_width_80() {
    insta::assert_snapshot!(format(SAMPLE, options(80)).expect("formats"));
}

#[test]
fn snapshot_width_100() {
    insta::assert_snapshot!(format(SAMPLE, options(100)).expect("formats"));
}

/// Found by the `format` fuzz target: after the last item, a multi-line block comment that
/// trailed it made the next pass see a blank line inside it; a file ending in a comment ended
/// with an empty line; and a comment after a final block comment joined its line.
#[test]
fn comments_after_the_last_item_are_stable() {
    for source in [
        "def a = 1 +\n /* x\n */ 2 // cd",
        "def a = 1\n// c\n",
        "def a = 1\n/* x\n */\n// c\n",
        "def a = 2 /* x\n */\n// c\n\n\n",
    ] {
        let once = format(source, FormatOptions::default()).expect("formats");
        let twice = format(&once, FormatOptions::default()).expect("formats again");
        assert_eq!(once, twice, "{source:?}");
        assert!(once.ends_with('\n') && !once.ends_with("\n\n"), "{once:?}");
    }
    let once = format("def a = 1\n/* x\n */\n// c\n", FormatOptions::default()).expect("formats");
    assert!(once.contains(" */\n// c"), "{once:?}");
}
