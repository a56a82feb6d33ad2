//! XCM configuration: two assets, the native token (`Balances`) and the relay chain's token
//! (`ForeignAssets`, id `Location::parent()`, the relay chain its reserve); siblings and the relay
//! chain are mapped to local accounts (sovereign accounts, or `HashedDescription` for deeper
//! locations); execution is paid for in either token.

use super::{
    AccountId, AllPalletsWithSystem, Authorship, Balance, Balances, ForeignAssets, ParachainInfo,
    ParachainSystem, PolkadotXcm, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, XcmpQueue,
    UNIT,
};
use polkadot_sdk::{
    staging_xcm as xcm, staging_xcm_builder as xcm_builder, staging_xcm_executor as xcm_executor, *,
};

use alloc::vec::Vec;
use frame_support::PalletId;
use frame_support::{
    parameter_types,
    traits::{ConstU32, Contains, Equals, Everything, Nothing},
    weights::{IdentityFee, Weight},
};
use frame_system::EnsureRoot;
use pallet_xcm::XcmPassthrough;
use polkadot_parachain_primitives::primitives::Sibling;
use polkadot_runtime_common::impls::ToAuthor;
use sp_runtime::traits::{AccountIdConversion, Identity};
use xcm::latest::prelude::*;
use xcm_builder::{
    AccountId32Aliases, AllowExplicitUnpaidExecutionFrom, AllowKnownQueryResponses,
    AllowSubscriptionsFrom, AllowTopLevelPaidExecutionFrom, DescribeAllTerminal, DescribeFamily,
    EnsureXcmOrigin, FixedRateOfFungible, FixedWeightBounds, FrameTransactionalProcessor,
    FungibleAdapter, FungiblesAdapter, HashedDescription, IsConcrete, MatchedConvertedConcreteId,
    NativeAsset, NoChecking, ParentIsPreset, RelayChainAsNative, SiblingParachainAsNative,
    SiblingParachainConvertsVia, SignedAccountId32AsNative, SignedToAccountId32,
    SovereignSignedViaLocation, TakeRevenue, TakeWeightCredit, TrailingSetTopicAsId,
    UsingComponents, WithComputedOrigin, WithLatestLocationConverter, WithUniqueTopic,
};
use xcm_executor::{traits::TransactAsset, AssetsInHolding, XcmExecutor};

parameter_types! {
    pub const RelayLocation: Location = Location::parent();
    pub const HereLocation: Location = Location::here();
    pub const RelayNetwork: Option<NetworkId> = None;
    pub RelayChainOrigin: RuntimeOrigin = cumulus_pallet_xcm::Origin::Relay.into();
    pub UniversalLocation: InteriorLocation = Parachain(ParachainInfo::parachain_id().into()).into();
}

/// How a location becomes a local account: the relay chain's and siblings' sovereign accounts,
/// local 32-byte accounts, and a hash of the description for anything deeper.
pub type LocationToAccountId = (
    ParentIsPreset<AccountId>,
    SiblingParachainConvertsVia<Sibling, AccountId>,
    AccountId32Aliases<RelayNetwork, AccountId>,
    HashedDescription<AccountId, DescribeFamily<DescribeAllTerminal>>,
);

/// The native token, moved with `Balances`.
pub type LocalAssetTransactor =
    FungibleAdapter<Balances, IsConcrete<HereLocation>, LocationToAccountId, AccountId, ()>;

/// The relay chain's token, held in `ForeignAssets` under its location. The relay chain is its
/// reserve: it arrives by `ReserveAssetDeposited` from there and leaves by `InitiateReserveWithdraw`
/// to there (nothing is teleported, so no checking account).
pub type RelayAssetTransactor = FungiblesAdapter<
    ForeignAssets,
    MatchedConvertedConcreteId<
        xcm::v5::Location,
        Balance,
        Equals<RelayLocation>,
        WithLatestLocationConverter<xcm::v5::Location>,
        Identity,
    >,
    LocationToAccountId,
    AccountId,
    NoChecking,
    CheckingAccount,
