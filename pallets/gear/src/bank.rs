//! `GearBank`: the account that holds bought gas, value in flight and program balances, and the
//! price of gas.
//!
//! Storage only; the `Gear` pallet moves value in and out. The bank is one account
//! ([`Config::BankPalletId`]); programs have no accounts of their own: their balances are entries
//! here. What the bank holds is always: the existential deposit + the value of gas held in gas
//! trees + the value of messages in flight (queue, waitlist, mailbox, stash) + program
//! balances + what it owes and could not pay + the storage deposits of programs' memory
//! (`try_state` checks it).

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use crate::types::GasMultiplier;
    use frame_support::{pallet_prelude::*, Blake2_128Concat, Identity, PalletId};
    use gprimitives::ActorId;
    use polkadot_sdk::frame_support;

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// The bank's account and the price of gas.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// The bank account's id.
        #[pallet::constant]
        type BankPalletId: Get<PalletId>;
        /// The price of gas (Gear's `gasMultiplier`).
        #[pallet::constant]
        type GasMultiplier: Get<GasMultiplier<u128, u64>>;
    }

    /// Program balances: what each program may send or reply with.
    #[pallet::storage]
    pub type ProgramBalances<T> = StorageMap<_, Identity, ActorId, u128, ValueQuery>;

    /// Value the bank owes accounts it could not pay (e.g. below the existential deposit of an
    /// account that does not exist): kept in the bank, recorded here.
    #[pallet::storage]
    pub type UnpaidValue<T: Config> =
        StorageMap<_, Blake2_128Concat, T::AccountId, u128, ValueQuery>;

    /// Value of burned gas the bank kept because there was no one to pay it to.
    #[pallet::storage]
    pub type UnpaidBurnedValue<T> = StorageValue<_, u128, ValueQuery>;

    /// Storage deposits held by the bank for programs' stored memory pages: paid by whoever's
    /// message made a program store more pages, paid back to whoever's message makes it store
    /// fewer (or makes it leave). Not the program's to spend.
    #[pallet::storage]
    pub type ProgramDeposits<T> = StorageMap<_, Identity, ActorId, u128, ValueQuery>;

    /// Storage deposits of codes: who uploaded each code and what is held from them (on their
    /// own account, under the `Gear` pallet's `CodeDeposit` hold) while the code is stored.
    #[pallet::storage]
    pub type CodeDeposits<T: Config> =
        StorageMap<_, Identity, gprimitives::CodeId, (T::AccountId, u128)>;
}
