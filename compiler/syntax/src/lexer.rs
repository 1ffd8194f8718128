//! The lexer: logos recognises raw tokens; this layer decodes literals, files comments and
//! directives in the trivia table, enforces the nesting limit, and turns every lexical problem
//! into a diagnostic plus (where the parser needs something) an error token. It never fails.

use logos::Logos;
use mix_diagnostics::{Diagnostic, LineDirective, Span};

use crate::codes;
use crate::token::Tok;
use crate::trivia::{Comment, CommentKind, Trivia};

/// Deeper bracket nesting than this is refused with one "too deeply nested" diagnostic, so no
/// later recursive pass can exhaust the stack.
pub const MAX_BRACKET_DEPTH: u32 = 1000;

#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
enum Raw {
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*")]
    BlockCommentStart,
    #[token("\"")]
    Quote,
    #[token("\"\"\"")]
    TripleQuote,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[regex(r"\$[A-Za-z_][A-Za-z0-9_]*")]
    Primitive,
    #[regex(r"[0-9][0-9_]*")]
    Int,
    #[regex(r"0[xX][0-9A-Fa-f_]+")]
    HexInt,
    #[regex(r"0[bB][01_]+")]
    BinInt,
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?")]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+")]
    Float,
    #[regex(r"~[A-Za-z]+")]
    TildeWord,

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("===")]
    EqEqEq,
    #[token("!==")]
    NotEqEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("==:ci")]
    EqEqCi,
    #[token("!=:ci")]
    NotEqCi,
    #[token("<:ci")]
    LtCi,
    #[token("<=:ci")]
    LeCi,
    #[token(">:ci")]
    GtCi,
    #[token(">=:ci")]
    GeCi,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("->")]
    Arrow,
    #[token("|>")]
    PipeGt,
    #[token("|")]
    Bar,
    #[token("++")]
    PlusPlus,
    #[token("?")]
    Question,
    #[token("^")]
    Caret,
    #[token("'")]
    Prime,
    #[token("@")]
    At,
    #[token("#")]
    Hash,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(";;")]
    DoubleSemi,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("=")]
    Eq,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
}

fn keyword(word: &str) -> Option<Tok<'static>> {
    use Tok::*;
    Some(match word {
        "module" => Module,
        "end" => End,
        "import" => Import,
        "declare" => Declare,
        "def" => Def,
        "type" => Type,
        "case" => Case,
        "private" => Private,
        "let" => Let,
        "var" => Var,
        "in" => In,
        "if" => If,
        "else" => Else,
        "switch" => Switch,
        "while" => While,
        "for" => For,
        "return" => Return,
        "do" => Do,
        "try" => Try,
        "action" => Action,
        "with" => With,
        "not" => Not,
        "of" => Of,
        "null" => Null,
        "true" => True,
        "false" => False,
        "undefined" => Undefined,
        "self" => SelfKw,
        "global" => Global,
        "foreign" => Foreign,
        "cell" => Cell,
        "live" => Live,
        "sync" => Sync,
        "alias" => Alias,
        "initializer" => Initializer,
        "on" => On,
        "when" => When,
        "static" => Static,
        "_meta_" => Meta,
        "_pragma_" => Pragma,
        "_source_" => Source,
        "_escJSON_" => EscJson,
        _ => return None,
    })
}

fn punctuation(raw: Raw) -> Tok<'static> {
    use Tok::*;
    match raw {
        Raw::Plus => Plus,
        Raw::Minus => Minus,
        Raw::Star => Star,
        Raw::Slash => Slash,
        Raw::Percent => Percent,
        Raw::EqEq => EqEq,
        Raw::NotEq => NotEq,
        Raw::EqEqEq => EqEqEq,
        Raw::NotEqEq => NotEqEq,
        Raw::Lt => Lt,
        Raw::Le => Le,
        Raw::Gt => Gt,
        Raw::Ge => Ge,
        Raw::EqEqCi => EqEqCi,
        Raw::NotEqCi => NotEqCi,
        Raw::LtCi => LtCi,
        Raw::LeCi => LeCi,
        Raw::GtCi => GtCi,
        Raw::GeCi => GeCi,
        Raw::AndAnd => AndAnd,
        Raw::OrOr => OrOr,
        Raw::Arrow => Arrow,
        Raw::PipeGt => PipeGt,
        Raw::Bar => Bar,
        Raw::PlusPlus => PlusPlus,
        Raw::Question => Question,
        Raw::Caret => Caret,
        Raw::Prime => Prime,
        Raw::At => At,
        Raw::Hash => Hash,
        Raw::Colon => Colon,
        Raw::Semi => Semi,
        Raw::DoubleSemi => DoubleSemi,
        Raw::Comma => Comma,
        Raw::Dot => Dot,
        Raw::DotDot => DotDot,
        Raw::Eq => Eq,
        Raw::LParen => LParen,
        Raw::RParen => RParen,
        Raw::LBracket => LBracket,
        Raw::RBracket => RBracket,
        Raw::LBrace => LBrace,
        Raw::RBrace => RBrace,
        // Every raw kind with a payload or trivia is handled before this is called.
        _ => Error,
    }
}

