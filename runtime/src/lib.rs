//! # gear-runtime
//!
//! The Gear parachain's runtime: a Cumulus parachain (async backing, Aura collators, XCM) with
//! the gear pallets (`Gear`, `GearProgram`, `GearMessenger`, `GearGas`), which store uploaded
//! Gear programs, queue messages to them and run them on an interpreter compiled into this
//! runtime (so the runtime stays valid on the relay chain).
#![cfg_attr(not(feature = "std"), no_std)]
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod gear_schedule;
pub mod genesis_config_presets;
pub mod weights;
pub mod xcm_config;

use alloc::{string::String, vec::Vec};
use polkadot_sdk::{
    staging_parachain_info as parachain_info, staging_xcm as xcm,
    staging_xcm_builder as xcm_builder, staging_xcm_executor as xcm_executor, *,
};

use cumulus_pallet_parachain_system::RelayNumberMonotonicallyIncreases;
use cumulus_primitives_core::{AggregateMessageOrigin, ParaId};
use frame_support::{
    construct_runtime, derive_impl,
    dispatch::DispatchClass,
    genesis_builder_helper::{build_state, get_preset},
    parameter_types,
    traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, TransformOrigin},
    weights::{
        constants::{
            BlockExecutionWeight, ExtrinsicBaseWeight, RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND,
        },
        ConstantMultiplier, IdentityFee, Weight,
    },
    PalletId,
};
use frame_system::{
    limits::{BlockLength, BlockWeights},
    EnsureRoot,
};
use parachains_common::message_queue::{NarrowOriginToSibling, ParaIdToSibling};
use polkadot_runtime_common::{BlockHashCount, SlowAdjustingFeeUpdate};
use sp_api::impl_runtime_apis;
pub use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
    generic, impl_opaque_keys,
    traits::{BlakeTwo256, Block as BlockT, IdentifyAccount, Verify},
    transaction_validity::{TransactionSource, TransactionValidity},
    ApplyExtrinsicResult, MultiSignature, Perbill,
};
pub use sp_runtime::{MultiAddress, Permill};
use sp_version::RuntimeVersion;
use xcm_config::XcmOriginToTransactDispatchOrigin;

/// Signature of a transaction.
pub type Signature = MultiSignature;
/// Account id: 32 bytes, which is also a Gear `ActorId`.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account (and a Gear message's value).
pub type Balance = u128;
/// Transaction nonce.
pub type Nonce = u32;
/// Hash of a block.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// Address format of transactions.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The transaction extensions (what polkadot-js signs).
pub type TxExtension = cumulus_pallet_weight_reclaim::StorageWeightReclaim<
    Runtime,
    (
        frame_system::CheckNonZeroSender<Runtime>,
        frame_system::CheckSpecVersion<Runtime>,
        frame_system::CheckTxVersion<Runtime>,
        frame_system::CheckGenesis<Runtime>,
        frame_system::CheckEra<Runtime>,
        frame_system::CheckNonce<Runtime>,
        frame_system::CheckWeight<Runtime>,
        pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
        frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
    ),
>;

/// Unchecked extrinsic.
pub type UncheckedExtrinsic =
    generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// Executive: dispatches to the pallets.
pub type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
>;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
    use super::*;
    pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;
    /// Opaque block header.
    pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
    /// Opaque block.
    pub type Block = generic::Block<Header, UncheckedExtrinsic>;
    /// Opaque block id.
    pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
    /// Session keys of a collator.
    pub struct SessionKeys {
        /// Aura authoring key.
        pub aura: Aura,
    }
}

/// The runtime version. `spec_version` >= 1900 so `@gear-js/api` uses its current code paths.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("gear-parachain"),
    impl_name: alloc::borrow::Cow::Borrowed("gear-parachain"),
    authoring_version: 1,
    spec_version: 1903,
    impl_version: 0,
    apis: RUNTIME_API_VERSIONS,
    transaction_version: 1,
    system_version: 1,
};

/// Para id of the development chain and the first local parachain.
pub const PARACHAIN_ID: u32 = 2000;

/// Milliseconds per parachain block (async backing: one block per relay slot).
pub const MILLISECS_PER_BLOCK: u64 = 6000;
/// Aura slot duration in milliseconds.
pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;
/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// One token (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a token.
pub const MILLIUNIT: Balance = 1_000_000_000;
/// A millionth of a token.
pub const MICROUNIT: Balance = 1_000_000;
/// The existential deposit.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLIUNIT;

/// Share of the block `on_initialize` hooks are assumed to use.
const AVERAGE_ON_INITIALIZE_RATIO: Perbill = Perbill::from_percent(5);
/// Share of the block normal extrinsics may fill.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// Two seconds of compute per block (async backing), and the relay chain's proof-size limit.
const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(
    WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2),
    cumulus_primitives_core::relay_chain::MAX_POV_SIZE as u64,
);

/// Relay-chain blocks that may be built on before the previous one is included.
const UNINCLUDED_SEGMENT_CAPACITY: u32 = 3;
/// Parachain blocks per relay-chain block.
const BLOCK_PROCESSING_VELOCITY: u32 = 1;
/// Relay chain slot duration in milliseconds.
const RELAY_CHAIN_SLOT_DURATION_MILLIS: u32 = 6000;
/// How many relay blocks behind the tip the relay parent is.
const RELAY_PARENT_OFFSET: u32 = 0;

