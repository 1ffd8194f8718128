//! Which instructions arithmetic with a constant operand compiles to: the constant travels
//! inline (`AddInt`, `RemInt`) where the instruction can carry it, and loops do not load such a
//! constant into a register they never read. And where the checker's run-time tests of `data`
//! values used as narrower types go.

use mix_check::CheckDatabase;
use mix_codegen::{compile, Roots};
use mix_runtime::qcode::{Instr, KindTest};

/// The instructions of the function `t.main` compiled from `source`.
fn main_code(source: &str) -> Vec<Instr> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("t.mix".to_string(), source.to_string())]);
    let module = compile(&db, workspace, Roots::Files(&files))
        .unwrap_or_else(|e| panic!("{source}: {} errors", e.len()));
    module
        .functions
        .into_iter()
        .find(|f| f.name == "t.main")
        .expect("t.main")
        .code
}

fn rem_ints(code: &[Instr]) -> Vec<i32> {
    code.iter()
        .filter_map(|i| match i {
            Instr::RemInt { value, .. } => Some(*value),
            _ => None,
        })
        .collect()
}

fn count(code: &[Instr], pred: impl Fn(&Instr) -> bool) -> usize {
    code.iter().filter(|i| pred(i)).count()
}

#[test]
fn remainder_by_a_constant_carries_it_inline() {
    let code = main_code("def main(x) = [x % 7, x % 3, x % 2147483647]");
    assert_eq!(rem_ints(&code), vec![7, 3, 2147483647]);
    assert_eq!(count(&code, |i| matches!(i, Instr::Rem { .. })), 0);
}

#[test]
fn zero_and_wide_divisors_take_the_general_instruction() {
    // `RemInt` never divides by zero (the verifier refuses it), and its constant is 32 bits.
    for source in [
        "def main(x) = x % 0",
        "def main(x) = x % 2147483648",
        "def main(x, d) = x % d",
    ] {
        let code = main_code(source);
        assert!(rem_ints(&code).is_empty(), "{source}: {code:?}");
        assert_eq!(
            count(&code, |i| matches!(i, Instr::Rem { .. })),
            1,
            "{source}"
        );
    }
}

#[test]
fn loops_do_not_hoist_a_constant_carried_inline() {
    let code = main_code(
        "def main() {
           var sum = 0;
           for (var i = 0; i < 1000; i = i + 1) { sum = sum + (i * i) % 7 }
           return sum
         }",
    );
    assert_eq!(rem_ints(&code), vec![7]);
    // Nothing loads 7: before `RemInt` the loop hoisted it into a register.
    assert_eq!(
        count(&code, |i| matches!(i, Instr::LoadInt { value: 7, .. })),
        0,
        "{code:?}"
    );
}

fn kind_tests(code: &[Instr], kind: KindTest) -> usize {
    count(
        code,
        |i| matches!(i, Instr::TestKind { kind: k, .. } if *k == kind),
    )
}

const NARROWING_PRELUDE: &str = "def d = string.parseJSON(\"[1]\")\ndef half(x: number) = x / 2\n";

#[test]
fn a_data_value_used_as_a_narrower_type_is_tested_once_where_it_is_used() {
    for (body, kind) in [
        // an argument: a global, then a local register (no code of its own to hang it on)
        ("def main() = half(d)", KindTest::Number),
        ("def main() { let n = d; return half(n) }", KindTest::Number),
        ("def main() = d |> half", KindTest::Number),
        ("def main() = d * 2", KindTest::Number),
        ("def main() = if (d) 1 else 2", KindTest::Bool),
        ("def main() = array.length(d)", KindTest::Array),
        ("def main() = half(d : number)", KindTest::Number),
    ] {
        let code = main_code(&format!("{NARROWING_PRELUDE}{body}"));
        assert_eq!(kind_tests(&code, kind), 1, "{body}: {code:?}");
        assert_eq!(
            count(&code, |i| matches!(i, Instr::Fail { .. })),
            1,
            "{body}: {code:?}"
        );
    }
}

#[test]
fn values_of_their_own_type_or_left_data_are_not_tested() {
    for body in [
        "def main() = half(4)",
        "def main(n) = half(n)",
        "def main() = string.formatJSON(d)",
        "def main() = d + 1",
        "def main() = d == 1",
    ] {
        let code = main_code(&format!("{NARROWING_PRELUDE}{body}"));
        assert_eq!(
            count(&code, |i| matches!(
                i,
                Instr::TestKind { .. } | Instr::Fail { .. }
            )),
            0,
            "{body}: {code:?}"
        );
    }
}
