//! `Windows.Storage` in C (docs/storage.md): `StorageFile` and `StorageFolder`, which in netrt
//! are plain absolute paths of the local file system.

use std::ffi::c_char;

use netrt_core::storage::{CreationCollisionOption, StorageFile, StorageFolder};

use crate::async_op::{self, OpResult};
use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::object::{Object, Value, get};
use crate::strings::{str_in, str_out};

/// `StorageFile.GetFileFromPathAsync(path)`: the file at an absolute path (UTF-8, not NULL),
/// which must exist. `*out_op` (not NULL) receives an operation whose result is a StorageFile
/// (`netrt_async_get_results_handle`). Errors (synchronous): `E_POINTER`; `E_INVALIDARG` for an
/// empty or relative path. The operation fails with `ERROR_FILE_NOT_FOUND` (`0x80070002`) when
/// nothing is at the path, `E_INVALIDARG` when it is a folder, `E_ACCESSDENIED` when it cannot
/// be searched. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_file_get_file_from_path_async(
    path: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_storage_file_get_file_from_path_async", {
        let out = Out::new(out_op, "out_op")?;
        let found = StorageFile::get_file_from_path(str_in(path, "path")?);
        out.write(async_op::start(async move { Ok(file_result(found.await?)) })?);
        Ok(())
    })
}

/// `StorageFile.Path`: the absolute path. String out: NUL-terminated into `buf`/`len`;
/// `*needed` (not NULL) always set; too small → `0x8007007A`. Errors: handle checks.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_file_get_path(
    file: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_storage_file_get_path", { str_out(&get!(file, StorageFile).path(), buf, len, needed) })
}

/// `StorageFile.Name`: the file name with its extension. String out as
/// `netrt_storage_file_get_path`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_file_get_name(
    file: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_storage_file_get_name", { str_out(&get!(file, StorageFile).name(), buf, len, needed) })
}

/// `StorageFolder.GetFolderFromPathAsync(path)`: the folder at an absolute path (UTF-8, not
/// NULL), which must exist. `*out_op` (not NULL) receives an operation whose result is a
/// StorageFolder. Errors: as `netrt_storage_file_get_file_from_path_async`, with a file (not a
/// folder) at the path failing the operation with `E_INVALIDARG`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_folder_get_folder_from_path_async(
    path: *const c_char,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_storage_folder_get_folder_from_path_async", {
        let out = Out::new(out_op, "out_op")?;
        let found = StorageFolder::get_folder_from_path(str_in(path, "path")?);
        out.write(async_op::start(async move {
            Ok(OpResult::Object(Object::new(Value::StorageFolder(found.await?))))
        })?);
        Ok(())
    })
}

/// `StorageFolder.CreateFileAsync(desiredName, options)`: creates a file directly in the folder.
/// `desired_name` (UTF-8, not NULL) is one name; `option` a `netrt_creation_collision_option`.
/// `*out_op` (not NULL) receives an operation whose result is the StorageFile. Errors
/// (synchronous): handle checks, `E_POINTER`, `E_INVALIDARG` for an unknown option or a name
/// that is empty, `.`, `..` or contains `/`. The operation fails with `ERROR_ALREADY_EXISTS`
/// (`0x800700B7`) for `FAIL_IF_EXISTS` on a taken name, `E_ACCESSDENIED` when a folder has the
/// name or the folder is not writable, `ERROR_FILE_NOT_FOUND` when the folder is gone.
/// `GENERATE_UNIQUE_NAME` picks `name (2).ext`, `name (3).ext`, ... as Windows does.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_folder_create_file_async(
    folder: netrt_handle,
    desired_name: *const c_char,
    option: i32,
    out_op: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_storage_folder_create_file_async", {
        let out = Out::new(out_op, "out_op")?;
        let folder = get!(folder, StorageFolder);
        let option = CreationCollisionOption::from_raw(option)?;
        let created = folder.create_file(str_in(desired_name, "desired_name")?, option);
        out.write(async_op::start(async move { Ok(file_result(created.await?)) })?);
        Ok(())
    })
}

/// `StorageFolder.Path`: the absolute path. String out as `netrt_storage_file_get_path`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_folder_get_path(
    folder: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_storage_folder_get_path", { str_out(&get!(folder, StorageFolder).path(), buf, len, needed) })
}

/// `StorageFolder.Name`: the folder's own name. String out as `netrt_storage_file_get_path`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_storage_folder_get_name(
    folder: netrt_handle,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> netrt_hresult {
    ffi!("netrt_storage_folder_get_name", { str_out(&get!(folder, StorageFolder).name(), buf, len, needed) })
}

fn file_result(file: StorageFile) -> OpResult {
    OpResult::Object(Object::new(Value::StorageFile(file)))
}
