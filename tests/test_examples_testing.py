"""The testing docs example, examples/test_my_handler.py, run as users run it."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "test_my_handler.py"


def test_example_uses_only_the_public_api() -> None:
    """The example imports asyncbatch and asyncbatch.testing, and public names only."""
    tree = ast.parse(EXAMPLE.read_text())

    import asyncbatch.testing

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith("asyncbatch._"), alias.name
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "asyncbatch"
        ):
            assert node.module == "asyncbatch.testing", node.module
            for alias in node.names:
                assert alias.name in asyncbatch.testing.__all__, alias.name
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "asyncbatch"
        ):
            assert node.attr in asyncbatch.__all__, node.attr


def test_example_passes_under_pytest() -> None:
    """Every test in the example passes, under the project's own pytest settings."""
    # A separate interpreter: the example is a user's test module with its own
    # fixtures and module state, run the way a user runs it.
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(EXAMPLE),
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(ROOT),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = completed.stdout + completed.stderr

    assert completed.returncode == 0, report
    tests = len(re.findall(r"^(?:async )?def test_", EXAMPLE.read_text(), re.MULTILINE))
    assert re.search(rf"\b{tests} passed\b", completed.stdout), report
    assert "skipped" not in completed.stdout, report
