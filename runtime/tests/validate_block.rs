//! Worst-case blocks, built as a collator builds them and validated as a relay-chain validator
//! validates them.
//!
//! A [`Chain`] builds blocks natively over the real runtime's state: the parachain inherent from
//! Cumulus' mocked relay chain (the same provider `gear-node --dev` uses, with the parent as the
//! included head), the timestamp, signed extrinsics pushed until the block is full (each in a
//! storage transaction, as `sc-block-builder` does), the queue in `on_idle`, and an Aura seal by
//! the slot's collator. The storage proof is recorded while the block is built, with the
//! proof-size extension registered as a collator registers it (storage-weight reclaim reads it).
//!
//! Each worst-case block is then validated by `validate_block` of the runtime WASM, compiled and
//! executed by the relay chain's own PVF executor (`polkadot-node-core-pvf-common`'s `prepare` and
//! `execute_artifact`), with the relay chain's default executor parameters (heap of 32 + 2048
//! pages, the deterministic stack limit) on a thread with the execute worker's stack. A block
//! that needed more heap or stack than a validator gives, or whose proof missed a node, fails
//! here as it would fail on the relay chain.
//!
//! Asserted: every block validates and yields its own header as the new head; its PoV fits
//! `MAX_POV_SIZE`; the storage proof it carries is no larger than the proof weight it was
//! charged; and, run again with a larger memory cap so the allocator's statistics can be read,
//! it needs at most [`HEAP_MARGIN`] of heap (the validators give 130 MiB). Printed (`--nocapture`; `scripts/bench-blocks.sh` runs these and
//! `docs/PERFORMANCE.md` records them): the time `validate_block` took against the block's
//! ref-time weight. Times are never asserted.

mod common;

use std::{
    any::TypeId,
    collections::BTreeMap,
    sync::OnceLock,
    time::{Duration, Instant},
};

use codec::{Decode, Encode};
use cumulus_primitives_parachain_inherent::{ParachainInherentData, INHERENT_IDENTIFIER};
use gear_core::ids::prelude::{ActorIdExt, CodeIdExt};
use gear_core::message::UserMessage;
use gear_primitives::HandleKind;
use gear_runtime::{
    Block, Executive, Gear, Header, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig,
    System, TxExtension, UncheckedExtrinsic, VERSION,
};
use gprimitives::{ActorId, CodeId, MessageId};
use polkadot_node_core_pvf_common::executor_interface;
use polkadot_sdk::{
    cumulus_client_parachain_inherent::{MockValidationDataInherentDataProvider, MockXcmConfig},
    cumulus_primitives_core::{
        relay_chain::{HeadData, MAX_POV_SIZE},
        ParachainBlockData,
    },
    frame_metadata_hash_extension::CheckMetadataHash,
    frame_support::{
        dispatch::DispatchClass, genesis_builder_helper::build_state, inherent::ProvideInherent,
        storage::storage_prefix, weights::Weight,
    },
    frame_system, pallet_timestamp, pallet_transaction_payment,
    polkadot_parachain_primitives::primitives::{BlockData, ValidationParams, ValidationResult},
    polkadot_primitives::{executor_params::DEFAULT_NATIVE_STACK_MAX, ExecutorParams},
    sc_executor,
    sp_consensus_aura::{sr25519::AuthorityId as AuraId, Slot, AURA_ENGINE_ID},
    sp_core::{Blake2Hasher, Pair, H256},
    sp_genesis_builder,
    sp_inherents::{InherentData, InherentDataProvider},
    sp_io::{self, TestExternalities},
    sp_keyring::Sr25519Keyring,
    sp_runtime::{
        generic::{Digest, DigestItem, Era, SignedPayload},
        traits::{BlakeTwo256, Header as _},
        transaction_validity::{InvalidTransaction, TransactionValidityError},
        MultiAddress, MultiSignature,
    },
    sp_state_machine::BasicExternalities,
    sp_timestamp,
    sp_trie::{proof_size_extension::ProofSizeExt, recorder::Recorder, StorageProof},
};
use sc_executor_common::{
    runtime_blob::RuntimeBlob,
    wasm_runtime::{AllocationStats, HeapAllocStrategy, WasmModule},
};

/// The mocked relay parent number (and relay slot) of para block 0; block `n` has `n` more.
const RELAY_OFFSET: u32 = 1_000;
/// Gas for a ping program's init (ample).
const PING_INIT_GAS: u64 = 10_000_000_000;
/// The relay chain's slot duration.
const RELAY_SLOT_MILLIS: u64 = 6_000;

/// A parachain built block by block over the development preset's genesis.
struct Chain {
    ext: TestExternalities,
    genesis: H256,
    head: Header,
    para_id: u32,
    /// HRMP messages the next block's relay parent delivers: (sender, the XCMP blob).
    horizontal: Vec<(u32, Vec<u8>)>,
}

/// A block as a collator hands it to the relay chain, with what the block was charged.
struct Built {
    block: Block,
    proof: StorageProof,
    parent: Header,
    relay_parent_number: u32,
    relay_parent_storage_root: H256,
    /// The block's consumed weight, all classes.
    weight: Weight,
    /// The part of it its signed extrinsics used (the normal class).
    normal_weight: Weight,
    /// Signed extrinsics that went in (of those offered).
    signed: usize,
    /// Dispatches in the queue after the extrinsics and after `on_idle`.
    queue: (u64, u64),
    /// The block's events.
    events: Vec<RuntimeEvent>,
}

