//! Hybrid logical clocks: a physical millisecond part that never goes backwards plus a
//! logical counter, so causally later events always get larger timestamps even when wall
//! clocks disagree. Remote timestamps too far ahead of the local clock are rejected.

use crate::error::{Result, StoreError};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// Default bound on how far a remote timestamp may run ahead of the local clock.
pub const DEFAULT_MAX_SKEW_MS: u64 = 500;

/// A hybrid logical clock timestamp; ordered by wall time, then logical counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    pub wall_ms: u64,
    pub logical: u32,
}

/// Source of physical time in milliseconds since the Unix epoch (injectable for tests).
pub type TimeSource = Arc<dyn Fn() -> u64 + Send + Sync>;

pub fn system_time_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A replica's clock.
pub struct Clock {
    last: Mutex<Hlc>,
    max_skew_ms: u64,
    source: TimeSource,
}

impl Clock {
    pub fn new(max_skew_ms: u64, source: TimeSource) -> Self {
        Clock {
            last: Mutex::new(Hlc::default()),
            max_skew_ms,
            source,
        }
    }

    pub fn system(max_skew_ms: u64) -> Self {
        Self::new(max_skew_ms, Arc::new(system_time_ms))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Hlc> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Never issue a timestamp at or below `seen` (used at open with the last persisted one).
    pub fn seed(&self, seen: Hlc) {
        let mut last = self.lock();
        if seen > *last {
            *last = seen;
        }
    }

    pub fn last(&self) -> Hlc {
        *self.lock()
    }

    /// A new local timestamp, greater than every one issued or observed before.
    pub fn tick(&self) -> Hlc {
        let now = (self.source)();
        let mut last = self.lock();
        let next = if now > last.wall_ms {
            Hlc {
                wall_ms: now,
                logical: 0,
            }
        } else {
            match last.logical.checked_add(1) {
                Some(l) => Hlc {
                    wall_ms: last.wall_ms,
                    logical: l,
                },
                None => Hlc {
                    wall_ms: last.wall_ms + 1,
                    logical: 0,
                },
            }
        };
        *last = next;
        next
    }

    /// Check a remote timestamp against the skew bound without changing the clock.
    pub fn check(&self, remote: Hlc) -> Result<()> {
        let now = (self.source)();
        if remote.wall_ms > now.saturating_add(self.max_skew_ms) {
            return Err(StoreError::ClockSkew {
                ahead_ms: remote.wall_ms - now,
                bound_ms: self.max_skew_ms,
            });
        }
        Ok(())
    }

    /// Merge a remote timestamp into the clock (after [`Clock::check`]).
    pub fn observe(&self, remote: Hlc) {
        let mut last = self.lock();
        if remote > *last {
            *last = remote;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn monotonic_even_when_wall_clock_goes_back() {
        let t = Arc::new(AtomicU64::new(1000));
        let t2 = t.clone();
        let c = Clock::new(500, Arc::new(move || t2.load(Ordering::SeqCst)));
        let a = c.tick();
        t.store(900, Ordering::SeqCst);
        let b = c.tick();
        assert!(b > a);
        c.observe(Hlc {
            wall_ms: 1400,
            logical: 7,
        });
        assert!(
            c.tick()
                > Hlc {
                    wall_ms: 1400,
                    logical: 7
                }
        );
    }

    #[test]
    fn rejects_far_future() {
        let c = Clock::new(500, Arc::new(|| 10_000));
        assert!(c
            .check(Hlc {
                wall_ms: 10_500,
                logical: 0
            })
            .is_ok());
        let e = c
            .check(Hlc {
                wall_ms: 10_501,
                logical: 0,
            })
            .unwrap_err();
        assert!(e.to_string().contains("501 ms ahead"), "{e}");
    }
}
