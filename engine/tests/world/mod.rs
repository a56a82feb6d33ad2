//! A small in-memory chain for engine tests: programs, a message queue, a waitlist, users'
//! mailboxes, balances, reservations and gas trees, driven by any [`Executor`].
//!
//! It does what the pallet does, in memory: each dispatch's outcome goes through Gear's rules
//! (`gear_engine::processing`), and the journal notes are applied here by a
//! [`JournalHandler`], with gas in Gear's gas tree (`gear_engine::gas_tree`) over maps. So
//! tests follow multi-program flows (an async proxy, waits and wakes, created programs,
//! signals) under the chain's own rules. It keeps every dispatch's journal so two backends can
//! be compared byte for byte. Simplifications: users never answer (messages to users are only
//! logged, their gas stays with the sender) and rent is not charged.
#![allow(dead_code)]

use gear_core::{
    env::MessageWaitedType,
    ids::prelude::*,
    message::{DispatchKind, MessageDetails, SignalDetails},
    reservation::{GasReservationMap, GasReservationSlot},
};
use gear_core_errors::{ReplyCode, SignalCode, SimpleExecutionError};
use gear_engine::{
    gas_tree::{self, GasNodeId, MemoryGasStore},
    journal::{handle_journal, DispatchOutcome, JournalHandler},
    memory::MemoryChanges,
    processing::{self, ActorState},
    validate_and_instrument, BlockInfo, Dispatch, ExecutionConfig, ExecutionInput,
    ExecutionOutcome, ExecutionStatus, Executor, ProgramCode, ProgramMemory, Schedule,
    ValidatedCode,
};
use gprimitives::{ActorId, CodeId, MessageId, ReservationId};
use std::collections::{BTreeMap, VecDeque};

/// Gas of users' messages.
pub const DEFAULT_GAS: u64 = 20_000_000_000;

/// The user tests send from.
pub const USER: u64 = 1;

pub struct Program {
    pub code_id: CodeId,
    pub memory: ProgramMemory,
    pub balance: u128,
    pub reservations: GasReservationMap,
    pub initialized: bool,
    pub init_message: MessageId,
    pub exited: Option<ActorId>,
    pub terminated: bool,
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

/// One executed dispatch: where, what, and the whole journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Executed {
    pub program: ActorId,
    pub kind: DispatchKind,
    pub message: MessageId,
    pub outcome: ExecutionOutcome,
}

/// What a block's end does.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Task {
    /// A `wait_for` / paid `wait_up_to` ends, or a delayed wake.
    Wake(MessageId),
    /// A `wait` or unpaid `wait_up_to` runs out.
    RemoveFromWaitlist(MessageId),
    /// A delayed message is sent.
    Send(Dispatch),
    /// A reservation expires.
    RemoveReservation(ActorId, ReservationId),
}

