//! Windows.Storage: StorageFile, StorageFolder and CreationCollisionOption against real
//! temporary directories.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use netrt::error::hresult::{E_ACCESSDENIED, E_ALREADY_EXISTS, E_FILE_NOT_FOUND, E_INVALIDARG};
use netrt::foundation::AsyncStatus;
use netrt::storage::{CreationCollisionOption, StorageFile, StorageFolder};

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("netrt-storage-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }

    fn dir(&self) -> String {
        self.0.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn folder(tmp: &TempDir) -> StorageFolder {
    StorageFolder::get_folder_from_path_async(&tmp.dir()).unwrap().get().unwrap()
}

#[test]
fn get_file_from_path_finds_an_existing_file() {
    let tmp = TempDir::new();
    std::fs::write(tmp.path("data.bin"), b"abc").unwrap();
    let file = StorageFile::get_file_from_path_async(&tmp.path("data.bin")).unwrap().get().unwrap();
    assert_eq!(file.path(), tmp.path("data.bin"));
    assert_eq!(file.name(), "data.bin");
    assert_eq!(file.clone(), file);
}

#[test]
fn get_file_from_path_reports_a_missing_file_through_the_operation() {
    let tmp = TempDir::new();
    let op = StorageFile::get_file_from_path_async(&tmp.path("missing.txt")).unwrap();
    let err = op.get().unwrap_err();
    assert_eq!(op.status(), AsyncStatus::Error);
    assert_eq!(err.hresult(), E_FILE_NOT_FOUND);
    assert_eq!(err.hresult() as u32, 0x8007_0002);
    assert!(err.message().contains("missing.txt"), "{}", err.message());
    assert_eq!(err.errno(), Some(libc::ENOENT));
}

#[test]
fn get_file_from_path_rejects_relative_and_empty_paths_synchronously() {
    for bad in ["", "relative/file.txt", "file.txt", "./file.txt"] {
        let err = StorageFile::get_file_from_path_async(bad).unwrap_err();
        assert_eq!(err.hresult(), E_INVALIDARG, "{bad:?}");
    }
    let err = StorageFolder::get_folder_from_path_async("tmp").unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
    assert!(err.message().contains("absolute"), "{}", err.message());
}

#[test]
fn a_folder_is_not_a_file_and_a_file_is_not_a_folder() {
    let tmp = TempDir::new();
    std::fs::write(tmp.path("plain"), b"").unwrap();
    let op = StorageFile::get_file_from_path_async(&tmp.dir()).unwrap();
    let err = op.get().unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
    assert!(err.message().contains("is a folder"), "{}", err.message());

    let err = StorageFolder::get_folder_from_path_async(&tmp.path("plain")).unwrap().get().unwrap_err();
    assert_eq!(err.hresult(), E_INVALIDARG);
    assert!(err.message().contains("is a file"), "{}", err.message());

    let err = StorageFolder::get_folder_from_path_async(&tmp.path("nope")).unwrap().get().unwrap_err();
    assert_eq!(err.hresult(), E_FILE_NOT_FOUND);
}

#[test]
fn folder_path_and_name() {
    let tmp = TempDir::new();
    let folder = folder(&tmp);
    assert_eq!(folder.path(), tmp.dir());
    assert_eq!(folder.name(), tmp.0.file_name().unwrap().to_str().unwrap());
    let root = StorageFolder::get_folder_from_path_async("/").unwrap().get().unwrap();
    assert_eq!(root.name(), "/");
}

#[test]
fn fail_if_exists_creates_once_then_fails() {
    let tmp = TempDir::new();
    let folder = folder(&tmp);
    let file =
        folder.create_file_async("new.txt", CreationCollisionOption::FailIfExists).unwrap().get().unwrap();
    assert_eq!(file.path(), tmp.path("new.txt"));
    assert_eq!(file.name(), "new.txt");
    assert!(std::fs::metadata(tmp.path("new.txt")).unwrap().is_file());

    let err = folder
        .create_file_async("new.txt", CreationCollisionOption::FailIfExists)
        .unwrap()
        .get()
        .unwrap_err();
    assert_eq!(err.hresult(), E_ALREADY_EXISTS);
    assert_eq!(err.hresult() as u32, 0x8007_00B7);
}

#[test]
fn replace_existing_truncates_and_open_if_exists_keeps() {
    let tmp = TempDir::new();
    let folder = folder(&tmp);
    std::fs::write(tmp.path("keep.txt"), b"kept").unwrap();
    std::fs::write(tmp.path("replace.txt"), b"old contents").unwrap();

    let kept =
        folder.create_file_async("keep.txt", CreationCollisionOption::OpenIfExists).unwrap().get().unwrap();
    assert_eq!(kept.path(), tmp.path("keep.txt"));
    assert_eq!(std::fs::read(tmp.path("keep.txt")).unwrap(), b"kept");

    let replaced = folder
        .create_file_async("replace.txt", CreationCollisionOption::ReplaceExisting)
        .unwrap()
        .get()
        .unwrap();
    assert_eq!(replaced.path(), tmp.path("replace.txt"));
    assert_eq!(std::fs::read(tmp.path("replace.txt")).unwrap(), b"");

    let fresh =
        folder.create_file_async("fresh.txt", CreationCollisionOption::OpenIfExists).unwrap().get().unwrap();
    assert!(std::fs::metadata(fresh.as_path()).unwrap().is_file());
}

#[test]
fn generate_unique_name_numbers_like_windows() {
    let tmp = TempDir::new();
    let folder = folder(&tmp);
    let names: Vec<String> = (0..3)
        .map(|_| {
            folder
                .create_file_async("report.txt", CreationCollisionOption::GenerateUniqueName)
                .unwrap()
                .get()
                .unwrap()
                .name()
        })
        .collect();
    assert_eq!(names, ["report.txt", "report (2).txt", "report (3).txt"]);
    for name in &names {
        assert!(std::fs::metadata(tmp.path(name)).unwrap().is_file(), "{name}");
    }
    let default =
        folder.create_file_async("report.txt", CreationCollisionOption::default()).unwrap().get().unwrap();
    assert_eq!(default.name(), "report (4).txt");
}

#[test]
fn bad_names_fail_the_call() {
    let tmp = TempDir::new();
    let folder = folder(&tmp);
    for bad in ["", ".", "..", "a/b", "../escape.txt", "nul\0byte"] {
        let err = folder.create_file_async(bad, CreationCollisionOption::FailIfExists).unwrap_err();
        assert_eq!(err.hresult(), E_INVALIDARG, "{bad:?}");
    }
    assert!(std::fs::read_dir(&tmp.0).unwrap().next().is_none(), "nothing was created");
}

#[test]
fn a_folder_in_the_way_is_access_denied() {
    let tmp = TempDir::new();
    let folder = folder(&tmp);
    std::fs::create_dir(tmp.path("sub")).unwrap();
    for option in [CreationCollisionOption::ReplaceExisting, CreationCollisionOption::OpenIfExists] {
        let err = folder.create_file_async("sub", option).unwrap().get().unwrap_err();
        assert_eq!(err.hresult(), E_ACCESSDENIED, "{option}");
    }
    let err =
        folder.create_file_async("sub", CreationCollisionOption::FailIfExists).unwrap().get().unwrap_err();
    assert_eq!(err.hresult(), E_ALREADY_EXISTS);
    let unique =
        folder.create_file_async("sub", CreationCollisionOption::GenerateUniqueName).unwrap().get().unwrap();
    assert_eq!(unique.name(), "sub (2)");
}

#[test]
fn a_vanished_folder_is_file_not_found() {
    let tmp = TempDir::new();
    std::fs::create_dir(tmp.path("gone")).unwrap();
    let gone = StorageFolder::get_folder_from_path_async(&tmp.path("gone")).unwrap().get().unwrap();
    std::fs::remove_dir(tmp.path("gone")).unwrap();
    let err =
        gone.create_file_async("x", CreationCollisionOption::ReplaceExisting).unwrap().get().unwrap_err();
    assert_eq!(err.hresult(), E_FILE_NOT_FOUND);
}

#[test]
fn from_path_does_no_io_and_the_types_are_shareable() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<StorageFile>();
    shareable::<StorageFolder>();
    let file = StorageFile::from_path("/no/such/dir/result.iso");
    assert_eq!(file.name(), "result.iso");
    assert_eq!(file.path(), "/no/such/dir/result.iso");
}

#[test]
fn collision_option_values_are_winrt_values() {
    use CreationCollisionOption::*;
    let values: Vec<i32> = CreationCollisionOption::ALL.iter().map(|o| i32::from(*o)).collect();
    assert_eq!(values, [0, 1, 2, 3]);
    assert_eq!(
        [GenerateUniqueName as i32, ReplaceExisting as i32, FailIfExists as i32, OpenIfExists as i32],
        [0, 1, 2, 3]
    );
    assert_eq!(CreationCollisionOption::from_raw(2).unwrap(), FailIfExists);
    assert_eq!(CreationCollisionOption::from_raw(4).unwrap_err().hresult(), E_INVALIDARG);
}
