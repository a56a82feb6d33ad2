//! What every backend does the same way around running the code: precharging, setting up the
//! allocations and host state, restoring pages, and turning the end state into an
//! [`ExecutionOutcome`]. Backends only instantiate, link syscalls and call.

use crate::{
    code::{ProgramCodeMeta, MAX_PAGES},
    memory::{MemoryChanges, ProgramMemory, PAGES_PER_WASM_PAGE, PAGE_SIZE, WASM_PAGE_SIZE},
    outcome::{
        Dispatch, ExecutionConfig, ExecutionInput, ExecutionOutcome, ExecutionStatus,
        OutgoingMessage, OutgoingReply, ProgramCode, ReservationChange,
    },
    syscalls::{context_settings, HostConfig, HostState, HostTrap},
};
use alloc::{vec, vec::Vec};
use gear_core::{
    costs::IoCosts,
    gas_metering::Schedule,
    memory::AllocationsContext,
    message::{DispatchKind, IncomingDispatch, IncomingMessage, MessageContext},
    pages::{numerated::tree::IntervalsTree, WasmPage, WasmPagesAmount},
    reservation::{GasReservationState, GasReserver},
};
use gear_core_errors::SimpleExecutionError;

/// Default gas per WASM page of persisted memory for restoring it and finding what changed
/// (copying and comparing 64 KiB), charged up front: a native-speed figure
/// ([`ExecutionConfig::memory_scan_per_wasm_page`] is what a runtime charges; this chain's is
/// measured inside the runtime, `runtime/src/gear_schedule.rs`).
pub const MEMORY_SCAN_COST_PER_WASM_PAGE: u64 = 20_000_000;

/// More nested calls than Gear's stack limiter (36,743 units, at least one per call) permits:
/// backends set their own call-depth limits above it, so the limiter alone decides.
pub(crate) const MAX_CALL_DEPTH: usize = 40_000;

/// The export that runs for `kind`.
pub(crate) fn entry_point(kind: DispatchKind) -> &'static str {
    match kind {
        DispatchKind::Init => "init",
        DispatchKind::Handle => "handle",
        DispatchKind::Reply => "handle_reply",
        DispatchKind::Signal => "handle_signal",
    }
}

/// WASM pages of memory the program has before the dispatch (static pages or up to its last
/// allocation).
fn memory_size(meta: &ProgramCodeMeta, memory: &ProgramMemory) -> u32 {
    memory
        .allocations
        .iter()
        .map(|&(_, end)| end.saturating_add(1))
        .max()
        .unwrap_or(0)
        .max(meta.static_pages)
}

/// Gas charged before a dispatch runs: instantiating the code, loading its allocations and pages,
/// and scanning its persisted memory.
pub fn precharge(code: &ProgramCode<'_>, memory: &ProgramMemory, config: &ExecutionConfig) -> u64 {
    let schedule = &config.schedule;
    let costs = schedule.process_costs();
    let inst = &costs.instantiation;
    let meta = code.meta;
    let io = IoCosts::from(schedule.memory_weights.clone());
    let persisted_pages = memory_size(meta, memory).saturating_sub(meta.stack_end.unwrap_or(0));
    [
        inst.code_section_per_byte
            .cost_for(meta.code_section_len.into()),
        inst.data_section_per_byte
            .cost_for(meta.data_section_len.into()),
        inst.global_section_per_byte
            .cost_for(meta.global_section_len.into()),
        inst.table_section_per_byte
            .cost_for(meta.table_section_len.into()),
        inst.element_section_per_byte
            .cost_for(meta.element_section_len.into()),
        inst.type_section_per_byte
            .cost_for(meta.type_section_len.into()),
        costs
            .load_allocations_per_interval
            .cost_for(memory.allocations.len() as u32),
        io.lazy_pages
            .load_page_storage_data
            .cost_for_one()
            .saturating_mul(memory.pages.len() as u64),
        config
            .memory_scan_per_wasm_page
            .saturating_mul(u64::from(persisted_pages)),
    ]
    .into_iter()
    .fold(0u64, u64::saturating_add)
}

/// Everything a backend needs to run a dispatch.
pub(crate) struct Setup {
    /// Gas charged before running.
    pub precharged: u64,
    /// Gas the code starts with (the `gear_gas` global's initial value).
    pub gas_left: u64,
    /// Initial memory size in WASM pages.
    pub memory_pages: u32,
    /// Byte offset of the first persisted byte (the stack end).
    pub persisted_from: usize,
    /// The module's static memory in WASM pages (never part of the allocations).
    pub static_pages: u32,
    /// Host state for the syscalls.
    pub state: HostState,
}

