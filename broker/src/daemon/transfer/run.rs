//! One transfer's run: engine attempts until it completes, fails, pauses or is cancelled;
//! a dropped connection is retried with backoff.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use netrt::background_transfer::engine::{
    self, MultipartSpec, Outcome, PartBody, PartSpec, RequestBody, ResponseSummary, ResumeState, Snapshot,
    Target, TransferSpec, Validator,
};
use netrt::security::PasswordCredential;
use tokio_util::sync::CancellationToken;

use super::{StopReason, Transfers, status, store};
use crate::protocol::{BodySource, Credential, ResponseInfo, TransferId, TransferKind, TransferState};

/// Attempts after a dropped connection before the transfer fails (the count restarts whenever
/// an attempt made progress).
const MAX_RETRIES: u32 = 6;
/// The longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Deletes a download's partial file (cancel).
pub(super) fn discard_partial(state: &TransferState) {
    if state.request.kind == TransferKind::Download && !state.body_path.is_empty() {
        let _ = std::fs::remove_file(&state.body_path);
    }
}

/// Deletes the copy of a request body stream the app spooled for this transfer.
pub(super) fn discard_spooled_body(state: &TransferState) {
    if let BodySource::File(path) = &state.request.body
        && Path::new(path).parent().is_some_and(|d| d.ends_with("transfer-bodies"))
    {
        let _ = std::fs::remove_file(path);
    }
}

fn credential(c: &Option<Credential>) -> Option<PasswordCredential> {
    let c = c.as_ref()?;
    PasswordCredential::with_fields(&c.resource, &c.user_name, &c.password).ok()
}

fn spec(state: &TransferState) -> Result<TransferSpec, String> {
    let r = &state.request;
    let url = url_of(&r.uri)?;
    let body = match &r.body {
        BodySource::None => RequestBody::None,
        BodySource::File(path) => RequestBody::File(PathBuf::from(path)),
        BodySource::Multipart { parts, sub_type, boundary } => RequestBody::Multipart(MultipartSpec {
            parts: parts
                .iter()
                .map(|p| PartSpec {
                    name: p.name.clone(),
                    file_name: p.file_name.clone(),
                    headers: p.headers.clone(),
                    body: match (&p.file, &p.text) {
                        (Some(file), _) => PartBody::File(PathBuf::from(file)),
                        (None, Some(text)) => PartBody::Text(text.clone()),
                        (None, None) => PartBody::Empty,
                    },
                })
                .collect(),
            sub_type: sub_type.clone(),
            boundary: boundary.clone(),
        }),
    };
    let target = match r.kind {
        TransferKind::Download => Target::Download { partial: PathBuf::from(&state.body_path) },
        TransferKind::Upload => Target::Upload { response_body: PathBuf::from(&state.body_path) },
    };
    Ok(TransferSpec {
        method: r.method.clone(),
        url,
        headers: r.headers.clone(),
        server_credential: credential(&r.server_credential),
        proxy_credential: credential(&r.proxy_credential),
        body,
        target,
    })
}

fn url_of(uri: &str) -> Result<url::Url, String> {
    url::Url::parse(uri).map_err(|e| format!("{uri}: {e}"))
}

fn validator_text(v: &Option<Validator>) -> String {
    match v {
        Some(Validator::ETag(t)) => format!("E{t}"),
        Some(Validator::LastModified(d)) => format!("L{d}"),
        None => String::new(),
    }
}

fn validator_of(text: &str) -> Option<Validator> {
    match text.split_at_checked(1) {
        Some(("E", t)) => Some(Validator::ETag(t.to_owned())),
        Some(("L", d)) => Some(Validator::LastModified(d.to_owned())),
        _ => None,
    }
}

/// The validator a response offers: a strong ETag, else Last-Modified.
fn validator_from(response: &ResponseSummary) -> Option<Validator> {
    let header = |name: &str| {
        response.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    };
    match header("etag") {
        Some(tag) if !tag.starts_with("W/") => Some(Validator::ETag(tag)),
        _ => header("last-modified").map(Validator::LastModified),
    }
}