parameter_types! {
    pub const Version: RuntimeVersion = VERSION;
    pub RuntimeBlockLength: BlockLength = BlockLength::builder()
        .max_length(5 * 1024 * 1024)
        .modify_max_length_for_class(DispatchClass::Normal, |m| *m = NORMAL_DISPATCH_RATIO * *m)
        .build();
    pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
        .base_block(BlockExecutionWeight::get())
        .for_class(DispatchClass::all(), |weights| {
            weights.base_extrinsic = ExtrinsicBaseWeight::get();
        })
        .for_class(DispatchClass::Normal, |weights| {
            weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
        })
        .for_class(DispatchClass::Operational, |weights| {
            weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
            weights.reserved = Some(MAXIMUM_BLOCK_WEIGHT - NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
        })
        .avg_block_initialization(AVERAGE_ON_INITIALIZE_RATIO)
        .build_or_panic();
    pub const SS58Prefix: u16 = 42;
}

#[derive_impl(frame_system::config_preludes::ParaChainDefaultConfig)]
impl frame_system::Config for Runtime {
    type AccountId = AccountId;
    type Nonce = Nonce;
    type Hash = Hash;
    type Block = Block;
    type BlockHashCount = BlockHashCount;
    type Version = Version;
    type AccountData = pallet_balances::AccountData<Balance>;
    type DbWeight = RocksDbWeight;
    type BlockWeights = RuntimeBlockWeights;
    type BlockLength = RuntimeBlockLength;
    type SS58Prefix = SS58Prefix;
    type OnSetCode = cumulus_pallet_parachain_system::ParachainSetCode<Self>;
    type MaxConsumers = ConstU32<16>;
    type ExtensionsWeightInfo = ExtensionsWeights;
    type PreInherents = OutboundQueuesProof;
}

/// The transaction extensions' weights measured here, with the block hash a mortal extrinsic
/// names: its benchmark whitelists that key, but extrinsics may name different birth blocks, so
/// each pays a read of its own. (The genesis hash, which every extrinsic reads, is charged
/// once per block with [`ExtrinsicHotKeys`].)
pub struct ExtensionsWeights;
type MeasuredExtensions = weights::frame_system_extensions::WeightInfo<Runtime>;
impl frame_system::ExtensionsWeightInfo for ExtensionsWeights {
    fn check_genesis() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_genesis()
    }
    fn check_mortality_mortal_transaction() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_mortality_mortal_transaction()
            .saturating_add(RocksDbWeight::get().reads(1))
            // `System::BlockHash`'s proof in the benchmarks' `MaxEncodedLen` mode.
            .saturating_add(Weight::from_parts(0, 2_519))
    }
    fn check_mortality_immortal_transaction() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_mortality_immortal_transaction()
    }
    fn check_non_zero_sender() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_non_zero_sender()
    }
    fn check_nonce() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_nonce()
    }
    fn check_spec_version() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_spec_version()
    }
    fn check_tx_version() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_tx_version()
    }
    fn check_weight() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::check_weight()
    }
    fn weight_reclaim() -> Weight {
        <MeasuredExtensions as frame_system::ExtensionsWeightInfo>::weight_reclaim()
    }
}

impl cumulus_pallet_weight_reclaim::Config for Runtime {
    type WeightInfo = weights::cumulus_pallet_weight_reclaim::WeightInfo<Runtime>;
}

impl pallet_timestamp::Config for Runtime {
    type Moment = u64;
    type OnTimestampSet = Aura;
    type MinimumPeriod = ConstU64<0>;
    type WeightInfo = ();
}

impl pallet_authorship::Config for Runtime {
    type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
    type EventHandler = (CollatorSelection,);
}

parameter_types! {
    pub const ExistentialDeposit: Balance = EXISTENTIAL_DEPOSIT;
}

impl pallet_balances::Config for Runtime {
    type MaxLocks = ConstU32<50>;
    type Balance = Balance;
    type RuntimeEvent = RuntimeEvent;
    type DustRemoval = ();
    type ExistentialDeposit = ExistentialDeposit;
    type AccountStore = System;
    type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
    type MaxReserves = ConstU32<50>;
    type ReserveIdentifier = [u8; 8];
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type FreezeIdentifier = ();
    type MaxFreezes = ConstU32<0>;
    type DoneSlashHandler = ();
}

parameter_types! {
    pub const TransactionByteFee: Balance = 10 * MICROUNIT;
}

impl pallet_transaction_payment::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type OnChargeTransaction = pallet_transaction_payment::FungibleAdapter<Balances, ()>;
    type WeightToFee = IdentityFee<Balance>;
    type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
    type FeeMultiplierUpdate = SlowAdjustingFeeUpdate<Self>;
    type OperationalFeeMultiplier = ConstU8<5>;
    type WeightInfo = weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

impl pallet_sudo::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type WeightInfo = ();
}

impl pallet_utility::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type WeightInfo = UtilityWeights;
}

/// `pallet_utility`'s weights measured here, and the proof of `as_derivative`'s derived account.
/// Benchmarks whitelist their signer, whose account every signed extrinsic's `CheckNonce` reads
/// and writes already (and so the inner call's weight leaves it out); a derived account is read
/// and written first by the inner call: pallet-utility adds its read and write, and this its
/// proof.
pub struct UtilityWeights;
impl pallet_utility::WeightInfo for UtilityWeights {
    fn batch(c: u32) -> Weight {
        weights::pallet_utility::WeightInfo::<Runtime>::batch(c)
    }
    fn as_derivative() -> Weight {
        // pallet-utility adds the account's read and write to the call's weight; its proof
        // (`System::Account` in the benchmarks' `MaxEncodedLen` mode) it does not.
        weights::pallet_utility::WeightInfo::<Runtime>::as_derivative()
            .saturating_add(Weight::from_parts(0, 2_603))
    }
    fn batch_all(c: u32) -> Weight {
        weights::pallet_utility::WeightInfo::<Runtime>::batch_all(c)
    }
    fn dispatch_as() -> Weight {
        weights::pallet_utility::WeightInfo::<Runtime>::dispatch_as()
    }
    fn force_batch(c: u32) -> Weight {
        weights::pallet_utility::WeightInfo::<Runtime>::force_batch(c)
    }
    fn dispatch_as_fallible() -> Weight {
        weights::pallet_utility::WeightInfo::<Runtime>::dispatch_as_fallible()
    }
    fn if_else() -> Weight {
        weights::pallet_utility::WeightInfo::<Runtime>::if_else()
    }
}

