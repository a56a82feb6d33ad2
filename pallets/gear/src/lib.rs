//! # The gear pallets
//!
//! Store uploaded Gear programs, queue the messages users send them, and run those messages on
//! the in-runtime engine (`gear-engine`, an instrumented-WASM interpreter), within a per-block
//! weight budget.
//!
//! The crate holds four pallets, named in the runtime as Gear names them so that Gear's tools
//! (`@gear-js/api`) find what they look for:
//! - [`Gear`](pallet) (this module): extrinsics, queue processing, events, errors, the bank;
//! - [`GearProgram`](program): codes, programs and memory pages;
//! - [`GearMessenger`](messenger): the message queue and message nonces;
//! - [`GearGas`](gas): gas limits.
//!
//! Dependencies point one way: `Gear` uses the others' storage, never the reverse.
//!
//! ## Design goals
//! - Programs written with Gear's SDK run unmodified, with Gear's ids, reply codes and events.
//! - The runtime stays valid on the relay chain: execution is an interpreter compiled into the
//!   runtime; no host functions of our own.
//! - A block never does more work than it has weight for, in `ref_time` and in proof size.
//! - Nothing is lost on bad input or failure: gas not burned goes back to whoever bought it,
//!   value goes back to its sender.
//!
//! ## Design
//! Extrinsics validate, charge the sender up front (gas at [`Config::ValuePerGas`] plus the value
//! attached, moved into the pallet's bank account) and append a dispatch to the queue. The queue
//! is serviced twice a block: in `on_initialize` within [`Config::ServiceWeight`] (a reserved share,
//! so messages make progress even when blocks are full of extrinsics), and in `on_idle` with
//! whatever weight the block has left (so a message sent in a block with room is answered in that
//! same block, as Gear's end-of-block run does).
//!
//! Servicing takes the oldest dispatch, checks the [`WeightMeter`] can afford its worst case (its
//! gas limit as `ref_time`, its program's code and pages as proof size), runs it on the engine and
//! applies the journal the engine returns: memory pages, program state, the reply, value and gas.
//!
//! ### Scenario: upload a program
//! `upload_program(code, salt, init_payload, gas_limit, value, keep_alive)` validates and
//! instruments the code (refusing it with a specific error otherwise), stores it once per
//! `CodeId`, creates the program `ActorId = blake2b("program_from_user" ++ code_id ++ salt)` in
//! state `Uninitialized` and queues its init message. Events: `CodeChanged`, `ProgramChanged
//! { ProgramSet }`, `MessageQueued { entry: Init }`. When init runs successfully the program
//! becomes `Initialized` (`ProgramChanged { Active }`); when it fails the program is
//! `Terminated` (`ProgramChanged { Inactive }`) and its sender gets an error reply.
//!
//! ### Scenario: send a message
//! `send_message(destination, payload, gas_limit, value, keep_alive)` queues a `handle` dispatch.
//! When it runs, the program's reply (or Gear's auto reply when it made none) goes back to the
//! user as a `UserMessageSent` event carrying Gear's `ReplyCode`. A trap (out of gas, panic,
//! unreachable, stack overflow, out of memory) discards the program's memory changes and effects,
//! returns the value, and sends an error reply whose payload is the panic message.
//!
//! ## Terminology
//! - *Dispatch*: a message plus the entry point it is for (`init`, `handle`, `handle_reply`).
//! - *Bank*: the pallet's account holding bought gas, in-flight value and program balances.
//!
//! ## Properties
//! - **Bounded work**: servicing consumes at most the meter's limit; a dispatch that does not fit
//!   stays queued, in order, for the next block.
//! - **Progress**: every block services at least [`Config::ServiceWeight`] of the queue, and any
//!   single message fits in it ([`Config::ServiceWeight`] covers [`gas::Config::BlockGasLimit`],
//!   checked by `integrity_test`).
//! - **Conservation**: per message, gas burned + gas refunded = gas bought; total issuance
//!   changes only by transaction fees.
//! - **No panics**: processing never panics, even on corrupted storage (such a dispatch fails).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod gas;
pub mod messenger;
pub mod program;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use gear_engine::Schedule;
pub use pallet::*;
pub use weights::WeightInfo;

use polkadot_sdk::{frame_support, frame_system, sp_core, sp_runtime};

