//! Proof size: what a message really makes a block prove, recorded over the real runtime's
//! state (`TestExternalities::execute_and_prove`), against the proof weight the block is charged
//! for it (the extrinsic's weight plus what the queue's meter consumes). Proof sizes are
//! deterministic, so these are tests: measured ≤ charged for one program, many programs, and
//! programs holding 16 KiB, 256 KiB and 1 MiB of state. Run with `--nocapture` for the numbers
//! (`docs/PERFORMANCE.md`).

mod common;

use codec::Encode;
use common::dev_externalities;
use gear_core::ids::prelude::{ActorIdExt, CodeIdExt};
use gear_runtime::{Gear, RuntimeCall, RuntimeOrigin};
use gprimitives::{ActorId, CodeId};
use polkadot_sdk::{
    frame_support::{dispatch::GetDispatchInfo, weights::WeightMeter},
    sp_core::H256,
    sp_io::TestExternalities,
    sp_keyring::Sr25519Keyring,
    sp_runtime::traits::Dispatchable,
};

const GAS: u64 = 50_000_000_000;

fn bob() -> RuntimeOrigin {
    RuntimeOrigin::signed(Sr25519Keyring::Bob.to_account_id())
}

/// Uploads `code` (salted) and runs its init; committed, so later proofs read it from the trie.
fn upload(ext: &mut TestExternalities, code: &[u8], salt: &[u8]) -> ActorId {
    ext.execute_with(|| {
        RuntimeCall::Gear(pallet_gear::Call::upload_program {
            code: code.to_vec(),
            salt: salt.to_vec(),
            init_payload: vec![],
            gas_limit: GAS,
            value: 0,
            keep_alive: false,
        })
        .dispatch(bob())
        .expect("upload accepted");
        Gear::run_queue(&mut WeightMeter::new());
    });
    ext.commit_all().unwrap();
    let id = ActorId::generate_from_user(CodeId::generate(code), salt);
    ext.execute_with(|| {
        assert!(
            matches!(
                pallet_gear::program::ProgramStorage::<gear_runtime::Runtime>::get(id),
                Some(gear_core::program::Program::Active(p))
                    if p.state == gear_core::program::ProgramState::Initialized
            ),
            "the program is initialized"
        )
    });
    id
}

fn send(destination: ActorId) -> RuntimeCall {
    RuntimeCall::Gear(pallet_gear::Call::send_message {
        destination: H256(destination.into_bytes()),
        payload: b"PING".to_vec(),
        gas_limit: GAS,
        value: 0,
        keep_alive: false,
    })
}

/// Submits `calls` and runs the queue once, recording the proof: (proof bytes, proof weight
/// charged).
fn prove(ext: &mut TestExternalities, calls: Vec<RuntimeCall>) -> (u64, u64) {
    ext.commit_all().unwrap();
    let (charged, proof) = ext.execute_and_prove(|| {
        let mut charged = 0u64;
        for call in calls {
            charged += call.get_dispatch_info().call_weight.proof_size();
            call.dispatch(bob()).expect("message accepted");
        }
        let mut meter = WeightMeter::new();
        Gear::run_queue(&mut meter);
        assert_eq!(Gear::queue_len(), 0, "the queue ran dry");
        charged + meter.consumed().proof_size()
    });
    (proof.encoded_size() as u64, charged)
}

fn check(what: &str, messages: u64, (proved, charged): (u64, u64)) {
    println!(
        "{what}: {} bytes proved per message, {} charged ({:.2})",
        proved / messages,
        charged / messages,
        proved as f64 / charged as f64
    );
    assert!(
        proved <= charged,
        "{what}: {proved} bytes proved, only {charged} charged"
    );
}

#[test]
fn a_message_to_one_program_proves_no_more_than_it_is_charged() {
    let mut ext = dev_externalities();
    let ping = upload(&mut ext, gear_examples::ping(), b"ping");
    check(
        "ping, first message of the block",
        1,
        prove(&mut ext, vec![send(ping)]),
    );
    check(
        "ping, 50 messages in one block",
        50,
        prove(&mut ext, (0..50).map(|_| send(ping)).collect()),
    );
}

