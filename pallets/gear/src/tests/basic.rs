//! The basics: upload, ping, counter, sails, panics, bad input, queue budget.

use super::*;

#[test]
fn ping_answers_pong_in_the_same_block() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"salt", vec![]);
        assert!(gear_events()
            .iter()
            .any(|e| matches!(e, Event::CodeChanged { .. })));
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::ProgramChanged {
                change: ProgramChangeKind::ProgramSet { .. },
                ..
            }
        )));
        run_to_next_block();
        assert!(matches!(
            crate::program::ProgramStorage::<Test>::get(ping),
            Some(Program::Active(p)) if p.state == ProgramState::Initialized
        ));
        // The init's auto reply reached Alice.
        assert_eq!(last_reply().1, ReplyCode::Success(SuccessReplyReason::Auto));

        send(ping, b"PING".to_vec(), GAS);
        // Processed in `on_idle` of the block it was sent in.
        Gear::on_idle(
            System::block_number(),
            polkadot_sdk::frame_support::weights::Weight::MAX,
        );
        assert_eq!(
            last_reply(),
            (
                b"PONG".to_vec(),
                ReplyCode::Success(SuccessReplyReason::Manual)
            )
        );
        let dispatched = gear_events().into_iter().rev().find_map(|e| match e {
            Event::MessagesDispatched { statuses, .. } => Some(statuses),
            _ => None,
        });
        assert!(dispatched
            .unwrap()
            .values()
            .all(|s| *s == DispatchStatus::Success));
    });
}

#[test]
fn a_sails_program_runs_on_chain() {
    run_test(|| {
        // Sails' header: "GM", version 1, length 16, interface id, entry id, route, reserved.
        let header = |interface: [u8; 8], entry: u16, route: u8| {
            let mut header = vec![0x47, 0x4d, 0x01, 0x10];
            header.extend_from_slice(&interface);
            header.extend_from_slice(&entry.to_le_bytes());
            header.extend_from_slice(&[route, 0]);
            header
        };
        let counter_interface = [0xa3, 0x12, 0x5f, 0x3d, 0xbd, 0x07, 0xb0, 0x0c];
        let program = upload(gear_examples::sails(), b"", header([0; 8], 0, 0));
        run_to_next_block();
        let mut add = header(counter_interface, 0, 1);
        add.extend(5u32.encode());
        send(program, add, GAS);
        run_to_next_block();
        let (payload, code) = last_reply();
        assert_eq!(code, ReplyCode::Success(SuccessReplyReason::Manual));
        let mut expected = header(counter_interface, 0, 1);
        expected.extend(5u32.encode());
        assert_eq!(payload, expected);
    });
}

#[test]
fn counter_state_survives_between_messages() {
    run_test(|| {
        let counter = upload(gear_examples::counter(), b"", vec![]);
        run_to_next_block();
        send(counter, 5u64.encode(), GAS);
        run_to_next_block();
        assert_eq!(u64::decode(&mut &last_reply().0[..]).unwrap(), 5);
        send(counter, 7u64.encode(), GAS);
        run_to_next_block();
        let (payload, code) = last_reply();
        assert_eq!(code, ReplyCode::Success(SuccessReplyReason::Manual));
        assert_eq!(u64::decode(&mut &payload[..]).unwrap(), 12);
        assert!(crate::program::PagesCount::<Test>::get(counter) > 0);
    });
}

#[test]
fn panic_gives_an_error_reply_with_the_message_and_the_program_goes_on() {
    run_test(|| {
        let counter = upload(gear_examples::counter(), b"", vec![]);
        run_to_next_block();
        send(counter, 3u64.encode(), GAS);
        run_to_next_block();
        send(counter, vec![1, 2, 3], GAS);
        run_to_next_block();
        let (payload, code) = last_reply();
        assert_eq!(
            code,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::UserspacePanic
            ))
        );
        let text = String::from_utf8_lossy(&payload);
        assert!(
            text.contains("payload must be a SCALE u64"),
            "panic message: {text}"
        );
        // The trap discarded nothing of the earlier state, and the program still serves.
        send(counter, 4u64.encode(), GAS);
        run_to_next_block();
        assert_eq!(u64::decode(&mut &last_reply().0[..]).unwrap(), 7);
    });
}