impl Chain {
    fn new() -> Self {
        let preset = gear_runtime::genesis_config_presets::get_preset(
            &sp_genesis_builder::DEV_RUNTIME_PRESET.into(),
        )
        .expect("development preset exists");
        let mut ext = TestExternalities::new(Default::default());
        ext.execute_with(|| {
            build_state::<RuntimeGenesisConfig>(common::genesis_json(&preset))
                .expect("genesis builds")
        });
        ext.commit_all().unwrap();
        let head = Header::new(
            0,
            Default::default(),
            *ext.backend.root(),
            Default::default(),
            Default::default(),
        );
        let para_id = ext.execute_with(|| u32::from(gear_runtime::ParachainInfo::parachain_id()));
        Self {
            ext,
            genesis: head.hash(),
            head,
            para_id,
            horizontal: Vec::new(),
        }
    }

    /// `call` signed by `who` with `nonce`, immortal, no tip.
    fn sign(&self, who: Sr25519Keyring, nonce: u32, call: RuntimeCall) -> UncheckedExtrinsic {
        let tx_ext: TxExtension = (
            frame_system::CheckNonZeroSender::<Runtime>::new(),
            frame_system::CheckSpecVersion::<Runtime>::new(),
            frame_system::CheckTxVersion::<Runtime>::new(),
            frame_system::CheckGenesis::<Runtime>::new(),
            frame_system::CheckEra::<Runtime>::from(Era::Immortal),
            frame_system::CheckNonce::<Runtime>::from(nonce),
            frame_system::CheckWeight::<Runtime>::new(),
            pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
            CheckMetadataHash::<Runtime>::new(false),
        )
            .into();
        let implicit = (
            (),
            VERSION.spec_version,
            VERSION.transaction_version,
            self.genesis,
            self.genesis,
            (),
            (),
            (),
            None,
        );
        let payload = SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
        let signature = payload.using_encoded(|bytes| who.pair().sign(bytes));
        UncheckedExtrinsic::new_signed(
            call,
            MultiAddress::Id(who.to_account_id()),
            MultiSignature::Sr25519(signature),
            tx_ext,
        )
    }

