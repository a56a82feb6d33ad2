//! # `GearXcm`: the XCM bridge of the Gear parachain
//!
//! Gear programs speak asynchronous messages; so does Polkadot. This pallet joins the two:
//!
//! - **Out** — a builtin actor at [`bridge_id`] (`blake2b-256("gear-xcm/bridge")`). A program
//!   sends it a SCALE-encoded [`BridgeRequest`]:
//!   - [`BridgeRequest::Program`]: a message to a program on a sibling Gear parachain. The bridge
//!     sends it by XCM (`Transact(GearXcm::deliver)` with the program's own origin) and holds the
//!     request in the waitlist until the remote program's reply comes back
//!     (`GearXcm::deliver_reply` from that chain), then answers the program with the remote
//!     reply's payload and code. No answer within the request's timeout: the program gets Gear's
//!     `RemovedFromWaitlist` error reply. So `msg::send_for_reply(bridge, request, ..).await`
//!     in gstd returns the remote program's answer, or an error.
//!   - [`BridgeRequest::Xcm`]: raw XCM to any location, sent with the program's origin
//!     (`DescendOrigin(AccountId32(program))` first); answered at once with the message's hash.
//!
//!   A request the bridge cannot carry out gets an error reply (Gear's
//!   `Execution(UserspacePanic)` code, as a program's panic) whose payload is a SCALE-encoded
//!   [`BridgeError`]; nothing is charged but the bridge's handling gas.
//! - **In** — [`Pallet::deliver`], reachable by XCM `Transact` (origin kind `Xcm`) from any
//!   location: the origin's account (`LocationToAccountId`, i.e. `HashedDescription` for
//!   accounts on other chains) is the message's `source` and pays its gas and value. With
//!   `reply_to`, the program's reply is carried back to the origin's chain as
//!   `Transact(GearXcm::deliver_reply)`; without it, or when it cannot be sent, the reply stays
//!   here like any reply to a user (event, value paid to the account). A chain that is not Gear
//!   uses [`Pallet::deliver_for_query`]: the reply goes back as the XCM `QueryResponse` its
//!   `pallet-xcm` query waits for ([`ReplyFormat::QueryResponse`], [`dispatch_result_of`]).
//! - **Channels** — root opens and accepts HRMP channels by XCM to the relay chain
//!   ([`Pallet::open_hrmp_channel`], [`Pallet::accept_hrmp_channel`]).
//!
//! ## Fees
//! - A [`BridgeRequest::Program`] costs the sending program (its balance; a user's account when
//!   a user sends) twice [`Config::RemoteExecutionFee`] (the XCM's execution there, and the
//!   carriage of the reply back, which `deliver` charges there) + [`Config::RemoteStorageDeposit`]
//!   (the storage deposit of memory pages the remote program may add) + the value of its
//!   `gas_limit` + its `value`.
//!   That amount moves to this pallet's account here, and the XCM withdraws the same amount in
//!   the remote chain's native token from this chain's sovereign account there: it pays the
//!   remote XCM execution, then is deposited to the program's account there (which buys the
//!   remote gas, value and storage deposit; the remote refunds and what the deposit allowance
//!   did not use stay in that account and pay for later requests). Gear siblings run this
//!   runtime, so a unit of gas costs the same on both.
//! - A [`BridgeRequest::Xcm`] pays its delivery price (if the router asks one); the remote
//!   execution is the message's own business (e.g. `WithdrawAsset` from the program's account
//!   there).
//! - `deliver` with `reply_to` charges the origin's account [`Config::RemoteExecutionFee`] for
//!   carrying the reply back (the reply's execution there is paid from this chain's sovereign
//!   account on the origin chain).
//!
//! ## Origins and barrier
//! `deliver` and `deliver_reply` take an XCM origin ([`Config::XcmOrigin`], i.e.
//! `pallet_xcm::EnsureXcm`): a `Transact` with `OriginKind::Xcm`. The runtime's barrier admits
//! paid execution from any location. `deliver_reply` is accepted only from the sibling
//! parachain a request was sent to.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use gprimitives::{ActorId, MessageId};
use polkadot_sdk::{
    sp_core::H256,
    staging_xcm::{VersionedLocation, VersionedXcm},
};
use scale_info::TypeInfo;

/// The bridge's actor id: `blake2b-256("gear-xcm/bridge")`.
pub fn bridge_id() -> ActorId {
    ActorId::new(polkadot_sdk::sp_io::hashing::blake2_256(b"gear-xcm/bridge"))
}