#[test]
fn infinite_loop_burns_exactly_its_gas_and_value_is_conserved() {
    run_test(|| {
        let before = held_total();
        let author_before = Balances::free_balance(AUTHOR);
        let looping = upload(&gear_examples::infinite_loop(), b"", vec![]);
        run_to_next_block();
        let alice_after_init = Balances::free_balance(ALICE);
        let author_after_init = Balances::free_balance(AUTHOR);
        send(looping, vec![], GAS);
        run_to_next_block();
        assert_eq!(
            last_reply().1,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::RanOutOfGas
            ))
        );
        // Alice paid exactly the gas limit (value per gas is 1), all of it went to the author.
        assert_eq!(
            alice_after_init - Balances::free_balance(ALICE),
            u128::from(GAS)
        );
        assert_eq!(
            Balances::free_balance(AUTHOR) - author_after_init,
            u128::from(GAS)
        );
        assert!(Balances::free_balance(AUTHOR) > author_before);
        assert_eq!(held_total(), before);
        // The bank holds nothing but its existential deposit once all messages ended.
        assert_eq!(
            Balances::free_balance(Gear::bank_account()),
            EXISTENTIAL_DEPOSIT + deposits()
        );
        assert!(crate::bank::UnpaidBurnedValue::<Test>::get().is_zero());
    });
}

#[test]
fn bad_code_is_refused_with_its_own_error_and_nothing_changes() {
    run_test(|| {
        let balance = Balances::free_balance(ALICE);
        let upload = |code: Vec<u8>| {
            Gear::upload_program(
                RuntimeOrigin::signed(ALICE),
                code,
                vec![],
                vec![],
                GAS,
                0,
                false,
            )
        };
        assert_noop!(
            upload(b"definitely not wasm".to_vec()),
            Error::<Test>::ProgramConstructionFailed
        );
        assert_noop!(
            upload(gear_examples::unknown_import()),
            Error::<Test>::UnknownImport
        );
        assert_noop!(
            Gear::upload_code(
                RuntimeOrigin::signed(ALICE),
                vec![0, 97, 115, 109, 1, 0, 0, 0]
            ),
            Error::<Test>::InvalidSection
        );
        assert_eq!(Balances::free_balance(ALICE), balance);
        assert_eq!(Gear::queue_len(), 0);
    });
}

#[test]
fn bad_messages_are_refused_and_nothing_changes() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        run_to_next_block();
        let balance = Balances::free_balance(ALICE);
        let send = |who, destination: ActorId, gas| {
            Gear::send_message(
                RuntimeOrigin::signed(who),
                H256(destination.into_bytes()),
                vec![],
                gas,
                0,
                false,
            )
        };
        assert_noop!(
            send(ALICE, ActorId::from(42u64), GAS),
            Error::<Test>::ProgramNotFound
        );
        assert_noop!(
            send(ALICE, ping, BLOCK_GAS_LIMIT + 1),
            Error::<Test>::GasLimitTooHigh
        );
        let poor = polkadot_sdk::sp_runtime::AccountId32::new([7; 32]);
        assert_noop!(send(poor, ping, GAS), Error::<Test>::InsufficientBalance);
        assert_noop!(
            Gear::upload_program(
                RuntimeOrigin::signed(ALICE),
                gear_examples::ping().to_vec(),
                vec![],
                vec![],
                GAS,
                0,
                false
            ),
            Error::<Test>::ProgramAlreadyExists
        );
        assert_noop!(
            Gear::upload_code(RuntimeOrigin::signed(ALICE), gear_examples::ping().to_vec()),
            Error::<Test>::CodeAlreadyExists
        );
        assert_eq!(Balances::free_balance(ALICE), balance);
    });
}

#[test]
fn queue_waits_when_the_budget_is_spent_and_keeps_order() {
    run_test(|| {
        let counter = upload(gear_examples::counter(), b"", vec![]);
        run_to_next_block();
        send(counter, 1u64.encode(), GAS);
        send(counter, 2u64.encode(), GAS);
        // A budget smaller than one message's gas limit processes nothing.
        let mut meter = WeightMeter::with_limit(
            polkadot_sdk::frame_support::weights::Weight::from_parts(GAS, u64::MAX),
        );
        Gear::run_queue(&mut meter);
        assert_eq!(Gear::queue_len(), 2);
        assert!(gear_events()
            .iter()
            .any(|e| matches!(e, Event::QueueNotProcessed)));
        run_to_next_block();
        assert_eq!(Gear::queue_len(), 0);
        let totals: Vec<u64> = user_messages()
            .iter()
            .rev()
            .take(2)
            .map(|m| u64::decode(&mut m.payload_bytes()).unwrap())
            .collect();
        assert_eq!(totals, vec![3, 1]);
    });
}

