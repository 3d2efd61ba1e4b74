"""FakeLambdaContext: remaining time that runs down with the clock, and attributes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from asyncbatch.testing import FakeLambdaContext


class ManualClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_remaining_time_runs_down_with_the_clock() -> None:
    """The remaining time falls by what the clock advanced, in whole ms."""
    clock = ManualClock()
    context = FakeLambdaContext(remaining=5, clock=clock)
    assert context.get_remaining_time_in_millis() == 5000

    clock.now += 1.25
    assert context.get_remaining_time_in_millis() == 3750

    clock.now += 3.7495
    assert context.get_remaining_time_in_millis() == 0


def test_remaining_time_is_never_negative() -> None:
    """Past the deadline the remaining time stays at zero."""
    clock = ManualClock()
    context = FakeLambdaContext(remaining=1, clock=clock)

    clock.now += 60
    assert context.get_remaining_time_in_millis() == 0
    assert FakeLambdaContext(remaining=0).get_remaining_time_in_millis() == 0


def test_remaining_time_is_an_int() -> None:
    """Like Lambda's own context, the remaining time is an int of milliseconds."""
    clock = ManualClock()
    context = FakeLambdaContext(remaining=0.0015, clock=clock)

    assert context.get_remaining_time_in_millis() == 1
    assert type(context.get_remaining_time_in_millis()) is int


def test_default_clock_is_real_time() -> None:
    """Without a clock, the default 30 s run down with time.monotonic."""
    context = FakeLambdaContext()
    first = context.get_remaining_time_in_millis()
    time.sleep(0.02)
    second = context.get_remaining_time_in_millis()

    # Wide margins: a loaded machine may pause this test for a while.
    assert 20_000 < first <= 30_000
    assert second < first


def test_attributes_look_like_lambdas() -> None:
    """The usual attributes are there, derived from the function name."""
    context = FakeLambdaContext(
        function_name="orders",
        function_version="7",
        memory_limit_in_mb=512,
        region="eu-west-1",
        account_id="111122223333",
    )

    assert context.function_name == "orders"
    assert context.function_version == "7"
    assert context.memory_limit_in_mb == "512"
    assert context.invoked_function_arn == (
        "arn:aws:lambda:eu-west-1:111122223333:function:orders"
    )
    assert context.log_group_name == "/aws/lambda/orders"
    assert context.log_stream_name.startswith("2023/11/14/[7]")
    assert len(context.aws_request_id) == 36
    assert context.client_context is None
    assert context.identity.cognito_identity_id is None


def test_mirrors_the_runtime_context() -> None:
    """The fake has the public attributes and methods of awslambdaric's context."""
    lambda_context = pytest.importorskip("awslambdaric.lambda_context")
    real = lambda_context.LambdaContext("req-1", None, None, 0)
    fake = FakeLambdaContext()

    def public(context: object) -> set[str]:
        return {name for name in dir(context) if not name.startswith("_")}

    assert public(fake) == public(real)
    for name in public(real):
        assert callable(getattr(fake, name)) == callable(getattr(real, name)), name


def test_tenant_id() -> None:
    """``tenant_id`` is None unless the function is multi-tenant."""
    assert FakeLambdaContext().tenant_id is None
    assert FakeLambdaContext(tenant_id="tenant-7").tenant_id == "tenant-7"


def test_log_writes_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    """``log()`` writes the text as it is, as the runtime does without a sink."""
    context = FakeLambdaContext()
    context.log("first")
    context.log(42)

    assert capsys.readouterr().out == "first42"
    assert context.w3c() == {}


def test_request_id_is_reproducible_or_given() -> None:
    """The request id comes from the seed unless it is given."""
    assert FakeLambdaContext().aws_request_id == FakeLambdaContext().aws_request_id
    assert (
        FakeLambdaContext(seed=1).aws_request_id != FakeLambdaContext().aws_request_id
    )
    assert FakeLambdaContext(aws_request_id="req-1").aws_request_id == "req-1"


def test_repr_shows_the_remaining_time() -> None:
    """The repr names the function and what time is left."""
    context = FakeLambdaContext(remaining=2, clock=ManualClock())

    assert "remaining_ms=2000" in repr(context)
    assert "'my-function'" in repr(context)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"remaining": -1}, ValueError, "remaining must be finite and >= 0"),
        ({"remaining": float("inf")}, ValueError, "remaining must be finite"),
        ({"remaining": float("nan")}, ValueError, "remaining must be finite"),
        ({"remaining": "30"}, TypeError, "remaining must be a number"),
        ({"remaining": True}, TypeError, "remaining must be a number"),
        ({"clock": 5}, TypeError, "clock must be a callable"),
        ({"function_name": ""}, ValueError, "function_name must not be empty"),
        ({"function_version": 7}, TypeError, "function_version must be a str"),
        ({"tenant_id": ""}, ValueError, "tenant_id must not be empty"),
    ],
)
def test_bad_arguments_are_named(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    """Each bad argument raises an error that names it."""
    with pytest.raises(error, match=match):
        FakeLambdaContext(**kwargs)
