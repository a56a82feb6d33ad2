//! What a dispatch means: Gear's processing rules, decided once.
//!
//! Given a dispatch, the state of the actor it is for, and (when it ran) the engine's
//! [`ExecutionOutcome`], these functions return the [`JournalNote`]s that say what happens:
//! replies, Gear's auto reply and error replies with their [`ReplyCode`], `UnavailableActor` for
//! exited, terminated, missing or uninitialized destinations, a failed init terminating the
//! program, `gr_exit`, waits, wakes, sends, created programs, reservations, signals, value and
//! memory. They touch no storage: the pallet and the engine's test queue apply the notes through
//! [`crate::journal::JournalHandler`], so the rules cannot drift apart.

use crate::{
    journal::{DispatchOutcome, JournalNote},
    outcome::{Dispatch, ExecutionOutcome, ExecutionStatus, ReservationChange},
};
use alloc::vec::Vec;
use gear_core::{
    ids::prelude::MessageIdExt,
    message::{DispatchKind, MessageDetails, ReplyDetails},
};
use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SignalCode, SimpleExecutionError, SimpleUnavailableActorError,
    SuccessReplyReason,
};
use gprimitives::{ActorId, MessageId};

/// The state of the actor a dispatch is for, as far as processing cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorState {
    /// No program with this id.
    NotCreated,
    /// A program that has not finished `init`; `init_message` is its init message.
    Uninitialized {
        /// The program's init message.
        init_message: MessageId,
    },
    /// An initialized program.
    Initialized,
    /// The program exited with `gr_exit`.
    Exited {
        /// Who inherited its balance.
        inheritor: ActorId,
    },
    /// The program's init failed.
    Terminated,
}

/// Whether `dispatch` may execute on an actor in `state`; otherwise why not (the
/// `UnavailableActor` reason) and the error reply's payload.
///
/// Replies and signals reach a program that is still initializing (its `init` may be waiting
/// for a reply); any other message to it is refused with `Uninitialized`.
pub fn check_actor(
    dispatch: &Dispatch,
    state: ActorState,
) -> Result<(), (SimpleUnavailableActorError, Vec<u8>)> {
    use SimpleUnavailableActorError as U;
    match state {
        ActorState::NotCreated => Err((U::ProgramNotCreated, Vec::new())),
        ActorState::Exited { inheritor } => {
            Err((U::ProgramExited, inheritor.into_bytes().to_vec()))
        }
        ActorState::Terminated => Err((U::InitializationFailure, Vec::new())),
        ActorState::Uninitialized { init_message } => match dispatch.kind {
            DispatchKind::Init if dispatch.id == init_message => Ok(()),
            DispatchKind::Reply | DispatchKind::Signal => Ok(()),
            _ => Err((U::Uninitialized, Vec::new())),
        },
        ActorState::Initialized => match dispatch.kind {
            DispatchKind::Init => Err((U::Unsupported, Vec::new())),
            _ => Ok(()),
        },
    }
}

/// Whether Gear answers this dispatch with a reply (auto or error): `init` and `handle` do,
/// replies and signals do not.
pub fn expects_reply(dispatch: &Dispatch) -> bool {
    matches!(dispatch.kind, DispatchKind::Init | DispatchKind::Handle)
}

/// A reply from `program` to the sender of `to`, with Gear's reply id.
pub fn reply_dispatch(
    program: ActorId,
    to: &Dispatch,
    code: ReplyCode,
    payload: Vec<u8>,
    value: u128,
) -> Dispatch {
    Dispatch {
        kind: DispatchKind::Reply,
        id: MessageId::generate_reply(to.id),
        source: program,
        destination: to.source,
        payload,
        value,
        details: Some(MessageDetails::Reply(ReplyDetails::new(to.id, code))),
        context: None,
    }
}

/// Notes for a dispatch that cannot execute: its value goes back (with the error reply for
/// `init`/`handle`, directly for replies and signals), nothing is burned, and the message is
/// consumed.
pub fn process_non_executable(
    dispatch: &Dispatch,
    reason: SimpleUnavailableActorError,
    payload: Vec<u8>,
) -> Vec<JournalNote> {
    let mut notes = Vec::with_capacity(3);
    notes.extend(answer_failure(
        dispatch,
        ErrorReplyReason::UnavailableActor(reason),
        payload,
        dispatch.source,
    ));
    notes.push(JournalNote::MessageDispatched {
        message_id: dispatch.id,
        source: dispatch.source,
        outcome: DispatchOutcome::NoExecution,
    });
    notes.push(JournalNote::MessageConsumed {
        message_id: dispatch.id,
    });
    notes
}

