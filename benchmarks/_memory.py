"""Child process of the memory scenario: peak RSS growth while one batch runs.

Run as ``python -c "from benchmarks._memory import main; main()" CONTENDER SIZE``.
Each measurement gets a fresh process so that no contender inherits another's heap.

Method: import everything, build the batch, and run one 10-record batch so that
lazy imports, the event loop and worker threads exist (a warm Lambda process). Then
collect garbage, read the resident set size (``VmRSS``), reset the kernel's
high-water mark (writing ``5`` to ``/proc/self/clear_refs``), process the batch and
read the high-water mark (``VmHWM``). The growth is ``VmHWM - VmRSS``: the extra
memory the batch needed at its peak, event and handler excluded. Where the mark
cannot be reset (not Linux), ``ru_maxrss`` is used instead, which only counts growth
beyond the process's earlier peak; the JSON line says which method ran.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

from benchmarks import _contenders
from benchmarks._events import expected_response, failing_ids, sqs_event


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _maxrss_kib() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def main() -> None:
    name, size = sys.argv[1], int(sys.argv[2])
    failing = failing_ids(size)
    run = _contenders.async_batch_runner(name, failing)
    warm_event = sqs_event(10)
    run(warm_event)

    event = sqs_event(size)
    gc.collect()
    before = _status_kib("VmRSS")
    if before is not None and _reset_peak():
        method = "VmHWM after clear_refs minus VmRSS"
        response: Any = run(event)
        peak = _status_kib("VmHWM") or 0
    else:
        method = "ru_maxrss growth"
        before = _maxrss_kib()
        response = run(event)
        peak = _maxrss_kib()

    expected = expected_response(size, failing)
    print(
        json.dumps(
            {
                "contender": name,
                "growth_kib": peak - before,
                "before_kib": before,
                "method": method,
                "ok": _contenders.same_failures(response, expected),
            }
        )
    )
    _contenders.close()
