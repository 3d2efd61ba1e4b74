"""The persistent event loop behind the sync API (SPEC section 7, CASES C11, C12).

Tests of ``asyncbatch._loop`` itself run in fresh threads, each of which gets its
own persistent loop, so no loop leaks from one test into the next. Tests of the
public sync API, and every test that forks, run a script in a fresh interpreter
with DeprecationWarning and RuntimeWarning turned into errors: the first loop of a
process is exactly what they are about.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from asyncbatch import _loop

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]

# Shared by the scripts below: a minimal SQS event and a JSON report on stdout.
PRELUDE = """\
import asyncio, json, os, sys, threading, time
import asyncbatch

def sqs_event(*ids):
    return {"Records": [
        {
            "messageId": i,
            "receiptHandle": "rh-" + i,
            "body": "{}",
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:orders",
            "awsRegion": "eu-west-1",
        }
        for i in ids
    ]}

def report(**values):
    print(json.dumps(values), flush=True)

def slow_getpid():
    # Slow enough that the loop is surely waiting in its selector when the
    # result comes back through its self-pipe.
    time.sleep(0.1)
    return os.getpid()
"""


def run_script(body: str, *, timeout: float = 30) -> dict[str, Any]:
    """Run ``body`` after PRELUDE in a fresh interpreter; return its JSON report.

    The interpreter turns DeprecationWarning and RuntimeWarning into errors, and
    the run fails on a non-zero exit or on anything written to stderr (a warning
    printed from a finalizer, "Exception ignored in ...", a traceback).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), env.get("PYTHONPATH")])
    )
    env.pop("ASYNCBATCH_LOOP", None)
    script = PRELUDE + textwrap.dedent(body)
    completed = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::DeprecationWarning",
            "-W",
            "error::RuntimeWarning",
            "-c",
            script,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    lines = completed.stdout.strip().splitlines()
    assert lines, "the script reported nothing"
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def in_thread(func: Callable[[], T]) -> T:
    """Call ``func`` in a new thread, wait for it, and return its value."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # noqa: BLE001 (re-raised in the test's thread)
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the thread did not finish"
    if "error" in box:
        raise box["error"]

    value: T = box["value"]
    return value


async def running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


@pytest.fixture(autouse=True)
def _default_loop_factory(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(_loop.LOOP_ENV_VAR, raising=False)
    yield
    _loop.use_loop_factory(None)


class TestRun:
    def test_same_loop_for_every_call_in_a_thread(self) -> None:
        """Calls in one thread share one loop; another thread gets its own."""

        def two_calls() -> tuple[asyncio.AbstractEventLoop, ...]:
            return (_loop.run(running_loop()), _loop.run(running_loop()))

        first, second = in_thread(two_calls)
        other, _ = in_thread(two_calls)

        assert first is second
        assert other is not first

    def test_loop_bound_objects_survive_between_calls(self) -> None:
        """A lock and a task made in one call keep working in the next."""

        def calls() -> list[str]:
            state: dict[str, Any] = {}

            async def first() -> None:
                state["lock"] = asyncio.Lock()
                state["event"] = asyncio.Event()
                state["task"] = asyncio.get_running_loop().create_task(
                    state["event"].wait()
                )

            async def second() -> list[str]:
                async with state["lock"]:
                    state["event"].set()
                    await state["task"]

                return ["lock", "task"]

            _loop.run(first())
            return _loop.run(second())

        assert in_thread(calls) == ["lock", "task"]

    def test_closed_loop_is_replaced(self) -> None:
        """A loop that other code closed is replaced by a fresh one."""

        def calls() -> tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop]:
            first = _loop.run(running_loop())
            first.close()
            return first, _loop.run(running_loop())

        first, second = in_thread(calls)

        assert first.is_closed()
        assert second is not first
        assert first not in _loop._registry  # let go, not kept for the process

    def test_asyncio_run_elsewhere_leaves_the_loop_alone(self) -> None:
        """``asyncio.run`` between two calls changes nothing for the persistent loop."""

        def calls() -> tuple[Any, ...]:
            first = _loop.run(running_loop())
            elsewhere = asyncio.run(running_loop())
            return first, elsewhere, _loop.run(running_loop()), first.is_closed()

        first, elsewhere, second, closed = in_thread(calls)

        assert second is first
        assert elsewhere is not first
        assert not closed

    def test_loop_closes_when_its_thread_ends(self) -> None:
        """A thread's loop is closed once the thread has ended."""
        loop = in_thread(lambda: _loop.run(running_loop()))
        gc.collect()

        assert loop.is_closed()
        assert loop not in _loop._registry

    def test_inside_a_running_loop_names_the_async_api(self) -> None:
        """From a running loop the call fails, names the API, and closes the coro."""
        coro = running_loop()

        async def main() -> None:
            _loop.run(coro, async_api="process_partial_response_async")

        with pytest.raises(RuntimeError, match="process_partial_response_async"):
            in_thread(lambda: asyncio.run(main()))

        assert coro.cr_frame is None  # closed, so no "never awaited" warning

    def test_inside_a_running_loop_without_async_api(self) -> None:
        """Without ``async_api`` the error says to await the coroutine."""

        async def main() -> None:
            _loop.run(running_loop())

        with pytest.raises(RuntimeError, match="await the coroutine instead"):
            in_thread(lambda: asyncio.run(main()))

    @pytest.mark.parametrize("value", [running_loop, None, 1])
    def test_refuses_what_is_not_a_coroutine(self, value: Any) -> None:
        """A coroutine function instead of its coroutine is refused with advice."""
        with pytest.raises(TypeError, match=r"run\(main\(\)\)"):
            _loop.run(value)


