"""Look at a record handler once, before any record runs.

Whether a handler is ``async``, and whether it wants the Lambda context, is decided
here for the whole batch, so that the per-record path only calls it.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["CONTEXT_PARAMETER", "HandlerInfo", "inspect_handler"]

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


# What was learned about each handler, for as long as the handler lives: a
# handler made afresh per invocation (a closure over the event, say) must not be
# kept alive by the cache. Bound methods are made afresh on every attribute
# access, so they are looked up by their function, which decides both answers.
_seen: weakref.WeakKeyDictionary[Any, HandlerInfo] = weakref.WeakKeyDictionary()

# The handler seen last, weakly, and what was learned about it: most functions
# pass the same handler on every invocation, and this spares them the lookup.
_last: tuple[weakref.ref[Any], HandlerInfo] | None = None


def inspect_handler(handler: object) -> HandlerInfo:
    """Classify ``handler``, seeing through partials, bound methods and ``__call__``.

    :raises TypeError: when it is not callable, is a generator or async generator
        function (its records would never run), or takes ``lambda_context`` as a
        positional-only parameter (it could not be given).
    """
    global _last

    last = _last
    if last is not None and last[0]() is handler:
        return last[1]

    key = handler.__func__ if inspect.ismethod(handler) else handler
    try:
        info = _seen[key]
    except (KeyError, TypeError):  # TypeError: not hashable, or not weakly
        info = _inspect(handler)
        with contextlib.suppress(TypeError):
            _seen[key] = info

    with contextlib.suppress(TypeError):
        _last = (weakref.ref(handler), info)

    return info


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
    if parameter is not None and parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
        raise TypeError(
            f"record_handler {_name(handler)} takes {CONTEXT_PARAMETER!r} as a "
            "positional-only parameter, so it cannot be given the context; "
            "move it after the '/'"
        )

    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def _name(handler: object) -> str:
    name = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return repr(name)
