//! `demo-factory`: creates a program from the 32-byte `CodeId` it receives (salt: the message
//! id, init payload empty) and replies with the new program's id.
//!
//! On the host this crate exposes the built program as `WASM_BINARY` / `WASM_BINARY_OPT`.
#![no_std]

#[cfg(not(target_arch = "wasm32"))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gstd::{msg, prog, CodeId};

    #[unsafe(no_mangle)]
    extern "C" fn handle() {
        let code_id: [u8; 32] = msg::load().expect("payload must be a 32-byte CodeId");
        let salt = msg::id();
        let (_, program_id) =
            prog::create_program_bytes(CodeId::from(code_id), salt.as_ref(), b"", 0)
                .expect("failed to create the program");
        msg::reply(program_id, 0).expect("failed to reply");
    }
}