/// How a dispatch that failed is answered: `init` and `handle` get an error reply with `reason`
/// and `payload` that carries their value back (the value counts on the first run only: a woken
/// message's value went to the program when it first ran); a reply or signal gets no answer and
/// its value goes to `value_to`.
fn answer_failure(
    dispatch: &Dispatch,
    reason: ErrorReplyReason,
    payload: Vec<u8>,
    value_to: ActorId,
) -> Option<JournalNote> {
    let value = if dispatch.context.is_none() {
        dispatch.value
    } else {
        0
    };
    if expects_reply(dispatch) {
        let reply = reply_dispatch(
            dispatch.destination,
            dispatch,
            ReplyCode::Error(reason),
            payload,
            value,
        );
        Some(send(dispatch.id, reply))
    } else {
        (value != 0).then_some(JournalNote::SendValue {
            from: dispatch.source,
            to: value_to,
            value,
        })
    }
}

fn send(message_id: MessageId, dispatch: Dispatch) -> JournalNote {
    JournalNote::SendDispatch {
        message_id,
        dispatch,
        gas_limit: None,
        delay: 0,
        reservation: None,
    }
}

/// Notes for a dispatch that executed with `outcome`.
pub fn process_outcome(dispatch: Dispatch, outcome: ExecutionOutcome) -> Vec<JournalNote> {
    match outcome.status {
        ExecutionStatus::Trap { reason, message } => process_trap(
            dispatch,
            outcome.gas_burned,
            outcome.system_reservation,
            outcome.context.system_reservation().is_some(),
            reason,
            message,
        ),
        _ => process_success(dispatch, outcome),
    }
}

fn process_trap(
    dispatch: Dispatch,
    gas_burned: u64,
    system_reserved: u64,
    has_system_reservation: bool,
    reason: SimpleExecutionError,
    message: Vec<u8>,
) -> Vec<JournalNote> {
    let program = dispatch.destination;
    let mut notes = Vec::with_capacity(8);
    notes.push(JournalNote::GasBurned {
        message_id: dispatch.id,
        amount: gas_burned,
    });
    if system_reserved > 0 {
        notes.push(JournalNote::SystemReserveGas {
            message_id: dispatch.id,
            amount: system_reserved,
        });
    }
    if has_system_reservation {
        if !dispatch.is_error_reply()
            && !matches!(dispatch.kind, DispatchKind::Init | DispatchKind::Signal)
        {
            notes.push(JournalNote::SendSignal {
                message_id: dispatch.id,
                destination: program,
                code: SignalCode::Execution(reason),
            });
        }
        notes.push(JournalNote::SystemUnreserveGas {
            message_id: dispatch.id,
        });
    }
    // A failed reply or signal gets no answer: its value stays with the program, as Gear has it.
    notes.extend(answer_failure(
        &dispatch,
        ErrorReplyReason::Execution(reason),
        message,
        program,
    ));
    let outcome = match dispatch.kind {
        DispatchKind::Init => DispatchOutcome::InitFailure {
            program_id: program,
            origin: dispatch.source,
        },
        _ => DispatchOutcome::MessageTrap {
            program_id: program,
        },
    };
    notes.push(JournalNote::MessageDispatched {
        message_id: dispatch.id,
        source: dispatch.source,
        outcome,
    });
    notes.push(JournalNote::MessageConsumed {
        message_id: dispatch.id,
    });
    notes
}

