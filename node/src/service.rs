//! The collator service: client, transaction pool and import queue (shared with the dev
//! service), and the relay-chain-attached parachain node with the Aura `lookahead` collator
//! (asynchronous backing).

use std::{sync::Arc, time::Duration};

use polkadot_sdk::*;

use gear_runtime::{opaque::Block, RuntimeApi};

// Cumulus
use cumulus_client_bootnodes::{start_bootnode_tasks, StartBootnodeTasksParams};
use cumulus_client_cli::CollatorOptions;
use cumulus_client_collator::service::CollatorService;
use cumulus_client_consensus_aura::collators::lookahead::{self as aura, Params as AuraParams};
use cumulus_client_consensus_common::ParachainBlockImport as TParachainBlockImport;
use cumulus_client_service::{
    build_network, build_relay_chain_interface, prepare_node_config, start_relay_chain_tasks,
    BuildNetworkParams, DARecoveryProfile, ParachainTracingExecuteBlock,
    StartRelayChainTasksParams,
};
use cumulus_primitives_core::{
    relay_chain::{CollatorPair, ValidationCode},
    GetParachainInfo, ParaId,
};
use cumulus_relay_chain_interface::{OverseerHandle, RelayChainInterface};

// Substrate
use frame_benchmarking_cli::SUBSTRATE_REFERENCE_HARDWARE;
use futures::FutureExt;
use sc_client_api::Backend;
use sc_consensus::ImportQueue;
use sc_executor::{HeapAllocStrategy, WasmExecutor, DEFAULT_HEAP_ALLOC_STRATEGY};
use sc_network::{NetworkBackend, NetworkBlock, NetworkStateInfo, PeerId};
use sc_service::{Configuration, PartialComponents, TFullBackend, TFullClient, TaskManager};
use sc_telemetry::{Telemetry, TelemetryHandle, TelemetryWorker, TelemetryWorkerHandle};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_keystore::KeystorePtr;
use sp_runtime::traits::Block as BlockT;
use substrate_prometheus_endpoint::Registry;

/// Block hash type.
pub type Hash = <Block as BlockT>::Hash;

/// Host functions of the Wasm executor: the parachain host functions (Substrate's plus
/// `storage_proof_size` for PoV reclaim and the RFC-163 elliptic-curve ones) and the
/// benchmarking host functions (used only by runtimes built with `runtime-benchmarks`).
pub type HostFunctions = (
    cumulus_client_service::ParachainHostFunctions,
    frame_benchmarking::benchmarking::HostFunctions,
);

/// The Wasm executor of the node.
pub type ParachainExecutor = WasmExecutor<HostFunctions>;

/// The full client.
pub type ParachainClient = TFullClient<Block, RuntimeApi, ParachainExecutor>;

/// The full backend.
pub type ParachainBackend = TFullBackend<Block>;

/// Block import used by the import queue and the collator.
pub type ParachainBlockImport =
    TParachainBlockImport<Block, Arc<ParachainClient>, ParachainBackend>;

/// The transaction pool.
pub type ParachainTransactionPool =
    sc_transaction_pool::TransactionPoolHandle<Block, ParachainClient>;

/// Assembly of `PartialComponents` (enough to run chain ops subcommands).
pub type Service = PartialComponents<
    ParachainClient,
    ParachainBackend,
    (),
    sc_consensus::DefaultImportQueue<Block>,
    ParachainTransactionPool,
    (
        ParachainBlockImport,
        Option<Telemetry>,
        Option<TelemetryWorkerHandle>,
    ),
>;

/// The relay chain slot duration (the parachain is built on relay blocks of 6 s).
pub const RELAY_CHAIN_SLOT_DURATION: Duration = Duration::from_secs(6);

