"""Every server path that reads user text takes time linear in it, whatever it holds.

Saves (the check and the preview summary), imports, play links, revision diffs and
the title search each get an adversarial input at two sizes: the result from the
large one is checked, and its time compared with the small one's
(``tests/growth.py``). Quadratic work fails.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import pytest

from kernels.runtime.formats import loads_notebook
from kernels.runtime.notebook import Cell, Notebook
from notebooks.cell_diffs import notebook_diff
from notebooks.content import (
    notebook_import_convert,
    notebook_summary,
    notebook_text_parse,
    notebook_title_guess,
)
from notebooks.diffs import DiffLine, unified_diff
from notebooks.models import Notebook as StoredNotebook
from notebooks.play_links import source_from_play_link
from notebooks.selectors import SEARCH_MAX_WORDS, title_search
from tests.browser.lzstring import compress_to_encoded_uri_component
from tests.factories import notebook_make, user_make
from tests.growth import assert_bounded_work, assert_linear_growth

SCALE = 100


@pytest.mark.parametrize("unclosed", ["(http://", "<"], ids=["link-target", "tag"])
def test_summary_of_markdown_full_of_unclosed_markup(unclosed: str) -> None:
    def notebook(size: int) -> Notebook:
        prose = "# Intro\nWith a [link](https://example.com) and <b>tags</b>.\n"
        return Notebook(cells=[Cell(code=prose + unclosed * size, kind="markdown")])

    # The unclosed run holds no space, so the summary ends before it.
    assert notebook_summary(notebook(200 * SCALE)) == "Intro With a link and tags .…"
    assert_linear_growth(
        notebook_summary, small=notebook(200), large=notebook(200 * SCALE), scale=SCALE
    )


def test_title_guess_after_many_lines_of_prose() -> None:
    def notebook(lines: int) -> Notebook:
        return Notebook(cells=[Cell(code="words\n" * lines + "## The title ##", kind="markdown")])

    assert notebook_title_guess(notebook(100 * SCALE)) == "The title ##"
    assert_linear_growth(
        notebook_title_guess, small=notebook(100), large=notebook(100 * SCALE), scale=SCALE
    )


def _saved_text(lines: int) -> str:
    """Our format with a header of metadata blocks that never close and a marker line
    full of unclosed brackets: each re-scanned the rest of its text per line or bracket."""
    return (
        "# /// playground\n" * lines
        + "# %% [markdown] name=intro "
        + "[" * (10 * lines)
        + "\n# A notebook\n\n# %% name=total\ntotal = 1\n"
    )


def test_saved_text_is_checked_and_summarised_in_linear_time() -> None:
    def save(text: str) -> str:
        return notebook_summary(notebook_text_parse(text))

    parsed = notebook_text_parse(_saved_text(20 * SCALE))
    assert [(cell.kind, cell.name, cell.code) for cell in parsed.cells] == [
        ("markdown", "intro", "A notebook"),
        ("code", "total", "total = 1"),
    ]
    assert save(_saved_text(20 * SCALE)) == "A notebook"
    assert_linear_growth(save, small=_saved_text(20), large=_saved_text(20 * SCALE), scale=SCALE)


def _jupyter(magics: int) -> str:
    """A Jupyter notebook whose cell stacks ``magics`` cell magics."""
    cells = [{"cell_type": "code", "source": "%%time\n" * magics + "x = 1", "metadata": {}}]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


def _marimo(depth: int) -> str:
    """A marimo notebook with f-strings nested ``depth`` deep, each over every line."""
    value = 'f"""{x}' + "\n" * (depth * 500) + '"""'
    for _ in range(depth - 1):
        value = 'f"""{' + value + '}"""'
    return "import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef _(x):\n    y = " + value + "\n"


@pytest.mark.parametrize(
    ("make", "small", "filename", "start"),
    [
        (_saved_text, 20, "ours.py", "A notebook"),
        (_jupyter, 50, "stacked.ipynb", "# %%time\n# %%time"),
        pytest.param(
            _marimo,
            1,
            "nested.py",
            'y = f"""{f"""{',
            marks=pytest.mark.skipif(
                sys.version_info < (3, 12), reason="f-strings nest this deep from 3.12"
            ),
        ),
    ],
    ids=["playground", "jupyter", "marimo"],
)
def test_import_in_linear_time(
    make: Callable[[int], str], small: int, filename: str, start: str
) -> None:
    def imported_cells(text: str) -> list[Cell]:
        converted = notebook_import_convert(text=text, filename=filename)
        return loads_notebook(converted.text, "playground").cells

    cells = imported_cells(make(small * SCALE))
    assert cells[0].code.startswith(start)
    assert_linear_growth(imported_cells, small=make(small), large=make(small * SCALE), scale=SCALE)


def test_play_link_that_expands_a_lot() -> None:
    # LZW output grows faster than the link; the cost must follow the output.
    def link(lines: int) -> str:
        return "#code/" + compress_to_encoded_uri_component("x = 1\n" * lines)

    assert source_from_play_link(link(100 * SCALE)) == "x = 1\n" * (100 * SCALE)
    assert_linear_growth(
        source_from_play_link, small=link(100), large=link(100 * SCALE), scale=SCALE
    )


def test_diff_of_revisions_that_differ_on_every_other_line() -> None:
    def revisions(lines: int) -> tuple[list[str], list[str]]:
        old = [f"line {i}" if i % 2 else f"old {i}" for i in range(lines)]
        new = [f"line {i}" if i % 2 else f"new {i}" for i in range(lines)]
        return old, new

    lines = 100 * SCALE
    expected = [DiffLine("hunk", f"@@ -1,{lines} +1,{lines} @@")]
    for i in range(lines):
        if i % 2:
            expected.append(DiffLine("context", f"line {i}"))
        else:
            expected += [DiffLine("removed", f"old {i}"), DiffLine("added", f"new {i}")]
    assert unified_diff(*revisions(lines)) == expected
    assert_linear_growth(
        lambda pair: unified_diff(*pair),
        small=revisions(100),
        large=revisions(100 * SCALE),
        scale=SCALE,
    )


def test_cell_diff_of_notebooks_whose_every_cell_changed() -> None:
    """Every cell edited on every other line: one line diff per cell, sharing one budget."""

    def revisions(cells: int) -> tuple[Notebook, Notebook]:
        def body(word: str, n: int) -> str:
            return "\n".join(f"{word} {n} {i}" if i % 2 else f"same {n} {i}" for i in range(10))

        old = Notebook(cells=[Cell(body("old", n), name=f"c{n}") for n in range(cells)])
        new = Notebook(cells=[Cell(body("new", n), name=f"c{n}") for n in range(cells)])
        return old, new

    cells = 10 * SCALE
    changes = notebook_diff(*revisions(cells))
    assert [change.status for change in changes] == ["changed"] * cells
    assert sum(line.kind == "added" for change in changes for line in change.lines) == 5 * cells
    assert_linear_growth(
        lambda pair: notebook_diff(*pair), small=revisions(10), large=revisions(cells), scale=SCALE
    )


def test_cell_diff_of_anonymous_cells_all_different() -> None:
    """Cells without names, none alike: aligned within the budget, then paired by place."""

    def revisions(cells: int) -> tuple[Notebook, Notebook]:
        old = Notebook(cells=[Cell(f"a{n} = {n}") for n in range(cells)])
        new = Notebook(cells=[Cell(f"b{n} = {n}") for n in range(cells)])
        return old, new

    cells = 50 * SCALE
    changes = notebook_diff(*revisions(cells))
    assert [change.status for change in changes] == ["changed"] * cells
    assert_linear_growth(
        lambda pair: notebook_diff(*pair), small=revisions(50), large=revisions(cells), scale=SCALE
    )


def test_cell_diff_of_cells_moved_around() -> None:
    """Every cell moved (the order reversed): the moved ones are found in n log n."""

    def revisions(cells: int) -> tuple[Notebook, Notebook]:
        old = [Cell(f"v{n} = {n}", name=f"c{n}") for n in range(cells)]
        return Notebook(cells=old), Notebook(cells=old[::-1])

    cells = 50 * SCALE
    changes = notebook_diff(*revisions(cells))
    assert [change.status for change in changes].count("moved") == cells - 1
    assert_linear_growth(
        lambda pair: notebook_diff(*pair), small=revisions(50), large=revisions(cells), scale=SCALE
    )


@pytest.mark.django_db
def test_title_search_with_thousands_of_words() -> None:
    me = user_make()
    report = notebook_make(me, title="Quarterly sales report")
    notebook_make(me, title="Weekly sales")
    mine = StoredNotebook.objects.filter(owner=me)

    def query(words: int) -> str:
        return "SALES " * words + "report"

    found = title_search(mine, query(50 * SCALE))
    assert [notebook.public_id for notebook in found] == [report.public_id]
    # A bounded number of conditions, so building the SQL (what is timed here: the
    # database's time is not this process's) costs about the same for any query.
    assert_bounded_work(
        lambda text: str(title_search(mine, text).query), small=query(50), large=query(50 * SCALE)
    )


@pytest.mark.django_db
def test_title_search_uses_the_first_distinct_words() -> None:
    me = user_make()
    report = notebook_make(me, title="Quarterly sales report")

    def search(query: str) -> list[str]:
        found = title_search(StoredNotebook.objects.filter(owner=me), query)
        return [notebook.public_id for notebook in found]

    in_title = ["sales", "report", *"quartelyspo", "qu", "ua", "ar", "rt", "te", "er", "rl"]
    assert len(set(in_title)) == SEARCH_MAX_WORDS
    assert search(" ".join([*in_title, "zebra"])) == [report.public_id]  # the 21st is ignored
    assert search(" ".join(["zebra", *in_title])) == []
    assert search("sales " * 30 + "report") == [report.public_id]  # repeats count once
    assert search("sales " + "x" * 201) == []  # longer than any title