pub struct World<E> {
    pub executor: E,
    pub config: ExecutionConfig,
    pub codes: BTreeMap<CodeId, ValidatedCode>,
    pub programs: BTreeMap<ActorId, Program>,
    queue: VecDeque<Dispatch>,
    /// Waiting messages.
    waitlist: BTreeMap<MessageId, Dispatch>,
    tasks: BTreeMap<u32, Vec<Task>>,
    pub gas: MemoryGasStore,
    pub mailbox: Vec<UserMessage>,
    pub executed: Vec<Executed>,
    pub outcomes: BTreeMap<MessageId, DispatchOutcome>,
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
            tasks: BTreeMap::new(),
            gas: MemoryGasStore::default(),
            mailbox: Vec::new(),
            executed: Vec::new(),
            outcomes: BTreeMap::new(),
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
        let init_id = self.next_id();
        self.programs
            .insert(id, Program::new(code_id, balance, init_id));
        self.queue_from_user(init_id, id, DispatchKind::Init, init.to_vec(), 0);
        id
    }

    /// Queues a message from the test user to `to`.
    pub fn send(&mut self, to: ActorId, payload: &[u8], value: u128) -> MessageId {
        let id = self.next_id();
        self.queue_from_user(id, to, DispatchKind::Handle, payload.to_vec(), value);
        id
    }

    fn next_id(&mut self) -> MessageId {
        self.nonce += 1;
        MessageId::generate_from_user(self.height, ActorId::from(USER), self.nonce)
    }

    fn queue_from_user(
        &mut self,
        id: MessageId,
        to: ActorId,
        kind: DispatchKind,
        payload: Vec<u8>,
        value: u128,
    ) {
        let user = ActorId::from(USER);
        gas_tree::create(&mut self.gas, user, id, DEFAULT_GAS, 0).expect("new tree");
        self.queue.push_back(Dispatch {
            kind,
            id,
            source: user,
            destination: to,
            payload,
            value,
            details: None,
            context: None,
        });
    }

    /// Runs the queue until it is empty; then one block passes and its tasks run.
    pub fn run(&mut self) {
        let mut steps = 0;
        while let Some(dispatch) = self.queue.pop_front() {
            steps += 1;
            assert!(steps < 1_000, "the queue does not settle");
            self.process(dispatch);
        }
        for (root, tree) in &self.gas.ended {
            assert_eq!(
                tree.bought,
                tree.burned + tree.refunded,
                "tree {root:?} balanced"
            );
        }
        self.height += 1;
        for task in self.tasks.remove(&self.height).unwrap_or_default() {
            match task {
                Task::Wake(id) => {
                    if let Some(dispatch) = self.waitlist.remove(&id) {
                        self.unlock(id);
                        self.queue.push_back(dispatch);
                    }
                }
                Task::RemoveFromWaitlist(id) => {
                    if let Some(dispatch) = self.waitlist.remove(&id) {
                        self.unlock(id);
                        let notes = processing::process_removed_from_waitlist(&dispatch);
                        handle_journal(notes, self);
                    }
                }
                Task::Send(dispatch) => {
                    self.unlock(dispatch.id);
                    self.queue.push_back(dispatch);
                }
                Task::RemoveReservation(program, rid) => self.remove_reservation(program, rid),
            }
        }
    }

    fn unlock(&mut self, id: MessageId) {
        gas_tree::unlock_all(&mut self.gas, id.into()).expect("node exists");
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

    fn state_of(&self, id: ActorId) -> ActorState {
        match self.programs.get(&id) {
            None => ActorState::NotCreated,
            Some(p) if p.terminated => ActorState::Terminated,
            Some(p) => match p.exited {
                Some(inheritor) => ActorState::Exited { inheritor },
                None if p.initialized => ActorState::Initialized,
                None => ActorState::Uninitialized {
                    init_message: p.init_message,
                },
            },
        }
    }

    fn process(&mut self, dispatch: Dispatch) {
        let program_id = dispatch.destination;
        if let Err((reason, payload)) =
            processing::check_actor(&dispatch, self.state_of(program_id))
        {
            let notes = processing::process_non_executable(&dispatch, reason, payload);
            handle_journal(notes, self);
            return;
        }
        let program = &self.programs[&program_id];
        let code = &self.codes[&program.code_id];
        let gas_limit = gas_tree::get_limit(&self.gas, dispatch.id.into()).expect("has gas");
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
                gas_limit,
                balance: program.balance,
                reservations: program.reservations.clone(),
                export: None,
            },
            &self.config,
        );
        self.executed.push(Executed {
            program: program_id,
            kind: dispatch.kind,
            message: dispatch.id,
            outcome: outcome.clone(),
        });
        let notes = processing::process_outcome(dispatch, outcome);
        handle_journal(notes, self);
    }

    fn remove_reservation(&mut self, program: ActorId, rid: ReservationId) {
        let removed = self
            .programs
            .get_mut(&program)
            .and_then(|p| p.reservations.remove(&rid));
        if removed.is_some() {
            gas_tree::unlock_all(&mut self.gas, rid.into()).expect("reservation node");
            gas_tree::consume(&mut self.gas, rid.into()).expect("reservation node");
        }
    }

    fn credit(&mut self, to: ActorId, value: u128) {
        if let Some(program) = self.programs.get_mut(&to) {
            program.balance += value;
        }
    }

    fn deactivate(&mut self, program: ActorId, value_destination: ActorId) {
        let waiting: Vec<MessageId> = self
            .waitlist
            .iter()
            .filter(|(_, d)| d.destination == program)
            .map(|(id, _)| *id)
            .collect();
        for id in waiting {
            let dispatch = self.waitlist.remove(&id).expect("listed");
            self.unlock(id);
            self.queue.push_back(dispatch);
        }
        let rids: Vec<ReservationId> = self.programs[&program]
            .reservations
            .keys()
            .copied()
            .collect();
        for rid in rids {
            self.remove_reservation(program, rid);
        }
        let balance = std::mem::take(&mut self.programs.get_mut(&program).unwrap().balance);
        self.credit(value_destination, balance);
    }
}

