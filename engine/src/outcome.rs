//! What goes into one execution and what comes out of it (the journal).

use crate::{code::ProgramCodeMeta, memory::MemoryChanges};
use alloc::vec::Vec;
use gear_core::{
    env::MessageWaitedType,
    gas_metering::Schedule,
    message::{ContextStore, DispatchKind, MessageDetails},
    reservation::GasReservationMap,
};
use gear_core_errors::SimpleExecutionError;
use gprimitives::{ActorId, CodeId, MessageId, ReservationId};

/// The block a dispatch executes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockInfo {
    /// Block number (`gr_block_height`).
    pub height: u32,
    /// Block timestamp in milliseconds (`gr_block_timestamp`).
    pub timestamp: u64,
    /// The chain's random seed for this block and the block it belongs to (`gr_random` hashes the
    /// program's subject with the seed).
    pub random: ([u8; 32], u32),
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
    /// Reply or signal details (`gr_reply_to`, `gr_reply_code`, `gr_signal_from`,
    /// `gr_signal_code`).
    pub details: Option<MessageDetails>,
    /// What earlier executions of this message left (set when it was waiting): nonces, programs
    /// already created, the system reservation. `None` on the first execution, which is also the
    /// only one whose incoming value counts as available.
    pub context: Option<ContextStore>,
}

impl Dispatch {
    /// Whether this is a reply carrying an error code (Gear's error replies carry back value
    /// that is already in flight, and get no signal).
    pub fn is_error_reply(&self) -> bool {
        self.details
            .and_then(MessageDetails::to_reply_details)
            .is_some_and(|reply| reply.to_reply_code().is_error())
    }
}

/// Chain parameters an execution depends on (Gear's `BlockConfig`), with the schedule.
#[derive(Clone, Debug)]
pub struct ExecutionConfig {
    /// Costs and limits.
    pub schedule: Schedule,
    /// Existential deposit of the chain's currency (`gr_env_vars`; taken from the value of each
    /// created program).
    pub existential_deposit: u128,
    /// Gas below which a message to a user is not kept in the mailbox; also the gas a message
    /// sent without a gas limit takes from its sender.
    pub mailbox_threshold: u64,
    /// Blocks of rent paid in advance for anything held (waitlist, reservations, stash).
    pub reserve_for: u32,
    /// Gas reservations a program may hold.
    pub max_reservations: u64,
    /// Gas a reservation's removal costs, charged with its fee when it is made
    /// (`gr_reserve_gas`), so that a reservation made and removed in one execution (by an
    /// exit or a send from it) is paid by the gas of that execution. Zero on
    /// Gear, whose fee prices the writes that make it.
    pub reservation_removal: u64,
    /// Messages an execution may send.
    pub outgoing_limit: u32,
    /// Bytes of payload an execution may send (replies excluded).
    pub outgoing_bytes_limit: u32,
    /// `gr_env_vars` performance multiplier, in percent.
    pub performance_multiplier: u32,
    /// Value one unit of gas costs (`gr_env_vars`).
    pub value_per_gas: u128,
    /// Gas per WASM page of persisted memory, for restoring it before the call and finding
    /// what changed after it.
    pub memory_scan_per_wasm_page: u64,
    /// Most persisted pages a program may keep. An execution that would leave more stored ends
    /// with Gear's `MemoryOverflow` trap and changes nothing: a runtime sets it so that any
    /// program's stored pages always fit the proof of one dispatch, so no program can grow
    /// state it could never load again.
    pub max_stored_pages: u32,
}

impl Default for ExecutionConfig {
    /// Vara's parameters with Gear's default schedule.
    fn default() -> Self {
        Self {
            schedule: Schedule::default(),
            existential_deposit: 1_000_000_000_000,
            mailbox_threshold: 3_000,
            reserve_for: 1,
            max_reservations: 256,
            reservation_removal: 0,
            outgoing_limit: 1024,
            outgoing_bytes_limit: 64 * 1024 * 1024,
            performance_multiplier: 100,
            value_per_gas: 100,
            memory_scan_per_wasm_page: crate::MEMORY_SCAN_COST_PER_WASM_PAGE,
            max_stored_pages: crate::code::MAX_PAGES * crate::memory::PAGES_PER_WASM_PAGE,
        }
    }
}

/// What an execution may use besides the message: gas, the program's balance and reservations.
#[derive(Clone, Debug, Default)]
pub struct ExecutionInput {
    /// The block.
    pub block: BlockInfo,
    /// Gas for this execution.
    pub gas_limit: u64,
    /// The program's balance (with the incoming value on the first execution, what the program
    /// may send: `gr_value_available`).
    pub balance: u128,
    /// The program's gas reservations.
    pub reservations: GasReservationMap,
    /// Runs this export instead of the dispatch kind's entry point (Gear's informational
    /// `state` and `metahash` exports, read by `gear_readState` / `gear_readMetahash`; the
    /// dispatch is then a `Handle` whose reply is the answer). A missing export is a
    /// `BackendError` trap.
    pub export: Option<&'static str>,
}

/// A program's code as execution needs it.
#[derive(Clone, Copy, Debug)]
pub struct ProgramCode<'a> {
    /// Instrumented WASM.
    pub instrumented: &'a [u8],
    /// Metadata recorded at upload.
    pub meta: &'a ProgramCodeMeta,
}

