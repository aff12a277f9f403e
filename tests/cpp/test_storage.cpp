// Windows.Storage from C++ (docs/storage.md): StorageFile::GetFileFromPathAsync,
// StorageFolder::GetFolderFromPathAsync and CreateFileAsync (both overloads, every
// CreationCollisionOption) against a real temporary directory, with .get() and, in C++20,
// co_await; the failures as hresult_error with the exact HRESULT.
#include <netrt/Windows.Storage.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "test_util.hpp"

using namespace netrt;
using namespace netrt::Windows::Storage;

static_assert(static_cast<int>(CreationCollisionOption::OpenIfExists) == NETRT_CREATION_COLLISION_OPTION_OPEN_IF_EXISTS);

namespace {

// A temporary directory, removed (with what the test made in it) at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/netrt-cpp-storage-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { (void)std::system(("rm -rf '" + path + "'").c_str()); }
  std::wstring wide(std::string const& name = "") const {
    std::string full = name.empty() ? path : path + "/" + name;
    return std::wstring(full.begin(), full.end());
  }
  long size_of(std::string const& name) const {
    struct stat st {};
    return ::stat((path + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<long>(st.st_size) : -1;
  }
};

#if NETRT_HAS_COROUTINES
IAsyncOperation<hstring> CreateWithCoAwait(hstring folderPath) {
  StorageFolder folder = co_await StorageFolder::GetFolderFromPathAsync(folderPath);
  StorageFile file = co_await folder.CreateFileAsync(L"co.txt", CreationCollisionOption::ReplaceExisting);
  co_return file.Name();
}
#endif

}  // namespace

int main() {
  TempDir tmp;
  std::ofstream(tmp.path + "/data.bin") << "abc";
  try {
    StorageFile file = StorageFile::GetFileFromPathAsync(tmp.wide("data.bin")).get();
    CHECK(file.Path() == tmp.wide("data.bin"));
    CHECK(file.Name() == L"data.bin");
    CHECK_THROWS_HR(StorageFile::GetFileFromPathAsync(tmp.wide("missing.txt")).get(), 0x80070002u);
    CHECK_THROWS_HR(StorageFile::GetFileFromPathAsync(tmp.wide()).get(), NETRT_E_INVALIDARG);
    // A relative path is the call's own error: thrown before any operation exists.
    CHECK_THROWS_HR(StorageFile::GetFileFromPathAsync(L"relative.txt"), NETRT_E_INVALIDARG);

    StorageFolder folder = StorageFolder::GetFolderFromPathAsync(tmp.wide()).get();
    CHECK(folder.Path() == tmp.wide());
    CHECK(folder.Name() == tmp.wide().substr(tmp.wide().rfind(L'/') + 1));
    CHECK_THROWS_HR(StorageFolder::GetFolderFromPathAsync(tmp.wide("data.bin")).get(), NETRT_E_INVALIDARG);

    // The one-argument overload fails on a taken name, as WinRT's does.
    CHECK(folder.CreateFileAsync(L"new.txt").get().Name() == L"new.txt");
    CHECK_THROWS_HR(folder.CreateFileAsync(L"new.txt").get(), 0x800700B7u);
    CHECK(folder.CreateFileAsync(L"data.bin", CreationCollisionOption::OpenIfExists).get().Name() == L"data.bin");
    CHECK(tmp.size_of("data.bin") == 3);
    CHECK(folder.CreateFileAsync(L"data.bin", CreationCollisionOption::ReplaceExisting).get().Name() == L"data.bin");
    CHECK(tmp.size_of("data.bin") == 0);
    CHECK(folder.CreateFileAsync(L"r.txt", CreationCollisionOption::GenerateUniqueName).get().Name() == L"r.txt");
    StorageFile second = folder.CreateFileAsync(L"r.txt", CreationCollisionOption::GenerateUniqueName).get();
    CHECK(second.Name() == L"r (2).txt");
    CHECK(second.Path() == tmp.wide("r (2).txt"));
    CHECK_THROWS_HR(folder.CreateFileAsync(L"a/b", CreationCollisionOption::FailIfExists), NETRT_E_INVALIDARG);
    CHECK_THROWS_HR(folder.CreateFileAsync(L"x", static_cast<CreationCollisionOption>(9)), NETRT_E_INVALIDARG);
    CHECK(tmp.size_of("x") == -1);

    // Empty objects throw instead of crashing.
    StorageFile empty{nullptr};
    CHECK(!empty);
    CHECK_THROWS_HR(empty.Path(), NETRT_E_POINTER);

#if NETRT_HAS_COROUTINES
    CHECK(CreateWithCoAwait(hstring(std::wstring_view(tmp.wide()))).get() == L"co.txt");
    CHECK(tmp.size_of("co.txt") == 0);
#endif
  } catch (hresult_error const& e) {
    std::fprintf(stderr, "FAIL: unexpected hresult_error 0x%08X: %s\n", static_cast<unsigned>(e.code().value), e.what());
    return 1;
  }
  return test::finish("test_storage");
}
