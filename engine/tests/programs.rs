//! gstd programs on both backends: each scenario runs on wasmi (the chain's backend) and on
//! wasmtime, every dispatch's journal (status, gas burned and moved, reply, messages, created
//! programs, wakes, reservations, context, dirty pages) must be identical, and the effects that
//! matter are asserted.
#![cfg(feature = "wasmtime")]

mod world;

use codec::{Decode, Encode};
use gear_core::{env::MessageWaitedType, ids::prelude::*, message::DispatchKind};
use gear_core_errors::{ErrorReplyReason, ReplyCode, SignalCode, SimpleExecutionError};
use gear_engine::{
    wasmtime_backend::WasmtimeExecutor, ExecutionStatus, Executor, ReservationChange, WasmiExecutor,
};
use gprimitives::{ActorId, CodeId, MessageId, ReservationId};
use world::{trap_reason, World, USER};

/// Runs `scenario` on both backends, checks they agree on every journal and on what users
/// received, and returns the wasmi world for assertions.
fn on_both<R: PartialEq + std::fmt::Debug>(
    scenario: fn(&mut World<WasmiExecutor>) -> R,
    scenario_native: fn(&mut World<WasmtimeExecutor>) -> R,
) -> (World<WasmiExecutor>, R) {
    let mut wasmi = World::new(WasmiExecutor::new());
    let mut wasmtime = World::new(WasmtimeExecutor);
    let a = scenario(&mut wasmi);
    let b = scenario_native(&mut wasmtime);
    assert_eq!(a, b, "scenario results differ between backends");
    assert_eq!(wasmi.executed.len(), wasmtime.executed.len());
    for (i, (x, y)) in wasmi.executed.iter().zip(&wasmtime.executed).enumerate() {
        assert_eq!(x, y, "execution {i} differs between wasmi and wasmtime");
    }
    assert_eq!(wasmi.mailbox, wasmtime.mailbox);
    (wasmi, a)
}

macro_rules! both {
    ($scenario:ident) => {
        on_both($scenario::<WasmiExecutor>, $scenario::<WasmtimeExecutor>)
    };
}

fn user() -> ActorId {
    ActorId::from(USER)
}

const BALANCE: u128 = 10_000_000_000_000;

fn proxy_scenario<E: Executor>(w: &mut World<E>) -> (ActorId, ActorId, MessageId) {
    let ping = w.create(gear_examples::ping(), b"ping", b"", 0);
    let proxy = w.create(gear_examples::proxy(), b"proxy", &ping.into_bytes(), 0);
    w.run();
    let request = w.send(proxy, b"PING", 0);
    w.run();
    (ping, proxy, request)
}

#[test]
fn async_proxy_awaits_the_reply_and_answers() {
    let (w, (ping, proxy, request)) = both!(proxy_scenario);
    // The user gets PONG through the proxy.
    let reply = w.reply_to(request).expect("the proxy replied");
    assert_eq!(reply.payload, b"PONG");
    assert_eq!(reply.from, proxy);
    assert_eq!(
        reply.reply.unwrap().1,
        ReplyCode::Success(gear_core_errors::SuccessReplyReason::Manual)
    );
    // The request ran twice: it sent to ping and waited, then resumed after the reply.
    let runs = w.journals(request);
    assert_eq!(runs.len(), 2);
    let first = runs[0];
    assert!(
        matches!(first.status, ExecutionStatus::Wait { .. }),
        "{:?}",
        first.status
    );
    assert_eq!(first.messages.len(), 1);
    let forwarded = &first.messages[0];
    assert_eq!(forwarded.destination, ping);
    assert_eq!(forwarded.payload, b"PING");
    assert_eq!(forwarded.id, MessageId::generate_outgoing(request, 0));
    // Sent without a gas limit: it takes the mailbox threshold from the request, which also
    // prepaid waitlist rent; both moved, not burned.
    assert_eq!(forwarded.gas_limit, None);
    assert!(first.gas_moved > gear_engine::ExecutionConfig::default().mailbox_threshold);
    assert!(first.reply.is_none());
    assert!(runs[1].reply.is_some());
    assert_eq!(runs[1].status, ExecutionStatus::Success);
    // The proxy's handle_reply woke the waiting request.
    let woke = w
        .executed
        .iter()
        .find(|e| e.program == proxy && e.kind == DispatchKind::Reply)
        .expect("handle_reply ran");
    assert_eq!(woke.outcome.wakes, vec![(request, 0)]);
}

