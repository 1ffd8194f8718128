//! The storage engine interface. The CRDT layer, the indexes and the query executor talk to
//! storage only through the [`Store`] trait: a few ordered key spaces with point reads, range
//! scans and atomic (optionally synced) batch writes. [`fjall_engine::FjallStore`] is the
//! durable engine; [`memory::MemoryStore`] keeps everything in memory. A networked engine
//! (e.g. PostgreSQL with one table per space and `(key bytea primary key, value bytea)`) fits
//! the same trait.

pub mod fjall_engine;
pub mod memory;

use crate::error::Result;
use std::ops::Bound;
use std::path::PathBuf;

/// The ordered key spaces of a store (see docs/store.md for their layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Space {
    /// Replica id, format version, version vector, clock and sequence watermarks.
    Meta,
    /// Every change, keyed by `(replica, counter)`: the replication log and outbound queue.
    Changes,
    /// Per-record CRDT state, keyed by record id.
    Records,
    /// Materialised revisions, keyed by `(record id, sequence)`.
    Revisions,
    /// Automatic field indexes (keys only).
    Index,
    /// Local apply sequence → record id (for `after` watermarks).
    BySeq,
    /// Per-peer acknowledged version vectors.
    Peers,
}

impl Space {
    /// Every space, in declaration order (`space as usize` is its position here).
    pub const ALL: [Space; 7] = [
        Space::Meta,
        Space::Changes,
        Space::Records,
        Space::Revisions,
        Space::Index,
        Space::BySeq,
        Space::Peers,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Space::Meta => "meta",
            Space::Changes => "changes",
            Space::Records => "records",
            Space::Revisions => "revisions",
            Space::Index => "index",
            Space::BySeq => "byseq",
            Space::Peers => "peers",
        }
    }
}

/// One write in a batch: `value: None` deletes the key.
#[derive(Debug, Clone)]
pub struct Put {
    pub space: Space,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

impl Put {
    pub fn set(space: Space, key: Vec<u8>, value: Vec<u8>) -> Self {
        Put {
            space,
            key,
            value: Some(value),
        }
    }
    pub fn delete(space: Space, key: Vec<u8>) -> Self {
        Put {
            space,
            key,
            value: None,
        }
    }
}

pub type KvPair = (Vec<u8>, Vec<u8>);
pub type KvIter<'a> = Box<dyn Iterator<Item = Result<KvPair>> + 'a>;

/// A storage engine.
pub trait Store: Send + Sync {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Is `key` in the space? (Engines override this to skip copying the value.)
    fn contains(&self, space: Space, key: &[u8]) -> Result<bool> {
        Ok(self.get(space, key)?.is_some())
    }

    /// Keys in `[lo, hi)`-style bounds, ascending (or descending with `reverse`).
    fn scan(
        &self,
        space: Space,
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        reverse: bool,
    ) -> KvIter<'_>;

