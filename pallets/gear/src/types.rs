//! Types the gear pallets store and put into events (shapes follow Gear's, so `@gear-js/api`
//! decodes them unchanged).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use gear_core::message::StoredDispatch;
use gprimitives::MessageId;
use scale_info::TypeInfo;

/// Which entry point a queued message is for (`MessageQueued.entry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum MessageEntry {
    /// `init`: a program's first message.
    Init,
    /// `handle`.
    Handle,
    /// `handle_reply` for a reply to the given message.
    Reply(#[codec(encoded_as = "gear_primitives::Tracked<MessageId>")] MessageId),
    /// `handle_signal`.
    Signal,
}

/// How a dispatch ended (`MessagesDispatched.statuses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub enum DispatchStatus {
    /// The program ran to completion.
    Success,
    /// The program trapped or could not run; its sender got an error reply.
    Failed,
    /// The dispatch was not executed (e.g. the destination is not active).
    NotExecuted,
}

/// What happened to a program (`ProgramChanged.change`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
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