    /// Builds, seals and imports the next block: the inherents, then `calls` (signed in order,
    /// with consecutive nonces per account) until one no longer fits, then `on_idle` (the queue).
    fn build(&mut self, calls: Vec<(Sr25519Keyring, RuntimeCall)>) -> Built {
        let number = self.head.number + 1;
        let relay_parent_number = RELAY_OFFSET + number;
        let slot = u64::from(relay_parent_number);

        let mut nonces = BTreeMap::new();
        let signed: Vec<_> = calls
            .into_iter()
            .map(|(who, call)| {
                let account = who.to_account_id();
                let nonce = *nonces
                    .entry(account.clone())
                    .or_insert_with(|| self.ext.execute_with(|| System::account_nonce(&account)));
                nonces.insert(account, nonce + 1);
                self.sign(who, nonce, call)
            })
            .collect();

        // The parachain inherent as the dev node mocks it, with the parent as the included head
        // and as the validation data's parent head (what a collator puts there), and the HRMP
        // messages queued for it, each channel's chain of heads continuing where it stopped.
        let horizontal: Vec<_> = std::mem::take(&mut self.horizontal)
            .into_iter()
            .map(|(sender, blob)| (sender.into(), blob))
            .collect();
        let starting_hrmp_mqc_heads = self.ext.execute_with(|| {
            cumulus_pallet_parachain_system::LastHrmpMqcHeads::<Runtime>::get()
                .into_iter()
                .map(|(sender, chain)| (sender, chain.head()))
                .collect()
        });
        let mut data = InherentData::new();
        futures::executor::block_on(async {
            sp_timestamp::InherentDataProvider::new((slot * RELAY_SLOT_MILLIS).into())
                .provide_inherent_data(&mut data)
                .await
                .unwrap();
            MockValidationDataInherentDataProvider::<()> {
                current_para_block: number,
                para_id: self.para_id.into(),
                current_para_block_head: Some(HeadData(self.head.encode())),
                relay_offset: RELAY_OFFSET,
                relay_blocks_per_para_block: 1,
                para_blocks_per_relay_epoch: 10,
                raw_horizontal_messages: horizontal,
                xcm_config: MockXcmConfig {
                    starting_hrmp_mqc_heads,
                    ..Default::default()
                },
                ..Default::default()
            }
            .provide_inherent_data(&mut data)
            .await
            .unwrap();
        });
        let mut parachain: ParachainInherentData = data
            .get_data(&INHERENT_IDENTIFIER)
            .unwrap()
            .expect("the mocked parachain inherent");
        parachain.validation_data.parent_head = HeadData(self.head.encode());
        parachain.validation_data.max_pov_size = MAX_POV_SIZE;
        let relay_parent_storage_root = parachain.validation_data.relay_parent_storage_root;
        assert_eq!(
            parachain.validation_data.relay_parent_number,
            relay_parent_number
        );
        data.replace_data(INHERENT_IDENTIFIER, &parachain);
        let inherents: Vec<_> = self.ext.execute_with(|| {
            vec![
                RuntimeCall::ParachainSystem(
                    cumulus_pallet_parachain_system::Pallet::<Runtime>::create_inherent(&data)
                        .expect("the validation data inherent"),
                ),
                RuntimeCall::Timestamp(
                    pallet_timestamp::Pallet::<Runtime>::create_inherent(&data)
                        .expect("the timestamp inherent"),
                ),
            ]
        });

        self.ext.commit_all().unwrap();
        assert_eq!(*self.ext.backend.root(), self.head.state_root);
        let pre = Header::new(
            number,
            Default::default(),
            Default::default(),
            self.head.hash(),
            Digest {
                logs: vec![DigestItem::PreRuntime(
                    AURA_ENGINE_ID,
                    Slot::from(slot).encode(),
                )],
            },
        );

        // `validate_block` checks the seal against the authorities before the block, outside
        // the block's own proof-size accounting: recorded apart.
        let seal_reads = Recorder::<Blake2Hasher>::default();
        let authorities = self.ext.execute_with_recorder(seal_reads.clone(), || {
            sp_io::storage::get(&storage_prefix(b"AuraExt", b"Authorities"));
            polkadot_sdk::pallet_aura::Authorities::<Runtime>::get()
        });

        let recorder = Recorder::<Blake2Hasher>::default();
        self.ext
            .extensions
            .register(ProofSizeExt::new(recorder.clone()));
        let (header, extrinsics, signed_in, weight, queue) =
            self.ext.execute_with_recorder(recorder.clone(), || {
                Executive::initialize_block(&pre);
                let mut included = vec![];
                for call in inherents {
                    let xt = UncheckedExtrinsic::new_bare(call);
                    Executive::apply_extrinsic(xt.clone())
                        .expect("the inherent is valid")
                        .expect("the inherent succeeds");
                    included.push(xt);
                }
                let mut signed_in = 0;
                for xt in signed {
                    sp_io::storage::start_transaction();
                    match Executive::apply_extrinsic(xt.clone()) {
                        Ok(_) => {
                            sp_io::storage::commit_transaction();
                            included.push(xt);
                            signed_in += 1;
                        }
                        Err(TransactionValidityError::Invalid(
                            InvalidTransaction::ExhaustsResources,
                        )) => {
                            sp_io::storage::rollback_transaction();
                            break;
                        }
                        Err(e) => panic!("extrinsic refused: {e:?}"),
                    }
                }
                let queued = Gear::queue_len();
                let header = Executive::finalize_block();
                let weight = System::block_weight();
                (
                    header,
                    included,
                    signed_in,
                    (weight.total(), *weight.get(DispatchClass::Normal)),
                    (queued, Gear::queue_len()),
                )
            });
        self.ext.extensions.deregister(TypeId::of::<ProofSizeExt>());

        // After the block `validate_block` reads the outputs (from the block's changes, or from
        // the proof where the block left them alone).
        let output_reads = Recorder::<Blake2Hasher>::default();
        self.ext.execute_with_recorder(output_reads.clone(), || {
            use cumulus_pallet_parachain_system as ps;
            (
                ps::ValidationData::<Runtime>::get(),
                ps::NewValidationCode::<Runtime>::get(),
                ps::UpwardMessages::<Runtime>::get(),
                ps::ProcessedDownwardMessages::<Runtime>::get(),
                ps::HrmpOutboundMessages::<Runtime>::get(),
                ps::HrmpWatermark::<Runtime>::get(),
                ps::CustomValidationHeadData::<Runtime>::get(),
            )
        });
        let proof = StorageProof::merge([
            seal_reads.drain_storage_proof(),
            recorder.drain_storage_proof(),
            output_reads.drain_storage_proof(),
        ]);
        self.ext.commit_all().unwrap();
        assert_eq!(
            *self.ext.backend.root(),
            header.state_root,
            "the block's state root is the state's"
        );
        let events = self.ext.execute_with(|| {
            System::events()
                .into_iter()
                .map(|record| record.event)
                .collect()
        });

        let mut header = header;
        let author = &authorities[(slot % authorities.len() as u64) as usize];
        let collator = Sr25519Keyring::iter()
            .find(|k| AuraId::from(k.public()) == *author)
            .expect("the slot's collator is a keyring account");
        let seal = collator.pair().sign(header.hash().as_ref());
        header
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, seal.encode()));
        let parent = std::mem::replace(&mut self.head, header.clone());
        Built {
            block: Block { header, extrinsics },
            proof,
            parent,
            relay_parent_number,
            relay_parent_storage_root,
            weight: weight.0,
            normal_weight: weight.1,
            signed: signed_in,
            queue,
            events,
        }
    }

    /// Gas a message `payload` from Bob to `destination` needs in the program's steady state:
    /// one such message is run first (a program's first message may store pages the later
    /// ones then load), then Gear's estimate is taken.
    fn gas_for(&mut self, destination: ActorId, payload: &[u8]) -> u64 {
        let warm_up = self.build(vec![send(
            destination,
            payload.to_vec(),
            gear_runtime::BLOCK_GAS_LIMIT,
        )]);
        assert_eq!(
            outcomes(&warm_up.events),
            (1, 0),
            "the warm-up message succeeds"
        );
        self.estimate(destination, payload)
    }

    /// Gear's estimate (`min_limit`) for a message `payload` from Bob to `destination` now.
    fn estimate(&mut self, destination: ActorId, payload: &[u8]) -> u64 {
        self.ext.execute_with(|| {
            Gear::calculate_gas_info(
                Sr25519Keyring::Bob.to_account_id().into(),
                HandleKind::Handle(destination),
                payload.to_vec(),
                0,
                false,
                None,
            )
            .expect("an estimate")
            .min_limit
        })
    }

    /// One program of `code`, its init given the block gas limit.
    fn program(&mut self, code: &[u8], salt: &[u8]) -> ActorId {
        self.programs(code, vec![salt.to_vec()], gear_runtime::BLOCK_GAS_LIMIT)[0]
    }

    /// Uploads `code` once and creates `salts.len()` programs of it, in as many blocks as that
    /// takes; returns their ids, all initialized.
    fn programs(&mut self, code: &[u8], salts: Vec<Vec<u8>>, gas_limit: u64) -> Vec<ActorId> {
        let code_id = CodeId::generate(code);
        self.build(vec![(
            Sr25519Keyring::Bob,
            RuntimeCall::Gear(pallet_gear::Call::upload_code {
                code: code.to_vec(),
            }),
        )]);
        let ids: Vec<_> = salts
            .iter()
            .map(|salt| ActorId::generate_from_user(code_id, salt))
            .collect();
        let mut pending: Vec<_> = salts
            .into_iter()
            .map(|salt| {
                RuntimeCall::Gear(pallet_gear::Call::create_program {
                    code_id: H256(code_id.into_bytes()),
                    salt,
                    init_payload: vec![],
                    gas_limit,
                    value: 0,
                    keep_alive: false,
                })
            })
            .collect();
        while !pending.is_empty() {
            let built = self.build(
                pending
                    .iter()
                    .cloned()
                    .map(|c| (Sr25519Keyring::Bob, c))
                    .collect(),
            );
            pending.drain(..built.signed);
        }
        // Let the queue run the inits.
        while self.ext.execute_with(Gear::queue_len) > 0 {
            self.build(vec![]);
        }
        self.ext.execute_with(|| {
            for id in &ids {
                assert!(
                    matches!(
                        pallet_gear::program::ProgramStorage::<Runtime>::get(id),
                        Some(gear_core::program::Program::Active(p))
                            if p.state == gear_core::program::ProgramState::Initialized
                    ),
                    "program {id} is initialized"
                );
            }
        });
        ids
    }
}

