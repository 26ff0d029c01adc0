"""Reading production settings from environment variables."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from playground.settings.environment import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_required,
)


def test_postgres_url_becomes_a_databases_entry() -> None:
    config = database_from_url("postgres://nb:p%40ss@db.internal:5433/notebooks?sslmode=require")

    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "notebooks",
        "USER": "nb",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:////srv/playground/db.sqlite3", "/srv/playground/db.sqlite3"),
        ("sqlite:///var/db.sqlite3", "var/db.sqlite3"),
        ("sqlite:///:memory:", ":memory:"),
    ],
)
def test_sqlite_url_keeps_absolute_and_relative_paths(url: str, name: str) -> None:
    assert database_from_url(url) == {"ENGINE": "django.db.backends.sqlite3", "NAME": name}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:p@h/db", "unsupported scheme 'mysql'"),
        ("postgres://u:p@h:5432", "names no database"),
        ("sqlite:///", "needs a file path"),
    ],
)
def test_bad_database_url_says_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


def test_missing_required_variable_is_named() -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env_required("SECRET_KEY", environ={"SECRET_KEY": "  "})


def test_env_list_drops_blanks() -> None:
    environ = {"ALLOWED_HOSTS": " play.example.com, ,api.example.com,"}
    assert env_list("ALLOWED_HOSTS", environ=environ) == ["play.example.com", "api.example.com"]


@pytest.mark.parametrize(("raw", "expected"), [("", True), ("off", False), ("YES", True)])
def test_env_bool(raw: str, expected: bool) -> None:
    assert env_bool("FLAG", default=True, environ={"FLAG": raw}) is expected


def test_env_bool_rejects_other_words() -> None:
    with pytest.raises(ImproperlyConfigured, match="not a yes/no value"):
        env_bool("FLAG", default=True, environ={"FLAG": "maybe"})


def test_env_int_reads_whole_numbers_and_names_bad_ones() -> None:
    assert env_int("LIMIT", 5, environ={}) == 5
    assert env_int("LIMIT", 5, environ={"LIMIT": " 52_428_800 "}) == 52428800
    with pytest.raises(ImproperlyConfigured, match="LIMIT='50MB' is not a whole number"):
        env_int("LIMIT", 5, environ={"LIMIT": "50MB"})