#[test]
fn a_dispatch_is_charged_the_queues_cost_once_per_block() {
    use polkadot_sdk::frame_support::weights::Weight;
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        let proxy = upload(gear_examples::proxy(), b"", ping.into_bytes().to_vec());
        run_to_next_block();
        // This test runs the queue several times in one block, each run with its own view of
        // what was loaded: without the give-back its charges compare exactly.
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        let run = || {
            let mut meter = WeightMeter::with_limit(Weight::MAX);
            Gear::run_queue(&mut meter);
            meter.consumed()
        };
        let last_entry = || {
            crate::messenger::DispatchSizes::<Test>::get(crate::messenger::Tail::<Test>::get() - 1)
        };
        // One PING first, so that the measured two find the same state.
        send(ping, b"PING".to_vec(), GAS);
        run();

        // `send_message`'s weight holds the queue's cost of its dispatch: in the same block the
        // queue does not charge it again.
        send(ping, b"PING".to_vec(), GAS);
        let height = System::block_number() as u32;
        assert_eq!(last_entry().prepaid_in, Some(height));
        let prepaid = run();
        assert_eq!(last_reply().0, b"PONG".to_vec());

        // The same message run in a later block (a backlog) pays it to that block.
        send(ping, b"PING".to_vec(), GAS);
        System::set_block_number(System::block_number() + 1);
        let unpaid = run();
        assert_eq!(last_reply().0, b"PONG".to_vec());
        assert_eq!(unpaid, prepaid.saturating_add(Gear::dispatch_overhead()));
        assert!(Gear::dispatch_overhead().ref_time() > 0);

        // A program's messages were paid by no extrinsic: charged when they run. A run that
        // may produce one message only (the output budget) stops with the proxy's message to
        // ping queued.
        QueueOutputPerBlock::set(Gear::max_dispatch_output() as u32 + 3);
        send(proxy, b"PING".to_vec(), GAS);
        assert_eq!(last_entry().prepaid_in, Some(System::block_number() as u32));
        run();
        assert_eq!(Gear::queue_len(), 1);
        let forwarded =
            crate::messenger::Dispatches::<Test>::get(crate::messenger::Tail::<Test>::get() - 1)
                .unwrap();
        assert_eq!((forwarded.source(), forwarded.destination()), (proxy, ping));
        assert_eq!(last_entry().prepaid_in, None);
    });
}

