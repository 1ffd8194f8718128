//! Queries: the AST (spec §7), its JSON form, the string form (parser and printer) and the
//! executor.

pub mod ast;
pub mod eval;
pub mod exec;
pub mod json;
mod lex;
pub mod parse;
pub mod print;

pub use ast::{Aggregation, CalcOp, CmpOp, Expr, Filter, Key, Member, Query};
pub use exec::{execute, plan, run, Plan, QueryOptions};
pub use json::{query_from_json, query_to_json};
pub use parse::{parse_query, ParseError, MAX_NESTING};
pub use print::print_query;