/// Prepares a dispatch, or returns its outcome when it cannot or need not run.
pub(crate) fn setup(
    code: &ProgramCode<'_>,
    memory: &ProgramMemory,
    dispatch: Dispatch,
    input: &ExecutionInput,
    config: &ExecutionConfig,
) -> Result<Setup, alloc::boxed::Box<ExecutionOutcome>> {
    let meta = code.meta;
    let schedule = &config.schedule;
    let gas_limit = input.gas_limit;
    if input.export.is_none() && !meta.exports(dispatch.kind) {
        // Nothing to run: Gear treats it as a successful no-op execution.
        return Err(alloc::boxed::Box::new(ExecutionOutcome::noop(
            dispatch.context.unwrap_or_default(),
        )));
    }
    let precharged = precharge(code, memory, config);
    if precharged > gas_limit {
        let mut outcome =
            ExecutionOutcome::trap(gas_limit, SimpleExecutionError::RanOutOfGas, Vec::new());
        // A system reservation made by an earlier run of this message still pays its signal.
        outcome.context = dispatch.context.unwrap_or_default();
        return Err(alloc::boxed::Box::new(outcome));
    }

    let allocations: IntervalsTree<WasmPage> = memory
        .allocations
        .iter()
        .filter_map(|&(start, end)| {
            let start = WasmPage::try_from(start).ok()?;
            let end = WasmPage::try_from(end).ok()?;
            gear_core::pages::numerated::interval::Interval::new(start, end)
        })
        .collect();
    let memory_pages = memory_size(meta, memory);
    let to_amount = |pages: u32| WasmPagesAmount::try_from(pages).unwrap_or(WasmPagesAmount::UPPER);
    let allocations_ctx = AllocationsContext::try_new(
        to_amount(memory_pages),
        allocations,
        to_amount(meta.static_pages),
        meta.stack_end
            .and_then(|page| WasmPage::try_from(page).ok()),
        to_amount(MAX_PAGES),
    )
    .map_err(|e| {
        alloc::boxed::Box::new(backend_error(
            precharged,
            format_args!("corrupt program memory: {e}"),
        ))
    })?;

    let Dispatch {
        kind,
        id,
        source,
        destination,
        payload,
        value,
        details,
        context,
    } = dispatch;
    // Only the first execution of a message brings its value; later ones (after a wait) find
    // it in the balance already.
    let value_available = if context.is_none() {
        input.balance.saturating_add(value)
    } else {
        input.balance
    };
    let Ok(payload) = payload.try_into() else {
        return Err(alloc::boxed::Box::new(backend_error(
            precharged,
            format_args!("incoming payload larger than any payload can be"),
        )));
    };
    let incoming = IncomingDispatch::new(
        kind,
        IncomingMessage::new(id, source, payload, gas_limit, value, details),
        context,
    );
    let reserver = GasReserver::new(
        &incoming,
        input.reservations.clone(),
        config.max_reservations,
    );
    let process_costs = schedule.process_costs();
    let settings = context_settings(
        process_costs.db.write.cost_for_one(),
        config.reservation_removal,
        config.outgoing_limit,
        config.outgoing_bytes_limit,
    );
    let state = HostState {
        kind,
        program_id: destination,
        context: MessageContext::new(incoming, destination, settings),
        reserver,
        block: input.block,
        costs: process_costs.ext.syscalls.clone(),
        rent: process_costs.ext.rent.clone(),
        config: HostConfig {
            existential_deposit: config.existential_deposit,
            mailbox_threshold: config.mailbox_threshold,
            reserve_for: config.reserve_for,
            performance_multiplier: config.performance_multiplier,
            value_per_gas: config.value_per_gas,
            max_payload_len: schedule.limits.payload_len,
            outgoing_bytes_limit: config.outgoing_bytes_limit,
        },
        value_available,
        gas_moved: 0,
        system_reservation: 0,
        kept_fees: 0,
        programs: Vec::new(),
        debug: Vec::new(),
        debug_bytes: 0,
        reply_bytes: 0,
        init_bytes: 0,
        allocations: Some(allocations_ctx),
        // A grown page is zero-filled now and copied and compared after the call, like a
        // persisted page restored before it: Gear's lazy-pages price (`mem_grow_per_page`)
        // does not cover that here, so each grown WASM page also pays the persisted-page
        // price (an upper bound: validate_block of blocks full of growth measured ~2.3x over
        // their weight without it).
        mem_grow: (
            process_costs.ext.mem_grow.cost_for_one(),
            process_costs
                .ext
                .mem_grow_per_page
                .cost_for(to_amount(1))
                .saturating_add(config.memory_scan_per_wasm_page),
        ),
        trap: None,
    };
    Ok(Setup {
        precharged,
        gas_left: gas_limit - precharged,
        memory_pages,
        persisted_from: meta.stack_end.unwrap_or(0) as usize * WASM_PAGE_SIZE as usize,
        static_pages: meta.static_pages,
        state,
    })
}

