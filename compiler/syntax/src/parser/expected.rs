//! Puts LALRPOP's expected-terminal lists into words ("an expression", "`)`").

/// Terminals that can start an expression; when most of them are expected, we say so.
const EXPRESSION_STARTS: &[&str] = &[
    "Ident", "Int", "Str", "\"(\"", "\"[\"", "\"{\"", "\"-\"", "\"not\"",
];

/// Whether most of the terminals that start an expression are expected: the parser wants an
/// expression there.
pub fn wants_expression(expected: &[String]) -> bool {
    EXPRESSION_STARTS
        .iter()
        .filter(|t| expected.iter().any(|e| e == *t))
        .count()
        >= 5
}

/// Whether a definition may start here (the parser is between items).
pub fn wants_definition(expected: &[String]) -> bool {
    let has = |t: &str| expected.iter().any(|e| e == t);
    has("\"def\"") && has("\"type\"") && has("\"import\"")
}

pub fn describe(expected: &[String]) -> Option<String> {
    if expected.is_empty() {
        return None;
    }
    let mut words: Vec<String> = Vec::new();
    let expression = wants_expression(expected);
    if expression {
        words.push("an expression".into());
    }
    let is_def_start = wants_definition(expected);
    if is_def_start {
        words.push("a definition".into());
    }
    for terminal in expected {
        if expression
            && (EXPRESSION_STARTS.contains(&terminal.as_str()) || is_expression_only(terminal))
        {
            continue;
        }
        if is_def_start && is_item_start(terminal) {
            continue;
        }
        let word = match terminal.as_str() {
            "Ident" => "a name".to_string(),
            "Int" | "Float" => "a number".to_string(),
            "Str" => "a string".to_string(),
            "Primitive" | "ErrorTok" => continue,
            quoted => format!("`{}`", quoted.trim_matches('"').replace("\\\"", "\"")),
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.len() {
        0 => None,
        1 => Some(words.remove(0)),
        n if n > 6 => {
            words.truncate(5);
            Some(format!("{}, …", words.join(", ")))
        }
        _ => {
            let last = words.pop().unwrap_or_default();
            Some(format!("{} or {}", words.join(", "), last))
        }
    }
}

fn is_expression_only(terminal: &str) -> bool {
    matches!(
        terminal,
        "Float"
            | "Primitive"
            | "ErrorTok"
            | "\"null\""
            | "\"true\""
            | "\"false\""
            | "\"undefined\""
            | "\"self\""
            | "\"global\""
            | "\"do\""
            | "\"action\""
            | "\"type\""
            | "\"_escJSON_\""
            | "\"~regex\""
            | "\"~multiple\""
            | "\"~optional\""
            | "\".\""
            | "\"let\""
            | "\"if\""
            | "\"try\""
    )
}

fn is_item_start(terminal: &str) -> bool {
    matches!(
        terminal,
        "\"module\""
            | "\"static\""
            | "\"import\""
            | "\"declare\""
            | "\"def\""
            | "\"type\""
            | "\"case\""
            | "\"private\""
            | "\"foreign\""
            | "\"_pragma_\""
            | "\"_source_\""
            | "\"var\""
            | "\"live\""
            | "\"sync\""
            | "\"cell\""
            | "\"alias\""
            | "\"initializer\""
            | "\"on\""
            | "\";;\""
    )
}

#[cfg(test)]
mod tests {
    use super::describe;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn many_expression_starts_become_one_word() {
        let expected = strings(&[
            "Ident", "Int", "Str", "\"(\"", "\"[\"", "\"{\"", "\"-\"", "\"not\"", "\"null\"",
        ]);
        assert_eq!(describe(&expected).as_deref(), Some("an expression"));
    }

    #[test]
    fn punctuation_is_quoted() {
        assert_eq!(
            describe(&strings(&["\")\"", "\",\""])).as_deref(),
            Some("`)` or `,`")
        );
    }
}
