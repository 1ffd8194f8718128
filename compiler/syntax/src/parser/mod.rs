//! Parsing: the lexer feeds the LALRPOP parser generated from `grammar/mix.lalrpop`; syntax
//! errors are turned into diagnostics with the expected tokens put into words.

pub(crate) mod cover;
mod expected;
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
            let wants_expression = expected::wants_expression(expected);
            if let Some(wanted) = wanted {
                diagnostic = diagnostic.with_label(span, format!("expected {wanted}"));
                diagnostic.message = format!("unexpected {tok}, expected {wanted}");
            }
            let before = &source[..(*l).min(source.len())];
            let diagnostic = match loop_header_hint(before, tok)
                .or_else(|| assignment_in_condition_hint(before, tok))
                .or_else(|| other_language_hint(before, tok, expected::wants_definition(expected)))
            {
                Some(help) => diagnostic.with_help(help),
                None => hint_for(diagnostic, tok, wants_expression),
            };
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

/// The help for a `for` header written as in another language, `before` being the source up
/// to the unexpected token: `for (x in xs)` (Python, missing `let`) and `for (let x of xs)`
/// (JavaScript's `of`). Mix iterates a stream with `for (let x in s)`.
fn loop_header_hint(before: &str, tok: &Tok<'_>) -> Option<String> {
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

/// The help for `=` inside the condition of an `if` or `while` (`if (x = 1)`): a comparison
/// was meant. `before` is the source up to the `=`.
fn assignment_in_condition_hint(before: &str, tok: &Tok<'_>) -> Option<String> {
    if !matches!(tok, Tok::Eq) {
        return None;
    }
    // the innermost bracket still open before the `=`
    let mut depth = 0usize;
    let open = before.char_indices().rev().find_map(|(i, c)| {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth > 0 => depth -= 1,
            '(' => return Some(i),
            '[' | '{' => return Some(usize::MAX),
            _ => {}
        }
        None
    })?;
    let word = before
        .get(..open)?
        .trim_end()
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    matches!(word, "if" | "while")
        .then(|| "`=` assigns (a `var`, as a statement); to compare, write `==`".to_string())
}

/// The help for a word or form another language uses where Mix has its own, `before` being the
/// source up to the unexpected token `tok`.
fn other_language_hint(before: &str, tok: &Tok<'_>, wants_definition: bool) -> Option<String> {
    let line = before.rsplit('\n').next().unwrap_or(before);
    let last_word = |text: &str| {
        text.trim_end()
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .map(str::to_string)
    };
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
        Tok::Ident(_) if line.trim_end().ends_with("mut") => {
            "Mix has no `mut`: `var y = …` declares a variable that can be assigned"
        }
        Tok::LBrace | Tok::LParen
            if ["elif", "elsif", "elseif"]
                .iter()
                .any(|w| line.split(|c: char| !c.is_alphanumeric()).any(|x| x == *w)) =>
        {
            "Mix writes `else if`"
        }
        Tok::LBrace if last_word(before).as_deref() == Some("import") => {
            "a module is imported by name, `import geo` (or `import g = geo`), and its \
             definitions used as `geo.name`"
        }
        _ => return None,
    };
    Some(help.to_string())
}

/// Hints for the mistakes people coming from other languages make most.
fn hint_for(diagnostic: Diagnostic, tok: &Tok<'_>, wants_expression: bool) -> Diagnostic {
    match tok {
        Tok::Switch if wants_expression => diagnostic.with_help(
            "`switch` is a statement: write it in a function body (`def f(x) { switch (x) { … } \
             }`) or a `do { … }` block and `return` from its arms, or match in an expression \
             with a multi-arm lambda `(p1 -> e1 | p2 -> e2)`",
        ),
        Tok::Return | Tok::While | Tok::For | Tok::Var if wants_expression => {
            diagnostic.with_help(format!(
                "{tok} is a statement, not an expression: statements go in a `{{ … }}` \
                 function body or a `do {{ … }}` block"
            ))
        }
        Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge | Tok::EqEq | Tok::NotEq => {
            diagnostic.with_help("comparisons do not chain: write `a < b && b < c`")
        }
        Tok::Else => diagnostic
            .with_help("an `if` expression needs `else`; an `if` statement needs `{ … }` blocks"),
        Tok::Ident("default") => diagnostic.with_help(
            "a `switch` has no `default`: make the last arm `case _:`, which matches every \
             other value",
        ),
        _ => diagnostic,
    }
}
