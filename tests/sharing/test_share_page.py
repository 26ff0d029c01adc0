"""The share page: each link and the notebook's address with a Copy button its script shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytest_django import Settings

from sharing.models import Role
from tests.factories import client_for, link_make, notebook_make, user_make
from tests.service.conftest import HOST_SCRIPT, FakeDist

pytestmark = pytest.mark.django_db


def test_every_active_link_and_the_address_have_a_copy_button(fake_dist: FakeDist) -> None:
    notebook = notebook_make(user_make(), visibility="unlisted")
    links = [link_make(notebook, role=Role.VIEW), link_make(notebook, role=Role.EDIT)]

    page = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/share").content.decode()

    for link in links:
        field = f"link-url-{link.public_id}"
        assert re.search(
            rf'<input class="link-url" id="{field}" readonly value="http://testserver/s/{link.token}"[^>]*>'
            rf'<button type="button" class="copy-button" data-copy="{field}" data-testid="link-copy" hidden>Copy</button>',
            page,
        ), link.role
    assert 'data-copy="notebook-address" data-testid="notebook-address-copy" hidden' in page
    assert f'<script type="module" src="/static/{HOST_SCRIPT}"></script>' in page


def test_the_share_page_works_without_a_frontend_build(tmp_path: Path, settings: Settings) -> None:
    settings.FRONTEND_DIST_DIR = tmp_path / "no-dist"
    notebook = notebook_make(user_make())
    link_make(notebook)

    response = client_for(notebook.owner).get(f"/notebooks/{notebook.public_id}/share")

    assert response.status_code == 200
    assert 'data-testid="link-url"' in response.content.decode()
    assert '<script type="module"' not in response.content.decode()
