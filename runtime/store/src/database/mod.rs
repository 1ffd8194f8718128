//! The store handle. `Database` ties the CRDT layer to a storage engine: it owns the replica
//! id, the clock, the change counter and the version vector, and it is `Send + Sync` (share
//! it across threads in an `Arc`).

mod parts;
mod read;
mod write;

use crate::commit::Committer;
use crate::crdt::hlc::{system_time_ms, TimeSource, DEFAULT_MAX_SKEW_MS};
use crate::crdt::{Clock, Hlc, ReplicaId, VersionVector};
use crate::engine::fjall_engine::FjallStore;
use crate::engine::memory::MemoryStore;
use crate::engine::{Put, Space, Store};
use crate::error::{Result, StoreError};
use crate::wire::{seal, unseal, Reader, Writer};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use read::{is_deleted, Stats};
pub use write::WriteReport;

/// Current on-disk format version. 2: records hold their materialised head; revisions hold
/// only superseded heads; live records have no `_rmx_deleted` index entry. 3: heads hold stamps
/// and content instead of MessagePack system fields, and the CRDT state repeats neither the id,
/// the stamps, the head's values nor a replica id or clock per register entry (`head.rs`,
/// `RecordState::encode`). Older formats are refused at open.
pub const FORMAT_VERSION: u32 = 3;

const META_FORMAT: &[u8] = b"format";
const META_REPLICA: &[u8] = b"replica";
const META_VV: &[u8] = b"vv";
const META_HLC: &[u8] = b"hlc";
const META_SEQ: &[u8] = b"seq";

/// How many superseded revisions to keep per record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    KeepAll,
    KeepLast(usize),
}

#[derive(Clone)]
pub struct Options {
    /// Remote timestamps further ahead of the local clock than this are rejected.
    pub max_skew_ms: u64,
    pub history: History,
    /// Opaque principal id recorded as created/modified by (default: `replica:<id>`).
    pub principal: Option<String>,
    /// Physical time source (tests inject skewed clocks).
    pub time_source: Option<TimeSource>,
    /// Sync every acknowledged write (on by default; off only for bulk loads that call
    /// [`Database::sync`] themselves).
    pub durable: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_skew_ms: DEFAULT_MAX_SKEW_MS,
            history: History::KeepAll,
            principal: None,
            time_source: None,
            durable: true,
        }
    }
}

pub struct Database {
    store: Box<dyn Store>,
    replica: ReplicaId,
    clock: Clock,
    counter: AtomicU64,
    seq: AtomicU64,
    vv: Mutex<VersionVector>,
    committer: Committer,
    stripes: Vec<Mutex<()>>,
    opts: Options,
    principal: String,
}

const STRIPES: usize = 64;