parameter_types! {
    pub const ReservedXcmpWeight: Weight = MAXIMUM_BLOCK_WEIGHT.saturating_div(4);
    pub const ReservedDmpWeight: Weight = MAXIMUM_BLOCK_WEIGHT.saturating_div(4);
    pub const RelayOrigin: AggregateMessageOrigin = AggregateMessageOrigin::Parent;
}

type ConsensusHook = cumulus_pallet_aura_ext::FixedVelocityConsensusHook<
    Runtime,
    RELAY_CHAIN_SLOT_DURATION_MILLIS,
    BLOCK_PROCESSING_VELOCITY,
    UNINCLUDED_SEGMENT_CAPACITY,
>;

impl cumulus_pallet_parachain_system::Config for Runtime {
    type WeightInfo = ();
    type RuntimeEvent = RuntimeEvent;
    type OnSystemEvent = ();
    type SelfParaId = parachain_info::Pallet<Runtime>;
    type OutboundXcmpMessageSource = XcmpQueue;
    type DmpQueue = frame_support::traits::EnqueueWithOrigin<MessageQueue, RelayOrigin>;
    type ReservedDmpWeight = ReservedDmpWeight;
    type XcmpMessageHandler = XcmpQueue;
    type ReservedXcmpWeight = ReservedXcmpWeight;
    type CheckAssociatedRelayNumber = RelayNumberMonotonicallyIncreases;
    type ConsensusHook = ConsensusHook;
    type RelayParentOffset = ConstU32<RELAY_PARENT_OFFSET>;
    type SchedulingSignatureVerifier = ();
}

impl parachain_info::Config for Runtime {}

parameter_types! {
    pub MessageQueueServiceWeight: Weight = Perbill::from_percent(35) * RuntimeBlockWeights::get().max_block;
}

impl pallet_message_queue::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type MessageProcessor = xcm_builder::ProcessXcmMessage<
        AggregateMessageOrigin,
        xcm_executor::XcmExecutor<xcm_config::XcmConfig>,
        RuntimeCall,
    >;
    type Size = u32;
    type QueueChangeHandler = NarrowOriginToSibling<XcmpQueue>;
    type QueuePausedQuery = NarrowOriginToSibling<XcmpQueue>;
    type HeapSize = ConstU32<{ 103 * 1024 }>;
    type MaxStale = ConstU32<8>;
    type ServiceWeight = MessageQueueServiceWeight;
    type IdleMaxServiceWeight = MessageQueueServiceWeight;
}

impl cumulus_pallet_aura_ext::Config for Runtime {}

impl cumulus_pallet_xcmp_queue::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type ChannelInfo = ParachainSystem;
    type VersionWrapper = PolkadotXcm;
    type XcmpQueue = TransformOrigin<MessageQueue, AggregateMessageOrigin, ParaId, ParaIdToSibling>;
    type MaxInboundSuspended = ConstU32<1_000>;
    type MaxActiveOutboundChannels = ConstU32<128>;
    type MaxPageSize = ConstU32<{ 103 * 1024 }>;
    type ControllerOrigin = EnsureRoot<AccountId>;
    type ControllerOriginConverter = XcmOriginToTransactDispatchOrigin;
    type WeightInfo = ();
    type PriceForSiblingDelivery =
        polkadot_runtime_common::xcm_sender::NoPriceForMessageDelivery<ParaId>;
}

parameter_types! {
    pub const Period: u32 = 6 * HOURS;
    pub const Offset: u32 = 0;
}

impl pallet_session::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type ValidatorId = <Self as frame_system::Config>::AccountId;
    type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
    type ShouldEndSession = pallet_session::PeriodicSessions<Period, Offset>;
    type NextSessionRotation = pallet_session::PeriodicSessions<Period, Offset>;
    type SessionManager = CollatorSelection;
    type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
    type Keys = SessionKeys;
    type DisablingStrategy = ();
    type WeightInfo = ();
    type Currency = Balances;
    type KeyDeposit = ();
}

impl pallet_aura::Config for Runtime {
    type AuthorityId = AuraId;
    type DisabledValidators = ();
    type MaxAuthorities = ConstU32<100_000>;
    type AllowMultipleBlocksPerSlot = ConstBool<true>;
    type SlotDuration = ConstU64<SLOT_DURATION>;
}

parameter_types! {
    pub const PotId: PalletId = PalletId(*b"PotStake");
}

impl pallet_collator_selection::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type Currency = Balances;
    type UpdateOrigin = EnsureRoot<AccountId>;
    type PotId = PotId;
    type MaxCandidates = ConstU32<100>;
    type MinEligibleCollators = ConstU32<1>;
    type MaxInvulnerables = ConstU32<20>;
    type KickThreshold = Period;
    type ValidatorId = <Self as frame_system::Config>::AccountId;
    type ValidatorIdOf = pallet_collator_selection::IdentityCollator;
    type ValidatorRegistration = Session;
    type WeightInfo = ();
}