/// Build the client, backend, transaction pool and import queue.
///
/// Used by the collator, the dev service and the chain ops subcommands.
pub fn new_partial(config: &Configuration) -> Result<Service, sc_service::Error> {
    let telemetry = config
        .telemetry_endpoints
        .clone()
        .filter(|x| !x.is_empty())
        .map(|endpoints| -> Result<_, sc_telemetry::Error> {
            let worker = TelemetryWorker::new(16)?;
            let telemetry = worker.handle().new_telemetry(endpoints);
            Ok((worker, telemetry))
        })
        .transpose()?;

    let heap_pages = config
        .executor
        .default_heap_pages
        .map_or(DEFAULT_HEAP_ALLOC_STRATEGY, |h| HeapAllocStrategy::Static {
            extra_pages: h as _,
        });

    let executor = ParachainExecutor::builder()
        .with_execution_method(config.executor.wasm_method)
        .with_onchain_heap_alloc_strategy(heap_pages)
        .with_offchain_heap_alloc_strategy(heap_pages)
        .with_max_runtime_instances(config.executor.max_runtime_instances)
        .with_runtime_cache_size(config.executor.runtime_cache_size)
        .build();

    let (client, backend, keystore_container, task_manager) =
        sc_service::new_full_parts_record_import::<Block, RuntimeApi, _>(
            config,
            telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
            executor,
            // Record the storage proof on import (needed for PoV reclaim).
            true,
            // No pruning filters.
            Vec::new(),
        )?;
    let client = Arc::new(client);

    let telemetry_worker_handle = telemetry.as_ref().map(|(worker, _)| worker.handle());

    let telemetry = telemetry.map(|(worker, telemetry)| {
        task_manager
            .spawn_handle()
            .spawn("telemetry", None, worker.run());
        telemetry
    });

    let transaction_pool = Arc::from(
        sc_transaction_pool::Builder::new(
            task_manager.spawn_essential_handle(),
            client.clone(),
            config.role.is_authority().into(),
        )
        .with_options(config.transaction_pool.clone())
        .with_prometheus(config.prometheus_registry())
        .build(),
    );

    let block_import = ParachainBlockImport::new(client.clone(), backend.clone());

    let import_queue = build_import_queue(
        client.clone(),
        block_import.clone(),
        config,
        telemetry.as_ref().map(|telemetry| telemetry.handle()),
        &task_manager,
    );

    Ok(PartialComponents {
        backend,
        client,
        import_queue,
        keystore_container,
        task_manager,
        transaction_pool,
        select_chain: (),
        other: (block_import, telemetry, telemetry_worker_handle),
    })
}

/// Build the import queue: Aura seal and equivocation checks plus inherent checks.
fn build_import_queue(
    client: Arc<ParachainClient>,
    block_import: ParachainBlockImport,
    config: &Configuration,
    telemetry: Option<TelemetryHandle>,
    task_manager: &TaskManager,
) -> sc_consensus::DefaultImportQueue<Block> {
    cumulus_client_consensus_aura::equivocation_import_queue::fully_verifying_import_queue::<
        sp_consensus_aura::sr25519::AuthorityPair,
        _,
        _,
        _,
        _,
    >(
        client,
        block_import,
        move |_, _| async move {
            let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
            Ok(timestamp)
        },
        &task_manager.spawn_essential_handle(),
        config.prometheus_registry(),
        telemetry,
    )
}

/// The parachain id: the runtime's (`GetParachainInfo`), else the chain spec's `para_id`.
pub fn parachain_id(
    client: &ParachainClient,
    config: &Configuration,
) -> Result<ParaId, sc_service::Error> {
    let from_spec = crate::chain_spec::Extensions::try_get(&*config.chain_spec)
        .map(|e| ParaId::from(e.para_id));
    let best_hash = client.info().best_hash;

    let para_id = match client.runtime_api().parachain_id(best_hash) {
        Ok(para_id) => {
            if let Some(spec_para_id) = from_spec.filter(|id| *id != para_id) {
                log::warn!(
                    "The chain spec says para id {spec_para_id:?} but the runtime state says \
                     {para_id:?}; using the runtime's."
                );
            }
            para_id
        }
        Err(err) => {
            log::warn!("`GetParachainInfo::parachain_id` failed ({err}); using the chain spec's.");
            from_spec.ok_or(
                "Could not find the parachain id in the runtime nor in the chain spec \
                 (`para_id` extension).",
            )?
        }
    };

    log::info!("🪪 Parachain id: {para_id:?}");
    Ok(para_id)
}

/// The RPC builder handed to `sc_service::spawn_tasks`, shared by both services.
pub fn rpc_builder(
    client: Arc<ParachainClient>,
    pool: Arc<ParachainTransactionPool>,
) -> Box<
    dyn Fn(sc_rpc::SubscriptionTaskExecutor) -> Result<crate::rpc::RpcExtension, sc_service::Error>,
> {
    Box::new(move |_subscription_executor| {
        let deps = crate::rpc::FullDeps {
            client: client.clone(),
            pool: pool.clone(),
        };
        crate::rpc::create_full(deps).map_err(Into::into)
    })
}