/// The outcome of an engine failure that is not the program's fault (logged; Gear replies with
/// `BackendError` and an empty payload).
pub(crate) fn backend_error(gas_burned: u64, what: core::fmt::Arguments<'_>) -> ExecutionOutcome {
    log::error!(target: "gear::engine", "{what}");
    ExecutionOutcome::trap(gas_burned, SimpleExecutionError::BackendError, Vec::new())
}

/// Writes the stored pages over freshly instantiated memory (`data` starts at address 0).
pub(crate) fn restore_pages(data: &mut [u8], memory: &ProgramMemory, persisted_from: usize) {
    let page_size = PAGE_SIZE as usize;
    for (&page, content) in &memory.pages {
        let offset = page as usize * page_size;
        if offset < persisted_from || content.len() != page_size {
            log::warn!(target: "gear::engine", "skipping corrupt stored page {page}");
            continue;
        }
        match data.get_mut(offset..offset + page_size) {
            Some(slot) => slot.copy_from_slice(content),
            None => log::warn!(target: "gear::engine", "stored page {page} lies outside memory"),
        }
    }
}

/// How a backend's call ended, in backend-neutral terms.
pub(crate) enum CallEnd {
    /// The entry point returned.
    Returned,
    /// A syscall or `gr_system_break` stopped the program (the reason is in the host state:
    /// a trap, or a wait, exit or leave).
    Host,
    /// The engine trapped by itself with this reason (unreachable, memory out of bounds, ...).
    Engine(SimpleExecutionError),
    /// Something that is not the program's fault.
    Backend,
}

impl CallEnd {
    /// Whether the program's effects are kept (it returned, waited, exited or left), so the
    /// backend must hand over its memory after the call.
    pub(crate) fn keeps_effects(&self, state: &HostState) -> bool {
        match self {
            Self::Returned => true,
            Self::Host => state.trap.as_ref().is_some_and(HostTrap::is_stop),
            _ => false,
        }
    }
}

/// How a backend's call went: everything [`finish`] needs besides the host state.
pub(crate) struct CallResult<'a> {
    pub memory: &'a ProgramMemory,
    /// What the call changed in the program's memory, when the call kept its effects
    /// ([`memory_changes`], taken while the backend still held the memory).
    pub changes: Option<MemoryChanges>,
    pub gas_limit: u64,
    /// The gas counter when the call ended.
    pub remaining: u64,
    pub end: CallEnd,
    /// [`ExecutionConfig::max_stored_pages`].
    pub max_stored_pages: u32,
}

