//! Storage deposits: a code's deposit is held from its uploader while it is stored; a program's
//! memory pages are paid for by whoever's message made the program store them and paid back to
//! whoever's message makes it store fewer; a payer who cannot pay gets `MemoryOverflow` and
//! nothing is stored.

use super::*;
use crate::{bank, program, HoldReason};
use polkadot_sdk::frame_support::traits::fungible::{InspectHold, Mutate};

const CAROL: AccountId32 = AccountId32::new([3u8; 32]);

fn free(who: &AccountId32) -> u128 {
    Balances::free_balance(who)
}

fn code_held(who: &AccountId32) -> u128 {
    Balances::balance_on_hold(&HoldReason::CodeDeposit.into(), who)
}

fn pages(program: ActorId) -> u32 {
    program::PagesCount::<Test>::get(program)
}

/// `who` sends `payload` to `program` and the block runs it: how much `who`'s free balance
/// fell, and the value of the gas the message burned (paid to the block author).
fn sent(who: AccountId32, program: ActorId, payload: &[u8]) -> (i128, u128, MessageId) {
    let (before, author) = (free(&who), free(&AUTHOR));
    let id = send_value(who.clone(), program, payload.to_vec(), GAS, 0);
    run_to_next_block();
    let spent = before as i128 - free(&who) as i128;
    (spent, free(&AUTHOR) - author, id)
}

#[test]
fn a_code_holds_its_deposit_from_the_uploader_while_it_is_stored() {
    run_test(|| {
        let code = gear_examples::ping().to_vec();
        let before = free(&BOB);
        assert_ok!(Gear::upload_code(RuntimeOrigin::signed(BOB), code.clone()));
        let code_id = CodeId::generate(&code);
        let instrumented = program::InstrumentedCodeStorage::<Test>::get(code_id)
            .unwrap()
            .0
            .len();
        // Three records and every byte of both forms of the code.
        let deposit = 3 * DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * (code.len() + instrumented) as u128;
        assert_eq!(Gear::code_deposit(code.len(), instrumented), deposit);
        assert_eq!(code_held(&BOB), deposit);
        assert_eq!(
            before - free(&BOB),
            deposit,
            "held, not spent: nothing else moved"
        );
        assert_eq!(
            bank::CodeDeposits::<Test>::get(code_id),
            Some((BOB, deposit))
        );

        // A program from the stored code holds no second code deposit.
        assert_ok!(Gear::create_program(
            RuntimeOrigin::signed(ALICE),
            H256(code_id.into_bytes()),
            b"salt".to_vec(),
            vec![],
            GAS,
            0,
            false
        ));
        assert_eq!(code_held(&ALICE), 0);

        // `upload_program` with a new code holds its deposit as `upload_code` does.
        let counter = gear_examples::counter();
        upload(counter, b"counter", vec![]);
        let counter_id = CodeId::generate(counter);
        let (_, deposit) = bank::CodeDeposits::<Test>::get(counter_id).unwrap();
        assert_eq!(code_held(&ALICE), deposit);
        run_to_next_block();
    });
}

#[test]
fn a_code_whose_deposit_cannot_be_held_is_refused_and_nothing_is_kept() {
    run_test(|| {
        let code = gear_examples::ping().to_vec();
        let deposit = Gear::code_deposit(code.len(), code.len());
        // Enough for the existential deposit and a fraction of the code's deposit.
        Balances::set_balance(&CAROL, EXISTENTIAL_DEPOSIT + deposit / 4);
        assert_noop!(
            Gear::upload_code(RuntimeOrigin::signed(CAROL), code.clone()),
            Error::<Test>::InsufficientDeposit
        );
        assert_noop!(
            Gear::upload_program(
                RuntimeOrigin::signed(CAROL),
                code.clone(),
                b"salt".to_vec(),
                vec![],
                1_000,
                0,
                true
            ),
            Error::<Test>::InsufficientDeposit
        );
        assert!(!program::InstrumentedCodeStorage::<Test>::contains_key(
            CodeId::generate(&code)
        ));
        assert_eq!(free(&CAROL), EXISTENTIAL_DEPOSIT + deposit / 4);
    });
}