/// What a program asks the bridge (the payload of its message to [`bridge_id`]).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum BridgeRequest {
    /// Send `payload` to `program` on sibling Gear parachain `para_id`, with `gas_limit` and
    /// `value` there, and answer with its reply; give up after `timeout` blocks (the default when
    /// `None`, at most [`Config::MaxTimeout`]).
    Program {
        /// The sibling parachain.
        para_id: u32,
        /// The program there.
        program: [u8; 32],
        /// The message.
        payload: Vec<u8>,
        /// Gas for the remote program.
        gas_limit: u64,
        /// Value for the remote program.
        value: u128,
        /// Blocks (of this chain) to wait for the answer.
        timeout: Option<u32>,
    },
    /// Send `message` to `destination`, with the program's origin. Answered at once with the
    /// SCALE-encoded 32-byte hash of the message sent.
    Xcm {
        /// Where (relative to this chain).
        destination: alloc::boxed::Box<VersionedLocation>,
        /// What (boxed: an XCM is much larger than the other variant).
        message: alloc::boxed::Box<VersionedXcm<()>>,
    },
}

/// Why the bridge refused a request: the payload of its error reply (SCALE).
#[derive(
    Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum BridgeError {
    /// The payload is not a SCALE-encoded [`BridgeRequest`].
    Malformed,
    /// The location or message is in an XCM version this chain does not speak.
    UnsupportedVersion,
    /// The para id is this chain's own.
    ParaIsSelf,
    /// The payload is larger than [`Config::MaxRemotePayload`].
    PayloadTooLarge,
    /// The timeout is zero or above [`Config::MaxTimeout`].
    InvalidTimeout,
    /// The remote gas limit is above the block gas limit.
    GasLimitTooHigh,
    /// The sender cannot pay this much (its balance, kept above the existential deposit).
    InsufficientBalance {
        /// What the request costs.
        required: u128,
    },
    /// The message could not be sent (no channel to the destination, too large, ...).
    SendFailed,
}

/// Only the storage layer's depth limit gives this: the request could not be carried out.
impl From<polkadot_sdk::sp_runtime::DispatchError> for BridgeError {
    fn from(_: polkadot_sdk::sp_runtime::DispatchError) -> Self {
        Self::SendFailed
    }
}

/// A request waiting for the remote chain's answer.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct OutboundRequest {
    /// The program (or user) that asked.
    pub source: ActorId,
    /// The chain asked.
    pub para_id: u32,
}

/// Where the reply to a delivered message goes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct ReplyRoute {
    /// The sibling parachain the message came from.
    pub para_id: u32,
    /// The id the sender gave: `reply_to` (the request's message id on a Gear chain), or the
    /// `query_id` of [`ReplyFormat::QueryResponse`] as a big-endian number.
    pub query: H256,
    /// What the reply looks like there.
    pub format: ReplyFormat,
}

/// How a program's reply goes back to the chain a delivered message came from.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum ReplyFormat {
    /// `Transact(GearXcm::deliver_reply(query, code, payload))`, its execution paid from this
    /// chain's sovereign account there: for a sibling Gear chain ([`Pallet::deliver`]).
    Gear,
    /// `QueryResponse { query_id, response: DispatchResult(..), max_weight, querier }`: for any
    /// chain whose XCM executor expects the response (`pallet-xcm`'s queries; a known response
    /// executes free). See [`dispatch_result_of`] for what it says ([`Pallet::deliver_for_query`]).
    QueryResponse {
        /// The origin chain's query id.
        query_id: u64,
        /// Weight the origin chain may spend handling the response (its notify call).
        max_weight: polkadot_sdk::sp_runtime::Weight,
        /// The sender, as its own chain sees it (the origin reanchored there).
        querier: polkadot_sdk::staging_xcm::v5::Location,
    },
}

/// A Gear reply as an XCM `DispatchResult` response: `Success` for a successful reply (its
/// payload is not carried: data replies are for Gear siblings), otherwise `Error` with Gear's
/// 4-byte `ReplyCode` followed by the reply's payload (for an error reply: the error's text or
/// the panic message), `TruncatedError` past 128 bytes.
pub fn dispatch_result_of(
    code: gear_core_errors::ReplyCode,
    payload: &[u8],
) -> polkadot_sdk::staging_xcm::latest::MaybeErrorCode {
    use polkadot_sdk::staging_xcm::latest::MaybeErrorCode;
    if code.is_success() {
        return MaybeErrorCode::Success;
    }
    let mut bytes = code.to_bytes().to_vec();
    bytes.extend_from_slice(&payload[..payload.len().min(128)]);
    MaybeErrorCode::from(bytes)
}

/// An HRMP request to the relay chain.
#[derive(
    Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum HrmpRequest {
    /// `hrmp_init_open_channel(recipient, max_capacity, max_message_size)`.
    Open {
        /// The parachain at the other end.
        recipient: u32,
        /// Messages the channel may hold.
        max_capacity: u32,
        /// Largest message.
        max_message_size: u32,
    },
    /// `hrmp_accept_open_channel(sender)`.
    Accept {
        /// The parachain that asked.
        sender: u32,
    },
}

impl HrmpRequest {
    /// The relay chain call: `[pallet index, call index] ++ SCALE(arguments)`.
    pub fn encode_call(&self, hrmp_pallet_index: u8) -> Vec<u8> {
        let mut call = alloc::vec![hrmp_pallet_index];
        match self {
            Self::Open {
                recipient,
                max_capacity,
                max_message_size,
            } => {
                call.push(0);
                (recipient, max_capacity, max_message_size).encode_to(&mut call);
            }
            Self::Accept { sender } => {
                call.push(1);
                sender.encode_to(&mut call);
            }
        }
        call
    }
}

