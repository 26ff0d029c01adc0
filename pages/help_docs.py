"""The user guide at /help/: the repository's user-facing docs, rendered as the site's pages.

The pages are the Markdown files themselves (``HELP_PAGES``: the README's parts for
people who use Playground, docs/ui.md, docs/marimo.md, docs/format.md,
docs/service.md), so the guide and the docs never disagree. Rendering is
markdown-it-py's CommonMark with tables, and safe whatever a file holds:

- raw HTML is off: a ``<script>`` in a file shows as text, it never reaches the page;
- markdown-it's link check drops ``javascript:``, ``vbscript:``, ``file:`` and
  ``data:`` links (they render as text);
- a relative link to a file of the guide becomes that page's ``/help/`` address
  (anchors kept: headings get GitHub's ids), and one to any other file of the
  repository becomes plain text, since the site does not serve it.

A page is rendered once per process and kept until its file changes (its size or
modification time), so a deploy or an edit shows at once and a request costs a
``stat``.
"""

from __future__ import annotations

import posixpath
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class HelpPage:
    slug: str
    title: str
    source: str  # relative to settings.HELP_DOCS_ROOT, with "/"
    # Only these "## " sections (and the text before the first one), for a file that
    # also speaks to developers; empty: the whole file.
    sections: tuple[str, ...] = ()


HELP_PAGES: tuple[HelpPage, ...] = (
    HelpPage(
        "guide",
        "User guide",
        "README.md",
        sections=(
            "The browser playground (`/play`)",
            "The service",
            "How a notebook behaves",
            "UI elements",
            "marimo notebooks",
            "The `playground` command",
        ),
    ),
    HelpPage("ui", "UI elements", "docs/ui.md"),
    HelpPage("marimo", "marimo notebooks", "docs/marimo.md"),
    HelpPage("format", "The notebook file format", "docs/format.md"),
    HelpPage("service", "Accounts, sharing and the API", "docs/service.md"),
    HelpPage("classroom", "Courses and assignments", "docs/classroom.md"),
)
_BY_SLUG = {page.slug: page for page in HELP_PAGES}
_BY_SOURCE = {page.source: page for page in HELP_PAGES}


class HelpPageNotFound(LookupError):
    pass


@dataclass(frozen=True)
class RenderedPage:
    page: HelpPage
    html: SafeString


def help_page_get(slug: str) -> RenderedPage:
    """The page ``slug`` rendered (from the cache while its file is unchanged)."""
    page = _BY_SLUG.get(slug)
    if page is None:
        raise HelpPageNotFound(slug)
    path = Path(settings.HELP_DOCS_ROOT) / page.source
    try:
        stat = path.stat()
    except OSError:  # a deployment without the docs
        raise HelpPageNotFound(slug) from None
    stamp = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(slug)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    text = path.read_text(encoding="utf-8")
    rendered = RenderedPage(page, mark_safe(help_markdown_render(text, page=page)))
    with _lock:
        _cache[slug] = (stamp, rendered)
    return rendered


_cache: dict[str, tuple[tuple[str, int, int], RenderedPage]] = {}
_lock = threading.Lock()


def help_markdown_render(text: str, *, page: HelpPage) -> str:
    """``text`` (Markdown) as HTML for ``page``: only the page's sections, links mapped."""
    # The page's title stands for the file's own "# " title.
    text = re.sub(r"\A\s*# .*\n", "", text)
    if page.sections:
        text = _sections(text, page.sections)
    renderer = _renderer()
    tokens = renderer.parse(text)
    _add_heading_ids(tokens)
    _map_links(tokens, source=page.source)
    html: str = renderer.renderer.render(tokens, renderer.options, {})
    return html


def _renderer() -> MarkdownIt:
    # "html": False escapes any HTML in the text; linkify and typographer stay off.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _sections(text: str, keep: Sequence[str]) -> str:
    """The text before the first ``## `` heading and the ``## `` sections named in
    ``keep``, in the file's order."""
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [part for part in parts[1:] if part.splitlines()[0][3:].strip() in keep]
    return parts[0] + "".join(kept)


def _add_heading_ids(tokens: list[Token]) -> None:
    """``id`` on every heading, as GitHub makes them, so ``file.md#anchor`` links work."""
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        words = "".join(child.content for child in inline.children or () if child.content)
        slug = re.sub(r"[^\w\- ]", "", words.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        token.attrSet("id", f"{slug}-{count}" if count else slug)


def _map_links(tokens: list[Token], *, source: str) -> None:
    for token in tokens:
        if token.children:
            token.children = _mapped_links(token.children, source=source)


def _mapped_links(children: list[Token], *, source: str) -> list[Token]:
    """Links to guide pages point to /help/; links to other repository files become text."""
    mapped: list[Token] = []
    dropping = False
    for child in children:
        if child.type == "link_open":
            href = _help_href(str(child.attrGet("href") or ""), source=source)
            if href is None:
                dropping = True
                continue
            child.attrSet("href", href)
        elif child.type == "link_close" and dropping:
            dropping = False
            continue
        mapped.append(child)
    return mapped


_EXTERNAL = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


def _help_href(href: str, *, source: str) -> str | None:
    """Where a link of ``source`` goes on the site, or None to show it as text."""
    if not href or href.startswith("#") or _EXTERNAL.match(href):
        return href
    if href.startswith("/") or ":" in href.split("/", 1)[0]:
        return None  # an address of the repository's own tree, or another scheme
    path, _, fragment = href.partition("#")
    target = _BY_SOURCE.get(posixpath.normpath(posixpath.join(posixpath.dirname(source), path)))
    if target is None:
        return None
    return help_url(target.slug) + (f"#{fragment}" if fragment else "")


def help_url(slug: str) -> str:
    return "/help/" if slug == HELP_PAGES[0].slug else f"/help/{slug}/"


def help_contents() -> list[dict[str, Any]]:
    """The guide's pages for its table of contents."""
    return [
        {"slug": page.slug, "title": page.title, "url": help_url(page.slug)} for page in HELP_PAGES
    ]
