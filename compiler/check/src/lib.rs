//! The Mix type checker: a salsa database over source files, name resolution, and
//! Hindley–Milner inference with row-polymorphic records, structural cases and a deferred `+`.
//!
//! Inputs (see `files.rs`): each file's outline (modules and items, no positions) and one input
//! per item (its tree, spans relative to the item), kept current by `CheckDatabase::set_text`,
//! which re-parses only the edited item when it can (`layout.rs`).
//! Queries (see `db.rs`): `item_index(file)` (names, signatures and dependency names, no
//! positions) → `module_index(file, module)` (the firewall, one module's part, with its
//! strongly connected groups of definitions) → `infer_group(group)` (reads its members' item trees) → `def_scheme(def)`.
//! Editing one body re-infers only that body's group; dependents re-run only if its type changed.

pub mod codes;
mod cycles;
pub mod db;
mod declarations;
mod deps;
pub mod files;
mod globals;
mod graph;
mod group;
pub mod index;
pub mod infer;
mod layout;
mod pragma;
pub mod stdlib;
pub mod ty;

pub use db::{check_file, file_types, CheckDatabase, Db, Workspace};
pub use files::{ItemInput, ItemSource, SourceFile, Update};
pub use globals::{global_names, module_table, runtime_type, RuntimeCase, RuntimeType};
