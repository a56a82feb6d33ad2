//! Upload path: validate a program's original WASM and instrument it for metered execution.
//!
//! Gear's rules come from `gear_core::code::Code::try_new` (sections, imports and their exact
//! `gsys` signatures, exports, data segments, stack end, type section) with the gas and stack
//! limiters of `gear-wasm-instrument`. This module adds what a parachain runtime needs on top:
//! a memory ceiling, code size limits, imports restricted to the `env` module, and a refusal of
//! every syscall this engine does not implement, so that such a program fails at upload with the
//! syscall's name instead of trapping at run time.

use alloc::{string::String, vec::Vec};
use codec::{Decode, Encode};
use gear_core::{
    code::{Code, CodeError as GearCodeError, ImportError, SyscallKind},
    gas_metering::Schedule,
    ids::{prelude::CodeIdExt, CodeId},
    message::DispatchKind,
};
use gear_wasm_instrument::{Module, TypeRef};
use scale_info::TypeInfo;

/// Largest memory a program may declare or allocate, in 64 KiB WASM pages (16 MiB).
///
/// Below Gear's 512: wasmi grows memory by doubling its buffer, and the runtime's allocator
/// refuses single allocations above 32 MiB, so growing a memory past 256 pages could abort the
/// runtime.
pub const MAX_PAGES: u32 = 256;

/// Version of the instrumentation (the schedule's instruction weights). Stored with the code so
/// that a schedule change can re-instrument lazily.
pub const INSTRUMENTATION_VERSION: u32 = 1;

/// Why a program's code was refused at upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// The original code is larger than the schedule's `code_len` limit.
    CodeTooLarge {
        /// Length of the code in bytes.
        len: u32,
        /// The limit in bytes.
        limit: u32,
    },
    /// The instrumented code is larger than the schedule's `code_len` limit.
    InstrumentedCodeTooLarge {
        /// Length of the instrumented code in bytes.
        len: u32,
        /// The limit in bytes.
        limit: u32,
    },
    /// The bytes are not a WASM module this chain accepts (decoding or validation failed:
    /// floats, SIMD, threads, reference types, multi-memory and malformed code end here).
    InvalidWasm(String),
    /// An import names a function that is not a `gsys` syscall.
    UnknownImport {
        /// Module of the import.
        module: String,
        /// Name of the import.
        name: String,
    },
    /// A syscall imported with a signature other than the `gsys` 2.0 one.
    InvalidSyscallSignature {
        /// Name of the syscall.
        name: String,
    },
    /// Any other import problem (duplicate, wrong kind, missing `env.memory`).
    InvalidImport(String),
    /// Exports other than `init`, `handle`, `handle_reply`, `handle_signal`, `state`, `metahash`
    /// with signature `() -> ()`, or neither `init` nor `handle`.
    InvalidExports(String),
    /// The module declares more memory than [`MAX_PAGES`].
    MemoryTooLarge {
        /// Declared static pages.
        pages: u32,
        /// The limit.
        limit: u32,
    },
    /// Memory section problems (no memory, bad static page count).
    InvalidMemory(String),
    /// Data segments overlap the stack, run out of static memory or exceed the limit.
    InvalidDataSection(String),
    /// `__gear_stack_end` is not aligned or lies outside static memory.
    InvalidStackEnd(String),
    /// A section that Gear programs may not have (e.g. `start`), or one that is missing.
    InvalidSection(String),
    /// The type section is too large or has a type with too many parameters.
    InvalidTypeSection(String),
    /// Gas or stack instrumentation failed (e.g. a `br_table` or function too large to meter).
    InstrumentationFailed(String),
}

