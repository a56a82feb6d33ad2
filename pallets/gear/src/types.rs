//! Types the gear pallets store and put into events (shapes follow Gear's, so `@gear-js/api`
//! decodes them unchanged).

use codec::{Decode, DecodeWithMemTracking, Encode, EncodeAsRef, Input, MaxEncodedLen, Output};
use gear_core::message::StoredDispatch;
use gprimitives::MessageId;
use scale_info::TypeInfo;

/// Which entry point a queued message is for (`MessageQueued.entry`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum MessageEntry {
    /// `init`: a program's first message.
    Init,
    /// `handle`.
    Handle,
    /// `handle_reply` for a reply to the given message.
    Reply(#[codec(encoded_as = "Tracked<MessageId>")] MessageId),
    /// `handle_signal`.
    Signal,
}

/// How a dispatch ended (`MessagesDispatched.statuses`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum DispatchStatus {
    /// The program ran to completion.
    Success,
    /// The program trapped or could not run; its sender got an error reply.
    Failed,
    /// The dispatch was not executed (e.g. the destination is not active).
    NotExecuted,
}

/// What happened to a program (`ProgramChanged.change`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum ProgramChangeKind<BlockNumber> {
    /// The program initialized successfully and serves messages.
    Active {
        /// Block at which the program expires (rent), or the maximum.
        expiration: BlockNumber,
    },
    /// The program failed to initialize or exited.
    Inactive,
    /// The program was created (its init message is queued).
    ProgramSet {
        /// Block at which the program expires (rent), or the maximum.
        expiration: BlockNumber,
    },
}

/// What happened to a code (`CodeChanged.change`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum CodeChangeKind<BlockNumber> {
    /// The code was stored and may be used to create programs.
    Active {
        /// Expiration block, if codes expire (they do not here).
        expiration: Option<BlockNumber>,
    },
    /// The code was re-instrumented for a new schedule.
    Reinstrumented,
}

/// A dispatch waiting in the message queue, with the gas it may burn and who pays for it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct QueuedDispatch<AccountId> {
    /// The dispatch itself (Gear's stored form).
    pub dispatch: StoredDispatch,
    /// Gas bought for this dispatch.
    pub gas_limit: u64,
    /// The account that bought the gas: unused gas is refunded to it.
    pub gas_owner: AccountId,
}

/// Encodes and decodes a `T` exactly as `T` does, and is `DecodeWithMemTracking`.
///
/// FRAME requires every field of an event or call to be `DecodeWithMemTracking`; Gear's published
/// types (`ActorId`, `UserMessage`, ...) predate that marker. Fields of those types are declared
/// with `#[codec(encoded_as = "Tracked<T>")]`: the bytes on the wire and the type in the metadata
/// stay Gear's, so `@gear-js/api` decodes them unchanged. Gear's types only hold owned data of
/// bounded size (no recursion), which is what the marker promises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracked<T>(pub T);

/// A borrowed [`Tracked`] used while encoding.
pub struct TrackedRef<'a, T>(pub &'a T);

impl<T: Encode> Encode for TrackedRef<'_, T> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<'a, T> From<&'a T> for TrackedRef<'a, T> {
    fn from(value: &'a T) -> Self {
        Self(value)
    }
}

impl<'a, T: 'a + Encode> EncodeAsRef<'a, T> for Tracked<T> {
    type RefType = TrackedRef<'a, T>;
}

impl<T: Encode> Encode for Tracked<T> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<T: Decode> Decode for Tracked<T> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        T::decode(input).map(Self)
    }
}

impl<T: Decode> DecodeWithMemTracking for Tracked<T> {}

/// `impl<T> From<Tracked<T>> for T` is not allowed (orphan rule), so each carried type gets its
/// own conversion.
macro_rules! tracked_into {
    ($($ty:ty),* $(,)?) => {
        $(impl From<Tracked<$ty>> for $ty {
            fn from(tracked: Tracked<$ty>) -> Self {
                tracked.0
            }
        })*
    };
}

tracked_into!(
    gprimitives::MessageId,
    gprimitives::ActorId,
    gprimitives::CodeId,
    gear_core::message::UserMessage,
    alloc::collections::BTreeMap<gprimitives::MessageId, DispatchStatus>,
    alloc::collections::BTreeSet<gprimitives::ActorId>,
);
