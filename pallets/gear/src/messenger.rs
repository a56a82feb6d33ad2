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

    /// What the queue needs to know of each entry before it reads it: its encoded size (its
    /// proof size) and whether the extrinsic that queued it already paid the queue's cost of it
    /// in its block's weight.
    #[pallet::storage]
    pub type DispatchSizes<T> = StorageMap<_, Twox64Concat, u64, EntryInfo, ValueQuery>;

    /// Index of the oldest queued dispatch.
    #[pallet::storage]
    pub type Head<T> = StorageValue<_, u64, ValueQuery>;

    /// Index the next queued dispatch gets.
    #[pallet::storage]
    pub type Tail<T> = StorageValue<_, u64, ValueQuery>;

    /// Set for the length of a block whose queue was empty when the block started (`Gear`'s
    /// `on_initialize` sets it, its `on_finalize` removes it, so it never reaches the
    /// database): the dispatches this block's extrinsics queue have no backlog before them.
    #[pallet::storage]
    pub type DrainedAtBlockStart<T> = StorageValue<_, bool, ValueQuery>;

    /// The destination of the last dispatch queued by an extrinsic in this block (removed with
    /// `DrainedAtBlockStart`): the next one to the same program expects to find its state
    /// loaded by the queue run (`EntryInfo::warm`).
    #[pallet::storage]
    pub type LastPrepaidDestination<T> = StorageValue<_, ActorId>;

    /// Keys that this block's extrinsics created for dispatches they expect the queue to run
    /// and remove in this same block, so that they never reach the database
    /// (`EntryInfo::transient_keys`; removed with `DrainedAtBlockStart`). The queue's run keeps
    /// back what writing them costs until it has run their dispatches (`Gear::run_queue`).
    #[pallet::storage]
    pub type TransientKeys<T> = StorageValue<_, u32, ValueQuery>;

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

    /// A queue entry's size and payment, stored apart from the entry (`DispatchSizes`).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
    pub struct EntryInfo {
        /// The entry's encoded size in bytes.
        pub size: u32,
        /// The block whose weight already holds the queue's cost of this dispatch (the
        /// benchmarked `dispatch_overhead`), charged by the extrinsic that queued it; `None`
        /// for dispatches queued by programs, tasks or the runtime, which pay it when they run.
        pub prepaid_in: Option<u32>,
        /// The extrinsic that queued it gave back the database weight of its program's keys
        /// (`Gear::same_block_saving`), expecting the queue to run it in `prepaid_in` after a
        /// dispatch that loaded the same program; the queue charges them when that is not so.
        pub warm: bool,
        /// How many keys of this dispatch (its entry and its size, and its gas tree's root node
        /// and record when its extrinsic bought the gas) the extrinsic that queued it charged
        /// as read rather than written (`Gear::transient_saving`), expecting the queue to
        /// remove them in `prepaid_in`: created and removed in one block, they never reach the
        /// database. The queue charges their writes when that is not so.
        pub transient_keys: u8,
    }

    impl<T: Config> Pallet<T> {
        /// Appends `dispatch` to the queue; the queue charges its cost when it runs it.
        pub fn enqueue(dispatch: StoredDispatch) {
            Self::push(dispatch, EntryInfo::default())
        }

        /// Appends `dispatch` to the queue for an extrinsic whose weight includes the queue's
        /// cost of it (`dispatch_overhead`): if the queue runs it in this same block, that cost
        /// is already in the block's weight and is not charged again. `warm`: see
        /// [`EntryInfo::warm`] and [`EntryInfo::transient_keys`].
        pub fn enqueue_prepaid(dispatch: StoredDispatch, warm: bool, transient_keys: u8) {
            let block = frame_system::Pallet::<T>::block_number();
            let info = EntryInfo {
                size: 0,
                prepaid_in: Some(
                    polkadot_sdk::sp_runtime::SaturatedConversion::saturated_into(block),
                ),
                warm,
                transient_keys,
            };
            Self::push(dispatch, info)
        }

        fn push(dispatch: StoredDispatch, info: EntryInfo) {
            let tail = Tail::<T>::get();
            let info = EntryInfo {
                size: dispatch.encoded_size() as u32,
                ..info
            };
            DispatchSizes::<T>::insert(tail, info);
            Dispatches::<T>::insert(tail, dispatch);
            Tail::<T>::put(tail.saturating_add(1));
        }

        /// The oldest queue index, its encoded size and payment, without reading the entry;
        /// `None` when the queue is empty.
        pub fn peek_size() -> Option<(u64, EntryInfo)> {
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
