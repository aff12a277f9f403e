//! Replays every committed fuzz corpus input (fuzz/corpus/<target>/) through the fuzz targets'
//! harnesses, then a fixed set of mutants of them (fuzz/src/smoke.rs), so `cargo test` checks
//! the parsers' contracts without libFuzzer (docs/fuzzing.md; `make fuzz` runs the
//! coverage-guided fuzzer itself).

#[path = "../../fuzz/src/harness.rs"]
mod harness;
#[path = "../../fuzz/src/smoke.rs"]
mod smoke;

use std::path::PathBuf;

/// Feeds each file of fuzz/corpus/`target`, then its mutants, to `run`; fails if the directory
/// holds none or an input breaks the harness's contract.
fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    smoke::replay_and_mutate(&dir, run);
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
fn ws_frames_corpus_keeps_the_frame_reader_contract() {
    replay("ws_frames", harness::ws_frames);
}

#[test]
fn ws_frames_seeds_reach_messages_control_frames_and_each_violation() {
    use netrt::ws::FrameEvent::{self, *};
    let events = |name: &str| -> Vec<FrameEvent> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/ws_frames").join(name);
        harness::ws_frames_events(&std::fs::read(path).expect("seed")).expect("a seed has its two bytes")
    };
    // The payload of the data pieces, and whether exactly the final one ends the message.
    let message = |events: &[FrameEvent]| -> (Vec<u8>, bool) {
        let pieces: Vec<_> = events
            .iter()
            .filter_map(|e| if let Piece { data, last, .. } = e { Some((data, *last)) } else { None })
            .collect();
        let ends = pieces.iter().enumerate().all(|(i, (_, last))| *last == (i + 1 == pieces.len()));
        (pieces.iter().flat_map(|(d, _)| d.iter().copied()).collect(), ends)
    };
    let one_byte_reads = events("text-one-byte-reads");
    assert_eq!(message(&one_byte_reads), (b"hello".to_vec(), true));
    assert_eq!(one_byte_reads.last(), Some(&End));
    let fragmented = events("fragmented-utf8-with-ping");
    assert!(fragmented.contains(&Ping(b"pi".to_vec())) && fragmented.contains(&Pong), "{fragmented:?}");
    assert_eq!(message(&fragmented), ("hé".as_bytes().to_vec(), true));
    assert_eq!(events("close-with-reason"), [Close(Some((1000, "bye".into()))), End]);
    assert!(matches!(events("too-big").last(), Some(TooBig { size: 32, max: 16 })));
    for violation in ["masked-frame", "text-invalid-utf8-last"] {
        assert!(
            matches!(events(violation).last(), Some(Violation(_))),
            "{violation}: {:?}",
            events(violation)
        );
    }
}

#[test]
fn transfer_corpus_plans_or_fails_with_an_invalid_server_response() {
    replay("transfer", harness::transfer);
}

#[test]
fn feed_corpus_reads_or_fails_with_a_syndication_status_and_writes_xml() {
    replay("feed", harness::feed);
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
