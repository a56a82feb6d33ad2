//! Engine tests: validation rules (table-driven, hand-written WAT), metering, persistence and
//! trap mapping, on real gstd programs built by gear-wasm-builder.

use codec::{Decode, Encode};
use gear_core::message::DispatchKind;
use gear_core_errors::SimpleExecutionError;
use gear_engine::{
    code::{CodeError, MAX_PAGES},
    execute, validate_and_instrument, validate_and_instrument_with, BlockInfo, Dispatch,
    ExecutionConfig, ExecutionInput, ExecutionOutcome, ExecutionStatus, Executor, ProgramCode,
    ProgramMemory, Schedule, SyscallName, ValidatedCode,
};
use gprimitives::{ActorId, MessageId};

const GAS: u64 = 10_000_000_000;

fn validate(code: Vec<u8>) -> Result<ValidatedCode, CodeError> {
    validate_and_instrument(code, &Schedule::default())
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid WAT")
}

fn dispatch(kind: DispatchKind, payload: &[u8], nonce: u64) -> Dispatch {
    Dispatch {
        kind,
        id: MessageId::from(nonce),
        source: ActorId::from(1u64),
        destination: ActorId::from(2u64),
        payload: payload.to_vec(),
        value: 0,
        details: None,
        context: None,
    }
}

/// A program and its memory, executed dispatch after dispatch like the pallet does.
struct Program {
    code: ValidatedCode,
    memory: ProgramMemory,
    nonce: u64,
}

impl Program {
    fn new(code: &[u8]) -> Self {
        Self {
            code: validate(code.to_vec()).expect("example validates"),
            memory: Default::default(),
            nonce: 0,
        }
    }

    fn run(&mut self, kind: DispatchKind, payload: &[u8], gas: u64) -> ExecutionOutcome {
        self.run_with(kind, payload, gas, &ExecutionConfig::default())
    }

    fn run_with(
        &mut self,
        kind: DispatchKind,
        payload: &[u8],
        gas: u64,
        config: &ExecutionConfig,
    ) -> ExecutionOutcome {
        self.nonce += 1;
        let outcome = execute(
            ProgramCode {
                instrumented: &self.code.instrumented,
                meta: &self.code.meta,
            },
            &self.memory,
            dispatch(kind, payload, self.nonce),
            &ExecutionInput {
                block: BlockInfo {
                    height: 7,
                    timestamp: 42_000,
                    ..Default::default()
                },
                gas_limit: gas,
                ..Default::default()
            },
            config,
        );
        if !outcome.is_trap() {
            outcome.memory.clone().apply(&mut self.memory);
        }
        outcome
    }
}

fn reply_payload(outcome: &ExecutionOutcome) -> Vec<u8> {
    assert_eq!(outcome.status, ExecutionStatus::Success, "{outcome:?}");
    outcome.reply.as_ref().expect("a reply").payload.clone()
}

#[test]
fn ping_replies_pong() {
    let mut ping = Program::new(gear_examples::ping());
    assert_eq!(
        ping.run(DispatchKind::Init, b"", GAS).status,
        ExecutionStatus::Success
    );
    let outcome = ping.run(DispatchKind::Handle, b"PING", GAS);
    assert_eq!(reply_payload(&outcome), b"PONG");
    let reply_id = outcome.reply.unwrap().id;
    use gear_core::ids::prelude::MessageIdExt;
    assert_eq!(reply_id, MessageId::generate_reply(MessageId::from(2u64)));
    assert!(outcome.gas_burned > 0 && outcome.gas_burned < GAS);
    // Anything else gets no reply.
    let outcome = ping.run(DispatchKind::Handle, b"HELLO", GAS);
    assert_eq!(outcome.status, ExecutionStatus::Success);
    assert!(outcome.reply.is_none());
}

#[test]
fn counter_state_persists_between_dispatches() {
    let mut counter = Program::new(gear_examples::counter());
    assert_eq!(
        counter.run(DispatchKind::Init, b"", GAS).status,
        ExecutionStatus::Success
    );
    let first = counter.run(DispatchKind::Handle, &5u64.encode(), GAS);
    assert_eq!(u64::decode(&mut &reply_payload(&first)[..]).unwrap(), 5);
    assert!(
        !first.memory.pages.is_empty(),
        "the total lives in a persisted page"
    );
    let second = counter.run(DispatchKind::Handle, &7u64.encode(), GAS);
    assert_eq!(u64::decode(&mut &reply_payload(&second)[..]).unwrap(), 12);
    // Only pages above the stack end are persisted.
    let stack_end = counter
        .code
        .meta
        .stack_end
        .expect("gstd programs export a stack end");
    assert!(counter
        .memory
        .pages
        .keys()
        .all(|page| *page >= stack_end * 4));
}

