//! The transfer manager: background downloads and uploads, run with netrt's transfer engine on
//! the daemon's runtime. Serialized groups run one transfer at a time (High priority first,
//! else creation order), everything else at once; a dropped connection is retried with
//! backoff; an HTTP failure the app listed as recoverable pauses the transfer. Every status
//! change (and every few MiB) is saved (store.rs), so a restarted daemon resumes what was
//! running from the partial file.

mod run;
mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::{
    Message, TransferAction, TransferChange, TransferId, TransferKind, TransferRequest, TransferState,
};

/// HRESULTs of refused requests.
pub(crate) mod hr {
    pub const E_INVALIDARG: i32 = 0x8007_0057_u32 as i32;
    pub const E_ILLEGAL_METHOD_CALL: i32 = 0x8000_000E_u32 as i32;
    /// HRESULT_FROM_WIN32(ERROR_NOT_FOUND).
    pub const NOT_FOUND: i32 = 0x8007_0490_u32 as i32;
    /// HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS).
    pub const ALREADY_EXISTS: i32 = 0x8007_00B7_u32 as i32;
}

/// BackgroundTransferStatus values.
pub(crate) mod status {
    pub const IDLE: u32 = 0;
    pub const RUNNING: u32 = 1;
    pub const PAUSED_BY_APPLICATION: u32 = 2;
    pub const COMPLETED: u32 = 5;
    pub const CANCELED: u32 = 6;
    pub const ERROR: u32 = 7;
    pub const PAUSED_RECOVERABLE: u32 = 8;

    pub fn is_final(s: u32) -> bool {
        matches!(s, COMPLETED | CANCELED | ERROR)
    }

    pub fn is_paused(s: u32) -> bool {
        matches!(s, 2 | 3 | 4 | PAUSED_RECOVERABLE | 32)
    }
}

/// Why a running attempt is asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopReason {
    Pause,
    Cancel,
    Shutdown,
}

struct Entry {
    state: TransferState,
    /// Creation order (for Serialized groups).
    seq: u64,
    /// The running attempt's stop token.
    stop: Option<CancellationToken>,
    stop_reason: Option<StopReason>,
    subscribers: Vec<mpsc::UnboundedSender<TransferState>>,
    /// Bytes received when the state was last saved.
    saved_at: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<TransferId, Entry>,
    next_seq: u64,
    shutting_down: bool,
}

/// Save the state again after this many more bytes.
const SAVE_EVERY: u64 = 4 << 20;

pub(crate) struct Transfers {
    inner: Mutex<Inner>,
    dir: PathBuf,
    retry_base: Duration,
    tasks: tokio_util::task::TaskTracker,
}

fn failed(hresult: i32, message: impl Into<String>) -> Message {
    Message::Failed { hresult, message: message.into() }
}

