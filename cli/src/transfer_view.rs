//! What `netrt get` and `netrt transfers` show of a background transfer: its row in a list,
//! and the progress view that follows StartAsync or AttachAsync until the transfer ends (an
//! indicatif bar on a terminal, JSON Lines with `--json`). Ctrl-C detaches: the transfer goes
//! on in netrt-brokerd.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use netrt::background_transfer::{BackgroundTransferStatus, DownloadOperation, UploadOperation};
use netrt::foundation::{AsyncOperation, AsyncOperationWithProgress};
use serde_json::{Value, json};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::{mpsc, oneshot};

use crate::failure::Failure;
use crate::output::{DIM, GOOD, LABEL, json_line};

/// A download or an upload, read through the WinRT operation objects.
#[derive(Debug, Clone)]
pub enum Operation {
    Download(DownloadOperation),
    Upload(UploadOperation),
}

/// Where a transfer stands (the fields of BackgroundDownloadProgress and BackgroundUploadProgress).
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    pub status: BackgroundTransferStatus,
    pub bytes_received: u64,
    pub total_bytes_to_receive: u64,
    pub bytes_sent: u64,
    pub total_bytes_to_send: u64,
    pub has_restarted: bool,
    pub has_response_changed: bool,
}

impl Operation {
    pub fn guid(&self) -> String {
        match self {
            Operation::Download(d) => d.guid().to_string(),
            Operation::Upload(u) => u.guid().to_string(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Operation::Download(_) => "download",
            Operation::Upload(_) => "upload",
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        match self {
            Operation::Download(d) => {
                let p = d.progress();
                Snapshot {
                    status: p.status,
                    bytes_received: p.bytes_received,
                    total_bytes_to_receive: p.total_bytes_to_receive,
                    bytes_sent: 0,
                    total_bytes_to_send: 0,
                    has_restarted: p.has_restarted,
                    has_response_changed: p.has_response_changed,
                }
            }
            Operation::Upload(u) => {
                let p = u.progress();
                Snapshot {
                    status: p.status,
                    bytes_received: p.bytes_received,
                    total_bytes_to_receive: p.total_bytes_to_receive,
                    bytes_sent: p.bytes_sent,
                    total_bytes_to_send: p.total_bytes_to_send,
                    has_restarted: p.has_restarted,
                    has_response_changed: p.has_response_changed,
                }
            }
        }
    }

    /// The bytes that measure progress: a download's received, an upload's sent.
    fn done_and_total(&self, s: &Snapshot) -> (u64, u64) {
        match self {
            Operation::Download(_) => (s.bytes_received, s.total_bytes_to_receive),
            Operation::Upload(_) => (s.bytes_sent, s.total_bytes_to_send),
        }
    }

    /// A download's result file, an upload's source file (none for a stream or multipart body).
    pub fn file(&self) -> Option<String> {
        match self {
            Operation::Download(d) => Some(d.result_file().path()),
            Operation::Upload(u) => u.source_file().map(|f| f.path()),
        }
    }

    /// The requested URI (also refreshes the operation's state from the daemon).
    pub fn uri(&self) -> String {
        match self {
            Operation::Download(d) => d.requested_uri().display_uri(),
            Operation::Upload(u) => u.requested_uri().display_uri(),
        }
    }

    pub fn group(&self) -> Option<String> {
        match self {
            Operation::Download(d) => d.transfer_group().map(|g| g.name()),
            Operation::Upload(u) => u.transfer_group().map(|g| g.name()),
        }
    }

    /// Everything a list row or a progress line says, as JSON (`event` is set by the caller).
    pub fn json(&self, event: &str) -> Value {
        let s = self.snapshot();
        json!({
            "event": event,
            "guid": self.guid(),
            "kind": self.kind(),
            "status": s.status.name(),
            "status_value": s.status as i32,
            "bytes_received": s.bytes_received,
            "total_bytes_to_receive": s.total_bytes_to_receive,
            "bytes_sent": s.bytes_sent,
            "total_bytes_to_send": s.total_bytes_to_send,
            "has_restarted": s.has_restarted,
            "has_response_changed": s.has_response_changed,
        })
    }

    /// The row of `netrt transfers list --json`: the progress fields plus what it is about.
    pub fn row_json(&self) -> Value {
        let uri = self.uri(); // first: reads the daemon's current state
        let mut row = self.json("transfer");
        row["uri"] = json!(uri);
        row["file"] = json!(self.file());
        row["group"] = json!(self.group());
        let (method, web_error) = match self {
            Operation::Download(d) => (d.method(), d.current_web_error_status()),
            Operation::Upload(u) => (u.method(), None),
        };
        row["method"] = json!(method);
        row["web_error_status"] = json!(web_error.map(|w| w.name()));
        row
    }
}

/// SIGINT, listened for from before the transfer starts, so Ctrl-C never kills netrt halfway.
pub struct Interrupt(Signal);

impl Interrupt {
    pub fn listen() -> Result<Interrupt, Failure> {
        signal(SignalKind::interrupt())
            .map(Interrupt)
            .map_err(|e| Failure::Input(format!("cannot listen for Ctrl-C: {e}")))
    }
}

/// Waits until `op` has left Started (AsyncOperation is not a Future; its done listener is).
async fn finished<T: Send + Sync + 'static>(op: &AsyncOperation<T>) {
    let (tx, rx) = oneshot::channel();
    if op.on_done(Box::new(move || {
        let _ = tx.send(());
    })) {
        let _ = rx.await;
    }
}

/// The progress bar on stderr: hidden with `--json` (and by indicatif when stderr is not a
/// terminal).
struct Bar {
    bar: ProgressBar,
    sized: bool,
    first: bool,
}

impl Bar {
    fn new(json: bool) -> Bar {
        if json {
            return Bar { bar: ProgressBar::hidden(), sized: false, first: true };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(Self::style("{spinner} {msg} {bytes} {binary_bytes_per_sec}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar, sized: false, first: true }
    }

    fn style(template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    }

    fn show(&mut self, operation: &Operation, s: &Snapshot) {
        let (done, total) = operation.done_and_total(s);
        if total > 0 && !self.sized {
            self.sized = true;
            self.bar.set_length(total);
            self.bar.set_style(Self::style(
                "{msg} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
            ));
        }
        self.bar.set_message(s.status.name());
        self.bar.set_position(done);
        if self.first {
            // Attaching to a transfer half done: the rate counts from here, not from zero.
            self.first = false;
            self.bar.reset_eta();
        }
    }
}

/// Follows a StartAsync/AttachAsync operation until the transfer ends: every progress report
/// is drawn (or printed as a `progress` JSON line); then a `completed` line, or the transfer's
/// error. Ctrl-C prints how to attach again and fails with [`Failure::Detached`].
pub async fn follow<T>(
    started: AsyncOperationWithProgress<T, T>,
    operation: Operation,
    view: fn(T) -> Operation,
    mut interrupt: Interrupt,
    json: bool,
) -> Result<Operation, Failure>
where
    T: Clone + Send + Sync + 'static,
{
    let (tx, mut reports) = mpsc::unbounded_channel();
    started.set_progress(Arc::new(move |p: T| {
        let _ = tx.send(p);
    }))?;
    let mut bar = Bar::new(json);
    let show = |bar: &mut Bar, op: &Operation| {
        let s = op.snapshot();
        if json {
            json_line(&op.json("progress"));
        } else {
            bar.show(op, &s);
        }
    };
    let done = finished(started.operation());
    tokio::pin!(done);
    loop {
        tokio::select! {
            biased;
            _ = interrupt.0.recv() => {
                bar.bar.finish_and_clear();
                // The operation is left running (never cancelled: that would cancel the transfer);
                // the process exits without dropping it.
                std::mem::forget(started.clone());
                report_detached(&operation, json);
                return Err(Failure::Detached);
            }
            () = &mut done => break,
            Some(p) = reports.recv() => show(&mut bar, &view(p)),
        }
    }
    while let Ok(p) = reports.try_recv() {
        show(&mut bar, &view(p));
    }
    bar.bar.finish_and_clear();
    let finished = started.results().map(view)?;
    report_completed(&finished, json);
    Ok(finished)
}

fn report_detached(operation: &Operation, json: bool) {
    let guid = operation.guid();
    if json {
        json_line(&json!({
            "event": "detached",
            "guid": guid,
            "kind": operation.kind(),
            "attach": format!("netrt transfers attach {guid}"),
        }));
        return;
    }
    anstream::eprintln!(
        "{LABEL}Detached{LABEL:#}: the {} {guid} goes on in netrt-brokerd.",
        operation.kind()
    );
    anstream::eprintln!("  {DIM}follow it again:{DIM:#} netrt transfers attach {guid}");
}

fn report_completed(operation: &Operation, json: bool) {
    let (code, actual) = match operation {
        Operation::Download(d) => d.get_response_information(),
        Operation::Upload(u) => u.get_response_information(),
    }
    .map(|r| (Some(r.status_code()), Some(r.actual_uri().display_uri())))
    .unwrap_or((None, None));
    if json {
        let mut line = operation.json("completed");
        line["file"] = json!(operation.file());
        line["status_code"] = json!(code);
        line["actual_uri"] = json!(actual);
        json_line(&line);
        return;
    }
    let s = operation.snapshot();
    let code = code.map(|c| format!(", HTTP {c}")).unwrap_or_default();
    match operation {
        Operation::Download(_) => anstream::eprintln!(
            "{GOOD}Completed{GOOD:#} {} ({} bytes{code})",
            operation.file().unwrap_or_default(),
            s.bytes_received
        ),
        Operation::Upload(_) => anstream::eprintln!(
            "{GOOD}Completed{GOOD:#} upload to {} ({} bytes sent{code})",
            operation.uri(),
            s.bytes_sent
        ),
    }
}
