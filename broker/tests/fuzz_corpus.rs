//! Replays the committed broker protocol corpus (fuzz/corpus/broker_protocol) through the fuzz
//! target's harness, so `cargo test` checks the decoder's contract without libFuzzer.

#[path = "../../fuzz/src/broker.rs"]
mod broker;

use std::path::PathBuf;

#[test]
fn broker_protocol_corpus_decodes_or_fails_cleanly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/broker_protocol");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| broker::broker_protocol(&data));
        assert!(outcome.is_ok(), "fuzz input {} fails its harness", path.display());
        count += 1;
    }
    assert!(count > 0, "no corpus inputs in {}", dir.display());
}
