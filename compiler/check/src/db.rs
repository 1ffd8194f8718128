//! The salsa database and the checker's queries.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use mix_diagnostics::{Diagnostic, Severity, Span};
use mix_syntax::ast::{self, Body, ItemKind};

use crate::codes;
use crate::files::ItemSource;
pub use crate::files::SourceFile;
use crate::group::{has_deferred_plus, infer_members, less_general, narrowings};
use crate::index::{self, FileIndex, ModuleIndex};
use crate::ty::{Scheme, Ty};

#[salsa::db]
pub trait Db: salsa::Database {}

#[salsa::db]
#[derive(Clone, Default)]
pub struct CheckDatabase {
    storage: salsa::Storage<Self>,
    /// Item inputs no file uses any more (salsa inputs cannot be deleted): new items take these
    /// before new inputs are made, so an editing session does not accumulate them.
    pub(crate) spare_items: Vec<crate::files::ItemInput>,
}

#[salsa::db]
impl salsa::Database for CheckDatabase {}

#[salsa::db]
impl Db for CheckDatabase {}

impl CheckDatabase {
    /// A database whose events (query executions) are passed to `log` (for tests).
    pub fn with_event_log(log: Arc<std::sync::Mutex<Vec<String>>>) -> CheckDatabase {
        let callback = move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                if let Ok(mut log) = log.lock() {
                    log.push(format!("{database_key:?}"));
                }
            }
        };
        CheckDatabase {
            storage: salsa::Storage::new(Some(Box::new(callback))),
            spare_items: Vec::new(),
        }
    }
}

/// Every file the checker can see: the user's and the standard library's interfaces.
#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

/// One definition, named by file, module and name.
#[salsa::interned(debug)]
pub struct DefId<'db> {
    #[returns(copy)]
    pub file: SourceFile,
    #[returns(ref)]
    pub module: String,
    #[returns(ref)]
    pub name: String,
}

/// One strongly connected group, named by its module and its first member.
#[salsa::interned(debug)]
pub struct GroupId<'db> {
    #[returns(copy)]
    pub workspace: Workspace,
    #[returns(copy)]
    pub file: SourceFile,
    #[returns(ref)]
    pub module: String,
    #[returns(ref)]
    pub first: String,
}

/// The module name of a file without `module` lines: its stem, with other characters as `_`.
pub fn module_name_of(path: &str) -> String {
    let stem = std::path::Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("main");
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[salsa::tracked(returns(ref))]
pub fn item_index(db: &dyn Db, file: SourceFile) -> Arc<FileIndex> {
    Arc::new(index::build(db, file.outline(db), file.is_stdlib(db)))
}

/// Where each module of a file is, by name: changes only when modules come or go.
#[salsa::tracked(returns(ref))]
pub fn module_positions(db: &dyn Db, file: SourceFile) -> Arc<HashMap<String, usize>> {
    Arc::new(item_index(db, file).positions().clone())
}

/// One module's index. A firewall per module: when a definition starts or stops using another
/// name, its module's index changes but every other module's stays equal, so only what reads
/// that module runs again. (Inference reads module indexes only through this.)
#[salsa::tracked(returns(ref))]
pub fn module_index(db: &dyn Db, file: SourceFile, position: usize) -> Option<Arc<ModuleIndex>> {
    item_index(db, file).modules.get(position).cloned()
}

/// The index of module `name` of `file`, through the per-module firewall.
pub fn module_named<'db>(
    db: &'db dyn Db,
    file: SourceFile,
    name: &str,
) -> Option<&'db ModuleIndex> {
    let position = *module_positions(db, file).get(name)?;
    module_index(db, file, position).as_deref()
}

/// A definition's item (the one with its body, else its declaration), spans relative to the
/// item's start: edits elsewhere leave it equal.
#[derive(Clone, Debug, PartialEq)]
pub struct DefBody {
    /// Always a `def` item (see `def_body`).
    item: Arc<ast::Item>,
}

