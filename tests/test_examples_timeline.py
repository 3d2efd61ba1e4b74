"""The picture of one FIFO batch over time (docs/fifo_timeline.py) still draws."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

DOCS = Path(__file__).resolve().parents[1] / "docs"
SVG = "{http://www.w3.org/2000/svg}"

# What the page says about the picture, row by row: the outcome of each record.
OUTCOMES = [
    "succeeded",
    "RecordTimeoutError: ran past 0.8 s",
    "succeeded",
    "succeeded",
    "ValueError: the handler raised",
    "RecordSkippedError: b1 failed (ordering key)",
    "succeeded",
    "RecordSkippedError: a2 failed (ordering key)",
    "DeadlineExceededError: cancelled while running",
    "DeadlineExceededError: never started",
]


def load_script() -> ModuleType:
    path = DOCS / "fifo_timeline.py"
    spec = importlib.util.spec_from_file_location("_docs_fifo_timeline", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def outcome_texts(svg: Path) -> list[str]:
    """The texts beside the rows, top to bottom."""
    root = ET.parse(svg).getroot()
    return [
        "".join(text.itertext())
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "outcome"
    ]


def test_the_script_runs_a_batch_and_draws_it(tmp_path: Path) -> None:
    """A real run gives every record the outcome that the page explains."""
    script = load_script()
    output = tmp_path / "timeline.svg"

    assert script.main([str(output)]) == 0

    assert outcome_texts(output) == OUTCOMES


def test_the_committed_picture_tells_the_same_story() -> None:
    """docs/fifo-timeline.svg was made by the script as it is now."""
    assert outcome_texts(DOCS / "fifo-timeline.svg") == OUTCOMES
