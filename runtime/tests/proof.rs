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
