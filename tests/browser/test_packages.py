"""Installing packages from the /wheels/ proxy, backed by the loopback index of conftest.py."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.notebook_page import NotebookPage
from tests.browser.wheel_index import (
    NATIVE_PROJECT,
    NEEDS_NATIVE_PROJECT,
    PURE_GREETING,
    PURE_PROJECT,
    RunningIndex,
)

# Installing fetches micropip and the wheel through the service: allow for a slow machine.
INSTALL_TIMEOUT_MS = 60_000


def test_importing_a_package_installs_its_pure_python_wheel(
    notebook: NotebookPage, wheel_index: RunningIndex
) -> None:
    notebook.open_notebook(f"import {PURE_PROJECT}\n{PURE_PROJECT}.hello()", run=False)
    cell = notebook.cell(0)

    notebook.run_with_shift_enter(cell)

    expect(notebook.output(cell)).to_contain_text(PURE_GREETING, timeout=INSTALL_TIMEOUT_MS)
    assert any(path.startswith("/files/pgtest_hello-1.0") for path in wheel_index.requests), (
        f"the wheel did not come through the upstream index: {wheel_index.requests}"
    )


def test_a_package_without_a_pure_python_wheel_gets_a_plain_message(
    notebook: NotebookPage,
) -> None:
    notebook.page.set_default_timeout(INSTALL_TIMEOUT_MS)
    notebook.open_notebook(f"import {NATIVE_PROJECT}", run=False)
    cell = notebook.cell(0)

    notebook.run_with_shift_enter(cell)

    shown = notebook.wait_for_message(cell, re.compile("no pure-python wheel", re.IGNORECASE))
    # One sentence of its own that names the package, not a line buried in a traceback.
    (message,) = [line for line in shown.splitlines() if "pure-python wheel" in line.lower()]
    assert re.search("pgtest[-_]native", message), shown
    assert not message.lstrip().startswith(("File ", "Traceback")), shown


def test_a_package_whose_dependency_cannot_install_says_so_once_and_is_remembered(
    notebook: NotebookPage, wheel_index: RunningIndex
) -> None:
    notebook.page.set_default_timeout(INSTALL_TIMEOUT_MS)
    notebook.open_notebook(f"import {NEEDS_NATIVE_PROJECT}", run=False)
    cell = notebook.cell(0)

    notebook.run_with_shift_enter(cell)

    shown = notebook.wait_for_message(cell, re.compile("cannot be installed in the browser"))
    (message,) = [line for line in shown.splitlines() if "cannot be installed" in line]
    assert re.search(r"needs pgtest[-_]native, which has no pure-Python build", message), shown
    assert "micropip" not in shown and "index_urls" not in shown, shown

    # Opened again: the same sentence, without fetching its wheels again.
    fetched: list[str] = []
    notebook.page.on(
        "request",
        lambda request: fetched.append(request.url) if "/wheels/files/" in request.url else None,
    )
    notebook.page.reload()
    notebook.wait_for_kernel()
    notebook.run_with_shift_enter(notebook.cell(0))
    again = notebook.wait_for_message(notebook.cell(0), re.compile("cannot be installed"))
    assert "needs pgtest" in again
    assert not [url for url in fetched if "needs_native" in url], fetched
