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
V = TypeVar("V")


class UIValueError(ValueError):
    """A value sent for an element does not fit it; the message says why."""


def checked_argument(kind: str, check: Callable[[Any], V], value: Any, what: str = "") -> V:
    """``check(value)`` on a constructor argument, the check wire values get.

    A bad argument is a plain ``ValueError`` naming the element kind (a
    mistake in the cell's code, not a value from the front end).
    """
    try:
        return check(value)
    except UIValueError as exc:
        raise ValueError(f"{kind}: {what}{exc}") from None


class UIContext:
    """What the kernel tells elements while one cell runs."""

    def __init__(
        self,
        cell_id: str,
        registry: UIRegistry,
        send_output: Callable[[dict[str, Any]], None] | None = None,
        changed: Callable[[Any, str, str | None, bool], None] | None = None,
    ) -> None:
        self.cell_id = cell_id
        self.registry = registry
        self.send_output = send_output
        # The kernel's ``changed(value, made_by_cell, changed_by_cell, rerun_changer)``: a
        # value made by a cell changed (a state was set), so the cells reading the variable
        # holding it must run once the current run is over.
        self.changed = changed
        # What the cell put in its output area while running (``output.append``); it stays
        # the cell's output unless the cell ends with an expression. None: nothing put.
        self.output_items: list[Any] | None = None
        # The global names the running cell defines and reads (marimo's ``mo.defs()``).
        self.defs: frozenset[str] = frozenset()
        self.refs: frozenset[str] = frozenset()
        self._counter = itertools.count()

    def next_id(self) -> str:
        return f"{self.cell_id}:{next(self._counter)}"


_context: contextvars.ContextVar[UIContext | None] = contextvars.ContextVar(
    "playground_ui_context", default=None
)
_anonymous_ids = itertools.count()
# Elements made outside a kernel (plain scripts), so ``ui.md`` can find the
# elements formatted into its text; inside a kernel the registry does that.
_script_elements: weakref.WeakValueDictionary[str, UIElement[Any]] = (
    weakref.WeakValueDictionary()
)


def current_context() -> UIContext | None:
    """The running cell's UI context, or ``None`` outside a kernel."""
    return _context.get()


def enter_context(context: UIContext | None) -> contextvars.Token[UIContext | None]:
    """Install ``context`` for the cell about to run (used by the kernel)."""
    return _context.set(context)


def exit_context(token: contextvars.Token[UIContext | None]) -> None:
    """Restore the context that was active before :func:`enter_context`."""
    _context.reset(token)


def find_element(element_id: str) -> UIElement[Any] | None:
    """The live element with this id: the kernel's, or a plain script's."""
    context = current_context()
    if context is not None:
        return context.registry.get(element_id)
    return _script_elements.get(element_id)


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

    Subclasses set ``kind`` (the front end's widget name), check values
    coming from the front end in :meth:`_from_wire` (raising
    :class:`UIValueError` for values that do not fit, and changing nothing),
    store what it returns in :meth:`_set` (usually the value itself; a
    dropdown keeps the label), convert back in :meth:`_to_wire`, and put
    what the widget needs in :meth:`_props`. Containers (array, dictionary,
    form) adopt the elements they hold: ``child._parent`` is the container,
    so setting a child re-runs the readers of the container too.
    """

    kind: ClassVar[str] = "element"
    # Whether a burst of messages for this element may be merged into the
    # latest one (a dragged slider); a button counts every message instead.
    _merge_messages: ClassVar[bool] = True
    # Whether the elements inside this one send their values only through it
    # (a form): they then refuse values sent to them directly.
    _holds_child_values: ClassVar[bool] = False

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
            _script_elements[self._id] = self
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
        """Apply a value sent by the front end (validated and converted).

        A value that does not fit raises :class:`UIValueError` before anything
        changes. Afterwards ``on_change`` runs, then that of every container
        holding the element, with the container's new value.
        """
        owner = self._parent
        while owner is not None:
            if owner._holds_child_values:
                raise UIValueError(
                    f"it is inside {type(owner).__name__} {owner.id!r}, which sends its "
                    "value on submit; set that element instead"
                )
            owner = owner._parent
        self._set(self._from_wire(wire_value))
        element: UIElement[Any] | None = self
        while element is not None:
            if element._on_change is not None:
                element._on_change(element.value)
            element = element._parent

    def _set(self, value: Any) -> None:
        """Store what :meth:`_from_wire` returned (containers pass it on to their children)."""
        self._value = value

    def _adopt(self, children: list[UIElement[Any]]) -> None:
        """Become the container of ``children`` made by the same cell run.

        An element made by another cell keeps no parent here: its own readers
        re-run when it changes, and those include the cell that made this
        container, so the container is made anew with the new value.
        """
        for child in children:
            if child._parent is None and child._cell_id == self._cell_id and child is not self:
                child._parent = self

    def _after_run(self) -> None:
        """Called once the cells reading this element have re-run (a run button resets)."""

    def _from_wire(self, wire_value: Any) -> Any:
        return wire_value

    def _to_wire(self) -> Any:
        return self._value

    def _props(self) -> dict[str, Any]:
        return {}

    def _children(self) -> list[UIElement[Any]]:
        """The elements whose values make up this one's value (not those merely shown)."""
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
            f'<span class="pg-ui pg-ui-{self.kind}"><label>{label}</label> '
            f"<code>{shown}</code></span>"
        )

    def _plain_text(self) -> str:
        """The ``text/plain`` of the element's display (what a terminal shows)."""
        return repr(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            UI_MIME: self._spec(),
            "text/html": self._static_html(),
            "text/plain": self._plain_text(),
        }

    def __repr__(self) -> str:
        label = f" {self._label!r}" if self._label else ""
        return f"<{type(self).__name__}{label} value={self.value!r}>"

    def __format__(self, spec: str) -> str:
        """In f-strings (e.g. ``ui.md(f"Speed {slider}")``) an element embeds itself."""
        return embed_tag(self)

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(
            f"{type(self).__name__} is not iterable; use its .value"
        )


def output_items_display(items: list[Any]) -> Any:
    """What a cell's output area shows for the things put in it: one, or a column of them."""
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    from kernels.ui._layout import vstack

    return vstack(items)


def embed_tag(element: UIElement[Any]) -> str:
    """The placeholder a front end replaces with the live element inside markdown/HTML."""
    return f'<pg-ui data-id="{html.escape(element.id)}"></pg-ui>'


def contains_element(value: Any, element: UIElement[Any], depth: int = 2) -> bool:
    """Whether ``value`` is ``element`` or holds it (containers, lists, dicts).

    ``depth`` bounds the search through plain lists and dicts; containers
    nest to any depth.
    """
    if value is element:
        return True
    if isinstance(value, UIElement):
        return any(contains_element(c, element, depth) for c in value._children())
    if depth <= 0:
        return False
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
