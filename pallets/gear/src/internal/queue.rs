//! Servicing the queue: due tasks first, then dispatches in order within the meter; running one
//! dispatch on the engine and handing its journal to [`super::journal::Applier`].

use super::journal::Applier;
use crate::weights::WeightInfo;
use crate::{
    bank, messenger, program, scheduler, types::GasMultiplier, Config, Event, Pallet,
    DISPATCH_PROOF_OVERHEAD, ENTRY_PROOF_ALLOWANCE, MODULE_CACHE_CODE_BYTES, PAGE_PROOF_SIZE,
};
use alloc::{
    collections::{BTreeMap, BTreeSet},
    vec::Vec,
};
use gear_core::{
    message::{DispatchKind, StoredDispatch},
    program::{Program, ProgramState},
};
use gear_core_errors::{SimpleExecutionError, SimpleUnavailableActorError};
use gear_engine::{
    journal::handle_journal,
    processing::{self, ActorState},
    BlockInfo, Dispatch, ExecutionConfig, ExecutionInput, ExecutionOutcome, Executor, ProgramCode,
    ProgramMemory,
};
use polkadot_sdk::{
    frame_support::{
        traits::{fungible::Inspect, Get, UnixTime},
        weights::{Weight, WeightMeter},
    },
    frame_system,
    sp_runtime::SaturatedConversion,
};

/// Keys of the benchmarked dispatch (`queue_run`, its storage list in `weights.rs`) that its
/// queue entry holds, each read and written: the entry and its size.
pub const ENTRY_KEYS: u64 = 2;
/// Keys of the benchmarked dispatch that belong to the gas its sender bought, each read and
/// written: the gas tree's root node and record. (The payer's account, which the dispatch
/// also reads and writes, is given back as a read only: its write is in the extrinsic's
/// weight only when the payer signed and paid the fee, which the pallet cannot tell from an
/// account that a derivative or XCM origin stands for.)
pub const GAS_TREE_KEYS: u64 = 2;
/// Keys of the benchmarked dispatch that its program holds and it reads: the program record,
/// the code's metadata and instrumented code, the page count, two pages, the allocations, the
/// program's balance and its deposit record.
pub const PROGRAM_READS: u64 = 9;
/// Keys of the benchmarked dispatch that its program holds and it writes: the page count, a
/// page and the deposit record.
pub const PROGRAM_WRITES: u64 = 3;
/// Keys a dispatch writes, beyond the benchmarked dispatch's, when its program changes its
/// allocations: the allocations and the program record (their length).
pub const ALLOCATION_KEYS: u64 = 2;
/// Keys a dispatch writes, beyond the benchmarked dispatch's and its program's pages and
/// reservations, when its program ends (exit, failed init): the page count, the allocations,
/// the program record and the program's balance, the waitlist's clean-up record and the
/// inheritor's balance (the last two also read: counted as writes, which cost more).
pub const ENDED_PROGRAM_KEYS: u64 = 6;

impl<T: Config> Pallet<T> {
    /// The current block number.
    pub(crate) fn block_height() -> u32 {
        frame_system::Pallet::<T>::block_number().saturated_into()
    }

    pub(crate) fn reserve_for() -> u32 {
        <T as scheduler::Config>::ReserveThreshold::get()
    }

    /// The parameters programs execute with (`gr_env_vars` and the schedule), from this
    /// runtime's constants: one place for the queue and dry runs alike.
    pub fn execution_config() -> ExecutionConfig {
        ExecutionConfig {
            schedule: T::Schedule::get(),
            existential_deposit: T::Currency::minimum_balance(),
            mailbox_threshold: T::MailboxThreshold::get(),
            reserve_for: Self::reserve_for(),
            max_reservations: T::ReservationsLimit::get(),
            // A reservation made and removed in one dispatch is paid by its gas; one that
            // the dispatch found is counted by the queue when the dispatch removes it.
            reservation_removal: Self::reservations_removal(1).ref_time(),
            outgoing_limit: T::OutgoingLimit::get(),
            outgoing_bytes_limit: T::OutgoingBytesLimit::get(),
            performance_multiplier: T::PerformanceMultiplier::get(),
            value_per_gas: match <T as bank::Config>::GasMultiplier::get() {
                GasMultiplier::ValuePerGas(value) => value,
                GasMultiplier::GasPerValue(_) => 0,
            },
            memory_scan_per_wasm_page: T::MemoryScanCost::get(),
            max_stored_pages: Self::max_stored_pages(),
        }
    }

    /// The most memory pages a program may keep stored: what the proof of the queue's reserved
    /// share ([`Config::ServiceWeight`]) holds besides the largest code and an entry of
    /// [`ENTRY_PROOF_ALLOWANCE`] bytes, so every program can always be loaded and run.
    pub fn max_stored_pages() -> u32 {
        let room = T::ServiceWeight::get()
            .proof_size()
            .saturating_sub(u64::from(T::Schedule::get().limits.code_len))
            .saturating_sub(ENTRY_PROOF_ALLOWANCE);
        (room / PAGE_PROOF_SIZE).saturated_into()
    }

