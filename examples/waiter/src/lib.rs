//! `demo-waiter`: `wait`, `wait_for 5`, `wait_up_to 5` put the message in the waitlist (it replies
//! `resumed` when it runs again); `wake` wakes the waiting message and replies `woke`.
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::{exec, msg, MessageId};

    /// The message that waits, if any.
    static mut WAITING: Option<MessageId> = None;

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let command = msg::load_bytes().expect("failed to read the message");
        let id = msg::id();
        // SAFETY: a Gear program runs one message at a time.
        let waiting = unsafe { WAITING };
        match command.as_slice() {
            b"wake" => {
                let target = waiting.expect("nothing waits");
                exec::wake(target).expect("failed to wake");
                msg::reply_bytes(b"woke", 0).expect("failed to reply");
            }
            _ if waiting == Some(id) => {
                // SAFETY: as above.
                unsafe { WAITING = None };
                msg::reply_bytes(b"resumed", 0).expect("failed to reply");
            }
            command => {
                // SAFETY: as above.
                unsafe { WAITING = Some(id) };
                match command {
                    b"wait" => exec::wait(),
                    b"wait_for" => exec::wait_for(5),
                    b"wait_up_to" => exec::wait_up_to(5),
                    _ => panic!("unknown command"),
                }
            }
        }
    }
}
