//! Group commit. Concurrent writers hand their prepared batches to the committer; one of them
//! (the leader) writes everything queued so far as a single synced engine batch, then wakes
//! the others. Many writers share one fsync instead of queueing behind a global lock, and
//! every writer returns only once its batch is durable.

use crate::crdt::OpId;
use crate::engine::Put;
use crate::error::{Result, StoreError};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

/// A writer's prepared batch and the change ids it holds. A group is synced when any of its
/// jobs asks for it (`sync`); a writer applying a large batch in parts syncs only the last.
pub struct Job {
    pub puts: Vec<Put>,
    pub ids: Vec<OpId>,
    pub sync: bool,
}

#[derive(Default)]
struct Queue {
    pending: Vec<(u64, Job)>,
    leader: bool,
    next_ticket: u64,
    finished: HashMap<u64, Result<(), String>>,
}

#[derive(Default)]
pub struct Committer {
    queue: Mutex<Queue>,
    cv: Condvar,
}

impl Committer {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Submit a job and wait until it is durable. `write_group` writes a group of jobs as one
    /// atomic durable batch; it is called by whichever writer leads the group.
    pub fn submit(&self, job: Job, write_group: &dyn Fn(Vec<Job>) -> Result<()>) -> Result<()> {
        let mut q = self.lock();
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.pending.push((ticket, job));
        loop {
            if let Some(res) = q.finished.remove(&ticket) {
                return res.map_err(StoreError::Engine);
            }
            if !q.leader {
                q.leader = true;
                let group: Vec<(u64, Job)> = std::mem::take(&mut q.pending);
                drop(q);
                let tickets: Vec<u64> = group.iter().map(|(t, _)| *t).collect();
                let res = write_group(group.into_iter().map(|(_, j)| j).collect())
                    .map_err(|e| e.to_string());
                q = self.lock();
                for t in tickets {
                    q.finished.insert(t, res.clone());
                }
                q.leader = false;
                self.cv.notify_all();
                continue;
            }
            q = self.cv.wait(q).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn concurrent_writers_share_groups() {
        let c = Arc::new(Committer::new());
        let groups = Arc::new(AtomicUsize::new(0));
        let jobs = Arc::new(AtomicUsize::new(0));
        let mut hs = Vec::new();
        for _ in 0..8 {
            let (c, groups, jobs) = (c.clone(), groups.clone(), jobs.clone());
            hs.push(std::thread::spawn(move || {
                for _ in 0..50 {
                    let write = |g: Vec<Job>| {
                        groups.fetch_add(1, Ordering::SeqCst);
                        jobs.fetch_add(g.len(), Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_micros(200));
                        Ok(())
                    };
                    c.submit(
                        Job {
                            puts: Vec::new(),
                            ids: Vec::new(),
                            sync: true,
                        },
                        &write,
                    )
                    .unwrap();
                }
            }));
        }
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(jobs.load(Ordering::SeqCst), 400);
        assert!(groups.load(Ordering::SeqCst) < 400, "no batching happened");
    }
}
