//! `netrt-brokerd`: one per user. Listens on a Unix socket in a 0700 directory, serves only
//! peers of its own uid (SO_PEERCRED), holds transferred sockets on tokio's reactor without
//! reading them, and activates their task when they need the app.

mod listen;
mod persist;
mod session;
mod spawn;
mod state;
mod transfer;
mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::protocol::{Activation, Message};
use state::State;
use watch::Fired;

/// How the daemon runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The socket to listen on.
    pub socket: PathBuf,
    /// Where registrations are saved.
    pub state_dir: PathBuf,
    /// The first pause before retrying a command that did not start (doubles each time).
    pub retry_base: Duration,
}

pub(crate) struct Broker {
    state: Mutex<State>,
    /// Holds the sockets (one epoll set for all).
    watcher: watch::Watcher,
    config: Config,
    /// Permits for task commands running at once.
    running: Arc<tokio::sync::Semaphore>,
    /// Background transfers.
    pub(crate) transfers: Arc<transfer::Transfers>,
}

impl Broker {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves the registrations; the reply to the request that changed them.
    pub(crate) fn save_tasks(&self) -> Message {
        let state = self.state();
        match persist::save(&self.config.state_dir, state.tasks.values()) {
            Ok(()) => Message::Ok,
            Err(e) => {
                tracing::error!("cannot save the registrations in {}: {e}", self.config.state_dir.display());
                Message::Failed {
                    hresult: 0x8000_4005_u32 as i32,
                    message: format!("the broker could not save its registrations: {e}"),
                }
            }
        }
    }

    /// Runs the task's command for an activation no running instance took.
    pub(crate) fn spawn_for(&self, activation: Activation) {
        let task = self.state().tasks.get(&activation.socket.task_id).cloned();
        match task {
            Some(task) => spawn::activate(
                task,
                activation.activation_id,
                self.config.socket.clone(),
                self.config.retry_base,
                self.running.clone(),
            ),
            None => tracing::warn!(
                socket = %activation.socket.id,
                "{:?}, but its task is no longer registered; the socket stays held", activation.reason
            ),
        }
    }

    fn on_fired(&self, fired: Fired) {
        let activation = {
            let mut state = self.state();
            let Some(held) = state.held.get(&fired.id).filter(|h| h.generation == fired.generation) else {
                return;
            };
            let socket = held.record.clone();
            let activation =
                Activation { activation_id: state.activation_id(), reason: fired.reason, socket };
            tracing::info!(socket = %fired.id, activation = %activation.activation_id, "{:?}", fired.reason);
            state.remember(activation.clone());
            match state.notify_subscriber(activation) {
                None => return,
                Some(unclaimed) => unclaimed,
            }
        };
        self.spawn_for(activation);
    }
}

/// Runs the daemon until SIGTERM or SIGINT. Returns the process exit code.
pub fn run(config: Config) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            return 1;
        }
    };
    let code = runtime.block_on(serve(config));
    // Transfers were stopped and saved by `serve`; do not wait on work still winding down.
    runtime.shutdown_timeout(Duration::from_secs(1));
    code
}

async fn serve(config: Config) -> i32 {
    let (listener, activated) = match listen::bind(&config.socket) {
        Ok(listen::Bound::Listening { listener, activated }) => (listener, activated),
        Ok(listen::Bound::AlreadyRunning) => {
            tracing::info!("a broker already serves {}", config.socket.display());
            return 0;
        }
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", config.socket.display());
            return 1;
        }
    };
    let (fired_tx, mut fired_rx) = mpsc::unbounded_channel();
    let watcher = match watch::Watcher::new() {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("cannot create the epoll set for held sockets: {e}");
            return 1;
        }
    };
    let broker = Arc::new(Broker {
        state: Mutex::new(State::default()),
        watcher,
        config: config.clone(),
        running: Arc::new(tokio::sync::Semaphore::new(spawn::CONCURRENT_COMMANDS)),
        transfers: transfer::Transfers::new(
            &config.state_dir,
            config.retry_base.min(Duration::from_millis(200)),
        ),
    });
    broker.transfers.recover();
    {
        let mut state = broker.state();
        for task in persist::load(&config.state_dir) {
            state.tasks.insert(task.task_id, task);
        }
        tracing::info!(
            "netrt-brokerd {} listening on {}{} ({} registered tasks)",
            env!("CARGO_PKG_VERSION"),
            config.socket.display(),
            if activated { " (socket from systemd)" } else { "" },
            state.tasks.len()
        );
    }
    let watching = broker.clone();
    tokio::spawn(async move { watching.watcher.run(fired_tx).await });
    let events = broker.clone();
    tokio::spawn(async move {
        while let Some(fired) = fired_rx.recv().await {
            events.on_fired(fired);
        }
    });
    let (mut term, mut int) = match (
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()),
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()),
    ) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!("cannot handle signals: {e}");
            return 1;
        }
    };
    let own_uid = rustix::process::getuid().as_raw();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => match crate::transport::peer_uid(&stream) {
                    Ok(uid) if uid == own_uid => { tokio::spawn(session::serve(broker.clone(), stream)); }
                    Ok(uid) => tracing::warn!("refused a connection from uid {uid}"),
                    Err(e) => tracing::warn!("refused a connection whose peer is unknown: {e}"),
                },
                // Out of fds and the like: pause instead of spinning on the error.
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    // Running transfers stop where they are; the next daemon resumes them.
    broker.transfers.shutdown().await;
    let held = broker.state().held.len();
    if !activated {
        // A socket-activated daemon leaves the file to systemd, which keeps listening on it.
        listen::remove(&config.socket);
    }
    tracing::info!("shutting down; {held} held sockets are closed");
    0
}
