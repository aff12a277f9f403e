//! Running a task's command for an activation. A command that cannot start (the shell cannot
//! run it: exit status 126 or 127, or the shell itself fails to start) is retried with
//! exponential backoff, a bounded number of times: logged, never a busy loop.

use std::path::PathBuf;
use std::time::Duration;

use crate::protocol::{ACTIVATION_ENV, SOCKET_ENV, TaskRegistration};

/// Attempts per activation before giving up.
const ATTEMPTS: u32 = 6;
/// The longest pause between attempts.
const MAX_DELAY: Duration = Duration::from_secs(60);

/// Task commands running at once, at most: a burst of activations (thousands of held sockets
/// whose peers all leave together) queues instead of forking thousands of processes.
pub(crate) const CONCURRENT_COMMANDS: usize = 64;

/// Starts the command of `task` for `activation_id` on the runtime (returns at once); it waits
/// for one of the `running` permits first.
pub(crate) fn activate(
    task: TaskRegistration,
    activation_id: String,
    socket: PathBuf,
    retry_base: Duration,
    running: std::sync::Arc<tokio::sync::Semaphore>,
) {
    tokio::spawn(async move {
        let mut delay = retry_base;
        for attempt in 1..=ATTEMPTS {
            let Ok(_permit) = running.acquire().await else { return };
            match run_once(&task, &activation_id, &socket).await {
                Ok(()) => return,
                Err(why) if attempt < ATTEMPTS => {
                    tracing::warn!(
                        task = %task.name, activation = %activation_id,
                        "the task's command did not start ({why}); attempt {attempt} of {ATTEMPTS}, retrying in {delay:?}"
                    );
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(MAX_DELAY);
                }
                Err(why) => tracing::error!(
                    task = %task.name, activation = %activation_id,
                    "the task's command did not start ({why}); giving up after {ATTEMPTS} attempts"
                ),
            }
        }
    });
}

/// One run; `Err` only when the command could not be started.
async fn run_once(task: &TaskRegistration, activation_id: &str, socket: &PathBuf) -> Result<(), String> {
    let mut command = tokio::process::Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(&task.command)
        .envs(task.env.iter().map(|(k, v)| (k, v)))
        .env(ACTIVATION_ENV, activation_id)
        .env(SOCKET_ENV, socket)
        // systemd's socket-activation variables were for the daemon, not its tasks.
        .env_remove("LISTEN_PID")
        .env_remove("LISTEN_FDS")
        .env_remove("LISTEN_FDNAMES")
        .stdin(std::process::Stdio::null());
    let mut child = command.spawn().map_err(|e| format!("/bin/sh: {e}"))?;
    tracing::info!(task = %task.name, activation = %activation_id, pid = child.id(), "started `{}`", task.command);
    let status = child.wait().await.map_err(|e| format!("waiting for the command: {e}"))?;
    match status.code() {
        Some(code @ (126 | 127)) => {
            Err(format!("`{}` exited with {code}: not found or not executable", task.command))
        }
        _ => {
            tracing::info!(task = %task.name, activation = %activation_id, "the command ended: {status}");
            Ok(())
        }
    }
}
