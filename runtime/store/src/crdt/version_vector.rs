//! Version vectors with dots: for each replica the highest counter up to which every change
//! is present, plus the isolated changes received beyond a gap (delivery may drop and
//! reorder). A version vector summarises exactly which changes a replica has.

use super::ids::{OpId, ReplicaId};
use crate::error::Result;
use crate::wire::{Reader, Writer};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionVector {
    contig: BTreeMap<ReplicaId, u64>,
    dots: BTreeSet<OpId>,
}

impl VersionVector {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn contains(&self, id: OpId) -> bool {
        id.counter <= self.contiguous(id.replica) || self.dots.contains(&id)
    }

    /// Every change of `replica` with a counter at or below this is present.
    pub fn contiguous(&self, replica: ReplicaId) -> u64 {
        self.contig.get(&replica).copied().unwrap_or(0)
    }

    /// The highest counter present for `replica` (contiguous or not).
    pub fn max_counter(&self, replica: ReplicaId) -> u64 {
        let dot_max = self.dots_of(replica).next_back().unwrap_or(0);
        dot_max.max(self.contiguous(replica))
    }

    /// Dots of `replica` above its contiguous prefix.
    pub fn dots_of(&self, replica: ReplicaId) -> impl DoubleEndedIterator<Item = u64> + '_ {
        self.dots
            .range(
                OpId {
                    replica,
                    counter: 0,
                }..=OpId {
                    replica,
                    counter: u64::MAX,
                },
            )
            .map(|d| d.counter)
    }

    pub fn replicas(&self) -> BTreeSet<ReplicaId> {
        self.contig
            .keys()
            .copied()
            .chain(self.dots.iter().map(|d| d.replica))
            .collect()
    }

    pub fn add(&mut self, id: OpId) {
        if self.contains(id) || id.counter == 0 {
            return;
        }
        let c = self.contiguous(id.replica);
        if id.counter == c + 1 {
            let mut next = id.counter;
            while self.dots.remove(&OpId {
                replica: id.replica,
                counter: next + 1,
            }) {
                next += 1;
            }
            self.contig.insert(id.replica, next);
        } else {
            self.dots.insert(id);
        }
    }

    /// Join: afterwards `self` contains every change either contained.
    pub fn merge(&mut self, other: &VersionVector) {
        for (&r, &c) in &other.contig {
            let mine = self.contiguous(r);
            if c > mine {
                self.contig.insert(r, c);
                let stale: Vec<OpId> = self
                    .dots_of(r)
                    .filter(|&d| d <= c)
                    .map(|d| OpId {
                        replica: r,
                        counter: d,
                    })
                    .collect();
                for d in stale {
                    self.dots.remove(&d);
                }
                // absorb dots now adjacent to the prefix
                let mut next = c;
                while self.dots.remove(&OpId {
                    replica: r,
                    counter: next + 1,
                }) {
                    next += 1;
                }
                self.contig.insert(r, next);
            }
        }
        for &d in &other.dots {
            self.add(d);
        }
    }

    /// Does `self` contain every change `other` contains?
    pub fn dominates(&self, other: &VersionVector) -> bool {
        other.contig.iter().all(|(&r, &c)| {
            self.contiguous(r) >= c
                || (self.contiguous(r) + 1..=c).all(|n| {
                    self.dots.contains(&OpId {
                        replica: r,
                        counter: n,
                    })
                })
        }) && other.dots.iter().all(|&d| self.contains(d))
    }

    pub fn total(&self) -> u64 {
        self.contig.values().sum::<u64>() + self.dots.len() as u64
    }

    pub fn encode(&self, w: &mut Writer) {
        w.varint(self.contig.len() as u64);
        for (r, c) in &self.contig {
            w.u64_fixed(r.0);
            w.varint(*c);
        }
        w.varint(self.dots.len() as u64);
        for d in &self.dots {
            w.u64_fixed(d.replica.0);
            w.varint(d.counter);
        }
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<Self> {
        let mut vv = VersionVector::new();
        let n = r.count(9, 1 << 20, "version vector entries")?;
        for _ in 0..n {
            let rep = ReplicaId(r.u64_fixed()?);
            let c = r.varint()?;
            if vv.contig.insert(rep, c).is_some() {
                return Err(r.err("duplicate replica in version vector"));
            }
        }
        let n = r.count(9, 1 << 24, "version vector dots")?;
        for _ in 0..n {
            let rep = ReplicaId(r.u64_fixed()?);
            let c = r.varint()?;
            vv.add(OpId {
                replica: rep,
                counter: c,
            });
        }
        Ok(vv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(r: u64, c: u64) -> OpId {
        OpId {
            replica: ReplicaId(r),
            counter: c,
        }
    }

    #[test]
    fn gaps_become_dots_and_fill_in() {
        let mut v = VersionVector::new();
        v.add(id(1, 1));
        v.add(id(1, 3));
        assert!(v.contains(id(1, 3)) && !v.contains(id(1, 2)));
        assert_eq!(v.contiguous(ReplicaId(1)), 1);
        v.add(id(1, 2));
        assert_eq!(v.contiguous(ReplicaId(1)), 3);
        assert_eq!(v.dots_of(ReplicaId(1)).count(), 0);
    }

    #[test]
    fn merge_is_a_join() {
        let mut a = VersionVector::new();
        a.add(id(1, 1));
        a.add(id(2, 2));
        let mut b = VersionVector::new();
        b.add(id(1, 1));
        b.add(id(1, 2));
        b.add(id(2, 1));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.contiguous(ReplicaId(2)), 2);
        assert!(ab.dominates(&a) && ab.dominates(&b));
        let mut abb = ab.clone();
        abb.merge(&b);
        assert_eq!(abb, ab);
    }
}
