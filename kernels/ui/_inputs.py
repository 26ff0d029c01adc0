"""Input elements whose value is one number, range, text, flag, date or click count."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from typing import Any

from kernels.ui._core import UIElement, UIValueError, checked_argument


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UIValueError(f"{what} must be a number, not {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise UIValueError(f"{what} must be a finite number")
    return value


class _Bounds:
    """A numeric range shared by the slider, range slider and number inputs.

    Values are ``int`` (rounded) when every given bound and the step are
    integers. Either bound may be open (``None``) for the number input.
    """

    def __init__(
        self, kind: str, start: float | None, stop: float | None, step: float | None,
        *, default_step: Callable[[float, float], float] | None,
    ) -> None:
        if start is not None:
            _number(start, f"{kind}: start")
        if stop is not None:
            _number(stop, f"{kind}: stop")
        if step is not None:
            _number(step, f"{kind}: step")
        if start is not None and stop is not None and stop < start:
            raise ValueError(f"{kind}: stop ({stop}) is below start ({start})")
        self.kind = kind
        self.start, self.stop = start, stop
        given = [v for v in (start, stop, step) if v is not None]
        self.integral = bool(given) and all(isinstance(v, int) for v in given)
        if step is None and default_step is not None and start is not None and stop is not None:
            step = 1 if self.integral else default_step(start, stop)
        if step is not None and step <= 0:
            raise ValueError(f"{kind}: step must be positive")
        self.step = step

    def check(self, value: Any, what: str) -> float:
        number = _number(value, what)
        low = -math.inf if self.start is None else self.start
        high = math.inf if self.stop is None else self.stop
        if not low <= number <= high:
            if self.start is None:
                expected = f"at most {self.stop}"
            elif self.stop is None:
                expected = f"at least {self.start}"
            else:
                expected = f"between {self.start} and {self.stop}"
            raise UIValueError(f"{what} must be {expected}, not {number}")
        return round(number) if self.integral else number

    def props(self) -> dict[str, Any]:
        return {"start": self.start, "stop": self.stop, "step": self.step}


class slider(UIElement[float]):
    """A slider over a numeric range: ``ui.slider(1, 10, value=3, step=1, label="Speed")``.

    Its ``value`` is a number from ``start`` to ``stop``; it is an ``int`` when
    ``start``, ``stop`` and ``step`` are all integers. Moving it re-runs the
    cells that read the variable holding it.
    """

    kind = "slider"

    def __init__(
        self,
        start: float,
        stop: float,
        step: float | None = None,
        value: float | None = None,
        *,
        label: str = "",
        on_change: Callable[[float], object] | None = None,
    ) -> None:
        self._bounds = _Bounds(
            "slider", start, stop, step, default_step=lambda low, high: (high - low) / 100
        )
        initial = start if value is None else value
        super().__init__(self._check(initial), label=label, on_change=on_change)

    def _check(self, value: Any) -> float:
        return self._bounds.check(value, "the slider's value")

    def _from_wire(self, wire_value: Any) -> float:
        return self._check(wire_value)

    def _props(self) -> dict[str, Any]:
        return self._bounds.props()


class range_slider(UIElement[tuple[float, float]]):
    """A slider with two handles: ``ui.range_slider(0, 100, value=(20, 80), label="Price")``.

    Its ``value`` is a ``(low, high)`` tuple with ``start <= low <= high <= stop``
    (``int`` numbers when ``start``, ``stop`` and ``step`` are integers). On the
    wire it is a two-number list ``[low, high]``. Moving either handle re-runs
    the cells that read the variable holding it.
    """

    kind = "range_slider"

    def __init__(
        self,
        start: float,
        stop: float,
        step: float | None = None,
        value: tuple[float, float] | None = None,
        *,
        label: str = "",
        on_change: Callable[[tuple[float, float]], object] | None = None,
    ) -> None:
        self._bounds = _Bounds(
            "range_slider", start, stop, step, default_step=lambda low, high: (high - low) / 100
        )
        initial = (start, stop) if value is None else value
        checked = checked_argument("range_slider", self._check, initial)
        super().__init__(checked, label=label, on_change=on_change)

    def _check(self, value: Any) -> tuple[float, float]:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise UIValueError(f"the value must be a pair [low, high], not {value!r}")
        low = self._bounds.check(value[0], "the low end")
        high = self._bounds.check(value[1], "the high end")
        if high < low:
            raise UIValueError(f"the low end ({low}) must not be above the high end ({high})")
        return (low, high)

    def _from_wire(self, wire_value: Any) -> tuple[float, float]:
        return self._check(wire_value)

    def _to_wire(self) -> list[float]:
        return list(self._value)

    def _props(self) -> dict[str, Any]:
        return self._bounds.props()


class number(UIElement[float]):
    """A number box: ``ui.number(0, 100, step=5, value=10, label="Count")``.

    ``start`` and ``stop`` are optional bounds (``None``: open). Its ``value``
    is a number, an ``int`` (rounded) when every bound and ``step`` given are
    integers; with none given, any number.
    Changing it re-runs the cells that read the variable holding it.
    """

    kind = "number"

    def __init__(
        self,
        start: float | None = None,
        stop: float | None = None,
        step: float | None = None,
        value: float | None = None,
        *,
        label: str = "",
        on_change: Callable[[float], object] | None = None,
    ) -> None:
        self._bounds = _Bounds("number", start, stop, step, default_step=None)
        if value is None:
            value = start if start is not None else (0 if stop is None or stop >= 0 else stop)
        checked = checked_argument("number", self._check, value)
        super().__init__(checked, label=label, on_change=on_change)

    def _check(self, value: Any) -> float:
        return self._bounds.check(value, "the number")

    def _from_wire(self, wire_value: Any) -> float:
        return self._check(wire_value)

    def _props(self) -> dict[str, Any]:
        return self._bounds.props()


class text(UIElement[str]):
    """A one-line text box: ``ui.text(value="", placeholder="Your name", label="Name")``.

    Its ``value`` is the text (a ``str``). ``max_length`` limits its length.
    Typing re-runs the cells that read the variable holding it (the front end
    sends the text as the user types, so a burst is merged into the latest).
    """

    kind = "text"

    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "",
        max_length: int | None = None,
        label: str = "",
        on_change: Callable[[str], object] | None = None,
    ) -> None:
        if max_length is not None and (
            isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 0
        ):
            raise ValueError(f"{self.kind}: max_length must be a whole number >= 0")
        self._placeholder = placeholder
        self._max_length = max_length
        checked = checked_argument(self.kind, self._check, value)
        super().__init__(checked, label=label, on_change=on_change)

    def _check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise UIValueError(f"the value must be a string, not {value!r}")
        if self._max_length is not None and len(value) > self._max_length:
            raise UIValueError(
                f"the text is {len(value)} characters long; at most {self._max_length} fit"
            )
        return value

    def _from_wire(self, wire_value: Any) -> str:
        return self._check(wire_value)

    def _props(self) -> dict[str, Any]:
        return {"placeholder": self._placeholder, "max_length": self._max_length}


class text_area(text):
    """A multi-line text box: ``ui.text_area(placeholder="Notes", rows=6, label="Notes")``.

    Like :class:`text`: its ``value`` is the text; ``rows`` is the visible height.
    """

    kind = "text_area"

    def __init__(
        self,
        value: str = "",
        *,
        placeholder: str = "",
        max_length: int | None = None,
        rows: int = 4,
        label: str = "",
        on_change: Callable[[str], object] | None = None,
    ) -> None:
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
            raise ValueError("text_area: rows must be a whole number >= 1")
        self._rows = rows
        super().__init__(
            value, placeholder=placeholder, max_length=max_length, label=label,
            on_change=on_change,
        )

    def _props(self) -> dict[str, Any]:
        return {**super()._props(), "rows": self._rows}


class checkbox(UIElement[bool]):
    """A checkbox: ``ui.checkbox(value=False, label="Show grid")``.

    Its ``value`` is ``True`` or ``False``. Toggling it re-runs the cells that
    read the variable holding it.
    """

    kind = "checkbox"

    def __init__(
        self,
        value: bool = False,
        *,
        label: str = "",
        on_change: Callable[[bool], object] | None = None,
    ) -> None:
        if not isinstance(value, bool):
            raise ValueError(f"{self.kind}: value must be True or False, not {value!r}")
        super().__init__(value, label=label, on_change=on_change)

    def _from_wire(self, wire_value: Any) -> bool:
        if not isinstance(wire_value, bool):
            raise UIValueError(f"the value must be true or false, not {wire_value!r}")
        return wire_value


class switch(checkbox):
    """An on/off switch: ``ui.switch(value=True, label="Live updates")``.

    Like :class:`checkbox`, drawn as a switch: its ``value`` is ``True`` or ``False``.
    """

    kind = "switch"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(value: Any, what: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise UIValueError(f"{what} must be a date as YYYY-MM-DD, not {value!r}")


class date(UIElement[datetime.date]):
    """A date picker: ``ui.date(value="2024-06-01", start="2024-01-01", label="From")``.

    Its ``value`` is a ``datetime.date`` (today by default, kept within
    ``start``/``stop``); ``value``, ``start`` and ``stop`` take dates or
    ``"YYYY-MM-DD"`` strings. On the wire the date is an ISO string.
    Picking a date re-runs the cells that read the variable holding it.
    """

    kind = "date"

    def __init__(
        self,
        value: datetime.date | str | None = None,
        *,
        start: datetime.date | str | None = None,
        stop: datetime.date | str | None = None,
        label: str = "",
        on_change: Callable[[datetime.date], object] | None = None,
    ) -> None:
        try:
            self._start = None if start is None else _as_date(start, "start")
            self._stop = None if stop is None else _as_date(stop, "stop")
            if self._start and self._stop and self._stop < self._start:
                raise UIValueError(f"stop ({self._stop}) is before start ({self._start})")
            if value is None:
                initial = datetime.date.today()
                if self._start is not None and initial < self._start:
                    initial = self._start
                if self._stop is not None and initial > self._stop:
                    initial = self._stop
            else:
                initial = self._check(_as_date(value, "value"))
        except UIValueError as exc:
            raise ValueError(f"date: {exc}") from None
        super().__init__(initial, label=label, on_change=on_change)

    def _check(self, value: datetime.date) -> datetime.date:
        if self._start is not None and value < self._start:
            raise UIValueError(f"the date must be on or after {self._start}, not {value}")
        if self._stop is not None and value > self._stop:
            raise UIValueError(f"the date must be on or before {self._stop}, not {value}")
        return value

    def _from_wire(self, wire_value: Any) -> datetime.date:
        if not isinstance(wire_value, str):
            raise UIValueError(f"the value must be a date as YYYY-MM-DD, not {wire_value!r}")
        return self._check(_as_date(wire_value, "the value"))

    def _to_wire(self) -> str:
        return self._value.isoformat()

    def _props(self) -> dict[str, Any]:
        return {
            "start": None if self._start is None else self._start.isoformat(),
            "stop": None if self._stop is None else self._stop.isoformat(),
        }


class button(UIElement[Any]):
    """A button. Its ``value`` counts clicks, or is ``on_click(previous value)``.

    ``ui.button(label="Add", on_click=lambda n: n + 10, value=0)``. Clicking
    re-runs the cells that read the variable holding it. Every click counts,
    even when several arrive while a cell is still running.
    """

    kind = "button"
    _merge_messages = False

    def __init__(
        self,
        *,
        label: str = "Click",
        value: Any = 0,
        on_click: Callable[[Any], Any] | None = None,
        on_change: Callable[[Any], object] | None = None,
    ) -> None:
        self._on_click = on_click
        super().__init__(value, label=label, on_change=on_change)

    def _from_wire(self, wire_value: Any) -> Any:
        # Every message from the front end is one click, whatever it carries.
        if self._on_click is not None:
            return self._on_click(self._value)
        return self._value + 1 if isinstance(self._value, int | float) else 1

    def _to_wire(self) -> Any:
        return None


class run_button(UIElement[bool]):
    """A button whose ``value`` is ``True`` only in the run its click starts.

    Cells that should run only on demand begin with
    ``if not run.value: ui.stop()``; other changes upstream then leave them
    waiting instead of running.
    """

    kind = "run_button"

    def __init__(self, *, label: str = "Run") -> None:
        super().__init__(False, label=label)

    def _from_wire(self, wire_value: Any) -> bool:
        return True

    def _after_run(self) -> None:
        self._value = False
