"""A build hook for the documentation site, named in ``mkdocs.yml``.

Docstrings use Sphinx roles (``:class:`BatchProcessingError```), which mkdocstrings
renders as the literal role followed by the code. This hook turns each of them into
an optional cross-reference: a link when the name is documented on the site (tried
as ``asyncbatch.<name>`` unless it is dotted already), plain code otherwise.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(
    r":(?:class|meth|func|attr|exc|data|obj|mod|const):<code>([\w.]+)</code>"
)


def _reference(match: re.Match[str]) -> str:
    name = match.group(1)
    identifier = name if "." in name else f"asyncbatch.{name}"
    return f'<autoref identifier="{identifier}" optional><code>{name}</code></autoref>'


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub(_reference, html)
