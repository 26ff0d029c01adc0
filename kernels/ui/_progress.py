"""A progress bar that updates the running cell's output while a long loop runs.

The bar sends itself as the cell's output through the kernel's
``send_output`` while the cell is still running: once when it starts, then
at most every :data:`MIN_INTERVAL` seconds, and once more when it ends, so a
loop over a million quick items costs a handful of messages. When the cell
finishes, its own output (its last expression) replaces the bar.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any

from kernels.runtime.outputs import mimebundle
from kernels.ui._core import UIElement, UIValueError, current_context

MIN_INTERVAL = 0.1  # seconds: at most ~10 updates a second, plus the final one

_clock = time.monotonic  # replaced by tests


class progress(UIElement[int]):
    """Progress of a loop: ``for row in ui.progress(rows, title="Loading"): ...``.

    Wrap an iterable (its ``len()`` is the total when it has one), or use it
    as a context manager and count yourself::

        with ui.progress(total=len(files), title="Uploading") as bar:
            for f in files:
                upload(f)
                bar.update(1)

    Its ``value`` is the number of steps done. The cell's output shows the
    bar while the cell runs; leave ``bar`` as the last expression to keep it.
    """

    kind = "progress"

    def __init__(
        self,
        iterable: Iterable[Any] | None = None,
        *,
        total: int | None = None,
        title: str = "",
        label: str = "",
    ) -> None:
        if total is None and iterable is not None:
            try:
                # Not every iterable has a length: the TypeError is the test.
                total = len(iterable)  # type: ignore[arg-type]
            except TypeError:
                total = None
        if total is not None and (isinstance(total, bool) or not isinstance(total, int)
                                  or total < 0):
            raise ValueError(f"progress: total must be a whole number >= 0, not {total!r}")
        self._iterable = iterable
        self._total = total
        self._title = title
        self._started: float | None = None
        self._ended: float | None = None
        self._last_sent: float | None = None
        super().__init__(0, label=label or title)

    # -- public ---------------------------------------------------------------

    @property
    def total(self) -> int | None:
        """The number of steps, or ``None`` when unknown."""
        return self._total

    def update(self, increment: int = 1, *, title: str | None = None) -> None:
        """Count ``increment`` more steps done (and optionally change the title)."""
        if self._started is None:
            self._start()
        self._value += increment
        if title is not None:
            self._title = title
        self._send(force=False)

    def __iter__(self) -> Iterator[Any]:
        if self._iterable is None:
            raise TypeError(
                "progress: there is nothing to iterate; give it an iterable, or use "
                "`with ui.progress(total=n) as bar:` and call bar.update()"
            )
        self._start()
        try:
            for item in self._iterable:
                yield item
                self._value += 1
                self._send(force=False)
        finally:
            self._finish()

    def __enter__(self) -> progress:
        self._start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._finish()

    # -- sending ---------------------------------------------------------------

    def _start(self) -> None:
        self._started = _clock()
        self._ended = None
        self._send(force=True)

    def _finish(self) -> None:
        if self._started is None:
            self._started = _clock()
        self._ended = _clock()
        self._send(force=True)

    def _send(self, *, force: bool) -> None:
        now = _clock()
        if not force and self._last_sent is not None and now - self._last_sent < MIN_INTERVAL:
            return
        context = current_context()
        if context is None or context.send_output is None:
            return
        self._last_sent = now
        context.send_output(mimebundle(self))

    # -- display ---------------------------------------------------------------

    def _from_wire(self, wire_value: Any) -> Any:
        raise UIValueError("a progress bar has no value to set")

    def _props(self) -> dict[str, Any]:
        done = self._ended is not None
        elapsed = 0.0
        if self._started is not None:
            elapsed = (self._ended if self._ended is not None else _clock()) - self._started
        fraction = None
        eta = None
        if self._total:
            fraction = min(self._value / self._total, 1.0)
            if self._value and not done:
                eta = round(elapsed / self._value * max(self._total - self._value, 0), 3)
        elif self._total == 0:
            fraction = 1.0
        return {
            "title": self._title,
            "current": self._value,
            "total": self._total,
            "fraction": fraction,
            "done": done,
            "elapsed": round(elapsed, 3),
            "eta": eta,
        }

    def _plain(self) -> str:
        count = f"{self._value}/{self._total}" if self._total is not None else f"{self._value}"
        percent = (f" ({100 * min(self._value / self._total, 1):.0f}%)"
                   if self._total else "")
        title = f"{self._title}: " if self._title else ""
        return f"{title}{count}{percent}" + (" done" if self._ended is not None else "")

    def _static_html(self) -> str:
        maximum = f' max="{self._total}"' if self._total else ""
        value = f' value="{self._value}"' if self._total else ""
        title = html.escape(self._title)
        return (
            f'<div class="pg-ui pg-ui-progress"><label>{title}</label> '
            f"<progress{value}{maximum}></progress> {html.escape(self._plain())}</div>"
        )

    def __repr__(self) -> str:
        return f"<progress {self._plain()}>"