#[test]
fn a_trap_discards_memory_changes() {
    let mut counter = Program::new(gear_examples::counter());
    counter.run(DispatchKind::Init, b"", GAS);
    counter.run(DispatchKind::Handle, &10u64.encode(), GAS);
    let before = counter.memory.clone();
    let panicked = counter.run(DispatchKind::Handle, &[1, 2, 3], GAS);
    match &panicked.status {
        ExecutionStatus::Trap { reason, message } => {
            assert_eq!(*reason, SimpleExecutionError::UserspacePanic);
            let text = String::from_utf8_lossy(message);
            assert!(
                text.contains("payload must be a SCALE u64"),
                "panic message: {text}"
            );
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert!(panicked.reply.is_none() && panicked.memory.pages.is_empty());
    assert_eq!(counter.memory, before);
    let next = counter.run(DispatchKind::Handle, &1u64.encode(), GAS);
    assert_eq!(u64::decode(&mut &reply_payload(&next)[..]).unwrap(), 11);
}

#[test]
fn infinite_loop_runs_out_of_gas_at_exactly_its_limit_every_time() {
    let mut looping = Program::new(&gear_examples::infinite_loop());
    looping.run(DispatchKind::Init, b"", GAS);
    for gas in [1_000_000u64, GAS, 123_456_789] {
        let runs: Vec<_> = (0..2)
            .map(|_| looping.run(DispatchKind::Handle, b"", gas))
            .collect();
        for outcome in &runs {
            assert!(matches!(
                outcome.status,
                ExecutionStatus::Trap {
                    reason: SimpleExecutionError::RanOutOfGas,
                    ..
                }
            ));
            assert_eq!(outcome.gas_burned, gas);
        }
        assert_eq!(runs[0], runs[1]);
    }
}

#[test]
fn gas_is_deterministic() {
    let burned = |_: u32| {
        let mut counter = Program::new(gear_examples::counter());
        counter.run(DispatchKind::Init, b"", GAS);
        counter
            .run(DispatchKind::Handle, &3u64.encode(), GAS)
            .gas_burned
    };
    assert_eq!(burned(0), burned(1));
}

#[test]
fn too_little_gas_for_loading_fails_before_running() {
    let mut ping = Program::new(gear_examples::ping());
    let outcome = ping.run(DispatchKind::Handle, b"PING", 10);
    assert!(matches!(
        outcome.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::RanOutOfGas,
            ..
        }
    ));
    assert_eq!(outcome.gas_burned, 10);
}

#[test]
fn syscalls_report_the_dispatch_and_block() {
    // handle: writes gr_block_height, gr_block_timestamp, gr_source, gr_value, gr_message_id,
    // gr_program_id and gr_gas_available into memory and replies with those 156 bytes.
    let code = wat(r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "gr_block_height" (func $height (param i32)))
          (import "env" "gr_block_timestamp" (func $timestamp (param i32)))
          (import "env" "gr_source" (func $source (param i32)))
          (import "env" "gr_value" (func $value (param i32)))
          (import "env" "gr_message_id" (func $message_id (param i32)))
          (import "env" "gr_program_id" (func $program_id (param i32)))
          (import "env" "gr_gas_available" (func $gas (param i32)))
          (import "env" "gr_reply" (func $reply (param i32 i32 i32 i32)))
          (export "handle" (func $handle))
          (func $handle
            (call $height (i32.const 0))
            (call $timestamp (i32.const 4))
            (call $source (i32.const 12))
            (call $value (i32.const 44))
            (call $message_id (i32.const 60))
            (call $program_id (i32.const 92))
            (call $gas (i32.const 124))
            (call $reply (i32.const 0) (i32.const 132) (i32.const -1) (i32.const 200))))
    "#);
    let mut program = Program::new(&code);
    let outcome = program.run(DispatchKind::Handle, b"", GAS);
    let payload = reply_payload(&outcome);
    assert_eq!(u32::from_le_bytes(payload[0..4].try_into().unwrap()), 7);
    assert_eq!(
        u64::from_le_bytes(payload[4..12].try_into().unwrap()),
        42_000
    );
    assert_eq!(&payload[12..44], ActorId::from(1u64).as_ref());
    assert_eq!(u128::from_le_bytes(payload[44..60].try_into().unwrap()), 0);
    assert_eq!(&payload[60..92], MessageId::from(1u64).as_ref());
    assert_eq!(&payload[92..124], ActorId::from(2u64).as_ref());
    let gas_left = u64::from_le_bytes(payload[124..132].try_into().unwrap());
    assert!(gas_left > 0 && gas_left < GAS);
}

