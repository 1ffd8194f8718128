//! Parsing: the lexer feeds the LALRPOP parser generated from `grammar/mix.lalrpop`; syntax
//! errors are turned into diagnostics with the expected tokens put into words.

pub(crate) mod cover;
mod expected;
mod hints;
pub(crate) mod seq;

#[allow(clippy::all, unused_parens, unused_imports, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/mix.rs"));
}

use lalrpop_util::ParseError;
use mix_diagnostics::{Diagnostic, LineDirective, Span};

use crate::ast::{Item, ItemKind, SourceFile};
use crate::codes;
use crate::lexer::Lexer;
use crate::token::Tok;
use crate::trivia::Trivia;
use crate::validate;

/// Options that change what the parser accepts.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseOptions {
    /// Standard library sources may name primitives (`$string_split`).
    pub allow_primitives: bool,
}

/// Everything parsing one source text produces. Parsing never fails: a file with errors still
/// has an AST, with error nodes where the parser recovered.
#[derive(Debug)]
pub struct Parsed {
    pub file: SourceFile,
    pub trivia: Trivia,
    pub directives: Vec<LineDirective>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub fn parse(source: &str) -> Parsed {
    parse_with(source, ParseOptions::default())
}

pub fn parse_with(source: &str, options: ParseOptions) -> Parsed {
    let whole = Span::new(0, source.len().min(u32::MAX as usize) as u32);
    if source.len() > u32::MAX as usize {
        let diagnostic = Diagnostic::error(
            codes::SOURCE_TOO_LARGE,
            "source file is larger than 4 GiB",
            Span::point(0),
        );
        return Parsed {
            file: SourceFile {
                items: Vec::new(),
                span: whole,
            },
            trivia: Trivia::default(),
            directives: Vec::new(),
            diagnostics: vec![diagnostic],
        };
    }
    let mut lexer = Lexer::new(source);
    let mut cx = cover::Cx::default();
    let result = generated::FileParser::new().parse(&mut cx, &mut lexer);
    let lexed = lexer.finish();
    let mut diagnostics = lexed.diagnostics;
    let mut file = match result {
        Ok(file) => file,
        Err(error) => {
            if !lexed.aborted && !follows_error_token(source, &lexed.error_tokens, &error) {
                diagnostics.extend(syntax_error(source, &error));
            }
            SourceFile {
                items: vec![Item {
                    kind: ItemKind::Error,
                    span: whole,
                }],
                span: whole,
            }
        }
    };
    if !lexed.aborted {
        let error_tokens = &lexed.error_tokens;
        let mut syntax_errors = Vec::new();
        for (index, recovery) in cx.recovered.iter().enumerate() {
            if follows_error_token(source, error_tokens, &recovery.error) {
                continue;
            }
            if let Some(diagnostic) = syntax_error(source, &recovery.error) {
                syntax_errors.push((diagnostic, cx.item_level.contains(&index)));
            }
        }
        diagnostics.extend(first_per_phrase(source, syntax_errors));
        diagnostics.append(&mut cx.diagnostics);
    }
    let suspects = cx.unconverted_suspects();
    let mut found = Vec::new();
    let too_deep = validate::check(&file, options, Some(&suspects), &mut found);
    if cfg!(debug_assertions) {
        let mut everything = Vec::new();
        let full_walk = validate::check(&file, options, None, &mut everything);
        assert_eq!(
            (&too_deep, &found),
            (&full_walk, &everything),
            "the validation walk skipped a subtree holding something to report"
        );
    }
    diagnostics.append(&mut found);
    if let Some(too_deep) = too_deep {
        diagnostics.push(too_deep);
        // Dropping the tree would recurse once per level: leak this pathological input instead.
        std::mem::forget(std::mem::take(&mut file.items));
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    diagnostics.dedup_by(|a, b| a.span.start == b.span.start && a.code == b.code);
    cap(&mut diagnostics);
    Parsed {
        file,
        trivia: lexed.trivia,
        directives: lexed.directives,
        diagnostics,
    }
}

/// After a syntax error the parser resumes at the next token that can start an item, which may
/// sit inside the broken definition (`type(T)`, `case` in a switch). Like the original compiler,
/// we treat a line whose first word is a declaration keyword as the start of a phrase and keep
/// one syntax error per phrase, so one typo yields one diagnostic.
fn first_per_phrase(source: &str, mut errors: Vec<(Diagnostic, bool)>) -> Vec<Diagnostic> {
    if errors.len() < 2 {
        return errors.into_iter().map(|(d, _)| d).collect();
    }
    const STARTS: &[&str] = &[
        "def",
        "type",
        "case",
        "private",
        "import",
        "module",
        "foreign",
        "cell",
        "var",
        "live",
        "sync",
        "alias",
        "initializer",
        "on",
        "_pragma_",
        "declare",
        "static",
    ];
    let mut phrase_starts = Vec::new();
    let mut offset = 0usize;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let word_end = trimmed
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        let word = &trimmed[..word_end];
        if STARTS.contains(&word) && !(word == "case" && is_switch_arm(&trimmed[word_end..])) {
            phrase_starts.push((offset + line.len() - trimmed.len()) as u32);
        }
        offset += line.len();
    }
    let phrase_of = |at: u32| phrase_starts.partition_point(|s| *s <= at);
    errors.sort_by_key(|(d, _)| d.span.start);
    let mut kept: Vec<Diagnostic> = Vec::new();
    let mut last_phrase = None;
    for (error, item_level) in errors {
        let phrase = phrase_of(error.span.start);
        // Statement- and element-level errors are separate mistakes: always kept. An
        // item-level one after another error in its phrase is where the parser resumed.
        let cascade = item_level && last_phrase == Some(phrase);
        last_phrase = Some(phrase);
        if !cascade {
            kept.push(error);
        }
    }
    kept
}

/// Whether the rest of a line after `case` is a switch arm (`case p: …`, a `:` outside any
/// brackets) rather than a case declaration (`case name(T)`, colons only inside brackets).
/// After an error inside a switch, its arms belong to the broken definition's phrase.
fn is_switch_arm(rest: &str) -> bool {
    let mut previous = ' ';
    for (c, depth) in crate::brackets::outside_strings(rest) {
        let slash_before = std::mem::replace(&mut previous, c) == '/';
        match c {
            ':' if depth <= 0 => return true,
            // A comment: `case c(T) // note: …` is still a declaration.
            '/' if slash_before => return false,
            _ => {}
        }
    }
    false
}

/// More diagnostics than this help nobody (a binary file, a 10 MB line of garbage): the rest
/// are summarised in one note.
pub const MAX_DIAGNOSTICS: usize = 200;

fn cap(diagnostics: &mut Vec<Diagnostic>) {
    if diagnostics.len() > MAX_DIAGNOSTICS {
        let hidden = diagnostics.len() - MAX_DIAGNOSTICS;
        diagnostics.truncate(MAX_DIAGNOSTICS);
        if let Some(last) = diagnostics.last_mut() {
            last.notes
                .push(format!("{hidden} more diagnostic(s) not shown"));
        }
    }
}

/// A syntax error right after a lexical error token is a consequence of it (already reported).
fn follows_error_token(source: &str, error_tokens: &[Span], error: &LalrpopError<'_>) -> bool {
    let at = match error {
        ParseError::UnrecognizedToken {
            token: (l, _, _), ..
        }
        | ParseError::ExtraToken { token: (l, _, _) } => *l,
        _ => return false,
    };
    let before = source.get(..at).unwrap_or_default().trim_end();
    let end = before.len() as u32;
    error_tokens.binary_search_by_key(&end, |s| s.end).is_ok()
}

type LalrpopError<'a> = ParseError<usize, Tok<'a>, std::convert::Infallible>;

fn syntax_error(source: &str, error: &LalrpopError<'_>) -> Option<Diagnostic> {
    match error {
        ParseError::UnrecognizedToken {
            token: (_, Tok::Error, _),
            ..
        } => None,
        ParseError::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => {
            let span = Span::new(*l as u32, *r as u32);
            let wanted = expected::describe(expected);
            let mut diagnostic =
                Diagnostic::error(codes::UNEXPECTED_TOKEN, format!("unexpected {tok}"), span);
            if let Some(wanted) = wanted {
                diagnostic = diagnostic.with_label(span, format!("expected {wanted}"));
                diagnostic.message = format!("unexpected {tok}, expected {wanted}");
            }
            let before = &source[..(*l).min(source.len())];
            if let Some(help) = hints::help(before, tok, expected) {
                diagnostic = diagnostic.with_help(help);
            }
            Some(diagnostic)
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let end = (*location).min(source.len()) as u32;
            let mut message = "unexpected end of file".to_string();
            if let Some(wanted) = expected::describe(expected) {
                message = format!("{message}, expected {wanted}");
            }
            Some(Diagnostic::error(
                codes::UNEXPECTED_EOF,
                message,
                Span::point(end),
            ))
        }
        ParseError::ExtraToken { token: (l, tok, r) } => Some(Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            format!("unexpected {tok}"),
            Span::new(*l as u32, *r as u32),
        )),
        ParseError::InvalidToken { location } => Some(Diagnostic::error(
            codes::INVALID_CHARACTER,
            "invalid token",
            Span::point(*location as u32),
        )),
        ParseError::User { error } => match *error {},
    }
}
