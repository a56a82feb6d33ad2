//! Applying journal notes to storage: the pallet's `JournalHandler`.
//!
//! The engine decided what an execution means (`gear_engine::processing`); this is where it
//! happens: gas through the gas tree, value through the bank, messages into the queue, the
//! mailbox, the waitlist or the stash, programs' state and memory.

use crate::{
    bank, messenger, program, scheduler,
    types::{DispatchStatus, ProgramChangeKind},
    Config, Event, Pallet,
};
use alloc::collections::{BTreeMap, BTreeSet};
use core::marker::PhantomData;
use gear_core::{
    env::MessageWaitedType,
    ids::prelude::{ActorIdExt, MessageIdExt},
    message::{DispatchKind, MessageDetails, SignalDetails, StoredDelayedDispatch, StoredDispatch},
    program::{Program, ProgramState},
    reservation::GasReservationSlot,
    tasks::ScheduledTask,
};
use gear_core_errors::SignalCode;
use gear_engine::{
    gas_tree::{self, GasNodeId, HoldBound},
    journal::{DispatchOutcome, JournalHandler},
    memory::MemoryChanges,
    Dispatch,
};
use gprimitives::{ActorId, CodeId, MessageId, ReservationId};
use polkadot_sdk::{
    frame_support::traits::{fungible::Inspect, Get},
    sp_runtime::SaturatedConversion,
};

use super::gas_tree::log_err;

/// Applies notes and collects what the block's `MessagesDispatched` event reports.
pub(crate) struct Applier<T> {
    /// Dispatches processed.
    pub total: u32,
    /// How each dispatch from a user ended.
    pub statuses: BTreeMap<MessageId, DispatchStatus>,
    /// Programs whose state changed.
    pub state_changes: BTreeSet<ActorId>,
    _config: PhantomData<T>,
}

impl<T> Default for Applier<T> {
    fn default() -> Self {
        Self {
            total: 0,
            statuses: BTreeMap::new(),
            state_changes: BTreeSet::new(),
            _config: PhantomData,
        }
    }
}

impl<T: Config> Applier<T> {
    /// One more dispatch processed.
    pub fn count(&mut self) {
        self.total = self.total.saturating_add(1);
    }

    /// Emits `MessagesDispatched` if anything was processed.
    pub fn finish(self) {
        if self.total == 0 {
            return;
        }
        Pallet::<T>::deposit_event(Event::MessagesDispatched {
            total: self.total,
            statuses: self.statuses,
            state_changes: self.state_changes,
        });
    }
}

impl<T: Config> JournalHandler for Applier<T> {
    fn gas_burned(&mut self, message_id: MessageId, amount: u64) {
        Pallet::<T>::gas_spend(message_id, amount);
    }

    fn send_value(&mut self, _from: ActorId, to: ActorId, value: u128) {
        Pallet::<T>::credit(to, value);
    }

    fn reserve_gas(
        &mut self,
        message_id: MessageId,
        reservation_id: ReservationId,
        program_id: ActorId,
        amount: u64,
        duration: u32,
    ) {
        let now = Pallet::<T>::block_height();
        let hold = HoldBound::duration(
            <T as scheduler::Config>::ReservationCost::get(),
            now,
            duration,
            Pallet::<T>::reserve_for(),
        );
        let store = &mut Pallet::<T>::gas_store();
        let total = amount.saturating_add(hold.lock_amount());
        // What the message's gas gave up for it: the amount and its prepaid rent.
        super::dry_run::observe(|probe| probe.reserved(total));
        if log_err(
            "reserve",
            gas_tree::reserve(store, message_id.into(), reservation_id, total),
        )
        .is_none()
        {
            return;
        }
        log_err(
            "lock reservation",
            gas_tree::lock(store, reservation_id.into(), hold.lock_amount()),
        );
        program::ProgramStorage::<T>::mutate(program_id, |program| {
            if let Some(Program::Active(active)) = program {
                active.gas_reservation_map.insert(
                    reservation_id,
                    GasReservationSlot {
                        amount,
                        start: now,
                        finish: hold.expected,
                    },
                );
            }
        });
        scheduler::Pallet::<T>::add(
            hold.expected.into(),
            ScheduledTask::RemoveGasReservation(program_id, reservation_id),
        );
    }

    fn unreserve_gas(&mut self, reservation_id: ReservationId, program_id: ActorId) {
        Pallet::<T>::remove_gas_reservation(program_id, reservation_id);
    }