#[test]
fn out_of_bounds_syscall_pointer_traps() {
    let code = wat(r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "gr_source" (func $source (param i32)))
          (export "handle" (func $handle))
          (func $handle (call $source (i32.const 65530))))
    "#);
    let mut program = Program::new(&code);
    let outcome = program.run(DispatchKind::Handle, b"", GAS);
    // Gear: an infallible syscall's memory access out of bounds is a backend error.
    assert!(matches!(
        outcome.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::BackendError,
            ..
        }
    ));
}

#[test]
fn unreachable_and_deep_recursion_map_to_gear_reasons() {
    let unreachable = wat(
        r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h unreachable))"#,
    );
    let outcome = Program::new(&unreachable).run(DispatchKind::Handle, b"", GAS);
    assert!(matches!(
        outcome.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::UnreachableInstruction,
            ..
        }
    ));

    let recursion = wat(
        r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h call $h))"#,
    );
    let outcome = Program::new(&recursion).run(DispatchKind::Handle, b"", GAS);
    assert!(matches!(
        outcome.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::StackLimitExceeded,
            ..
        }
    ));
}

#[test]
fn alloc_grows_memory_and_is_persisted() {
    // handle: alloc(1) page, write 0xAB at its start, reply with the page number.
    let code = wat(r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (import "env" "gr_reply" (func $reply (param i32 i32 i32 i32)))
          (export "handle" (func $handle))
          (func $handle (local $page i32)
            (local.set $page (call $alloc (i32.const 1)))
            (i32.store8 (i32.mul (local.get $page) (i32.const 65536)) (i32.const 171))
            (i32.store (i32.const 0) (local.get $page))
            (call $reply (i32.const 0) (i32.const 4) (i32.const -1) (i32.const 100))))
    "#);
    let mut program = Program::new(&code);
    let outcome = program.run(DispatchKind::Handle, b"", GAS);
    assert_eq!(reply_payload(&outcome), 1u32.to_le_bytes());
    assert_eq!(program.memory.allocations, vec![(1, 1)]);
    assert_eq!(program.memory.pages.get(&4).map(|p| p[0]), Some(0xAB));
    // The next run allocates the next page: the first one is still taken.
    let outcome = program.run(DispatchKind::Handle, b"", GAS);
    assert_eq!(reply_payload(&outcome), 2u32.to_le_bytes());
}