fn waiter_scenario<E: Executor>(w: &mut World<E>) -> Vec<MessageId> {
    let waiter = w.create(gear_examples::waiter(), b"waiter", b"", 0);
    w.run();
    let wait = w.send(waiter, b"wait", 0);
    w.run();
    let wake = w.send(waiter, b"wake", 0);
    w.run();
    let wait_for = w.send(waiter, b"wait_for", 0);
    w.run();
    for _ in 0..5 {
        w.run();
    }
    let wait_up_to = w.send(waiter, b"wait_up_to", 0);
    for _ in 0..7 {
        w.run();
    }
    vec![wait, wake, wait_for, wait_up_to]
}

#[test]
fn waiter_waits_and_is_woken() {
    let (w, ids) = both!(waiter_scenario);
    let [wait, wake, wait_for, wait_up_to] = ids[..] else {
        unreachable!()
    };
    let wait_runs = w.journals(wait);
    assert_eq!(
        wait_runs[0].status,
        ExecutionStatus::Wait {
            duration: None,
            kind: MessageWaitedType::Wait
        }
    );
    // The waiting message's store carries on: its memory change (WAITING) was kept.
    assert!(!wait_runs[0].memory.pages.is_empty());
    let wake_run = w.journals(wake)[0];
    assert_eq!(wake_run.wakes, vec![(wait, 0)]);
    assert_eq!(w.reply_to(wake).unwrap().payload, b"woke");
    assert_eq!(w.reply_to(wait).unwrap().payload, b"resumed");

    let for_runs = w.journals(wait_for);
    assert_eq!(
        for_runs[0].status,
        ExecutionStatus::Wait {
            duration: Some(5),
            kind: MessageWaitedType::WaitFor
        }
    );
    assert_eq!(
        for_runs.len(),
        2,
        "wait_for resumes by itself after 5 blocks"
    );
    assert_eq!(w.reply_to(wait_for).unwrap().payload, b"resumed");
    let up_to = w.journals(wait_up_to);
    assert_eq!(
        up_to[0].status,
        ExecutionStatus::Wait {
            duration: Some(5),
            kind: MessageWaitedType::WaitUpToFull
        }
    );
    assert_eq!(w.reply_to(wait_up_to).unwrap().payload, b"resumed");
    // Waiting moved gas out of the message (waitlist rent), it did not burn it.
    assert!(wait_runs[0].gas_moved > 0);
}

fn factory_scenario<E: Executor>(w: &mut World<E>) -> (ActorId, CodeId, MessageId) {
    let factory = w.create(gear_examples::factory(), b"factory", b"", BALANCE);
    let ping_code = w.upload(gear_examples::ping());
    w.run();
    let request = w.send(factory, &ping_code.into_bytes(), 0);
    w.run();
    (factory, ping_code, request)
}

#[test]
fn factory_creates_a_program_with_gears_id() {
    let (w, (factory, ping_code, request)) = both!(factory_scenario);
    let run = w.journals(request)[0];
    assert_eq!(run.status, ExecutionStatus::Success);
    assert_eq!(run.programs.len(), 1);
    let created = &run.programs[0];
    // Gear's derivation: from the creating message, the code and the salt (the message id).
    let expected = ActorId::generate_from_program(request, ping_code, request.as_ref());
    assert_eq!(created.id, expected);
    assert_eq!(created.code_id, ping_code);
    let init = &run.messages[0];
    assert_eq!(init.kind, DispatchKind::Init);
    assert_eq!(init.destination, expected);
    assert_eq!(init.id, created.init_message);
    let reply = w.reply_to(request).unwrap();
    assert_eq!(ActorId::decode(&mut &reply.payload[..]).unwrap(), expected);
    // The new program exists, was initialised and took the existential deposit.
    assert!(w.programs[&expected].initialized);
    assert_eq!(
        w.programs[&factory].balance,
        BALANCE - w.config.existential_deposit
    );
}

