"""The hosted service end to end: sign up, keep a notebook, share it, open it, fork it."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.accounts_flow import (
    framed_notebook,
    new_notebook,
    save_and_wait,
    sign_up_and_verify,
)
from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService
from tests.stoppable_s3 import StoppableS3


def test_sign_up_write_save_share_open_anonymously_and_fork(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)

    notebook = new_notebook(owner, "Squares")
    first = notebook.cell(0)
    notebook.set_code(first, "n = 7")
    notebook.run_with_shift_enter(first)
    second = notebook.add_code_cell("n * n")
    notebook.run_with_shift_enter(second)
    expect(notebook.output(second)).to_have_text(exact_text("49"))
    save_and_wait(owner, 2)

    # The saved notebook survives a reload: it comes back from the server.
    owner.reload()
    reloaded = framed_notebook(owner)
    expect(reloaded.cells).to_have_count(2)
    expect(reloaded.output(reloaded.cell(1))).to_have_text(exact_text("49"))

    # A view link, opened by somebody with no account, in another browser profile.
    owner.get_by_test_id("share-link-page").click()
    owner.get_by_test_id("link-role").select_option("fork")
    owner.get_by_test_id("link-create").click()
    link = owner.get_by_test_id("link-url").first.input_value()
    assert re.fullmatch(re.escape(service.base_url) + r"/s/[A-Za-z0-9_-]{32}", link), link

    visitor = new_context(app=True).new_page()
    visitor.goto(link)
    expect(visitor).to_have_title("Squares — Playground")
    assert visitor.locator('meta[property="og:title"]').get_attribute("content") == "Squares"
    shared = framed_notebook(visitor)
    expect(shared.root.get_by_test_id("app-view")).to_be_visible()
    expect(shared.cells.nth(1).get_by_test_id("cell-output")).to_have_text(exact_text("49"))

    # Anonymous fork: into this browser's drafts on the playground.
    visitor.get_by_test_id("fork").click()
    expect(visitor).to_have_url(re.compile(re.escape(service.usercontent_url) + r"/play\?fork=1"))
    draft = NotebookPage(visitor)
    draft.wait_for_kernel()
    expect(visitor.get_by_text("forked: saved in this browser")).to_be_visible()
    expect(draft.output(draft.cell(1))).to_have_text(exact_text("49"))

    # A signed-in fork: a copy in the other account, editable and saved there.
    forker = new_context(app=True).new_page()
    sign_up_and_verify(forker, service)
    forker.goto(link)
    forker.get_by_test_id("fork").click()
    expect(forker.get_by_test_id("notebook-title")).to_have_value("Squares (fork)")
    copy = framed_notebook(forker)
    expect(copy.output(copy.cell(1))).to_have_text(exact_text("49"))
    copy.set_code(copy.cell(0), "n = 8")
    copy.run_with_shift_enter(copy.cell(0))
    expect(copy.output(copy.cell(1))).to_have_text(exact_text("64"))
    expect(forker.get_by_test_id("save-status")).to_have_text("Saved · revision 2", timeout=20_000)

    # The owner's notebook is untouched by the fork's edits.
    visitor.goto(link)
    again = framed_notebook(visitor)
    expect(again.cells.nth(1).get_by_test_id("cell-output")).to_have_text(exact_text("49"))


def test_a_second_tab_gets_a_conflict_not_a_silent_overwrite(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    first_tab = context.new_page()
    sign_up_and_verify(first_tab, service)
    first = new_notebook(first_tab, "Two tabs")
    url = first_tab.url
    second_tab = context.new_page()
    second_tab.goto(url)
    second = framed_notebook(second_tab)

    first.set_code(first.cell(0), "who = 'first tab'")
    save_and_wait(first_tab, 2)
    # The other tab hears of it at once (websocket).
    expect(second_tab.get_by_test_id("revision-notice")).to_contain_text("revision 2")

    second.set_code(second.cell(0), "who = 'second tab'")
    second_tab.get_by_test_id("host-save").click()
    dialog = second_tab.get_by_test_id("conflict-dialog")
    expect(dialog).to_be_visible()
    expect(second_tab.get_by_test_id("save-status")).to_have_attribute("data-state", "conflict")

    # Keeping mine saves on top; the first tab's version stays in the history.
    second_tab.get_by_test_id("conflict-keep-mine").click()
    expect(second_tab.get_by_test_id("save-status")).to_have_text("Saved · revision 3")
    second_tab.get_by_test_id("history-link").click()
    expect(second_tab.get_by_test_id("revision")).to_have_count(3)
    second_tab.locator('[data-revision="2"] a').click()
    diff = second_tab.get_by_test_id("diff")
    expect(diff.locator(".diff-removed")).to_contain_text("who = 'first tab'")
    expect(diff.locator(".diff-added")).to_contain_text("who = 'second tab'")

    # The first tab, now stale, loads the saved version when it chooses to.
    first.set_code(first.cell(0), "who = 'first tab again'")
    first_tab.get_by_test_id("host-save").click()
    expect(first_tab.get_by_test_id("conflict-dialog")).to_be_visible()
    first_tab.get_by_test_id("conflict-load-theirs").click()
    expect(first_tab.get_by_test_id("save-status")).to_have_text("Saved · revision 3")
    reloaded = framed_notebook(first_tab)
    expect(reloaded.editor(reloaded.cell(0))).to_contain_text("who = 'second tab'")


def test_a_save_while_storage_is_down_says_so_and_loses_nothing(
    new_context: Callable[..., BrowserContext],
    service: RunningService,
    object_storage: StoppableS3,
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Outage")
    notebook.set_code(notebook.cell(0), "kept = 'revision two'")
    save_and_wait(page, 2)

    object_storage.stop()
    try:
        notebook.set_code(notebook.cell(0), "kept = 'typed during the outage'")
        page.get_by_test_id("host-save").click()
        status = page.get_by_test_id("save-status")
        expect(status).to_have_attribute("data-state", "error")
        expect(status).to_contain_text("could not be reached, so nothing was saved")
        # What was typed is still on screen, waiting for the next save.
        expect(notebook.editor(notebook.cell(0))).to_contain_text("typed during the outage")
    finally:
        object_storage.start()

    # Storage is back: the next save goes through, and the revision before it is intact.
    page.get_by_test_id("host-save").click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved · revision 3")
    page.get_by_test_id("history-link").click()
    expect(page.get_by_test_id("revision")).to_have_count(3)
    page.locator('[data-revision="2"] a').click()
    expect(page.get_by_test_id("diff").locator(".diff-removed")).to_contain_text(
        "kept = 'revision two'"
    )


def test_the_framed_playground_is_cross_origin_isolated_and_on_the_other_site(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Isolated")
    frame = notebook.root

    assert frame.url.startswith(service.usercontent_url + "/play?hosted=1")
    # SharedArrayBuffer, so "Stop" interrupts a busy loop in the framed playground too.
    assert frame.evaluate("crossOriginIsolated") is True
    assert frame.evaluate("document.cookie") == ""
    cell = notebook.cell(0)
    notebook.set_code(cell, "while True:\n    pass")
    notebook.run_with_shift_enter(cell)
    expect(cell).to_have_attribute("data-status", "running")
    frame.get_by_test_id("interrupt").click()
    expect(notebook.error(cell)).to_contain_text("interrupted by the user")


def test_save_to_account_takes_a_playground_notebook_into_the_account(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    sign_up_and_verify(page, service)

    # The app's /play sends people to the playground's own site, #code/ link and all.
    playground = NotebookPage(page).open_notebook("answer = 6 * 7\nanswer")
    assert page.url.startswith(service.usercontent_url + "/play#code/")
    expect(playground.output(playground.cell(0))).to_have_text(exact_text("42"))
    with context.expect_page() as opened:
        page.get_by_test_id("save-to-account").click()
    import_page = opened.value
    # A page that says what will be saved, never the compressed link itself.
    expect(import_page.get_by_test_id("save-from-play-summary")).to_contain_text("1 cell")
    expect(import_page.get_by_test_id("cell-preview")).to_contain_text("answer = 6 * 7")
    expect(import_page.locator("textarea")).to_have_count(0)
    import_page.get_by_test_id("save-from-play-title").fill("From the playground")
    import_page.get_by_test_id("save-from-play-save").click()

    expect(import_page.get_by_test_id("notebook-title")).to_have_value("From the playground")
    saved = framed_notebook(import_page)
    expect(saved.output(saved.cell(0))).to_have_text(exact_text("42"))


def test_a_view_link_shows_outputs_and_the_code_only_when_the_owner_allows(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "Report")
    notebook.set_code(notebook.cell(0), "total = sum(range(5))\ntotal")
    failing = notebook.add_code_cell("ratio = total / (total - 10)  # the hidden formula")
    notebook.run_all()
    expect(notebook.error(failing)).to_contain_text("ZeroDivisionError")
    owner.get_by_test_id("host-save").click()  # autosave may have saved some of it already
    expect(owner.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    owner.get_by_test_id("share-link-page").click()

    def make_link(show_code: bool) -> str:
        owner.get_by_test_id("link-role").select_option("view")
        owner.get_by_test_id("link-show-code").set_checked(show_code)
        owner.get_by_test_id("link-create").click()
        return owner.get_by_test_id("link-url").first.input_value()

    outputs_only, with_code = make_link(False), make_link(True)
    visitor = new_context(app=True).new_page()

    visitor.goto(outputs_only)
    shared = framed_notebook(visitor)
    expect(shared.root.get_by_test_id("app-view")).to_be_visible()
    expect(shared.output(shared.cells.nth(0))).to_have_text(exact_text("10"))
    expect(shared.root.get_by_test_id("cell-editor")).to_have_count(0)
    # A failing cell says what failed, and where, without its source in a traceback.
    error = shared.error(shared.cells.nth(1))
    expect(error).to_contain_text("division by zero")
    expect(error).not_to_contain_text("hidden formula")
    expect(error).not_to_contain_text("total - 10")
    expect(visitor.get_by_test_id("toggle-code")).to_have_count(0)
    expect(visitor.get_by_test_id("fork")).to_have_count(0)

    visitor.goto(with_code)
    framed_notebook(visitor)
    visitor.get_by_test_id("toggle-code").click()
    code_view = framed_notebook(visitor)
    expect(code_view.editor(code_view.cell(0))).to_contain_text("total = sum(range(5))")
    expect(code_view.output(code_view.cell(0))).to_have_text(exact_text("10"))