impl<E: Executor> JournalHandler for World<E> {
    fn gas_burned(&mut self, message_id: MessageId, amount: u64) {
        gas_tree::spend(&mut self.gas, message_id.into(), amount).expect("gas to burn");
    }

    fn send_value(&mut self, _from: ActorId, to: ActorId, value: u128) {
        self.credit(to, value);
    }

    fn reserve_gas(
        &mut self,
        message_id: MessageId,
        reservation_id: ReservationId,
        program_id: ActorId,
        amount: u64,
        duration: u32,
    ) {
        gas_tree::reserve(&mut self.gas, message_id.into(), reservation_id, amount)
            .expect("gas to reserve");
        let finish = self.height + duration;
        self.programs
            .get_mut(&program_id)
            .unwrap()
            .reservations
            .insert(
                reservation_id,
                GasReservationSlot {
                    amount,
                    start: self.height,
                    finish,
                },
            );
        self.tasks
            .entry(finish)
            .or_default()
            .push(Task::RemoveReservation(program_id, reservation_id));
    }

    fn unreserve_gas(&mut self, reservation_id: ReservationId, program_id: ActorId) {
        self.remove_reservation(program_id, reservation_id);
    }

    fn system_reserve_gas(&mut self, message_id: MessageId, amount: u64) {
        gas_tree::system_reserve(&mut self.gas, message_id.into(), amount).expect("gas");
    }

    fn system_unreserve_gas(&mut self, message_id: MessageId) {
        gas_tree::system_unreserve(&mut self.gas, message_id.into()).expect("node");
    }

    fn send_signal(&mut self, message_id: MessageId, destination: ActorId, code: SignalCode) {
        let reserved = gas_tree::system_unreserve(&mut self.gas, message_id.into()).expect("node");
        if reserved == 0 {
            return;
        }
        let id = MessageId::generate_signal(message_id);
        gas_tree::split_with_value(&mut self.gas, message_id.into(), id, reserved).expect("gas");
        self.queue.push_back(Dispatch {
            kind: DispatchKind::Signal,
            id,
            source: ActorId::SYSTEM,
            destination,
            payload: Vec::new(),
            value: 0,
            details: Some(MessageDetails::Signal(SignalDetails::new(message_id, code))),
            context: None,
        });
    }

    fn store_new_program(
        &mut self,
        creator: ActorId,
        program_id: ActorId,
        code_id: CodeId,
        init_message: MessageId,
    ) {
        if self.codes.contains_key(&code_id) && !self.programs.contains_key(&program_id) {
            let ed = self.config.existential_deposit;
            let creator = self.programs.get_mut(&creator).unwrap();
            creator.balance -= ed;
            self.programs
                .insert(program_id, Program::new(code_id, ed, init_message));
        }
    }

    fn reply_deposit(&mut self, message_id: MessageId, future_reply_id: MessageId, amount: u64) {
        gas_tree::create_deposit(&mut self.gas, message_id.into(), future_reply_id, amount)
            .expect("gas for the deposit");
    }

