"""Turning rows into the JSON document and the plain-text (or Markdown) table."""

from __future__ import annotations

import platform
import sys
from typing import Any

from benchmarks._harness import Row, Scenario, paired_ratio


def _versions() -> dict[str, str]:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    names = ("asyncbatch", "aws-lambda-powertools", "aiometer", "anyio", "pydantic")
    return {name: version(name) for name in names}


def meta(rounds: int, quick: bool, date: str) -> dict[str, Any]:
    import os

    return {
        "date": date,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "rounds": rounds,
        "quick": quick,
        "versions": _versions(),
        "command": " ".join(["python -m benchmarks", *_options(sys.argv[1:])]),
    }


def _options(argv: list[str]) -> list[str]:
    """The command-line options that shape the figures (not where they are written)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--json", "--markdown"):
            skip = True
        elif not arg.startswith(("--json=", "--markdown=")):
            kept.append(arg)
    return kept


def summarize(scenario: Scenario, rows: list[Row], rounds: int) -> dict[str, Any]:
    """The JSON form of one scenario: rows with stats, ratios and targets."""
    medians = {row.name: row.median for row in rows if row.status == "ok"}
    measured = {row.name: row for row in rows if row.status == "ok"}
    out_rows = []
    for row in rows:
        median = row.median if row.status == "ok" else None
        entry: dict[str, Any] = {
            "contender": row.name,
            "status": row.status,
            "reason": row.reason,
            "note": row.note,
            "median": median,
            "min": min(row.samples) if median is not None else None,
            "max": max(row.samples) if median is not None else None,
            "samples": row.samples,
            "rounds": row.rounds,
            # What the table shows and the targets use: ratios paired by round.
            "ratios": {
                ref: paired_ratio(row, measured[ref])
                if median is not None and ref in measured
                else None
                for ref in scenario.references
                if ref != row.name
            },
            "ratios_of_medians": {
                ref: _ratio(median, medians.get(ref))
                for ref in scenario.references
                if ref != row.name
            },
        }
        if scenario.ideal is not None and median is not None:
            entry["efficiency"] = scenario.ideal / median
            entry["efficiency_range"] = [
                scenario.ideal / max(row.samples),
                scenario.ideal / min(row.samples),
            ]
        if row.extras:
            entry["extras"] = row.extras
        out_rows.append(entry)

    targets = []
    by_name = {entry["contender"]: entry for entry in out_rows}
    for target in scenario.targets:
        entry = by_name.get(target.contender, {})
        if target.reference is None:
            value = entry.get("efficiency")
            met = None if value is None else value >= target.bound
        else:
            value = entry.get("ratios", {}).get(target.reference)
            met = None if value is None else value <= target.bound
        targets.append(
            {
                "contender": target.contender,
                "target": target.text,
                "reference": target.reference,
                "bound": target.bound,
                "value": value,
                "met": met,
            }
        )

    return {
        "key": scenario.key,
        "slug": scenario.slug,
        "title": scenario.title,
        "unit": scenario.unit,
        "rounds": rounds,
        "ideal": scenario.ideal,
        "references": scenario.references,
        "notes": scenario.notes,
        "rows": out_rows,
        "targets": targets,
    }


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return value / reference


def number(value: float | None) -> str:
    """A figure with about three significant digits, never in exponent form."""
    if value is None:
        return "-"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _target_cell(entry: dict[str, Any], targets: list[dict[str, Any]]) -> str:
    cells = []
    for target in targets:
        if target["contender"] != entry["contender"]:
            continue
        if target["met"] is None:
            verdict = "n/a"
        else:
            # Three significant digits, so that a figure at the bound (0.703 for
            # "<= 0.7") does not print as the bound itself.
            shown = f"{target['value']:.3g}"
            shown += "" if target["reference"] is None else "x"
            verdict = f"{'met' if target['met'] else 'NOT MET'} ({shown})"
        cells.append(f"{target['target']}: {verdict}")
    return "; ".join(cells)


def _table(summary: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["contender", "median", "min to max"]
    efficiency = summary["ideal"] is not None
    if efficiency:
        header.append("ideal/actual")
    header += [f"vs {ref}" for ref in summary["references"]]
    header.append("target")

    body = []
    for entry in summary["rows"]:
        if entry["status"] != "ok":
            cells = [entry["contender"], entry["status"], "(see below)"]
            cells += [""] * (len(header) - len(cells))
            body.append(cells)
            continue

        cells = [
            entry["contender"],
            number(entry["median"]),
            f"{number(entry['min'])} to {number(entry['max'])}",
        ]
        if efficiency:
            cells.append(number(entry["efficiency"]))
        for ref in summary["references"]:
            ratio = entry["ratios"].get(ref)
            if ref == entry["contender"]:
                cells.append("")
            else:
                cells.append("-" if ratio is None else number(ratio) + "x")
        cells.append(_target_cell(entry, summary["targets"]))
        body.append(cells)
    return header, body


def _footnotes(summary: dict[str, Any]) -> list[str]:
    lines = [f"note: {note}" for note in summary["notes"]]
    for entry in summary["rows"]:
        if entry["status"] != "ok":
            lines.append(f"{entry['contender']}: {entry['status']}: {entry['reason']}")
        if entry["note"]:
            lines.append(f"{entry['contender']}: {entry['note']}")
        loaded = entry.get("extras", {}).get("loaded")
        if loaded is not None:
            modules = ", ".join(loaded) or "none of them"
            lines.append(f"{entry['contender']} loaded: {modules}")
    return lines


def text(document: dict[str, Any]) -> str:
    """The plain-text report printed at the end of a run."""
    info = document["meta"]
    lines = [
        f"asyncbatch benchmarks, {info['date']}, Python {info['python']}, "
        f"{info['cpus']} CPUs, {info['rounds']} rounds"
        + (" (QUICK: sizes too small to mean anything)" if info["quick"] else ""),
    ]
    for summary in document["scenarios"]:
        header, body = _table(summary)
        widths = [
            max(len(row[i]) for row in [header, *body]) for i in range(len(header))
        ]
        lines += [
            "",
            f"[{summary['key']}] {summary['title']}",
            f"    {summary['unit']}, median of {summary['rounds']} rounds, "
            "ratios paired by round"
            + (
                f"; ideal {number(summary['ideal'])} {summary['unit']}"
                if summary["ideal"] is not None
                else ""
            ),
        ]
        for row in [header, *body]:
            padded = [
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ]
            lines.append("  " + "  ".join(padded).rstrip())
        lines += [f"    {line}" for line in _footnotes(summary)]

    lines += ["", _verdict(document)]
    return "\n".join(lines)


def _verdict(document: dict[str, Any]) -> str:
    targets = [t for s in document["scenarios"] for t in s["targets"]]
    met = sum(1 for t in targets if t["met"])
    missed = [t for t in targets if t["met"] is False]
    unknown = sum(1 for t in targets if t["met"] is None)
    line = f"targets: {met} of {len(targets)} met"
    if missed:
        line += ", not met: " + ", ".join(
            f"{t['contender']} {t['target']}" for t in missed
        )
    if unknown:
        line += f", {unknown} not measured"
    return line


def markdown(document: dict[str, Any]) -> str:
    """The same report as Markdown tables, for docs/benchmarks.md."""
    info = document["meta"]
    lines = [
        (
            f"Run of {info['date']}: Python {info['python']} on {info['platform']}, "
            f"{info['cpus']} CPUs, {info['rounds']} interleaved rounds "
            f"(`{info['command']}`)."
        ),
    ]
    for summary in document["scenarios"]:
        header, body = _table(summary)
        lines += [
            "",
            f"**{summary['key']}. {summary['title']}** "
            f"({summary['unit']}, median of {summary['rounds']} rounds"
            + (
                f", ideal {number(summary['ideal'])} {summary['unit']})"
                if summary["ideal"] is not None
                else ")"
            ),
            "",
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---" for _ in header) + "|",
        ]
        lines += [
            "| " + " | ".join(cell.replace("|", "/") for cell in row) + " |"
            for row in body
        ]
        footnotes = _footnotes(summary)
        if footnotes:
            lines.append("")
            lines += [f"- {line}" for line in footnotes]
    lines += ["", _verdict(document) + "."]
    return "\n".join(lines) + "\n"
