"""Look at a record handler once, before any record runs.

Whether a handler is ``async``, and whether it wants the Lambda context, is decided
here for the whole batch, so that the per-record path only calls it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["HandlerInfo", "inspect_handler"]

CONTEXT_PARAMETER = "lambda_context"


@dataclass(frozen=True, slots=True)
class HandlerInfo:
    """What the runtime needs to know about a record handler.

    :ivar is_async: calling it returns a coroutine to await on the event loop;
        otherwise it runs in a worker thread.
    :ivar wants_context: it declares a ``lambda_context`` parameter.
    """

    is_async: bool
    wants_context: bool


def inspect_handler(handler: object) -> HandlerInfo:
    """Classify ``handler``, seeing through partials, bound methods and ``__call__``.

    :raises TypeError: when it is not callable, or is a generator or async
        generator function (its records would never run).
    """
    try:
        hash(handler)
    except TypeError:
        return _inspect(handler)
    return _cached_inspect(handler)


@functools.lru_cache(maxsize=128)
def _cached_inspect(handler: object) -> HandlerInfo:
    return _inspect(handler)


def _inspect(handler: object) -> HandlerInfo:
    if not callable(handler):
        raise TypeError(
            f"record_handler must be callable, not {type(handler).__name__}"
        )

    function = _underlying_function(handler)
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        kind = (
            "an async generator"
            if inspect.isasyncgenfunction(function)
            else "a generator"
        )
        raise TypeError(
            f"record_handler {_name(handler)} is {kind} function; "
            "return the record's result instead of yielding it"
        )

    return HandlerInfo(
        is_async=inspect.iscoroutinefunction(function),
        wants_context=_declares_context(handler),
    )


def _underlying_function(handler: Callable[..., Any]) -> object:
    """The function whose code runs when ``handler`` is called."""
    function: object = handler
    while True:
        if isinstance(function, functools.partial):
            function = function.func
        elif inspect.ismethod(function):
            function = function.__func__
        elif inspect.isfunction(function) or inspect.isbuiltin(function):
            return function
        elif inspect.iscoroutinefunction(function):
            # Marked with inspect.markcoroutinefunction (3.12+).
            return function
        elif callable(function) and not isinstance(function, type):
            call = type(function).__call__
            if call is function:
                return function
            function = call
        else:
            return function


def _declares_context(handler: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(handler).parameters
    except (TypeError, ValueError):
        return False

    parameter = parameters.get(CONTEXT_PARAMETER)
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def _name(handler: object) -> str:
    name = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return repr(name)
