//! Committing a large write group part by part, in order. A group that fits in one part is
//! committed on the calling thread. When a second part is coming, a helper thread takes over
//! the commits: it writes part k to the engine while the caller loads, merges and encodes the
//! records of part k + 1. A merge's engine write and its own work then run on two cores
//! instead of taking turns on one.

use super::Database;
use crate::commit::Job;
use crate::crdt::Change;
use crate::error::{Result, StoreError};
use crate::keys::LoggedChange;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

/// A part ready to commit: its puts, and its changes (local ones go back to the writer).
type Part = (Job, Vec<LoggedChange>);

pub(super) struct PartCommitter<'scope, 'db> {
    db: &'db Database,
    scope: &'scope Scope<'scope, 'db>,
    done: Vec<Change>,
    helper: Option<Helper<'scope>>,
}

struct Helper<'scope> {
    parts: SyncSender<Part>,
    thread: ScopedJoinHandle<'scope, Result<Vec<Change>>>,
}

impl<'scope, 'db> PartCommitter<'scope, 'db> {
    pub(super) fn new(db: &'db Database, scope: &'scope Scope<'scope, 'db>) -> Self {
        PartCommitter {
            db,
            scope,
            done: Vec::new(),
            helper: None,
        }
    }

    /// Commit `part` after every part handed in before it. `more` says whether another part
    /// follows; the first part that has a successor starts the helper.
    pub(super) fn commit(&mut self, part: Part, more: bool) -> Result<()> {
        if self.helper.is_none() && !more {
            let (job, changes) = part;
            self.db.commit(job)?;
            self.done.extend(kept(changes));
            return Ok(());
        }
        let helper = match self.helper.take() {
            Some(h) => h,
            None => self.start_helper(),
        };
        if helper.parts.send(part).is_ok() {
            self.helper = Some(helper);
            return Ok(());
        }
        // The helper stops at its first failed commit, closing the channel: its error is the
        // one to report.
        join(helper.thread)?;
        Err(StoreError::Engine(
            "the part committer stopped without an error".into(),
        ))
    }

    /// Wait for every part to be committed; the local changes, in the order they came.
    pub(super) fn finish(mut self) -> Result<Vec<Change>> {
        if let Some(Helper { parts, thread }) = self.helper.take() {
            drop(parts);
            self.done.extend(join(thread)?);
        }
        Ok(self.done)
    }

    fn start_helper(&self) -> Helper<'scope> {
        // One part queued while another is written: the caller runs at most one part ahead.
        let (parts, queue) = sync_channel::<Part>(1);
        let db = self.db;
        let thread = self.scope.spawn(move || {
            let mut done = Vec::new();
            for (job, changes) in queue {
                db.commit(job)?;
                done.extend(kept(changes));
            }
            Ok(done)
        });
        Helper { parts, thread }
    }
}

fn join(thread: ScopedJoinHandle<'_, Result<Vec<Change>>>) -> Result<Vec<Change>> {
    match thread.join() {
        Ok(res) => res,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The local changes among `changes` (a merge's were encoded for the log and moved on).
fn kept(changes: Vec<LoggedChange>) -> impl Iterator<Item = Change> {
    changes.into_iter().filter_map(|c| match c {
        LoggedChange::Kept(c) => Some(c),
        LoggedChange::Encoded { .. } => None,
    })
}
