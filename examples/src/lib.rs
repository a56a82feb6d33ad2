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
        ("infinite_loop.wasm", infinite_loop()),
        ("unknown_import.wasm", unknown_import()),
    ]
}
