"""``python -m asyncbatch``: the same as the ``asyncbatch`` command."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
