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

/// `Relay::Ask(program, payload)` for the `sails` example (route 2): it sends `payload` to
/// `program` and replies with the answer.
pub fn sails_relay_ask(program: [u8; 32], payload: Vec<u8>) -> Vec<u8> {
    demo_sails::relay_ask(program, payload)
}

/// The other program's answer in the `sails` example's reply to `Relay::Ask`.
pub fn sails_relay_answer(reply: &[u8]) -> Option<Vec<u8>> {
    demo_sails::relay_answer(reply)
}

/// The Sails header of the `sails` example's `Relay::Ask` (the end-to-end test builds the
/// message from it).
pub fn sails_relay_header() -> Vec<u8> {
    demo_sails::relay_ask_header()
}

/// A program whose `handle` loops forever (runs out of gas at exactly its limit).
pub fn infinite_loop() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/infinite_loop.wat")).expect("infinite_loop.wat is valid")
}

/// A module importing `env.gr_steal_funds`, which is no Gear syscall (refused at upload).
pub fn unknown_import() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/unknown_import.wat")).expect("unknown_import.wat is valid")
}

/// A program that sends `delayed` back to its sender 3 blocks later (`gr_send` with a delay).
pub fn delayed() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/delayed.wat")).expect("delayed.wat is valid")
}

/// A program that exits (`gr_exit`) on any message, leaving its balance to the sender.
pub fn exit() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/exit.wat")).expect("exit.wat is valid")
}

/// A program that sends three messages (`one`, `two`, `three`) to its sender.
pub fn fanout() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/fanout.wat")).expect("fanout.wat is valid")
}

/// `code` with a custom section of `pad` zero bytes appended (a valid module of any size, for
/// size limits).
pub fn with_custom_section(mut code: Vec<u8>, pad: usize) -> Vec<u8> {
    code.push(0);
    let mut len = pad as u32 + 2;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            code.push(byte);
            break;
        }
        code.push(byte | 0x80);
    }
    code.extend_from_slice(&[1, b'x']);
    code.extend(std::iter::repeat_n(0, pad));
    code
}

/// A program that waits on an empty message and exits (sender inheriting) on any other.
pub fn wait_or_exit() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/wait_or_exit.wat")).expect("wait_or_exit.wat is valid")
}

/// A program with Gear's informational `state` and `metahash` exports: `handle` keeps the
/// payload as a note, `state` replies note ++ its input, `metahash` replies 32 bytes of 0x11.
pub fn notes() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/notes.wat")).expect("notes.wat is valid")
}

/// A program holding `gear_pages` 16 KiB pages of state: its `init` writes a different word
/// into each (so each is stored, and no two are alike), its `handle` does nothing (Gear's auto reply answers). All its memory is
/// persisted (no stack end), so every message to it loads them all.
pub fn holder(gear_pages: u32) -> Vec<u8> {
    let wasm_pages = gear_pages.div_ceil(4).max(1);
    let bytes = gear_pages * 16 * 1024;
    wat::parse_str(format!(
        r#"(module
          (import "env" "memory" (memory {wasm_pages}))
          (export "init" (func $init))
          (export "handle" (func $handle))
          (func $init (local $p i32)
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $p) (i32.const {bytes})))
                (i32.store (local.get $p) (i32.add (local.get $p) (i32.const 1)))
                (local.set $p (i32.add (local.get $p) (i32.const 16384)))
                (br $next))))
          (func $handle))"#
    ))
    .expect("the holder module is valid")
}

