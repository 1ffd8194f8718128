//! Programs at the size limits: generated code with long array and record literals and long
//! blocks. An array literal of any length runs; a function that needs more registers than
//! QCode has is refused with E0303 (never miscompiled into a file the loader rejects); long
//! blocks of `let`s and long record literals compile in linear time (both were quadratic:
//! 61,000 `let`s took 86 s to check, 80,000 record fields 4 s to compile).

use std::process::Command;

use mix_tests::mixc_binary;

fn run(name: &str, source: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("mix-large-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("{name}.mix"));
    std::fs::write(&file, source).expect("write source");
    let out = Command::new(mixc_binary())
        .arg("run")
        .arg(&file)
        .output()
        .expect("run mixc");
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// The output of `mixc run` of `source`, which must succeed.
fn run_ok(name: &str, source: &str) -> String {
    let out = run(name, source);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn numbers(n: usize) -> String {
    (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

#[test]
fn array_literals_longer_than_a_function_has_registers_run() {
    // 70,000 items: more than the 65,536 registers a function can name
    let n = 70_000;
    let source = format!(
        "def items = [{}]\ndef main() = [array.length(items), items[0], items[{}], \
         array.reduce((x, acc) -> acc + x, 0, items)]\n",
        numbers(n),
        n - 1
    );
    let stdout = run_ok("long_array", &source);
    let sum = n * (n - 1) / 2;
    assert_eq!(stdout, format!("[{n}, 0, {}, {sum}]\n", n - 1));
}

#[test]
fn array_literals_around_the_run_length_keep_their_order() {
    // one item either side of the 1,024-item runs the literal is built in
    for n in [1023, 1024, 1025, 2049] {
        let seam = n.min(1024) - 1;
        let source = format!(
            "def main() {{\n  let a = [{}];\n  return [array.length(a), a[{seam}], a[{}]]\n}}\n",
            numbers(n),
            n - 1
        );
        let stdout = run_ok(&format!("run_{n}"), &source);
        assert_eq!(stdout, format!("[{n}, {seam}, {}]\n", n - 1), "{n} items");
    }
}

#[test]
fn record_literals_with_many_fields_keep_the_last_of_a_repeated_key() {
    // 30,000 keys, each written twice: the second value wins
    let n = 30_000;
    let fields: Vec<String> = (0..n)
        .flat_map(|i| [format!("k{i}: 0"), format!("k{i}: {i}")])
        .collect();
    let source = format!(
        "def main() {{\n  let r = {{{}}};\n  return [map.length(r), r.k0, r.k{}]\n}}\n",
        fields.join(", "),
        n - 1
    );
    let stdout = run_ok("many_fields", &source);
    assert_eq!(stdout, format!("[{n}, 0, {}]\n", n - 1));
}

fn lets(n: usize) -> String {
    (0..n).map(|i| format!("  let a{i} = {i};\n")).collect()
}

/// `mixc run` refuses `source` with E0303, saying `what` needs more registers, before any
/// QCode reaches the loader.
fn assert_too_large(name: &str, source: &str, what: &str) {
    let out = run(name, source);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("E0303"), "{stderr}");
    assert!(
        stderr.contains(&format!("{what} needs more registers")),
        "{stderr}"
    );
    assert!(
        !stderr.contains("out of range"),
        "the loader saw it: {stderr}"
    );
}

#[test]
fn a_definition_needing_too_many_registers_is_refused_with_e0303() {
    let source = format!("def main() {{\n{}  return a0\n}}\n", lets(61_000));
    assert_too_large("many_lets", &source, "this definition");
}

#[test]
fn a_function_literal_needing_too_many_registers_is_refused_with_e0303() {
    let source = format!(
        "def main() {{\n  let f = () -> do {{\n{}    return a0\n  }};\n  return f()\n}}\n",
        lets(61_000)
    );
    assert_too_large("many_lets_lambda", &source, "this function");
}