#[test]
fn only_allocated_and_static_pages_are_kept() {
    // handle: alloc(2) pages and write into both; free both in the same call unless the payload
    // says "keep"; write static page 0 in any case.
    let code = wat(r#"
        (module
          (import "env" "memory" (memory 1))
          (import "env" "alloc" (func $alloc (param i32) (result i32)))
          (import "env" "free_range" (func $free_range (param i32 i32) (result i32)))
          (import "env" "gr_size" (func $size (param i32)))
          (export "handle" (func $handle))
          (func $handle (local $page i32)
            (local.set $page (call $alloc (i32.const 2)))
            (i32.store8 (i32.mul (local.get $page) (i32.const 65536)) (i32.const 1))
            (i32.store8 (i32.mul (i32.add (local.get $page) (i32.const 1)) (i32.const 65536))
              (i32.const 1))
            (call $size (i32.const 8))
            (if (i32.eqz (i32.load (i32.const 8)))
              (then (drop (call $free_range (local.get $page)
                (i32.add (local.get $page) (i32.const 1))))))
            (i32.store8 (i32.const 0) (i32.const 7))))
    "#);
    let stored = |program: &Program| program.memory.pages.keys().copied().collect::<Vec<_>>();

    // Allocated, written and freed in one call: nothing of it is kept.
    let mut program = Program::new(&code);
    assert!(!program.run(DispatchKind::Handle, b"", GAS).is_trap());
    assert!(program.memory.allocations.is_empty());
    assert_eq!(stored(&program), vec![0], "only the static page is stored");

    // Kept: allocated and stored; a later call that allocates and frees two more pages
    // leaves them as they are.
    let mut program = Program::new(&code);
    assert!(!program.run(DispatchKind::Handle, b"keep", GAS).is_trap());
    assert_eq!(program.memory.allocations, vec![(1, 2)]);
    assert_eq!(stored(&program), vec![0, 4, 8]);
    assert!(!program.run(DispatchKind::Handle, b"", GAS).is_trap());
    assert_eq!(program.memory.allocations, vec![(1, 2)]);
    assert_eq!(stored(&program), vec![0, 4, 8]);
}

#[test]
fn stored_pages_are_bounded() {
    // handle: writes the first byte of each of its 3 WASM pages (12 persisted pages).
    let code = wat(r#"
        (module
          (import "env" "memory" (memory 3))
          (export "handle" (func $handle))
          (func $handle (local $p i32)
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $p) (i32.const 196608)))
                (i32.store8 (local.get $p) (i32.const 1))
                (local.set $p (i32.add (local.get $p) (i32.const 16384)))
                (br $next)))))
    "#);
    let config = |max_stored_pages| ExecutionConfig {
        max_stored_pages,
        ..Default::default()
    };
    // At the limit: kept.
    let mut program = Program::new(&code);
    let outcome = program.run_with(DispatchKind::Handle, b"", GAS, &config(12));
    assert_eq!(outcome.status, ExecutionStatus::Success);
    assert_eq!(program.memory.pages.len(), 12);
    // One page over: Gear's memory overflow, nothing kept, the gas used so far burned.
    let mut program = Program::new(&code);
    let outcome = program.run_with(DispatchKind::Handle, b"", GAS, &config(11));
    assert_eq!(
        outcome.status,
        ExecutionStatus::Trap {
            reason: SimpleExecutionError::MemoryOverflow,
            message: Vec::new(),
        }
    );
    assert!(outcome.memory.pages.is_empty() && program.memory.pages.is_empty());
    assert!(outcome.gas_burned > 0);
}

#[test]
fn examples_validate_and_grow_under_instrumentation() {
    for code in [gear_examples::ping(), gear_examples::counter()] {
        let validated = validate(code.to_vec()).unwrap();
        assert!(validated.instrumented.len() > code.len());
        assert!(validated.meta.has_handle);
        assert_eq!(validated.meta.original_code_len as usize, code.len());
    }
}

/// Every `CodeError` variant's name. The match has no wildcard: a new variant does not compile
/// until it is named here, and `validation_rules` then requires a module that triggers it.
fn variant_name(e: &CodeError) -> &'static str {
    match e {
        CodeError::CodeTooLarge { .. } => "CodeTooLarge",
        CodeError::InstrumentedCodeTooLarge { .. } => "InstrumentedCodeTooLarge",
        CodeError::InvalidWasm(_) => "InvalidWasm",
        CodeError::UnknownImport { .. } => "UnknownImport",
        CodeError::UnsupportedSyscall { .. } => "UnsupportedSyscall",
        CodeError::InvalidSyscallSignature { .. } => "InvalidSyscallSignature",
        CodeError::DuplicateImport { .. } => "DuplicateImport",
        CodeError::UnexpectedImportKind { .. } => "UnexpectedImportKind",
        CodeError::MissingMemory => "MissingMemory",
        CodeError::MemoryTooLarge { .. } => "MemoryTooLarge",
        CodeError::MissingSection { .. } => "MissingSection",
        CodeError::UnsupportedSection { .. } => "UnsupportedSection",
        CodeError::MissingEntryPoint => "MissingEntryPoint",
        CodeError::ExcessExport { .. } => "ExcessExport",
        CodeError::InvalidExportSignature { .. } => "InvalidExportSignature",
        CodeError::ExportOfImportedFunction { .. } => "ExportOfImportedFunction",
        CodeError::StackEndNotAligned { .. } => "StackEndNotAligned",
        CodeError::StackEndOutOfStaticMemory { .. } => "StackEndOutOfStaticMemory",
        CodeError::DataSegmentOverlapsStack { .. } => "DataSegmentOverlapsStack",
        CodeError::DataSegmentEndOverflow { .. } => "DataSegmentEndOverflow",
        CodeError::DataSegmentOutOfStaticMemory { .. } => "DataSegmentOutOfStaticMemory",
        CodeError::TooManyDataSegments { .. } => "TooManyDataSegments",
        CodeError::TypeSectionTooLarge { .. } => "TypeSectionTooLarge",
        CodeError::TooManyParameters { .. } => "TooManyParameters",
        CodeError::InstrumentationFailed(_) => "InstrumentationFailed",
    }
}

