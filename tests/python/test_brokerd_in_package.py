"""The netrt package carries netrt-brokerd: with no ``$NETRT_BROKERD`` and no netrt-brokerd
binary anywhere, the first call that needs the broker starts it as ``python -m netrt._brokerd``
(the daemon inside the extension module), and the ``netrt-brokerd`` command the package installs
is the same program."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = """
import sys
from netrt import BackgroundTaskRegistration, SocketActivityInformation
assert len(SocketActivityInformation.all_sockets) == 0
print(len(BackgroundTaskRegistration.all_tasks))
"""


def clean_env(tmp: Path) -> dict[str, str]:
    """This interpreter's environment without any way to find a netrt-brokerd binary: no
    ``$NETRT_BROKERD``, and a PATH of system directories only."""
    env = {k: v for k, v in os.environ.items() if k != "NETRT_BROKERD"}
    env["PATH"] = "/usr/bin:/bin"
    env["NETRT_BROKER_SOCKET"] = str(tmp / "run" / "broker.sock")
    env["NETRT_BROKER_STATE_DIR"] = str(tmp / "state")
    return env


def daemon_pid(socket: Path, env: dict[str, str]) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "netrt._brokerd", "status", "--socket", str(socket)],
        env=env, capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    # "netrt-brokerd 0.1.0 (pid 1234) on /path"
    return int(out.split("(pid ", 1)[1].split(")", 1)[0])


def test_the_first_broker_call_starts_the_packaged_daemon(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    socket = Path(env["NETRT_BROKER_SOCKET"])
    child = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "0"
    assert socket.exists()
    assert (socket.parent.stat().st_mode & 0o777) == 0o700
    pid = daemon_pid(socket, env)
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert Path(os.fsdecode(cmdline[0])).resolve() == Path(sys.executable).resolve(), cmdline
        assert cmdline[1:3] == [b"-m", b"netrt._brokerd"], cmdline
        assert cmdline[3:5] == [b"--socket", str(socket).encode()], cmdline
    finally:
        os.kill(pid, 15)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    assert not Path(f"/proc/{pid}").exists() or b"zombie" in Path(f"/proc/{pid}/status").read_bytes().lower()


@pytest.mark.parametrize("command", [[sys.executable, "-m", "netrt._brokerd"], [str(Path(sys.executable).parent / "netrt-brokerd")]])
def test_version_help_and_bad_arguments(command: list[str]) -> None:
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("netrt-brokerd "), version.stdout
    assert "(protocol " in version.stdout
    helped = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=30)
    assert helped.returncode == 0 and "Usage:" in helped.stdout
    wrong = subprocess.run([*command, "--no-such-option"], capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 2 and "unknown argument" in wrong.stderr


def test_status_without_a_daemon_fails_clearly(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "netrt._brokerd", "status", "--socket", str(tmp_path / "none.sock")],
        env=env, capture_output=True, text=True, timeout=30,
    )
    assert out.returncode == 1
    assert "no broker at" in out.stderr
