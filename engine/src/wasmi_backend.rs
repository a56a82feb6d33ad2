//! The `wasmi` backend: runs one dispatch of an instrumented program inside the runtime.

use crate::{
    code::MAX_PAGES,
    memory::{MemoryChanges, ProgramMemory, PAGE_SIZE, WASM_PAGE_SIZE},
    outcome::{BlockInfo, Dispatch, ExecutionOutcome, ExecutionStatus, ProgramCode},
    syscalls::{charge, HostState, HostTrap, SyscallCtx},
};
use alloc::{format, vec, vec::Vec};
use gear_core::{
    costs::{CostToken, IoCosts},
    gas::ChargeError,
    gas_metering::Schedule,
    memory::{
        AllocError, AllocationsContext, HostPointer, Memory as GearMemory, MemoryError,
        NoopGrowHandler,
    },
    message::DispatchKind,
    pages::{numerated::tree::IntervalsTree, WasmPage, WasmPagesAmount},
};
use gear_core_errors::SimpleExecutionError;
use gear_wasm_instrument::{SystemBreakCode, GLOBAL_NAME_GAS};
use wasmi::{
    Caller, Config, Engine, Global, Linker, Memory, MemoryType, Module, Store, TrapCode, Val,
};

struct StoreData {
    state: HostState,
    /// Set right after the store is made, before any code runs.
    memory: Option<Memory>,
    gas: Option<Global>,
}

fn read_gas(caller: &Caller<'_, StoreData>) -> u64 {
    caller
        .data()
        .gas
        .and_then(|g| g.get(caller).i64())
        .unwrap_or(0) as u64
}

fn write_gas(caller: &mut Caller<'_, StoreData>, gas: u64) {
    if let Some(global) = caller.data().gas {
        // The global is a mutable i64 injected by instrumentation: setting it cannot fail.
        let _ = global.set(&mut *caller, Val::I64(gas as i64));
    }
}

fn raise(caller: &mut Caller<'_, StoreData>, trap: HostTrap) -> wasmi::Error {
    // The trap itself travels in the host state; the error only unwinds the interpreter.
    caller.data_mut().state.trap = Some(trap);
    wasmi::Error::new("gear syscall trap")
}

