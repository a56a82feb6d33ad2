//! `demo-sails`: a `sails-rs` 2.0 program with one service, `Counter`: the command `Add(value)`
//! adds to a total and returns it, the query `Value()` returns it. Messages use Sails' header
//! (`GM`, version, interface id, entry id, route) followed by SCALE arguments.
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

/// The program: a total, exposed through the `Counter` service.
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

    /// The `Counter` service.
    pub fn counter(&self) -> Counter<'_> {
        Counter { total: &self.total }
    }
}

/// The built program.
#[cfg(not(target_arch = "wasm32"))]
pub mod code {
    include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}
