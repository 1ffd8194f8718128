//! The checker's inputs: source files and their items, and the driver that turns a new text
//! into the smallest change of those inputs.
//!
//! A file's queries never read its text. They read its outline (modules and their items, no
//! positions) and one [`ItemSource`] per item (its tree, spans relative to the item). Positions
//! live in the file's [`Layout`], which only reporting reads. So an edit inside one body sets one
//! item input, and moving every later item by a few bytes invalidates nothing.

use std::collections::{HashMap, HashSet};
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
    /// One of the embedded standard library's files (see [`SourceFile::is_stdlib`]).
    #[returns(copy)]
    #[get(library_field)]
    library: bool,
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
/// the item index reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemSource {
    /// An item of a user's file: an input of its own, which `set_text` keeps current.
    Input(ItemInput),
    /// Item `index` (in file order) of a standard library file. Those files never change, and
    /// most programs use a few of them, so each is parsed the first time a query needs it
    /// (`library_file`) rather than when the database is loaded.
    Library(SourceFile, u32),
}

/// An item of a user's file. An edit inside a body sets the tree only.
///
/// Durability: items start at medium durability. An item edited alone drops its tree to low,
/// so from then on only what depends on that item is re-verified after an edit, and
/// everything else is known unchanged at a glance. Headers stay at medium: a header changes
/// rarely, and lowering it would lower the durability of the whole index.
#[salsa::input(debug)]
pub struct ItemInput {
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
        match self {
            ItemSource::Input(input) => input.tree_field(db),
            ItemSource::Library(file, index) => &library_file(db, file).items[index as usize].0,
        }
    }

    pub fn header(self, db: &dyn Db) -> &Arc<ItemHeader> {
        match self {
            ItemSource::Input(input) => input.header_field(db),
            ItemSource::Library(file, index) => &library_file(db, file).items[index as usize].1,
        }
    }
}

/// A standard library file taken apart: its outline, layout and items.
#[derive(Debug, PartialEq)]
pub struct LibraryFile {
    outline: Arc<Outline>,
    layout: Arc<Layout>,
    items: Vec<(Arc<Item>, Arc<ItemHeader>)>,
}

#[salsa::tracked(returns(ref))]
pub fn library_file(db: &dyn Db, file: SourceFile) -> Arc<LibraryFile> {
    let (path, text) = (file.path(db), file.text_field(db));
    let parsed = mix_syntax::parse_with(text, LIBRARY_OPTIONS);
    let split = layout::split(text, parsed, &crate::db::module_name_of(path));
    let mut outline = outline_of(&split.modules);
    let mut places = Vec::with_capacity(split.leaves.len());
    let mut items = Vec::with_capacity(split.leaves.len());
    for (index, leaf) in split.leaves.into_iter().enumerate() {
        let source = ItemSource::Library(file, index as u32);
        outline.modules[leaf.module].items.push(source);
        places.push((source, leaf.place()));
        let header = Arc::new(ItemHeader::of(&leaf.item));
        items.push((Arc::new(leaf.item), header));
    }
    Arc::new(LibraryFile {
        outline: Arc::new(outline),
        layout: Arc::new(Layout::new(places, split.diagnostics, split.directives)),
        items,
    })
}

/// The names of a standard library file's modules, in order, read from its `module NAME` lines
/// without parsing it, so that finding which file holds module `array` parses nothing else.
/// (A test checks this against the parse for every library file.)
#[salsa::tracked(returns(ref))]
pub fn library_modules(db: &dyn Db, file: SourceFile) -> Arc<Vec<String>> {
    let names = file
        .text_field(db)
        .lines()
        .filter_map(|line| line.strip_prefix("module "))
        .map(|rest| {
            rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("")
        })
        .filter(|name| !name.is_empty() && *name != "end")
        .map(str::to_string)
        .collect();
    Arc::new(names)
}