#[test]
fn messages_to_many_programs_prove_no_more_than_they_are_charged() {
    let mut ext = dev_externalities();
    let pings: Vec<_> = (0..20u32)
        .map(|i| upload(&mut ext, gear_examples::ping(), &i.to_le_bytes()))
        .collect();
    check(
        "20 ping programs, one message each",
        20,
        prove(&mut ext, pings.into_iter().map(send).collect()),
    );
}

#[test]
fn programs_holding_state_prove_no_more_than_they_are_charged() {
    let mut ext = dev_externalities();
    for (what, pages) in [("16 KiB", 1), ("256 KiB", 16), ("1 MiB", 64)] {
        let holder = upload(&mut ext, &gear_examples::holder(pages), what.as_bytes());
        let stored = ext.execute_with(|| {
            pallet_gear::program::PagesCount::<gear_runtime::Runtime>::get(holder)
        });
        assert_eq!(stored, pages, "{what}: its pages are stored");
        check(
            &format!("a program holding {what}"),
            1,
            prove(&mut ext, vec![send(holder)]),
        );
    }
}

/// A benchmark leaves out its signer's account, which every signed extrinsic's `CheckNonce`
/// reads and writes before the call; a call made from a derived account
/// (`Utility::as_derivative`) touches an account no extension did, and a mortal extrinsic reads
/// the hash of the block it names, which its benchmark whitelists. The runtime charges both.
#[test]
fn keys_no_benchmark_counts_are_charged_where_they_are_touched() {
    use polkadot_sdk::{
        frame_support::weights::constants::RocksDbWeight, frame_system::ExtensionsWeightInfo,
    };
    type Extensions =
        <gear_runtime::Runtime as polkadot_sdk::frame_system::Config>::ExtensionsWeightInfo;
    let read_write = RocksDbWeight::get().reads_writes(1, 1);
    let direct = send(ActorId::from([1; 32]))
        .get_dispatch_info()
        .total_weight();
    let derived = RuntimeCall::Utility(polkadot_sdk::pallet_utility::Call::as_derivative {
        index: 7,
        call: Box::new(send(ActorId::from([1; 32]))),
    })
    .get_dispatch_info()
    .total_weight();
    assert!(
        derived.all_gte(
            direct
                + read_write
                + polkadot_sdk::frame_support::weights::Weight::from_parts(0, 2_603)
        ),
        "{derived} vs {direct}"
    );
    type Measured =
        gear_runtime::weights::frame_system_extensions::WeightInfo<gear_runtime::Runtime>;
    let read = RocksDbWeight::get().reads(1);
    assert!(
        Extensions::check_mortality_mortal_transaction().all_gte(
            Measured::check_mortality_mortal_transaction()
                + read
                + polkadot_sdk::frame_support::weights::Weight::from_parts(0, 2_519)
        ),
        "a mortal extrinsic reads its birth block's hash"
    );
}

