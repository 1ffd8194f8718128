//! What the parser does not see but the formatter and tools need: comments and directives.

use mix_diagnostics::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    /// `// …`
    Line,
    /// `/// …` before a declaration.
    Doc,
    /// `/* … */`
    Block,
    /// `/** … */`
    DocBlock,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub kind: CommentKind,
}

impl Comment {
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        &source[self.span.range()]
    }

    /// A comment running to the end of its line forces a line break after it.
    pub fn ends_line(&self) -> bool {
        matches!(self.kind, CommentKind::Line | CommentKind::Doc)
    }
}

/// Comments and directive lines in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trivia {
    pub comments: Vec<Comment>,
    /// Spans of `#line`/`#push`/`#pop` lines (kept verbatim by the formatter).
    pub directives: Vec<Span>,
}
