""""Save to account" from the playground: a page that says what will be saved, then saves it.

The notebook comes as a ``#code/`` link (its fragment, which the page's script posts);
the link is never shown, only what it holds: title, cell count, the first cells.
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from pytest_django import Settings

from kernels.runtime.notebook import Cell
from notebooks import selectors
from notebooks.content import PREVIEW_CELLS, PREVIEW_LINES
from notebooks.models import Notebook
from tests.browser.lzstring import compress_to_encoded_uri_component
from tests.factories import client_for, code, notebook_text, script_json, user_make
from tests.service.conftest import HOST_SCRIPT, FakeDist

pytestmark = pytest.mark.django_db

PAGE = "/notebooks/save-from-playground"


@pytest.fixture(autouse=True)
def _frontend_build(fake_dist: FakeDist) -> None:
    """The page's script, and the editor a save ends on, need a (fake) build."""


def _link(text: str) -> str:
    return "#code/" + compress_to_encoded_uri_component(text)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


SOURCE = notebook_text(
    Cell("# Tides of Brest\nHigh and low water.", kind="markdown", name="intro"),
    code("import math\nheights = [math.sin(h) for h in range(24)]", "heights"),
    code("max(heights)", "peak"),
)


def test_the_page_waits_for_its_script_to_send_the_fragment() -> None:
    response = client_for(user_make()).get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert script_json(response) == {
        "page": "save-from-play",
        # Where a /play draft's files come from (a pop-up on the playground's site).
        "usercontentOrigin": "http://usercontent.testserver",
        "carryUrl": "http://usercontent.testserver/play/carry-files",
    }
    # Isolated as every app page: a change of policy on the way to the log-in and back
    # would start the tab afresh and lose the notebook it keeps meanwhile.
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # With a draft's files to hand over, a pop-up it opens keeps its opener.
    with_files = client_for(user_make()).get(PAGE + "?draft=0b0e4b7e-2c1c-4c59-9d43-5a3b2f1c8e21")
    assert with_files["Cross-Origin-Opener-Policy"] == "same-origin-allow-popups"
    # Signed out it only keeps the notebook on the way to the log-in: the same policy as
    # the log-in page, so the tab (and what it keeps) is not started afresh.
    signed_out = Client().get(PAGE + "?draft=0b0e4b7e-2c1c-4c59-9d43-5a3b2f1c8e21")
    assert signed_out["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert f'<script type="module" src="/static/{HOST_SCRIPT}"></script>' in page
    assert '<input type="hidden" name="link" id="save-from-play-link">' in page
    assert 'data-signed-in="true"' in page
    assert "<textarea" not in page


def test_the_preview_says_what_will_be_saved_and_never_shows_the_link() -> None:
    link = _link(SOURCE)

    response = client_for(user_make()).post(PAGE, {"step": "preview", "link": link})

    assert response.status_code == 200
    page = _text(response)
    assert 'value="Tides of Brest"' in page  # the title, from the first heading
    assert "with 3 cells." in " ".join(re.sub(r"<[^>]+>", "", page).split())
    previews = re.findall(r'data-testid="cell-preview" data-kind="(\w+)"', page)
    assert previews == ["markdown", "code", "code"]
    assert "<pre># Tides of Brest\nHigh and low water.</pre>" in page  # markdown as typed
    assert "heights = [math.sin(h) for h in range(24)]" in page
    # The compressed link only in the hidden field the Save button sends.
    assert page.count(link) == 1
    assert f'<input type="hidden" name="link" value="{link}">' in page
    assert "<textarea" not in page


def test_save_makes_the_notebook_and_opens_it() -> None:
    owner = user_make()
    browser = client_for(owner)

    saved = browser.post(PAGE, {"step": "save", "link": _link(SOURCE), "title": "Tides"})

    notebook = Notebook.objects.get(owner=owner)
    assert saved.status_code == 302
    assert saved["Location"] == f"/notebooks/{notebook.public_id}/"
    assert notebook.title == "Tides"
    assert selectors.revision_text(revision=notebook.current_revision) == SOURCE
    assert "Saved “Tides” to your notebooks." in _text(browser.get(saved["Location"]))


def test_a_save_for_the_script_answers_where_the_notebook_and_its_folder_are() -> None:
    owner = user_make()

    saved = client_for(owner).post(
        PAGE, {"step": "save", "link": _link(SOURCE), "title": "Tides"},
        headers={"Accept": "application/json"},
    )

    notebook = Notebook.objects.get(owner=owner)
    assert saved.status_code == 201
    assert saved.json() == {
        "editorUrl": f"/notebooks/{notebook.public_id}/",
        "filesUrl": f"/api/notebooks/{notebook.public_id}/files",
    }


def test_a_save_without_the_drafts_files_says_so_in_the_editor() -> None:
    browser = client_for(user_make())

    saved = browser.post(
        PAGE, {"step": "save", "link": _link(SOURCE), "title": "Tides", "carry": "missing"}
    )

    assert saved.status_code == 302
    assert "Saved without the playground's files" in _text(browser.get(saved["Location"]))


def test_a_big_notebook_shows_its_first_cells_and_lines_and_counts_the_rest() -> None:
    long_cell = "\n".join(f"row{i} = {i}" for i in range(PREVIEW_LINES + 5))
    cells = [code(long_cell, "long")] + [code(f"x{i} = {i}", f"c{i}") for i in range(PREVIEW_CELLS + 3)]

    page = _text(client_for(user_make()).post(PAGE, {"step": "preview", "link": _link(notebook_text(*cells))}))

    assert len(re.findall(r'data-testid="cell-preview"', page)) == PREVIEW_CELLS
    assert f"row{PREVIEW_LINES - 1} = " in page and f"row{PREVIEW_LINES} = " not in page
    assert "… 5 more lines" in page
    assert f"… and {PREVIEW_CELLS + 4 - PREVIEW_CELLS} more cells." in page


def test_a_broken_link_says_what_is_wrong() -> None:
    response = client_for(user_make()).post(PAGE, {"step": "preview", "link": "#code/%%%"})

    assert response.status_code == 400
    assert 'data-testid="save-from-play-error"' in response.content.decode()
    assert "cut or changed" in _text(response)
    assert Notebook.objects.count() == 0


def test_the_size_limit_is_the_imports(settings: Settings) -> None:
    settings.NOTEBOOK_MAX_BYTES = 2_000
    big = notebook_text(code("s = '" + "x" * 3_000 + "'", "s"))

    response = client_for(user_make()).post(PAGE, {"step": "preview", "link": _link(big)})

    assert response.status_code == 413
    assert "over the limit of 2 kB per notebook" in _text(response)


def test_a_refused_title_shows_the_preview_again_to_shorten_it() -> None:
    response = client_for(user_make()).post(
        PAGE, {"step": "save", "link": _link(SOURCE), "title": "x" * 300}
    )

    assert response.status_code == 400
    page = _text(response)
    assert "This title is 300 characters long; a title may have at most 200." in page
    assert 'data-testid="save-from-play-save"' in page
    assert Notebook.objects.count() == 0


def test_signed_out_the_page_asks_to_log_in_and_comes_back() -> None:
    anonymous = client_for(None)

    page = anonymous.get(PAGE).content.decode()
    posted = anonymous.post(PAGE, {"step": "save", "link": _link(SOURCE)})

    assert 'data-signed-in="false"' in page
    assert f'href="/accounts/login/?next={PAGE}" data-testid="save-from-play-login-link"' in page
    assert posted.status_code == 302
    assert posted["Location"] == f"/accounts/login/?next={PAGE}"
    assert Notebook.objects.count() == 0


def test_the_playground_opens_this_page_and_the_import_page_sends_old_links_on(
    usercontent: Client,
) -> None:
    play = usercontent.get("/play")
    imported = client_for(user_make()).get("/notebooks/import")

    assert script_json(play, "playground-config")["importUrl"] == f"http://testserver{PAGE}"
    assert script_json(imported) == {"page": "import", "saveFromPlayUrl": PAGE}
