//! Engine benchmarks, `gear-bench` (run with `scripts/bench.sh`; results go to
//! `docs/PERFORMANCE.md`). It is built with the tests (same profile and features), so measuring
//! costs no extra compilation.
//!
//! - upload: validation + instrumentation, in µs per KiB of original code;
//! - compute: a compute-heavy program (integer arithmetic in a loop, fully gas-metered) on wasmi
//!   and on wasmtime, as instrumented-instructions per second and their ratio;
//! - dispatch: one `PING` to the gstd ping program, end to end (instantiate, restore memory, run,
//!   diff pages), on both backends;
//! - estimate: one `gear_calculateGasForHandle` as the node serves it (`GearApi_calculate_gas_info`
//!   on the runtime WASM over the real runtime's state) for `PING` to ping and for the async
//!   proxy chain proxy → proxy → ping; `--estimates` runs only this part.
//!
//! A plain harness (median of repeated runs) keeps the dependency tree small. Timings are
//! medians of repeated runs on a quiet machine; they are not asserted anywhere.

use gear_core::message::DispatchKind;
use gear_engine::{
    validate_and_instrument, wasmtime_backend, Dispatch, ExecutionConfig, ExecutionInput,
    ExecutionOutcome, Executor, ProgramCode, ProgramMemory, Schedule, ValidatedCode,
};
use gprimitives::{ActorId, MessageId};
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<R>(runs: usize, mut f: impl FnMut() -> R) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// `handle` runs `iterations` rounds of a xorshift-multiply mix over a few locals: pure integer
/// work, so instrumentation (one gas charge per basic block) is part of what is measured.
fn compute_program(iterations: u32) -> Vec<u8> {
    wat::parse_str(format!(r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "gr_reply" (func $reply (param i32 i32 i32 i32)))
          (export "handle" (func $handle))
          (func $handle (local $i i32) (local $x i64) (local $y i64)
            (local.set $x (i64.const 88172645463325252))
            (local.set $y (i64.const 1))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (i32.const {iterations})))
                (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
                (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
                (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
                (local.set $y (i64.add (i64.mul (local.get $y) (i64.const 6364136223846793005)) (local.get $x)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (i64.store (i32.const 0) (local.get $y))
            (call $reply (i32.const 0) (i32.const 8) (i32.const -1) (i32.const 16))))
    "#)).unwrap()
}

/// Wasm instructions executed per loop round (counted from the WAT above, excluding the
/// instrumentation's own gas-charging code).
const INSTRUCTIONS_PER_ROUND: u64 = 33;

type Execute = fn(
    ProgramCode<'_>,
    &ProgramMemory,
    Dispatch,
    &ExecutionInput,
    &ExecutionConfig,
) -> ExecutionOutcome;

fn dispatch(kind: DispatchKind, payload: &[u8]) -> Dispatch {
    Dispatch {
        kind,
        id: MessageId::from(1u64),
        source: ActorId::from(1u64),
        destination: ActorId::from(2u64),
        payload: payload.to_vec(),
        value: 0,
        details: None,
        context: None,
    }
}

fn run(
    code: &ValidatedCode,
    memory: &ProgramMemory,
    kind: DispatchKind,
    payload: &[u8],
    execute: Execute,
) -> ExecutionOutcome {
    execute(
        ProgramCode {
            instrumented: &code.instrumented,
            meta: &code.meta,
        },
        memory,
        dispatch(kind, payload),
        &ExecutionInput {
            gas_limit: 400_000_000_000,
            ..Default::default()
        },
        &runtime_config(),
    )
}

/// The schedule the runtime executes programs with (`gear_runtime::GearSchedule`): native runs
/// use it too, so their gas equals the runtime's.
fn runtime_schedule() -> Schedule {
    gear_runtime::GearSchedule::get()
}

fn runtime_config() -> ExecutionConfig {
    ExecutionConfig {
        schedule: runtime_schedule(),
        memory_scan_per_wasm_page: gear_runtime::gear_schedule::MEMORY_SCAN_PER_WASM_PAGE,
        ..Default::default()
    }
}

/// Runs `code`'s `handle` through the runtime API `GearEngineApi_run_handle` on the runtime WASM
/// with the executor the node uses; the median of `runs` calls (validation included, which is
/// small against the loop).
fn in_runtime(code: &[u8], runs: usize) -> (Duration, gear_primitives::CodeRun) {
    in_runtime_with(code, &[], runs)
}

/// [`in_runtime`] with `payload` as the message's payload.
fn in_runtime_with(
    code: &[u8],
    payload: &[u8],
    runs: usize,
) -> (Duration, gear_primitives::CodeRun) {
    use codec::{Decode, Encode};
    let data = (code.to_vec(), payload.to_vec(), 400_000_000_000u64).encode();
    let (t, bytes) = runtime_call("GearEngineApi_run_handle", &data, runs);
    let run = Result::<gear_primitives::CodeRun, Vec<u8>>::decode(&mut &bytes[..])
        .expect("decodes")
        .expect("the code validates");
    (t, run)
}

/// Calls runtime API `method` with SCALE `data` on the runtime WASM as relay-chain validators
/// execute a parachain's runtime, over empty state: wasmtime with the PVF's semantics
/// (`polkadot-node-core-pvf-common`'s defaults for the default executor parameters: the
/// deterministic stack limit, NaN canonicalization, no bulk memory, a fresh copy-on-write
/// instance per call) on a thread with the PVF execute worker's stack, and the full host
/// functions (the runtime API reads storage, which `validate_block` serves from its proof).
/// Validators are the binding limit (2 s to back a block), and their executor is slower than the
/// node's (the stack limit instruments every call). Returns the median time of `runs` calls
/// (after a first one) and the first call's result.
fn runtime_call(method: &str, data: &[u8], runs: usize) -> (Duration, Vec<u8>) {
    use polkadot_node_core_pvf_common::executor_interface::params_to_wasmtime_semantics;
    use polkadot_sdk::{
        polkadot_primitives::{executor_params::DEFAULT_NATIVE_STACK_MAX, ExecutorParams},
        sc_executor::with_externalities_safe,
        sp_state_machine::BasicExternalities,
    };
    use sc_executor_common::{runtime_blob::RuntimeBlob, wasm_runtime::WasmModule};
    let (method, data) = (method.to_string(), data.to_vec());
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024 + DEFAULT_NATIVE_STACK_MAX as usize)
        .spawn(move || {
            let (semantics, _) = params_to_wasmtime_semantics(&ExecutorParams::default());
            let blob = RuntimeBlob::uncompress_if_needed(
                gear_runtime::WASM_BINARY.expect("the runtime is built with its WASM"),
            )
            .expect("the runtime WASM decompresses");
            let runtime = sc_executor_wasmtime::create_runtime::<
                polkadot_sdk::sp_io::SubstrateHostFunctions,
            >(
                blob,
                sc_executor_wasmtime::Config {
                    allow_missing_func_imports: true,
                    cache_path: None,
                    semantics: semantics.clone(),
                },
            )
            .expect("the runtime compiles");
            let mut ext = BasicExternalities::default();
            // A panic inside is turned into an error and the runtime is not used after it.
            let runtime = std::panic::AssertUnwindSafe(&runtime);
            let mut call = || {
                with_externalities_safe(&mut ext, || {
                    runtime
                        .new_instance(semantics.heap_alloc_strategy)?
                        .call_export(&method, &data)
                })
                .and_then(|result| result)
                .expect("the runtime call succeeds")
            };
            let first = call();
            (time(runs, &mut call), first)
        })
        .expect("a thread")
        .join()
        .expect("the runtime call does not panic")
}

/// `--check`: the compute program gives the same gas and reply inside the runtime WASM as on
/// native wasmi (run by `bench/tests/in_runtime.rs`; no timing).
fn check() {
    let schedule = runtime_schedule();
    let program = compute_program(10_000);
    let code = validate_and_instrument(program.clone(), &schedule).unwrap();
    let native = run(
        &code,
        &ProgramMemory::default(),
        DispatchKind::Handle,
        &[],
        gear_engine::execute,
    );
    let (_, in_runtime) = in_runtime(&program, 1);
    assert_eq!(in_runtime.error, None, "{in_runtime:?}");
    assert_eq!(
        in_runtime.gas_burned, native.gas_burned,
        "gas differs in the runtime"
    );
    assert_eq!(
        in_runtime.reply,
        native.reply.map(|reply| reply.payload),
        "reply differs in the runtime"
    );
    println!(
        "in-runtime wasmi matches native wasmi: gas {}",
        in_runtime.gas_burned
    );
}

/// The runtime WASM and the executor the node runs it with.
fn runtime_executor() -> (
    polkadot_sdk::sc_executor::WasmExecutor<polkadot_sdk::sp_io::SubstrateHostFunctions>,
    polkadot_sdk::sp_core::traits::WrappedRuntimeCode<'static>,
    Vec<u8>,
) {
    let blob = gear_runtime::WASM_BINARY.expect("the runtime is built with its WASM");
    let executor = polkadot_sdk::sc_executor::WasmExecutor::builder()
        .with_allow_missing_host_functions(true)
        .build();
    (
        executor,
        polkadot_sdk::sp_core::traits::WrappedRuntimeCode(blob.into()),
        gear_core::ids::hash(blob).to_vec(),
    )
}

/// Time per gas estimate inside the runtime: the development preset's state with ping and two
/// proxies uploaded and initialized (natively, through the pallet's extrinsics and queue), then
/// `GearApi_calculate_gas_info` called on the runtime WASM over that state, as the RPC does.
fn estimates(runs: usize) {
    use codec::{Decode, Encode};
    use gear_primitives::{GasInfo, HandleKind};
    use gear_runtime::{Runtime, RuntimeOrigin};
    use polkadot_sdk::{
        frame_support::{genesis_builder_helper::build_state, weights::WeightMeter},
        sp_core::{traits::CallContext, traits::CodeExecutor, traits::RuntimeCode, H256},
        sp_genesis_builder,
        sp_io::TestExternalities,
        sp_keyring::Sr25519Keyring,
    };
    type Gear = pallet_gear::Pallet<Runtime>;

    let preset = gear_runtime::genesis_config_presets::get_preset(
        &sp_genesis_builder::DEV_RUNTIME_PRESET.into(),
    )
    .expect("development preset exists");
    let mut config = serde_json::to_value(gear_runtime::RuntimeGenesisConfig::default()).unwrap();
    let patch: serde_json::Value = serde_json::from_slice(&preset).unwrap();
    for (k, v) in patch.as_object().unwrap() {
        let entry = config
            .as_object_mut()
            .unwrap()
            .entry(k.clone())
            .or_insert(v.clone());
        if let (Some(base), Some(patch)) = (entry.as_object_mut(), v.as_object()) {
            for (k2, v2) in patch {
                base.insert(k2.clone(), v2.clone());
            }
        } else {
            *entry = v.clone();
        }
    }
    let mut ext = TestExternalities::new(Default::default());
    ext.execute_with(|| {
        build_state::<gear_runtime::RuntimeGenesisConfig>(serde_json::to_vec(&config).unwrap())
            .expect("genesis builds");
        polkadot_sdk::frame_system::Pallet::<Runtime>::set_block_number(1);
    });
    let alice = Sr25519Keyring::Alice.to_account_id();
    let upload = |code: &[u8], salt: &[u8], init: Vec<u8>| {
        Gear::upload_program(
            RuntimeOrigin::signed(alice.clone()),
            code.to_vec(),
            salt.to_vec(),
            init,
            50_000_000_000,
            0,
            false,
        )
        .expect("upload");
        gear_core::ids::prelude::ActorIdExt::generate_from_user(
            gear_core::ids::prelude::CodeIdExt::generate(code),
            salt,
        )
    };
    let (ping, outer) = ext.execute_with(|| {
        let ping: gprimitives::ActorId = upload(gear_examples::ping(), b"ping", vec![]);
        let inner: gprimitives::ActorId =
            upload(gear_examples::proxy(), b"inner", ping.into_bytes().to_vec());
        let outer: gprimitives::ActorId = upload(
            gear_examples::proxy(),
            b"outer",
            inner.into_bytes().to_vec(),
        );
        Gear::run_queue(&mut WeightMeter::new());
        (ping, outer)
    });
    let (executor, wrapped, hash) = runtime_executor();
    let runtime_code = RuntimeCode {
        code_fetcher: &wrapped,
        heap_pages: None,
        hash,
    };
    let source = H256(alice.clone().into());
    for (name, destination) in [
        ("PING to ping", ping),
        ("PING to proxy -> proxy -> ping", outer),
    ] {
        let data = (
            source,
            HandleKind::Handle(destination),
            b"PING".to_vec(),
            0u128,
            false,
            None::<u64>,
        )
            .encode();
        let mut call = || {
            let (result, _) = executor.call(
                &mut ext.ext(),
                &runtime_code,
                "GearApi_calculate_gas_info",
                &data,
                CallContext::Offchain,
            );
            let bytes = result.expect("the runtime call succeeds");
            Result::<GasInfo, Vec<u8>>::decode(&mut &bytes[..])
                .expect("decodes")
                .unwrap_or_else(|e| panic!("{}", String::from_utf8_lossy(&e)))
        };
        let info = call();
        let t = time(runs, &mut call);
        println!(
            "estimate {name}: {:.2} ms in the runtime; min_limit {}, burned {}, reserved {}, waited {}",
            t.as_secs_f64() * 1e3,
            info.min_limit,
            info.burned,
            info.reserved,
            info.waited
        );
    }

    // One ping round trip inside the runtime (`GearApi_calculate_reply_for_handle`: the
    // `send_message` extrinsic's body, the queue running PING, the reply to the user, then the
    // rollback), against the weight the block is charged for it: the extrinsic's weight (which
    // includes the queue's per-dispatch overhead) plus what the queue's meter consumes.
    let gas = 5_000_000_000u64;
    let data = (
        source,
        H256(ping.into_bytes()),
        b"PING".to_vec(),
        gas,
        0u128,
    )
        .encode();
    let mut call = || {
        let (result, _) = executor.call(
            &mut ext.ext(),
            &runtime_code,
            "GearApi_calculate_reply_for_handle",
            &data,
            CallContext::Offchain,
        );
        let bytes = result.expect("the runtime call succeeds");
        Result::<gear_primitives::ReplyInfo, Vec<u8>>::decode(&mut &bytes[..])
            .expect("decodes")
            .unwrap_or_else(|e| panic!("{}", String::from_utf8_lossy(&e)))
    };
    assert_eq!(call().payload, b"PONG");
    let t = time(51, &mut call);
    let burned = ext.execute_with(|| {
        Gear::calculate_gas_info(
            source.0,
            HandleKind::Handle(ping),
            b"PING".to_vec(),
            0,
            false,
            None,
        )
        .expect("an estimate")
        .burned
    });
    // Every PING pays its code's translation in gas; a block's run does (and its meter counts)
    // the translation once.
    let translation = ext.execute_with(|| {
        let code: gprimitives::CodeId =
            gear_core::ids::prelude::CodeIdExt::generate(gear_examples::ping());
        let (instrumented, _) =
            pallet_gear::program::InstrumentedCodeStorage::<Runtime>::get(code).expect("stored");
        pallet_gear::COMPILE_PS_PER_BYTE * instrumented.len() as u64
    });
    println!(
        "PING gas: {burned} burned, of which {translation} pay the code's translation (which \
         a block's run does once)"
    );
    let burned = burned.saturating_sub(translation);
    use polkadot_sdk::frame_support::weights::Weight;
    // The extrinsic's weight: its benchmark plus the queue's cost of the dispatch it queues.
    let extrinsic = <pallet_gear::weights::SubstrateWeight<gear_runtime::Runtime> as pallet_gear::WeightInfo>::send_message(4)
        .saturating_add(Gear::dispatch_overhead())
        .saturating_add(
        <Runtime as polkadot_sdk::frame_system::Config>::BlockWeights::get()
            .get(polkadot_sdk::frame_support::dispatch::DispatchClass::Normal)
            .base_extrinsic,
    );
    // In a block that started with the queue empty the extrinsic gives back the database
    // weight of the keys its dispatch finds in the block's changes (`same_block_saving`).
    // The first message of the block to ping gives back its own keys; each next one, ping's
    // too (the run loaded ping just before).
    let (first_saving, saving) = ext.execute_with(|| {
        pallet_gear::messenger::DrainedAtBlockStart::<Runtime>::put(true);
        let saving = (
            Gear::same_block_saving(true, true, false),
            Gear::same_block_saving(true, true, true),
        );
        pallet_gear::messenger::DrainedAtBlockStart::<Runtime>::kill();
        saving
    });
    // The queue's charge: the benchmarked cost of the dispatch is already in the block's weight
    // when the extrinsic that queued it is in the same block; a backlog's dispatch pays it.
    let backlog = Gear::max_dispatch_weight(0, 0, 0).saturating_add(Weight::from_parts(burned, 0));
    let queue = backlog.saturating_sub(Gear::dispatch_overhead());
    let weight = extrinsic.saturating_sub(saving).saturating_add(queue);
    let backlog_weight = extrinsic.saturating_add(backlog);
    println!(
        "send_message(4): {:.1} µs declared; in a block that started without a backlog {:.1} µs \
         used by the block's first message to a program, {:.1} µs by each next one",
        extrinsic.ref_time() as f64 / 1e6,
        extrinsic.saturating_sub(first_saving).ref_time() as f64 / 1e6,
        extrinsic.saturating_sub(saving).ref_time() as f64 / 1e6,
    );
    let block = 2.0e12;
    println!(
        "ping round trip: {:.1} µs in the runtime (dry run, extrinsic body + queue + rollback); \
         charged {:.1} µs run in its own block (extrinsic {:.1} µs + queue {:.1} µs, of which gas \
         {:.1} µs), {:.1} µs run from a backlog; per 2 s block: {:.0} by weight ({:.0} from a \
         backlog), {:.0} by measured time",
        t.as_secs_f64() * 1e6,
        weight.ref_time() as f64 / 1e6,
        extrinsic.saturating_sub(saving).ref_time() as f64 / 1e6,
        queue.ref_time() as f64 / 1e6,
        burned as f64 / 1e6,
        backlog_weight.ref_time() as f64 / 1e6,
        block / weight.ref_time() as f64,
        block / backlog_weight.ref_time() as f64,
        block / (t.as_secs_f64() * 1e12),
    );
}

/// Loads and stores: each round reads a word of the first WASM page and writes it back changed.
fn memory_access_program(iterations: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"
        (module
          (import "env" "memory" (memory 1))
          (export "handle" (func $handle))
          (func $handle (local $i i32) (local $a i32)
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (i32.const {iterations})))
                (local.set $a (i32.shl (i32.and (local.get $i) (i32.const 4095)) (i32.const 3)))
                (i64.store (local.get $a)
                  (i64.add (i64.load (local.get $a)) (i64.extend_i32_u (local.get $i))))
                (i32.store offset=32768 (local.get $a)
                  (i32.xor (i32.load offset=32768 (local.get $a)) (local.get $i)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))))
    "#
    ))
    .unwrap()
}

