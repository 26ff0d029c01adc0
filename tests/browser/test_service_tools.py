"""What a new user reaches for around their notebooks (issue 15): Copy buttons, the app
preview from the editor, history by cells, the way between the site, /play and the
guide, long titles, and "Save to account" that shows what it saves.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.accounts_flow import (
    framed_notebook,
    new_notebook,
    playground_frame,
    save_and_wait,
    sign_in_here,
    sign_up_and_verify,
)
from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService


def _clipboard(page: Page) -> str:
    return str(page.evaluate("navigator.clipboard.readText()"))


def test_copy_buttons_copy_a_share_link_and_a_new_api_token(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service.base_url)
    page = context.new_page()
    sign_up_and_verify(page, service)
    page.locator("#new-title").fill("Shared sums")
    page.get_by_test_id("new-notebook").click()
    page.get_by_test_id("share-link-page").click()
    page.get_by_test_id("link-create").click()
    share_page = page.url

    copy = page.get_by_test_id("link-copy")
    copy.click()
    expect(copy).to_have_attribute("data-state", "copied")
    expect(copy).to_have_text("Copied")
    link = page.get_by_test_id("link-url").input_value()
    assert re.fullmatch(re.escape(service.base_url) + r"/s/[A-Za-z0-9_-]{32}", link)
    assert _clipboard(page) == link

    page.get_by_test_id("nav-account").click()
    page.locator("#token-name").fill("laptop")
    page.get_by_test_id("token-create").click()
    token_copy = page.get_by_test_id("new-token-copy")
    token_copy.click()
    expect(token_copy).to_have_attribute("data-state", "copied")
    secret = page.get_by_test_id("new-token-secret").input_value()
    assert secret.startswith("pg_")
    assert _clipboard(page) == secret

    # Without the script the page still works: the link is there, and no dead button.
    assert context.browser is not None
    plain = context.browser.new_context(base_url=service.base_url, java_script_enabled=False)
    try:
        plain.add_cookies(context.cookies())
        without_js = plain.new_page()
        without_js.goto(share_page)
        expect(without_js.get_by_test_id("link-url")).to_have_value(link)
        expect(without_js.get_by_test_id("link-copy")).to_be_hidden()
    finally:
        plain.close()


def test_the_owner_previews_the_notebook_as_an_app_from_the_editor(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Answer")
    notebook.set_code(notebook.cell(0), "answer = 6 * 7\nanswer")
    save_and_wait(page, 2)

    page.get_by_test_id("preview-as-app").click()

    expect(page).to_have_url(re.compile(r"/notebooks/[A-Za-z0-9_-]+/\?mode=read$"))
    expect(page.get_by_test_id("preview-badge")).to_be_visible()
    app = framed_notebook(page)
    expect(app.root.get_by_test_id("app-view")).to_be_visible()
    expect(app.output(app.cells.nth(0))).to_have_text(exact_text("42"))
    expect(app.root.get_by_test_id("cell-editor")).to_have_count(0)
    assert "mode=read" in app.root.url

    page.get_by_test_id("back-to-editing").click()
    editing = framed_notebook(page)
    expect(editing.editor(editing.cell(0))).to_contain_text("answer = 6 * 7")
    expect(page.get_by_test_id("host-save")).to_be_visible()


def test_history_shows_cells_single_spaced_and_a_restore_returns_to_the_editor(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Budget")
    notebook.set_code(notebook.cell(0), "rent = 900\nfood = 300\ntravel = 50")
    save_and_wait(page, 2)
    notebook.set_code(notebook.cell(0), "rent = 950\nfood = 300\ntravel = 80")
    save_and_wait(page, 3)

    page.get_by_test_id("history-link").click()
    page.locator('[data-revision="2"] a').click()

    change = page.get_by_test_id("cell-diff")
    expect(change).to_have_count(1)
    expect(change).to_have_attribute("data-status", "changed")
    lines = change.locator("pre.diff > span")
    expect(lines).to_have_text(
        ["- rent = 900", "+ rent = 950", "  food = 300", "- travel = 50", "+ travel = 80"]
    )
    expect(page.get_by_test_id("diff")).not_to_contain_text("# %%")
    # Single-spaced: each line starts where the one above it ends.
    boxes = [lines.nth(i).bounding_box() for i in range(5)]
    assert all(box is not None for box in boxes)
    for above, below in itertools.pairwise(boxes):
        assert abs(below["y"] - (above["y"] + above["height"])) < 1, (above, below)  # type: ignore[index]
        assert below["height"] < 1.6 * 15 * 1.5  # type: ignore[index]  # one line, not two

    page.get_by_test_id("revision-restore").click()

    expect(page).to_have_url(re.compile(r"/notebooks/[A-Za-z0-9_-]+/$"))
    expect(page.locator(".message.success")).to_contain_text(
        "Restored revision 2: it is now revision 4, the current one"
    )
    restored = framed_notebook(page)
    expect(restored.editor(restored.cell(0))).to_contain_text("travel = 50")


def test_play_links_back_to_the_site_and_the_site_to_play_and_its_guide(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)

    page.get_by_test_id("nav-play").click()
    expect(page).to_have_url(re.compile(re.escape(service.usercontent_url) + r"/play$"))
    NotebookPage(page).wait_for_kernel()
    page.get_by_test_id("site-link").click()
    # The site's home sends signed-in people on to their notebooks.
    expect(page).to_have_url(service.base_url + "/notebooks/")

    page.get_by_test_id("nav-help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("User guide")
    page.get_by_test_id("help-body").locator('a[href="/help/marimo/#round-trip"]').first.click()
    expect(page).to_have_url(service.base_url + "/help/marimo/#round-trip")
    expect(page.locator("#round-trip")).to_be_in_viewport()
    page.get_by_test_id("help-ui").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("UI elements")


def test_long_titles_get_the_limit_and_the_dashboard_holds_any_title(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    sign_up_and_verify(page, service)

    page.locator("#new-title").fill("x" * 250)
    page.get_by_test_id("new-notebook").click()
    expect(page.locator(".message.error")).to_contain_text(
        "This title is 250 characters long; a title may have at most 200."
    )
    expect(page.get_by_test_id("notebook-row")).to_have_count(0)

    longest = "Quarterly" * 22 + "xx"  # 200 characters, no space to wrap at
    page.locator("#new-title").fill(longest)
    page.get_by_test_id("new-notebook").click()
    expect(page.get_by_test_id("notebook-title")).to_have_value(longest)

    # The editor's rename says the limit too, and keeps the old title. (Once the editor's
    # script runs: the title field is in the page before that.)
    playground_frame(page)
    title = page.get_by_test_id("notebook-title")
    title.fill("y" * 250)
    title.press("Enter")
    expect(page.get_by_test_id("save-status")).to_contain_text(
        "Not renamed: This title is 250 characters long; a title may have at most 200."
    )

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/notebooks/")
        link = page.get_by_test_id("notebook-open")
        expect(link).to_have_attribute("title", longest)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than a {width}px window"
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width


def test_save_to_account_shows_what_it_saves_even_after_logging_in(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    email = sign_up_and_verify(page, service)
    page.get_by_test_id("log-out").click()
    expect(page.get_by_test_id("log-in")).to_be_visible()

    playground = NotebookPage(page).open_notebook("# Tides\n", "level = 3 * 4\nlevel")
    expect(playground.output(playground.cell(1))).to_have_text(exact_text("12"))
    with context.expect_page() as opened:
        page.get_by_test_id("save-to-account").click()
    saving = opened.value

    # Signed out: the page asks to log in, and keeps the notebook meanwhile.
    saving.get_by_test_id("save-from-play-login-link").click()
    sign_in_here(saving, email)

    expect(saving.get_by_test_id("save-from-play-summary")).to_contain_text("2 cells")
    expect(saving.get_by_test_id("cell-preview")).to_have_count(2)
    expect(saving.get_by_test_id("cell-preview").nth(1)).to_contain_text("level = 3 * 4")
    # Nothing on the page shows the compressed link.
    expect(saving.locator("textarea")).to_have_count(0)
    expect(saving.locator("body")).not_to_contain_text("#code/")
    assert "#code/" not in saving.url
    saving.get_by_test_id("save-from-play-title").fill("Tide levels")
    saving.get_by_test_id("save-from-play-save").click()

    expect(saving.get_by_test_id("notebook-title")).to_have_value("Tide levels")
    expect(saving.locator(".message.success")).to_contain_text("Saved “Tide levels” to your notebooks.")
    saved = framed_notebook(saving)
    expect(saved.output(saved.cell(1))).to_have_text(exact_text("12"))
