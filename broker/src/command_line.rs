//! The `netrt-brokerd` command line: run the daemon, query its status, `--version`, `--help`.
//! A library function, so that the `netrt-brokerd` binary and the Python package (whose wheel
//! carries the daemon inside its extension module, `python -m netrt._brokerd`) are one program.

use std::path::PathBuf;
use std::time::Duration;

use crate::client::Client;
use crate::daemon::{self, Config};
use crate::paths;
use crate::protocol::Message;

const HELP: &str = "\
netrt-brokerd: holds sockets netrt apps transfer to it and starts the app when they need it;
runs the apps' background downloads and uploads (docs/background-transfer.md).

Usage:
  netrt-brokerd [--socket PATH] [--state-dir DIR] [--retry-base-ms N]   run the daemon (foreground)
  netrt-brokerd status [--socket PATH]     print the registered tasks and the sockets held
  netrt-brokerd --version | --help

  --socket PATH       default $NETRT_BROKER_SOCKET, else $XDG_RUNTIME_DIR/netrt/broker.sock
  --state-dir DIR     where registrations and transfers persist; default $NETRT_BROKER_STATE_DIR,
                      else $XDG_STATE_HOME/netrt, else ~/.local/state/netrt
  --retry-base-ms N   first pause before retrying a task command that did not start (default
                      1000; doubles each attempt, at most 60 s, 6 attempts)

Logs go to stderr; NETRT_BROKER_LOG=error|warn|info|debug|trace sets the level (default info).
SIGTERM or SIGINT stops the daemon; the sockets it held are closed, running transfers are saved
and resume when it starts again.";

struct Args {
    status: bool,
    socket: PathBuf,
    state_dir: PathBuf,
    retry_base: Duration,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        status: false,
        socket: paths::socket_path(),
        state_dir: paths::state_dir(),
        retry_base: Duration::from_secs(1),
    };
    while let Some(arg) = argv.next() {
        let mut value = |name: &str| argv.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--help" | "-h" => {
                println!("{HELP}");
                return Ok(None);
            }
            "--version" | "-V" => {
                println!(
                    "netrt-brokerd {} (protocol {})",
                    env!("CARGO_PKG_VERSION"),
                    crate::protocol::VERSION
                );
                return Ok(None);
            }
            "status" => args.status = true,
            "--socket" => args.socket = PathBuf::from(value("--socket")?),
            "--state-dir" => args.state_dir = PathBuf::from(value("--state-dir")?),
            "--retry-base-ms" => {
                let ms: u64 =
                    value("--retry-base-ms")?.parse().map_err(|e| format!("--retry-base-ms: {e}"))?;
                args.retry_base = Duration::from_millis(ms.max(1));
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(Some(args))
}

fn guid_text(id: &[u8; 16]) -> String {
    let d1 = u32::from_le_bytes([id[0], id[1], id[2], id[3]]);
    let d2 = u16::from_le_bytes([id[4], id[5]]);
    let d3 = u16::from_le_bytes([id[6], id[7]]);
    let tail: String = id[8..].iter().map(|b| format!("{b:02x}")).collect();
    format!("{d1:08x}-{d2:04x}-{d3:04x}-{}-{}", &tail[..4], &tail[4..])
}

fn status(args: &Args) -> u8 {
    let reply = Client::connect(&args.socket).and_then(|mut c| c.request(&Message::StatusQuery, &[]));
    match reply {
        Ok((Message::Status(s), _)) => {
            println!("netrt-brokerd {} (pid {}) on {}", s.version, s.pid, args.socket.display());
            println!("{} sockets held, {} background transfers", s.held_sockets, s.transfers);
            for t in &s.tasks {
                let sub = if t.subscribed { ", a running instance subscribed" } else { "" };
                println!(
                    "task {} \"{}\": {} sockets held{sub}; runs `{}`",
                    guid_text(&t.task.task_id),
                    t.task.name,
                    t.held_sockets,
                    t.task.command
                );
            }
            0
        }
        Ok((other, _)) => {
            eprintln!("netrt-brokerd status: unexpected answer {other:?}");
            1
        }
        Err(e) => {
            eprintln!("netrt-brokerd status: no broker at {}: {e}", args.socket.display());
            1
        }
    }
}

/// Runs `netrt-brokerd` with `argv` (without the program name): the daemon in the foreground
/// until SIGTERM or SIGINT, or `status`, `--version`, `--help`. Returns the exit status.
pub fn main(argv: impl IntoIterator<Item = String>) -> u8 {
    let args = match parse(argv.into_iter()) {
        Ok(Some(a)) => a,
        Ok(None) => return 0,
        Err(e) => {
            eprintln!("netrt-brokerd: {e}");
            return 2;
        }
    };
    if args.status {
        return status(&args);
    }
    let level = std::env::var("NETRT_BROKER_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    // A host process (Python) may have installed a subscriber already; keep it then.
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
    let code =
        daemon::run(Config { socket: args.socket, state_dir: args.state_dir, retry_base: args.retry_base });
    u8::try_from(code).unwrap_or(1)
}
