//! Types the gear pallets store and put into events (shapes follow Gear's, so `@gear-js/api`
//! decodes them unchanged).

use codec::{Decode, DecodeWithMemTracking, Encode, EncodeAsRef, Input, MaxEncodedLen, Output};
use gprimitives::MessageId;
use scale_info::TypeInfo;

/// Declares an enum carried in events and storage with what FRAME needs of it: SCALE (with
/// memory tracking), metadata, a bounded encoding, copy and comparison.
macro_rules! event_type {
    ($(#[$meta:meta])* pub enum $($rest:tt)*) => {
        $(#[$meta])*
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
        pub enum $($rest)*
    };
}

event_type! {
    /// Which entry point a queued message is for (`MessageQueued.entry`).
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
}

event_type! {
    /// How a dispatch ended (`MessagesDispatched.statuses`).
    pub enum DispatchStatus {
        /// The program ran to completion.
        Success,
        /// The program trapped or could not run; its sender got an error reply.
        Failed,
        /// The dispatch was not executed (e.g. the destination is not active).
        NotExecuted,
    }
}

event_type! {
    /// What happened to a program (`ProgramChanged.change`), Gear's variants in Gear's order.
    pub enum ProgramChangeKind<BlockNumber> {
        /// The program initialized successfully and serves messages.
        Active {
            /// Block at which the program expires (rent), or the maximum.
            expiration: BlockNumber,
        },
        /// The program exited (`gr_exit`).
        Inactive,
        /// Not used here (Gear's paused programs).
        Paused,
        /// The program's init failed.
        Terminated,
        /// Not used here (Gear's program rent).
        ExpirationChanged {
            /// New expiration block.
            expiration: BlockNumber,
        },
        /// The program was created (its init message is queued).
        ProgramSet {
            /// Block at which the program expires (rent), or the maximum.
            expiration: BlockNumber,
        },
    }
}

event_type! {
    /// A reason given by the program's own action (`Runtime`) or by the chain (`System`): Gear's
    /// `Reason`.
    pub enum Reason<R, S> {
        /// Caused by a program or a user.
        Runtime(R),
        /// Caused by the chain (rent, timeouts).
        System(S),
    }
}

event_type! {
    /// Why a user's mailbox message was read, by the user's action.
    pub enum UserMessageReadRuntimeReason {
        /// The user replied (`send_reply`).
        MessageReplied,
        /// The user claimed its value (`claim_value`).
        MessageClaimed,
    }
}

event_type! {
    /// Why a user's mailbox message was read, by the chain.
    pub enum UserMessageReadSystemReason {
        /// Its gas no longer paid for the mailbox.
        OutOfRent,
    }
}

/// `UserMessageRead.reason`.
pub type UserMessageReadReason = Reason<UserMessageReadRuntimeReason, UserMessageReadSystemReason>;

event_type! {
    /// Which wait a program called.
    pub enum MessageWaitedRuntimeReason {
        /// `gr_wait`.
        WaitCalled,
        /// `gr_wait_for`.
        WaitForCalled,
        /// `gr_wait_up_to` without gas for the whole duration.
        WaitUpToCalled,
        /// `gr_wait_up_to` with gas for the whole duration.
        WaitUpToCalledFull,
    }
}

event_type! {
    /// The chain never makes a message wait by itself (Gear's empty `MessageWaitedSystemReason`).
    pub enum MessageWaitedSystemReason {}
}

/// `MessageWaited.reason`.
pub type MessageWaitedReason = Reason<MessageWaitedRuntimeReason, MessageWaitedSystemReason>;

event_type! {
    /// A program woke the message.
    pub enum MessageWokenRuntimeReason {
        /// `gr_wake`.
        WakeCalled,
    }
}

event_type! {
    /// The chain woke the message.
    pub enum MessageWokenSystemReason {
        /// Its program finished `init` (or left: the message then fails as undeliverable).
        ProgramGotInitialized,
        /// Its `wait_for` / `wait_up_to` duration passed.
        TimeoutHasCome,
        /// Its gas no longer paid for the waitlist.
        OutOfRent,
    }
}

/// `MessageWoken.reason`.
pub type MessageWokenReason = Reason<MessageWokenRuntimeReason, MessageWokenSystemReason>;

event_type! {
    /// What happened to a code (`CodeChanged.change`).
    pub enum CodeChangeKind<BlockNumber> {
        /// The code was stored and may be used to create programs.
        Active {
            /// Expiration block, if codes expire (they do not here).
            expiration: Option<BlockNumber>,
        },
        /// The code can no longer be used (Gear's variant; codes are never deactivated here).
        Inactive,
        /// The code was re-instrumented for a new schedule.
        Reinstrumented,
    }
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
    Option<gear_engine::gas_tree::GasNodeId>,
    alloc::collections::BTreeMap<gprimitives::MessageId, DispatchStatus>,
    alloc::collections::BTreeSet<gprimitives::ActorId>,
);

/// When something held in storage (mailbox, waitlist, stash) went in and leaves at the latest.
///
/// Gear's `gear_common::storage::primitives::Interval`: its metadata carries Gear's type path,
/// which `@gear-js/api` looks up to decode mailbox and waitlist entries.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub struct Interval<T> {
    /// The block it went in.
    pub start: T,
    /// The block it leaves at the latest.
    pub finish: T,
}

impl<T: TypeInfo + 'static> TypeInfo for Interval<T> {
    type Identity = Self;

    fn type_info() -> scale_info::Type {
        use scale_info::{build::Fields, Path, Type, TypeParameter};
        Type::builder()
            .path(Path::new("Interval", "gear_common::storage::primitives"))
            .type_params(alloc::vec![TypeParameter::new(
                "T",
                Some(scale_info::meta_type::<T>())
            )])
            .docs(&["When something held in storage went in and leaves at the latest."])
            .composite(
                Fields::named()
                    .field(|f| f.ty::<T>().name("start").type_name("T"))
                    .field(|f| f.ty::<T>().name("finish").type_name("T")),
            )
    }
}

