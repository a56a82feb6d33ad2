//! Gear's gas estimates (`GearApi::calculate_gas_info`) against real runs: for every example
//! dispatch, `min_limit` gets everything through, `min_limit - 1` makes something run out of gas
//! (or fail where it did not), and `burned`, `reserved`, `waited` are what the real run with
//! `min_limit` did. Plus each refusal with its own error.

use super::*;
use crate::internal::dry_run::{observed, Probe, DRY_RUN_SALT};
use gear_primitives::{GasInfo, HandleKind};
use polkadot_sdk::frame_support::storage::{with_transaction, TransactionOutcome};

fn alice() -> [u8; 32] {
    actor(&ALICE).into_bytes()
}

fn estimate(kind: &HandleKind, payload: &[u8], allow_other_panics: bool) -> GasInfo {
    Gear::calculate_gas_info(
        alice(),
        kind.clone(),
        payload.to_vec(),
        0,
        allow_other_panics,
        None,
    )
    .unwrap_or_else(|e| panic!("an estimate for {kind:?}: {e}"))
}

/// What a real run did: the probe, the message's id, and the gas its tree burned.
struct RealRun {
    probe: Probe,
    burned: u64,
    waited: bool,
}

/// Submits `kind` from Alice with `gas` and finishes the block, as a user would.
fn real_run(kind: &HandleKind, payload: &[u8], gas: u64) -> RealRun {
    let (id, probe) = observed(|| {
        let origin = RuntimeOrigin::signed(ALICE);
        let payload = payload.to_vec();
        let submitted = match kind {
            HandleKind::Init(code) => Gear::upload_program(
                origin,
                code.clone(),
                DRY_RUN_SALT.to_vec(),
                payload,
                gas,
                0,
                false,
            ),
            HandleKind::InitByHash(code_id) => Gear::create_program(
                origin,
                H256(code_id.into_bytes()),
                DRY_RUN_SALT.to_vec(),
                payload,
                gas,
                0,
                false,
            ),
            HandleKind::Handle(destination) => Gear::send_message(
                origin,
                H256(destination.into_bytes()),
                payload,
                gas,
                0,
                false,
            ),
            HandleKind::Reply(to, _) => {
                Gear::send_reply(origin, H256(to.into_bytes()), payload, gas, 0, false)
            }
        };
        assert_ok!(submitted);
        let id = last_queued();
        run_to_next_block();
        id
    });
    // The message's gas tree: its last record if it settled, otherwise its record now.
    let burned = probe
        .settled
        .get(&id)
        .cloned()
        .or_else(|| crate::gas::GasTrees::<Test>::get(id))
        .map(|tree| tree.burned)
        .unwrap_or(0);
    // Still waiting when the block ends (Gear's `waited`).
    let waited = crate::messenger::Waitlist::<Test>::iter_keys().any(|(_, waiting)| waiting == id);
    RealRun {
        probe,
        burned,
        waited,
    }
}

fn out_of_gas(probe: &Probe) -> bool {
    probe
        .traps
        .iter()
        .any(|(_, reason, _)| *reason == SimpleExecutionError::RanOutOfGas)
}

fn failures(probe: &Probe) -> Vec<(ActorId, SimpleExecutionError)> {
    probe
        .traps
        .iter()
        .map(|(program, reason, _)| (*program, *reason))
        .collect()
}

/// The run's shape, as a user sees it: traps, messages mailed, the message left waiting.
fn shape(run: &RealRun) -> (Vec<(ActorId, SimpleExecutionError)>, u32, bool) {
    (failures(&run.probe), run.probe.mailed, run.waited)
}

/// Estimates `kind`, checks `min_limit - 1` fails and `min_limit` works for real, and that the
/// estimate's numbers are the real run's. Leaves the chain after the real run with `min_limit`.
fn check_exact(kind: HandleKind, payload: &[u8], allow_other_panics: bool) -> GasInfo {
    let name = match &kind {
        HandleKind::Init(code) => format!("Init({} bytes)", code.len()),
        other => format!("{other:?}"),
    };
    let info = estimate(&kind, payload, allow_other_panics);
    let less = info.min_limit.checked_sub(1).map(|less| {
        with_transaction(|| {
            TransactionOutcome::Rollback(Ok::<_, polkadot_sdk::sp_runtime::DispatchError>(
                real_run(&kind, payload, less),
            ))
        })
        .unwrap()
    });
    let run = real_run(&kind, payload, info.min_limit);
    assert!(
        !out_of_gas(&run.probe),
        "{name}: min_limit {} ran out of gas: {:?}",
        info.min_limit,
        run.probe.traps
    );
    if let Some(less) = less {
        assert!(
            out_of_gas(&less.probe) || shape(&less) != shape(&run),
            "{name}: min_limit - 1 went through the same way: {info:?}"
        );
    }
    assert_eq!(info.burned, run.burned, "{name}: burned");
    assert_eq!(info.reserved, run.probe.reserved, "{name}: reserved");
    assert_eq!(info.waited, run.waited, "{name}: waited");
    assert_eq!(info.may_be_returned, 0, "{name}");
    info
}

