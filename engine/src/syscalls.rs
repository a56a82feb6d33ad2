//! The syscalls of the `gsys` 2.0 ABI, written once for every backend.
//!
//! A backend hands each call a [`SyscallCtx`]: the guest's linear memory, the [`HostState`] of the
//! execution and the gas left (the value of the instrumented `gear_gas` global). The order of a
//! call is Gear's: the syscall's cost from the schedule is charged first, then its arguments are
//! read, then its logic runs. Fallible syscalls report errors to the program through their error
//! pointer with Gear's `ExtError` codes (an argument outside memory is error 201 there); a failed
//! fallible call keeps only its base cost (fees and gas moved in it are rolled back). Only
//! traps (out of gas, panics, bad pointers of infallible calls, forbidden calls) stop the
//! program, and `gr_wait*`, `gr_exit`, `gr_leave` end it without a trap.
//!
//! Gear's own rules come from `gear_core`: [`MessageContext`] (send handles, reply-once,
//! outgoing limits, wake and reply-deposit bookkeeping) and [`GasReserver`] (reservation ids
//! and states).

use crate::outcome::{BlockInfo, NewProgram};
use alloc::vec::Vec;
use gear_core::{
    costs::{CostToken, RentCosts, SyscallCosts},
    env::MessageWaitedType,
    ids::{prelude::*, ReservationId},
    memory::AllocationsContext,
    message::{
        ContextSettings, DispatchKind, HandlePacket, InitPacket, MessageContext, MessageDetails,
        ReplyPacket,
    },
    reservation::GasReserver,
};
use gear_core_errors::{
    ExecutionError, ExtError, MessageError, ReservationError, SimpleExecutionError,
};
use gear_wasm_instrument::SyscallName;
use gprimitives::{ActorId, CodeId, MessageId};

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
    /// An infallible syscall was given a pointer outside the guest's memory.
    OutOfBounds { ptr: u32, len: u32 },
    /// `gr_system_break` with an unknown code (instrumentation bug or hand-made import).
    UnknownSystemBreak(u32),
    /// `free` / `free_range` with a number that is no WASM page.
    InvalidPage(u32),
    /// A syscall the entry point may not call (e.g. `gr_reply` in `handle_signal`), or a message
    /// to the system actor.
    Forbidden(&'static str),
    /// A call Gear refuses without an error code (wait after reply, zero wait, unknown
    /// `gr_env_vars` version, non-UTF-8 debug string, not enough gas for waitlist rent).
    Unrecoverable(&'static str),
    /// `gr_wait*`: not a trap, the message waits.
    Wait(Option<u32>, MessageWaitedType),
    /// `gr_exit`: not a trap, the program exits.
    Exit(ActorId),
    /// `gr_leave`: not a trap, the execution ends here successfully.
    Leave,
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
            Self::Forbidden(what) => write!(f, "forbidden: {what}"),
            Self::Unrecoverable(what) => write!(f, "{what}"),
            Self::Wait(..) => write!(f, "waits"),
            Self::Exit(_) => write!(f, "exits"),
            Self::Leave => write!(f, "leaves"),
        }
    }
}

impl HostTrap {
    /// Whether this ends the execution without a trap.
    pub(crate) fn is_stop(&self) -> bool {
        matches!(self, Self::Wait(..) | Self::Exit(_) | Self::Leave)
    }

    /// Gear's reason and error-reply payload for this trap: the panic message for a userspace
    /// panic, nothing otherwise (as Gear's processor does).
    pub(crate) fn into_reason(self) -> (SimpleExecutionError, Vec<u8>) {
        let reason = match self {
            Self::OutOfGas => SimpleExecutionError::RanOutOfGas,
            Self::StackLimitExceeded => SimpleExecutionError::StackLimitExceeded,
            Self::Panic(payload) => return (SimpleExecutionError::UserspacePanic, payload),
            Self::OomPanic => SimpleExecutionError::MemoryOverflow,
            Self::InvalidPage(_) => SimpleExecutionError::UnreachableInstruction,
            // Gear: an unrecoverable memory access error of a syscall is a backend error.
            Self::OutOfBounds { .. }
            | Self::UnknownSystemBreak(_)
            | Self::Forbidden(_)
            | Self::Unrecoverable(_) => SimpleExecutionError::BackendError,
            // Not traps: callers handle them before asking for a reason.
            Self::Wait(..) | Self::Exit(_) | Self::Leave => SimpleExecutionError::BackendError,
        };
        (reason, Vec::new())
    }
}

/// Chain parameters the syscalls need.
pub(crate) struct HostConfig {
    pub existential_deposit: u128,
    pub mailbox_threshold: u64,
    pub reserve_for: u32,
    pub performance_multiplier: u32,
    pub value_per_gas: u128,
    pub max_payload_len: u32,
    /// Bytes one execution may send; also the most its created programs' init payloads take.
    pub outgoing_bytes_limit: u32,
}

/// Everything an execution accumulates besides memory and gas.
pub(crate) struct HostState {
    pub kind: DispatchKind,
    pub program_id: ActorId,
    /// Gear's message context: the incoming message, outgoing messages, reply, wakes, deposits.
    pub context: MessageContext,
    /// Gear's gas reserver: the program's reservations and the ones made now.
    pub reserver: GasReserver,
    pub block: BlockInfo,
    pub costs: SyscallCosts,
    pub rent: RentCosts,
    pub config: HostConfig,
    /// Value the program may send: its balance plus, on the first execution, the incoming value.
    pub value_available: u128,
    /// Gas taken from the counter without being burned (message gas, reservations, deposits,
    /// rent).
    pub gas_moved: u64,
    /// Gas moved into the system reservation by this execution.
    pub system_reservation: u64,
    /// Fees burned in the current fallible call that its failure does not refund.
    pub kept_fees: u64,
    pub programs: Vec<NewProgram>,
    /// The first [`MAX_DEBUG_BYTES`] of `gr_debug` output (the rest is only logged).
    pub debug: Vec<Vec<u8>>,
    /// Bytes kept in `debug` so far.
    pub debug_bytes: usize,
    /// Taken out while `alloc` runs (it needs the memory mutably too).
    pub allocations: Option<AllocationsContext>,
    /// Gas cost of growing memory: per call and per WASM page.
    pub mem_grow: (u64, u64),
    /// What stopped the program, kept here so that every backend reads it back the same way.
    pub trap: Option<HostTrap>,
    /// Reply payload bytes pushed or committed so far: a reply is at most `max_payload_len`.
    pub reply_bytes: u32,
    /// Init payload bytes of created programs so far: at most the outgoing bytes limit (Gear's
    /// message context counts only sends), so an execution's output stays bounded.
    pub init_bytes: u32,
}

