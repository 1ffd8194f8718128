//! The checker's inputs: source files and their items, and the driver that turns a new text
//! into the smallest change of those inputs.
//!
//! A file's queries never read its text. They read its outline (modules and their items, no
//! positions) and one [`ItemSource`] per item (its tree, spans relative to the item). Positions
//! live in the file's [`Layout`], which only reporting reads. So an edit inside one body sets one
//! item input, and moving every later item by a few bytes invalidates nothing.

use std::collections::HashMap;
use std::sync::Arc;

use mix_diagnostics::{Diagnostic, LineDirective, Span};
use mix_syntax::ast::{Body, Def, Expr, ExprKind, Item, ItemKind};
use mix_syntax::ParseOptions;
use salsa::{Durability, Setter};

use crate::db::{CheckDatabase, Db};
use crate::layout::{self, LocalEdit, Place};

#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    #[get(text_field)]
    #[set(set_text_field)]
    text: String,
    #[returns(ref)]
    #[get(outline_field)]
    #[set(set_outline_field)]
    outline: Arc<Outline>,
    #[returns(ref)]
    #[get(layout_field)]
    #[set(set_layout_field)]
    layout: Arc<Layout>,
}

/// One item of a file: its tree with spans relative to its first byte, and its header (what
/// the item index reads). An edit inside a body sets the tree only.
///
/// Durability: items start at medium durability (the standard library's at high). An item
/// edited alone drops its tree to low, so from then on only what depends on that item is
/// re-verified after an edit, and everything else is known unchanged at a glance. Headers
/// stay at medium: a header changes rarely, and lowering it would lower the durability of the
/// whole index.
#[salsa::input(debug)]
pub struct ItemSource {
    #[returns(ref)]
    #[get(tree_field)]
    #[set(set_tree_field)]
    tree: Arc<Item>,
    #[returns(ref)]
    #[get(header_field)]
    #[set(set_header_field)]
    header: Arc<ItemHeader>,
}

impl ItemSource {
    pub fn tree(self, db: &dyn Db) -> &Arc<Item> {
        self.tree_field(db)
    }

    pub fn header(self, db: &dyn Db) -> &Arc<ItemHeader> {
        self.header_field(db)
    }
}

/// What the index needs of an item: a `def` without its body (`Some(null)` stands for any
/// body) plus the module-level names the body refers to; the items the index reads whole; the
/// rest as error items. It has no extent, so an edit that only lengthens a body leaves it equal.
#[derive(Debug, PartialEq)]
pub struct ItemHeader {
    pub item: Item,
    /// Module-level names the definition's body refers to (its edges in the dependency graph).
    pub deps: Vec<String>,
}

impl ItemHeader {
    fn of(item: &Item) -> ItemHeader {
        let mut deps = Vec::new();
        let kind = match &item.kind {
            ItemKind::Def(d) => {
                if let Some(body) = &d.body {
                    deps.extend(crate::deps::of_def(d.params.as_deref(), body));
                }
                ItemKind::Def(Box::new(Def {
                    private: d.private,
                    name: d.name.clone(),
                    params: d.params.clone(),
                    ty: d.ty.clone(),
                    body: d
                        .body
                        .as_ref()
                        .map(|_| Body::Expr(Expr::new(ExprKind::Null, Span::default()))),
                    meta: d.meta.clone(),
                }))
            }
            ItemKind::Foreign(_) | ItemKind::Import(_) | ItemKind::Type(_) | ItemKind::Case(_) => {
                item.kind.clone()
            }
            _ => ItemKind::Error,
        };
        ItemHeader {
            item: Item {
                kind,
                span: Span::default(),
            },
            deps,
        }
    }
}

/// A file's modules and their items, without positions: equal across edits inside items.
#[derive(Debug, PartialEq)]
pub struct Outline {
    pub modules: Vec<OutlineModule>,
}

#[derive(Debug, PartialEq)]
pub struct OutlineModule {
    pub name: String,
    pub items: Vec<ItemSource>,
}

/// Where a file's items are, its syntax diagnostics and line directives (absolute positions).
#[derive(Debug, PartialEq)]
pub struct Layout {
    items: Vec<(ItemSource, Place)>,
    position: HashMap<ItemSource, usize>,
    pub diagnostics: Vec<Diagnostic>,
    pub directives: Vec<LineDirective>,
}

impl Layout {
    /// Where `item` starts in the file's text (0 for an item of another file).
    pub fn start(&self, item: ItemSource) -> u32 {
        self.position
            .get(&item)
            .map_or(0, |&i| self.items[i].1.start)
    }

    fn places(&self) -> Vec<Place> {
        self.items.iter().map(|(_, p)| *p).collect()
    }
}

/// How [`CheckDatabase::set_text`] applied a new text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Update {
    Unchanged,
    /// Only whitespace or comments between items changed: positions moved, no item did.
    Trivia,
    /// One item was re-parsed alone.
    Item,
    /// The whole file was parsed again.
    Whole,
}

