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
        &ExecutionConfig::default(),
    )
}

/// Runs `code`'s `handle` through the runtime API `GearEngineApi_run_handle` on the runtime WASM
/// with the executor the node uses; the median of `runs` calls (validation included, which is
/// small against the loop).
fn in_runtime(code: &[u8], runs: usize) -> (Duration, gear_primitives::CodeRun) {
    use codec::{Decode, Encode};
    use polkadot_sdk::{
        sp_core::traits::{CallContext, CodeExecutor, RuntimeCode},
        sp_state_machine::BasicExternalities,
    };
    let (executor, wrapped, hash) = runtime_executor();
    let runtime_code = RuntimeCode {
        code_fetcher: &wrapped,
        heap_pages: None,
        // Only a cache key for the executor: blake2b-256 of the blob.
        hash,
    };
    let mut ext = BasicExternalities::default();
    let data = (code.to_vec(), Vec::<u8>::new(), 400_000_000_000u64).encode();
    let mut call = || {
        let (result, _) = executor.call(
            &mut ext,
            &runtime_code,
            "GearEngineApi_run_handle",
            &data,
            CallContext::Offchain,
        );
        let bytes = result.expect("the runtime call succeeds");
        Result::<gear_primitives::CodeRun, Vec<u8>>::decode(&mut &bytes[..])
            .expect("decodes")
            .expect("the code validates")
    };
    // The first call compiles the runtime.
    let first = call();
    (time(runs, &mut call), first)
}

/// `--check`: the compute program gives the same gas and reply inside the runtime WASM as on
/// native wasmi (run by `bench/tests/in_runtime.rs`; no timing).
fn check() {
    let schedule = Schedule::default();
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
}

fn main() {
    if std::env::args().any(|arg| arg == "--check") {
        return check();
    }
    if std::env::args().any(|arg| arg == "--estimates") {
        return estimates(11);
    }
    let schedule = Schedule::default();

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
    ] {
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
    let rounds = 2_000_000u32;
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
            &ExecutionConfig::default(),
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
