//! Journal notes: what one processed dispatch means for the chain, as Gear's processor states
//! it, and the [`JournalHandler`] that applies them.
//!
//! [`crate::processing`] decides (pure: dispatch + program state + [`ExecutionOutcome`] → notes);
//! a handler does (the pallet on storage, the engine's test queue in memory). The notes come in
//! Gear's order: gas burned, value, reservations, created programs, replies and sends, wakes,
//! memory, then how the dispatch ended, then its consumption.
//!
//! [`ExecutionOutcome`]: crate::ExecutionOutcome

use crate::{memory::MemoryChanges, outcome::Dispatch};
use alloc::vec::Vec;
use gear_core::env::MessageWaitedType;
use gear_core_errors::SignalCode;
use gprimitives::{ActorId, CodeId, MessageId, ReservationId};

/// How a dispatch ended (Gear's `DispatchOutcome`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchOutcome {
    /// `handle`, `handle_reply` or `handle_signal` ran to completion.
    Success,
    /// `init` ran to completion: the program is initialized.
    InitSuccess {
        /// The program.
        program_id: ActorId,
    },
    /// `init` failed: the program is terminated.
    InitFailure {
        /// The program.
        program_id: ActorId,
        /// Who sent the init message (inherits the program's balance).
        origin: ActorId,
    },
    /// The execution trapped.
    MessageTrap {
        /// The program.
        program_id: ActorId,
    },
    /// The program called `gr_exit`.
    Exit {
        /// The program.
        program_id: ActorId,
    },
    /// The dispatch could not execute (its destination is not an active program, or not yet
    /// initialized).
    NoExecution,
}

/// One effect of a processed dispatch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalNote {
    /// Gas the execution burned, from the message's gas.
    GasBurned {
        /// The message.
        message_id: MessageId,
        /// Gas burned.
        amount: u64,
    },
    /// Value moves: the dispatch's value to the program it ran on, or back to its sender.
    SendValue {
        /// Who sent the value.
        from: ActorId,
        /// Who receives it.
        to: ActorId,
        /// Amount.
        value: u128,
    },
    /// The program reserved gas from the message.
    ReserveGas {
        /// The message whose gas is reserved.
        message_id: MessageId,
        /// The reservation.
        reservation_id: ReservationId,
        /// The program that holds it.
        program_id: ActorId,
        /// Gas reserved.
        amount: u64,
        /// Blocks it lasts.
        duration: u32,
    },
    /// The program removed a reservation made by an earlier execution.
    UnreserveGas {
        /// The reservation.
        reservation_id: ReservationId,
        /// The program that held it.
        program_id: ActorId,
    },
    /// Gas added to the message's system reservation (it pays a signal if the program traps).
    SystemReserveGas {
        /// The message.
        message_id: MessageId,
        /// Gas added.
        amount: u64,
    },
    /// The message's system reservation is no longer needed: its gas returns to the message.
    SystemUnreserveGas {
        /// The message.
        message_id: MessageId,
    },
    /// A signal for the program, paid by the message's system reservation.
    SendSignal {
        /// The message that failed.
        message_id: MessageId,
        /// The program that gets the signal.
        destination: ActorId,
        /// Why.
        code: SignalCode,
    },
    /// The program created a program (`gr_create_program*`); its init message is one of the
    /// following [`JournalNote::SendDispatch`]es.
    StoreNewProgram {
        /// The creating program.
        creator: ActorId,
        /// The new program.
        program_id: ActorId,
        /// Its code.
        code_id: CodeId,
        /// Its init message.
        init_message: MessageId,
    },
    /// Gas set aside from the message for the reply to one of its sends.
    ReplyDeposit {
        /// The message.
        message_id: MessageId,
        /// The id the reply will have.
        future_reply_id: MessageId,
        /// Gas.
        amount: u64,
    },
    /// A message to deliver: sent by the program, its reply, or a reply made for it (auto or
    /// error reply).
    SendDispatch {
        /// The message whose execution produced it (its gas pays).
        message_id: MessageId,
        /// The dispatch.
        dispatch: Dispatch,
        /// Its own gas limit; `None` shares the producing message's gas.
        gas_limit: Option<u64>,
        /// Blocks to wait before it is delivered.
        delay: u32,
        /// The reservation whose gas it carries.
        reservation: Option<ReservationId>,
    },
    /// A waiting message is woken.
    WakeMessage {
        /// The message whose execution woke it.
        message_id: MessageId,
        /// The program that woke it (and where it waits).
        program_id: ActorId,
        /// The message to wake.
        awakening_id: MessageId,
        /// Blocks to wait before waking.
        delay: u32,
    },
    /// Memory pages and allocations changed.
    UpdateMemory {
        /// The program.
        program_id: ActorId,
        /// The changes.
        changes: MemoryChanges,
    },
    /// The message waits (`gr_wait*`) with what its next execution needs.
    WaitDispatch {
        /// The message, its context set.
        dispatch: Dispatch,
        /// Blocks to wait, if given.
        duration: Option<u32>,
        /// Which wait.
        waited_type: MessageWaitedType,
    },
    /// The program exited (`gr_exit`).
    ExitDispatch {
        /// The program.
        program_id: ActorId,
        /// Who inherits its balance.
        inheritor: ActorId,
    },
    /// How the dispatch ended.
    MessageDispatched {
        /// The message.
        message_id: MessageId,
        /// Its sender.
        source: ActorId,
        /// The outcome.
        outcome: DispatchOutcome,
    },
    /// The message is done: what is left of its gas goes back along its gas tree.
    MessageConsumed {
        /// The message.
        message_id: MessageId,
    },
}

