//! `gear-node`: the Cumulus collator node of the Gear parachain.
//!
//! - `gear-node --dev` (or `--dev-block-time <ms>` / `--instant-seal`) runs a single-node
//!   development chain without a relay chain ([`dev`]);
//! - otherwise the node is a parachain full node or, with `--collator`, an Aura collator attached
//!   to a relay chain whose arguments follow `--` ([`service`]).

// `polkadot_cli::Error` (the error type sc-cli's `Runner` and Cumulus' commands return) is large;
// it is returned once, at exit.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod dev;
mod rpc;
mod service;

use polkadot_sdk::*;

fn main() -> sc_cli::Result<()> {
    command::run()
}
