"""The user guide at /help/: the docs rendered as the site's pages, safely, with working links."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from pages import help_docs
from pages.help_docs import HELP_PAGES

pytestmark = pytest.mark.django_db


def _ids(page: str) -> set[str]:
    return set(re.findall(r' id="([^"]+)"', page))


def test_every_page_of_the_guide_is_served_with_its_contents(client: Client) -> None:
    for page in HELP_PAGES:
        url = "/help/" if page.slug == "guide" else f"/help/{page.slug}/"
        response = client.get(url)

        assert response.status_code == 200, url
        body = html.unescape(response.content.decode())
        assert f"<title>{page.title} — Playground help</title>" in body
        assert f'data-testid="help-{page.slug}">{page.title}</a>' in body
        # One title: the page's, standing for the file's own "# " line.
        assert re.findall(r"<h1[^>]*>(.*?)</h1>", body) == [page.title], url
    assert client.get("/help/guide/")["Location"] == "/help/"
    assert client.get("/help/nonsense/").status_code == 404


def test_the_guide_holds_the_readmes_parts_for_users_only(client: Client) -> None:
    body = html.unescape(client.get("/help/").content.decode())

    for kept in ("The browser playground (<code>/play</code>)", "How a notebook behaves", "UI elements"):
        assert f">{kept}</h2>" in body, kept
    for dropped in ("Quick start", "Layout", "Benchmarks", "bench/runtime.py"):
        assert dropped not in body, dropped
    assert "<h1>Playground</h1>" not in body  # the page has its own title


def test_links_between_docs_lead_to_their_pages_and_anchors(client: Client) -> None:
    guide = client.get("/help/").content.decode()
    marimo = client.get("/help/marimo/").content.decode()
    ui = client.get("/help/ui/").content.decode()

    # README: [docs/marimo.md](docs/marimo.md#round-trip)
    assert 'href="/help/marimo/#round-trip"' in guide
    assert "round-trip" in _ids(marimo)
    # docs/marimo.md: [format.md](format.md#writing-marimo-files)
    assert 'href="/help/format/#writing-marimo-files"' in marimo
    assert "writing-marimo-files" in _ids(client.get("/help/format/").content.decode())
    # A link within the page.
    assert 'href="#wire-format-for-the-front-end"' in ui
    assert "wire-format-for-the-front-end" in _ids(ui)
    # Files the site does not serve (security.md, deploy/README.md) stay as text.
    for page in (guide, client.get("/help/service/").content.decode()):
        assert "security.md" not in re.findall(r'href="([^"]*)"', page)
        assert not any(href.endswith(".md") or ".md#" in href for href in re.findall(r'href="([^"]*)"', page))


UNSAFE = """# Not safe

Text <script>alert("raw")</script> and <img src=x onerror="alert(1)">.

[a link](javascript:alert(1)) and [data](data:text/html,<b>x</b>) and [a file](../secrets.txt)

### Round trip

See [the marimo page](docs/marimo.md#round-trip) and [the web](https://example.com).
"""


@pytest.fixture
def docs_root(tmp_path: Path, settings: Settings) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Title\n\nIntro.\n\n## The service\n\n" + UNSAFE.split("\n", 1)[1])
    for page in HELP_PAGES[1:]:
        (tmp_path / page.source).write_text(f"# {page.title}\n\n## Round trip\n")
    settings.HELP_DOCS_ROOT = tmp_path
    help_docs._cache.clear()
    yield tmp_path
    help_docs._cache.clear()


def test_markdown_is_rendered_without_raw_html_or_script_links(client: Client, docs_root: Path) -> None:
    body = client.get("/help/").content.decode()
    article = body.split('data-testid="help-body">')[1].split("</article>")[0]

    assert "<script>alert" not in article and "&lt;script&gt;alert" in article
    assert "<img" not in article and "onerror" in article  # as text
    hrefs = re.findall(r'href="([^"]*)"', article)
    assert hrefs == ["/help/marimo/#round-trip", "https://example.com"]
    assert "javascript:" not in hrefs and "[a link](javascript:alert(1))" in html.unescape(article)
    assert "a file" in article  # a link out of the guide: its text stays


def test_a_page_is_rendered_once_until_its_file_changes(
    client: Client, docs_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    real = help_docs.help_markdown_render

    def counting(text: str, *, page: help_docs.HelpPage) -> str:
        renders.append(page.slug)
        return real(text, page=page)

    monkeypatch.setattr(help_docs, "help_markdown_render", counting)

    client.get("/help/ui/")
    client.get("/help/ui/")
    assert renders == ["ui"]

    (docs_root / "docs" / "ui.md").write_text("# UI elements\n\nNew text, longer than before.\n")
    changed = client.get("/help/ui/").content.decode()
    assert renders == ["ui", "ui"]
    assert "New text, longer than before." in changed


def test_the_navigation_links_to_help_and_signed_in_people_to_the_playground(client: Client) -> None:
    from tests.factories import client_for, user_make

    anonymous = client.get("/explore").content.decode()
    signed_in = client_for(user_make()).get("/notebooks/").content.decode()

    assert 'href="/help/" data-testid="nav-help"' in anonymous
    assert 'data-testid="nav-play"' not in anonymous
    assert 'href="/help/" data-testid="nav-help"' in signed_in
    assert re.search(r'<a href="/play" data-testid="nav-play"[^>]*>Playground</a>', signed_in)