/// A program whose `handle` grows its memory by `wasm_pages` (Gear's `alloc`), writes a word into
/// every 16 KiB page of it and frees it all again (`free_range`): memory grown and freed on every
/// message, none of it kept.
pub fn churn(wasm_pages: u32) -> Vec<u8> {
    let bytes = wasm_pages * 64 * 1024;
    let last = wasm_pages - 1;
    wat::parse_str(format!(
        r#"(module
          (import "env" "memory" (memory 1))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (import "env" "free_range" (func $free_range (param i32 i32) (result i32)))
          (export "init" (func $init))
          (export "handle" (func $handle))
          (func $init)
          (func $handle (local $first i32) (local $p i32) (local $end i32)
            (local.set $first (call $alloc (i32.const {wasm_pages})))
            (local.set $p (i32.mul (local.get $first) (i32.const 65536)))
            (local.set $end (i32.add (local.get $p) (i32.const {bytes})))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
                (i32.store (local.get $p) (i32.const 1))
                (local.set $p (i32.add (local.get $p) (i32.const 16384)))
                (br $next)))
            (drop (call $free_range (local.get $first)
              (i32.add (local.get $first) (i32.const {last}))))))"#
    ))
    .expect("the churn module is valid")
}

/// A program that keeps state on request: a message of two bytes or more makes its `handle`
/// allocate `wasm_pages` (Gear's `alloc`) and write a word into every 16 KiB page of them (all
/// kept, besides the page at address 0 holding where they start); an empty message frees them
/// (`free_range`); a message of one byte makes it exit (`gr_exit`, its sender inheriting).
pub fn hoarder(wasm_pages: u32) -> Vec<u8> {
    let bytes = wasm_pages * 64 * 1024;
    let last = wasm_pages - 1;
    wat::parse_str(format!(
        r#"(module
          (import "env" "memory" (memory 1))
          (import "env" "gr_size" (func $gr_size (param i32)))
          (import "env" "gr_source" (func $gr_source (param i32)))
          (import "env" "gr_exit" (func $gr_exit (param i32)))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (import "env" "free_range" (func $free_range (param i32 i32) (result i32)))
          (export "init" (func $init))
          (export "handle" (func $handle))
          (func $init)
          ;; [0..4) payload size, [4..8) first allocated page, [32..64) the sender.
          (func $handle (local $first i32) (local $p i32) (local $end i32)
            (call $gr_size (i32.const 0))
            (if (i32.eqz (i32.load (i32.const 0)))
              (then
                (local.set $first (i32.load (i32.const 4)))
                (drop (call $free_range (local.get $first)
                  (i32.add (local.get $first) (i32.const {last}))))
                (return)))
            (if (i32.eq (i32.load (i32.const 0)) (i32.const 1))
              (then
                (call $gr_source (i32.const 32))
                (call $gr_exit (i32.const 32))))
            (local.set $first (call $alloc (i32.const {wasm_pages})))
            (i32.store (i32.const 4) (local.get $first))
            (local.set $p (i32.mul (local.get $first) (i32.const 65536)))
            (local.set $end (i32.add (local.get $p) (i32.const {bytes})))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
                (i32.store (local.get $p) (local.get $p))
                (local.set $p (i32.add (local.get $p) (i32.const 16384)))
                (br $next)))))"#
    ))
    .expect("the hoarder module is valid")
}

/// A program that holds gas reservations: a message whose first byte is 0 (or an empty one)
/// makes its `handle` reserve gas `count` times (`gr_reserve_gas`, kept); 1 makes it exit
/// (`gr_exit`, its sender inheriting), removing the reservations it holds; 2 makes it reserve
/// `count` times and then exit, removing them in the same dispatch.
pub fn reserver(count: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
          (import "env" "memory" (memory 1))
          (import "env" "gr_read" (func $gr_read (param i32 i32 i32 i32)))
          (import "env" "gr_size" (func $gr_size (param i32)))
          (import "env" "gr_source" (func $gr_source (param i32)))
          (import "env" "gr_exit" (func $gr_exit (param i32)))
          (import "env" "gr_reserve_gas" (func $gr_reserve_gas (param i64 i32 i32)))
          (export "init" (func $init))
          (export "handle" (func $handle))
          (func $init)
          ;; [0..4) payload size, [4..8) the read's error, [8] the first byte, [32..64) the
          ;; sender, [64..100) a reservation's result.
          (func $handle (local $i i32) (local $op i32)
            (call $gr_size (i32.const 0))
            (if (i32.gt_u (i32.load (i32.const 0)) (i32.const 0))
              (then
                (call $gr_read (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 4))
                (local.set $op (i32.load8_u (i32.const 8)))))
            (if (i32.ne (local.get $op) (i32.const 1))
              (then
                (local.set $i (i32.const {count}))
                (block $done
                  (loop $next
                    (br_if $done (i32.eqz (local.get $i)))
                    (call $gr_reserve_gas (i64.const 1000000) (i32.const 1000) (i32.const 64))
                    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                    (br $next)))))
            (if (i32.ge_u (local.get $op) (i32.const 1))
              (then
                (call $gr_source (i32.const 32))
                (call $gr_exit (i32.const 32))))))"#
    ))
    .expect("the reserver module is valid")
}

