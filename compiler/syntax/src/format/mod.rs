//! The formatter: AST plus trivia to a width-based pretty document. It proves its own safety:
//! the output is re-parsed, and the formatter refuses (returning an error, writing nothing) if
//! the program's tree or its comments would change.

mod doc;
mod printer;

use mix_diagnostics::Diagnostic;

use crate::lexer::Lexer;
use crate::parser::{parse_with, ParseOptions};
use crate::trivia::Trivia;

pub use printer::quote;

#[derive(Clone, Copy, Debug)]
pub struct FormatOptions {
    /// Lines are kept within this many columns where the code allows.
    pub width: usize,
    pub parse: ParseOptions,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions {
            width: 100,
            parse: ParseOptions::default(),
        }
    }
}

#[derive(Debug)]
pub enum FormatError {
    /// The source has syntax errors; formatting needs a clean parse.
    Syntax(Vec<Diagnostic>),
    /// The formatter would have changed the program or lost a comment: a formatter bug. The
    /// source is left alone.
    Unsafe(&'static str),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(d) => write!(f, "the file has {} syntax error(s); fix them first", d.len()),
            FormatError::Unsafe(why) => write!(
                f,
                "refusing to format: the result {why} (a formatter bug; the file was left unchanged)"
            ),
        }
    }
}

/// Formats a whole source file.
pub fn format(source: &str, options: FormatOptions) -> Result<String, FormatError> {
    let parsed = parse_with(source, options.parse);
    let errors: Vec<Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(FormatError::Syntax(errors));
    }
    let output = render(source, &parsed, options.width);
    verify(source, &parsed.file, &parsed.trivia, &output, options)?;
    Ok(output)
}

/// The formatter's raw output without the safety check: for diagnosing formatter bugs only.
pub fn format_unchecked(source: &str, options: FormatOptions) -> String {
    render(source, &parse_with(source, options.parse), options.width)
}

fn render(source: &str, parsed: &crate::Parsed, width: usize) -> String {
    // The output is about as long as the input.
    let mut renderer = doc::Renderer::new(width, source.len() + source.len() / 8 + 16);
    printer::Printer::new(source, &parsed.trivia).file(&parsed.file, &mut |doc| {
        renderer.render(doc);
    });
    let mut output = renderer.finish();
    output.push('\n');
    if output.trim().is_empty() {
        output.clear();
    }
    output
}

fn verify(
    source: &str,
    original: &crate::ast::SourceFile,
    original_trivia: &Trivia,
    output: &str,
    options: FormatOptions,
) -> Result<(), FormatError> {
    if same_tokens(source, original_trivia, output) {
        return Ok(());
    }
    let reparsed = parse_with(output, options.parse);
    if reparsed.has_errors() {
        return Err(FormatError::Unsafe("would not parse"));
    }
    if comment_texts(source, original_trivia) != comment_texts(output, &reparsed.trivia) {
        return Err(FormatError::Unsafe("would lose or reorder a comment"));
    }
    if !crate::spans::same_file(original, &reparsed.file) {
        return Err(FormatError::Unsafe(
            "would change the program's syntax tree",
        ));
    }
    Ok(())
}

/// The cheap proof, tried first: when the output lexes to exactly the source's tokens (payloads
/// included, so `"a"` and `"""a"""` are equal, as they are to the parser) with the same
/// comments and directives and no lexical error, the parser, which reads nothing but the token
/// sequence, builds the same tree. A formatter that changes a token (a parenthesis, a comma)
/// falls back to the full re-parse and tree comparison.
fn same_tokens(source: &str, source_trivia: &Trivia, output: &str) -> bool {
    let mut theirs = Lexer::new(source);
    let mut ours = Lexer::new(output);
    loop {
        match (theirs.next(), ours.next()) {
            (None, None) => break,
            (Some(Ok((_, a, _))), Some(Ok((_, b, _)))) if a == b => {}
            _ => return false,
        }
    }
    let (theirs, ours) = (theirs.finish(), ours.finish());
    theirs.diagnostics.is_empty()
        && ours.diagnostics.is_empty()
        && !ours.aborted
        && comment_texts(source, source_trivia) == comment_texts(output, &ours.trivia)
}

fn comment_texts<'s>(source: &'s str, trivia: &Trivia) -> Vec<&'s str> {
    let comments = trivia.comments.iter().map(|c| c.text(source).trim_end());
    let directives = trivia
        .directives
        .iter()
        .map(|d| source[d.range()].trim_end());
    comments.chain(directives).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify_against(source: &str, output: &str) -> Result<(), FormatError> {
        let parsed = parse_with(source, ParseOptions::default());
        verify(
            source,
            &parsed.file,
            &parsed.trivia,
            output,
            FormatOptions::default(),
        )
    }

    #[test]
    fn the_safety_net_refuses_a_lost_comment() {
        let result = verify_against("def a = 1 // keep\n", "def a = 1\n");
        assert!(matches!(result, Err(FormatError::Unsafe(why)) if why.contains("comment")));
    }

    #[test]
    fn the_safety_net_refuses_a_changed_tree() {
        let result = verify_against("def a = (1 + 2) * 3\n", "def a = 1 + 2 * 3\n");
        assert!(matches!(result, Err(FormatError::Unsafe(why)) if why.contains("tree")));
    }

    #[test]
    fn equal_tokens_prove_a_layout_change_without_a_reparse() {
        let source = "def   a=[1,2] // c\ndef b = \"s\"\n";
        let trivia = parse_with(source, ParseOptions::default()).trivia;
        assert!(same_tokens(
            source,
            &trivia,
            "def a = [1, 2] // c\ndef b = \"s\"\n"
        ));
        // A changed, added or removed token, a lost comment, or a lexical error in the output:
        // no proof (the full re-parse decides).
        for output in [
            "def a = [1, 3] // c\ndef b = \"s\"\n",
            "def a = ([1, 2]) // c\ndef b = \"s\"\n",
            "def a = [1, 2]\ndef b = \"s\"\n",
            "def a = [1, 2] // c\ndef b = \"s\n",
        ] {
            assert!(!same_tokens(source, &trivia, output), "{output}");
        }
    }

    #[test]
    fn the_safety_net_accepts_whitespace_changes() {
        assert!(verify_against("def   a=[1,2]\n", "def a = [1, 2]\n").is_ok());
    }
}