/// Runs `f` with the syscall context of this call: guest memory, host state and gas.
fn with_ctx<R>(
    caller: &mut Caller<'_, StoreData>,
    f: impl FnOnce(&mut SyscallCtx<'_>) -> Result<R, HostTrap>,
) -> Result<R, wasmi::Error> {
    let Some(memory) = caller.data().memory else {
        return Err(wasmi::Error::new("memory is not set up"));
    };
    let mut gas = read_gas(caller);
    let result = {
        let (mem, data) = memory.data_and_store_mut(&mut *caller);
        let mut ctx = SyscallCtx {
            mem,
            state: &mut data.state,
            gas: &mut gas,
        };
        f(&mut ctx)
    };
    write_gas(caller, gas);
    result.map_err(|trap| raise(caller, trap))
}

/// `gear_core`'s memory interface over a wasmi memory, for `AllocationsContext::alloc`.
struct WasmiMemory(Memory);

impl<'a> GearMemory<Caller<'a, StoreData>> for WasmiMemory {
    type GrowError = wasmi::errors::MemoryError;

    fn grow(
        &self,
        ctx: &mut Caller<'a, StoreData>,
        pages: WasmPagesAmount,
    ) -> Result<(), Self::GrowError> {
        self.0.grow(ctx, u64::from(u32::from(pages))).map(|_| ())
    }

    fn size(&self, ctx: &Caller<'a, StoreData>) -> WasmPagesAmount {
        let pages = u32::try_from(self.0.size(ctx)).unwrap_or(u32::MAX);
        WasmPagesAmount::try_from(pages).unwrap_or(WasmPagesAmount::UPPER)
    }

    fn write(
        &self,
        ctx: &mut Caller<'a, StoreData>,
        offset: u32,
        buffer: &[u8],
    ) -> Result<(), MemoryError> {
        self.0
            .write(ctx, offset as usize, buffer)
            .map_err(|_| MemoryError::AccessOutOfBounds)
    }

    fn read(
        &self,
        ctx: &Caller<'a, StoreData>,
        offset: u32,
        buffer: &mut [u8],
    ) -> Result<(), MemoryError> {
        self.0
            .read(ctx, offset as usize, buffer)
            .map_err(|_| MemoryError::AccessOutOfBounds)
    }

    unsafe fn get_buffer_host_addr_unsafe(&self, ctx: &Caller<'a, StoreData>) -> HostPointer {
        self.0.data(ctx).as_ptr() as HostPointer
    }
}

fn alloc(caller: &mut Caller<'_, StoreData>, pages: u32) -> Result<u32, wasmi::Error> {
    let mut gas = read_gas(caller);
    let cost = caller.data().state.costs.cost_for_token(CostToken::Alloc);
    if let Err(trap) = charge(&mut gas, cost) {
        write_gas(caller, gas);
        return Err(raise(caller, trap));
    }
    let (grow_base, grow_per_page) = caller.data().state.mem_grow;
    let Some(memory) = caller.data().memory else {
        return Err(wasmi::Error::new("memory is not set up"));
    };
    let Some(mut allocations) = caller.data_mut().state.allocations.take() else {
        write_gas(caller, gas);
        return Ok(u32::MAX);
    };
    let result = match WasmPagesAmount::try_from(pages) {
        Err(_) => Err(AllocError::ProgramAllocOutOfBounds),
        Ok(amount) => allocations.alloc::<_, NoopGrowHandler>(
            caller,
            &mut WasmiMemory(memory),
            amount,
            |grow: WasmPagesAmount| {
                let cost =
                    grow_base.saturating_add(grow_per_page.saturating_mul(u32::from(grow).into()));
                charge(&mut gas, cost).map_err(|_| ChargeError::GasLimitExceeded)
            },
        ),
    };
    caller.data_mut().state.allocations = Some(allocations);
    write_gas(caller, gas);
    match result {
        Ok(page) => Ok(u32::from(page)),
        Err(AllocError::GasCharge(_)) => Err(raise(caller, HostTrap::OutOfGas)),
        // The program learns of a failed allocation by `u32::MAX` (gstd then calls `gr_oom_panic`).
        Err(_) => Ok(u32::MAX),
    }
}

macro_rules! syscall {
    ($linker:ident, $name:literal, || $method:ident) => {
        syscall!($linker, $name, | | $method);
    };
    ($linker:ident, $name:literal, |$($arg:ident : $ty:ty),*| $method:ident) => {
        $linker
            .func_wrap("env", $name, |mut caller: Caller<'_, StoreData>, $($arg: $ty),*| {
                with_ctx(&mut caller, |ctx| ctx.$method($($arg),*))
            })
            .map_err(|e| format!("{e}"))?;
    };
}

