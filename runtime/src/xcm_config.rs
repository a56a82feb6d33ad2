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

/// Messages go up to the relay chain (UMP) or across to siblings (XCMP).
pub type XcmRouter = WithUniqueTopic<(
    cumulus_primitives_utility::ParentAsUmp<ParachainSystem, (), ()>,
    XcmpQueue,
)>;

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
    type WeightInfo = crate::weights::pallet_xcm::WeightInfo<Runtime>;
    type AdminOrigin = EnsureRoot<AccountId>;
    type MaxRemoteLockConsumers = ConstU32<0>;
    type RemoteLockConsumerIdentifier = ();
    type AuthorizedAliasConsideration = ();
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
