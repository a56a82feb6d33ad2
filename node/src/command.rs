//! Command dispatch: sub-commands, the relay-less dev node and the collator.

use polkadot_sdk::*;

use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use gear_runtime::opaque::Block;
use sc_cli::{
    ChainSpec, CliConfiguration, DefaultConfigurationValues, ImportParams, KeystoreParams,
    NetworkParams, Result, RpcEndpoint, SharedParams, SubstrateCli,
};
use sc_network::config::NetworkBackendType;
use sc_service::{
    config::{BasePath, PrometheusConfig},
    Configuration, TaskManager,
};

use cumulus_client_service::storage_proof_size::HostFunctions as ReclaimHostFunctions;
use sp_runtime::traits::HashingFor;

use crate::{
    chain_spec,
    cli::{Cli, RelayChainCli, Subcommand},
    service::{new_partial, Hash},
};

const IMPL_NAME: &str = "Gear Parachain Collator";

fn node_description() -> String {
    format!(
        "{IMPL_NAME}\n\nThe command-line arguments provided first will be passed to the \
         parachain node, while the arguments provided after -- will be passed to the relay \
         chain node.\n\n{} <parachain-args> -- <relay-chain-args>\n\n`{} --dev` runs a \
         single-node development chain without a relay chain.",
        Cli::executable_name(),
        Cli::executable_name(),
    )
}

impl SubstrateCli for Cli {
    fn impl_name() -> String {
        IMPL_NAME.into()
    }

    fn impl_version() -> String {
        env!("SUBSTRATE_CLI_IMPL_VERSION").into()
    }

    fn description() -> String {
        node_description()
    }

    fn author() -> String {
        env!("CARGO_PKG_AUTHORS").into()
    }

    fn support_url() -> String {
        "https://github.com/gear-parachain/gear-parachain/issues/new".into()
    }

    fn copyright_start_year() -> i32 {
        2026
    }

    fn load_spec(&self, id: &str) -> std::result::Result<Box<dyn sc_service::ChainSpec>, String> {
        chain_spec::load_spec(id)
    }
}

impl SubstrateCli for RelayChainCli {
    fn impl_name() -> String {
        IMPL_NAME.into()
    }

    fn impl_version() -> String {
        env!("SUBSTRATE_CLI_IMPL_VERSION").into()
    }

    fn description() -> String {
        node_description()
    }

    fn author() -> String {
        env!("CARGO_PKG_AUTHORS").into()
    }

    fn support_url() -> String {
        "https://github.com/gear-parachain/gear-parachain/issues/new".into()
    }

    fn copyright_start_year() -> i32 {
        2026
    }

    fn load_spec(&self, id: &str) -> std::result::Result<Box<dyn sc_service::ChainSpec>, String> {
        polkadot_cli::Cli::from_iter([RelayChainCli::executable_name()].iter()).load_spec(id)
    }
}

/// Run a chain-ops sub-command on top of the partial components.
macro_rules! construct_async_run {
    (|$components:ident, $cli:ident, $cmd:ident, $config:ident| $( $code:tt )* ) => {{
        let runner = $cli.create_runner($cmd)?;
        runner.async_run(|$config| {
            let $components = new_partial(&$config)?;
            let task_manager = $components.task_manager;
            { $( $code )* }.map(|v| (v, task_manager))
        })
    }};
}