#[test]
fn a_dispatch_run_in_its_extrinsics_block_gives_back_the_keys_it_finds_there() {
    use crate::internal::queue::{ENTRY_KEYS, GAS_TREE_KEYS, PROGRAM_READS, PROGRAM_WRITES};
    use polkadot_sdk::frame_support::weights::{RuntimeDbWeight, Weight};
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        run_to_next_block();
        // One PING first, so that the measured ones find the same state.
        send(ping, b"PING".to_vec(), GAS);
        run_to_next_block();
        // `send_message` from Alice; the weight it used.
        let send_to_with = |program: ActorId, payload: &[u8]| {
            Gear::send_message(
                RuntimeOrigin::signed(ALICE),
                H256(program.into_bytes()),
                payload.to_vec(),
                GAS,
                0,
                false,
            )
            .unwrap()
            .actual_weight
        };
        let send_to = |program: ActorId| send_to_with(program, b"PING");
        let send = || send_to(ping);
        let run = || {
            let mut meter = WeightMeter::with_limit(Weight::MAX);
            Gear::run_queue(&mut meter);
            assert_eq!(Gear::queue_len(), 0);
            meter.consumed()
        };
        let warm_flag = || {
            crate::messenger::DispatchSizes::<Test>::get(crate::messenger::Tail::<Test>::get() - 1)
                .warm
        };
        let declared = Gear::send_message_weight(4);
        let db: RuntimeDbWeight = <Test as frame_system::Config>::DbWeight::get();
        // Written by the extrinsic: the entry, its size and the gas tree; read too: the
        // sender's account, which paid the gas.
        let keys = ENTRY_KEYS + GAS_TREE_KEYS;
        // Besides the dispatch's keys, the extrinsic's own writes of those it creates count as
        // reads (`transient_saving`).
        let given = |reads, writes| {
            Some(
                declared
                    .saturating_sub(Weight::from_parts(
                        db.reads_writes(reads, writes).ref_time(),
                        0,
                    ))
                    .saturating_sub(Gear::transient_saving().saturating_mul(keys)),
            )
        };
        let reads = keys + 1;
        assert!(Gear::dispatch_overhead().all_gt(Weight::from_parts(
            db.reads_writes(reads + PROGRAM_READS, keys + PROGRAM_WRITES)
                .ref_time(),
            0
        )));

        // The queue was empty as the block started: the queue entry and its size and the gas
        // tree's root node and record are written by the extrinsic and found by the dispatch in
        // the block's changes, with the sender's account.
        assert!(crate::messenger::DrainedAtBlockStart::<Test>::get());
        assert_eq!(send(), given(reads, keys));
        assert!(!warm_flag());
        // The next message to the same program finds the program's keys read and written by
        // the one before it, too.
        assert_eq!(send(), given(reads + PROGRAM_READS, keys + PROGRAM_WRITES));
        assert!(warm_flag());
        // The queue runs both in this block, charging neither its cost again nor the warm one's
        // program keys (ping stores the same pages every time): a block without the flags (a
        // backlog) is charged as much for the same two.
        let warm_run = run();
        assert_eq!(last_reply().0, b"PONG".to_vec());
        run_to_next_block();
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        assert_eq!(send(), Some(declared));
        assert_eq!(send(), Some(declared));
        assert!(!warm_flag());
        assert_eq!(run(), warm_run);

        // A warm entry whose program the run did not load before it (a builtin actor loads
        // nothing) is charged its program keys by the queue.
        run_to_next_block();
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        send_to(crate::mock::ECHO);
        send_to(crate::mock::ECHO);
        let cold = run();
        run_to_next_block();
        assert!(crate::messenger::DrainedAtBlockStart::<Test>::get());
        send_to(crate::mock::ECHO);
        assert_eq!(
            send_to(crate::mock::ECHO),
            given(reads + PROGRAM_READS, keys + PROGRAM_WRITES)
        );
        assert!(warm_flag());
        assert_eq!(run(), cold.saturating_add(Gear::warm_fixup()));

        // A warm entry that changes its program's memory layout (here: it exits, which removes
        // the memory the entry before it allocated) is charged its program keys by the queue.
        let hoarders: Vec<ActorId> = [b"one", b"two"]
            .iter()
            .map(|salt| upload(&gear_examples::hoarder(1), *salt, vec![]))
            .collect();
        run_to_next_block();
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        send_to_with(hoarders[0], b"keep");
        send_to_with(hoarders[0], b"x");
        let cold = run();
        run_to_next_block();
        send_to_with(hoarders[1], b"keep");
        send_to_with(hoarders[1], b"x");
        assert!(warm_flag());
        assert_eq!(run(), cold.saturating_add(Gear::warm_fixup()));
        for hoarder in hoarders {
            assert!(matches!(
                crate::program::ProgramStorage::<Test>::get(hoarder),
                Some(Program::Exited(_))
            ));
        }

        // A block that starts with a backlog gives nothing back: the dispatch may run in a
        // later block, where its keys come from the database.
        run_to_next_block();
        send();
        let now = System::block_number();
        Gear::on_finalize(now);
        System::set_block_number(now + 1);
        Gear::on_initialize(now + 1);
        assert!(!crate::messenger::DrainedAtBlockStart::<Test>::get());
        assert_eq!(send(), Some(declared));
        run();
        // The flags live for one block: `on_finalize` removes them, so they are never stored.
        Gear::on_finalize(System::block_number());
        assert!(!crate::messenger::DrainedAtBlockStart::<Test>::exists());
        assert!(!crate::messenger::LastPrepaidDestination::<Test>::exists());
        assert!(!crate::messenger::TransientKeys::<Test>::exists());
    });
}

