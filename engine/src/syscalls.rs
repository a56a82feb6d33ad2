//! The syscalls of the `gsys` 2.0 ABI, written once for every backend.
//!
//! A backend hands each call a [`SyscallCtx`]: the guest's linear memory, the [`HostState`] of the
//! execution and the gas left (the value of the instrumented `gear_gas` global). Every guest
//! pointer is bounds-checked; every call is charged from the schedule before it does anything.
//! Fallible syscalls report errors to the program through their error pointer with Gear's
//! `ExtError` codes; only traps (out of gas, panics, bad pointers) stop the program.

use crate::outcome::{BlockInfo, Dispatch, OutgoingMessage, OutgoingReply};
use alloc::vec::Vec;
use gear_core::{
    costs::{CostToken, SyscallCosts},
    ids::prelude::MessageIdExt,
    memory::AllocationsContext,
    message::DispatchKind,
};
use gear_core_errors::{ExecutionError, ExtError, MessageError, SimpleExecutionError};
use gprimitives::MessageId;

/// Why a syscall (or the gas/stack instrumentation through `gr_system_break`) stopped the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostTrap {
    /// The gas counter would go below zero.
    OutOfGas,
    /// The stack-height limiter fired.
    StackLimitExceeded,
    /// `gr_panic` with its message.
    Panic(Vec<u8>),
    /// `gr_oom_panic`: the program's allocator ran out of memory.
    OomPanic,
    /// A syscall was given a pointer outside the guest's memory.
    OutOfBounds { ptr: u32, len: u32 },
    /// `gr_system_break` with an unknown code (instrumentation bug or hand-made import).
    UnknownSystemBreak(u32),
    /// `free` / `free_range` with a number that is no WASM page.
    InvalidPage(u32),
}

impl core::fmt::Display for HostTrap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::OutOfGas => write!(f, "ran out of gas"),
            Self::StackLimitExceeded => write!(f, "stack limit exceeded"),
            Self::Panic(msg) => write!(
                f,
                "panicked: {}",
                alloc::string::String::from_utf8_lossy(msg)
            ),
            Self::OomPanic => write!(f, "out of memory"),
            Self::OutOfBounds { ptr, len } => {
                write!(
                    f,
                    "syscall accessed memory out of bounds: {len} bytes at {ptr:#x}"
                )
            }
            Self::UnknownSystemBreak(code) => write!(f, "unknown system break code {code}"),
            Self::InvalidPage(page) => write!(f, "{page} is not a WASM page number"),
        }
    }
}

impl HostTrap {
    /// Gear's reason and error-reply payload for this trap: the panic message for a userspace
    /// panic, nothing otherwise (as Gear's processor does).
    pub(crate) fn into_reason(self) -> (SimpleExecutionError, Vec<u8>) {
        let reason = match self {
            Self::OutOfGas => SimpleExecutionError::RanOutOfGas,
            Self::StackLimitExceeded => SimpleExecutionError::StackLimitExceeded,
            Self::Panic(payload) => return (SimpleExecutionError::UserspacePanic, payload),
            Self::OomPanic => SimpleExecutionError::MemoryOverflow,
            Self::OutOfBounds { .. } => SimpleExecutionError::UnreachableInstruction,
            Self::UnknownSystemBreak(_) => SimpleExecutionError::BackendError,
            Self::InvalidPage(_) => SimpleExecutionError::UnreachableInstruction,
        };
        (reason, Vec::new())
    }
}

/// Everything an execution accumulates besides memory and gas.
pub(crate) struct HostState {
    pub dispatch: Dispatch,
    pub block: BlockInfo,
    pub costs: SyscallCosts,
    pub max_payload_len: u32,
    /// Value the program may send: its balance plus the incoming value.
    pub value_available: u128,
    pub reply: Option<OutgoingReply>,
    pub messages: Vec<OutgoingMessage>,
    /// The first [`MAX_DEBUG_BYTES`] of `gr_debug` output (the rest is only logged).
    pub debug: Vec<Vec<u8>>,
    /// Bytes kept in `debug` so far.
    pub debug_bytes: usize,
    /// Taken out while `alloc` runs (it needs the memory mutably too).
    pub allocations: Option<AllocationsContext>,
    /// Gas cost of growing memory: per call and per WASM page.
    pub mem_grow: (u64, u64),
    /// The trap a syscall raised, kept here so that every backend reads it back the same way.
    pub trap: Option<HostTrap>,
}

