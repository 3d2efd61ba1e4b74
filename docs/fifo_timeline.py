"""Draw one FIFO batch over time, from a real run: ``docs/fifo-timeline.svg``.

Ten records in four message groups run through an async handler that notes when
each record's handler started and ended. The plan of each record (succeed after a
pause, raise, hang) is in its body. The picture shows, per record, when its
handler ran and what its outcome was, with the soft deadline as a line.

    python docs/fifo_timeline.py [OUTPUT]      # default: docs/fifo-timeline.svg

The batch takes about two seconds. The SVG is written by hand, with no plotting
library, so the script needs asyncbatch alone.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import asyncbatch
from asyncbatch.testing import FakeLambdaContext, sqs_fifo_event

MAX_CONCURRENCY = 3
RECORD_TIMEOUT = 0.8
REMAINING = 2.5  # what Lambda's context says is left when the batch starts
DEADLINE_MARGIN = 1.0  # so the soft deadline comes 1.5 s into the batch

# (name, message group, what its handler does, seconds), in batch order.
PLAN = [
    ("a1", "a", "sleep", 0.3),
    ("b1", "b", "hang", 5.0),
    ("c1", "c", "sleep", 0.5),
    ("d1", "d", "sleep", 0.35),
    ("a2", "a", "raise", 0.1),
    ("b2", "b", "sleep", 0.1),
    ("c2", "c", "sleep", 0.4),
    ("a3", "a", "sleep", 0.1),
    ("c3", "c", "hang", 5.0),
    ("c4", "c", "sleep", 0.1),
]

OUTPUT = Path(__file__).resolve().parent / "fifo-timeline.svg"


@dataclass
class Row:
    """One record: its plan, when its handler ran, and its outcome."""

    name: str
    group: str
    outcome: asyncbatch.RecordOutcome
    span: tuple[float, float] | None  # handler start and end, seconds from t0


@dataclass
class Run:
    rows: list[Row]
    deadline: float  # the soft deadline, seconds from t0
    timeout_at: dict[int, float]  # when a record timed out, by index


def run_batch() -> Run:
    """Run the planned batch once and return what happened, on one clock."""
    event = sqs_fifo_event(
        [(group, {"name": name, "do": do, "seconds": s}) for name, group, do, s in PLAN]
    )
    spans: dict[str, tuple[float, float]] = {}

    async def record_handler(record: asyncbatch.SqsRecord) -> None:
        step = record.json_body
        started = time.monotonic() - t0
        try:
            await asyncio.sleep(step["seconds"])
            if step["do"] == "raise":
                raise ValueError(f"{step['name']} cannot be applied")
        finally:
            # Also when asyncbatch cancels the handler (timeout, deadline).
            spans[step["name"]] = (started, time.monotonic() - t0)

    processor = asyncbatch.BatchProcessor(
        max_concurrency=MAX_CONCURRENCY,
        record_timeout=RECORD_TIMEOUT,
        deadline_margin=DEADLINE_MARGIN,
    )
    # Warm up first, as a warm Lambda process is: the first batch of a process
    # also loads the typed records and makes the event loop.
    processor.process(sqs_fifo_event([("warm", "{}")]), _warm_up)

    # The context fixes Lambda's deadline when it is made: t0 is that moment.
    t0 = time.monotonic()
    context = FakeLambdaContext(remaining=REMAINING)
    result = processor.process(event, record_handler, context=context)

    rows = [
        Row(name, group, outcome, spans.get(name))
        for (name, group, _, _), outcome in zip(PLAN, result.outcomes, strict=True)
    ]
    timeout_at = {
        row.outcome.index: row.span[0] + RECORD_TIMEOUT
        for row in rows
        if row.span is not None
        and isinstance(row.outcome.exception, asyncbatch.RecordTimeoutError)
    }
    return Run(rows, REMAINING - DEADLINE_MARGIN, timeout_at)


async def _warm_up(record: asyncbatch.SqsRecord) -> None:
    return None


# -- drawing ---------------------------------------------------------------------

WIDTH = 930
LEFT = 150  # where the time axis starts
RIGHT = 590  # where it ends; the outcome texts go to the right of it
TOP = 64
ROW = 30
SECONDS = 2.0  # the axis runs from 0 to this

GROUP_COLOURS = {"a": "#1f77b4", "b": "#9467bd", "c": "#2ca02c", "d": "#8c564b"}
OUTCOME_COLOURS = {
    "ok": "#a5d6a7",
    "raised": "#ef9a9a",
    "timed out": "#ffcc80",
    "deadline": "#b0bec5",
}


def describe(row: Row, rows: list[Row]) -> tuple[str, str]:
    """The outcome's kind (for the colour) and the text shown beside the row."""
    exc = row.outcome.exception
    if exc is None:
        return "ok", "succeeded"
    if isinstance(exc, asyncbatch.RecordTimeoutError):
        return "timed out", f"RecordTimeoutError: ran past {exc.timeout:g} s"
    if isinstance(exc, asyncbatch.RecordSkippedError):
        failed = rows[exc.failed_index].name
        return "skipped", f"RecordSkippedError: {failed} failed ({exc.reason})"
    if isinstance(exc, asyncbatch.DeadlineExceededError):
        if exc.started:
            return "deadline", "DeadlineExceededError: cancelled while running"
        return "deadline", "DeadlineExceededError: never started"
    return "raised", f"{type(exc).__name__}: the handler raised"