/// Applies journal notes to a chain's state: one method per note.
pub trait JournalHandler {
    /// [`JournalNote::GasBurned`].
    fn gas_burned(&mut self, message_id: MessageId, amount: u64);
    /// [`JournalNote::SendValue`].
    fn send_value(&mut self, from: ActorId, to: ActorId, value: u128);
    /// [`JournalNote::ReserveGas`].
    fn reserve_gas(
        &mut self,
        message_id: MessageId,
        reservation_id: ReservationId,
        program_id: ActorId,
        amount: u64,
        duration: u32,
    );
    /// [`JournalNote::UnreserveGas`].
    fn unreserve_gas(&mut self, reservation_id: ReservationId, program_id: ActorId);
    /// [`JournalNote::SystemReserveGas`].
    fn system_reserve_gas(&mut self, message_id: MessageId, amount: u64);
    /// [`JournalNote::SystemUnreserveGas`].
    fn system_unreserve_gas(&mut self, message_id: MessageId);
    /// [`JournalNote::SendSignal`].
    fn send_signal(&mut self, message_id: MessageId, destination: ActorId, code: SignalCode);
    /// [`JournalNote::StoreNewProgram`].
    fn store_new_program(
        &mut self,
        creator: ActorId,
        program_id: ActorId,
        code_id: CodeId,
        init_message: MessageId,
    );
    /// [`JournalNote::ReplyDeposit`].
    fn reply_deposit(&mut self, message_id: MessageId, future_reply_id: MessageId, amount: u64);
    /// [`JournalNote::SendDispatch`].
    fn send_dispatch(
        &mut self,
        message_id: MessageId,
        dispatch: Dispatch,
        gas_limit: Option<u64>,
        delay: u32,
        reservation: Option<ReservationId>,
    );
    /// [`JournalNote::WakeMessage`].
    fn wake_message(
        &mut self,
        message_id: MessageId,
        program_id: ActorId,
        awakening_id: MessageId,
        delay: u32,
    );
    /// [`JournalNote::UpdateMemory`].
    fn update_memory(&mut self, program_id: ActorId, changes: MemoryChanges);
    /// [`JournalNote::WaitDispatch`].
    fn wait_dispatch(
        &mut self,
        dispatch: Dispatch,
        duration: Option<u32>,
        waited_type: MessageWaitedType,
    );
    /// [`JournalNote::ExitDispatch`].
    fn exit_dispatch(&mut self, program_id: ActorId, inheritor: ActorId);
    /// [`JournalNote::MessageDispatched`].
    fn message_dispatched(
        &mut self,
        message_id: MessageId,
        source: ActorId,
        outcome: DispatchOutcome,
    );
    /// [`JournalNote::MessageConsumed`].
    fn message_consumed(&mut self, message_id: MessageId);
}

/// Applies `notes` in order.
pub fn handle_journal(notes: Vec<JournalNote>, handler: &mut impl JournalHandler) {
    use JournalNote as N;
    for note in notes {
        match note {
            N::GasBurned { message_id, amount } => handler.gas_burned(message_id, amount),
            N::SendValue { from, to, value } => handler.send_value(from, to, value),
            N::ReserveGas {
                message_id,
                reservation_id,
                program_id,
                amount,
                duration,
            } => handler.reserve_gas(message_id, reservation_id, program_id, amount, duration),
            N::UnreserveGas {
                reservation_id,
                program_id,
            } => handler.unreserve_gas(reservation_id, program_id),
            N::SystemReserveGas { message_id, amount } => {
                handler.system_reserve_gas(message_id, amount)
            }
            N::SystemUnreserveGas { message_id } => handler.system_unreserve_gas(message_id),
            N::SendSignal {
                message_id,
                destination,
                code,
            } => handler.send_signal(message_id, destination, code),
            N::StoreNewProgram {
                creator,
                program_id,
                code_id,
                init_message,
            } => handler.store_new_program(creator, program_id, code_id, init_message),
            N::ReplyDeposit {
                message_id,
                future_reply_id,
                amount,
            } => handler.reply_deposit(message_id, future_reply_id, amount),
            N::SendDispatch {
                message_id,
                dispatch,
                gas_limit,
                delay,
                reservation,
            } => handler.send_dispatch(message_id, dispatch, gas_limit, delay, reservation),
            N::WakeMessage {
                message_id,
                program_id,
                awakening_id,
                delay,
            } => handler.wake_message(message_id, program_id, awakening_id, delay),
            N::UpdateMemory {
                program_id,
                changes,
            } => handler.update_memory(program_id, changes),
            N::WaitDispatch {
                dispatch,
                duration,
                waited_type,
            } => handler.wait_dispatch(dispatch, duration, waited_type),
            N::ExitDispatch {
                program_id,
                inheritor,
            } => handler.exit_dispatch(program_id, inheritor),
            N::MessageDispatched {
                message_id,
                source,
                outcome,
            } => handler.message_dispatched(message_id, source, outcome),
            N::MessageConsumed { message_id } => handler.message_consumed(message_id),
        }
    }
}
