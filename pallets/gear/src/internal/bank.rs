//! Money: buying gas, value into and out of the bank, program balances, burned gas.

use crate::types::MessageEntry;
use crate::{bank, gas, messenger, Config, Error, Event, Pallet};
use alloc::vec::Vec;
use gear_core::{
    ids::prelude::MessageIdExt,
    message::{DispatchKind, MessageDetails, StoredDispatch, StoredMessage},
};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::frame_support::weights::Weight;
use polkadot_sdk::{
    frame_support::{
        ensure,
        traits::{
            fungible::{Inspect, Mutate},
            tokens::{Fortitude, Preservation},
            Get,
        },
    },
    frame_system,
    sp_runtime::{
        helpers_128bit::multiply_by_rational_with_rounding, traits::AccountIdConversion,
        AccountId32, DispatchResult, Rounding, SaturatedConversion,
    },
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

    /// Storage deposit of a code of `original_len` bytes instrumented into `instrumented_len`:
    /// its three records (original, instrumented, metadata) and their bytes.
    pub fn code_deposit(original_len: usize, instrumented_len: usize) -> u128 {
        let bytes = (original_len as u128).saturating_add(instrumented_len as u128);
        T::DepositPerItem::get()
            .saturating_mul(3)
            .saturating_add(T::DepositPerByte::get().saturating_mul(bytes))
    }

    /// Storage deposit of one stored memory page of a program (an item of 16 KiB).
    pub fn page_deposit() -> u128 {
        T::DepositPerItem::get().saturating_add(
            T::DepositPerByte::get().saturating_mul(gear_engine::memory::PAGE_SIZE as u128),
        )
    }

    /// Who pays the storage deposit of what dispatch `id` makes its program store, and gets it
    /// back for what it frees: the payer of its gas tree (the account that bought its gas),
    /// within what the tree may still take. None without a tree (corrupted storage) or when
    /// the payer is the bank itself (a tree of a program's message to the bank's id).
    pub(crate) fn deposit_payer(id: MessageId) -> Option<DepositPayer<T::AccountId>> {
        let (root, tree) = gear_engine::gas_tree::tree_of(&Self::gas_store(), id.into()).ok()?;
        let account = Self::account_of(tree.payer);
        (account != Self::bank_account()).then_some(DepositPayer {
            account,
            root,
            left: tree.deposit_left,
        })
    }

    /// Memory pages whose storage deposit `payer` can pay without leaving its account below
    /// the existential deposit, and that its gas tree may still take.
    pub(crate) fn affordable_pages(payer: Option<&DepositPayer<T::AccountId>>) -> u32 {
        let price = Self::page_deposit();
        if price == 0 {
            return u32::MAX;
        }
        let Some(payer) = payer else {
            return 0;
        };
        let free = T::Currency::reducible_balance(
            &payer.account,
            Preservation::Preserve,
            Fortitude::Polite,
        );
        (free.min(payer.left) / price).saturated_into()
    }

    /// Settles `program`'s storage deposit after a dispatch paid by `payer` took its stored
    /// pages from `before` to what they are now: `payer` pays [`Pallet::page_deposit`] per page
    /// added into the bank (the queue let the execution keep no more pages than `payer` could
    /// pay for), or gets back the deposit's share of the pages removed (all of it when none
    /// remain, e.g. when the program exited or its init failed). The gas tree's allowance
    /// (`deposit_left`) goes down by what is paid and up by what is paid back.
    fn settle_deposit(program: ActorId, before: u32, payer: Option<&DepositPayer<T::AccountId>>) {
        let after = crate::program::PagesCount::<T>::get(program);
        if after > before {
            let due = Self::page_deposit().saturating_mul(u128::from(after - before));
            if due == 0 {
                return;
            }
            match payer {
                Some(payer)
                    if due <= payer.left
                        && T::Currency::transfer(
                            &payer.account,
                            &Self::bank_account(),
                            due,
                            Preservation::Preserve,
                        )
                        .is_ok() =>
                {
                    bank::ProgramDeposits::<T>::mutate(program, |held| {
                        *held = held.saturating_add(due)
                    });
                    Self::adjust_deposit_left(payer.root, |left| left.saturating_sub(due));
                }
                _ => log::error!(
                    target: "gear",
                    "the storage deposit of {} pages of {program:?} could not be paid",
                    after - before
                ),
            }
        } else if after < before {
            let held = bank::ProgramDeposits::<T>::get(program);
            let refund = if after == 0 {
                held
            } else {
                multiply_by_rational_with_rounding(
                    held,
                    u128::from(before - after),
                    u128::from(before),
                    Rounding::Down,
                )
                .unwrap_or(0)
            };
            if refund == held {
                bank::ProgramDeposits::<T>::remove(program);
            } else {
                bank::ProgramDeposits::<T>::insert(program, held - refund);
            }
            match payer {
                Some(payer) => {
                    Self::pay_out(&payer.account, refund);
                    Self::adjust_deposit_left(payer.root, |left| left.saturating_add(refund));
                }
                // No gas tree (corrupted storage): the bank keeps it, recorded.
                None => bank::UnpaidBurnedValue::<T>::mutate(|v| *v = v.saturating_add(refund)),
            }
        }
    }

    /// Runs `f` (a dispatch's journal applied to `program`, given who pays its storage
    /// deposit) and settles the deposit for the pages `f` added or removed.
    pub(crate) fn settling_deposit<R>(
        program: ActorId,
        dispatch: MessageId,
        f: impl FnOnce(Option<&DepositPayer<T::AccountId>>) -> R,
    ) -> R {
        let payer = Self::deposit_payer(dispatch);
        let before = crate::program::PagesCount::<T>::get(program);
        let result = f(payer.as_ref());
        Self::settle_deposit(program, before, payer.as_ref());
        result
    }

    /// Changes what the gas tree rooted at `root` may still take in storage deposit (nothing
    /// when the tree has ended with the dispatch).
    fn adjust_deposit_left(root: MessageId, change: impl FnOnce(u128) -> u128) {
        use gear_engine::gas_tree::GasStore;
        let mut store = Self::gas_store();
        if let Some(mut tree) = store.tree(root) {
            tree.deposit_left = change(tree.deposit_left);
            store.set_tree(root, tree);
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
    /// or uses a reply deposit when `details` is a reply that has one. Only for extrinsics whose
    /// weight includes [`Pallet::dispatch_overhead`]: the entry is queued as prepaid in this
    /// block (`messenger::enqueue_prepaid`). With `give_back`, returns what the call may give
    /// back of its weight ([`Pallet::prepay`]).
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
        give_back: bool,
    ) -> Weight {
        let gas_tree = !gear_engine::gas_tree::is_deposit(&Self::gas_store(), id);
        if gas_tree {
            Self::gas_create(Self::actor_of(&who), id, gas_limit);
        }
        // `charge` moved this from `who`, the payer of the tree's gas, in this call.
        let payer_read = gas_tree && Self::gas_value(gas_limit).saturating_add(value) > 0;
        let (saving, warm, transient_keys) =
            Self::prepay(destination, gas_tree, payer_read, give_back);
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
        messenger::Pallet::<T>::enqueue_prepaid(
            StoredDispatch::new(kind, message, None),
            warm,
            transient_keys,
        );
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
        saving
    }
}

/// The payer of a dispatch's storage deposit: its gas tree's payer, and what the tree may still
/// take ([`Pallet::deposit_payer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DepositPayer<AccountId> {
    /// The account that bought the tree's gas.
    pub account: AccountId,
    /// The tree's root.
    pub root: MessageId,
    /// Storage deposit the tree may still take.
    pub left: u128,
}
