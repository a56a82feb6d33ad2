//! `GearScheduler`: tasks due at a block (Gear's `ScheduledTask`s) and the rent prices.
//!
//! Storage only; the `Gear` pallet adds tasks and services them first in each queue run. Rent is
//! gas per block of holding something in storage: a waiting message, a mailboxed message, a
//! delayed dispatch, a gas reservation. What is held locks its rent up front
//! ([`gear_engine::gas_tree::HoldBound`]) and is charged for the blocks it really stayed.

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use frame_support::{pallet_prelude::*, Identity};
    use frame_system::pallet_prelude::BlockNumberFor;
    use gear_core::tasks::VaraScheduledTask;
    use polkadot_sdk::{frame_support, frame_system};

    /// A task of this chain.
    pub type Task<T> = VaraScheduledTask<<T as frame_system::Config>::AccountId>;

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// Rent prices (gas per block) and the rent paid beyond a hold's end.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {
        /// Blocks of rent every hold pays beyond its expected end (Gear's `reserve_for`).
        #[pallet::constant]
        type ReserveThreshold: Get<u32>;
        /// Gas per block of a message in the waitlist.
        #[pallet::constant]
        type WaitlistCost: Get<u64>;
        /// Gas per block of a message in the mailbox.
        #[pallet::constant]
        type MailboxCost: Get<u64>;
        /// Gas per block of a gas reservation.
        #[pallet::constant]
        type ReservationCost: Get<u64>;
        /// Gas per block of a delayed dispatch in the stash.
        #[pallet::constant]
        type DispatchHoldCost: Get<u64>;
    }

    /// Tasks by the block they are due at.
    #[pallet::storage]
    pub type TaskPool<T: Config> =
        StorageDoubleMap<_, Identity, BlockNumberFor<T>, Identity, Task<T>, ()>;

    /// The first block whose tasks are not all done (tasks of earlier blocks are).
    #[pallet::storage]
    pub type FirstIncompleteTasksBlock<T: Config> = StorageValue<_, BlockNumberFor<T>>;

    impl<T: Config> Pallet<T> {
        /// Schedules `task` at block `at` (at the next block at the earliest: this block's
        /// tasks may have run already).
        pub fn add(at: BlockNumberFor<T>, task: Task<T>) {
            let next = frame_system::Pallet::<T>::block_number() + 1u32.into();
            TaskPool::<T>::insert(at.max(next), task, ());
        }

        /// Removes `task` from block `at`; whether it was there.
        pub fn delete(at: BlockNumberFor<T>, task: &Task<T>) -> bool {
            TaskPool::<T>::take(at, task).is_some()
        }
    }
}
