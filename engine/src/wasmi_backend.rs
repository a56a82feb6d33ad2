//! The `wasmi` backend: runs one dispatch of an instrumented program inside the runtime.

use crate::{
    code::MAX_PAGES,
    exec::{
        backend_error, entry_point, restore_pages, setup, success_outcome, trap_outcome, CallEnd,
        Setup, MAX_CALL_DEPTH,
    },
    memory::ProgramMemory,
    outcome::{BlockInfo, Dispatch, ExecutionOutcome, ProgramCode},
    syscalls::{charge, HostState, HostTrap, SyscallCtx},
};
use alloc::format;
use gear_core::{
    costs::CostToken,
    gas::ChargeError,
    gas_metering::Schedule,
    memory::{AllocError, HostPointer, Memory as GearMemory, MemoryError, NoopGrowHandler},
    pages::WasmPagesAmount,
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

fn trap_reason(code: TrapCode) -> SimpleExecutionError {
    match code {
        TrapCode::StackOverflow => SimpleExecutionError::StackLimitExceeded,
        TrapCode::GrowthOperationLimited => SimpleExecutionError::MemoryOverflow,
        _ => SimpleExecutionError::UnreachableInstruction,
    }
}

/// Executes `dispatch` on the program with `code` and `memory` on wasmi, with at most
/// `gas_limit` gas.
///
/// `value_available` is what the program may send or reply with (its balance and the incoming
/// value). Never panics: malformed stored data ends as a `BackendError` trap. Compiles the code
/// for this one call; [`WasmiExecutor`] reuses compiled code across calls.
pub fn execute(
    code: ProgramCode<'_>,
    memory: &ProgramMemory,
    dispatch: Dispatch,
    block: BlockInfo,
    gas_limit: u64,
    value_available: u128,
    schedule: &Schedule,
) -> ExecutionOutcome {
    WasmiExecutor::new().execute(
        None,
        code,
        memory,
        dispatch,
        block,
        gas_limit,
        value_available,
        schedule,
    )
}

/// Runs dispatches on one wasmi engine, keeping each code's compiled module (by a key the caller
/// chooses, the `CodeId`) and the syscall linker between calls: the queue makes one per run, so
/// a program's code is translated once per block, not once per message. Outcomes are the same
/// as [`execute`]'s, byte for byte (gas does not depend on caching).
pub struct WasmiExecutor {
    engine: Engine,
    linker: Option<Linker<StoreData>>,
    modules: alloc::collections::BTreeMap<[u8; 32], Module>,
}

impl Default for WasmiExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl WasmiExecutor {
    /// An executor with an empty module cache.
    pub fn new() -> Self {
        Self {
            engine: Engine::new(&engine_config()),
            linker: None,
            modules: Default::default(),
        }
    }

    /// Like [`execute`]; with `key`, the compiled module is cached under it (the key must
    /// identify the instrumented code, e.g. its `CodeId`).
    #[allow(clippy::too_many_arguments)]
    pub fn execute(
        &mut self,
        key: Option<[u8; 32]>,
        code: ProgramCode<'_>,
        memory: &ProgramMemory,
        dispatch: Dispatch,
        block: BlockInfo,
        gas_limit: u64,
        value_available: u128,
        schedule: &Schedule,
    ) -> ExecutionOutcome {
        let kind = dispatch.kind;
        let Setup {
            precharged,
            gas_left,
            memory_pages,
            persisted_from,
            state,
        } = match setup(
            &code,
            memory,
            dispatch,
            block,
            gas_limit,
            value_available,
            schedule,
        ) {
            Ok(setup) => setup,
            Err(outcome) => return *outcome,
        };
        let engine = self.engine.clone();
        let module = match key.and_then(|key| self.modules.get(&key)) {
            Some(module) => module.clone(),
            None => match Module::new(&engine, code.instrumented) {
                Ok(module) => {
                    if let Some(key) = key {
                        self.modules.insert(key, module.clone());
                    }
                    module
                }
                Err(e) => {
                    return backend_error(precharged, format_args!("code does not compile: {e}"))
                }
            },
        };
        if self.linker.is_none() {
            let mut linker = Linker::<StoreData>::new(&engine);
            if let Err(e) = link(&mut linker) {
                return backend_error(precharged, format_args!("cannot link syscalls: {e}"));
            }
            self.linker = Some(linker);
        }
        let Some(linker) = self.linker.as_ref() else {
            return backend_error(precharged, format_args!("no linker"));
        };
        run(
            &engine,
            linker,
            &module,
            kind,
            memory,
            precharged,
            gas_left,
            gas_limit,
            memory_pages,
            persisted_from,
            state,
            schedule,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn run(
    engine: &Engine,
    linker: &Linker<StoreData>,
    module: &Module,
    kind: gear_core::message::DispatchKind,
    memory: &ProgramMemory,
    precharged: u64,
    gas_left: u64,
    gas_limit: u64,
    memory_pages: u32,
    persisted_from: usize,
    state: HostState,
    schedule: &Schedule,
) -> ExecutionOutcome {
    // The memory handle lives in the store it was made in, so it joins the store's data after.
    let mut store = Store::new(
        engine,
        StoreData {
            state,
            memory: None,
            gas: None,
        },
    );
    let wasm_memory = match Memory::new(&mut store, MemoryType::new(memory_pages, Some(MAX_PAGES)))
    {
        Ok(memory) => memory,
        Err(e) => return backend_error(precharged, format_args!("cannot create memory: {e}")),
    };
    store.data_mut().memory = Some(wasm_memory);
    // The memory is this store's: a per-call copy of the shared linker gets it.
    let mut linker = linker.clone();
    if let Err(e) = linker.define("env", "memory", wasm_memory) {
        return backend_error(precharged, format_args!("cannot link memory: {e}"));
    }
    let instance = match linker.instantiate_and_start(&mut store, module) {
        Ok(instance) => instance,
        Err(e) => return backend_error(precharged, format_args!("cannot instantiate: {e}")),
    };
    let Some(gas_global) = instance.get_global(&store, GLOBAL_NAME_GAS) else {
        return backend_error(
            precharged,
            format_args!("code has no `{GLOBAL_NAME_GAS}` global"),
        );
    };
    store.data_mut().gas = Some(gas_global);

    // Restore persisted pages on top of the freshly instantiated (pristine) memory.
    let pristine = wasm_memory
        .data(&store)
        .get(persisted_from..)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    restore_pages(wasm_memory.data_mut(&mut store), memory, persisted_from);

    if gas_global
        .set(&mut store, Val::I64(gas_left as i64))
        .is_err()
    {
        return backend_error(
            precharged,
            format_args!("`{GLOBAL_NAME_GAS}` is not a mutable i64"),
        );
    }
    let entry = match instance.get_typed_func::<(), ()>(&store, entry_point(kind)) {
        Ok(entry) => entry,
        Err(e) => return backend_error(precharged, format_args!("entry point: {e}")),
    };
    let result = entry.call(&mut store, ());
    let remaining = gas_global.get(&store).i64().unwrap_or(0) as u64;
    let gas_burned = gas_limit.saturating_sub(remaining.min(gas_left));

    match result {
        Ok(()) => {
            let after = wasm_memory
                .data(&store)
                .get(persisted_from..)
                .unwrap_or_default()
                .to_vec();
            let state = store.into_data().state;
            success_outcome(
                memory,
                persisted_from,
                &pristine,
                &after,
                gas_limit,
                gas_burned,
                state,
                schedule,
            )
        }
        Err(err) => {
            let state = store.into_data().state;
            let end = if state.trap.is_some() {
                CallEnd::Host
            } else if let Some(code) = err.as_trap_code() {
                CallEnd::Engine(trap_reason(code))
            } else {
                log::error!(target: "gear::engine", "wasmi failed: {err}");
                CallEnd::Backend
            };
            trap_outcome(gas_limit, gas_burned, end, state)
        }
    }
}
