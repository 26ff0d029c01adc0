"""Elements made of other elements: array, dictionary and form.

A container adopts the elements it is given when the same cell made them:
setting one of them re-runs the cells that read the container (and those
that read the element itself). The front end sets a child by the child's own
id, or the whole container by the container's id with a list or dict of
child values (what ``playground run --set`` does too). A form is different:
its elements send nothing until the form is submitted, and then the front
end sends the whole inner value to the form.
"""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from kernels.ui._core import UIElement, UIValueError


def _elements_only(kind: str, items: list[tuple[str, Any]]) -> None:
    for where, item in items:
        if not isinstance(item, UIElement):
            raise TypeError(
                f"{kind}: {where} is {type(item).__name__}, not a UI element "
                "(use ui.hstack or ui.vstack to lay out other things)"
            )


def _group_html(container: UIElement[Any], parts: list[str]) -> str:
    legend = f"<legend>{html.escape(container.label)}</legend>" if container.label else ""
    return f'<fieldset class="pg-ui pg-ui-{container.kind}">{legend}{"".join(parts)}</fieldset>'


class array(UIElement[list[Any]]):
    """A list of elements: ``ui.array([ui.slider(0, 10), ui.text()], label="Params")``.

    Its ``value`` is the list of the elements' values. Index it for an
    element (``params[0]``). Changing any element re-runs the cells that
    read the array. On the wire its value is the list of the elements' wire
    values; setting it sets every element.
    """

    kind = "array"

    def __init__(
        self,
        elements: Sequence[UIElement[Any]],
        *,
        label: str = "",
        on_change: Callable[[list[Any]], object] | None = None,
    ) -> None:
        if isinstance(elements, str | bytes | Mapping):
            raise TypeError("array: give a list of UI elements (ui.dictionary takes a dict)")
        self._elements = list(elements)
        _elements_only("array", [(f"item {i}", e) for i, e in enumerate(self._elements)])
        super().__init__([], label=label, on_change=on_change)
        self._adopt(self._elements)

    @property
    def value(self) -> list[Any]:
        """The elements' values, in order."""
        return [element.value for element in self._elements]

    @property
    def elements(self) -> list[UIElement[Any]]:
        """The elements, in order."""
        return list(self._elements)

    def __getitem__(self, index: int) -> UIElement[Any]:
        return self._elements[index]

    def __len__(self) -> int:
        return len(self._elements)

    def __iter__(self) -> Iterator[UIElement[Any]]:
        return iter(self._elements)

    def _from_wire(self, wire_value: Any) -> list[Any]:
        if not isinstance(wire_value, list) or len(wire_value) != len(self._elements):
            raise UIValueError(
                f"the value must be a list of {len(self._elements)} values, one per element, "
                f"not {wire_value!r}"
            )
        states = []
        for index, (element, item) in enumerate(zip(self._elements, wire_value, strict=True)):
            try:
                states.append(element._from_wire(item))
            except UIValueError as exc:
                raise UIValueError(f"item {index} ({element.kind}): {exc}") from None
        return states

    def _set(self, value: Any) -> None:
        for element, state in zip(self._elements, value, strict=True):
            element._set(state)

    def _to_wire(self) -> list[Any]:
        return [element._to_wire() for element in self._elements]

    def _props(self) -> dict[str, Any]:
        return {"elements": [element._spec() for element in self._elements]}

    def _static_html(self) -> str:
        return _group_html(self, [e._static_html() for e in self._elements])

    def _children(self) -> list[UIElement[Any]]:
        return list(self._elements)


class dictionary(UIElement[dict[str, Any]]):
    """Elements by name: ``ui.dictionary({"name": ui.text(), "age": ui.number(0, 120)})``.

    Its ``value`` is a dict from each name to its element's value. Index it
    for an element (``person["age"]``). Changing any element re-runs the
    cells that read the dictionary. On the wire its value is a JSON object
    of the elements' wire values; setting it sets the elements it names.
    """

    kind = "dictionary"

    def __init__(
        self,
        elements: Mapping[str, UIElement[Any]],
        *,
        label: str = "",
        on_change: Callable[[dict[str, Any]], object] | None = None,
    ) -> None:
        if not isinstance(elements, Mapping):
            raise TypeError("dictionary: give a dict of name -> UI element (ui.array takes a list)")
        for key in elements:
            if not isinstance(key, str):
                raise TypeError(f"dictionary: names must be strings, not {key!r}")
        self._elements = dict(elements)
        _elements_only("dictionary", [(repr(k), e) for k, e in self._elements.items()])
        super().__init__({}, label=label, on_change=on_change)
        self._adopt(list(self._elements.values()))

    @property
    def value(self) -> dict[str, Any]:
        """Each name's element value."""
        return {key: element.value for key, element in self._elements.items()}

    @property
    def elements(self) -> dict[str, UIElement[Any]]:
        """The elements by name."""
        return dict(self._elements)

    def __getitem__(self, key: str) -> UIElement[Any]:
        return self._elements[key]

    def __len__(self) -> int:
        return len(self._elements)

    def __iter__(self) -> Iterator[str]:
        return iter(self._elements)

    def _from_wire(self, wire_value: Any) -> dict[str, Any]:
        if not isinstance(wire_value, dict):
            raise UIValueError(
                f"the value must be an object of name -> value, with names from "
                f"{list(self._elements)}, not {wire_value!r}"
            )
        unknown = [key for key in wire_value if key not in self._elements]
        if unknown:
            raise UIValueError(
                f"there is no element named {unknown[0]!r}; the names are {list(self._elements)}"
            )
        states = {}
        for key, item in wire_value.items():
            element = self._elements[key]
            try:
                states[key] = element._from_wire(item)
            except UIValueError as exc:
                raise UIValueError(f"{key!r} ({element.kind}): {exc}") from None
        return states

    def _set(self, value: Any) -> None:
        for key, state in value.items():
            self._elements[key]._set(state)

    def _to_wire(self) -> dict[str, Any]:
        return {key: element._to_wire() for key, element in self._elements.items()}

    def _props(self) -> dict[str, Any]:
        return {
            "elements": [
                {"key": key, "element": element._spec()} for key, element in self._elements.items()
            ]
        }

    def _children(self) -> list[UIElement[Any]]:
        return list(self._elements.values())

    def _static_html(self) -> str:
        return _group_html(self, [e._static_html() for e in self._elements.values()])