#[test]
fn upload_create_and_ping_are_exact() {
    run_test(|| {
        let init = check_exact(HandleKind::Init(gear_examples::ping().to_vec()), b"", false);
        assert!(!init.waited);
        let ping =
            ActorId::generate_from_user(CodeId::generate(gear_examples::ping()), DRY_RUN_SALT);
        let handle = check_exact(HandleKind::Handle(ping), b"PING", false);
        // A reply to a user only burns: nothing to hold, nothing returned.
        assert_eq!(handle.min_limit, handle.burned);
        assert_eq!(reply_to(last_queued()).unwrap().0, b"PONG");
    });
}

#[test]
fn init_with_and_without_stored_code_is_exact() {
    run_test(|| {
        // counter's `init` reads its optional u64: it needs gas.
        let upload = check_exact(
            HandleKind::Init(gear_examples::counter().to_vec()),
            &7u64.to_le_bytes(),
            false,
        );
        assert!(upload.min_limit > 0);
    });
    run_test(|| {
        assert_ok!(Gear::upload_code(
            RuntimeOrigin::signed(ALICE),
            gear_examples::counter().to_vec()
        ));
        let create = check_exact(
            HandleKind::InitByHash(CodeId::generate(gear_examples::counter())),
            &5u64.to_le_bytes(),
            false,
        );
        assert!(create.min_limit > 0);
    });
}

#[test]
fn async_proxy_chain_is_exact() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"ping", vec![]);
        let inner = upload(gear_examples::proxy(), b"inner", ping.into_bytes().to_vec());
        let outer = upload(
            gear_examples::proxy(),
            b"outer",
            inner.into_bytes().to_vec(),
        );
        run_to_next_block();
        let info = check_exact(HandleKind::Handle(outer), b"PING", false);
        // Both proxies waited for their replies (woken in the same block: not waiting at the
        // end) and set gas aside for signals.
        assert!(!info.waited);
        assert!(info.reserved > 0);
        assert_eq!(reply_to(last_queued()).unwrap().0, b"PONG");
    });
}

#[test]
fn factory_reservation_sails_and_reply_are_exact() {
    run_test(|| {
        let factory = upload_with_value(
            gear_examples::factory(),
            b"",
            vec![],
            10 * EXISTENTIAL_DEPOSIT,
        );
        assert_ok!(Gear::upload_code(
            RuntimeOrigin::signed(ALICE),
            gear_examples::ping().to_vec()
        ));
        let reservation = upload(gear_examples::reservation(), b"", vec![]);
        let ping = upload(gear_examples::ping(), b"", vec![]);
        let mut new = vec![0x47, 0x4d, 0x01, 0x10];
        new.extend_from_slice(&[0; 12]);
        let sails = upload(gear_examples::sails(), b"relay", new);
        let asker = upload(
            gear_examples::proxy(),
            b"asker",
            actor(&ALICE).into_bytes().to_vec(),
        );
        run_to_next_block();

        let ping_code = CodeId::generate(gear_examples::ping());
        check_exact(HandleKind::Handle(factory), ping_code.as_ref(), false);
        let reserved = check_exact(HandleKind::Handle(reservation), b"reserve", false);
        assert!(reserved.reserved > 0);
        check_exact(
            HandleKind::Handle(sails),
            &gear_examples::sails_relay_ask(ping.into_bytes(), b"PING".to_vec()),
            false,
        );

        // A program left waiting for Alice's answer: `waited` (estimated in a layer rolled back:
        // with `min_limit` the waiting message keeps too little gas to finish once answered).
        with_transaction(|| {
            let asking = check_exact(HandleKind::Handle(asker), b"question", false);
            assert!(asking.waited);
            TransactionOutcome::Rollback(Ok::<_, polkadot_sdk::sp_runtime::DispatchError>(()))
        })
        .unwrap();
        // Asked with enough gas, its question in Alice's mailbox: the reply's gas.
        send(asker, b"question".to_vec(), GAS);
        run_to_next_block();
        let (question, _) = mailbox(&ALICE).pop().expect("the question");
        check_exact(
            HandleKind::Reply(question, ReplyCode::Success(SuccessReplyReason::Manual)),
            b"answer",
            false,
        );
    });
}

