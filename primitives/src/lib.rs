//! # gear-primitives
//!
//! What the Gear parachain's engine, pallets, runtime and RPC share: Gear's ids and reply codes
//! (re-exported from Gear's own crates, so their SCALE encodings and metadata type paths are
//! Gear's), and [`Tracked`], the adapter that lets Gear's types travel in FRAME events.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SimpleExecutionError, SimpleUnavailableActorError,
    SuccessReplyReason,
};
pub use gprimitives::{ActorId, CodeId, MessageId};

use codec::{Decode, DecodeWithMemTracking, Encode, EncodeAsRef, Input, Output};

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

#[allow(clippy::from_over_into)] // `impl From<Tracked<T>> for T` is not allowed (orphan rule).
impl<T> Into<T> for Tracked<T> {
    fn into(self) -> T {
        self.0
    }
}

/// Converts between Gear's `ActorId` and a 32-byte account id (both are 32 raw bytes).
pub fn actor_id_from_bytes(bytes: [u8; 32]) -> ActorId {
    ActorId::new(bytes)
}
