//! The Mix type checker: a salsa database over source files, name resolution, and
//! Hindley–Milner inference with row-polymorphic records, structural cases and a deferred `+`.
//!
//! Queries (see `db.rs`): `parse(file)` → `item_index(file)` (the firewall: names and
//! signatures, no positions) → `def_body(def)` (one definition, spans relative to its start) →
//! `module_groups(module)` (strongly connected groups) → `infer_group(group)` → `def_scheme(def)`.
//! Editing one body re-infers only that body's group; dependents re-run only if its type changed.

pub mod codes;
pub mod db;
mod deps;
mod globals;
pub mod index;
pub mod infer;
pub mod stdlib;
pub mod ty;

pub use db::{check_file, file_types, CheckDatabase, Db, SourceFile, Workspace};
pub use globals::{global_names, module_table};
