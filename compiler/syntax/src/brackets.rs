//! A textual look at brackets, for decisions made before or beside parsing (where a REPL input
//! is complete, which line of a broken file starts a new phrase): the characters outside
//! string literals, each with the bracket depth after it.

/// The characters of `text` outside `"…"` strings (escapes inside them honoured), each with
/// the depth of `(`, `[`, `{` after it. Quotes and string contents are skipped.
pub fn outside_strings(text: &str) -> impl Iterator<Item = (char, i64)> + '_ {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    text.chars().filter_map(move |c| {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            return None;
        }
        match c {
            '"' => {
                in_string = true;
                return None;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        Some((c, depth))
    })
}

#[cfg(test)]
mod tests {
    use super::outside_strings;

    #[test]
    fn strings_are_skipped_and_depths_follow_the_brackets() {
        let seen: Vec<(char, i64)> = outside_strings("f(\"(\\\"\", [x])").collect();
        assert_eq!(
            seen,
            [
                ('f', 0),
                ('(', 1),
                (',', 1),
                (' ', 1),
                ('[', 2),
                ('x', 2),
                (']', 1),
                (')', 0)
            ]
        );
    }
}
