//! Syscall semantics, one hand-written program per rule, on both backends (each outcome must be
//! identical on wasmi and wasmtime): Gear's error codes, layouts, ids and traps.
#![cfg(feature = "wasmtime")]

use gear_core::{
    env::MessageWaitedType,
    ids::prelude::*,
    message::{DispatchKind, MessageDetails, ReplyDetails, SignalDetails},
};
use gear_core_errors::{ReplyCode, SignalCode, SimpleExecutionError, SuccessReplyReason};
use gear_engine::{
    validate_and_instrument, wasmtime_backend, BlockInfo, Dispatch, ExecutionConfig,
    ExecutionInput, ExecutionOutcome, ExecutionStatus, ProgramCode, ProgramMemory, Schedule,
};
use gprimitives::{ActorId, MessageId};

const GAS: u64 = 10_000_000_000;
const SEED: [u8; 32] = [7; 32];

fn dispatch(kind: DispatchKind, payload: &[u8]) -> Dispatch {
    Dispatch {
        kind,
        id: MessageId::from(11u64),
        source: ActorId::from(1u64),
        destination: ActorId::from(2u64),
        payload: payload.to_vec(),
        value: 5,
        details: None,
        context: None,
    }
}

/// Runs `dispatch` on a program written in WAT (memory 1 page imported) on both backends.
fn run(wat: &str, dispatch: Dispatch) -> ExecutionOutcome {
    let code = wat::parse_str(wat).expect("valid WAT");
    let code = validate_and_instrument(code, &Schedule::default()).expect("validates");
    let program = ProgramCode {
        instrumented: &code.instrumented,
        meta: &code.meta,
    };
    let input = ExecutionInput {
        block: BlockInfo {
            height: 9,
            timestamp: 54_000,
            random: (SEED, 8),
        },
        gas_limit: GAS,
        balance: 1_000,
        reservations: Default::default(),
        export: None,
    };
    let config = ExecutionConfig::default();
    let memory = ProgramMemory::default();
    let a = gear_engine::execute(program, &memory, dispatch.clone(), &input, &config);
    let b = wasmtime_backend::execute(program, &memory, dispatch, &input, &config);
    assert_eq!(a, b, "wasmi and wasmtime differ");
    a
}

/// A module with the given imports and `handle` body; the body may use `$reply_mem(ptr, len)`
/// to reply with memory contents.
fn program(imports: &str, body: &str) -> String {
    format!(
        r#"(module
          (import "env" "memory" (memory 1))
          (import "env" "gr_reply" (func $reply (param i32 i32 i32 i32)))
          {imports}
          (export "handle" (func $handle))
          (export "handle_reply" (func $handle))
          (export "handle_signal" (func $handle))
          (func $reply_mem (param i32 i32) (call $reply (local.get 0) (local.get 1) (i32.const -1) (i32.const 60000)))
          (func $handle {body}))"#
    )
}

fn reply_payload(outcome: &ExecutionOutcome) -> Vec<u8> {
    assert_eq!(outcome.status, ExecutionStatus::Success, "{outcome:?}");
    outcome.reply.as_ref().expect("a reply").payload.clone()
}

fn le_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().unwrap())
}

