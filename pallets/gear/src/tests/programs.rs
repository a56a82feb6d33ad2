//! Every example through the extrinsics and the queue, over several blocks: programs talking
//! to programs and to users.

use super::*;

/// Author's gain since `before`: all gas burned (value per gas is 1).
fn burned_since(before: u128) -> u128 {
    Balances::free_balance(AUTHOR) - before
}

#[test]
fn async_proxy_chain_of_three_answers_the_user() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"ping", vec![]);
        let inner = upload(gear_examples::proxy(), b"inner", ping.into_bytes().to_vec());
        let outer = upload(
            gear_examples::proxy(),
            b"outer",
            inner.into_bytes().to_vec(),
        );
        run_to_next_block();
        let alice = Balances::free_balance(ALICE);
        let author = Balances::free_balance(AUTHOR);
        let deposits_before = deposits();
        // gstd's async runtime sets 10e9 gas aside for a signal in each waiting program: three
        // hops need more than 20e9.
        let request = send(outer, b"PING".to_vec(), 3 * GAS);
        run_blocks(3);
        assert_eq!(
            reply_to(request),
            Some((
                b"PONG".to_vec(),
                ReplyCode::Success(SuccessReplyReason::Manual),
                0
            ))
        );
        // Both proxies waited and were woken by the replies.
        let waited = gear_events()
            .iter()
            .filter(|e| matches!(e, Event::MessageWaited { .. }))
            .count();
        let woken = gear_events()
            .iter()
            .filter(|e| matches!(e, Event::MessageWoken { .. }))
            .count();
        assert_eq!((waited, woken), (2, 2));
        assert_eq!(crate::messenger::Waitlist::<Test>::iter().count(), 0);
        // The request's whole gas tree settled: Alice paid exactly what was burned and the
        // storage deposit of the pages the programs now store besides.
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
        assert_eq!(
            alice - Balances::free_balance(ALICE),
            burned_since(author) + deposits() - deposits_before
        );
        assert_eq!(
            Balances::free_balance(Gear::bank_account()),
            EXISTENTIAL_DEPOSIT + deposits()
        );
    });
}

#[test]
fn value_goes_to_the_mailbox_and_is_claimed() {
    run_test(|| {
        let program = upload(gear_examples::value(), b"", vec![]);
        run_to_next_block();
        let alice = Balances::free_balance(ALICE);
        let author = Balances::free_balance(AUTHOR);
        let deposits_before = deposits();
        let request = send_value(ALICE, program, vec![], GAS, 1_000);
        run_to_next_block();
        // The program got 1000 and sent 500 back: it has 500 available.
        let (payload, code, _) = reply_to(request).expect("a reply");
        assert_eq!(code, ReplyCode::Success(SuccessReplyReason::Manual));
        assert_eq!(u128::decode(&mut &payload[..]).unwrap(), 500);
        let mail = mailbox(&ALICE);
        assert_eq!(mail.len(), 1);
        let (id, message) = &mail[0];
        assert_eq!(message.payload_bytes(), b"half back");
        assert_eq!(message.value(), 500);
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::UserMessageSent { expiration: Some(_), message } if message.id() == *id
        )));
        assert_ok!(Gear::claim_value(
            RuntimeOrigin::signed(ALICE),
            H256(id.into_bytes())
        ));
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::UserMessageRead {
                reason: Reason::Runtime(UserMessageReadRuntimeReason::MessageClaimed),
                ..
            }
        )));
        assert_noop!(
            Gear::claim_value(RuntimeOrigin::signed(ALICE), H256(id.into_bytes())),
            Error::<Test>::MessageNotFound
        );
        // The program gets Gear's auto reply for the claimed message.
        run_to_next_block();
        assert!(mailbox(&ALICE).is_empty());
        assert_eq!(crate::bank::ProgramBalances::<Test>::get(program), 500);
        // Exact to the gas: Alice lost the 500 the program kept, what was burned and the
        // deposit of the page the program now stores besides (its allocator's).
        assert_eq!(
            alice - Balances::free_balance(ALICE),
            500 + burned_since(author) + deposits() - deposits_before
        );
    });
}