impl Transfers {
    pub(crate) fn new(state_dir: &Path, retry_base: Duration) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Inner::default()),
            dir: store::dir(state_dir),
            retry_base,
            tasks: tokio_util::task::TaskTracker::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Loads the saved transfers: those that were running run again (from the partial file),
    /// paused ones stay paused. Call on the runtime.
    pub(crate) fn recover(self: &Arc<Self>) {
        let mut saved = store::load(&self.dir);
        saved.sort_by_key(|s| s.request.guid);
        let count = saved.len();
        {
            let mut inner = self.lock();
            for mut state in saved {
                if status::is_final(state.status) {
                    // Reported to whoever followed it before the restart; not listed again.
                    let _ = std::fs::remove_file(store::file(&self.dir, &state.request.guid));
                    continue;
                }
                if state.status == status::RUNNING {
                    // Queued again: the scheduler restarts it from the partial file's length.
                    state.status = status::IDLE;
                }
                let seq = inner.next_seq;
                inner.next_seq += 1;
                let guid = state.request.guid;
                let saved_at = state.bytes_received;
                inner.entries.insert(
                    guid,
                    Entry { state, seq, stop: None, stop_reason: None, subscribers: Vec::new(), saved_at },
                );
            }
        }
        if count > 0 {
            tracing::info!("{count} saved background transfers");
        }
        self.schedule();
    }

    /// Stops every running attempt (their state is saved as Running, to resume at the next
    /// start) and waits for them, at most a few seconds.
    pub(crate) async fn shutdown(&self) {
        {
            let mut inner = self.lock();
            inner.shutting_down = true;
            for entry in inner.entries.values_mut() {
                if let Some(stop) = &entry.stop {
                    entry.stop_reason = Some(StopReason::Shutdown);
                    stop.cancel();
                }
            }
        }
        self.tasks.close();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.tasks.wait()).await;
    }

    fn save(&self, state: &TransferState) {
        if let Err(e) = store::save(&self.dir, state) {
            tracing::error!(transfer = %store::hex(&state.request.guid), "cannot save the transfer: {e}");
        }
    }

    /// Records a change of `entry`'s state: saved, and pushed to its subscribers.
    fn publish(&self, entry: &mut Entry) {
        self.save(&entry.state);
        entry.saved_at = entry.state.bytes_received;
        let view = public(&entry.state);
        entry.subscribers.retain(|s| s.send(view.clone()).is_ok());
    }

    pub(crate) fn create(self: &Arc<Self>, request: TransferRequest) -> Message {
        if let Err(why) = validate(&request) {
            return failed(hr::E_INVALIDARG, why);
        }
        let mut inner = self.lock();
        if inner.entries.contains_key(&request.guid) {
            return failed(hr::ALREADY_EXISTS, "a transfer with this GUID exists");
        }
        let mut state = TransferState::new(request);
        state.body_path = match state.request.kind {
            TransferKind::Download => format!("{}.partial", state.request.path),
            TransferKind::Upload => {
                self.dir.join(format!("{}.response", store::hex(&state.request.guid))).display().to_string()
            }
        };
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let mut entry =
            Entry { state, seq, stop: None, stop_reason: None, subscribers: Vec::new(), saved_at: 0 };
        self.publish(&mut entry);
        tracing::info!(
            transfer = %store::hex(&entry.state.request.guid),
            "created a {:?} of {}",
            entry.state.request.kind,
            loggable(&entry.state.request.uri)
        );
        let reply = Message::TransferState(Box::new(public(&entry.state)));
        inner.entries.insert(entry.state.request.guid, entry);
        reply
    }

    pub(crate) fn get(&self, guid: &TransferId) -> Message {
        match self.lock().entries.get(guid) {
            Some(e) => Message::TransferState(Box::new(public(&e.state))),
            None => not_found(),
        }
    }

    /// How many transfers the daemon keeps (every kind and group, finished ones included).
    pub(crate) fn count(&self) -> usize {
        self.lock().entries.len()
    }

    pub(crate) fn list(&self, kind: TransferKind, group: Option<String>) -> Message {
        let inner = self.lock();
        let mut found: Vec<&Entry> = inner
            .entries
            .values()
            .filter(|e| e.state.request.kind == kind && e.state.request.group == group)
            .collect();
        found.sort_by_key(|e| e.seq);
        Message::Transfers(found.into_iter().map(|e| public(&e.state)).collect())
    }

    pub(crate) fn command(self: &Arc<Self>, guid: &TransferId, action: TransferAction) -> Message {
        let reply = {
            let mut inner = self.lock();
            let Some(entry) = inner.entries.get_mut(guid) else { return not_found() };
            let s = entry.state.status;
            match action {
                TransferAction::Start if entry.state.started => {
                    return failed(
                        hr::E_ILLEGAL_METHOD_CALL,
                        "StartAsync was called before for this transfer",
                    );
                }
                TransferAction::Start => {
                    entry.state.started = true;
                    self.publish(entry);
                }
                TransferAction::Pause
                    if s != status::RUNNING && !(s == status::IDLE && entry.state.started) =>
                {
                    return failed(
                        hr::E_ILLEGAL_METHOD_CALL,
                        format!("Pause: the transfer is not running ({})", name(s)),
                    );
                }
                TransferAction::Pause => match &entry.stop {
                    Some(stop) => {
                        entry.stop_reason = Some(StopReason::Pause);
                        stop.cancel();
                    }
                    None => {
                        entry.state.status = status::PAUSED_BY_APPLICATION;
                        self.publish(entry);
                    }
                },
                TransferAction::Resume if !status::is_paused(s) => {
                    return failed(
                        hr::E_ILLEGAL_METHOD_CALL,
                        format!("Resume: the transfer is not paused ({})", name(s)),
                    );
                }
                TransferAction::Resume if entry.state.request.method.eq_ignore_ascii_case("POST") => {
                    return failed(hr::E_ILLEGAL_METHOD_CALL, "Resume: a POST transfer cannot resume");
                }
                TransferAction::Resume => {
                    entry.state.status = status::IDLE;
                    entry.state.web_error = None;
                    self.publish(entry);
                }
                TransferAction::Cancel if status::is_final(s) => {}
                TransferAction::Cancel => match &entry.stop {
                    Some(stop) => {
                        entry.stop_reason = Some(StopReason::Cancel);
                        stop.cancel();
                    }
                    None => {
                        run::discard_partial(&entry.state);
                        run::discard_spooled_body(&entry.state);
                        entry.state.status = status::CANCELED;
                        self.publish(entry);
                    }
                },
            }
            Message::Ok
        };
        self.schedule();
        reply
    }

    pub(crate) fn change(&self, guid: &TransferId, change: TransferChange) -> Message {
        let mut inner = self.lock();
        let Some(entry) = inner.entries.get_mut(guid) else { return not_found() };
        let request = &mut entry.state.request;
        match change {
            TransferChange::RequestedUri(uri) => {
                if !status::is_paused(entry.state.status) {
                    return failed(
                        hr::E_ILLEGAL_METHOD_CALL,
                        "RequestedUri can change only while the transfer is paused",
                    );
                }
                if let Err(why) = check_uri(&uri) {
                    return failed(hr::E_INVALIDARG, why);
                }
                request.uri = uri;
            }
            TransferChange::Header(name, value) => {
                request.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                if let Some(value) = value {
                    request.headers.push((name, value));
                }
            }
            TransferChange::Priority(p) if p <= 2 => request.priority = p,
            TransferChange::CostPolicy(p) if p <= 2 => request.cost_policy = p,
            TransferChange::Priority(_) | TransferChange::CostPolicy(_) => {
                return failed(hr::E_INVALIDARG, "not a BackgroundTransferPriority or CostPolicy value");
            }
            TransferChange::Recoverable(list) => request.recoverable = list,
            TransferChange::RandomAccess(_) if entry.state.started => {
                return failed(
                    hr::E_ILLEGAL_METHOD_CALL,
                    "IsRandomAccessRequired can be set only before StartAsync",
                );
            }
            TransferChange::RandomAccess(on) => request.random_access_required = on,
        }
        self.publish(entry);
        Message::Ok
    }

    /// A feed of the transfer's state: the current one first.
    pub(crate) fn subscribe(
        &self,
        guid: &TransferId,
    ) -> Result<mpsc::UnboundedReceiver<TransferState>, Message> {
        let mut inner = self.lock();
        let Some(entry) = inner.entries.get_mut(guid) else { return Err(not_found()) };
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = tx.send(public(&entry.state));
        entry.subscribers.push(tx);
        Ok(rx)
    }

    /// Starts what may run: every queued transfer outside Serialized groups, and in each
    /// Serialized group with nothing running the first by priority and creation order.
    fn schedule(self: &Arc<Self>) {
        let mut inner = self.lock();
        if inner.shutting_down {
            return;
        }
        let queued = |e: &Entry| e.state.started && e.state.status == status::IDLE && e.stop.is_none();
        let serialized = |e: &Entry| e.state.request.group.is_some() && e.state.request.group_behavior == 1;
        let busy_groups: Vec<String> = inner
            .entries
            .values()
            .filter(|e| serialized(e) && (e.stop.is_some() || e.state.status == status::RUNNING))
            .filter_map(|e| e.state.request.group.clone())
            .collect();
        let mut start: Vec<TransferId> = inner
            .entries
            .values()
            .filter(|e| queued(e) && !serialized(e))
            .map(|e| e.state.request.guid)
            .collect();
        let mut heads: HashMap<String, (u8, u64, TransferId)> = HashMap::new();
        for e in inner.entries.values().filter(|e| queued(e) && serialized(e)) {
            let group = e.state.request.group.clone().unwrap_or_default();
            if busy_groups.contains(&group) {
                continue;
            }
            // High (1) first, then Default (0), then Low (2).
            let rank = match e.state.request.priority {
                1 => 0,
                2 => 2,
                _ => 1,
            };
            let key = (rank, e.seq, e.state.request.guid);
            let best = heads.entry(group).or_insert(key);
            if (key.0, key.1) < (best.0, best.1) {
                *best = key;
            }
        }
        start.extend(heads.into_values().map(|(_, _, guid)| guid));
        for guid in start {
            let Some(entry) = inner.entries.get_mut(&guid) else { continue };
            let stop = CancellationToken::new();
            entry.stop = Some(stop.clone());
            entry.stop_reason = None;
            entry.state.status = status::RUNNING;
            entry.state.error = None;
            self.publish(entry);
            let me = self.clone();
            self.tasks.spawn(async move { run::drive(me, guid, stop).await });
        }
    }
}

