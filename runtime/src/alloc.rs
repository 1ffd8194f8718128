//! A counting global allocator over mimalloc: the VM's memory cap reads the live byte count
//! from it. A binary that wants memory limits installs it (`#[global_allocator] static A:
//! CountingAlloc = …`); without it `live_bytes()` stays 0 and the cap cannot trigger.

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc as System;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

pub struct CountingAlloc;

extern "C" {
    fn mi_malloc(size: usize) -> *mut u8;
    fn mi_zalloc(size: usize) -> *mut u8;
    fn mi_realloc(ptr: *mut u8, new_size: usize) -> *mut u8;
    fn mi_free(ptr: *mut u8);
}

/// mimalloc's `MI_MAX_ALIGN_SIZE`: every block it hands out is aligned to this.
const NATURAL_ALIGN: usize = 16;

/// Whether mimalloc's plain entry points serve `layout`. The `mimalloc` crate's allocator
/// always takes the aligned path, which costs a few percent of a parse; nearly every Rust
/// allocation is aligned to 16 or less.
fn natural(layout: Layout) -> bool {
    layout.align() <= NATURAL_ALIGN
}

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        if natural(layout) {
            unsafe { mi_malloc(layout.size()) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // `mi_free` frees aligned blocks too.
        unsafe { mi_free(ptr) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        if natural(layout) {
            unsafe { mi_zalloc(layout.size()) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        INSTALLED.store(true, Ordering::Relaxed);
        if new_size >= layout.size() {
            LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        if natural(layout) {
            unsafe { mi_realloc(ptr, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

/// Bytes currently allocated through the counting allocator (process-wide).
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Whether the counting allocator is the global allocator (it has seen an allocation).
pub fn installed() -> bool {
    INSTALLED.load(Ordering::Relaxed) || LIVE.load(Ordering::Relaxed) > 0
}

extern "C" {
    /// mimalloc's option setter (`mi_option_t` is a C enum, an `int`).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_arena_eager_commit` in mimalloc.h.
const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

/// Commits arena memory as it is used rather than up front: without this a small program's
/// resident size starts near 20 MiB (a whole arena), and large ones carry that slack too.
/// Call first thing in `main`.
pub fn tune() {
    unsafe { mi_option_set(ARENA_EAGER_COMMIT, 0) }
}
