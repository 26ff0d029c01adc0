"""Talking to the upstream package index: a project's file list, and downloading one file.

Speaks the simple repository API in both forms: PEP 691 JSON (asked for first) and
PEP 503 HTML. Only http(s) is ever fetched, also after redirects, so an index cannot
point the proxy at local files. Errors are the exceptions below, in HTTP terms; the
services turn them into messages for people.

Every call takes a ``Deadline`` besides the per-operation socket timeout: an index
that answers a byte at a time never lets a socket timeout fire, so reads also stop
once the request's whole time with upstream is used up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from time import monotonic
from typing import IO, Any
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import (
    HTTPDefaultErrorHandler,
    HTTPErrorProcessor,
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    ProxyHandler,
    Request,
)

USER_AGENT = "playground-wheel-proxy/1"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
# A project page larger than this is refused (the largest on PyPI are a few MB).
_INDEX_MAX_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


class UpstreamError(Exception):
    """The index could not be reached or answered with an error (other than 404)."""


class UpstreamNotFound(UpstreamError):
    """The index answered 404: it has no such project or file."""


class UpstreamTooLarge(UpstreamError):
    """The file is larger than the limit; nothing of it was kept."""


class UpstreamTimeout(UpstreamError):
    """The index was too slow: a socket timeout, or the request's deadline passed."""


@dataclass(frozen=True)
class Deadline:
    """The moment (``monotonic()``) by which one request's upstream work must end."""

    at: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(at=monotonic() + seconds, seconds=seconds)

    def remaining(self) -> float:
        return self.at - monotonic()

    def check(self, url: str) -> None:
        if self.remaining() <= 0:
            raise UpstreamTimeout(f"{url} did not finish within {self.seconds:g} s")


@dataclass(frozen=True)
class UpstreamFile:
    """One file of a project as the index lists it."""

    filename: str
    url: str  # absolute
    hashes: dict[str, str] = field(default_factory=dict)
    requires_python: str | None = None
    yanked: bool = False
    size: int | None = None


@dataclass(frozen=True)
class Download:
    size: int
    sha256: str


def _opener() -> OpenerDirector:
    """An opener for http(s) only: none of urllib's file:, ftp: or data: handlers."""
    opener = OpenerDirector()
    for handler in (
        ProxyHandler(),
        HTTPHandler(),
        HTTPSHandler(),
        HTTPRedirectHandler(),
        HTTPDefaultErrorHandler(),
        HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}


def _open(url: str, *, accept: str, timeout: float, deadline: Deadline) -> Any:
    if not _is_http(url):
        raise UpstreamError(f"refused to fetch {url!r}: only http and https URLs are fetched")
    deadline.check(url)
    request = Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})
    try:
        return _opener().open(request, timeout=min(timeout, deadline.remaining()))
    except HTTPError as error:
        error.close()
        if error.code == 404:
            raise UpstreamNotFound(f"{url} answered 404 Not Found") from error
        raise UpstreamError(f"{url} answered {error.code} {error.reason}") from error
    except (URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise UpstreamTimeout(f"{url} did not answer in time ({reason})") from error
        raise UpstreamError(f"{url} could not be reached ({reason})") from error


def _read_limited(response: Any, limit: int, *, url: str, deadline: Deadline) -> Iterator[bytes]:
    """The body in chunks; stops past ``limit`` bytes, at the deadline, or on a read error.

    ``read1`` returns whatever one receive brings, so the deadline is checked between
    receives even when the index sends a few bytes at a time.
    """
    total = 0
    while True:
        deadline.check(url)
        try:
            chunk = response.read1(_CHUNK)
        except TimeoutError as error:
            raise UpstreamTimeout(f"{url} stopped sending ({error})") from error
        except OSError as error:
            raise UpstreamError(f"{url} stopped answering ({error})") from error
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise UpstreamTooLarge(f"more than {limit} bytes")
        yield chunk


def project_files_fetch(
    *, index_url: str, project: str, timeout: float, deadline: Deadline
) -> list[UpstreamFile]:
    """Every file the index lists for ``project`` (a normalized, valid name)."""
    page_url = urljoin(index_url if index_url.endswith("/") else index_url + "/", project + "/")
    with _open(page_url, accept=_ACCEPT, timeout=timeout, deadline=deadline) as response:
        body = b"".join(_read_limited(response, _INDEX_MAX_BYTES, url=page_url, deadline=deadline))
        content_type = response.headers.get_content_type()
        charset = response.headers.get_content_charset() or "utf-8"
        base_url = response.geturl()  # after redirects, for relative links
    try:
        if content_type in {JSON_TYPE, "application/json"}:
            return _parse_json_page(body, base_url)
        if content_type in {"text/html", "application/vnd.pypi.simple.v1+html"}:
            return _parse_html_page(body.decode(charset, errors="replace"), base_url)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise UpstreamError(
            f"{page_url} sent a project page that could not be read ({error})"
        ) from error
    raise UpstreamError(f"{page_url} sent {content_type}, not a simple index page")


def _parse_json_page(body: bytes, base_url: str) -> list[UpstreamFile]:
    """PEP 691 JSON (api-version 1.x)."""
    page = json.loads(body)
    version = str(page.get("meta", {}).get("api-version", "1.0"))
    if not version.startswith("1."):
        raise ValueError(f"unsupported api-version {version}")
    files = []
    for entry in page["files"]:
        hashes = entry.get("hashes") or {}
        size = entry.get("size")
        files.append(
            UpstreamFile(
                filename=str(entry["filename"]),
                url=urljoin(base_url, str(entry["url"])),
                hashes={str(name): str(value) for name, value in hashes.items()},
                requires_python=entry.get("requires-python") or None,
                # PEP 592: true, or a string giving the reason.
                yanked=bool(entry.get("yanked", False)),
                size=size if isinstance(size, int) else None,
            )
        )
    return files


class _AnchorCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def _parse_html_page(text: str, base_url: str) -> list[UpstreamFile]:
    """PEP 503 HTML: one anchor per file, its hash in the URL fragment (``#sha256=...``)."""
    collector = _AnchorCollector()
    collector.feed(text)
    collector.close()
    files = []
    for attrs, anchor_text in collector.anchors:
        href = attrs.get("href")
        if not href:
            continue
        url, _, fragment = urljoin(base_url, href).partition("#")
        hash_name, _, hash_value = fragment.partition("=")
        filename = anchor_text or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        files.append(
            UpstreamFile(
                filename=filename,
                url=url,
                hashes={hash_name: hash_value} if hash_name and hash_value else {},
                requires_python=attrs.get("data-requires-python") or None,
                yanked="data-yanked" in attrs,
            )
        )
    return files


def file_download(
    *, url: str, into: IO[bytes], max_bytes: int, timeout: float, deadline: Deadline
) -> Download:
    """Stream ``url`` into ``into``, stopping past ``max_bytes``; its size and sha256.

    Only reading is upstream's fault (``_read_limited`` turns its errors into
    UpstreamError); a failing write (disk full) propagates as is.
    """
    digest = hashlib.sha256()
    size = 0
    with _open(url, accept="*/*", timeout=timeout, deadline=deadline) as response:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise UpstreamTooLarge(f"{declared} bytes declared")
        for chunk in _read_limited(response, max_bytes, url=url, deadline=deadline):
            digest.update(chunk)
            into.write(chunk)
            size += len(chunk)
    return Download(size=size, sha256=digest.hexdigest())
