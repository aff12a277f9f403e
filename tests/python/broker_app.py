"""The two processes of the Python broker hand-off (test_broker.py), written as an app would be.

``broker_app.py app PORT REPORT_DIR``: registers a background task whose command is this
script in ``task`` mode, connects to 127.0.0.1:PORT, hands the connection to the broker with
context bytes, prints the task id and exits.

``broker_app.py task``: started by netrt-brokerd. ``run_background_task`` finds the instance and
calls ``HandOffTask.run``, which reclaims the socket, reads everything the peer sent (up to its
end of stream) and answers ``<count> <sha256> <context> <reason>``; it writes the same line (or
the error) to ``$REPORT_DIR/<socket id>``.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
import traceback
from pathlib import Path

import netrt
from netrt.windows.applicationmodel.background import (
    BackgroundTaskBuilder,
    BackgroundTaskInstance,
    SocketActivityTrigger,
    run_background_task,
)
from netrt.windows.networking.sockets import SocketActivityContext, StreamSocket

SOCKET_ID = "python-handoff"
CONTEXT = b"py-context-\x00\x01\xfe"
STEP = 10.0


def app(port: str, report_dir: str) -> None:
    builder = BackgroundTaskBuilder()
    builder.name = "python-handoff"
    builder.task_entry_point = shlex.join([sys.executable, str(Path(__file__).resolve()), "task"])
    builder.set_trigger(SocketActivityTrigger())
    builder.add_environment("REPORT_DIR", report_dir)
    task = builder.register()

    socket = StreamSocket()
    socket.enable_transfer_ownership(task.task_id)
    socket.connect_async("127.0.0.1", port).get(STEP)
    socket.transfer_ownership(SOCKET_ID, SocketActivityContext(CONTEXT))
    print(task.task_id, flush=True)


class HandOffTask:
    """An ``IBackgroundTask``: ``run`` is what WinRT's task host would call."""

    def run(self, task_instance: BackgroundTaskInstance, /) -> None:
        deferral = task_instance.get_deferral()
        details = task_instance.trigger_details
        info = details.socket_information
        report = Path(os.environ["REPORT_DIR"]) / info.id
        try:
            answer = serve(info, details.reason)
            report.write_text(answer)
        except BaseException:
            report.write_text("ERROR " + traceback.format_exc())
            raise
        finally:
            deferral.complete()


def serve(info: netrt.SocketActivityInformation, reason: netrt.SocketActivityTriggerReason) -> str:
    socket = info.stream_socket
    reader = netrt.DataReader(socket.input_stream)
    reader.input_stream_options = netrt.InputStreamOptions.PARTIAL
    received = bytearray()
    while (n := reader.load_async(65536).get(STEP)) > 0:
        received += reader.read_bytes(n)
    context = bytes(info.context.data)
    answer = f"{len(received)} {hashlib.sha256(received).hexdigest()} {context.hex()} {reason.name}\n"
    writer = netrt.DataWriter(socket.output_stream)
    writer.write_bytes(answer.encode())
    writer.store_async().get(STEP)
    socket.close()
    return answer


if __name__ == "__main__":
    if sys.argv[1] == "app":
        app(sys.argv[2], sys.argv[3])
    elif not run_background_task(HandOffTask):
        sys.exit("broker_app.py task: not started by the socket broker")