fn link(linker: &mut Linker<StoreData>) -> Result<(), alloc::string::String> {
    syscall!(
        linker,
        "gr_read",
        |at: u32, len: u32, buffer: u32, err: u32| gr_read
    );
    syscall!(linker, "gr_size", |ptr: u32| gr_size);
    syscall!(
        linker,
        "gr_reply",
        |payload: u32, len: u32, value: u32, err: u32| gr_reply
    );
    syscall!(linker, "gr_panic", |payload: u32, len: u32| gr_panic);
    syscall!(linker, "gr_oom_panic", || gr_oom_panic);
    syscall!(linker, "gr_source", |ptr: u32| gr_source);
    syscall!(linker, "gr_message_id", |ptr: u32| gr_message_id);
    syscall!(linker, "gr_program_id", |ptr: u32| gr_program_id);
    syscall!(linker, "gr_value", |ptr: u32| gr_value);
    syscall!(linker, "gr_gas_available", |ptr: u32| gr_gas_available);
    syscall!(linker, "gr_block_height", |ptr: u32| gr_block_height);
    syscall!(linker, "gr_block_timestamp", |ptr: u32| gr_block_timestamp);
    syscall!(linker, "gr_debug", |payload: u32, len: u32| gr_debug);
    syscall!(linker, "free", |page: u32| free);
    syscall!(linker, "free_range", |start: u32, end: u32| free_range);
    linker
        .func_wrap(
            "env",
            "alloc",
            |mut caller: Caller<'_, StoreData>, pages: u32| alloc(&mut caller, pages),
        )
        .map_err(|e| format!("{e}"))?;
    linker
        .func_wrap(
            "env",
            "gr_system_break",
            |mut caller: Caller<'_, StoreData>, code: u32| -> Result<(), wasmi::Error> {
                let trap = match SystemBreakCode::try_from(code) {
                    Ok(SystemBreakCode::OutOfGas) => {
                        write_gas(&mut caller, 0);
                        HostTrap::OutOfGas
                    }
                    Ok(SystemBreakCode::StackLimitExceeded) => HostTrap::StackLimitExceeded,
                    Err(_) => HostTrap::UnknownSystemBreak(code),
                };
                Err(raise(&mut caller, trap))
            },
        )
        .map_err(|e| format!("{e}"))?;
    Ok(())
}

/// The interpreter's own limits sit above what Gear's stack limiter (instrumented into the code)
/// allows, so the limiter alone decides, identically on every engine.
fn engine_config() -> Config {
    let mut config = Config::default();
    config.set_max_recursion_depth(MAX_CALL_DEPTH);
    config
}

/// More nested calls than Gear's stack limiter (36,743 units, at least one per call) permits.
const MAX_CALL_DEPTH: usize = 40_000;

fn entry_point(kind: DispatchKind) -> &'static str {
    match kind {
        DispatchKind::Init => "init",
        DispatchKind::Handle => "handle",
        DispatchKind::Reply => "handle_reply",
        DispatchKind::Signal => "handle_signal",
    }
}

fn trap_reason(code: TrapCode) -> SimpleExecutionError {
    match code {
        TrapCode::StackOverflow => SimpleExecutionError::StackLimitExceeded,
        TrapCode::GrowthOperationLimited => SimpleExecutionError::MemoryOverflow,
        _ => SimpleExecutionError::UnreachableInstruction,
    }
}

/// Gas per WASM page of persisted memory for restoring it and finding what changed (copying and
/// comparing 64 KiB inside the runtime), charged up front.
pub const MEMORY_SCAN_COST_PER_WASM_PAGE: u64 = 20_000_000;

/// WASM pages of memory from the stack end to the memory's size before the dispatch.
fn persisted_wasm_pages(meta: &crate::code::ProgramCodeMeta, memory: &ProgramMemory) -> u32 {
    let size = memory
        .allocations
        .iter()
        .map(|&(_, end)| end.saturating_add(1))
        .max()
        .unwrap_or(0)
        .max(meta.static_pages);
    size.saturating_sub(meta.stack_end.unwrap_or(0))
}

/// Gas charged before a dispatch runs: instantiating the code and loading its pages.
pub fn precharge(code: &ProgramCode<'_>, memory: &ProgramMemory, schedule: &Schedule) -> u64 {
    let costs = schedule.process_costs();
    let inst = &costs.instantiation;
    let meta = code.meta;
    let io = IoCosts::from(schedule.memory_weights.clone());
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
        MEMORY_SCAN_COST_PER_WASM_PAGE
            .saturating_mul(u64::from(persisted_wasm_pages(code.meta, memory))),
    ]
    .into_iter()
    .fold(0u64, u64::saturating_add)
}