/// Most `gr_debug` output an execution keeps for its journal; the rest is logged only.
pub(crate) const MAX_DEBUG_BYTES: usize = 64 * 1024;

/// The fees of Gear's `ContextSettings` as multiples of one storage write; a reservation's
/// also pays its removal (`reservation_removal`, see [`crate::ExecutionConfig`]).
pub(crate) fn context_settings(
    db_write: u64,
    reservation_removal: u64,
    outgoing_limit: u32,
    outgoing_bytes: u32,
) -> ContextSettings {
    ContextSettings {
        sending_fee: db_write.saturating_mul(2),
        scheduled_sending_fee: db_write.saturating_mul(4),
        waiting_fee: db_write.saturating_mul(3),
        waking_fee: db_write.saturating_mul(2),
        reservation_fee: db_write
            .saturating_mul(2)
            .saturating_add(reservation_removal),
        outgoing_limit,
        outgoing_bytes_limit: outgoing_bytes,
    }
}

/// One syscall's view of the execution.
pub(crate) struct SyscallCtx<'a> {
    pub mem: &'a mut [u8],
    pub state: &'a mut HostState,
    pub gas: &'a mut u64,
}

/// Charges `cost` from `gas` if there is enough; otherwise traps and leaves `gas` as it is.
pub(crate) fn charge_if_enough(gas: &mut u64, cost: u64) -> Result<(), HostTrap> {
    match gas.checked_sub(cost) {
        Some(left) => {
            *gas = left;
            Ok(())
        }
        None => Err(HostTrap::OutOfGas),
    }
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

fn code(err: impl Into<ExtError>) -> u32 {
    err.into().to_u32()
}

/// Gear's `check_input_range` (fails on an empty input whatever the length).
fn input_range(payload_len: usize, offset: u32, len: u32) -> Result<(usize, usize), u32> {
    let offset = offset as usize;
    if offset >= payload_len {
        return Err(code(MessageError::OutOfBoundsInputSliceOffset));
    }
    if len as usize > payload_len - offset {
        return Err(code(MessageError::OutOfBoundsInputSliceLength));
    }
    Ok((offset, offset + len as usize))
}

/// A fallible syscall's result: `Ok` with the bytes after the error code, or an error code.
type Fallible<const N: usize> = Result<[u8; N], u32>;

/// `MemoryError::AccessOutOfBounds`: a fallible syscall's argument lies outside memory.
const OOB: u32 = 201;

fn payload_of(data: Vec<u8>) -> Result<gear_core::buffer::Payload, u32> {
    data.try_into()
        .map_err(|_| code(MessageError::MaxMessageSizeExceed))
}

impl SyscallCtx<'_> {
    fn charge(&mut self, token: CostToken) -> Result<(), HostTrap> {
        let cost = self.state.costs.cost_for_token(token);
        charge(self.gas, cost)
    }

    /// Burns a fee (Gear's `charge_if_enough`): not enough gas traps, without burning what is
    /// left (it goes back with the message).
    fn fee(&mut self, amount: u64) -> Result<(), HostTrap> {
        charge_if_enough(self.gas, amount)
    }

    /// A fee burned inside a fallible call that stays burned if the call then fails (Gear
    /// commits `send_push_input` / `reply_push_input` before the commit that may fail).
    fn kept_fee(&mut self, amount: u64) -> Result<(), HostTrap> {
        self.fee(amount)?;
        self.state.kept_fees = self.state.kept_fees.saturating_add(amount);
        Ok(())
    }

    /// Moves gas out of the counter (message gas, reservations, rent): not burned.
    fn reduce(&mut self, amount: u64) -> Result<(), u32> {
        match self.gas.checked_sub(amount) {
            Some(left) => {
                *self.gas = left;
                self.state.gas_moved = self.state.gas_moved.saturating_add(amount);
                Ok(())
            }
            None => Err(code(ExecutionError::NotEnoughGas)),
        }
    }

    fn take_value(&mut self, value: u128) -> Result<(), u32> {
        match self.state.value_available.checked_sub(value) {
            Some(left) => {
                self.state.value_available = left;
                Ok(())
            }
            None => Err(code(ExecutionError::NotEnoughValue)),
        }
    }

    fn range(&self, ptr: u32, len: u32) -> Option<core::ops::Range<usize>> {
        // Gear registers no memory access for an empty buffer, wherever it points.
        if len == 0 {
            return Some(0..0);
        }
        let end = u64::from(ptr) + u64::from(len);
        (end <= self.mem.len() as u64).then_some(ptr as usize..end as usize)
    }

    /// Reads guest memory for an infallible syscall: out of bounds traps.
    fn read(&self, ptr: u32, len: u32) -> Result<&[u8], HostTrap> {
        let range = self
            .range(ptr, len)
            .ok_or(HostTrap::OutOfBounds { ptr, len })?;
        Ok(&self.mem[range])
    }

    /// Reads guest memory for a fallible syscall: out of bounds is error 201.
    fn read_or(&self, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
        let range = self.range(ptr, len).ok_or(OOB)?;
        Ok(self.mem[range].to_vec())
    }

    fn read_array<const N: usize>(&self, ptr: u32) -> Result<[u8; N], u32> {
        let range = self.range(ptr, N as u32).ok_or(OOB)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.mem[range]);
        Ok(out)
    }

    fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), HostTrap> {
        let range = self
            .range(ptr, data.len() as u32)
            .ok_or(HostTrap::OutOfBounds {
                ptr,
                len: data.len() as u32,
            })?;
        self.mem[range].copy_from_slice(data);
        Ok(())
    }

    /// A value pointer: `u32::MAX` means no value.
    fn read_value(&self, ptr: u32) -> Result<u128, u32> {
        if ptr == u32::MAX {
            return Ok(0);
        }
        Ok(u128::from_le_bytes(self.read_array(ptr)?))
    }

    /// `HashWithValue`: 32 bytes, then a `u128`.
    fn read_hash_value(&self, ptr: u32) -> Result<([u8; 32], u128), u32> {
        let raw: [u8; 48] = self.read_array(ptr)?;
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&raw[..32]);
        let mut value = [0u8; 16];
        value.copy_from_slice(&raw[32..]);
        Ok((hash, u128::from_le_bytes(value)))
    }

    /// A payload argument: over Gear's 8 MiB it is refused (and charged as empty).
    fn payload_len_for_cost(len: u32) -> u32 {
        if len as usize > gear_core::buffer::MAX_PAYLOAD_SIZE {
            0
        } else {
            len
        }
    }

    /// A payload argument: over Gear's 8 MiB or this chain's `max_payload_len`, refused.
    fn read_payload(&self, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
        if len as usize > gear_core::buffer::MAX_PAYLOAD_SIZE
            || len > self.state.config.max_payload_len
        {
            return Err(code(MessageError::MaxMessageSizeExceed));
        }
        self.read_or(ptr, len)
    }

    /// Counts `len` more bytes of this execution's reply, refusing a reply over
    /// `max_payload_len` (pushes accumulate; Gear's own check is its 8 MiB).
    fn add_reply_bytes(&mut self, len: u32) -> Result<(), u32> {
        match self.state.reply_bytes.checked_add(len) {
            Some(total) if total <= self.state.config.max_payload_len => {
                self.state.reply_bytes = total;
                Ok(())
            }
            _ => Err(code(MessageError::MaxMessageSizeExceed)),
        }
    }

    /// Runs a fallible syscall's logic and writes `{error code, result}` at `err_ptr`. A failed
    /// call rolls back the gas and value it moved or burned (its base cost stays charged).
    fn fallible<const N: usize>(
        &mut self,
        err_ptr: u32,
        f: impl FnOnce(&mut Self) -> Result<Fallible<N>, HostTrap>,
    ) -> Result<(), HostTrap> {
        let snapshot = (*self.gas, self.state.gas_moved, self.state.value_available);
        self.state.kept_fees = 0;
        let result = f(self)?;
        let mut buf = alloc::vec![0u8; 4 + N];
        match result {
            Ok(bytes) => buf[4..].copy_from_slice(&bytes),
            Err(err) => {
                let (gas, moved, value) = snapshot;
                *self.gas = gas.saturating_sub(self.state.kept_fees);
                (self.state.gas_moved, self.state.value_available) = (moved, value);
                buf[..4].copy_from_slice(&err.to_le_bytes());
            }
        }
        self.write(err_ptr, &buf)
    }

    fn forbid_in_signal(&self, name: SyscallName) -> Result<(), HostTrap> {
        if self.state.kind.forbids(name) {
            return Err(HostTrap::Forbidden(name.to_str()));
        }
        Ok(())
    }

    fn check_destination(&self, destination: ActorId) -> Result<(), HostTrap> {
        if destination == ActorId::SYSTEM {
            return Err(HostTrap::Forbidden("message to the system actor"));
        }
        Ok(())
    }

    /// Runs syscall `name` (anything but `alloc` and `gr_system_break`, which need the backend).
    pub fn dispatch(&mut self, name: SyscallName, a: &[u64]) -> Result<Option<i32>, HostTrap> {
        use crate::host::arg;
        use SyscallName as S;
        self.forbid_in_signal(name)?;
        let u = |i: usize| arg(a, i);
        let g = |i: usize| a.get(i).copied().unwrap_or(0);
        match name {
            S::Free => return self.free(u(0)).map(Some),
            S::FreeRange => return self.free_range(u(0), u(1)).map(Some),
            S::Alloc | S::SystemBreak => {
                return Err(HostTrap::Unrecoverable(
                    "backend syscall dispatched as common",
                ))
            }
            S::Read => self.gr_read(u(0), u(1), u(2), u(3)),
            S::Size => self.info(CostToken::Size, u(0), |s| {
                (s.state.context.current().payload().len() as u32)
                    .to_le_bytes()
                    .to_vec()
            }),
            S::Source => self.info(CostToken::Source, u(0), |s| {
                s.state.context.current().source().into_bytes().to_vec()
            }),
            S::MessageId => self.info(CostToken::MsgId, u(0), |s| {
                s.state.context.current().id().into_bytes().to_vec()
            }),
            S::ProgramId => self.info(CostToken::ActorId, u(0), |s| {
                s.state.program_id.into_bytes().to_vec()
            }),
            S::Value => self.info(CostToken::Value, u(0), |s| {
                s.state.context.current().value().to_le_bytes().to_vec()
            }),
            S::ValueAvailable => self.info(CostToken::ValueAvailable, u(0), |s| {
                s.state.value_available.to_le_bytes().to_vec()
            }),
            S::GasAvailable => {
                self.charge(CostToken::GasAvailable)?;
                let gas = *self.gas;
                self.write(u(0), &gas.to_le_bytes())
            }
            S::BlockHeight => self.info(CostToken::BlockHeight, u(0), |s| {
                s.state.block.height.to_le_bytes().to_vec()
            }),
            S::BlockTimestamp => self.info(CostToken::BlockTimestamp, u(0), |s| {
                s.state.block.timestamp.to_le_bytes().to_vec()
            }),
            S::EnvVars => self.gr_env_vars(u(0), u(1)),
            S::Random => self.gr_random(u(0), u(1)),
            S::Debug => self.gr_debug(u(0), u(1)),
            S::Panic => self.gr_panic(u(0), u(1)),
            S::OomPanic => Err(HostTrap::OomPanic),
            S::ReplyTo => {
                self.charge(CostToken::ReplyTo)?;
                let details = self.state.context.current().details();
                self.fallible(u(0), |_| {
                    Ok(match details.and_then(MessageDetails::to_reply_details) {
                        Some(d) => Ok(d.to_message_id().into_bytes()),
                        None => Err(code(ExecutionError::NoReplyContext)),
                    })
                })
            }
            S::ReplyCode => {
                self.charge(CostToken::ReplyCode)?;
                let details = self.state.context.current().details();
                self.fallible(u(0), |_| {
                    Ok(match details.and_then(MessageDetails::to_reply_details) {
                        Some(d) => Ok(d.to_reply_code().to_bytes()),
                        None => Err(code(ExecutionError::NoReplyContext)),
                    })
                })
            }
            S::SignalFrom => {
                self.charge(CostToken::SignalFrom)?;
                let details = self.state.context.current().details();
                self.fallible(u(0), |_| {
                    Ok(match details.and_then(MessageDetails::to_signal_details) {
                        Some(d) => Ok(d.to_message_id().into_bytes()),
                        None => Err(code(ExecutionError::NoSignalContext)),
                    })
                })
            }
            S::SignalCode => {
                self.charge(CostToken::SignalCode)?;
                let details = self.state.context.current().details();
                self.fallible(u(0), |_| {
                    Ok(match details.and_then(MessageDetails::to_signal_details) {
                        Some(d) => Ok(d.to_signal_code().to_u32().to_le_bytes()),
                        None => Err(code(ExecutionError::NoSignalContext)),
                    })
                })
            }
            // Sending.
            S::Send => self.gr_send(u(0), Some((u(1), u(2))), None, u(3), u(4)),
            S::SendWGas => self.gr_send(u(0), Some((u(1), u(2))), Some(g(3)), u(4), u(5)),
            S::SendInput => self.gr_send_input(u(0), u(1), u(2), None, u(3), u(4)),
            S::SendInputWGas => self.gr_send_input(u(0), u(1), u(2), Some(g(3)), u(4), u(5)),
            S::SendInit => {
                self.charge(CostToken::SendInit)?;
                self.fallible(u(0), |s| {
                    Ok(s.state
                        .context
                        .send_init()
                        .map(u32::to_le_bytes)
                        .map_err(code))
                })
            }
            S::SendPush => self.gr_send_push(u(0), u(1), u(2), u(3)),
            S::SendPushInput => self.gr_send_push_input(u(0), u(1), u(2), u(3)),
            S::SendCommit => self.gr_send_commit(u(0), u(1), None, u(2), u(3)),
            S::SendCommitWGas => self.gr_send_commit(u(0), u(1), Some(g(2)), u(3), u(4)),
            S::ReservationSend => self.gr_reservation_send(u(0), Some((u(1), u(2))), u(3), u(4)),
            S::ReservationSendCommit => {
                self.charge(CostToken::ReservationSendCommit)?;
                let (handle, rid_pid_value, delay, err) = (u(0), u(1), u(2), u(3));
                self.fallible(err, |s| {
                    s.reservation_send_commit(handle, rid_pid_value, Vec::new(), delay)
                })
            }
            // Replying.
            S::Reply => self.gr_reply(Some((u(0), u(1))), None, u(2), u(3)),
            S::ReplyWGas => self.gr_reply(Some((u(0), u(1))), Some(g(2)), u(3), u(4)),
            S::ReplyCommit => self.gr_reply(None, None, u(0), u(1)),
            S::ReplyCommitWGas => self.gr_reply(None, Some(g(0)), u(1), u(2)),
            S::ReplyPush => {
                let (ptr, len, err) = (u(0), u(1), u(2));
                self.charge(CostToken::ReplyPush(len.into()))?;
                self.fallible(err, |s| {
                    let data = match s.read_or(ptr, len) {
                        Ok(data) => data,
                        Err(e) => return Ok(Err(e)),
                    };
                    if let Err(e) = s.add_reply_bytes(len) {
                        return Ok(Err(e));
                    }
                    Ok(s.state.context.reply_push(&data).map(|()| []).map_err(code))
                })
            }
            S::ReplyPushInput => {
                self.charge(CostToken::ReplyPushInput)?;
                let (offset, len, err) = (u(0), u(1), u(2));
                self.fallible(err, |s| {
                    s.reply_push_input(offset, len).map(|r| r.map(|()| []))
                })
            }
            S::ReplyInput => self.gr_reply_input(u(0), u(1), None, u(2), u(3)),
            S::ReplyInputWGas => self.gr_reply_input(u(0), u(1), Some(g(2)), u(3), u(4)),
            S::ReservationReply => self.gr_reservation_reply(u(0), Some((u(1), u(2))), u(3)),
            S::ReservationReplyCommit => self.gr_reservation_reply(u(0), None, u(1)),
            // Programs.
            S::CreateProgram => {
                self.gr_create_program(u(0), u(1), u(2), u(3), u(4), None, u(5), u(6))
            }
            S::CreateProgramWGas => {
                self.gr_create_program(u(0), u(1), u(2), u(3), u(4), Some(g(5)), u(6), u(7))
            }
            // Gas.
            S::ReserveGas => self.gr_reserve_gas(g(0), u(1), u(2)),
            S::UnreserveGas => self.gr_unreserve_gas(u(0), u(1)),
            S::SystemReserveGas => {
                self.charge(CostToken::SystemReserveGas)?;
                let (amount, err) = (g(0), u(1));
                self.fallible(err, |s| {
                    if amount == 0 {
                        return Ok(Err(code(ReservationError::ZeroReservationAmount)));
                    }
                    if let Err(e) = s.reduce(amount) {
                        return Ok(Err(e));
                    }
                    s.state.system_reservation = s.state.system_reservation.saturating_add(amount);
                    Ok(Ok([]))
                })
            }
            S::ReplyDeposit => {
                self.charge(CostToken::ReplyDeposit)?;
                let (mid, amount, err) = (u(0), g(1), u(2));
                self.fallible(err, |s| {
                    let mid = match s.read_array::<32>(mid) {
                        Ok(mid) => MessageId::from(mid),
                        Err(e) => return Ok(Err(e)),
                    };
                    if let Err(e) = s.reduce(amount) {
                        return Ok(Err(e));
                    }
                    Ok(s.state
                        .context
                        .reply_deposit(mid, amount)
                        .map(|()| [])
                        .map_err(code))
                })
            }
            // Control flow.
            S::Wait => self.wait(CostToken::Wait, None),
            S::WaitFor => self.wait(CostToken::WaitFor, Some(u(0))),
            S::WaitUpTo => self.wait(CostToken::WaitUpTo, Some(u(0))),
            S::Wake => {
                self.charge(CostToken::Wake)?;
                let (mid, delay, err) = (u(0), u(1), u(2));
                self.fallible(err, |s| {
                    let mid = match s.read_array::<32>(mid) {
                        Ok(mid) => MessageId::from(mid),
                        Err(e) => return Ok(Err(e)),
                    };
                    s.fee(s.state.context.settings().waking_fee)?;
                    Ok(s.state.context.wake(mid, delay).map(|()| []).map_err(code))
                })
            }
            S::Exit => {
                self.charge(CostToken::Exit)?;
                let mut inheritor = [0u8; 32];
                inheritor.copy_from_slice(self.read(u(0), 32)?);
                Err(HostTrap::Exit(ActorId::from(inheritor)))
            }
            S::Leave => {
                self.charge(CostToken::Leave)?;
                Err(HostTrap::Leave)
            }
        }
        .map(|()| None)
    }

    /// An infallible getter: charge, then write what `value` gives at `ptr`.
    fn info(
        &mut self,
        token: CostToken,
        ptr: u32,
        value: impl FnOnce(&Self) -> Vec<u8>,
    ) -> Result<(), HostTrap> {
        self.charge(token)?;
        let bytes = value(self);
        self.write(ptr, &bytes)
    }

    fn gr_read(&mut self, at: u32, len: u32, buffer: u32, err: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Read)?;
        let payload = self.state.context.current().payload();
        let end = match at.checked_add(len) {
            Some(end) => end,
            None => {
                return self.write(err, &code(ExecutionError::TooBigReadLen).to_le_bytes());
            }
        };
        // Gear charges the bytes first and refunds them when the range is wrong.
        let per_byte = self.state.costs.gr_read_per_byte.cost_for(len.into());
        self.fee(per_byte)?;
        if end as usize > payload.len() {
            *self.gas = self.gas.saturating_add(per_byte);
            return self.write(err, &code(ExecutionError::ReadWrongRange).to_le_bytes());
        }
        let Some(range) = self.range(buffer, len) else {
            return self.write(err, &OOB.to_le_bytes());
        };
        self.mem[range].copy_from_slice(&payload[at as usize..end as usize]);
        self.write(err, &0u32.to_le_bytes())
    }

    fn gr_env_vars(&mut self, version: u32, ptr: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::EnvVars)?;
        if version != 1 {
            return Err(HostTrap::Unrecoverable("unsupported gr_env_vars version"));
        }
        let config = &self.state.config;
        // gsys::EnvVars (repr(C, packed)): performance multiplier, existential deposit,
        // mailbox threshold, gas multiplier (gas per value, value per gas).
        let mut vars = Vec::with_capacity(52);
        vars.extend_from_slice(&config.performance_multiplier.to_le_bytes());
        vars.extend_from_slice(&config.existential_deposit.to_le_bytes());
        vars.extend_from_slice(&config.mailbox_threshold.to_le_bytes());
        // Gear's `GasMultiplier::from_value_per_gas`: one gas per value only at 1:1.
        let gas_per_value: u64 = if config.value_per_gas == 1 { 1 } else { 0 };
        vars.extend_from_slice(&gas_per_value.to_le_bytes());
        vars.extend_from_slice(&config.value_per_gas.to_le_bytes());
        self.write(ptr, &vars)
    }

    fn gr_random(&mut self, subject: u32, out: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Random)?;
        let mut data = [0u8; 64];
        data[..32].copy_from_slice(self.read(subject, 32)?);
        let (seed, block) = self.state.block.random;
        data[32..].copy_from_slice(&seed);
        let hash = gear_core::ids::hash(&data);
        let mut result = [0u8; 36];
        result[..4].copy_from_slice(&block.to_le_bytes());
        result[4..].copy_from_slice(&hash);
        self.write(out, &result)
    }

    fn gr_debug(&mut self, payload: u32, len: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::Debug(len.into()))?;
        let data = self.read(payload, len)?;
        let Ok(text) = core::str::from_utf8(data) else {
            return Err(HostTrap::Unrecoverable("gr_debug with a non-UTF-8 string"));
        };
        log::debug!(target: "gear::program", "{}", text.chars().take(1024).collect::<alloc::string::String>());
        if self.state.debug_bytes.saturating_add(data.len()) <= MAX_DEBUG_BYTES {
            let data = data.to_vec();
            self.state.debug_bytes += data.len();
            self.state.debug.push(data);
        }
        Ok(())
    }

    fn gr_panic(&mut self, payload: u32, len: u32) -> Result<(), HostTrap> {
        // Free (Gear charges nothing); the message becomes an error reply's payload, bounded
        // like any payload.
        if len > self.state.config.max_payload_len {
            return Err(HostTrap::Unrecoverable("panic message too large"));
        }
        let message = self.read(payload, len)?.to_vec();
        Err(HostTrap::Panic(message))
    }

    /// Gas a message takes from the execution: its explicit limit, or the mailbox threshold for
    /// a gasless message to be handled (Gear's `get_reducing_gas_limit`).
    fn message_gas(&self, kind: DispatchKind, gas_limit: Option<u64>) -> Result<u64, u32> {
        match kind {
            DispatchKind::Handle => {
                let threshold = self.state.config.mailbox_threshold;
                let gas = gas_limit.unwrap_or(threshold);
                if gas != 0 && gas < threshold {
                    return Err(code(MessageError::InsufficientGasLimit));
                }
                Ok(gas)
            }
            _ => Ok(gas_limit.unwrap_or(0)),
        }
    }

    /// Fees and gas of sending: message gas and value, the sending fee, stash rent for a delay.
    fn charge_sending(
        &mut self,
        kind: DispatchKind,
        gas_limit: Option<u64>,
        value: u128,
        delay: u32,
    ) -> Result<Result<(), u32>, HostTrap> {
        let result = self
            .message_gas(kind, gas_limit)
            .and_then(|gas| self.reduce(gas))
            .and_then(|()| self.take_value(value));
        if result.is_err() {
            return Ok(result);
        }
        let settings = *self.state.context.settings();
        self.fee(if delay == 0 {
            settings.sending_fee
        } else {
            settings.scheduled_sending_fee
        })?;
        if delay != 0 {
            let rent = self
                .state
                .rent
                .dispatch_stash
                .cost_for(self.state.config.reserve_for.saturating_add(delay).into());
            if self.reduce(rent).is_err() {
                return Ok(Err(code(MessageError::InsufficientGasForDelayedSending)));
            }
        }
        Ok(Ok(()))
    }

    /// Commits handle `handle` to `destination` (`gr_send*`, `gr_send_commit*`).
    fn send_commit(
        &mut self,
        handle: u32,
        destination: ActorId,
        payload: Vec<u8>,
        gas_limit: Option<u64>,
        value: u128,
        delay: u32,
    ) -> Result<Fallible<32>, HostTrap> {
        self.check_destination(destination)?;
        let payload = match payload_of(payload) {
            Ok(payload) => payload,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = self.charge_sending(DispatchKind::Handle, gas_limit, value, delay)? {
            return Ok(Err(e));
        }
        let packet = HandlePacket::maybe_with_gas(destination, payload, gas_limit, value);
        Ok(self
            .state
            .context
            .send_commit(handle, packet, delay, None)
            .map(MessageId::into_bytes)
            .map_err(code))
    }

    fn gr_send(
        &mut self,
        pid_value: u32,
        payload: Option<(u32, u32)>,
        gas_limit: Option<u64>,
        delay: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        let (ptr, len) = payload.unwrap_or((0, 0));
        let len_cost = Self::payload_len_for_cost(len).into();
        self.charge(match gas_limit {
            None => CostToken::Send(len_cost),
            Some(_) => CostToken::SendWGas(len_cost),
        })?;
        self.fallible(err, |s| {
            let read = s
                .read_hash_value(pid_value)
                .and_then(|hv| Ok((hv, s.read_payload(ptr, len)?)));
            let ((destination, value), payload) = match read {
                Ok(read) => read,
                Err(e) => return Ok(Err(e)),
            };
            let handle = match s.state.context.send_init() {
                Ok(handle) => handle,
                Err(e) => return Ok(Err(code(e))),
            };
            s.send_commit(handle, destination.into(), payload, gas_limit, value, delay)
        })
    }

    fn gr_send_input(
        &mut self,
        pid_value: u32,
        offset: u32,
        len: u32,
        gas_limit: Option<u64>,
        delay: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        self.charge(match gas_limit {
            None => CostToken::SendInput,
            Some(_) => CostToken::SendInputWGas,
        })?;
        self.fallible(err, |s| {
            let (destination, value) = match s.read_hash_value(pid_value) {
                Ok(hv) => hv,
                Err(e) => return Ok(Err(e)),
            };
            let handle = match s.state.context.send_init() {
                Ok(handle) => handle,
                Err(e) => return Ok(Err(code(e))),
            };
            if let Err(e) = s.send_push_input(handle, offset, len)? {
                return Ok(Err(e));
            }
            s.send_commit(
                handle,
                destination.into(),
                Vec::new(),
                gas_limit,
                value,
                delay,
            )
        })
    }

    fn send_push_input(
        &mut self,
        handle: u32,
        offset: u32,
        len: u32,
    ) -> Result<Result<(), u32>, HostTrap> {
        let payload_len = self.state.context.current().payload().len();
        let range = match input_range(payload_len, offset, len) {
            Ok(_) => self.state.context.check_input_range(offset, len),
            Err(e) => return Ok(Err(e)),
        };
        let range = match range {
            Ok(range) => range,
            Err(e) => return Ok(Err(code(e))),
        };
        let per_byte = self
            .state
            .costs
            .gr_send_push_input_per_byte
            .cost_for(range.len().into());
        self.kept_fee(per_byte)?;
        Ok(self
            .state
            .context
            .send_push_input(handle, range)
            .map_err(code))
    }

    fn gr_send_push(&mut self, handle: u32, ptr: u32, len: u32, err: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::SendPush(len.into()))?;
        self.fallible(err, |s| {
            let data = match s.read_or(ptr, len) {
                Ok(data) => data,
                Err(e) => return Ok(Err(e)),
            };
            Ok(s.state
                .context
                .send_push(handle, &data)
                .map(|()| [])
                .map_err(code))
        })
    }

    fn gr_send_push_input(
        &mut self,
        handle: u32,
        offset: u32,
        len: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        self.charge(CostToken::SendPushInput)?;
        self.fallible(err, |s| {
            Ok(s.send_push_input(handle, offset, len)?.map(|()| []))
        })
    }

    fn gr_send_commit(
        &mut self,
        handle: u32,
        pid_value: u32,
        gas_limit: Option<u64>,
        delay: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        self.charge(match gas_limit {
            None => CostToken::SendCommit,
            Some(_) => CostToken::SendCommitWGas,
        })?;
        self.fallible(err, |s| {
            let (destination, value) = match s.read_hash_value(pid_value) {
                Ok(hv) => hv,
                Err(e) => return Ok(Err(e)),
            };
            s.send_commit(
                handle,
                destination.into(),
                Vec::new(),
                gas_limit,
                value,
                delay,
            )
        })
    }

    fn gr_reservation_send(
        &mut self,
        rid_pid_value: u32,
        payload: Option<(u32, u32)>,
        delay: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        let (ptr, len) = payload.unwrap_or((0, 0));
        self.charge(CostToken::ReservationSend(
            Self::payload_len_for_cost(len).into(),
        ))?;
        self.fallible(err, |s| {
            let data = match s.read_payload(ptr, len) {
                Ok(data) => data,
                Err(e) => return Ok(Err(e)),
            };
            let handle = match s.state.context.send_init() {
                Ok(handle) => handle,
                Err(e) => return Ok(Err(code(e))),
            };
            s.reservation_send_commit(handle, rid_pid_value, data, delay)
        })
    }

    /// Commits `handle` with a reservation's gas (`TwoHashesWithValue`: reservation,
    /// destination, value).
    fn reservation_send_commit(
        &mut self,
        handle: u32,
        rid_pid_value: u32,
        payload: Vec<u8>,
        delay: u32,
    ) -> Result<Fallible<32>, HostTrap> {
        let raw: [u8; 80] = match self.read_array(rid_pid_value) {
            Ok(raw) => raw,
            Err(e) => return Ok(Err(e)),
        };
        let (rid, destination, value) = split_two_hashes_value(&raw);
        let destination = ActorId::from(destination);
        self.check_destination(destination)?;
        let rid = ReservationId::from(rid);
        if delay != 0 {
            let needed = self
                .state
                .rent
                .dispatch_stash
                .cost_for(self.state.config.reserve_for.saturating_add(delay).into())
                .saturating_add(self.state.config.mailbox_threshold);
            match self.state.reserver.limit_of(&rid) {
                None => return Ok(Err(code(ReservationError::InvalidReservationId))),
                Some(limit) if limit < needed => {
                    return Ok(Err(code(MessageError::InsufficientGasForDelayedSending)))
                }
                Some(_) => {}
            }
        }
        if let Err(e) = self.take_value(value) {
            return Ok(Err(e));
        }
        let settings = *self.state.context.settings();
        self.fee(if delay == 0 {
            settings.sending_fee
        } else {
            settings.scheduled_sending_fee
        })?;
        if let Err(e) = self.state.reserver.check_not_used(rid) {
            return Ok(Err(code(e)));
        }
        let payload = match payload_of(payload) {
            Ok(payload) => payload,
            Err(e) => return Ok(Err(e)),
        };
        let packet = HandlePacket::new(destination, payload, value);
        let id = match self
            .state
            .context
            .send_commit(handle, packet, delay, Some(rid))
        {
            Ok(id) => id,
            Err(e) => return Ok(Err(code(e))),
        };
        // Checked unused just above: marking cannot fail.
        let _ = self.state.reserver.mark_used(rid);
        Ok(Ok(id.into_bytes()))
    }

    fn gr_reply(
        &mut self,
        payload: Option<(u32, u32)>,
        gas_limit: Option<u64>,
        value_ptr: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        let token = match (payload, gas_limit) {
            (Some((_, len)), None) => CostToken::Reply(Self::payload_len_for_cost(len).into()),
            (Some((_, len)), Some(_)) => {
                CostToken::ReplyWGas(Self::payload_len_for_cost(len).into())
            }
            (None, None) => CostToken::ReplyCommit,
            (None, Some(_)) => CostToken::ReplyCommitWGas,
        };
        self.charge(token)?;
        self.fallible(err, |s| {
            let value = match s.read_value(value_ptr) {
                Ok(value) => value,
                Err(e) => return Ok(Err(e)),
            };
            let data = match payload {
                Some((ptr, len)) => match s.read_payload(ptr, len) {
                    Ok(data) => data,
                    Err(e) => return Ok(Err(e)),
                },
                None => Vec::new(),
            };
            if let Err(e) = s.add_reply_bytes(data.len() as u32) {
                return Ok(Err(e));
            }
            s.reply_commit(data, gas_limit, value)
        })
    }

    fn reply_commit(
        &mut self,
        payload: Vec<u8>,
        gas_limit: Option<u64>,
        value: u128,
    ) -> Result<Fallible<32>, HostTrap> {
        self.check_destination(self.state.context.reply_destination())?;
        let payload = match payload_of(payload) {
            Ok(payload) => payload,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = self.charge_sending(DispatchKind::Reply, gas_limit, value, 0)? {
            return Ok(Err(e));
        }
        let packet = ReplyPacket::maybe_with_gas(payload, gas_limit, value);
        Ok(self
            .state
            .context
            .reply_commit(packet, None)
            .map(MessageId::into_bytes)
            .map_err(code))
    }

    fn reply_push_input(&mut self, offset: u32, len: u32) -> Result<Result<(), u32>, HostTrap> {
        let range = match self.state.context.check_input_range(offset, len) {
            Ok(range) => range,
            Err(e) => return Ok(Err(code(e))),
        };
        let per_byte = self
            .state
            .costs
            .gr_reply_push_input_per_byte
            .cost_for(range.len().into());
        self.kept_fee(per_byte)?;
        if let Err(e) = self.add_reply_bytes(range.len()) {
            return Ok(Err(e));
        }
        Ok(self.state.context.reply_push_input(range).map_err(code))
    }

    fn gr_reply_input(
        &mut self,
        offset: u32,
        len: u32,
        gas_limit: Option<u64>,
        value_ptr: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        self.charge(match gas_limit {
            None => CostToken::ReplyInput,
            Some(_) => CostToken::ReplyInputWGas,
        })?;
        self.fallible(err, |s| {
            let value = match s.read_value(value_ptr) {
                Ok(value) => value,
                Err(e) => return Ok(Err(e)),
            };
            if let Err(e) = s.reply_push_input(offset, len)? {
                return Ok(Err(e));
            }
            s.reply_commit(Vec::new(), gas_limit, value)
        })
    }

    fn gr_reservation_reply(
        &mut self,
        rid_value: u32,
        payload: Option<(u32, u32)>,
        err: u32,
    ) -> Result<(), HostTrap> {
        self.charge(match payload {
            Some((_, len)) => CostToken::ReservationReply(Self::payload_len_for_cost(len).into()),
            None => CostToken::ReservationReplyCommit,
        })?;
        self.fallible(err, |s| {
            let read = s.read_hash_value(rid_value).and_then(|hv| {
                Ok((
                    hv,
                    match payload {
                        Some((ptr, len)) => s.read_payload(ptr, len)?,
                        None => Vec::new(),
                    },
                ))
            });
            let ((rid, value), data) = match read {
                Ok(read) => read,
                Err(e) => return Ok(Err(e)),
            };
            let rid = ReservationId::from(rid);
            s.check_destination(s.state.context.reply_destination())?;
            if let Err(e) = s.take_value(value) {
                return Ok(Err(e));
            }
            s.fee(s.state.context.settings().sending_fee)?;
            if let Err(e) = s.state.reserver.check_not_used(rid) {
                return Ok(Err(code(e)));
            }
            if let Err(e) = s.add_reply_bytes(data.len() as u32) {
                return Ok(Err(e));
            }
            let payload = match payload_of(data) {
                Ok(payload) => payload,
                Err(e) => return Ok(Err(e)),
            };
            let packet = ReplyPacket::new(payload, value);
            let id = match s.state.context.reply_commit(packet, Some(rid)) {
                Ok(id) => id,
                Err(e) => return Ok(Err(e.to_u32())),
            };
            let _ = s.state.reserver.mark_used(rid);
            Ok(Ok(id.into_bytes()))
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn gr_create_program(
        &mut self,
        cid_value: u32,
        salt_ptr: u32,
        salt_len: u32,
        payload_ptr: u32,
        payload_len: u32,
        gas_limit: Option<u64>,
        delay: u32,
        err: u32,
    ) -> Result<(), HostTrap> {
        let (payload_cost, salt_cost) = (
            Self::payload_len_for_cost(payload_len).into(),
            Self::payload_len_for_cost(salt_len).into(),
        );
        self.charge(match gas_limit {
            None => CostToken::CreateProgram(payload_cost, salt_cost),
            Some(_) => CostToken::CreateProgramWGas(payload_cost, salt_cost),
        })?;
        self.fallible(err, |s| {
            let read = s.read_hash_value(cid_value).and_then(|hv| {
                Ok((
                    hv,
                    s.read_payload(salt_ptr, salt_len)?,
                    s.read_payload(payload_ptr, payload_len)?,
                ))
            });
            let ((code_id, value), salt, payload) = match read {
                Ok(read) => read,
                Err(e) => return Ok(Err(e)),
            };
            match s.state.init_bytes.checked_add(payload.len() as u32) {
                Some(total) if total <= s.state.config.outgoing_bytes_limit => {
                    s.state.init_bytes = total;
                }
                _ => return Ok(Err(code(MessageError::OutgoingMessagesBytesLimitExceeded))),
            }
            let (salt, payload) = match (payload_of(salt), payload_of(payload)) {
                (Ok(salt), Ok(payload)) => (salt, payload),
                (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
            };
            let code_id = CodeId::from(code_id);
            if let Err(e) = s.charge_sending(DispatchKind::Init, gas_limit, value, delay)? {
                return Ok(Err(e));
            }
            if let Err(e) = s.take_value(s.state.config.existential_deposit) {
                return Ok(Err(e));
            }
            let packet = InitPacket::new_from_program(
                code_id,
                salt,
                payload,
                s.state.context.current().id(),
                gas_limit,
                value,
            );
            let (mid, pid) = match s.state.context.init_program(packet, delay) {
                Ok(ids) => ids,
                Err(e) => return Ok(Err(code(e))),
            };
            s.state.programs.push(NewProgram {
                id: pid,
                code_id,
                init_message: mid,
            });
            let mut out = [0u8; 64];
            out[..32].copy_from_slice(&mid.into_bytes());
            out[32..].copy_from_slice(&pid.into_bytes());
            Ok(Ok(out))
        })
    }

    fn gr_reserve_gas(&mut self, amount: u64, duration: u32, err: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::ReserveGas)?;
        self.fallible(err, |s| {
            s.fee(s.state.context.settings().reservation_fee)?;
            if duration == 0 {
                return Ok(Err(code(ReservationError::ZeroReservationDuration)));
            }
            if amount < s.state.config.mailbox_threshold {
                return Ok(Err(code(
                    ReservationError::ReservationBelowMailboxThreshold,
                )));
            }
            let rent = s
                .state
                .rent
                .reservation
                .cost_for(s.state.config.reserve_for.saturating_add(duration).into());
            if let Err(e) = s.reduce(amount.saturating_add(rent)) {
                return Ok(Err(e));
            }
            Ok(s.state
                .reserver
                .reserve(amount, duration)
                .map(ReservationId::into_bytes)
                .map_err(code))
        })
    }

    fn gr_unreserve_gas(&mut self, rid: u32, err: u32) -> Result<(), HostTrap> {
        self.charge(CostToken::UnreserveGas)?;
        self.fallible(err, |s| {
            let rid = match s.read_array::<32>(rid) {
                Ok(rid) => ReservationId::from(rid),
                Err(e) => return Ok(Err(e)),
            };
            let (amount, reimbursement) = match s.state.reserver.unreserve(rid) {
                Ok(result) => result,
                Err(e) => return Ok(Err(code(e))),
            };
            // Made in this execution: its gas and prepaid rent come back to the counter.
            if let Some(reimbursement) = reimbursement {
                let rent = s.state.rent.reservation.cost_for(
                    s.state
                        .config
                        .reserve_for
                        .saturating_add(reimbursement.duration())
                        .into(),
                );
                let back = amount.saturating_add(rent);
                *s.gas = s.gas.saturating_add(back);
                s.state.gas_moved = s.state.gas_moved.saturating_sub(back);
            }
            Ok(Ok(amount.to_le_bytes()))
        })
    }

    fn wait(&mut self, token: CostToken, duration: Option<u32>) -> Result<(), HostTrap> {
        self.charge(token)?;
        // Gear charges the waiting fee and the rent in one change that a failed check rolls
        // back: the fee must be affordable, and is burned only when the message does wait.
        let fee = self.state.context.settings().waiting_fee;
        if *self.gas < fee {
            return Err(HostTrap::OutOfGas);
        }
        if self.state.context.reply_sent() {
            return Err(HostTrap::Unrecoverable("wait after reply"));
        }
        if duration == Some(0) {
            return Err(HostTrap::Unrecoverable("wait for zero blocks"));
        }
        let before = (*self.gas, self.state.gas_moved);
        *self.gas -= fee;
        let reserve_for = self.state.config.reserve_for;
        let waitlist = self.state.rent.waitlist;
        let rent = |blocks: u32| waitlist.cost_for(reserve_for.saturating_add(blocks).into());
        let kind = match (token, duration) {
            (CostToken::WaitFor, Some(d)) => {
                self.reduce(rent(d)).map(|()| MessageWaitedType::WaitFor)
            }
            (CostToken::WaitUpTo, Some(d)) => {
                let (first, full) = (rent(1), rent(d));
                self.reduce(first).map(|()| {
                    if self.reduce(full.saturating_sub(first)).is_ok() {
                        MessageWaitedType::WaitUpToFull
                    } else {
                        MessageWaitedType::WaitUpTo
                    }
                })
            }
            _ => self.reduce(rent(1)).map(|()| MessageWaitedType::Wait),
        };
        let Ok(kind) = kind else {
            (*self.gas, self.state.gas_moved) = before;
            return Err(HostTrap::Unrecoverable("not enough gas for waitlist rent"));
        };
        Err(HostTrap::Wait(duration, kind))
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
        let Some(interval) = gear_core::pages::numerated::interval::Interval::new(start, end)
        else {
            return Ok(1);
        };
        // Gear charges every page of the range, and refunds it when nothing was freed.
        let pages = u32::from(end) - u32::from(start) + 1;
        let per_page = self.state.costs.free_range_per_page.cost_for_one();
        let before = *self.gas;
        charge_if_enough(self.gas, per_page.saturating_mul(pages.into()))?;
        let Some(allocations) = self.state.allocations.as_mut() else {
            *self.gas = before;
            return Ok(1);
        };
        if allocations.free_range(interval).is_ok() {
            Ok(0)
        } else {
            *self.gas = before;
            Ok(1)
        }
    }
}

fn split_two_hashes_value(raw: &[u8; 80]) -> ([u8; 32], [u8; 32], u128) {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    let mut v = [0u8; 16];
    a.copy_from_slice(&raw[..32]);
    b.copy_from_slice(&raw[32..64]);
    v.copy_from_slice(&raw[64..]);
    (a, b, u128::from_le_bytes(v))
}

fn to_wasm_page(page: u32) -> Result<gear_core::pages::WasmPage, HostTrap> {
    gear_core::pages::WasmPage::try_from(page).map_err(|_| HostTrap::InvalidPage(page))
}
