//! Context figures: `openssl s_time` against an `openssl s_server`, next to netrt's own
//! sequential handshakes against the same server. Different clients, so no ratio target.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::pki::Pki;

const SECONDS: &str = "3";

/// Connections per second that `openssl s_time` reports (`-new` full, `-reuse` resumed).
fn s_time(port: u16, mode: &str) -> Option<f64> {
    let out = Command::new("openssl")
        .args(["s_time", "-connect", &format!("127.0.0.1:{port}"), mode, "-time", SECONDS])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    // "<n> connections in <t> real seconds, ..."
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("real seconds"))?;
    let mut words = line.split_whitespace();
    let n: f64 = words.next()?.parse().ok()?;
    let t: f64 = words.nth(2)?.parse().ok()?;
    Some(n / t.max(1.0))
}

pub fn print(pki: &Pki) {
    // tests/peers/launch starts the server and prints "PORT <port> LOG <path>"; closing its
    // stdin stops it.
    let mut server = match Command::new(crate::pki::launcher())
        .args(["s_server", "--naccept", "0", "--cert"])
        .arg(pki.dir.join("leaf.pem"))
        .arg("--key")
        .arg(pki.dir.join("leaf.key"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(s) => s,
        Err(e) => return println!("\n(tests/peers/launch unavailable: {e})"),
    };
    let mut line = String::new();
    let _ = BufReader::new(server.stdout.take().unwrap()).read_line(&mut line);
    let port =
        line.strip_prefix("PORT ").and_then(|rest| rest.split_whitespace().next()?.parse::<u16>().ok());
    let Some(port) = port else {
        drop(server.stdin.take());
        let _ = server.wait();
        return println!("\n(openssl s_server did not start)");
    };
    let new = s_time(port, "-new");
    let reuse = s_time(port, "-reuse");
    const N: usize = 300;
    let start = Instant::now();
    netrt::runtime::handle().block_on(async {
        for _ in 0..N {
            crate::tls::netrt_connect(pki, port).await.close();
        }
    });
    let netrt_rate = N as f64 / start.elapsed().as_secs_f64();
    drop(server.stdin.take());
    let _ = server.wait();
    let fmt = |v: Option<f64>| v.map(|v| format!("{v:.0}")).unwrap_or_else(|| "n/a".into());
    println!("\nContext against one `openssl s_server` (sequential connections/s, different clients):\n");
    println!("| client | connections/s |");
    println!("|---|---|");
    println!("| openssl s_time -new (full handshakes) | {} |", fmt(new));
    println!("| openssl s_time -reuse (resumed) | {} |", fmt(reuse));
    println!("| netrt StreamSocket, Tls13 (resumes after the first, as by default) | {netrt_rate:.0} |");
}
