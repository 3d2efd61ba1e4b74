"""Exceptions as text, without the record payloads they may carry.

A pydantic validation error repeats the input it rejected, which is the record's
body or image. Wherever asyncbatch writes an exception out (the ``record failed``
log event, the message of :class:`BatchProcessingError`, the command line's
summary), validation errors are rendered from their error list instead, without
input values, also when they are only the cause or context of another exception.
The messages of every other exception are written as they are.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator

__all__ = ["exception_message", "exception_traceback", "qualified_name"]


def qualified_name(exc: BaseException) -> str:
    """The exception's class, with its module unless it is a builtin."""
    cls = type(exc)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def exception_message(exc: BaseException) -> str:
    """The exception's message; for a validation error, without input values."""
    if _is_validation_error(exc):
        return _validation_message(exc)

    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not fail the batch
        return f"<{type(exc).__name__}: str() failed>"


def exception_traceback(exc: BaseException) -> str:
    """The traceback as Python formats it, validation errors without input values.

    Chained exceptions (``raise ... from``, or raised while handling another) and
    the members of exception groups are included, as Python shows them.
    """
    formatted = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    for shown, original in _pairs(formatted, exc):
        if _is_validation_error(original):
            # What format() prints after the class name; it is private to the
            # traceback module (3.10 to 3.14), so where it is missing the last
            # exception is given alone rather than risk printing an input.
            if not hasattr(shown, "_str"):
                return _bare_traceback(exc)

            setattr(shown, "_str", _validation_message(original))  # noqa: B010

    return "".join(formatted.format())


def _pairs(
    shown: traceback.TracebackException, original: BaseException
) -> Iterator[tuple[traceback.TracebackException, BaseException]]:
    """Each formatted exception of the tree beside the exception it stands for."""
    stack = [(shown, original)]
    seen: set[int] = set()
    while stack:
        shown, original = stack.pop()
        if id(shown) in seen:
            continue

        seen.add(id(shown))
        yield shown, original

        if shown.__cause__ is not None and original.__cause__ is not None:
            stack.append((shown.__cause__, original.__cause__))

        if shown.__context__ is not None and original.__context__ is not None:
            stack.append((shown.__context__, original.__context__))

        members = getattr(shown, "exceptions", None) or ()
        stack.extend(zip(members, getattr(original, "exceptions", ()), strict=False))


def _bare_traceback(exc: BaseException) -> str:
    frames = "".join(traceback.format_tb(exc.__traceback__))
    header = "Traceback (most recent call last):\n" if frames else ""
    return f"{header}{frames}{qualified_name(exc)}: {exception_message(exc)}\n"


def _is_validation_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("pydantic") and hasattr(exc, "errors")


def _validation_message(exc: BaseException) -> str:
    errors = exc.errors(  # type: ignore[attr-defined]
        include_input=False, include_url=False
    )
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ())) or "<record>"
        parts.append(f"{location}: {error.get('msg', '')}")

    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun}: " + "; ".join(parts)
