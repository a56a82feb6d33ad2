//! `demo-signal`: `handle` reserves 1,000,000,000 gas for a signal (`gr_system_reserve_gas`)
//! and panics; `handle_signal` then tells the program's creator the signal code (`u32` LE) of
//! the failed message.
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::{exec, msg, ActorId};

    static mut OWNER: ActorId = ActorId::zero();

    #[unsafe(no_mangle)]
    extern "C" fn init() {
        // SAFETY: a Gear program runs one message at a time.
        unsafe { OWNER = msg::source() };
    }

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        exec::system_reserve_gas(1_000_000_000).expect("failed to reserve gas for a signal");
        panic!("handle failed on purpose");
    }

    #[unsafe(no_mangle)]
    extern "C" fn handle_signal() {
        let code = msg::signal_code()
            .expect("handle_signal runs with a signal code")
            .map(|code| code.to_u32())
            .unwrap_or(u32::MAX);
        // SAFETY: as above.
        let owner = unsafe { OWNER };
        msg::send_bytes(owner, code.to_le_bytes(), 0).expect("failed to report the signal");
    }
}
