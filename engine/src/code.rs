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
use gear_wasm_instrument::{Module, SyscallName, TypeRef};
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

/// Why a program's code was refused at upload: one variant per rule (Gear's `CodeError` tree,
/// flattened, plus this chain's limits), each naming the offending item.
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
    /// An import names a function that is not a `gsys` syscall, or comes from a module other
    /// than `env`.
    UnknownImport {
        /// Module of the import.
        module: String,
        /// Name of the import.
        name: String,
    },
    /// A `gsys` syscall this chain does not enable (the engine implements all of them; a chain
    /// may enable only those whose effects its pallets apply).
    UnsupportedSyscall {
        /// Name of the syscall.
        name: String,
    },
    /// A syscall imported with a signature other than the `gsys` 2.0 one.
    InvalidSyscallSignature {
        /// Name of the syscall.
        name: String,
    },
    /// A syscall imported twice.
    DuplicateImport {
        /// Name of the syscall.
        name: String,
    },
    /// An import that is neither a function nor `env.memory` (a global, a table, ...).
    UnexpectedImportKind {
        /// What kind of item.
        kind: String,
        /// Name of the import.
        name: String,
    },
    /// The module does not import its memory (`env.memory`).
    MissingMemory,
    /// The module declares more memory than [`MAX_PAGES`].
    MemoryTooLarge {
        /// Declared static pages.
        pages: u32,
        /// The limit.
        limit: u32,
    },
    /// A section Gear programs must have is missing.
    MissingSection {
        /// The section.
        section: String,
    },
    /// A section Gear programs may not have (the `start` section).
    UnsupportedSection {
        /// The section.
        section: String,
    },
    /// Neither `init` nor `handle` is exported.
    MissingEntryPoint,
    /// An export other than `init`, `handle`, `handle_reply`, `handle_signal` (and the
    /// `__gear_stack_end` global).
    ExcessExport {
        /// Name of the export.
        name: String,
    },
    /// An entry point whose signature is not `() -> ()`.
    InvalidExportSignature {
        /// Name of the export.
        name: String,
    },
    /// An export of an imported function (a syscall).
    ExportOfImportedFunction {
        /// Name of the export.
        name: String,
    },
    /// `__gear_stack_end` is not a multiple of the WASM page size.
    StackEndNotAligned {
        /// Its value.
        stack_end: u32,
    },
    /// `__gear_stack_end` lies outside static memory.
    StackEndOutOfStaticMemory {
        /// Its value.
        stack_end: u32,
        /// Bytes of static memory.
        static_memory: u64,
    },
    /// A data segment is written inside the stack.
    DataSegmentOverlapsStack {
        /// Offset of the segment.
        offset: u32,
        /// The stack end.
        stack_end: u32,
    },
    /// A data segment ends beyond the 32-bit address space.
    DataSegmentEndOverflow {
        /// Offset of the segment.
        offset: u32,
    },
    /// A data segment lies (partly) outside static memory.
    DataSegmentOutOfStaticMemory {
        /// First byte of the segment.
        start: u32,
        /// Last byte of the segment.
        end: u32,
        /// Bytes of static memory.
        static_memory: u64,
    },
    /// More data segments than the schedule allows.
    TooManyDataSegments {
        /// The limit.
        limit: u32,
        /// How many the module has.
        actual: u32,
    },
    /// A type section larger than the schedule allows.
    TypeSectionTooLarge {
        /// The limit in bytes.
        limit: u32,
        /// Its length in bytes.
        actual: u32,
    },
    /// A function type with more parameters than the schedule allows.
    TooManyParameters {
        /// The limit.
        limit: u32,
        /// Parameters of the type.
        actual: u32,
    },
    /// Gas or stack instrumentation failed (e.g. a function too large to meter).
    InstrumentationFailed(String),
}

