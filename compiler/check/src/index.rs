//! The item index: what each module of a file declares, without positions or bodies, so that
//! an edit inside a body leaves it equal (salsa's firewall for the rest of the checker).

use std::collections::HashMap;
use std::sync::Arc;

use mix_syntax::ast::{self, ItemKind, TypeKind};

use crate::db::Db;
use crate::files::{ItemHeader, ItemSource, Outline};
use crate::graph::tarjan;
use crate::infer::TypeDef;
use crate::ty::Name;

#[derive(Clone, Debug, PartialEq)]
pub struct FileIndex {
    pub modules: Vec<Arc<ModuleIndex>>,
    module_at: HashMap<String, usize>,
}

impl FileIndex {
    /// The position of module `name` in `modules` (the first of that name).
    pub fn position(&self, name: &str) -> Option<usize> {
        self.module_at.get(name).copied()
    }

    /// Module position by name (the first of a name).
    pub fn positions(&self) -> &HashMap<String, usize> {
        &self.module_at
    }

    pub fn module(&self, name: &str) -> Option<&ModuleIndex> {
        self.position(name).map(|i| &*self.modules[i])
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ModuleIndex {
    pub name: String,
    pub defs: Vec<DefEntry>,
    pub types: Vec<(String, TypeDef)>,
    pub cases: Vec<CaseEntry>,
    /// `import a = M` (alias, target) and `import M` (M, M).
    pub imports: Vec<(String, String)>,
    /// The item of each import, in the order of `imports`.
    pub import_items: Vec<ItemSource>,
    /// Declared unions of cases by their type name (as in `Ty::Con`), with their members.
    pub unions: Vec<(String, Vec<String>)>,
    /// The definitions (positions in `defs`) in strongly connected groups of their `deps`,
    /// dependencies first: the units of inference. Part of the index (not a query of its own)
    /// because everything that reads groups also reads the index, and one memo per module fewer
    /// is one fewer for salsa to re-verify after an edit.
    pub groups: Vec<Vec<usize>>,
    /// Position in `groups` of each definition's group.
    group_at: Vec<usize>,
    /// Name to position in `defs`, `types`, `cases`: lookups are constant time.
    def_at: HashMap<String, usize>,
    type_at: HashMap<String, usize>,
    case_at: HashMap<String, usize>,
}

impl ModuleIndex {
    pub fn def(&self, name: &str) -> Option<&DefEntry> {
        self.def_at.get(name).map(|i| &self.defs[*i])
    }

    /// The group (positions in `defs`) of definition `name`.
    pub fn group_of(&self, name: &str) -> Option<&[usize]> {
        self.def_at
            .get(name)
            .map(|&i| self.groups[self.group_at[i]].as_slice())
    }

    /// The names of the definitions at `positions`.
    pub fn names(&self, positions: &[usize]) -> Vec<String> {
        positions
            .iter()
            .map(|&i| self.defs[i].name.clone())
            .collect()
    }

    pub fn type_def(&self, name: &str) -> Option<&TypeDef> {
        self.type_at.get(name).map(|i| &self.types[*i].1)
    }

    pub fn case(&self, name: &str) -> Option<&CaseEntry> {
        self.case_at.get(name).map(|i| &self.cases[*i])
    }

    pub fn import_target(&self, alias: &str) -> Option<&str> {
        self.imports
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, t)| t.as_str())
    }