#[test]
fn value_returns_with_the_error_reply_when_the_program_fails() {
    run_test(|| {
        let program = upload(gear_examples::failures(), b"", vec![]);
        run_to_next_block();
        let alice = Balances::free_balance(ALICE);
        let author = Balances::free_balance(AUTHOR);
        let request = send_value(ALICE, program, b"panic".to_vec(), GAS, 5_000);
        run_to_next_block();
        let (_, code, value) = reply_to(request).expect("an error reply");
        assert_eq!(
            code,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::UserspacePanic
            ))
        );
        assert_eq!(value, 5_000);
        assert_eq!(alice - Balances::free_balance(ALICE), burned_since(author));
        assert!(crate::bank::ProgramBalances::<Test>::get(program).is_zero());
    });
}

#[test]
fn failures_answer_with_gears_reasons() {
    run_test(|| {
        let program = upload(gear_examples::failures(), b"", vec![]);
        run_to_next_block();
        for (command, reason) in [
            (&b"loop"[..], SimpleExecutionError::RanOutOfGas),
            (b"recurse", SimpleExecutionError::StackLimitExceeded),
            (b"oom", SimpleExecutionError::MemoryOverflow),
        ] {
            let request = send(program, command.to_vec(), 5_000_000_000);
            run_to_next_block();
            let (_, code, _) = reply_to(request).expect("an error reply");
            assert_eq!(
                code,
                ReplyCode::Error(ErrorReplyReason::Execution(reason)),
                "{}",
                String::from_utf8_lossy(command)
            );
        }
        let request = send(program, b"other".to_vec(), GAS);
        run_to_next_block();
        assert_eq!(reply_to(request).unwrap().0, b"survived");
    });
}

#[test]
fn exit_leaves_the_balance_to_the_inheritor() {
    run_test(|| {
        let program = upload(&gear_examples::exit(), b"", vec![]);
        run_to_next_block();
        let alice = Balances::free_balance(ALICE);
        let author = Balances::free_balance(AUTHOR);
        let request = send_value(ALICE, program, vec![], GAS, 7_000);
        run_to_next_block();
        assert_eq!(
            crate::program::ProgramStorage::<Test>::get(program),
            Some(Program::Exited(actor(&ALICE)))
        );
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::ProgramChanged { id, change: ProgramChangeKind::Inactive } if *id == program
        )));
        assert_eq!(
            reply_to(request).unwrap().1,
            ReplyCode::Success(SuccessReplyReason::Auto)
        );
        // The 7000 came back as the inheritor's.
        assert_eq!(alice - Balances::free_balance(ALICE), burned_since(author));
        assert_noop!(
            Gear::send_message(
                RuntimeOrigin::signed(ALICE),
                H256(program.into_bytes()),
                vec![],
                GAS,
                0,
                false
            ),
            Error::<Test>::InactiveProgram
        );
    });
}

#[test]
fn waiter_waits_and_is_woken() {
    run_test(|| {
        let waiter = upload(gear_examples::waiter(), b"", vec![]);
        run_to_next_block();
        let wait = send(waiter, b"wait".to_vec(), GAS);
        run_to_next_block();
        assert!(crate::messenger::Waitlist::<Test>::contains_key(
            waiter, wait
        ));
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::MessageWaited {
                reason: Reason::Runtime(MessageWaitedRuntimeReason::WaitCalled),
                ..
            }
        )));
        let wake = send(waiter, b"wake".to_vec(), GAS);
        run_to_next_block();
        assert_eq!(reply_to(wake).unwrap().0, b"woke");
        assert_eq!(reply_to(wait).unwrap().0, b"resumed");

        // `wait_for 5` wakes by itself 5 blocks later.
        let wait_for = send(waiter, b"wait_for".to_vec(), GAS);
        run_blocks(4);
        assert!(reply_to(wait_for).is_none());
        run_blocks(2);
        assert_eq!(reply_to(wait_for).unwrap().0, b"resumed");
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::MessageWoken {
                reason: Reason::System(MessageWokenSystemReason::TimeoutHasCome),
                ..
            }
        )));

        // `wait_up_to 5` with gas for all 5 blocks also wakes by itself.
        let wait_up_to = send(waiter, b"wait_up_to".to_vec(), GAS);
        run_blocks(6);
        assert_eq!(reply_to(wait_up_to).unwrap().0, b"resumed");
        assert_eq!(crate::messenger::Waitlist::<Test>::iter().count(), 0);
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
    });
}