impl CodeError {
    fn from_gear(err: GearCodeError, module: Option<&Module>) -> Self {
        use alloc::format;
        use gear_core::code::{
            DataSectionError as D, ExportError as E, MemoryError as M, SectionError as S,
            StackEndError as SE, TypeSectionError as T,
        };
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
        let export_name = |index: u32| {
            module
                .and_then(|m| m.export_section.as_ref())
                .and_then(|exports| exports.get(index as usize))
                .map(|export| String::from(export.name.as_ref()))
                .unwrap_or_default()
        };
        // The export that names function `index` (Gear reports entry points by function).
        let function_export = |index: u32| {
            module
                .and_then(|m| m.export_section.as_ref())
                .and_then(|exports| {
                    exports.iter().find(|e| {
                        e.kind == gear_wasm_instrument::ExternalKind::Func && e.index == index
                    })
                })
                .map(|export| String::from(export.name.as_ref()))
                .unwrap_or_default()
        };
        match err {
            GearCodeError::Validation(e) => CodeError::InvalidWasm(format!("{e}")),
            GearCodeError::Module(e) => CodeError::InvalidWasm(format!("{e}")),
            GearCodeError::Section(S::NotFound(section)) => CodeError::MissingSection {
                section: format!("{section}"),
            },
            GearCodeError::Section(S::NotSupported(section)) => CodeError::UnsupportedSection {
                section: format!("{section}"),
            },
            GearCodeError::Memory(M::EntryNotFound) => CodeError::MissingMemory,
            // Only above 65,536 pages, which WASM validation refuses first.
            GearCodeError::Memory(e @ M::InvalidStaticPageCount) => {
                CodeError::InvalidWasm(format!("{e}"))
            }
            GearCodeError::StackEnd(SE::NotAligned(stack_end)) => {
                CodeError::StackEndNotAligned { stack_end }
            }
            GearCodeError::StackEnd(SE::OutOfStatic(stack_end, static_memory)) => {
                CodeError::StackEndOutOfStaticMemory {
                    stack_end,
                    static_memory,
                }
            }
            // A non-constant initializer cannot pass validation (globals cannot be imported).
            GearCodeError::StackEnd(e @ SE::Initialization) => {
                CodeError::InvalidWasm(format!("{e}"))
            }
            GearCodeError::DataSection(D::GearStackOverlaps(offset, stack_end)) => {
                CodeError::DataSegmentOverlapsStack { offset, stack_end }
            }
            GearCodeError::DataSection(D::EndAddressOverflow(offset)) => {
                CodeError::DataSegmentEndOverflow { offset }
            }
            GearCodeError::DataSection(D::EndAddressOutOfStaticMemory(
                start,
                end,
                static_memory,
            )) => CodeError::DataSegmentOutOfStaticMemory {
                start,
                end,
                static_memory,
            },
            GearCodeError::DataSection(D::DataSegmentsAmountLimit { limit, actual }) => {
                CodeError::TooManyDataSegments { limit, actual }
            }
            GearCodeError::DataSection(e @ D::Initialization) => {
                CodeError::InvalidWasm(format!("{e}"))
            }
            GearCodeError::TypeSection(T::LengthLimitExceeded { limit, actual }) => {
                CodeError::TypeSectionTooLarge { limit, actual }
            }
            GearCodeError::TypeSection(T::ParametersPerTypeLimitExceeded { limit, actual }) => {
                CodeError::TooManyParameters { limit, actual }
            }
            GearCodeError::Export(E::RequiredExportNotFound) => CodeError::MissingEntryPoint,
            GearCodeError::Export(E::ExcessExport(index)) => CodeError::ExcessExport {
                name: export_name(index),
            },
            GearCodeError::Export(E::InvalidExportFnSignature(function)) => {
                CodeError::InvalidExportSignature {
                    name: function_export(function),
                }
            }
            GearCodeError::Export(E::ExportReferencesToImportFunction(export, _)) => {
                CodeError::ExportOfImportedFunction {
                    name: export_name(export),
                }
            }
            GearCodeError::Export(
                E::MutableGlobalExport(_, export)
                | E::ExportReferencesToImportGlobal(export, _)
                | E::IncorrectGlobalIndex(_, export),
            ) => CodeError::InvalidWasm(format!("invalid global export `{}`", export_name(export))),
            GearCodeError::Import(ImportError::UnknownImport(i)) => {
                let (module, name) = import_name(i);
                CodeError::UnknownImport { module, name }
            }
            GearCodeError::Import(ImportError::InvalidImportFnSignature(i)) => {
                CodeError::InvalidSyscallSignature {
                    name: import_name(i).1,
                }
            }
            GearCodeError::Import(ImportError::DuplicateImport(i)) => CodeError::DuplicateImport {
                name: import_name(i).1,
            },
            GearCodeError::Import(ImportError::UnexpectedImportKind { kind, index }) => {
                CodeError::UnexpectedImportKind {
                    kind: String::from(*kind),
                    name: import_name(index).1,
                }
            }
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
            Self::UnsupportedSyscall { name } => {
                write!(f, "syscall `{name}` is not enabled on this chain")
            }
            Self::InvalidSyscallSignature { name } => {
                write!(f, "syscall `{name}` imported with a wrong signature")
            }
            Self::DuplicateImport { name } => write!(f, "`{name}` is imported twice"),
            Self::UnexpectedImportKind { kind, name } => {
                write!(f, "import `{name}` is a {kind}; only functions and env.memory")
            }
            Self::MissingMemory => write!(f, "the module does not import env.memory"),
            Self::MemoryTooLarge { pages, limit } => {
                write!(f, "memory of {pages} pages exceeds the limit of {limit}")
            }
            Self::MissingSection { section } => write!(f, "{section} is missing"),
            Self::UnsupportedSection { section } => write!(f, "{section} is not allowed"),
            Self::MissingEntryPoint => write!(f, "neither `init` nor `handle` is exported"),
            Self::ExcessExport { name } => write!(f, "export `{name}` is not an entry point"),
            Self::InvalidExportSignature { name } => {
                write!(f, "entry point `{name}` must have signature () -> ()")
            }
            Self::ExportOfImportedFunction { name } => {
                write!(f, "export `{name}` re-exports an imported function")
            }
            Self::StackEndNotAligned { stack_end } => {
                write!(f, "__gear_stack_end {stack_end:#x} is not page aligned")
            }
            Self::StackEndOutOfStaticMemory {
                stack_end,
                static_memory,
            } => write!(
                f,
                "__gear_stack_end {stack_end:#x} is outside static memory 0x0..{static_memory:#x}"
            ),
            Self::DataSegmentOverlapsStack { offset, stack_end } => write!(
                f,
                "data segment at {offset:#x} overlaps the stack 0x0..{stack_end:#x}"
            ),
            Self::DataSegmentEndOverflow { offset } => {
                write!(f, "data segment at {offset:#x} ends beyond 4 GiB")
            }
            Self::DataSegmentOutOfStaticMemory {
                start,
                end,
                static_memory,
            } => write!(
                f,
                "data segment {start:#x}..={end:#x} is outside static memory 0x0..{static_memory:#x}"
            ),
            Self::TooManyDataSegments { limit, actual } => {
                write!(f, "{actual} data segments, limit {limit}")
            }
            Self::TypeSectionTooLarge { limit, actual } => {
                write!(f, "type section of {actual} bytes, limit {limit}")
            }
            Self::TooManyParameters { limit, actual } => {
                write!(f, "a function type with {actual} parameters, limit {limit}")
            }
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
/// the gas costs of `schedule`. Every `gsys` syscall may be imported.
pub fn validate_and_instrument(
    original: Vec<u8>,
    schedule: &Schedule,
) -> Result<ValidatedCode, CodeError> {
    validate_and_instrument_with(original, schedule, |_| true)
}

/// Like [`validate_and_instrument`], refusing imports of syscalls for which `enabled` is false
/// with [`CodeError::UnsupportedSyscall`].
pub fn validate_and_instrument_with(
    original: Vec<u8>,
    schedule: &Schedule,
    enabled: impl Fn(SyscallName) -> bool,
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
                match known.get(import.name.as_ref()) {
                    None => {
                        return Err(CodeError::UnknownImport {
                            module: import.module.as_ref().into(),
                            name: import.name.as_ref().into(),
                        })
                    }
                    Some(syscall) if !enabled(*syscall) => {
                        return Err(CodeError::UnsupportedSyscall {
                            name: import.name.as_ref().into(),
                        })
                    }
                    Some(_) => {}
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
