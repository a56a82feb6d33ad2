//! The engine compiled into the runtime WASM (run by the node's executor through
//! `GearEngineApi_run_handle`) gives the same gas and reply as the native engine.

#[test]
fn in_runtime_engine_matches_native() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gear-bench"))
        .arg("--check")
        .output()
        .expect("gear-bench runs");
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("matches native"));
}
