"""A real package index for tests: an HTTP server on loopback serving wheels built here.

``UpstreamIndex`` serves ``/simple/<project>/`` as PEP 691 JSON or PEP 503 HTML
(``page_format``) and the files under ``/files/``, and counts every request by path,
so tests can tell whether the proxy asked upstream. Tests change what it serves by
editing ``projects`` (what the pages list) and ``files`` (what the file URLs return).

A slow upstream without sleeping: with ``gate`` set to an unset ``threading.Event``,
every request that arrives releases ``arrivals`` and then waits for the test to set
the gate (file bodies may first send ``gate_after_bytes`` bytes).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal


def wheel_bytes(filename: str, *, padding: int = 0) -> bytes:
    """A small valid wheel: a module, METADATA, WHEEL and RECORD (``padding`` bytes extra)."""
    distribution, version = filename.split("-")[:2]
    tag = "-".join(filename.removesuffix(".whl").split("-")[-3:])
    dist_info = f"{distribution}-{version}.dist-info"
    module = f"{distribution.lower()}.py"
    contents = {
        module: f"VERSION = {version!r}\n# {'x' * padding}\n",
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
        ),
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        record = []
        for name, text in contents.items():
            data = text.encode()
            archive.writestr(name, data)
            record.append(f"{name},sha256={hashlib.sha256(data).hexdigest()},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class ListedFile:
    """One file on a project page: its name, URL (relative to the page) and metadata."""

    filename: str
    url: str
    sha256: str | None = None
    requires_python: str | None = None
    yanked: bool = False


@dataclass
class UpstreamIndex:
    page_format: Literal["json", "html"] = "json"
    projects: dict[str, list[ListedFile]] = field(default_factory=dict)
    # Served at /files/<name>: the body, and whether to send Content-Length.
    files: dict[str, bytes] = field(default_factory=dict)
    send_content_length: bool = True
    # A status to answer every request with instead (e.g. 500).
    fail_with: int | None = None
    requests: Counter[str] = field(default_factory=Counter)
    # While set (and not yet set by the test), requests wait for it before answering.
    gate: threading.Event | None = None
    # Under a gate: file bodies send this many bytes first, then wait.
    gate_after_bytes: int = 0
    # Called as a file body starts, before its first byte (e.g. to move a test's clock).
    on_body: Callable[[], None] | None = None
    # Released once for every request that arrives while there is a gate.
    arrivals: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/simple/"

    def add_wheel(
        self, project: str, filename: str, *, data: bytes | None = None, **listing: object
    ) -> bytes:
        """Serve ``filename`` and list it on ``project``'s page with its real sha256."""
        body = wheel_bytes(filename) if data is None else data
        self.files[filename] = body
        listed = ListedFile(filename, f"../../files/{filename}", sha256(body))
        for name, value in listing.items():
            setattr(listed, name, value)
        self.projects.setdefault(project, []).append(listed)
        return body

    def start(self) -> None:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                index.requests[self.path] += 1
                if index.gate is not None:
                    index.arrivals.release()
                is_file = self.path.startswith("/files/")
                if index.gate is not None and not (is_file and index.gate_after_bytes):
                    index.gate.wait()
                if index.fail_with is not None:
                    self._send(index.fail_with, b"upstream broke", "text/plain")
                elif self.path.startswith("/simple/"):
                    self._project_page(self.path.removeprefix("/simple/").strip("/"))
                elif is_file:
                    body = index.files.get(self.path.removeprefix("/files/"))
                    if body is None:
                        self._send(404, b"no such file", "text/plain")
                    else:
                        self._send(200, body, "application/octet-stream", file=True)
                else:
                    self._send(404, b"not here", "text/plain")

            def _project_page(self, project: str) -> None:
                files = index.projects.get(project)
                if files is None:
                    self._send(404, b"no such project", "text/plain")
                elif index.page_format == "json":
                    page = {
                        "meta": {"api-version": "1.1"},
                        "name": project,
                        "files": [
                            {
                                "filename": file.filename,
                                "url": file.url,
                                "hashes": {"sha256": file.sha256} if file.sha256 else {},
                                **(
                                    {"requires-python": file.requires_python}
                                    if file.requires_python
                                    else {}
                                ),
                                **({"yanked": "broken build"} if file.yanked else {}),
                            }
                            for file in files
                        ],
                    }
                    self._send(
                        200, json.dumps(page).encode(), "application/vnd.pypi.simple.v1+json"
                    )
                else:
                    anchors = []
                    for file in files:
                        href = file.url + (f"#sha256={file.sha256}" if file.sha256 else "")
                        attributes = f'href="{html.escape(href)}"'
                        if file.requires_python:
                            attributes += (
                                f' data-requires-python="{html.escape(file.requires_python)}"'
                            )
                        if file.yanked:
                            attributes += ' data-yanked="broken build"'
                        anchors.append(f"<a {attributes}>{html.escape(file.filename)}</a><br>")
                    page_html = (
                        "<!DOCTYPE html><html><body><h1>Links for "
                        f"{html.escape(project)}</h1>{''.join(anchors)}</body></html>"
                    )
                    self._send(200, page_html.encode(), "text/html; charset=utf-8")

            def _send(
                self, status: int, body: bytes, content_type: str, *, file: bool = False
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if index.send_content_length or status != 200:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                if file and index.on_body is not None:
                    index.on_body()
                if file and index.gate is not None and index.gate_after_bytes:
                    self.wfile.write(body[: index.gate_after_bytes])
                    self.wfile.flush()
                    index.gate.wait()
                    body = body[index.gate_after_bytes :]
                self.wfile.write(body)
                if not index.send_content_length:
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()  # let held requests end
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def file_requests(self) -> int:
        return sum(count for path, count in self.requests.items() if path.startswith("/files/"))

    def page_requests(self) -> int:
        return sum(count for path, count in self.requests.items() if path.startswith("/simple/"))