impl DefBody {
    fn def(&self) -> &ast::Def {
        match &self.item.kind {
            ItemKind::Def(d) => d,
            _ => unreachable!("def_body only wraps `def` items"),
        }
    }

    pub fn params(&self) -> Option<&[ast::Param]> {
        self.def().params.as_deref()
    }

    /// The declared result type of a function (`def f(x): T = …`).
    pub fn ret(&self) -> Option<&ast::Type> {
        let def = self.def();
        def.params.as_ref().and(def.ty.as_ref())
    }

    /// The type written after a value definition's name (`def x: T = …`), with its
    /// positions (the index keeps a copy without them).
    pub fn signature(&self) -> Option<&ast::Type> {
        let def = self.def();
        def.params.is_none().then_some(def.ty.as_ref()).flatten()
    }

    pub fn body(&self) -> Option<&Body> {
        self.def().body.as_ref()
    }
}

/// The index entry of `def`, if its module declares it.
fn def_entry<'a>(db: &'a dyn Db, def: DefId<'_>) -> Option<&'a index::DefEntry> {
    item_index(db, def.file(db))
        .module(def.module(db))?
        .def(def.name(db))
}

impl DefBody {
    /// The definition of an index entry, if its item is a `def` (not a `foreign def`).
    pub(crate) fn of(db: &dyn Db, entry: &index::DefEntry) -> Option<DefBody> {
        let item = entry.item.tree(db).clone();
        matches!(item.kind, ItemKind::Def(_)).then_some(DefBody { item })
    }
}

/// A definition's item, if it is a `def`. Not a query of its own: reading the item input
/// directly keeps the memo graph (which every revision may have to re-verify) smaller.
pub fn def_body(db: &dyn Db, def: DefId<'_>) -> Option<DefBody> {
    DefBody::of(db, def_entry(db, def)?)
}

/// Where a definition's item starts in its file (to turn relative spans back into absolute).
/// Reads the file's layout, so call it only to report, never from a query.
pub fn def_start(db: &dyn Db, def: DefId<'_>) -> u32 {
    def_entry(db, def).map_or(0, |entry| def.file(db).layout(db).start(entry.item))
}

/// The result of inferring one group, each part tracked on its own (spans relative to the
/// member's item): a dependent reads only `schemes`, so an edit that changes a body's
/// diagnostics or `+` sites but not its type re-runs nothing else, and no per-definition memo
/// is needed as that firewall (fewer memos for salsa to re-verify after an edit).
#[salsa::tracked(debug)]
pub struct GroupResult<'db> {
    #[tracked]
    #[returns(ref)]
    pub schemes: Vec<(String, Scheme)>,
    #[tracked]
    #[returns(ref)]
    pub diagnostics: Vec<(String, Diagnostic)>,
    /// Each `+` of each member (member, span relative to its item) and its operation.
    #[tracked]
    #[returns(ref)]
    pub plus: Vec<(String, Span, crate::infer::PlusKind)>,
    /// Each `data` value of each member used where a narrower type is expected (member, span
    /// of the value relative to its item) and the run-time test it gets.
    #[tracked]
    #[returns(ref)]
    pub narrowing: Vec<(String, Span, crate::infer::Narrowing)>,
    /// Each use of a definition with a deferred `+` at a fully known type (member, span of
    /// the use relative to its item, the type): compiled for that type ([`infer_instance`]).
    #[tracked]
    #[returns(ref)]
    pub instances: Vec<(String, Span, Ty)>,
}

