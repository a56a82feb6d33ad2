//! Gear's gas estimates on the real runtime, one test per estimate kind (`GearApi`'s
//! `calculate_gas_info` for upload, create, handle and reply): for each example dispatch the
//! estimate's `min_limit` gets the same outcome as the block gas limit does, `min_limit - 1` does
//! not, and `burned` is what the real run burned (every unit of burned gas is recorded in
//! `GearBank`'s unpaid burned value, there being no block author in these tests).
//! `pallets/gear/src/tests/gas.rs` checks more examples, and `reserved` / `waited`, on the mock.

mod common;

use common::dev_externalities;
use gear_core::ids::prelude::{ActorIdExt, CodeIdExt};
use gear_primitives::{HandleKind, ReplyCode, SuccessReplyReason};
use gear_runtime::{Gear, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System};
use gprimitives::{ActorId, CodeId, MessageId};
use polkadot_sdk::{
    frame_support::{
        storage::{with_transaction, TransactionOutcome},
        traits::Hooks,
        weights::Weight,
    },
    sp_core::H256,
    sp_keyring::Sr25519Keyring,
    sp_runtime::{traits::Dispatchable, AccountId32, DispatchError},
};

const GAS: u64 = 100_000_000_000;

fn bob() -> AccountId32 {
    Sr25519Keyring::Bob.to_account_id()
}

fn burned_so_far() -> u128 {
    pallet_gear::bank::UnpaidBurnedValue::<Runtime>::get()
}

/// Dispatches `call` from Bob and runs the queue; returns the id of the message it queued.
fn submit(call: pallet_gear::Call<Runtime>) -> MessageId {
    System::reset_events();
    RuntimeCall::Gear(call)
        .dispatch(RuntimeOrigin::signed(bob()))
        .expect("the extrinsic is accepted");
    let queued = System::events()
        .into_iter()
        .find_map(|r| match r.event {
            RuntimeEvent::Gear(pallet_gear::Event::MessageQueued { id, .. }) => Some(id),
            _ => None,
        })
        .expect("a message is queued");
    Gear::on_idle(System::block_number(), Weight::MAX);
    queued
}

/// The reply to Bob's message `to` among this run's events: its code and payload.
fn reply_to(to: MessageId) -> Option<(ReplyCode, Vec<u8>)> {
    System::events().into_iter().find_map(|r| match r.event {
        RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message, .. }) => message
            .details()
            .filter(|d| d.to_message_id() == to)
            .map(|d| (d.to_reply_code(), message.payload_bytes().to_vec())),
        _ => None,
    })
}

/// A message in Bob's mailbox from `source` (the proxy's question to its user).
fn mail_from(source: ActorId) -> MessageId {
    pallet_gear::messenger::Mailbox::<Runtime>::iter_prefix(bob())
        .find_map(|(id, (message, _))| (message.source() == source).then_some(id))
        .expect("a message in Bob's mailbox")
}

/// Runs `run(gas)` rolled back and returns what `observe` saw and the gas burned meanwhile.
fn trial<R>(
    gas: u64,
    run: &impl Fn(u64) -> MessageId,
    observe: &impl Fn(MessageId) -> R,
) -> (R, u128) {
    with_transaction(|| {
        let before = burned_so_far();
        let id = run(gas);
        let seen = observe(id);
        TransactionOutcome::Rollback(Ok::<_, DispatchError>((seen, burned_so_far() - before)))
    })
    .unwrap()
}