#[test]
fn stored_pages_cost_their_deposit_and_freeing_them_pays_it_back() {
    run_test(|| {
        let hoarder = upload(&gear_examples::hoarder(4), b"hoarder", vec![]);
        run_to_next_block();
        let page = Gear::page_deposit();
        assert_eq!(page, DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * 16 * 1024);
        assert_eq!(pages(hoarder), 0, "init stores nothing");
        let balance = bank::ProgramBalances::<Test>::get(hoarder);

        // Bob's message stores 16 pages and the page at address 0: Bob pays the gas it burned
        // and exactly 17 pages' deposit, which the bank holds for the program.
        let (spent, burned, _) = sent(BOB, hoarder, b"grow");
        assert_eq!(pages(hoarder), 17);
        assert_eq!(bank::ProgramDeposits::<Test>::get(hoarder), 17 * page);
        assert_eq!(spent, (burned + 17 * page) as i128);
        // The program cannot spend it: its balance is what it was.
        assert_eq!(bank::ProgramBalances::<Test>::get(hoarder), balance);

        // Rewriting the pages it stores costs no deposit.
        let (spent, burned, _) = sent(BOB, hoarder, b"grow again");
        assert_eq!(pages(hoarder), 33, "the second allocation is new pages");
        assert_eq!(spent, (burned + 16 * page) as i128);
        assert_eq!(bank::ProgramDeposits::<Test>::get(hoarder), 33 * page);

        // Alice's message frees the last 16 pages: Alice gets their deposit back.
        let (spent, burned, _) = sent(ALICE, hoarder, b"");
        assert_eq!(pages(hoarder), 17);
        assert_eq!(spent, burned as i128 - (16 * page) as i128);
        assert_eq!(bank::ProgramDeposits::<Test>::get(hoarder), 17 * page);

        // Its exit removes the rest: all of the deposit goes to the exit's payer.
        let (spent, burned, _) = sent(ALICE, hoarder, b"x");
        assert!(matches!(
            program::ProgramStorage::<Test>::get(hoarder),
            Some(Program::Exited(_))
        ));
        assert_eq!(pages(hoarder), 0);
        assert_eq!(bank::ProgramDeposits::<Test>::get(hoarder), 0);
        // Alice inherits the program's balance as well.
        assert_eq!(
            spent,
            burned as i128 - (17 * page) as i128 - balance as i128
        );
    });
}

#[test]
fn memory_grown_and_freed_in_one_message_costs_no_deposit() {
    run_test(|| {
        let churn = upload(&gear_examples::churn(8), b"churn", vec![]);
        run_to_next_block();
        let (spent, burned, _) = sent(BOB, churn, b"go");
        assert_eq!(pages(churn), 0);
        assert_eq!(spent, burned as i128);
        assert_eq!(bank::ProgramDeposits::<Test>::get(churn), 0);
    });
}

#[test]
fn a_payer_who_cannot_pay_the_deposit_gets_memory_overflow_and_nothing_is_stored() {
    run_test(|| {
        let hoarder = upload(&gear_examples::hoarder(4), b"hoarder", vec![]);
        run_to_next_block();
        // Carol can buy the gas and 16 pages' deposit, not 17.
        let page = Gear::page_deposit();
        let gas_value = GAS as u128;
        Balances::set_balance(&CAROL, EXISTENTIAL_DEPOSIT + gas_value + 16 * page);
        let (spent, burned, id) = sent(CAROL, hoarder, b"grow");
        let (_, code, _) = reply_to(id).expect("Carol got a reply");
        assert_eq!(
            code,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::MemoryOverflow
            ))
        );
        assert_eq!(pages(hoarder), 0);
        assert_eq!(bank::ProgramDeposits::<Test>::get(hoarder), 0);
        // Carol paid the gas burned and nothing else.
        assert_eq!(spent, burned as i128);

        // With one more page's deposit the same message keeps its pages.
        Balances::set_balance(&CAROL, EXISTENTIAL_DEPOSIT + gas_value + 17 * page);
        let (spent, burned, id) = sent(CAROL, hoarder, b"grow");
        assert_eq!(
            reply_to(id).unwrap().1,
            ReplyCode::Success(SuccessReplyReason::Auto)
        );
        assert_eq!(pages(hoarder), 17);
        assert_eq!(spent, (burned + 17 * page) as i128);
        assert_eq!(free(&CAROL), EXISTENTIAL_DEPOSIT + gas_value - burned);
    });
}