/// Executes `dispatch` on the program with `code` and `memory`, with at most `gas_limit` gas.
///
/// `value_available` is what the program may send or reply with (its balance and the incoming
/// value). Never panics: malformed stored data ends as a `BackendError` trap.
pub fn execute(
    code: ProgramCode<'_>,
    memory: &ProgramMemory,
    dispatch: Dispatch,
    block: BlockInfo,
    gas_limit: u64,
    value_available: u128,
    schedule: &Schedule,
) -> ExecutionOutcome {
    let kind = dispatch.kind;
    if !code.meta.exports(kind) {
        // Nothing to run: Gear treats it as a successful no-op execution.
        return ExecutionOutcome {
            status: ExecutionStatus::Success,
            gas_burned: 0,
            reply: None,
            messages: Vec::new(),
            memory: MemoryChanges::default(),
            debug: Vec::new(),
        };
    }

    let precharged = precharge(&code, memory, schedule);
    if precharged > gas_limit {
        return ExecutionOutcome::trap(gas_limit, SimpleExecutionError::RanOutOfGas, Vec::new());
    }
    let backend_error = |msg: alloc::string::String| {
        ExecutionOutcome::trap(
            precharged,
            SimpleExecutionError::BackendError,
            msg.into_bytes(),
        )
    };

    let meta = code.meta;
    let allocations: IntervalsTree<WasmPage> = memory
        .allocations
        .iter()
        .filter_map(|&(start, end)| {
            let start = WasmPage::try_from(start).ok()?;
            let end = WasmPage::try_from(end).ok()?;
            gear_core::pages::numerated::interval::Interval::new(start, end)
        })
        .collect();
    let memory_pages = allocations
        .end()
        .map(|page| u32::from(page).saturating_add(1))
        .unwrap_or(0)
        .max(meta.static_pages);
    let to_amount = |pages: u32| WasmPagesAmount::try_from(pages).unwrap_or(WasmPagesAmount::UPPER);
    let allocations_ctx = match AllocationsContext::try_new(
        to_amount(memory_pages),
        allocations,
        to_amount(meta.static_pages),
        meta.stack_end
            .and_then(|page| WasmPage::try_from(page).ok()),
        to_amount(MAX_PAGES),
    ) {
        Ok(ctx) => ctx,
        Err(e) => return backend_error(format!("corrupt program memory: {e}")),
    };

    let io = IoCosts::from(schedule.memory_weights.clone());
    let process_costs = schedule.process_costs();
    let state = HostState {
        dispatch,
        block,
        costs: process_costs.ext.syscalls.clone(),
        max_payload_len: schedule.limits.payload_len,
        value_available,
        reply: None,
        messages: Vec::new(),
        debug: Vec::new(),
        debug_bytes: 0,
        allocations: Some(allocations_ctx),
        mem_grow: (
            process_costs.ext.mem_grow.cost_for_one(),
            process_costs.ext.mem_grow_per_page.cost_for(to_amount(1)),
        ),
        trap: None,
    };

    let engine = Engine::new(&engine_config());
    let module = match Module::new(&engine, code.instrumented) {
        Ok(module) => module,
        Err(e) => return backend_error(format!("instrumented code does not compile: {e}")),
    };
    // The memory handle lives in the store it was made in, so it joins the store's data after.
    let memory_type = MemoryType::new(memory_pages, Some(MAX_PAGES));
    let mut store = Store::new(
        &engine,
        StoreData {
            state,
            memory: None,
            gas: None,
        },
    );
    let wasm_memory = match Memory::new(&mut store, memory_type) {
        Ok(memory) => memory,
        Err(e) => return backend_error(format!("cannot create memory: {e}")),
    };
    store.data_mut().memory = Some(wasm_memory);

    let mut linker = Linker::<StoreData>::new(&engine);
    if let Err(e) = linker.define("env", "memory", wasm_memory) {
        return backend_error(format!("cannot link memory: {e}"));
    }
    if let Err(e) = link(&mut linker) {
        return backend_error(e);
    }
    let instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => return backend_error(format!("cannot instantiate: {e}")),
    };
    let Some(gas_global) = instance.get_global(&store, GLOBAL_NAME_GAS) else {
        return backend_error(format!(
            "instrumented code has no `{GLOBAL_NAME_GAS}` global"
        ));
    };
    store.data_mut().gas = Some(gas_global);

    // Restore persisted pages on top of the freshly instantiated (pristine) memory.
    let persisted_from = meta.stack_end.unwrap_or(0) as usize * WASM_PAGE_SIZE as usize;
    let pristine = wasm_memory
        .data(&store)
        .get(persisted_from..)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    {
        let data = wasm_memory.data_mut(&mut store);
        for (&page, content) in &memory.pages {
            let offset = page as usize * PAGE_SIZE as usize;
            if offset < persisted_from || content.len() != PAGE_SIZE as usize {
                log::warn!(target: "gear::engine", "skipping corrupt stored page {page}");
                continue;
            }
            match data.get_mut(offset..offset + PAGE_SIZE as usize) {
                Some(slot) => slot.copy_from_slice(content),
                None => {
                    log::warn!(target: "gear::engine", "stored page {page} lies outside memory")
                }
            }
        }
    }

    let gas_left = gas_limit - precharged;
    if gas_global
        .set(&mut store, Val::I64(gas_left as i64))
        .is_err()
    {
        return backend_error(format!("`{GLOBAL_NAME_GAS}` is not a mutable i64"));
    }

    let entry = match instance.get_typed_func::<(), ()>(&store, entry_point(kind)) {
        Ok(entry) => entry,
        Err(e) => return backend_error(format!("entry point `{}`: {e}", entry_point(kind))),
    };
    let result = entry.call(&mut store, ());
    let remaining = gas_global.get(&store).i64().unwrap_or(0) as u64;
    let mut gas_burned = gas_limit.saturating_sub(remaining.min(gas_left));

    if let Err(err) = result {
        let data = store.data_mut();
        let (reason, message) = match data.state.trap.take() {
            Some(HostTrap::OutOfGas) => {
                gas_burned = gas_limit;
                HostTrap::OutOfGas.into_reason()
            }
            Some(trap) => trap.into_reason(),
            None => match err.as_trap_code() {
                Some(code) => (trap_reason(code), format!("{err}").into_bytes()),
                None => (
                    SimpleExecutionError::BackendError,
                    format!("{err}").into_bytes(),
                ),
            },
        };
        let mut outcome = ExecutionOutcome::trap(gas_burned, reason, message);
        outcome.debug = core::mem::take(&mut store.data_mut().state.debug);
        return outcome;
    }

    // Collect changed pages; each one written back is charged. A page's content before the
    // dispatch is its stored copy, or its pristine content when it is not stored.
    let after = wasm_memory
        .data(&store)
        .get(persisted_from..)
        .unwrap_or_default();
    let page_size = PAGE_SIZE as usize;
    let mut changes = MemoryChanges::default();
    let zero_page = vec![0u8; page_size];
    let first_page = (persisted_from / page_size) as u32;
    for (index, chunk) in after.chunks(page_size).enumerate() {
        let start = index * page_size;
        let page = first_page + index as u32;
        let original = pristine.get(start..start + page_size).unwrap_or(&zero_page);
        let stored = memory
            .pages
            .get(&page)
            .filter(|data| data.len() == page_size);
        let old = stored.map(Vec::as_slice).unwrap_or(original);
        if chunk == old {
            continue;
        }
        changes
            .pages
            .insert(page, (chunk != original).then(|| chunk.to_vec()));
    }
    let upload_cost = io
        .common
        .upload_page_data
        .cost_for_one()
        .saturating_mul(changes.pages.len() as u64);
    if gas_burned.saturating_add(upload_cost) > gas_limit {
        return ExecutionOutcome::trap(gas_limit, SimpleExecutionError::RanOutOfGas, Vec::new());
    }
    gas_burned += upload_cost;

    let data = store.into_data();
    let state = data.state;
    if let Some(allocations) = state.allocations {
        let (_, tree, changed) = allocations.into_parts();
        if changed {
            changes.allocations = Some(
                tree.iter()
                    .map(|i| (u32::from(i.start()), u32::from(i.end())))
                    .collect(),
            );
        }
    }
    ExecutionOutcome {
        status: ExecutionStatus::Success,
        gas_burned,
        reply: state.reply,
        messages: state.messages,
        memory: changes,
        debug: state.debug,
    }
}