fn send(destination: ActorId, payload: Vec<u8>, gas_limit: u64) -> (Sr25519Keyring, RuntimeCall) {
    (
        Sr25519Keyring::Bob,
        RuntimeCall::Gear(pallet_gear::Call::send_message {
            destination: H256(destination.into_bytes()),
            payload,
            gas_limit,
            value: 0,
            keep_alive: false,
        }),
    )
}

/// How the users' dispatches of a block ended: (succeeded, failed).
fn outcomes(events: &[RuntimeEvent]) -> (usize, usize) {
    events
        .iter()
        .filter_map(|event| match event {
            RuntimeEvent::Gear(pallet_gear::Event::MessagesDispatched { statuses, .. }) => {
                Some(statuses.values())
            }
            _ => None,
        })
        .flatten()
        .fold((0, 0), |(ok, failed), status| match status {
            pallet_gear::types::DispatchStatus::Success => (ok + 1, failed),
            _ => (ok, failed + 1),
        })
}

/// The runtime WASM compiled as a validator's PVF prepare worker compiles it.
fn artifact() -> &'static [u8] {
    static ARTIFACT: OnceLock<Vec<u8>> = OnceLock::new();
    ARTIFACT.get_or_init(|| {
        let code = gear_runtime::WASM_BINARY.expect("the runtime WASM is built");
        let blob = RuntimeBlob::uncompress_if_needed(code).expect("the runtime WASM decompresses");
        executor_interface::prepare(blob, &ExecutorParams::default()).expect("the PVF compiles")
    })
}

/// Runs `validate_block` as a validator's PVF execute worker does: the prepared artifact, the
/// relay chain's default executor parameters, a thread with the worker's stack size.
fn validate_block(params: &ValidationParams) -> (Result<ValidationResult, String>, Duration) {
    let params = params.encode();
    let artifact = artifact();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024 + DEFAULT_NATIVE_STACK_MAX as usize)
        .spawn(move || {
            let start = Instant::now();
            // SAFETY: the artifact was produced by `prepare` and is not modified.
            let output = unsafe {
                executor_interface::execute_artifact(artifact, &ExecutorParams::default(), &params)
            };
            let took = start.elapsed();
            let result = output.map_err(|e| e.to_string()).map(|bytes| {
                ValidationResult::decode(&mut &bytes[..]).expect("a validation result")
            });
            (result, took)
        })
        .unwrap()
        .join()
        .unwrap()
}

/// The relay chain's PVF heap: `validate_block`'s whole linear memory (data, stack and heap),
/// in WASM pages (`polkadot-node-core-pvf-common`: 32 + 2048 by default).
const PVF_MEMORY_PAGES: u32 = 32 + 2048;
/// Heap a worst-case block may use here: 100 MiB of the PVF's 130 MiB (data and stack take ~2).
const HEAP_MARGIN: u32 = 100 * 1024 * 1024;

/// How much of the heap `validate_block` needs: the same artifact and semantics, with a memory
/// cap 8 times the validators' so that a block over their limit still runs to the end and its
/// need can be read from the allocator's statistics (`address_space_used`: the allocator only
/// ever bumps, freed chunks are reused only for the same size class).
fn heap_stats(params: &[u8]) -> AllocationStats {
    let artifact = artifact();
    let params = params.to_vec();
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024 + DEFAULT_NATIVE_STACK_MAX as usize)
        .spawn(move || {
            let mut config = executor_interface::DEFAULT_CONFIG.clone();
            config.semantics.heap_alloc_strategy = HeapAllocStrategy::Dynamic {
                maximum_pages: Some(PVF_MEMORY_PAGES * 8),
            };
            let strategy = config.semantics.heap_alloc_strategy;
            // SAFETY: the artifact was produced by `prepare` and is not modified.
            let runtime = unsafe {
                sc_executor_wasmtime::create_runtime_from_artifact_bytes::<
                    sp_io::SubstrateHostFunctions,
                >(artifact, config)
            }
            .expect("the artifact loads");
            let mut ext = BasicExternalities::default();
            let runtime = std::panic::AssertUnwindSafe(&runtime);
            let (result, stats) = sc_executor::with_externalities_safe(&mut ext, || {
                let mut instance = runtime.new_instance(strategy).expect("an instance");
                instance.call_with_allocation_stats("validate_block", &params)
            })
            .expect("no panic");
            result.expect("the block validates with a larger heap");
            stats.expect("the allocator reports")
        })
        .unwrap()
        .join()
        .unwrap()
}