impl SourceFile {
    pub fn text(self, db: &dyn Db) -> &str {
        self.text_field(db)
    }

    pub fn outline(self, db: &dyn Db) -> &Arc<Outline> {
        self.outline_field(db)
    }

    /// Positions and syntax diagnostics: for reporting only (queries must not depend on it).
    pub fn layout(self, db: &dyn Db) -> &Arc<Layout> {
        self.layout_field(db)
    }

    /// Standard library sources may name primitives, and their types are module-qualified.
    pub fn is_stdlib(self, db: &dyn Db) -> bool {
        self.path(db).starts_with("stdlib/")
    }
}

fn options_for(path: &str) -> ParseOptions {
    ParseOptions {
        allow_primitives: path.starts_with("stdlib/"),
    }
}

/// Identifies an item across re-parses, to keep its input (and the results that depend on it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ItemKey {
    module: String,
    kind: &'static str,
    name: String,
    occurrence: usize,
}

fn kind_and_name(item: &Item) -> (&'static str, String) {
    match &item.kind {
        ItemKind::Def(d) => ("def", d.name.name.to_string()),
        ItemKind::Foreign(f) => ("def", f.name.name.to_string()),
        ItemKind::Type(t) => ("type", t.name.name.to_string()),
        ItemKind::Case(c) => ("case", c.name.name.to_string()),
        ItemKind::Cell(c) => ("cell", c.name.name.to_string()),
        ItemKind::Alias { name, .. } => ("alias", name.name.to_string()),
        ItemKind::Declare { name, .. } => ("declare", name.name.to_string()),
        ItemKind::ModuleInstance { name, .. } => ("module", name.name.to_string()),
        ItemKind::Import(_) => ("import", String::new()),
        ItemKind::Pragma(_) => ("pragma", String::new()),
        ItemKind::Source(_) => ("source", String::new()),
        ItemKind::Initializer(_) => ("initializer", String::new()),
        ItemKind::On(_) => ("on", String::new()),
        ItemKind::Module(_) => ("module block", String::new()),
        ItemKind::Error => ("error", String::new()),
    }
}

