//! Files reached by `import`: a program split over several files is run, built, tested and
//! checked from its main file. `import geo` in `app.mix` loads `geo.mix` from `app.mix`'s
//! directory when no module `geo` is loaded already (from the command line, the standard
//! library or a file loaded before), and the same for what `geo.mix` imports.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Adds to `texts` (name, source) the files their imports reach, transitively. A file that
/// cannot be read is left out: the import then fails as an unknown module, with its position.
pub fn add_imported_files(texts: &mut Vec<(String, String)>) {
    let mut known: HashSet<String> = mix_check::stdlib::FILES
        .iter()
        .map(|(path, _)| stem(Path::new(path)))
        .collect();
    let mut loaded: HashSet<PathBuf> = HashSet::new();
    for (name, source) in texts.iter() {
        loaded.insert(PathBuf::from(name));
        known.extend(module_names(name, source));
    }
    let mut next = 0;
    while next < texts.len() {
        let (name, source) = &texts[next];
        next += 1;
        // Most files import nothing: skip reading their lines.
        if name == "<stdin>" || !source.contains("import") {
            continue;
        }
        let dir = Path::new(name).parent().unwrap_or(Path::new(""));
        let mut found = Vec::new();
        for target in imported_modules(source) {
            let path = dir.join(format!("{target}.mix"));
            if known.contains(&target) || loaded.contains(&path) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                loaded.insert(path.clone());
                found.push((path.display().to_string(), text));
            }
        }
        for (name, text) in found {
            known.extend(module_names(&name, &text));
            texts.push((name, text));
        }
    }
}

fn stem(path: &Path) -> String {
    mix_check::db::module_name_of(&path.display().to_string())
}

/// The modules a file defines: its `module` blocks, or the file's own name. Read from the
/// lines that start with `module` (as the grammar has them), not by parsing: every loaded file
/// is looked at, and a large one would be parsed twice.
fn module_names(name: &str, source: &str) -> Vec<String> {
    let blocks: Vec<String> = first_words_after(source, "module")
        .filter(|word| word != "end" && word != "type")
        .collect();
    if blocks.is_empty() {
        vec![stem(Path::new(name))]
    } else {
        blocks
    }
}

/// The module of every `import` line of a file (`import M`, `import a = M.sub(…)`: `M`).
fn imported_modules(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("import "))
        .filter_map(|rest| {
            let target = match rest.split_once('=') {
                Some((alias, target)) if !alias.contains('(') => target,
                _ => rest,
            };
            leading_name(target.trim_start())
        })
        .collect()
}

/// The name after `keyword` on each line that starts with it.
fn first_words_after<'s>(source: &'s str, keyword: &'s str) -> impl Iterator<Item = String> + 's {
    source.lines().filter_map(move |line| {
        let rest = line.trim_start().strip_prefix(keyword)?;
        rest.starts_with(char::is_whitespace)
            .then(|| leading_name(rest.trim_start()))
            .flatten()
    })
}

/// The identifier `text` starts with.
fn leading_name(text: &str) -> Option<String> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| text[..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_and_modules_are_read_from_their_lines() {
        let source = "module shop\n  import q = query\n  import geo.shapes\n  import P(1, 2)\n\
                      module end\nmodule other\nmodule end\n// import nothing\n";
        assert_eq!(imported_modules(source), ["query", "geo", "P"]);
        assert_eq!(module_names("dir/shop.mix", source), ["shop", "other"]);
        assert_eq!(module_names("dir/app.mix", "def x = 1\n"), ["app"]);
    }
}
