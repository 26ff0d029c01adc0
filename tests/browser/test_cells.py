"""Editing and running cells on /play: what a user types, runs, deletes and interrupts."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Route, expect

from tests.browser.notebook_page import NotebookPage, exact_text


def test_typed_cell_runs_on_shift_enter(notebook: NotebookPage) -> None:
    notebook.open()

    cell = notebook.add_code_cell()
    notebook.type_code(cell, "6 * 7")
    notebook.run_with_shift_enter(cell)

    expect(notebook.output(cell)).to_have_text(exact_text("42"))
    expect(cell).to_have_attribute("data-status", "idle")


def test_editing_an_upstream_cell_updates_the_downstream_output(notebook: NotebookPage) -> None:
    notebook.open_notebook("base = 3", "base * 1000")
    upstream, downstream = notebook.cell(0), notebook.cell(1)
    expect(notebook.output(downstream)).to_have_text(exact_text("3000"))

    notebook.set_code(upstream, "base = 5")
    notebook.run_with_shift_enter(upstream)

    expect(notebook.output(downstream)).to_have_text(exact_text("5000"))


def test_deleting_a_cell_reports_the_missing_name_and_drops_its_variables(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook("radius = 7", "area = radius * 3\narea")
    defining, reading = notebook.cell(0), notebook.cell(1)
    expect(notebook.output(reading)).to_have_text(exact_text("21"))
    expect(notebook.variable("radius")).to_be_visible()
    expect(notebook.variable("area")).to_be_visible()

    notebook.delete(defining)

    expect(notebook.cells).to_have_count(1)
    expect(notebook.error(reading)).to_contain_text("NameError")
    expect(notebook.error(reading)).to_contain_text("radius")
    expect(notebook.variable("radius")).to_have_count(0)
    # The reading cell failed, so the name it defined is gone too.
    expect(notebook.variable("area")).to_have_count(0)


def test_interrupt_stops_an_endless_loop_and_later_cells_still_run(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook("later = 'not run yet'")
    later = notebook.cell(0)
    loop = notebook.add_code_cell("print('spinning')\nwhile True:\n    pass")

    notebook.run_with_shift_enter(loop)
    # It printed: the cell's own loop is what runs now (no sleep to let it start).
    expect(loop.get_by_test_id("cell-stdout")).to_have_text(exact_text("spinning"))
    expect(loop).to_have_attribute("data-status", "running")
    expect(notebook.page.get_by_test_id("kernel-status")).to_have_attribute("data-state", "busy")

    notebook.page.get_by_test_id("interrupt").click()
    clicked = time.monotonic()

    # The loop never ends by itself, so an "interrupted" error proves the button stopped
    # it. How fast is a figure (the README says within a second), printed, not a limit.
    expect(notebook.error(loop)).to_contain_text(re.compile("interrupt", re.IGNORECASE))
    print(f"the loop stopped {time.monotonic() - clicked:.2f} s after the click")
    notebook.wait_for_kernel()

    notebook.set_code(later, "after_interrupt = 6 * 7\nafter_interrupt")
    notebook.run_with_shift_enter(later)
    expect(notebook.output(later)).to_have_text(exact_text("42"))


def test_stop_pressed_while_python_starts_does_not_break_the_start(
    notebook: NotebookPage,
) -> None:
    page = notebook.page
    held: list[Route] = []
    # Python's start waits for the runtime's wheel until the test lets it through.
    page.context.route("**/playground_runtime-*.whl", lambda route: held.append(route))
    with page.context.expect_event("request", lambda r: "playground_runtime-" in r.url):
        notebook.open("/play", wait_for_kernel=False)
    expect(page.get_by_test_id("kernel-status")).to_have_attribute("data-state", "booting")
    assert held, "the start did not ask for the runtime's wheel"

    page.get_by_test_id("interrupt").click()
    for route in held:
        route.continue_()

    notebook.wait_for_kernel()
    cell = notebook.add_code_cell("6 * 7")
    notebook.run_with_shift_enter(cell)
    expect(notebook.output(cell)).to_have_text(exact_text("42"))


def test_variables_panel_shows_each_variable_with_its_type(notebook: NotebookPage) -> None:
    notebook.open_notebook("answer = 42", "greeting = 'hello'", "ratios = [0.5, 0.25]")

    expect(notebook.variable("answer")).to_contain_text("int")
    expect(notebook.variable("greeting")).to_contain_text("str")
    expect(notebook.variable("ratios")).to_contain_text("list")