/// The message id of a request, as the key of [`pallet::Outbound`] and the `query` of replies.
pub fn query_of(id: MessageId) -> H256 {
    H256(id.into_bytes())
}

/// A `QueryResponse` route's `query_id` as the 32-byte `query` of events and [`ReplyRoute`]: the
/// number big-endian in the last 8 bytes.
pub fn query_of_number(query_id: u64) -> H256 {
    let mut bytes = [0u8; 32];
    bytes[24..].copy_from_slice(&query_id.to_be_bytes());
    H256(bytes)
}

/// A `Transact` of `call` paid in the destination's native token: `fee` withdrawn from the
/// sender's account there buys the execution, and what is left goes back to `refund_to`.
fn paid_transact(
    fee: u128,
    origin_kind: polkadot_sdk::staging_xcm::latest::OriginKind,
    call: Vec<u8>,
    refund_to: polkadot_sdk::staging_xcm::latest::Location,
) -> polkadot_sdk::staging_xcm::latest::Xcm<()> {
    use polkadot_sdk::staging_xcm::latest::prelude::*;
    let fee: Asset = (Location::here(), fee).into();
    Xcm(alloc::vec![
        WithdrawAsset(fee.clone().into()),
        BuyExecution {
            fees: fee,
            weight_limit: Unlimited,
        },
        Transact {
            origin_kind,
            fallback_max_weight: None,
            call: call.into(),
        },
        RefundSurplus,
        DepositAsset {
            assets: AllCounted(1).into(),
            beneficiary: refund_to,
        },
    ])
}

