"""``mo.status``: progress bars and spinners in the running cell's output area."""

from __future__ import annotations

import html
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from kernels import ui as kui
from kernels.marimo_compat._runtime import output_clear, output_replace
from kernels.ui._core import current_context


class progress_bar(kui.progress):
    """``mo.status.progress_bar``: wrap an iterable, or ``with ... as bar: bar.update()``.

    It stays in the output when the cell ends (``remove_on_exit=True`` removes it);
    ``subtitle`` shows under the title.
    """

    def __init__(
        self,
        collection: Iterable[Any] | None = None,
        *,
        title: str | None = None,
        subtitle: str | None = None,
        completion_title: str | None = None,
        completion_subtitle: str | None = None,
        total: int | None = None,
        remove_on_exit: bool = False,
        disabled: bool = False,
        **_: Any,
    ) -> None:
        self._completion_title = completion_title
        self._remove_on_exit = remove_on_exit
        self._subtitle = subtitle
        super().__init__(collection, total=total, title=_titled(title, subtitle))
        context = current_context()
        if context is not None and not remove_on_exit:
            context.output_items = [self]

    def update(
        self, increment: int = 1, title: str | None = None, subtitle: str | None = None
    ) -> None:
        if subtitle is not None:
            self._subtitle = subtitle
        super().update(increment, title=_titled(title, self._subtitle) if title or subtitle
                       else None)

    def _finish(self) -> None:
        if self._completion_title:
            self._title = self._completion_title
        super()._finish()
        if self._remove_on_exit:
            output_clear()


def _titled(title: str | None, subtitle: str | None) -> str:
    return " — ".join(part for part in (title, subtitle) if part)


class spinner:
    """``with mo.status.spinner(title="Loading...") as s: ... s.update("Almost")``."""

    def __init__(
        self, title: str | None = None, subtitle: str | None = None, remove_on_exit: bool = True
    ) -> None:
        self._title = title or "Loading..."
        self._subtitle = subtitle
        self._remove_on_exit = remove_on_exit

    def _show(self) -> None:
        from kernels.marimo_compat._display import Html

        subtitle = (f'<div class="pg-spinner-subtitle">{html.escape(self._subtitle)}</div>'
                    if self._subtitle else "")
        output_replace(Html(
            f'<div class="pg-spinner" role="status">{html.escape(self._title)}{subtitle}</div>'
        ))

    def update(self, title: str | None = None, subtitle: str | None = None) -> None:
        if title is not None:
            self._title = title
        if subtitle is not None:
            self._subtitle = subtitle
        self._show()

    def __enter__(self) -> spinner:
        self._show()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._remove_on_exit:
            output_clear()


__all__ = ["progress_bar", "spinner"]
