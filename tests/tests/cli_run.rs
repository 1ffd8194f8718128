//! The run-side commands end to end: `build` + `run FILE.qc` + `disasm`, `test`, `repl`, and
//! clean rejection of bad QCode files.

use std::io::Write;
use std::process::{Command, Stdio};

use mix_tests::mixc_binary;

/// Runs `mixc` with `args` to the end.
fn mixc(args: &[&dyn AsRef<std::ffi::OsStr>]) -> std::process::Output {
    Command::new(mixc_binary())
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("mixc runs")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mix-cli-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes `text` to `file` in a fresh directory for test `name`; its path.
fn program(name: &str, file: &str, text: &str) -> std::path::PathBuf {
    let path = temp_dir(name).join(file);
    std::fs::write(&path, text).expect("write the program");
    path
}

#[test]
fn build_then_run_the_qcode_file_prints_the_same() {
    let src = program(
        "build",
        "prog.mix",
        "def fact(n) = if (n <= 1) 1 else n * fact(n - 1)\ndef main() = [fact(10), \"x\" + 1]\n",
    );
    let qc = src.with_extension("qc");
    let build = mixc(&[&"build", &src, &"-o", &qc]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    for path in [&src, &qc] {
        let run = mixc(&[&"run", &path]);
        assert_eq!(String::from_utf8_lossy(&run.stdout), "[3628800, \"x1\"]\n");
    }
    let disasm = mixc(&[&"disasm", &qc]);
    let listing = String::from_utf8_lossy(&disasm.stdout);
    assert!(listing.contains("fn prog.fact"), "{listing}");
    assert!(listing.contains("CallDirect"), "{listing}");
}

#[test]
fn a_corrupt_qcode_file_is_rejected_with_a_message() {
    let dir = temp_dir("corrupt");
    let qc = dir.join("bad.qc");
    std::fs::write(&qc, b"\0QCM\x01\x00\x01\x00garbage").unwrap();
    let run = mixc(&[&"run", &qc]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a loadable QCode file"), "{stderr}");
    std::fs::write(&qc, b"not qcode at all").unwrap();
    let run = mixc(&[&"run", &qc]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a QCode file"));
}

#[test]
fn imports_load_the_files_beside_the_importing_one() {
    let dir = temp_dir("imports");
    // app → shapes → units, each found in the directory of the file that imports it
    std::fs::write(
        dir.join("app.mix"),
        "import shapes\ndef main() = [shapes.area(2), shapes.unit]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("shapes.mix"),
        "import units\ndef area(r) = units.round2(3.14159 * r * r)\ndef unit = units.name\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("units.mix"),
        "module units\n  def round2(x) = number.round(x * 100) / 100\n  def name = \"cm2\"\nmodule end\n",
    )
    .unwrap();
    for command in ["run", "check"] {
        let out = mixc(&[&command, &dir.join("app.mix")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{command}: {stderr}");
        if command == "run" {
            assert_eq!(String::from_utf8_lossy(&out.stdout), "[12.57, \"cm2\"]\n");
        }
    }
    // an import of a file that does not exist is an unknown module, with its position
    std::fs::write(
        dir.join("broken.mix"),
        "import nowhere\ndef main() = nowhere.x\n",
    )
    .unwrap();
    let out = mixc(&[&"run", &dir.join("broken.mix")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nowhere"), "{stderr}");
}

#[test]
fn test_command_reports_each_test_and_the_totals() {
    let dir = temp_dir("test");
    std::fs::write(
        dir.join("t.mix"),
        "def double(x) = x * 2\n\
         def test_ok() = testing.assertEqual(4, double(2))\n\
         def test_bad() {\n  testing.assertEqual(5, double(2));\n}\n\
         def helper() = 1\n\
         def test_pairs() = testing.assertEqual([[1, 2]], [[1, 3]])\n",
    )
    .unwrap();
    let out = mixc(&[&"test", &dir]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("test t.test_ok ... ok"), "{stdout}");
    assert!(stdout.contains("test t.test_bad ... FAILED"), "{stdout}");
    assert!(
        stdout.contains("assertEqual: expected 5, got 4"),
        "{stdout}"
    );
    assert!(stdout.contains("t.mix:4:3"), "{stdout}");
    // each line of a message is indented under its test
    assert!(
        stdout.contains(
            "    assertEqual: expected [[1, 2]], got [[1, 3]]\n      \
             they differ at [0][1]: expected 2, got 3\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("1 passed, 2 failed"),
        "{stdout}"
    );
    assert!(!stdout.contains("helper"), "{stdout}");
}

/// `mixc repl` fed `input` on its standard input.
fn repl(input: &[u8]) -> std::process::Output {
    repl_with(&[], input)
}

/// `mixc repl ARGS` fed `input` on its standard input.
fn repl_with(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(mixc_binary())
        .arg("repl")
        .args(args)
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
fn repl_evaluates_let_expressions_and_defines_plain_lets() {
    let out = repl(b"let y = 3; y + 1\nlet p = 1 in p + 1\nlet z = 5\nz * 2\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "4 : number\n2 : number\nz : number\n10 : number\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn repl_shows_types_takes_colon_commands_and_reports_input_cut_short() {
    let out = repl(b"def sq(x) = x * x\n#type sq(2)\n:t [1] |> array.map(sq)\nhelp\n[1,\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "sq : number -> number\nsq(2) : number\n[1] |> array.map(sq) : array(number)\n\
         commands start with `#`: #help lists them, #quit leaves\n"
    );
    // the unclosed bracket at the end of the input is an error, not silence
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unexpected end of file"), "{stderr}");
}

#[test]
fn stack_traces_follow_position_directives() {
    // Generated code names its template with `#push`: a run-time error inside it is reported
    // there, and the code after `#pop` in the file again (include semantics: the pushed block
    // counts as the one line of the `#push`, so `main` is on line 2).
    let src = program(
        "directives",
        "generated.mix",
        "#push 40 \"template.mix\"\ndef pick(i) = [1, 2][i]\n#pop\ndef main() = 1 + pick(5)\n",
    );
    let run = mixc(&[&"run", &src]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("at generated.pick (template.mix:40:15)"),
        "{stderr}"
    );
    assert!(stderr.contains("generated.mix:2:18)"), "{stderr}");
}

#[test]
fn repl_positions_read_as_the_input_was_typed() {
    let out = repl(b"def g(n) = [1][n]\n1 + g(3)\nnope(1)\n#quit\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // the trace names the session's definition and the input, at their own lines
    assert!(
        stdout.contains(
            "error: index 3 is outside the array (length 1)\n    at g (input 1:1:12)\n    \
             at input 2 (input 2:1:5)\n"
        ),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // the snippet is the input alone, not the session's wrapper around it
    assert!(stderr.contains("input 3:1:1"), "{stderr}");
    assert!(
        !stderr.contains("it__") && !stderr.contains("repl.mix"),
        "{stderr}"
    );
}

#[test]
fn repl_input_stopping_short_continues_on_the_next_line() {
    let out = repl(b"def f(x) =\n  x * 2\n1 +\n  f(3)\n2 *\n\n#quit\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout, "f : number -> number\n7 : number\n");
    // a blank line sends what could not be finished, and its error is shown
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unexpected end of file"), "{stderr}");
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

#[test]
fn a_runaway_recursion_shows_its_repeated_frame_once_with_a_count() {
    // `main` adds to the result, so its own frame stays below the run
    let src = program(
        "runaway",
        "deep.mix",
        "def down(n) = 1 + down(n + 1)\ndef main() = down(0) + 1\n",
    );
    let run = mixc(&[&"run", &src, &"--max-memory", &"256"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    assert!(lines[0].starts_with("error: stack overflow"), "{stderr}");
    assert!(lines[1].starts_with("at deep.down (") && lines[1].contains("deep.mix:1:19)"));
    let repeated = lines[2]
        .strip_prefix("… the frame above ")
        .and_then(|rest| rest.strip_suffix(" more times …"))
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(repeated > 1000, "{stderr}");
    assert!(lines[3].starts_with("at deep.main ("), "{stderr}");
    assert_eq!(lines.len(), 4, "{stderr}");
}

#[test]
fn a_missing_entry_names_the_definitions_there_are() {
    let src = program("entry", "two.mix", "def main() = 1\ndef report() = 2\n");
    let run = mixc(&[&"run", &src, &"--entry", &"reprot"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("has no definition `reprot` to run"),
        "{stderr}"
    );
    assert!(
        stderr.contains("it defines: two.main, two.report; choose one with `--entry NAME`"),
        "{stderr}"
    );
}

/// What a program or test drawing pseudo-random numbers printed (stdout and stderr).
fn printed(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn each_run_draws_new_numbers_and_a_seed_repeats_them() {
    let path = program(
        "seed",
        "dice.mix",
        "def main() = array.initialize(4, i -> random.pseudoRandomInt(1, 1000000000))\n",
    );
    let runs: Vec<String> = (0..2).map(|_| printed(&mixc(&[&"run", &path]))).collect();
    assert!(runs[0].starts_with('['), "{}", runs[0]);
    assert_ne!(
        runs[0], runs[1],
        "two runs without a seed drew the same numbers"
    );
    let seeded: Vec<String> = (0..2)
        .map(|_| printed(&mixc(&[&"run", &"--seed", &"7", &path])))
        .collect();
    assert_eq!(seeded[0], seeded[1]);
    assert_ne!(seeded[0], printed(&mixc(&[&"run", &"--seed", &"8", &path])));
}

#[test]
fn tests_draw_the_same_numbers_each_run_unless_seeded() {
    let dir = temp_dir("test-seed");
    std::fs::write(
        dir.join("r.mix"),
        "def test_draw() = testing.assertEqual(0, random.pseudoRandomInt(1, 1000000000))\n",
    )
    .unwrap();
    let first = printed(&mixc(&[&"test", &dir]));
    assert!(first.contains("expected 0, got "), "{first}");
    assert_eq!(first, printed(&mixc(&[&"test", &dir])));
    assert_ne!(first, printed(&mixc(&[&"test", &"--seed", &"3", &dir])));
}

#[test]
fn a_repl_session_goes_on_with_one_sequence() {
    let input = b"random.pseudoRandomInt(1, 1000000000)\nrandom.pseudoRandomInt(1, 1000000000)\n";
    let session = printed(&repl_with(&["--seed", "7"], input));
    let draws: Vec<&str> = session.lines().collect();
    assert_eq!(draws.len(), 2, "{session}");
    assert_ne!(
        draws[0], draws[1],
        "each input drew the session's first number again"
    );
    assert_eq!(session, printed(&repl_with(&["--seed", "7"], input)));
}
