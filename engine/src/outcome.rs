//! What goes into one execution and what comes out of it.

use crate::{code::ProgramCodeMeta, memory::MemoryChanges};
use alloc::vec::Vec;
use gear_core::message::DispatchKind;
use gear_core_errors::{ReplyCode, SimpleExecutionError};
use gprimitives::{ActorId, MessageId};

/// The block a dispatch executes in, as `gr_block_height` / `gr_block_timestamp` report it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockInfo {
    /// Block number.
    pub height: u32,
    /// Block timestamp in milliseconds.
    pub timestamp: u64,
}

/// One message delivered to a program for execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispatch {
    /// Which entry point runs.
    pub kind: DispatchKind,
    /// The message id.
    pub id: MessageId,
    /// Who sent it (`gr_source`).
    pub source: ActorId,
    /// The program it is for (`gr_program_id`).
    pub destination: ActorId,
    /// Its payload (`gr_read`, `gr_size`).
    pub payload: Vec<u8>,
    /// Value attached (`gr_value`).
    pub value: u128,
    /// For replies: the message replied to and the reply code.
    pub reply_details: Option<(MessageId, ReplyCode)>,
}

/// A program's code as execution needs it.
#[derive(Clone, Copy, Debug)]
pub struct ProgramCode<'a> {
    /// Instrumented WASM.
    pub instrumented: &'a [u8],
    /// Metadata recorded at upload.
    pub meta: &'a ProgramCodeMeta,
}

/// The reply a program made with `gr_reply`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingReply {
    /// Reply message id (`MessageId::generate_reply` of the incoming message).
    pub id: MessageId,
    /// Payload.
    pub payload: Vec<u8>,
    /// Value attached.
    pub value: u128,
}

/// A message a program sent (to a user or another program).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Message id (`MessageId::generate_outgoing` of the incoming message and a nonce).
    pub id: MessageId,
    /// Destination actor.
    pub destination: ActorId,
    /// Payload.
    pub payload: Vec<u8>,
    /// Value attached.
    pub value: u128,
    /// Explicit gas limit; `None` shares the gas of the sender's tree.
    pub gas_limit: Option<u64>,
    /// Delay in blocks.
    pub delay: u32,
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// The entry point returned (or the code has no entry point for this kind).
    Success,
    /// The execution trapped; every effect but the gas burned is discarded.
    Trap {
        /// Gear's reason, as it goes into the error reply code.
        reason: SimpleExecutionError,
        /// The error reply's payload: the panic message for a userspace panic, otherwise a
        /// description of the trap.
        message: Vec<u8>,
    },
}

/// The journal of one execution: everything the pallets need to apply its effects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionOutcome {
    /// How it ended.
    pub status: ExecutionStatus,
    /// Gas burned, precharges included; never more than the gas limit.
    pub gas_burned: u64,
    /// The reply, if the program made one (empty on a trap).
    pub reply: Option<OutgoingReply>,
    /// Messages sent (empty on a trap).
    pub messages: Vec<OutgoingMessage>,
    /// Memory changes (empty on a trap).
    pub memory: MemoryChanges,
    /// Messages logged with `gr_debug`, kept even on a trap.
    pub debug: Vec<Vec<u8>>,
}

impl ExecutionOutcome {
    /// An outcome that burned `gas_burned` and trapped for `reason`.
    pub fn trap(gas_burned: u64, reason: SimpleExecutionError, message: Vec<u8>) -> Self {
        Self {
            status: ExecutionStatus::Trap { reason, message },
            gas_burned,
            reply: None,
            messages: Vec::new(),
            memory: Default::default(),
            debug: Vec::new(),
        }
    }

    /// Whether the execution trapped.
    pub fn is_trap(&self) -> bool {
        matches!(self.status, ExecutionStatus::Trap { .. })
    }
}
