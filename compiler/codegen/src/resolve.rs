//! Module-level name resolution for code generation, mirroring the checker's (`globals.rs`):
//! a module's own definitions, then the prelude, then case constructors; qualified names go
//! through import aliases, the file's own modules and then the workspace's module table.

use mix_check::db::{item_index, Db, SourceFile, Workspace};
use mix_check::{global_names, module_table};

/// A definition of some module of the workspace, or its instance: the definition compiled for
/// one fully known type, its deferred `+`s decided (`mix_check::db::infer_instance`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DefKey {
    pub file: SourceFile,
    pub module: String,
    pub name: String,
    pub instance: Option<mix_check::ty::Ty>,
}

impl DefKey {
    /// The definition itself (as generic as its type).
    pub fn new(file: SourceFile, module: impl Into<String>, name: impl Into<String>) -> DefKey {
        DefKey {
            file,
            module: module.into(),
            name: name.into(),
            instance: None,
        }
    }
}

/// The built-in functions every module sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prelude {
    Fail,
    Debug,
    WithDefault,
    NoDefault,
    Floor,
    Ceil,
    Datacase,
}

impl Prelude {
    pub fn arity(self) -> usize {
        match self {
            Prelude::WithDefault => 2,
            _ => 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Global {
    Def(DefKey),
    /// A case constructor, by its (structural) name.
    Case(String),
    Prelude(Prelude),
}

fn prelude(name: &str) -> Option<Prelude> {
    Some(match name {
        "fail" => Prelude::Fail,
        "debug" => Prelude::Debug,
        "withDefault" => Prelude::WithDefault,
        "noDefault" => Prelude::NoDefault,
        "floor" => Prelude::Floor,
        "ceil" => Prelude::Ceil,
        "datacase" => Prelude::Datacase,
        _ => return None,
    })
}

/// Resolves names as seen from module `module` of `file`.
pub struct Resolver<'db> {
    pub db: &'db dyn Db,
    pub workspace: Workspace,
    pub file: SourceFile,
    pub module: String,
}

impl Resolver<'_> {
    /// Module `name` as seen from here: an import alias, a module of this file, or any module.
    pub fn find_module(&self, name: &str) -> Option<(SourceFile, String)> {
        let index = item_index(self.db, self.file);
        let target = index
            .module(&self.module)
            .and_then(|m| m.import_target(name))
            .unwrap_or(name)
            .to_string();
        if index.position(&target).is_some() {
            return Some((self.file, target));
        }
        let (file, position) = *module_table(self.db, self.workspace).get(&target)?;
        Some((
            file,
            item_index(self.db, file).modules[position].name.clone(),
        ))
    }

    pub fn is_module(&self, name: &str) -> bool {
        self.find_module(name).is_some()
    }

    fn def_in(&self, file: SourceFile, module: &str, name: &str) -> Option<Global> {
        item_index(self.db, file).module(module)?.def(name)?;
        Some(Global::Def(DefKey::new(file, module, name)))
    }

    fn case_in(&self, file: SourceFile, module: &str, name: &str) -> Option<Global> {
        item_index(self.db, file).module(module)?.case(name)?;
        Some(Global::Case(name.to_string()))
    }

    pub fn value(&self, path: &[&str]) -> Option<Global> {
        match path {
            [name] | ["self" | "global", name] => self
                .def_in(self.file, &self.module, name)
                .or_else(|| prelude(name).map(Global::Prelude))
                .or_else(|| self.constructor(name)),
            [module @ .., name] => {
                let (file, module) = self.find_module(&module.join("."))?;
                self.def_in(file, &module, name)
                    .or_else(|| self.case_in(file, &module, name))
            }
            [] => None,
        }
    }

    fn constructor(&self, name: &str) -> Option<Global> {
        if let Some(case) = self.case_in(self.file, &self.module, name) {
            return Some(case);
        }
        if global_names(self.db, self.workspace).0.contains_key(name)
            || matches!(name, "some" | "ok" | "error")
        {
            return Some(Global::Case(name.to_string()));
        }
        None
    }

    /// Whether a case constructor takes an argument (`some(x)`) or is a constant (`red`).
    pub fn case_has_arg(&self, name: &str) -> bool {
        if matches!(name, "some" | "ok" | "error") {
            return true;
        }
        let index = item_index(self.db, self.file);
        if let Some(c) = index.module(&self.module).and_then(|m| m.case(name)) {
            return c.arg.is_some();
        }
        let Some(&(file, position)) = global_names(self.db, self.workspace).0.get(name) else {
            return false;
        };
        item_index(self.db, file).modules[position]
            .case(name)
            .is_some_and(|c| c.arg.is_some())
    }
}
