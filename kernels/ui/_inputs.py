"""Input elements whose value is one number, text, choice or click count."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kernels.ui._core import UIElement, UIValueError


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UIValueError(f"{what} must be a number, not {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise UIValueError(f"{what} must be a finite number")
    return value


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
        _number(start, "start")
        _number(stop, "stop")
        if stop < start:
            raise ValueError(f"slider: stop ({stop}) is below start ({start})")
        integral = all(isinstance(v, int) for v in (start, stop, step if step is not None else 1))
        self._start, self._stop = start, stop
        self._step = step if step is not None else (1 if integral else (stop - start) / 100)
        if self._step <= 0:
            raise ValueError("slider: step must be positive")
        self._integral = integral
        initial = start if value is None else value
        super().__init__(self._check(initial), label=label, on_change=on_change)

    def _check(self, value: Any) -> float:
        number = _number(value, "the slider's value")
        if not self._start <= number <= self._stop:
            raise UIValueError(
                f"the slider's value must be between {self._start} and {self._stop}, not {number}"
            )
        return round(number) if self._integral else number

    def _from_wire(self, wire_value: Any) -> float:
        return self._check(wire_value)

    def _props(self) -> dict[str, Any]:
        return {"start": self._start, "stop": self._stop, "step": self._step}


class button(UIElement[Any]):
    """A button. Its ``value`` counts clicks, or is ``on_click(previous value)``.

    ``ui.button(label="Add", on_click=lambda n: n + 10, value=0)``. Clicking
    re-runs the cells that read the variable holding it.
    """

    kind = "button"

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
