"""Values as plain data: what crosses from a student's sandbox to the grader's tests.

Grading runs the student's notebook in a sandbox and the tests in another process.
Nothing the student made may reach the tests as an object: an object can lie (an
``__eq__`` that is always true, a ``__bool__``, a subclass of ``int`` with a
``__hash__`` of its own). So values cross as JSON built from exact types only
(``type(value) is int``, never ``isinstance``), and the tests get back plain
objects rebuilt from that JSON by this module.

:func:`encode` (run in the sandbox) turns a value into tagged JSON:

- ``None``, ``bool``, ``int``, ``str`` as themselves; ``float`` as itself, or as
  ``{"t": "float", "v": "nan" | "inf" | "-inf"}``;
- ``{"t": "list" | "tuple" | "set" | "frozenset", "v": [...]}``;
- ``{"t": "dict", "v": [[key, value], ...]}`` (keys of any plain type, in order);
- ``{"t": "bytes", "v": "<hex>"}``, ``{"t": "complex", "v": [real, imag]}``;
- numpy: a scalar (``np.int64(6)``) as the plain number ``.item()`` gives; an array
  of numbers, booleans or text as ``{"t": "ndarray", "dtype": ..., "v": [...]}``
  (its ``.tolist()``), rebuilt as a numpy array where the tests have numpy, else as
  nested lists; a pandas ``Series`` or ``DataFrame`` as ``{"t": "series" |
  "dataframe", "v": ..., "index": [...], "columns": [...]}``, rebuilt with pandas where
  the tests have it;
- a function or class: ``{"t": "function", "ref": N, "name": ...}``, where ``N`` is
  the handle ``register`` gave it; the tests call it through the sandbox by handle;
- anything else: ``{"t": "opaque", "type": "<type name>"}``, which compares equal to
  nothing.

:func:`decode` (run in the test process) checks the shape strictly and raises
:class:`NotPlain` for anything else, so forged JSON can only ever be some plain
value: as good as the student writing that value in their notebook.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable
from typing import Any

#: Deepest nesting and most items (all levels) one value may have.
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000
#: Longest str or bytes, in characters or bytes.
MAX_TEXT = 10_000_000

_SEQUENCES: dict[type, str] = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)


class NotPlain(ValueError):
    """The value (or JSON) is not plain data; the message says what was found."""


class _Budget:
    def __init__(self) -> None:
        self.items = 0

    def spend(self) -> None:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise NotPlain(f"the value has more than {MAX_ITEMS:,} items")


def encode(value: Any, register: Callable[[Any], int] | None = None) -> Any:
    """``value`` as tagged JSON-ready data (module docstring).

    ``register(function)`` gives the handle of a callable; without it, callables are
    opaque.
    """
    return _encode(value, 0, _Budget(), register)


def _encode(value: Any, depth: int, budget: _Budget, register: Callable[[Any], int] | None) -> Any:
    budget.spend()
    if depth > MAX_DEPTH:
        raise NotPlain(f"the value is nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind is bool or kind is int:
        return value
    if kind is str:
        if len(value) > MAX_TEXT:
            raise NotPlain(f"a string is longer than {MAX_TEXT:,} characters")
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"t": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if kind in _SEQUENCES:
        return {
            "t": _SEQUENCES[kind],
            "v": [_encode(item, depth + 1, budget, register) for item in value],
        }
    if kind is dict:
        return {
            "t": "dict",
            "v": [
                [
                    _encode(key, depth + 1, budget, register),
                    _encode(item, depth + 1, budget, register),
                ]
                for key, item in value.items()
            ],
        }
    if kind is bytes:
        if len(value) > MAX_TEXT:
            raise NotPlain(f"a bytes value is longer than {MAX_TEXT:,} bytes")
        return {"t": "bytes", "v": value.hex()}
    if kind is complex:
        return {
            "t": "complex",
            "v": [
                _encode(value.real, depth + 1, budget, None),
                _encode(value.imag, depth + 1, budget, None),
            ],
        }
    if (array := _numeric(value, kind, depth, budget)) is not None:
        return array
    if register is not None and (isinstance(value, _FUNCTIONS) or isinstance(value, type)):
        name = getattr(value, "__name__", "function")
        return {
            "t": "function",
            "ref": register(value),
            "name": name if type(name) is str else "function",
        }
    return {"t": "opaque", "type": _type_name(kind)}


# numpy dtypes that cross (by ``dtype.kind``): booleans, integers, floats, complex, text.
_DTYPE_KINDS = frozenset("biufcU")


def _numeric(value: Any, kind: type, depth: int, budget: _Budget) -> Any:
    """numpy scalars and arrays, pandas series and frames, as plain data; None otherwise.

    What the student's object answers (``item()``, ``tolist()``) is encoded by exact
    types like everything else, so a class dressed up as numpy gains nothing.
    """
    module = getattr(kind, "__module__", "") or ""
    if not isinstance(module, str) or not module.startswith(("numpy", "pandas")):
        return None
    name = getattr(kind, "__name__", "")
    if module.startswith("numpy") and name != "ndarray" and hasattr(value, "item"):
        return _encode(value.item(), depth + 1, budget, None)
    if name == "ndarray":
        dtype = str(value.dtype)
        if value.dtype.kind not in _DTYPE_KINDS:
            raise NotPlain(f"a numpy array of {dtype} cannot be checked (numbers or text only)")
        return {
            "t": "ndarray",
            "dtype": dtype,
            "v": _encode(value.tolist(), depth + 1, budget, None),
        }
    if name == "Series":
        return {
            "t": "series",
            "name": _encode(value.name, depth + 1, budget, None),
            "index": _encode(value.index.tolist(), depth + 1, budget, None),
            "v": _encode(value.tolist(), depth + 1, budget, None),
        }
    if name == "DataFrame":
        return {
            "t": "dataframe",
            "index": _encode(value.index.tolist(), depth + 1, budget, None),
            "columns": _encode(value.columns.tolist(), depth + 1, budget, None),
            "v": _encode(value.values.tolist(), depth + 1, budget, None),
        }
    return None


def _type_name(kind: type) -> str:
    module = getattr(kind, "__module__", "") or ""
    name = getattr(kind, "__qualname__", "") or "object"
    text = name if module in ("builtins", "__main__", "") else f"{module}.{name}"
    return text[:200] if type(text) is str else "object"


class Opaque:
    """A student's value that is not plain data: equal to nothing, true, and says what it was."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<a {self.type_name} (not plain data: tests see only its type)>"


