//! `demo-ping`: answers `PING` with `PONG` (a gstd program, built to WASM by gear-wasm-builder).
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::msg;

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let payload = msg::load_bytes().expect("failed to read the message");
        if payload == b"PING" {
            msg::reply_bytes(b"PONG", 0).expect("failed to reply");
        }
    }
}
