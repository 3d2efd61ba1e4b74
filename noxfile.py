"""Every gate of the project, one nox session each.

Run them all with ``bash scripts/check.sh`` (it installs nox first), or one with
``bash scripts/check.sh -s tests-3.11``. Sessions use nox's default virtualenv
backend with plain pip, so pip's own wheel cache is shared by all of them.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "docs", "tests"]
nox.options.error_on_missing_interpreters = True

# Reusing a session's virtualenv keeps repeated local runs quick; `pip install`
# still runs every time, so a changed dependency is picked up. CI starts from a
# fresh clone, where nothing is reused.
nox.options.reuse_venv = "yes"

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
TOOLS_PYTHON = "3.12"


@nox.session(python=TOOLS_PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff (lint and format) over the repository, mypy strict on the package."""
    # uvloop is installed for its type information: the loop module names it.
    session.install("-e", ".[lint,uvloop]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "asyncbatch")


@nox.session(python=TOOLS_PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site; any warning fails the build."""
    # ruff (from the lint extra) lets mkdocstrings format the signatures it shows.
    session.install("-e", ".[docs,lint]")

    # mkdocs-material prints a banner about its successor on every build; it is
    # not a warning of the build and only buries the real output.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=env)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite on one interpreter.

    pytest exits 5 when it collected no test; nox counts every exit code but 0 as
    a failure, so a run that tested nothing can never pass.
    """
    session.install("-e", ".[test,bench]")
    session.run("pytest", *session.posargs)
