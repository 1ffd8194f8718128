//! Records and maps: string keys in sorted order. Most values are small records (a handful of
//! fields), kept as one sorted vector: one allocation, and a lookup that first compares key
//! pointers (record keys come from the module's interned constants). Past `SMALL_MAX` entries
//! the map switches to a persistent B-tree: maps are immutable values, so `map.set` copies the
//! map it changes, and for a persistent tree that copy is O(1) with O(log n) nodes copied by
//! the insert. Building a large map key by key (`m = map.set(k, v, m)` in a loop) therefore
//! stays `O(n log n)`; a copied `BTreeMap` made it quadratic (100,000 keys took 55 s).
//!
//! The API is the subset of `BTreeMap`'s the runtime uses, with the same meaning.

use std::borrow::Borrow;
use std::rc::Rc;

use crate::value::Value;

pub type Key = Rc<str>;

/// A large map: single-threaded sharing (values hold `Rc`s), so no atomic reference counts.
type Large = imbl::GenericOrdMap<Key, Value, imbl::shared_ptr::RcK>;

/// Entries a small map holds before it becomes a B-tree.
const SMALL_MAX: usize = 32;

#[derive(Clone, Default)]
pub struct Obj {
    repr: Repr,
}

/// Equal when the entries are (whatever the representation).
impl PartialEq for Obj {
    fn eq(&self, other: &Obj) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

#[derive(Clone)]
enum Repr {
    /// Sorted by key, keys unique.
    Small(Vec<(Key, Value)>),
    Large(Large),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Small(Vec::new())
    }
}

impl std::fmt::Debug for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    /// A map from entries already sorted by key and without duplicates (record literals).
    pub fn from_sorted(entries: Vec<(Key, Value)>) -> Obj {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        if entries.len() > SMALL_MAX {
            return Obj {
                repr: Repr::Large(entries.into_iter().collect()),
            };
        }
        Obj {
            repr: Repr::Small(entries),
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Small(v) => v.len(),
            Repr::Large(m) => m.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steps to charge for a changed copy of this map (`map.set`): a small map's entries are
    /// copied; a large one shares all but a path of nodes.
    pub fn copy_cost(&self) -> u64 {
        match &self.repr {
            Repr::Small(v) => v.len() as u64,
            Repr::Large(m) => u64::from(usize::BITS - m.len().leading_zeros()),
        }
    }

    fn position<Q>(entries: &[(Key, Value)], key: &Q) -> Result<usize, usize>
    where
        Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&Value>
    where
        Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &self.repr {
            Repr::Small(v) => Self::position(v, key).ok().map(|i| &v[i].1),
            Repr::Large(m) => m.get(key),
        }
    }

    /// `get` for a record field: tries pointer equality first (keys of record literals and
    /// field accesses share the module's interned strings).
    #[inline]
    pub fn field(&self, key: &Key) -> Option<&Value> {
        if let Repr::Small(v) = &self.repr {
            if let Some((_, value)) = v.iter().find(|(k, _)| Rc::ptr_eq(k, key)) {
                return Some(value);
            }
        }
        self.get(&**key)
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut Value>
    where
        Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &mut self.repr {
            Repr::Small(v) => match Self::position(v, key) {
                Ok(i) => Some(&mut v[i].1),
                Err(_) => None,
            },
            Repr::Large(m) => m.get_mut(key),
        }
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.get(key).is_some()
    }

    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        match &mut self.repr {
            Repr::Small(v) => match Self::position(v, &*key) {
                Ok(i) => Some(std::mem::replace(&mut v[i].1, value)),
                Err(i) => {
                    if v.len() < SMALL_MAX {
                        v.insert(i, (key, value));
                    } else {
                        let mut m: Large = std::mem::take(v).into_iter().collect();
                        m.insert(key, value);
                        self.repr = Repr::Large(m);
                    }
                    None
                }
            },
            Repr::Large(m) => m.insert(key, value),
        }
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<Value>
    where
        Key: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match &mut self.repr {
            Repr::Small(v) => match Self::position(v, key) {
                Ok(i) => Some(v.remove(i).1),
                Err(_) => None,
            },
            Repr::Large(m) => m.remove(key),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        match &self.repr {
            Repr::Small(v) => Iter::Small(v.iter()),
            Repr::Large(m) => Iter::Large(m.iter()),
        }
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }
}

/// Entries in key order.
pub enum Iter<'a> {
    Small(std::slice::Iter<'a, (Key, Value)>),
    Large(imbl::ordmap::Iter<'a, Key, Value, imbl::shared_ptr::RcK>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(i) => i.next().map(|(k, v)| (k, v)),
            Iter::Large(i) => i.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(i) => i.size_hint(),
            Iter::Large(i) => i.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(i) => i.next_back().map(|(k, v)| (k, v)),
            Iter::Large(i) => i.next_back(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Obj {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Owned entries in key order.
pub enum IntoIter {
    Small(std::vec::IntoIter<(Key, Value)>),
    Large(imbl::ordmap::ConsumingIter<Key, Value, imbl::shared_ptr::RcK>),
}

impl Iterator for IntoIter {
    type Item = (Key, Value);

    fn next(&mut self) -> Option<(Key, Value)> {
        match self {
            IntoIter::Small(i) => i.next(),
            IntoIter::Large(i) => i.next(),
        }
    }
}

impl IntoIterator for Obj {
    type Item = (Key, Value);
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        match self.repr {
            Repr::Small(v) => IntoIter::Small(v.into_iter()),
            Repr::Large(m) => IntoIter::Large(m.into_iter()),
        }
    }
}

impl FromIterator<(Key, Value)> for Obj {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(iter: I) -> Obj {
        let mut obj = Obj::new();
        obj.extend(iter);
        obj
    }
}

impl Extend<(Key, Value)> for Obj {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_maps_stay_sorted_and_grow_into_trees() {
        let mut m = Obj::new();
        for i in (0..100).rev() {
            assert_eq!(m.insert(Key::from(format!("k{i:03}")), Value::Int(i)), None);
            if i == 50 {
                assert!(matches!(m.repr, Repr::Large(_)));
            }
        }
        assert_eq!(m.len(), 100);
        let keys: Vec<String> = m.keys().map(|k| k.to_string()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(m.get("k042").and_then(Value::as_i64), Some(42));
        assert_eq!(m.remove("k042").and_then(|v| v.as_i64()), Some(42));
        assert!(!m.contains_key("k042"));
    }

    #[test]
    fn small_and_large_maps_with_the_same_entries_are_equal_in_content() {
        let small: Obj = (0..3)
            .map(|i| (Key::from(i.to_string()), Value::Int(i)))
            .collect();
        let mut replaced = small.clone();
        assert_eq!(
            replaced
                .insert(Key::from("1"), Value::Int(7))
                .and_then(|v| v.as_i64()),
            Some(1)
        );
        assert_eq!(replaced.get("1").and_then(Value::as_i64), Some(7));
        assert_eq!(small.iter().count(), 3);
        let field = Key::from("2");
        assert_eq!(small.field(&field).and_then(Value::as_i64), Some(2));
    }
}
