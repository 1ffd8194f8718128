//! E0200's "did you mean": a near spelling in scope for a plain name; for `M.x`, a definition
//! of module `M` spelt nearly the same (case aside) or sharing a long run of letters.

mod common;

fn unknown_name_help(source: &str) -> Vec<String> {
    common::helps(source, "E0200")
}

#[test]
fn a_plain_name_gets_the_nearest_name_in_scope() {
    assert_eq!(
        unknown_name_help("def total = 1\ndef f = totl + 1\n"),
        ["did you mean `total`?"]
    );
}

#[test]
fn a_misspelt_member_gets_the_member_of_that_module() {
    assert_eq!(
        unknown_name_help("def n = string.lenght(\"ab\")\n"),
        ["did you mean `string.length`?"]
    );
    // case aside
    assert_eq!(
        unknown_name_help("def n = array.Length([1])\n"),
        ["did you mean `array.length`?"]
    );
}

#[test]
fn a_member_named_as_other_languages_do_gets_the_ones_sharing_its_word() {
    assert_eq!(
        unknown_name_help("def s = string.toUpper(\"ab\")\n"),
        ["did you mean `string.uppercase`?"]
    );
}

#[test]
fn a_name_other_languages_use_gets_the_library_name() {
    assert_eq!(
        unknown_name_help("def xs = stream.take(2, array.toStream([1, 2, 3]))\n"),
        ["did you mean `stream.firstn`?"]
    );
    assert_eq!(
        unknown_name_help("def n = array.size([1])\n"),
        ["did you mean `array.length`?"]
    );
    assert_eq!(
        unknown_name_help("def ps = map.toArray({a: 1})\n"),
        ["did you mean `map.bindings`?"]
    );
    assert_eq!(
        unknown_name_help("def m = regex.exec(~regex \"a\", \"a\")\n"),
        ["did you mean `regex.findSubmatch`?"]
    );
}

#[test]
fn one_foreign_name_gets_each_module_s_own_name() {
    assert_eq!(
        unknown_name_help("def i = string.indexOf(\"b\", \"abc\")\n"),
        ["did you mean `string.indexOfLeft`?"]
    );
    assert_eq!(
        unknown_name_help("def i = array.indexOf(2, [1, 2])\n"),
        ["did you mean `array.findIndex`?"]
    );
}

#[test]
fn a_function_the_library_leaves_to_an_expression_gets_the_expression() {
    assert_eq!(
        unknown_name_help("def total = array.sum([1, 2])\n"),
        ["Mix has no `array.sum`: write `array.reduce((x, total) -> x + total, 0, xs)`"]
    );
    assert_eq!(
        unknown_name_help("def s = number.toFixed(2.5, 1)\n"),
        [
            "Mix has no `number.toFixed`: write `number.format({format: \"0.00\"}, n)`, one `0` \
          per decimal"
        ]
    );
    assert_eq!(
        unknown_name_help("def s = string.padStart(\"7\", 3)\n"),
        [
            "Mix has no `string.padStart`: write `string.concat(\"\", array.initialize(n - \
          string.length(text), i -> \" \")) + text`"
        ]
    );
    assert_eq!(
        unknown_name_help("def w = calendar.dayOfWeek(calendar.epochDate)\n"),
        [
            "Mix has no `calendar.dayOfWeek`: write `calendar.format(\"%u\", day)` (\"1\" for \
          Monday … \"7\" for Sunday; `%A` gives the day's name)"
        ]
    );
    assert_eq!(
        unknown_name_help("def m = map.fromRecord({x: 3})\n"),
        [
            "Mix has no `map.fromRecord`: write the record itself: `map.keys({x: 3, y: 4})` (a \
          record whose fields share one type is a map where a map is expected)"
        ]
    );
}

#[test]
fn a_user_module_is_searched_like_the_library() {
    let source = "module shapes\n  def circleArea(r) = 3 * r * r\nmodule end\n\
                  def a = shapes.circleAre(2)\n";
    assert_eq!(
        unknown_name_help(source),
        ["did you mean `shapes.circleArea`?"]
    );
}

#[test]
fn nothing_close_gets_no_help() {
    assert_eq!(unknown_name_help("def n = string.zzz(\"ab\")\n"), [""]);
}

#[test]
fn a_module_that_is_not_loaded_says_how_modules_are_found() {
    assert_eq!(
        unknown_name_help("def n = nomodule.length(1)\n"),
        [
            "no module `nomodule` is loaded: `import nomodule` loads `nomodule.mix` from this \
          file's directory (or give its file to the command)"
        ]
    );
    // imported but missing: the import is the one error (E0208), not each use
    let errors = common::error_messages("import nowhere\ndef n = nowhere.x + nowhere.y\n");
    assert_eq!(errors, ["E0208 unknown module `nowhere`"]);
}

#[test]
fn a_conversion_looked_for_in_the_wrong_module_points_to_the_library_s() {
    assert_eq!(
        unknown_name_help("def s = string.fromNumber(3)\n"),
        ["did you mean `number.toString`?"]
    );
    assert_eq!(
        unknown_name_help("def s = string.toString(3)\n"),
        ["did you mean `number.toString`?"]
    );
    assert_eq!(
        unknown_name_help("def n = string.toNumber(\"3\")\n"),
        ["did you mean `number.parse`?"]
    );
    assert_eq!(
        unknown_name_help("def s = array.join(\", \", [\"a\"])\n"),
        ["did you mean `string.concat`?"]
    );
    // `import json` resolves, but the module declares nothing: `string` reads and writes JSON.
    assert_eq!(
        unknown_name_help("import json\ndef s = json.stringify([1])\n"),
        ["did you mean `string.formatJSON`?"]
    );
    assert_eq!(
        unknown_name_help("def v = json.parse(\"[1]\")\n"),
        ["did you mean `string.parseJSON`?"]
    );
}