/// A program with `wasm_pages` of memory whose `handle` writes a new word into every 16 KiB
/// page (a message counter plus the page's offset and the program's id): each message changes,
/// and so stores, all of its pages, and no two pages anywhere hold the same content.
pub fn page_writer(wasm_pages: u32) -> Vec<u8> {
    let bytes = wasm_pages * 64 * 1024;
    wat::parse_str(format!(
        r#"(module
          (import "env" "memory" (memory {wasm_pages}))
          (import "env" "gr_program_id" (func $gr_program_id (param i32)))
          (export "init" (func $init))
          (export "handle" (func $handle))
          (func $init)
          (func $handle (local $p i32) (local $v i32)
            (call $gr_program_id (i32.const 16))
            (local.set $v (i32.add (i32.load (i32.const 0)) (i32.const 1)))
            (i32.store (i32.const 0) (local.get $v))
            (local.set $v (i32.add (local.get $v) (i32.load (i32.const 16))))
            (local.set $p (i32.const 16384))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $p) (i32.const {bytes})))
                (i32.store (local.get $p) (i32.add (local.get $v) (local.get $p)))
                (local.set $p (i32.add (local.get $p) (i32.const 16384)))
                (br $next)))))"#
    ))
    .expect("the page writer module is valid")
}

/// A program whose `handle` sends `send` bytes to its sender and replies with `reply` bytes,
/// each payload starting with a message counter (so no two are alike): the most output one
/// message can make with the runtime's send and payload limits.
pub fn blaster(send: u32, reply: u32) -> Vec<u8> {
    let wasm_pages = send.max(reply).div_ceil(64 * 1024) + 2;
    wat::parse_str(format!(
        r#"(module
          (import "env" "memory" (memory {wasm_pages}))
          (import "env" "gr_source" (func $gr_source (param i32)))
          (import "env" "gr_send" (func $gr_send (param i32 i32 i32 i32 i32)))
          (import "env" "gr_reply" (func $gr_reply (param i32 i32 i32 i32)))
          (export "init" (func $init))
          (export "handle" (func $handle))
          (func $init)
          (func $handle (local $n i32)
            ;; [0..32) destination, [32..48) value 0, [48..52) counter, [64..100) error and id.
            (local.set $n (i32.add (i32.load (i32.const 48)) (i32.const 1)))
            (i32.store (i32.const 48) (local.get $n))
            (i32.store (i32.const 65536) (local.get $n))
            (call $gr_source (i32.const 0))
            (call $gr_send (i32.const 0) (i32.const 65536) (i32.const {send}) (i32.const 0)
              (i32.const 64))
            (i32.store (i32.const 65540) (i32.const -1))
            (call $gr_reply (i32.const 65536) (i32.const {reply}) (i32.const -1) (i32.const 64))))"#
    ))
    .expect("the blaster module is valid")
}

/// A program that replies to every message with its payload (up to 128 KiB).
pub fn echo() -> Vec<u8> {
    wat::parse_str(include_str!("../wat/echo.wat")).expect("echo.wat is valid")
}

/// Every example by file name, as the `export` binary writes them (`.wasm` programs, and the
/// `.bin` data tests need with them).
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
        ("delayed.wasm", delayed()),
        ("exit.wasm", exit()),
        ("fanout.wasm", fanout()),
        ("wait_or_exit.wasm", wait_or_exit()),
        ("notes.wasm", notes()),
        ("echo.wasm", echo()),
        ("sails_relay_header.bin", sails_relay_header()),
    ]
}