#[test]
fn keys_created_and_removed_in_one_block_are_charged_as_reads_and_as_writes_when_they_stay() {
    use crate::{
        internal::queue::{ENTRY_KEYS, GAS_TREE_KEYS},
        weights::WeightInfo,
    };
    use polkadot_sdk::frame_support::weights::Weight;
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        let proxy = upload(gear_examples::proxy(), b"", ping.into_bytes().to_vec());
        run_to_next_block();
        send(ping, b"PING".to_vec(), GAS);
        send(proxy, b"PING".to_vec(), GAS);
        run_to_next_block();
        let saving = Gear::transient_saving();
        assert!(saving.ref_time() > 0);
        let keys = (ENTRY_KEYS + GAS_TREE_KEYS) as u32;
        let send_to = |program: ActorId| {
            Gear::send_message(
                RuntimeOrigin::signed(ALICE),
                H256(program.into_bytes()),
                b"PING".to_vec(),
                GAS,
                0,
                false,
            )
            .unwrap()
            .actual_weight
            .unwrap()
        };
        let last_entry = || {
            crate::messenger::DispatchSizes::<Test>::get(crate::messenger::Tail::<Test>::get() - 1)
        };
        let run_with = |limit: Weight| {
            let mut meter = WeightMeter::with_limit(limit);
            Gear::run_queue(&mut meter);
            meter.consumed()
        };
        let run = || run_with(Weight::MAX);

        // A block that started without a backlog: the entry, its size and the gas tree are
        // created by the extrinsic; the block's allowance counts them.
        assert!(crate::messenger::DrainedAtBlockStart::<Test>::get());
        let transient = send_to(ping);
        assert_eq!(last_entry().transient_keys, keys as u8);
        assert_eq!(crate::messenger::TransientKeys::<Test>::get(), keys);
        // A run that cannot afford the dispatch leaves it for a later block, where its keys
        // reach the database: it charges their writes, kept back from the start of the run.
        let short = <Test as crate::Config>::WeightInfo::queue_run(0)
            .saturating_add(saving.saturating_mul(keys.into()));
        let consumed = run_with(Weight::from_parts(short.ref_time(), u64::MAX));
        assert_eq!(Gear::queue_len(), 1);
        assert_eq!(consumed.ref_time(), short.ref_time());
        assert_eq!(crate::messenger::TransientKeys::<Test>::get(), 0);
        // The next block has a backlog: it gives nothing back and pays the dispatch.
        run_to_next_block();
        assert_eq!(Gear::queue_len(), 0);
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        let declared = send_to(ping);
        assert_eq!(declared, Gear::send_message_weight(4));
        assert_eq!(last_entry().transient_keys, 0);
        // The first one's entry, size and gas tree read and written by the dispatch and the
        // sender's account read (the older give-back), and its own four writes as reads.
        let db = <Test as frame_system::Config>::DbWeight::get();
        let keys64 = u64::from(keys);
        assert_eq!(
            transient,
            declared
                .saturating_sub(Weight::from_parts(
                    db.reads_writes(keys64 + 1, keys64).ref_time(),
                    0
                ))
                .saturating_sub(saving.saturating_mul(keys64))
        );
        run();

        // Served in its block, a dispatch that leaves no gas tree costs the run nothing more
        // than without the saving; one that leaves its tree (the proxy waits for ping's
        // reply) is charged the tree's two writes.
        for (program, stays) in [(ping, 0), (proxy, GAS_TREE_KEYS)] {
            run_to_next_block();
            crate::messenger::DrainedAtBlockStart::<Test>::kill();
            send_to(program);
            let full = run();
            run_to_next_block();
            assert!(crate::messenger::DrainedAtBlockStart::<Test>::get());
            send_to(program);
            assert_eq!(
                run(),
                full.saturating_add(saving.saturating_mul(stays)),
                "{program:?}"
            );
        }

        // Every check of the run keeps the writes back: with two flagged PINGs queued, the
        // smallest meter that runs the first one is larger by exactly the writes of both than
        // for the same two without the saving.
        let threshold = || {
            let serves = |limit: u64| {
                polkadot_sdk::frame_support::storage::with_transaction(|| {
                    let before = Gear::queue_len();
                    run_with(Weight::from_parts(limit, u64::MAX));
                    polkadot_sdk::sp_runtime::TransactionOutcome::Rollback(Ok::<
                        _,
                        polkadot_sdk::sp_runtime::DispatchError,
                    >(
                        Gear::queue_len() < before,
                    ))
                })
                .unwrap()
            };
            let (mut low, mut high) = (0u64, 100 * GAS);
            assert!(serves(high));
            while low + 1 < high {
                let middle = low + (high - low) / 2;
                if serves(middle) {
                    high = middle;
                } else {
                    low = middle;
                }
            }
            high
        };
        run_to_next_block();
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        send_to(ping);
        send_to(ping);
        let without = threshold();
        run();
        run_to_next_block();
        send_to(ping);
        send_to(ping);
        assert_eq!(crate::messenger::TransientKeys::<Test>::get(), 2 * keys);
        assert_eq!(
            threshold(),
            without + saving.ref_time() * u64::from(2 * keys)
        );
        run();

        // Once the block's queue has run (`on_idle`), a message queued after it (an XCM
        // `Transact` executed by a later `on_idle`) runs in a later block: it gives nothing
        // back.
        run_to_next_block();
        let now = System::block_number();
        Gear::on_idle(now, Weight::from_parts(2_000_000_000_000, 5 * 1024 * 1024));
        assert!(!crate::messenger::DrainedAtBlockStart::<Test>::get());
        assert_eq!(send_to(ping), declared);
        assert_eq!(last_entry().transient_keys, 0);

        // The allowance (half of the queue's share) is the most a block counts.
        run_to_next_block();
        let max = Gear::max_transient_keys();
        assert!(
            u64::from(max) * saving.ref_time()
                <= <Test as crate::Config>::ServiceWeight::get().ref_time() / 2
        );
        crate::messenger::TransientKeys::<Test>::put(max - keys + 1);
        send_to(ping);
        assert_eq!(last_entry().transient_keys, 0);
        assert_eq!(
            crate::messenger::TransientKeys::<Test>::get(),
            max - keys + 1
        );
        run();
    });
}

