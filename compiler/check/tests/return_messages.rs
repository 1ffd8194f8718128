//! A statement body that can reach its end gives `null` there. Paths that end in `return`,
//! in a call of the prelude's `fail` or in a loop on `true` (left only by `return`) do not
//! reach it; when one does and the body returns something else, the error points at the
//! statement where the path runs out and says what to do about it.

mod common;

/// `message | help` of each E0201 the checker reports for `source`.
fn end_errors(source: &str) -> Vec<String> {
    common::messages_and_helps(source, "E0201")
}

#[test]
fn a_fail_statement_ends_its_path() {
    let source = "def pick(n) {\n  if (n > 0) { return \"pos\" }\n  fail(\"negative\")\n}\n";
    assert_eq!(common::error_messages(source), Vec::<String>::new());
    let source = "def f(o: option(number)) {\n  switch (o) {\n    case some(v): return v\n    \
                  case null: fail(\"none\")\n  }\n}\n";
    assert_eq!(common::error_messages(source), Vec::<String>::new());
}

#[test]
fn a_loop_on_true_is_left_only_by_return() {
    let source =
        "def first(n) {\n  var i = n;\n  while (true) {\n    if (i > 10) { return i }\n    \
                  i = i + 3\n  }\n}\n";
    assert_eq!(common::error_messages(source), Vec::<String>::new());
}

#[test]
fn a_shadowed_fail_does_not_end_a_path() {
    // A local `fail` returns: the body can reach its end.
    let source = "def f(n) {\n  let fail = (m: string) -> 0;\n  if (n > 0) { return \"pos\" }\n  \
                  fail(\"x\")\n}\n";
    assert_eq!(end_errors(source).len(), 1, "{:?}", end_errors(source));
    // So does a definition of the module named `fail`.
    let source = "def fail(m: string) = 0\ndef f(n) {\n  if (n > 0) { return \"pos\" }\n  \
                  fail(\"x\")\n}\n";
    assert_eq!(end_errors(source).len(), 1, "{:?}", end_errors(source));
}

#[test]
fn an_if_without_else_is_where_the_path_runs_out() {
    let source = "def size(n) {\n  if (n > 10) { return \"big\" }\n}\n";
    let errors = common::errors(source);
    assert_eq!(errors.len(), 1);
    // the `if`, line 2, not the whole body
    assert_eq!(
        &source[errors[0].span.start as usize..errors[0].span.end as usize],
        "if (n > 10) { return \"big\" }"
    );
    assert_eq!(
        end_errors(source),
        [
            "this body can reach its end without `return`, which gives `null`, not `string` | \
          when no branch of this `if` returns, the body goes on to its end: give it an `else` \
          that returns, or put a `return` after it"
        ]
    );
}

#[test]
fn a_last_value_without_return_says_to_return_it() {
    let source = "def g(x): number { x + 1 }\n";
    assert_eq!(
        end_errors(source),
        [
            "this body can reach its end without `return`, which gives `null`, not `number` | \
          a statement's value is thrown away; the body gives only what `return` gives: write \
          `return …`"
        ]
    );
    // one message there, not the discarded-value warning as well
    assert!(common::diagnostics(source)
        .iter()
        .all(|d| d.code != "W0210"));
}

#[test]
fn a_loop_that_can_finish_says_to_return_after_it() {
    let source = "def find(xs) {\n  for (let x in array.valueRange(xs)) {\n    if (x > 2) { return x }\n  }\n}\n\
                  def n = find([1, 5]) + 1\n";
    let found = end_errors(source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with(
            "the loop can finish, and the body goes on to its end: put a `return` after it"
        ),
        "{found:?}"
    );
}

#[test]
fn a_switch_arm_without_return_is_named() {
    let source = "def f(o: option(number)) {\n  switch (o) {\n    case some(v): return v\n    \
                  case null: let z = 0\n  }\n}\ndef n = f(null) + 1\n";
    let found = end_errors(source);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("an arm of this `switch` ends without `return`: end every arm with `return …` (or `fail(…)`)"), "{found:?}");
}
