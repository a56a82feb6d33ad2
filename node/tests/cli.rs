//! The `gear-node` binary's subcommands, run as a user would.

use std::process::Command;

fn gear_node() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gear-node"))
}

#[test]
fn version_names_the_binary() {
    let out = gear_node()
        .arg("--version")
        .output()
        .expect("gear-node runs");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("gear-node"));
}

#[test]
fn dev_chain_spec_has_gear_pallets_and_para_id() {
    let out = gear_node()
        .args(["export-chain-spec", "--chain", "dev"])
        .output()
        .expect("gear-node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).expect("chain spec is JSON");
    assert_eq!(spec["id"], "gear-dev");
    assert_eq!(spec["para_id"], 2000);
    assert_eq!(spec["relay_chain"], "rococo-local");
}

#[test]
fn local_2001_chain_spec_patches_the_para_id() {
    let out = gear_node()
        .args(["export-chain-spec", "--chain", "local-2001"])
        .output()
        .expect("gear-node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec: serde_json::Value = serde_json::from_slice(&out.stdout).expect("chain spec is JSON");
    assert_eq!(spec["para_id"], 2001);
}

#[test]
fn exports_genesis_head_and_wasm() {
    let head = gear_node()
        .args(["export-genesis-head", "--chain", "dev"])
        .output()
        .expect("runs");
    assert!(
        head.status.success(),
        "{}",
        String::from_utf8_lossy(&head.stderr)
    );
    assert!(String::from_utf8_lossy(&head.stdout)
        .trim()
        .starts_with("0x"));
    let wasm = gear_node()
        .args(["export-genesis-wasm", "--chain", "dev"])
        .output()
        .expect("runs");
    assert!(
        wasm.status.success(),
        "{}",
        String::from_utf8_lossy(&wasm.stderr)
    );
    // Hex of the compressed runtime WASM: large.
    assert!(wasm.stdout.len() > 100_000);
}

#[test]
fn unknown_chain_is_a_clear_error() {
    let out = gear_node()
        .args(["export-chain-spec", "--chain", "no-such-chain"])
        .output()
        .expect("gear-node runs");
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}