def decode(data: Any, *, call: Any = None) -> Any:
    """Plain Python objects from JSON made by :func:`encode`; ``NotPlain`` for anything else.

    ``call(ref, args, kwargs)`` is what a decoded function does when a test calls it
    (the grader's channel to the sandbox); without it, calling one raises.
    """
    return _decode(data, 0, _Budget(), call)


def _decode(data: Any, depth: int, budget: _Budget, call: Any) -> Any:
    budget.spend()
    if depth > MAX_DEPTH:
        raise NotPlain(f"the value is nested more than {MAX_DEPTH} levels deep")
    kind = type(data)
    if data is None or kind in (bool, int, float):
        return data
    if kind is str:
        if len(data) > MAX_TEXT:
            raise NotPlain(f"a string is longer than {MAX_TEXT:,} characters")
        return data
    if kind is not dict or type(data.get("t")) is not str:
        raise NotPlain(f"unexpected JSON {kind.__name__}")
    tag = data["t"]
    value = data.get("v")
    if tag == "float" and value in ("nan", "inf", "-inf"):
        return float(value)
    if tag in ("list", "tuple", "set", "frozenset") and type(value) is list:
        items = [_decode(item, depth + 1, budget, call) for item in value]
        if tag == "list":
            return items
        if tag == "tuple":
            return tuple(items)
        try:
            return set(items) if tag == "set" else frozenset(items)
        except TypeError as error:
            raise NotPlain(f"a {tag} holds an unhashable item") from error
    if tag == "dict" and type(value) is list:
        result: dict[Any, Any] = {}
        for pair in value:
            if type(pair) is not list or len(pair) != 2:
                raise NotPlain("a dict item is not a [key, value] pair")
            key = _decode(pair[0], depth + 1, budget, call)
            try:
                result[key] = _decode(pair[1], depth + 1, budget, call)
            except TypeError as error:
                raise NotPlain("a dict has an unhashable key") from error
        return result
    if tag == "bytes" and type(value) is str:
        try:
            return bytes.fromhex(value)
        except ValueError as error:
            raise NotPlain("bytes that are not hex") from error
    if tag == "complex" and type(value) is list and len(value) == 2:
        real, imag = (_decode(part, depth + 1, budget, call) for part in value)
        if (type(real) is not float and type(real) is not int) or (
            type(imag) is not float and type(imag) is not int
        ):
            raise NotPlain("a complex number of non-numbers")
        return complex(real, imag)
    if tag in ("ndarray", "series", "dataframe"):
        return _table(tag, data, depth, budget, call)
    if tag == "function" and type(data.get("name")) is str and type(data.get("ref")) is int:
        return _function(data["ref"], data["name"][:200], call)
    if tag == "opaque" and type(data.get("type")) is str:
        return Opaque(data["type"][:200])
    raise NotPlain(f"unexpected tag {tag!r}")


def _function(ref: int, name: str, call: Any) -> Any:
    def student_function(*args: Any, **kwargs: Any) -> Any:
        if call is None:
            raise RuntimeError(f"{name}() cannot be called here")
        return call(ref, args, kwargs)

    student_function.__name__ = student_function.__qualname__ = name
    return student_function


_DTYPE = re.compile(r"^(bool|u?int(8|16|32|64)|float(16|32|64)|complex(64|128)|<U\d{1,7})$")


def _table(tag: str, data: dict[str, Any], depth: int, budget: _Budget, call: Any) -> Any:
    """An array, series or frame: rebuilt with numpy or pandas where installed, else lists."""
    values = _decode(data.get("v"), depth + 1, budget, call)
    if type(values) is not list:
        raise NotPlain(f"a {tag} whose values are not a list")
    if tag == "ndarray":
        dtype = data.get("dtype")
        if type(dtype) is not str or not _DTYPE.match(dtype):
            raise NotPlain(f"an array of unexpected dtype {dtype!r}")
        try:
            import numpy
        except ImportError:
            return values
        try:
            return numpy.array(values, dtype=dtype)
        except (TypeError, ValueError) as error:
            raise NotPlain(f"an array that does not fit its dtype: {error}") from error
    index = _decode(data.get("index"), depth + 1, budget, call)
    if type(index) is not list:
        raise NotPlain(f"a {tag} whose index is not a list")
    try:
        import pandas
    except ImportError:
        return values
    try:
        if tag == "series":
            return pandas.Series(
                values, index=index, name=_decode(data.get("name"), depth + 1, budget, call)
            )
        columns = _decode(data.get("columns"), depth + 1, budget, call)
        if type(columns) is not list:
            raise NotPlain("a dataframe whose columns are not a list")
        return pandas.DataFrame(values, index=index, columns=columns)
    except (TypeError, ValueError) as error:
        raise NotPlain(f"a {tag} that does not fit together: {error}") from error