/// Whether programs uploaded here may import `syscall`.
///
/// The engine implements all of `gsys` 2.0; this pallet enables the syscalls whose effects it
/// applies today: reading the message and the environment, replying (to users, without an
/// explicit gas limit), logging, memory and leaving. Sending to other actors, waiting and
/// waking, creating programs, exiting, reservations, reply deposits and randomness are refused
/// at upload with `UnsupportedSyscall` until the queue applies them (waitlist, gas tree,
/// dispatch stash), so no program can lose a message or value to an effect that is dropped.
pub fn syscall_enabled(syscall: gear_engine::SyscallName) -> bool {
    use gear_engine::SyscallName as S;
    matches!(
        syscall,
        S::Read
            | S::Size
            | S::Source
            | S::MessageId
            | S::ProgramId
            | S::Value
            | S::ValueAvailable
            | S::EnvVars
            | S::BlockHeight
            | S::BlockTimestamp
            | S::GasAvailable
            | S::ReplyTo
            | S::ReplyCode
            | S::SignalFrom
            | S::SignalCode
            | S::Reply
            | S::ReplyPush
            | S::ReplyCommit
            | S::ReplyInput
            | S::ReplyPushInput
            | S::Debug
            | S::Panic
            | S::OomPanic
            | S::Leave
            | S::Alloc
            | S::Free
            | S::FreeRange
            | S::SystemBreak
    )
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use crate::types::{
        CodeChangeKind, DispatchStatus, MessageEntry, ProgramChangeKind, QueuedDispatch, Tracked,
    };
    use alloc::{
        collections::{BTreeMap, BTreeSet},
        vec::Vec,
    };
    use frame_support::{
        pallet_prelude::*,
        traits::{
            fungible::{Inspect, Mutate},
            tokens::Preservation,
            UnixTime,
        },
        weights::WeightMeter,
        Identity, PalletId,
    };
    use frame_system::pallet_prelude::*;
    use gear_core::{
        code::{CodeMetadata, InstrumentationStatus},
        gas_metering::Schedule,
        ids::prelude::{ActorIdExt, CodeIdExt, MessageIdExt},
        message::{DispatchKind, ReplyDetails, StoredDispatch, StoredMessage, UserMessage},
        pages::WasmPagesAmount,
        program::{ActiveProgram, MemoryInfix, Program, ProgramState},
    };
    use gear_core_errors::{
        ErrorReplyReason, ReplyCode, SimpleExecutionError, SimpleUnavailableActorError,
        SuccessReplyReason,
    };
    use gear_engine::{
        code::{CodeError, ProgramCodeMeta},
        memory::PAGE_SIZE,
        BlockInfo, Dispatch, ExecutionConfig, ExecutionInput, ExecutionStatus, Executor,
        ProgramCode, ProgramMemory,
    };
    use gprimitives::{ActorId, CodeId, MessageId};
    use sp_core::H256;
    use sp_runtime::{
        traits::{AccountIdConversion, Bounded},
        AccountId32, SaturatedConversion,
    };

    /// Proof size of reading a program's record, its code metadata and page count, and writing
    /// back a queue entry: the fixed part of a dispatch's proof.
    pub const DISPATCH_PROOF_OVERHEAD: u64 = 4 * 1024;
    /// Proof size of one stored page: its 16 KiB plus trie nodes and key.
    pub const PAGE_PROOF_SIZE: u64 = PAGE_SIZE as u64 + 512;

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// Configuration of the `Gear` pallet.
    #[pallet::config]
    pub trait Config:
        polkadot_sdk::frame_system::Config<AccountId = AccountId32>
        + program::Config
        + messenger::Config
        + gas::Config
    {
        /// The currency gas and value are paid in.
        type Currency: Mutate<Self::AccountId, Balance = u128>;

        /// Wall-clock time for `gr_block_timestamp`.
        type Timestamp: UnixTime;

        /// Costs of instructions, syscalls and memory, and code limits.
        type Schedule: Get<Schedule>;

        /// Price of one unit of gas (Gear's `GasMultiplier::ValuePerGas`).
        #[pallet::constant]
        type ValuePerGas: Get<u128>;

        /// The bank account's id: it holds bought gas, in-flight value and program balances.
        #[pallet::constant]
        type BankPalletId: Get<PalletId>;

        /// Messages from programs to users carrying at least this much gas wait in the mailbox
        /// (Gear's `mailboxThreshold`).
        #[pallet::constant]
        type MailboxThreshold: Get<u64>;

        /// Weight reserved every block (in `on_initialize`) for servicing the queue.
        #[pallet::constant]
        type ServiceWeight: Get<Weight>;

        /// Who receives the value of burned gas (the block author); `None` keeps it in the bank.
        type GasRecipient: Get<Option<Self::AccountId>>;

        /// Weights of extrinsics and queue steps.
        type WeightInfo: WeightInfo;
    }

    /// Value held for programs, by program (their balance: what they may send or reply with).
    #[pallet::storage]
    pub type ProgramBalances<T> = StorageMap<_, Identity, ActorId, u128, ValueQuery>;

    /// Value the bank owes accounts it could not pay (e.g. below the existential deposit of an
    /// account that does not exist): kept in the bank, recorded here.
    #[pallet::storage]
    pub type UnpaidValue<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, u128, ValueQuery>;

    /// Value of burned gas the bank kept because there was no recipient to pay it to.
    #[pallet::storage]
    pub type UnpaidBurnedValue<T> = StorageValue<_, u128, ValueQuery>;

    /// Genesis: opens the bank account with the existential deposit.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        #[serde(skip)]
        _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            let bank = Pallet::<T>::bank_account();
            let ed = T::Currency::minimum_balance();
            if T::Currency::balance(&bank) < ed {
                let _ = T::Currency::mint_into(&bank, ed);
            }
        }
    }

    /// Events of the gear pallets (Gear's names and shapes).
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A message was queued for a program.
        MessageQueued {
            /// The message id.
            #[codec(encoded_as = "Tracked<MessageId>")]
            id: MessageId,
            /// Who sent it.
            source: T::AccountId,
            /// The program it is for.
            #[codec(encoded_as = "Tracked<ActorId>")]
            destination: ActorId,
            /// Which entry point it is for.
            entry: MessageEntry,
        },
        /// A program sent a message (or a reply) to a user.
        UserMessageSent {
            /// The message, with reply details for replies.
            #[codec(encoded_as = "Tracked<UserMessage>")]
            message: UserMessage,
            /// When it leaves the mailbox; `None` when it was not put there.
            expiration: Option<BlockNumberFor<T>>,
        },
        /// The queue processed these dispatches in this block.
        MessagesDispatched {
            /// How many dispatches were processed.
            total: u32,
            /// How each ended.
            #[codec(encoded_as = "Tracked<BTreeMap<MessageId, DispatchStatus>>")]
            statuses: BTreeMap<MessageId, DispatchStatus>,
            /// Programs whose state (memory or status) changed.
            #[codec(encoded_as = "Tracked<BTreeSet<ActorId>>")]
            state_changes: BTreeSet<ActorId>,
        },
        /// A program was created, initialized, or became inactive.
        ProgramChanged {
            /// The program.
            #[codec(encoded_as = "Tracked<ActorId>")]
            id: ActorId,
            /// What happened.
            change: ProgramChangeKind<BlockNumberFor<T>>,
        },
        /// A code was stored.
        CodeChanged {
            /// The code id.
            #[codec(encoded_as = "Tracked<CodeId>")]
            id: CodeId,
            /// What happened.
            change: CodeChangeKind<BlockNumberFor<T>>,
        },
        /// The queue had dispatches but not even one fitted in this block's budget.
        QueueNotProcessed,
    }

    /// Errors of the gear pallets' extrinsics. Each leaves state untouched but for the fee.
    #[pallet::error]
    pub enum Error<T> {
        /// The code is not WASM this chain accepts (malformed, or uses floats, SIMD, threads,
        /// reference types or multiple memories).
        ProgramConstructionFailed,
        /// The code (original or instrumented) is larger than the schedule allows.
        CodeTooLarge,
        /// The code imports a function that is not a Gear syscall.
        UnknownImport,
        /// The code imports a Gear syscall this chain does not implement yet.
        UnsupportedSyscall,
        /// The code imports a Gear syscall with a signature other than gsys 2.0's.
        InvalidSyscallSignature,
        /// The code's imports are otherwise invalid (duplicates, wrong kinds, no memory).
        InvalidImports,
        /// The code's exports are invalid: only `init`, `handle`, `handle_reply`,
        /// `handle_signal`, `state`, `metahash` (all `() -> ()`), with `init` or `handle`.
        InvalidExports,
        /// The code declares more memory than a program may have.
        MemoryTooLarge,
        /// The code's memory section is invalid.
        InvalidMemory,
        /// The code's data segments overlap the stack, leave static memory or are too many.
        InvalidDataSection,
        /// The code's `__gear_stack_end` is misaligned or outside static memory.
        InvalidStackEnd,
        /// The code has a section Gear programs may not have (e.g. `start`), or lacks one.
        InvalidSection,
        /// The code's type section is too large or a type has too many parameters.
        InvalidTypeSection,
        /// Gas or stack instrumentation of the code failed.
        InstrumentationFailed,
        /// `upload_code` of a code that is already stored.
        CodeAlreadyExists,
        /// `create_program` with a code id that is not stored.
        CodeDoesntExist,
        /// A program with this id (same code and salt) already exists.
        ProgramAlreadyExists,
        /// The destination is not a program.
        ProgramNotFound,
        /// The destination program has exited or failed to initialize.
        InactiveProgram,
        /// The gas limit is above `GearGas::BlockGasLimit`.
        GasLimitTooHigh,
        /// The sender cannot pay for the gas and value (or would drop below the existential
        /// deposit with `keep_alive`).
        InsufficientBalance,
        /// The payload is larger than a message may carry.
        PayloadTooLarge,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        /// Reserves [`Config::ServiceWeight`] for this block's queue run, before extrinsics can
        /// take it.
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            T::ServiceWeight::get()
        }

        /// Runs the queue at the end of the block (after the timestamp inherent and the
        /// extrinsics, as Gear's end-of-block run does) with the reserved share plus whatever
        /// the block has left.
        fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
            let reserved = T::ServiceWeight::get();
            let mut meter = WeightMeter::with_limit(remaining.saturating_add(reserved));
            Self::service_queue(&mut meter);
            meter.consumed().saturating_sub(reserved)
        }

        fn integrity_test() {
            let most = Self::max_dispatch_weight(<T as gas::Config>::BlockGasLimit::get(), 0, 0);
            assert!(
                T::ServiceWeight::get().ref_time() >= most.ref_time(),
                "ServiceWeight must fit a message with the block gas limit"
            );
            assert!(
                <T as gas::Config>::BlockGasLimit::get() < 1 << 52,
                "BlockGasLimit must stay below 2^52"
            );
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Stores `code` (validated and instrumented) so programs can be created from it.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::upload_code(code.len() as u32))]
        pub fn upload_code(origin: OriginFor<T>, code: Vec<u8>) -> DispatchResult {
            ensure_signed(origin)?;
            let code_id = CodeId::generate(&code);
            ensure!(!Self::code_exists(code_id), Error::<T>::CodeAlreadyExists);
            let validated = Self::validate_code(code)?;
            Self::store_code(validated);
            Ok(())
        }

        /// Stores `code` if new, creates a program from it and queues its init message.
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::upload_program(code.len() as u32, salt.len() as u32, init_payload.len() as u32))]
        pub fn upload_program(
            origin: OriginFor<T>,
            code: Vec<u8>,
            salt: Vec<u8>,
            init_payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let code_id = CodeId::generate(&code);
            let program_id = ActorId::generate_from_user(code_id, &salt);
            ensure!(
                !program::ProgramStorage::<T>::contains_key(program_id),
                Error::<T>::ProgramAlreadyExists
            );
            Self::check_message(&init_payload, gas_limit)?;
            let validated = (!Self::code_exists(code_id))
                .then(|| Self::validate_code(code))
                .transpose()?;
            Self::charge(&who, gas_limit, value, keep_alive)?;
            if let Some(validated) = validated {
                Self::store_code(validated);
            }
            Self::create(who, code_id, program_id, init_payload, gas_limit, value);
            Ok(())
        }

        /// Creates a program from a stored code and queues its init message.
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::create_program(salt.len() as u32, init_payload.len() as u32))]
        pub fn create_program(
            origin: OriginFor<T>,
            code_id: H256,
            salt: Vec<u8>,
            init_payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let code_id = CodeId::new(code_id.0);
            ensure!(Self::code_exists(code_id), Error::<T>::CodeDoesntExist);
            let program_id = ActorId::generate_from_user(code_id, &salt);
            ensure!(
                !program::ProgramStorage::<T>::contains_key(program_id),
                Error::<T>::ProgramAlreadyExists
            );
            Self::check_message(&init_payload, gas_limit)?;
            Self::charge(&who, gas_limit, value, keep_alive)?;
            Self::create(who, code_id, program_id, init_payload, gas_limit, value);
            Ok(())
        }

        /// Queues a message for program `destination`.
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::send_message(payload.len() as u32))]
        pub fn send_message(
            origin: OriginFor<T>,
            destination: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let destination = ActorId::new(destination.0);
            match program::ProgramStorage::<T>::get(destination) {
                None => return Err(Error::<T>::ProgramNotFound.into()),
                Some(Program::Exited(_) | Program::Terminated(_)) => {
                    return Err(Error::<T>::InactiveProgram.into())
                }
                Some(Program::Active(_)) => {}
            }
            Self::check_message(&payload, gas_limit)?;
            Self::charge(&who, gas_limit, value, keep_alive)?;
            let id = Self::next_message_id(&who);
            Self::queue(
                who,
                id,
                destination,
                DispatchKind::Handle,
                payload,
                gas_limit,
                value,
            );
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// The bank account: holds bought gas, in-flight value and program balances.
        pub fn bank_account() -> T::AccountId {
            T::BankPalletId::get().into_account_truncating()
        }

        fn actor_of(account: &T::AccountId) -> ActorId {
            ActorId::new(*<AccountId32 as AsRef<[u8; 32]>>::as_ref(account))
        }

        fn account_of(actor: ActorId) -> T::AccountId {
            AccountId32::new(actor.into_bytes())
        }

        fn code_exists(code_id: CodeId) -> bool {
            program::InstrumentedCodeStorage::<T>::contains_key(code_id)
        }

        fn validate_code(code: Vec<u8>) -> Result<gear_engine::ValidatedCode, Error<T>> {
            gear_engine::validate_and_instrument_with(
                code,
                &T::Schedule::get(),
                super::syscall_enabled,
            )
            .map_err(|err| {
                log::debug!(target: "gear", "code refused: {err}");
                match err {
                    CodeError::CodeTooLarge { .. } | CodeError::InstrumentedCodeTooLarge { .. } => {
                        Error::<T>::CodeTooLarge
                    }
                    CodeError::InvalidWasm(_) => Error::<T>::ProgramConstructionFailed,
                    CodeError::UnknownImport { .. } => Error::<T>::UnknownImport,
                    CodeError::UnsupportedSyscall { .. } => Error::<T>::UnsupportedSyscall,
                    CodeError::InvalidSyscallSignature { .. } => {
                        Error::<T>::InvalidSyscallSignature
                    }
                    CodeError::DuplicateImport { .. }
                    | CodeError::UnexpectedImportKind { .. }
                    | CodeError::MissingMemory => Error::<T>::InvalidImports,
                    CodeError::MissingEntryPoint
                    | CodeError::ExcessExport { .. }
                    | CodeError::InvalidExportSignature { .. }
                    | CodeError::ExportOfImportedFunction { .. } => Error::<T>::InvalidExports,
                    CodeError::MemoryTooLarge { .. } => Error::<T>::MemoryTooLarge,
                    CodeError::DataSegmentOverlapsStack { .. }
                    | CodeError::DataSegmentEndOverflow { .. }
                    | CodeError::DataSegmentOutOfStaticMemory { .. }
                    | CodeError::TooManyDataSegments { .. } => Error::<T>::InvalidDataSection,
                    CodeError::StackEndNotAligned { .. }
                    | CodeError::StackEndOutOfStaticMemory { .. } => Error::<T>::InvalidStackEnd,
                    CodeError::MissingSection { .. } | CodeError::UnsupportedSection { .. } => {
                        Error::<T>::InvalidSection
                    }
                    CodeError::TypeSectionTooLarge { .. } | CodeError::TooManyParameters { .. } => {
                        Error::<T>::InvalidTypeSection
                    }
                    CodeError::InstrumentationFailed(_) => Error::<T>::InstrumentationFailed,
                }
            })
        }

        fn store_code(code: gear_engine::ValidatedCode) {
            let gear_engine::ValidatedCode {
                code_id,
                original,
                instrumented,
                meta,
            } = code;
            let exports = [
                (meta.has_init, DispatchKind::Init),
                (meta.has_handle, DispatchKind::Handle),
                (meta.has_handle_reply, DispatchKind::Reply),
                (meta.has_handle_signal, DispatchKind::Signal),
            ]
            .into_iter()
            .filter_map(|(has, kind)| has.then_some(kind))
            .collect();
            let metadata = CodeMetadata::new(
                meta.original_code_len,
                exports,
                WasmPagesAmount::try_from(meta.static_pages).unwrap_or(WasmPagesAmount::UPPER),
                meta.stack_end
                    .and_then(|page| gear_core::pages::WasmPage::try_from(page).ok()),
                InstrumentationStatus::Instrumented {
                    version: meta.instrumentation_version,
                    code_len: instrumented.len() as u32,
                },
            );
            program::OriginalCodeStorage::<T>::insert(code_id, original);
            program::InstrumentedCodeStorage::<T>::insert(code_id, (instrumented, meta));
            program::CodeMetadataStorage::<T>::insert(code_id, metadata);
            Self::deposit_event(Event::CodeChanged {
                id: code_id,
                change: CodeChangeKind::Active { expiration: None },
            });
        }

        fn check_message(payload: &[u8], gas_limit: u64) -> DispatchResult {
            ensure!(
                payload.len() as u64 <= u64::from(T::Schedule::get().limits.payload_len),
                Error::<T>::PayloadTooLarge
            );
            ensure!(
                gas_limit <= <T as gas::Config>::BlockGasLimit::get(),
                Error::<T>::GasLimitTooHigh
            );
            Ok(())
        }

        fn gas_value(gas: u64) -> u128 {
            u128::from(gas).saturating_mul(T::ValuePerGas::get())
        }

        /// Moves the price of `gas_limit` plus `value` from `who` into the bank.
        fn charge(
            who: &T::AccountId,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResult {
            let amount = Self::gas_value(gas_limit).saturating_add(value);
            if amount == 0 {
                return Ok(());
            }
            let preservation = if keep_alive {
                Preservation::Preserve
            } else {
                Preservation::Expendable
            };
            T::Currency::transfer(who, &Self::bank_account(), amount, preservation)
                .map(|_| ())
                .map_err(|_| Error::<T>::InsufficientBalance.into())
        }

        /// Pays `amount` out of the bank; on failure (e.g. below the existential deposit of a
        /// new account) it stays in the bank and is reported.
        fn pay_out(to: &T::AccountId, amount: u128) -> bool {
            if amount == 0 {
                return true;
            }
            match T::Currency::transfer(&Self::bank_account(), to, amount, Preservation::Preserve) {
                Ok(_) => true,
                Err(e) => {
                    log::warn!(target: "gear", "bank could not pay {amount} to {to:?}: {e:?}");
                    UnpaidValue::<T>::mutate(to, |v| *v = v.saturating_add(amount));
                    false
                }
            }
        }

        fn next_message_id(who: &T::AccountId) -> MessageId {
            let block = frame_system::Pallet::<T>::block_number().saturated_into::<u32>();
            MessageId::generate_from_user(
                block,
                Self::actor_of(who),
                messenger::Pallet::<T>::next_user_nonce(),
            )
        }

        fn create(
            who: T::AccountId,
            code_id: CodeId,
            program_id: ActorId,
            init_payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
        ) {
            let id = Self::next_message_id(&who);
            let expiration = BlockNumberFor::<T>::max_value();
            let active = ActiveProgram {
                allocations_tree_len: 0,
                memory_infix: MemoryInfix::new(0),
                gas_reservation_map: Default::default(),
                code_id,
                state: ProgramState::Uninitialized { message_id: id },
                expiration_block: expiration,
            };
            program::ProgramStorage::<T>::insert(program_id, Program::Active(active));
            Self::deposit_event(Event::ProgramChanged {
                id: program_id,
                change: ProgramChangeKind::ProgramSet { expiration },
            });
            Self::queue(
                who,
                id,
                program_id,
                DispatchKind::Init,
                init_payload,
                gas_limit,
                value,
            );
        }

        fn queue(
            who: T::AccountId,
            id: MessageId,
            destination: ActorId,
            kind: DispatchKind,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
        ) {
            // `check_message` bounded the payload by the schedule's limit, which is Gear's.
            let payload = payload.try_into().unwrap_or_default();
            let message =
                StoredMessage::new(id, Self::actor_of(&who), destination, payload, value, None);
            messenger::Pallet::<T>::enqueue(QueuedDispatch {
                dispatch: StoredDispatch::new(kind, message, None),
                gas_limit,
                gas_owner: who.clone(),
            });
            let entry = match kind {
                DispatchKind::Init => MessageEntry::Init,
                DispatchKind::Handle => MessageEntry::Handle,
                DispatchKind::Reply => MessageEntry::Reply(id),
                DispatchKind::Signal => MessageEntry::Signal,
            };
            Self::deposit_event(Event::MessageQueued {
                id,
                source: who,
                destination,
                entry,
            });
        }

        /// Worst-case weight of a dispatch: its gas as `ref_time`, its code and pages as proof,
        /// and translating its code (`code_len` is 0 when this queue run already did).
        pub fn max_dispatch_weight(gas_limit: u64, code_len: u32, pages: u32) -> Weight {
            <T as Config>::WeightInfo::dispatch_overhead().saturating_add(Weight::from_parts(
                gas_limit.saturating_add(
                    crate::weights::COMPILE_PS_PER_BYTE.saturating_mul(u64::from(code_len)),
                ),
                DISPATCH_PROOF_OVERHEAD
                    .saturating_add(u64::from(code_len))
                    .saturating_add(PAGE_PROOF_SIZE.saturating_mul(u64::from(pages))),
            ))
        }

        /// Services the queue in order while `meter` can afford the next dispatch.
        ///
        /// A dispatch is charged its worst case before it runs (gas limit as `ref_time`; the
        /// queue entry, program record, code and pages as proof size, the latter two only the
        /// first time a run touches them) and what it really burned after.
        pub fn service_queue(meter: &mut WeightMeter) {
            let mut statuses = BTreeMap::new();
            let mut state_changes = BTreeSet::new();
            // Codes and programs read in this run: their proof is paid once.
            let mut codes_read = BTreeSet::new();
            let mut programs_read = BTreeSet::new();
            // One engine per run: each code is translated once, however many messages it gets.
            let mut executor = gear_engine::WasmiExecutor::new();
            let mut bailed = false;
            let overhead = <T as Config>::WeightInfo::dispatch_overhead()
                .saturating_add(Weight::from_parts(0, DISPATCH_PROOF_OVERHEAD));
            loop {
                if !meter.can_consume(overhead) {
                    bailed = messenger::Pallet::<T>::queue_len() > 0;
                    break;
                }
                let Some((index, entry)) = messenger::Pallet::<T>::peek() else {
                    break;
                };
                let Some(queued) = entry else {
                    log::error!(target: "gear", "queue entry {index} is missing; skipping it");
                    messenger::Pallet::<T>::pop();
                    meter.consume(overhead);
                    continue;
                };
                let entry_len = queued.encoded_size() as u64;
                let destination = queued.dispatch.destination();
                let code = match program::ProgramStorage::<T>::get(destination) {
                    Some(Program::Active(p)) => Some(p.code_id),
                    _ => None,
                };
                let code_len = code
                    .filter(|id| !codes_read.contains(id))
                    .and_then(program::CodeMetadataStorage::<T>::get)
                    .and_then(|meta| meta.instrumented_code_len())
                    .unwrap_or(0);
                let pages = if programs_read.contains(&destination) {
                    0
                } else {
                    program::PagesCount::<T>::get(destination)
                };
                let reads = Self::max_dispatch_weight(0, code_len, pages)
                    .saturating_add(Weight::from_parts(0, entry_len));
                let worst = reads.saturating_add(Weight::from_parts(queued.gas_limit, 0));
                let id = queued.dispatch.id();
                if !T::ServiceWeight::get()
                    .saturating_add(overhead)
                    .all_gte(worst)
                {
                    // Even the reserved share of an empty block could not prove this program's
                    // state: waiting would block the queue forever, so the dispatch fails now.
                    messenger::Pallet::<T>::pop();
                    Self::refuse_oversized(queued);
                    statuses.insert(id, DispatchStatus::NotExecuted);
                    meter.consume(overhead.saturating_add(Weight::from_parts(0, entry_len)));
                    continue;
                }
                if !meter.can_consume(worst) {
                    // What was read to decide this is part of the block's proof: account it.
                    let read = overhead.saturating_add(Weight::from_parts(0, entry_len));
                    meter.consume(read.min(meter.remaining()));
                    bailed = true;
                    break;
                }
                messenger::Pallet::<T>::pop();
                if let Some(code) = code {
                    codes_read.insert(code);
                }
                programs_read.insert(destination);
                let (status, gas_burned) =
                    Self::process_dispatch(queued, &mut state_changes, &mut executor);
                statuses.insert(id, status);
                meter.consume(reads.saturating_add(Weight::from_parts(gas_burned, 0)));
            }
            if statuses.is_empty() {
                if bailed {
                    Self::deposit_event(Event::QueueNotProcessed);
                }
                return;
            }
            Self::deposit_event(Event::MessagesDispatched {
                total: statuses.len() as u32,
                statuses,
                state_changes,
            });
        }

        /// Runs one dispatch and applies its journal. Returns its status and the gas it burned.
        fn process_dispatch(
            queued: QueuedDispatch<T::AccountId>,
            state_changes: &mut BTreeSet<ActorId>,
            executor: &mut gear_engine::WasmiExecutor,
        ) -> (DispatchStatus, u64) {
            let QueuedDispatch {
                dispatch,
                gas_limit,
                gas_owner,
            } = queued;
            let (kind, message, _context) = dispatch.into_parts();
            let (id, source, destination, payload, value, details) = message.into_parts();

            let unavailable = |reason: SimpleUnavailableActorError, payload: Vec<u8>| {
                Self::settle_gas(&gas_owner, gas_limit, 0);
                Self::error_reply(
                    kind,
                    id,
                    destination,
                    source,
                    ErrorReplyReason::UnavailableActor(reason),
                    payload,
                    value,
                );
                (DispatchStatus::NotExecuted, 0)
            };

            let active = match program::ProgramStorage::<T>::get(destination) {
                Some(Program::Active(active)) => active,
                Some(Program::Exited(inheritor)) => {
                    return unavailable(
                        SimpleUnavailableActorError::ProgramExited,
                        inheritor.into_bytes().to_vec(),
                    )
                }
                Some(Program::Terminated(_)) => {
                    return unavailable(
                        SimpleUnavailableActorError::InitializationFailure,
                        Vec::new(),
                    )
                }
                None => {
                    return unavailable(SimpleUnavailableActorError::ProgramNotCreated, Vec::new())
                }
            };
            let is_init = match (&active.state, kind) {
                (ProgramState::Uninitialized { message_id }, DispatchKind::Init)
                    if *message_id == id =>
                {
                    true
                }
                (ProgramState::Uninitialized { .. }, _) => {
                    return unavailable(SimpleUnavailableActorError::Uninitialized, Vec::new())
                }
                (ProgramState::Initialized, DispatchKind::Init) => {
                    return unavailable(SimpleUnavailableActorError::Unsupported, Vec::new())
                }
                (ProgramState::Initialized, _) => false,
            };
            let Some((instrumented, meta)) =
                program::InstrumentedCodeStorage::<T>::get(active.code_id)
            else {
                log::error!(target: "gear", "program {destination:?} has no code {:?}", active.code_id);
                return unavailable(
                    SimpleUnavailableActorError::ReinstrumentationFailure,
                    Vec::new(),
                );
            };

            let infix = active.memory_infix.inner();
            let memory = ProgramMemory {
                pages: program::MemoryPages::<T>::iter_prefix((destination, infix)).collect(),
                allocations: program::Allocations::<T>::get(destination),
            };
            let height: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
            let block = BlockInfo {
                height,
                timestamp: T::Timestamp::now().as_millis().saturated_into(),
                // `gr_random` is not enabled here (see `syscall_enabled`).
                random: ([0; 32], height),
            };
            let program_balance = ProgramBalances::<T>::get(destination);
            let outcome = executor.execute(
                Some(active.code_id.into_bytes()),
                ProgramCode {
                    instrumented: &instrumented,
                    meta: &meta,
                },
                &memory,
                Dispatch {
                    kind,
                    id,
                    source,
                    destination,
                    payload: payload.into_vec(),
                    value,
                    details,
                    context: None,
                },
                &ExecutionInput {
                    block,
                    gas_limit,
                    balance: program_balance,
                    reservations: Default::default(),
                },
                &ExecutionConfig {
                    schedule: T::Schedule::get(),
                    existential_deposit: T::Currency::minimum_balance(),
                    ..Default::default()
                },
            );
            for line in &outcome.debug {
                log::debug!(target: "gear::program", "{destination:?}: {}", alloc::string::String::from_utf8_lossy(line));
            }
            let gas_burned = outcome.gas_burned.min(gas_limit);
            Self::settle_gas(&gas_owner, gas_limit, gas_burned);

            match outcome.status {
                ExecutionStatus::Success => {
                    let reply_value = outcome.reply.as_ref().map(|r| r.value).unwrap_or(0);
                    ProgramBalances::<T>::insert(
                        destination,
                        program_balance
                            .saturating_add(value)
                            .saturating_sub(reply_value),
                    );
                    let changed =
                        !outcome.memory.pages.is_empty() || outcome.memory.allocations.is_some();
                    Self::apply_memory(destination, infix, outcome.memory);
                    if changed || is_init {
                        state_changes.insert(destination);
                    }
                    if is_init {
                        program::ProgramStorage::<T>::mutate(destination, |program| {
                            if let Some(Program::Active(active)) = program {
                                active.state = ProgramState::Initialized;
                            }
                        });
                        Self::deposit_event(Event::ProgramChanged {
                            id: destination,
                            change: ProgramChangeKind::Active {
                                expiration: active.expiration_block,
                            },
                        });
                    }
                    match outcome.reply {
                        Some(reply) => Self::reply_to_user(
                            id,
                            destination,
                            source,
                            ReplyCode::Success(SuccessReplyReason::Manual),
                            reply.payload,
                            reply.value,
                        ),
                        None if matches!(kind, DispatchKind::Init | DispatchKind::Handle) => {
                            Self::reply_to_user(
                                id,
                                destination,
                                source,
                                ReplyCode::Success(SuccessReplyReason::Auto),
                                Vec::new(),
                                0,
                            )
                        }
                        None => {}
                    }
                    (DispatchStatus::Success, gas_burned)
                }
                ExecutionStatus::Wait { .. } | ExecutionStatus::Exit { .. } => {
                    // Unreachable: code importing `gr_wait*` / `gr_exit` is refused at upload
                    // (`syscall_enabled`). Fail the dispatch without applying anything.
                    log::error!(target: "gear", "program {destination:?} waited or exited; its code should have been refused");
                    Self::error_reply(
                        kind,
                        id,
                        destination,
                        source,
                        ErrorReplyReason::Execution(SimpleExecutionError::BackendError),
                        Vec::new(),
                        value,
                    );
                    (DispatchStatus::Failed, gas_burned)
                }
                ExecutionStatus::Trap { reason, message } => {
                    if is_init {
                        Self::remove_memory(destination, infix);
                        program::ProgramStorage::<T>::insert(
                            destination,
                            Program::Terminated(source),
                        );
                        state_changes.insert(destination);
                        Self::deposit_event(Event::ProgramChanged {
                            id: destination,
                            change: ProgramChangeKind::Inactive,
                        });
                    }
                    let reason = match reason {
                        SimpleExecutionError::Unsupported => SimpleExecutionError::BackendError,
                        other => other,
                    };
                    Self::error_reply(
                        kind,
                        id,
                        destination,
                        source,
                        ErrorReplyReason::Execution(reason),
                        message,
                        value,
                    );
                    (DispatchStatus::Failed, gas_burned)
                }
            }
        }

        /// Fails a dispatch whose program is too large to prove within one block's reserved
        /// share: value and gas go back, the sender gets a `MemoryOverflow` error reply.
        fn refuse_oversized(queued: QueuedDispatch<T::AccountId>) {
            let QueuedDispatch {
                dispatch,
                gas_limit,
                gas_owner,
            } = queued;
            let (kind, message, _) = dispatch.into_parts();
            let (id, source, destination, _, value, _) = message.into_parts();
            Self::settle_gas(&gas_owner, gas_limit, 0);
            Self::error_reply(
                kind,
                id,
                destination,
                source,
                ErrorReplyReason::Execution(SimpleExecutionError::MemoryOverflow),
                Vec::new(),
                value,
            );
        }

        /// Refunds the unburned part of `gas_limit` to `owner` and pays the burned part to the
        /// gas recipient (or keeps it in the bank, recorded, when there is none).
        fn settle_gas(owner: &T::AccountId, gas_limit: u64, burned: u64) {
            let refund = Self::gas_value(gas_limit.saturating_sub(burned));
            Self::pay_out(owner, refund);
            let burned_value = Self::gas_value(burned);
            let paid = match T::GasRecipient::get() {
                Some(recipient) => Self::pay_out(&recipient, burned_value),
                None => false,
            };
            if !paid && burned_value > 0 {
                UnpaidBurnedValue::<T>::mutate(|v| *v = v.saturating_add(burned_value));
            }
        }

        /// Answers a dispatch that failed or could not run: the value it carried goes back with
        /// the error reply (Gear sends none for replies and signals; their value just returns).
        fn error_reply(
            kind: DispatchKind,
            to: MessageId,
            program: ActorId,
            source: ActorId,
            reason: ErrorReplyReason,
            payload: Vec<u8>,
            value: u128,
        ) {
            match kind {
                DispatchKind::Init | DispatchKind::Handle => Self::reply_to_user(
                    to,
                    program,
                    source,
                    ReplyCode::Error(reason),
                    payload,
                    value,
                ),
                DispatchKind::Reply | DispatchKind::Signal => {
                    Self::pay_out(&Self::account_of(source), value);
                }
            }
        }

        fn reply_to_user(
            to: MessageId,
            program: ActorId,
            user: ActorId,
            code: ReplyCode,
            payload: Vec<u8>,
            value: u128,
        ) {
            let payload = payload.try_into().unwrap_or_default();
            let message = UserMessage::new(
                MessageId::generate_reply(to),
                program,
                user,
                payload,
                value,
                Some(ReplyDetails::new(to, code)),
            );
            Self::pay_out(&Self::account_of(user), value);
            Self::deposit_event(Event::UserMessageSent {
                message,
                expiration: None,
            });
        }

        fn apply_memory(
            program_id: ActorId,
            infix: u32,
            changes: gear_engine::memory::MemoryChanges,
        ) {
            let mut count = program::PagesCount::<T>::get(program_id);
            for (page, data) in changes.pages {
                let key = (program_id, infix, page);
                let existed = program::MemoryPages::<T>::contains_key(key);
                match data {
                    Some(data) => {
                        program::MemoryPages::<T>::insert(key, data);
                        if !existed {
                            count = count.saturating_add(1);
                        }
                    }
                    None => {
                        program::MemoryPages::<T>::remove(key);
                        if existed {
                            count = count.saturating_sub(1);
                        }
                    }
                }
            }
            program::PagesCount::<T>::insert(program_id, count);
            if let Some(allocations) = changes.allocations {
                let len = allocations.len() as u32;
                program::Allocations::<T>::insert(program_id, allocations);
                program::ProgramStorage::<T>::mutate(program_id, |program| {
                    if let Some(Program::Active(active)) = program {
                        active.allocations_tree_len = len;
                    }
                });
            }
        }

        fn remove_memory(program_id: ActorId, infix: u32) {
            let _ = program::MemoryPages::<T>::clear_prefix((program_id, infix), u32::MAX, None);
            program::PagesCount::<T>::remove(program_id);
            program::Allocations::<T>::remove(program_id);
        }

        /// Validates `code` as `upload_code` would, without storing it: the instrumented
        /// length, or the refusal as text (`GearEngineApi::validate_code`).
        pub fn check_code(code: Vec<u8>) -> Result<u32, Vec<u8>> {
            gear_engine::validate_and_instrument_with(
                code,
                &T::Schedule::get(),
                super::syscall_enabled,
            )
            .map(|code| code.instrumented.len() as u32)
            .map_err(|err| alloc::format!("{err}").into_bytes())
        }

        /// Runs `handle` of `code` without storing anything: fresh memory, no balance, at most
        /// `gas_limit` (capped at `BlockGasLimit`) (`GearEngineApi::run_handle`).
        pub fn run_unstored(
            code: Vec<u8>,
            payload: Vec<u8>,
            gas_limit: u64,
        ) -> Result<gear_primitives::CodeRun, Vec<u8>> {
            let schedule = T::Schedule::get();
            let code =
                gear_engine::validate_and_instrument_with(code, &schedule, super::syscall_enabled)
                    .map_err(|err| alloc::format!("{err}").into_bytes())?;
            let gas_limit = gas_limit.min(<T as gas::Config>::BlockGasLimit::get());
            let height: u32 = frame_system::Pallet::<T>::block_number().saturated_into();
            let outcome = gear_engine::execute(
                ProgramCode {
                    instrumented: &code.instrumented,
                    meta: &code.meta,
                },
                &ProgramMemory::default(),
                Dispatch {
                    kind: DispatchKind::Handle,
                    id: MessageId::zero(),
                    source: ActorId::zero(),
                    destination: ActorId::from(code.code_id.into_bytes()),
                    payload,
                    value: 0,
                    details: None,
                    context: None,
                },
                &ExecutionInput {
                    block: BlockInfo {
                        height,
                        timestamp: T::Timestamp::now().as_millis().saturated_into(),
                        random: ([0; 32], height),
                    },
                    gas_limit,
                    ..Default::default()
                },
                &ExecutionConfig {
                    schedule,
                    existential_deposit: T::Currency::minimum_balance(),
                    ..Default::default()
                },
            );
            Ok(gear_primitives::CodeRun {
                gas_burned: outcome.gas_burned,
                reply: outcome.reply.map(|reply| reply.payload),
                error: match outcome.status {
                    ExecutionStatus::Trap { reason, .. } => Some(reason),
                    _ => None,
                },
            })
        }

        /// Number of dispatches waiting in the queue.
        pub fn queue_len() -> u64 {
            messenger::Pallet::<T>::queue_len()
        }

        /// Whether `code_id` is stored (for the runtime API and tests).
        pub fn code_meta(code_id: CodeId) -> Option<ProgramCodeMeta> {
            program::InstrumentedCodeStorage::<T>::get(code_id).map(|(_, meta)| meta)
        }
    }
}