/// Parse the command line and run the node or the requested sub-command.
pub fn run() -> Result<()> {
    let cli = Cli::from_args();

    match &cli.subcommand {
        Some(Subcommand::Key(cmd)) => cmd.run(&cli),
        Some(Subcommand::BuildSpec(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            log::warn!("`build-spec` is deprecated: use `export-chain-spec` instead.");
            runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
        }
        Some(Subcommand::ExportChainSpec(cmd)) => {
            let spec = cli.load_spec(&cmd.chain)?;
            cmd.run(spec)
        }
        Some(Subcommand::CheckBlock(cmd)) => {
            construct_async_run!(|components, cli, cmd, config| {
                Ok(cmd.run(components.client, components.import_queue))
            })
        }
        Some(Subcommand::ExportBlocks(cmd)) => {
            construct_async_run!(|components, cli, cmd, config| {
                Ok(cmd.run(components.client, config.database))
            })
        }
        Some(Subcommand::ExportState(cmd)) => {
            construct_async_run!(|components, cli, cmd, config| {
                Ok(cmd.run(components.client, config.chain_spec))
            })
        }
        Some(Subcommand::ImportBlocks(cmd)) => {
            construct_async_run!(|components, cli, cmd, config| {
                Ok(cmd.run(components.client, components.import_queue))
            })
        }
        Some(Subcommand::Revert(cmd)) => {
            construct_async_run!(|components, cli, cmd, config| {
                Ok(cmd.run(components.client, components.backend, None))
            })
        }
        Some(Subcommand::PurgeChain(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| {
                let polkadot_cli = RelayChainCli::new(
                    &config,
                    [RelayChainCli::executable_name()]
                        .iter()
                        .chain(cli.relay_chain_args.iter()),
                );
                let polkadot_config = SubstrateCli::create_configuration(
                    &polkadot_cli,
                    &polkadot_cli,
                    config.tokio_handle.clone(),
                )
                .map_err(|err| format!("Relay chain argument error: {err}"))?;

                cmd.run(config, polkadot_config)
            })
        }
        Some(Subcommand::ExportGenesisHead(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| {
                let partials = new_partial(&config)?;
                cmd.run(partials.client)
            })
        }
        Some(Subcommand::ExportGenesisWasm(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|_config| {
                let spec = cli.load_spec(&cmd.shared_params.chain.clone().unwrap_or_default())?;
                cmd.run(&*spec)
            })
        }
        Some(Subcommand::Benchmark(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            match cmd {
                // The benchmarks run inside a runtime built with `runtime-benchmarks`, given as
                // `--runtime <wasm>` (`scripts/bench-weights.sh`); this node needs no feature.
                BenchmarkCmd::Pallet(cmd) => runner.sync_run(|_config| {
                    let chain = cmd
                        .shared_params
                        .chain
                        .as_ref()
                        .map(|chain| cli.load_spec(chain))
                        .transpose()?;
                    cmd.run_with_spec::<HashingFor<Block>, ReclaimHostFunctions>(chain)
                }),
                BenchmarkCmd::Block(cmd) => runner.sync_run(|config| {
                    let partials = new_partial(&config)?;
                    cmd.run(partials.client)
                }),
                BenchmarkCmd::Machine(cmd) => {
                    runner.sync_run(|config| cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()))
                }
                BenchmarkCmd::Storage(_)
                | BenchmarkCmd::Overhead(_)
                | BenchmarkCmd::Extrinsic(_) => Err(sc_cli::Error::Input(
                    "This benchmark sub-command is not supported by gear-node; supported: \
                         `pallet`, `block`, `machine`."
                        .into(),
                )),
            }
        }
        None => {
            let runner = cli.create_runner(&cli.run.normalize())?;
            runner.run_node_until_exit(|config| start_node(&cli, config))
        }
    }
}

/// Start the node: the relay-less dev service, or the parachain node attached to a relay chain.
async fn start_node(cli: &Cli, config: Configuration) -> Result<TaskManager> {
    if let Some(mode) = cli.dev_mode() {
        if !cli.relay_chain_args.is_empty() {
            log::warn!(
                "Dev mode runs without a relay chain: the relay chain arguments are ignored."
            );
        }
        let task_manager = match config.network.network_backend {
            NetworkBackendType::Libp2p => {
                crate::dev::start_dev_node::<sc_network::NetworkWorker<Block, Hash>>(config, mode)
            }
            NetworkBackendType::Litep2p => {
                crate::dev::start_dev_node::<sc_network::Litep2pNetworkBackend>(config, mode)
            }
        }?;
        return Ok(task_manager);
    }

    let collator_options = cli.run.collator_options();

    let hwbench = (!cli.no_hardware_benchmarks)
        .then(|| {
            config.database.path().map(|database_path| {
                let _ = std::fs::create_dir_all(database_path);
                sc_sysinfo::gather_hwbench(Some(database_path), &SUBSTRATE_REFERENCE_HARDWARE)
            })
        })
        .flatten();

    let polkadot_cli = RelayChainCli::new(
        &config,
        [RelayChainCli::executable_name()]
            .iter()
            .chain(cli.relay_chain_args.iter()),
    );

    let tokio_handle = config.tokio_handle.clone();
    let mut polkadot_config =
        SubstrateCli::create_configuration(&polkadot_cli, &polkadot_cli, tokio_handle)
            .map_err(|err| format!("Relay chain argument error: {err}"))?;

    // The relay chain side of a collator does not listen on WebRTC unless asked to.
    let relay_network_params = &polkadot_cli.base.base.network_params;
    if config.role.is_authority()
        && !relay_network_params.force_enable_webrtc
        && relay_network_params.listen_addr.is_empty()
    {
        polkadot_config.network.remove_webrtc_addresses();
    }

    log::info!(
        "✍️ Is collating: {}",
        if config.role.is_authority() {
            "yes"
        } else {
            "no"
        }
    );

    let task_manager = match config.network.network_backend {
        NetworkBackendType::Libp2p => {
            crate::service::start_parachain_node::<sc_network::NetworkWorker<Block, Hash>>(
                config,
                polkadot_config,
                collator_options,
                hwbench,
            )
            .await
        }
        NetworkBackendType::Litep2p => {
            crate::service::start_parachain_node::<sc_network::Litep2pNetworkBackend>(
                config,
                polkadot_config,
                collator_options,
                hwbench,
            )
            .await
        }
    }?;
    Ok(task_manager)
}

impl DefaultConfigurationValues for RelayChainCli {
    fn p2p_listen_port() -> u16 {
        30334
    }

    fn rpc_listen_port() -> u16 {
        9945
    }

    fn prometheus_listen_port() -> u16 {
        9616
    }
}

impl CliConfiguration<Self> for RelayChainCli {
    fn shared_params(&self) -> &SharedParams {
        self.base.base.shared_params()
    }

    fn import_params(&self) -> Option<&ImportParams> {
        self.base.base.import_params()
    }

    fn network_params(&self) -> Option<&NetworkParams> {
        self.base.base.network_params()
    }

    fn keystore_params(&self) -> Option<&KeystoreParams> {
        self.base.base.keystore_params()
    }

    fn base_path(&self) -> Result<Option<BasePath>> {
        Ok(self
            .shared_params()
            .base_path()?
            .or_else(|| self.base_path.clone().map(Into::into)))
    }

    fn rpc_addr(&self, default_listen_port: u16) -> Result<Option<Vec<RpcEndpoint>>> {
        self.base.base.rpc_addr(default_listen_port)
    }

    fn prometheus_config(
        &self,
        default_listen_port: u16,
        chain_spec: &Box<dyn ChainSpec>,
    ) -> Result<Option<PrometheusConfig>> {
        self.base
            .base
            .prometheus_config(default_listen_port, chain_spec)
    }

    fn init<F>(&self, _support_url: &String, _impl_version: &String, _logger_hook: F) -> Result<()>
    where
        F: FnOnce(&mut sc_cli::LoggerBuilder),
    {
        unreachable!("PolkadotCli is never initialized; qed");
    }

    fn chain_id(&self, is_dev: bool) -> Result<String> {
        let chain_id = self.base.base.chain_id(is_dev)?;

        Ok(if chain_id.is_empty() {
            self.chain_id.clone().unwrap_or_default()
        } else {
            chain_id
        })
    }

    fn role(&self, is_dev: bool) -> Result<sc_service::Role> {
        self.base.base.role(is_dev)
    }

    fn transaction_pool(&self, is_dev: bool) -> Result<sc_service::config::TransactionPoolOptions> {
        self.base.base.transaction_pool(is_dev)
    }

    fn trie_cache_maximum_size(&self) -> Result<Option<usize>> {
        self.base.base.trie_cache_maximum_size()
    }

    fn rpc_methods(&self) -> Result<sc_service::config::RpcMethods> {
        self.base.base.rpc_methods()
    }

    fn rpc_max_connections(&self) -> Result<u32> {
        self.base.base.rpc_max_connections()
    }

    fn rpc_cors(&self, is_dev: bool) -> Result<Option<Vec<String>>> {
        self.base.base.rpc_cors(is_dev)
    }

    fn default_heap_pages(&self) -> Result<Option<u64>> {
        self.base.base.default_heap_pages()
    }

    fn force_authoring(&self) -> Result<bool> {
        self.base.base.force_authoring()
    }

    fn disable_grandpa(&self) -> Result<bool> {
        self.base.base.disable_grandpa()
    }

    fn max_runtime_instances(&self) -> Result<Option<usize>> {
        self.base.base.max_runtime_instances()
    }

    fn announce_block(&self) -> Result<bool> {
        self.base.base.announce_block()
    }

    fn telemetry_endpoints(
        &self,
        chain_spec: &Box<dyn ChainSpec>,
    ) -> Result<Option<sc_telemetry::TelemetryEndpoints>> {
        self.base.base.telemetry_endpoints(chain_spec)
    }

    fn node_name(&self) -> Result<String> {
        self.base.base.node_name()
    }
}