/// Largest payload of a message or reply, 512 KiB (Gear's is 8 MiB). What a block's messages
/// produce stays in the validator's heap until the block ends, several times over (the event
/// or queue entry, the storage changes, the storage root's copy, the allocator's rounding):
/// measured ~14 bytes of heap per output byte (`runtime/tests/validate_block.rs`), so a block's
/// output is kept to 2 MiB (`QueueOutputPerBlock`), two dispatches' worth.
pub const MAX_PAYLOAD_LEN: u32 = 512 * 1024;

/// Payload bytes one execution may send (Gear's is 64 MiB), and, apart, the most the init
/// payloads of the programs it creates may take. With its reply, one dispatch produces at most
/// 1 MiB, and a block's queue run at most twice that (2 MiB).
pub const OUTGOING_BYTES_LIMIT: u32 = 256 * 1024;

/// Distinct memory pages the queue may hold written per block (`QueuePagesPerBlock`; 5 MiB):
/// written pages stay in the block's storage changes, and with them in the validator's heap
/// (measured ~85 KiB of heap per 16 KiB page written), until the block ends; a page written
/// again replaces its value. Twice the most one program may store.
pub const QUEUE_PAGES_PER_BLOCK: u32 = 320;

/// Most gas one message may buy: a quarter of a block's two seconds (1 gas = 1 ps).
pub const BLOCK_GAS_LIMIT: u64 = WEIGHT_REF_TIME_PER_SECOND / 2;

/// Storage deposit per byte of a code or of a program's memory (as the relay chains' `deposit`
/// prices a byte): a 16 KiB page holds 0.184 UNIT, 1 MiB of program memory 11.8 UNIT, a code
/// of 100 KiB (about 200 KiB stored with its instrumented form) about 2 UNIT.
pub const DEPOSIT_PER_BYTE: Balance = 10 * MICROUNIT;

/// Storage deposit per storage item (a memory page; a code's three records).
pub const DEPOSIT_PER_ITEM: Balance = 20 * MILLIUNIT;

/// The most storage deposit one message (its gas tree: all it leads to) may take from the
/// account that bought its gas: 160 pages (2.5 MiB) of program memory, 29.4 UNIT, so one
/// message can fill a program to the most it may store (146 pages) and no more than that.
pub const DEPOSIT_LIMIT: Balance = 160 * (DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * 16 * 1024);

parameter_types! {
    pub const BankPalletId: PalletId = PalletId(*b"py/gbank");
    /// The share of every block reserved for the Gear queue (a message with the block gas
    /// limit always fits).
    pub GearServiceWeight: Weight = Perbill::from_percent(30) * RuntimeBlockWeights::get().max_block;
    /// Gear's schedule with this chain's numbers: instruction, syscall, memory and
    /// instantiation weights measured inside this runtime (`gear_schedule`, generated by
    /// `scripts/bench-schedule.sh`); limits, rent, database and task weights are Gear's.
    pub GearSchedule: pallet_gear::Schedule = pallet_gear::Schedule {
        limits: pallet_gear::schedule::Limits {
            payload_len: MAX_PAYLOAD_LEN,
            ..Default::default()
        },
        instruction_weights: gear_schedule::instruction_weights(),
        syscall_weights: gear_schedule::syscall_weights(),
        memory_weights: gear_schedule::memory_weights(),
        instantiation_weights: gear_schedule::instantiation_weights(),
        ..Default::default()
    };
    pub GasRecipient: Option<AccountId> = Authorship::author();
    /// One unit of the native token per gas.
    pub const GearGasMultiplier: pallet_gear::types::GasMultiplier<Balance, u64> =
        pallet_gear::types::GasMultiplier::ValuePerGas(1);
}

impl pallet_gear::program::Config for Runtime {}
impl pallet_gear::messenger::Config for Runtime {}
impl pallet_gear::gas::Config for Runtime {
    type BlockGasLimit = ConstU64<BLOCK_GAS_LIMIT>;
}

/// Rent (gas per block) as Gear's schedule charges it inside programs (`integrity_test` checks
/// they agree).
impl pallet_gear::scheduler::Config for Runtime {
    type ReserveThreshold = ConstU32<1>;
    type WaitlistCost = ConstU64<100>;
    type MailboxCost = ConstU64<100>;
    type ReservationCost = ConstU64<100>;
    type DispatchHoldCost = ConstU64<100>;
}

impl pallet_gear::bank::Config for Runtime {
    type BankPalletId = BankPalletId;
    type GasMultiplier = GearGasMultiplier;
}

impl pallet_gear::Config for Runtime {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
    type DepositPerItem = ConstU128<DEPOSIT_PER_ITEM>;
    type DepositLimit = ConstU128<DEPOSIT_LIMIT>;
    type Timestamp = Timestamp;
    type Schedule = GearSchedule;
    type MailboxThreshold = ConstU64<3_000>;
    type OutgoingLimit = ConstU32<1024>;
    type OutgoingBytesLimit = ConstU32<OUTGOING_BYTES_LIMIT>;
    type QueueOutputPerBlock = ConstU32<{ 2 * (2 * OUTGOING_BYTES_LIMIT + MAX_PAYLOAD_LEN) }>;
    type QueuePagesPerBlock = ConstU32<QUEUE_PAGES_PER_BLOCK>;
    type PerformanceMultiplier = ConstU32<100>;
    type MemoryScanCost = ConstU64<{ gear_schedule::MEMORY_SCAN_PER_WASM_PAGE }>;
    type ReservationsLimit = ConstU64<256>;
    type ServiceWeight = GearServiceWeight;
    type SharedHotKeys = ExtrinsicHotKeys;
    type GasRecipient = GasRecipient;
    type BuiltinActors = GearXcm;
    type UserReplies = GearXcm;
    type WeightInfo = pallet_gear::weights::SubstrateWeight<Runtime>;
}

