//! Money: buying gas, value into and out of the bank, program balances, burned gas.

use crate::types::MessageEntry;
use crate::{bank, gas, messenger, Config, Error, Event, Pallet};
use alloc::vec::Vec;
use gear_core::{
    ids::prelude::MessageIdExt,
    message::{DispatchKind, MessageDetails, StoredDispatch, StoredMessage},
};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::{
    frame_support::{
        ensure,
        traits::{
            fungible::{Inspect, Mutate},
            tokens::Preservation,
            Get,
        },
    },
    frame_system,
    sp_runtime::{traits::AccountIdConversion, AccountId32, DispatchResult, SaturatedConversion},
};

impl<T: Config> Pallet<T> {
    /// The bank account: holds bought gas, in-flight value and program balances.
    pub fn bank_account() -> T::AccountId {
        <T as bank::Config>::BankPalletId::get().into_account_truncating()
    }

    pub(crate) fn actor_of(account: &T::AccountId) -> ActorId {
        ActorId::new(*<AccountId32 as AsRef<[u8; 32]>>::as_ref(account))
    }

    pub(crate) fn account_of(actor: ActorId) -> T::AccountId {
        AccountId32::new(actor.into_bytes())
    }

    /// Value of `gas` at the bank's price.
    pub fn gas_value(gas: u64) -> u128 {
        <T as bank::Config>::GasMultiplier::get().gas_to_value(gas)
    }

    /// Checks a message from a user before anything is charged.
    pub(crate) fn check_message(payload: &[u8], gas_limit: u64, value: u128) -> DispatchResult {
        ensure!(
            payload.len() as u64 <= u64::from(T::Schedule::get().limits.payload_len),
            Error::<T>::PayloadTooLarge
        );
        ensure!(
            gas_limit <= <T as gas::Config>::BlockGasLimit::get(),
            Error::<T>::GasLimitTooHigh
        );
        ensure!(
            value == 0 || value >= T::Currency::minimum_balance(),
            Error::<T>::ValueLessThanMinimal
        );
        Ok(())
    }

    /// Moves the price of `gas_limit` plus `value` from `who` into the bank.
    pub(crate) fn charge(
        who: &T::AccountId,
        gas_limit: u64,
        value: u128,
        keep_alive: bool,
    ) -> DispatchResult {
        let amount = Self::gas_value(gas_limit).saturating_add(value);
        if amount == 0 {
            return Ok(());
        }
        let preservation = if keep_alive {
            Preservation::Preserve
        } else {
            Preservation::Expendable
        };
        T::Currency::transfer(who, &Self::bank_account(), amount, preservation)
            .map(|_| ())
            .map_err(|_| Error::<T>::InsufficientBalance.into())
    }

    /// Pays `amount` out of the bank; on failure (e.g. below the existential deposit of a new
    /// account) it stays in the bank and is recorded as owed.
    pub(crate) fn pay_out(to: &T::AccountId, amount: u128) {
        if amount == 0 {
            return;
        }
        if let Err(e) =
            T::Currency::transfer(&Self::bank_account(), to, amount, Preservation::Preserve)
        {
            log::warn!(target: "gear", "bank could not pay {amount} to {to:?}: {e:?}");
            bank::UnpaidValue::<T>::mutate(to, |v| *v = v.saturating_add(amount));
        }
    }

    /// Gives `value` to `actor`: a program's balance, or a user's account.
    pub(crate) fn credit(actor: ActorId, value: u128) {
        if value == 0 {
            return;
        }
        if Self::is_program(actor) {
            bank::ProgramBalances::<T>::mutate(actor, |b| *b = b.saturating_add(value));
        } else {
            Self::pay_out(&Self::account_of(actor), value);
        }
    }

    /// Takes `value` from program `program`'s balance into flight (it travels with a message).
    pub(crate) fn debit_program(program: ActorId, value: u128) {
        if value == 0 {
            return;
        }
        bank::ProgramBalances::<T>::mutate(program, |b| {
            if *b < value {
                log::error!(target: "gear", "program {program:?} sends {value} but holds {b}");
            }
            *b = b.saturating_sub(value)
        });
    }

    /// Pays the value of `gas` burned to the gas recipient (the block author), or keeps it
    /// recorded in the bank.
    pub(crate) fn pay_burned(gas: u64) {
        let value = Self::gas_value(gas);
        if value == 0 {
            return;
        }
        match T::GasRecipient::get() {
            Some(recipient) => Self::pay_out(&recipient, value),
            None => bank::UnpaidBurnedValue::<T>::mutate(|v| *v = v.saturating_add(value)),
        }
    }

    pub(crate) fn next_message_id(who: &T::AccountId) -> MessageId {
        let block = frame_system::Pallet::<T>::block_number().saturated_into::<u32>();
        MessageId::generate_from_user(
            block,
            Self::actor_of(who),
            messenger::Pallet::<T>::next_user_nonce(),
        )
    }

    /// Queues a message from user `who` whose gas (`gas_limit`, already paid) starts a gas tree,
    /// or uses a reply deposit when `details` is a reply that has one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn queue_from_user(
        who: T::AccountId,
        id: MessageId,
        destination: ActorId,
        kind: DispatchKind,
        payload: Vec<u8>,
        gas_limit: u64,
        value: u128,
        details: Option<MessageDetails>,
    ) {
        if !gear_engine::gas_tree::is_deposit(&Self::gas_store(), id) {
            Self::gas_create(Self::actor_of(&who), id, gas_limit);
        }
        // `check_message` bounded the payload by the schedule's limit, which is Gear's.
        let payload = payload.try_into().unwrap_or_default();
        let message = StoredMessage::new(
            id,
            Self::actor_of(&who),
            destination,
            payload,
            value,
            details,
        );
        messenger::Pallet::<T>::enqueue(StoredDispatch::new(kind, message, None));
        let entry = match (kind, details) {
            (DispatchKind::Init, _) => MessageEntry::Init,
            (DispatchKind::Handle, _) => MessageEntry::Handle,
            (DispatchKind::Reply, Some(MessageDetails::Reply(reply))) => {
                MessageEntry::Reply(reply.to_message_id())
            }
            (DispatchKind::Reply, _) => MessageEntry::Reply(id),
            (DispatchKind::Signal, _) => MessageEntry::Signal,
        };
        Self::deposit_event(Event::MessageQueued {
            id,
            source: who,
            destination,
            entry,
        });
    }
}