#[test]
fn factory_creates_a_program_that_answers() {
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
        run_to_next_block();
        let ping_code = CodeId::generate(gear_examples::ping());
        let request = send(factory, ping_code.into_bytes().to_vec(), GAS);
        run_blocks(2);
        let (payload, _, _) = reply_to(request).expect("the factory replied");
        let created = ActorId::decode(&mut &payload[..]).unwrap();
        assert_eq!(
            created,
            ActorId::generate_from_program(request, ping_code, request.as_ref())
        );
        assert!(matches!(
            crate::program::ProgramStorage::<Test>::get(created),
            Some(Program::Active(p)) if p.state == ProgramState::Initialized
        ));
        let ping = send(created, b"PING".to_vec(), GAS);
        run_to_next_block();
        assert_eq!(reply_to(ping).unwrap().0, b"PONG");
    });
}

#[test]
fn reservation_sends_and_expires() {
    run_test(|| {
        let program = upload(gear_examples::reservation(), b"", vec![]);
        run_to_next_block();
        send(program, b"reserve".to_vec(), GAS);
        run_to_next_block();
        let reservations = |p| match crate::program::ProgramStorage::<Test>::get(p) {
            Some(Program::Active(active)) => active.gas_reservation_map.len(),
            _ => 0,
        };
        assert_eq!(reservations(program), 1);
        send(program, b"send".to_vec(), GAS);
        run_to_next_block();
        // The message from the reservation carries the reservation's gas: it waits in the
        // mailbox.
        assert!(mailbox(&ALICE)
            .iter()
            .any(|(_, m)| m.payload_bytes() == b"from reservation"));
        assert_eq!(reservations(program), 0);

        // A reservation nobody uses expires after its 100 blocks and its gas returns.
        send(program, b"reserve".to_vec(), GAS);
        run_to_next_block();
        assert_eq!(reservations(program), 1);
        run_blocks(101);
        assert_eq!(reservations(program), 0);
        assert!(!crate::gas::GasNodes::<Test>::iter_keys()
            .any(|k| matches!(k, gear_engine::gas_tree::GasNodeId::Reservation(_))));
    });
}

#[test]
fn signal_reaches_handle_signal_after_a_panic() {
    run_test(|| {
        let program = upload(gear_examples::signal(), b"", vec![]);
        run_to_next_block();
        let request = send(program, vec![], GAS);
        run_blocks(2);
        assert_eq!(
            reply_to(request).unwrap().1,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::UserspacePanic
            ))
        );
        let code =
            gear_core_errors::SignalCode::Execution(SimpleExecutionError::UserspacePanic).to_u32();
        assert!(user_messages()
            .iter()
            .any(|m| m.payload_bytes() == code.to_le_bytes()));
    });
}

