"""Share links both ways: "Copy link" and "Embed" put marimo's file format in the
``#code/`` link (so it opens in marimo's playground), and it opens here again."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from kernels.runtime.formats import dumps_notebook, marimo
from kernels.runtime.notebook import Cell, CellConfig, Notebook
from notebooks.play_links import source_from_play_link
from tests.browser.notebook_page import NotebookPage, exact_text, play_url

_NOTEBOOK = Notebook(
    cells=[
        Cell("# Orbits\n\nHow far does it go?", kind="markdown", name="intro"),
        Cell("radius = 7\nspeed = 3", name="inputs"),
        Cell("f'distance: {radius * speed}'", name="distance", config=CellConfig(hide_code=True)),
    ]
)


def _link_in(text: str) -> str:
    found = re.search(r"(?:https?://[^\s\"]+)?/play[^\s\"]*#code/[^\s\"&]+", text)
    assert found, text
    return found.group(0)


def test_copied_link_holds_a_marimo_file_and_opens_the_same_cells(
    new_context: Callable[[], BrowserContext],
) -> None:
    author = NotebookPage(new_context().new_page()).open(
        play_url(dumps_notebook(_NOTEBOOK, "playground"))
    )
    expect(author.cells).to_have_count(3)
    author.run_all()
    expect(author.output(author.cell(2))).to_have_text(exact_text("'distance: 21'"))
    kinds = [cell.get_attribute("data-kind") for cell in author.cells.all()]
    codes = [author.code_of(cell) for cell in author.cells.all()]

    author.page.get_by_test_id("copy-link").click()
    field = author.page.get_by_test_id("share-link")
    expect(field).to_have_value(re.compile("#code/"))
    link = field.input_value()

    source = source_from_play_link(link)
    assert source.startswith("import marimo\n"), source[:200]
    assert "@app.cell\ndef inputs():\n    radius = 7\n" in source
    assert "@app.cell(hide_code=True)\ndef distance(radius, speed):\n" in source
    assert [(cell.kind, cell.name) for cell in marimo.loads(source).cells] == [
        ("markdown", "intro"), ("code", "inputs"), ("code", "distance"),
    ]

    reader = NotebookPage(new_context().new_page()).open(link)
    expect(reader.cells).to_have_count(3)
    assert [cell.get_attribute("data-kind") for cell in reader.cells.all()] == kinds
    assert [reader.code_of(cell) for cell in reader.cells.all()] == codes
    reader.run_all()
    expect(reader.output(reader.cell(2))).to_have_text(exact_text("'distance: 21'"))


def test_embed_snippet_links_to_a_marimo_file_too(notebook: NotebookPage) -> None:
    notebook.open(play_url(dumps_notebook(_NOTEBOOK, "playground")))
    expect(notebook.cells).to_have_count(3)

    notebook.page.get_by_test_id("embed-snippet").click()
    field = notebook.page.get_by_test_id("embed-code")
    expect(field).to_have_value(re.compile("#code/"))
    snippet = field.input_value()

    link = _link_in(snippet.replace("&amp;", "&"))
    assert "mode=read" in link and "embed=true" in link
    assert source_from_play_link(link).startswith("import marimo\n")
