//! Whole-program compilation: starting from the root definitions, every definition reached is
//! compiled once into one QCode module (functions, globals, natives), with shared constant
//! pools.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use mix_check::db::{
    def_body, def_start, entries_of, group_of, infer_group, infer_instance, Db, DefId,
};
use mix_check::db::{SourceFile, Workspace};
use mix_check::infer::{Narrowing, PlusKind};
use mix_check::ty::Ty;
use mix_diagnostics::{Diagnostic, LineMap, Span};
use mix_runtime::qcode::{Constant, Export, ExportKind, Global as QGlobal, Module, Shape};
use mix_runtime::vm::{native_index, native_table};

use crate::builder::FnBuilder;
use crate::resolve::DefKey;

/// How a definition is reached at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// `def f(a, b) = …`: a function of the function table.
    Function { index: u32, arity: u8 },
    /// `def x = …`: a global evaluated on first use.
    Global { index: u32 },
    /// A declaration without body, provided by the runtime.
    Native { index: u32, arity: u8 },
}

/// Per-file facts lowering needs: the file's index in the module's file list and its lines.
pub struct FileInfo {
    pub index: u32,
    pub text: Arc<str>,
    pub lines: LineMap,
}

/// The checker's decisions at the sites of one definition's body, by span.
#[derive(Default)]
pub struct DefSites {
    /// The operation of each `+`.
    pub plus: HashMap<(u32, u32), PlusKind>,
    /// The run-time test of each `data` value used where a narrower type is expected.
    pub narrowing: HashMap<(u32, u32), Narrowing>,
    /// The type each use of a definition with a deferred `+` is compiled for.
    pub instances: HashMap<(u32, u32), Ty>,
}

pub struct ProgramBuilder<'db> {
    pub db: &'db dyn Db,
    pub workspace: Workspace,
    pub module: Module,
    constants: HashMap<ConstKey, u32>,
    natives: HashMap<String, u32>,
    slots: HashMap<DefKey, Slot>,
    queue: VecDeque<(DefKey, Slot)>,
    /// Small functions standing for a constructor, an inverse or a prelude function used as a
    /// value, by label: each is built once per program.
    wrappers: HashMap<String, u32>,
    files: HashMap<SourceFile, Arc<FileInfo>>,
    /// Indexes in the module's file list of names given by `#line`/`#push` directives.
    directive_files: HashMap<String, u32>,
    /// Errors by file path, spans absolute.
    pub errors: Vec<(String, Diagnostic)>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum ConstKey {
    Int(i64),
    Float(u64),
    Str(String),
    Keys(Vec<String>),
    Regex(String),
    Shape(Shape),
}