/// Sends `program` the one byte that makes it exit, runs the queue once and returns what the
/// run charged besides the gas burned (paid to the block author, one unit per gas in this
/// mock, with any reservations' rent).
fn exit_charge(program: ActorId) -> u64 {
    use polkadot_sdk::frame_support::weights::Weight;
    let author = Balances::free_balance(AUTHOR);
    send(program, b"x".to_vec(), GAS);
    let mut meter = WeightMeter::with_limit(Weight::MAX);
    Gear::run_queue(&mut meter);
    assert!(matches!(
        crate::program::ProgramStorage::<Test>::get(program),
        Some(Program::Exited(_))
    ));
    assert_eq!(crate::program::PagesCount::<Test>::get(program), 0);
    let burned = (Balances::free_balance(AUTHOR) - author) as u64;
    meter.consumed().ref_time() - burned
}

#[test]
fn a_program_that_ends_is_charged_the_removal_of_its_pages() {
    run_test(|| {
        // Two programs of one code (the same translation): one holds a page, the other
        // allocates four WASM pages and writes every 16 KiB page of them.
        let code = gear_examples::hoarder(4);
        let light = upload(&code, b"light", vec![]);
        let heavy = upload(&code, b"heavy", vec![]);
        run_to_next_block();
        send(heavy, b"keep".to_vec(), GAS);
        run_to_next_block();
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        // One byte makes a hoarder exit.
        let exit = |program: ActorId| {
            let held = crate::program::PagesCount::<Test>::get(program);
            (held, exit_charge(program))
        };
        let (light_pages, light_charge) = exit(light);
        let (heavy_pages, heavy_charge) = exit(heavy);
        assert!(
            heavy_pages >= light_pages + 16,
            "{heavy_pages} vs {light_pages}"
        );
        // Each page it held is a key its exit removed: a write the benchmarked dispatch does
        // not count, charged by the queue.
        assert_eq!(
            heavy_charge - light_charge,
            Gear::layout_writes(u64::from(heavy_pages - light_pages)).ref_time()
        );
    });
}

#[test]
fn a_program_that_ends_is_charged_the_removal_of_its_reservations() {
    let code = wat::parse_str(RESERVER).unwrap();
    run_test(|| {
        let none = upload(&code, b"none", vec![]);
        let five = upload(&code, b"five", vec![]);
        run_to_next_block();
        send(none, b"".to_vec(), GAS);
        send(five, b"12345".to_vec(), GAS);
        run_to_next_block();
        assert_eq!((reservations_of(none), reservations_of(five)), (0, 5));
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        let pages = |program: ActorId| u64::from(crate::program::PagesCount::<Test>::get(program));
        let extra_pages = pages(five) - pages(none);
        let (none_charge, five_charge) = (exit_charge(none), exit_charge(five));
        let expected = Gear::reservations_removal(5)
            .saturating_add(Gear::layout_writes(extra_pages))
            .ref_time();
        let difference = five_charge - none_charge;
        assert!(
            difference <= expected && difference + 1_000_000 > expected,
            "{difference} vs {expected}"
        );
    });
}

/// A program that, for a message of n bytes, exits (n = 1), unreserves the reservation it made
/// last (n = 2), or reserves gas n times (the last reservation's id at byte 68).
const RESERVER: &str = r#"(module
  (import "env" "memory" (memory 1))
  (import "env" "gr_size" (func $gr_size (param i32)))
  (import "env" "gr_source" (func $gr_source (param i32)))
  (import "env" "gr_exit" (func $gr_exit (param i32)))
  (import "env" "gr_reserve_gas" (func $gr_reserve_gas (param i64 i32 i32)))
  (import "env" "gr_unreserve_gas" (func $gr_unreserve_gas (param i32 i32)))
  (export "init" (func $init))
  (export "handle" (func $handle))
  (func $init)
  (func $handle (local $i i32)
    (call $gr_size (i32.const 0))
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 1))
      (then
        (call $gr_source (i32.const 32))
        (call $gr_exit (i32.const 32))))
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 2))
      (then
        (call $gr_unreserve_gas (i32.const 68) (i32.const 128))
        (return)))
    (local.set $i (i32.load (i32.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $i)))
        (call $gr_reserve_gas (i64.const 1000000) (i32.const 100) (i32.const 64))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $next)))))"#;

fn reservations_of(program: ActorId) -> u64 {
    match crate::program::ProgramStorage::<Test>::get(program) {
        Some(Program::Active(active)) => active.gas_reservation_map.len() as u64,
        _ => 0,
    }
}

