"""What notebook users reach for: undo of cell changes, run keys, command mode, the shortcut list.

Each test drives /play with the keyboard and the mouse as a person would and
checks what the page and the kernel then show.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.notebook_page import NotebookPage, exact_text


def test_a_deleted_cell_comes_back_with_undo_and_its_names_with_it(notebook: NotebookPage) -> None:
    notebook.open_notebook("base = 20", "base * 2")
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("40"))
    first_id = notebook.cell_ids()[0]

    notebook.delete(notebook.cell(0))
    expect(notebook.cells).to_have_count(1)
    notice = notebook.root.get_by_test_id("undo-notice")
    expect(notice).to_contain_text("Cell 'base' deleted")  # by its label, not its id
    expect(notebook.error(notebook.cell(0))).to_contain_text("base")  # its reader lost the name

    notice.get_by_test_id("undo").click()
    expect(notebook.cells).to_have_count(2)
    assert notebook.cell_ids()[0] == first_id
    expect(notebook.editor(notebook.cell(0))).to_contain_text("base = 20")
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("40"))
    expect(notice).to_be_hidden()


def test_ctrl_z_outside_an_editor_undoes_adding_and_moving_cells(notebook: NotebookPage) -> None:
    notebook.open_notebook("a = 1", "b = 2")
    ids = notebook.cell_ids()
    notebook.cell(1).hover()
    notebook.cell(1).get_by_test_id("move-cell-up").click()
    expect(notebook.cells.first).to_have_attribute("data-cell-id", ids[1])
    added = notebook.add_code_cell()
    expect(notebook.cells).to_have_count(3)

    notebook.root.get_by_test_id("kernel-status").click()  # focus leaves the editors
    notebook.page.keyboard.press("ControlOrMeta+z")
    expect(added).to_have_count(0)
    notebook.page.keyboard.press("ControlOrMeta+z")
    expect(notebook.cells.first).to_have_attribute("data-cell-id", ids[0])


def test_ctrl_enter_runs_in_place_and_alt_enter_adds_a_cell_below(notebook: NotebookPage) -> None:
    notebook.open_notebook("1 + 1")
    cell = notebook.cell(0)
    notebook.set_code(cell, "6 * 7")
    notebook.page.keyboard.press("Control+Enter")
    expect(notebook.output(cell)).to_have_text(exact_text("42"))
    expect(notebook.cells).to_have_count(1)
    expect(notebook.editor(cell)).to_have_text("6 * 7")  # no new line typed

    notebook.set_code(cell, "6 * 8")
    notebook.page.keyboard.press("Alt+Enter")
    expect(notebook.output(cell)).to_have_text(exact_text("48"))
    expect(notebook.cells).to_have_count(2)
    # The new cell is below and is being edited.
    notebook.page.keyboard.insert_text("typed_below = 1")
    expect(notebook.editor(notebook.cell(1))).to_contain_text("typed_below = 1")


def test_command_mode_moves_inserts_deletes_and_converts_cells(notebook: NotebookPage) -> None:
    notebook.open_notebook("x = 1", "y = 2")
    keyboard = notebook.page.keyboard
    notebook.editor(notebook.cell(0)).click()
    keyboard.press("Escape")
    first = notebook.cell(0)
    expect(first).to_be_focused()

    keyboard.press("ArrowDown")
    expect(notebook.cell(1)).to_be_focused()
    keyboard.press("b")  # a code cell below the second
    expect(notebook.cells).to_have_count(3)
    expect(notebook.cell(2)).to_be_focused()
    keyboard.press("a")  # and one above it
    expect(notebook.cells).to_have_count(4)
    expect(notebook.cell(2)).to_be_focused()

    keyboard.press("d")
    expect(notebook.cells).to_have_count(4)  # one d does nothing
    keyboard.press("d")
    expect(notebook.cells).to_have_count(3)

    keyboard.press("ArrowUp")
    keyboard.press("ArrowUp")
    expect(notebook.cell(0)).to_be_focused()
    keyboard.press("m")
    expect(notebook.cell(0)).to_have_attribute("data-kind", "markdown")
    keyboard.press("y")
    expect(notebook.cell(0)).to_have_attribute("data-kind", "code")
    expect(notebook.editor(notebook.cell(0))).to_contain_text("x = 1")

    keyboard.press("z")  # back to markdown
    expect(notebook.cell(0)).to_have_attribute("data-kind", "markdown")

    keyboard.press("Enter")
    expect(notebook.editor(notebook.cell(0))).to_be_focused()


def test_completion_closes_when_the_cell_runs_and_lists_each_name_once(
    notebook: NotebookPage,
) -> None:
    notebook.open_notebook("value_one = 1", "value_two = 2")
    cell = notebook.add_code_cell("value_one = 3\nvalue")
    notebook.type_code(cell, "_")
    popup = notebook.root.locator(".cm-tooltip-autocomplete")
    expect(popup).to_be_visible()
    # value_one is defined by this cell and by another: listed once.
    expect(popup.get_by_text("value_one", exact=True)).to_have_count(1)
    notebook.page.keyboard.press("Shift+Enter")
    expect(popup).to_have_count(0)


def test_question_mark_opens_the_shortcut_list(notebook: NotebookPage) -> None:
    notebook.open_notebook("1")
    notebook.root.get_by_test_id("kernel-status").click()
    notebook.page.keyboard.press("?")
    dialog = notebook.root.get_by_test_id("shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Alt-Enter")


def test_find_and_replace_across_cells(notebook: NotebookPage) -> None:
    notebook.open_notebook("speed = 3", "speed * 2", "limit = speed + 1\nlimit")
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("6"))
    notebook.editor(notebook.cell(0)).click()
    notebook.page.keyboard.press("ControlOrMeta+f")
    panel = notebook.root.get_by_test_id("find-panel")
    expect(panel).to_be_visible()
    find = panel.get_by_test_id("find-input")
    expect(find).to_be_focused()
    find.fill("Speed")
    count = panel.get_by_test_id("find-count")
    expect(count).to_have_text("1 of 3 in 3 cells")  # not case sensitive by default
    panel.get_by_test_id("find-case").check()
    expect(count).to_have_text("no matches")
    panel.get_by_test_id("find-case").uncheck()

    find.press("Enter")
    expect(count).to_have_text("2 of 3 in 3 cells")
    expect(notebook.cell(1).locator(".cm-find-current")).to_have_text("speed")

    # Replace one, then the rest; a replacement holding the text is not found again.
    panel.get_by_test_id("replace-input").fill("speed_kmh")
    panel.get_by_test_id("replace-one").click()
    expect(notebook.editor(notebook.cell(1))).to_have_text("speed_kmh * 2")
    expect(count).to_contain_text("of 3")  # speed_kmh contains the query too
    panel.get_by_test_id("replace-all").click()
    expect(notebook.editor(notebook.cell(0))).to_have_text("speed_kmh = 3")
    expect(notebook.editor(notebook.cell(1))).to_have_text("speed_kmh_kmh * 2")
    expect(notebook.editor(notebook.cell(2))).to_contain_text("limit = speed_kmh + 1")

    find.press("Escape")
    expect(panel).to_be_hidden()
    expect(notebook.root.locator(".cm-find-match")).to_have_count(0)
    # The renamed notebook still runs as a whole.
    notebook.editor(notebook.cell(1)).click()
    notebook.set_code(notebook.cell(1), "speed_kmh * 2")
    notebook.run_all()
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("6"))
    expect(notebook.output(notebook.cell(2))).to_have_text(exact_text("4"))


def test_the_starter_teaches_markdown_ui_elements_and_packages(notebook: NotebookPage) -> None:
    notebook.open()
    notebook.wait_until_settled()
    expect(notebook.cells).to_have_count(3)
    expect(notebook.cell(0).locator(".markdown-rendered h1")).to_have_text("Welcome to Playground")
    expect(notebook.editor(notebook.cell(2))).to_contain_text("install when a cell imports them")
    total = notebook.output(notebook.cell(2))
    expect(total).to_have_text(exact_text("385"))  # 1 + 4 + ... + 100
    slider = notebook.root.get_by_role("slider", name="How many squares")
    slider.focus()
    notebook.page.keyboard.press("ArrowLeft")
    expect(total).to_have_text(exact_text("285"))  # without 100