/// Calls: each round a direct call and an indirect one through the table.
fn calls_program(iterations: u32) -> Vec<u8> {
    wat::parse_str(format!(r#"
        (module
          (import "env" "memory" (memory 1))
          (export "handle" (func $handle))
          (type $t (func (param i64) (result i64)))
          (table 2 funcref)
          (elem (i32.const 0) $f $g)
          (func $f (param $x i64) (result i64) (i64.add (local.get $x) (i64.const 3)))
          (func $g (param $x i64) (result i64) (i64.mul (local.get $x) (i64.const 5)))
          (func $handle (local $i i32) (local $x i64)
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (i32.const {iterations})))
                (local.set $x (call $f (local.get $x)))
                (local.set $x (call_indirect (type $t) (local.get $x) (i32.and (local.get $i) (i32.const 1))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (i64.store (i32.const 0) (local.get $x))))
    "#)).unwrap()
}

/// Syscalls: each round calls `gr_size` (the cheapest syscall: the host round trip itself).
fn syscall_program(iterations: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "gr_size" (func $size (param i32)))
          (export "handle" (func $handle))
          (func $handle (local $i i32)
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (i32.const {iterations})))
                (call $size (i32.const 16))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))))
    "#
    ))
    .unwrap()
}

/// Payload reads: each round copies the whole payload into memory with `gr_read`.
fn read_program(iterations: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"
        (module
          (import "env" "memory" (memory 2))
          (import "env" "gr_size" (func $size (param i32)))
          (import "env" "gr_read" (func $read (param i32 i32 i32 i32)))
          (export "handle" (func $handle))
          (func $handle (local $i i32) (local $len i32)
            (call $size (i32.const 0))
            (local.set $len (i32.load (i32.const 0)))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (i32.const {iterations})))
                (call $read (i32.const 0) (local.get $len) (i32.const 65536) (i32.const 8))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))))
    "#
    ))
    .unwrap()
}