#[test]
fn a_reservation_pays_its_removal_from_the_gas_of_the_dispatch_that_makes_it() {
    let code = wat::parse_str(RESERVER).unwrap();
    run_test(|| {
        let three = upload(&code, b"three", vec![]);
        let six = upload(&code, b"six", vec![]);
        run_to_next_block();
        // The gas each dispatch burned (paid to the block author; reservations' rent is held,
        // not paid, while they exist).
        let burned = |program: ActorId, payload: &[u8]| {
            let author = Balances::free_balance(AUTHOR);
            send(program, payload.to_vec(), GAS);
            run_to_next_block();
            (Balances::free_balance(AUTHOR) - author) as u64
        };
        let (three_burned, six_burned) = (burned(three, b"abc"), burned(six, b"abcdef"));
        assert_eq!((reservations_of(three), reservations_of(six)), (3, 6));
        // Whatever removes them later in the same dispatch (an exit, a send from one), the
        // queue does not count it: their gas did.
        let removal = Gear::reservations_removal(1).ref_time();
        let difference = six_burned - three_burned;
        assert!(
            difference >= 3 * removal && difference < 4 * removal,
            "{difference} vs {removal}"
        );
    });
}

#[test]
fn reservations_that_stay_give_their_removal_back_to_the_block() {
    use polkadot_sdk::frame_support::weights::Weight;
    let code = wat::parse_str(RESERVER).unwrap();
    run_test(|| {
        let three = upload(&code, b"three", vec![]);
        let six = upload(&code, b"six", vec![]);
        run_to_next_block();
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        // The gas a dispatch burned less what the block was charged for it.
        let given_back = |program: ActorId, payload: &[u8]| {
            let author = Balances::free_balance(AUTHOR);
            send(program, payload.to_vec(), GAS);
            let mut meter = WeightMeter::with_limit(Weight::MAX);
            Gear::run_queue(&mut meter);
            let burned = (Balances::free_balance(AUTHOR) - author) as u64;
            burned as i128 - meter.consumed().ref_time() as i128
        };
        let (three_back, six_back) = (given_back(three, b"abc"), given_back(six, b"abcdef"));
        assert_eq!((reservations_of(three), reservations_of(six)), (3, 6));
        // Their fees paid their removal; a later block removes them (and is charged then).
        let removal = Gear::reservations_removal(1).ref_time() as i128;
        let difference = six_back - three_back;
        assert!(
            (difference - 3 * removal).abs() < 1_000_000,
            "{difference} vs {removal}"
        );
    });
}

#[test]
fn a_dispatch_that_unreserves_a_reservation_it_found_is_charged_its_removal() {
    use polkadot_sdk::frame_support::weights::Weight;
    let code = wat::parse_str(RESERVER).unwrap();
    run_test(|| {
        let program = upload(&code, b"", vec![]);
        run_to_next_block();
        send(program, b"abc".to_vec(), GAS);
        run_to_next_block();
        assert_eq!(reservations_of(program), 3);
        crate::messenger::DrainedAtBlockStart::<Test>::kill();
        // What a run of the unreserving message charged besides the gas it burned (and the
        // rent the removal paid to the block author).
        let unreserve_charge = || {
            let author = Balances::free_balance(AUTHOR);
            send(program, b"un".to_vec(), GAS);
            let mut meter = WeightMeter::with_limit(Weight::MAX);
            Gear::run_queue(&mut meter);
            let burned = (Balances::free_balance(AUTHOR) - author) as u64;
            meter.consumed().ref_time() - burned
        };
        let removed = unreserve_charge();
        assert_eq!(reservations_of(program), 2);
        // The same reservation again: already removed, so the call fails and removes nothing.
        let failed = unreserve_charge();
        assert_eq!(reservations_of(program), 2);
        let expected = Gear::reservations_removal(1).ref_time();
        let difference = removed.saturating_sub(failed);
        assert!(
            difference <= expected && difference + 1_000_000 > expected,
            "{difference} vs {expected}"
        );
    });
}

