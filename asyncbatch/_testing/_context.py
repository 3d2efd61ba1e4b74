"""A stand-in for the context object Lambda passes to a function."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable
from typing import Any

from ._common import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Generator, check_name

__all__ = ["FakeLambdaContext"]


class FakeLambdaContext:
    """A Lambda context whose remaining time runs down with a clock.

    The invocation's deadline is fixed when the context is made: ``remaining``
    seconds after the clock's reading then. From there on
    :meth:`get_remaining_time_in_millis` reports what is left, never below zero,
    as Lambda's own context does. Pass ``clock`` (a zero-argument callable that
    returns seconds, :func:`time.monotonic` by default) to drive time by hand.

    The attributes and methods mirror the context of Lambda's Python runtime
    (awslambdaric 4.2), down to ``memory_limit_in_mb`` being a ``str`` there
    (``int(context.memory_limit_in_mb)`` works on both).

    :param remaining: seconds until the invocation's deadline, >= 0.
    :param function_name: also used in the ARN and the log group name.
    :param aws_request_id: by default a reproducible UUID drawn from ``seed``.
    :param tenant_id: the tenant of a multi-tenant function, ``None`` otherwise.
    :param clock: where time comes from; it must never go backwards.
    :raises TypeError: when ``remaining`` is not a number or ``clock`` is not
        callable.
    :raises ValueError: when ``remaining`` is negative or not finite.
    """

    def __init__(
        self,
        *,
        remaining: float = 30.0,
        function_name: str = "my-function",
        function_version: str = "$LATEST",
        memory_limit_in_mb: int | str = 128,
        aws_request_id: str | None = None,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT_ID,
        tenant_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int = 0,
    ) -> None:
        if isinstance(remaining, bool) or not isinstance(remaining, (int, float)):
            raise TypeError(
                f"remaining must be a number of seconds, not {type(remaining).__name__}"
            )

        if not 0 <= remaining < float("inf"):
            raise ValueError(f"remaining must be finite and >= 0, not {remaining}")

        if not callable(clock):
            raise TypeError(f"clock must be a callable, not {type(clock).__name__}")

        check_name(function_name, "function_name")
        check_name(function_version, "function_version")
        if tenant_id is not None:
            check_name(tenant_id, "tenant_id")

        ids = Generator(seed)
        self.function_name = function_name
        self.function_version = function_version
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.invoked_function_arn = (
            f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        )
        self.aws_request_id = ids.uuid() if aws_request_id is None else aws_request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"2023/11/14/[{function_version}]{ids.hex(32)}"
        self.client_context = None
        self.identity = types.SimpleNamespace(
            cognito_identity_id=None, cognito_identity_pool_id=None
        )
        self.tenant_id = tenant_id

        self._clock = clock
        self._deadline = clock() + remaining

    def get_remaining_time_in_millis(self) -> int:
        """Whole milliseconds left until the deadline, 0 once it has passed."""
        left = int((self._deadline - self._clock()) * 1000)
        return max(0, left)

    def log(self, msg: Any) -> None:
        """Write ``str(msg)`` to standard output, with no newline added.

        That is what the runtime does when it has no log sink set up.
        """
        sys.stdout.write(str(msg))

    def w3c(self) -> dict[str, str]:
        """The W3C trace context of the invocation: none for a fake one."""
        return {}

    def __repr__(self) -> str:
        return (
            f"FakeLambdaContext(function_name={self.function_name!r}, "
            f"aws_request_id={self.aws_request_id!r}, "
            f"remaining_ms={self.get_remaining_time_in_millis()})"
        )