    fn build_lookups(&mut self) {
        self.def_at = self
            .defs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i))
            .collect();
        let edges: Vec<Vec<usize>> = self
            .defs
            .iter()
            .map(|d| {
                d.deps
                    .iter()
                    .filter_map(|dep| self.def_at.get(dep).copied())
                    .collect()
            })
            .collect();
        self.groups = tarjan(&edges);
        self.group_at = vec![0; self.defs.len()];
        for (g, members) in self.groups.iter().enumerate() {
            for &m in members {
                self.group_at[m] = g;
            }
        }
        self.type_at = self
            .types
            .iter()
            .enumerate()
            .rev()
            .map(|(i, t)| (t.0.clone(), i))
            .collect();
        self.case_at = self
            .cases
            .iter()
            .enumerate()
            .rev()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DefEntry {
    pub name: String,
    /// The declared type (`def f : T`), spans zeroed.
    pub signature: Option<ast::Type>,
    /// The item that defines it: the first with a body, else the first declaration.
    pub item: ItemSource,
    /// Whether `signature` is written on `item` (not on a separate declaration).
    pub signature_on_item: bool,
    /// Module-level names its body refers to.
    pub deps: Vec<String>,
    pub has_body: bool,
    /// More than one definition with a body: reported once, the first is used.
    pub duplicate: bool,
    /// `_meta_ { deprecated: true }`: uses warn.
    pub deprecated: bool,
    /// `private def`: invisible outside its module.
    pub private: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaseEntry {
    pub name: String,
    pub arg: Option<ast::Type>,
    /// The declared union this case belongs to, with its parameters.
    pub union: Option<(String, Vec<Name>)>,
    /// `private case`: only its module builds it (matching and `^` stay public).
    pub private: bool,
}

fn zeroed_type(t: &ast::Type) -> ast::Type {
    let mut item = ast::Item {
        kind: ItemKind::Type(Box::new(ast::TypeDecl {
            name: ast::Ident {
                name: "_".into(),
                span: t.span,
            },
            params: Vec::new(),
            body: Some(t.clone()),
        })),
        span: t.span,
    };
    mix_syntax::spans::item(&mut item, &|_| mix_diagnostics::Span::new(0, 0));
    match item.kind {
        ItemKind::Type(decl) => decl.body.unwrap_or(ast::Type::new(TypeKind::Error, t.span)),
        _ => ast::Type::new(TypeKind::Error, t.span),
    }
}

/// The file's modules (its outline, read through `db`). `qualify`: name the types of these
/// modules `module.name` (the standard library's, so that `regex.pattern` and `calendar.t`
/// cannot collide with a user's types).
pub fn build(db: &dyn Db, outline: &Outline, qualify: bool) -> FileIndex {
    let modules: Vec<Arc<ModuleIndex>> = outline
        .modules
        .iter()
        .map(|m| {
            let items = m.items.iter().map(|&source| (source, &**source.header(db)));
            Arc::new(module(&m.name, items, qualify))
        })
        .collect();
    let module_at = modules
        .iter()
        .enumerate()
        .rev()
        .map(|(i, m)| (m.name.clone(), i))
        .collect();
    FileIndex { modules, module_at }
}

fn module<'a>(
    name: &str,
    items: impl Iterator<Item = (ItemSource, &'a ItemHeader)>,
    qualify: bool,
) -> ModuleIndex {
    let type_name = |t: &str| -> Name {
        if qualify && !matches!(t, "option" | "result") {
            format!("{name}.{t}").into()
        } else {
            t.into()
        }
    };
    let mut index = ModuleIndex {
        name: name.to_string(),
        defs: Vec::new(),
        types: Vec::new(),
        cases: Vec::new(),
        imports: Vec::new(),
        import_items: Vec::new(),
        unions: Vec::new(),
        groups: Vec::new(),
        group_at: Vec::new(),
        def_at: HashMap::new(),
        type_at: HashMap::new(),
        case_at: HashMap::new(),
    };
    let mut unions: Vec<(String, Vec<Name>, Vec<UnionMember>)> = Vec::new();
    for (source, header) in items {
        let item = &header.item;
        match &item.kind {
            ItemKind::Def(def) => add_def(
                &mut index,
                (source, &header.deps),
                &def.name.name,
                def.params.is_none().then_some(()).and(def.ty.as_ref()),
                DefFlags {
                    has_body: def.body.is_some(),
                    deprecated: def.meta.as_ref().is_some_and(is_deprecated),
                    private: def.private,
                },
            ),
            ItemKind::Foreign(f) => add_def(
                &mut index,
                (source, &header.deps),
                &f.name.name,
                Some(&f.ty),
                DefFlags {
                    has_body: true,
                    deprecated: f.meta.as_ref().is_some_and(is_deprecated),
                    private: f.private,
                },
            ),
            ItemKind::Import(import) => {
                let target: Vec<&str> = import.path.iter().map(|i| &*i.name).collect();
                let target = target.join(".");
                let alias = import
                    .alias
                    .as_ref()
                    .map_or(target.clone(), |a| a.name.to_string());
                index.imports.push((alias, target));
                index.import_items.push(source);
            }
            ItemKind::Type(decl) => {
                let params: Vec<Name> = decl.params.iter().map(|p| Name::from(&*p.name)).collect();
                let members = decl.body.as_ref().and_then(union_members);
                let def = match (&decl.body, members) {
                    (Some(_), Some(members)) => {
                        unions.push((decl.name.name.to_string(), params.clone(), members));
                        TypeDef::Named {
                            name: type_name(&decl.name.name),
                            params,
                        }
                    }
                    (Some(body), None) if !matches!(body.kind, TypeKind::Opaque(_)) => {
                        TypeDef::Alias {
                            params,
                            body: zeroed_type(body),
                        }
                    }
                    _ => TypeDef::Named {
                        name: type_name(&decl.name.name),
                        params,
                    },
                };
                index.types.push((decl.name.name.to_string(), def));
            }
            ItemKind::Case(case) => index.cases.push(CaseEntry {
                name: case.name.name.to_string(),
                arg: case.arg.as_ref().map(zeroed_type),
                union: None,
                private: case.private,
            }),
            _ => {}
        }
    }
    declare_implicit_cases(&mut index, &unions);
    // A union of types rather than cases (`type t = t_date | t_time`) has no single
    // representation without subtyping: it is checked as `data`.
    let case_names: Vec<String> = index.cases.iter().map(|c| c.name.clone()).collect();
    let unions: Vec<(String, Vec<Name>, Vec<String>)> = unions
        .into_iter()
        .map(|(union, params, members)| {
            let names = members.into_iter().map(|m| m.name).collect();
            (union, params, names)
        })
        .collect();
    for (union, _, members) in &unions {
        if members
            .iter()
            .any(|m| m != "null" && !case_names.contains(m))
        {
            let data = ast::Type::new(
                TypeKind::Named(vec![ast::Ident {
                    name: "data".into(),
                    span: Default::default(),
                }]),
                Default::default(),
            );
            if let Some(entry) = index.types.iter_mut().find(|(n, _)| n == union) {
                entry.1 = TypeDef::Alias {
                    params: Vec::new(),
                    body: data,
                };
            }
        }
    }
    for case in &mut index.cases {
        case.union = unions
            .iter()
            .filter(|(union, _, _)| {
                matches!(
                    index.types.iter().find(|(n, _)| n == union),
                    Some((_, TypeDef::Named { .. }))
                )
            })
            .find(|(_, _, members)| members.contains(&case.name))
            .map(|(union, params, _)| (type_name(union).to_string(), params.clone()));
    }
    for (union, _, members) in &unions {
        if matches!(
            index.types.iter().find(|(n, _)| n == union),
            Some((_, TypeDef::Named { .. }))
        ) {
            index
                .unions
                .push((type_name(union).to_string(), members.clone()));
        }
    }
    index.build_lookups();
    index
}

/// What an item says about the definition it adds to.
struct DefFlags {
    has_body: bool,
    deprecated: bool,
    private: bool,
}

fn add_def(
    index: &mut ModuleIndex,
    (source, deps): (ItemSource, &[String]),
    name: &str,
    signature: Option<&ast::Type>,
    DefFlags {
        has_body,
        deprecated,
        private,
    }: DefFlags,
) {
    if let Some(existing) = index.def_at.get(name).map(|i| &mut index.defs[*i]) {
        if has_body && existing.has_body {
            existing.duplicate = true;
        }
        if has_body && !existing.has_body {
            existing.item = source;
            existing.deps = deps.to_vec();
            existing.signature_on_item = false;
        }
        existing.has_body |= has_body;
        existing.deprecated |= deprecated;
        existing.private |= private;
        if existing.signature.is_none() {
            existing.signature = signature.map(zeroed_type);
            existing.signature_on_item = signature.is_some() && existing.item == source;
        }
        return;
    }
    index.def_at.insert(name.to_string(), index.defs.len());
    index.defs.push(DefEntry {
        name: name.to_string(),
        signature: signature.map(zeroed_type),
        item: source,
        signature_on_item: signature.is_some(),
        deps: deps.to_vec(),
        has_body,
        duplicate: false,
        deprecated,
        private,
    });
}

/// `_meta_ { deprecated: true, … }`
fn is_deprecated(meta: &ast::Expr) -> bool {
    match &meta.kind {
        ast::ExprKind::Record(fields) => fields.iter().any(|f| {
            matches!(&f.key, ast::FieldKey::Name(n) if &*n.name == "deprecated")
                && matches!(f.value.as_ref().map(|v| &v.kind), Some(ast::ExprKind::True))
        }),
        _ => false,
    }
}

/// A member of a union declaration, `a` or `b(T)`.
struct UnionMember {
    name: String,
    /// What is written in the parentheses: one type, or several (an error the declaration
    /// check reports; the case then takes them as one tuple).
    arg: Option<ast::Type>,
}

/// `a | b(T) | c` (or a single `a`) where every member is a plain name, with or without
/// arguments: the members.
fn union_members(t: &ast::Type) -> Option<Vec<UnionMember>> {
    let members: Vec<&ast::Type> = match &t.kind {
        TypeKind::Union(ms) => ms.iter().collect(),
        _ => return None,
    };
    members
        .into_iter()
        .map(|m| match &m.kind {
            TypeKind::Named(path) if path.len() == 1 => Some(UnionMember {
                name: path[0].name.to_string(),
                arg: None,
            }),
            TypeKind::App(path, args) if path.len() == 1 => Some(UnionMember {
                name: path[0].name.to_string(),
                arg: match args.as_slice() {
                    [one] => Some(one.clone()),
                    several => Some(ast::Type::new(
                        TypeKind::Tuple(
                            several
                                .iter()
                                .map(|ty| ast::TupleTypeElem {
                                    label: None,
                                    ty: ty.clone(),
                                })
                                .collect(),
                        ),
                        m.span,
                    )),
                },
            }),
            TypeKind::Null => Some(UnionMember {
                name: "null".to_string(),
                arg: None,
            }),
            _ => None,
        })
        .collect()
}

/// A union member that names no type and no declared case declares that case (spec §2:
/// `type e = a | b(string)` declares `b` when it is not declared elsewhere; `a` too).
fn declare_implicit_cases(
    index: &mut ModuleIndex,
    unions: &[(String, Vec<Name>, Vec<UnionMember>)],
) {
    // Names of the module's types and cases (a set: a module may declare thousands).
    let mut named: std::collections::HashSet<String> = index
        .types
        .iter()
        .map(|(t, _)| t.clone())
        .chain(index.cases.iter().map(|c| c.name.clone()))
        .collect();
    for (_, params, members) in unions {
        for member in members {
            let name = member.name.as_str();
            let known = name == "null"
                || params.iter().any(|p| &**p == name)
                || crate::infer::is_builtin_type(name)
                || named.contains(name);
            if !known {
                named.insert(name.to_string());
                index.cases.push(CaseEntry {
                    name: name.to_string(),
                    arg: member.arg.as_ref().map(zeroed_type),
                    union: None,
                    private: false,
                });
            }
        }
    }
}
