//! A file as a sequence of items, and the edits that can be applied to one item alone.
//!
//! The checker's queries read one input per item (its tree, spans relative to the item's start),
//! so an edit should reach them without parsing the whole file again when that is safe:
//! - an edit inside one item is re-parsed as that item alone, and accepted only where the
//!   whole-file parse is known to produce the same tree (see [`local_edit`]);
//! - an edit between items that leaves only whitespace and comments there moves positions only.
//!
//! Anything else (a syntax error before or after, a new item, line directives) parses the file
//! again. This module is pure: the salsa inputs are managed in `files.rs`.

use mix_diagnostics::{Diagnostic, LineDirective, Span};
use mix_syntax::ast::{Item, ItemKind};
use mix_syntax::lexer::Lexer;
use mix_syntax::token::Tok;
use mix_syntax::{ParseOptions, Parsed};

/// One item of a parsed file, detached from the file's tree.
pub struct Leaf {
    /// Position of its module in [`Split::modules`].
    pub module: usize,
    /// The item, spans relative to `start`.
    pub item: Item,
    pub start: u32,
    pub end: u32,
    /// The token after the item starts another item (or the file ends): no edit inside this
    /// item can make the parser read that token as part of it.
    pub followed_safely: bool,
}

impl Leaf {
    pub fn place(&self) -> Place {
        Place {
            start: self.start,
            end: self.end,
            followed_safely: self.followed_safely,
        }
    }
}

/// A whole-file parse taken apart into items.
pub struct Split {
    /// Module names: the file's own module first when it has loose items (or no items at all),
    /// then every `module` block in order.
    pub modules: Vec<String>,
    /// Every item that is not a `module` block, in file order.
    pub leaves: Vec<Leaf>,
    pub diagnostics: Vec<Diagnostic>,
    pub directives: Vec<LineDirective>,
}

/// Where an item sits in the current text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub start: u32,
    pub end: u32,
    pub followed_safely: bool,
}

/// Tokens that can only start an item, never continue one.
fn starts_item(tok: &Tok<'_>) -> bool {
    matches!(
        tok,
        Tok::Module
            | Tok::Static
            | Tok::Import
            | Tok::Declare
            | Tok::Def
            | Tok::Type
            | Tok::Case
            | Tok::Private
            | Tok::Foreign
            | Tok::Pragma
            | Tok::Source
            | Tok::Cell
            | Tok::Var
            | Tok::Live
            | Tok::Sync
            | Tok::Alias
            | Tok::Initializer
            | Tok::On
    )
}

/// Whether the first token at or after `offset` starts an item, or the text ends there.
fn item_or_end_follows(text: &str, offset: usize) -> bool {
    match Lexer::new(&text[offset..]).next() {
        None => true,
        Some(Ok((_, tok, _))) => starts_item(&tok),
        Some(Err(_)) => false,
    }
}

pub fn split(text: &str, parsed: Parsed, default_module: &str) -> Split {
    let Parsed {
        file,
        diagnostics,
        directives,
        ..
    } = parsed;
    let has_loose = file.items.is_empty()
        || file
            .items
            .iter()
            .any(|i| !matches!(i.kind, ItemKind::Module(_)));
    let mut modules = Vec::new();
    if has_loose {
        modules.push(default_module.to_string());
    }
    let mut leaves = Vec::new();
    let mut leaf = |module: usize, item: Item| {
        let (start, end) = (item.span.start, item.span.end);
        let mut item = item;
        mix_syntax::spans::item(&mut item, &|s: Span| {
            Span::new(s.start - start, s.end - start)
        });
        leaves.push(Leaf {
            module,
            item,
            start,
            end,
            followed_safely: item_or_end_follows(text, end as usize),
        });
    };
    for item in file.items {
        match item.kind {
            ItemKind::Module(m) => {
                modules.push(m.name.name.to_string());
                let index = modules.len() - 1;
                for inner in m.items {
                    leaf(index, inner);
                }
            }
            _ => leaf(0, item),
        }
    }
    Split {
        modules,
        leaves,
        diagnostics,
        directives,
    }
}

/// An edit that touches one item, or only the space between items.
#[derive(Debug)]
pub enum LocalEdit {
    /// Only whitespace and comments between two items (or at either end) changed; `next` is
    /// the position of the first item after the change.
    Trivia { next: usize },
    /// The item at this position in file order changed; here is its new tree.
    Item { index: usize, item: Item },
}