/// Keys that every signed extrinsic touches and the benchmarks whitelist, stored (or read)
/// once per block: the total issuance, which each fee's burn writes
/// (`FungibleAdapter<Balances, ()>`), the fee multiplier, which each fee reads and the block's end
/// writes, and the genesis hash, which `CheckGenesis` reads. Gear's `on_initialize` charges a
/// read and a write of each to every block.
pub struct ExtrinsicHotKeys;
impl frame_support::traits::Get<Vec<Vec<u8>>> for ExtrinsicHotKeys {
    fn get() -> Vec<Vec<u8>> {
        alloc::vec![
            pallet_balances::TotalIssuance::<Runtime>::hashed_key().to_vec(),
            pallet_transaction_payment::NextFeeMultiplier::<Runtime>::hashed_key().to_vec(),
            frame_system::BlockHash::<Runtime>::hashed_key_for(0),
        ]
    }
}

/// The proof of the outbound messages a block reads, which no weight counts. A message to a
/// sibling is appended to its channel's last page, read whole (up to `MaxPageSize`), and
/// parachain-system's `on_finalize` takes each channel's first page; a message to the relay
/// chain reads all upward messages waiting (`PendingUpwardMessages`, bounded by
/// `xcm_config::BoundedUpwardSender`), and so does every block's `on_finalize`. Their benchmarks
/// and the SDK's weights count these reads' time but not their proof (pallet-xcm's `send` is
/// measured on empty queues). Only what is stored before the block can be in its proof: at most
/// the first and the last page of each channel (no more than its queued bytes) and the waiting
/// upward messages, charged to every block before its inherents, from the queues' state.
pub struct OutboundQueuesProof;

/// `cumulus_pallet_xcmp_queue::OutboundChannelDetails`, whose fields are private: the same
/// SCALE layout (`outbound_pages_are_charged_to_the_block_that_may_read_them` checks it against
/// what the channels hold).
#[derive(codec::Decode)]
struct OutboundChannel {
    _recipient: u32,
    _state: u8,
    signals_exist: bool,
    first_index: u16,
    last_index: u16,
    _flags: u32,
    queued_bytes: u32,
}

impl OutboundQueuesProof {
    /// A stored page's key and trie path in the benchmarks' `MaxEncodedLen` mode
    /// (`OutboundXcmpMessages`: 107,981 added for a 105,506-byte value).
    pub const KEY_PROOF: u64 = 2_475;
    /// A channel's entry in `OutboundXcmpStatus`, encoded.
    const CHANNEL_LEN: u64 = 18;

    /// The proof the channels' stored pages may add to this block.
    pub fn pages() -> Weight {
        use codec::Decode;
        use frame_support::traits::Get;
        let key = frame_support::storage::storage_prefix(b"XcmpQueue", b"OutboundXcmpStatus");
        let Some(raw) = frame_support::storage::unhashed::get_raw(&key) else {
            return Weight::zero();
        };
        let page = u64::from(
            <<Runtime as cumulus_pallet_xcmp_queue::Config>::MaxPageSize as Get<u32>>::get(),
        );
        let bytes = match Vec::<OutboundChannel>::decode(&mut &raw[..]) {
            Ok(channels) => channels
                .iter()
                .map(|channel| {
                    let pages =
                        u64::from(channel.last_index.saturating_sub(channel.first_index)).min(2);
                    let signals = u64::from(channel.signals_exist);
                    u64::from(channel.queued_bytes)
                        .min(page.saturating_mul(pages))
                        .saturating_add(pages.saturating_add(signals) * Self::KEY_PROOF)
                })
                .fold(0u64, u64::saturating_add),
            // A layout this runtime does not know: two whole pages for every channel there may
            // be.
            Err(_) => {
                log::error!(target: "runtime", "XcmpQueue::OutboundXcmpStatus undecodable");
                (raw.len() as u64)
                    .div_ceil(Self::CHANNEL_LEN)
                    .saturating_mul(3 * Self::KEY_PROOF + 2 * page)
            }
        };
        Weight::from_parts(0, bytes)
    }

    /// The proof of the upward messages waiting: the stored value, and its key.
    pub fn upward() -> Weight {
        let key =
            frame_support::storage::storage_prefix(b"ParachainSystem", b"PendingUpwardMessages");
        let bytes = frame_support::storage::unhashed::get_raw(&key)
            .map_or(0, |raw| (raw.len() as u64).saturating_add(Self::KEY_PROOF));
        Weight::from_parts(0, bytes)
    }

    /// What this block is charged before its inherents.
    pub fn weight() -> Weight {
        Self::pages().saturating_add(Self::upward())
    }
}

impl frame_support::traits::PreInherents for OutboundQueuesProof {
    fn pre_inherents() {
        System::register_extra_weight_unchecked(Self::weight(), DispatchClass::Mandatory);
    }
}

/// The instance of `pallet_assets` holding tokens of other chains.
pub type ForeignAssetsInstance = frame_support::instances::Instance1;