class TestLambdaHandler:
    def test_runs_on_the_persistent_loop(self) -> None:
        """The wrapped handler runs on the same loop as ``run`` in that thread."""

        @_loop.lambda_handler
        async def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
            return {"event": event, "loop": asyncio.get_running_loop()}

        def calls() -> tuple[Any, ...]:
            return (
                _loop.run(running_loop()),
                handler({"n": 1}, None),
                handler({"n": 2}, None),
            )

        cold, first, second = in_thread(calls)

        assert first["event"] == {"n": 1}
        assert second["event"] == {"n": 2}
        assert first["loop"] is cold
        assert second["loop"] is cold

    def test_keeps_name_and_wrapped(self) -> None:
        """The wrapper keeps the handler's name and exposes it as ``__wrapped__``."""

        async def handler(event: object, context: object) -> None:
            return None

        wrapped = _loop.lambda_handler(handler)

        assert wrapped.__name__ == "handler"
        assert wrapped.__wrapped__ is handler  # type: ignore[attr-defined]

    def test_accepts_an_object_with_async_call(self) -> None:
        """An object whose ``__call__`` is ``async def`` is an async handler."""

        class Handler:
            async def __call__(self, event: int, context: object) -> int:
                return event + 1

        assert in_thread(lambda: _loop.lambda_handler(Handler())(1, None)) == 2

    def test_refuses_a_sync_function(self) -> None:
        """A sync function is refused at decoration, with the reason."""

        def handler(event: object, context: object) -> None:
            return None

        with pytest.raises(TypeError, match="needs no wrapping"):
            _loop.lambda_handler(handler)  # type: ignore[arg-type]

    def test_inside_a_running_loop_names_wrapped(self) -> None:
        """Called from a running loop, the error says to await ``__wrapped__``."""

        @_loop.lambda_handler
        async def handler(event: object, context: object) -> None:
            return None

        async def main() -> None:
            handler({}, None)

        with pytest.raises(RuntimeError, match=r"handler\.__wrapped__"):
            in_thread(lambda: asyncio.run(main()))


