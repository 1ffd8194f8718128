//! Bad input never crashes the front end: random bytes, truncated files, invalid UTF-8, huge
//! single-line files and very deep nesting all end in diagnostics (or a clean tree), never a
//! panic or a stack overflow.
//!
//! Small inputs go through `mix_syntax::parse` in-process, on a thread with a big stack like
//! `mixc` uses. Big inputs go through the `mixc check` binary, which must exit with 0 or 1 and
//! print no panic. The binary is found next to this test's own executable
//! (`target/<profile>/mixc`) and built with `cargo build -p mixc` only if it is missing.

use std::io::Write as _;

use mix_diagnostics::{render_terminal, to_json, LineMap, RenderOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const STACK_SIZE: usize = 256 << 20;

fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Parses `source`, checks the diagnostics point into it at character boundaries, and renders
/// them (terminal and JSON), as `mixc check` would. Nothing may panic.
fn parse_ok(source: &str) -> usize {
    let parsed = mix_syntax::parse(source);
    let lines = LineMap::new(source, &parsed.directives);
    for d in &parsed.diagnostics {
        assert!(
            d.span.start <= d.span.end,
            "inverted span {:?}: {}",
            d.span,
            d.message
        );
        assert!(
            d.span.end as usize <= source.len(),
            "span {:?} past the end ({} bytes): {}",
            d.span,
            source.len(),
            d.message
        );
        assert!(
            source.is_char_boundary(d.span.start as usize)
                && source.is_char_boundary(d.span.end as usize),
            "span {:?} splits a character: {}",
            d.span,
            d.message
        );
        // Rendering a 10 MB line is slow and adds nothing: render excerpts of small sources.
        if source.len() < 100_000 {
            render_terminal(
                d,
                "fuzz.mix",
                source,
                &lines,
                RenderOptions { color: false },
            );
            to_json(d, "fuzz.mix", source, &lines);
        }
    }
    let n = parsed.diagnostics.len();
    // Dropping a deep tree recurses; this runs on the big-stack thread.
    drop(parsed);
    n
}

// ---------------------------------------------------------------------------------------------
// The mixc binary

fn mixc() -> &'static Path {
    mix_tests::mixc_binary()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mix-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

fn check_file(path: &Path, json: bool) -> Output {
    let mut command = Command::new(mixc());
    command.arg("check");
    if json {
        command.args(["--message-format", "json"]);
    }
    command.arg(path).output().expect("run mixc check")
}

/// `mixc check` ended normally: exit 0 (clean) or 1 (diagnostics), no panic, no signal.
fn assert_survived(what: &str, output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{what}: mixc check exited with {:?}; stderr (first 2000 bytes):\n{}",
        output.status,
        &stderr[..stderr.len().min(2000)]
    );
    assert!(
        !stderr.contains("panicked"),
        "{what}: mixc panicked:\n{stderr}"
    );
    assert!(
        !stderr.contains("overflow"),
        "{what}: mixc overflowed its stack:\n{stderr}"
    );
}

/// Generous for a debug build; a 10 MB file takes about 25 s to check there.
const BIG_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

/// `mixc check` on a big generated file, killed (and failed) after [`BIG_TIME_LIMIT`].
fn check_big(name: &str, source: &str) -> Output {
    let path = temp_file(name, source.as_bytes());
    let mut child = Command::new(mixc())
        .arg("check")
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mixc check");
    // Drain the pipes on threads so a chatty mixc cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut buf);
        buf
    });
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for mixc") {
            break status;
        }
        if started.elapsed() > BIG_TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_file(&path);
            panic!("{name}: mixc check did not finish within {BIG_TIME_LIMIT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let output = Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    };
    let _ = std::fs::remove_file(&path);
    assert_survived(name, &output);
    output
}