/// Tokens of other chains held here, by their XCM location (as on Asset Hub): today the relay
/// chain's token (`Location::parent()`, created at genesis), which pays for XCM execution
/// besides the native token (`xcm_config`). Only root creates or changes such an asset.
impl pallet_assets::Config<ForeignAssetsInstance> for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type Balance = Balance;
    type RemoveItemsLimit = ConstU32<1000>;
    type AssetId = xcm::v5::Location;
    type AssetIdParameter = xcm::v5::Location;
    type ReserveData = ();
    type Currency = Balances;
    type CreateOrigin =
        frame_support::traits::AsEnsureOriginWithArg<frame_system::EnsureNever<AccountId>>;
    type ForceOrigin = EnsureRoot<AccountId>;
    type AssetDeposit = ConstU128<UNIT>;
    type AssetAccountDeposit = ConstU128<{ 10 * MILLIUNIT }>;
    type MetadataDepositBase = ConstU128<UNIT>;
    type MetadataDepositPerByte = ConstU128<{ 10 * MILLIUNIT }>;
    type ApprovalDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type StringLimit = ConstU32<50>;
    type Freezer = ();
    type Holder = ();
    type Extra = ();
    type CallbackHandle = ();
    type AssetIdAllocator = ();
    type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = ForeignAssetsBenchmarkHelper;
}

/// Asset ids for `pallet_assets`' benchmarks: sibling parachains' locations.
#[cfg(feature = "runtime-benchmarks")]
pub struct ForeignAssetsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_assets::BenchmarkHelper<xcm::v5::Location, ()> for ForeignAssetsBenchmarkHelper {
    fn create_asset_id_parameter(id: u32) -> xcm::v5::Location {
        xcm::v5::Location::new(1, [xcm::v5::Junction::Parachain(id)])
    }
    fn create_reserve_id_parameter(_: u32) {}
}

parameter_types! {
    pub const GearXcmPalletId: PalletId = PalletId(*b"py/gxcm_");
    pub SelfParaId: u32 = ParachainInfo::parachain_id().into();
}

/// The XCM bridge: a builtin actor for programs' cross-chain requests, `deliver` for messages
/// from other chains (`pallets/gear-xcm/README.md`).
impl pallet_gear_xcm::Config for Runtime {
    type RuntimeCall = RuntimeCall;
    type XcmRouter = xcm_config::XcmRouter;
    type XcmOrigin = pallet_xcm::EnsureXcm<frame_support::traits::Everything>;
    type ChannelOrigin = EnsureRoot<AccountId>;
    type LocationToAccountId = xcm_config::LocationToAccountId;
    type SelfParaId = SelfParaId;
    type PalletId = GearXcmPalletId;
    /// 50 blocks: five minutes at 6-second blocks.
    type DefaultTimeout = ConstU32<50>;
    /// One day.
    type MaxTimeout = ConstU32<{ 24 * HOURS }>;
    type MaxRemotePayload = ConstU32<{ 32 * 1024 }>;
    type RemoteExecutionFee = ConstU128<{ UNIT / 10 }>;
    /// Ten memory pages' storage deposit (160 KiB at this runtime's deposit prices).
    type RemoteStorageDeposit =
        ConstU128<{ 10 * (DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * 16 * 1024) }>;
    type RelayExecutionFee = ConstU128<{ UNIT }>;
    type RelayHrmpPalletIndex = ConstU8<60>;
    /// One millisecond: decoding the request and sending one XCM.
    type HandleGas = ConstU64<1_000_000_000>;
    type WeightInfo = pallet_gear_xcm::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = GearXcmBenchmarkHelper;
}

/// The pallets `gear-node benchmark pallet` measures (`scripts/bench-weights.sh`).
#[cfg(feature = "runtime-benchmarks")]
mod benches {
    polkadot_sdk::frame_benchmarking::define_benchmarks!(
        [pallet_gear, Gear]
        [pallet_gear_xcm, GearXcm]
        [frame_system_extensions, SystemExtensionsBench::<Runtime>]
        [pallet_transaction_payment, TransactionPayment]
        [cumulus_pallet_weight_reclaim, WeightReclaim]
        [pallet_utility, Utility]
        [pallet_xcm, PalletXcmBenchmark::<Runtime>]
    );
}

/// `pallet_transaction_payment`'s benchmark needs no set-up here (fees are burned).
#[cfg(feature = "runtime-benchmarks")]
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}

/// What `pallet_gear_xcm`'s benchmarks need of this runtime.
#[cfg(feature = "runtime-benchmarks")]
pub struct GearXcmBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_gear_xcm::benchmarking::BenchmarkHelper<RuntimeOrigin> for GearXcmBenchmarkHelper {
    fn xcm_origin(location: polkadot_sdk::staging_xcm::latest::Location) -> RuntimeOrigin {
        pallet_xcm::Origin::Xcm(location).into()
    }

    fn ensure_delivery(destination: &polkadot_sdk::staging_xcm::latest::Location) {
        use cumulus_primitives_core::UpwardMessageSender;
        use polkadot_sdk::staging_xcm::latest::Junction::Parachain;
        match destination.unpack() {
            (1, []) => ParachainSystem::ensure_successful_delivery(),
            (1, [Parachain(id)]) => {
                ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests((*id).into())
            }
            _ => {}
        }
    }
}

