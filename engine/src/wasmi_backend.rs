//! The `wasmi` backend: runs one dispatch of an instrumented program inside the runtime.

use crate::{
    code::MAX_PAGES,
    exec::{
        backend_error, entry_point, finish, memory_changes, restore_pages, setup, CallEnd,
        CallResult, Setup, MAX_CALL_DEPTH,
    },
    host::{call, linked_syscalls, signature, Host},
    memory::ProgramMemory,
    outcome::{Dispatch, ExecutionConfig, ExecutionInput, ExecutionOutcome, ProgramCode},
    syscalls::HostState,
    Executor,
};
use alloc::format;
use gear_core::gas_metering::Schedule;
use gear_core_errors::SimpleExecutionError;
use gear_wasm_instrument::GLOBAL_NAME_GAS;
use wasmi::{
    Caller, Config, Engine, FuncType, Global, Linker, Memory, MemoryType, Module, Store, TrapCode,
    Val, ValType,
};

struct StoreData {
    state: HostState,
    /// Set right after the store is made, before any code runs.
    memory: Option<Memory>,
    gas: Option<Global>,
}

/// [`Host`] over a wasmi caller.
struct WasmiHost<'a, 'b>(&'a mut Caller<'b, StoreData>);

impl Host for WasmiHost<'_, '_> {
    fn parts(&mut self) -> (&mut [u8], &mut HostState) {
        match self.0.data().memory {
            Some(memory) => {
                let (mem, data) = memory.data_and_store_mut(&mut *self.0);
                (mem, &mut data.state)
            }
            None => (&mut [], &mut self.0.data_mut().state),
        }
    }

    fn memory(&self) -> &[u8] {
        match self.0.data().memory {
            Some(memory) => memory.data(&*self.0),
            None => &[],
        }
    }

    fn memory_pages(&self) -> u32 {
        self.0
            .data()
            .memory
            .map(|memory| u32::try_from(memory.size(&*self.0)).unwrap_or(u32::MAX))
            .unwrap_or(0)
    }

    fn grow(&mut self, pages: u32) -> Result<(), ()> {
        let memory = self.0.data().memory.ok_or(())?;
        memory
            .grow(&mut *self.0, u64::from(pages))
            .map(|_| ())
            .map_err(|_| ())
    }

    fn gas(&mut self) -> u64 {
        self.0
            .data()
            .gas
            .and_then(|g| g.get(&*self.0).i64())
            .unwrap_or(0) as u64
    }

    fn set_gas(&mut self, gas: u64) {
        if let Some(global) = self.0.data().gas {
            // The global is a mutable i64 injected by instrumentation: setting it cannot fail.
            let _ = global.set(&mut *self.0, Val::I64(gas as i64));
        }
    }
}

fn link(linker: &mut Linker<StoreData>) -> Result<(), alloc::string::String> {
    for name in linked_syscalls() {
        let (params, results) = signature(name);
        let ty = |i64s: alloc::vec::Vec<bool>| {
            i64s.into_iter()
                .map(|i64| if i64 { ValType::I64 } else { ValType::I32 })
                .collect::<alloc::vec::Vec<_>>()
        };
        let ty = FuncType::new(ty(params), ty(results));
        linker
            .func_new(
                "env",
                name.to_str(),
                ty,
                move |mut caller: Caller<'_, StoreData>, params: &[Val], results: &mut [Val]| {
                    let mut args = [0u64; 8];
                    for (slot, value) in args.iter_mut().zip(params) {
                        *slot = match value {
                            Val::I32(v) => u64::from(*v as u32),
                            Val::I64(v) => *v as u64,
                            _ => 0,
                        };
                    }
                    let args = &args[..params.len().min(8)];
                    match call(&mut WasmiHost(&mut caller), name, args) {
                        Ok(result) => {
                            if let (Some(value), Some(slot)) = (result, results.first_mut()) {
                                *slot = Val::I32(value);
                            }
                            Ok(())
                        }
                        // The trap itself travels in the host state; the error only unwinds.
                        Err(()) => Err(wasmi::Error::new("gear syscall trap")),
                    }
                },
            )
            .map_err(|e| format!("{e}"))?;
    }
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

/// Executes `dispatch` on the program with `code` and `memory` on wasmi.
///
/// Never panics: malformed stored data ends as a `BackendError` trap. Compiles the code for this
/// one call; [`WasmiExecutor`] reuses compiled code across calls.
pub fn execute(
    code: ProgramCode<'_>,
    memory: &ProgramMemory,
    dispatch: Dispatch,
    input: &ExecutionInput,
    config: &ExecutionConfig,
) -> ExecutionOutcome {
    WasmiExecutor::new().execute(None, code, memory, dispatch, input, config)
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

    /// Whether the code under `key` is translated and cached: executing it again translates
    /// nothing.
    pub fn is_cached(&self, key: &[u8; 32]) -> bool {
        self.modules.contains_key(key)
    }
}

impl Executor for WasmiExecutor {
    fn execute(
        &mut self,
        key: Option<[u8; 32]>,
        code: ProgramCode<'_>,
        memory: &ProgramMemory,
        dispatch: Dispatch,
        input: &ExecutionInput,
        config: &ExecutionConfig,
    ) -> ExecutionOutcome {
        let kind = dispatch.kind;
        let setup = match setup(&code, memory, dispatch, input, config) {
            Ok(setup) => setup,
            Err(outcome) => return *outcome,
        };
        let precharged = setup.precharged;
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
            input.export.unwrap_or_else(|| entry_point(kind)),
            memory,
            input.gas_limit,
            setup,
            &config.schedule,
            config.max_stored_pages,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn run(
    engine: &Engine,
    linker: &Linker<StoreData>,
    module: &Module,
    entry: &str,
    memory: &ProgramMemory,
    gas_limit: u64,
    setup: Setup,
    schedule: &Schedule,
    max_stored_pages: u32,
) -> ExecutionOutcome {
    let Setup {
        precharged,
        gas_left,
        memory_pages,
        persisted_from,
        static_pages,
        state,
    } = setup;
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
    let entry = match instance.get_typed_func::<(), ()>(&store, entry) {
        Ok(entry) => entry,
        Err(e) => return backend_error(precharged, format_args!("entry point: {e}")),
    };
    let result = entry.call(&mut store, ());
    let remaining = (gas_global.get(&store).i64().unwrap_or(0) as u64).min(gas_left);
    let end = match result {
        Ok(()) => CallEnd::Returned,
        Err(_) if store.data().state.trap.is_some() => CallEnd::Host,
        Err(err) => match err.as_trap_code() {
            Some(code) => CallEnd::Engine(trap_reason(code)),
            None => {
                log::error!(target: "gear::engine", "wasmi failed: {err}");
                CallEnd::Backend
            }
        },
    };
    let changes = end.keeps_effects(&store.data().state).then(|| {
        let (data, store_data) = wasm_memory.data_and_store_mut(&mut store);
        memory_changes(
            data.get(persisted_from..).unwrap_or_default(),
            &pristine,
            memory,
            persisted_from,
            static_pages,
            &mut store_data.state,
        )
    });
    let state = store.into_data().state;
    finish(
        CallResult {
            memory,
            changes,
            gas_limit,
            remaining,
            end,
            max_stored_pages,
        },
        state,
        schedule,
    )
}