fn json_codes(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Random input

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_bytes() {
    on_big_stack(|| {
        let mut rng = Rng(0x5EED_1234_ABCD_0001);
        for _ in 0..3000 {
            let len = rng.below(600);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Invalid sequences become U+FFFD: every iteration reaches the parser.
            let source = String::from_utf8_lossy(&bytes);
            parse_ok(&source);
        }
    });
}

/// Random sequences of Mix tokens and fragments reach much deeper into the grammar.
#[test]
fn random_token_soup() {
    const PIECES: &[&str] = &[
        "def ",
        "type ",
        "case ",
        "module ",
        "module end ",
        "import ",
        "private ",
        "foreign ",
        "let ",
        "var ",
        "in ",
        "if ",
        "else ",
        "switch ",
        "while ",
        "for ",
        "return ",
        "do ",
        "try ",
        "action ",
        "with ",
        "not ",
        "of ",
        "null ",
        "true ",
        "undefined ",
        "self",
        "global",
        "cell ",
        "live ",
        "on ",
        "when ",
        "_meta_ ",
        "_pragma_ ",
        "_escJSON_ ",
        "~regex ",
        "~multiple ",
        "~optional ",
        "~forall ",
        "x",
        "y ",
        "f",
        "T",
        "1",
        "4.5",
        "0x1F",
        "\"s\"",
        "\"\"\"raw\"\"\"",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        ";;",
        ":",
        ".",
        "..",
        "->",
        "|>",
        "|",
        "=",
        "==",
        "<",
        ">=",
        "&&",
        "||",
        "++",
        "+",
        "-",
        "*",
        "/",
        "%",
        "?",
        "^",
        "'",
        "@",
        "#",
        "\n",
        " ",
        "// c\n",
        "/* b */",
        "\n#line 3 \"g.mix\"\n",
        "\n#pop\n",
        "\"\\q\"",
        "\"open",
        "/* open",
        "§",
        "é",
        "$p",
        "[#0 of 2]",
        ".(k)",
        "=>",
        "`",
    ];
    on_big_stack(|| {
        let mut rng = Rng(0xC0FF_EE00_0000_0042);
        for _ in 0..4000 {
            let n = rng.below(80);
            let source: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            parse_ok(&source);
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Truncated files

fn examples() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mix"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the examples in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("example is UTF-8");
            (p, text)
        })
        .collect()
}

#[test]
fn examples_parse_cleanly() {
    on_big_stack(|| {
        for (path, text) in examples() {
            let parsed = mix_syntax::parse(&text);
            let messages: Vec<&str> = parsed
                .diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect();
            assert!(messages.is_empty(), "{}: {messages:?}", path.display());
        }
    });
}

#[test]
fn truncated_examples() {
    on_big_stack(|| {
        let mut parsed = 0;
        for (path, text) in examples() {
            let mut cut = 0;
            while cut <= text.len() {
                let mut end = cut;
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let prefix = &text[..end];
                let result = std::panic::catch_unwind(|| parse_ok(prefix));
                assert!(
                    result.is_ok(),
                    "{} cut at byte {end} made the parser panic",
                    path.display()
                );
                parsed += 1;
                cut += 7;
            }
        }
        assert!(parsed > 1000);
    });
}

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8 (only the CLI sees bytes; the library takes &str)

#[test]
fn invalid_utf8_file_is_e0007() {
    let bytes = b"def a = 1\ndef b = \"caf\xE9\"\ndef c = \xFF\xFE\n";
    let path = temp_file("latin1.mix", bytes);
    let output = check_file(&path, true);
    assert_survived("invalid UTF-8", &output);
    assert_eq!(output.status.code(), Some(1));
    let diagnostics = json_codes(&output);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E0007");
    assert_eq!(d["severity"], "error");
    // The first bad byte: line 2, after `def b = "caf`.
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(13)),
        "{d}"
    );
    // The human form renders an excerpt of the (lossily decoded) line: it must not panic.
    let human = check_file(&path, false);
    assert_survived("invalid UTF-8, human output", &human);
    let stderr = String::from_utf8_lossy(&human.stderr);
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(
        stdout.contains("E0007") || stderr.contains("E0007"),
        "{stdout}{stderr}"
    );
}

#[test]
fn invalid_utf8_on_stdin_is_e0007() {
    let mut child = Command::new(mixc())
        .args(["check", "--message-format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mixc");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"def a = 1\ndef b = \"\xC3\x28\"\n")
        .expect("write stdin");
    let output = child.wait_with_output().expect("mixc output");
    assert_survived("invalid UTF-8 on stdin", &output);
    let diagnostics = json_codes(&output);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "E0007");
    assert_eq!(
        (
            diagnostics[0]["line"].as_u64(),
            diagnostics[0]["column"].as_u64()
        ),
        (Some(2), Some(10)),
        "position of the bad byte read from stdin: {}",
        diagnostics[0]
    );
}

