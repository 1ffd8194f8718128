//! The standard library's own tests, written in Mix under `stdlib/tests/` (one file per module),
//! run through `mixc test`: every `test_*` definition must pass.

use std::path::Path;
use std::process::Command;

use mix_tests::mixc_binary;

/// A little below the number of `test_*` definitions in `stdlib/tests/` (355 in the modules
/// other than option and result), so that a file that silently stops being collected (or a test
/// deleted by mistake) is noticed.
const MIN_TESTS: usize = 340;

#[test]
fn stdlib_mix_tests_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib/tests");
    let out = Command::new(mixc_binary())
        .arg("test")
        .arg(&dir)
        .output()
        .expect("run mixc test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
    assert!(
        out.status.success(),
        "mixc test {} failed\n{all}",
        dir.display()
    );
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let (passed, failed) = parse_summary(last)
        .unwrap_or_else(|| panic!("no `N passed, N failed` summary line\n{all}"));
    assert_eq!(failed, 0, "some stdlib tests failed\n{all}");
    assert!(
        passed >= MIN_TESTS,
        "only {passed} stdlib tests ran, expected at least {MIN_TESTS}\n{all}"
    );
}

/// `N passed, M failed` → `(N, M)`.
fn parse_summary(line: &str) -> Option<(usize, usize)> {
    let (p, f) = line.trim().split_once(", ")?;
    let passed = p.strip_suffix(" passed")?.parse().ok()?;
    let failed = f.strip_suffix(" failed")?.parse().ok()?;
    Some((passed, failed))
}