/// Where two texts differ: in `old`, bytes `start..old_end` were replaced by the `new` text's
/// `start..new_end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

/// The one region where `old` and `new` differ, or `None` when they are equal. Two passes over
/// the text (common prefix, common suffix), no more.
pub fn change(old: &str, new: &str) -> Option<Change> {
    let start = common_prefix(old.as_bytes(), new.as_bytes());
    if start == old.len() && start == new.len() {
        return None;
    }
    let room = old.len().min(new.len()) - start;
    let suffix = common_suffix(old.as_bytes(), new.as_bytes()).min(room);
    Some(Change {
        start,
        old_end: old.len() - suffix,
        new_end: new.len() - suffix,
    })
}

/// The edit `change` from `old` to `new` if it stays inside one item or between items.
/// `places` are the items of `old` in file order; `old` parsed without any diagnostic or line
/// directive.
pub fn local_edit(
    old: &str,
    new: &str,
    change: Change,
    places: &[Place],
    options: ParseOptions,
) -> Option<LocalEdit> {
    let changed = (change.start, change.old_end);
    let delta = new.len() as i64 - old.len() as i64;
    // The last item starting at or before the change.
    let at = places.partition_point(|p| p.start as usize <= changed.0);
    if let Some(index) = at.checked_sub(1) {
        if changed.1 <= places[index].end as usize {
            if let Some(item) = reparse_item(new, places[index], delta, options) {
                return Some(LocalEdit::Item { index, item });
            }
        }
    }
    // The gap between items `next - 1` and `next` (either may be missing at the ends).
    let next = places.partition_point(|p| p.end as usize <= changed.0);
    let gap_start = next.checked_sub(1).map_or(0, |i| places[i].end as usize);
    let gap_end = places.get(next).map_or(old.len(), |p| p.start as usize);
    if gap_start <= changed.0 && changed.1 <= gap_end {
        let next_token = places.get(next).map(|p| (p.start as i64 + delta) as usize);
        if only_trivia_until(new, gap_start, next_token) {
            return Some(LocalEdit::Trivia { next });
        }
    }
    None
}

/// The item at `place`, moved by `delta` at its end, parsed alone — if that is the tree the
/// whole file's parse would give. It is when the item text parses alone as exactly one item
/// without diagnostics, its first token cannot join the text before it, its last token cannot
/// join the text after it, and the token after it can only start an item (so the parser ends
/// the item there, as it does at the end of the text).
fn reparse_item(new: &str, place: Place, delta: i64, options: ParseOptions) -> Option<Item> {
    let start = place.start as usize;
    let end = usize::try_from(place.end as i64 + delta).ok()?;
    if !place.followed_safely || end <= start || end > new.len() {
        return None;
    }
    let bytes = new.as_bytes();
    let separated = |b: Option<&u8>| b.is_none_or(|b| b.is_ascii_whitespace());
    if !separated(start.checked_sub(1).and_then(|i| bytes.get(i))) || !separated(bytes.get(end)) {
        return None;
    }
    let text = new.get(start..end)?;
    let parsed = mix_syntax::parse_with(text, options);
    if !parsed.diagnostics.is_empty() || !parsed.directives.is_empty() {
        return None;
    }
    let mut items = parsed.file.items;
    if items.len() != 1 {
        return None;
    }
    let item = items.pop()?;
    let whole = item.span == Span::new(0, text.len() as u32);
    let leaf = !matches!(item.kind, ItemKind::Module(_) | ItemKind::Error);
    (whole && leaf).then_some(item)
}

/// Whether lexing `text` from `from` meets only whitespace and comments before the token at
/// `next_token` (or before the end of the text when there is none), with no lexical error.
fn only_trivia_until(text: &str, from: usize, next_token: Option<usize>) -> bool {
    let Some(rest) = text.get(from..) else {
        return false;
    };
    let mut lexer = Lexer::new(rest);
    let first = lexer.next();
    let out = lexer.finish();
    if !out.diagnostics.is_empty() || !out.directives.is_empty() {
        return false;
    }
    match (first, next_token) {
        (None, None) => true,
        (Some(Ok((at, _, _))), Some(expected)) => from + at == expected,
        _ => false,
    }
}

