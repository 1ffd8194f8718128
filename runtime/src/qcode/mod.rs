//! The QCode module: what the compiler emits, `mixc build` writes to a `.qc` file, the loader
//! reads back and the VM runs. The binary format is described in `docs/qcode.md`.

pub mod checksum;
pub mod decode;
pub mod disasm;
pub mod encode;
pub mod error;
pub mod instr;
pub mod layout;
pub mod opcode;
pub mod shape;
pub mod verify;
mod wire;

pub use instr::{CmpOp, ConstIdx, Instr, KindTest, Reg, Target};
pub use shape::{CaseShape, Shape, MAX_SHAPE_DEPTH};

/// `\0QCM` — the first four bytes of every `.qc` file.
pub const MAGIC: [u8; 4] = *b"\0QCM";
/// The layout of the file; a loader rejects any other.
pub const FORMAT_VERSION: u16 = 7;
/// The native-primitive interface the module was compiled against.
pub const ABI_VERSION: u16 = 2;

#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Int(i64),
    Float(f64),
    Str(String),
    /// The sorted keys of a record literal (`NewRecord`).
    Keys(Vec<String>),
    /// A `~regex` literal's source (compiled once, when the module is loaded).
    Regex(String),
    /// What `TestShape` checks a value against.
    Shape(Shape),
}

/// Where an instruction came from: instructions from `pc` on (up to the next entry) belong to
/// source position `line:column` (1-based) of file `file` (an index into `Module::files`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEntry {
    pub pc: u32,
    pub file: u32,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The qualified Mix name (`main.fib`, `main.main/lambda@3:12`), for stack traces.
    pub name: String,
    /// How many arguments a saturated call passes (at least 1 for a function; 0 only for the
    /// initialiser of a global).
    pub arity: u8,
    /// How many captured values its closures carry.
    pub captures: u16,
    /// Registers of a frame, arguments first.
    pub registers: u16,
    pub code: Vec<Instr>,
    /// Sorted by `pc`.
    pub lines: Vec<LineEntry>,
}

/// A module-level value: evaluated by calling `init` (arity 0) on first use.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    pub name: String,
    pub init: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    Function,
    Global,
}

/// A public definition the host can call or read by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub name: String,
    pub kind: ExportKind,
    pub index: u32,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    pub constants: Vec<Constant>,
    /// Source file names for line tables and traces.
    pub files: Vec<String>,
    /// The natives the module calls, by qualified name; bound to the runtime's table when the
    /// module is loaded (an unknown name is a load error).
    pub natives: Vec<String>,
    pub functions: Vec<Function>,
    pub globals: Vec<Global>,
    pub exports: Vec<Export>,
}

impl Module {
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }
}