class TestLoopFactory:
    def test_use_loop_factory(self) -> None:
        """A chosen factory makes the loops of threads that have none yet."""
        made: list[asyncio.AbstractEventLoop] = []

        def factory() -> asyncio.AbstractEventLoop:
            made.append(asyncio.new_event_loop())
            return made[-1]

        _loop.use_loop_factory(factory)
        loop = in_thread(lambda: _loop.run(running_loop()))

        assert made == [loop]

    def test_use_loop_factory_refuses_a_non_callable(self) -> None:
        """A factory that cannot be called is refused, naming the argument."""
        with pytest.raises(TypeError, match="factory must be a callable"):
            _loop.use_loop_factory("uvloop")  # type: ignore[arg-type]

    def test_factory_that_returns_no_loop(self) -> None:
        """A factory returning something else fails, and the thread recovers."""

        def calls() -> tuple[str, asyncio.AbstractEventLoop]:
            _loop.use_loop_factory(lambda: None)  # type: ignore[arg-type, return-value]
            with pytest.raises(TypeError, match=r"use_loop_factory.*NoneType"):
                _loop.run(running_loop())

            _loop.use_loop_factory(None)
            return "recovered", _loop.run(running_loop())

        word, loop = in_thread(calls)

        assert word == "recovered"
        assert isinstance(loop, asyncio.AbstractEventLoop)

    def test_factory_that_returns_a_closed_loop(self) -> None:
        """A factory must return a new loop, not one closed already."""
        closed = asyncio.new_event_loop()
        closed.close()
        _loop.use_loop_factory(lambda: closed)

        with pytest.raises(RuntimeError, match=r"use_loop_factory.*closed"):
            in_thread(lambda: _loop.run(running_loop()))

    def test_uvloop_by_factory(self) -> None:
        """uvloop's own factory gives uvloop loops, with no global policy."""
        uvloop = pytest.importorskip("uvloop")
        _loop.use_loop_factory(uvloop.new_event_loop)

        loop = in_thread(lambda: _loop.run(running_loop()))

        assert isinstance(loop, uvloop.Loop)
        plain = asyncio.new_event_loop()
        try:
            assert not isinstance(plain, uvloop.Loop)
        finally:
            plain.close()

    def test_uvloop_by_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``ASYNCBATCH_LOOP=uvloop`` gives uvloop loops."""
        uvloop = pytest.importorskip("uvloop")
        monkeypatch.setenv(_loop.LOOP_ENV_VAR, "uvloop")

        loop = in_thread(lambda: _loop.run(running_loop()))

        assert isinstance(loop, uvloop.Loop)

    def test_uvloop_asked_for_but_missing(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Asking for uvloop without it installed fails, naming the extra."""
        monkeypatch.setenv(_loop.LOOP_ENV_VAR, "uvloop")
        monkeypatch.setitem(sys.modules, "uvloop", None)

        with pytest.raises(RuntimeError, match=r"asyncbatch\[uvloop\]"):
            in_thread(lambda: _loop.run(running_loop()))

    def test_unknown_loop_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unknown ``ASYNCBATCH_LOOP`` value fails, naming it."""
        monkeypatch.setenv(_loop.LOOP_ENV_VAR, "tokio")

        with pytest.raises(ValueError, match=r"ASYNCBATCH_LOOP.*'tokio'"):
            in_thread(lambda: _loop.run(running_loop()))


linux_only = pytest.mark.skipif(
    sys.platform != "linux", reason="the precise waits replace epoll's, on Linux"
)


@linux_only
class TestPreciseWaits:
    """The default loop waits for its timers to the microsecond (docs/loop.md)."""

    def test_default_loop_uses_the_precise_selector(self) -> None:
        """The persistent loop is asyncio's, over the precise epoll selector."""

        async def loop_and_selector() -> tuple[object, object]:
            loop = asyncio.get_running_loop()
            return loop, loop._selector  # type: ignore[attr-defined]

        loop, selector = in_thread(lambda: _loop.run(loop_and_selector()))

        assert isinstance(loop, asyncio.SelectorEventLoop)
        assert isinstance(selector, _loop._PreciseEpollSelector)

    def test_timers_never_fire_early(self) -> None:
        """Timers a fraction of a millisecond apart fire at or after their time."""

        async def lateness() -> list[float]:
            loop = asyncio.get_running_loop()
            fired: list[float] = []
            due = [loop.time() + 0.002 + 0.00013 * i for i in range(20)]
            done = loop.create_future()

            def fire(when: float) -> None:
                fired.append(loop.time() - when)
                if len(fired) == len(due):
                    done.set_result(None)

            for when in due:
                loop.call_at(when, fire, when)
            await done
            return fired

        fired = in_thread(lambda: _loop.run(lateness()))

        assert len(fired) == 20
        assert min(fired) >= 0

    def test_wait_with_a_timeout_and_an_event(self) -> None:
        """With a timer far off, a descriptor's event still wakes the loop."""

        async def read_pipe() -> bytes:
            loop = asyncio.get_running_loop()
            far = loop.call_later(30, lambda: None)
            reader, writer = os.pipe()
            writing = threading.Timer(0.05, os.write, (writer, b"ready"))
            try:
                got = loop.create_future()
                loop.add_reader(reader, lambda: got.set_result(os.read(reader, 5)))
                writing.start()
                return await asyncio.wait_for(got, 10)
            finally:
                writing.join()
                far.cancel()
                loop.remove_reader(reader)
                os.close(reader)
                os.close(writer)

        assert in_thread(lambda: _loop.run(read_pipe())) == b"ready"

    def test_descriptor_select_cannot_take(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Past FD_SETSIZE, the selector goes back to epoll's millisecond waits."""
        import select

        calls: list[float] = []
        real_select = select.select

        def refusing(*args: Any) -> Any:
            calls.append(args[3])
            raise ValueError("filedescriptor out of range in select()")

        async def sleep_twice() -> str:
            await asyncio.sleep(0.01)
            await asyncio.sleep(0.01)
            return "slept"

        monkeypatch.setattr(select, "select", refusing)
        try:
            assert in_thread(lambda: _loop.run(sleep_twice())) == "slept"
        finally:
            monkeypatch.setattr(select, "select", real_select)

        assert len(calls) == 1, "select() is not tried again once it refused"


class TestFork:
    def test_child_gets_a_fresh_loop_and_parent_keeps_working(self) -> None:
        """After a fork the child runs on a new loop and the parent's still wakes.

        The parent's last call needs its self-pipe (a worker thread's result comes
        back through ``call_soon_threadsafe``), which closing the inherited loop
        carelessly in the child would have unregistered from the shared epoll.
        """
        report = run_script(
            """
            import signal
            from asyncbatch import _loop

            async def loop_id():
                await asyncio.sleep(0)
                return id(asyncio.get_running_loop())

            async def through_a_thread():
                return await asyncio.to_thread(slow_getpid)

            before = _loop.run(loop_id())
            read_end, write_end = os.pipe()
            child = os.fork()
            if child == 0:
                try:
                    os.close(read_end)
                    values = [_loop.run(loop_id()), _loop.run(through_a_thread())]
                    os.write(write_end, json.dumps(values).encode())
                finally:
                    os._exit(0)

            os.close(write_end)
            with os.fdopen(read_end) as pipe:
                in_child, child_pid = json.loads(pipe.read())
            os.waitpid(child, 0)

            signal.alarm(10)  # a parent whose loop no longer wakes fails, not hangs
            report(
                before=before,
                in_child=in_child,
                child_pid=child_pid,
                child=child,
                after=_loop.run(loop_id()),
                parent_pid=_loop.run(through_a_thread()),
                pid=os.getpid(),
            )
            """
        )

        assert report["in_child"] != report["before"]
        assert report["child_pid"] == report["child"]
        assert report["after"] == report["before"]
        assert report["parent_pid"] == report["pid"]

    def test_child_exiting_normally_leaves_the_parent_working(self) -> None:
        """A child that ends through interpreter shutdown does not harm the parent."""
        report = run_script(
            """
            import signal
            from asyncbatch import _loop

            async def through_a_thread():
                return await asyncio.to_thread(slow_getpid)

            _loop.run(asyncio.sleep(0))
            child = os.fork()
            if child == 0:
                _loop.run(through_a_thread())
                sys.exit(0)

            _, status = os.waitpid(child, 0)
            signal.alarm(10)
            report(status=status, pid=_loop.run(through_a_thread()))
            """
        )

        assert report["status"] == 0
        assert isinstance(report["pid"], int)

    def test_loop_of_another_thread_survives_a_fork(self) -> None:
        """A loop that another, still living thread made keeps working after a fork.

        The child drops that thread's state (and its locals) before any at-fork
        hook runs; the loop must not be closed carelessly by that either.
        """
        report = run_script(
            """
            import queue, signal, warnings
            from asyncbatch import _loop

            async def through_a_thread():
                return await asyncio.to_thread(slow_getpid)

            requests, answers = queue.Queue(), queue.Queue()

            def serve():
                while requests.get():
                    answers.put(_loop.run(through_a_thread()))

            thread = threading.Thread(target=serve)
            thread.start()
            requests.put(True)
            answers.get(timeout=10)

            with warnings.catch_warnings():
                # Python 3.12+ warns about forking a process with threads.
                warnings.simplefilter("ignore", DeprecationWarning)
                child = os.fork()

            if child == 0:
                _loop.run(through_a_thread())
                sys.exit(0)

            _, status = os.waitpid(child, 0)
            signal.alarm(10)
            requests.put(True)
            in_thread = answers.get(timeout=10)
            requests.put(False)
            thread.join(timeout=10)
            report(status=status, in_thread=in_thread, pid=os.getpid())
            """
        )

        assert report["status"] == 0
        assert report["in_thread"] == report["pid"]

    def test_uvloop_child_and_parent(self) -> None:
        """The same holds with uvloop loops."""
        pytest.importorskip("uvloop")
        report = run_script(
            """
            import signal
            from asyncbatch import _loop
            import uvloop

            _loop.use_loop_factory(uvloop.new_event_loop)

            async def through_a_thread():
                loop = asyncio.get_running_loop()
                return type(loop).__module__, await asyncio.to_thread(slow_getpid)

            # No thread before the fork: Python 3.12+ warns about forking with
            # threads, and the warning is an error here.
            _loop.run(asyncio.sleep(0))
            child = os.fork()
            if child == 0:
                try:
                    _loop.run(through_a_thread())
                finally:
                    os._exit(0)

            os.waitpid(child, 0)
            signal.alarm(10)
            report(after=_loop.run(through_a_thread()), pid=os.getpid())
            """
        )

        assert report["after"] == ["uvloop", report["pid"]]


class TestSyncApi:
    def test_c11_loop_acquisition_on_newer_pythons(self) -> None:
        """C11: two calls share a loop, a third from another thread works."""
        report = run_script(
            """
            seen = []

            async def handler(record):
                seen.append((threading.get_ident(), id(asyncio.get_running_loop())))

            processor = asyncbatch.BatchProcessor()
            responses = [
                asyncbatch.process_partial_response(sqs_event("msg-1"), handler),
                processor.process(sqs_event("msg-2", "msg-3"), handler).response(),
            ]

            def other_thread():
                responses.append(
                    processor.process(sqs_event("msg-4"), handler).response()
                )

            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join(timeout=20)
            report(
                responses=responses,
                alive=thread.is_alive(),
                main=threading.get_ident(),
                seen=seen,
            )
            """
        )

        assert report["responses"] == [{"batchItemFailures": []}] * 3
        assert not report["alive"]
        main_loops = {loop for ident, loop in report["seen"] if ident == report["main"]}
        other = [loop for ident, loop in report["seen"] if ident != report["main"]]
        assert len(main_loops) == 1
        assert len(report["seen"]) == 4
        assert len(other) == 1

    def test_c12_loop_bound_objects_across_warm_invocations(self) -> None:
        """C12: a lazily made lock and its loop are fine after a pause."""
        report = run_script(
            """
            lock = None
            lock_loop = None

            async def handler(record):
                global lock, lock_loop
                if lock is None:
                    lock = asyncio.Lock()
                    lock_loop = asyncio.get_running_loop()

                assert asyncio.get_running_loop() is lock_loop, "another loop"
                async with lock:
                    await asyncio.sleep(0.01)

            processor = asyncbatch.BatchProcessor()
            first = processor.process(sqs_event("msg-1", "msg-2"), handler)
            time.sleep(1.0)
            second = processor.process(sqs_event("msg-3", "msg-4"), handler)
            report(
                responses=[first.response(), second.response()],
                errors=[repr(o.exception) for o in first.failures + second.failures],
            )
            """
        )

        assert report["responses"] == [{"batchItemFailures": []}] * 2
        assert report["errors"] == []

    def test_loop_closed_by_user_code(self) -> None:
        """After user code closes the loop, and after ``asyncio.run``, calls work."""
        report = run_script(
            """
            loops = []

            async def handler(record):
                loops.append(asyncio.get_running_loop())

            async def elsewhere():
                await asyncio.sleep(0)

            processor = asyncbatch.BatchProcessor()
            responses = [processor.process(sqs_event("msg-1"), handler).response()]
            loops[-1].close()
            responses.append(processor.process(sqs_event("msg-2"), handler).response())
            asyncio.run(elsewhere())
            responses.append(processor.process(sqs_event("msg-3"), handler).response())
            report(
                responses=responses,
                replaced=loops[1] is not loops[0],
                kept=loops[2] is loops[1],
            )
            """
        )

        assert report["responses"] == [{"batchItemFailures": []}] * 3
        assert report["replaced"]
        assert report["kept"]

    def test_forked_child(self) -> None:
        """A forked child processes a batch on a fresh loop; the parent carries on."""
        report = run_script(
            """
            import signal

            loops = []

            async def note_loop(record):
                loops.append(id(asyncio.get_running_loop()))

            def sync_handler(record):
                return slow_getpid()

            processor = asyncbatch.BatchProcessor()
            first = processor.process(sqs_event("msg-1"), note_loop).response()
            # An async batch starts no thread (3.12+ warns about forking with one).
            assert threading.active_count() == 1, threading.enumerate()
            read_end, write_end = os.pipe()
            child = os.fork()
            if child == 0:
                try:
                    os.close(read_end)
                    response = processor.process(sqs_event("msg-2"), note_loop)
                    values = [response.response(), loops[-1]]
                    os.write(write_end, json.dumps(values).encode())
                finally:
                    os._exit(0)

            os.close(write_end)
            with os.fdopen(read_end) as pipe:
                in_child, child_loop = json.loads(pipe.read())
            os.waitpid(child, 0)

            signal.alarm(20)
            after = processor.process(sqs_event("msg-3"), note_loop).response()
            threaded = processor.process(sqs_event("msg-4"), sync_handler)
            report(
                responses=[first, in_child, after, threaded.response()],
                parent_loops=loops,
                child_loop=child_loop,
                threaded_result=threaded.outcomes[0].result,
                pid=os.getpid(),
            )
            """
        )

        assert report["responses"] == [{"batchItemFailures": []}] * 4
        first, after = report["parent_loops"]
        assert first == after
        assert report["child_loop"] != first
        assert report["threaded_result"] == report["pid"]

    def test_nested_batch_from_a_sync_handler(self) -> None:
        """A sync handler in a worker thread processes a nested batch on its loop."""
        report = run_script(
            """
            inner_loops = []

            async def inner(record):
                inner_loops.append(id(asyncio.get_running_loop()))

            def outer(record):
                nested = sqs_event(record.message_id + "-a", record.message_id + "-b")
                return asyncbatch.process_partial_response(nested, inner)

            async def outer_loop():
                return id(asyncio.get_running_loop())

            processor = asyncbatch.BatchProcessor(max_concurrency=2)
            result = processor.process(sqs_event("msg-1", "msg-2"), outer)
            loop_of_outer = asyncbatch.run(outer_loop()) if hasattr(
                asyncbatch, "run"
            ) else None
            report(
                response=result.response(),
                results=[o.result for o in result.outcomes],
                inner_loops=inner_loops,
                outer_loop=loop_of_outer,
            )
            """
        )

        assert report["response"] == {"batchItemFailures": []}
        assert report["results"] == [{"batchItemFailures": []}] * 2
        assert len(report["inner_loops"]) == 4
        assert report["outer_loop"] not in report["inner_loops"]

    def test_sync_api_inside_a_running_loop(self) -> None:
        """From a running loop, the sync API names its coroutine counterpart."""
        report = run_script(
            """
            async def handler(record):
                pass

            async def main():
                messages = []
                try:
                    asyncbatch.BatchProcessor().process(sqs_event("msg-1"), handler)
                except RuntimeError as exc:
                    messages.append(str(exc))
                try:
                    asyncbatch.process_partial_response(sqs_event("msg-1"), handler)
                except RuntimeError as exc:
                    messages.append(str(exc))
                return messages

            report(messages=asyncio.run(main()))
            """
        )

        first, second = report["messages"]
        assert "process_async" in first
        assert "process_partial_response_async" in second