/// Memory growth: `alloc`s `pages` WASM pages and writes into every 16 KiB Gear page of them,
/// so the grown memory is zero-filled, written, diffed and returned as changed pages.
fn grow_program(pages: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (export "handle" (func $handle))
          (func $handle (local $p i32) (local $end i32)
            (local.set $p (i32.shl (call $alloc (i32.const {pages})) (i32.const 16)))
            (local.set $end (i32.add (local.get $p) (i32.const {bytes})))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
                (i32.store (local.get $p) (i32.const 1))
                (local.set $p (i32.add (local.get $p) (i32.const 16384)))
                (br $next)))))
    "#,
        bytes = pages * 65536
    ))
    .unwrap()
}

/// A program whose `pages` static WASM pages (no stack end: all persisted) are restored before
/// and scanned for changes after an empty `handle`: the per-page cost of persisted memory.
fn persisted_program(pages: u32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (import "env" "memory" (memory {pages})) (export "handle" (func $h)) (func $h))"#
    ))
    .unwrap()
}

/// A module of `functions` small functions and a `handle` that calls each once: instantiation
/// and code translation dominate.
fn many_functions_program(functions: usize) -> Vec<u8> {
    let body: String = (0..functions)
        .map(|i| format!("(func $f{i} (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const {i})) (i32.const 7)))"))
        .collect();
    // `handle` calls every function once: wasmi translates a function when it is first called
    // (`CompilationMode::LazyTranslation`), so this measures the whole translation.
    let calls: String = (0..functions)
        .map(|i| format!("(local.set 0 (call $f{i} (local.get 0)))"))
        .collect();
    wat::parse_str(format!(
        r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h (local i32) {calls}) {body})"#
    ))
    .unwrap()
}

