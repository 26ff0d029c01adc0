"""Nothing typed is lost, whatever the kernel is doing: a cell that never ends, a crash, a restart.

The editor's text belongs to the page: saving, autosave, the unload guard and the
copy kept in the browser work while Python is stuck in a loop or dead, because the
notebook file is written by a worker that never runs notebook code.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Dialog, expect

from tests.browser.accounts_flow import framed_notebook, new_notebook, sign_up_and_verify
from tests.browser.notebook_page import NotebookPage, exact_text, notebook_source, play_url
from tests.browser.service import RunningService
from tests.stoppable_s3 import StoppableS3

NEVER_ENDS = "while True:\n    pass"


def _start_a_cell_that_never_ends(notebook: NotebookPage) -> None:
    notebook.set_code(notebook.cell(0), NEVER_ENDS)
    notebook.run_with_shift_enter(notebook.cell(0))
    expect(notebook.cell(0)).to_have_attribute("data-status", "running")
    expect(notebook.root.get_by_test_id("kernel-status")).to_have_attribute("data-state", "busy")


def test_a_cell_typed_while_another_never_ends_is_saved(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Busy")
    _start_a_cell_that_never_ends(notebook)

    notebook.add_code_cell("typed_while_busy = 1")
    status = page.get_by_test_id("save-status")
    expect(status).to_have_text("Unsaved changes")
    page.get_by_test_id("host-save").click()
    expect(status).to_have_text("Saved · revision 2")

    # The saved file has both cells: a fresh page opens them from the server.
    again = page.context.new_page()
    again.goto(page.url)
    reopened = framed_notebook(again, wait_for_kernel=False)  # its first cell runs forever
    expect(reopened.cells).to_have_count(2)
    expect(reopened.editor(reopened.cell(1))).to_contain_text("typed_while_busy = 1")


def test_a_dead_kernel_still_saves_and_restart_brings_python_back(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Crash")
    # An error thrown in the worker outside Python: the page sees the worker crash.
    notebook.set_code(
        notebook.cell(0),
        "import js\njs.eval(\"setTimeout(() => { throw new Error('worker down') })\")",
    )
    notebook.run_with_shift_enter(notebook.cell(0))
    kernel_status = notebook.root.get_by_test_id("kernel-status")
    expect(kernel_status).to_have_attribute("data-state", "dead")

    notebook.add_code_cell("after_the_crash = 2")
    page.get_by_test_id("host-save").click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved · revision 2")

    # Restart: a fresh Python runs what is on screen; nothing typed is gone.
    notebook.set_code(notebook.cell(0), "before = 40")
    notebook.set_code(notebook.cell(1), "before + 2")
    notebook.root.get_by_test_id("restart").click()
    expect(kernel_status).to_have_attribute("data-state", "ready")
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("42"))
    page.get_by_test_id("host-save").click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved · revision 3")


def test_restart_stops_a_cell_that_never_ends_and_keeps_the_text(notebook: NotebookPage) -> None:
    # A link runs as it opens: its first cell never ends.
    notebook.open(play_url(notebook_source(NEVER_ENDS, "2 * 21")), wait_for_kernel=False)
    expect(notebook.cell(0)).to_have_attribute("data-status", "running")
    notebook.set_code(notebook.cell(0), "stopped = 'by restart'")
    notebook.root.get_by_test_id("restart").click()
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("42"))
    expect(notebook.editor(notebook.cell(0))).to_contain_text("stopped = 'by restart'")


def test_changes_made_while_storage_is_down_survive_closing_the_tab(
    new_context: Callable[..., BrowserContext],
    service: RunningService,
    object_storage: StoppableS3,
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Outage and a loop")
    url = page.url
    _start_a_cell_that_never_ends(notebook)

    object_storage.stop()
    try:
        notebook.add_code_cell("typed_during_the_outage = 3")
        page.get_by_test_id("host-save").click()
        status = page.get_by_test_id("save-status")
        expect(status).to_have_attribute("data-state", "error")

        # Closing the tab asks first.
        asked: list[Dialog] = []
        page.on("dialog", lambda dialog: asked.append(dialog))
        with page.expect_event("close"):
            page.close(run_before_unload=True)
        assert [dialog.type for dialog in asked] == ["beforeunload"]
    finally:
        object_storage.start()

    # Leaving anyway: the next visit offers what this browser kept, and saves it.
    reopened_page = context.new_page()
    reopened_page.goto(url)
    reopened = framed_notebook(reopened_page, wait_for_kernel=False)
    notice = reopened_page.get_by_test_id("revision-notice")
    expect(notice).to_contain_text("not saved")
    reopened_page.get_by_test_id("kept-copy-restore").click()
    expect(reopened_page.get_by_test_id("save-status")).to_have_text("Saved · revision 2")
    expect(reopened.cells).to_have_count(2)
    expect(reopened.editor(reopened.cell(1))).to_contain_text("typed_during_the_outage = 3")


def test_a_lost_connection_keeps_the_text_and_saves_when_it_is_back(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Offline")
    status = page.get_by_test_id("save-status")

    context.set_offline(True)
    try:
        notebook.set_code(notebook.cell(0), "typed_offline = 4")
        page.get_by_test_id("host-save").click()
        expect(status).to_have_attribute("data-state", "error")
        # Kept in this browser meanwhile: a crash now would not lose it.
        kept = page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('playground:unsaved:'))"
            ".map(k => localStorage.getItem(k))"
        )
        assert len(kept) == 1 and "typed_offline = 4" in kept[0]
    finally:
        context.set_offline(False)

    page.get_by_test_id("host-save").click()
    expect(status).to_have_text("Saved · revision 2")
    assert page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('playground:unsaved:')).length"
    ) == 0
