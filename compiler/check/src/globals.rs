//! Name resolution for inference: a module's own definitions, its imports, the other modules
//! of the workspace (the standard library among them), and a small prelude.

use crate::db::{def_scheme, item_index, Db, DefId, SourceFile, Workspace};
use crate::index::{CaseEntry, ModuleIndex};
use crate::infer::{Globals, Infer, TypeDef};
use crate::ty::{self, app, fun, null, number, string, Name, Scheme, Ty};

pub struct ModuleGlobals<'db> {
    db: &'db dyn Db,
    workspace: Workspace,
    file: SourceFile,
    module: String,
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
        ModuleGlobals {
            db,
            workspace,
            file,
            module,
            members,
        }
    }

    fn own(&self) -> Option<&ModuleIndex> {
        item_index(self.db, self.file)
            .modules
            .iter()
            .find(|m| m.name == self.module)
    }

    /// The file and index of module `name` (an import alias, a module of this file, or any
    /// module of the workspace).
    fn find_module(&self, name: &str) -> Option<(SourceFile, ModuleIndex)> {
        let target = self
            .own()
            .and_then(|m| {
                m.imports
                    .iter()
                    .find(|(alias, _)| alias == name)
                    .map(|(_, t)| t.clone())
            })
            .unwrap_or_else(|| name.to_string());
        let mut files = vec![self.file];
        files.extend(
            self.workspace
                .files(self.db)
                .iter()
                .copied()
                .filter(|f| *f != self.file),
        );
        files.into_iter().find_map(|file| {
            item_index(self.db, file)
                .modules
                .iter()
                .find(|m| m.name == target)
                .map(|m| (file, m.clone()))
        })
    }

    fn scheme_in(&self, file: SourceFile, module: &str, name: &str) -> Option<Scheme> {
        let def = DefId::new(self.db, file, module.to_string(), name.to_string());
        def_scheme(self.db, self.workspace, def).clone()
    }

    fn case_in(&self, file: SourceFile, module: &ModuleIndex, name: &str) -> Option<Scheme> {
        let entry = module.cases.iter().find(|c| c.name == name)?;
        Some(case_scheme(self, file, &module.name, entry))
    }

    fn all_modules(&self) -> Vec<(SourceFile, ModuleIndex)> {
        let mut files = vec![self.file];
        files.extend(
            self.workspace
                .files(self.db)
                .iter()
                .copied()
                .filter(|f| *f != self.file),
        );
        files
            .into_iter()
            .flat_map(|file| {
                item_index(self.db, file)
                    .modules
                    .iter()
                    .map(move |m| (file, m.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// A case constructor's scheme: `arg -> result`, or `result` for a constant case. The result
/// is the declared union the case belongs to, else an open union of that case.
fn case_scheme(
    globals: &ModuleGlobals<'_>,
    file: SourceFile,
    module: &str,
    entry: &CaseEntry,
) -> Scheme {
    let case_globals = ModuleGlobals::new(
        globals.db,
        globals.workspace,
        file,
        module.to_string(),
        Vec::new(),
    );
    let mut infer = Infer::new(&case_globals);
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
    infer.generalize(&ty)
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

impl Globals for ModuleGlobals<'_> {
    fn value(&self, path: &[&str]) -> Option<Scheme> {
        match path {
            [name] | ["self" | "global", name] => {
                if self.members.iter().any(|m| m == name) {
                    return None;
                }
                if self
                    .own()
                    .is_some_and(|m| m.defs.iter().any(|d| d.name == *name))
                {
                    return self.scheme_in(self.file, &self.module, name);
                }
                prelude_value(name)
            }
            [module @ .., name] => {
                let (file, index) = self.find_module(&module.join("."))?;
                index
                    .defs
                    .iter()
                    .any(|d| d.name == *name)
                    .then(|| self.scheme_in(file, &index.name, name))?
            }
            [] => None,
        }
    }

    fn constructor(&self, path: &[&str]) -> Option<Scheme> {
        match path {
            [name] | ["self" | "global", name] => {
                if let Some(own) = self.own() {
                    if let Some(s) = self.case_in(self.file, own, name) {
                        return Some(s);
                    }
                }
                self.all_modules()
                    .iter()
                    .find_map(|(file, m)| self.case_in(*file, m, name))
                    .or_else(|| prelude_constructor(name))
            }
            [module @ .., name] => {
                let (file, index) = self.find_module(&module.join("."))?;
                self.case_in(file, &index, name)
            }
            [] => None,
        }
    }

    fn type_def(&self, path: &[&str]) -> Option<TypeDef> {
        let lookup = |file: SourceFile, m: &ModuleIndex, name: &str| -> Option<TypeDef> {
            if let Some((_, def)) = m.types.iter().find(|(n, _)| n == name) {
                return Some(def.clone());
            }
            self.case_in(file, m, name).map(TypeDef::Case)
        };
        match path {
            [name] => {
                if let Some(own) = self.own() {
                    if let Some(def) = lookup(self.file, own, name) {
                        return Some(def);
                    }
                }
                self.all_modules()
                    .iter()
                    .find_map(|(file, m)| lookup(*file, m, name))
            }
            [module @ .., name] => {
                let (file, index) = self.find_module(&module.join("."))?;
                lookup(file, &index, name)
            }
            [] => None,
        }
    }

    fn is_module(&self, name: &str) -> bool {
        self.find_module(name).is_some()
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .own()
            .map(|m| m.defs.iter().map(|d| d.name.clone()).collect())
            .unwrap_or_default();
        names.extend(
            ["fail", "debug", "withDefault", "noDefault", "floor", "ceil"].map(String::from),
        );
        names
    }
}