/// A claim of trapped assets deposits them into whatever beneficiary it names, in both of this
/// chain's tokens, while its benchmark deposits one token into its own signer (whose account
/// benchmarks whitelist): the runtime charges each claim both deposits (`XcmWeights`).
#[test]
fn a_claim_of_trapped_assets_into_a_new_account_proves_no_more_than_it_is_charged() {
    use gear_runtime::{xcm_config::XcmConfig, Balances, ForeignAssets, UNIT};
    use polkadot_sdk::{
        frame_support::traits::fungibles::Mutate as _,
        pallet_xcm,
        staging_xcm::{latest::prelude::*, VersionedAssets, VersionedLocation},
        staging_xcm_executor::XcmExecutor,
    };
    let mut ext = dev_externalities();
    let bob_account = Sr25519Keyring::Bob.to_account_id();
    let account = |id: [u8; 32]| -> Location { Junction::AccountId32 { network: None, id }.into() };
    let assets: Assets = vec![
        (Location::here(), 10 * UNIT).into(),
        (Location::parent(), 10 * UNIT).into(),
    ]
    .into();
    ext.execute_with(|| {
        ForeignAssets::mint_into(Location::parent(), &bob_account, 100 * UNIT).expect("minted");
        // Bob withdraws both tokens into the holding and leaves them there: trapped.
        let weight = Weight::from_parts(10_000_000_000, 1024 * 1024);
        let outcome = XcmExecutor::<XcmConfig>::prepare_and_execute(
            account(bob_account.clone().into()),
            Xcm(vec![WithdrawAsset(assets.clone())]),
            &mut [0; 32],
            weight,
            weight,
        );
        assert!(outcome.clone().ensure_complete().is_ok(), "{outcome:?}");
        assert!(
            gear_runtime::System::events().iter().any(|record| matches!(
                record.event,
                gear_runtime::RuntimeEvent::PolkadotXcm(pallet_xcm::Event::AssetsTrapped { .. })
            )),
            "the assets are trapped"
        );
        gear_runtime::System::reset_events();
    });
    ext.commit_all().unwrap();

    let beneficiary = gear_runtime::AccountId::new([42; 32]);
    let claim = RuntimeCall::PolkadotXcm(pallet_xcm::Call::claim_assets {
        assets: Box::new(VersionedAssets::from(assets)),
        beneficiary: Box::new(VersionedLocation::from(account([42; 32]))),
    });
    let charged = claim.get_dispatch_info().call_weight.proof_size();
    let (result, proof) = ext.execute_and_prove(|| claim.dispatch(bob()));
    result.expect("the claim succeeds");
    check(
        "a claim of both tokens into a new account",
        1,
        (proof.encoded_size() as u64, charged),
    );
    ext.execute_with(|| {
        assert_eq!(Balances::free_balance(&beneficiary), 10 * UNIT);
        assert_eq!(
            ForeignAssets::balance(Location::parent(), &beneficiary),
            10 * UNIT
        );
    });
}

/// A sibling's channel holding a page from earlier blocks: the next message to it reads the page
/// whole and parachain-system's `on_finalize` takes it, while `send`'s weight (measured on an
/// empty channel) counts neither. Each block is charged such pages before its inherents
/// (`OutboundQueuesProof`), read off the channels' state, whose layout this checks too.
#[test]
fn outbound_pages_are_charged_to_the_block_that_may_read_them() {
    use gear_runtime::{OutboundQueuesProof, XcmpQueue};
    use polkadot_sdk::{
        cumulus_pallet_parachain_system,
        cumulus_primitives_core::XcmpMessageSource,
        pallet_xcm,
        staging_xcm::{latest::prelude::*, VersionedLocation, VersionedXcm},
    };
    let mut ext = dev_externalities();
    let sibling = 2001u32;
    let send = |len: usize| {
        RuntimeCall::PolkadotXcm(pallet_xcm::Call::send {
            dest: Box::new(VersionedLocation::from(Location::new(
                1,
                [Parachain(sibling)],
            ))),
            message: Box::new(VersionedXcm::from(Xcm::<()>(vec![Transact {
                origin_kind: OriginKind::SovereignAccount,
                fallback_max_weight: None,
                call: vec![7u8; len].into(),
            }]))),
        })
    };
    let pages = || XcmpQueue::take_outbound_messages(16, &[]);
    ext.execute_with(|| {
        cumulus_pallet_parachain_system::Pallet::<gear_runtime::Runtime>::open_outbound_hrmp_channel_for_benchmarks_or_tests(sibling.into());
        assert_eq!(OutboundQueuesProof::weight().proof_size(), 0, "no pages yet");
        for _ in 0..3 {
            send(30_000).dispatch(bob()).expect("sent");
        }
        // A block starts with no events (they hold the messages sent).
        gear_runtime::System::reset_events();
    });
    ext.commit_all().unwrap();

    // What the channel holds, as the block would take it (rolled back).
    let (charged_pages, stored) = ext.execute_with(|| {
        let charged = OutboundQueuesProof::pages().proof_size();
        let taken = polkadot_sdk::frame_support::storage::with_transaction(|| {
            polkadot_sdk::sp_runtime::TransactionOutcome::Rollback(Ok::<
                _,
                polkadot_sdk::sp_runtime::DispatchError,
            >(pages()))
        })
        .unwrap();
        (charged, taken)
    });
    assert_eq!(stored.len(), 1, "one page, {} bytes", stored[0].1.len());
    assert!(stored[0].1.len() > 90_000);
    assert_eq!(
        charged_pages,
        stored[0].1.len() as u64 + OutboundQueuesProof::KEY_PROOF,
        "the page and its key, read off the channel's state"
    );

    // A block that sends to the channel and takes its pages.
    let small = send(100);
    let charged = small.get_dispatch_info().call_weight.proof_size() + charged_pages;
    let (taken, proof) = ext.execute_and_prove(|| {
        small.dispatch(bob()).expect("sent");
        pages()
    });
    assert_eq!(taken.len(), 1);
    check(
        "a message to a sibling whose channel holds a page",
        1,
        (proof.encoded_size() as u64, charged),
    );
}