#[test]
fn send_reply_resumes_a_program_waiting_for_the_user() {
    run_test(|| {
        // A proxy that forwards to Alice herself: it waits for her answer.
        let proxy = upload(
            gear_examples::proxy(),
            b"",
            actor(&ALICE).into_bytes().to_vec(),
        );
        run_to_next_block();
        let request = send(proxy, b"question".to_vec(), GAS);
        run_to_next_block();
        let mail = mailbox(&ALICE);
        assert_eq!(mail.len(), 1);
        let (question, message) = &mail[0];
        assert_eq!(message.payload_bytes(), b"question");
        assert_ok!(Gear::send_reply(
            RuntimeOrigin::signed(ALICE),
            H256(question.into_bytes()),
            b"answer".to_vec(),
            GAS,
            0,
            false
        ));
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::UserMessageRead {
                reason: Reason::Runtime(UserMessageReadRuntimeReason::MessageReplied),
                ..
            }
        )));
        run_to_next_block();
        assert_eq!(
            reply_to(request),
            Some((
                b"answer".to_vec(),
                ReplyCode::Success(SuccessReplyReason::Manual),
                0
            ))
        );
        assert!(mailbox(&ALICE).is_empty());
    });
}

#[test]
fn delayed_send_arrives_after_its_delay() {
    run_test(|| {
        let program = upload(&gear_examples::delayed(), b"", vec![]);
        run_to_next_block();
        send(program, vec![], GAS);
        run_to_next_block();
        assert_eq!(crate::messenger::DispatchStash::<Test>::iter().count(), 1);
        assert!(mailbox(&ALICE).is_empty());
        run_blocks(3);
        assert_eq!(crate::messenger::DispatchStash::<Test>::iter().count(), 0);
        assert!(mailbox(&ALICE)
            .iter()
            .any(|(_, m)| m.payload_bytes() == b"delayed"));
    });
}

#[test]
fn mailbox_message_expires_and_pays_its_value() {
    run_test(|| {
        let program = upload(gear_examples::value(), b"", vec![]);
        run_to_next_block();
        send_value(ALICE, program, vec![], GAS, 1_000);
        run_to_next_block();
        let before = Balances::free_balance(ALICE);
        // The threshold's 3000 gas pays 29 blocks at 100 per block.
        run_blocks(31);
        assert!(mailbox(&ALICE).is_empty());
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::UserMessageRead {
                reason: Reason::System(UserMessageReadSystemReason::OutOfRent),
                ..
            }
        )));
        // The value, and the rest of the message's gas: 3000 locked, 29 blocks of rent burned.
        assert_eq!(Balances::free_balance(ALICE) - before, 500 + 100);
    });
}

#[test]
fn a_sails_service_calls_another_program() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        // Sails' constructor `New`: header with a zero interface id, entry 0, route 0.
        let mut new = vec![0x47, 0x4d, 0x01, 0x10];
        new.extend_from_slice(&[0; 8]);
        new.extend_from_slice(&[0, 0, 0, 0]);
        let sails = upload(gear_examples::sails(), b"relay", new);
        run_to_next_block();
        let request = send(
            sails,
            demo_sails_ask(ping.into_bytes(), b"PING".to_vec()),
            GAS,
        );
        run_blocks(2);
        let (payload, code, _) = reply_to(request).expect("the sails program replied");
        assert_eq!(code, ReplyCode::Success(SuccessReplyReason::Manual));
        assert_eq!(
            gear_examples::sails_relay_answer(&payload),
            Some(b"PONG".to_vec())
        );
    });
}

fn demo_sails_ask(program: [u8; 32], payload: Vec<u8>) -> Vec<u8> {
    gear_examples::sails_relay_ask(program, payload)
}

