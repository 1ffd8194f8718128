//! The salsa database and the checker's queries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::{self, Body, ItemKind};

use crate::codes;
use crate::deps;
use crate::globals::ModuleGlobals;
use crate::index::{self, FileIndex};
use crate::infer::Infer;
use crate::ty::{fun, null, Scheme, Ty};

#[salsa::db]
pub trait Db: salsa::Database {}

#[salsa::db]
#[derive(Clone, Default)]
pub struct CheckDatabase {
    storage: salsa::Storage<Self>,
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
        }
    }
}

#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: String,
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

#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn Db, file: SourceFile) -> Arc<mix_syntax::Parsed> {
    let is_stdlib = file.path(db).contains("stdlib/");
    Arc::new(mix_syntax::parse_with(
        file.text(db),
        mix_syntax::ParseOptions {
            allow_primitives: is_stdlib,
        },
    ))
}

#[salsa::tracked(returns(ref))]
pub fn item_index(db: &dyn Db, file: SourceFile) -> Arc<FileIndex> {
    let is_stdlib = file.path(db).starts_with("stdlib/");
    Arc::new(index::build(
        &parse(db, file).file,
        &module_name_of(file.path(db)),
        is_stdlib,
    ))
}

/// A definition's parameters, declared return type and body, with spans relative to the start
/// of the item (so edits elsewhere leave it equal), plus where the item starts.
#[derive(Clone, Debug, PartialEq)]
pub struct DefBody {
    pub params: Option<Vec<ast::Param>>,
    pub ret: Option<ast::Type>,
    pub body: Option<Body>,
}

fn module_items<'a>(
    file: &'a ast::SourceFile,
    module: &str,
    default_name: &str,
) -> Vec<&'a ast::Item> {
    let mut out = Vec::new();
    if module == default_name {
        out.extend(
            file.items
                .iter()
                .filter(|i| !matches!(i.kind, ItemKind::Module(_))),
        );
    }
    for item in &file.items {
        if let ItemKind::Module(m) = &item.kind {
            if &*m.name.name == module {
                out.extend(m.items.iter());
            }
        }
    }
    out
}

/// The item that defines `def` (with a body, else the declaration) and its start offset.
fn def_item<'a>(
    db: &dyn Db,
    def: DefId<'_>,
    parsed: &'a mix_syntax::Parsed,
) -> Option<&'a ast::Item> {
    let default_name = module_name_of(def.file(db).path(db));
    let items = module_items(&parsed.file, def.module(db), &default_name);
    let named = |i: &&ast::Item| match &i.kind {
        ItemKind::Def(d) => &*d.name.name == def.name(db),
        ItemKind::Foreign(f) => &*f.name.name == def.name(db),
        _ => false,
    };
    let with_body = items
        .iter()
        .copied()
        .filter(named)
        .find(|i| matches!(&i.kind, ItemKind::Def(d) if d.body.is_some()));
    with_body.or_else(|| items.iter().copied().find(named))
}

#[salsa::tracked(returns(ref))]
pub fn def_body<'db>(db: &'db dyn Db, def: DefId<'db>) -> Arc<Option<DefBody>> {
    let parsed = parse(db, def.file(db));
    let Some(item) = def_item(db, def, parsed) else {
        return Arc::new(None);
    };
    let mut item = item.clone();
    let base = item.span.start;
    mix_syntax::spans::item(&mut item, &|s: Span| {
        Span::new(s.start - base, s.end - base)
    });
    Arc::new(match item.kind {
        ItemKind::Def(d) => {
            let ret = if d.params.is_some() { d.ty } else { None };
            Some(DefBody {
                params: d.params,
                ret,
                body: d.body,
            })
        }
        _ => None,
    })
}

/// Where a definition's item starts in its file (to turn relative spans back into absolute).
#[salsa::tracked]
pub fn def_start<'db>(db: &'db dyn Db, def: DefId<'db>) -> u32 {
    let parsed = parse(db, def.file(db));
    def_item(db, def, parsed).map_or(0, |i| i.span.start)
}

/// Module-level names a definition refers to.
#[salsa::tracked(returns(ref))]
pub fn def_deps<'db>(db: &'db dyn Db, def: DefId<'db>) -> Arc<BTreeSet<String>> {
    let found = match &**def_body(db, def) {
        Some(DefBody {
            params,
            body: Some(body),
            ..
        }) => deps::of_def(params.as_deref(), body),
        _ => BTreeSet::new(),
    };
    Arc::new(found)
}

