//! The command line, declared once with clap: parsing, `--help`, the shell completions and the
//! man page all come from these definitions.

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::builder::PossibleValue;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use netrt::tls::ChainValidationResult;
use netrt::tls::chain::is_ignorable_on_sockets;

pub use crate::transfer_args::{BrokerAction, BrokerArgs, GetArgs, TransfersAction, TransfersArgs};

/// What the exit status means; shown at the end of `--help` and in the man page.
pub const EXIT_CODES: &str = "\
Exit status:
  0   success
  1   a network operation failed (the HRESULT, its status and the detail are printed)
  2   the command line is wrong (unknown option, bad value, not a number for `status`)
  3   the server's certificate was rejected (a ChainValidationResult, CERT_E_* / TRUST_E_*)
  4   a local input could not be used (certificate or key file, PKCS#12 password variable)
  70  an internal error in netrt (a bug; please report it)";

/// The exit status of `get` and `transfers`, which add 130.
pub const TRANSFER_EXIT_CODES: &str = "\
Exit status:
  0   success
  1   the transfer failed or was cancelled (the HRESULT, its status and the detail are printed)
  2   the command line is wrong (bad URI or header, a file that exists without --force,
      a GUID netrt-brokerd does not know)
  4   a local input could not be used (a --password-env variable that is not set)
  70  an internal error in netrt (a bug; please report it)
  130 Ctrl-C detached from the transfer, which goes on in netrt-brokerd";

/// netrt: sockets, TLS, STARTTLS and WebSockets from the command line, with Windows' error codes.
#[derive(Debug, Parser)]
#[command(name = "netrt", version, after_help = EXIT_CODES)]
#[command(propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Connect to HOST SERVICE (TLS by default), print what was negotiated, then relay
    /// stdin/stdout
    #[command(after_help = EXIT_CODES)]
    Connect(ConnectArgs),
    /// Accept one connection on SERVICE (plain or TLS) and relay stdin/stdout, like `nc -l`
    #[command(after_help = EXIT_CODES)]
    Listen(ListenArgs),
    /// Open a WebSocket (ws:// or wss://): each stdin line is sent as a message, each message
    /// received is printed, like websocat
    #[command(after_help = EXIT_CODES)]
    Ws(WsArgs),
    /// Retrieve an RSS or Atom feed and print its items (title, date, link)
    #[command(after_help = EXIT_CODES)]
    Feed(FeedArgs),
    /// Decode HRESULTs: symbolic name, SocketErrorStatus, WebErrorStatus and message
    #[command(after_help = EXIT_CODES)]
    Status(StatusArgs),
    /// Download a URI as a background transfer run by netrt-brokerd, with a progress bar;
    /// Ctrl-C detaches (the download goes on; `netrt transfers attach GUID` follows it again)
    #[command(after_help = TRANSFER_EXIT_CODES)]
    Get(GetArgs),
    /// List, pause, resume, cancel or attach to the background transfers of netrt-brokerd
    #[command(after_help = TRANSFER_EXIT_CODES)]
    Transfers(TransfersArgs),
    /// Ask netrt-brokerd what it holds
    #[command(after_help = EXIT_CODES)]
    Broker(BrokerArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory
    Man {
        /// Write netrt.1 and netrt-<command>.1 into this directory instead of printing netrt.1
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Output options every reporting command has.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Print reports and errors as JSON objects, one per line, on stdout
    #[arg(long)]
    pub json: bool,
}

/// A certificate problem `--ignore` accepts: core's ignorable `ChainValidationResult`s, spelled
/// in kebab case (`untrusted`, `invalid-name`, `revocation-information-missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ignorable(pub ChainValidationResult);

impl ValueEnum for Ignorable {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: OnceLock<Vec<Ignorable>> = OnceLock::new();
        VARIANTS.get_or_init(|| {
            let ignorable = ChainValidationResult::ALL.iter().filter(|r| is_ignorable_on_sockets(**r));
            ignorable.map(|r| Ignorable(*r)).collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(kebab_case(self.0.name())))
    }
}

/// `RevocationInformationMissing` → `revocation-information-missing`.
fn kebab_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// What to trust and which certificate problems to accept (`connect` and `ws`).
#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// Certificate problems to accept (comma-separated), e.g. untrusted,expired
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PROBLEM,...")]
    pub ignore: Vec<Ignorable>,
    /// Also trust the CA certificates in this PEM file (repeatable)
    #[arg(long, value_name = "CA.pem")]
    pub trust: Vec<PathBuf>,
}

/// Certificate options shared by `connect` and `ws`.
#[derive(Debug, Clone, Args)]
pub struct TlsArgs {
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Client certificate and key as PKCS#12, sent if the server asks for one
    #[arg(long, value_name = "FILE.p12", conflicts_with_all = ["cert", "key"])]
    pub client_cert: Option<PathBuf>,
    /// The environment variable holding the PKCS#12 password (default: no password)
    #[arg(long, value_name = "VAR", requires = "client_cert")]
    pub password_env: Option<String>,
    /// Client certificate chain (PEM), sent if the server asks for one; needs --key
    #[arg(long, value_name = "PEM", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The private key of --cert (PEM: PKCS#8, SEC1 or PKCS#1)
    #[arg(long, value_name = "PEM", requires = "cert")]
    pub key: Option<PathBuf>,
}

/// The plaintext protocols whose STARTTLS exchange `--starttls` performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StartTlsProtocol {
    Smtp,
    Imap,
    Pop3,
    Ftp,
    Xmpp,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("level").args(["plain", "tls12", "tls13"])))]