    /// The block as programs see it. `gr_random`'s seed is the parent block's hash (known to
    /// block authors in advance: not for security, as Gear documents its own).
    pub fn block_info() -> BlockInfo {
        let height = Self::block_height();
        let parent = frame_system::Pallet::<T>::parent_hash();
        let mut seed = [0u8; 32];
        seed.copy_from_slice(parent.as_ref());
        BlockInfo {
            height,
            timestamp: T::Timestamp::now().as_millis().saturated_into(),
            random: (seed, height.saturating_sub(1)),
        }
    }

    /// Worst-case weight of a dispatch: its gas as `ref_time` (translating its code included:
    /// the dispatch pays it from its gas), its code (`code_len`, 0 when this queue run already
    /// read it) and pages as proof.
    pub fn max_dispatch_weight(gas_limit: u64, code_len: u32, pages: u32) -> Weight {
        Self::dispatch_overhead().saturating_add(Weight::from_parts(
            gas_limit,
            DISPATCH_PROOF_OVERHEAD
                .saturating_add(u64::from(code_len))
                .saturating_add(PAGE_PROOF_SIZE.saturating_mul(u64::from(pages))),
        ))
    }

    /// The most payload bytes one dispatch may produce: its sends and, apart, the init payloads
    /// of the programs it creates (`OutgoingBytesLimit` each), and its reply (the schedule's
    /// payload limit); the engine enforces all three.
    pub fn max_dispatch_output() -> u64 {
        u64::from(T::OutgoingBytesLimit::get())
            .saturating_mul(2)
            .saturating_add(u64::from(T::Schedule::get().limits.payload_len))
    }

    /// What one more dispatch adds to a queue run, its gas excepted (benchmarked as the slope
    /// of `queue_run`: dispatches to distinct programs with distinct codes).
    pub fn dispatch_overhead() -> Weight {
        let run = <T as Config>::WeightInfo::queue_run;
        run(1).saturating_sub(run(0))
    }

    /// Settling a program's storage deposit outside a dispatch (a waiting init removed for
    /// rent, charged with the task: `task_weight`): the payer's and the bank's accounts, the
    /// deposit record and the gas tree's allowance, 3 reads and 4 writes of keys the task may
    /// not have touched, with 4 KiB of proof each read. The benchmarked dispatches
    /// (`queue_run`) and uploads (`upload_code`) measure their settlement themselves.
    pub fn deposit_weight() -> Weight {
        <T as frame_system::Config>::DbWeight::get()
            .reads_writes(3, 4)
            .saturating_add(Weight::from_parts(0, 3 * 4 * 1024))
    }

    /// What an extrinsic that queued a dispatch gives back of [`Pallet::dispatch_overhead`]
    /// when the queue had no backlog as its block started
    /// (`messenger::DrainedAtBlockStart`): the database weight of the benchmarked dispatch's
    /// keys that the dispatch, run in that block, finds in the block's storage changes or
    /// already read, and whose one database write the block already pays for.
    /// - Always the queue entry and its size ([`ENTRY_KEYS`]), which the extrinsic wrote; when
    ///   the call bought the dispatch's gas (`gas_tree`), the gas tree's root node and record
    ///   ([`GAS_TREE_KEYS`]); when it moved funds from the payer (`payer_read`), the read of
    ///   the payer's account.
    /// - With `warm` (the block's previous prepaid dispatch went to the same program), its
    ///   program's keys ([`PROGRAM_READS`], [`PROGRAM_WRITES`]): the run loaded that program
    ///   just before. When it had not, or the dispatch changes its program's memory other than
    ///   by storing again pages the run stored already, the queue charges them itself
    ///   ([`Pallet::warm_fixup`]).
    ///
    /// A dispatch left for a later block pays the whole `dispatch_overhead` there
    /// (`EntryInfo::prepaid_in`), so the block weights stay exact either way; a fee is short by
    /// the saving only for the dispatches that a block which started without a backlog does not
    /// run (more than its queue's share holds, due tasks ahead of them, or a call made by
    /// another pallet's `on_idle` after the queue's run), after which its successors start
    /// with a backlog and give nothing back. Proof size is not given back.
    pub fn same_block_saving(gas_tree: bool, payer_read: bool, warm: bool) -> Weight {
        if !messenger::DrainedAtBlockStart::<T>::get() {
            return Weight::zero();
        }
        let mut writes = ENTRY_KEYS;
        if gas_tree {
            writes = writes.saturating_add(GAS_TREE_KEYS);
        }
        let mut reads = writes.saturating_add(u64::from(payer_read));
        if warm {
            reads = reads.saturating_add(PROGRAM_READS);
            writes = writes.saturating_add(PROGRAM_WRITES);
        }
        let db = <T as frame_system::Config>::DbWeight::get().reads_writes(reads, writes);
        Weight::from_parts(db.ref_time(), 0).min(Self::dispatch_overhead())
    }

