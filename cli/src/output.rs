//! Where and how results are printed.
//!
//! Human reports go to stderr, so stdout carries only the relayed data (as `curl -v` does);
//! colours come from anstream, which drops them when the stream is not a terminal, when
//! `NO_COLOR` is set or when `TERM=dumb`. With `--json`, every report, event and error is one
//! JSON object on its own line of stdout (JSON Lines), so a script reads them with `jq`.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::status::describe;

pub const LABEL: Style = Style::new().bold();
pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const BAD: Style = AnsiColor::Red.on_default().bold();
pub const DIM: Style = Style::new().dimmed();

/// Prints one JSON object as a line on stdout and flushes it (a reader may be waiting for it).
pub fn json_line(value: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (the reader went away) is not worth a second error.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Prints `failure` (JSON on stdout, or a human report on stderr).
pub fn report_failure(failure: &Failure, json: bool) {
    match failure {
        Failure::Net(e) => {
            if json {
                let mut error = describe(e.hresult());
                error["detail"] = json!(e.message());
                json_line(&json!({ "event": "error", "error": error }));
            } else {
                let d = describe(e.hresult());
                let name = d["name"].as_str().map(|n| format!(" {n}")).unwrap_or_default();
                anstream::eprintln!(
                    "{BAD}netrt: error:{BAD:#} HRESULT {}{name} ({})",
                    d["hresult"].as_str().unwrap_or_default(),
                    status_summary(&d)
                );
                anstream::eprintln!("  {}", e.message());
            }
        }
        Failure::Detached => {}
        Failure::Usage(text) | Failure::Input(text) => {
            if json {
                let kind = if matches!(failure, Failure::Usage(_)) { "usage" } else { "input" };
                json_line(&json!({ "event": "error", "error": { "kind": kind, "detail": text } }));
            } else {
                anstream::eprintln!("{BAD}netrt: error:{BAD:#} {text}");
            }
        }
    }
}

/// "SocketErrorStatus ConnectionRefused, WebErrorStatus CannotConnect", leaving out `Unknown`s.
pub fn status_summary(described: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["socket_error_status", "web_error_status"] {
        let status = &described[key];
        if status["value"] != json!(0) {
            let type_name = if key == "socket_error_status" { "SocketErrorStatus" } else { "WebErrorStatus" };
            parts.push(format!("{type_name} {}", status["name"].as_str().unwrap_or_default()));
        }
    }
    if parts.is_empty() { "SocketErrorStatus Unknown".to_owned() } else { parts.join(", ") }
}

/// A WinRT port string ("443") as a JSON number, or as the string when it is a service name.
pub fn port_json(port: &str) -> Value {
    port.parse::<u16>().map(Value::from).unwrap_or_else(|_| Value::from(port))
}
