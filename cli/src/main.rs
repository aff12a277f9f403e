//! `netrt`: the Windows Runtime networking model from the command line — TLS and STARTTLS
//! connections, TLS listeners, WebSockets, feeds, HRESULT decoding and background downloads,
//! built on the `netrt` crate (no second networking stack). docs/cli.md in netrt's repository is
//! its manual.

mod args;
mod broker_status;
mod certs;
mod connect;
mod failure;
mod feed;
mod generate;
mod get;
mod listen;
mod output;
mod progress;
mod relay;
mod starttls;
mod status;
mod tls_report;
mod transfer_args;
mod transfer_view;
mod transfers;
mod ws;

use std::io::Write;

use clap::Parser;

use args::{Cli, Command};
use failure::{Failure, INTERNAL_ERROR};

fn main() {
    // No Rust panic message reaches a user: a bug says so, with where to report it, and exits 70.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "netrt: internal error{at}; this is a bug in netrt, please report it with the command you ran"
        );
        std::process::exit(i32::from(INTERNAL_ERROR));
    }));
    let cli = Cli::parse();
    let json = match &cli.command {
        Command::Connect(a) => a.output.json,
        Command::Listen(a) => a.output.json,
        Command::Ws(a) => a.output.json,
        Command::Feed(a) => a.output.json,
        Command::Status(a) => a.output.json,
        Command::Get(a) => a.output.json,
        Command::Transfers(a) => a.json(),
        Command::Broker(a) => match &a.action {
            args::BrokerAction::Status { output } => output.json,
        },
        Command::Completions { .. } | Command::Man { .. } => false,
    };
    // The runtime is never dropped: dropping it would wait for a read of stdin still blocked in
    // its blocking pool (until the user pressed Enter); the process exits instead.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let outcome = match &runtime {
        Ok(runtime) => runtime.block_on(run(&cli)),
        Err(e) => Err(Failure::Input(format!("cannot start the async runtime: {e}"))),
    };
    let status = match outcome {
        Ok(()) => 0,
        Err(failure) => {
            output::report_failure(&failure, json);
            failure.exit_status()
        }
    };
    let _ = std::io::stdout().flush();
    std::process::exit(i32::from(status))
}

async fn run(cli: &Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Connect(args) => connect::run(args).await,
        Command::Listen(args) => listen::run(args).await,
        Command::Ws(args) => ws::run(args).await,
        Command::Feed(args) => feed::run(args).await,
        Command::Status(args) => status::run(args),
        Command::Get(args) => get::run(args).await,
        Command::Transfers(args) => transfers::run(args).await,
        Command::Broker(args) => match &args.action {
            args::BrokerAction::Status { output } => broker_status::run(output.json),
        },
        Command::Completions { shell } => {
            generate::completions(*shell);
            Ok(())
        }
        Command::Man { dir } => generate::man(dir.as_deref()),
    }
}
