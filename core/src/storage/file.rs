//! `Windows.Storage.StorageFile`.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fs_error::fs_error;
use super::{absolute_path, name_of, on_blocking_pool};
use crate::error::{Error, Result};
use crate::foundation::AsyncOperation;

/// `StorageFile`: a file of the local file system, named by its absolute path (netrt files are
/// plain paths). Cloning is cheap and gives the same file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StorageFile {
    path: Arc<Path>,
}

impl StorageFile {
    /// A `StorageFile` for `path`, without touching the file system (netrt extension): for a
    /// file that does not exist yet, such as a download's result file.
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        Self { path: Arc::from(path.into()) }
    }

    /// `GetFileFromPathAsync(path)` as a future.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty or relative path (before any I/O) and for a path that names
    /// a directory; `ERROR_FILE_NOT_FOUND` (`0x80070002`) when nothing is there;
    /// `E_ACCESSDENIED` when the path cannot be searched.
    pub fn get_file_from_path(path: &str) -> impl Future<Output = Result<StorageFile>> + Send + 'static {
        let path = absolute_path(path, "file");
        async move {
            let path = path?;
            on_blocking_pool(move || {
                let meta = std::fs::metadata(&path).map_err(|e| fs_error(&e, "open file", &path))?;
                if meta.is_dir() {
                    return Err(Error::invalid_arg(format!(
                        "{} is a folder, not a file (use StorageFolder.GetFolderFromPathAsync)",
                        path.display()
                    )));
                }
                Ok(StorageFile::from_path(path))
            })
            .await
        }
    }

    /// `GetFileFromPathAsync(path)`: the file at an absolute path, which must exist.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for an empty or relative path; the rest through the
    /// operation, as [`get_file_from_path`](Self::get_file_from_path).
    pub fn get_file_from_path_async(path: &str) -> Result<AsyncOperation<StorageFile>> {
        AsyncOperation::start(Self::get_file_from_path(path))
    }

    /// `Path`: the absolute path (non-UTF-8 bytes are replaced by U+FFFD; see
    /// [`as_path`](Self::as_path)).
    pub fn path(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// `Name`: the file name with its extension.
    pub fn name(&self) -> String {
        name_of(&self.path)
    }

    /// The path as the file system has it (netrt extension, Rust only).
    pub fn as_path(&self) -> &Path {
        &self.path
    }
}
