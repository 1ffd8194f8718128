//! The formatter's safety net: proof that the output is the same program with the same
//! comments, or a refusal.
//!
//! The full check re-parses the output and compares trees (spans ignored) and comments. A
//! cheaper proof is tried first, item by item, and what it cannot prove goes to the full check:
//! every top-level item's piece of the output either lexes to exactly that item's tokens
//! (payloads included; the parser reads nothing but tokens, so it builds the same tree) or
//! parses alone to the same item. Parsing a piece alone gives the whole-file parse's item
//! because each piece starts on a new line, holds exactly one item and is followed by an item's
//! first keyword (which no item can continue) or the end of the text. An already formatted
//! file is proven by lexing alone.

use super::{FormatError, FormatOptions};
use crate::ast::SourceFile;
use crate::lexer::Lexer;
use crate::parser::parse_with;
use crate::token::Tok;
use crate::trivia::Trivia;
use crate::Parsed;

/// `item_ends`: where each top-level item's piece of `output` ends (empty when unknown).
pub fn verify(
    source: &str,
    parsed: &Parsed,
    output: &str,
    item_ends: &[usize],
    options: FormatOptions,
) -> Result<(), FormatError> {
    if same_items(source, &parsed.file, output, item_ends, options) {
        return Ok(());
    }
    let reparsed = parse_with(output, options.parse);
    if reparsed.has_errors() {
        return Err(FormatError::Unsafe("would not parse"));
    }
    if comment_texts(source, &parsed.trivia) != comment_texts(output, &reparsed.trivia) {
        return Err(FormatError::Unsafe("would lose or reorder a comment"));
    }
    if !crate::spans::same_file(&parsed.file, &reparsed.file) {
        return Err(FormatError::Unsafe(
            "would change the program's syntax tree",
        ));
    }
    Ok(())
}

/// The item-by-item proof (see the module comment). Lexes both texts once, in step, holding
/// only the current item's tokens.
fn same_items(
    source: &str,
    file: &SourceFile,
    output: &str,
    item_ends: &[usize],
    options: FormatOptions,
) -> bool {
    if item_ends.len() != file.items.len() || item_ends.last().is_some_and(|&e| e > output.len()) {
        return false;
    }
    let mut theirs = Tokens::new(source);
    let mut ours = Tokens::new(output);
    let (mut their_item, mut our_item) = (Vec::new(), Vec::new());
    let mut piece_start = 0;
    for (item, &piece_end) in file.items.iter().zip(item_ends) {
        let piece = piece_start..piece_end;
        // Each piece after the first starts on a new line: nothing can join across.
        if piece.start > 0 && !output[piece.clone()].starts_with('\n') {
            return false;
        }
        // Source tokens between items (`;;`) belong to no item; every output token must lie
        // in a piece.
        their_item.clear();
        while let Some((start, tok)) = theirs.next_before(item.span.end as usize) {
            if start >= item.span.start as usize {
                their_item.push(tok);
            }
        }
        our_item.clear();
        while let Some((_, tok)) = ours.next_before(piece.end) {
            our_item.push(tok);
        }
        if their_item != our_item && !parses_alone_to(item, &output[piece.clone()], options) {
            return false;
        }
        piece_start = piece_end;
    }
    if ours.next_before(usize::MAX).is_some() {
        return false;
    }
    while theirs.next_before(usize::MAX).is_some() {}
    let (theirs, ours) = (theirs.finish(), ours.finish());
    theirs.diagnostics.is_empty()
        && ours.diagnostics.is_empty()
        && !ours.aborted
        && ours.directives.is_empty()
        && comment_texts(source, &theirs.trivia) == comment_texts(output, &ours.trivia)
}

