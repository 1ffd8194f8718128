//! The native primitives, one module per standard-library module. `table()` lists them all;
//! a QCode module names the ones it uses and the loader binds them by name.

use crate::native::NativeDef;

/// Every native primitive, by qualified name.
pub fn table() -> Vec<NativeDef> {
    let mut all: Vec<NativeDef> = Vec::new();
    all.sort_by_key(|d| d.name);
    all
}

#[cfg(test)]
pub(crate) mod test_host;
