//! `self` and `global` used where a name was meant: the message names the word the user wrote
//! and says what it is for.

mod common;

use common::error_messages as messages;

#[test]
fn a_reserved_word_as_a_variable_is_named_in_the_error() {
    assert_eq!(
        messages("def main() {\n  let global = 1;\n  return 2\n}\n"),
        [
            "E0209 `global` is a reserved word that qualifies a case (`global.name`), not a \
          variable name: choose another name"
        ]
    );
    assert_eq!(
        messages("def main() {\n  let self = 1;\n  return 2\n}\n"),
        [
            "E0209 `self` is a reserved word that qualifies a case (`self.name`), not a \
          variable name: choose another name"
        ]
    );
}

#[test]
fn a_bare_qualifier_in_an_expression_names_the_word_used() {
    assert_eq!(
        messages("def f = global + 1\n"),
        ["E0200 `global` qualifies a name: write `global.name`"]
    );
    assert_eq!(
        messages("def f = self + 1\n"),
        ["E0200 `self` qualifies a name: write `self.name`"]
    );
}
