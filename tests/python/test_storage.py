"""Windows.Storage from Python (docs/storage.md): StorageFile.get_file_from_path_async,
StorageFolder.get_folder_from_path_async and create_file_async with every
CreationCollisionOption against a real temporary directory, awaited and with .get(); the
failures as NetworkError carrying the exact HRESULT."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import netrt
from netrt import CreationCollisionOption, StorageFile, StorageFolder

E_INVALIDARG = -0x7FF8FFA9  # 0x80070057
ERROR_FILE_NOT_FOUND = -0x7FF8FFFE  # 0x80070002
ERROR_ALREADY_EXISTS = -0x7FF8FF49  # 0x800700B7


def hresult_of(exc: BaseException) -> int:
    assert isinstance(exc, netrt.NetworkError), exc
    return exc.hresult


def test_collision_option_values_are_winrt_values() -> None:
    assert [(m.name, int(m)) for m in CreationCollisionOption] == [
        ("GENERATE_UNIQUE_NAME", 0),
        ("REPLACE_EXISTING", 1),
        ("FAIL_IF_EXISTS", 2),
        ("OPEN_IF_EXISTS", 3),
    ]


def test_get_file_from_path(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"abc")
    file = StorageFile.get_file_from_path_async(str(tmp_path / "data.bin")).get(10)
    assert isinstance(file, StorageFile)
    assert file.path == str(tmp_path / "data.bin")
    assert file.name == "data.bin"
    # netrt: os.PathLike in, and a StorageFile is one.
    assert StorageFile.get_file_from_path_async(tmp_path / "data.bin").get(10) == file
    assert Path(file).read_bytes() == b"abc"
    assert "data.bin" in repr(file)


def test_missing_file_fails_the_operation(tmp_path: Path) -> None:
    op = StorageFile.get_file_from_path_async(str(tmp_path / "missing.txt"))
    with pytest.raises(netrt.NetworkError) as info:
        op.get(10)
    assert hresult_of(info.value) == ERROR_FILE_NOT_FOUND
    assert "missing.txt" in str(info.value)
    assert op.status == netrt.AsyncStatus.ERROR


def test_wrong_type_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "plain").write_bytes(b"")
    with pytest.raises(netrt.NetworkError) as info:
        StorageFile.get_file_from_path_async(str(tmp_path)).get(10)
    assert hresult_of(info.value) == E_INVALIDARG
    assert "is a folder" in str(info.value)
    with pytest.raises(netrt.NetworkError) as info:
        StorageFolder.get_folder_from_path_async(str(tmp_path / "plain")).get(10)
    assert hresult_of(info.value) == E_INVALIDARG
    # A relative path is the call's own error: raised before any operation exists.
    with pytest.raises(netrt.InvalidArgumentError):
        StorageFile.get_file_from_path_async("relative.txt")
    with pytest.raises(netrt.InvalidArgumentError):
        StorageFolder.get_folder_from_path_async("")
    with pytest.raises(TypeError):
        StorageFile.get_file_from_path_async(42)  # type: ignore[arg-type]


def test_create_file_with_each_option(tmp_path: Path) -> None:
    folder = StorageFolder.get_folder_from_path_async(str(tmp_path)).get(10)
    assert folder.path == str(tmp_path)
    assert folder.name == tmp_path.name
    assert os.fspath(folder) == str(tmp_path)

    # Without options a taken name fails, as WinRT's one-argument overload does.
    assert folder.create_file_async("new.txt").get(10).name == "new.txt"
    with pytest.raises(netrt.NetworkError) as info:
        folder.create_file_async("new.txt").get(10)
    assert hresult_of(info.value) == ERROR_ALREADY_EXISTS
    with pytest.raises(netrt.NetworkError) as info:
        folder.create_file_async("new.txt", CreationCollisionOption.FAIL_IF_EXISTS).get(10)
    assert hresult_of(info.value) == ERROR_ALREADY_EXISTS

    (tmp_path / "keep.txt").write_bytes(b"kept")
    kept = folder.create_file_async("keep.txt", CreationCollisionOption.OPEN_IF_EXISTS).get(10)
    assert Path(kept.path).read_bytes() == b"kept"
    replaced = folder.create_file_async("keep.txt", CreationCollisionOption.REPLACE_EXISTING).get(10)
    assert replaced == kept
    assert Path(replaced.path).read_bytes() == b""

    names = [
        folder.create_file_async("r.txt", CreationCollisionOption.GENERATE_UNIQUE_NAME).get(10).name
        for _ in range(3)
    ]
    assert names == ["r.txt", "r (2).txt", "r (3).txt"]
    assert all((tmp_path / n).is_file() for n in names)


def test_bad_names_and_options_raise_and_create_nothing(tmp_path: Path) -> None:
    folder = StorageFolder.get_folder_from_path_async(str(tmp_path)).get(10)
    for bad in ["", ".", "..", "a/b", "../escape.txt"]:
        with pytest.raises(netrt.InvalidArgumentError):
            folder.create_file_async(bad, CreationCollisionOption.REPLACE_EXISTING)
    with pytest.raises(netrt.InvalidArgumentError):
        folder.create_file_async("x.txt", 7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        folder.create_file_async("x.txt", "replace")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


async def test_awaitable_in_asyncio(tmp_path: Path) -> None:
    folder = await StorageFolder.get_folder_from_path_async(str(tmp_path))
    file = await folder.create_file_async("async.txt", CreationCollisionOption.REPLACE_EXISTING)
    assert file.path == str(tmp_path / "async.txt")
    again = await StorageFile.get_file_from_path_async(file.path)
    assert again == file and hash(again) == hash(file)
    with pytest.raises(netrt.NetworkError) as info:
        await StorageFile.get_file_from_path_async(str(tmp_path / "nope"))
    assert hresult_of(info.value) == ERROR_FILE_NOT_FOUND


def test_pywinrt_module_layout() -> None:
    import netrt.windows.storage as storage

    assert storage.StorageFile is StorageFile
    assert storage.StorageFolder is StorageFolder
    assert storage.CreationCollisionOption is CreationCollisionOption
