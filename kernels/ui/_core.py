"""The base of every UI element, and how elements find the kernel that runs them.

An element is a Python object whose value lives in Python. Displaying it
(as a cell's output, or inside a layout or markdown) sends a spec with the
mime type ``application/vnd.playground.ui+json``; the front end renders it and
sends ``set_ui_value`` when the user interacts. The kernel then updates the
element and re-runs exactly the cells that read the variable holding it.

While a cell runs, the kernel installs a :class:`UIContext` in a context
variable: elements created then get stable ids (``<cell id>:<n>``, the n-th
element the cell created), so the front end keeps its widgets when the cell
re-runs. Outside a kernel (plain scripts) elements still work, with their
initial values.
"""

from __future__ import annotations

import contextvars
import html
import itertools
import json
import weakref
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

UI_MIME = "application/vnd.playground.ui+json"

T = TypeVar("T")


class UIValueError(ValueError):
    """A value sent for an element does not fit it; the message says why."""


class UIContext:
    """What the kernel tells elements while one cell runs."""

    def __init__(
        self,
        cell_id: str,
        registry: UIRegistry,
        send_output: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.cell_id = cell_id
        self.registry = registry
        self.send_output = send_output
        self._counter = itertools.count()

    def next_id(self) -> str:
        return f"{self.cell_id}:{next(self._counter)}"


_context: contextvars.ContextVar[UIContext | None] = contextvars.ContextVar(
    "playground_ui_context", default=None
)
_anonymous_ids = itertools.count()


def current_context() -> UIContext | None:
    """The running cell's UI context, or ``None`` outside a kernel."""
    return _context.get()


def enter_context(context: UIContext | None) -> contextvars.Token[UIContext | None]:
    """Install ``context`` for the cell about to run (used by the kernel)."""
    return _context.set(context)


def exit_context(token: contextvars.Token[UIContext | None]) -> None:
    """Restore the context that was active before :func:`enter_context`."""
    _context.reset(token)


class UIRegistry:
    """The live elements of one kernel, by id, and the cell that created each."""

    def __init__(self) -> None:
        self._elements: weakref.WeakValueDictionary[str, UIElement[Any]] = (
            weakref.WeakValueDictionary()
        )

    def add(self, element: UIElement[Any]) -> None:
        self._elements[element.id] = element

    def get(self, element_id: str) -> UIElement[Any] | None:
        return self._elements.get(element_id)

    def forget_cell(self, cell_id: str) -> None:
        """Drop the elements a cell created (it is re-running or deleted)."""
        prefix = f"{cell_id}:"
        for element_id in [k for k in self._elements if k.startswith(prefix)]:
            self._elements.pop(element_id, None)


class UIElement(Generic[T]):
    """Base class of all elements: an id, a label, a value, and a display spec.

    Subclasses set ``kind`` (the front end's widget name), convert values
    coming from the front end in :meth:`_from_wire` (raising
    :class:`UIValueError` for values that do not fit) and back in
    :meth:`_to_wire`, and put what the widget needs in :meth:`_props`.
    """

    kind: ClassVar[str] = "element"

    def __init__(
        self,
        value: T,
        *,
        label: str = "",
        on_change: Callable[[T], object] | None = None,
    ) -> None:
        context = current_context()
        if context is not None:
            self._id = context.next_id()
            self._cell_id: str | None = context.cell_id
            context.registry.add(self)
        else:
            self._id = f"script:{next(_anonymous_ids)}"
            self._cell_id = None
        self._label = label
        self._value = value
        self._initial = value
        self._on_change = on_change
        self._parent: UIElement[Any] | None = None

    # -- public ---------------------------------------------------------------

    @property
    def value(self) -> T:
        """The element's current value."""
        return self._value

    @property
    def id(self) -> str:
        """A stable id: ``<cell id>:<n>`` for the n-th element its cell created."""
        return self._id

    @property
    def label(self) -> str:
        """The text shown next to the element (also its accessible name)."""
        return self._label

    # -- the kernel's side ----------------------------------------------------

    def _update(self, wire_value: Any) -> None:
        """Apply a value sent by the front end (validated and converted)."""
        self._value = self._from_wire(wire_value)
        if self._on_change is not None:
            self._on_change(self._value)

    def _after_run(self) -> None:
        """Called once the cells reading this element have re-run (a run button resets)."""

    def _from_wire(self, wire_value: Any) -> T:
        return wire_value  # type: ignore[no-any-return]

    def _to_wire(self) -> Any:
        return self._value

    def _props(self) -> dict[str, Any]:
        return {}

    def _children(self) -> list[UIElement[Any]]:
        return []

    def _spec(self) -> dict[str, Any]:
        """Everything the front end needs to draw the element."""
        return {
            "id": self._id,
            "kind": self.kind,
            "label": self._label,
            "value": self._to_wire(),
            "props": self._props(),
        }

    def _static_html(self) -> str:
        """A read-only rendering for places with no live front end (HTML export)."""
        shown = html.escape(json.dumps(self._to_wire(), default=str))
        label = html.escape(self._label)
        return (
            f'<div class="pg-ui pg-ui-{self.kind}"><label>{label}</label> '
            f"<code>{shown}</code></div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            UI_MIME: self._spec(),
            "text/html": self._static_html(),
            "text/plain": repr(self),
        }

    def __repr__(self) -> str:
        label = f" {self._label!r}" if self._label else ""
        return f"<{type(self).__name__}{label} value={self._value!r}>"

    def __format__(self, spec: str) -> str:
        """In f-strings (e.g. ``ui.md(f"Speed {slider}")``) an element embeds itself."""
        return embed_tag(self)

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(
            f"{type(self).__name__} is not iterable; use its .value"
        )


def embed_tag(element: UIElement[Any]) -> str:
    """The placeholder a front end replaces with the live element inside markdown/HTML."""
    return f'<pg-ui data-id="{html.escape(element.id)}"></pg-ui>'


def contains_element(value: Any, element: UIElement[Any], depth: int = 2) -> bool:
    """Whether ``value`` is ``element`` or holds it (containers, lists, dicts)."""
    if value is element:
        return True
    if depth <= 0:
        return False
    if isinstance(value, UIElement):
        return any(contains_element(c, element, depth - 1) for c in value._children())
    if isinstance(value, list | tuple):
        return any(contains_element(v, element, depth - 1) for v in value)
    if isinstance(value, dict):
        return any(contains_element(v, element, depth - 1) for v in value.values())
    return False


class StopCell(BaseException):
    """Raised by :func:`stop` to end a cell quietly; its descendants do not run."""

    def __init__(self, output: Any = None) -> None:
        super().__init__()
        self.output = output
