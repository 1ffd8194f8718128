//! The durable engine on fjall (an LSM tree with a journal, checksummed blocks and
//! concurrent writers). One fjall keyspace per [`Space`]. A durable write is one fjall batch
//! committed with `PersistMode::SyncAll`: the journal is fsynced before it returns.

use super::{KvIter, Put, Space, Store};
use crate::error::{Result, StoreError};
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use std::ops::Bound;
use std::path::{Path, PathBuf};

/// Memtable size of each keyspace.
const MEMTABLE_BYTES: u64 = 32 << 20;

/// How long `checkpoint` waits for background flushes before reporting an error.
const FLUSH_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Table count of one keyspace above which `checkpoint` compacts it.
const MAX_TABLES_BEFORE_COMPACTION: usize = 8;

pub struct FjallStore {
    db: Database,
    /// One keyspace per space, at the space's position in [`Space::ALL`].
    spaces: Vec<Keyspace>,
    path: PathBuf,
}

impl FjallStore {
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with_memtable_size(path, MEMTABLE_BYTES)
    }

    /// [`Self::open`] with another memtable size for keyspaces it creates (tests use tiny
    /// memtables to make fjall rotate and flush them in the background all the time).
    pub fn open_with_memtable_size(path: &Path, memtable_bytes: u64) -> Result<Self> {
        // The 64 MiB journal cap bounds what recovery replays after a crash (open time must not
        // grow with history; fjall flushes memtables to stay under it); `checkpoint` empties
        // the journal entirely. Memtables of 32 MiB (rather than 8) flush and compact less
        // often: a 100k-change merge spends a fifth to a quarter less CPU, batches of 1,000
        // ~15 % less. The price: a bulk load now ends with a few overlapping tables per
        // keyspace (below the count at which `checkpoint` compacts), and every index range
        // scan seeks each of them (~2 µs more per equality lookup).
        // Journal entries are small batches: compressing them costs more than it saves.
        let db = Database::builder(path)
            .max_journaling_size(64 << 20)
            .journal_compression(fjall::CompressionType::None)
            .open()?;
        let mut spaces = Vec::with_capacity(Space::ALL.len());
        for s in Space::ALL {
            spaces.push(db.keyspace(s.name(), || {
                KeyspaceCreateOptions::default().max_memtable_size(memtable_bytes)
            })?);
        }
        Ok(FjallStore {
            db,
            spaces,
            path: path.to_path_buf(),
        })
    }

    fn ks(&self, space: Space) -> Result<&Keyspace> {
        self.spaces
            .get(space as usize)
            .ok_or_else(|| StoreError::Engine(format!("keyspace {} missing", space.name())))
    }
}

