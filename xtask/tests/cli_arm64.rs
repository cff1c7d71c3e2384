//! A real aarch64 `noetl` built by `cargo xtask cli` through the builder-container route of
//! the test bed (Debian's Rust with the aarch64 std), checked and run through QEMU.

mod common;

use common::{root, testbed, text, xtask_ok};

#[test]
fn cli_builds_a_static_aarch64_noetl_that_runs_under_qemu() {
    let Some(bed) = testbed("arm64 cli build", &["NOETL_TEST_RUST_IMAGE"]) else { return };
    let image = &bed["NOETL_TEST_RUST_IMAGE"];
    let out = xtask_ok(&["cli", "--platforms", "linux/arm64", "--static", "--builder-image", image]);
    let said = text(&out.stderr);
    assert!(said.contains("with a builder container"), "auto should pick the container here: {said}");
    assert!(said.contains("is a linux/arm64 executable"), "{said}");

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("target/dist/manifest.json")).unwrap()).unwrap();
    let entry = &manifest["binaries"][0];
    assert_eq!(entry["platform"], "linux/arm64");
    assert_eq!(entry["triple"], "aarch64-unknown-linux-gnu");
    assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);

    let bin = root().join("target/dist/linux/arm64/noetl");
    let run = std::process::Command::new(&bin).arg("--version").output().expect("run through binfmt");
    let version = text(&run.stdout);
    assert!(run.status.success() && version.contains("aarch64-unknown-linux-gnu"), "{version} {}", text(&run.stderr));
}