/// Everything the lexer learned besides the tokens.
#[derive(Debug, Default)]
pub struct LexOutput {
    pub trivia: Trivia,
    pub directives: Vec<LineDirective>,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when lexing stopped early (nesting limit): later parse errors are consequences.
    pub aborted: bool,
    /// Spans of the error tokens given to the parser, in order: a syntax error right after
    /// one is a consequence, not a second mistake.
    pub error_tokens: Vec<Span>,
}

pub type Spanned<'a> = Result<(usize, Tok<'a>, usize), std::convert::Infallible>;

pub struct Lexer<'a> {
    source: &'a str,
    raw: logos::Lexer<'a, Raw>,
    depth: u32,
    push_depth: u32,
    out: LexOutput,
    done: bool,
    last_was_invalid_char: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(source: &'a str) -> Lexer<'a> {
        let mut raw = Raw::lexer(source);
        if source.starts_with('\u{FEFF}') {
            raw.bump('\u{FEFF}'.len_utf8());
        }
        Lexer {
            source,
            raw,
            depth: 0,
            push_depth: 0,
            out: LexOutput::default(),
            done: false,
            last_was_invalid_char: false,
        }
    }

    pub fn finish(self) -> LexOutput {
        self.out
    }

    fn error(&mut self, code: &'static str, message: impl Into<String>, span: Span) {
        self.out
            .diagnostics
            .push(Diagnostic::error(code, message, span));
    }

    fn span(&self) -> Span {
        let r = self.raw.span();
        Span::new(r.start as u32, r.end as u32)
    }

    fn at_line_start(&self, offset: usize) -> bool {
        offset == 0 || self.source.as_bytes()[offset - 1] == b'\n'
    }

    /// 0-based physical line of `offset`.
    fn line_index(&self, offset: usize) -> u32 {
        self.source.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32
    }

    fn block_comment(&mut self, start: usize) -> Option<Tok<'a>> {
        match self.raw.remainder().find("*/") {
            Some(end) => {
                self.raw.bump(end + 2);
                let span = self.span();
                let text = &self.source[span.range()];
                let kind = if text.starts_with("/**") && text.len() > 4 {
                    CommentKind::DocBlock
                } else {
                    CommentKind::Block
                };
                self.out.trivia.comments.push(Comment {
                    span: Span::new(start as u32, span.end),
                    kind,
                });
                None
            }
            None => {
                let rest = self.raw.remainder().len();
                self.raw.bump(rest);
                self.error(
                    codes::UNTERMINATED_COMMENT,
                    "unterminated block comment",
                    Span::new(start as u32, start as u32 + 2),
                );
                None
            }
        }
    }

    fn raw_string(&mut self) -> Tok<'a> {
        match self.raw.remainder().find("\"\"\"") {
            Some(end) => {
                let body = &self.raw.remainder()[..end];
                self.raw.bump(end + 3);
                Tok::Str(body.into())
            }
            None => {
                let rest = self.raw.remainder().len();
                self.raw.bump(rest);
                let start = self.raw.span().start as u32;
                self.error(
                    codes::UNTERMINATED_STRING,
                    "unterminated raw string: `\"\"\"` is never closed",
                    Span::new(start, start + 3),
                );
                Tok::Error
            }
        }
    }

    fn quoted_string(&mut self) -> Tok<'a> {
        let start = self.raw.span().start;
        let rest = self.raw.remainder();
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let mut ok = true;
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.raw.bump(i + 1);
                    return if ok {
                        Tok::Str(value.into())
                    } else {
                        Tok::Error
                    };
                }
                '\n' => break,
                '\\' => {
                    let escape_start = start + 1 + i;
                    // A backslash ending the line or file: the unterminated string says it all.
                    if matches!(rest[i + 1..].chars().next(), None | Some('\n')) {
                        break;
                    }
                    match decode_escape(&mut chars) {
                        Ok(decoded) => value.push(decoded),
                        Err((message, len)) => {
                            ok = false;
                            let span = Span::new(escape_start as u32, (escape_start + len) as u32);
                            self.error(codes::INVALID_ESCAPE, message, span);
                        }
                    }
                }
                c => value.push(c),
            }
        }
        let line_end = rest.find('\n').unwrap_or(rest.len());
        self.raw.bump(line_end);
        self.out.diagnostics.push(
            Diagnostic::error(
                codes::UNTERMINATED_STRING,
                "unterminated string",
                Span::new(start as u32, (start + 1 + line_end) as u32),
            )
            .with_help(
                "close it with `\"`; strings cannot span lines, use `\"\"\"…\"\"\"` for that",
            ),
        );
        Tok::Error
    }

    fn directive(&mut self, start: usize) -> bool {
        let rest = self.raw.remainder();
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line = &rest[..line_end];
        let name_end = line
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(line.len());
        let name = &line[..name_end];
        if !matches!(name, "line" | "push" | "pop") {
            return false;
        }
        self.raw.bump(line_end);
        let span = Span::new(start as u32, (start + 1 + line_end) as u32);
        let line_index = self.line_index(start);
        self.out.trivia.directives.push(span);
        match (name, parse_directive_args(&line[name_end..])) {
            ("pop", Some((None, None))) => {
                if self.push_depth == 0 {
                    self.error(
                        codes::BAD_DIRECTIVE,
                        "`#pop` without a matching `#push`",
                        span,
                    );
                } else {
                    self.push_depth -= 1;
                    self.out.directives.push(LineDirective::Pop { line_index });
                }
            }
            ("line", Some((Some(line), file))) => self.out.directives.push(LineDirective::Set {
                line_index,
                line,
                file,
            }),
            ("push", Some((Some(line), file))) => {
                self.push_depth += 1;
                self.out.directives.push(LineDirective::Push {
                    line_index,
                    line,
                    file,
                });
            }
            _ => self.out.diagnostics.push(
                Diagnostic::error(
                    codes::BAD_DIRECTIVE,
                    format!("malformed `#{name}` directive"),
                    span,
                )
                .with_help("write `#line N \"file\"` or `#push N \"file\"` (N from 1) or `#pop`"),
            ),
        }
        true
    }

    fn number(&mut self, raw: Raw) -> Tok<'a> {
        let text: String = self.raw.slice().chars().filter(|c| *c != '_').collect();
        let parsed = match raw {
            Raw::Int => text.parse::<i64>().map(Tok::Int).ok(),
            Raw::HexInt => i64::from_str_radix(&text[2..], 16).map(Tok::Int).ok(),
            Raw::BinInt => i64::from_str_radix(&text[2..], 2).map(Tok::Int).ok(),
            _ => text
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Tok::Float),
        };
        parsed.unwrap_or_else(|| {
            let span = self.span();
            self.out.diagnostics.push(
                Diagnostic::error(codes::BAD_NUMBER, "number literal out of range", span)
                    .with_help(
                        "integers must fit in 64 bits; write large values as floats (`1e30`)",
                    ),
            );
            Tok::Error
        })
    }

    fn open(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_BRACKET_DEPTH {
            let span = self.span();
            self.out.diagnostics.push(
                Diagnostic::error(
                    codes::TOO_DEEP,
                    format!("too deeply nested: more than {MAX_BRACKET_DEPTH} open brackets"),
                    span,
                )
                .with_help("split the expression into named definitions"),
            );
            self.out.aborted = true;
            self.done = true;
            return false;
        }
        true
    }

    /// `??` and `?.` from other languages are never meaningful in Mix (`e?` is a bool): an
    /// error with what to write instead. The tokens stay as they are (`?` then `?` or `.`), so
    /// the parse goes on, and a syntax error right after them is not reported again.
    fn foreign_question(&mut self) {
        let end = self.raw.span().end;
        let rest = &self.source[end..];
        let help = if rest.starts_with('?') {
            "a missing value is `undefined`: test it with `e?` (`if (m.(k)?) m.(k) else d`), or \
             use `map.getWithDefault(k, d, m)` or `option.withDefault(d, o)`"
        } else if rest.starts_with('.') && !rest.starts_with("..") {
            "a missing field is already `undefined`, and reading through it gives `undefined` \
             too: write `a.b`, and test the result with `?`"
        } else {
            return;
        };
        let start = self.raw.span().start as u32;
        // Like an invalid token: a syntax error right after it is its consequence.
        self.out.error_tokens.push(Span::new(start, end as u32 + 1));
        self.out.diagnostics.push(
            Diagnostic::error(
                codes::INVALID_CHARACTER,
                format!(
                    "`{}` is not an operator in Mix",
                    &self.source[start as usize..end + 1]
                ),
                Span::new(start, end as u32 + 1),
            )
            .with_help(help),
        );
    }

    fn next_token(&mut self) -> Option<(usize, Tok<'a>, usize)> {
        loop {
            if self.done {
                return None;
            }
            let raw = self.raw.next()?;
            let start = self.raw.span().start;
            let tok = match raw {
                Err(()) => {
                    let span = self.span();
                    // A run of invalid characters (`中文`, a pasted symbol) is one mistake.
                    if self.last_was_invalid_char {
                        if let Some(last) = self.out.error_tokens.last_mut() {
                            if last.end == span.start {
                                last.end = span.end;
                                if let Some(d) = self.out.diagnostics.last_mut() {
                                    d.span.end = span.end;
                                    d.message = "unexpected characters".to_string();
                                }
                                continue;
                            }
                        }
                    }
                    self.last_was_invalid_char = true;
                    let ch = self.source[span.range()].chars().next().unwrap_or('?');
                    let mut diagnostic = Diagnostic::error(
                        codes::INVALID_CHARACTER,
                        format!("unexpected character `{}`", ch.escape_debug()),
                        span,
                    );
                    if let Some(help) = character_help(ch) {
                        diagnostic = diagnostic.with_help(help);
                    }
                    self.out.diagnostics.push(diagnostic);
                    Tok::Error
                }
                Ok(Raw::LineComment) => {
                    let span = self.span();
                    let text = &self.source[span.range()];
                    let kind = if text.starts_with("///") && !text.starts_with("////") {
                        CommentKind::Doc
                    } else {
                        CommentKind::Line
                    };
                    self.out.trivia.comments.push(Comment { span, kind });
                    continue;
                }
                Ok(Raw::BlockCommentStart) => {
                    self.block_comment(start);
                    continue;
                }
                Ok(Raw::Hash) if self.at_line_start(start) && self.directive(start) => continue,
                Ok(Raw::Quote) => self.quoted_string(),
                Ok(Raw::TripleQuote) => self.raw_string(),
                Ok(Raw::Ident) => {
                    let text = self.raw.slice();
                    keyword(text).unwrap_or(Tok::Ident(text))
                }
                Ok(Raw::Primitive) => Tok::Primitive(self.raw.slice()),
                Ok(Raw::Question) => {
                    self.foreign_question();
                    Tok::Question
                }
                Ok(raw @ (Raw::Int | Raw::HexInt | Raw::BinInt | Raw::Float)) => self.number(raw),
                Ok(Raw::TildeWord) => match self.raw.slice() {
                    "~regex" => Tok::TildeRegex,
                    "~multiple" => Tok::TildeMultiple,
                    "~optional" => Tok::TildeOptional,
                    "~forall" => Tok::TildeForall,
                    other => {
                        let span = self.span();
                        self.out.diagnostics.push(
                            Diagnostic::error(codes::INVALID_CHARACTER, format!("unknown modifier `{other}`"), span)
                                .with_help("the modifiers are `~regex`, `~multiple`, `~optional` and `~forall`"),
                        );
                        Tok::Error
                    }
                },
                Ok(raw @ (Raw::LParen | Raw::LBracket | Raw::LBrace)) => {
                    if !self.open() {
                        return None;
                    }
                    punctuation(raw)
                }
                Ok(raw @ (Raw::RParen | Raw::RBracket | Raw::RBrace)) => {
                    self.depth = self.depth.saturating_sub(1);
                    punctuation(raw)
                }
                Ok(raw) => punctuation(raw),
            };
            if !matches!(raw, Err(())) {
                self.last_was_invalid_char = false;
            }
            let end = self.raw.span().end;
            if tok == Tok::Error {
                self.out
                    .error_tokens
                    .push(Span::new(start as u32, end as u32));
            }
            return Some((start, tok, end));
        }
    }
}