/// The module's definitions in strongly connected groups, dependencies first.
#[salsa::tracked(returns(ref))]
pub fn module_groups(db: &dyn Db, file: SourceFile, module: String) -> Arc<Vec<Vec<String>>> {
    let index = item_index(db, file);
    let Some(m) = index.module(&module) else {
        return Arc::new(Vec::new());
    };
    let names: Vec<String> = m.defs.iter().map(|d| d.name.clone()).collect();
    let position: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            // A declared signature cuts the dependency: uses see the declared type.
            let def = DefId::new(db, file, module.clone(), n.clone());
            def_deps(db, def)
                .iter()
                .filter_map(|d| position.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    let groups = tarjan(&edges)
        .into_iter()
        .map(|g| g.into_iter().map(|i| names[i].clone()).collect())
        .collect();
    Arc::new(groups)
}

/// Tarjan's algorithm, iterative; components come out dependencies first.
fn tarjan(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(i) {
                work.push((v, i + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out
}

/// The result of inferring one group: each member's scheme and the diagnostics, with spans
/// relative to the member's item.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupResult {
    pub schemes: Vec<(String, Scheme)>,
    pub diagnostics: Vec<(String, Diagnostic)>,
    /// Each `+` of each member (member, span relative to its item) and its operation.
    pub plus: Vec<(String, Span, crate::infer::PlusKind)>,
}

#[salsa::tracked(returns(ref))]
pub fn infer_group<'db>(db: &'db dyn Db, group: GroupId<'db>) -> Arc<GroupResult> {
    let (file, module) = (group.file(db), group.module(db).clone());
    let members: Vec<String> = module_groups(db, file, module.clone())
        .iter()
        .find(|g| g.first() == Some(group.first(db)))
        .cloned()
        .unwrap_or_default();
    let globals = ModuleGlobals::new(
        db,
        group.workspace(db),
        file,
        module.clone(),
        members.clone(),
    );
    let index = item_index(db, file);
    let own_index = index.module(&module);
    let mut infer = Infer::new(&globals);
    let mut diagnostics: Vec<(String, Diagnostic)> = Vec::new();
    let mut plus_sites: Vec<(String, Span, crate::ty::Ty, crate::ty::Ty)> = Vec::new();

    // Members see each other monomorphically while their group is inferred.
    let mut own: BTreeMap<String, Ty> = BTreeMap::new();
    for name in &members {
        let t = infer.fresh();
        infer.bind_local(name, Scheme::mono(t.clone()), false);
        own.insert(name.clone(), t);
    }
    let mut declared: BTreeMap<String, Ty> = BTreeMap::new();
    for name in &members {
        let entry = own_index.and_then(|m| m.def(name));
        if let Some(sig) = entry.and_then(|e| e.signature.as_ref()) {
            let t = infer.convert_type(sig, &mut Default::default());
            infer.expect(&t, &own[name], Span::new(0, 0));
            declared.insert(name.clone(), t);
        }
        if entry.is_some_and(|e| e.duplicate) {
            diagnostics.push((
                name.clone(),
                Diagnostic::error(
                    codes::DUPLICATE_DEFINITION,
                    format!("`{name}` is defined more than once"),
                    Span::new(0, 3),
                ),
            ));
        }
        let def = DefId::new(db, file, module.clone(), name.clone());
        let Some(body) = &**def_body(db, def) else {
            continue;
        };
        let before = infer.diagnostics.len();
        let t = infer_def(&mut infer, body);
        infer.expect(&own[name], &t, Span::new(0, 3));
        diagnostics.extend(infer.diagnostics.drain(before..).map(|d| (name.clone(), d)));
        plus_sites.extend(
            infer
                .plus_sites
                .drain(..)
                .map(|(span, x, y)| (name.clone(), span, x, y)),
        );
    }
    infer.settle(Span::new(0, 3));
    let last = members.last().cloned().unwrap_or_default();
    diagnostics.extend(infer.diagnostics.drain(..).map(|d| (last.clone(), d)));
    // At module level nothing else is in scope: every variable left is quantified, so no scheme
    // leaks variables of this inference into another.
    let closed = BTreeSet::new();
    let schemes = members
        .iter()
        .map(|n| (n.clone(), infer.subst.generalize(&own[n], &closed)))
        .collect();
    let plus = plus_sites
        .iter()
        .map(|(name, span, x, y)| {
            (
                name.clone(),
                *span,
                crate::infer::PlusKind::of(&infer.subst, x, y),
            )
        })
        .collect();
    Arc::new(GroupResult {
        schemes,
        diagnostics,
        plus,
    })
}

/// A definition's type from its parameters, declared return type and body.
fn infer_def(infer: &mut Infer<'_>, body: &DefBody) -> Ty {
    infer.push_params_scope();
    let mut params = Vec::new();
    match &body.params {
        Some(ps) if ps.is_empty() => params.push(null()),
        Some(ps) => {
            for p in ps {
                let t = match &p.ty {
                    Some(written) => infer.convert_type(written, &mut Default::default()),
                    None => infer.fresh(),
                };
                infer.bind_local(&p.name.name, Scheme::mono(t.clone()), false);
                params.push(t);
            }
        }
        None => {}
    }
    if !params.is_empty() {
        infer.enter_function();
    }
    let result = match &body.body {
        Some(Body::Expr(e)) if params.is_empty() => infer.expr_with_short_scope(e),
        Some(Body::Expr(e)) => infer.expr(e),
        Some(Body::Block(b)) => {
            let r = infer.fresh();
            infer.with_return(r.clone(), |infer| infer.block_body(b, &r));
            r
        }
        None => infer.fresh(),
    };
    if let Some(ret) = &body.ret {
        let t = infer.convert_type(ret, &mut Default::default());
        infer.expect(&t, &result, Span::new(0, 3));
    }
    if !params.is_empty() {
        infer.leave_function();
    }
    infer.pop_params_scope();
    params.into_iter().rev().fold(result, |acc, p| fun(p, acc))
}

/// The generalised type of one definition (an interface declaration's is its signature).
#[salsa::tracked(returns(ref))]
pub fn def_scheme<'db>(db: &'db dyn Db, workspace: Workspace, def: DefId<'db>) -> Option<Scheme> {
    let (file, module, name) = (def.file(db), def.module(db).clone(), def.name(db).clone());
    let groups = module_groups(db, file, module.clone());
    let group = groups.iter().find(|g| g.contains(&name))?;
    let id = GroupId::new(db, workspace, file, module, group[0].clone());
    infer_group(db, id)
        .schemes
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s.clone())
}

