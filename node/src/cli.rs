//! Command line interface of `gear-node`.
//!
//! Parachain arguments come first; the arguments after `--` go to the embedded relay chain node
//! (ignored in dev mode).

use std::path::PathBuf;

use polkadot_sdk::*;

use crate::dev::DevSealMode;

/// Default dev block time (ms) when `--dev` is given without `--dev-block-time`.
pub const DEFAULT_DEV_BLOCK_TIME_MS: u64 = 3000;

/// Sub-commands supported by the node.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Key management CLI utilities.
    #[command(subcommand)]
    Key(sc_cli::KeySubcommand),

    /// Build a chain specification.
    ///
    /// DEPRECATED: use `export-chain-spec` (or `chain-spec-builder`) instead.
    BuildSpec(sc_cli::BuildSpecCmd),

    /// Export a chain specification (`--chain dev|local|local-<para-id>|<path>`).
    ExportChainSpec(sc_cli::ExportChainSpecCmd),

    /// Validate blocks.
    CheckBlock(sc_cli::CheckBlockCmd),

    /// Export blocks.
    ExportBlocks(sc_cli::ExportBlocksCmd),

    /// Export the state of a given block into a chain spec.
    ExportState(sc_cli::ExportStateCmd),

    /// Import blocks.
    ImportBlocks(sc_cli::ImportBlocksCmd),

    /// Revert the chain to a previous state.
    Revert(sc_cli::RevertCmd),

    /// Remove the whole chain: the parachain and the relay chain databases.
    PurgeChain(cumulus_client_cli::PurgeChainCmd),

    /// Export the genesis head data of the parachain.
    ///
    /// Head data is the encoded block header.
    #[command(alias = "export-genesis-state")]
    ExportGenesisHead(cumulus_client_cli::ExportGenesisHeadCommand),

    /// Export the genesis wasm of the parachain.
    ExportGenesisWasm(cumulus_client_cli::ExportGenesisWasmCommand),

    /// Sub-commands concerned with benchmarking.
    ///
    /// `pallet` runs the benchmarks of a runtime built with `runtime-benchmarks`, given as
    /// `--runtime <wasm>` (`scripts/bench-weights.sh`).
    #[command(subcommand)]
    Benchmark(frame_benchmarking_cli::BenchmarkCmd),
}

const AFTER_HELP_EXAMPLE: &str = color_print::cstr!(
    r#"<bold><underline>Examples:</></>
   <bold>gear-node --dev</>
           Run a single-node development chain without a relay chain (a block every 3 s).
   <bold>gear-node --dev --instant-seal --rpc-port 9944</>
           Same, but seal a block as soon as a transaction arrives.
   <bold>gear-node export-chain-spec --chain local > gear-local.json</>
           Export the local testnet chain spec (para id 2000) as JSON.
   <bold>gear-node --collator --alice --chain local --tmp -- --chain rococo-local.json</>
           Run a collator attached to a local relay chain (relay chain arguments after `--`).
 "#
);

/// The `gear-node` command line.
#[derive(Debug, clap::Parser)]
#[command(
    propagate_version = true,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = AFTER_HELP_EXAMPLE
)]
pub struct Cli {
    // A sub-command; without one the node runs.
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    // Parachain node parameters.
    #[command(flatten)]
    pub run: cumulus_client_cli::RunCmd,

    /// Disable automatic hardware benchmarks.
    ///
    /// By default these benchmarks are automatically ran at startup and measure
    /// the CPU speed, the memory bandwidth and the disk speed.
    ///
    /// The results are then printed out in the logs, and also sent as part of
    /// telemetry, if telemetry is enabled.
    #[arg(long)]
    pub no_hardware_benchmarks: bool,

    /// Run a relay-less dev node that seals a block every `<MILLISECONDS>`.
    ///
    /// No relay chain and no peers: the parachain inherent is mocked. `--dev` implies this with
    /// 3000 ms unless `--instant-seal` is given. Chain time advances by max(slot duration, 6 s)
    /// per block whatever the block time.
    #[arg(
        long,
        value_name = "MILLISECONDS",
        value_parser = clap::value_parser!(u64).range(1..),
        conflicts_with = "instant_seal"
    )]
    pub dev_block_time: Option<u64>,

    /// Run a relay-less dev node that seals a block as soon as a transaction arrives.
    #[arg(long, conflicts_with = "dev_block_time")]
    pub instant_seal: bool,

    /// Relay chain arguments (after `--`).
    #[arg(raw = true)]
    pub relay_chain_args: Vec<String>,
}

impl Cli {
    /// The dev seal mode, if the node runs in relay-less dev mode.
    pub fn dev_mode(&self) -> Option<DevSealMode> {
        if self.instant_seal {
            Some(DevSealMode::InstantSeal)
        } else if let Some(block_time) = self.dev_block_time {
            Some(DevSealMode::ManualSeal(block_time))
        } else if self.run.base.shared_params.dev {
            Some(DevSealMode::ManualSeal(DEFAULT_DEV_BLOCK_TIME_MS))
        } else {
            None
        }
    }
}

/// The relay chain command line (the arguments after `--`).
#[derive(Debug)]
pub struct RelayChainCli {
    /// The actual relay chain cli object.
    pub base: polkadot_cli::RunCmd,

    /// Optional chain id that should be passed to the relay chain.
    pub chain_id: Option<String>,

    /// The base path that should be used by the relay chain.
    pub base_path: Option<PathBuf>,
}

impl RelayChainCli {
    /// Parse the relay chain CLI parameters using the parachain `Configuration`.
    ///
    /// `relay_chain_args` starts with the binary name.
    pub fn new<'a>(
        para_config: &sc_service::Configuration,
        relay_chain_args: impl Iterator<Item = &'a String>,
    ) -> Self {
        let extension = crate::chain_spec::Extensions::try_get(&*para_config.chain_spec);
        let chain_id = extension.map(|e| e.relay_chain.clone());
        let base_path = para_config.base_path.path().join("polkadot");
        Self {
            base_path: Some(base_path),
            chain_id,
            base: clap::Parser::parse_from(relay_chain_args),
        }
    }
}