#[test]
fn a_short_shared_run_does_not_suggest_a_long_name() {
    // `strip` is half of `stripAll` but less than half of `stripPrefix`
    assert_eq!(unknown_name_help("def s = string.stripAll(\"a\")\n"), [""]);
}

#[test]
fn database_words_from_sql_and_other_stores_get_the_db_module_s() {
    assert_eq!(
        unknown_name_help("def f(r) = db.insert(r)\n"),
        ["did you mean `db.saveOne`?"]
    );
    assert_eq!(
        unknown_name_help("def q = db.mainDB |> db.all |> db.where(.age > 3)\n"),
        ["did you mean `db.filter`?"]
    );
    assert_eq!(
        unknown_name_help("def ok = regex.test(~regex \"a+\", \"aa\")\n"),
        ["did you mean `regex.match`?"]
    );
    assert_eq!(
        unknown_name_help("def s = string.substr(1, 3, \"abcd\")\n"),
        ["did you mean `string.sub`?"]
    );
}

#[test]
fn a_private_definition_of_another_module_is_named_private_and_never_suggested() {
    let source = "module lib\n  private def helper(x) = x\n  def api(x) = x\nmodule end\n\
                  module app\n  def a = lib.helper(1)\n  def b = lib.helpr(1)\nmodule end\n";
    let messages: Vec<String> = common::errors(source)
        .into_iter()
        .map(|d| format!("{} | {}", d.message, d.help.unwrap_or_default()))
        .collect();
    assert_eq!(
        messages,
        [
            "`lib.helper` is private to module `lib` | only definitions of `lib` can use it; drop \
             `private` from its definition to export it",
            "unknown name `lib.helpr` | "
        ]
    );
}

#[test]
fn a_method_call_on_a_built_in_type_names_the_library_s_function() {
    let helps = common::helps(
        "def a = [1, 2].length\ndef b(s: string) = s.toUpperCase()\ndef c = [1].map(x -> x)\n",
        "E0201",
    );
    assert_eq!(
        helps,
        [
            "an `array` has no fields or methods (`.length` reads a record's field): call the \
             library's function, `array.length(x)` or `x |> array.length`",
            "a `string` has no fields or methods (`.toUpperCase` reads a record's field): call \
             the library's function, `string.uppercase(x)` or `x |> string.uppercase`",
            "an `array` has no fields or methods (`.map` reads a record's field): call the \
             library's function, `x |> array.map(…)` (the value goes last)",
        ]
    );
    // a record's missing field is no method habit
    assert_eq!(common::helps("def r = {a: 1}.length\n", "E0201"), [""]);
}

#[test]
fn a_misspelt_field_of_a_known_record_gets_the_nearest_field() {
    let notes = |source: &str| -> Vec<String> {
        common::errors(source)
            .into_iter()
            .flat_map(|d| d.notes)
            .filter(|n| n.contains("has no field"))
            .collect()
    };
    let people = "type person = {name: string, age: number}\n\
                  def people: array(person) = [{name: \"ann\", age: 3}]\n";
    assert_eq!(
        notes(&format!(
            "{people}def n = people |> array.map(p -> p.nme)\n"
        )),
        ["the record has no field `nme` (did you mean `name`?)"]
    );
    // nothing near: no guess
    assert_eq!(
        notes(&format!(
            "{people}def n = people |> array.map(p -> p.email)\n"
        )),
        ["the record has no field `email`"]
    );
}

#[test]
fn an_endless_stream_and_a_range_get_the_library_s_ways() {
    assert_eq!(
        unknown_name_help("def s = stream.iterate(n -> n + 1, 0)\n"),
        ["Mix has no `stream.iterate`: write `stream.initUnbound(i -> i * 2)`, element `i` of an \
          endless stream (`stream.enumUnbound(null)` is 0, 1, 2, …)"]
    );
    assert_eq!(
        unknown_name_help("def xs = array.range(3)\n"),
        ["did you mean `array.enumerate`?"]
    );
    // a slice of a stream says how to take a part of one
    assert_eq!(
        common::helps("def s = stream.enumUnbound(null)[3..5]\n", "E0201"),
        [
            "a slice `xs[p..q]` reads an array; of a stream, take the part with `s |> \
          stream.skipn(p) |> stream.firstn(q - p + 1)`"
        ]
    );
}

#[test]
fn a_field_added_with_with_says_with_only_sets_fields() {
    assert_eq!(
        common::helps(
            "def f(p: {name: string, age: number}) = p with .email = \"a@x\"\n",
            "E0201"
        ),
        [
            "`with` sets a field the record has; a record with another field is a new one, `{age: \
          p.age, name: p.name, email: …}`, or give its type the field (an `option(…)` field may \
          start as `null`)"
        ]
    );
    // a field the record has is set, whatever its new value's type
    assert!(common::errors("def f(p: {name: string}) = p with .name = \"b\"\n").is_empty());
}