fn value_scenario<E: Executor>(w: &mut World<E>) -> MessageId {
    let program = w.create(gear_examples::value(), b"value", b"", 1_000);
    w.run();
    let request = w.send(program, b"", 500);
    w.run();
    request
}

#[test]
fn value_is_received_and_sent() {
    let (w, request) = both!(value_scenario);
    let run = w.journals(request)[0];
    assert_eq!(run.messages.len(), 1);
    assert_eq!(run.messages[0].value, 250);
    assert_eq!(run.messages[0].gas_limit, None);
    assert_eq!(run.gas_moved, w.config.mailbox_threshold);
    assert_eq!(run.messages[0].destination, user());
    // Available: balance 1000 + 500 received - 250 sent.
    let reply = w.reply_to(request).unwrap();
    assert_eq!(u128::decode(&mut &reply.payload[..]).unwrap(), 1_250);
    let sent = w
        .mailbox
        .iter()
        .find(|m| m.payload == b"half back")
        .unwrap();
    assert_eq!(sent.value, 250);
}

fn reservation_scenario<E: Executor>(w: &mut World<E>) -> Vec<MessageId> {
    let program = w.create(gear_examples::reservation(), b"res", b"", 0);
    w.run();
    let reserve = w.send(program, b"reserve", 0);
    w.run();
    let send = w.send(program, b"send", 0);
    w.run();
    let reserve_again = w.send(program, b"reserve", 0);
    w.run();
    let unreserve = w.send(program, b"unreserve", 0);
    w.run();
    vec![reserve, send, reserve_again, unreserve]
}

#[test]
fn reservation_reserve_send_unreserve() {
    let (w, ids) = both!(reservation_scenario);
    let reserve = w.journals(ids[0])[0];
    let [ReservationChange::Reserved {
        id,
        amount: 1_000_000_000,
        duration: 100,
    }] = reserve.reservations[..]
    else {
        panic!("{:?}", reserve.reservations)
    };
    assert_eq!(id, ReservationId::generate(ids[0], 0));
    // The reservation's gas left the message (with prepaid rent), it was not burned.
    assert!(reserve.gas_moved > 1_000_000_000);
    let reply = w.reply_to(ids[0]).unwrap();
    assert_eq!(ReservationId::decode(&mut &reply.payload[..]).unwrap(), id);

    let send = w.journals(ids[1])[0];
    assert_eq!(send.messages[0].reservation, Some(id));
    assert_eq!(send.messages[0].gas_limit, None);
    assert!(w.mailbox.iter().any(|m| m.payload == b"from reservation"));

    let unreserve = w.journals(ids[3])[0];
    let second = ReservationId::generate(ids[2], 0);
    assert_eq!(
        unreserve.reservations,
        vec![ReservationChange::Unreserved { id: second }]
    );
    let reply = w.reply_to(ids[3]).unwrap();
    assert_eq!(u64::decode(&mut &reply.payload[..]).unwrap(), 1_000_000_000);
}

fn signal_scenario<E: Executor>(w: &mut World<E>) -> MessageId {
    let program = w.create(gear_examples::signal(), b"signal", b"", 0);
    w.run();
    let request = w.send(program, b"", 0);
    w.run();
    request
}

#[test]
fn signal_runs_after_a_trap_with_a_system_reservation() {
    let (w, request) = both!(signal_scenario);
    let run = w.journals(request)[0];
    assert_eq!(trap_reason(run), Some(SimpleExecutionError::UserspacePanic));
    // Only the system reservation survives the trap.
    assert_eq!(run.system_reservation, 1_000_000_000);
    assert_eq!(run.context.system_reservation(), Some(1_000_000_000));
    let signal = w
        .executed
        .iter()
        .find(|e| e.kind == DispatchKind::Signal)
        .expect("handle_signal ran");
    assert_eq!(signal.outcome.status, ExecutionStatus::Success);
    let report = w
        .mailbox
        .iter()
        .find(|m| m.reply.is_none())
        .expect("the signal handler reported");
    assert_eq!(
        u32::from_le_bytes(report.payload[..4].try_into().unwrap()),
        SignalCode::Execution(SimpleExecutionError::UserspacePanic).to_u32()
    );
    let error = w.reply_to(request).unwrap();
    assert_eq!(
        error.reply.unwrap().1,
        ReplyCode::Error(ErrorReplyReason::Execution(
            SimpleExecutionError::UserspacePanic
        ))
    );
}