fn process_success(mut dispatch: Dispatch, outcome: ExecutionOutcome) -> Vec<JournalNote> {
    let program = dispatch.destination;
    let message_id = dispatch.id;
    let mut notes = Vec::with_capacity(8 + outcome.messages.len());
    notes.push(JournalNote::GasBurned {
        message_id,
        amount: outcome.gas_burned,
    });
    for change in outcome.reservations {
        notes.push(match change {
            ReservationChange::Reserved {
                id,
                amount,
                duration,
            } => JournalNote::ReserveGas {
                message_id,
                reservation_id: id,
                program_id: program,
                amount,
                duration,
            },
            ReservationChange::Unreserved { id } => JournalNote::UnreserveGas {
                reservation_id: id,
                program_id: program,
            },
        });
    }
    if outcome.system_reservation > 0 {
        notes.push(JournalNote::SystemReserveGas {
            message_id,
            amount: outcome.system_reservation,
        });
    }
    if dispatch.context.is_none() && dispatch.value != 0 {
        notes.push(JournalNote::SendValue {
            from: dispatch.source,
            to: program,
            value: dispatch.value,
        });
    }
    for created in outcome.programs {
        notes.push(JournalNote::StoreNewProgram {
            creator: program,
            program_id: created.id,
            code_id: created.code_id,
            init_message: created.init_message,
        });
    }
    let finished = matches!(
        outcome.status,
        ExecutionStatus::Success | ExecutionStatus::Exit { .. }
    );
    if finished && outcome.reply.is_none() && expects_reply(&dispatch) {
        let auto = reply_dispatch(
            program,
            &dispatch,
            ReplyCode::Success(SuccessReplyReason::Auto),
            Vec::new(),
            0,
        );
        notes.push(send(message_id, auto));
    }
    for (sent, amount) in outcome.reply_deposits {
        notes.push(JournalNote::ReplyDeposit {
            message_id,
            future_reply_id: MessageId::generate_reply(sent),
            amount,
        });
    }
    for message in outcome.messages {
        notes.push(JournalNote::SendDispatch {
            message_id,
            dispatch: Dispatch {
                kind: message.kind,
                id: message.id,
                source: program,
                destination: message.destination,
                payload: message.payload,
                value: message.value,
                details: None,
                context: None,
            },
            gas_limit: message.gas_limit,
            delay: message.delay,
            reservation: message.reservation,
        });
    }
    if let Some(reply) = outcome.reply {
        notes.push(JournalNote::SendDispatch {
            message_id,
            dispatch: Dispatch {
                id: reply.id,
                ..reply_dispatch(
                    program,
                    &dispatch,
                    ReplyCode::Success(SuccessReplyReason::Manual),
                    reply.payload,
                    reply.value,
                )
            },
            gas_limit: reply.gas_limit,
            delay: 0,
            reservation: reply.reservation,
        });
    }
    for (awakening_id, delay) in outcome.wakes {
        notes.push(JournalNote::WakeMessage {
            message_id,
            program_id: program,
            awakening_id,
            delay,
        });
    }
    if !outcome.memory.pages.is_empty() || outcome.memory.allocations.is_some() {
        notes.push(JournalNote::UpdateMemory {
            program_id: program,
            changes: outcome.memory,
        });
    }
    let dispatched = match outcome.status {
        ExecutionStatus::Wait { duration, kind } => {
            dispatch.context = Some(outcome.context);
            notes.push(JournalNote::WaitDispatch {
                dispatch,
                duration,
                waited_type: kind,
            });
            return notes;
        }
        ExecutionStatus::Exit { inheritor } => {
            notes.push(JournalNote::ExitDispatch {
                program_id: program,
                inheritor,
            });
            DispatchOutcome::Exit {
                program_id: program,
            }
        }
        _ if dispatch.kind == DispatchKind::Init => DispatchOutcome::InitSuccess {
            program_id: program,
        },
        _ => DispatchOutcome::Success,
    };
    if outcome.context.system_reservation().is_some() {
        notes.push(JournalNote::SystemUnreserveGas { message_id });
    }
    notes.push(JournalNote::MessageDispatched {
        message_id,
        source: dispatch.source,
        outcome: dispatched,
    });
    notes.push(JournalNote::MessageConsumed { message_id });
    notes
}