    /// The database weight of `writes` keys a dispatch writes by changing its program's memory
    /// layout (`process_dispatch`), beyond the benchmarked dispatch's: the queue charges them
    /// after the dispatch and counts the most they can be in its worst case. Proof size is
    /// not charged: the pages were loaded (and proved) by the dispatch.
    pub fn layout_writes(writes: u64) -> Weight {
        let db = <T as frame_system::Config>::DbWeight::get().writes(writes);
        Weight::from_parts(db.ref_time(), 0)
    }

    /// What removing `count` gas reservations of a program that ends costs: each is what the
    /// scheduled task that would otherwise remove it is charged (`task`, the benchmarked
    /// mailbox expiry, which settles a gas node with a refund and an author payment as a
    /// reservation's removal does, and more).
    pub fn reservations_removal(count: u64) -> Weight {
        <T as Config>::WeightInfo::task().saturating_mul(count)
    }

    /// How `check_actor` sees `program`.
    fn actor_state(
        program: &Option<Program<polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T>>>,
    ) -> ActorState {
        match program {
            None => ActorState::NotCreated,
            Some(Program::Exited(inheritor)) => ActorState::Exited {
                inheritor: *inheritor,
            },
            Some(Program::Terminated(_)) => ActorState::Terminated,
            Some(Program::Active(active)) => match active.state {
                ProgramState::Uninitialized { message_id } => ActorState::Uninitialized {
                    init_message: message_id,
                },
                ProgramState::Initialized => ActorState::Initialized,
            },
        }
    }

    /// What the queue charges a warm entry (`EntryInfo::warm`) whose program the run had not
    /// loaded before it, or that writes pages the run had not: the program's keys its
    /// extrinsic gave back.
    pub fn warm_fixup() -> Weight {
        let db = <T as frame_system::Config>::DbWeight::get()
            .reads_writes(PROGRAM_READS, PROGRAM_WRITES);
        Weight::from_parts(db.ref_time(), 0)
    }

    /// What a key created and removed within one block costs less than a write: it never
    /// reaches the database (the block's storage changes end without it), and computing the
    /// block's state root looks it up to remove nothing, which a read pays for.
    pub fn transient_saving() -> Weight {
        let db = <T as frame_system::Config>::DbWeight::get();
        Weight::from_parts(db.write.saturating_sub(db.read), 0)
    }

    /// The most keys a block's extrinsics may charge as transient
    /// ([`Pallet::transient_saving`]): what writing them costs, which the queue's run keeps
    /// back until it has run their dispatches, stays within half of the queue's reserved share
    /// ([`Config::ServiceWeight`]), so the run can always pay for those it leaves.
    pub fn max_transient_keys() -> u32 {
        (T::ServiceWeight::get().ref_time() / 2)
            .checked_div(Self::transient_saving().ref_time())
            .unwrap_or(0)
            .saturated_into()
    }

    /// For a call that queues a dispatch to `destination`: what it gives back of its weight
    /// ([`Pallet::same_block_saving`] and, while the block's allowance
    /// ([`Pallet::max_transient_keys`]) lasts, [`Pallet::transient_saving`] for the keys it
    /// creates for the dispatch: the entry and its size, and the gas tree's root node and
    /// record when it bought the gas; nothing unless `give_back`), whether the entry is
    /// queued warm, and how many of its keys it counts as transient. Notes `destination` for
    /// the block's next call.
    pub(crate) fn prepay(
        destination: gprimitives::ActorId,
        gas_tree: bool,
        payer_read: bool,
        give_back: bool,
    ) -> (Weight, bool, u8) {
        if !messenger::DrainedAtBlockStart::<T>::get() {
            return (Weight::zero(), false, 0);
        }
        let warm = give_back && messenger::LastPrepaidDestination::<T>::get() == Some(destination);
        messenger::LastPrepaidDestination::<T>::put(destination);
        if !give_back {
            return (Weight::zero(), false, 0);
        }
        let saving = Self::same_block_saving(gas_tree, payer_read, warm);
        let keys = ENTRY_KEYS.saturating_add(if gas_tree { GAS_TREE_KEYS } else { 0 }) as u32;
        let held = messenger::TransientKeys::<T>::get();
        if held.saturating_add(keys) > Self::max_transient_keys() {
            return (saving, warm, 0);
        }
        messenger::TransientKeys::<T>::put(held.saturating_add(keys));
        let transient = Self::transient_saving().saturating_mul(keys.into());
        (saving.saturating_add(transient), warm, keys as u8)
    }

