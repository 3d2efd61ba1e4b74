"""Running scenarios: warm each contender up, then measure them in interleaved rounds.

Every round measures every contender once, in an order rotated by one each round,
so that a slow spell of this noisy machine lands on all contenders alike and none is
always first after another's garbage. Garbage is collected before each measurement
and the collector stays on while the clock runs, as it would in Lambda.
"""

from __future__ import annotations

import gc
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks._contenders import Unavailable


class WrongResult(Exception):
    """A contender returned a response other than the one the workload must give."""


class Timed:
    """Times ``repeat`` calls of ``work`` and reports the time per ``per`` units.

    :param work: one unit of work, e.g. one batch through one contender.
    :param check: called with the warm-up's result; False means a wrong response,
        which disqualifies the contender (a broken contender must not look fast).
    :param scale: seconds to the scenario's unit (1e6 for microseconds).
    """

    def __init__(
        self,
        work: Callable[[], Any],
        check: Callable[[Any], bool] | None = None,
        *,
        repeat: int = 1,
        per: int = 1,
        scale: float = 1e6,
    ) -> None:
        self.work = work
        self.check = check
        self.repeat = repeat
        self.per = per
        self.scale = scale
        self.extras: dict[str, Any] = {}

    def warm(self) -> None:
        result = self.work()
        if self.check is not None and not self.check(result):
            raise WrongResult(f"unexpected response: {_brief(result)}")

    def measure(self) -> float:
        work = self.work
        gc.collect()
        start = time.perf_counter()
        for _ in range(self.repeat):
            work()
        elapsed = time.perf_counter() - start
        return elapsed / self.per * self.scale


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass
class Contender:
    """A named way to do the scenario's work; ``build`` may raise Unavailable."""

    name: str
    build: Callable[[], Any]
    note: str = ""


@dataclass
class Target:
    """What asyncbatch must reach: a ratio to ``reference`` at most ``bound``, or,
    without a reference, an efficiency (ideal time over actual) at least ``bound``.
    """

    contender: str
    bound: float
    reference: str | None = None

    @property
    def text(self) -> str:
        if self.reference is None:
            return f">= {self.bound:g} ideal/actual"
        return f"<= {self.bound:g}x {self.reference}"


@dataclass
class Scenario:
    """One scenario of issue 7 with its contenders, references and targets.

    :ivar unit: the unit of every sample, e.g. ``"us/record"``.
    :ivar references: the contenders every row's ratio is computed against.
    :ivar ideal: for the I/O-bound scenarios, the ideal time in ``unit``; rows then
        also report the efficiency, ideal over actual.
    :ivar max_rounds: a cap on the rounds, for costly samples that hardly vary.
    """

    key: str
    slug: str
    title: str
    unit: str
    contenders: list[Contender]
    references: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ideal: float | None = None
    max_rounds: int | None = None


@dataclass
class Row:
    """What one contender produced in one scenario."""

    name: str
    samples: list[float] = field(default_factory=list)
    #: The round each sample was taken in, to pair it with other rows' samples.
    rounds: list[int] = field(default_factory=list)
    status: str = "ok"
    reason: str = ""
    note: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


def paired_ratio(row: Row, reference: Row) -> float | None:
    """The median over rounds of ``row``'s sample over ``reference``'s sample.

    Both samples of a pair come from the same round, minutes apart at most, so a
    spell of load from elsewhere on the machine slows both and cancels out of the
    ratio; a ratio of medians taken over different rounds keeps more of it.
    """
    theirs = dict(zip(reference.rounds, reference.samples, strict=True))
    ratios = [
        value / theirs[index]
        for index, value in zip(row.rounds, row.samples, strict=True)
        if theirs.get(index)
    ]
    return statistics.median(ratios) if ratios else None


def run_scenario(
    scenario: Scenario, rounds: int, log: Callable[[str], None]
) -> list[Row]:
    """Warm up and measure every contender of ``scenario`` over ``rounds`` rounds."""
    rows = {c.name: Row(c.name, note=c.note) for c in scenario.contenders}
    measurers: dict[str, Any] = {}
    for contender in scenario.contenders:
        row = rows[contender.name]
        try:
            measurer = contender.build()
            measurer.warm()
        except Unavailable as exc:
            row.status, row.reason = "unavailable", str(exc)
        except Exception as exc:  # noqa: BLE001  (one broken row must not end the run)
            row.status, row.reason = "error", _failure(exc)
        else:
            measurers[contender.name] = measurer
        if row.status != "ok":
            log(f"  {contender.name}: {row.status}: {row.reason}")

    names = list(measurers)
    for round_index in range(rounds):
        shift = round_index % len(names) if names else 0
        for name in names[shift:] + names[:shift]:
            row = rows[name]
            if row.status != "ok":
                continue
            try:
                row.samples.append(measurers[name].measure())
                row.rounds.append(round_index)
            except Exception as exc:  # noqa: BLE001  (as in the warm-up)
                row.status, row.reason = "error", _failure(exc)
                log(f"  {name}: error: {row.reason}")
        log(f"  round {round_index + 1}/{rounds} done")

    for name, measurer in measurers.items():
        rows[name].extras.update(measurer.extras)
    return list(rows.values())


def _failure(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)
    last = f" at {where[-1].filename}:{where[-1].lineno}" if where else ""
    return f"{type(exc).__name__}: {exc}{last}"
