"""Elements that choose among options: dropdown, multiselect and radio buttons.

Options are a list (each item is its own value, shown as ``str(item)``) or a
dict from label to value. The front end only ever sees and sends labels; the
element maps them back to the values, so any Python object can be an option.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernels.ui._core import UIElement, UIValueError, checked_argument

Options = Sequence[Any] | Mapping[str, Any]


def _labelled(kind: str, options: Options) -> dict[str, Any]:
    """Label -> value, in the order given; refuses duplicate or non-text labels."""
    if isinstance(options, str | bytes):
        raise TypeError(f"{kind}: options must be a list or a dict of label -> value, not text")
    pairs: list[tuple[str, Any]]
    if isinstance(options, Mapping):
        pairs = []
        for key, value in options.items():
            if not isinstance(key, str):
                raise TypeError(f"{kind}: option labels (the dict's keys) must be strings, "
                                f"not {key!r}")
            pairs.append((key, value))
    else:
        try:
            pairs = [(str(item), item) for item in options]
        except TypeError:
            raise TypeError(
                f"{kind}: options must be a list or a dict of label -> value, not "
                f"{type(options).__name__}"
            ) from None
    labelled: dict[str, Any] = {}
    for label, value in pairs:
        if label in labelled:
            raise ValueError(f"{kind}: two options are labelled {label!r}; labels must differ")
        labelled[label] = value
    return labelled


def _shown(labels: list[str]) -> str:
    shown = ", ".join(repr(label) for label in labels[:10])
    return shown + (", ..." if len(labels) > 10 else "")


class _Choice(UIElement[Any]):
    """One option or none, by label: the common part of dropdown and radio."""

    def __init__(
        self,
        options: Options,
        value: str | None,
        *,
        label: str,
        on_change: Callable[[Any], object] | None,
    ) -> None:
        self._options = _labelled(self.kind, options)
        selected = checked_argument(
            self.kind, self._check, value, "value= takes an option's label; "
        )
        super().__init__(None, label=label, on_change=on_change)
        self._set(selected)

    def _check(self, label: Any) -> str | None:
        if label is None:
            return None
        if not isinstance(label, str) or label not in self._options:
            raise UIValueError(
                f"expected one of the option labels {_shown(list(self._options))} or null, "
                f"not {label!r}"
            )
        return label

    def _from_wire(self, wire_value: Any) -> str | None:
        return self._check(wire_value)

    def _set(self, label: str | None) -> None:
        self._selected = label
        self._value = None if label is None else self._options[label]

    def _to_wire(self) -> str | None:
        return self._selected

    def _props(self) -> dict[str, Any]:
        return {"options": list(self._options)}


class dropdown(_Choice):
    """A dropdown: ``ui.dropdown(["red", "green"], value="red", label="Colour")``.

    ``options`` is a list, or a dict from label to value
    (``{"Small": 10, "Large": 100}``); ``value=`` is the label selected at
    first. Its ``value`` is the selected option's value, or ``None`` when
    nothing is selected. Choosing re-runs the cells that read the variable
    holding it.
    """

    kind = "dropdown"

    def __init__(
        self,
        options: Options,
        value: str | None = None,
        *,
        label: str = "",
        on_change: Callable[[Any], object] | None = None,
    ) -> None:
        super().__init__(options, value, label=label, on_change=on_change)


class radio(_Choice):
    """Radio buttons: ``ui.radio(["mean", "median"], value="mean", label="Statistic")``.

    Like :class:`dropdown`, shown as a group of buttons (in a row with
    ``inline=True``): its ``value`` is the chosen option's value, or ``None``.
    """

    kind = "radio"

    def __init__(
        self,
        options: Options,
        value: str | None = None,
        *,
        inline: bool = False,
        label: str = "",
        on_change: Callable[[Any], object] | None = None,
    ) -> None:
        self._inline = bool(inline)
        super().__init__(options, value, label=label, on_change=on_change)

    def _props(self) -> dict[str, Any]:
        return {**super()._props(), "inline": self._inline}


class multiselect(UIElement[list[Any]]):
    """Choose several: ``ui.multiselect(["a", "b", "c"], value=["a"], label="Columns")``.

    ``options`` is a list or a dict from label to value; ``value=`` lists the
    labels selected at first. Its ``value`` is the list of the selected
    options' values, in the order they were selected. ``max_selections``
    limits how many. Changing the selection re-runs the cells that read the
    variable holding it.
    """

    kind = "multiselect"

    def __init__(
        self,
        options: Options,
        value: Sequence[str] | None = None,
        *,
        max_selections: int | None = None,
        label: str = "",
        on_change: Callable[[list[Any]], object] | None = None,
    ) -> None:
        self._options = _labelled(self.kind, options)
        if max_selections is not None and (
            isinstance(max_selections, bool) or not isinstance(max_selections, int)
            or max_selections < 1
        ):
            raise ValueError("multiselect: max_selections must be a whole number >= 1")
        self._max = max_selections
        selected = checked_argument(
            "multiselect", self._check, list(value or []), "value= takes a list of option labels; "
        )
        super().__init__([], label=label, on_change=on_change)
        self._set(selected)

    def _check(self, labels: Any) -> list[str]:
        if not isinstance(labels, list):
            raise UIValueError(f"the value must be a list of option labels, not {labels!r}")
        for label in labels:
            if not isinstance(label, str) or label not in self._options:
                raise UIValueError(
                    f"expected option labels from {_shown(list(self._options))}, not {label!r}"
                )
        if len(set(labels)) != len(labels):
            raise UIValueError(f"an option is selected twice in {labels!r}")
        if self._max is not None and len(labels) > self._max:
            raise UIValueError(f"at most {self._max} options may be selected, not {len(labels)}")
        return labels

    def _from_wire(self, wire_value: Any) -> list[str]:
        return self._check(wire_value)

    def _set(self, labels: list[str]) -> None:
        self._selected = labels
        self._value = [self._options[label] for label in labels]

    def _to_wire(self) -> list[str]:
        return list(self._selected)

    def _props(self) -> dict[str, Any]:
        return {"options": list(self._options), "max_selections": self._max}