#[test]
fn env_vars_v1_layout() {
    let outcome = run(
        &program(
            r#"(import "env" "gr_env_vars" (func $vars (param i32 i32)))"#,
            "(call $vars (i32.const 1) (i32.const 0)) (call $reply_mem (i32.const 0) (i32.const 52))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    let vars = reply_payload(&outcome);
    let config = ExecutionConfig::default();
    assert_eq!(le_u32(&vars[0..]), config.performance_multiplier);
    assert_eq!(
        u128::from_le_bytes(vars[4..20].try_into().unwrap()),
        config.existential_deposit
    );
    assert_eq!(
        u64::from_le_bytes(vars[20..28].try_into().unwrap()),
        config.mailbox_threshold
    );
    assert_eq!(u64::from_le_bytes(vars[28..36].try_into().unwrap()), 0);
    assert_eq!(
        u128::from_le_bytes(vars[36..52].try_into().unwrap()),
        config.value_per_gas
    );

    let unknown_version = run(
        &program(
            r#"(import "env" "gr_env_vars" (func $vars (param i32 i32)))"#,
            "(call $vars (i32.const 2) (i32.const 0))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    assert!(matches!(
        unknown_version.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::BackendError,
            ..
        }
    ));
}

#[test]
fn random_hashes_the_subject_with_the_seed() {
    let outcome = run(
        &program(
            r#"(import "env" "gr_random" (func $random (param i32 i32)))"#,
            "(call $random (i32.const 0) (i32.const 100)) (call $reply_mem (i32.const 100) (i32.const 36))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    let out = reply_payload(&outcome);
    assert_eq!(le_u32(&out), 8, "the seed's block");
    let mut data = [0u8; 64];
    data[32..].copy_from_slice(&SEED);
    assert_eq!(out[4..], gear_core::ids::hash(&data));
}

#[test]
fn send_init_push_commit_and_late_access() {
    // handle = send_init; push "ab"; commit to actor 0x03.. with value 0; commit again (304).
    let outcome = run(
        &program(
            r#"(import "env" "gr_send_init" (func $init (param i32)))
               (import "env" "gr_send_push" (func $push (param i32 i32 i32 i32)))
               (import "env" "gr_send_commit" (func $commit (param i32 i32 i32 i32)))
               (data (i32.const 200) "ab")
               (data (i32.const 400) "\03")"#,
            "(call $init (i32.const 100))
             (call $push (i32.load (i32.const 104)) (i32.const 200) (i32.const 2) (i32.const 300))
             (call $commit (i32.load (i32.const 104)) (i32.const 400) (i32.const 0) (i32.const 500))
             (call $commit (i32.load (i32.const 104)) (i32.const 400) (i32.const 0) (i32.const 600))
             (i32.store (i32.const 700) (i32.load (i32.const 100)))
             (i32.store (i32.const 704) (i32.load (i32.const 300)))
             (i32.store (i32.const 708) (i32.load (i32.const 500)))
             (i32.store (i32.const 712) (i32.load (i32.const 600)))
             (call $reply_mem (i32.const 700) (i32.const 16))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    let codes = reply_payload(&outcome);
    assert_eq!(le_u32(&codes[0..]), 0, "send_init");
    assert_eq!(le_u32(&codes[4..]), 0, "send_push");
    assert_eq!(le_u32(&codes[8..]), 0, "send_commit");
    assert_eq!(le_u32(&codes[12..]), 304, "second commit: LateAccess");
    assert_eq!(outcome.messages.len(), 1);
    let message = &outcome.messages[0];
    assert_eq!(message.payload, b"ab");
    assert_eq!(
        message.id,
        MessageId::generate_outgoing(MessageId::from(11u64), 0)
    );
    let mut destination = [0u8; 32];
    destination[0] = 3;
    assert_eq!(message.destination, ActorId::from(destination));
    // A message without a gas limit takes the mailbox threshold from the execution.
    assert_eq!(
        outcome.gas_moved,
        ExecutionConfig::default().mailbox_threshold
    );
}

#[test]
fn fallible_syscall_with_a_bad_pointer_returns_201_and_rolls_back() {
    // gr_send with its destination pointer outside memory: error 201, no message, no gas moved.
    let outcome = run(
        &program(
            r#"(import "env" "gr_send" (func $send (param i32 i32 i32 i32 i32)))"#,
            "(call $send (i32.const 70000) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 100))
             (call $reply_mem (i32.const 100) (i32.const 4))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    assert_eq!(le_u32(&reply_payload(&outcome)), 201);
    assert!(outcome.messages.is_empty());
    assert_eq!(outcome.gas_moved, 0);
}

#[test]
fn a_second_reply_is_refused_and_waiting_after_a_reply_traps() {
    let outcome = run(
        &program(
            r#"(import "env" "gr_send" (func $send (param i32 i32 i32 i32 i32)))"#,
            // Reply, reply again (error code at 60000), send that code to actor 0.
            "(call $reply_mem (i32.const 0) (i32.const 1))
             (call $reply_mem (i32.const 0) (i32.const 1))
             (call $send (i32.const 1000) (i32.const 60000) (i32.const 4) (i32.const 0) (i32.const 2000))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    assert_eq!(
        outcome.messages[0].payload,
        302u32.to_le_bytes(),
        "DuplicateReply"
    );

    let wait_after_reply = run(
        &program(
            r#"(import "env" "gr_wait" (func $wait))"#,
            "(call $reply_mem (i32.const 0) (i32.const 1)) (call $wait)",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    assert!(matches!(
        wait_after_reply.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::BackendError,
            ..
        }
    ));
}

#[test]
fn read_reports_gears_range_errors() {
    let outcome = run(
        &program(
            r#"(import "env" "gr_read" (func $read (param i32 i32 i32 i32)))"#,
            "(call $read (i32.const 2) (i32.const 5) (i32.const 100) (i32.const 200))
             (call $read (i32.const -1) (i32.const 5) (i32.const 100) (i32.const 204))
             (call $read (i32.const 1) (i32.const 2) (i32.const 100) (i32.const 208))
             (call $reply_mem (i32.const 100) (i32.const 112))",
        ),
        dispatch(DispatchKind::Handle, b"abcd"),
    );
    let out = reply_payload(&outcome);
    assert_eq!(&out[..2], b"bc");
    assert_eq!(le_u32(&out[100..]), 104, "ReadWrongRange");
    assert_eq!(le_u32(&out[104..]), 103, "TooBigReadLen");
    assert_eq!(le_u32(&out[108..]), 0);
}

#[test]
fn reply_and_signal_context() {
    let wat = program(
        r#"(import "env" "gr_reply_to" (func $reply_to (param i32)))
           (import "env" "gr_reply_code" (func $reply_code (param i32)))
           (import "env" "gr_send" (func $send (param i32 i32 i32 i32 i32)))"#,
        "(call $reply_to (i32.const 100)) (call $reply_code (i32.const 200))
         (call $send (i32.const 1000) (i32.const 100) (i32.const 112) (i32.const 0) (i32.const 2000))",
    );
    // In handle: no reply context (105).
    let outcome = run(&wat, dispatch(DispatchKind::Handle, b""));
    let out = &outcome.messages[0].payload;
    assert_eq!(le_u32(out), 105);
    // In handle_reply: the message replied to and the reply code.
    let mut reply = dispatch(DispatchKind::Reply, b"");
    let code = ReplyCode::Success(SuccessReplyReason::Manual);
    reply.details = Some(MessageDetails::Reply(ReplyDetails::new(
        MessageId::from(77u64),
        code,
    )));
    let outcome = run(&wat, reply);
    let out = &outcome.messages[0].payload;
    assert_eq!(le_u32(out), 0);
    assert_eq!(out[4..36], MessageId::from(77u64).into_bytes());
    assert_eq!(le_u32(&out[100..]), 0);
    assert_eq!(out[104..108], code.to_bytes());

    // In handle_signal: replying is forbidden (a trap), the signal code is readable.
    let mut signal = dispatch(DispatchKind::Signal, b"");
    signal.source = ActorId::SYSTEM;
    signal.details = Some(MessageDetails::Signal(SignalDetails::new(
        MessageId::from(78u64),
        SignalCode::Execution(SimpleExecutionError::RanOutOfGas),
    )));
    let outcome = run(
        &program("", "(call $reply_mem (i32.const 0) (i32.const 1))"),
        signal.clone(),
    );
    assert!(matches!(
        outcome.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::BackendError,
            ..
        }
    ));
    let outcome = run(
        &program(
            r#"(import "env" "gr_signal_code" (func $code (param i32)))
               (import "env" "gr_signal_from" (func $from (param i32)))
               (import "env" "gr_send" (func $send (param i32 i32 i32 i32 i32)))"#,
            "(call $code (i32.const 100)) (call $from (i32.const 200))
             (call $send (i32.const 1000) (i32.const 100) (i32.const 136) (i32.const 0) (i32.const 2000))",
        ),
        signal,
    );
    let out = &outcome.messages[0].payload;
    assert_eq!(le_u32(&out[4..]), 101, "RanOutOfGas signal code");
    assert_eq!(out[104..136], MessageId::from(78u64).into_bytes());
}

#[test]
fn reservations_refuse_zero_duration_and_small_amounts() {
    let outcome = run(
        &program(
            r#"(import "env" "gr_reserve_gas" (func $reserve (param i64 i32 i32)))"#,
            "(call $reserve (i64.const 1000000) (i32.const 0) (i32.const 100))
             (call $reserve (i64.const 10) (i32.const 5) (i32.const 200))
             (call $reserve (i64.const 1000000) (i32.const 5) (i32.const 300))
             (i32.store (i32.const 400) (i32.load (i32.const 100)))
             (i32.store (i32.const 404) (i32.load (i32.const 200)))
             (i32.store (i32.const 408) (i32.load (i32.const 300)))
             (call $reply_mem (i32.const 400) (i32.const 12))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    let codes = reply_payload(&outcome);
    assert_eq!(le_u32(&codes[0..]), 502, "ZeroReservationDuration");
    assert_eq!(le_u32(&codes[4..]), 504, "ReservationBelowMailboxThreshold");
    assert_eq!(le_u32(&codes[8..]), 0);
    assert_eq!(outcome.reservations.len(), 1);
}

#[test]
fn exit_leave_wait_and_value() {
    let exit = run(
        &program(
            r#"(import "env" "gr_exit" (func $exit (param i32))) (data (i32.const 100) "\09")"#,
            "(call $exit (i32.const 100))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    let mut inheritor = [0u8; 32];
    inheritor[0] = 9;
    assert_eq!(
        exit.status,
        ExecutionStatus::Exit {
            inheritor: ActorId::from(inheritor)
        }
    );

    let leave = run(
        &program(
            r#"(import "env" "gr_leave" (func $leave))"#,
            "(call $reply_mem (i32.const 0) (i32.const 1)) (call $leave) (unreachable)",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    assert_eq!(leave.status, ExecutionStatus::Success);
    assert!(leave.reply.is_some(), "effects before gr_leave are kept");

    let wait_for = run(
        &program(
            r#"(import "env" "gr_wait_for" (func $wait_for (param i32)))"#,
            "(call $wait_for (i32.const 3))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    assert_eq!(
        wait_for.status,
        ExecutionStatus::Wait {
            duration: Some(3),
            kind: MessageWaitedType::WaitFor
        }
    );

    let value = run(
        &program(
            r#"(import "env" "gr_value_available" (func $available (param i32)))"#,
            "(call $available (i32.const 100)) (call $reply_mem (i32.const 100) (i32.const 16))",
        ),
        dispatch(DispatchKind::Handle, b""),
    );
    // Balance 1000 plus the incoming 5 on the message's first execution.
    assert_eq!(
        u128::from_le_bytes(reply_payload(&value)[..16].try_into().unwrap()),
        1_005
    );
}

#[test]
fn alloc_that_cannot_pay_for_growth_fails_instead_of_trapping() {
    // `handle` traps with `unreachable` when alloc reports failure (u32::MAX). With just too
    // little gas to grow memory, Gear's alloc fails and the program goes on (here: to
    // `unreachable`); it does not run out of gas inside alloc.
    let code = wat::parse_str(
        r#"(module
          (import "env" "memory" (memory 1))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (export "handle" (func $handle))
          (func $handle
            (if (i32.eq (call $alloc (i32.const 200)) (i32.const -1)) (then unreachable))))"#,
    )
    .unwrap();
    let code = validate_and_instrument(code, &Schedule::default()).unwrap();
    let program = ProgramCode {
        instrumented: &code.instrumented,
        meta: &code.meta,
    };
    let config = ExecutionConfig::default();
    let memory = ProgramMemory::default();
    let status = |gas_limit| {
        let input = ExecutionInput {
            gas_limit,
            ..Default::default()
        };
        let run = |execute: fn(_, _, _, _, _) -> ExecutionOutcome| {
            execute(
                program,
                &memory,
                dispatch(DispatchKind::Handle, b""),
                &input,
                &config,
            )
        };
        let a = run(gear_engine::execute);
        assert_eq!(a, run(wasmtime_backend::execute));
        a.status
    };
    let out_of_gas = |status: &ExecutionStatus| {
        matches!(
            status,
            ExecutionStatus::Trap {
                reason: SimpleExecutionError::RanOutOfGas,
                ..
            }
        )
    };
    assert_eq!(status(GAS), ExecutionStatus::Success);
    // The smallest limit that does not run out of gas.
    let (mut low, mut high) = (0u64, GAS);
    while high - low > 1 {
        let mid = (low + high) / 2;
        if out_of_gas(&status(mid)) {
            low = mid;
        } else {
            high = mid;
        }
    }
    assert!(
        matches!(
            status(high),
            ExecutionStatus::Trap {
                reason: SimpleExecutionError::UnreachableInstruction,
                ..
            }
        ),
        "{:?}",
        status(high)
    );
}

/// This chain's output limits: a reply is at most the schedule's `payload_len` however it is
/// pushed, and created programs' init payloads take at most the outgoing bytes limit (Gear
/// limits neither beyond its 8 MiB), each refusal a fallible error, not a trap.
#[test]
fn replies_and_init_payloads_are_bounded() {
    let wat = r#"(module
      (import "env" "memory" (memory 1))
      (import "env" "gr_reply_push" (func $push (param i32 i32 i32)))
      (import "env" "gr_reply_commit" (func $commit (param i32 i32)))
      (import "env" "gr_create_program" (func $create (param i32 i32 i32 i32 i32 i32 i32)))
      (export "handle" (func $handle))
      (func $handle
        (call $push (i32.const 0) (i32.const 600) (i32.const 5000))
        (call $push (i32.const 0) (i32.const 600) (i32.const 5004))
        (call $create (i32.const 6000) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 1000) (i32.const 0) (i32.const 7000))
        (call $create (i32.const 6000) (i32.const 4) (i32.const 4) (i32.const 0) (i32.const 1000) (i32.const 0) (i32.const 7100))
        (call $commit (i32.const -1) (i32.const 8000))))"#;
    let mut config = ExecutionConfig {
        existential_deposit: 0,
        outgoing_bytes_limit: 1_500,
        ..Default::default()
    };
    config.schedule.limits.payload_len = 1_000;
    let code = validate_and_instrument(wat::parse_str(wat).unwrap(), &config.schedule).unwrap();
    let program = ProgramCode {
        instrumented: &code.instrumented,
        meta: &code.meta,
    };
    let input = ExecutionInput {
        gas_limit: GAS,
        balance: 1_000,
        ..Default::default()
    };
    let memory = ProgramMemory::default();
    let d = dispatch(DispatchKind::Handle, b"");
    let a = gear_engine::execute(program, &memory, d.clone(), &input, &config);
    let b = wasmtime_backend::execute(program, &memory, d, &input, &config);
    assert_eq!(a, b, "wasmi and wasmtime differ");
    assert_eq!(a.status, ExecutionStatus::Success, "{a:?}");
    // The second push would make a 1,200-byte reply: refused, the first 600 bytes stay.
    assert_eq!(a.reply.as_ref().expect("a reply").payload.len(), 600);
    // The second 1,000-byte init payload would make 2,000 > 1,500: refused.
    assert_eq!(a.messages.len(), 1, "{:?}", a.messages);
    assert_eq!(a.messages[0].kind, DispatchKind::Init);
}
