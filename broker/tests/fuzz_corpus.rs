//! Replays the committed broker protocol corpus (fuzz/corpus/broker_protocol), then a fixed set
//! of mutants of it (fuzz/src/smoke.rs), through the fuzz target's harness, so `cargo test`
//! checks the decoder's contract without libFuzzer.

#[path = "../../fuzz/src/broker.rs"]
mod broker;
#[path = "../../fuzz/src/smoke.rs"]
mod smoke;

use std::path::PathBuf;

#[test]
fn broker_protocol_corpus_and_its_mutants_decode_or_fail_cleanly() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/broker_protocol");
    smoke::replay_and_mutate(&dir, broker::broker_protocol);
}