#[test]
fn every_dispatch_pays_its_codes_translation_and_the_block_counts_those_done() {
    use polkadot_sdk::frame_support::weights::Weight;
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        run_to_next_block();
        let code_id = CodeId::generate(gear_examples::ping());
        let instrumented = crate::program::InstrumentedCodeStorage::<Test>::get(code_id)
            .unwrap()
            .0
            .len() as u64;
        let translation = crate::COMPILE_PS_PER_BYTE * instrumented;
        // Sends PINGs with these gas limits and runs the queue once (one engine): the gas
        // burned (its value goes to the block author, one unit per gas in this mock) and the
        // ref-time the queue's meter consumed.
        let run = |messages: Vec<u64>| {
            let author = Balances::free_balance(AUTHOR);
            for gas in messages {
                send(ping, b"PING".to_vec(), gas);
            }
            let mut meter = WeightMeter::with_limit(Weight::MAX);
            Gear::run_queue(&mut meter);
            (
                (Balances::free_balance(AUTHOR) - author) as u64,
                meter.consumed().ref_time(),
            )
        };
        // One PING first, so that the measured ones find the same state.
        run(vec![GAS]);
        let (one, one_work) = run(vec![GAS]);
        assert!(
            translation > one / 4,
            "a real share of a PING's gas: {translation} of {one}"
        );

        // The second PING of a run burns as much (the gas a message needs does not depend on
        // what ran before it), but the engine translates the code once: the block counts it once.
        let (two, two_work) = run(vec![GAS, GAS]);
        assert_eq!(two, 2 * one);
        assert_eq!(two_work - one_work, one - translation);

        // A gas estimate is what any block burns.
        let estimate = Gear::calculate_gas_info(
            actor(&ALICE).into_bytes(),
            gear_primitives::HandleKind::Handle(ping),
            b"PING".to_vec(),
            0,
            false,
            None,
        )
        .unwrap();
        assert_eq!(estimate.burned, one);

        // Less gas than the translation: the message burns its limit and runs out of gas,
        // translating nothing.
        let (short, _) = run(vec![translation - 1]);
        assert_eq!(short, translation - 1);
        assert_eq!(
            last_reply().1,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::RanOutOfGas
            ))
        );
    });
}

#[test]
fn a_block_holds_at_most_its_output_budget_and_keeps_order() {
    run_test(|| {
        // Small limits: a dispatch may send 16 KiB, give created programs 16 KiB and reply
        // 48 KiB (80 KiB in all), and a queue run may produce 160 KiB: two full dispatches
        // fit, a third only while 80 KiB are left.
        let mut schedule = GearSchedule::get();
        schedule.limits.payload_len = 48 * 1024;
        GearSchedule::set(schedule);
        OutgoingBytesLimit::set(16 * 1024);
        QueueOutputPerBlock::set(160 * 1024);
        <Gear as polkadot_sdk::frame_support::traits::IntegrityTest>::integrity_test();

        let echo = upload(&gear_examples::echo(), b"", vec![]);
        run_to_next_block();
        for i in 0..5u8 {
            send(echo, vec![i; 40 * 1024], GAS);
        }
        let echoed = || {
            user_messages()
                .iter()
                .filter(|m| m.source() == echo && m.payload_bytes().len() == 40 * 1024)
                .map(|m| m.payload_bytes()[0])
                .collect::<Vec<_>>()
        };
        // 40 KiB each: after three (120 KiB) only 40 KiB are left, less than a dispatch's 80.
        run_to_next_block();
        assert_eq!(echoed(), vec![0, 1, 2]);
        assert_eq!(Gear::queue_len(), 2);
        // The rest in the next block, in order (events accumulate in this mock).
        run_to_next_block();
        assert_eq!(echoed(), vec![0, 1, 2, 3, 4]);
        assert_eq!(Gear::queue_len(), 0);
    });
}

#[test]
fn an_estimate_spans_queue_runs_when_the_output_budget_is_spent() {
    run_test(|| {
        // 16 KiB payloads and sends: a dispatch may produce 48 KiB, a queue run 96 KiB.
        let mut schedule = GearSchedule::get();
        schedule.limits.payload_len = 16 * 1024;
        GearSchedule::set(schedule);
        OutgoingBytesLimit::set(16 * 1024);
        QueueOutputPerBlock::set(96 * 1024);
        let echo = upload(&gear_examples::echo(), b"", vec![]);
        let inner = upload(gear_examples::proxy(), b"inner", echo.into_bytes().to_vec());
        let outer = upload(
            gear_examples::proxy(),
            b"outer",
            inner.into_bytes().to_vec(),
        );
        run_to_next_block();
        // outer → inner → echo and the answers back: five 16 KiB payloads, more than a run
        // may produce while keeping 48 KiB in hand, so the estimate needs a second run, as the
        // real message needs a second block.
        let payload = vec![7u8; 16 * 1024];
        let info = Gear::calculate_gas_info(
            actor(&ALICE).into_bytes(),
            gear_primitives::HandleKind::Handle(outer),
            payload.clone(),
            0,
            false,
            None,
        )
        .unwrap_or_else(|e| panic!("an estimate across queue runs: {e}"));
        assert!(info.burned > 0 && !info.waited, "{info:?}");
        let id = send(outer, payload, 100_000_000_000);
        run_to_next_block();
        assert_eq!(reply_to(id), None, "the answer needs a second block");
        run_to_next_block();
        assert_eq!(
            reply_to(id).map(|(payload, code, _)| (payload.len(), code)),
            Some((16 * 1024, ReplyCode::Success(SuccessReplyReason::Manual)))
        );
    });
}