impl CodeError {
    fn from_gear(err: GearCodeError, module: Option<&Module>) -> Self {
        use alloc::format;
        let import_name = |index: u32| {
            module
                .and_then(|m| m.import_section.as_ref())
                .and_then(|imports| imports.get(index as usize))
                .map(|import| {
                    (
                        String::from(import.module.as_ref()),
                        String::from(import.name.as_ref()),
                    )
                })
                .unwrap_or_default()
        };
        match err {
            GearCodeError::Validation(e) => CodeError::InvalidWasm(format!("{e}")),
            GearCodeError::Module(e) => CodeError::InvalidWasm(format!("{e}")),
            GearCodeError::Section(e) => CodeError::InvalidSection(format!("{e}")),
            GearCodeError::Memory(e) => CodeError::InvalidMemory(format!("{e}")),
            GearCodeError::StackEnd(e) => CodeError::InvalidStackEnd(format!("{e}")),
            GearCodeError::DataSection(e) => CodeError::InvalidDataSection(format!("{e}")),
            GearCodeError::TypeSection(e) => CodeError::InvalidTypeSection(format!("{e}")),
            GearCodeError::Export(e) => CodeError::InvalidExports(format!("{e}")),
            GearCodeError::Import(ImportError::UnknownImport(i)) => {
                let (module, name) = import_name(i);
                CodeError::UnknownImport { module, name }
            }
            GearCodeError::Import(ImportError::InvalidImportFnSignature(i)) => {
                CodeError::InvalidSyscallSignature {
                    name: import_name(i).1,
                }
            }
            GearCodeError::Import(e) => CodeError::InvalidImport(format!("{e}")),
            GearCodeError::Instrumentation(e) => CodeError::InstrumentationFailed(format!("{e}")),
        }
    }
}

impl core::fmt::Display for CodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::CodeTooLarge { len, limit } => write!(f, "code is {len} bytes, limit {limit}"),
            Self::InstrumentedCodeTooLarge { len, limit } => {
                write!(f, "instrumented code is {len} bytes, limit {limit}")
            }
            Self::InvalidWasm(e) => write!(f, "invalid wasm: {e}"),
            Self::UnknownImport { module, name } => write!(f, "unknown import `{module}.{name}`"),
            Self::InvalidSyscallSignature { name } => {
                write!(f, "syscall `{name}` imported with a wrong signature")
            }
            Self::InvalidImport(e) => write!(f, "invalid import: {e}"),
            Self::InvalidExports(e) => write!(f, "invalid exports: {e}"),
            Self::MemoryTooLarge { pages, limit } => {
                write!(f, "memory of {pages} pages exceeds the limit of {limit}")
            }
            Self::InvalidMemory(e) => write!(f, "invalid memory: {e}"),
            Self::InvalidDataSection(e) => write!(f, "invalid data section: {e}"),
            Self::InvalidStackEnd(e) => write!(f, "invalid stack end: {e}"),
            Self::InvalidSection(e) => write!(f, "invalid section: {e}"),
            Self::InvalidTypeSection(e) => write!(f, "invalid type section: {e}"),
            Self::InstrumentationFailed(e) => write!(f, "instrumentation failed: {e}"),
        }
    }
}

/// A program's code as the chain stores it: instrumented bytes plus what execution needs to know.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ProgramCodeMeta {
    /// Static memory of the module, in WASM pages.
    pub static_pages: u32,
    /// First WASM page above the stack (`__gear_stack_end`); pages below it are never persisted.
    pub stack_end: Option<u32>,
    /// Whether the code exports `init`.
    pub has_init: bool,
    /// Whether the code exports `handle`.
    pub has_handle: bool,
    /// Whether the code exports `handle_reply`.
    pub has_handle_reply: bool,
    /// Whether the code exports `handle_signal`.
    pub has_handle_signal: bool,
    /// Instrumentation version the instrumented code was made with.
    pub instrumentation_version: u32,
    /// Length of the original code in bytes.
    pub original_code_len: u32,
    /// Bytes of the instantiated code section (instantiation is charged per byte).
    pub code_section_len: u32,
    /// Bytes of the instantiated data section.
    pub data_section_len: u32,
    /// Bytes of the instantiated global section.
    pub global_section_len: u32,
    /// Bytes of the instantiated table section.
    pub table_section_len: u32,
    /// Bytes of the instantiated element section.
    pub element_section_len: u32,
    /// Bytes of the type section.
    pub type_section_len: u32,
}

