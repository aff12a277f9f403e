//! Each transfer's state on disk: `<state dir>/transfers/<guid>`, one TransferState frame,
//! written to a temporary file and renamed over the old one. The directory is 0700 and the
//! files 0600: they hold the transfer's credentials, which are stored nowhere else.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::protocol::{FrameDecoder, Message, TransferId, TransferState, encode};

pub(crate) fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join("transfers")
}

pub(crate) fn hex(guid: &TransferId) -> String {
    guid.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn file(dir: &Path, guid: &TransferId) -> PathBuf {
    dir.join(hex(guid))
}

pub(crate) fn save(dir: &Path, state: &TransferState) -> std::io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let bytes = encode(&Message::TransferState(Box::new(state.clone()))).map_err(std::io::Error::other)?;
    let path = file(dir, &state.request.guid);
    let tmp = path.with_extension("tmp");
    {
        let mut f =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)
}

/// Every saved transfer; files that do not decode are skipped (and logged).
pub(crate) fn load(dir: &Path) -> Vec<TransferState> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let mut frames = FrameDecoder::default();
        frames.push(&bytes);
        match frames.next_message() {
            Ok(Some(Message::TransferState(state))) => out.push(*state),
            other => tracing::warn!("{}: not a saved transfer ({other:?}); skipped", path.display()),
        }
    }
    out
}
