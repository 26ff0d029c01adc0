"""A notebook's folder in the browser (docs/folders.md): the editor's files panel,
the folder as Python's working directory in the framed playground, what Python
writes saved back, helper modules re-imported when they change, and a viewer's
writes kept in the viewer's browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.accounts_flow import framed_notebook, new_notebook, sign_up_and_verify
from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService

SAVED = re.compile(r"Saved · revision \d+")


def panel(page: Page) -> Locator:
    return page.get_by_test_id("files-panel")


def file_row(page: Page, path: str) -> Locator:
    return panel(page).locator(f'[data-testid=file-row][data-path="{path}"]')


def upload(page: Page, *files: Path) -> None:
    """Choose files with the panel's Upload (one request) and wait until the panel lists them."""
    panel(page).get_by_test_id("files-upload-input").set_input_files([str(f) for f in files])
    for file in files:
        expect(file_row(page, file.name)).to_be_visible()
    expect(panel(page)).to_have_attribute("data-state", "idle")


def save(page: Page) -> None:
    page.get_by_test_id("host-save").click()
    expect(page.get_by_test_id("save-status")).to_have_text(SAVED)


def test_an_uploaded_csv_is_read_listed_and_what_python_writes_is_saved(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "Scores")
    expect(panel(owner).get_by_test_id("files-empty")).to_be_visible()

    data = tmp_path / "scores.csv"
    data.write_text("name,score\nada,3\nbob,4\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    upload(owner, data, notes)
    expect(file_row(owner, "scores.csv").get_by_test_id("file-size")).to_have_text("23 B")
    expect(panel(owner).get_by_test_id("files-summary")).to_have_text("2 files · 28 B")

    reader = notebook.cell(0)
    notebook.set_code(
        reader,
        "import csv, os\n"
        "with open('scores.csv') as f:\n"
        "    total = sum(int(row['score']) for row in csv.DictReader(f))\n"
        "print(sorted(os.listdir()), os.path.getsize('scores.csv'), total)",
    )
    notebook.run_with_shift_enter(reader)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(
        exact_text("['notes.txt', 'scores.csv'] 23 7")
    )

    writer = notebook.add_code_cell(
        "from pathlib import Path\nPath('out/result.txt').parent.mkdir(exist_ok=True)\n"
        "Path('out/result.txt').write_text(f'total={total}')"
    )
    notebook.run_with_shift_enter(writer)
    expect(file_row(owner, "out/result.txt")).to_be_visible()
    expect(file_row(owner, "out/result.txt").get_by_test_id("file-size")).to_have_text("7 B")
    save(owner)

    # After a reload the file comes from the server's folder, for the panel and Python.
    owner.reload()
    again = framed_notebook(owner)
    expect(file_row(owner, "out/result.txt")).to_be_visible()
    check = again.add_code_cell("print(open('out/result.txt').read(), sorted(os.listdir()))")
    again.run_with_shift_enter(check)
    expect(check.get_by_test_id("cell-stdout")).to_have_text(
        exact_text("total=7 ['notes.txt', 'out', 'scores.csv']")
    )

    # Deleting in the panel takes the file away from Python too (confirm() is accepted).
    file_row(owner, "notes.txt").get_by_test_id("file-delete").click()
    expect(file_row(owner, "notes.txt")).to_have_count(0)
    again.run_with_shift_enter(check)
    expect(check.get_by_test_id("cell-stdout")).to_have_text(
        exact_text("total=7 ['out', 'scores.csv']")
    )

    # A refused change is said in words and changes nothing.
    owner.evaluate("window.prompt = () => '../outside.txt'")
    file_row(owner, "scores.csv").get_by_test_id("file-rename").click()
    expect(panel(owner).get_by_test_id("files-error")).to_be_visible()
    expect(panel(owner).get_by_test_id("files-error")).not_to_have_text("")
    expect(panel(owner).get_by_test_id("file-row")).to_have_count(2)

    # Download goes through the notebook's route to the file's bytes.
    with owner.expect_download() as download:
        file_row(owner, "scores.csv").get_by_test_id("file-download").click()
    assert Path(download.value.path()).read_text() == data.read_text()


def test_a_replaced_helper_module_reruns_the_cells_that_import_it(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "Helpers")
    helpers = tmp_path / "helpers.py"
    helpers.write_text("VALUE = 1\n")
    upload(owner, helpers)

    importer = notebook.cell(0)
    notebook.set_code(importer, "import helpers\nvalue = helpers.VALUE\nvalue")
    notebook.run_with_shift_enter(importer)
    expect(notebook.output(importer)).to_have_text(exact_text("1"))
    reader = notebook.add_code_cell("value * 10")
    notebook.run_with_shift_enter(reader)
    expect(notebook.output(reader)).to_have_text(exact_text("10"))

    # Same size, same second: the new module must still be read (no stale bytecode).
    helpers.write_text("VALUE = 2\n")
    upload(owner, helpers)
    expect(notebook.output(importer)).to_have_text(exact_text("2"))
    expect(notebook.output(reader)).to_have_text(exact_text("20"))


def test_a_viewers_writes_stay_in_the_viewers_browser(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "Shared folder")
    editor_url = owner.url
    data = tmp_path / "data.txt"
    data.write_text("owner's")
    upload(owner, data)
    notebook.set_code(notebook.cell(0), "text = open('data.txt').read()\ntext")
    notebook.run_with_shift_enter(notebook.cell(0))
    expect(notebook.output(notebook.cell(0))).to_have_text(exact_text("\"owner's\""))
    save(owner)
    owner.get_by_test_id("share-link-page").click()
    owner.get_by_test_id("link-role").select_option("view")
    owner.get_by_test_id("link-show-code").set_checked(True)
    owner.get_by_test_id("link-create").click()
    link = owner.get_by_test_id("link-url").first.input_value()

    visitor = new_context(app=True).new_page()
    visitor.goto(link)
    shared = framed_notebook(visitor)
    expect(shared.output(shared.cell(0))).to_have_text(exact_text("\"owner's\""))
    expect(file_row(visitor, "data.txt")).to_be_visible()
    # Viewers get the list and Download only.
    expect(panel(visitor).get_by_test_id("files-upload")).to_have_count(0)
    expect(file_row(visitor, "data.txt").get_by_test_id("file-rename")).to_have_count(0)
    expect(file_row(visitor, "data.txt").get_by_test_id("file-delete")).to_have_count(0)

    visitor.get_by_test_id("toggle-code").click()
    code_view = framed_notebook(visitor)
    writer = code_view.add_code_cell("open('data.txt', 'w').write('visitor was here')")
    code_view.run_with_shift_enter(writer)
    expect(panel(visitor).get_by_test_id("files-notice")).to_have_text(
        "Changes Python makes to files stay in this browser: you can't edit this notebook."
    )
    reader = code_view.add_code_cell("print(open('data.txt').read())")
    code_view.run_with_shift_enter(reader)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("visitor was here"))

    # The owner's folder and Python never saw it.
    owner.goto(editor_url)
    mine = framed_notebook(owner)
    expect(file_row(owner, "data.txt").get_by_test_id("file-size")).to_have_text("7 B")
    expect(mine.output(mine.cell(0))).to_have_text(exact_text("\"owner's\""))

    # An embed of the same link (user-content site, no host page) mounts the folder too.
    token = link.rstrip("/").rsplit("/", 1)[-1]
    embedded = NotebookPage(new_context().new_page()).open(f"/embed/{token}")
    expect(embedded.output(embedded.cell(0))).to_have_text(exact_text("\"owner's\""))