    fn system_reserve_gas(&mut self, message_id: MessageId, amount: u64) {
        super::dry_run::observe(|probe| probe.reserved(amount));
        log_err(
            "system reserve",
            gas_tree::system_reserve(&mut Pallet::<T>::gas_store(), message_id.into(), amount),
        );
    }

    fn system_unreserve_gas(&mut self, message_id: MessageId) {
        log_err(
            "system unreserve",
            gas_tree::system_unreserve(&mut Pallet::<T>::gas_store(), message_id.into()),
        );
    }

    fn send_signal(&mut self, message_id: MessageId, destination: ActorId, code: SignalCode) {
        Pallet::<T>::send_signal(message_id, destination, code);
    }

    fn store_new_program(
        &mut self,
        creator: ActorId,
        program_id: ActorId,
        code_id: CodeId,
        init_message: MessageId,
    ) {
        // A missing code or an existing id: the init message then fails in the queue with
        // `ProgramNotCreated` or is refused by the existing program, as on Gear.
        if Pallet::<T>::code_exists(code_id) && !Pallet::<T>::is_program(program_id) {
            // The creator pays the new program's existential deposit (the engine took it from
            // the creator's available value), which becomes the new program's balance.
            let ed = T::Currency::minimum_balance();
            Pallet::<T>::debit_program(creator, ed);
            Pallet::<T>::set_program(program_id, code_id, init_message);
            Pallet::<T>::credit(program_id, ed);
            self.state_changes.insert(program_id);
        }
    }

    fn reply_deposit(&mut self, message_id: MessageId, future_reply_id: MessageId, amount: u64) {
        log_err(
            "reply deposit",
            gas_tree::create_deposit(
                &mut Pallet::<T>::gas_store(),
                message_id.into(),
                future_reply_id,
                amount,
            ),
        );
    }

    fn send_dispatch(
        &mut self,
        message_id: MessageId,
        dispatch: Dispatch,
        gas_limit: Option<u64>,
        delay: u32,
        reservation: Option<ReservationId>,
    ) {
        Pallet::<T>::send_dispatch(message_id, dispatch, gas_limit, delay, reservation);
    }

    fn wake_message(
        &mut self,
        _message_id: MessageId,
        program_id: ActorId,
        awakening_id: MessageId,
        delay: u32,
    ) {
        Pallet::<T>::wake_message(program_id, awakening_id, delay);
    }

    fn update_memory(&mut self, program_id: ActorId, changes: MemoryChanges) {
        Pallet::<T>::apply_memory(program_id, changes);
        self.state_changes.insert(program_id);
    }

    fn wait_dispatch(
        &mut self,
        dispatch: Dispatch,
        duration: Option<u32>,
        waited_type: MessageWaitedType,
    ) {
        Pallet::<T>::wait_dispatch(dispatch, duration, waited_type);
    }

    fn exit_dispatch(&mut self, program_id: ActorId, inheritor: ActorId) {
        Pallet::<T>::deactivate(program_id, inheritor, Program::Exited(inheritor));
        self.state_changes.insert(program_id);
    }

    fn message_dispatched(
        &mut self,
        message_id: MessageId,
        source: ActorId,
        outcome: DispatchOutcome,
    ) {
        let status = match outcome {
            DispatchOutcome::Success
            | DispatchOutcome::InitSuccess { .. }
            | DispatchOutcome::Exit { .. } => DispatchStatus::Success,
            DispatchOutcome::InitFailure { .. } | DispatchOutcome::MessageTrap { .. } => {
                DispatchStatus::Failed
            }
            DispatchOutcome::NoExecution => DispatchStatus::NotExecuted,
        };
        if source != ActorId::SYSTEM && !Pallet::<T>::is_program(source) {
            self.statuses.insert(message_id, status);
        }
        match outcome {
            DispatchOutcome::InitSuccess { program_id } => {
                let mut expiration = None;
                program::ProgramStorage::<T>::mutate(program_id, |program| {
                    if let Some(Program::Active(active)) = program {
                        active.state = ProgramState::Initialized;
                        expiration = Some(active.expiration_block);
                    }
                });
                if let Some(expiration) = expiration {
                    Pallet::<T>::deposit_event(Event::ProgramChanged {
                        id: program_id,
                        change: ProgramChangeKind::Active { expiration },
                    });
                }
                // Messages that waited for the init are woken by Gear's rule only when they
                // waited; replies and signals reach an initializing program directly.
                self.state_changes.insert(program_id);
            }
            DispatchOutcome::InitFailure { program_id, origin } => {
                Pallet::<T>::deactivate(program_id, origin, Program::Terminated(origin));
                Pallet::<T>::deposit_event(Event::ProgramChanged {
                    id: program_id,
                    change: ProgramChangeKind::Terminated,
                });
                self.state_changes.insert(program_id);
            }
            DispatchOutcome::Exit { program_id } => {
                Pallet::<T>::deposit_event(Event::ProgramChanged {
                    id: program_id,
                    change: ProgramChangeKind::Inactive,
                });
            }
            _ => {}
        }
    }