#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
    use super::*;
    use gear_core_errors::{ReplyCode, SuccessReplyReason};
    use pallet_gear::builtin::{BuiltinActors, BuiltinAnswer, BuiltinRequest, OnUserReply};
    use polkadot_sdk::{
        frame_support::{
            pallet_prelude::*,
            traits::{fungible::Mutate, tokens::Preservation},
            PalletId,
        },
        frame_system::pallet_prelude::*,
        sp_runtime::{traits::AccountIdConversion, AccountId32},
        staging_xcm::{latest::prelude::*, MAX_XCM_DECODE_DEPTH},
        staging_xcm_executor::traits::ConvertLocation,
    };

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// Configuration of the bridge.
    #[pallet::config]
    pub trait Config:
        polkadot_sdk::frame_system::Config<AccountId = AccountId32> + pallet_gear::Config
    {
        /// The runtime's calls (the bridge encodes `deliver` / `deliver_reply` for Gear siblings,
        /// which run this runtime).
        type RuntimeCall: From<Call<Self>> + Encode;

        /// Where messages go: XCMP to siblings, UMP to the relay chain.
        type XcmRouter: SendXcm;

        /// An XCM origin (`Transact` with `OriginKind::Xcm`), giving its location.
        type XcmOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = Location>;

        /// Who may open and accept HRMP channels (root).
        type ChannelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

        /// How a location becomes a local account (the runtime's XCM `LocationToAccountId`).
        type LocationToAccountId: ConvertLocation<Self::AccountId>;

        /// This parachain's id.
        type SelfParaId: Get<u32>;

        /// The bridge's account: fees collected here for execution paid abroad.
        #[pallet::constant]
        type PalletId: Get<PalletId>;

        /// Timeout of a request that gives none, in blocks.
        #[pallet::constant]
        type DefaultTimeout: Get<u32>;

        /// Longest timeout a request may ask, in blocks.
        #[pallet::constant]
        type MaxTimeout: Get<u32>;

        /// Largest payload of a remote program request.
        #[pallet::constant]
        type MaxRemotePayload: Get<u32>;

        /// What one XCM execution on a sibling Gear chain costs there, in its native token
        /// (withdrawn from this chain's sovereign account there; unused weight refunded).
        #[pallet::constant]
        type RemoteExecutionFee: Get<u128>;

        /// What a remote program request carries for the state it makes the program there store
        /// (its memory pages' storage deposit, pallet-gear's `page_deposit` each), in the
        /// remote chain's native token. Deposited to the requesting program's account there with
        /// the gas; what the request does not use stays in that account for later requests.
        #[pallet::constant]
        type RemoteStorageDeposit: Get<u128>;

        /// What an HRMP request's execution on the relay chain may cost, in the relay token
        /// (withdrawn from this chain's sovereign account there; unused weight refunded).
        #[pallet::constant]
        type RelayExecutionFee: Get<u128>;

        /// The relay chain's `Hrmp` pallet index (60 on Polkadot, Kusama, Westend and Rococo).
        #[pallet::constant]
        type RelayHrmpPalletIndex: Get<u8>;

        /// Gas the bridge burns handling one request (decoding it and sending the XCM).
        #[pallet::constant]
        type HandleGas: Get<u64>;

        /// Weights of the extrinsics.
        type WeightInfo: WeightInfo;

        /// What the benchmarks need of the runtime (XCM origins, open channels).
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::RuntimeOrigin>;
    }

    /// Requests sent to a sibling Gear chain and waiting for its answer, by request message id.
    #[pallet::storage]
    pub type Outbound<T: Config> = StorageMap<_, Identity, H256, OutboundRequest>;

    /// Messages delivered from a sibling whose reply goes back there, by message id.
    #[pallet::storage]
    pub type Inbound<T: Config> = StorageMap<_, Identity, H256, ReplyRoute>;

    /// Events of the bridge.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A program's request to a program on a sibling chain was sent; the answer is awaited.
        RequestSent {
            /// The request (its message id here).
            request: H256,
            /// Who asked.
            source: H256,
            /// The sibling chain.
            para_id: u32,
            /// What the sender paid.
            fee: u128,
            /// The XCM's hash.
            message_hash: [u8; 32],
        },
        /// A program's raw XCM was sent.
        XcmSent {
            /// The request.
            request: H256,
            /// Who sent it.
            source: H256,
            /// Where.
            destination: VersionedLocation,
            /// The XCM's hash.
            message_hash: [u8; 32],
        },
        /// A request was refused with an error reply.
        RequestFailed {
            /// The request.
            request: H256,
            /// Who asked.
            source: H256,
            /// Why.
            error: BridgeError,
        },
        /// The answer to a request came back and was given to its sender.
        ReplyDelivered {
            /// The request.
            request: H256,
            /// Who asked.
            source: H256,
            /// The remote reply's code (Gear's `ReplyCode` bytes).
            code: [u8; 4],
        },
        /// An answer came for a request that timed out (the sender already had its error reply).
        LateReply {
            /// The request.
            request: H256,
        },
        /// A request got no answer in time; its sender got an error reply.
        RequestTimedOut {
            /// The request.
            request: H256,
        },
        /// A reply came from a sibling for a query this chain is not waiting for (a raw
        /// `Transact` user's `reply_to`, or a request that timed out): recorded here for its
        /// sender to read.
        ReplyReceived {
            /// The chain it came from.
            para_id: u32,
            /// The `reply_to` its sender gave.
            query: H256,
            /// The reply code (Gear's `ReplyCode` bytes).
            code: [u8; 4],
            /// The reply.
            payload: Vec<u8>,
        },
        /// A message from another chain was queued for a program.
        Delivered {
            /// The message id.
            message: H256,
            /// The XCM origin.
            origin: VersionedLocation,
            /// Its account here (the message's source).
            source: AccountId32,
            /// The program.
            destination: H256,
            /// The sender's query id, when the reply goes back.
            reply_to: Option<H256>,
        },
        /// A program's reply to a delivered message was sent back to its chain.
        ReplySent {
            /// The delivered message.
            message: H256,
            /// The chain.
            para_id: u32,
            /// The sender's query id.
            query: H256,
            /// The XCM's hash.
            message_hash: [u8; 32],
        },
        /// A `deliver` with `reply_to` could not queue its message (e.g. no such program, or
        /// the origin's account cannot pay the gas): the sender's chain gets an error reply at
        /// once, paid like any reply, instead of waiting for its timeout.
        DeliveryRefused {
            /// The XCM origin.
            origin: VersionedLocation,
            /// The program asked for.
            destination: H256,
            /// The chain the error reply went to.
            para_id: u32,
            /// The sender's query id.
            query: H256,
            /// Gear's reply code of the error reply.
            code: [u8; 4],
            /// Why (the error's name, also the error reply's payload).
            reason: Vec<u8>,
        },
        /// A program's reply could not be sent back; it stays here (paid to the source account).
        ReplyNotRouted {
            /// The delivered message.
            message: H256,
            /// The chain it should have gone to.
            para_id: u32,
        },
        /// An HRMP request was sent to the relay chain.
        HrmpRequested {
            /// The request.
            request: HrmpRequest,
            /// The XCM's hash.
            message_hash: [u8; 32],
        },
    }

    /// Errors of the bridge's extrinsics (state unchanged but for the fee).
    #[pallet::error]
    pub enum Error<T> {
        /// The XCM origin has no local account.
        UnknownOrigin,
        /// `reply_to` was given but the origin is not on a sibling parachain.
        ReplyNotRoutable,
        /// The origin's account cannot pay for carrying the reply back.
        InsufficientBalance,
        /// `deliver_reply` from a chain other than the one the request went to.
        WrongResponder,
        /// `deliver_reply` from an origin that is not a sibling parachain itself.
        NotSiblingChain,
        /// The HRMP parameters are zero, or the channel is to this chain.
        InvalidChannel,
        /// The relay chain could not be reached.
        SendFailed,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Queues a message from another chain (the XCM origin, as a local account) to program
        /// `destination`, paying `gas_limit` and `value` from that account. With `reply_to`,
        /// the program's reply goes back to the origin's chain as
        /// `GearXcm::deliver_reply(reply_to, code, payload)`.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::deliver(payload.len() as u32).saturating_add(pallet_gear::Pallet::<T>::dispatch_overhead()))]
        pub fn deliver(
            origin: OriginFor<T>,
            destination: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            reply_to: Option<H256>,
        ) -> DispatchResult {
            let location = T::XcmOrigin::ensure_origin(origin)?;
            let reply = reply_to.map(|query| (query, ReplyFormat::Gear));
            Self::do_deliver(location, destination, payload, gas_limit, value, reply)
        }

        /// The answer to request `query` from the sibling chain it was sent to: the program
        /// that asked gets a reply with `code` (Gear's `ReplyCode` bytes) and `payload`. A
        /// `query` this chain is not waiting for (never sent, or timed out) is recorded as
        /// [`Event::ReplyReceived`].
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::deliver_reply(payload.len() as u32).saturating_add(pallet_gear::Pallet::<T>::dispatch_overhead()))]
        pub fn deliver_reply(
            origin: OriginFor<T>,
            query: H256,
            code: [u8; 4],
            payload: Vec<u8>,
        ) -> DispatchResult {
            let location = T::XcmOrigin::ensure_origin(origin)?;
            let para_id = match location.unpack() {
                (1, [Parachain(id)]) => *id,
                _ => return Err(Error::<T>::NotSiblingChain.into()),
            };
            let Some(request) = Outbound::<T>::get(query) else {
                Self::deposit_event(Event::ReplyReceived {
                    para_id,
                    query,
                    code,
                    payload,
                });
                return Ok(());
            };
            ensure!(request.para_id == para_id, Error::<T>::WrongResponder);
            Outbound::<T>::remove(query);
            let answered = pallet_gear::Pallet::<T>::answer_held(
                bridge_id(),
                MessageId::new(query.0),
                ReplyCode::from_bytes(code),
                payload,
            );
            if answered {
                Self::deposit_event(Event::ReplyDelivered {
                    request: query,
                    source: H256(request.source.into_bytes()),
                    code,
                });
            } else {
                Self::deposit_event(Event::LateReply { request: query });
            }
            Ok(())
        }

        /// [`Pallet::deliver`] for chains that are not Gear: the program's reply (or Gear's
        /// refusal of the message) goes back to the origin's chain as an XCM
        /// `QueryResponse { query_id, response: DispatchResult(..), max_weight, querier }`
        /// ([`ReplyFormat::QueryResponse`], [`dispatch_result_of`]), which that chain's
        /// `pallet-xcm` takes as the answer to its query `query_id`.
        #[pallet::call_index(4)]
        #[pallet::weight(<T as Config>::WeightInfo::deliver(payload.len() as u32).saturating_add(pallet_gear::Pallet::<T>::dispatch_overhead()))]
        pub fn deliver_for_query(
            origin: OriginFor<T>,
            destination: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            query_id: u64,
            max_weight: Weight,
        ) -> DispatchResult {
            let location = T::XcmOrigin::ensure_origin(origin)?;
            let querier = Self::querier_of(&location).ok_or(Error::<T>::ReplyNotRoutable)?;
            let format = ReplyFormat::QueryResponse {
                query_id,
                max_weight,
                querier,
            };
            let query = query_of_number(query_id);
            Self::do_deliver(
                location,
                destination,
                payload,
                gas_limit,
                value,
                Some((query, format)),
            )
        }

        /// Asks the relay chain to open an HRMP channel from this chain to `recipient`
        /// (`hrmp_init_open_channel`, paid from this chain's sovereign account there).
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::hrmp())]
        pub fn open_hrmp_channel(
            origin: OriginFor<T>,
            recipient: u32,
            max_capacity: u32,
            max_message_size: u32,
        ) -> DispatchResult {
            T::ChannelOrigin::ensure_origin(origin)?;
            ensure!(
                recipient != T::SelfParaId::get() && max_capacity > 0 && max_message_size > 0,
                Error::<T>::InvalidChannel
            );
            Self::send_hrmp(HrmpRequest::Open {
                recipient,
                max_capacity,
                max_message_size,
            })
        }

        /// Accepts the relay chain's request for a channel from `sender` to this chain
        /// (`hrmp_accept_open_channel`).
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::hrmp())]
        pub fn accept_hrmp_channel(origin: OriginFor<T>, sender: u32) -> DispatchResult {
            T::ChannelOrigin::ensure_origin(origin)?;
            ensure!(sender != T::SelfParaId::get(), Error::<T>::InvalidChannel);
            Self::send_hrmp(HrmpRequest::Accept { sender })
        }
    }

    impl<T: Config> Pallet<T> {
        /// The bridge's account.
        pub fn account_id() -> T::AccountId {
            T::PalletId::get().into_account_truncating()
        }

        /// Queues a delivered message (see [`Pallet::deliver`]); with `reply`, its reply goes
        /// back to the origin's chain in `reply`'s format, and a message Gear refuses is
        /// answered there at once with an error reply.
        fn do_deliver(
            location: Location,
            destination: H256,
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            reply: Option<(H256, ReplyFormat)>,
        ) -> DispatchResult {
            let account = T::LocationToAccountId::convert_location(&location)
                .ok_or(Error::<T>::UnknownOrigin)?;
            let route = match reply {
                None => None,
                Some((query, format)) => Some(ReplyRoute {
                    para_id: Self::sibling_of(&location).ok_or(Error::<T>::ReplyNotRoutable)?,
                    query,
                    format,
                }),
            };
            let reply_to = route.as_ref().map(|route| route.query);
            let queued = polkadot_sdk::frame_support::storage::with_storage_layer(|| {
                if route.is_some() {
                    <T as pallet_gear::Config>::Currency::transfer(
                        &account,
                        &Self::account_id(),
                        T::RemoteExecutionFee::get(),
                        Preservation::Preserve,
                    )
                    .map_err(|_| Error::<T>::InsufficientBalance)?;
                }
                let id = pallet_gear::Pallet::<T>::send_from_account(
                    account.clone(),
                    ActorId::new(destination.0),
                    payload,
                    gas_limit,
                    value,
                    false,
                )?;
                let message = query_of(id);
                if let Some(route) = route.clone() {
                    Inbound::<T>::insert(message, route);
                }
                Self::deposit_event(Event::Delivered {
                    message,
                    origin: VersionedLocation::from(location.clone()),
                    source: account.clone(),
                    destination,
                    reply_to,
                });
                Ok(())
            });
            match (queued, route) {
                (Err(error), Some(route)) if error != Error::<T>::InsufficientBalance.into() => {
                    Self::refuse_delivery(location, &account, destination, route, error)
                }
                (result, _) => result,
            }
        }

        /// The sender as its own chain sees it: a sibling location `../Parachain(id)/rest`
        /// reanchored there (`rest`, `Here` for the chain itself), as the XCM executor
        /// names the querier of a response.
        fn querier_of(location: &Location) -> Option<polkadot_sdk::staging_xcm::v5::Location> {
            Self::sibling_of(location)?;
            let (rest, _chain) = location.interior().clone().split_first();
            Some(Location::new(0, rest))
        }

        /// The sibling parachain a location is on (`../Parachain(id)/..`).
        fn sibling_of(location: &Location) -> Option<u32> {
            match location.unpack() {
                (1, [Parachain(id), ..]) => Some(*id),
                _ => None,
            }
        }

        fn send_hrmp(request: HrmpRequest) -> DispatchResult {
            let call = request.encode_call(T::RelayHrmpPalletIndex::get());
            let message = paid_transact(
                T::RelayExecutionFee::get(),
                OriginKind::Native,
                call,
                Location::new(0, [Parachain(T::SelfParaId::get())]),
            );
            let (hash, _) = send_xcm::<T::XcmRouter>(Location::parent(), message)
                .map_err(|_| Error::<T>::SendFailed)?;
            Self::deposit_event(Event::HrmpRequested {
                request,
                message_hash: hash,
            });
            Ok(())
        }

        fn refuse(request: &BuiltinRequest, error: BridgeError) -> BuiltinAnswer {
            Self::deposit_event(Event::RequestFailed {
                request: query_of(request.id),
                source: H256(request.source.into_bytes()),
                error: error.clone(),
            });
            BuiltinAnswer::Error(error.encode())
        }

        /// Handles a request to the bridge (see the crate docs).
        pub fn handle_request(request: BuiltinRequest) -> BuiltinAnswer {
            let Ok(decoded) = <BridgeRequest as codec::DecodeLimit>::decode_all_with_depth_limit(
                MAX_XCM_DECODE_DEPTH,
                &mut &request.payload[..],
            ) else {
                return Self::refuse(&request, BridgeError::Malformed);
            };
            let result = match decoded {
                BridgeRequest::Program {
                    para_id,
                    program,
                    payload,
                    gas_limit,
                    value,
                    timeout,
                } => Self::send_program_request(
                    &request, para_id, program, payload, gas_limit, value, timeout,
                ),
                BridgeRequest::Xcm {
                    destination,
                    message,
                } => Self::send_raw(&request, *destination, *message),
            };
            result.unwrap_or_else(|error| Self::refuse(&request, error))
        }

        #[allow(clippy::too_many_arguments)]
        fn send_program_request(
            request: &BuiltinRequest,
            para_id: u32,
            program: [u8; 32],
            payload: Vec<u8>,
            gas_limit: u64,
            value: u128,
            timeout: Option<u32>,
        ) -> Result<BuiltinAnswer, BridgeError> {
            ensure!(para_id != T::SelfParaId::get(), BridgeError::ParaIsSelf);
            ensure!(
                payload.len() <= T::MaxRemotePayload::get() as usize,
                BridgeError::PayloadTooLarge
            );
            let timeout = timeout.unwrap_or_else(T::DefaultTimeout::get);
            ensure!(
                timeout > 0 && timeout <= T::MaxTimeout::get(),
                BridgeError::InvalidTimeout
            );
            ensure!(
                gas_limit <= <T as pallet_gear::gas::Config>::BlockGasLimit::get(),
                BridgeError::GasLimitTooHigh
            );
            // Execution there, the carriage of the reply back (what `deliver` charges), and the
            // storage deposit of what the remote program may store.
            let fee = T::RemoteExecutionFee::get()
                .saturating_mul(2)
                .saturating_add(T::RemoteStorageDeposit::get())
                .saturating_add(pallet_gear::Pallet::<T>::gas_value(gas_limit))
                .saturating_add(value);
            let query = query_of(request.id);
            let call: <T as Config>::RuntimeCall = Call::<T>::deliver {
                destination: H256(program),
                payload,
                gas_limit,
                value,
                reply_to: Some(query),
            }
            .into();
            let sender = Location::new(
                1,
                [
                    Parachain(T::SelfParaId::get()),
                    Junction::AccountId32 {
                        network: None,
                        id: request.source.into_bytes(),
                    },
                ],
            );
            let asset: Asset = (Location::here(), fee).into();
            let message = Xcm(alloc::vec![
                WithdrawAsset(asset.clone().into()),
                BuyExecution {
                    fees: asset,
                    weight_limit: Unlimited,
                },
                // What is left after execution is bought funds the program's account there.
                DepositAsset {
                    assets: AllCounted(1).into(),
                    beneficiary: sender.clone(),
                },
                DescendOrigin(
                    Junction::AccountId32 {
                        network: None,
                        id: request.source.into_bytes(),
                    }
                    .into()
                ),
                Transact {
                    origin_kind: OriginKind::Xcm,
                    fallback_max_weight: None,
                    call: call.encode().into(),
                },
                RefundSurplus,
                DepositAsset {
                    assets: AllCounted(1).into(),
                    beneficiary: sender,
                },
            ]);
            let destination = Location::new(1, [Parachain(para_id)]);
            let hash = Self::charge_and_send(request.source, fee, destination, message)?;
            Outbound::<T>::insert(
                query,
                OutboundRequest {
                    source: request.source,
                    para_id,
                },
            );
            Self::deposit_event(Event::RequestSent {
                request: query,
                source: H256(request.source.into_bytes()),
                para_id,
                fee,
                message_hash: hash,
            });
            Ok(BuiltinAnswer::Hold { timeout })
        }

        fn send_raw(
            request: &BuiltinRequest,
            destination: VersionedLocation,
            message: VersionedXcm<()>,
        ) -> Result<BuiltinAnswer, BridgeError> {
            let destination =
                Location::try_from(destination).map_err(|_| BridgeError::UnsupportedVersion)?;
            let message =
                Xcm::<()>::try_from(message).map_err(|_| BridgeError::UnsupportedVersion)?;
            let mut instructions = alloc::vec![DescendOrigin(
                Junction::AccountId32 {
                    network: None,
                    id: request.source.into_bytes(),
                }
                .into()
            )];
            instructions.extend(message.0);
            let hash =
                Self::charge_and_send(request.source, 0, destination.clone(), Xcm(instructions))?;
            Self::deposit_event(Event::XcmSent {
                request: query_of(request.id),
                source: H256(request.source.into_bytes()),
                destination: destination.into(),
                message_hash: hash,
            });
            Ok(BuiltinAnswer::Reply(
                ReplyCode::Success(SuccessReplyReason::Manual),
                hash.encode(),
            ))
        }

        /// Takes `fee` plus the router's delivery price (in the native token) from `source`
        /// into the bridge's account and sends `message`; on any failure nothing moves.
        fn charge_and_send(
            source: ActorId,
            fee: u128,
            destination: Location,
            message: Xcm<()>,
        ) -> Result<[u8; 32], BridgeError> {
            let (ticket, price) = validate_send::<T::XcmRouter>(destination, message)
                .map_err(|_| BridgeError::SendFailed)?;
            let delivery: u128 = price
                .inner()
                .iter()
                .filter(|asset| asset.id == AssetId(Location::here()))
                .map(|asset| match asset.fun {
                    Fungible(amount) => amount,
                    NonFungible(_) => 0,
                })
                .sum();
            let required = fee.saturating_add(delivery);
            polkadot_sdk::frame_support::storage::with_storage_layer(|| {
                pallet_gear::Pallet::<T>::withdraw_from_actor(
                    source,
                    &Self::account_id(),
                    required,
                )
                .map_err(|_| BridgeError::InsufficientBalance { required })?;
                T::XcmRouter::deliver(ticket).map_err(|_| BridgeError::SendFailed)
            })
        }

        /// Carries a program's reply to a delivered message back to the sibling it came from.
        pub(crate) fn route_reply(message: MessageId, code: ReplyCode, payload: &[u8]) {
            let Some(route) = Inbound::<T>::take(query_of(message)) else {
                return;
            };
            match Self::send_reply(&route, code, payload) {
                Ok(hash) => Self::deposit_event(Event::ReplySent {
                    message: query_of(message),
                    para_id: route.para_id,
                    query: route.query,
                    message_hash: hash,
                }),
                Err(e) => {
                    log::warn!(target: "gear::xcm", "reply to {message:?} not sent: {e:?}");
                    Self::deposit_event(Event::ReplyNotRouted {
                        message: query_of(message),
                        para_id: route.para_id,
                    })
                }
            }
        }

        /// Sends the reply to `route`'s chain in its format: `GearXcm::deliver_reply(route.query,
        /// code, payload)`, its execution there paid from this chain's sovereign account
        /// (`RemoteExecutionFee`), or a `QueryResponse` (executed free where it is expected).
        fn send_reply(
            route: &ReplyRoute,
            code: ReplyCode,
            payload: &[u8],
        ) -> Result<XcmHash, SendError> {
            let xcm = match &route.format {
                ReplyFormat::Gear => {
                    let call: <T as Config>::RuntimeCall = Call::<T>::deliver_reply {
                        query: route.query,
                        code: code.to_bytes(),
                        payload: payload.to_vec(),
                    }
                    .into();
                    paid_transact(
                        T::RemoteExecutionFee::get(),
                        OriginKind::Xcm,
                        call.encode(),
                        Location::new(1, [Parachain(T::SelfParaId::get())]),
                    )
                }
                ReplyFormat::QueryResponse {
                    query_id,
                    max_weight,
                    querier,
                } => Xcm(alloc::vec![QueryResponse {
                    query_id: *query_id,
                    response: Response::DispatchResult(dispatch_result_of(code, payload)),
                    max_weight: *max_weight,
                    querier: Some(querier.clone()),
                }]),
            };
            let destination = Location::new(1, [Parachain(route.para_id)]);
            send_xcm::<T::XcmRouter>(destination, xcm).map(|(hash, _)| hash)
        }

        /// Answers a `deliver` whose message could not be queued with an error reply to the
        /// sender's chain: Gear's `UnavailableActor` code when there is no active program,
        /// `Unsupported` otherwise, the error's name as payload. The origin's account pays the
        /// reply's carriage as for any reply; if it cannot, or the reply cannot be sent, the
        /// call fails with `error` and changes nothing (the request then times out).
        fn refuse_delivery(
            location: Location,
            account: &T::AccountId,
            destination: H256,
            route: ReplyRoute,
            error: DispatchError,
        ) -> DispatchResult {
            use gear_core_errors::{ErrorReplyReason, SimpleUnavailableActorError};
            let reason = match error {
                e if e == pallet_gear::Error::<T>::ProgramNotFound.into() => {
                    ErrorReplyReason::UnavailableActor(
                        SimpleUnavailableActorError::ProgramNotCreated,
                    )
                }
                e if e == pallet_gear::Error::<T>::InactiveProgram.into() => {
                    ErrorReplyReason::UnavailableActor(SimpleUnavailableActorError::ProgramExited)
                }
                _ => ErrorReplyReason::Unsupported,
            };
            let code = ReplyCode::Error(reason);
            let name: &'static str = error.into();
            polkadot_sdk::frame_support::storage::with_storage_layer(|| {
                <T as pallet_gear::Config>::Currency::transfer(
                    account,
                    &Self::account_id(),
                    T::RemoteExecutionFee::get(),
                    Preservation::Preserve,
                )
                .map_err(|_| error)?;
                Self::send_reply(&route, code, name.as_bytes()).map_err(|e| {
                    log::warn!(target: "gear::xcm", "error reply to {:?} not sent: {e:?}", route.query);
                    error
                })?;
                Self::deposit_event(Event::DeliveryRefused {
                    origin: VersionedLocation::from(location),
                    destination,
                    para_id: route.para_id,
                    query: route.query,
                    code: code.to_bytes(),
                    reason: name.as_bytes().to_vec(),
                });
                Ok(())
            })
        }
    }

    impl<T: Config> BuiltinActors for Pallet<T> {
        fn is_builtin(actor: ActorId) -> bool {
            actor == bridge_id()
        }

        fn handle_gas(_: ActorId) -> u64 {
            T::HandleGas::get()
        }

        fn handle(request: BuiltinRequest) -> BuiltinAnswer {
            Self::handle_request(request)
        }

        fn on_timeout(_: ActorId, id: MessageId) {
            if Outbound::<T>::take(query_of(id)).is_some() {
                Self::deposit_event(Event::RequestTimedOut {
                    request: query_of(id),
                });
            }
        }
    }

    impl<T: Config> OnUserReply<T::AccountId> for Pallet<T> {
        fn on_user_reply(
            _user: &T::AccountId,
            _program: ActorId,
            reply_to: MessageId,
            code: ReplyCode,
            payload: &[u8],
        ) {
            Self::route_reply(reply_to, code, payload);
        }
    }
}