/// Every variant, as listed in `variant_name`.
const ALL_CODE_ERRORS: &[&str] = &[
    "CodeTooLarge",
    "InstrumentedCodeTooLarge",
    "InvalidWasm",
    "UnknownImport",
    "UnsupportedSyscall",
    "InvalidSyscallSignature",
    "DuplicateImport",
    "UnexpectedImportKind",
    "MissingMemory",
    "MemoryTooLarge",
    "MissingSection",
    "UnsupportedSection",
    "MissingEntryPoint",
    "ExcessExport",
    "InvalidExportSignature",
    "ExportOfImportedFunction",
    "StackEndNotAligned",
    "StackEndOutOfStaticMemory",
    "DataSegmentOverlapsStack",
    "DataSegmentEndOverflow",
    "DataSegmentOutOfStaticMemory",
    "TooManyDataSegments",
    "TypeSectionTooLarge",
    "TooManyParameters",
    "InstrumentationFailed",
];

/// One row per validation rule: a hand-written module and the exact error it must get.
#[test]
fn validation_rules() {
    let memory = r#"(import "env" "memory" (memory 1))"#;
    let handle = r#"(export "handle" (func $h)) (func $h)"#;
    let all = |_| true;
    let schedule = Schedule::default();
    let mut small_code = Schedule::default();
    let looping = wat(&format!(
        r#"(module {memory} (export "handle" (func $h)) (func $h (local i32) (loop (br_if 0 (local.get 0))) (loop (br_if 0 (local.get 0)))))"#
    ));
    small_code.limits.code_len = looping.len() as u32;
    let mut small_types = Schedule::default();
    small_types.limits.type_section_len = 8;
    type Case = (&'static str, Vec<u8>, Schedule, CodeError);
    let s = |name: &str| name.to_string();
    let cases: Vec<Case> = vec![
        (
            "code too large",
            gear_examples::with_custom_section(
                wat(&format!(r#"(module {memory} {handle})"#)),
                512 * 1024,
            ),
            schedule.clone(),
            CodeError::CodeTooLarge {
                len: 524_346,
                limit: schedule.limits.code_len,
            },
        ),
        (
            "instrumented code too large",
            looping.clone(),
            small_code.clone(),
            CodeError::InstrumentedCodeTooLarge {
                len: 0,
                limit: looping.len() as u32,
            },
        ),
        (
            "garbage bytes",
            b"not wasm at all".to_vec(),
            schedule.clone(),
            CodeError::InvalidWasm(String::new()),
        ),
        (
            "floats",
            wat(&format!(
                r#"(module {memory} (export "handle" (func $h)) (func $h (drop (f32.const 1))))"#
            )),
            schedule.clone(),
            CodeError::InvalidWasm(String::new()),
        ),
        (
            "unknown import",
            gear_examples::unknown_import(),
            schedule.clone(),
            CodeError::UnknownImport {
                module: s("env"),
                name: s("gr_steal_funds"),
            },
        ),
        (
            "import outside env",
            wat(&format!(
                r#"(module {memory} (import "evil" "gr_read" (func (param i32 i32 i32 i32))) {handle})"#
            )),
            schedule.clone(),
            CodeError::UnknownImport {
                module: s("evil"),
                name: s("gr_read"),
            },
        ),
        (
            "wrong syscall signature",
            wat(&format!(
                r#"(module {memory} (import "env" "gr_size" (func (param i64))) {handle})"#
            )),
            schedule.clone(),
            CodeError::InvalidSyscallSignature { name: s("gr_size") },
        ),
        (
            "duplicate import",
            wat(&format!(
                r#"(module {memory} (import "env" "gr_size" (func (param i32))) (import "env" "gr_size" (func (param i32))) {handle})"#
            )),
            schedule.clone(),
            CodeError::DuplicateImport { name: s("gr_size") },
        ),
        (
            "imported global",
            wat(&format!(
                r#"(module {memory} (import "env" "gr_size" (global i32)) {handle})"#
            )),
            schedule.clone(),
            CodeError::UnexpectedImportKind {
                kind: s("Global"),
                name: s("gr_size"),
            },
        ),
        (
            "no memory",
            wat(&format!(
                r#"(module (import "env" "gr_leave" (func)) {handle})"#
            )),
            schedule.clone(),
            CodeError::MissingMemory,
        ),
        (
            "too much memory",
            wat(&format!(
                r#"(module (import "env" "memory" (memory {})) {handle})"#,
                MAX_PAGES + 1
            )),
            schedule.clone(),
            CodeError::MemoryTooLarge {
                pages: MAX_PAGES + 1,
                limit: MAX_PAGES,
            },
        ),
        (
            "no imports at all",
            wat(&format!(r#"(module {handle})"#)),
            schedule.clone(),
            CodeError::MissingSection {
                section: s("Import section"),
            },
        ),
        (
            "start section",
            wat(&format!(r#"(module {memory} {handle} (start $h))"#)),
            schedule.clone(),
            CodeError::UnsupportedSection {
                section: s("Start section"),
            },
        ),
        (
            "no entry point",
            wat(&format!(
                r#"(module {memory} (export "handle_reply" (func $h)) (func $h))"#
            )),
            schedule.clone(),
            CodeError::MissingEntryPoint,
        ),
        (
            "export that is no entry point",
            wat(&format!(
                r#"(module {memory} {handle} (export "other" (func $h)))"#
            )),
            schedule.clone(),
            CodeError::ExcessExport { name: s("other") },
        ),
        (
            "entry point with parameters",
            wat(&format!(
                r#"(module {memory} (export "handle" (func $h)) (func $h (param i32)))"#
            )),
            schedule.clone(),
            CodeError::InvalidExportSignature { name: s("handle") },
        ),
        (
            "entry point is a syscall",
            wat(&format!(
                r#"(module {memory} (import "env" "gr_leave" (func $l)) (export "handle" (func $l)) (func $unused))"#
            )),
            schedule.clone(),
            CodeError::ExportOfImportedFunction { name: s("handle") },
        ),
        (
            "misaligned stack end",
            wat(&format!(
                r#"(module {memory} {handle} (global (export "__gear_stack_end") i32 (i32.const 100)))"#
            )),
            schedule.clone(),
            CodeError::StackEndNotAligned { stack_end: 100 },
        ),
        (
            "stack end outside static memory",
            wat(&format!(
                r#"(module {memory} {handle} (global (export "__gear_stack_end") i32 (i32.const 131072)))"#
            )),
            schedule.clone(),
            CodeError::StackEndOutOfStaticMemory {
                stack_end: 131072,
                static_memory: 65536,
            },
        ),
        (
            "data segment in the stack",
            wat(&format!(
                r#"(module (import "env" "memory" (memory 2)) {handle} (global (export "__gear_stack_end") i32 (i32.const 65536)) (data (i32.const 16) "ab"))"#
            )),
            schedule.clone(),
            CodeError::DataSegmentOverlapsStack {
                offset: 16,
                stack_end: 65536,
            },
        ),
        (
            "data segment past 4 GiB",
            wat(&format!(
                r#"(module {memory} {handle} (data (i32.const -1) "ab"))"#
            )),
            schedule.clone(),
            CodeError::DataSegmentEndOverflow { offset: u32::MAX },
        ),
        (
            "data segment out of static memory",
            wat(&format!(
                r#"(module {memory} {handle} (data (i32.const 65535) "ab"))"#
            )),
            schedule.clone(),
            CodeError::DataSegmentOutOfStaticMemory {
                start: 65535,
                end: 65536,
                static_memory: 65536,
            },
        ),
        (
            "too many data segments",
            wat(&format!(
                r#"(module {memory} {handle} {})"#,
                (0..=schedule.limits.data_segments_amount)
                    .map(|i| format!(r#"(data (i32.const {i}) "a")"#))
                    .collect::<String>()
            )),
            schedule.clone(),
            CodeError::TooManyDataSegments {
                limit: schedule.limits.data_segments_amount,
                actual: schedule.limits.data_segments_amount + 1,
            },
        ),
        (
            "type section too large",
            wat(&format!(
                r#"(module {memory} {handle} (type (func (param i32 i64 i32 i64))))"#
            )),
            small_types.clone(),
            CodeError::TypeSectionTooLarge {
                limit: 8,
                actual: 0,
            },
        ),
        (
            "function type with too many parameters",
            wat(&format!(
                r#"(module {memory} {handle} (type (func (param {}))))"#,
                "i32 ".repeat(129)
            )),
            schedule.clone(),
            CodeError::TooManyParameters {
                limit: schedule.limits.parameters,
                actual: 129,
            },
        ),
        (
            "memory.grow",
            wat(&format!(
                r#"(module {memory} (export "handle" (func $h)) (func $h (drop (memory.grow (i32.const 1)))))"#
            )),
            schedule.clone(),
            CodeError::InstrumentationFailed(String::new()),
        ),
    ];
    let name_of = |e: &CodeError| variant_name(e).to_string();
    let mut covered = std::collections::BTreeSet::new();
    let mut wrong = Vec::new();
    for (name, code, schedule, expected) in cases {
        let err = match validate_and_instrument_with(code, &schedule, all) {
            Ok(_) => {
                wrong.push(format!("{name}: accepted"));
                continue;
            }
            Err(err) => err,
        };
        // Strings and lengths that depend on wasmparser's wording or exact encoding are
        // compared by variant only; everything else exactly.
        let loose = matches!(
            expected,
            CodeError::InvalidWasm(_)
                | CodeError::InstrumentationFailed(_)
                | CodeError::InstrumentedCodeTooLarge { .. }
                | CodeError::TypeSectionTooLarge { .. }
                | CodeError::CodeTooLarge { .. }
        );
        let ok = if loose {
            name_of(&err) == name_of(&expected)
        } else {
            err == expected
        };
        if !ok {
            wrong.push(format!("{name}: expected {expected:?}, got {err:?}"));
        }
        // Every refusal reads as a sentence a developer can act on.
        assert!(!err.to_string().is_empty());
        covered.insert(name_of(&err));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A syscall the chain does not enable.
    let leave = wat(&format!(
        r#"(module {memory} (import "env" "gr_leave" (func)) {handle})"#
    ));
    assert_eq!(
        validate_and_instrument_with(leave, &Schedule::default(), |s| s != SyscallName::Leave)
            .unwrap_err(),
        CodeError::UnsupportedSyscall {
            name: s("gr_leave")
        }
    );
    covered.insert("UnsupportedSyscall".into());
    let all_variants: std::collections::BTreeSet<String> =
        ALL_CODE_ERRORS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        covered, all_variants,
        "every CodeError variant has a module that triggers it"
    );
}

#[test]
fn entry_point_missing_for_kind_is_a_no_op() {
    let code =
        wat(r#"(module (import "env" "memory" (memory 1)) (export "handle" (func $h)) (func $h))"#);
    let mut program = Program::new(&code);
    let outcome = program.run(DispatchKind::Init, b"", GAS);
    assert_eq!(outcome.status, ExecutionStatus::Success);
    assert_eq!(outcome.gas_burned, 0);
}

#[test]
fn cached_executor_gives_the_same_outcomes() {
    let code = validate(gear_examples::counter().to_vec()).unwrap();
    let mut executor = gear_engine::WasmiExecutor::new();
    let mut cached_memory = ProgramMemory::default();
    let mut fresh = Program {
        code: code.clone(),
        memory: Default::default(),
        nonce: 0,
    };
    for (i, (kind, payload)) in [
        (DispatchKind::Init, vec![]),
        (DispatchKind::Handle, 5u64.encode()),
        (DispatchKind::Handle, vec![9]),
        (DispatchKind::Handle, 7u64.encode()),
    ]
    .into_iter()
    .enumerate()
    {
        let expected = fresh.run(kind, &payload, GAS);
        let outcome = executor.execute(
            Some(code.code_id.into_bytes()),
            ProgramCode {
                instrumented: &code.instrumented,
                meta: &code.meta,
            },
            &cached_memory,
            dispatch(kind, &payload, i as u64 + 1),
            &ExecutionInput {
                block: BlockInfo {
                    height: 7,
                    timestamp: 42_000,
                    ..Default::default()
                },
                gas_limit: GAS,
                ..Default::default()
            },
            &ExecutionConfig::default(),
        );
        assert_eq!(outcome, expected, "dispatch {i}");
        if !outcome.is_trap() {
            outcome.memory.apply(&mut cached_memory);
        }
    }
}
