//! `GearGas`: the gas trees and the gas limits of the chain.
//!
//! 1 gas = 1 picosecond of `ref_time`. A message's gas is bought up front by its sender (held in
//! the `GearBank` account) as the root of a gas tree (`gear_engine::gas_tree`: Gear's rules);
//! what its tree does not burn goes back to the sender when the tree's last node is consumed.
//! Storage only, plus [`StorageGasStore`], the tree's view of this storage.

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use frame_support::{pallet_prelude::*, Identity};
    use gear_engine::gas_tree::{GasNode, GasNodeId, GasTree};
    use gprimitives::MessageId;
    use polkadot_sdk::frame_support;

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// Limits of the gas market.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Most gas a single message may buy; also bounds what one block's queue run may burn
        /// for one message. Kept below 2^52 so JavaScript clients handle it exactly.
        #[pallet::constant]
        type BlockGasLimit: Get<u64>;
    }

    /// Gas tree nodes: messages' gas, reservations, deposits.
    #[pallet::storage]
    pub type GasNodes<T> = StorageMap<_, Identity, GasNodeId, GasNode>;

    /// Each gas tree's account, by its root message: payer, bought, burned, refunded.
    #[pallet::storage]
    pub type GasTrees<T> = StorageMap<_, Identity, MessageId, GasTree>;
}
