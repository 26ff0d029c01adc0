"""Start the real Playground service on a free loopback port, for browser tests and benches.

``start_service()`` runs ``manage.py migrate`` and then ``manage.py runserver
127.0.0.1:<port> --noreload`` as a subprocess with ``tests.browser.server_settings``
(the test settings plus a temporary SQLite database), waits until ``/healthz``
answers and returns a handle whose ``stop()`` ends it. The service serves the
frontend build of ``frontend/dist`` (frozen at start, see ``_freeze_frontend_build``);
without one, ``FrontendNotBuilt`` says to run ``make frontend-build``. Its wheel
cache and database live in the given work directory. ``tests/browser/conftest.py`` and ``bench/startup.py``
both use this, so they measure and test the same thing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST_DIR = REPO_ROOT / "frontend" / "dist"
VITE_MANIFEST = DIST_DIR / ".vite" / "manifest.json"
SETTINGS_MODULE = "tests.browser.server_settings"

# Debian's Chromium (apt-get install chromium); Playwright's own browsers are never installed.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class FrontendNotBuilt(RuntimeError):
    """frontend/dist is missing or incomplete, so /play has nothing to serve."""


class ServiceFailed(RuntimeError):
    """The service exited or did not answer /healthz in time."""


def missing_frontend_build() -> str | None:
    """What to do when ``frontend/dist`` holds no Vite build, or None when it does."""
    if VITE_MANIFEST.is_file():
        return None
    return (
        f"The frontend is not built: {VITE_MANIFEST.relative_to(REPO_ROOT)} is missing. "
        "Run `make frontend-build` (npm ci and vite build into frontend/dist), then try again."
    )


def require_frontend_build() -> None:
    """Raise ``FrontendNotBuilt`` unless ``frontend/dist`` holds a Vite build."""
    if problem := missing_frontend_build():
        raise FrontendNotBuilt(problem)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningService:
    """A ``manage.py runserver`` subprocess and where it answers."""

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """End the server process (SIGTERM, then SIGKILL after 10 s)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _run_checked(args: list[str], env: Mapping[str, str], what: str) -> None:
    result = subprocess.run(
        args, cwd=REPO_ROOT, env=dict(env), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ServiceFailed(
            f"{what} failed with exit status {result.returncode}:\n{result.stdout}{result.stderr}"
        )


def _wait_for_healthz(service: RunningService, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = service.base_url + "/healthz"
    while True:
        if service.process.poll() is not None:
            raise ServiceFailed(
                f"The service exited with status {service.process.returncode} before answering "
                f"{url}. Its log ({service.log_path}):\n{service.log_tail()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            service.stop()
            raise ServiceFailed(
                f"The service did not answer {url} within {timeout:.0f} s. "
                f"Its log ({service.log_path}):\n{service.log_tail()}"
            )
        time.sleep(0.1)


def _freeze_frontend_build(target: Path) -> Path:
    """Hard-link frontend/dist into ``target`` and return it.

    WhiteNoise indexes the static files once, at start; a ``make frontend-build``
    while the server runs would swap the hashed assets under it and /play would
    load names that are gone. The links keep this run's build whole (a copy when
    linking is not possible, e.g. across file systems).
    """

    def link_or_copy(source: str, destination: str) -> None:
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)

    shutil.copytree(DIST_DIR, target, copy_function=link_or_copy)
    return target


def start_service(
    *, workdir: Path, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> RunningService:
    """Migrate a fresh SQLite database in ``workdir`` and serve the site from it.

    ``env`` adds environment variables for the server (e.g. ``WHEELS_UPSTREAM_INDEX``).
    Raises ``FrontendNotBuilt`` when there is no frontend build to serve.
    """
    require_frontend_build()
    workdir.mkdir(parents=True, exist_ok=True)
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "FRONTEND_DIST_DIR": str(_freeze_frontend_build(workdir / "dist")),
        "WHEELS_CACHE_DIR": str(workdir / "wheels"),
        "PLAYGROUND_BROWSER_DB": str(workdir / "db.sqlite3"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]
    _run_checked([*manage, "migrate", "--noinput"], server_env, "manage.py migrate")

    port = free_port()
    log_path = workdir / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=REPO_ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    service = RunningService(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_for_healthz(service, timeout)
    except BaseException:
        with contextlib.suppress(Exception):
            service.stop()
        raise
    return service
