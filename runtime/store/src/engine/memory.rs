//! An in-memory engine: one ordered map per space behind a read-write lock.

use super::{KvIter, Put, Space, Store};
use crate::error::Result;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

type Map = BTreeMap<Vec<u8>, Vec<u8>>;

#[derive(Default)]
pub struct MemoryStore {
    spaces: RwLock<BTreeMap<Space, Map>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let g = self.spaces.read().unwrap_or_else(|p| p.into_inner());
        Ok(g.get(&space).and_then(|m| m.get(key)).cloned())
    }

    fn scan(
        &self,
        space: Space,
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        reverse: bool,
    ) -> KvIter<'_> {
        let g = self.spaces.read().unwrap_or_else(|p| p.into_inner());
        let Some(m) = g.get(&space) else {
            return Box::new(std::iter::empty());
        };
        if super::empty_bounds(&lo, &hi) {
            return Box::new(std::iter::empty());
        }
        let mut items: Vec<_> = m
            .range((lo, hi))
            .map(|(k, v)| Ok((k.clone(), v.clone())))
            .collect();
        if reverse {
            items.reverse();
        }
        Box::new(items.into_iter())
    }

    fn scan_keys(
        &self,
        space: Space,
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        visit: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<()> {
        if super::empty_bounds(&lo, &hi) {
            return Ok(());
        }
        let g = self.spaces.read().unwrap_or_else(|p| p.into_inner());
        if let Some(m) = g.get(&space) {
            for k in m.range::<Vec<u8>, _>((lo, hi)).map(|(k, _)| k) {
                if !visit(k) {
                    break;
                }
            }
        }
        Ok(())
    }

    fn write(&self, batch: Vec<Put>, _durable: bool) -> Result<()> {
        let mut g = self.spaces.write().unwrap_or_else(|p| p.into_inner());
        for p in batch {
            let m = g.entry(p.space).or_default();
            match p.value {
                Some(v) => {
                    m.insert(p.key, v);
                }
                None => {
                    m.remove(&p.key);
                }
            }
        }
        Ok(())
    }

    fn engine_name(&self) -> &'static str {
        "memory"
    }

    fn approximate_len(&self, space: Space) -> u64 {
        let g = self.spaces.read().unwrap_or_else(|p| p.into_inner());
        g.get(&space).map(|m| m.len() as u64).unwrap_or(0)
    }
}
