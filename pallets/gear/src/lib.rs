//! # The gear pallets
//!
//! Store uploaded Gear programs, queue the messages users and programs send them, and run those
//! messages on the in-runtime engine (`gear-engine`, an instrumented-WASM interpreter), within a
//! per-block weight budget: Gear's actor model inside a parachain runtime.
//!
//! The crate holds six pallets, named in the runtime as Gear names them so that Gear's tools
//! (`@gear-js/api`) find what they look for:
//! - [`Gear`](pallet) (this module): extrinsics, queue processing, events, errors;
//! - [`GearProgram`](program): codes, programs and memory pages;
//! - [`GearMessenger`](messenger): the message queue, the mailbox, the waitlist, the stash;
//! - [`GearGas`](gas): gas trees and the block gas limit;
//! - [`GearScheduler`](scheduler): tasks by block and rent prices;
//! - [`GearBank`](bank): program balances and the price of gas.
//!
//! Dependencies point one way: `Gear` uses the others' storage, never the reverse.
//!
//! ## Design goals
//! - Programs written with Gear's SDK run unmodified, with Gear's ids, reply codes, events and
//!   gas rules: one program talks to another with `send`, `send_for_reply(..).await`, `wait` /
//!   `wake`, created programs, delayed sends, reservations and signals, as on Gear.
//! - The runtime stays valid on the relay chain: execution is an interpreter compiled into the
//!   runtime; no host functions of our own.
//! - A block never does more work than it has weight for, in `ref_time` and in proof size.
//! - Nothing is lost on bad input or failure: gas not burned goes back to whoever bought it,
//!   value goes back to its sender or on to its receiver.
//!
//! ## Design
//! **Deciding vs doing.** The engine decides what an execution means
//! (`gear_engine::processing`: dispatch + program state + `ExecutionOutcome` → journal notes);
//! this pallet applies the notes to storage (`internal::journal`, a
//! `gear_engine::journal::JournalHandler`). The engine's in-memory test queue applies the same
//! notes, so the rules are written once.
//!
//! Extrinsics validate, buy the message's gas (the root of a gas tree, `GearGas`) and move its
//! value into the bank (`GearBank`), and append a dispatch to the queue. The queue is serviced
//! every block in `on_idle` with [`Config::ServiceWeight`] (reserved in `on_initialize`, so
//! messages progress even in blocks full of extrinsics) plus whatever the block has left: due
//! scheduled tasks first, then dispatches in order while the [`WeightMeter`] affords the next
//! one's worst case (its gas limit as `ref_time`, its program's code and pages as proof size).
//!
//! ### Scenario: upload a program
//! `upload_program(code, salt, init_payload, gas_limit, value, keep_alive)` validates and
//! instruments the code (refusing it with a specific error otherwise), stores it once per
//! `CodeId`, creates the program `ActorId = blake2b("program_from_user" ++ code_id ++ salt)`
//! and queues its init message. Events: `CodeChanged`, `ProgramChanged { ProgramSet }`,
//! `MessageQueued { entry: Init }`. When init succeeds: `ProgramChanged { Active }`; when it
//! fails, `ProgramChanged { Terminated }`, its balance goes to the init's sender, and the sender
//! gets an error reply.
//!
//! ### Scenario: program to program
//! A program's send becomes a dispatch in the queue whose gas comes from the sending message's
//! tree: its own limit, or a share of the sender's gas when sent without one. Its reply (manual,
//! Gear's auto reply, or an error reply with Gear's `ReplyCode`) comes back the same way and
//! runs the sender's `handle_reply`; a program awaiting it (`send_for_reply(..).await`) waits in
//! the waitlist, paying rent from its message's gas, until the reply wakes it.
//!
//! ### Scenario: program to user
//! A message to a user with at least [`Config::MailboxThreshold`] gas goes into the user's
//! mailbox (`UserMessageSent { expiration: Some(..) }`) paying mailbox rent: the user answers
//! with `send_reply` (the program's `handle_reply` runs) or takes the value with `claim_value`
//! (the program gets an auto reply); unread, it leaves when its gas no longer pays
//! (`UserMessageRead { OutOfRent }`, value to the user). Replies and cheaper messages are only
//! an event, their value paid at once.
//!
//! ### Scenario: wait and wake
//! `gr_wait*` puts the message in the waitlist (`MessageWaited`) with its context, locking rent
//! from its gas: `wait_for` and a fully paid `wait_up_to` wake by themselves when the duration
//! passes, a plain `wait` (or an underpaid `wait_up_to`) leaves when its rent runs out with
//! Gear's `RemovedFromWaitlist` error reply to its sender. `gr_wake` (with a delay or not)
//! puts it back in the queue (`MessageWoken`).
//!
//! ## Terminology
//! - *Dispatch*: a message plus the entry point it is for (`init`, `handle`, `handle_reply`,
//!   `handle_signal`).
//! - *Gas tree*: the nodes sharing one bought amount of gas (`gear_engine::gas_tree`).
//! - *Hold*: something kept in storage for rent: waitlist, mailbox, stash, reservation.
//! - *Bank*: the account holding bought gas, in-flight value and program balances.
//!
//! ## Properties
//! - **Bounded work**: servicing consumes at most the meter's limit; a dispatch that does not fit
//!   stays queued, in order, for the next block.
//! - **Bounded output**: the executions of one queue run send and reply at most
//!   [`Config::QueueOutputPerBlock`] payload bytes (events and queue entries the block holds in
//!   the validator's memory); a dispatch starts only while its most possible output is left.
//!   Likewise a run holds at most [`Config::QueuePagesPerBlock`] distinct memory pages written
//!   and keeps at most [`MODULE_CACHE_CODE_BYTES`] of code translated at once.
//! - **No program outgrows its proof**: a program keeps at most [`Pallet::max_stored_pages`]
//!   memory pages, so its state, code and a message always fit the proof of the queue's reserved
//!   share; an execution that would keep more traps with `MemoryOverflow` and changes nothing.
//! - **Progress**: every block services at least [`Config::ServiceWeight`] of the queue, and any
//!   single message fits in it (checked by `integrity_test`); in a block that started with the
//!   queue empty, up to half of it is kept back for the writes of transient keys
//!   ([`Pallet::transient_saving`]), so a message that needs more than the rest runs in the
//!   next block, which starts with a backlog and keeps nothing back.
//! - **Work is paid by whoever causes it**: a dispatch's execution, and translating its code for
//!   the engine ([`COMPILE_PS_PER_BYTE`], every time, signals excepted: what a message needs does
//!   not depend on what the block ran before it; the meter counts the translations done), are
//!   its gas; the queue's fixed cost of a dispatch is in the weight of the extrinsic that
//!   queued it (charged to the block once: not again when the queue runs it in the same block)
//!   or, for messages from programs, tasks and the runtime, charged to the block that runs
//!   them. In a block that starts with the queue empty, an extrinsic gives back the database
//!   weight of the keys its dispatch will find in the block's changes or read already
//!   ([`Pallet::same_block_saving`]: its own queue entry and gas tree, and its program's state
//!   when the block's previous message went to the same program); the queue charges what turns
//!   out otherwise ([`Pallet::warm_fixup`]), and a dispatch left for a later block pays its
//!   whole cost there. The keys the extrinsic creates for the dispatch (its entry, and its gas
//!   tree) are charged as reads rather than writes ([`Pallet::transient_saving`], within a
//!   per-block allowance): removed in the same block, they never reach the database; the
//!   queue's run keeps their writes' weight back and charges it for those that stay. Keys a
//!   dispatch writes by changing its program's memory layout (new allocations; every page
//!   when the program ends) are counted in its worst case and charged after it
//!   ([`Pallet::layout_writes`]).
//! - **Conservation**: per gas tree, held + burned + refunded = bought; the bank holds exactly
//!   its existential deposit + held gas + in-flight value + program balances + unpaid debts;
//!   total issuance changes only by transaction fees. `try_state` checks all of it.
//! - **No panics**: processing never panics, even on corrupted storage (such a dispatch fails).
//!
//! ## State growth is paid for
//! Gas pays for work once; state stays. What stays is paid for with a **storage deposit**, as
//! in pallet-revive: held while the state exists, released when it goes. Prices are the
//! runtime's [`Config::DepositPerByte`] and [`Config::DepositPerItem`].
//! - **Codes**: [`Pallet::code_deposit`] = 3 items (original, instrumented, metadata) + every
//!   byte of the original and the instrumented code, held from the uploader's account under
//!   [`HoldReason::CodeDeposit`] by `upload_code` / `upload_program` (refused with
//!   `InsufficientDeposit` when it cannot be held) and recorded in `GearBank::CodeDeposits`.
//!   Codes are never removed (as on Gear), so the hold stays: a code's bytes are state every
//!   node keeps for good.
//! - **Program memory**: [`Pallet::page_deposit`] = 1 item + 16 KiB per stored page. The
//!   payer of a dispatch's gas tree (the account that bought its gas) pays the deposit of the
//!   pages its execution leaves stored beyond what the program stored before, into the bank,
//!   held for the program in `GearBank::ProgramDeposits` (not the program's to spend); the
//!   payer of a dispatch that leaves fewer pages gets back that share of the program's deposit,
//!   and all of it when the program's memory goes (exit, failed init). As in pallet-revive,
//!   whoever frees state is paid for it; memory grown and freed within one execution costs
//!   nothing. An execution may keep only as many new pages as its payer can pay for (keeping
//!   the existential deposit) and as its gas tree may still take: the messages of one tree
//!   (an extrinsic's message and all it leads to: sends, replies, reply deposits, wakes) take
//!   at most [`Config::DepositLimit`] from the payer, net of what is paid back to it within the
//!   tree, so a program cannot make a user pay more than that for state, whatever it does with
//!   the user's message. An execution that would keep more is refused with Gear's
//!   `MemoryOverflow`, nothing kept, only its gas burned. A waiting init removed for rent
//!   (`RemoveFromWaitlist`) pays the deposit back as a failed init does.
//! - **Everything else that stays** is paid per block from gas, as on Gear: the waitlist,
//!   mailbox, stash and gas reservations charge rent (`GearScheduler`) and leave when it runs
//!   out. A program's record is covered by the existential deposit it is created with (its
//!   balance), as on Gear.
//!
//! So bloating state costs, per 16 KiB page of program memory, a page deposit besides the gas
//! that writes it (`runtime`: 0.184 UNIT, 1 MiB 11.8 UNIT), and per code byte stored, the byte
//! deposit (tested in `tests/deposits.rs`).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod bank;
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod builtin;
pub mod gas;
mod internal;
pub mod messenger;
pub mod program;
pub mod scheduler;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use gear_engine::Schedule;

