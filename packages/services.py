"""The wheel cache: a pure-Python wheel from disk, downloaded from upstream the first time.

Files live in ``WHEELS_CACHE_DIR`` under their own (validated) names. A download
streams into a temporary file in the same directory, stops past ``WHEELS_MAX_BYTES``,
is checked against the index's sha256, and only then is renamed into place, so a
wheel in the cache is always whole and verified. Next to it, ``<name>.json`` records
where it came from. Once cached, a wheel is served without asking upstream again
(wheel names are never reused on PyPI, so the bytes cannot go stale).
"""

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from packages.distributions import wheel_filename_parse
from packages.errors import (
    InvalidName,
    UpstreamFailed,
    WheelNotFound,
    WheelTooLarge,
)
from packages.selectors import project_wheels_list
from packages.upstream import Download, UpstreamError, UpstreamTooLarge, file_download


@dataclass(frozen=True)
class CachedWheel:
    path: Path
    # From the record next to the file; None if that record is missing.
    sha256: str | None


def _cache_dir() -> Path:
    return Path(settings.WHEELS_CACHE_DIR)


def _record_path(wheel_path: Path) -> Path:
    return wheel_path.with_name(wheel_path.name + ".json")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _cached(path: Path) -> CachedWheel:
    try:
        record = json.loads(_record_path(path).read_text(encoding="utf-8"))
        sha256 = record.get("sha256") if isinstance(record, dict) else None
    except (OSError, ValueError):
        sha256 = None
    return CachedWheel(path=path, sha256=sha256)


def _write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", delete=False) as temporary:
        temporary.write(data)
    os.replace(temporary.name, path)


def wheel_fetch(*, filename: str) -> CachedWheel:
    """The cached wheel ``filename``, downloading and verifying it first if needed.

    Raises InvalidName, WheelNotFound (and the errors of ``project_wheels_list``),
    WheelTooLarge or UpstreamFailed; on any failure nothing is left in the cache.
    """
    wheel = wheel_filename_parse(filename)
    if wheel is None:
        raise InvalidName(f"{filename!r} is not a wheel file name.")
    if not wheel.is_pure_python:
        raise WheelNotFound(
            f"{filename} is not a pure-Python wheel, so it cannot be installed in the browser."
        )
    cache_dir = _cache_dir()
    path = cache_dir / wheel.filename
    # The name was validated above; this guards that check (no separators, no dot names).
    if path.parent != cache_dir:
        raise InvalidName(f"{filename!r} is not a wheel file name.")
    if path.is_file():
        return _cached(path)

    listed = {file.filename: file for file in project_wheels_list(project=wheel.project)}
    upstream_file = listed.get(wheel.filename)
    if upstream_file is None:
        raise WheelNotFound(
            f"The package index lists no installable file named {wheel.filename} "
            f"for {wheel.project}."
        )

    cache_dir.mkdir(parents=True, exist_ok=True)
    limit = settings.WHEELS_MAX_BYTES
    with tempfile.NamedTemporaryFile(
        dir=cache_dir, prefix=".download-", suffix=".part", delete=False
    ) as temporary:
        partial = Path(temporary.name)
        try:
            download: Download = file_download(
                url=upstream_file.url,
                into=temporary,
                max_bytes=limit,
                timeout=settings.WHEELS_UPSTREAM_TIMEOUT,
            )
        except UpstreamTooLarge as error:
            partial.unlink(missing_ok=True)
            raise WheelTooLarge(
                f"{wheel.filename} is larger than the {_megabytes(limit)} limit for packages "
                "in the browser, so it was not downloaded."
            ) from error
        except UpstreamError as error:
            partial.unlink(missing_ok=True)
            raise UpstreamFailed(
                f"{wheel.filename} could not be downloaded from the package index: {error}. "
                "Try again later."
            ) from error
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    expected = upstream_file.hashes.get("sha256")
    if expected is not None and expected.lower() != download.sha256:
        partial.unlink(missing_ok=True)
        raise UpstreamFailed(
            f"{wheel.filename} from the package index does not match its published sha256 "
            "hash, so it was refused and not kept. Try again later."
        )
    os.replace(partial, path)
    record = {
        "filename": wheel.filename,
        "url": upstream_file.url,
        "sha256": download.sha256,
        "size": download.size,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_atomically(_record_path(path), json.dumps(record, indent=2).encode())
    return CachedWheel(path=path, sha256=download.sha256)