/// Notes for a `handle` a builtin actor (an actor the runtime implements, not a program)
/// answered at once: `gas_burned` burned, a reply with `code` and `payload` carrying the
/// message's value back, and its consumption. Replies and signals to a builtin actor get no
/// reply; their value goes back to their sender.
pub fn process_builtin_answer(
    dispatch: &Dispatch,
    gas_burned: u64,
    code: ReplyCode,
    payload: Vec<u8>,
) -> Vec<JournalNote> {
    let mut notes = Vec::with_capacity(4);
    if gas_burned > 0 {
        notes.push(JournalNote::GasBurned {
            message_id: dispatch.id,
            amount: gas_burned,
        });
    }
    let value = if dispatch.context.is_none() {
        dispatch.value
    } else {
        0
    };
    if expects_reply(dispatch) {
        let reply = reply_dispatch(dispatch.destination, dispatch, code, payload, value);
        notes.push(send(dispatch.id, reply));
    } else if value != 0 {
        notes.push(JournalNote::SendValue {
            from: dispatch.destination,
            to: dispatch.source,
            value,
        });
    }
    let outcome = if code.is_error() {
        DispatchOutcome::MessageTrap {
            program_id: dispatch.destination,
        }
    } else {
        DispatchOutcome::Success
    };
    notes.push(JournalNote::MessageDispatched {
        message_id: dispatch.id,
        source: dispatch.source,
        outcome,
    });
    notes.push(JournalNote::MessageConsumed {
        message_id: dispatch.id,
    });
    notes
}

/// Notes for a `handle` a builtin actor will answer later (it waits for something outside
/// this chain): `gas_burned` burned, the message's value back to its sender at once, and the
/// message into the waitlist for at most `timeout` blocks (its remaining gas pays the rent;
/// when the time runs out its sender gets Gear's `RemovedFromWaitlist` error reply).
pub fn process_builtin_hold(dispatch: Dispatch, gas_burned: u64, timeout: u32) -> Vec<JournalNote> {
    let mut notes = Vec::with_capacity(4);
    if gas_burned > 0 {
        notes.push(JournalNote::GasBurned {
            message_id: dispatch.id,
            amount: gas_burned,
        });
    }
    if dispatch.value != 0 && dispatch.context.is_none() {
        notes.push(JournalNote::SendValue {
            from: dispatch.destination,
            to: dispatch.source,
            value: dispatch.value,
        });
    }
    notes.push(JournalNote::MessageDispatched {
        message_id: dispatch.id,
        source: dispatch.source,
        outcome: DispatchOutcome::Success,
    });
    let waiting = Dispatch {
        value: 0,
        context: Some(Default::default()),
        ..dispatch
    };
    notes.push(JournalNote::WaitDispatch {
        dispatch: waiting,
        duration: Some(timeout),
        waited_type: gear_core::env::MessageWaitedType::WaitUpTo,
    });
    notes
}

/// Notes for a message whose time in the waitlist ran out (its gas no longer pays, or its
/// `wait_up_to` ended without the full rent): a `RemovedFromWaitlist` signal when it has a
/// system reservation, Gear's `RemovedFromWaitlist` error reply to its sender for `init` and
/// `handle` (its value went to the program when it first ran, so the reply carries none), a
/// failed init when it was the program's init, and its consumption.
pub fn process_removed_from_waitlist(dispatch: &Dispatch) -> Vec<JournalNote> {
    let program = dispatch.destination;
    let mut notes = Vec::with_capacity(5);
    match dispatch.kind {
        DispatchKind::Init => notes.push(JournalNote::SystemUnreserveGas {
            message_id: dispatch.id,
        }),
        DispatchKind::Signal => {}
        DispatchKind::Handle | DispatchKind::Reply => notes.push(JournalNote::SendSignal {
            message_id: dispatch.id,
            destination: program,
            code: SignalCode::RemovedFromWaitlist,
        }),
    }
    if expects_reply(dispatch) {
        let reply = reply_dispatch(
            program,
            dispatch,
            ReplyCode::Error(ErrorReplyReason::RemovedFromWaitlist),
            Vec::new(),
            0,
        );
        notes.push(send(dispatch.id, reply));
    }
    if dispatch.kind == DispatchKind::Init {
        notes.push(JournalNote::MessageDispatched {
            message_id: dispatch.id,
            source: dispatch.source,
            outcome: DispatchOutcome::InitFailure {
                program_id: program,
                origin: dispatch.source,
            },
        });
    }
    notes.push(JournalNote::MessageConsumed {
        message_id: dispatch.id,
    });
    notes
}