/// Validates `built` as the relay chain would, checks its sizes, and reports; returns how the
/// users' dispatches in it ended (succeeded, failed).
fn check(what: &str, built: Built) -> (usize, usize) {
    let compact = built
        .proof
        .into_compact_proof::<BlakeTwo256>(built.parent.state_root)
        .expect("the proof compacts");
    let proof_bytes = compact.encoded_size() as u64;
    let header = built.block.header.clone();
    let extrinsics = built.block.extrinsics.len();
    let block_data = ParachainBlockData::new(vec![built.block], compact, None).encode();
    let pov_bytes = block_data.len() as u64;
    let params = ValidationParams {
        parent_head: HeadData(built.parent.encode()),
        block_data: BlockData(block_data),
        relay_parent_number: built.relay_parent_number,
        relay_parent_storage_root: built.relay_parent_storage_root,
    };
    let (result, took) = validate_block(&params);
    let stats = heap_stats(&params.encode());
    println!(
        "{what}: heap: {:.1} MiB of address space used, {:.1} MiB peak allocated \
         ({:.1} MiB allocated in all); the PVF's whole memory is {} MiB",
        stats.address_space_used as f64 / 1048576.0,
        stats.bytes_allocated_peak as f64 / 1048576.0,
        stats.bytes_allocated_sum as f64 / 1048576.0,
        PVF_MEMORY_PAGES / 16,
    );
    let result = result.unwrap_or_else(|e| panic!("{what}: the block does not validate: {e}"));
    // Room to spare: a grown chain's deeper trie and larger proofs need more heap than a test
    // chain's, with the same queue.
    assert!(
        stats.address_space_used <= HEAP_MARGIN,
        "{what}: {} bytes of heap used, more than {HEAP_MARGIN}",
        stats.address_space_used
    );
    assert_eq!(
        result.head_data,
        HeadData(header.encode()),
        "{what}: validation yields the block's header"
    );
    let weight = built.weight;
    let (succeeded, failed) = outcomes(&built.events);
    println!(
        "{what}: {} signed extrinsics ({} in all), queue {} -> {}, {succeeded} dispatches \
         succeeded, {failed} failed; \
         validate_block {:.1} ms for {:.1} ms of weight ({:.2}; signed extrinsics {:.1} ms, \
         {:.0} µs each); proof {} KiB for {} KiB of proof weight ({:.2}); PoV {} KiB",
        built.signed,
        extrinsics,
        built.queue.0,
        built.queue.1,
        took.as_secs_f64() * 1e3,
        weight.ref_time() as f64 / 1e9,
        took.as_nanos() as f64 * 1e3 / weight.ref_time() as f64,
        built.normal_weight.ref_time() as f64 / 1e9,
        built.normal_weight.ref_time() as f64 / 1e6 / built.signed.max(1) as f64,
        proof_bytes / 1024,
        weight.proof_size() / 1024,
        proof_bytes as f64 / weight.proof_size() as f64,
        pov_bytes / 1024,
    );
    assert!(
        pov_bytes <= u64::from(MAX_POV_SIZE),
        "{what}: a PoV of {pov_bytes} bytes"
    );
    assert!(
        proof_bytes <= weight.proof_size(),
        "{what}: {proof_bytes} bytes of proof, {} charged",
        weight.proof_size()
    );
    (succeeded, failed)
}

#[test]
fn an_empty_block_validates() {
    let mut chain = Chain::new();
    chain.build(vec![]);
    let built = chain.build(vec![]);
    check("empty block", built);
}

#[test]
fn compute_loops() {
    let mut chain = Chain::new();
    let looper = chain.program(&gear_examples::infinite_loop(), b"loop");
    let loops = |n| {
        (0..n)
            .map(|_| send(looper, vec![], gear_runtime::BLOCK_GAS_LIMIT))
            .collect()
    };
    // A backlog, then a block that offers more.
    chain.build(loops(8));
    let built = chain.build(loops(8));
    let (succeeded, _) = check("compute loops at the block gas limit", built);
    assert_eq!(succeeded, 0, "a loop only ends out of gas");
}