/// The estimate for `kind`, then the real run with the block gas limit, with `min_limit` and
/// with `min_limit - 1`: the first two alike, the last different; `burned` as the real run's
/// (when `check_burned`: a reply also finishes its program's earlier message, on other gas).
fn check_exact<R: PartialEq + std::fmt::Debug>(
    kind: HandleKind,
    payload: &[u8],
    run: impl Fn(u64) -> MessageId,
    observe: impl Fn(MessageId) -> R,
    check_burned: bool,
) -> R {
    let info =
        Gear::calculate_gas_info(bob().into(), kind.clone(), payload.to_vec(), 0, false, None)
            .unwrap_or_else(|e| panic!("an estimate for {kind:?}: {e}"));
    let block_gas_limit = gear_runtime::BLOCK_GAS_LIMIT;
    let (full, _) = trial(block_gas_limit, &run, &observe);
    let (exact, burned) = trial(info.min_limit, &run, &observe);
    let (short, _) = trial(info.min_limit - 1, &run, &observe);
    assert_eq!(
        exact, full,
        "{kind:?}: min_limit {} changes the outcome",
        info.min_limit
    );
    assert_ne!(
        short, full,
        "{kind:?}: min_limit - 1 does as well ({info:?})"
    );
    if check_burned {
        assert_eq!(
            burned,
            u128::from(info.burned),
            "{kind:?}: burned ({info:?})"
        );
    }
    assert_eq!(info.may_be_returned, 0);
    assert!(!info.waited, "{kind:?}");
    full
}

/// Uploads `code` from Bob with `init` and runs its init.
fn upload(code: &[u8], salt: &[u8], init: Vec<u8>) -> ActorId {
    submit(pallet_gear::Call::upload_program {
        code: code.to_vec(),
        salt: salt.to_vec(),
        init_payload: init,
        gas_limit: GAS,
        value: 0,
        keep_alive: false,
    });
    ActorId::generate_from_user(CodeId::generate(code), salt)
}

fn upload_ping() -> ActorId {
    upload(gear_examples::ping(), b"ping", vec![])
}

/// What became of a program's init message: its reply to Bob.
fn init_outcome(id: MessageId) -> Option<(ReplyCode, Vec<u8>)> {
    reply_to(id)
}

#[test]
fn upload_estimate_is_exact() {
    dev_externalities().execute_with(|| {
        let ping = upload_ping();
        let code = gear_examples::proxy().to_vec();
        let init = ping.into_bytes().to_vec();
        let outcome = check_exact(
            HandleKind::Init(code.clone()),
            &init,
            |gas| {
                submit(pallet_gear::Call::upload_program {
                    code: code.clone(),
                    salt: b"calculate_gas_salt".to_vec(),
                    init_payload: init.clone(),
                    gas_limit: gas,
                    value: 0,
                    keep_alive: false,
                })
            },
            init_outcome,
            true,
        );
        assert!(
            matches!(outcome, Some((ReplyCode::Success(_), _))),
            "{outcome:?}"
        );
    });
}

#[test]
fn create_estimate_is_exact() {
    dev_externalities().execute_with(|| {
        let ping = upload_ping();
        let code = gear_examples::proxy().to_vec();
        RuntimeCall::Gear(pallet_gear::Call::upload_code { code: code.clone() })
            .dispatch(RuntimeOrigin::signed(bob()))
            .expect("code accepted");
        let code_id = CodeId::generate(&code);
        let init = ping.into_bytes().to_vec();
        let outcome = check_exact(
            HandleKind::InitByHash(code_id),
            &init,
            |gas| {
                submit(pallet_gear::Call::create_program {
                    code_id: H256(code_id.into_bytes()),
                    salt: b"calculate_gas_salt".to_vec(),
                    init_payload: init.clone(),
                    gas_limit: gas,
                    value: 0,
                    keep_alive: false,
                })
            },
            init_outcome,
            true,
        );
        assert!(
            matches!(outcome, Some((ReplyCode::Success(_), _))),
            "{outcome:?}"
        );
    });
}

