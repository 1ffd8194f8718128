//! The native primitives, one module per standard-library module. `table()` lists them all;
//! a QCode module names the ones it uses and the loader binds them by name.

use crate::native::NativeDef;

pub mod bool;
pub mod calendar;
pub mod json;
pub mod number;
pub mod regex;
pub mod string;

pub mod array;
pub mod bitset;
mod common;
pub mod logging;
pub mod map;
pub mod option;
pub mod random;
pub mod result;
pub mod set;
pub mod stream;
pub mod testing;

/// Every native primitive, by qualified name.
pub fn table() -> Vec<NativeDef> {
    let mut all: Vec<NativeDef> = Vec::new();
    all.extend(bool::natives());
    all.extend(number::natives());
    all.extend(string::natives());
    all.extend(json::natives());
    all.extend(regex::natives());
    all.extend(calendar::natives());
    all.extend(array::natives());
    all.extend(set::natives());
    all.extend(map::natives());
    all.extend(stream::natives());
    all.extend(option::natives());
    all.extend(result::natives());
    all.extend(random::natives());
    all.extend(logging::natives());
    all.extend(testing::natives());
    all.extend(bitset::natives());
    all.sort_by_key(|d| d.name);
    all
}

#[cfg(test)]
pub(crate) mod test_host;