impl Database {
    /// Create a new store in `dir` (fails if one exists).
    pub fn create(dir: &Path, opts: Options) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let store = FjallStore::open(dir)?;
        if store.get(Space::Meta, META_REPLICA)?.is_some() {
            return Err(StoreError::InvalidRecord(format!(
                "a store already exists at {}",
                dir.display()
            )));
        }
        Self::init(Box::new(store), opts, None)
    }

    /// Open an existing store in `dir`.
    pub fn open(dir: &Path, opts: Options) -> Result<Self> {
        // fjall writes a `version` file when it creates a database: without one this is not
        // a store, and opening must not write anything into the directory
        if !dir.join("version").is_file() {
            return Err(StoreError::NotInitialised(dir.display().to_string()));
        }
        let store = FjallStore::open(dir)?;
        if store.get(Space::Meta, META_REPLICA)?.is_none() {
            return Err(StoreError::NotInitialised(dir.display().to_string()));
        }
        Self::with_store(Box::new(store), opts)
    }

    /// Open `dir`, creating the store if needed.
    pub fn open_or_create(dir: &Path, opts: Options) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let store = FjallStore::open(dir)?;
        if store.get(Space::Meta, META_REPLICA)?.is_none() {
            return Self::init(Box::new(store), opts, None);
        }
        Self::with_store(Box::new(store), opts)
    }

    /// A fresh in-memory store.
    pub fn memory(opts: Options) -> Result<Self> {
        Self::init(Box::new(MemoryStore::new()), opts, None)
    }

    /// A fresh in-memory store with a chosen replica id (tests).
    pub fn memory_with_replica(opts: Options, replica: ReplicaId) -> Result<Self> {
        Self::init(Box::new(MemoryStore::new()), opts, Some(replica))
    }

    /// Initialise an empty engine as a new replica.
    pub fn init(store: Box<dyn Store>, opts: Options, replica: Option<ReplicaId>) -> Result<Self> {
        let replica = replica.unwrap_or_else(ReplicaId::random);
        store.write(
            vec![
                Put::set(
                    Space::Meta,
                    META_FORMAT.to_vec(),
                    FORMAT_VERSION.to_be_bytes().to_vec(),
                ),
                Put::set(
                    Space::Meta,
                    META_REPLICA.to_vec(),
                    replica.0.to_be_bytes().to_vec(),
                ),
            ],
            true,
        )?;
        Self::with_store(store, opts)
    }

    /// Open an initialised engine. Reads only the metadata keys: open time does not depend on
    /// how much history the store holds.
    pub fn with_store(store: Box<dyn Store>, opts: Options) -> Result<Self> {
        let format = store
            .get(Space::Meta, META_FORMAT)?
            .ok_or_else(|| StoreError::NotInitialised("engine".into()))?;
        let format = u32::from_be_bytes(
            format
                .as_slice()
                .try_into()
                .map_err(|_| corrupt_meta("format"))?,
        );
        if format != FORMAT_VERSION {
            return Err(StoreError::Version(format));
        }
        let rep = store
            .get(Space::Meta, META_REPLICA)?
            .ok_or_else(|| corrupt_meta("replica"))?;
        let replica = ReplicaId(u64::from_be_bytes(
            rep.as_slice()
                .try_into()
                .map_err(|_| corrupt_meta("replica"))?,
        ));
        let vv = match store.get(Space::Meta, META_VV)? {
            Some(b) => {
                let payload = unseal("meta", &b)?;
                let mut r = Reader::new(payload);
                VersionVector::decode(&mut r)?
            }
            None => VersionVector::new(),
        };
        let hlc = match store.get(Space::Meta, META_HLC)? {
            Some(b) => {
                let p = unseal("meta", &b)?;
                let mut r = Reader::new(p);
                Hlc {
                    wall_ms: r.varint()?,
                    logical: r.varint()? as u32,
                }
            }
            None => Hlc::default(),
        };
        let seq = match store.get(Space::Meta, META_SEQ)? {
            Some(b) => u64::from_be_bytes(
                unseal("meta", &b)?
                    .try_into()
                    .map_err(|_| corrupt_meta("seq"))?,
            ),
            None => 0,
        };
        let source = opts
            .time_source
            .clone()
            .unwrap_or_else(|| Arc::new(system_time_ms));
        let clock = Clock::new(opts.max_skew_ms, source);
        clock.seed(hlc);
        let counter = vv.max_counter(replica);
        let principal = match &opts.principal {
            Some(p) => validate_principal(p)?,
            None => format!("replica:{replica}"),
        };
        Ok(Database {
            store,
            replica,
            clock,
            counter: AtomicU64::new(counter),
            seq: AtomicU64::new(seq),
            vv: Mutex::new(vv),
            committer: Committer::new(),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            opts,
            principal,
        })
    }

    pub fn replica_id(&self) -> ReplicaId {
        self.replica
    }

    pub fn principal(&self) -> &str {
        &self.principal
    }

    pub fn engine(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The version vector: exactly which changes this replica holds.
    pub fn version_vector(&self) -> VersionVector {
        self.lock_vv().clone()
    }

    pub fn clock_now(&self) -> Hlc {
        self.clock.last()
    }

    fn lock_vv(&self) -> MutexGuard<'_, VersionVector> {
        self.vv.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stripe_of(&self, id: &str) -> usize {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        id.hash(&mut h);
        (h.finish() as usize) % STRIPES
    }

    /// Flush buffers to data files (so the next open replays no journal) and sync.
    pub fn checkpoint(&self) -> Result<()> {
        self.store.checkpoint()
    }

    /// Close cleanly: sync, flush and leave nothing for the next open to replay.
    pub fn close(self) -> Result<()> {
        self.sync()?;
        let Database { store, .. } = self;
        store.close()
    }

    /// Sync everything written so far (after non-durable bulk writes).
    pub fn sync(&self) -> Result<()> {
        self.store.write(self.meta_puts(&[]), true)
    }

    /// Metadata written with every group: the version vector including `extra` changes, the
    /// clock and the sequence watermark.
    fn meta_puts(&self, extra: &[crate::crdt::OpId]) -> Vec<Put> {
        let mut vv = self.lock_vv().clone();
        for id in extra {
            vv.add(*id);
        }
        let mut w = Writer::new();
        vv.encode(&mut w);
        let mut h = Writer::new();
        let now = self.clock.last();
        h.varint(now.wall_ms);
        h.varint(now.logical as u64);
        vec![
            Put::set(Space::Meta, META_VV.to_vec(), seal(&w.finish())),
            Put::set(Space::Meta, META_HLC.to_vec(), seal(&h.finish())),
            Put::set(
                Space::Meta,
                META_SEQ.to_vec(),
                seal(&self.seq.load(Ordering::SeqCst).to_be_bytes()),
            ),
        ]
    }
}

fn corrupt_meta(what: &str) -> StoreError {
    StoreError::Corrupt {
        space: "meta",
        detail: format!("bad {what} entry"),
    }
}

/// Principal ids are opaque: non-empty, at most 256 bytes, and never an email address.
pub fn validate_principal(p: &str) -> Result<String> {
    if p.is_empty() || p.len() > 256 || p.contains('@') || p.chars().any(char::is_control) {
        return Err(StoreError::InvalidPrincipal(p.to_string()));
    }
    Ok(p.to_string())
}
