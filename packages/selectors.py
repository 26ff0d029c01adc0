"""Reading a project's pure-Python wheels from the upstream index (cached briefly).

The list is kept in Django's cache for ``WHEELS_INDEX_CACHE_SECONDS``, keyed on the
upstream and the project, and serves both the index page and the file downloads.
"""

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from packages.distributions import (
    project_name_is_valid,
    project_name_normalize,
    wheel_filename_parse,
)
from packages.errors import InvalidName, NoPurePythonWheel, ProjectNotFound, UpstreamFailed
from packages.upstream import UpstreamError, UpstreamFile, UpstreamNotFound, project_files_fetch


def _is_installable(file: UpstreamFile) -> bool:
    wheel = wheel_filename_parse(file.filename)
    return wheel is not None and wheel.is_pure_python and not file.yanked


def _cache_key(project: str) -> str:
    upstream = hashlib.sha256(settings.WHEELS_UPSTREAM_INDEX.encode()).hexdigest()[:16]
    return f"packages:files:{upstream}:{project}"


def project_wheels_list(*, project: str) -> list[UpstreamFile]:
    """The installable wheels of ``project``: pure-Python, not yanked, in upstream's order.

    Raises InvalidName, ProjectNotFound, NoPurePythonWheel or UpstreamFailed.
    """
    if not project_name_is_valid(project):
        raise InvalidName(
            f"{project!r} is not a valid package name: use letters, digits, '-', '_' and '.'."
        )
    name = project_name_normalize(project)
    key = _cache_key(name)
    wheels: list[UpstreamFile] | None = cache.get(key)
    if wheels is None:
        try:
            files = project_files_fetch(
                index_url=settings.WHEELS_UPSTREAM_INDEX,
                project=name,
                timeout=settings.WHEELS_UPSTREAM_TIMEOUT,
            )
        except UpstreamNotFound as error:
            raise ProjectNotFound(
                f"There is no package named {name!r} on the package index; check the spelling."
            ) from error
        except UpstreamError as error:
            raise UpstreamFailed(
                f"The package index could not be asked about {name!r}: {error}. Try again later."
            ) from error
        wheels = [file for file in files if _is_installable(file)]
        cache.set(key, wheels, settings.WHEELS_INDEX_CACHE_SECONDS)
    if not wheels:
        raise NoPurePythonWheel(
            f"{name} has no pure-Python wheel, so it cannot be installed in the browser"
        )
    return wheels


def project_index_get(*, project: str) -> dict[str, Any]:
    """The PEP 691 JSON page of ``project``, its file URLs pointing at this site."""
    wheels = project_wheels_list(project=project)
    versions: list[str] = []
    files = []
    for wheel in wheels:
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
    return {
        "meta": {"api-version": "1.0"},
        "name": project_name_normalize(project),
        "versions": versions,
        "files": files,
    }
