//! The formatter: AST plus trivia to a width-based pretty document. It proves its own safety:
//! the output is re-parsed, and the formatter refuses (returning an error, writing nothing) if
//! the program's tree or its comments would change.

mod doc;
mod printer;
mod verify;

use mix_diagnostics::Diagnostic;

use crate::parser::{parse_with, ParseOptions};

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
    let (output, item_ends) = render(source, &parsed, options.width);
    verify::verify(source, &parsed, &output, &item_ends, options)?;
    Ok(output)
}

/// The formatter's raw output without the safety check: for diagnosing formatter bugs only.
pub fn format_unchecked(source: &str, options: FormatOptions) -> String {
    render(source, &parse_with(source, options.parse), options.width).0
}

/// The formatted text, and where each top-level item's piece of it ends (its leading comments,
/// the item and its trailing comments), for the safety net's item-by-item proof.
fn render(source: &str, parsed: &crate::Parsed, width: usize) -> (String, Vec<usize>) {
    // The output is about as long as the input.
    let mut renderer = doc::Renderer::new(width, source.len() + source.len() / 8 + 16);
    let mut ends = Vec::with_capacity(parsed.file.items.len() + 1);
    printer::Printer::new(source, &parsed.trivia).file(&parsed.file, &mut |doc| {
        renderer.render(doc);
        ends.push(renderer.mark());
    });
    // The last piece is what follows the last item (trailing comments), not an item.
    ends.pop();
    let mut output = renderer.finish();
    // Exactly one line break at the end (a final comment's own line break is already there).
    output.truncate(output.trim_end_matches('\n').len());
    output.push('\n');
    if output.trim().is_empty() {
        output.clear();
        ends.clear();
    }
    (output, ends)
}
