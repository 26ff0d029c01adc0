"""The history page shows cells, not the file they are stored in; a restore goes back to the editor."""

from __future__ import annotations

import html
import re

import pytest

from kernels.runtime.notebook import Cell
from notebooks import services
from tests.factories import client_for, code, notebook_make, notebook_text, user_make
from tests.service.conftest import FakeDist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frontend_build(fake_dist: FakeDist) -> None:
    """The editor a restore returns to frames the playground: it needs a (fake) build."""


def _diff(page: str) -> str:
    return page.split('data-testid="diff">')[1].split("</ol>")[0]


def _save(notebook, *cells: Cell, base: int) -> None:  # type: ignore[no-untyped-def]
    services.revision_create(
        notebook=notebook, content=notebook_text(*cells), author=notebook.owner, base_revision=base
    )


def test_each_changed_cell_is_shown_with_its_lines_and_no_file_markup() -> None:
    intro = Cell("# Budget\nFor 2025.", kind="markdown", name="intro")
    notebook = notebook_make(user_make(), cells=[intro, code("rent = 900", "rent"), code("food = 300", "food")])
    _save(
        notebook,
        Cell("# Budget\nFor 2026.", kind="markdown", name="intro"),
        code("rent = 950", "rent"),
        code("travel = 120", "travel"),
        base=1,
    )

    page = html.unescape(client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/history").content.decode())
    diff = _diff(page)

    entries = re.findall(r'data-status="(\w+)" data-kind="(\w+)"', diff)
    assert entries == [("changed", "markdown"), ("changed", "code"), ("added", "code"), ("removed", "code")]
    # The markdown as typed (no "# " comment prefix), then the code cells' own lines.
    assert '<span class="diff-removed">- For 2025.</span><span class="diff-added">+ For 2026.</span>' in diff
    assert '<span class="diff-removed">- rent = 900</span><span class="diff-added">+ rent = 950</span>' in diff
    assert '<span class="diff-added">+ travel = 120</span>' in diff
    assert '<span class="diff-removed">- food = 300</span>' in diff
    # None of the .py format's own lines: the header, the cell markers, hunk headers.
    for markup in ("# /// playground", "# %%", "__main__", "kernels.runtime.script", "@@", "# For 2025"):
        assert markup not in diff, markup
    # One element per line and nothing between them: a line break too would double the spacing.
    for block in re.findall(r"<pre class=\"diff\">(.*?)</pre>", diff, re.S):
        assert "\n" not in re.sub(r"<span[^>]*>[^<]*</span>", "", block), block


def test_unchanged_cells_are_summed_up_not_listed() -> None:
    cells = [code(f"v{i} = {i}", f"c{i}") for i in range(4)]
    notebook = notebook_make(user_make(), cells=cells)
    _save(notebook, *cells[:3], code("v3 = 30", "c3"), base=1)

    page = html.unescape(client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/history").content.decode())

    diff = _diff(page)
    assert "3 cells unchanged (1–3)" in diff
    assert "v0 = 0" not in diff


def test_the_same_cells_say_so() -> None:
    notebook = notebook_make(user_make(), cells=[code("x = 1", "x")])
    # Same cells, another file: a header line of a hand-written file differs.
    text = "# a hand-written header\n" + notebook_text(code("x = 1", "x")).split("\n\n", 1)[1]
    services.revision_create(notebook=notebook, content=text, author=notebook.owner, base_revision=1)

    page = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/history?rev=1").content.decode()

    assert 'data-testid="diff-empty">Same cells as the current revision.' in page


def test_restoring_a_revision_returns_to_the_editor_saying_what_happened() -> None:
    notebook = notebook_make(user_make(), cells=[code("x = 1", "x")])
    _save(notebook, code("x = 2", "x"), base=1)
    browser = client_for(notebook.owner)

    restored = browser.post(f"/notebooks/{notebook.public_id}/history/1/restore")

    assert restored.status_code == 302
    assert restored["Location"] == f"/notebooks/{notebook.public_id}/"
    editor = html.unescape(browser.get(restored["Location"]).content.decode())
    assert "Restored revision 1: it is now revision 3, the current one" in editor

    same = browser.post(f"/notebooks/{notebook.public_id}/history/3/restore")
    assert same["Location"] == f"/notebooks/{notebook.public_id}/"
    assert "Revision 3 is the same as the current one." in html.unescape(
        browser.get(same["Location"]).content.decode()
    )
