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

#[test]
fn an_arm_giving_another_type_is_reported_at_its_value_next_to_the_first_arm_s() {
    let source = "def f = (\n  true -> \"yes\"\n| false -> 0\n)\n";
    let errors = common::errors(source);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.code, "E0201");
    assert_eq!(
        e.message,
        "type mismatch: expected `string`, found `number`"
    );
    assert_eq!(&source[e.span.start as usize..e.span.end as usize], "0");
    let labels: Vec<(&str, &str)> = e
        .labels
        .iter()
        .map(|l| {
            (
                &source[l.span.start as usize..l.span.end as usize],
                l.message.as_str(),
            )
        })
        .collect();
    assert!(
        labels.contains(&("\"yes\"", "the first arm's result")),
        "{labels:?}"
    );
}
