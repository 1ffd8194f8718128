//! Name resolution for inference: a module's own definitions, its imports, the other modules
//! of the workspace (the standard library among them), and a small prelude. Every lookup is a
//! hash lookup in a table salsa computes once per revision.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::{
    def_scheme, item_index, module_index, module_positions, Db, SourceFile, Workspace,
};
use crate::index::ModuleIndex;
use crate::infer::{Constructor, Globals, Infer, TypeDef};
use crate::ty::{self, app, fun, null, number, string, Name, Scheme, Ty};

use crate::cycles::{module_cycles, ModuleAt};

/// Every module of the workspace by name (the first of a name wins).
#[salsa::tracked(returns(ref))]
pub fn module_table(db: &dyn Db, workspace: Workspace) -> Arc<HashMap<String, ModuleAt>> {
    let mut table = HashMap::new();
    for &file in workspace.files(db) {
        // A library file's module names are known without parsing it.
        let names: Vec<String> = if file.is_stdlib(db) {
            crate::files::library_modules(db, file).to_vec()
        } else {
            item_index(db, file)
                .modules
                .iter()
                .map(|m| m.name.clone())
                .collect()
        };
        for (i, name) in names.into_iter().enumerate() {
            table.entry(name).or_insert((file, i));
        }
    }
    Arc::new(table)
}

/// Every case and type name of the workspace to the module declaring it (for unqualified
/// `some(x)`, `option(T)`, `pattern`), the first declaration winning.
#[salsa::tracked(returns(ref))]
pub fn global_names(
    db: &dyn Db,
    workspace: Workspace,
) -> Arc<(HashMap<String, ModuleAt>, HashMap<String, ModuleAt>)> {
    let (mut cases, mut types) = (HashMap::new(), HashMap::new());
    for file in workspace.files(db) {
        for (i, m) in item_index(db, *file).modules.iter().enumerate() {
            for c in &m.cases {
                cases.entry(c.name.clone()).or_insert((*file, i));
            }
            for (t, _) in &m.types {
                types.entry(t.clone()).or_insert((*file, i));
            }
        }
    }
    Arc::new((cases, types))
}

/// A case constructor's scheme: `arg -> result`, or `result` for a constant case. The result
/// is the declared union the case belongs to, else an open union of that case.
///
/// Not a query: converting one declared type is cheap, and a memo per case would be one more
/// for salsa to re-verify after every edit that lowers a durability.
pub fn case_scheme(
    db: &dyn Db,
    workspace: Workspace,
    (file, position): ModuleAt,
    name: &str,
) -> Option<Scheme> {
    let module = module_index(db, file, position).as_deref()?;
    let entry = module.case(name)?;
    let globals = ModuleGlobals::new(db, workspace, file, module.name.clone(), Vec::new());
    let mut infer = Infer::new(&globals);
    let mut vars = Default::default();
    let arg = entry.arg.as_ref().map(|a| infer.convert_type(a, &mut vars));
    let result = match &entry.union {
        Some((union, params)) => {
            let args = params
                .iter()
                .map(|p| vars.get(&**p).cloned().unwrap_or_else(|| infer.fresh()))
                .collect();
            Ty::Con(union.clone().into(), args)
        }
        None => {
            let rest = infer.subst.fresh_var();
            Ty::Cases(
                vec![(Name::from(entry.name.as_str()), arg.clone())],
                Some(rest),
            )
        }
    };
    let ty = match arg {
        Some(a) => fun(a, result),
        None => result,
    };
    Some(infer.subst.generalize(&ty, Default::default))
}

/// What `type(T)` tests at run time (for the back ends).
#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeType {
    /// A structural alias: its body is tested, its names resolved in the module declaring it
    /// and its parameters bound to the arguments written where it is used.
    Alias {
        params: Vec<String>,
        body: mix_syntax::ast::Type,
        file: SourceFile,
        module: String,
    },
    /// A declared union (parameters `params`), or one case used as a type: the value is one of
    /// these cases (`null` among them for `a | null`), its argument of the case's declared
    /// type.
    Cases {
        /// The union's qualified name (`module.name`; a case's own name when used alone).
        name: String,
        params: Vec<String>,
        cases: Vec<RuntimeCase>,
    },
    /// A named type with nothing to test at run time (opaque, or a type parameter).
    Opaque,
}

