//! The command lines of `netrt get`, `netrt transfers` and `netrt broker`: background
//! transfers and the daemon that runs them.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::args::OutputArgs;

#[derive(Debug, Args)]
pub struct GetArgs {
    /// http:// or https:// URI to download
    pub uri: String,
    /// Where to save it (default: the URI's last path segment, in the current directory)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Replace FILE if it exists (without it, netrt refuses to overwrite)
    #[arg(long)]
    pub force: bool,
    /// User name sent if the server asks (Basic or Digest); needs --password-env
    #[arg(long, value_name = "U", requires = "password_env")]
    pub user: Option<String>,
    /// The environment variable holding the password for --user
    #[arg(long, value_name = "VAR", requires = "user")]
    pub password_env: Option<String>,
    /// User name sent if the proxy asks (407); needs --proxy-password-env
    #[arg(long, value_name = "U", requires = "proxy_password_env")]
    pub proxy_user: Option<String>,
    /// The environment variable holding the password for --proxy-user
    #[arg(long, value_name = "VAR", requires = "proxy_user")]
    pub proxy_password_env: Option<String>,
    /// A request header, 'Name: value' (repeatable; the same name twice joins the values)
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
    pub headers: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TransfersArgs {
    #[command(subcommand)]
    pub action: Option<TransfersAction>,
    /// For the default `list`: the transfer group to list (default: transfers of no group)
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Which transfer a command is about.
#[derive(Debug, Args)]
pub struct TransferTarget {
    /// The transfer's GUID (as `netrt transfers list` shows it)
    pub guid: String,
    /// The transfer group it belongs to (default: no group)
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum TransfersAction {
    /// List the background downloads and uploads netrt-brokerd keeps (the default)
    List {
        /// The transfer group to list (default: transfers of no group)
        #[arg(long, value_name = "NAME")]
        group: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Pause a running download (Pause)
    Pause(TransferTarget),
    /// Resume a paused download (Resume)
    Resume(TransferTarget),
    /// Cancel a download or upload; its partial file is removed
    Cancel(TransferTarget),
    /// Follow a transfer until it ends, with the progress view of `netrt get` (AttachAsync);
    /// Ctrl-C detaches again
    Attach(TransferTarget),
}

impl TransfersArgs {
    /// Whether the command prints JSON Lines.
    pub fn json(&self) -> bool {
        self.output.json
            || match &self.action {
                None => false,
                Some(TransfersAction::List { output, .. }) => output.json,
                Some(
                    TransfersAction::Pause(t)
                    | TransfersAction::Resume(t)
                    | TransfersAction::Cancel(t)
                    | TransfersAction::Attach(t),
                ) => t.output.json,
            }
    }
}

#[derive(Debug, Args)]
pub struct BrokerArgs {
    #[command(subcommand)]
    pub action: BrokerAction,
}

#[derive(Debug, Subcommand)]
pub enum BrokerAction {
    /// What netrt-brokerd holds: its pid, version and socket, the registered tasks and the
    /// sockets held for them, and how many background transfers it keeps (never starts it)
    Status {
        #[command(flatten)]
        output: OutputArgs,
    },
}
