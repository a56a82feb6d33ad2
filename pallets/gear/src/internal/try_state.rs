//! The pallets' properties, checked (`try_state`, and after every mock test).

use crate::{bank, gas, messenger, program, Config, Pallet};
use alloc::collections::BTreeMap;
use gear_core::program::Program;
use gear_engine::gas_tree::GasNodeKind;
use polkadot_sdk::{
    frame_support::{
        ensure,
        traits::fungible::{Inspect, InspectHold},
    },
    sp_runtime::TryRuntimeError,
};

impl<T: Config> Pallet<T> {
    /// Checks the pallets' invariants:
    /// - the queue's head, tail, entries and sizes agree;
    /// - every gas tree is balanced: the gas its nodes hold = bought - burned - refunded, its
    ///   node count is right, every node's parent exists and counts it;
    /// - the bank holds exactly its existential deposit + the value of gas held in trees +
    ///   value in flight (queue, waitlist, mailbox, stash) + program balances + what it owes +
    ///   programs' storage deposits;
    /// - every program's page count matches its pages, every active program's code is stored;
    ///   a program holds a storage deposit only while it stores pages;
    /// - every code has its deposit recorded, and what is held from each uploader under
    ///   `CodeDeposit` is what the records say.
    pub fn do_try_state() -> Result<(), TryRuntimeError> {
        // Queue.
        let head = messenger::Head::<T>::get();
        let tail = messenger::Tail::<T>::get();
        ensure!(head <= tail, "queue head after tail");
        let entries = messenger::Dispatches::<T>::iter_keys().count() as u64;
        ensure!(
            entries == tail - head,
            "queue entries do not match head and tail"
        );
        for index in messenger::Dispatches::<T>::iter_keys() {
            ensure!(
                index >= head && index < tail,
                "queue entry outside head..tail"
            );
            ensure!(
                messenger::DispatchSizes::<T>::contains_key(index),
                "queue entry without size"
            );
        }

        // Gas trees.
        let mut held: BTreeMap<_, (u64, u32)> = BTreeMap::new();
        let mut refs: BTreeMap<_, (u32, u32)> = BTreeMap::new();
        for node in gas::GasNodes::<T>::iter_values() {
            let entry = held.entry(node.root).or_default();
            entry.0 = entry.0.saturating_add(node.held());
            entry.1 += 1;
            ensure!(
                node.kind != GasNodeKind::UnspecifiedLocal || node.value == 0,
                "an unspecified node holds value"
            );
            if let Some(parent) = node.parent {
                ensure!(
                    gas::GasNodes::<T>::contains_key(parent),
                    "gas node's parent is missing"
                );
                let r = refs.entry(parent).or_default();
                r.0 += 1;
                if node.kind == GasNodeKind::UnspecifiedLocal {
                    r.1 += 1;
                }
            }
        }
        for (id, node) in gas::GasNodes::<T>::iter() {
            let (count, unspec) = refs.get(&id).copied().unwrap_or_default();
            ensure!(node.refs == count, "gas node's child count is wrong");
            ensure!(
                node.unspec_refs == unspec,
                "gas node's shared child count is wrong"
            );
        }
        let mut gas_held: u128 = 0;
        for (root, tree) in gas::GasTrees::<T>::iter() {
            let (in_nodes, nodes) = held.remove(&root).unwrap_or_default();
            ensure!(
                in_nodes == tree.held(),
                "gas tree unbalanced: held + burned + refunded != bought"
            );
            ensure!(nodes == tree.nodes, "gas tree's node count is wrong");
            gas_held = gas_held.saturating_add(Self::gas_value(in_nodes));
        }
        ensure!(held.is_empty(), "gas nodes of a tree that does not exist");

        // Bank.
        let mut owed = gas_held;
        for dispatch in messenger::Dispatches::<T>::iter_values() {
            // A woken message's value went to its program on its first run.
            if dispatch.context().is_none() {
                owed = owed.saturating_add(dispatch.value());
            }
        }
        for (dispatch, _) in messenger::Waitlist::<T>::iter_values() {
            if dispatch.context().is_none() {
                owed = owed.saturating_add(dispatch.value());
            }
        }
        for (message, _) in messenger::Mailbox::<T>::iter_values() {
            owed = owed.saturating_add(message.value());
        }
        for (dispatch, _) in messenger::DispatchStash::<T>::iter_values() {
            owed = owed.saturating_add(dispatch.message().value());
        }
        for balance in bank::ProgramBalances::<T>::iter_values() {
            owed = owed.saturating_add(balance);
        }
        for unpaid in bank::UnpaidValue::<T>::iter_values() {
            owed = owed.saturating_add(unpaid);
        }
        owed = owed.saturating_add(bank::UnpaidBurnedValue::<T>::get());
        for deposit in bank::ProgramDeposits::<T>::iter_values() {
            owed = owed.saturating_add(deposit);
        }
        let bank = T::Currency::balance(&Self::bank_account());
        let ed = T::Currency::minimum_balance();
        ensure!(
            bank == owed.saturating_add(ed),
            "bank balance != existential deposit + held gas + in-flight value + balances"
        );

        // Programs.
        for (id, prog) in program::ProgramStorage::<T>::iter() {
            let pages = program::MemoryPages::<T>::iter_prefix((id,)).count() as u32;
            ensure!(
                pages == program::PagesCount::<T>::get(id),
                "a program's page count is wrong"
            );
            if let Program::Active(active) = prog {
                ensure!(
                    Self::code_exists(active.code_id),
                    "an active program's code is missing"
                );
            }
        }
        // Only a program that stores pages holds a deposit (its amount depends on the prices
        // when each page was paid for, which an upgrade may change).
        for (id, _) in bank::ProgramDeposits::<T>::iter() {
            ensure!(
                program::PagesCount::<T>::get(id) > 0,
                "a storage deposit of a program that stores no pages"
            );
        }

        // Code deposits.
        let mut by_depositor: BTreeMap<T::AccountId, u128> = BTreeMap::new();
        for code_id in program::InstrumentedCodeStorage::<T>::iter_keys() {
            let (who, deposit) =
                bank::CodeDeposits::<T>::get(code_id).ok_or("a code without its deposit")?;
            let total = by_depositor.entry(who).or_default();
            *total = total.saturating_add(deposit);
        }
        ensure!(
            bank::CodeDeposits::<T>::iter_keys().all(Self::code_exists),
            "a code deposit of a code that is not stored"
        );
        for (who, total) in by_depositor {
            ensure!(
                T::Currency::balance_on_hold(&crate::HoldReason::CodeDeposit.into(), &who) == total,
                "held code deposits differ from their records"
            );
        }
        Ok(())
    }
}
