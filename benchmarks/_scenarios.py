"""The scenarios of issue 7, their contenders and the targets asyncbatch must reach.

Sizes come from :class:`Sizes`: the defaults are the issue's, :data:`QUICK` is the
tiny size the smoke test and CI run (it checks that every row still works, its
figures mean nothing).
"""

from __future__ import annotations

import functools
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import _contenders as c
from benchmarks import _peers, _workloads
from benchmarks._events import expected_response, failing_ids, sqs_event
from benchmarks._harness import Contender, Scenario, Target, Timed, WrongResult

ROOT = Path(__file__).resolve().parent.parent

AB = "asyncbatch"
AB_DICT = "asyncbatch model=dict"
AB_PLAIN_LOOP = "asyncbatch on a plain loop"
PT_ASYNC = "Powertools async"
PT_MODEL = "Powertools async +model"
PT_SYNC = "Powertools sync"
TASKGROUP = c.TASKGROUP
ANYIO = "anyio+CapacityLimiter"
AIOMETER = "aiometer"
FOR_LOOP = "for loop"
POOL = "ThreadPoolExecutor"
TO_THREAD = "anyio to_thread"
LOOP_TURN = "warm loop turn"


@dataclass(frozen=True)
class Sizes:
    """How much work each scenario does."""

    records: int = 10_000  # scenarios 1, 3 and 6
    small_batch: int = 10  # scenario 2: records per invocation
    invocations: int = 1_000  # scenario 2: invocations per measurement
    io_records: int = 2_000  # scenarios 4 and 5
    io_seconds: float = 0.01
    io_limit: int = 100
    memory_records: int = 10_000  # scenario 7
    # Peak RSS hardly varies from one fresh process to the next, and each sample
    # costs a process start, so scenario 7 runs at most this many rounds.
    memory_rounds: int = 3


DEFAULT = Sizes()
QUICK = Sizes(
    records=200,
    invocations=20,
    io_records=200,
    memory_records=500,
    memory_rounds=1,
)


class Workload:
    """A scenario's batch and the response a correct run returns.

    The event is built when the first contender is, not when the scenario is
    defined, so only the running scenario's records are alive (and walked by the
    garbage collector) while it is measured.
    """

    def __init__(self, size: int, *, failing: bool = True) -> None:
        self.size = size
        self.failing = failing_ids(size) if failing else frozenset()
        self.expected = expected_response(size, self.failing)

    @functools.cached_property
    def event(self) -> c.Event:
        return sqs_event(self.size)


def _timed_batch(
    make_runner: Callable[[], c.Runner],
    batch: Workload,
    *,
    ordered: bool = False,
    repeat: int = 1,
    per: int = 1,
    scale: float = 1e6,
) -> Callable[[], Timed]:
    """A ``build`` for a contender that runs ``batch`` through ``make_runner()``."""

    def build() -> Timed:
        runner = make_runner()
        work = functools.partial(runner, batch.event)
        check = functools.partial(
            c.same_failures, expected=batch.expected, ordered=ordered
        )
        return Timed(work, check, repeat=repeat, per=per, scale=scale)

    return build


def overhead(sizes: Sizes) -> Scenario:
    n = sizes.records
    batch = Workload(n)
    failing = batch.failing

    def contender(name: str) -> Contender:
        build = _timed_batch(
            functools.partial(c.async_batch_runner, name, failing),
            batch,
            ordered=name.startswith(AB),
            per=n,
        )
        return Contender(name, build)

    def logged(name: str) -> Contender:
        build = _timed_batch(
            lambda: c.with_root_log_handler(c.async_batch_runner(name, failing)),
            batch,
            ordered=True,
            per=n,
        )
        return Contender(
            name + " +log handler",
            build,
            "a root log handler to /dev/null, as Lambda's runtime installs one: "
            "each failed record's warning is formatted and written",
        )

    names = [AB, AB_DICT, PT_ASYNC, PT_MODEL, TASKGROUP, ANYIO, AIOMETER]
    return Scenario(
        "1",
        "overhead",
        f"Overhead: {n:,} SQS records, no-op async handler, 10% raising",
        "us/record",
        [contender(name) for name in names] + [logged(AB), logged(AB_DICT)],
        references=[PT_ASYNC, PT_MODEL],
        targets=[Target(AB, 0.6, PT_ASYNC), Target(AB_DICT, 0.25, PT_ASYNC)],
        notes=[
            (
                "asyncbatch at its defaults (max_concurrency=10); the bounded peers at "
                "10 too; Powertools gathers every record at once"
            ),
        ],
    )