    /// Visit the keys in the bounds, ascending, until `visit` returns false. Engines override
    /// this to hand out keys without copying them (index scans read only keys).
    fn scan_keys(
        &self,
        space: Space,
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        visit: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<()> {
        for kv in self.scan(space, lo, hi, false) {
            if !visit(&kv?.0) {
                break;
            }
        }
        Ok(())
    }

    /// Apply the batch atomically; with `durable`, return only once it is synced to storage.
    fn write(&self, batch: Vec<Put>, durable: bool) -> Result<()>;

    /// Engine name for `stats`.
    fn engine_name(&self) -> &'static str;

    /// Data files (for verification and corruption tests); empty for memory engines.
    fn data_files(&self) -> Vec<PathBuf> {
        Vec::new()
    }

    /// Approximate number of keys in a space.
    fn approximate_len(&self, space: Space) -> u64;

    /// Flush memory buffers to data files so the next open replays no journal.
    fn checkpoint(&self) -> Result<()> {
        Ok(())
    }

    /// Close cleanly: after this the next open has nothing to recover (no journal replay).
    fn close(self: Box<Self>) -> Result<()> {
        Ok(())
    }

    fn scan_prefix(&self, space: Space, prefix: &[u8]) -> KvIter<'_> {
        let hi = match prefix_end(prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        self.scan(space, Bound::Included(prefix.to_vec()), hi, false)
    }

    fn last_with_prefix(&self, space: Space, prefix: &[u8]) -> Result<Option<KvPair>> {
        let hi = match prefix_end(prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        self.scan(space, Bound::Included(prefix.to_vec()), hi, true)
            .next()
            .transpose()
    }
}

/// Do the bounds admit no key? (Ordered maps panic on inverted bounds, so engines check.)
pub fn empty_bounds(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
            a >= b
        }
        _ => false,
    }
}

/// The smallest key greater than every key starting with `prefix` (None: no such key).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Behaviour every engine must share.
    pub fn engine_contract(s: &dyn Store) {
        s.write(
            vec![
                Put::set(Space::Records, b"a".to_vec(), b"1".to_vec()),
                Put::set(Space::Records, b"ab".to_vec(), b"2".to_vec()),
                Put::set(Space::Records, b"b".to_vec(), b"3".to_vec()),
                Put::set(Space::Index, b"a".to_vec(), b"x".to_vec()),
            ],
            true,
        )
        .unwrap();
        assert_eq!(s.get(Space::Records, b"ab").unwrap(), Some(b"2".to_vec()));
        assert_eq!(s.get(Space::Meta, b"ab").unwrap(), None);
        assert!(s.contains(Space::Records, b"ab").unwrap());
        assert!(!s.contains(Space::Records, b"abc").unwrap());
        assert!(!s.contains(Space::Meta, b"ab").unwrap());
        let keys: Vec<Vec<u8>> = s
            .scan_prefix(Space::Records, b"a")
            .map(|kv| kv.unwrap().0)
            .collect();
        assert_eq!(keys, vec![b"a".to_vec(), b"ab".to_vec()]);
        assert_eq!(
            s.last_with_prefix(Space::Records, b"").unwrap().unwrap().0,
            b"b".to_vec()
        );
        s.write(vec![Put::delete(Space::Records, b"a".to_vec())], false)
            .unwrap();
        assert_eq!(s.get(Space::Records, b"a").unwrap(), None);
        let rev: Vec<Vec<u8>> = s
            .scan(Space::Records, Bound::Unbounded, Bound::Unbounded, true)
            .map(|kv| kv.unwrap().0)
            .collect();
        assert_eq!(rev, vec![b"b".to_vec(), b"ab".to_vec()]);
        // a key written twice in one batch ends as the batch left it
        s.write(
            vec![
                Put::set(Space::Index, b"d".to_vec(), b"1".to_vec()),
                Put::set(Space::Records, b"z".to_vec(), b"1".to_vec()),
                Put::set(Space::Index, b"d".to_vec(), b"2".to_vec()),
                Put::set(Space::Records, b"y".to_vec(), b"1".to_vec()),
                Put::delete(Space::Records, b"y".to_vec()),
            ],
            false,
        )
        .unwrap();
        assert_eq!(s.get(Space::Index, b"d").unwrap(), Some(b"2".to_vec()));
        assert_eq!(s.get(Space::Records, b"y").unwrap(), None);
        s.write(
            vec![
                Put::delete(Space::Records, b"z".to_vec()),
                Put::set(Space::Records, b"z".to_vec(), b"3".to_vec()),
                Put::delete(Space::Index, b"d".to_vec()),
            ],
            false,
        )
        .unwrap();
        assert_eq!(s.get(Space::Records, b"z").unwrap(), Some(b"3".to_vec()));
        assert_eq!(s.get(Space::Index, b"d").unwrap(), None);
        s.write(
            vec![
                Put::delete(Space::Records, b"z".to_vec()),
                Put::delete(Space::Index, b"a".to_vec()),
            ],
            false,
        )
        .unwrap();
        let mut seen = Vec::new();
        s.scan_keys(
            Space::Records,
            Bound::Included(b"ab".to_vec()),
            Bound::Unbounded,
            &mut |k| {
                seen.push(k.to_vec());
                true
            },
        )
        .unwrap();
        assert_eq!(seen, vec![b"ab".to_vec(), b"b".to_vec()]);
        let mut first = Vec::new();
        s.scan_keys(
            Space::Records,
            Bound::Unbounded,
            Bound::Unbounded,
            &mut |k| {
                first.push(k.to_vec());
                false
            },
        )
        .unwrap();
        assert_eq!(first, vec![b"ab".to_vec()]);
        // upper bounds, inclusive and exclusive, end the scan at the bound
        s.write(
            vec![
                Put::set(Space::Records, b"c".to_vec(), b"4".to_vec()),
                Put::set(Space::Records, b"ca".to_vec(), b"5".to_vec()),
            ],
            false,
        )
        .unwrap();
        for (hi, want) in [
            (
                Bound::Included(b"b".to_vec()),
                vec![b"ab".to_vec(), b"b".to_vec()],
            ),
            (Bound::Excluded(b"b".to_vec()), vec![b"ab".to_vec()]),
            (
                Bound::Included(b"c".to_vec()),
                vec![b"ab".to_vec(), b"b".to_vec(), b"c".to_vec()],
            ),
            (
                Bound::Excluded(b"ca".to_vec()),
                vec![b"ab".to_vec(), b"b".to_vec(), b"c".to_vec()],
            ),
        ] {
            let mut seen = Vec::new();
            s.scan_keys(
                Space::Records,
                Bound::Included(b"a".to_vec()),
                hi.clone(),
                &mut |k| {
                    seen.push(k.to_vec());
                    true
                },
            )
            .unwrap();
            assert_eq!(seen, want, "{hi:?}");
        }
    }

    #[test]
    fn memory_engine_contract() {
        engine_contract(&memory::MemoryStore::new());
    }

    #[test]
    fn fjall_engine_contract() {
        let dir = tempfile::tempdir().unwrap();
        engine_contract(&fjall_engine::FjallStore::open(dir.path()).unwrap());
    }

    #[test]
    fn empty_bounds_are_detected() {
        let k = |s: &[u8]| s.to_vec();
        assert!(empty_bounds(
            &Bound::Included(k(b"b")),
            &Bound::Included(k(b"a"))
        ));
        assert!(!empty_bounds(
            &Bound::Included(k(b"a")),
            &Bound::Included(k(b"a"))
        ));
        assert!(empty_bounds(
            &Bound::Included(k(b"a")),
            &Bound::Excluded(k(b"a"))
        ));
        assert!(empty_bounds(
            &Bound::Excluded(k(b"a")),
            &Bound::Excluded(k(b"a"))
        ));
        assert!(!empty_bounds(&Bound::Unbounded, &Bound::Excluded(k(b"a"))));
        let s = memory::MemoryStore::new();
        s.write(vec![Put::set(Space::Index, k(b"a"), Vec::new())], false)
            .unwrap();
        // an ordered map would panic on these bounds; the engines return nothing
        assert_eq!(
            s.scan(
                Space::Index,
                Bound::Excluded(k(b"a")),
                Bound::Excluded(k(b"a")),
                false
            )
            .count(),
            0
        );
    }

    #[test]
    fn all_lists_spaces_at_their_positions() {
        for (i, s) in Space::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
    }

    #[test]
    fn prefix_end_handles_ff() {
        assert_eq!(prefix_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
    }
}
