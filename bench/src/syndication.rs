//! `make bench-syndication`: parse throughput of netrt's feed reader on ~10 MB RSS 2.0 and
//! Atom 1.0 feeds written by feedgen, against the `feed-rs` crate (same process, interleaved
//! A B A B) and Python's `feedparser` (a child process timing only its parse). Prints MB/s
//! and the ratios netrt / baseline with median, min and max over the pairs.
//!
//!   syndication DIR  (DIR holds rss.xml and atom.xml; `make bench-syndication` makes them)

// Shared with the main bench, which uses all of it.
#[allow(dead_code)]
mod stats;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn pairs() -> usize {
    std::env::var("NETRT_BENCH_PAIRS").ok().and_then(|v| v.parse().ok()).unwrap_or(7)
}

fn seconds(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

fn netrt_parse(bytes: &[u8]) -> usize {
    let feed =
        netrt::web::syndication::SyndicationFeed::parse_bytes(bytes, None).expect("netrt parses the feed");
    feed.items.len()
}

fn feed_rs_parse(bytes: &[u8]) -> usize {
    feed_rs::parser::parse(bytes).expect("feed-rs parses the feed").entries.len()
}

fn feedparser_seconds(python: &Path, script: &Path, file: &Path) -> f64 {
    let out = Command::new(python).arg(script).arg(file).output().expect("run feedparser_parse.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("seconds")
}

fn report(name: &str, mb: f64, netrt: &[f64], baseline: &[f64]) {
    let ratios: Vec<f64> = netrt.iter().zip(baseline).map(|(n, b)| b / n).collect();
    let r = stats::summarize(&ratios);
    let n = stats::summarize(netrt);
    let b = stats::summarize(baseline);
    println!(
        "  {name:<28} netrt {:>7.1} MB/s  baseline {:>7.1} MB/s  netrt/baseline {:.2}x (min {:.2}, max {:.2})",
        mb / n.median,
        mb / b.median,
        r.median,
        r.min,
        r.max
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--netrt-only") {
        // For profilers: netrt's parse alone, `--netrt-only FILE N`.
        let bytes = std::fs::read(&args[2]).expect("feed file");
        for _ in 0..args[3].parse::<usize>().expect("a count") {
            std::hint::black_box(netrt_parse(&bytes));
        }
        return;
    }
    let dir = PathBuf::from(args.get(1).expect("usage: syndication DIR | --netrt-only FILE N"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    let script = root.join("bench/python/feedparser_parse.py");
    let pairs = pairs();
    println!("syndication parse, {pairs} interleaved pairs per figure (throughput: median):");
    for name in ["rss.xml", "atom.xml"] {
        let file = dir.join(name);
        let bytes = std::fs::read(&file).expect("feed file");
        let mb = bytes.len() as f64 / 1e6;
        assert_eq!(netrt_parse(&bytes), feed_rs_parse(&bytes), "both read every item");
        let (mut ours, mut feed_rs, mut ours_py, mut feedparser) = (vec![], vec![], vec![], vec![]);
        for _ in 0..pairs {
            ours.push(seconds(|| {
                std::hint::black_box(netrt_parse(&bytes));
            }));
            feed_rs.push(seconds(|| {
                std::hint::black_box(feed_rs_parse(&bytes));
            }));
        }
        // The Python baseline takes seconds per parse: three pairs (none with NETRT_BENCH_NO_PYTHON).
        let python_pairs = if std::env::var_os("NETRT_BENCH_NO_PYTHON").is_some() { 0 } else { pairs.min(3) };
        for _ in 0..python_pairs {
            ours_py.push(seconds(|| {
                std::hint::black_box(netrt_parse(&bytes));
            }));
            feedparser.push(feedparser_seconds(&python, &script, &file));
        }
        println!(" {name} ({mb:.1} MB):");
        report("vs feed-rs 3.0.0", mb, &ours, &feed_rs);
        if python_pairs > 0 {
            report("vs Python feedparser 6.0.14", mb, &ours_py, &feedparser);
        }
    }
}