impl<'db> ProgramBuilder<'db> {
    pub fn new(db: &'db dyn Db, workspace: Workspace) -> ProgramBuilder<'db> {
        ProgramBuilder {
            db,
            workspace,
            module: Module::default(),
            constants: HashMap::new(),
            natives: HashMap::new(),
            slots: HashMap::new(),
            queue: VecDeque::new(),
            wrappers: HashMap::new(),
            files: HashMap::new(),
            directive_files: HashMap::new(),
            errors: Vec::new(),
        }
    }

    fn constant(&mut self, key: ConstKey, value: impl FnOnce() -> Constant) -> u32 {
        if let Some(&i) = self.constants.get(&key) {
            return i;
        }
        let i = self.module.constants.len() as u32;
        self.module.constants.push(value());
        self.constants.insert(key, i);
        i
    }

    pub fn int(&mut self, v: i64) -> u32 {
        self.constant(ConstKey::Int(v), || Constant::Int(v))
    }

    pub fn float(&mut self, v: f64) -> u32 {
        self.constant(ConstKey::Float(v.to_bits()), || Constant::Float(v))
    }

    pub fn string(&mut self, v: &str) -> u32 {
        self.constant(ConstKey::Str(v.to_string()), || {
            Constant::Str(v.to_string())
        })
    }

    pub fn keys(&mut self, v: Vec<String>) -> u32 {
        self.constant(ConstKey::Keys(v.clone()), || Constant::Keys(v))
    }

    pub fn regex(&mut self, v: &str) -> u32 {
        self.constant(ConstKey::Regex(v.to_string()), || {
            Constant::Regex(v.to_string())
        })
    }

    pub fn shape(&mut self, v: &Shape) -> u32 {
        self.constant(ConstKey::Shape(v.clone()), || Constant::Shape(v.clone()))
    }

    pub fn native(&mut self, name: &str) -> Option<(u32, u8)> {
        let def = native_table()[native_index(name)?];
        let index = match self.natives.get(name) {
            Some(&i) => i,
            None => {
                let i = self.module.natives.len() as u32;
                self.module.natives.push(name.to_string());
                self.natives.insert(name.to_string(), i);
                i
            }
        };
        Some((index, def.arity))
    }

    pub fn file(&mut self, file: SourceFile) -> Arc<FileInfo> {
        if let Some(info) = self.files.get(&file) {
            return info.clone();
        }
        let text: Arc<str> = Arc::from(file.text(self.db));
        let info = Arc::new(FileInfo {
            index: self.module.files.len() as u32,
            lines: LineMap::new(&text, &file.layout(self.db).directives),
            text,
        });
        self.module.files.push(file.path(self.db).clone());
        self.files.insert(file, info.clone());
        info
    }

    /// The index in the module's file list of `name`, a file a position directive names
    /// (`#line 1 "gen.mix"`), so stack traces read positions as the directive gives them.
    pub fn directive_file(&mut self, name: &str) -> u32 {
        if let Some(&index) = self.directive_files.get(name) {
            return index;
        }
        let index = self.module.files.len() as u32;
        self.module.files.push(name.to_string());
        self.directive_files.insert(name.to_string(), index);
        index
    }

    /// How `key` is reached, queueing its compilation the first time. `Err` when it has no
    /// definition and the runtime provides no native of that name.
    pub fn slot(&mut self, key: &DefKey) -> Result<Slot, String> {
        if let Some(&slot) = self.slots.get(key) {
            return Ok(slot);
        }
        let def = DefId::new(self.db, key.file, key.module.clone(), key.name.clone());
        let slot = match &def_body(self.db, def) {
            Some(b) if b.body().is_some() => match b.params() {
                Some(params) => {
                    let arity = params.len().clamp(1, 255) as u8;
                    let index =
                        self.reserve_function(format!("{}.{}", key.module, key.name), arity);
                    Slot::Function { index, arity }
                }
                None => {
                    let init = self.reserve_function(format!("{}.{}", key.module, key.name), 0);
                    let index = self.module.globals.len() as u32;
                    self.module.globals.push(QGlobal {
                        name: format!("{}.{}", key.module, key.name),
                        init,
                    });
                    Slot::Global { index }
                }
            },
            _ => {
                let qualified = format!("{}.{}", key.module, key.name);
                let (index, arity) = self.native(&qualified).ok_or_else(|| {
                    format!(
                        "`{qualified}` is declared but never defined, and the runtime has no \
                         primitive of that name"
                    )
                })?;
                Slot::Native { index, arity }
            }
        };
        self.slots.insert(key.clone(), slot);
        if !matches!(slot, Slot::Native { .. }) {
            self.queue.push_back((key.clone(), slot));
        }
        Ok(slot)
    }

    fn reserve_function(&mut self, name: String, arity: u8) -> u32 {
        let index = self.module.functions.len() as u32;
        self.module
            .functions
            .push(FnBuilder::new(name, arity).finish(0));
        index
    }

    /// A function index for a lambda, filled in with `set_function`.
    pub fn new_function(&mut self, name: String, arity: u8) -> u32 {
        self.reserve_function(name, arity)
    }

    pub fn wrapper_index(&self, label: &str) -> Option<u32> {
        self.wrappers.get(label).copied()
    }

    /// Reserves the function of wrapper `label` (filled in with `set_function`).
    pub fn new_wrapper(&mut self, label: String, arity: u8) -> u32 {
        let index = self.new_function(label.clone(), arity);
        self.wrappers.insert(label, index);
        index
    }

    /// The wrapper `label`: a function of `arity` parameters whose body `build` emits into its
    /// result register, followed by the return. Built on first use.
    pub fn wrapper(
        &mut self,
        label: String,
        arity: u8,
        build: impl FnOnce(&mut FnBuilder, mix_runtime::qcode::Reg),
    ) -> u32 {
        if let Some(index) = self.wrapper_index(&label) {
            return index;
        }
        let mut b = FnBuilder::new(label.clone(), arity);
        let dst = b.reg();
        build(&mut b, dst);
        b.emit(mix_runtime::qcode::Instr::Return { src: dst });
        let index = self.new_wrapper(label, arity);
        self.set_function(index, b.finish(0));
        index
    }

    pub fn set_function(&mut self, index: u32, f: mix_runtime::qcode::Function) {
        self.module.functions[index as usize] = f;
    }

    /// The next definition waiting to be compiled.
    pub fn next_queued(&mut self) -> Option<(DefKey, Slot)> {
        self.queue.pop_front()
    }

    pub fn export(&mut self, key: &DefKey, slot: Slot) {
        let (kind, index) = match slot {
            Slot::Function { index, .. } => (ExportKind::Function, index),
            Slot::Global { index } => (ExportKind::Global, index),
            Slot::Native { .. } => return,
        };
        self.module.exports.push(Export {
            name: format!("{}.{}", key.module, key.name),
            kind,
            index,
        });
    }

    /// What the checker decided at the sites of a definition (or of one instance of it), by
    /// span relative to its item.
    pub fn def_sites(&self, key: &DefKey) -> DefSites {
        let Some(group) = group_of(self.db, self.workspace, key.file, &key.module, &key.name)
        else {
            return DefSites::default();
        };
        fn by_span<T: Clone>(entries: &[(Span, T)]) -> HashMap<(u32, u32), T> {
            entries
                .iter()
                .map(|(span, x)| ((span.start, span.end), x.clone()))
                .collect()
        }
        if let Some(instance) = &key.instance {
            let sites = infer_instance(self.db, group, key.name.clone(), instance.clone());
            return DefSites {
                plus: by_span(&sites.plus),
                narrowing: by_span(&sites.narrowing),
                instances: by_span(&sites.instances),
            };
        }
        let result = infer_group(self.db, group);
        DefSites {
            plus: by_span(&entries_of(result.plus(self.db), &key.name)),
            narrowing: by_span(&entries_of(result.narrowing(self.db), &key.name)),
            instances: by_span(&entries_of(result.instances(self.db), &key.name)),
        }
    }

    pub fn def_start(&self, key: &DefKey) -> u32 {
        def_start(
            self.db,
            DefId::new(self.db, key.file, key.module.clone(), key.name.clone()),
        )
    }
}
