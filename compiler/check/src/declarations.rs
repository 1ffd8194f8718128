//! Checks declarations where they are written: in `type` and `case` declarations an unknown
//! type in a body, a type given the wrong number of arguments, an alias that never reaches a
//! case, a union member with several arguments, and (a warning) a union member that declares
//! a case while its name is a near miss of a type; an `import` of a module that does not
//! exist. Uses of an alias do not repeat these (inference drops what it finds inside an
//! alias's body), so each mistake is reported once, at the declaration, however often the
//! type is used.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::{self, ItemKind, TypeKind};

use crate::codes;
use crate::db::{item_index, modules_of_block, Db, Workspace};
use crate::files::{ItemSource, SourceFile};
use crate::globals::ModuleGlobals;
use crate::infer::{builtin_type_names, edit_distance, Globals, Infer, TypeDef};
use crate::ty::Ty;

/// The diagnostics of the declarations of the modules of block `block` of a file
/// (`db::modules_of_block`), each with its module's position and the item it is in (spans
/// relative to that item). A query of its own: an edit inside a body re-runs its block's
/// diagnostics but changes no declaration, so this memo is reused rather than every type of
/// 64 modules converted again.
#[salsa::tracked(returns(ref))]
pub(crate) fn block_declarations(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    block: u32,
) -> Arc<Vec<(u32, ItemSource, Diagnostic)>> {
    let index = item_index(db, file);
    let outline = file.outline(db);
    let mut out = Vec::new();
    for (position, module) in modules_of_block(index, block) {
        // A second module of one name is not checked (see `db::block_diagnostics`).
        if index.position(&module.name) != Some(position) {
            continue;
        }
        let items = outline
            .modules
            .get(position)
            .map_or(&[][..], |m| &m.items[..]);
        out.extend(
            check(db, workspace, file, &module.name, items)
                .into_iter()
                .map(|(item, d)| (position as u32, item, d)),
        );
    }
    Arc::new(out)
}

/// The diagnostics of module `module`'s type and case declarations (`items`), each with the
/// item it is in.
fn check(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: &str,
    items: &[ItemSource],
) -> Vec<(ItemSource, Diagnostic)> {
    let mut out = Vec::new();
    let globals = ModuleGlobals::new(db, workspace, file, module.to_string(), Vec::new());
    let declared = DeclaredNames::of(db, items);
    for &source in items {
        // Kinds from the header: reading the tree of a `def` would make this memo depend on
        // every body of the module.
        if !matches!(
            source.header(db).item.kind,
            ItemKind::Type(_) | ItemKind::Case(_) | ItemKind::Import(_)
        ) {
            continue;
        }
        let item = source.tree(db);
        let (params, written): (&[ast::Ident], &ast::Type) = match &item.kind {
            ItemKind::Import(import) => {
                out.extend(unknown_import(&globals, import).map(|d| (source, d)));
                continue;
            }
            ItemKind::Type(decl) => {
                let Some(body) = &decl.body else { continue };
                if let Some(at) = self_reference(&globals, &decl.name.name, body) {
                    out.push((source, non_productive(at)));
                }
                out.extend(
                    members_like_types(&globals, &declared, &decl.params, body)
                        .into_iter()
                        .map(|d| (source, d)),
                );
                (&decl.params, body)
            }
            ItemKind::Case(case) => match &case.arg {
                Some(arg) => (&[], arg),
                None => continue,
            },
            _ => continue,
        };
        let mut infer = Infer::new(&globals);
        let mut vars: HashMap<Box<str>, Ty> = params
            .iter()
            .map(|p| (p.name.clone(), infer.fresh()))
            .collect();
        infer.convert_type(written, &mut vars);
        let mut found = std::mem::take(&mut infer.diagnostics);
        found.extend(several_arguments(&globals, written));
        out.extend(found.into_iter().map(|d| (source, d)));
    }
    out
}

