//! XCM into the real runtime, natively: an account on a sibling parachain reaches a Gear program
//! with `Transact(Gear::send_message)`. Its origin becomes a local account through
//! `HashedDescription` (the message's `source`), which pays for the execution and the gas.

mod common;

use codec::Encode;
use common::dev_externalities;
use gear_runtime::{
    xcm_config::{LocationToAccountId, XcmConfig},
    Balances, Gear, RuntimeCall, RuntimeEvent, RuntimeOrigin, System, UNIT,
};
use polkadot_sdk::{
    frame_support::{
        traits::{fungible::Mutate, Hooks},
        weights::Weight,
    },
    sp_core::H256,
    sp_keyring::Sr25519Keyring,
    sp_runtime::traits::Dispatchable,
    staging_xcm::latest::prelude::*,
    staging_xcm_executor::{traits::ConvertLocation, XcmExecutor},
};

/// Bob uploads the gstd ping program with `salt`; the queue initializes it.
fn upload_ping(salt: &[u8]) -> gprimitives::ActorId {
    let code = gear_examples::ping().to_vec();
    RuntimeCall::Gear(pallet_gear::Call::upload_program {
        code: code.clone(),
        salt: salt.to_vec(),
        init_payload: vec![],
        gas_limit: 10_000_000_000,
        value: 0,
        keep_alive: false,
    })
    .dispatch(RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id()))
    .expect("upload accepted");
    Gear::on_idle(1, Weight::MAX);
    gear_core::ids::prelude::ActorIdExt::generate_from_user(
        gear_core::ids::prelude::CodeIdExt::generate(&code),
        salt,
    )
}

/// The payload of the first message a program sent `account` (an event to a user).
fn reply_to(account: &gear_runtime::AccountId) -> Option<Vec<u8>> {
    System::events()
        .into_iter()
        .find_map(|record| match record.event {
            RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message, .. })
                if message.destination().into_bytes() == *AsRef::<[u8; 32]>::as_ref(account) =>
            {
                Some(message.payload_bytes().to_vec())
            }
            _ => None,
        })
}

#[test]
fn a_sibling_account_sends_to_a_program_by_xcm_transact() {
    dev_externalities().execute_with(|| {
        let program = upload_ping(b"xcm");

        // An account on para 2001, as this chain sees it.
        let origin = Location::new(
            1,
            [
                Parachain(2001),
                AccountId32 {
                    network: None,
                    id: [7; 32],
                },
            ],
        );
        let account = LocationToAccountId::convert_location(&origin).expect("a local account");
        Balances::mint_into(&account, 10 * UNIT).unwrap();
        let call = RuntimeCall::Gear(pallet_gear::Call::send_message {
            destination: H256(program.into_bytes()),
            payload: b"PING".to_vec(),
            gas_limit: 10_000_000_000,
            value: 0,
            keep_alive: false,
        });
        let fees: Asset = (Location::here(), UNIT).into();
        let message = Xcm(vec![
            WithdrawAsset(fees.clone().into()),
            BuyExecution {
                fees,
                weight_limit: Unlimited,
            },
            Transact {
                origin_kind: OriginKind::SovereignAccount,
                fallback_max_weight: None,
                call: call.encode().into(),
            },
            RefundSurplus,
            DepositAsset {
                assets: AllCounted(1).into(),
                beneficiary: AccountId32 {
                    network: None,
                    id: account.clone().into(),
                }
                .into(),
            },
        ]);
        let mut hash = [0u8; 32];
        let outcome = XcmExecutor::<XcmConfig>::prepare_and_execute(
            origin,
            message,
            &mut hash,
            Weight::from_parts(50_000_000_000, 1024 * 1024),
            Weight::zero(),
        );
        assert!(outcome.clone().ensure_complete().is_ok(), "{outcome:?}");
        Gear::on_idle(1, Weight::MAX);

        // The program answered the sibling's account.
        assert_eq!(reply_to(&account).as_deref(), Some(&b"PONG"[..]));
    });
}

#[test]
fn the_local_network_preset_funds_the_sibling_sovereign_accounts() {
    let preset = gear_runtime::genesis_config_presets::get_preset(
        &polkadot_sdk::sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET.into(),
    )
    .expect("local preset exists");
    let mut ext = polkadot_sdk::sp_io::TestExternalities::new(Default::default());
    ext.execute_with(|| {
        polkadot_sdk::frame_support::genesis_builder_helper::build_state::<
            gear_runtime::RuntimeGenesisConfig,
        >(common::genesis_json(&preset))
        .expect("genesis builds");
        for para in gear_runtime::genesis_config_presets::LOCAL_PARAS {
            let sibling = Location::new(1, [Parachain(para)]);
            let sovereign = LocationToAccountId::convert_location(&sibling).unwrap();
            assert!(
                Balances::free_balance(&sovereign) > 1_000 * UNIT,
                "para {para}"
            );
        }
    });
}

/// The relay chain's token as `ForeignAssets` sees it.
fn relay_balance(who: &gear_runtime::AccountId) -> u128 {
    gear_runtime::ForeignAssets::balance(Location::parent(), who)
}

fn execute(origin: Location, message: Xcm<RuntimeCall>) -> Outcome {
    let mut hash = [0u8; 32];
    XcmExecutor::<XcmConfig>::prepare_and_execute(
        origin,
        message,
        &mut hash,
        Weight::from_parts(50_000_000_000, 1024 * 1024),
        Weight::zero(),
    )
}

