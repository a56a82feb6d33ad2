//! The gas tree over `GearGas` storage: Gear's rules (`gear_engine::gas_tree`), this chain's
//! storage and money.

use crate::{gas, Config, Pallet};
use core::marker::PhantomData;
use gear_engine::gas_tree::{self, GasNode, GasNodeId, GasStore, GasTree, GasTreeError};
use gprimitives::{ActorId, MessageId};

/// The gas tree's store: nodes and trees in `GearGas`, refunds paid from the bank.
pub struct StorageGasStore<T>(PhantomData<T>);

impl<T: Config> GasStore for StorageGasStore<T> {
    fn node(&self, id: GasNodeId) -> Option<GasNode> {
        gas::GasNodes::<T>::get(id)
    }
    fn set_node(&mut self, id: GasNodeId, node: GasNode) {
        gas::GasNodes::<T>::insert(id, node)
    }
    fn remove_node(&mut self, id: GasNodeId) {
        gas::GasNodes::<T>::remove(id)
    }
    fn tree(&self, root: MessageId) -> Option<GasTree> {
        gas::GasTrees::<T>::get(root)
    }
    fn set_tree(&mut self, root: MessageId, tree: GasTree) {
        gas::GasTrees::<T>::insert(root, tree)
    }
    fn remove_tree(&mut self, root: MessageId) {
        super::dry_run::observe(|probe| {
            if let Some(tree) = gas::GasTrees::<T>::get(root) {
                probe.tree_settled(root, tree);
            }
        });
        gas::GasTrees::<T>::remove(root)
    }
    fn refund(&mut self, payer: ActorId, amount: u64) {
        Pallet::<T>::pay_out(
            &Pallet::<T>::account_of(payer),
            Pallet::<T>::gas_value(amount),
        );
    }
}

/// Logs a failed tree operation: only corrupted storage (or a bug) causes one, and the queue
/// must go on.
pub(crate) fn log_err<R>(op: &str, result: Result<R, GasTreeError>) -> Option<R> {
    match result {
        Ok(r) => Some(r),
        Err(e) => {
            log::error!(target: "gear", "gas tree: {op} failed: {e:?}");
            None
        }
    }
}

impl<T: Config> Pallet<T> {
    pub(crate) fn gas_store() -> StorageGasStore<T> {
        StorageGasStore(PhantomData)
    }

    /// Starts the gas tree of a message `root` bought by `payer`, whose messages may take up to
    /// [`Config::DepositLimit`](crate::Config::DepositLimit) of storage deposit from `payer`.
    pub(crate) fn gas_create(payer: ActorId, root: MessageId, amount: u64) {
        log_err(
            "create",
            gas_tree::create(
                &mut Self::gas_store(),
                payer,
                root,
                amount,
                <<T as crate::Config>::DepositLimit as polkadot_sdk::frame_support::traits::Get<
                    u128,
                >>::get(),
            ),
        );
    }

    /// Gas available to `id` (0 if it has no node).
    pub fn gas_limit_of(id: impl Into<GasNodeId>) -> u64 {
        gas_tree::get_limit(&Self::gas_store(), id.into()).unwrap_or(0)
    }

    /// Burns `amount` of `id`'s gas and pays its value to the block author.
    pub(crate) fn gas_spend(id: impl Into<GasNodeId>, amount: u64) {
        if amount == 0 {
            return;
        }
        if log_err(
            "spend",
            gas_tree::spend(&mut Self::gas_store(), id.into(), amount),
        )
        .is_some()
        {
            Self::pay_burned(amount);
        }
    }

    /// `id`'s message is done: its gas goes back up the tree or to the payer.
    pub(crate) fn gas_consume(id: impl Into<GasNodeId>) {
        log_err(
            "consume",
            gas_tree::consume(&mut Self::gas_store(), id.into()),
        );
    }

    /// Charges rent for a hold from `start` (planned until `finish`) that ends now: unlocks
    /// what `id` locked and burns the blocks it was held, at `cost` per block.
    pub(crate) fn charge_for_hold(id: impl Into<GasNodeId>, start: u32, finish: u32, cost: u64) {
        let id = id.into();
        let Some(prepaid) = log_err("unlock", gas_tree::unlock_all(&mut Self::gas_store(), id))
        else {
            return;
        };
        let amount = gas_tree::hold_charge(
            cost,
            start,
            finish,
            Self::block_height(),
            Self::reserve_for(),
            prepaid,
        );
        Self::gas_spend(id, amount);
    }
}
