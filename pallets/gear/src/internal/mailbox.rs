//! Messages to users: the mailbox (with rent), `send_reply`, `claim_value`, auto replies.

use crate::{
    messenger, scheduler,
    types::{Interval, Reason, UserMessageReadReason, UserMessageReadRuntimeReason},
    Config, Error, Event, Pallet,
};
use alloc::vec::Vec;
use gear_core::{
    ids::prelude::MessageIdExt,
    message::{
        DispatchKind, MessageDetails, ReplyDetails, StoredDelayedDispatch, StoredDispatch,
        StoredMessage, UserMessage, UserStoredMessage,
    },
    program::Program,
    tasks::ScheduledTask,
};
use gear_core_errors::{ReplyCode, SuccessReplyReason};
use gear_engine::{
    gas_tree::{self, GasNodeId, HoldBound},
    Dispatch,
};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::frame_support::weights::Weight;
use polkadot_sdk::{
    frame_support::{ensure, traits::Get},
    sp_runtime::{DispatchError, DispatchResult, SaturatedConversion},
};

use super::gas_tree::log_err;

impl<T: Config> Pallet<T> {
    /// Delivers a program's message (or reply) to a user: into the mailbox when it is not a
    /// reply and carries at least the mailbox threshold of gas, otherwise as an event with its
    /// value paid at once (and, for a message that is not a reply, Gear's auto reply back).
    pub(crate) fn send_user_message(
        from: GasNodeId,
        dispatch: Dispatch,
        gas_limit: Option<u64>,
        delay: u32,
    ) {
        let threshold = T::MailboxThreshold::get();
        let is_reply = dispatch.details.is_some();
        let store = &mut Self::gas_store();
        let available = gas_tree::get_limit(store, from).unwrap_or(0);
        let gas = gas_limit.unwrap_or(if available >= threshold { threshold } else { 0 });
        let id = dispatch.id;
        if delay > 0 {
            let now = Self::block_height();
            let hold = HoldBound::duration(
                <T as scheduler::Config>::DispatchHoldCost::get(),
                now,
                delay,
                Self::reserve_for(),
            );
            let for_delay = hold.lock_amount();
            let to_mailbox = !is_reply
                && match gas_limit {
                    Some(gas) => gas >= threshold,
                    None => available.saturating_sub(for_delay) >= threshold,
                };
            let amount = for_delay.saturating_add(if to_mailbox { gas } else { 0 });
            if log_err("cut for stash", gas_tree::cut(store, from, id, amount)).is_some() {
                log_err("lock stash", gas_tree::lock(store, id.into(), for_delay));
                let stored = Self::to_stored(dispatch);
                let (kind, message, _) = stored.into_parts();
                messenger::DispatchStash::<T>::insert(
                    id,
                    (
                        StoredDelayedDispatch::new(kind, message),
                        Interval {
                            start: now.into(),
                            finish: hold.expected.into(),
                        },
                    ),
                );
                scheduler::Pallet::<T>::add(
                    hold.expected.into(),
                    ScheduledTask::SendUserMessage {
                        message_id: id,
                        to_mailbox,
                    },
                );
                return;
            }
        }
        if !is_reply && gas >= threshold {
            if let Ok(message) =
                UserStoredMessage::try_from(Self::to_stored(dispatch.clone()).into_parts().1)
            {
                if log_err("cut for mailbox", gas_tree::cut(store, from, id, gas)).is_some() {
                    Self::mailbox_insert(message);
                    return;
                }
            }
        }
        Self::deliver_to_user_now(Some(from), Self::to_stored(dispatch).into_parts().1);
    }

    /// Pays a message's value to its user and tells them by event; a message that is not a
    /// reply gets Gear's auto reply, paid by a reply deposit, or free of gas.
    pub(crate) fn deliver_to_user_now(from: Option<GasNodeId>, message: StoredMessage) {
        let (id, source, destination, payload, value, details) = message.into_parts();
        Self::pay_out(&Self::account_of(destination), value);
        let reply = details.and_then(MessageDetails::to_reply_details);
        if let Some(reply) = reply {
            super::dry_run::observe(|probe| {
                probe.reply(
                    reply.to_message_id(),
                    payload.as_slice(),
                    value,
                    reply.to_reply_code(),
                )
            });
            <T::UserReplies as crate::builtin::OnUserReply<T::AccountId>>::on_user_reply(
                &Self::account_of(destination),
                source,
                reply.to_message_id(),
                reply.to_reply_code(),
                payload.as_slice(),
            );
        }
        Self::deposit_event(Event::UserMessageSent {
            message: UserMessage::new(id, source, destination, payload, value, reply),
            expiration: None,
        });
        if reply.is_none() && details.is_none() {
            let reply_id = MessageId::generate_reply(id);
            let store = &mut Self::gas_store();
            if !gas_tree::is_deposit(store, reply_id) {
                let made =
                    from.and_then(|from| gas_tree::create_deposit(store, from, reply_id, 0).ok());
                if made.is_none() {
                    Self::gas_create(destination, reply_id, 0);
                }
            }
            Self::enqueue_reply(
                reply_id,
                destination,
                source,
                id,
                ReplyCode::Success(SuccessReplyReason::Auto),
                Vec::new(),
                0,
            );
        }
    }

