//! The fuzz smoke that `cargo test` (and so `make test`) runs: each committed corpus input goes
//! through its target's harness, then a fixed number of mutants of those inputs do.
//!
//! libFuzzer needs its own instrumented build (`make fuzz`), which costs more than a test run
//! can spend; this smoke needs none. Its mutants are not coverage-guided, but they are made the
//! way libFuzzer's default mutators make them (bit flips, interesting bytes, inserted and
//! erased ranges, copies, splices with another input, text delimiters), from a generator seeded
//! by the target's name, so every run tries the same inputs and a failure reproduces. A mutant
//! that breaks a harness's contract is written under the test's temporary directory and named
//! in the failure, ready to be added to the corpus once the bug is fixed.
//!
//! `NETRT_FUZZ_SMOKE_ITERATIONS` (default 1,000 per target) and `NETRT_FUZZ_SMOKE_SEED` (a
//! number mixed into every target's seed) widen the search.

use std::path::{Path, PathBuf};

/// Mutants tried per target when `NETRT_FUZZ_SMOKE_ITERATIONS` is not set.
const DEFAULT_ITERATIONS: u64 = 1_000;
/// Mutants never grow past this (the corpora hold inputs of a few KiB).
const MAX_LEN: usize = 64 * 1024;
/// Bytes at the edges of integer and text ranges.
const INTERESTING: &[u8] = &[0, 1, 0x7f, 0x80, 0xff, 0xfe, b'0', b'9', b' ', b'\n'];
/// Delimiters of the text formats the harnesses parse (XML, URIs, headers, PEM, manifests).
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&amp;",
    b"\"",
    b"'",
    b"=",
    b":",
    b";",
    b",",
    b"%",
    b"%00",
    b"?",
    b"#",
    b"@",
    b"[",
    b"]",
    b"\r\n",
    b"\\",
    b"-----",
    b"*.",
    b"..",
    b"//",
    b"<![CDATA[",
    b"]]>",
    b"\xc3",
    b"\xef\xbf\xbd",
];

/// Runs every file of `dir` through `run`, then the mutants; panics naming the input that makes
/// `run` panic (a harness panics exactly when the parser breaks its contract).
pub fn replay_and_mutate(dir: &Path, run: fn(&[u8])) {
    let seeds = corpus(dir);
    assert!(!seeds.is_empty(), "no corpus inputs in {}", dir.display());
    for (path, data) in &seeds {
        let outcome = std::panic::catch_unwind(|| run(data));
        assert!(outcome.is_ok(), "fuzz input {} fails its harness", path.display());
    }
    let target = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut rng = Rng::new(name_seed(&target) ^ env_number("NETRT_FUZZ_SMOKE_SEED").unwrap_or(0));
    let iterations = env_number("NETRT_FUZZ_SMOKE_ITERATIONS").unwrap_or(DEFAULT_ITERATIONS);
    for iteration in 0..iterations {
        let base = &seeds[rng.below(seeds.len())].1;
        let mut data = base.clone();
        for _ in 0..=rng.below(4) {
            let other = &seeds[rng.below(seeds.len())].1;
            mutate(&mut data, other, &mut rng);
        }
        let outcome = std::panic::catch_unwind(|| run(&data));
        if outcome.is_err() {
            let saved = save(&target, iteration, &data);
            panic!(
                "mutant {iteration} of the {target} corpus breaks its harness; the input is {} \
                 (rerun with the same NETRT_FUZZ_SMOKE_SEED and ITERATIONS to reproduce)",
                saved.display()
            );
        }
    }
}

/// The corpus files, sorted by name so that the mutants do not depend on the directory order.
fn corpus(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, data)
        })
        .collect()
}

/// One of libFuzzer's kinds of change, picked at random, applied to `data`.
fn mutate(data: &mut Vec<u8>, other: &[u8], rng: &mut Rng) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let at = rng.below(len);
            data[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            data[at] = INTERESTING[rng.below(INTERESTING.len())];
        }
        2 => {
            let at = rng.below(len + 1);
            let bytes: Vec<u8> = (0..=rng.below(8)).map(|_| rng.next() as u8).collect();
            data.splice(at..at, bytes);
        }
        3 if len > 0 => {
            let at = rng.below(len);
            let end = (at + 1 + rng.below(16)).min(len);
            data.drain(at..end);
        }
        4 if len > 0 => {
            // A copy of a range of the input, inserted elsewhere (repeats elements and fields).
            let from = rng.below(len);
            let end = (from + 1 + rng.below(64)).min(len);
            let piece = data[from..end].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, piece);
        }
        5 if !other.is_empty() => {
            // The head of this input with the tail of another.
            let cut = rng.below(len + 1);
            let from = rng.below(other.len());
            data.truncate(cut);
            data.extend_from_slice(&other[from..]);
        }
        6 => {
            let token = TOKENS[rng.below(TOKENS.len())];
            let at = rng.below(len + 1);
            data.splice(at..at, token.iter().copied());
        }
        7 if len > 0 => data.truncate(rng.below(len)),
        _ if len > 0 => {
            // A little-endian integer at the edge of its range, where lengths and counts live.
            let at = rng.below(len);
            let value: [u8; 4] = match rng.below(4) {
                0 => u32::MAX.to_le_bytes(),
                1 => (u32::MAX / 2 + 1).to_le_bytes(),
                2 => 0u32.to_le_bytes(),
                _ => (rng.next() as u32).to_le_bytes(),
            };
            let end = (at + 4).min(len);
            data[at..end].copy_from_slice(&value[..end - at]);
        }
        _ => data.push(rng.next() as u8),
    }
    data.truncate(MAX_LEN);
}

/// Writes a failing mutant where the test may keep files.
fn save(target: &str, iteration: u64, data: &[u8]) -> PathBuf {
    // Cargo gives integration tests a scratch directory inside the target directory.
    let scratch = option_env!("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let dir = scratch.join("fuzz-smoke");
    let path = dir.join(format!("{target}-{iteration}"));
    if std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, data)).is_err() {
        eprintln!("fuzz smoke: could not save the input; its bytes are {data:02x?}");
    }
    path
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// FNV-1a of the target's name: each target gets its own fixed sequence of mutants.
fn name_seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// xorshift64*: small, fast and the same on every machine, which is all a smoke test needs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