#[test]
fn the_relay_token_arrives_from_the_relay_chain_and_pays_for_its_own_delivery() {
    dev_externalities().execute_with(|| {
        let beneficiary = gear_runtime::AccountId::new([9; 32]);
        let sent = 10 * UNIT;
        let fees: Asset = (Location::parent(), UNIT).into();
        // What `limited_reserve_transfer_assets` on the relay chain sends a parachain.
        let message = Xcm(vec![
            ReserveAssetDeposited((Location::parent(), sent).into()),
            ClearOrigin,
            BuyExecution {
                fees,
                weight_limit: Unlimited,
            },
            DepositAsset {
                assets: AllCounted(1).into(),
                beneficiary: AccountId32 {
                    network: None,
                    id: beneficiary.clone().into(),
                }
                .into(),
            },
        ]);
        let outcome = execute(Location::parent(), message);
        assert!(outcome.clone().ensure_complete().is_ok(), "{outcome:?}");

        let received = relay_balance(&beneficiary);
        let fee = sent - received;
        // Four instructions of `UnitWeightCost` (10⁹ ps, 64 KiB of proof) at one token per
        // second and a tenth of a token per MiB.
        let (ref_time, proof) = (4 * 1_000_000_000u128, 4 * 64 * 1024u128);
        assert_eq!(
            fee,
            UNIT * ref_time / 1_000_000_000_000 + UNIT / 10 * proof / (1024 * 1024)
        );
        // The fee went to the fees account (no block author in this test), none was lost.
        assert_eq!(
            relay_balance(&gear_runtime::xcm_config::XcmFeesAccount::get()),
            fee
        );
        // The account holds the relay token without any native token (the asset is sufficient).
        assert_eq!(Balances::free_balance(&beneficiary), 0);
    });
}

#[test]
fn a_sibling_pays_for_a_transact_to_a_program_in_the_relay_token() {
    dev_externalities().execute_with(|| {
        let program = upload_ping(b"relay");

        let origin = Location::new(
            1,
            [
                Parachain(2001),
                AccountId32 {
                    network: None,
                    id: [8; 32],
                },
            ],
        );
        let account = LocationToAccountId::convert_location(&origin).expect("a local account");
        // Native tokens buy the program's gas; the relay token pays for the XCM.
        Balances::mint_into(&account, 10 * UNIT).unwrap();
        use polkadot_sdk::frame_support::traits::fungibles::Mutate as _;
        gear_runtime::ForeignAssets::mint_into(Location::parent(), &account, 5 * UNIT).unwrap();
        let call = RuntimeCall::Gear(pallet_gear::Call::send_message {
            destination: H256(program.into_bytes()),
            payload: b"PING".to_vec(),
            gas_limit: 10_000_000_000,
            value: 0,
            keep_alive: false,
        });
        let fees: Asset = (Location::parent(), UNIT).into();
        let back = AccountId32 {
            network: None,
            id: account.clone().into(),
        };
        let paid = |fees: Asset| {
            Xcm(vec![
                WithdrawAsset(fees.clone().into()),
                BuyExecution {
                    fees,
                    weight_limit: Unlimited,
                },
                Transact {
                    origin_kind: OriginKind::SovereignAccount,
                    fallback_max_weight: None,
                    call: call.encode().into(),
                },
                RefundSurplus,
                DepositAsset {
                    assets: AllCounted(1).into(),
                    beneficiary: back.into(),
                },
            ])
        };

        // Paying with a token this chain does not take fails at once and moves nothing.
        let native_before = Balances::free_balance(&account);
        let unknown: Asset = (Location::new(1, [Parachain(2001)]), UNIT).into();
        let outcome = execute(origin.clone(), paid(unknown));
        assert!(
            matches!(
                outcome,
                Outcome::Incomplete { ref error, .. } if error.error == XcmError::AssetNotFound
            ),
            "{outcome:?}"
        );
        assert_eq!(Balances::free_balance(&account), native_before);
        assert_eq!(relay_balance(&account), 5 * UNIT);

        let outcome = execute(origin, paid(fees));
        assert!(outcome.clone().ensure_complete().is_ok(), "{outcome:?}");
        let fee = 5 * UNIT - relay_balance(&account);
        assert!(
            fee > 0 && fee < UNIT / 10,
            "execution paid in the relay token: {fee}"
        );
        // Native tokens paid only the gas (the extrinsic's weight went to the relay token).
        assert_eq!(
            native_before - Balances::free_balance(&account),
            pallet_gear::Pallet::<gear_runtime::Runtime>::gas_value(10_000_000_000)
        );
        Gear::on_idle(1, Weight::MAX);
        assert_eq!(reply_to(&account).as_deref(), Some(&b"PONG"[..]));
    });
}

#[test]
fn presets_create_the_relay_token() {
    dev_externalities().execute_with(|| {
        use polkadot_sdk::frame_support::traits::fungibles::{metadata::Inspect as _, Inspect};
        assert!(gear_runtime::ForeignAssets::asset_exists(Location::parent()));
        assert_eq!(
            gear_runtime::ForeignAssets::minimum_balance(Location::parent()),
            gear_runtime::genesis_config_presets::RELAY_TOKEN_MIN_BALANCE
        );
        assert_eq!(
            gear_runtime::ForeignAssets::decimals(Location::parent()),
            12
        );
    });
}