/// Where a download resumes: the partial file's real length, with the saved validator (no
/// validator: from zero, since nothing proves the bytes belong to the same resource).
fn resume_of(state: &TransferState) -> ResumeState {
    if state.request.kind != TransferKind::Download {
        return ResumeState::default();
    }
    let validator = validator_of(&state.validator);
    let len = std::fs::metadata(&state.body_path).map(|m| m.len()).unwrap_or(0);
    match validator {
        Some(v) if len > 0 => ResumeState {
            offset: len,
            validator: Some(v),
            total: (state.total_bytes_to_receive > 0).then_some(state.total_bytes_to_receive),
        },
        _ => ResumeState::default(),
    }
}

fn info(response: &ResponseSummary) -> ResponseInfo {
    ResponseInfo {
        status_code: response.status_code,
        actual_uri: response.actual_url.to_string(),
        headers: response.headers.clone(),
        is_resumable: response.is_resumable,
    }
}

enum Step {
    Done,
    Retry(netrt::Error, ResumeState),
}

/// Runs the transfer until it leaves Running.
pub(super) async fn drive(transfers: Arc<Transfers>, guid: TransferId, stop: CancellationToken) {
    let mut retries = 0u32;
    loop {
        let Some(state) = transfers.lock().entries.get(&guid).map(|e| e.state.clone()) else { return };
        let before = state.bytes_received;
        let step = attempt(&transfers, guid, &state, stop.clone()).await;
        match step {
            Step::Done => break,
            Step::Retry(error, resume) => {
                let progressed =
                    transfers.lock().entries.get(&guid).is_some_and(|e| e.state.bytes_received > before);
                retries = if progressed { 1 } else { retries + 1 };
                if retries > MAX_RETRIES {
                    finish(&transfers, guid, |s| {
                        s.status = status::ERROR;
                        s.web_error = Some(i32::from(error.web_error_status()) as u32);
                        s.error = Some((error.hresult(), error.message().to_owned()));
                    });
                    break;
                }
                transfers.with(guid, |s| s.validator = validator_text(&resume.validator));
                let pause = transfers.retry_base.saturating_mul(1 << retries.min(16)).min(MAX_BACKOFF);
                tracing::info!(transfer = %store::hex(&guid), "interrupted ({error}); retry {retries} in {pause:?}");
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.cancelled() => {
                        let resume = resume_of(&transfers.lock().entries.get(&guid).map(|e| e.state.clone()).unwrap_or(state));
                        stopped(&transfers, guid, resume);
                        break;
                    }
                }
            }
        }
    }
    transfers.schedule();
}

async fn attempt(
    transfers: &Arc<Transfers>,
    guid: TransferId,
    state: &TransferState,
    stop: CancellationToken,
) -> Step {
    let spec = match spec(state) {
        Ok(spec) => spec,
        Err(why) => {
            finish(transfers, guid, |s| {
                s.status = status::ERROR;
                s.error = Some((super::hr::E_INVALIDARG, why));
            });
            return Step::Done;
        }
    };
    let resume = resume_of(state);
    let reporter = transfers.clone();
    let progress = move |snap: &Snapshot, response: Option<&ResponseSummary>| {
        reporter.progress(guid, snap, response);
    };
    let outcome = engine::run(&spec, resume, &progress, stop).await;
    match outcome {
        Outcome::Completed { response } => {
            let renamed = match state.request.kind {
                TransferKind::Download => rename_into_place(&state.body_path, &state.request.path),
                TransferKind::Upload => Ok(()),
            };
            finish(transfers, guid, |s| {
                s.response = Some(info(&response));
                match renamed {
                    Ok(()) => s.status = status::COMPLETED,
                    Err(e) => {
                        s.status = status::ERROR;
                        s.error = Some((
                            0x8000_4005_u32 as i32,
                            format!("cannot move the download to {}: {e}", s.request.path),
                        ));
                    }
                }
            });
            Step::Done
        }
        Outcome::Failed { error, status: web, response } => {
            let raw = i32::from(web) as u32;
            finish(transfers, guid, |s| {
                if let Some(r) = &response {
                    s.response = Some(info(r));
                }
                s.web_error = Some(raw);
                if s.request.recoverable.contains(&raw) {
                    s.status = status::PAUSED_RECOVERABLE;
                } else {
                    s.status = status::ERROR;
                    s.error = Some((error.hresult(), error.message().to_owned()));
                }
            });
            Step::Done
        }
        Outcome::Interrupted { error, resume } => Step::Retry(error, resume),
        Outcome::Stopped { resume } => {
            stopped(transfers, guid, resume);
            Step::Done
        }
    }
}