/// A lexer with one token of look-ahead.
struct Tokens<'a> {
    lexer: Lexer<'a>,
    ahead: Option<(usize, Tok<'a>)>,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        let mut lexer = Lexer::new(text);
        let ahead = lexer.next().and_then(Result::ok).map(|(s, t, _)| (s, t));
        Tokens { lexer, ahead }
    }

    /// The next token (its start and itself) if it starts before `end`.
    fn next_before(&mut self, end: usize) -> Option<(usize, Tok<'a>)> {
        if self.ahead.as_ref()?.0 >= end {
            return None;
        }
        let next = self
            .lexer
            .next()
            .and_then(Result::ok)
            .map(|(s, t, _)| (s, t));
        std::mem::replace(&mut self.ahead, next)
    }

    fn finish(self) -> crate::lexer::LexOutput {
        self.lexer.finish()
    }
}

/// Whether `piece` parses alone, without any diagnostic, to exactly one item equal to `item`
/// (spans ignored).
fn parses_alone_to(item: &crate::ast::Item, piece: &str, options: FormatOptions) -> bool {
    let parsed = parse_with(piece, options.parse);
    parsed.diagnostics.is_empty()
        && parsed.directives.is_empty()
        && matches!(parsed.file.items.as_slice(), [alone] if crate::spans::same_item(item, alone))
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
    use crate::parser::ParseOptions;

    fn verify_against(source: &str, output: &str) -> Result<(), FormatError> {
        let parsed = parse_with(source, ParseOptions::default());
        verify(source, &parsed, output, &[], FormatOptions::default())
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

    fn items_proof(source: &str, output: &str, ends: &[usize]) -> bool {
        let parsed = parse_with(source, ParseOptions::default());
        same_items(source, &parsed.file, output, ends, FormatOptions::default())
    }

    #[test]
    fn items_whose_tokens_changed_are_proven_by_parsing_them_alone() {
        // The second item loses a `;` the grammar does not need: its tokens differ, its tree
        // does not.
        let source = "def a = 1\ndef f(x) { let y = x; return y; }\ndef c = 3\n";
        let output = "def a = 1\ndef f(x) {\n  let y = x;\n  return y\n}\ndef c = 3\n";
        let ends = [9, output.len() - 11, output.len() - 1];
        assert!(items_proof(source, output, &ends));
        assert!(verify_against(source, output).is_ok());
    }

    #[test]
    fn equal_tokens_prove_a_layout_change_without_a_reparse() {
        let source = "def   a=[1,2] // c\ndef b = \"s\"\n";
        let output = "def a = [1, 2] // c\ndef b = \"s\"\n";
        assert!(items_proof(source, output, &[19, output.len() - 1]));
        // A changed or added token that changes the tree, a lost comment, or a lexical error in
        // the output: no proof (the full re-parse decides).
        for output in [
            "def a = [1, 3] // c\ndef b = \"s\"\n",
            "def a = ([1, 2]) // c\ndef b = \"s\"\n",
            "def a = [1, 2]\ndef b = \"s\"\n",
            "def a = [1, 2] // c\ndef b = \"s\n",
        ] {
            let first = output.find('\n').expect("two lines");
            assert!(
                !items_proof(source, output, &[first, output.len() - 1]),
                "{output}"
            );
        }
    }

    #[test]
    fn the_item_proof_refuses_what_it_cannot_show() {
        let source = "def a = 1\ndef b = (1 + 2) * 3\n";
        // A changed tree inside an item.
        assert!(!items_proof(
            source,
            "def a = 1\ndef b = 1 + 2 * 3\n",
            &[9, 27]
        ));
        // Pieces that do not start on a new line, or do not cover every token.
        assert!(!items_proof(
            source,
            "def a = 1 def b = (1 + 2) * 3\n",
            &[9, 29]
        ));
        assert!(!items_proof(
            source,
            "def a = 1\ndef b = (1 + 2) * 3\ndef c = 2\n",
            &[9, 29]
        ));
        // A piece holding two items.
        assert!(!items_proof(
            "def a = 1\ndef b = 2\n",
            "def a = 1\ndef b = 2\n",
            &[19, 19]
        ));
    }

    #[test]
    fn the_safety_net_accepts_whitespace_changes() {
        assert!(verify_against("def   a=[1,2]\n", "def a = [1, 2]\n").is_ok());
    }
}
