//! Which instructions arithmetic with a constant operand compiles to: the constant travels
//! inline (`AddInt`, `RemInt`) where the instruction can carry it, and loops do not load such a
//! constant into a register they never read. And where the checker's run-time tests of `data`
//! values used as narrower types go, and how a polymorphic `+` is typed per instance.

use mix_check::CheckDatabase;
use mix_codegen::{compile, Roots};
use mix_runtime::qcode::{Function, Instr, KindTest};

/// The functions compiled from `source` (file `t.mix`), in function-table order.
fn functions(source: &str) -> Vec<Function> {
    let mut db = CheckDatabase::default();
    let (workspace, files) = db.load(&[("t.mix".to_string(), source.to_string())]);
    compile(&db, workspace, Roots::Files(&files))
        .unwrap_or_else(|e| panic!("{source}: {} errors", e.len()))
        .functions
}

/// The instructions of the function `t.main` compiled from `source`.
fn main_code(source: &str) -> Vec<Instr> {
    functions(source)
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
        // a declared result, also where the value is a call (then not a tail call)
        ("def main() : number = d", KindTest::Number),
        ("def main() : number { return d }", KindTest::Number),
        (
            "def main() : number = string.parseJSON(\"1\")",
            KindTest::Number,
        ),
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

/// The `+` instructions of a function.
fn plus_ops(f: &Function) -> Vec<&'static str> {
    f.code
        .iter()
        .filter_map(|i| match i {
            Instr::AddNum { .. } => Some("AddNum"),
            Instr::AddInt { .. } => Some("AddInt"),
            Instr::AddDyn { .. } => Some("AddDyn"),
            Instr::Concat { .. } => Some("Concat"),
            _ => None,
        })
        .collect()
}

