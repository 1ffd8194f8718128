//! W0205's message and help name the expected type as a type assertion would be written:
//! type variables as `_` (facts §4.4: `type(T)` takes `_`, not named variables).

mod common;

/// `message | help` of each W0205 the checker reports for `source`.
fn narrowing_warnings(source: &str) -> Vec<String> {
    common::messages_and_helps(source, "W0205")
}

#[test]
fn the_expected_type_is_written_with_wildcards() {
    assert_eq!(
        narrowing_warnings("def d = string.parseJSON(\"[1]\")\ndef n = array.length(d)\n"),
        [
            "a `data` value is used as `array(_)`: it is checked at run time | \
          write `type(array(_), e)` or `e : array(_)` to make the check explicit"
        ]
    );
    assert_eq!(
        narrowing_warnings("def d = string.parseJSON(\"1\")\ndef n = number.abs(d)\n"),
        [
            "a `data` value is used as `number`: it is checked at run time | \
          write `type(number, e)` or `e : number` to make the check explicit"
        ]
    );
}
