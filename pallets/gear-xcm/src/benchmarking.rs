//! Benchmarks of the bridge's extrinsics, run inside the runtime by `gear-node benchmark pallet`
//! (`scripts/bench-weights.sh`), whose output is [`crate::weights`].
#![cfg(feature = "runtime-benchmarks")]

use super::*;
use alloc::vec;
use gear_core_errors::{ReplyCode, SuccessReplyReason};
use pallet_gear::benchmarking::{active_program, code, funded_account, run_queue, MAX_PAYLOAD};
use polkadot_sdk::{
    frame_benchmarking::v2::*,
    frame_support::traits::{
        fungible::{Inspect, Mutate},
        Get,
    },
    frame_system::RawOrigin,
    staging_xcm::latest::prelude::*,
    staging_xcm_executor::traits::ConvertLocation,
};

/// What the benchmarks need of the runtime.
pub trait BenchmarkHelper<O> {
    /// The origin a `Transact` with `OriginKind::Xcm` from `location` dispatches with.
    fn xcm_origin(location: Location) -> O;
    /// Makes sending XCM to `destination` (the relay chain or a sibling) succeed: an open
    /// channel, the relay chain's limits known.
    fn ensure_delivery(destination: &Location);
}

/// A sibling parachain other than this one.
fn sibling<T: Config>() -> u32 {
    T::SelfParaId::get().wrapping_add(1).max(1000)
}

/// Gas for the benchmarks' messages.
fn gas<T: Config>() -> u64 {
    <T as pallet_gear::gas::Config>::BlockGasLimit::get() / 4
}

#[benchmarks]
mod benchmarks {
    use super::*;

    /// `deliver` of `p` bytes with `reply_to` from an account on a sibling (the reply route and
    /// its fee included), and carrying a reply of `p` bytes back there later.
    #[benchmark]
    fn deliver(p: Linear<0, MAX_PAYLOAD>) -> Result<(), BenchmarkError> {
        let owner = funded_account::<T>("owner", 0);
        let program = active_program::<T>(&owner, code::empty(), 0);
        let para = sibling::<T>();
        let location = Location::new(
            1,
            [
                Parachain(para),
                Junction::AccountId32 {
                    network: None,
                    id: [7; 32],
                },
            ],
        );
        let account = T::LocationToAccountId::convert_location(&location)
            .ok_or(BenchmarkError::Stop("the sibling account converts"))?;
        <T as pallet_gear::Config>::Currency::set_balance(
            &account,
            <T as pallet_gear::Config>::Currency::balance(&owner),
        );
        T::BenchmarkHelper::ensure_delivery(&Location::new(1, [Parachain(para)]));
        let origin = T::BenchmarkHelper::xcm_origin(location);
        let payload = vec![7u8; p as usize];

        #[block]
        {
            Pallet::<T>::deliver(
                origin,
                H256(program.into_bytes()),
                payload.clone(),
                gas::<T>(),
                0,
                Some(H256::repeat_byte(1)),
            )?;
            if let Some(message) = Inbound::<T>::iter_keys().next() {
                Pallet::<T>::route_reply(
                    MessageId::new(message.0),
                    ReplyCode::Success(SuccessReplyReason::Manual),
                    &payload,
                );
            }
        }

        assert_eq!(
            Inbound::<T>::iter().count(),
            0,
            "the reply was carried back"
        );
        Ok(())
    }

    /// `deliver_reply` of `p` bytes answering a program's request held by the bridge.
    #[benchmark]
    fn deliver_reply(p: Linear<0, MAX_PAYLOAD>) -> Result<(), BenchmarkError> {
        let user = funded_account::<T>("user", 0);
        let para = sibling::<T>();
        T::BenchmarkHelper::ensure_delivery(&Location::new(1, [Parachain(para)]));
        let request = BridgeRequest::Program {
            para_id: para,
            program: [1; 32],
            payload: vec![7; 32],
            gas_limit: gas::<T>(),
            value: 0,
            timeout: None,
        };
        pallet_gear::Pallet::<T>::send_from_account(
            user,
            bridge_id(),
            request.encode(),
            gas::<T>(),
            0,
            false,
        )?;
        run_queue::<T>();
        let query = Outbound::<T>::iter_keys()
            .next()
            .ok_or(BenchmarkError::Stop("the request is held"))?;
        let origin = T::BenchmarkHelper::xcm_origin(Location::new(1, [Parachain(para)]));

        #[extrinsic_call]
        _(
            origin as T::RuntimeOrigin,
            query,
            ReplyCode::Success(SuccessReplyReason::Manual).to_bytes(),
            vec![7u8; p as usize],
        );

        assert!(!Outbound::<T>::contains_key(query));
        Ok(())
    }

    /// `open_hrmp_channel` / `accept_hrmp_channel`: one XCM to the relay chain.
    #[benchmark]
    fn hrmp() -> Result<(), BenchmarkError> {
        T::BenchmarkHelper::ensure_delivery(&Location::parent());

        #[block]
        {
            Pallet::<T>::open_hrmp_channel(RawOrigin::Root.into(), sibling::<T>(), 8, 1024)?;
        }

        Ok(())
    }
}
