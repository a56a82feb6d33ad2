//! Differential tests: every example and trap case gives the same outcome (status, gas, reply,
//! memory changes) on wasmi (the chain's backend) and wasmtime (native).
#![cfg(feature = "wasmtime")]

use codec::Encode;
use gear_core::message::DispatchKind;
use gear_engine::{
    validate_and_instrument, wasmtime_backend, BlockInfo, Dispatch, ExecutionConfig,
    ExecutionInput, ExecutionOutcome, ProgramCode, ProgramMemory, Schedule, ValidatedCode,
};
use gprimitives::{ActorId, MessageId};

const GAS: u64 = 10_000_000_000;

type Execute = fn(
    ProgramCode<'_>,
    &ProgramMemory,
    Dispatch,
    &ExecutionInput,
    &ExecutionConfig,
) -> ExecutionOutcome;

/// Runs `script` (a sequence of dispatches) on one backend, applying memory changes between
/// dispatches, and returns every outcome.
fn run(
    code: &ValidatedCode,
    script: &[(DispatchKind, Vec<u8>, u64)],
    execute: Execute,
) -> Vec<ExecutionOutcome> {
    let mut memory = ProgramMemory::default();
    let mut outcomes = Vec::new();
    for (nonce, (kind, payload, gas)) in script.iter().enumerate() {
        let outcome = execute(
            ProgramCode {
                instrumented: &code.instrumented,
                meta: &code.meta,
            },
            &memory,
            Dispatch {
                kind: *kind,
                id: MessageId::from(nonce as u64 + 1),
                source: ActorId::from(1u64),
                destination: ActorId::from(2u64),
                payload: payload.clone(),
                value: 0,
                details: None,
                context: None,
            },
            &ExecutionInput {
                block: BlockInfo {
                    height: 3,
                    timestamp: 18_000,
                    ..Default::default()
                },
                gas_limit: *gas,
                ..Default::default()
            },
            &ExecutionConfig::default(),
        );
        if !outcome.is_trap() {
            outcome.memory.clone().apply(&mut memory);
        }
        outcomes.push(outcome);
    }
    outcomes
}

fn assert_same(name: &str, code: Vec<u8>, script: &[(DispatchKind, Vec<u8>, u64)]) {
    let code = validate_and_instrument(code, &Schedule::default()).expect("validates");
    let on_wasmi = run(&code, script, gear_engine::execute);
    let on_wasmtime = run(&code, script, wasmtime_backend::execute);
    for (i, (a, b)) in on_wasmi.iter().zip(&on_wasmtime).enumerate() {
        assert_eq!(
            a, b,
            "{name}: dispatch {i} differs between wasmi and wasmtime"
        );
    }
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap()
}

#[test]
fn ping() {
    assert_same(
        "ping",
        gear_examples::ping().to_vec(),
        &[
            (DispatchKind::Init, vec![], GAS),
            (DispatchKind::Handle, b"PING".to_vec(), GAS),
            (DispatchKind::Handle, b"other".to_vec(), GAS),
            (DispatchKind::Handle, b"PING".to_vec(), 2_000_000),
        ],
    );
}

#[test]
fn counter() {
    assert_same(
        "counter",
        gear_examples::counter().to_vec(),
        &[
            (DispatchKind::Init, 10u64.encode(), GAS),
            (DispatchKind::Handle, 5u64.encode(), GAS),
            (DispatchKind::Handle, vec![1, 2, 3], GAS),
            (DispatchKind::Handle, 7u64.encode(), GAS),
        ],
    );
}

#[test]
fn infinite_loop() {
    assert_same(
        "infinite_loop",
        gear_examples::infinite_loop(),
        &[
            (DispatchKind::Init, vec![], GAS),
            (DispatchKind::Handle, vec![], 5_000_000_000),
        ],
    );
}

#[test]
fn traps() {
    let handle = |body: &str| {
        wat(&format!(
            r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h {body}))"#
        ))
    };
    assert_same(
        "unreachable",
        handle("unreachable"),
        &[(DispatchKind::Handle, vec![], GAS)],
    );
    assert_same(
        "recursion",
        handle("call $h"),
        &[(DispatchKind::Handle, vec![], GAS)],
    );
    assert_same(
        "memory out of bounds",
        handle("(drop (i32.load (i32.const 70000)))"),
        &[(DispatchKind::Handle, vec![], GAS)],
    );
    assert_same(
        "division by zero",
        handle("(drop (i32.div_u (i32.const 1) (i32.const 0)))"),
        &[(DispatchKind::Handle, vec![], GAS)],
    );
}

#[test]
fn allocations() {
    let code = wat(r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (import "env" "free" (func $free (param i32) (result i32)))
          (import "env" "gr_reply" (func $reply (param i32 i32 i32 i32)))
          (export "handle" (func $handle))
          (func $handle (local $page i32)
            (local.set $page (call $alloc (i32.const 2)))
            (i32.store8 (i32.mul (local.get $page) (i32.const 65536)) (i32.const 7))
            (i32.store (i32.const 0) (local.get $page))
            (i32.store (i32.const 4) (call $free (local.get $page)))
            (call $reply (i32.const 0) (i32.const 8) (i32.const -1) (i32.const 100))))
    "#);
    assert_same(
        "allocations",
        code,
        &[
            (DispatchKind::Handle, vec![], GAS),
            (DispatchKind::Handle, vec![], GAS),
            (DispatchKind::Handle, vec![], 100),
        ],
    );
}
