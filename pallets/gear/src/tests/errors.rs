//! Every `Error<T>` variant, triggered, with nothing changed but the fee (`assert_noop!` checks
//! storage is untouched; balances are checked besides).

use super::*;

const MEMORY: &str = r#"(import "env" "memory" (memory 1))"#;
const HANDLE: &str = r#"(export "handle" (func $h)) (func $h)"#;

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid WAT")
}

/// A valid module padded with a custom section to `pad` more bytes.
fn padded(pad: usize) -> Vec<u8> {
    gear_examples::with_custom_section(wat(&format!("(module {MEMORY} {HANDLE})")), pad)
}

fn upload_code(code: Vec<u8>) -> polkadot_sdk::sp_runtime::DispatchResult {
    Gear::upload_code(RuntimeOrigin::signed(ALICE), code)
}

#[test]
fn every_code_refusal_has_its_own_error() {
    run_test(|| {
        let balance = Balances::free_balance(ALICE);
        let cases: Vec<(Vec<u8>, Error<Test>)> = vec![
            (padded(512 * 1024), Error::CodeTooLarge),
            (b"not wasm".to_vec(), Error::ProgramConstructionFailed),
            (gear_examples::unknown_import(), Error::UnknownImport),
            (
                wat(&format!(
                    r#"(module {MEMORY} (import "env" "gr_size" (func (param i64))) {HANDLE})"#
                )),
                Error::InvalidSyscallSignature,
            ),
            (
                wat(&format!(
                    r#"(module (import "env" "gr_leave" (func)) {HANDLE})"#
                )),
                Error::InvalidImports,
            ),
            (
                wat(&format!(
                    r#"(module {MEMORY} {HANDLE} (export "other" (func $h)))"#
                )),
                Error::InvalidExports,
            ),
            (
                wat(&format!(
                    r#"(module (import "env" "memory" (memory {})) {HANDLE})"#,
                    gear_engine::code::MAX_PAGES + 1
                )),
                Error::MemoryTooLarge,
            ),
            (
                wat(&format!(
                    r#"(module {MEMORY} {HANDLE} (data (i32.const 65535) "ab"))"#
                )),
                Error::InvalidDataSection,
            ),
            (
                wat(&format!(
                    r#"(module {MEMORY} {HANDLE} (global (export "__gear_stack_end") i32 (i32.const 100)))"#
                )),
                Error::InvalidStackEnd,
            ),
            (
                wat(&format!(r#"(module {MEMORY} {HANDLE} (start $h))"#)),
                Error::InvalidSection,
            ),
            (
                wat(&format!(
                    r#"(module {MEMORY} {HANDLE} (type (func (param {}))))"#,
                    "i32 ".repeat(129)
                )),
                Error::InvalidTypeSection,
            ),
            (
                wat(&format!(
                    r#"(module {MEMORY} (export "handle" (func $h)) (func $h (drop (memory.grow (i32.const 1)))))"#
                )),
                Error::InstrumentationFailed,
            ),
        ];
        for (code, error) in cases {
            assert_noop!(upload_code(code), error);
        }
        assert_eq!(Balances::free_balance(ALICE), balance);
    });
}

#[test]
fn bad_extrinsics_have_their_own_errors() {
    run_test(|| {
        let ping = upload(gear_examples::ping(), b"", vec![]);
        let exit = upload(&gear_examples::exit(), b"", vec![]);
        run_to_next_block();
        send(exit, vec![], GAS);
        run_to_next_block();
        let balance = Balances::free_balance(ALICE);
        let to = |id: ActorId| H256(id.into_bytes());
        let signed = || RuntimeOrigin::signed(ALICE);

        assert_noop!(
            Gear::claim_value(signed(), H256([1; 32])),
            Error::<Test>::MessageNotFound
        );
        assert_noop!(
            Gear::send_reply(signed(), H256([1; 32]), vec![], GAS, 0, false),
            Error::<Test>::MessageNotFound
        );
        assert_noop!(
            Gear::send_message(signed(), to(exit), vec![], GAS, 0, false),
            Error::<Test>::InactiveProgram
        );
        assert_noop!(
            Gear::create_program(signed(), H256([3; 32]), vec![], vec![], GAS, 0, false),
            Error::<Test>::CodeDoesntExist
        );
        let too_long = vec![0; gear_engine::Schedule::default().limits.payload_len as usize + 1];
        assert_noop!(
            Gear::send_message(signed(), to(ping), too_long, GAS, 0, false),
            Error::<Test>::PayloadTooLarge
        );
        assert_noop!(
            Gear::send_message(
                signed(),
                to(ping),
                vec![],
                GAS,
                EXISTENTIAL_DEPOSIT - 1,
                false
            ),
            Error::<Test>::ValueLessThanMinimal
        );
        assert_noop!(
            Gear::send_message(signed(), to(ping), vec![], BLOCK_GAS_LIMIT + 1, 0, false),
            Error::<Test>::GasLimitTooHigh
        );
        assert_noop!(
            Gear::send_message(signed(), to(ActorId::from(42u64)), vec![], GAS, 0, false),
            Error::<Test>::ProgramNotFound
        );
        let poor = AccountId32::new([7; 32]);
        assert_noop!(
            Gear::send_message(RuntimeOrigin::signed(poor), to(ping), vec![], GAS, 0, false),
            Error::<Test>::InsufficientBalance
        );
        // keep_alive: Alice may not spend down to below the existential deposit.
        assert_noop!(
            Gear::send_message(signed(), to(ping), vec![], 0, balance, true),
            Error::<Test>::InsufficientBalance
        );
        assert_eq!(Balances::free_balance(ALICE), balance);
    });
}

#[test]
fn replying_to_someone_elses_mail_is_refused() {
    run_test(|| {
        let program = upload(gear_examples::value(), b"", vec![]);
        run_to_next_block();
        send_value(ALICE, program, vec![], GAS, 1_000);
        run_to_next_block();
        let (id, _) = mailbox(&ALICE)[0].clone();
        let bob = Balances::free_balance(BOB);
        assert_noop!(
            Gear::claim_value(RuntimeOrigin::signed(BOB), H256(id.into_bytes())),
            Error::<Test>::MessageNotFound
        );
        assert_noop!(
            Gear::send_reply(
                RuntimeOrigin::signed(BOB),
                H256(id.into_bytes()),
                vec![],
                GAS,
                0,
                false
            ),
            Error::<Test>::MessageNotFound
        );
        assert_eq!(Balances::free_balance(BOB), bob);
        // Alice's mail is still there, and hers to claim.
        assert_eq!(mailbox(&ALICE).len(), 1);
    });
}
