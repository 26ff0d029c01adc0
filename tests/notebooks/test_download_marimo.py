"""The editor's "Download as marimo": the saved notebook as a marimo ``.py`` file."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest

from kernels.runtime.formats import loads_notebook, marimo
from notebooks import selectors, services
from sharing.models import Role
from tests.factories import client_for, code, link_make, markdown, notebook_make, user_make
from tests.service.conftest import FakeDist

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _frontend_build(fake_dist: FakeDist) -> None:
    """The editor frames the playground: it needs a (fake) frontend build."""


def test_editor_links_to_both_downloads() -> None:
    notebook = notebook_make(user_make())

    page = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/").content.decode()

    links = dict(re.findall(r'<a href="([^"]+)" data-testid="(download[^"]*)"', page))
    assert links == {
        f"/notebooks/{notebook.public_id}/download": "download",
        f"/notebooks/{notebook.public_id}/download?format=marimo": "download-marimo",
    }
    assert "Download as marimo" in page


def test_download_as_marimo_gives_a_marimo_file_of_the_same_cells() -> None:
    cells = [
        markdown("# Loans\n\nMonthly payments."),
        code("rate = 0.04", "rate"),
        code("payment = 1000 * rate / 12\npayment", "payment"),
    ]
    notebook = notebook_make(user_make(), title="Loans / 2026", cells=cells)

    response = client_for(notebook.owner).get(
        f"/notebooks/{notebook.public_id}/download", {"format": "marimo"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/x-python; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Loans _ 2026.py"'
    text = response.content.decode()
    assert text.startswith("import marimo\n")
    assert "@app.cell\ndef payment(rate):\n" in text
    saved = loads_notebook(selectors.revision_text(revision=notebook.current_revision), "py")
    assert marimo.loads(text).cells == saved.cells
    # Without a format (or with ours), the file is the saved revision as it is.
    ours = client_for(notebook.owner).get(
        f"/notebooks/{notebook.public_id}/download", {"format": "playground"}
    )
    assert ours.content.decode() == selectors.revision_text(revision=notebook.current_revision)


def test_a_notebook_imported_from_marimo_downloads_as_the_marimo_file() -> None:
    original = (FIXTURES / "churn.py").read_text()
    notebook = services.notebook_import(owner=user_make(), text=original)

    response = client_for(notebook.owner).get(
        f"/notebooks/{notebook.public_id}/download", {"format": "marimo"}
    )

    text = response.content.decode()
    # The same cells, names and markdown; anonymous cells (named cell-<n> here) are `_`
    # again. The App's options are not kept.
    assert marimo.loads(text) == marimo.loads(original)
    assert 'app = marimo.App()\n' in text
    assert "@app.cell\ndef load_plans():\n" in text


def test_shared_download_as_marimo_follows_the_links_rules() -> None:
    notebook = notebook_make(user_make(), cells=[code("x = 1", "x")])
    with_code = link_make(notebook, role=Role.VIEW, show_code=True)
    outputs_only = link_make(notebook, role=Role.VIEW, show_code=False)

    allowed = client_for(None).get(f"/s/{with_code.token}/download", {"format": "marimo"})
    refused = client_for(None).get(f"/s/{outputs_only.token}/download", {"format": "marimo"})

    assert allowed.status_code == 200
    assert marimo.loads(allowed.content.decode()).cells[0].code == "x = 1"
    assert refused.status_code == 403


def test_an_unknown_download_format_says_which_exist() -> None:
    notebook = notebook_make(user_make())

    response = client_for(notebook.owner).get(
        f"/notebooks/{notebook.public_id}/download", {"format": "jupyter"}
    )

    assert response.status_code == 400
    message = html.unescape(response.content.decode())
    assert "There is no download format 'jupyter'; choose playground or marimo." in message


def test_names_our_editor_gives_survive_the_marimo_file() -> None:
    notebook = notebook_make(user_make(), cells=[code("a = 1", "kQfz"), code("a + 1", "cell-1")])

    text = client_for(notebook.owner).get(
        f"/notebooks/{notebook.public_id}/download", {"format": "marimo"}
    ).content.decode()

    back = marimo.loads(text).cells
    assert [cell.name for cell in back] == ["kQfz", None]
    assert [dataclasses.replace(cell, name=None) for cell in back] == [
        dataclasses.replace(cell, name=None) for cell in [code("a = 1"), code("a + 1")]
    ]
