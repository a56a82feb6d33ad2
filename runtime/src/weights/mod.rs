//! Weights of the SDK pallets whose work every signed extrinsic does (the transaction
//! extensions) and of those users call (`pallet_utility`, `pallet_xcm`), measured for this
//! runtime on this chain's machine (`scripts/bench-weights.sh`, through
//! `scripts/runtime-weight-template.hbs`). Generated; rerun the script rather than editing them.

pub mod cumulus_pallet_weight_reclaim;
pub mod frame_system_extensions;
pub mod pallet_transaction_payment;
pub mod pallet_utility;
pub mod pallet_xcm;