/// A member of [`RuntimeType::Cases`].
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeCase {
    pub name: String,
    /// The declared type of the case's argument, with the file and module it is written in
    /// (`None`: no argument, or `null`).
    pub arg: Option<(mix_syntax::ast::Type, SourceFile, String)>,
}

/// The run-time meaning of type name `path` written in module `module` of `file`, resolved as
/// inference resolves it there.
pub fn runtime_type(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: &str,
    path: &[&str],
) -> Option<RuntimeType> {
    let globals = ModuleGlobals::new(db, workspace, file, module.to_string(), Vec::new());
    let (home, name) = globals.type_home(path)?;
    let names = |params: Vec<Name>| params.iter().map(|p| p.to_string()).collect();
    Some(match globals.type_in(home, name)? {
        TypeDef::Alias { params, body } => RuntimeType::Alias {
            params: names(params),
            body,
            file: home.0,
            module: globals.index_at(home)?.name.clone(),
        },
        TypeDef::Named {
            name: union,
            params,
        } => match globals.union_members(&union) {
            Some(members) => RuntimeType::Cases {
                name: format!("{}.{name}", globals.index_at(home)?.name),
                params: names(params),
                cases: members
                    .into_iter()
                    .map(|m| globals.runtime_case(home, m))
                    .collect(),
            },
            None => RuntimeType::Opaque,
        },
        // A case as a type: its own parameters are those of its union, if any.
        TypeDef::Case(_) => {
            let case = globals.runtime_case(home, name.to_string());
            let params = globals
                .index_at(home)
                .and_then(|m| m.case(name))
                .and_then(|c| c.union.as_ref())
                .map(|(_, params)| names(params.clone()))
                .unwrap_or_default();
            RuntimeType::Cases {
                name: name.to_string(),
                params,
                cases: vec![case],
            }
        }
    })
}

pub struct ModuleGlobals<'db> {
    db: &'db dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: String,
    /// This module's position and index, resolved once.
    own: Option<(usize, &'db ModuleIndex)>,
    /// The definitions being inferred together (seen as locals, not through here).
    members: Vec<String>,
}

impl<'db> ModuleGlobals<'db> {
    pub fn new(
        db: &'db dyn Db,
        workspace: Workspace,
        file: SourceFile,
        module: String,
        members: Vec<String>,
    ) -> Self {
        let own = module_positions(db, file)
            .get(&module)
            .and_then(|&i| module_index(db, file, i).as_deref().map(|index| (i, index)));
        ModuleGlobals {
            db,
            workspace,
            file,
            module,
            own,
            members,
        }
    }

    fn own(&self) -> Option<(usize, &'db ModuleIndex)> {
        self.own
    }

