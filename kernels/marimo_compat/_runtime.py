"""marimo's runtime functions: state, stop, caching, where the notebook runs, its output.

``mo.state`` rides on the kernel's ``UIContext.changed`` hook: setting a state
makes the kernel run, once the current run is over, the cells that read the
variable holding its getter (not the cell that set it, unless
``allow_self_loops=True``), as marimo does. ``mo.output`` keeps what a cell puts
in its output area in ``UIContext.output_items``; the kernel shows it unless the
cell ends with a value (which replaces it, as in marimo).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import pickle
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, Generic, TypeVar

from kernels.ui import stop as _ui_stop
from kernels.ui._core import current_context

T = TypeVar("T")

#: How a notebook is being run: "edit" (an editor with code), "run" (an app view),
#: "script" (``playground run``, ``python notebook.py``). Set by whoever starts the kernel.
MODE = "edit"
#: The page's query parameters, when a transport knows them (the browser playground).
QUERY_PARAMS: dict[str, list[str]] = {}


def stop(predicate: object, output: Any = None) -> None:
    """``mo.stop``: end the cell quietly when ``predicate`` is true, showing ``output``."""
    _ui_stop(bool(predicate), output)


class State(Generic[T]):
    """A value whose setter re-runs the cells that read its getter."""

    def __init__(self, value: T, allow_self_loops: bool) -> None:
        self._value = value
        self._allow_self_loops = allow_self_loops
        context = current_context()
        self._made_by = context.cell_id if context is not None else None
        self._changed = context.changed if context is not None else None
        self.getter = _Getter(self)

    def set(self, update: T | Callable[[T], T]) -> None:
        self._value = update(self._value) if callable(update) else update
        if self._changed is not None and self._made_by is not None:
            context = current_context()
            self._changed(
                self.getter, self._made_by, context.cell_id if context is not None else None,
                self._allow_self_loops,
            )


class _Getter(Generic[T]):
    """The getter ``mo.state`` returns: call it for the value."""

    def __init__(self, state: State[T]) -> None:
        self._state = state

    def __call__(self) -> T:
        return self._state._value

    def __repr__(self) -> str:
        return f"<state getter value={self._state._value!r}>"


def state(value: T, allow_self_loops: bool = False) -> tuple[Callable[[], T], Callable[..., None]]:
    """``mo.state``: ``get_count, set_count = mo.state(0)``; ``set_count(lambda n: n + 1)``."""
    made = State(value, allow_self_loops)
    return made.getter, made.set


class AppMeta:
    """``mo.app_meta()``: how the notebook is running."""

    @property
    def mode(self) -> str:
        return MODE

    @property
    def theme(self) -> str:
        return "light"

    @property
    def request(self) -> None:
        return None


def app_meta() -> AppMeta:
    return AppMeta()


def notebook_dir() -> Path | None:
    """``mo.notebook_dir()``: the notebook file's folder, or the working folder."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    context_file = _cell_global("__file__")
    chosen = context_file or path
    return Path(chosen).resolve().parent if chosen else Path.cwd()


def notebook_location() -> Path | None:
    return notebook_dir()


def _cell_global(name: str) -> Any:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<cell "):
            return frame.f_globals.get(name)
        frame = frame.f_back
    return None


class QueryParams:
    """``mo.query_params()``: the page's query parameters (read-only here)."""

    def __init__(self, params: dict[str, list[str]]) -> None:
        self._params = params

    def get(self, key: str, default: Any = None) -> Any:
        values = self._params.get(key)
        if not values:
            return default
        return values[0] if len(values) == 1 else list(values)

    def get_all(self, key: str) -> list[str]:
        return list(self._params.get(key, []))

    def __getitem__(self, key: str) -> Any:
        if key not in self._params:
            raise KeyError(key)
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._params

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def to_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in self._params}

    def __repr__(self) -> str:
        return f"QueryParams({self.to_dict()!r})"


def query_params() -> QueryParams:
    return QueryParams(QUERY_PARAMS)


def cli_args() -> dict[str, Any]:
    """``mo.cli_args()``: ``--name value`` pairs given after ``--`` (or to a script)."""
    args = sys.argv[1:]
    if "--" in args:
        args = args[args.index("--") + 1:]
    elif MODE != "script":
        args = []
    parsed: dict[str, Any] = {}
    index = 0
    while index < len(args):
        item = args[index]
        if item.startswith("-"):
            key, _, inline = item.lstrip("-").partition("=")
            if inline:
                value: Any = inline
            elif index + 1 < len(args) and not args[index + 1].startswith("-"):
                index += 1
                value = args[index]
            else:
                value = True
            parsed[key] = _number_or_text(value)
        index += 1
    return parsed


def _number_or_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


# --- caching ------------------------------------------------------------------

# Caches outlive the cell that defines the function, as marimo's do: keyed by the
# function's code, so re-running the cell keeps what was computed.
_CACHES: dict[str, OrderedDict[Any, Any]] = {}