    /// Puts `message` (its gas already cut into its own node) into its user's mailbox for as
    /// long as its gas pays, locking that gas.
    pub(crate) fn mailbox_insert(message: UserStoredMessage) {
        super::dry_run::observe(|probe| probe.mailed());
        let id = message.id();
        let gas = Self::gas_limit_of(id);
        let now = Self::block_height();
        let hold = HoldBound::maximum_for(
            <T as scheduler::Config>::MailboxCost::get(),
            now,
            gas,
            Self::reserve_for(),
        );
        log_err(
            "lock mailbox",
            gas_tree::lock(&mut Self::gas_store(), id.into(), gas),
        );
        let user = Self::account_of(message.destination());
        let expiration = Self::block_after(hold.expected.saturating_sub(now));
        scheduler::Pallet::<T>::add(
            expiration,
            ScheduledTask::RemoveFromMailbox(user.clone(), id),
        );
        let event = UserMessage::new(
            id,
            message.source(),
            message.destination(),
            message
                .payload_bytes()
                .to_vec()
                .try_into()
                .unwrap_or_default(),
            message.value(),
            None,
        );
        messenger::Mailbox::<T>::insert(
            &user,
            id,
            (
                message,
                Interval {
                    start: now.into(),
                    finish: expiration,
                },
            ),
        );
        Self::deposit_event(Event::UserMessageSent {
            message: event,
            expiration: Some(expiration),
        });
    }

    /// Takes message `id` out of `user`'s mailbox: rent charged for the blocks it stayed, the
    /// rest of its gas back to its tree, its value paid to the user.
    pub(crate) fn read_message(
        user: &T::AccountId,
        id: MessageId,
        reason: UserMessageReadReason,
    ) -> Option<UserStoredMessage> {
        let (message, interval) = messenger::Mailbox::<T>::take(user, id)?;
        let start: u32 = interval.start.saturated_into();
        let finish: u32 = interval.finish.saturated_into();
        Self::charge_for_hold(
            id,
            start,
            finish,
            <T as scheduler::Config>::MailboxCost::get(),
        );
        Self::gas_consume(id);
        Self::pay_out(user, message.value());
        scheduler::Pallet::<T>::delete(
            interval.finish,
            &ScheduledTask::RemoveFromMailbox(user.clone(), id),
        );
        Self::deposit_event(Event::UserMessageRead { id, reason });
        Some(message)
    }

    /// Queues a reply from `source` to `destination` for message `to` (its gas node `id`
    /// exists).
    pub(crate) fn enqueue_reply(
        id: MessageId,
        source: ActorId,
        destination: ActorId,
        to: MessageId,
        code: ReplyCode,
        payload: Vec<u8>,
        value: u128,
    ) {
        let message = StoredMessage::new(
            id,
            source,
            destination,
            payload.try_into().unwrap_or_default(),
            value,
            Some(MessageDetails::Reply(ReplyDetails::new(to, code))),
        );
        messenger::Pallet::<T>::enqueue(StoredDispatch::new(DispatchKind::Reply, message, None));
    }

    /// Gear's auto reply from `user` to `program` for mailbox message `to`, paid by a reply
    /// deposit if the program made one, free of gas otherwise.
    pub(crate) fn auto_reply_from_user(user: ActorId, program: ActorId, to: MessageId) {
        let reply_id = MessageId::generate_reply(to);
        if !gas_tree::is_deposit(&Self::gas_store(), reply_id) {
            Self::gas_create(user, reply_id, 0);
        }
        Self::enqueue_reply(
            reply_id,
            user,
            program,
            to,
            ReplyCode::Success(SuccessReplyReason::Auto),
            Vec::new(),
            0,
        );
    }

    pub(crate) fn do_claim_value(who: T::AccountId, id: MessageId) -> DispatchResult {
        ensure!(
            messenger::Mailbox::<T>::contains_key(&who, id),
            Error::<T>::MessageNotFound
        );
        let reason = Reason::Runtime(UserMessageReadRuntimeReason::MessageClaimed);
        let Some(message) = Self::read_message(&who, id, reason) else {
            return Err(Error::<T>::MessageNotFound.into());
        };
        if matches!(
            crate::program::ProgramStorage::<T>::get(message.source()),
            Some(Program::Active(_))
        ) {
            Self::auto_reply_from_user(Self::actor_of(&who), message.source(), id);
        }
        Ok(())
    }

    /// `send_reply`: the reply's id and what the call may give back of its weight when
    /// `give_back` ([`Pallet::same_block_saving`]).
    pub(crate) fn do_send_reply(
        who: T::AccountId,
        reply_to: MessageId,
        payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        keep_alive: bool,
        give_back: bool,
    ) -> Result<(MessageId, Weight), DispatchError> {
        let (message, _) =
            messenger::Mailbox::<T>::get(&who, reply_to).ok_or(Error::<T>::MessageNotFound)?;
        Self::check_message(&payload, gas_limit, value)?;
        let program = message.source();
        Self::ensure_active(program).map_err(|_| Error::<T>::InactiveProgram)?;
        let reply_id = MessageId::generate_reply(reply_to);
        // A reply deposit pays for the reply: the user buys no gas.
        let gas_limit = if gas_tree::is_deposit(&Self::gas_store(), reply_id) {
            0
        } else {
            gas_limit
        };
        Self::charge(&who, gas_limit, value, keep_alive)?;
        let reason = Reason::Runtime(UserMessageReadRuntimeReason::MessageReplied);
        Self::read_message(&who, reply_to, reason);
        let saving = Self::queue_from_user(
            who,
            reply_id,
            program,
            DispatchKind::Reply,
            payload,
            gas_limit,
            value,
            Some(MessageDetails::Reply(ReplyDetails::new(
                reply_to,
                ReplyCode::Success(SuccessReplyReason::Manual),
            ))),
            give_back,
        );
        Ok((reply_id, saving))
    }
}
