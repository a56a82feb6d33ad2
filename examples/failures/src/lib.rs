//! `demo-failures`: fails on command. `panic` panics with a message; `loop` never ends (runs
//! out of gas); `recurse` recurses without bound (stack overflow); `oom` asks the allocator for
//! more memory than a program can have and, when refused, calls `gr_oom_panic` as gstd's
//! out-of-memory handler does.
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    extern crate alloc;
    use gstd::msg;

    fn recurse(depth: u64) -> u64 {
        // black_box keeps the recursion (and its frames) from being optimised away.
        core::hint::black_box(recurse(core::hint::black_box(depth + 1))) + 1
    }

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let command = msg::load_bytes().expect("failed to read the message");
        match command.as_slice() {
            b"panic" => panic!("failed on purpose"),
            b"loop" => {
                let mut i: u64 = 0;
                loop {
                    i = core::hint::black_box(i.wrapping_add(1));
                }
            }
            b"recurse" => {
                recurse(0);
            }
            b"oom" => {
                // 64 MiB: more than a program's memory can grow to.
                let layout = core::alloc::Layout::from_size_align(64 << 20, 8).expect("layout");
                // SAFETY: a non-zero-sized layout.
                // black_box: the allocation must happen, not be optimised out.
                let ptr = core::hint::black_box(unsafe { alloc::alloc::alloc(layout) });
                if ptr.is_null() {
                    gstd::ext::oom_panic();
                }
            }
            _ => {}
        }
        msg::reply_bytes(b"survived", 0).expect("failed to reply");
    }
}
