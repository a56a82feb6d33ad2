//! Waiting and waking: the waitlist with rent.

use crate::{
    messenger, scheduler,
    types::{Interval, MessageWaitedRuntimeReason, MessageWokenReason, Reason},
    Config, Event, Pallet,
};
use gear_core::{env::MessageWaitedType, message::StoredDispatch, tasks::ScheduledTask};
use gear_engine::{
    gas_tree::{self, HoldBound},
    Dispatch,
};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::{
    frame_support::{
        traits::Get,
        weights::{Weight, WeightMeter},
    },
    sp_runtime::SaturatedConversion,
};

use super::gas_tree::log_err;

impl<T: Config> Pallet<T> {
    /// Puts a message into the waitlist, locking rent from its gas: for its duration when it
    /// gave one its gas pays for, otherwise as long as its gas pays. `wait_for` and a fully
    /// paid `wait_up_to` wake by themselves at the end; the others are removed (with Gear's
    /// `RemovedFromWaitlist` error reply) when their rent runs out.
    pub(crate) fn wait_dispatch(
        dispatch: Dispatch,
        duration: Option<u32>,
        waited_type: MessageWaitedType,
    ) {
        let id = dispatch.id;
        let program = dispatch.destination;
        let now = Self::block_height();
        let cost = <T as scheduler::Config>::WaitlistCost::get();
        let reserve_for = Self::reserve_for();
        let maximal = HoldBound::maximum_for(cost, now, Self::gas_limit_of(id), reserve_for);
        let hold = match duration {
            Some(d) => HoldBound::duration(cost, now, d, reserve_for).min(maximal),
            None => maximal,
        };
        log_err(
            "lock waitlist",
            gas_tree::lock(&mut Self::gas_store(), id.into(), hold.lock_amount()),
        );
        let expiration = Self::block_after(hold.expected.saturating_sub(now));
        let (task, reason) = match waited_type {
            MessageWaitedType::Wait => (
                ScheduledTask::RemoveFromWaitlist(program, id),
                MessageWaitedRuntimeReason::WaitCalled,
            ),
            MessageWaitedType::WaitFor => (
                ScheduledTask::WakeMessage(program, id),
                MessageWaitedRuntimeReason::WaitForCalled,
            ),
            MessageWaitedType::WaitUpTo => (
                ScheduledTask::RemoveFromWaitlist(program, id),
                MessageWaitedRuntimeReason::WaitUpToCalled,
            ),
            MessageWaitedType::WaitUpToFull => (
                ScheduledTask::WakeMessage(program, id),
                MessageWaitedRuntimeReason::WaitUpToCalledFull,
            ),
        };
        scheduler::Pallet::<T>::add(expiration, task);
        Self::deposit_event(Event::MessageWaited {
            id,
            origin: None,
            reason: Reason::Runtime(reason),
            expiration,
        });
        messenger::Waitlist::<T>::insert(
            program,
            id,
            (
                Self::to_stored(dispatch),
                Interval {
                    start: now.into(),
                    finish: expiration,
                },
            ),
        );
    }

    /// `gr_wake`: the message goes back to the queue now, or after `delay` blocks.
    pub(crate) fn wake_message(program: ActorId, id: MessageId, delay: u32) {
        if !messenger::Waitlist::<T>::contains_key(program, id) {
            log::debug!(target: "gear", "wake of {id:?}: not waiting");
            return;
        }
        if delay == 0 {
            let reason =
                MessageWokenReason::Runtime(crate::types::MessageWokenRuntimeReason::WakeCalled);
            if let Some(dispatch) = Self::wake_dispatch(program, id, reason) {
                messenger::Pallet::<T>::enqueue(dispatch);
            }
        } else {
            scheduler::Pallet::<T>::add(
                Self::block_after(delay),
                ScheduledTask::WakeMessage(program, id),
            );
        }
    }

    /// Takes message `id` out of `program`'s waitlist: rent charged for the blocks it waited,
    /// its tasks removed.
    pub(crate) fn wake_dispatch(
        program: ActorId,
        id: MessageId,
        reason: MessageWokenReason,
    ) -> Option<StoredDispatch> {
        let (dispatch, interval) = messenger::Waitlist::<T>::take(program, id)?;
        Self::charge_for_hold(
            id,
            interval.start.saturated_into(),
            interval.finish.saturated_into(),
            <T as scheduler::Config>::WaitlistCost::get(),
        );
        scheduler::Pallet::<T>::delete(
            interval.finish,
            &ScheduledTask::RemoveFromWaitlist(program, id),
        );
        scheduler::Pallet::<T>::delete(interval.finish, &ScheduledTask::WakeMessage(program, id));
        Self::deposit_event(Event::MessageWoken { id, reason });
        Some(dispatch)
    }

    /// `program` is leaving: the messages waiting in it will be woken (they then fail in the
    /// queue as undeliverable, answered with Gear's error replies) by [`Self::clear_waitlists`].
    pub(crate) fn clean_waitlist(program: ActorId) {
        if messenger::Waitlist::<T>::iter_key_prefix(program)
            .next()
            .is_some()
        {
            messenger::WaitlistsToClear::<T>::insert(program, ());
        }
    }

    /// Wakes messages waiting in programs that left, one per `weight`, while `meter` affords
    /// it.
    pub(crate) fn clear_waitlists(meter: &mut WeightMeter, weight: Weight) {
        while let Some(program) = messenger::WaitlistsToClear::<T>::iter_keys().next() {
            let Some(id) = messenger::Waitlist::<T>::iter_key_prefix(program).next() else {
                messenger::WaitlistsToClear::<T>::remove(program);
                continue;
            };
            if !meter.can_consume(weight) {
                return;
            }
            meter.consume(weight);
            let reason = MessageWokenReason::System(
                crate::types::MessageWokenSystemReason::ProgramGotInitialized,
            );
            if let Some(dispatch) = Self::wake_dispatch(program, id, reason) {
                messenger::Pallet::<T>::enqueue(dispatch);
            }
        }
    }
}