>;

/// Both tokens.
pub type AssetTransactors = (LocalAssetTransactor, RelayAssetTransactor);

parameter_types! {
    /// Unused (nothing is teleported): `pallet_xcm`'s checking account.
    pub CheckingAccount: AccountId = PolkadotXcm::check_account();
    /// Where XCM fees paid in the relay token go when the block has no known author.
    pub XcmFeesAccount: AccountId = PalletId(*b"py/xcmfe").into_account_truncating();
    /// The price of execution in the relay token: one token (10¹² of its units) per second of
    /// `ref_time`, as the native token's (`IdentityFee`), and one per 10 MiB of proof.
    pub RelayTokenPerSecondAndMb: (AssetId, u128, u128) =
        (AssetId(RelayLocation::get()), UNIT, UNIT / 10);
}

/// XCM fees paid in the relay token go to the block author, like fees in the native token
/// (`ToAuthor`), or to [`XcmFeesAccount`] when there is none.
pub struct RelayFeesToAuthor;
impl TakeRevenue for RelayFeesToAuthor {
    fn take_revenue(revenue: AssetsInHolding) {
        if revenue.is_empty() {
            return;
        }
        let who = Authorship::author().unwrap_or_else(XcmFeesAccount::get);
        let beneficiary = Location::new(
            0,
            [AccountId32 {
                network: None,
                id: who.into(),
            }],
        );
        if let Err((_, error)) = RelayAssetTransactor::deposit_asset(revenue, &beneficiary, None) {
            log::warn!(target: "xcm::fees", "relay-token fees not deposited: {error:?}");
        }
    }
}

/// How an XCM origin becomes a dispatch origin for `Transact`.
pub type XcmOriginToTransactDispatchOrigin = (
    SovereignSignedViaLocation<LocationToAccountId, RuntimeOrigin>,
    RelayChainAsNative<RelayChainOrigin, RuntimeOrigin>,
    SiblingParachainAsNative<cumulus_pallet_xcm::Origin, RuntimeOrigin>,
    SignedAccountId32AsNative<RelayNetwork, RuntimeOrigin>,
    XcmPassthrough<RuntimeOrigin>,
);

parameter_types! {
    pub UnitWeightCost: Weight = Weight::from_parts(1_000_000_000, 64 * 1024);
    pub const MaxInstructions: u32 = 100;
    pub const MaxAssetsIntoHolding: u32 = 64;
}

/// The relay chain, or its executive body.
pub struct ParentOrParentsExecutivePlurality;
impl Contains<Location> for ParentOrParentsExecutivePlurality {
    fn contains(location: &Location) -> bool {
        matches!(
            location.unpack(),
            (1, [])
                | (
                    1,
                    [Plurality {
                        id: BodyId::Executive,
                        ..
                    }]
                )
        )
    }
}

/// What may execute here: paid execution from anyone, free execution from the relay chain.
pub type Barrier = TrailingSetTopicAsId<(
    TakeWeightCredit,
    AllowKnownQueryResponses<PolkadotXcm>,
    WithComputedOrigin<
        (
            AllowTopLevelPaidExecutionFrom<Everything>,
            AllowExplicitUnpaidExecutionFrom<ParentOrParentsExecutivePlurality>,
            AllowSubscriptionsFrom<Everything>,
        ),
        UniversalLocation,
        ConstU32<8>,
    >,
)>;