/// Upward messages the relay chain has not taken yet wait in one storage value that every block
/// reads whole (parachain-system's `on_finalize`, and every send). At most
/// `MAX_PENDING_UPWARD` messages and `MAX_PENDING_UPWARD_BYTES` (or one message of the relay
/// chain's largest size) wait (`BoundedUpwardSender`): a send beyond that fails and queues
/// nothing. A block is charged what waits before its inherents (`OutboundQueuesProof`).
#[test]
fn upward_messages_waiting_are_bounded_and_charged() {
    use gear_runtime::{
        xcm_config::{MAX_PENDING_UPWARD, MAX_PENDING_UPWARD_BYTES},
        OutboundQueuesProof, Runtime,
    };
    use polkadot_sdk::{
        cumulus_pallet_parachain_system::{self as ps, PendingUpwardMessages},
        cumulus_primitives_core::UpwardMessageSender,
        pallet_xcm,
        staging_xcm::{latest::prelude::*, VersionedLocation, VersionedXcm},
    };
    let mut ext = dev_externalities();
    let send = |len: usize| {
        RuntimeCall::PolkadotXcm(pallet_xcm::Call::send {
            dest: Box::new(VersionedLocation::from(Location::parent())),
            message: Box::new(VersionedXcm::from(Xcm::<()>(vec![Transact {
                origin_kind: OriginKind::SovereignAccount,
                fallback_max_weight: None,
                call: vec![7u8; len].into(),
            }]))),
        })
    };
    let pending = PendingUpwardMessages::<Runtime>::get;
    let waiting_bytes = || pending().iter().map(Vec::len).sum::<usize>();
    // Sends `len`-byte messages until one is refused: how many went.
    let fill = |len: usize| {
        let mut sent = 0;
        loop {
            let before = pending();
            match send(len).dispatch(bob()) {
                Ok(_) => sent += 1,
                Err(refused) => {
                    assert_eq!(
                        refused.error,
                        pallet_xcm::Error::<Runtime>::SendFailure.into()
                    );
                    assert_eq!(pending(), before, "a refused send queues nothing");
                    return sent;
                }
            }
        }
    };
    ext.execute_with(|| {
        // The relay chain's configuration, as the parachain inherent brings it.
        <ps::Pallet<Runtime> as UpwardMessageSender>::ensure_successful_delivery();
        let largest = ps::HostConfiguration::<Runtime>::get()
            .expect("configured")
            .max_upward_message_size as usize;
        let bound = largest.max(MAX_PENDING_UPWARD_BYTES);
        // Small messages: as many as may wait.
        assert_eq!(fill(100), MAX_PENDING_UPWARD);
        PendingUpwardMessages::<Runtime>::kill();
        // Large ones: as many bytes as may wait.
        let sent = fill(30_000);
        let bytes = waiting_bytes();
        assert!(
            sent > 1 && bytes <= bound && bytes + 30_000 > bound,
            "{sent} sent, {bytes} bytes waiting of {bound}"
        );
        // A block starts with no events (they hold the messages sent).
        gear_runtime::System::reset_events();
    });
    ext.commit_all().unwrap();

    // A block that sends one more and reads the waiting messages (as its `on_finalize` does).
    let small = send(100);
    let charged = small.get_dispatch_info().call_weight.proof_size()
        + ext.execute_with(|| OutboundQueuesProof::weight().proof_size());
    let (waiting, proof) = ext.execute_and_prove(|| {
        small.dispatch(bob()).expect("sent");
        pending().len()
    });
    assert!(waiting > 2);
    check(
        "a message to the relay chain with upward messages waiting",
        1,
        (proof.encoded_size() as u64, charged),
    );
}
