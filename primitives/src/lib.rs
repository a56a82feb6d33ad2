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

/// What running a program's `handle` on code that is not stored gave ([`GearEngineApi`]).
#[derive(Clone, Debug, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub struct CodeRun {
    /// Gas burned, precharges included.
    pub gas_burned: u64,
    /// The reply payload, if the program replied.
    pub reply: Option<alloc::vec::Vec<u8>>,
    /// Why it trapped, if it did.
    pub error: Option<SimpleExecutionError>,
}

polkadot_sdk::sp_api::decl_runtime_apis! {
    /// Gear's engine inside the runtime, on code that is not stored: checks code as an upload
    /// would and runs it as the queue would, without touching state. For tooling and for
    /// measuring the interpreter as the node executes it.
    pub trait GearEngineApi {
        /// Validates and instruments `code` as `upload_code` would: the instrumented length, or
        /// the refusal as text.
        fn validate_code(code: alloc::vec::Vec<u8>) -> Result<u32, alloc::vec::Vec<u8>>;
        /// Runs `handle` of `code` (fresh memory, no balance) with `payload` and at most
        /// `gas_limit` gas (capped at the block gas limit), or the refusal of the code as text.
        fn run_handle(
            code: alloc::vec::Vec<u8>,
            payload: alloc::vec::Vec<u8>,
            gas_limit: u64,
        ) -> Result<CodeRun, alloc::vec::Vec<u8>>;
    }
}