#[test]
fn a_wait_whose_rent_runs_out_gets_removed_from_waitlist() {
    run_test(|| {
        let first = upload(gear_examples::waiter(), b"first", vec![]);
        let second = upload(gear_examples::waiter(), b"second", vec![]);
        run_to_next_block();
        // What a `wait` burns (its rent is locked, not burned, while it waits).
        let author = Balances::free_balance(AUTHOR);
        send(first, b"wait".to_vec(), GAS);
        run_to_next_block();
        let burned = (Balances::free_balance(AUTHOR) - author) as u64;
        // The same wait with 2000 gas to spare: 20 blocks of waitlist rent at 100 per block.
        let request = send(second, b"wait".to_vec(), burned + 2_000);
        run_to_next_block();
        assert!(crate::messenger::Waitlist::<Test>::contains_key(
            second, request
        ));
        run_blocks(15);
        assert!(reply_to(request).is_none());
        run_blocks(10);
        assert_eq!(
            reply_to(request).map(|(_, code, _)| code),
            Some(ReplyCode::Error(ErrorReplyReason::RemovedFromWaitlist))
        );
        assert!(gear_events().iter().any(|e| matches!(
            e,
            Event::MessageWoken {
                reason: Reason::System(MessageWokenSystemReason::OutOfRent),
                ..
            }
        )));
        assert!(!crate::messenger::Waitlist::<Test>::contains_key(
            second, request
        ));
    });
}

#[test]
fn messages_waiting_in_a_program_that_exits_are_answered() {
    run_test(|| {
        let program = upload(&gear_examples::wait_or_exit(), b"", vec![]);
        run_to_next_block();
        let waiting: Vec<MessageId> = (0..3).map(|_| send(program, vec![], GAS)).collect();
        run_to_next_block();
        assert_eq!(
            crate::messenger::Waitlist::<Test>::iter_prefix(program).count(),
            3
        );
        send(program, b"exit".to_vec(), GAS);
        run_blocks(2);
        assert_eq!(
            crate::program::ProgramStorage::<Test>::get(program),
            Some(Program::Exited(actor(&ALICE)))
        );
        assert_eq!(crate::messenger::Waitlist::<Test>::iter().count(), 0);
        assert_eq!(
            crate::messenger::WaitlistsToClear::<Test>::iter().count(),
            0
        );
        for id in waiting {
            assert_eq!(
                reply_to(id).map(|(_, code, _)| code),
                Some(ReplyCode::Error(ErrorReplyReason::UnavailableActor(
                    gear_core_errors::SimpleUnavailableActorError::ProgramExited
                )))
            );
        }
        // Every gas tree settled: the waits' rent was charged, the rest refunded.
        assert_eq!(crate::gas::GasTrees::<Test>::iter().count(), 0);
    });
}

#[test]
fn a_program_cannot_store_more_pages_than_a_dispatch_can_prove() {
    run_test(|| {
        // The limit leaves room for the largest code and a small message in the proof of the
        // queue's reserved share, so every program can always be loaded again.
        let max = Gear::max_stored_pages();
        let room = ServiceWeight::get().proof_size()
            - u64::from(GearSchedule::get().limits.code_len)
            - crate::ENTRY_PROOF_ALLOWANCE;
        assert_eq!(u64::from(max), room / crate::PAGE_PROOF_SIZE);
        // One message may pay for all of them.
        DepositLimit::set(u128::from(max) * Gear::page_deposit());

        // A program storing every page it has: at the limit it runs, and runs again.
        let fits = upload(&gear_examples::page_writer(max / 4), b"fits", vec![]);
        // One WASM page more than the limit: its message fails and nothing is stored.
        let over = upload(&gear_examples::page_writer(max / 4 + 1), b"over", vec![]);
        run_to_next_block();
        for _ in 0..2 {
            let request = send(fits, vec![], BLOCK_GAS_LIMIT);
            run_to_next_block();
            assert_eq!(
                reply_to(request).map(|(_, code, _)| code),
                Some(ReplyCode::Success(SuccessReplyReason::Auto))
            );
        }
        assert_eq!(crate::program::PagesCount::<Test>::get(fits), max / 4 * 4);
        let request = send(over, vec![], BLOCK_GAS_LIMIT);
        run_to_next_block();
        assert_eq!(
            reply_to(request).map(|(_, code, _)| code),
            Some(ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::MemoryOverflow
            )))
        );
        assert_eq!(crate::program::PagesCount::<Test>::get(over), 0);
        DepositLimit::set(64 * Gear::page_deposit());
    });
}