/// The XCM executor's configuration.
pub struct XcmConfig;
impl xcm_executor::Config for XcmConfig {
    type RuntimeCall = RuntimeCall;
    type XcmSender = XcmRouter;
    type XcmEventEmitter = PolkadotXcm;
    type AssetTransactor = AssetTransactors;
    type OriginConverter = XcmOriginToTransactDispatchOrigin;
    type IsReserve = NativeAsset;
    type IsTeleporter = ();
    type UniversalLocation = UniversalLocation;
    type Barrier = Barrier;
    type Weigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;
    type Trader = (
        UsingComponents<IdentityFee<u128>, HereLocation, AccountId, Balances, ToAuthor<Runtime>>,
        FixedRateOfFungible<RelayTokenPerSecondAndMb, RelayFeesToAuthor>,
    );
    type ResponseHandler = PolkadotXcm;
    type AssetTrap = PolkadotXcm;
    type SubscriptionService = PolkadotXcm;
    type PalletInstancesInfo = AllPalletsWithSystem;
    type MaxAssetsIntoHolding = MaxAssetsIntoHolding;
    type AssetLocker = ();
    type AssetExchanger = ();
    type FeeManager = ();
    type MessageExporter = ();
    type UniversalAliases = Nothing;
    type CallDispatcher = RuntimeCall;
    type SafeCallFilter = Everything;
    type Aliasers = Nothing;
    type TransactionalProcessor = FrameTransactionalProcessor;
    type HrmpNewChannelOpenRequestHandler = ();
    type HrmpChannelAcceptedHandler = ();
    type HrmpChannelClosingHandler = ();
    type XcmRecorder = PolkadotXcm;
}

/// Local signed origins become `AccountId32` locations.
pub type LocalOriginToLocation = SignedToAccountId32<RuntimeOrigin, AccountId, RelayNetwork>;

/// Messages go up to the relay chain (UMP, at most [`MAX_PENDING_UPWARD`] waiting) or across
/// to siblings (XCMP).
pub type XcmRouter = WithUniqueTopic<(
    cumulus_primitives_utility::ParentAsUmp<BoundedUpwardSender, (), ()>,
    XcmpQueue,
)>;

/// Most upward messages that may wait to be sent to the relay chain.
pub const MAX_PENDING_UPWARD: usize = 64;
/// Most bytes of upward messages that may wait (or one message of the relay chain's largest
/// size, if that is larger).
pub const MAX_PENDING_UPWARD_BYTES: usize = 128 * 1024;

/// `ParachainSystem` as the upward sender, with a bound on what waits. Parachain-system keeps
/// the upward messages the relay chain cannot take yet (`PendingUpwardMessages`, one storage
/// value) and reads all of them whenever a message is sent and at the end of every block, so
/// they are part of every block's proof; delivery is not priced here, so without a bound a user
/// could queue more than a block can prove, for good. A message that would take the waiting ones
/// past [`MAX_PENDING_UPWARD`] or [`MAX_PENDING_UPWARD_BYTES`] is refused (`QueueFull`: the
/// sending extrinsic fails, or a program's send gets an error reply) and nothing is queued.
pub struct BoundedUpwardSender;

impl BoundedUpwardSender {
    fn check(message: &[u8]) -> Result<(), cumulus_primitives_core::MessageSendError> {
        use cumulus_pallet_parachain_system::{HostConfiguration, PendingUpwardMessages};
        let full = Err(cumulus_primitives_core::MessageSendError::QueueFull);
        // The count first: it reads the value's length only.
        if PendingUpwardMessages::<Runtime>::decode_len().unwrap_or(0) >= MAX_PENDING_UPWARD {
            return full;
        }
        let bound = HostConfiguration::<Runtime>::get()
            .map_or(0, |config| config.max_upward_message_size as usize)
            .max(MAX_PENDING_UPWARD_BYTES);
        let pending: usize = PendingUpwardMessages::<Runtime>::get()
            .iter()
            .map(Vec::len)
            .sum();
        if pending.saturating_add(message.len()) > bound {
            return full;
        }
        Ok(())
    }
}

