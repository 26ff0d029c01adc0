"""deploy/ stays true: gunicorn loads its config, and env.example covers every variable.

The variables are found by reading the settings' source (calls such as
``env_required("X")``, ``env_int("X", ...)``, ``os.environ.get("X")``), so adding a
setting without documenting it in deploy/env.example fails here.
"""

from __future__ import annotations

import ast
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from gunicorn.app.base import Application
from gunicorn.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
SETTINGS = REPO_ROOT / "playground" / "settings"
# Every file whose environment variables a production process reads.
READERS = [
    SETTINGS / "base.py",
    SETTINGS / "environment.py",
    SETTINGS / "production.py",
    DEPLOY / "gunicorn.conf.py",
]
_ENV_HELPERS = {"env_required", "env_int", "env_bool", "env_list"}


def _variables_read(path: Path) -> tuple[set[str], set[str]]:
    """(every variable ``path`` reads, those it reads with ``env_required``)."""
    read: set[str] = set()
    required: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in _ENV_HELPERS:
            read.add(first.value)
            if function.id == "env_required":
                required.add(first.value)
        elif (
            isinstance(function, ast.Attribute)
            and function.attr == "get"
            and ast.unparse(function.value) in {"os.environ", "environ"}
        ):
            read.add(first.value)
    return read, required


def _env_example() -> tuple[dict[str, str], set[str]]:
    """(the variables env.example sets, with their values; those it shows commented out)."""
    assigned: dict[str, str] = {}
    documented: set[str] = set()
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            assigned[match[1]] = match[2]
        elif match := re.fullmatch(r"#\s*([A-Z][A-Z0-9_]*)=.*", line):
            documented.add(match[1])
    return assigned, documented


def _all_variables() -> tuple[set[str], set[str]]:
    read: set[str] = set()
    required: set[str] = set()
    for path in READERS:
        path_read, path_required = _variables_read(path)
        read |= path_read
        required |= path_required
    return read, required


def test_the_source_scan_finds_the_variables_production_requires() -> None:
    read, required = _all_variables()

    # A scan that found nothing would let every check below pass.
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "S3_BUCKET", "APP_ORIGIN",
            "USERCONTENT_ORIGIN", "EMAIL_HOST"} <= required
    assert {"DATABASE_POOL", "DATABASE_CONN_MAX_AGE", "S3_ENDPOINT_URL", "WEB_CONCURRENCY",
            "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS"} <= read


def test_env_example_sets_every_required_variable() -> None:
    _, required = _all_variables()
    assigned, _ = _env_example()

    assert sorted(required - set(assigned)) == []
    # Unquoted and without spaces: the file works for systemd, docker and the shell alike.
    assert [name for name, value in assigned.items() if re.search(r"[\s\"'<>]", value)] == []


def test_env_example_names_every_variable_production_reads() -> None:
    read, _ = _all_variables()
    assigned, documented = _env_example()

    assert sorted(read - set(assigned) - documented) == []


@pytest.mark.subprocess
def test_env_example_with_its_secrets_filled_in_passes_the_deploy_checks() -> None:
    read, _ = _all_variables()
    assigned, _ = _env_example()
    # Only the example configures the process: nothing inherited from this test run.
    env = {name: value for name, value in os.environ.items() if name not in read}
    env.update({name: value or secrets.token_urlsafe(50) for name, value in assigned.items()})

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


class _ConfigOnly(Application):
    """Reads a gunicorn config file the way ``gunicorn --config`` does, and serves nothing."""

    def __init__(self) -> None:
        self.cfg = Config()

    def init(self, parser: object, opts: object, args: object) -> None:
        return None

    def load(self) -> None:
        raise AssertionError("not serving")


def _gunicorn_config() -> Config:
    application = _ConfigOnly()
    application.load_config_from_file(str(DEPLOY / "gunicorn.conf.py"))
    return application.cfg


def test_gunicorn_config_runs_sync_workers_and_takes_their_number_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    for name in ("GUNICORN_BIND", "GUNICORN_ACCESS_LOG", "GUNICORN_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)

    config = _gunicorn_config()

    assert config.workers == 3
    assert config.worker_class_str == "sync"
    assert config.wsgi_app == "playground.wsgi:application"
    assert config.address == [("127.0.0.1", 8000)]
    assert 30 <= config.timeout <= 120
    assert config.accesslog is None
    # Not the one path every gunicorn of the same user would share.
    assert config.control_socket_disable is True


def test_gunicorn_config_defaults_to_two_workers_per_core_and_can_log_access(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9100")
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "-")

    config = _gunicorn_config()

    assert config.workers == max(2, 2 * (os.cpu_count() or 1))
    assert config.address == [("127.0.0.1", 9100)]
    assert config.accesslog == "-"
