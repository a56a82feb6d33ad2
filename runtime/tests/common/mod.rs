//! What the runtime's integration tests share: genesis state from the runtime's presets, and a
//! two-parachain network ([`network`]).

// Each test crate uses a part of this.
#![allow(dead_code)]

pub mod network;

use gear_runtime::{RuntimeGenesisConfig, System};
use polkadot_sdk::{
    frame_support::genesis_builder_helper::build_state, sp_genesis_builder,
    sp_io::TestExternalities,
};

/// The development preset's genesis at block 1.
pub fn dev_externalities() -> TestExternalities {
    let preset = gear_runtime::genesis_config_presets::get_preset(
        &sp_genesis_builder::DEV_RUNTIME_PRESET.into(),
    )
    .expect("development preset exists");
    let mut ext = TestExternalities::new(Default::default());
    ext.execute_with(|| {
        build_state::<RuntimeGenesisConfig>(genesis_json(&preset)).expect("genesis builds")
    });
    ext.execute_with(|| System::set_block_number(1));
    ext
}

/// The full genesis config JSON: the default config patched with `preset`.
pub fn genesis_json(preset: &[u8]) -> Vec<u8> {
    let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
    merge(&mut config, serde_json::from_slice(preset).unwrap());
    serde_json::to_vec(&config).unwrap()
}

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
            for (k, v) in patch {
                merge(base.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (base, patch) => *base = patch,
    }
}