/// The attempt stopped on its token: pause, cancel, or the daemon's shutdown.
fn stopped(transfers: &Transfers, guid: TransferId, resume: ResumeState) {
    let reason = transfers.lock().entries.get(&guid).and_then(|e| e.stop_reason);
    finish(transfers, guid, |s| {
        if resume.validator.is_some() {
            s.validator = validator_text(&resume.validator);
        }
        match reason {
            Some(StopReason::Cancel) => {
                discard_partial(s);
                s.status = status::CANCELED;
            }
            Some(StopReason::Pause) => s.status = status::PAUSED_BY_APPLICATION,
            // Saved as Running: the next daemon resumes it.
            Some(StopReason::Shutdown) | None => s.status = status::RUNNING,
        }
    });
}

/// Moves the finished partial file over the result file (same directory: one rename).
fn rename_into_place(partial: &str, result: &str) -> std::io::Result<()> {
    if !Path::new(partial).exists() {
        // An empty body: the engine may not have created the partial file.
        std::fs::File::create(partial)?;
    }
    std::fs::rename(partial, result)
}

/// Applies the attempt's end to the entry and publishes it.
fn finish(transfers: &Transfers, guid: TransferId, apply: impl FnOnce(&mut TransferState)) {
    let mut inner = transfers.lock();
    let Some(entry) = inner.entries.get_mut(&guid) else { return };
    apply(&mut entry.state);
    if status::is_final(entry.state.status) {
        discard_spooled_body(&entry.state);
    }
    entry.stop = None;
    entry.stop_reason = None;
    tracing::info!(transfer = %store::hex(&guid), "{}", super::name(entry.state.status));
    transfers.publish(entry);
}

impl Transfers {
    /// Applies a change to a running transfer's state without publishing.
    fn with(&self, guid: TransferId, apply: impl FnOnce(&mut TransferState)) {
        if let Some(entry) = self.lock().entries.get_mut(&guid) {
            apply(&mut entry.state);
        }
    }

    /// The engine's progress: pushed to subscribers; saved every few MiB and when the response
    /// arrives (its validator is what a restarted daemon resumes with).
    fn progress(&self, guid: TransferId, snap: &Snapshot, response: Option<&ResponseSummary>) {
        let mut inner = self.lock();
        let Some(entry) = inner.entries.get_mut(&guid) else { return };
        let s = &mut entry.state;
        s.bytes_received = snap.bytes_received;
        s.total_bytes_to_receive = snap.total_bytes_to_receive;
        s.bytes_sent = snap.bytes_sent;
        s.total_bytes_to_send = snap.total_bytes_to_send;
        s.has_restarted |= snap.has_restarted;
        s.has_response_changed |= snap.has_response_changed;
        let mut save =
            s.bytes_received >= entry.saved_at + super::SAVE_EVERY || s.bytes_received < entry.saved_at;
        if let Some(r) = response {
            s.response = Some(info(r));
            if s.request.kind == TransferKind::Download {
                s.validator = validator_text(&validator_from(r));
            }
            save = true;
        }
        if save {
            self.publish(entry);
        } else {
            let view = super::public(&entry.state);
            entry.subscribers.retain(|tx| tx.send(view.clone()).is_ok());
        }
    }
}
