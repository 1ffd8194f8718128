//! The salsa database and the checker's queries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::{self, Body, ItemKind};

use crate::codes;
use crate::files::ItemSource;
pub use crate::files::SourceFile;
use crate::globals::ModuleGlobals;
use crate::index::{self, FileIndex, ModuleIndex};
use crate::infer::{has_short_projection, Infer};
use crate::ty::{fun, null, Constraint, Scheme, TVar, Ty};

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
    fn of(db: &dyn Db, entry: &index::DefEntry) -> Option<DefBody> {
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
        let generic = |member: &str| {
            schemes
                .iter()
                .any(|(n, s)| n == member && crate::infer::has_plus(&s.ty))
        };
        let sites = found.sites(infer, &generic);
        let narrowing = narrowings(infer, &found.value_sites, &mut found.diagnostics);
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
    let generic_schemes = infer_group(db, group).schemes(db);
    let generic = |name: &str| {
        generic_schemes
            .iter()
            .any(|(n, s)| n == name && crate::infer::has_plus(&s.ty))
    };
    infer_members(db, group, Some((&member, &instance)), |infer, found| {
        let sites = found.sites(infer, &generic);
        let narrowing = narrowings(infer, &found.value_sites, &mut Vec::new());
        InstanceSites {
            plus: entries_of(&sites.plus, &member),
            narrowing: entries_of(&narrowing, &member),
            instances: entries_of(&sites.instances, &member),
        }
    })
}

