"""Cells have names people understand: headers, errors and panels say `base` or `cell 3`, never `zEsS`.

Also: a syntax error shows its line once, the line with a caret, and a squiggle
in the editor that goes when the cell is edited or fixed and run.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from kernels.runtime.analysis import analyze_cell
from kernels.runtime.formats import dumps_notebook
from kernels.runtime.notebook import Cell, Notebook, cell_labels
from tests.browser.notebook_page import NotebookPage, exact_text, play_url
from tests.runtime.cell_label_cases import LABEL_CASES


def label(cell: Locator) -> Locator:
    return cell.get_by_test_id("cell-label")


def test_cell_headers_show_the_labels_the_kernel_uses(notebook: NotebookPage) -> None:
    # Every case of the shared table in one notebook: the page must label each cell
    # exactly as kernels.runtime.notebook.cell_labels does (so errors and headers agree).
    cells = [cell for case_cells, _ in LABEL_CASES.values() for cell in case_cells]
    expected = cell_labels(
        (kind, code, sorted(analyze_cell(code).defs) if kind == "code" else [])
        for kind, code in cells
    )
    source = dumps_notebook(
        Notebook(cells=[Cell(code=code, kind=kind) for kind, code in cells]), "playground"  # type: ignore[arg-type]
    )
    notebook.open(play_url(source))
    expect(notebook.cells).to_have_count(len(cells))
    labels = notebook.root.get_by_test_id("cell-label")
    expect(labels).to_have_text(expected)
    # The id is only a tooltip; the cell keeps it for links and tests.
    first_id = notebook.cell_ids()[0]
    expect(labels.first).to_have_attribute("title", f"cell id: {first_id}")
    expect(notebook.cells.first).to_have_attribute("aria-label", f"code cell '{expected[0]}'")


def test_a_label_follows_what_the_cell_defines(notebook: NotebookPage) -> None:
    notebook.open_notebook("1 + 1")
    first = notebook.cell(0)
    expect(label(first)).to_have_text("cell 1")
    added = notebook.add_code_cell()
    expect(label(added)).to_have_text("cell 2")

    notebook.type_code(added, "speed = 3\ndistance = speed * 2")

    # The kernel's cell_analysis for the edit renames it.
    expect(label(added)).to_have_text("distance, speed")
    added.hover()
    added.get_by_test_id("move-cell-up").click()
    expect(label(first)).to_have_text("cell 2")
    # A cell made markdown (`m` in command mode) is a new view under the same id: labelled too.
    notebook.editor(first).click()
    notebook.page.keyboard.press("Escape")
    notebook.page.keyboard.press("m")
    expect(first).to_have_attribute("data-kind", "markdown")
    expect(label(first)).to_have_text("cell 2")


def test_an_ancestor_failed_error_names_the_parent_by_its_label(notebook: NotebookPage) -> None:
    notebook.open_notebook("base = 1 / 0", "base * 2")
    parent, child = notebook.cell(0), notebook.cell(1)
    parent_id = notebook.cell_ids()[0]
    error = notebook.error(child)
    expect(error).to_contain_text(
        "an ancestor failed: cell 'base' did not run successfully, so this cell was not run"
    )
    expect(error).not_to_contain_text(parent_id)
    # The error links to the cell it names (by its id underneath).
    link = error.locator(f'[data-target-cell="{parent_id}"]')
    expect(link).to_have_text("base")
    link.click()
    expect(parent).to_have_class(re.compile(r"\bselected\b"))


def test_the_links_and_variables_panels_show_labels(notebook: NotebookPage) -> None:
    notebook.open_notebook("base = 3", "rate = base * 2", "print(rate)")
    base, rate, printer = notebook.cell(0), notebook.cell(1), notebook.cell(2)
    ids = notebook.cell_ids()
    expect(notebook.variable("rate")).to_be_visible()

    notebook.editor(rate).click()
    links = notebook.root.get_by_test_id("cell-links")
    expect(links).to_contain_text("cell 'rate'")
    expect(links.get_by_test_id("reads-from")).to_have_text(exact_text("base"))
    expect(links.get_by_test_id("feeds")).to_have_text(exact_text("cell 3"))
    expect(notebook.variable("rate").locator("[data-target-cell]")).to_have_text("rate")
    expect(notebook.variable("base").locator("[data-target-cell]")).to_have_text("base")
    for cell_id in ids:
        expect(links).not_to_contain_text(cell_id)
        expect(notebook.variables).not_to_contain_text(cell_id)

    # The label changes with what the cell defines; the panels follow.
    notebook.set_code(base, "base = 3\nextra = 1")
    notebook.run_with_shift_enter(base)
    expect(label(base)).to_have_text("base, extra")
    expect(notebook.variable("base").locator("[data-target-cell]")).to_have_text("base, extra")
    notebook.editor(rate).click()
    expect(links.get_by_test_id("reads-from")).to_have_text(exact_text("base, extra"))
    expect(label(printer)).to_have_text("cell 3")


def squiggles(notebook: NotebookPage, cell: Locator) -> Locator:
    return notebook.editor(cell).locator(".cm-error-squiggle")


def test_a_syntax_error_shows_its_line_once_with_a_caret_and_a_squiggle(notebook: NotebookPage) -> None:
    notebook.open_notebook("x = 1\ntotal = x +* 2", "s = '😀é' +* 2")
    cell, wide = notebook.cell(0), notebook.cell(1)
    error = notebook.error(cell)

    expect(error.locator(".error-message")).to_have_text(exact_text("invalid syntax (line 2, column 12)"))
    assert error.inner_text().count("line 2") == 1, error.inner_text()
    # The line, and a caret under column 12 (the `*`).
    expect(error.get_by_test_id("cell-error-source")).to_have_js_property(
        "textContent", "total = x +* 2\n" + " " * 11 + "^"
    )
    squiggle = squiggles(notebook, cell)
    expect(squiggle).to_have_count(1)
    expect(squiggle).to_have_text("*")
    line_number = squiggle.evaluate(
        "mark => [...mark.closest('.cm-content').children].indexOf(mark.closest('.cm-line')) + 1"
    )
    assert line_number == 2
    # Columns count characters: an emoji before the error does not shift the squiggle.
    expect(squiggles(notebook, wide)).to_have_text("*")
    expect(notebook.error(wide).get_by_test_id("cell-error-source")).to_have_js_property(
        "textContent", "s = '😀é' +* 2\n" + " " * 10 + "^"
    )

    # Editing the cell takes the squiggle away (it pointed at the old text).
    notebook.type_code(cell, " ")
    expect(squiggle).to_have_count(0)
    # Run again still broken: it is back. Fixed and run: gone, with the error.
    notebook.run_with_shift_enter(cell)
    expect(squiggle).to_have_text("*")
    notebook.set_code(cell, "x = 1\ntotal = x * 2")
    notebook.run_with_shift_enter(cell)
    expect(cell).to_have_attribute("data-status", "idle")
    expect(squiggle).to_have_count(0)
    expect(error).to_be_hidden()
