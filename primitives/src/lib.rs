//! # gear-primitives
//!
//! What the Gear parachain's engine, pallets, runtime and RPC share: Gear's ids and reply codes
//! (re-exported from Gear's own crates, so their SCALE encodings and metadata type paths are
//! Gear's).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SimpleExecutionError, SimpleUnavailableActorError,
    SuccessReplyReason,
};
pub use gprimitives::{ActorId, CodeId, MessageId};

/// Converts between Gear's `ActorId` and a 32-byte account id (both are 32 raw bytes).
pub fn actor_id_from_bytes(bytes: [u8; 32]) -> ActorId {
    ActorId::new(bytes)
}