/// The entries of one member in a table of a whole group's sites.
fn entries_of<T: Clone>(table: &[(String, Span, T)], member: &str) -> Vec<(Span, T)> {
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

/// What inferring a group's members collected, each site with its member.
struct Found {
    members: Vec<String>,
    own: BTreeMap<String, Ty>,
    diagnostics: Vec<(String, Diagnostic)>,
    declared: Vec<(String, Vec<SignatureVar>)>,
    plus_sites: Vec<(String, Span, Ty, Ty)>,
    value_sites: Vec<(String, crate::infer::ValueSite)>,
    instance_sites: Vec<(String, crate::infer::InstanceSite)>,
}

/// The `+` operations and the instances used, decided once a group is settled.
struct Decided {
    plus: Vec<(String, Span, crate::infer::PlusKind)>,
    instances: Vec<(String, Span, Ty)>,
}

impl Found {
    /// `generic`: whether a member of the group has a deferred `+` in its generic type (a
    /// use of it at a known type is worth compiling for that type).
    fn sites(&self, infer: &Infer<'_>, generic: &dyn Fn(&str) -> bool) -> Decided {
        let plus = self
            .plus_sites
            .iter()
            .map(|(name, span, x, y)| {
                (
                    name.clone(),
                    *span,
                    crate::infer::PlusKind::of(&infer.subst, x, y),
                )
            })
            .collect();
        let instances = self
            .instance_sites
            .iter()
            .filter(|(_, site)| site.member.as_deref().is_none_or(generic))
            .filter_map(|(name, site)| {
                let ty = infer.subst.resolve(&site.ty);
                let mut free = BTreeSet::new();
                infer.subst.free_vars(&ty, &mut free);
                (free.is_empty() && !crate::infer::has_plus(&ty))
                    .then(|| (name.clone(), site.span, ty))
            })
            .collect();
        Decided { plus, instances }
    }
}

/// Infers the members of `group`, `fixed` giving one of them a known type (an instance),
/// and hands the settled inference and what it collected to `finish`.
fn infer_members<R>(
    db: &dyn Db,
    group: GroupId<'_>,
    fixed: Option<(&str, &Ty)>,
    finish: impl FnOnce(&mut Infer<'_>, Found) -> R,
) -> R {
    let (file, module) = (group.file(db), group.module(db).clone());
    let own_index = module_named(db, file, &module);
    let members: Vec<String> = own_index
        .and_then(|m| m.group_of(group.first(db)).map(|g| m.names(g)))
        .unwrap_or_default();
    let globals = ModuleGlobals::new(
        db,
        group.workspace(db),
        file,
        module.clone(),
        members.clone(),
    );
    let mut infer = Infer::new(&globals);
    let mut found = Found {
        members: members.clone(),
        own: BTreeMap::new(),
        diagnostics: Vec::new(),
        declared: Vec::new(),
        plus_sites: Vec::new(),
        value_sites: Vec::new(),
        instance_sites: Vec::new(),
    };

    // Members see each other monomorphically while their group is inferred.
    for name in &members {
        let t = infer.fresh();
        infer.bind_member(name, t.clone());
        found.own.insert(name.clone(), t);
    }
    if let Some((name, instance)) = fixed {
        if let Some(t) = found.own.get(name) {
            infer.expect(t, instance, Span::new(0, 0));
        }
    }
    for name in &members {
        let own = found.own[name].clone();
        let entry = own_index.and_then(|m| m.def(name));
        if let Some(sig) = entry.and_then(|e| e.signature.as_ref()) {
            let mut vars = HashMap::new();
            let t = infer.convert_type(sig, &mut vars);
            if entry.is_some_and(|e| e.has_body) {
                found
                    .declared
                    .push((name.clone(), signature_vars(&infer, vars)));
            }
            infer.expect(&t, &own, Span::new(0, 0));
        }
        if entry.is_some_and(|e| e.duplicate) {
            found.diagnostics.push((
                name.clone(),
                Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    format!("`{name}` is defined more than once"),
                    Span::new(0, 3),
                ),
            ));
        }
        let Some(body) = entry.and_then(|e| DefBody::of(db, e)) else {
            continue;
        };
        let before = infer.diagnostics.len();
        let t = infer_def(&mut infer, &body, &own);
        infer.expect(&own, &t, Span::new(0, 3));
        found
            .diagnostics
            .extend(infer.diagnostics.drain(before..).map(|d| (name.clone(), d)));
        found.plus_sites.extend(
            infer
                .plus_sites
                .drain(..)
                .map(|(span, x, y)| (name.clone(), span, x, y)),
        );
        found
            .value_sites
            .extend(infer.value_sites.drain(..).map(|v| (name.clone(), v)));
        found
            .instance_sites
            .extend(infer.instance_sites.drain(..).map(|v| (name.clone(), v)));
    }
    infer.settle(Span::new(0, 3));
    finish(&mut infer, found)
}

/// The run-time tests of `data` values used where narrower types are expected (spec §4), one
/// per value, with a warning for each that no written type asks for.
fn narrowings(
    infer: &Infer<'_>,
    sites: &[(String, crate::infer::ValueSite)],
    diagnostics: &mut Vec<(String, Diagnostic)>,
) -> Vec<(String, Span, crate::infer::Narrowing)> {
    let mut out: Vec<(String, Span, crate::infer::Narrowing)> = Vec::new();
    let mut warned: BTreeSet<(String, Span)> = BTreeSet::new();
    for (member, site) in sites {
        let Some(narrowing) =
            crate::infer::Narrowing::of(&infer.subst, &site.expected, &site.found)
        else {
            continue;
        };
        if !out.iter().any(|(m, s, _)| m == member && *s == site.span) {
            out.push((member.clone(), site.span, narrowing));
        }
        if site.explicit || !warned.insert((member.clone(), site.span)) {
            continue;
        }
        let shown = crate::ty::Printer::default().print(&infer.subst.resolve(&site.expected));
        diagnostics.push((
            member.clone(),
            Diagnostic::warning(
                codes::DATA_NARROWED,
                format!("a `data` value is used as `{shown}`: it is checked at run time"),
                site.span,
            )
            .with_label(site.span, "this value's type is `data`")
            .with_help(format!(
                "write `type({shown}, e)` or `e : {shown}` to make the check explicit"
            )),
        ));
    }
    out
}

/// A type variable of a declared signature: its name, its variable and the constraint
/// (`@data`, `@word`) the declaration gives it.
struct SignatureVar {
    name: Box<str>,
    var: TVar,
    constraint: Option<Constraint>,
}

fn signature_vars(infer: &Infer<'_>, vars: HashMap<Box<str>, Ty>) -> Vec<SignatureVar> {
    let mut out: Vec<SignatureVar> = vars
        .into_iter()
        .filter_map(|(name, ty)| match ty {
            Ty::Var(var) => Some(SignatureVar {
                name,
                var,
                constraint: infer.subst.constraint(var),
            }),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A definition that pins down a type variable of its declared signature (`def f : A -> A`
/// defined as `x * 2`), makes two of them one, constrains one further or adds to one with a
/// deferred `+` (unless it is declared `@word`), is less general than its declaration: its
/// users would be promised a type it does not have.
fn less_general(infer: &Infer<'_>, vars: &[SignatureVar]) -> Option<Diagnostic> {
    let mut seen: HashMap<TVar, &str> = HashMap::new();
    let mut in_plus = BTreeSet::new();
    for (x, y, r) in &infer.subst.pending_plus {
        for t in [x, y, r] {
            infer.subst.free_vars(t, &mut in_plus);
        }
    }
    let mut printer = crate::ty::Printer::default();
    let problem = vars.iter().find_map(|v| {
        let name = &*v.name;
        match infer.subst.resolve(&Ty::Var(v.var)) {
            Ty::Var(found) => {
                if let Some(other) = seen.insert(found, name) {
                    Some(format!(
                        "the declaration keeps `{other}` and `{name}` apart, but the definition \
                         makes them the same type"
                    ))
                } else if infer.subst.constraint(found) != v.constraint {
                    Some(format!(
                        "the declaration promises any type for `{name}`, but the definition \
                         needs it to be {}",
                        match infer.subst.constraint(found) {
                            Some(Constraint::Word) => "a word (`@word`: number or string)",
                            _ => "data (`@data`)",
                        }
                    ))
                } else if in_plus.contains(&found) && v.constraint != Some(Constraint::Word) {
                    Some(format!(
                        "the declaration promises any type for `{name}`, but the definition \
                         uses it with `+`, which is not defined for every type"
                    ))
                } else {
                    None
                }
            }
            found => Some(format!(
                "the declaration promises any type for `{name}`, but the definition needs `{}`",
                printer.print(&found)
            )),
        }
    })?;
    Some(
        Diagnostic::error(
            codes::SIGNATURE_MISMATCH,
            "this definition is less general than its declared type",
            Span::new(0, 3),
        )
        .with_note(problem)
        .with_help(
            "make the declared type as specific as the definition, or the definition as \
             general as the declared type",
        ),
    )
}

/// A definition's type from its parameters, declared return type and body.
/// `expected` is what the definition is already known to be (its declaration, or a fresh
/// variable): parameters take their declared types, and the body is inferred against the
/// declared result, so `def pair : A -> B -> [A, B]` makes `[a, b]` a tuple, not an array.
fn infer_def(infer: &mut Infer<'_>, body: &DefBody, expected: &Ty) -> Ty {
    infer.push_params_scope();
    let mut expected = expected.clone();
    let mut params = Vec::new();
    let mut take_param = |infer: &mut Infer<'_>, t: &Ty, span: Span| {
        if let Ty::Fun(declared, rest) = infer.subst.head(&expected) {
            infer.expect(&declared, t, span);
            expected = *rest;
        } else {
            expected = infer.fresh();
        }
    };
    match body.params() {
        Some([]) => {
            take_param(infer, &null(), Span::new(0, 3));
            params.push(null());
        }
        Some(ps) => {
            for p in ps {
                let t = match &p.ty {
                    Some(written) => infer.convert_type(written, &mut Default::default()),
                    None => infer.fresh(),
                };
                take_param(infer, &t, p.span);
                infer.bind_local(&p.name.name, Scheme::mono(t.clone()), false);
                params.push(t);
            }
        }
        None => {}
    }
    if !params.is_empty() {
        infer.enter_function();
    }
    let ret = body
        .ret()
        .map(|ret| infer.convert_type(ret, &mut Default::default()));
    let result = match body.body() {
        Some(Body::Expr(e)) if params.is_empty() && has_short_projection(e) => {
            infer.expr_with_short_scope(e)
        }
        Some(Body::Expr(e)) => {
            let t = infer.expr_expecting(e, ret.as_ref().unwrap_or(&expected));
            if let Some(declared) = &ret {
                infer.value_site(declared, &t, e.span, false);
            }
            t
        }
        Some(Body::Block(b)) => {
            // `return e` meets the declared result type itself, so a `data` value returned as
            // a `number` is narrowed at the `return`.
            let r = ret.clone().unwrap_or_else(|| infer.fresh());
            infer.with_return(r.clone(), |infer| infer.block_body(b, &r));
            r
        }
        None => infer.fresh(),
    };
    if let Some(t) = ret {
        infer.expect(&t, &result, Span::new(0, 3));
    }
    if !params.is_empty() {
        infer.leave_function();
    }
    infer.pop_params_scope();
    params.into_iter().rev().fold(result, |acc, p| fun(p, acc))
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
    let first = block as usize * MODULES_PER_BLOCK;
    let cycles = crate::cycles::module_cycles(db, workspace);
    for (position, module) in index
        .modules
        .iter()
        .enumerate()
        .skip(first)
        .take(MODULES_PER_BLOCK)
    {
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
        let items = file.outline(db).modules.get(position).map(|m| &m.items[..]);
        out.extend(crate::pragma::apply_in_module(
            db,
            items.unwrap_or(&[]),
            found,
        ));
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
        for entry in &module.defs {
            if let Some(scheme) = def_scheme(db, workspace, file, &module.name, &entry.name) {
                out.push((
                    format!("{}.{}", module.name, entry.name),
                    crate::ty::show_scheme(&scheme),
                ));
            }
        }
    }
    out
}
