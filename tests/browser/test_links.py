"""Sharing by URL: copy link, ``#code/`` links (ours and marimo's), read-only and embed modes."""

from __future__ import annotations

import re
from collections.abc import Callable
from textwrap import dedent

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.notebook_page import NotebookPage, exact_text, notebook_source, play_url

# Wraps the clipboard so the test can read what "copy link" put there, whether the
# app uses navigator.clipboard or a hidden textarea with execCommand("copy").
_RECORD_COPIES = """
(() => {
  window.__copiedTexts = [];
  const clipboard = navigator.clipboard;
  if (clipboard && clipboard.writeText) {
    const writeText = clipboard.writeText.bind(clipboard);
    clipboard.writeText = (text) => {
      window.__copiedTexts.push(String(text));
      return writeText(text).catch(() => undefined);
    };
  }
  document.addEventListener("copy", (event) => {
    const selected = String(document.getSelection() || "");
    const active = document.activeElement;
    const fromField = active && "value" in active ? active.value : "";
    window.__copiedTexts.push(selected || fromField);
  }, true);
})();
"""


def _copied_link(page: Page) -> str:
    handle = page.wait_for_function(
        """() => [...(window.__copiedTexts || [])].reverse()
                .find(text => text.includes("#code/")) || null""",
    )
    return str(handle.json_value())


def test_copied_link_opens_the_same_cells_and_outputs_in_a_fresh_browser(
    new_context: Callable[[], BrowserContext],
) -> None:
    author_context = new_context()
    author_context.grant_permissions(["clipboard-read", "clipboard-write"])
    author_context.add_init_script(_RECORD_COPIES)
    author = NotebookPage(author_context.new_page()).open()
    # Cells the author typed, so the link has to carry the current notebook.
    first = author.add_code_cell("shared_value = 1234 * 2")
    second = author.add_code_cell("f'shared: {shared_value + 1}'")
    author.run_with_shift_enter(first)
    author.run_with_shift_enter(second)
    expect(author.output(second)).to_contain_text("shared: 2469")
    cells = [author.code_of(cell) for cell in author.cells.all()]
    outputs = author.outputs_text()

    author.page.get_by_test_id("copy-link").click()
    link = _copied_link(author.page)
    assert re.search(r"/play(\?[^#]*)?#code/\S+$", link), link

    reader = NotebookPage(new_context().new_page()).open(link)
    expect(reader.cells).to_have_count(len(cells))
    reader.run_all()
    expect(reader.output(reader.cells.last)).to_contain_text("shared: 2469")
    assert [reader.code_of(cell) for cell in reader.cells.all()] == cells
    assert reader.outputs_text() == outputs


def test_marimo_notebook_in_a_code_link_opens_and_runs(notebook: NotebookPage) -> None:
    marimo_source = dedent(
        """\
        import marimo

        __generated_with = "0.25.2"
        app = marimo.App(width="medium")


        @app.cell
        def _():
            base = 20
            return (base,)


        @app.cell
        def _(base):
            total = base + 22
            total
            return (total,)


        if __name__ == "__main__":
            app.run()
        """
    )
    notebook.open(play_url(marimo_source))

    expect(notebook.cells).to_have_count(2)
    expect(notebook.editor(notebook.cell(0))).to_contain_text("base = 20")
    notebook.run_all()
    expect(notebook.output(notebook.cell(1))).to_have_text(exact_text("42"))


_SHOWCASE = notebook_source("secret_sauce = 'x' * 3", "secret_sauce.upper() + '!'")


def test_read_mode_shows_outputs_without_code(notebook: NotebookPage) -> None:
    notebook.open(play_url(_SHOWCASE, mode="read"))

    app_view = notebook.page.get_by_test_id("app-view")
    expect(app_view).to_be_visible()
    expect(app_view).to_contain_text("XXX!")
    expect(notebook.page.locator(".cm-content")).to_have_count(0)
    expect(notebook.page.locator("body")).not_to_contain_text("secret_sauce", use_inner_text=True)


def test_embed_mode_shows_the_notebook_without_chrome(notebook: NotebookPage) -> None:
    notebook.open(play_url(_SHOWCASE, embed="true"))

    expect(notebook.page.locator("body")).to_contain_text("XXX!")
    for chrome in ("copy-link", "embed-snippet", "save", "drafts"):
        expect(notebook.page.get_by_test_id(chrome)).to_be_hidden()
