//! E0217: a call giving more arguments than its function takes names the function, both
//! counts and its type, and through a pipe says where the piped value goes. And a lambda
//! passed where a function of another arity is expected says so in its mismatch.

mod common;

/// `message | labels` of a diagnostic, labels joined with `; `.
fn message_and_labels(d: &mix_diagnostics::Diagnostic) -> String {
    let labels: Vec<&str> = d.labels.iter().map(|l| l.message.as_str()).collect();
    format!("{} | {}", d.message, labels.join("; "))
}

/// `message | labels | help` of each E0217 the checker reports for `source`.
fn too_many(source: &str) -> Vec<String> {
    common::errors(source)
        .into_iter()
        .filter(|d| d.code == "E0217")
        .map(|d| {
            format!(
                "{} | {}",
                message_and_labels(&d),
                d.help.as_deref().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn a_direct_call_names_the_function_and_both_counts() {
    assert_eq!(
        too_many("def f(a: number) = a\ndef g = f(1, 2)\n"),
        ["too many arguments: `f` takes 1 argument, this call gives 2 | its type is `number -> number` | "]
    );
}

#[test]
fn a_pipe_says_the_piped_value_is_the_last_argument() {
    assert_eq!(
        too_many("def m = {a: 1} |> map.add({b: 2}, {c: 3})\n"),
        [
            "too many arguments: `map.add` takes 2 arguments, this call gives 3 | \
          its type is `map(A) -> map(A) -> map(A)`; piped in as the last argument | \
          `x |> f(a)` is `f(a, x)`: the piped value is the last argument, so write 1 argument \
          inside the parentheses"
        ]
    );
}

#[test]
fn a_function_whose_result_is_open_is_not_counted() {
    // `id` returns what it is given: applied to a function, it takes more.
    assert!(too_many("def id(x) = x\ndef n = id((a: number) -> a, 1)\n").is_empty());
    assert!(common::errors("def id(x) = x\ndef n = id((a: number) -> a, 1)\n").is_empty());
}

/// The notes of each E0201 the checker reports for `source`.
fn mismatch_notes(source: &str) -> Vec<Vec<String>> {
    common::errors(source)
        .into_iter()
        .filter(|d| d.code == "E0201")
        .map(|d| d.notes)
        .collect()
}

#[test]
fn a_comparison_passed_as_a_key_function_is_named_as_such() {
    let notes = mismatch_notes("def s = array.sort((a, b) -> a - b, [3, 1, 2])\n");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains(
            &"the function written here takes 2 arguments, but `array.sort` calls it with 1"
                .to_string()
        ),
        "{notes:?}"
    );
}

#[test]
fn a_lambda_of_the_right_arity_gets_no_arity_note() {
    // the mismatch is in the body's type, not the count
    let notes = mismatch_notes("def f = array.filter(x -> x + 1, [1, 2])\n");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].iter().all(|n| !n.contains("calls it with")),
        "{notes:?}"
    );
}

#[test]
fn a_mismatch_in_a_call_of_a_module_function_shows_its_declared_type() {
    // the accumulator written first, as in other languages: the signature says the order
    let notes = mismatch_notes(
        "def total = array.reduce((sum, x) -> sum + string.length(x), 0, [\"a\", \"bc\"])\n",
    );
    assert!(
        notes
            .iter()
            .flatten()
            .any(|n| n == "`array.reduce` has type `(A -> B -> B) -> B -> array(A) -> B`"),
        "{notes:?}"
    );
}

#[test]
fn a_call_of_a_local_function_gets_no_signature_note() {
    let notes = mismatch_notes("def f(n: number) = n\ndef g = f(\"x\")\n");
    assert_eq!(notes, [Vec::<String>::new()]);
}

#[test]
fn piping_into_a_function_of_several_arguments_says_where_the_value_went() {
    let helps = common::helps("def s = [3, 1, 2] |> array.sort\n", "E0201");
    assert_eq!(
        helps,
        [
            "`x |> array.sort` is `array.sort(x)`: the piped value became the first of the 2 \
          arguments `array.sort` takes; pass the others first, `x |> array.sort(a1)`, and the \
          piped value goes last"
        ]
    );
}

#[test]
fn a_stream_of_strings_where_a_string_goes_explains_append() {
    let helps = common::helps("def s: string = \"total: \" ++ \"1\"\n", "E0201");
    assert_eq!(
        helps,
        ["a stream of strings is not a string: `++` appends streams; join strings with `+`, and \
          a stream of them with `string.concatStream(\"\", s)`"]
    );
}

#[test]
fn a_tuple_used_as_an_array_says_how_tuples_are_read() {
    let notes = mismatch_notes(
        "def pairs: array([string, number]) = [[\"a\", 1]]\n\
         def firsts = array.map(p -> p[0], pairs)\n",
    );
    assert!(
        notes.iter().flatten().any(|n| n
            == "expected `string`, found `number`: an array's elements share one type, a \
                tuple's have their own (element 1 of this tuple is `t[#1 of 2]`)"),
        "{notes:?}"
    );
}

#[test]
fn a_call_one_argument_short_is_named_as_such() {
    let helps = common::helps(
        "def f(a: number, b: number) = a + b\ndef g: number = f(1)\n",
        "E0201",
    );
    assert_eq!(
        helps,
        ["this is a function still waiting for a `number`, a call one argument short (calls are \
          curried)"]
    );
    // a query pipeline with no query to start from
    let helps = common::helps(
        "def q = db.filter(.age > 3) |> db.map(.name) |> db.toArray\n",
        "E0201",
    );
    assert!(
        helps
            .iter()
            .any(|h| h
                .ends_with("start the pipeline from one, `db.mainDB |> db.all |> db.filter(…)`")),
        "{helps:?}"
    );
}

#[test]
fn a_short_projection_inside_a_larger_condition_is_explained_once() {
    let errors = common::errors(
        "def q = db.mainDB |> db.all |> db.filter(.age < 35 && string.startsWith(\"A\", .name))\n",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .help
            .as_deref()
            .is_some_and(|h| h.starts_with("a `.field` in a call's argument makes that whole")),
        "{errors:?}"
    );
    // the signature of the call the mismatch is in, not of the call around it
    assert_eq!(
        errors[0].notes,
        ["`string.startsWith` has type `string -> string -> bool`"]
    );
}

#[test]
fn a_curried_function_s_parts_are_counted_not_nested() {
    let has_note = |source: &str, start: &str| {
        let notes = mismatch_notes(source);
        assert!(
            notes.iter().flatten().any(|n| n.starts_with(start)),
            "{start}: {notes:?}"
        );
    };
    // the callback's result (after its 2 arguments) is what does not fit
    has_note(
        "def f: number -> number -> string = (a, b) -> a + b\n",
        "in the result after 2 arguments: ",
    );
    // its second parameter
    has_note(
        "def g(h: number -> string -> number) = h\n\
         def add(x: number, y: number) = x + y\n\
         def k = g(add)\n",
        "in parameter 2: ",
    );
}

/// `message | labels | notes` of each error the checker reports for `source`.
fn errors_with_labels(source: &str) -> Vec<String> {
    common::errors(source)
        .into_iter()
        .map(|d| format!("{} | {}", message_and_labels(&d), d.notes.join("; ")))
        .collect()
}

#[test]
fn arguments_that_fit_in_another_order_are_one_error_saying_where_each_goes() {
    // the map first, as in other languages; the library takes it last
    assert_eq!(
        errors_with_labels("def put(m: map(number), k: string): map(number) = map.set(m, k, 1)\n"),
        [
            "the arguments of `map.set` are not in the order it takes them | \
          this is `map.set`'s 3rd argument; this is `map.set`'s 1st argument; \
          this is `map.set`'s 2nd argument | \
          `map.set` has type `string -> A -> map(A) -> map(A)`"
        ]
    );
    // two numbers fit either way round: the order moving the fewest arguments is the one meant
    assert_eq!(
        errors_with_labels("def c(s: string, i: number) = string.sub(s, i, 1)\n"),
        [
            "the arguments of `string.sub` are not in the order it takes them | \
          this is `string.sub`'s 3rd argument; this is `string.sub`'s 1st argument; \
          this is `string.sub`'s 2nd argument | \
          `string.sub` has type `number -> number -> string -> string`"
        ]
    );
    // the call's result is the function's, so the declared result type raises nothing more
    assert_eq!(
        errors_with_labels("def twice(xs: array(number)) = array.map(xs, x -> x * 2)\n").len(),
        1
    );
}

#[test]
fn arguments_that_fit_no_other_order_or_several_keep_their_mismatches() {
    // no order of these fits `map.set`
    let errors = common::error_messages("def put(m: map(number)) = map.set(m, true, 1)\n");
    assert!(
        errors.iter().all(|e| !e.contains("not in the order")),
        "{errors:?}"
    );
    // an unknown name inside an argument is no question of order, even if another order fits
    let errors = common::error_messages("def outside(d, r) = db.saveOne(_, d, r)\n");
    assert_eq!(errors, ["E0200 unknown name `_`"]);
    // `string.startsWith` takes two strings: both orders fit, so nothing is said about order
    assert!(common::errors("def s = string.startsWith(\"A\", \"Abc\")\n").is_empty());
}

#[test]
fn calling_a_value_says_to_drop_the_parentheses() {
    assert_eq!(
        common::helps("def m = map.empty()\n", "E0203"),
        ["`map.empty` is a value: use it without parentheses, `map.empty`"]
    );
}

#[test]
fn iterating_an_array_or_a_map_names_the_stream_to_iterate() {
    let helps = common::helps(
        "def f(xs: array(number)) {\n  var s = 0;\n  for (let x in xs) { s = s + x };\n  return s\n}\n",
        "E0201",
    );
    assert_eq!(helps.len(), 1, "{helps:?}");
    assert!(helps[0].contains("`array.valueRange(xs)`"), "{helps:?}");
    let helps = common::helps(
        "def f(m: map(number)) {\n  var n = 0;\n  for (let k in m) { n = n + 1 };\n  return n\n}\n",
        "E0201",
    );
    assert!(helps[0].contains("`map.indexRange(m)`"), "{helps:?}");
}

#[test]
fn print_and_console_log_say_how_mix_programs_output() {
    for source in ["def f = print(\"a\")\n", "def f = console.log(\"a\")\n"] {
        let helps = common::helps(source, "E0200");
        assert_eq!(helps.len(), 1, "{helps:?}");
        assert!(
            helps[0].starts_with("Mix has no `print`: `logging.info(s)`"),
            "{helps:?}"
        );
    }
    assert_eq!(
        common::helps("def f = logging.log(\"a\")\n", "E0200"),
        ["did you mean `logging.info`?"]
    );
}

#[test]
fn a_missing_field_that_may_be_null_says_it_is_still_written() {
    let source = "type person = {name: string, email: option(string)}\n\
                  def bob: person = {name: \"Bob\"}\n";
    assert_eq!(
        mismatch_notes(source),
        [[
            "the record has no field `email`; a field that may be null is still written, \
           `email: null`"
        ]]
    );
    // a field that cannot be null gets no such advice
    let source = "type person = {name: string, age: number}\ndef bob: person = {name: \"Bob\"}\n";
    assert_eq!(mismatch_notes(source), [["the record has no field `age`"]]);
}

#[test]
fn an_option_used_as_its_value_says_to_take_the_value_out() {
    let source = "type person = {name: string, email: option(string)}\n\
                  def user(p: person) = string.splitSep(\"@\", p.email)\n\
                  def shown(p: person) = \"<\" + p.email + \">\"\n";
    let helps: Vec<String> = common::errors(source)
        .into_iter()
        .map(|d| format!("{} {}", d.code, d.help.unwrap_or_default()))
        .collect();
    let help = "an option may be `null`: take the value out first, with a default \
                (`option.withDefault(d, o)`) or by matching (`switch (o) { case some(v): … \
                case null: … }`)";
    assert_eq!(helps, [format!("E0201 {help}"), format!("E0202 {help}")]);
}

#[test]
fn a_record_that_is_a_declared_alias_is_shown_by_its_name() {
    let source = "type person = {name: string, age: number}\n\
                  def f(p: person) = p.age\n\
                  def g = f({name: \"x\", age: \"old\"})\n\
                  def h: array(person) = [{name: \"y\"}]\n";
    let messages: Vec<String> = common::errors(source)
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert_eq!(
        messages,
        [
            "type mismatch: expected `person`, found `{age:string, name:string}`",
            "type mismatch: expected `person`, found `{name:string}`",
        ]
    );
    // a record that is not the alias is shown with its fields
    let open = common::error_messages("type person = {name: string}\ndef n: person = {}\n");
    assert_eq!(open, ["E0201 type mismatch: expected `person`, found `{}`"]);
}