    fn message_consumed(&mut self, message_id: MessageId) {
        Pallet::<T>::gas_consume(message_id);
    }
}

impl<T: Config> Pallet<T> {
    /// Delivers a dispatch a program made (or a reply made for it): to a program through the
    /// queue (or the stash when delayed), to a user through the mailbox or an event.
    pub(crate) fn send_dispatch(
        message_id: MessageId,
        dispatch: Dispatch,
        gas_limit: Option<u64>,
        delay: u32,
        reservation: Option<ReservationId>,
    ) {
        let is_error_reply = dispatch.is_error_reply();
        let source = dispatch.source;
        // The value leaves the sender's balance into flight; an error reply carries back value
        // that is already in flight.
        if !is_error_reply && Self::is_program(dispatch.source) {
            Self::debit_program(dispatch.source, dispatch.value);
        }
        let from: GasNodeId = match reservation {
            Some(rid) => rid.into(),
            None => message_id.into(),
        };
        // An init message always goes to the queue: its program may not exist (a missing code),
        // and then it fails there with Gear's `ProgramNotCreated` reply.
        let to_user = dispatch.kind != DispatchKind::Init
            && !Self::is_program(dispatch.destination)
            && !Self::is_builtin(dispatch.destination);
        if to_user {
            Self::send_user_message(from, dispatch, gas_limit, delay);
        } else {
            let now = Self::block_height();
            let stash_rent = (delay > 0).then(|| {
                HoldBound::duration(
                    <T as scheduler::Config>::DispatchHoldCost::get(),
                    now,
                    delay,
                    Self::reserve_for(),
                )
            });
            let store = &mut Self::gas_store();
            let id = dispatch.id;
            let created = if gas_tree::is_deposit(store, id) {
                Some(())
            } else {
                match (gas_limit, reservation) {
                    (Some(gas), None) => {
                        let rent = stash_rent.map(|h| h.lock_amount()).unwrap_or(0);
                        log_err(
                            "split with value",
                            gas_tree::split_with_value(store, from, id, gas.saturating_add(rent)),
                        )
                    }
                    _ => log_err("split", gas_tree::split(store, from, id)),
                }
            };
            if created.is_none() {
                // Only corrupt storage gets here: the message cannot be paid for; its value
                // returns to its sender rather than being lost.
                Self::credit(dispatch.source, dispatch.value);
                return;
            }
            let stored = Self::to_stored(dispatch);
            match stash_rent {
                None => messenger::Pallet::<T>::enqueue(stored),
                Some(hold) => {
                    log_err(
                        "lock stash",
                        gas_tree::lock(store, id.into(), hold.lock_amount()),
                    );
                    let (kind, message, _) = stored.into_parts();
                    messenger::DispatchStash::<T>::insert(
                        id,
                        (
                            StoredDelayedDispatch::new(kind, message),
                            crate::types::Interval {
                                start: now.into(),
                                finish: hold.expected.into(),
                            },
                        ),
                    );
                    scheduler::Pallet::<T>::add(
                        hold.expected.into(),
                        ScheduledTask::SendDispatch(id),
                    );
                }
            }
        }
        if let Some(rid) = reservation {
            Self::remove_gas_reservation(source, rid);
        }
    }

    pub(crate) fn to_stored(dispatch: Dispatch) -> StoredDispatch {
        let payload = dispatch.payload.try_into().unwrap_or_default();
        StoredDispatch::new(
            dispatch.kind,
            gear_core::message::StoredMessage::new(
                dispatch.id,
                dispatch.source,
                dispatch.destination,
                payload,
                dispatch.value,
                dispatch.details,
            ),
            dispatch.context,
        )
    }

