//! # gear-primitives
//!
//! What the Gear parachain's engine, pallets, runtime and RPC share: Gear's ids and reply codes
//! (re-exported from Gear's own crates, so their SCALE encodings and metadata type paths are
//! Gear's).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
// `decl_runtime_apis!` adds the block hash to each method: Gear's `calculate_gas_info` has six
// arguments of its own (its RPC shape), so the generated client method has eight.
#![allow(clippy::too_many_arguments)]

extern crate alloc;

pub use gear_core_errors::{
    ErrorReplyReason, ReplyCode, SimpleExecutionError, SimpleUnavailableActorError,
    SuccessReplyReason,
};
pub use gprimitives::{ActorId, CodeId, MessageId};

use alloc::vec::Vec;
use polkadot_sdk::sp_core::H256;

/// What a dry run found about a message's gas (Gear's `GasInfo`, the `gear_calculateGasFor*`
/// result; its JSON keys are these snake_case names).
#[derive(
    Clone, Debug, Default, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo,
)]
#[cfg_attr(feature = "std", derive(serde::Serialize, serde::Deserialize))]
pub struct GasInfo {
    /// The smallest gas limit with which the message and everything it causes in this block
    /// runs without running out of gas: with `min_limit - 1` something does.
    pub min_limit: u64,
    /// Gas the run with `min_limit` put into reservations (`gr_reserve_gas`, gstd's system
    /// reserves; reservations return to the sender when unused).
    pub reserved: u64,
    /// Gas the run with `min_limit` burned (execution and rent).
    pub burned: u64,
    /// Gear's "gas a later execution in the same block would not need" (program already
    /// loaded): always 0 here, where loading a program is block weight, not gas.
    pub may_be_returned: u64,
    /// Whether the message itself is in the waitlist when the run ends: `min_limit` covers the
    /// run up to there (Gear's meaning), not what waking it later will cost.
    pub waited: bool,
}

/// The message a dry run sends (Gear's `HandleKind`).
#[derive(Clone, Debug, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub enum HandleKind {
    /// `upload_program` with this code.
    Init(Vec<u8>),
    /// `create_program` from this stored code.
    InitByHash(CodeId),
    /// `send_message` to this program.
    Handle(ActorId),
    /// `send_reply` to this message in the source's mailbox (the code is ignored: a user's reply
    /// is `Success(Manual)`, as in Gear).
    Reply(MessageId, ReplyCode),
}

/// The reply a program gives to a message (Gear's `ReplyInfo`, `gear_calculateReplyForHandle`).
#[derive(Clone, Debug, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo)]
pub struct ReplyInfo {
    /// The reply's payload.
    pub payload: Vec<u8>,
    /// The value the reply carries.
    pub value: u128,
    /// Gear's reply code.
    pub code: ReplyCode,
}

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
    /// Dry runs for Gear's tools (the `gear_*` RPC, `api.call.gearApi.*`): the real extrinsic
    /// and the real queue on a copy of the state at a block, nothing kept.
    pub trait GearApi {
        /// Gas for the message `kind` from account `source`: the exact `min_limit` (searched by
        /// re-running the message) and what the run with it did. `initial_gas` (default and cap:
        /// the block gas limit) is what the first run gets. A trap of the message's own program
        /// is an error; with `allow_other_panics`, other programs' traps are not (the estimate is
        /// then for the run that fails the same way, no earlier). The error is text saying what
        /// is wrong.
        fn calculate_gas_info(
            source: H256,
            kind: HandleKind,
            payload: Vec<u8>,
            value: u128,
            allow_other_panics: bool,
            initial_gas: Option<u64>,
        ) -> Result<GasInfo, Vec<u8>>;

        /// The reply program `destination` gives `origin`'s message `payload` with `gas_limit`
        /// and `value` (e.g. a sails query), or why there is none, as text.
        fn calculate_reply_for_handle(
            origin: H256,
            destination: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
        ) -> Result<ReplyInfo, Vec<u8>>;

        /// Gear's `read_state`: runs program `program_id`'s informational `state` export with
        /// `payload` on its current memory, with at most `gas_allowance` gas (the block gas
        /// limit when `None`), changing nothing: the payload it replies with, or why there is
        /// none, as text.
        fn read_state(
            program_id: H256,
            payload: Vec<u8>,
            gas_allowance: Option<u64>,
        ) -> Result<Vec<u8>, Vec<u8>>;

        /// Gear's `read_metahash`: the 32 bytes program `program_id`'s `metahash` export
        /// replies with, or why there are none, as text.
        fn read_metahash(program_id: H256, gas_allowance: Option<u64>) -> Result<H256, Vec<u8>>;
    }

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
