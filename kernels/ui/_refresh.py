"""An element that changes by itself on a timer: ``ui.refresh``.

The timer runs in the front end (the kernel never wakes up on its own): every
interval the page sends ``set_ui_value`` for the element, as if its button were
clicked, and the kernel re-runs the cells that read it. Intervals are checked
here, when the element is made, so a typo fails in the cell that wrote it rather
than as a timer that never fires.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from kernels.ui._core import UIElement, UIValueError

# Shorter intervals would keep the kernel busy re-running readers; longer ones do not
# fit the browser's timers (setInterval holds at most 2**31 - 1 ms, about 24.8 days).
MIN_SECONDS = 0.1
MAX_SECONDS = 24 * 86_400

# What a refresh sent without a timer running (a click on the button) is called.
OFF = "off"

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0}
# One "<number><unit>" part of a duration; "ms" is tried before "m".
_PART = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)(?![a-z])", re.IGNORECASE)
_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?|\.\d+)\s*")
_FORMS = "a number of seconds or a duration such as '500ms', '5s', '1m 30s', '1h'"


def _seconds_of_text(text: str) -> float | None:
    """Seconds in ``"1m 30s"``, ``"500ms"`` or ``"10"``; None when the text is not one."""
    whole = _NUMBER.fullmatch(text)
    if whole:
        return float(whole.group(1))
    total, position = 0.0, 0
    while position < len(text):
        part = _PART.match(text, position)
        if part is None:
            if text[position:].strip():
                return None
            break
        total += float(part.group(1)) * _UNIT_SECONDS[part.group(2).lower()]
        position = part.end()
    return total if position else None


def parse_interval(option: Any, kind: str = "refresh") -> tuple[str, float]:
    """``(label, seconds)`` of one interval option, or ``ValueError`` naming the option.

    A number is seconds (label ``"5s"``); text is a duration whose parts add up:
    ``"500ms"``, ``"5s"``, ``"1m 30s"``, ``"1h"``, ``"1d"`` (label: the text as written).
    """
    if isinstance(option, bool) or not isinstance(option, int | float | str):
        raise ValueError(
            f"{kind}: the interval {option!r} must be {_FORMS}, not a {type(option).__name__}"
        )
    if isinstance(option, str):
        label = option.strip()
        seconds = _seconds_of_text(option)
        if seconds is None:
            raise ValueError(f"{kind}: the interval {option!r} is not {_FORMS}")
    else:
        if not math.isfinite(option):
            raise ValueError(f"{kind}: the interval {option!r} must be a finite number of seconds")
        seconds = float(option)
        label = f"{option:g}s"
    if seconds < MIN_SECONDS:
        raise ValueError(
            f"{kind}: the interval {option!r} is shorter than 100ms, the shortest allowed"
        )
    if seconds > MAX_SECONDS:
        raise ValueError(f"{kind}: the interval {option!r} is longer than 24 days, the longest "
                         "a browser timer takes")
    return label, seconds


class refresh(UIElement[int]):
    """A refresh button with a timer: ``ui.refresh(["1s", "5s", "1m"], interval="5s")``.

    Its ``value`` counts refreshes (0 at first). Every ``interval`` the page refreshes
    it, and clicking the button refreshes it at once; either way the cells that read
    the variable holding it re-run. ``options`` are the intervals offered next to the
    button, with "off": numbers of seconds or durations (``"500ms"``, ``"5s"``,
    ``"1m 30s"``, ``"1h"``; at least 100ms). ``interval`` is the one running at first
    (``None``: off until chosen); alone it is the only option. Without either there
    is only the button. ``.interval`` names the interval of the last refresh
    (``"off"`` for a click while no timer runs). A tick that comes while the cells of
    the previous one still run is skipped, so slow readers do not pile up.
    """

    kind = "refresh"

    def __init__(
        self,
        options: Sequence[float | str] | None = None,
        interval: float | str | None = None,
        *,
        label: str = "",
        on_change: Callable[[int], object] | None = None,
    ) -> None:
        if options is None:
            options = []
        if isinstance(options, str | bytes) or not isinstance(options, Sequence):
            raise ValueError(
                f"refresh: options must be a list of intervals, not {type(options).__name__}"
            )
        self._options = [parse_interval(option) for option in options]
        labels = [name for name, _ in self._options]
        for name in labels:
            if labels.count(name) > 1:
                raise ValueError(f"refresh: the option {name!r} is listed twice")
        self._default: str | None = None
        if interval is not None:
            name, seconds = parse_interval(interval)
            same = [label_ for label_, s in self._options if s == seconds]
            if self._options and not same:
                raise ValueError(
                    f"refresh: the interval {interval!r} is not one of the options {labels}"
                )
            if not self._options:
                self._options = [(name, seconds)]
            self._default = same[0] if same else name
        self._last: str | None = None
        super().__init__(0, label=label, on_change=on_change)

    @property
    def interval(self) -> str | None:
        """The interval of the last refresh (``"off"``: a click with no timer), None before."""
        return self._last

    @property
    def options(self) -> list[str]:
        """The intervals offered, as shown."""
        return [name for name, _ in self._options]

    def _from_wire(self, wire_value: Any) -> tuple[int, str]:
        # Each message is one refresh; it names the interval running when it was sent.
        if wire_value is None:
            wire_value = OFF
        if wire_value != OFF and wire_value not in self.options:
            raise UIValueError(
                f"a refresh names its interval, one of {[OFF, *self.options]}, not {wire_value!r}"
            )
        return self._value + 1, wire_value

    def _set(self, value: Any) -> None:
        self._value, self._last = value

    def _to_wire(self) -> None:
        return None

    def _props(self) -> dict[str, Any]:
        return {
            "options": [{"label": name, "seconds": seconds} for name, seconds in self._options],
            "interval": self._default,
        }