#[test]
fn memory_grown_and_freed_each_dispatch() {
    let mut chain = Chain::new();
    let churn = chain.program(&gear_examples::churn(255), b"churn");
    let gas = chain.gas_for(churn, &[]);
    chain.build((0..600).map(|_| send(churn, vec![], gas)).collect());
    let built = chain.build((0..600).map(|_| send(churn, vec![], gas)).collect());
    let (succeeded, failed) = check("16 MiB grown and freed per message", built);
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn maximum_page_writes() {
    let mut chain = Chain::new();
    // A program at the memory limit (`max_stored_pages`: its pages, the largest code and a
    // message fit the proof of the queue's reserved share), rewriting all its pages.
    let max = chain.ext.execute_with(Gear::max_stored_pages);
    let writer = chain.program(&gear_examples::page_writer(max / 4), b"writer");
    let gas = chain.gas_for(writer, &[]);
    chain.build((0..100).map(|_| send(writer, vec![], gas)).collect());
    let built = chain.build((0..100).map(|_| send(writer, vec![], gas)).collect());
    let (succeeded, failed) = check(
        &format!("all {} pages of a program written per message", max / 4 * 4),
        built,
    );
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn many_programs_writing_pages() {
    let mut chain = Chain::new();
    // Programs at the memory limit (`max_stored_pages`), each message rewriting all their
    // pages with contents no other page has: every write is a new value the block keeps.
    let max = chain.ext.execute_with(Gear::max_stored_pages);
    let wasm_pages = max / 4;
    let writers = chain.programs(
        &gear_examples::page_writer(wasm_pages),
        (0..24u32).map(|i| i.to_le_bytes().to_vec()).collect(),
        gear_runtime::BLOCK_GAS_LIMIT,
    );
    let gas = chain.gas_for(writers[0], &[]);
    let built = chain.build(writers.iter().map(|&w| send(w, vec![], gas)).collect());
    let (succeeded, failed) = check(
        &format!(
            "{} pages written per message to distinct programs",
            wasm_pages * 4
        ),
        built,
    );
    assert!(succeeded > 0 && failed == 0);
    let written = succeeded as u32 * wasm_pages * 4;
    assert!(
        written <= gear_runtime::QUEUE_PAGES_PER_BLOCK,
        "{written} pages written in one block"
    );
}

#[test]
fn programs_holding_state() {
    let mut chain = Chain::new();
    let holder = chain.program(&gear_examples::holder(64), b"holder");
    let gas = chain.gas_for(holder, &[]);
    let built = chain.build((0..600).map(|_| send(holder, vec![], gas)).collect());
    let (succeeded, failed) = check("messages to a program holding 1 MiB", built);
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn reservations_removed_by_exits() {
    const RESERVATIONS: u32 = 64;
    let mut chain = Chain::new();
    let code = gear_examples::reserver(RESERVATIONS);
    let salts = |from: u32| {
        (from..from + 24)
            .map(|i| i.to_le_bytes().to_vec())
            .collect()
    };
    // Reservations made and removed in one dispatch: each message reserves, then exits (paid
    // by its gas: a reservation's fee includes its removal).
    let makers = chain.programs(&code, salts(0), gear_runtime::BLOCK_GAS_LIMIT);
    // (Estimated, not warmed up: the warm-up message would end the program.)
    let gas = chain.estimate(makers[0], &[2]);
    let built = chain.build(makers.iter().map(|&p| send(p, vec![2], gas)).collect());
    let (succeeded, failed) = check(
        &format!("{RESERVATIONS} reservations made and removed by an exit per message"),
        built,
    );
    assert!(succeeded > 0 && failed == 0);
    // Reservations found: made in one block, removed by exits in the next (charged by the
    // queue, counted in each dispatch's worst case).
    let holders = chain.programs(&code, salts(100), gear_runtime::BLOCK_GAS_LIMIT);
    let gas = chain.estimate(holders[0], &[0]);
    let mut made = chain.build(holders.iter().map(|&p| send(p, vec![0], gas)).collect());
    while made.queue.1 > 0 {
        made = chain.build(vec![]);
    }
    chain.ext.execute_with(|| {
        for &p in &holders {
            assert!(matches!(
                pallet_gear::program::ProgramStorage::<gear_runtime::Runtime>::get(p),
                Some(gear_core::program::Program::Active(a))
                    if a.gas_reservation_map.len() == RESERVATIONS as usize
            ));
        }
    });
    let gas = chain.estimate(holders[0], &[1]);
    let built = chain.build(holders.iter().map(|&p| send(p, vec![1], gas)).collect());
    let (succeeded, failed) = check(
        &format!("exits removing {RESERVATIONS} reservations made in an earlier block"),
        built,
    );
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn many_distinct_programs() {
    let mut chain = Chain::new();
    let pings = chain.programs(
        gear_examples::ping(),
        (0..300u32).map(|i| i.to_le_bytes().to_vec()).collect(),
        PING_INIT_GAS,
    );
    // Each program gets its first message.
    let gas = chain.estimate(pings[0], b"PING");
    let built = chain.build(
        pings
            .iter()
            .map(|&ping| send(ping, b"PING".to_vec(), gas))
            .collect(),
    );
    let (succeeded, failed) = check("one message to each of 300 programs", built);
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn maximum_payloads() {
    let mut chain = Chain::new();
    let payload_len = gear_runtime::MAX_PAYLOAD_LEN;
    let send_len = gear_runtime::OUTGOING_BYTES_LIMIT;
    let blaster = chain.program(&gear_examples::blaster(send_len, payload_len), b"blaster");
    let big = vec![7u8; payload_len as usize];
    let gas = chain.gas_for(blaster, &big);
    // A maximum payload in, then messages that each make a maximum send and reply.
    let mut calls = vec![send(blaster, big, gas)];
    calls.extend((0..20).map(|_| send(blaster, vec![], gas)));
    chain.build(calls.clone());
    let built = chain.build(calls);
    let bytes_out: usize = built
        .events
        .iter()
        .filter_map(|event| match event {
            RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message, .. }) => {
                let message: &UserMessage = message;
                Some(message.payload_bytes().len())
            }
            _ => None,
        })
        .sum();
    // Two dispatches' maximum output fill the queue's output budget.
    assert_eq!(
        bytes_out,
        2 * (send_len + payload_len) as usize,
        "two maximum sends and replies"
    );
    let (succeeded, failed) = check("maximum payloads in, sent and replied", built);
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn maximum_payloads_in() {
    let mut chain = Chain::new();
    let ping = chain.program(gear_examples::ping(), b"ping");
    let payload_len = gear_runtime::MAX_PAYLOAD_LEN;
    let big = vec![7u8; payload_len as usize];
    let gas = chain.gas_for(ping, &big);
    // As many maximum payloads as the block's length takes, on top of a backlog of them.
    chain.build((0..10).map(|_| send(ping, big.clone(), gas)).collect());
    let built = chain.build((0..10).map(|_| send(ping, big.clone(), gas)).collect());
    assert!(
        built.signed >= 5,
        "{} maximum payloads in a block",
        built.signed
    );
    let (succeeded, failed) = check("maximum payloads in", built);
    assert!(succeeded > 0 && failed == 0);
}

#[test]
fn many_tiny_messages() {
    let mut chain = Chain::new();
    let ping = chain.program(gear_examples::ping(), b"ping");
    let gas = chain.gas_for(ping, b"PING");
    let built = chain.build(
        (0..3000)
            .map(|_| send(ping, b"PING".to_vec(), gas))
            .collect(),
    );
    assert!(
        built.signed < 3000,
        "the block fills before the offer runs out"
    );
    let (succeeded, failed) = check("a block full of PINGs", built);
    assert!(succeeded > 0 && failed == 0);
}

/// Every load at once: compute loops, memory churn, page writes to distinct programs, maximum
/// payloads in (as many as the block's length takes) and out, many programs. Each is bounded per block on its own (time, proof, output, pages); together
/// they must still fit the validator's heap, and the queue keeps serving in order.
#[test]
fn a_mix_of_every_load() {
    let mut chain = Chain::new();
    let looper = chain.program(&gear_examples::infinite_loop(), b"loop");
    let churn = chain.program(&gear_examples::churn(255), b"churn");
    let max = chain.ext.execute_with(Gear::max_stored_pages);
    let writers = chain.programs(
        &gear_examples::page_writer(max / 4),
        (0..10u32).map(|i| i.to_le_bytes().to_vec()).collect(),
        gear_runtime::BLOCK_GAS_LIMIT,
    );
    let payload_len = gear_runtime::MAX_PAYLOAD_LEN;
    let send_len = gear_runtime::OUTGOING_BYTES_LIMIT;
    let blaster = chain.program(&gear_examples::blaster(send_len, payload_len), b"blaster");
    let pings = chain.programs(
        gear_examples::ping(),
        (0..50u32).map(|i| i.to_le_bytes().to_vec()).collect(),
        PING_INIT_GAS,
    );
    let churn_gas = chain.gas_for(churn, &[]);
    let writer_gas = chain.gas_for(writers[0], &[]);
    let blaster_gas = chain.gas_for(blaster, &vec![7u8; payload_len as usize]);
    // The pings get their first and their second message.
    let ping_gas = chain
        .estimate(pings[1], b"PING")
        .max(chain.gas_for(pings[0], b"PING"));
    let offer = || {
        let mut calls = vec![send(blaster, vec![7u8; payload_len as usize], blaster_gas)];
        for round in 0..10 {
            calls.push(send(looper, vec![], gear_runtime::BLOCK_GAS_LIMIT / 4));
            calls.push(send(churn, vec![], churn_gas));
            calls.push(send(writers[round], vec![], writer_gas));
            calls.push(send(blaster, vec![7u8; payload_len as usize], blaster_gas));
            calls.extend(
                pings[round * 5..round * 5 + 5]
                    .iter()
                    .map(|&ping| send(ping, b"PING".to_vec(), ping_gas)),
            );
        }
        calls
    };
    let first = chain.build(offer());
    let mut events = first.events;
    let built = chain.build(offer());
    let offered_in = first.signed + built.signed;
    events.extend(built.events.iter().cloned());
    let (succeeded, _) = check("a mix of every load", built);
    assert!(succeeded > 0);

    // The queue served the users' messages oldest first: the replies (one per message: the
    // program's own, Gear's auto reply, or an error reply) come in the order the messages were
    // queued.
    while chain.ext.execute_with(Gear::queue_len) > 0 {
        events.extend(chain.build(vec![]).events);
    }
    let bob = Sr25519Keyring::Bob.to_account_id();
    let queued: Vec<MessageId> = events
        .iter()
        .filter_map(|event| match event {
            RuntimeEvent::Gear(pallet_gear::Event::MessageQueued { id, source, .. })
                if *source == bob =>
            {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    let replied: Vec<MessageId> = events
        .iter()
        .filter_map(|event| match event {
            RuntimeEvent::Gear(pallet_gear::Event::UserMessageSent { message, .. }) => {
                let message: &UserMessage = message;
                message.details().map(|details| details.to_message_id())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        queued.len(),
        offered_in,
        "each extrinsic queued one message"
    );
    assert_eq!(
        replied, queued,
        "replies come in the order the messages were queued"
    );
}

/// Transfers of both tokens, each to a new account (the heaviest transfer: an account created in
/// each pallet). `Balances` and `ForeignAssets` are weighed with the SDK's reference-machine
/// weights, not benchmarked here; this block checks them against this chain's validators.
#[test]
fn transfers_of_both_tokens_to_new_accounts() {
    use gear_runtime::genesis_config_presets::{foreign_assets_owner, RELAY_TOKEN_MIN_BALANCE};
    use polkadot_sdk::{pallet_assets, pallet_balances, pallet_sudo, staging_xcm::v5::Location};
    let mut chain = Chain::new();
    let bob = Sr25519Keyring::Bob;
    // Root makes Bob the relay token's issuer, and Bob mints himself some.
    let owner = MultiAddress::Id(foreign_assets_owner());
    chain.build(vec![(
        Sr25519Keyring::Alice,
        RuntimeCall::Sudo(pallet_sudo::Call::sudo {
            call: Box::new(RuntimeCall::ForeignAssets(
                pallet_assets::Call::force_asset_status {
                    id: Location::parent(),
                    owner: owner.clone(),
                    issuer: MultiAddress::Id(bob.to_account_id()),
                    admin: owner.clone(),
                    freezer: owner,
                    min_balance: RELAY_TOKEN_MIN_BALANCE,
                    is_sufficient: true,
                    is_frozen: false,
                },
            )),
        }),
    )]);
    let minted = chain.build(vec![(
        bob,
        RuntimeCall::ForeignAssets(pallet_assets::Call::mint {
            id: Location::parent(),
            beneficiary: MultiAddress::Id(bob.to_account_id()),
            amount: 1 << 60,
        }),
    )]);
    assert!(
        minted.events.iter().any(|event| matches!(
            event,
            RuntimeEvent::ForeignAssets(pallet_assets::Event::Issued { .. })
        )),
        "Bob holds the relay token"
    );

    let new = |i: u32| {
        MultiAddress::Id(gear_runtime::AccountId::new(sp_io::hashing::blake2_256(
            &i.to_le_bytes(),
        )))
    };
    let offered = 8_000u32;
    let built = chain.build(
        (0..offered / 2)
            .flat_map(|i| {
                [
                    (
                        bob,
                        RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
                            dest: new(2 * i),
                            value: gear_runtime::EXISTENTIAL_DEPOSIT,
                        }),
                    ),
                    (
                        bob,
                        RuntimeCall::ForeignAssets(pallet_assets::Call::transfer {
                            id: Location::parent(),
                            target: new(2 * i + 1),
                            amount: RELAY_TOKEN_MIN_BALANCE,
                        }),
                    ),
                ]
            })
            .collect(),
    );
    assert!(
        built.signed < offered as usize,
        "the block fills before the offer runs out"
    );
    let created = built
        .events
        .iter()
        .filter(|event| {
            matches!(
                event,
                RuntimeEvent::System(frame_system::Event::NewAccount { .. })
            )
        })
        .count();
    assert_eq!(created, built.signed, "each transfer created an account");
    check("transfers of both tokens to new accounts", built);
}

/// XCM from a sibling: one HRMP message of a channel's largest size (Polkadot's: 100 KiB)
/// packed with the smallest XCMs there are. They are enqueued by the parachain inherent
/// (XcmpQueue's weights, within `ReservedXcmpWeight`) and serviced by `MessageQueue` within its
/// service weight (each is refused by the barrier: unpaid); both pallets run on the SDK's
/// reference weights, which this block checks against this chain's validators.
#[test]
fn tiny_xcm_messages_from_a_sibling() {
    use polkadot_sdk::{
        cumulus_primitives_core,
        frame_support::traits::QueueFootprintQuery,
        pallet_message_queue,
        polkadot_parachain_primitives::primitives::XcmpMessageFormat,
        staging_xcm::{latest::prelude::*, VersionedXcm},
    };
    let mut chain = Chain::new();
    let tiny = VersionedXcm::<()>::from(Xcm(vec![ClearOrigin])).encode();
    let mut blob = XcmpMessageFormat::ConcatenatedVersionedXcm.encode();
    while blob.len() + tiny.len() <= 100 * 1024 {
        blob.extend_from_slice(&tiny);
    }
    let sent = (blob.len() - 1) / tiny.len();
    chain.horizontal = vec![(2_001, blob)];
    let serviced = |events: &[RuntimeEvent]| {
        events
            .iter()
            .filter(|event| {
                matches!(
                    event,
                    RuntimeEvent::MessageQueue(
                        pallet_message_queue::Event::Processed { .. }
                            | pallet_message_queue::Event::ProcessingFailed { .. }
                    )
                )
            })
            .count()
    };
    let built = chain.build(vec![]);
    let first = serviced(&built.events);
    println!("{sent} XCMs sent, {first} serviced in the block that received them");
    check("tiny XCM messages from a sibling, received", built);
    // The next block services them from its start (`on_initialize`) and in `on_idle`.
    let built = chain.build(vec![]);
    let second = serviced(&built.events);
    println!("{second} serviced in the next block");
    assert!(second > 0, "the next block services some");
    check("tiny XCM messages from a sibling, serviced", built);
    // None is lost: the rest wait in the sibling's queue for the next blocks (each XCM is
    // weighed `UnitWeightCost` per instruction, 1 ms and 64 KiB, whether or not the barrier
    // lets it run: ~100 such messages a block).
    let waiting = chain.ext.execute_with(|| {
        <gear_runtime::MessageQueue as QueueFootprintQuery<_>>::footprint(
            cumulus_primitives_core::AggregateMessageOrigin::Sibling(2_001.into()),
        )
        .storage
        .count
    });
    assert_eq!(
        waiting as usize + first + second,
        sent,
        "every message is serviced or waits"
    );
}

/// Messages to the relay chain, as many as a block takes (the mocked relay chain allows 256-byte
/// upward messages, five a block): the first ones wait in `PendingUpwardMessages` up to its
/// bound, the rest are refused, their fees paid. The next block sends more with the waiting
/// ones read by each send and by `on_finalize`.
#[test]
fn messages_to_the_relay_chain() {
    use gear_runtime::xcm_config::MAX_PENDING_UPWARD;
    use polkadot_sdk::{
        cumulus_pallet_parachain_system::PendingUpwardMessages,
        pallet_xcm,
        staging_xcm::{latest::prelude::*, VersionedLocation, VersionedXcm},
    };
    let mut chain = Chain::new();
    // The relay chain's host configuration arrives with a block's parachain inherent.
    chain.build(vec![]);
    let send = || {
        (
            Sr25519Keyring::Bob,
            RuntimeCall::PolkadotXcm(pallet_xcm::Call::send {
                dest: Box::new(VersionedLocation::from(Location::parent())),
                message: Box::new(VersionedXcm::from(Xcm::<()>(vec![Transact {
                    origin_kind: OriginKind::SovereignAccount,
                    fallback_max_weight: None,
                    call: vec![7u8; 150].into(),
                }]))),
            }),
        )
    };
    let sent = |built: &Built| {
        built
            .events
            .iter()
            .filter(|event| {
                matches!(
                    event,
                    RuntimeEvent::PolkadotXcm(pallet_xcm::Event::Sent { .. })
                )
            })
            .count()
    };
    for round in ["empty", "waiting"] {
        let built = chain.build((0..4_000).map(|_| send()).collect());
        let went = sent(&built);
        let waiting = chain
            .ext
            .execute_with(|| PendingUpwardMessages::<Runtime>::get().len());
        println!(
            "{} sends, {went} queued, {waiting} waiting after the block",
            built.signed
        );
        assert!(built.signed > MAX_PENDING_UPWARD, "the block takes more");
        assert!(went > 0 && waiting <= MAX_PENDING_UPWARD);
        check(
            &format!("messages to the relay chain, upward queue {round}"),
            built,
        );
    }
}
