"""A Lambda Runtime API endpoint on loopback, for running functions under awslambdaric.

It speaks the part of the protocol that the runtime interface client uses:

- ``GET /2018-06-01/runtime/invocation/next`` waits for an invocation and answers
  with the event and the ``Lambda-Runtime-Aws-Request-Id`` and
  ``Lambda-Runtime-Deadline-Ms`` headers;
- ``POST /2018-06-01/runtime/invocation/{id}/response`` and ``.../{id}/error``
  settle that invocation;
- ``POST /2018-06-01/runtime/init/error`` records a failed cold start.

Each connection is served by its own thread, so several runtime workers (Lambda
Managed Instances) can wait for invocations at once. Closing the server joins every
one of those threads.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/2018-06-01/runtime"

# How often a waiting GET .../next looks at the stop flag.
_POLL = 0.05


@dataclass
class Invocation:
    """One invocation: the event sent and, once settled, what the function posted."""

    request_id: str
    event: Any
    deadline_ms: int
    kind: str | None = None  # "response" or "error"
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # time.monotonic() when queued, handed to the runtime, and settled.
    submitted_at: float = field(default_factory=time.monotonic)
    taken_at: float | None = None
    settled_at: float | None = None
    settled: threading.Event = field(default_factory=threading.Event)
    init_errors: list[Any] = field(default_factory=list)

    def wait(self, timeout: float) -> Invocation:
        """Wait until the function settled this invocation.

        Fails after ``timeout``, or at once when the function's cold start failed.
        """
        deadline = time.monotonic() + timeout
        while not self.settled.wait(_POLL):
            if self.init_errors:
                raise AssertionError(f"the cold start failed: {self.init_errors}")

            if time.monotonic() > deadline:
                raise AssertionError(
                    f"invocation {self.request_id} not settled within {timeout} s"
                )

        return self


class RuntimeAPI:
    """The endpoint: queue invocations with :meth:`submit`, read what came back."""

    def __init__(self) -> None:
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._invocations: dict[str, Invocation] = {}
        self._lock = threading.Condition()
        self._waiting = 0
        self._stopping = threading.Event()
        self.init_errors: list[Any] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _POLL},
            name="runtime-api",
        )

    @property
    def address(self) -> str:
        """``host:port``, the value of ``AWS_LAMBDA_RUNTIME_API``."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop serving and join every server thread."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()  # joins the connection threads
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "the server thread did not stop"

    def submit(self, event: Any, *, remaining: float = 60.0) -> Invocation:
        """Queue an invocation whose Lambda deadline is ``remaining`` seconds away."""
        invocation = Invocation(
            request_id=str(uuid.uuid4()),
            event=event,
            deadline_ms=int((time.time() + remaining) * 1000),
            init_errors=self.init_errors,
        )
        with self._lock:
            self._invocations[invocation.request_id] = invocation

        self._pending.put(invocation)
        return invocation

    def invoke(
        self, event: Any, *, remaining: float = 60.0, timeout: float = 30.0
    ) -> Invocation:
        """Submit an invocation and wait until it is settled."""
        return self.submit(event, remaining=remaining).wait(timeout)

    def wait_for_pollers(self, count: int, timeout: float = 30.0) -> None:
        """Wait until ``count`` runtime workers are waiting for their next event."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._waiting >= count, timeout):
                raise AssertionError(
                    f"{self._waiting} runtime workers polling after {timeout} s, "
                    f"expected {count}"
                )

    # Called from the connection threads.

    def _next(self) -> Invocation | None:
        with self._lock:
            self._waiting += 1
            self._lock.notify_all()

        try:
            while not self._stopping.is_set():
                try:
                    invocation = self._pending.get(timeout=_POLL)
                except queue.Empty:
                    continue

                invocation.taken_at = time.monotonic()
                return invocation

            return None
        finally:
            with self._lock:
                self._waiting -= 1

    def _settle(
        self, request_id: str, kind: str, body: Any, headers: dict[str, str]
    ) -> bool:
        with self._lock:
            invocation = self._invocations.get(request_id)

        if invocation is None or invocation.settled.is_set():
            return False

        invocation.kind = kind
        invocation.body = body
        invocation.headers = headers
        invocation.settled_at = time.monotonic()
        invocation.settled.set()
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    api: RuntimeAPI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A runtime process killed in teardown drops its connections mid-request;
        # anything else is a bug in this endpoint and is printed as usual.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the runtime client expects
    timeout = 60  # a connection idle this long is dropped, so no thread hangs
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read what was posted, not an access log

    def do_GET(self) -> None:
        if self.path != f"{PREFIX}/invocation/next":
            self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": self.path})
            return

        invocation = self.server.api._next()
        if invocation is None:
            self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"errorMessage": "closing"})
            return

        self._reply(
            HTTPStatus.OK,
            invocation.event,
            {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": (
                    "arn:aws:lambda:eu-west-1:123456789012:function:batch"
                ),
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
            },
        )

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")

        headers = dict(self.headers.items())
        parts = self.path.removeprefix(PREFIX).strip("/").split("/")
        if parts == ["init", "error"]:
            self.server.api.init_errors.append(body)
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
        elif (
            len(parts) == 3
            and parts[0] == "invocation"
            and parts[2] in ("response", "error")
            and self.server.api._settle(parts[1], parts[2], body, headers)
        ):
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
        else:
            self._reply(HTTPStatus.BAD_REQUEST, {"errorMessage": self.path})

    def _reply(
        self, status: HTTPStatus, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)

        self.end_headers()
        self.wfile.write(data)
