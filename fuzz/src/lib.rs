//! The fuzz targets' harnesses (docs/fuzzing.md). The same file is compiled into
//! core/tests/fuzz_corpus.rs, which replays every committed corpus input through it. `smoke.rs`
//! (the corpora's mutants for `cargo test`) is compiled only into those tests.

#[path = "harness.rs"]
pub mod harness;

#[path = "broker.rs"]
pub mod broker;
