//! Which instructions arithmetic with a constant operand compiles to: the constant travels
//! inline (`AddInt`, `RemInt`) where the instruction can carry it, and loops do not load such a
//! constant into a register they never read.

use mix_check::CheckDatabase;
use mix_codegen::{compile, Roots};
use mix_runtime::qcode::Instr;

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
