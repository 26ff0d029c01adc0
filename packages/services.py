"""The wheel cache: a pure-Python wheel from disk, downloaded from upstream the first time.

Files live in ``WHEELS_CACHE_DIR`` under their own (validated) names, bounded and
evicted least recently served first (``disk_cache``). A download streams into a
temporary file in the same directory, stops past ``WHEELS_MAX_BYTES`` (or the whole
cache's size, when smaller), is checked against the index's sha256, and only then is
moved into place, so a wheel in the cache is always whole and verified. Next to it,
``<name>.json`` records where it came from. Once cached, a wheel is served without
asking upstream again (wheel names are never reused on PyPI, so the bytes cannot go
stale), and without any limit or wait; a download counts against the client's budget
and needs an upstream slot (``upstream_limits``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from django.conf import settings

from packages.disk_cache import (
    CacheBounds,
    open_cached,
    partial_create,
    record_read,
    wheel_commit,
)
from packages.distributions import WheelFilename, wheel_filename_parse
from packages.errors import (
    InvalidName,
    UpstreamFailed,
    UpstreamSlow,
    WheelNotFound,
    WheelTooLarge,
)
from packages.selectors import (
    ProjectListing,
    project_listing_cached,
    project_listing_fetch,
    project_wheels,
)
from packages.upstream import (
    Deadline,
    UpstreamError,
    UpstreamFile,
    UpstreamTimeout,
    UpstreamTooLarge,
    file_download,
)
from packages.upstream_limits import upstream_turn


@dataclass(frozen=True)
class CachedWheel:
    path: Path
    # Open at the start: the caller streams it and closes it.
    file: IO[bytes]
    # From the record next to the file; None if that record is missing.
    sha256: str | None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _bounds() -> CacheBounds:
    longest_download = settings.WHEELS_UPSTREAM_DEADLINE + settings.WHEELS_UPSTREAM_TIMEOUT
    return CacheBounds(
        max_bytes=settings.WHEELS_CACHE_MAX_BYTES,
        max_files=settings.WHEELS_CACHE_MAX_FILES,
        abandoned_after=2 * longest_download,
    )


def _listed(listing: ProjectListing, wheel: WheelFilename) -> UpstreamFile | None:
    return next(
        (file for file in listing.wheels or () if file.filename == wheel.filename), None
    )


def _not_listed(listing: ProjectListing, wheel: WheelFilename) -> WheelNotFound:
    project_wheels(listing)  # raises ProjectNotFound or NoPurePythonWheel first
    return WheelNotFound(
        f"The package index lists no installable file named {wheel.filename} "
        f"for {wheel.project}."
    )


def _too_large(filename: str) -> WheelTooLarge:
    if settings.WHEELS_CACHE_MAX_BYTES < settings.WHEELS_MAX_BYTES:
        return WheelTooLarge(
            f"{filename} is larger than this server's whole package cache "
            f"({_megabytes(settings.WHEELS_CACHE_MAX_BYTES)}), so it was not downloaded."
        )
    return WheelTooLarge(
        f"{filename} is larger than the {_megabytes(settings.WHEELS_MAX_BYTES)} limit for "
        "packages in the browser, so it was not downloaded."
    )


def _download(
    *, upstream_file: UpstreamFile, path: Path, deadline: Deadline
) -> CachedWheel:
    """Download, verify and cache ``upstream_file`` as ``path``; the new wheel, open."""
    filename = path.name
    partial, file = partial_create(path.parent, "download")
    try:
        try:
            download = file_download(
                url=upstream_file.url,
                into=file,
                max_bytes=min(settings.WHEELS_MAX_BYTES, settings.WHEELS_CACHE_MAX_BYTES),
                timeout=settings.WHEELS_UPSTREAM_TIMEOUT,
                deadline=deadline,
            )
        except UpstreamTooLarge as error:
            raise _too_large(filename) from error
        except UpstreamTimeout as error:
            raise UpstreamSlow(
                f"{filename} could not be downloaded in time from the package index: "
                f"{error}. Try again later."
            ) from error
        except UpstreamError as error:
            raise UpstreamFailed(
                f"{filename} could not be downloaded from the package index: {error}. "
                "Try again later."
            ) from error
        expected = upstream_file.hashes.get("sha256")
        if expected is not None and expected.lower() != download.sha256:
            raise UpstreamFailed(
                f"{filename} from the package index does not match its published sha256 "
                "hash, so it was refused and not kept. Try again later."
            )
        file.flush()
        record = {
            "filename": filename,
            "url": upstream_file.url,
            "sha256": download.sha256,
            "size": download.size,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        wheel_commit(partial=partial, path=path, record=record, bounds=_bounds())
    except BaseException:
        file.close()
        partial.unlink(missing_ok=True)
        raise
    # The same open file, now the cached wheel: served whole even if evicted at once.
    file.seek(0)
    return CachedWheel(path=path, file=file, sha256=download.sha256)


def wheel_fetch(*, filename: str, client: str) -> CachedWheel:
    """The cached wheel ``filename``, open, downloading and verifying it first if needed.

    Only a wheel that is not cached makes upstream be asked, charged to ``client``.
    Raises InvalidName, WheelNotFound (and ProjectNotFound, NoPurePythonWheel),
    WheelTooLarge, TooManyFetches, UpstreamBusy, UpstreamSlow or UpstreamFailed; on
    any failure nothing is left in the cache.
    """
    wheel = wheel_filename_parse(filename)
    if wheel is None:
        raise InvalidName(f"{filename!r} is not a wheel file name.")
    if not wheel.is_pure_python:
        raise WheelNotFound(
            f"{filename} is not a pure-Python wheel, so it cannot be installed in the browser."
        )
    cache_dir = Path(settings.WHEELS_CACHE_DIR)
    path = cache_dir / wheel.filename
    # The name was validated above; this guards that check (no separators, no dot names).
    if path.parent != cache_dir:
        raise InvalidName(f"{filename!r} is not a wheel file name.")
    file = open_cached(path)
    if file is not None:
        sha256 = record_read(path).get("sha256")
        return CachedWheel(path=path, file=file, sha256=sha256 if isinstance(sha256, str) else None)

    # Any listing that names the file will do, however old: a file's URL and hash do
    # not change. A fresh one that does not name it settles the question.
    listing = project_listing_cached(name=wheel.project)
    upstream_file = _listed(listing, wheel) if listing is not None else None
    if upstream_file is None and listing is not None and listing.is_fresh:
        raise _not_listed(listing, wheel)
    with upstream_turn(client=client) as deadline:
        if upstream_file is None:
            listing = project_listing_fetch(name=wheel.project, deadline=deadline)
            upstream_file = _listed(listing, wheel)
            if upstream_file is None:
                raise _not_listed(listing, wheel)
        return _download(upstream_file=upstream_file, path=path, deadline=deadline)
