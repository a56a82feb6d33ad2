//! `demo-proxy`: forwards every message to the program given at init with
//! `send_bytes_for_reply(..).await` and replies with that program's answer. Exercises the async
//! runtime: the handle waits for the reply, `handle_reply` wakes it, the handle resumes.
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::{msg, ActorId};

    static mut DESTINATION: ActorId = ActorId::zero();

    #[unsafe(no_mangle)]
    extern "C" fn init() {
        let destination: [u8; 32] = msg::load().expect("init payload must be a 32-byte ActorId");
        // SAFETY: a Gear program runs one message at a time.
        unsafe { DESTINATION = ActorId::from(destination) };
    }

    #[gstd::async_main]
    async fn main() {
        let payload = msg::load_bytes().expect("failed to read the message");
        // SAFETY: a Gear program runs one message at a time.
        let destination = unsafe { DESTINATION };
        let answer = msg::send_bytes_for_reply(destination, payload, 0, 0)
            .expect("failed to send")
            .await
            .expect("the destination failed");
        msg::reply_bytes(answer, 0).expect("failed to reply");
    }
}
