//! The `gear-examples-export` binary writes every example, and each is valid WASM.

#[test]
fn export_writes_every_example() {
    let dir = std::env::temp_dir().join(format!("gear-examples-{}", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_gear-examples-export"))
        .arg(&dir)
        .status()
        .expect("export runs");
    assert!(status.success());
    for (name, code) in gear_examples::all() {
        let written = std::fs::read(dir.join(name)).expect("file written");
        assert_eq!(written, code);
        if name.ends_with(".wasm") {
            assert_eq!(&written[..4], b"\0asm", "{name} is WASM");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn gstd_examples_were_built() {
    assert!(gear_examples::ping().len() > 1000);
    assert!(gear_examples::counter().len() > 1000);
}
