//! Weights of the bridge's extrinsics.
//!
//! Estimated from their storage accesses (RocksDB costs) and the XCM they send; replaced by
//! frame-benchmarking results with the other pallets' (see `docs/PERFORMANCE.md`).

use polkadot_sdk::frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weights of the bridge's extrinsics.
pub trait WeightInfo {
    /// `deliver` with a payload of `len` bytes: Gear's `send_message` plus the origin's
    /// conversion, the reply route and, later, sending the reply back.
    fn deliver(len: u32) -> Weight;
    /// `deliver_reply` with a payload of `len` bytes: waking the request and queueing its reply.
    fn deliver_reply(len: u32) -> Weight;
    /// `open_hrmp_channel` / `accept_hrmp_channel`: one XCM to the relay chain.
    fn hrmp() -> Weight;
}

/// Estimates for this runtime.
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);

/// Sending one XCM through XCMP or UMP (validation, encoding, the outbound queue page).
const SEND_XCM: Weight = Weight::from_parts(60_000_000, 8 * 1024);

impl<T> WeightInfo for SubstrateWeight<T> {
    fn deliver(len: u32) -> Weight {
        Weight::from_parts(150_000_000, 12 * 1024)
            .saturating_add(Weight::from_parts(2_000u64 * len as u64, len as u64 * 2))
            .saturating_add(RocksDbWeight::get().reads_writes(8, 10))
            .saturating_add(SEND_XCM)
    }
    fn deliver_reply(len: u32) -> Weight {
        Weight::from_parts(120_000_000, 12 * 1024)
            .saturating_add(Weight::from_parts(2_000u64 * len as u64, len as u64 * 2))
            .saturating_add(RocksDbWeight::get().reads_writes(8, 10))
    }
    fn hrmp() -> Weight {
        Weight::from_parts(20_000_000, 1024).saturating_add(SEND_XCM)
    }
}

impl WeightInfo for () {
    fn deliver(len: u32) -> Weight {
        SubstrateWeight::<()>::deliver(len)
    }
    fn deliver_reply(len: u32) -> Weight {
        SubstrateWeight::<()>::deliver_reply(len)
    }
    fn hrmp() -> Weight {
        SubstrateWeight::<()>::hrmp()
    }
}
