//! Weights of the gear pallets.
//!
//! Until `gear-node benchmark pallet` output replaces them, these are conservative estimates
//! built from the database weights and the upload cost measured for Gear's own validator
//! (`Code::try_new`: up to ~70 µs per KiB on this project's machine, `docs/PERFORMANCE.md`).
//! Execution itself is not in here: a dispatch is charged the gas it burns (1 gas = 1 ps), by a
//! schedule whose weights the runtime measures inside itself (`runtime/src/gear_schedule.rs`,
//! `scripts/bench-schedule.sh`).
//! Every extrinsic that queues a dispatch (`create_program`, `upload_program`, `send_message`,
//! `send_reply`, `claim_value` with its auto reply) also pays the queue's per-dispatch overhead,
//! so filling the queue costs at least what processing it does.

use polkadot_sdk::frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions of the gear pallets.
pub trait WeightInfo {
    /// `upload_code` of `c` bytes.
    fn upload_code(c: u32) -> Weight;
    /// `upload_program` of `c` bytes of code, `s` of salt and `p` of payload.
    fn upload_program(c: u32, s: u32, p: u32) -> Weight;
    /// `create_program` with `s` bytes of salt and `p` of payload.
    fn create_program(s: u32, p: u32) -> Weight;
    /// `send_message` with `p` bytes of payload.
    fn send_message(p: u32) -> Weight;
    /// `send_reply` with `p` bytes of payload.
    fn send_reply(p: u32) -> Weight;
    /// `claim_value`.
    fn claim_value() -> Weight;
    /// Queue bookkeeping of one dispatch, execution excluded.
    fn dispatch_overhead() -> Weight;
    /// One scheduled task (mailbox or waitlist expiry, wake, delayed send, reservation
    /// removal), its follow-up dispatches excluded.
    fn task() -> Weight;
}

/// Picoseconds per byte of code for validation and instrumentation (~100 µs per KiB, rounded up).
const UPLOAD_PS_PER_BYTE: u64 = 100_000;
/// Picoseconds per byte copied (payloads, salts).
const COPY_PS_PER_BYTE: u64 = 1_000;

/// Estimated weights (see the module docs).
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);

impl<T> WeightInfo for SubstrateWeight<T> {
    fn upload_code(c: u32) -> Weight {
        Weight::from_parts(50_000_000, 4_096)
            .saturating_add(Weight::from_parts(
                UPLOAD_PS_PER_BYTE.saturating_mul(c.into()),
                0,
            ))
            .saturating_add(RocksDbWeight::get().reads_writes(1, 3))
    }

    fn upload_program(c: u32, s: u32, p: u32) -> Weight {
        Self::upload_code(c).saturating_add(Self::create_program(s, p))
    }

    fn create_program(s: u32, p: u32) -> Weight {
        Weight::from_parts(60_000_000, 8_192)
            .saturating_add(Weight::from_parts(
                COPY_PS_PER_BYTE.saturating_mul((s + p).into()),
                0,
            ))
            .saturating_add(RocksDbWeight::get().reads_writes(5, 6))
            .saturating_add(Self::dispatch_overhead())
    }

    fn send_message(p: u32) -> Weight {
        Weight::from_parts(50_000_000, 4_096)
            .saturating_add(Weight::from_parts(
                COPY_PS_PER_BYTE.saturating_mul(p.into()),
                0,
            ))
            .saturating_add(RocksDbWeight::get().reads_writes(4, 5))
            .saturating_add(Self::dispatch_overhead())
    }

    fn send_reply(p: u32) -> Weight {
        // A mailbox read (rent, gas tree consume, payout) plus a queued message.
        Self::send_message(p).saturating_add(
            Weight::from_parts(60_000_000, 8_192)
                .saturating_add(RocksDbWeight::get().reads_writes(8, 8)),
        )
    }

    fn claim_value() -> Weight {
        Weight::from_parts(60_000_000, 8_192)
            .saturating_add(RocksDbWeight::get().reads_writes(8, 8))
            .saturating_add(Self::dispatch_overhead())
    }

    fn task() -> Weight {
        Weight::from_parts(80_000_000, 16_384)
            .saturating_add(RocksDbWeight::get().reads_writes(10, 10))
    }

    fn dispatch_overhead() -> Weight {
        // Measured (docs/PERFORMANCE.md): with the module cached, a PING's setup around the
        // program's own (gas-metered) work costs ~35 µs natively; 100 µs leaves room for the
        // in-runtime slowdown until frame-benchmarking replaces this estimate.
        Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(8, 8))
    }
}

impl WeightInfo for () {
    fn upload_code(c: u32) -> Weight {
        SubstrateWeight::<()>::upload_code(c)
    }
    fn upload_program(c: u32, s: u32, p: u32) -> Weight {
        SubstrateWeight::<()>::upload_program(c, s, p)
    }
    fn create_program(s: u32, p: u32) -> Weight {
        SubstrateWeight::<()>::create_program(s, p)
    }
    fn send_message(p: u32) -> Weight {
        SubstrateWeight::<()>::send_message(p)
    }
    fn send_reply(p: u32) -> Weight {
        SubstrateWeight::<()>::send_reply(p)
    }
    fn claim_value() -> Weight {
        SubstrateWeight::<()>::claim_value()
    }
    fn dispatch_overhead() -> Weight {
        SubstrateWeight::<()>::dispatch_overhead()
    }
    fn task() -> Weight {
        SubstrateWeight::<()>::task()
    }
}
