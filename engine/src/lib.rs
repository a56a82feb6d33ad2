//! # gear-engine
//!
//! Validates, instruments and executes Gear programs (the `gsys` 2.0 syscall ABI) inside a
//! parachain runtime, returning a journal of effects.
//!
//! The engine is pure: it touches no storage and knows nothing of FRAME. The pallets give it a
//! program's instrumented code, its persisted memory pages and one dispatch; it gives back an
//! [`ExecutionOutcome`]: the gas burned, the reply and messages the program sent, the pages it
//! changed, or the reason it trapped. The pallets decide what to do with that.
//!
//! ## Design
//! - **Upload** ([`code::validate_and_instrument`]): Gear's own validation and instrumentation
//!   (`gear_core::code::Code::try_new` with a [`Schedule`]) inject a gas counter (`gear_gas` global
//!   plus `gr_system_break`) and a stack-height limiter, so gas is the same on every engine. On top of
//!   Gear's rules the engine refuses code that imports a syscall it does not implement, that declares
//!   more memory than [`code::MAX_PAGES`], or that is larger than the schedule allows, each with its
//!   own [`code::CodeError`] variant.
//! - **Execution** ([`execute`]): eager memory. The program's pages are written into a fresh
//!   `wasmi` instance, the entry point for the dispatch kind runs, and the pages above the stack end
//!   that differ from what they were are returned as dirty. Traps map to Gear's
//!   [`ErrorReplyReason`](gear_core_errors::ErrorReplyReason); a trap discards every effect except
//!   the gas burned.
//!
//! - **Rules** ([`processing`]): what an execution means for the chain, decided once: Gear's
//!   journal notes ([`journal::JournalNote`]) for replies, auto and error replies, unavailable
//!   actors, failed inits, exits, waits, wakes, sends, created programs, reservations, signals,
//!   value and memory. The pallet and the tests' in-memory queue apply them through
//!   [`journal::JournalHandler`]; gas follows Gear's gas tree ([`gas_tree`]), generic over its
//!   store.
//!
//! `wasmi` is an interpreter compiled into the runtime: no host functions beyond `sp_io` are needed,
//! so the runtime stays valid on the relay chain (PVF).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod code;
mod exec;
pub mod gas_tree;
mod host;
pub mod journal;
pub mod memory;
pub mod outcome;
pub mod processing;
mod syscalls;
mod wasmi_backend;
#[cfg(feature = "wasmtime")]
pub mod wasmtime_backend;

pub use code::{
    validate_and_instrument, validate_and_instrument_with, CodeError, ProgramCodeMeta,
    ValidatedCode,
};
pub use exec::{precharge, MEMORY_SCAN_COST_PER_WASM_PAGE};
pub use gear_core::gas_metering::Schedule;
pub use gear_wasm_instrument::SyscallName;
pub use memory::{PageData, ProgramMemory};
pub use outcome::{
    BlockInfo, Dispatch, ExecutionConfig, ExecutionInput, ExecutionOutcome, ExecutionStatus,
    NewProgram, OutgoingMessage, OutgoingReply, ProgramCode, ReservationChange,
};
pub use wasmi_backend::{execute, WasmiExecutor};

/// A backend that runs dispatches: [`WasmiExecutor`] on chain,
/// `wasmtime_backend::WasmtimeExecutor` natively. Both give the same outcome, byte for byte.
pub trait Executor {
    /// Executes `dispatch` on the program with `code` and `memory`. With `key` (the `CodeId`), a
    /// backend may cache the compiled code under it.
    fn execute(
        &mut self,
        key: Option<[u8; 32]>,
        code: ProgramCode<'_>,
        memory: &ProgramMemory,
        dispatch: Dispatch,
        input: &ExecutionInput,
        config: &ExecutionConfig,
    ) -> ExecutionOutcome;
}