def _code_key(function: Callable[..., Any]) -> str:
    code = function.__code__
    digest = hashlib.sha256()
    digest.update(code.co_code)
    digest.update(repr(code.co_consts).encode())
    digest.update(function.__qualname__.encode())
    return digest.hexdigest()


def _arguments_key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        key: Any = (args, tuple(sorted(kwargs.items())))
        hash(key)
        return key
    except TypeError:
        pass
    try:
        return hashlib.sha256(pickle.dumps((args, sorted(kwargs.items())))).hexdigest()
    except Exception:
        return repr((args, sorted(kwargs.items())))


def _cached(function: Callable[..., T], maxsize: int | None) -> Callable[..., T]:
    store = _CACHES.setdefault(_code_key(function), OrderedDict())

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        key = _arguments_key(args, kwargs)
        if key in store:
            store.move_to_end(key)
            # The store holds only this function's results.
            return store[key]  # type: ignore[no-any-return]
        result = function(*args, **kwargs)
        store[key] = result
        if maxsize is not None and len(store) > maxsize:
            store.popitem(last=False)
        return result

    # Like functools.lru_cache's wrapper; a function object takes new attributes.
    wrapper.cache_clear = store.clear  # type: ignore[attr-defined]
    return wrapper


def cache(function: Callable[..., T] | str | None = None, **_: Any) -> Any:
    """``@mo.cache``: remember results by their arguments, across re-runs of the cell."""
    if function is None:
        return lambda inner: _cached(inner, None)
    if isinstance(function, str):
        from kernels.marimo_compat._unsupported import NotSupported

        raise NotSupported("mo.cache used as `with mo.cache(...)` (a block cache)",
                           "decorate a function with @mo.cache instead")
    return _cached(function, None)


def lru_cache(function: Callable[..., T] | None = None, maxsize: int = 128, **_: Any) -> Any:
    """``@mo.lru_cache(maxsize=...)``: like ``mo.cache``, keeping the ``maxsize`` latest."""
    if function is None:
        return lambda inner: _cached(inner, maxsize)
    return _cached(function, maxsize)


def persistent_cache(function: Callable[..., T] | None = None, **options: Any) -> Any:
    """``mo.persistent_cache``: kept in memory for the session here (nothing on disk)."""
    return cache(function, **options)


# --- output -----------------------------------------------------------------------


def _output_context() -> Any:
    context = current_context()
    if context is None or context.send_output is None:
        return None
    return context


def _send(context: Any) -> None:
    from kernels.runtime.outputs import mimebundle
    from kernels.ui._core import output_items_display

    context.send_output(mimebundle(output_items_display(context.output_items)))


def output_append(value: Any) -> None:
    """``mo.output.append``: add ``value`` below what the cell's output already shows."""
    context = _output_context()
    if context is None:
        print(value)
        return
    context.output_items = [*(context.output_items or []), value]
    _send(context)


def output_replace(value: Any) -> None:
    """``mo.output.replace``: show ``value`` as the cell's output, instead of what it showed."""
    context = _output_context()
    if context is None:
        print(value)
        return
    context.output_items = [] if value is None else [value]
    _send(context)


def output_replace_at_index(value: Any, idx: int) -> None:
    context = _output_context()
    if context is None:
        return
    items = list(context.output_items or [])
    if idx == len(items):
        items.append(value)
    else:
        items[idx] = value
    context.output_items = items
    _send(context)


def output_clear() -> None:
    """``mo.output.clear``: show nothing."""
    output_replace(None)


# --- standard streams -----------------------------------------------------------


class _ToOutput(io.TextIOBase):
    """Text written here is appended to the cell's output (``mo.redirect_stdout``)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        from kernels.marimo_compat._display import plain_text

        if text.strip():
            output_append(plain_text(text.rstrip("\n")))
        return len(text)


@contextlib.contextmanager
def redirect_stdout() -> Iterator[None]:
    """``with mo.redirect_stdout():`` prints go to the cell's output area."""
    with contextlib.redirect_stdout(_ToOutput()):
        yield


@contextlib.contextmanager
def redirect_stderr() -> Iterator[None]:
    with contextlib.redirect_stderr(_ToOutput()):
        yield


@contextlib.contextmanager
def capture_stdout() -> Iterator[io.StringIO]:
    """``with mo.capture_stdout() as out:`` prints go to ``out.getvalue()`` instead."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield buffer


@contextlib.contextmanager
def capture_stderr() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    with contextlib.redirect_stderr(buffer):
        yield buffer


def defs() -> tuple[str, ...]:
    """``mo.defs()``: the global names the running cell defines."""
    context = current_context()
    return tuple(sorted(context.defs)) if context is not None else ()


def refs() -> tuple[str, ...]:
    """``mo.refs()``: the global names the running cell reads from other cells."""
    context = current_context()
    return tuple(sorted(context.refs)) if context is not None else ()


def running_in_notebook() -> bool:
    return current_context() is not None and MODE != "script"