/// What a call that kept its effects changed in the program's memory, read from the backend's
/// memory before it is dropped (no copy of the whole memory is made): the persisted pages
/// whose content differs from what was stored (`None` when a page is back to its pristine
/// content), and the new allocations (taken out of `state`).
///
/// `after` is the persisted region (from `persisted_from`) after the call, `pristine` the same
/// region right after instantiation. Only static memory and allocated pages are program state
/// (Gear: `update_allocations` removes the data of deallocated pages): pages written in memory
/// that is not allocated when the call ends (allocated and freed in this call, or freed
/// before) are not kept, and stored pages of freed memory are deleted, so a later `alloc` sees
/// zeros.
pub(crate) fn memory_changes(
    after: &[u8],
    pristine: &[u8],
    memory: &ProgramMemory,
    persisted_from: usize,
    static_pages: u32,
    state: &mut HostState,
) -> MemoryChanges {
    let new_allocations = state.allocations.take().and_then(|allocations| {
        let (_, tree, changed) = allocations.into_parts();
        changed.then(|| {
            tree.iter()
                .map(|i| (u32::from(i.start()), u32::from(i.end())))
                .collect::<Vec<(u32, u32)>>()
        })
    });
    let allocated_now = new_allocations.as_deref().unwrap_or(&memory.allocations);
    let kept = |page: u32| {
        let wasm_page = page / PAGES_PER_WASM_PAGE;
        wasm_page < static_pages
            || allocated_now
                .iter()
                .any(|&(start, end)| start <= wasm_page && wasm_page <= end)
    };
    let page_size = PAGE_SIZE as usize;
    let mut changes = MemoryChanges::default();
    let zero_page = vec![0u8; page_size];
    let first_page = (persisted_from / page_size) as u32;
    for (index, chunk) in after.chunks(page_size).enumerate() {
        let start = index * page_size;
        let page = first_page + index as u32;
        if !kept(page) {
            continue;
        }
        let original = pristine.get(start..start + page_size).unwrap_or(&zero_page);
        let stored = memory
            .pages
            .get(&page)
            .filter(|data| data.len() == page_size);
        let old = stored.map(Vec::as_slice).unwrap_or(original);
        if !same_bytes(chunk, old) {
            changes
                .pages
                .insert(page, (!same_bytes(chunk, original)).then(|| chunk.to_vec()));
        }
    }
    for &page in memory.pages.keys().filter(|&&page| !kept(page)) {
        changes.pages.insert(page, None);
    }
    changes.allocations = new_allocations;
    changes
}

/// Whether `a` and `b` hold the same bytes, compared 32 at a time as four `u64` words. The
/// runtime is built for `wasm32v1-none`, without bulk memory, where `<[u8]>::eq` is a
/// `memcmp` that compares one byte per loop iteration: comparing a program's pages after each
/// call was most of what a persisted page cost inside the runtime.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(buf)
    };
    let mut a_blocks = a.chunks_exact(32);
    let mut b_blocks = b.chunks_exact(32);
    let blocks_equal = (&mut a_blocks).zip(&mut b_blocks).all(|(x, y)| {
        ((word(x, 0) ^ word(y, 0))
            | (word(x, 8) ^ word(y, 8))
            | (word(x, 16) ^ word(y, 16))
            | (word(x, 24) ^ word(y, 24)))
            == 0
    });
    blocks_equal && a_blocks.remainder() == b_blocks.remainder()
}

/// Builds the journal of a call.
pub(crate) fn finish(
    mut call: CallResult<'_>,
    mut state: HostState,
    schedule: &Schedule,
) -> ExecutionOutcome {
    let gas_burned = call
        .gas_limit
        .saturating_sub(call.remaining)
        .saturating_sub(state.gas_moved);
    let keeps = call.end.keeps_effects(&state);
    match (keeps, call.changes.take()) {
        (true, Some(changes)) => success_outcome(&call, changes, gas_burned, state, schedule),
        (true, None) => {
            let mut outcome = backend_error(gas_burned, format_args!("memory lost after the call"));
            outcome.debug = core::mem::take(&mut state.debug);
            outcome
        }
        (false, _) => trap_outcome(gas_burned, call.end, state),
    }
}

/// The outcome of a call that trapped: only the gas burned, the system reservation and the
/// debug output survive.
fn trap_outcome(gas_burned: u64, end: CallEnd, mut state: HostState) -> ExecutionOutcome {
    let (reason, message) = match (end, state.trap.take()) {
        (_, Some(trap)) => trap.into_reason(),
        (CallEnd::Engine(reason), None) => (reason, Vec::new()),
        (_, None) => (SimpleExecutionError::BackendError, Vec::new()),
    };
    let mut outcome = ExecutionOutcome::trap(gas_burned, reason, message);
    let (_, mut store) = state.context.drain();
    if state.system_reservation > 0 {
        store.add_system_reservation(state.system_reservation);
    }
    outcome.system_reservation = state.system_reservation;
    outcome.gas_moved = state.system_reservation;
    outcome.context = store;
    outcome.debug = state.debug;
    outcome
}

