//! The relay-less dev service (`--dev`, `--dev-block-time`, `--instant-seal`).
//!
//! Blocks are produced by manual seal (on a timer) or instant seal (on each new transaction),
//! with no relay chain and no peers. The parachain inherent is mocked
//! ([`MockValidationDataInherentDataProvider`]) and made consistent with what the Cumulus
//! runtime pallets check:
//! - the mocked relay parent number strictly increases and equals a relay slot that starts two
//!   hours in the past and advances by `max(para slot / 6 s, 1)` relay slots per block;
//! - the timestamp is exactly `relay slot × 6000 ms`, so the Aura slot matches the relay-derived
//!   slot (`FixedVelocityConsensusHook`) and always increases (pallet-aura);
//! - the mocked relay state contains the parent's head data as the included head;
//! - when the runtime has scheduled a validation code upgrade, the mocked relay chain gives the
//!   go-ahead, so runtime upgrades work in dev.
//!
//! Consequence: chain time advances `max(slot duration, 6 s)` per block whatever the dev block
//! time is.

use std::{sync::Arc, time::Duration};

use polkadot_sdk::*;

use codec::Encode;
use cumulus_client_parachain_inherent::MockValidationDataInherentDataProvider;
use cumulus_primitives_core::{
    relay_chain::{HeadData, UpgradeGoAhead},
    CollectCollationInfo, ParaId, RelayParentOffsetApi,
};
use gear_runtime::opaque::Block;
use sc_consensus::LongestChain;
use sc_consensus_manual_seal::{consensus::aura::AuraConsensusDataProvider, EngineCommand};
use sc_network::NetworkBackend;
use sc_service::{Configuration, PartialComponents, TaskManager};
use sp_api::ProvideRuntimeApi;
use sp_consensus_aura::SlotDuration;
use sp_runtime::traits::Header as HeaderT;

use crate::service::{Hash, ParachainClient};

/// How the dev service seals blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevSealMode {
    /// Seal (and finalize) a block every given number of milliseconds.
    ManualSeal(u64),
    /// Seal a block as soon as a transaction enters the pool.
    InstantSeal,
}

/// The relay chain slot duration the mocked relay chain uses.
const RELAY_CHAIN_SLOT_DURATION_MILLIS: u64 = 6000;

/// Number of para blocks per mocked relay chain epoch.
const PARA_BLOCKS_PER_RELAY_EPOCH: u32 = 10;

/// The inherent data providers of a dev block.
type DevInherentDataProviders = (
    sp_timestamp::InherentDataProvider,
    MockValidationDataInherentDataProvider<()>,
);

/// Build the inherent data providers of the block built on top of `parent`.
///
/// `initial_relay_slot` is the relay slot "before block 0"; block `n` gets relay slot
/// `initial_relay_slot + n × relay_blocks_per_para_block`.
fn dev_inherent_data_providers(
    client: &ParachainClient,
    parent: Hash,
    para_id: ParaId,
    slot_duration: SlotDuration,
    initial_relay_slot: u64,
) -> Result<DevInherentDataProviders, Box<dyn std::error::Error + Send + Sync>> {
    let parent_header = client
        .header(parent)?
        .ok_or_else(|| format!("Parent header {parent:?} not found in the backend"))?;

    let runtime_api = client.runtime_api();

    // Runtime upgrades: give the go-ahead as soon as the runtime has scheduled new code.
    let should_send_go_ahead = runtime_api
        .collect_collation_info(parent, &parent_header)
        .map(|info| info.new_validation_code.is_some())
        .unwrap_or_default();

    let relay_parent_offset = runtime_api.relay_parent_offset(parent).unwrap_or_default();

    let current_para_block: u32 = *parent_header.number() + 1;
    let relay_blocks_per_para_block =
        (slot_duration.as_millis() / RELAY_CHAIN_SLOT_DURATION_MILLIS).max(1) as u32;

    let target_relay_slot =
        initial_relay_slot + u64::from(current_para_block) * u64::from(relay_blocks_per_para_block);
    // The mocked relay parent number is `relay_offset + relay_blocks_per_para_block ×
    // current_para_block`; choose the offset so that it equals the relay slot.
    let relay_offset = u32::try_from(target_relay_slot)
        .map_err(|_| "The mocked relay slot does not fit into a relay block number")?
        .saturating_sub(relay_blocks_per_para_block * current_para_block);

    let mocked_parachain = MockValidationDataInherentDataProvider::<()> {
        current_para_block,
        para_id,
        current_para_block_head: Some(HeadData(parent_header.encode())),
        relay_offset,
        relay_parent_offset,
        relay_blocks_per_para_block,
        para_blocks_per_relay_epoch: PARA_BLOCKS_PER_RELAY_EPOCH,
        upgrade_go_ahead: should_send_go_ahead.then(|| {
            log::info!("Pending validation code detected: sending the upgrade go-ahead.");
            UpgradeGoAhead::GoAhead
        }),
        ..Default::default()
    };

    let timestamp = sp_timestamp::InherentDataProvider::new(
        (target_relay_slot * RELAY_CHAIN_SLOT_DURATION_MILLIS).into(),
    );

    Ok((timestamp, mocked_parachain))
}