/// Every diagnostic of a file: syntax first, then types, with absolute spans.
pub fn check_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Vec<Diagnostic> {
    let parsed = parse(db, file);
    let mut out: Vec<Diagnostic> = parsed.diagnostics.clone();
    if parsed.has_errors() {
        return out;
    }
    for module in &item_index(db, file).modules {
        for entry in module.defs.iter().filter(|d| !d.has_body) {
            let start = def_start(
                db,
                DefId::new(db, file, module.name.clone(), entry.name.clone()),
            );
            out.push(
                Diagnostic::warning(
                    codes::INTERFACE_ONLY,
                    format!("`{}` is declared but never defined", entry.name),
                    Span::new(*start, *start + 3),
                )
                .with_help("code that uses it type-checks, but building or running it will need a definition"),
            );
        }
        for group in module_groups(db, file, module.name.clone()).iter() {
            let id = GroupId::new(db, workspace, file, module.name.clone(), group[0].clone());
            for (name, d) in &infer_group(db, id).diagnostics {
                let start = def_start(db, DefId::new(db, file, module.name.clone(), name.clone()));
                out.push(shift(d, *start));
            }
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
            let def = DefId::new(db, file, module.name.clone(), entry.name.clone());
            if let Some(scheme) = def_scheme(db, workspace, def) {
                out.push((
                    format!("{}.{}", module.name, entry.name),
                    crate::ty::show_scheme(scheme),
                ));
            }
        }
    }
    out
}

impl CheckDatabase {
    /// A workspace holding the embedded standard library plus `files` (path, text).
    pub fn load(&mut self, files: &[(String, String)]) -> (Workspace, Vec<SourceFile>) {
        let mut all = Vec::new();
        for (path, text) in crate::stdlib::FILES {
            all.push(SourceFile::new(self, path.to_string(), text.to_string()));
        }
        let user: Vec<SourceFile> = files
            .iter()
            .map(|(p, t)| SourceFile::new(self, p.clone(), t.clone()))
            .collect();
        all.extend(user.iter().copied());
        (Workspace::new(self, all), user)
    }
}