class batch(dictionary):
    """Elements shown inside markdown, with one value: ``ui.batch(md_text, {"x": slider})``.

    ``template`` is markdown (or a :class:`~kernels.ui.md`) holding ``{name}`` where
    each element goes (other braces, such as LaTeX's, are left alone). It shows as
    that markdown with the elements live in it; its ``value`` is a dict of each
    name's value, like :class:`dictionary`, and changing any element re-runs the
    cells that read the batch. Put it in a :class:`form` to submit them together.
    """

    kind = "markdown"

    def __init__(
        self,
        template: Any,
        elements: Mapping[str, UIElement[Any]],
        *,
        label: str = "",
        on_change: Callable[[dict[str, Any]], object] | None = None,
    ) -> None:
        from kernels.ui._core import embed_tag
        from kernels.ui._layout import md

        text = template.text if isinstance(template, md) else template
        if not isinstance(text, str):
            raise TypeError(f"batch: give markdown text, not {type(template).__name__}")
        super().__init__(elements, label=label, on_change=on_change)
        names = "|".join(re.escape(name) for name in self._elements)
        tags = {name: embed_tag(element) for name, element in self._elements.items()}
        self._text = (
            re.sub(r"\{(" + names + r")\}", lambda m: tags[m.group(1)], inspect.cleandoc(text))
            if names else inspect.cleandoc(text)
        )

    @property
    def text(self) -> str:
        """The markdown, with ``<pg-ui data-id="...">`` tags where the elements go."""
        return self._text

    def _props(self) -> dict[str, Any]:
        return {
            "text": self._text,
            "elements": [element._spec() for element in self._elements.values()],
            # The front end collects these elements' values for a form holding the batch.
            "batch": [
                {"key": key, "id": element.id} for key, element in self._elements.items()
            ],
        }


class form(UIElement[Any]):
    """Submit several inputs at once: ``ui.form(ui.text(label="Name"), submit_label="Greet")``.

    Takes one element, or a dict of elements (made into a
    :class:`dictionary`). Its ``value`` is ``None`` until the form is
    submitted, then the inner element's value as submitted; editing the
    inputs re-runs nothing until the user submits. Cells that need a
    submitted value begin with ``ui.stop(f.value is None, "Fill in the form")``.
    """

    kind = "form"
    _holds_child_values = True

    def __init__(
        self,
        element: UIElement[Any] | Mapping[str, UIElement[Any]],
        *,
        submit_label: str = "Submit",
        label: str = "",
        on_change: Callable[[Any], object] | None = None,
    ) -> None:
        if isinstance(element, Mapping):
            element = dictionary(element)
        if not isinstance(element, UIElement):
            raise TypeError(
                f"form: give a UI element or a dict of them, not {type(element).__name__}"
            )
        self._element = element
        self._submit_label = submit_label
        self._submitted = False
        super().__init__(None, label=label, on_change=on_change)
        self._adopt([element])

    @property
    def element(self) -> UIElement[Any]:
        """The element inside the form."""
        return self._element

    def _from_wire(self, wire_value: Any) -> Any:
        try:
            return self._element._from_wire(wire_value)
        except UIValueError as exc:
            raise UIValueError(f"the form's {self._element.kind}: {exc}") from None

    def _set(self, value: Any) -> None:
        self._element._set(value)
        self._submitted = True
        self._value = self._element.value

    def _to_wire(self) -> Any:
        return self._element._to_wire() if self._submitted else None

    def _props(self) -> dict[str, Any]:
        return {"element": self._element._spec(), "submit_label": self._submit_label}

    def _static_html(self) -> str:
        button = f"<button disabled>{html.escape(self._submit_label)}</button>"
        return _group_html(self, [self._element._static_html(), button])

    def _children(self) -> list[UIElement[Any]]:
        return [self._element]
