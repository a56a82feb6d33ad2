//! Two parachains running the real runtime in one process, joined by HRMP: what
//! `xcm-emulator` does for parachains, without its relay-chain runtime (which would add a whole
//! relay runtime to the test build).
//!
//! Each chain starts from the `local_testnet` preset with its own para id (so the siblings'
//! sovereign accounts are funded, as on zombienet), sees open HRMP channels to the other chain,
//! and the relay's upward-message limits. A block runs the Gear queue (`on_idle`); [`Network::
//! relay`] takes each chain's outbound XCMP pages and hands them to the recipient's
//! `XcmpQueue`, whose `MessageQueue` executes them at once.

use super::genesis_json;
use cumulus_pallet_parachain_system::{
    relay_state_snapshot::{MessagingStateSnapshot, RelayDispatchQueueRemainingCapacity},
    HostConfiguration, RelevantMessagingState,
};
use gear_runtime::{Gear, MessageQueue, RuntimeGenesisConfig, System, XcmpQueue};
use polkadot_sdk::{
    cumulus_primitives_core::{
        relay_chain::{AbridgedHostConfiguration, AsyncBackingParams},
        AbridgedHrmpChannel, ParaId, XcmpMessageHandler, XcmpMessageSource,
    },
    frame_support::{
        genesis_builder_helper::build_state,
        traits::{Hooks, ServiceQueues},
        weights::Weight,
    },
    sp_genesis_builder,
    sp_io::TestExternalities,
};
use std::collections::BTreeMap;

/// The chains of the local network.
pub const PARA_A: u32 = 2000;
/// The other one.
pub const PARA_B: u32 = 2001;

/// Parachains by id, and the relay block number messages are sent at.
pub struct Network {
    chains: BTreeMap<u32, TestExternalities>,
    relay_block: u32,
}

impl Network {
    /// Paras 2000 and 2001 at block 1.
    pub fn new() -> Self {
        let ids = [PARA_A, PARA_B];
        let chains = ids
            .iter()
            .map(|&id| (id, chain(id, &ids)))
            .collect::<BTreeMap<_, _>>();
        Self {
            chains,
            relay_block: 1,
        }
    }

    /// Runs `f` on chain `para`.
    pub fn on<R>(&mut self, para: u32, f: impl FnOnce() -> R) -> R {
        self.chains
            .get_mut(&para)
            .expect("a chain of the network")
            .execute_with(f)
    }

    /// Ends the current block on `para` (the Gear queue runs) and starts the next.
    pub fn block(&mut self, para: u32) {
        self.on(para, || {
            let now = System::block_number();
            Gear::on_idle(now, Weight::from_parts(2_000_000_000_000, 5 * 1024 * 1024));
            System::set_block_number(now + 1);
            Gear::on_initialize(now + 1);
        });
    }

    /// Delivers every outbound XCMP page to its recipient and executes it there. Returns how
    /// many pages moved.
    pub fn relay(&mut self) -> usize {
        self.relay_block += 1;
        let mut pages = Vec::new();
        for (&sender, ext) in self.chains.iter_mut() {
            ext.execute_with(|| {
                for (recipient, data) in XcmpQueue::take_outbound_messages(usize::MAX, &[]) {
                    pages.push((sender, u32::from(recipient), data));
                }
            });
        }
        let moved = pages.len();
        for (sender, recipient, data) in pages {
            let relay_block = self.relay_block;
            if let Some(ext) = self.chains.get_mut(&recipient) {
                ext.execute_with(|| {
                    XcmpQueue::handle_xcmp_messages(
                        [(ParaId::from(sender), relay_block, &data[..])].into_iter(),
                        Weight::MAX,
                    );
                    MessageQueue::service_queues(Weight::MAX);
                });
            }
        }
        moved
    }

    /// `n` rounds of: a block on every chain, then relaying.
    pub fn run(&mut self, n: u32) {
        for _ in 0..n {
            let ids: Vec<u32> = self.chains.keys().copied().collect();
            for id in ids {
                self.block(id);
            }
            self.relay();
        }
    }
}

fn channel() -> AbridgedHrmpChannel {
    AbridgedHrmpChannel {
        max_capacity: 1024,
        max_total_size: 1024 * 1024,
        max_message_size: 100 * 1024,
        msg_count: 0,
        total_size: 0,
        mqc_head: None,
    }
}

/// Chain `id` from the `local_testnet` preset, with channels to and from the other `paras`.
fn chain(id: u32, paras: &[u32]) -> TestExternalities {
    let preset = gear_runtime::genesis_config_presets::get_preset(
        &sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET.into(),
    )
    .expect("local_testnet preset exists");
    let mut patch: serde_json::Value = serde_json::from_slice(&preset).unwrap();
    patch["parachainInfo"]["parachainId"] = id.into();
    let config = genesis_json(&serde_json::to_vec(&patch).unwrap());
    let mut ext = TestExternalities::new(Default::default());
    ext.execute_with(|| {
        build_state::<RuntimeGenesisConfig>(config).expect("genesis builds");
        System::set_block_number(1);
        let others: Vec<(ParaId, AbridgedHrmpChannel)> = paras
            .iter()
            .filter(|&&p| p != id)
            .map(|&p| (ParaId::from(p), channel()))
            .collect();
        RelevantMessagingState::<gear_runtime::Runtime>::put(MessagingStateSnapshot {
            dmq_mqc_head: Default::default(),
            relay_dispatch_queue_remaining_capacity: RelayDispatchQueueRemainingCapacity {
                remaining_count: 1024,
                remaining_size: 1024 * 1024,
            },
            ingress_channels: others.clone(),
            egress_channels: others,
        });
        HostConfiguration::<gear_runtime::Runtime>::put(AbridgedHostConfiguration {
            max_code_size: 3 * 1024 * 1024,
            max_head_data_size: 20 * 1024,
            max_upward_queue_count: 1024,
            max_upward_queue_size: 1024 * 1024,
            max_upward_message_size: 64 * 1024,
            max_upward_message_num_per_candidate: 16,
            hrmp_max_message_num_per_candidate: 16,
            validation_upgrade_cooldown: 2,
            validation_upgrade_delay: 2,
            async_backing_params: AsyncBackingParams {
                max_candidate_depth: 3,
                allowed_ancestry_len: 2,
            },
        });
    });
    ext
}
