//! Measuring how deep a tree nests without recursing: values and query ASTs can come from
//! the network, deeper than any thread stack could walk.

/// Whether the tree under `root` nests deeper than `limit` levels (`root` is level 1).
/// `children` pushes a node's children; the walk stops at the first node past the limit.
pub fn exceeds<'a, T>(
    root: &'a T,
    limit: usize,
    children: impl Fn(&'a T, &mut Vec<&'a T>),
) -> bool {
    let mut stack = vec![(root, 1usize)];
    let mut kids = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        children(node, &mut kids);
        stack.extend(kids.drain(..).map(|k| (k, depth + 1)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::exceeds;

    enum Tree {
        Leaf,
        Node(Vec<Tree>),
    }

    fn children<'a>(t: &'a Tree, out: &mut Vec<&'a Tree>) {
        if let Tree::Node(ts) = t {
            out.extend(ts);
        }
    }

    #[test]
    fn depth_counts_levels_from_the_root() {
        let leaf = Tree::Leaf;
        assert!(!exceeds(&leaf, 1, children));
        assert!(exceeds(&leaf, 0, children));
        // a node with a leaf and a node holding a leaf: three levels
        let t = Tree::Node(vec![Tree::Leaf, Tree::Node(vec![Tree::Leaf])]);
        assert!(!exceeds(&t, 3, children));
        assert!(exceeds(&t, 2, children));
    }
}