#[test]
fn random_binary_files_through_mixc() {
    let mut rng = Rng(0xB1AB_B1AB_0000_0007);
    for i in 0..20 {
        let len = 1 + rng.below(4096);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let path = temp_file(&format!("random{i}.mix"), &bytes);
        let output = check_file(&path, true);
        let _ = std::fs::remove_file(&path);
        assert_survived(&format!("random binary file {i}"), &output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "random bytes are not a clean Mix file"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Huge single-line files (through the binary)

const TEN_MB: usize = 10 << 20;

#[test]
fn ten_mb_addition_chain() {
    let mut source = String::with_capacity(TEN_MB + 16);
    source.push_str("def x = 1");
    while source.len() < TEN_MB {
        source.push_str(" + 1");
    }
    let output = check_big("add_chain.mix", &source);
    // 2.6 million left-associated additions: deeper than the nesting limit.
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("E0010")
            || String::from_utf8_lossy(&output.stderr).contains("E0010")
    );
}

#[test]
fn ten_mb_string_literal() {
    let mut source = String::with_capacity(TEN_MB + 16);
    source.push_str("def s = \"");
    source.push_str(&"abcdé中🎉 ".repeat(TEN_MB / 17));
    source.push_str("\"\n");
    let output = check_big("string.mix", &source);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a 10 MB string literal is valid"
    );
}

#[test]
fn ten_mb_flat_array() {
    let mut source = String::with_capacity(TEN_MB + 16);
    source.push_str("def xs = [0");
    while source.len() < TEN_MB {
        source.push_str(", 1");
    }
    source.push(']');
    let output = check_big("array.mix", &source);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a wide (not deep) array is valid"
    );
}

#[test]
fn ten_mb_unterminated_string() {
    let source = format!("def s = \"{}", "x".repeat(TEN_MB));
    let output = check_big("open_string.mix", &source);
    assert_eq!(output.status.code(), Some(1));
}

/// 3.5 million invalid characters: every one is a diagnostic, and each rendering copies the
/// 10 MB line into its excerpt, so this must be bounded (a cap on diagnostics, or excerpts
/// clipped around the span) to finish at all.
#[test]
fn ten_mb_garbage_line() {
    let source = "§ ".repeat(TEN_MB / 3);
    let output = check_big("garbage.mix", &source);
    assert_eq!(output.status.code(), Some(1));
}

/// Patterns are converted from expressions by recursive functions while parsing, before the
/// nesting limit is checked: a huge `&&` chain as a lambda head must still end in E0010.
#[test]
fn ten_mb_and_chain_in_lambda_head() {
    let mut source = String::with_capacity(TEN_MB + 16);
    source.push_str("def f = (a");
    while source.len() < TEN_MB {
        source.push_str(" && a");
    }
    source.push_str(") -> 1\n");
    let output = check_big("and_head.mix", &source);
    assert_eq!(output.status.code(), Some(1));
}

/// The same through `@` captures and a long field path (a case pattern `a.b.c…`).
#[test]
fn ten_mb_capture_and_path_in_lambda_head() {
    let mut source = String::with_capacity(TEN_MB + 16);
    source.push_str("def f = (a");
    while source.len() < TEN_MB / 2 {
        source.push_str(" @ a");
    }
    source.push_str(") -> 1\ndef g = (a");
    while source.len() < TEN_MB {
        source.push_str(".b");
    }
    source.push_str(") -> 1\n");
    let output = check_big("capture_head.mix", &source);
    assert_eq!(output.status.code(), Some(1));
}

// ---------------------------------------------------------------------------------------------
// 10,000-deep nesting: in-process (big stack) and through the binary

const DEEP: usize = 10_000;

