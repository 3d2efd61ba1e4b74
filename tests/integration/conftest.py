"""Fixtures that run a function under awslambdaric against a loopback Runtime API.

Every runtime process starts in its own session, so its whole process group (the
workers it forks too) can be frozen, thawed and, in teardown, killed. Teardown then
checks that no member of the group is left and joins every server thread.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .runtime_api import RuntimeAPI

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = Path(__file__).resolve().parent / "functions"


class _EchoHandler(socketserver.StreamRequestHandler):
    timeout = 60

    def handle(self) -> None:
        for line in self.rfile:
            self.wfile.write(line)


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A runtime process killed in teardown resets its connection.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def echo_server() -> Iterator[str]:
    """A line echo server on loopback; yields its ``host:port``."""
    server = _EchoServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}
    )
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()  # joins the connection threads
        thread.join(timeout=10)
        assert not thread.is_alive()


@pytest.fixture
def runtime_api() -> Iterator[RuntimeAPI]:
    """The loopback Runtime API endpoint."""
    api = RuntimeAPI()
    api.start()
    try:
        yield api
    finally:
        api.close()


@dataclass
class Function:
    """A running awslambdaric process (and the workers it forked)."""

    process: subprocess.Popen[bytes]
    log: Path

    def freeze(self) -> None:
        """Stop every process of the function, as Lambda does between invocations."""
        os.killpg(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.killpg(self.process.pid, signal.SIGCONT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _live_members(pgid: int) -> list[int]:
    """The pids in process group ``pgid`` that are not zombies."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue

        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue

        # The command may hold spaces and parentheses: split after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))

    return members


@pytest.fixture
def start_function(
    runtime_api: RuntimeAPI, echo_server: str, tmp_path: Path
) -> Iterator[Callable[..., Function]]:
    """Start ``python -m awslambdaric batch_function.<handler>``; kill it after."""
    started: list[Function] = []

    def start(handler: str = "handler", **env: str) -> Function:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "_LAMBDA", "ASYNCBATCH_"))
        }
        environment.update(
            {
                "AWS_LAMBDA_RUNTIME_API": runtime_api.address,
                "_HANDLER": f"batch_function.{handler}",
                "LAMBDA_TASK_ROOT": str(FUNCTIONS),
                "PYTHONPATH": os.pathsep.join([str(FUNCTIONS), str(REPO)]),
                "ECHO_ADDRESS": echo_server,
                "AWS_LAMBDA_FUNCTION_NAME": "batch",
                "PYTHONUNBUFFERED": "1",
                **env,
            }
        )
        log = tmp_path / f"function-{len(started)}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "awslambdaric", f"batch_function.{handler}"],
                cwd=FUNCTIONS,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        function = Function(process, log)
        started.append(function)
        return function

    yield start

    for function in started:
        pgid = function.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # also ends stopped processes

        function.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _live_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)

        assert _live_members(pgid) == [], "runtime processes were left behind"
