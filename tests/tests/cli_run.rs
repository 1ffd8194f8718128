//! The run-side commands end to end: `build` + `run FILE.qc` + `disasm`, `test`, `repl`, and
//! clean rejection of bad QCode files.

use std::io::Write;
use std::process::{Command, Stdio};

use mix_tests::mixc_binary;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mix-cli-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn build_then_run_the_qcode_file_prints_the_same() {
    let dir = temp_dir("build");
    let src = dir.join("prog.mix");
    std::fs::write(
        &src,
        "def fact(n) = if (n <= 1) 1 else n * fact(n - 1)\ndef main() = [fact(10), \"x\" + 1]\n",
    )
    .unwrap();
    let qc = dir.join("prog.qc");
    let build = Command::new(mixc_binary())
        .args(["build"])
        .arg(&src)
        .arg("-o")
        .arg(&qc)
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    for path in [&src, &qc] {
        let run = Command::new(mixc_binary())
            .arg("run")
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&run.stdout), "[3628800, \"x1\"]\n");
    }
    let disasm = Command::new(mixc_binary())
        .arg("disasm")
        .arg(&qc)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&disasm.stdout);
    assert!(listing.contains("fn prog.fact"), "{listing}");
    assert!(listing.contains("CallDirect"), "{listing}");
}

#[test]
fn a_corrupt_qcode_file_is_rejected_with_a_message() {
    let dir = temp_dir("corrupt");
    let qc = dir.join("bad.qc");
    std::fs::write(&qc, b"\0QCM\x01\x00\x01\x00garbage").unwrap();
    let run = Command::new(mixc_binary())
        .arg("run")
        .arg(&qc)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a loadable QCode file"), "{stderr}");
    std::fs::write(&qc, b"not qcode at all").unwrap();
    let run = Command::new(mixc_binary())
        .arg("run")
        .arg(&qc)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a QCode file"));
}

#[test]
fn test_command_reports_each_test_and_the_totals() {
    let dir = temp_dir("test");
    std::fs::write(
        dir.join("t.mix"),
        "def double(x) = x * 2\n\
         def test_ok() = testing.assertEqual(4, double(2))\n\
         def test_bad() {\n  testing.assertEqual(5, double(2));\n}\n\
         def helper() = 1\n",
    )
    .unwrap();
    let out = Command::new(mixc_binary())
        .arg("test")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("test t.test_ok ... ok"), "{stdout}");
    assert!(stdout.contains("test t.test_bad ... FAILED"), "{stdout}");
    assert!(
        stdout.contains("assertEqual: expected 5, got 4"),
        "{stdout}"
    );
    assert!(stdout.contains("t.mix:4:3"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with("1 passed, 1 failed"),
        "{stdout}"
    );
    assert!(!stdout.contains("helper"), "{stdout}");
}

/// `mixc repl` fed `input` on its standard input.
fn repl(input: &[u8]) -> std::process::Output {
    let mut child = Command::new(mixc_binary())
        .arg("repl")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn repl_evaluates_expressions_and_keeps_definitions() {
    let out = repl(
        b"1 + 2\ndef sq(x) = x * x\nlet xs = [1, 2,\n 3]\nxs |> array.map(sq)\nnope(1)\n#quit\n1\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "3 : number\nsq : number -> number\nxs : array(number)\n[1, 4, 9] : array(number)\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown name `nope`"));
}

#[test]
fn repl_shows_the_warnings_of_each_input_once() {
    let out = repl(b"let d = string.parseJSON(\"4\")\nnumber.abs(d)\n1 + 1\n#quit\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout, "d : data\n4 : number\n2 : number\n");
    // `number.abs(d)` narrows `data`: warned when entered, not again for `1 + 1`.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("W0205").count(), 1, "{stderr}");
}