def test_restoring_a_revision_brings_back_its_data_and_a_fork_has_the_files(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "Versions")
    data = tmp_path / "data.csv"
    data.write_text("v\n1\n")
    upload(owner, data)
    reader = notebook.cell(0)
    notebook.set_code(reader, "open('data.csv').read().split()[-1]")
    notebook.run_with_shift_enter(reader)
    expect(notebook.output(reader)).to_have_text(exact_text("'1'"))
    save(owner)
    first = int(re.search(r"revision (\d+)", owner.get_by_test_id("save-status").inner_text())[1])
    data.write_text("v\n2\n")
    upload(owner, data)
    notebook.run_with_shift_enter(reader)
    expect(notebook.output(reader)).to_have_text(exact_text("'2'"))
    editor_url = owner.url

    # History: restore the revision saved with the first data; the editor reads it again.
    owner.get_by_test_id("history-link").click()
    owner.locator(f'[data-revision="{first}"] a').click()
    owner.get_by_test_id("revision-restore").click()
    restored = framed_notebook(owner)
    cell = restored.cell(0)
    restored.run_with_shift_enter(cell)
    expect(restored.output(cell)).to_have_text(exact_text("'1'"))

    # Made public, someone else forks it: the fork has the folder, for its Python too.
    owner.goto(editor_url.rstrip("/") + "/share")
    owner.get_by_test_id("visibility-public").check()
    owner.get_by_role("button", name="Save visibility").click()
    other = new_context(app=True).new_page()
    sign_up_and_verify(other, service)
    other.goto(editor_url)
    other.get_by_test_id("fork").first.click()
    fork = framed_notebook(other)
    expect(file_row(other, "data.csv")).to_be_visible()
    forked_cell = fork.cell(0)
    fork.run_with_shift_enter(forked_cell)
    expect(fork.output(forked_cell)).to_have_text(exact_text("'1'"))