fn outline_of(modules: &[String]) -> Outline {
    Outline {
        modules: modules
            .iter()
            .map(|name| OutlineModule {
                name: name.clone(),
                items: Vec::new(),
            })
            .collect(),
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
            // A pragma's settings reach the items after it (`pragma::Pragmas`).
            ItemKind::Foreign(_)
            | ItemKind::Import(_)
            | ItemKind::Type(_)
            | ItemKind::Case(_)
            | ItemKind::Pragma(_) => item.kind.clone(),
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
    /// The items in file order. Edits that keep every item share it (and `position`), so a
    /// re-check after a body edit copies only `places`.
    sources: Arc<Vec<ItemSource>>,
    /// Each item's index in `sources`.
    position: Arc<HashMap<ItemSource, usize>>,
    /// Where each item of `sources` is.
    places: Vec<Place>,
    pub diagnostics: Vec<Diagnostic>,
    pub directives: Vec<LineDirective>,
}

impl Layout {
    fn new(
        items: Vec<(ItemSource, Place)>,
        diagnostics: Vec<Diagnostic>,
        directives: Vec<LineDirective>,
    ) -> Layout {
        let (sources, places): (Vec<ItemSource>, Vec<Place>) = items.into_iter().unzip();
        let position = sources.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        Layout {
            sources: Arc::new(sources),
            position: Arc::new(position),
            places,
            diagnostics,
            directives,
        }
    }

    /// Where `item` starts in the file's text (0 for an item of another file).
    pub fn start(&self, item: ItemSource) -> u32 {
        self.position
            .get(&item)
            .map_or(0, |&i| self.places[i].start)
    }

    /// The same items, those from position `from` on moved by `delta` bytes (and the one before
    /// `from` ending `delta` bytes later when `grows`), with no diagnostics or directives
    /// (edits are applied locally only to a file that has none).
    fn shifted(&self, from: usize, delta: i64, grows: bool) -> Layout {
        let moved = |at: u32| (at as i64 + delta) as u32;
        let mut places = self.places.clone();
        for place in &mut places[from..] {
            place.start = moved(place.start);
            place.end = moved(place.end);
        }
        if grows {
            places[from - 1].end = moved(places[from - 1].end);
        }
        Layout {
            sources: self.sources.clone(),
            position: self.position.clone(),
            places,
            diagnostics: Vec::new(),
            directives: Vec::new(),
        }
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
        if self.is_stdlib(db) {
            &library_file(db, self).outline
        } else {
            self.outline_field(db)
        }
    }

    /// Positions and syntax diagnostics: for reporting only (queries must not depend on it).
    pub fn layout(self, db: &dyn Db) -> &Arc<Layout> {
        if self.is_stdlib(db) {
            &library_file(db, self).layout
        } else {
            self.layout_field(db)
        }
    }

    /// A file of the embedded standard library: it may name primitives, its types are
    /// module-qualified, and it is parsed on first use. Decided when the file is loaded, not by
    /// its path: a user's file under a `stdlib/` folder is user code.
    pub fn is_stdlib(self, db: &dyn Db) -> bool {
        self.library_field(db)
    }
}

/// How the standard library's files are parsed (users' files take the default).
const LIBRARY_OPTIONS: ParseOptions = ParseOptions {
    allow_primitives: true,
};

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

/// Each item's identity. Occurrences are counted per module *name*, like the key itself: two
/// modules of one name (an error, but it happens while typing) must not give their items equal
/// keys, or both would be given one input.
fn keys<'a>(modules: &'a [String], items: impl Iterator<Item = (usize, &'a Item)>) -> Vec<ItemKey> {
    let mut seen: HashMap<(&str, &'static str, String), usize> = HashMap::new();
    items
        .map(|(module, item)| {
            let (kind, name) = kind_and_name(item);
            let occurrence = seen
                .entry((modules[module].as_str(), kind, name.clone()))
                .or_insert(0);
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
            // Parsed on first use (`library_file`): the outline and layout fields stay empty.
            let file = SourceFile::builder(
                path.to_string(),
                true,
                text.to_string(),
                Arc::new(Outline {
                    modules: Vec::new(),
                }),
                Arc::new(Layout::new(Vec::new(), Vec::new(), Vec::new())),
            )
            .durability(Durability::HIGH)
            .new(self);
            all.push(file);
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
            false,
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
        assert!(
            !file.is_stdlib(self),
            "the standard library's files are not edited through set_text"
        );
        let old = file.text(self);
        let Some(change) = layout::change(old, &text) else {
            return Update::Unchanged;
        };
        let delta = text.len() as i64 - old.len() as i64;
        let path = file.path(self).clone();
        let layout = file.layout(self).clone();
        let clean = layout.diagnostics.is_empty() && layout.directives.is_empty();
        let local = if clean {
            layout::local_edit(old, &text, change, &layout.places, ParseOptions::default())
        } else {
            None
        };
        let update = match local {
            Some(LocalEdit::Trivia { next }) => {
                let moved = layout.shifted(next, delta, false);
                file.set_layout_field(self).to(Arc::new(moved));
                Update::Trivia
            }
            Some(LocalEdit::Item { index, item }) => {
                if let ItemSource::Input(input) = layout.sources[index] {
                    self.set_item(input, item, Durability::LOW);
                }
                let moved = layout.shifted(index + 1, delta, true);
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
    fn set_item(&mut self, source: ItemInput, item: Item, durability: Durability) {
        if **source.tree_field(self) == item {
            return;
        }
        let header = ItemHeader::of(&item);
        if **source.header_field(self) != header {
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
    fn items_by_key(&self, file: SourceFile) -> HashMap<ItemKey, ItemInput> {
        let outline = file.outline(self);
        let modules: Vec<String> = outline.modules.iter().map(|m| m.name.clone()).collect();
        let items: Vec<(usize, ItemInput)> = outline
            .modules
            .iter()
            .enumerate()
            .flat_map(|(i, m)| {
                m.items.iter().filter_map(move |s| match s {
                    ItemSource::Input(input) => Some((i, *input)),
                    ItemSource::Library(..) => None,
                })
            })
            .collect();
        let trees: Vec<(usize, &Item)> = items
            .iter()
            .map(|&(i, s)| (i, &**s.tree_field(self)))
            .collect();
        keys(&modules, trees.into_iter())
            .into_iter()
            .zip(items.iter().map(|&(_, s)| s))
            .collect()
    }

    /// Parses `text` whole and gives each item an input, reusing `reuse`'s input for an item
    /// of the same identity (setting its tree only when it changed), else a spare one. The
    /// inputs of `reuse` no item takes become spares.
    fn parse_whole(
        &mut self,
        path: &str,
        text: &str,
        reuse: &HashMap<ItemKey, ItemInput>,
        durability: Durability,
    ) -> (Outline, Layout) {
        let parsed = mix_syntax::parse_with(text, ParseOptions::default());
        let split = layout::split(text, parsed, &crate::db::module_name_of(path));
        let item_keys = keys(
            &split.modules,
            split.leaves.iter().map(|l| (l.module, &l.item)),
        );
        let kept: HashSet<&ItemKey> = item_keys.iter().collect();
        let gone = reuse.iter().filter(|(key, _)| !kept.contains(key));
        self.spare_items.extend(gone.map(|(_, &input)| input));
        let mut outline = outline_of(&split.modules);
        let mut items = Vec::with_capacity(split.leaves.len());
        for (leaf, key) in split.leaves.into_iter().zip(item_keys) {
            let place = leaf.place();
            let input = match reuse.get(&key).copied().or_else(|| self.spare_items.pop()) {
                Some(input) => {
                    self.set_item(input, leaf.item, durability);
                    input
                }
                None => {
                    let header = Arc::new(ItemHeader::of(&leaf.item));
                    ItemInput::builder(Arc::new(leaf.item), header)
                        .durability(durability)
                        .new(self)
                }
            };
            let source = ItemSource::Input(input);
            outline.modules[leaf.module].items.push(source);
            items.push((source, place));
        }
        let layout = Layout::new(items, split.diagnostics, split.directives);
        (outline, layout)
    }
}
