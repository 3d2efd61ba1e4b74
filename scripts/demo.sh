#!/usr/bin/env bash
# Install asyncbatch into .venv (made if missing) and run the bundled demo: a
# generated SQS batch through a handler that simulates I/O and fails a few records.
#
#   bash scripts/demo.sh            extra arguments go to `asyncbatch demo`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -x .venv/bin/python ]]; then
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        echo "demo.sh: asyncbatch needs Python 3.10 or newer as python3" >&2
        exit 1
    fi

    python3 -m venv .venv
fi

.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/asyncbatch demo "$@"