impl ProgramCodeMeta {
    /// Whether the code has an entry point for `kind`.
    pub fn exports(&self, kind: DispatchKind) -> bool {
        match kind {
            DispatchKind::Init => self.has_init,
            DispatchKind::Handle => self.has_handle,
            DispatchKind::Reply => self.has_handle_reply,
            DispatchKind::Signal => self.has_handle_signal,
        }
    }
}

/// Code that passed validation: the original, its id, the instrumented code and its metadata.
#[derive(Clone, Debug)]
pub struct ValidatedCode {
    /// `blake2b-256` of the original code.
    pub code_id: CodeId,
    /// The code as uploaded.
    pub original: Vec<u8>,
    /// The code with gas and stack metering injected.
    pub instrumented: Vec<u8>,
    /// What execution needs to know about the code.
    pub meta: ProgramCodeMeta,
}

/// Validates `original` against Gear's rules and this engine's limits, and instruments it with
/// the gas costs of `schedule`.
pub fn validate_and_instrument(
    original: Vec<u8>,
    schedule: &Schedule,
) -> Result<ValidatedCode, CodeError> {
    let limit = schedule.limits.code_len;
    let len = u32::try_from(original.len()).unwrap_or(u32::MAX);
    if len > limit {
        return Err(CodeError::CodeTooLarge { len, limit });
    }

    // Parse once up front to name offending imports; a module that does not parse is reported by
    // `Code::try_new` below with the validator's message.
    let module = Module::new(&original).ok();
    if let Some(imports) = module.as_ref().and_then(|m| m.import_section.as_ref()) {
        let known = SyscallKind::Vara.instrumentable_map();
        for import in imports {
            if import.module.as_ref() != "env" {
                return Err(CodeError::UnknownImport {
                    module: import.module.as_ref().into(),
                    name: import.name.as_ref().into(),
                });
            }
            if let TypeRef::Func(_) = import.ty {
                if !known.contains_key(import.name.as_ref()) {
                    return Err(CodeError::UnknownImport {
                        module: import.module.as_ref().into(),
                        name: import.name.as_ref().into(),
                    });
                }
            }
        }
    }

    let code = Code::try_new(
        original,
        INSTRUMENTATION_VERSION,
        |m| schedule.rules(m),
        schedule.limits.stack_height,
        Some(schedule.limits.data_segments_amount),
        Some(schedule.limits.type_section_len),
        Some(schedule.limits.parameters),
        SyscallKind::Vara,
    )
    .map_err(|e| CodeError::from_gear(e, module.as_ref()))?;

    let (original, instrumented, metadata) = code.into_parts();
    let static_pages = u32::from(metadata.static_pages());
    if static_pages > MAX_PAGES {
        return Err(CodeError::MemoryTooLarge {
            pages: static_pages,
            limit: MAX_PAGES,
        });
    }
    let sizes = instrumented.instantiated_section_sizes().clone();
    let instrumented = instrumented.into_bytes();
    let instrumented_len = u32::try_from(instrumented.len()).unwrap_or(u32::MAX);
    if instrumented_len > limit {
        return Err(CodeError::InstrumentedCodeTooLarge {
            len: instrumented_len,
            limit,
        });
    }
    let exports = metadata.exports();
    let meta = ProgramCodeMeta {
        static_pages,
        stack_end: metadata.stack_end().map(u32::from),
        has_init: exports.contains(&DispatchKind::Init),
        has_handle: exports.contains(&DispatchKind::Handle),
        has_handle_reply: exports.contains(&DispatchKind::Reply),
        has_handle_signal: exports.contains(&DispatchKind::Signal),
        instrumentation_version: INSTRUMENTATION_VERSION,
        original_code_len: len,
        code_section_len: sizes.code_section(),
        data_section_len: sizes.data_section(),
        global_section_len: sizes.global_section(),
        table_section_len: sizes.table_section(),
        element_section_len: sizes.element_section(),
        type_section_len: sizes.type_section(),
    };
    Ok(ValidatedCode {
        code_id: CodeId::generate(&original),
        original,
        instrumented,
        meta,
    })
}