/// Builds the outcome of a call that kept its effects: the pages that changed (charged), the
/// new allocations, messages, reply, wakes, reservations, created programs.
fn success_outcome(
    call: &CallResult<'_>,
    changes: MemoryChanges,
    gas_burned: u64,
    mut state: HostState,
    schedule: &Schedule,
) -> ExecutionOutcome {
    let memory = call.memory;
    let stored_after =
        changes
            .pages
            .iter()
            .fold(memory.pages.len() as u64, |count, (page, data)| {
                match (memory.pages.contains_key(page), data.is_some()) {
                    (false, true) => count + 1,
                    (true, false) => count.saturating_sub(1),
                    _ => count,
                }
            });
    if stored_after > u64::from(call.max_stored_pages) {
        // More state than a dispatch could ever prove again: refused as Gear refuses memory
        // beyond its limit, with nothing kept.
        log::debug!(
            target: "gear::engine",
            "{stored_after} stored pages exceed the limit of {}",
            call.max_stored_pages
        );
        state.trap = None;
        return trap_outcome(
            gas_burned,
            CallEnd::Engine(SimpleExecutionError::MemoryOverflow),
            state,
        );
    }
    let io = IoCosts::from(schedule.memory_weights.clone());
    let upload_cost = io
        .common
        .upload_page_data
        .cost_for_one()
        .saturating_mul(changes.pages.len() as u64);
    let gas_burned = gas_burned.saturating_add(upload_cost);
    if gas_burned.saturating_add(state.gas_moved) > call.gas_limit {
        // Not enough gas to write the pages back: a trap, which returns the gas the execution
        // moved (its messages are discarded) except the system reservation.
        state.trap = Some(HostTrap::OutOfGas);
        let burned = call.gas_limit.saturating_sub(state.gas_moved);
        return trap_outcome(burned, CallEnd::Host, state);
    }

    let status = match state.trap.take() {
        Some(HostTrap::Wait(duration, kind)) => ExecutionStatus::Wait { duration, kind },
        Some(HostTrap::Exit(inheritor)) => ExecutionStatus::Exit { inheritor },
        _ => ExecutionStatus::Success,
    };
    let reservations = state
        .reserver
        .states()
        .iter()
        .filter_map(|(id, reservation)| match reservation {
            GasReservationState::Created {
                amount, duration, ..
            } => Some(ReservationChange::Reserved {
                id: *id,
                amount: *amount,
                duration: *duration,
            }),
            GasReservationState::Removed { .. } => Some(ReservationChange::Unreserved { id: *id }),
            GasReservationState::Exists { .. } => None,
        })
        .collect();
    let (context_outcome, mut store) = state.context.drain();
    store.set_reservation_nonce(&state.reserver);
    if state.system_reservation > 0 {
        store.add_system_reservation(state.system_reservation);
    }
    let drained = context_outcome.drain();
    let mut reply = None;
    let mut messages = Vec::new();
    for (dispatch, delay, reservation) in drained.outgoing_dispatches {
        let (kind, message) = dispatch.into_parts();
        let (id, _source, destination, payload, gas_limit, value, _details) = message.into_parts();
        let payload = payload.into_vec();
        if kind == DispatchKind::Reply {
            reply = Some(OutgoingReply {
                id,
                payload,
                value,
                gas_limit,
                reservation,
            });
        } else {
            messages.push(OutgoingMessage {
                kind,
                id,
                destination,
                payload,
                value,
                gas_limit,
                delay,
                reservation,
            });
        }
    }
    ExecutionOutcome {
        status,
        gas_burned,
        gas_moved: state.gas_moved,
        reply,
        messages,
        programs: state.programs,
        wakes: drained.awakening,
        reply_deposits: drained.reply_deposits,
        reservations,
        system_reservation: state.system_reservation,
        context: store,
        memory: changes,
        debug: state.debug,
    }
}

#[cfg(test)]
mod tests {
    use super::same_bytes;

    #[test]
    fn same_bytes_finds_any_difference() {
        for len in [0usize, 1, 7, 8, 31, 32, 33, 64, 100, 16 * 1024] {
            let a: alloc::vec::Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            assert!(same_bytes(&a, &a.clone()), "{len} bytes equal");
            for at in 0..len.min(100) {
                let mut b = a.clone();
                b[at] ^= 0x10;
                assert!(!same_bytes(&a, &b), "{len} bytes differing at {at}");
            }
            if len > 0 {
                let mut b = a.clone();
                b[len - 1] ^= 1;
                assert!(!same_bytes(&a, &b), "{len} bytes differing at the end");
                assert!(!same_bytes(&a, &a[..len - 1]), "lengths differ");
            }
        }
    }
}
