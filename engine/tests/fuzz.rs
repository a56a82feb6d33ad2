//! Differential fuzzing: randomly generated modules (`wasm-smith`, no floats, importing Gear's
//! memory and exporting `handle`) that pass validation run on wasmi and wasmtime; results and gas
//! must be identical. The seed is fixed, so a failure reproduces.
#![cfg(feature = "wasmtime")]

use arbitrary::Unstructured;
use gear_core::message::DispatchKind;
use gear_engine::{
    validate_and_instrument, wasmtime_backend, Dispatch, ExecutionConfig, ExecutionInput,
    ProgramCode, ProgramMemory, Schedule,
};
use gprimitives::{ActorId, MessageId};

const MODULES: usize = 1000;

/// A small deterministic generator (xorshift64*) for the fuzzer's input bytes.
struct Bytes(u64);

impl Bytes {
    fn fill(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.0 ^= self.0 >> 12;
                self.0 ^= self.0 << 25;
                self.0 ^= self.0 >> 27;
                (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }
}

fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        available_imports: Some(
            wat::parse_str(r#"(module (import "env" "memory" (memory 1)))"#).unwrap(),
        ),
        exports: Some(wat::parse_str(r#"(module (func (export "handle")))"#).unwrap()),
        min_imports: 1,
        max_memories: 1,
        max_memory32_bytes: 4 * 65536,
        allow_floats: false,
        simd_enabled: false,
        relaxed_simd_enabled: false,
        reference_types_enabled: false,
        bulk_memory_enabled: false,
        multi_value_enabled: false,
        saturating_float_to_int_enabled: false,
        exceptions_enabled: false,
        threads_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        extended_const_enabled: false,
        allow_start_export: false,
        max_tables: 1,
        max_funcs: 20,
        max_instructions: 200,
        ..Default::default()
    }
}

#[test]
fn generated_modules_give_the_same_result_and_gas_on_both_backends() {
    let schedule = Schedule::default();
    let exec_config = ExecutionConfig::default();
    let mut bytes = Bytes(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut trapped) = (0, 0);
    for i in 0..MODULES {
        let data = bytes.fill(4096);
        let mut u = Unstructured::new(&data);
        let Ok(module) = wasm_smith::Module::new(config(), &mut u) else {
            continue;
        };
        let Ok(code) = validate_and_instrument(module.to_bytes(), &schedule) else {
            continue;
        };
        accepted += 1;
        let dispatch = Dispatch {
            kind: DispatchKind::Handle,
            id: MessageId::from(i as u64),
            source: ActorId::from(1u64),
            destination: ActorId::from(2u64),
            payload: b"fuzz".to_vec(),
            value: 0,
            details: None,
            context: None,
        };
        let input = ExecutionInput {
            gas_limit: 200_000_000,
            ..Default::default()
        };
        let program = ProgramCode {
            instrumented: &code.instrumented,
            meta: &code.meta,
        };
        let memory = ProgramMemory::default();
        let on_wasmi =
            gear_engine::execute(program, &memory, dispatch.clone(), &input, &exec_config);
        let on_wasmtime =
            wasmtime_backend::execute(program, &memory, dispatch, &input, &exec_config);
        assert_eq!(
            on_wasmi,
            on_wasmtime,
            "module {i} differs between wasmi and wasmtime ({} bytes)",
            module.to_bytes().len()
        );
        trapped += usize::from(on_wasmi.is_trap());
    }
    // The generator must actually exercise the backends.
    assert!(
        accepted >= 80,
        "only {accepted} of {MODULES} generated modules validated"
    );
    println!("{accepted} modules compared, {trapped} trapped");
}