construct_runtime!(
    pub enum Runtime {
        // System support.
        System: frame_system = 0,
        ParachainSystem: cumulus_pallet_parachain_system = 1,
        Timestamp: pallet_timestamp = 2,
        ParachainInfo: parachain_info = 3,
        WeightReclaim: cumulus_pallet_weight_reclaim = 4,

        // Monetary.
        Balances: pallet_balances = 10,
        TransactionPayment: pallet_transaction_payment = 11,
        ForeignAssets: pallet_assets::<Instance1> = 12,

        // Governance.
        Sudo: pallet_sudo = 15,

        // Collator support. The order of these 5 matters.
        Authorship: pallet_authorship = 20,
        CollatorSelection: pallet_collator_selection = 21,
        Session: pallet_session = 22,
        Aura: pallet_aura = 23,
        AuraExt: cumulus_pallet_aura_ext = 24,

        // XCM.
        XcmpQueue: cumulus_pallet_xcmp_queue = 30,
        PolkadotXcm: pallet_xcm = 31,
        CumulusXcm: cumulus_pallet_xcm = 32,
        MessageQueue: pallet_message_queue = 33,

        // Utilities.
        Utility: pallet_utility = 40,

        // Gear (Gear's pallet names, so Gear's tools find them).
        GearProgram: pallet_gear::program = 100,
        GearMessenger: pallet_gear::messenger = 101,
        GearGas: pallet_gear::gas = 102,
        GearScheduler: pallet_gear::scheduler = 103,
        Gear: pallet_gear = 104,
        GearBank: pallet_gear::bank = 105,
        GearXcm: pallet_gear_xcm = 106,
    }
);