/// Start the dev node: manual or instant seal, no relay chain, no peers.
pub fn start_dev_node<Net: NetworkBackend<Block, Hash>>(
    mut config: Configuration,
    mode: DevSealMode,
) -> Result<TaskManager, sc_service::Error> {
    let PartialComponents {
        client,
        backend,
        mut task_manager,
        import_queue,
        keystore_container,
        select_chain: _,
        transaction_pool,
        other: (_, mut telemetry, _),
    } = crate::service::new_partial(&config)?;

    // A dev node works alone.
    config.network.default_peers_set.in_peers = 0;
    config.network.default_peers_set.out_peers = 0;

    let prometheus_registry = config.prometheus_registry().cloned();
    let net_config = sc_network::config::FullNetworkConfiguration::<_, _, Net>::new(
        &config.network,
        prometheus_registry.clone(),
    );
    let metrics = Net::register_notification_metrics(prometheus_registry.as_ref());

    let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap_handle) =
        sc_service::build_network(sc_service::BuildNetworkParams {
            config: &config,
            net_config,
            client: client.clone(),
            transaction_pool: transaction_pool.clone(),
            spawn_handle: task_manager.spawn_handle(),
            spawn_essential_handle: task_manager.spawn_essential_handle(),
            import_queue,
            block_announce_validator_builder: None,
            warp_sync_config: None,
            block_relay: None,
            metrics,
            gap_sync_body_policy: None,
        })?;

    crate::service::spawn_offchain_workers(
        &config,
        &task_manager,
        client.clone(),
        &backend,
        keystore_container.keystore(),
        transaction_pool.clone(),
        network.clone(),
    )?;

    let proposer = sc_basic_authorship::ProposerFactory::new(
        task_manager.spawn_handle(),
        client.clone(),
        transaction_pool.clone(),
        prometheus_registry.as_ref(),
        telemetry.as_ref().map(|t| t.handle()),
    );

    // Changing the slot duration at runtime is not supported.
    let slot_duration = sc_consensus_aura::slot_duration(&*client)?;
    // Digests (Aura pre-runtime slot) that match the timestamp inherent.
    let consensus_data_provider =
        AuraConsensusDataProvider::<Block>::new_with_slot_duration(slot_duration);

    let para_id = crate::service::parachain_id(&client, &config)?;

    // Start two hours in the past so that timestamps do not immediately run into the future.
    let now_millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| sc_service::Error::Other(format!("System clock before UNIX epoch: {e}")))?
        .as_millis() as u64;
    let initial_relay_slot =
        now_millis.saturating_sub(2 * 60 * 60 * 1000) / RELAY_CHAIN_SLOT_DURATION_MILLIS;

    let create_inherent_data_providers = {
        let client = client.clone();
        move |parent: Hash, _: ()| {
            futures::future::ready(dev_inherent_data_providers(
                &client,
                parent,
                para_id,
                slot_duration,
                initial_relay_slot,
            ))
        }
    };

    match mode {
        DevSealMode::InstantSeal => {
            log::info!("🔨 Dev mode: instant seal (a block per incoming transaction)");
            let authorship = sc_consensus_manual_seal::run_instant_seal(
                sc_consensus_manual_seal::InstantSealParams {
                    block_import: client.clone(),
                    env: proposer,
                    client: client.clone(),
                    pool: transaction_pool.clone(),
                    select_chain: LongestChain::new(backend.clone()),
                    consensus_data_provider: Some(Box::new(consensus_data_provider)),
                    create_inherent_data_providers,
                },
            );
            task_manager
                .spawn_essential_handle()
                .spawn_blocking("instant-seal", None, authorship);
        }
        DevSealMode::ManualSeal(block_time_ms) => {
            log::info!("🔨 Dev mode: manual seal, a block every {block_time_ms} ms");
            let (mut seal_sink, seal_stream) = futures::channel::mpsc::channel(1024);
            let block_time = Duration::from_millis(block_time_ms);
            task_manager
                .spawn_handle()
                .spawn("dev-block-timer", None, async move {
                    loop {
                        futures_timer::Delay::new(block_time).await;
                        let command = EngineCommand::SealNewBlock {
                            create_empty: true,
                            finalize: true,
                            parent_hash: None,
                            sender: None,
                        };
                        if let Err(err) = seal_sink.try_send(command) {
                            if err.is_disconnected() {
                                break;
                            }
                            log::warn!(
                                "Block production lags behind the dev block time; skipping a tick"
                            );
                        }
                    }
                });

            let authorship = sc_consensus_manual_seal::run_manual_seal(
                sc_consensus_manual_seal::ManualSealParams {
                    block_import: client.clone(),
                    env: proposer,
                    client: client.clone(),
                    pool: transaction_pool.clone(),
                    commands_stream: seal_stream,
                    select_chain: LongestChain::new(backend.clone()),
                    consensus_data_provider: Some(Box::new(consensus_data_provider)),
                    create_inherent_data_providers,
                },
            );
            task_manager
                .spawn_essential_handle()
                .spawn_blocking("manual-seal", None, authorship);
        }
    }

    sc_service::spawn_tasks(sc_service::SpawnTasksParams {
        rpc_builder: crate::service::rpc_builder(client.clone(), transaction_pool.clone()),
        client: client.clone(),
        transaction_pool,
        task_manager: &mut task_manager,
        config,
        keystore: keystore_container.keystore(),
        backend,
        network,
        sync_service,
        system_rpc_tx,
        tx_handler_controller,
        telemetry: telemetry.as_mut(),
        tracing_execute_block: Some(Arc::new(
            cumulus_client_service::ParachainTracingExecuteBlock::new(client),
        )),
    })?;

    Ok(task_manager)
}