/// The arguments of a directive: an optional line number (from 1) and an optional quoted file
/// name (which may contain spaces), then nothing but an optional `//` comment.
fn parse_directive_args(args: &str) -> Option<(Option<u32>, Option<String>)> {
    let mut rest = args.trim_start();
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let line = if digits > 0 {
        let n: u32 = rest[..digits].parse().ok().filter(|n| *n >= 1)?;
        rest = rest[digits..].trim_start();
        Some(n)
    } else {
        None
    };
    let mut file = None;
    if let Some(quoted) = rest.strip_prefix('"') {
        let close = quoted.find('"')?;
        file = Some(quoted[..close].to_string());
        rest = quoted[close + 1..].trim_start();
    }
    (rest.is_empty() || rest.starts_with("//")).then_some((line, file))
}

/// Decodes one escape after `\`. On error returns the message and the escape's byte length.
fn decode_escape(chars: &mut std::str::CharIndices<'_>) -> Result<char, (String, usize)> {
    let Some((_, c)) = chars.next() else {
        return Err(("unfinished escape at end of line".into(), 1));
    };
    Ok(match c {
        '"' => '"',
        '\\' => '\\',
        '/' => '/',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'u' => return decode_unicode_escape(chars),
        '\n' => return Err(("unfinished escape at end of line".into(), 1)),
        other => {
            return Err((
                format!("unknown escape `\\{other}`; the escapes are \\\" \\\\ \\/ \\n \\r \\t \\b \\f \\uXXXX \\u{{…}}"),
                1 + other.len_utf8(),
            ))
        }
    })
}

