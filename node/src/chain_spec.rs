//! Chain specifications of the Gear parachain.
//!
//! The genesis state comes from the runtime's `sp_genesis_builder` presets
//! (`development`, `local_testnet`); the node only picks the preset, the
//! parachain id, and the metadata (name, id, relay chain, token properties).
//!
//! Known `--chain` ids:
//! - `dev` or empty: `development` preset, para id 2000, chain type `Development`;
//! - `local` / `local-2000`: `local_testnet` preset, para id 2000, chain type `Local`;
//! - `local-<para-id>`: `local_testnet` preset with `parachainInfo.parachainId` patched and
//!   Charlie and Dave as collators;
//! - anything else: a path to a chain spec JSON file.

use polkadot_sdk::*;

use sc_chain_spec::{ChainSpecExtension, ChainSpecGroup, Properties};
use sc_service::ChainType;
use serde::{Deserialize, Serialize};

/// The relay chain a locally started Gear parachain attaches to by default.
pub const DEFAULT_RELAY_CHAIN: &str = "rococo-local";

/// Specialized `ChainSpec` of the Gear parachain.
pub type ChainSpec = sc_service::GenericChainSpec<Extensions>;

/// Parachain-specific chain spec extensions (the `relay_chain` and `para_id` fields of the spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ChainSpecGroup, ChainSpecExtension)]
pub struct Extensions {
    /// The id of the relay chain this parachain is registered on (e.g. `rococo-local`).
    #[serde(alias = "relayChain", alias = "RelayChain")]
    pub relay_chain: String,
    /// The id of the parachain.
    #[serde(alias = "paraId", alias = "ParaId")]
    pub para_id: u32,
}

impl Extensions {
    /// Try to get the extension from the given `ChainSpec`.
    pub fn try_get(chain_spec: &dyn sc_service::ChainSpec) -> Option<&Self> {
        sc_chain_spec::get_extension(chain_spec.extensions())
    }
}

/// Token metadata shown by wallets and explorers.
fn properties() -> Properties {
    let mut properties = Properties::new();
    properties.insert("tokenSymbol".into(), "GEAR".into());
    properties.insert("tokenDecimals".into(), 12.into());
    properties.insert("ss58Format".into(), 42.into());
    properties
}

/// The runtime Wasm blob the chain specs are built from.
fn wasm_binary() -> Result<&'static [u8], String> {
    gear_runtime::WASM_BINARY.ok_or_else(|| {
        "The Gear runtime Wasm binary is not available: it was not built \
         (was the node compiled with SKIP_WASM_BUILD?). Rebuild without SKIP_WASM_BUILD, \
         or pass a chain spec JSON file with `--chain <path>`."
            .to_string()
    })
}

/// The JSON patch of a local para other than 2000: its parachain id, and Charlie and Dave as its
/// collators (para 2000 has the preset's Alice and Bob), so that every collator of the local
/// network has its own well-known key (zombienet names collators after them).
fn para_id_patch(para_id: u32) -> serde_json::Value {
    use sp_keyring::Sr25519Keyring::{Charlie, Dave};
    let collators = [Charlie, Dave];
    let keys: Vec<serde_json::Value> = collators
        .iter()
        .map(|k| {
            let account = k.to_account_id();
            let aura: gear_runtime::AuraId = k.public().into();
            serde_json::json!([account, account, { "aura": aura }])
        })
        .collect();
    let invulnerables: Vec<_> = collators.iter().map(|k| k.to_account_id()).collect();
    serde_json::json!({
        "parachainInfo": { "parachainId": para_id },
        "collatorSelection": { "invulnerables": invulnerables },
        "session": { "keys": keys },
    })
}

/// Development chain: the runtime's `development` preset, para id 2000, no relay chain needed
/// when run with `--dev`.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
    let spec = ChainSpec::builder(
        wasm_binary()?,
        Extensions {
            relay_chain: DEFAULT_RELAY_CHAIN.into(),
            para_id: gear_runtime::PARACHAIN_ID,
        },
    )
    .with_name("Gear Development")
    .with_id("gear-dev")
    .with_chain_type(ChainType::Development)
    .with_protocol_id("gear-dev")
    .with_properties(properties())
    .with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
    .build();
    Ok(spec)
}

/// Local testnet chain: the runtime's `local_testnet` preset with the given para id.
pub fn local_chain_spec(para_id: u32) -> Result<ChainSpec, String> {
    let (name, id) = if para_id == gear_runtime::PARACHAIN_ID {
        ("Gear Local Testnet".to_string(), "gear-local".to_string())
    } else {
        (
            format!("Gear Local Testnet (para {para_id})"),
            format!("gear-local-{para_id}"),
        )
    };

    let mut builder = ChainSpec::builder(
        wasm_binary()?,
        Extensions {
            relay_chain: DEFAULT_RELAY_CHAIN.into(),
            para_id,
        },
    )
    .with_name(&name)
    .with_id(&id)
    .with_chain_type(ChainType::Local)
    .with_protocol_id(&id)
    .with_properties(properties())
    // Must come before the patch: setting a preset name resets any earlier patch.
    .with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET);

    if para_id != gear_runtime::PARACHAIN_ID {
        // Merged over the named preset when the genesis is resolved
        // (sc-chain-spec `GenesisBuildAction::NamedPreset(name, patch)`).
        builder = builder.with_genesis_config_patch(para_id_patch(para_id));
    }

    Ok(builder.build())
}

/// Resolve a `--chain` argument into a chain spec.
pub fn load_spec(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
    Ok(match id {
        "" | "dev" => Box::new(development_chain_spec()?),
        "local" => Box::new(local_chain_spec(gear_runtime::PARACHAIN_ID)?),
        other => {
            if let Some(para_id) = other
                .strip_prefix("local-")
                .and_then(|n| n.parse::<u32>().ok())
            {
                Box::new(local_chain_spec(para_id)?)
            } else {
                let path = std::path::PathBuf::from(other);
                if !path.exists() {
                    return Err(format!(
                        "Unknown chain `{other}`: expected `dev`, `local`, `local-<para-id>` \
                         or the path of a chain spec JSON file"
                    ));
                }
                Box::new(ChainSpec::from_json_file(path)?)
            }
        }
    })
}