pub struct ConnectArgs {
    /// Host name or IP address
    pub host: String,
    /// Port number or service name (/etc/services), e.g. 443 or https
    pub service: String,
    /// No TLS: a plain TCP connection
    #[arg(long, conflicts_with = "upgrade")]
    pub plain: bool,
    /// TLS 1.2 or 1.3 (the default)
    #[arg(long)]
    pub tls12: bool,
    /// TLS 1.3 only
    #[arg(long)]
    pub tls13: bool,
    /// Connect in plaintext, then upgrade to TLS (UpgradeToSslAsync): after the --starttls
    /// exchange, or when stdin has the --upgrade-marker line or reaches end of file
    #[arg(long)]
    pub upgrade: bool,
    /// The protocol exchange to perform before the upgrade
    #[arg(long, value_enum, requires = "upgrade", value_name = "PROTOCOL")]
    pub starttls: Option<StartTlsProtocol>,
    /// Without --starttls: the stdin line that starts the upgrade (not sent); without it,
    /// end of file on stdin (Ctrl-D) does
    #[arg(long, requires = "upgrade", conflicts_with = "starttls", value_name = "LINE")]
    pub upgrade_marker: Option<String>,
    /// ALPN protocols to offer (comma-separated), e.g. h2,http/1.1
    #[arg(long, value_delimiter = ',', value_name = "PROTO,...")]
    pub alpn: Vec<String>,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Give up connecting after this many seconds (default: the system's TCP timeout)
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u32>,
    /// After end of file on stdin, wait this many seconds for the peer, then quit (like nc -q);
    /// without it, netrt reads until the peer closes
    #[arg(short = 'q', long, value_name = "SECONDS")]
    pub quit_after: Option<u32>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port number or service name to listen on (0: any free port, printed)
    pub service: String,
    /// Listen on this local address only (default: every address, IPv4 and IPv6)
    #[arg(long, value_name = "ADDRESS")]
    pub address: Option<String>,
    /// Accept TLS (needs --cert and --key)
    #[arg(long, requires_all = ["cert", "key"])]
    pub tls: bool,
    /// The server certificate chain (PEM)
    #[arg(long, value_name = "PEM", requires = "tls")]
    pub cert: Option<PathBuf>,
    /// The server certificate's private key (PEM)
    #[arg(long, value_name = "PEM", requires = "tls")]
    pub key: Option<PathBuf>,
    /// Refuse clients without a certificate that chains to a --trust root (or the system store)
    #[arg(long, requires = "tls")]
    pub require_client_cert: bool,
    /// CA certificates (PEM) client certificates may chain to; asks clients for a certificate
    #[arg(long, value_name = "CA.pem", requires = "tls")]
    pub trust: Vec<PathBuf>,
    /// After end of file on stdin, wait this many seconds for the peer, then quit
    #[arg(short = 'q', long, value_name = "SECONDS")]
    pub quit_after: Option<u32>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct WsArgs {
    /// ws:// or wss:// URI
    pub uri: String,
    /// A subprotocol to offer (repeatable, in order of preference)
    #[arg(long = "protocol", value_name = "P")]
    pub protocols: Vec<String>,
    /// User name sent if the server asks (Basic or Digest); needs --password-env
    #[arg(long, value_name = "U", requires = "password_env")]
    pub user: Option<String>,
    /// The environment variable holding the password for --user
    #[arg(long, value_name = "VAR", requires = "user")]
    pub password_env: Option<String>,
    /// HTTP proxy URL ("" connects directly; default: http_proxy/https_proxy/no_proxy as curl)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Send binary messages (default: text, one per line)
    #[arg(long)]
    pub binary: bool,
    #[command(flatten)]
    pub trust: TrustArgs,
    /// After end of file on stdin, wait this many seconds for messages, then close with 1000;
    /// without it, netrt prints messages until the server closes
    #[arg(short = 'q', long, value_name = "SECONDS")]
    pub quit_after: Option<u32>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct FeedArgs {
    /// http:// or https:// URI of the feed (RSS 0.91-2.0 or Atom 0.3/1.0)
    pub uri: String,
    /// User name sent if the server asks (Basic or Digest); needs --password-env
    #[arg(long, value_name = "U", requires = "password_env")]
    pub user: Option<String>,
    /// The environment variable holding the password for --user
    #[arg(long, value_name = "VAR", requires = "user")]
    pub password_env: Option<String>,
    /// HTTP proxy URL ("" connects directly; default: http_proxy/https_proxy/no_proxy as curl)
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Print at most this many items
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,
    /// Give up after this many seconds (default: SyndicationClient's 30)
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u32>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// HRESULTs: hex (0x8007274D), negative decimal (-2147014835) or unsigned decimal
    #[arg(required = true, allow_negative_numbers = true, value_name = "HRESULT")]
    pub codes: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_values_are_core_ignorable_results_in_kebab_case() {
        let names: Vec<String> = Ignorable::value_variants()
            .iter()
            .map(|v| v.to_possible_value().unwrap().get_name().to_owned())
            .collect();
        assert!(names.contains(&"untrusted".to_owned()), "{names:?}");
        assert!(names.contains(&"revocation-information-missing".to_owned()), "{names:?}");
        assert!(!names.contains(&"revoked".to_owned()), "Revoked cannot be ignored");
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