#[test]
fn handle_estimate_is_exact() {
    dev_externalities().execute_with(|| {
        let ping = upload_ping();
        // PING straight to ping, and through two proxies awaiting each other.
        let proxy = gear_examples::proxy();
        let inner = upload(proxy, b"inner", ping.into_bytes().to_vec());
        let outer = upload(proxy, b"outer", inner.into_bytes().to_vec());
        for destination in [ping, outer] {
            let outcome = check_exact(
                HandleKind::Handle(destination),
                b"PING",
                |gas| {
                    submit(pallet_gear::Call::send_message {
                        destination: H256(destination.into_bytes()),
                        payload: b"PING".to_vec(),
                        gas_limit: gas,
                        value: 0,
                        keep_alive: false,
                    })
                },
                reply_to,
                true,
            );
            assert_eq!(
                outcome,
                Some((
                    ReplyCode::Success(SuccessReplyReason::Manual),
                    b"PONG".to_vec()
                ))
            );
        }
    });
}

#[test]
fn reply_estimate_is_exact() {
    dev_externalities().execute_with(|| {
        // A proxy whose target is Bob: Bob's question reaches his own mailbox, and his reply
        // there is what the proxy answers with.
        let proxy = upload(
            gear_examples::proxy(),
            b"to-bob",
            <[u8; 32]>::from(bob()).to_vec(),
        );
        let question = submit(pallet_gear::Call::send_message {
            destination: H256(proxy.into_bytes()),
            payload: b"question".to_vec(),
            gas_limit: GAS,
            value: 0,
            keep_alive: false,
        });
        let mail = mail_from(proxy);
        let outcome = check_exact(
            HandleKind::Reply(mail, ReplyCode::Success(SuccessReplyReason::Manual)),
            b"answer",
            |gas| {
                submit(pallet_gear::Call::send_reply {
                    reply_to_id: H256(mail.into_bytes()),
                    payload: b"answer".to_vec(),
                    gas_limit: gas,
                    value: 0,
                    keep_alive: false,
                })
            },
            // The proxy's answer to Bob's question.
            |_| reply_to(question),
            false,
        );
        assert_eq!(
            outcome,
            Some((
                ReplyCode::Success(SuccessReplyReason::Manual),
                b"answer".to_vec()
            ))
        );
    });
}

/// A program holding many gas reservations: the queue runs a message to it only with a gas
/// limit that leaves its worst case (removing the reservations besides) room in a block, so the
/// block gas limit is refused. The estimate starts from the most the queue runs, and an
/// `initial_gas` above that is refused with the reason.
#[test]
fn estimates_for_a_program_holding_many_reservations_start_from_what_the_queue_runs() {
    dev_externalities().execute_with(|| {
        let holder = upload(&gear_examples::reserver(64), b"holder", vec![]);
        let estimate = |payload: &[u8], initial: Option<u64>| {
            Gear::calculate_gas_info(
                bob().into(),
                HandleKind::Handle(holder),
                payload.to_vec(),
                0,
                false,
                initial,
            )
        };
        let send = |payload: u8, gas_limit: u64| {
            submit(pallet_gear::Call::send_message {
                destination: H256(holder.into_bytes()),
                payload: vec![payload],
                gas_limit,
                value: 0,
                keep_alive: false,
            })
        };
        let reservations = || match pallet_gear::program::ProgramStorage::<Runtime>::get(holder) {
            Some(gear_core::program::Program::Active(program)) => {
                Some(program.gas_reservation_map.len())
            }
            _ => None,
        };
        // It makes its 64 reservations (payload 0) and keeps them.
        let make = estimate(&[0], None).expect("an estimate").min_limit;
        send(0, make);
        assert_eq!(reservations(), Some(64));

        // Its exit (payload 1) removes them: the block gas limit is more than the queue runs.
        let too_much = estimate(&[1], Some(gear_runtime::BLOCK_GAS_LIMIT))
            .expect_err("the block gas limit is refused");
        assert!(too_much.contains("more than the queue runs"), "{too_much}");
        let info = estimate(&[1], None).expect("an estimate from what the queue runs");
        let exits = |gas| trial(gas, &|gas| send(1, gas), &|_| reservations());
        assert_eq!(exits(info.min_limit).0, None, "min_limit ends the program");
        assert_eq!(
            exits(info.min_limit - 1).0,
            Some(64),
            "min_limit - 1 does not"
        );
    });
}