fn decode_unicode_escape(chars: &mut std::str::CharIndices<'_>) -> Result<char, (String, usize)> {
    let mut lookahead = chars.clone();
    let digits: String = if lookahead.next().map(|(_, c)| c) == Some('{') {
        let mut digits = String::new();
        loop {
            match lookahead.next() {
                Some((_, '}')) => break,
                Some((_, c)) if c.is_ascii_hexdigit() && digits.len() < 6 => digits.push(c),
                _ => {
                    return Err((
                        "malformed `\\u{…}` escape: expected 1 to 6 hex digits and `}`".into(),
                        2,
                    ))
                }
            }
        }
        *chars = lookahead;
        if digits.is_empty() {
            return Err(("empty `\\u{}` escape".into(), 4));
        }
        digits
    } else {
        let digits: String = chars.clone().take(4).map(|(_, c)| c).collect();
        if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(("malformed `\\u` escape: expected 4 hex digits".into(), 2));
        }
        chars.nth(3);
        digits
    };
    let len = digits.len() + 2;
    u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| (format!("`\\u{digits}` is not a Unicode scalar value"), len))
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_token().map(Ok)
    }
}

/// All tokens of `source` with their spans, plus what the lexer learned (tests and tools).
pub fn tokenize(source: &str) -> (Vec<(Span, Tok<'_>)>, LexOutput) {
    let mut lexer = Lexer::new(source);
    let mut tokens = Vec::new();
    while let Some((start, tok, end)) = lexer.next_token() {
        tokens.push((Span::new(start as u32, end as u32), tok));
    }
    (tokens, lexer.finish())
}

/// What a character Mix does not use was probably meant as, written the Mix way.
fn character_help(ch: char) -> Option<&'static str> {
    match ch {
        '~' => Some("a regex literal is written `~regex \"pattern\"`"),
        '`' => Some("strings are written in double quotes: `\"text\"`"),
        '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' => {
            Some("a typographic quote: strings are written in plain double quotes `\"`")
        }
        _ => None,
    }
}
