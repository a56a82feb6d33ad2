//! `demo-sails`: a `sails-rs` 2.0 program with two services. `Counter`: the command `Add(value)`
//! adds to a total and returns it, the query `Value()` returns it. `Relay`: the command
//! `Ask(program, payload)` sends `payload` to another program and returns its reply (an async
//! call: the message waits until the reply wakes it). Messages use Sails' header (`GM`,
//! version, interface id, entry id, route) followed by SCALE arguments.
//!
//! On the host this crate exposes the built program as `code::WASM_BINARY_OPT`.
#![no_std]

use sails_rs::{cell::RefCell, prelude::*};

/// The `Counter` service over the program's total.
pub struct Counter<'a> {
    total: &'a RefCell<u32>,
}

#[service]
impl Counter<'_> {
    /// Adds `value` to the total and returns the new total.
    #[export]
    pub fn add(&mut self, value: u32) -> u32 {
        let mut total = self.total.borrow_mut();
        *total = total.saturating_add(value);
        *total
    }

    /// The total.
    #[export]
    pub fn value(&self) -> u32 {
        *self.total.borrow()
    }
}

/// The `Relay` service: calls other programs.
pub struct Relay;

#[service]
impl Relay {
    /// Sends `payload` to `program` and returns its reply.
    #[export]
    pub async fn ask(&mut self, program: ActorId, payload: Vec<u8>) -> Vec<u8> {
        sails_rs::gstd::msg::send_bytes_for_reply(program, payload, 0, 0)
            .expect("failed to send")
            .await
            .expect("the program failed")
    }
}

/// The program: a total, exposed through the `Counter` service, and the `Relay` service.
pub struct CounterProgram {
    total: RefCell<u32>,
}

#[program]
impl CounterProgram {
    /// Starts at zero.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self {
            total: RefCell::new(0),
        }
    }

    /// The `Counter` service (route 1).
    pub fn counter(&self) -> Counter<'_> {
        Counter { total: &self.total }
    }

    /// The `Relay` service (route 2).
    pub fn relay(&self) -> Relay {
        Relay
    }
}

/// The Sails header of `Relay::Ask` (interface `Relay`, entry 0, route 2).
#[cfg(not(target_arch = "wasm32"))]
pub fn relay_ask_header() -> Vec<u8> {
    sails_rs::meta::SailsMessageHeader::v1(
        <Relay as sails_rs::meta::Identifiable>::INTERFACE_ID,
        0,
        2,
    )
    .to_bytes()
}

/// `Relay::Ask(program, payload)` as a message (Sails header, then SCALE arguments).
#[cfg(not(target_arch = "wasm32"))]
pub fn relay_ask(program: [u8; 32], payload: Vec<u8>) -> Vec<u8> {
    let mut message = relay_ask_header();
    message.extend((ActorId::from(program), payload).encode());
    message
}

/// The reply to `Relay::Ask`: the other program's reply (after the Sails header).
#[cfg(not(target_arch = "wasm32"))]
pub fn relay_answer(reply: &[u8]) -> Option<Vec<u8>> {
    Vec::<u8>::decode(&mut reply.get(relay_ask_header().len()..)?).ok()
}

/// The built program.
#[cfg(not(target_arch = "wasm32"))]
pub mod code {
    include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}
