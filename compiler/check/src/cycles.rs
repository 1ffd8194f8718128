//! Modules that refer to each other in a cycle, through imports or qualified names (`b.g`).
//!
//! Inference looks up another module's definitions through queries, so a cycle of modules
//! would be a cycle of queries. Such cycles are reported (E0213) and inference does not follow
//! references within one; the rest of each module is still checked.

use std::collections::HashMap;
use std::sync::Arc;

use mix_diagnostics::{Diagnostic, Span};
use mix_syntax::ast::ItemKind;

use crate::codes;
use crate::db::{item_index, Db, SourceFile, Workspace};
use crate::files::ItemSource;
use crate::globals::module_table;
use crate::graph::tarjan;

/// Where a module is: its file and position in that file's index.
pub type ModuleAt = (SourceFile, usize);

#[derive(Debug, PartialEq)]
pub struct ModuleCycles {
    /// Each module in a cycle, to the position of its cycle in `cycles`.
    component: HashMap<ModuleAt, usize>,
    /// Each cycle's modules by name.
    cycles: Vec<Vec<String>>,
    /// Each module in a cycle: its first item referring to another module of the cycle, and
    /// that module's name.
    first_reference: HashMap<ModuleAt, (ItemSource, String)>,
}

impl ModuleCycles {
    /// Whether `from` and `to` are different modules of one cycle.
    pub fn within(&self, from: ModuleAt, to: ModuleAt) -> bool {
        from != to
            && matches!(
                (self.component.get(&from), self.component.get(&to)),
                (Some(a), Some(b)) if a == b
            )
    }

    /// The error for module `at`, relative to the item that makes its reference, if it is in
    /// a cycle.
    pub fn diagnostic(&self, db: &dyn Db, at: ModuleAt) -> Option<(ItemSource, Diagnostic)> {
        let cycle = &self.cycles[*self.component.get(&at)?];
        let (item, target) = self.first_reference.get(&at)?;
        let item = *item;
        let name = &item_index(db, at.0).modules.get(at.1)?.name;
        let members: Vec<String> = cycle.iter().map(|m| format!("`{m}`")).collect();
        let members = match members.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => members.join(""),
        };
        let span = reference_span(db, item);
        Some((
            item,
            Diagnostic::error(
                codes::MODULE_CYCLE,
                format!("modules {members} refer to each other in a cycle"),
                span,
            )
            .with_label(span, format!("`{name}` uses `{target}` here"))
            .with_help(
                "a module can only use modules that do not use it back: move the definitions \
                 that need each other into one module",
            ),
        ))
    }
}

/// The span to point at in an item that refers to another module: an import's path or a
/// definition's name (relative to the item).
fn reference_span(db: &dyn Db, item: ItemSource) -> Span {
    match &item.header(db).item.kind {
        ItemKind::Import(import) => match (import.path.first(), import.path.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => Span::new(0, 6),
        },
        ItemKind::Def(d) => d.name.span,
        _ => Span::new(0, 3),
    }
}

#[salsa::tracked(returns(ref))]
pub fn module_cycles(db: &dyn Db, workspace: Workspace) -> Arc<ModuleCycles> {
    let table = module_table(db, workspace);
    // The standard library never refers to a user's module, so no cycle runs through it:
    // only user files' modules are nodes (and the library is not parsed for this).
    let mut nodes: Vec<ModuleAt> = Vec::new();
    for &file in workspace.files(db).iter().filter(|f| !f.is_stdlib(db)) {
        nodes.extend((0..item_index(db, file).modules.len()).map(|i| (file, i)));
    }
    let position: HashMap<ModuleAt, usize> =
        nodes.iter().enumerate().map(|(i, &at)| (at, i)).collect();
    // Each module's references: (target node, the item that makes it).
    let references: Vec<Vec<(usize, ItemSource)>> = nodes
        .iter()
        .map(|&(file, index)| {
            let file_index = item_index(db, file);
            let module = &file_index.modules[index];
            let resolve = |name: &str| -> Option<usize> {
                let target = module.import_target(name).unwrap_or(name);
                let at = match file_index.position(target) {
                    Some(i) => (file, i),
                    None => *table.get(target)?,
                };
                position.get(&at).copied()
            };
            let imports = module
                .imports
                .iter()
                .zip(&module.import_items)
                .filter_map(|((_, target), &item)| Some((resolve(target)?, item)));
            // A name the module defines itself is not a module reference.
            let qualified = module.defs.iter().flat_map(|d| {
                d.deps
                    .iter()
                    .filter(|n| module.def(n).is_none())
                    .filter_map(|n| Some((resolve(n)?, d.item)))
                    .collect::<Vec<_>>()
            });
            imports.chain(qualified).collect()
        })
        .collect();
    let edges: Vec<Vec<usize>> = references
        .iter()
        .map(|r| r.iter().map(|(t, _)| *t).collect())
        .collect();
    let mut out = ModuleCycles {
        component: HashMap::new(),
        cycles: Vec::new(),
        first_reference: HashMap::new(),
    };
    for members in tarjan(&edges).into_iter().filter(|c| c.len() > 1) {
        let id = out.cycles.len();
        let names = members
            .iter()
            .map(|&m| item_index(db, nodes[m].0).modules[nodes[m].1].name.clone())
            .collect();
        out.cycles.push(names);
        for &m in &members {
            out.component.insert(nodes[m], id);
            let into_cycle = references[m]
                .iter()
                .find(|(t, _)| *t != m && members.contains(t));
            if let Some(&(t, item)) = into_cycle {
                let target = item_index(db, nodes[t].0).modules[nodes[t].1].name.clone();
                out.first_reference.insert(nodes[m], (item, target));
            }
        }
    }
    Arc::new(out)
}
