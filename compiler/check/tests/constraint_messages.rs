//! A value that breaks a type variable's constraint (`@data`, `@word`) is reported against what
//! the variable stands for, not against the variable's name.

mod common;

use common::{error_messages as messages, errors};

#[test]
fn a_function_where_data_is_expected_names_data() {
    // `string.formatJSON : data -> string`; its parameter is a fresh `@data` variable at the use.
    assert_eq!(
        messages("def f = string.formatJSON(x -> x)\n"),
        ["E0201 type mismatch: expected `data`, found `A -> A`"]
    );
    // The same through a user function whose parameters its body compares (one per argument).
    assert_eq!(
        messages("def same(a, b) = a == b\ndef f = same(x -> x, y -> y)\n"),
        [
            "E0201 type mismatch: expected `data`, found `A -> A`",
            "E0201 type mismatch: expected `data`, found `A -> A`"
        ]
    );
}

#[test]
fn comparisons_need_data() {
    // Spec §4: `== != < …` need `@data` operands of one type.
    assert_eq!(
        messages("def f(g: number -> number) = g == g\n"),
        ["E0201 type mismatch: expected `data`, found `number -> number`"]
    );
    assert_eq!(
        messages("def f(s: stream(number)) = s < s\n"),
        ["E0201 type mismatch: expected `data`, found `stream(number)`"]
    );
    assert_eq!(
        messages("def f(a: array(number), b) = a == b && b != [1]\n"),
        Vec::<String>::new()
    );
    // The comparison is labelled with why it needs data.
    let found = errors("def f(s: stream(number)) = s < s\n");
    let labels: Vec<&str> = found[0].labels.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        labels,
        ["`<` compares data: functions and streams do not compare"]
    );
    // Any value may be compared with `undefined`.
    assert_eq!(
        messages("def f(s: stream(number)) = s === undefined || undefined !== s\n"),
        Vec::<String>::new()
    );
}

#[test]
fn a_non_word_where_a_word_is_expected_names_word() {
    assert_eq!(
        messages("def label(x) = \"x=\" + x\ndef f = label(true)\n"),
        ["E0201 type mismatch: expected `word`, found `bool`"]
    );
}
