//! `demo-value`: sends half of the value it receives back to the sender in a new message and
//! replies with the value it then has available (`gr_value_available`, SCALE `u128`).
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::{exec, msg};

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let half = msg::value() / 2;
        msg::send_bytes(msg::source(), b"half back", half).expect("failed to send value");
        msg::reply(exec::value_available(), 0).expect("failed to reply");
    }
}
