//! W0203's help writes the arm for the rest the way the construct does: a multi-arm lambda's
//! `_ -> …`, a switch's `case _: …`.

mod common;

fn non_exhaustive_help(source: &str) -> Vec<String> {
    common::helps(source, "W0203")
}

#[test]
fn a_lambda_is_told_to_add_an_underscore_arm() {
    assert_eq!(
        non_exhaustive_help("def f = (true -> 1)\n"),
        ["add the missing arms, or `_ -> …` for the rest; an unmatched value is a run-time error"]
    );
}

#[test]
fn a_switch_is_told_to_add_a_catch_all_case() {
    assert_eq!(
        non_exhaustive_help("def f(b: bool) = do {\n  switch (b) {\n    case true: return 1\n  }\n}\n"),
        ["add the missing arms, or `case _: …` for the rest; an unmatched value is a run-time error"]
    );
}