impl cumulus_primitives_core::UpwardMessageSender for BoundedUpwardSender {
    fn send_upward_message(
        message: cumulus_primitives_core::UpwardMessage,
    ) -> Result<(u32, XcmHash), cumulus_primitives_core::MessageSendError> {
        Self::check(&message)?;
        <ParachainSystem as cumulus_primitives_core::UpwardMessageSender>::send_upward_message(
            message,
        )
    }

    fn can_send_upward_message(
        message: &cumulus_primitives_core::UpwardMessage,
    ) -> Result<(), cumulus_primitives_core::MessageSendError> {
        <ParachainSystem as cumulus_primitives_core::UpwardMessageSender>::can_send_upward_message(
            message,
        )?;
        Self::check(message)
    }

    #[cfg(any(feature = "std", feature = "runtime-benchmarks"))]
    fn ensure_successful_delivery() {
        <ParachainSystem as cumulus_primitives_core::UpwardMessageSender>::ensure_successful_delivery()
    }
}

impl pallet_xcm::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type SendXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
    type XcmRouter = XcmRouter;
    type ExecuteXcmOrigin = EnsureXcmOrigin<RuntimeOrigin, LocalOriginToLocation>;
    type XcmExecuteFilter = Nothing;
    type XcmExecutor = XcmExecutor<XcmConfig>;
    type XcmTeleportFilter = Nothing;
    type XcmReserveTransferFilter = Everything;
    type Weigher = FixedWeightBounds<UnitWeightCost, RuntimeCall, MaxInstructions>;
    type UniversalLocation = UniversalLocation;
    type RuntimeOrigin = RuntimeOrigin;
    type RuntimeCall = RuntimeCall;
    const VERSION_DISCOVERY_QUEUE_SIZE: u32 = 100;
    type AdvertisedXcmVersion = pallet_xcm::CurrentXcmVersion;
    type Currency = Balances;
    type CurrencyMatcher = ();
    type TrustedLockers = ();
    type SovereignAccountOf = LocationToAccountId;
    type MaxLockers = ConstU32<8>;
    type WeightInfo = XcmWeights;
    type AdminOrigin = EnsureRoot<AccountId>;
    type MaxRemoteLockConsumers = ConstU32<0>;
    type RemoteLockConsumerIdentifier = ();
    type AuthorizedAliasConsideration = ();
}

/// `pallet_xcm`'s weights measured here ([`crate::weights::pallet_xcm`]), and what a claim of
/// trapped assets deposits. Its benchmark deposits into the signer, whose account benchmarks
/// whitelist, and one kind of asset; a claim may name any beneficiary and hold both of this
/// chain's tokens, so each claim also pays a deposit of each: a native transfer (the
/// beneficiary's `System::Account`) and a relay-token transfer (`ForeignAssets`' asset and
/// accounts, and the account a sufficient asset creates).
pub struct XcmWeights;
type MeasuredXcm = crate::weights::pallet_xcm::WeightInfo<Runtime>;

macro_rules! measured_xcm_weights {
    ($($name:ident),* $(,)?) => {
        $(fn $name() -> Weight {
            <MeasuredXcm as pallet_xcm::WeightInfo>::$name()
        })*
    };
}

impl pallet_xcm::WeightInfo for XcmWeights {
    measured_xcm_weights!(
        send,
        teleport_assets,
        reserve_transfer_assets,
        transfer_assets,
        execute,
        force_xcm_version,
        force_default_xcm_version,
        force_subscribe_version_notify,
        force_unsubscribe_version_notify,
        force_suspension,
        migrate_supported_version,
        migrate_version_notifiers,
        already_notified_target,
        notify_current_targets,
        notify_target_migration_fail,
        migrate_version_notify_targets,
        migrate_and_notify_old_targets,
        new_query,
        take_response,
        add_authorized_alias,
        remove_authorized_alias,
    );

