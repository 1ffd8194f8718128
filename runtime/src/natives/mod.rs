//! The native primitives, one module per standard-library module. `table()` lists them all;
//! a QCode module names the ones it uses and the loader binds them by name.

use crate::native::NativeDef;

/// `defs!["module.name" arity f, …]`: the natives of one module.
macro_rules! defs {
    ($($name:literal $arity:literal $f:expr),* $(,)?) => {
        vec![$(NativeDef { name: $name, arity: $arity, f: crate::native::NativeCode::Borrows($f) }),*]
    };
}

pub mod calendar;
pub mod json;
pub mod number;
pub mod regex;
pub mod string;

pub mod array;
pub mod bitset;
mod common;
pub mod container;
pub mod db;
pub mod logging;
pub mod map;
pub mod query;
pub mod random;
pub mod result;
pub mod set;
pub mod stream;
pub mod testing;
pub mod uniq_array;

/// Every native primitive, by qualified name.
pub fn table() -> Vec<NativeDef> {
    let mut all: Vec<NativeDef> = Vec::new();
    all.extend(number::natives());
    all.extend(string::natives());
    all.extend(json::natives());
    all.extend(regex::natives());
    all.extend(calendar::natives());
    all.extend(array::natives());
    all.extend(set::natives());
    all.extend(map::natives());
    all.extend(stream::natives());
    all.extend(result::natives());
    all.extend(random::natives());
    all.extend(logging::natives());
    all.extend(testing::natives());
    all.extend(bitset::natives());
    all.extend(container::natives());
    all.extend(uniq_array::natives());
    all.extend(db::natives());
    all.extend(query::natives());
    all.sort_by_key(|d| d.name);
    all
}

#[cfg(test)]
pub(crate) mod test_host;

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    /// The modules of `stdlib/`, all implemented.
    const IMPLEMENTED: [&str; 20] = [
        "bool",
        "number",
        "string",
        "regex",
        "calendar",
        "array",
        "set",
        "map",
        "stream",
        "option",
        "result",
        "random",
        "logging",
        "testing",
        "bitset",
        "json",
        "db",
        "query",
        "container",
        "uniqArray",
    ];

    /// Declarations of implemented modules left without a native on purpose: nothing public
    /// says what they do (docs/stdlib.md); a program that reaches one gets E0301.
    const UNIMPLEMENTED: [&str; 2] = [
        "container.deepMergeBuilder",
        "container.mergeReplaceBuilder",
    ];

    /// A `def` of a stdlib file: its name, and its type when it is a declaration
    /// (`def f : T`) or `None` when it is a definition with a body (`def f(x) = …`,
    /// `def c = …`).
    fn defs(text: &str) -> Vec<(String, Option<String>)> {
        let mut items: Vec<String> = Vec::new();
        let mut open = false;
        for line in text.lines().map(str::trim) {
            let line = line.strip_prefix("private ").unwrap_or(line);
            if let Some(item) = line.strip_prefix("def ") {
                items.push(item.to_string());
                open = true;
                continue;
            }
            let continues = !line.is_empty()
                && ![
                    "///", "//", "type ", "case ", "module", "foreign ", "import ",
                ]
                .iter()
                .any(|p| line.starts_with(p));
            match items.last_mut() {
                Some(item) if open && continues => {
                    item.push(' ');
                    item.push_str(line);
                }
                _ => open = false,
            }
        }
        items
            .iter()
            .map(|item| {
                let end = item
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(item.len());
                let (name, rest) = item.split_at(end);
                let ty = rest
                    .trim_start()
                    .strip_prefix(':')
                    .map(|t| t.trim().to_string());
                (name.to_string(), ty)
            })
            .collect()
    }

    /// The number of top-level arrows of a type.
    fn arity(ty: &str) -> u8 {
        let mut depth = 0i32;
        let mut arity = 0;
        let bytes = ty.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b'-' if depth == 0 && bytes.get(i + 1) == Some(&b'>') => arity += 1,
                _ => {}
            }
        }
        arity
    }

    /// Every `def` of an implemented stdlib module is either written in Mix (it has a
    /// definition, and then no native of its name exists) or a declaration bound to a native
    /// of the same qualified name and arity (the number of top-level arrows of its type); and
    /// no native of these modules is undeclared.
    #[test]
    fn stdlib_declarations_have_a_body_or_a_native() {
        let table = super::table();
        let natives: HashMap<&str, u8> = table.iter().map(|d| (d.name, d.arity)).collect();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib");
        for module in IMPLEMENTED {
            let text = std::fs::read_to_string(dir.join(format!("{module}.mix"))).unwrap();
            let defs = defs(&text);
            let bodies: HashSet<&str> = defs
                .iter()
                .filter(|(_, ty)| ty.is_none())
                .map(|(n, _)| n.as_str())
                .collect();
            for (name, ty) in &defs {
                let qualified = format!("{module}.{name}");
                let native = natives.get(qualified.as_str());
                match ty {
                    None => assert!(
                        native.is_none(),
                        "{qualified} is written in Mix, but a native of that name remains"
                    ),
                    Some(_) if bodies.contains(name.as_str()) => {}
                    Some(_) if UNIMPLEMENTED.contains(&qualified.as_str()) => assert!(
                        native.is_none(),
                        "{qualified} is listed as unimplemented, but it has a native"
                    ),
                    Some(ty) => {
                        let native = native.unwrap_or_else(|| {
                            panic!("{qualified} has neither a Mix definition nor a native")
                        });
                        assert_eq!(*native, arity(ty), "arity of {qualified}");
                    }
                }
            }
            let prefix = format!("{module}.");
            for def in table.iter().filter(|d| d.name.starts_with(&prefix)) {
                let name = &def.name[prefix.len()..];
                assert!(
                    defs.iter().any(|(n, ty)| n == name && ty.is_some()),
                    "{} is not declared in {module}.mix",
                    def.name
                );
            }
        }
    }

    #[test]
    fn defs_reads_declarations_and_definitions() {
        let text = "module m\n  /// doc\n  def f : number ->\n    number\n  def f(x) = x\n  \
                    private def g : A -> B\n  def c = 1\n  def h(a:number):number =\n    a\nmodule end\n";
        let defs = defs(text);
        let ty = |s: &str| Some(s.to_string());
        assert_eq!(
            defs,
            vec![
                ("f".into(), ty("number -> number")),
                ("f".into(), None),
                ("g".into(), ty("A -> B")),
                ("c".into(), None),
                ("h".into(), None),
            ]
        );
        assert_eq!(arity("(A -> B) -> option(A) -> option(B)"), 2);
    }
}
