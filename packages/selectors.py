"""Reading a project's pure-Python wheels from the upstream index, through a cache.

A project's listing is kept in Django's cache, keyed on the upstream and the project,
and serves both the index page and the file downloads. It is fresh for
``WHEELS_INDEX_CACHE_SECONDS``; for ``WHEELS_INDEX_STALE_SECONDS`` after that it is
stale: one request at a time asks upstream for a new one while the others get the
stale one at once, and when upstream fails, is slow, is busy or the client's budget
is spent, the stale one is served instead of an error (stale-if-error). Asking
upstream goes through ``upstream_limits.upstream_turn``.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from packages.distributions import (
    project_name_is_valid,
    project_name_normalize,
    wheel_filename_parse,
)
from packages.errors import (
    InvalidName,
    NoPurePythonWheel,
    PackageError,
    ProjectNotFound,
    UpstreamFailed,
    UpstreamSlow,
)
from packages.upstream import (
    Deadline,
    UpstreamError,
    UpstreamFile,
    UpstreamNotFound,
    UpstreamTimeout,
    project_files_fetch,
)
from packages.upstream_limits import upstream_turn

logger = logging.getLogger(__name__)

# A refresh of a stale listing is left to another request for at most this long past
# the deadline, should the refreshing worker die.
_REFRESH_GRACE = 30


@dataclass(frozen=True)
class ProjectListing:
    """A project's installable wheels as upstream listed them at ``fetched_at``."""

    project: str  # normalized
    # Pure-Python, not yanked, in upstream's order; None when upstream has no such project.
    wheels: tuple[UpstreamFile, ...] | None
    fetched_at: float  # time.time()

    @property
    def is_fresh(self) -> bool:
        return time.time() - self.fetched_at < settings.WHEELS_INDEX_CACHE_SECONDS

    @property
    def is_usable(self) -> bool:
        """Fresh, or stale but young enough to be served when upstream cannot be asked."""
        keep = settings.WHEELS_INDEX_CACHE_SECONDS + settings.WHEELS_INDEX_STALE_SECONDS
        return time.time() - self.fetched_at < keep


@dataclass(frozen=True)
class ProjectIndex:
    page: dict[str, Any]  # PEP 691 JSON
    is_fresh: bool  # False: a stale listing, served because upstream could not be asked


def _is_installable(file: UpstreamFile) -> bool:
    wheel = wheel_filename_parse(file.filename)
    return wheel is not None and wheel.is_pure_python and not file.yanked


def _cache_key(kind: str, project: str) -> str:
    upstream = hashlib.sha256(settings.WHEELS_UPSTREAM_INDEX.encode()).hexdigest()[:16]
    return f"packages:{kind}:{upstream}:{project}"


def project_name_checked(project: str) -> str:
    """``project`` normalized; InvalidName when it is not a package name."""
    if not project_name_is_valid(project):
        raise InvalidName(
            f"{project!r} is not a valid package name: use letters, digits, '-', '_' and '.'."
        )
    return project_name_normalize(project)


def project_listing_cached(*, name: str) -> ProjectListing | None:
    """The cached listing of ``name`` (normalized), fresh or stale, without asking upstream."""
    listing = cache.get(_cache_key("listing", name))
    return listing if isinstance(listing, ProjectListing) and listing.is_usable else None


def project_listing_fetch(*, name: str, deadline: Deadline) -> ProjectListing:
    """Ask upstream for the listing of ``name`` (normalized) and cache it.

    Call it inside ``upstream_turn``. Raises UpstreamFailed or UpstreamSlow.
    """
    try:
        files = project_files_fetch(
            index_url=settings.WHEELS_UPSTREAM_INDEX,
            project=name,
            timeout=settings.WHEELS_UPSTREAM_TIMEOUT,
            deadline=deadline,
        )
        wheels: tuple[UpstreamFile, ...] | None = tuple(
            file for file in files if _is_installable(file)
        )
    except UpstreamNotFound:
        wheels = None
    except UpstreamTimeout as error:
        raise UpstreamSlow(
            f"The package index was too slow to answer about {name!r}: {error}. "
            "Try again later."
        ) from error
    except UpstreamError as error:
        raise UpstreamFailed(
            f"The package index could not be asked about {name!r}: {error}. Try again later."
        ) from error
    listing = ProjectListing(project=name, wheels=wheels, fetched_at=time.time())
    keep = settings.WHEELS_INDEX_CACHE_SECONDS + settings.WHEELS_INDEX_STALE_SECONDS
    if keep > 0:
        cache.set(_cache_key("listing", name), listing, keep)
    return listing


def project_listing_get(*, project: str, client: str) -> ProjectListing:
    """The listing of ``project``, from the cache when it can be.

    ``client`` is the address charged when upstream must be asked. Raises InvalidName,
    and, only when nothing is cached, the errors of ``upstream_turn`` and
    ``project_listing_fetch``.
    """
    name = project_name_checked(project)
    cached = project_listing_cached(name=name)
    if cached is not None and cached.is_fresh:
        return cached
    if cached is None:
        with upstream_turn(client=client) as deadline:
            return project_listing_fetch(name=name, deadline=deadline)
    refreshing = _cache_key("refresh", name)
    expiry = int(settings.WHEELS_UPSTREAM_DEADLINE + settings.WHEELS_UPSTREAM_TIMEOUT)
    if not cache.add(refreshing, True, timeout=expiry + _REFRESH_GRACE):
        return cached  # another request is asking upstream right now
    try:
        with upstream_turn(client=client) as deadline:
            return project_listing_fetch(name=name, deadline=deadline)
    except PackageError as error:
        logger.warning("Serving the stale listing of %s: %s", name, error.message)
        return cached
    finally:
        cache.delete(refreshing)


def project_wheels(listing: ProjectListing) -> tuple[UpstreamFile, ...]:
    """The listing's wheels; ProjectNotFound or NoPurePythonWheel when there are none."""
    if listing.wheels is None:
        raise ProjectNotFound(
            f"There is no package named {listing.project!r} on the package index; "
            "check the spelling."
        )
    if not listing.wheels:
        raise NoPurePythonWheel(
            f"{listing.project} has no pure-Python wheel, so it cannot be installed in the browser"
        )
    return listing.wheels


def project_index_get(*, project: str, client: str) -> ProjectIndex:
    """The PEP 691 JSON page of ``project``, its file URLs pointing at this site."""
    listing = project_listing_get(project=project, client=client)
    versions: list[str] = []
    files = []
    for wheel in project_wheels(listing):
        parsed = wheel_filename_parse(wheel.filename)
        assert parsed is not None  # only parseable names are listed
        if parsed.version not in versions:
            versions.append(parsed.version)
        entry: dict[str, Any] = {
            "filename": wheel.filename,
            "url": reverse("packages:wheel-file", kwargs={"filename": wheel.filename}),
            "hashes": wheel.hashes,
        }
        if wheel.requires_python:
            entry["requires-python"] = wheel.requires_python
        if wheel.size is not None:
            entry["size"] = wheel.size
        files.append(entry)
    page = {
        "meta": {"api-version": "1.0"},
        "name": listing.project,
        "versions": versions,
        "files": files,
    }
    return ProjectIndex(page=page, is_fresh=listing.is_fresh)
