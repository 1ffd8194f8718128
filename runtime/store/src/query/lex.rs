//! Tokens of the query string form, with byte offsets for error positions.

use super::parse::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    /// Punctuation and operators: `| ( ) { } [ ] , : . $ * ** - + ++ ?? == != < <= > >= && || !`
    /// and the arithmetic `/ %`.
    Punct(&'static str),
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

const PUNCTS: [&str; 27] = [
    "**", "++", "??", "==", "!=", "<=", ">=", "&&", "||", "|", "(", ")", "{", "}", "[", "]", ",",
    ":", ".", "$", "*", "-", "+", "<", ">", "!", "/",
];

pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' {
            let (s, end) = lex_string(src, i)?;
            out.push(Token {
                tok: Tok::Str(s),
                start,
                end,
            });
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            let mut is_float = false;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < bytes.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
                is_float = true;
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
            }
            if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
                let mut k = j + 1;
                if k < bytes.len() && (bytes[k] == b'+' || bytes[k] == b'-') {
                    k += 1;
                }
                if k < bytes.len() && bytes[k].is_ascii_digit() {
                    is_float = true;
                    j = k;
                    while j < bytes.len() && bytes[j].is_ascii_digit() {
                        j += 1;
                    }
                }
            }
            let text = &src[i..j];
            let tok = if is_float {
                Tok::Float(
                    text.parse()
                        .map_err(|_| ParseError::at(src, i, format!("bad number {text}")))?,
                )
            } else {
                match text.parse::<i64>() {
                    Ok(n) => Tok::Int(n),
                    Err(_) => Tok::Float(
                        text.parse()
                            .map_err(|_| ParseError::at(src, i, format!("bad number {text}")))?,
                    ),
                }
            };
            out.push(Token { tok, start, end: j });
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80)
            {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Ident(src[i..j].to_string()),
                start,
                end: j,
            });
            i = j;
            continue;
        }
        if c == b'%' {
            out.push(Token {
                tok: Tok::Punct("%"),
                start,
                end: i + 1,
            });
            i += 1;
            continue;
        }
        match PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            Some(p) => {
                out.push(Token {
                    tok: Tok::Punct(p),
                    start,
                    end: i + p.len(),
                });
                i += p.len();
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(ParseError::at(
                    src,
                    i,
                    format!("unexpected character {ch:?}"),
                ));
            }
        }
    }
    Ok(out)
}

/// A JSON-style string literal starting at `i`; returns the value and the end offset.
fn lex_string(src: &str, i: usize) -> Result<(String, usize), ParseError> {
    let bytes = src.as_bytes();
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => {
                let text = &src[i..=j];
                let s: String = serde_json::from_str(text)
                    .map_err(|e| ParseError::at(src, i, format!("bad string literal: {e}")))?;
                return Ok((s, j + 1));
            }
            _ => j += 1,
        }
    }
    Err(ParseError::at(src, i, "unterminated string".to_string()))
}

/// The end of a balanced `{ … }` JSON object starting at byte `i` (strings respected).
pub fn object_end(src: &str, i: usize) -> Result<usize, ParseError> {
    let bytes = src.as_bytes();
    let mut depth = 0usize;
    let mut j = i;
    while j < bytes.len() {
        match bytes[j] {
            b'"' => {
                let (_, end) = lex_string(src, j)?;
                j = end;
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    Err(ParseError::at(
        src,
        i,
        "unterminated object literal".to_string(),
    ))
}
