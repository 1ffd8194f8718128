//! Snapshots of diagnostics as users see them: rendered for a terminal (colour off) and as the
//! JSON objects of `mixc check --message-format json`. Review changes to these by eye.

use mix_diagnostics::{render_terminal, to_json, LineMap, RenderOptions};

const STACK_SIZE: usize = 256 << 20;

/// Parses `source` (as file `file`) and renders every diagnostic, in order.
fn rendered(file: &'static str, source: &'static str) -> String {
    std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || {
            let parsed = mix_syntax::parse(source);
            assert!(
                !parsed.diagnostics.is_empty(),
                "expected diagnostics for {file}"
            );
            let lines = LineMap::new(source, &parsed.directives);
            parsed
                .diagnostics
                .iter()
                .map(|d| render_terminal(d, file, source, &lines, RenderOptions { color: false }))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn json(file: &'static str, source: &'static str) -> String {
    let parsed = mix_syntax::parse(source);
    let lines = LineMap::new(source, &parsed.directives);
    let values: Vec<serde_json::Value> = parsed
        .diagnostics
        .iter()
        .map(|d| to_json(d, file, source, &lines))
        .collect();
    serde_json::to_string_pretty(&values).expect("JSON")
}

macro_rules! snapshot {
    ($name:ident, $file:literal, $source:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), rendered($file, $source), $source);
        }
    };
}

// Lexical errors.
snapshot!(invalid_character, "shop.mix", "def total = price § 2\n");
snapshot!(
    invalid_character_after_non_ascii,
    "menu.mix",
    "def café = \"é 中文 🎉\" + ¤\n"
);
snapshot!(invalid_character_cjk, "names.mix", "def greeting = 中文\n");
snapshot!(invalid_character_emoji, "party.mix", "def party = 🎉 + 1\n");
snapshot!(
    regex_without_its_keyword,
    "find.mix",
    "def digits = ~\"[0-9]+\"\n"
);
snapshot!(
    typographic_quotes,
    "quote.mix",
    "def greeting = \u{201c}hello\u{201d}\n"
);
snapshot!(
    unterminated_string,
    "msg.mix",
    "def hello = \"Grüße, 世界\ndef next = 1\n"
);
snapshot!(
    unterminated_raw_string,
    "raw.mix",
    "def doc = \"\"\"first line\nsecond line\n"
);
snapshot!(
    invalid_escape_after_non_ascii,
    "esc.mix",
    "def s = \"中文 🎉 \\q done\"\n"
);
snapshot!(
    invalid_unicode_escape,
    "esc.mix",
    "def s = \"\\u{110000}\"\n"
);
snapshot!(
    unterminated_comment,
    "notes.mix",
    "def a = 1\n/* TODO: é\ndef b = 2\n"
);
snapshot!(
    number_out_of_range,
    "big.mix",
    "def big = 99999999999999999999\n"
);
snapshot!(bad_directive, "gen.mix", "#line abc\ndef a = 1\n");
snapshot!(
    error_after_line_directive,
    "gen.mix",
    "#line 40 \"template.mix\"\ndef a = (1 +\ndef b = 2\n"
);

