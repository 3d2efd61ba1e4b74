"""What the typed records share: lazy fields, strict base64 and JSON payloads.

A typed record is an ordinary pydantic model: ``SqsRecord.model_validate(raw)``
validates every field at once. The parsers that :func:`parser_for` returns build
the same models faster: they check the identifier and convert the payload (the
body, the data, DynamoDB keys and images) up front, copy the plain strings, and
keep the raw value of each costly metadata field (timestamps, SQS attributes and
message attributes) until it is first read. Reading it validates it with the
model's own validator, so the result is the same as the eager path; only the
moment an invalid value raises differs. Whole-model operations (``==``, ``repr``,
dumps, copies, pickling, ``model_fields_set``) first convert whatever is pending.
"""

from __future__ import annotations

import binascii
import functools
import operator
import sys
import threading
from collections.abc import Callable, Mapping
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    SupportsIndex,
    TypeVar,
    get_args,
    get_origin,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    Json,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    model_serializer,
)

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "LazyModel",
    "PayloadModel",
    "adapter",
    "b64decode_strict",
    "build",
    "decode_base64",
    "is_json",
    "json_parametrized",
    "json_payload",
]

# pydantic's Json is a class at runtime and an alias for type checkers.
_JSON: Any = Json
_JSON_MARKER: type[Any] = _JSON

_new = object.__new__


class PayloadModel(BaseModel):
    """Base of the models that are generic in their payload type.

    In ``Model[T]``, ``T`` is what a JSON payload validates as: it stands for
    ``Json[T]``, unless it is the raw type the class names in ``_raw_payload``
    (``str`` for text, ``bytes`` for data), which keeps the payload raw. The
    parametrized class is named ``Model[T]`` as written, and its instances pickle.
    """

    model_config = ConfigDict(defer_build=True)

    # The payload's raw type, in the class that declares the payload's type
    # variable; None where the type argument is not a JSON payload.
    _raw_payload: ClassVar[type[Any] | None] = None

    if not TYPE_CHECKING:

        def __class_getitem__(cls, params: Any) -> Any:
            # Only the declaring class itself: a parametrized class or a subclass
            # takes its arguments as they are.
            raw_type = cls.__dict__.get("_raw_payload")
            if raw_type is not None:
                params = json_parametrized(params, raw_type)

            return super().__class_getitem__(params)

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return super().model_parametrized_name(tuple(map(_as_written, params)))

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        # Pickle stores a class by module and name, but pydantic registers a
        # parametrized class under its name only when it is made at module level
        # (and not at all through the __class_getitem__ above). So the class of an
        # instance of one is stored as the recipe for it instead.
        cls = type(self)
        recipe = _picklable_type(cls)
        if recipe is cls:
            return super().__reduce_ex__(protocol)

        return (_new, (recipe,), self.__getstate__())


class _Parametrization:
    """Stands in for a parametrized model class while pickling.

    It is stored as the generic origin and the type arguments, and loads as
    ``origin[args]``: the very class, since pydantic keeps the classes it made.
    """

    __slots__ = ("args", "origin")

    def __init__(self, origin: Any, args: tuple[Any, ...]) -> None:
        self.origin = origin
        self.args = args

    def __reduce__(self) -> tuple[Any, ...]:
        return (operator.getitem, (self.origin, self.args))


def _picklable_type(annotation: Any) -> Any:
    """``annotation``, or a stand-in that pickles if it is a parametrized model.

    Type arguments that are parametrized models themselves (``SqsRecord[
    SnsNotification[Order]]``) get stand-ins too; one nested in another type
    (``list[SnsNotification[Order]]``) does not, and pickles only where pydantic
    registered it.
    """
    metadata = getattr(annotation, "__pydantic_generic_metadata__", None)
    if not isinstance(annotation, type) or not metadata or metadata["origin"] is None:
        return annotation

    origin = metadata["origin"]
    args = metadata["args"]
    if origin.__dict__.get("_raw_payload") is not None:
        # That origin makes Json[T] of T again when the class is made.
        args = tuple(map(_as_written, args))

    return _Parametrization(origin, tuple(map(_picklable_type, args)))


