//! Messages to builtin actors ([`crate::builtin`]): handing them to the actor in the queue,
//! holding them in the waitlist, answering them later.

use super::journal::Applier;
use crate::{
    bank,
    builtin::{BuiltinActors, BuiltinAnswer, BuiltinRequest},
    types::{MessageWokenReason, MessageWokenRuntimeReason},
    Config, Error, Pallet,
};
use alloc::vec::Vec;
use gear_core::message::DispatchKind;
use gear_core_errors::{ErrorReplyReason, ReplyCode, SimpleExecutionError};
use gear_engine::{journal::handle_journal, processing, Dispatch};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::frame_support::weights::Weight;
use polkadot_sdk::{
    frame_support::{
        ensure,
        traits::{
            fungible::{Inspect, Mutate},
            tokens::Preservation,
        },
    },
    sp_runtime::{DispatchError, DispatchResult},
};

impl<T: Config> Pallet<T> {
    /// Whether `actor` is one of the runtime's builtin actors.
    pub fn is_builtin(actor: ActorId) -> bool {
        T::BuiltinActors::is_builtin(actor)
    }

    /// Runs a dispatch to a builtin actor. Returns the gas it burned.
    pub(crate) fn process_builtin(dispatch: Dispatch, applier: &mut Applier<T>) -> u64 {
        let actor = dispatch.destination;
        let gas_limit = Self::gas_limit_of(dispatch.id);
        if dispatch.kind != DispatchKind::Handle {
            // Builtin actors send nothing that could be replied to; a stray reply or signal is
            // consumed and its value returned.
            let notes = processing::process_builtin_answer(
                &dispatch,
                0,
                ReplyCode::Unsupported,
                Vec::new(),
            );
            handle_journal(notes, applier);
            return 0;
        }
        let cost = T::BuiltinActors::handle_gas(actor);
        if gas_limit < cost {
            let code = ReplyCode::Error(ErrorReplyReason::Execution(
                SimpleExecutionError::RanOutOfGas,
            ));
            let notes = processing::process_builtin_answer(&dispatch, gas_limit, code, Vec::new());
            handle_journal(notes, applier);
            return gas_limit;
        }
        let answer = T::BuiltinActors::handle(BuiltinRequest {
            id: dispatch.id,
            source: dispatch.source,
            destination: actor,
            payload: dispatch.payload.clone(),
            value: dispatch.value,
            gas_left: gas_limit - cost,
        });
        let notes = match answer {
            BuiltinAnswer::Reply(code, payload) => {
                processing::process_builtin_answer(&dispatch, cost, code, payload)
            }
            BuiltinAnswer::Error(payload) => {
                let code = ReplyCode::Error(ErrorReplyReason::Execution(
                    SimpleExecutionError::UserspacePanic,
                ));
                processing::process_builtin_answer(&dispatch, cost, code, payload)
            }
            BuiltinAnswer::Hold { timeout } => {
                processing::process_builtin_hold(dispatch, cost, timeout.max(1))
            }
        };
        handle_journal(notes, applier);
        cost
    }

    /// Queues a message from account `who` to `destination` (a program or builtin actor), as
    /// `send_message` does: checks, charges the gas and value, queues. For pallets that deliver
    /// messages on someone's behalf (e.g. from another chain), from a call whose weight
    /// includes [`Pallet::dispatch_overhead`] as `send_message`'s does: the queue does not charge
    /// that cost again when it runs the message in the same block.
    pub fn send_from_account(
        who: T::AccountId,
        destination: ActorId,
        payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        keep_alive: bool,
    ) -> Result<MessageId, DispatchError> {
        Self::queue_message(
            who,
            destination,
            payload,
            gas_limit,
            value,
            keep_alive,
            false,
        )
        .map(|(id, _)| id)
    }

    /// [`Pallet::send_from_account`], returning also what the call may give back of its
    /// weight when `give_back` ([`Pallet::same_block_saving`]).
    pub(crate) fn queue_message(
        who: T::AccountId,
        destination: ActorId,
        payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        keep_alive: bool,
        give_back: bool,
    ) -> Result<(MessageId, Weight), DispatchError> {
        Self::ensure_active(destination)?;
        Self::check_message(&payload, gas_limit, value)?;
        Self::charge(&who, gas_limit, value, keep_alive)?;
        let id = Self::next_message_id(&who);
        let saving = Self::queue_from_user(
            who,
            id,
            destination,
            DispatchKind::Handle,
            payload,
            gas_limit,
            value,
            None,
            give_back,
        );
        Ok((id, saving))
    }

    /// Value `actor` can pay: a program's balance, or a user's free balance.
    pub fn balance_of_actor(actor: ActorId) -> u128 {
        if Self::is_program(actor) {
            bank::ProgramBalances::<T>::get(actor)
        } else {
            T::Currency::balance(&Self::account_of(actor))
        }
    }

    /// Moves `amount` from `actor` (a program's balance in the bank, or a user's account, kept
    /// alive) to account `to`. Nothing moves on failure.
    pub fn withdraw_from_actor(actor: ActorId, to: &T::AccountId, amount: u128) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        let (from, is_program) = if Self::is_program(actor) {
            ensure!(
                bank::ProgramBalances::<T>::get(actor) >= amount,
                Error::<T>::InsufficientBalance
            );
            (Self::bank_account(), true)
        } else {
            (Self::account_of(actor), false)
        };
        T::Currency::transfer(&from, to, amount, Preservation::Preserve)
            .map_err(|_| Error::<T>::InsufficientBalance)?;
        if is_program {
            bank::ProgramBalances::<T>::mutate(actor, |b| *b = b.saturating_sub(amount));
        }
        Ok(())
    }

    /// Answers request `id` that builtin actor `actor` held: the message leaves the waitlist
    /// (rent charged for the blocks it waited) and its sender gets a reply with `code` and
    /// `payload`, its gas being what the request had left (or the sender's reply deposit).
    /// Returns `false` when no such request is waiting (answered already, or timed out).
    pub fn answer_held(actor: ActorId, id: MessageId, code: ReplyCode, payload: Vec<u8>) -> bool {
        let reason = MessageWokenReason::Runtime(MessageWokenRuntimeReason::WakeCalled);
        let Some(stored) = Self::wake_dispatch(actor, id, reason) else {
            return false;
        };
        let dispatch = Self::to_engine(stored);
        let notes = processing::process_builtin_answer(&dispatch, 0, code, payload);
        handle_journal(notes, &mut Applier::<T>::default());
        true
    }
}
