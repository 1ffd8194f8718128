//! A loaded program: a verified QCode module with its natives bound to the runtime's table and
//! its constants turned into values once.

use std::rc::Rc;
use std::sync::OnceLock;

use crate::native::NativeDef;
use crate::qcode::{Constant, Module};
use crate::value::{Key, Value};

/// The runtime's natives, built once per process.
pub fn native_table() -> &'static [NativeDef] {
    static TABLE: OnceLock<Vec<NativeDef>> = OnceLock::new();
    TABLE.get_or_init(crate::natives::table)
}

/// The position of the native named `name` in `native_table()` (sorted by name).
pub fn native_index(name: &str) -> Option<usize> {
    native_table().binary_search_by(|d| d.name.cmp(name)).ok()
}

pub struct Program {
    pub module: Module,
    /// Values of Int/Float/Str constants (Undefined for the other kinds).
    pub values: Vec<Value>,
    /// Str constants as record keys.
    pub keys: Vec<Key>,
    /// Keys constants as key lists.
    pub key_lists: Vec<Rc<[Key]>>,
    /// Module native index → index in `native_table()`.
    pub natives: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError(pub String);

impl std::fmt::Display for BindError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindError {}

impl Program {
    /// Binds a module (already verified) to this runtime.
    pub fn new(module: Module) -> Result<Program, BindError> {
        // The VM relies on verified operands (it reads registers without bounds checks).
        crate::qcode::verify::verify(&module).map_err(|e| BindError(e.to_string()))?;
        let mut natives = Vec::with_capacity(module.natives.len());
        for name in &module.natives {
            let index = native_index(name).ok_or_else(|| {
                BindError(format!(
                    "the module needs native `{name}`, which this runtime does not provide"
                ))
            })?;
            natives.push(index as u32);
        }
        let mut values = Vec::with_capacity(module.constants.len());
        let mut keys = Vec::with_capacity(module.constants.len());
        let mut key_lists = Vec::with_capacity(module.constants.len());
        let empty: Rc<[Key]> = Rc::from(Vec::new());
        // One `Rc` per distinct string, so record keys and field names compare by pointer.
        let mut interned: std::collections::HashMap<String, Key> = std::collections::HashMap::new();
        let mut intern = |s: &str| -> Key {
            if let Some(k) = interned.get(s) {
                return k.clone();
            }
            let k = Key::from(s);
            interned.insert(s.to_string(), k.clone());
            k
        };
        for c in &module.constants {
            let (value, key, list) = match c {
                Constant::Int(i) => (Value::Int(*i), Key::from(""), empty.clone()),
                Constant::Float(f) => (Value::Float(*f), Key::from(""), empty.clone()),
                Constant::Str(s) => (Value::str(s.clone()), intern(s), empty.clone()),
                Constant::Regex(s) => (Value::str(s.clone()), Key::from(""), empty.clone()),
                // Read from the module by `TestShape`; never a register's value (verified).
                Constant::Shape(_) => (Value::Undefined, Key::from(""), empty.clone()),
                Constant::Keys(ks) => (
                    Value::Undefined,
                    Key::from(""),
                    ks.iter().map(|k| intern(k)).collect(),
                ),
            };
            values.push(value);
            keys.push(key);
            key_lists.push(list);
        }
        Ok(Program {
            module,
            values,
            keys,
            key_lists,
            natives,
        })
    }

    pub fn native_def(&self, module_native: u32) -> &'static NativeDef {
        &native_table()[self.natives[module_native as usize] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natives_are_found_by_name() {
        // `native_index` binary-searches: the names must be sorted and unique.
        assert!(native_table().windows(2).all(|w| w[0].name < w[1].name));
        let i = native_index("array.map").expect("array.map");
        assert_eq!(native_table()[i].name, "array.map");
        assert_eq!(native_index("array.nope"), None);
    }
}
