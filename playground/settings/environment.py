"""Reading deployment settings from environment variables, with errors that say what to set."""

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.config import Config
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


def origin_from_url(url: str, name: str) -> str:
    """Normalise ``scheme://host[:port]`` (a trailing slash is dropped) or fail naming ``name``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ImproperlyConfigured(
            f"{name}={url!r} is not an origin; write it as scheme://host[:port], "
            "e.g. https://usercontent.example.net."
        )
    return f"{parts.scheme}://{parts.netloc}".lower()


def redis_settings(url: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """``CACHES`` and ``CHANNEL_LAYERS`` for a Redis URL, or in-process ones without it.

    Without Redis everything stays in the one process (``make run``); with it, every
    server process shares rate-limit counts and websocket groups.
    """
    if url is None:
        return (
            {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
        )
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL={url!r} is not a Redis URL; write it as redis://host:6379/0."
        )
    return (
        {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}},
        {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [url]},
            }
        },
    )


def s3_storage_from_env(environ: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """The ``STORAGES`` entry for S3-compatible object storage, or None without ``S3_BUCKET``.

    ``S3_ENDPOINT_URL`` points at any S3-compatible service (MinIO, moto, R2...);
    without it, AWS. Credentials fall back to boto3's own chain (instance roles,
    ``~/.aws``) when ``S3_ACCESS_KEY_ID`` is not set.
    """
    bucket = environ.get("S3_BUCKET", "").strip()
    if not bucket:
        return None
    addressing_style = environ.get("S3_ADDRESSING_STYLE", "").strip() or "path"
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": environ.get("S3_PREFIX", "").strip().strip("/"),
        "region_name": environ.get("S3_REGION", "").strip() or "us-east-1",
        # Every revision goes under a new random key (storage.blobs), so there is never
        # anything to overwrite: skipping the existence check saves a HEAD per save.
        "file_overwrite": True,
        "default_acl": None,
        "querystring_auth": True,
        # django-storages uses this Config as it is, so signature v4 and the addressing
        # style go here. Timeouts: a save fails within seconds when storage is down.
        "client_config": Config(
            connect_timeout=env_int("S3_CONNECT_TIMEOUT", 5, environ),
            read_timeout=env_int("S3_READ_TIMEOUT", 20, environ),
            retries={"max_attempts": env_int("S3_MAX_ATTEMPTS", 3, environ), "mode": "standard"},
            signature_version="s3v4",
            s3={"addressing_style": addressing_style},
        ),
    }
    endpoint = environ.get("S3_ENDPOINT_URL", "").strip()
    if endpoint:
        options["endpoint_url"] = endpoint
    access_key = environ.get("S3_ACCESS_KEY_ID", "").strip()
    if access_key:
        options["access_key"] = access_key
        options["secret_key"] = env_required("S3_SECRET_ACCESS_KEY", environ)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