    /// Keys that every block's queue run touches and every message's extrinsic writes again:
    /// the queue's head and tail, the user-message nonce and the bank's account, and the two
    /// per-block flags of [`Pallet::same_block_saving`] (set and removed within the block, so
    /// never stored). However many extrinsics write them, each reaches the database at most
    /// once per block, so the runtime's benchmarks leave them out (their whitelist, as the SDK's
    /// runtimes do for their treasury account) and every block is charged them once instead
    /// ([`Pallet::hot_keys_weight`], in `on_initialize`). With them, the runtime's
    /// [`Config::SharedHotKeys`].
    pub fn hot_keys() -> Vec<Vec<u8>> {
        let mut keys = alloc::vec![
            messenger::Head::<T>::hashed_key().to_vec(),
            messenger::Tail::<T>::hashed_key().to_vec(),
            messenger::UserMessageNonce::<T>::hashed_key().to_vec(),
            messenger::DrainedAtBlockStart::<T>::hashed_key().to_vec(),
            messenger::LastPrepaidDestination::<T>::hashed_key().to_vec(),
            messenger::TransientKeys::<T>::hashed_key().to_vec(),
            frame_system::Account::<T>::hashed_key_for(Self::bank_account()),
        ];
        for key in T::SharedHotKeys::get() {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }

    /// What [`Pallet::hot_keys`] cost a block: a read and a write of each, with 4 KiB of proof
    /// per read.
    pub fn hot_keys_weight() -> Weight {
        let keys = Self::hot_keys().len() as u64;
        <T as frame_system::Config>::DbWeight::get()
            .reads_writes(keys, keys)
            .saturating_add(Weight::from_parts(0, keys.saturating_mul(4 * 1024)))
    }

    /// Runs due tasks, then the queue, while `meter` affords them: first the run's own cost
    /// (`queue_run(0)`), then each task and dispatch. What writing this block's transient keys
    /// costs ([`Pallet::transient_saving`] for each of `messenger::TransientKeys`) is kept
    /// back from both until the dispatches that remove those keys run; the run charges it for
    /// those that it leaves for a later block, or that leave their gas tree behind.
    pub fn run_queue(meter: &mut WeightMeter) {
        if meter
            .try_consume(<T as Config>::WeightInfo::queue_run(0))
            .is_err()
        {
            return;
        }
        let mut transient = Self::transient_saving()
            .saturating_mul(messenger::TransientKeys::<T>::take().into())
            .min(meter.remaining());
        let mut applier = Applier::<T>::default();
        let mut tasks = WeightMeter::with_limit(meter.remaining().saturating_sub(transient));
        Self::run_tasks(&mut tasks, &mut applier);
        meter.consume(tasks.consumed());
        Self::service_queue(meter, &mut applier, &mut transient);
        meter.consume(transient);
        applier.finish();
    }

    /// Services the queue in order while `meter` can afford the next dispatch.
    ///
    /// A dispatch is charged its worst case before it runs (gas limit as `ref_time`; the
    /// queue entry, program record, code and pages as proof size, the latter two only the
    /// first time a run touches them) and what it really burned after. The benchmarked cost of
    /// a dispatch ([`Pallet::dispatch_overhead`]) is charged unless the extrinsic that queued it
    /// paid it in this block's weight (`EntryInfo::prepaid_in`): counted once per block. A warm
    /// entry (`EntryInfo::warm`) is charged its program's keys ([`Pallet::warm_fixup`]) unless
    /// this run found them as its extrinsic expected. `transient` is kept back for the writes
    /// of this block's transient keys ([`Pallet::run_queue`]): it shrinks as their dispatches
    /// run and remove them, by what they remove.
    pub(crate) fn service_queue(
        meter: &mut WeightMeter,
        applier: &mut Applier<T>,
        transient: &mut Weight,
    ) {
        // Codes and programs read in this run: their proof is paid once.
        let mut codes_read = BTreeSet::new();
        let mut programs_read = BTreeSet::new();
        // One engine while its translations fit `MODULE_CACHE_CODE_BYTES`: each code is
        // translated once, however many messages it gets; past the bound a new engine starts
        // (the old one's memory is freed) and codes are translated again. Dispatches pay their
        // code's translation in gas every time; the meter counts the translations done.
        let mut executor = gear_engine::WasmiExecutor::new();
        let mut translated = BTreeSet::new();
        let mut translated_bytes = 0u64;
        let dispatch_overhead = Self::dispatch_overhead();
        let height = Self::block_height();
        let mut bailed = false;
        // Payload bytes this run's executions may still send and reply (`QueueOutputPerBlock`).
        let mut output_left = u64::from(T::QueueOutputPerBlock::get());
        let max_output = Self::max_dispatch_output();
        // Memory pages this run has written and still holds, by program (`QueuePagesPerBlock`
        // bounds their number). A page written again replaces its value in the block's storage
        // changes, and a page removed drops it: neither takes more heap.
        let mut written: BTreeMap<gprimitives::ActorId, BTreeSet<u32>> = BTreeMap::new();
        let mut written_count = 0u32;
        // Programs whose state this run loaded: a warm entry's program keys
        // (`EntryInfo::warm`) were read already, and written already when it changes nothing
        // of its program's memory but pages this run stored before (in `written`: the page and,
        // with it, the page count are in the block's changes, and the deposit does not move).
        let mut loaded = BTreeSet::new();
        let pages_budget = T::QueuePagesPerBlock::get();
        let max_pages = Self::max_stored_pages();
        // A dispatch writes no more pages than its gas pays the upload of (the engine charges it
        // per page written, or keeps nothing).
        let page_upload_gas = gear_core::costs::IoCosts::from(T::Schedule::get().memory_weights)
            .common
            .upload_page_data
            .cost_for_one()
            .max(1);
        let transient_saving = Self::transient_saving();
        while let Some((index, entry)) = messenger::Pallet::<T>::peek_size() {
            if output_left < max_output {
                bailed = true;
                break;
            }
            let entry_len = entry.size;
            // An extrinsic of this block already put the queue's cost of this dispatch in the
            // block's weight: it is not charged twice. Its proof allowance, the entry, the code,
            // the pages and the gas still are.
            let own_overhead = if entry.prepaid_in == Some(height) {
                Weight::zero()
            } else {
                dispatch_overhead
            };
            let entry_read = own_overhead.saturating_add(Weight::from_parts(
                0,
                DISPATCH_PROOF_OVERHEAD.saturating_add(entry_len.into()),
            ));
            if !meter.can_consume(entry_read.saturating_add(*transient)) {
                bailed = true;
                break;
            }
            // The keys its extrinsic counted as transient: the run kept their writes back.
            let own_transient = if entry.prepaid_in == Some(height) {
                transient_saving
                    .saturating_mul(entry.transient_keys.into())
                    .min(*transient)
            } else {
                Weight::zero()
            };
            let Some(dispatch) = messenger::Dispatches::<T>::get(index) else {
                log::error!(target: "gear", "queue entry {index} is missing; skipping it");
                messenger::Pallet::<T>::dequeue();
                meter.consume(entry_read);
                continue;
            };
            // Removing the entry removes its two keys; its gas tree's go when the dispatch
            // leaves nothing of the tree (checked after it: both keys are in the block's
            // changes by then, so looking costs nothing).
            let message = dispatch.id();
            let settle_transient = |meter: &mut WeightMeter, transient: &mut Weight| {
                *transient = transient.saturating_sub(own_transient);
                let tree_keys = u64::from(entry.transient_keys).saturating_sub(ENTRY_KEYS);
                if tree_keys > 0
                    && own_transient.any_gt(Weight::zero())
                    && (crate::gas::GasTrees::<T>::contains_key(message)
                        || crate::gas::GasNodes::<T>::contains_key(
                            gear_engine::gas_tree::GasNodeId::from(message),
                        ))
                {
                    meter.consume(own_transient.min(transient_saving.saturating_mul(tree_keys)));
                }
            };
            let destination = dispatch.destination();
            let gas_limit = Self::gas_limit_of(dispatch.id());
            // The most this dispatch can add: what its gas pays the upload of, and no more than
            // its program may store besides the pages this run already holds for it.
            let held = written
                .get(&destination)
                .map_or(0, |pages| pages.len() as u32);
            let most_pages = max_pages
                .saturating_sub(held)
                .min((gas_limit / page_upload_gas).saturated_into());
            if pages_budget.saturating_sub(written_count) < most_pages {
                // What was read to decide this is part of the block's proof: account it.
                meter.consume(entry_read);
                bailed = true;
                break;
            }
            let program_now = program::ProgramStorage::<T>::get(destination);
            let (code, held_reservations) = match &program_now {
                Some(Program::Active(p)) => (Some(p.code_id), p.gas_reservation_map.len() as u64),
                _ => (None, 0),
            };
            // The code's proof once per block, its translation once per engine.
            let new_proof = code.is_some_and(|id| !codes_read.contains(&id));
            let new_translation = code.is_some_and(|id| !translated.contains(&id));
            let code_len = code
                .filter(|_| new_proof || new_translation)
                .and_then(program::CodeMetadataStorage::<T>::get)
                .and_then(|meta| meta.instrumented_code_len())
                .unwrap_or(0);
            let proof_code_len = if new_proof { code_len } else { 0 };
            let translate_len = if new_translation { code_len } else { 0 };
            let restart = translate_len > 0
                && translated_bytes.saturating_add(translate_len.into()) > MODULE_CACHE_CODE_BYTES;
            // Read already when the run read the program before (no new proof then).
            let held_pages = program::PagesCount::<T>::get(destination);
            let pages = if programs_read.contains(&destination) {
                0
            } else {
                held_pages
            };
            // A dispatch pays `COMPILE_PS_PER_BYTE` of its code's translation from its gas
            // (within `gas_limit`); a translation this run does weighs more
            // (`TRANSLATION_PS_PER_BYTE`): the rest is counted here, with the code's proof.
            let reads = Self::max_dispatch_weight(0, 0, pages)
                .saturating_sub(dispatch_overhead)
                .saturating_add(own_overhead)
                .saturating_add(Weight::from_parts(
                    crate::TRANSLATION_PS_PER_BYTE
                        .saturating_sub(crate::COMPILE_PS_PER_BYTE)
                        .saturating_mul(translate_len.into()),
                    u64::from(proof_code_len).saturating_add(entry_len.into()),
                ));
            // Whether it could run in the reserved share of an empty block, where nothing is
            // prepaid.
            // What changing its program's memory layout may write besides
            // ([`Pallet::layout_writes`]): ending the program removes every page it holds and
            // may have stored.
            // and its gas reservations.
            let layout_worst = Self::layout_writes(
                u64::from(held_pages)
                    .saturating_add(most_pages.into())
                    .saturating_add(ENDED_PROGRAM_KEYS),
            )
            .saturating_add(Self::reservations_removal(held_reservations));
            // All of it but the gas limit (`reads` includes `own_overhead`).
            let unpaid_fixed = reads
                .saturating_add(layout_worst)
                .saturating_sub(own_overhead)
                .saturating_add(dispatch_overhead);
            let unpaid_worst = unpaid_fixed.saturating_add(Weight::from_parts(gas_limit, 0));
            // A warm entry's program keys, charged after it runs unless the run holds them.
            let warm_fixup = if entry.warm && entry.prepaid_in == Some(height) {
                Self::warm_fixup()
            } else {
                Weight::zero()
            };
            let worst = reads
                .saturating_add(warm_fixup)
                .saturating_add(layout_worst)
                .saturating_add(Weight::from_parts(gas_limit, 0));
            let overhead =
                dispatch_overhead.saturating_add(Weight::from_parts(0, DISPATCH_PROOF_OVERHEAD));
            let room = T::ServiceWeight::get().saturating_add(overhead);
            if !room.all_gte(unpaid_worst) {
                // A dry run learns the most gas this dispatch could have had.
                super::dry_run::observe(|probe| {
                    let most = if room.proof_size() >= unpaid_fixed.proof_size() {
                        room.ref_time().saturating_sub(unpaid_fixed.ref_time())
                    } else {
                        0
                    };
                    probe.refused(dispatch.id(), most)
                });
                // Even the reserved share of an empty block could not prove this program's
                // state: waiting would block the queue forever, so the dispatch fails now
                // (unless its program would not run it anyway: answered as it would be).
                let dispatch = Self::to_engine(dispatch);
                let runnable = processing::check_actor(&dispatch, Self::actor_state(&program_now));
                // A failed init ends its program: its pages and reservations are removed.
                let ends = runnable.is_ok() && dispatch.kind == DispatchKind::Init;
                let removal = if ends {
                    Self::layout_writes(u64::from(held_pages).saturating_add(ENDED_PROGRAM_KEYS))
                        .saturating_add(Self::reservations_removal(held_reservations))
                } else {
                    Weight::zero()
                };
                if !meter.can_consume(
                    entry_read
                        .saturating_add(removal)
                        .saturating_add(*transient),
                ) {
                    meter.consume(entry_read.min(meter.remaining().saturating_sub(*transient)));
                    bailed = true;
                    break;
                }
                messenger::Pallet::<T>::dequeue();
                applier.count();
                match runnable {
                    Err((reason, payload)) => handle_journal(
                        processing::process_non_executable(&dispatch, reason, payload),
                        applier,
                    ),
                    Ok(()) => {
                        let outcome = ExecutionOutcome::trap(
                            0,
                            SimpleExecutionError::MemoryOverflow,
                            Vec::new(),
                        );
                        super::dry_run::observe(|probe| probe.status(destination, &outcome.status));
                        // A failed init removes the program's memory: its deposit goes back.
                        Self::settling_deposit(destination, dispatch.id, |_| {
                            handle_journal(processing::process_outcome(dispatch, outcome), applier)
                        });
                    }
                }
                meter.consume(entry_read.saturating_add(removal));
                settle_transient(meter, transient);
                continue;
            }
            if !meter.can_consume(worst.saturating_add(*transient)) {
                // What was read to decide this is part of the block's proof: account it.
                meter.consume(entry_read.min(meter.remaining().saturating_sub(*transient)));
                bailed = true;
                break;
            }
            messenger::Pallet::<T>::dequeue();
            if restart {
                executor = gear_engine::WasmiExecutor::new();
                translated.clear();
                translated_bytes = 0;
            }
            if let Some(code) = code {
                codes_read.insert(code);
            }
            programs_read.insert(destination);
            let was_loaded = loaded.contains(&destination);
            let (work, output, pages, load) =
                Self::process_dispatch(dispatch, applier, &mut executor);
            let warm = was_loaded
                && load.is_none_or(|layout| layout == Weight::zero())
                && pages.iter().all(|(page, stored)| {
                    *stored
                        && written
                            .get(&destination)
                            .is_some_and(|held| held.contains(page))
                });
            if load.is_some() {
                loaded.insert(destination);
            }
            // Counted once the engine holds the module (a dispatch that runs out of gas first
            // translates nothing).
            if let Some(code) = code.filter(|id| executor.is_cached(&id.into_bytes())) {
                if translated.insert(code) {
                    translated_bytes = translated_bytes.saturating_add(translate_len.into());
                }
            }
            output_left = output_left.saturating_sub(output);
            if !pages.is_empty() {
                let held = written.entry(destination).or_default();
                for (page, stored) in pages {
                    if stored && held.insert(page) {
                        written_count = written_count.saturating_add(1);
                    } else if !stored && held.remove(&page) {
                        written_count = written_count.saturating_sub(1);
                    }
                }
            }
            meter.consume(reads.saturating_add(Weight::from_parts(work, 0)));
            if !warm {
                meter.consume(warm_fixup);
            }
            meter.consume(load.unwrap_or_default().min(layout_worst));
            settle_transient(meter, transient);
        }
        if bailed && applier.total == 0 {
            Self::deposit_event(Event::QueueNotProcessed);
        }
    }

    /// Program `id`'s stored memory pages (under `infix`) and allocations.
    pub(crate) fn program_memory(id: gprimitives::ActorId, infix: u32) -> ProgramMemory {
        ProgramMemory {
            pages: program::MemoryPages::<T>::iter_prefix((id, infix))
                .map(|(page, buf)| (page, buf.to_vec()))
                .collect(),
            allocations: program::Allocations::<T>::get(id),
        }
    }

    pub(crate) fn to_engine(dispatch: StoredDispatch) -> Dispatch {
        let (kind, message, context) = dispatch.into_parts();
        let (id, source, destination, payload, value, details) = message.into_parts();
        Dispatch {
            kind,
            id,
            source,
            destination,
            payload: payload.into_vec(),
            value,
            details,
            context,
        }
    }

    /// Runs one dispatch and applies its journal. Returns the work it did in gas (what it burned,
    /// less a translation it paid for but the engine had cached), the payload bytes
    /// its execution sent and replied, the memory pages it changed (`true`: stored,
    /// `false`: removed), and whether it loaded its program's state (code, memory, balance):
    /// `Some` with the weight of what it wrote by changing its program's memory layout, which
    /// the benchmarked dispatch does not (zero when it left the program's allocations and
    /// status as they were; the allocations and the program record when it changed its
    /// allocations; every page it held or stored and [`ENDED_PROGRAM_KEYS`] when the program
    /// ended), and the removal of each reservation it found and removed (all of them when the
    /// program ended).
    fn process_dispatch(
        stored: StoredDispatch,
        applier: &mut Applier<T>,
        executor: &mut gear_engine::WasmiExecutor,
    ) -> (u64, u64, Vec<(u32, bool)>, Option<Weight>) {
        applier.count();
        let dispatch = Self::to_engine(stored);
        let destination = dispatch.destination;
        if Self::is_builtin(destination) {
            // Builtin actors answer with bounded replies of their own (the bridge's are small).
            return (
                Self::process_builtin(dispatch, applier),
                0,
                Vec::new(),
                None,
            );
        }
        let program = program::ProgramStorage::<T>::get(destination);
        if let Err((reason, payload)) =
            processing::check_actor(&dispatch, Self::actor_state(&program))
        {
            let notes = processing::process_non_executable(&dispatch, reason, payload);
            handle_journal(notes, applier);
            return (0, 0, Vec::new(), None);
        }
        let Some(Program::Active(active)) = program else {
            return (0, 0, Vec::new(), None);
        };
        let Some((instrumented, meta)) = program::InstrumentedCodeStorage::<T>::get(active.code_id)
        else {
            log::error!(target: "gear", "program {destination:?} has no code {:?}", active.code_id);
            let notes = processing::process_non_executable(
                &dispatch,
                SimpleUnavailableActorError::ReinstrumentationFailure,
                Vec::new(),
            );
            handle_journal(notes, applier);
            return (0, 0, Vec::new(), None);
        };
        let memory = Self::program_memory(destination, active.memory_infix.inner());
        // The reservations it found: removed with the program if it ends, or one by one by an
        // unreserve or a send from one. Those it makes are not counted: their fee paid their
        // removal from its gas (`ExecutionConfig::reservation_removal`).
        let found = &active.gas_reservation_map;
        let gas_limit = Self::gas_limit_of(dispatch.id);
        // Every dispatch that runs code pays its code's translation from its gas, whether or not
        // this run's engine holds the module already: what a message needs does not depend on
        // what ran before it (so estimates hold in any block, and a message woken or left for a
        // later block needs no more than it did). Set aside before the execution; the block's
        // meter counts it only when the engine had to translate. Signals are exempt: they run on
        // the system reserve gstd sizes by Gear's prices, and cannot be sent at will.
        let key = active.code_id.into_bytes();
        let translation_cost = crate::COMPILE_PS_PER_BYTE.saturating_mul(instrumented.len() as u64);
        let translation = if meta.exports(dispatch.kind) && dispatch.kind != DispatchKind::Signal {
            translation_cost.min(gas_limit)
        } else {
            0
        };
        let cached = executor.is_cached(&key);
        Self::settling_deposit(destination, dispatch.id, |payer| {
            // The execution keeps no more pages than the payer of its gas can pay the storage
            // deposit of (more is refused with `MemoryOverflow`, nothing kept).
            let mut config = Self::execution_config();
            config.max_stored_pages = config
                .max_stored_pages
                .min((memory.pages.len() as u32).saturating_add(Self::affordable_pages(payer)));
            let mut outcome = executor.execute(
                Some(key),
                ProgramCode {
                    instrumented: &instrumented,
                    meta: &meta,
                },
                &memory,
                dispatch.clone(),
                &ExecutionInput {
                    block: Self::block_info(),
                    gas_limit: gas_limit.saturating_sub(translation),
                    balance: bank::ProgramBalances::<T>::get(destination),
                    reservations: active.gas_reservation_map.clone(),
                    export: None,
                },
                &config,
            );
            outcome.gas_burned = outcome.gas_burned.saturating_add(translation);
            for line in &outcome.debug {
                log::debug!(target: "gear::program", "{destination:?}: {}", alloc::string::String::from_utf8_lossy(line));
            }
            let gas_burned = outcome.gas_burned.min(gas_limit);
            // What it produced: its messages and reply, or the error reply with its panic message.
            let output = outcome
                .messages
                .iter()
                .map(|m| m.payload.len())
                .chain(outcome.reply.iter().map(|r| r.payload.len()))
                .chain(match &outcome.status {
                    gear_engine::ExecutionStatus::Trap { message, .. } => Some(message.len()),
                    _ => None,
                })
                .fold(0u64, |sum, len| sum.saturating_add(len as u64));
            let pages: Vec<(u32, bool)> = outcome
                .memory
                .pages
                .iter()
                .map(|(&page, data)| (page, data.is_some()))
                .collect();
            let stored = pages.iter().filter(|(_, stored)| *stored).count() as u64;
            let allocations_changed = outcome.memory.allocations.is_some();
            super::dry_run::observe(|probe| probe.status(destination, &outcome.status));
            handle_journal(processing::process_outcome(dispatch, outcome), applier);
            // Its program's memory layout and status as they were (no new allocations, no
            // exit or failed init, which remove the memory), or the keys changing them wrote.
            // And the reservations it made that stay: their fee paid their removal, which a
            // later block does (and is charged for then), so this block gives it back.
            let (ended, removed, kept) = match program::ProgramStorage::<T>::get(destination) {
                Some(Program::Active(now)) => (
                    false,
                    found
                        .keys()
                        .filter(|id| !now.gas_reservation_map.contains_key(id))
                        .count() as u64,
                    now.gas_reservation_map
                        .keys()
                        .filter(|id| !found.contains_key(id))
                        .count() as u64,
                ),
                _ => (true, found.len() as u64, 0),
            };
            let kept_removal = Self::reservations_removal(kept).ref_time();
            let layout_writes = if ended {
                Self::layout_writes(
                    (memory.pages.len() as u64)
                        .saturating_add(stored)
                        .saturating_add(ENDED_PROGRAM_KEYS),
                )
            } else if allocations_changed {
                Self::layout_writes(ALLOCATION_KEYS)
            } else {
                Weight::zero()
            }
            .saturating_add(Self::reservations_removal(removed));
            // The block's work: the execution, and the translation if the engine had to do it
            // (paid or not); a translation paid for and cached is not work.
            let work = if cached {
                super::dry_run::observe(|probe| {
                    probe.cached_translations =
                        probe.cached_translations.saturating_add(translation)
                });
                gas_burned.saturating_sub(translation)
            } else {
                gas_burned
                    .saturating_sub(translation)
                    .saturating_add(translation_cost)
            }
            .saturating_sub(kept_removal);
            (work, output, pages, Some(layout_writes))
        })
    }
}
