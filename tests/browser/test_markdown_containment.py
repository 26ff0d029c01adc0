"""Markdown drawn in the page keeps its inline styling but stays inside its own box.

Markdown cells and ``ui.md`` outputs are rendered into the playground's own DOM
(sanitised by DOMPurify, ``frontend/src/outputs/markdown.ts``). A shared notebook is
untrusted, so its markdown must not cover the page (``position: fixed`` overlays),
restyle it (``<style>``), or put elements in the top layer (popovers, modal
dialogs): docs/security.md, "Markdown in the page".
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from kernels.runtime.formats import dumps_notebook
from kernels.runtime.notebook import Cell, Notebook
from tests.browser.lzstring import compress_to_encoded_uri_component
from tests.browser.notebook_page import NotebookPage

_CURSOR_IMAGE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="

HOSTILE_MARKDOWN = f"""# Styled on purpose

<p data-probe="kept" style="color: rgb(200, 0, 0); text-align: center">red and centred</p>

<div data-probe="overlay" style="position: fixed; inset: 0; z-index: 2147483647; background: rgba(255, 0, 0, 0.6)">covering everything</div>

<style>body {{ display: none !important; }} .toolbar {{ visibility: hidden; }}</style>

<div data-probe="popover" id="pop" popover style="position: fixed; inset: 0">in the top layer</div>
<dialog data-probe="dialog" id="dlg">a modal over the page</dialog>

Open them: <button data-probe="open-popover" popovertarget="pop">popover</button>
<button data-probe="open-dialog" commandfor="dlg" command="show-modal">dialog</button>
<span data-probe="cursor" style="cursor: url({_CURSOR_IMAGE}), auto; color: rgb(0, 0, 255)">a cursor image</span>
"""


def _open_markdown_cell(notebook: NotebookPage) -> Locator:
    source = dumps_notebook(
        Notebook(cells=[Cell(code=HOSTILE_MARKDOWN, kind="markdown"), Cell(code="x = 1")]),
        "playground",
    )
    notebook.open("/play#code/" + compress_to_encoded_uri_component(source))
    return notebook.cell(0).locator(".markdown-rendered")


def _open_ui_md_output(notebook: NotebookPage) -> Locator:
    notebook.open_notebook(f"from kernels import ui\nui.md({HOSTILE_MARKDOWN!r})")
    return notebook.output(notebook.cell(0)).locator("[data-ui-kind=markdown]")


def _is_markdown_at(page: Page, target: Locator) -> bool:
    """Whether the element the user would hit at ``target``'s centre belongs to markdown."""
    box = target.bounding_box()
    assert box is not None, "the page's own element is not displayed"
    return bool(
        page.evaluate(
            """([x, y]) => {
                const hit = document.elementFromPoint(x, y);
                return hit !== null && hit.closest(".markdown-rendered") !== null;
            }""",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
    )


@pytest.mark.parametrize(
    "open_markdown", [_open_markdown_cell, _open_ui_md_output], ids=["cell", "ui-md"]
)
def test_markdown_cannot_cover_or_restyle_the_page(notebook: NotebookPage, open_markdown) -> None:  # type: ignore[no-untyped-def]
    page = notebook.page
    markdown = open_markdown(notebook)
    overlay = markdown.locator("[data-probe=overlay]")
    expect(overlay).to_have_text("covering everything")  # the markup stays; its reach does not

    # Inline styling an author uses is kept.
    expect(markdown.locator("[data-probe=kept]")).to_have_css("color", "rgb(200, 0, 0)")
    expect(markdown.locator("[data-probe=kept]")).to_have_css("text-align", "center")
    expect(markdown.locator("[data-probe=cursor]")).to_have_css("color", "rgb(0, 0, 255)")

    # No style sheet from markdown: the page is displayed and its toolbar visible.
    expect(page.locator("#app style, #app link")).to_have_count(0)
    expect(page.get_by_test_id("run-all")).to_be_visible()

    # The fixed overlay fills its markdown box, no more: the toolbar and the side panel
    # are still what a click there reaches.
    for own in (page.get_by_test_id("run-all"), page.get_by_test_id("variables")):
        assert not _is_markdown_at(page, own)
    page.get_by_test_id("run-all").click(trial=True)
    inside = overlay.evaluate(
        """(element) => {
            const o = element.getBoundingClientRect();
            const box = element.closest(".markdown-rendered").getBoundingClientRect();
            return o.top >= box.top - 0.5 && o.left >= box.left - 0.5
                && o.bottom <= box.bottom + 0.5 && o.right <= box.right + 0.5;
        }"""
    )
    assert inside, "the overlay is laid out beyond its markdown box"

    # Nothing reaches the top layer, and no cursor image is drawn around the pointer.
    expect(markdown.locator("[popover], [popovertarget], [command], [commandfor]")).to_have_count(0)
    cursor = markdown.locator("[data-probe=cursor]").evaluate("e => getComputedStyle(e).cursor")
    assert "url(" not in cursor
    # (Clicked from script: the overlay covers its own markdown box, buttons included.)
    for opener in ("open-popover", "open-dialog"):
        markdown.locator(f"[data-probe={opener}]").evaluate("button => button.click()")
    assert page.evaluate("document.querySelector(':popover-open, dialog:modal') === null")
    page.get_by_test_id("run-all").click(trial=True)
