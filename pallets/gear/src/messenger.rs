//! `GearMessenger`: the message queue, the mailbox, the waitlist and the dispatch stash.
//!
//! Storage only; the `Gear` pallet decides what goes in. The queue is a map from a monotonically
//! increasing index to a dispatch, with head and tail indices: push at the tail, pop at the head,
//! both O(1) and touching one entry each. The mailbox, waitlist and stash have Gear's storage
//! names, hashers and value types, so `@gear-js/api` reads them unchanged.

pub use pallet::*;

use polkadot_sdk::frame_support;

#[frame_support::pallet]
pub mod pallet {
    use crate::types::Interval;
    use frame_support::{pallet_prelude::*, Identity, Twox64Concat};
    use frame_system::pallet_prelude::BlockNumberFor;
    use gear_core::message::{StoredDelayedDispatch, StoredDispatch, UserStoredMessage};
    use gprimitives::{ActorId, MessageId};
    use polkadot_sdk::{frame_support, frame_system};

    #[pallet::pallet]
    #[pallet::without_storage_info]
    pub struct Pallet<T>(_);

    /// `GearMessenger` needs nothing from the runtime but `frame_system`.
    #[pallet::config]
    pub trait Config: polkadot_sdk::frame_system::Config {}

    /// Queued dispatches by queue index. Their gas is in `GearGas` under their message id.
    #[pallet::storage]
    pub type Dispatches<T> = StorageMap<_, Twox64Concat, u64, StoredDispatch>;

    /// Encoded size of each queued dispatch, so the queue knows an entry's proof size before it
    /// reads it.
    #[pallet::storage]
    pub type DispatchSizes<T> = StorageMap<_, Twox64Concat, u64, u32, ValueQuery>;

    /// Index of the oldest queued dispatch.
    #[pallet::storage]
    pub type Head<T> = StorageValue<_, u64, ValueQuery>;

    /// Index the next queued dispatch gets.
    #[pallet::storage]
    pub type Tail<T> = StorageValue<_, u64, ValueQuery>;

    /// Nonce for ids of messages sent by users (never repeats).
    #[pallet::storage]
    pub type UserMessageNonce<T> = StorageValue<_, u128, ValueQuery>;

    /// Messages from programs waiting for their user to read, reply or claim them, with the
    /// blocks they were put there and leave at the latest.
    #[pallet::storage]
    pub type Mailbox<T: Config> = StorageDoubleMap<
        _,
        Identity,
        T::AccountId,
        Identity,
        MessageId,
        (UserStoredMessage, Interval<BlockNumberFor<T>>),
    >;

    /// Messages waiting (`gr_wait*`) by program, with their context, and the blocks they
    /// started and stop waiting at the latest.
    #[pallet::storage]
    pub type Waitlist<T: Config> = StorageDoubleMap<
        _,
        Identity,
        ActorId,
        Identity,
        MessageId,
        (StoredDispatch, Interval<BlockNumberFor<T>>),
    >;

    /// Programs that left (exit or failed init) whose waitlist still holds messages: the queue
    /// wakes them a few at a time, within its meter, so a program with any number of waiting
    /// messages costs its exit nothing unbounded.
    #[pallet::storage]
    pub type WaitlistsToClear<T> = StorageMap<_, Identity, ActorId, ()>;

    /// Delayed messages until their delay passes.
    #[pallet::storage]
    pub type DispatchStash<T: Config> =
        StorageMap<_, Identity, MessageId, (StoredDelayedDispatch, Interval<BlockNumberFor<T>>)>;

    impl<T: Config> Pallet<T> {
        /// Appends `dispatch` to the queue.
        pub fn enqueue(dispatch: StoredDispatch) {
            let tail = Tail::<T>::get();
            DispatchSizes::<T>::insert(tail, dispatch.encoded_size() as u32);
            Dispatches::<T>::insert(tail, dispatch);
            Tail::<T>::put(tail.saturating_add(1));
        }

        /// The oldest queue index and its encoded size, without reading the entry; `None` when
        /// the queue is empty.
        pub fn peek_size() -> Option<(u64, u32)> {
            let head = Head::<T>::get();
            (head < Tail::<T>::get()).then(|| (head, DispatchSizes::<T>::get(head)))
        }

        /// Removes and returns the oldest queued dispatch (`None` inside when the entry is
        /// missing, which only corrupted storage can cause).
        pub fn dequeue() -> Option<Option<StoredDispatch>> {
            let head = Head::<T>::get();
            if head >= Tail::<T>::get() {
                return None;
            }
            DispatchSizes::<T>::remove(head);
            Head::<T>::put(head.saturating_add(1));
            Some(Dispatches::<T>::take(head))
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
