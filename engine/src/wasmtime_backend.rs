//! The `wasmtime` backend (native, `std` only): runs one dispatch of an instrumented program
//! compiled by Cranelift. Used off-chain: the native harness, differential tests against
//! [`crate::wasmi_backend`], and benchmarks of how far the in-runtime interpreter is from native.
//!
//! It runs exactly the code the chain runs (the same instrumentation, so the same gas) with the
//! same syscalls ([`crate::syscalls`]) and the same memory handling ([`crate::exec`]).

use crate::{
    code::MAX_PAGES,
    exec::{
        backend_error, entry_point, finish, memory_changes, restore_pages, setup, CallEnd,
        CallResult, Setup,
    },
    host::{call, linked_syscalls, signature, Host},
    memory::ProgramMemory,
    outcome::{Dispatch, ExecutionConfig, ExecutionInput, ExecutionOutcome, ProgramCode},
    syscalls::HostState,
    Executor,
};
use gear_core_errors::SimpleExecutionError;
use gear_wasm_instrument::GLOBAL_NAME_GAS;
use std::sync::OnceLock;
use wasmtime::{
    Caller, Config, Engine, FuncType, Global, Linker, Memory, MemoryType, Module, Store, Trap, Val,
    ValType,
};

/// Native stack wasm code may use: enough for every call depth Gear's stack limiter allows, so
/// the limiter (not the native stack) decides, as on wasmi.
const MAX_WASM_STACK: usize = 16 * 1024 * 1024;
/// Stack of the thread a dispatch runs on (above `MAX_WASM_STACK` plus the host's own frames).
const THREAD_STACK: usize = 32 * 1024 * 1024;

struct StoreData {
    state: HostState,
    memory: Option<Memory>,
    gas: Option<Global>,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.max_wasm_stack(MAX_WASM_STACK);
        // The config only rejects what validation already refused; a failure here is a bug in
        // this crate's constants, found by its tests.
        Engine::new(&config).expect("wasmtime engine configuration is valid")
    })
}

/// [`Host`] over a wasmtime caller.
struct WasmtimeHost<'a, 'b>(&'a mut Caller<'b, StoreData>);

impl Host for WasmtimeHost<'_, '_> {
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
        match self.0.data().gas {
            Some(global) => global.get(&mut *self.0).i64().unwrap_or(0) as u64,
            None => 0,
        }
    }

    fn set_gas(&mut self, gas: u64) {
        if let Some(global) = self.0.data().gas {
            // The global is a mutable i64 injected by instrumentation: setting it cannot fail.
            let _ = global.set(&mut *self.0, Val::I64(gas as i64));
        }
    }
}

fn link(linker: &mut Linker<StoreData>) -> wasmtime::Result<()> {
    for name in linked_syscalls() {
        let (params, results) = signature(name);
        let ty = |i64s: Vec<bool>| {
            i64s.into_iter()
                .map(|i64| if i64 { ValType::I64 } else { ValType::I32 })
                .collect::<Vec<_>>()
        };
        let ty = FuncType::new(engine(), ty(params), ty(results));
        linker.func_new(
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
                match call(&mut WasmtimeHost(&mut caller), name, args) {
                    Ok(result) => {
                        if let (Some(value), Some(slot)) = (result, results.first_mut()) {
                            *slot = Val::I32(value);
                        }
                        Ok(())
                    }
                    // The trap itself travels in the host state; the error only unwinds.
                    Err(()) => Err(wasmtime::Error::msg("gear syscall trap")),
                }
            },
        )?;
    }
    Ok(())
}

fn trap_reason(trap: Trap) -> SimpleExecutionError {
    match trap {
        Trap::StackOverflow => SimpleExecutionError::StackLimitExceeded,
        _ => SimpleExecutionError::UnreachableInstruction,
    }
}