/// How many leading bytes `a` and `b` share. Compares 4 KiB blocks first (one `memcmp` each).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let limit = a.len().min(b.len());
    let mut n = 0;
    while n + BLOCK <= limit && a[n..n + BLOCK] == b[n..n + BLOCK] {
        n += BLOCK;
    }
    n + a[n..limit]
        .iter()
        .zip(&b[n..limit])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many trailing bytes `a` and `b` share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let limit = a.len().min(b.len());
    let (ea, eb) = (a.len(), b.len());
    let mut n = 0;
    while n + BLOCK <= limit && a[ea - n - BLOCK..ea - n] == b[eb - n - BLOCK..eb - n] {
        n += BLOCK;
    }
    n + a[..ea - n]
        .iter()
        .rev()
        .zip(b[..eb - n].iter().rev())
        .take(limit - n)
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(text: &str) -> Vec<Place> {
        split(text, mix_syntax::parse(text), "m")
            .leaves
            .iter()
            .map(|l| Place {
                start: l.start,
                end: l.end,
                followed_safely: l.followed_safely,
            })
            .collect()
    }

    const OLD: &str =
        "def a = 1\n\n// note\ndef b(x) = x + 1\nmodule m2\n  def c = b(2)\nmodule end\n";

    fn edit(new: &str) -> Option<LocalEdit> {
        let change = change(OLD, new).expect("the test edits change the text");
        local_edit(OLD, new, change, &places(OLD), ParseOptions::default())
    }

    #[test]
    fn split_detaches_items_with_relative_spans_and_module_positions() {
        let split = split(OLD, mix_syntax::parse(OLD), "m");
        assert_eq!(split.modules, vec!["m".to_string(), "m2".to_string()]);
        let modules: Vec<usize> = split.leaves.iter().map(|l| l.module).collect();
        assert_eq!(modules, vec![0, 0, 1]);
        let c = &split.leaves[2];
        assert_eq!(&OLD[c.start as usize..c.end as usize], "def c = b(2)");
        assert_eq!(c.item.span, Span::new(0, c.end - c.start));
        assert!(split.leaves.iter().all(|l| l.followed_safely));
    }

    #[test]
    fn an_edit_inside_a_body_reparses_that_item_alone() {
        match edit(&OLD.replace("x + 1", "x * 20 + 1")) {
            Some(LocalEdit::Item { index: 1, item }) => {
                assert_eq!(
                    item.span,
                    Span::new(0, "def b(x) = x * 20 + 1".len() as u32)
                );
            }
            other => panic!("expected an item edit, got {other:?}"),
        }
        // Appending to the last token of an item is still inside it.
        assert!(matches!(
            edit(&OLD.replace("b(2)", "b(23)")),
            Some(LocalEdit::Item { index: 2, .. })
        ));
    }

    #[test]
    fn comment_and_blank_line_edits_between_items_move_positions_only() {
        assert!(matches!(
            edit(&OLD.replace("// note", "// a longer note")),
            Some(LocalEdit::Trivia { next: 1 })
        ));
        assert!(matches!(
            edit(&OLD.replace("\n\n", "\n\n\n\n")),
            Some(LocalEdit::Trivia { next: 1 })
        ));
    }

    #[test]
    fn edits_that_the_whole_parse_could_read_differently_are_refused() {
        // A syntax error inside the item.
        assert!(edit(&OLD.replace("x + 1", "x +")).is_none());
        // A second item typed inside the first.
        assert!(edit(&OLD.replace("def a = 1", "def a = 1 def z = 2")).is_none());
        // A comment left open, or a line comment that would swallow the next item's start.
        assert!(edit(&OLD.replace("// note\n", "/* note\n")).is_none());
        assert!(edit(&OLD.replace("// note\ndef b", "// note def b")).is_none());
        // An unterminated string that would run into the following items.
        assert!(edit(&OLD.replace("x + 1", "x + \"1")).is_none());
        // A new module block.
        assert!(edit(&OLD.replace("def a = 1", "module z\ndef a = 1\nmodule end")).is_none());
        // An edit spanning two items.
        assert!(edit(&OLD.replace("1\n\n// note\ndef b(x)", "2\ndef b(y)")).is_none());
    }
}
