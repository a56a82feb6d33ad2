//! Builtin actors: actors the runtime implements instead of a program (Gear's name for them).
//!
//! A builtin actor has a fixed [`ActorId`] that is never a program's. Messages to it go through
//! the queue like any other (gas bought, order kept, meter charged); when its turn comes the
//! queue hands the message to [`BuiltinActors::handle`] instead of running code. The actor
//! answers at once ([`BuiltinAnswer::Reply`], [`BuiltinAnswer::Error`]) or later
//! ([`BuiltinAnswer::Hold`]): then the message waits in the waitlist under the actor's id, its
//! remaining gas paying the rent like any waiting message, until the actor calls
//! [`crate::Pallet::answer_held`] or the timeout passes (the sender then gets Gear's
//! `RemovedFromWaitlist` error reply and the actor hears of it through
//! [`BuiltinActors::on_timeout`]).

use alloc::vec::Vec;
use gear_core_errors::ReplyCode;
use gprimitives::{ActorId, MessageId};

/// A `handle` message to a builtin actor, as the actor sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltinRequest {
    /// The message id (a held message is answered by this id).
    pub id: MessageId,
    /// Who sent it: a program, or a user.
    pub source: ActorId,
    /// The builtin actor it is for.
    pub destination: ActorId,
    /// The request.
    pub payload: Vec<u8>,
    /// Value attached; it goes back to the sender with the reply (or at once when held).
    pub value: u128,
    /// Gas the message has left after the actor's handling cost.
    pub gas_left: u64,
}

/// How a builtin actor answers a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuiltinAnswer {
    /// A reply now, with this code (a success code) and payload.
    Reply(ReplyCode, Vec<u8>),
    /// An error reply now: Gear's `Execution(UserspacePanic)` code, as a program's panic would
    /// give, with this payload (the actor's error, SCALE-encoded).
    Error(Vec<u8>),
    /// The answer comes later, within `timeout` blocks (fewer if the message's gas cannot pay
    /// the waitlist's rent for that long).
    Hold {
        /// Blocks to wait at most.
        timeout: u32,
    },
}

/// The runtime's builtin actors.
pub trait BuiltinActors {
    /// Whether `actor` is a builtin actor.
    fn is_builtin(actor: ActorId) -> bool;
    /// Gas a request to `actor` costs, burned whatever the answer; a message with less gas gets
    /// an out-of-gas error reply without reaching the actor.
    fn handle_gas(actor: ActorId) -> u64;
    /// Handles a request. Whatever it changes in storage stays, so it must answer `Error`
    /// rather than half-do something.
    fn handle(request: BuiltinRequest) -> BuiltinAnswer;
    /// A held request's time ran out (its sender got an error reply).
    fn on_timeout(actor: ActorId, id: MessageId);
}

/// Hears of replies programs send to users: the reply has been delivered here as usual (event,
/// value paid to the user's account); the hook may also carry it elsewhere.
pub trait OnUserReply<AccountId> {
    /// Program `program` replied to `user`'s message `reply_to` with `code` and `payload`.
    fn on_user_reply(
        user: &AccountId,
        program: ActorId,
        reply_to: MessageId,
        code: ReplyCode,
        payload: &[u8],
    );
}

impl<AccountId> OnUserReply<AccountId> for () {
    fn on_user_reply(_: &AccountId, _: ActorId, _: MessageId, _: ReplyCode, _: &[u8]) {}
}

/// No builtin actors.
impl BuiltinActors for () {
    fn is_builtin(_: ActorId) -> bool {
        false
    }
    fn handle_gas(_: ActorId) -> u64 {
        0
    }
    fn handle(_: BuiltinRequest) -> BuiltinAnswer {
        BuiltinAnswer::Error(Vec::new())
    }
    fn on_timeout(_: ActorId, _: MessageId) {}
}
