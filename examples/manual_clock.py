"""A fake Lambda context whose time moves only when the test says so."""

from __future__ import annotations

from asyncbatch.testing import FakeLambdaContext


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_remaining_time_follows_the_clock() -> None:
    clock = ManualClock()
    context = FakeLambdaContext(remaining=5, clock=clock)

    clock.now += 4.5

    assert context.get_remaining_time_in_millis() == 500
