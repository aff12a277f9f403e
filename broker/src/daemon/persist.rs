//! Registrations survive restarts: the tasks file is the tasks' RegisterTask frames, written to
//! a temporary file and renamed over the old one.

use std::path::{Path, PathBuf};

use crate::protocol::{FrameDecoder, Message, TaskRegistration, encode};

pub(crate) fn tasks_file(state_dir: &Path) -> PathBuf {
    state_dir.join("tasks")
}

/// The saved registrations; a missing file is none, a damaged one keeps what decoded.
pub(crate) fn load(state_dir: &Path) -> Vec<TaskRegistration> {
    let path = tasks_file(state_dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            tracing::warn!("cannot read {}: {e}; starting with no registered tasks", path.display());
            return Vec::new();
        }
    };
    let mut frames = FrameDecoder::default();
    frames.push(&bytes);
    let mut tasks = Vec::new();
    loop {
        match frames.next_message() {
            Ok(Some(Message::RegisterTask(t))) => tasks.push(t),
            Ok(Some(other)) => tracing::warn!("{}: ignoring {other:?}", path.display()),
            Ok(None) if frames.buffered() == 0 => break,
            Ok(None) => {
                tracing::warn!("{}: truncated after {} tasks", path.display(), tasks.len());
                break;
            }
            Err(e) => {
                tracing::warn!("{}: {e}; kept the {} tasks before it", path.display(), tasks.len());
                break;
            }
        }
    }
    tasks
}

/// Writes every registration.
pub(crate) fn save<'a>(
    state_dir: &Path,
    tasks: impl Iterator<Item = &'a TaskRegistration>,
) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(state_dir)?;
    let mut bytes = Vec::new();
    for t in tasks {
        bytes.extend(encode(&Message::RegisterTask(t.clone())).map_err(std::io::Error::other)?);
    }
    let path = tasks_file(state_dir);
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut f =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)
}