/// A workload for `--ratios`: what it stresses, its code and payload.
struct Workload {
    /// The schedule part it measures: `instructions`, `syscalls`, `memory` (growth),
    /// `persisted` (restoring and scanning memory) or `instantiation`.
    part: &'static str,
    name: &'static str,
    code: Vec<u8>,
    payload: Vec<u8>,
}

/// Workloads that never finish: they run until the gas limit ends them, which is their result.
const UNTIL_OUT_OF_GAS: &[&str] = &["empty-loop"];

fn workloads() -> Vec<Workload> {
    let w = |part, name, code, payload| Workload {
        part,
        name,
        code,
        payload,
    };
    // Sized to fit the dry run's gas (400 G) at twice the instruction price of 2026-12-05;
    // ps per gas does not depend on the size.
    vec![
        w(
            "instructions",
            "compute",
            compute_program(1_000_000),
            vec![],
        ),
        w(
            "instructions",
            "memory-access",
            memory_access_program(1_000_000),
            vec![],
        ),
        w("instructions", "calls", calls_program(500_000), vec![]),
        // `(loop (br 0))`: one instruction per metered block, the most metering per gas.
        w(
            "instructions",
            "empty-loop",
            gear_examples::infinite_loop(),
            vec![],
        ),
        w("syscalls", "gr_size", syscall_program(200_000), vec![]),
        w(
            "syscalls",
            "gr_read-4KiB",
            read_program(20_000),
            vec![0x5a; 4096],
        ),
        // 36 WASM pages: 144 stored pages, within what one program may keep
        // (`Pallet::max_stored_pages`, 146); 255 (16 MiB) ran into `MemoryOverflow` once that
        // bound existed.
        w("memory", "grow-36-pages", grow_program(36), vec![]),
        w(
            "persisted",
            "persisted-255-pages",
            persisted_program(255),
            vec![],
        ),
        w(
            "instantiation",
            "6000-functions",
            many_functions_program(6000),
            vec![],
        ),
    ]
}