// Parse errors.
snapshot!(unexpected_token, "list.mix", "def xs = [1, 2 3]\n");
snapshot!(
    unexpected_token_after_emoji,
    "list.mix",
    "def xs = [\"🎉\", \"中文\" \"é\"]\n"
);
snapshot!(
    unexpected_token_in_params,
    "f.mix",
    "def f(x = x\ndef g = 1\n"
);
snapshot!(
    missing_else,
    "cond.mix",
    "def sign(x) = if (x < 0) -1\ndef next = 0\n"
);
snapshot!(chained_comparison, "cmp.mix", "def between = a < b < c\n");
// A statement where an expression goes: one error with the way to write it (the arms of a
// broken switch are not reported again as broken definitions).
snapshot!(
    switch_as_expression,
    "shapes.mix",
    "def area(s) = switch (s) {\n  case circle(r): return r * r\n  case square(x): return x * x\n}\ndef next = 0\n"
);
snapshot!(return_in_lambda, "lambda.mix", "def f = xs -> return xs\n");
// Operators from other languages.
snapshot!(
    null_coalescing,
    "defaults.mix",
    "def city(m, k) = m.(k) ?? \"none\"\n"
);
snapshot!(
    optional_chaining,
    "chain.mix",
    "def name(r) = r.owner?.name\n"
);
// What a syntax error right after an expression lists as expected depends on which grammar
// levels the expression ended in (operator sequences, `|>`, comparisons, statements): these
// pin those lists, so that a grammar change that alters them shows up here.
snapshot!(expected_after_call_argument, "args.mix", "def t = f(1 2)\n");
snapshot!(expected_after_comparison, "cmp.mix", "def t = a < b c\n");
snapshot!(expected_after_logic, "logic.mix", "def t = a && not b c\n");
snapshot!(expected_after_pipe, "pipe.mix", "def t = xs |> f(1) g\n");
snapshot!(
    expected_after_record_value,
    "rec.mix",
    "def t = { a: 1 b: 2 }\n"
);
snapshot!(
    expected_after_statement,
    "block.mix",
    "def t(x) {\n  var y = x * 2;\n  y + 1 z\n}\n"
);
snapshot!(
    habits_of_other_languages,
    "habits.mix",
    "function area(r) { return r * r }\nconst limit = 10\ndef half(x) => x / 2\n\
     def inc(x) {\n  let mut y = x;\n  return y\n}\n\
     def sign(x) {\n  if (x > 0) { return 1 } elif (x < 0) { return -1 };\n  return 0\n}\n\
     import { shapes } from \"shapes\"\n"
);
snapshot!(
    assignment_in_a_condition,
    "cond.mix",
    "def sign(x: number) {\n  if (x = 0) { return 0 }\n  return 1\n}\n"
);
snapshot!(
    switch_default_as_in_c,
    "switch.mix",
    "def f(c: string) {\n  switch (c) {\n    case \"a\": return 1\n    default: return 0\n  }\n}\n"
);
snapshot!(
    for_without_let,
    "loop.mix",
    "def sum(xs) {\n  var s = 0;\n  for (x in xs) { s = s + x };\n  return s\n}\n"
);
snapshot!(
    for_of_as_in_javascript,
    "loop.mix",
    "def sum(xs) {\n  var s = 0;\n  for (let x of xs) { s = s + x };\n  return s\n}\n"
);
snapshot!(
    reserved_word_as_a_case_name,
    "expr.mix",
    "type expr = num(number) | var(string)\ndef f(in) = 1\n"
);
snapshot!(unexpected_eof, "eof.mix", "def f(x) {\n  return x +\n");
snapshot!(unexpected_eof_in_call, "eof.mix", "def total = sum(xs,");
snapshot!(invalid_pattern, "pat.mix", "def f = (g(x, y) -> 1)\n");
snapshot!(
    pattern_only_in_expression,
    "pat.mix",
    "def rest = ~multiple xs\n"
);
snapshot!(
    optional_field_in_expression,
    "rec.mix",
    "def r = { name?: \"é\" }\n"
);
snapshot!(
    invalid_assign_target,
    "assign.mix",
    "def f(r) {\n  r.a(1) = 2;\n  return r\n}\n"
);
snapshot!(
    primitive_outside_stdlib,
    "prim.mix",
    "def parts = $string_split(s, \",\")\n"
);
snapshot!(paren_list, "tuple.mix", "def pair = (1, 2)\n");
snapshot!(
    bad_arm,
    "arms.mix",
    "def name = (0 -> \"zero\" | \"many\")\n"
);
snapshot!(
    several_errors,
    "many.mix",
    "def a = [1, 2 3]\ndef b = \"ok\"\ndef c = { k: }\ndef d = \"日本語 \\z\"\n"
);

#[test]
fn too_deep() {
    let source: &'static str = Box::leak(
        format!("def deep = {}1{}\n", "(".repeat(1001), ")".repeat(1001)).into_boxed_str(),
    );
    let text = rendered("deep.mix", source);
    // The excerpt repeats a 2 KB line; snapshot the message and the help only.
    let summary: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('[') || l.contains("Help") || l.contains("─["))
        .collect();
    insta::assert_snapshot!("too_deep", summary.join("\n"));
}

#[test]
fn json_format() {
    let source = "module shop\n  def café = \"é 中文 🎉\" + §\n  def xs = [1, 2 3]\n  def s = \"\\q\"\nmodule end\n";
    insta::assert_snapshot!("json_format", json("shop.mix", source), source);
}

#[test]
fn json_format_with_line_directive() {
    let source = "#line 10 \"template.mix\"\ndef a = (1 +\ndef b = 2\n";
    insta::assert_snapshot!(
        "json_format_with_line_directive",
        json("gen.mix", source),
        source
    );
}
