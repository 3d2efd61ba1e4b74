#!/usr/bin/env bash
# Set up everything on a fresh machine and run every gate: lint, the tests on
# Python 3.10 to 3.13, and the documentation build.
#
#   bash scripts/check.sh                 every session
#   bash scripts/check.sh -s tests-3.11   one session (any nox arguments work)
#   bash scripts/check.sh -l              list the sessions
#
# Exits non-zero when any session fails, when an interpreter is missing, or when
# pytest collected no test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

NOX_VERSION="2026.10.20"
TOOLS_VENV=".venv-tools"
SUPPORTED_PYTHONS=(3.10 3.11 3.12 3.13)

# Under pyenv, `python3.10` and friends are shims that fail unless their version
# is selected. Select the newest installed patch release of each supported
# version, after whatever is selected already, so `python3` keeps meaning what it
# meant. Where the interpreters are plain executables, nothing needs doing.
if command -v pyenv >/dev/null 2>&1; then
    selected="${PYENV_VERSION:-$(pyenv version-name 2>/dev/null || true)}"
    installed="$(pyenv versions --bare --skip-aliases 2>/dev/null \
        || pyenv versions --bare)"

    for minor in "${SUPPORTED_PYTHONS[@]}"; do
        newest="$(grep -E "^${minor//./\\.}\.[0-9]+$" <<<"$installed" \
            | sort -V | tail -n 1 || true)"
        if [[ -n "$newest" ]]; then
            selected="${selected:+$selected:}$newest"
        fi
    done

    export PYENV_VERSION="$selected"
fi

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
    echo "check.sh: python3 must be Python 3.9 or newer to run nox" >&2
    exit 1
fi

# The tools venv holds only nox, pinned; it is remade when the pin changes.
if [[ "$("$TOOLS_VENV/bin/nox" --version 2>&1 || true)" != "$NOX_VERSION" ]]; then
    rm -rf "$TOOLS_VENV"
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/python" -m pip install --quiet "nox==$NOX_VERSION"
fi

exec "$TOOLS_VENV/bin/nox" --error-on-missing-interpreters "$@"
