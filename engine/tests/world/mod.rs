//! A small in-memory chain for engine tests: programs, a message queue, a waitlist, users'
//! mailboxes, balances and reservations, driven by any [`Executor`].
//!
//! It applies journals the way Gear's queue does (replies and auto-replies, error replies,
//! signals paid by the system reservation, waits and wakes, created programs, value, gas
//! reservations) so that tests can follow multi-program flows such as an async proxy. It keeps
//! every dispatch's journal so two backends can be compared byte for byte. Gas accounting of the
//! chain (gas trees, rent) is the pallets' business and is simplified here: a message sent
//! without a gas limit gets [`DEFAULT_GAS`].
#![allow(dead_code)]

use gear_core::{
    ids::prelude::*,
    message::{DispatchKind, MessageDetails, ReplyDetails, SignalDetails},
    reservation::{GasReservationMap, GasReservationSlot},
};
use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SignalCode, SimpleExecutionError, SuccessReplyReason,
};
use gear_engine::{
    validate_and_instrument, BlockInfo, Dispatch, ExecutionConfig, ExecutionInput,
    ExecutionOutcome, ExecutionStatus, Executor, ProgramCode, ProgramMemory, ReservationChange,
    Schedule, ValidatedCode,
};
use gprimitives::{ActorId, CodeId, MessageId};
use std::collections::{BTreeMap, VecDeque};

/// Gas of a message sent without a gas limit (and of users' messages).
pub const DEFAULT_GAS: u64 = 20_000_000_000;

/// The user tests send from.
pub const USER: u64 = 1;

pub struct Program {
    pub code_id: CodeId,
    pub memory: ProgramMemory,
    pub balance: u128,
    pub reservations: GasReservationMap,
    pub initialized: bool,
    pub exited: Option<ActorId>,
}

/// A message that reached a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserMessage {
    pub id: MessageId,
    pub from: ActorId,
    pub to: ActorId,
    pub payload: Vec<u8>,
    pub value: u128,
    /// For replies: the message replied to and the code.
    pub reply: Option<(MessageId, ReplyCode)>,
}

/// A reply to send: id, code, payload, value, gas.
type Reply = (MessageId, ReplyCode, Vec<u8>, u128, u64);

struct Queued {
    dispatch: Dispatch,
    gas: u64,
}

/// One executed dispatch: where, what, and the whole journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    pub program: ActorId,
    pub kind: DispatchKind,
    pub message: MessageId,
    pub outcome: ExecutionOutcome,
}

pub struct World<E> {
    pub executor: E,
    pub config: ExecutionConfig,
    pub codes: BTreeMap<CodeId, ValidatedCode>,
    pub programs: BTreeMap<ActorId, Program>,
    queue: VecDeque<Queued>,
    /// Waiting messages: program, dispatch (with its context), gas left, wake-up height.
    waitlist: BTreeMap<MessageId, (Queued, Option<u32>)>,
    pub mailbox: Vec<UserMessage>,
    pub executed: Vec<Executed>,
    pub height: u32,
    nonce: u128,
}

impl<E: Executor> World<E> {
    pub fn new(executor: E) -> Self {
        Self {
            executor,
            config: ExecutionConfig::default(),
            codes: BTreeMap::new(),
            programs: BTreeMap::new(),
            queue: VecDeque::new(),
            waitlist: BTreeMap::new(),
            mailbox: Vec::new(),
            executed: Vec::new(),
            height: 1,
            nonce: 0,
        }
    }

    pub fn upload(&mut self, code: &[u8]) -> CodeId {
        let code = validate_and_instrument(code.to_vec(), &Schedule::default()).expect("validates");
        let id = code.code_id;
        self.codes.insert(id, code);
        id
    }

    /// Uploads `code` and creates a program from it with `balance`, queuing its init message.
    pub fn create(&mut self, code: &[u8], salt: &[u8], init: &[u8], balance: u128) -> ActorId {
        let code_id = self.upload(code);
        let id = ActorId::generate_from_user(code_id, salt);
        self.programs.insert(id, Program::new(code_id, balance));
        self.send_as(
            ActorId::from(USER),
            id,
            DispatchKind::Init,
            init.to_vec(),
            0,
        );
        id
    }

    /// Queues a message from the test user to `to`.
    pub fn send(&mut self, to: ActorId, payload: &[u8], value: u128) -> MessageId {
        self.send_as(
            ActorId::from(USER),
            to,
            DispatchKind::Handle,
            payload.to_vec(),
            value,
        )
    }

    fn send_as(
        &mut self,
        from: ActorId,
        to: ActorId,
        kind: DispatchKind,
        payload: Vec<u8>,
        value: u128,
    ) -> MessageId {
        self.nonce += 1;
        let id = MessageId::generate_from_user(self.height, from, self.nonce);
        self.queue.push_back(Queued {
            dispatch: Dispatch {
                kind,
                id,
                source: from,
                destination: to,
                payload,
                value,
                details: None,
                context: None,
            },
            gas: DEFAULT_GAS,
        });
        id
    }

