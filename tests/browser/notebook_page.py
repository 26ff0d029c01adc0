"""Driving /play through the DOM hooks of docs/frontend-contract.md, as a user would.

Tests say what they do ("add a cell", "run it", "delete it") and what they see
("the output reads 42"); this module knows which ``data-testid`` each step uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from playwright.sync_api import Frame, Locator, Page, expect

from kernels.runtime.formats import dumps_notebook
from kernels.runtime.notebook import Cell, Notebook
from tests.browser.lzstring import compress_to_encoded_uri_component

# Statuses of a cell whose run is not over (docs/protocol.md, cell_status).
_ACTIVE_STATUSES = ("queued", "running")


def notebook_source(*cells: str) -> str:
    """Our .py format holding one code cell per string, as the Playground writes it."""
    return dumps_notebook(Notebook(cells=[Cell(code=code) for code in cells]), "playground")


def play_url(source: str | None = None, **query: str) -> str:
    """``/play[?query][#code/<lz-string of source>]``, relative to the service."""
    url = "/play"
    if query:
        url += "?" + urlencode(query)
    if source is not None:
        url += "#code/" + compress_to_encoded_uri_component(source)
    return url


def exact_text(value: str) -> re.Pattern[str]:
    """Matches an element whose whole text is ``value`` (surrounding whitespace allowed)."""
    return re.compile(r"^\s*" + re.escape(value) + r"\s*$")


class NotebookPage:
    """One /play tab, or the playground framed by an app page (``root`` is then its frame)."""

    def __init__(self, page: Page, root: Frame | None = None) -> None:
        self.page = page
        self.root: Page | Frame = root or page
        # confirm() and alert() get OK, as from a user who means what they clicked.
        page.on("dialog", lambda dialog: dialog.accept())

    # --- opening -------------------------------------------------------------

    def open(self, url: str = "/play", *, wait_for_kernel: bool = True) -> NotebookPage:
        # A fresh document every time: going from /play#code/a to /play#code/b
        # would only change the hash.
        if self.page.url not in ("", "about:blank"):
            self.page.goto("about:blank")
        self.page.goto(url)
        if wait_for_kernel:
            self.wait_for_kernel()
        return self

    def open_notebook(self, *cells: str, run: bool = True, **query: str) -> NotebookPage:
        """Open a ``#code/`` link holding these code cells; run them all unless told not to."""
        self.open(play_url(notebook_source(*cells), **query))
        expect(self.cells).to_have_count(len(cells))
        if run:
            self.run_all()
        return self

    def wait_for_kernel(self) -> None:
        expect(self.root.get_by_test_id("kernel-status")).to_have_attribute("data-state", "ready")

    # --- cells ---------------------------------------------------------------

    @property
    def cells(self) -> Locator:
        return self.root.get_by_test_id("cell")

    def cell(self, index: int) -> Locator:
        """The cell now at ``index``; the locator keeps following it if cells move or go."""
        expect(self.cells.nth(index)).to_be_attached()
        return self.cell_by_id(self.cell_ids()[index])

    def cell_by_id(self, cell_id: str) -> Locator:
        return self.root.locator(f'[data-testid="cell"][data-cell-id="{cell_id}"]')

    def cell_ids(self) -> list[str]:
        return [
            cell_id
            for cell_id in self.cells.evaluate_all(
                "cells => cells.map(cell => cell.getAttribute('data-cell-id'))"
            )
            if cell_id
        ]

    def add_code_cell(self, code: str | None = None) -> Locator:
        """Click "add cell" and return the new cell (typing ``code`` into it if given)."""
        before = set(self.cell_ids())
        self.root.get_by_test_id("add-cell").last.click()
        expect(self.cells).to_have_count(len(before) + 1)
        (new_id,) = set(self.cell_ids()) - before
        cell = self.cell_by_id(new_id)
        if code is not None:
            self.set_code(cell, code)
        return cell

    def editor(self, cell: Locator) -> Locator:
        return cell.get_by_test_id("cell-editor").locator(".cm-content")

    def set_code(self, cell: Locator, code: str) -> None:
        """Replace the cell's code, as a paste would (no autocompletion, no auto-indent)."""
        editor = self.editor(cell)
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(code)
        expect(editor).to_contain_text(code.splitlines()[0] if code else "")

    def type_code(self, cell: Locator, code: str) -> None:
        """Type ``code`` key by key into the cell's editor (at the end of its text)."""
        self.editor(cell).click()
        self.page.keyboard.press("ControlOrMeta+End")
        self.page.keyboard.type(code)

    def code_of(self, cell: Locator) -> str:
        return self.editor(cell).inner_text()

    def run_with_shift_enter(self, cell: Locator) -> None:
        self.editor(cell).click()
        self.page.keyboard.press("Shift+Enter")

    def delete(self, cell: Locator) -> None:
        cell.hover()
        cell.get_by_test_id("delete-cell").click()

    def run_all(self) -> None:
        """Click "run all" and wait until no cell is queued or running."""
        self.root.get_by_test_id("run-all").click()
        self.wait_until_settled()

    def wait_until_settled(self, cells: Iterable[Locator] | None = None) -> None:
        """Wait until the kernel is ready and none of ``cells`` (default: all) is still active."""
        self.wait_for_kernel()
        for cell in cells if cells is not None else self.cells.all():
            for status in _ACTIVE_STATUSES:
                expect(cell).not_to_have_attribute("data-status", status)

    # --- what a cell shows ---------------------------------------------------

    def output(self, cell: Locator) -> Locator:
        return cell.get_by_test_id("cell-output")

    def error(self, cell: Locator) -> Locator:
        return cell.get_by_test_id("cell-error")

    def wait_for_message(self, cell: Locator, pattern: re.Pattern[str]) -> str:
        """Wait until the cell shows text matching ``pattern`` outside its editor; return it all."""
        handle = self.root.wait_for_function(
            """([cell, source, flags]) => {
                const text = [...cell.children]
                    .filter(child => child.getAttribute("data-testid") !== "cell-editor")
                    .map(child => child.innerText || "")
                    .join("\\n");
                return new RegExp(source, flags).test(text) ? text : null;
            }""",
            arg=[
                cell.element_handle(),
                pattern.pattern,
                "i" if pattern.flags & re.IGNORECASE else "",
            ],
        )
        return str(handle.json_value())

    def outputs_text(self) -> list[str]:
        """Every cell's output area text, in notebook order."""
        return [
            self.output(cell).inner_text().strip() if self.output(cell).count() else ""
            for cell in self.cells.all()
        ]

    # --- panels --------------------------------------------------------------

    @property
    def variables(self) -> Locator:
        return self.root.get_by_test_id("variables")

    def variable(self, name: str) -> Locator:
        return self.variables.locator(f'[data-variable="{name}"]')
