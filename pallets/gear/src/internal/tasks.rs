//! Scheduled tasks: serviced first in each queue run, in block order, within the meter.

use super::journal::Applier;
use crate::{
    messenger, scheduler,
    types::{MessageWokenReason, MessageWokenSystemReason, Reason, UserMessageReadSystemReason},
    weights::WeightInfo,
    Config, Pallet,
};
use gear_core::{
    message::{StoredDispatch, UserStoredMessage},
    tasks::ScheduledTask,
};
use gear_engine::memory::PAGE_SIZE;
use gear_engine::{journal::handle_journal, processing};
use polkadot_sdk::{
    frame_support::{
        traits::Get,
        weights::{Weight, WeightMeter},
    },
    frame_system::{self, pallet_prelude::BlockNumberFor},
    sp_runtime::{traits::One, SaturatedConversion},
};

impl<T: Config> Pallet<T> {
    /// Runs the tasks due at or before this block, oldest block first, while `meter` affords
    /// them; what does not fit runs in the next block.
    pub(crate) fn run_tasks(meter: &mut WeightMeter, applier: &mut Applier<T>) {
        let now = frame_system::Pallet::<T>::block_number();
        let weight = <T as Config>::WeightInfo::task();
        let mut block = scheduler::FirstIncompleteTasksBlock::<T>::get()
            .unwrap_or(now)
            .min(now);
        while block <= now {
            while let Some(task) = scheduler::TaskPool::<T>::iter_key_prefix(block).next() {
                let weight = Self::task_weight(&task, weight);
                if !meter.can_consume(weight) {
                    scheduler::FirstIncompleteTasksBlock::<T>::put(block);
                    return;
                }
                meter.consume(weight);
                scheduler::TaskPool::<T>::remove(block, &task);
                Self::process_task(task, applier);
            }
            block += One::one();
        }
        scheduler::FirstIncompleteTasksBlock::<T>::put(now + One::one());
        Self::clear_waitlists(meter, weight);
    }

    /// What `task` may cost: the `task` benchmark (a mailbox expiry), and for a message
    /// removed from a waitlist, what an init's removal adds besides: the program's deactivation
    /// deletes its pages (a write and a trie path of proof each, the pages themselves are not
    /// loaded) and its storage deposit is settled.
    pub(crate) fn task_weight(task: &scheduler::Task<T>, base: Weight) -> Weight {
        match task {
            ScheduledTask::RemoveFromWaitlist(program, _) => {
                let pages = u64::from(crate::program::PagesCount::<T>::get(program));
                base.saturating_add(Self::deposit_weight())
                    .saturating_add(
                        <T as frame_system::Config>::DbWeight::get().reads_writes(1, pages),
                    )
                    .saturating_add(Weight::from_parts(
                        0,
                        pages.saturating_mul(crate::PAGE_PROOF_SIZE - PAGE_SIZE as u64),
                    ))
            }
            _ => base,
        }
    }

    fn process_task(task: scheduler::Task<T>, applier: &mut Applier<T>) {
        match task {
            ScheduledTask::RemoveFromMailbox(user, id) => {
                let reason = Reason::System(UserMessageReadSystemReason::OutOfRent);
                if let Some(message) = Self::read_message(&user, id, reason) {
                    Self::auto_reply_from_user(Self::actor_of(&user), message.source(), id);
                }
            }
            ScheduledTask::RemoveFromWaitlist(program, id) => {
                let reason = MessageWokenReason::System(MessageWokenSystemReason::OutOfRent);
                if let Some(dispatch) = Self::wake_dispatch(program, id, reason) {
                    let dispatch = Self::to_engine(dispatch);
                    // A waiting init fails here and its program's memory goes: the deposit
                    // goes back as after any failed init.
                    Self::settling_deposit(program, dispatch.id, |_| {
                        handle_journal(
                            processing::process_removed_from_waitlist(&dispatch),
                            applier,
                        )
                    });
                    if Self::is_builtin(program) {
                        <T::BuiltinActors as crate::builtin::BuiltinActors>::on_timeout(
                            program, id,
                        );
                    }
                }
            }
            ScheduledTask::WakeMessage(program, id) => {
                let reason = MessageWokenReason::System(MessageWokenSystemReason::TimeoutHasCome);
                if let Some(dispatch) = Self::wake_dispatch(program, id, reason) {
                    messenger::Pallet::<T>::enqueue(dispatch);
                }
            }
            ScheduledTask::SendDispatch(id) => {
                if let Some((delayed, _)) = Self::take_stashed(id) {
                    let (kind, message) = delayed.into_parts();
                    messenger::Pallet::<T>::enqueue(StoredDispatch::new(kind, message, None));
                }
            }
            ScheduledTask::SendUserMessage {
                message_id,
                to_mailbox,
            } => {
                if let Some((delayed, _)) = Self::take_stashed(message_id) {
                    let (_, message) = delayed.into_parts();
                    if to_mailbox {
                        if let Ok(message) = UserStoredMessage::try_from(message.clone()) {
                            Self::mailbox_insert(message);
                            return;
                        }
                    }
                    Self::deliver_to_user_now(None, message);
                    Self::gas_consume(message_id);
                }
            }
            ScheduledTask::RemoveGasReservation(program, rid) => {
                Self::remove_gas_reservation(program, rid);
            }
        }
    }

    /// Takes a delayed dispatch out of the stash, charging its rent.
    fn take_stashed(
        id: gprimitives::MessageId,
    ) -> Option<(
        gear_core::message::StoredDelayedDispatch,
        crate::types::Interval<BlockNumberFor<T>>,
    )> {
        let (delayed, interval) = messenger::DispatchStash::<T>::take(id)?;
        Self::charge_for_hold(
            id,
            interval.start.saturated_into(),
            interval.finish.saturated_into(),
            <T as scheduler::Config>::DispatchHoldCost::get(),
        );
        Some((delayed, interval))
    }
}