def small_batches(sizes: Sizes) -> Scenario:
    n, calls = sizes.small_batch, sizes.invocations
    batch = Workload(n)
    failing = batch.failing

    def contender(name: str) -> Contender:
        build = _timed_batch(
            functools.partial(c.async_batch_runner, name, failing),
            batch,
            ordered=name.startswith(AB),
            repeat=calls,
            per=calls,
        )
        return Contender(name, build)

    async def nothing() -> None:
        pass

    def loop_turn() -> Timed:
        loop = c.warm_loop()
        return Timed(lambda: loop.run(nothing()), repeat=calls, per=calls)

    return Scenario(
        "2",
        "small-batches",
        f"Small batches: {n} records per invocation, warm process, "
        f"{calls:,} invocations per sample",
        "us/invocation",
        [contender(name) for name in [AB, AB_DICT, PT_ASYNC, PT_MODEL, TASKGROUP]]
        + [Contender(LOOP_TURN, loop_turn, "run_until_complete of an empty coroutine")],
        references=[PT_ASYNC, LOOP_TURN],
        targets=[Target(AB, 0.7, PT_ASYNC), Target(AB_DICT, 0.7, PT_ASYNC)],
        notes=[
            (
                "Powertools runs in its Lambda mode (LAMBDA_TASK_ROOT set: it reuses "
                "the current loop instead of asyncio.run)"
            ),
        ],
    )


def sync_threads(sizes: Sizes) -> Scenario:
    n = sizes.records
    batch = Workload(n)
    failing = batch.failing
    attr = _workloads.sync_failing("attr", failing)
    raw = _workloads.sync_failing("dict", failing)

    def build(make: Callable[[], c.Runner], ordered: bool = False) -> Any:
        return _timed_batch(make, batch, ordered=ordered, per=n)

    def pool() -> c.Runner:
        return c.thread_pool_runner(raw, workers=10)

    return Scenario(
        "3",
        "sync-threads",
        f"Sync no-op handlers through threads: {n:,} records, 10% raising",
        "us/record",
        [
            Contender(AB, build(lambda: c.asyncbatch_runner(attr), True)),
            Contender(
                AB_DICT, build(lambda: c.asyncbatch_runner(raw, model=dict), True)
            ),
            Contender(
                PT_SYNC,
                build(lambda: c.powertools_runner(attr, asynchronous=False)),
                "sequential, no threads",
            ),
            Contender(
                FOR_LOOP,
                build(lambda: c.for_loop_runner(raw)),
                "floor for sync work",
            ),
            Contender(POOL, build(pool), "persistent, 10 workers"),
            Contender(
                TO_THREAD,
                build(
                    lambda: c.async_peer_runner(_peers.anyio_to_thread_batch, raw, 10)
                ),
                "limiter of 10",
            ),
        ],
        references=[PT_SYNC, FOR_LOOP, POOL],
        targets=[Target(AB, 2.0, PT_SYNC), Target(AB_DICT, 2.0, PT_SYNC)],
        notes=["asyncbatch at its defaults (max_concurrency=10)"],
    )


def _io_ideal(sizes: Sizes) -> float:
    waves = math.ceil(sizes.io_records / sizes.io_limit)
    return waves * sizes.io_seconds * 1e3


def io_bound(sizes: Sizes) -> Scenario:
    n, limit = sizes.io_records, sizes.io_limit
    batch = Workload(n, failing=False)
    handler = _workloads.async_sleep(sizes.io_seconds)

    def build(make: Callable[[], c.Runner], ordered: bool = False) -> Any:
        return _timed_batch(make, batch, ordered=ordered, scale=1e3)

    def ab(**options: Any) -> Callable[[], c.Runner]:
        return lambda: c.asyncbatch_runner(handler, max_concurrency=limit, **options)

    def on_plain_loop() -> c.Runner:
        return c.asyncbatch_async_runner(handler, max_concurrency=limit)

    def peer(batch: Callable[..., Any]) -> Callable[[], c.Runner]:
        return lambda: c.async_peer_runner(batch, handler, limit)

    return Scenario(
        "4",
        "io-bound",
        f"I/O-bound: {n:,} records awaiting {sizes.io_seconds * 1e3:g} ms "
        f"at max_concurrency={limit}",
        "ms",
        [
            Contender(AB, build(ab(), True)),
            Contender(AB_DICT, build(ab(model=dict), True)),
            Contender(
                AB_PLAIN_LOOP,
                build(on_plain_loop, True),
                "process_partial_response_async on the peers' plain asyncio loop",
            ),
            Contender(TASKGROUP, build(peer(_peers.taskgroup_batch))),
            Contender(ANYIO, build(peer(_peers.anyio_batch))),
            Contender(AIOMETER, build(peer(_peers.aiometer_batch))),
        ],
        references=[TASKGROUP, AIOMETER],
        targets=[Target(AB, 0.9), Target(AB_DICT, 0.9)],
        notes=[
            "every contender is bounded at the same limit",
            (
                "the asyncbatch rows run on asyncbatch's own loop, whose waits for "
                "timers are precise to the microsecond (docs/loop.md); the peers "
                "run on a plain asyncio loop"
            ),
        ],
        ideal=_io_ideal(sizes),
    )