#[salsa::tracked]
pub fn infer_group<'db>(db: &'db dyn Db, group: GroupId<'db>) -> GroupResult<'db> {
    infer_members(db, group, None, |infer, mut found| {
        for (name, vars) in &found.declared {
            // A definition with a type error already says what is wrong with it.
            let failed = found
                .diagnostics
                .iter()
                .any(|(member, d)| member == name && d.severity == Severity::Error);
            if failed {
                continue;
            }
            if let Some(d) = less_general(infer, vars) {
                found.diagnostics.push((name.clone(), d));
            }
        }
        let last = found.members.last().cloned().unwrap_or_default();
        found
            .diagnostics
            .extend(infer.diagnostics.drain(..).map(|d| (last.clone(), d)));
        // At module level nothing else is in scope: every variable left is quantified, so no
        // scheme leaks variables of this inference into another.
        let schemes: Vec<(String, Scheme)> = found
            .members
            .iter()
            .map(|n| {
                (
                    n.clone(),
                    infer.subst.generalize(&found.own[n], BTreeSet::new),
                )
            })
            .collect();
        let sites = found.sites(infer, &|member| has_deferred_plus(&schemes, member));
        let narrowing = narrowings(infer, &found.value_sites, Some(&mut found.diagnostics));
        GroupResult::new(
            db,
            schemes,
            found.diagnostics,
            sites.plus,
            narrowing,
            sites.instances,
        )
    })
}

/// What the code generator needs of one definition compiled for one type (`instance`, fully
/// known): its `+` operations, `data` narrowings and the instances it uses in turn, by span
/// relative to its item. Inferred again with the definition's type fixed to `instance`, so
/// the `+`s its generic inference left to run time are decided.
#[salsa::tracked(returns(ref))]
pub fn infer_instance<'db>(
    db: &'db dyn Db,
    group: GroupId<'db>,
    member: String,
    instance: Ty,
) -> InstanceSites {
    let generic = infer_group(db, group).schemes(db);
    infer_members(db, group, Some((&member, &instance)), |infer, found| {
        // The instance's warnings were the generic definition's: not built again.
        let sites = found.sites(infer, &|name| has_deferred_plus(generic, name));
        let narrowing = narrowings(infer, &found.value_sites, None);
        InstanceSites {
            plus: entries_of(&sites.plus, &member),
            narrowing: entries_of(&narrowing, &member),
            instances: entries_of(&sites.instances, &member),
        }
    })
}

/// The entries of one member in a table of a whole group's sites.
pub fn entries_of<T: Clone>(table: &[(String, Span, T)], member: &str) -> Vec<(Span, T)> {
    table
        .iter()
        .filter(|(m, _, _)| m == member)
        .map(|(_, span, x)| (*span, x.clone()))
        .collect()
}

/// The per-site tables of one instance of a definition (see [`infer_instance`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceSites {
    pub plus: Vec<(Span, crate::infer::PlusKind)>,
    pub narrowing: Vec<(Span, crate::infer::Narrowing)>,
    pub instances: Vec<(Span, Ty)>,
}

/// The group of definition `name` of `module`, if the module defines it.
pub fn group_of<'db>(
    db: &'db dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: &str,
    name: &str,
) -> Option<GroupId<'db>> {
    let index = module_named(db, file, module)?;
    Some(group_id(db, workspace, file, index, index.group_of(name)?))
}

/// The id of `group` (positions in `module.defs`): named by its first member.
fn group_id<'db>(
    db: &'db dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: &ModuleIndex,
    group: &[usize],
) -> GroupId<'db> {
    let first = module.defs[group[0]].name.clone();
    GroupId::new(db, workspace, file, module.name.clone(), first)
}

/// The generalised type of one definition (an interface declaration's is its signature).
pub fn def_scheme(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: &str,
    name: &str,
) -> Option<Scheme> {
    let group = group_of(db, workspace, file, module, name)?;
    infer_group(db, group)
        .schemes(db)
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.clone())
}

/// How many modules one [`block_diagnostics`] query covers: a file's diagnostics are gathered
/// from blocks, so that after an edit `check_file` fetches one memo per block (each verified at
/// a glance unless something in it changed) rather than one per module and group.
const MODULES_PER_BLOCK: usize = 64;

/// The modules of block `block` of a file's index, with their positions.
pub(crate) fn modules_of_block(
    index: &FileIndex,
    block: u32,
) -> impl Iterator<Item = (usize, &Arc<ModuleIndex>)> {
    index
        .modules
        .iter()
        .enumerate()
        .skip(block as usize * MODULES_PER_BLOCK)
        .take(MODULES_PER_BLOCK)
}