/// Spawn the offchain workers if enabled.
pub fn spawn_offchain_workers(
    config: &Configuration,
    task_manager: &TaskManager,
    client: Arc<ParachainClient>,
    backend: &ParachainBackend,
    keystore: KeystorePtr,
    transaction_pool: Arc<ParachainTransactionPool>,
    network: Arc<dyn sc_network::service::traits::NetworkService>,
) -> Result<(), sc_service::Error> {
    if !config.offchain_worker.enabled {
        return Ok(());
    }
    let offchain_workers = sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
        runtime_api_provider: client.clone(),
        keystore: Some(keystore),
        offchain_db: backend.offchain_storage(),
        transaction_pool: Some(OffchainTransactionPoolFactory::new(transaction_pool)),
        network_provider: Arc::new(network),
        is_validator: config.role.is_authority(),
        enable_http_requests: false,
        custom_extensions: move |_| vec![],
    })?;
    task_manager.spawn_handle().spawn(
        "offchain-workers-runner",
        "offchain-work",
        offchain_workers
            .run(client, task_manager.spawn_handle())
            .boxed(),
    );
    Ok(())
}

/// Start the Aura `lookahead` collator (asynchronous backing).
#[allow(clippy::too_many_arguments)]
fn start_consensus(
    client: Arc<ParachainClient>,
    backend: Arc<ParachainBackend>,
    block_import: ParachainBlockImport,
    prometheus_registry: Option<&Registry>,
    telemetry: Option<TelemetryHandle>,
    task_manager: &TaskManager,
    relay_chain_interface: Arc<dyn RelayChainInterface>,
    transaction_pool: Arc<ParachainTransactionPool>,
    keystore: KeystorePtr,
    para_id: ParaId,
    collator_key: CollatorPair,
    collator_peer_id: PeerId,
    overseer_handle: OverseerHandle,
    announce_block: Arc<dyn Fn(Hash, Option<Vec<u8>>) + Send + Sync>,
) -> Result<(), sc_service::Error> {
    let proposer = sc_basic_authorship::ProposerFactory::new(
        task_manager.spawn_handle(),
        client.clone(),
        transaction_pool,
        prometheus_registry,
        telemetry,
    );

    let collator_service = CollatorService::new(client.clone(), announce_block, client.clone());

    let code_hash_client = client.clone();
    let params = AuraParams {
        // Timestamp, slot and parachain inherents are provided by the collator itself.
        create_inherent_data_providers: move |_, ()| async move { Ok(()) },
        block_import,
        para_client: client,
        para_backend: backend,
        relay_client: relay_chain_interface,
        code_hash_provider: move |block_hash| {
            code_hash_client
                .code_at(block_hash)
                .ok()
                .map(|c| ValidationCode::from(c).hash())
        },
        keystore,
        collator_key,
        collator_peer_id,
        para_id,
        overseer_handle,
        relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
        proposer,
        collator_service,
        authoring_duration: Duration::from_millis(2000),
        reinitialize: false,
        max_pov_percentage: None,
    };

    let fut = aura::run::<Block, sp_consensus_aura::sr25519::AuthorityPair, _, _, _, _, _, _, _, _>(
        params,
    );
    task_manager
        .spawn_essential_handle()
        .spawn("aura", None, fut);

    Ok(())
}

