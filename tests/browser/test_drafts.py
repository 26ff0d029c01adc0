"""Local drafts: saved in the browser, back after a reload, listed, renamed and deleted."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.notebook_page import NotebookPage

NEW_NAME = "Renamed by the browser test"


def _button(row: Locator, action: str) -> Locator:
    # The contract names the row's buttons open/rename/delete: a test id or their label.
    by_label = row.get_by_role("button", name=re.compile(rf"^\s*{action}", re.IGNORECASE))
    return row.get_by_test_id(action).or_(by_label).first


def _rename(page: Page, row: Locator, name: str) -> None:
    _button(row, "rename").click()
    field = page.get_by_test_id("drafts").get_by_role("textbox")
    field.fill(name)
    field.press("Enter")


def test_drafts_survive_a_reload_and_can_be_renamed_and_deleted(notebook: NotebookPage) -> None:
    page = notebook.page
    notebook.open()
    cell = notebook.add_code_cell("draft_marker = 'kept across reloads'")
    notebook.editor(cell).click()
    page.keyboard.press("ControlOrMeta+s")

    drafts = page.get_by_test_id("drafts").get_by_test_id("draft")
    expect(drafts).not_to_have_count(0)
    saved = drafts.count()

    page.reload()
    notebook.wait_for_kernel()
    expect(
        page.locator(".cm-content", has_text="draft_marker = 'kept across reloads'")
    ).to_have_count(1)
    expect(drafts).to_have_count(saved)

    _rename(page, drafts.first, NEW_NAME)
    renamed = drafts.filter(has_text=NEW_NAME)
    expect(renamed).to_have_count(1)
    page.reload()
    notebook.wait_for_kernel()
    expect(renamed).to_have_count(1)

    _button(renamed, "delete").click()
    expect(renamed).to_have_count(0)
    expect(drafts).to_have_count(saved - 1)
