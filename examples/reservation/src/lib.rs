//! `demo-reservation`: `reserve` reserves 1,000,000,000 gas for 100 blocks and replies with the
//! reservation id; `send` sends `from reservation` to the sender with the reservation's gas;
//! `unreserve` unreserves it and replies with the amount (SCALE `u64`).
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::{msg, Reservation};

    static mut RESERVATION: Option<Reservation> = None;

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let command = msg::load_bytes().expect("failed to read the message");
        // SAFETY: a Gear program runs one message at a time.
        let slot = unsafe { &mut *core::ptr::addr_of_mut!(RESERVATION) };
        match command.as_slice() {
            b"reserve" => {
                let reservation =
                    Reservation::reserve(1_000_000_000, 100).expect("failed to reserve");
                msg::reply(reservation.id(), 0).expect("failed to reply");
                *slot = Some(reservation);
            }
            b"send" => {
                let reservation = slot.take().expect("nothing reserved");
                msg::send_bytes_from_reservation(
                    reservation.id(),
                    msg::source(),
                    b"from reservation",
                    0,
                )
                .expect("failed to send from the reservation");
                msg::reply_bytes(b"sent", 0).expect("failed to reply");
            }
            b"unreserve" => {
                let reservation = slot.take().expect("nothing reserved");
                let amount = reservation.unreserve().expect("failed to unreserve");
                msg::reply(amount, 0).expect("failed to reply");
            }
            _ => panic!("unknown command"),
        }
    }
}