#[test]
fn panics_are_errors_unless_another_program_panics_and_that_is_allowed() {
    run_test(|| {
        let failures = upload(gear_examples::failures(), b"", vec![]);
        let factory = upload_with_value(
            gear_examples::factory(),
            b"",
            vec![],
            10 * EXISTENTIAL_DEPOSIT,
        );
        assert_ok!(Gear::upload_code(
            RuntimeOrigin::signed(ALICE),
            gear_examples::proxy().to_vec()
        ));
        run_to_next_block();
        // The message's own program panics: an error, allowed or not (as in Gear).
        for allow in [false, true] {
            let err = Gear::calculate_gas_info(
                alice(),
                HandleKind::Handle(failures),
                b"panic".to_vec(),
                0,
                allow,
                None,
            )
            .unwrap_err();
            assert!(
                err.starts_with("Program terminated with a trap (UserspacePanic)")
                    && err.contains("failed on purpose"),
                "{err}"
            );
        }
        // The factory creates a proxy whose init panics (its payload must be a 32-byte id):
        // another program's panic, an error only when not allowed.
        let counter = CodeId::generate(gear_examples::proxy());
        let err = Gear::calculate_gas_info(
            alice(),
            HandleKind::Handle(factory),
            counter.as_ref().to_vec(),
            0,
            false,
            None,
        )
        .unwrap_err();
        assert!(
            err.starts_with("Program terminated with a trap in program"),
            "{err}"
        );
        let info = check_exact(HandleKind::Handle(factory), counter.as_ref(), true);
        assert!(info.min_limit > 0);
        check_exact(HandleKind::Handle(failures), b"other", false);
    });
}

#[test]
fn refusals_say_what_is_wrong() {
    run_test(|| {
        let program = upload(gear_examples::failures(), b"", vec![]);
        run_to_next_block();
        let calc = |kind: HandleKind, payload: &[u8], initial: Option<u64>| {
            Gear::calculate_gas_info(alice(), kind, payload.to_vec(), 0, false, initial)
                .unwrap_err()
        };
        let unknown = ActorId::from([7u8; 32]);
        assert_eq!(
            calc(HandleKind::Handle(unknown), b"", None),
            "send_message would fail: ProgramNotFound"
        );
        let err = calc(HandleKind::Init(b"not wasm".to_vec()), b"", None);
        assert!(err.starts_with("code rejected: "), "{err}");
        let err = calc(HandleKind::Handle(program), b"loop", None);
        assert!(
            err.starts_with("out of gas: the message needs more than"),
            "{err}"
        );
        let err = calc(HandleKind::Handle(program), b"recurse", None);
        assert!(
            err.starts_with("Program terminated with a trap (StackLimitExceeded)"),
            "{err}"
        );
        assert_eq!(
            calc(
                HandleKind::Reply(
                    MessageId::from([3u8; 32]),
                    ReplyCode::Success(SuccessReplyReason::Manual)
                ),
                b"",
                None
            ),
            "send_reply would fail: MessageNotFound"
        );
        assert_eq!(
            calc(HandleKind::InitByHash(CodeId::from([5u8; 32])), b"", None),
            "create_program would fail: CodeDoesntExist"
        );
        let err = calc(HandleKind::Handle(program), b"", Some(BLOCK_GAS_LIMIT + 1));
        assert!(err.contains("above the block gas limit"), "{err}");
        let err = calc(HandleKind::Handle(program), b"other", Some(1_000));
        assert!(err.starts_with("out of gas"), "{err}");
        // A dry run leaves nothing behind.
        assert_eq!(crate::messenger::Pallet::<Test>::queue_len(), 0);
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
    });
}

#[test]
fn reply_for_handle_is_the_programs_answer() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        let failures = upload(gear_examples::failures(), b"", vec![]);
        run_to_next_block();
        let alice_before = Balances::free_balance(ALICE);
        let reply =
            Gear::calculate_reply_for_handle(alice(), ping.into_bytes(), b"PING".to_vec(), GAS, 0)
                .unwrap();
        assert_eq!(reply.payload, b"PONG");
        assert_eq!(reply.code, ReplyCode::Success(SuccessReplyReason::Manual));
        let reply = Gear::calculate_reply_for_handle(
            alice(),
            failures.into_bytes(),
            b"panic".to_vec(),
            GAS,
            0,
        )
        .unwrap();
        assert_eq!(
            reply.code,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::UserspacePanic
            ))
        );
        assert_eq!(
            Gear::calculate_reply_for_handle(alice(), [7; 32], vec![], GAS, 0).unwrap_err(),
            "send_message would fail: ProgramNotFound"
        );
        assert_eq!(Balances::free_balance(ALICE), alice_before);
        assert_eq!(crate::messenger::Pallet::<Test>::queue_len(), 0);
    });
}

#[test]
fn reservations_kept_or_removed_by_an_exit_are_exact() {
    run_test(|| {
        let code = gear_examples::reserver(8);
        let keeper = upload(&code, b"keeper", vec![]);
        let leaver = upload(&code, b"leaver", vec![]);
        run_to_next_block();
        // Eight reservations kept (the program's first stored page besides), or made and
        // removed by an exit in the same dispatch.
        let kept = check_exact(HandleKind::Handle(keeper), &[0], false);
        let left = check_exact(HandleKind::Handle(leaver), &[2], false);
        assert!(kept.reserved > 0 && left.reserved > 0);
    });
}
