//! Replays every committed fuzz corpus input (fuzz/corpus/<target>/) through the fuzz targets'
//! harnesses, so `cargo test` checks the parsers' contracts on those inputs without libFuzzer
//! (docs/fuzzing.md; `make fuzz` runs the coverage-guided fuzzer itself).

#[path = "../../fuzz/src/harness.rs"]
mod harness;

use std::path::PathBuf;

/// Feeds each file of fuzz/corpus/`target` to `run`; fails if the directory holds none.
fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "fuzz input {} fails its harness", path.display());
        count += 1;
    }
    assert!(count > 0, "no corpus inputs in {}", dir.display());
}

#[test]
fn data_reader_corpus_keeps_the_read_contract() {
    replay("data_reader", harness::data_reader);
}

#[test]
fn certificate_corpus_parses_or_fails_with_crypt_or_invalidarg() {
    replay("certificate", harness::certificate);
}

#[test]
fn names_corpus_parses_or_fails_with_invalidarg() {
    replay("names", harness::names);
}

#[test]
fn crl_corpus_parses_or_fails_with_invalidarg() {
    replay("crl", harness::crl);
}

#[test]
fn web_corpus_parses_or_fails_with_invalidarg() {
    replay("web", harness::web);
}

#[test]
fn crl_seeds_reach_the_revocation_check() {
    use netrt::tls::ChainValidationResult::Revoked;
    let seed = |name: &str| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/crl").join(name);
        harness::crl_record(&std::fs::read(path).expect("seed")).expect("the seed CRL parses")
    };
    assert!(seed("empty-crl").errors.is_empty(), "{:?}", seed("empty-crl"));
    assert_eq!(seed("revokes-leaf").errors, vec![Revoked]);
}

#[test]
fn manifest_corpus_parses_or_fails_with_invalidarg_and_a_line() {
    replay("manifest", harness::manifest);
}
