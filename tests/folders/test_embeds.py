"""Embeds of saved notebooks: ``/embed/<token>`` on the user-content site, and the snippet
the share page gives for each view link.

The page any site may frame opens the link's notebook and its folder in the app
view; a dead link says why inside the frame; the app's own site serves no embed.
That it runs and sizes itself on another origin is tests/browser/test_static_site.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from sharing import services as sharing_services
from sharing.models import Role
from tests.factories import client_for, code, link_make, notebook_make, user_make
from tests.folders.test_folder_api import CSV, body_of, put

pytestmark = pytest.mark.django_db

USERCONTENT = Client(HTTP_HOST="usercontent.testserver")


def config_of(answer: Any) -> dict[str, Any]:
    found = re.search(rb'<script id="playground-config" type="application/json">(.*?)</script>',
                      answer.content, re.S)
    assert found is not None, answer.content[:500]
    return dict(json.loads(found.group(1)))


def test_an_embed_opens_the_notebook_and_its_files_for_any_site_to_frame() -> None:
    owner = user_make()
    notebook = notebook_make(owner, title="Rainfall",
                             cells=[code("rows = open('data.csv').read()", "r")])
    put(client_for(owner), notebook, "data.csv", CSV)
    link = link_make(notebook, role=Role.VIEW)

    answer = USERCONTENT.get(f"/embed/{link.token}")
    assert answer.status_code == 200
    assert "frame-ancestors *" in answer["Content-Security-Policy"]
    assert "X-Frame-Options" not in answer
    config = config_of(answer)
    assert config["embed"] is True and config["mode"] == "read"
    assert [c["code"] for c in config["starter"]["cells"]] == ["rows = open('data.csv').read()"]
    assert config["site"]["title"] == "Rainfall" and config["site"]["showCode"] is False
    [data] = config["site"]["files"]
    assert data["path"] == "data.csv" and body_of(data["url"]) == CSV
    assert not answer.cookies


def test_a_view_link_with_code_shows_the_code_control() -> None:
    notebook = notebook_make(user_make())
    link = link_make(notebook, role=Role.VIEW, show_code=True)
    assert config_of(USERCONTENT.get(f"/embed/{link.token}"))["site"]["showCode"] is True


def test_a_dead_or_unknown_link_says_why_in_the_frame_and_shows_nothing() -> None:
    notebook = notebook_make(user_make(), cells=[code("secret_marker = 1", "s")])
    link = link_make(notebook)
    sharing_services.share_link_revoke(link=link)
    revoked = USERCONTENT.get(f"/embed/{link.token}")
    assert revoked.status_code == 410 and b"revoked" in revoked.content
    assert b"secret_marker" not in revoked.content
    unknown = USERCONTENT.get("/embed/" + "A" * 32)
    assert unknown.status_code == 404 and b"secret_marker" not in unknown.content


def test_the_app_site_serves_no_embed_and_the_share_page_gives_the_snippet() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    view = link_make(notebook, role=Role.VIEW)
    edit = link_make(notebook, role=Role.EDIT)
    assert Client().get(f"/embed/{view.token}").status_code == 404

    page = client_for(owner).get(f"/notebooks/{notebook.public_id}/share").content.decode()
    snippet = (f'&lt;playground-notebook src=&quot;http://usercontent.testserver/embed/'
               f'{view.token}&quot;&gt;')
    assert snippet in page
    assert "http://usercontent.testserver/static/embed.js" in page
    # Only view links embed: an edit link in another site's page would let anyone edit.
    assert f"/embed/{edit.token}" not in page