fn not_found() -> Message {
    failed(
        hr::NOT_FOUND,
        "no background transfer with this GUID is known to the broker (it finished and was delivered, or never existed)",
    )
}

fn name(status: u32) -> &'static str {
    match status {
        0 => "Idle",
        1 => "Running",
        2 => "PausedByApplication",
        3 => "PausedCostedNetwork",
        4 => "PausedNoNetwork",
        5 => "Completed",
        6 => "Canceled",
        7 => "Error",
        8 => "PausedRecoverableWebErrorStatus",
        32 => "PausedSystemPolicy",
        _ => "unknown",
    }
}

/// The state as clients see it: no passwords.
fn public(state: &TransferState) -> TransferState {
    TransferState { request: state.request.without_secrets(), ..state.clone() }
}

/// A URI for the log: without a password in its user info.
fn loggable(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => "(an invalid URI)".into(),
    }
}

fn check_uri(uri: &str) -> Result<(), String> {
    match netrt::foundation::Uri::new(uri) {
        Ok(u) if matches!(u.scheme_name().to_ascii_lowercase().as_str(), "http" | "https") => Ok(()),
        Ok(u) => Err(format!("{uri}: background transfers need http or https, not {}", u.scheme_name())),
        Err(e) => Err(format!("{uri}: {e}")),
    }
}

fn validate(request: &TransferRequest) -> Result<(), String> {
    check_uri(&request.uri)?;
    if request.method.is_empty() {
        return Err("the method is empty".into());
    }
    if request.kind == TransferKind::Download && !Path::new(&request.path).is_absolute() {
        return Err(format!("the result file {:?} is not an absolute path", request.path));
    }
    Ok(())
}