/// The names a module declares with `type` and with `case` items, read from the headers.
struct DeclaredNames {
    types: Vec<Box<str>>,
    cases: HashSet<Box<str>>,
}

impl DeclaredNames {
    fn of(db: &dyn Db, items: &[ItemSource]) -> DeclaredNames {
        let mut declared = DeclaredNames {
            types: Vec::new(),
            cases: HashSet::new(),
        };
        for source in items {
            match &source.header(db).item.kind {
                ItemKind::Type(decl) => declared.types.push(decl.name.name.clone()),
                ItemKind::Case(case) => {
                    declared.cases.insert(case.name.name.clone());
                }
                _ => {}
            }
        }
        declared
    }
}

/// W0209 for each union member that declares a new case (it names nothing, spec §2) while
/// its name is a near miss of a type: `number | strng` or `String` most likely meant the
/// type, and as a case it silently accepts no string at all.
fn members_like_types(
    globals: &dyn Globals,
    declared: &DeclaredNames,
    params: &[ast::Ident],
    body: &ast::Type,
) -> Vec<Diagnostic> {
    let TypeKind::Union(members) = &body.kind else {
        return Vec::new();
    };
    let types: Vec<&str> = builtin_type_names()
        .map(|t| t as &str)
        .chain(declared.types.iter().map(|t| &**t))
        .chain(params.iter().map(|p| &*p.name))
        .collect();
    members
        .iter()
        .filter_map(|member| {
            let (TypeKind::Named(path) | TypeKind::App(path, _)) = &member.kind else {
                return None;
            };
            let [only] = &path[..] else { return None };
            let name = &*only.name;
            let declares_case = !declared.cases.contains(name)
                && matches!(globals.type_def(&[name]), Some(TypeDef::Case(_)));
            if !declares_case {
                return None;
            }
            let meant = types.iter().find(|t| near_miss(name, t))?;
            Some(
                Diagnostic::warning(
                    codes::NEAR_MISS_TYPE,
                    format!("`{name}` declares a new case here, not the type `{meant}`"),
                    only.span,
                )
                .with_help(format!(
                    "a name in a union that names no type declares a case; write `{meant}` \
                     for the type, or `case {name}` on a line of its own to keep the case \
                     and silence this"
                )),
            )
        })
        .collect()
}

/// Whether `name` looks like a slip for type `ty`: the same word in other letter case, one
/// edit in a name of four letters or more, or two in one of seven or more (short names are
/// left alone: `red` is a colour, not a misspelt `ref`).
fn near_miss(name: &str, ty: &str) -> bool {
    let distance = edit_distance(&name.to_lowercase(), ty);
    let letters = name.chars().count();
    distance == 0 || (distance == 1 && letters >= 4) || (distance == 2 && letters >= 7)
}

/// E0218 for each union member written with several arguments (`rect(number, number)`) that
/// is a case (declared by the union itself, see `index`, or elsewhere): a case takes one
/// argument. A type of several parameters (`pair(number, string)`) is no mistake.
fn several_arguments(globals: &dyn Globals, body: &ast::Type) -> Vec<Diagnostic> {
    let TypeKind::Union(members) = &body.kind else {
        return Vec::new();
    };
    members
        .iter()
        .filter_map(|member| match &member.kind {
            TypeKind::App(path, args)
                if path.len() == 1
                    && args.len() > 1
                    && matches!(globals.type_def(&[&path[0].name]), Some(TypeDef::Case(_))) =>
            {
                let name = &path[0].name;
                Some(
                    Diagnostic::error(
                        codes::CASE_TAKES_ONE_ARGUMENT,
                        format!(
                            "case `{name}` is written with {} arguments; a case takes one",
                            args.len()
                        ),
                        member.span,
                    )
                    .with_help(format!(
                        "declare one tuple (or record) argument, `{name}([…, …])`, and build \
                         values as `{name}([a, b])`"
                    )),
                )
            }
            _ => None,
        })
        .collect()
}

