"""Fixtures: a real upstream index on loopback, and settings pointing the proxy at it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from tests.packages.upstream_index import UpstreamIndex


@pytest.fixture(params=["json", "html"])
def upstream(request: pytest.FixtureRequest) -> Iterator[UpstreamIndex]:
    """An index serving PEP 691 JSON pages, then (second run) PEP 503 HTML pages."""
    index = UpstreamIndex(page_format=request.param)
    index.start()
    yield index
    index.stop()


@pytest.fixture
def json_upstream() -> Iterator[UpstreamIndex]:
    """The same index, JSON pages only, for tests where the page format does not matter."""
    index = UpstreamIndex(page_format="json")
    index.start()
    yield index
    index.stop()


@pytest.fixture
def index(settings: Settings, json_upstream: UpstreamIndex) -> UpstreamIndex:
    """The JSON index, with the proxy pointed at it."""
    settings.WHEELS_UPSTREAM_INDEX = json_upstream.url
    return json_upstream


@pytest.fixture
def wheel_cache(tmp_path: Path) -> Path:
    return tmp_path / "wheels"


@pytest.fixture(autouse=True)
def proxy_settings(settings: Settings, wheel_cache: Path) -> Iterator[Settings]:
    """Cache files in this test's folder; the index list cache starts empty."""
    settings.WHEELS_CACHE_DIR = wheel_cache
    settings.WHEELS_UPSTREAM_TIMEOUT = 5
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def client() -> Client:
    """The wheel proxy lives on the user-content site, where the playground's worker asks it."""
    return Client(HTTP_HOST="usercontent.testserver")
