//! `mixc db` and `mixc query` end to end: a real store on disk, driven through the binary.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use mix_tests::mixc_binary;

fn mixc(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(mixc_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mixc runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("mixc finishes")
}

fn ok(args: &[&str], stdin: &str) -> String {
    let out = mixc(args, stdin);
    assert!(
        out.status.success(),
        "mixc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn store(dir: &Path) -> String {
    dir.join("store").display().to_string()
}

#[test]
fn put_get_query_export_import_verify() {
    let tmp = tempdir();
    let db = store(&tmp);
    ok(&["db", "init", &db], "");
    let records = "{\"entity\":\"task\",\"title\":\"write\",\"priority\":3}\n{\"entity\":\"task\",\"title\":\"test\",\"priority\":1}\n{\"entity\":\"note\",\"title\":\"idea\"}\n";
    let ids: Vec<String> = ok(&["db", "put", &db], records)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids.len(), 3, "one id per record");

    let first = ok(&["db", "get", &db, &ids[0]], "");
    assert!(
        first.contains("\"write\"") && first.contains("_rmx_id"),
        "{first}"
    );

    let found = ok(
        &["db", "query", &db, "entity == \"task\" and priority > 2"],
        "",
    );
    assert_eq!(found.lines().count(), 1, "{found}");
    assert!(found.contains("\"write\""), "{found}");

    let exported = ok(&["db", "export", &db], "");
    assert!(!exported.is_empty());
    let copy = tmp.join("copy").display().to_string();
    ok(&["db", "init", &copy], "");
    let dump = tmp.join("dump.jsonl");
    std::fs::write(&dump, &exported).expect("write dump");
    let imported = ok(&["db", "import", &copy, &dump.display().to_string()], "");
    assert_eq!(imported.trim(), "imported 3 changes");
    let again = ok(&["db", "query", &copy, "entity == \"task\""], "");
    assert_eq!(again.lines().count(), 2, "{again}");
    // the same file again: everything is there already
    let repeated = ok(&["db", "import", &copy, &dump.display().to_string()], "");
    assert_eq!(repeated.trim(), "imported 0 changes (3 already present)");

    ok(&["db", "verify", &db], "");
    let stats = ok(&["db", "stats", &db], "");
    assert!(!stats.is_empty());
}

#[test]
fn query_parse_prints_the_ast() {
    let ast = ok(&["query", "--parse", "age > 30 | {name: name}"], "");
    let value: serde_json::Value = serde_json::from_str(ast.trim()).expect("one line of JSON");
    assert!(value.is_array(), "{ast}");
    assert!(ast.contains("comparison"), "{ast}");
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let bad_query = mixc(&["query", "--parse", "age > > 3"], "");
    assert!(!bad_query.status.success());
    assert!(!bad_query.stderr.is_empty());

    let tmp = tempdir();
    let missing = mixc(&["db", "get", &store(&tmp), "nope"], "");
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");

    let db = store(&tmp);
    ok(&["db", "init", &db], "");
    let garbage = mixc(&["db", "put", &db], "{not json\n");
    assert!(!garbage.status.success());
    assert!(!String::from_utf8_lossy(&garbage.stderr).contains("panicked"));
}

#[test]
fn put_skips_a_bad_line_and_writes_the_rest() {
    // Stopping at the bad line would leave the lines before it written, and putting the file
    // again after a fix would write those twice.
    let tmp = tempdir();
    let db = store(&tmp);
    ok(&["db", "init", &db], "");
    let out = mixc(
        &["db", "put", &db],
        "{\"title\":\"one\"}\n{not json\n{\"_rmx_id\":\"bad id!\"}\n{\"title\":\"two\"}\n",
    );
    assert!(
        !out.status.success(),
        "a rejected line makes the exit status 1"
    );
    let ids: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stdin line 2:") && stderr.contains("stdin line 3:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 line(s) rejected, 2 record(s) written"),
        "{stderr}"
    );
    let titles = ok(&["db", "query", &db, "title == \"two\""], "");
    assert_eq!(titles.lines().count(), 1, "{titles}");
}

#[test]
fn put_acknowledges_piped_lines_in_order_across_groups() {
    // Lines already waiting are committed as one group; the ids must still come out one per
    // accepted line, in input order, with a rejected line in the middle of a group skipped.
    let tmp = tempdir();
    let db = store(&tmp);
    ok(&["db", "init", &db], "");
    let lines = 2_500;
    let bad = 1_234;
    let input: String = (0..lines)
        .map(|n| {
            if n == bad {
                "{oops\n".to_string()
            } else {
                format!("{{\"n\":{n}}}\n")
            }
        })
        .collect();
    let out = mixc(&["db", "put", &db], &input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("stdin line {}:", bad + 1)),
        "{stderr}"
    );
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("an EscJSON ref");
            v["_rmx_value"].as_str().expect("ref id").to_string()
        })
        .collect();
    assert_eq!(ids.len(), lines - 1, "one id per accepted line");

    let mut n_of_id = std::collections::HashMap::new();
    for row in ok(&["db", "query", &db, "n >= 0"], "").lines() {
        let v: serde_json::Value = serde_json::from_str(row).expect("a record");
        let id = v["_rmx_id"]["_rmx_value"].as_str().expect("id").to_string();
        n_of_id.insert(id, v["n"].as_i64().expect("n"));
    }
    let expected: Vec<i64> = (0..lines as i64).filter(|&n| n != bad as i64).collect();
    let got: Vec<i64> = ids.iter().map(|id| n_of_id[id]).collect();
    assert_eq!(
        got, expected,
        "the k-th id printed is the k-th accepted line's record"
    );
}

/// A fresh directory under the target directory (removed at the start of the next run).
fn tempdir() -> std::path::PathBuf {
    let base = std::env::temp_dir().join(format!(
        "mix-db-cli-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("create temp dir");
    base
}
