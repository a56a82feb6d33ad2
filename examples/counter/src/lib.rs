//! `demo-counter`: adds each SCALE-encoded `u64` it receives to a total kept in a `static` and
//! replies with the new total (SCALE `u64`). Exercises persisted program memory.
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::msg;

    static mut TOTAL: u64 = 0;

    #[unsafe(no_mangle)]
    extern "C" fn init() {
        // An optional initial total.
        if msg::size() > 0 {
            let start: u64 = msg::load().expect("init payload must be a SCALE u64");
            // SAFETY: a Gear program runs one message at a time; nothing else touches TOTAL.
            unsafe { TOTAL = start };
        }
    }

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let amount: u64 = msg::load().expect("payload must be a SCALE u64");
        // SAFETY: a Gear program runs one message at a time; nothing else touches TOTAL.
        let total = unsafe {
            TOTAL = TOTAL.checked_add(amount).expect("counter overflow");
            TOTAL
        };
        msg::reply(total, 0).expect("failed to reply");
    }
}
