"""Dark mode follows the system and has a toggle; the app's pages fit a phone.

Colours are read as the browser computed them (the page's background and text),
with the system preference emulated by Chromium's prefers-color-scheme.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.accounts_flow import framed_notebook, new_notebook, sign_up_and_verify
from tests.browser.notebook_page import NotebookPage
from tests.browser.service import RunningService


def _luminance(page_or_frame: object, selector: str, prop: str) -> float:
    """0 (black) to 1 (white): the mean of the computed colour's RGB channels."""
    rgb = page_or_frame.evaluate(  # type: ignore[attr-defined]
        """([selector, prop]) => {
            const probe = document.createElement("span");
            probe.style.color = getComputedStyle(document.querySelector(selector))[prop];
            document.body.append(probe);
            const [r, g, b] = getComputedStyle(probe).color.match(/[\\d.]+/g).map(Number);
            probe.remove();
            return (r + g + b) / 3 / 255;
        }""",
        [selector, prop],
    )
    return float(rgb)


def test_the_playground_follows_the_system_and_the_toggle_overrides_it(
    notebook: NotebookPage,
) -> None:
    page = notebook.page
    page.emulate_media(color_scheme="dark")
    notebook.open_notebook("1 + 1")
    assert _luminance(page, "body", "backgroundColor") < 0.2
    assert _luminance(page, ".cm-content", "color") > 0.7  # editor text readable on it

    toggle = notebook.root.get_by_test_id("theme-toggle")
    expect(toggle).to_have_text("Theme: system")
    toggle.click()  # dark
    toggle.click()  # light, whatever the system says
    expect(toggle).to_have_text("Theme: light")
    assert _luminance(page, "body", "backgroundColor") > 0.9

    # Kept in this browser: the next visit opens light on a dark system.
    notebook.open_notebook("2 + 2")
    expect(notebook.root.get_by_test_id("theme-toggle")).to_have_text("Theme: light")
    assert _luminance(page, "body", "backgroundColor") > 0.9


def test_the_framed_playground_follows_the_app_pages_theme(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    page = new_context(app=True).new_page()
    page.emulate_media(color_scheme="light")
    sign_up_and_verify(page, service)
    notebook = new_notebook(page, "Dark")
    assert _luminance(page, "body", "backgroundColor") > 0.9
    frame = notebook.root

    page.get_by_test_id("theme-toggle").click()  # system -> dark
    expect(page.get_by_test_id("theme-toggle")).to_have_text("Theme: dark")
    assert _luminance(page, "body", "backgroundColor") < 0.2
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    assert _luminance(frame, "body", "backgroundColor") < 0.2


def _fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_the_app_pages_top_bars_fit_a_phone(
    new_context: Callable[..., BrowserContext], service: RunningService
) -> None:
    context = new_context(app=True)
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_up_and_verify(page, service)
    page.goto("/notebooks/")
    _fits(page)
    for hook in ("nav-notebooks", "nav-play", "nav-help", "nav-account", "log-out"):
        expect(page.get_by_test_id(hook)).to_be_in_viewport()
    page.locator("#new-title").fill("A title long enough to need the whole width of a phone")
    page.get_by_test_id("new-notebook").click()
    framed_notebook(page)
    _fits(page)
    for hook in ("notebook-title", "save-status", "host-save", "history-link", "download"):
        expect(page.get_by_test_id(hook)).to_be_in_viewport()
