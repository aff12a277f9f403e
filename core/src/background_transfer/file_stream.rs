//! The input streams GetResultStreamAt returns (a download's file, an upload's response), and
//! the copy of a request body stream into a file the daemon can read.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::io::stream::{BoxFuture, ByteSource, InputStream, InputStreamOptions, OpTicket};

/// Reads a regular file from an offset. Reads of a local file do not wait on the network, so
/// they run inline.
struct FileSource {
    file: Mutex<Option<std::fs::File>>,
}

impl ByteSource for FileSource {
    fn read_some<'a>(&'a self, buf: &'a mut [u8], _ticket: OpTicket) -> BoxFuture<'a, Result<usize>> {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let result = match file.as_mut() {
            None => Err(Error::closed("stream")),
            Some(f) => f.read(buf).map_err(|e| Error::from_io(&e, "read the transfer's file")),
        };
        Box::pin(std::future::ready(result))
    }

    fn close(&self) {
        self.file.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// A file error as Windows' storage APIs report it (ERROR_FILE_NOT_FOUND, access denied).
fn file_error(e: &std::io::Error, what: &str, path: &Path) -> Error {
    use crate::error::hresult::{E_ACCESSDENIED, E_FILE_NOT_FOUND};
    let message = format!("{what}: {}: {e}", path.display());
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::new(E_FILE_NOT_FOUND, message),
        std::io::ErrorKind::PermissionDenied => Error::new(E_ACCESSDENIED, message),
        _ => Error::from_io(e, message),
    }
}

/// An input stream over `path` from `position` (past the end: an empty stream).
pub(super) fn open_at(path: &Path, position: u64, what: &str) -> Result<InputStream> {
    let mut file = std::fs::File::open(path).map_err(|e| file_error(&e, what, path))?;
    file.seek(SeekFrom::Start(position)).map_err(|e| Error::from_io(&e, what))?;
    Ok(InputStream::new(std::sync::Arc::new(FileSource { file: Mutex::new(Some(file)) })))
}

/// Copies a request body stream to a new private file (0600 in a 0700 directory of the
/// daemon's state directory), for the daemon to send: the app may exit before it runs.
pub(super) async fn spool(stream: InputStream, guid: &crate::foundation::Guid) -> Result<PathBuf> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = netrt_broker_protocol::paths::state_dir().join("transfer-bodies");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(|e| Error::from_io(&e, format!("create {}", dir.display())))?;
    let path = dir.join(format!("{guid}.body"));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::from_io(&e, format!("create {}", path.display())))?;
    loop {
        let chunk = stream.read(64 * 1024, InputStreamOptions::Partial).await?;
        if chunk.is_empty() {
            break;
        }
        file.write_all(&chunk).map_err(|e| Error::from_io(&e, format!("write {}", path.display())))?;
    }
    file.sync_all().map_err(|e| Error::from_io(&e, format!("write {}", path.display())))?;
    Ok(path)
}