def render(run: Run) -> str:
    """The picture as SVG text."""
    height = TOP + ROW * len(run.rows) + 70
    bottom = TOP + ROW * len(run.rows)

    def x(seconds: float) -> float:
        return round(LEFT + (RIGHT - LEFT) * min(seconds, SECONDS) / SECONDS, 1)

    title = "One SQS FIFO batch over time: ten records in message groups a to d"
    options = (
        f"max_concurrency={MAX_CONCURRENCY}, record_timeout={RECORD_TIMEOUT:g} s, "
        f"soft deadline {run.deadline:g} s into the batch. "
        "A bar is a record handler running."
    )
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
            f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
            'font-family="sans-serif" font-size="12">'
        ),
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{title}</text>',
        f'<text x="10" y="38" fill="#555">{options}</text>',
    ]

    tick = 0.0
    while tick <= SECONDS + 1e-9:
        parts.append(
            f'<line x1="{x(tick)}" y1="{TOP - 8}" x2="{x(tick)}" y2="{bottom}" '
            'stroke="#e0e0e0"/>'
            f'<text x="{x(tick)}" y="{bottom + 16}" text-anchor="middle" '
            f'fill="#555">{tick:g} s</text>'
        )
        tick += 0.25

    failed_at = {}  # when each failure that skipped others was settled
    for row in run.rows:
        index = row.outcome.index
        if index in run.timeout_at:
            failed_at[index] = run.timeout_at[index]
        elif row.span is not None:
            failed_at[index] = row.span[1]

    for position, row in enumerate(run.rows):
        y = TOP + ROW * position
        middle = y + ROW / 2
        kind, text = describe(row, run.rows)
        parts.append(
            f'<rect x="10" y="{y + 7}" width="14" height="14" '
            f'fill="{GROUP_COLOURS[row.group]}"/>'
            f'<text x="30" y="{middle + 4}">{row.outcome.index}: {row.name} '
            f'<tspan fill="#777">(group {row.group})</tspan></text>'
        )
        if row.span is not None:
            start, end = row.span
            parts.append(
                f'<rect x="{x(start)}" y="{y + 6}" '
                f'width="{max(x(end) - x(start), 2)}" height="{ROW - 12}" '
                f'fill="{OUTCOME_COLOURS[kind]}" stroke="#555"/>'
            )
        else:
            exc = row.outcome.exception
            if isinstance(exc, asyncbatch.RecordSkippedError):
                when = failed_at.get(exc.failed_index, 0.0)
            else:
                when = run.deadline
            parts.append(
                f'<circle cx="{x(when)}" cy="{middle}" r="4" fill="white" '
                'stroke="#555"/>'
            )
        parts.append(
            f'<text class="outcome" x="{RIGHT + 12}" y="{middle + 4}">'
            f"{escape(text)}</text>"
        )

    parts.append(
        f'<line x1="{x(run.deadline)}" y1="{TOP - 12}" x2="{x(run.deadline)}" '
        f'y2="{bottom}" stroke="#c62828" stroke-width="2" stroke-dasharray="6,4"/>'
        f'<text x="{x(run.deadline)}" y="{TOP - 16}" text-anchor="middle" '
        'fill="#c62828">soft deadline</text>'
    )

    legend_y = bottom + 40
    legend = [
        ("ok", "succeeded"),
        ("raised", "raised"),
        ("timed out", "timed out"),
        ("deadline", "cut by the deadline"),
    ]
    lx = 10
    for kind, label in legend:
        parts.append(
            f'<rect x="{lx}" y="{legend_y - 10}" width="14" height="12" '
            f'fill="{OUTCOME_COLOURS[kind]}" stroke="#555"/>'
            f'<text x="{lx + 20}" y="{legend_y}">{label}</text>'
        )
        lx += 40 + 7 * len(label)
    parts.append(
        f'<circle cx="{lx + 7}" cy="{legend_y - 4}" r="4" fill="white" stroke="#555"/>'
        f'<text x="{lx + 18}" y="{legend_y}">never started (settled at that '
        "moment)</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else OUTPUT
    output.write_text(render(run_batch()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