class LazyModel(PayloadModel):
    """Base of the typed records and their parts.

    Fields are read from the wire names (the aliases); ``model_dump()`` gives the
    snake_case names and ``model_dump(by_alias=True)`` the wire names.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)

    # The raw wire mapping of a lazily built instance while some of its lazy
    # fields are unconverted; None once all are (and always after validation).
    _pending: Mapping[str, Any] | None = PrivateAttr(default=None)

    # The fields a parser may leave unconverted until first read, and those of
    # them typed ``str | None``, which take a string as it is.
    _lazy_fields: ClassVar[frozenset[str]] = frozenset()
    _lazy_text: ClassVar[frozenset[str]] = frozenset()

    # Quicker conversions for some lazy fields than assigning through the model's
    # validator: each gives the value validation gives, or raises ValueError
    # (ValidationError is one), and then the validator runs to raise the error
    # with its location.
    _lazy_direct: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}

    if not TYPE_CHECKING:
        # Hidden from type checkers: a visible __getattr__ would let any misspelt
        # attribute pass as Any.

        def __getattr__(self, name: str) -> Any:
            # Only reached when the field is not in __dict__ yet: a converted
            # field is found without this, and without the lock.
            if name in type(self)._lazy_fields:
                with _CONVERTING:
                    # Another thread may have converted it since the lookup
                    # missed (and, converting them all, cleared _pending).
                    values = self.__dict__
                    if name in values:
                        return values[name]

                    raw = _pending(self)
                    if raw is not None:
                        _convert_unlocked(self, name, raw)
                        return self.__dict__[name]

            return super().__getattr__(name)

    def _materialize(self) -> None:
        """Convert every pending field: the model then holds what validation gives."""
        if _pending(self) is None:
            return

        cls = type(self)
        with _CONVERTING:
            raw = _pending(self)
            if raw is None:
                return

            for name in cls._lazy_fields:
                # A field the caller assigned meanwhile keeps the assigned value.
                if name not in self.__dict__:
                    _convert_unlocked(self, name, raw)

            # Put the fields back in declaration order, for repr and dumps; other
            # keys (cached properties) follow. From a copy, taken at once: another
            # thread may cache a property meanwhile, without the lock.
            values = self.__dict__.copy()
            ordered = {
                name: values.pop(name) for name in cls.model_fields if name in values
            }
            ordered.update(values)
            _set_dict(self, ordered)

            self.__pydantic_fields_set__.update(
                name for name, key in _wire_names(cls).items() if key in raw
            )
            private: dict[str, Any] = object.__getattribute__(
                self, "__pydantic_private__"
            )
            private["_pending"] = None

    @model_serializer(mode="wrap")
    def _serialize_complete(
        self, handler: SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        # A serializer rather than a model_dump override, so that a record inside
        # another model is complete in its dumps too. Its cost: the serialization
        # JSON schema of a record is a plain object (validation's is complete).
        self._materialize()
        result: dict[str, Any] = handler(self)
        return result

    if not TYPE_CHECKING:

        def __eq__(self, other: object) -> bool:
            self._materialize()
            if isinstance(other, LazyModel):
                other._materialize()

            return super().__eq__(other)

    def __repr_args__(self) -> Any:
        self._materialize()
        return super().__repr_args__()

    def __iter__(self) -> Any:
        self._materialize()
        return super().__iter__()

    def __copy__(self) -> Self:
        self._materialize()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        self._materialize()
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        self._materialize()
        return super().__getstate__()

    @property
    def model_fields_set(self) -> set[str]:
        """The fields that were present in the raw record (or assigned since)."""
        self._materialize()
        return self.__pydantic_fields_set__


_WIRE_NAMES: dict[type[BaseModel], dict[str, str]] = {}


def _wire_names(cls: type[BaseModel]) -> dict[str, str]:
    """Field name to the key it is read from, for ``cls``."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        names = {}
        for name, info in cls.model_fields.items():
            alias = info.validation_alias
            names[name] = alias if isinstance(alias, str) else info.alias or name

        _WIRE_NAMES[cls] = names

    return names


# validate_assignment replaces the instance's __dict__ with an updated copy, so
# two conversions at once (first reads from two threads) could each drop the
# other's field. Conversions are rare (at most once per lazy field) and short.
_CONVERTING = threading.Lock()


def _pending(model: LazyModel) -> Mapping[str, Any] | None:
    """The raw mapping the lazy fields of ``model`` are still to be converted from."""
    try:
        private = object.__getattribute__(model, "__pydantic_private__")
    except AttributeError:
        # Not set up yet: an instance being copied or unpickled.
        return None

    return private.get("_pending") if private else None


