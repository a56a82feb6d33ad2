//! # gear-examples
//!
//! The Gear programs used by tests, benchmarks and users, as WASM bytes.
//!
//! gstd programs (`demo-*` crates) are built to WASM by `gear-wasm-builder` from their build
//! scripts; hand-written WAT programs in `wat/` are assembled here. The `export` binary writes
//! every example to a directory (the end-to-end test uploads them from there).

/// `demo-ping`: answers `PING` with `PONG`.
pub fn ping() -> &'static [u8] {
    demo_ping::WASM_BINARY_OPT
}

/// `demo-counter`: adds each SCALE `u64` to a persisted total and replies with the total.
pub fn counter() -> &'static [u8] {
    demo_counter::WASM_BINARY_OPT
}

/// `demo-proxy`: forwards each message to the program given at init and replies with its
/// answer (`send_bytes_for_reply(..).await`).
pub fn proxy() -> &'static [u8] {
    demo_proxy::WASM_BINARY_OPT
}

/// `demo-waiter`: `wait`, `wait_for`, `wait_up_to`, `wake`.
pub fn waiter() -> &'static [u8] {
    demo_waiter::WASM_BINARY_OPT
}

/// `demo-factory`: creates a program from the `CodeId` it receives.
pub fn factory() -> &'static [u8] {
    demo_factory::WASM_BINARY_OPT
}

/// `demo-value`: sends half the value it receives back and replies with its available value.
pub fn value() -> &'static [u8] {
    demo_value::WASM_BINARY_OPT
}

/// `demo-reservation`: `reserve`, `send` (from the reservation), `unreserve`.
pub fn reservation() -> &'static [u8] {
    demo_reservation::WASM_BINARY_OPT
}

/// `demo-signal`: reserves gas for a signal, panics, and reports the signal code from
/// `handle_signal`.
pub fn signal() -> &'static [u8] {
    demo_signal::WASM_BINARY_OPT
}

/// `demo-failures`: `panic`, `loop` (out of gas), `recurse` (stack overflow), `oom`.
pub fn failures() -> &'static [u8] {
    demo_failures::WASM_BINARY_OPT
}

/// `demo-sails`: a `sails-rs` program with a `Counter` service (`Add`, `Value`).
pub fn sails() -> &'static [u8] {
    demo_sails::code::WASM_BINARY_OPT
}

/// A program whose `handle` loops forever (runs out of gas at exactly its limit).
pub fn infinite_loop() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/infinite_loop.wat")).expect("infinite_loop.wat is valid")
}

/// A module importing `env.gr_steal_funds`, which is no Gear syscall (refused at upload).
pub fn unknown_import() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/unknown_import.wat")).expect("unknown_import.wat is valid")
}

/// Every example by file name, as the `export` binary writes them.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("ping.wasm", ping().to_vec()),
        ("counter.wasm", counter().to_vec()),
        ("proxy.wasm", proxy().to_vec()),
        ("waiter.wasm", waiter().to_vec()),
        ("factory.wasm", factory().to_vec()),
        ("value.wasm", value().to_vec()),
        ("reservation.wasm", reservation().to_vec()),
        ("signal.wasm", signal().to_vec()),
        ("failures.wasm", failures().to_vec()),
        ("sails.wasm", sails().to_vec()),
        ("infinite_loop.wasm", infinite_loop()),
        ("unknown_import.wasm", unknown_import()),
    ]
}