impl Store for FjallStore {
    fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.ks(space)?.get(key)?.map(|v| v.to_vec()))
    }

    fn contains(&self, space: Space, key: &[u8]) -> Result<bool> {
        Ok(self.ks(space)?.contains_key(key)?)
    }

    fn scan(
        &self,
        space: Space,
        lo: Bound<Vec<u8>>,
        hi: Bound<Vec<u8>>,
        reverse: bool,
    ) -> KvIter<'_> {
        let ks = match self.ks(space) {
            Ok(k) => k,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        if super::empty_bounds(&lo, &hi) {
            return Box::new(std::iter::empty());
        }
        let it = ks.range::<Vec<u8>, _>((lo, hi));
        let map = |g: fjall::Guard| -> Result<(Vec<u8>, Vec<u8>)> {
            let (k, v) = g.into_inner()?;
            Ok((k.to_vec(), v.to_vec()))
        };
        if reverse {
            Box::new(it.rev().map(map))
        } else {
            Box::new(it.map(map))
        }
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
        // The upper bound is checked here rather than handed to fjall: with one, every table
        // iterator seeks its index block and its first data block a second time (for the
        // upper end), which is most of a short scan's cost (an equality lookup reads one or
        // two keys). Scans stop at the first key past the bound either way.
        for g in self.ks(space)?.range::<Vec<u8>, _>((lo, Bound::Unbounded)) {
            let k = g.key()?;
            let inside = match &hi {
                Bound::Included(h) => *k <= **h,
                Bound::Excluded(h) => *k < **h,
                Bound::Unbounded => true,
            };
            if !inside || !visit(&k) {
                break;
            }
        }
        Ok(())
    }

    fn write(&self, batch: Vec<Put>, durable: bool) -> Result<()> {
        // Each keyspace's memtable is a skip list: inserting its keys in order keeps the
        // search path in cache. Bucket by space, then a stable sort per space: a key written
        // twice in a batch ends as the batch left it (and the change log and sequence keys
        // arrive sorted already).
        let len = batch.len();
        let mut sizes = [0usize; Space::ALL.len()];
        for p in &batch {
            sizes[p.space as usize] += 1;
        }
        let mut buckets: Vec<Vec<Put>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
        for p in batch {
            buckets[p.space as usize].push(p);
        }
        let mut b = fjall::OwnedWriteBatch::with_capacity(self.db.clone(), len)
            .durability(durable.then_some(PersistMode::SyncAll));
        for mut bucket in buckets {
            bucket.sort_by(|x, y| x.key.cmp(&y.key));
            for p in bucket {
                let ks = self.ks(p.space)?;
                match p.value {
                    Some(v) => b.insert(ks, p.key, v),
                    None => b.remove(ks, p.key),
                }
            }
        }
        b.commit()?;
        Ok(())
    }

    fn engine_name(&self) -> &'static str {
        "fjall"
    }

    fn data_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        collect_files(&self.path, &mut out);
        out
    }

    fn approximate_len(&self, space: Space) -> u64 {
        self.ks(space)
            .map(|k| k.approximate_len() as u64)
            .unwrap_or(0)
    }

    /// Flush every memtable to tables, close fjall, then empty the journal: it holds only
    /// entries already in tables (fjall's own metadata keyspace never goes through the
    /// journal). The emptied journal stays in place, so the next open still takes its
    /// sequence numbers from the tables, and replays nothing.
    fn close(self: Box<Self>) -> Result<()> {
        self.checkpoint()?;
        for ks in self.spaces.iter() {
            if ks.sealed_memtable_count() > 0 {
                return Err(StoreError::Engine(
                    "memtables still being flushed at close".into(),
                ));
            }
        }
        let FjallStore { db, spaces, path } = *self;
        drop(spaces);
        drop(db);
        let mut journals: Vec<PathBuf> = std::fs::read_dir(&path)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "jnl"))
            .collect();
        // oldest first, the active (highest-numbered) journal last
        journals.sort_by_key(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(0)
        });
        let Some(active) = journals.pop() else {
            return Ok(());
        };
        for j in journals {
            std::fs::remove_file(&j)?;
        }
        let f = std::fs::OpenOptions::new().write(true).open(&active)?;
        f.set_len(0)?;
        f.sync_all()?;
        if let Ok(d) = std::fs::File::open(&path) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn checkpoint(&self) -> Result<()> {
        for ks in self.spaces.iter() {
            ks.rotate_memtable_and_wait()?;
            // fjall waits only for a memtable it sealed itself: one sealed earlier (rotated in
            // the background when it filled up) may still be flushing
            let start = std::time::Instant::now();
            while ks.sealed_memtable_count() > 0 {
                if start.elapsed() > FLUSH_WAIT {
                    return Err(StoreError::Engine(
                        "memtables still being flushed at checkpoint".into(),
                    ));
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            // Short-lived processes (the CLI) exit before background compaction catches up;
            // merge here once tables pile up, so open (which visits every table) stays fast.
            if ks.table_count() > MAX_TABLES_BEFORE_COMPACTION {
                ks.major_compact()?;
            }
        }
        self.db.persist(PersistMode::SyncAll)?;
        Ok(())
    }
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_files(&p, out);
        } else {
            out.push(p);
        }
    }
}
