//! The real runtime, natively: its genesis presets build, its pallets pass their integrity tests,
//! and a gstd program uploaded through `RuntimeCall` answers within the runtime's weight limits.

mod common;

use common::dev_externalities;
use gear_runtime::{
    AllPalletsWithSystem, Balances, Gear, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig,
    RuntimeOrigin, System,
};
use polkadot_sdk::{
    frame_support::{
        dispatch::GetDispatchInfo,
        genesis_builder_helper::build_state,
        traits::{Hooks, IntegrityTest},
        weights::Weight,
    },
    sp_core::H256,
    sp_io::TestExternalities,
    sp_keyring::Sr25519Keyring,
    sp_runtime::{traits::Dispatchable, BuildStorage},
};

#[test]
fn presets_build_and_pallets_pass_integrity_tests() {
    for preset in gear_runtime::genesis_config_presets::preset_names() {
        let patch = gear_runtime::genesis_config_presets::get_preset(&preset).unwrap();
        TestExternalities::new(Default::default()).execute_with(|| {
            build_state::<RuntimeGenesisConfig>(common::genesis_json(&patch)).expect("builds")
        });
    }
    TestExternalities::new(RuntimeGenesisConfig::default().build_storage().unwrap())
        .execute_with(AllPalletsWithSystem::integrity_test);
}

#[test]
fn one_message_may_pay_the_deposit_of_a_program_at_its_memory_limit() {
    dev_externalities().execute_with(|| {
        let full = u128::from(Gear::max_stored_pages()) * Gear::page_deposit();
        assert!(
            gear_runtime::DEPOSIT_LIMIT >= full,
            "DEPOSIT_LIMIT {} < {full}",
            gear_runtime::DEPOSIT_LIMIT
        );
    });
}

#[test]
fn ping_through_the_runtime() {
    dev_externalities().execute_with(|| {
        let bob = Sr25519Keyring::Bob.to_account_id();
        let before = Balances::free_balance(&bob);
        let code = gear_examples::ping().to_vec();
        let upload = RuntimeCall::Gear(pallet_gear::Call::upload_program {
            code: code.clone(),
            salt: b"runtime".to_vec(),
            init_payload: vec![],
            gas_limit: 10_000_000_000,
            value: 0,
            keep_alive: false,
        });
        // The upload fits in a normal extrinsic.
        let max_extrinsic = gear_runtime::RuntimeBlockWeights::get()
            .get(polkadot_sdk::frame_support::dispatch::DispatchClass::Normal)
            .max_extrinsic
            .unwrap();
        assert!(upload
            .get_dispatch_info()
            .call_weight
            .all_lte(max_extrinsic));
        upload
            .dispatch(RuntimeOrigin::signed(bob.clone()))
            .expect("upload accepted");
        Gear::on_idle(1, Weight::MAX);

        let program = gear_core::ids::prelude::ActorIdExt::generate_from_user(
            gear_core::ids::prelude::CodeIdExt::generate(&code),
            b"runtime",
        );
        let program: gprimitives::ActorId = program;
        RuntimeCall::Gear(pallet_gear::Call::send_message {
            destination: H256(program.into_bytes()),
            payload: b"PING".to_vec(),
            gas_limit: 10_000_000_000,
            value: 0,
            keep_alive: false,
        })
        .dispatch(RuntimeOrigin::signed(bob.clone()))
        .expect("message accepted");
        Gear::on_idle(1, Weight::MAX);

        let replies: Vec<Vec<u8>> = System::events()
            .into_iter()
            .filter_map(|record| match record.event {
                RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message, .. }) => {
                    Some(message.payload_bytes().to_vec())
                }
                _ => None,
            })
            .collect();
        assert_eq!(replies.last().map(Vec::as_slice), Some(&b"PONG"[..]));
        // No fees are charged when calling dispatch directly: Bob paid burned gas, which went
        // nowhere else (no block author in this test), so it is recorded as unpaid, and the
        // storage deposits of the code (held on his account) and of the program's pages (held
        // by the bank), at this runtime's prices.
        let code_id: gprimitives::CodeId = gear_core::ids::prelude::CodeIdExt::generate(&code);
        let instrumented = pallet_gear::program::InstrumentedCodeStorage::<Runtime>::get(code_id)
            .expect("the code is stored")
            .0
            .len();
        let code_deposit = gear_runtime::DEPOSIT_PER_ITEM * 3
            + gear_runtime::DEPOSIT_PER_BYTE * (code.len() + instrumented) as u128;
        assert_eq!(
            Balances::reserved_balance(&bob),
            code_deposit,
            "the code's deposit is held from Bob"
        );
        let pages = pallet_gear::program::PagesCount::<Runtime>::get(program);
        assert!(pages > 0, "ping keeps memory");
        let memory_deposit = u128::from(pages)
            * (gear_runtime::DEPOSIT_PER_ITEM + gear_runtime::DEPOSIT_PER_BYTE * 16 * 1024);
        assert_eq!(
            pallet_gear::bank::ProgramDeposits::<Runtime>::get(program),
            memory_deposit
        );
        let burned = pallet_gear::bank::UnpaidBurnedValue::<Runtime>::get();
        assert!(burned > 0);
        assert_eq!(
            before - Balances::free_balance(&bob),
            burned + code_deposit + memory_deposit
        );
    });
}

