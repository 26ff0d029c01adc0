"""Files of the anonymous playground's drafts (docs/folders.md, "Files in /play"):
kept in the browser with the draft, Python's working directory, what Python writes
kept too, each draft its own folder; "Save to account" takes them into the new
notebook's folder."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.accounts_flow import framed_notebook, sign_in_here, sign_up_and_verify
from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService


def panel(page: Page) -> Locator:
    return page.get_by_test_id("files-panel")


def file_row(page: Page, path: str) -> Locator:
    return panel(page).locator(f'[data-testid=file-row][data-path="{path}"]')


def upload(page: Page, *files: Path) -> None:
    panel(page).get_by_test_id("files-upload-input").set_input_files([str(f) for f in files])
    for file in files:
        expect(file_row(page, file.name)).to_be_visible()
    expect(panel(page)).to_have_attribute("data-state", "idle")


def run(notebook: NotebookPage, code: str) -> Locator:
    cell = notebook.add_code_cell(code)
    notebook.run_with_shift_enter(cell)
    notebook.wait_until_settled([cell])
    return cell


READ_SCORES = (
    "import csv\n"
    "with open('scores.csv') as f:\n"
    "    total = sum(int(row['score']) for row in csv.DictReader(f))\n"
    "print('total', total)"
)
WRITE_RESULT = (
    "from pathlib import Path\n"
    "Path('out').mkdir(exist_ok=True)\n"
    "Path('out/result.txt').write_text('total=7')"
)


def test_a_drafts_files_are_read_written_kept_and_its_own(page: Page, tmp_path: Path) -> None:
    notebook = NotebookPage(page).open()
    expect(panel(page).get_by_test_id("files-empty")).to_be_visible()
    expect(panel(page).get_by_test_id("files-notice")).to_contain_text("stay in this browser")

    data = tmp_path / "scores.csv"
    data.write_text("name,score\nada,3\nbob,4\n")
    upload(page, data)
    expect(file_row(page, "scores.csv").get_by_test_id("file-size")).to_have_text("23 B")

    reader = run(notebook, READ_SCORES)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("total 7"))
    run(notebook, WRITE_RESULT)
    expect(file_row(page, "out/result.txt")).to_be_visible()
    expect(file_row(page, "out/result.txt").get_by_test_id("file-size")).to_have_text("7 B")
    expect(panel(page).get_by_test_id("files-summary")).to_have_text("2 files · 30 B")

    # A reload opens the draft with its files, for the panel and for Python.
    page.reload()
    notebook.wait_for_kernel()
    expect(file_row(page, "scores.csv")).to_be_visible()
    expect(file_row(page, "out/result.txt")).to_be_visible()
    again = run(notebook, "print(open('out/result.txt').read(), sorted(__import__('os').listdir()))")
    expect(again.get_by_test_id("cell-stdout")).to_have_text(
        exact_text("total=7 ['out', 'scores.csv']")
    )

    # Another notebook (a #code/ link: a new draft) has a folder of its own, empty.
    other = NotebookPage(page).open_notebook("import os\nprint(sorted(os.listdir()))")
    expect(other.cell(0).get_by_test_id("cell-stdout")).to_have_text(exact_text("[]"))
    expect(panel(page).get_by_test_id("files-empty")).to_be_visible()
    expect(panel(page).get_by_test_id("file-row")).to_have_count(0)

    # Opening the first draft again brings its files back.
    drafts = page.get_by_test_id("draft")
    expect(drafts).to_have_count(1)
    drafts.first.get_by_test_id("draft-open").click()
    expect(file_row(page, "scores.csv")).to_be_visible()
    back = run(other, "print(open('scores.csv').read().count(chr(10)))")
    expect(back.get_by_test_id("cell-stdout")).to_have_text(exact_text("3"))

    # Deleting it deletes its files: the open notebook is a new, empty draft.
    drafts.first.get_by_test_id("draft-delete").click()
    expect(panel(page).get_by_test_id("files-empty")).to_be_visible()


def test_a_file_over_the_limit_is_refused_with_a_message(page: Page, tmp_path: Path) -> None:
    NotebookPage(page).open(wait_for_kernel=False)
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(100 * 1000 * 1000 + 1)
    small = tmp_path / "small.txt"
    small.write_text("ok")
    panel(page).get_by_test_id("files-upload-input").set_input_files([str(small), str(big)])
    expect(panel(page).get_by_test_id("files-error")).to_contain_text(
        "big.bin is 100 MB: a file may be at most 100 MB"
    )
    # The upload is taken whole or not at all.
    expect(panel(page).get_by_test_id("file-row")).to_have_count(0)


def test_save_to_account_takes_the_drafts_files_into_the_notebooks_folder(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    sign_up_and_verify(page, service)
    playground = NotebookPage(page).open_notebook("print('from play')")
    data = tmp_path / "scores.csv"
    data.write_text("name,score\nada,3\nbob,4\n")
    upload(page, data)
    run(playground, WRITE_RESULT)
    expect(file_row(page, "out/result.txt")).to_be_visible()

    with context.expect_page() as opened:
        page.get_by_test_id("save-to-account").click()
    save_page = opened.value
    expect(save_page.get_by_test_id("save-from-play-files")).to_contain_text("files")
    save_page.get_by_test_id("save-from-play-title").fill("With files")
    # Save opens the playground site's pop-up, which hands the files over and is closed.
    with save_page.expect_popup() as popup:
        save_page.get_by_test_id("save-from-play-save").click()
    assert popup.value.url.startswith(service.usercontent_url + "/play/carry-files")

    expect(save_page.get_by_test_id("notebook-title")).to_have_value("With files")
    expect(file_row(save_page, "scores.csv")).to_be_visible()
    expect(file_row(save_page, "out/result.txt")).to_be_visible()
    expect(panel(save_page).get_by_test_id("files-summary")).to_have_text("2 files · 30 B")
    notebook_id = re.search(r"/notebooks/([^/]+)/", save_page.url)
    assert notebook_id is not None
    folder = save_page.request.get(f"/api/notebooks/{notebook_id.group(1)}/files").json()
    assert sorted(f["path"] for f in folder["files"]) == ["out/result.txt", "scores.csv"]

    saved = framed_notebook(save_page)
    reader = saved.add_code_cell(READ_SCORES)
    saved.run_with_shift_enter(reader)
    expect(reader.get_by_test_id("cell-stdout")).to_have_text(exact_text("total 7"))


def test_a_signed_out_draft_with_files_is_saved_after_logging_in_files_and_all(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    email = sign_up_and_verify(page, service)
    page.get_by_test_id("log-out").click()
    expect(page.get_by_test_id("log-in")).to_be_visible()
    NotebookPage(page).open_notebook("print('from play')")
    data = tmp_path / "scores.csv"
    data.write_text("name,score\nada,3\nbob,4\n")
    upload(page, data)

    with context.expect_page() as opened:
        page.get_by_test_id("save-to-account").click()
    saving = opened.value
    # Signed out: the page asks to log in, and keeps the notebook and its draft meanwhile.
    saving.get_by_test_id("save-from-play-login-link").click()
    sign_in_here(saving, email)

    expect(saving.get_by_test_id("save-from-play-summary")).to_contain_text("1 cell")
    expect(saving.get_by_test_id("save-from-play-files")).to_contain_text("files")
    saving.get_by_test_id("save-from-play-title").fill("Kept through the log-in")
    with saving.expect_popup():
        saving.get_by_test_id("save-from-play-save").click()
    expect(saving.get_by_test_id("notebook-title")).to_have_value("Kept through the log-in")
    expect(file_row(saving, "scores.csv")).to_be_visible()


def save_page_of_a_draft_with_a_file(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> tuple[Page, Page]:
    """Signed in, a /play draft holding notes.txt, and the save page "Save to account" opened."""
    context = new_context(app=True)
    page = context.new_page()
    sign_up_and_verify(page, service)
    NotebookPage(page).open_notebook("print('from play')", run=False)
    data = tmp_path / "notes.txt"
    data.write_text("hello")
    upload(page, data)
    with context.expect_page() as opened:
        page.get_by_test_id("save-to-account").click()
    save_page = opened.value
    expect(save_page.get_by_test_id("save-from-play-files")).to_be_visible()
    return page, save_page


def expect_saved_without_the_files(save_page: Page) -> None:
    save_page.get_by_test_id("save-from-play-save").click()
    expect(save_page.get_by_test_id("notebook-title")).to_be_visible()
    expect(save_page.get_by_role("status").filter(has_text="Saved without the playground's files")).to_be_visible()
    expect(panel(save_page).get_by_test_id("files-empty")).to_be_visible()


def test_without_the_drafts_files_the_notebook_is_saved_and_the_page_says_so(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    page, save_page = save_page_of_a_draft_with_a_file(new_context, service, tmp_path)
    # The draft is gone from the playground before Save: nothing to carry.
    page.get_by_test_id("draft").first.get_by_test_id("draft-delete").click()
    expect(page.get_by_test_id("draft")).to_have_count(0)
    expect_saved_without_the_files(save_page)


def test_a_blocked_pop_up_saves_the_notebook_and_the_page_says_its_files_stayed(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    page, save_page = save_page_of_a_draft_with_a_file(new_context, service, tmp_path)
    # What a browser that blocks the pop-up gives the page: no window.
    save_page.evaluate("window.open = () => null")
    expect_saved_without_the_files(save_page)
    # The draft and its file are still in the playground, for another try.
    expect(page.get_by_test_id("draft")).to_have_count(1)
    expect(file_row(page, "notes.txt")).to_be_visible()


def test_files_past_what_a_mount_fills_are_read_from_the_page_on_first_open(
    page: Page, tmp_path: Path
) -> None:
    """A mount fills at most 64 MB from IndexedDB; the rest come from the page's blob: addresses."""
    notebook = NotebookPage(page).open()
    first, second = tmp_path / "a.bin", tmp_path / "b.bin"
    for path, size in ((first, 40_000_000), (second, 40_000_001)):
        with path.open("wb") as f:
            f.truncate(size)
    upload(page, first, second)
    page.reload()
    notebook.wait_for_kernel()
    expect(file_row(page, "b.bin")).to_be_visible()
    sizes = run(notebook, "print([len(open(n, 'rb').read()) for n in ('a.bin', 'b.bin')])")
    expect(sizes.get_by_test_id("cell-stdout")).to_have_text(exact_text("[40000000, 40000001]"))
