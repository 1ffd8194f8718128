//! The VM's register file: one fixed reservation of address space that never moves, so the
//! interpreter can keep raw pointers into it across calls.
//!
//! On Unix the reservation is an anonymous `MAP_NORESERVE` mapping of its own: the kernel
//! commits pages as frames first touch them and takes them back at `munmap`. Taken from the
//! global allocator instead (a `Vec` with the full capacity), the 128 MiB made mimalloc commit
//! and then purge an arena's worth of memory, ~0.3 ms and ~40 page faults of every `mixc run`.
//! Elsewhere it comes from the global allocator, as before.

use crate::value::Value;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

pub struct RegisterFile {
    base: NonNull<Value>,
    /// Registers `..len` hold values; the rest of the reservation is untouched.
    len: usize,
    capacity: usize,
    /// Whether `base` came from `mmap` (else from the global allocator).
    mapped: bool,
}

impl RegisterFile {
    /// Reserves room for `capacity` registers, none of them in use yet.
    pub fn with_capacity(capacity: usize) -> RegisterFile {
        let capacity = capacity.max(1);
        let bytes = Self::layout(capacity).size();
        match map(bytes) {
            Some(base) => RegisterFile {
                base: base.cast(),
                len: 0,
                capacity,
                mapped: true,
            },
            None => {
                // SAFETY: the layout has a non-zero size.
                let p = unsafe { std::alloc::alloc(Self::layout(capacity)) };
                let base = NonNull::new(p.cast::<Value>())
                    .unwrap_or_else(|| std::alloc::handle_alloc_error(Self::layout(capacity)));
                RegisterFile {
                    base,
                    len: 0,
                    capacity,
                    mapped: false,
                }
            }
        }
    }

    fn layout(capacity: usize) -> std::alloc::Layout {
        std::alloc::Layout::array::<Value>(capacity).expect("register file size")
    }

    /// The first register. Stays valid (and the same) for the file's whole life, beyond `len`
    /// too: the interpreter derives frame pointers from it before a call grows the file.
    pub fn as_mut_ptr(&mut self) -> *mut Value {
        self.base.as_ptr()
    }

    /// Makes registers `..new_len` exist (new ones `undefined`); never shrinks.
    pub fn grow_to(&mut self, new_len: usize) {
        assert!(new_len <= self.capacity, "register file overflow");
        while self.len < new_len {
            // SAFETY: `len < capacity`, inside the reservation; the slot is uninitialised.
            unsafe { self.base.as_ptr().add(self.len).write(Value::Undefined) };
            self.len += 1;
        }
    }
}

impl Deref for RegisterFile {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        // SAFETY: registers `..len` are initialised and owned by this file.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr(), self.len) }
    }
}

impl DerefMut for RegisterFile {
    fn deref_mut(&mut self) -> &mut [Value] {
        // SAFETY: as in `deref`, and `&mut self` makes the access unique.
        unsafe { std::slice::from_raw_parts_mut(self.base.as_ptr(), self.len) }
    }
}

impl Drop for RegisterFile {
    fn drop(&mut self) {
        // SAFETY: registers `..len` are initialised; the reservation is released once, the
        // way it was obtained.
        unsafe {
            std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(
                self.base.as_ptr(),
                self.len,
            ));
            let layout = Self::layout(self.capacity);
            if self.mapped {
                unmap(self.base.cast(), layout.size());
            } else {
                std::alloc::dealloc(self.base.as_ptr().cast(), layout);
            }
        }
    }
}

#[cfg(unix)]
fn map(bytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping at an address of the kernel's choosing.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        None
    } else {
        NonNull::new(p.cast())
    }
}

#[cfg(unix)]
unsafe fn unmap(base: NonNull<u8>, bytes: usize) {
    // SAFETY (caller): `base` and `bytes` are a mapping made by `map`.
    unsafe { libc::munmap(base.as_ptr().cast(), bytes) };
}

#[cfg(not(unix))]
fn map(_bytes: usize) -> Option<NonNull<u8>> {
    None
}

#[cfg(not(unix))]
unsafe fn unmap(_base: NonNull<u8>, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn grows_with_undefined_and_keeps_its_base() {
        let mut regs = RegisterFile::with_capacity(1 << 20);
        let base = regs.as_mut_ptr();
        assert_eq!(regs.len(), 0);
        regs.grow_to(3);
        assert!(regs.iter().all(|v| matches!(v, Value::Undefined)));
        regs[1] = Value::Int(7);
        regs.grow_to(1 << 19);
        assert_eq!(regs.as_mut_ptr(), base);
        assert!(matches!(regs[1], Value::Int(7)));
        assert!(matches!(regs[(1 << 19) - 1], Value::Undefined));
        regs.grow_to(2);
        assert_eq!(regs.len(), 1 << 19, "never shrinks");
    }

    #[test]
    fn drops_the_values_it_holds() {
        let shared = Rc::new(String::from("held"));
        {
            let mut regs = RegisterFile::with_capacity(16);
            regs.grow_to(4);
            regs[2] = Value::Str(shared.clone());
            assert_eq!(Rc::strong_count(&shared), 2);
        }
        assert_eq!(Rc::strong_count(&shared), 1);
    }

    #[test]
    #[should_panic(expected = "register file overflow")]
    fn refuses_to_grow_past_its_capacity() {
        RegisterFile::with_capacity(4).grow_to(5);
    }
}
