//! Weights of the SDK pallets whose work every signed extrinsic does, measured for this runtime
//! on this chain's machine (`scripts/bench-weights.sh`, through
//! `scripts/runtime-weight-template.hbs`): the transaction extensions. Generated; rerun the
//! script rather than editing them.

pub mod cumulus_pallet_weight_reclaim;
pub mod frame_system_extensions;
pub mod pallet_transaction_payment;
