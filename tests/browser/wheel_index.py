"""A tiny package index on loopback, standing in for PyPI behind the service's /wheels/ proxy.

``build_pure_wheel`` writes a real pure-Python wheel (METADATA, WHEEL, RECORD
with hashes). ``serve_index`` serves a directory of distribution files as a
simple repository: ``/simple/<project>/`` answers PEP 691 JSON when asked for
``application/vnd.pypi.simple.v1+json`` and PEP 503 HTML otherwise, and files
are under ``/files/<filename>``. Project names are normalized (PEP 503), so
``pgtest_hello`` and ``pgtest-hello`` are the same project.
"""

from __future__ import annotations

import base64
import hashlib
import html
import http.server
import json
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

_PYPI_JSON = "application/vnd.pypi.simple.v1+json"

# The projects of the browser tests' index. `pgtest-native` has only a compiled
# wheel and an sdist, so the service must say it has no pure-Python wheel.
PURE_PROJECT = "pgtest_hello"
PURE_GREETING = "hi from wheel"
NATIVE_PROJECT = "pgtest_native"
# Pure itself, but it requires NATIVE_PROJECT: micropip fetches it, then fails on that.
NEEDS_NATIVE_PROJECT = "pgtest_needs_native"


def normalize_project_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def build_pure_wheel(
    directory: Path, *, name: str, version: str, modules: dict[str, str],
    requires: tuple[str, ...] = (),
) -> Path:
    """Write ``<name>-<version>-py3-none-any.whl`` holding ``modules`` (path -> source)."""
    dist = name.replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    files = {
        **{path: source.encode() for path, source in modules.items()},
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            "Summary: A wheel built by Playground's browser tests\n"
            + "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: playground-tests\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record_path = f"{dist_info}/RECORD"
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[record_path] = (record + f"{record_path},,\n").encode()

    wheel = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


def build_test_projects(directory: Path) -> None:
    """Write the distributions of the test projects into ``directory``."""
    build_pure_wheel(
        directory,
        name=PURE_PROJECT,
        version="1.0",
        modules={
            f"{PURE_PROJECT}/__init__.py": (
                f'"""Installed from the test index."""\n\n\ndef hello():\n'
                f"    return {PURE_GREETING!r}\n"
            )
        },
    )
    build_pure_wheel(
        directory,
        name=NEEDS_NATIVE_PROJECT,
        version="1.0",
        modules={f"{NEEDS_NATIVE_PROJECT}/__init__.py": "import pgtest_native\n"},
        requires=(NATIVE_PROJECT,),
    )
    # Listed, but unusable in a browser: compiled for Linux, and a source archive.
    (directory / f"{NATIVE_PROJECT}-1.0-cp314-cp314-manylinux_2_17_x86_64.whl").write_bytes(b"x")
    (directory / f"{NATIVE_PROJECT}-1.0.tar.gz").write_bytes(b"x")


def _project_of(filename: str) -> str:
    # Wheels and sdists both start with "<distribution>-<version>".
    return normalize_project_name(filename.split("-", 1)[0])


class _IndexHandler(http.server.BaseHTTPRequestHandler):
    server: _IndexServer

    def log_message(self, format: str, *args: object) -> None:
        self.server.requests.append(self.path)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if match := re.fullmatch(r"/simple/([^/]+)/?", path):
            self._project_page(normalize_project_name(match.group(1)))
        elif match := re.fullmatch(r"/files/([^/]+)", path):
            file = self.server.directory / match.group(1)
            if file.is_file():
                self._send(200, "application/octet-stream", file.read_bytes())
            else:
                self._send(404, "text/plain", b"no such file")
        else:
            self._send(404, "text/plain", b"not found")

    def _project_page(self, project: str) -> None:
        files = sorted(
            file
            for file in self.server.directory.iterdir()
            if file.is_file() and _project_of(file.name) == project
        )
        if not files:
            self._send(404, "text/plain", b"no such project")
            return
        entries = [
            (file.name, f"/files/{file.name}", hashlib.sha256(file.read_bytes()).hexdigest())
            for file in files
        ]
        if _PYPI_JSON in self.headers.get("Accept", ""):
            body = {
                "meta": {"api-version": "1.0"},
                "name": project,
                "files": [
                    {"filename": name, "url": url, "hashes": {"sha256": sha256}}
                    for name, url, sha256 in entries
                ],
            }
            self._send(200, _PYPI_JSON, json.dumps(body).encode())
        else:
            links = "".join(
                f'<a href="{html.escape(url)}#sha256={sha256}">{html.escape(name)}</a><br>\n'
                for name, url, sha256 in entries
            )
            page = f"<!DOCTYPE html><html><body><h1>Links for {project}</h1>\n{links}</body></html>"
            self._send(200, "text/html", page.encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _IndexServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, directory: Path) -> None:
        super().__init__(("127.0.0.1", 0), _IndexHandler)
        self.directory = directory
        self.requests: list[str] = []


@dataclass
class RunningIndex:
    server: _IndexServer
    thread: threading.Thread

    @property
    def simple_url(self) -> str:
        """The index root, as ``WHEELS_UPSTREAM_INDEX`` takes it (``.../simple/``)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/simple/"

    @property
    def requests(self) -> list[str]:
        return list(self.server.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_index(directory: Path) -> RunningIndex:
    """Serve ``directory``'s wheels and sdists as a simple index on a free loopback port."""
    server = _IndexServer(directory)
    thread = threading.Thread(target=server.serve_forever, name="wheel-index", daemon=True)
    thread.start()
    return RunningIndex(server, thread)
