//! A width-aware pretty-printing document (after Wadler's "prettier printer"), rendered by a
//! strict stack machine. `Line` is a space when its group fits on the line, else a newline;
//! `HardLine` always breaks and forces every enclosing group to break.

use std::borrow::Cow;

/// Text is borrowed wherever it can be (keywords, punctuation, names and literals from the tree
/// and the source), so building a document allocates little besides its nodes.
#[derive(Clone, Debug)]
pub enum Doc<'s> {
    Nil,
    Text(Cow<'s, str>),
    /// A space, or a newline at the current indentation.
    Line,
    /// Nothing, or a newline at the current indentation.
    SoftLine,
    HardLine,
    /// Indent the inner document's line breaks by this many more columns.
    Nest(usize, Box<Doc<'s>>),
    /// Line breaks inside go to the column where this document starts.
    Align(Box<Doc<'s>>),
    Group(Box<Doc<'s>>),
    Concat(Vec<Doc<'s>>),
    /// The first document when the enclosing group breaks, else the second.
    IfBreak(Box<Doc<'s>>, Box<Doc<'s>>),
    /// Forces the enclosing group to break without printing anything (after a `//` comment).
    BreakParent,
    /// Text that must start in column 1 (`#line` directives): indentation before it is removed.
    ColumnOne(Cow<'s, str>),
}

pub fn if_break<'s>(broken: Doc<'s>, flat: Doc<'s>) -> Doc<'s> {
    Doc::IfBreak(Box::new(broken), Box::new(flat))
}

pub fn text<'s>(s: impl Into<Cow<'s, str>>) -> Doc<'s> {
    Doc::Text(s.into())
}

pub fn concat<'s>(docs: impl IntoIterator<Item = Doc<'s>>) -> Doc<'s> {
    Doc::Concat(docs.into_iter().collect())
}

pub fn group(doc: Doc<'_>) -> Doc<'_> {
    Doc::Group(Box::new(doc))
}

pub fn nest(indent: usize, doc: Doc<'_>) -> Doc<'_> {
    Doc::Nest(indent, Box::new(doc))
}

pub fn align(doc: Doc<'_>) -> Doc<'_> {
    Doc::Align(Box::new(doc))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Columns taken by `s`.
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Renders `doc` for lines of at most `width` columns (where the content allows).
#[cfg(test)]
pub fn render(doc: &Doc<'_>, width: usize) -> String {
    let mut renderer = Renderer::new(width, 0);
    renderer.render(doc);
    renderer.finish()
}

/// Renders documents one after another into one string, as if they were one concatenation.
///
/// Rendering a file item by item gives the same text as rendering the concatenation of the
/// items, as long as each piece after the first starts with a hard line break (the formatter's
/// top-level items do): the only look-ahead across pieces is a group's "does the rest of the
/// line fit", and that stops at a line break.
pub struct Renderer {
    out: String,
    column: usize,
    width: usize,
}

impl Renderer {
    pub fn new(width: usize, capacity: usize) -> Renderer {
        Renderer {
            out: String::with_capacity(capacity),
            column: 0,
            width,
        }
    }

    pub fn render(&mut self, doc: &Doc<'_>) {
        let width = self.width;
        let out = &mut self.out;
        let mut column = self.column;
        let mut stack: Vec<(usize, Mode, &Doc<'_>)> = vec![(0, Mode::Break, doc)];
        let mut scratch = Vec::new();
        while let Some((indent, mode, doc)) = stack.pop() {
            match doc {
                Doc::Nil => {}
                Doc::Text(s) => {
                    out.push_str(s);
                    column += self::width(s);
                }
                Doc::Line | Doc::SoftLine if mode == Mode::Flat => {
                    if matches!(doc, Doc::Line) {
                        out.push(' ');
                        column += 1;
                    }
                }
                Doc::Line | Doc::SoftLine | Doc::HardLine => {
                    trim_trailing_spaces(out);
                    out.push('\n');
                    out.extend(std::iter::repeat_n(' ', indent));
                    column = indent;
                }
                Doc::Nest(extra, inner) => stack.push((indent + extra, mode, inner)),
                Doc::Align(inner) => stack.push((column, mode, inner)),
                Doc::Group(inner) => {
                    let flat = mode == Mode::Flat
                        || fits(inner, width.saturating_sub(column), &stack, &mut scratch);
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
                    trim_trailing_spaces(out);
                    out.push_str(s);
                    column = self::width(s);
                }
            }
        }
        self.column = column;
    }

    /// Where the output ends so far, trailing spaces trimmed: the next piece starts with a hard
    /// line break (see above) or there is none and `finish` follows, and both trim them anyway,
    /// so the text is the same.
    pub fn mark(&mut self) -> usize {
        trim_trailing_spaces(&mut self.out);
        self.out.len()
    }

    pub fn finish(mut self) -> String {
        trim_trailing_spaces(&mut self.out);
        self.out
    }
}

fn trim_trailing_spaces(out: &mut String) {
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
}

/// Whether `doc` laid out flat, followed by the rest up to its first line break, fits in
/// `remaining` columns. A hard line inside `doc` never fits. `pending` is scratch space.
fn fits<'d, 's>(
    doc: &'d Doc<'s>,
    remaining: usize,
    rest: &[(usize, Mode, &'d Doc<'s>)],
    pending: &mut Vec<(Mode, &'d Doc<'s>)>,
) -> bool {
    let mut remaining = remaining as isize;
    pending.clear();
    pending.push((Mode::Flat, doc));
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
            Doc::Text(s) => remaining -= width(s) as isize,
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

    fn list(items: &[&'static str]) -> Doc<'static> {
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