/// The type diagnostics of modules `block * MODULES_PER_BLOCK ..` of a file, each with the item
/// its span is relative to.
#[salsa::tracked(returns(ref))]
fn block_diagnostics(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    block: u32,
) -> Arc<Vec<(ItemSource, Diagnostic)>> {
    let mut out = Vec::new();
    let index = item_index(db, file);
    let cycles = crate::cycles::module_cycles(db, workspace);
    let declarations = crate::declarations::block_declarations(db, workspace, file, block);
    for (position, module) in modules_of_block(index, block) {
        if index.position(&module.name) != Some(position) {
            // Names resolve to the first module of a name, so nothing of this one is checked.
            let first_item = file
                .outline(db)
                .modules
                .get(position)
                .and_then(|m| m.items.first());
            out.extend(first_item.map(|&item| (item, duplicate_module(&module.name))));
            continue;
        }
        let mut found = Vec::new();
        found.extend(cycles.diagnostic(db, (file, position)));
        for entry in module.defs.iter().filter(|d| !d.has_body) {
            found.push((
                entry.item,
                Diagnostic::warning(
                    codes::INTERFACE_ONLY,
                    format!("`{}` is declared but never defined", entry.name),
                    Span::new(0, 3),
                )
                .with_help("code that uses it type-checks, but building or running it will need a definition"),
            ));
        }
        for group in &module.groups {
            let id = group_id(db, workspace, file, module, group);
            for (name, d) in infer_group(db, id).diagnostics(db) {
                if let Some(entry) = module.def(name) {
                    found.push((entry.item, d.clone()));
                }
            }
        }
        found.extend(
            declarations
                .iter()
                .filter(|(at, ..)| *at as usize == position)
                .map(|(_, item, d)| (*item, d.clone())),
        );
        let items = file
            .outline(db)
            .modules
            .get(position)
            .map_or(&[][..], |m| &m.items[..]);
        out.extend(crate::pragma::apply_in_module(db, items, found));
    }
    Arc::new(out)
}

/// The error for a second module of one name in a file, at its first item.
fn duplicate_module(name: &str) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_MODULE,
        format!("module `{name}` is defined more than once in this file; this one is not checked"),
        Span::new(0, 3),
    )
    .with_help("rename one of the modules, or merge their definitions into one")
}

/// Every diagnostic of a file: syntax first, then types, with absolute spans.
pub fn check_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    let layout = file.layout(db);
    let mut out: Vec<Diagnostic> = layout.diagnostics.clone();
    if out.iter().any(Diagnostic::is_error) {
        return out;
    }
    let blocks = item_index(db, file)
        .modules
        .len()
        .div_ceil(MODULES_PER_BLOCK);
    for block in 0..blocks as u32 {
        for (item, d) in block_diagnostics(db, workspace, file, block).iter() {
            out.push(shift(d, layout.start(*item)));
        }
    }
    out.sort_by_key(|d| (d.span.start, d.span.end));
    out
}

fn shift(d: &Diagnostic, by: u32) -> Diagnostic {
    let mut d = d.clone();
    d.span = Span::new(d.span.start + by, d.span.end + by);
    for label in &mut d.labels {
        label.span = Span::new(label.span.start + by, label.span.end + by);
    }
    d
}

/// `module.name : type` for every definition of the file, in order.
pub fn file_types(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for module in &item_index(db, file).modules {
        let globals = crate::globals::ModuleGlobals::new(
            db,
            workspace,
            file,
            module.name.clone(),
            Vec::new(),
        );
        let aliases = crate::infer::record_aliases(&globals);
        for entry in &module.defs {
            if let Some(scheme) = def_scheme(db, workspace, file, &module.name, &entry.name) {
                out.push((
                    format!("{}.{}", module.name, entry.name),
                    crate::ty::show_scheme_with_aliases(&scheme, aliases.clone()),
                ));
            }
        }
    }
    out
}
