"""``python -m benchmarks``: run the scenarios of issue 7 and report them.

Progress goes to stderr, the table to stdout, the JSON document to ``--json``.
The exit status is 1 when a contender broke (an error row), not when a target is
missed: the benchmark reports, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import _contenders, _report, _scenarios
from benchmarks._harness import run_scenario

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Benchmark asyncbatch beside Powertools, asyncio, anyio, aiometer, "
            "a for loop and a thread pool, in one process, interleaving the "
            "contenders round by round."
        ),
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and 2 rounds: checks that everything runs (CI)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved rounds per scenario (default 9, 2 with --quick); "
        "the memory scenario runs at most 3",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="SCENARIO",
        help="run only this scenario, by number or name (repeatable), "
        "e.g. --only 1 --only cold-start",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="PATH",
        help=f"where to write the JSON results (default {DEFAULT_JSON})",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        metavar="PATH",
        help="also write the tables as Markdown (for docs/benchmarks.md)",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the scenarios and exit"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    sizes = _scenarios.QUICK if args.quick else _scenarios.DEFAULT
    rounds = args.rounds if args.rounds is not None else (2 if args.quick else 9)
    if rounds < 1:
        _parser().error(f"--rounds must be at least 1, not {rounds}")

    scenarios = [make(sizes) for make in _scenarios.SCENARIOS]
    if args.list:
        for scenario in scenarios:
            print(f"{scenario.key:>3}  {scenario.slug:<15} {scenario.title}")
        return 0

    if args.only:
        wanted = set(args.only)
        known = {s.key for s in scenarios} | {s.slug for s in scenarios}
        unknown = sorted(wanted - known)
        if unknown:
            _parser().error(
                f"--only: unknown scenario {', '.join(unknown)}; "
                "see --list for the numbers and names"
            )
        scenarios = [s for s in scenarios if s.key in wanted or s.slug in wanted]

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    summaries = []
    try:
        # Popping each scenario lets its batch go once it is measured, so that the
        # next scenario runs with only its own records alive.
        scenarios.reverse()
        while scenarios:
            scenario = scenarios.pop()
            scenario_rounds = min(rounds, scenario.max_rounds or rounds)
            log(f"[{scenario.key}] {scenario.title}")
            rows = run_scenario(scenario, scenario_rounds, log)
            summaries.append(_report.summarize(scenario, rows, scenario_rounds))
            del scenario, rows
    finally:
        _contenders.close()

    document = {
        "meta": _report.meta(rounds, args.quick, date),
        "scenarios": summaries,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    if args.markdown is not None:
        args.markdown.write_text(_report.markdown(document))

    print(_report.text(document))
    log(f"JSON written to {args.json}")
    broken = [
        row["contender"]
        for summary in summaries
        for row in summary["rows"]
        if row["status"] == "error"
    ]
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
