//! `GearMessenger`: the message queue (one global FIFO) and the message nonce.
//!
//! The queue is a map from a monotonically increasing index to a dispatch, with head and tail
//! indices: push at the tail, pop at the head, both O(1) and touching one entry each.

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use crate::types::QueuedDispatch;
    use frame_support::{pallet_prelude::*, Twox64Concat};
    use polkadot_sdk::frame_support;

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// `GearMessenger` needs nothing from the runtime but `frame_system`.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {}

    /// Queued dispatches by queue index.
    #[pallet::storage]
    pub type Dispatches<T: Config> = StorageMap<_, Twox64Concat, u64, QueuedDispatch<T::AccountId>>;

    /// Index of the oldest queued dispatch.
    #[pallet::storage]
    pub type Head<T> = StorageValue<_, u64, ValueQuery>;

    /// Index the next queued dispatch gets.
    #[pallet::storage]
    pub type Tail<T> = StorageValue<_, u64, ValueQuery>;

    /// Nonce for ids of messages sent by users (never repeats).
    #[pallet::storage]
    pub type UserMessageNonce<T> = StorageValue<_, u128, ValueQuery>;

    impl<T: Config> Pallet<T> {
        /// Appends `dispatch` to the queue.
        pub fn enqueue(dispatch: QueuedDispatch<T::AccountId>) {
            let tail = Tail::<T>::get();
            Dispatches::<T>::insert(tail, dispatch);
            Tail::<T>::put(tail.saturating_add(1));
        }

        /// The oldest queue index and its dispatch (`None` if the entry is missing, which only
        /// corrupted storage can cause), without removing it; `None` when the queue is empty.
        pub fn peek() -> Option<(u64, Option<QueuedDispatch<T::AccountId>>)> {
            let head = Head::<T>::get();
            (head < Tail::<T>::get()).then(|| (head, Dispatches::<T>::get(head)))
        }

        /// Removes the oldest queued dispatch. A missing entry (corrupt storage) is skipped.
        pub fn pop() {
            let head = Head::<T>::get();
            if head < Tail::<T>::get() {
                Dispatches::<T>::remove(head);
                Head::<T>::put(head.saturating_add(1));
            }
        }

        /// Number of queued dispatches.
        pub fn queue_len() -> u64 {
            Tail::<T>::get().saturating_sub(Head::<T>::get())
        }

        /// The next nonce for a user message id.
        pub fn next_user_nonce() -> u128 {
            UserMessageNonce::<T>::mutate(|nonce| {
                let current = *nonce;
                *nonce = nonce.wrapping_add(1);
                current
            })
        }
    }
}