/// The price of gas (Gear's `gear_common::GasMultiplier`, read by `@gear-js/api` as
/// `gearBank.gasMultiplier`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub enum GasMultiplier<Balance, Gas> {
    /// Value one gas costs.
    ValuePerGas(Balance),
    /// Gas one unit of value buys.
    GasPerValue(Gas),
}

impl GasMultiplier<u128, u64> {
    /// Value of `gas`.
    pub fn gas_to_value(&self, gas: u64) -> u128 {
        match *self {
            Self::ValuePerGas(per) => u128::from(gas).saturating_mul(per),
            Self::GasPerValue(per) => u128::from(gas) / u128::from(per.max(1)),
        }
    }
}

impl<B: TypeInfo + 'static, G: TypeInfo + 'static> TypeInfo for GasMultiplier<B, G> {
    type Identity = Self;

    fn type_info() -> scale_info::Type {
        use scale_info::{build::Variants, Path, Type, TypeParameter};
        Type::builder()
            .path(Path::new("GasMultiplier", "gear_common"))
            .type_params(alloc::vec![
                TypeParameter::new("Balance", Some(scale_info::meta_type::<B>())),
                TypeParameter::new("Gas", Some(scale_info::meta_type::<G>())),
            ])
            .docs(&["The price of gas."])
            .variant(
                Variants::new()
                    .variant("ValuePerGas", |v| {
                        v.index(0).fields(
                            scale_info::build::Fields::unnamed()
                                .field(|f| f.ty::<B>().type_name("Balance")),
                        )
                    })
                    .variant("GasPerValue", |v| {
                        v.index(1).fields(
                            scale_info::build::Fields::unnamed()
                                .field(|f| f.ty::<G>().type_name("Gas")),
                        )
                    }),
            )
    }
}
