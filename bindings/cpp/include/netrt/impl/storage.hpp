// Windows.Storage as far as background transfers need it (docs/storage.md): StorageFile and
// StorageFolder, which in netrt are plain absolute paths of the local file system, and
// CreationCollisionOption. Included by <netrt.hpp>; not for direct use.
#ifndef NETRT_IMPL_STORAGE_HPP
#define NETRT_IMPL_STORAGE_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt {

namespace Windows::Storage {

// `StorageFile`: a file named by its absolute path.
class StorageFile : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StorageFile)
  // The file at an absolute path, which must exist. Throws hresult_invalid_argument at once for
  // a relative path; the operation fails with ERROR_FILE_NOT_FOUND (0x80070002) when nothing
  // is there and E_INVALIDARG for a folder.
  static Foundation::IAsyncOperation<StorageFile> GetFileFromPathAsync(::netrt::impl::str_in path) {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_storage_file_get_file_from_path_async, path.c_str())};
  }
  hstring Path() const { return get_string(netrt_storage_file_get_path); }
  hstring Name() const { return get_string(netrt_storage_file_get_name); }
};

// `StorageFolder`: a folder named by its absolute path.
class StorageFolder : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(StorageFolder)
  // The folder at an absolute path, which must exist (errors as StorageFile's).
  static Foundation::IAsyncOperation<StorageFolder> GetFolderFromPathAsync(::netrt::impl::str_in path) {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_storage_folder_get_folder_from_path_async, path.c_str())};
  }
  // A new file in this folder; a taken name fails with ERROR_ALREADY_EXISTS (0x800700B7), as
  // WinRT's one-argument overload does.
  Foundation::IAsyncOperation<StorageFile> CreateFileAsync(::netrt::impl::str_in desiredName) const {
    return CreateFileAsync(std::move(desiredName), CreationCollisionOption::FailIfExists);
  }
  Foundation::IAsyncOperation<StorageFile> CreateFileAsync(::netrt::impl::str_in desiredName, CreationCollisionOption options) const {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_storage_folder_create_file_async, handle(), desiredName.c_str(),
                                                                static_cast<int32_t>(options))};
  }
  hstring Path() const { return get_string(netrt_storage_folder_get_path); }
  hstring Name() const { return get_string(netrt_storage_folder_get_name); }
};

}  // namespace Windows::Storage

using Windows::Storage::CreationCollisionOption;
using Windows::Storage::StorageFile;
using Windows::Storage::StorageFolder;

}  // namespace netrt

#endif