#[test]
fn a_message_and_all_it_leads_to_take_no_more_deposit_than_the_limit() {
    run_test(|| {
        let page = Gear::page_deposit();
        let hoarder = upload(&gear_examples::hoarder(4), b"hoarder", vec![]);
        let shared = upload(&gear_examples::hoarder(4), b"shared", vec![]);
        let proxy = upload(
            gear_examples::proxy(),
            b"proxy",
            shared.into_bytes().to_vec(),
        );
        run_to_next_block();

        // Bob can pay for far more, but one message may take only 16 pages' deposit: the
        // 17 pages the hoarder would keep are refused.
        crate::mock::DepositLimit::set(16 * page);
        let (spent, burned, id) = sent(BOB, hoarder, b"grow");
        assert_eq!(
            reply_to(id).unwrap().1,
            ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::MemoryOverflow
            ))
        );
        assert_eq!(pages(hoarder), 0);
        assert_eq!(spent, burned as i128);

        // With 17 pages' limit the same message keeps them.
        crate::mock::DepositLimit::set(17 * page);
        let (spent, burned, _) = sent(BOB, hoarder, b"grow");
        assert_eq!(pages(hoarder), 17);
        assert_eq!(spent, (burned + 17 * page) as i128);

        // Through the proxy, the proxy's own pages (kept while it awaits the answer) come out
        // of the same message's limit: what is left cannot pay for the hoarder's 17 pages.
        let (_, _, id) = sent(BOB, proxy, b"grow");
        assert!(pages(proxy) > 0, "the awaiting proxy keeps memory");
        assert_eq!(
            pages(shared),
            0,
            "the limit is the message tree's, not each dispatch's"
        );
        assert!(
            matches!(reply_to(id).unwrap().1, ReplyCode::Error(_)),
            "the proxy failed on the hoarder's error reply"
        );
        crate::mock::DepositLimit::set(64 * page);
    });
}

#[test]
fn a_waiting_init_removed_for_rent_pays_its_deposit_back() {
    run_test(|| {
        // Init writes the page at address 0 and waits for good (`gr_wait`).
        let code = wat::parse_str(
            r#"(module
              (import "env" "memory" (memory 1))
              (import "env" "gr_wait" (func $gr_wait))
              (export "init" (func $init))
              (func $init
                (i32.store (i32.const 0) (i32.const 42))
                (call $gr_wait)))"#,
        )
        .unwrap();
        // What the init burns until it waits, measured on a first program.
        upload(&code, b"first", vec![]);
        let author = free(&AUTHOR);
        run_to_next_block();
        let burned = (free(&AUTHOR) - author) as u64;

        // The same init with 2,000 gas to spare: 20 blocks of waitlist rent.
        assert_ok!(Gear::upload_program(
            RuntimeOrigin::signed(BOB),
            code.clone(),
            b"second".to_vec(),
            vec![],
            burned + 2_000,
            0,
            false
        ));
        let program = ActorId::generate_from_user(CodeId::generate(&code), b"second");
        run_to_next_block();
        assert_eq!(pages(program), 1, "the waiting init keeps its page");
        assert_eq!(
            bank::ProgramDeposits::<Test>::get(program),
            Gear::page_deposit()
        );
        let waiting = free(&BOB);
        // Its removal is charged the deletion of the page and the deposit's settlement besides
        // the task benchmark (a trie path of proof per page).
        let (init, _) = crate::messenger::Waitlist::<Test>::iter_prefix(program)
            .next()
            .expect("the init waits");
        let base = <<Test as crate::Config>::WeightInfo as crate::WeightInfo>::task();
        let task = gear_core::tasks::ScheduledTask::RemoveFromWaitlist(program, init);
        assert_eq!(
            Gear::task_weight(&task, base).proof_size(),
            base.proof_size() + Gear::deposit_weight().proof_size() + 1024
        );

        // The rent runs out: the init fails, its memory goes and Bob gets the deposit back.
        run_blocks(25);
        assert!(matches!(
            program::ProgramStorage::<Test>::get(program),
            Some(Program::Terminated(_))
        ));
        assert_eq!(pages(program), 0);
        assert_eq!(bank::ProgramDeposits::<Test>::get(program), 0);
        assert!(free(&BOB) - waiting >= Gear::page_deposit());
    });
}
