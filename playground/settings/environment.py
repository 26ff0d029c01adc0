"""Reading deployment settings from environment variables, with errors that say what to set."""

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_DATABASE_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def env_required(name: str, environ: Mapping[str, str] = os.environ) -> str:
    """Return the non-empty variable ``name`` or fail naming it."""
    value = environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set for production settings "
            "(or use DJANGO_SETTINGS_MODULE=playground.settings.local for development)."
        )
    return value


def env_list(name: str, default: str = "", environ: Mapping[str, str] = os.environ) -> list[str]:
    """Split a comma-separated variable into its non-empty, stripped items."""
    return [item.strip() for item in environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Read a yes/no variable: 1/true/yes/on or 0/false/no/off (any case)."""
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use 1/true/yes or 0/false/no."
    )


def env_int(name: str, default: int, environ: Mapping[str, str] = os.environ) -> int:
    """Read a whole number (``50_000_000`` style underscores allowed)."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def database_from_url(url: str) -> dict[str, Any]:
    """Turn a ``DATABASE_URL`` into a ``DATABASES`` entry.

    Accepts ``postgres://user:password@host:port/name?sslmode=require`` (query
    parameters become ``OPTIONS``) and ``sqlite:////absolute/path.sqlite3``.
    """
    parts = urlsplit(url)
    engine = _DATABASE_ENGINES.get(parts.scheme)
    if engine is None:
        raise ImproperlyConfigured(
            f"DATABASE_URL has the unsupported scheme {parts.scheme!r}; "
            f"use one of: {', '.join(sorted(_DATABASE_ENGINES))}."
        )
    if parts.scheme == "sqlite":
        name = unquote(parts.path)
        if not name or name == "/":
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path after it.")
        # sqlite:////abs/path.db has path //abs/path.db; sqlite:///:memory: has /:memory:.
        return {"ENGINE": engine, "NAME": name[1:] if name.startswith("//") else name.lstrip("/")}
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL names no database: add /<name> after the host.")
    return {
        "ENGINE": engine,
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }
