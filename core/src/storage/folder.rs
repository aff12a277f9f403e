//! `Windows.Storage.StorageFolder`.

use std::fs::OpenOptions;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use super::fs_error::fs_error;
use super::{CreationCollisionOption, StorageFile, absolute_path, name_of, on_blocking_pool};
use crate::error::hresult::E_ALREADY_EXISTS;
use crate::error::{Error, Result};
use crate::foundation::AsyncOperation;

/// How many numbered names `GenerateUniqueName` tries before giving up.
const MAX_UNIQUE_NAMES: u32 = 10_000;

/// `StorageFolder`: a folder of the local file system, named by its absolute path (netrt
/// folders are plain paths). Cloning is cheap and gives the same folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StorageFolder {
    path: Arc<Path>,
}

impl StorageFolder {
    /// `GetFolderFromPathAsync(path)` as a future.
    ///
    /// # Errors
    /// `E_INVALIDARG` for an empty or relative path (before any I/O) and for a path that names
    /// a file; `ERROR_FILE_NOT_FOUND` (`0x80070002`) when nothing is there; `E_ACCESSDENIED`
    /// when the path cannot be searched.
    pub fn get_folder_from_path(path: &str) -> impl Future<Output = Result<StorageFolder>> + Send + 'static {
        let path = absolute_path(path, "folder");
        async move {
            let path = path?;
            on_blocking_pool(move || {
                let meta = std::fs::metadata(&path).map_err(|e| fs_error(&e, "open folder", &path))?;
                if !meta.is_dir() {
                    return Err(Error::invalid_arg(format!(
                        "{} is a file, not a folder (use StorageFile.GetFileFromPathAsync)",
                        path.display()
                    )));
                }
                Ok(StorageFolder { path: Arc::from(path) })
            })
            .await
        }
    }

    /// `GetFolderFromPathAsync(path)`: the folder at an absolute path, which must exist.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for an empty or relative path; the rest through the
    /// operation, as [`get_folder_from_path`](Self::get_folder_from_path).
    pub fn get_folder_from_path_async(path: &str) -> Result<AsyncOperation<StorageFolder>> {
        AsyncOperation::start(Self::get_folder_from_path(path))
    }

    /// `CreateFileAsync(desiredName, options)` as a future: creates (or, per `option`, opens or
    /// replaces) a file directly in this folder.
    ///
    /// # Errors
    /// `E_INVALIDARG` (before any I/O) for a name that is empty, `.` or `..`, or contains `/`
    /// or NUL; `ERROR_ALREADY_EXISTS` (`0x800700B7`) with `FailIfExists` when the name is
    /// taken, and with `GenerateUniqueName` when no numbered name is free; `E_ACCESSDENIED`
    /// when the name is a folder or the folder is not writable; `ERROR_FILE_NOT_FOUND` when
    /// the folder is gone.
    pub fn create_file(
        &self,
        desired_name: &str,
        option: CreationCollisionOption,
    ) -> impl Future<Output = Result<StorageFile>> + Send + 'static {
        let name = file_name_arg(desired_name).map(str::to_owned);
        let folder = self.path.clone();
        async move {
            let name = name?;
            on_blocking_pool(move || create_in(&folder, &name, option)).await
        }
    }

    /// `CreateFileAsync(desiredName, options)`.
    ///
    /// # Errors
    /// `E_INVALIDARG` synchronously for a bad name; the rest through the operation, as
    /// [`create_file`](Self::create_file).
    pub fn create_file_async(
        &self,
        desired_name: &str,
        option: CreationCollisionOption,
    ) -> Result<AsyncOperation<StorageFile>> {
        AsyncOperation::start(self.create_file(desired_name, option))
    }

    /// `Path`: the absolute path (non-UTF-8 bytes are replaced by U+FFFD; see
    /// [`as_path`](Self::as_path)).
    pub fn path(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// `Name`: the folder's own name (the last path component).
    pub fn name(&self) -> String {
        name_of(&self.path)
    }

    /// The path as the file system has it (netrt extension, Rust only).
    pub fn as_path(&self) -> &Path {
        &self.path
    }
}

/// A desired file name: one path component, checked before any I/O.
fn file_name_arg(name: &str) -> Result<&str> {
    let problem = if name.is_empty() {
        Some("must not be empty")
    } else if name == "." || name == ".." {
        Some("must not be . or ..")
    } else if name.contains('/') {
        Some("must not contain '/' (files are created directly in the folder)")
    } else if name.contains('\0') {
        Some("must not contain a NUL character")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(Error::invalid_arg(format!("the desired file name {name:?} {problem}"))),
        None => Ok(name),
    }
}

fn create_in(folder: &Path, name: &str, option: CreationCollisionOption) -> Result<StorageFile> {
    let path = folder.join(name);
    let created = match option {
        CreationCollisionOption::FailIfExists => create_new(&path),
        CreationCollisionOption::ReplaceExisting => {
            OpenOptions::new().write(true).create(true).truncate(true).open(&path)
        }
        CreationCollisionOption::OpenIfExists => {
            OpenOptions::new().write(true).create(true).truncate(false).open(&path)
        }
        CreationCollisionOption::GenerateUniqueName => return create_unique(folder, name),
    };
    created.map_err(|e| fs_error(&e, "create file", &path))?;
    Ok(StorageFile::from_path(path))
}

/// Creates a file that did not exist (`O_CREAT | O_EXCL`).
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// `GenerateUniqueName`: `name.ext`, then `name (2).ext`, `name (3).ext`, ... Each attempt is
/// an exclusive create, so two callers never get the same file.
fn create_unique(folder: &Path, name: &str) -> Result<StorageFile> {
    for n in 1..=MAX_UNIQUE_NAMES {
        let path = folder.join(numbered_name(name, n));
        match create_new(&path) {
            Ok(_) => return Ok(StorageFile::from_path(path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(fs_error(&e, "create file", &path)),
        }
    }
    Err(Error::new(
        E_ALREADY_EXISTS,
        format!(
            "create file {name:?} in {}: no free name among {MAX_UNIQUE_NAMES} numbered ones",
            folder.display()
        ),
    ))
}

/// The `n`th candidate name: `name` itself for 1, else `stem (n).ext` (the number goes before
/// the last extension, as Windows places it; a leading dot starts no extension).
pub(super) fn numbered_name(name: &str, n: u32) -> String {
    if n == 1 {
        return name.to_owned();
    }
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{} ({n}){}", &name[..dot], &name[dot..]),
        _ => format!("{name} ({n})"),
    }
}
