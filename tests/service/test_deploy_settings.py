"""The production settings pass Django's deployment checks and refuse a missing secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "playground.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "playground.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "S3_BUCKET": "playground-notebooks",
    "APP_ORIGIN": "https://playground.example.com",
    "USERCONTENT_ORIGIN": "https://playground-usercontent.example.net",
    "EMAIL_HOST": "smtp.example.com",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.subprocess
def test_production_settings_pass_the_deploy_checks() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.subprocess
def test_production_settings_name_the_missing_secret_key() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.subprocess
def test_production_refuses_user_content_on_the_app_origin() -> None:
    result = _manage(
        "check", env={**PRODUCTION_ENV, "USERCONTENT_ORIGIN": "https://playground.example.com/"}
    )

    assert result.returncode != 0
    assert "USERCONTENT_ORIGIN must differ from APP_ORIGIN" in result.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize("name", ["REDIS_URL", "S3_BUCKET", "APP_ORIGIN", "USERCONTENT_ORIGIN", "EMAIL_HOST"])
def test_production_names_each_missing_service_setting(name: str) -> None:
    result = _manage("check", env={**PRODUCTION_ENV, name: ""})

    assert result.returncode != 0
    assert f"{name} must be set" in result.stderr