/// Start a parachain node (full node, or collator with `--collator`) attached to a relay chain.
#[sc_tracing::logging::prefix_logs_with("Parachain")]
pub async fn start_parachain_node<Net: NetworkBackend<Block, Hash>>(
    parachain_config: Configuration,
    polkadot_config: Configuration,
    collator_options: CollatorOptions,
    hwbench: Option<sc_sysinfo::HwBench>,
) -> sc_service::error::Result<TaskManager> {
    let parachain_config = prepare_node_config(parachain_config);

    let params = new_partial(&parachain_config)?;
    let (block_import, mut telemetry, telemetry_worker_handle) = params.other;

    let client = params.client.clone();
    let backend = params.backend.clone();
    let mut task_manager = params.task_manager;

    let para_id = parachain_id(&client, &parachain_config)?;

    let prometheus_registry = parachain_config.prometheus_registry().cloned();
    let net_config = sc_network::config::FullNetworkConfiguration::<_, _, Net>::new(
        &parachain_config.network,
        prometheus_registry.clone(),
    );
    let metrics = Net::register_notification_metrics(prometheus_registry.as_ref());

    let relay_chain_fork_id = polkadot_config
        .chain_spec
        .fork_id()
        .map(ToString::to_string);
    let parachain_fork_id = parachain_config
        .chain_spec
        .fork_id()
        .map(ToString::to_string);
    let advertise_non_global_ips = parachain_config.network.allow_non_globals_in_dht;
    let parachain_public_addresses = parachain_config.network.public_addresses.clone();

    let (relay_chain_interface, collator_key, relay_chain_network, paranode_rx) =
        build_relay_chain_interface(
            polkadot_config,
            &parachain_config,
            telemetry_worker_handle,
            &mut task_manager,
            collator_options.clone(),
            hwbench.clone(),
        )
        .await
        .map_err(|e| sc_service::Error::Application(Box::new(e) as Box<_>))?;

    let validator = parachain_config.role.is_authority();
    let transaction_pool = params.transaction_pool.clone();
    let import_queue_service = params.import_queue.service();

    let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap_handle) =
        build_network(BuildNetworkParams {
            parachain_config: &parachain_config,
            net_config,
            client: client.clone(),
            transaction_pool: transaction_pool.clone(),
            para_id,
            spawn_handle: task_manager.spawn_handle(),
            spawn_essential_handle: task_manager.spawn_essential_handle(),
            relay_chain_interface: relay_chain_interface.clone(),
            import_queue: params.import_queue,
            metrics,
            gap_sync_body_policy: None,
        })
        .await?;

    spawn_offchain_workers(
        &parachain_config,
        &task_manager,
        client.clone(),
        &backend,
        params.keystore_container.keystore(),
        transaction_pool.clone(),
        network.clone(),
    )?;

    sc_service::spawn_tasks(sc_service::SpawnTasksParams {
        rpc_builder: rpc_builder(client.clone(), transaction_pool.clone()),
        client: client.clone(),
        transaction_pool: transaction_pool.clone(),
        task_manager: &mut task_manager,
        config: parachain_config,
        keystore: params.keystore_container.keystore(),
        backend: backend.clone(),
        network: network.clone(),
        sync_service: sync_service.clone(),
        system_rpc_tx,
        tx_handler_controller,
        telemetry: telemetry.as_mut(),
        tracing_execute_block: Some(Arc::new(ParachainTracingExecuteBlock::new(client.clone()))),
    })?;

    if let Some(hwbench) = hwbench {
        sc_sysinfo::print_hwbench(&hwbench);
        // The requirements for a parachain are dictated by its relay chain.
        if let Err(err) = SUBSTRATE_REFERENCE_HARDWARE.check_hardware(&hwbench, false) {
            if validator {
                log::warn!(
                    "⚠️  The hardware does not meet the minimal requirements {err} for role \
                     'Authority'."
                );
            }
        }

        if let Some(ref mut telemetry) = telemetry {
            let telemetry_handle = telemetry.handle();
            task_manager.spawn_handle().spawn(
                "telemetry_hwbench",
                None,
                sc_sysinfo::initialize_hwbench_telemetry(telemetry_handle, hwbench),
            );
        }
    }

    let announce_block: Arc<dyn Fn(Hash, Option<Vec<u8>>) + Send + Sync> = {
        let sync_service = sync_service.clone();
        Arc::new(move |hash, data| sync_service.announce_block(hash, data))
    };

    let overseer_handle = relay_chain_interface
        .overseer_handle()
        .map_err(|e| sc_service::Error::Application(Box::new(e)))?;

    start_relay_chain_tasks(StartRelayChainTasksParams {
        client: client.clone(),
        announce_block: announce_block.clone(),
        para_id,
        relay_chain_interface: relay_chain_interface.clone(),
        task_manager: &mut task_manager,
        da_recovery_profile: if validator {
            DARecoveryProfile::Collator
        } else {
            DARecoveryProfile::FullNode
        },
        import_queue: import_queue_service,
        relay_chain_slot_duration: RELAY_CHAIN_SLOT_DURATION,
        recovery_handle: Box::new(overseer_handle.clone()),
        sync_service: sync_service.clone(),
        prometheus_registry: prometheus_registry.as_ref(),
    })?;

    let collator_peer_id = relay_chain_network.local_peer_id();

    start_bootnode_tasks(StartBootnodeTasksParams {
        embedded_dht_bootnode: collator_options.embedded_dht_bootnode,
        dht_bootnode_discovery: collator_options.dht_bootnode_discovery,
        para_id,
        task_manager: &mut task_manager,
        relay_chain_interface: relay_chain_interface.clone(),
        relay_chain_fork_id,
        relay_chain_network,
        request_receiver: paranode_rx,
        parachain_network: network,
        advertise_non_global_ips,
        parachain_genesis_hash: client.info().genesis_hash.as_ref().to_vec(),
        parachain_fork_id,
        parachain_public_addresses,
    });

    if validator {
        let collator_key = collator_key
            .ok_or("The node runs as a collator but the relay chain gave no collator key")?;
        start_consensus(
            client.clone(),
            backend,
            block_import,
            prometheus_registry.as_ref(),
            telemetry.as_ref().map(|t| t.handle()),
            &task_manager,
            relay_chain_interface,
            transaction_pool,
            params.keystore_container.keystore(),
            para_id,
            collator_key,
            collator_peer_id,
            overseer_handle,
            announce_block,
        )?;
    }

    Ok(task_manager)
}
