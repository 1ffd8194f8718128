//! Mix syntax: tokens, the lexer and its trivia table, the LR(1) parser generated from
//! `grammar/mix.lalrpop`, the AST, and the formatter.
//!
//! This crate knows nothing of types, salsa or editors. Parsing never fails: [`parse`] returns
//! an AST (with error nodes where it recovered) and diagnostics.

pub mod ast;
pub mod brackets;
pub mod codes;
mod depth;
pub mod format;
pub mod json;
pub mod lexer;
mod parser;
pub mod spans;
pub mod token;
pub mod trivia;
mod validate;
pub mod walk;

pub use depth::MAX_DEPTH;
pub use parser::{parse, parse_with, ParseOptions, Parsed};
