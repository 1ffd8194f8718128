//! Helps for syntax errors: what Mix writes where the source has a habit of another language
//! (`for (x of xs)`, `if (x = 1)`, `function`, `=>`, `elif`) or puts a statement where an
//! expression goes. Each looks at the unexpected token, the terminals the parser expected, and
//! the source before the token; the first that applies gives the help.

use super::expected;
use crate::brackets::outside_strings;
use crate::token::Tok;

/// The help for an unexpected `tok`, `before` being the source up to it and `expected` the
/// terminals the parser would have taken there.
pub(super) fn help(before: &str, tok: &Tok<'_>, expected: &[String]) -> Option<String> {
    loop_header(before, tok)
        .or_else(|| assignment_in_condition(before, tok))
        .or_else(|| other_language(before, tok, expected::wants_definition(expected)))
        .or_else(|| by_token(tok, expected::wants_expression(expected)))
        .or_else(|| reserved_word_as_name(tok, expected))
}

/// A reserved word where a name goes (`type expr = … | var(string)`, `def f(in) = …`). Not
/// where an expression goes: there the word more likely starts what comes next
/// (`def a = (1 +` then `def b`).
fn reserved_word_as_name(tok: &Tok<'_>, expected: &[String]) -> Option<String> {
    let wants_name = expected.iter().any(|e| e == "Ident") && !expected::wants_expression(expected);
    (tok.is_keyword() && wants_name)
        .then(|| format!("{tok} is a reserved word, so it cannot be a name: choose another"))
}

/// The last word (letters, digits, `_`) of `text`, ignoring trailing spaces.
fn last_word(text: &str) -> &str {
    text.trim_end()
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
}

/// A `for` header written as in another language: `for (x in xs)` (Python, missing `let`) and
/// `for (let x of xs)` (JavaScript's `of`). Mix iterates a stream with `for (let x in s)`.
fn loop_header(before: &str, tok: &Tok<'_>) -> Option<String> {
    if !matches!(tok, Tok::In | Tok::Of) {
        return None;
    }
    let words: Vec<&str> = before
        .rsplit_once("for")?
        .1
        .trim_start()
        .strip_prefix('(')?
        .split_whitespace()
        .collect();
    let (declared, name) = match words[..] {
        [name] => (false, name),
        ["let" | "var" | "const", name] => (true, name),
        _ => return None,
    };
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let stream = "the value after `in` is a stream; for an array `xs` write \
                  `array.valueRange(xs)`";
    Some(match (tok, declared) {
        (Tok::In, false) => format!("declare the loop variable: `for (let {name} in …)`; {stream}"),
        _ => format!("Mix iterates with `in`: `for (let {name} in …)`; {stream}"),
    })
}

/// `=` inside the condition of an `if` or `while` (`if (x = 1)`): a comparison was meant.
fn assignment_in_condition(before: &str, tok: &Tok<'_>) -> Option<String> {
    if !matches!(tok, Tok::Eq) {
        return None;
    }
    // the innermost bracket still open before the `=`, and the code before it
    let code: Vec<(char, i64)> = outside_strings(before).collect();
    let depth = code.last()?.1;
    let open = code
        .iter()
        .rposition(|&(c, d)| matches!(c, '(' | '[' | '{') && d == depth)?;
    let preceding: String = code[..open].iter().map(|&(c, _)| c).collect();
    (code[open].0 == '(' && matches!(last_word(&preceding), "if" | "while"))
        .then(|| "`=` assigns (a `var`, as a statement); to compare, write `==`".to_string())
}

/// A word or form another language uses where Mix has its own.
fn other_language(before: &str, tok: &Tok<'_>, wants_definition: bool) -> Option<String> {
    let line = before.rsplit('\n').next().unwrap_or(before);
    let help = match tok {
        Tok::Ident("function" | "fn" | "func" | "fun") if wants_definition => {
            "a function is a definition: `def f(x) = …`, or `def f(x) { … return … }`"
        }
        Tok::Ident("const") | Tok::Let | Tok::Var if wants_definition => {
            "a module-level value is a definition: `def x = …` (`let` and `var` are statements \
             inside a `{ … }` body)"
        }
        Tok::Gt if before.trim_end().ends_with('=') => {
            "Mix has no `=>`: a definition is `def f(x) = …`, a lambda `x -> …`"
        }
        Tok::Ident(_) if last_word(line) == "mut" => {
            "Mix has no `mut`: `var y = …` declares a variable that can be assigned"
        }
        Tok::LBrace | Tok::LParen
            if line
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| matches!(w, "elif" | "elsif" | "elseif")) =>
        {
            "Mix writes `else if`"
        }
        Tok::LBrace if last_word(before) == "import" => {
            "a module is imported by name, `import geo` (or `import g = geo`), and its \
             definitions used as `geo.name`"
        }
        _ => return None,
    };
    Some(help.to_string())
}

/// Helps that the unexpected token alone decides: a statement where an expression goes, a
/// chained comparison, `else` after an `if` without one, C's `default:`.
fn by_token(tok: &Tok<'_>, wants_expression: bool) -> Option<String> {
    let help = match tok {
        Tok::Switch if wants_expression => {
            "`switch` is a statement: write it in a function body (`def f(x) { switch (x) { … } \
             }`) or a `do { … }` block and `return` from its arms, or match in an expression \
             with a multi-arm lambda `(p1 -> e1 | p2 -> e2)`"
                .to_string()
        }
        Tok::Return | Tok::While | Tok::For | Tok::Var if wants_expression => format!(
            "{tok} is a statement, not an expression: statements go in a `{{ … }}` function \
             body or a `do {{ … }}` block"
        ),
        Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::EqEq | Tok::NotEq => {
            "comparisons do not chain: write `a < b && b < c`".to_string()
        }
        Tok::Else => {
            "an `if` expression needs `else`; an `if` statement needs `{ … }` blocks".to_string()
        }
        Tok::Ident("default") => "a `switch` has no `default`: make the last arm `case _:`, \
                                  which matches every other value"
            .to_string(),
        _ => return None,
    };
    Some(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assignment_in_a_condition_is_found_past_brackets_in_strings() {
        let said = |before: &str| assignment_in_condition(before, &Tok::Eq).is_some();
        assert!(said("def f(x) {\n  if (x "));
        assert!(said("def f(x) {\n  while (g(\")\") "));
        // the innermost open bracket is a call's, not the condition's
        assert!(!said("def f(x) {\n  if (g(x "));
        assert!(!said("def f(x "));
    }
}
