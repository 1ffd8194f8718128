//! The storage behind `Value::Array`: a vector of its own, a view of part of another array's
//! vector, or a vector with room in front. Views make an array's rest (`[h, ~t]`) cost nothing
//! instead of a copy, which turns recursion over an array from quadratic time and memory into
//! linear; room in front does the same for prepending (`xs = [x] + xs`). Everything else reads
//! an array as a slice and does not know which kind it holds.

use std::ops::Deref;
use std::rc::Rc;

use crate::value::Value;

/// An immutable array, cheap to clone (a reference-count bump). Eight bytes, so `Value` stays
/// sixteen.
#[derive(Clone)]
pub struct Array(Rc<Storage>);

#[derive(Clone)]
enum Storage {
    Owned(Vec<Value>),
    /// `base[start..end]`. `base` is never a view, so reading a view is one step.
    View {
        base: Rc<Storage>,
        start: usize,
        end: usize,
    },
    /// `items[start..]`; `items[..start]` is room for prepending, filled with `undefined`.
    Spaced {
        items: Vec<Value>,
        start: usize,
    },
}

/// A part at most this long is copied: a small vector is cheaper to read and frees its base.
const SMALL_PART: usize = 8;

/// The least room a prepend makes in front of an array (then as much as the array holds).
const MIN_ROOM: usize = 8;

impl Storage {
    #[inline]
    fn as_slice(&self) -> &[Value] {
        match self {
            Storage::Owned(items) => items,
            Storage::View { base, start, end } => &base.as_slice()[*start..*end],
            Storage::Spaced { items, start } => &items[*start..],
        }
    }
}

impl Array {
    pub fn new(items: Vec<Value>) -> Array {
        Array(Rc::new(Storage::Owned(items)))
    }

    /// The vector to change in place, when this array holds it alone. Room in front is given
    /// up (the elements move to the vector's start), so a prepend after this allocates again.
    pub fn get_mut(&mut self) -> Option<&mut Vec<Value>> {
        let storage = Rc::get_mut(&mut self.0)?;
        if let Storage::Spaced { items, start } = storage {
            items.drain(..*start);
            *storage = Storage::Owned(std::mem::take(items));
        }
        match storage {
            Storage::Owned(items) => Some(items),
            Storage::View { .. } | Storage::Spaced { .. } => None,
        }
    }

    /// The vector to change, copied first unless this array holds it alone.
    pub fn make_mut(&mut self) -> &mut Vec<Value> {
        if self.get_mut().is_none() {
            *self = Array::new(self.to_vec());
        }
        match Rc::get_mut(&mut self.0) {
            Some(Storage::Owned(items)) => items,
            _ => unreachable!("a freshly copied array is owned and held once"),
        }
    }

    /// The elements as a vector of their own: moved out when this array holds them alone.
    pub fn into_vec(mut self) -> Vec<Value> {
        match self.get_mut() {
            Some(items) => std::mem::take(items),
            None => self.to_vec(),
        }
    }

    /// Whether another value holds the same storage (so changing it would copy).
    pub fn is_shared(&self) -> bool {
        Rc::strong_count(&self.0) > 1
    }

    pub fn ptr_eq(a: &Array, b: &Array) -> bool {
        Rc::ptr_eq(&a.0, &b.0)
    }

    /// The elements `from..to` (clamped to the array). A long part shares this array's
    /// vector. A part shorter than half of that vector is copied, so a view never keeps more
    /// than twice its own size alive, and recursion that takes rest after rest copies each
    /// element a bounded number of times overall (n/2 + n/4 + … < n).
    pub fn view(&self, from: usize, to: usize) -> Array {
        let to = to.min(self.len());
        let from = from.min(to);
        if from == 0 && to == self.len() {
            return self.clone();
        }
        let (base, offset) = match &*self.0 {
            Storage::Owned(_) | Storage::Spaced { .. } => (&self.0, 0),
            Storage::View { base, start, .. } => (base, *start),
        };
        let part = to - from;
        if part <= SMALL_PART || part * 2 < base.as_slice().len() {
            return Array::new(self[from..to].to_vec());
        }
        Array(Rc::new(Storage::View {
            base: base.clone(),
            start: offset + from,
            end: offset + to,
        }))
    }

    /// `front` followed by `rest`'s elements. When `rest` is held only here, `front` goes
    /// into room kept in front of its elements: the room doubles with the array when it runs
    /// out, so n prepends of one element move O(n) elements in all instead of O(n²).
    pub fn prepended(front: &[Value], mut rest: Array) -> Array {
        if front.is_empty() {
            return rest;
        }
        if let Some(Storage::Spaced { items, start }) = Rc::get_mut(&mut rest.0) {
            if *start >= front.len() {
                *start -= front.len();
                items[*start..*start + front.len()].clone_from_slice(front);
                return rest;
            }
        }
        let len = front.len() + rest.len();
        let room = len.max(MIN_ROOM);
        let mut items = Vec::with_capacity(room + len);
        items.resize(room, Value::Undefined);
        items.extend_from_slice(front);
        match rest.get_mut() {
            Some(held) => items.append(held),
            None => items.extend_from_slice(&rest),
        }
        Array(Rc::new(Storage::Spaced { items, start: room }))
    }

    /// Whether this array reads another's vector (made by [`Array::view`] without a copy).
    pub fn is_view(&self) -> bool {
        matches!(*self.0, Storage::View { .. })
    }
}

impl Deref for Array {
    type Target = [Value];