/// Which functions `code` calls directly.
fn direct_callees(code: &[Instr]) -> Vec<u32> {
    code.iter()
        .filter_map(|i| match i {
            Instr::CallDirect { function, .. } | Instr::TailCallDirect { function, .. } => {
                Some(*function)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_polymorphic_plus_is_typed_in_each_instance_its_uses_need() {
    let source = "def add(x, y) = x + y\n\
                  def main() = [add(1, 2), add(\"a\", \"b\"), add(\"a\", 1), add(3, 4)] : array(data)";
    let fs = functions(source);
    let adds: Vec<(u32, Vec<&str>)> = fs
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name == "t.add")
        .map(|(i, f)| (i as u32, plus_ops(f)))
        .collect();
    // The generic definition (a file's definitions are all compiled) and one instance per type
    // used: numbers, strings, string and number (the two number uses share one).
    let mut ops: Vec<&str> = adds.iter().flat_map(|(_, o)| o.clone()).collect();
    ops.sort();
    assert_eq!(ops, ["AddDyn", "AddNum", "Concat", "Concat"], "{adds:?}");
    let generic = adds.iter().find(|(_, o)| o == &["AddDyn"]).map(|(i, _)| *i);
    let main = fs.iter().find(|f| f.name == "t.main").expect("t.main");
    let called = direct_callees(&main.code);
    assert_eq!(called.len(), 4, "{:?}", main.code);
    assert!(
        !called.contains(&generic.expect("generic add")),
        "{called:?}"
    );
    assert_eq!(called[0], called[3], "one instance for both number uses");
}

#[test]
fn a_recursive_instance_calls_itself() {
    let source = "def sum(n, acc) = if (n == 0) acc else sum(n - 1, acc + n)\n\
                  def main() = sum(10, 0)";
    let fs = functions(source);
    let main = fs.iter().find(|f| f.name == "t.main").expect("t.main");
    let instance = direct_callees(&main.code)[0];
    let f = &fs[instance as usize];
    // `n - 1` is `AddInt -1`; `acc + n` is typed.
    assert_eq!(plus_ops(f), ["AddInt", "AddNum"], "{:?}", f.code);
    assert_eq!(direct_callees(&f.code), [instance]);
}

#[test]
fn uses_at_types_still_unknown_keep_the_generic_code() {
    // `f` is let-bound and used at two types: its uses do not fix `add`'s.
    let source = "def add(x, y) = x + y\n\
                  def main() { let f = add; return [f(1, 2), f(\"a\", \"b\")] : array(data) }";
    let fs = functions(source);
    let adds: Vec<Vec<&str>> = fs
        .iter()
        .filter(|f| f.name == "t.add")
        .map(plus_ops)
        .collect();
    assert_eq!(adds, [["AddDyn"]]);
}

/// The array joins that write over their own left operand (extending it in place).
fn joins_in_place(code: &[Instr]) -> usize {
    count(
        code,
        |i| matches!(i, Instr::ArrayConcat { dst, a, .. } if dst == a),
    )
}

fn takes(code: &[Instr]) -> usize {
    count(code, |i| matches!(i, Instr::Take { .. }))
}

#[test]
fn a_var_assigned_a_call_of_itself_moves_into_the_call() {
    for body in [
        "xs = array.set(0, 1, xs)",
        "xs = xs |> array.set(0, 1)",
        // mentioned before its own argument: that use is evaluated first
        "xs = array.set(array.length(xs) - 1, 1, xs)",
    ] {
        let source = format!("def main() {{\n  var xs = [0, 0];\n  {body};\n  return xs\n}}");
        assert_eq!(takes(&main_code(&source)), 1, "{source}");
    }
}

#[test]
fn a_var_read_again_or_inside_a_try_is_copied_into_the_call() {
    for body in [
        // an argument after it reads the old value
        "xs = array.add(xs, [xs[0]])",
        "xs = array.set(0, 1, xs) |> array.add(xs)",
        // a `try` of this function could catch the failure and read `xs` again
        "let r = try do { xs = array.set(5, 1, xs); return 0 }",
        // not the variable assigned
        "ys = array.set(0, 1, xs)",
    ] {
        let source = format!(
            "def main() {{\n  var xs = [0, 0];\n  var ys = [];\n  {body};\n  return [xs, ys]\n}}"
        );
        assert_eq!(takes(&main_code(&source)), 0, "{source}");
    }
}

#[test]
fn a_field_joined_onto_itself_is_cleared_first_and_joined_in_place() {
    let source =
        "def main() {\n  var st = {log: [0]};\n  st = st with .log = st.log + [1];\n  return st\n}";
    let code = main_code(source);
    // the join writes over its own left operand, the register the field was read into
    assert_eq!(joins_in_place(&code), 1, "{code:?}");
    // the record's field is cleared before the join, then set to its result
    assert_eq!(
        count(&code, |i| matches!(i, Instr::SetField { .. })),
        2,
        "{code:?}"
    );
    // not when the other side reads the record again
    let rereads = "def main() {\n  var st = {log: [0]};\n  st = st with .log = st.log + st.log;\n  return st\n}";
    assert_eq!(
        count(&main_code(rereads), |i| matches!(i, Instr::SetField { .. })),
        1
    );
}

/// The instructions of the definition `t.NAME` compiled from `source`.
fn code_of(source: &str, name: &str) -> Vec<Instr> {
    functions(source)
        .into_iter()
        .find(|f| f.name == format!("t.{name}"))
        .unwrap_or_else(|| panic!("t.{name}"))
        .code
}

/// The `Take`s out of register `src` (parameter `src` of a function).
fn takes_of(code: &[Instr], register: u16) -> usize {
    count(
        code,
        |i| matches!(i, Instr::Take { src, .. } if *src == register),
    )
}

#[test]
fn a_parameter_read_once_moves_at_its_read() {
    const ACC: u16 = 1;
    // into a join, which then writes over its own left operand
    let code = code_of("def f(x: number, acc: array(number)) = acc + [x]\n", "f");
    assert_eq!(takes_of(&code, ACC), 1, "{code:?}");
    assert_eq!(joins_in_place(&code), 1, "{code:?}");
    // into a call's argument; `x`, read on both sides of the condition, is copied
    let code = code_of(
        "def f(x, acc) = if (x > 0) array.add(acc, [x]) else acc\n",
        "f",
    );
    assert_eq!(takes_of(&code, ACC), 1, "{code:?}");
    assert_eq!(takes_of(&code, 0), 0, "{code:?}");
    // not when read twice on one path, or where the read may repeat
    for source in [
        "def f(x, acc) = acc + acc + [x]\n",
        "def f(x, acc) = array.map(y -> acc + [y], [x])\n",
        "def f(x, acc: array(number)) {\n  var t = [];\n  for (var i = 0; i < x; i = i + 1) { t = t + acc }\n  return t\n}\n",
    ] {
        let code = code_of(source, "f");
        assert_eq!(takes_of(&code, ACC), 0, "{source}: {code:?}");
    }
}

#[test]
fn a_chain_of_withs_sets_the_var_record_in_place() {
    // every step writes over the record's own register: no copy of the record is made
    let source = "def main() {\n  var st = {n: 0, s: {log: [0]}};\n  \
                  st = st with .n = st.n + 1 with .s.log = st.s.log + [1];\n  return st\n}";
    let code = main_code(source);
    assert!(
        code.iter()
            .filter(|i| matches!(i, Instr::SetField { .. }))
            .all(|i| matches!(i, Instr::SetField { dst, obj, .. } if dst == obj)),
        "{code:?}"
    );
    assert_eq!(joins_in_place(&code), 1, "{code:?}");
    // a step reading a field an earlier step set keeps the copies
    let rereads = "def main() {\n  var st = {n: 0, log: [0]};\n  \
                   st = st with .n = 1 with .log = st.log + [st.n];\n  return st\n}";
    let code = main_code(rereads);
    assert_eq!(joins_in_place(&code), 0, "{code:?}");
}

fn prepends(code: &[Instr]) -> usize {
    count(code, |i| matches!(i, Instr::ArrayPrepend { .. }))
}

#[test]
fn an_array_join_moves_only_a_right_side_nothing_reads_again() {
    for (body, moved) in [
        // the `var` assigned, a computed value
        ("xs = [0] + xs", 1),
        ("ys = [0] + array.rev(xs)", 1),
        ("ys = [0] + (xs)", 1),
        // a `let`, another `var`, the `var` itself on the left: read again or joined in place
        ("ys = [0] + held", 0),
        ("ys = [0] + xs", 0),
        ("xs = xs + [0]", 0),
    ] {
        let source = format!(
            "def main() {{\n  var xs = [1];\n  var ys = [];\n  let held = [2];\n  {body};\n  \
             return [xs, ys, held]\n}}"
        );
        assert_eq!(prepends(&main_code(&source)), moved, "{source}");
    }
    // a parameter at its one read moves; read twice it does not
    assert_eq!(prepends(&code_of("def f(acc) = [0] + acc\n", "f")), 1);
    assert_eq!(prepends(&code_of("def f(acc) = [0] + acc + acc\n", "f")), 0);
}