/// Where `body`, the body of type `name`, refers back to `name` through aliases alone (never
/// through a case or a named type): such an alias would be infinite. The span is that of the
/// reference in `body` itself. (A union of cases is a named type, so it is never reached.)
fn self_reference(globals: &dyn Globals, name: &str, body: &ast::Type) -> Option<Span> {
    if matches!(globals.type_def(&[name]), Some(TypeDef::Named { .. })) {
        return None;
    }
    let mut found = None;
    each_named(body, &mut |path, span| {
        if found.is_none() && reaches(globals, name, path, &mut Vec::new()) {
            found = Some(span);
        }
    });
    found
}

/// Whether type `path` is `target` or an alias (of this module) whose expansion reaches it.
fn reaches(
    globals: &dyn Globals,
    target: &str,
    path: &[ast::Ident],
    seen: &mut Vec<Box<str>>,
) -> bool {
    let [only] = path else {
        return false;
    };
    if &*only.name == target {
        return true;
    }
    if seen.contains(&only.name) {
        return false;
    }
    seen.push(only.name.clone());
    let Some(TypeDef::Alias { body, .. }) = globals.type_def(&[&only.name]) else {
        return false;
    };
    let mut hit = false;
    each_named(&body, &mut |inner, _| {
        hit = hit || reaches(globals, target, inner, seen);
    });
    hit
}

/// Calls `f` with the path and span of every named type in `t`.
fn each_named(t: &ast::Type, f: &mut dyn FnMut(&[ast::Ident], Span)) {
    match &t.kind {
        TypeKind::Named(path) => f(path, t.span),
        TypeKind::App(path, args) => {
            f(path, t.span);
            args.iter().for_each(|a| each_named(a, f));
        }
        TypeKind::Fun(a, b) => {
            each_named(a, f);
            each_named(b, f);
        }
        TypeKind::Tuple(elems) => elems.iter().for_each(|e| each_named(&e.ty, f)),
        TypeKind::Record(fields) => fields
            .iter()
            .filter_map(|field| field.ty.as_ref())
            .for_each(|ty| each_named(ty, f)),
        TypeKind::Union(members) => members.iter().for_each(|m| each_named(m, f)),
        TypeKind::Stream(inner)
        | TypeKind::Forall(_, inner)
        | TypeKind::VarMarked(inner)
        | TypeKind::Paren(inner) => each_named(inner, f),
        TypeKind::Var(..)
        | TypeKind::Wildcard
        | TypeKind::Null
        | TypeKind::Opaque(_)
        | TypeKind::ModuleType(_)
        | TypeKind::Error => {}
    }
}

fn non_productive(at: Span) -> Diagnostic {
    Diagnostic::error(
        codes::NON_PRODUCTIVE_TYPE,
        "this type alias refers to itself without going through a case",
        at,
    )
    .with_label(
        at,
        "an alias is expanded where it is used, so this never ends",
    )
    .with_help(
        "make the recursive part a case, which is a value with a name: \
         `case link {next: chain}`, `case stop`, `type chain = link | stop`",
    )
}

/// E0208 for `import M` when no module `M` is loaded.
fn unknown_import(globals: &dyn Globals, import: &ast::Import) -> Option<Diagnostic> {
    let (first, last) = (import.path.first()?, import.path.last()?);
    let target: Vec<&str> = import.path.iter().map(|i| &*i.name).collect();
    let target = target.join(".");
    if globals.is_module(&target) {
        return None;
    }
    let at = Span::new(first.span.start, last.span.end);
    Some(
        Diagnostic::error(
            codes::UNKNOWN_MODULE,
            format!("unknown module `{target}`"),
            at,
        )
        .with_help(format!(
            "a module is a file's `module … module end` block or a file of its own: `mixc run` \
             and `mixc check` load `{}.mix` from this file's directory for this import, and no \
             such file or module was found",
            first.name
        )),
    )
}
