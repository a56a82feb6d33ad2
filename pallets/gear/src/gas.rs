//! `GearGas`: the gas limits of the chain.
//!
//! 1 gas = 1 picosecond of `ref_time`. A message's gas is bought up front by its sender (held in
//! the `Gear` pallet's bank account) and what it does not burn is refunded when it ends.

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use frame_support::pallet_prelude::*;
    use polkadot_sdk::frame_support;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Limits of the gas market.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Most gas a single message may buy; also bounds what one block's queue run may burn
        /// for one message. Kept below 2^52 so JavaScript clients handle it exactly.
        #[pallet::constant]
        type BlockGasLimit: Get<u64>;
    }
}