    fn index_at(&self, (file, position): ModuleAt) -> Option<&'db ModuleIndex> {
        module_index(self.db, file, position).as_deref()
    }

    /// Case `name` of the module at `at`, and whether it is private to that module as seen
    /// from this one.
    fn constructor_at(&self, at: ModuleAt, name: &str) -> Option<Constructor> {
        let scheme = self.case_in(at, name)?;
        let private_to = match self.index_at(at) {
            Some(m) if !self.is_own(at) && m.case(name).is_some_and(|c| c.private) => {
                Some(m.name.clone())
            }
            _ => None,
        };
        Some(Constructor { scheme, private_to })
    }

    /// For `M.x` with `M` another module than this one: where `M` is, and `x`.
    fn other_module<'p>(&self, path: &'p [&'p str]) -> Option<(ModuleAt, &'p str)> {
        let [module @ .., name] = without_global(path) else {
            return None;
        };
        if module.is_empty() || module == ["self"] {
            return None;
        }
        let at = self.find_module(&module.join("."))?;
        (!self.is_own(at)).then_some((at, *name))
    }

    /// Whether `at` is the module being checked (which sees its own private definitions).
    fn is_own(&self, at: ModuleAt) -> bool {
        self.own()
            .is_some_and(|(position, _)| (self.file, position) == at)
    }

    /// Module `name`: an import alias, a module of this file, or any module of the workspace.
    fn find_module(&self, name: &str) -> Option<ModuleAt> {
        let target = self
            .own()
            .and_then(|(_, m)| m.import_target(name))
            .unwrap_or(name);
        if let Some(&i) = module_positions(self.db, self.file).get(target) {
            return Some((self.file, i));
        }
        module_table(self.db, self.workspace).get(target).copied()
    }

    fn scheme_in(&self, file: SourceFile, module: &str, name: &str) -> Option<Scheme> {
        def_scheme(self.db, self.workspace, file, module, name)
    }

    fn case_in(&self, at: ModuleAt, name: &str) -> Option<Scheme> {
        case_scheme(self.db, self.workspace, at, name)
    }

    /// The module declaring the type (or case) `path` names, and its own name there: this
    /// module's first, then the first module of the workspace declaring it.
    fn type_home<'p>(&self, path: &[&'p str]) -> Option<(ModuleAt, &'p str)> {
        match path {
            [name] => {
                if let Some((position, m)) = self.own() {
                    if m.type_def(name).is_some() || m.case(name).is_some() {
                        return Some(((self.file, position), name));
                    }
                }
                let names = global_names(self.db, self.workspace);
                let at = names.1.get(*name).or_else(|| names.0.get(*name)).copied()?;
                Some((at, name))
            }
            [module @ .., name] => Some((self.find_module(&module.join("."))?, name)),
            [] => None,
        }
    }

    /// Member `name` of a union declared at `home`: its argument's declared type, looked up
    /// in that module first, then wherever the workspace declares the case.
    fn runtime_case(&self, home: ModuleAt, name: String) -> RuntimeCase {
        // `None` when the module does not declare the case; `Some(None)` for no argument.
        let declared = |at: ModuleAt| {
            let module = self.index_at(at)?;
            let case = module.case(&name)?;
            Some(case.arg.clone().map(|arg| (arg, at.0, module.name.clone())))
        };
        let global = || {
            let at = *global_names(self.db, self.workspace).0.get(&name)?;
            declared(at)
        };
        let arg = match name.as_str() {
            "null" => None,
            _ => declared(home).or_else(global).flatten(),
        };
        RuntimeCase { name, arg }
    }

    fn type_in(&self, at: ModuleAt, name: &str) -> Option<TypeDef> {
        let module = self.index_at(at)?;
        if let Some(def) = module.type_def(name) {
            return Some(def.clone());
        }
        self.case_in(at, name).map(TypeDef::Case)
    }
}

fn prelude_value(name: &str) -> Option<Scheme> {
    let a = Ty::Var(0);
    let one = |ty: Ty| {
        Some(Scheme {
            vars: vec![(0, None)],
            ty,
        })
    };
    match name {
        "fail" => one(fun(string(), a)),
        "debug" => one(fun(a, null())),
        "withDefault" => one(fun(a.clone(), fun(a.clone(), a))),
        "noDefault" => one(fun(a.clone(), a)),
        "floor" | "ceil" => Some(Scheme::mono(fun(number(), number()))),
        "datacase" => Some(Scheme::mono(fun(ty::data(), string()))),
        _ => None,
    }
}

fn prelude_constructor(name: &str) -> Option<Scheme> {
    let (e, t) = (Ty::Var(0), Ty::Var(1));
    let two = |ty: Ty| {
        Some(Scheme {
            vars: vec![(0, None), (1, None)],
            ty,
        })
    };
    match name {
        "some" => Some(Scheme {
            vars: vec![(1, None)],
            ty: fun(t.clone(), app("option", t)),
        }),
        "ok" => two(fun(t.clone(), Ty::Con("result".into(), vec![e, t]))),
        "error" => two(fun(e.clone(), Ty::Con("result".into(), vec![e, t]))),
        _ => None,
    }
}