/// Most `gr_debug` output an execution keeps for its journal; the rest is logged only.
pub(crate) const MAX_DEBUG_BYTES: usize = 64 * 1024;

/// One syscall's view of the execution.
pub(crate) struct SyscallCtx<'a> {
    pub mem: &'a mut [u8],
    pub state: &'a mut HostState,
    pub gas: &'a mut u64,
}

/// Charges `cost` from `gas`; out of gas burns everything that is left.
pub(crate) fn charge(gas: &mut u64, cost: u64) -> Result<(), HostTrap> {
    match gas.checked_sub(cost) {
        Some(left) => {
            *gas = left;
            Ok(())
        }
        None => {
            *gas = 0;
            Err(HostTrap::OutOfGas)
        }
    }
}

fn ext_error_code(err: impl Into<ExtError>) -> u32 {
    err.into().to_u32()
}

impl SyscallCtx<'_> {
    fn charge(&mut self, token: CostToken) -> Result<(), HostTrap> {
        let cost = self.state.costs.cost_for_token(token);
        charge(self.gas, cost)
    }

    fn range(&self, ptr: u32, len: u32) -> Result<core::ops::Range<usize>, HostTrap> {
        let end = u64::from(ptr) + u64::from(len);
        if end > self.mem.len() as u64 {
            return Err(HostTrap::OutOfBounds { ptr, len });
        }
        Ok(ptr as usize..end as usize)
    }

    fn read(&self, ptr: u32, len: u32) -> Result<&[u8], HostTrap> {
        let range = self.range(ptr, len)?;
        Ok(&self.mem[range])
    }

    fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), HostTrap> {
        let range = self.range(ptr, data.len() as u32)?;
        self.mem[range].copy_from_slice(data);
        Ok(())
    }

    fn read_value(&self, ptr: u32) -> Result<u128, HostTrap> {
        // gsys: a value pointer of u32::MAX means "no value".
        if ptr == u32::MAX {
            return Ok(0);
        }
        let bytes = self.read(ptr, 16)?;
        let mut buf = [0u8; 16];
        buf.copy_from_slice(bytes);
        Ok(u128::from_le_bytes(buf))
    }

    /// Writes gsys' `ErrorWithHash` (error code, then 32-byte hash) at `ptr`.
    fn write_error_with_hash(
        &mut self,
        ptr: u32,
        result: Result<[u8; 32], u32>,
    ) -> Result<(), HostTrap> {
        let mut buf = [0u8; 36];
        match result {
            Ok(hash) => buf[4..].copy_from_slice(&hash),
            Err(code) => buf[..4].copy_from_slice(&code.to_le_bytes()),
        }
        self.write(ptr, &buf)
    }

    pub fn gr_read(&mut self, at: u32, len: u32, buffer: u32, err: u32) -> Result<(), HostTrap> {
        let cost = self
            .state
            .costs
            .cost_for_token(CostToken::Read)
            .saturating_add(self.state.costs.gr_read_per_byte.cost_for(len.into()));
        charge(self.gas, cost)?;
        let payload_len = self.state.dispatch.payload.len() as u64;
        let end = u64::from(at) + u64::from(len);
        let code = if end > u64::from(u32::MAX) {
            ext_error_code(ExecutionError::TooBigReadLen)
        } else if end > payload_len {
            ext_error_code(ExecutionError::ReadWrongRange)
        } else {
            let range = self.range(buffer, len)?;
            self.mem[range]
                .copy_from_slice(&self.state.dispatch.payload[at as usize..end as usize]);
            0
        };
        self.write(err, &code.to_le_bytes())
    }

    pub fn gr_size(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Size)?;
        let len = self.state.dispatch.payload.len() as u32;
        self.write(ptr, &len.to_le_bytes())
    }

    pub fn gr_reply(
        &mut self,
        payload: u32,
        len: u32,
        value: u32,
        err_mid: u32,
    ) -> Result<(), HostTrap> {
        self.charge(CostToken::Reply(len.into()))?;
        let data = self.read(payload, len)?.to_vec();
        let value = self.read_value(value)?;
        let result = self.reply(data, value);
        self.write_error_with_hash(err_mid, result)
    }

    fn reply(&mut self, payload: Vec<u8>, value: u128) -> Result<[u8; 32], u32> {
        let state = &mut *self.state;
        if matches!(
            state.dispatch.kind,
            DispatchKind::Reply | DispatchKind::Signal
        ) {
            return Err(ext_error_code(ExecutionError::IncorrectEntryForReply));
        }
        if state.reply.is_some() {
            return Err(ext_error_code(MessageError::DuplicateReply));
        }
        if payload.len() as u64 > u64::from(state.max_payload_len) {
            return Err(ext_error_code(MessageError::MaxMessageSizeExceed));
        }
        if value > state.value_available {
            return Err(ext_error_code(ExecutionError::NotEnoughValue));
        }
        state.value_available -= value;
        let id = MessageId::generate_reply(state.dispatch.id);
        state.reply = Some(OutgoingReply { id, payload, value });
        Ok(id.into_bytes())
    }

    pub fn gr_panic(&mut self, payload: u32, len: u32) -> Result<(), HostTrap> {
        // The message becomes an error reply's payload: it is bounded like any payload.
        let len = len.min(self.state.max_payload_len);
        let message = self.read(payload, len)?.to_vec();
        Err(HostTrap::Panic(message))
    }

    pub fn gr_oom_panic(&mut self) -> Result<(), HostTrap> {
        Err(HostTrap::OomPanic)
    }

    pub fn gr_source(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Source)?;
        let source = self.state.dispatch.source.into_bytes();
        self.write(ptr, &source)
    }

    pub fn gr_message_id(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::MsgId)?;
        let id = self.state.dispatch.id.into_bytes();
        self.write(ptr, &id)
    }

    pub fn gr_program_id(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::ActorId)?;
        let id = self.state.dispatch.destination.into_bytes();
        self.write(ptr, &id)
    }

    pub fn gr_value(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Value)?;
        let value = self.state.dispatch.value;
        self.write(ptr, &value.to_le_bytes())
    }

    pub fn gr_gas_available(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::GasAvailable)?;
        let gas = *self.gas;
        self.write(ptr, &gas.to_le_bytes())
    }

    pub fn gr_block_height(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::BlockHeight)?;
        let height = self.state.block.height;
        self.write(ptr, &height.to_le_bytes())
    }

    pub fn gr_block_timestamp(&mut self, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::BlockTimestamp)?;
        let timestamp = self.state.block.timestamp;
        self.write(ptr, &timestamp.to_le_bytes())
    }

    pub fn gr_debug(&mut self, payload: u32, len: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Debug(len.into()))?;
        let data = self.read(payload, len)?;
        log::debug!(target: "gear::program", "{}", alloc::string::String::from_utf8_lossy(&data[..data.len().min(1024)]));
        if self.state.debug_bytes.saturating_add(data.len()) <= MAX_DEBUG_BYTES {
            let data = data.to_vec();
            self.state.debug_bytes += data.len();
            self.state.debug.push(data);
        }
        Ok(())
    }

    pub fn free(&mut self, page: u32) -> Result<i32, HostTrap> {
        self.charge(CostToken::Free)?;
        // A number that cannot be a WASM page is a bug in the program: Gear traps on it.
        let page = to_wasm_page(page)?;
        let Some(allocations) = self.state.allocations.as_mut() else {
            return Ok(1);
        };
        Ok(if allocations.free(page).is_ok() { 0 } else { 1 })
    }

    pub fn free_range(&mut self, start: u32, end: u32) -> Result<i32, HostTrap> {
        self.charge(CostToken::FreeRange)?;
        let (start, end) = (to_wasm_page(start)?, to_wasm_page(end)?);
        // Gear charges every page of the range.
        let pages = u32::from(end)
            .saturating_sub(u32::from(start))
            .saturating_add(1);
        let per_page = self.state.costs.free_range_per_page.cost_for_one();
        charge(self.gas, per_page.saturating_mul(pages.into()))?;
        let Some(allocations) = self.state.allocations.as_mut() else {
            return Ok(1);
        };
        let Some(interval) = gear_core::pages::numerated::interval::Interval::new(start, end)
        else {
            return Ok(1);
        };
        Ok(if allocations.free_range(interval).is_ok() {
            0
        } else {
            1
        })
    }
}

fn to_wasm_page(page: u32) -> Result<gear_core::pages::WasmPage, HostTrap> {
    gear_core::pages::WasmPage::try_from(page).map_err(|_| HostTrap::InvalidPage(page))
}