fn keys<'a>(modules: &'a [String], items: impl Iterator<Item = (usize, &'a Item)>) -> Vec<ItemKey> {
    let mut seen: HashMap<(usize, &'static str, String), usize> = HashMap::new();
    items
        .map(|(module, item)| {
            let (kind, name) = kind_and_name(item);
            let occurrence = seen.entry((module, kind, name.clone())).or_insert(0);
            *occurrence += 1;
            ItemKey {
                module: modules[module].clone(),
                kind,
                name,
                occurrence: *occurrence,
            }
        })
        .collect()
}

impl CheckDatabase {
    /// A workspace holding the embedded standard library plus `files` (path, text).
    pub fn load(&mut self, files: &[(String, String)]) -> (crate::Workspace, Vec<SourceFile>) {
        let mut all = Vec::new();
        for (path, text) in crate::stdlib::FILES {
            all.push(self.add_file(path, text, Durability::HIGH));
        }
        let user: Vec<SourceFile> = files
            .iter()
            .map(|(p, t)| self.add_file(p, t, Durability::MEDIUM))
            .collect();
        all.extend(user.iter().copied());
        // Medium: what reads the file list must not count as low durability (re-verified on
        // every edit); adding or removing a file is a medium-durability change.
        let workspace = crate::Workspace::builder(all)
            .durability(Durability::MEDIUM)
            .new(self);
        (workspace, user)
    }

    /// A new file input: the text is parsed and taken apart into item inputs.
    pub fn add_file(&mut self, path: &str, text: &str, durability: Durability) -> SourceFile {
        let (outline, layout) = self.parse_whole(path, text, &HashMap::new(), durability);
        SourceFile::builder(
            path.to_string(),
            text.to_string(),
            Arc::new(outline),
            Arc::new(layout),
        )
        .durability(durability)
        // Only reporting reads these, and they change with every edit: a write to them must
        // not count as a change of anything durable.
        .text_durability(Durability::LOW)
        .layout_durability(Durability::LOW)
        .new(self)
    }

    /// Gives `file` a new text, changing as few item inputs as possible: an edit inside one
    /// item re-parses only that item; an edit of the whitespace and comments between items
    /// moves positions only; anything else parses the whole text again and keeps the inputs of
    /// items whose tree did not change.
    pub fn set_text(&mut self, file: SourceFile, text: String) -> Update {
        let old = file.text(self);
        if old.len() == text.len() && old.as_bytes() == text.as_bytes() {
            return Update::Unchanged;
        }
        let delta = text.len() as i64 - old.len() as i64;
        let path = file.path(self).clone();
        let layout = file.layout(self).clone();
        let clean = layout.diagnostics.is_empty() && layout.directives.is_empty();
        let local = if clean {
            layout::local_edit(old, &text, &layout.places(), options_for(&path))
        } else {
            None
        };
        let update = match local {
            Some(LocalEdit::Trivia { next }) => {
                let moved = shifted(&layout, next, delta);
                file.set_layout_field(self).to(Arc::new(moved));
                Update::Trivia
            }
            Some(LocalEdit::Item { index, item }) => {
                let (source, place) = layout.items[index];
                self.set_item(source, item, Durability::LOW);
                let mut moved = shifted(&layout, index + 1, delta);
                moved.items[index].1.end = (place.end as i64 + delta) as u32;
                file.set_layout_field(self).to(Arc::new(moved));
                Update::Item
            }
            None => {
                let old_items = self.items_by_key(file);
                // A change of structure: items go back to medium durability.
                let (outline, layout) =
                    self.parse_whole(&path, &text, &old_items, Durability::MEDIUM);
                if **file.outline(self) != outline {
                    file.set_outline_field(self)
                        .with_durability(Durability::MEDIUM)
                        .to(Arc::new(outline));
                }
                file.set_layout_field(self).to(Arc::new(layout));
                Update::Whole
            }
        };
        file.set_text_field(self).to(text);
        update
    }

    /// Sets an item's tree (with `durability`), and its header if that changed too; sets
    /// nothing when the tree is unchanged (setting an input invalidates what read it, even
    /// with an equal value).
    fn set_item(&mut self, source: ItemSource, item: Item, durability: Durability) {
        if **source.tree(self) == item {
            return;
        }
        let header = ItemHeader::of(&item);
        if **source.header(self) != header {
            source
                .set_header_field(self)
                .with_durability(Durability::MEDIUM.max(durability))
                .to(Arc::new(header));
        }
        source
            .set_tree_field(self)
            .with_durability(durability)
            .to(Arc::new(item));
    }

    /// The current item inputs of `file`, by their identity across re-parses.
    fn items_by_key(&self, file: SourceFile) -> HashMap<ItemKey, ItemSource> {
        let outline = file.outline(self);
        let modules: Vec<String> = outline.modules.iter().map(|m| m.name.clone()).collect();
        let items: Vec<(usize, ItemSource)> = outline
            .modules
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.items.iter().map(move |&s| (i, s)))
            .collect();
        let trees: Vec<(usize, &Item)> = items.iter().map(|&(i, s)| (i, &**s.tree(self))).collect();
        keys(&modules, trees.into_iter())
            .into_iter()
            .zip(items.iter().map(|&(_, s)| s))
            .collect()
    }

    /// Parses `text` whole and gives each item an input, reusing `reuse`'s input for an item
    /// of the same identity (setting its tree only when it changed).
    fn parse_whole(
        &mut self,
        path: &str,
        text: &str,
        reuse: &HashMap<ItemKey, ItemSource>,
        durability: Durability,
    ) -> (Outline, Layout) {
        let parsed = mix_syntax::parse_with(text, options_for(path));
        let split = layout::split(text, parsed, &crate::db::module_name_of(path));
        let item_keys = keys(
            &split.modules,
            split.leaves.iter().map(|l| (l.module, &l.item)),
        );
        let mut modules: Vec<OutlineModule> = split
            .modules
            .iter()
            .map(|name| OutlineModule {
                name: name.clone(),
                items: Vec::new(),
            })
            .collect();
        let mut items = Vec::with_capacity(split.leaves.len());
        for (leaf, key) in split.leaves.into_iter().zip(item_keys) {
            let source = match reuse.get(&key) {
                Some(&source) => {
                    self.set_item(source, leaf.item, durability);
                    source
                }
                None => {
                    let header = Arc::new(ItemHeader::of(&leaf.item));
                    ItemSource::builder(Arc::new(leaf.item), header)
                        .durability(durability)
                        .new(self)
                }
            };
            modules[leaf.module].items.push(source);
            let place = Place {
                start: leaf.start,
                end: leaf.end,
                followed_safely: leaf.followed_safely,
            };
            items.push((source, place));
        }
        let position = items
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (*s, i))
            .collect();
        let layout = Layout {
            items,
            position,
            diagnostics: split.diagnostics,
            directives: split.directives,
        };
        (Outline { modules }, layout)
    }
}

/// `layout` with the items from position `from` on moved by `delta` bytes.
fn shifted(layout: &Layout, from: usize, delta: i64) -> Layout {
    let mut items = layout.items.clone();
    for (_, place) in &mut items[from..] {
        place.start = (place.start as i64 + delta) as u32;
        place.end = (place.end as i64 + delta) as u32;
    }
    Layout {
        items,
        position: layout.position.clone(),
        diagnostics: Vec::new(),
        directives: Vec::new(),
    }
}
