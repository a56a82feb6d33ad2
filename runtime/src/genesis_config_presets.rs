//! Genesis presets: `development` (one collator, Alice; used by `gear-node --dev`) and
//! `local_testnet` (Alice and Bob collating; used by zombienet). Both fund the well-known dev
//! accounts and make Alice sudo; `local_testnet` also funds the sovereign accounts of the local
//! network's paras ([`LOCAL_PARAS`]), so XCM from a sibling can pay for its execution here.
//! Both create the relay chain's token in `ForeignAssets` (sufficient, owned by a keyless
//! account: only the relay chain's reserve transfers bring it in).

use crate::*;
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::AccountIdConversion;

/// XCM version assumed for destinations that have not told theirs.
const SAFE_XCM_VERSION: u32 = xcm::prelude::XCM_VERSION;
/// What each dev account starts with.
const ENDOWMENT: Balance = 1 << 60;
/// The paras of the local test network (zombienet): para 2000 and para 2001, both Gear.
pub const LOCAL_PARAS: [u32; 2] = [2000, 2001];

/// The least relay-token balance an account may hold here (10⁻⁶ of a 12-decimal token).
pub const RELAY_TOKEN_MIN_BALANCE: Balance = 1_000_000;

/// The owner of the foreign assets created at genesis: a keyless account (no one can mint).
pub fn foreign_assets_owner() -> AccountId {
    frame_support::PalletId(*b"py/frgna").into_account_truncating()
}

fn genesis(
    invulnerables: Vec<(AccountId, AuraId)>,
    endowed: Vec<AccountId>,
    root: AccountId,
    id: ParaId,
) -> serde_json::Value {
    build_struct_json_patch!(RuntimeGenesisConfig {
        balances: BalancesConfig {
            balances: endowed
                .iter()
                .cloned()
                .map(|k| (k, ENDOWMENT))
                .collect::<Vec<_>>(),
        },
        parachain_info: ParachainInfoConfig { parachain_id: id },
        collator_selection: CollatorSelectionConfig {
            invulnerables: invulnerables
                .iter()
                .cloned()
                .map(|(acc, _)| acc)
                .collect::<Vec<_>>(),
            candidacy_bond: EXISTENTIAL_DEPOSIT * 16,
        },
        session: SessionConfig {
            keys: invulnerables
                .into_iter()
                .map(|(acc, aura)| (acc.clone(), acc, SessionKeys { aura }))
                .collect::<Vec<_>>(),
        },
        polkadot_xcm: PolkadotXcmConfig {
            safe_xcm_version: Some(SAFE_XCM_VERSION)
        },
        sudo: SudoConfig { key: Some(root) },
        foreign_assets: ForeignAssetsConfig {
            assets: vec![(
                xcm::v5::Location::parent(),
                foreign_assets_owner(),
                true,
                RELAY_TOKEN_MIN_BALANCE,
            )],
            metadata: vec![(
                xcm::v5::Location::parent(),
                b"Relay chain token".to_vec(),
                b"RELAY".to_vec(),
                12,
            )],
        },
    })
}

/// The JSON patch of preset `id`.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let endowed: Vec<AccountId> = Sr25519Keyring::well_known()
        .map(|k| k.to_account_id())
        .collect();
    let alice = Sr25519Keyring::Alice;
    let bob = Sr25519Keyring::Bob;
    let patch = match id.as_ref() {
        sp_genesis_builder::DEV_RUNTIME_PRESET => genesis(
            vec![(alice.to_account_id(), alice.public().into())],
            endowed,
            alice.to_account_id(),
            PARACHAIN_ID.into(),
        ),
        sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => genesis(
            vec![
                (alice.to_account_id(), alice.public().into()),
                (bob.to_account_id(), bob.public().into()),
            ],
            endowed
                .into_iter()
                .chain(LOCAL_PARAS.iter().map(|id| {
                    polkadot_parachain_primitives::primitives::Sibling::from(*id)
                        .into_account_truncating()
                }))
                .collect(),
            alice.to_account_id(),
            PARACHAIN_ID.into(),
        ),
        _ => return None,
    };
    Some(serde_json::to_string(&patch).ok()?.into_bytes())
}

/// The presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
    vec![
        PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
        PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
    ]
}