fn failures_scenario<E: Executor>(w: &mut World<E>) -> Vec<MessageId> {
    let program = w.create(gear_examples::failures(), b"failures", b"", 0);
    w.run();
    let ids = ["panic", "loop", "recurse", "oom", "fine"]
        .iter()
        .map(|command| w.send(program, command.as_bytes(), 0))
        .collect();
    w.run();
    ids
}

#[test]
fn failures_map_to_gears_reasons() {
    let (w, ids) = both!(failures_scenario);
    let reason = |i: usize| trap_reason(w.journals(ids[i])[0]);
    assert_eq!(reason(0), Some(SimpleExecutionError::UserspacePanic));
    let panic = w.reply_to(ids[0]).unwrap();
    let message = String::from_utf8_lossy(&panic.payload);
    assert!(message.contains("failed on purpose"), "{message}");
    assert_eq!(reason(1), Some(SimpleExecutionError::RanOutOfGas));
    // Out of gas burns the whole limit.
    assert_eq!(w.journals(ids[1])[0].gas_burned, world::DEFAULT_GAS);
    assert_eq!(reason(2), Some(SimpleExecutionError::StackLimitExceeded));
    assert_eq!(reason(3), Some(SimpleExecutionError::MemoryOverflow));
    assert_eq!(reason(4), None);
    assert_eq!(w.reply_to(ids[4]).unwrap().payload, b"survived");
    let _ = Encode::encode(&0u8);
}

/// Sails' message header: magic `GM`, version 1, header length 16, interface id, entry id (LE),
/// route index, reserved.
fn sails_header(interface: [u8; 8], entry: u16, route: u8) -> Vec<u8> {
    let mut header = vec![0x47, 0x4d, 0x01, 0x10];
    header.extend_from_slice(&interface);
    header.extend_from_slice(&entry.to_le_bytes());
    header.extend_from_slice(&[route, 0]);
    header
}

/// `Counter`'s interface id: the first 8 bytes of Keccak-256 over its methods (`Add(u32) -> u32`,
/// `Value() -> u32`), as `sails-rs` 2.0 computes it.
const COUNTER_INTERFACE: [u8; 8] = [0xa3, 0x12, 0x5f, 0x3d, 0xbd, 0x07, 0xb0, 0x0c];

fn sails_scenario<E: Executor>(w: &mut World<E>) -> Vec<MessageId> {
    // The constructor `new()`: a header with no interface.
    let program = w.create(
        gear_examples::sails(),
        b"sails",
        &sails_header([0; 8], 0, 0),
        0,
    );
    w.run();
    let mut add = sails_header(COUNTER_INTERFACE, 0, 0);
    add.extend(5u32.encode());
    let first = w.send(program, &add, 0);
    let mut add = sails_header(COUNTER_INTERFACE, 0, 1);
    add.extend(7u32.encode());
    let second = w.send(program, &add, 0);
    let value = w.send(program, &sails_header(COUNTER_INTERFACE, 1, 1), 0);
    w.run();
    vec![first, second, value]
}

#[test]
fn sails_service_answers_with_its_header_and_result() {
    let (w, ids) = both!(sails_scenario);
    let expect = |entry: u16, result: u32| {
        let mut reply = sails_header(COUNTER_INTERFACE, entry, 1);
        reply.extend(result.encode());
        reply
    };
    assert_eq!(w.reply_to(ids[0]).unwrap().payload, expect(0, 5));
    assert_eq!(w.reply_to(ids[1]).unwrap().payload, expect(0, 12));
    assert_eq!(w.reply_to(ids[2]).unwrap().payload, expect(1, 12));
    for id in ids {
        assert_eq!(w.journals(id)[0].status, ExecutionStatus::Success);
    }
}