    fn claim_assets(n: u32) -> Weight {
        use pallet_assets::WeightInfo as _;
        use pallet_balances::WeightInfo as _;
        <MeasuredXcm as pallet_xcm::WeightInfo>::claim_assets(n)
            .saturating_add(
                <Runtime as pallet_balances::Config>::WeightInfo::transfer_allow_death(),
            )
            .saturating_add(<Runtime as pallet_assets::Config<
                crate::ForeignAssetsInstance,
            >>::WeightInfo::transfer())
    }

    fn weigh_message(n: u32) -> Weight {
        <MeasuredXcm as pallet_xcm::WeightInfo>::weigh_message(n)
    }

    fn decode_xcm(n: u32) -> Weight {
        <MeasuredXcm as pallet_xcm::WeightInfo>::decode_xcm(n)
    }
}

impl cumulus_pallet_xcm::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type XcmExecutor = XcmExecutor<XcmConfig>;
}

/// What `pallet_xcm`'s benchmarks need of this runtime: the relay chain (UMP) and a sibling
/// with an HRMP channel opened for them, and the native token, which this chain is the reserve
/// of. Teleports are refused (`XcmTeleportFilter`) and `execute` is filtered
/// (`XcmExecuteFilter`): their benchmarks weigh them `Weight::MAX`, so no block takes them.
#[cfg(feature = "runtime-benchmarks")]
mod xcm_benchmarks {
    use super::*;
    use crate::{ParaId, EXISTENTIAL_DEPOSIT};
    use alloc::{boxed::Box, vec::Vec};

    parameter_types! {
        /// The sibling the benchmarks send to.
        pub BenchmarkSibling: ParaId = ParaId::from(4_242);
    }

    /// Delivery is free on this chain (`ParentAsUmp` and `XcmpQueue` price it at nothing), so a
    /// benchmark's sender needs no fee, only the routers' set-up: the relay chain's host
    /// configuration (UMP), or an HRMP channel to the sibling.
    pub struct DeliveryHelper;
    impl xcm_builder::EnsureDelivery for DeliveryHelper {
        fn ensure_successful_delivery(
            _origin: &Location,
            dest: &Location,
            _reason: xcm_executor::traits::FeeReason,
        ) -> (Option<xcm_executor::FeesMode>, Option<Assets>) {
            match dest.unpack() {
                (1, [Parachain(id)]) => {
                    ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests(
                        (*id).into(),
                    )
                }
                _ => <XcmRouter as SendXcm>::ensure_successful_delivery(Some(dest.clone())),
            }
            (None, None)
        }
    }

    fn native(amount: Balance) -> Asset {
        Asset {
            id: AssetId(Location::here()),
            fun: Fungible(amount),
        }
    }

    fn sibling() -> Location {
        ParachainSystem::open_outbound_hrmp_channel_for_benchmarks_or_tests(BenchmarkSibling::get());
        Location::new(1, [Parachain(BenchmarkSibling::get().into())])
    }

    impl pallet_xcm::benchmarking::Config for Runtime {
        type DeliveryHelper = DeliveryHelper;

        // `send` is weighed on the heavier of its two routes: a sibling's (XCMP channel status,
        // messaging state, version) rather than the relay chain's (UMP).
        fn reachable_dest() -> Option<Location> {
            Some(sibling())
        }

        fn reserve_transferable_asset_and_dest() -> Option<(Asset, Location)> {
            Some((native(EXISTENTIAL_DEPOSIT), sibling()))
        }

        fn set_up_complex_asset_transfer() -> Option<(Assets, u32, Location, Box<dyn FnOnce()>)> {
            pallet_xcm::benchmarking::helpers::native_teleport_as_asset_transfer::<Runtime>(
                Location::here(),
                sibling(),
            )
        }

        fn get_asset() -> Asset {
            native(EXISTENTIAL_DEPOSIT)
        }

        fn batch_call(calls: Vec<RuntimeCall>) -> Option<RuntimeCall> {
            Some(RuntimeCall::Utility(pallet_utility::Call::batch_all {
                calls,
            }))
        }
    }
}