/// `global.M.x` names `M.x` from the global scope: past any local binding named `M`.
fn without_global<'p>(path: &'p [&'p str]) -> &'p [&'p str] {
    match path {
        ["global", rest @ ..] if rest.len() >= 2 => rest,
        _ => path,
    }
}

impl Globals for ModuleGlobals<'_> {
    fn value(&self, path: &[&str]) -> Option<Scheme> {
        match without_global(path) {
            [name] | ["self" | "global", name] => {
                if self.members.iter().any(|m| m == name) {
                    return None;
                }
                if self.own().is_some_and(|(_, m)| m.def(name).is_some()) {
                    return self.scheme_in(self.file, &self.module, name);
                }
                prelude_value(name)
            }
            [module @ .., name] => {
                let at = self.find_module(&module.join("."))?;
                let index = self.index_at(at)?;
                if index.def(name)?.private && !self.is_own(at) {
                    return None;
                }
                if let Some((own, _)) = self.own() {
                    if module_cycles(self.db, self.workspace).within((self.file, own), at) {
                        // Reported as E0213; following it would be a cycle of queries.
                        return Some(Scheme {
                            vars: vec![(0, None)],
                            ty: Ty::Var(0),
                        });
                    }
                }
                self.scheme_in(at.0, &index.name, name)
            }
            [] => None,
        }
    }

    fn constructor(&self, path: &[&str]) -> Option<Constructor> {
        match without_global(path) {
            [name] | ["self" | "global", name] => {
                if let Some((position, _)) = self.own() {
                    if let Some(c) = self.constructor_at((self.file, position), name) {
                        return Some(c);
                    }
                }
                let declared = global_names(self.db, self.workspace).0.get(*name).copied();
                declared
                    .and_then(|at| self.constructor_at(at, name))
                    .or_else(|| {
                        prelude_constructor(name).map(|scheme| Constructor {
                            scheme,
                            private_to: None,
                        })
                    })
            }
            [module @ .., name] => self.constructor_at(self.find_module(&module.join("."))?, name),
            [] => None,
        }
    }

    fn type_def(&self, path: &[&str]) -> Option<TypeDef> {
        let (home, name) = self.type_home(path)?;
        self.type_in(home, name)
    }

    fn is_module(&self, name: &str) -> bool {
        self.find_module(name).is_some()
    }

    fn module_members(&self, module: &[&str]) -> Vec<String> {
        let module = match module {
            ["self"] | [] => self.module.clone(),
            ["global", rest @ ..] if !rest.is_empty() => rest.join("."),
            path => path.join("."),
        };
        let Some(at) = self.find_module(&module) else {
            return Vec::new();
        };
        let outside = !self.is_own(at);
        self.index_at(at)
            .map(|m| {
                m.defs
                    .iter()
                    .filter(|d| !(outside && d.private))
                    .map(|d| d.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn is_imported(&self, name: &str) -> bool {
        self.own()
            .is_some_and(|(_, m)| m.import_target(name).is_some())
    }

    fn private_in(&self, path: &[&str]) -> Option<String> {
        let (at, name) = self.other_module(path)?;
        let index = self.index_at(at)?;
        (index.def(name)?.private).then(|| index.name.clone())
    }

    fn deprecated(&self, path: &[&str]) -> bool {
        let deprecated_in = |m: &ModuleIndex, name: &str| m.def(name).is_some_and(|d| d.deprecated);
        match without_global(path) {
            [name] | ["self" | "global", name] => {
                self.own().is_some_and(|(_, m)| deprecated_in(m, name))
            }
            [module @ .., name] => self
                .find_module(&module.join("."))
                .and_then(|at| self.index_at(at))
                .is_some_and(|m| deprecated_in(m, name)),
            [] => false,
        }
    }

    fn union_members(&self, type_name: &str) -> Option<Vec<String>> {
        match type_name {
            "option" => return Some(vec!["some".into(), "null".into()]),
            "result" => return Some(vec!["ok".into(), "error".into()]),
            _ => {}
        }
        let find = |m: &ModuleIndex| {
            m.unions
                .iter()
                .find(|(n, _)| n == type_name)
                .map(|(_, ms)| ms.clone())
        };
        if let Some(members) = self.own().and_then(|(_, m)| find(m)) {
            return Some(members);
        }
        let short = type_name.rsplit('.').next().unwrap_or(type_name);
        let at = global_names(self.db, self.workspace)
            .1
            .get(short)
            .copied()?;
        self.index_at(at).and_then(find)
    }

    fn type_names(&self) -> Vec<String> {
        self.own()
            .map(|(_, m)| m.types.iter().map(|(name, _)| name.clone()).collect())
            .unwrap_or_default()
    }

    fn is_prelude(&self, name: &str) -> bool {
        prelude_value(name).is_some()
            && !self.members.iter().any(|m| m == name)
            && self.own().is_none_or(|(_, m)| m.def(name).is_none())
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .own()
            .map(|(_, m)| m.defs.iter().map(|d| d.name.clone()).collect())
            .unwrap_or_default();
        names.extend(
            ["fail", "debug", "withDefault", "noDefault", "floor", "ceil"].map(String::from),
        );
        names
    }
}