def _convert_unlocked(model: LazyModel, name: str, raw: Mapping[str, Any]) -> None:
    """Set the lazy field ``name`` from ``raw`` as validation would have."""
    cls = type(model)
    key = _wire_names(cls)[name]
    if key in raw:
        value = raw[key]
        if value.__class__ is str and name in cls._lazy_text:
            model.__dict__[name] = value
            return

        direct = cls._lazy_direct.get(name)
        if direct is not None:
            try:
                model.__dict__[name] = direct(value)
            except ValueError:
                pass
            else:
                return

        cls.__pydantic_validator__.validate_assignment(model, name, value)
    else:
        field = cls.model_fields[name]
        model.__dict__[name] = field.get_default(call_default_factory=True)


# The slots every pydantic model has, set directly as pydantic itself does.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def build(cls: type[Any], fields: dict[str, Any], raw: Mapping[str, Any]) -> Any:
    """Make an instance of ``cls`` without validating: the parsers' fast path.

    :param fields: every field that is not lazy, already checked.
    :param raw: the wire mapping; the lazy fields are converted from it when
        first read.
    """
    instance = _new(cls)
    _set_dict(instance, fields)
    _set_fields_set(instance, set())
    _set_extra(instance, None)
    _set_private(instance, {"_pending": raw})
    return instance


if sys.version_info >= (3, 11):

    def b64decode_strict(data: str | bytes) -> bytes:
        """Decode standard base64 strictly; raises binascii.Error or ValueError."""
        return binascii.a2b_base64(data, strict_mode=True)

else:
    import re

    # What strict_mode accepts: whole groups of four, padding only at the end.
    _BASE64 = re.compile(
        r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
    )

    def b64decode_strict(data: str | bytes) -> bytes:
        """Decode standard base64 strictly; raises binascii.Error or ValueError."""
        text = data if isinstance(data, str) else data.decode("ascii")
        if not _BASE64.fullmatch(text):
            raise binascii.Error("Only base64 data is allowed")

        return binascii.a2b_base64(text)


def decode_base64(value: object) -> bytes:
    """Decode standard base64 strictly (no stray characters, exact padding).

    :raises ValueError: the value is not a string or not valid base64. The
        message never repeats the value.
    """
    if not isinstance(value, (str, bytes)):
        # ValueError, not TypeError: pydantic reports only the former as invalid.
        kind = type(value).__name__
        raise ValueError(f"expected base64 text, not {kind}")  # noqa: TRY004

    try:
        return b64decode_strict(value)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not valid base64 ({exc})") from None


def is_json(params: object) -> bool:
    """Whether ``params`` is already ``Json[...]``."""
    return get_origin(params) is Annotated and any(
        isinstance(meta, _JSON_MARKER) for meta in getattr(params, "__metadata__", ())
    )


def json_parametrized(params: Any, raw_type: object) -> Any:
    """The type argument a JSON payload parameter stands for at runtime.

    ``Record[T]`` means "the payload is JSON that validates as T", so ``T`` becomes
    ``Json[T]``; the raw type itself (``str`` for text, ``bytes`` for data) and type
    variables stay as they are.
    """
    if isinstance(params, tuple):
        # pydantic passes a tuple when it substitutes nested generic fields.
        return tuple(json_parametrized(param, raw_type) for param in params)

    if params is raw_type or isinstance(params, TypeVar) or is_json(params):
        return params

    return _JSON[params]


def _as_written(param: Any) -> Any:
    """A payload type as written in ``Model[T]``: without ``Json``."""
    return get_args(param)[0] if is_json(param) else param


def json_payload(
    cls: type[BaseModel], raw_type: type[Any]
) -> Callable[[str | bytes], Any] | None:
    """What validates the JSON payload of ``cls``; ``None`` when it stays raw.

    The parsers validate the payload with this alone, which is quicker than
    assigning it through the record's validator; on failure they validate the
    whole record, which raises the error with its full location.
    """
    args = cls.__pydantic_generic_metadata__["args"]
    if not args or args[0] is raw_type:
        return None

    target = args[0]
    if is_json(target):
        target = get_args(target)[0]

    return TypeAdapter(target).validate_json


@functools.cache
def adapter(annotation: Any) -> TypeAdapter[Any]:
    """A TypeAdapter for ``annotation``, built on first use and kept."""
    return TypeAdapter(annotation)