    /// A signal paid by `message_id`'s system reservation.
    pub(crate) fn send_signal(message_id: MessageId, destination: ActorId, code: SignalCode) {
        let store = &mut Self::gas_store();
        let Some(reserved) = log_err(
            "system unreserve",
            gas_tree::system_unreserve(store, message_id.into()),
        ) else {
            return;
        };
        if reserved == 0 {
            return;
        }
        let id = MessageId::generate_signal(message_id);
        if log_err(
            "signal split",
            gas_tree::split_with_value(store, message_id.into(), id, reserved),
        )
        .is_none()
        {
            return;
        }
        messenger::Pallet::<T>::enqueue(Self::to_stored(Dispatch {
            kind: DispatchKind::Signal,
            id,
            source: ActorId::SYSTEM,
            destination,
            payload: Default::default(),
            value: 0,
            details: Some(MessageDetails::Signal(SignalDetails::new(message_id, code))),
            context: None,
        }));
    }

    /// Removes program `program_id`'s reservation `rid`: rent charged for the blocks it was
    /// held, the rest of its gas back to its tree.
    pub(crate) fn remove_gas_reservation(program_id: ActorId, rid: ReservationId) {
        let mut slot = None;
        program::ProgramStorage::<T>::mutate(program_id, |program| {
            if let Some(Program::Active(active)) = program {
                slot = active.gas_reservation_map.remove(&rid);
            }
        });
        let Some(slot) = slot else {
            return;
        };
        Self::charge_for_hold(
            rid,
            slot.start,
            slot.finish,
            <T as scheduler::Config>::ReservationCost::get(),
        );
        Self::gas_consume(rid);
        scheduler::Pallet::<T>::delete(
            slot.finish.into(),
            &ScheduledTask::RemoveGasReservation(program_id, rid),
        );
    }

    /// A program leaves (exit or failed init): its waiting messages are woken (they then fail
    /// as undeliverable), its reservations removed, its balance paid to `value_destination`,
    /// its memory deleted, and it becomes `new_state`.
    pub(crate) fn deactivate(
        program_id: ActorId,
        value_destination: ActorId,
        new_state: Program<polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T>>,
    ) {
        Self::clean_waitlist(program_id);
        let reservations = match program::ProgramStorage::<T>::get(program_id) {
            Some(Program::Active(active)) => active.gas_reservation_map,
            _ => Default::default(),
        };
        for rid in reservations.keys() {
            Self::remove_gas_reservation(program_id, *rid);
        }
        Self::remove_memory(program_id);
        program::ProgramStorage::<T>::insert(program_id, new_state);
        let balance = bank::ProgramBalances::<T>::take(program_id);
        Self::credit(value_destination, balance);
    }

    pub(crate) fn apply_memory(program_id: ActorId, changes: MemoryChanges) {
        let infix = match program::ProgramStorage::<T>::get(program_id) {
            Some(Program::Active(active)) => active.memory_infix.inner(),
            _ => return,
        };
        let mut count = program::PagesCount::<T>::get(program_id);
        for (page, data) in changes.pages {
            let key = (program_id, infix, page);
            let existed = program::MemoryPages::<T>::contains_key(key);
            match data {
                Some(data) => {
                    let mut buf = gear_core::memory::PageBuf::new_zeroed();
                    let len = data.len().min(buf.len());
                    buf[..len].copy_from_slice(&data[..len]);
                    program::MemoryPages::<T>::insert(key, buf);
                    if !existed {
                        count = count.saturating_add(1);
                    }
                }
                None => {
                    program::MemoryPages::<T>::remove(key);
                    if existed {
                        count = count.saturating_sub(1);
                    }
                }
            }
        }
        program::PagesCount::<T>::insert(program_id, count);
        if let Some(allocations) = changes.allocations {
            let len = allocations.len() as u32;
            program::Allocations::<T>::insert(program_id, allocations);
            program::ProgramStorage::<T>::mutate(program_id, |program| {
                if let Some(Program::Active(active)) = program {
                    active.allocations_tree_len = len;
                }
            });
        }
    }

    pub(crate) fn remove_memory(program_id: ActorId) {
        if let Some(Program::Active(active)) = program::ProgramStorage::<T>::get(program_id) {
            let _ = program::MemoryPages::<T>::clear_prefix(
                (program_id, active.memory_infix.inner()),
                u32::MAX,
                None,
            );
        }
        program::PagesCount::<T>::remove(program_id);
        program::Allocations::<T>::remove(program_id);
    }

    /// `now + blocks` as a block number.
    pub(crate) fn block_after(
        blocks: u32,
    ) -> polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T> {
        Self::block_height().saturating_add(blocks).saturated_into()
    }
}
