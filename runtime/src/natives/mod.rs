//! The native primitives, one module per standard-library module. `table()` lists them all;
//! a QCode module names the ones it uses and the loader binds them by name.

use crate::native::NativeDef;

pub mod bool;
pub mod calendar;
pub mod json;
pub mod number;
pub mod regex;
pub mod string;

/// Every native primitive, by qualified name.
pub fn table() -> Vec<NativeDef> {
    let mut all: Vec<NativeDef> = Vec::new();
    all.extend(bool::natives());
    all.extend(number::natives());
    all.extend(string::natives());
    all.extend(json::natives());
    all.extend(regex::natives());
    all.extend(calendar::natives());
    all.sort_by_key(|d| d.name);
    all
}

#[cfg(test)]
pub(crate) mod test_host;