/// The reply a program made (`gr_reply*`, `gr_reservation_reply*`); its code is
/// `Success(Manual)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingReply {
    /// Reply message id (`MessageId::generate_reply` of the incoming message).
    pub id: MessageId,
    /// Payload.
    pub payload: Vec<u8>,
    /// Value attached.
    pub value: u128,
    /// Explicit gas limit (`*_wgas`), taken from the execution's gas.
    pub gas_limit: Option<u64>,
    /// The reservation whose gas it carries.
    pub reservation: Option<ReservationId>,
}

/// A message a program sent (to a user or another program) or the init message of a program it
/// created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// `Handle`, or `Init` for a created program.
    pub kind: DispatchKind,
    /// Message id (`MessageId::generate_outgoing` of the incoming message and the handle).
    pub id: MessageId,
    /// Destination actor.
    pub destination: ActorId,
    /// Payload.
    pub payload: Vec<u8>,
    /// Value attached.
    pub value: u128,
    /// Explicit gas limit, taken from the execution's gas; `None` shares the gas left to the
    /// sending message.
    pub gas_limit: Option<u64>,
    /// Delay in blocks.
    pub delay: u32,
    /// The reservation whose gas it carries.
    pub reservation: Option<ReservationId>,
}

/// A program created with `gr_create_program*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProgram {
    /// Its id (`ActorId::generate_from_program`).
    pub id: ActorId,
    /// Its code.
    pub code_id: CodeId,
    /// Its init message (one of the outcome's messages).
    pub init_message: MessageId,
}

/// A gas reservation made or removed by the execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReservationChange {
    /// `gr_reserve_gas`: `amount` kept for `duration` blocks.
    Reserved {
        /// The reservation.
        id: ReservationId,
        /// Gas reserved.
        amount: u64,
        /// Blocks it lasts.
        duration: u32,
    },
    /// `gr_unreserve_gas` of a reservation made by an earlier execution.
    Unreserved {
        /// The reservation.
        id: ReservationId,
    },
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// The entry point returned, called `gr_leave`, or the code has no entry point for this kind.
    Success,
    /// `gr_wait*`: the message goes to the waitlist with [`ExecutionOutcome::context`].
    Wait {
        /// Blocks to wait (`None` for `gr_wait`: as long as its gas pays).
        duration: Option<u32>,
        /// Which wait.
        kind: MessageWaitedType,
    },
    /// `gr_exit`: the program is gone; its balance goes to `inheritor`.
    Exit {
        /// Who inherits the balance.
        inheritor: ActorId,
    },
    /// The execution trapped; every effect but the gas burned and the system reservation is
    /// discarded.
    Trap {
        /// Gear's reason, as it goes into the error reply code.
        reason: SimpleExecutionError,
        /// The error reply's payload: the panic message for a userspace panic, otherwise empty.
        message: Vec<u8>,
    },
}

/// The journal of one execution: everything the pallets need to apply its effects.
///
/// Gas: of the `gas_limit`, `gas_burned` is spent; message gas limits, reservations, reply
/// deposits, the system reservation and prepaid rent were moved out of it (the pallets hand them
/// on); the rest is left to the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionOutcome {
    /// How it ended.
    pub status: ExecutionStatus,
    /// Gas burned, precharges included; never more than the gas limit.
    pub gas_burned: u64,
    /// Gas taken from the message but not burned (sent on, reserved, prepaid rent).
    pub gas_moved: u64,
    /// The reply, if the program made one.
    pub reply: Option<OutgoingReply>,
    /// Messages sent and init messages of created programs, in Gear's order (inits first).
    pub messages: Vec<OutgoingMessage>,
    /// Programs created.
    pub programs: Vec<NewProgram>,
    /// Waiting messages to wake, with a delay in blocks.
    pub wakes: Vec<(MessageId, u32)>,
    /// Gas set aside for the replies to messages sent in this execution.
    pub reply_deposits: Vec<(MessageId, u64)>,
    /// Gas reservations made or removed.
    pub reservations: Vec<ReservationChange>,
    /// Gas added to the message's system reservation (kept even on a trap: it pays the signal).
    pub system_reservation: u64,
    /// What the message carries to its next execution if it waits.
    pub context: ContextStore,
    /// Memory changes.
    pub memory: MemoryChanges,
    /// Messages logged with `gr_debug`, kept even on a trap.
    pub debug: Vec<Vec<u8>>,
}

impl ExecutionOutcome {
    /// An outcome that did nothing (the code has no entry point for the kind).
    pub fn noop(context: ContextStore) -> Self {
        Self {
            status: ExecutionStatus::Success,
            gas_burned: 0,
            gas_moved: 0,
            reply: None,
            messages: Vec::new(),
            programs: Vec::new(),
            wakes: Vec::new(),
            reply_deposits: Vec::new(),
            reservations: Vec::new(),
            system_reservation: 0,
            context,
            memory: Default::default(),
            debug: Vec::new(),
        }
    }

    /// An outcome that burned `gas_burned` and trapped for `reason`.
    pub fn trap(gas_burned: u64, reason: SimpleExecutionError, message: Vec<u8>) -> Self {
        Self {
            status: ExecutionStatus::Trap { reason, message },
            gas_burned,
            ..Self::noop(Default::default())
        }
    }

    /// Whether the execution trapped.
    pub fn is_trap(&self) -> bool {
        matches!(self.status, ExecutionStatus::Trap { .. })
    }
}
