"""Draw the targets of a benchmark run as an SVG bar chart, with no plotting library.

``python -m benchmarks.chart [RESULTS.json] [--output PATH]`` (defaults: the latest
results, ``docs/benchmarks-targets.svg``). One bar per target, its length the share
of the target used: the ratio over its bound for "at most" targets, the bound over
the efficiency for "at least" ones. So every bar is met when it ends left of the
line at 1, whatever the target's kind.
"""

from __future__ import annotations

import argparse
import json
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks-targets.svg"

LABEL_WIDTH = 400
PLOT_WIDTH = 360
ROW = 26
TOP = 56
SCALE_MAX = 3.0  # bars longer than three times their target are cut and marked
MET, MISSED, GRID = "#2e7d32", "#c62828", "#9e9e9e"


def share(target: dict[str, Any]) -> float | None:
    """How much of its target a measurement used; at most 1 means met."""
    value = target["value"]
    if value is None:
        return None
    if target["reference"] is None:
        return target["bound"] / value if value > 0 else float("inf")
    return value / target["bound"]


def _shown(target: dict[str, Any]) -> str:
    value = target["value"]
    if value is None:
        return "not measured"
    suffix = "" if target["reference"] is None else "x"
    verdict = "met" if target["met"] else "not met"
    return f"{value:.3g}{suffix}, {verdict}"


def render(document: dict[str, Any]) -> str:
    """The SVG text for the targets of ``document``."""
    targets = [
        (scenario["key"], target)
        for scenario in document["scenarios"]
        for target in scenario["targets"]
    ]
    width = LABEL_WIDTH + PLOT_WIDTH + 150
    height = TOP + ROW * len(targets) + 30
    x0 = LABEL_WIDTH

    def x(value: float) -> float:
        return x0 + PLOT_WIDTH * min(value, SCALE_MAX) / SCALE_MAX

    info = document["meta"]
    title = (
        f"asyncbatch against its targets: {info['date']}, Python {info['python']}, "
        f"{info['cpus']} CPUs"
    )
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            'font-family="sans-serif" font-size="12">'
        ),
        f'<rect width="{width}" height="{height}" fill="white"/>',
        (
            f'<text x="10" y="20" font-size="14" font-weight="bold">'
            f"{escape(title)}</text>"
        ),
        (
            f'<text x="10" y="38" fill="#555">Bar: share of the target used '
            f"(at most 1 is met; cut at {SCALE_MAX:g})</text>"
        ),
    ]
    for tick in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        dash = "" if tick == 1.0 else ' stroke-dasharray="2,3"'
        colour = "#000" if tick == 1.0 else GRID
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{TOP - 6}" x2="{x(tick):.1f}" '
            f'y2="{height - 24}" stroke="{colour}"{dash}/>'
        )
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 10}" text-anchor="middle" '
            f'fill="#555">{tick:g}</text>'
        )

    parts.append(f'<text x="{x(1.0) + 4:.1f}" y="{TOP - 8}" fill="#000">target</text>')
    for row, (key, target) in enumerate(targets):
        y = TOP + row * ROW
        label = f"{key}. {target['contender']} {target['target']}"
        parts.append(
            f'<text x="{x0 - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
        )
        used = share(target)
        if used is not None:
            colour = MET if target["met"] else MISSED
            parts.append(
                f'<rect x="{x0}" y="{y + 3}" width="{x(used) - x0:.1f}" '
                f'height="{ROW - 8}" fill="{colour}" fill-opacity="0.8"/>'
            )
            if used > SCALE_MAX:
                parts.append(
                    f'<text x="{x(SCALE_MAX) - 4:.1f}" y="{y + 14}" '
                    'text-anchor="end" fill="white">&#187;</text>'
                )
        parts.append(
            f'<text x="{x0 + PLOT_WIDTH + 8}" y="{y + 14}">'
            f"{escape(_shown(target))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chart")
    parser.add_argument("results", nargs="?", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    document = json.loads(args.results.read_text())
    args.output.write_text(render(document))
    print(f"chart written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