/// The parts of Gear's [`Schedule`] a runtime sets its own numbers for.
pub mod schedule {
    pub use gear_core::gas_metering::{
        InstantiationWeights, InstructionWeights, Limits, MemoryWeights, Schedule, SyscallWeights,
        Weight,
    };
}
pub use pallet::*;
pub use weights::WeightInfo;

use polkadot_sdk::{frame_support, frame_system, sp_core, sp_runtime};

/// Whether programs uploaded here may import `syscall`: every syscall of `gsys` 2.0 is enabled
/// (the queue applies all of their effects).
///
/// `gr_random` hashes the program's subject with the parent block's hash: like Gear's own
/// (BABE-based) randomness it is predictable by block authors and is not for security.
pub fn syscall_enabled(_syscall: gear_engine::SyscallName) -> bool {
    true
}

/// Proof size of reading a program's record, its code metadata and page count, and writing
/// back a queue entry: the fixed part of a dispatch's proof.
pub const DISPATCH_PROOF_OVERHEAD: u64 = 4 * 1024;
/// Proof size of one stored page: its 16 KiB plus trie nodes and key. Measured over the
/// development state (`runtime/tests/proof.rs`): ~16.5 KB per page of a program holding 1 MiB;
/// 1 KiB of trie nodes per page leaves room for the deeper trie of a grown chain.
pub const PAGE_PROOF_SIZE: u64 = gear_engine::memory::PAGE_SIZE as u64 + 1024;
/// Queue-entry bytes every program can always be sent, however much memory it stores: a
/// program's stored pages leave room for its code and an entry this large in the proof of the
/// queue's reserved share ([`Pallet::max_stored_pages`]). A larger message to a program near its
/// memory limit may not fit, and fails with `MemoryOverflow` instead of blocking the queue.
pub const ENTRY_PROOF_ALLOWANCE: u64 = 64 * 1024;
/// Gas per byte of instrumented code that every dispatch running code pays for its code's
/// translation into wasmi's form, so that the gas a message needs does not depend on whether
/// its block's run has the module translated already (measured ~16 ns/byte natively for the
/// module's validation and the functions a trivial `handle` reaches, doubled and rounded). The
/// block's meter counts the translations a run does at [`TRANSLATION_PS_PER_BYTE`].
pub const COMPILE_PS_PER_BYTE: u64 = 30_000;
/// Weight (ps) per byte of instrumented code the queue's meter counts for a translation its run
/// does (the first dispatch of a code in a run, and again after a restart past
/// [`MODULE_CACHE_CODE_BYTES`]). wasmi translates a function when it is first called: measured
/// inside the runtime as validators execute it (`gear-bench --ratios`, 6,000 small functions
/// each called once, the most translation per byte) at 1.64 ps per gas charged at 30,000 per
/// byte on one VM (then 70,000: 0.73), and at 2.63 and 1.55 of 70,000 on a slower VM
/// (2026-12-05): 70,000 × 2.63 × 1.25 (docs/PERFORMANCE.md). Above what the dispatch pays in
/// gas: the block is safe; the sender underpays the first translation of a run by up to 7.7×.
pub const TRANSLATION_PS_PER_BYTE: u64 = 230_000;
/// Instrumented code bytes a queue run keeps translated at once: wasmi's translated modules
/// live in the validator's heap until the run ends, so past this the run's executor starts
/// afresh (its translations are dropped; a code translated again pays its translation again).
pub const MODULE_CACHE_CODE_BYTES: u64 = 1024 * 1024;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use crate::types::{
        CodeChangeKind, DispatchStatus, MessageEntry, MessageWaitedReason, MessageWokenReason,
        ProgramChangeKind, Tracked, UserMessageReadReason,
    };
    use alloc::{
        collections::{BTreeMap, BTreeSet},
        vec::Vec,
    };
    use frame_support::{
        pallet_prelude::*,
        traits::{
            fungible::{Mutate, MutateHold},
            UnixTime,
        },
        weights::WeightMeter,
    };
    use frame_system::pallet_prelude::*;
    use gear_core::{gas_metering::Schedule, ids::prelude::*, message::UserMessage};
    use gear_engine::gas_tree::GasNodeId;
    use gprimitives::{ActorId, CodeId, MessageId};
    use sp_core::H256;
    use sp_runtime::AccountId32;

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
        + scheduler::Config
        + bank::Config
    {
        /// The currency gas, value and storage deposits are paid in.
        type Currency: Mutate<Self::AccountId, Balance = u128>
            + MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

        /// The runtime's hold reasons (this pallet holds code deposits under
        /// [`HoldReason::CodeDeposit`]).
        type RuntimeHoldReason: From<HoldReason>;

        /// Storage deposit per byte of state a code or a program's memory keeps (see
        /// [State growth is paid for](crate#state-growth-is-paid-for)).
        #[pallet::constant]
        type DepositPerByte: Get<u128>;

        /// Storage deposit per storage item (a code's three records, one memory page).
        #[pallet::constant]
        type DepositPerItem: Get<u128>;

        /// The most storage deposit the messages of one gas tree (one extrinsic's message and
        /// all it leads to) may take from its payer, net of what they pay back to it: what a
        /// user risks, besides gas and value, by sending a message to a program ([State growth
        /// is paid for](crate#state-growth-is-paid-for)).
        #[pallet::constant]
        type DepositLimit: Get<u128>;

        /// Wall-clock time for `gr_block_timestamp`.
        type Timestamp: UnixTime;

        /// Costs of instructions, syscalls and memory, and code limits.
        type Schedule: Get<Schedule>;

        /// Messages from programs to users carrying at least this much gas wait in the mailbox;
        /// also the gas a message sent without a gas limit takes (Gear's `mailboxThreshold`).
        #[pallet::constant]
        type MailboxThreshold: Get<u64>;

        /// Messages one execution may send.
        #[pallet::constant]
        type OutgoingLimit: Get<u32>;

        /// Payload bytes one execution may send (its reply excluded, as in Gear; a reply is at
        /// most the schedule's `limits.payload_len`). The init payloads of the programs it
        /// creates may take as much again (Gear does not limit them; this engine does).
        #[pallet::constant]
        type OutgoingBytesLimit: Get<u32>;

        /// Payload bytes the executions of one queue run may send and reply in all: messages
        /// to users become events and messages to programs queue entries, both held in the
        /// block's memory (in `validate_block`, the validator's). A dispatch starts only while
        /// the most it may produce ([`Pallet::max_dispatch_output`]) is left, so a run never
        /// produces more; the rest waits, in order, for the next block. At least twice the most
        /// one dispatch may produce (`integrity_test`), so every message runs in some block.
        #[pallet::constant]
        type QueueOutputPerBlock: Get<u32>;

        /// Persisted pages the executions of one queue run may hold written: each page written
        /// stays in the block's storage changes to its end (in `validate_block`, in the
        /// validator's heap, with the copies the storage root takes); a page written again
        /// replaces its value and counts once, a page removed no longer counts. A dispatch
        /// starts only while the most it may add is left: what its gas pays the upload of, at
        /// most [`Pallet::max_stored_pages`] less the pages of its program already held; the
        /// rest waits, in order, for the next block. At least twice
        /// [`Pallet::max_stored_pages`] (`integrity_test`), so every message runs in some block.
        #[pallet::constant]
        type QueuePagesPerBlock: Get<u32>;

        /// `gr_env_vars`' performance multiplier, in percent.
        #[pallet::constant]
        type PerformanceMultiplier: Get<u32>;

        /// Gas per WASM page of a program's persisted memory, charged before each execution
        /// for restoring it and scanning it for changes (this engine's memory is eager).
        #[pallet::constant]
        type MemoryScanCost: Get<u64>;

        /// Gas reservations a program may hold.
        #[pallet::constant]
        type ReservationsLimit: Get<u64>;

        /// Weight reserved every block (in `on_initialize`) for servicing the queue.
        #[pallet::constant]
        type ServiceWeight: Get<Weight>;

        /// Keys of other pallets that every signed extrinsic (or every block) writes, which
        /// the runtime's benchmarks whitelist, so that no extrinsic is charged them: charged
        /// once per block with Gear's own ([`Pallet::hot_keys`]). A runtime whose fees are
        /// burned lists its currency's total issuance here.
        type SharedHotKeys: Get<alloc::vec::Vec<alloc::vec::Vec<u8>>>;

        /// Who receives the value of burned gas (the block author); `None` keeps it in the bank.
        type GasRecipient: Get<Option<Self::AccountId>>;

        /// Actors the runtime implements (e.g. the XCM bridge): messages to them are handled
        /// by the runtime instead of a program.
        type BuiltinActors: crate::builtin::BuiltinActors;

        /// Hears of every reply a program sends to a user (e.g. to carry it to another chain).
        type UserReplies: crate::builtin::OnUserReply<Self::AccountId>;

        /// Weights of extrinsics and queue steps.
        type WeightInfo: WeightInfo;
    }

    /// Why the gear pallets hold an account's funds.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// The storage deposit of a code this account uploaded, held while the code is stored.
        CodeDeposit,
    }

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
            use frame_support::traits::fungible::Inspect;
            let bank = Pallet::<T>::bank_account();
            let ed = T::Currency::minimum_balance();
            if T::Currency::balance(&bank) < ed {
                let _ = T::Currency::mint_into(&bank, ed);
            }
        }
    }

    /// Events of the gear pallets (Gear's names, shapes and order).
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A user's message was queued for a program.
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
        /// A message left a user's mailbox.
        UserMessageRead {
            /// The message.
            #[codec(encoded_as = "Tracked<MessageId>")]
            id: MessageId,
            /// Why.
            reason: UserMessageReadReason,
        },
        /// The queue processed these dispatches in this block.
        MessagesDispatched {
            /// How many dispatches were processed.
            total: u32,
            /// How each dispatch sent by a user ended.
            #[codec(encoded_as = "Tracked<BTreeMap<MessageId, DispatchStatus>>")]
            statuses: BTreeMap<MessageId, DispatchStatus>,
            /// Programs whose state (memory or status) changed.
            #[codec(encoded_as = "Tracked<BTreeSet<ActorId>>")]
            state_changes: BTreeSet<ActorId>,
        },
        /// A message went into the waitlist.
        MessageWaited {
            /// The message.
            #[codec(encoded_as = "Tracked<MessageId>")]
            id: MessageId,
            /// The message (or reservation) whose gas it waits on, when not its own.
            #[codec(encoded_as = "Tracked<Option<GasNodeId>>")]
            origin: Option<GasNodeId>,
            /// Which wait.
            reason: MessageWaitedReason,
            /// The block it leaves the waitlist at the latest.
            expiration: BlockNumberFor<T>,
        },
        /// A message left the waitlist for the queue.
        MessageWoken {
            /// The message.
            #[codec(encoded_as = "Tracked<MessageId>")]
            id: MessageId,
            /// Why.
            reason: MessageWokenReason,
        },
        /// A code was stored.
        CodeChanged {
            /// The code id.
            #[codec(encoded_as = "Tracked<CodeId>")]
            id: CodeId,
            /// What happened.
            change: CodeChangeKind<BlockNumberFor<T>>,
        },
        /// A program was created, initialized, exited or terminated.
        ProgramChanged {
            /// The program.
            #[codec(encoded_as = "Tracked<ActorId>")]
            id: ActorId,
            /// What happened.
            change: ProgramChangeKind<BlockNumberFor<T>>,
        },
        /// The queue had dispatches but not even one fitted in this block's budget.
        QueueNotProcessed,
    }

    /// Errors of the gear pallets' extrinsics. Each leaves state untouched but for the fee.
    #[pallet::error]
    pub enum Error<T> {
        /// The message is not in your mailbox (never was, was read, or expired).
        MessageNotFound,
        /// The sender cannot pay for the gas and value (or would drop below the existential
        /// deposit with `keep_alive`).
        InsufficientBalance,
        /// The gas limit is above `GearGas::BlockGasLimit`.
        GasLimitTooHigh,
        /// A program with this id (same code and salt) already exists.
        ProgramAlreadyExists,
        /// The destination program has exited or failed to initialize.
        InactiveProgram,
        /// The code is already stored (`upload_code`).
        CodeAlreadyExists,
        /// `create_program` with a code id that is not stored.
        CodeDoesntExist,
        /// The code (original or instrumented) is larger than the schedule allows.
        CodeTooLarge,
        /// The code is not WASM this chain accepts (malformed, or uses floats, SIMD, threads,
        /// reference types or multiple memories).
        ProgramConstructionFailed,
        /// The destination is not a program.
        ProgramNotFound,
        /// The code imports a function that is not a Gear syscall.
        UnknownImport,
        /// The code imports a Gear syscall with a signature other than gsys 2.0's.
        InvalidSyscallSignature,
        /// The code's imports are otherwise invalid (duplicates, wrong kinds, no memory).
        InvalidImports,
        /// The code's exports are invalid: only `init`, `handle`, `handle_reply`,
        /// `handle_signal`, `state`, `metahash` (all `() -> ()`), with `init` or `handle`.
        InvalidExports,
        /// The code declares more memory than a program may have.
        MemoryTooLarge,
        /// The code's data segments overlap the stack, leave static memory or are too many.
        InvalidDataSection,
        /// The code's `__gear_stack_end` is misaligned or outside static memory.
        InvalidStackEnd,
        /// The code has a section Gear programs may not have (e.g. `start`), or lacks one.
        InvalidSection,
        /// The code's type section is too large or a type has too many parameters.
        InvalidTypeSection,
        /// Gas or stack instrumentation of the code failed (e.g. it uses `memory.grow`:
        /// programs grow memory with the `alloc` syscall).
        InstrumentationFailed,
        /// The payload is larger than a message may carry.
        PayloadTooLarge,
        /// The value is positive but below the existential deposit (Gear refuses such
        /// transfers: the receiver could not hold it).
        ValueLessThanMinimal,
        /// The sender cannot have the code's storage deposit
        /// ([`Pallet::code_deposit`]) held besides what the call costs.
        InsufficientDeposit,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        /// Reserves [`Config::ServiceWeight`] for this block's queue run, before extrinsics can
        /// take it, and charges the block its keys that every message writes
        /// ([`Pallet::hot_keys`]) once. Notes whether the queue starts the block empty
        /// (`messenger::DrainedAtBlockStart`, for [`Pallet::same_block_saving`]).
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            if messenger::Pallet::<T>::queue_len() == 0 {
                messenger::DrainedAtBlockStart::<T>::put(true);
            }
            T::ServiceWeight::get().saturating_add(Self::hot_keys_weight())
        }

        /// Removes the block's `messenger::DrainedAtBlockStart`,
        /// `messenger::LastPrepaidDestination` and `messenger::TransientKeys` (charged with the
        /// hot keys).
        fn on_finalize(_n: BlockNumberFor<T>) {
            messenger::DrainedAtBlockStart::<T>::kill();
            messenger::LastPrepaidDestination::<T>::kill();
            messenger::TransientKeys::<T>::kill();
        }

        /// Runs due tasks and the queue at the end of the block (after the timestamp inherent
        /// and the extrinsics, as Gear's end-of-block run does) with the reserved share plus
        /// whatever the block has left.
        ///
        /// The block's queue has run: a message queued after it (an XCM `Transact` that
        /// another pallet's `on_idle` executes, the hooks' order rotating with the block
        /// number) runs in a later block, so `messenger::DrainedAtBlockStart` is removed here
        /// and such a message gives nothing back.
        fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
            let reserved = T::ServiceWeight::get();
            let mut meter = WeightMeter::with_limit(remaining.saturating_add(reserved));
            Self::run_queue(&mut meter);
            messenger::DrainedAtBlockStart::<T>::kill();
            meter.consumed().saturating_sub(reserved)
        }

        fn integrity_test() {
            assert!(
                u64::from(T::QueueOutputPerBlock::get()) >= 2 * Self::max_dispatch_output(),
                "QueueOutputPerBlock must hold the output of two dispatches"
            );
            assert!(
                T::QueuePagesPerBlock::get() >= 2 * Self::max_stored_pages(),
                "QueuePagesPerBlock must hold the pages of two dispatches"
            );
            assert!(
                Self::max_stored_pages() >= 16,
                "ServiceWeight's proof must leave room for programs' memory"
            );
            let most = Self::max_dispatch_weight(<T as gas::Config>::BlockGasLimit::get(), 0, 0)
                .saturating_add(<T as Config>::WeightInfo::queue_run(0))
                .saturating_add(Self::layout_writes(
                    u64::from(Self::max_stored_pages())
                        .saturating_mul(2)
                        .saturating_add(crate::internal::queue::ENDED_PROGRAM_KEYS),
                ));
            assert!(
                T::ServiceWeight::get().ref_time() >= most.ref_time(),
                "ServiceWeight must fit a message with the block gas limit"
            );
            let transient = Self::transient_saving()
                .saturating_mul(Self::max_transient_keys().into())
                .saturating_add(<T as Config>::WeightInfo::queue_run(0));
            assert!(
                T::ServiceWeight::get().ref_time() >= transient.ref_time(),
                "ServiceWeight must hold the run and the writes of a block's transient keys"
            );
            assert!(
                <T as gas::Config>::BlockGasLimit::get() < 1 << 52,
                "BlockGasLimit must stay below 2^52"
            );
            let rent = T::Schedule::get().rent_weights;
            assert_eq!(
                rent.waitlist.ref_time(),
                <T as scheduler::Config>::WaitlistCost::get(),
                "the engine charges the scheduler's waitlist rent"
            );
            assert_eq!(
                rent.mailbox.ref_time(),
                <T as scheduler::Config>::MailboxCost::get()
            );
            assert_eq!(
                rent.reservation.ref_time(),
                <T as scheduler::Config>::ReservationCost::get()
            );
            assert_eq!(
                rent.dispatch_stash.ref_time(),
                <T as scheduler::Config>::DispatchHoldCost::get()
            );
            assert_eq!(
                rent.mailbox_threshold.ref_time(),
                T::MailboxThreshold::get(),
                "the engine and the queue agree on the mailbox threshold"
            );
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    /// Every extrinsic that queues a dispatch (`upload_program`, `create_program`,
    /// `send_message`, `send_reply`, and `claim_value` with its auto reply) weighs its own
    /// benchmark plus what the queue spends on a dispatch ([`Pallet::dispatch_overhead`]), so
    /// filling the queue costs its sender at least what processing it costs the chain; the
    /// execution itself is the gas the sender buys. When the queue runs such a dispatch in the
    /// block of its extrinsic, it does not charge that cost to the block again
    /// (`messenger::EntryInfo::prepaid_in`); a dispatch left for a later block pays it there.
    /// In a block that started with the queue empty, the extrinsic gives back the database
    /// weight of the keys its dispatch will find in the block's changes or read already: its
    /// own queue entry and gas tree, and its program's state when the block's previous message
    /// went to the same program ([`Pallet::same_block_saving`]).
    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Stores `code` (validated and instrumented) so programs can be created from it,
        /// holding its storage deposit ([`Pallet::code_deposit`]) from the sender.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::upload_code(code.len() as u32))]
        pub fn upload_code(origin: OriginFor<T>, code: Vec<u8>) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let code_id = CodeId::generate(&code);
            ensure!(!Self::code_exists(code_id), Error::<T>::CodeAlreadyExists);
            let validated = Self::validate_code(code)?;
            Self::store_code(validated, &who)
        }

        /// Stores `code` if new, creates a program from it and queues its init message.
        #[pallet::call_index(1)]
        #[pallet::weight(Pallet::<T>::upload_program_weight(code.len() as u32, salt.len() as u32, init_payload.len() as u32))]
        pub fn upload_program(
            origin: OriginFor<T>,
            code: Vec<u8>,
            salt: Vec<u8>,
            init_payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let weight = Self::upload_program_weight(
                code.len() as u32,
                salt.len() as u32,
                init_payload.len() as u32,
            );
            let (_, saving) = Self::do_upload_program(
                who,
                code,
                salt,
                init_payload,
                gas_limit,
                value,
                keep_alive,
                true,
            )?;
            Ok(Self::given_back(weight, saving))
        }

        /// Creates a program from a stored code and queues its init message.
        #[pallet::call_index(2)]
        #[pallet::weight(Pallet::<T>::create_program_weight(salt.len() as u32, init_payload.len() as u32))]
        pub fn create_program(
            origin: OriginFor<T>,
            code_id: H256,
            salt: Vec<u8>,
            init_payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let weight = Self::create_program_weight(salt.len() as u32, init_payload.len() as u32);
            let (_, saving) = Self::do_create_program(
                who,
                CodeId::new(code_id.0),
                salt,
                init_payload,
                gas_limit,
                value,
                keep_alive,
                true,
            )?;
            Ok(Self::given_back(weight, saving))
        }

        /// Queues a message for program `destination`.
        #[pallet::call_index(3)]
        #[pallet::weight(Pallet::<T>::send_message_weight(payload.len() as u32))]
        pub fn send_message(
            origin: OriginFor<T>,
            destination: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let weight = Self::send_message_weight(payload.len() as u32);
            let (_, saving) = Self::queue_message(
                who,
                ActorId::new(destination.0),
                payload,
                gas_limit,
                value,
                keep_alive,
                true,
            )?;
            Ok(Self::given_back(weight, saving))
        }

        /// Replies to message `reply_to_id` in your mailbox: it leaves the mailbox (its value is
        /// paid to you) and the reply is queued for the program's `handle_reply`.
        #[pallet::call_index(4)]
        #[pallet::weight(Pallet::<T>::send_reply_weight(payload.len() as u32))]
        pub fn send_reply(
            origin: OriginFor<T>,
            reply_to_id: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            keep_alive: bool,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let weight = Self::send_reply_weight(payload.len() as u32);
            let (_, saving) = Self::do_send_reply(
                who,
                MessageId::new(reply_to_id.0),
                payload,
                gas_limit,
                value,
                keep_alive,
                true,
            )?;
            Ok(Self::given_back(weight, saving))
        }

        /// Takes the value of message `message_id` in your mailbox; the program that sent it
        /// gets Gear's auto reply.
        #[pallet::call_index(5)]
        #[pallet::weight(<T as Config>::WeightInfo::claim_value().saturating_add(Pallet::<T>::dispatch_overhead()))]
        pub fn claim_value(origin: OriginFor<T>, message_id: H256) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_claim_value(who, MessageId::new(message_id.0))
        }
    }

    impl<T: Config> Pallet<T> {
        /// `upload_program`'s weight: the code's upload, the program's creation and the queue's
        /// cost of its init ([`Pallet::dispatch_overhead`]).
        pub fn upload_program_weight(code: u32, salt: u32, payload: u32) -> Weight {
            <T as Config>::WeightInfo::upload_code(code)
                .saturating_add(Self::create_program_weight(salt, payload))
        }

        /// `create_program`'s weight, the queue's cost of its init included.
        pub fn create_program_weight(salt: u32, payload: u32) -> Weight {
            <T as Config>::WeightInfo::create_program(salt, payload)
                .saturating_add(Self::dispatch_overhead())
        }

        /// `send_message`'s weight, the queue's cost of its dispatch included.
        pub fn send_message_weight(payload: u32) -> Weight {
            <T as Config>::WeightInfo::send_message(payload)
                .saturating_add(Self::dispatch_overhead())
        }

        /// `send_reply`'s weight, the queue's cost of its dispatch included.
        pub fn send_reply_weight(payload: u32) -> Weight {
            <T as Config>::WeightInfo::send_reply(payload).saturating_add(Self::dispatch_overhead())
        }

        /// The weight a call that queued a dispatch used: `declared` less what it gives back
        /// ([`Pallet::same_block_saving`]).
        fn given_back(
            declared: Weight,
            saving: Weight,
        ) -> frame_support::dispatch::PostDispatchInfo {
            Some(declared.saturating_sub(saving)).into()
        }
    }
}
