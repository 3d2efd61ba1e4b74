"""asyncbatch under the real Lambda runtime interface client (awslambdaric).

The function (``functions/batch_function.py``) runs in a separate process started
the way Lambda starts it, ``python -m awslambdaric module.handler``, and talks to a
Runtime API endpoint on loopback (``runtime_api.py``). Each test settles every
invocation it sends and leaves no process or server thread behind (see conftest).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import Function
from .runtime_api import RuntimeAPI

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="awslambdaric runs on Linux"
    ),
]

pytest.importorskip("awslambdaric", reason="the runtime interface client is needed")

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:orders"

# Generous: the machine is shared and a cold start imports pydantic and structlog.
SETTLE = 30.0

StartFunction = Callable[..., Function]


def sqs_event(*bodies: str, prefix: str = "msg") -> dict[str, Any]:
    """An SQS standard-queue event with one record per body, ``<prefix>-1`` on."""
    return {
        "Records": [
            {
                "messageId": f"{prefix}-{number}",
                "receiptHandle": f"rh-{prefix}-{number}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": "eu-west-1",
            }
            for number, body in enumerate(bodies, start=1)
        ]
    }


def failures(body: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in body["batchItemFailures"]]


@pytest.mark.parametrize(
    ("handler", "loop"),
    [
        pytest.param("handler", "asyncio", id="sync-api"),
        pytest.param("async_handler", "asyncio", id="lambda_handler"),
        pytest.param("handler", "uvloop", id="sync-api-uvloop"),
    ],
)
def test_warm_invocations_share_one_loop_across_freeze_and_thaw(
    runtime_api: RuntimeAPI, start_function: StartFunction, handler: str, loop: str
) -> None:
    """Many warm invocations run on the loop of the cold start, frozen in between.

    The stream opened at cold start and the lock made in the first invocation are
    used by every record of every invocation; the process is stopped with SIGSTOP
    while each next invocation is queued, and shown to answer only after SIGCONT.
    """
    if loop == "uvloop":
        pytest.importorskip("uvloop")

    function = start_function(handler, ASYNCBATCH_LOOP=loop)
    bodies: list[dict[str, Any]] = []

    first = runtime_api.invoke(sqs_event("a", "b", "fail"), timeout=SETTLE)
    assert first.kind == "response", function.output()
    bodies.append(first.body)

    for round_ in range(6):
        runtime_api.wait_for_pollers(1)
        function.freeze()
        try:
            invocation = runtime_api.submit(sqs_event(f"r{round_}-1", f"r{round_}-2"))
            assert not invocation.settled.wait(0.3), "a frozen process answered"
        finally:
            function.thaw()

        invocation.wait(SETTLE)
        assert invocation.kind == "response", function.output()
        bodies.append(invocation.body)

    assert failures(bodies[0]) == ["msg-3"]
    assert all(failures(body) == [] for body in bodies[1:])

    probes = [body["probe"] for body in bodies]
    cold_start_loop = probes[0]["cold_start_loop"]
    assert {probe["pid"] for probe in probes} == {function.process.pid}
    assert all(probe["loops"] == [cold_start_loop] for probe in probes)
    assert probes[0]["loop_type"].startswith(f"{loop}.")
    assert all(probe["lock_loop"] == cold_start_loop for probe in probes)
    assert [probe["invocations"] for probe in probes] == list(range(1, 8))
    assert probes[-1]["echoed"] == 2 + 6 * 2


def test_all_failed_batch_is_an_invocation_error(
    runtime_api: RuntimeAPI, start_function: StartFunction
) -> None:
    """Every record failing raises BatchProcessingError: Lambda gets ``/error``.

    The process survives it, and the next invocation runs on the same loop.
    """
    function = start_function()

    before = runtime_api.invoke(sqs_event("ok"), timeout=SETTLE)
    failed = runtime_api.invoke(sqs_event("fail", "fail"), timeout=SETTLE)
    after = runtime_api.invoke(sqs_event("ok"), timeout=SETTLE)

    assert failed.kind == "error", function.output()
    assert failed.body["errorType"] == "BatchProcessingError"
    assert failed.body["requestId"] == failed.request_id
    assert before.kind == after.kind == "response"
    assert after.body["probe"]["pid"] == before.body["probe"]["pid"]
    assert after.body["probe"]["loops"] == before.body["probe"]["loops"]


def test_deadline_header_drives_the_soft_deadline(
    runtime_api: RuntimeAPI, start_function: StartFunction
) -> None:
    """``Lambda-Runtime-Deadline-Ms`` sets the soft deadline through the context.

    With 4 s left and the default 1 s margin, a record that would sleep 60 s fails
    with DeadlineExceededError and the response is posted before Lambda's deadline,
    so the record that finished is not redelivered.
    """
    function = start_function()
    runtime_api.invoke(sqs_event("warm"), timeout=SETTLE)  # cold start done

    remaining = 4.0
    invocation = runtime_api.submit(sqs_event("quick", "sleep:60"), remaining=remaining)
    invocation.wait(SETTLE)
    assert invocation.kind == "response", function.output()
    assert invocation.taken_at is not None
    assert invocation.settled_at is not None

    assert invocation.body["probe"]["failures"] == ["DeadlineExceededError"]
    assert failures(invocation.body) == ["msg-2"]
    # Lambda's deadline counts from the submission; the soft one is 1 s before it.
    answered = invocation.settled_at - invocation.submitted_at
    assert answered < remaining, f"answered after {answered:.2f} s, past Lambda's"
    ran = invocation.settled_at - invocation.taken_at
    assert ran > 1.0, "the record failed long before its soft deadline"


def test_managed_instances_workers(
    runtime_api: RuntimeAPI, start_function: StartFunction
) -> None:
    """With ``AWS_LAMBDA_MAX_CONCURRENCY`` the client forks workers; each keeps its
    own loop across its warm invocations, and an all-failed batch is an ``/error``.
    """
    workers = 3
    function = start_function(AWS_LAMBDA_MAX_CONCURRENCY=str(workers))
    runtime_api.wait_for_pollers(workers, timeout=SETTLE)

    # Each batch holds its worker for a moment, so the others take the next ones.
    invocations = [
        runtime_api.submit(sqs_event("sleep:0.3", "b", prefix=f"batch{number}"))
        for number in range(workers * 3)
    ]
    failed = runtime_api.submit(sqs_event("fail", prefix="doomed"))
    for invocation in [*invocations, failed]:
        invocation.wait(SETTLE)

    assert failed.kind == "error", function.output()
    assert failed.body["errorType"] == "BatchProcessingError"
    assert all(invocation.kind == "response" for invocation in invocations), (
        function.output()
    )
    assert all(failures(invocation.body) == [] for invocation in invocations)

    loops_by_worker: dict[int, set[int]] = {}
    for invocation in invocations:
        probe = invocation.body["probe"]
        assert probe["loops"] == [probe["cold_start_loop"]]
        loops_by_worker.setdefault(probe["pid"], set()).update(probe["loops"])

    assert len(loops_by_worker) >= 2, "the batches did not spread over workers"
    assert function.process.pid not in loops_by_worker, "the parent ran a batch"
    assert all(len(loops) == 1 for loops in loops_by_worker.values())

    # Still warm after a freeze of the whole process group.
    runtime_api.wait_for_pollers(workers, timeout=SETTLE)
    function.freeze()
    try:
        late = runtime_api.submit(sqs_event("late"))
        assert not late.settled.wait(0.3), "a frozen worker answered"
    finally:
        function.thaw()

    late.wait(SETTLE)
    assert late.kind == "response", function.output()
    assert late.body["probe"]["pid"] in loops_by_worker
    assert late.body["probe"]["loops"] == sorted(
        loops_by_worker[late.body["probe"]["pid"]]
    )


def test_bad_loop_choice_fails_the_cold_start(
    runtime_api: RuntimeAPI, start_function: StartFunction
) -> None:
    """An unknown ``ASYNCBATCH_LOOP`` fails the cold start, reported as an init
    error that names the variable, instead of running on some other loop.
    """
    function = start_function(ASYNCBATCH_LOOP="tokio")

    assert function.process.wait(timeout=SETTLE) != 0
    [error] = runtime_api.init_errors
    assert error["errorType"] == "ValueError", function.output()
    assert "ASYNCBATCH_LOOP" in error["errorMessage"]
    assert "'tokio'" in error["errorMessage"]