def sync_io_bound(sizes: Sizes) -> Scenario:
    n, limit = sizes.io_records, sizes.io_limit
    batch = Workload(n, failing=False)
    handler = _workloads.sync_sleep(sizes.io_seconds)

    def build(make: Callable[[], c.Runner], ordered: bool = False) -> Any:
        return _timed_batch(make, batch, ordered=ordered, scale=1e3)

    def ab(**options: Any) -> Callable[[], c.Runner]:
        return lambda: c.asyncbatch_runner(handler, max_concurrency=limit, **options)

    def pool() -> c.Runner:
        return c.thread_pool_runner(handler, workers=limit)

    return Scenario(
        "5",
        "sync-io-bound",
        f"Sync I/O-bound: {n:,} records in time.sleep({sizes.io_seconds:g}) "
        f"on {limit} threads",
        "ms",
        [
            Contender(AB, build(ab(), True)),
            Contender(AB_DICT, build(ab(model=dict), True)),
            Contender(
                TO_THREAD,
                build(
                    lambda: c.async_peer_runner(
                        _peers.anyio_to_thread_batch, handler, limit
                    )
                ),
                f"limiter of {limit}",
            ),
            Contender(POOL, build(pool), f"persistent, {limit} workers"),
        ],
        references=[POOL, TO_THREAD],
        targets=[Target(AB, 0.75), Target(AB_DICT, 0.75)],
        ideal=_io_ideal(sizes),
    )


def record_timeout(sizes: Sizes) -> Scenario:
    n = sizes.records
    batch = Workload(n)
    failing = batch.failing
    attr = _workloads.async_failing("attr", failing)
    raw = _workloads.async_failing("dict", failing)
    timeout = 30.0

    def build(make: Callable[[], c.Runner], ordered: bool = False) -> Any:
        return _timed_batch(make, batch, ordered=ordered, per=n)

    def ab(handler: Any, **options: Any) -> Any:
        return build(lambda: c.asyncbatch_runner(handler, **options), True)

    def peer(limit_timeout: float | None) -> Any:
        return build(
            lambda: c.async_peer_runner(_peers.taskgroup_batch, raw, 10, limit_timeout)
        )

    per_record = "asyncio.timeout" if _peers.HAS_TASKGROUP else "asyncio.wait_for"
    return Scenario(
        "6",
        "record-timeout",
        f"record_timeout={timeout:g} s (never reached): {n:,} records, "
        "no-op async handler, 10% raising",
        "us/record",
        [
            Contender(AB, ab(attr)),
            Contender(AB + " +timeout", ab(attr, record_timeout=timeout)),
            Contender(AB_DICT, ab(raw, model=dict)),
            Contender(
                AB_DICT + " +timeout", ab(raw, model=dict, record_timeout=timeout)
            ),
            Contender(TASKGROUP, peer(None)),
            Contender(
                TASKGROUP + " +timeout", peer(timeout), f"{per_record} per record"
            ),
        ],
        references=[AB, AB_DICT, TASKGROUP],
        targets=[
            Target(AB + " +timeout", 1.5, AB),
            Target(AB_DICT + " +timeout", 1.5, AB_DICT),
        ],
    )


