//! `Windows.Storage`, the part background transfers need: [`StorageFile`], [`StorageFolder`]
//! and [`CreationCollisionOption`] (docs/storage.md).
//!
//! netrt has no storage broker, capabilities or library folders: a file or folder is a plain
//! absolute path of the local file system, and opening one checks only that it exists and has
//! the right type. File-system calls run on netrt's blocking pool, and every failure they find
//! (a missing file, a name taken, permissions) is the operation's outcome; only a malformed
//! argument (a relative path, a bad name) fails the call itself.

mod file;
mod folder;
mod fs_error;

pub use file::StorageFile;
pub use folder::StorageFolder;

use crate::error::{Error, Result};

winrt_enum! {
    /// `Windows.Storage.CreationCollisionOption`: what `StorageFolder.CreateFileAsync` does when
    /// the desired name is taken.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum CreationCollisionOption {
        /// Create the file under a free name made by numbering the desired one, as Windows
        /// does: `report.txt`, then `report (2).txt`, `report (3).txt`, ...
        #[default]
        GenerateUniqueName = 0,
        /// Replace the existing file (it is truncated to zero bytes).
        ReplaceExisting = 1,
        /// Fail with `ERROR_ALREADY_EXISTS` (`0x800700B7`).
        FailIfExists = 2,
        /// Return the existing file unchanged.
        OpenIfExists = 3,
    }
}

impl CreationCollisionOption {
    /// From the raw value; unknown values fail with `E_INVALIDARG`.
    ///
    /// # Errors
    /// `E_INVALIDARG` for a value that is not a member.
    pub fn from_raw(raw: i32) -> Result<Self> {
        Self::from_i32(raw)
            .ok_or_else(|| Error::invalid_arg(format!("{raw} is not a CreationCollisionOption")))
    }
}

/// Runs file-system work on the runtime's blocking pool. The first poll always yields before
/// the work is handed over, so whatever the work finds is the operation's outcome and never
/// mistaken for an argument error of the call (`AsyncOperation::start` returns first-poll
/// argument errors synchronously).
async fn on_blocking_pool<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::yield_now().await;
    match crate::runtime::handle().spawn_blocking(work).await {
        Ok(outcome) => outcome,
        Err(e) => {
            Err(Error::new(crate::error::hresult::E_UNEXPECTED, format!("file-system task failed: {e}")))
        }
    }
}

/// An absolute path given by the caller, checked before any I/O.
fn absolute_path(path: &str, what: &str) -> Result<std::path::PathBuf> {
    if path.is_empty() {
        return Err(Error::invalid_arg(format!("the {what} path must not be empty")));
    }
    if path.contains('\0') {
        return Err(Error::invalid_arg(format!("the {what} path contains a NUL character")));
    }
    let p = std::path::Path::new(path);
    if !p.is_absolute() {
        return Err(Error::invalid_arg(format!("the {what} path must be absolute, not {path:?}")));
    }
    Ok(p.to_path_buf())
}

/// The last component of a path, as `Name` reports it.
fn name_of(path: &std::path::Path) -> String {
    match path.file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        // "/" (or a path ending in ".."): Windows gives a drive root's name as its path.
        None => path.to_string_lossy().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::folder::numbered_name;

    #[test]
    fn numbered_names_put_the_number_before_the_last_extension() {
        assert_eq!(numbered_name("report.txt", 1), "report.txt");
        assert_eq!(numbered_name("report.txt", 2), "report (2).txt");
        assert_eq!(numbered_name("a.tar.gz", 3), "a.tar (3).gz");
        assert_eq!(numbered_name("README", 2), "README (2)");
        assert_eq!(numbered_name(".bashrc", 2), ".bashrc (2)");
    }
}