/// Executes `dispatch` like [`crate::execute`], natively with wasmtime.
pub fn execute(
    code: ProgramCode<'_>,
    memory: &ProgramMemory,
    dispatch: Dispatch,
    input: &ExecutionInput,
    config: &ExecutionConfig,
) -> ExecutionOutcome {
    // A thread of its own, so deep (but allowed) recursion has the native stack it needs.
    std::thread::scope(|scope| {
        let run = std::thread::Builder::new()
            .stack_size(THREAD_STACK)
            .spawn_scoped(scope, || {
                execute_here(code, memory, dispatch, input, config)
            });
        match run.map(|handle| handle.join()) {
            Ok(Ok(outcome)) => outcome,
            _ => backend_error(
                input.gas_limit,
                format_args!("wasmtime execution thread failed"),
            ),
        }
    })
}

/// The wasmtime backend as an [`Executor`] (compiles the code on every call).
#[derive(Default)]
pub struct WasmtimeExecutor;

impl Executor for WasmtimeExecutor {
    fn execute(
        &mut self,
        _key: Option<[u8; 32]>,
        code: ProgramCode<'_>,
        memory: &ProgramMemory,
        dispatch: Dispatch,
        input: &ExecutionInput,
        config: &ExecutionConfig,
    ) -> ExecutionOutcome {
        execute(code, memory, dispatch, input, config)
    }
}

fn execute_here(
    code: ProgramCode<'_>,
    memory: &ProgramMemory,
    dispatch: Dispatch,
    input: &ExecutionInput,
    config: &ExecutionConfig,
) -> ExecutionOutcome {
    let kind = dispatch.kind;
    let gas_limit = input.gas_limit;
    let Setup {
        precharged,
        gas_left,
        memory_pages,
        persisted_from,
        static_pages,
        state,
    } = match setup(&code, memory, dispatch, input, config) {
        Ok(setup) => setup,
        Err(outcome) => return *outcome,
    };
    let engine = engine();
    let module = match Module::new(engine, code.instrumented) {
        Ok(module) => module,
        Err(e) => return backend_error(precharged, format_args!("code does not compile: {e}")),
    };
    let mut store = Store::new(
        engine,
        StoreData {
            state,
            memory: None,
            gas: None,
        },
    );
    let memory_type = MemoryType::new(memory_pages, Some(MAX_PAGES));
    let wasm_memory = match Memory::new(&mut store, memory_type) {
        Ok(memory) => memory,
        Err(e) => return backend_error(precharged, format_args!("cannot create memory: {e}")),
    };
    store.data_mut().memory = Some(wasm_memory);

    let mut linker = Linker::<StoreData>::new(engine);
    if let Err(e) = linker.define(&store, "env", "memory", wasm_memory) {
        return backend_error(precharged, format_args!("cannot link memory: {e}"));
    }
    if let Err(e) = link(&mut linker) {
        return backend_error(precharged, format_args!("cannot link syscalls: {e}"));
    }
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(instance) => instance,
        Err(e) => return backend_error(precharged, format_args!("cannot instantiate: {e}")),
    };
    let Some(gas_global) = instance.get_global(&mut store, GLOBAL_NAME_GAS) else {
        return backend_error(
            precharged,
            format_args!("code has no `{GLOBAL_NAME_GAS}` global"),
        );
    };
    store.data_mut().gas = Some(gas_global);

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
    let export = input.export.unwrap_or_else(|| entry_point(kind));
    let entry = match instance.get_typed_func::<(), ()>(&mut store, export) {
        Ok(entry) => entry,
        Err(e) => return backend_error(precharged, format_args!("entry point: {e}")),
    };
    let result = entry.call(&mut store, ());
    let remaining = (gas_global.get(&mut store).i64().unwrap_or(0) as u64).min(gas_left);
    let end = match result {
        Ok(()) => CallEnd::Returned,
        Err(_) if store.data().state.trap.is_some() => CallEnd::Host,
        Err(err) => match err.downcast_ref::<Trap>() {
            Some(trap) => CallEnd::Engine(trap_reason(*trap)),
            None => {
                log::error!(target: "gear::engine", "wasmtime failed: {err}");
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
            max_stored_pages: config.max_stored_pages,
        },
        state,
        &config.schedule,
    )
}
