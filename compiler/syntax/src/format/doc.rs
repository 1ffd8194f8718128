//! A width-aware pretty-printing document (after Wadler's "prettier printer"), rendered by a
//! strict stack machine. `Line` is a space when its group fits on the line, else a newline;
//! `HardLine` always breaks and forces every enclosing group to break.

#[derive(Clone, Debug)]
pub enum Doc {
    Nil,
    Text(String),
    /// A space, or a newline at the current indentation.
    Line,
    /// Nothing, or a newline at the current indentation.
    SoftLine,
    HardLine,
    /// Indent the inner document's line breaks by this many more columns.
    Nest(usize, Box<Doc>),
    /// Line breaks inside go to the column where this document starts.
    Align(Box<Doc>),
    Group(Box<Doc>),
    Concat(Vec<Doc>),
    /// The first document when the enclosing group breaks, else the second.
    IfBreak(Box<Doc>, Box<Doc>),
    /// Forces the enclosing group to break without printing anything (after a `//` comment).
    BreakParent,
    /// Text that must start in column 1 (`#line` directives): indentation before it is removed.
    ColumnOne(String),
}

pub fn if_break(broken: Doc, flat: Doc) -> Doc {
    Doc::IfBreak(Box::new(broken), Box::new(flat))
}

pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

pub fn concat(docs: impl IntoIterator<Item = Doc>) -> Doc {
    Doc::Concat(docs.into_iter().collect())
}

pub fn group(doc: Doc) -> Doc {
    Doc::Group(Box::new(doc))
}

pub fn nest(indent: usize, doc: Doc) -> Doc {
    Doc::Nest(indent, Box::new(doc))
}

pub fn align(doc: Doc) -> Doc {
    Doc::Align(Box::new(doc))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Renders `doc` for lines of at most `width` columns (where the content allows).
pub fn render(doc: &Doc, width: usize) -> String {
    let mut out = String::new();
    let mut column = 0usize;
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, doc)) = stack.pop() {
        match doc {
            Doc::Nil => {}
            Doc::Text(s) => {
                out.push_str(s);
                column += s.chars().count();
            }
            Doc::Line | Doc::SoftLine if mode == Mode::Flat => {
                if matches!(doc, Doc::Line) {
                    out.push(' ');
                    column += 1;
                }
            }
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                trim_trailing_spaces(&mut out);
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                column = indent;
            }
            Doc::Nest(extra, inner) => stack.push((indent + extra, mode, inner)),
            Doc::Align(inner) => stack.push((column, mode, inner)),
            Doc::Group(inner) => {
                let flat = mode == Mode::Flat || fits(inner, width.saturating_sub(column), &stack);
                stack.push((indent, if flat { Mode::Flat } else { Mode::Break }, inner));
            }
            Doc::Concat(docs) => stack.extend(docs.iter().rev().map(|d| (indent, mode, d))),
            Doc::IfBreak(broken, flat) => stack.push((
                indent,
                mode,
                if mode == Mode::Break { broken } else { flat },
            )),
            Doc::BreakParent => {}
            Doc::ColumnOne(s) => {
                trim_trailing_spaces(&mut out);
                out.push_str(s);
                column = s.chars().count();
            }
        }
    }
    trim_trailing_spaces(&mut out);
    out
}

fn trim_trailing_spaces(out: &mut String) {
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
}

/// Whether `doc` laid out flat, followed by the rest up to its first line break, fits in
/// `remaining` columns. A hard line inside `doc` never fits.
fn fits(doc: &Doc, remaining: usize, rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut remaining = remaining as isize;
    let mut pending: Vec<(Mode, &Doc)> = vec![(Mode::Flat, doc)];
    let mut rest_index = rest.len();
    // Once the group itself is measured, what follows it up to the next line break counts too.
    let mut in_rest = false;
    loop {
        let (mode, doc) = match pending.pop() {
            Some(next) => next,
            None => {
                if rest_index == 0 {
                    return true;
                }
                in_rest = true;
                rest_index -= 1;
                let (_, mode, doc) = rest[rest_index];
                (mode, doc)
            }
        };
        if remaining < 0 {
            return false;
        }
        match doc {
            Doc::Nil => {}
            Doc::Text(s) => remaining -= s.chars().count() as isize,
            Doc::Line if mode == Mode::Flat => remaining -= 1,
            Doc::SoftLine if mode == Mode::Flat => {}
            // A break in the enclosing (already broken) layout ends the line: what came fits.
            Doc::Line | Doc::SoftLine => return true,
            Doc::HardLine | Doc::BreakParent | Doc::ColumnOne(_) => return in_rest,
            Doc::IfBreak(broken, flat) => {
                pending.push((mode, if mode == Mode::Break { broken } else { flat }))
            }
            Doc::Nest(_, inner) | Doc::Align(inner) => pending.push((mode, inner)),
            Doc::Group(inner) => pending.push((mode, inner)),
            Doc::Concat(docs) => pending.extend(docs.iter().rev().map(|d| (mode, d))),
        }
        if remaining < 0 {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut inner = vec![text("["), Doc::SoftLine];
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(Doc::Line);
            }
            inner.push(text(*item));
        }
        group(concat([nest(2, concat(inner)), Doc::SoftLine, text("]")]))
    }

    #[test]
    fn a_group_that_fits_stays_flat() {
        assert_eq!(render(&list(&["a", "b"]), 80), "[a, b]");
    }

    #[test]
    fn a_group_that_does_not_fit_breaks_every_line() {
        assert_eq!(
            render(&list(&["alpha", "beta"]), 8),
            "[\n  alpha,\n  beta\n]"
        );
    }

    #[test]
    fn a_hard_line_breaks_the_enclosing_group() {
        let doc = group(concat([
            text("a"),
            Doc::Line,
            text("// c"),
            Doc::HardLine,
            text("b"),
        ]));
        assert_eq!(render(&doc, 80), "a\n// c\nb");
    }
}