    #[inline]
    fn deref(&self) -> &[Value] {
        self.0.as_slice()
    }
}

impl From<Vec<Value>> for Array {
    fn from(items: Vec<Value>) -> Array {
        Array::new(items)
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        Array::ptr_eq(self, other) || self[..] == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(n: i64) -> Array {
        Array::new((0..n).map(Value::Int).collect())
    }

    fn as_ints(a: &Array) -> Vec<i64> {
        a.iter().map(|v| v.as_i64().unwrap()).collect()
    }

    #[test]
    fn a_long_rest_shares_its_base_and_reads_the_right_elements() {
        let all = ints(100);
        let rest = all.view(3, usize::MAX);
        assert!(rest.is_view());
        assert_eq!(as_ints(&rest), (3..100).collect::<Vec<_>>());
        // A rest of a view is a view of the same base, not a view of a view.
        let again = rest.view(10, usize::MAX);
        assert_eq!(as_ints(&again), (13..100).collect::<Vec<_>>());
        match &*again.0 {
            Storage::View { base, start, end } => {
                assert!(Rc::ptr_eq(base, &all.0));
                assert_eq!((*start, *end), (13, 100));
            }
            _ => panic!("expected a view"),
        }
    }

    #[test]
    fn short_rests_are_copied_so_a_view_never_pins_much_more_than_itself() {
        let all = ints(100);
        assert!(
            !all.view(51, usize::MAX).is_view(),
            "49 of 100 elements is under half"
        );
        assert!(all.view(50, usize::MAX).is_view());
        let small = ints(10).view(2, usize::MAX);
        assert!(!small.is_view(), "8 elements are copied");
        assert_eq!(as_ints(&small), (2..10).collect::<Vec<_>>());
        assert!(all.view(100, usize::MAX).is_empty());
        assert!(all.view(1000, 1000).is_empty());
        assert!(Array::ptr_eq(&all.view(0, usize::MAX), &all));
        // A middle part of a middle part reads through to the base.
        let middle = all.view(10, 80).view(5, 60);
        assert!(middle.is_view());
        assert_eq!(as_ints(&middle), (15..70).collect::<Vec<_>>());
        assert!(
            all.view(60, 20).is_empty(),
            "an empty range is empty, not a panic"
        );
    }

    #[test]
    fn changing_a_view_copies_and_leaves_the_base_alone() {
        let all = ints(100);
        let mut rest = all.view(1, usize::MAX);
        assert!(rest.get_mut().is_none(), "a view is never changed in place");
        rest.make_mut()[0] = Value::Int(-1);
        assert_eq!(rest[0].as_i64(), Some(-1));
        assert_eq!(all[1].as_i64(), Some(1));
        assert_eq!(rest.len(), 99);
        assert!(!rest.is_view());
    }

    #[test]
    fn an_array_held_once_is_changed_in_place_and_moved_out() {
        let mut a = ints(4);
        a.make_mut().push(Value::Int(4));
        assert_eq!(as_ints(&a), vec![0, 1, 2, 3, 4]);
        let shared = a.clone();
        assert!(a.get_mut().is_none());
        assert!(a.is_shared());
        drop(shared);
        assert!(a.get_mut().is_some());
        let v = a.into_vec();
        assert_eq!(v.len(), 5);
        assert_eq!(ints(20).view(5, usize::MAX).into_vec().len(), 15);
    }

    #[test]
    fn prepending_to_an_array_held_once_uses_the_room_in_front() {
        let mut xs = Array::new(Vec::new());
        for i in 0..1000 {
            xs = Array::prepended(&[Value::Int(i)], xs);
        }
        assert_eq!(as_ints(&xs), (0..1000).rev().collect::<Vec<_>>());
        // the vector was allocated about log2(1000) times, not 1000: the last one has room
        // for at least the elements it holds
        match &*xs.0 {
            Storage::Spaced { items, start } => assert!(items.len() - start == 1000),
            _ => panic!("expected room in front"),
        }
        // a view of it, a change and a move all see the elements, not the room
        assert_eq!(
            as_ints(&xs.view(990, usize::MAX)),
            (0..10).rev().collect::<Vec<_>>()
        );
        let tail = xs.view(1, usize::MAX);
        assert_eq!(tail[0].as_i64(), Some(998));
        drop(tail);
        xs.make_mut().push(Value::Int(-1));
        assert_eq!(xs.len(), 1001);
        assert_eq!(xs[0].as_i64(), Some(999));
        assert_eq!(xs[1000].as_i64(), Some(-1));
        assert_eq!(
            Array::prepended(&[Value::Int(7)], xs.clone())
                .into_vec()
                .len(),
            1002
        );
    }

    #[test]
    fn prepending_to_a_shared_array_leaves_it_alone() {
        let xs = Array::prepended(&[Value::Int(1)], ints(3));
        let held = xs.clone();
        let ys = Array::prepended(&[Value::Int(9)], xs);
        assert_eq!(as_ints(&ys), vec![9, 1, 0, 1, 2]);
        assert_eq!(as_ints(&held), vec![1, 0, 1, 2]);
        let moved = Array::prepended(&[], held.clone());
        assert!(Array::ptr_eq(&moved, &held));
    }

    #[test]
    fn equality_compares_elements_whatever_the_storage() {
        let all = ints(40);
        assert!(all.view(20, usize::MAX) == Array::new((20..40).map(Value::Int).collect()));
        assert!(all.view(20, usize::MAX) != all.view(19, usize::MAX));
    }
}