impl_runtime_apis! {
    impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
        fn slot_duration() -> sp_consensus_aura::SlotDuration {
            sp_consensus_aura::SlotDuration::from_millis(SLOT_DURATION)
        }

        fn authorities() -> Vec<AuraId> {
            pallet_aura::Authorities::<Runtime>::get().into_inner()
        }
    }

    impl cumulus_primitives_aura::AuraUnincludedSegmentApi<Block> for Runtime {
        fn can_build_upon(
            included_hash: <Block as BlockT>::Hash,
            slot: cumulus_primitives_aura::Slot,
        ) -> bool {
            ConsensusHook::can_build_upon(included_hash, slot)
        }
    }

    impl sp_api::Core<Block> for Runtime {
        fn version() -> RuntimeVersion {
            VERSION
        }

        fn execute_block(block: <Block as BlockT>::LazyBlock) {
            Executive::execute_block(block)
        }

        fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
            Executive::initialize_block(header)
        }
    }

    impl sp_api::Metadata<Block> for Runtime {
        fn metadata() -> OpaqueMetadata {
            OpaqueMetadata::new(Runtime::metadata().into())
        }

        fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
            Runtime::metadata_at_version(version)
        }

        fn metadata_versions() -> Vec<u32> {
            Runtime::metadata_versions()
        }
    }

    impl sp_block_builder::BlockBuilder<Block> for Runtime {
        fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
            Executive::apply_extrinsic(extrinsic)
        }

        fn finalize_block() -> <Block as BlockT>::Header {
            Executive::finalize_block()
        }

        fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
            data.create_extrinsics()
        }

        fn check_inherents(
            block: <Block as BlockT>::LazyBlock,
            data: sp_inherents::InherentData,
        ) -> sp_inherents::CheckInherentsResult {
            data.check_extrinsics(&block)
        }
    }

    impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
        fn validate_transaction(
            source: TransactionSource,
            tx: <Block as BlockT>::Extrinsic,
            block_hash: <Block as BlockT>::Hash,
        ) -> TransactionValidity {
            Executive::validate_transaction(source, tx, block_hash)
        }
    }

    impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
        fn offchain_worker(header: &<Block as BlockT>::Header) {
            Executive::offchain_worker(header)
        }
    }

    impl sp_session::SessionKeys<Block> for Runtime {
        fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> sp_session::OpaqueGeneratedSessionKeys {
            SessionKeys::generate(&owner, seed).into()
        }

        fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
            SessionKeys::decode_into_raw_public_keys(&encoded)
        }
    }

    impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
        fn account_nonce(account: AccountId) -> Nonce {
            System::account_nonce(account)
        }
    }

    impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
        fn query_info(
            uxt: <Block as BlockT>::Extrinsic,
            len: u32,
        ) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
            TransactionPayment::query_info(uxt, len)
        }
        fn query_fee_details(
            uxt: <Block as BlockT>::Extrinsic,
            len: u32,
        ) -> pallet_transaction_payment::FeeDetails<Balance> {
            TransactionPayment::query_fee_details(uxt, len)
        }
        fn query_weight_to_fee(weight: Weight) -> Balance {
            TransactionPayment::weight_to_fee(weight)
        }
        fn query_length_to_fee(length: u32) -> Balance {
            TransactionPayment::length_to_fee(length)
        }
    }

    impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
        for Runtime
    {
        fn query_call_info(call: RuntimeCall, len: u32) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
            TransactionPayment::query_call_info(call, len)
        }
        fn query_call_fee_details(call: RuntimeCall, len: u32) -> pallet_transaction_payment::FeeDetails<Balance> {
            TransactionPayment::query_call_fee_details(call, len)
        }
        fn query_weight_to_fee(weight: Weight) -> Balance {
            TransactionPayment::weight_to_fee(weight)
        }
        fn query_length_to_fee(length: u32) -> Balance {
            TransactionPayment::length_to_fee(length)
        }
    }

    impl gear_primitives::GearApi<Block> for Runtime {
        fn calculate_gas_info(
            source: sp_core::H256,
            kind: gear_primitives::HandleKind,
            payload: Vec<u8>,
            value: u128,
            allow_other_panics: bool,
            initial_gas: Option<u64>,
        ) -> Result<gear_primitives::GasInfo, Vec<u8>> {
            Gear::calculate_gas_info(source.0, kind, payload, value, allow_other_panics, initial_gas)
                .map_err(String::into_bytes)
        }

        fn calculate_reply_for_handle(
            origin: sp_core::H256,
            destination: sp_core::H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
        ) -> Result<gear_primitives::ReplyInfo, Vec<u8>> {
            Gear::calculate_reply_for_handle(origin.0, destination.0, payload, gas_limit, value)
                .map_err(String::into_bytes)
        }

        fn read_state(
            program_id: sp_core::H256,
            payload: Vec<u8>,
            gas_allowance: Option<u64>,
        ) -> Result<Vec<u8>, Vec<u8>> {
            Gear::read_export(program_id.0.into(), "state", payload, gas_allowance)
        }

        fn read_metahash(
            program_id: sp_core::H256,
            gas_allowance: Option<u64>,
        ) -> Result<sp_core::H256, Vec<u8>> {
            let reply = Gear::read_export(program_id.0.into(), "metahash", Vec::new(), gas_allowance)?;
            <[u8; 32]>::try_from(reply.as_slice()).map(sp_core::H256).map_err(|_| {
                alloc::format!(
                    "`metahash` of program {program_id:?} replied {} bytes, not a 32-byte hash",
                    reply.len()
                )
                .into_bytes()
            })
        }
    }

    impl gear_primitives::GearEngineApi<Block> for Runtime {
        fn validate_code(code: Vec<u8>) -> Result<u32, Vec<u8>> {
            pallet_gear::Pallet::<Runtime>::check_code(code)
        }

        fn run_handle(
            code: Vec<u8>,
            payload: Vec<u8>,
            gas_limit: u64,
        ) -> Result<gear_primitives::CodeRun, Vec<u8>> {
            pallet_gear::Pallet::<Runtime>::run_unstored(code, payload, gas_limit)
        }
    }

    impl cumulus_primitives_core::CollectCollationInfo<Block> for Runtime {
        fn collect_collation_info(header: &<Block as BlockT>::Header) -> cumulus_primitives_core::CollationInfo {
            ParachainSystem::collect_collation_info(header)
        }
    }

    impl cumulus_primitives_core::GetParachainInfo<Block> for Runtime {
        fn parachain_id() -> ParaId {
            ParachainInfo::parachain_id()
        }
    }

    impl cumulus_primitives_core::RelayParentOffsetApi<Block> for Runtime {
        fn relay_parent_offset() -> u32 {
            RELAY_PARENT_OFFSET
        }

        fn max_claim_queue_offset() -> u8 {
            cumulus_pallet_parachain_system::Pallet::<Runtime>::max_claim_queue_offset()
        }
    }

    impl cumulus_primitives_core::KeyToIncludeInRelayProof<Block> for Runtime {
        fn keys_to_prove() -> cumulus_primitives_core::RelayProofRequest {
            Default::default()
        }
    }

    #[cfg(feature = "runtime-benchmarks")]
    impl frame_benchmarking::Benchmark<Block> for Runtime {
        fn benchmark_metadata(
            extra: bool,
        ) -> (
            Vec<frame_benchmarking::BenchmarkList>,
            Vec<frame_support::traits::StorageInfo>,
        ) {
            use frame_support::traits::StorageInfoTrait;
            use polkadot_sdk::frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
            use pallet_xcm::benchmarking::Pallet as PalletXcmBenchmark;
            let mut list = Vec::<frame_benchmarking::BenchmarkList>::new();
            list_benchmarks!(list, extra);
            (list, AllPalletsWithSystem::storage_info())
        }

        fn dispatch_benchmark(
            config: frame_benchmarking::BenchmarkConfig,
        ) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
            use frame_support::traits::WhitelistedStorageKeys;
            use polkadot_sdk::frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
            use pallet_xcm::benchmarking::Pallet as PalletXcmBenchmark;
            let mut whitelist = AllPalletsWithSystem::whitelisted_storage_keys();
            if config.pallet == b"pallet_transaction_payment" {
                // The fee payer's account: every signed extrinsic's `CheckNonce` (benchmarked
                // with its read and write) reads and writes that same key before the payment
                // does, so it reaches the database once per extrinsic. (The SDK's
                // `whitelisted_caller` rule, seen from the other side: the gear pallets'
                // benchmarks whitelist their signer for the same reason.)
                whitelist.push(
                    frame_system::Account::<Runtime>::hashed_key_for(frame_benchmarking::account::<
                        AccountId,
                    >(
                        "caller", 0, 0
                    ))
                    .into(),
                );
            }
            // Written by every message's extrinsic, stored once per block: charged to the
            // block in Gear's `on_initialize` (`pallet_gear::Pallet::hot_keys_weight`).
            whitelist.extend(
                pallet_gear::Pallet::<Runtime>::hot_keys()
                    .into_iter()
                    .map(Into::into),
            );
            let mut batches = Vec::<frame_benchmarking::BenchmarkBatch>::new();
            let params = (&config, &whitelist);
            add_benchmarks!(params, batches);
            Ok(batches)
        }
    }

    impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
        fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
            build_state::<RuntimeGenesisConfig>(config)
        }

        fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
            get_preset::<RuntimeGenesisConfig>(id, &genesis_config_presets::get_preset)
        }

        fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
            genesis_config_presets::preset_names()
        }
    }
}

cumulus_pallet_parachain_system::register_validate_block! {
    Runtime = Runtime,
    BlockExecutor = cumulus_pallet_aura_ext::BlockExecutor::<Runtime, Executive>,
}
