"""The benchmark harness still runs end to end (issue 7); no figure is checked.

The harness runs at its tiny ``--quick`` size in a fresh interpreter, as a user
runs it from the repository root: it spawns processes of its own, sets Powertools'
Lambda mode and an event loop for the main thread, and none of that may touch the
test process. Timings on a shared CI machine mean nothing, so the test checks only
that every scenario produced every row, that the JSON is whole, and that the chart
script reads it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The bench extra's peers; without them the harness has nothing to compare with.
pytest.importorskip(
    "aws_lambda_powertools",
    reason="the bench extra is not installed (pip install -e '.[bench]')",
)
pytest.importorskip(
    "aiometer", reason="the bench extra is not installed (pip install -e '.[bench]')"
)

# The quick run takes seconds here; the margin is for a slow shared CI machine.
pytestmark = pytest.mark.timeout(420)

SCENARIOS = ["1", "2", "3", "4", "5", "6", "7", "8", "8i"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("LAMBDA_TASK_ROOT", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    json_path, markdown_path = out / "latest.json", out / "table.md"
    done = _run(
        "-m",
        "benchmarks",
        "--quick",
        "--json",
        str(json_path),
        "--markdown",
        str(markdown_path),
    )
    return {
        "done": done,
        "json_path": json_path,
        "markdown": markdown_path.read_text() if markdown_path.exists() else "",
        "out": out,
    }


def test_quick_run_succeeds(quick_run: dict[str, Any]) -> None:
    """``python -m benchmarks --quick`` exits 0: no contender broke."""
    done = quick_run["done"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _document(quick_run: dict[str, Any]) -> dict[str, Any]:
    path = quick_run["json_path"]
    assert path.exists(), quick_run["done"].stderr[-3000:]
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def test_every_scenario_has_every_row(quick_run: dict[str, Any]) -> None:
    """Every scenario is in the JSON, and each row has samples or says why not."""
    document = _document(quick_run)
    assert [s["key"] for s in document["scenarios"]] == SCENARIOS

    import asyncbatch

    runtime_ready = hasattr(asyncbatch, "BatchProcessor")
    for scenario in document["scenarios"]:
        assert scenario["rows"], scenario["key"]
        assert scenario["unit"]
        for row in scenario["rows"]:
            where = f"[{scenario['key']}] {row['contender']}"
            if row["status"] == "unavailable":
                # Only asyncbatch may be missing, and only before its runtime exists.
                assert not runtime_ready, where
                assert row["contender"].startswith("asyncbatch"), where
                continue
            assert row["status"] == "ok", f"{where}: {row['reason']}"
            assert row["samples"], where
            assert row["min"] <= row["median"] <= row["max"], where


def test_targets_and_ratios_are_reported(quick_run: dict[str, Any]) -> None:
    """Each target of issue 7 has a row, a value and a verdict when measured."""
    document = _document(quick_run)
    targets = [t for s in document["scenarios"] for t in s["targets"]]
    assert len(targets) == 16
    for target in targets:
        assert target["target"]
        if target["value"] is not None:
            assert isinstance(target["met"], bool)

    for scenario in document["scenarios"]:
        for row in scenario["rows"]:
            if row["status"] == "ok":
                assert set(row["ratios"]) <= set(scenario["references"])


def test_table_and_markdown_name_every_scenario(quick_run: dict[str, Any]) -> None:
    """The printed table and the Markdown both carry every scenario's heading."""
    stdout, markdown = quick_run["done"].stdout, quick_run["markdown"]
    for key in SCENARIOS:
        assert f"[{key}] " in stdout
        assert f"**{key}. " in markdown
    assert "targets:" in stdout


def test_chart_script_writes_svg(quick_run: dict[str, Any]) -> None:
    """``benchmarks/chart.py`` turns the JSON into a well-formed SVG."""
    svg = quick_run["out"] / "chart.svg"
    done = _run(
        "-m", "benchmarks.chart", str(quick_run["json_path"]), "--output", str(svg)
    )
    assert done.returncode == 0, done.stderr[-3000:]
    root = ET.fromstring(svg.read_text())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_unknown_scenario_is_refused() -> None:
    """``--only`` with a name no scenario has fails and points at ``--list``."""
    done = _run("-m", "benchmarks", "--only", "nonsense", "--quick")
    assert done.returncode == 2
    assert "--list" in done.stderr