    /// Runs the queue until it is empty; then one block passes.
    pub fn run(&mut self) {
        let mut steps = 0;
        while let Some(queued) = self.queue.pop_front() {
            steps += 1;
            assert!(steps < 1_000, "the queue does not settle");
            self.execute(queued);
        }
        self.height += 1;
        // Waits with a deadline that wake by themselves (`wait_for`, affordable `wait_up_to`).
        let due: Vec<MessageId> = self
            .waitlist
            .iter()
            .filter(|(_, (_, at))| at.is_some_and(|at| at <= self.height))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            if let Some((queued, _)) = self.waitlist.remove(&id) {
                self.queue.push_back(queued);
            }
        }
    }

    pub fn is_waiting(&self, message: MessageId) -> bool {
        self.waitlist.contains_key(&message)
    }

    /// The reply a user got to `message`.
    pub fn reply_to(&self, message: MessageId) -> Option<&UserMessage> {
        self.mailbox
            .iter()
            .find(|m| m.reply.is_some_and(|(to, _)| to == message))
    }

    /// Journals of every execution of `message`.
    pub fn journals(&self, message: MessageId) -> Vec<&ExecutionOutcome> {
        self.executed
            .iter()
            .filter(|e| e.message == message)
            .map(|e| &e.outcome)
            .collect()
    }

    fn deliver(&mut self, from: ActorId, to: ActorId, queued: Queued) {
        if self.programs.contains_key(&to) {
            self.queue.push_back(queued);
        } else {
            let d = queued.dispatch;
            self.mailbox.push(UserMessage {
                id: d.id,
                from,
                to,
                payload: d.payload,
                value: d.value,
                reply: d
                    .details
                    .and_then(MessageDetails::to_reply_details)
                    .map(|r| (r.to_message_id(), r.to_reply_code())),
            });
        }
    }

    /// Sends `reply` (id, code, payload, value, gas) from `program` to the source of `to`.
    fn reply(&mut self, program: ActorId, to: &Dispatch, reply: Reply) {
        let (id, code, payload, value, gas) = reply;
        let dispatch = Dispatch {
            kind: DispatchKind::Reply,
            id,
            source: program,
            destination: to.source,
            payload,
            value,
            details: Some(MessageDetails::Reply(ReplyDetails::new(to.id, code))),
            context: None,
        };
        self.deliver(program, to.source, Queued { dispatch, gas });
    }

    fn execute(&mut self, queued: Queued) {
        let Queued { dispatch, gas } = queued;
        let program_id = dispatch.destination;
        let first_run = dispatch.context.is_none();
        let Some(program) = self.programs.get(&program_id) else {
            return;
        };
        if program.exited.is_some() {
            if matches!(dispatch.kind, DispatchKind::Init | DispatchKind::Handle) {
                let code = ReplyCode::Error(ErrorReplyReason::UnavailableActor(
                    gear_core_errors::SimpleUnavailableActorError::ProgramExited,
                ));
                self.reply(
                    program_id,
                    &dispatch,
                    (
                        MessageId::generate_reply(dispatch.id),
                        code,
                        Vec::new(),
                        dispatch.value,
                        0,
                    ),
                );
            }
            return;
        }
        let code = &self.codes[&program.code_id];
        let outcome = self.executor.execute(
            Some(program.code_id.into_bytes()),
            ProgramCode {
                instrumented: &code.instrumented,
                meta: &code.meta,
            },
            &program.memory,
            dispatch.clone(),
            &ExecutionInput {
                block: BlockInfo {
                    height: self.height,
                    timestamp: u64::from(self.height) * 6_000,
                    random: ([7; 32], self.height.saturating_sub(1)),
                },
                gas_limit: gas,
                balance: program.balance,
                reservations: program.reservations.clone(),
            },
            &self.config,
        );
        self.executed.push(Executed {
            program: program_id,
            kind: dispatch.kind,
            message: dispatch.id,
            outcome: outcome.clone(),
        });
        let gas_left = gas
            .saturating_sub(outcome.gas_burned)
            .saturating_sub(outcome.gas_moved);
        let kind = dispatch.kind;
        let is_error_reply = dispatch
            .details
            .and_then(MessageDetails::to_reply_details)
            .is_some_and(|r| r.to_reply_code().is_error());

        if let ExecutionStatus::Trap { reason, message } = &outcome.status {
            // A signal, paid by the system reservation, for a failed handle or reply.
            if let Some(reserved) = outcome.context.system_reservation() {
                if !is_error_reply && !matches!(kind, DispatchKind::Init | DispatchKind::Signal) {
                    self.queue.push_back(Queued {
                        dispatch: Dispatch {
                            kind: DispatchKind::Signal,
                            id: MessageId::generate_signal(dispatch.id),
                            source: ActorId::SYSTEM,
                            destination: program_id,
                            payload: Vec::new(),
                            value: 0,
                            details: Some(MessageDetails::Signal(SignalDetails::new(
                                dispatch.id,
                                SignalCode::Execution(*reason),
                            ))),
                            context: None,
                        },
                        gas: reserved,
                    });
                }
            }
            if matches!(kind, DispatchKind::Init | DispatchKind::Handle) {
                let value = if first_run { dispatch.value } else { 0 };
                self.reply(
                    program_id,
                    &dispatch,
                    (
                        MessageId::generate_reply(dispatch.id),
                        ReplyCode::Error(ErrorReplyReason::Execution(*reason)),
                        message.clone(),
                        value,
                        0,
                    ),
                );
            }
            return;
        }

        // Effects are kept: memory, value, reservations, programs, messages, wakes.
        let program = self.programs.get_mut(&program_id).expect("checked above");
        outcome.memory.clone().apply(&mut program.memory);
        if first_run {
            program.balance += dispatch.value;
        }
        if kind == DispatchKind::Init && !matches!(outcome.status, ExecutionStatus::Wait { .. }) {
            program.initialized = true;
        }
        for change in &outcome.reservations {
            match change {
                ReservationChange::Reserved {
                    id,
                    amount,
                    duration,
                } => {
                    program.reservations.insert(
                        *id,
                        GasReservationSlot {
                            amount: *amount,
                            start: self.height,
                            finish: self.height + duration,
                        },
                    );
                }
                ReservationChange::Unreserved { id } => {
                    program.reservations.remove(id);
                }
            }
        }
        program.balance -= self.config.existential_deposit * outcome.programs.len() as u128;
        for created in &outcome.programs {
            let new = Program::new(created.code_id, self.config.existential_deposit);
            self.programs.entry(created.id).or_insert(new);
        }
        let program = self.programs.get_mut(&program_id).expect("checked above");
        let mut sent = Vec::new();
        for message in &outcome.messages {
            program.balance -= message.value;
            let gas = match (message.gas_limit, message.reservation) {
                (_, Some(rid)) => program
                    .reservations
                    .remove(&rid)
                    .map(|slot| slot.amount)
                    .unwrap_or(0),
                (Some(gas), None) => gas,
                (None, None) => DEFAULT_GAS,
            };
            sent.push((
                message.destination,
                Queued {
                    dispatch: Dispatch {
                        kind: message.kind,
                        id: message.id,
                        source: program_id,
                        destination: message.destination,
                        payload: message.payload.clone(),
                        value: message.value,
                        details: None,
                        context: None,
                    },
                    gas,
                },
            ));
        }
        let reply = match (&outcome.reply, &outcome.status, kind) {
            (Some(reply), ..) => {
                program.balance -= reply.value;
                let gas = match reply.reservation {
                    Some(rid) => program
                        .reservations
                        .remove(&rid)
                        .map(|s| s.amount)
                        .unwrap_or(0),
                    None => reply.gas_limit.unwrap_or(DEFAULT_GAS),
                };
                Some((
                    reply.id,
                    ReplyCode::Success(SuccessReplyReason::Manual),
                    reply.payload.clone(),
                    reply.value,
                    gas,
                ))
            }
            (
                None,
                ExecutionStatus::Success | ExecutionStatus::Exit { .. },
                DispatchKind::Init | DispatchKind::Handle,
            ) => Some((
                MessageId::generate_reply(dispatch.id),
                ReplyCode::Success(SuccessReplyReason::Auto),
                Vec::new(),
                0,
                0,
            )),
            _ => None,
        };
        for (to, queued) in sent {
            self.deliver(program_id, to, queued);
        }
        if let Some(reply) = reply {
            self.reply(program_id, &dispatch, reply);
        }
        for (message, _delay) in &outcome.wakes {
            if let Some((queued, _)) = self.waitlist.remove(message) {
                self.queue.push_back(queued);
            }
        }
        match &outcome.status {
            ExecutionStatus::Wait { duration, kind } => {
                use gear_core::env::MessageWaitedType as W;
                let wakes_at = match kind {
                    W::WaitFor | W::WaitUpToFull => duration.map(|d| self.height + d),
                    W::Wait | W::WaitUpTo => None,
                };
                let mut dispatch = dispatch;
                dispatch.context = Some(outcome.context.clone());
                self.waitlist.insert(
                    dispatch.id,
                    (
                        Queued {
                            dispatch,
                            gas: gas_left,
                        },
                        wakes_at,
                    ),
                );
            }
            ExecutionStatus::Exit { inheritor } => {
                let program = self.programs.get_mut(&program_id).expect("checked above");
                program.exited = Some(*inheritor);
            }
            _ => {}
        }
    }
}

impl Program {
    fn new(code_id: CodeId, balance: u128) -> Self {
        Self {
            code_id,
            memory: ProgramMemory::default(),
            balance,
            reservations: GasReservationMap::new(),
            initialized: false,
            exited: None,
        }
    }
}

/// The error reason of a failed execution, if it failed.
pub fn trap_reason(outcome: &ExecutionOutcome) -> Option<SimpleExecutionError> {
    match outcome.status {
        ExecutionStatus::Trap { reason, .. } => Some(reason),
        _ => None,
    }
}