/// `--ratios`: for each workload, time inside the runtime (the runtime WASM on the node's
/// executor, `GearEngineApi_run_handle`) per unit of gas it is charged, with the runtime's
/// schedule. A ratio above 1.0 means that gas undercharges the runtime's real execution time
/// (1 gas = 1 ps of weight). One line per workload:
/// `ratio <part> <name> <ps per gas> <in-runtime ms> <native ms> <gas>`, after one
/// `factor <part> <permille>` line per part;
/// `scripts/bench-schedule.sh` reads them.
fn ratios() {
    use gear_runtime::gear_schedule as factors;
    // The factors on Gear's weights the ratios are measured under.
    for (part, permille) in [
        ("instructions", factors::INSTRUCTIONS_PERMILLE),
        ("syscalls", factors::SYSCALLS_PERMILLE),
        ("memory", factors::MEMORY_PERMILLE),
        ("instantiation", factors::INSTANTIATION_PERMILLE),
        ("persisted", factors::PERSISTED_PERMILLE),
    ] {
        println!("factor {part} {permille}");
    }
    let schedule = runtime_schedule();
    for Workload {
        part,
        name,
        code,
        payload,
    } in workloads()
    {
        let validated = validate_and_instrument(code.clone(), &schedule).unwrap();
        let memory = ProgramMemory::default();
        let native = time(5, || {
            run(
                &validated,
                &memory,
                DispatchKind::Handle,
                &payload,
                gear_engine::execute,
            )
        });
        let (mut t, result) = in_runtime_with(&code, &payload, 5);
        if UNTIL_OUT_OF_GAS.contains(&name) {
            assert_eq!(
                result.error,
                Some(gear_core_errors::SimpleExecutionError::RanOutOfGas),
                "{name} runs out of gas"
            );
        } else {
            assert_eq!(result.error, None, "{name}: {result:?}");
        }
        let mut charged = result.gas_burned as f64;
        if part == "instantiation" {
            // What the block counts besides the gas: the run translating the code. The
            // upload-time validation `run_handle` also does is timed apart and taken off.
            use codec::Encode;
            let (validate, _) = runtime_call("GearEngineApi_validate_code", &code.encode(), 5);
            t = t.saturating_sub(validate);
            charged +=
                (pallet_gear::TRANSLATION_PS_PER_BYTE * validated.instrumented.len() as u64) as f64;
        }
        let ps_per_gas = t.as_secs_f64() * 1e12 / charged;
        println!(
            "ratio {part} {name} {ps_per_gas:.3} {:.2} {:.2} {}",
            t.as_secs_f64() * 1e3,
            native.as_secs_f64() * 1e3,
            result.gas_burned
        );
    }
}