class Child:
    """Measures one contender in a fresh interpreter per sample.

    The child runs ``python -c "from benchmarks.<module> import main; main()"`` from
    the repository root with ``LAMBDA_TASK_ROOT`` set (so Powertools is in its
    Lambda mode, as in a real cold start) and prints one JSON line.
    """

    def __init__(
        self,
        module: str,
        args: list[str],
        value: Callable[[dict[str, Any]], float],
        check: Callable[[dict[str, Any]], bool],
    ) -> None:
        self.module = module
        self.args = args
        self.value = value
        self.check = check
        self.extras: dict[str, Any] = {}

    def _run(self) -> tuple[dict[str, Any], float]:
        env = dict(os.environ)
        env["LAMBDA_TASK_ROOT"] = str(ROOT)
        env.pop("PYTHONWARNINGS", None)
        command = [sys.executable, "-c", f"from benchmarks.{self.module} import main"]
        command[-1] += "; main()"
        start = time.perf_counter()
        done = subprocess.run(
            [*command, *self.args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
            raise RuntimeError(f"child exited with {done.returncode}: {tail[0]}")
        return json.loads(done.stdout.strip().splitlines()[-1]), wall

    def warm(self) -> None:
        data, _ = self._run()
        if not self.check(data):
            raise WrongResult(f"unexpected child result: {data}")

    def measure(self) -> float:
        data, wall = self._run()
        self.extras.setdefault("wall_ms", []).append(round(wall * 1e3, 2))
        for key in ("loaded", "method"):
            if key in data:
                self.extras[key] = data[key]
        return self.value(data)


def _needs(module: str) -> None:
    c._require(module)


def memory(sizes: Sizes) -> Scenario:
    n = sizes.memory_records

    def contender(name: str) -> Contender:
        def build() -> Child:
            if name.startswith("Powertools"):
                _needs("aws_lambda_powertools")
            return Child(
                "_memory",
                [name, str(n)],
                value=lambda data: data["growth_kib"] / 1024,
                check=lambda data: bool(data["ok"]),
            )

        return Contender(name, build)

    return Scenario(
        "7",
        "memory",
        f"Memory: peak RSS growth while a {n:,}-record batch runs "
        "(fresh process per sample)",
        "MiB",
        [contender(name) for name in [AB, AB_DICT, PT_ASYNC, PT_MODEL, TASKGROUP]],
        references=[PT_ASYNC, PT_MODEL],
        targets=[Target(AB, 0.5, PT_ASYNC), Target(AB_DICT, 0.5, PT_ASYNC)],
        max_rounds=sizes.memory_rounds,
        notes=[
            (
                "after a 10-record warm-up batch the high-water mark is reset "
                "(/proc/self/clear_refs); growth = VmHWM - VmRSS before the batch"
            ),
        ],
    )


_COLD_BATCHES = {
    AB_DICT: "asyncbatch-dict",
    AB: "asyncbatch-typed",
    PT_ASYNC: "powertools-async",
    PT_MODEL: "powertools-async-model",
}


def _cold_check(data: dict[str, Any]) -> bool:
    return data["failed"] is None or data["failed"] == data["expected"]


def cold_start(sizes: Sizes) -> Scenario:
    def contender(name: str, task: str) -> Contender:
        def build() -> Child:
            if not name.startswith(AB):
                _needs("aws_lambda_powertools")
            return Child(
                "_cold",
                [task],
                value=lambda data: data["seconds"] * 1e3,
                check=_cold_check,
            )

        return Contender(name, build)

    return Scenario(
        "8",
        "cold-start",
        "Cold start: import and process the first 10-record batch in a fresh process",
        "ms",
        [contender(name, task) for name, task in _COLD_BATCHES.items()],
        references=[PT_ASYNC, PT_MODEL],
        targets=[Target(AB_DICT, 0.9, PT_ASYNC), Target(AB, 1.0, PT_MODEL)],
        notes=[
            (
                "time inside the child from before its first import to the response; "
                "interpreter start-up is excluded (see 8i for a bare interpreter)"
            ),
            "Powertools in its Lambda mode, as in a real cold start",
        ],
    )


_COLD_IMPORTS = {
    "import asyncbatch": "asyncbatch",
    "import powertools batch": "powertools-batch",
    "import asyncio": "asyncio",
    "import anyio": "anyio",
    "import pydantic": "pydantic",
    "import structlog": "structlog",
}


class _BareInterpreter:
    """Wall time of ``python -c pass``: what every fresh process pays first."""

    def __init__(self) -> None:
        self.extras: dict[str, Any] = {}

    def _run(self) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=ROOT, check=True)
        return (time.perf_counter() - start) * 1e3

    def warm(self) -> None:
        self._run()

    def measure(self) -> float:
        return self._run()


def import_only(sizes: Sizes) -> Scenario:
    def contender(name: str, task: str) -> Contender:
        def build() -> Child:
            if task == "powertools-batch":
                _needs("aws_lambda_powertools")
            return Child(
                "_cold",
                [task],
                value=lambda data: data["seconds"] * 1e3,
                check=_cold_check,
            )

        return Contender(name, build)

    return Scenario(
        "8i",
        "import-only",
        "Import only, in a fresh process",
        "ms",
        [contender(name, task) for name, task in _COLD_IMPORTS.items()]
        + [
            Contender(
                "bare interpreter",
                _BareInterpreter,
                "wall time of `python -c pass`, not an import",
            )
        ],
        references=["import powertools batch"],
        notes=[
            (
                "each import is timed alone in its own process, so shared dependencies "
                "count in every row (pydantic's import includes its core, etc.)"
            ),
        ],
    )


#: Every scenario, in the order the run and the report take them.
SCENARIOS: list[Callable[[Sizes], Scenario]] = [
    overhead,
    small_batches,
    sync_threads,
    io_bound,
    sync_io_bound,
    record_timeout,
    memory,
    cold_start,
    import_only,
]