fn deep_sources() -> Vec<(&'static str, String)> {
    vec![
        (
            "parens",
            format!("def x = {}1{}\n", "(".repeat(DEEP), ")".repeat(DEEP)),
        ),
        (
            "brackets",
            format!("def x = {}1{}\n", "[".repeat(DEEP), "]".repeat(DEEP)),
        ),
        (
            "braces",
            format!("def x = {}1{}\n", "{a:".repeat(DEEP), "}".repeat(DEEP)),
        ),
        (
            "block braces",
            format!(
                "def x {}return 1{}\n",
                "{ if (c) {".repeat(DEEP / 2),
                "} }".repeat(DEEP / 2)
            ),
        ),
        (
            "unclosed parens",
            format!("def x = {}1\n", "(".repeat(DEEP)),
        ),
        ("unary minus", format!("def x = {}1\n", "-".repeat(DEEP))),
        (
            "unary minus spaced",
            format!("def x = {}1\n", "- ".repeat(DEEP)),
        ),
        ("not", format!("def x = {}a\n", "not ".repeat(DEEP))),
        ("lambdas", format!("def f = {}x\n", "x -> ".repeat(DEEP))),
        (
            "let chain",
            format!("def x = {}a\n", "let a = 1; ".repeat(DEEP)),
        ),
        (
            "let in chain",
            format!("def x = {}a\n", "let a = 1 in ".repeat(DEEP)),
        ),
        (
            "if chain",
            format!("def x = {}0\n", "if (c) 1 else ".repeat(DEEP)),
        ),
        (
            "else if statements",
            format!("def f {{ {}{{ }} }}\n", "if (c) { } else ".repeat(DEEP)),
        ),
        ("try chain", format!("def x = {}a\n", "try ".repeat(DEEP))),
        ("additions", format!("def x = a{}\n", " + a".repeat(DEEP))),
        (
            "appends (right assoc)",
            format!("def x = a{}\n", " ++ a".repeat(DEEP)),
        ),
        ("pipes", format!("def x = a{}\n", " |> f".repeat(DEEP))),
        (
            "withs",
            format!("def x = a{}\n", " with .b = 1".repeat(DEEP)),
        ),
        ("calls", format!("def x = f{}\n", "(1)".repeat(DEEP))),
        ("fields", format!("def x = a{}\n", ".b".repeat(DEEP))),
        ("postfix ?", format!("def x = a{}\n", "?".repeat(DEEP))),
        ("captures", format!("def x = a{}\n", " @ a".repeat(DEEP))),
        (
            "and chain lambda head",
            format!("def f = (a{}) -> 1\n", " && a".repeat(DEEP)),
        ),
        (
            "capture lambda head",
            format!("def f = (a{}) -> 1\n", " @ a".repeat(DEEP)),
        ),
        (
            "path lambda head",
            format!("def f = (a{}) -> 1\n", ".b".repeat(DEEP)),
        ),
        (
            "type arrows",
            format!("def f : {}a\n", "a -> ".repeat(DEEP)),
        ),
        ("stream types", format!("def f : a{}\n", "*".repeat(DEEP))),
        (
            "comments",
            format!("{}def x = 1\n", "/* c */ ".repeat(DEEP)),
        ),
    ]
}

#[test]
fn deep_nesting_in_process() {
    on_big_stack(|| {
        for (what, source) in deep_sources() {
            let result = std::panic::catch_unwind(|| parse_ok(&source));
            assert!(result.is_ok(), "{what}: the parser panicked");
        }
    });
}

#[test]
fn deep_nesting_through_mixc() {
    for (what, source) in deep_sources() {
        let name = format!(
            "deep_{}.mix",
            what.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        check_big(&name, &source);
    }
}

/// Just under the limits a deep tree is accepted without a nesting error (and dropped without
/// overflowing the big stack).
#[test]
fn nesting_just_under_the_limits() {
    on_big_stack(|| {
        let parens = format!("def x = {}1{}\n", "(".repeat(999), ")".repeat(999));
        assert_eq!(parse_ok(&parens), 0, "999 parentheses are fine");
        let minus = format!("def x = {}1\n", "-".repeat(mix_syntax::MAX_DEPTH - 10));
        assert_eq!(
            parse_ok(&minus),
            0,
            "{} unary minus are fine",
            mix_syntax::MAX_DEPTH - 10
        );
        let too_many = format!("def x = {}1\n", "-".repeat(mix_syntax::MAX_DEPTH + 10));
        assert_eq!(parse_ok(&too_many), 1, "one E0010 beyond MAX_DEPTH");
    });
}