fn main() {
    if std::env::args().any(|arg| arg == "--check") {
        return check();
    }
    if std::env::args().any(|arg| arg == "--estimates") {
        return estimates(11);
    }
    if std::env::args().any(|arg| arg == "--ratios") {
        return ratios();
    }
    if std::env::args().any(|arg| arg == "--schedule-defaults") {
        // Gear's own numbers for the parts `scripts/bench-schedule.sh` scales, as `{:#?}`.
        let gear = Schedule::default();
        println!("== instruction_weights\n{:#?}", gear.instruction_weights);
        println!("== syscall_weights\n{:#?}", gear.syscall_weights);
        println!("== memory_weights\n{:#?}", gear.memory_weights);
        println!(
            "== instantiation_weights\n{:#?}",
            gear.instantiation_weights
        );
        println!(
            "== memory_scan_per_wasm_page\n{}",
            gear_engine::MEMORY_SCAN_COST_PER_WASM_PAGE
        );
        return;
    }
    let schedule = runtime_schedule();
    // `--compute`: only the compute loop, native and inside the runtime (the interpreter's
    // in-runtime slowdown, quick to re-measure).
    let compute_only = std::env::args().any(|arg| arg == "--compute");

    println!("## upload (validate + instrument)");
    let big = {
        // A larger module: the counter program padded with many copies of a function.
        let functions: String = (0..2000)
            .map(|i| format!("(func $f{i} (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const {i})) (i32.const 7)))"))
            .collect();
        wat::parse_str(format!(r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h) {functions})"#)).unwrap()
    };
    for (name, code) in [
        ("ping (gstd)", gear_examples::ping().to_vec()),
        ("counter (gstd)", gear_examples::counter().to_vec()),
        ("2000 functions (WAT)", big),
    ]
    .into_iter()
    .filter(|_| !compute_only)
    {
        let kib = code.len() as f64 / 1024.0;
        let t = time(21, || {
            validate_and_instrument(code.clone(), &schedule).unwrap()
        });
        println!(
            "{name}: {} bytes, {:.1} µs total, {:.1} µs/KiB",
            code.len(),
            t.as_secs_f64() * 1e6,
            t.as_secs_f64() * 1e6 / kib
        );
    }

    println!("## compute (instrumented integer loop)");
    let rounds = 1_000_000u32;
    let code = validate_and_instrument(compute_program(rounds), &schedule).unwrap();
    let memory = ProgramMemory::default();
    let mut results = Vec::new();
    for (name, execute) in [
        ("wasmi", gear_engine::execute as Execute),
        ("wasmtime", wasmtime_backend::execute as Execute),
    ] {
        let outcome = run(&code, &memory, DispatchKind::Handle, &[], execute);
        assert!(!outcome.is_trap(), "{outcome:?}");
        let t = time(7, || {
            run(&code, &memory, DispatchKind::Handle, &[], execute)
        });
        let per_second = (u64::from(rounds) * INSTRUCTIONS_PER_ROUND) as f64 / t.as_secs_f64();
        println!(
            "{name}: {:.1} ms, {:.0} M instructions/s, gas burned {}",
            t.as_secs_f64() * 1e3,
            per_second / 1e6,
            outcome.gas_burned
        );
        results.push(t);
    }
    println!(
        "wasmi / wasmtime time ratio: {:.1}x",
        results[0].as_secs_f64() / results[1].as_secs_f64()
    );

    // The same program on wasmi compiled into the runtime WASM, run the way the node runs the
    // runtime (sc-executor, wasmtime-compiled runtime), through `GearEngineApi_run_handle`.
    let (t, in_rt) = in_runtime(&compute_program(rounds), 5);
    assert_eq!(in_rt.error, None, "{in_rt:?}");
    let per_second = (u64::from(rounds) * INSTRUCTIONS_PER_ROUND) as f64 / t.as_secs_f64();
    println!(
        "wasmi inside the runtime: {:.1} ms, {:.0} M instructions/s, gas burned {}",
        t.as_secs_f64() * 1e3,
        per_second / 1e6,
        in_rt.gas_burned
    );
    println!(
        "in-runtime wasmi / native wasmi time ratio: {:.1}x",
        t.as_secs_f64() / results[0].as_secs_f64()
    );

    if compute_only {
        return;
    }

    println!("## instantiation (trivial handle; fresh wasmi module each time)");
    for functions in [0usize, 500, 2000, 8000] {
        let body: String = (0..functions)
            .map(|i| format!("(func $f{i} (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const {i})) (i32.const 7)))"))
            .collect();
        let code = wat::parse_str(format!(
            r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h) {body})"#
        ))
        .unwrap();
        let code = validate_and_instrument(code, &schedule).unwrap();
        let t = time(21, || {
            run(
                &code,
                &memory,
                DispatchKind::Handle,
                &[],
                gear_engine::execute,
            )
        });
        println!(
            "code {:.1} KiB instrumented: {:.1} µs",
            code.instrumented.len() as f64 / 1024.0,
            t.as_secs_f64() * 1e6
        );
    }
    for pages in [0u32, 16, 64, 160] {
        // A program with `pages` WASM pages of persisted memory above its stack end (page 1).
        let code = wat::parse_str(format!(
            r#"(module (import "env" "memory" (memory {})) (export "handle" (func $h)) (func $h)
                 (global (export "__gear_stack_end") i32 (i32.const 65536)))"#,
            pages + 1
        ))
        .unwrap();
        let code = validate_and_instrument(code, &schedule).unwrap();
        let mut memory = ProgramMemory::default();
        for page in 4..(pages + 1) * 4 {
            memory.pages.insert(
                page,
                vec![page as u8; gear_engine::memory::PAGE_SIZE as usize],
            );
        }
        let t = time(11, || {
            run(
                &code,
                &memory,
                DispatchKind::Handle,
                &[],
                gear_engine::execute,
            )
        });
        println!(
            "{pages} persisted WASM pages ({} KiB): {:.1} µs",
            pages * 64,
            t.as_secs_f64() * 1e6
        );
    }

    println!("## dispatch (PING to the gstd ping program)");
    let ping = validate_and_instrument(gear_examples::ping().to_vec(), &schedule).unwrap();
    for (name, execute) in [
        ("wasmi", gear_engine::execute as Execute),
        ("wasmtime", wasmtime_backend::execute as Execute),
    ] {
        let mut memory = ProgramMemory::default();
        let init = run(&ping, &memory, DispatchKind::Init, &[], execute);
        init.memory.apply(&mut memory);
        let t = time(51, || {
            run(&ping, &memory, DispatchKind::Handle, b"PING", execute)
        });
        let outcome = run(&ping, &memory, DispatchKind::Handle, b"PING", execute);
        println!(
            "{name}: {:.1} µs per PING, gas burned {}",
            t.as_secs_f64() * 1e6,
            outcome.gas_burned
        );
    }

    // What the queue does: one executor per run, the code compiled once.
    let mut executor = gear_engine::WasmiExecutor::new();
    let key = Some(ping.code_id.into_bytes());
    let mut cached = |kind, payload: &[u8], memory: &ProgramMemory| {
        executor.execute(
            key,
            ProgramCode {
                instrumented: &ping.instrumented,
                meta: &ping.meta,
            },
            memory,
            dispatch(kind, payload),
            &ExecutionInput {
                gas_limit: 400_000_000_000,
                ..Default::default()
            },
            &runtime_config(),
        )
    };
    let mut memory = ProgramMemory::default();
    let init = cached(DispatchKind::Init, &[], &memory);
    init.memory.apply(&mut memory);
    let t = time(51, || cached(DispatchKind::Handle, b"PING", &memory));
    println!(
        "wasmi, cached module (as the queue runs): {:.1} µs per PING",
        t.as_secs_f64() * 1e6
    );

    println!("## gas estimates (gear_calculateGasForHandle, inside the runtime)");
    estimates(11);
}