/// `GearApi::calculate_gas_info` on the real runtime: `min_limit` answers, one gas less runs out.
#[test]
fn gas_estimate_is_exact_on_the_real_runtime() {
    use gear_primitives::{HandleKind, ReplyCode, SimpleExecutionError};
    dev_externalities().execute_with(|| {
        let bob = Sr25519Keyring::Bob.to_account_id();
        let code = gear_examples::ping().to_vec();
        let init = Gear::calculate_gas_info(
            bob.clone().into(),
            HandleKind::Init(code.clone()),
            vec![],
            0,
            false,
            None,
        )
        .expect("an upload estimate");
        RuntimeCall::Gear(pallet_gear::Call::upload_program {
            code: code.clone(),
            salt: b"estimate".to_vec(),
            init_payload: vec![],
            gas_limit: init.min_limit,
            value: 0,
            keep_alive: false,
        })
        .dispatch(RuntimeOrigin::signed(bob.clone()))
        .expect("upload accepted");
        Gear::on_idle(1, Weight::MAX);
        let program: gprimitives::ActorId = gear_core::ids::prelude::ActorIdExt::generate_from_user(
            gear_core::ids::prelude::CodeIdExt::generate(&code),
            b"estimate",
        );
        assert!(matches!(
            pallet_gear::program::ProgramStorage::<Runtime>::get(program),
            Some(gear_core::program::Program::Active(p))
                if p.state == gear_core::program::ProgramState::Initialized
        ));

        let info = Gear::calculate_gas_info(
            bob.clone().into(),
            HandleKind::Handle(program),
            b"PING".to_vec(),
            0,
            false,
            None,
        )
        .expect("a handle estimate");
        assert_eq!(info.min_limit, info.burned, "{info:?}");
        let reply_code = |gas_limit| {
            System::reset_events();
            RuntimeCall::Gear(pallet_gear::Call::send_message {
                destination: H256(program.into_bytes()),
                payload: b"PING".to_vec(),
                gas_limit,
                value: 0,
                keep_alive: false,
            })
            .dispatch(RuntimeOrigin::signed(bob.clone()))
            .expect("message accepted");
            Gear::on_idle(1, Weight::MAX);
            System::events()
                .into_iter()
                .find_map(|record| match record.event {
                    RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message, .. }) => {
                        message.details().map(|d| d.to_reply_code())
                    }
                    _ => None,
                })
                .expect("a reply")
        };
        // From the same state (a program's memory after a run can make the next one cheaper):
        // one gas less, rolled back, then `min_limit`.
        let short = polkadot_sdk::frame_support::storage::with_transaction(|| {
            polkadot_sdk::frame_support::storage::TransactionOutcome::Rollback(Ok::<
                _,
                polkadot_sdk::sp_runtime::DispatchError,
            >(
                reply_code(info.min_limit - 1),
            ))
        })
        .unwrap();
        assert_eq!(
            short,
            ReplyCode::Error(gear_primitives::ErrorReplyReason::Execution(
                SimpleExecutionError::RanOutOfGas
            ))
        );
        assert_eq!(
            reply_code(info.min_limit),
            ReplyCode::Success(gear_primitives::SuccessReplyReason::Manual)
        );
    });
}
