"""Start the real Playground service on a free loopback port, for browser tests and benches.

``start_service()`` runs ``manage.py migrate`` and then ``manage.py runserver
127.0.0.1:<port> --noreload`` (daphne's: HTTP and websockets) as a subprocess with
``tests.browser.server_settings``, waits until ``/healthz`` answers and returns a
handle whose ``stop()`` ends it. The app answers at ``http://127.0.0.1:<port>`` and
the user-content site (the playground) at ``http://localhost:<port>``: two sites,
as in production (docs/security.md).

Under pytest (tests/real_services.py has set the variables) the service uses a
fresh PostgreSQL database of its own, dropped at the end, the run's Redis and its
moto S3 bucket; without them (bench/startup.py) a SQLite file and local files in
the work directory. Mail goes to files in ``<workdir>/mail`` (``RunningService.mails``).
Server kernels use a Redis key prefix of the service's own (``pgk-<port>``); a test
starts kernel workers with the service's environment (``RunningService.env``,
tests/serverkernels/workers.py), so they share its settings, Redis and prefix.
The service serves the frontend build of ``frontend/dist`` (frozen at start, see
``_freeze_frontend_build``); without one, ``FrontendNotBuilt`` says to run
``make frontend-build``. ``tests/browser/conftest.py`` and ``bench/startup.py`` both
use this, so they measure and test the same thing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.real_services import free_port

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


@dataclass
class RunningService:
    """A ``manage.py runserver`` subprocess and where it answers."""

    # The app's site (accounts, notebooks, API).
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    # The user-content site: the playground and its output frames.
    usercontent_url: str = ""
    mail_dir: Path | None = None
    drop_database: Callable[[], None] | None = None
    # The server's environment: kernel workers started with it serve this service.
    env: dict[str, str] = field(default_factory=dict)

    def mails(self) -> list[str]:
        """The text of every mail the service sent, oldest first."""
        if self.mail_dir is None or not self.mail_dir.is_dir():
            return []
        files = sorted(self.mail_dir.iterdir(), key=lambda path: path.stat().st_mtime_ns)
        return [path.read_text(errors="replace") for path in files]

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """End the server process (SIGTERM, then SIGKILL after 10 s), drop its database."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.drop_database is not None:
            self.drop_database()
            self.drop_database = None
        _forget_kernel_keys(self.env)


def _forget_kernel_keys(env: Mapping[str, str]) -> None:
    """Remove the server kernels' Redis keys of this service (its own prefix)."""
    url = env.get("KERNELS_REDIS_URL") or env.get("PLAYGROUND_TEST_REDIS_URL")
    prefix = env.get("KERNELS_REDIS_PREFIX")
    if not url or not prefix:
        return
    import redis

    with contextlib.suppress(Exception):
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)


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


def _fresh_postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database on the PostgreSQL server of ``server_url``; return its URL
    and a function that drops it."""
    import psycopg

    name = f"playground_browser_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with contextlib.suppress(Exception), psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return server_url.rsplit("/", 1)[0] + "/" + name, drop


def start_service(
    *, workdir: Path, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> RunningService:
    """Migrate a fresh SQLite database in ``workdir`` and serve the site from it.

    ``env`` adds environment variables for the server (e.g. ``WHEELS_UPSTREAM_INDEX``).
    Raises ``FrontendNotBuilt`` when there is no frontend build to serve.
    """
    require_frontend_build()
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    drop_database = None
    database_url = f"sqlite:///{workdir / 'db.sqlite3'}"
    if server := os.environ.get("PLAYGROUND_TEST_DATABASE_URL"):
        database_url, drop_database = _fresh_postgres_database(server)
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "FRONTEND_DIST_DIR": str(_freeze_frontend_build(workdir / "dist")),
        "WHEELS_CACHE_DIR": str(workdir / "wheels"),
        "PLAYGROUND_BROWSER_DATABASE_URL": database_url,
        "PLAYGROUND_BROWSER_MAIL_DIR": str(workdir / "mail"),
        "PLAYGROUND_BROWSER_FILES_DIR": str(workdir / "notebooks"),
        "APP_ORIGIN": f"http://127.0.0.1:{port}",
        "USERCONTENT_ORIGIN": f"http://localhost:{port}",
        "PYTHONUNBUFFERED": "1",
        # Server kernels' keys apart from any other service on the same Redis.
        "KERNELS_REDIS_PREFIX": f"pgk-{port}",
        "KERNELS_CELERY_QUEUE": f"kernels-pgk-{port}",
        "GRADING_CELERY_QUEUE": f"grading-pgk-{port}",
        **(env or {}),
    }
    manage = [sys.executable, str(REPO_ROOT / "manage.py")]
    try:
        _run_checked([*manage, "migrate", "--noinput"], server_env, "manage.py migrate")
    except BaseException:
        if drop_database:
            drop_database()
        raise

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
    service = RunningService(
        f"http://127.0.0.1:{port}",
        process,
        log_path,
        usercontent_url=f"http://localhost:{port}",
        mail_dir=workdir / "mail",
        drop_database=drop_database,
        env=server_env,
    )
    try:
        _wait_for_healthz(service, timeout)
    except BaseException:
        with contextlib.suppress(Exception):
            service.stop()
        raise
    return service