    fn send_dispatch(
        &mut self,
        message_id: MessageId,
        dispatch: Dispatch,
        gas_limit: Option<u64>,
        delay: u32,
        reservation: Option<ReservationId>,
    ) {
        if !dispatch.is_error_reply() {
            if let Some(program) = self.programs.get_mut(&dispatch.source) {
                program.balance -= dispatch.value;
            }
        }
        let from: GasNodeId = match reservation {
            Some(rid) => rid.into(),
            None => message_id.into(),
        };
        if self.programs.contains_key(&dispatch.destination) {
            if !gas_tree::is_deposit(&self.gas, dispatch.id) {
                match (gas_limit, reservation) {
                    (Some(gas), None) => {
                        gas_tree::split_with_value(&mut self.gas, from, dispatch.id, gas)
                    }
                    _ => gas_tree::split(&mut self.gas, from, dispatch.id),
                }
                .expect("gas for the message");
            }
            if delay == 0 {
                self.queue.push_back(dispatch);
            } else {
                self.tasks
                    .entry(self.height + delay)
                    .or_default()
                    .push(Task::Send(dispatch));
            }
        } else {
            let d = dispatch;
            self.mailbox.push(UserMessage {
                id: d.id,
                from: d.source,
                to: d.destination,
                payload: d.payload,
                value: d.value,
                reply: d
                    .details
                    .and_then(MessageDetails::to_reply_details)
                    .map(|r| (r.to_message_id(), r.to_reply_code())),
            });
        }
        if let Some(rid) = reservation {
            self.remove_reservation(dispatch_source(&self.programs, rid), rid);
        }
    }

    fn wake_message(
        &mut self,
        _message_id: MessageId,
        _program_id: ActorId,
        awakening_id: MessageId,
        delay: u32,
    ) {
        if delay == 0 {
            if let Some(dispatch) = self.waitlist.remove(&awakening_id) {
                self.unlock(awakening_id);
                self.queue.push_back(dispatch);
            }
        } else {
            self.tasks
                .entry(self.height + delay)
                .or_default()
                .push(Task::Wake(awakening_id));
        }
    }

    fn update_memory(&mut self, program_id: ActorId, changes: MemoryChanges) {
        let program = self.programs.get_mut(&program_id).unwrap();
        changes.apply(&mut program.memory);
    }

    fn wait_dispatch(
        &mut self,
        dispatch: Dispatch,
        duration: Option<u32>,
        waited_type: MessageWaitedType,
    ) {
        use MessageWaitedType as W;
        let id = dispatch.id;
        // Rent is not charged here; the wait's end follows Gear's task kinds.
        let task = match waited_type {
            W::WaitFor | W::WaitUpToFull => duration.map(|d| (d, Task::Wake(id))),
            W::Wait | W::WaitUpTo => duration.map(|d| (d, Task::RemoveFromWaitlist(id))),
        };
        if let Some((d, task)) = task {
            self.tasks.entry(self.height + d).or_default().push(task);
        }
        self.waitlist.insert(id, dispatch);
    }

    fn exit_dispatch(&mut self, program_id: ActorId, inheritor: ActorId) {
        self.deactivate(program_id, inheritor);
        self.programs.get_mut(&program_id).unwrap().exited = Some(inheritor);
    }

    fn message_dispatched(
        &mut self,
        message_id: MessageId,
        _source: ActorId,
        outcome: DispatchOutcome,
    ) {
        self.outcomes.insert(message_id, outcome);
        match outcome {
            DispatchOutcome::InitSuccess { program_id } => {
                self.programs.get_mut(&program_id).unwrap().initialized = true;
            }
            DispatchOutcome::InitFailure { program_id, origin } => {
                self.deactivate(program_id, origin);
                self.programs.get_mut(&program_id).unwrap().terminated = true;
            }
            _ => {}
        }
    }

    fn message_consumed(&mut self, message_id: MessageId) {
        gas_tree::consume(&mut self.gas, message_id.into()).expect("consumable");
    }
}

/// The program holding reservation `rid`.
fn dispatch_source(programs: &BTreeMap<ActorId, Program>, rid: ReservationId) -> ActorId {
    programs
        .iter()
        .find(|(_, p)| p.reservations.contains_key(&rid))
        .map(|(id, _)| *id)
        .unwrap_or_default()
}

impl Program {
    fn new(code_id: CodeId, balance: u128, init_message: MessageId) -> Self {
        Self {
            code_id,
            memory: ProgramMemory::default(),
            balance,
            reservations: GasReservationMap::new(),
            initialized: false,
            init_message,
            exited: None,
            terminated: false,
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
